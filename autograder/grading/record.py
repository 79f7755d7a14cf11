"""The ``record`` stage: the row reaches the gradebook, nbgrader's folders and the resume state.

For the file that counts as the student's submission (``Submission.counted``), unless its
status is ``environment`` (nothing is recorded then, and the next run grades it again):

- ``submitted/<student>/<lab>/`` gets the file, and nbgrader's timestamp and secret, and
  ``autograded/<student>/<lab>/`` the executed notebook -- or, when nothing could run, the
  release notebook with every test failed by the reason -- with the lab's own helpers, as
  ``nbgrader autograde`` leaves it, so formgrader, ``generate_feedback`` and
  ``release_feedback`` work as usual. A group's submission is recorded for each member.
- the gradebook gets its points, which replace any earlier ones, at the time its platform
  recorded (``when``), and the course's late-submission plugin sets its penalty: the run's
  ``gradebook.Writer`` (``ctx.gradebook``) writes them in batches with other submissions',
  and the stage waits for its own, so a failed write is this row's ``environment``. The
  output folder's ledger lists every student it ever recorded.

Every row but an ``environment`` one is then kept in ``<out>/.state/`` with the key of what
it was graded from, so a rerun keeps it while the file and its neighbours are unchanged, and
an interrupted run loses at most the submissions in flight. A rerun recomputes the lateness of
every kept row whose time, due date, extension or late plugin changed (``relate``), without
running its notebook, and makes the gradebook mirror the class (``mirror``): a student this
output folder recorded whose file is gone loses the entry. A run without a gradebook
(``check``, the canary) records nothing.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat

from autograder import notebooks
from autograder.grading import gradebook
from autograder.grading.stage import Step
from autograder.grading.submission import EnvironmentFault, Row, Submission

STATE = ".state"
LEDGER = "ledger.jsonl"


# -- the resume state and the ledger ------------------------------------------------------


def state_path(out: Path, file: str) -> Path:
    return out / STATE / (hashlib.sha256(file.encode()).hexdigest()[:32] + ".json")


def _write_json(path: Path, data) -> None:
    notebooks.write_atomic(path, json.dumps(data))


def save_state(out: Path, row: Row) -> None:
    _write_json(state_path(out, row.file), row.to_dict())


def load_state(out: Path, file: str) -> Row | None:
    try:
        return Row.from_dict(json.loads(state_path(out, file).read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def states(out: Path) -> dict[str, Path]:
    """Every file the output folder keeps a row of, and where."""
    found = {}
    for path in sorted((out / STATE).glob("*.json")) if (out / STATE).is_dir() else []:
        if path.name == LEDGER:
            continue
        try:
            found[json.loads(path.read_text())["file"]] = path
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return found


def ledger(out: Path, lab: str) -> dict[str, dict]:
    """Every student this output folder recorded in the gradebook for ``lab`` and has not
    removed since: their platform identity, and whether this tool made their student record.
    The file is a journal, one JSON object a line, so that recording a student appends a line
    and never rewrites the file; ``mirror`` compacts it once a run."""
    entries: dict[str, dict] = {}
    try:
        lines = (out / STATE / LEDGER).read_text().splitlines()
    except OSError:
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
        if not isinstance(entry, dict) or entry.get("lab") != lab:
            continue
        student = str(entry.get("student", ""))
        if entry.get("removed"):
            entries.pop(student, None)
        elif student:
            known = entries.setdefault(student, {"made_student": bool(entry.get("made_student"))})
            known.update(platform=entry.get("platform", ""), user_id=entry.get("user_id", ""))
    return entries


def _journal(out: Path, lines: list[dict], rewrite: bool = False) -> None:
    path = out / STATE / LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    if rewrite:
        notebooks.write_atomic(path, text)
    else:
        with open(path, "a") as fh:
            fh.write(text)


# -- what is stored -----------------------------------------------------------------------


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (path.is_file() and not path.is_symlink() and path.read_bytes() == content):
        path.unlink(missing_ok=True)
        path.write_bytes(content)


def _student_record(person) -> dict | None:
    """What the gradebook's student record gets: the platform's user id as ``lms_user_id``
    (``Platform.lms_user_id``), never the course's own id, which must not replace an id the
    course imported there."""
    from autograder import platforms

    value = platforms.get(person.platform).lms_user_id(person.user_id)
    return {"lms_user_id": value} if value else None


def nbgrader_time(moment: datetime.datetime) -> str:
    """A time as nbgrader's exchange writes timestamp.txt."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def store_copies(student_id: str, sub: Submission, ctx, executed) -> None:
    """nbgrader's layout of the submission, for formgrader and the feedback commands."""
    lab, root = ctx.part.assignment, ctx.course.root
    sub_dir = root / "submitted" / student_id / lab
    name = f"{ctx.part.notebook}.ipynb" if sub.nb is not None else Path(sub.file).name
    extras = dict(sub.extras)
    if sub.time is not None and "timestamp.txt" not in extras:  # the platform's time
        extras["timestamp.txt"] = nbgrader_time(sub.time).encode()
    if sub.data:
        _write(sub_dir / name, sub.data)
    for extra, content in extras.items():
        _write(sub_dir / extra, content)
    done = root / "autograded" / student_id / lab
    for extra, content in {**extras, **ctx.part.helper_files}.items():
        _write(done / extra, content)
    done.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, str(done / f"{ctx.part.notebook}.ipynb"))


#: The only output types a stored notebook keeps: text, and images as data.
INERT = ("text/plain", "image/png", "image/jpeg")
_SCHEMES = re.compile(r"(java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE)


def _inert_markdown(text: str) -> str:
    """Markdown that renders as text: no HTML, no script links."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SCHEMES.sub("blocked:", text)


def inert(nb, lab) -> None:
    """Make what a person opens from the stored notebook inert, in place: nbgrader's feedback,
    formgrader and any viewer render student outputs as text and images only (HTML,
    JavaScript, SVG, Markdown and widget outputs are dropped, with a note), the student's
    Markdown cells as escaped text, and the notebook's metadata is the course's."""
    nb.metadata = copy.deepcopy(lab.source.metadata)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not notebooks.is_read_only(cell):
            cell.source = _inert_markdown(cell.source)
            cell.pop("attachments", None)
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data")
            if out.get("output_type") in ("display_data", "execute_result") and isinstance(
                data, dict
            ):
                dropped = sorted(set(data) - set(INERT))
                out["data"] = {k: v for k, v in data.items() if k in INERT}
                out["metadata"] = {}
                if dropped and "text/plain" not in out["data"]:
                    out["data"]["text/plain"] = f"[not shown when graded: {', '.join(dropped)}]"


# -- lateness ----------------------------------------------------------------------------


def when(
    time: str, marked_late: bool, due: datetime.datetime | None, extension
) -> datetime.datetime | None:
    """When the gradebook says it was handed in (naive UTC, as nbgrader stores it): the
    platform's time; else, for a file the platform marked late without a time (Canvas's LATE),
    one second after the student's due date, the least lateness the mark can mean; else
    unknown, which nbgrader takes as on time."""
    if time:
        return datetime.datetime.fromisoformat(time).astimezone(datetime.UTC).replace(tzinfo=None)
    if marked_late and due is not None:
        return due + (extension or datetime.timedelta(0)) + datetime.timedelta(seconds=1)
    return None


def late_key(row: Row, due, extension, config) -> str:
    """What a row's lateness is computed from."""
    plugin = (config.get("LateSubmissionPlugin"), config.get("AssignLatePenalties"))
    return repr((row.time, row.marked_late, str(due), str(extension), repr(plugin)))


def _duration(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def lateness_text(row: Row, late: gradebook.Lateness, due) -> str:
    """What the row's reason says of its lateness."""
    if row.marked_late and not row.time and due is None:
        return "marked LATE, but the gradebook has no due date: no penalty"
    if late.seconds_late <= 0:
        return ""
    how = (
        "marked LATE without a time: taken as handed in 1 s after the due date"
        if row.marked_late and not row.time
        else f"handed in {_duration(late.seconds_late)} late"
    )
    penalty = f"late penalty {late.penalty:g} point(s)" if late.penalty else "no penalty"
    return f"{how}; {penalty} (the course's nbgrader LateSubmissionPlugin)"


def _apply(row: Row, late: gradebook.Lateness, due, key: str) -> None:
    row.submitted, row.seconds_late, row.late_penalty = (
        late.submitted,
        late.seconds_late,
        late.penalty,
    )
    row.late(lateness_text(row, late, due))
    row.late_key = key


def relate(row: Row, ctx, due, extensions: dict) -> bool:
    """Recompute a kept row's lateness in the gradebook if its time, due date, extension or
    late plugin changed since it was recorded; True if it did. A group's row does so for each
    member, whose extension may differ."""
    changed = False
    for target in [row, *row.members]:
        is_row = target is row
        student = row.student_id if is_row else target["student_id"]
        extension = extensions.get(student)
        key = late_key(row, due, extension, ctx.course.config)
        if (row.late_key if is_row else target.get("late_key")) == key:
            continue
        late = gradebook.relate(
            ctx.course.db_url,
            ctx.part.assignment,
            student,
            when(row.time, row.marked_late, due, extension),
            ctx.course.config,
            [row.notebook or ctx.part.notebook],
        )
        if row.time:  # nbgrader's copies say the same time as the gradebook
            stamp = nbgrader_time(datetime.datetime.fromisoformat(row.time)).encode()
            for folder in ("submitted", "autograded"):
                stamped = ctx.course.root / folder / student / ctx.part.assignment
                _write(stamped / "timestamp.txt", stamp)
        if is_row:
            _apply(row, late, due, key)
        else:
            target.update(
                submitted=late.submitted,
                seconds_late=late.seconds_late,
                late_penalty=late.penalty,
                lateness=lateness_text(row, late, due),
                late_key=key,
            )
        changed = True
    return changed


# -- the stage ---------------------------------------------------------------------------


def stage(sub: Submission, ctx) -> Submission:
    if ctx.out is None:  # check and the canary record nothing
        return sub
    row = sub.row()
    if row.status == "environment":
        return sub
    if sub.counted:
        executed = (
            sub.execution.nb
            if sub.execution is not None
            else gradebook.not_graded(ctx.part.release, row.reason)
        )
        inert(executed, ctx.part)
        try:
            due = ctx.assignment.result()  # made while the first notebooks ran
        except Exception as exc:  # noqa: BLE001 -- every row waiting on it says so
            raise EnvironmentFault(
                f"the lab could not be recorded in the gradebook ({type(exc).__name__}: "
                f"{str(exc)[:300]}); nothing was recorded: grade again"
            ) from exc
        # the run's gradebook.Writer; alone (no run around it), a transaction of its own
        book = getattr(ctx, "gradebook", None) or gradebook.Writer(
            ctx.course.db_url, ctx.course.config, inline=True
        )
        people = [sub.person, *sub.members]
        writes = {}
        for person in people:
            student = sub.student_id if person is sub.person else person.student_id
            store_copies(student, sub, ctx, executed)
            with gradebook.LOCK:
                entry = ctx.ledger.get(student)  # the ledger, read once a run
                known = {"platform": person.platform, "user_id": person.user_id}
                if entry is None or any(entry.get(k) != v for k, v in known.items()):
                    if entry is None:
                        made = not book.has_student(student)
                        entry = ctx.ledger[student] = {"made_student": made}
                    entry.update(known)
                    line = {"lab": ctx.part.assignment, "student": student, **entry}
                    _journal(ctx.out, [line])  # before the gradebook: a crash loses nothing
            writes[student] = book.save(  # its time may depend on the student's extension
                ctx.part.assignment,
                student,
                row,
                executed,
                functools.partial(when, row.time, row.marked_late, due),
                _student_record(person),
                ctx.part.notebook,
            )
        member_late = {}
        for student, write in writes.items():
            late = write.result()  # a write that failed fails this row: environment
            member_late[student] = (late, late_key(row, due, late.extension, ctx.course.config))
        late, key = member_late[sub.student_id]
        sub.submitted, sub.seconds_late, sub.late_penalty = (
            late.submitted,
            late.seconds_late,
            late.penalty,
        )
        sub.lateness, sub.late_key = lateness_text(row, late, due), key
        for member in sub.members:
            late, key = member_late[member.student_id]
            sub.member_late[member.student_id] = {
                "submitted": late.submitted,
                "seconds_late": late.seconds_late,
                "late_penalty": late.penalty,
                "lateness": lateness_text(row, late, due),
                "late_key": key,
            }
        row = sub.row()
    save_state(ctx.out, row)
    return sub


# -- the gradebook mirrors the class ------------------------------------------------------


def mirror(
    out: Path, course, lab: str, rows: list[Row], present: set[str], prune: bool = False
) -> list[str]:
    """After a run: remove from the gradebook every student this output folder recorded for
    ``lab`` who has no counted row now (their file was renamed, removed, or now counts for
    someone else), with their copies in ``submitted/`` and ``autograded/`` and their feedback
    page; forget the state of files no longer in the submissions (``present``). Submissions
    this tool never recorded are never touched. When more than half of the students recorded
    would go (a partial or empty download given by mistake), nothing is removed unless
    ``prune``. Returns what was done, as sentences."""
    counted = {r.student_id for r in rows if r.counted and r.student_id}
    counted |= {m["student_id"] for r in rows if r.counted for m in r.members}
    removed = []
    with gradebook.LOCK:
        entries = ledger(out, lab)
        gone = sorted(set(entries) - counted)
        if len(gone) > 1 and 2 * len(gone) > len(entries) and not prune:
            shown = ", ".join(gone[:10]) + (" ..." if len(gone) > 10 else "")
            return [
                f"not removed from the gradebook: {len(gone)} of the {len(entries)} students "
                f"this output folder recorded have no file in these submissions ({shown}); if "
                "these submissions are the whole class now, grade again with --prune"
            ]
        for student in gone:
            made = entries[student].get("made_student", False)
            if gradebook.forget(course.db_url, lab, student, student_too=made):
                removed.append(
                    f"{student}: removed from the gradebook, with its copies and feedback "
                    "(no file in the submissions counts for this student any more)"
                )
            for folder in ("submitted", "autograded"):
                shutil.rmtree(course.root / folder / student / lab, ignore_errors=True)
                _rmdir_empty(course.root / folder / student)
            (out / "feedback" / f"{student}.html").unlink(missing_ok=True)
            shutil.rmtree(out / "feedback" / student, ignore_errors=True)
            del entries[student]
        journal = [
            entry
            for other in _labs(out)
            if other != lab
            for entry in _entries(other, ledger(out, other))
        ]
        _journal(out, journal + _entries(lab, entries), rewrite=True)  # compacted
    for file, path in states(out).items():
        if file not in present:
            path.unlink(missing_ok=True)
    return removed


def _labs(out: Path) -> set[str]:
    try:
        lines = (out / STATE / LEDGER).read_text().splitlines()
    except OSError:
        return set()
    found = set()
    for line in lines:
        try:
            found.add(json.loads(line).get("lab"))
        except (ValueError, AttributeError):
            continue
    return found - {None}


def _entries(lab: str, entries: dict[str, dict]) -> list[dict]:
    return [{"lab": lab, "student": s, **e} for s, e in sorted(entries.items())]


def _rmdir_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


STAGE = Step(
    "record",
    stage,
    after_fault=True,
    crash_status="environment",
    crash_reason=(
        "could not be recorded ({what}; its traceback is in grader.log); nothing was kept: "
        "grade again"
    ),
)

__all__ = [
    "STAGE",
    "stage",
    "save_state",
    "load_state",
    "store_copies",
    "relate",
    "mirror",
    "ledger",
]
