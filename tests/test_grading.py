"""The grading pipeline end to end: every status, every attack, the gradebook, resuming."""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import course, notebooks
from autograder.grading import collect, democlass, execute, pipeline, sandbox
from autograder.grading.sandbox import Limits

LAB = "lab2_optimizers"
FAST = Limits(cell_timeout=5, wall_timeout=90, memory_mb=1536)  # room for a busy CI machine


def _course(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", root)
    for part in ("source", "release"):
        shutil.copytree(notebooks.ROOT / part / LAB, root / part / LAB)
    return root


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The demo class of lab2 (12 submissions: honest, broken, attacks), graded once."""
    tmp = tmp_path_factory.mktemp("grading")
    course = _course(tmp / "course")
    subs = tmp / "subs"
    subs.mkdir()
    for student, data in democlass.build(LAB, course).items():
        (subs / f"{student}.ipynb").write_bytes(data)
    source_before = notebooks.source_path(LAB, course).read_bytes()
    out = tmp / "out"
    results = pipeline.grade(LAB, subs, out, course, pipeline.Options(limits=FAST))
    return {
        "course": course,
        "subs": subs,
        "out": out,
        "source_before": source_before,
        "results": {r.student_id: r for r in results},
    }


EXPECTED = {  # student: (score, status, words the reason must contain)
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


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_its_score_status_and_reason(graded_class, student):
    r = graded_class["results"][student]
    score, status, words = EXPECTED[student]
    assert (r.score, r.status) == (score, status), r.reason
    for word in words:
        assert word in r.reason
    assert r.sandboxed


@pytest.mark.slow
def test_every_submission_has_exactly_one_row(graded_class):
    rows = list(csv_rows(graded_class["out"] / "grades.csv"))
    assert sorted(row["student_id"] for row in rows) == sorted(EXPECTED)
    header = (graded_class["out"] / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == [
        "student_id",
        "score",
        "max_score",
        "status",
        "reason",
        "test_my_optimizer_momentum",
        "test_my_optimizer_adagrad",
        "test_my_optimizer_rmsprop",
        "test_my_optimizer_adam",
    ]
    results = json.loads((graded_class["out"] / "results.json").read_text())
    adam = results["students"]["partly-adam-iter-off-by-one"]["cells"][-1]
    assert adam["grade_id"] == "test_my_optimizer_adam" and not adam["passed"]
    assert "largest" in adam["message"]


def csv_rows(path):
    import csv

    with open(path) as fh:
        yield from csv.DictReader(fh)


@pytest.mark.slow
def test_attacks_gained_nothing(graded_class):
    course = graded_class["course"]
    assert notebooks.source_path(LAB, course).read_bytes() == graded_class["source_before"]
    con = sqlite3.connect(course / "gradebook.db")
    max_auto = con.execute("select max(auto_score) from grade").fetchone()[0]
    assert max_auto <= 4  # no cell above its points (the attack tried 100)
    totals = dict(
        con.execute(
            "select s.student_id, sum(g.auto_score) from grade g "
            "join submitted_notebook n on g.notebook_id = n.id "
            "join submitted_assignment s on n.assignment_id = s.id group by s.student_id"
        )
    )
    for student, r in graded_class["results"].items():
        if r.status != "error" or student == "os-exit":
            assert totals[student] == r.score, student
    # not gradable at all: no grades recorded, so nothing is exported as an honest zero
    assert "broken-json" not in totals or totals["broken-json"] in (None, 0)


@pytest.mark.slow
def test_reviewers_see_error_and_flagged_cells_in_the_gradebook(graded_class):
    con = sqlite3.connect(graded_class["course"] / "gradebook.db")
    flagged = con.execute(
        "select count(*) from grade g join submitted_notebook n on g.notebook_id = n.id "
        "join submitted_assignment s on n.assignment_id = s.id "
        "where s.student_id = 'reads-source' and g.needs_manual_grade = 1"
    ).fetchone()[0]
    assert flagged == 4


@pytest.mark.slow
def test_feedback_never_shows_hidden_tests_or_expected_values(graded_class):
    source = notebooks.read(notebooks.source_path(LAB))
    secret = set()
    for cell in notebooks.graded_cells(source):
        block = cell.source.split("### BEGIN HIDDEN TESTS")[1]
        secret |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 20}
    assert secret
    pages = list((graded_class["out"] / "feedback").glob("*.html"))
    assert len(pages) == len(EXPECTED)
    for page in pages:
        text = html.unescape(page.read_text())
        leaked = [s for s in secret if s in text]
        assert leaked == [], page.name
        assert "http://" not in text and "https://" not in text  # self-contained
    correct = html.unescape((graded_class["out"] / "feedback" / "correct.html").read_text())
    assert "opt.W_dt = W_dlt" in correct  # the student's own code is shown


@pytest.mark.slow
def test_grades_equal_plain_nbgraders(graded_class, graded):
    plain = graded(LAB)  # the same honest notebooks graded by nbgrader autograde
    pairs = {
        "correct": "solution",
        "stub": "stub",
        "partly-momentum-state-not-stored": "mistake-momentum-state-not-stored",
        "partly-adam-iter-off-by-one": "mistake-adam-iter-off-by-one",
    }
    for mine, theirs in pairs.items():
        ours = {c.grade_id: c.points for c in graded_class["results"][mine].cells}
        nbg = {c.grade_id: c.score for c in plain[theirs].cells}
        assert ours == nbg, mine


@pytest.mark.slow
def test_a_rerun_grades_nothing_again(graded_class, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("an unchanged submission was executed again")

    monkeypatch.setattr(execute, "run", must_not_run)
    again = pipeline.grade(
        LAB,
        graded_class["subs"],
        graded_class["out"],
        graded_class["course"],
        pipeline.Options(limits=FAST),
    )
    assert {r.student_id: (r.score, r.status) for r in again} == {
        s: (r.score, r.status) for s, r in graded_class["results"].items()
    }


@pytest.mark.slow
def test_an_interrupted_run_resumes_without_grading_twice(tmp_path, monkeypatch):
    course = _course(tmp_path / "course")
    subs = tmp_path / "subs"
    subs.mkdir()
    built = democlass.build(LAB, course)
    for student in ("correct", "stub", "partly-adam-iter-off-by-one"):
        (subs / f"{student}.ipynb").write_bytes(built[student])
    real_run, ran = execute.run, []

    canary = 2  # before the students: the course's solution and its untouched release

    def flaky(nb, *args, **kwargs):
        if len(ran) == canary + 2:
            raise KeyboardInterrupt
        ran.append(1)
        return real_run(nb, *args, **kwargs)

    monkeypatch.setattr(execute, "run", flaky)
    options = pipeline.Options(workers=1, limits=FAST, progress=False)
    with pytest.raises(KeyboardInterrupt):
        pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    assert len(list((tmp_path / "out" / ".state").glob("*.json"))) == 2
    ran.clear()
    monkeypatch.setattr(
        execute, "run", lambda nb, *a, **k: (ran.append(1), real_run(nb, *a, **k))[1]
    )
    results = pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    assert len(ran) == canary + 1  # of the students, only the one that was interrupted
    assert sorted((r.student_id, r.score) for r in results) == [
        ("correct", 10),
        ("partly-adam-iter-off-by-one", 6),
        ("stub", 0),
    ]


def test_grading_refuses_to_start_without_a_sandbox(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.bwrap.cache_clear()
    try:
        with pytest.raises(sandbox.SandboxUnavailable, match="--no-sandbox"):
            pipeline.grade(LAB, tmp_path, tmp_path / "out", notebooks.ROOT, pipeline.Options())
    finally:
        sandbox.bwrap.cache_clear()


def test_collect_reads_both_layouts_a_zip_and_reports_bad_names(tmp_path):
    folder = tmp_path / "download" / "course-export"
    (folder / "bob").mkdir(parents=True)
    (folder / "alice.ipynb").write_text("{}")
    (folder / "bob" / f"{LAB}.ipynb").write_text("{}")
    (folder / "carol").mkdir()
    (folder / "carol" / "lab2.ipynb").write_text("{}")
    (folder / "bad name!.ipynb").write_text("{}")
    (folder / "notes.txt").write_text("ignored")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in folder.rglob("*"):
            zf.write(p, p.relative_to(tmp_path / "download"))
    for where in (folder, archive):
        found = {f.student_id: f for f in collect.find(where, LAB)}
        assert set(found) == {"alice", "bob", "carol", "bad name!"}
        assert found["alice"].problem is None and found["bob"].problem is None
        assert "has no lab2_optimizers.ipynb (it has lab2.ipynb)" in found["carol"].problem
        assert "not a valid student id" in found["bad name!"].problem
    with pytest.raises(ValueError, match="not a valid notebook"):
        collect.read(collect.Found("x", None, b"{not json"))


def test_restore_puts_back_deleted_and_edited_test_cells():
    source = notebooks.read(notebooks.source_path(LAB))
    release = notebooks.read(notebooks.release_path(LAB))
    sub = notebooks.read(notebooks.release_path(LAB))
    ids = [notebooks.nbgrader_meta(c).get("grade_id") for c in sub.cells]
    del sub.cells[ids.index("test_my_optimizer_adam")]
    sub.cells[ids.index("test_my_optimizer_momentum")].source = "pass"
    restored = collect.restore(sub, source, release)
    assert any("'test_my_optimizer_adam' was deleted" in t for t in restored.tampered)
    assert any("'test_my_optimizer_momentum' was edited" in t for t in restored.tampered)
    got = [notebooks.nbgrader_meta(c).get("grade_id") for c in restored.nb.cells]
    want = [notebooks.nbgrader_meta(c).get("grade_id") for c in source.cells]
    assert [g for g in got if g] == [g for g in want if g]
    momentum = restored.nb.cells[got.index("test_my_optimizer_momentum")]
    assert "BEGIN HIDDEN TESTS" in momentum.source  # the hidden tests run


@pytest.mark.slow
def test_check_grades_one_notebook_and_exits_zero_only_at_full_marks(tmp_path):
    built = democlass.build(LAB)
    python_via_dotdot = str(Path(sys.executable).parent / ".." / "bin" / Path(sys.executable).name)
    for student, code in (("correct", 0), ("partly-adam-iter-off-by-one", 1)):
        path = tmp_path / f"{LAB}.ipynb"
        path.write_bytes(built[student])
        proc = subprocess.run(
            # the interpreter named through "..", as `../.venv/bin/python` from a subfolder
            # names it: the sandbox must still find it (it has no such folder of its own)
            [python_via_dotdot, "-m", "autograder", "check", str(path), "--timeout", "10"],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == code, proc.stdout + proc.stderr
        if code:
            assert "[FAIL] test_my_optimizer_adam: 0 / 4" in proc.stdout
            assert re.search(r"largest at \[\d+, \d+\]", proc.stdout)
            assert "Score: 6 / 10" in proc.stdout
        else:
            assert "Score: 10 / 10 (graded)" in proc.stdout


@pytest.mark.slow
def test_feedback_page_renders_in_a_browser(graded_class, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: `make test` installs it (see the Makefile)")
    page = graded_class["out"] / "feedback" / "partly-adam-iter-off-by-one.html"
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,3000",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert image.size == (1000, 3000)
    assert colours is not None and len(colours) > 50  # text, code and badges were drawn
    red = sum(n for n, (r, g, b) in colours if r > 190 and g < 90 and b < 90)
    green = sum(n for n, (r, g, b) in colours if r < 80 and g > 140 and b < 110)
    assert red > 200 and green > 600  # one failed (red) and three passed (green) markers


@pytest.fixture
def postgres_url():
    try:
        with course.postgres_server() as url:
            yield url
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


@pytest.mark.slow
def test_grades_go_into_a_postgresql_gradebook(tmp_path, postgres_url):
    from nbgrader.api import Gradebook

    course = _course(tmp_path / "course")
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write(f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    subs = tmp_path / "subs"
    subs.mkdir()
    built = democlass.build(LAB, course)
    for student in ("correct", "partly-adam-iter-off-by-one", "broken-json"):
        (subs / f"{student}.ipynb").write_bytes(built[student])
    options = pipeline.Options(limits=FAST, progress=False)
    results = pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    assert {r.student_id: (r.score, r.status) for r in results} == {
        "correct": (10, "graded"),
        "partly-adam-iter-off-by-one": (6, "graded"),
        "broken-json": (0, "error"),
    }
    assert not (course / "gradebook.db").exists()  # nothing went to the SQLite default
    with Gradebook(postgres_url) as gb:
        assert [n.name for n in gb.find_assignment(LAB).notebooks] == [LAB]
        scores = {s.student.id: s.score for s in gb.assignment_submissions(LAB)}
    # the ungradable notebook is in grades.csv as an error, not in the gradebook as a zero
    assert scores == {"correct": 10, "partly-adam-iter-off-by-one": 6}
    export = tmp_path / "grades.csv"
    notebooks.nbgrader("export", f"--to={export}", cwd=course)  # nbgrader's own export works
    exported = {row["student_id"]: float(row["raw_score"]) for row in csv_rows(export)}
    assert exported["correct"] == 10 and exported["partly-adam-iter-off-by-one"] == 6


@pytest.mark.slow
def test_without_a_sandbox_every_report_says_so_and_a_sandboxed_run_regrades(tmp_path):
    course = _course(tmp_path / "course")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "correct.ipynb").write_bytes(democlass.build(LAB, course)["correct"])
    out = tmp_path / "out"
    bare = pipeline.Options(limits=FAST, sandbox=False, progress=False)
    [r] = pipeline.grade(LAB, subs, out, course, bare)
    assert (r.score, r.status, r.sandboxed) == (10, "graded", False)
    assert json.loads((out / "results.json").read_text())["sandboxed"] is False
    assert "graded WITHOUT a sandbox" in (out / "report.html").read_text()
    assert "without a sandbox (--no-sandbox)" in (out / "feedback" / "correct.html").read_text()
    [r] = pipeline.grade(LAB, subs, out, course, pipeline.Options(limits=FAST, progress=False))
    assert (r.score, r.sandboxed) == (10, True)  # same content, but now graded sandboxed
    assert json.loads((out / "results.json").read_text())["sandboxed"] is True
    assert "WITHOUT" not in (out / "report.html").read_text()


@pytest.fixture(scope="module")
def cheating_class(tmp_path_factory):
    """Every trick of democlass.CHEATS on lab2's untouched release, and one honest
    submission (the integrity check must not flag it), graded once."""
    tmp = tmp_path_factory.mktemp("cheats")
    course = _course(tmp / "course")
    subs = tmp / "subs"
    subs.mkdir()
    for student, data in democlass.cheats(LAB).items():
        (subs / f"{student}.ipynb").write_bytes(data)
    (subs / "correct.ipynb").write_bytes(democlass.build(LAB, course)["correct"])
    results = pipeline.grade(LAB, subs, tmp / "out", course, pipeline.Options(limits=FAST))
    return {r.student_id: r for r in results}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted({c.kind for c in democlass.CHEATS.values()}))
def test_no_trick_earns_a_point_in_grade(cheating_class, kind):
    """Replacing what the tests use, code running at the same time as the tests (a thread,
    an alarm, a profile hook, atexit, weakref.finalize, __del__), reading the history or the
    tests' source, forged results: the verdict is the grader's, so each earns nothing."""
    for student, cheat in democlass.CHEATS.items():
        if cheat.kind != kind:
            continue
        r = cheating_class[student]
        assert (r.score, r.status) == (0, cheat.status), (student, r.reason)
        for word in cheat.words:
            assert word in r.reason, (student, r.reason)


@pytest.mark.slow
def test_no_trick_earns_a_point_in_check(tmp_path):
    """The same tricks through `autograder check`, two at a time."""
    from concurrent.futures import ThreadPoolExecutor

    def check(item):
        student, data = item
        path = tmp_path / student / f"{LAB}.ipynb"
        path.parent.mkdir()
        path.write_bytes(data)
        return student, pipeline.check(path, notebooks.ROOT, pipeline.Options(limits=FAST))

    with ThreadPoolExecutor(2) as pool:
        results = dict(pool.map(check, democlass.cheats(LAB).items()))
    earned = {s: (r.score, r.status) for s, r in results.items() if r.score != 0}
    assert earned == {}
    assert {s: r.status for s, r in results.items()} == {
        s: c.status for s, c in democlass.CHEATS.items()
    }


@pytest.mark.slow
def test_the_tricks_are_real_under_plain_nbgraders_in_kernel_judging(tmp_path):
    """Plain `nbgrader autograde` judges inside the student's kernel, so these tricks fool
    it (the README says so): that is what the pipeline's own judging is for."""
    names = [s for s, c in democlass.CHEATS.items() if c.beats_kernel_judging]
    assert len(names) >= 5
    subs = {
        s: nbformat.reads(d.decode(), as_version=4) for s, d in democlass.cheats(LAB, names).items()
    }
    scores = course.grade_in_parts(LAB, subs, tmp_path)
    assert {s: scores[s].score for s in names} == dict.fromkeys(names, 10.0)


@pytest.mark.slow
def test_the_integrity_check_does_not_flag_an_honest_notebook(cheating_class):
    r = cheating_class["correct"]
    assert (r.score, r.status, r.reason) == (10, "graded", "")


def test_integrity_verdict_flags_a_silenced_or_forged_after_check():
    from nbformat.v4 import new_output

    from autograder.grading import integrity

    before, after = integrity.cells()
    nonce = before.metadata["autograde_integrity"]["nonce"]
    assert nonce == after.metadata["autograde_integrity"]["nonce"] and nonce in before.source

    def printed(cell, when, fp, tag_nonce=nonce):
        record = json.dumps({"nonce": tag_nonce, "when": when, "fp": fp})
        cell.outputs = [new_output("stream", name="stdout", text=integrity.TAG + record + "\n")]

    printed(before, "before", {"numpy.allclose": "1", "labs.checks.judge": "2"})
    printed(after, "after", {"numpy.allclose": "1", "labs.checks.judge": "2"})
    assert integrity.verdict(before, after, completed=True) == []
    printed(after, "after", {"numpy.allclose": "1", "labs.checks.judge": "3"})
    assert integrity.verdict(before, after, completed=True) == [
        "replaced what the tests rely on: labs.checks.judge"
    ]
    printed(after, "after", {"numpy.allclose": "1", "labs.checks.judge": "2"}, "0" * 16)
    assert "printed nothing" in integrity.verdict(before, after, completed=True)[0]
    after.outputs = []
    assert "printed nothing" in integrity.verdict(before, after, completed=True)[0]
    assert integrity.verdict(before, after, completed=False) == []  # the kernel died first


def _copied_course(root: Path) -> Path:
    """A copy of the course folder, as an instructor makes one (cp -r): nothing of it
    points back at this repository."""
    root.mkdir(parents=True)
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", root)
    for part in ("source", "release"):
        shutil.copytree(notebooks.ROOT / part / LAB, root / part / LAB)
    return root


def _grade_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", LAB, *args, "--timeout", "10"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_a_copy_of_the_course_is_graded_with_its_own_helpers_from_any_folder(tmp_path):
    copy = _copied_course(tmp_path / "my-course-copy")
    marker = "HELPERS OF THE COPY"
    plots = copy / "source" / LAB / "labs" / "plots.py"  # imported first by the setup cell
    plots.write_text(plots.read_text() + f"\nprint({marker!r})\n")  # the copy's own helpers
    subs = tmp_path / "subs"
    subs.mkdir()
    built = democlass.build(LAB, copy)
    for student in ("correct", "partly-adam-iter-off-by-one"):
        (subs / f"{student}.ipynb").write_bytes(built[student])
    repo_gradebook = notebooks.ROOT / "gradebook.db"
    before = repo_gradebook.stat().st_mtime if repo_gradebook.exists() else None

    proc = _grade_cli(copy, str(subs))  # from the copy, without --course
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"correct\s+10 / 10\s+graded", proc.stdout), proc.stdout
    assert re.search(r"partly-adam-iter-off-by-one\s+6 / 10\s+graded", proc.stdout)
    assert re.search(
        r"canary on .*: the solution scored 10 / 10, the untouched release 0 / 10", proc.stdout
    )
    assert (copy / "gradebook.db").exists() and (copy / "graded" / LAB / "grades.csv").exists()
    executed = notebooks.read(copy / "autograded" / "correct" / LAB / f"{LAB}.ipynb")
    assert marker in notebooks.stream_text(executed.cells[1])  # imported from the copy

    proc = _grade_cli(tmp_path, str(subs), "--course", str(copy), "--force")  # elsewhere
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"correct\s+10 / 10\s+graded", proc.stdout), proc.stdout
    after = repo_gradebook.stat().st_mtime if repo_gradebook.exists() else None
    assert after == before  # this repository's own gradebook was not touched
    assert "no nbgrader_config.py" in _grade_cli(tmp_path, str(subs)).stderr  # nothing found


@pytest.mark.slow
def test_the_canary_stops_a_broken_environment_before_any_grade(tmp_path):
    from nbgrader.api import Gradebook

    copy = _copied_course(tmp_path / "course")
    shutil.rmtree(copy / "source" / LAB / "labs")  # the kernel cannot import the helpers
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "correct.ipynb").write_bytes(democlass.build(LAB)["correct"])
    proc = _grade_cli(copy, str(subs))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "the canary failed" in proc.stderr and "nothing was written" in proc.stderr
    assert "No module named 'labs'" in proc.stderr
    assert "the kernel cannot import labs" in proc.stderr and "make helpers" in proc.stderr
    assert not (copy / "graded" / LAB / "grades.csv").exists()
    if (copy / "gradebook.db").exists():
        with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
            assert gb.submissions() == []


@pytest.mark.slow
def test_a_failure_of_the_grading_machine_is_not_the_students_and_is_retried(tmp_path, monkeypatch):
    course = _course(tmp_path / "course")
    subs = tmp_path / "subs"
    subs.mkdir()
    built = democlass.build(LAB, course)
    for student in ("correct", "stub"):
        (subs / f"{student}.ipynb").write_bytes(built[student])
    real_run = execute.run

    def no_kernel_for_stub(nb, *args, **kwargs):
        if any("raise NotImplementedError()" in c.source for c in nb.cells) and not any(
            "W_dlt = gamma" in c.source for c in nb.cells
        ):
            return execute.Execution(
                nb, failure="the kernel did not start: RuntimeError: boom", environment=True
            )
        return real_run(nb, *args, **kwargs)

    monkeypatch.setattr(execute, "run", no_kernel_for_stub)
    options = pipeline.Options(limits=FAST, progress=False)
    with pytest.raises(pipeline.CanaryFailed, match="untouched release|kernel did not start"):
        pipeline.grade(LAB, subs, tmp_path / "out", course, options)  # the canary's stub too

    def no_kernel_for_one(nb, *args, **kwargs):
        if any("stub-marker" in c.source for c in nb.cells):
            return execute.Execution(
                nb, failure="the kernel did not start: RuntimeError: boom", environment=True
            )
        return real_run(nb, *args, **kwargs)

    marked = nbformat.reads(built["stub"].decode(), as_version=4)
    marked.cells.append(nbformat.v4.new_code_cell("# stub-marker"))
    (subs / "stub.ipynb").write_text(nbformat.writes(marked))
    monkeypatch.setattr(execute, "run", no_kernel_for_one)
    results = {
        r.student_id: r for r in pipeline.grade(LAB, subs, tmp_path / "out", course, options)
    }
    assert results["stub"].status == "environment"
    assert (
        "grading environment" in results["stub"].reason and "grade again" in results["stub"].reason
    )
    assert results["correct"].status == "graded"
    assert not (tmp_path / "out" / ".state" / "stub.json").exists()  # the next run retries it
    monkeypatch.setattr(execute, "run", real_run)
    again = {r.student_id: r for r in pipeline.grade(LAB, subs, tmp_path / "out", course, options)}
    assert (again["stub"].status, again["stub"].score) == ("graded", 0)


@pytest.mark.slow
def test_nothing_of_one_submission_reaches_the_next_through_the_zygote():
    """Kernels are forked by a warm zygote, one sandbox for many submissions in turn. What a
    submission leaves behind -- files in /tmp, /dev/shm and its folder, a process that
    outlives it -- is gone before the next, which cannot read or trace the zygote either."""
    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.grading.zygote import ZygotePool

    leave = new_notebook(
        cells=[
            new_code_cell(
                "import os, subprocess, sys\n"
                "open('/tmp/left-behind', 'w').write('secret')\n"
                "open('/dev/shm/left-behind', 'w').write('secret')\n"
                "open('left-behind', 'w').write('secret')\n"
                "lurker = subprocess.Popen([sys.executable, '-c', "
                "'import os, time; os.setsid(); time.sleep(300)'], start_new_session=True)\n"
                "print('lurker', lurker.pid)"
            )
        ]
    )
    look = new_notebook(
        cells=[
            new_code_cell(
                "import glob, os\n"
                "print('tmp', sorted(os.listdir('/tmp')))\n"
                "print('shm', sorted(os.listdir('/dev/shm')))\n"
                "print('found', sorted(glob.glob('../**/left-behind', recursive=True)))\n"
                "print('processes', len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
                "zygote = os.getppid()\n"
                "try:\n    open(f'/proc/{zygote}/mem', 'rb').close()\n    print('mem: opened')\n"
                "except OSError as e:\n    print('mem:', type(e).__name__)\n"
                "try:\n    print('environ:', len(open(f'/proc/{zygote}/environ').read()))\n"
                "except OSError as e:\n    print('environ:', type(e).__name__)\n"
                "import subprocess, sys\n"
                "remount = subprocess.run(['mount', '-o', 'remount,rw,bind', sys.prefix])\n"
                "print('remount', remount.returncode)\n"
                "status = open('/proc/self/status').read().splitlines()\n"
                "print('caps', [ln.split()[1] for ln in status if ln.startswith('CapEff')][0])"
            )
        ]
    )
    real = execute.ZYGOTES
    execute.ZYGOTES = pool = ZygotePool()  # one zygote, used by both in turn
    try:
        first = execute.run(leave, FAST, sandbox=True)
        assert first.failure is None and "lurker" in notebooks.stream_text(leave.cells[0])
        second = execute.run(look, FAST, sandbox=True)
        assert len(pool.all) == 1  # the same zygote ran both
    finally:
        execute.ZYGOTES = real
        pool.close()
    assert second.failure is None
    seen = dict(line.split(" ", 1) for line in notebooks.stream_text(look.cells[0]).splitlines())
    # in /tmp only the zygote's own folder (its code and the job folders are bound there) and
    # the read-only system paths that live under /tmp (a clean clone's .venv in CI)
    import ast

    in_tmp = set(ast.literal_eval(seen["tmp"]))
    system = {
        Path(p).relative_to("/tmp").parts[0]
        for p in sandbox.readable_paths()
        if Path(p).is_relative_to("/tmp")
    }
    zygotes = [name for name in in_tmp if name.startswith("autograde-zygote-")]
    assert len(zygotes) == 1 and in_tmp - system == set(zygotes), seen
    assert seen["shm"] == "[]" and seen["found"] == "[]", seen
    # bwrap's init, the zygote, this kernel (the lurker is gone)
    assert int(seen["processes"]) <= 3, seen
    assert seen["mem:"] == "PermissionError" and seen["environ:"] == "PermissionError", seen
    assert int(seen["caps"], 16) == 0, seen  # no capabilities, also when grading as root
    assert seen["remount"] != "0", seen  # so the read-only system stays read-only


@pytest.mark.slow
@pytest.mark.parametrize("sandboxed", [True, False])
def test_running_many_notebooks_leaks_no_descriptors_or_threads(sandboxed):
    """A grader runs thousands of notebooks in one process: each run must give back its
    ZeroMQ context, sockets and heartbeat thread (else the descriptors run out, and
    select() fails past 1023)."""
    import gc
    import os
    import threading

    from nbformat.v4 import new_code_cell, new_notebook

    def held():
        gc.collect()  # what earlier tests left for the collector is not this test's leak
        return len(os.listdir("/proc/self/fd")), threading.active_count()

    def one():
        nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
        result = execute.run(nb, FAST, sandbox=sandboxed)
        assert result.failure is None and notebooks.stream_text(nb.cells[0]) == "42\n"

    one()  # the first run may create what is kept on purpose (a zygote, a font cache)
    before = held()
    for _ in range(4):
        one()
    after = held()
    # Each leaking run would hold a dozen more descriptors and a thread; the suite's own
    # leftovers (another test's socket closing late) may only make the count smaller.
    assert after[0] <= before[0] and after[1] <= before[1], (before, after)
