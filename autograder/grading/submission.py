"""The record of one submission, which every stage takes and returns, and the row it ends in.

A ``Submission`` starts at intake as one file of the submissions folder: where it came from,
the student it belongs to, whether it is the student's graded file (``counted``), and what
intake found. The stages add to it in turn -- the notebook, the prepared notebook, the
execution, the verdicts, the points -- until ``row()`` turns it into a ``Row``: the line of
``grades.csv``, the entry of ``results.json``, and what the gradebook records.

A stage that finds the submission cannot be graded raises ``SubmissionFault`` (status
``error``, the submission's fault) or ``EnvironmentFault`` (status ``environment``, the
grading machine's); the pipeline writes it on the record as ``stopped``, and the stages that
need a notebook are skipped. Intake stops a record before any stage the same way (a file of
no notebook, another file that counts instead). Flags (``flag``) keep the points but ask a
human to look; notes (``note``) only explain.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from nbformat import NotebookNode

from autograder.platforms.base import Person

if TYPE_CHECKING:  # the run stage's record; the sandbox is not imported to read it
    from autograder.grading.sandbox.kernel import Execution


class Status(StrEnum):
    """What a file's grading ended in (a string: ``grades.csv`` and ``results.json`` say it)."""

    GRADED = "graded"  # graded; nothing for a person to do
    FLAGGED = "flagged"  # graded, but a person should look: tampering, a cell of another lab
    SKIPPED = "skipped"  # not graded: another file counts for the student (the reason names it)
    ERROR = "error"  # cannot be graded, or its own code killed the run: a 0 to grade by hand
    ENVIRONMENT = "environment"  # the grading machine failed: nothing recorded, grade again


STATUSES = tuple(Status)


@dataclass(frozen=True)
class Stopped:
    """Why a record's grading stopped (a fault) or never started (intake's rule): the row's
    status and the start of its reason."""

    status: Status
    reason: str


class SubmissionFault(Exception):
    """The submission cannot be graded, by its own fault; the message says why and what to do."""


class EnvironmentFault(Exception):
    """The grading machine failed on this submission; grading it again may succeed."""


@dataclass(frozen=True)
class HiddenTest:
    """A hidden test as the grader knows it, from the source notebook."""

    grade_id: str
    source: str  # the whole cell, hidden tests included (what nbgrader stores)
    compute: str  # what runs in the kernel: the code up to the expected block
    expected: dict = field(repr=False)
    mistakes: list = field(repr=False)
    title: str = ""
    rtol: float = 0.0
    atol: float = 0.0
    checks: str | None = None  # the name of the cell's list of checks, if it has one


@dataclass
class Prepared:
    """What ``prepare`` replaced: hidden tests and skipped experiments by cell index (the
    latter with their code), and this run's nonce."""

    tests: dict[int, HiddenTest]
    nonce: str
    skipped: dict[int, str] = field(default_factory=dict)


@dataclass
class CellResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str = ""
    hint: str = ""
    by_hand: bool = False  # a cell nbgrader leaves to a person (formgrader): no points here


@dataclass(kw_only=True)
class Row:
    """One file's line: what grades.csv, results.json and the gradebook say of it."""

    file: str  # its path in the submissions folder
    student_id: str  # "" when the file is no one's
    status: str
    reason: str  # ends with ``lateness`` when it has one
    raw_score: float  # the points before the late penalty (``final_score`` is after it)
    max_score: float
    cells: list[CellResult] = field(default_factory=list)
    sha256: str = ""
    seconds: float = 0.0
    sandboxed: bool = True
    counted: bool = True  # this row is the student's grade in the gradebook
    accounts_for: list[str] = field(default_factory=list)  # the platform's files beside it
    key: str = ""  # what must be unchanged for a rerun to keep this row (see ``Submission.key``)
    code: dict[str, list[str]] = field(default_factory=dict)  # answers before each test
    name: str = ""  # the student's name, for display (from the platform or the roster)
    submitted: str = ""  # when it was handed in, as the gradebook records it (UTC)
    seconds_late: float = 0.0  # after the gradebook's due date (and the student's extension)
    late_penalty: float = 0.0  # by the course's nbgrader LateSubmissionPlugin
    notebook: str = ""  # which notebook of the lab
    platform: str = ""  # the platform the file came from (``autograder.platforms``)
    user_id: str = ""  # the student's id on that platform
    time: str = ""  # when the platform says it was handed in (UTC, ISO 8601), "" if it does not
    time_from: str = ""  # where that time was read
    marked_late: bool = False  # the platform marked it late without a time (Canvas's LATE)
    lateness: str = ""  # what the reason says of its lateness (recomputed on every run)
    late_key: str = ""  # the due date, extension, time and plugin that ``lateness`` is from
    group: str = ""  # the group whose submission this is
    members: list[dict] = field(default_factory=list)  # the other members it counts for
    member_of: str = ""  # a group member's row: the student whose file it is

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Row:
        """The row ``to_dict`` gave; also one an earlier version wrote (results.json and the
        resume state), whose points before the penalty were under ``score``."""
        if "raw_score" not in d and "score" in d:
            d = {**d, "raw_score": d["score"]}
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        return cls(**{**values, "cells": [CellResult(**c) for c in d["cells"]]})

    @property
    def final_score(self) -> float:
        """The points the gradebook keeps: less the late penalty."""
        return self.raw_score - self.late_penalty

    def late(self, lateness: str) -> None:
        """Replace what the reason says of the row's lateness."""
        base = (
            self.reason.removesuffix(self.lateness).removesuffix("; ")
            if self.lateness
            else self.reason
        )
        self.reason = "; ".join(part for part in (base, lateness) if part)
        self.lateness = lateness

    def for_members(self) -> list[Row]:
        """The rows of the group members this counted row also counts for."""
        out = []
        for m in self.members if self.counted else ():
            who = self.name or self.student_id
            base = (
                self.reason.removesuffix(self.lateness).removesuffix("; ")
                if self.lateness
                else self.reason
            )
            lateness = m.get("lateness", "")
            said = (
                f"a member of {self.group or 'the group'}: graded by {self.file}, which {who} "
                "handed in"
            )
            row = replace(
                self,
                student_id=m["student_id"],
                name=m.get("name", ""),
                platform=m.get("platform", ""),
                user_id=m.get("user_id", ""),
                members=[],
                member_of=self.student_id,
                accounts_for=[],
                submitted=m.get("submitted", ""),
                seconds_late=m.get("seconds_late", 0.0),
                late_penalty=m.get("late_penalty", 0.0),
                lateness=lateness,
                late_key=m.get("late_key", ""),
                reason="; ".join(part for part in (said, base, lateness) if part),
            )
            out.append(row)
        return out


class Remarks:
    """What a record says of itself, for a record with ``stopped``, ``flags`` and ``notes``:
    a stop (a fault, or intake's rule), flags (the points stand, but look) and notes."""

    def stop(self, status: Status, reason: str) -> None:
        """End the record's grading (or never start it): its row's status and reason."""
        self.stopped = Stopped(Status(status), reason)

    def flag(self, text: str) -> None:
        if text not in self.flags:
            self.flags.append(text)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass(frozen=True)
class Origin:
    """What intake found of one file, fixed once found: where it came from, whose it is,
    whether it is the student's graded file (``counted``), and what its platform says of it.
    The intake stage replaces it once, with the hash of the bytes it read."""

    file: str  # its path in the submissions folder
    path: Path | None  # None: a file that cannot be read (a refused zip entry)
    student_id: str  # "" when the file is no one's
    counted: bool = True
    sha256: str = ""  # of the file (the intake stage: of what it read)
    extras: Mapping[str, bytes] = field(default_factory=dict)  # nbgrader's timestamp, secret
    accounts_for: tuple[str, ...] = ()  # the platform's files beside it
    seen: tuple[str, ...] = ()  # what intake found about the file among its neighbours
    person: Person | None = None  # whom it counts for, with their platform identity
    marked_late: bool = False  # the platform marked it late without a time (Canvas's LATE)
    time: datetime.datetime | None = None  # when the platform says it was handed in (UTC)
    time_from: str = ""  # where that time was read
    group: str = ""  # the group whose submission it is
    members: tuple[Person, ...] = ()  # the group's other members
    notebook: str = ""  # which notebook of the lab it is (the lab's name for this bundle's)


def _origin(name: str) -> property:
    return property(lambda self: getattr(self.origin, name), doc=f"``origin.{name}``")


@dataclass
class Submission(Remarks):
    """One file on its way down the stages: what intake found (``origin``, frozen), what
    stopped it if anything (``stopped``), what the stages made, and what the record stage
    found in the gradebook. ``sub.file``, ``sub.student_id``, ... read ``sub.origin``."""

    origin: Origin
    data: bytes = b""  # read by the intake stage
    # what the stages found
    stopped: Stopped | None = None  # None: it runs, and the score stage decides its status
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # what the stages made
    nb: NotebookNode | None = None  # the notebook as submitted (intake)
    restored: NotebookNode | None = None  # with the course's tests and metadata (restore)
    prepared: Prepared | None = None  # the hidden tests that report only (instrument)
    execution: Execution | None = None  # what happened in the kernel (run)
    cells: list[CellResult] = field(default_factory=list)  # points per test cell (score)
    code: dict[str, list[str]] = field(default_factory=dict)  # answers, for the feedback
    raw_score: float = 0.0  # the points, before any late penalty
    max_score: float = 0.0
    sandboxed: bool = True
    # what the record stage found in the gradebook
    submitted: str = ""
    seconds_late: float = 0.0
    late_penalty: float = 0.0
    lateness: str = ""
    late_key: str = ""
    member_late: dict[str, dict] = field(default_factory=dict)  # each member's lateness

    file = _origin("file")
    path = _origin("path")
    student_id = _origin("student_id")
    counted = _origin("counted")
    sha256 = _origin("sha256")
    extras = _origin("extras")
    accounts_for = _origin("accounts_for")
    person = _origin("person")
    marked_late = _origin("marked_late")
    time = _origin("time")
    time_from = _origin("time_from")
    group = _origin("group")
    members = _origin("members")
    notebook = _origin("notebook")

    @classmethod
    def of(cls, file: str, path: Path | None, student_id: str, data: bytes = b"", **more):
        """A record of one file that no intake found (``check``, the canary, tests):
        ``more`` are ``Origin``'s fields, or ``sandboxed``."""
        sandboxed = more.pop("sandboxed", True)
        return cls(Origin(file, path, student_id, **more), data=data, sandboxed=sandboxed)

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else ""

    @property
    def key(self) -> str:
        """What a rerun compares: the file's bytes, whether it counts, whose it is (a new
        roster changes that) and whom else it counts for, what intake found (a new duplicate
        changes its reason), and whether it was sandboxed. Not its time or the due date: a
        rerun recomputes lateness without running the notebook again."""
        person = self.person or Person()
        parts = [
            self.sha256,
            str(self.counted),
            str(self.sandboxed),
            self.student_id,
            person.name,
            person.platform,
            person.user_id,
            self.group,
            *(f"member {m.student_id} {m.name} {m.platform} {m.user_id}" for m in self.members),
            *self.origin.seen,
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @property
    def runs(self) -> bool:
        """Whether it still goes down the stages that need its notebook."""
        return self.stopped is None

    def row(self) -> Row:
        if self.stopped is not None:
            status, fault = self.stopped.status, self.stopped.reason
        else:
            status, fault = (Status.FLAGGED if self.flags else Status.GRADED), ""
        reason = "; ".join(
            ([fault] if fault else [])
            + self.flags
            + self.notes
            + ([self.lateness] if self.lateness else [])
        )
        person = self.person or Person()
        return Row(
            file=self.file,
            student_id=self.student_id,
            status=status,
            reason=reason,
            raw_score=self.raw_score,
            max_score=self.max_score,
            cells=self.cells,
            sha256=self.sha256,
            seconds=getattr(self.execution, "seconds", 0.0),
            sandboxed=self.sandboxed,
            counted=self.counted,
            accounts_for=list(self.accounts_for),
            key=self.key,
            code=self.code,
            name=person.name,
            submitted=self.submitted,
            seconds_late=self.seconds_late,
            late_penalty=self.late_penalty,
            notebook=self.notebook,
            platform=person.platform,
            user_id=person.user_id,
            time=self.time.isoformat() if self.time else "",
            time_from=self.time_from,
            marked_late=self.marked_late,
            lateness=self.lateness,
            late_key=self.late_key,
            group=self.group,
            members=[
                {
                    "student_id": m.student_id,
                    "name": m.name,
                    "platform": m.platform,
                    "user_id": m.user_id,
                    **self.member_late.get(m.student_id, {}),
                }
                for m in self.members
            ],
        )


__all__ = [
    "STATUSES",
    "Status",
    "Stopped",
    "Remarks",
    "SubmissionFault",
    "EnvironmentFault",
    "CellResult",
    "HiddenTest",
    "Prepared",
    "Row",
    "Origin",
    "Submission",
]
