"""The authoring commands work on the course they are run in (``Course``), never on the folder
this tool is installed in; a course that cannot be used is an exit status, not a traceback.
No kernel: the unit tier."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from autograder.__main__ import EXIT_USAGE, main
from autograder.authoring import helpers
from autograder.course import Course, CourseError

LAB = "lab1_minibatch"
GENERATED = ("source", "release", "labs", "data")  # what an authoring command may write


def _install_folder_status() -> str:
    """``git status`` of what the authoring commands write, in the folder this tool is in."""
    return subprocess.run(
        ["git", "status", "--porcelain", "--", *GENERATED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _copy_of_the_course(where) -> Course:
    """A course folder elsewhere, as an instructor copies this one: config, helpers, data and
    one lab's source."""
    shutil.copy(ROOT / "nbgrader_config.py", where)
    for part in ("labs", "data"):
        shutil.copytree(ROOT / part, where / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "source" / LAB, where / "source" / LAB)
    return Course(where)


def test_helpers_run_inside_a_course_folder_write_there_and_nowhere_else(tmp_path):
    course = _copy_of_the_course(tmp_path)
    copied = course.source_path(LAB).parent / "labs" / "checks.py"
    copied.unlink()  # a copy gone missing, and a helper the course has changed
    with open(course.helpers_dir / "checks.py", "a") as fh:
        fh.write("\n# this course's own change\n")
    assert helpers.stale(LAB, course) == ["labs/checks.py"]
    before = _install_folder_status()
    inside = course.source_path(LAB).parent  # any folder of the course will do
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "helpers"],
        cwd=inside,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert f"{LAB}: wrote in source/{LAB}/: labs/checks.py" in run.stdout
    assert copied.read_text().endswith("# this course's own change\n")
    assert helpers.stale(LAB, course) == []
    assert _install_folder_status() == before


def test_a_course_error_is_an_exception_and_the_command_line_s_exit_status_2(
    tmp_path, monkeypatch, capsys
):
    assert not issubclass(CourseError, SystemExit)
    monkeypatch.chdir(tmp_path)  # no nbgrader_config.py here or above
    with pytest.raises(CourseError, match="no nbgrader_config.py"):
        Course.find()
    assert main(["helpers"]) == EXIT_USAGE
    assert "run this from your course folder" in capsys.readouterr().err
    course = _copy_of_the_course(tmp_path)
    assert main(["given", "lab9_nothing", "--course", str(course.root)]) == EXIT_USAGE
    assert f"lab9_nothing is not one of this tool's labs in {course.root / 'source'}" in (
        capsys.readouterr().err
    )
