"""Grade a generated class of 40 lab2_optimizers submissions twice: plain serial
``nbgrader autograde`` and the sandboxed pipeline with 2 workers. Prints both wall times and
CPU times, their ratio, the CPU per submission, and whether the grades agree wherever plain
nbgrader could grade.

Targets (issue 13): pipeline wall <= 0.2 x plain serial nbgrader's, <= 1.0 s of CPU per
submission (the grader, its zygotes and every kernel), identical grades.

Then the gradebook's write rate (issue 31), into a fresh SQLite gradebook and, where
PostgreSQL is installed, a throwaway PostgreSQL server on a local socket: a few hundred
synthetic rows of the lab (graded, flagged and error; some tests failed; handed in around the
due date, late ones penalised by the late plugin) written by ``gradebook.Writer`` as the
record stages of 64 workers hand them in, and, for comparison, some written one at a time
through nbgrader's preprocessors as ``grade`` wrote them before (``gradebook.reference_save``).
Targets: >= 300 submissions/s on SQLite, >= 100 on PostgreSQL. ``--gradebook``: only these.
"""

from __future__ import annotations

import copy
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import ROOT  # noqa: E402
from scratch import PlainCourse, copy_course, postgres_server  # noqa: E402

from autograder import mistakes, notebooks  # noqa: E402
from autograder.course import Course  # noqa: E402
from autograder.demo import democlass  # noqa: E402
from autograder.grading import gradebook, pipeline  # noqa: E402
from autograder.grading.sandbox import kernel  # noqa: E402

LAB = "lab2_optimizers"
N = 40
#: The gradebook's write rate: rows written by the writer (after WARM_UP rows that are not
#: timed: imports, compiled statements), rows written by the reference, how many record
#: stages hand rows in at once (those of 64 engine workers), and the targets.
GRADEBOOK_ROWS, REFERENCE_ROWS, WARM_UP = 400, 40, 20
RECORD_STAGES = pipeline.FLOWS_PER_WORKER * 64
TARGETS = {"SQLite": 300, "PostgreSQL": 100}
DUE = datetime.datetime(2026, 11, 1, 12, 0)


def make_class() -> dict[str, bytes]:
    import nbformat

    repo = Course(ROOT)
    refs = mistakes.reference_submissions(LAB, repo)
    demo = democlass.build(LAB, repo)
    pool = [("correct", nbformat.writes(refs["solution"]).encode())]
    pool += [
        (name, nbformat.writes(nb).encode())
        for name, nb in refs.items()
        if name.startswith("mistake-")
    ]
    pool += [
        ("stub", nbformat.writes(refs["stub"]).encode()),
        ("broken", demo["broken-json"]),
        ("exits", demo["os-exit"]),
    ]
    return {f"s{i:02d}-{pool[i % len(pool)][0]}": pool[i % len(pool)][1] for i in range(N)}


def cpu() -> float:
    """CPU seconds of this process and of its waited-for children (user + system)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy (from /proc/stat): a cross-check that
    misses nothing, accurate when nothing else runs."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def synthetic_rows(course: Course, n: int, prefix: str) -> list:
    """``n`` rows of the lab as the record stage hands them to the gradebook: ``(student,
    row, executed notebook, time)``; graded, flagged and error in turn, a third of the tests
    failed, handed in from 2 h early to 2 h late."""
    from nbformat import NotebookNode
    from nbgrader import utils as nbutils

    release = course.lab(LAB).release
    rows = []
    for i in range(n):
        nb = copy.deepcopy(release)
        tests = [c for c in nb.cells if c.cell_type == "code" and nbutils.is_grade(c)]
        for k, cell in enumerate(tests):
            cell.execution_count = 1
            if (i + k) % 3 == 0:
                cell.outputs = [
                    NotebookNode(
                        output_type="error", ename="AssertionError", evalue="", traceback=[]
                    )
                ]
        status = ("graded", "flagged", "error")[i % 3]
        row = SimpleNamespace(status=status, reason="" if status == "graded" else "synthetic")
        rows.append((f"{prefix}{i:05d}", row, nb, DUE + datetime.timedelta(hours=i % 5 - 2)))
    return rows


def gradebook_rates(course: Course, db_url: str) -> tuple[float, float, float]:
    """Submissions written per second into the gradebook at ``db_url``: by ``Writer`` from
    ``RECORD_STAGES`` threads at once, and one at a time by the reference; and the writer's
    mean transaction, in submissions."""
    from traitlets.config import Config

    gradebook.ensure_assignment(course, LAB, db_url, due=f"{DUE} UTC")
    config = copy.deepcopy(course.config)
    config.merge(Config({"LateSubmissionPlugin": {"penalty_method": "zero"}}))

    warm, timed = (
        synthetic_rows(course, WARM_UP, "warm"),
        synthetic_rows(course, GRADEBOOK_ROWS, "w"),
    )
    for rows in (warm, timed):
        start = time.perf_counter()
        with (
            gradebook.Writer(db_url, config) as writer,
            ThreadPoolExecutor(RECORD_STAGES) as stages,
        ):
            list(
                stages.map(
                    lambda r: writer.save(LAB, r[0], r[1], r[2], r[3]).result(),
                    rows,
                )
            )
        batched = len(rows) / (time.perf_counter() - start)
    mean = sum(writer.batches) / len(writer.batches)

    rows = synthetic_rows(course, REFERENCE_ROWS + 2, "r")
    for student, row, nb, when in rows[:2]:  # warm up
        gradebook.reference_save(db_url, LAB, student, row, nb, when, config)
    start = time.perf_counter()
    for student, row, nb, when in rows[2:]:
        gradebook.reference_save(db_url, LAB, student, row, nb, when, config)
    return batched, REFERENCE_ROWS / (time.perf_counter() - start), mean


def gradebook_figures(course: Course, tmp: Path) -> dict:
    figures = {"SQLite": gradebook_rates(course, f"sqlite:///{tmp / 'rate.db'}")}
    try:
        with postgres_server() as url:
            figures["PostgreSQL"] = gradebook_rates(course, url)
    except FileNotFoundError as exc:
        figures["PostgreSQL"] = f"not measured: {exc}"
    return figures


def print_gradebook(figures: dict) -> None:
    for name, figure in figures.items():
        if isinstance(figure, str):
            print(f"gradebook writes, {name}: {figure}")
            continue
        batched, reference, mean = figure
        print(
            f"gradebook writes, {name}: {batched:.0f} submissions/s in batches (target >= "
            f"{TARGETS[name]}; {GRADEBOOK_ROWS} synthetic rows from {RECORD_STAGES} record "
            f"stages at once, {mean:.0f} a transaction), {reference:.1f}/s one at a time "
            "through nbgrader's preprocessors (as before the writer)"
        )


def main() -> None:
    if "--gradebook" in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            course = copy_course(Path(tmp) / "course", [LAB])
            print_gradebook(gradebook_figures(course, Path(tmp)))
        return
    subs = make_class()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plain = PlainCourse(tmp / "plain").prepare(LAB)
        for student, data in subs.items():
            plain.submit(LAB, student, data)
        start, cpu0 = time.perf_counter(), cpu()
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", LAB, "--force", "--log-level=ERROR"],
            cwd=plain.root,
            capture_output=True,
            env=notebooks.tool_env(NBGRADER_DB_URL=plain.db_url),
        )
        plain_wall, plain_cpu = time.perf_counter() - start, cpu() - cpu0
        plain_scores = plain.scores(LAB)

        root = copy_course(tmp / "pipe", [LAB])
        folder = tmp / "subs"
        folder.mkdir()
        for student, data in subs.items():
            (folder / f"{student}.ipynb").write_bytes(data)
        start, cpu0, machine0 = time.perf_counter(), cpu(), machine_cpu()
        results = pipeline.grade(
            LAB, folder, tmp / "out", root, pipeline.Options(workers=2, progress=False)
        )
        pipe_wall = time.perf_counter() - start
        kernel.ZYGOTES.close()  # ends the zygotes, so their kernels' CPU time is counted
        pipe_cpu, pipe_machine = cpu() - cpu0, machine_cpu() - machine0
        rates = gradebook_figures(root, tmp)
    executed = sum(r.seconds for r in results)
    same, compared = 0, 0
    for r in results:
        if r.student_id in plain_scores and r.status != "error":
            compared += 1
            theirs = {c.grade_id: c.score for c in plain_scores[r.student_id].cells}
            same += theirs == {c.grade_id: c.points for c in r.cells}
    print(f"{N} submissions of {LAB} on {os.cpu_count()} cores")
    print(
        f"plain nbgrader autograde (serial):      {plain_wall:7.1f} s wall, {plain_cpu:6.1f} s CPU"
        f"  ({len(plain_scores)} submissions graded)"
    )
    print(
        f"autograder grade (sandbox, 2 workers):  {pipe_wall:7.1f} s wall, {pipe_cpu:6.1f} s CPU"
        f"  ({sum(r.status != 'error' for r in results)} graded, "
        f"{sum(r.status == 'error' for r in results)} errors reported; the canary included)"
    )
    print(f"wall: pipeline / plain nbgrader = {pipe_wall / plain_wall:.2f}  (target <= 0.2)")
    print(
        f"CPU per submission: pipeline {pipe_cpu / N:.2f} s  (target <= 1.0 s; the whole "
        f"machine was busy {pipe_machine / N:.2f} s per submission), "
        f"plain nbgrader {plain_cpu / N:.2f} s"
    )
    print(
        f"notebook execution time, summed over submissions: {executed:.1f} s "
        f"({executed / N:.2f} s each)"
    )
    print(f"grades identical to plain nbgrader's: {same} of {compared} comparable submissions")
    print_gradebook(rates)


if __name__ == "__main__":
    main()
