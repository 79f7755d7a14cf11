"""Everything that touches the course's nbgrader gradebook.

The gradebook is the one the course's ``nbgrader_config.py`` names (``Course.db_url``). The
lab is recorded as ``nbgrader generate_assignment`` records it (``ensure_assignment``); a
submission's grades are saved with nbgrader's own ``SaveAutoGrades`` (``save``), so
``nbgrader export``, formgrader and the late-submission plugins read them as usual:

- ``graded`` and ``flagged``: the executed notebook's points; a flagged submission's test
  cells need a manual look, and the reason is the solution cells' comment.
- ``error``: the points of the cells that ran, or 0 for every cell when nothing could run;
  every test cell needs manual grading, and the reason is the comment. A regrade replaces
  whatever the student had before.
- ``environment``: nothing is written.

Writes are serialised (``LOCK``): the stages of several submissions run at once.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass

from nbformat import NotebookNode
from nbgrader import utils as nbutils

from autograder import notebooks

LOG = logging.getLogger("autograder")
LOCK = threading.RLock()


@functools.cache
def _alembic_head() -> str:
    from nbgrader import api

    # nbgrader runs the `alembic` command from PATH: make it this environment's
    os.environ["PATH"] = notebooks.tool_env()["PATH"]
    return api._original_get_alembic_version()


_ENGINES: dict[tuple, object] = {}


def _shared_engine(url, *args, **kwargs):
    """nbgrader's ``create_engine``, once per database: every ``Gradebook`` otherwise builds
    a new engine, and with it an empty cache of compiled SQL and a new connection pool
    (``Gradebook.close`` disposes the pool, which the next use refills)."""
    from nbgrader import api

    key = (str(url), args, tuple(sorted(kwargs.items())))
    if key not in _ENGINES:
        _ENGINES[key] = api._original_create_engine(url, *args, **kwargs)
    return _ENGINES[key]


def fast() -> None:
    """nbgrader asks ``alembic`` (a subprocess, about a second) for the schema version every
    time a gradebook opens; it cannot change while we run, so ask once. And it builds a new
    database engine every time: share one (``_shared_engine``)."""
    from nbgrader import api
    from sqlalchemy.exc import SAWarning

    # nbgrader's update_or_create_submission trips SQLAlchemy 2's autoflush warnings
    warnings.filterwarnings("ignore", category=SAWarning)
    if not hasattr(api, "_original_get_alembic_version"):
        api._original_get_alembic_version = api.get_alembic_version
        api.get_alembic_version = _alembic_head
    if not hasattr(api, "_original_create_engine"):
        api._original_create_engine = api.create_engine
        api.create_engine = _shared_engine


def open_gradebook(db_url: str):
    from nbgrader.api import Gradebook

    fast()
    return Gradebook(db_url)


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


@dataclass
class Lateness:
    """What the gradebook says of a submission's time, after nbgrader's late plugin ran."""

    submitted: str = ""  # UTC, as nbgrader stores it
    seconds_late: float = 0.0
    penalty: float = 0.0


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


def _penalties(db_url: str, lab: str, student_id: str, config, notebooks) -> Lateness:
    """Run the course's late-submission plugin (nbgrader's ``AssignLatePenalties``) on each
    notebook of the student's submission, as ``nbgrader autograde`` does, and read back what
    the gradebook then says. Its penalty depends on the gradebook alone, so no notebook runs.
    The caller holds ``LOCK`` and no open gradebook session."""
    from nbformat.v4 import new_notebook
    from nbgrader.preprocessors import AssignLatePenalties

    for notebook in notebooks:
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
                if nb.name in notebooks
            ),
        )


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
    """Record ``row``'s grades for ``student_id`` with nbgrader's SaveAutoGrades from
    ``executed`` (whose graded cells carry the course's metadata), handed in at ``timestamp``
    (naive UTC, or None for unknown), then let the course's late-submission plugin set its
    penalty, as ``nbgrader autograde`` does. Anything not plainly ``graded`` is marked for a
    manual look, its reason the comment. ``student``: what the gradebook's student record gets
    (the LMS user id); ``notebook``: the notebook's name, when it is not the lab's."""
    notebook = notebook or lab
    from nbgrader.preprocessors import SaveAutoGrades

    with LOCK:
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
        return _penalties(db_url, lab, student_id, config, [notebook])


def relate(db_url: str, lab: str, student_id: str, timestamp, config, notebooks) -> Lateness:
    """Set when the student's submission was handed in (naive UTC, or None) and let the
    course's late plugin recompute each notebook's penalty: a changed due date, extension or
    time takes effect without running a notebook again."""
    with LOCK:
        with open_gradebook(db_url) as gb:
            gb.update_or_create_submission(lab, student_id, timestamp=timestamp)
        return _penalties(db_url, lab, student_id, config, notebooks)


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


def extension(db_url: str, lab: str, student_id: str):
    """The student's extension for the lab (nbgrader's ``grant_extension``), or None."""
    from nbgrader.api import MissingEntry

    with LOCK, open_gradebook(db_url) as gb:
        try:
            return gb.find_submission(lab, student_id).extension
        except MissingEntry:
            return None


def has_student(db_url: str, student_id: str) -> bool:
    from nbgrader.api import MissingEntry

    with LOCK, open_gradebook(db_url) as gb:
        try:
            gb.find_student(student_id)
        except MissingEntry:
            return False
        return True


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


__all__ = [
    "LOCK",
    "ensure_assignment",
    "save",
    "relate",
    "late_inputs",
    "forget",
    "not_graded",
    "grades",
    "open_gradebook",
    "fast",
]
