"""``autograder grade`` as a cron job or a person at a terminal meets it: its exit status says
whether everything was recorded, Ctrl-C and SIGTERM end it with one line, and a zip's files
never outlive the run."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from scratch import FAST, LAB, TINY, copy_course

from autograder.__main__ import EXIT_AGAIN, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main
from autograder.grading import pipeline
from autograder.grading.sandbox import engine, zygote
from autograder.grading.submission import Row


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return copy_course(tmp_path_factory.mktemp("course") / "course", [LAB])


def _grade(course, tmp_path, *extra):
    (tmp_path / "subs").mkdir(exist_ok=True)
    argv = ["grade", LAB, str(tmp_path / "subs"), "--course", str(course.root)]
    return main([*argv, "--out", str(tmp_path / "out"), *extra])


def _fake(rows):
    def grade(lab, submissions, out, course, options):
        return pipeline.ClassResult(tuple(rows), out=out)

    return grade


def test_every_row_recorded_exits_0_and_a_machine_failure_exits_75(
    course, tmp_path, monkeypatch, capsys
):
    fine = Row(
        file="a.ipynb", student_id="amy", status="graded", reason="", raw_score=10, max_score=10
    )
    monkeypatch.setattr(pipeline, "grade", _fake([fine]))
    assert _grade(course, tmp_path) == EXIT_OK
    lost = Row(
        file="b.ipynb",
        student_id="bo",
        status="environment",
        reason="no kernel could start",
        raw_score=0,
        max_score=10,
    )
    monkeypatch.setattr(pipeline, "grade", _fake([fine, lost]))
    assert _grade(course, tmp_path) == EXIT_AGAIN == 75
    assert "run the same command again" in capsys.readouterr().err


def test_the_limits_are_stated_first_and_a_disk_quota_of_nothing_is_refused(
    course, tmp_path, monkeypatch, capsys
):
    """A tmpfs of size 0 has no limit at all: ``--disk`` below 16 MB is a usage error; the
    limits a run grades under (the disk quota among them) are its first lines."""
    with pytest.raises(SystemExit) as refused:
        _grade(course, tmp_path, "--disk", "0")
    assert refused.value.code == 2 and "--disk: 0 MB" in capsys.readouterr().err
    monkeypatch.setattr(pipeline, "grade", _fake([]))
    assert _grade(course, tmp_path, "--disk", "64") == EXIT_OK
    first = capsys.readouterr().out.splitlines()[:2]
    assert first[0].startswith("limits per job: ") and "64 MB and 10000 files written" in first[0]
    assert first[1].startswith("CPU share: "), first


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_run_says_in_one_line_what_was_saved(
    course, tmp_path, monkeypatch, capsys, how
):
    def interrupted(lab, submissions, out, course, options):
        if how == "sigterm":
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises before this ends
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "grade", interrupted)
    before = signal.getsignal(signal.SIGTERM)
    assert _grade(course, tmp_path) == EXIT_INTERRUPTED == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()] == [
        f"autograder: interrupted; the rows of 0 file(s) are saved in the gradebook and "
        f"{tmp_path / 'out' / '.state'}; run the same command again to grade the rest"
    ]
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is given back


@pytest.mark.sandbox
def test_a_zip_is_extracted_where_no_run_leaves_it(course, tmp_path, monkeypatch):
    """Into <out>/.scratch/, removed whatever ends the run; nothing in $TMPDIR."""
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"ann/{LAB}.ipynb", TINY + b" " * 7)  # a size to look for
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", None)
    out = tmp_path / "out"
    seen = []

    def stop(*args, **kwargs):
        seen.extend(p.relative_to(out).as_posix() for p in out.rglob("*.ipynb"))
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "start", stop)
    options = pipeline.Options(limits=FAST, progress=False)
    with pytest.raises(KeyboardInterrupt):
        pipeline.grade(LAB, archive, out, course, options)
    assert seen == [f".scratch/zip/ann/{LAB}.ipynb"]
    assert not (out / ".scratch").exists()
    assert list(tmp.rglob("*")) == []
    (out / ".scratch" / "zip").mkdir(parents=True)  # a killed run left its scratch behind
    (out / ".scratch" / "zip" / "old.ipynb").write_bytes(TINY)
    with pytest.raises(KeyboardInterrupt):
        pipeline.grade(LAB, archive, out, course, options)
    assert seen[-1] == f".scratch/zip/ann/{LAB}.ipynb" and not (out / ".scratch").exists()


def _sandboxes() -> set[int]:
    """The processes of this machine that belong to a grader's sandboxes."""
    return zygote.processes_naming(zygote.ROOT_PREFIX)


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.alone  # counts the machine's sandbox processes before and after
def test_ctrl_c_in_a_real_run_ends_it_promptly_and_cleanly(course, tmp_path):
    from autograder.demo import democlass

    built = democlass.build(LAB, course)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("correct", "infinite-loop", "stub"):
            zf.writestr(f"{name}.ipynb", built[name])
    out = tmp_path / "out"
    before = _sandboxes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", LAB, str(archive), "--out", str(out)]
        + ["--course", str(course.root), "--workers", "1", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # a student recorded, or the infinite loop running for long enough: it runs first or next
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(out.glob(".state/*.json")):
        time.sleep(0.5)
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=120)
    assert time.monotonic() - started < 60  # not the 600 s the loop would get
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "interrupted; the rows of" in err
    assert not (out / ".scratch").exists()
    assert _sandboxes() - before == set()  # no zygote, kernel or keeper of the run remains


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """``autograder export ... | head -1``: the reader has closed the pipe when the command
    writes its report; the file is written and the command stops without a traceback."""
    from scratch import gradebook_course

    where = gradebook_course(tmp_path / "c", LAB, {"amy": ("Amy", "Lee", "", "", (6, 4), 0, False)})
    out = tmp_path / "moodle.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "export", LAB, "--course", str(where)]
        + ["--to", "moodle", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # gone before the command has written a byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert "amy" in out.read_text(encoding="utf-8-sig")  # what was asked is done


def test_verbose_shows_the_log_on_stderr_and_without_it_only_warnings(
    course, tmp_path, monkeypatch, capsys
):
    def grade(lab, submissions, out, course, options):
        log = logging.getLogger("autograder.grading")
        log.info("alice.ipynb: error in its intake stage: \x1b[2Jnot a notebook")
        log.warning("bob.ipynb: the judge stage crashed")
        return pipeline.ClassResult((), out=out)

    monkeypatch.setattr(pipeline, "grade", grade)
    argv = ["grade", LAB, str(tmp_path), "--course", str(course.root), "--out", str(tmp_path)]
    assert main(["--verbose", *argv]) == EXIT_OK
    err = capsys.readouterr().err
    assert "INFO alice.ipynb: error in its intake stage: \\x1b[2Jnot a notebook" in err
    assert "\x1b" not in err and "WARNING bob.ipynb: the judge stage crashed" in err
    assert main(argv) == EXIT_OK
    err = capsys.readouterr().err
    assert "alice.ipynb" not in err and "WARNING bob.ipynb" in err
    assert logging.getLogger("autograder").handlers == []  # gone with the command


def test_only_the_tools_own_errors_become_exit_2_a_bug_keeps_its_traceback(
    course, tmp_path, monkeypatch, capsys
):
    """A folder that is not there is the user's to fix: one line, exit 2, before any kernel.
    An exception of any other kind is a bug of the tool: it is not dressed as a usage error."""
    argv = ["grade", LAB, str(tmp_path / "nowhere"), "--course", str(course.root)]
    assert main([*argv, "--no-sandbox", "--out", str(tmp_path / "out")]) == EXIT_USAGE == 2
    err = capsys.readouterr().err
    assert err.startswith("autograder: ") and "nowhere does not exist" in err

    def buggy(lab, submissions, out, course, options):
        raise ValueError("a bug of the tool")

    monkeypatch.setattr(pipeline, "grade", buggy)
    with pytest.raises(ValueError, match="a bug of the tool"):
        main([*argv, "--out", str(tmp_path / "out")])
