"""The course being graded: an nbgrader course folder, found from where the tool runs.

A ``Course`` is the folder that holds ``nbgrader_config.py`` -- the working folder or one of
its parents, or what ``--course`` names -- never the place this tool is installed. It knows
its labs (the ``source/<lab>/<lab>.ipynb`` it holds), its gradebook URL (as its
``nbgrader_config.py`` sets it), and for each lab a ``Lab``: the source and release
notebooks, the points of every test cell, and the helper and data files beside the source.
Everything that decides points is read from here, never from a submission.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from autograder import notebooks

#: Files beside a lab's source notebook that are not the lab's (never sent to a kernel).
IGNORED = {"__pycache__", ".ipynb_checkpoints", "feedback"}


class CourseError(SystemExit):
    """The course folder cannot be used as given: says what to do."""


@dataclass(eq=False)
class Course:
    root: Path
    _labs: dict = field(default_factory=dict, repr=False)

    @classmethod
    def find(cls, given: Path | None = None, *starts: Path) -> Course:
        """``given`` (``--course``: it must hold nbgrader_config.py), else the first of
        ``starts`` or a parent of it that holds nbgrader_config.py, as nbgrader finds it."""
        if given is not None:
            if not (Path(given) / "nbgrader_config.py").is_file():
                raise CourseError(
                    f"autograder: --course {given}: there is no nbgrader_config.py there"
                )
            return cls(Path(given).resolve())
        return cls(notebooks.find_course(*(starts or (Path.cwd(),))))

    def source_path(self, lab: str) -> Path:
        return notebooks.source_path(lab, self.root)

    def release_path(self, lab: str) -> Path:
        return notebooks.release_path(lab, self.root)

    def labs(self) -> list[str]:
        """The labs whose source notebook this course holds."""
        return notebooks.available_labs(self.root)

    def check_lab(self, lab: str) -> str:
        return notebooks.check_lab(lab, self.root)

    @functools.cached_property
    def db_url(self) -> str:
        """The gradebook URL, as the course's nbgrader_config.py sets it."""
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        url = config.CourseDirectory.get("db_url")
        return str(url) if url else f"sqlite:///{self.root / 'gradebook.db'}"

    @functools.cached_property
    def own_grade_ids(self) -> dict[str, frozenset[str]]:
        """For each lab, the grade ids that no other lab of the course has (labs share
        some, such as a setup cell): what tells one lab's notebook from another's."""
        ids = {name: set(self.lab(name).cells) for name in self.labs()}
        return {
            name: frozenset(mine - set().union(*(v for o, v in ids.items() if o != name)))
            for name, mine in ids.items()
        }

    def lab_of_grade_id(self, grade_id: str, but: str) -> str | None:
        """The course's lab other than ``but`` that has a cell ``grade_id``, if any."""
        return next(
            (o for o in self.own_grade_ids if o != but and grade_id in self.lab(o).cells), None
        )

    def lab(self, lab: str) -> Lab:
        """The lab, read once per ``Course`` object."""
        if lab not in self._labs:
            self._labs[lab] = Lab.read(self, lab)
        return self._labs[lab]


def _by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {
        meta["grade_id"]: cell
        for cell in nb.cells
        if (meta := notebooks.nbgrader_meta(cell)).get("grade_id")
    }


@dataclass(frozen=True, eq=False)
class Lab:
    """One lab of a course, read from its ``source/`` and ``release/``."""

    course: Course
    name: str
    source: NotebookNode
    release: NotebookNode

    @classmethod
    def read(cls, course: Course, lab: str) -> Lab:
        return cls(
            course,
            lab,
            notebooks.read(course.source_path(lab)),
            notebooks.read(course.release_path(lab)),
        )

    @functools.cached_property
    def cells(self) -> dict[str, NotebookNode]:
        """Every cell of the source with nbgrader metadata, by grade id."""
        return _by_grade_id(self.source)

    @functools.cached_property
    def released(self) -> dict[str, NotebookNode]:
        """Every cell of the release with nbgrader metadata, by grade id."""
        return _by_grade_id(self.release)

    @property
    def grade_ids(self) -> list[str]:
        """The test cells that carry points, in notebook order (the columns of grades.csv)."""
        return [notebooks.nbgrader_meta(c)["grade_id"] for c in notebooks.graded_cells(self.source)]

    @property
    def max_score(self) -> float:
        return float(
            sum(
                notebooks.nbgrader_meta(c).get("points", 0)
                for c in notebooks.graded_cells(self.source)
            )
        )

    @functools.cached_property
    def files(self) -> dict[str, bytes]:
        """The files beside the source notebook (its ``labs/`` helpers and ``data/``), by
        relative path: what ``nbgrader autograde`` copies over a submission from the source."""
        folder = self.course.source_path(self.name).parent
        return {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
            and path.suffix != ".ipynb"
            and not IGNORED & set(path.relative_to(folder).parts)
        }

    def filled(self, code: dict[str, str]) -> NotebookNode:
        """The release notebook with its solution cells replaced by ``code`` (by grade id)."""
        nb = copy.deepcopy(self.release)
        for cell in nb.cells:
            meta = notebooks.nbgrader_meta(cell)
            if meta.get("solution") and meta.get("grade_id") in code:
                cell.source = code[meta["grade_id"]]
        return nb


__all__ = ["Course", "CourseError", "Lab"]
