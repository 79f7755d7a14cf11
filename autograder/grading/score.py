"""Stage 3: grade the executed notebook, decide its status, save the grades in the gradebook.

Points come from nbgrader's own rule (``nbgrader.utils.determine_grade``: a test
cell earns its points when it ran without an error), so a notebook graded here
scores what ``nbgrader autograde`` gives it. A test cell that never ran (the kernel
died before it) gets an error output first, so it earns nothing -- never a silent
full mark. Grades are saved with nbgrader's ``SaveAutoGrades``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import asdict, dataclass, field

from nbformat import NotebookNode
from nbgrader import utils as nbutils

from autograder import notebooks
from autograder.grading import integrity
from autograder.grading.collect import student_code
from autograder.grading.execute import Execution
from labs import checks

LOG = logging.getLogger("autograder")

# Code that a lab never needs and an attack does; a match flags the submission for a look.
SUSPICIOUS = [
    (re.compile(r"\bsource/|source\\\\"), "refers to the course's source/ folder"),
    (re.compile(r"gradebook|\.db\b"), "refers to the gradebook"),
    (re.compile(r"\bos\._exit\b|\bsys\.exit\b"), "exits the kernel"),
    (re.compile(r"\bsubprocess\b|\bos\.system\b|\bpty\b"), "starts other programs"),
    (re.compile(r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b"), "uses the network"),
    (re.compile(r"\bctypes\b|\bfaulthandler\b"), "uses low-level memory access"),
    (
        re.compile(r"sys\.excepthook|set_custom_exc|showtraceback|__builtins__"),
        "changes how errors are reported",
    ),
    (
        re.compile(r"(np|numpy)\.(allclose|testing\.\w+|array_equal)\s*="),
        "replaces NumPy's comparison functions",
    ),
    (re.compile(r"\b(checks|cases)\.\w+\s*="), "replaces the test helpers"),
    (
        re.compile(
            r"\bIn\s*\[|\bOut\s*\[|\b_i(h|i{1,2}|\d+)?\b|\b_oh\b|user_ns|history_manager|linecache|"
            r"\binspect\b|_getframe|\bf_(back|locals|globals)\b|gc\.get_objects|get_ipython"
        ),
        "reads the notebook's own code or the tests' variables",
    ),
    (
        re.compile(r"\beval\s*\(|\bexec\s*\(|\bcompile\s*\(|__import__|\bimportlib\b"),
        "runs code built at run time",
    ),
]


#: What a submission's grading ended in: graded; flagged for a human look (tampering);
#: error (the submission cannot be graded, or its code killed the run); environment (the
#: grading machine failed before the submission's code ran: nothing recorded, grade again).
STATUSES = ("graded", "flagged", "error", "environment")


@dataclass
class CellResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str = ""
    hint: str = ""


@dataclass
class Result:
    student_id: str
    status: str  # graded | flagged (tampering) | error (the submission) | environment (ours)
    reason: str
    score: float
    max_score: float
    cells: list[CellResult] = field(default_factory=list)
    sha256: str = ""
    seconds: float = 0.0
    sandboxed: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Result:
        return cls(**{**d, "cells": [CellResult(**c) for c in d["cells"]]})


def _error_text(cell: NotebookNode) -> tuple[str, str]:
    """The message and the hint of the cell's error (``labs.checks.split_failure``)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
            message, hint = checks.split_failure(text)
            return message[:2000], hint[:1000]
    return "", ""


def mark_not_run(nb: NotebookNode, execution: Execution) -> list[str]:
    """Give every test cell that never ran an error output; return their grade_ids."""
    missed = []
    for i, cell in enumerate(nb.cells):
        if not nbutils.is_grade(cell) or cell.cell_type != "code":
            continue
        ran = cell.get("execution_count") is not None or any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        )
        if not ran or (execution.failed_cell == i and execution.failure):
            why = execution.failure or "the cell did not run"
            cell.outputs = [
                NotebookNode(
                    {
                        "output_type": "error",
                        "ename": "NotRun",
                        "evalue": f"this test did not run: {why}",
                        "traceback": [],
                    }
                )
            ]
            missed.append(notebooks.nbgrader_meta(cell)["grade_id"])
    return missed


def grade_cells(nb: NotebookNode) -> list[CellResult]:
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not nbutils.is_grade(cell):
            continue
        points, max_points = nbutils.determine_grade(cell, LOG)
        message, hint = _error_text(cell)
        out.append(
            CellResult(
                notebooks.nbgrader_meta(cell)["grade_id"],
                float(points or 0),
                float(max_points),
                bool(points == max_points),
                message,
                hint,
            )
        )
    return out


def suspicious(nb: NotebookNode) -> list[str]:
    found = []
    for index, code in student_code(nb):
        for pattern, what in SUSPICIOUS:
            if pattern.search(code):
                found.append(f"code in cell {index} {what}")
    return sorted(set(found))


def judge(
    student_id: str,
    nb: NotebookNode,
    execution: Execution,
    tampered: list[str],
    sha256: str,
    sandboxed: bool,
) -> Result:
    """The result of one executed submission: points per test cell, status and reason."""
    missed = mark_not_run(nb, execution)
    cells = grade_cells(nb)
    score = sum(c.points for c in cells)
    max_score = sum(c.max_points for c in cells)
    reasons, status = [], "graded"
    environment = [f for f in execution.integrity if f == integrity.NOT_RUN_BEFORE]
    if execution.environment or environment:
        # nothing of the student's had run yet: the grading machine failed, not the submission
        status = "environment"
        reasons.append(
            "grading environment: "
            + (execution.failure or environment[0])
            + "; not the submission's fault, nothing was recorded: grade again"
        )
    elif execution.failure:
        status = "error"
        where = f" in cell {execution.failed_cell}" if execution.failed_cell is not None else ""
        reasons.append(f"{execution.failure}{where}; tests not run: {', '.join(missed) or 'none'}")
    if execution.timed_out_cells:
        reasons.append(
            "cell time limit reached in cell(s) " + ", ".join(map(str, execution.timed_out_cells))
        )
    if execution.truncated_cells:
        reasons.append(
            "output limit reached in cell(s) " + ", ".join(map(str, execution.truncated_cells))
        )
    if execution.hidden_error_cells:
        tampered = tampered + [
            "errors were hidden from the notebook in cell(s) "
            + ", ".join(map(str, execution.hidden_error_cells))
            + " (the grader restored them)"
        ]
    flags = tampered + [f for f in execution.integrity if f not in environment] + suspicious(nb)
    if flags:
        status = "flagged" if status == "graded" else status
        reasons += flags
    return Result(
        student_id,
        status,
        "; ".join(reasons),
        score,
        max_score,
        cells,
        sha256,
        execution.seconds,
        sandboxed,
    )


def ungradable(
    student_id: str, problem: str, sha256: str, max_score: float, grade_ids: list[str]
) -> Result:
    cells = [CellResult(g, 0.0, 0.0, False, "not graded: " + problem) for g in grade_ids]
    return Result(student_id, "error", problem, 0.0, max_score, cells, sha256)


@functools.cache
def _alembic_head() -> str:
    from nbgrader import api

    # nbgrader runs the `alembic` command from PATH: make it this environment's
    os.environ["PATH"] = notebooks.tool_env()["PATH"]
    return api._original_get_alembic_version()


_ENGINES: dict[tuple, object] = {}


def _shared_engine(url, *args, **kwargs):
    """nbgrader's ``create_engine``, once per database: every ``Gradebook`` otherwise builds
    a new engine, and with it an empty cache of compiled SQL and a new connection pool
    (``Gradebook.close`` disposes the pool, which the next use refills)."""
    from nbgrader import api

    key = (str(url), args, tuple(sorted(kwargs.items())))
    if key not in _ENGINES:
        _ENGINES[key] = api._original_create_engine(url, *args, **kwargs)
    return _ENGINES[key]


def _fast_gradebook() -> None:
    """nbgrader asks ``alembic`` (a subprocess, about a second) for the schema version every
    time a gradebook opens; it cannot change while we run, so ask once. And it builds a new
    database engine every time: share one (``_shared_engine``)."""
    from nbgrader import api

    if not hasattr(api, "_original_get_alembic_version"):
        api._original_get_alembic_version = api.get_alembic_version
        api.get_alembic_version = _alembic_head
    if not hasattr(api, "_original_create_engine"):
        api._original_create_engine = api.create_engine
        api.create_engine = _shared_engine


def _when(timestamp: str | None) -> dict:
    try:
        return {"timestamp": nbutils.parse_utc(timestamp)} if timestamp else {}
    except (ValueError, TypeError, OverflowError):
        LOG.warning("ignoring an unreadable timestamp.txt: %r", timestamp[:40])
        return {}


def save(
    db_url: str,
    lab: str,
    result: Result,
    executed: NotebookNode | None,
    timestamp: str | None = None,
) -> None:
    """Record the submission's grades in the gradebook with nbgrader's SaveAutoGrades, with
    the time nbgrader's exchange received it (for late penalties), as ``autograde`` does.
    Cells of a submission that is not plainly graded are marked for manual review."""
    import warnings

    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import SaveAutoGrades
    from sqlalchemy.exc import SAWarning

    # nbgrader's update_or_create_submission trips SQLAlchemy 2's autoflush warnings
    warnings.filterwarnings("ignore", category=SAWarning)
    _fast_gradebook()
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(result.student_id)
        gb.update_or_create_submission(lab, result.student_id, **_when(timestamp))
    if executed is None:
        return
    resources = {
        "nbgrader": {
            "notebook": lab,
            "assignment": lab,
            "student": result.student_id,
            "db_url": db_url,
        }
    }
    SaveAutoGrades().preprocess(executed, resources)
    if result.status != "graded":
        with Gradebook(db_url) as gb:
            for cell in result.cells:
                if cell.max_points > 0:  # the 0-point visible tests need no review
                    grade = gb.find_grade(cell.grade_id, lab, lab, result.student_id)
                    grade.needs_manual_grade = True
            gb.db.commit()
