"""``autograder export LAB --to canvas|moodle``: a lab's grades, from the course's nbgrader
gradebook, as a CSV file the LMS imports (or, for Canvas, posted with its API).

What the LMSs document and read (the pages and sources read for this):

- Canvas: the gradebook import as universities' Canvas guides describe it (Ohio State,
  https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades;
  VCU, https://ts.vcu.edu/askit/teaching-and-learning/canvas/faculty/grading-faculty/gradebook-action-menu-faculty/)
  and as Canvas's importer reads it (instructure/canvas-lms, GradebookImporter): the header
  starts ``Student, ID`` and ends its student columns with ``Section``; this file has the
  columns of Canvas's own export, ``Student, ID, SIS User ID, SIS Login ID, Section,
  <assignment>``. A student is found by ID (the Canvas user id), else SIS User ID / SIS
  Login ID, else by name; one it cannot place is shown in the import preview to be matched
  by hand. A column named ``Title (12345)`` updates assignment 12345; another name creates
  an assignment, whose points come from the "Points Possible" row (written here, as in
  Canvas's export). An empty cell changes nothing; "," or ";" separates; the importer's
  header test tolerates a byte-order mark.
- Moodle, "Grade import" (https://docs.moodle.org/311/en/Grade_import,
  https://docs.moodle.org/27/en/Grade_import): Grades > Import > CSV file; the teacher maps
  one column to the user (*Map from* a column, *Map to* ID number, email address, username or
  user id) and a column to a grade item (or a new one); email addresses compare case-
  sensitively. Its importer (moodle/moodle ``grade/import/csv/classes/load_data.php``,
  ``lib/csvlib.class.php``) strips a UTF-8 byte-order mark; aborts the whole import when a
  row's user is not found; gives a row with an empty identifier to the user of the row
  before it; and an empty grade cell removes that user's grade for the item. So a row
  without the chosen identifier is never written (it goes to the sidecar file); rows
  without a submission are, with an empty cell, and the output says so.
- Canvas's API, ``POST /api/v1/courses/:course_id/assignments/:id/submissions/update_grades``
  (https://canvas.instructure.com/doc/api/submissions.html#method.submissions_api.bulk_update,
  as canvasapi's ``Assignment.submissions_bulk_update`` cites it; ``posted_grade`` "13.5" is
  points, as https://rdrr.io/cran/vvcanvas/man/update_course_grades.html quotes that page),
  with ``--upload``.

The scores are nbgrader's: a submission's points less its late penalty, never below 0 (as
``nbgrader export`` computes them), scaled to ``--points`` and rounded to 2 decimals. The
files are UTF-8 with a byte-order mark, which both importers accept and which makes Excel
read accents right. Nobody is dropped: a roster person without a submission gets an empty
cell (never 0); a graded student the roster lacks, or a Moodle row without its identifier,
goes to ``<out>.unmatched.csv`` with the score; submissions still to be graded by hand in
formgrader are listed.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.report import _cell
from autograder.roster import Person, Roster, RosterError

PLATFORMS = ("canvas", "moodle")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Full name", "ID number", "Username", "Email address"]
#: Moodle's user fields for "Map to", by the column that holds them.
MOODLE_FIELD = {"ID number": "sis_id", "Username": "login", "Email address": "email"}
TOKEN_VARIABLE = "CANVAS_API_TOKEN"


class ExportError(Exception):
    """The export cannot be made as asked: the message says what to do."""


@dataclass(frozen=True)
class Graded:
    """One gradebook student, with the lab's submission if there is one."""

    student_id: str
    name: str
    email: str = ""
    lms_user_id: str = ""
    first_name: str = ""
    last_name: str = ""
    submitted: bool = False
    raw: float = 0.0  # points before the late penalty
    penalty: float = 0.0
    max_score: float = 0.0
    needs_manual_grade: bool = False

    @property
    def score(self) -> float:
        """nbgrader's score: points less the late penalty, never below 0."""
        return max(0.0, self.raw - self.penalty)


@dataclass(frozen=True)
class Line:
    """One row of the LMS file: a person and the grade text ("" for none)."""

    person: Person
    grade: str
    student: Graded | None = None


@dataclass
class Plan:
    platform: str
    column: str
    points: float
    lines: list[Line]
    identifier: str = ""  # Moodle: the column to map to the user
    no_submission: list[Line] = field(default_factory=list)
    no_identifier: list[Line] = field(default_factory=list)  # Moodle: left out, no grade
    unmatched: list[tuple[Graded, str]] = field(default_factory=list)  # (student, reason)
    manual: list[Graded] = field(default_factory=list)
    roster: bool = False  # the people are a roster's (else the gradebook's)


def fmt(x: float) -> str:
    """A grade as the LMSs read it: at most 2 decimals, a point, no trailing zeros."""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def scaled(student: Graded, points: float) -> str:
    if not student.submitted:
        return ""
    if student.max_score <= 0:
        return fmt(student.score)
    return fmt(student.score / student.max_score * points)


def read_gradebook(db_url: str, lab: str) -> tuple[list[Graded], float]:
    """Every gradebook student with the lab's submission, if any; and the lab's points."""
    from nbgrader.api import MissingEntry

    from autograder.grading.gradebook import open_gradebook

    with open_gradebook(db_url) as gb:
        try:
            max_score = float(gb.find_assignment(lab).max_score or 0.0)
        except MissingEntry:
            known = ", ".join(a.name for a in gb.assignments) or "none"
            raise ExportError(
                f"the gradebook has no lab {lab!r} (it has: {known}); grade it first "
                f"(autograder grade {lab} SUBMISSIONS)"
            ) from None
        subs = {s.student.id: s for s in gb.assignment_submissions(lab)}
        out = []
        for st in gb.students:
            first, last = (st.first_name or "").strip(), (st.last_name or "").strip()
            s = subs.get(st.id)
            out.append(
                Graded(
                    student_id=st.id,
                    name=f"{first} {last}".strip(),
                    email=(st.email or "").strip(),
                    lms_user_id=(st.lms_user_id or "").strip(),
                    first_name=first,
                    last_name=last,
                    submitted=s is not None,
                    raw=float(s.score or 0.0) if s is not None else 0.0,
                    penalty=float(s.late_submission_penalty or 0.0) if s is not None else 0.0,
                    max_score=float(s.max_score or max_score) if s is not None else max_score,
                    needs_manual_grade=bool(s.needs_manual_grade) if s is not None else False,
                )
            )
    return out, max_score


def _match(roster: Roster, students: list[Graded]) -> tuple[dict, list[tuple[Graded, str]]]:
    """Roster person -> gradebook student, for the students who submitted: by the course's
    id, else by the gradebook's LMS user id, else by the student id being the LMS id (what
    intake records without a roster). Returns the matches and the submitted students left."""
    taken: dict[Person, Graded] = {}
    left = [s for s in students if s.submitted]
    finders = (
        lambda s: roster.by_student_id(s.student_id),
        lambda s: roster.by_lms_id(s.lms_user_id),
        lambda s: roster.by_lms_id(s.student_id),
    )
    for find in finders:
        still = []
        for s in left:
            p = find(s)
            if p is not None and p not in taken:
                taken[p] = s
            else:
                still.append(s)
        left = still
    return taken, [(s, "not in the roster") for s in left]


def _person(s: Graded, platform: str) -> Person:
    """A gradebook student as the LMS file shows them, without a roster."""
    if platform == "canvas":
        # Canvas's export and its importer's name match use "Last, First"
        name = f"{s.last_name}, {s.first_name}" if s.first_name and s.last_name else s.name
        return Person(s.student_id, name or s.student_id, lms_id=s.lms_user_id, email=s.email)
    return Person(s.student_id, s.name, lms_id=s.lms_user_id, email=s.email, sis_id=s.student_id)


def plan(
    platform: str,
    students: list[Graded],
    max_score: float,
    roster: Roster | None = None,
    points: float | None = None,
    column: str = "",
    id_column: str | None = None,
) -> Plan:
    points = float(points) if points else max_score
    result = Plan(platform, column, points, [], roster=roster is not None)
    result.manual = [s for s in students if s.submitted and s.needs_manual_grade]
    if roster is not None:
        taken, result.unmatched = _match(roster, students)
        lines = [
            Line(p, scaled(taken[p], points) if p in taken else "", taken.get(p))
            for p in roster.people
        ]
    else:
        lines = [Line(_person(s, platform), scaled(s, points), s) for s in students]
    if platform == "moodle":
        result.identifier = _moodle_identifier(lines, roster, id_column)
        attr = MOODLE_FIELD[result.identifier]
        kept = []
        for line in lines:
            if getattr(line.person, attr):
                kept.append(line)
            elif line.student is not None and line.student.submitted:
                result.unmatched.append((line.student, f"no {result.identifier} for Moodle"))
            else:
                result.no_identifier.append(line)
        lines = kept
    result.lines = lines
    result.no_submission = [ln for ln in lines if not ln.grade]
    return result


def _moodle_identifier(lines: list[Line], roster: Roster | None, id_column: str | None) -> str:
    """The column to map to Moodle's user: ``--roster-id`` if it is one of them, else the
    first that every row has (ID number, Username, Email address), else the fullest."""
    if id_column:
        for column in MOODLE_FIELD:
            if column.casefold() == id_column.strip().casefold():
                return column
    order = list(MOODLE_FIELD)
    if roster is None:  # the gradebook's emails if all have one, else its student ids
        order = ["Email address", "ID number"]
    counts = {c: sum(bool(getattr(ln.person, MOODLE_FIELD[c])) for ln in lines) for c in order}
    for column in order:
        if counts[column] == len(lines):
            return column
    return max(order, key=lambda c: counts[c])


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8-sig", newline="")
    os.replace(tmp, path)


def write(platform: str, lines: list[Line], out: Path, column: str, points: float) -> None:
    """The LMS's import file: Canvas's gradebook columns, or Moodle's user columns and the
    grade column. Text cells are guarded against spreadsheet formulas."""
    if platform == "canvas":
        rows = [CANVAS_COLUMNS + [column], ["    Points Possible", "", "", "", "", fmt(points)]]
        for ln in lines:
            p = ln.person
            rows.append([_cell(x) for x in (p.name, p.lms_id, p.sis_id, p.login, p.section)])
            rows[-1].append(ln.grade)
    elif platform == "moodle":
        rows = [MOODLE_COLUMNS + [column]]
        for ln in lines:
            p = ln.person
            rows.append([_cell(x) for x in (p.name, p.sis_id, p.login, p.email)] + [ln.grade])
    else:
        raise ValueError(f"unknown platform {platform!r}")
    _write(Path(out), _csv_text(rows))


def sidecar(out: Path) -> Path:
    return Path(str(out) + ".unmatched.csv")


def write_unmatched(path: Path, unmatched: list[tuple[Graded, str]], points: float) -> None:
    rows = [
        [
            "student_id",
            "name",
            "email",
            "lms_user_id",
            "reason",
            "grade",
            "score",
            "max_score",
            "late_penalty",
            "needs_manual_grade",
        ]
    ]
    for s, reason in unmatched:
        rows.append(
            [_cell(x) for x in (s.student_id, s.name, s.email, s.lms_user_id, reason)]
            + [scaled(s, points), fmt(s.score), fmt(s.max_score), fmt(s.penalty)]
            + ["yes" if s.needs_manual_grade else "no"]
        )
    _write(path, _csv_text(rows))


def _who(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _plural(n: int) -> str:
    return f"{n} student" + ("" if n == 1 else "s")


def _display(line: Line) -> str:
    s = line.student
    return (s.name if s is not None else "") or line.person.name or line.person.student_id


def report(p: Plan, out: Path) -> str:
    graded = [ln for ln in p.lines if ln.grade]
    lines = [
        f"wrote {out}: {len(graded)} grades in column {p.column!r}, out of {fmt(p.points)} points"
    ]
    if p.platform == "canvas":
        lines.append(
            "  Canvas: Grades > Import, choose this file; a column named 'Title (12345)' "
            "updates assignment 12345, another name creates an assignment"
        )
    else:
        lines.append(
            f"  Moodle: Grades > Import > CSV file; Identify user by: map from "
            f"'{p.identifier}' to '{p.identifier}'; Grade item mappings: '{p.column}' to "
            f"the lab's grade item (maximum grade {fmt(p.points)})"
        )
        if p.identifier == "ID number" and not p.roster:
            lines.append(
                "  (the ID number column holds the gradebook's student ids: map it only if "
                "they are Moodle ID numbers; else pass --roster with Moodle's grade export)"
            )
    if p.no_submission:
        names = [_display(ln) for ln in p.no_submission]
        empty = "empty cell, not 0" + (
            "; Moodle clears a grade given there" if p.platform == "moodle" else ""
        )
        lines.append(f"no submission ({empty}): {_plural(len(names))}: {_who(names)}")
    if p.no_identifier:
        names = [_display(ln) for ln in p.no_identifier]
        lines.append(
            f"left out, no {p.identifier} (and no submission): {_plural(len(names))}: {_who(names)}"
        )
    if p.unmatched:
        by_reason: dict[str, list[Graded]] = {}
        for s, reason in p.unmatched:
            by_reason.setdefault(reason, []).append(s)
        for reason, studs in by_reason.items():
            names = [f"{s.student_id} ({scaled(s, p.points)})" for s in studs]
            lines.append(f"{reason}: {_plural(len(studs))}, in {sidecar(out)}: {_who(names)}")
    if p.manual:
        names = [s.student_id for s in p.manual]
        lines.append(
            f"needs manual grading in formgrader: {_plural(len(names))}: {_who(names)} "
            "(their scores may change: export again after grading)"
        )
    return "\n".join(lines)


def upload(p: Plan, url: str, course_id: str, assignment_id: str, token: str) -> str:
    """Post the plan's grades to a Canvas assignment with canvasapi's
    ``submissions_bulk_update`` (one job for all). Only rows with a grade and a Canvas user
    id are sent: an empty grade is never posted."""
    try:
        from canvasapi import Canvas
        from canvasapi.exceptions import CanvasException
    except ImportError:
        raise ExportError(
            "--upload needs the canvasapi library: pip install canvasapi "
            "(or write the CSV without --upload and import it in Canvas)"
        ) from None
    import requests

    grade_data = {
        ln.person.lms_id: {"posted_grade": ln.grade}
        for ln in p.lines
        if ln.grade and ln.person.lms_id
    }
    no_id = [
        ln.person.name or ln.person.student_id
        for ln in p.lines
        if ln.grade and not ln.person.lms_id
    ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # canvasapi warns of http:// URLs
            canvas = Canvas(url, token)
        assignment = canvas.get_course(course_id).get_assignment(assignment_id)
        possible = getattr(assignment, "points_possible", None)
        if possible is not None and abs(float(possible) - p.points) > 1e-9:
            raise ExportError(
                f"Canvas assignment {assignment_id} is worth {fmt(float(possible))} points; "
                f"the grades are out of {fmt(p.points)}: pass --points {fmt(float(possible))}"
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
        text += f"\nnot uploaded, no Canvas user id: {_plural(len(no_id))}: {_who(no_id)}"
    return text


def cmd_export(args) -> int:
    from autograder.course import Course

    def fail(message: str) -> int:
        print(f"autograder export: {message}", file=sys.stderr)
        return 2

    if args.roster_id and not args.roster:
        return fail("--roster-id names a column of --roster FILE: give the roster too")
    token = ""
    if args.upload:
        if args.to != "canvas":
            return fail("--upload posts to Canvas only: use --to canvas, or import the CSV")
        missing = [
            o
            for o, v in (
                ("--canvas-url", args.canvas_url),
                ("--canvas-course", args.canvas_course),
                ("--canvas-assignment", args.canvas_assignment),
            )
            if not v
        ]
        if missing:
            return fail(f"--upload needs {', '.join(missing)}")
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            return fail(
                f"--upload reads the Canvas API token from ${TOKEN_VARIABLE}: create one in "
                "Canvas (Account > Settings > New Access Token) and export it"
            )
    try:
        roster = Roster.read(Path(args.roster), args.roster_id) if args.roster else None
    except RosterError as e:
        return fail(str(e))
    if roster is not None and roster.platform != args.to:
        return fail(f"--roster {args.roster} is a {roster.platform} roster, but --to {args.to}")
    course = Course.find(args.course)
    try:
        students, max_score = read_gradebook(course.db_url, args.lab)
    except ExportError as e:
        return fail(str(e))
    column = args.column or args.lab
    p = plan(args.to, students, max_score, roster, args.points, column, args.roster_id)
    out = (
        Path(args.out)
        if args.out
        else course.root / "graded" / args.lab / f"{args.lab}-{args.to}.csv"
    )
    write(args.to, p.lines, out, column, p.points)
    side = sidecar(out)
    if p.unmatched:
        write_unmatched(side, p.unmatched, p.points)
    elif side.exists():
        side.unlink()  # from an earlier export: it no longer holds anyone
    print(report(p, out))
    if args.upload:
        try:
            print(upload(p, args.canvas_url, args.canvas_course, args.canvas_assignment, token))
        except ExportError as e:
            return fail(str(e))
    return 0


def _points(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of points")
    return value


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="a lab's grades from the gradebook as a CSV for Canvas or Moodle (or to Canvas)",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("lab", help="the lab (assignment) in the gradebook")
    p.add_argument("--to", required=True, choices=PLATFORMS, help="the LMS to import into")
    p.add_argument("--course", type=Path, help="the course folder (default: found from here)")
    p.add_argument("--roster", type=Path, help="the LMS's own export of the class (CSV)")
    p.add_argument(
        "--roster-id",
        metavar="COLUMN",
        help="the roster column holding the course's student ids (default: SIS Login ID, "
        "SIS User ID, ID for Canvas; ID number, Username, Email address for Moodle)",
    )
    p.add_argument(
        "--points", type=_points, help="the LMS assignment's maximum (default: the lab's points)"
    )
    p.add_argument(
        "--column",
        help="the grade column's header (default: the lab id; Canvas: 'Lab 2 (12345)' "
        "updates assignment 12345)",
    )
    p.add_argument("--out", type=Path, help="default: graded/<lab>/<lab>-<lms>.csv in the course")
    p.add_argument(
        "--upload",
        action="store_true",
        help=f"also post the grades to Canvas (token in ${TOKEN_VARIABLE}; needs canvasapi)",
    )
    p.add_argument("--canvas-url", help="e.g. https://school.instructure.com")
    p.add_argument("--canvas-course", help="the Canvas course id (from its URL)")
    p.add_argument("--canvas-assignment", help="the Canvas assignment id (from its URL)")
    p.set_defaults(func=cmd_export)


def main_for_tests(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="autograder")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


__all__ = ["register", "cmd_export", "plan", "write", "read_gradebook", "upload", "main_for_tests"]
