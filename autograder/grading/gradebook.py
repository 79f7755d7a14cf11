"""Everything that touches the course's nbgrader gradebook.

The gradebook is the one the course's ``nbgrader_config.py`` names (``Course.db_url``). The
lab is recorded as ``nbgrader generate_assignment`` records it (``ensure_assignment``). A
submission gets the rows ``nbgrader autograde``'s ``SaveAutoGrades`` and
``AssignLatePenalties`` would write -- written through nbgrader's own ORM (``nbgrader.api``),
many submissions per transaction (``Writer``) -- so ``nbgrader export``, formgrader and the
late-submission plugins read them as usual:

- ``graded`` and ``flagged``: the executed notebook's points; a flagged submission's test
  cells need a manual look, and the reason is the solution cells' comment.
- ``error``: the points of the cells that ran, or 0 for every cell when nothing could run;
  every test cell needs manual grading, and the reason is the comment. A regrade replaces
  whatever the student had before.
- ``environment``: nothing is written.
- the late penalty is the course's late-submission plugin's (``AssignLatePenalties`` and its
  ``plugin_class``), from the submission's time, the lab's due date and the student's
  extension.

``Writer``: the record stages of a run (several threads) hand it their submissions; one thread
commits them in batches, and each submitter gets a ``Future`` of its submission's
``Lateness`` whose error re-raises in that submitter's own record stage. ``reference_save``
and ``reference_relate`` are the path it replaces -- nbgrader's preprocessors, four to five
sessions and commits per submission -- kept so that the tests and the bench compare the two.

``open_gradebook`` is nbgrader's ``Gradebook``, opened inside ``fast()``: one database engine
per database, and the schema version asked once.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import SimpleNamespace

from nbformat import NotebookNode
from nbgrader import utils as nbutils

from autograder import notebooks

LOG = logging.getLogger("autograder")
LOCK = threading.RLock()  # the gradebook's other writers (the lab, removals) and the ledger


# -- opening nbgrader's Gradebook ---------------------------------------------------------


@functools.cache
def _alembic_head() -> str:
    """The schema version nbgrader stamps a new gradebook with: what its
    ``get_alembic_version`` asks the ``alembic heads`` command for, read in this process."""
    from alembic.script import ScriptDirectory
    from nbgrader import dbutil

    return ScriptDirectory(dbutil.ALEMBIC_DIR).get_current_head()


_ENGINES: dict[tuple, object] = {}


def _shared_engine(url, *args, **kwargs):
    """nbgrader's ``create_engine``, once per database: every ``Gradebook`` otherwise builds
    a new engine, and with it an empty cache of compiled SQL and a new connection pool
    (``Gradebook.close`` disposes the pool, which the next use refills)."""
    from sqlalchemy import create_engine

    key = (str(url), args, tuple(sorted(kwargs.items())))
    with _PATCH:
        if key not in _ENGINES:
            _ENGINES[key] = create_engine(url, *args, **kwargs)
        return _ENGINES[key]


_PATCH = threading.RLock()
_patched: list = []  # nbgrader's own functions while some thread is inside fast()


@contextlib.contextmanager
def fast() -> Iterator[None]:
    """While inside: a ``Gradebook`` nbgrader opens shares one engine per database
    (``_shared_engine``) and takes the schema version of a new database from
    ``_alembic_head`` instead of running ``alembic`` (a subprocess, about a second). Both give
    what nbgrader's own functions give. Scoped: nbgrader's functions are put back when the
    last thread inside leaves; nothing else of the process (``os.environ``, warnings) is
    touched."""
    from nbgrader import api

    with _PATCH:
        if not _patched:
            _patched.append((api.create_engine, api.get_alembic_version))
            api.create_engine, api.get_alembic_version = _shared_engine, _alembic_head
        else:
            _patched.append(None)
    try:
        yield
    finally:
        with _PATCH:
            saved = _patched.pop()
            if saved is not None:
                api.create_engine, api.get_alembic_version = saved


@contextlib.contextmanager
def open_gradebook(db_url: str):
    """nbgrader's ``Gradebook`` of ``db_url`` (made with its tables if new), closed on
    leaving."""
    from nbgrader.api import Gradebook

    with fast():
        gb = Gradebook(db_url)
    try:
        yield gb
    finally:
        gb.close()


# -- the lab ------------------------------------------------------------------------------


def ensure_assignment(course, lab: str, db_url: str | None = None, due: str | None = None):
    """Make sure the gradebook (the course's, or ``db_url``) knows the lab and its cells, as
    ``generate_assignment`` records them, without touching release/; ``due`` (any time
    nbgrader reads, such as ``2026-12-01 17:00 Europe/Berlin``) becomes its due date. Returns
    the due date the gradebook has (UTC, naive, as nbgrader stores it), or None."""
    from nbgrader.api import MissingEntry

    db_url = db_url or course.db_url
    with LOCK:
        try:
            _generate(course, lab, db_url)
        finally:
            if due is not None:
                with open_gradebook(db_url) as gb:
                    gb.update_or_create_assignment(lab, duedate=nbutils.parse_utc(due))
        with open_gradebook(db_url) as gb:
            try:
                return gb.find_assignment(lab).duedate
            except MissingEntry:
                return None


def due_date(db_url: str, lab: str):
    """The lab's due date in the gradebook (naive UTC), or None (also without a gradebook)."""
    from nbgrader.api import MissingEntry

    try:
        with LOCK, open_gradebook(db_url) as gb:
            return gb.find_assignment(lab).duedate
    except MissingEntry:
        return None
    except Exception:  # noqa: BLE001 -- unreachable now: the record stage will say so per row
        LOG.warning("could not read the due date of %s from the gradebook", lab)
        return None


def _generate(course, lab: str, db_url: str) -> None:
    from nbgrader.api import MissingEntry

    with open_gradebook(db_url) as gb:
        try:
            if gb.find_assignment(lab).notebooks:
                return
        except MissingEntry:
            pass
    with tempfile.TemporaryDirectory() as tmp:
        notebooks.nbgrader(
            "generate_assignment",
            lab,
            "--force",
            f"--CourseDirectory.release_directory={tmp}",
            cwd=course.root,
            db_url=db_url,
        )


def not_graded(release: NotebookNode, reason: str) -> NotebookNode:
    """The release notebook with every test cell failed by ``reason``: what the gradebook
    records for a submission that could not run (0 points, each cell to be graded by hand)."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if nbutils.is_grade(cell):
                cell.outputs = [
                    NotebookNode(
                        output_type="error",
                        ename="NotGraded",
                        evalue=f"not graded automatically: {reason}",
                        traceback=[],
                    )
                ]
    return nb


# -- what a submission writes -------------------------------------------------------------


@dataclass
class Lateness:
    """What the gradebook says of a submission's time, after nbgrader's late plugin ran."""

    submitted: str = ""  # UTC, as nbgrader stores it
    seconds_late: float = 0.0
    penalty: float = 0.0
    extension: object | None = None  # the student's extension (a timedelta), or None


def autogrades(executed: NotebookNode) -> tuple[tuple[str, str, object], ...]:
    """What nbgrader's ``SaveAutoGrades`` writes of ``executed``, in the order of its cells:
    ``("grade", grade_id, auto_score)`` for a grade cell (``utils.determine_grade``), and
    ``("comment", grade_id, auto_comment)`` for a solution or task cell ("No response." for a
    solution left as released)."""
    ops: list[tuple[str, str, object]] = []
    for cell in executed.cells:
        if nbutils.is_grade(cell):
            auto_score, _ = nbutils.determine_grade(cell, LOG)
            ops.append(("grade", cell.metadata["nbgrader"]["grade_id"], auto_score))
        if nbutils.is_solution(cell) or nbutils.is_task(cell):
            unchanged = cell.metadata.nbgrader.get("checksum", None) == nbutils.compute_checksum(
                cell
            )
            comment = "No response." if unchanged and not nbutils.is_task(cell) else None
            ops.append(("comment", cell.metadata["nbgrader"]["grade_id"], comment))
    return tuple(ops)


@dataclass
class _Request:
    """One submission's writes, as a record stage hands them in."""

    lab: str
    student_id: str
    when: object  # naive UTC datetime, None, or a function of the student's extension
    notebooks: tuple[str, ...]  # whose late penalty is set (and summed in the result)
    ops: tuple | None = None  # autogrades(); None: only the time and the penalty (relate)
    status: str = ""
    reason: str = ""
    student: dict | None = None  # the student record's fields (lms_user_id)
    future: Future = field(default_factory=Future)

    @property
    def key(self) -> tuple[str, str]:
        return (self.lab, self.student_id)


def _missing(what: str):
    from nbgrader.api import MissingEntry

    return MissingEntry(what)


def _row(model, **values) -> dict:
    """A new row of ``model``'s table: ``values``, and for every other column the default
    nbgrader's model gives it (a new ``uuid4`` id, ``needs_manual_grade`` True, ...), as
    an INSERT of a new object would store it."""
    row = {}
    for column in model.__table__.columns:
        if column.key in values:
            row[column.key] = values[column.key]
        elif column.default is None:
            row[column.key] = None
        elif column.default.is_callable:
            row[column.key] = column.default.arg(None)
        else:
            row[column.key] = column.default.arg
    return row


class _Batch:
    """What one transaction reads of the gradebook, and the rows it will write.

    Reads, in a few queries for the whole batch: each lab's notebooks and cells, which of the
    students exist, and their submissions of the lab with every notebook, grade and comment.
    Rows are plain dicts of nbgrader's columns; a new one is inserted as it ends up, an
    existing one updated (``set``) by its id."""

    TABLES = ("student", "submission", "notebook", "grade", "comment")

    def __init__(self, session, requests: list[_Request]):
        from nbgrader.api import (
            Assignment,
            BaseCell,
            Comment,
            Grade,
            Student,
            SubmittedAssignment,
            SubmittedNotebook,
        )
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload, with_polymorphic

        self.models = {
            "student": Student,
            "submission": SubmittedAssignment,
            "notebook": SubmittedNotebook,
            "grade": Grade,
            "comment": Comment,
        }
        self.new: dict[str, list[dict]] = {t: [] for t in self.TABLES}
        self.changed: dict[str, dict[str, dict]] = {t: {} for t in self.TABLES}
        labs = {req.lab for req in requests}
        query = select(Assignment).where(Assignment.name.in_(labs))
        self.labs = {
            a.name: a for a in session.scalars(query.options(selectinload(Assignment.notebooks)))
        }
        self.masters = {nb.id: nb for a in self.labs.values() for nb in a.notebooks}
        cells = with_polymorphic(BaseCell, "*")
        self.cells_of: dict[str, list] = {nb_id: [] for nb_id in self.masters}
        self.cell: dict[str, object] = {}
        if self.masters:
            for cell in session.scalars(select(cells).where(cells.notebook_id.in_(self.masters))):
                self.cells_of[cell.notebook_id].append(cell)
                self.cell[cell.id] = cell
        ids = {req.student_id for req in requests}
        self.students = {
            sid: {"id": sid}
            for sid in session.scalars(select(Student.id).where(Student.id.in_(ids)))
        }
        assignment_ids = [a.id for a in self.labs.values()]
        self.subs = {
            (row["assignment_id"], row["student_id"]): row
            for row in _dicts(
                session,
                SubmittedAssignment,
                ("id", "assignment_id", "student_id", "timestamp", "extension"),
                SubmittedAssignment.assignment_id.in_(assignment_ids),
                SubmittedAssignment.student_id.in_(ids),
            )
        }
        self.parts: dict[str, list[dict]] = {sub["id"]: [] for sub in self.subs.values()}
        self.grades: dict[str, list[dict]] = {}
        self.comments: dict[str, list[dict]] = {}
        if self.subs:
            for part in _dicts(
                session,
                SubmittedNotebook,
                ("id", "assignment_id", "notebook_id", "late_submission_penalty"),
                SubmittedNotebook.assignment_id.in_(list(self.parts)),
            ):
                self.parts[part["assignment_id"]].append(part)
                self.grades[part["id"]], self.comments[part["id"]] = [], []
            part_ids = list(self.grades)
            columns = ("id", "notebook_id", "cell_id", "auto_score", "manual_score")
            for grade in _dicts(
                session, Grade, (*columns, "needs_manual_grade"), Grade.notebook_id.in_(part_ids)
            ):
                self.grades[grade["notebook_id"]].append(grade)
            columns = ("id", "notebook_id", "cell_id", "auto_comment")
            for comment in _dicts(session, Comment, columns, Comment.notebook_id.in_(part_ids)):
                self.comments[comment["notebook_id"]].append(comment)

    def add(self, table: str, **values) -> dict:
        row = _row(self.models[table], **values)
        row["_new"] = True
        self.new[table].append(row)
        return row

    def set(self, table: str, row: dict, **values) -> None:
        row.update(values)
        if not row.get("_new"):
            self.changed[table].setdefault(row["id"], {"id": row["id"]}).update(values)

    def student(self, student_id: str, fields: dict) -> None:
        """``update_or_create_student(student_id, **fields)``."""
        if student_id in self.students:
            if fields:
                self.set("student", self.students[student_id], **fields)
        else:
            self.students[student_id] = self.add("student", id=student_id, **fields)

    def submission(self, assignment, student_id: str, timestamp) -> dict:
        """``add_submission``: the submission, with an empty grade for each grade and task
        cell and an empty comment for each solution and task cell of each notebook."""
        sub = self.subs[(assignment.id, student_id)] = self.add(
            "submission", assignment_id=assignment.id, student_id=student_id, timestamp=timestamp
        )
        self.parts[sub["id"]] = []
        for notebook in assignment.notebooks:
            part = self.add("notebook", assignment_id=sub["id"], notebook_id=notebook.id)
            self.parts[sub["id"]].append(part)
            grades, comments = self.grades[part["id"]], self.comments[part["id"]] = [], []
            for cell in self.cells_of[notebook.id]:
                made = {"notebook_id": part["id"], "cell_id": cell.id}
                if cell.type in ("GradeCell", "TaskCell"):
                    grades.append(self.add("grade", **made))
                if cell.type in ("SolutionCell", "TaskCell"):
                    comments.append(self.add("comment", **made))
        return sub

    def part(self, sub: dict, notebook: str, req: _Request) -> dict:
        for part in self.parts[sub["id"]]:
            if self.masters[part["notebook_id"]].name == notebook:
                return part
        raise _missing(f"No such submitted notebook: {req.lab}/{notebook} for {req.student_id}")

    def write(self, session) -> None:
        """The rows, inserted and updated with nbgrader's models (ORM bulk statements:
        one INSERT or UPDATE of many rows a table), parents first."""
        from sqlalchemy import insert, update

        for table in self.TABLES:
            rows = [{k: v for k, v in row.items() if k != "_new"} for row in self.new[table]]
            if rows:
                session.execute(insert(self.models[table]), rows)
        for table in self.TABLES:
            groups: dict[tuple, list[dict]] = {}
            for row in self.changed[table].values():
                groups.setdefault(tuple(sorted(row)), []).append(row)
            for rows in groups.values():
                session.execute(update(self.models[table]), rows)
            self.changed[table].clear()
        for table in self.TABLES:
            for row in self.new[table]:
                row.pop("_new", None)
            self.new[table].clear()


def _dicts(session, model, columns, *where) -> list[dict]:
    from sqlalchemy import select

    query = select(*(getattr(model, c) for c in columns)).where(*where)
    return [dict(zip(columns, row, strict=True)) for row in session.execute(query)]


def _apply(req: _Request, batch: _Batch) -> None:
    """One request's rows, as nbgrader's calls would leave them (the late penalty aside):
    ``update_or_create_student``, ``update_or_create_submission``, ``SaveAutoGrades`` and the
    manual look an ungraded status asks for. Nothing is written here."""
    assignment = batch.labs.get(req.lab)
    if assignment is None:
        raise _missing(f"No such assignment: {req.lab}")
    if req.ops is not None:
        batch.student(req.student_id, req.student or {})
    sub = batch.subs.get((assignment.id, req.student_id))
    when = req.when(sub["extension"] if sub else None) if callable(req.when) else req.when
    timestamp = nbutils.parse_utc(when)
    if sub is None:  # update_or_create_submission(lab, student_id, timestamp=...)
        if req.student_id not in batch.students:
            raise _missing(f"No such student: {req.student_id}")
        sub = batch.submission(assignment, req.student_id, timestamp)
    else:
        batch.set("submission", sub, timestamp=timestamp)
    if req.ops is None:
        return
    (notebook,) = req.notebooks
    part = batch.part(sub, notebook, req)
    kind = {c["cell_id"]: batch.cell[c["cell_id"]] for c in batch.comments[part["id"]]}
    kind.update((g["cell_id"], batch.cell[g["cell_id"]]) for g in batch.grades[part["id"]])
    grades = {
        (kind[g["cell_id"]].type, kind[g["cell_id"]].name): g for g in batch.grades[part["id"]]
    }
    comments = {
        (kind[c["cell_id"]].type, kind[c["cell_id"]].name): c for c in batch.comments[part["id"]]
    }
    where = f"{req.lab}/{notebook}/{{}} for {req.student_id}"
    for op, name, value in req.ops:  # SaveAutoGrades, cell by cell
        if op == "grade":
            grade = grades.get(("GradeCell", name)) or grades.get(("TaskCell", name))
            if grade is None:
                raise _missing("No such grade: " + where.format(name))
            manual = grade["manual_score"] is not None or value is None
            batch.set("grade", grade, auto_score=value, needs_manual_grade=manual)
        else:
            comment = comments.get(("SolutionCell", name)) or comments.get(("TaskCell", name))
            if comment is None:
                raise _missing("No such taskcomment: " + where.format(name))
            batch.set("comment", comment, auto_comment=value)
    if req.status != "graded":  # for a person's look
        for grade in batch.grades[part["id"]]:
            max_score = getattr(batch.cell[grade["cell_id"]], "max_score", None) or 0.0
            if max_score > 0 or req.status == "error":
                batch.set("grade", grade, needs_manual_grade=True)
        text = f"autograder: {req.status}: {req.reason}"[:4000]
        for comment in batch.comments[part["id"]]:
            batch.set("comment", comment, auto_comment=text)


def _seconds_late(assignment, sub: dict) -> float:
    """nbgrader's ``SubmittedAssignment.total_seconds_late`` of the submission ``sub``: after
    the lab's due date and the student's extension, or 0."""
    from nbgrader.api import SubmittedAssignment
    from sqlalchemy.orm.attributes import set_committed_value

    probe = SubmittedAssignment(timestamp=sub["timestamp"], extension=sub["extension"])
    set_committed_value(probe, "assignment", assignment)  # in no session: nothing is written
    return probe.total_seconds_late


def _lateness(req: _Request, batch: _Batch, config, scores: dict) -> Lateness:
    """``AssignLatePenalties.preprocess`` on each of the request's notebooks: the penalty is
    reset, then, if the submission is late, set by the course's plugin and bounded by the
    notebook's score (nbgrader's ``_check_late_penalty``); and what the gradebook then says
    of the submission's time."""
    from nbgrader.preprocessors import AssignLatePenalties

    assignment = batch.labs[req.lab]
    sub = batch.subs[(assignment.id, req.student_id)]
    seconds = _seconds_late(assignment, sub)
    parts = [batch.part(sub, name, req) for name in req.notebooks]
    for part in parts:
        penalty = None  # reset to None (zero)
        if seconds > 0:
            assign = AssignLatePenalties(config=config)
            assign.init_plugin()
            score = scores.get(part["id"], 0.0)
            penalty = assign.plugin_inst.late_submission_penalty(req.student_id, score, seconds)
            if penalty is not None:
                penalty = assign._check_late_penalty(SimpleNamespace(score=score), penalty)
        batch.set("notebook", part, late_submission_penalty=penalty)
    return Lateness(
        f"{sub['timestamp']} UTC" if sub["timestamp"] else "",
        float(seconds or 0),
        sum(float(p["late_submission_penalty"] or 0) for p in parts),
        sub["extension"],
    )


def _scores(session, part_ids: list[str]) -> dict[str, float]:
    """nbgrader's ``SubmittedNotebook.score`` of each notebook (the sum of its grades'
    ``Grade.score``: the manual score if any, else the automatic one, plus extra credit), in
    one query over the grades for them all."""
    from nbgrader.api import Grade
    from sqlalchemy import func, select

    if not part_ids:
        return {}
    total = func.coalesce(func.sum(Grade.score), 0.0)
    query = select(Grade.notebook_id, total).where(Grade.notebook_id.in_(part_ids))
    return dict(session.execute(query.group_by(Grade.notebook_id)).all())


def _transaction(session, requests: list[_Request], config) -> list[Lateness]:
    """Every request's rows in one transaction of ``session`` (committed by the caller): read
    in a few queries, computed, written in one statement a table; then the late penalties,
    from the scores of the late notebooks as the gradebook computes them, written too."""
    batch = _Batch(session, requests)
    for req in requests:
        try:
            _apply(req, batch)
        except Exception as exc:
            raise _Failed(req, exc) from exc
    batch.write(session)
    late = []
    for req in requests:
        try:
            assignment = batch.labs[req.lab]
            sub = batch.subs[(assignment.id, req.student_id)]
            parts = [batch.part(sub, name, req) for name in req.notebooks]
            if _seconds_late(assignment, sub) > 0:
                late += [part["id"] for part in parts]
        except Exception as exc:
            raise _Failed(req, exc) from exc
    scores = _scores(session, late)
    results = []
    for req in requests:
        try:
            results.append(_lateness(req, batch, config, scores))
        except Exception as exc:
            raise _Failed(req, exc) from exc
    batch.write(session)
    return results


class _Failed(Exception):
    """One request could not be written: the others of its batch may be."""

    def __init__(self, request: _Request, error: BaseException):
        super().__init__(str(error))
        self.request, self.error = request, error


# -- the writer ---------------------------------------------------------------------------

#: The gradebooks this process opened with nbgrader (its tables and course record made).
_READY: set[str] = set()


class Writer:
    """Writes submissions into the gradebook of ``db_url``, many per transaction.

    ``save`` and ``relate`` return at once with a ``Future`` of the submission's
    ``Lateness``; one thread of the writer's own commits what was handed in, in batches of at
    most ``batch`` submissions, gathered for at most ``window`` seconds after the first, one
    submission per student in a batch. A submission that cannot be written fails its own
    ``Future`` only (its batch is rolled back and written again without it; a batch that
    fails as a whole is written one submission at a time). ``close`` writes what is queued
    and ends the thread; use the writer as a context manager. ``inline``: no thread, each
    call is written in its own transaction before it returns.

    ``config``: the course's nbgrader configuration, whose late-submission plugin
    (``AssignLatePenalties.plugin_class``, ``LateSubmissionPlugin``) sets the penalty."""

    def __init__(
        self,
        db_url: str,
        config=None,
        *,
        batch: int = 256,
        window: float = 0.02,
        inline: bool = False,
    ):
        self.db_url, self.config = db_url, config
        self.batch, self.window, self.inline = max(1, batch), window, inline
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # inline: one transaction at a time
        self._thread: threading.Thread | None = None
        self._engine = None
        self._closed = False
        self.batches: list[int] = []  # the size of each transaction committed (for the bench)

    # -- what the record stage calls

    def save(
        self,
        lab: str,
        student_id: str,
        row,
        executed: NotebookNode,
        when,
        student: dict | None = None,
        notebook: str | None = None,
    ) -> Future:
        """Record ``row``'s grades (its ``status`` and ``reason``) for ``student_id`` from
        ``executed`` (whose graded cells carry the course's metadata), handed in ``when``
        (naive UTC, None for unknown, or a function of the student's extension as the
        gradebook holds it, giving either), then let the course's late plugin set its
        penalty. Anything not plainly ``graded`` is marked for a manual look, its reason the
        comment. ``student``: what the gradebook's student record gets (the LMS user id);
        ``notebook``: the notebook's name, when it is not the lab's. ``executed`` is read
        before this returns."""
        notebook = notebook or lab
        request = _Request(
            lab,
            student_id,
            when,
            (notebook,),
            autogrades(executed),
            str(row.status),
            row.reason,
            dict(student) if student else None,
        )
        return self._submit(request)

    def relate(self, lab: str, student_id: str, when, notebooks) -> Future:
        """Set when the student's submission was handed in (as ``save``) and let the course's
        late plugin recompute each of ``notebooks``' penalty, without grading anything."""
        return self._submit(_Request(lab, student_id, when, tuple(notebooks)))

    def has_student(self, student_id: str) -> bool:
        """Whether the gradebook has a record of ``student_id`` now (read at once)."""
        from nbgrader.api import Student
        from sqlalchemy.orm import Session

        self._open()
        with Session(self._engine) as session:
            return session.get(Student, student_id) is not None

    # -- the thread

    def _open(self) -> None:
        """The engine ``open_gradebook`` shares (its compiled statements cached)."""
        with self._lock:
            if self._engine is None:
                self._engine = _shared_engine(self.db_url, echo=False, future=True)  # nbgrader's

    def _submit(self, request: _Request) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("the gradebook writer is closed")
            if not self.inline:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="gradebook-writer", daemon=True
                    )
                    self._thread.start()
                self._queue.put(request)
                return request.future
        with self._write_lock:
            self._write([request])
        return request.future

    def _run(self) -> None:
        deferred: list[_Request] = []  # a student's next submission: for the next batch
        stop = False
        while not stop or deferred:
            batch: list[_Request] = []
            keys: set[tuple[str, str]] = set()
            for request in list(deferred):
                if request.key not in keys:
                    deferred.remove(request)
                    batch.append(request)
                    keys.add(request.key)
            deadline = time.monotonic() + self.window  # counted from the batch's first
            while not stop and len(batch) < self.batch:
                if not batch:
                    item = self._queue.get()
                    deadline = time.monotonic() + self.window
                else:
                    try:
                        item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                if item is None:  # close(): what is queued is written, then the thread ends
                    stop = True
                elif item.key in keys:  # one submission per student a transaction
                    deferred.append(item)
                else:
                    batch.append(item)
                    keys.add(item.key)
            if batch:
                self._write(batch)

    def _write(self, batch: list[_Request]) -> None:
        """Commit ``batch``; every request's ``Future`` is resolved when this returns."""
        from sqlalchemy.orm import Session

        pending = list(batch)
        try:
            self._open()
            if self.db_url not in _READY:  # the tables and course record, as nbgrader makes them
                with open_gradebook(self.db_url):
                    _READY.add(self.db_url)
            while pending:
                with Session(self._engine) as session:
                    try:
                        results = _transaction(session, pending, self.config)
                        session.commit()
                    except _Failed as failed:  # that request alone: the others again
                        session.rollback()
                        failed.request.future.set_exception(failed.error)
                        pending.remove(failed.request)
                        continue
                    except Exception as exc:  # noqa: BLE001 -- the batch as a whole
                        session.rollback()
                        if len(pending) == 1:
                            pending[0].future.set_exception(exc)
                        else:
                            for request in pending:
                                self._write([request])
                        return
                for request, result in zip(pending, results, strict=True):
                    request.future.set_result(result)
                self.batches.append(len(pending))
                return
        except BaseException as exc:  # noqa: BLE001 -- no submitter is left waiting
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise

    def close(self) -> None:
        """Write everything handed in, then end the thread and the connections."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()
        if self._engine is not None:
            self._engine.dispose()  # its connections, as nbgrader's Gradebook.close does

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def save(
    db_url: str,
    lab: str,
    student_id: str,
    row,
    executed: NotebookNode,
    timestamp,
    config=None,
    student: dict | None = None,
    notebook: str | None = None,
) -> Lateness:
    """``Writer.save`` of one submission, in a transaction of its own; its ``Lateness``."""
    with Writer(db_url, config, inline=True) as writer:
        return writer.save(lab, student_id, row, executed, timestamp, student, notebook).result()


def relate(db_url: str, lab: str, student_id: str, timestamp, config, notebooks) -> Lateness:
    """Set when the student's submission was handed in (naive UTC, or None) and let the
    course's late plugin recompute each notebook's penalty: a changed due date, extension or
    time takes effect without running a notebook again."""
    with Writer(db_url, config, inline=True) as writer:
        return writer.relate(lab, student_id, timestamp, notebooks).result()


# -- reads and removals -------------------------------------------------------------------


def late_inputs(db_url: str, lab: str):
    """``(due date, {student: extension})`` of the lab in the gradebook, in one read: what
    decides a recorded submission's lateness besides its time."""
    from nbgrader.api import MissingEntry

    with LOCK, open_gradebook(db_url) as gb:
        try:
            assignment = gb.find_assignment(lab)
        except MissingEntry:
            return None, {}
        return assignment.duedate, {
            s.student_id: s.extension for s in gb.assignment_submissions(lab)
        }


def forget(db_url: str, lab: str, student_id: str, student_too: bool) -> bool:
    """Remove the student's submission of the lab (nbgrader's ``remove_submission``), and
    the student's record too when ``student_too`` and no other submission is left; True if
    there was a submission."""
    from nbgrader.api import MissingEntry

    with LOCK, open_gradebook(db_url) as gb:
        try:
            gb.remove_submission(lab, student_id)
            removed = True
        except MissingEntry:
            removed = False
        if student_too:
            try:
                if not gb.find_student(student_id).submissions:
                    gb.remove_student(student_id)
            except MissingEntry:
                pass
        return removed


def grades(db_url: str, lab: str) -> dict[str, tuple[float, bool]]:
    """Every student's ``(score, needs manual grade)`` for the lab, as nbgrader reports it."""
    with LOCK, open_gradebook(db_url) as gb:
        return {
            s.student_id: (float(s.score), bool(s.needs_manual_grade))
            for s in gb.assignment_submissions(lab)
        }


# -- the reference: nbgrader's preprocessors, one submission at a time ---------------------
#
# What ``save`` and ``relate`` did before ``Writer``: four to five gradebook sessions and
# commits per submission, through nbgrader's SaveAutoGrades and AssignLatePenalties. Nothing
# in grading calls them; tests/test_gradebook.py checks that the writer leaves every table of
# the gradebook as they do, and bench/grading.py times both.


def _resources(db_url: str, lab: str, student_id: str, notebook: str) -> dict:
    """What nbgrader's preprocessors read of the submission they work on."""
    return {
        "nbgrader": {
            "notebook": notebook,
            "assignment": lab,
            "student": student_id,
            "db_url": db_url,
        }
    }


def _reference_penalties(db_url: str, lab: str, student_id: str, config, names) -> Lateness:
    from nbformat.v4 import new_notebook
    from nbgrader.preprocessors import AssignLatePenalties

    for notebook in names:
        resources = _resources(db_url, lab, student_id, notebook)
        AssignLatePenalties(config=config).preprocess(new_notebook(), resources)
    with open_gradebook(db_url) as gb:
        submission = gb.find_submission(lab, student_id)
        return Lateness(
            f"{submission.timestamp} UTC" if submission.timestamp else "",
            float(submission.total_seconds_late or 0),
            sum(
                float(nb.late_submission_penalty or 0)
                for nb in submission.notebooks
                if nb.name in names
            ),
            submission.extension,
        )


def reference_save(
    db_url: str,
    lab: str,
    student_id: str,
    row,
    executed: NotebookNode,
    timestamp,
    config=None,
    student: dict | None = None,
    notebook: str | None = None,
) -> Lateness:
    """``save`` as nbgrader's preprocessors do it, one submission at a time (the reference)."""
    from nbgrader.preprocessors import SaveAutoGrades

    notebook = notebook or lab
    with LOCK, fast():
        with open_gradebook(db_url) as gb:
            gb.update_or_create_student(student_id, **(student or {}))
            gb.update_or_create_submission(lab, student_id, timestamp=timestamp)
        SaveAutoGrades().preprocess(executed, _resources(db_url, lab, student_id, notebook))
        if row.status != "graded":  # for a person's look
            with open_gradebook(db_url) as gb:
                part = gb.find_submission_notebook(notebook, lab, student_id)
                for grade in part.grades:
                    if grade.max_score > 0 or row.status == "error":
                        grade.needs_manual_grade = True
                comment = f"autograder: {row.status}: {row.reason}"[:4000]
                for note in part.comments:
                    note.auto_comment = comment
                gb.db.commit()
        return _reference_penalties(db_url, lab, student_id, config, [notebook])


def reference_relate(db_url: str, lab: str, student_id: str, timestamp, config, names) -> Lateness:
    """``relate`` as nbgrader's preprocessors do it (the reference)."""
    with LOCK, fast():
        with open_gradebook(db_url) as gb:
            gb.update_or_create_submission(lab, student_id, timestamp=timestamp)
        return _reference_penalties(db_url, lab, student_id, config, names)


__all__ = [
    "LOCK",
    "Lateness",
    "Writer",
    "autogrades",
    "ensure_assignment",
    "save",
    "relate",
    "late_inputs",
    "forget",
    "not_graded",
    "grades",
    "open_gradebook",
    "fast",
    "reference_save",
    "reference_relate",
]
