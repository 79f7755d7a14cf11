"""Intake reads the LMS downloads: file layouts built from each platform's naming scheme.

Canvas (Download Submissions): ``<lastfirst>[_LATE]_<user id>_<attachment id>_<file>``, with
``-N`` before the suffix when a student handed in a file of the same name again. Moodle
(Download all submissions): ``<Full Name>_<participant id>_assignsubmission_file_/<file>``,
or the same prefix on the file name without folders.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from scratch import LAB

from autograder.grading import intake, lms

NB = nbformat.writes(new_notebook(cells=[new_code_cell("x = 1")])).encode()


def _found(root, **kwargs):
    return {s.file: s for s in intake.find(root, LAB, **kwargs).submissions}


def _files(root, names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(NB)
    return root


def test_canvas_names_give_the_user_the_late_marker_and_the_latest_resubmission(tmp_path):
    root = _files(
        tmp_path / "submissions",
        [
            f"smithjohn_12345_67890_{LAB}.ipynb",
            f"doejane_LATE_23456_78901_{LAB}-1.ipynb",
            f"doejane_LATE_23456_78900_{LAB}.ipynb",
            "leeann_34567_89012_my work (2).ipynb",
            "brownbob_45678_90123_notes.txt",
        ],
    )
    found = _found(root)
    notes = found["brownbob_45678_90123_notes.txt"]  # handed in no notebook: still a student
    assert notes.student_id == "45678" and notes.counted and notes.status == "error"
    smith = found[f"smithjohn_12345_67890_{LAB}.ipynb"]
    assert (smith.student_id, smith.name, smith.counted, smith.late) == (
        "12345",
        "smithjohn",
        True,
        False,
    )
    assert not smith.notes  # named as the lab: nothing to say
    latest = found[f"doejane_LATE_23456_78901_{LAB}-1.ipynb"]
    assert latest.student_id == "23456" and latest.counted and latest.late
    assert not latest.flags  # a routine resubmission: nothing for a person to look at
    older = found[f"doejane_LATE_23456_78900_{LAB}.ipynb"]
    assert not older.counted and older.status == "flagged" and "-1.ipynb" in older.fault
    assert "earlier upload" in older.fault
    renamed = found["leeann_34567_89012_my work (2).ipynb"]
    assert renamed.student_id == "34567" and renamed.counted
    assert any("not named" in n for n in renamed.notes)


def test_moodle_folders_and_flat_names_give_the_participant(tmp_path):
    folders = _files(
        tmp_path / "folders",
        [
            f"John Smith_123456_assignsubmission_file_/{LAB}.ipynb",
            "John Smith_123456_assignsubmission_file_/notes.txt",
            "Mary Jane_234567_assignsubmission_onlinetext_/onlinetext.html",
        ],
    )
    found = _found(folders)
    john = found[f"John Smith_123456_assignsubmission_file_/{LAB}.ipynb"]
    assert (john.student_id, john.name, john.counted) == ("123456", "John Smith", True)
    assert found["John Smith_123456_assignsubmission_file_/notes.txt"].status == "error"
    text = found["Mary Jane_234567_assignsubmission_onlinetext_/onlinetext.html"]
    assert text.student_id == "234567" and text.counted and "not a notebook" in text.fault
    flat = _files(tmp_path / "flat", [f"José Núñez_345678_assignsubmission_file_{LAB}.ipynb"])
    (only,) = _found(flat).values()
    assert (only.student_id, only.name, only.counted) == ("345678", "José Núñez", True)


def test_names_in_any_script_and_with_spaces_are_ids(tmp_path):
    decomposed = unicodedata.normalize("NFD", "José")  # as a zip made on macOS has it
    root = _files(
        tmp_path / "s",
        [f"김민수/{LAB}.ipynb", f"{decomposed}.ipynb", f"mary jane/{LAB}.ipynb"],
    )
    found = {s.student_id: s for s in _found(root).values()}
    assert set(found) == {"김민수", "José", "mary_jane"}
    assert all(s.counted and s.status is None for s in found.values())
    assert any("'mary_jane'" in n for n in found["mary_jane"].notes)  # the mapping is said
    assert not found["José"].notes  # recomposed only: the same name
    assert lms.safe_id("-x")[0] == "" and lms.safe_id("a/b")[0] == ""


def test_a_zip_of_one_students_nbgrader_folder_is_that_student(tmp_path):
    archive = tmp_path / "lee.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{LAB}/{LAB}.ipynb", NB)
        zf.writestr(f"{LAB}/timestamp.txt", "2026-11-30 10:00:00 UTC")
    (lee,) = _found(archive, scratch=tmp_path / "x").values()
    assert (lee.student_id, lee.file, lee.counted) == ("lee", f"lee/{LAB}/{LAB}.ipynb", True)
    assert lee.timestamp == "2026-11-30 10:00:00 UTC"
    # a class zip in nbgrader's layout keeps its students
    archive = tmp_path / "submitted.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in ("ann", "bo"):
            zf.writestr(f"submitted/{student}/{LAB}/{LAB}.ipynb", NB)
    found = _found(archive, scratch=tmp_path / "y")
    assert {s.student_id for s in found.values()} == {"ann", "bo"}


@dataclass(frozen=True)
class _Person:
    student_id: str
    name: str
    lms_id: str = ""


class _Roster:
    """What intake asks of a roster (``autograder.roster.Roster``)."""

    def __init__(self, *people):
        self.people = people

    def by_lms_id(self, lms_id):
        return next((p for p in self.people if p.lms_id == lms_id), None)

    def by_name(self, name):
        return next((p for p in self.people if p.name.replace(" ", "").lower() == name), None)

    def by_student_id(self, student_id):
        return next((p for p in self.people if p.student_id == student_id), None)


def test_a_roster_maps_lms_users_to_the_courses_ids_and_lists_strangers(tmp_path):
    root = _files(
        tmp_path / "s",
        [
            f"smithjohn_12345_67890_{LAB}.ipynb",
            f"doejane_23456_78901_{LAB}.ipynb",
            f"nobody_99999_11111_{LAB}.ipynb",
        ],
    )
    roster = _Roster(_Person("jsmith", "John Smith", "12345"), _Person("jdoe", "Doe Jane"))
    found = {s.student_id: s for s in _found(root, roster=roster).values()}
    assert set(found) == {"jsmith", "jdoe", "99999"}
    assert found["jsmith"].name == "John Smith"  # the roster's name is shown
    assert found["jdoe"].lms_id == "23456"  # found by name, the LMS id kept
    assert any("not in the roster" in n for n in found["99999"].notes)


def test_a_lab_of_several_notebooks_grades_each_by_its_name(tmp_path):
    root = _files(
        tmp_path / "s",
        ["a/ps1/problem1.ipynb", "a/ps1/problem2.ipynb", "a/ps1/scratch.ipynb", "b/problem1.ipynb"]
        + ["c/answers.ipynb", "smithjohn_12345_67890_problem2-1.ipynb"],
    )
    found = {
        s.file: s for s in intake.find(root, "ps1", notebooks=("problem1", "problem2")).submissions
    }
    assert found["a/ps1/problem1.ipynb"].notebook == "problem1"
    assert found["a/ps1/problem2.ipynb"].notebook == "problem2"
    assert all(found[f"a/ps1/problem{n}.ipynb"].counted for n in (1, 2))
    scratch_nb = found["a/ps1/scratch.ipynb"]
    assert scratch_nb.status == "flagged" and not scratch_nb.counted
    assert "none of the lab's notebooks" in scratch_nb.fault
    assert any("no problem2.ipynb" in n for n in found["b/problem1.ipynb"].notes)
    lone = found["c/answers.ipynb"]
    assert lone.status == "error" and lone.counted and "rename it" in lone.fault
    canvas = found["smithjohn_12345_67890_problem2-1.ipynb"]
    assert canvas.notebook == "problem2" and canvas.counted and canvas.student_id == "12345"
