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
    for cell in notebooks.graded_cells(tampered):  # the first hidden test
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


_NO_OP = "def my_optimizer(*args, **kwargs):\n    return None\n"

#: Tricks that try to pass lab2_optimizers' hidden tests without a working my_optimizer,
#: each added to the untouched release as a cell after my_optimizer's: what each must earn
#: and the words its flag reason must contain (none when it earns nothing and is harmless).
CHEATS: dict[str, tuple[str, float, str, list[str]]] = {
    "rebinds-numpy": (
        "import numpy as np\n\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "setattr(np, 'array_' + 'equal', lambda *a, **k: True)\n",
        0,
        "flagged",
        ["numpy.allclose", "numpy.array_equal", "numpy.testing.assert_allclose"],
    ),
    "rebinds-test-helpers": (
        _NO_OP + "helpers = __import__('labs.checks').checks\n"
        "setattr(helpers, 'jud' + 'ge', lambda *a, **k: print('All checks passed.'))\n",
        10,
        "flagged",
        ["labs.checks.judge"],
    ),
    "always-equal": (
        "class Anything(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, *a, **k):\n        raise TypeError('no')\n\n\n"
        "def my_optimizer(lyr, opt, *args, **kwargs):\n"
        "    lyr.wegt, lyr.bias = Anything(), Anything()\n"
        "    for name in ('W_dt', 'B_dt', 'W_mt', 'B_mt', 'W_vt', 'B_vt'):\n"
        "        setattr(opt, name, Anything())\n",
        0,
        "graded",
        [],
    ),
    "hides-errors-showtraceback": (
        "setattr(get_ipython(), 'show' + 'traceback', lambda *a, **k: None)\n",
        0,
        "flagged",
        ["errors were hidden", "IPython shell instance override of showtraceback"],
    ),
    "hides-errors-custom-exc": (
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n",
        0,
        "flagged",
        ["errors were hidden", "IPython custom exceptions"],
    ),
    "replaces-excepthook": (
        "import sys\n\nsys.excepthook = lambda *a: None\n",
        0,
        "flagged",
        ["changes how errors are reported"],
    ),
    "swallows-errors-ast": (
        _NO_OP + "import ast\n\n\n"
        "class Swallow(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])\n"
        "        wrapped = ast.Try(body=node.body or [ast.Pass()], handlers=[handler], "
        "orelse=[], finalbody=[])\n"
        "        module = ast.Module(body=[wrapped], type_ignores=[])\n"
        "        return ast.fix_missing_locations(module)\n\n\n"
        "get_ipython().ast_transformers.append(Swallow())\n",
        10,
        "flagged",
        ["IPython ast_transformers"],
    ),
    "reads-expected-from-history": (
        "def my_optimizer(lyr, opt, *args, **kwargs):\n"
        "    import re\n\n    import numpy as np\n\n"
        "    source = get_ipython().user_ns['In'][-1]\n"
        "    block = re.search(r'_expected = (\\{.*?\\n\\})', source, re.S)\n"
        "    expected = eval(block.group(1), {'np': np})\n"
        "    for case in ('case 1', 'case 2'):\n"
        "        if expected.get(case + ' wegt', np.zeros(0)).shape == lyr.wegt.shape:\n"
        "            lyr.wegt, lyr.bias = expected[case + ' wegt'], expected[case + ' bias']\n"
        "            for name in ('W_dt', 'B_dt', 'W_mt', 'B_mt', 'W_vt', 'B_vt'):\n"
        "                setattr(opt, name, expected[case + ' ' + name])\n",
        10,
        "flagged",
        ["reads the notebook's own code or the tests' variables", "runs code built at run time"],
    ),
    "searches-disk-for-tests": (
        "import os\n\nfound = []\n"
        "for top in (os.getcwd(), '/tmp', os.path.expanduser('~'), '/work', '/root'):\n"
        "    for folder, _, names in os.walk(top):\n"
        "        found += [os.path.join(folder, n) for n in names if n.endswith('.ipynb')]\n"
        "hidden = [p for p in found if 'BEGIN HIDDEN TESTS' in open(p, errors='replace').read()]\n"
        "print('notebooks with hidden tests:', hidden)\n"
        "assert hidden, 'no hidden tests found on disk'\n",
        0,
        "graded",
        [],
    ),
}


def cheats(lab: str = "lab2_optimizers") -> dict[str, bytes]:
    """``{student_id: notebook bytes}``: the untouched release of lab2_optimizers with each
    trick of ``CHEATS`` added after the my_optimizer cell."""
    if lab != "lab2_optimizers":
        raise ValueError("the cheats are written against lab2_optimizers' my_optimizer")
    stub = notebooks.read(notebooks.release_path(lab))
    return {
        sid: nbformat.writes(_with_cell(stub, code, "my_optimizer")).encode()
        for sid, (code, *_rest) in CHEATS.items()
    }
