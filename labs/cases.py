"""Test scenarios of the labs: build fixed-seed inputs, run the student's function, collect results.

The scenarios hold no solution: they only call the function under test and
return what it produced, for ``labs.checks`` to compare with expected arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from labs.checks import Check, compare, unchanged
from labs.nn import myDenseLayer, myOptParam

__all__ = ["STATE_NAMES", "optimizer_case", "seed_lab_checks"]

#: The optimizer state arrays of ``myOptParam``, in the order they are reported.
STATE_NAMES = ("W_dt", "B_dt", "W_mt", "B_mt", "W_vt", "B_vt")


def _snapshot(lyr: myDenseLayer, opt: myOptParam) -> dict[str, np.ndarray]:
    out = {"wegt": np.array(lyr.wegt, dtype=float), "bias": np.array(lyr.bias, dtype=float)}
    for name in STATE_NAMES:
        out[name] = np.array(getattr(opt, name), dtype=float)
    return out


def optimizer_case(
    my_optimizer: Callable[..., object],
    solver: str,
    *,
    n_out: int,
    n_in: int,
    seed: int,
    steps: Sequence[tuple[float, int]],
    random_state: bool = True,
    label: str = "",
) -> tuple[dict[str, np.ndarray], list[Check]]:
    """Run ``my_optimizer`` on a fresh fixed-seed layer for each ``(learning_rate, iter)``.

    The layer's weights and the gradients are drawn from ``default_rng(seed)``;
    with ``random_state`` the optimizer state starts random too (so a branch
    that ignores its stored state is caught), otherwise at zero. Every step
    uses new gradients. Returns the final layer and state arrays by name, and
    one check per gradient that it was not modified by the call (labelled with
    ``label``, e.g. the case number).
    """
    rng = np.random.default_rng(seed)
    lyr, opt = myDenseLayer(n_out, n_in), myOptParam(n_out, n_in)
    lyr.wegt = rng.normal(size=(n_out, n_in))
    lyr.bias = rng.normal(size=n_out)
    if random_state:
        opt.W_dt, opt.B_dt = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
        opt.W_mt, opt.B_mt = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
        opt.W_vt, opt.B_vt = np.abs(rng.normal(size=(n_out, n_in))), np.abs(rng.normal(size=n_out))
    intact: list[Check] = []
    for k, (learning_rate, iteration) in enumerate(steps, start=1):
        W_grad, B_grad = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
        W_copy, B_copy = W_grad.copy(), B_grad.copy()
        my_optimizer(lyr, opt, W_grad, B_grad, solver, learning_rate, iteration)
        where = f"{label} {solver} step {k}".strip()
        intact.append(unchanged(f"{where}: W_grad", W_copy, W_grad))
        intact.append(unchanged(f"{where}: B_grad", B_copy, B_grad))
    return _snapshot(lyr, opt), intact


def seed_lab_checks(
    my_optimizer: Callable[..., object], expected: dict[str, Sequence[float]]
) -> list[Check]:
    """The seed lab's own test: seed 101, a random 2x3 layer and state, learning rate 10,
    iter 3, the solvers of ``expected`` applied in turn to the same layer and state.

    After each solver, ``[wegt[0, 0], wegt[0, 1], wegt[0, 2], bias[0]]`` is compared
    with ``expected[solver]``, as the lab printed it. An exception in one solver is
    reported as its failure; the later solvers then start from a different state, so
    their results say so.
    """
    np.random.seed(101)
    lyr = myDenseLayer(2, 3)
    opt = myOptParam(2, 3)
    lyr.wegt = np.random.randn(2, 3)
    lyr.bias = np.random.randn(2)
    opt.W_dt = np.random.randn(2, 3)
    opt.B_dt = np.random.randn(2)
    opt.W_mt = np.random.randn(2, 3)
    opt.B_mt = np.random.randn(2)
    opt.W_vt = np.abs(np.random.randn(2, 3))
    opt.B_vt = np.abs(np.random.randn(2))
    W_grad = np.random.randn(2, 3)
    B_grad = np.random.randn(2)
    results: list[Check] = []
    first_failure = None
    for solver, values in expected.items():
        label = solver if first_failure is None else f"{solver} (after {first_failure} failed)"
        try:
            my_optimizer(lyr, opt, W_grad, B_grad, solver, 10, 3)
        except NotImplementedError:
            results.append(
                Check(
                    label,
                    False,
                    f"not implemented yet: fill in the {solver!r} "
                    "branch between START and END CODE HERE",
                )
            )
        except Exception as exc:  # noqa: BLE001 -- reported to the student, not swallowed
            results.append(Check(label, False, f"raised {type(exc).__name__}: {exc}"))
        else:
            got = np.concatenate((np.ravel(lyr.wegt[0]), np.ravel(lyr.bias)[0:1]), axis=0)
            check = compare(label, got, values, rtol=1e-7, atol=1e-8)
            detail = f"wegt[0], bias[0] = {np.array2string(got, precision=8)}"
            results.append(Check(label, check.passed, check.detail or detail))
        if not results[-1].passed and first_failure is None:
            first_failure = solver
    return results
