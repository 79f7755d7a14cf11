"""The ``instrument`` stage: make the hidden tests compute and report, and leave out experiments.

A hidden test cell of the source notebook computes its results (``_got`` and its checks:
the code before its expected block calls the student's functions through the fixed-seed
cases of ``labs.cases``), then compares them with the expected values written in it. In the
pipeline the student's kernel runs only the first part: ``prepare`` replaces each hidden
cell with that code followed by code that hands the results over as plain data -- a display
message of MIME type ``RESULTS``, JSON with every array as base64 ``.npy`` bytes (no pickle),
bounded in size, tagged with this run's nonce. The expected values, tolerances and known
mistakes never enter the kernel; the judge stage reads them from the source.

The pipeline also leaves out what no test needs: the instructor's experiment cells, tagged
``experiment`` in the source (training runs, figures), are emptied before the run; the judge
stage gives them their code back with a note as their output, which the feedback shows.
Plain ``nbgrader autograde`` runs every cell, the hidden tests as they are, and judges in the
kernel.
"""

from __future__ import annotations

import ast
import secrets
from dataclasses import dataclass

from nbformat import NotebookNode

from autograder import notebooks
from autograder.grading.stage import Step
from autograder.grading.submission import HiddenTest, Prepared, Submission


class TestSpecError(ValueError):
    """A hidden test cell of the source that this module cannot split (the course's fault)."""


def parse(cell: NotebookNode) -> HiddenTest:
    """Split a hidden test cell of the source: its computing part, its expected values and
    known mistakes, and the title, tolerances and checks of its ``checks.judge`` call."""
    gid = notebooks.grade_id(cell)
    source = cell.source
    if not notebooks.is_hidden_test(cell):
        raise TestSpecError(f"hidden test {gid!r} has no expected block")
    compute, tail = notebooks.hidden_test_parts(source)
    call = _judge_call(tail.replace("### END HIDDEN TESTS", ""), gid)
    keywords = {k.arg: k.value for k in call.keywords}
    try:
        title = ast.literal_eval(call.args[0])
        rtol, atol = (float(ast.literal_eval(keywords[k])) for k in ("rtol", "atol"))
    except (IndexError, KeyError, ValueError) as exc:
        raise TestSpecError(f"hidden test {gid!r}: cannot read its checks.judge call") from exc
    names = keywords.get("checks")
    return HiddenTest(
        grade_id=gid,
        source=source,
        compute=compute,
        expected=notebooks.written_expected(source),
        mistakes=notebooks.written_mistakes(source),
        title=title,
        rtol=rtol,
        atol=atol,
        checks=names.id if isinstance(names, ast.Name) else None,
    )


def _judge_call(code: str, gid: str) -> ast.Call:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise TestSpecError(f"hidden test {gid!r}: its end is not Python") from exc
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "judge"
        ):
            return node
    raise TestSpecError(f"hidden test {gid!r} does not end with checks.judge(...)")


# Runs in the student's kernel, after the test's computing part. Everything here is the
# student's to tamper with; it can only change what is reported, never how it is judged.
_EMIT = """
def _autograde_report(nonce, grade_id, got, found):
    import base64, io
    import numpy
    from IPython.display import display

    def pack(value):
        if value is None:
            return None
        try:
            buffer = io.BytesIO()
            numpy.save(buffer, numpy.asarray(value, dtype=numpy.float64), allow_pickle=False)
            return {{"npy": base64.b64encode(buffer.getvalue()).decode("ascii")}}
        except Exception as exc:
            return {{"error": (type(exc).__name__ + ": " + str(exc))[:300]}}

    values = {{str(k): pack(v) for k, v in dict(got).items()}}
    reported = [
        {{"label": str(c.label), "passed": bool(c.passed), "detail": str(c.detail)[:1000]}}
        for c in found
    ]
    payload = {{"nonce": nonce, "grade_id": grade_id, "values": values, "checks": reported}}
    display({{{mime!r}: payload}}, raw=True)


_autograde_report({nonce!r}, {grade_id!r}, _got, {checks})
del _autograde_report
"""


def kernel_source(test: HiddenTest, nonce: str) -> str:
    """The code a hidden test cell runs in the student's kernel."""
    return test.compute + _EMIT.format(
        mime=notebooks.RESULTS, nonce=nonce, grade_id=test.grade_id, checks=test.checks or "[]"
    )


@dataclass(frozen=True)
class Plan:
    """How the pipeline grades a lab, read from its source notebook: its hidden tests by
    grade_id, and the ids of its experiment cells (skipped)."""

    tests: dict[str, HiddenTest]
    experiments: frozenset[str]


def plan_of(source: NotebookNode) -> Plan:
    """The hidden tests and the experiment cells of the source notebook."""
    return Plan(
        tests={
            notebooks.grade_id(c): parse(c) for c in source.cells if notebooks.is_hidden_test(c)
        },
        experiments=frozenset(c.get("id") for c in source.cells if notebooks.is_experiment(c)),
    )


def prepare(nb: NotebookNode, plan: Plan) -> Prepared:
    """Make the (restored) notebook's hidden test cells compute and report only, and empty
    the source's experiment cells (found by cell id; a student's own cells always run)."""
    prepared = Prepared({}, secrets.token_hex(8))
    for index, cell in enumerate(nb.cells):
        gid = notebooks.grade_id(cell)
        if cell.cell_type != "code":
            continue
        if gid in plan.tests:
            prepared.tests[index] = plan.tests[gid]
            cell.source = kernel_source(plan.tests[gid], prepared.nonce)
        elif not gid and cell.get("id") in plan.experiments:
            prepared.skipped[index] = cell.source
            cell.source = ""
    return prepared


def stage(sub: Submission, ctx) -> Submission:
    """The restored notebook, instrumented in place: hidden tests report, experiments are
    left out (``sub.prepared`` remembers what was replaced)."""
    sub.prepared = prepare(sub.restored, ctx.plan)
    return sub


STAGE = Step("instrument", stage)
