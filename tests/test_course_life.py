"""A course's life beyond our labs: late work under the course's nbgrader plugin, and the
course's own plain nbgrader assignments, graded as ``nbgrader autograde`` grades them."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import nbgrader
import pytest
import scratch
from conftest import ROOT
from scratch import FAST, LAB

from autograder import mistakes, notebooks
from autograder.course import Course
from autograder.grading import gradebook, pipeline

pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]

NBGRADER_FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"


def test_late_work_is_penalised_by_the_courses_nbgrader_plugin(tmp_path):
    course = scratch.copy_course(tmp_path / "course", [LAB])
    with open(course.root / "nbgrader_config.py", "a") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    solution = nbformat.writes(course.lab(LAB).filled(mistakes.solution_code(LAB, course))).encode()
    subs = scratch.class_folder(
        tmp_path / "subs",
        {
            f"late/{LAB}/{LAB}.ipynb": solution,
            f"late/{LAB}/timestamp.txt": b"2026-11-02 12:00:00 UTC",
            f"ontime/{LAB}/{LAB}.ipynb": solution,
            f"ontime/{LAB}/timestamp.txt": b"2026-11-01 11:00:00 UTC",
            f"doejane_LATE_23456_78901_{LAB}.ipynb": solution,
        },
    )
    out = tmp_path / "out"
    options = pipeline.Options(limits=FAST, due="2026-11-01 12:00:00 UTC", progress=False)
    rows = {r.student_id: r for r in pipeline.grade(LAB, subs, out, course, options)}
    full = course.lab(LAB).max_score
    late, ontime, canvas = rows["late"], rows["ontime"], rows["23456"]
    assert late.raw_score == full and late.late_penalty == full and late.seconds_late == 86400
    assert "1 d 0 h late" in late.reason and "penalty" in late.reason
    assert ontime.late_penalty == 0 and ontime.seconds_late == 0
    # Canvas's LATE marker without a time: the least lateness, said and flagged
    assert canvas.seconds_late == 1 and canvas.late_penalty == full
    assert canvas.status == "flagged" and "LATE" in canvas.reason
    assert "taken as handed in 1 s after the due date" in canvas.reason
    csv = {r["student_id"]: r for r in scratch.csv_rows(out / "grades.csv")}
    assert csv["late"]["score"] == "0" and csv["late"]["late_penalty"] == f"{full:g}"
    assert csv["ontime"]["score"] == f"{full:g}"
    with gradebook.open_gradebook(course.db_url) as gb:  # the gradebook agrees
        for sub in gb.assignment_submissions(LAB):
            kept = sub.score - sub.late_submission_penalty
            assert f"{kept:g}" == csv[sub.student.id]["score"], sub.student.id
        assert gb.find_student("23456").lms_user_id == "23456"
        assert gb.find_submission(LAB, "23456").needs_manual_grade  # flagged there too
    late_line = next(
        line
        for line in pipeline.summary(list(rows.values())).splitlines()
        if line.startswith("late/")
    )
    assert " 0 / " in late_line  # the console says what the gradebook says

    # a later due date and a roster that maps the Canvas user: a rerun regrades what they
    # change, and the file's earlier gradebook entry under the Canvas id is replaced
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n"
        "    Points Possible,,,,\n"
        '"Doe, Jane",23456,,jdoe,A\n'
    )
    from autograder.platforms import Roster

    options = pipeline.Options(
        limits=FAST, due="2026-11-03 12:00:00 UTC", progress=False, roster=Roster.read(roster)
    )
    rows = {r.student_id: r for r in pipeline.grade(LAB, subs, out, course, options)}
    assert rows["late"].late_penalty == 0 and rows["late"].seconds_late == 0
    assert "jdoe" in rows and "23456" not in rows
    csv = {r["student_id"]: r for r in scratch.csv_rows(out / "grades.csv")}
    with gradebook.open_gradebook(course.db_url) as gb:
        kept = {
            s.student.id: f"{s.score - s.late_submission_penalty:g}"
            for s in gb.assignment_submissions(LAB)
        }
    assert kept == {sid: r["score"] for sid, r in csv.items()}


def _plain_course(root: Path) -> Course:
    """A course whose own assignment ps1 is nbgrader's test fixture, released by nbgrader."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    (root / "source" / "ps1").mkdir(parents=True)
    shutil.copy(NBGRADER_FILES / "submitted-unchanged.ipynb", root / "source" / "ps1" / "p1.ipynb")
    notebooks.nbgrader("generate_assignment", "ps1", cwd=root)
    return Course(root)


def test_a_plain_nbgrader_assignment_scores_what_nbgrader_autograde_gives(tmp_path):
    """nbgrader's own test (test_nbgrader_autograde.py, test_grade) grades these fixtures:
    the unchanged notebook scores 1 / 7 with nothing to grade by hand, the changed one 2 / 7
    with answers to grade by hand."""
    course = _plain_course(tmp_path / "course")
    assert "ps1" in course.labs() and course.lab("ps1").plain
    subs = tmp_path / "subs"
    for student, fixture in (("foo", "submitted-unchanged"), ("bar", "submitted-changed")):
        (subs / student / "ps1").mkdir(parents=True)
        shutil.copy(NBGRADER_FILES / f"{fixture}.ipynb", subs / student / "ps1" / "p1.ipynb")
    out = tmp_path / "out"
    rows = {
        r.student_id: r
        for r in pipeline.grade(
            "ps1", subs, out, course, pipeline.Options(limits=FAST, progress=False)
        )
    }
    assert (rows["foo"].raw_score, rows["foo"].max_score) == (1, 7)
    assert (rows["bar"].raw_score, rows["bar"].max_score) == (2, 7)
    assert "kernel" in rows["foo"].reason  # says how its tests were judged
    assert any(c.message.startswith("to be graded by hand") for c in rows["bar"].cells)
    with gradebook.open_gradebook(course.db_url) as gb:
        foo = gb.find_submission_notebook("p1", "ps1", "foo")
        bar = gb.find_submission_notebook("p1", "ps1", "bar")
        assert (foo.score, foo.max_score, foo.needs_manual_grade) == (1, 7, False)
        assert (bar.score, bar.max_score, bar.needs_manual_grade) == (2, 7, True)
    assert (course.root / "autograded" / "bar" / "ps1" / "p1.ipynb").is_file()


USER_GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"


def _plain_autograde(course_root: Path, lab: str) -> dict[str, float]:
    """Each student's score by plain ``nbgrader autograde``, in its own copy of the course."""
    notebooks.nbgrader("autograde", lab, "--force", cwd=course_root)
    with gradebook.open_gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        return {s.student.id: float(s.score) for s in gb.assignment_submissions(lab)}


def test_nbgraders_example_assignment_of_two_notebooks_scores_what_nbgrader_gives(tmp_path):
    """nbgrader's documented example ps1 (problem1.ipynb, problem2.ipynb, jupyter.png) and the
    two students its user guide grades: our grades equal plain nbgrader autograde's, run
    here, and its user guide's recorded grades.csv (1.5 and 3)."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(USER_GUIDE / "source" / "ps1", root / "source" / "ps1")
    notebooks.nbgrader("generate_assignment", "ps1", cwd=root)
    plain = tmp_path / "plain"
    shutil.copytree(root, plain)
    shutil.copytree(USER_GUIDE / "submitted", plain / "submitted")
    expected = _plain_autograde(plain, "ps1")
    assert expected == {"bitdiddle": 1.5, "hacker": 3.0}  # as nbgrader's user guide records

    course = Course(root)
    assert course.notebooks("ps1") == ["problem1", "problem2"]
    out = tmp_path / "out"
    rows = pipeline.grade(
        "ps1", USER_GUIDE / "submitted", out, course, pipeline.Options(limits=FAST, progress=False)
    )
    # one row per notebook; the image and timestamp.txt beside them belong to their rows
    assert sorted(r.file for r in rows) == [
        f"{s}/ps1/{n}.ipynb" for s in ("bitdiddle", "hacker") for n in ("problem1", "problem2")
    ]
    assert all(r.counted and r.status in ("graded", "flagged") for r in rows)
    assert {r.notebook for r in rows} == {"problem1", "problem2"}
    with gradebook.open_gradebook(course.db_url) as gb:
        ours = {s.student.id: float(s.score) for s in gb.assignment_submissions("ps1")}
    assert ours == expected
    assert (out / "feedback" / "hacker" / "problem2.html").is_file()
