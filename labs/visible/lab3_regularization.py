"""Visible tests of Lab 3 (initialization and regularization)."""

import numpy as np

from labs import cases
from labs.checks import visible_test


@visible_test("init_weights_random(3, 2, seed=0) and (2, 4, seed=3)", rtol=1e-9, atol=1e-12)
def init_weights_random(init_weights_random):
    """A 3x2 draw with seed 0 and a 2x4 draw with seed 3, each after np.random.seed(1), which
    the function must override."""
    return cases.calls_case(
        init_weights_random,
        [
            ("random 3x2", dict(n_in=3, n_out=2, seed=0), 1),
            ("random 2x4 seed 3", dict(n_in=2, n_out=4, seed=3), 1),
        ],
    )


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
            ("elastic, loss 0.5", dict(loss=0.5, params=PARAMS, l1=0.05, l2=0.3), None),
        ],
    )


@visible_test("regularization_grad of [[1, -2], [0, 0.5]]", rtol=1e-9, atol=1e-12)
def regularization_grad(regularization_grad):
    """The gradient of an elastic penalty (l1 = 0.1, l2 = 0.2, then l1 = 0.3, l2 = 0.05), and
    w not modified."""
    w = np.array([[1.0, -2.0], [0.0, 0.5]])
    return cases.calls_case(
        regularization_grad,
        [
            ("grad of L1 + L2", dict(w=w, l1=0.1, l2=0.2), None),
            ("l1 0.3, l2 0.05", dict(w=w, l1=0.3, l2=0.05), None),
        ],
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


@visible_test("early_stopping with patience 3 (and 2), asked after every epoch", rtol=0, atol=0)
def early_stopping(early_stopping):
    """The example of the text, and a run with a tie and a bump: 1 = stop, 0 = go on."""
    got, found = cases.prefix_case(
        early_stopping, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1], "the example", patience=3
    )
    found = list(found)
    for label, patience in (("the longer run", 3), ("the longer run, patience 2", 2)):
        g, c = cases.prefix_case(
            early_stopping,
            [5.0, 4.0, 3.0, 2.8, 2.8, 3.2, 3.0, 3.0, 3.5],
            label,
            patience=patience,
        )
        got.update(g)
        found += c
    return got, found


#: The example of the gradient-check tests: an array whose entries are all 0.1 or more away
#: from 0, where |w| is smooth.
W = np.array([[1.0, -2.0], [0.5, 3.0]])


def cubic(w):
    """sum(w**3) + w[0, 1] * w[1, 0]: the gradient is 3 w**2 plus the cross term."""
    return float(np.sum(w**3) + w[0, 1] * w[1, 0])


@visible_test("numerical_gradient of sum(w**3) + w[0, 1] * w[1, 0]", rtol=1e-6, atol=1e-9)
def numerical_gradient(numerical_gradient):
    """The central-difference gradient at W with eps 1e-5 (the default) and with eps 0.1, and W
    unchanged afterwards. For a cubic the central difference is off by exactly eps**2."""
    return cases.calls_case(
        numerical_gradient,
        [
            ("gradient", dict(f=cubic, w=W.copy()), None),
            ("gradient, eps 0.1", dict(f=cubic, w=W.copy(), eps=0.1), None),
        ],
    )


@visible_test(
    "relative_error of [1, 2, 3] and [1, 2, 3.3], and of two zero arrays", rtol=1e-9, atol=1e-12
)
def relative_error(relative_error):
    """The example of the text, and 0 (not 0/0) for two zero gradients."""
    return cases.calls_case(
        relative_error,
        [
            (
                "close",
                dict(grad=np.array([1.0, 2.0, 3.0]), grad_approx=np.array([1.0, 2.0, 3.3])),
                None,
            ),
            ("both zero", dict(grad=np.zeros(3), grad_approx=np.zeros(3)), None),
        ],
    )


def _buggy_regularization_grad(w, l1=0, l2=0):
    """The planted bug: the L2 gradient without the 1/2 of the penalty."""
    return l1 * np.sign(w) + 2 * l2 * w


@visible_test(
    "Gradient check of regularization_grad, dropout_backward and a planted bug",
    rtol=1e-6,
    atol=1e-7,
)
def gradient_check(numerical_gradient, relative_error, regularization_grad, dropout_backward):
    """Your numerical_gradient and relative_error applied to your regularization_grad (l1 =
    0.1, l2 = 0.2 at W) and your dropout_backward (upstream gradient G through a fixed mask),
    and to a planted bug: the first two errors must be below 1e-7, the bug's is 0.29."""
    l1, l2 = 0.1, 0.2

    def penalty(w):
        return l1 * np.sum(np.abs(w)) + l2 / 2 * np.sum(w**2)

    mask = np.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]])
    upstream = np.array([[0.5, -1.0, 2.0], [1.5, -0.5, 1.0]])
    a = np.array([[0.2, 0.4, 0.6], [0.8, 1.0, 1.2]])
    approx_w = numerical_gradient(penalty, W.copy())
    approx_a = numerical_gradient(lambda x: float(np.sum(upstream * x * mask)), a.copy())
    got = {
        "relative error: regularization_grad": relative_error(
            regularization_grad(W.copy(), l1, l2), approx_w
        ),
        "relative error: dropout_backward": relative_error(
            dropout_backward(upstream.copy(), mask.copy()), approx_a
        ),
        "relative error: the planted bug (2 * l2 * w)": relative_error(
            _buggy_regularization_grad(W.copy(), l1, l2), approx_w
        ),
    }
    return got, []


@visible_test(
    "adamw: three steps (iter = 1, 2, 3; learning rate 0.1, 0.1, 0.05; weight decay 0.1, 0.1,"
    " 0.3) from a random 2x3 layer, zero state",
    rtol=1e-6,
    atol=1e-9,
)
def adamw(adamw):
    """The weights, the bias and every state array after three AdamW calls with new
    gradients, and that the gradients were not modified."""

    def step(lyr, opt, W_grad, B_grad, solver, learning_rate, iteration):
        adamw(lyr, opt, W_grad, B_grad, learning_rate, iteration, 0.1 if iteration < 3 else 0.3)

    return cases.optimizer_case(
        step,
        "adamw",
        n_out=2,
        n_in=3,
        seed=9,
        steps=[(0.1, 1), (0.1, 2), (0.05, 3)],
        random_state=False,
    )
