"""``python -m autograder`` (also the ``autograder`` console script).

Grading: ``grade LAB SUBMISSIONS`` grades a class (sandboxed, parallel, resumable) into
the course's gradebook and writes grades.csv, results.json, feedback and a report;
``check NOTEBOOK`` grades one notebook against all tests of its lab.
Authoring: ``data``, ``helpers``, ``given``, ``expected``, ``sweeps``, ``release`` generate files
in the course folder (found from the working folder, or ``--course``), never in the folder this
tool is installed in; each has ``--check`` to report staleness without writing.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from autograder.errors import ToolError, UsageError
from autograder.text import inert


def _course(args):
    """The course a command works on: ``--course``, else the folder holding
    nbgrader_config.py, the working folder or a parent of it (``Course.find``)."""
    from autograder.course import Course

    return Course.find(args.course)


def cmd_data(args) -> int:
    from autograder.authoring import datasets

    data_dir = _course(args).data_dir
    if args.check:
        planned = datasets.planned_files()
        stale = [
            n
            for n, b in planned.items()
            if not (data_dir / n).is_file() or (data_dir / n).read_bytes() != b
        ]
        print("data/ is up to date" if not stale else f"stale in data/: {', '.join(stale)}")
        return 1 if stale else 0
    changed = datasets.write(data_dir)
    print(f"wrote {', '.join(changed)}" if changed else "data/ is up to date")
    return 0


def cmd_sweeps(args) -> int:
    from autograder.authoring import sweeps

    course = _course(args)
    course.authored_labs([sweeps.LAB])
    if args.check:
        problems = sweeps.stale(course, recompute=args.recompute)
        print("\n".join(problems) if problems else f"{sweeps.FILE} of {sweeps.LAB} is up to date")
        return 1 if problems else 0
    written = sweeps.update(course, force=args.force)
    print(
        f"wrote {sweeps.path(course)}"
        if written
        else f"{sweeps.FILE} of {sweeps.LAB} is up to date"
    )
    return 0


def cmd_given(args) -> int:
    from autograder.authoring import given

    status = 0
    course = _course(args)
    for lab in course.authored_labs(args.lab):
        stale = given.stale(lab, course) if args.check else given.update(lab, course)
        verb = "stale given cells" if args.check else "rewrote"
        print(f"{lab}: " + (f"{verb} {', '.join(stale)}" if stale else "given cells up to date"))
        status |= bool(stale) and args.check
    return status


def cmd_helpers(args) -> int:
    from autograder.authoring import helpers

    status = 0
    course = _course(args)
    for lab in course.authored_labs(args.lab):
        changed = helpers.stale(lab, course) if args.check else helpers.update(lab, course)
        verb = "stale copies" if args.check else "wrote"
        where = f"source/{lab}/"
        print(
            f"{lab}: "
            + (f"{verb} in {where}: {', '.join(changed)}" if changed else "helpers up to date")
        )
        status |= bool(changed) and args.check
    return status


def cmd_expected(args) -> int:
    from autograder.authoring import expected, mistake_results

    status = 0
    course = _course(args)
    for lab in course.authored_labs(args.lab):
        src = course.source_path(lab)
        if args.check:
            stale = expected.stale(src)
            stale_hints = mistake_results.stale(lab, course)
            for what, cells in (("expected arrays", stale), ("mistakes blocks", stale_hints)):
                print(
                    f"{lab}: "
                    + (
                        f"stale {what} in {', '.join(cells)}; run `make expected`"
                        if cells
                        else f"{what} up to date"
                    )
                )
            status |= bool(stale or stale_hints)
        else:
            changed = expected.update(src)
            print(
                f"{lab}: "
                + (f"rewrote {', '.join(changed)}" if changed else "expected arrays up to date")
            )
            rewrote = mistake_results.update(lab, course)
            print(
                f"{lab}: "
                + (
                    f"rewrote the mistakes blocks of {len(rewrote)} test cells"
                    if rewrote
                    else "mistakes blocks up to date"
                )
            )
    return status


def cmd_release(args) -> int:
    from autograder.authoring import release

    status = 0
    course = _course(args)
    for lab in course.authored_labs(args.lab):
        if args.check:
            stale = release.stale(lab, course)
            print(
                f"{lab}: "
                + (
                    f"release differs from source in {', '.join(stale)}; run `make release`"
                    if stale
                    else "release up to date"
                )
            )
            status |= bool(stale)
        else:
            out = release.generate(lab, course)
            print(f"{lab}: wrote {out.relative_to(course.root)}/")
    return status


def cmd_lab(args) -> int:
    from autograder import studentlab

    course = _course(args)
    workspace = (args.dir or course.root / "my-labs").resolve()
    return studentlab.main(workspace, args.jupyter_args, course)


def cmd_demo(args) -> int:
    from autograder import demo

    return demo.main()


def _limits(args):
    from autograder.grading.sandbox import Limits

    return Limits(
        cell_timeout=args.timeout,
        memory_mb=args.memory,
        disk_mb=args.disk,
        wall_timeout=max(args.timeout * 10, 120),
    )


def _disk_mb(text: str) -> int:
    """``--disk``: at least 16 MB (the lab's files go on it; a tmpfs of size 0 has none)."""
    try:
        mb = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of MB") from None
    if mb < 16:
        raise argparse.ArgumentTypeError(f"{mb} MB: give at least 16 (the lab's files go there)")
    return mb


def _add_limits(p) -> None:
    p.add_argument(
        "--timeout",
        type=int,
        default=30,
        metavar="SECONDS",
        help="time limit per cell (default 30; the whole notebook gets 10x, at least 120 s)",
    )
    p.add_argument(
        "--memory",
        type=int,
        default=2048,
        metavar="MB",
        help="memory limit of each process of a job (default 2048)",
    )
    p.add_argument(
        "--disk",
        type=_disk_mb,
        default=512,
        metavar="MB",
        help="what a job may write in all, in memory (a tmpfs), with at most 10000 files "
        "(default 512)",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code without bubblewrap, with your rights (reports say so)",
    )


#: ``grade``'s exit statuses (docs/instructors/grading-rules.md, "Exit status"): every counted
#: row is in the gradebook; the command or the course cannot be used as given (nothing
#: graded); some rows met a failure of the grading machine (``environment``), so run it
#: again; interrupted.
EXIT_OK, EXIT_USAGE, EXIT_AGAIN, EXIT_INTERRUPTED = 0, 2, 75, 130


def _zone(name: str | None, course):
    """The time zone of platforms' local times: ``--timezone``, else the course's
    ``c.Exchange.timezone`` when its nbgrader_config.py sets one, else None."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = name or course.config.get("Exchange", {}).get("timezone")
    if not name:
        return None
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {name!r}: not a time zone; give an IANA name such as Europe/Berlin "
            "or America/New_York"
        ) from None


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt  # a terminated run cleans up as an interrupted one does


def cmd_grade(args) -> int:
    import signal

    from autograder.course import Course
    from autograder.grading import pipeline, record

    course = Course.find(args.course)
    lab = course.check_lab(args.lab)
    out = Path(args.out) if args.out else course.root / "graded" / lab
    roster = None
    if args.due:
        from nbgrader.utils import parse_utc

        try:
            parse_utc(args.due)
        except ValueError as exc:  # nbgrader's word on the date, as the tool's own error
            raise UsageError(f"--due {args.due!r}: {exc}") from None
    if args.roster:
        from autograder.platforms import Roster

        roster = Roster.read(Path(args.roster), args.roster_id)
    chosen = {name: getattr(args, name, None) for name in _platform_options()}
    chosen["timezone"] = _zone(chosen.get("timezone"), course)
    options = pipeline.Options(
        workers=args.workers,
        limits=_limits(args),
        sandboxed=not args.no_sandbox,
        force=args.force,
        cluster=args.cluster,
        due=args.due,
        roster=roster,
        platform_options=chosen,
        prune=args.prune,
    )
    before = signal.signal(signal.SIGTERM, _on_sigterm)
    if options.sandboxed and not options.cluster:
        from autograder.grading.sandbox import bwrap

        print(f"limits per job: {options.limits.describe()}\nCPU share: {bwrap.cpu_share()}")
    elif options.sandboxed:
        print(f"limits per job: {options.limits.describe()} (CPU share: as each worker allows)")
    else:
        print(
            "NO SANDBOX: student code runs with your rights; only time, output, memory and "
            "file size are bounded"
        )
    try:
        result = pipeline.grade(lab, Path(args.submissions), out, course, options)
    except KeyboardInterrupt:
        kept = len(record.states(out))
        print(
            f"\nautograder: interrupted; the rows of {kept} file(s) are saved in the gradebook "
            f"and {out / '.state'}; run the same command again to grade the rest",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, before)
    rows = result.rows
    print(pipeline.summary(rows) + (f"\n{inert(result.canary)}" if result.canary else ""))
    if result.elsewhere:
        print(
            f"{len(result.elsewhere)} file(s) in other labs' nbgrader folders were left to "
            "those labs (listed in results.json under other_assignments)"
        )
    for said in result.removed:
        print(f"gradebook: {inert(said)}")
    print(
        f"\ngrades:   {out / 'grades.csv'}\nresults:  {out / 'results.json'}\n"
        f"feedback: {out / 'feedback'}/<student>.html\nreport:   {out / 'report.html'}"
    )
    if args.no_sandbox:
        print("WARNING: graded without a sandbox (--no-sandbox).")
    again = [r.file for r in rows if r.status == "environment"]
    if again:
        print(
            f"{len(again)} file(s) met a failure of the grading machine and were not recorded: "
            "run the same command again",
            file=sys.stderr,
        )
        return EXIT_AGAIN
    return EXIT_OK


def _platform_options() -> dict[str, tuple[str, str]]:
    """Every platform's own ``grade`` option, once: dest -> (flag, help)."""
    from autograder import platforms

    found = {}
    for platform in platforms.registry().values():
        for flag, text in platform.arguments.items():
            found.setdefault(flag.lstrip("-").replace("-", "_"), (flag, text))
    return found


def check_report(row) -> str:
    """``check``'s output: each test's line, what a failed test said indented under it, the
    reason indented under ``Reason:``, and the score line last. Everything a submission may
    have written is inert and indented, so only the grader's own lines start at the margin:
    no message can print a line that passes for the score, or hide the real one."""
    lines = []
    for cell in row.cells:
        mark = "PASS" if cell.passed else "FAIL"
        kind = "" if cell.max_points else " (visible test, no points)"
        lines.append(f"[{mark}] {cell.grade_id}: {cell.points:g} / {cell.max_points:g}{kind}")
        if not cell.passed:
            lines.append(f"       {inert(cell.message, indent='       ')}")
            if cell.hint:
                lines.append(f"       Hint: {inert(cell.hint)}")
    if row.reason:
        lines += ["", "Reason:", f"       {inert(row.reason)}"]
    lines += ["", f"Score: {row.raw_score:g} / {row.max_score:g} ({row.status})"]
    return "\n".join(lines)


def cmd_check(args) -> int:
    from autograder.course import Course
    from autograder.grading import pipeline

    course = Course.find(args.course, Path(args.notebook).parent, Path.cwd())
    options = pipeline.Options(limits=_limits(args), sandboxed=not args.no_sandbox)
    row = pipeline.check(Path(args.notebook), course, options)
    print(check_report(row))
    full = row.raw_score == row.max_score and row.status == "graded"
    return 0 if full and all(cell.passed for cell in row.cells) else 1


def _add_course(p) -> None:
    """An authoring command's ``--course``: where it reads and writes."""
    p.add_argument(
        "--course",
        type=Path,
        help="the course folder it writes in (default: the folder holding nbgrader_config.py, "
        "the current one or a parent of it)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser: every command, its arguments and their help (the CLI
    reference in docs/ is rendered from it)."""
    parser = argparse.ArgumentParser(
        prog="autograder", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log what the tool does, and every fault with its traceback, on stderr",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("data", help="write data/ from scikit-learn")
    p.add_argument("--check", action="store_true", help="report stale files, write nothing")
    _add_course(p)
    p.set_defaults(func=cmd_data)
    p = sub.add_parser("sweeps", help="rerun Lab 2's learning-rate sweep from the solution")
    p.add_argument("--check", action="store_true", help="report staleness, write nothing")
    _add_course(p)
    p.add_argument("--recompute", action="store_true", help="with --check: rerun and compare")
    p.add_argument("--force", action="store_true", help="rerun even when the digest matches")
    p.set_defaults(func=cmd_sweeps)
    for name, func, text in [
        ("helpers", cmd_helpers, "copy labs/ and data/ into each assignment folder"),
        ("given", cmd_given, "copy earlier labs' solutions into the cells that give them"),
        (
            "expected",
            cmd_expected,
            "regenerate the hidden tests' expected arrays from the solution",
        ),
        ("release", cmd_release, "generate release/<lab>/ with nbgrader generate_assignment"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument(
            "lab", nargs="*", help="lab ids (default: every lab of this tool in the course)"
        )
        p.add_argument("--check", action="store_true", help="report staleness, write nothing")
        _add_course(p)
        p.set_defaults(func=func)
    p = sub.add_parser("grade", help="grade a class: sandboxed, parallel, into the gradebook")
    p.add_argument("lab", help="lab id, e.g. lab2_optimizers")
    p.add_argument("submissions", help="folder or zip of <id>.ipynb files or <id>/<lab>.ipynb")
    p.add_argument("--out", help="output folder (default graded/<lab>/ in the course)")
    p.add_argument(
        "--workers",
        type=int,
        default=max(1, os.cpu_count() or 1),
        help="submissions graded at once (default: number of cores)",
    )
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove from the gradebook the students this output folder recorded whose files "
        "are gone, even when they are most of the class (else only a minority is removed)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run the notebooks on the Dask cluster whose scheduler is at ADDRESS "
        "(e.g. tcp://head:8786); the gradebook and reports stay here (--workers is ignored)",
    )
    p.add_argument(
        "--course",
        type=Path,
        help="the nbgrader course folder (default: the folder holding nbgrader_config.py, "
        "the current one or a parent of it)",
    )
    p.add_argument(
        "--due",
        metavar="TIME",
        help="the lab's due date, recorded in the gradebook as `nbgrader db assignment add "
        "--duedate` would (e.g. '2026-12-01 17:00:00 Europe/Berlin'); default: the gradebook's",
    )
    p.add_argument(
        "--roster",
        metavar="CSV",
        help="the platform's own export of the class (docs/instructors/platforms/): maps the "
        "platform's users to the course's student ids and names",
    )
    p.add_argument(
        "--roster-id",
        metavar="COLUMN",
        help="the roster column that holds the course's student ids (default: each "
        "platform's, docs/instructors/platforms/)",
    )
    for dest, (flag, text) in _platform_options().items():
        p.add_argument(flag, dest=dest, metavar=dest.upper(), help=text)
    _add_limits(p)
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("check", help="grade one notebook against all tests of its lab")
    p.add_argument("notebook")
    p.add_argument(
        "--course",
        type=Path,
        help="the course folder (default: the one holding the notebook or the current folder)",
    )
    _add_limits(p)
    p.set_defaults(func=cmd_check)
    from autograder import export, gradescope_autograder

    export.register(sub)
    gradescope_autograder.register(sub)
    p = sub.add_parser("demo", help="grade example submissions of every lab (make demo)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser(
        "lab",
        help="JupyterLab on a student's copy of every lab (make lab)",
        description="Copy every release/<lab>/ into a workspace (never over existing work) "
        "and start JupyterLab there without the instructor tools. Arguments after the "
        "options are passed to jupyter lab, e.g. --no-browser --port=8890.",
    )
    p.add_argument("--dir", type=Path, help="the workspace (default: my-labs/ in the course)")
    p.add_argument("--course", type=Path, help="the course folder (default: found from here)")
    p.set_defaults(func=cmd_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.jupyter_args = rest
    with _logging_to_stderr(args.verbose):
        try:
            return args.func(args)
        except ToolError as exc:  # the command cannot be done as given: say what to do
            print(f"autograder: {inert(exc, indent='  ')}", file=sys.stderr)
            return EXIT_USAGE


@contextlib.contextmanager
def _logging_to_stderr(verbose: bool):
    """The tool's log on stderr while a command runs, inert: warnings (a crash of the grader
    on a file, with its traceback), or with ``--verbose`` everything, each fault of a grading
    run among it (``<out>/grader.log`` has those either way)."""
    from autograder.text import InertFormatter

    logger = logging.getLogger("autograder")
    handler = logging.StreamHandler()
    handler.setFormatter(InertFormatter("autograder: %(levelname)s %(message)s"))
    level, before = logging.DEBUG if verbose else logging.WARNING, logger.level
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)


def run() -> int:
    """``main()`` for a shell: when the reader of the output has gone (``| head``), stop
    quietly rather than with a traceback (the way Python's documentation of SIGPIPE advises);
    what was written by then (a grade file, the gradebook) stays written."""
    try:
        status = main()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(run())
