"""The gradebook, written in batches (``gradebook.Writer``), leaves every table as nbgrader's
own ``SaveAutoGrades`` and ``AssignLatePenalties`` leave it, one submission at a time
(``gradebook.reference_save`` and ``reference_relate``, the path the writer replaced).

The unit tests feed the writer rows of a synthetic assignment built with nbgrader's API (two
notebooks; test, answer, written-answer and task cells), with no kernel; the ``kernel`` test
grades one class of lab 2 both ways through ``pipeline.grade``; the ``postgres`` test writes
the synthetic rows both ways into PostgreSQL.

What the comparison ignores, and why: the ``id`` of the rows a submission makes (student
submission, notebook, grade, comment) is nbgrader's ``uuid4().hex``, new for every row made,
so two gradebooks can never share it; each row is compared under its natural key instead
(assignment name + student id, + notebook name, + cell name and type), and every foreign key
through the same key. No column holds a time of writing: the submission's ``timestamp`` is
the platform's time, and compared as is.
"""

from __future__ import annotations

import copy
import datetime
import math
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace

import nbformat
import pytest
import sqlalchemy
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader import api
from nbgrader import utils as nbutils
from nbgrader.plugins import LateSubmissionPlugin
from scratch import FAST, class_folder, copy_course
from scratch import LAB as LAB2
from traitlets.config import Config

from autograder import mistakes, notebooks
from autograder.grading import gradebook, pipeline

#: nbgrader's add_submission, on the reference path, trips SQLAlchemy 2's autoflush warning
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")

LAB = "lab"
DUE = datetime.datetime(2026, 11, 1, 12, 0)


class HourlyPenalty(LateSubmissionPlugin):
    """A course's own late plugin: a point per hour begun after the due date (nbgrader
    bounds it by the notebook's score)."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return float(math.ceil(total_seconds_late / 3600))


CONFIG = Config({"AssignLatePenalties": {"plugin_class": HourlyPenalty}})


# -- a synthetic assignment -----------------------------------------------------------------

#: (grade_id, cell type, nbgrader flags, points) of each notebook's cells, as generate_assignment
#: would record them: tests, an autograded answer, a written answer graded by hand, a task.
CELLS = {
    "lab": [
        ("answer_code", "code", {"solution": True}, None),
        ("t1", "code", {"grade": True}, 2.0),
        ("t2", "code", {"grade": True}, 3.0),
        ("essay", "markdown", {"solution": True, "grade": True}, 4.0),
        ("task1", "markdown", {"task": True}, 1.0),
        ("t_zero", "code", {"grade": True}, 0.0),
    ],
    "part2": [
        ("answer2", "code", {"solution": True}, None),
        ("u1", "code", {"grade": True}, 5.0),
    ],
}


def _cell(grade_id, kind, flags, points, source=None):
    meta = {"grade_id": grade_id, "schema_version": 3, "locked": False, **flags}
    meta.setdefault("grade", False)
    meta.setdefault("solution", False)
    if points is not None:
        meta["points"] = points
    make = new_code_cell if kind == "code" else new_markdown_cell
    cell = make(source or f"# {grade_id}\n", metadata={"nbgrader": meta})
    if kind == "code":
        cell.execution_count = None
    cell.metadata["nbgrader"]["checksum"] = nbutils.compute_checksum(cell)
    return cell


def released(notebook: str):
    """The notebook as released (every solution as given, so "No response." when unchanged)."""
    return new_notebook(cells=[_cell(*spec) for spec in CELLS[notebook]])


def executed(notebook: str, *, failed=(), partial=None, answered=True):
    """The notebook as a student's run leaves it: ``failed`` tests with an error, ``partial``
    {grade_id: output} with a partial-credit result, answers changed when ``answered``."""
    nb = released(notebook)
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        if answered and meta.get("solution"):
            cell.source += "my answer\n"
        if cell.cell_type == "code":
            cell.execution_count = 1
            if meta["grade_id"] in failed:
                cell.outputs = [
                    new_output("error", ename="AssertionError", evalue="", traceback=[])
                ]
            elif partial and meta["grade_id"] in partial:
                cell.outputs = [
                    new_output("execute_result", data={"text/plain": partial[meta["grade_id"]]})
                ]
    return nb


def make_gradebook(db_url: str) -> None:
    """The assignment as generate_assignment records it, and what came before this run: a
    student graded by hand (a manual score and extra credit), one with an extension, one
    the tool never touches."""
    with gradebook.open_gradebook(db_url) as gb:
        gb.add_assignment(LAB, duedate=DUE)
        for notebook, cells in CELLS.items():
            gb.add_notebook(notebook, LAB)
            for grade_id, kind, flags, points in cells:
                if flags.get("grade"):
                    gb.add_grade_cell(grade_id, notebook, LAB, max_score=points, cell_type=kind)
                if flags.get("solution"):
                    gb.add_solution_cell(grade_id, notebook, LAB)
                if flags.get("task"):
                    gb.add_task_cell(grade_id, notebook, LAB, max_score=points, cell_type=kind)
                cell = _cell(grade_id, kind, flags, points)
                gb.add_source_cell(
                    grade_id,
                    notebook,
                    LAB,
                    cell_type=kind,
                    locked=False,
                    source=cell.source,
                    checksum=cell.metadata["nbgrader"]["checksum"],
                )
        gb.add_student("old", first_name="Ola", last_name="Old", lms_user_id="L-1")
        gb.add_submission(LAB, "old")
        grade = gb.find_grade("t1", LAB, LAB, "old")
        grade.manual_score, grade.extra_credit = 1.5, 0.5
        comment = gb.find_comment("essay", LAB, LAB, "old")
        comment.manual_comment = "see me"
        gb.add_student("ext")
        gb.add_submission(LAB, "ext")
        gb.grant_extension(LAB, "ext", days=2)
        gb.add_student("byhand")
        gb.add_submission(LAB, "byhand")
        gb.db.commit()


# -- every table, under natural keys ----------------------------------------------------------

#: Each table's natural key: the columns that name a row (the others are compared).
NATURAL = {
    "course": ("id",),
    "student": ("id",),
    "assignment": ("name",),
    "notebook": ("assignment_id", "name"),
    "base_cell": ("notebook_id", "name", "type"),
    "grade_cells": ("id",),
    "solution_cells": ("id",),
    "task_cells": ("id",),
    "source_cell": ("notebook_id", "name"),
    "submitted_assignment": ("assignment_id", "student_id"),
    "submitted_notebook": ("assignment_id", "notebook_id"),
    "grade": ("notebook_id", "cell_id"),
    "comment": ("notebook_id", "cell_id"),
    "alembic_version": ("version_num",),
}


def tables(db_url: str) -> dict[str, list[tuple]]:
    """Every table of the gradebook, each row a tuple of (column, value) sorted by column,
    with each generated id (its own and every foreign key) replaced by its row's natural
    key, the rows sorted."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as con:
            names = inspect(con).get_table_names()
            assert set(names) == set(NATURAL), names  # a table nbgrader added: name its key
            raw = {
                name: [dict(r._mapping) for r in con.execute(text(f"SELECT * FROM {name}"))]
                for name in names
            }
            fks = {
                name: {
                    fk["constrained_columns"][0]: fk["referred_table"]
                    for fk in inspect(con).get_foreign_keys(name)
                }
                for name in names
            }
    finally:
        engine.dispose()
    for name in ("grade_cells", "solution_cells", "task_cells"):
        fks[name]["id"] = "base_cell"
    keys: dict[tuple[str, object], object] = {}

    def key(table: str, row: dict):
        """The natural key of ``row`` of ``table``, its foreign keys resolved."""
        parts = []
        for column in NATURAL[table]:
            value = row[column]
            target = fks[table].get(column)
            if target is not None and target != table:
                value = resolve(target, value)
            parts.append(value)
        return (table, *parts)

    def resolve(table: str, row_id):
        if row_id is None:
            return None
        if (table, row_id) not in keys:
            (row,) = [r for r in raw[table] if r["id"] == row_id]
            keys[(table, row_id)] = key(table, row)
        return keys[(table, row_id)]

    out = {}
    for name, rows in raw.items():
        shown = []
        for row in rows:
            fields = {}
            for column, value in row.items():
                target = fks[name].get(column)
                if column == "id" and "id" not in NATURAL[name]:
                    value = key(name, row)  # generated: named by its natural key
                elif target is not None:
                    value = resolve(target, value)
                if isinstance(value, float):
                    value = round(value, 9)  # one float, whichever database's text
                fields[column] = value
            shown.append(tuple(sorted(fields.items(), key=lambda kv: kv[0])))
        out[name] = sorted(shown, key=repr)
    return out


def assert_same_tables(theirs: str, ours: str) -> None:
    """Every table of both gradebooks, field by field."""
    a, b = tables(theirs), tables(ours)
    assert a.keys() == b.keys()
    for name in a:
        assert len(a[name]) == len(b[name]), name
        for left, right in zip(a[name], b[name], strict=True):
            assert dict(left) == dict(right), name


# -- the class, both ways ---------------------------------------------------------------------

Row = SimpleNamespace  # what the gradebook reads of a row: its status and reason


def first_run():
    """``(student, row, executed, when, student record, notebook)`` of each submission."""
    late = DUE + datetime.timedelta(minutes=90)  # 2 points of HourlyPenalty
    day = DUE + datetime.timedelta(days=1)
    nothing = gradebook.not_graded(released("lab"), "the file is not a valid notebook")
    return [
        ("amy", Row(status="graded", reason=""), executed("lab"), DUE, {"lms_user_id": "7"}, None),
        ("amy", Row(status="graded", reason=""), executed("part2"), DUE, None, "part2"),
        (
            "bob",
            Row(status="flagged", reason="reads source/"),
            executed("lab", failed=("t2",), partial={"t1": "1.5"}),
            late,
            None,
            None,
        ),
        ("cat", Row(status="error", reason="not a notebook"), nothing, day, None, None),
        ("old", Row(status="graded", reason=""), executed("lab", answered=False), late, None, None),
        # Canvas's LATE without a time: 1 s after the student's own due date
        (
            "ext",
            Row(status="graded", reason=""),
            executed("lab", failed=("t1",)),
            lambda extension: (
                DUE + (extension or datetime.timedelta(0)) + datetime.timedelta(seconds=1)
            ),
            None,
            None,
        ),
        ("dan", Row(status="graded", reason=""), executed("lab"), None, {"lms_user_id": ""}, None),
    ]


def rerun():
    """A second run: Amy's file now fails to run (her grades are replaced), Old is regraded;
    Bob's platform now says he handed in later (relate), Cat got an extension (relate)."""
    nothing = gradebook.not_graded(released("lab"), "the kernel died")
    return [
        (
            "amy",
            Row(status="error", reason="the kernel died"),
            nothing,
            DUE,
            {"lms_user_id": "8"},
            None,
        ),
        (
            "old",
            Row(status="flagged", reason="x"),
            executed("lab", failed=("t1", "t2")),
            DUE,
            None,
            None,
        ),
    ], [
        ("bob", DUE + datetime.timedelta(hours=3), ("lab",)),  # 3 points, bounded by 1.5
        ("cat", DUE + datetime.timedelta(days=1), ("lab", "part2")),  # within the extension
    ]


def _extension(db_url, student):
    from nbgrader.api import MissingEntry

    with gradebook.open_gradebook(db_url) as gb:
        try:
            return gb.find_submission(LAB, student).extension
        except MissingEntry:
            return None


def write_reference(db_url, saves, relates=()):
    """The rows written one at a time by nbgrader's preprocessors, as before the writer."""
    results = {}
    for student, row, nb, when, record, notebook in saves:
        if callable(when):
            when = when(_extension(db_url, student))
        results[(student, notebook)] = gradebook.reference_save(
            db_url, LAB, student, row, copy.deepcopy(nb), when, CONFIG, record, notebook
        )
    for student, when, names in relates:
        results[(student, names)] = gradebook.reference_relate(
            db_url, LAB, student, when, CONFIG, names
        )
    return results


def write_batched(db_url, saves, relates=(), threads=4, **options):
    """The rows handed to one writer from ``threads`` threads at once, as record stages do."""
    with gradebook.Writer(db_url, CONFIG, **options) as writer:

        def one(item):
            student, row, nb, when, record, notebook = item
            return (student, notebook), writer.save(LAB, student, row, nb, when, record, notebook)

        with ThreadPoolExecutor(threads) as pool:
            futures = dict(pool.map(one, saves))
        futures.update(
            {(s, names): writer.relate(LAB, s, when, names) for s, when, names in relates}
        )
        results = {k: f.result() for k, f in futures.items()}
    return results, writer


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The synthetic gradebook, made once."""
    path = tmp_path_factory.mktemp("gradebook") / "made.db"
    make_gradebook(f"sqlite:///{path}")
    return path


@pytest.fixture
def two_gradebooks(made, tmp_path):
    """Two identical gradebooks (copies of one, so even their ids agree)."""
    for name in ("reference", "batched"):
        shutil.copy(made, tmp_path / f"{name}.db")
    return f"sqlite:///{tmp_path / 'reference.db'}", f"sqlite:///{tmp_path / 'batched.db'}"


def test_the_writer_leaves_every_table_as_nbgraders_preprocessors_do(two_gradebooks):
    theirs, ours = two_gradebooks
    expected = write_reference(theirs, first_run())
    got, writer = write_batched(ours, first_run(), window=0.2)
    assert got == expected  # what each record stage is told: time, lateness, penalty
    assert_same_tables(theirs, ours)
    assert sum(writer.batches) == len(first_run()) and len(writer.batches) < len(first_run())
    # the cases are there: a penalty of the course's plugin, one bounded by the score, an
    # extension, a student new to the gradebook, a manual grade kept
    assert got[("old", None)].penalty == 2 and got[("old", None)].seconds_late == 5400
    assert got[("bob", None)].penalty == 1.5  # 2, bounded by his score
    assert got[("cat", None)].penalty == 0 < got[("cat", None)].seconds_late  # score 0
    assert got[("ext", None)].seconds_late == 1 and got[("ext", None)].penalty == 1
    assert got[("ext", None)].extension == datetime.timedelta(days=2)
    assert got[("dan", None)] == gradebook.Lateness()  # no time: on time
    with gradebook.open_gradebook(ours) as gb:
        assert gb.find_student("amy").lms_user_id == "7"
        old = gb.find_grade("t1", LAB, LAB, "old")
        assert (old.manual_score, old.needs_manual_grade) == (1.5, True)
        assert gb.find_comment("answer_code", LAB, LAB, "old").auto_comment == "No response."
        assert gb.find_submission(LAB, "byhand").timestamp is None  # never touched

    # the rerun overwrites, and relates recompute penalties without grading
    saves, relates = rerun()
    with gradebook.open_gradebook(theirs) as a, gradebook.open_gradebook(ours) as b:
        for gb in (a, b):
            gb.grant_extension(LAB, "cat", days=1)
    expected = write_reference(theirs, saves, relates)
    got, _ = write_batched(ours, saves, relates)
    assert got == expected
    assert_same_tables(theirs, ours)
    assert got[("bob", ("lab",))].penalty == 1.5  # his score
    assert got[("cat", ("lab", "part2"))] == gradebook.Lateness(
        f"{DUE + datetime.timedelta(days=1)} UTC", 0.0, 0.0, datetime.timedelta(days=1)
    )
    with gradebook.open_gradebook(ours) as gb:  # Amy's notebook replaced, her part2 kept
        amy = {
            nb.name: (nb.score, nb.needs_manual_grade)
            for nb in gb.find_submission(LAB, "amy").notebooks
        }
    assert amy == {"lab": (0.0, True), "part2": (5.0, False)}
    with gradebook.open_gradebook(ours) as gb:  # and the comparison sees a single field
        gb.find_grade("u1", "part2", LAB, "amy").extra_credit = 0.5
        gb.db.commit()
    with pytest.raises(AssertionError, match="grade"):
        assert_same_tables(theirs, ours)


def test_one_batch_of_many_and_batches_of_one_write_the_same(two_gradebooks):
    theirs, ours = two_gradebooks
    many, writer = write_batched(theirs, first_run(), threads=1, window=0.2)
    assert len(writer.batches) == 2  # Amy's second notebook waits for a transaction of its own
    one, writer = write_batched(ours, first_run(), batch=1)
    assert writer.batches == [1] * len(first_run())
    assert many == one
    assert_same_tables(theirs, ours)


def test_a_row_that_cannot_be_written_fails_alone(two_gradebooks):
    _, ours = two_gradebooks
    stray = executed("lab")
    stray.cells.append(_cell("not_in_the_gradebook", "code", {"grade": True}, 1.0))
    saves = [*first_run(), ("eve", Row(status="graded", reason=""), stray, DUE, None, None)]
    with gradebook.Writer(ours, CONFIG, window=0.2) as writer:
        futures = {s[0] + (s[5] or ""): writer.save(LAB, s[0], *s[1:4], s[4], s[5]) for s in saves}
        with pytest.raises(Exception, match="No such grade: lab/lab/not_in_the_gradebook"):
            futures["eve"].result()
    assert all(f.result() is not None for k, f in futures.items() if k != "eve")
    assert len(writer.batches) == 2  # the batch again without Eve, then Amy's second notebook
    with gradebook.open_gradebook(ours) as gb:  # nothing of Eve: her transaction was undone
        assert "eve" not in {s.id for s in gb.students}
    assert set(gradebook.grades(ours, LAB)) == {"amy", "bob", "cat", "old", "ext", "dan", "byhand"}


def test_a_gradebook_that_fails_as_a_whole_fails_every_row(tmp_path):
    with gradebook.Writer(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}") as writer:
        futures = [writer.save(LAB, s[0], *s[1:4], s[4], s[5]) for s in first_run()]
    for future in futures:
        with pytest.raises(Exception, match="unable to open database file"):
            future.result()


def test_a_closed_writer_takes_nothing_and_closing_twice_is_harmless(tmp_path):
    writer = gradebook.Writer(f"sqlite:///{tmp_path / 'gradebook.db'}", CONFIG)
    writer.close()  # never started: no thread
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.save(LAB, "amy", Row(status="graded", reason=""), executed("lab"), DUE)


def test_fast_is_scoped_to_its_block(tmp_path):
    original = (api.create_engine, api.get_alembic_version)
    entered = threading.Event()
    leave = threading.Event()

    def inside():
        with gradebook.fast():
            entered.set()
            leave.wait(10)

    worker = threading.Thread(target=inside)
    worker.start()
    entered.wait(10)
    with gradebook.fast():  # nested and concurrent: one patch, put back by the last to leave
        assert api.create_engine is not original[0]
    assert api.create_engine is not original[0]  # the other thread is still inside
    leave.set()
    worker.join()
    assert (api.create_engine, api.get_alembic_version) == original
    with gradebook.open_gradebook(f"sqlite:///{tmp_path / 'new.db'}") as gb:  # a new one
        assert gb.students == []
        (stamped,) = gb.db.execute(sqlalchemy.text("SELECT * FROM alembic_version")).one()
    assert stamped == gradebook._alembic_head()  # nbgrader's, checked in the kernel tier
    assert (api.create_engine, api.get_alembic_version) == original


@pytest.mark.postgres
def test_on_postgresql_the_writer_leaves_every_table_as_the_reference(postgres_url):
    """The same class both ways on PostgreSQL: two databases of one server, each made by
    nbgrader's API (their ids differ: rows compare under their natural keys)."""
    theirs, ours = postgres_url, _another_database(postgres_url, "batched")
    for url in (theirs, ours):
        make_gradebook(url)
    expected = write_reference(theirs, first_run())
    got, _ = write_batched(ours, first_run())
    assert got == expected
    assert_same_tables(theirs, ours)
    saves, relates = rerun()
    for url in (theirs, ours):
        with gradebook.open_gradebook(url) as gb:
            gb.grant_extension(LAB, "cat", days=1)
    assert write_batched(ours, saves, relates)[0] == write_reference(theirs, saves, relates)
    assert_same_tables(theirs, ours)


def _another_database(url: str, name: str) -> str:
    """A new empty database on the server of ``url``; its URL."""
    engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as con:
            con.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return url.replace("/gradebook?", f"/{name}?")


# -- a class of lab 2, graded both ways through the pipeline ------------------------------------

#: The course's own late plugin, in its nbgrader_config.py as a course would write it.
PLUGIN = """
import math
from nbgrader.plugins import LateSubmissionPlugin

class HourlyPenalty(LateSubmissionPlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return float(math.ceil(total_seconds_late / 3600))

c.AssignLatePenalties.plugin_class = HourlyPenalty
"""


class ReferenceWriter:
    """``gradebook.Writer``'s interface over the reference: each submission written at once
    by nbgrader's preprocessors, as the record stage did before the writer (the student's
    extension read first, for a time that depends on it)."""

    def __init__(self, db_url, config=None, **_):
        self.db_url, self.config = db_url, config

    def save(self, lab, student_id, row, executed, when, student=None, notebook=None):
        def write():
            nonlocal when
            if callable(when):
                when = when(_extension(self.db_url, student_id))
            return gradebook.reference_save(
                self.db_url, lab, student_id, row, executed, when, self.config, student, notebook
            )

        return _future(write)

    def has_student(self, student_id):
        with gradebook.open_gradebook(self.db_url) as gb:
            return student_id in {s.id for s in gb.students}

    def close(self):
        pass


def _future(call):
    future = Future()
    try:
        future.set_result(call())
    except Exception as exc:  # noqa: BLE001 -- the record stage re-raises it
        future.set_exception(exc)
    return future


def _rows(result) -> dict:
    return {
        r.file: (r.status, r.raw_score, r.submitted, r.seconds_late, r.late_penalty, r.reason)
        for r in result
    }


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_class_graded_both_ways_leaves_the_same_gradebook(tmp_path, monkeypatch):
    """Lab 2's class graded by ``pipeline.grade`` into two copies of one course: with the
    batched writer, and with the reference in its place. On time, late by the course's
    plugin (bounded by the score), late within an extension, Canvas's LATE without a time, a
    file that is no notebook, a student with a manual grade from before, students new to
    the gradebook; then a rerun whose changed file overwrites its grades, with a new time
    and a new extension recomputing penalties of kept rows."""
    base = copy_course(tmp_path / "base", [LAB2])
    with open(base.root / "nbgrader_config.py", "a") as fh:
        fh.write(PLUGIN)
    gradebook.ensure_assignment(base, LAB2)  # made by this tool: nbgrader's schema version
    monkeypatch.setenv("PATH", notebooks.tool_env()["PATH"])  # nbgrader runs `alembic heads`
    with gradebook.open_gradebook(base.db_url) as gb:
        stamped = gb.db.execute(sqlalchemy.text("SELECT * FROM alembic_version")).scalar()
        first = base.lab(LAB2).grade_ids[0]
        gb.add_student("old", lms_user_id="L-1")
        gb.add_submission(LAB2, "old")
        grade = gb.find_grade(first, LAB2, LAB2, "old")
        grade.manual_score = 1.0
        gb.add_student("ext")
        gb.add_submission(LAB2, "ext")
        gb.grant_extension(LAB2, "ext", days=2)
        gb.db.commit()
    assert stamped == api.get_alembic_version()
    courses = {}
    for way in ("reference", "batched"):
        shutil.copytree(base.root, tmp_path / way)
        courses[way] = type(base)(tmp_path / way)
    refs = mistakes.reference_submissions(LAB2, base)
    mistake = next(name for name in refs if name.startswith("mistake-"))
    nb = {k: nbformat.writes(v).encode() for k, v in refs.items()}
    stamp = "{}/" + LAB2 + "/timestamp.txt"
    subs = class_folder(
        tmp_path / "subs",
        {
            f"amy/{LAB2}/{LAB2}.ipynb": nb["solution"],
            stamp.format("amy"): b"2026-11-01 11:00:00 UTC",
            f"bob/{LAB2}/{LAB2}.ipynb": nb[mistake],
            stamp.format("bob"): b"2026-11-01 13:30:00 UTC",
            f"cat/{LAB2}/{LAB2}.ipynb": nb["stub"],
            stamp.format("cat"): b"2026-11-02 12:00:00 UTC",
            f"dan/{LAB2}/{LAB2}.ipynb": b"{not a notebook",
            stamp.format("dan"): b"2026-11-02 12:00:00 UTC",
            f"old/{LAB2}/{LAB2}.ipynb": nb["solution"],
            stamp.format("old"): b"2026-11-01 14:00:00 UTC",
            f"ext/{LAB2}/{LAB2}.ipynb": nb["solution"],
            stamp.format("ext"): b"2026-11-02 12:00:00 UTC",
            f"doejane_LATE_23456_78901_{LAB2}.ipynb": nb["solution"],
        },
    )
    options = pipeline.Options(limits=FAST, due="2026-11-01 12:00:00 UTC", progress=False)

    def both():
        batched = pipeline.grade(LAB2, subs, tmp_path / "out-b", courses["batched"], options)
        with monkeypatch.context() as m:
            m.setattr(gradebook, "Writer", ReferenceWriter)
            m.setattr(gradebook, "relate", gradebook.reference_relate)
            reference = pipeline.grade(
                LAB2, subs, tmp_path / "out-r", courses["reference"], options
            )
        assert _rows(batched) == _rows(reference)
        assert_same_tables(courses["reference"].db_url, courses["batched"].db_url)
        return {r.student_id: r for r in batched if r.counted}

    rows = both()
    assert rows["bob"].late_penalty == min(2, rows["bob"].raw_score) and rows["bob"].raw_score > 0
    assert rows["cat"].seconds_late == 86400 and rows["cat"].late_penalty == 0  # score 0
    assert rows["ext"].seconds_late == 0 and rows["23456"].late_penalty == 1
    assert rows["dan"].status == "error" and rows["old"].late_penalty == 2

    # the rerun: Amy's new file overwrites her grades; Bob's time and Cat's extension change
    (subs / f"amy/{LAB2}/{LAB2}.ipynb").write_bytes(nb["stub"])
    (subs / stamp.format("bob")).write_bytes(b"2026-11-01 15:30:00 UTC")
    for course in courses.values():
        with gradebook.open_gradebook(course.db_url) as gb:
            gb.grant_extension(LAB2, "cat", days=1)
    rows = both()
    assert rows["amy"].raw_score == 0 and rows["cat"].seconds_late == 0
    assert rows["bob"].seconds_late == 3.5 * 3600
