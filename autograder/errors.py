"""The tool's own errors: what the person running a command can fix.

Each message says what is wrong and what to do. ``autograder.__main__`` alone turns a
``ToolError`` into exit status 2 with its message on stderr; any other exception is a bug of
the tool and keeps its traceback. A submission's faults are not among these: they end in its
row (``grading.submission.SubmissionFault``, ``EnvironmentFault``).
"""

from __future__ import annotations


class ToolError(Exception):
    """The command cannot be done as given; the message says why and what to do."""


class UsageError(ToolError):
    """An input of the command -- a folder, a file, an option's value -- cannot be used."""


__all__ = ["ToolError", "UsageError"]
