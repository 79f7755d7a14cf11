"""The ``restore`` stage: the notebook to run, with the course's tests and the course's metadata.

Everything that decides points -- which cells are graded, their grade ids, their points, their
kind -- is taken from the course's source notebook, never from the submission:

- A cell whose grade id the source knows gets the source's nbgrader metadata. A test or
  read-only cell gets the source's whole cell back (hidden tests included); an edit of it
  flags the submission. A solution cell keeps the student's code.
- Any other nbgrader metadata -- a grade id the source does not know (a cell pasted from
  another lab, or made up), a grade id that is not text, metadata that is not a mapping, a
  second copy of a cell -- is removed: the cell runs as the student's own code, and the
  submission is flagged, saying so.
- Test and read-only cells the student deleted are put back where the source has them;
  deleted solution cells get the release's stub back.
- A notebook that holds none of this lab's cells but some of another lab's is that lab's: an
  ``error`` that names it.
- A notebook with no nbgrader metadata at all, as some editors and hosted notebook services
  leave it, is matched to the release's cells (``adopt``) and graded as usual: only a test
  cell whose code really changed is flagged.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping

from nbformat import NotebookNode

from autograder import notebooks
from autograder.grading.stage import Step
from autograder.grading.submission import Submission, SubmissionFault


def other_lab(ids: set[str], lab, course) -> str | None:
    """The course's other lab that ``ids`` belong to: they hold cells only that lab has, and
    none that only ``lab`` has (shared ids such as a setup cell decide nothing)."""
    own = course.own_grade_ids
    if ids & own.get(lab.assignment, frozenset()):
        return None
    return next((o for o, mine in own.items() if o != lab.assignment and ids & mine), None)


def _def_lines(source: str) -> set[str]:
    return {line.strip() for line in source.splitlines() if line.startswith(("def ", "class "))}


def adopt(nb: NotebookNode, lab) -> int:
    """A notebook with no nbgrader metadata at all (an editor or a hosted notebook service
    removed it) gets the course's, in place: each cell of the release is found by its cell
    id, else a test or read-only cell by its exact text, else an answer cell by the
    ``def``/``class`` lines of its stub. Returns how many cells were matched."""
    if any(notebooks.claimed_meta(c) is not None for c in nb.cells):
        return 0
    released = lab.released
    by_id = {c.get("id"): gid for gid, c in released.items() if c.get("id")}
    by_text = {c.source.strip(): gid for gid, c in released.items() if notebooks.is_read_only(c)}
    by_def = {
        line: gid
        for gid, c in released.items()
        if not notebooks.is_read_only(c)
        for line in _def_lines(c.source)
    }
    taken: set[str] = set()
    for cell in nb.cells:
        source = cell.get("source", "")
        gid = by_id.get(cell.get("id"))
        if gid is None or gid in taken or released[gid].cell_type != cell.cell_type:
            gid = by_text.get(source.strip())
        if gid is None and cell.cell_type == "code":
            gid = next((by_def[d] for d in _def_lines(source) if d in by_def), None)
        if gid is not None and gid not in taken and released[gid].cell_type == cell.cell_type:
            cell.setdefault("metadata", NotebookNode())["nbgrader"] = copy.deepcopy(
                released[gid].metadata.nbgrader
            )
            taken.add(gid)
    return len(taken)


def restore(nb: NotebookNode, lab, course=None) -> tuple[NotebookNode, list[str], list[str]]:
    """``(notebook to run, flags, notes)`` for the submitted notebook ``nb`` of ``lab``."""
    flags: list[str] = []
    notes: list[str] = []
    out = copy.deepcopy(nb)
    adopted = adopt(out, lab)
    if adopted:
        notes.append(
            f"the notebook had no nbgrader metadata (another editor may have removed it): "
            f"{adopted} of its cells were matched to the lab's by cell id and text"
        )
    ids = {gid for c in out.cells if (gid := notebooks.grade_id(c))}
    if course is not None and (other := other_lab(ids, lab, course)):
        raise SubmissionFault(
            f"this is a notebook of {other}, not of {lab.assignment}: grade it with "
            f"`autograder grade {other} ...`, or ask the student for their {lab.assignment} "
            "notebook"
        )
    cells, seen = [], set()
    for index, cell in enumerate(out.cells):
        meta, gid = notebooks.claimed_meta(cell), notebooks.grade_id(cell)
        if meta is not None and gid not in lab.cells:
            if isinstance(meta, Mapping) and gid:
                owner = course and course.lab_of_grade_id(gid, but=lab.assignment)
                where = f" of {owner}" if owner else ""
                flags.append(
                    f"cell {index} carries grade id {gid!r}{where}, which {lab.assignment} does "
                    "not have; it ran as the student's own code and earned no points"
                )
            elif isinstance(meta, Mapping) and (meta.get("grade") or meta.get("solution")):
                flags.append(
                    f"cell {index} claims to be graded without a valid grade id; it ran as "
                    "the student's own code and earned no points"
                )
            elif not isinstance(meta, Mapping):
                flags.append(
                    f"cell {index}'s nbgrader metadata is not readable; it ran as the "
                    "student's own code"
                )
            cell.metadata.pop("nbgrader", None)
        elif gid is not None and gid in seen:
            flags.append(f"cell {gid!r} appears twice; the copy ran as the student's own code")
            cell.metadata.pop("nbgrader", None)
        elif gid is not None:
            seen.add(gid)
            original = lab.cells[gid]
            if notebooks.is_read_only(original):
                given = lab.released.get(gid, original)
                if cell.get("source", "").strip() != given.source.strip():
                    flags.append(f"read-only cell {gid!r} was edited; the original was restored")
                cell = copy.deepcopy(original)
            else:  # the release's metadata: its checksum tells nbgrader an answer is unchanged
                code = cell.get("source", "")
                cell = copy.deepcopy(original)
                cell.source = code
                if gid in lab.released:
                    cell.metadata["nbgrader"] = copy.deepcopy(lab.released[gid].metadata.nbgrader)
        cells.append(cell)
    for index, cell in enumerate(lab.source.cells):  # put deleted cells back
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if not gid or gid in seen:
            continue
        if notebooks.is_read_only(cell):
            flags.append(f"read-only cell {gid!r} was deleted; it was put back")
            back = copy.deepcopy(cell)
        else:
            notes.append(f"answer cell {gid!r} was deleted; the lab's empty version was put back")
            back = copy.deepcopy(lab.released.get(gid, cell))
            back.metadata["nbgrader"] = copy.deepcopy(cell.metadata["nbgrader"])
        before = {
            g for c in lab.source.cells[:index] if (g := notebooks.nbgrader_meta(c).get("grade_id"))
        }
        at = max(
            (i + 1 for i, c in enumerate(cells) if notebooks.grade_id(c) in before),
            default=0,
        )
        cells.insert(at, back)
        seen.add(gid)
    out.cells = cells
    ids: set[str] = set()
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if cell.get("id") in ids:  # a student's copy of a cell put back: ids stay unique
            cell["id"] = uuid.uuid4().hex[:12]
        ids.add(cell.get("id"))
    out.metadata["kernelspec"] = copy.deepcopy(lab.source.metadata["kernelspec"])
    return out, flags, notes


MAX_FLAGS = 8  # more than this many findings are summarised in one


def stage(sub: Submission, ctx) -> Submission:
    sub.restored, flags, notes = restore(sub.nb, ctx.part, ctx.course)
    if len(flags) > MAX_FLAGS:
        flags = [
            *flags[: MAX_FLAGS - 1],
            f"and {len(flags) - MAX_FLAGS + 1} more findings like these",
        ]
    for text in flags:
        sub.flag(text)
    for text in notes[:MAX_FLAGS]:
        sub.note(text)
    return sub


STAGE = Step("restore", stage)

__all__ = ["STAGE", "restore", "stage"]
