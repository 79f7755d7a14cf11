"""The pipeline as a whole: a class of odd files in one run, the demo class, resuming,
the canary, containment, a copy of the course graded from anywhere, ``check``."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE, ROOT
from scratch import FAST, LAB, class_folder, copy_course, csv_rows

from autograder import notebooks
from autograder.course import Course
from autograder.demo import democlass
from autograder.grading import gradebook, pipeline, record, restore
from autograder.grading.pipeline import STAGES
from autograder.grading.sandbox import bwrap, kernel
from autograder.grading.stage import Stage

# --------------------------------------------------------------------------------------
# One folder of every odd kind, next to honest work, graded in one run
# --------------------------------------------------------------------------------------

ODD = {  # file: (score or None when not counted, status, words its reason must contain)
    "alice.ipynb": (10, "graded", []),
    f"bob/{LAB}.ipynb": (10, "graded", []),
    f"carol/{LAB}/{LAB}.ipynb": (10, "graded", []),
    "dave/My Lab (final).ipynb": (10, "graded", [f"not named {LAB}.ipynb"]),
    "olga.IPYNB": (10, "graded", []),
    f"pat/{LAB}.ipynb": (10, "graded", []),
    "erin.ipynb": (0, "error", ["a notebook of lab1_minibatch", "not of lab2_optimizers"]),
    "frank.ipynb": (10, "flagged", ["'create_mini_batches' of lab1_minibatch", "no points"]),
    "grace.ipynb": (10, "flagged", ["grade id 'bonus'", "earned no points"]),
    "heidi.ipynb": (10, "flagged", ["'my_own_name'", "'my_optimizer' was deleted"]),
    "ivan.ipynb": (10, "flagged", ["without a valid grade id", "was deleted; it was put back"]),
    "judy.ipynb": (10, "flagged", ["without a valid grade id"]),
    "ken.ipynb": (10, "flagged", ["metadata is not readable"]),
    f"leo/{LAB}.ipynb": (0, "flagged", [f"not graded: leo/{LAB} (1).ipynb", "check which"]),
    f"leo/{LAB} (1).ipynb": (None, "skipped", [f"leo/{LAB}.ipynb of the same student was"]),
    "mia.ipynb": (10, "flagged", [f"not graded: mia/{LAB}.ipynb"]),
    f"mia/{LAB}.ipynb": (None, "skipped", ["mia.ipynb of the same student was graded"]),
    "nick.py": (None, "error", ["a .py file, not a notebook"]),
    "pat/extra.zip": (None, "error", ["a zip inside the submissions"]),
    f"pat/.ipynb_checkpoints/{LAB}-checkpoint.ipynb": (None, "error", ["autosave copy"]),
    "quinn.ipynb": (0, "error", ["not a valid notebook"]),
    "bad name!.ipynb": (None, "error", ["no student id can be read"]),
}


def _all_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def odd_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("odd")
    course = copy_course(tmp / "course", ["lab1_minibatch", LAB])
    subs = tmp / "subs"
    what = democlass.write_odd_files(LAB, course, subs)
    rows_of_their_own = {f for f in what if not f.startswith(f"carol/{LAB}/") or ".ipynb" in f}
    assert rows_of_their_own == set(ODD)  # the others belong to carol's notebook
    rows = pipeline.grade(LAB, subs, tmp / "out", course, pipeline.Options(limits=FAST))
    return {"course": course, "subs": subs, "out": tmp / "out", "rows": rows}


@pytest.mark.kernel
@pytest.mark.sandbox
def test_every_file_of_an_odd_class_ends_in_exactly_one_row(odd_class):
    rows = odd_class["rows"]
    files = [r.file for r in rows]
    assert len(files) == len(set(files))
    accounted = files + [f for r in rows for f in r.accounts_for]
    assert sorted(accounted) == sorted(_all_files(odd_class["subs"]))  # none twice, none lost
    # nbgrader's timestamp and the copied helpers belong to carol's row
    carol = next(r for r in rows if r.student_id == "carol")
    assert f"carol/{LAB}/timestamp.txt" in carol.accounts_for
    assert [row["file"] for row in csv_rows(odd_class["out"] / "grades.csv")] == files


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("file", sorted(ODD))
def test_each_odd_file_gets_its_score_status_and_reason(odd_class, file):
    row = next(r for r in odd_class["rows"] if r.file == file)
    score, status, words = ODD[file]
    assert row.status == status, row.reason
    assert row.counted == (score is not None), row.reason
    if score is not None:
        assert row.raw_score == score and row.max_score == 10, row.reason
    for word in words:
        assert word in row.reason, row.reason


@pytest.mark.kernel
@pytest.mark.sandbox
def test_the_gradebook_and_grades_csv_agree(odd_class):
    course, out = odd_class["course"], odd_class["out"]
    rows = csv_rows(out / "grades.csv")
    counted = {r["student_id"]: r for r in rows if r["counted"] == "yes"}
    book = gradebook.grades(course.db_url, LAB)
    assert set(book) == set(counted)  # errors too: formgrader and nbgrader export list them
    for student, row in counted.items():
        score, needs_review = book[student]
        assert score == float(row["score"]), student
        assert needs_review == (row["status"] != "graded"), student
    # nbgrader's own export lists them
    export = out / "export.csv"
    notebooks.nbgrader("export", f"--to={export}", cwd=course.root, db_url=course.db_url)
    exported = {r["student_id"]: float(r["raw_score"]) for r in csv_rows(export)}
    assert exported == {s: float(r["score"]) for s, r in counted.items()}
    # a reviewer reads the reason in formgrader
    with gradebook.open_gradebook(course.db_url) as gb:
        comments = [c.auto_comment for c in gb.find_submission_notebook(LAB, LAB, "erin").comments]
    assert comments and all("a notebook of lab1_minibatch" in c for c in comments)


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_regrade_replaces_the_old_score(odd_class, tmp_path):
    course, subs, out = odd_class["course"], odd_class["subs"], odd_class["out"]
    assert gradebook.grades(course.db_url, LAB)["alice"] == (10.0, False)
    (subs / "alice.ipynb").write_bytes(b"\x89PNG not a notebook")
    options = pipeline.Options(limits=FAST, progress=False)
    try:
        rows = {r.file: r for r in pipeline.grade(LAB, subs, out, course, options)}
    finally:
        democlass.write_odd_files(LAB, course, subs)  # as the other tests expect it
    assert (rows["alice.ipynb"].raw_score, rows["alice.ipynb"].status) == (0, "error")
    assert "not UTF-8" in rows["alice.ipynb"].reason
    assert gradebook.grades(course.db_url, LAB)["alice"] == (0.0, True)
    alice = next(r for r in csv_rows(out / "grades.csv") if r["student_id"] == "alice")
    assert (alice["score"], alice["status"]) == ("0", "error")


@pytest.mark.kernel
@pytest.mark.sandbox
def test_any_failure_of_a_stage_is_that_files_row_only(tmp_path, monkeypatch):
    """Containment: a stage that raises anything on one file makes that file's row, and the
    class goes on; a rerun grades it again rather than aborting."""
    course = copy_course(tmp_path / "course", [LAB])
    built = democlass.build(LAB, course)
    subs = class_folder(tmp_path / "subs", {f"{s}.ipynb": built[s] for s in ("correct", "stub")})
    real = restore.stage

    def explodes_on_stub(sub, ctx):
        if sub.student_id == "stub":
            raise KeyError("boom")
        return real(sub, ctx)

    stages = [replace(s, run=explodes_on_stub) if s.name == "restore" else s for s in STAGES]
    monkeypatch.setattr(pipeline, "STAGES", tuple(stages))
    options = pipeline.Options(limits=FAST, progress=False)
    rows = {r.student_id: r for r in pipeline.grade(LAB, subs, tmp_path / "out", course, options)}
    assert (rows["correct"].raw_score, rows["correct"].status) == (10, "graded")
    assert rows["stub"].status == "error"
    assert "restore stage (KeyError: 'boom'" in rows["stub"].reason
    assert gradebook.grades(course.db_url, LAB)["stub"] == (0.0, True)


# --------------------------------------------------------------------------------------
# The demo class: honest, broken and hostile notebooks
# --------------------------------------------------------------------------------------

DEMO = {  # student: (score, status, words the reason must contain)
    "correct": (10, "graded", []),
    "partly-momentum-state-not-stored": (8, "graded", []),
    "partly-adam-iter-off-by-one": (6, "graded", []),
    "stub": (0, "graded", []),
    "broken-json": (0, "error", ["not a valid notebook"]),
    "infinite-loop": (0, "graded", ["cell time limit"]),
    "os-exit": (0, "error", ["kernel died", "tests not run", "test_my_optimizer_adam"]),
    "memory-bomb": (10, "graded", []),
    "output-flood": (10, "graded", ["output limit"]),
    "edited-test": (10, "flagged", ["test_my_optimizer_momentum", "was edited"]),
    "reads-source": (10, "flagged", ["source/"]),
    "writes-gradebook": (10, "flagged", ["gradebook"]),
}


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.parametrize("student", sorted(DEMO))
def test_each_demo_submission_gets_its_score_status_and_reason(demo_class, student):
    r = demo_class["rows"][student]
    score, status, words = DEMO[student]
    assert (r.raw_score, r.status) == (score, status), r.reason
    for word in words:
        assert word in r.reason
    assert r.sandboxed


@pytest.mark.kernel
@pytest.mark.sandbox
def test_the_demo_grades_equal_plain_nbgraders(demo_class, graded):
    plain = graded(LAB)  # the same honest notebooks graded by nbgrader autograde
    pairs = {
        "correct": "solution",
        "stub": "stub",
        "partly-momentum-state-not-stored": "mistake-momentum-state-not-stored",
        "partly-adam-iter-off-by-one": "mistake-adam-iter-off-by-one",
    }
    for mine, theirs in pairs.items():
        ours = {c.grade_id: c.points for c in demo_class["rows"][mine].cells if c.max_points}
        nbg = {c.grade_id: c.score for c in plain[theirs].cells if c.max_score}
        assert ours == nbg, mine


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_rerun_grades_nothing_again(demo_class, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("an unchanged submission was executed again")

    monkeypatch.setattr(kernel, "run", must_not_run)
    again = pipeline.grade(
        LAB, demo_class["subs"], demo_class["out"], demo_class["course"], pipeline.Options()
    )
    assert {r.student_id: (r.raw_score, r.status) for r in again} == {
        s: (r.raw_score, r.status) for s, r in demo_class["rows"].items()
    }


@pytest.mark.kernel
@pytest.mark.sandbox
def test_an_interrupted_run_resumes_without_grading_twice(tmp_path, monkeypatch):
    course = copy_course(tmp_path / "course", [LAB])
    built = democlass.build(LAB, course)
    names = ("correct", "stub", "partly-adam-iter-off-by-one")
    subs = class_folder(tmp_path / "subs", {f"{s}.ipynb": built[s] for s in names})
    real_run, ran = kernel.run, []
    canary = 2  # before the students: the course's solution and its untouched release

    def flaky(nb, *args, **kwargs):
        if len(ran) == canary + 2:
            raise KeyboardInterrupt
        ran.append(1)
        return real_run(nb, *args, **kwargs)

    monkeypatch.setattr(kernel, "run", flaky)
    options = pipeline.Options(workers=1, limits=FAST, progress=False)
    with pytest.raises(KeyboardInterrupt):
        pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    assert len(record.states(tmp_path / "out")) == 2
    ran.clear()
    monkeypatch.setattr(
        kernel, "run", lambda nb, *a, **k: (ran.append(1), real_run(nb, *a, **k))[1]
    )
    rows = pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    assert len(ran) == canary + 1  # of the students, only the one that was interrupted
    assert sorted((r.student_id, r.raw_score) for r in rows) == [
        ("correct", 10),
        ("partly-adam-iter-off-by-one", 6),
        ("stub", 0),
    ]


def test_grading_refuses_to_start_without_a_sandbox(tmp_path, monkeypatch):
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    bwrap.bwrap.cache_clear()
    course = Course(ROOT)
    try:
        with pytest.raises(bwrap.SandboxUnavailable, match="--no-sandbox"):
            pipeline.grade(LAB, tmp_path, tmp_path / "out", course, pipeline.Options())
    finally:
        bwrap.bwrap.cache_clear()


@pytest.mark.kernel
@pytest.mark.sandbox
def test_without_a_sandbox_every_report_says_so_and_a_sandboxed_run_regrades(tmp_path):
    course = copy_course(tmp_path / "course", [LAB])
    subs = class_folder(
        tmp_path / "subs", {"correct.ipynb": democlass.build(LAB, course)["correct"]}
    )
    out = tmp_path / "out"
    bare = pipeline.Options(limits=FAST, sandboxed=False, progress=False)
    [r] = pipeline.grade(LAB, subs, out, course, bare)
    assert (r.raw_score, r.status, r.sandboxed) == (10, "graded", False)
    assert json.loads((out / "results.json").read_text())["sandboxed"] is False
    assert "graded WITHOUT a sandbox" in (out / "report.html").read_text()
    assert "without a sandbox (--no-sandbox)" in (out / "feedback" / "correct.html").read_text()
    [r] = pipeline.grade(LAB, subs, out, course, pipeline.Options(limits=FAST, progress=False))
    assert (r.raw_score, r.sandboxed) == (10, True)  # same content, but now graded sandboxed
    assert json.loads((out / "results.json").read_text())["sandboxed"] is True
    assert "WITHOUT" not in (out / "report.html").read_text()


# --------------------------------------------------------------------------------------
# The course: found from where the tool runs, its own helpers, its own gradebook
# --------------------------------------------------------------------------------------


def _grade_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", LAB, *args, "--timeout", "10"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_copy_of_the_course_is_graded_with_its_own_helpers_from_any_folder(tmp_path):
    copy = copy_course(tmp_path / "my-course-copy", [LAB])
    marker = "HELPERS OF THE COPY"
    plots = copy.root / "source" / LAB / "labs" / "plots.py"  # imported first by the setup cell
    plots.write_text(plots.read_text() + f"\nprint({marker!r})\n")  # the copy's own helpers
    built = democlass.build(LAB, copy)
    subs = class_folder(
        tmp_path / "subs",
        {f"{s}.ipynb": built[s] for s in ("correct", "partly-adam-iter-off-by-one")},
    )
    repo_gradebook = ROOT / "gradebook.db"
    before = repo_gradebook.stat().st_mtime if repo_gradebook.exists() else None

    proc = _grade_cli(copy.root, str(subs))  # from the copy, without --course
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"correct\.ipynb\s+10 / 10\s+graded", proc.stdout), proc.stdout
    assert re.search(r"partly-adam-iter-off-by-one\.ipynb\s+6 / 10\s+graded", proc.stdout)
    assert re.search(
        r"canary on .*: the solution scored 10 / 10, the untouched release 0 / 10", proc.stdout
    )
    assert (copy.root / "gradebook.db").exists()
    assert (copy.root / "graded" / LAB / "grades.csv").exists()
    executed = notebooks.read(copy.root / "autograded" / "correct" / LAB / f"{LAB}.ipynb")
    assert marker in notebooks.stream_text(executed.cells[1])  # imported from the copy

    proc = _grade_cli(tmp_path, str(subs), "--course", str(copy.root), "--force")  # elsewhere
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"correct\.ipynb\s+10 / 10\s+graded", proc.stdout), proc.stdout
    after = repo_gradebook.stat().st_mtime if repo_gradebook.exists() else None
    assert after == before  # this repository's own gradebook was not touched
    assert "no nbgrader_config.py" in _grade_cli(tmp_path, str(subs)).stderr  # nothing found


@pytest.mark.kernel
@pytest.mark.sandbox
def test_the_canary_stops_a_broken_environment_before_any_grade(tmp_path):
    import shutil

    copy = copy_course(tmp_path / "course", [LAB])
    shutil.rmtree(copy.root / "source" / LAB / "labs")  # the kernel cannot import the helpers
    subs = class_folder(tmp_path / "subs", {"correct.ipynb": democlass.build(LAB, copy)["correct"]})
    proc = _grade_cli(copy.root, str(subs))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "the canary failed" in proc.stderr and "nothing was written" in proc.stderr
    assert "No module named 'labs'" in proc.stderr
    assert "the kernel cannot import labs" in proc.stderr and "make helpers" in proc.stderr
    assert not (copy.root / "graded" / LAB / "grades.csv").exists()
    if (copy.root / "gradebook.db").exists():
        assert gradebook.grades(copy.db_url, LAB) == {}


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_failure_of_the_grading_machine_is_not_the_students_and_is_retried(tmp_path, monkeypatch):
    course = copy_course(tmp_path / "course", [LAB])
    built = democlass.build(LAB, course)
    subs = class_folder(tmp_path / "subs", {f"{s}.ipynb": built[s] for s in ("correct", "stub")})
    real_run = kernel.run

    def no_kernel_for_stub(nb, *args, **kwargs):
        if any("raise NotImplementedError()" in c.source for c in nb.cells) and not any(
            "W_dlt = gamma" in c.source for c in nb.cells
        ):
            return kernel.Execution(
                nb, failure="the kernel did not start: RuntimeError: boom", environment=True
            )
        return real_run(nb, *args, **kwargs)

    monkeypatch.setattr(kernel, "run", no_kernel_for_stub)
    options = pipeline.Options(limits=FAST, progress=False)
    with pytest.raises(pipeline.CanaryFailed, match="untouched release|kernel did not start"):
        pipeline.grade(LAB, subs, tmp_path / "out", course, options)  # the canary's stub too

    def no_kernel_for_one(nb, *args, **kwargs):
        if any("stub-marker" in c.source for c in nb.cells):
            return kernel.Execution(
                nb, failure="the kernel did not start: RuntimeError: boom", environment=True
            )
        return real_run(nb, *args, **kwargs)

    marked = nbformat.reads(built["stub"].decode(), as_version=4)
    marked.cells.append(nbformat.v4.new_code_cell("# stub-marker"))
    (subs / "stub.ipynb").write_text(nbformat.writes(marked))
    monkeypatch.setattr(kernel, "run", no_kernel_for_one)
    rows = {r.student_id: r for r in pipeline.grade(LAB, subs, tmp_path / "out", course, options)}
    assert rows["stub"].status == "environment"
    assert "grading environment" in rows["stub"].reason and "grade again" in rows["stub"].reason
    assert rows["correct"].status == "graded"
    assert "stub" not in gradebook.grades(course.db_url, LAB)  # nothing recorded
    monkeypatch.setattr(kernel, "run", real_run)
    again = {r.student_id: r for r in pipeline.grade(LAB, subs, tmp_path / "out", course, options)}
    assert (again["stub"].status, again["stub"].raw_score) == ("graded", 0)


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.postgres
def test_grades_go_into_a_postgresql_gradebook(tmp_path, postgres_url):
    copy = copy_course(tmp_path / "course", [LAB])
    with open(copy.root / "nbgrader_config.py", "a") as fh:
        fh.write(f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    course = Course(copy.root)
    built = democlass.build(LAB, course)
    names = ("correct", "partly-adam-iter-off-by-one", "broken-json")
    subs = class_folder(tmp_path / "subs", {f"{s}.ipynb": built[s] for s in names})
    options = pipeline.Options(limits=FAST, progress=False)
    rows = pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    assert {r.student_id: (r.raw_score, r.status) for r in rows} == {
        "correct": (10, "graded"),
        "partly-adam-iter-off-by-one": (6, "graded"),
        "broken-json": (0, "error"),
    }
    assert not (course.root / "gradebook.db").exists()  # nothing went to the SQLite default
    assert gradebook.grades(postgres_url, LAB) == {
        "correct": (10.0, False),
        "partly-adam-iter-off-by-one": (6.0, False),
        "broken-json": (0.0, True),  # listed for manual grading, with its reason
    }
    export = tmp_path / "grades.csv"
    notebooks.nbgrader("export", f"--to={export}", cwd=course.root)  # nbgrader's own export
    exported = {row["student_id"]: float(row["raw_score"]) for row in csv_rows(export)}
    assert exported == {"correct": 10, "partly-adam-iter-off-by-one": 6, "broken-json": 0}


# --------------------------------------------------------------------------------------
# check: one notebook, the same stages, points from the source
# --------------------------------------------------------------------------------------


def _check_cli(path: Path, python: str = sys.executable) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-m", "autograder", "check", str(path), "--timeout", "10"],
        capture_output=True,
        text=True,
    )


@pytest.mark.kernel
@pytest.mark.sandbox
def test_check_grades_one_notebook_and_exits_zero_only_at_full_marks(tmp_path):
    built = democlass.build(LAB, Course(ROOT))
    python_via_dotdot = str(Path(sys.executable).parent / ".." / "bin" / Path(sys.executable).name)
    for student, code in (("correct", 0), ("partly-adam-iter-off-by-one", 1)):
        path = tmp_path / f"{LAB}.ipynb"
        path.write_bytes(built[student])
        # the interpreter named through "..", as `../.venv/bin/python` from a subfolder names
        # it: the sandbox must still find it (it has no such folder of its own)
        proc = _check_cli(path, python_via_dotdot)
        assert proc.returncode == code, proc.stdout + proc.stderr
        if code:
            assert "[FAIL] test_my_optimizer_adam: 0 / 4" in proc.stdout
            assert re.search(r"largest at \[\d+, \d+\]", proc.stdout)
            assert "Score: 6 / 10" in proc.stdout
        else:
            assert "Score: 10 / 10 (graded)" in proc.stdout


@pytest.mark.kernel
@pytest.mark.sandbox
def test_check_takes_points_from_the_source_and_reports_failed_visible_tests(tmp_path):
    """The untouched release plus a student-made grade cell worth 1e300 points: the points
    are the source's, the made-up cell earns nothing, and every visible test that failed is
    printed as failed with its message."""
    stub = notebooks.read(COURSE.release_path(LAB))
    forged = nbformat.v4.new_code_cell("pass")
    forged.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": False,
        "grade_id": "mine",
        "points": 1e300,
    }
    stub.cells.append(forged)
    path = tmp_path / f"{LAB}.ipynb"
    nbformat.write(stub, str(path))
    proc = _check_cli(path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Score: 0 / 10 (flagged)" in proc.stdout
    assert "grade id 'mine'" in proc.stdout and "1e+300" not in proc.stdout
    assert "[PASS] test_momentum_visible" not in proc.stdout
    assert "[FAIL] test_momentum_visible: 0 / 0 (visible test, no points)" in proc.stdout
    assert "NotImplementedError" in proc.stdout


@pytest.mark.sandbox
def test_check_refuses_a_file_that_is_no_notebook_of_the_course(tmp_path):
    path = tmp_path / "notes.ipynb"
    path.write_text("{not json")
    proc = _check_cli(path)
    assert proc.returncode == 2 and "not a valid notebook" in proc.stderr


def test_the_stages_are_declared_in_the_order_a_submission_flows():
    names = [s.name for s in pipeline.STAGES]
    assert names == ["intake", "restore", "instrument", "run", "judge", "score", "record"]
    assert all(isinstance(s, Stage) for s in pipeline.STAGES)  # one interface
    modules = [importlib.import_module(f"autograder.grading.{name}") for name in names]
    assert [m.STAGE for m in modules] == list(pipeline.STAGES)  # one module, one stage
    assert [s.name for s in pipeline.STAGES if s.after_fault] == ["record"]
