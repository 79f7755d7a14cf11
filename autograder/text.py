"""Text from a submission or an LMS, made safe for where a person reads it.

``inert`` is the one function every writer of such text uses -- ``grade``'s summary, ``check``'s
output, ``grades.csv`` and every export, ``results.json`` and the logs -- so that a file name,
a name in a roster or an exception message can never drive a terminal (move its cursor, erase
a line, hide what follows, set its title), forge a line of its own, or reorder what a reader
sees. HTML pages use ``html_text``: inert, then escaped as HTML (a raw control character or
a bidirectional override would reorder a page, or drive the terminal of whoever prints it).
"""

from __future__ import annotations

import html
import logging
import re

#: What a spreadsheet takes for the start of a formula (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: C0 controls (ESC, BEL, CR, LF, backspace, ...), DEL, C1 controls (CSI, OSC, ... as single
#: code points), and the Unicode characters that reorder or break a line on screen: the
#: bidirectional overrides and isolates ("Trojan Source") and the line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object, indent: str | None = None) -> str:
    """``text`` with every control character shown as a visible escape (ESC as ``\\x1b``,
    a right-to-left override as ``\\u202e``, a line feed as ``\\x0a``). With ``indent``,
    line feeds stay, and every line after the first starts with ``indent``: text printed
    over several lines under a line of the caller's, none of them at the caller's margin."""
    text = str(text)
    if indent is None:
        return CONTROL.sub(_escape, text)
    return ("\n" + indent).join(CONTROL.sub(_escape, line) for line in text.split("\n"))


def html_text(text: object) -> str:
    """Text for an HTML page: inert, its line feeds kept (for ``<pre>``), then escaped."""
    return html.escape(inert(text, indent=""))


def spreadsheet_cell(text: str) -> str:
    """Text for a CSV cell: inert, and never taken for a formula."""
    text = inert(text)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class InertRecords(logging.Filter):
    """Makes every record of a logger inert (its message with its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = inert(record.getMessage()), None
        return True


class InertFormatter(logging.Formatter):
    """Formats a record -- its message, arguments and traceback -- as inert text, every line
    after the first indented: no line a submission wrote starts at a log line's margin."""

    def format(self, record: logging.LogRecord) -> str:
        return inert(super().format(record), indent="    ")


__all__ = ["inert", "spreadsheet_cell", "InertRecords", "InertFormatter"]
