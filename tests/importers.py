"""The platforms' grade importers, as their own source and documentation describe what they do
with a row (not the grader's code): what the export tests import their files with.

Each model takes the grades a platform already holds and the text of an import file, and
returns the grades it holds afterwards. Where a platform does not document what an empty cell
does, the model takes the worst reading: the empty cell clears the grade.
"""

from __future__ import annotations

import csv
import io
import re


class ImportAborted(Exception):
    """The platform refuses the whole file."""


def _rows(text: str, delimiter: str = ","):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def canvas(held: dict[str, str], text: str, people: list[dict]) -> dict[str, str]:
    """instructure/canvas-lms ``lib/gradebook_importer.rb``. The header starts ``Student``,
    ``ID`` and its last student column holds ``Section``. A row whose first cell holds
    "Points Possible" is skipped. A student is found by ID, else SIS User ID, else SIS Login
    ID, else name. ``no_change_to_value?``: a blank or ``-`` where a score is held is a change,
    and the change is saved as no score (``grade_student(grade: "")``).
    ``held``: Canvas user id -> score; ``people``: the course's students (``id``,
    ``sis_user_id``, ``login``, ``name``)."""
    rows = _rows(text)
    header = rows[0]
    if not ("Student" in header[0] and "ID" in header[1]):
        raise ImportAborted("Invalid header row")
    section = next(i for i, h in enumerate(header) if "Section" in h)
    if header[2:section] not in ([], ["SIS Login ID"], ["SIS User ID", "SIS Login ID"]):
        raise ImportAborted("Invalid header row")
    after = dict(held)
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            continue
        values = dict(zip(header, row, strict=False))
        person = (
            next((p for p in people if values.get("ID") and p["id"] == values["ID"]), None)
            or next(
                (
                    p
                    for p in people
                    if values.get("SIS User ID") and p.get("sis_user_id") == values["SIS User ID"]
                ),
                None,
            )
            or next(
                (
                    p
                    for p in people
                    if values.get("SIS Login ID") and p.get("login") == values["SIS Login ID"]
                ),
                None,
            )
            or next((p for p in people if p["name"] == row[0]), None)
        )
        if person is None:
            continue  # left to be matched by hand in the import's preview
        new = row[section + 1]
        current = held.get(person["id"], "")

        def no_score(value):
            return value.strip() in ("", "-")

        if new == current or (no_score(new) and no_score(current)):
            continue
        after[person["id"]] = "" if no_score(new) else new
    return after


def moodle_gradebook(held: dict[str, str], text: str, map_from: str, people: list[dict]) -> dict:
    """moodle/moodle ``grade/import/csv/classes/load_data.php``. The user column ``map_from``
    is matched exactly to a user's field; a row whose user is not found aborts the whole
    import; the user is set once before the loop, so a blank identifier reuses the row before
    it; ``''`` or ``-`` is "no grade" and is written, clearing a grade (``update_final_grade``
    with null). ``held``: the identifier's value -> grade; ``people``: users (the field the
    column maps to, under ``key``)."""
    rows = _rows(text)
    header = rows[0]
    column = header.index(map_from)
    grade_column = len(header) - 1
    after = dict(held)
    user = None
    staged = {}
    for row in rows[1:]:
        value = row[column]
        if value:
            user = next((p["key"] for p in people if p["key"] == value), None)
            if user is None:
                raise ImportAborted(f"user mapping error: {value!r} not found")
        if user is None:
            raise ImportAborted("user not found")
        cell = row[grade_column]
        staged[user] = None if cell in ("", "-") else cell
    for user, grade in staged.items():
        after[user] = "" if grade is None else grade
    return after


def moodle_worksheet(
    held: dict[str, tuple[str, float]], text: str, ignoremodified: bool = False
) -> dict[str, tuple[str, float]]:
    """moodle/moodle ``mod/assign/feedback/offline/importgradeslib.php`` and
    ``locallib.php`` (``process_import_grades``). Columns by their English headers; the
    participant id is the Identifier after its first 12 characters ("Participant "); an
    unknown one is skipped. ``unformat_float``: ``''`` is null and skipped; other text is 0. A
    row is skipped when its grade is unchanged, null or negative, or when Moodle's grade is
    more than 60 s newer than "Last modified (grade)" (``-``: any held grade), unless
    ``ignoremodified``. ``held``: participant id -> (grade, time modified, as a Unix time)."""
    rows = _rows(text)
    header = rows[0]
    for needed in ("Identifier", "Grade", "Last modified (grade)"):
        if needed not in header:
            raise ImportAborted("invalidgradeimport")
    after = dict(held)
    for row in rows[1:]:
        values = dict(zip(header, row, strict=False))
        participant = values["Identifier"][len("Participant ") :]
        cell = values["Grade"].strip()
        if cell == "":
            continue  # null
        try:
            grade = float(cell)
        except ValueError:
            grade = 0.0  # unformat_float's non-strict reading of text
        old = held.get(participant)
        modified = values["Last modified (grade)"]
        modified_at = None if modified in ("", "-") else float(modified)
        stale = old is not None and old[1] > ((modified_at or 0) + 60)
        if old is not None and float(old[0] or -1) == grade:
            continue
        if grade < 0 or (stale and not ignoremodified):
            continue
        after[participant] = (str(grade), 0.0)
    return after


def blackboard(held: dict[str, str], text: str) -> dict[str, str]:
    """Blackboard Learn 9.1 help, "Uploading or Downloading Grade Center Items for Working
    Offline": rows are matched by Username, columns by the ``|<column id>`` ending a header; a
    comma-separated file quotes every value. What an empty cell does is not documented: this
    model clears the grade. ``held``: username -> grade."""
    rows = _rows(text)
    header = rows[0]
    if not text.lstrip("\ufeff").startswith('"'):
        raise ImportAborted("a comma-delimited file must quote its values")
    user = header.index("Username")
    grade_column = next(i for i, h in enumerate(header) if re.search(r"\|\s*\d+\s*$", h))
    after = dict(held)
    for row in rows[1:]:
        after[row[user]] = row[grade_column]
    return after


def brightspace(held: dict[str, str], text: str) -> dict[str, str]:
    """D2L's help, "Importing grades": rows by OrgDefinedId or Username (a ``#`` before an
    id keeps it text), a column ``<item> Points Grade``, an "End-of-Line Indicator" column.
    What an empty cell does is not documented: this model clears the grade. ``held``: the
    OrgDefinedId or Username -> grade."""
    rows = _rows(text)
    header = rows[0]
    if header[:2] != ["OrgDefinedId", "Username"] or header[-1] != "End-of-Line Indicator":
        raise ImportAborted("the first two columns are OrgDefinedId and Username")
    grade_column = next(i for i, h in enumerate(header) if h.endswith(" Points Grade"))
    after = dict(held)
    for row in rows[1:]:
        org, user = row[0].removeprefix("#"), row[1].removeprefix("#")
        after[org or user] = row[grade_column]
    return after
