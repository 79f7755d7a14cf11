"""Blackboard Learn: the Assignment File Download's attempts and receipts, the Grade Center's
download as a roster, and its upload."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import importers
import pytest
from scratch import LAB, TINY, download, export, gradebook_course, intake_rows, read_csv_bom

from autograder.platforms import Roster


def receipt(name: str, user: str, stamp: str, files: dict[str, str]) -> bytes:
    """A receipt as Blackboard writes it (tabs before the file lines)."""
    listed = "\n\n".join(
        f"\tOriginal filename: {original}\n\tFilename: {zipped}"
        for zipped, original in files.items()
    )
    return (
        f"Name: {name} ({user})\nAssignment: Lab 2\n"
        "Date Submitted: Tuesday, December 1, 2026 4:59:30 PM EST\n"
        "Current Grade: Needs Grading\n\n"
        "Submission Field:\nThere is no student submission text data for this assignment.\n\n"
        "Comments:\nThere are no student comments for this assignment.\n\n"
        f"Files:\n{listed}\n"
    ).encode()


def attempt(user: str, name: str, stamp: str, original: str) -> dict[str, bytes]:
    prefix = f"Lab 2_{user}_attempt_{stamp}"
    zipped = f"{prefix}_{original}"
    return {f"{prefix}.txt": receipt(name, user, stamp, {zipped: original}), zipped: TINY}


def downloaded(tmp_path):
    files = {
        **attempt("student1", "Student One", "2026-12-01-16-59-30", f"{LAB}.ipynb"),
        **attempt("student1", "Student One", "2026-11-30-10-00-00", f"{LAB}.ipynb"),
        **attempt("j_doe", "Jane Doe", "2026-12-01-17-05-00", "Lab2 final.ipynb"),
        f"Lab 2_ghost_attempt_2026-12-01-10-00-00_{LAB}.ipynb": TINY,  # its receipt is gone
    }
    return download(tmp_path / "gradebook_CS101_Lab2_2026-12-02-08-00-00", files)


def test_the_latest_attempt_counts_at_the_time_of_its_name(tmp_path):
    zone = ZoneInfo("America/New_York")
    found = intake_rows(downloaded(tmp_path), options={"timezone": zone})
    latest = found[f"Lab 2_student1_attempt_2026-12-01-16-59-30_{LAB}.ipynb"]
    assert (latest.student_id, latest.name, latest.counted) == ("student1", "Student One", True)
    assert latest.time == datetime.datetime(2026, 12, 1, 21, 59, 30, tzinfo=datetime.UTC)
    assert latest.accounts_for == ("Lab 2_student1_attempt_2026-12-01-16-59-30.txt",)  # its receipt
    assert any("earlier attempts" in n for n in latest.notes)
    earlier = found[f"Lab 2_student1_attempt_2026-11-30-10-00-00_{LAB}.ipynb"]
    assert not earlier.counted and earlier.stopped.status == "skipped"
    assert "the attempt of 2026-11-30-10-00-00 is not the latest" in earlier.stopped.reason
    assert earlier.accounts_for == ("Lab 2_student1_attempt_2026-11-30-10-00-00.txt",)
    jane = found["Lab 2_j_doe_attempt_2026-12-01-17-05-00_Lab2 final.ipynb"]
    assert jane.student_id == "j_doe" and jane.counted  # a username with '_', by the receipt
    assert any("not named" in n for n in jane.notes)  # "Lab2 final.ipynb", the student's name
    ghost = found[f"Lab 2_ghost_attempt_2026-12-01-10-00-00_{LAB}.ipynb"]
    assert ghost.student_id == "" and not ghost.counted and "receipt" in ghost.stopped.reason
    assert len(found) == 4  # each receipt belongs to its attempt's notebook row


def test_a_time_without_a_zone_is_never_on_time(tmp_path):
    found = intake_rows(downloaded(tmp_path))
    latest = found[f"Lab 2_student1_attempt_2026-12-01-16-59-30_{LAB}.ipynb"]
    assert latest.counted and latest.stopped.status == "error" and latest.time is None
    assert (
        "local time with no zone" in latest.stopped.reason and "--timezone" in latest.stopped.reason
    )
    assert "EST" in latest.stopped.reason  # what the receipt says of the zone


def test_the_grade_centers_download_as_a_roster(tmp_path):
    text = (
        '"Last Name"\t"First Name"\t"Username"\t"Student ID"\t"Last Access"\t"Availability"\t'
        '"Lab 2 [Total Pts: 10 Score] |123456"\n'
        '"One"\t"Student"\t"student1"\t"S001"\t"2026-12-01"\t"Available"\t""\n'
        '"Doe"\t"Jane"\t"j_doe"\t"S002"\t"2026-12-01"\t"Available"\t"4"\n'
    )
    path = tmp_path / "gc_CS101_fullgc_2026-12-02-08-00-00.xls"
    path.write_bytes(text.encode("utf-16"))  # Blackboard's .xls: UTF-16 text with tabs
    roster = Roster.read(path)
    assert roster.platform == "blackboard"
    assert [(p.student_id, p.user_id, p.sis_id, p.name) for p in roster.people] == [
        ("student1", "student1", "S001", "Student One"),
        ("j_doe", "j_doe", "S002", "Jane Doe"),
    ]
    assert [p.student_id for p in Roster.read(path, id_column="Student ID").people] == [
        "S001",
        "S002",
    ]


STUDENTS = {  # as `grade` records a Blackboard user: lms_user_id "blackboard:<username>"
    "student1": ("Student", "One", "", "blackboard:student1", (6, 4), 0, False),
    "j_doe": ("Jane", "Doe", "", "blackboard:j_doe", (3, 0), 0, False),
    "cv": ("Cy", "Vo", "", "4242", (5, 0), 0, False),  # a Canvas id: no Blackboard username
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return gradebook_course(tmp_path_factory.mktemp("blackboard"), LAB, STUDENTS)


def test_the_upload_holds_graded_people_only_matched_by_username(course, tmp_path, capsys):
    out = tmp_path / "blackboard.csv"
    column = "Lab 2 [Total Pts: 10 Score] |123456"
    assert (
        export(
            course, LAB, "--to", "blackboard", "--out", str(out), "--column", column, at=tmp_path
        )
        == 0
    )
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith('"Last Name","First Name","Username","Student ID","Lab 2 [')
    assert sorted(read_csv_bom(out)[1:]) == [
        ["Doe", "Jane", "j_doe", "", "3"],
        ["One", "Student", "student1", "", "10"],
    ]
    assert "left out, no Blackboard username" in capsys.readouterr().out  # Cy Vo
    held = {"student1": "2", "k_lee": "7"}  # k_lee's 7 was given in Blackboard
    assert importers.blackboard(held, text) == {"student1": "10", "k_lee": "7", "j_doe": "3"}
    assert "creates a new" not in capsys.readouterr().out
    assert (
        export(
            course, LAB, "--to", "blackboard", "--out", str(out), "--column", "Lab 2", at=tmp_path
        )
        == 0
    )
    assert "creates a new text column" in capsys.readouterr().out


def test_the_latest_attempt_counts_even_without_a_notebook(tmp_path):
    files = attempt("bob", "Bob B", "2026-12-01-10-00-00", f"{LAB}.ipynb")
    prefix = "Lab 2_bob_attempt_2026-12-03-10-00-00"
    files[f"{prefix}.txt"] = receipt("Bob B", "bob", "x", {f"{prefix}_{LAB}.zip": f"{LAB}.zip"})
    files[f"{prefix}_{LAB}.zip"] = b"PK"
    found = intake_rows(download(tmp_path / "s", files), options={"timezone": ZoneInfo("UTC")})
    (counted,) = [s for s in found.values() if s.counted]
    assert counted.file.startswith(prefix) and counted.stopped.status == "error"
    assert "the latest attempt of bob holds no notebook" in counted.stopped.reason
    assert counted.time == datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC)  # late
    earlier = found[f"Lab 2_bob_attempt_2026-12-01-10-00-00_{LAB}.ipynb"]
    assert not earlier.counted and "the latest holds no notebook" in earlier.stopped.reason


def test_what_a_student_writes_in_a_receipt_is_never_the_platforms(tmp_path):
    prefix = "Lab 2_bob_attempt_2026-12-01-16-59-30"
    said = receipt("Bob B", "bob", "x", {f"{prefix}_{LAB}.ipynb": f"{LAB}.ipynb"}).replace(
        b"There are no student comments for this assignment.",
        f"\tOriginal filename: timestamp.txt\n\tFilename: {prefix}.txt\n".encode(),
    )
    files = {f"{prefix}.txt": said, f"{prefix}_{LAB}.ipynb": TINY}
    found = intake_rows(download(tmp_path / "s", files), options={"timezone": ZoneInfo("UTC")})
    (bob,) = found.values()
    assert bob.accounts_for == (f"{prefix}.txt",) and bob.extras == {}  # no nbgrader timestamp.txt
