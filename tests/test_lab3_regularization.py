"""lab3_regularization specifics: the lecture's printed numbers and the functions' rules."""

import numpy as np
import pytest
from conftest import solution_namespace

from autograder import mistakes, notebooks
from labs import cases

LAB = "lab3_regularization"


@pytest.fixture(scope="module")
def solution():
    return solution_namespace(LAB)


def _output_of(nb, first_line: str) -> str:
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(first_line)]
    assert len(cells) == 1, first_line
    return notebooks.stream_text(cells[0])


def test_the_notebook_prints_the_lectures_accuracies(source_run):
    nb, results = source_run(LAB)
    # Each experiment prints the test accuracy as a full float, like the lecture's print().
    assert _output_of(nb, "dual_layer = DualLayer()").split() == ["0.956140350877193"]
    assert _output_of(nb, "REG = dict(").splitlines()[:3] == [
        "0.9473684210526315",  # L1 0.01
        "0.9649122807017544",  # L2 0.01
        "0.9473684210526315",  # L1 + L2 0.01
    ]
    assert _output_of(nb, "X_tr, X_val, y_tr, y_val").splitlines()[0] == "0.956140350877193"
    assert _output_of(nb, "stop_scores = {}").splitlines()[:3] == [
        "500 0.9298245614035088",
        "600 0.9473684210526315",
        "700 0.9298245614035088",
    ]
    assert _output_of(nb, "early_stop = DualLayer(").splitlines()[:2] == [
        "EarlyStop : Epochs 585",
        "0.9473684210526315",
    ]
    assert {k: results[k] for k in ("stopped_epoch", "epochs")} == {
        "stopped_epoch": 585,
        "epochs": 586,
    }
    rates = _output_of(nb, "rate_models = {}")
    assert "learning rate 0.1   0.8771929824561403" in rates
    assert "(the lecture's class): 0.8859649122807017" in rates


def test_the_notebook_reproduces_the_lectures_optimizers(source_run):
    """Mini-batches of 32 (the lecture's Minibatch() default), its momentum and its Adam
    print the lecture's accuracies; its RMSprop, as the slide shows it, prints 0.97368...:
    the slide's number came from a class it never shows, as the notebook says."""
    nb, _ = source_run(LAB)
    assert _output_of(nb, "mini_32 = DualLayer(").splitlines() == [
        "0.956140350877193",
        "batches of 5: 0.9824561403508771",
    ]
    lines = _output_of(nb, "base_long = DualLayer(").splitlines()
    blocks = {lines[i].split(",")[0]: lines[i + 1 : i + 3] for i in (0, 4, 8)}
    assert blocks == {
        "momentum": ["0.956140350877193", "0.9649122807017544"],
        "RMSprop": ["0.956140350877193", "0.9736842105263158"],
        "Adam": ["0.956140350877193", "0.9649122807017544"],
    }
    assert all(lines[i].startswith("  textbook rule: ") for i in (3, 7, 11))


def test_xavier_and_he_have_the_standard_deviation_of_their_rule(solution):
    np.random.seed(0)
    assert np.std(solution["init_weights_xavier"](400, 600)) == pytest.approx(
        np.sqrt(2 / 1000), rel=0.01
    )
    np.random.seed(0)
    w = solution["init_weights_he"](500, 400)
    assert w.shape == (500, 400) and np.std(w) == pytest.approx(np.sqrt(2 / 500), rel=0.01)
    a = solution["init_weights_random"](3, 2, seed=4)
    np.testing.assert_array_equal(a, solution["init_weights_random"](3, 2, seed=4))


def test_regularization_by_hand(solution):
    params = {
        "w1": np.array([[1.0, -2.0]]),
        "b1": np.array([5.0, 5.0]),
        "w2": np.array([[3.0]]),
        "b2": np.array(5.0),
    }
    assert solution["regularized_loss"](1.0, params, l1=0.1) == pytest.approx(1.6)
    assert solution["regularized_loss"](1.0, params, l2=0.1) == pytest.approx(1.7)
    np.testing.assert_allclose(
        solution["regularization_grad"](np.array([2.0, -1.0, 0.0]), 0.1, 0.5), [1.1, -0.6, 0.0]
    )


def test_dropout_keeps_the_expected_activation(solution):
    np.random.seed(0)
    a = np.full((200, 100), 2.0)
    out, mask = solution["dropout_forward"](a, 0.3, True)
    assert out.mean() == pytest.approx(2.0, rel=0.02)  # inverted dropout: E[out] = a
    assert set(np.unique(mask)) == {0.0, 1 / 0.7}
    same, ones = solution["dropout_forward"](a, 0.3, False)
    assert same is a or np.array_equal(same, a)
    assert (ones == 1).all()
    zeros, _ = solution["dropout_forward"](a, 1.0, True)
    assert not zeros.any() and not np.isnan(zeros).any()


def test_early_stopping_is_the_lectures_rule(solution):
    got, _ = cases.prefix_case(
        solution["early_stopping"], [5.0, 4.0, 3.0, 3.5, 3.2, 3.1], "p3", patience=3
    )
    np.testing.assert_array_equal(got["p3"], [0, 0, 0, 0, 0, 1])


def _keras_stops(losses, patience, min_delta=0.0):
    """The epoch (counted from 1) after which Keras's EarlyStopping(patience, min_delta) stops,
    as its on_epoch_end does: wait counts epochs since the last loss lower than the best by
    more than min_delta, and training stops when wait reaches patience (never after epoch 1)."""
    best, wait = np.inf, 0
    for epoch, loss in enumerate(losses):
        wait += 1
        if loss - min_delta < best:  # Keras: monitor_op(current - min_delta, best)
            best, wait = loss, 0
        elif wait >= patience and epoch > 0:
            return epoch + 1
    return None


def test_early_stopping_differs_from_keras_only_on_ties(solution):
    """The text: Keras stops after the seventh epoch of the longer run, one before the lecture's
    rule, because a loss equal to the best is no improvement for Keras; without ties they agree."""

    def ours(losses, patience):
        for k in range(1, len(losses) + 1):
            if solution["early_stopping"](list(losses[:k]), patience):
                return k
        return None

    longer = [5.0, 4.0, 3.0, 2.8, 2.8, 3.2, 3.0, 3.0, 3.5]
    assert (_keras_stops(longer, 3), ours(longer, 3)) == (7, 8)
    rng = np.random.default_rng(5)
    for _ in range(200):
        walk = list(1.0 + np.cumsum(rng.normal(0, 0.05, size=40)))  # no ties
        for patience in (1, 3, 5):
            assert _keras_stops(walk, patience) == ours(walk, patience)


def test_the_issues_named_bugs_are_cataloged():
    names = {m.name for m in mistakes.catalog(LAB)}
    assert {
        "l2_on_biases",
        "dropout_not_scaled",
        "dropout_on_at_prediction",
        "xavier_lecture_slide",
    } <= names
    per_function = {}
    for m in mistakes.catalog(LAB):
        per_function[m.cell] = per_function.get(m.cell, 0) + 1
    assert min(per_function.values()) >= 3
