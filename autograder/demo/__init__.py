"""``python -m autograder demo`` (``make demo``): grade a demo class of every lab.

A scratch course in ``graded/demo/course`` (this course's config, source and release,
its own SQLite gradebook) receives, per lab, the twelve submissions of
``autograder.demo.democlass`` -- honest ones, broken ones and attacks; lab2 also its odd
files: two notebooks for one student, another lab's notebook, a .py, ... -- and the
grading pipeline grades them, sandboxed and in parallel, into ``graded/demo/<lab>/``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from autograder.course import Course
from autograder.demo import democlass
from autograder.grading import pipeline, report
from autograder.grading.sandbox import Limits

#: The lab whose demo class also holds ``democlass.odd_files``.
ODD_FILES_LAB = "lab2_optimizers"


def run(origin: Course, labs: list[str], out: Path, sandbox: bool = True) -> int:
    """Grade the demo class of each of ``labs`` in a scratch copy of ``origin``."""
    if out.exists():
        shutil.rmtree(out)  # scratch space, rebuilt every run
    out.mkdir(parents=True)
    root = out / "course"
    root.mkdir()
    shutil.copy(origin.config_path, root)
    for lab in labs:
        for part in ("source", "release"):
            shutil.copytree(origin.root / part / lab, root / part / lab)
    course = Course(root)
    options = pipeline.Options(limits=Limits(cell_timeout=10, wall_timeout=120), sandboxed=sandbox)
    for lab in labs:
        subs = out / "submissions" / lab
        subs.mkdir(parents=True)
        for student, data in democlass.build(lab, course).items():
            (subs / f"{student}.ipynb").write_bytes(data)
        if lab == ODD_FILES_LAB:  # and the odd files courses really produce, next to them
            democlass.write_odd_files(lab, course, subs)
        start = time.perf_counter()
        rows = pipeline.grade(lab, subs, out / lab, course, options)
        print(
            f"\n== {lab}: {report.file_count(rows)} files graded in "
            f"{time.perf_counter() - start:.1f} s\n{pipeline.summary(rows)}"
        )
        print(
            f"grades.csv: {out / lab / 'grades.csv'}\nfeedback:   {out / lab / 'feedback'}/"
            f"\nreport:     {out / lab / 'report.html'}"
        )
    return 0


def main(out: Path | None = None) -> int:
    """The demo of the course found from the working folder (``make demo``: this one)."""
    origin = Course.find()
    return run(origin, origin.labs(), out or origin.root / "graded" / "demo")
