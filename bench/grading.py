"""Grade a generated class of 40 lab2_optimizers submissions twice: plain serial
``nbgrader autograde`` and the sandboxed pipeline with 2 workers. Prints both wall times and
CPU times, their ratio, the CPU per submission, and whether the grades agree wherever plain
nbgrader could grade.

Targets (issue 13): pipeline wall <= 0.2 x plain serial nbgrader's, <= 1.0 s of CPU per
submission (the grader, its zygotes and every kernel), identical grades.

Then the gradebook's write rate: the executed submissions saved again (nbgrader's
SaveAutoGrades, as ``grade`` does) under new student ids into a fresh SQLite gradebook and,
where PostgreSQL is installed, a throwaway PostgreSQL server on a local socket.
"""

from __future__ import annotations

import copy
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
SAVES = 200  # submissions written to each gradebook for its write rate


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


def gradebook_rate(course: Course, results, db_url: str) -> float:
    """Submissions saved per second into the gradebook at ``db_url``."""
    import nbformat

    saved = [
        (r, nbformat.read(str(path), as_version=4))
        for r in results
        if r.counted
        and (path := course.root / "autograded" / r.student_id / LAB / f"{LAB}.ipynb").is_file()
    ]
    gradebook.ensure_assignment(course, LAB, db_url)
    start = time.perf_counter()
    for i in range(SAVES):
        result, nb = saved[i % len(saved)]
        gradebook.save(db_url, LAB, f"w{i:05d}", result, copy.deepcopy(nb), None)
    return SAVES / (time.perf_counter() - start)


def main() -> None:
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
        rates = {"SQLite": gradebook_rate(root, results, f"sqlite:///{tmp / 'rate.db'}")}
        try:
            with postgres_server() as url:
                rates["PostgreSQL"] = gradebook_rate(root, results, url)
        except FileNotFoundError as exc:
            rates["PostgreSQL"] = f"not measured: {exc}"
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
    for name, rate in rates.items():
        shown = f"{rate:.1f} submissions/s" if isinstance(rate, float) else rate
        print(f"gradebook writes, {name}: {shown} ({SAVES} saved one at a time)")


if __name__ == "__main__":
    main()
