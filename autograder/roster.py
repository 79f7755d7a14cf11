"""A class list as the course's LMS exports it (``--roster FILE``): who is who.

Read, as the instructor downloads them (UTF-8, with or without a byte-order mark; the
delimiter is sniffed from the header, else a comma):

- Canvas, Grades > Export: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignments>``
  (``LastName, FirstName, ID, ...`` when the course shows split names). Student is
  "Last, First"; ID is the Canvas user id, the number in the file names of Canvas's
  submission download. The row whose Student cell is "Points Possible" (Canvas indents it),
  a row of "Muted" / "Manual Posting" marks and the test student ("Student, Test") are no
  one's. A grades CSV is imported by the same columns (Canvas's GradebookImporter).
- Moodle, Grades > Export > Plain text file: ``First name, Last name, ID number,
  Institution, Department, Email address, <grade items>`` (the site's
  ``grade_export_userprofilefields``; "Username" when the site adds it).
- Moodle, an assignment's Download grading worksheet: ``Identifier, Full name, Email
  address, Status, Grade, ...``; Identifier is "Participant 123456", and 123456 is the
  participant id of the folders of Moodle's submission download
  (``Full Name_123456_assignsubmission_file_``). It is not the Moodle user id.

A person's ``student_id`` (the course's id for them) is the column ``--roster-id`` names,
or else the first non-empty of: Canvas SIS Login ID, SIS User ID, ID; Moodle ID number,
Username, Email address, participant id. Ids are kept as the LMS wrote them (stripped).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

CANVAS_IDS = ("SIS Login ID", "SIS User ID", "ID")
MOODLE_IDS = ("ID number", "Username", "Email address")
_PARTICIPANT = re.compile(r"(\d+)\s*$")
_CANVAS_MARKS = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.IGNORECASE)
#: Latin letters that NFKD keeps whole (no accent to strip), as people type them in ASCII.
_PLAIN = str.maketrans(
    {"ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


@dataclass(frozen=True)
class Person:
    student_id: str  # the course's id for this person
    name: str  # display name, "First Last" ("" if unknown)
    lms_id: str = ""  # Canvas user ID, or Moodle participant id (from "Participant 123456")
    email: str = ""
    sis_id: str = ""  # Canvas "SIS User ID" / Moodle "ID number"
    login: str = ""  # Canvas "SIS Login ID" / Moodle "Username" if present
    section: str = ""


class RosterError(ValueError):
    """The roster cannot be used as given: the message says what to do."""


def _words(text: str) -> list[str]:
    """Lower-case words of ``text`` without accents or punctuation ("Núñez, José" ->
    ["nunez", "jose"]; "Łukasz" -> ["lukasz"])."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", plain.casefold().translate(_PLAIN))


def _name_keys(name: str) -> set[str]:
    """Every spelling of ``name`` without spaces, in any order of its words."""
    words = _words(name)
    if not words:
        return set()
    if len(words) > 5:  # 720+ orders: the given one, reversed and sorted are enough
        return {"".join(words), "".join(reversed(words)), "".join(sorted(words))}
    return {"".join(p) for p in itertools.permutations(words)}


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
            f"--roster {path}: it is not UTF-8 text; download it from the LMS again (Moodle: "
            "encoding UTF-8), or save it from a spreadsheet as 'CSV UTF-8'"
        ) from None


def _delimiter(header_line: str) -> str:
    if not any(d in header_line for d in ";\t"):
        return ","
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _canvas_name(student: str) -> str:
    last, comma, first = student.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if comma else student.strip()


@dataclass
class Roster:
    platform: str  # "canvas" or "moodle"
    people: list[Person]
    _by_lms: dict = field(default_factory=dict, repr=False, compare=False)
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)
    _keys: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        for p in self.people:
            if p.lms_id:
                self._by_lms.setdefault(p.lms_id, p)
            if p.student_id:
                self._by_id.setdefault(p.student_id, p)
        self._keys = [(_name_keys(p.name), p) for p in self.people]

    @classmethod
    def read(cls, path: Path, id_column: str | None = None) -> Roster:
        text = _decode(path)
        first_line = text.lstrip("\ufeff").split("\n", 1)[0]
        rows = list(csv.reader(io.StringIO(text), delimiter=_delimiter(first_line)))
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            raise RosterError(f"--roster {path}: the file is empty")
        header = [c.strip().lstrip("\ufeff").strip() for c in rows[0]]
        folded = {h.casefold(): i for i, h in reversed(list(enumerate(header)))}

        def col(name: str) -> int | None:
            return folded.get(name.casefold())

        if col("ID") is not None and (
            header[0].casefold() == "student"
            or (col("LastName") is not None and col("FirstName") is not None)
        ):
            platform = "canvas"
        elif (col("First name") is not None and col("Last name") is not None) or (
            col("Identifier") is not None and col("Full name") is not None
        ):
            platform = "moodle"
        else:
            raise RosterError(
                f"--roster {path}: not a roster this tool reads (its columns: "
                f"{', '.join(header[:8])}...). Give Canvas's Grades > Export CSV (Student, ID, "
                "SIS User ID, SIS Login ID, Section, ...), Moodle's Grades > Export > Plain "
                "text file (First name, Last name, ID number, ..., Email address) or a Moodle "
                "assignment's grading worksheet (Identifier, Full name, Email address, ...), "
                "exported in English"
            )
        id_index = None
        if id_column is not None:
            id_index = header.index(id_column.strip()) if id_column.strip() in header else None
            id_index = col(id_column.strip()) if id_index is None else id_index
            if id_index is None:
                raise RosterError(
                    f"--roster-id {id_column!r}: {path} has no such column; its columns are "
                    f"{', '.join(repr(h) for h in header if h)}"
                )

        people = []
        for row in rows[1:]:

            def get(name: str, row=row) -> str:
                i = col(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            if platform == "canvas":
                if "Points Possible" in (row[0] if row else ""):
                    continue
                if all(_CANVAS_MARKS.match(c) for c in row):
                    continue
                if col("Student") is not None:
                    if get("Student") == "Student, Test":
                        continue
                    name = _canvas_name(get("Student"))
                else:
                    name = f"{get('FirstName')} {get('LastName')}".strip()
                    if name == "Test Student":
                        continue
                found = {"ID": get("ID"), "SIS User ID": get("SIS User ID")}
                found["SIS Login ID"] = get("SIS Login ID")
                default = next((found[c] for c in CANVAS_IDS if found[c]), "")
                person = dict(
                    name=name,
                    lms_id=found["ID"],
                    sis_id=found["SIS User ID"],
                    login=found["SIS Login ID"],
                    section=get("Section"),
                    email=get("Email"),
                )
            else:
                participant = _PARTICIPANT.search(get("Identifier"))
                name = get("Full name") or f"{get('First name')} {get('Last name')}".strip()
                found = {c: get(c) for c in MOODLE_IDS}
                lms_id = participant.group(1) if participant else ""
                default = next((found[c] for c in MOODLE_IDS if found[c]), lms_id)
                person = dict(
                    name=name,
                    lms_id=lms_id,
                    email=found["Email address"],
                    sis_id=found["ID number"],
                    login=found["Username"],
                    section=get("Group") or get("Groups"),
                )
            if id_index is not None:
                default = row[id_index].strip() if id_index < len(row) else ""
            if not (default or person["name"] or person["lms_id"]):
                continue
            people.append(Person(student_id=default, **person))

        seen: dict[str, Person] = {}
        for p in people:
            if p.student_id and p.student_id in seen:
                other = seen[p.student_id]
                raise RosterError(
                    f"--roster {path}: {other.name or '?'} and {p.name or '?'} have the same id "
                    f"{p.student_id!r}; name a column of unique ids with --roster-id"
                )
            seen[p.student_id] = p
        return cls(platform, people)

    def by_lms_id(self, lms_id: str) -> Person | None:
        return self._by_lms.get(str(lms_id).strip()) if lms_id else None

    def by_student_id(self, student_id: str) -> Person | None:
        return self._by_id.get(str(student_id).strip()) if student_id else None

    def by_name(self, name: str) -> Person | None:
        """The one person whose name is ``name`` up to case, accents, punctuation, spaces
        and the order of words ("smithjohn" is "Smith, John"); None if none or several."""
        key = "".join(_words(name))
        if not key:
            return None
        found = [p for keys, p in self._keys if key in keys]
        return found[0] if len(found) == 1 else None


__all__ = ["Person", "Roster", "RosterError"]
