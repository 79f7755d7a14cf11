"""lab1_minibatch specifics: the seed lab's batches, the formulas, the shared solution."""

import numpy as np
import pytest
from conftest import COURSE, ROOT, solution_namespace

from autograder import mistakes, notebooks
from autograder.authoring import given
from autograder.course import Course
from labs import cases

LAB = "lab1_minibatch"


@pytest.fixture(scope="module")
def solution():
    return solution_namespace(LAB)


def test_create_mini_batches_reproduces_the_seed_labs_printed_batches(solution):
    a = np.arange(20).reshape(10, 2)
    b = -np.arange(10, 20).reshape(10, 1)
    got, structure = cases.minibatch_case(solution["create_mini_batches"], a, b, 4, seed=1)
    assert all(c.passed for c in structure)
    np.testing.assert_array_equal(got["batch sizes"], [4, 4, 2])
    np.testing.assert_array_equal(got["X rows"][:, 0], [4, 18, 12, 8, 0, 6, 2, 14, 16, 10])
    np.testing.assert_array_equal(
        got["y rows"].ravel(), [-12, -19, -16, -14, -10, -13, -11, -17, -18, -15]
    )


def test_permutation_indexing_gives_the_same_order_as_shuffle(solution):
    # An alternative correct implementation must pass the fixed-seed order test.
    def by_permutation(X, y, batch_size=64):
        data = np.hstack((X, y))[np.random.permutation(X.shape[0])]
        cuts = range(batch_size, X.shape[0], batch_size)
        return [(d[:, : X.shape[1]], d[:, X.shape[1] :]) for d in np.split(data, list(cuts))]

    X, y = cases.minibatch_data(23, 3, 10, seed=1)
    mine, _ = cases.minibatch_case(by_permutation, X, y, 5, seed=7)
    ref, _ = cases.minibatch_case(solution["create_mini_batches"], X, y, 5, seed=7)
    for key in ref:
        np.testing.assert_array_equal(mine[key], ref[key])


def test_ewa_by_hand(solution):
    ewa = solution["ewa"]
    np.testing.assert_allclose(ewa([1.0, 2.0, 3.0], 0.5), [0.5, 1.25, 2.125])
    np.testing.assert_allclose(
        ewa([1.0, 2.0, 3.0], 0.5, bias_correction=True), [1.0, 1.25 / 0.75, 2.125 / 0.875]
    )
    # a constant sequence is recovered exactly by the corrected average
    np.testing.assert_allclose(ewa(np.full(30, 7.0), 0.98, bias_correction=True), 7.0)


def test_schedules_by_hand(solution):
    assert solution["update_lr"](0.5, 2, 1) == pytest.approx(0.5 / 3)
    assert solution["schedule_lr_decay"](0.5, 1999, 1) == pytest.approx(0.25)
    assert solution["schedule_lr_decay"](0.5, 2000, 1) == pytest.approx(0.5 / 3)
    assert solution["exponential_lr"](0.5, 2) == pytest.approx(0.95**2 * 0.5)
    # the second calls of the visible tests, worked in the notebook's text
    assert solution["update_lr"](0.2, 5, 0.5) == pytest.approx(0.2 / 3.5)
    assert solution["schedule_lr_decay"](0.3, 27, 2, time_interval=10) == pytest.approx(0.06)
    assert solution["exponential_lr"](0.2, 3, base=0.5) == pytest.approx(0.025)
    assert solution["warmup_cosine_lr"](0.4, 6, 2, 10, final_lr=0.1) == pytest.approx(0.25)


def test_lab2_gives_lab1s_create_mini_batches_generated_from_its_solution():
    nb = notebooks.read(COURSE.source_path("lab2_optimizers"))
    cells = [c for c in nb.cells if given.HEADER.match(c.source)]
    assert len(cells) == 1
    assert cells[0].source == given.body(LAB, "create_mini_batches", COURSE)
    assert "START CODE HERE" not in cells[0].source and "np.hstack" in cells[0].source


def test_a_stale_given_cell_is_detected(tmp_path, monkeypatch):
    import shutil

    for lab in (LAB, "lab2_optimizers"):
        shutil.copytree(ROOT / "source" / lab, tmp_path / "source" / lab)
    src = Course(tmp_path).source_path(LAB)
    nb = notebooks.read(src)
    cell = next(
        c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == "create_mini_batches"
    )
    cell.source = cell.source.replace("# shuffle the rows", "# shuffle the rows in place")
    notebooks.write(nb, src)
    assert given.stale("lab2_optimizers", Course(tmp_path)) == [
        "lab1_minibatch:create_mini_batches"
    ]


def test_the_issues_named_bugs_are_cataloged():
    names = {m.name for m in mistakes.catalog(LAB)}
    assert {"shuffle_x_only", "last_batch_dropped", "ewa_t_from_zero", "schedule_no_floor"} <= names
    # issue 30: an unseeded generator and a cosine clipped at final_lr each get a hint of their own
    assert {"unseeded_generator", "cosine_clipped_at_final_lr"} <= names


def test_a_second_call_after_the_same_seed_catches_a_generator_of_ones_own(solution):
    from labs.visible import lab1_minibatch as visible

    X, y = cases.minibatch_data(23, 3, 10, seed=1)
    got, found = visible.seeded_case(solution["create_mini_batches"], X, y, 5, seed=7)
    assert all(c.passed for c in found) and got["X rows"] is not None

    def unseeded(X, y, batch_size=64):
        data = np.hstack((X, y))
        np.random.default_rng().shuffle(data)
        return [
            (d[:, : X.shape[1]], d[:, X.shape[1] :])
            for d in np.split(data, list(range(batch_size, len(data), batch_size)))
        ]

    got, found = visible.seeded_case(unseeded, X, y, 5, seed=7)
    assert got["X rows"] is None and got["y rows"] is None
    assert [c.label for c in found if not c.passed] == [
        "the same batches after the same np.random.seed"
    ]
    np.testing.assert_array_equal(got["batch sizes"], [5, 5, 5, 5, 3])


def test_the_visible_cosine_case_separates_a_floor_from_a_blend(solution):
    # at epoch 19 of (5, 20) the cosine from 1 to 0 is 0.011: a floor at final_lr = 0.1 says
    # 0.1, a cosine that ignores final_lr 0.011, the blend 0.110
    blend = solution["warmup_cosine_lr"](1.0, 19, 5, 20, final_lr=0.1)
    assert round(blend, 3) == 0.110
    cosine = (1 + np.cos(np.pi * 14 / 15)) / 2
    assert len({round(blend, 6), round(max(0.1, cosine), 6), round(cosine, 6)}) == 3


def test_experiments_show_the_trade_off(source_run):
    _, results = source_run(LAB)
    acc = results["test_accuracy"]
    # batch descent barely starts in 20 epochs; stochastic descent learns most per epoch, and
    # mini-batch descent, given 100 epochs (2300 steps against 28 740), more than both
    assert acc["mini-batch (64)"] > acc["stochastic (1)"] > acc["batch (1437)"]
    assert min(results["decay_accuracy"].values()) >= 0.9
