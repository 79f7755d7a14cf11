"""Time each lab's solution notebook: a student's Run All, the autograder's run, and
plain ``nbgrader autograde`` of one submission. Prints figures; asserts nothing.

Targets (issue 2): Run All <= 30 s, autograded run <= 10 s, on a 2-core machine.

The Run All times are written to ``bench/runall.json``: each notebook quotes its time,
rounded up to 5 s, and a test checks that the quote is this file's figure (issue 21).
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import COURSE, ROOT  # noqa: E402
from scratch import PlainCourse  # noqa: E402

from autograder import mistakes, notebooks  # noqa: E402
from autograder.course import Course  # noqa: E402


def _run(lab: str, env: dict[str, str]) -> float:
    nb = notebooks.read(COURSE.source_path(lab))
    start = time.perf_counter()
    notebooks.execute(nb, COURSE.source_path(lab).parent, env=env, timeout=600)
    return time.perf_counter() - start


RUNALL = Path(__file__).with_name("runall.json")


def quoted(seconds: float) -> int:
    """What a notebook says its Run All takes: the measured time rounded up to 5 s."""
    return 5 * math.ceil(seconds / 5)


def phrase(seconds: float) -> str:
    return f"takes about {quoted(seconds)} seconds"


def main() -> None:
    print(f"machine: {os.cpu_count()} cores")
    print(f"{'lab':<22} {'Run All':>9} {'autograde run':>14} {'nbgrader autograde, 1 sub':>26}")
    measured = {}
    for lab in COURSE.labs():
        full = measured[lab] = round(_run(lab, {}), 1)
        graded = _run(lab, {"NBGRADER_EXECUTION": "autograde"})
        with tempfile.TemporaryDirectory() as tmp:
            c = PlainCourse(Path(tmp)).prepare(lab)
            solution = mistakes.reference_submissions(lab, Course(ROOT))["solution"]
            c.submit(lab, "student", solution)
            start = time.perf_counter()
            c.autograde(lab)
            one = time.perf_counter() - start
        print(f"{lab:<22} {full:>8.1f}s {graded:>13.1f}s {one:>25.1f}s")
    RUNALL.write_text(
        json.dumps(
            {
                "generated_by": "bench/notebooks.py (make bench); do not edit",
                "cores": os.cpu_count(),
                "run_all_seconds": measured,
            },
            indent=1,
        )
        + "\n"
    )
    for lab, seconds in measured.items():
        text = notebooks.read(COURSE.source_path(lab)).cells[0].source
        state = "quoted" if phrase(seconds) in " ".join(text.split()) else "NOT QUOTED: update"
        print(f"{lab}: Run All {seconds} s -> '{phrase(seconds)}' ({state} in its first cell)")


if __name__ == "__main__":
    main()
