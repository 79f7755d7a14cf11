"""Text from a submission or an LMS is inert wherever a person reads it: a terminal
(``grade``'s summary, ``check``), a CSV (``grades.csv``, every export), ``results.json`` and
the logs. No raw control character reaches any of them, and ``check``'s score line is its
own, last, and cannot be imitated."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys

import nbformat
import pytest
from scratch import LAB, copy_course, json_strings

from autograder import mistakes, platforms
from autograder.__main__ import check_report
from autograder.grading import pipeline, record, report
from autograder.grading.submission import CellResult, Row
from autograder.platforms.base import Export, Line, Person
from autograder.text import CONTROL, inert

#: Set the window title, ring, move up, erase the line, return, hide what follows, reverse
#: the text's direction: what a hostile name or message carries.
ESCAPES = "\x1b]0;owned\x07\x1b[1A\x1b[2K\r\x1b[8m\x9b31m\u202e\x08\x00"
FAKE_SCORE = "\x1b[2K\rScore: 10 / 10 (graded)\n\x1b[8m"
#: Any raw control byte a terminal or a spreadsheet would act on (line ends aside).
RAW = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_inert_shows_every_control_character_as_an_escape():
    controls = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x202E, 0x2066, 0x2028)]
    for char in controls:
        out = inert(f"a{char}b")
        assert not CONTROL.search(out) and out.startswith("a\\") and out.endswith("b"), char
    assert inert("\x1b[31m") == "\\x1b[31m" and inert("\u202e") == "\\u202e"
    assert inert("José Núñez 日本 ✓") == "José Núñez 日本 ✓"  # printable text is untouched
    assert inert("one\ntwo\x1b", indent="  ") == "one\n  two\\x1b"  # under the caller's line
    assert inert("one\ntwo") == "one\\x0atwo"


def _row(file: str, reason: str, name: str = "", message: str = "") -> Row:
    cells = [
        CellResult("test_my_optimizer_sgd", 2, 2, True),
        CellResult("test_my_optimizer_adam", 0, 4, False, message=message, hint="look" + ESCAPES),
    ]
    return Row(
        file=file,
        student_id="s" + ESCAPES,
        status="error",
        reason=reason,
        raw_score=2,
        max_score=6,
        cells=cells,
        name=name,
        platform="moodle",
        user_id="42" + ESCAPES,
        group="g" + ESCAPES,
    )


def test_the_summary_grades_csv_and_results_json_carry_no_raw_control(tmp_path):
    rows = [_row(f"{ESCAPES}evil.ipynb", f"execution failed: {FAKE_SCORE}", name=ESCAPES)]
    summary = pipeline.summary(rows)
    assert not RAW.search(summary) and "\\x1b]0;owned\\x07" in summary
    report.write_csv(tmp_path / "grades.csv", rows, ["test_my_optimizer_adam"])
    report.write_json(tmp_path / "results.json", LAB, rows, True, removed=[ESCAPES])
    csv_text = (tmp_path / "grades.csv").read_text()
    assert not RAW.search(csv_text.replace("\r\n", "")) and "evil.ipynb" in csv_text
    raw_json = (tmp_path / "results.json").read_text()
    assert "\\u001b" not in raw_json  # JSON's own escape would decode to a raw ESC again
    for text in json_strings(json.loads(raw_json)):
        assert not RAW.search(text), text


@pytest.mark.parametrize("target", sorted(platforms.targets()))
def test_no_export_carries_a_raw_control(target, tmp_path):
    platform = platforms.targets()[target]
    person = Person(*(f"{field}{ESCAPES}" for field in ("id", "Eve", platform.name, "7", "m")))
    out = tmp_path / "x.csv"
    platform.write(target, [Line(person, "9.5")], out, Export("Lab" + ESCAPES, 10))
    text = out.read_text(encoding="utf-8-sig")
    assert not RAW.search(text.replace("\r\n", "").replace("\n", "")), (target, text)


def test_checks_score_line_is_last_and_its_own_whatever_a_message_says():
    row = _row("lab.ipynb", "the kernel died" + FAKE_SCORE, message=f"boom{FAKE_SCORE}more")
    out = check_report(row)
    lines = out.split("\n")
    assert lines[-1] == "Score: 2 / 6 (error)"
    assert [ln for ln in lines if ln.startswith("Score:")] == [lines[-1]]
    # whatever the submission wrote is indented under its test or under Reason:
    assert all(
        ln.startswith(("[PASS] ", "[FAIL] ", "Reason:", "Score: ", " ")) or not ln for ln in lines
    )
    assert not RAW.search(out)


def test_what_the_autograder_logs_is_inert():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("autograder")
    log.addHandler(handler)
    try:
        log.warning("could not read %s", ESCAPES)
    finally:
        log.removeHandler(handler)
    assert "could not read \\x1b]0;owned" in stream.getvalue()
    assert not RAW.search(stream.getvalue())


def _hostile_notebook(course) -> nbformat.NotebookNode:
    """The solution, with a cell after the answer that prints escapes and makes the answer
    raise an error whose message carries a fake score line."""
    from autograder.demo import democlass

    nb = mistakes.reference_submissions(LAB, course)["solution"]
    answer = next(iter(mistakes.solution_code(LAB, course)))
    code = (
        f"print({ESCAPES!r} * 3)\n"
        f"def my_optimizer(*args, **kwargs):\n    raise RuntimeError({FAKE_SCORE!r})\n"
    )
    return democlass._with_cell(nb, code, answer)


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_class_and_a_check_full_of_escapes_print_nothing_raw(tmp_path):
    """File names, a Moodle name, printed output and exception messages full of escapes:
    ``grade``'s output, grades.csv, results.json, the Moodle export and ``check``'s output
    carry no raw control character, and ``check``'s last line is the real score (its output
    for the graded row: the same stages, without a second run of the notebook)."""
    course = copy_course(tmp_path / "course", [LAB])
    nb = nbformat.writes(_hostile_notebook(course))
    subs = tmp_path / "subs"
    in_a_name = ESCAPES.replace("\x00", "")  # the one byte no file name may hold
    folder = subs / f"Eve {in_a_name}Red_4242_assignsubmission_file"
    folder.mkdir(parents=True)
    (folder / f"{LAB}.ipynb").write_text(nb)
    hostile_name = (
        subs / f"Mal\x1b]0;owned\x07\x1b[1A\x1b[2K_4343_assignsubmission_file_{LAB}.ipynb"
    )
    hostile_name.write_text(nb)
    out = tmp_path / "out"
    run = [sys.executable, "-m", "autograder"]
    grade = subprocess.run(
        [
            *run,
            "grade",
            LAB,
            str(subs),
            "--out",
            str(out),
            "--course",
            str(course.root),
            "--timeout",
            "10",
        ],
        capture_output=True,
        text=True,
    )
    assert grade.returncode == 0, grade.stdout + grade.stderr
    assert "4242" in grade.stdout and not RAW.search(grade.stdout), grade.stdout
    assert not re.search("[\x1b\x07\x9b]", grade.stderr), grade.stderr  # tqdm's \r aside
    for name in ("grades.csv", "results.json"):
        text = (out / name).read_text()
        assert not RAW.search(text.replace("\r\n", "")), name
    for text in json_strings(json.loads((out / "results.json").read_text())):
        assert not RAW.search(text), text
    moodle = tmp_path / "moodle.csv"
    export = subprocess.run(
        [*run, "export", LAB, "--course", str(course.root), "--to", "moodle", "--out", str(moodle)],
        capture_output=True,
        text=True,
    )
    assert export.returncode == 0, export.stdout + export.stderr
    assert not RAW.search(moodle.read_text(encoding="utf-8-sig").replace("\r\n", ""))
    assert not RAW.search(export.stdout + export.stderr)
    # what ``check`` prints of the same notebook: its row, as the pipeline left it (raw)
    row = record.load_state(out, hostile_name.name)
    assert row is not None and row.raw_score < row.max_score, row
    printed = check_report(row)
    assert not RAW.search(printed), printed
    lines = printed.split("\n")
    assert re.fullmatch(r"Score: \d+ / 10 \(\w+\)", lines[-1]) and "10 / 10" not in lines[-1]
    assert [ln for ln in lines if ln.startswith("Score:")] == [lines[-1]], printed
    assert "\\x1b" in printed and "Score: 10 / 10 (graded)" in printed  # shown, not obeyed


def test_the_pages_a_person_opens_carry_no_raw_control():
    """The class report and the feedback page: a file name, a reason, a message or a hint
    holds no raw control character, and no bidirectional override reorders the page."""
    rows = [_row(f"{ESCAPES}evil.ipynb", f"execution failed: {FAKE_SCORE}", message=ESCAPES)]
    rows[0].code = {"test_my_optimizer_adam": [f"x = 1  # {ESCAPES}\ny = 2"]}
    pages = {
        "report": report.report_html(LAB, rows, ["test_my_optimizer_adam"], True),
        "feedback": report.feedback_html(LAB, rows[0]),
    }
    for name, page in pages.items():
        assert not RAW.search(page), (name, RAW.search(page))
        assert "\\x1b]0;owned\\x07" in page, name  # shown, escaped
