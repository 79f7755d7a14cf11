"""Stage 6, score: points by nbgrader's rule, visible tests as they ran, status and reason."""

from __future__ import annotations

import copy

import pytest
from conftest import ROOT
from nbformat import NotebookNode
from scratch import LAB

from autograder import notebooks
from autograder.course import Course
from autograder.grading import score
from autograder.grading.sandbox.kernel import Execution
from autograder.grading.submission import EnvironmentFault, Submission

LAB_ = Course(ROOT).lab(LAB)


def _ran(nb, failing=()):
    """Every code cell ran; those of ``failing`` (grade ids) raised."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = 1
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        cell.outputs = (
            [NotebookNode(output_type="error", ename="TestFailed", evalue=f"Hint: fix {gid}\nbad")]
            if gid in failing
            else []
        )
    return nb


def _scored(nb, **execution) -> Submission:
    sub = Submission.of("x.ipynb", None, "x")
    sub.execution = Execution(nb, **execution)
    return score.stage(sub, None)


def test_a_failed_visible_test_is_reported_failed_with_its_message_and_hint():
    nb = _ran(copy.deepcopy(LAB_.source), failing={"test_momentum_visible"})
    sub = _scored(nb)
    cells = {c.grade_id: c for c in sub.cells}
    visible = cells["test_momentum_visible"]
    assert (visible.points, visible.max_points, visible.passed) == (0, 0, False)
    assert visible.hint == "fix test_momentum_visible" and "bad" in visible.message
    assert cells["test_adam_visible"].passed  # a visible test that ran cleanly
    assert sub.raw_score == 10 and sub.row().status == "graded"


def test_a_test_that_did_not_run_earns_nothing_and_the_row_says_why():
    nb = _ran(copy.deepcopy(LAB_.source))
    ids = [notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells]
    adam = ids.index("test_my_optimizer_adam")
    for cell in nb.cells[adam:]:
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
    sub = _scored(nb, failure="the kernel died", failed_cell=adam)
    row = sub.row()
    assert (row.status, row.raw_score) == ("error", 6)
    assert "the kernel died in cell" in row.reason and "test_my_optimizer_adam" in row.reason
    cell = nb.cells[adam]
    assert cell.outputs[0].ename == "NotRun"


def test_limits_are_noted_and_tampering_flags():
    nb = _ran(copy.deepcopy(LAB_.source))
    sub = _scored(nb, timed_out_cells=(3,), truncated_cells=(4,), hidden_error_cells=(5,))
    row = sub.row()
    assert row.status == "flagged"
    assert "cell time limit reached in cell(s) 3" in row.reason
    assert "output limit reached in cell(s) 4" in row.reason
    assert "errors were hidden" in row.reason


def test_an_integrity_check_that_could_not_run_is_the_machines_fault():
    from autograder.grading.sandbox import integrity

    nb = _ran(copy.deepcopy(LAB_.source))
    with pytest.raises(EnvironmentFault, match="grade again"):
        _scored(nb, integrity=(integrity.NOT_RUN_BEFORE,))


@pytest.mark.parametrize(
    "code, words",
    [
        ("import os\nos._exit(0)", "exits the kernel"),
        ("open('../../source/x')", "source/ folder"),
        ("import socket", "uses the network"),
        ("x = 1\n!ls /", "starts other programs"),
        ("get_ipython().system('ls /')", "starts other programs"),
        ("get_ipython().user_ns", "reads the notebook's own code"),
    ],
)
def test_code_a_lab_never_needs_flags_the_submission(code, words):
    nb = _ran(copy.deepcopy(LAB_.source))
    nb.cells.append(NotebookNode(cell_type="code", source=code, metadata={}, outputs=[]))
    assert any(words in f for f in _scored(nb).flags)
