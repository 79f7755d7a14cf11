"""Shared fixtures, and the tiers of the suite.

**Tiers.** A test that needs more than Python says what, by a marker (pyproject.toml lists
them): ``kernel`` (it starts a Jupyter kernel: nbclient, ``nbgrader autograde``, grading or
checking a notebook, a JupyterLab server), ``sandbox`` (bubblewrap), ``browser`` (Chromium,
headless or through Playwright), ``postgres`` (a PostgreSQL server) and ``cluster`` (Dask
scheduler and worker processes). A test may need several. ``slow`` is their union: every
test with one of them is marked ``slow`` here, so ``-m "not slow"`` (``make test-unit``) is
the unit tier and ``make test`` runs everything. A test that only works for long without
any of them (a sweep of a hundred networks) is marked ``slow`` itself. The shared fixtures
below carry the markers of what they start (``FIXTURE_TIERS``), so a test that uses one
needs no marker for it.

A test that starts a kernel, a sandbox, Chromium, PostgreSQL or worker processes without
the marker fails and says which marker it lacks (``_TierGuard``, around every test's setup
and call). Only what this process starts is seen: a test that runs a command in a child
process (``python -m autograder check``) is marked by what that command starts.

**Shared runs.** Expensive runs (a notebook in a kernel, an nbgrader grading run) happen
once per session per lab and are shared by the tests that read their results.

**Imports.** pytest imports this file before it collects anything: it imports nothing
heavy at the top (the libraries are imported where they are used), and ``COURSE`` and
``LABS`` are made on first use.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: This repository: the course the tests read (source/, release/, nbgrader_config.py).
ROOT = Path(__file__).resolve().parent.parent

# jsonschema (through nbformat) imports rfc3987_syntax when installed, which builds some 40
# Earley parsers at import: 2 to 4 s of every test run, for IRI formats that neither nbformat
# nor this tool validates. Without it jsonschema leaves those two formats unchecked.
sys.modules.setdefault("rfc3987_syntax", None)

#: The markers of what a test needs beyond Python; ``slow`` is their union.
TIERS = ("kernel", "sandbox", "browser", "postgres", "cluster")

#: The shared fixtures, by what they start.
FIXTURE_TIERS = {
    "source_run": ("kernel",),
    "graded": ("kernel",),  # nbgrader autograde
    "graded_in_full": ("kernel",),
    "demo_class": ("kernel", "sandbox"),
    "isolation_class": ("kernel", "sandbox"),
    "hostile_class": ("kernel", "sandbox"),
    "postgres_url": ("postgres",),
}


def _course():
    """``COURSE``: this repository's course, one ``Course`` for the session (it reads each
    notebook once), made on first use."""
    if "COURSE" not in globals():
        from autograder.course import Course

        globals()["COURSE"] = Course(ROOT)
    return globals()["COURSE"]


def __getattr__(name: str):
    """``COURSE`` (see ``_course``) and ``LABS``, its labs, made when a test module first
    imports them."""
    if name == "COURSE":
        return _course()
    if name == "LABS":
        globals()["LABS"] = _course().labs()
        return globals()["LABS"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# What each lab's Run All exposes for the tests: a dict expression evaluated in its kernel.
RESULTS = {
    "lab1_minibatch": "{'test_accuracy': test_accuracy, 'decay_accuracy': decay_accuracy}",
    "lab2_optimizers": "{'test_accuracy': test_accuracy, 'sklearn_accuracy': sklearn_accuracy}",
    "lab3_regularization": "{'stopped_epoch': early_stop.stopped_epoch, "
    "'epochs': len(early_stop.losses)}",
}


class _Cache:
    def __init__(self, factory):
        self.factory, self.done = factory, {}

    def __call__(self, lab):
        if lab not in self.done:
            self.done[lab] = self.factory(lab)
        return self.done[lab]


def _run_source(lab: str):
    import json

    import claims
    import figures
    from nbformat.v4 import new_code_cell

    from autograder import notebooks

    source = _course().source_path(lab)
    nb = notebooks.read(source)
    setup = next(c for c in nb.cells if notebooks.grade_id(c) == "setup")
    setup.source += "\n" + figures.HOOK  # measures each figure before it is shown and closed
    nb.cells.append(new_code_cell(figures.PROBE))
    nb.cells.append(
        new_code_cell(f"import json\nprint('@@RESULTS@@' + json.dumps({RESULTS[lab]}))")
    )
    nb.cells.append(new_code_cell(claims.probe(lab)))
    notebooks.execute(nb, source.parent, allow_errors=True, timeout=300)
    text = notebooks.stream_text(nb.cells[-2])
    results = json.loads(text.split("@@RESULTS@@")[1]) if "@@RESULTS@@" in text else None
    text = notebooks.stream_text(nb.cells.pop())
    if results is not None and "@@CLAIMS@@" in text:
        results["claims"] = json.loads(text.split("@@CLAIMS@@")[1])
    text = notebooks.stream_text(nb.cells.pop(-2))
    if results is not None and "@@FIGURES@@" in text:
        results["figures"] = json.loads(text.split("@@FIGURES@@")[1])
    return nb, results


@pytest.fixture(scope="session")
def source_run():
    """``source_run(lab)`` -> (the source notebook executed top to bottom as a student's
    Run All would, with full experiments; the results dict of ``RESULTS[lab]``)."""
    return _Cache(_run_source)


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """``graded(lab)`` -> scores of every reference submission of the lab (solution, stub,
    each cataloged mistake, the correct variants) graded by plain ``nbgrader autograde``,
    with the lab's experiment cells emptied in each, as the pipeline skips them: they decide
    no test (``graded_in_full`` is the check) and are half of each notebook's time."""
    import scratch

    from autograder import mistakes
    from autograder.course import Course

    return _Cache(
        lambda lab: scratch.grade_in_parts(
            lab,
            {
                name: scratch.without_experiments(nb)
                for name, nb in mistakes.reference_submissions(lab, Course(ROOT)).items()
            },
            tmp_path_factory.mktemp(lab),
        )
    )


@pytest.fixture(scope="session")
def graded_in_full(tmp_path_factory):
    """``graded_in_full(lab)`` -> the solution and the untouched release graded by plain
    ``nbgrader autograde`` as handed in, experiments and all."""
    import scratch

    from autograder import mistakes
    from autograder.course import Course

    def grade(lab):
        subs = mistakes.reference_submissions(lab, Course(ROOT))
        chosen = {name: subs[name] for name in ("solution", "stub")}
        return scratch.grade_in_parts(lab, chosen, tmp_path_factory.mktemp(f"{lab}-full"))

    return _Cache(grade)


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """The demo class of lab2 (12 submissions: honest, broken, attacks), graded once by the
    pipeline in a copy of the course."""
    import scratch

    from autograder.demo import democlass
    from autograder.grading import pipeline

    tmp = tmp_path_factory.mktemp("demo")
    course = scratch.copy_course(tmp / "course", [scratch.LAB])
    built = democlass.build(scratch.LAB, course)
    subs = scratch.class_folder(tmp / "subs", {f"{s}.ipynb": data for s, data in built.items()})
    source_before = course.source_path(scratch.LAB).read_bytes()
    out = tmp / "out"
    options = pipeline.Options(limits=scratch.FAST)
    rows = pipeline.grade(scratch.LAB, subs, out, course, options)
    return {
        "course": course,
        "subs": subs,
        "out": out,
        "source_before": source_before,
        "rows": {r.student_id: r for r in rows},
    }


@pytest.fixture(scope="session")
def isolation_class(tmp_path_factory):
    """``democlass.isolation_class``: attacks on isolation next to honest work, graded once by
    one worker, so that each victim runs right after a lurker on the same zygote."""
    import scratch

    from autograder.demo import democlass
    from autograder.grading import pipeline

    tmp = tmp_path_factory.mktemp("isolation")
    course = scratch.copy_course(tmp / "course", [scratch.LAB])
    what = democlass.isolation_class(scratch.LAB, course, tmp / "subs")
    options = pipeline.Options(workers=1, limits=scratch.FAST, progress=False)
    rows = pipeline.grade(scratch.LAB, tmp / "subs", tmp / "out", course, options)
    return {"course": course, "out": tmp / "out", "what": what, "rows": {r.file: r for r in rows}}


@pytest.fixture(scope="session")
def hostile_class(tmp_path_factory):
    """``democlass.hostile_class``: attacks on the machine's resources (disk, files, processes,
    CPU, memory, output, a process that will not die) next to three honest students, graded
    once by two workers, so that every job runs beside another. ``zygotes_before``: the
    zygote folders that were on the machine before (other sessions' leftovers among them)."""
    import tempfile

    import scratch

    from autograder.demo import democlass
    from autograder.grading import pipeline
    from autograder.grading.sandbox import zygote

    tmp = tmp_path_factory.mktemp("hostile")
    course = scratch.copy_course(tmp / "course", [scratch.LAB])
    what = democlass.hostile_class(scratch.LAB, course, tmp / "subs")
    before = set(Path(tempfile.gettempdir()).glob(zygote.ROOT_PREFIX + "*"))
    options = pipeline.Options(workers=2, limits=scratch.FAST, progress=False)
    rows = pipeline.grade(scratch.LAB, tmp / "subs", tmp / "out", course, options)
    return {
        "course": course,
        "subs": tmp / "subs",
        "out": tmp / "out",
        "what": what,
        "rows": {r.file: r for r in rows},
        "zygotes_before": before,
    }


@pytest.fixture
def postgres_url():
    import scratch

    try:
        with scratch.postgres_server() as url:
            yield url
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def minicourse(tmp_path):
    """The synthetic mini-course of ``tests/minicourse.py`` (one three-cell lab, ``mini``),
    built in ``tmp_path / "course"``: an ``autograder.course.Course``."""
    import minicourse

    return minicourse.build(tmp_path / "course")


# -- the tiers -----------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before -m deselects by them
def pytest_collection_modifyitems(items):
    """The markers of the shared fixtures a test uses; ``slow`` on every test that needs
    anything of ``TIERS``; ``alone`` on every user of ``ALONE_FIXTURES``; and the
    ``xdist_group`` that keeps the users of one shared run on one worker."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for name in names:
            for tier in FIXTURE_TIERS.get(name, ()):
                item.add_marker(tier)
        if any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.slow)
        if names & ALONE_FIXTURES:
            item.add_marker(pytest.mark.alone)
        group = _group(item, names)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


# -- the suite on several cores ------------------------------------------------------------
#
# `make test` runs the suite in two parts. First every test not marked ``alone``, on pytest-xdist
# workers (``--dist loadgroup``), where each shared run is made once: its users carry one
# ``xdist_group`` and so share a worker. Then the ``alone`` tests, one at a time with nothing
# else on the machine: they count the machine's sandbox processes or time a job beside a
# spinner, which another worker's jobs would disturb.

#: Shared runs of one lab, made once per session: their users group by the lab (the test's
#: ``lab`` or its module's ``LAB``) and by which of the two it reads: the lab's Run All
#: (``source_run``), or its classes graded by nbgrader and by the pipeline (the rest: one
#: test compares them; ``demo_class`` is the demo class of ``scratch.LAB``).
RUN_FIXTURES = {"source_run"}
GRADED_FIXTURES = {"graded", "graded_in_full", "local", "demo_class"}

#: Shared runs whose tests read the whole machine (its processes, its CPU): ``alone``.
ALONE_FIXTURES = {"hostile_class", "isolation_class"}


def _group(item, names: set[str]) -> str | None:
    """The worker group of a test: the lab and kind of the per-lab runs it reads, else its
    module when the module shares a fixture among its tests."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    lab = params.get("lab", getattr(getattr(item, "module", None), "LAB", None))
    if isinstance(lab, str) and names & RUN_FIXTURES:
        return f"{lab}-run"
    if isinstance(lab, str) and names & GRADED_FIXTURES:
        return f"{lab}-graded"
    for name in sorted(names):
        defs = item._fixtureinfo.name2fixturedefs.get(name)
        if defs and defs[-1].scope in ("module", "package") and not name.startswith("_"):
            return item.nodeid.split("::")[0]
    return None


def _launched(argv: list[str]) -> str | None:
    """The tier a command line needs, if any."""
    names = [os.path.basename(a) for a in argv]
    if "bwrap" in names:
        return "sandbox"
    if "ipykernel_launcher" in argv or "ipykernel" in argv:  # python -m ipykernel_launcher
        return "kernel"
    if {"chromium", "chromium-browser", "chrome", "headless_shell"} & set(names) or any(
        "playwright" in a and "driver" in a for a in argv
    ):
        return "browser"
    if {"initdb", "pg_ctl", "postgres", "createdb"} & set(names):
        return "postgres"
    return None


class _TierGuard:
    """While installed, a launch of what ``tiers`` does not include raises and is recorded:
    a kernel (``jupyter_client`` starts every kernel, in this process: nbclient's, nbgrader's,
    the sandbox's), a bwrap, Chromium or PostgreSQL command (``subprocess``), a
    ``multiprocessing`` process (Dask's local workers). Commands that run in a child process
    (``python -m autograder grade`` in a subprocess) are not seen."""

    def __init__(self, tiers: set[str]):
        self.tiers, self.found, self.undo = tiers, [], []

    def _refuse(self, tier: str, what: str):
        self.found.append(
            f"this test {what} but is not marked {tier}: mark this test {tier} "
            f"(@pytest.mark.{tier}; see tests/conftest.py)"
        )
        raise RuntimeError(self.found[-1])

    def _patch(self, owner, name: str, make) -> None:
        original = getattr(owner, name)
        setattr(owner, name, make(original))
        self.undo.append(lambda: setattr(owner, name, original))

    def __enter__(self):
        import multiprocessing.process

        from jupyter_client.manager import KernelManager

        guard = self

        def execute_child(original):
            def _execute_child(self, args, *rest, **kwargs):
                argv = [args] if isinstance(args, (str, bytes, os.PathLike)) else list(args)
                tier = _launched([os.fsdecode(a) for a in argv])
                if tier is not None and tier not in guard.tiers:
                    guard._refuse(tier, f"runs {' '.join(map(os.fsdecode, argv[:4]))} ...")
                return original(self, args, *rest, **kwargs)

            return _execute_child

        def pre_start_kernel(original):
            async def _async_pre_start_kernel(self, *args, **kwargs):
                if "kernel" not in guard.tiers:
                    guard._refuse("kernel", f"starts a Jupyter kernel ({type(self).__name__})")
                return await original(self, *args, **kwargs)

            return _async_pre_start_kernel

        def process_start(original):
            def start(self):
                if "cluster" not in guard.tiers:
                    guard._refuse("cluster", f"starts the worker process {self.name}")
                return original(self)

            return start

        self._patch(subprocess.Popen, "_execute_child", execute_child)
        self._patch(KernelManager, "_async_pre_start_kernel", pre_start_kernel)
        self._patch(multiprocessing.process.BaseProcess, "start", process_start)
        return self

    def __exit__(self, *exc):
        while self.undo:
            self.undo.pop()()
        if self.found:  # failed, even where the code under test caught the error
            pytest.fail(self.found[0], pytrace=False)


def _guarded(item):
    tiers = {tier for tier in TIERS if item.get_closest_marker(tier)}
    return _TierGuard(tiers) if len(tiers) < len(TIERS) else contextlib.nullcontext()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """The test's fixtures start nothing its markers do not name."""
    with _guarded(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The test starts nothing its markers do not name."""
    with _guarded(item):
        return (yield)


# -- helpers of the tests ------------------------------------------------------------------


def solution_namespace(lab: str) -> dict:
    """The lab's solution functions, run from the source notebook (never a copy)."""
    import numpy as np

    from autograder import mistakes

    ns = {"np": np}
    for code in mistakes.solution_code(lab, _course()).values():
        exec(code, ns)
    return ns


#: Chromium as the tests start it: no sandbox (they may run as root), no calls home (the
#: machine's network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where browser tests keep their screenshots, to be looked at.
SHOTS = ROOT / "build" / "screenshots"


def chromium() -> str:
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: `make test` installs it (see the Makefile)")
    return found


def render_png(page_file, name: str, *, width: int = 1100) -> Path:
    """A full-page screenshot of a local HTML file in headless Chromium, as
    build/screenshots/<name>.png; returns its path."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{name}.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_file.as_uri())
        page.screenshot(path=shot, full_page=True)
        browser.close()
    return shot
