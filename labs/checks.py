"""Helpers for test cells: compare a result with the expected one and say what differs.

A check never stops at "wrong values": it names the array, the shape or the
entry that differs, the student's value, the expected value and the size of
the difference, so a student knows where to look.
"""

from __future__ import annotations

import inspect
import json
import textwrap
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

__all__ = [
    "Check",
    "TestFailed",
    "failure_message",
    "split_failure",
    "compare",
    "compare_all",
    "unchanged",
    "report",
    "diagnose",
    "judge",
    "verdict",
    "visible_test",
]


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
    """An input that must not be modified: ``before`` is a copy taken before the call.

    When it was, the check says how: how many entries changed, the largest change and where,
    and the idiom that keeps the input exactly as it was. A change of a rounding step or two
    is the mark of an entry changed and changed back (``w[i] += eps`` ... ``w[i] -= eps``
    need not land on the same float), so it gets the save-and-restore idiom; any other change
    gets "work on new arrays"."""
    b, a = np.asarray(before), np.asarray(after)
    if b.shape == a.shape and np.array_equal(b, a, equal_nan=b.dtype.kind == "f"):
        return Check(label, True)
    if b.shape != a.shape:
        return Check(
            label,
            False,
            f"was modified in place: its shape went from {b.shape} to {a.shape}; work on new "
            "arrays so the caller's data stays intact",
        )
    try:
        bf, af = b.astype(float), a.astype(float)
    except (TypeError, ValueError):
        return Check(label, False, "was modified in place; leave the inputs as given")
    changed = ~((bf == af) | (np.isnan(bf) & np.isnan(af)))
    delta = np.where(changed, np.abs(np.nan_to_num(af - bf, nan=np.inf)), 0.0)
    index = np.unravel_index(int(np.argmax(delta)), delta.shape) if delta.ndim else ()
    where = _fmt_index(tuple(int(i) for i in index)) if index else ""
    what = (
        f"was modified in place: {int(changed.sum())} of {changed.size} entries changed, the "
        f"largest{' at ' + where if where else ''} from {float(bf[index])!r} to "
        f"{float(af[index])!r}"
    )
    rounding = np.all(delta[changed] <= 4 * np.spacing(np.maximum(np.abs(bf[changed]), 1e-300)))
    if rounding:
        return Check(
            label,
            False,
            f"{what}, a rounding step: an entry changed and changed back (x[i] += eps, then "
            "x[i] -= eps) need not return to the same float. Save the entry and put it back "
            "exactly: old = x[i]; ...; x[i] = old",
        )
    return Check(
        label,
        False,
        f"{what}; work on new arrays (e.g. g * g, not g *= g) so the caller's data stays intact",
    )


class TestFailed(AssertionError):
    """A failed test. In a notebook it shows as its message alone: the hint first, then what
    differs, with no traceback into the helpers (IPython calls ``_render_traceback_``).
    It is still an error, so nbgrader scores the cell as failed."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


HINT = "Hint: "
_HINT_WIDTH, _HINT_INDENT = 96, " " * len(HINT)


def failure_message(title: str, checks: Iterable[Check], hint: str = "") -> str:
    """What a failed test says: the hint (if a known mistake was recognised, wrapped to fit a
    dialog), the title with the count of failed checks, every failed check, and how many
    others passed."""
    checks = list(checks)
    failed = [c for c in checks if not c.passed]
    lines = wrap_hint(hint) if hint else []
    lines.append(f"{title}: {len(failed)} of {len(checks)} checks failed")
    lines += [c.line() for c in failed]
    if len(checks) > len(failed):
        lines.append(f"The other {len(checks) - len(failed)} checks passed.")
    return "\n".join(lines)


def wrap_hint(hint: str) -> list[str]:
    return textwrap.wrap(HINT + hint, _HINT_WIDTH, subsequent_indent=_HINT_INDENT)


def split_failure(text: str) -> tuple[str, str]:
    """``(message, hint)`` of a failure message (``failure_message``), also when it is
    prefixed by its exception's name (``TestFailed: Hint: ...``)."""
    lines = text.splitlines()
    if lines and not lines[0].startswith(HINT) and f": {HINT}" in lines[0]:
        lines[0] = lines[0][lines[0].index(f": {HINT}") + 2 :]
    if not lines or not lines[0].startswith(HINT):
        return text, ""
    end = 1
    while end < len(lines) and lines[end].startswith(_HINT_INDENT):
        end += 1
    hint = " ".join(ln.strip() for ln in lines[:end])[len(HINT) :]
    return "\n".join(lines[end:]), hint


def success_message(title: str, checks: Iterable[Check], verbose: bool | None = None) -> str:
    """What a passed test prints: the title, every check when there are few (or
    ``verbose``), and the count."""
    checks = list(checks)
    verbose = len(checks) <= 8 if verbose is None else verbose
    lines = [title, *(c.line() for c in (checks if verbose else ()))]
    return "\n".join([*lines, f"All {len(checks)} checks passed."])


def report(
    title: str, checks: Iterable[Check], hint: str = "", verbose: bool | None = None
) -> None:
    """Print ``success_message`` when all checks passed; otherwise raise ``TestFailed``
    with ``failure_message`` (and print nothing, so the failure is shown once)."""
    checks = list(checks)
    if any(not c.passed for c in checks):
        raise TestFailed(failure_message(title, checks, hint))
    print(success_message(title, checks, verbose))


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


def verdict(
    title: str,
    got: Mapping[str, object],
    expected: Mapping[str, object],
    *,
    rtol: float,
    atol: float,
    checks: Iterable[Check] = (),
    mistakes: Iterable[Mapping] = (),
) -> tuple[bool, str]:
    """Whether ``got`` equals ``expected`` within the tolerances and every other check
    passed, and what to say: ``success_message`` or ``failure_message`` (with the hint of a
    known mistake whose results these are). A result with a failed check of its own label
    (a call that raised, an input modified in place) is reported by that check alone; when
    that check passed, the comparison decides (a check only counts to fail a test)."""
    checks = list(checks)
    explained = {c.label for c in checks if not c.passed}
    results = [
        compare(name, got.get(name), value, rtol=rtol, atol=atol)
        for name, value in expected.items()
        if name not in explained
    ]
    # a passed check of a compared result's own label is that comparison, counted once
    results += [c for c in checks if not c.passed or c.label not in expected]
    if all(c.passed for c in results):
        return True, success_message(title, results)
    failed = [c.label for c in checks if not c.passed]
    hint = diagnose(got, expected, failed, mistakes, rtol=rtol, atol=atol)
    return False, failure_message(title, results, hint)


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
    """The ``verdict``, printed when the test passed, raised as ``TestFailed`` when not."""
    passed, text = verdict(
        title, got, expected, rtol=rtol, atol=atol, checks=checks, mistakes=mistakes
    )
    if not passed:
        raise TestFailed(text)
    print(text)


# -- visible tests -------------------------------------------------------------------------
# A lab's visible tests are functions of ``labs/visible/<lab>.py`` (in an assignment folder:
# ``labs/visible_tests.py``) wrapped by ``visible_test``. The expected values and the known
# mistakes of each are generated from the solution into the JSON file next to the module
# (``labs/visible_tests.json``) by the course's ``make expected``.


def decode(value):
    """An array written by ``encode`` (None stays None)."""
    if value is None:
        return None
    return np.reshape(np.asarray(value["values"], dtype=np.float64), value["shape"])


def encode(value) -> dict | None:
    """A result as plain JSON data: ``{"shape": [...], "values": [...]}`` (None stays None)."""
    if value is None:
        return None
    array = np.asarray(value, dtype=np.float64)
    return {"shape": list(array.shape), "values": array.tolist()}


@cache
def _visible_data(path: str) -> dict:
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(
            f"{file.name} is missing next to {file.with_suffix('.py').name}: it holds the "
            "expected values of the visible tests. Download the assignment folder again."
        )
    return json.loads(file.read_text())["tests"]


def _student_frames(tb) -> str:
    """The traceback lines that are in the student's code, not in these helpers."""
    here = str(Path(__file__).resolve().parent)
    lines = []
    for frame in traceback.extract_tb(tb):
        if str(Path(frame.filename).resolve()).startswith(here):
            continue
        where = "your notebook" if "ipykernel" in frame.filename else frame.filename
        lines.append(f"  in {frame.name} ({where}, line {frame.lineno}): {frame.line or ''}")
    return "\n".join(lines)


class VisibleTest:
    """A visible test: ``compute(...)`` runs the student's function on a fixed example and
    returns ``(results, checks)``; calling the test compares those results with the expected
    ones, prints ``All n checks passed.`` or raises ``TestFailed`` (hint first)."""

    def __init__(self, compute, *, title: str, rtol: float, atol: float, expected=None, todo=""):
        self.compute = compute
        self.name = compute.__name__
        self.title, self.rtol, self.atol = title, rtol, atol
        self.fixed_expected = expected
        params = list(inspect.signature(compute).parameters)
        self.todo = todo or (f"your {params[0]}" if params else "the exercise")
        self.__doc__ = compute.__doc__
        self.__wrapped__ = compute

    def data(self) -> dict:
        module = inspect.getmodule(self.compute)
        return _visible_data(str(Path(module.__file__).with_suffix(".json")))[self.name]

    def expected(self) -> dict:
        if self.fixed_expected is not None:
            return {k: np.asarray(v, dtype=np.float64) for k, v in self.fixed_expected.items()}
        return {k: decode(v) for k, v in self.data()["expected"].items()}

    def __call__(self, *args, **kwargs) -> None:
        try:
            got, found = self.compute(*args, **kwargs)
        except NotImplementedError:
            raise TestFailed(
                f"{self.title}: not implemented yet. Replace `raise NotImplementedError()` in "
                f"{self.todo} with your code, run that cell, then this one."
            ) from None
        except Exception as exc:  # the student's code raised: say where, not in the helpers
            raise TestFailed(
                f"{self.title}: your code raised {type(exc).__name__}: {exc}\n"
                + _student_frames(exc.__traceback__)
            ) from None
        mistakes = [
            {**m, "differs": {k: decode(v) for k, v in m["differs"].items()}}
            for m in self.data()["mistakes"]
        ]
        judge(
            self.title,
            got,
            self.expected(),
            rtol=self.rtol,
            atol=self.atol,
            checks=found,
            mistakes=mistakes,
        )

    def __repr__(self) -> str:
        return f"<visible test {self.name}: {self.title}>"


def visible_test(title: str, *, rtol: float, atol: float, expected=None, todo: str = ""):
    """Make a function that returns ``(results, checks)`` a ``VisibleTest``. ``expected``
    fixes the expected values (as a source printed them); otherwise they are generated."""
    return lambda compute: VisibleTest(
        compute, title=title, rtol=rtol, atol=atol, expected=expected, todo=todo
    )
