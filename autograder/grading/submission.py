"""The record of one submission, which every stage takes and returns, and the row it ends in.

A ``Submission`` starts at intake as one file of the submissions folder: where it came from,
the student it belongs to, whether it is the student's graded file (``counted``), and what
intake found. The stages add to it in turn -- the notebook, the prepared notebook, the
execution, the verdicts, the points -- until ``row()`` turns it into a ``Row``: the line of
``grades.csv``, the entry of ``results.json``, and what the gradebook records.

A stage that finds the submission cannot be graded raises ``SubmissionFault`` (status
``error``, the submission's fault) or ``EnvironmentFault`` (status ``environment``, the
grading machine's); the pipeline writes it on the record, and the stages that need a
notebook are skipped. Flags (``flag``) keep the points but ask a human to look; notes
(``note``) only explain.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbformat import NotebookNode

#: What a file's grading ended in: ``graded``; ``flagged`` (graded, but a human should look:
#: tampering, a duplicate, a cell of another lab); ``error`` (the file cannot be graded, or
#: its own code killed the run: a 0 that needs manual grading); ``environment`` (the grading
#: machine failed: nothing recorded, grade again).
STATUSES = ("graded", "flagged", "error", "environment")


class SubmissionFault(Exception):
    """The submission cannot be graded, by its own fault; the message says why and what to do."""


class EnvironmentFault(Exception):
    """The grading machine failed on this submission; grading it again may succeed."""


@dataclass
class CellResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str = ""
    hint: str = ""


@dataclass
class Row:
    """One file's line: what grades.csv, results.json and the gradebook say of it."""

    file: str  # its path in the submissions folder
    student_id: str  # "" when no student id can be read from its path
    status: str
    reason: str
    score: float
    max_score: float
    cells: list[CellResult] = field(default_factory=list)
    sha256: str = ""
    seconds: float = 0.0
    sandboxed: bool = True
    counted: bool = True  # this row is the student's grade in the gradebook
    files: list[str] = field(default_factory=list)  # other files it accounts for
    key: str = ""  # what must be unchanged for a rerun to keep this row (see ``Submission.key``)
    code: dict[str, list[str]] = field(default_factory=dict)  # answers before each test
    name: str = ""  # the student's name, for display (from the LMS or the roster)
    submitted: str = ""  # when it was handed in, as the gradebook records it (UTC), and how known
    seconds_late: float = 0.0  # after the gradebook's due date
    late_penalty: float = 0.0  # by the course's nbgrader LateSubmissionPlugin
    notebook: str = ""  # which notebook of the lab

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Row:
        return cls(**{**d, "cells": [CellResult(**c) for c in d["cells"]]})


@dataclass
class Submission:
    # intake: where the file came from and whose it is
    file: str
    path: Path | None
    student_id: str
    data: bytes = b""  # read by the intake stage
    sha256: str = ""  # of the file, from intake
    counted: bool = True
    extras: dict[str, bytes] = field(default_factory=dict)  # nbgrader's timestamp, secret
    files: list[str] = field(default_factory=list)  # other files this record accounts for
    found: tuple[str, ...] = ()  # what intake found about the file among its neighbours
    name: str = ""  # the student's name, for display
    lms_id: str = ""  # the LMS's user id, when the file came from an LMS download
    late: bool = False  # the LMS marked it late (Canvas's LATE)
    notebook: str = ""  # which notebook of the lab it is (the lab's name for this bundle's)
    settings: str = ""  # what else decides its row: the due date, the late plugin's config
    replaces: str = ""  # the student id an earlier run recorded this file under, if another
    # what the stages found
    status: str | None = None  # set by a fault; else decided by the score stage
    fault: str = ""
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # what the stages made
    nb: NotebookNode | None = None  # the notebook as submitted (intake)
    restored: NotebookNode | None = None  # with the course's tests and metadata (restore)
    prepared: object | None = None  # the hidden tests that report only (instrument)
    execution: object | None = None  # what happened in the kernel (run)
    cells: list[CellResult] = field(default_factory=list)  # points per test cell (score)
    code: dict[str, list[str]] = field(default_factory=dict)  # answers, for the feedback
    score: float = 0.0
    max_score: float = 0.0
    sandboxed: bool = True
    # what the record stage found in the gradebook
    submitted: str = ""
    seconds_late: float = 0.0
    late_penalty: float = 0.0

    @property
    def timestamp(self) -> str | None:
        """When nbgrader's exchange received it (``timestamp.txt``), if it says."""
        raw = self.extras.get("timestamp.txt")
        return raw.decode("utf-8", "replace").strip()[:100] if raw else None

    @property
    def key(self) -> str:
        """What a rerun compares: the file's bytes, whether it counts, whose it is (a new
        roster changes that), what intake found (a new duplicate changes its reason), whether
        it was sandboxed, and the settings that decide lateness."""
        parts = [
            self.sha256,
            str(self.counted),
            str(self.sandboxed),
            self.student_id,
            self.name,
            self.settings,
            *self.found,
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @property
    def failed(self) -> bool:
        return self.status in ("error", "environment")

    def flag(self, text: str) -> None:
        if text not in self.flags:
            self.flags.append(text)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def row(self) -> Row:
        status = self.status or ("flagged" if self.flags else "graded")
        reason = "; ".join(([self.fault] if self.fault else []) + self.flags + self.notes)
        seconds = getattr(self.execution, "seconds", 0.0)
        return Row(
            self.file,
            self.student_id,
            status,
            reason,
            self.score,
            self.max_score,
            self.cells,
            self.sha256,
            seconds,
            self.sandboxed,
            self.counted,
            self.files,
            self.key,
            self.code,
            self.name,
            self.submitted,
            self.seconds_late,
            self.late_penalty,
            self.notebook,
        )


__all__ = [
    "STATUSES",
    "SubmissionFault",
    "EnvironmentFault",
    "CellResult",
    "Row",
    "Submission",
]
