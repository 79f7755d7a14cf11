"""nbgrader's exchange and this tool's own layouts: the time only from the exchange's
timestamp.txt at <id>/<lab>/, one student per id after normalising, and nbgrader's student list
as a roster."""

from __future__ import annotations

import datetime
import unicodedata
import zipfile

import pytest
from scratch import LAB, TINY, download, intake_rows

from autograder.platforms import Roster

UTC = datetime.UTC


def test_the_time_is_the_exchanges_timestamp_and_no_other(tmp_path):
    found = intake_rows(
        download(
            tmp_path / "submitted",
            {
                f"ann/{LAB}/{LAB}.ipynb": TINY,
                f"ann/{LAB}/timestamp.txt": b"2026-12-01 16:59:58.123456 UTC",
                f"bob/{LAB}/work/{LAB}.ipynb": TINY,  # a notebook deeper in the submission
                f"bob/{LAB}/work/timestamp.txt": b"2026-11-01 00:00:00 UTC",  # bob's own file
                f"bob/{LAB}/timestamp.txt": b"2026-12-02 09:00:00 Europe/Berlin",
                f"cy/{LAB}.ipynb": TINY,
                "cy/timestamp.txt": b"2026-11-01 00:00:00 UTC",  # no exchange here
            },
        )
    )
    ann = found[f"ann/{LAB}/{LAB}.ipynb"]
    assert ann.time == datetime.datetime(2026, 12, 1, 16, 59, 58, 123456, tzinfo=UTC)
    assert ann.time_from == f"ann/{LAB}/timestamp.txt" and ann.accounts_for == (
        f"ann/{LAB}/timestamp.txt",
    )
    bob = found[f"bob/{LAB}/work/{LAB}.ipynb"]
    assert bob.time == datetime.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # the exchange's, in UTC
    own = found[f"bob/{LAB}/work/timestamp.txt"]
    assert (
        own.stopped.status == "error"
        and not own.counted
        and "the student's own file" in own.stopped.reason
    )
    cy = found[f"cy/{LAB}.ipynb"]
    assert cy.time is None and cy.counted
    assert "the student's own file" in found["cy/timestamp.txt"].stopped.reason


@pytest.mark.parametrize(
    "content, shown",
    [
        (b"yesterday, around five", "'yesterday, around five'"),
        (b"", "it is empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"2026-13-45 99:00:00 UTC", "'2026-13-45 99:00:00 UTC'"),
    ],
)
def test_a_timestamp_that_cannot_be_read_is_never_on_time(tmp_path, content, shown):
    found = intake_rows(
        download(
            tmp_path / "submitted",
            {f"dan/{LAB}/{LAB}.ipynb": TINY, f"dan/{LAB}/timestamp.txt": content},
        )
    )
    dan = found[f"dan/{LAB}/{LAB}.ipynb"]
    assert dan.counted and dan.stopped.status == "error" and dan.time is None
    assert (
        f"dan/{LAB}/timestamp.txt holds no time" in dan.stopped.reason
        and shown in dan.stopped.reason
    )
    assert "never on time" in dan.stopped.reason and "nbgrader refuses" in dan.stopped.reason
    assert dan.accounts_for == (f"dan/{LAB}/timestamp.txt",)


def test_the_timestamp_in_a_students_own_zip_means_nothing(tmp_path):
    archive = tmp_path / "lee.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{LAB}/{LAB}.ipynb", TINY)
        zf.writestr(f"{LAB}/timestamp.txt", "2026-11-01 00:00:00 UTC")  # any time they like
    found = intake_rows(archive)
    lee = found[f"lee/{LAB}/{LAB}.ipynb"]
    assert lee.student_id == "lee" and lee.counted and lee.time is None
    stamp = found[f"lee/{LAB}/timestamp.txt"]
    assert stamp.stopped.status == "error" and "the student's own file" in stamp.stopped.reason


def test_names_equal_only_after_normalising_are_one_student_and_said(tmp_path):
    composed = unicodedata.normalize("NFC", "José")
    decomposed = unicodedata.normalize("NFD", "José")  # as a zip made on macOS has it
    found = intake_rows(
        download(
            tmp_path / "s",
            {
                f"mary jane/{LAB}.ipynb": TINY,
                f"mary_jane/{LAB}.ipynb": TINY,
                f"{composed}/{LAB}.ipynb": TINY,
                f"{decomposed}/{LAB}.ipynb": TINY,
                f"ｊｏｅ/{LAB}.ipynb": TINY,  # full-width letters
                f"joe/{LAB}.ipynb": TINY,
                f"김민수/{LAB}.ipynb": TINY,
            },
        )
    )
    counted = {s.student_id: s for s in found.values() if s.counted}
    assert set(counted) == {"mary_jane", composed, "joe", "김민수"}  # one counted row per id
    for student, names in (
        ("mary_jane", (f"mary jane/{LAB}.ipynb", f"mary_jane/{LAB}.ipynb")),
        ("joe", (f"joe/{LAB}.ipynb", f"ｊｏｅ/{LAB}.ipynb")),
    ):
        flag = next(f for f in counted[student].flags if "only after normalising" in f)
        assert all(name in flag for name in names)  # the reason names both files
    assert any("only after normalising" in f for f in counted[composed].flags)
    assert not counted["김민수"].flags
    assert sum(not s.counted for s in found.values()) == 3  # each twin says which was graded


def test_nbgraders_student_list_as_a_roster(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text(
        "id,first_name,last_name,email,lms_user_id\n"
        "jsmith,John,Smith,john@example.edu,1001\n"
        "mary jane,Mary,Jane,,\n"
    )
    roster = Roster.read(path)
    assert roster.platform == "nbgrader"
    assert [(p.student_id, p.name, p.email) for p in roster.people] == [
        ("jsmith", "John Smith", "john@example.edu"),
        ("mary_jane", "Mary Jane", ""),
    ]
    found = intake_rows(download(tmp_path / "s", [f"jsmith/{LAB}/{LAB}.ipynb"]), roster=roster)
    assert found[f"jsmith/{LAB}/{LAB}.ipynb"].name == "John Smith"
