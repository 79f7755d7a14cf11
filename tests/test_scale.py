"""Grading at scale: the pipeline skips the experiments and still gives plain nbgrader's
grades; a Dask cluster gives the local grades; a worker that dies loses nothing."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE, ROOT
from scratch import copy_course

from autograder import mistakes, notebooks
from autograder.course import Course
from autograder.grading import pipeline
from autograder.grading.sandbox import bwrap, engine

LABS = COURSE.labs()


def _class(root: Path, lab: str) -> Path:
    """The reference submissions of ``lab`` (solution, stub, every cataloged mistake, the
    correct variants: what the mutation gate grades) as a class folder."""
    subs = root / "subs"
    subs.mkdir(parents=True)
    for name, nb in mistakes.reference_submissions(lab, Course(ROOT)).items():
        nbformat.write(nb, str(subs / f"{name}.ipynb"))
    return subs


def _grade(root: Path, lab: str, **options) -> dict:
    """Grade the reference class of ``lab`` in a fresh copy of the course under ``root``."""
    where = copy_course(root / "course", [lab])
    subs = _class(root, lab)
    rows = pipeline.grade(
        lab, subs, root / "out", where, pipeline.Options(progress=False, **options)
    )
    return {"course": where.root, "out": root / "out", "results": {r.student_id: r for r in rows}}


def _points(result) -> dict[str, float]:
    return {c.grade_id: c.points for c in result.cells}


class _PerLab:
    def __init__(self, factory):
        self.factory, self.done = factory, {}

    def __call__(self, lab):
        if lab not in self.done:
            self.done[lab] = self.factory(lab)
        return self.done[lab]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """``local(lab)``: the reference class graded by the pipeline on local workers."""
    return _PerLab(lambda lab: _grade(tmp_path_factory.mktemp(f"local-{lab}"), lab))


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("lab", LABS)
def test_grades_with_the_experiments_skipped_equal_plain_nbgraders(
    lab, local, graded, graded_in_full
):
    """Every reference submission gets plain nbgrader's points, cell by cell (nbgrader with
    the experiment cells emptied, as the pipeline skips them); and skipping them changes no
    grade: the solution and the untouched release graded by nbgrader as handed in, experiments
    and all, get the same points."""
    ours = local(lab)["results"]
    for plain in (graded(lab), graded_in_full(lab)):
        assert set(plain) <= set(ours)
        for student, theirs in plain.items():
            assert ours[student].status == "graded", (student, ours[student].reason)
            assert _points(ours[student]) == {c.grade_id: c.score for c in theirs.cells}, student
    assert set(graded(lab)) == set(ours) and set(graded_in_full(lab)) == {"solution", "stub"}
    assert ours["solution"].raw_score == ours["solution"].max_score > 0
    assert any(r.raw_score < r.max_score for r in ours.values())  # the mistakes did cost points


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("lab", LABS)
def test_experiments_were_not_run_and_the_feedback_says_so(lab, local):
    run = local(lab)
    source = notebooks.read(COURSE.source_path(lab))
    experiments = {c.id: c.source for c in source.cells if notebooks.is_experiment(c)}
    assert experiments, "the lab has no experiment cells to skip"
    executed = notebooks.read(run["course"] / "autograded" / "solution" / lab / f"{lab}.ipynb")
    shown = {c.id: c for c in executed.cells if c.id in experiments}
    assert set(shown) == set(experiments)
    for cell_id, cell in shown.items():
        assert cell.source == experiments[cell_id]  # the code is shown as written
        assert [o.get("text") for o in cell.outputs] == [notebooks.NOT_RUN]
    page = (run["out"] / "feedback" / "solution.html").read_text()
    assert f"{len(experiments)} experiment cell(s) of the lab were not run when graded" in page


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.cluster
# one lab: what the cluster changes is where jobs run and how the course's helpers and data
# reach the workers, the same for every lab; lab 2 reads data files and ships helpers (the
# other two labs cost 45 s more of the suite for no path of their own)
@pytest.mark.parametrize("lab", ["lab2_optimizers"])
def test_a_class_graded_on_a_dask_cluster_gets_exactly_the_local_grades(
    lab, local, cluster, tmp_path
):
    on_cluster = _grade(tmp_path, lab, cluster=cluster.scheduler_address)
    ours, theirs = local(lab)["results"], on_cluster["results"]
    assert set(theirs) == set(ours)
    for student, result in ours.items():
        got = theirs[student]
        assert (got.status, got.raw_score, _points(got)) == (
            result.status,
            result.raw_score,
            _points(result),
        ), student
    summary = (on_cluster["out"] / "results.json").read_text()
    assert f"canary on the Dask cluster at {cluster.scheduler_address}" in summary
    # only the instructor's process wrote the gradebook, the state files and the reports
    assert len(list((on_cluster["out"] / ".state").glob("*.json"))) == len(ours)
    assert (on_cluster["course"] / "gradebook.db").is_file()


def _processing(scheduler) -> list[tuple[str, str]]:
    """(task key, worker address) of the jobs running now on the cluster."""
    for _ in range(10):
        try:
            return [
                (ts.key, ts.processing_on.address)
                for ts in list(scheduler.tasks.values())
                if ts.state == "processing" and ts.processing_on is not None
            ]
        except RuntimeError:  # the scheduler changed its tasks while we read them
            time.sleep(0.01)
    return []


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.cluster
def test_a_worker_killed_mid_job_loses_no_submission(local, tmp_path):
    from distributed import Client, LocalCluster

    lab = "lab1_minibatch"
    expected = local(lab)["results"]
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as c,
        Client(c) as client,
    ):
        box: dict = {}

        def grade():
            try:
                box["run"] = _grade(tmp_path, lab, cluster=c.scheduler_address)
            except BaseException as exc:  # noqa: BLE001 -- re-raised by the test below
                box["error"] = exc

        grader = threading.Thread(target=grade)
        grader.start()
        killed = []  # the jobs that were running on a worker when it was killed
        deadline = time.monotonic() + 300
        while len(killed) < 2 and grader.is_alive() and time.monotonic() < deadline:
            running = _processing(c.scheduler)
            if not running:
                time.sleep(0.05)
                continue
            key, address = running[0]
            pid = client.run(os.getpid, workers=[address])[address]
            os.kill(pid, signal.SIGKILL)
            while address in c.scheduler.workers and time.monotonic() < deadline:
                time.sleep(0.05)  # until the scheduler has noticed the death
            ts = c.scheduler.tasks.get(key)
            if ts is not None and ts.suspicious > 0:  # it died holding this job
                killed.append(key)
            client.wait_for_workers(2, timeout=120)  # the nanny starts a new one
        grader.join(timeout=600)
    assert not grader.is_alive(), "grading did not finish"
    if "error" in box:
        raise box["error"]
    assert killed, "no worker was killed while running a job"
    results = box["run"]["results"]
    assert set(results) == set(expected)  # nothing lost
    for student, result in expected.items():
        got = results[student]
        assert (got.status, got.raw_score, _points(got)) == (
            result.status,
            result.raw_score,
            _points(result),
        ), student


def test_an_unreachable_scheduler_says_how_to_start_one():
    with pytest.raises(engine.EngineUnavailable, match="dask scheduler"):
        engine.ClusterEngine("tcp://127.0.0.1:9", timeout=0.5)


class _FakeClient:
    def __init__(self, found):
        self.found = found

    def wait_for_workers(self, n, timeout):
        pass

    def run(self, fn, *args):
        return self.found

    def nthreads(self):
        return {w: 1 for w in self.found}


def test_workers_without_a_sandbox_or_with_other_packages_are_refused():
    here = engine.probe(False)
    no_userns = {
        **here,
        "host": "node7",
        "sandbox": "bubblewrap is installed but cannot create a sandbox here (...)",
    }
    old_numpy = {**here, "host": "node8", "numpy": "1.26.0"}
    unit = engine.ClusterEngine.__new__(engine.ClusterEngine)
    unit.address = "tcp://head:8786"
    unit.client = _FakeClient({"tcp://a:1": here, "tcp://b:1": no_userns, "tcp://c:1": old_numpy})
    with pytest.raises(engine.EngineUnavailable) as caught:
        unit._check(check_sandbox=True, timeout=1)
    text = str(caught.value)
    assert "node7" in text and "cannot create a sandbox" in text
    assert "user namespaces" in text
    assert f"numpy 1.26.0 (here {here['numpy']})" in text and "node8" in text
    assert "tcp://a:1" not in text
    unit.client = _FakeClient({"tcp://a:1": here})
    assert unit._check(check_sandbox=True, timeout=1) == 1


def test_the_probe_reports_a_missing_bubblewrap(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    bwrap.bwrap.cache_clear()
    try:
        found = engine.probe(True)
    finally:
        bwrap.bwrap.cache_clear()
    assert "bubblewrap (bwrap) is not installed" in found["sandbox"]
    assert found["numpy"] == engine.probe(False)["numpy"]
