"""Stage 2, restore: the course's tests and metadata, never the submission's."""

from __future__ import annotations

import copy

import pytest
from conftest import ROOT
from nbformat.v4 import new_code_cell
from scratch import LAB

from autograder import notebooks
from autograder.course import Course
from autograder.grading import restore
from autograder.grading.submission import SubmissionFault

COURSE = Course(ROOT)


@pytest.fixture
def lab():
    return COURSE.lab(LAB)


def _release():
    return copy.deepcopy(COURSE.lab(LAB).release)


def _ids(nb):
    return [notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells]


def _points(nb):
    return {
        notebooks.nbgrader_meta(c)["grade_id"]: notebooks.nbgrader_meta(c).get("points")
        for c in nb.cells
        if notebooks.nbgrader_meta(c).get("grade")
    }


def test_deleted_and_edited_test_cells_are_put_back(lab):
    sub = _release()
    ids = _ids(sub)
    del sub.cells[ids.index("test_my_optimizer_adam")]
    sub.cells[ids.index("test_my_optimizer_momentum")].source = "pass"
    nb, flags, _ = restore.restore(sub, lab, COURSE)
    assert any("'test_my_optimizer_adam' was deleted" in t for t in flags)
    assert any("'test_my_optimizer_momentum' was edited" in t for t in flags)
    assert [g for g in _ids(nb) if g] == [g for g in _ids(lab.source) if g]
    momentum = nb.cells[_ids(nb).index("test_my_optimizer_momentum")]
    assert "BEGIN HIDDEN TESTS" in momentum.source  # the hidden tests run


def test_points_and_kinds_come_from_the_source(lab):
    sub = _release()
    for cell in sub.cells:
        meta = notebooks.nbgrader_meta(cell)
        if meta.get("grade"):
            meta["points"] = 1e300  # what the submission claims
    answer = sub.cells[_ids(sub).index("my_optimizer")]
    answer.metadata["nbgrader"]["solution"] = False  # and it claims the answer is a test
    answer.metadata["nbgrader"]["grade"] = True
    answer.source = "def my_optimizer(*a):\n    return 42"
    nb, _, _ = restore.restore(sub, lab, COURSE)
    assert _points(nb) == _points(lab.source)
    restored = nb.cells[_ids(nb).index("my_optimizer")]
    assert restored.source == "def my_optimizer(*a):\n    return 42"  # the student's code
    # the course's metadata for the answer: the release's, whose checksum tells nbgrader an
    # answer graded by hand was left unchanged
    assert notebooks.nbgrader_meta(restored) == notebooks.nbgrader_meta(
        lab.released["my_optimizer"]
    )
    assert notebooks.nbgrader_meta(restored)["solution"] and not notebooks.nbgrader_meta(
        restored
    ).get("grade")


@pytest.mark.parametrize(
    "forge, words",
    [
        ({"grade": True, "grade_id": "bonus", "points": 100}, "grade id 'bonus'"),
        ({"grade": True, "points": 100}, "without a valid grade id"),
        ({"grade": True, "grade_id": ["test_my_optimizer_adam"], "points": 5}, "without a valid"),
        ({"grade": True, "grade_id": "create_mini_batches"}, "of lab1_minibatch"),
        ("grade: true", "metadata is not readable"),
    ],
)
def test_metadata_the_source_does_not_know_makes_an_ordinary_flagged_cell(lab, forge, words):
    sub = _release()
    cell = new_code_cell("print('mine')")
    cell.metadata["nbgrader"] = forge
    sub.cells.insert(5, cell)
    nb, flags, _ = restore.restore(sub, lab, COURSE)
    mine = next(c for c in nb.cells if c.source == "print('mine')")
    assert "nbgrader" not in mine.metadata  # it runs, it earns nothing
    assert _points(nb) == _points(lab.source)
    assert any(words in f for f in flags), flags


def test_a_renamed_answer_runs_as_code_and_its_cell_comes_back_before_it(lab):
    sub = _release()
    answer = sub.cells[_ids(sub).index("my_optimizer")]
    answer.metadata["nbgrader"]["grade_id"] = "renamed"
    answer.source = "def my_optimizer(*a):\n    return 'mine'"
    nb, flags, notes = restore.restore(sub, lab, COURSE)
    assert any("'renamed'" in f for f in flags)
    assert any("'my_optimizer' was deleted" in n for n in notes)
    back = _ids(nb).index("my_optimizer")
    mine = next(i for i, c in enumerate(nb.cells) if "return 'mine'" in c.source)
    assert back < mine  # so the student's definition is the one the tests see
    assert len({c.get("id") for c in nb.cells}) == len(nb.cells)  # cell ids stay unique


def test_a_second_copy_of_a_cell_is_ordinary(lab):
    sub = _release()
    twin = copy.deepcopy(sub.cells[_ids(sub).index("test_my_optimizer_adam")])
    sub.cells.append(twin)
    nb, flags, _ = restore.restore(sub, lab, COURSE)
    assert _ids(nb).count("test_my_optimizer_adam") == 1
    assert any("appears twice" in f for f in flags)


def test_another_labs_notebook_is_an_error_that_names_it(lab):
    theirs = COURSE.lab("lab1_minibatch").release
    with pytest.raises(SubmissionFault, match="a notebook of lab1_minibatch, not of lab2"):
        restore.restore(copy.deepcopy(theirs), lab, COURSE)
    nb, _, _ = restore.restore(_release(), lab, COURSE)  # this lab's own is fine
    assert "test_my_optimizer_adam" in _ids(nb)


def test_many_findings_are_summarised_not_listed(lab):
    from types import SimpleNamespace

    from autograder.grading.submission import Submission

    sub = Submission.of("a.ipynb", None, "amy")
    sub.nb = _release()
    for k in range(50):
        cell = new_code_cell(f"x = {k}")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"made-up-{k}", "points": 1}
        sub.nb.cells.append(cell)
    restore.stage(sub, SimpleNamespace(part=lab, course=COURSE))
    assert len(sub.flags) == restore.MAX_FLAGS
    assert sub.flags[-1] == "and 43 more findings like these"


@pytest.mark.parametrize("keep_cell_ids", [True, False])
def test_an_editors_rewrite_without_nbgrader_metadata_is_matched_not_accused(lab, keep_cell_ids):
    from autograder import mistakes
    from autograder.grading import score

    sub = lab.filled(mistakes.solution_code(LAB, COURSE))
    visible = sub.cells[_ids(sub).index("test_momentum_visible")]
    for cell in sub.cells:  # what some editors and hosted notebook services hand back
        cell.metadata.pop("nbgrader", None)
        if not keep_cell_ids:
            cell["id"] = f"x{id(cell)}"
    nb, flags, notes = restore.restore(sub, lab, COURSE)
    assert flags == []  # nothing deleted, nothing edited: no accusation
    assert any("no nbgrader metadata" in n for n in notes)
    assert _ids(nb).count("my_optimizer") == 1  # the answer is the student's, not a stub
    assert sorted(filter(None, _ids(nb))) == sorted(lab.cells)
    assert score.suspicious(nb) == []  # the tests' own code is not the student's
    # a test cell whose code really changed is still flagged
    visible.source += "\nprint('changed')"
    _, flags, _ = restore.restore(sub, lab, COURSE)
    assert flags and all("edited" in f or "deleted" in f for f in flags)


def test_a_draft_assignment_without_a_release_does_not_stop_grading_another(tmp_path):
    from scratch import copy_course

    course = copy_course(tmp_path / "course", [LAB])
    (course.root / "source" / "draft").mkdir()
    (course.root / "source" / "draft" / "draft.ipynb").write_text("{ not json")
    assert course.labs() == [LAB, "draft"]
    assert LAB in course.own_grade_ids  # the draft is skipped, not a crash
    nb, flags, _ = restore.restore(_release(), course.lab(LAB), course)
    assert flags == []
