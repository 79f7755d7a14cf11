"""Gradescope: "Export Submissions" (a folder per active submission, and the Ruby-written
submission_metadata.yml that names who handed each in and when), and "Download Grades" as a
roster. Gradescope imports no grades."""

from __future__ import annotations

import datetime
import zipfile

import pytest
from scratch import LAB, TINY, download, intake_rows

from autograder import platforms
from autograder.platforms import Roster
from autograder.platforms.base import Export, ExportError, Line, Person

METADATA = """---
submission_217362225:
  :submitters:
  - :name: Student A
    :sid: '0000001'
    :email: a@example.edu
  - :name: Student B
    :sid: '0000002'
    :email: B@Example.edu
  :created_at: 2026-12-01 16:59:58.938335000 Z
  :score: 0.0
  :status: processed
  :results:
    score: 0.0
    tests: []
    output: This assignment does not have an autograder configured.
  :history:
  - :submitters: []
    :created_at: 2026-12-01 10:30:05.262325000 Z
    :score: 0.0
    :status: processed
    :id: 217383000
submission_217362300:
  :submitters:
  - :name: Student C
    :sid:
    :email: c@example.edu
  :created_at: 2026-12-02 08:00:00.000000000 Z
  :score: 0.0
  :status: processed
  :history: []
submission_217362400:
  :submitters: []
  :created_at: 2026-12-02 08:00:00.000000000 Z
"""


def exported(tmp_path, metadata: str | None = METADATA):
    top = "assignment_7023745_export"
    files = {
        f"{top}/submission_217362225/{LAB}.ipynb": TINY,
        f"{top}/submission_217362225/rtl/#notes.txt#": b"x",
        f"{top}/submission_217362300/work/{LAB}.ipynb": TINY,
        f"{top}/submission_217362400/{LAB}.ipynb": TINY,
    }
    if metadata is not None:
        files[f"{top}/submission_metadata.yml"] = metadata.encode()
    return download(tmp_path / "download", files)


def test_the_export_names_every_submitter_and_the_time(tmp_path):
    found = intake_rows(exported(tmp_path))
    top = "assignment_7023745_export"
    group = found[f"{top}/submission_217362225/{LAB}.ipynb"]
    assert (group.student_id, group.name, group.counted) == ("0000001", "Student A", True)
    assert group.person.user_id == "a@example.edu"
    assert group.time == datetime.datetime(2026, 12, 1, 16, 59, 58, 938335, tzinfo=datetime.UTC)
    assert [(m.student_id, m.user_id) for m in group.members] == [("0000002", "b@example.edu")]
    assert group.group == "Gradescope submission 217362225"
    assert any("1 other submission(s)" in n for n in group.notes)
    members = group.row().for_members()
    assert [(r.student_id, r.counted, r.file) for r in members] == [
        ("0000002", True, f"{top}/submission_217362225/{LAB}.ipynb")
    ]
    solo = found[f"{top}/submission_217362300/work/{LAB}.ipynb"]
    assert solo.student_id == "c@example.edu" and solo.counted  # no SID: the email
    nobody = found[f"{top}/submission_217362400/{LAB}.ipynb"]
    assert nobody.student_id == "" and "names no one" in nobody.stopped.reason
    meta = found[f"{top}/submission_metadata.yml"]
    assert meta.student_id == "" and "Gradescope's list" in meta.stopped.reason
    assert found[f"{top}/submission_217362225/rtl/#notes.txt#"].stopped.status == "error"


def test_a_zip_of_the_export_reads_the_same(tmp_path):
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(exported(tmp_path).rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(tmp_path / "download"))
    found = intake_rows(archive)
    top = "assignment_7023745_export"
    assert found[f"{top}/submission_217362225/{LAB}.ipynb"].student_id == "0000001"


def test_without_its_metadata_the_export_is_no_ones(tmp_path):
    found = intake_rows(exported(tmp_path, metadata=None))
    assert all(s.student_id == "" and not s.counted for s in found.values())
    assert all("submission_metadata.yml is missing" in s.stopped.reason for s in found.values())
    broken = intake_rows(exported(tmp_path / "b", metadata=": [unclosed\n"))
    folders = [s for f, s in broken.items() if "/submission_2" in f]
    assert len(folders) == 4 and all("cannot be read" in s.stopped.reason for s in folders)


def test_download_grades_as_a_roster(tmp_path):
    path = tmp_path / "Lab_2_scores.csv"
    path.write_text(
        "First Name,Last Name,SID,Email,Sections,Total Score,Max Points,Status,Submission ID,"
        "Submission Time,Lateness (H:M:S),View Count,Submission Count\n"
        "Student,A,0000001,a@example.edu,,10,10,Graded,217362225,2026-12-01 11:59:58 -0500,"
        "00:00:00,1,2\n"
        "Student,D,,d@example.edu,,,10,Missing,,,,0,0\n"
    )
    roster = Roster.read(path)
    assert roster.platform == "gradescope"
    assert [(p.student_id, p.user_id, p.name) for p in roster.people] == [
        ("0000001", "a@example.edu", "Student A"),
        ("d@example.edu", "d@example.edu", "Student D"),
    ]


def test_gradescope_imports_no_grades(tmp_path):
    gradescope = platforms.get("gradescope")
    assert gradescope.targets == {}
    with pytest.raises(ExportError, match="no grade import"):
        gradescope.write("gradescope", [Line(Person("a"), "1")], tmp_path / "x", Export("c", 1))


def test_a_group_counts_for_every_member_the_class_can_tell(tmp_path):
    """The first submitter has a name two roster people share; the second is known by email:
    the second is credited, and the row says why the first is not."""
    roster_file = tmp_path / "scores.csv"
    roster_file.write_text(
        "First Name,Last Name,SID,Email,Status\n"
        "Ann,Lee,1,ann@example.edu,Graded\nAnn,Lee,3,ann3@example.edu,Graded\n"
        "Bob,Ray,2,bob@example.edu,Graded\n"
    )
    yaml = (
        "submission_1:\n  :submitters:\n  - :name: Ann Lee\n    :email: ann.new@example.edu\n"
        "  - :name: Bob Ray\n    :email: bob@example.edu\n"
        "  :created_at: 2023-12-02 02:52:07 Z\n"
    )
    subs = download(
        tmp_path / "s",
        {"submission_metadata.yml": yaml.encode(), f"submission_1/{LAB}.ipynb": TINY},
    )
    group = intake_rows(subs, roster=Roster.read(roster_file))[f"submission_1/{LAB}.ipynb"]
    assert group.student_id == "2" and group.counted and group.members == ()
    assert any("2 people of that name" in n for n in group.notes)
