"""Shared fixtures. Expensive runs (a notebook in a kernel, an nbgrader grading run)
happen once per session per lab and are shared by the tests that read their results."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import claims
import figures
import numpy as np
import pytest
import scratch
from nbformat.v4 import new_code_cell

from autograder import mistakes, notebooks
from autograder.course import Course

#: This repository: the course the tests read (source/, release/, nbgrader_config.py).
ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT)
LABS = COURSE.labs()

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
    nb = notebooks.read(COURSE.source_path(lab))
    setup = next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == "setup")
    setup.source += "\n" + figures.HOOK  # measures each figure before it is shown and closed
    nb.cells.append(new_code_cell(figures.PROBE))
    nb.cells.append(
        new_code_cell(f"import json\nprint('@@RESULTS@@' + json.dumps({RESULTS[lab]}))")
    )
    nb.cells.append(new_code_cell(claims.probe(lab)))
    notebooks.execute(nb, COURSE.source_path(lab).parent, allow_errors=True, timeout=300)
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
    each cataloged mistake) graded by plain ``nbgrader autograde``."""
    return _Cache(
        lambda lab: scratch.grade_in_parts(
            lab,
            mistakes.reference_submissions(lab, Course(ROOT)),
            tmp_path_factory.mktemp(lab),
        )
    )


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """The demo class of lab2 (12 submissions: honest, broken, attacks), graded once by the
    pipeline in a copy of the course."""
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
    try:
        with scratch.postgres_server() as url:
            yield url
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


def pytest_collection_modifyitems(items):
    for item in items:
        slow = {"source_run", "graded", "demo_class", "isolation_class", "hostile_class"}
        if slow & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def solution_namespace(lab: str) -> dict:
    """The lab's solution functions, run from the source notebook (never a copy)."""
    ns = {"np": np}
    for code in mistakes.solution_code(lab, COURSE).values():
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
