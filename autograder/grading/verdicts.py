"""Stages 2 and 3 of a hidden test: it computes in the kernel; the grader decides.

A hidden test cell of the source notebook computes its results (``_got`` and its checks:
the code before its expected block calls the student's functions through the fixed-seed
cases of ``labs.cases``), then compares them with the expected values written in it. In the
pipeline the student's kernel runs only the first part: ``prepare`` replaces each hidden
cell with that code followed by code that hands the results over as plain data -- a display
message of MIME type ``RESULTS``, JSON with every array as base64 ``.npy`` bytes (no pickle),
bounded in size. The expected values, tolerances and known mistakes never enter the kernel.

``decide`` then reads each cell's results and judges them in the grader's process, with the
expected values read from the course's source notebook, and writes the verdict into the
executed notebook: the test's output when it passed, an error with the message and hint when
it did not -- where nbgrader's scoring, the gradebook and the feedback find it. Results that
are missing, reported twice, malformed, or of the wrong kind make the test fail with a message
saying so. Whatever a submission's code does in its kernel, it can at most produce results,
and a test passes only when its results equal the expected ones.

The pipeline also leaves out what no test needs: the instructor's experiment cells, tagged
``experiment`` in the source (training runs, figures), are not run when it grades. They keep
their code and get a note as their output, which the feedback shows. Plain ``nbgrader
autograde`` runs every cell, the hidden tests as they are, and judges in the kernel.
"""

from __future__ import annotations

import ast
import base64
import binascii
import io
import json
import secrets
from dataclasses import dataclass, field

import numpy as np
from nbformat import NotebookNode

from autograder import notebooks
from autograder.authoring import expected as expected_blocks
from autograder.authoring import hints as mistakes_blocks
from labs import checks

RESULTS = "application/vnd.optim-labs.results+json"
EXPERIMENT = "experiment"  # the cell tag of an experiment no test needs
NOT_RUN = (
    "[not run when graded: an experiment that no test needs. "
    "Run the notebook to see its results.]\n"
)
MAX_RESULTS_BYTES = 4 << 20  # one test's results; the solution's largest are below 100 kB
MAX_VALUES = 1_000_000  # numbers in one result array


class TestSpecError(ValueError):
    """A hidden test cell of the source that this module cannot split (the course's fault)."""


class ResultsError(ValueError):
    """The results a kernel reported cannot be judged; the message says why."""


@dataclass(frozen=True)
class HiddenTest:
    """A hidden test as the grader knows it, from the source notebook."""

    grade_id: str
    source: str  # the whole cell, hidden tests included (what nbgrader stores)
    compute: str  # what runs in the kernel: the code up to the expected block
    expected: dict = field(repr=False)
    mistakes: list = field(repr=False)
    title: str = ""
    rtol: float = 0.0
    atol: float = 0.0
    checks: str | None = None  # the name of the cell's list of checks, if it has one


def parse(cell: NotebookNode) -> HiddenTest:
    """Split a hidden test cell of the source: its computing part, its expected values and
    known mistakes, and the title, tolerances and checks of its ``checks.judge`` call."""
    gid = notebooks.nbgrader_meta(cell)["grade_id"]
    source = cell.source
    if expected_blocks.BEGIN not in source:
        raise TestSpecError(f"hidden test {gid!r} has no expected block")
    compute = source.split(expected_blocks.BEGIN)[0]
    tail = source.split(expected_blocks.END, 1)[1]
    tail = tail.split(mistakes_blocks.END, 1)[1] if mistakes_blocks.END in tail else tail
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
        expected=expected_blocks.written(source),
        mistakes=mistakes_blocks.written(source) if mistakes_blocks.has_block(source) else [],
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
        mime=RESULTS, nonce=nonce, grade_id=test.grade_id, checks=test.checks or "[]"
    )


@dataclass(frozen=True)
class Plan:
    """How the pipeline grades a lab, read from its source notebook: its hidden tests by
    grade_id, and the ids of its experiment cells (skipped)."""

    tests: dict[str, HiddenTest]
    experiments: frozenset[str]


@dataclass
class Prepared:
    """What ``prepare`` replaced: hidden tests and skipped experiments by cell index (the
    latter with their code), and this run's nonce."""

    tests: dict[int, HiddenTest]
    nonce: str
    skipped: dict[int, str] = field(default_factory=dict)


def is_experiment(cell: NotebookNode) -> bool:
    return (
        cell.cell_type == "code"
        and EXPERIMENT in cell.get("metadata", {}).get("tags", [])
        and not notebooks.nbgrader_meta(cell)
    )


def plan(source: NotebookNode) -> Plan:
    """The hidden tests and the experiment cells of the source notebook."""
    return Plan(
        tests={
            notebooks.nbgrader_meta(c)["grade_id"]: parse(c)
            for c in notebooks.graded_cells(source)
            if expected_blocks.BEGIN in c.source
        },
        experiments=frozenset(c.get("id") for c in source.cells if is_experiment(c)),
    )


def prepare(nb: NotebookNode, graded: Plan) -> Prepared:
    """Make the (restored) notebook's hidden test cells compute and report only, and empty
    the source's experiment cells (found by cell id; a student's own cells always run)."""
    prepared = Prepared({}, secrets.token_hex(8))
    for index, cell in enumerate(nb.cells):
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if cell.cell_type != "code":
            continue
        if gid in graded.tests:
            prepared.tests[index] = graded.tests[gid]
            cell.source = kernel_source(graded.tests[gid], prepared.nonce)
        elif not gid and cell.get("id") in graded.experiments:
            prepared.skipped[index] = cell.source
            cell.source = ""
    return prepared


def _decode(name: str, packed) -> np.ndarray | None:
    if packed is None:
        return None
    if not isinstance(packed, dict):
        raise ResultsError(f"result {name!r} is not in the results' format")
    if "error" in packed:
        raise ResultsError(f"result {name!r} is not numbers: {str(packed['error'])[:300]}")
    try:
        raw = base64.b64decode(str(packed["npy"]), validate=True)
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (KeyError, binascii.Error, ValueError, OSError, EOFError) as exc:
        raise ResultsError(f"result {name!r} is malformed ({type(exc).__name__})") from exc
    if array.dtype != np.float64 or array.size > MAX_VALUES:
        raise ResultsError(f"result {name!r} is {array.dtype} of {array.size} values, not float64")
    return array


def read(cell: NotebookNode, nonce: str, grade_id: str) -> tuple[dict, list[checks.Check]]:
    """The results a test cell reported: ``(got, checks)``. Raises ``ResultsError``."""
    payloads = [
        o["data"][RESULTS]
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result")
        and RESULTS in o.get("data", {})
    ]
    if not payloads:
        error = notebooks.error_of(cell)
        if error:
            raise ResultsError(f"the test stopped before it had results: {error}")
        raise ResultsError("the test reported no results")
    if len(payloads) > 1:
        raise ResultsError("the test's results were reported more than once; none is trusted")
    payload = payloads[0]
    if len(json.dumps(payload)) > MAX_RESULTS_BYTES:
        raise ResultsError(f"the results are larger than {MAX_RESULTS_BYTES >> 20} MB")
    if not isinstance(payload, dict) or (payload.get("nonce"), payload.get("grade_id")) != (
        nonce,
        grade_id,
    ):
        raise ResultsError("the results are not this test's (wrong nonce or test id)")
    values, reported = payload.get("values"), payload.get("checks")
    if not isinstance(values, dict) or not isinstance(reported, list):
        raise ResultsError("the results are not in the results' format")
    got = {str(name): _decode(str(name), packed) for name, packed in values.items()}
    found = []
    for item in reported:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("label"), str)
            and isinstance(item.get("passed"), bool)
            and isinstance(item.get("detail", ""), str)
        ):
            raise ResultsError("a check of the results is not in the results' format")
        found.append(checks.Check(item["label"], item["passed"], item.get("detail", "")))
    return got, found


def judge(test: HiddenTest, cell: NotebookNode, nonce: str) -> tuple[bool, str]:
    """The verdict on a test cell's reported results: ``(passed, what to show)``."""
    try:
        got, found = read(cell, nonce, test.grade_id)
    except ResultsError as exc:
        return False, f"{test.title}: {exc}"
    return checks.verdict(
        test.title,
        got,
        test.expected,
        rtol=test.rtol,
        atol=test.atol,
        checks=found,
        mistakes=test.mistakes,
    )


def decide(nb: NotebookNode, prepared: Prepared) -> dict[str, bool]:
    """Judge every prepared test cell that ran and write its verdict as its outputs; put the
    source's cell text back. Returns whether each test passed, by grade_id (a cell that did
    not run is left without outputs, for the score stage to mark)."""
    passed = {}
    for index, test in prepared.tests.items():
        cell = nb.cells[index]
        ran = cell.get("execution_count") is not None or cell.get("outputs")
        if ran:
            ok, text = judge(test, cell, prepared.nonce)
            passed[test.grade_id] = ok
            cell.outputs = [
                NotebookNode(output_type="stream", name="stdout", text=text + "\n")
                if ok
                else NotebookNode(
                    output_type="error",
                    ename="TestFailed",
                    evalue=text,
                    traceback=text.splitlines(),
                )
            ]
        cell.source = test.source
    for index, code in prepared.skipped.items():
        cell = nb.cells[index]
        cell.source, cell.execution_count = code, None
        cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=NOT_RUN)]
    return passed


__all__ = [
    "RESULTS",
    "EXPERIMENT",
    "HiddenTest",
    "Plan",
    "Prepared",
    "plan",
    "prepare",
    "decide",
    "judge",
]
