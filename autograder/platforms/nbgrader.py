"""nbgrader's exchange, and this tool's own folder layouts: the names every other platform
leaves.

Source: nbgrader's own code. ``nbgrader/exchange/default/collect.py`` and
``nbgrader/exchange/default/submit.py``: ``nbgrader collect`` fills
``submitted/<student>/<assignment>/`` and ``nbgrader submit`` writes ``timestamp.txt`` there.
``nbgrader/coursedir.py`` (``get_existing_timestamp``) refuses a timestamp it cannot parse.
``nbgrader/apps/dbapp.py`` (``nbgrader db student import``) reads the columns ``id,
first_name, last_name, email, lms_user_id``.

- ``<id>/<lab>/...``: nbgrader's layout, the course's ``submitted/`` folder after ``nbgrader
  collect``. The exchange writes ``timestamp.txt`` and ``submission_secret.txt`` at exactly
  ``<id>/<lab>/``, and only there do they mean anything: ``timestamp.txt`` is the time the
  submission was handed in. Any other ``timestamp.txt`` is the student's own file.
- ``<id>/...``: a folder per student.
- ``<id>.ipynb``: a notebook per student at the top. Any other file at the top makes no student
  by itself, for example ``README.md`` or ``nick.py``.

The student id is the folder's or the file's name, after ``base.safe_id``. There is no platform
user id beyond it, and no import file: the gradebook is nbgrader's own (``nbgrader export``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from autograder.platforms.base import (
    Export,
    ExportError,
    Handed,
    Line,
    Person,
    Platform,
    Table,
    Tree,
    safe_id,
    utc,
)

#: What nbgrader's exchange writes beside a collected submission, at ``<id>/<lab>/``.
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")
EXAMPLE = "2026-12-01 16:59:58.123456 UTC"


def read_timestamp(data: bytes | None, where: str) -> tuple[object, str]:
    """``(time, problem)``: the UTC time in a ``timestamp.txt`` as nbgrader reads it
    (``nbgrader.utils.parse_utc``), or None and why it is not one."""
    from nbgrader.utils import parse_utc

    refuse = (
        f"{where} holds no time nbgrader can read ({{shown}}): nbgrader refuses such a file "
        '("Invalid timestamp string"), and a time that cannot be read is never on time. Write '
        f"the time the exchange received it (e.g. {EXAMPLE}; nbgrader's inbound folder "
        "<id>+<lab>+<time> names it) into the file, and grade again"
    )
    if data is None:
        return None, refuse.format(shown="it is not a regular file of at most 4 MB")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, refuse.format(shown="it is not UTF-8 text")
    if not text:
        return None, refuse.format(shown="it is empty")
    try:
        moment = parse_utc(text)
    except (ValueError, OverflowError, TypeError, AttributeError):
        moment = None
    if moment is None:
        return None, refuse.format(shown=repr(text[:40]))
    return utc(moment), ""


class Nbgrader(Platform):
    name = "nbgrader"
    title = "nbgrader's exchange"
    source = "nbgrader's exchange and db apps (nbgrader/exchange/default, nbgrader/apps/dbapp.py)"
    roster_help = "nbgrader's student list (`nbgrader db student import`: id, first_name, ...)"
    targets: dict[str, str] = {}
    fallback = True
    course_ids = True

    def owner(self, rel: str, tree: Tree) -> Handed:
        parts = rel.split("/")
        first = parts[0]
        if len(parts) == 1:
            stem = first.rsplit(".", 1)[0] if "." in first[1:] else first
            notebook = first.lower().endswith(".ipynb")
            return self._handed(stem, first, unit=rel, makes_student=notebook)
        if len(parts) >= 3 and parts[1] == tree.lab and tree.exchange:
            unit = f"{first}/{tree.lab}"
            inside = "/".join(parts[2:])
            time, problem = tree.memo(f"nbgrader:{unit}", lambda: self._time(tree, unit))
            return self._handed(
                first,
                parts[-1],
                unit=unit,
                time=time,
                time_from=f"{unit}/timestamp.txt" if time else "",
                problem=problem,
                role="metadata" if inside in EXCHANGE_FILES else "file",
                assignment=tree.lab,
            )
        assignment = parts[1] if len(parts) > 2 else ""
        return self._handed(first, parts[-1], unit=first, assignment=assignment)

    def _time(self, tree: Tree, unit: str):
        where = f"{unit}/timestamp.txt"
        if where not in tree.names:
            return None, ""
        return read_timestamp(tree.read(where), where)

    def _handed(self, named: str, file: str, **kwargs) -> Handed:
        student, note = safe_id(named)
        return Handed(
            Person(student_id=student, platform=self.name, user_id=student),
            PurePosixPath(file).name,
            named=named,
            notes=(note,) if note else (),
            **kwargs,
        )

    def resembles(self, rel: str) -> bool:
        return False

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        known = {"id", "first_name", "last_name", "email", "lms_user_id"}
        if not table.has("id") or not {h.casefold() for h in table.header if h} <= known:
            return None
        people = []
        for row in table.rows:
            sid = table.chosen(row, id_column, table.get(row, "id"))
            name = f"{table.get(row, 'first_name')} {table.get(row, 'last_name')}".strip()
            student, _ = safe_id(sid)
            if student:
                people.append(
                    Person(student, name, self.name, student, email=table.get(row, "email"))
                )
        return people

    def write(self, target: str, lines: list[Line], out, how: Export):
        raise ExportError(
            "nbgrader's gradebook is the course's own: `nbgrader export` writes its grades"
        )


PLATFORM = Nbgrader()
