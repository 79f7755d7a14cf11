"""Notebook plumbing shared by the authoring commands, the tests and the grading stages."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
LABS = ("lab1_minibatch", "lab2_optimizers", "lab3_regularization")


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for nbgrader subprocesses: this interpreter's ``bin/`` first on PATH
    (nbgrader runs ``alembic`` from PATH when it opens a gradebook) plus ``extra``."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def nbgrader(
    *args: str, cwd: Path, db_url: str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course folder ``cwd`` (with ``env`` added to the
    environment); raise with its log on failure."""
    db = [f"--CourseDirectory.db_url={db_url}"] if db_url else []
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, *db, "--log-level=WARN"],
        cwd=cwd,
        env=tool_env(**(env or {})),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        # nbgrader warns once per hidden test cell that its checksum changed (expected: the
        # hidden tests differ from the release); leave those out so the error itself shows
        log = "\n".join(
            line for line in proc.stderr.splitlines() if "Attribute 'checksum' for cell" not in line
        )
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}")
    return proc


def find_course(*starts: Path) -> Path:
    """The nbgrader course folder: the first of ``starts`` (or a parent of it) that holds
    ``nbgrader_config.py``, as nbgrader itself finds its configuration. Raises SystemExit
    saying what to do when there is none: never the folder this tool happens to be in."""
    for start in starts:
        here = Path(start).resolve()
        for folder in (here, *here.parents):
            if (folder / "nbgrader_config.py").is_file():
                return folder
    raise SystemExit(
        f"autograder: no nbgrader_config.py in {Path(starts[0]).resolve()} or its parents; "
        "run this from your course folder, or pass --course COURSE_FOLDER"
    )


def source_path(lab: str, root: Path = ROOT) -> Path:
    return root / "source" / lab / f"{lab}.ipynb"


def release_path(lab: str, root: Path = ROOT) -> Path:
    return root / "release" / lab / f"{lab}.ipynb"


def available_labs(root: Path = ROOT) -> list[str]:
    """The labs whose source notebook exists, in course order."""
    return [lab for lab in LABS if source_path(lab, root).is_file()]


def check_lab(lab: str, root: Path = ROOT) -> str:
    if lab not in LABS:
        raise SystemExit(f"autograder: unknown lab {lab!r}; the labs are {', '.join(LABS)}")
    if not source_path(lab, root).is_file():
        raise SystemExit(f"autograder: {source_path(lab, root)} does not exist")
    return lab


def read(path: Path) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)


def write(nb: NotebookNode, path: Path) -> None:
    nbformat.validate(nb)
    nbformat.write(nb, str(path))


def nbgrader_meta(cell: NotebookNode) -> Mapping:
    """The cell's nbgrader metadata; empty when it has none or it is not a mapping."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def test_cells(nb: NotebookNode) -> Iterator[NotebookNode]:
    """Every autograded test cell (nbgrader ``grade`` and not ``solution``): the hidden tests
    and the visible ones, which are graded cells worth 0 points so that nbgrader's Validate
    reports them."""
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            yield cell


def graded_cells(nb: NotebookNode) -> Iterator[NotebookNode]:
    """The test cells that carry points: the hidden tests."""
    for cell in test_cells(nb):
        if nbgrader_meta(cell).get("points", 0) > 0:
            yield cell


def execute(
    nb: NotebookNode,
    cwd: Path,
    *,
    timeout: int = 120,
    allow_errors: bool = False,
    env: Mapping[str, str] | None = None,
) -> NotebookNode:
    """Run every code cell in a fresh ``python3`` kernel started in ``cwd``; return ``nb``."""
    kernel_env = dict(os.environ)
    kernel_env.update(env or {})
    kernel_env.setdefault("MPLBACKEND", "agg")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute(env=kernel_env)
    return nb


def stream_text(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def error_of(cell: NotebookNode) -> str | None:
    for o in cell.get("outputs", []):
        if o.output_type == "error":
            return f"{o.ename}: {o.evalue}"
    return None
