"""The class-level rules of ``pipeline.grade`` -- one file, one row; one student, one counted
row; the gradebook, ``grades.csv`` and ``results.json`` agree; a failure is its own row's;
a rerun runs nothing it already graded -- on the synthetic mini-course, with a fake engine
that runs each notebook in this process. Every stage but ``run`` is the real one (intake,
restore, instrument, judge, score, record and a real SQLite gradebook), so these rules are
checked in about a second; the sandboxed class tests check them again with real kernels."""

from __future__ import annotations

import concurrent.futures as cf
import json
import time
from dataclasses import replace

import minicourse
import nbformat
import pytest
from nbformat.v4 import new_output
from scratch import class_folder, csv_rows

from autograder.grading import gradebook, pipeline
from autograder.grading.sandbox import engine, kernel

LOST = "# this job's worker dies"


class FakeEngine(engine.LocalEngine):
    """Threads that run a notebook's code cells with ``exec`` in one namespace, the way a
    kernel that allows errors would (an error becomes the cell's output, the next cell
    runs); a notebook whose code says ``LOST`` loses its job, as a dead worker would."""

    def __init__(self, workers: int = 2):
        super().__init__(workers)
        self.ran: list[str] = []
        threads, run = self.executor, self._run

        class Executor(cf.Executor):
            def submit(self, fn, nb, limits, **kwargs):
                assert fn is kernel.run  # the run stage asks for what a kernel does
                return threads.submit(run, nb)

        self.executor = Executor()

    def _run(self, nb) -> kernel.Execution:
        start = time.perf_counter()
        code = [c for c in nb.cells if c.cell_type == "code"]
        answer = next(c.source for c in code if minicourse.ANSWER in str(c.metadata))
        self.ran.append(answer)
        if LOST in answer:
            raise RuntimeError("the worker died")
        namespace: dict = {}
        for count, cell in enumerate(code, 1):
            cell.execution_count, cell.outputs = count, []
            try:
                exec(compile(cell.source, f"<cell {count}>", "exec"), namespace)  # noqa: S102
            except Exception as exc:  # noqa: BLE001 -- the cell's output, as in a kernel
                cell.outputs.append(
                    new_output("error", ename=type(exc).__name__, evalue=str(exc), traceback=[])
                )
        return kernel.Execution(nb, seconds=time.perf_counter() - start)


@pytest.fixture
def course(tmp_path):
    """The mini-course, its lab recorded in its gradebook the way ``generate_assignment``
    records it (nbgrader's own ``SaveCells``, in this process)."""
    from nbgrader.preprocessors import ComputeChecksums, SaveCells

    course = minicourse.build(tmp_path / "course")
    source = nbformat.read(course.root / "source" / minicourse.LAB / "mini.ipynb", as_version=4)
    with gradebook.open_gradebook(course.db_url) as gb:
        gb.update_or_create_assignment(minicourse.LAB)
    ids = {"db_url": course.db_url, "assignment": minicourse.LAB, "notebook": minicourse.LAB}
    source, resources = ComputeChecksums().preprocess(source, {"nbgrader": ids})
    SaveCells().preprocess(source, resources)
    return course


@pytest.fixture
def fake(monkeypatch):
    engines: list[FakeEngine] = []

    def start(workers, cluster, check_sandbox=True):
        engines.append(FakeEngine(workers))
        return engines[-1]

    monkeypatch.setattr(engine, "start", start)
    return engines


def _answered(course, code: str) -> bytes:
    """The release notebook with ``code`` as its answer."""
    nb = nbformat.read(course.root / "release" / minicourse.LAB / "mini.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == minicourse.ANSWER:
            cell.source = code
    return nbformat.writes(nb).encode()


def _grade(course, folder, out, **options):
    options = pipeline.Options(sandboxed=False, progress=False, **options)
    return pipeline.grade(minicourse.LAB, folder, out, course, options)


def _class(course, tmp_path):
    answer = lambda code: _answered(course, code)  # noqa: E731
    return class_folder(
        tmp_path / "subs",
        {
            "alice.ipynb": answer(minicourse.SOLUTION),
            "bob.ipynb": answer(minicourse.WRONG),  # fails the hidden test
            "carol.ipynb": answer(minicourse.BROKEN),  # fails the visible test too
            "dave/mini.ipynb": answer(minicourse.SOLUTION),
            "dave/draft.ipynb": answer(minicourse.BROKEN),  # a second notebook: skipped
            "erin.ipynb": b"{not json",
            "frank.ipynb": answer(minicourse.SOLUTION + "\n" + LOST),
            "README.md": b"a stray file: a row, no student",
        },
    )


def test_one_file_one_row_one_student_one_counted_row_and_every_record_agrees(
    course, fake, tmp_path
):
    out = tmp_path / "out"
    result = _grade(course, _class(course, tmp_path), out)
    rows = {r.file: r for r in result}
    files = {str(p.relative_to(tmp_path / "subs")) for p in (tmp_path / "subs").rglob("*.*")}
    assert sorted(rows) == sorted(files) and len(result) == len(files) == 8  # one file, one row
    said = {f: (r.status, r.raw_score, r.counted) for f, r in rows.items()}
    assert said == {
        "alice.ipynb": ("graded", 2, True),
        "bob.ipynb": ("graded", 0, True),
        "carol.ipynb": ("graded", 0, True),
        "dave/mini.ipynb": ("flagged", 2, True),  # graded, but look: a second notebook
        "dave/draft.ipynb": ("skipped", 0, False),
        "erin.ipynb": ("error", 0, True),
        "frank.ipynb": ("environment", 0, True),  # the worker died: grade again
        "README.md": ("error", 0, False),
    }
    assert "dave/mini.ipynb of the same student was graded" in rows["dave/draft.ipynb"].reason
    assert "not a valid notebook" in rows["erin.ipynb"].reason
    assert "the grading job was lost" in rows["frank.ipynb"].reason
    assert rows["README.md"].student_id == ""  # a stray file invents no student
    counted = [r.student_id for r in result if r.counted and r.student_id]
    assert sorted(counted) == sorted(set(counted))  # one student, one counted row

    # the gradebook, grades.csv and results.json say the same of every counted row; the
    # environment's failure is recorded nowhere, so the next run grades it
    in_gradebook = gradebook.grades(course.db_url, minicourse.LAB)
    kept = {r.student_id: r.final_score for r in result if r.counted and r.status != "environment"}
    assert {s: score for s, (score, _) in in_gradebook.items()} == kept
    assert set(kept) == {"alice", "bob", "carol", "dave", "erin"}
    csv = {r["file"]: r for r in csv_rows(out / "grades.csv")}
    assert set(csv) == set(rows)
    for file, row in rows.items():
        assert (csv[file]["status"], csv[file]["counted"]) == (
            row.status,
            "yes" if row.counted else "no",
        )
        if row.counted:
            assert float(csv[file]["score"]) == row.final_score
    results = {r["file"]: r for r in json.loads((out / "results.json").read_text())["rows"]}
    assert {f: (r["status"], r["raw_score"]) for f, r in results.items()} == {
        f: (r.status, r.raw_score) for f, r in rows.items()
    }


def test_a_rerun_runs_only_what_it_could_not_record_and_keeps_every_row(course, fake, tmp_path):
    folder, out = _class(course, tmp_path), tmp_path / "out"
    first = {r.file: r for r in _grade(course, folder, out)}
    ran = list(fake[-1].ran)
    assert len(ran) == 2 + 5  # the canary's two notebooks, then every notebook that runs
    (folder / "frank.ipynb").write_bytes(_answered(course, minicourse.SOLUTION))  # fixed
    again = {r.file: r for r in _grade(course, folder, out)}
    assert fake[-1].ran[2:] == [minicourse.SOLUTION]  # frank's, and nothing else
    assert again["frank.ipynb"].status == "graded" and again["frank.ipynb"].raw_score == 2
    same = {f: (r.status, r.raw_score, r.reason) for f, r in first.items() if f != "frank.ipynb"}
    assert same == {f: (r.status, r.raw_score, r.reason) for f, r in again.items() if f in same}


def test_a_crash_in_one_submission_is_its_row_alone(course, fake, tmp_path, monkeypatch):
    """A stage that crashes on one file (here the judge, on bob's) gives that row an error
    naming the stage; everyone else is graded, and the log keeps the traceback."""
    from autograder.grading import judge

    real = judge.stage

    def judging(sub, ctx):
        if sub.file == "bob.ipynb":
            raise KeyError("a bug of ours")
        return real(sub, ctx)

    stages = [replace(s, run=judging) if s.name == "judge" else s for s in pipeline.STAGES]
    monkeypatch.setattr(pipeline, "STAGES", tuple(stages))
    out = tmp_path / "out"
    rows = {r.file: r for r in _grade(course, _class(course, tmp_path), out)}
    assert rows["bob.ipynb"].status == "error"
    assert "in its judge stage (KeyError: 'a bug of ours'" in rows["bob.ipynb"].reason
    assert (rows["alice.ipynb"].status, rows["alice.ipynb"].raw_score) == ("graded", 2)
    assert rows["dave/mini.ipynb"].raw_score == 2
    log = (out / pipeline.LOG_FILE).read_text()
    assert "bob.ipynb: the judge stage crashed" in log and "KeyError" in log
