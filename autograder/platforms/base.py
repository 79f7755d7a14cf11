"""What every platform module implements, and the records they all share.

A platform is where submissions come from and where grades go back to. Each one is a module of
this package that holds a single ``Platform`` instance named ``PLATFORM``. The interface follows
nbgrader's own plugin seams: ``FileNameCollectorPlugin.collect`` reads the owner of a file from its
name, and ``ExportPlugin.export`` writes grades out. A platform implements:

- ``owner(rel, tree)``: who handed in the file at ``rel``, when, and which attempt it is, read from
  the name the platform gave the file and from the platform's own files beside it. Returns a
  ``Handed``, or None when the name is not this platform's.
- ``resembles(rel)``: whether the name looks like one of this platform's downloads even when
  ``owner`` cannot read it. A file that no platform reads but one resembles never makes a student.
- ``roster(table, id_column)``: the people in the platform's own export of the class, or None when
  the table is not such an export.
- ``targets`` and ``write(target, lines, out, how)``: the platform's grade import files.
  ``lines`` always carry a grade. Writers never receive an empty grade, because every platform but
  one reads an empty cell as "clear this grade".
- ``upload(lines, options)``: post the grades through the platform's API, where it has one.

A ``Person`` describes one person the whole way through: at intake, in a roster, in the gradebook
and in an export.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import os
import stat
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder import notebooks
from autograder.errors import UsageError
from autograder.text import inert, spreadsheet_cell

#: The most bytes a platform reads of its own metadata file (timestamp.txt, a receipt, a YAML).
METADATA_BYTES = 4 << 20


class RosterError(UsageError):
    """The roster cannot be used as given. The message says what to do."""


class ExportError(Exception):
    """The grades cannot be exported as asked. The message says what to do."""


@dataclass(frozen=True)
class Person:
    """One person of the class, as a platform, a roster or the gradebook knows them."""

    student_id: str = ""  # the course's id for them, or their platform id where no roster maps it
    name: str = ""  # for display, "First Last"
    platform: str = ""  # whose user id ``user_id`` is: a platform's ``name``
    user_id: str = ""  # the platform's id (Canvas user id, Moodle participant id, ...)
    email: str = ""
    sis_id: str = ""  # Canvas SIS User ID, Moodle ID number, Brightspace OrgDefinedId, ...
    login: str = ""  # Canvas SIS Login ID, Moodle or Blackboard username, ...
    section: str = ""
    #: columns a platform's import file needs back from its roster, e.g. Moodle's worksheet
    #: "Last modified (grade)", as (column, value) pairs
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, column: str) -> str:
        return dict(self.extra).get(column, "")

    def id_on(self, platform: str) -> str:
        """The person's user id on ``platform``: "" when it is another platform's (an id whose
        platform is not known, such as one a course imported with ``nbgrader db student
        import``, is taken as given)."""
        return self.user_id if self.platform in (platform, "") else ""


@dataclass(frozen=True)
class Handed:
    """What a platform's download says of one file: who handed it in, when, and which attempt.

    ``person.student_id`` is the person's id when no roster maps them, or "" when the name gives no
    one (``problem`` then says why). ``unit`` is the handed-in submission the file belongs to: its
    files share one time and one attempt. Files with ``role`` "metadata" belong to the platform
    (nbgrader's timestamp.txt, a receipt, an index page) and join the row of their unit's
    notebook.
    """

    person: Person
    file: str  # the student's own name for the file, without the platform's additions
    unit: str = ""
    #: how many characters at the start of the path the platform's naming wrote; the rest is
    #: the student's (what decides between two platforms that both read a name)
    prefix: int = 0
    named: str = ""  # the text the student id was read from, as it was written
    time: datetime.datetime | None = None  # when the platform recorded it, in UTC
    time_from: str = ""  # where that time was read, for the row's reason
    late: bool = False  # the platform marked it late without saying when (Canvas's LATE)
    attempt: tuple = ()  # orders one person's attempts on one platform: a later one is larger
    order: tuple = ()  # orders uploads of one attempt (Canvas's attachment id): later is larger
    attempt_name: str = ""  # the attempt, as a person would call it
    assignment: str = ""  # nbgrader's layout <id>/<assignment>/...: the assignment folder
    members: tuple[Person, ...] = ()  # everyone the submission counts for, if a group's
    #: other people the name can be read as, for the roster to decide (``identity.settle``)
    others: tuple[Person, ...] = ()
    group: str = ""  # the group's name
    problem: str = ""  # why the file cannot count (no one to credit, an unreadable time)
    role: str = "file"  # "file" or "metadata"
    makes_student: bool = True  # False for a stray file whose name alone proves no one handed in
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grade:
    """A lab's grade in the gradebook, as nbgrader computes it."""

    raw: float  # points before the late penalty
    penalty: float = 0.0
    max_score: float = 0.0
    needs_manual_grade: bool = False

    @property
    def score(self) -> float:
        """nbgrader's score: points less the late penalty, never below 0."""
        return max(0.0, self.raw - self.penalty)


@dataclass(frozen=True)
class Line:
    """One row of an import file: a person and the grade text the platform reads."""

    person: Person
    grade: str  # never empty
    graded: Grade | None = None


@dataclass(frozen=True)
class Export:
    """How an import file is to be written: the grade column's header, the points the grades
    are out of, and the roster column ``--roster-id`` named, if any."""

    column: str
    points: float
    id_column: str | None = None
    roster: bool = False  # the people are a roster's (else the gradebook's)


@dataclass
class Written:
    """What a platform's writer did: the rows written, the ones it had to leave out (person,
    grade, why), and what to do in the platform to import the file."""

    path: Path
    lines: list[Line] = field(default_factory=list)
    left_out: list[tuple[Line, str]] = field(default_factory=list)
    howto: list[str] = field(default_factory=list)


@dataclass
class Tree:
    """The submissions as a platform reads them: every entry by relative POSIX path (zip
    entries that could not be extracted included, with no file behind them)."""

    root: Path
    files: tuple[str, ...]
    lab: str
    notebooks: tuple[str, ...]
    #: whether ``<id>/<lab>/`` folders are nbgrader's exchange's (False for a zip a student
    #: made of their own folder, whose timestamp.txt is theirs)
    exchange: bool = True
    #: the values of the platforms' own ``grade`` options (``Platform.arguments``), by dest
    options: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, repr=False)

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(self.files)

    def read(self, rel: str, limit: int = METADATA_BYTES) -> bytes | None:
        """A regular file's bytes (never through a link), or None if it is not one or is
        larger than ``limit``."""
        path = self.root / rel
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            return fh.read(limit + 1)

    def memo(self, key: str, make: Callable[[], object]) -> object:
        """``make()``, once per tree: a platform's metadata read once for all its files."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


@dataclass
class Table:
    """A CSV file as read: its header and rows, with columns found by name up to case."""

    path: Path
    header: list[str]
    rows: list[list[str]]

    def index(self, name: str) -> int | None:
        wanted = name.casefold()
        return next((i for i, h in enumerate(self.header) if h.casefold() == wanted), None)

    def has(self, *names: str) -> bool:
        return all(self.index(n) is not None for n in names)

    def get(self, row: list[str], name: str) -> str:
        i = self.index(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def chosen(self, row: list[str], id_column: str | None, default: str) -> str:
        """The id in ``id_column`` (``--roster-id``) if one was named, else ``default``."""
        if id_column is None:
            return default
        return self.get(row, id_column)

    def require(self, id_column: str | None) -> None:
        if id_column is not None and self.index(id_column.strip()) is None:
            columns = ", ".join(repr(h) for h in self.header if h)
            raise RosterError(
                f"--roster-id {id_column!r}: {self.path} has no such column; its columns "
                f"are {columns}"
            )


class Platform:
    """The interface every platform module implements (see the module's docstring)."""

    #: the name on the command line (``--to NAME``), in rows and in the gradebook
    name = ""
    #: the name a person knows it by
    title = ""
    #: where its file names and formats were read: the platform's own source or documentation
    source = ""
    #: the class exports ``roster`` reads, as a person would ask for them
    roster_help = ""
    #: its grade import files, by target name (``--to``): what each one is
    targets: dict[str, str] = {}
    #: read the names of any folder (nbgrader's exchange and this tool's layouts): asked last
    fallback = False
    #: options of ``grade`` this platform reads from ``Tree.options``: flag -> help
    arguments: dict[str, str] = {}
    #: what the platform calls the person behind a user id
    user = "user"
    #: its user ids are the course's own student ids (nbgrader's exchange)
    course_ids = False
    #: options of ``export --upload``, for the platforms with an API: flag -> help; and the
    #: environment variable that holds the API's token
    upload_arguments: dict[str, str] = {}
    token_variable = ""

    def owner(self, rel: str, tree: Tree) -> Handed | None:
        """Who handed in ``rel``, when, and which attempt; None if the name is not this
        platform's."""
        raise NotImplementedError

    def resembles(self, rel: str) -> bool:
        """Whether ``rel`` looks like this platform's download even if ``owner`` cannot read
        it."""
        raise NotImplementedError

    def roster(self, table: Table, id_column: str | None) -> list[Person] | None:
        """The people of the platform's class export, or None if ``table`` is not one.
        ``id_column`` (``--roster-id``) names the column holding the course's ids."""
        raise NotImplementedError

    def write(self, target: str, lines: Sequence[Line], out: Path, how: Export) -> Written:
        """Write ``target``'s import file at ``out``: one row per line (each has a grade),
        leaving out, with the reason, the lines the platform could not place."""
        raise NotImplementedError

    def lms_user_id(self, user_id: str) -> str:
        """A user id as the gradebook's ``lms_user_id`` keeps it: ``<platform>:<id>``, so that
        no export takes one platform's id for another's ("" for none)."""
        if not user_id or self.course_ids:
            return ""
        return f"{self.name}:{user_id}"

    def upload(self, lines: Sequence[Line], options: dict[str, str], points: float) -> str:
        """Post the grades with the platform's API; returns what was done. ``options``: the
        values of ``upload_arguments`` by dest, and ``token``."""
        raise ExportError(
            f"{self.title} has no API this tool posts grades to: import the file instead"
        )


def _decode(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise RosterError(f"--roster {path}: cannot read it ({e.strerror or e})") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(
            f"--roster {path}: it is not UTF-8 text; download it from the platform again "
            "(Moodle: encoding UTF-8), or save it from a spreadsheet as 'CSV UTF-8'"
        ) from None


def read_table(path: Path) -> Table:
    """A CSV or tab-separated export, delimiter sniffed from its header line."""
    text = _decode(path)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ","
    if any(d in first_line for d in ";\t"):
        try:
            delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
        except csv.Error:
            pass
    rows = [
        r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)
    ]
    if not rows:
        raise RosterError(f"--roster {path}: the file is empty")
    header = [c.strip().lstrip("\ufeff").strip() for c in rows[0]]
    return Table(Path(path), header, rows[1:])


def safe_id(text: str) -> tuple[str, str]:
    """``(id, note)``: ``text`` as a student id, or "" if it cannot be one, and what was
    changed to make it one.

    An id is what nbgrader and a file system can both use: letters in any script, digits,
    ``_ . @ -``, at most 64 characters, starting with a letter or a digit. It is in Unicode's
    compatibility form NFKC, so a zip made on macOS, which decomposes é into two characters,
    gives the same id, and so do full-width letters and ligatures. Spaces become ``_``.
    """
    composed = unicodedata.normalize("NFC", text)
    compatible = unicodedata.normalize("NFKC", text)
    candidate = compatible.replace(" ", "_")
    ok = (
        0 < len(candidate) <= 64
        and candidate[0].isalnum()
        and all(ch.isalnum() or ch in "_.@-" for ch in candidate)
    )
    if not ok:
        return "", ""
    # recomposing alone keeps the name nbgrader shows; anything more is worth a note
    note = "" if candidate == composed else f"student id {candidate!r} from {text!r}"
    return candidate, note


def fmt(x: float) -> str:
    """A grade as the platforms read it: at most 2 decimals, a point, no trailing zeros."""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",", quote_all: bool = False) -> str:
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    inert_rows = ([inert(v) if isinstance(v, str) else v for v in row] for row in rows)
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerows(inert_rows)  # every cell, headers too: no control reaches a reader
    return buf.getvalue()


def write_file(path: Path, text: str, encoding: str = "utf-8-sig") -> None:
    """``text`` at ``path``, replaced in one step. UTF-8 with a byte-order mark by default,
    which the importers accept and which makes Excel read accents right."""
    notebooks.write_atomic(path, text, encoding=encoding, newline="")


def cells(*values: str) -> list[str]:
    """Text from a roster or a platform, for a CSV a spreadsheet may open."""
    return [spreadsheet_cell(v) for v in values]


#: The ``grade`` option of the platforms whose names hold a local time with no zone.
TIMEZONE = {
    "--timezone": "the time zone of the local times in Blackboard's and Brightspace's file "
    "names, e.g. America/New_York (default: the course's c.Exchange.timezone, if it sets one)"
}


def local_time(
    wall: datetime.datetime | None, text: str, tree: Tree, platform: str, hint: str = ""
) -> tuple[datetime.datetime | None, str]:
    """``(time in UTC, problem)`` for the local wall-clock time ``wall`` that a platform's file
    name gives as ``text``, in the zone of ``--timezone``."""
    if wall is None:
        return None, f"the time {text!r} in {platform}'s name cannot be read"
    zone = tree.options.get("timezone")
    if zone is None:
        return None, (
            f"the time in {platform}'s name ({text}) is a local time with no zone{hint}, so it "
            "cannot tell whether the file was late: pass --timezone with the zone of the "
            f"{platform} server (e.g. --timezone America/New_York), or set c.Exchange.timezone "
            "in nbgrader_config.py, and grade again"
        )
    try:
        return utc(wall.replace(tzinfo=zone)), ""
    except (OverflowError, ValueError):
        return None, f"the time {text!r} in {platform}'s name is out of range"


def zone_name(tree: Tree) -> str:
    return getattr(tree.options.get("timezone"), "key", "")


def utc(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` in UTC; a naive one is taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


__all__ = [
    "Person",
    "Handed",
    "Grade",
    "Line",
    "Written",
    "Export",
    "Tree",
    "Table",
    "Platform",
    "RosterError",
    "ExportError",
    "safe_id",
    "fmt",
    "csv_text",
    "write_file",
    "cells",
    "utc",
    "local_time",
    "zone_name",
    "TIMEZONE",
    "read_table",
]
