"""Visible tests of Lab 3 (initialization and regularization)."""

import numpy as np

from labs import cases
from labs.checks import visible_test


@visible_test("init_weights_random(3, 2, seed=0)", rtol=1e-9, atol=1e-12)
def init_weights_random(init_weights_random):
    """A 3x2 draw with seed 0 (after np.random.seed(1), which the function must override)."""
    return cases.calls_case(init_weights_random, [("random 3x2", dict(n_in=3, n_out=2, seed=0), 1)])


def _scaled_init(name: str, fn):
    got, found = cases.calls_case(fn, [(f"{name} 2x3", dict(n_in=2, n_out=3), 1)])
    np.random.seed(2)
    got[f"{name}: std of a 400x200 draw"] = np.std(fn(400, 200))
    return got, found


@visible_test(
    "init_weights_xavier: a 2x3 draw and the spread of a 400x200 one", rtol=1e-9, atol=1e-12
)
def init_weights_xavier(init_weights_xavier):
    """A 2x3 draw after np.random.seed(1), and the standard deviation of a 400x200 draw
    after np.random.seed(2) (about sqrt(2 / 600) = 0.0577)."""
    return _scaled_init("xavier", init_weights_xavier)


@visible_test("init_weights_he: a 2x3 draw and the spread of a 400x200 one", rtol=1e-9, atol=1e-12)
def init_weights_he(init_weights_he):
    """A 2x3 draw after np.random.seed(1), and the standard deviation of a 400x200 draw
    after np.random.seed(2) (about sqrt(2 / 400) = 0.0707)."""
    return _scaled_init("he", init_weights_he)


#: The example of the text: the bias counts in neither penalty.
PARAMS = {
    "w1": np.array([[1.0, -2.0]]),
    "b1": np.array([5.0, 5.0]),
    "w2": np.array([[3.0]]),
    "b2": np.array(5.0),
}


@visible_test("regularized_loss of the example above", rtol=1e-9, atol=1e-12)
def regularized_loss(regularized_loss):
    """The L1 and the L2 penalty of PARAMS added to a loss of 1, and PARAMS not modified."""
    return cases.calls_case(
        regularized_loss,
        [
            ("L1 0.1", dict(loss=1.0, params=PARAMS, l1=0.1), None),
            ("L2 0.1", dict(loss=1.0, params=PARAMS, l2=0.1), None),
        ],
    )


@visible_test("regularization_grad of [[1, -2], [0, 0.5]]", rtol=1e-9, atol=1e-12)
def regularization_grad(regularization_grad):
    """The gradient of an elastic penalty (l1 = 0.1, l2 = 0.2), and w not modified."""
    w = np.array([[1.0, -2.0], [0.0, 0.5]])
    return cases.calls_case(
        regularization_grad, [("grad of L1 + L2", dict(w=w, l1=0.1, l2=0.2), None)]
    )


@visible_test("dropout_forward on [[1, 2, 3], [4, 5, 6]]", rtol=1e-9, atol=1e-12)
def dropout_forward(dropout_forward):
    """Rate 0.5 (np.random.seed(0)) and 0.2 (seed 6) while training, at prediction, rate 1.
    Rate 0.2 tells apart mistakes that rate 0.5 cannot: at 0.5, keeping the draws below
    rate or below 1 - rate keeps the same units."""
    a = np.arange(1.0, 7.0).reshape(2, 3)
    return cases.calls_case(
        dropout_forward,
        [
            ("rate 0.5", dict(a=a, rate=0.5, training=True), 0),
            ("rate 0.2", dict(a=a, rate=0.2, training=True), 6),
            ("not training", dict(a=a, rate=0.5, training=False), 0),
            ("rate 1", dict(a=a, rate=1.0, training=True), 0),
        ],
        outputs=("out", "mask"),
    )


@visible_test("dropout_backward with the mask [[2, 2, 0], [0, 2, 2]]", rtol=1e-9, atol=1e-12)
def dropout_backward(dropout_backward):
    """The gradient through a mask of rate 0.5 (kept entries scaled by 2)."""
    mask = np.array([[2.0, 2.0, 0.0], [0.0, 2.0, 2.0]])
    grad = np.arange(1.0, 7.0).reshape(2, 3)
    return cases.calls_case(dropout_backward, [("backward", dict(grad=grad, mask=mask), None)])


@visible_test("early_stopping with patience 3, asked after every epoch", rtol=0, atol=0)
def early_stopping(early_stopping):
    """The example of the text, and a run with a tie and a bump: 1 = stop, 0 = go on."""
    got, found = cases.prefix_case(
        early_stopping, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1], "the example", patience=3
    )
    g, c = cases.prefix_case(
        early_stopping, [5.0, 4.0, 3.0, 2.8, 2.8, 3.2, 3.0, 3.0, 3.5], "the longer run", patience=3
    )
    got.update(g)
    return got, found + c
