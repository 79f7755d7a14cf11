"""The course being graded: an nbgrader course folder, found from where the tool runs.

A ``Course`` is the folder that holds ``nbgrader_config.py`` -- the working folder or one of
its parents, or what ``--course`` names -- never the place this tool is installed. It knows
its labs (every ``source/<lab>/`` that holds a notebook: this bundle's, and the course's own
assignments, plain nbgrader ones of one or several notebooks included), its configuration
and gradebook URL (as its ``nbgrader_config.py`` sets them), and for each notebook of a lab
a ``Part``: the source and release notebooks, the points of every graded cell, and the
helper and data files beside the source.
Everything that decides points is read from here, never from a submission.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from autograder import notebooks
from autograder.errors import ToolError

#: Files beside a lab's source notebook that are not the lab's (never sent to a kernel).
IGNORED = {"__pycache__", ".ipynb_checkpoints", "feedback"}

#: The labs this tool comes with, in course order: their ids, as a course holds them in its
#: ``source/`` (this repository does). The authoring commands generate their files, from the
#: solutions and ``autograder/mistakes/<lab>.py``; a course lists them first.
BUNDLE_LABS = ("lab1_minibatch", "lab2_optimizers", "lab3_regularization")


class CourseError(ToolError):
    """The course folder cannot be used as given: says what to do. ``python -m autograder``
    prints it and exits with status 2 (``__main__``); to a caller it is an exception."""


@dataclass(eq=False)
class Course:
    root: Path
    _labs: dict = field(default_factory=dict, repr=False)

    #: The file that makes a folder a course, as nbgrader finds its configuration.
    CONFIG = "nbgrader_config.py"

    @classmethod
    def find(cls, given: Path | None = None, *starts: Path) -> Course:
        """``given`` (``--course``: it must hold nbgrader_config.py), else the first of
        ``starts`` (default: the working folder) or a parent of it that holds
        nbgrader_config.py, as nbgrader itself finds its configuration: never the folder this
        tool is installed in. Raises ``CourseError`` saying what to do when there is none."""
        if given is not None:
            if not (Path(given) / cls.CONFIG).is_file():
                raise CourseError(f"--course {given}: there is no nbgrader_config.py there")
            return cls(Path(given).resolve())
        starts = starts or (Path.cwd(),)
        for start in starts:
            here = Path(start).resolve()
            for folder in (here, *here.parents):
                if (folder / cls.CONFIG).is_file():
                    return cls(folder)
        raise CourseError(
            f"no nbgrader_config.py in {Path(starts[0]).resolve()} or its parents; "
            "run this from your course folder, or pass --course COURSE_FOLDER"
        )

    @property
    def config_path(self) -> Path:
        return self.root / self.CONFIG

    def source_path(self, lab: str, notebook: str | None = None) -> Path:
        return self.root / "source" / lab / f"{notebook or lab}.ipynb"

    def release_path(self, lab: str, notebook: str | None = None) -> Path:
        return self.root / "release" / lab / f"{notebook or lab}.ipynb"

    @property
    def helpers_dir(self) -> Path:
        """The course's ``labs/`` package, which ``make helpers`` copies into each lab."""
        return self.root / "labs"

    @property
    def data_dir(self) -> Path:
        """The course's ``data/``, which ``make data`` writes and ``make helpers`` copies."""
        return self.root / "data"

    def labs(self) -> list[str]:
        """The assignments this course's ``source/`` holds (a folder with at least one
        notebook): this bundle's labs first, in course order, then the course's own."""
        folder = self.root / "source"
        found = sorted(
            p.name
            for p in (folder.iterdir() if folder.is_dir() else [])
            if p.is_dir() and not p.name.startswith(".") and self.notebooks(p.name)
        )
        return [lab for lab in BUNDLE_LABS if lab in found] + [
            lab for lab in found if lab not in BUNDLE_LABS
        ]

    def notebooks(self, lab: str) -> list[str]:
        """The notebooks of an assignment, by name without ``.ipynb``: the one named after
        the assignment first (this bundle's labs have only that one), then the others."""
        names = sorted(
            p.stem
            for p in (self.root / "source" / lab).glob("*.ipynb")
            if p.is_file() and not p.name.startswith(".")
        )
        return sorted(names, key=lambda n: n != lab)

    def check_lab(self, lab: str) -> str:
        """``lab`` if the course can grade it; else says why and what to do."""
        labs = self.labs()
        if lab not in labs:
            raise CourseError(
                f"{self.root / 'source' / lab} holds no notebook; the course's "
                f"assignments are {', '.join(labs) or 'none'}"
            )
        missing = [n for n in self.notebooks(lab) if not self.release_path(lab, n).is_file()]
        if missing:
            raise CourseError(
                f"release/{lab}/ lacks {', '.join(m + '.ipynb' for m in missing)}: "
                f"run `nbgrader generate_assignment {lab}` in {self.root} first"
            )
        return lab

    def authored_labs(self, given: list[str] | tuple[str, ...] = ()) -> list[str]:
        """The labs the authoring commands generate files for: ``given``, each one of this
        tool's labs with a source notebook in this course, else every such lab."""
        labs = [lab for lab in self.labs() if lab in BUNDLE_LABS]
        for lab in given:
            if lab not in labs:
                raise CourseError(
                    f"{lab} is not one of this tool's labs in {self.root / 'source'}; "
                    f"the labs there are {', '.join(labs) or 'none'}"
                )
        return list(given) or labs

    @functools.cached_property
    def config(self):
        """The course's nbgrader_config.py, as nbgrader reads it (a traitlets ``Config``):
        its late-submission plugin, for one, applies here as under ``nbgrader autograde``."""
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader(self.CONFIG, path=str(self.root)).load_config()

    @functools.cached_property
    def db_url(self) -> str:
        """The gradebook URL, as the course's nbgrader_config.py sets it."""
        url = self.config.CourseDirectory.get("db_url")
        return str(url) if url else f"sqlite:///{self.root / 'gradebook.db'}"

    @functools.cached_property
    def own_grade_ids(self) -> dict[str, frozenset[str]]:
        """For each lab, the grade ids that no other lab of the course has (labs share
        some, such as a setup cell): what tells one lab's notebook from another's."""
        ids = {
            name: {g for part in self.readable(name) for g in part.cells} for name in self.labs()
        }
        return {
            name: frozenset(mine - set().union(*(v for o, v in ids.items() if o != name)))
            for name, mine in ids.items()
        }

    def lab_of_grade_id(self, grade_id: str, but: str) -> str | None:
        """The course's lab other than ``but`` that has a cell ``grade_id``, if any."""
        return next(
            (
                o
                for o in self.own_grade_ids
                if o != but and any(grade_id in part.cells for part in self.readable(o))
            ),
            None,
        )

    def lab(self, lab: str, notebook: str | None = None) -> Part:
        """One notebook of an assignment (by default the one named after it, or its only
        one), read once per ``Course`` object."""
        if notebook is None:
            names = self.notebooks(lab)
            if lab in names or len(names) == 1:
                notebook = lab if lab in names else names[0]
            else:
                raise CourseError(
                    f"{lab} has {len(names)} notebooks ({', '.join(names)}); name the one you mean"
                )
        if (lab, notebook) not in self._labs:
            self._labs[(lab, notebook)] = Part.read(self, lab, notebook)
        return self._labs[(lab, notebook)]

    def parts(self, lab: str) -> list[Part]:
        """Every notebook of an assignment, as a ``Part`` each."""
        return [self.lab(lab, name) for name in self.notebooks(lab)]

    def readable(self, lab: str) -> list[Part]:
        """``parts``, or none when the assignment cannot be read (a draft in ``source/``
        not released yet): another lab's state never stops grading this one."""
        try:
            return self.parts(lab)
        except (OSError, ValueError, CourseError):
            return []


def _by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {gid: cell for cell in nb.cells if (gid := notebooks.grade_id(cell))}


@dataclass(frozen=True, eq=False)
class Part:
    """One notebook of a course's assignment, read from its ``source/`` and ``release/``:
    ``assignment`` is the assignment's id, ``notebook`` the notebook's name (this bundle's
    labs have one notebook, named after the lab)."""

    course: Course
    assignment: str
    source: NotebookNode
    release: NotebookNode
    notebook: str = ""

    def __post_init__(self):
        if not self.notebook:
            object.__setattr__(self, "notebook", self.assignment)

    @classmethod
    def read(cls, course: Course, lab: str, notebook: str | None = None) -> Part:
        notebook = notebook or lab
        return cls(
            course,
            lab,
            notebooks.read(course.source_path(lab, notebook)),
            notebooks.read(course.release_path(lab, notebook)),
            notebook,
        )

    @functools.cached_property
    def plain(self) -> bool:
        """A plain nbgrader assignment: its tests decide in the student's kernel (asserts),
        with no expected values for this tool's judge (``notebooks.is_hidden_test``)."""
        return not any(notebooks.is_hidden_test(c) for c in self.source.cells)

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
        """The cells that carry points (tests; in a plain nbgrader assignment also answers
        and tasks graded by hand), in notebook order: the columns of grades.csv."""
        return [notebooks.grade_id(c) for c in self.source.cells if notebooks.is_scored(c)]

    @property
    def max_score(self) -> float:
        return float(sum(notebooks.points(c) for c in self.source.cells if notebooks.is_scored(c)))

    @functools.cached_property
    def helper_files(self) -> dict[str, bytes]:
        """The files beside the source notebook (its ``labs/`` helpers and ``data/``), by
        relative path: what ``nbgrader autograde`` copies over a submission from the source."""
        folder = self.course.source_path(self.assignment).parent
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
            if notebooks.is_answer(cell) and notebooks.grade_id(cell) in code:
                cell.source = code[notebooks.grade_id(cell)]
        return nb


__all__ = ["Course", "CourseError", "Part"]
