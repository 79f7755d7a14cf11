"""The path of one submission, and the class run around it.

A submission is one file of the submissions folder. ``intake.find`` makes a record of every
file (``submission.Submission``); then each record goes down ``STAGES``, in this order:

1. ``intake``      read the file's notebook, refusing what is not one;
2. ``restore``     put back the course's tests and take every grade id, point and cell kind
                   from the course's source, never from the submission;
3. ``instrument``  make the hidden tests report their results only; leave out experiments;
4. ``run``         execute it in its own sandboxed kernel, on the engine (threads here or a
                   Dask cluster: the only stage that may run elsewhere);
5. ``judge``       read each hidden test's results and decide, in this process;
6. ``score``       points by nbgrader's rule, the status and the reason;
7. ``record``      the gradebook, nbgrader's folders and the resume state.

Each stage takes the record and the run's ``Context`` and returns the record. A stage that
raises ends the record's grading -- ``SubmissionFault`` as ``error``, ``EnvironmentFault`` as
``environment``, anything else as ``error`` naming the stage -- and only ``record`` still
runs, so the failure is the record's row and nothing else's. ``report`` then writes the
class's pages from every row.

``grade`` runs a class: a canary (the same ``flow`` on two synthetic submissions, the
course's solution and its untouched release) must pass before any student; the records go
down the stages in parallel; a rerun keeps every row whose file and neighbours are unchanged.
Only the canary or a broken course stops a class. ``check`` runs one notebook down the same
stages, with no gradebook.
"""

from __future__ import annotations

import copy
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder import mistakes, notebooks
from autograder.course import Course, Lab
from autograder.grading import (
    gradebook,
    instrument,
    intake,
    judge,
    record,
    report,
    restore,
    run,
    score,
)
from autograder.grading.sandbox import bwrap, engine
from autograder.grading.sandbox.bwrap import Limits
from autograder.grading.submission import (
    STATUSES,
    CellResult,
    EnvironmentFault,
    Row,
    Submission,
    SubmissionFault,
)
from autograder.text import inert

STAGES = (intake, restore, instrument, run, judge, score, record)
FLOWS_PER_WORKER = 3


@dataclass
class Options:
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    force: bool = False
    progress: bool = True
    cluster: str | None = None  # a Dask scheduler's address: run the jobs there
    due: str | None = None  # the lab's due date, to record in the gradebook (--due)
    roster: object | None = None  # an ``autograder.platforms.Roster`` (--roster)
    platform_options: dict = field(default_factory=dict)  # the platforms' own (--groups, ...)
    prune: bool = False  # remove from the gradebook even most of the class (--prune)


@dataclass
class Context:
    """What every stage of one run may read."""

    course: Course
    lab: Lab
    plan: instrument.Plan
    limits: Limits
    sandbox: bool
    engine: engine.Engine
    files: object  # the lab's helper and data files, as the engine shares them
    out: Path | None = None  # where rows are recorded; None: record nothing (check, canary)
    assignment_recorded: threading.Event = field(default_factory=threading.Event)
    assignment_error: list[str] = field(default_factory=list)
    due: object | None = None  # the gradebook's due date (naive UTC datetime), once recorded
    set_due: str | None = None  # what --due asked for
    recorded: dict = field(default_factory=dict)  # the output folder's ledger (record.ledger)

    @classmethod
    def of(cls, course: Course, lab: Lab, options: Options, pool: engine.Engine) -> Context:
        """A run's context on ``pool``, recording nothing until ``out`` is set."""
        plan = instrument.plan_of(lab.source)
        return cls(course, lab, plan, options.limits, options.sandbox, pool, pool.share(lab.files))


class CanaryFailed(RuntimeError):
    """The course's own solution or its untouched release graded wrongly: the grading
    environment or the course is broken, not the students' work."""


def _not_graded(sub: Submission, lab: Lab, why: str) -> None:
    """A record that will not run: every test cell at 0, saying why."""
    if not sub.cells:
        sub.cells = [
            CellResult(
                g,
                0.0,
                float(notebooks.nbgrader_meta(lab.cells[g]).get("points", 0)),
                False,
                "not graded: " + why,
            )
            for g in lab.grade_ids
        ]
        sub.max_score = lab.max_score


def _fail(sub: Submission, lab: Lab, status: str, why: str) -> None:
    sub.status, sub.fault = status, why
    _not_graded(sub, lab, why)


def flow(sub: Submission, ctx: Context) -> Row:
    """One submission down ``STAGES``; its row. Whatever goes wrong is this row's."""
    if sub.status is not None:  # intake already knows it will not run
        _not_graded(sub, ctx.lab, sub.fault)
    for stage in STAGES:
        if sub.status is not None and stage is not record:
            continue
        name = stage.__name__.rsplit(".", 1)[-1]
        try:
            stage.stage(sub, ctx)
        except SubmissionFault as exc:
            _fail(sub, ctx.lab, "error", str(exc))
        except EnvironmentFault as exc:
            _fail(sub, ctx.lab, "environment", str(exc))
        except Exception as exc:  # noqa: BLE001 -- contained: this submission's row only
            what = f"{type(exc).__name__}: {str(exc)[:300]}"
            if stage is record:
                _fail(
                    sub,
                    ctx.lab,
                    "environment",
                    f"could not be recorded ({what}); nothing was kept: grade again",
                )
            else:
                _fail(
                    sub,
                    ctx.lab,
                    "error",
                    f"the grader failed on this file in its {name} stage ({what}); "
                    "grade it by hand, and report the file to the course's developers",
                )
    return sub.row()


def _first_error(sub: Submission) -> str:
    execution = sub.execution
    if execution is None:
        return sub.fault
    return next(
        (
            f"cell {i}: {notebooks.error_of(c)}"
            for i, c in enumerate(execution.nb.cells)
            if c.cell_type == "code" and notebooks.error_of(c)
        ),
        execution.failure or "",
    )


def _diagnosis(text: str, lab: str) -> str:
    """What to do about a failed canary, from what its runs said."""
    if "No module named 'labs'" in text or "cannot import name" in text:
        return (
            f"the kernel cannot import labs: the course's source/{lab}/labs/ is missing or "
            "incomplete. Run `make helpers` (python -m autograder helpers) in the course folder."
        )
    if "DataError" in text or "MANIFEST.json" in text:
        return f"the lab's data files are missing or changed: run `make helpers` for source/{lab}/."
    if "sandbox could not be made" in text:
        return (
            "the kernels' namespaces could not be made: unprivileged user namespaces must be "
            "allowed (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > "
            "0), or grade with --no-sandbox."
        )
    if "did not start" in text:
        return (
            "no kernel could start: check that this Python environment has ipykernel, and that "
            "bubblewrap works here (or grade with --no-sandbox)."
        )
    return "read the messages above; fix the course or the environment, then grade again."


def canary(ctx: Context) -> str:
    """Grade the course's own solution and its untouched release down the same stages, with
    the same sandbox and limits, recording nothing. Raises ``CanaryFailed`` saying why and
    what to do unless the solution gets full marks and the release none; returns a line."""
    lab = ctx.lab
    if lab.plain:  # the source notebook is its own solution
        solution = copy.deepcopy(lab.source)
    else:
        solution = lab.filled(mistakes.solution_code(lab.name, ctx.course.root))
    subs = {
        name: Submission(f"<canary: {name}>", None, f"canary-{name}", nbformat.writes(nb).encode())
        for name, nb in (("solution", solution), ("release", copy.deepcopy(lab.release)))
    }
    quiet = replace(ctx, out=None)
    with ThreadPoolExecutor(2) as pool:
        rows = dict(zip(subs, pool.map(lambda s: flow(s, quiet), subs.values()), strict=True))
    sol, stub = rows["solution"], rows["release"]
    problems = []
    if lab.plain:
        # no known answers: the canary checks that the notebooks run here, and says what
        # the source's own solution scored
        auto = [c for c in sol.cells if c.message != score.BY_HAND]
        if sol.status in ("error", "environment"):
            problems.append(f"The course's own source notebook could not be graded: {sol.reason}")
        if not problems and stub.status != "environment":
            return (
                f"canary on {ctx.engine.describe()} (a plain nbgrader assignment): the source "
                f"notebook scored {sum(c.points for c in auto):g} / "
                f"{sum(c.max_points for c in auto):g} on its automatic tests, the untouched "
                f"release {stub.score:g}"
            )
    elif sol.status != "graded" or sol.score != sol.max_score:
        first = _first_error(subs["solution"])
        problems.append(
            f"The course's own solution scored {sol.score:g} / {sol.max_score:g} ({sol.status})."
            + (f"\n  Its first error, in {first}" if first else "")
            + (f"\n  Its grading said: {sol.reason}" if sol.reason else "")
        )
    if stub.status == "environment":
        problems.append(f"The untouched release could not be graded: {stub.reason}")
    elif stub.score > 0 and not lab.plain:
        problems.append(
            f"The untouched release scored {stub.score:g} / {stub.max_score:g}: hidden tests "
            "pass without a solution."
        )
    if problems:
        text = "\n".join(problems)
        raise CanaryFailed(
            f"{lab.name}: the canary failed, so no student was graded and nothing was written "
            f"to the gradebook.\n{text}\nWhat to do: {_diagnosis(text, lab.name)}"
        )
    return (
        f"canary on {ctx.engine.describe()}: the solution scored {sol.score:g} / "
        f"{sol.max_score:g}, the untouched release {stub.score:g} / {stub.max_score:g}"
    )


def _record_assignment(ctxs: list[Context]) -> None:
    """Record the lab in the gradebook (while the first notebooks run); the record stage
    waits for it, and reports it as the environment's fault if it failed."""
    first = ctxs[0]
    try:
        due = gradebook.ensure_assignment(first.course, first.lab.name, due=first.set_due)
        for ctx in ctxs:
            ctx.due = due
    except Exception as exc:  # noqa: BLE001 -- every row waiting on it says so
        first.assignment_error.append(f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        first.assignment_recorded.set()


def grade(
    lab: str,
    submissions: Path,
    out: Path,
    course: Course,
    options: Options | None = None,
) -> list[Row]:
    """Grade every file of ``submissions`` for ``lab`` into the course's gradebook and
    ``out``: one row per file, in path order. Raises only when the class cannot be graded at
    all: no sandbox, an unreachable cluster, a missing folder, a failed canary. Whatever ends
    it, a zip's extracted files are removed (they live in ``<out>/.scratch/`` meanwhile)."""
    options = options or Options()
    if options.sandbox and not options.cluster:  # a cluster's workers are checked instead
        bwrap.bwrap()  # raises SandboxUnavailable with what to do
    scratch = Path(out) / ".scratch"
    shutil.rmtree(scratch, ignore_errors=True)  # what a killed run left
    scratch.mkdir(parents=True)
    try:
        return _grade(lab, Path(submissions), Path(out), course, options, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _grade(lab, submissions, out, course, options, scratch) -> list[Row]:
    parts = course.parts(lab)  # the lab's notebooks: one for this bundle's labs
    found = intake.find(
        submissions,
        lab,
        notebooks=tuple(part.notebook for part in parts),
        other_labs=[other for other in course.labs() if other != lab],
        helper_files=parts[0].files,
        scratch=scratch,
        roster=options.roster,
        options=options.platform_options,
    )
    rows: dict[str, Row] = {}
    todo = []
    _, in_gradebook = gradebook.late_inputs(course.db_url, lab)
    kept = []
    for sub in found.submissions:
        sub.sandboxed = options.sandbox
        previous = record.load_state(out, sub.file)
        recorded = previous is not None and (
            not previous.counted
            or previous.status == "environment"
            or all(
                s in in_gradebook
                for s in [previous.student_id, *(m["student_id"] for m in previous.members)]
            )
        )
        if previous is not None and previous.key == sub.key and recorded and not options.force:
            now = sub.row()  # when it was handed in may have changed: lateness follows
            previous.time, previous.time_from = now.time, now.time_from
            previous.marked_late = now.marked_late
            rows[sub.file] = previous
            kept.append(previous)
        else:
            todo.append(sub)
    runs = any(sub.status is None for sub in todo)
    pool = (
        engine.start(options.workers, options.cluster, check_sandbox=options.sandbox)
        if runs
        else engine.LocalEngine(1)
    )
    checked = ""
    with pool:
        ctxs = {part.notebook: Context.of(course, part, options, pool) for part in parts}
        ctx = ctxs[parts[0].notebook]
        for other in ctxs.values():  # the notebooks of one lab share its gradebook entry
            other.assignment_recorded = ctx.assignment_recorded
            other.assignment_error = ctx.assignment_error
        if runs:
            checked = "\n".join(canary(part) for part in ctxs.values())
        recorded = record.ledger(out, lab)
        for part in ctxs.values():
            part.out, part.set_due, part.recorded = out, options.due, recorded
        # more flows than engine workers: a flow that waits for the gradebook (the lab is
        # recorded while the first notebooks run) must not keep the next notebook waiting
        flows = ThreadPoolExecutor(FLOWS_PER_WORKER * max(1, pool.workers))
        futures = {flows.submit(flow, sub, ctxs.get(sub.notebook, ctx)): sub for sub in todo}
        bar = tqdm(
            total=len(futures),
            desc=f"grading {lab}",
            unit="file",
            disable=not options.progress or not futures,
        )
        stopped = True
        try:
            if any(sub.counted for sub in todo) or options.due or kept:
                _record_assignment(list(ctxs.values()))  # while the first notebooks run
            else:
                ctx.assignment_recorded.set()
            for future in as_completed(futures):
                row = future.result()
                rows[row.file] = row
                bar.update()
            stopped = False
        finally:
            bar.close()
            if stopped:  # interrupted: end the kernels that run, keep what finished
                pool.close(cancel=True)
            flows.shutdown(wait=True, cancel_futures=stopped)
    if kept and not ctx.assignment_error:
        due, extensions = gradebook.late_inputs(course.db_url, lab)
        for row in kept:
            if row.counted and record.relate(row, ctxs.get(row.notebook, ctx), due, extensions):
                record.save_state(out, row)
    ordered = [rows[sub.file] for sub in found.submissions]
    present = {sub.file for sub in found.submissions}
    removed = record.mirror(out, course, lab, ordered, present, prune=options.prune)
    report.write_all(
        out,
        parts,
        ordered,
        options.sandbox,
        canary=checked,
        skipped=sum(len(c.plan.experiments) for c in ctxs.values()),
        elsewhere=found.elsewhere,
        removed=removed,
    )
    return ordered


def grade_ids_of(nb) -> set[str]:
    """The grade ids a submitted notebook's cells carry."""
    return {gid for c in nb.cells if isinstance(gid := restore._grade_id(c), str)}


def guess_lab(nb, path: Path, course: Course) -> str:
    """The lab of a notebook: its file name if that is a lab of the course, else the lab
    whose graded cells it contains."""
    labs = course.labs()
    if path.stem in labs:
        return path.stem
    ids = grade_ids_of(nb)
    for lab in labs:
        if any(ids & set(part.grade_ids) for part in course.readable(lab)):
            return lab
    raise ValueError(f"{path} is not a notebook of any lab of the course ({', '.join(labs)})")


def check(path: Path, course: Course, options: Options | None = None) -> Row:
    """Grade one notebook down the same stages against every test of its lab, hidden ones
    included, with points from the course's source; nothing is recorded."""
    options = options or Options()
    if options.sandbox:
        bwrap.bwrap()
    path = Path(path)
    data = intake.read_bytes(path)
    try:
        nb = intake.read(data)
    except SubmissionFault as exc:
        raise ValueError(f"{path}: {exc}") from exc
    parts = course.parts(guess_lab(nb, path, course))
    the_lab = next((p for p in parts if p.notebook == path.stem), None) or next(
        (p for p in parts if grade_ids_of(nb) & set(p.cells)), parts[0]
    )
    sub = Submission(path.name, path, path.stem, data, sandboxed=options.sandbox)
    with engine.LocalEngine(1) as pool:
        ctx = Context.of(course, the_lab, options, pool)
        return flow(sub, ctx)


def summary(rows: list[Row]) -> str:
    """The class as a table for a terminal: one line per file, and one per group member a
    file also counts for."""
    shown = report.lines(rows)
    names = [inert(r.file) for r in shown]
    width = max([len(name) for name in names] + [10])
    lines = [f"{'file':<{width}}  {'score':>11}  {'status':<11} reason"]
    for r, name in zip(shown, names, strict=True):
        reason = inert(r.reason)
        reason = reason if len(reason) <= 70 else reason[:67] + "..."
        points = f"{r.final_score:>5g} / {r.max_score:<3g}" if r.counted else f"{'-':>5}   {'':<3}"
        lines.append(f"{name:<{width}}  {points}  {r.status:<11} {reason}")
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    counted = ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "environment")
    students = len({r.student_id for r in shown if r.counted})
    files = report.file_count(rows)
    lines.append(f"{files} files in {len(rows)} rows, {students} students: {counted}")
    return "\n".join(lines)


__all__ = ["STAGES", "Options", "Context", "CanaryFailed", "flow", "canary", "grade", "check"]
