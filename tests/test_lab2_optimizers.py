"""lab2_optimizers end to end: the solution, the release, the hidden tests and the catalog."""

import json
import shutil

import numpy as np
import pytest
from conftest import LAB2

from autograder import mistakes, notebooks
from autograder.authoring import expected, release
from labs import nn

SOLVER_TESTS = [f"test_my_optimizer_{s}" for s in ("momentum", "adagrad", "rmsprop", "adam")]
CATALOG = mistakes.catalog(LAB2)


def _solution_namespace():
    ns = {"np": np, "myDenseLayer": nn.myDenseLayer, "myOptParam": nn.myOptParam}
    exec(mistakes.solution_code(LAB2)["my_optimizer"], ns)
    return ns


# --- the solution ---------------------------------------------------------------------------


def test_solution_reproduces_the_seed_labs_printed_arrays():
    # The seed report's test cell: seed 101, learning rate 10, iter 3, solvers in turn.
    printed = {
        "sgd": [7.67789007, 8.16882972, 10.34203348, -3.22934657],
        "momentum": [14.46528172, 15.04341688, 19.30016537, -4.77070266],
        "adagrad": [22.50872929, 22.74302212, 28.47667875, -7.62607443],
        "rmsprop": [30.69802889, 30.60433129, 37.72651766, -10.62235939],
        "adam": [29.41774022, 19.27573813, 23.68071186, 1.52919472],
    }
    from labs import cases

    results = cases.seed_lab_checks(_solution_namespace()["my_optimizer"], printed)
    assert [r.passed for r in results] == [True] * 5, [r.line() for r in results]


def test_unknown_solver_raises_value_error_naming_the_valid_ones():
    my_optimizer = _solution_namespace()["my_optimizer"]
    lyr, opt = nn.myDenseLayer(2, 2), nn.myOptParam(2, 2)
    with pytest.raises(
        ValueError, match=r"'nadam'.*'sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'"
    ):
        my_optimizer(lyr, opt, np.ones((2, 2)), np.ones(2), "nadam")


def test_solution_notebook_runs_top_to_bottom_and_passes_every_test(lab2_source_run):
    nb, _ = lab2_source_run
    errors = [
        (i, notebooks.error_of(c))
        for i, c in enumerate(nb.cells[:-1])
        if c.cell_type == "code" and notebooks.error_of(c)
    ]
    assert errors == []
    visible = next(
        c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == "test_seed_lab"
    )
    assert "All 5 checks passed." in notebooks.stream_text(visible)
    for cell in notebooks.graded_cells(nb):
        assert "checks passed." in notebooks.stream_text(cell)
        assert "[FAIL]" not in notebooks.stream_text(cell)


def test_adam_trained_network_reaches_097_and_every_optimizer_trains(lab2_source_run):
    _, results = lab2_source_run
    acc = results["test_accuracy"]
    assert set(acc) == {"sgd", "momentum", "adagrad", "rmsprop", "adam"}
    assert acc["adam"] >= 0.97
    assert min(acc.values()) >= 0.9
    assert results["sklearn_accuracy"] >= 0.9


def test_every_figure_of_the_run_is_rendered(lab2_source_run):
    nb, _ = lab2_source_run
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 3  # trajectories, loss curves, digit gallery


# --- grading with nbgrader ------------------------------------------------------------------


def test_solution_scores_full_marks(lab2_graded):
    s = lab2_graded["solution"]
    assert (s.score, s.max_score) == (10.0, 10.0)
    assert sorted(c.grade_id for c in s.cells) == sorted(SOLVER_TESTS)


def test_unmodified_release_fails_every_graded_test(lab2_graded):
    s = lab2_graded["stub"]
    assert s.score == 0.0
    assert all(c.score == 0.0 for c in s.cells) and len(s.cells) == 4


@pytest.mark.parametrize("mistake", CATALOG, ids=[m.name for m in CATALOG])
def test_each_mistake_loses_points_exactly_on_its_tests(lab2_graded, mistake):
    s = lab2_graded[f"mistake-{mistake.name}".replace("_", "-")]
    failed = {c.grade_id for c in s.cells if c.score < c.max_score}
    assert failed == set(mistake.fails)
    assert all(c.score == 0 for c in s.cells if c.grade_id in mistake.fails)


def test_catalog_has_a_mistake_for_every_solver_and_each_applies_once():
    code = mistakes.solution_code(LAB2)["my_optimizer"]
    covered = set().union(*(m.fails for m in CATALOG))
    assert covered == set(SOLVER_TESTS)
    for m in CATALOG:
        assert mistakes.apply(code, m) != code
        assert m.hint


def test_a_catalog_entry_that_no_longer_matches_fails_loudly():
    bad = mistakes.Mistake("gone", "my_optimizer", {"text that is not there": ""}, frozenset(), "")
    with pytest.raises(mistakes.CatalogError, match="occurs 0 times"):
        mistakes.apply(mistakes.solution_code(LAB2)["my_optimizer"], bad)


# --- generated files are fresh --------------------------------------------------------------


@pytest.mark.slow
def test_expected_arrays_are_fresh():
    assert expected.stale(notebooks.source_path(LAB2)) == []


@pytest.mark.slow
def test_stale_expected_arrays_are_detected(tmp_path):
    src = notebooks.source_path(LAB2)
    shutil.copytree(src.parent, tmp_path / LAB2)
    copy = tmp_path / LAB2 / src.name
    nb = notebooks.read(copy)
    cell = next(c for c in notebooks.graded_cells(nb) if "_adam" in c.metadata.nbgrader.grade_id)
    values = expected.written(cell.source)
    assert "case 2 W_vt" in values
    cell.source = cell.source.replace(repr(float(values["case 2 W_vt"][0][0])), "0.5", 1)
    notebooks.write(nb, copy)
    assert expected.stale(copy) == ["test_my_optimizer_adam"]


def test_expected_blocks_are_marked_as_generated():
    nb = notebooks.read(notebooks.source_path(LAB2))
    for cell in notebooks.graded_cells(nb):
        assert expected.BEGIN in cell.source and expected.END in cell.source
        assert set(expected.written(cell.source)) >= {"case 1 wegt", "case 1 W_vt"}


@pytest.mark.slow
def test_release_equals_a_fresh_generate_assignment():
    assert release.stale(LAB2) == []


@pytest.mark.slow
def test_a_hand_edited_release_is_detected(tmp_path):
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(notebooks.ROOT / "source" / LAB2, tmp_path / "source" / LAB2)
    shutil.copytree(notebooks.ROOT / "release" / LAB2, tmp_path / "release" / LAB2)
    path = tmp_path / "release" / LAB2 / f"{LAB2}.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"][0] = "# A hand edit\n"
    path.write_text(json.dumps(nb, indent=1))
    assert release.stale(LAB2, tmp_path) == [f"{LAB2}.ipynb"]


def test_release_has_no_solutions_hidden_tests_or_outputs():
    text = notebooks.release_path(LAB2).read_text()
    for marker in (
        "BEGIN SOLUTION",
        "END SOLUTION",
        "BEGIN HIDDEN TESTS",
        "BEGIN EXPECTED",
        "beta1 * opt.W_mt",
    ):
        assert marker not in text
    nb = notebooks.read(notebooks.release_path(LAB2))
    stubs = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("solution")]
    assert len(stubs) == 1 and stubs[0].source.count("raise NotImplementedError()") == 4
    assert stubs[0].source.count("### START CODE HERE ###") == 4
    assert all(
        not c.get("outputs") and not c.get("execution_count")
        for c in nb.cells
        if c.cell_type == "code"
    )
    points = {
        notebooks.nbgrader_meta(c)["grade_id"]: notebooks.nbgrader_meta(c)["points"]
        for c in notebooks.graded_cells(nb)
    }
    assert points == {
        "test_my_optimizer_momentum": 2,
        "test_my_optimizer_adagrad": 2,
        "test_my_optimizer_rmsprop": 2,
        "test_my_optimizer_adam": 4,
    }
