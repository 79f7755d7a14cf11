"""The ``intake`` stage: every file of the submissions folder becomes one record, then its notebook.

``find`` (once per class) walks SUBMISSIONS -- a folder, or a zip of one as a platform exports
it, extracted into the run's scratch folder -- without following links, and gives every file
exactly one ``Submission``:

- Whose file it is, when it was handed in and which attempt it is come from the platform whose
  names it follows (``autograder.platforms``), and the student it counts for from the identity
  rules (``identity``): by the platform's user id, mapped by a roster. A file that is no one's
  (no id, a name that looks like a platform's but is none, a name the roster cannot tell apart)
  gets an ``error`` row of its own that says why.
- Files are grouped by the final student id. Of a student's notebooks (``.ipynb`` in any case,
  outside ``.ipynb_checkpoints``) from their latest attempt, one is graded (``rule``): the file
  named ``<lab>.ipynb`` (in a flat folder, ``<id>.ipynb``), the platform's latest upload of it,
  else the newest. Earlier attempts and uploads get rows that say which file was graded; any other
  notebook is flagged, naming the file graded instead.
- A platform's own files (nbgrader's ``timestamp.txt`` and ``submission_secret.txt`` at
  ``<id>/<lab>/``, Blackboard's receipt) belong to the row of their submission's notebook, and
  so do copies of the lab's own helpers and data. Any other file -- a ``.py``, a zip inside a
  folder, an autosave copy, a link -- gets its own ``error`` row saying why it is not graded;
  when a student handed in no notebook at all, the first of them is the student's counted
  ``error`` row.
- In nbgrader's layout, a student's folders of the course's other labs are other
  assignments: ``Found.elsewhere`` lists their files, which get no row here.

``stage`` (per record) reads the file, refusing what cannot be a notebook with a reason.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import shutil
import stat
import time
import zipfile
import zlib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath

import nbformat
from nbformat import NotebookNode

from autograder import platforms
from autograder.errors import UsageError
from autograder.grading import identity
from autograder.grading.stage import Step
from autograder.grading.submission import (
    Origin,
    Remarks,
    Status,
    Stopped,
    Submission,
    SubmissionFault,
)
from autograder.platforms.base import Handed, Person, Tree, safe_id

MAX_FILE_BYTES = 100 << 20  # a file read at all
MAX_NOTEBOOK_BYTES = 20 << 20  # a notebook's cells without their outputs: what runs
#: What nbgrader's exchange puts beside a collected notebook, kept for feedback and
#: late-submission penalties (``nbgrader release_feedback`` needs both).
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")
CHECKPOINTS = ".ipynb_checkpoints"


def rule(lab: str) -> str:
    return (
        f"the file named {lab}.ipynb (in a flat folder, <student>.ipynb) is graded, the "
        "platform's latest upload of it first, else the newest"
    )


@dataclass
class Found:
    submissions: list[Submission]
    elsewhere: list[str] = field(default_factory=list)  # files of the course's other labs


@dataclass
class _Draft(Remarks):
    """A file's record while ``find`` weighs it against its neighbours; it becomes a
    ``Submission`` whose ``Origin`` is fixed (``submission``)."""

    file: str
    path: Path | None
    student_id: str
    counted: bool = True
    sha256: str = ""
    extras: dict[str, bytes] = field(default_factory=dict)
    accounts_for: list[str] = field(default_factory=list)
    seen: tuple[str, ...] = ()
    person: Person | None = None
    marked_late: bool = False
    time: datetime.datetime | None = None
    time_from: str = ""
    group: str = ""
    members: list[Person] = field(default_factory=list)
    notebook: str = ""
    stopped: Stopped | None = None
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def submission(self) -> Submission:
        """The record the stages get: the draft's origin fields, fixed (lists as tuples)."""
        values = {f.name: getattr(self, f.name) for f in fields(Origin)}
        values.update(
            extras=dict(self.extras),
            accounts_for=tuple(self.accounts_for),
            members=tuple(self.members),
        )
        origin = Origin(**values)
        return Submission(origin, stopped=self.stopped, flags=self.flags, notes=self.notes)


def _safe_name(name: str) -> str | None:
    """A zip entry's path inside the archive, or None if it would point outside."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path.as_posix()


def _unzip(
    archive: Path, dest: Path, lab: str, notebook: str | None = None
) -> tuple[Path, list[tuple[str, str]]]:
    """Extract the regular files of ``archive`` into ``dest``; the entries not extracted
    come back as ``(name, why)``, each to get its own row."""
    refused = []
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise UsageError(f"{archive} is not a readable zip file ({exc})") from exc
    taken: set[str] = set()
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = _safe_name(info.filename)
            mode = info.external_attr >> 16
            if name is not None and name in taken:
                refused.append(
                    (f"{name} (entry {len(refused) + 1})", "a second zip entry of that name")
                )
            elif name is None:
                refused.append(
                    (info.filename, "its path points outside the archive; not extracted")
                )
            elif stat.S_ISLNK(mode):
                refused.append((name, "a symbolic link in the zip; links are not followed"))
            elif info.file_size > MAX_FILE_BYTES:
                refused.append(
                    (
                        name,
                        f"{info.file_size >> 20} MB in the zip; files over "
                        f"{MAX_FILE_BYTES >> 20} MB are not read",
                    )
                )
            else:
                try:
                    _extract(zf, info, dest / name)
                except (
                    OSError,
                    RuntimeError,
                    NotImplementedError,
                    EOFError,
                    zlib.error,
                    zipfile.BadZipFile,
                    OverflowError,
                    ValueError,
                ) as exc:
                    why = f"could not be extracted ({type(exc).__name__}: {str(exc)[:200]})"
                    refused.append((name, why))
            if name is not None:
                taken.add(name)
    entries = [p for p in dest.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    # an LMS zip often wraps everything in one folder: descend into it, unless that folder
    # is itself one student's submission
    if (
        not refused
        and len(entries) == 1
        and entries[0].is_dir()
        and not (entries[0] / f"{notebook or lab}.ipynb").exists()
        and not (entries[0] / lab).is_dir()
        and not any(p.resembles(f"{entries[0].name}/x") for p in platforms.registry().values())
    ):
        for other in dest.iterdir():  # what the wrapper leaves out still gets its rows
            if other != entries[0]:
                for path in [other] if not other.is_dir() else sorted(other.rglob("*")):
                    if not path.is_dir():
                        shown = path.relative_to(dest).as_posix()
                        refused.append((shown, "not graded: a system file, not a submission"))
        return entries[0], refused
    return dest, refused


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    if target.exists() or any(p.exists() and not p.is_dir() for p in target.parents):
        raise FileExistsError("a file and a folder of the same name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(info) as src, open(target, "wb") as out:
        out.write(src.read(MAX_FILE_BYTES + 1))
    when = time.mktime((*info.date_time, 0, 0, -1))
    os.utime(target, (when, when))


def _walk(root: Path) -> list[str]:
    """Every entry that is not a real folder, by relative POSIX path, links not followed."""
    out = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for d in list(dirs):
            if (here / d).is_symlink():
                dirs.remove(d)
                names.append(d)
        out += [(here / n).relative_to(root).as_posix() for n in names]
    return sorted(out)


def _regular(path: Path, links: dict[tuple[int, int], int]) -> str | None:
    """Why ``path`` is not a regular file that may be read, or None. ``links``: how many
    paths of the submissions folder lead to each (device, inode)."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link; links are not followed"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_nlink > links.get((info.st_dev, info.st_ino), 1):
        return "a hard link to a file outside the submissions; not read"
    if info.st_size > MAX_FILE_BYTES:
        return f"{info.st_size >> 20} MB; files over {MAX_FILE_BYTES >> 20} MB are not read"
    return None


def read_bytes(path: Path) -> bytes:
    """A regular file's bytes, never through a link."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(MAX_FILE_BYTES + 1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _shown(rel: str) -> str:
    """A path as text that can be written anywhere (undecodable bytes as \\x escapes)."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_notebook(rel: str) -> bool:
    parts = rel.split("/")
    return (
        rel.lower().endswith(".ipynb")
        and CHECKPOINTS not in parts
        and "__MACOSX" not in parts
        and not parts[-1].startswith("._")  # macOS's resource forks in a zip
    )


def _why_not(rel: str, h: Handed) -> str:
    """Why a file that is not a candidate notebook is not graded."""
    name = rel.rsplit("/", 1)[-1]
    if CHECKPOINTS in rel.split("/"):
        return "not graded: a Jupyter autosave copy (.ipynb_checkpoints/)"
    if name.startswith(".") or rel.startswith("__MACOSX/") or name in ("Thumbs.db", "desktop.ini"):
        return "not graded: a system file, not a submission"
    if h.role == "metadata":
        title = platforms.get(h.person.platform).title
        return f"not graded: {title}'s record of a submission with no notebook ({h.file})"
    suffix = Path(name).suffix.lower()
    if suffix == ".zip":
        return (
            "not graded: a zip inside the submissions; if it holds the notebook that counts, "
            "unzip it in place (and remove the others) and grade again"
        )
    kind = f"a {suffix} file" if suffix else "a file without an extension"
    why = f"not graded: {kind}, not a notebook (.ipynb)"
    if h.file in NBGRADER_FILES:
        why += (
            f"; a {h.file} means something only where nbgrader's exchange writes it, "
            "<student>/<lab>/, so this one is the student's own file"
        )
    return why


def _one_student(root: Path, refused, archive: Path, lab: str, notebook: str, scratch: Path):
    """A zip that holds one student's work (its top is the lab's folder or notebook, as in
    nbgrader's layout of one student): the student is the zip's name. Returns the root, the
    refused entries, and whether the root's ``<id>/<lab>/`` folders are the exchange's (a
    student's own zip is not: its timestamp.txt is theirs)."""
    if not ((root / lab).is_dir() or (root / f"{notebook}.ipynb").is_file()):
        return root, refused, True
    holder = scratch / "one-student"
    holder.mkdir()
    shutil.move(str(root), str(holder / archive.stem))
    return holder, [(f"{archive.stem}/{name}", why) for name, why in refused], False


def find(
    submissions: Path,
    lab: str,
    *,
    notebooks: tuple[str, ...] | None = None,
    other_labs=(),
    helper_files=(),
    scratch: Path | None = None,
    roster=None,
    options: dict | None = None,
) -> Found:
    """Every file in ``submissions`` (folder or .zip) as a ``Submission``, in path order.
    ``notebooks``: the names of the lab's notebooks (default: the lab's); ``other_labs``: the
    course's other lab ids (their nbgrader folders are skipped); ``helper_files``: the lab's own
    helper and data paths (copies belong to the notebook); ``scratch``: an empty folder a zip is
    extracted into (required for a zip); ``roster``: a ``platforms.Roster``; ``options``: the
    platforms' own options (``Platform.arguments``)."""
    notebooks = tuple(notebooks or (lab,))
    submissions = Path(submissions)
    if not submissions.exists():
        raise UsageError(
            f"{submissions} does not exist: give the folder or zip that holds the submissions"
        )
    refused: list[tuple[str, str]] = []
    root, exchange = submissions, True
    if submissions.is_file():
        if not zipfile.is_zipfile(submissions):
            raise UsageError(f"{submissions} is neither a folder nor a zip file")
        if scratch is None:
            raise ValueError("a zip of submissions needs a scratch folder to be extracted into")
        (scratch / "zip").mkdir(parents=True)
        root, refused = _unzip(submissions, scratch / "zip", lab, notebooks[0])
        root, refused, exchange = _one_student(
            root, refused, submissions, lab, notebooks[0], scratch
        )
    walked = _walk(root)
    tree = Tree(
        root,
        tuple(walked + [name for name, _ in refused]),
        lab,
        notebooks,
        exchange=exchange,
        options=dict(options or {}),
    )
    handed = identity.settle(platforms.recognise(tree), roster)
    people = identity.identify(handed, roster)
    handed = _owned_by_someone(handed, people)
    who = {rel: _who(h, people) for rel, h in handed.items()}
    why_refused = dict(refused)
    links: dict[tuple[int, int], int] = {}
    for rel in walked:
        info = os.lstat(root / rel)
        links[(info.st_dev, info.st_ino)] = links.get((info.st_dev, info.st_ino), 0) + 1
    found = Found([])
    groups: dict[str, list[str]] = {}
    for rel in tree.files:
        if handed[rel].assignment in other_labs:
            found.elsewhere.append(rel)  # nbgrader's folder of another assignment
        elif who[rel].person is None:
            groups[f"\0{rel}"] = [rel]  # no one's: a row of its own
        else:
            groups.setdefault(who[rel].person.student_id, []).append(rel)
    found.elsewhere.sort()
    context = _Context(root, notebooks, handed, who, set(helper_files), why_refused, links)
    drafts = [draft for rels in groups.values() for draft in _group(context, rels)]
    _credit_members(drafts, people)
    found.submissions = sorted((d.submission() for d in drafts), key=lambda s: s.file)
    return found


def _owned_by_someone(handed: dict[str, Handed], people: dict) -> dict[str, Handed]:
    """A group's file whose first member is no one's belongs to the first member who is
    someone: every member the class can tell gets its grade."""
    out = dict(handed)
    for rel, h in handed.items():
        if not h.members or (_found(h.person, people) is not None):
            continue
        for i, member in enumerate(h.members):
            if _found(member, people) is not None:
                others = (h.person, *h.members[:i], *h.members[i + 1 :])
                out[rel] = replace(h, person=member, members=others)
                break
    return out


def _found(person, people: dict):
    who = people.get((person.platform, person.user_id)) if person.user_id else None
    return who.person if who is not None else None


def _who(h: Handed, people: dict) -> identity.Who:
    """Whom the file counts for: its owner's resolved identity, or no one and why."""
    if not h.person.user_id:
        return identity.Who(None, problem=h.problem)
    return people[(h.person.platform, h.person.user_id)]


@dataclass
class _Context:
    root: Path
    notebooks: tuple[str, ...]
    handed: dict[str, Handed]
    who: dict[str, identity.Who]
    helpers: set[str]
    refused: dict[str, str]
    links: dict[tuple[int, int], int]


def _identity(h: Handed) -> tuple[str, str]:
    return (h.person.platform, h.person.user_id)


def _group(c: _Context, rels: list[str]) -> list[_Draft]:
    """The records of one student's files, or of one file that is no one's."""
    handed, out = c.handed, []
    first = c.who[rels[0]]
    person = first.person
    student = person.student_id if person is not None else ""
    bad = {
        rel: c.refused.get(rel)
        or ("its name is not UTF-8 text: rename it" if _shown(rel) != rel else None)
        or _regular(c.root / rel, c.links)
        for rel in rels
    }
    notebook_files = [
        r
        for r in rels
        if person is not None and _is_notebook(r) and not bad[r] and handed[r].role == "file"
    ]
    # of one platform user's attempts, only the latest counts, notebook or not
    latest: dict[tuple[str, str], tuple] = {}
    for r in rels:
        if person is not None and handed[r].role == "file":
            key = _identity(handed[r])
            latest[key] = max(latest.get(key, handed[r].attempt), handed[r].attempt)
    candidates = [r for r in notebook_files if handed[r].attempt == latest[_identity(handed[r])]]
    earlier = {r for r in notebook_files if r not in candidates}
    single = len(c.notebooks) == 1
    chosen: dict[str, str] = {}  # notebook -> the file graded for it
    for name in c.notebooks:
        named = [
            r
            for r in candidates
            if handed[r].file.lower() == f"{name}.ipynb".lower()
            or (single and "/" not in r and handed[r].unit == r)  # <student>.ipynb at the top
        ]
        pool = named or (candidates if single else [])
        if pool:  # the platform's order of uploads, else the newest, else the first
            chosen[name] = max(
                pool,
                key=lambda r, pool=pool: (
                    handed[r].order,
                    os.lstat(c.root / r).st_mtime,
                    -pool.index(r),
                ),
            )
    of_file = {rel: name for name, rel in chosen.items()}
    units = {handed[rel].unit: rel for rel in of_file} | {
        handed[r].unit: r
        for r in earlier
        if handed[r].unit not in {handed[g].unit for g in of_file}
    }
    belongs: dict[str, list[str]] = {rel: [] for rel in [*of_file, *earlier]}
    for rel in rels:
        if rel in belongs or bad[rel]:
            continue
        h = handed[rel]
        if h.role == "metadata" and h.unit in units:  # the platform's files of its submission
            belongs[units[h.unit]].append(rel)
            continue
        for graded in of_file:  # copies of the lab's helpers beside a graded notebook
            folder = PurePosixPath(graded).parent
            inside = PurePosixPath(rel)
            if inside.is_relative_to(folder) and inside.relative_to(folder).as_posix() in c.helpers:
                belongs[graded].append(rel)
                break
    taken = {rel for files in belongs.values() for rel in files}
    # a student known by a folder or a notebook's name (a link, say) but with no notebook that
    # can be graded gets a counted error row; a stray file at the top (README.md, nick.py)
    # makes no student in the gradebook
    makes_student = any(handed[r].makes_student for r in rels)
    counted_error = not chosen and bool(student) and makes_student
    stray = not chosen and not makes_student
    if stray:  # its name is no one's id: the row names no student and says nothing of one
        person, student = None, ""
    missing = [f"{n}.ipynb" for n in c.notebooks if n not in chosen]
    for rel in rels:
        if rel in taken:
            continue
        h = handed[rel]
        path = c.root / rel if rel not in c.refused else None
        sub = _Draft(_shown(rel), path, student, counted=False)
        sub.person, sub.marked_late = person, h.late
        sub.notebook = of_file.get(rel, c.notebooks[0])
        for text in () if stray else (*c.who[rel].notes, *h.notes):
            sub.note(text)
        if rel in of_file:
            _counted(sub, c, rel, rels, of_file, candidates, earlier, belongs, missing, single)
        elif rel in earlier:
            newest = [g for g in of_file if _identity(handed[g]) == _identity(h)]
            sub.stop(
                Status.SKIPPED,
                f"not graded: {h.attempt_name or 'an earlier attempt'} is not the latest; "
                + (f"{', '.join(newest)} was graded" if newest else "the latest holds no notebook"),
            )
            sub.accounts_for = belongs.get(rel, [])
        elif person is None:
            no_id = (
                f"no student id can be read from {rel.split('/')[0]!r} (letters, digits, '_', "
                "'.', '-', '@', spaces; up to 64, not starting with a symbol): rename it to the "
                "student's id"
            )
            sub.stop(
                Status.ERROR,
                c.who[rel].problem
                or (f"not graded: {bad[rel]}" if bad[rel] else "")
                or (no_id if _is_notebook(rel) else _why_not(rel, h)),
            )
        elif bad[rel]:
            sub.stop(Status.ERROR, f"not graded: {bad[rel]}")
        elif rel in candidates and (single or chosen):
            instead = ", ".join(sorted(of_file)) or "nothing"
            later = [g for g in of_file if _earlier(h, handed[g])]
            if single and later:
                why = (
                    f"not graded: an earlier upload of {h.file}; the latest upload, "
                    f"{', '.join(later)}, was graded"
                )
            elif single:
                why = (
                    f"not graded: {instead} of the same student was graded instead "
                    f"({rule(c.notebooks[0])})"
                )
            else:
                why = (
                    f"not graded: its name is none of the lab's notebooks "
                    f"({', '.join(n + '.ipynb' for n in c.notebooks)}); graded: {instead}. "
                    "Rename it to the notebook it answers and grade again"
                )
            sub.stop(Status.SKIPPED, why)
        elif rel in candidates:
            sub.stop(
                Status.ERROR,
                f"not graded: its name is none of the lab's notebooks "
                f"({', '.join(n + '.ipynb' for n in c.notebooks)}): rename it to the notebook "
                "it answers and grade again",
            )
        else:
            sub.stop(Status.ERROR, _why_not(rel, h))
        if rel not in of_file and counted_error and rel not in earlier:
            sub.counted, counted_error = True, False  # the student's one row in the gradebook
            sub.stop(  # the student's counted row holds no notebook: an error, never skipped
                Status.ERROR,
                sub.stopped.reason
                + (
                    f"; the latest attempt of {student} holds no notebook, and earlier attempts "
                    "do not count"
                    if earlier
                    else f"; no notebook from {student} was found"
                ),
            )
            _timed(sub, h)
        if path is not None and not bad[rel]:
            sub.sha256 = _sha256(path)
        stopped = (sub.stopped.status, sub.stopped.reason) if sub.stopped else ("", "")
        sub.seen = tuple([*stopped, *sub.flags, *sub.notes])
        out.append(sub)
    return out


def _counted(sub, c: _Context, rel, rels, of_file, candidates, earlier, belongs, missing, single):
    """The file graded for one of the lab's notebooks: its files, time, group and what a person
    should know of the student's other files."""
    handed, h = c.handed, c.handed[rel]
    name = of_file[rel]
    student = sub.student_id
    sub.counted = bool(student)
    sub.accounts_for = belongs[rel]
    sub.extras = {  # nbgrader's exchange's files, kept for its feedback commands
        handed[f].file: read_bytes(c.root / f)
        for f in sub.accounts_for
        if handed[f].role == "metadata"
        and handed[f].file in NBGRADER_FILES
        and platforms.get(handed[f].person.platform).course_ids
    }
    _timed(sub, h)
    others = [r for r in candidates if r not in of_file]
    if others and all(_earlier(handed[o], h) for o in others):
        sub.note(f"graded the latest upload; earlier ones not graded: {', '.join(others)}")
    elif others:
        sub.flag(
            f"{len(others)} other notebook(s) of this student not graded: "
            f"{', '.join(others)} ({rule(name)}); check which one counts"
        )
    mine = [r for r in earlier if _identity(handed[r]) == _identity(h)]
    if mine:
        sub.note(
            f"graded {h.attempt_name or 'the latest attempt'}; earlier attempts: {', '.join(mine)}"
        )
    spelled: dict[str, str] = {}  # each spelling of the id, and a file that has it
    for r in rels:
        if safe_id(handed[r].named)[0] == student:
            spelled.setdefault(handed[r].named, r)
    if len(spelled) > 1:
        shown = " and ".join(f"{f} ({n!r})" for n, f in sorted(spelled.items()))
        sub.flag(
            f"{shown} are one student id, {student!r}, only after normalising (Unicode NFKC, "
            "spaces as _): check that they are one person"
        )
    if missing and not single:
        sub.note(f"no {', '.join(missing)} from this student: 0 for it")
    if h.problem:
        sub.stop(Status.ERROR, h.problem)
    elif h.file.lower() != f"{name}.ipynb".lower() and h.unit != rel:
        sub.note(f"graded {rel}, which is not named {name}.ipynb")
    if h.late:
        title = platforms.get(h.person.platform).title
        sub.flag(f"{title} marked it LATE without saying when: check the time in {title}")
    if h.members:
        sub.group = h.group
        sub.members = list(h.members)


def _timed(sub: _Draft, h: Handed) -> None:
    sub.time, sub.time_from, sub.marked_late = h.time, h.time_from, h.late


def _credit_members(subs: list[_Draft], people: dict) -> None:
    """Each member of a group's counted submission, resolved, unless they have a counted file of
    their own or an earlier group's submission already counts for them."""
    counted = {(s.student_id, s.notebook) for s in subs if s.counted}
    for sub in subs:
        if not (sub.counted and sub.members):
            continue
        kept = []
        for member in sub.members:
            who = people.get((member.platform, member.user_id))
            if who is None:
                sub.note(f"a member of the group, {member.name or '?'}, has no id to credit")
            elif who.person is None:
                sub.note(f"a member of the group is no one's to credit: {who.problem}")
            elif (who.person.student_id, sub.notebook) in counted:
                sub.note(
                    f"group member {who.person.student_id} is graded by another file of theirs"
                )
            else:
                counted.add((who.person.student_id, sub.notebook))
                kept.append(who.person)
        sub.members = kept


def _earlier(one: Handed, other: Handed) -> bool:
    """``one`` is an earlier upload of the file ``other`` is (Canvas's -1, -2, ...)."""
    return (
        _identity(one) == _identity(other)
        and one.file.lower() == other.file.lower()
        and one.order < other.order
    )


def _loose(text: str, notes: list[str]) -> str:
    """Cell metadata that is not a mapping (which nbformat cannot read) dropped, said in
    ``notes``; anything else is left for nbformat to judge."""
    try:
        raw = json.loads(text)
    except ValueError:
        return text
    cells = raw.get("cells") if isinstance(raw, dict) else None
    changed = False
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if isinstance(cell, dict) and not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
            notes.append(f"cell {index}'s metadata was not readable and was dropped")
            changed = True
    return json.dumps(raw) if changed else text


def read(data: bytes, notes: list[str] | None = None) -> NotebookNode:
    """A notebook from its file's bytes, its cells in a shape the stages can trust, outputs
    cleared; what was dropped to read it goes to ``notes``. Raises ``SubmissionFault`` saying
    what is wrong with it."""
    notes = [] if notes is None else notes
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionFault(f"the file is over {MAX_FILE_BYTES >> 20} MB")
    try:
        nb = nbformat.reads(_loose(data.decode("utf-8"), notes), as_version=4)
    except UnicodeDecodeError as exc:
        raise SubmissionFault(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}): not a notebook"
        ) from exc
    except Exception as exc:  # noqa: BLE001 -- nbformat raises many kinds
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise SubmissionFault(f"the file is not a valid notebook: {first}") from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionFault("the file is not a valid notebook: it has no list of cells")
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = NotebookNode()
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise SubmissionFault(f"the file is not a valid notebook: cell {index} is not a cell")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionFault(f"the file is not a valid notebook: cell {index} has no text")
        clean = NotebookNode(copy.deepcopy(dict(cell)))
        clean["source"] = source
        if "id" in clean and not isinstance(clean["id"], str):
            del clean["id"]  # nbformat gives it a fresh one
        if not isinstance(clean.get("metadata"), dict):
            clean["metadata"] = NotebookNode()
        if clean.cell_type == "code":
            clean["outputs"], clean["execution_count"] = [], None
        cells.append(nbformat.from_dict(clean))
    nb["cells"] = cells
    try:
        size = len(nbformat.writes(nb).encode())
    except (ValueError, RecursionError) as exc:  # lone surrogates, absurd nesting
        raise SubmissionFault(f"the file is not a valid notebook ({type(exc).__name__})") from exc
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionFault(
            f"the notebook's cells are {size >> 20} MB without their outputs; the limit is "
            f"{MAX_NOTEBOOK_BYTES >> 20} MB"
        )
    return nb


def stage(sub: Submission, ctx) -> Submission:
    """Read the file's notebook (never through a link)."""
    if sub.path is not None and not sub.data:
        sub.data = read_bytes(sub.path)
        # what was read is what is graded: the origin's hash is of these bytes
        sub.origin = replace(sub.origin, sha256=hashlib.sha256(sub.data).hexdigest())
    notes: list[str] = []
    sub.nb = read(sub.data, notes)
    for text in notes:
        sub.flag(text)
    return sub


STAGE = Step("intake", stage)

__all__ = ["STAGE", "Found", "find", "read", "stage", "rule"]
