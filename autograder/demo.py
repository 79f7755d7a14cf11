"""``python -m autograder demo``: grade a small example class with plain ``nbgrader autograde``.

For every lab with a source: a course folder in ``graded/demo/`` gets the
lab, one submission with the solution, the untouched release (a student who
submitted nothing), and one per cataloged mistake; nbgrader grades them and
the scores are read back from the course's gradebook.
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
        c = course.Course(root).prepare(lab)
        subs = course.reference_submissions(lab)
        for student, nb in subs.items():
            c.submit(lab, student, nb)
        print(f"{lab}: grading {len(subs)} example submissions with nbgrader autograde ...")
        start = time.perf_counter()
        c.autograde(lab)
        seconds = time.perf_counter() - start
        scores = c.scores(lab)
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
            f"  {len(subs)} submissions graded in {seconds:.1f} s; gradebook: "
            f"{root / 'gradebook.db'}\n"
        )
    return 0


def main(out: Path | None = None) -> int:
    return run(notebooks.available_labs(), out or notebooks.ROOT / "graded" / "demo")
