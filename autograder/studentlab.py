"""``python -m autograder lab`` (``make lab``): JupyterLab on exactly what a student has.

A student on JupyterHub runs ``nbgrader fetch_assignment`` and gets one folder per lab,
``<lab>/``, a copy of ``release/<lab>/``; a student on a laptop downloads the same folder.
This command does the same into a workspace (default ``my-labs/`` in the course folder):
it copies every ``release/<lab>/`` that is not there yet -- never over a student's work --
and starts JupyterLab there, with nbgrader's student tools (Validate) but without the
instructor's (Formgrader, Create Assignment, the course list). Those are switched off for
this server only, through a configuration folder of its own on ``JUPYTER_CONFIG_PATH``;
the Python environment and the user's own Jupyter settings are left as they are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.course import Course

#: nbgrader's JupyterLab plugins and server extensions that are for instructors.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)


def prepare(workspace: Path, course: Course) -> list[str]:
    """Copy each release folder of ``course`` into ``workspace`` unless the student has it
    already; return what this did, a line per lab."""
    workspace.mkdir(parents=True, exist_ok=True)
    said = []
    for lab in course.labs():
        if not course.release_path(lab).parent.is_dir():
            continue  # a draft, not released yet
        target = workspace / lab
        if target.exists():
            said.append(f"{target}: kept (your work is never overwritten)")
            continue
        shutil.copytree(
            course.release_path(lab).parent,
            target,
            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
        )
        said.append(f"{target}: copied from release/{lab}/")
    return said


def student_config(folder: Path) -> Path:
    """A Jupyter configuration folder that switches off the instructor tools."""
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {name: True for name in INSTRUCTOR_PLUGINS}}, indent=1)
    )
    extensions = {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}
    (folder / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=1)
    )
    return folder


def command(workspace: Path, extra: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={workspace}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd + extra


def environment(config: Path) -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(config), *filter(None, env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


def main(workspace: Path, extra: list[str], course: Course) -> int:
    for line in prepare(workspace, course):
        print(line)
    with tempfile.TemporaryDirectory(prefix="student-jupyter-config-") as tmp:
        config = student_config(Path(tmp))
        print(f"JupyterLab on {workspace} (instructor tools switched off; Ctrl+C to stop)")
        try:
            return subprocess.call(
                command(workspace, extra), cwd=workspace, env=environment(config)
            )
        except KeyboardInterrupt:
            return 0
