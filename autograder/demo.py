"""``python -m autograder demo`` (``make demo``): grade a demo class of every lab.

A scratch course in ``graded/demo/course`` (this course's config, source and release,
its own SQLite gradebook) receives, per lab, the twelve submissions of
``autograder.grading.democlass`` -- honest ones, broken ones and attacks -- and the
grading pipeline grades them, sandboxed and in parallel, into ``graded/demo/<lab>/``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from autograder import notebooks
from autograder.grading import democlass, pipeline
from autograder.grading.sandbox import Limits


def run(labs: list[str], out: Path, sandbox: bool = True) -> int:
    if out.exists():
        shutil.rmtree(out)  # scratch space, rebuilt every run
    course = out / "course"
    course.mkdir(parents=True)
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", course)
    for lab in labs:
        for part in ("source", "release"):
            shutil.copytree(notebooks.ROOT / part / lab, course / part / lab)
    options = pipeline.Options(limits=Limits(cell_timeout=10, wall_timeout=120), sandbox=sandbox)
    for lab in labs:
        subs = out / "submissions" / lab
        subs.mkdir(parents=True)
        for student, data in democlass.build(lab, course).items():
            (subs / f"{student}.ipynb").write_bytes(data)
        start = time.perf_counter()
        results = pipeline.grade(lab, subs, out / lab, course, options)
        print(
            f"\n== {lab}: {len(results)} submissions graded in "
            f"{time.perf_counter() - start:.1f} s\n{pipeline.summary(results)}"
        )
        print(
            f"grades.csv: {out / lab / 'grades.csv'}\nfeedback:   {out / lab / 'feedback'}/"
            f"\nreport:     {out / lab / 'report.html'}"
        )
    return 0


def main(out: Path | None = None) -> int:
    return run(notebooks.available_labs(), out or notebooks.ROOT / "graded" / "demo")
