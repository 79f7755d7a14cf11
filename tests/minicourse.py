"""A synthetic mini-course for unit tests: a real nbgrader course folder of one small lab.

``build(root)`` writes, in milliseconds and without a kernel or a subprocess:

- ``nbgrader_config.py`` (the course root; the stub students see in place of a solution);
- ``source/<LAB>/<LAB>.ipynb``, three cells: a markdown cell (the task), an autograded answer
  cell (``ANSWER``: a solution region), and a test cell worth ``POINTS`` (``TEST``: a visible
  assert and a hidden-tests region) -- a plain nbgrader assignment, judged by its asserts;
- ``release/<LAB>/<LAB>.ipynb``, what ``nbgrader generate_assignment`` writes, made by the
  same nbgrader preprocessors in this process (the gradebook is left alone);
- any ``files`` given, beside the source notebook (a lab's helpers and data).

It returns the folder as an ``autograder.course.Course``. Stage and course tests use it
instead of a lab of this repository, so they neither depend on a lab's content nor run one.
"""

from __future__ import annotations

from pathlib import Path

#: The lab's name, its answer cell, its test cell and the test cell's points.
LAB = "mini"
ANSWER = "double"
TEST = "test_double"
POINTS = 2

#: What goes into the answer cell: the solution, a wrong answer (fails the hidden test only)
#: and one that fails the visible test too.
SOLUTION = "def double(x):\n    return 2 * x"
WRONG = "def double(x):\n    return x + 2"  # right for 2, wrong for -3
BROKEN = "def double(x):\n    return x"

CONFIG = '''"""The mini-course's nbgrader configuration; the course root is this folder."""

c = get_config()  # noqa: F821 -- provided by traitlets when nbgrader loads this file
c.CourseDirectory.course_id = "mini-course"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
'''


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook(lab: str = LAB):
    """The lab's source notebook: the task, the answer cell (solved) and its test cell."""
    from nbformat import v4

    task = v4.new_markdown_cell(
        "# A mini lab\n\nWrite `double(x)`, which returns twice `x`.",
        metadata=_meta("task_text"),
    )
    answer = v4.new_code_cell(
        "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
        metadata=_meta(ANSWER, solution=True),
    )
    test = v4.new_code_cell(
        "assert double(2) == 4\n"
        "### BEGIN HIDDEN TESTS\n"
        "assert double(-3) == -6\n"
        "### END HIDDEN TESTS",
        metadata=_meta(TEST, grade=True, points=POINTS),
    )
    # fixed ids, so that every build of the course is the same bytes
    for cell, cell_id in zip((task, answer, test), ("task", "answer", "test"), strict=True):
        cell.id = cell_id
    return v4.new_notebook(
        cells=[task, answer, test],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )


def release_notebook(source, root: Path):
    """``source`` as ``nbgrader generate_assignment`` releases it, by its own preprocessors
    under the course's configuration (all but the header, the test templates and the
    gradebook's ``SaveCells``, which this lab does not use)."""
    import copy

    from nbgrader import preprocessors as pp
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    nb, resources = copy.deepcopy(source), {}
    for step in (
        pp.LockCells,
        pp.ClearSolutions,
        pp.ClearOutput,
        pp.CheckCellMetadata,
        pp.ComputeChecksums,
        pp.ClearHiddenTests,
        pp.ClearMarkScheme,
        pp.ComputeChecksums,
        pp.CheckCellMetadata,
    ):
        nb, resources = step(config=config).preprocess(nb, resources)
    return nb


def build(root: Path, lab: str = LAB, files: dict[str, str | bytes] | None = None):
    """Write the mini-course into ``root`` (a new or empty folder) with the lab ``lab``;
    ``files`` (relative path -> text or bytes) go beside its source notebook. Returns the
    ``Course``. Call it again with another ``lab`` to add a second lab to the same course."""
    import nbformat

    from autograder.course import Course

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "nbgrader_config.py").exists():
        (root / "nbgrader_config.py").write_text(CONFIG)
    source = source_notebook(lab)
    for part, nb in (("source", source), ("release", release_notebook(source, root))):
        path = root / part / lab / f"{lab}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
    for name, data in (files or {}).items():
        path = root / "source" / lab / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
    return Course(root)
