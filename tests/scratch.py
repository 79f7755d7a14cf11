"""Scratch nbgrader courses for the tests and the bench (not the grader's code).

It holds a copy of ``nbgrader_config.py`` and ``source/<lab>`` (so its
``generate_assignment`` is the real one), its own SQLite gradebook, and
submissions in nbgrader's layout ``submitted/<student>/<lab>/<lab>.ipynb``.
Grading here is plain ``nbgrader autograde``, exactly what an instructor runs.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder import notebooks
from autograder.course import Course
from autograder.grading.sandbox import Limits

#: The lab most grading tests use, and limits with room for a busy CI machine.
LAB = "lab2_optimizers"
FAST = Limits(cell_timeout=5, wall_timeout=90, memory_mb=1536)


@dataclass(frozen=True)
class CellScore:
    grade_id: str
    score: float
    max_score: float
    error: str = ""  # the cell's error output in the autograded notebook (its last line first)


@dataclass(frozen=True)
class Shown:
    """What a cell of the autograded notebook shows: its error (``ename: evalue``), the
    error's traceback lines as a notebook renders them, and its printed text."""

    error: str = ""
    traceback: tuple[str, ...] = ()
    stream: str = ""
    n_errors: int = 0


@dataclass(frozen=True)
class Score:
    student: str
    score: float
    max_score: float
    cells: tuple[CellScore, ...]
    errors: tuple[tuple[str, str], ...] = ()  # (grade_id, error) of every failed cell
    shown: tuple[tuple[str, Shown], ...] = ()  # (grade_id, Shown) of every cell with an id

    def output(self, grade_id: str) -> Shown:
        return dict(self.shown).get(grade_id, Shown())

    def error(self, grade_id: str) -> str:
        return dict(self.errors).get(grade_id, "")

    def cell(self, grade_id: str) -> CellScore:
        return next(c for c in self.cells if c.grade_id == grade_id)


class PlainCourse:
    """A course graded by plain ``nbgrader autograde``: a copy of the config and a lab's
    source from ``source_root`` (this repository unless given)."""

    def __init__(self, root: Path, source_root: Path | None = None):
        from conftest import ROOT

        self.root = Path(root)
        self.source_root = source_root or ROOT
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"

    def prepare(self, lab: str) -> PlainCourse:
        """Copy the config and the lab's source, and generate its release (fills the gradebook)."""
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.source_root / "nbgrader_config.py", self.root)
        dest = self.root / "source" / lab
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(self.source_root / "source" / lab, dest)
        self.nbgrader("generate_assignment", lab, "--force")
        return self

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        return notebooks.nbgrader(*args, cwd=self.root, db_url=self.db_url)

    def submit(self, lab: str, student: str, nb: NotebookNode | bytes) -> Path:
        path = self.root / "submitted" / student / lab / f"{lab}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, bytes):
            path.write_bytes(nb)
        else:
            nbformat.write(nb, str(path))
        return path

    def autograde(self, lab: str, student: str | None = None) -> subprocess.CompletedProcess:
        extra = ["--student", student] if student else []
        # kernels over Unix sockets in this course's folder: two courses graded at once (as
        # ``grade_in_parts`` does) could otherwise pick the same free TCP port, and a kernel
        # that loses that race dies before replying to kernel_info
        ipc = [
            "--KernelManager.transport=ipc",
            f"--KernelManager.ip={self.root / 'kernel-ipc'}",
        ]
        return self.nbgrader("autograde", lab, "--force", *ipc, *extra)

    def scores(self, lab: str) -> dict[str, Score]:
        from nbgrader.api import Gradebook

        out = {}
        with Gradebook(self.db_url) as gb:
            for sub in gb.assignment_submissions(lab):
                shown = self._shown(lab, sub.student_id)
                errors = {gid: s.error for gid, s in shown.items() if s.error}
                cells = []
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        if grade.cell.cell_type == "code":
                            cells.append(
                                CellScore(
                                    grade.name,
                                    float(grade.score or 0.0),
                                    float(grade.max_score),
                                    errors.get(grade.name, ""),
                                )
                            )
                out[sub.student_id] = Score(
                    sub.student_id,
                    float(sub.score),
                    float(sub.max_score),
                    tuple(cells),
                    tuple(sorted(errors.items())),
                    tuple(sorted(shown.items())),
                )
        return out

    def _shown(self, lab: str, student: str) -> dict[str, Shown]:
        """What every cell with a grade_id shows in the student's autograded notebook."""
        path = self.root / "autograded" / student / lab / f"{lab}.ipynb"
        if not path.exists():
            return {}
        out = {}
        for cell in notebooks.read(path).cells:
            gid = notebooks.nbgrader_meta(cell).get("grade_id")
            if not gid or cell.cell_type != "code":
                continue
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            first = errors[0] if errors else None
            out[gid] = Shown(
                f"{first.ename}: {first.evalue}" if first else "",
                tuple(first.traceback) if first else (),
                notebooks.stream_text(cell),
                len(errors),
            )
        return out


def json_strings(value):
    """Every string of a JSON value, its keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v)


def without_experiments(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` whose experiment cells (``notebooks.is_experiment``) do nothing, as
    the pipeline skips them when it grades."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if notebooks.is_experiment(cell):
            cell.source = "# an experiment: not run when graded"
    return nb


def grade_in_parts(
    lab: str, submissions: dict[str, NotebookNode], root: Path, parts: int = 2
) -> dict[str, Score]:
    """Grade ``submissions`` with plain ``nbgrader autograde``, split over ``parts`` scratch
    courses under ``root`` that are graded at the same time (nbgrader grades one at a time).
    Returns every student's score, read back from the courses' gradebooks."""
    names = sorted(submissions)
    chunks = [names[i::parts] for i in range(parts) if names[i::parts]]

    def grade(i_chunk: tuple[int, list[str]]) -> dict[str, Score]:
        i, chunk = i_chunk
        c = PlainCourse(root / f"part{i}").prepare(lab)
        for student in chunk:
            c.submit(lab, student, submissions[student])
        c.autograde(lab)
        return c.scores(lab)

    scores: dict[str, Score] = {}
    with ThreadPoolExecutor(len(chunks)) as pool:
        for part in pool.map(grade, enumerate(chunks)):
            scores.update(part)
    return scores


@contextlib.contextmanager
def postgres_server():
    """A throwaway PostgreSQL server on a Unix socket (no TCP port to collide with), with an
    empty ``gradebook`` database: yields its URL. Run as the ``postgres`` user when we are
    root (the server refuses root). Raises ``FileNotFoundError`` without PostgreSQL."""
    found = shutil.which("initdb") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)), None
    )
    if found is None:
        raise FileNotFoundError(
            "PostgreSQL is not installed: `make test` installs it (see the Makefile)"
        )
    bindir = Path(found).resolve().parent
    home = Path(tempfile.mkdtemp(prefix="autograde-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True)

    data = home / "data"
    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    opts = f"-k {home} -c listen_addresses='' -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l", str(home / "log"), "start")
    try:
        run(str(bindir / "createdb"), "-h", str(home), "-U", "postgres", "gradebook")
        yield f"postgresql://postgres@/gradebook?host={home}"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


def copy_course(root: Path, labs=None, origin: Path | None = None) -> Course:
    """A copy of the course folder ``origin`` (default: this repository's), as an instructor
    makes one (cp -r): its config and the ``source/`` and ``release/`` of ``labs`` (default:
    every lab). Nothing of it points back at this repository."""
    from conftest import ROOT

    origin = origin or ROOT
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(origin / "nbgrader_config.py", root)
    for lab in labs or Course(origin).labs():
        for part in ("source", "release"):
            shutil.copytree(origin / part / lab, root / part / lab)
    return Course(root)


def csv_rows(path: Path) -> list[dict]:
    import csv

    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def class_folder(root: Path, files: dict[str, bytes]) -> Path:
    """A submissions folder holding ``files`` (name -> bytes)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def load_module(name: str, path: Path):
    """The Python file ``path`` as a module named ``name``, imported without putting its
    folder on ``sys.path`` (a lab's helper copy, bench scripts, the held-out mistakes)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: A tiny notebook, for tests of who handed in what (nothing runs it).
TINY = nbformat.writes(
    nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
).encode()


def download(root: Path, names, data: bytes = TINY) -> Path:
    """A folder holding a file of ``data`` at each of ``names`` (a name -> bytes mapping gives
    each its own), as a platform's download unpacks."""
    items = names.items() if isinstance(names, dict) else ((n, data) for n in names)
    return class_folder(root, dict(items))


def intake_rows(where: Path, lab: str = LAB, **kwargs) -> dict:
    """Intake's records of a download, by file (a zip is extracted beside it)."""
    from autograder.grading import intake

    if Path(where).is_file():
        kwargs.setdefault("scratch", Path(tempfile.mkdtemp(dir=Path(where).parent)))
    return {s.file: s for s in intake.find(where, lab, **kwargs).submissions}


def gradebook_course(root: Path, lab: str, students: dict) -> Path:
    """A course folder whose gradebook (through nbgrader's API) holds ``students``' grades of
    ``lab``, worth 6 + 4 points: student id -> (first, last, email, LMS user id, (cell 1,
    cell 2) or None for no submission, late penalty, needs manual grading)."""
    import warnings

    import nbgrader
    from alembic.script import ScriptDirectory
    from nbgrader import api
    from sqlalchemy.exc import SAWarning

    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    # a new gradebook is stamped with the schema version nbgrader gets from the `alembic`
    # command (a subprocess, a second): read it from nbgrader's migrations instead
    head = ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()
    original = api.get_alembic_version
    api.get_alembic_version = lambda: head
    try:
        gb = api.Gradebook(f"sqlite:///{root / 'gradebook.db'}")
    finally:
        api.get_alembic_version = original
    with gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission trips them
        gb.add_assignment(lab)
        gb.add_notebook(lab, lab)
        gb.add_grade_cell("c1", lab, lab, max_score=6, cell_type="code")
        gb.add_grade_cell("c2", lab, lab, max_score=4, cell_type="code")
        for sid, (first, last, email, lms, cells, penalty, manual) in students.items():
            gb.add_student(sid, first_name=first, last_name=last, email=email, lms_user_id=lms)
            if cells is None:
                continue
            gb.add_submission(lab, sid)
            for cell, points in zip(("c1", "c2"), cells, strict=True):
                grade = gb.find_grade(cell, lab, lab, sid)
                grade.auto_score = points
                grade.needs_manual_grade = manual
            gb.find_submission_notebook(lab, lab, sid).late_submission_penalty = penalty
        gb.db.commit()
    return root


def export(course: Path, lab: str, *args: str, roster: str | None = None, at: Path) -> int:
    """``autograder export`` in ``course``, with ``roster`` (text) written at ``at``."""
    from autograder import export as command

    argv = ["export", lab, "--course", str(course), *args]
    if roster is not None:
        at.write_bytes(roster.encode("utf-8"))
        argv += ["--roster", str(at)]
    return command.main_for_tests(argv)


def read_csv_bom(path: Path) -> list[list[str]]:
    import csv
    import io

    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
