"""Run the stages for a whole class (``grade``) or one notebook (``check``).

A submission flows: ``collect`` (find, read, restore the tests) -> ``verdicts.prepare``
(the hidden tests only report) -> ``execute.run`` on an ``engine`` (local threads or a
Dask cluster: the only stage that may run elsewhere) -> ``verdicts.decide`` and
``score.judge`` -> the gradebook, the state file and ``report``, all in this process.

``grade`` is resumable: after each submission is scored and saved in the gradebook, its
result is written to ``<out>/.state/<student>.json`` with the submission's SHA-256. A
second run regrades only new or changed submissions (all with ``force``); an interrupted
run loses at most the submissions in flight, and grades none twice.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder import course, mistakes, notebooks
from autograder.grading import collect, engine, execute, report, sandbox, score, verdicts
from autograder.grading.sandbox import Limits


@dataclass
class Options:
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    force: bool = False
    progress: bool = True
    cluster: str | None = None  # a Dask scheduler's address: run the jobs there


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


class CanaryFailed(RuntimeError):
    """The course's own solution or its untouched release graded wrongly: the grading
    environment or the course is broken, not the students' work."""


def _start(pool: engine.Engine, restored_nb, graded: verdicts.Plan, options: Options, files):
    """Make the hidden tests report only, leave out the experiments, and run the notebook
    on the engine: ``(future, prepared)``. ``files`` is ``pool.share``'s handle of the lab's
    files. Judging happens here, in the grader's process, once the run is back."""
    prepared = verdicts.prepare(restored_nb, graded)
    future = pool.executor.submit(
        execute.run, restored_nb, options.limits, sandbox=options.sandbox, files=files
    )
    return future, prepared


def _execution(future, nb) -> execute.Execution:
    """The job's ``Execution``. A job that raised instead (its Dask workers died, the
    sandbox could not start) failed on the grading machine, not in the submission."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 -- reported on the submission, never lost
        text = f"the grading job was lost ({type(exc).__name__}: {exc})"
        return execute.Execution(nb, failure=text[:500], environment=True)


def _as_finished(futures):
    """Each future once it is done: those already done first, in the order they were
    submitted, then the others as they finish (``as_completed`` alone would hand over the
    already-done ones in no particular order)."""
    done = [f for f in futures if f.done()]
    yield from done
    yield from as_completed(set(futures).difference(done))


def _finish(student_id, execution, prepared, tampered, sha256, options: Options) -> score.Result:
    verdicts.decide(execution.nb, prepared)
    return score.judge(student_id, execution.nb, execution, tampered, sha256, options.sandbox)


def _diagnosis(text: str, lab: str) -> str:
    """What to do about a failed canary, from what its runs said."""
    if "No module named 'labs'" in text or "cannot import name" in text:
        return (
            f"the kernel cannot import labs: the course's source/{lab}/labs/ is missing or "
            "incomplete. Run `make helpers` (python -m autograder helpers) in the course folder."
        )
    if "DataError" in text or "MANIFEST.json" in text:
        return f"the lab's data files are missing or changed: run `make helpers` for source/{lab}/."
    if "did not start" in text:
        return (
            "no kernel could start: check that this Python environment has ipykernel, and that "
            "bubblewrap works here (or grade with --no-sandbox)."
        )
    return "read the messages above; fix the course or the environment, then grade again."


def canary(
    lab: str,
    course_root: Path,
    options: Options,
    pool: engine.Engine,
    graded: verdicts.Plan,
    files,
    source,
    release,
) -> str:
    """Grade the course's own solution and its untouched release with the same sandbox,
    limits and judging as the students. Raises ``CanaryFailed`` saying why and what to do
    unless the solution gets full marks and the release none; returns a one-line summary."""
    solution = course.filled(lab, mistakes.solution_code(lab, course_root), course_root)
    runs = {}
    for name, nb in (("solution", solution), ("release", copy.deepcopy(release))):
        restored = collect.restore(nb, source, release)
        runs[name] = (
            *_start(pool, restored.nb, graded, options, files),
            restored,
            restored.tampered,
        )
    got, first_error = {}, {}
    for name, (future, prepared, restored, tampered) in runs.items():
        execution = _execution(future, restored.nb)
        got[name] = _finish(f"canary-{name}", execution, prepared, tampered, "", options)
        first_error[name] = next(
            (
                f"cell {i}: {notebooks.error_of(c)}"
                for i, c in enumerate(execution.nb.cells)
                if c.cell_type == "code" and notebooks.error_of(c)
            ),
            execution.failure or "",
        )
    sol, stub = got["solution"], got["release"]
    problems = []
    if sol.status != "graded" or sol.score != sol.max_score:
        problems.append(
            f"The course's own solution scored {sol.score:g} / {sol.max_score:g} ({sol.status})."
            + (
                f"\n  Its first error, in {first_error['solution']}"
                if first_error["solution"]
                else ""
            )
            + (f"\n  Its grading said: {sol.reason}" if sol.reason else "")
        )
    if stub.status == "environment":
        problems.append(f"The untouched release could not be graded: {stub.reason}")
    elif stub.score > 0:
        problems.append(
            f"The untouched release scored {stub.score:g} / {stub.max_score:g}: hidden tests "
            "pass without a solution."
        )
    if problems:
        text = "\n".join(problems)
        raise CanaryFailed(
            f"{lab}: the canary failed, so no student was graded and nothing was written to "
            f"the gradebook.\n{text}\nWhat to do: {_diagnosis(text, lab)}"
        )
    return (
        f"canary on {pool.describe()}: the solution scored {sol.score:g} / {sol.max_score:g}, "
        f"the untouched release {stub.score:g} / {stub.max_score:g}"
    )


def grade(
    lab: str,
    submissions: Path,
    out: Path,
    course_root: Path = notebooks.ROOT,
    options: Options | None = None,
) -> list[score.Result]:
    """Grade every submission of ``lab`` found in ``submissions`` into the course's
    gradebook and ``out``. Before the first student, a canary (``canary``) checks the
    environment; an environment fault stops grading before anything is written. With
    ``options.cluster`` the notebooks run on that Dask cluster (``engine``)."""
    options = options or Options()
    if options.sandbox and not options.cluster:  # a cluster's workers are checked instead
        sandbox.bwrap()  # raises SandboxUnavailable with what to do
    source, release, grade_ids, max_score = _lab_files(lab, course_root)
    files = collect.assignment_files(lab, course_root)
    graded = verdicts.plan(source)
    db_url = course_db_url(course_root)
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
    checked = ""
    pool = (
        engine.start(options.workers, options.cluster, check_sandbox=options.sandbox)
        if todo
        else engine.LocalEngine(1)
    )
    with pool:
        shared = pool.share(files)
        if todo:
            checked = canary(lab, course_root, options, pool, graded, shared, source, release)
        futures = {}
        for item, restored in todo:
            future, prepared = _start(pool, restored.nb, graded, options, shared)
            futures[future] = (item, restored, prepared)
        if todo:  # while the students' notebooks run: nothing is saved before this is done
            ensure_assignment(lab, course_root, db_url)
        bar = tqdm(
            total=len(futures),
            desc=f"grading {lab}",
            unit="submission",
            disable=not options.progress or not futures,
        )
        try:
            for future in _as_finished(futures):
                item, restored, prepared = futures[future]
                execution = _execution(future, restored.nb)
                result = _finish(
                    item.student_id, execution, prepared, restored.tampered, item.sha256, options
                )
                results[item.student_id] = result
                bar.update()
                if result.status == "environment":
                    continue  # not the student's fault: nothing recorded, the next run retries
                _store_copies(course_root, lab, item, execution.nb, files)
                score.save(db_url, lab, result, execution.nb, timestamp=item.timestamp)
                _save_state(state_dir / f"{item.student_id}.json", result)
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
        finally:
            bar.close()
    ordered = [results[item.student_id] for item in found if item.student_id in results]
    report.write_all(
        out,
        lab,
        ordered,
        grade_ids,
        options.sandbox,
        readable,
        canary=checked,
        skipped=len(graded.experiments),
    )
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
    files = collect.assignment_files(lab, course_root)
    with engine.LocalEngine(1) as pool:
        future, prepared = _start(pool, restored.nb, verdicts.plan(source), options, files)
        execution = _execution(future, restored.nb)
    return _finish(item.student_id, execution, prepared, restored.tampered, item.sha256, options)


def summary(results: list[score.Result]) -> str:
    width = max([len(r.student_id) for r in results] + [10])
    lines = [f"{'student':<{width}}  {'score':>11}  {'status':<11} reason"]
    for r in results:
        reason = r.reason if len(r.reason) <= 70 else r.reason[:67] + "..."
        lines.append(
            f"{r.student_id:<{width}}  {r.score:>5g} / {r.max_score:<3g}  {r.status:<11} {reason}"
        )
    counts = {s: sum(r.status == s for r in results) for s in score.STATUSES}
    counted = ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "environment")
    lines.append(f"{len(results)} submissions: {counted}")
    return "\n".join(lines)


__all__ = ["Options", "CanaryFailed", "canary", "grade", "check", "summary", "course_db_url"]
