"""Blackboard Learn: a Grade Center column's "Assignment File Download", and Work Offline's grade
download and upload.

Source: Blackboard Learn's help, "Uploading or Downloading Grade Center Items for Working Offline"
(library.blackboard.com, Blackboard Learn 9.1). The file names come from nbgrader's own example
of them (``FileNameCollectorPlugin.named_regexp`` in ``nbgrader/plugins/zipcollect.py``:
``ps1_bitdiddle_attempt_2016-01-30-15-00-00_problem1.ipynb``) and from the downloads that public
tools parse.

- The download is flat. For every attempt it holds a receipt,
  ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>.txt``, and each file the student
  attached, as ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>``. An
  assignment's name and a username may both hold ``_``, so the username is read from the
  receipt's first line, ``Name: First Last (username)``. The receipt's ``Files:`` block maps
  each file back to its original name.
- The time in the name is the server's local time, with no zone: ``--timezone`` (or the course's
  ``c.Exchange.timezone``) gives it. The receipt's "Date Submitted" line names the zone, e.g. EDT.
  A file whose time has no zone is not on time: its row is an error until the zone is given.
- With "All attempt files", every attempt is in the download, and the latest one counts.
- The upload matches rows by Username and columns by the ``|<column id>`` that ends a header copied
  from the Grade Center's own download. A header without an id creates a new column. The file holds
  only the people with a grade: what an empty cell does is not documented.
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
    cells,
    csv_text,
    local_time,
    write_file,
    zone_name,
)

NAME = re.compile(
    r"^(?P<prefix>[^/]+?)_attempt_(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})"
    r"(?:_(?P<file>[^/]+)|\.txt)$"
)
LOOKS = re.compile(r"_attempt_\d{4}-", re.IGNORECASE)


def _receipt(data: bytes | None) -> dict:
    """What a Blackboard receipt says: the name and username on its first line (in any
    language: "Name: First Last (username)"), the zone of "Date Submitted", and each file's
    original name."""
    if data is None:
        return {}
    text = data.decode("utf-8", "replace")
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    label, _, who = first.partition(":")
    if "(" not in who or not who.rstrip().endswith(")"):
        return {}
    open_at = who.rfind("(")
    found = {"name": who[:open_at].strip(), "user": who[open_at + 1 : who.rstrip().rfind(")")]}
    submitted = next((ln for ln in lines[1:4] if re.search(r"\d{4}", ln)), "")
    zone = re.search(r"\b([A-Z]{2,5})\s*$", submitted.strip())
    found["zone"] = zone.group(1) if zone else ""
    # the files block ends the receipt: its lines start with a tab, after one label line; what
    # the student wrote (submission text, comments) comes before it and never counts
    block = []
    for line in reversed(lines):
        if line.startswith("\t") or not line.strip():
            block.append(line)
        else:
            break
    originals, original = {}, None
    for line in reversed(block):
        _, _, value = line.strip().partition(":")
        value = value.strip()
        if "_attempt_" in value and original is not None:
            originals[value] = original
            original = None
        elif value:
            original = value
    found["originals"] = originals
    return found


class Blackboard(Platform):
    name = "blackboard"
    title = "Blackboard Learn"
    source = "Blackboard Learn 9.1 help (Working Offline); nbgrader's zipcollect.py example"
    roster_help = (
        "Blackboard's Grade Center > Work Offline > Download (Last Name, First Name, Username, "
        "Student ID, ...)"
    )
    targets = {"blackboard": "Blackboard's Grade Center > Work Offline > Upload"}
    arguments = TIMEZONE

    def owner(self, rel: str, tree: Tree) -> Handed | None:
        match = NAME.match(rel)
        if match is None:
            return None
        prefix, stamp = match["prefix"], match["time"]
        receipt_name = f"{prefix}_attempt_{stamp}.txt"
        receipt = tree.memo(f"blackboard:{receipt_name}", lambda: _receipt(tree.read(receipt_name)))
        user = receipt.get("user", "")
        metadata = rel == receipt_name
        file = rel if metadata else receipt.get("originals", {}).get(rel) or match["file"]
        start = len(rel) if metadata else match.start("file")
        if not user or not prefix.endswith(f"_{user}"):
            why = (
                f"its Blackboard receipt {receipt_name} is missing or does not name the username "
                "in the file names, and an assignment's name and a username may both hold '_': "
                "download the attempts again with their receipts"
            )
            return Handed(Person(), file, unit=rel, prefix=start, problem=why)
        hint = f" (the receipt says {receipt['zone']})" if receipt.get("zone") else ""
        try:
            wall = datetime.datetime.strptime(stamp, "%Y-%m-%d-%H-%M-%S")
        except ValueError:
            wall = None
        time, problem = local_time(wall, stamp, tree, "Blackboard", hint)
        return Handed(
            Person(user, receipt.get("name", ""), self.name, user),
            file,
            unit=f"{self.name}:{user}:{stamp}",
            prefix=start,
            named=user,
            time=time,
            time_from=f"Blackboard's name ({stamp}, {zone_name(tree)})",
            attempt=(stamp,),
            attempt_name=f"the attempt of {stamp}",
            problem=problem,
            role="metadata" if metadata else "file",
        )

    def resembles(self, rel: str) -> bool:
        return "/" not in rel and bool(LOOKS.search(rel))

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        grade_center = any(table.has(c) for c in ("Student ID", "Last Access", "Availability"))
        if not (table.has("Username", "Last Name", "First Name") and grade_center):
            return None
        people = []
        for row in table.rows:
            user = table.get(row, "Username")
            name = f"{table.get(row, 'First Name')} {table.get(row, 'Last Name')}".strip()
            student = table.chosen(row, id_column, user)
            if not (student or user):
                continue
            people.append(
                Person(
                    student_id=student,
                    name=name,
                    platform=self.name,
                    user_id=user,
                    login=user,
                    sis_id=table.get(row, "Student ID"),
                    email=table.get(row, "Email"),
                )
            )
        return people

    def write(self, target: str, lines: Sequence[Line], out: Path, how: Export) -> Written:
        written = Written(Path(out))
        rows = [["Last Name", "First Name", "Username", "Student ID", how.column]]
        for ln in lines:
            p = ln.person
            user = p.login or p.id_on(self.name)
            if not user:
                written.left_out.append(
                    (ln, "no Blackboard username: the upload matches rows by it")
                )
                continue
            first, _, last = p.name.rpartition(" ")
            rows.append([*cells(last, first, user, p.sis_id), ln.grade])
            written.lines.append(ln)
        write_file(out, csv_text(rows, quote_all=True))
        written.howto = [
            "Blackboard: Grade Center > Work Offline > Upload, choose this file (delimiter: "
            "comma). Only people with a grade are in it",
        ]
        if not re.search(r"\|\s*\d+\s*$", how.column):
            written.howto.append(
                f"  (the column {how.column!r} has no '|<column id>': Blackboard creates a new "
                "text column; pass --column with the header of the lab's column from the Grade "
                "Center's own download, e.g. 'Lab 2 [Total Pts: 10 Score] |123456')"
            )
        return written


PLATFORM = Blackboard()
