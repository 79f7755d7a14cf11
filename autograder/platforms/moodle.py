"""Moodle: an assignment's "Download all submissions", its grading worksheet, and the gradebook's
export and import.

Source: moodle/moodle. ``mod/assign/classes/downloader.php`` (Moodle 4.1 and later) and
``mod/assign/locallib.php`` (``download_submissions``, before 4.1) name the zip's entries;
``mod/assign/feedback/offline/importgradeslib.php`` reads an uploaded grading worksheet;
``grade/import/csv/classes/load_data.php`` reads a gradebook CSV import; ``grade/export/txt``
writes the gradebook's plain-text export. The user guide is docs.moodle.org/en/Grade_import.

- The download names each participant
  ``<Full Name>_<participant id>_assignsubmission_<plugin>``. With "Download submissions in
  folders" this is a folder, ``..._file/`` (``..._file_/`` before 4.1). Without it, the same
  prefix and ``_`` are put before each file's name. Moodle turns ``_`` in a
  name into a space, so the last ``_`` before the number ends the name. The number is the
  assignment's participant id, not the Moodle user id. It is the number in the grading worksheet's
  "Participant 123456". Under blind marking the name is "Participant". A team's submission is
  named after its group (``<Group>_<group id>``, or "Default group" with no number) and names none
  of its members.
- The download gives no time, so Moodle's lateness is not read from it.
- The gradebook's CSV import aborts when one row names no known user, and it reads an empty cell or
  ``-`` as "no grade", which removes a grade already given. The worksheet upload skips an empty
  Grade cell but reads ``-`` as 0. So both files hold only the people with a grade.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from autograder.platforms.base import (
    Export,
    Handed,
    Line,
    Person,
    Platform,
    Table,
    Tree,
    Written,
    cells,
    csv_text,
    fmt,
    write_file,
)

#: Moodle turns "_" in a name into a space: the first "_<digits>_assignsubmission_" ends it,
#: and what follows in a flat name is the student's own file name
FOLDER = re.compile(r"^(?P<name>[^_/]*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
FLAT = re.compile(
    r"^(?P<name>[^_/]*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$"
)
TEAM = re.compile(r"^(?P<name>[^_/]*)_assignsubmission_(?P<plugin>[a-z]+)(?:_|/|$)")
LOOKS = re.compile(r"_assign(?:submission|feedback)_", re.IGNORECASE)
#: Moodle's user fields for the CSV import's "Map to", by the column that holds them.
FIELDS = {"ID number": "sis_id", "Username": "login", "Email address": "email"}
IDS = ("ID number", "Username", "Email address")
_PARTICIPANT = re.compile(r"(\d+)\s*$")
WORKSHEET_TIME = "Last modified (grade)"


class Moodle(Platform):
    name = "moodle"
    title = "Moodle"
    source = (
        "moodle/moodle: mod/assign/classes/downloader.php, grade/import/csv, "
        "mod/assign/feedback/offline"
    )
    roster_help = (
        "Moodle's Grades > Export > Plain text file (First name, Last name, ID number, ..., Email "
        "address) or an assignment's grading worksheet (Identifier, Full name, Email address, ...)"
    )
    user = "participant"
    targets = {
        "moodle": "Moodle's gradebook import (Grades > Import > CSV file)",
        "moodle-worksheet": "the assignment's Upload grading worksheet",
    }

    def owner(self, rel: str, tree: Tree) -> Handed | None:
        first, slash, rest = rel.partition("/")
        match = FOLDER.match(first) if slash else FLAT.match(rel)
        if match is None:
            team = TEAM.match(rel)
            if team is None:
                return None
            return Handed(
                Person(),
                rel.rsplit("/", 1)[-1],
                unit=rel,
                prefix=len(team.group(0)),
                problem=(
                    f"a Moodle team's submission ({team['name']!r}), which names none of its "
                    "members: grade it by hand, or download the submissions of each member"
                ),
            )
        file = rest.rsplit("/", 1)[-1] if slash else match["file"]
        blind = match["name"].strip() == "Participant"
        user = match["id"]
        return Handed(
            Person(user, "" if blind else match["name"].strip(), self.name, user),
            file,
            unit=f"{self.name}:{user}",
            prefix=len(first) + 1 if slash else match.start("file"),
            named=first if slash else rel,
        )

    def resembles(self, rel: str) -> bool:
        return bool(LOOKS.search(rel.split("/", 1)[0]))

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        export = table.has("First name", "Last name") and (
            table.has("Email address") or table.has("ID number")
        )
        worksheet = table.has("Identifier", "Full name")
        if not (export or worksheet):
            return None
        people = []
        for row in table.rows:
            participant = _PARTICIPANT.search(table.get(row, "Identifier"))
            name = table.get(row, "Full name") or (
                f"{table.get(row, 'First name')} {table.get(row, 'Last name')}".strip()
            )
            found = {c: table.get(row, c) for c in IDS}
            user = participant.group(1) if participant else ""
            student = table.chosen(row, id_column, next((found[c] for c in IDS if found[c]), user))
            if not (student or name or user):
                continue
            extra = ((WORKSHEET_TIME, table.get(row, WORKSHEET_TIME)),) if worksheet else ()
            people.append(
                Person(
                    student_id=student,
                    name=name,
                    platform=self.name,
                    user_id=user,
                    email=found["Email address"],
                    sis_id=found["ID number"],
                    login=found["Username"],
                    section=table.get(row, "Group") or table.get(row, "Groups"),
                    extra=extra,
                )
            )
        return people

    def write(self, target: str, lines: Sequence[Line], out: Path, how: Export) -> Written:
        if target == "moodle-worksheet":
            return self._worksheet(lines, out, how)
        if not how.roster:  # the gradebook's ids may be the Moodle ID numbers: offered as such
            lines = [
                replace(
                    ln, person=replace(ln.person, sis_id=ln.person.sis_id or ln.person.student_id)
                )
                for ln in lines
            ]
        identifier = _identifier(lines, how)
        attr = FIELDS[identifier]
        written = Written(Path(out))
        rows = [["Full name", "ID number", "Username", "Email address", how.column]]
        for ln in lines:
            p = ln.person
            if not getattr(p, attr):
                why = f"no {identifier}: Moodle aborts the whole import at a row it cannot place"
                written.left_out.append((ln, why))
                continue
            rows.append([*cells(p.name, p.sis_id, p.login, p.email), ln.grade])
            written.lines.append(ln)
        write_file(out, csv_text(rows))
        written.howto = [
            f"Moodle: Grades > Import > CSV file; Identify user by: map from '{identifier}' to "
            f"'{identifier}'; Grade item mappings: '{how.column}' to the lab's grade item "
            f"(maximum grade {fmt(how.points)}). Only people with a grade are in the file: "
            "Moodle reads an empty cell as 'no grade' and removes a grade given there"
        ]
        if identifier == "ID number" and not how.roster:
            written.howto.append(
                "  (the ID number column holds the gradebook's student ids: map it only if they "
                "are Moodle ID numbers; else pass --roster with Moodle's grade export)"
            )
        return written

    def _worksheet(self, lines: Sequence[Line], out: Path, how: Export) -> Written:
        written = Written(Path(out))
        rows = [
            ["Identifier", "Full name", "Email address", "Grade", "Maximum grade", WORKSHEET_TIME]
        ]
        for ln in lines:
            p = ln.person
            if p.platform != self.name or not p.user_id:  # an id of Moodle's, surely
                why = (
                    "no Moodle participant id: the worksheet names people by it (give the "
                    "assignment's grading worksheet as --roster)"
                )
                written.left_out.append((ln, why))
                continue
            when = p.get(WORKSHEET_TIME) or "-"
            rows.append(
                [
                    f"Participant {p.user_id}",
                    *cells(p.name, p.email),
                    ln.grade,
                    fmt(how.points),
                    when,
                ]
            )
            written.lines.append(ln)
        write_file(out, csv_text(rows))
        written.howto = [
            "Moodle: the assignment > View all submissions > Grading action > Upload grading "
            "worksheet, choose this file. Only people with a grade are in it: an empty Grade "
            "cell is skipped, and '-' would be read as 0",
            "  A grade changed in Moodle after the worksheet's 'Last modified (grade)' is kept, "
            "unless you tick 'Allow updating records that have been modified more recently in "
            "Moodle than in the spreadsheet'",
        ]
        return written


def _identifier(lines: Sequence[Line], how: Export) -> str:
    """The column to map to Moodle's user: ``--roster-id`` if it is one of them, else the first
    that every line has (ID number, Username, Email address), else the fullest."""
    if how.id_column:
        for column in FIELDS:
            if column.casefold() == how.id_column.strip().casefold():
                return column
    order = list(FIELDS) if how.roster else ["Email address", "ID number"]
    counts = {c: sum(bool(getattr(ln.person, FIELDS[c])) for ln in lines) for c in order}
    for column in order:
        if counts[column] == len(lines):
            return column
    return max(order, key=lambda c: counts[c])


PLATFORM = Moodle()
