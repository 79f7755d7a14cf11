"""Expected values of the tests, computed from the source notebook's own solution.

Two kinds of test cell:

* a **hidden** test cell computes its results into ``_got`` (a dict of arrays) and compares
  them with ``_expected``, written inline between the markers below (nbgrader strips the
  hidden part from the release);
* a **visible** test cell is one call per line, ``visible_tests.<name>(<functions>)``, of a
  test of ``labs/visible/<lab>.py``. Its expected values live out of the students' way in
  ``source/<lab>/labs/visible_tests.json`` (see ``visible_file``).

This module runs every given and solution cell in a real kernel and, in place of each test
cell, code that computes the test's results and prints them tagged (``probe``); it then
writes what the solution produced. ``make expected`` rewrites what is stale; ``stale``
reports it without writing. How a block is written and read, and which cells are tests, is
``autograder.notebooks``' (the one owner of the notebook format); what goes in it is computed here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from nbformat.v4 import new_code_cell, new_notebook

from autograder import notebooks
from labs.checks import decode, encode

_TAG = "@@EXPECTED@@"
VISIBLE_PREFIX = "visible:"  # probe keys of visible tests: "visible:<name>"


class ExpectedError(RuntimeError):
    pass


def probe(key: str, checks: str = "[]", extra: str = "") -> str:
    """Code that prints, tagged, what a test computed: its ``_got`` arrays (with their
    shapes, so an empty array keeps them) and the labels of the failed checks in
    ``checks``; ``extra`` adds fields (a dict display, e.g. ``'fixed': True``)."""
    return (
        "\nimport json as _json, numpy as _np\n"
        f"print({_TAG!r} + _json.dumps({{'key': {key!r}, "
        "'values': {_k: None if _v is None else "
        "[_np.shape(_v), _np.asarray(_v, dtype=float).tolist()] for _k, _v in _got.items()}, "
        f"'failed': [_c.label for _c in {checks} if not _c.passed]{extra}}}))\n"
    )


def visible_probe(source: str) -> str:
    """Probe code for a visible test cell: each call computes instead of judging."""
    code = []
    for name, args in notebooks.visible_calls(source):
        test = f"{notebooks.VISIBLE_TESTS}.{name}"
        code.append(f"_got, _checks = {test}.compute({args})")
        code.append(
            probe(VISIBLE_PREFIX + name, "_checks", f", 'fixed': {test}.fixed_expected is not None")
        )
    return "\n".join(code)


def run_probes(
    source: Path,
    probes: Mapping[str, str],
    code: Mapping[str, str] | None = None,
    *,
    allow_errors: bool = False,
) -> dict[str, dict]:
    """Run the given and solution cells of ``source`` in a kernel, the solutions replaced by
    ``code`` (by grade_id) where it has them, and in place of each test cell named in
    ``probes`` (by grade_id) that code (ending with ``probe``). Returns every probe's record
    by its key, its values as arrays. With ``allow_errors`` a cell that raises records
    nothing."""
    nb = notebooks.read(source)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = notebooks.nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if gid in probes:
            cells.append(new_code_cell(probes[gid]))
        elif meta.get("solution"):
            cells.append(new_code_cell((code or {}).get(gid, cell.source)))
        elif meta.get("locked") and not meta.get("grade"):
            cells.append(new_code_cell(cell.source))  # given code; tests are probed or left out
    run = new_notebook(cells=cells, metadata=nb.metadata)
    env = {"NBGRADER_EXECUTION": "autograde"}
    try:
        notebooks.execute(run, source.parent, allow_errors=allow_errors, env=env)
    except Exception as exc:  # the solution itself fails: say which cell
        raise ExpectedError(f"running the solution of {source} failed:\n{exc}") from exc
    found = {}
    for cell in run.cells:
        for line in notebooks.stream_text(cell).splitlines():
            if line.startswith(_TAG):
                record = json.loads(line[len(_TAG) :])
                record["values"] = {
                    k: None if v is None else np.reshape(np.asarray(v[1], dtype=float), v[0])
                    for k, v in record["values"].items()
                }
                found[record["key"]] = record
    return found


def test_probes(source: Path) -> dict[str, str]:
    """Probe code for every test cell of ``source`` with generated values, by grade_id:
    the hidden cells' code up to their expected block, and every visible test cell."""
    probes = {}
    for cell in notebooks.read(source).cells:
        gid = notebooks.grade_id(cell)
        if notebooks.is_hidden_test(cell):
            probes[gid] = notebooks.hidden_test_parts(cell.source)[0] + probe(gid)
        elif notebooks.is_visible_test(cell):
            probes[gid] = visible_probe(cell.source)
    return probes


def compute(source: Path) -> dict[str, dict[str, np.ndarray]]:
    """Run the solution; return the expected values of every hidden cell with an expected
    block (by grade_id) and of every visible test without fixed ones (``visible:<name>``)."""
    records = run_probes(source, test_probes(source))
    return {key: r["values"] for key, r in records.items() if not r.get("fixed")}


# -- the visible tests' data file -----------------------------------------------------------


def visible_file(source: Path) -> Path:
    """``labs/visible_tests.json`` next to the source notebook (copied into the release)."""
    return source.parent / "labs" / "visible_tests.json"


def read_visible(source: Path) -> dict:
    path = visible_file(source)
    if not path.is_file():
        return {"tests": {}}
    return json.loads(path.read_text())


def write_visible(source: Path, data: dict) -> None:
    lab = source.stem
    data = {
        "about": (
            f"Generated by `make expected` from the solution in source/{lab}/{lab}.ipynb and "
            f"the mistakes in autograder/mistakes/{lab}.py: the expected values and known "
            f"mistakes of the visible tests in labs/visible_tests.py. Do not edit."
        ),
        **{k: v for k, v in data.items() if k != "about"},
    }
    notebooks.write_atomic(visible_file(source), _dumps(data) + "\n")


def _dumps(data: dict) -> str:
    """JSON with one line per array: readable, and diffs line by line."""
    arrays: list[str] = []

    def compact(node):
        if isinstance(node, dict) and set(node) == {"shape", "values"}:
            arrays.append(json.dumps(node))
            return f"@@ARRAY{len(arrays) - 1}@@"
        if isinstance(node, dict):
            return {k: compact(v) for k, v in node.items()}
        if isinstance(node, list):
            return [compact(v) for v in node]
        return node

    text = json.dumps(compact(data), indent=1)
    return re.sub(r'"@@ARRAY(\d+)@@"', lambda m: arrays[int(m[1])], text)


def written_visible(source: Path) -> dict[str, dict[str, np.ndarray]]:
    """The expected values written for the visible tests, as ``{visible:<name>: values}``."""
    return {
        VISIBLE_PREFIX + name: {k: decode(v) for k, v in test["expected"].items()}
        for name, test in read_visible(source)["tests"].items()
        if "expected" in test
    }


def _same(have: Mapping, want: Mapping) -> bool:
    return list(have) == list(want) and all(
        np.shape(have[k]) == np.shape(want[k])
        and np.array_equal(have[k], np.asarray(want[k]), equal_nan=True)
        for k in want
    )


def stale(source: Path, computed: dict[str, dict] | None = None) -> list[str]:
    """The tests whose written expected values differ from the solution's results:
    grade_ids of hidden cells, ``visible:<name>`` of visible tests."""
    computed = compute(source) if computed is None else computed
    out = []
    for cell in notebooks.read(source).cells:
        if notebooks.is_hidden_test(cell):
            gid = notebooks.grade_id(cell)
            if gid not in computed or not _same(
                notebooks.written_expected(cell.source), computed[gid]
            ):
                out.append(gid)
    have = written_visible(source)
    for key in sorted(set(have) | {k for k in computed if k.startswith(VISIBLE_PREFIX)}):
        if key not in have or key not in computed or not _same(have[key], computed[key]):
            out.append(key)
    return out


def update(source: Path) -> list[str]:
    """Rewrite the stale expected values of ``source``; return what was rewritten."""
    computed = compute(source)
    changed = stale(source, computed)
    if not changed:
        return []
    nb = notebooks.read(source)
    for cell in nb.cells:
        gid = notebooks.grade_id(cell)
        if gid in changed and notebooks.is_hidden_test(cell):
            cell.source = notebooks.with_expected(cell.source, computed[gid])
    notebooks.write(nb, source)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(source)], check=True)
    data = read_visible(source)
    tests = data.setdefault("tests", {})
    visible = {k.removeprefix(VISIBLE_PREFIX) for k in computed if k.startswith(VISIBLE_PREFIX)}
    for name in list(tests):
        if name not in visible:
            tests[name].pop("expected", None)
        if not tests[name]:
            del tests[name]
    for name in visible:
        values = computed[VISIBLE_PREFIX + name]
        tests.setdefault(name, {})["expected"] = {k: encode(v) for k, v in values.items()}
    write_visible(source, data)
    return changed
