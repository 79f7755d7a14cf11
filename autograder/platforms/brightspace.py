"""D2L Brightspace: an assignment's "Download" of submissions, and the Grades export and import.

Source: D2L's help, "Importing grades" (community.d2l.com/brightspace/kb/articles/3538), with the
notes on ``#`` and "End-of-Line Indicator" in UW-Madison's Brightspace help (kb.wisc.edu, 4330).
D2L does not document the download's names. They are read here as the downloads that public tools
parse show them.

- The download holds ``index.html`` (D2L's list of the submissions and the students' comments)
  and a folder per submission, ``<n1>-<n2> - <First Last> - <Mon D, YYYY HMM AM>/``, that keeps the
  student's files under their own names. Some sites give flat files instead,
  ``<n1>-<n2> - <First Last>- <date> - <file>``. A group assignment, or a site that shows
  student numbers, puts one more part before the name. Each submission is its own folder, and a
  student's latest one counts.
- ``n1`` is read as Brightspace's number for the student in this download and ``n2`` as the
  assignment's. D2L does not document them. The names carry no id that the Grades export has
  either, so a roster matches people by name, and only when the name is unique.
- The date is local time with no zone: ``--timezone`` gives it. Its format follows the language
  of the site: "Sep 24, 2024 926 PM" in US English, "24 September, 2024 926 PM" in UK English.
- The import matches rows by OrgDefinedId and/or Username, which are the first two columns, and
  matches a column ``<item> Points Grade`` to the item of that name. The file holds only the people
  with a grade: what an empty cell does is not documented.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path

from autograder.platforms.base import (
    TIMEZONE,
    Export,
    Handed,
    Line,
    Person,
    Platform,
    Table,
    Tree,
    Written,
    csv_text,
    local_time,
    write_file,
    zone_name,
)

IDS = re.compile(r"^(?P<user>\d+)-(?P<item>\d+)$")
SPLIT = re.compile(r"\s*-\s+")
DATE = re.compile(
    r"^(?:(?P<mon>[A-Za-z]{3,9})\.? (?P<day>\d{1,2}), (?P<year>\d{4})"
    r"|(?P<day2>\d{1,2}) (?P<mon2>[A-Za-z]{3,9}),? (?P<year2>\d{4}))"
    r" (?P<hour>\d{1,2}):?(?P<minute>\d{2}) ?(?P<half>[AaPp][Mm])$"
)
LOOKS = re.compile(r"^\d+-\d+ - ")
MONTHS = {
    m.lower(): i + 1
    for names in (
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    )
    for i, m in enumerate(names)
}
MONTHS["sept"] = 9


def wall_time(text: str) -> datetime.datetime | None:
    """A Brightspace date as it stands in a name ("Sep 24, 2024 926 PM"), or None."""
    match = DATE.match(text.strip())
    if match is None:
        return None
    month = MONTHS.get((match["mon"] or match["mon2"]).lower())
    day = int(match["day"] or match["day2"])
    year = int(match["year"] or match["year2"])
    hour, minute = int(match["hour"]), int(match["minute"])
    if month is None or not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0)
    try:
        return datetime.datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _hash_free(value: str) -> str:
    """A value of the Grades export without the ``#`` Brightspace puts before ids."""
    return value[1:] if value.startswith("#") else value


class Brightspace(Platform):
    name = "brightspace"
    title = "Brightspace"
    source = "D2L's help 'Importing grades'; public tools' reading of the Download's names"
    roster_help = (
        "Brightspace's Grades > Export (OrgDefinedId, Username, Last Name, First Name, ...)"
    )
    targets = {"brightspace": "Brightspace's Grades > Import"}
    arguments = TIMEZONE

    def owner(self, rel: str, tree: Tree) -> Handed | None:
        first, slash, rest = rel.partition("/")
        if not slash:
            if rel == "index.html" and any(LOOKS.match(f) for f in tree.files):
                return Handed(
                    Person(),
                    rel,
                    unit=rel,
                    prefix=len(rel),
                    problem="not graded: Brightspace's own list of the download, not a submission",
                )
            chunks = SPLIT.split(rel)
            if len(chunks) < 4:
                return None
            when = next((i for i in range(2, len(chunks)) if wall_time(chunks[i])), None)
            if when is None or when == len(chunks) - 1:
                return None
            head, date = chunks[:when], chunks[when]
            after = re.search(re.escape(date) + r"\s*-\s+", rel)
            if after is None:
                return None
            prefix, file = after.end(), rel[after.end() :]  # the student's own name follows
        else:
            chunks = SPLIT.split(first)
            if len(chunks) < 3 or wall_time(chunks[-1]) is None:
                return None
            head, date, file = chunks[:-1], chunks[-1], rest.rsplit("/", 1)[-1]
            prefix = len(first) + 1
        ids = IDS.match(head[0])
        if ids is None or len(head) < 2:
            return None
        name, more = head[-1], head[1:-1]
        wall = wall_time(date)
        time, problem = local_time(wall, date, tree, "Brightspace")
        user = ids["user"]
        return Handed(
            Person(user, name, self.name, user),
            file,
            unit=f"{self.name}:{user}:{date}",
            prefix=prefix,
            named=first,
            time=time,
            time_from=f"Brightspace's name ({date}, {zone_name(tree)})",
            attempt=(wall.isoformat(),),
            attempt_name=f"the submission of {date}",
            group=more[0] if more else "",
            problem=problem,
            notes=(f"Brightspace's name also says {' - '.join(more)!r}",) if more else (),
        )

    def resembles(self, rel: str) -> bool:
        return bool(LOOKS.match(rel))

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        if not (table.has("OrgDefinedId") or table.has("Username", "End-of-Line Indicator")):
            return None
        people = []
        for row in table.rows:
            org = _hash_free(table.get(row, "OrgDefinedId"))
            user = _hash_free(table.get(row, "Username"))
            name = f"{table.get(row, 'First Name')} {table.get(row, 'Last Name')}".strip()
            student = _hash_free(table.chosen(row, id_column, org or user))
            if not (student or name):
                continue
            people.append(
                Person(
                    student_id=student,
                    name=name,
                    platform=self.name,
                    sis_id=org,
                    login=user,
                    email=table.get(row, "Email"),
                )
            )
        return people

    def write(self, target: str, lines: Sequence[Line], out: Path, how: Export) -> Written:
        written = Written(Path(out))
        column = how.column if how.column.endswith("Points Grade") else f"{how.column} Points Grade"
        rows = [["OrgDefinedId", "Username", column, "End-of-Line Indicator"]]
        for ln in lines:
            p = ln.person
            if not (p.sis_id or p.login):
                why = "no OrgDefinedId or Username: Brightspace matches rows by them"
                written.left_out.append((ln, why))
                continue
            # the '#' Brightspace's own export puts before ids keeps them text (and no formula)
            org, user = p.sis_id, p.login
            rows.append([f"#{org}" if org else "", f"#{user}" if user else "", ln.grade, "#"])
            written.lines.append(ln)
        write_file(out, csv_text(rows))
        written.howto = [
            f"Brightspace: Grades > Enter Grades > Import, choose this file; the column "
            f"{column!r} updates the grade item named {column.removesuffix(' Points Grade')!r} "
            "(another name creates an item). Only people with a grade are in it",
        ]
        return written


PLATFORM = Brightspace()
