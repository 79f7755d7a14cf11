"""Gradescope: an assignment's "Export Submissions", and its "Download Grades" as a roster.

Source: Gradescope's help, "Exporting Grades, Evaluations, and Submissions" (guides.gradescope.com),
and the exports that public tools read, for example otter-grader's ``otter/grade/metadata.py``.
Gradescope has no import for grades: they go back to the LMS it is linked to, or they come from
its own autograder.

- The export is ``assignment_<id>_export/``. It holds ``submission_metadata.yml`` and a folder
  ``submission_<id>/`` for each active submission, with the student's files under their own names.
- ``submission_metadata.yml`` (written by Ruby, so a key reads ``:submitters``) gives, for each
  ``submission_<id>``, the people who handed it in (``:submitters``: ``:name``, ``:sid``,
  ``:email``), when (``:created_at``, UTC) and the earlier submissions (``:history``), whose files
  are not exported. A group's submission lists every member, and every member gets its grade.
- A person is their Gradescope account, whose email is unique. Their id is the SID Gradescope
  holds for them, or their email where there is no SID.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path

from autograder.platforms.base import (
    Export,
    ExportError,
    Handed,
    Line,
    Person,
    Platform,
    Table,
    Tree,
    Written,
    safe_id,
    utc,
)

METADATA = "submission_metadata.yml"
EXPORT = re.compile(r"^assignment_\d+_export/")
FOLDER = re.compile(r"^submission_(?P<id>\d+)$")
#: A whole class's metadata, with every autograder result in it, can be large.
METADATA_LIMIT = 256 << 20


def _key(entry: dict, name: str):
    """A value of Ruby's YAML: ``:name`` (as Gradescope writes it) or ``name``."""
    return entry.get(f":{name}", entry.get(name)) if isinstance(entry, dict) else None


def _time(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return utc(value)
    if isinstance(value, str):  # "2023-12-02 02:52:07.938335000 Z"
        match = re.match(
            r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|UTC)?$", value.strip()
        )
        if match:
            micro = (match[3] or "0")[:6].ljust(6, "0")
            try:
                return utc(datetime.datetime.fromisoformat(f"{match[1]}T{match[2]}.{micro}"))
            except ValueError:
                return None
    return None


def _load(tree: Tree, where: str) -> dict | str:
    """The export's metadata by submission folder, or why it cannot be read."""
    import yaml

    data = tree.read(where, METADATA_LIMIT)
    if data is None:
        return f"Gradescope's {METADATA} is missing from the export or is not a regular file"
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        found = yaml.load(data, Loader=loader)  # noqa: S506 -- a safe loader
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # PyYAML raises ValueError for a date it cannot build, e.g. 2023-13-45
        return f"Gradescope's {METADATA} cannot be read ({type(exc).__name__})"
    if not isinstance(found, dict):
        return f"Gradescope's {METADATA} holds no submissions"
    return found


def _text(value) -> str:
    """A scalar of the metadata as text ("" for anything else, or a number too long to show)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    try:
        return str(value).strip()
    except ValueError:  # Python refuses to show an int of thousands of digits
        return ""


def person(entry: dict) -> Person | None:
    name, sid, email = (_text(_key(entry, k)) for k in ("name", "sid", "email"))
    user = email.casefold() or sid
    if not user:
        return None
    student, _ = safe_id(sid or email)
    return Person(student, name, "gradescope", user, email=email, sis_id=sid)


class Gradescope(Platform):
    name = "gradescope"
    title = "Gradescope"
    source = "Gradescope's help 'Exporting Grades, Evaluations, and Submissions'"
    roster_help = "Gradescope's Download Grades CSV (First Name, Last Name, SID, Email, ...)"
    targets: dict[str, str] = {}
    user = "account"

    def owner(self, rel: str, tree: Tree) -> Handed | None:
        top = EXPORT.match(rel)
        base = top.group(0) if top else ""
        inside = rel[len(base) :]
        if inside == METADATA:
            return Handed(
                Person(),
                METADATA,
                unit=rel,
                prefix=len(rel),
                problem="not graded: Gradescope's list of who handed in each submission, and when",
            )
        folder, slash, rest = inside.partition("/")
        match = FOLDER.match(folder)
        if not slash or match is None:
            return None
        meta = tree.memo(f"gradescope:{base}", lambda: _load(tree, base + METADATA))
        file = rest.rsplit("/", 1)[-1]
        prefix = len(base) + len(folder) + 1
        if isinstance(meta, str):
            return Handed(
                Person(),
                file,
                unit=base + folder,
                prefix=prefix,
                problem=f"{meta}: it names who handed in each submission",
            )
        entry = meta.get(folder)
        listed = _key(entry, "submitters")
        submitters = [p for p in map(person, listed) if p] if isinstance(listed, list) else []
        if not submitters:
            why = f"Gradescope's {METADATA} names no one for {folder}"
            return Handed(Person(), file, unit=base + folder, prefix=prefix, problem=why)
        time = _time(_key(entry, "created_at"))
        history = _key(entry, "history")
        history = history if isinstance(history, list) else []
        notes = (
            (
                f"Gradescope lists {len(history)} other submission(s) of it, whose files it "
                "does not export",
            )
            if history
            else ()
        )
        return Handed(
            submitters[0],
            file,
            unit=f"{self.name}:{match['id']}",
            prefix=prefix,
            named=submitters[0].sis_id or submitters[0].email,
            time=time,
            time_from=f"Gradescope's {METADATA} ({folder})",
            attempt=(time.isoformat() if time else "",),
            attempt_name=f"Gradescope submission {match['id']}",
            members=tuple(submitters[1:]),
            group=f"Gradescope submission {match['id']}" if len(submitters) > 1 else "",
            problem="" if time else f"Gradescope's {METADATA} gives no readable time for {folder}",
            notes=notes,
        )

    def resembles(self, rel: str) -> bool:
        inside = EXPORT.sub("", rel)
        return bool(EXPORT.match(rel)) or bool(FOLDER.match(inside.split("/", 1)[0]))

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        if not (table.has("SID", "Email") and (table.has("Status") or table.has("Total Score"))):
            return None
        people = []
        for row in table.rows:
            name = table.get(row, "Name") or (
                f"{table.get(row, 'First Name')} {table.get(row, 'Last Name')}".strip()
            )
            sid, email = table.get(row, "SID"), table.get(row, "Email")
            student = table.chosen(row, id_column, sid or email)
            if not (student or email):
                continue
            people.append(
                Person(
                    student_id=student,
                    name=name,
                    platform=self.name,
                    user_id=email.casefold() or sid,
                    email=email,
                    sis_id=sid,
                    section=table.get(row, "Sections") or table.get(row, "section_name"),
                )
            )
        return people

    def write(self, target: str, lines: Sequence[Line], out: Path, how: Export) -> Written:
        raise ExportError(
            "Gradescope has no grade import: export to the LMS your Gradescope course is linked "
            "to, or grade on Gradescope itself"
        )


PLATFORM = Gradescope()
