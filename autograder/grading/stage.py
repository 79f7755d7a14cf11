"""The interface of a stage: the one thing ``pipeline.flow`` knows of each step of a
submission's path.

A stage has a ``name`` (the module's), says whether it still runs once a fault has ended the
record's grading (``after_fault``: only ``record``, so that a failure is the record's row),
and ``run(sub, ctx)`` adds what it finds to the ``Submission`` or raises a fault
(``submission.SubmissionFault`` or ``submission.EnvironmentFault``). Anything else it raises
is a crash of the grader on that file: ``crashed`` says what the row then says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: What a row says when a stage crashes on a file; ``{what}`` is the exception's type and
#: message, ``{name}`` the stage's.
CRASHED = (
    "the grader failed on this file in its {name} stage ({what}; its traceback is in "
    "grader.log); grade it by hand, and report the file to the course's developers"
)


@runtime_checkable
class Stage(Protocol):
    name: str
    after_fault: bool

    def run(self, sub, ctx) -> object: ...

    def crashed(self, what: str) -> tuple[str, str]: ...


@dataclass(frozen=True)
class Step:
    """A stage made of its module's ``stage`` function."""

    name: str
    run: Callable
    after_fault: bool = False
    crash_status: str = "error"
    crash_reason: str = CRASHED

    def crashed(self, what: str) -> tuple[str, str]:
        """The status and reason of a row whose grading this stage crashed on."""
        return self.crash_status, self.crash_reason.format(name=self.name, what=what)


__all__ = ["Stage", "Step", "CRASHED"]
