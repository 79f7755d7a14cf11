"""The ``judge`` stage: the grader reads each hidden test's results and decides, in its own process.

``read_results`` is the trust boundary: what a kernel reported for a test cell is accepted
only as one payload of the results type, with this run's nonce and the cell's grade id, every
value a float64 ``.npy`` array (no pickle) within ``MAX_RESULT_VALUES``, the whole within
``MAX_RESULTS_BYTES`` (the results channel's limits, ``autograder.notebooks``); anything
else raises ``ResultsError`` saying what was wrong.
``verdict`` compares the results with the expected values read from the course's source
notebook (``labs.checks.verdict``: tolerances, the differing entry, the known mistake's
hint). ``stage`` writes each verdict into the executed notebook as the cell's outputs -- a
line when it passed, an error with the message and hint when it did not -- where nbgrader's
scoring, the gradebook and the feedback find it, and puts the source's cell text back.
Whatever a submission's code does in its kernel, it can at most produce results, and a test
passes only when its results equal the expected ones.
"""

from __future__ import annotations

import base64
import binascii
import io
import json

import numpy as np
from nbformat import NotebookNode

from autograder import notebooks
from autograder.grading.stage import Step
from autograder.grading.submission import HiddenTest, Prepared, Submission
from autograder.notebooks import MAX_RESULTS_BYTES, NOT_RUN, RESULTS
from labs import checks


class ResultsError(ValueError):
    """The results a kernel reported cannot be judged; the message says why."""


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
    if array.dtype != np.float64 or array.size > notebooks.MAX_RESULT_VALUES:
        raise ResultsError(f"result {name!r} is {array.dtype} of {array.size} values, not float64")
    return array


def read_results(cell: NotebookNode, nonce: str, grade_id: str) -> tuple[dict, list[checks.Check]]:
    """The results a test cell reported: ``(got, checks)``. Raises ``ResultsError``."""
    payloads = [
        o["data"][RESULTS]
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result")
        and isinstance(o.get("data"), dict)
        and RESULTS in o["data"]
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


def verdict(test: HiddenTest, cell: NotebookNode, nonce: str) -> tuple[bool, str]:
    """The verdict on a test cell's reported results: ``(passed, what to show)``."""
    try:
        got, found = read_results(cell, nonce, test.grade_id)
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


def write_verdicts(nb: NotebookNode, prepared: Prepared) -> dict[str, bool]:
    """Judge every prepared test cell that ran and write its verdict as its outputs; put the
    source's cell text back. Returns whether each test passed, by grade_id (a cell that did
    not run is left without outputs, for the score stage to mark)."""
    passed = {}
    for index, test in prepared.tests.items():
        cell = nb.cells[index]
        ran = cell.get("execution_count") is not None or cell.get("outputs")
        if ran:
            ok, text = verdict(test, cell, prepared.nonce)
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


def stage(sub: Submission, ctx) -> Submission:
    write_verdicts(sub.execution.nb, sub.prepared)
    return sub


STAGE = Step("judge", stage)

__all__ = [
    "STAGE",
    "ResultsError",
    "read_results",
    "verdict",
    "write_verdicts",
    "stage",
]
