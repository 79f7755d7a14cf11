"""Text from a submission or an LMS, made safe for where a person reads it."""

from __future__ import annotations

#: What a spreadsheet takes for the start of a formula (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


__all__ = ["spreadsheet_cell"]
