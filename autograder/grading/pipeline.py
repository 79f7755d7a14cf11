"""Run the stages for a whole class (``grade``) or one notebook (``check``).

``grade`` is resumable: after each submission is scored and saved in the gradebook, its
result is written to ``<out>/.state/<student>.json`` with the submission's SHA-256. A
second run regrades only new or changed submissions (all with ``force``); an interrupted
run loses at most the submissions in flight, and grades none twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder import notebooks
from autograder.grading import collect, execute, report, sandbox, score
from autograder.grading.sandbox import Limits


@dataclass
class Options:
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    force: bool = False
    progress: bool = True


def course_db_url(course_root: Path) -> str:
    """The gradebook URL of the course, as its nbgrader_config.py sets it."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    url = config.CourseDirectory.get("db_url")
    return str(url) if url else f"sqlite:///{course_root / 'gradebook.db'}"


def ensure_assignment(lab: str, course_root: Path, db_url: str) -> None:
    """Make sure the gradebook knows the lab and its cells (what generate_assignment records),
    without touching release/."""
    from nbgrader.api import Gradebook, MissingEntry

    score._fast_gradebook()
    with Gradebook(db_url) as gb:
        try:
            if gb.find_assignment(lab).notebooks:
                return
        except MissingEntry:
            pass
    with tempfile.TemporaryDirectory() as tmp:
        notebooks.nbgrader(
            "generate_assignment",
            lab,
            "--force",
            f"--CourseDirectory.release_directory={tmp}",
            cwd=course_root,
            db_url=db_url,
        )


def _lab_files(lab: str, course_root: Path):
    source = notebooks.read(notebooks.source_path(lab, course_root))
    release = notebooks.read(notebooks.release_path(lab, course_root))
    graded = list(notebooks.graded_cells(source))
    grade_ids = [notebooks.nbgrader_meta(c)["grade_id"] for c in graded]
    max_score = float(sum(notebooks.nbgrader_meta(c).get("points", 0) for c in graded))
    return source, release, grade_ids, max_score


def _save_state(path: Path, result: score.Result) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result.to_dict()))
    os.replace(tmp, path)


def _load_state(path: Path) -> score.Result | None:
    try:
        return score.Result.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _store_copies(
    course_root: Path, lab: str, item: collect.Found, executed, files: dict[str, bytes]
) -> None:
    """Keep nbgrader's layout so formgrader, manual grading and ``nbgrader generate_feedback``
    / ``release_feedback`` see the submission: ``submitted/<student>/<lab>/`` with the notebook
    and nbgrader's timestamp and secret, and ``autograded/<student>/<lab>/`` with the executed
    notebook, those files and the lab's own helpers (as ``nbgrader autograde`` leaves it)."""
    sub = course_root / "submitted" / item.student_id / lab
    sub.mkdir(parents=True, exist_ok=True)
    target = sub / f"{lab}.ipynb"
    if not (target.is_file() and target.read_bytes() == item.data):
        target.write_bytes(item.data)
    for name, content in item.extras.items():
        if not (sub / name).is_file():
            (sub / name).write_bytes(content)
    if executed is None:
        return
    done = course_root / "autograded" / item.student_id / lab
    done.mkdir(parents=True, exist_ok=True)
    for name, content in {**item.extras, **files}.items():
        (done / name).parent.mkdir(parents=True, exist_ok=True)
        (done / name).write_bytes(content)
    nbformat.write(executed, str(done / f"{lab}.ipynb"))


def grade(
    lab: str,
    submissions: Path,
    out: Path,
    course_root: Path = notebooks.ROOT,
    options: Options | None = None,
) -> list[score.Result]:
    options = options or Options()
    if options.sandbox:
        sandbox.bwrap()  # raises SandboxUnavailable with what to do
    source, release, grade_ids, max_score = _lab_files(lab, course_root)
    files = collect.assignment_files(lab, course_root)
    db_url = course_db_url(course_root)
    ensure_assignment(lab, course_root, db_url)
    state_dir = out / ".state"
    found = collect.find(submissions, lab)
    results: dict[str, score.Result] = {}
    readable: dict[str, object] = {}
    todo = []
    for item in found:
        state = state_dir / f"{item.student_id}.json"
        previous = None if options.force else _load_state(state)
        nb = None
        if item.problem is None:
            try:
                nb = collect.read(item)
                readable[item.student_id] = nb
            except ValueError as exc:
                item.problem = str(exc)
        if (
            previous is not None
            and previous.sha256 == item.sha256
            and (previous.sandboxed == options.sandbox)
        ):
            results[item.student_id] = previous
            continue
        if item.problem is not None:
            result = score.ungradable(
                item.student_id, item.problem, item.sha256, max_score, grade_ids
            )
            if collect.STUDENT_ID.match(item.student_id):
                _store_copies(course_root, lab, item, None, files)
            results[item.student_id] = result
            _save_state(state, result)
            continue
        todo.append((item, collect.restore(nb, source, release)))
    with ThreadPoolExecutor(max(1, options.workers)) as pool:
        futures = {
            pool.submit(
                execute.run,
                restored.nb,
                options.limits,
                sandbox=options.sandbox,
                files=files,
            ): (item, restored)
            for item, restored in todo
        }
        bar = tqdm(
            total=len(futures),
            desc=f"grading {lab}",
            unit="submission",
            disable=not options.progress or not futures,
        )
        try:
            for future in as_completed(futures):
                item, restored = futures[future]
                execution = future.result()
                result = score.judge(
                    item.student_id,
                    execution.nb,
                    execution,
                    restored.tampered,
                    item.sha256,
                    options.sandbox,
                )
                _store_copies(course_root, lab, item, execution.nb, files)
                score.save(db_url, lab, result, execution.nb, timestamp=item.timestamp)
                _save_state(state_dir / f"{item.student_id}.json", result)
                results[item.student_id] = result
                bar.update()
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
        finally:
            bar.close()
    ordered = [results[item.student_id] for item in found if item.student_id in results]
    report.write_all(out, lab, ordered, grade_ids, options.sandbox, readable)
    return ordered


def guess_lab(nb, path: Path, course_root: Path = notebooks.ROOT) -> str:
    """The lab of a notebook: its file name if that is a lab id, else the lab whose
    graded cells it contains."""
    if path.stem in notebooks.LABS and notebooks.source_path(path.stem, course_root).exists():
        return path.stem
    ids = {notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells} - {None}
    for lab in notebooks.available_labs(course_root):
        src = notebooks.read(notebooks.source_path(lab, course_root))
        if ids & {notebooks.nbgrader_meta(c)["grade_id"] for c in notebooks.graded_cells(src)}:
            return lab
    raise ValueError(f"{path} is not a notebook of any lab ({', '.join(notebooks.LABS)})")


def check(
    path: Path, course_root: Path = notebooks.ROOT, options: Options | None = None
) -> score.Result:
    """Grade one notebook against every test of its lab, hidden ones included."""
    options = options or Options()
    if options.sandbox:
        sandbox.bwrap()
    data = Path(path).read_bytes()
    item = collect.Found(Path(path).stem, Path(path), data)
    nb = collect.read(item)
    lab = guess_lab(nb, Path(path), course_root)
    source, release, _, _ = _lab_files(lab, course_root)
    restored = collect.restore(nb, source, release)
    execution = execute.run(
        restored.nb,
        options.limits,
        sandbox=options.sandbox,
        files=collect.assignment_files(lab, course_root),
    )
    return score.judge(
        item.student_id, execution.nb, execution, restored.tampered, item.sha256, options.sandbox
    )


def summary(results: list[score.Result]) -> str:
    width = max([len(r.student_id) for r in results] + [10])
    lines = [f"{'student':<{width}}  {'score':>11}  {'status':<8} reason"]
    for r in results:
        reason = r.reason if len(r.reason) <= 70 else r.reason[:67] + "..."
        lines.append(
            f"{r.student_id:<{width}}  {r.score:>5g} / {r.max_score:<3g}  {r.status:<8} {reason}"
        )
    counts = {s: sum(r.status == s for r in results) for s in ("graded", "flagged", "error")}
    lines.append(
        f"{len(results)} submissions: {counts['graded']} graded, {counts['flagged']} "
        f"flagged, {counts['error']} error"
    )
    return "\n".join(lines)


__all__ = ["Options", "grade", "check", "summary", "course_db_url"]
