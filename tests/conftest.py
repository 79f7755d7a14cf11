"""Shared fixtures. Expensive runs (a notebook in a kernel, an nbgrader grading run)
happen once per session and are shared by the tests that read their results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell

from autograder import course, notebooks

ROOT = notebooks.ROOT
LAB2 = "lab2_optimizers"


@pytest.fixture(scope="session")
def lab2_source_run():
    """The lab2 source notebook, executed top to bottom as a student's Run All would
    (full experiments); a last cell prints the results the tests check."""
    nb = notebooks.read(notebooks.source_path(LAB2))
    nb.cells.append(
        new_code_cell(
            "import json\nprint('@@RESULTS@@' + json.dumps({'test_accuracy': test_accuracy, "
            "'sklearn_accuracy': sklearn_accuracy}))"
        )
    )
    notebooks.execute(nb, notebooks.source_path(LAB2).parent, allow_errors=True, timeout=300)
    results = json.loads(notebooks.stream_text(nb.cells[-1]).split("@@RESULTS@@")[1])
    return nb, results


@pytest.fixture(scope="session")
def lab2_graded(tmp_path_factory) -> dict[str, course.Score]:
    """Every reference submission of lab2 (solution, stub, each cataloged mistake)
    graded by plain ``nbgrader autograde`` in a scratch course."""
    c = course.Course(tmp_path_factory.mktemp("course")).prepare(LAB2)
    for student, nb in course.reference_submissions(LAB2).items():
        c.submit(LAB2, student, nb)
    c.autograde(LAB2)
    return c.scores(LAB2)


def pytest_collection_modifyitems(items):
    for item in items:
        if {"lab2_source_run", "lab2_graded"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


__all__ = ["ROOT", "LAB2", "Path"]
