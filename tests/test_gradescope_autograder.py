"""``autograder gradescope``: the zip is Gradescope's autograder layout, and run_autograder,
run as Gradescope runs it in a scratch root laid out as Gradescope lays it out, gives the
verdicts of ``pipeline.check`` in a results.json of Gradescope's specification; attacks gain
nothing; a notebook that cannot be graded, or a fault of ours, still gives a results.json."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE, ROOT
from scratch import json_strings

from autograder import gradescope_autograder as ga
from autograder import mistakes, notebooks
from autograder.grading import pipeline
from autograder.grading.sandbox import bwrap, zygote
from autograder.grading.submission import CellResult, Row
from autograder.text import CONTROL

LAB = "lab2_optimizers"
VENV_BIN = Path(ROOT, ".venv", "bin")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return ga.build(COURSE, LAB, tmp_path_factory.mktemp("zip") / "autograder.zip")


def _unpack(zip_path: Path, root: Path) -> Path:
    """``root`` as Gradescope lays it out: source/ (the zip), run_autograder beside it,
    submission/ and results/."""
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
        for info in z.infolist():  # extractall drops the modes
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                (root / "source" / info.filename).chmod(mode)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


# -- results.json against Gradescope's specification ---------------------------------------

TOP = {
    "score": (int, float),
    "execution_time": (int,),
    "output": (str,),
    "output_format": (str,),
    "test_output_format": (str,),
    "test_name_format": (str,),
    "stdout_visibility": (str,),
    "visibility": (str,),
    "extra_data": (dict,),
    "tests": (list,),
}
TEST = {
    "score": (int, float),
    "max_score": (int, float),
    "status": (str,),
    "name": (str,),
    "name_format": (str,),
    "number": (str,),
    "output": (str,),
    "output_format": (str,),
    "tags": (list,),
    "visibility": (str,),
    "extra_data": (dict,),
}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def check_schema(data: dict) -> None:
    """The keys and types Gradescope's specification gives, its visibility and format values,
    and plain text: no control character but a line feed, no format that renders HTML."""
    assert set(data) <= set(TOP), set(data) - set(TOP)
    assert "score" in data or all("score" in t for t in data["tests"])
    for key, kinds in TOP.items():
        if key in data:
            assert isinstance(data[key], kinds) and not isinstance(data[key], bool), key
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert data.get(key, "text") == "text"
    for key in ("visibility", "stdout_visibility"):
        assert data.get(key, "visible") in ga.VISIBILITIES
    for t in data["tests"]:
        assert set(t) <= set(TEST), set(t) - set(TEST)
        for key, kinds in TEST.items():
            if key in t:
                assert isinstance(t[key], kinds) and not isinstance(t[key], bool), key
        assert t.get("status", "passed") in ("passed", "failed")
        assert t.get("visibility", "visible") in ga.VISIBILITIES
        assert t.get("output_format", "text") in FORMATS and t.get("output_format") == "text"
        assert 0 <= t["score"] <= t["max_score"]
    for text in json_strings(data):
        assert not CONTROL.search(text.replace("\n", "")), repr(text)


# -- the zip (no kernel) -----------------------------------------------------------------------


def test_zip_layout(built):
    names = set(zipfile.ZipFile(built).namelist())
    source = f"course/source/{LAB}/{LAB}.ipynb"
    release = f"course/release/{LAB}/{LAB}.ipynb"
    assert {
        "setup.sh",
        "run_autograder",
        "requirements.lock",
        ga.SETTINGS,
        source,
        release,
    } <= names
    assert "course/nbgrader_config.py" in names
    # the one lab only, and nothing a run leaves behind
    course_files = {n for n in names if n.startswith("course/")}
    assert all(f"/{LAB}/" in n for n in course_files - {"course/nbgrader_config.py"})
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert built.stat().st_size < 5_000_000
    with zipfile.ZipFile(built) as z:
        for name in ("setup.sh", "run_autograder"):
            assert (z.getinfo(name).external_attr >> 16) & stat.S_IXUSR
            assert "do not edit" in z.read(name).decode().splitlines()[1]
        assert z.read("requirements.lock") == (ga.TOOL / "requirements.lock").read_bytes()
        assert json.loads(z.read(ga.SETTINGS)) == {
            "generated": ga.GENERATED.format(lab=LAB),
            "lab": LAB,
            "hidden_visibility": "after_due_date",
        }


def test_setup_installs_only_the_lock():
    """Every pip line installs the lock with --no-deps and nothing else; apt installs Python
    3.11 and bubblewrap and nothing else; nothing else installs anything."""
    script = ga.setup_sh(LAB)
    commands = [
        re.sub(r"^if !\s*|;\s*then$", "", ln.strip())
        for ln in script.splitlines()
        if ln.strip() and ln[:1] != "#"
    ]
    pip = [shlex.split(c) for c in commands if re.search(r"\bpip\b", c)]
    assert pip, "setup.sh installs the lock with pip"
    for words in pip:
        at = words.index("install")
        args = words[at + 1 :]
        assert "--no-deps" in args
        packages = [a for a in args if not a.startswith("-")]
        assert packages == ["$SOURCE/requirements.lock"], packages
        assert args[args.index("-r") + 1] == packages[0]
    apt = [shlex.split(c) for c in commands if "apt-get install" in c]
    assert len(apt) == 1
    words = apt[0][apt[0].index("install") + 1 :]
    assert [w for w in words if not w.startswith("-")] == list(ga.APT_PACKAGES)
    others = [c for c in commands if re.search(r"\b(conda|easy_install|curl|wget|uv|pipx)\b", c)]
    assert not others
    assert not re.search(r"pip install (?!--no-deps)", script)


def test_run_autograder_uses_the_venv_then_path_python():
    script = ga.run_autograder_sh(LAB)
    assert 'PY="$ROOT/venv/bin/python"' in script
    assert "command -v python3" in script
    assert f"${{{ga.ROOT_ENV}:-/autograder}}" in script


# -- results.json of what cannot be graded, and hostile text (no kernel) ------------------------


HOSTILE = "bad\x1b[2J\x1b]0;title\x07 <script>alert(1)</script>\rScore: 10 / 10\u202eevil"


def test_results_are_inert():
    """Text a submission shaped (a message, a hint, a reason, a test's name) reaches
    results.json inert: no control character, no line of its own at the margin."""
    part = COURSE.lab(LAB)
    gid = next(g for g in part.grade_ids if notebooks.is_hidden_test(part.cells[g]))
    row = Row(
        file=f"{LAB}.ipynb",
        student_id="",
        status="graded",
        reason=HOSTILE + "\nScore: 10 / 10",
        raw_score=0.0,
        max_score=part.max_score,
        cells=[
            CellResult(gid, 0.0, 2.0, False, HOSTILE + "\nScore: 10 / 10", hint=HOSTILE),
            CellResult(HOSTILE, 0.0, 0.0, False, "x"),
        ],
    )
    data = ga.of_row(row, part, "after_due_date")
    check_schema(data)
    for text in json_strings(data):
        for line in text.split("\n"):
            assert not line.startswith("Score:") or line == "Score: 0 / 10", repr(line)
    assert data["tests"][0]["visibility"] == "after_due_date"
    assert data["score"] == 0.0 and data["output"].startswith("Status: graded\nScore: 0 / 10")


def test_find_notebook(tmp_path):
    names = [LAB]
    sub = tmp_path / "submission"
    sub.mkdir()
    with pytest.raises(ga.NotGradable, match="no notebook"):
        ga.find_notebook(sub, names)
    (sub / "mine.ipynb").write_text("{}")
    assert ga.find_notebook(sub, names) == sub / "mine.ipynb"
    (sub / "other.ipynb").write_text("{}")
    with pytest.raises(ga.NotGradable, match="2 notebooks"):
        ga.find_notebook(sub, names)
    (sub / "deep").mkdir()
    (sub / "deep" / f"{LAB}.ipynb").write_text("{}")
    assert ga.find_notebook(sub, names) == sub / "deep" / f"{LAB}.ipynb"
    (sub / f"{LAB}.ipynb").symlink_to(COURSE.source_path(LAB))
    with pytest.raises(ga.NotGradable, match="a link"):
        ga.find_notebook(sub, names)


@pytest.fixture
def root(built, tmp_path):
    return _unpack(built, tmp_path / "autograder")


def _no_kernel(*args, **kwargs):
    raise AssertionError("graded a notebook that cannot be graded")


@pytest.mark.parametrize(
    "isolation, root_user, said",
    [
        ("sandbox", True, "no user namespaces here"),  # the sandbox only, as asked
        ("auto", False, "needs root"),  # no sandbox, and no other user to become
    ],
)
def test_refuses_without_isolation(root, monkeypatch, isolation, root_user, said):
    """Where the kernel cannot be kept from the judging files, nothing is graded: 0 for
    every test, and the reason says why."""

    def unavailable():
        raise bwrap.SandboxUnavailable("no user namespaces here")

    monkeypatch.setattr(bwrap, "bwrap", unavailable)
    monkeypatch.setattr(os, "geteuid", lambda: 0 if root_user else 1000)
    monkeypatch.setenv(ga.ISOLATION_ENV, isolation)
    monkeypatch.setattr(pipeline, "check", _no_kernel)
    nbformat.write(COURSE.lab(LAB).release, root / "submission" / f"{LAB}.ipynb")
    assert ga.run(root) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    check_schema(data)
    assert data["score"] == 0 and data["extra_data"]["status"] == "environment"
    assert "cannot keep a notebook from reading" in data["output"] and said in data["output"]
    assert len(data["tests"]) == len(COURSE.lab(LAB).grade_ids)


def test_without_the_sandbox_root_grades_as_an_unprivileged_user(monkeypatch):
    monkeypatch.setattr(
        bwrap, "bwrap", lambda: (_ for _ in ()).throw(bwrap.SandboxUnavailable("no"))
    )
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.delenv(ga.ISOLATION_ENV, raising=False)
    options, what = ga.isolation()
    assert (options.sandboxed, options.unprivileged) == (False, True), what
    monkeypatch.setattr(bwrap, "bwrap", lambda: "bwrap")
    options, what = ga.isolation()
    assert (options.sandboxed, options.unprivileged) == (True, False), what


@pytest.mark.parametrize(
    "name, content, said",
    [
        (f"{LAB}.ipynb", b'{"cells": [', "not a valid notebook"),
        ("mine.ipynb", None, "not a notebook of any lab"),
        ("notes.txt", b"hello", "no notebook was handed in"),
    ],
)
def test_what_cannot_be_graded(root, monkeypatch, name, content, said):
    """Not JSON, another lab's notebook, no notebook: a score of 0 and the reason."""
    monkeypatch.setattr(bwrap, "bwrap", lambda: "bwrap")
    if content is None:  # another lab's notebook, under another name
        content = nbformat.writes(COURSE.lab("lab1_minibatch").release).encode()
    (root / "submission" / name).write_bytes(content)
    ga.run(root)
    data = json.loads((root / "results" / "results.json").read_text())
    check_schema(data)
    assert data["score"] == 0 and data["extra_data"]["status"] == "error"
    assert said in data["output"], data["output"]
    assert str(root) not in data["output"]


def test_a_fault_of_ours_still_answers(root, monkeypatch, capsys):
    monkeypatch.setattr(bwrap, "bwrap", lambda: "bwrap")

    def crash(*args, **kwargs):
        raise RuntimeError("the grader broke")

    monkeypatch.setattr(pipeline, "check", crash)
    nbformat.write(COURSE.lab(LAB).release, root / "submission" / f"{LAB}.ipynb")
    (root / "results" / "results.json").write_text('{"score": 99}')  # never a stale one
    assert ga.run(root) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    check_schema(data)
    assert data["score"] == 0 and "failed on this submission" in data["output"]
    assert "RuntimeError: the grader broke" in capsys.readouterr().err


# -- run_autograder, as Gradescope runs it (kernels, in the sandbox) -------------------------


def _attack_reads(root: Path) -> str:
    """Reads the source notebook, the expected values and results.json, by every path it
    may guess, prints what it got, and hands it to the grader's messages in an exception."""
    paths = [
        root / "source" / "course" / "source" / LAB / f"{LAB}.ipynb",
        root / "source" / ga.SETTINGS,
        root / "results" / "results.json",
        f"/autograder/source/course/source/{LAB}/{LAB}.ipynb",
        f"../source/course/source/{LAB}/{LAB}.ipynb",
    ]
    return (
        "import glob\n"
        "_loot = []\n"
        f"for _p in {[str(p) for p in paths]!r} + glob.glob({str(root)!r} + '/**', "
        "recursive=True):\n"
        "    try:\n"
        "        _loot.append(open(_p).read()[:3000])\n"
        "    except Exception as _e:  # unreadable, a folder, or not text\n"
        "        _loot.append('REFUSED-' + type(_e).__name__)\n"
        "print('\\n'.join(_loot))\n\n"
        "def my_optimizer(*args, **kwargs):\n"
        "    raise RuntimeError('LOOT ' + ' '.join(_loot)[:3000])\n"
    )


def _attack_writes(root: Path) -> str:
    """Writes results.json now and, from a process of its own, after the grader has."""
    forged = json.dumps({"score": 999.0, "output": "FORGED", "tests": []})
    target = str(root / "results" / "results.json")
    return (
        "import os, subprocess, sys\n"
        f"for _p in ({target!r}, '/autograder/results/results.json'):\n"
        "    try:\n"
        "        os.makedirs(os.path.dirname(_p), exist_ok=True)\n"
        f"        open(_p, 'w').write({forged!r})\n"
        "    except OSError as _e:\n"
        "        print('REFUSED', _p, type(_e).__name__)\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3); '\n"
        f"    'open({target!r}, \"w\").write({forged!r})'], start_new_session=True)\n"
    )


def _run(root: Path, name: str, nb) -> tuple[dict, str, float]:
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder)
        (root / folder).mkdir()
    nbformat.write(nb, root / "submission" / name)
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        ga.ROOT_ENV: str(root),
    }
    start = time.perf_counter()
    done = subprocess.run(
        ["bash", str(root / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    return data, done.stdout + done.stderr, seconds


@pytest.mark.kernel
@pytest.mark.sandbox
def test_run_autograder_gives_checks_verdicts(built, tmp_path):
    root = _unpack(built, tmp_path / "autograder")
    refs = mistakes.reference_submissions(LAB, COURSE)
    catalog = mistakes.catalog(LAB)
    picked = [catalog[0], catalog[len(catalog) // 2], catalog[-1]]
    honest = {
        "correct": refs["solution"],
        "blank": refs["stub"],
        **{m.name: refs[f"mistake-{m.name}".replace("_", "-")] for m in picked},
    }
    stub = COURSE.lab(LAB).release
    attacks = {
        "reads": pipeline_nb(stub, _attack_reads(root)),
        "writes": pipeline_nb(stub, _attack_writes(root)),
    }
    secrets = [notebooks.EXPECTED_BEGIN, "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "FORGED"]
    got, times = {}, []
    for name, nb in {**honest, **attacks}.items():
        data, said, seconds = _run(root, f"{LAB}.ipynb", nb)
        times.append(seconds)
        check_schema(data)
        text = json.dumps(data) + said
        assert not [s for s in secrets if s in text], name
        got[name] = data
    # the attacks gain nothing: the blank release's score, and the results are the grader's
    time.sleep(4)  # the writer's own process would have written by now
    final = json.loads((root / "results" / "results.json").read_text())
    assert final == got["writes"]
    for name in attacks:
        assert got[name]["score"] == got["blank"]["score"] == 0, name
    assert "REFUSED-FileNotFoundError" in json.dumps(got["reads"])  # the channel was open
    # the same verdicts as check's, test by test
    options = pipeline.Options(workers=1, progress=False)
    for name, nb in honest.items():
        path = tmp_path / "check" / name / f"{LAB}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        row = pipeline.check(path, COURSE, options)
        data = got[name]
        assert data["score"] == row.raw_score, name
        assert [(t["name"], t["score"], t["max_score"]) for t in data["tests"]] == [
            (c.grade_id, c.points, c.max_points) for c in row.cells
        ], name
        assert data["extra_data"]["status"] == row.status
    part = COURSE.lab(LAB)
    assert got["correct"]["score"] == part.max_score
    for m in picked:
        lost = {t["name"] for t in got[m.name]["tests"] if t["score"] < t["max_score"]}
        assert lost == set(m.fails), m.name
    hidden = {g for g in part.grade_ids if notebooks.is_hidden_test(part.cells[g])}
    for t in got["correct"]["tests"]:
        assert t["visibility"] == ("after_due_date" if t["name"] in hidden else "visible")
    print(f"run_autograder: {len(times)} submissions, {min(times):.1f}-{max(times):.1f} s each")


def pipeline_nb(stub, code: str):
    """The untouched release with ``code`` added after the my_optimizer cell."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(stub)))
    at = next(i for i, c in enumerate(nb.cells) if notebooks.grade_id(c) == "my_optimizer")
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
    return nb


# -- without the sandbox: the kernel as an unprivileged user of its own ----------------------


def _world_root() -> Path:
    """A scratch root everyone may traverse, as /autograder is (pytest's own temporary
    folders are root's only, which would lock the kernel's user out of its Python)."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="gradescope-root-"))
    root.chmod(0o755)
    return root


def _venv(root: Path) -> None:
    """``<root>/venv`` as setup.sh makes it: the system's Python 3.11, which everyone may run,
    with this environment's packages (the locked set) instead of a second install."""
    import sysconfig

    system = shutil.which("python3.11", path="/usr/bin:/bin")
    assert system, "the system's python3.11 is missing: `make test` installs it (Makefile)"
    subprocess.run([system, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    site = next((root / "venv" / "lib").glob("python3*/site-packages"))
    packages = Path(sysconfig.get_paths()["purelib"])
    # the locked packages, linked file by file into the venv (the checkout may lie in a folder
    # only root may enter, as `mktemp -d` makes one): not their .pth files, one of which would
    # import this project, installed editable, where setup.sh's venv has only the lock
    shutil.copytree(
        packages,
        site,
        dirs_exist_ok=True,
        copy_function=_link_or_copy,
        ignore=shutil.ignore_patterns("*.pth", "__editable__*", "__pycache__"),
    )


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system
        shutil.copy2(src, dst)


@pytest.mark.kernel
def test_without_a_sandbox_the_kernel_is_an_unprivileged_user_of_its_own(built, monkeypatch):
    """Where Gradescope's container cannot make the sandbox, run_autograder (as root) runs the
    kernel as a host user id of its own: it grades as check does, and an attack can neither
    read the judging files nor write results.json, now or from a process left behind."""
    if os.geteuid() != 0:
        pytest.fail("run_autograder runs as root on Gradescope: run this test as root")
    root = _unpack(built, _world_root())
    try:
        _venv(root)
        monkeypatch.setenv(ga.ISOLATION_ENV, "user")
        refs = mistakes.reference_submissions(LAB, COURSE)
        stub = COURSE.lab(LAB).release
        linger = f"LINGER-{os.getpid()}-{time.time_ns()}"  # a process that would outlive it
        reads = _attack_reads(root).replace(
            "_loot = []",
            "import os, subprocess, sys\n_loot = [f'UID-{os.getuid()}']\n"
            "try:\n    import autograder.mistakes\n    _loot.append('TOOL-IMPORTED')\n"
            "except ImportError:\n    _loot.append('TOOL-REFUSED')\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', "
            f"{linger!r}], start_new_session=True)",
        )
        runs = {
            "correct": refs["solution"],
            "reads": pipeline_nb(stub, reads),
            "writes": pipeline_nb(stub, _attack_writes(root)),
        }
        got = {}
        for name, nb in runs.items():
            data, said, _ = _run(root, f"{LAB}.ipynb", nb)
            check_schema(data)
            assert data["extra_data"].get("isolation", "").startswith("an unprivileged user"), said
            got[name] = data
        time.sleep(4)  # the writer's own process would have written by now
        assert json.loads((root / "results" / "results.json").read_text()) == got["writes"]
        assert got["correct"]["score"] == COURSE.lab(LAB).max_score
        secrets = [notebooks.EXPECTED_BEGIN, "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "FORGED"]
        for name in ("reads", "writes"):
            text = json.dumps(got[name])
            assert got[name]["score"] == 0 and not [s for s in secrets if s in text], name
        loot = json.dumps(got["reads"])
        uid = int(re.search(r"UID-(\d+)", loot)[1])
        assert uid != 0 and uid != os.getuid()
        assert "REFUSED-PermissionError" in loot  # the files are there, and root's only
        assert "TOOL-REFUSED" in loot  # nor can it import the tool, whose catalogs quote solutions
        assert zygote.processes_naming(linger) == set()  # every process of its user ended
    finally:
        shutil.rmtree(root, ignore_errors=True)
