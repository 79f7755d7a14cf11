"""Visible tests of Lab 1 (mini-batches, averages, learning-rate decay)."""

import numpy as np

from labs import cases
from labs.checks import Check, visible_test

#: The example of the university lab this one is based on: 10 samples [2k, 2k+1] with
#: labels -(10+k), batches of 4 after np.random.seed(1), and the batches it printed.
SEED_LAB_X = np.arange(20).reshape(10, 2)
SEED_LAB_Y = -np.arange(10, 20).reshape(10, 1)
SEED_LAB_BATCHES = [
    ([[4, 5], [18, 19], [12, 13], [8, 9]], [[-12], [-19], [-16], [-14]]),
    ([[0, 1], [6, 7], [2, 3], [14, 15]], [[-10], [-13], [-11], [-17]]),
    ([[16, 17], [10, 11]], [[-18], [-15]]),
]


def seeded_case(create_mini_batches, X, y, batch_size, *, seed: int, label: str = ""):
    """``cases.minibatch_case``, then the same call again on fresh copies after the same
    ``np.random.seed``: batches that differ come from a generator np.random.seed does not
    fix. Their rows are random, so they are left out of the results (None) and a check of
    its own says so."""
    got, found = cases.minibatch_case(
        create_mini_batches, X.copy(), y.copy(), batch_size, seed=seed, label=label
    )
    again, _ = cases.minibatch_case(
        create_mini_batches, X.copy(), y.copy(), batch_size, seed=seed, label=label
    )
    rows = [name for name in got if name.endswith(" rows")]
    if not all(np.array_equal(got[name], again[name]) for name in rows):
        got.update(dict.fromkeys(rows))
        prefix = f"{label}: " if label else ""
        found.append(
            Check(
                f"{prefix}the same batches after the same np.random.seed",
                False,
                "a second call after the same np.random.seed(...) returned other batches",
            )
        )
    return got, found


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
    (X_mini, y_mini) pairs, both two-dimensional, every sample once and next to its label, and
    the same batches from a second call after the same np.random.seed."""
    got, found = seeded_case(create_mini_batches, SEED_LAB_X, SEED_LAB_Y, 4, seed=1)
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
    "The first 9 samples of the example in batches of 3 (np.random.seed(1))", rtol=0, atol=0
)
def create_mini_batches_divisible(create_mini_batches):
    """When batch_size divides m there is no rest: exactly m // batch_size batches, no
    smaller (and no empty) last one."""
    return seeded_case(create_mini_batches, SEED_LAB_X[:9], SEED_LAB_Y[:9], 3, seed=1)


@visible_test("ewa on (1, 2, 3) and on (4, 0)", rtol=1e-9, atol=1e-12)
def ewa(ewa):
    """The averages of (1, 2, 3) for beta 0.5 without and with bias correction and for beta
    0.9 with it, of (4, 0) for beta 0.8 without it, and that the values were not modified."""
    got, found = {}, []
    for values, beta, correction in [
        ([1.0, 2.0, 3.0], 0.5, False),
        ([1.0, 2.0, 3.0], 0.5, True),
        ([1.0, 2.0, 3.0], 0.9, True),
        ([4.0, 0.0], 0.8, False),
    ]:
        g, c = cases.sequence_case(
            ewa,
            values,
            f"{tuple(values)} beta={beta} correction={correction}",
            beta=beta,
            bias_correction=correction,
        )
        got.update(g)
        found += c
    return got, found


@visible_test("update_lr(0.5, 2, decay_rate=1) and update_lr(0.2, 5, 0.5)", rtol=1e-9, atol=1e-12)
def update_lr(update_lr):
    """Two calls of the inverse-time schedule, every argument different."""
    calls = [
        dict(learning_rate0=0.5, epoch_num=2, decay_rate=1),
        dict(learning_rate0=0.2, epoch_num=5, decay_rate=0.5),
    ]
    return cases.call_each(update_lr, calls), []


@visible_test(
    "schedule_lr_decay(0.5, 1999, decay_rate=1) and (0.3, 27, 2, time_interval=10)",
    rtol=1e-9,
    atol=1e-12,
)
def schedule_lr_decay(schedule_lr_decay):
    """The staircase one epoch before its second drop, and with another interval."""
    calls = [
        dict(learning_rate0=0.5, epoch_num=1999, decay_rate=1),
        dict(learning_rate0=0.3, epoch_num=27, decay_rate=2, time_interval=10),
    ]
    return cases.call_each(schedule_lr_decay, calls), []


@visible_test("exponential_lr(0.5, 2) and exponential_lr(0.2, 3, base=0.5)", rtol=1e-9, atol=1e-12)
def exponential_lr(exponential_lr):
    """The exponential schedule with the default base 0.95, and with base 0.5."""
    calls = [
        dict(learning_rate0=0.5, epoch_num=2),
        dict(learning_rate0=0.2, epoch_num=3, base=0.5),
    ]
    return cases.call_each(exponential_lr, calls), []


@visible_test(
    "warmup_cosine_lr(1, e, 5, 20) at epochs 0, 2, 5, 12 and 20, with final_lr=0.1 at 12, 19 "
    "and 25, and warmup_cosine_lr(0.4, e, 2, 10, final_lr=0.1) at 1 and 6",
    rtol=1e-9,
    atol=1e-12,
)
def warmup_cosine_lr(warmup_cosine_lr):
    """The warmup (epochs 0 and 2), its end (5), the cosine halfway (12), its end (20); with
    final_lr = 0.1 the cosine at epoch 12, one epoch before its end (19) and the rate after
    the end (25); and another rate, warmup and length."""
    calls = [
        dict(learning_rate0=1.0, epoch_num=e, warmup_epochs=5, total_epochs=20)
        for e in (0, 2, 5, 12, 20)
    ]
    calls += [
        dict(learning_rate0=1.0, epoch_num=e, warmup_epochs=5, total_epochs=20, final_lr=0.1)
        for e in (12, 19, 25)
    ]
    calls += [
        dict(learning_rate0=0.4, epoch_num=e, warmup_epochs=2, total_epochs=10, final_lr=0.1)
        for e in (1, 6)
    ]
    return cases.call_each(warmup_cosine_lr, calls), []
