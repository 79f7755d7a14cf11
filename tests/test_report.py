"""After the stages: grades.csv, results.json, the feedback pages and the class report."""

from __future__ import annotations

import html
import json
import shutil
import subprocess

import pytest
from conftest import COURSE, ROOT
from scratch import LAB, csv_rows

from autograder import notebooks
from autograder.grading import pipeline, report
from autograder.grading.submission import CellResult, Row

GRADE_IDS = [
    "test_my_optimizer_momentum",
    "test_my_optimizer_adagrad",
    "test_my_optimizer_rmsprop",
    "test_my_optimizer_adam",
]


@pytest.mark.kernel
@pytest.mark.sandbox
def test_every_demo_file_has_exactly_one_row_with_its_points(demo_class):
    rows = csv_rows(demo_class["out"] / "grades.csv")
    assert sorted(row["student_id"] for row in rows) == sorted(demo_class["rows"])
    header = (demo_class["out"] / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == [
        "student_id",
        "name",
        "platform",
        "user_id",
        "file",
        "score",
        "max_score",
        "late_penalty",
        "seconds_late",
        "submitted",
        "status",
        "counted",
        "group",
        "reason",
        *GRADE_IDS,
    ]
    results = json.loads((demo_class["out"] / "results.json").read_text())
    row = next(r for r in results["rows"] if r["student_id"] == "partly-adam-iter-off-by-one")
    adam = next(c for c in row["cells"] if c["grade_id"] == "test_my_optimizer_adam")
    assert not adam["passed"] and "largest" in adam["message"]


def test_a_file_that_does_not_count_has_no_score_in_grades_csv(tmp_path):
    rows = [
        Row(
            file="leo/a.ipynb",
            student_id="leo",
            status="flagged",
            reason="two notebooks",
            raw_score=0,
            max_score=10,
            counted=True,
        ),
        Row(
            file="leo/b.ipynb",
            student_id="leo",
            status="skipped",
            reason="not graded: a.ipynb was",
            raw_score=0,
            max_score=10,
            counted=False,
        ),
    ]
    report.write_csv(tmp_path / "g.csv", rows, GRADE_IDS)
    got = csv_rows(tmp_path / "g.csv")
    assert [(r["file"], r["score"], r["counted"]) for r in got] == [
        ("leo/a.ipynb", "0", "yes"),
        ("leo/b.ipynb", "", "no"),
    ]


def test_the_feedback_shows_a_failed_visible_test_as_failed():
    row = Row(
        file="a.ipynb",
        student_id="amy",
        status="graded",
        reason="",
        raw_score=10,
        max_score=10,
        cells=[
            CellResult("test_momentum_visible", 0, 0, False, "momentum: W differs", "store W_dt"),
            CellResult("test_adam_visible", 0, 0, True),
            CellResult("test_my_optimizer_adam", 4, 4, True),
        ],
    )
    page = html.unescape(report.feedback_html(LAB, row))
    momentum = page.split("test_momentum_visible")[1].split("</section>")[0]
    assert "failed · visible test, 0 points" in momentum
    assert "momentum: W differs" in momentum and "store W_dt" in momentum
    assert "passed · visible test, 0 points" in page.split("test_adam_visible")[1]


@pytest.mark.kernel
@pytest.mark.sandbox
def test_the_demo_feedback_reports_the_visible_test_that_failed(demo_class):
    page = html.unescape(
        (demo_class["out"] / "feedback" / "partly-momentum-state-not-stored.html").read_text()
    )
    momentum = page.split("<b>test_momentum_visible</b>")[1].split("</section>")[0]
    assert "failed · visible test" in momentum and "Hint:" in momentum


@pytest.mark.kernel
@pytest.mark.sandbox
def test_feedback_never_shows_hidden_tests_or_expected_values(demo_class):
    source = notebooks.read(COURSE.source_path(LAB))
    secret = set()
    for cell in filter(notebooks.is_hidden_test, source.cells):
        block = cell.source.split("### BEGIN HIDDEN TESTS")[1]
        secret |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 20}
    assert secret
    pages = list((demo_class["out"] / "feedback").glob("*.html"))
    assert len(pages) == len(demo_class["rows"])
    for page in pages:
        text = html.unescape(page.read_text())
        leaked = [s for s in secret if s in text]
        assert leaked == [], page.name
        assert "http://" not in text and "https://" not in text  # self-contained
    correct = html.unescape((demo_class["out"] / "feedback" / "correct.html").read_text())
    assert "opt.W_dt = W_dlt" in correct  # the student's own code is shown


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.browser
def test_feedback_page_renders_in_a_browser(demo_class, tmp_path):
    from conftest import chromium

    page = demo_class["out"] / "feedback" / "partly-adam-iter-off-by-one.html"
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,3000",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert image.size == (1000, 3000)
    assert colours is not None and len(colours) > 50  # text, code and badges were drawn
    red = sum(n for n, (r, g, b) in colours if r > 190 and g < 90 and b < 90)
    green = sum(n for n, (r, g, b) in colours if r < 80 and g > 140 and b < 110)
    assert red > 200 and green > 600  # one failed (red) and three passed (green) markers
    from conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SHOTS / "feedback-page-of-the-pipeline.png")  # to be looked at


def test_a_stored_notebook_keeps_only_inert_outputs():
    import copy

    from nbformat import NotebookNode
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from autograder.course import Course
    from autograder.grading import record

    lab = Course(ROOT).lab(LAB)
    nb = copy.deepcopy(lab.release)
    cell = new_code_cell("show()")
    cell.outputs = [
        NotebookNode(
            output_type="display_data",
            data={"text/html": "<script>x()</script>", "image/png": "iVBOR", "text/plain": "<x>"},
            metadata={"image/png": {"width": 1}},
        ),
        NotebookNode(
            output_type="display_data", data={"application/javascript": "x()"}, metadata={}
        ),
    ]
    nb.cells.append(cell)
    nb.cells.append(new_markdown_cell("<img src=x onerror=x()> [a](javascript:x())"))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    record.inert(nb, lab)
    first, second = nb.cells[-2].outputs
    assert first.data == {"image/png": "iVBOR", "text/plain": "<x>"}
    assert second.data == {"text/plain": "[not shown when graded: application/javascript]"}
    assert nb.cells[-1].source == "&lt;img src=x onerror=x()&gt; [a](blocked:x())"
    assert "widgets" not in nb.metadata


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.browser
def test_no_script_of_a_submission_runs_in_any_page_a_person_opens(isolation_class, tmp_path):
    """nbgrader's feedback, the autograded notebook as formgrader and any viewer render it
    (nbconvert's HTML), our feedback page and the class report, in headless Chromium: the
    submission's scripts would set ``window.__pwned``; none may."""
    from conftest import CHROMIUM_ARGS, chromium
    from nbconvert import HTMLExporter
    from playwright.sync_api import sync_playwright

    course, out = isolation_class["course"], isolation_class["out"]
    assert isolation_class["rows"]["scripts.ipynb"].raw_score == 10
    notebooks.nbgrader(
        "generate_feedback", LAB, "--student", "scripts", cwd=course.root, db_url=course.db_url
    )
    pages = {
        "nbgrader feedback": course.root / "feedback" / "scripts" / LAB / f"{LAB}.html",
        "our feedback": out / "feedback" / "scripts.html",
        "class report": out / "report.html",
    }
    executed = course.root / "autograded" / "scripts" / LAB / f"{LAB}.ipynb"
    body, _ = HTMLExporter().from_filename(str(executed))
    pages["nbconvert HTML"] = tmp_path / "autograded.html"
    pages["nbconvert HTML"].write_text(body)
    assert "onerror" in pages["nbconvert HTML"].read_text()  # shown as text, not as markup
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        for name, page_file in pages.items():
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.wait_for_timeout(500)
            ran = page.evaluate("() => [window.__pwned === 1, document.title]")
            assert ran[0] is False and ran[1] != "PWNED", name
            page.close()
        browser.close()


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_name_is_never_a_spreadsheet_formula(isolation_class):
    rows = csv_rows(isolation_class["out"] / "grades.csv")
    formula = next(r for r in rows if "HYPERLINK" in r["file"])
    assert formula["file"].startswith("'=")
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values() if v)


def test_the_report_counts_the_files_left_to_other_labs():
    rows = [
        Row(
            file="a.ipynb", student_id="amy", status="graded", reason="", raw_score=10, max_score=10
        )
    ]
    page = report.report_html(LAB, rows, GRADE_IDS, True, elsewhere=["lee/lab1_minibatch/x.ipynb"])
    assert "1 file(s) in other labs' nbgrader folders were left" in page
    assert "lee/lab1_minibatch/x.ipynb" in page


def test_the_counts_are_of_files_and_a_platforms_own_files_count_with_their_notebook():
    rows = [
        Row(
            file="amy/lab/lab.ipynb",
            student_id="amy",
            status="graded",
            reason="",
            raw_score=10,
            max_score=10,
            accounts_for=["amy/lab/timestamp.txt"],
        ),
        Row(
            file="README.txt",
            student_id="",
            status="error",
            reason="not graded: a .txt file",
            raw_score=0,
            max_score=0,
            counted=False,
        ),
    ]
    assert pipeline.summary(rows).splitlines()[-1].startswith("3 files in 2 rows, 1 students")
    assert "3 files in 2 rows:" in report.report_html(LAB, rows, GRADE_IDS, True)
