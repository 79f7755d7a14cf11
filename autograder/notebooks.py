"""The one owner of the notebook format: every other module reads and writes it through here.

Authoring (``autograder.authoring``), the grading stages (``autograder.grading``) and the
sandbox (``autograder.grading.sandbox``) import this module, never each other, for:

- **reading and writing**: ``read``, ``write``, and ``write_atomic``, the one way every writer
  of this tool replaces a file (a notebook, results.json, grades.csv, the resume state, an
  export), so a reader never sees half a file;
- **nbgrader's metadata and the kinds of cell**: ``nbgrader_meta``, ``grade_id`` and
  ``points`` read it (a submission's metadata may be anything); one predicate per kind of
  cell -- ``is_answer``, ``is_test``, ``is_hidden_test``, ``is_visible_test``,
  ``is_read_only``, ``is_scored``, ``is_experiment`` -- says what a cell is, everywhere;
- **the generated blocks** of a hidden test cell: its expected values (``# BEGIN EXPECTED``)
  and its known mistakes (``# BEGIN MISTAKES``), how they are written (``render_expected``,
  ``render_mistakes``), found and read (``written_expected``, ``written_mistakes``), and the
  computing part of the cell before them (``hidden_test_parts``); the visible tests' calls
  (``visible_calls``). What goes into the blocks is computed by ``autograder.authoring``;
- **the results channel**, by which a hidden test's code in the student's kernel hands its
  results to the grader: the message type ``RESULTS``, its size limits
  (``MAX_RESULTS_BYTES``, ``MAX_RESULT_VALUES``), and the text an experiment cell left out of
  grading shows (``NOT_RUN``);
- **running** a notebook in a kernel (``execute``) and nbgrader's own commands (``nbgrader``).

Text from a submission is made safe for a reader by ``autograder.text.inert``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

# -- reading and writing -------------------------------------------------------------------


def read(path: Path) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)


def write(nb: NotebookNode, path: Path) -> None:
    """Validate ``nb`` and write it to ``path`` as nbformat writes a notebook, atomically."""
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    write_atomic(Path(path), text if text.endswith("\n") else text + "\n")


def write_atomic(
    path: Path, data: str | bytes, encoding: str = "utf-8", newline: str | None = None
) -> None:
    """``data`` at ``path`` (its folder made if need be), replaced in one step: written to a
    temporary file beside it, then renamed over it, so that a reader -- or a run that is
    interrupted and resumed -- sees the old file or the new one, never part of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding=encoding, newline=newline)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# -- nbgrader's metadata and the kinds of cell ----------------------------------------------


def nbgrader_meta(cell: NotebookNode) -> Mapping:
    """The cell's nbgrader metadata; empty when it has none or it is not a mapping."""
    meta = claimed_meta(cell)
    return meta if isinstance(meta, Mapping) else {}


def claimed_meta(cell: NotebookNode) -> object:
    """The cell's nbgrader metadata as it carries it: None when it has none, else whatever a
    submission put there (a mapping, or anything else)."""
    metadata = cell.get("metadata")
    return metadata.get("nbgrader") if isinstance(metadata, Mapping) else None


def grade_id(cell: NotebookNode) -> str | None:
    """The cell's grade id when it is non-empty text, else None."""
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def points(cell: NotebookNode) -> float:
    """The points nbgrader gives the cell (0 when it gives none)."""
    return float(nbgrader_meta(cell).get("points") or 0)


def is_answer(cell: NotebookNode) -> bool:
    """A cell the student writes (nbgrader ``solution``): code the tests call, or an answer
    graded by hand."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell: NotebookNode) -> bool:
    """An autograded test cell (nbgrader ``grade`` and not ``solution``): a hidden test, a
    visible test (worth 0 points, so that nbgrader's Validate reports it), or a plain
    nbgrader assignment's test of asserts."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_hidden_test(cell: NotebookNode) -> bool:
    """A test cell with an expected block: it computes in the student's kernel, and this
    tool's judge compares its results with the expected values, hidden from the release."""
    return is_test(cell) and EXPECTED_BEGIN in cell.source


def is_visible_test(cell: NotebookNode) -> bool:
    """A test cell of ``visible_tests.<name>(...)`` calls: the lab's visible tests, which
    students run before they submit."""
    return is_test(cell) and bool(visible_calls(cell.source))


def is_read_only(cell: NotebookNode) -> bool:
    """A cell students may not change: tests and the other read-only (locked) cells. The
    grader puts the course's copy back in their place."""
    meta = nbgrader_meta(cell)
    return bool(meta) and not meta.get("solution") and bool(meta.get("locked") or meta.get("grade"))


def is_scored(cell: NotebookNode) -> bool:
    """A cell nbgrader gives points: a test, an answer graded by hand, or a task."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade") or meta.get("task")) and points(cell) > 0


#: The cell tag of an instructor's experiment that no test needs (left out of grading).
EXPERIMENT = "experiment"


def is_experiment(cell: NotebookNode) -> bool:
    """An instructor's experiment (training runs, figures): tagged ``experiment``, without
    nbgrader metadata. Grading leaves it out and shows ``NOT_RUN`` in its place."""
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.cell_type == "code" and EXPERIMENT in tags and not nbgrader_meta(cell)


def answers(nb: NotebookNode) -> dict[str, list[str]]:
    """The student's answer code before each test cell, by the test's grade id (the
    notebook's metadata is the course's: see the restore stage)."""
    code_before: dict[str, list[str]] = {}
    pending: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code" and is_answer(cell):
            pending.append(cell.source)
        elif is_test(cell):
            code_before[grade_id(cell)] = pending
            pending = []
    return code_before


def student_code(nb: NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of the code cells the student wrote or could edit."""
    return [
        (i, c.source)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and not is_read_only(c)
    ]


# -- the generated blocks of a hidden test cell ---------------------------------------------

EXPECTED_BEGIN = "# BEGIN EXPECTED (generated by `make expected` from the solution; do not edit)"
EXPECTED_END = "# END EXPECTED"
_EXPECTED_BLOCK = re.compile(re.escape(EXPECTED_BEGIN) + r"\n.*?\n" + re.escape(EXPECTED_END), re.S)

MISTAKES_BEGIN = "# BEGIN MISTAKES (generated by `make expected`; do not edit)"
MISTAKES_END = "# END MISTAKES"
#: any mistakes block, also one written by an older version of this tool
_MISTAKES_BLOCK = re.compile(
    r"# BEGIN MISTAKES \([^\n]*\) key=(?P<key>\w+)\n.*?\n" + re.escape(MISTAKES_END) + r"\n?", re.S
)
#: bump when ``render_mistakes`` or the layout of the visible tests' mistakes changes, so that
#: every mistakes block is rewritten (it is part of their key)
MISTAKES_FORMAT = "5"

#: the name a notebook gives its lab's visible tests module (``labs/visible_tests.py``)
VISIBLE_TESTS = "visible_tests"


class BlockError(ValueError):
    """A cell lacks the generated block it was read for."""


def hidden_test_parts(source: str) -> tuple[str, str]:
    """A hidden test cell's computing part (the code before its expected block: what runs in
    the student's kernel) and its end after the generated blocks (the ``checks.judge`` call)."""
    if EXPECTED_BEGIN not in source or EXPECTED_END not in source:
        raise BlockError("no expected block in this cell")
    compute = source.split(EXPECTED_BEGIN)[0]
    tail = source.split(EXPECTED_END, 1)[1]
    return compute, tail.split(MISTAKES_END, 1)[1] if MISTAKES_END in tail else tail


def render_expected(values: Mapping) -> str:
    """The expected block of a hidden test: ``_expected``, a dict of NumPy arrays."""
    import numpy as np

    lines = [EXPECTED_BEGIN, "_expected = {"]
    for name, value in values.items():
        lines.append(f"    {json.dumps(name)}: np.array({np.asarray(value).tolist()!r}),")
    lines += ["}", EXPECTED_END]
    return "\n".join(lines)


def with_expected(source: str, values: Mapping) -> str:
    """``source`` with its expected block rewritten to hold ``values``."""
    return _EXPECTED_BLOCK.sub(lambda _m: render_expected(values), source)


def written_expected(source: str) -> dict:
    """The expected values written in a hidden test cell, evaluated."""
    match = _EXPECTED_BLOCK.search(source)
    if not match:
        raise BlockError("no expected block in this cell")
    return _evaluate(match.group(0), "_expected")


def _literal(value) -> str:
    # a mistake may well produce NaN or infinity, which repr writes as bare names
    return re.sub(r"\b(nan|inf)\b", r"np.\1", repr(value))


def render_mistakes(entries: list[dict], key: str) -> str:
    """The mistakes block of a hidden test: ``_mistakes``, one entry per known mistake (its
    hint, the results that differ from the solution's, the labels of the checks it fails),
    tagged with ``key``, the digest of what the entries were computed from."""
    lines = [f"{MISTAKES_BEGIN} key={key}", "_mistakes = ["]
    for e in entries:
        lines.append("    {")
        pieces = textwrap.wrap(e["hint"], 70, drop_whitespace=False) or [""]
        lines.append("        'hint': (")
        lines += [f"            {json.dumps(piece)}" for piece in pieces]
        lines.append("        ),")
        lines.append("        'differs': {")
        for name, value in e["differs"].items():
            if value is None:
                literal = "None"
            elif value.size == 0:
                literal = f"np.zeros({value.shape})"
            else:
                literal = f"np.array({_literal(value.tolist())})"
            lines.append(f"            {json.dumps(name)}: {literal},")
        lines.append("        },")
        lines.append(f"        'failed': {json.dumps(e['failed'])},")
        lines.append("    },")
    lines += ["]", MISTAKES_END]
    return "\n".join(lines) + "\n"


def without_mistakes(source: str) -> str:
    """``source`` without its mistakes blocks."""
    return _MISTAKES_BLOCK.sub("", source)


def with_mistakes(source: str, block: str) -> str:
    """``source`` with ``block`` as its one mistakes block, right after the expected block."""
    head, tail = without_mistakes(source).split(EXPECTED_END, 1)
    return head + EXPECTED_END + "\n" + block + tail.removeprefix("\n")


def mistakes_keys(source: str) -> list[str]:
    """The key of every mistakes block in ``source`` (a fresh cell has one)."""
    return [found["key"] for found in _MISTAKES_BLOCK.finditer(source)]


def written_mistakes(source: str) -> list[dict]:
    """The known mistakes written in a hidden test cell, evaluated; none without a block."""
    found = _MISTAKES_BLOCK.search(source)
    return _evaluate(found.group(0), "_mistakes") if found else []


def _evaluate(block: str, name: str):
    """The value of ``name`` after running a generated block (our own literal, NumPy only)."""
    import numpy as np

    namespace = {"np": np}
    exec(block, namespace)  # noqa: S102 -- our own generated literal
    return namespace[name]


def visible_calls(source: str) -> list[tuple[str, str]]:
    """``(test name, argument source)`` of every ``visible_tests.<name>(...)`` statement."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == VISIBLE_TESTS
        ):
            args = [ast.get_source_segment(source, a) for a in [*call.args, *call.keywords]]
            calls.append((call.func.attr, ", ".join(args)))
    return calls


# -- the results channel --------------------------------------------------------------------

#: The MIME type of the one display message by which a hidden test's code in the student's
#: kernel hands its results to the grader: JSON with every array as base64 ``.npy`` bytes (no
#: pickle), tagged with the run's nonce and the cell's grade id.
RESULTS = "application/vnd.optim-labs.results+json"
#: The most one test's results message may take (the solution's largest are below 100 kB).
MAX_RESULTS_BYTES = 4 << 20
#: The most numbers one result array may hold.
MAX_RESULT_VALUES = 1_000_000
#: The output an experiment cell left out of grading shows in the graded notebook.
NOT_RUN = (
    "[not run when graded: an experiment that no test needs. "
    "Run the notebook to see its results.]\n"
)


# -- running notebooks and nbgrader ---------------------------------------------------------


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
