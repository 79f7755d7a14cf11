"""Time each lab's solution notebook: a student's Run All, the autograder's run, and
plain ``nbgrader autograde`` of one submission. Prints figures; asserts nothing.

Targets (issue 2): Run All <= 30 s, autograded run <= 10 s, on a 2-core machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from scratch import PlainCourse  # noqa: E402

from autograder import mistakes, notebooks  # noqa: E402
from autograder.course import Course  # noqa: E402


def _run(lab: str, env: dict[str, str]) -> float:
    nb = notebooks.read(notebooks.source_path(lab))
    start = time.perf_counter()
    notebooks.execute(nb, notebooks.source_path(lab).parent, env=env, timeout=600)
    return time.perf_counter() - start


def main() -> None:
    print(f"machine: {os.cpu_count()} cores")
    print(f"{'lab':<22} {'Run All':>9} {'autograde run':>14} {'nbgrader autograde, 1 sub':>26}")
    for lab in notebooks.available_labs():
        full = _run(lab, {})
        graded = _run(lab, {"NBGRADER_EXECUTION": "autograde"})
        with tempfile.TemporaryDirectory() as tmp:
            c = PlainCourse(Path(tmp)).prepare(lab)
            solution = mistakes.reference_submissions(lab, Course(notebooks.ROOT))["solution"]
            c.submit(lab, "student", solution)
            start = time.perf_counter()
            c.autograde(lab)
            one = time.perf_counter() - start
        print(f"{lab:<22} {full:>8.1f}s {graded:>13.1f}s {one:>25.1f}s")


if __name__ == "__main__":
    main()
