"""``python -m autograder demo``: grade a small example class with plain ``nbgrader autograde``.

For every lab with a source: one submission with the solution, the untouched
release (a student who submitted nothing), and one per cataloged mistake, graded
by nbgrader in scratch courses under ``graded/demo/<lab>/`` (two at once, one
per core); the scores are read back from their gradebooks.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from autograder import course, mistakes, notebooks


def run(labs: list[str], out: Path) -> int:
    for lab in labs:
        root = out / lab
        if root.exists():
            shutil.rmtree(root)  # the demo course is scratch space, rebuilt every run
        subs = course.reference_submissions(lab)
        print(
            f"{lab}: grading {len(subs)} example submissions with nbgrader autograde "
            "(two courses at once) ..."
        )
        start = time.perf_counter()
        scores = course.grade_in_parts(lab, subs, root)
        seconds = time.perf_counter() - start
        expected_fail = {
            f"mistake-{m.name}".replace("_", "-"): m.fails for m in mistakes.catalog(lab)
        }
        width = max(len(s) for s in scores)
        print(f"  {'student':<{width}}  {'score':>11}  tests failed")
        for student in subs:
            s = scores[student]
            failed = [x.grade_id for x in s.cells if x.score < x.max_score]
            print(
                f"  {student:<{width}}  {s.score:>5.1f} / {s.max_score:<3.0f}  "
                f"{', '.join(failed) or '-'}"
            )
            want = expected_fail.get(student)
            if want is not None and set(failed) != set(want):
                print(f"  ^ expected to fail exactly {sorted(want)}")
        print(
            f"  {len(subs)} submissions graded in {seconds:.1f} s; "
            f"gradebooks: {root}/part*/gradebook.db\n"
        )
    return 0


def main(out: Path | None = None) -> int:
    return run(notebooks.available_labs(), out or notebooks.ROOT / "graded" / "demo")
