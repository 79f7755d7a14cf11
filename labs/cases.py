"""Test scenarios of the labs: build fixed-seed inputs, run the student's function, collect results.

The scenarios hold no solution: they only call the function under test and
return what it produced, for ``labs.checks`` to compare with expected arrays.

Everything a test decides on is a result array, so that a grader that does not trust the
kernel (the pipeline judges outside it) can decide from the results alone. That an input
was not modified is a check with a helpful message *and* a result: the input after the
call, recorded under the check's label (its expected value is the untouched input).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from labs.checks import Check, unchanged
from labs.nn import myDenseLayer, myOptParam

__all__ = [
    "STATE_NAMES",
    "optimizer_case",
    "seed_lab_case",
    "minibatch_data",
    "minibatch_case",
    "call_each",
    "sequence_case",
    "calls_case",
    "prefix_case",
]

#: The optimizer state arrays of ``myOptParam``, in the order they are reported.
STATE_NAMES = ("W_dt", "B_dt", "W_mt", "B_mt", "W_vt", "B_vt")


def _snapshot(lyr: myDenseLayer, opt: myOptParam, label: str) -> dict[str, np.ndarray]:
    out = {"wegt": np.array(lyr.wegt, dtype=float), "bias": np.array(lyr.bias, dtype=float)}
    for name in STATE_NAMES:
        out[name] = np.array(getattr(opt, name), dtype=float)
    return {f"{label} {name}".strip(): value for name, value in out.items()}


def _evidence(value) -> np.ndarray | None:
    """An input as one float array: arrays as they are, dicts and lists of arrays flattened
    and joined (dicts in key order)."""
    try:
        if isinstance(value, dict):
            return np.concatenate([np.ravel(np.asarray(value[k], float)) for k in sorted(value)])
        if isinstance(value, list):
            return np.concatenate([np.ravel(np.asarray(v, float)) for v in value])
        return np.array(value, dtype=float)
    except (TypeError, ValueError, KeyError):
        return None


def _kept(got: dict, found: list[Check], label: str, before, after) -> None:
    """Check that an input was not modified, and record the input after the call as the
    result ``label`` (what a grader outside the kernel compares)."""
    found.append(unchanged(label, before, after))
    got[label] = _evidence(after)


def optimizer_case(
    my_optimizer: Callable[..., object],
    solver: str,
    *,
    n_out: int,
    n_in: int,
    seed: int,
    steps: Sequence[tuple[float, int]],
    random_state: bool = True,
    grad_scale: float = 1.0,
    label: str = "",
) -> tuple[dict[str, np.ndarray], list[Check]]:
    """Run ``my_optimizer`` on a fresh fixed-seed layer for each ``(learning_rate, iter)``.

    The layer's weights and the gradients are drawn from ``default_rng(seed)``;
    with ``random_state`` the optimizer state starts random too (so a branch
    that ignores its stored state is caught), otherwise at zero. Every step
    uses new gradients, standard normal times ``grad_scale`` (a tiny scale, from a zero
    state, is where the place of epsilon matters). Returns the final layer and state
    arrays by name (prefixed with ``label``, e.g. the case number), and one check per
    gradient that it was not modified by the call, with that gradient after the call as
    a result under the same label.
    """
    rng = np.random.default_rng(seed)
    lyr, opt = myDenseLayer(n_out, n_in), myOptParam(n_out, n_in)
    lyr.wegt = rng.normal(size=(n_out, n_in))
    lyr.bias = rng.normal(size=n_out)
    if random_state:
        opt.W_dt, opt.B_dt = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
        opt.W_mt, opt.B_mt = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
        opt.W_vt, opt.B_vt = np.abs(rng.normal(size=(n_out, n_in))), np.abs(rng.normal(size=n_out))
    inputs: dict[str, np.ndarray] = {}
    intact: list[Check] = []
    for k, (learning_rate, iteration) in enumerate(steps, start=1):
        W_grad = rng.normal(size=(n_out, n_in)) * grad_scale
        B_grad = rng.normal(size=n_out) * grad_scale
        W_copy, B_copy = W_grad.copy(), B_grad.copy()
        my_optimizer(lyr, opt, W_grad, B_grad, solver, learning_rate, iteration)
        where = f"{label} {solver} step {k}".strip()
        _kept(inputs, intact, f"{where}: W_grad", W_copy, W_grad)
        _kept(inputs, intact, f"{where}: B_grad", B_copy, B_grad)
    return {**_snapshot(lyr, opt, label), **inputs}, intact


def seed_lab_case(
    my_optimizer: Callable[..., object], solvers: Sequence[str]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The seed lab's own test: seed 101, a random 2x3 layer and state, learning rate 10,
    iter 3, ``solvers`` applied in turn to the same layer and state.

    Returns ``[wegt[0, 0], wegt[0, 1], wegt[0, 2], bias[0]]`` after each solver that ran
    (what the lab printed), and what went wrong in each solver that raised.
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
    got: dict[str, np.ndarray] = {}
    raised: dict[str, str] = {}
    for solver in solvers:
        try:
            my_optimizer(lyr, opt, W_grad, B_grad, solver, 10, 3)
        except NotImplementedError:
            raised[solver] = (
                f"not implemented yet: fill in the {solver!r} branch between START and "
                "END CODE HERE"
            )
        except Exception as exc:  # noqa: BLE001 -- reported to the student, not swallowed
            raised[solver] = f"raised {type(exc).__name__}: {exc}"
        else:
            got[solver] = np.concatenate(
                (np.ravel(lyr.wegt[0]), np.ravel(lyr.bias)[0:1]), axis=0
            ).astype(float)
    return got, raised


def minibatch_data(
    n: int, n_features: int, n_targets: int, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-seed samples with distinct rows: X normal, y one-hot when ``n_targets > 1``,
    else one column of integers -- so every (X row, y row) pair can be recognised."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    if n_targets > 1:
        y = np.eye(n_targets)[rng.integers(0, n_targets, size=n)]
    else:
        y = -rng.permutation(n).reshape(n, 1).astype(float)
    return X, y


def _shape_problem(i, bx, by, X, y) -> tuple[str, str] | None:
    """What is wrong with the shapes of batch ``i``, as ``(kind, detail)``, or None."""
    shapes = f"batch {i}: X_mini {bx.shape}, y_mini {by.shape}"
    want = f"expected (rows, {X.shape[1]}) and (rows, {y.shape[1]})"
    if by.ndim != 2:
        return "y_mini not 2-D", f"{shapes}; {want} -- keep y_mini two-dimensional"
    if bx.ndim != 2 or bx.shape[1] != X.shape[1] or by.shape[1] != y.shape[1]:
        return "columns", (
            f"{shapes}; {want} -- the last y.shape[1] columns of a batch are its labels"
        )
    if len(bx) != len(by):
        return "rows", f"{shapes}; X_mini and y_mini must have the same number of rows"
    return None


def minibatch_case(
    create_mini_batches: Callable[..., object],
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    *,
    seed: int,
    label: str = "",
) -> tuple[dict[str, np.ndarray | None], list[Check]]:
    """Call ``create_mini_batches(X, y, batch_size)`` after ``np.random.seed(seed)``.

    Returns the results to compare with the expected ones -- the batch sizes and
    all X and y rows in batch order (prefixed with ``label``) -- and structural checks
    with their own messages: a list of (X_mini, y_mini) pairs, both two-dimensional, every
    sample exactly once, every X row still next to its own y row, and X and y not
    modified (X and y after the call are results too).
    """
    prefix = f"{label}: " if label else ""
    name = {k: f"{label} {k}".strip() for k in ("batch sizes", "X rows", "y rows")}
    X_copy, y_copy = X.copy(), y.copy()
    np.random.seed(seed)
    batches = create_mini_batches(X, y, batch_size)
    out: dict[str, np.ndarray | None] = dict.fromkeys(name.values())
    found: list[Check] = []
    _kept(out, found, f"{prefix}input X not modified", X_copy, X)
    _kept(out, found, f"{prefix}input y not modified", y_copy, y)
    try:
        pairs = [(np.asarray(bx, dtype=float), np.asarray(by, dtype=float)) for bx, by in batches]
    except (TypeError, ValueError):
        found.append(Check(f"{prefix}structure", False, "return a list of (X_mini, y_mini) tuples"))
        return out, found
    if not pairs:
        found.append(Check(f"{prefix}structure", False, "returned no batches"))
        return out, found
    problems = [_shape_problem(i, bx, by, X, y) for i, (bx, by) in enumerate(pairs)]
    problems = [p for p in problems if p]
    if problems:  # each kind of slip its own label, so a hint can tell them apart
        kind, detail = problems[0]
        found.append(Check(f"{prefix}structure: {kind}", False, detail))
        return out, found
    found.append(Check(f"{prefix}structure", True))
    Xs = np.concatenate([bx for bx, _ in pairs])
    ys = np.concatenate([by for _, by in pairs])
    out[name["batch sizes"]] = np.array([len(bx) for bx, _ in pairs], dtype=float)
    out[name["X rows"]] = Xs
    out[name["y rows"]] = ys
    original = {tuple(row): i for i, row in enumerate(X_copy.astype(float).tolist())}
    index = [original.get(tuple(row)) for row in Xs.tolist()]
    counts = np.bincount([i for i in index if i is not None], minlength=len(X))
    if None in index or len(Xs) != len(X) or counts.max(initial=0) != 1:
        missing = int((counts == 0).sum())
        found.append(
            Check(
                f"{prefix}every sample once",
                False,
                f"{len(Xs)} samples returned for {len(X)} given; {missing} missing, "
                f"{int((counts > 1).sum())} repeated",
            )
        )
    else:
        found.append(Check(f"{prefix}every sample once", True))
        paired = all(np.array_equal(ys[k], y_copy[i]) for k, i in enumerate(index))
        found.append(
            Check(
                f"{prefix}X and y rows stay paired",
                paired,
                ""
                if paired
                else "some X rows now sit next to another sample's y: "
                "shuffle X and y together (one permutation for both)",
            )
        )
    return out, found


def call_each(fn: Callable[..., object], calls: Sequence[dict]) -> dict[str, np.ndarray]:
    """``fn(**kwargs)`` for every dict in ``calls``; the results as one array, in order."""
    return {"results": np.array([float(fn(**kwargs)) for kwargs in calls])}


def sequence_case(
    fn: Callable[..., object], values, label: str, **kwargs
) -> tuple[dict[str, np.ndarray | None], list[Check]]:
    """``fn(values, **kwargs)`` for a function that maps a sequence to one of equal length;
    returns the result under ``label`` and a check that ``values`` was not modified."""
    before = np.array(values, dtype=float, copy=True)
    got, found = {label: fn(values, **kwargs)}, []
    _kept(got, found, f"{label}: input values not modified", before, values)
    return got, found


def _copy_args(kwargs: dict) -> dict:
    out = {}
    for name, value in kwargs.items():
        if isinstance(value, np.ndarray):
            out[name] = value.copy()
        elif isinstance(value, dict):
            out[name] = {k: np.array(v, copy=True) for k, v in value.items()}
        elif isinstance(value, list):
            out[name] = [np.array(v, copy=True) for v in value]
    return out


def _unchanged_args(got: dict, label: str, before: dict, kwargs: dict) -> list[Check]:
    found: list[Check] = []
    for name, saved in before.items():
        now = kwargs[name]
        where = f"{label}: {name} not modified"
        if isinstance(saved, dict | list):
            same = (
                set(saved) == set(now) and all(np.array_equal(saved[k], now[k]) for k in saved)
                if isinstance(saved, dict)
                else len(saved) == len(now)
                and all(np.array_equal(a, b) for a, b in zip(saved, now, strict=False))
            )
            before, after = _evidence(saved), _evidence(now)
            if not same and before is not None and after is not None:
                found.append(unchanged(where, before, after))  # says how much, and the idiom
            else:
                detail = "" if same else "was modified in place; leave the inputs as given"
                found.append(Check(where, same, detail))
            got[where] = _evidence(now)
        else:
            _kept(got, found, where, saved, now)
    return found


def calls_case(
    fn: Callable[..., object],
    calls: Sequence[tuple[str, dict, int | None]],
    outputs: Sequence[str] | None = None,
) -> tuple[dict[str, object], list[Check]]:
    """For each ``(label, kwargs, np_seed)``: seed ``np.random`` with ``np_seed`` (unless
    None), call ``fn(**kwargs)`` and record the result under ``label``. A function that
    returns a tuple has its parts recorded as ``"<label> <outputs[i]>"``. Every array,
    dict-of-arrays or list-of-arrays argument is checked to be unmodified."""
    got: dict[str, object] = {}
    found: list[Check] = []
    for label, kwargs, np_seed in calls:
        before = _copy_args(kwargs)
        if np_seed is not None:
            np.random.seed(np_seed)
        result = fn(**kwargs)
        if outputs is None:
            got[label] = result
        elif isinstance(result, tuple) and len(result) == len(outputs):
            got.update(
                {f"{label} {name}": part for name, part in zip(outputs, result, strict=True)}
            )
        else:
            found.append(
                Check(
                    f"{label}: return value",
                    False,
                    f"expected a tuple ({', '.join(outputs)}), got {type(result).__name__}",
                )
            )
        found += _unchanged_args(got, label, before, kwargs)
    return got, found


def prefix_case(
    fn: Callable[..., object], values: Sequence[float], label: str, **kwargs
) -> tuple[dict[str, np.ndarray], list[Check]]:
    """``fn(values[:k], **kwargs)`` for k = 1 .. len(values), as 0/1 -- how a training loop
    calls an early-stopping rule after every epoch. ``values`` must not be modified.
    A call that raises is recorded as -1 and named in a failed check (the first one only),
    so the other calls are still compared."""
    before = np.array(values, dtype=float, copy=True)
    results, raised = [], []
    for k in range(1, len(values) + 1):
        try:
            results.append(float(bool(fn(values[:k], **kwargs))))
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 -- reported as a failed check below
            results.append(-1.0)
            if not raised:
                raised.append(
                    Check(
                        f"{label}: the call with the first {k} losses",
                        False,
                        f"raised {type(exc).__name__}: {exc} (recorded as -1 in the results)",
                    )
                )
    got, checks = {label: np.array(results)}, []
    _kept(got, checks, f"{label}: input values not modified", before, values)
    return got, checks + raised
