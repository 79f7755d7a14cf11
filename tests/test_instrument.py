"""Stage 3, instrument: hidden tests report only; experiments are left out."""

from __future__ import annotations

import copy

import pytest
from conftest import ROOT
from nbformat.v4 import new_code_cell
from scratch import LAB

from autograder import notebooks
from autograder.course import Course
from autograder.grading import instrument

LAB_ = Course(ROOT).lab(LAB)
PLAN = instrument.plan_of(LAB_.source)


def test_the_plan_holds_every_hidden_test_and_experiment_of_the_source():
    assert set(PLAN.tests) == set(LAB_.grade_ids)
    assert PLAN.experiments  # lab2 has experiments to skip
    for test in PLAN.tests.values():
        assert test.rtol > 0 and test.title and test.expected


def test_a_prepared_hidden_test_computes_and_reports_but_never_sees_expected_values():
    nb = copy.deepcopy(LAB_.source)
    prepared = instrument.prepare(nb, PLAN)
    assert len(prepared.nonce) == 16 and set(prepared.tests) and prepared.skipped
    for index, test in prepared.tests.items():
        code = nb.cells[index].source
        assert code.startswith(test.compute) and notebooks.RESULTS in code
        assert prepared.nonce in code and "BEGIN EXPECTED" not in code
        assert "BEGIN MISTAKES" not in code
    for index in prepared.skipped:
        assert nb.cells[index].source == ""
    assert instrument.prepare(copy.deepcopy(LAB_.source), PLAN).nonce != prepared.nonce


def test_a_students_own_cell_is_never_skipped():
    nb = copy.deepcopy(LAB_.source)
    nb.cells.append(new_code_cell("print('mine')"))
    instrument.prepare(nb, PLAN)
    assert nb.cells[-1].source == "print('mine')"


def test_a_hidden_test_without_an_expected_block_is_the_courses_fault():
    cell = copy.deepcopy(LAB_.cells[LAB_.grade_ids[0]])
    cell.source = "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    with pytest.raises(instrument.TestSpecError, match="no expected block"):
        instrument.parse(cell)
