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

Each stage is a ``stage.Stage``: a name, ``run(sub, ctx)`` over the record and the run's
``Context`` (frozen: what every stage may read), and whether it runs after a fault. A stage
that raises ends the record's grading -- ``SubmissionFault`` as ``error``, ``EnvironmentFault``
as ``environment``, anything else as the stage's ``crashed`` says, with its traceback in
``<out>/grader.log`` -- and only ``record`` still runs, so the failure is the record's row and
nothing else's.

``grade`` runs a class in three steps: ``resume`` (which rows a rerun keeps: those whose file
and neighbours are unchanged), ``run_flows`` (a canary -- the same ``flow`` on the course's
solution and its untouched release -- must pass before any student; then the records go down
the stages in parallel) and ``report`` (the gradebook mirrors the rows; the class's pages).
It returns a ``ClassResult``. Only the canary or a broken course stops a class. ``check`` runs
one notebook down the same stages, with no gradebook.
"""

from __future__ import annotations

import copy
import logging
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder import mistakes, notebooks
from autograder.course import Course, Part
from autograder.errors import ToolError, UsageError
from autograder.grading import (
    gradebook,
    instrument,
    intake,
    judge,
    record,
    restore,
    run,
    score,
)
from autograder.grading import report as report_pages
from autograder.grading.sandbox import bwrap, engine
from autograder.grading.sandbox.bwrap import Limits
from autograder.grading.stage import Stage
from autograder.grading.submission import (
    STATUSES,
    CellResult,
    EnvironmentFault,
    Row,
    Status,
    Submission,
    SubmissionFault,
)
from autograder.text import InertFormatter, inert

STAGES: tuple[Stage, ...] = tuple(
    module.STAGE for module in (intake, restore, instrument, run, judge, score, record)
)
FLOWS_PER_WORKER = 3
LOG = logging.getLogger("autograder.grading")
LOG_FILE = "grader.log"


@dataclass
class Options:
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    sandboxed: bool = True  # run each job in a bubblewrap sandbox (--no-sandbox: False)
    #: without the sandbox, as root: each kernel as an unprivileged host user id of its own,
    #: which reads only what everyone may read (the Gradescope autograder's fallback)
    unprivileged: bool = False
    force: bool = False
    progress: bool = True
    cluster: str | None = None  # a Dask scheduler's address: run the jobs there
    due: str | None = None  # the lab's due date, to record in the gradebook (--due)
    roster: object | None = None  # an ``autograder.platforms.Roster`` (--roster)
    platform_options: dict = field(default_factory=dict)  # the platforms' own (--groups, ...)
    prune: bool = False  # remove from the gradebook even most of the class (--prune)


def _done(value=None) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


@dataclass(frozen=True)
class Context:
    """What every stage of one run may read; a run that records gets its own copy
    (``recording``)."""

    course: Course
    part: Part  # the notebook of the lab this run grades
    plan: instrument.Plan
    limits: Limits
    sandboxed: bool
    engine: engine.Engine
    shared_files: object  # the lab's helper and data files, as the engine shares them
    out: Path | None = None  # where rows are recorded; None: record nothing (check, canary)
    #: the lab's record in the gradebook, made while the first notebooks run: its result is
    #: the gradebook's due date (naive UTC datetime, or None); its error, the record stage's
    assignment: Future = field(default_factory=_done)
    ledger: dict = field(default_factory=dict)  # the output folder's ledger (record.ledger)
    gradebook: gradebook.Writer | None = None  # the run's gradebook writes (the record stage)
    unprivileged: bool = False  # ``Options.unprivileged``

    @classmethod
    def of(cls, course: Course, part: Part, options: Options, pool: engine.Engine) -> Context:
        """A run's context on ``pool``, recording nothing."""
        plan = instrument.plan_of(part.source)
        return cls(
            course,
            part,
            plan,
            options.limits,
            options.sandboxed,
            pool,
            pool.share(part.helper_files),
            unprivileged=options.unprivileged,
        )

    def recording(
        self, out: Path, assignment: Future, ledger: dict, writer: gradebook.Writer
    ) -> Context:
        """This context for a run that records its rows in ``out`` and, through ``writer``,
        the gradebook."""
        return replace(self, out=out, assignment=assignment, ledger=ledger, gradebook=writer)


class CanaryFailed(ToolError):
    """The course's own solution or its untouched release graded wrongly: the grading
    environment or the course is broken, not the students' work."""


def _not_graded(sub: Submission, part: Part, why: str) -> None:
    """A record that will not run: every test cell at 0, saying why."""
    if not sub.cells:
        sub.cells = [
            CellResult(
                g,
                0.0,
                float(notebooks.nbgrader_meta(part.cells[g]).get("points", 0)),
                False,
                "not graded: " + why,
            )
            for g in part.grade_ids
        ]
        sub.max_score = part.max_score


def _fail(sub: Submission, part: Part, status: Status, why: str) -> None:
    sub.stop(status, why)
    _not_graded(sub, part, why)


def flow(sub: Submission, ctx: Context, stages: Sequence[Stage] | None = None) -> Row:
    """One submission down ``stages`` (``STAGES`` unless given); its row. Whatever goes wrong
    is this row's: a fault is logged with its traceback (``grader.log`` while ``grade`` runs)
    under the file's name."""
    if not sub.runs:  # intake already knows it will not run
        _not_graded(sub, ctx.part, sub.stopped.reason)
    for stage in STAGES if stages is None else stages:
        if not sub.runs and not stage.after_fault:
            continue
        try:
            stage.run(sub, ctx)
        except (SubmissionFault, EnvironmentFault) as exc:
            status = Status.ERROR if isinstance(exc, SubmissionFault) else Status.ENVIRONMENT
            LOG.info("%s: %s in its %s stage: %s", sub.file, status, stage.name, exc, exc_info=exc)
            _fail(sub, ctx.part, status, str(exc))
        except Exception as exc:  # noqa: BLE001 -- contained: this submission's row only
            LOG.warning("%s: the %s stage crashed", sub.file, stage.name, exc_info=exc)
            _fail(sub, ctx.part, *stage.crashed(f"{type(exc).__name__}: {str(exc)[:300]}"))
    return sub.row()


def _first_error(sub: Submission) -> str:
    execution = sub.execution
    if execution is None:
        return sub.stopped.reason if sub.stopped else ""
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
    part = ctx.part
    if part.plain:  # the source notebook is its own solution
        solution = copy.deepcopy(part.source)
    else:
        solution = part.filled(mistakes.solution_code(part.assignment, ctx.course))
    subs = {
        name: Submission.of(
            f"<canary: {name}>", None, f"canary-{name}", nbformat.writes(nb).encode()
        )
        for name, nb in (("solution", solution), ("release", copy.deepcopy(part.release)))
    }
    quiet = replace(ctx, out=None)
    with ThreadPoolExecutor(2) as pool:
        rows = dict(zip(subs, pool.map(lambda s: flow(s, quiet), subs.values()), strict=True))
    sol, stub = rows["solution"], rows["release"]
    problems = []
    if part.plain:
        # no known answers: the canary checks that the notebooks run here, and says what
        # the source's own solution scored
        auto = [c for c in sol.cells if not c.by_hand]
        if sol.status in ("error", "environment"):
            problems.append(f"The course's own source notebook could not be graded: {sol.reason}")
        if not problems and stub.status != "environment":
            return (
                f"canary on {ctx.engine.describe()} (a plain nbgrader assignment): the source "
                f"notebook scored {sum(c.points for c in auto):g} / "
                f"{sum(c.max_points for c in auto):g} on its automatic tests, the untouched "
                f"release {stub.raw_score:g}"
            )
    elif sol.status != "graded" or sol.raw_score != sol.max_score:
        first = _first_error(subs["solution"])
        problems.append(
            f"The course's own solution scored {sol.raw_score:g} / {sol.max_score:g} "
            f"({sol.status})."
            + (f"\n  Its first error, in {first}" if first else "")
            + (f"\n  Its grading said: {sol.reason}" if sol.reason else "")
        )
    if stub.status == "environment":
        problems.append(f"The untouched release could not be graded: {stub.reason}")
    elif stub.raw_score > 0 and not part.plain:
        problems.append(
            f"The untouched release scored {stub.raw_score:g} / {stub.max_score:g}: hidden tests "
            "pass without a solution."
        )
    if problems:
        text = "\n".join(problems)
        raise CanaryFailed(
            f"{part.assignment}: the canary failed, so no student was graded and nothing was "
            f"written to the gradebook.\n{text}\nWhat to do: {_diagnosis(text, part.assignment)}"
        )
    return (
        f"canary on {ctx.engine.describe()}: the solution scored {sol.raw_score:g} / "
        f"{sol.max_score:g}, the untouched release {stub.raw_score:g} / {stub.max_score:g}"
    )


@dataclass(frozen=True)
class ClassResult(Sequence[Row]):
    """What grading a class did: its rows (one per file, in path order; the result is the
    sequence of them), what the canary said, the files left to other labs' nbgrader folders,
    what the gradebook's mirror removed, and the output folder."""

    rows: tuple[Row, ...]
    canary: str = ""
    elsewhere: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    out: Path | None = None

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


@dataclass(frozen=True)
class Resume:
    """What a rerun keeps (rows whose file, neighbours and gradebook entry are unchanged)
    and what runs."""

    kept: tuple[Row, ...]
    todo: tuple[Submission, ...]

    @property
    def runs(self) -> bool:
        """Whether any notebook must run (and so a kernel pool and the canary are needed)."""
        return any(sub.runs for sub in self.todo)


def resume(found: intake.Found, out: Path, course: Course, lab: str, options: Options) -> Resume:
    """Which of ``found``'s records a rerun into ``out`` keeps, and which go down the stages."""
    _, in_gradebook = gradebook.late_inputs(course.db_url, lab)
    kept, todo = [], []
    for sub in found.submissions:
        sub.sandboxed = options.sandboxed
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
            kept.append(previous)
        else:
            todo.append(sub)
    return Resume(tuple(kept), tuple(todo))


@contextmanager
def logged(out: Path):
    """While grading into ``out``: every fault, with its traceback, in ``out/grader.log``
    (made inert: its text may come from a submission)."""
    handler = logging.FileHandler(Path(out) / LOG_FILE, encoding="utf-8")
    handler.setFormatter(InertFormatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.INFO)
    logger = logging.getLogger("autograder")
    before = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)
        handler.close()


def grade(
    lab: str,
    submissions: Path,
    out: Path,
    course: Course,
    options: Options | None = None,
) -> ClassResult:
    """Grade every file of ``submissions`` for ``lab`` into the course's gradebook and
    ``out``: one row per file, in path order. Raises only when the class cannot be graded at
    all: no sandbox, an unreachable cluster, a missing folder, a failed canary. Whatever ends
    it, a zip's extracted files are removed (they live in ``<out>/.scratch/`` meanwhile)."""
    options = options or Options()
    out = Path(out)
    if options.sandboxed and not options.cluster:  # a cluster's workers are checked instead
        bwrap.bwrap()  # raises SandboxUnavailable with what to do
    scratch = out / ".scratch"
    shutil.rmtree(scratch, ignore_errors=True)  # what a killed run left
    scratch.mkdir(parents=True)
    try:
        with logged(out):
            parts = course.parts(lab)  # the lab's notebooks: one for this bundle's labs
            found = intake.find(
                Path(submissions),
                lab,
                notebooks=tuple(part.notebook for part in parts),
                other_labs=[other for other in course.labs() if other != lab],
                helper_files=parts[0].helper_files,
                scratch=scratch,
                roster=options.roster,
                options=options.platform_options,
            )
            plan = resume(found, out, course, lab, options)
            rows, checked, skipped = run_flows(plan, parts, out, course, options)
            return report(found, rows, parts, out, course, options, checked, skipped)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _assignment(ctx: Context, due: str | None, needed: bool) -> Future:
    """The lab's record in the gradebook, made on a thread of its own while the first
    notebooks run (when any row will need it); its result is the due date."""
    if not needed:
        return _done()
    one = ThreadPoolExecutor(1, thread_name_prefix="assignment")
    try:
        return one.submit(gradebook.ensure_assignment, ctx.course, ctx.part.assignment, due=due)
    finally:
        one.shutdown(wait=False)  # the thread ends when the record is made


def run_flows(
    plan: Resume, parts: list[Part], out: Path, course: Course, options: Options
) -> tuple[dict[str, Row], str, int]:
    """Every record of ``plan.todo`` down the stages, after the canary, in parallel; the
    rows by file (the kept ones too), what the canary said, and how many experiment cells
    were left out. Interrupted, it ends the kernels that run and keeps what finished."""
    rows = {row.file: row for row in plan.kept}
    pool = (
        engine.start(options.workers, options.cluster, check_sandbox=options.sandboxed)
        if plan.runs
        else engine.LocalEngine(1)
    )
    with pool:
        quiet = {part.notebook: Context.of(course, part, options, pool) for part in parts}
        checked = "\n".join(canary(ctx) for ctx in quiet.values()) if plan.runs else ""
        first = quiet[parts[0].notebook]
        needed = any(sub.counted for sub in plan.todo) or bool(options.due) or bool(plan.kept)
        # the notebooks of one lab share its gradebook entry, and the output folder's ledger
        assignment = _assignment(first, options.due, needed)
        ledger = record.ledger(out, first.part.assignment)
        # the record stages' gradebook writes, batched: closed (what is queued written) once
        # the flows have ended, interrupted or not (below)
        writer = gradebook.Writer(course.db_url, course.config)
        ctxs = {name: ctx.recording(out, assignment, ledger, writer) for name, ctx in quiet.items()}
        default = ctxs[parts[0].notebook]
        # more flows than engine workers: a flow that waits for the gradebook (the lab is
        # recorded while the first notebooks run) must not keep the next notebook waiting
        flows = ThreadPoolExecutor(FLOWS_PER_WORKER * max(1, pool.workers))
        futures = [flows.submit(flow, sub, ctxs.get(sub.notebook, default)) for sub in plan.todo]
        bar = tqdm(
            total=len(futures),
            desc=f"grading {first.part.assignment}",
            unit="file",
            disable=not options.progress or not futures,
        )
        stopped = True
        try:
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
            writer.close()  # the gradebook writer (above)
    if plan.kept and assignment.exception() is None:
        due, extensions = gradebook.late_inputs(course.db_url, first.part.assignment)
        for row in plan.kept:
            if row.counted and record.relate(row, ctxs.get(row.notebook, default), due, extensions):
                record.save_state(out, row)
    skipped = sum(len(ctx.plan.experiments) for ctx in ctxs.values())
    return rows, checked, skipped


def report(
    found: intake.Found,
    rows: dict[str, Row],
    parts: list[Part],
    out: Path,
    course: Course,
    options: Options,
    checked: str,
    skipped: int,
) -> ClassResult:
    """The gradebook made to mirror the rows, and the class's pages; the class's result."""
    ordered = [rows[sub.file] for sub in found.submissions]
    present = {sub.file for sub in found.submissions}
    lab = parts[0].assignment
    removed = record.mirror(out, course, lab, ordered, present, prune=options.prune)
    report_pages.write_all(
        out,
        parts,
        ordered,
        options.sandboxed,
        canary=checked,
        skipped=skipped,
        elsewhere=found.elsewhere,
        removed=removed,
    )
    return ClassResult(tuple(ordered), checked, tuple(found.elsewhere), tuple(removed), out)


def grade_ids_of(nb) -> set[str]:
    """The grade ids a submitted notebook's cells carry."""
    return {gid for c in nb.cells if (gid := notebooks.grade_id(c))}


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
    raise UsageError(f"{path} is not a notebook of any lab of the course ({', '.join(labs)})")


def check(path: Path, course: Course, options: Options | None = None) -> Row:
    """Grade one notebook down the same stages against every test of its lab, hidden ones
    included, with points from the course's source; nothing is recorded."""
    options = options or Options()
    if options.sandboxed:
        bwrap.bwrap()
    path = Path(path)
    try:
        data = intake.read_bytes(path)
        nb = intake.read(data)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except SubmissionFault as exc:
        raise UsageError(f"{path}: {exc}") from exc
    parts = course.parts(guess_lab(nb, path, course))
    part = next((p for p in parts if p.notebook == path.stem), None) or next(
        (p for p in parts if grade_ids_of(nb) & set(p.cells)), parts[0]
    )
    sub = Submission.of(path.name, path, path.stem, data, sandboxed=options.sandboxed)
    with engine.LocalEngine(1) as pool:
        ctx = Context.of(course, part, options, pool)
        return flow(sub, ctx)


def summary(rows: list[Row]) -> str:
    """The class as a table for a terminal: one line per file, and one per group member a
    file also counts for."""
    shown = report_pages.lines(rows)
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
    files = report_pages.file_count(rows)
    lines.append(f"{files} files in {len(rows)} rows, {students} students: {counted}")
    return "\n".join(lines)


__all__ = [
    "STAGES",
    "Options",
    "Context",
    "ClassResult",
    "Resume",
    "CanaryFailed",
    "flow",
    "canary",
    "resume",
    "run_flows",
    "report",
    "grade",
    "check",
]
