"""One submission's path, ``pipeline.flow``, with fake stages: the order, what a fault of each
kind ends in, which stages still run, and the log a fault leaves. No kernel, no course."""

from __future__ import annotations

import dataclasses
import logging
from types import SimpleNamespace

import pytest
from nbformat.v4 import new_code_cell

from autograder.grading import pipeline
from autograder.grading.stage import Stage, Step
from autograder.grading.submission import EnvironmentFault, Submission, SubmissionFault

#: A lab of two test cells, worth 3 and 7 points: all ``flow`` reads of a lab.
LAB = SimpleNamespace(
    cells={
        gid: new_code_cell(metadata={"nbgrader": {"grade": True, "points": points}})
        for gid, points in (("t1", 3), ("t2", 7))
    },
    grade_ids=["t1", "t2"],
    max_score=10.0,
)
CTX = SimpleNamespace(part=LAB)


def _stages(ran: list[str], raises: dict[str, BaseException] | None = None) -> list[Step]:
    """The seven stages' names, each noting that it ran and raising what ``raises`` says."""
    raises = raises or {}

    def make(name: str):
        def run(sub, ctx):
            assert ctx is CTX
            ran.append(name)
            if name in raises:
                raise raises[name]
            if name == "score":
                sub.raw_score, sub.max_score = 10.0, 10.0

        return run

    return [dataclasses.replace(s, run=make(s.name)) for s in pipeline.STAGES]


def _sub(name: str = "alice.ipynb") -> Submission:
    return Submission.of(name, None, name.split(".")[0])


def test_every_stage_runs_in_order_on_the_same_record():
    ran: list[str] = []
    stages = _stages(ran)
    assert all(isinstance(s, Stage) for s in stages)
    row = pipeline.flow(_sub(), CTX, stages)
    assert ran == [s.name for s in pipeline.STAGES]
    assert (row.status, row.raw_score, row.max_score, row.reason) == ("graded", 10.0, 10.0, "")


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (SubmissionFault("not a notebook: read it"), "error"),
        (EnvironmentFault("no disk"), "environment"),
    ],
)
def test_a_fault_ends_the_grading_and_only_the_record_stage_still_runs(fault, status):
    ran: list[str] = []
    row = pipeline.flow(_sub(), CTX, _stages(ran, {"restore": fault}))
    assert ran == ["intake", "restore", "record"]
    assert (row.status, row.reason, row.raw_score, row.max_score) == (status, str(fault), 0.0, 10.0)
    assert [(c.grade_id, c.points, c.max_points) for c in row.cells] == [
        ("t1", 0.0, 3.0),
        ("t2", 0.0, 7.0),
    ]
    assert all(c.message == f"not graded: {fault}" for c in row.cells)


def test_a_crash_names_its_stage_and_the_log_and_keeps_the_traceback(caplog):
    ran: list[str] = []
    crash = ZeroDivisionError("division by zero in the judge")
    with caplog.at_level(logging.INFO, logger="autograder"):
        row = pipeline.flow(_sub("bob.ipynb"), CTX, _stages(ran, {"judge": crash}))
    assert ran == ["intake", "restore", "instrument", "run", "judge", "record"]
    assert row.status == "error"
    assert "in its judge stage (ZeroDivisionError: division by zero in the judge" in row.reason
    assert "grader.log" in row.reason and "grade it by hand" in row.reason
    [logged] = [r for r in caplog.records if r.exc_info]
    assert "bob.ipynb" in logged.getMessage() and "judge" in logged.getMessage()
    assert logged.exc_info[1] is crash


def test_a_crash_of_the_record_stage_is_the_environments_and_keeps_nothing():
    row = pipeline.flow(_sub(), CTX, _stages([], {"record": OSError("database is locked")}))
    assert row.status == "environment"
    assert "could not be recorded (OSError: database is locked" in row.reason
    assert "nothing was kept: grade again" in row.reason


def test_a_record_intake_will_not_run_goes_to_the_record_stage_only():
    ran: list[str] = []
    sub = _sub()
    sub.stop("error", "a duplicate of alice.ipynb")
    row = pipeline.flow(sub, CTX, _stages(ran))
    assert ran == ["record"]
    assert (row.status, row.reason) == ("error", "a duplicate of alice.ipynb")
    assert {c.message for c in row.cells} == {"not graded: a duplicate of alice.ipynb"}


def test_the_grader_log_is_inert_whatever_a_submission_makes_an_exception_say(tmp_path):
    """A file name and an exception message a student chose cannot clear the terminal that
    shows the log, nor forge a line of their own at its margin."""
    forged = "x\n2026-12-07 00:00:00,000 INFO everything graded fine\x1b[2J"
    with pipeline.logged(tmp_path):
        pipeline.flow(_sub(f"{forged}.ipynb"), CTX, _stages([], {"run": RuntimeError(forged)}))
    log = (tmp_path / pipeline.LOG_FILE).read_text()
    assert "Traceback (most recent call last)" in log and "RuntimeError" in log
    assert "\x1b" not in log and "\\x1b[2J" in log
    lines = log.splitlines()
    assert not any(line.startswith("2026-12-07 00:00:00,000") for line in lines), log
    assert sum(line[:1].isdigit() for line in lines) == 1  # one record, one line at the margin
    assert logging.getLogger("autograder").handlers == []  # the file is closed after the run


#: What a stage module may import of the grading package: the records, the stage interface,
#: the sandbox (the run stage's records and jobs), and its own helpers; never another stage.
MAY_IMPORT = {"submission", "stage", "sandbox", "identity", "gradebook"}


def test_no_stage_imports_another_stage_or_the_report():
    import ast
    from pathlib import Path

    folder = Path(pipeline.__file__).parent
    names = {s.name for s in pipeline.STAGES}
    crossing = {}
    for name in names:
        tree = ast.parse((folder / f"{name}.py").read_text())
        used = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "autograder.grading":
                used |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "autograder.grading."
            ):
                used.add(node.module.split(".")[2])
        if used - MAY_IMPORT:
            crossing[name] = sorted(used - MAY_IMPORT)
    assert crossing == {}
