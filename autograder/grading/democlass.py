"""A class of example submissions for a lab: honest ones and every kind of trouble.

Built from the lab's source solution and mistake catalog, so it needs no maintenance
when a lab changes: correct, partly correct, untouched stub, broken JSON, an infinite
loop in the first graded function, an ``os._exit``, a memory bomb, an output flood, an
edited test cell, and attacks that try to read ``source/`` and to write the gradebook.
"""

from __future__ import annotations

import copy

import nbformat
from nbformat.v4 import new_code_cell

from autograder import course, mistakes, notebooks


def _with_cell(nb, code: str, after_grade_id: str | None = None):
    """A copy of ``nb`` with a student code cell added after the given cell (or first)."""
    nb = copy.deepcopy(nb)
    at = 1
    for i, cell in enumerate(nb.cells):
        if notebooks.nbgrader_meta(cell).get("grade_id") == after_grade_id:
            at = i + 1
    nb.cells.insert(at, new_code_cell(code))
    return nb


def build(lab: str, course_root=notebooks.ROOT) -> dict[str, bytes]:
    """``{student_id: notebook bytes}`` -- twelve submissions."""
    refs = course.reference_submissions(lab)
    solution = refs["solution"]
    first = next(iter(mistakes.solution_code(lab)))  # the first graded function's cell
    catalog = mistakes.catalog(lab)
    source_file = notebooks.source_path(lab, course_root)
    gradebook = course_root / "gradebook.db"
    tampered = copy.deepcopy(solution)
    for cell in tampered.cells:
        if notebooks.nbgrader_meta(cell).get("grade"):
            cell.source = "# all tests pass, trust me\npass"
            break
    subs = {
        "correct": solution,
        "partly-" + catalog[0].name.replace("_", "-"): refs[
            f"mistake-{catalog[0].name}".replace("_", "-")
        ],
        "partly-" + catalog[-1].name.replace("_", "-"): refs[
            f"mistake-{catalog[-1].name}".replace("_", "-")
        ],
        "stub": refs["stub"],
        "infinite-loop": _with_cell(
            solution, f"def {first}(*args, **kwargs):\n    while True:\n        pass", first
        ),
        "os-exit": _with_cell(solution, "import os\n\nos._exit(1)", first),
        "memory-bomb": _with_cell(solution, "hog = bytearray(64 << 30)", first),
        "output-flood": _with_cell(
            solution, "for i in range(2_000_000):\n    print('spam ' * 20)", first
        ),
        "edited-test": tampered,
        "reads-source": _with_cell(
            solution,
            f"print(open({str(source_file)!r}).read()[:500])\n"
            f"print(open('../../source/{lab}/{lab}.ipynb').read()[:500])",
            first,
        ),
        "writes-gradebook": _with_cell(
            solution,
            "import sqlite3\n\n"
            f"con = sqlite3.connect({str(gradebook)!r})\n"
            "con.execute('UPDATE grade SET auto_score = 100')\ncon.commit()",
            first,
        ),
    }
    out = {sid: nbformat.writes(nb).encode() for sid, nb in subs.items()}
    out["broken-json"] = nbformat.writes(solution).encode()[:400]
    return out
