"""Cells that give one lab's solution to a later lab, generated from the earlier lab's source.

A code cell whose first line is ``# Given (read-only): ... [<lab>: <grade_id>]`` holds
the solution of that graded cell of ``source/<lab>``, with the solution markers and the
START/END CODE HERE lines removed. ``make given`` rewrites such cells; the tests fail when
one is stale. A solution is thus written once, in its own lab.
"""

from __future__ import annotations

import re

from autograder import mistakes, notebooks
from autograder.course import BUNDLE_LABS, Course

HEADER = re.compile(r"^# Given \(read-only\): [^\n]*\[(?P<lab>\w+): (?P<cell>\w+)\][^\n]*(\n|$)")
CODE_HERE = re.compile(r"^[ \t]*### (START|END) CODE HERE ###[^\n]*\n", re.M)


def header(lab: str, cell: str) -> str:
    number = BUNDLE_LABS.index(lab) + 1
    return f"# Given (read-only): {cell}, solved in Lab {number} [{lab}: {cell}]\n"


def body(lab: str, cell: str, course: Course) -> str:
    code = mistakes.solution_code(lab, course).get(cell)
    if code is None:
        raise KeyError(f"source/{lab} has no solution cell {cell!r}")
    return header(lab, cell) + CODE_HERE.sub("", code)


def _given_cells(nb):
    for cell in nb.cells:
        m = HEADER.match(cell.source) if cell.cell_type == "code" else None
        if m:
            yield cell, m["lab"], m["cell"]


def stale(lab: str, course: Course) -> list[str]:
    nb = notebooks.read(course.source_path(lab))
    return [
        f"{src}:{cell}" for c, src, cell in _given_cells(nb) if c.source != body(src, cell, course)
    ]


def update(lab: str, course: Course) -> list[str]:
    path = course.source_path(lab)
    nb = notebooks.read(path)
    changed = []
    for c, src, cell in _given_cells(nb):
        want = body(src, cell, course)
        if c.source != want:
            c.source = want
            changed.append(f"{src}:{cell}")
    if changed:
        notebooks.write(nb, path)
    return changed
