"""Grade a generated class of 40 lab2_optimizers submissions twice: plain serial
``nbgrader autograde`` and the sandboxed pipeline with 2 workers. Prints both wall times,
their ratio, the per-submission overhead (wall time minus notebook execution time, per
submission) and whether the grades agree wherever plain nbgrader could grade.

Targets (issue 5): ratio <= 0.6, overhead <= 1 s per submission, identical grades.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import course, notebooks
from autograder.grading import democlass, pipeline

LAB = "lab2_optimizers"
N = 40


def make_class() -> dict[str, bytes]:
    import nbformat

    refs = course.reference_submissions(LAB)
    demo = democlass.build(LAB)
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


def main() -> None:
    subs = make_class()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plain = course.Course(tmp / "plain").prepare(LAB)
        for student, data in subs.items():
            plain.submit(LAB, student, data)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", LAB, "--force", "--log-level=ERROR"],
            cwd=plain.root,
            capture_output=True,
            env=notebooks.tool_env(NBGRADER_DB_URL=plain.db_url),
        )
        plain_wall = time.perf_counter() - start
        plain_scores = plain.scores(LAB)

        root = tmp / "pipe"
        root.mkdir()
        shutil.copy(notebooks.ROOT / "nbgrader_config.py", root)
        for part in ("source", "release"):
            shutil.copytree(notebooks.ROOT / part / LAB, root / part / LAB)
        folder = tmp / "subs"
        folder.mkdir()
        for student, data in subs.items():
            (folder / f"{student}.ipynb").write_bytes(data)
        start = time.perf_counter()
        results = pipeline.grade(
            LAB, folder, tmp / "out", root, pipeline.Options(workers=2, progress=False)
        )
        pipe_wall = time.perf_counter() - start
    executed = sum(r.seconds for r in results)
    same, compared = 0, 0
    for r in results:
        if r.student_id in plain_scores and r.status != "error":
            compared += 1
            theirs = {c.grade_id: c.score for c in plain_scores[r.student_id].cells}
            same += theirs == {c.grade_id: c.points for c in r.cells}
    print(f"{N} submissions of {LAB} on {os.cpu_count()} cores")
    print(
        f"plain nbgrader autograde (serial):   {plain_wall:7.1f} s  "
        f"({len(plain_scores)} submissions graded)"
    )
    print(
        f"autograder grade (sandbox, 2 workers): {pipe_wall:7.1f} s  "
        f"({sum(r.status != 'error' for r in results)} graded, "
        f"{sum(r.status == 'error' for r in results)} errors reported)"
    )
    print(f"ratio pipeline / nbgrader: {pipe_wall / plain_wall:.2f}  (target <= 0.6)")
    print(f"notebook execution time, summed: {executed:.1f} s")
    print(
        f"overhead per submission: nbgrader {(plain_wall - executed) / N:.2f} s, "
        f"pipeline {(2 * pipe_wall - executed) / N:.2f} s  (target <= 1 s; pipeline: "
        "2 workers x wall minus execution)"
    )
    print(f"grades identical to plain nbgrader's: {same} of {compared} comparable submissions")


if __name__ == "__main__":
    main()
