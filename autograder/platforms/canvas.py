"""Canvas LMS: "Download Submissions", the gradebook's export and import, group sets, the API.

Source: instructure/canvas-lms. ``lib/content_zipper.rb`` (``get_filename``,
``sanitize_user_name``) names the zip's files; ``app/models/attachment.rb``
(``make_unique_filename``) adds the -1, -2, ...; ``lib/gradebook_exporter.rb`` writes the
gradebook export; ``lib/gradebook_importer.rb`` (``no_change_to_value?``) reads the import;
``app/controllers/group_categories_controller.rb`` (``export``) writes a group set's CSV. The API is
documented at canvas.instructure.com/doc/api/submissions.html.

- The download is flat. Each file is named ``<lastfirst>[_LATE]_<user id>_<attachment id>_<the
  student's file name>``. A text entry is ``<lastfirst>[_LATE]_<user id>_text.html`` and a URL is
  ``..._link.html``. ``lastfirst`` is the sortable name, lower-case, with everything but
  letters, digits and ``_`` removed. Under anonymous grading it is ``anon_<5 characters>``
  instead of the name and the user id, and such a file names no one. In a group assignment
  graded as a group, it is the group's name with one member's user id.
- Only the current attempt is downloaded. Canvas renames a file handed in again under a name the
  student's submissions folder already holds: ``lab.ipynb`` becomes ``lab-1.ipynb``, then
  ``lab-2.ipynb``. A later upload has a larger attachment id.
- LATE says the submission was late, not when it was handed in. It is taken as one second after the
  due date, the least lateness the mark can mean.
- The gradebook import reads an empty cell, or ``-``, as "remove this grade". So the import
  file holds only the people with a grade.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

from autograder.platforms.base import (
    Export,
    ExportError,
    Handed,
    Line,
    Person,
    Platform,
    RosterError,
    Table,
    Tree,
    Written,
    cells,
    csv_text,
    fmt,
    read_table,
    write_file,
)

NAME = re.compile(
    r"^(?:(?P<name>[^/]*?)_)?(?:(?P<late>LATE)_)?"
    r"(?:anon_(?P<anon>[1-9A-HJ-NP-Za-km-z]{5})|(?P<user>\d+))"
    r"(?:_(?P<attachment>\d+)_(?P<file>[^/]+)|_(?P<kind>text|link)\.html)$",
    re.IGNORECASE,
)
LOOKS = re.compile(r"^(?:[^/]*?_)?(?:LATE_)?(?:anon_|\d{4,}_)", re.IGNORECASE)
#: Canvas's rename of a file handed in again: ``-N``, or ``-<uuid>`` after the 8th time.
RENAMED = re.compile(
    r"^(?P<stem>.+)-(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"(?P<suffix>\.[^.]+)$"
)
IDS = ("SIS Login ID", "SIS User ID", "ID")
_MARKS = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.IGNORECASE)


def _sortable(student: str) -> str:
    last, comma, first = student.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if comma else student.strip()


class Canvas(Platform):
    name = "canvas"
    title = "Canvas"
    source = "instructure/canvas-lms: lib/content_zipper.rb, lib/gradebook_importer.rb"
    roster_help = (
        "Canvas's Grades > Export CSV (Student, ID, SIS User ID, SIS Login ID, Section, ...)"
    )
    targets = {"canvas": "Canvas's gradebook import (Grades > Import)"}
    upload_arguments = {
        "--canvas-url": "e.g. https://school.instructure.com",
        "--canvas-course": "the Canvas course id (from its URL)",
        "--canvas-assignment": "the Canvas assignment id (from its URL)",
    }
    token_variable = "CANVAS_API_TOKEN"
    arguments = {
        "--groups": "Canvas's CSV of a group set (People > Groups > Download Course Users): "
        "every member of a group gets the grade of the file one member handed in"
    }

    # -- who handed it in ------------------------------------------------------------------

    def owner(self, rel: str, tree: Tree) -> Handed | None:
        if "/" in rel:
            return None
        match = NAME.match(rel)
        if match is None:
            return None
        late = bool(match["late"])
        prefix = match.start("file") if match["file"] else len(rel)
        if match["anon"]:
            return Handed(
                Person(),
                match["file"] or f"{match['kind']}.html",
                unit=rel,
                prefix=prefix,
                late=late,
                problem=(
                    f"Canvas hid who handed it in (anonymous grading: anon_{match['anon']} is no "
                    "user): grade it in SpeedGrader, or download the submissions again after "
                    "Canvas posts the grades, when their names carry each student's user id"
                ),
            )
        user = match["user"]
        file = match["file"] or f"{match['kind']}.html"
        renamed = RENAMED.match(file)
        handed = file
        if renamed and f"{renamed['stem']}{renamed['suffix']}".lower() in {
            f"{n}.ipynb".lower() for n in tree.notebooks
        }:
            handed = f"{renamed['stem']}{renamed['suffix']}"
        members, group = self._group(tree, user)
        person = Person(user, match["name"] or "", self.name, user)
        attachment = match["attachment"] or ""
        return Handed(
            person,
            handed,
            unit=f"{self.name}:{user}",
            prefix=prefix,
            named=rel,
            late=late,
            order=(len(attachment), attachment),  # a later upload has a larger id
            others=_other_readings(match, rel),
            members=members,
            group=group,
            notes=(f"Canvas renamed {handed} to {file}",) if handed != file else (),
        )

    def resembles(self, rel: str) -> bool:
        return "/" not in rel and bool(LOOKS.match(rel))

    def _group(self, tree: Tree, user: str) -> tuple[tuple[Person, ...], str]:
        path = tree.options.get("groups")
        if not path:
            return (), ""
        groups = tree.memo("canvas:groups", lambda: read_groups(Path(path)))
        group = groups["of"].get(user)
        if group is None:
            return (), ""
        return tuple(p for p in groups["members"][group] if p.user_id != user), groups["names"][
            group
        ]

    # -- the class -------------------------------------------------------------------------

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        header = table.header
        split_names = table.has("LastName", "FirstName")
        if not (table.has("ID") and (header[0].casefold() == "student" or split_names)):
            return None
        people = []
        for row in table.rows:
            if "Points Possible" in (row[0] if row else ""):
                continue
            if all(_MARKS.match(c) for c in row):
                continue
            if table.index("Student") is not None:
                if table.get(row, "Student") == "Student, Test":
                    continue
                name = _sortable(table.get(row, "Student"))
            else:
                name = f"{table.get(row, 'FirstName')} {table.get(row, 'LastName')}".strip()
                if name == "Test Student":
                    continue
            found = {c: table.get(row, c) for c in IDS}
            default = next((found[c] for c in IDS if found[c]), "")
            student = table.chosen(row, id_column, default)
            if not (student or name or found["ID"]):
                continue
            people.append(
                Person(
                    student_id=student,
                    name=name,
                    platform=self.name,
                    user_id=found["ID"],
                    sis_id=found["SIS User ID"],
                    login=found["SIS Login ID"],
                    section=table.get(row, "Section"),
                    email=table.get(row, "Email"),
                )
            )
        return people

    # -- grades back -----------------------------------------------------------------------

    def write(self, target: str, lines: Sequence[Line], out: Path, how: Export) -> Written:
        column, points = how.column, how.points
        written = Written(Path(out))
        rows = [
            ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
            ["    Points Possible", "", "", "", "", fmt(points)],
        ]
        for ln in lines:
            p = ln.person
            user = p.id_on(self.name)
            if not (user or p.sis_id or p.login):
                written.left_out.append(
                    (
                        ln,
                        "no Canvas user id, SIS User ID or SIS Login ID: Canvas could place it "
                        "by name only",
                    )
                )
                continue
            rows.append([*cells(_last_first(p.name), user, p.sis_id, p.login, p.section), ln.grade])
            written.lines.append(ln)
        write_file(out, csv_text(rows))
        written.howto = [
            "Canvas: Grades > Import, choose this file. A column named 'Title (12345)' updates "
            "assignment 12345; another name creates an assignment. Only people with a grade "
            "are in the file: Canvas reads an empty cell as 'remove this grade'",
        ]
        if not re.search(r"\(\d+\)\s*$", column):
            written.howto.append(
                f"  (the column {column!r} names no assignment id: Canvas updates the assignment "
                "of exactly that title, or creates one; pass --column 'Title (id)' from Canvas's "
                "own export to be sure)"
            )
        return written

    def lms_user_id(self, user_id: str) -> str:
        """Canvas's user id as it is: what nbgrader's ``lms_user_id`` holds for Canvas courses
        (``nbgrader db student import``), and what tools built on it expect."""
        return user_id

    def upload(self, lines: Sequence[Line], options: dict[str, str], points: float) -> str:
        """Post the grades with canvasapi's ``submissions_bulk_update`` (one job for all), for
        the people with a Canvas user id."""
        try:
            from canvasapi import Canvas as Api
            from canvasapi.exceptions import CanvasException
        except ImportError:
            raise ExportError(
                "--upload needs the canvasapi library: pip install canvasapi "
                "(or write the CSV without --upload and import it in Canvas)"
            ) from None
        import requests

        url, course_id, assignment_id = (
            options["canvas_url"],
            options["canvas_course"],
            options["canvas_assignment"],
        )
        grade_data = {
            ln.person.id_on(self.name): {"posted_grade": ln.grade}
            for ln in lines
            if ln.person.id_on(self.name)
        }
        no_id = [
            ln.person.name or ln.person.student_id for ln in lines if not ln.person.id_on(self.name)
        ]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # canvasapi warns of http:// URLs
                canvas = Api(url, options["token"])
            assignment = canvas.get_course(course_id).get_assignment(assignment_id)
            possible = getattr(assignment, "points_possible", None)
            if possible is not None and abs(float(possible) - points) > 1e-9:
                raise ExportError(
                    f"Canvas assignment {assignment_id} is worth {fmt(float(possible))} points; "
                    f"the grades are out of {fmt(points)}: pass --points {fmt(float(possible))}"
                )
            if not grade_data:
                raise ExportError("no grade to upload: nobody graded has a Canvas user id")
            progress = assignment.submissions_bulk_update(grade_data=grade_data)
        except CanvasException as e:
            raise ExportError(f"Canvas refused: {e}") from None
        except requests.RequestException as e:
            raise ExportError(f"cannot reach Canvas at {url}: {e}") from None
        text = (
            f"uploaded {len(grade_data)} grades to Canvas assignment {assignment_id} "
            f"(job {getattr(progress, 'id', '?')}: {getattr(progress, 'workflow_state', '?')})"
        )
        if no_id:
            text += f"\nnot uploaded, no Canvas user id: {len(no_id)}: {', '.join(no_id[:20])}"
        return text


def _other_readings(match, rel: str) -> tuple[Person, ...]:
    """Canvas writes ``_`` only where a name has one, so a name that ends in ``_<digits>``
    (``smith_2_1001_5551_x``) reads as user 2 as well as user 1001: the other users a name can
    be read as, for the roster to decide (``identity.settle``)."""
    first, _, rest = (match["file"] or "").partition("_")
    if first.isdigit() and rest and match["user"]:
        name = f"{match['name']}_{match['user']}" if match["name"] else match["user"]
        return (Person(match["attachment"], name, "canvas", match["attachment"]),)
    return ()


def _last_first(name: str) -> str:
    """ "First Last" as Canvas's export writes a name, "Last, First"."""
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}" if first and last else name


def read_groups(path: Path) -> dict:
    """A group set as Canvas exports it: ``name, canvas_user_id, user_id, login_id, sections,
    group_name, canvas_group_id, group_id`` (``name`` and ``sections`` in the user's language).
    A group is its ``canvas_group_id`` where the file has one, else its name. Returns
    ``{"of": user id -> group, "members": group -> people, "names": group -> its name}``."""
    table = read_table(path)
    if not table.has("canvas_user_id", "group_name"):
        raise RosterError(
            f"--groups {path}: not Canvas's group set CSV (People > Groups > the set's menu > "
            "Download Course Users: canvas_user_id, ..., group_name, ...)"
        )
    of: dict[str, str] = {}
    members: dict[str, list[Person]] = {}
    names: dict[str, str] = {}
    for row in table.rows:
        user, name = table.get(row, "canvas_user_id"), table.get(row, "group_name")
        group = table.get(row, "canvas_group_id") or name
        if not (user and group):
            continue
        if user in of and of[user] != group:
            raise RosterError(
                f"--groups {path}: Canvas user {user} is in two groups of the set "
                f"({names[of[user]]!r} and {name!r}); a group set puts each student in one"
            )
        if user in of:
            continue  # listed twice in one group
        of[user], names[group] = group, name or group
        members.setdefault(group, []).append(
            Person(
                student_id=user,
                name=_sortable(row[0].strip() if row else ""),
                platform="canvas",
                user_id=user,
                sis_id=table.get(row, "user_id"),
                login=table.get(row, "login_id"),
            )
        )
    return {"of": of, "members": {g: tuple(ps) for g, ps in members.items()}, "names": names}


PLATFORM = Canvas()
