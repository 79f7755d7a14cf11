"""Stage 7, record: the gradebook, nbgrader's folders and the resume state."""

from __future__ import annotations

import json
import sqlite3

import pytest
from scratch import LAB, copy_course

from autograder.grading import gradebook, record
from autograder.grading.submission import CellResult, Row


@pytest.mark.kernel
@pytest.mark.sandbox
def test_attacks_on_the_gradebook_gained_nothing(demo_class):
    course = demo_class["course"]
    assert course.source_path(LAB).read_bytes() == demo_class["source_before"]
    con = sqlite3.connect(course.root / "gradebook.db")
    max_auto = con.execute("select max(auto_score) from grade").fetchone()[0]
    assert max_auto <= 4  # no cell above its points (the attack tried 100)
    book = gradebook.grades(course.db_url, LAB)
    for student, r in demo_class["rows"].items():
        assert book[student][0] == r.raw_score, student  # errors too: 0, for a manual look


@pytest.mark.kernel
@pytest.mark.sandbox
def test_reviewers_see_error_and_flagged_cells_in_the_gradebook(demo_class):
    with gradebook.open_gradebook(demo_class["course"].db_url) as gb:
        flagged = gb.find_submission_notebook(LAB, LAB, "reads-source")
        assert sum(g.needs_manual_grade for g in flagged.grades) == 4  # the 4 hidden tests
        assert all("refers to the course's source/" in c.auto_comment for c in flagged.comments)
        broken = gb.find_submission_notebook(LAB, LAB, "broken-json")
        assert all(g.needs_manual_grade for g in broken.grades)
        assert {g.auto_score for g in broken.grades} == {0}


@pytest.mark.slow
def test_an_error_row_without_a_notebook_is_a_zero_to_grade_by_hand(tmp_path):
    course = copy_course(tmp_path / "course", [LAB])
    lab = course.lab(LAB)
    gradebook.ensure_assignment(course, LAB)
    good = Row(
        file="a.ipynb",
        student_id="amy",
        status="graded",
        reason="",
        raw_score=10,
        max_score=10,
        cells=[CellResult("t", 10, 10, True)],
    )
    executed = lab.filled({})  # the release: every hidden test unrun, so graded as failed
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
    gradebook.save(course.db_url, LAB, "amy", good, executed, None)
    assert gradebook.grades(course.db_url, LAB)["amy"] == (10.0, False)  # every test "ran"
    bad = Row(
        file="a.ipynb",
        student_id="amy",
        status="error",
        reason="the file is not a valid notebook",
        raw_score=0,
        max_score=10,
    )
    gradebook.save(
        course.db_url, LAB, "amy", bad, gradebook.not_graded(lab.release, bad.reason), None
    )
    assert gradebook.grades(course.db_url, LAB)["amy"] == (0.0, True)  # replaced, for review
    with gradebook.open_gradebook(course.db_url) as gb:
        comments = [c.auto_comment for c in gb.find_submission_notebook(LAB, LAB, "amy").comments]
    assert comments and all("not a valid notebook" in c for c in comments)


def test_the_state_of_a_row_round_trips_and_is_keyed_by_file(tmp_path):
    row = Row(
        file="x/a.ipynb",
        student_id="x",
        status="flagged",
        reason="why",
        raw_score=3,
        max_score=10,
        cells=[CellResult("t", 3, 4, False, "m", "h")],
    )
    record.save_state(tmp_path, row)
    assert record.load_state(tmp_path, "x/a.ipynb") == row
    assert record.load_state(tmp_path, "x/b.ipynb") is None
    record.state_path(tmp_path, "x/b.ipynb").write_text("{broken")
    assert record.load_state(tmp_path, "x/b.ipynb") is None  # unreadable: graded again


def test_a_row_an_earlier_version_saved_under_score_still_loads(tmp_path):
    """Rows were saved with ``score`` (the points before the penalty) before it was named
    ``raw_score``: a rerun resumes from such a state, and keeps the points."""
    old = {
        "file": "x/a.ipynb",
        "student_id": "x",
        "status": "graded",
        "reason": "",
        "score": 7,
        "max_score": 10,
        "late_penalty": 2,
        "cells": [{"grade_id": "t", "points": 7, "max_points": 10, "passed": False}],
    }
    row = Row.from_dict(old)
    assert (row.raw_score, row.final_score, row.max_score) == (7, 5, 10)
    assert "score" not in row.to_dict() and row.to_dict()["raw_score"] == 7
    record.state_path(tmp_path, "x/a.ipynb").parent.mkdir(parents=True, exist_ok=True)
    record.state_path(tmp_path, "x/a.ipynb").write_text(json.dumps(old))
    assert record.load_state(tmp_path, "x/a.ipynb") == row


def test_the_ledger_is_a_journal_a_crash_cannot_corrupt(tmp_path):
    journal = tmp_path / ".state" / record.LEDGER
    journal.parent.mkdir()
    journal.write_text(
        '{"lab": "lab1", "student": "amy", "made_student": true, "platform": "canvas", '
        '"user_id": "7"}\n'
        '{"lab": "lab2", "student": "amy", "made_student": false}\n'
        '{"lab": "lab1", "student": "bo", "made_student": true}\n'
        '{"lab": "lab1", "student": "bo", "removed": true}\n'
        '{"lab": "lab1", "student": "cy", "made_st'  # cut short by a crash
    )
    assert record.ledger(tmp_path, "lab1") == {
        "amy": {"made_student": True, "platform": "canvas", "user_id": "7"}
    }
    assert set(record.ledger(tmp_path, "lab2")) == {"amy"}
    assert record.ledger(tmp_path / "nowhere", "lab1") == {}
