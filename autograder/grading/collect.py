"""Stage 1: find the submissions, name them, read them, and restore what students may not change.

SUBMISSIONS is a folder, or a zip of one (a typical LMS download), holding
``<student_id>.ipynb`` files, ``<student_id>/<lab>.ipynb`` folders, or nbgrader's own
layout ``<student_id>/<lab>/<lab>.ipynb`` (the course's ``submitted/`` folder after
``nbgrader collect``). Every entry found becomes a ``Found`` -- with its problem if it
cannot be graded -- so nothing is dropped silently. ``restore`` puts the source's version
of every protected cell (given code, test cells with their hidden tests) back in place and
reports what the student had changed or deleted. ``assignment_files`` are the lab's
helpers and data, always the course's own, never what a student's folder holds.
"""

from __future__ import annotations

import copy
import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder import notebooks

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MAX_NOTEBOOK_BYTES = 20 << 20
#: What nbgrader's exchange puts beside a collected notebook, kept for feedback and
#: late-submission penalties (``nbgrader release_feedback`` needs both).
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")
IGNORED = {"__pycache__", ".ipynb_checkpoints", "feedback"}


@dataclass
class Found:
    student_id: str  # the file or folder name (also when it is not a valid id)
    path: Path | None
    data: bytes = b""
    problem: str | None = None  # why it cannot be graded
    extras: dict[str, bytes] = field(default_factory=dict)  # NBGRADER_FILES found beside it

    @property
    def timestamp(self) -> str | None:
        """When nbgrader's exchange received it (``timestamp.txt``), if it says."""
        raw = self.extras.get("timestamp.txt")
        return raw.decode("utf-8", "replace").strip() if raw else None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _unzip(archive: Path, dest: Path, lab: str) -> Path:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = (dest / info.filename).resolve()
            if not str(target).startswith(str(dest.resolve())):
                raise ValueError(f"{archive}: entry {info.filename!r} points outside the archive")
            if info.file_size > MAX_NOTEBOOK_BYTES * 5:
                raise ValueError(f"{archive}: entry {info.filename!r} is too large")
        zf.extractall(dest)
    entries = [p for p in dest.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    # an LMS zip often wraps everything in one folder: descend into it, unless that folder
    # is itself one student's submission
    if len(entries) == 1 and entries[0].is_dir() and not (entries[0] / f"{lab}.ipynb").exists():
        return entries[0]
    return dest


def find(submissions: Path, lab: str, scratch: Path | None = None) -> list[Found]:
    """Every submission in ``submissions`` (folder or .zip), in student-id order."""
    submissions = Path(submissions)
    if not submissions.exists():
        raise FileNotFoundError(
            f"{submissions} does not exist: give the folder or zip that holds the submissions"
        )
    if submissions.is_file():
        if not zipfile.is_zipfile(submissions):
            raise ValueError(f"{submissions} is neither a folder nor a zip file")
        scratch = scratch or Path(tempfile.mkdtemp(prefix="submissions-"))
        submissions = _unzip(submissions, scratch, lab)
    found: list[Found] = []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if entry.is_dir():
            student, path = entry.name, entry / f"{lab}.ipynb"
            if not path.is_file() and (entry / lab / f"{lab}.ipynb").is_file():
                path = entry / lab / f"{lab}.ipynb"  # nbgrader's submitted/ layout
            if not path.is_file():
                others = sorted(p.name for p in entry.glob("*.ipynb"))
                found.append(
                    Found(
                        student,
                        None,
                        problem=(
                            f"folder {entry.name}/ has no {lab}.ipynb"
                            + (f" (it has {', '.join(others)})" if others else "")
                        ),
                    )
                )
                continue
        elif entry.suffix == ".ipynb":
            student, path = entry.stem, entry
        else:
            continue
        item = Found(student, path)
        if not STUDENT_ID.match(student):
            item.problem = (
                f"{entry.name!r} is not a valid student id (letters, digits, "
                "'_', '.', '-', '@'; up to 64); rename it to the student's id"
            )
        elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
            item.problem = f"the notebook is {path.stat().st_size >> 20} MB; the limit is 20 MB"
        else:
            item.data = path.read_bytes()
            if entry.is_dir():
                item.extras = {
                    name: (path.parent / name).read_bytes()
                    for name in NBGRADER_FILES
                    if (path.parent / name).is_file()
                }
        found.append(item)
    seen: dict[str, Found] = {}
    for item in found:
        if item.student_id in seen and item.problem is None:
            item.problem = (
                f"a second submission for {item.student_id} "
                f"({item.path} and {seen[item.student_id].path}); keep one"
            )
        seen.setdefault(item.student_id, item)
    return found


def read(item: Found) -> NotebookNode:
    """The submitted notebook; raise ``ValueError`` saying what is wrong with it."""
    try:
        nb = nbformat.reads(item.data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except Exception as exc:  # noqa: BLE001 -- nbformat raises many kinds
        raise ValueError(
            f"the file is not a valid notebook: {str(exc).splitlines()[0][:200]}"
        ) from exc
    if not isinstance(nb.get("cells"), list):
        raise ValueError("the file is not a valid notebook: it has no cells")
    return nb


@dataclass
class Restored:
    nb: NotebookNode
    tampered: list[str] = field(default_factory=list)  # what the student changed, cell by cell


def _protected(cell: NotebookNode) -> bool:
    meta = notebooks.nbgrader_meta(cell)
    return bool(meta) and not meta.get("solution") and (meta.get("locked") or meta.get("grade"))


def restore(submitted: NotebookNode, source: NotebookNode, release: NotebookNode) -> Restored:
    """The notebook to run: the student's own cells, and the source's version of every
    protected cell, in the source's order for the ones the student deleted."""
    given = {notebooks.nbgrader_meta(c)["grade_id"]: c for c in release.cells if _protected(c)}
    from_source = {notebooks.nbgrader_meta(c)["grade_id"]: c for c in source.cells if _protected(c)}
    out = Restored(copy.deepcopy(submitted))
    cells, seen = [], set()
    for cell in out.nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if gid and gid in seen:
            out.tampered.append(f"cell {gid!r} appears twice; the copy was ignored")
            cell.metadata.pop("nbgrader", None)
        elif gid in from_source:
            seen.add(gid)
            if gid in given and cell.source.strip() != given[gid].source.strip():
                out.tampered.append(f"read-only cell {gid!r} was edited; the original was restored")
            cell = copy.deepcopy(from_source[gid])
        elif gid:
            seen.add(gid)
        cells.append(cell)
    for index, cell in enumerate(source.cells):  # put deleted protected cells back
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if gid in from_source and gid not in seen:
            out.tampered.append(f"read-only cell {gid!r} was deleted; it was put back")
            before = {notebooks.nbgrader_meta(c).get("grade_id") for c in source.cells[:index]}
            at = max(
                (
                    i + 1
                    for i, c in enumerate(cells)
                    if notebooks.nbgrader_meta(c).get("grade_id") in before
                ),
                default=0,
            )
            cells.insert(at, copy.deepcopy(cell))
    out.nb.cells = cells
    for cell in out.nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    out.nb.metadata["kernelspec"] = copy.deepcopy(source.metadata["kernelspec"])
    return out


def student_code(nb: NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of the code cells the student wrote or could edit."""
    return [
        (i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code" and not _protected(c)
    ]


def assignment_files(lab: str, course_root: Path) -> dict[str, bytes]:
    """The files beside the lab's source notebook (its ``labs/`` helpers and ``data/``), by
    relative path: what ``nbgrader autograde`` copies over a submission from the source."""
    folder = notebooks.source_path(lab, course_root).parent
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path.suffix != ".ipynb"
        and not IGNORED & set(path.relative_to(folder).parts)
    }
