"""`make lab` and the student's journey in real JupyterLab, driven through Chromium.

`make lab` runs `python -m autograder lab`: it copies each release/<lab>/ into a workspace
as `nbgrader fetch_assignment` would and starts JupyterLab there without the instructor
tools. The browser test starts it the same way (only the port, the token and two display
settings differ) and does what a student does: types a solution with a common mistake,
reads the failed test and its hint, fixes it, reads PASS, runs Restart & Run All and asks
nbgrader's Validate. Screenshots of every step are kept in build/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import CHROMIUM_ARGS, COURSE, ROOT, SHOTS, chromium

from autograder import mistakes, notebooks, studentlab

LAB = "lab2_optimizers"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    """`python -m autograder lab` on a fresh workspace, as `make lab` starts it."""
    tmp = tmp_path_factory.mktemp("student")
    workspace, settings = tmp / "my-labs", tmp / "settings"
    # Display settings of the browser session only: render every cell (JupyterLab draws only
    # the visible ones by default) and do not ask about news
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    port, token = _free_port(), "student-journey"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autograder",
            "lab",
            "--dir",
            str(workspace),
            "--no-browser",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
        ],
        cwd=ROOT,
        env={**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)},
        stdout=(tmp / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail((tmp / "server.log").read_text()[-3000:])
            time.sleep(0.5)
    else:
        pytest.fail("JupyterLab did not start:\n" + (tmp / "server.log").read_text()[-3000:])
    yield {"base": base, "token": token, "workspace": workspace}
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _get(student_lab, path: str) -> tuple[int, str]:
    url = f"{student_lab['base']}{path}?token={student_lab['token']}"
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


@pytest.mark.kernel
def test_make_lab_serves_the_assignment_folders_and_no_instructor_tools(student_lab):
    workspace = student_lab["workspace"]
    for lab in COURSE.labs():
        release = COURSE.release_path(lab).parent
        files = sorted(p.relative_to(release) for p in release.rglob("*") if p.is_file())
        assert (
            sorted(
                p.relative_to(workspace / lab)
                for p in (workspace / lab).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
            )
            == files
        )
    assert _get(student_lab, "/formgrader")[0] == 404  # the server extension is off
    status, page = _get(student_lab, "/lab")
    assert status == 200
    found = re.search(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
    config = json.loads(found.group(1))
    assert set(studentlab.INSTRUCTOR_PLUGINS) <= set(config["disabledExtensions"])
    assert "@jupyter/nbgrader:validate-assignment" not in config["disabledExtensions"]
    assert "autograder lab" in (ROOT / "Makefile").read_text()  # what `make lab` runs


def test_a_students_work_is_never_overwritten(tmp_path):
    first = studentlab.prepare(tmp_path, COURSE)
    assert all("copied" in line for line in first)
    mine = tmp_path / LAB / f"{LAB}.ipynb"
    mine.write_text("my work")
    again = studentlab.prepare(tmp_path, COURSE)
    assert mine.read_text() == "my work" and any("kept" in line for line in again)


def _menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=top).click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def _validate(page) -> str:
    page.locator(".jp-Toolbar-item", has_text="Validate").click()
    dialog = page.locator(".jp-Dialog")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        text = dialog.inner_text() if dialog.count() else ""
        if "Success" in text or "failed" in text:
            return text
        time.sleep(0.5)
    pytest.fail("nbgrader's Validate gave no result in 3 minutes")


@pytest.mark.kernel
@pytest.mark.browser
# once in four runs of `make test`, beside the other worker, JupyterLab showed the notebook
# changed as it opened; alone it has never (three runs, one with every core busy): the cause
# is not found, so it runs with nothing beside it
@pytest.mark.alone
def test_the_student_journey_in_jupyterlab(student_lab):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    solution = mistakes.solution_code(LAB, COURSE)["my_optimizer"]
    forgets = next(m for m in mistakes.catalog(LAB) if m.name == "momentum_state_not_stored")
    url = f"{student_lab['base']}/lab/tree/{LAB}/{LAB}.ipynb?token={student_lab['token']}&reset"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000
        )
        # it opens clean: the committed notebook carries the metadata its kernel reports
        assert page.locator(".jp-mod-dirty").count() == 0
        # no instructor tools on screen: nbgrader's menu offers the assignment list only
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        labels = [t for t in page.locator(".lm-Menu-itemLabel").all_inner_texts() if t.strip()]
        page.keyboard.press("Escape")
        assert labels == ["Assignment List"]
        assert page.get_by_text("Create Assignment").count() == 0
        page.screenshot(path=SHOTS / "1-opened.png")

        # a solution with the most common momentum mistake, then every cell up to the test and
        # the test itself (the experiments below run in the Restart & Run All further on)
        editor = page.locator(".jp-CodeCell", has_text="def my_optimizer").locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(mistakes.apply(solution, forgets))
        page.keyboard.press("Escape")
        test = page.locator(".jp-CodeCell", has_text="three momentum steps in a row")
        test.locator(".jp-InputPrompt").click()
        _menu(page, "Run", "Run All Above Selected Cell")
        test.locator(".jp-InputPrompt").click()
        page.keyboard.press("Shift+Enter")
        failure = test.locator(".jp-OutputArea-output").first
        expect(failure).to_contain_text("checks failed", timeout=120_000)
        text = failure.inner_text()
        assert text.startswith("Hint: Your momentum step is right once but never remembered")
        assert "[FAIL] W_dt" in text and "Traceback" not in text
        test.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "2-momentum-fails-with-its-hint.png")
        report = _validate(page)  # nbgrader's Validate reports the visible test
        assert "three momentum steps" in report and "Hint: Your momentum step" in report
        page.screenshot(path=SHOTS / "3-validate-reports-it.png")
        page.locator(".jp-Dialog button", has_text="Ok").click()

        # the fix: run the cell, then the test again
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(solution)
        page.keyboard.press("Shift+Enter")
        test.locator(".jp-InputArea").click()
        page.keyboard.press("Shift+Enter")
        expect(test.locator(".jp-OutputArea-output").first).to_contain_text(
            "All 14 checks passed.", timeout=60_000
        )
        page.screenshot(path=SHOTS / "4-momentum-passes.png")

        # Restart & Run All: no error anywhere
        _menu(page, "Kernel", "Restart Kernel and Run All Cells")
        page.locator(".jp-Dialog button", has_text="Restart").click()
        last = page.locator(".jp-CodeCell").last.locator(".jp-InputPrompt")
        expect(last).to_have_text(re.compile(r"\[\d+\]:"), timeout=300_000)
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=30_000)
        page.screenshot(path=SHOTS / "5-restart-and-run-all.png")
        saved = notebooks.read(student_lab["workspace"] / LAB / f"{LAB}.ipynb")
        code = [c for c in saved.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code)
        assert [notebooks.error_of(c) for c in code if notebooks.error_of(c)] == []

        report = _validate(page)
        assert "Success! Your notebook passes all the tests." in report
        page.screenshot(path=SHOTS / "6-validate-success.png")
        browser.close()
