"""What every cataloged mistake produces in the tests, so the tests can name it.

For every entry of ``autograder/mistakes/<lab>.py`` the source notebook is run with that
mistake applied to the solution, and every test's results are recorded where they differ
from the solution's, with the labels of the other checks the mistake fails and the entry's
hint. ``labs.checks.judge`` compares a student's results with these and, on a match,
starts its failure message with the hint.

Where they are written:

* a hidden test cell (one with an expected block, ``autograder.authoring.expected``) gets a
  ``# BEGIN MISTAKES`` block in its hidden part, after the expected block;
* a visible test (``visible_tests.<name>(...)``) gets its entries in the ``mistakes`` of
  ``labs/visible_tests.json`` next to the source notebook, out of the students' way.

A block, and the JSON file, carries a key: the SHA-256 of everything its contents depend on
(the catalog, the given, solution and test code of the lab, ``labs/``). Where the key
differs, the lab's mistakes are stale; ``make expected`` regenerates them. How a block is
written and read is ``autograder.notebooks``' (the one owner of the notebook format); what
goes in it is computed here.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from autograder import mistakes, notebooks
from autograder.authoring import expected
from autograder.course import Course
from labs.checks import encode

_CHECKS_ARG = re.compile(r"checks\.judge\((?:.|\n)*?checks=(?P<name>_\w+)")


class HintsError(RuntimeError):
    pass


def key(lab: str, course: Course) -> str:
    nb = notebooks.read(course.source_path(lab))
    digest = hashlib.sha256(notebooks.MISTAKES_FORMAT.encode())
    for m in mistakes.catalog(lab):
        digest.update(json.dumps([m.name, m.cell, m.replace, m.hint], sort_keys=True).encode())
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("locked")):
            digest.update(notebooks.without_mistakes(cell.source).encode())
    for path in sorted(course.helpers_dir.rglob("*.py")):
        digest.update(path.relative_to(course.root).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _probes(lab: str, course: Course) -> dict[str, str]:
    """Probe code for every tested cell, by grade_id: the hidden cells' code up to their
    expected block, with their checks, and the visible test cells."""
    source = course.source_path(lab)
    probes = {}
    for cell in notebooks.read(source).cells:
        gid = notebooks.grade_id(cell)
        if notebooks.is_hidden_test(cell):
            found = _CHECKS_ARG.search(cell.source)
            checks = found["name"] if found else "[]"
            compute = notebooks.hidden_test_parts(cell.source)[0]
            probes[gid] = compute + expected.probe(gid, checks)
        elif notebooks.is_visible_test(cell):
            probes[gid] = expected.visible_probe(cell.source)
    return probes


def _run(lab: str, code: dict[str, str], course: Course) -> dict[str, dict]:
    """What each test computes with the solutions replaced by ``code``. A test that raises
    records nothing (its mistake is then caught by the exception, not here)."""
    path = course.source_path(lab)
    return expected.run_probes(path, _probes(lab, course), code, allow_errors=True)


def compute(lab: str, course: Course, workers: int = 2) -> dict[str, list[dict]]:
    """``{test key: [mistake entry, ...]}`` for every test of the lab (hidden: grade_id,
    visible: ``visible:<name>``)."""
    solution = mistakes.solution_code(lab, course)
    want = {k: record["values"] for k, record in _run(lab, solution, course).items()}
    catalog = mistakes.catalog(lab)
    wanted = {
        expected.VISIBLE_PREFIX + name
        for cell in notebooks.read(course.source_path(lab)).cells
        if notebooks.is_visible_test(cell)
        for name, _ in notebooks.visible_calls(cell.source)
    } | {
        notebooks.grade_id(c)
        for c in notebooks.read(course.source_path(lab)).cells
        if notebooks.is_hidden_test(c)
    }
    missing = wanted - set(want)
    if missing:
        raise HintsError(f"{lab}: the solution computed no results in {sorted(missing)}")

    def one(m):
        code = dict(solution)
        code[m.cell] = mistakes.apply(code[m.cell], m)
        return m, _run(lab, code, course)

    out: dict[str, list[dict]] = {k: [] for k in want}
    with ThreadPoolExecutor(workers) as pool:
        for m, found in pool.map(one, catalog):
            for k, record in found.items():
                differs = {
                    name: value
                    for name, value in record["values"].items()
                    if name in want[k]
                    and not (
                        value is not None
                        and np.shape(value) == np.shape(want[k][name])
                        and np.array_equal(value, want[k][name], equal_nan=True)
                    )
                }
                if differs or record["failed"]:
                    out[k].append({"hint": m.hint, "differs": differs, "failed": record["failed"]})
    return out


def written_visible(lab: str, course: Course) -> dict[str, list[dict]]:
    """The mistakes written for each visible test, by test name (hints and labels only)."""
    data = expected.read_visible(course.source_path(lab))
    return {name: test.get("mistakes", []) for name, test in data["tests"].items()}


def stale(lab: str, course: Course) -> list[str]:
    """The tests whose mistakes are missing or were made from other inputs: hidden cells by
    grade_id, and ``labs/visible_tests.json`` when its key differs."""
    want = key(lab, course)
    source = course.source_path(lab)
    out = []
    for cell in filter(notebooks.is_hidden_test, notebooks.read(source).cells):
        if notebooks.mistakes_keys(cell.source) != [want]:
            out.append(notebooks.grade_id(cell))
    data = expected.read_visible(source)
    names = {
        name
        for cell in notebooks.read(source).cells
        if notebooks.is_visible_test(cell)
        for name, _ in notebooks.visible_calls(cell.source)
    }
    if data.get("mistakes_key") != want or any(
        "mistakes" not in data["tests"].get(n, {}) for n in names
    ):
        out.append(expected.visible_file(source).relative_to(course.root).as_posix())
    return out


def update(lab: str, course: Course) -> list[str]:
    """Regenerate the lab's mistakes if any is stale; return the tests rewritten."""
    if not stale(lab, course):
        return []
    computed = compute(lab, course)
    block_key = key(lab, course)
    path = course.source_path(lab)
    nb = notebooks.read(path)
    for cell in filter(notebooks.is_hidden_test, nb.cells):
        block = notebooks.render_mistakes(computed[notebooks.grade_id(cell)], block_key)
        cell.source = notebooks.with_mistakes(cell.source, block)
    notebooks.write(nb, path)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(path)], check=True)
    data = expected.read_visible(path)
    tests = data.setdefault("tests", {})
    visible = {
        k.removeprefix(expected.VISIBLE_PREFIX): entries
        for k, entries in computed.items()
        if k.startswith(expected.VISIBLE_PREFIX)
    }
    for name in list(tests):
        if name not in visible:
            tests[name].pop("mistakes", None)
            if not tests[name]:
                del tests[name]
    for name, entries in visible.items():
        tests.setdefault(name, {})["mistakes"] = [
            {**e, "differs": {k: encode(v) for k, v in e["differs"].items()}} for e in entries
        ]
    data["mistakes_key"] = block_key
    expected.write_visible(path, data)
    if stale(lab, course):
        raise HintsError(f"{lab}: mistakes still stale after regeneration")
    return list(computed)
