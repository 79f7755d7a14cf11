"""The way students get a lab: only its assignment folder, on a machine without this repository.

nbgrader's exchange hands a student exactly ``release/<lab>/`` (``release_assignment`` then
``fetch_assignment``), and so does a download. These tests run that folder alone in a kernel
inside the grading sandbox, which sees the system and the locked Python environment but not
this repository: not ``labs/``, not ``data/``, not the editable install's sources.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import COURSE, LABS, ROOT, render_png
from nbformat.v4 import new_code_cell

from autograder import mistakes, notebooks
from autograder.course import Course
from autograder.grading.sandbox import Limits, bwrap, kernel

ROOMY = Limits(cell_timeout=120, wall_timeout=900, memory_mb=3072)

#: Run last in the kernel: where its helpers came from and what of the repository it sees.
WHERE = f"""
import importlib, json, os
try:
    importlib.import_module("autograder")
    _autograder = True
except ImportError:
    _autograder = False
import labs
print("@@WHERE@@" + json.dumps({{
    "labs": os.path.realpath(labs.__file__),
    "cwd": os.getcwd(),
    "autograder": _autograder,
    "repository": [p for p in ("labs", "data", "source", "autograder")
                   if os.path.exists(os.path.join({str(ROOT)!r}, p))],
}}))
"""


def _folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of an assignment folder but its notebook, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".ipynb"
    }


def _run_alone(lab: str, nb, tmp_path: Path):
    """Run ``nb`` in a sandboxed kernel whose folder holds only a copy of release/<lab>/,
    as a student's Run All would (full experiments). Returns the executed notebook and what
    the WHERE cell printed."""
    folder = tmp_path / lab
    shutil.copytree(COURSE.release_path(lab).parent, folder)
    nb.cells.append(new_code_cell(WHERE))
    run = kernel.run(nb, ROOMY, sandboxed=True, files=_folder_files(folder), autograding=False)
    assert run.failure is None, run.failure
    text = notebooks.stream_text(nb.cells[-1])
    assert "@@WHERE@@" in text, nb.cells[-1].get("outputs")
    return nb, json.loads(text.split("@@WHERE@@", 1)[1])


def _kind(cell) -> str:
    meta = notebooks.nbgrader_meta(cell)
    if notebooks.is_visible_test(cell):
        return "visible test"
    if meta.get("grade"):
        return "hidden test"
    if meta.get("solution"):
        return "exercise"
    return "given" if meta.get("locked") else "experiment"


def _errors(nb) -> list[tuple[int, str, str]]:
    return [
        (i, _kind(c), notebooks.error_of(c))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and notebooks.error_of(c)
    ]


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("lab", LABS)
def test_the_assignment_folder_alone_runs_the_solution_and_passes_every_visible_test(lab, tmp_path):
    bwrap.bwrap()  # the sandbox hides the repository; `make test` installs bubblewrap
    nb = Course(ROOT).lab(lab).filled(mistakes.solution_code(lab, COURSE))
    nb, where = _run_alone(lab, nb, tmp_path)
    assert where["labs"].startswith(where["cwd"] + "/labs/"), where  # the folder's own copy
    assert where["autograder"] is False and where["repository"] == [], where
    assert _errors(nb) == []
    visible = [c for c in nb.cells if notebooks.is_visible_test(c)]
    assert visible
    for cell in visible:
        assert "checks passed." in notebooks.stream_text(cell), cell.source


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("lab", LABS)
def test_the_untouched_assignment_runs_every_given_cell(lab, tmp_path):
    """Restart & Run All on the folder as fetched: the given cells run; the tests fail only
    because the exercises are not done yet, and they say so."""
    bwrap.bwrap()
    nb, where = _run_alone(lab, notebooks.read(COURSE.release_path(lab)), tmp_path)
    assert where["autograder"] is False and where["repository"] == [], where
    errors = _errors(nb)
    assert [e for e in errors if e[1] == "given"] == []
    assert {kind for _, kind, _ in errors} <= {"visible test", "experiment"}
    for _, kind, error in errors:
        if kind == "visible test":
            assert "not implemented yet" in error, error


def _run_as(user: str, home: Path, tmp_path: Path, cmd: list[str]):
    """Run ``cmd`` in ``home`` as a process whose user is named ``user``: in a bubblewrap
    namespace that sees the whole system but our own /etc/passwd, where this uid has that
    name and home. No account is created on the machine."""
    import os
    import pwd
    import subprocess

    uid = os.getuid()
    lines = [
        ln for ln in Path("/etc/passwd").read_text().splitlines() if ln.split(":")[2] != str(uid)
    ]
    lines.append(f"{user}:x:{uid}:{os.getgid()}:{user}:{home}:/bin/sh")
    passwd = tmp_path / f"passwd-{user}"
    passwd.write_text("\n".join(lines) + "\n")
    wrap = [
        bwrap.bwrap(),
        "--bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--ro-bind",
        str(passwd),
        "/etc/passwd",
    ]
    env = {**notebooks.tool_env(), "HOME": str(home), "USER": user, "LOGNAME": user}
    proc = subprocess.run(
        [*wrap, "--chdir", str(home), "--", *cmd], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, f"{cmd[3:]} as {user} failed:\n{proc.stderr[-3000:]}"
    assert pwd.getpwuid(uid).pw_name != user  # only the namespace saw the name
    return proc


def _filled_file(path: Path, lab: str, code: dict[str, str]) -> None:
    """Write the student's solution cells into the fetched notebook at ``path``."""
    nb = notebooks.read(path)
    for cell in nb.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if notebooks.nbgrader_meta(cell).get("solution") and gid in code:
            cell.source = code[gid]
    notebooks.write(nb, path)


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.browser
def test_nbgraders_exchange_round_trip_with_the_pipeline_grading_collected_submissions(tmp_path):
    """release_assignment -> a student fetches, works, submits -> collect -> `autograder
    grade` on submitted/ as nbgrader lays it out -> generate_feedback -> release_feedback ->
    the student fetches a feedback page with the right score and no hidden test code."""
    import os
    import subprocess
    import sys

    lab = "lab2_optimizers"
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    course = tmp_path / "instructor" / "optim-labs"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / lab, course / "source" / lab)
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    teacher = {"HOME": str(tmp_path / "instructor"), "USER": "teacher", "LOGNAME": "teacher"}
    notebooks.nbgrader("generate_assignment", lab, "--force", cwd=course, env=teacher)
    notebooks.nbgrader("release_assignment", lab, cwd=course, env=teacher)

    alice_home = tmp_path / "alice"
    alice_home.mkdir()
    (alice_home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n"
        "c.CourseDirectory.course_id = 'optim-labs'\n"
    )

    def as_alice(*args):
        """nbgrader knows a student by the name of the process's user: run the student's
        commands where this user is called alice (a passwd file of our own, bound in)."""
        return _run_as("alice", alice_home, tmp_path, [sys.executable, "-m", "nbgrader", *args])

    as_alice("fetch_assignment", lab)
    fetched = alice_home / lab
    assert (fetched / "labs" / "visible_tests.py").is_file()  # the helpers came along
    code = mistakes.solution_code(lab, COURSE)
    adam = next(m for m in mistakes.catalog(lab) if m.name == "adam_iter_off_by_one")
    code["my_optimizer"] = mistakes.apply(code["my_optimizer"], adam)  # costs Adam's 4 points
    _filled_file(fetched / f"{lab}.ipynb", lab, code)
    as_alice("submit", lab)

    notebooks.nbgrader("collect", lab, cwd=course, env=teacher)
    collected = course / "submitted" / "alice" / lab
    assert (collected / f"{lab}.ipynb").is_file() and (collected / "timestamp.txt").is_file()
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", lab, str(course / "submitted")],
        cwd=course,
        env={**os.environ, **teacher},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(rf"alice/{lab}/{lab}\.ipynb\s+6 / 10\s+graded", proc.stdout), proc.stdout
    notebooks.nbgrader("generate_feedback", lab, cwd=course, env=teacher)
    notebooks.nbgrader("release_feedback", lab, cwd=course, env=teacher)

    as_alice("fetch_feedback", lab)
    pages = list((fetched / "feedback").glob(f"*/{lab}.html"))
    assert len(pages) == 1, list((fetched / "feedback").rglob("*"))
    page = html.unescape(pages[0].read_text())
    assert f"{lab} (Score: 6.0 / 10.0)" in page
    assert "BEGIN HIDDEN TESTS" not in page and "_expected" not in page and "_mistakes" not in page
    hidden = set()
    for cell in filter(notebooks.is_hidden_test, notebooks.read(COURSE.source_path(lab)).cells):
        block = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        hidden |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 25}
    assert hidden and [ln for ln in hidden if ln in page] == []
    assert "Hint: " + " ".join(adam.hint.split()[:8]) in " ".join(page.split())  # its hint
    render_png(pages[0], "feedback-fetched-by-the-student")  # to be looked at
