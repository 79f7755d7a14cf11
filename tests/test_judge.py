"""Stage 5, judge: the trust boundary (what a kernel reports is read, never trusted), the
verdicts written into the notebook, and every trick of a hostile student."""

from __future__ import annotations

import base64
import io
import json

import nbformat
import numpy as np
import pytest
from conftest import ROOT
from nbformat import NotebookNode
from scratch import FAST, LAB, class_folder, copy_course, grade_in_parts, without_experiments

from autograder import notebooks
from autograder.course import Course
from autograder.demo import democlass
from autograder.grading import instrument, judge, pipeline

NONCE = "0123456789abcdef"
GID = "test_my_optimizer_adam"


def _npy(array, **kwargs) -> str:
    buf = io.BytesIO()
    np.save(buf, array, **kwargs)
    return base64.b64encode(buf.getvalue()).decode()


def _cell(*payloads, error: str | None = None) -> NotebookNode:
    outputs = [
        NotebookNode(output_type="display_data", data={notebooks.RESULTS: p}, metadata={})
        for p in payloads
    ]
    if error:
        outputs.append(NotebookNode(output_type="error", ename="ValueError", evalue=error))
    return NotebookNode(cell_type="code", source="", outputs=outputs, execution_count=1)


def _payload(values=None, checks=(), nonce=NONCE, gid=GID):
    values = {"W": {"npy": _npy(np.ones((2, 2)))}} if values is None else values
    return {"nonce": nonce, "grade_id": gid, "values": values, "checks": list(checks)}


def test_well_formed_results_are_read_as_arrays_and_checks():
    check = {"label": "grads unchanged", "passed": True, "detail": ""}
    got, found = judge.read_results(_cell(_payload(checks=[check])), NONCE, GID)
    assert got["W"].dtype == np.float64 and got["W"].shape == (2, 2)
    assert found[0].label == "grads unchanged" and found[0].passed


@pytest.mark.parametrize(
    "cell, words",
    [
        (_cell(), "reported no results"),
        (_cell(error="boom"), "stopped before it had results: ValueError: boom"),
        (_cell(_payload(), _payload()), "more than once"),
        (_cell(_payload(nonce="f" * 16)), "wrong nonce or test id"),
        (_cell(_payload(gid="test_my_optimizer_momentum")), "wrong nonce or test id"),
        (_cell("just text"), "wrong nonce or test id"),
        (_cell(_payload(values=[1, 2])), "not in the results' format"),
        (_cell(_payload(values={"W": {"npy": _npy(np.ones(3, dtype=np.int64))}})), "int64"),
        (
            _cell(
                _payload(
                    values={"W": {"npy": _npy(np.array([{}], dtype=object), allow_pickle=True)}}
                )
            ),
            "malformed",
        ),
        (_cell(_payload(values={"W": {"npy": "not base64!"}})), "malformed"),
        (_cell(_payload(values={"W": {"error": "TypeError: no"}})), "not numbers"),
        (_cell(_payload(checks=[{"label": 1, "passed": "yes"}])), "check of the results"),
    ],
)
def test_anything_else_a_kernel_reports_is_refused_with_a_reason(cell, words):
    with pytest.raises(judge.ResultsError, match=words):
        judge.read_results(cell, NONCE, GID)


def test_oversized_results_are_refused(monkeypatch):
    monkeypatch.setattr(judge, "MAX_RESULTS_BYTES", 1000)
    big = {"W": {"npy": _npy(np.ones(500))}}
    with pytest.raises(judge.ResultsError, match="larger than"):
        judge.read_results(_cell(_payload(values=big)), NONCE, GID)
    monkeypatch.setattr(judge, "MAX_RESULTS_BYTES", 4 << 20)
    monkeypatch.setattr(notebooks, "MAX_RESULT_VALUES", 10)
    with pytest.raises(judge.ResultsError, match="of 500 values"):
        judge.read_results(_cell(_payload(values={"W": {"npy": _npy(np.ones(500))}})), NONCE, GID)


def test_verdicts_are_written_into_the_notebook_with_the_source_back():
    lab = Course(ROOT).lab(LAB)
    plan = instrument.plan_of(lab.source)
    nb = nbformat.from_dict(json.loads(nbformat.writes(lab.source)))
    prepared = instrument.prepare(nb, plan)
    index, test = next(iter(prepared.tests.items()))
    nb.cells[index].outputs = [
        NotebookNode(
            output_type="display_data",
            data={notebooks.RESULTS: _payload(nonce=prepared.nonce, gid=test.grade_id)},
            metadata={},
        )
    ]
    passed = judge.write_verdicts(nb, prepared)
    assert passed == {test.grade_id: False}  # a 2x2 array of ones is not the answer
    [out] = nb.cells[index].outputs
    assert out.output_type == "error" and out.ename == "TestFailed"
    assert nb.cells[index].source == test.source  # what nbgrader stores and the feedback hides
    others = [i for i in prepared.tests if i != index]
    assert all(nb.cells[i].outputs == [] for i in others)  # not run: left for the score stage
    for i in prepared.skipped:
        assert nb.cells[i].outputs[0]["text"] == notebooks.NOT_RUN


# -- every trick of a hostile student, graded in a class ---------------------------------


@pytest.fixture(scope="module")
def cheating_class(tmp_path_factory):
    """Every trick of democlass.CHEATS on lab2's untouched release, and one honest
    submission (the integrity check must not flag it), graded once."""
    tmp = tmp_path_factory.mktemp("cheats")
    course = copy_course(tmp / "course", [LAB])
    files = {f"{s}.ipynb": d for s, d in democlass.cheats(course, LAB).items()}
    files["correct.ipynb"] = democlass.build(LAB, course)["correct"]
    subs = class_folder(tmp / "subs", files)
    rows = pipeline.grade(LAB, subs, tmp / "out", course, pipeline.Options(limits=FAST))
    return {r.student_id: r for r in rows}


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("kind", sorted({c.kind for c in democlass.CHEATS.values()}))
def test_no_trick_earns_a_point_in_grade(cheating_class, kind):
    """Replacing what the tests use, code running at the same time as the tests (a thread,
    an alarm, a profile hook, atexit, weakref.finalize, __del__), reading the history or the
    tests' source, forged results: the verdict is the grader's, so each earns nothing."""
    for student, cheat in democlass.CHEATS.items():
        if cheat.kind != kind:
            continue
        r = cheating_class[student]
        assert (r.raw_score, r.status) == (0, cheat.status), (student, r.reason)
        for word in cheat.words:
            assert word in r.reason, (student, r.reason)


@pytest.mark.kernel
@pytest.mark.sandbox
def test_no_trick_earns_a_point_in_check(tmp_path):
    """The same tricks through `autograder check`, two at a time."""
    from concurrent.futures import ThreadPoolExecutor

    course = Course(ROOT)

    def check(item):
        student, data = item
        path = tmp_path / student / f"{LAB}.ipynb"
        path.parent.mkdir()
        path.write_bytes(data)
        return student, pipeline.check(path, course, pipeline.Options(limits=FAST))

    with ThreadPoolExecutor(2) as pool:
        rows = dict(pool.map(check, democlass.cheats(course, LAB).items()))
    earned = {s: (r.raw_score, r.status) for s, r in rows.items() if r.raw_score != 0}
    assert earned == {}
    assert {s: r.status for s, r in rows.items()} == {
        s: c.status for s, c in democlass.CHEATS.items()
    }


@pytest.mark.kernel
def test_the_tricks_are_real_under_plain_nbgraders_in_kernel_judging(tmp_path):
    """Plain `nbgrader autograde` judges inside the student's kernel, so these tricks fool
    it (docs/design/architecture.md says so): that is what the pipeline's own judging is for."""
    names = [s for s, c in democlass.CHEATS.items() if c.beats_kernel_judging]
    assert len(names) >= 5
    cheats = democlass.cheats(Course(ROOT), LAB, names)
    # the experiment cells emptied, as in the mutation gate: no trick needs them
    subs = {
        s: without_experiments(nbformat.reads(d.decode(), as_version=4)) for s, d in cheats.items()
    }
    scores = grade_in_parts(LAB, subs, tmp_path)
    assert {s: scores[s].score for s in names} == dict.fromkeys(names, 10.0)


@pytest.mark.kernel
@pytest.mark.sandbox
def test_the_integrity_check_does_not_flag_an_honest_notebook(cheating_class):
    r = cheating_class["correct"]
    assert (r.raw_score, r.status, r.reason) == (10, "graded", "")
