"""A class over a week, as a TA lives it: a folder mixing Canvas's, Moodle's and nbgrader's
files graded with Canvas's roster, then a file renamed, one removed, a regrade, a new due date
and an extension, and exports to every platform. At every step the gradebook, grades.csv and
each export agree, and the gradebook holds nothing this output folder no longer counts."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from scratch import FAST, LAB, class_folder, copy_course, csv_rows

from autograder import export as command
from autograder import mistakes
from autograder.grading import gradebook, pipeline, record
from autograder.platforms import Roster

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section\n"
    "    Points Possible,,,,\n"
    '"Smith, John",1001,S-1,jsmith,A\n'
    '"Doe, Jane",1002,S-2,jdoe,A\n'
    '"Park, Kim",1003,S-3,kpark,B\n'
    '"Lee, Ann",1004,S-4,alee,B\n'
    '"Zed, Zoe",1005,S-5,zzed,B\n'
)


def _gradebook(course) -> dict[str, float]:
    with gradebook.open_gradebook(course.db_url) as gb:
        return {
            s.student.id: round(max(0.0, s.score - s.late_submission_penalty), 2)
            for s in gb.assignment_submissions(LAB)
        }


def _counted(out: Path) -> dict[str, float]:
    rows = csv_rows(out / "grades.csv")
    counted = [r for r in rows if r["counted"] == "yes"]
    assert len(counted) == len({r["student_id"] for r in counted})  # one counted row each
    return {r["student_id"]: float(r["score"]) for r in counted}


IDS = ("jsmith", "jdoe", "kpark", "alee", "zzed")
NAMES = {"jsmith": "John Smith", "jdoe": "Jane Doe", "kpark": "Kim Park", "alee": "Ann Lee"}
NAMES["zzed"] = "Zoe Zed"
#: each platform's own export of the class, and the column of its import file that holds
#: the course's id
ROSTERS = {
    "canvas": (ROSTER, "SIS Login ID"),
    "moodle": (
        "First name,Last name,ID number,Institution,Department,Email address\n"
        + "".join(f"{NAMES[i].split()[0]},{NAMES[i].split()[1]},{i},U,CS,{i}@u.edu\n" for i in IDS),
        "ID number",
    ),
    "brightspace": (
        "OrgDefinedId,Username,Last Name,First Name,Email,End-of-Line Indicator\n"
        + "".join(f"#{i},#{i},{NAMES[i].split()[1]},{NAMES[i].split()[0]},,#\n" for i in IDS),
        "OrgDefinedId",
    ),
    "blackboard": (
        '"Last Name","First Name","Username","Student ID","Last Access","Availability"\n'
        + "".join(
            f'"{NAMES[i].split()[1]}","{NAMES[i].split()[0]}","{i}","","","Yes"\n' for i in IDS
        ),
        "Username",
    ),
}


def _exported(course, tmp_path: Path, target: str) -> dict[str, str]:
    """Each student's grade in ``target``'s import file, made with the platform's roster, by
    the course's id."""
    text, key = ROSTERS[target]
    roster = tmp_path / f"{target}-roster.csv"
    roster.write_text(text)
    out = tmp_path / f"{target}.csv"
    argv = ["export", LAB, "--to", target, "--course", str(course.root), "--out", str(out)]
    argv += ["--roster", str(roster), "--column", f"{LAB} |4411"]
    assert command.main_for_tests(argv) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    grade = next(i for i, h in enumerate(rows[0]) if LAB in h)
    column = rows[0].index(key)
    return {
        r[column].removeprefix("#"): r[grade] for r in rows[1:] if "Points Possible" not in r[0]
    }


def _agree(course, out: Path, tmp_path: Path) -> dict[str, float]:
    """The gradebook's submissions that the output folder recorded, grades.csv and every
    platform's export say the same."""
    held, counted = _gradebook(course), _counted(out)
    recorded = set(record.ledger(out, LAB))
    assert recorded == set(counted) and {s: held[s] for s in recorded} == counted
    for target in ROSTERS:
        assert _exported(course, tmp_path, target) == {
            s: command.fmt(v) for s, v in held.items() if s in IDS
        }, target
    return held


def test_a_week_of_one_lab(tmp_path):
    course = copy_course(tmp_path / "course", [LAB])
    with open(course.root / "nbgrader_config.py", "a") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    roster_file = tmp_path / "canvas-grades.csv"
    roster_file.write_text(ROSTER)
    solution = nbformat.writes(course.lab(LAB).filled(mistakes.solution_code(LAB, course)))
    stub = nbformat.writes(course.lab(LAB).release)
    subs = class_folder(
        tmp_path / "subs",
        {
            f"smithjohn_1001_501_{LAB}.ipynb": solution.encode(),
            f"doejane_LATE_1002_502_{LAB}.ipynb": solution.encode(),
            f"Kim Park_777_assignsubmission_file/{LAB}.ipynb": stub.encode(),  # Kim, by name
            f"alee/{LAB}/{LAB}.ipynb": solution.encode(),  # the exchange: the course's id
            f"alee/{LAB}/timestamp.txt": b"2026-12-01 16:00:00 UTC",
            f"guest/{LAB}/{LAB}.ipynb": solution.encode(),  # no one of the roster
            f"guest/{LAB}/timestamp.txt": b"2026-12-01 16:00:00 UTC",
        },
    )
    out = tmp_path / "graded"
    options = pipeline.Options(
        limits=FAST,
        progress=False,
        due="2026-12-01 17:00:00 UTC",
        roster=Roster.read(roster_file),
    )
    # someone graded by hand with nbgrader before: never touched by this output folder; and
    # Ann's Canvas id, imported with `nbgrader db student import`
    gradebook.ensure_assignment(course, LAB)
    with gradebook.open_gradebook(course.db_url) as gb:
        gb.update_or_create_student("byhand")
        gb.update_or_create_submission(LAB, "byhand")
        gb.update_or_create_student("alee", lms_user_id="1004")

    # Monday: the first run
    rows = pipeline.grade(LAB, subs, out, course, options)
    by = {r.student_id: r for r in rows if r.counted}
    assert set(by) == {"jsmith", "jdoe", "kpark", "alee", "guest"}
    assert by["jsmith"].final_score == 10 and by["kpark"].final_score == 0
    assert by["jdoe"].late_penalty == 10 and by["jdoe"].status == "flagged"  # LATE, zero
    assert "by name" in by["kpark"].reason
    held = _agree(course, out, tmp_path)
    assert held["byhand"] == 0 and "byhand" not in _counted(out)
    with gradebook.open_gradebook(course.db_url) as gb:  # each platform's id, said whose
        ids = {s.id: s.lms_user_id for s in gb.students}
    assert ids["jsmith"] == "1001" and ids["kpark"] == "moodle:777"
    assert ids["alee"] == "1004" and ids["guest"] is None  # nbgrader's ids are the course's

    # Tuesday: Ann's folder is renamed to her SIS id, and Jane's file is gone
    os.rename(subs / "alee", subs / "S-4")
    (subs / f"doejane_LATE_1002_502_{LAB}.ipynb").unlink()
    rows = pipeline.grade(LAB, subs, out, course, options)
    counted = {r.student_id for r in rows if r.counted}
    assert counted == {"jsmith", "kpark", "S-4", "guest"}  # S-4 is not a roster id: a folder
    held = _agree(course, out, tmp_path)
    assert set(held) == {"jsmith", "kpark", "S-4", "guest", "byhand"}
    said = (out / "report.html").read_text()
    assert "jdoe: removed from the gradebook" in said and "alee: removed" in said
    assert not (course.root / "submitted" / "jdoe").exists()
    assert not (out / "feedback" / "jdoe.html").exists()
    with gradebook.open_gradebook(course.db_url) as gb:
        assert "jdoe" not in {s.id for s in gb.students}  # made by this tool: gone too

    # Wednesday: nothing changed; a regrade runs nothing, and a later due date and an
    # extension recompute the penalties, still without running a notebook
    ran = []
    original = pipeline.flow
    pipeline.flow = lambda sub, ctx: ran.append(sub.file) or original(sub, ctx)
    try:
        shutil.move(subs / "S-4", subs / "alee")  # Ann's folder back under her id
        (subs / f"guest/{LAB}/timestamp.txt").write_bytes(b"2026-12-02 12:00:00 UTC")
        rows = pipeline.grade(LAB, subs, out, course, options)
        students = [f for f in ran if not f.startswith("<canary")]
        assert students == [f"alee/{LAB}/{LAB}.ipynb"]  # the renamed file only
        assert {r.student_id: r.final_score for r in rows if r.counted}["guest"] == 0  # late
        ran.clear()
        with gradebook.open_gradebook(course.db_url) as gb:
            gb.grant_extension(LAB, "guest", days=2)
        later = dataclasses.replace(options, due="2026-12-01 18:00:00 UTC")
        rows = pipeline.grade(LAB, subs, out, course, later)
        assert ran == []
    finally:
        pipeline.flow = original
    by = {r.student_id: r for r in rows if r.counted}
    assert by["guest"].late_penalty == 0 and by["guest"].final_score == 10  # extension
    assert by["alee"].seconds_late == 0
    held = _agree(course, out, tmp_path)
    assert held["guest"] == 10
    stamp = (course.root / "submitted" / "guest" / LAB / "timestamp.txt").read_text()
    assert stamp.startswith("2026-12-02 12:00:00")  # nbgrader's copy follows the new time

    # Thursday: a download of one late file, graded into the class's folder by mistake,
    # removes no one; with --prune it is the class
    partial = class_folder(
        tmp_path / "late-only", {f"smithjohn_1001_501_{LAB}.ipynb": solution.encode()}
    )
    pipeline.grade(LAB, partial, out, course, options)
    assert _gradebook(course) == held
    assert (
        "not removed from the gradebook: 3 of the 4 students" in (out / "report.html").read_text()
    )
    pipeline.grade(LAB, partial, out, course, dataclasses.replace(options, prune=True))
    assert set(_gradebook(course)) == {"jsmith", "byhand"}
    _agree(course, out, tmp_path)
