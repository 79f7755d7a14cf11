"""autograder.course on the synthetic mini-course (tests/minicourse.py): what a course folder
holds, what it reads of each lab, and what it says when a lab is missing or cannot be read.
No kernel, no subprocess: the unit tier."""

from __future__ import annotations

import pytest
from minicourse import ANSWER, LAB, POINTS, SOLUTION, TEST, build

from autograder import notebooks
from autograder.course import BUNDLE_LABS, Course, CourseError, Part


def _second_notebook(course: Course, lab: str, name: str, of: str | None = None) -> None:
    """A copy of ``lab``'s notebook ``of`` (the one named after it) as ``name``, in its
    source and release."""
    for path in (course.source_path(lab, of), course.release_path(lab, of)):
        (path.parent / f"{name}.ipynb").write_bytes(path.read_bytes())


def test_a_course_knows_its_labs_and_nothing_else_in_source(tmp_path):
    course = build(tmp_path)
    assert course.labs() == [LAB]
    (tmp_path / "source" / "notes").mkdir()  # a folder without a notebook is no lab
    (tmp_path / "source" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "source" / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    (tmp_path / "source" / "readme.ipynb").write_text("{}")  # a notebook, but no folder
    assert course.labs() == [LAB]


def test_the_bundles_labs_come_first_in_course_order_then_the_courses_own(tmp_path):
    first = BUNDLE_LABS[0]
    build(tmp_path, "aaa")
    build(tmp_path, "zzz")
    course = build(tmp_path, first)
    assert course.labs() == [first, "aaa", "zzz"]


def test_a_lab_is_its_source_and_release_with_the_points_of_its_test(tmp_path):
    course = build(tmp_path)
    lab = course.lab(LAB)
    assert isinstance(lab, Part) and (lab.assignment, lab.notebook) == (LAB, LAB)
    assert course.lab(LAB) is lab  # read once per Course
    assert course.parts(LAB) == [lab]
    assert list(lab.cells) == ["task_text", ANSWER, TEST]
    assert lab.grade_ids == [TEST] and lab.max_score == POINTS
    assert lab.plain  # judged by its asserts, with no expected values
    assert "BEGIN HIDDEN TESTS" in lab.cells[TEST].source
    assert "HIDDEN" not in lab.released[TEST].source  # the release is what students get
    assert "raise NotImplementedError()" in lab.released[ANSWER].source
    assert "BEGIN SOLUTION" not in lab.released[ANSWER].source


def test_filled_puts_code_into_the_answer_cells_of_the_release_only(tmp_path):
    lab = build(tmp_path).lab(LAB)
    nb = lab.filled({ANSWER: SOLUTION, TEST: "assert True"})
    by_id = {notebooks.nbgrader_meta(c).get("grade_id"): c for c in nb.cells}
    assert by_id[ANSWER].source == SOLUTION
    assert by_id[TEST].source == lab.released[TEST].source  # a test cell is never replaced
    assert lab.released[ANSWER].source != SOLUTION  # the release itself is left as it was


def test_a_labs_files_are_what_lies_beside_its_source_notebook(tmp_path):
    helpers = {
        "labs/helper.py": "HELP = 1\n",
        "data/points.npy": b"\x93NUMPY",
        "labs/__pycache__/helper.cpython-311.pyc": b"stale",
        ".ipynb_checkpoints/mini-checkpoint.ipynb": "{}",
    }
    lab = build(tmp_path, files=helpers).lab(LAB)
    assert lab.helper_files == {"data/points.npy": b"\x93NUMPY", "labs/helper.py": b"HELP = 1\n"}


def test_an_assignment_of_several_notebooks_lists_its_own_first(tmp_path):
    course = build(tmp_path)
    _second_notebook(course, LAB, "aaa_extra")
    assert course.notebooks(LAB) == [LAB, "aaa_extra"]
    assert [p.notebook for p in course.parts(LAB)] == [LAB, "aaa_extra"]
    assert course.lab(LAB).notebook == LAB  # the one named after the assignment


def test_a_lab_of_several_notebooks_none_named_after_it_must_be_named(tmp_path):
    course = build(tmp_path)
    for part in ("source", "release"):
        folder = tmp_path / part / LAB
        (folder / f"{LAB}.ipynb").rename(folder / "p1.ipynb")
    _second_notebook(course, LAB, "p2", of="p1")
    course = Course(tmp_path)
    with pytest.raises(CourseError, match=r"2 notebooks \(p1, p2\); name the one you mean"):
        course.lab(LAB)
    assert course.lab(LAB, "p2").notebook == "p2"
    assert [p.notebook for p in course.readable(LAB)] == ["p1", "p2"]


def test_check_lab_names_the_courses_labs_when_the_lab_is_missing(tmp_path):
    course = build(tmp_path)
    assert course.check_lab(LAB) == LAB
    with pytest.raises(CourseError, match=rf"source/nope holds no notebook.*are {LAB}$"):
        course.check_lab("nope")


def test_check_lab_says_to_generate_the_release_when_it_is_missing(tmp_path):
    course = build(tmp_path)
    course.release_path(LAB).unlink()
    with pytest.raises(CourseError, match=rf"generate_assignment {LAB}` in {tmp_path}"):
        course.check_lab(LAB)


def test_a_draft_without_a_release_or_a_broken_notebook_is_not_readable(tmp_path):
    """``readable``: another lab's state never stops grading this one; ``parts`` says why."""
    build(tmp_path, "draft")
    build(tmp_path, "broken")
    course = build(tmp_path)
    course.release_path("draft").unlink()
    course.source_path("broken").write_text('{"cells": [')
    assert course.readable("draft") == [] and course.readable("broken") == []
    with pytest.raises(OSError):
        course.parts("draft")
    with pytest.raises(ValueError):
        course.parts("broken")
    assert [p.assignment for p in course.readable(LAB)] == [LAB]
    assert set(course.own_grade_ids) == {"broken", "draft", LAB}  # still the course's labs


def test_grade_ids_shared_by_labs_belong_to_neither(tmp_path):
    build(tmp_path, "other")
    course = build(tmp_path)
    assert course.own_grade_ids == {LAB: frozenset(), "other": frozenset()}
    assert course.lab_of_grade_id(TEST, but=LAB) == "other"
    assert course.lab_of_grade_id("nowhere", but=LAB) is None


def test_the_gradebook_is_the_courses_unless_its_config_names_another(tmp_path):
    assert build(tmp_path / "a").db_url == f"sqlite:///{tmp_path / 'a' / 'gradebook.db'}"
    build(tmp_path / "b")
    with open(tmp_path / "b" / "nbgrader_config.py", "a") as fh:
        fh.write("c.CourseDirectory.db_url = 'postgresql://grader@db/course'\n")
    assert Course(tmp_path / "b").db_url == "postgresql://grader@db/course"


def test_find_takes_the_folder_given_or_the_first_parent_with_a_config(tmp_path):
    build(tmp_path / "course")
    inside = tmp_path / "course" / "source" / LAB
    assert Course.find(None, inside).root == tmp_path / "course"
    assert Course.find(tmp_path / "course").root == tmp_path / "course"
    with pytest.raises(CourseError, match="--course .*there is no nbgrader_config.py there"):
        Course.find(inside)


def test_without_a_course_folder_find_says_where_it_looked_and_what_to_do(tmp_path):
    """An ordinary exception (``__main__`` alone turns it into an exit status)."""
    with pytest.raises(CourseError, match="no nbgrader_config.py in .* pass --course") as caught:
        Course.find(None, tmp_path)
    assert str(tmp_path) in str(caught.value)
    assert not isinstance(caught.value, SystemExit)
