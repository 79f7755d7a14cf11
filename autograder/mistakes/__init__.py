"""Catalogs of common mistakes, one module per lab, kept next to (not copies of) the solution.

An entry is a small edit of the solution as written in ``source/<lab>/<lab>.ipynb``:
exact text replacements in the solution cell ``cell``, each of which must occur
exactly once there, so an entry that no longer applies fails loudly instead of
silently testing nothing. ``fails`` names the test cells the mistake must lose
points on (and it must pass every other one); ``hint`` is what a teaching
assistant would say. Every mistake must also fail a visible test, with its hint, before
the student submits -- unless ``hidden_only`` says why it cannot: a mistake that shows
only on other shapes or settings than the visible examples use.

A lab module also lists ``VARIANTS``: other correct ways to write a solution (in place
or on new arrays, loops or vectorized, ``x**2`` or ``x*x``, epsilon placed differently
where the difference is far below the test's tolerance). Each is an edit of the
solution like a mistake, and must score full marks: a test that rejects one is wrong.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

from autograder import notebooks

SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n", re.M)


@dataclass(frozen=True)
class Mistake:
    name: str
    cell: str
    replace: dict[str, str]
    fails: frozenset[str]
    hint: str
    description: str = field(default="")
    hidden_only: str = field(default="")  # why no visible test can catch it (generality)


@dataclass(frozen=True)
class Variant:
    name: str
    cell: str
    replace: dict[str, str]
    description: str = field(default="")


class CatalogError(RuntimeError):
    pass


def catalog(lab: str) -> list[Mistake]:
    return list(importlib.import_module(f"autograder.mistakes.{lab}").MISTAKES)


def variants(lab: str) -> list[Variant]:
    return list(importlib.import_module(f"autograder.mistakes.{lab}").VARIANTS)


def variant_sets(lab: str, code: dict[str, str]) -> list[tuple[list[str], dict[str, str]]]:
    """The lab's variants packed into as few submissions as possible: each variant is
    applied on top of the others of its submission while its text still occurs exactly
    once. Returns ``(variant names, code by grade_id)`` per submission."""
    sets: list[tuple[list[str], dict[str, str]]] = []
    for v in variants(lab):
        for names, filled in sets:
            try:
                changed = apply(filled[v.cell], v)
            except CatalogError:
                continue
            filled[v.cell] = changed
            names.append(v.name)
            break
        else:
            filled = dict(code)
            filled[v.cell] = apply(code[v.cell], v)
            sets.append(([v.name], filled))
    return sets


def solution_code(lab: str, course) -> dict[str, str]:
    """The solution cells of the lab's source in ``course`` (an ``autograder.course.Course``)
    by grade_id, with the solution markers removed (what a student who wrote the solution
    would submit)."""
    nb = notebooks.read(course.source_path(lab))
    return {
        notebooks.grade_id(c): SOLUTION_MARKER.sub("", c.source)
        for c in nb.cells
        if c.cell_type == "code" and notebooks.is_answer(c)
    }


def reference_submissions(lab: str, course) -> dict:
    """The solution, the untouched release, one submission per cataloged mistake, and the
    correct variants packed into ``variants-<k>`` submissions, as notebooks of ``course``
    (an ``autograder.course.Course``)."""
    import copy

    the_lab = course.lab(lab)
    solution = solution_code(lab, course)
    subs = {"solution": the_lab.filled(solution), "stub": copy.deepcopy(the_lab.release)}
    for m in catalog(lab):
        code = dict(solution)
        code[m.cell] = apply(code[m.cell], m)
        subs[f"mistake-{m.name}".replace("_", "-")] = the_lab.filled(code)
    for k, (_names, code) in enumerate(variant_sets(lab, solution), start=1):
        subs[f"variants-{k}"] = the_lab.filled(code)
    return subs


def apply(code: str, mistake: Mistake | Variant) -> str:
    for old, new in mistake.replace.items():
        count = code.count(old)
        if count != 1:
            raise CatalogError(
                f"{type(mistake).__name__.lower()} {mistake.name!r}: {old!r} occurs {count} times in the solution of "
                f"{mistake.cell!r}, expected exactly once; update the catalog entry"
            )
        code = code.replace(old, new)
    return code
