"""``autograder export LAB --to TARGET``: a lab's grades from the course's nbgrader gradebook, as
the file a platform imports, or posted with its API (Canvas, ``--upload``). Each platform's
module in ``autograder.platforms`` says what its importer reads, and where that was read.

- The grades are the gradebook's: a submission's points less its late penalty, never below 0,
  as ``nbgrader export`` computes them, scaled to ``--points`` and rounded to 2 decimals. After
  ``grade``, they are exactly the counted rows of its grades.csv.
- The file holds one row for each person with a grade and no one else. Canvas and Moodle read an
  empty cell as "remove this grade", and the other importers do not say what they do with one, so
  an export never clears a grade already in the platform. Everyone left out is listed beside the
  file, in ``<out>.left-out.csv``, with the reason: a roster person without a grade, a graded
  student the roster lacks, a person the platform could not place.
- The people are the roster's (``--roster``, the platform's own export of the class), or else
  the gradebook's students with a submission of the lab. Submissions still to be graded by hand
  in formgrader are listed.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder import platforms
from autograder.platforms.base import (
    Export,
    ExportError,
    Grade,
    Line,
    Person,
    RosterError,
    cells,
    csv_text,
    fmt,
    write_file,
)
from autograder.text import inert


@dataclass
class ExportPlan:
    """What an export writes: the lines with a grade, and everyone left out and why."""

    target: str
    column: str
    points: float
    lines: list[Line]
    left_out: list[tuple[Line, str]] = field(default_factory=list)
    manual: list[Line] = field(default_factory=list)
    roster: bool = False


def scaled(grade: Grade, points: float) -> str:
    if grade.max_score <= 0:
        return fmt(grade.score)
    return fmt(grade.score / grade.max_score * points)


def read_gradebook(db_url: str, lab: str):
    """Every gradebook student with a submission of the lab, as a ``Person`` and their
    ``Grade``; and the lab's points. An ``lms_user_id`` written ``<platform>:<id>`` is that
    platform's id (``Platform.lms_user_id``); one without a known platform is taken as given."""
    from nbgrader.api import MissingEntry

    from autograder.grading.gradebook import open_gradebook

    with open_gradebook(db_url) as gb:
        try:
            max_score = float(gb.find_assignment(lab).max_score or 0.0)
        except MissingEntry:
            labs = ", ".join(a.name for a in gb.assignments) or "none"
            raise ExportError(
                f"the gradebook has no lab {lab!r} (it has: {labs}); grade it first "
                f"(autograder grade {lab} SUBMISSIONS)"
            ) from None
        out = []
        for s in gb.assignment_submissions(lab):
            st = s.student
            first, last = (st.first_name or "").strip(), (st.last_name or "").strip()
            platform, user = _lms_user_id((st.lms_user_id or "").strip())
            person = Person(
                student_id=st.id,
                name=f"{first} {last}".strip(),
                platform=platform,
                user_id=user,
                email=(st.email or "").strip(),
            )
            grade = Grade(
                raw=float(s.score or 0.0),
                penalty=float(s.late_submission_penalty or 0.0),
                max_score=float(s.max_score or max_score),
                needs_manual_grade=bool(s.needs_manual_grade),
            )
            out.append((person, grade))
    return out, max_score


def _lms_user_id(value: str) -> tuple[str, str]:
    """``(platform, id)`` of a gradebook's ``lms_user_id``."""
    name, colon, user = value.partition(":")
    if colon and name in platforms.registry():
        return name, user
    known = [p.name for p in platforms.registry().values() if p.lms_user_id(value) == value]
    return (known[0] if len(known) == 1 else ""), value


def _match(roster, graded: list[tuple[Person, Grade]]):
    """Roster person -> (gradebook person, grade), by the course's id, else by the gradebook's
    platform user id, else by the student id being the platform id (what ``grade`` records
    without a roster). Each roster person takes one student at most. Returns the matches and
    the graded students left."""
    taken: dict[int, tuple[Person, Grade]] = {}
    left = list(graded)
    own = roster.platform
    finders = (
        lambda p: roster.by_student_id(p.student_id),
        lambda p: roster.by_user_id(p.user_id) if p.platform in (own, "") else None,
        lambda p: roster.by_user_id(p.student_id) if p.platform in (own, "") else None,
    )
    for find in finders:
        still = []
        for pg in left:
            found = find(pg[0])
            if found is not None and id(found) not in taken:
                taken[id(found)] = pg
            else:
                still.append(pg)
        left = still
    return taken, left


def plan(
    target: str,
    graded: list[tuple[Person, Grade]],
    max_score: float,
    roster=None,
    points: float | None = None,
    column: str = "",
    id_column: str | None = None,
) -> ExportPlan:
    points = float(points) if points else max_score
    result = ExportPlan(target, column, points, [], roster=roster is not None)
    if roster is None:
        result.lines = [Line(p, scaled(g, points), g) for p, g in graded]
    else:
        taken, left = _match(roster, graded)
        for person in roster.people:
            if id(person) in taken:
                p, g = taken[id(person)]
                # the roster's person, with the id the gradebook recorded on its platform
                mine = replace(person, user_id=person.user_id or p.id_on(person.platform))
                result.lines.append(Line(mine, scaled(g, points), g))
            else:
                reason = "no grade in the gradebook: left out, so the platform keeps what it has"
                result.left_out.append((Line(person, ""), reason))
        result.left_out += [(Line(p, scaled(g, points), g), "not in the roster") for p, g in left]
    result.manual = [Line(p, scaled(g, points), g) for p, g in graded if g.needs_manual_grade]
    return result


def left_out_path(out: Path) -> Path:
    return Path(str(out) + ".left-out.csv")


def write_left_out(path: Path, left_out: list[tuple[Line, str]]) -> None:
    rows = [["student_id", "name", "email", "platform", "user_id", "reason", "grade"]]
    rows += [
        cells(ln.person.student_id, ln.person.name, ln.person.email, ln.person.platform)
        + cells(ln.person.user_id, reason)
        + [ln.grade]
        for ln, reason in left_out
    ]
    write_file(path, csv_text(rows))


def _who(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _plural(n: int) -> str:
    return f"{n} student" + ("" if n == 1 else "s")


def report(p: ExportPlan, written, out: Path) -> str:
    said = [
        f"wrote {out}: {len(written.lines)} grades in column {p.column!r}, out of "
        f"{fmt(p.points)} points",
        *written.howto,
    ]
    by_reason: dict[str, list[str]] = {}
    for ln, reason in p.left_out:
        shown = ln.person.name or ln.person.student_id
        by_reason.setdefault(reason, []).append(f"{shown} ({ln.grade})" if ln.grade else shown)
    for reason, names in by_reason.items():
        said.append(f"left out, {reason}: {_plural(len(names))}: {_who(names)}")
    if p.left_out:
        said.append(f"  (all of them, with their ids: {left_out_path(out)})")
    if p.manual:
        names = [ln.person.student_id for ln in p.manual]
        said.append(
            f"needs manual grading in formgrader: {_plural(len(names))}: {_who(names)} "
            "(their scores may change: export again after grading)"
        )
    return "\n".join(inert(line) for line in said)  # names from a roster or a platform


def cmd_export(args) -> int:
    from autograder.course import Course

    def fail(message: str) -> int:
        print(f"autograder export: {inert(message, indent='  ')}", file=sys.stderr)
        return 2

    platform = platforms.targets()[args.to]
    if args.roster_id and not args.roster:
        return fail("--roster-id names a column of --roster FILE: give the roster too")
    options = {}
    if args.upload:
        uploads = [p.title for p in platforms.registry().values() if p.upload_arguments]
        if not platform.upload_arguments:
            return fail(
                f"--upload posts to {', '.join(uploads)} only: import the file in "
                f"{platform.title} instead"
            )
        options = {
            flag.lstrip("-").replace("-", "_"): getattr(args, flag.lstrip("-").replace("-", "_"))
            for flag in platform.upload_arguments
        }
        missing = [
            flag
            for flag in platform.upload_arguments
            if not options[flag.lstrip("-").replace("-", "_")]
        ]
        if missing:
            return fail(f"--upload needs {', '.join(missing)}")
        options["token"] = os.environ.get(platform.token_variable, "").strip()
        if not options["token"]:
            return fail(
                f"--upload reads the {platform.title} API token from ${platform.token_variable}: "
                "create one in your account's settings and export it"
            )
    try:
        roster = platforms.Roster.read(Path(args.roster), args.roster_id) if args.roster else None
    except RosterError as e:
        return fail(str(e))
    if roster is not None and roster.platform != platform.name:
        return fail(f"--roster {args.roster} is {roster.title}'s, but --to {args.to}")
    course = Course.find(args.course)
    try:
        graded, max_score = read_gradebook(course.db_url, args.lab)
    except ExportError as e:
        return fail(str(e))
    column = args.column or args.lab
    p = plan(args.to, graded, max_score, roster, args.points, column, args.roster_id)
    out = (
        Path(args.out)
        if args.out
        else course.root / "graded" / args.lab / f"{args.lab}-{args.to}.csv"
    )
    how = Export(column, p.points, args.roster_id, roster is not None)
    try:
        written = platform.write(args.to, p.lines, out, how)
    except ExportError as e:
        return fail(str(e))
    p.left_out += written.left_out
    side = left_out_path(out)
    if p.left_out:
        write_left_out(side, p.left_out)
    else:
        side.unlink(missing_ok=True)  # from an earlier export: it no longer holds anyone
    print(report(p, written, out))
    if args.upload:
        try:
            print(inert(platform.upload(written.lines, options, p.points), indent="  "))
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
    targets = platforms.targets()
    p = subparsers.add_parser(
        "export",
        help="a lab's grades from the gradebook as the file a platform imports (or to Canvas)",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("lab", help="the lab (assignment) in the gradebook")
    p.add_argument(
        "--to",
        required=True,
        choices=sorted(targets),
        help="; ".join(f"{t}: {p.targets[t]}" for t, p in sorted(targets.items())),
    )
    p.add_argument("--course", type=Path, help="the course folder (default: found from here)")
    p.add_argument("--roster", type=Path, help="the platform's own export of the class (CSV)")
    p.add_argument(
        "--roster-id",
        metavar="COLUMN",
        help="the roster column holding the course's student ids (default: each platform's, "
        "docs/instructors/platforms/)",
    )
    p.add_argument(
        "--points", type=_points, help="the platform's maximum (default: the lab's points)"
    )
    p.add_argument(
        "--column",
        help="the grade column's header (default: the lab id; Canvas: 'Lab 2 (12345)' updates "
        "assignment 12345; Blackboard: the Grade Center's header, ending '|<column id>')",
    )
    p.add_argument("--out", type=Path, help="default: graded/<lab>/<lab>-<target>.csv")
    uploads = [p for p in platforms.registry().values() if p.upload_arguments]
    p.add_argument(
        "--upload",
        action="store_true",
        help="also post the grades with the platform's API: "
        + "; ".join(f"{u.title} (token in ${u.token_variable})" for u in uploads),
    )
    for platform in uploads:
        for flag, text in platform.upload_arguments.items():
            p.add_argument(flag, help=text)
    p.set_defaults(func=cmd_export)


def main_for_tests(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="autograder")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


__all__ = ["register", "cmd_export", "plan", "read_gradebook", "main_for_tests"]
