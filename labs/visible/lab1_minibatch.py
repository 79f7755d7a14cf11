"""Visible tests of Lab 1 (mini-batches, averages, learning-rate decay)."""

import numpy as np

from labs import cases
from labs.checks import visible_test

#: The example of the university lab this one is based on: 10 samples [2k, 2k+1] with
#: labels -(10+k), batches of 4 after np.random.seed(1), and the batches it printed.
SEED_LAB_X = np.arange(20).reshape(10, 2)
SEED_LAB_Y = -np.arange(10, 20).reshape(10, 1)
SEED_LAB_BATCHES = [
    ([[4, 5], [18, 19], [12, 13], [8, 9]], [[-12], [-19], [-16], [-14]]),
    ([[0, 1], [6, 7], [2, 3], [14, 15]], [[-10], [-13], [-11], [-17]]),
    ([[16, 17], [10, 11]], [[-18], [-15]]),
]


@visible_test(
    "The university lab's example (10 samples, batch size 4, np.random.seed(1))",
    rtol=0,
    atol=0,
    expected={
        "batch sizes": [len(bx) for bx, _ in SEED_LAB_BATCHES],
        "X rows": np.concatenate([bx for bx, _ in SEED_LAB_BATCHES]),
        "y rows": np.concatenate([by for _, by in SEED_LAB_BATCHES]),
    },
)
def create_mini_batches(create_mini_batches):
    """The batch sizes, every X and y row in batch order, and the structure: a list of
    (X_mini, y_mini) pairs, both two-dimensional, every sample once and next to its label."""
    got, found = cases.minibatch_case(create_mini_batches, SEED_LAB_X, SEED_LAB_Y, 4, seed=1)
    np.random.seed(1)
    try:  # show the batches as the university lab printed them
        for X_mini, y_mini in create_mini_batches(SEED_LAB_X.copy(), SEED_LAB_Y.copy(), 4):
            print(
                f"X_mini = {np.asarray(X_mini).tolist()}   y_mini = {np.asarray(y_mini).tolist()}"
            )
    except (TypeError, ValueError):
        pass  # not a list of pairs: the structure check above says so
    return got, found


@visible_test(
    "The first 8 samples of the example in batches of 4 (np.random.seed(1))", rtol=0, atol=0
)
def create_mini_batches_divisible(create_mini_batches):
    """When batch_size divides m there is no rest: exactly m // batch_size batches, no
    smaller (and no empty) last one."""
    return cases.minibatch_case(create_mini_batches, SEED_LAB_X[:8], SEED_LAB_Y[:8], 4, seed=1)


@visible_test("ewa on (1, 2, 3)", rtol=1e-9, atol=1e-12)
def ewa(ewa):
    """The averages of (1, 2, 3) for beta 0.5 without and with bias correction and for beta
    0.9 with it, and that the values were not modified."""
    got, found = {}, []
    for beta, correction in [(0.5, False), (0.5, True), (0.9, True)]:
        g, c = cases.sequence_case(
            ewa,
            [1.0, 2.0, 3.0],
            f"beta={beta} correction={correction}",
            beta=beta,
            bias_correction=correction,
        )
        got.update(g)
        found += c
    return got, found


@visible_test("update_lr(0.5, 2, decay_rate=1)", rtol=1e-9, atol=1e-12)
def update_lr(update_lr):
    """One call of the inverse-time schedule."""
    return cases.call_each(update_lr, [dict(learning_rate0=0.5, epoch_num=2, decay_rate=1)]), []


@visible_test("schedule_lr_decay(0.5, 1999, decay_rate=1)", rtol=1e-9, atol=1e-12)
def schedule_lr_decay(schedule_lr_decay):
    """One call of the staircase schedule, one epoch before its second drop."""
    calls = [dict(learning_rate0=0.5, epoch_num=1999, decay_rate=1)]
    return cases.call_each(schedule_lr_decay, calls), []


@visible_test("exponential_lr(0.5, 2)", rtol=1e-9, atol=1e-12)
def exponential_lr(exponential_lr):
    """One call of the exponential schedule with the default base 0.95."""
    return cases.call_each(exponential_lr, [dict(learning_rate0=0.5, epoch_num=2)]), []


@visible_test(
    "warmup_cosine_lr(1, e, 5, 20) at epochs 0, 2, 5, 12 and 20, and with final_lr=0.1",
    rtol=1e-9,
    atol=1e-12,
)
def warmup_cosine_lr(warmup_cosine_lr):
    """The warmup (epochs 0 and 2), its end (5), the cosine halfway (12), its end (20), and
    with final_lr = 0.1 the cosine at epoch 12 and the rate after the end (25)."""
    calls = [
        dict(learning_rate0=1.0, epoch_num=e, warmup_epochs=5, total_epochs=20)
        for e in (0, 2, 5, 12, 20)
    ]
    calls += [
        dict(learning_rate0=1.0, epoch_num=e, warmup_epochs=5, total_epochs=20, final_lr=0.1)
        for e in (12, 25)
    ]
    return cases.call_each(warmup_cosine_lr, calls), []
