"""lab2_optimizers specifics: the seed lab's numbers, the API, the accuracy target."""

import shutil

import numpy as np
import pytest
from conftest import COURSE

from autograder import mistakes, notebooks
from autograder.authoring import expected
from labs import cases, nn
from labs.visible import lab2_optimizers as visible

LAB = "lab2_optimizers"
SOLVER_TESTS = {f"test_my_optimizer_{s}" for s in ("momentum", "adagrad", "rmsprop", "adam")}


def _my_optimizer():
    ns = {"np": np, "myDenseLayer": nn.myDenseLayer, "myOptParam": nn.myOptParam}
    exec(mistakes.solution_code(LAB, COURSE)["my_optimizer"], ns)
    return ns["my_optimizer"]


def test_solution_reproduces_the_seed_labs_printed_arrays():
    # The seed report's test cell: seed 101, learning rate 10, iter 3, solvers in turn.
    printed = {
        "sgd": [7.67789007, 8.16882972, 10.34203348, -3.22934657],
        "momentum": [14.46528172, 15.04341688, 19.30016537, -4.77070266],
        "adagrad": [22.50872929, 22.74302212, 28.47667875, -7.62607443],
        "rmsprop": [30.69802889, 30.60433129, 37.72651766, -10.62235939],
        "adam": [29.41774022, 19.27573813, 23.68071186, 1.52919472],
    }
    assert visible.SEED_LAB_EXPECTED == printed  # what the visible test compares with
    got, raised = visible.seed_lab.compute(_my_optimizer())
    assert raised == []
    for solver, values in printed.items():
        np.testing.assert_allclose(got[solver], values, rtol=1e-7, atol=1e-8)


def test_unknown_solver_raises_value_error_naming_the_valid_ones():
    lyr, opt = nn.myDenseLayer(2, 2), nn.myOptParam(2, 2)
    with pytest.raises(
        ValueError, match=r"'nadam'.*'sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'"
    ):
        _my_optimizer()(lyr, opt, np.ones((2, 2)), np.ones(2), "nadam")


def test_adam_trained_network_reaches_097_and_every_optimizer_trains(source_run):
    _, results = source_run(LAB)
    acc = results["test_accuracy"]
    assert set(acc) == {"sgd", "momentum", "adagrad", "rmsprop", "adam"}
    assert acc["adam"] >= 0.97
    assert min(acc.values()) >= 0.9
    assert results["sklearn_accuracy"] >= 0.9


def test_points_per_solver():
    nb = notebooks.read(COURSE.release_path(LAB))
    points = {
        notebooks.grade_id(c): notebooks.points(c)
        for c in nb.cells
        if notebooks.is_test(c) and notebooks.points(c) > 0
    }
    assert points == {
        "test_my_optimizer_momentum": 2,
        "test_my_optimizer_adagrad": 2,
        "test_my_optimizer_rmsprop": 2,
        "test_my_optimizer_adam": 4,
    }
    visible = {
        notebooks.grade_id(c): notebooks.points(c)
        for c in nb.cells
        if notebooks.is_test(c) and notebooks.grade_id(c) not in points
    }
    assert visible == {
        "test_seed_lab": 0,
        "test_momentum_visible": 0,
        "test_adagrad_visible": 0,
        "test_rmsprop_visible": 0,
        "test_adam_visible": 0,
    }
    stub = next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("solution"))
    assert stub.source.count("raise NotImplementedError()") == 4
    assert "W_dlt = alpha * W_grad" in stub.source  # the sgd branch is given


def test_every_solver_has_a_cataloged_mistake():
    assert set().union(*(m.fails for m in mistakes.catalog(LAB))) == SOLVER_TESTS


def test_hidden_tests_check_layer_state_and_gradients():
    nb = notebooks.read(COURSE.source_path(LAB))
    for cell in filter(notebooks.is_hidden_test, nb.cells):
        names = set(notebooks.written_expected(cell.source))
        for part in ("wegt", "bias", *cases.STATE_NAMES):
            assert f"case 1 {part}" in names
        assert "_intact" in cell.source  # the gradients-not-modified checks
    adam = next(
        c
        for c in nb.cells
        if notebooks.is_hidden_test(c) and notebooks.grade_id(c).endswith("adam")
    )
    assert "(0.01, 1)" in adam.source and "(0.5, 7)" in adam.source  # iter = 1 and iter > 1


@pytest.mark.kernel
def test_stale_expected_arrays_are_detected(tmp_path):
    src = COURSE.source_path(LAB)
    shutil.copytree(src.parent, tmp_path / LAB)
    copy = tmp_path / LAB / src.name
    nb = notebooks.read(copy)
    cell = next(
        c for c in nb.cells if notebooks.is_hidden_test(c) and "_adam" in notebooks.grade_id(c)
    )
    values = notebooks.written_expected(cell.source)
    cell.source = cell.source.replace(repr(float(values["case 2 W_vt"][0][0])), "0.5", 1)
    notebooks.write(nb, copy)
    assert expected.stale(copy) == ["test_my_optimizer_adam"]


def _output_of(nb, first_line: str) -> list[str]:
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(first_line)]
    assert len(cells) == 1, first_line
    return notebooks.stream_text(cells[0]).splitlines()


#: What the Deep Learning Specialization's assignment prints (the moons, 5000 epochs).
SPECIALIZATION = {
    "gd": [0.702405, 0.668101, 0.635288, 0.600491, 0.573367, 0.7166666666666667],
    "momentum": [0.702413, 0.668167, 0.635388, 0.600591, 0.573444, 0.7166666666666667],
    "adam": [0.702166, 0.167845, 0.141316, 0.138788, 0.136066, 0.9433333333333334],
}


def _printed(lines: list[str]) -> list[float]:
    costs = [float(ln.rsplit(":", 1)[1]) for ln in lines if ln.startswith("Cost after epoch")]
    return costs + [float(ln.split()[-1]) for ln in lines if ln.startswith("Accuracy:")]


def test_the_notebook_prints_the_specializations_moons_numbers_with_my_optimizer(source_run):
    nb, _ = source_run(LAB)
    assert _printed(_output_of(nb, "X_moons, Y_moons = moons.load()")) == SPECIALIZATION["gd"]
    momentum = _output_of(nb, "MOMENTUM_LR = 0.0007 * (1 - 0.9)")
    assert _printed(momentum) == SPECIALIZATION["momentum"]
    adam = _printed(_output_of(nb, 'print("Adam, learning rate 0.0007'))
    # the lab's Adam (beta2 = 0.99) ends within 0.002 of the specialization's final cost and
    # reaches its accuracy, as the text says
    assert abs(adam[4] - SPECIALIZATION["adam"][4]) < 0.002 and adam[5] == SPECIALIZATION["adam"][5]
    text = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for values in SPECIALIZATION.values():
        assert ", ".join(f"{v:.6f}" for v in values[:5]) in text.replace("**", "")


def test_the_specializations_adam_gives_what_the_notebook_quotes():
    """The text quotes the specialization's expected Adam output: a correct Adam with its
    beta2 = 0.999 (the solution with that one constant changed) prints exactly that."""
    from labs import moons

    code = mistakes.solution_code(LAB, COURSE)["my_optimizer"]
    assert code.count("beta1, beta2 = 0.9, 0.99") == 1
    ns = {"np": np}
    exec(code.replace("beta1, beta2 = 0.9, 0.99", "beta1, beta2 = 0.9, 0.999"), ns)
    X, Y = moons.load()
    parameters, costs = moons.model(X, Y, ns["my_optimizer"], "adam", 0.0007, print_cost=False)
    got = [round(c, 6) for c in costs[::10]] + [moons.accuracy(X, Y, parameters)]
    assert got == SPECIALIZATION["adam"]
