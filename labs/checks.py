"""Helpers for test cells: compare a result with the expected one and say what differs.

A check never stops at "wrong values": it names the array, the shape or the
entry that differs, the student's value, the expected value and the size of
the difference, so a student knows where to look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Check", "compare", "compare_all", "unchanged", "report", "diagnose", "judge"]


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str = ""

    def line(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        return f"  [{mark}] {self.label}" + (f": {self.detail}" if self.detail else "")


def _fmt_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def compare(label: str, got, expected, *, rtol: float, atol: float) -> Check:
    """Check ``got`` entry by entry: |got - expected| <= atol + rtol * |expected|.

    The tolerances are explicit on purpose: each test states what accuracy it demands.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if got is None:
        return Check(label, False, "got None -- did the function forget to return or to store it?")
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return Check(
            label, False, f"got a {type(got).__name__}, expected numbers of shape {expected.shape}"
        )
    if got_arr.shape != expected.shape:
        return Check(label, False, f"shape {got_arr.shape}, expected {expected.shape}")
    bad_nan = np.isnan(got_arr) & ~np.isnan(expected)
    if bad_nan.any():
        idx = tuple(int(i) for i in np.argwhere(bad_nan)[0])
        return Check(
            label,
            False,
            f"NaN at {_fmt_index(idx)} ({int(bad_nan.sum())} NaN entries); "
            "look for a division by zero or the square root of a "
            "negative number",
        )
    diff = np.abs(got_arr - expected)
    allowed = atol + rtol * np.abs(expected)
    wrong = ~(diff <= allowed)
    if not wrong.any():
        return Check(label, True)
    excess = np.where(wrong, diff - allowed, -np.inf)
    idx = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
    where = f" at {_fmt_index(tuple(int(i) for i in idx))}" if idx else ""
    n_wrong, n = int(wrong.sum()), wrong.size
    return Check(
        label,
        False,
        f"{n_wrong} of {n} entries differ; largest{where}: got {got_arr[idx]:.8g}, "
        f"expected {expected[idx]:.8g} (difference {diff[idx]:.3g})",
    )


def compare_all(
    prefix: str,
    got: Mapping[str, object],
    expected: Mapping[str, object],
    *,
    rtol: float,
    atol: float,
) -> list[Check]:
    """``compare`` every named array of ``expected`` with the same name in ``got``."""
    return [
        compare(f"{prefix}{name}", got.get(name), value, rtol=rtol, atol=atol)
        for name, value in expected.items()
    ]


def unchanged(label: str, before, after) -> Check:
    """An input that must not be modified: ``before`` is a copy taken before the call."""
    if np.array_equal(np.asarray(before), np.asarray(after)):
        return Check(label, True)
    return Check(
        label,
        False,
        "was modified in place; work on new arrays (e.g. g * g, "
        "not g *= g) so the caller's data stays intact",
    )


def report(
    title: str, checks: Iterable[Check], hint: str = "", verbose: bool | None = None
) -> None:
    """Print the checks and raise ``AssertionError`` listing the failures, if any failed.

    Every check gets a line when there are few (or ``verbose``); otherwise only the
    failures do, after a count of the passed ones.
    """
    checks = list(checks)
    failed = [c for c in checks if not c.passed]
    verbose = len(checks) <= 8 if verbose is None else verbose
    print(title)
    for c in checks if verbose else failed:
        print(c.line())
    if not failed:
        print(f"All {len(checks)} checks passed.")
        return
    print(f"{len(checks) - len(failed)} of {len(checks)} checks passed.")
    summary = "\n".join(c.line() for c in failed)
    message = f"{title}: {len(failed)} of {len(checks)} checks failed\n{summary}"
    if hint:
        message += f"\nHint: {hint}"
    raise AssertionError(message)


def diagnose(
    got: Mapping[str, object],
    expected: Mapping[str, object],
    failed: Iterable[str],
    mistakes: Iterable[Mapping],
    *,
    rtol: float,
    atol: float,
) -> str:
    """The hint of the first known mistake that produces exactly these results, or "".

    A mistake is described by the arrays on which its results differ from ``expected``
    (``differs``; the other arrays equal the expected ones) and the labels of the other
    checks it fails (``failed``). The comparison uses the test's own tolerances.
    """
    failed = sorted(failed)
    for mistake in mistakes:
        if sorted(mistake.get("failed", [])) != failed:
            continue
        differs = mistake.get("differs", {})
        if all(
            _same(got.get(name), differs.get(name, value), rtol=rtol, atol=atol)
            for name, value in expected.items()
        ):
            return str(mistake["hint"])
    return ""


def _same(got, target, *, rtol: float, atol: float) -> bool:
    """Whether ``got`` is ``target`` within the tolerances, where NaN equals NaN, infinity
    equals itself and None (nothing produced) equals None: a mistake's results often hold
    such values."""
    if target is None or got is None:
        return target is None and got is None
    try:
        g, t = np.asarray(got, dtype=np.float64), np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if g.shape != t.shape:
        return False
    with np.errstate(invalid="ignore"):
        close = (g == t) | (np.abs(g - t) <= atol + rtol * np.abs(t))
    return bool(np.all(np.where(np.isnan(t), np.isnan(g), close)))


def judge(
    title: str,
    got: Mapping[str, object],
    expected: Mapping[str, object],
    *,
    rtol: float,
    atol: float,
    checks: Iterable[Check] = (),
    mistakes: Iterable[Mapping] = (),
) -> None:
    """``report`` on ``got`` compared with ``expected`` and on the other ``checks``; when
    the results are those of a known mistake, the failure message ends with its hint."""
    checks = list(checks)
    results = compare_all("", got, expected, rtol=rtol, atol=atol) + checks
    hint = ""
    if not all(c.passed for c in results):
        failed = [c.label for c in checks if not c.passed]
        hint = diagnose(got, expected, failed, mistakes, rtol=rtol, atol=atol)
    report(title, results, hint=hint)
