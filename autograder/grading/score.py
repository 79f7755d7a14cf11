"""The ``score`` stage: points per test cell, the status and the reason.

Points come from nbgrader's own rule (``nbgrader.utils.determine_grade``: a test cell earns
its points when it ran without an error), applied to cells whose points the restore stage
took from the course's source, so a notebook scores what ``nbgrader autograde`` gives it.
A test cell that never ran (the kernel died before it) gets an error output first, so it
earns nothing -- never a silent full mark. A visible test (0 points) passed when it ran
without an error; its message and hint are kept like any other's.

The status: ``error`` when the kernel died or the job filled its disk quota (the submission's
own code), ``environment`` when nothing of the submission had run yet; otherwise ``flagged``
when anything was flagged -- tampering seen by the restore stage, the integrity check, a
hidden error, code that a lab never needs -- else ``graded``. Time and output limits reached
are noted in the reason.
"""

from __future__ import annotations

import logging
import re

from nbformat import NotebookNode
from nbgrader import utils as nbutils

from autograder import notebooks
from autograder.grading.sandbox import integrity
from autograder.grading.stage import Step
from autograder.grading.submission import CellResult, EnvironmentFault, Status, Submission
from labs import checks

LOG = logging.getLogger("autograder")

# Code that a lab never needs and an attack does; a match flags the submission for a look.
SUSPICIOUS = [
    (re.compile(r"\bsource/|source\\\\"), "refers to the course's source/ folder"),
    (re.compile(r"gradebook|\.db\b"), "refers to the gradebook"),
    (re.compile(r"\bos\._exit\b|\bsys\.exit\b"), "exits the kernel"),
    (
        re.compile(r"\bsubprocess\b|\bos\.system\b|\bpty\b|\.system\(|\.getoutput\(|^\s*!", re.M),
        "starts other programs",
    ),
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


def _error_text(cell: NotebookNode) -> tuple[str, str]:
    """The message and the hint of the cell's error (``labs.checks.split_failure``)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
            message, hint = checks.split_failure(text)
            return message[:2000], hint[:1000]
    return "", ""


def mark_not_run(nb: NotebookNode, execution) -> list[str]:
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


BY_HAND = "to be graded by hand in formgrader"


def points(nb: NotebookNode) -> list[CellResult]:
    """Every test cell's points by nbgrader's rule; a cell passed when it earned all its
    points and showed no error (so a failed 0-point visible test is reported as failed)."""
    out = []
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if nbutils.is_task(cell) and meta.get("points"):
            got, max_points = None, float(meta["points"])  # a task: always graded by hand
        elif nbutils.is_grade(cell):
            got, max_points = nbutils.determine_grade(cell, LOG)
        else:
            continue
        if got is None:  # an answer or task nbgrader leaves to a person (formgrader)
            out.append(
                CellResult(meta["grade_id"], 0.0, float(max_points), False, BY_HAND, by_hand=True)
            )
            continue
        message, hint = _error_text(cell)
        out.append(
            CellResult(
                meta["grade_id"],
                float(got or 0),
                float(max_points),
                bool(got == max_points) and not message,
                message,
                hint,
            )
        )
    return out


def suspicious(nb: NotebookNode) -> list[str]:
    found = []
    for index, code in notebooks.student_code(nb):
        for pattern, what in SUSPICIOUS:
            if pattern.search(code):
                found.append(f"code in cell {index} {what}")
    return sorted(set(found))


def stage(sub: Submission, ctx) -> Submission:
    """Points, status and reason of one executed submission."""
    execution = sub.execution
    nb = execution.nb
    missed = mark_not_run(nb, execution)
    sub.cells = points(nb)
    sub.code = notebooks.answers(nb)
    sub.raw_score = sum(c.points for c in sub.cells)
    sub.max_score = sum(c.max_points for c in sub.cells)
    if integrity.NOT_RUN_BEFORE in execution.integrity:
        # nothing of the student's had run yet: the grading machine failed, not the submission
        raise EnvironmentFault(
            f"grading environment: {integrity.NOT_RUN_BEFORE}; not the submission's fault, "
            "nothing was recorded: grade again"
        )
    if execution.failure:
        where = f" in cell {execution.failed_cell}" if execution.failed_cell is not None else ""
        sub.stop(
            Status.ERROR,
            f"{execution.failure}{where}; tests not run: {', '.join(missed) or 'none'}",
        )
    if execution.disk_full:
        before = sub.stopped.reason if sub.stopped else ""
        sub.stop(
            Status.ERROR, "; ".join(filter(None, [before, f"the notebook {execution.disk_full}"]))
        )
    if execution.timed_out_cells:
        sub.note(
            "cell time limit reached in cell(s) " + ", ".join(map(str, execution.timed_out_cells))
        )
    if execution.truncated_cells:
        sub.note(
            "output limit reached in cell(s) " + ", ".join(map(str, execution.truncated_cells))
        )
    if execution.dropped_results:
        sub.flag(
            "results messages the grader did not ask for were dropped in cell(s) "
            + ", ".join(map(str, execution.dropped_results))
        )
    if execution.hidden_error_cells:
        sub.flag(
            "errors were hidden from the notebook in cell(s) "
            + ", ".join(map(str, execution.hidden_error_cells))
            + " (the grader restored them)"
        )
    for text in [*execution.integrity, *suspicious(nb)]:
        sub.flag(text)
    by_hand = [c.grade_id for c in sub.cells if c.by_hand]
    if by_hand:
        sub.note(f"{len(by_hand)} answer(s) to grade by hand in formgrader: {', '.join(by_hand)}")
    if ctx is not None and ctx.part.plain:
        sub.note(
            "a plain nbgrader assignment: its tests ran and decided in the student's kernel, "
            "as under nbgrader autograde"
        )
    return sub


STAGE = Step("score", stage)

__all__ = ["STAGE", "SUSPICIOUS", "stage", "points", "mark_not_run", "suspicious"]
