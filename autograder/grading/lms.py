"""Part of intake: who handed a file in, read from the names LMS downloads give files.

- Canvas's bulk download ("Download Submissions") names each file
  ``<lastfirst>[_LATE]_<user id>_<attachment id>_<the student's file name>``; when a student
  hands in a file of the same name again, Canvas adds ``-1``, ``-2``... before its suffix.
- Moodle's download ("Download all submissions") puts each participant's files in a folder
  ``<Full Name>_<participant id>_assignsubmission_file_/``, or, without folders, prefixes each
  file name with it.
- Anything else is this tool's own layouts: ``<id>.ipynb`` at the top, or a folder ``<id>/``
  (nbgrader's ``<id>/<lab>/<lab>.ipynb`` included).

A person's student id is the LMS's user id by default, or the course's id for them from a
roster (``autograder.roster``), found by that LMS id, else by name; the name is kept for
display. An id must be one nbgrader and a file system can use: letters (any script), digits,
``_ . @ -``, up to 64, starting with a letter or digit, in Unicode's composed form (NFC: a
zip made on macOS decomposes é into two characters). Spaces become ``_``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CANVAS = re.compile(
    r"^(?P<name>[^_/]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>[^/]+)$"
)
MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$"
)
RESUBMITTED = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<suffix>\.[^.]+)$")


@dataclass(frozen=True)
class Owner:
    """Whose a file is, and the name the student gave it."""

    key: str  # what groups one person's files
    student_id: str  # "" when none can be read
    handed: str  # the file's own name, without the LMS's additions
    name: str = ""  # for display
    lms_id: str = ""
    platform: str = ""  # "canvas", "moodle" or ""
    late: bool = False  # the LMS marked it late
    resubmission: int = 0  # Canvas's -N
    notes: tuple[str, ...] = field(default=())


def safe_id(text: str) -> tuple[str, str]:
    """``(id, note)``: ``text`` as a student id ("" if it cannot be one) and what was
    changed to make it one."""
    composed = unicodedata.normalize("NFC", text)
    candidate = composed.replace(" ", "_")
    ok = (
        0 < len(candidate) <= 64
        and candidate[0].isalnum()
        and all(ch.isalnum() or ch in "_.@-" for ch in candidate)
    )
    if not ok:
        return "", ""
    # recomposing (NFC) keeps the name nbgrader shows; replacing spaces is worth a note
    note = "" if candidate == composed else f"student id {candidate!r} from {text!r}"
    return candidate, note


def _resubmission(handed: str, notebooks: tuple[str, ...]) -> tuple[str, int]:
    match = RESUBMITTED.match(handed)
    if match and f"{match['stem']}{match['suffix']}".lower() in {f"{n}.ipynb" for n in notebooks}:
        return f"{match['stem']}{match['suffix']}", int(match["n"])
    return handed, 0


def owner(rel: str, notebooks: tuple[str, ...] = (), roster=None) -> Owner:
    """The owner of the file at ``rel`` (a POSIX path inside the submissions)."""
    parts = rel.split("/")
    first, handed = parts[0], parts[-1]
    canvas = CANVAS.match(first) if len(parts) == 1 else None
    moodle = MOODLE.match(first)
    if canvas:
        handed, again = _resubmission(canvas["file"], notebooks)
        return _lms(
            "canvas",
            canvas["user"],
            canvas["name"],
            handed,
            roster,
            late=bool(canvas["late"]),
            resubmission=again,
        )
    if moodle:
        handed = moodle["file"] if len(parts) == 1 else handed
        return _lms("moodle", moodle["user"], moodle["name"], handed, roster)
    group = first
    if len(parts) == 1 and "." in first[1:]:  # a file at the top: its name without suffix
        group = first.rsplit(".", 1)[0]
    student, note = safe_id(group)
    person = roster.by_student_id(student) if roster is not None and student else None
    return Owner(
        group,
        student,
        handed,
        name=person.name if person else "",
        lms_id=person.lms_id if person else "",
        notes=(note,) if note else (),
    )


def _lms(platform, lms_id, name, handed, roster, *, late=False, resubmission=0) -> Owner:
    shown = {"canvas": "Canvas", "moodle": "Moodle"}[platform]
    notes: list[str] = []
    person = None
    if roster is not None:
        person = roster.by_lms_id(lms_id) or roster.by_name(name)
        if person is None:
            notes.append(f"{shown} user {lms_id} ({name}) is not in the roster: graded as {lms_id}")
    student = person.student_id if person else lms_id
    sid, note = safe_id(student)
    if note:
        notes.append(note)
    return Owner(
        f"{platform}:{sid or student}",
        sid,
        handed,
        name=(person.name if person and person.name else name),
        lms_id=lms_id,
        platform=platform,
        late=late,
        resubmission=resubmission,
        notes=tuple(notes),
    )


__all__ = ["Owner", "owner", "safe_id", "CANVAS", "MOODLE"]
