"""Stage 4, run: the sandbox, the warm zygote, the kernel's limits and the engine's jobs."""

from __future__ import annotations

import json
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import pytest
from scratch import FAST

from autograder import notebooks
from autograder.grading import run
from autograder.grading.sandbox import bwrap as sandbox
from autograder.grading.sandbox import kernel as execute
from autograder.grading.submission import EnvironmentFault, Submission


class _Lost:
    """An engine whose job died with its workers."""

    class executor:
        @staticmethod
        def submit(*args, **kwargs):
            future = Future()
            future.set_exception(RuntimeError("worker tcp://10.0.0.7:4000 died"))
            return future


def test_a_lost_job_or_a_kernel_that_never_started_is_the_machines_fault():
    ctx = SimpleNamespace(engine=_Lost, limits=FAST, sandbox=True, files={})
    sub = Submission("a.ipynb", None, "amy")
    with pytest.raises(EnvironmentFault, match="the grading job was lost .*grade again"):
        run.stage(sub, ctx)

    class _NoKernel:
        class executor:
            @staticmethod
            def submit(fn, nb, *args, **kwargs):
                future = Future()
                future.set_result(execute.Execution(nb, failure="no kernel", environment=True))
                return future

    ctx.engine = _NoKernel
    with pytest.raises(EnvironmentFault, match="no kernel"):
        run.stage(sub, ctx)


def test_integrity_verdict_flags_a_silenced_or_forged_after_check():
    from nbformat.v4 import new_output

    from autograder.grading.sandbox import integrity

    before, after = integrity.cells()
    nonce = before.metadata["autograde_integrity"]["nonce"]
    assert nonce == after.metadata["autograde_integrity"]["nonce"] and nonce in before.source

    def printed(cell, when, fp, tag_nonce=nonce):
        record = json.dumps({"nonce": tag_nonce, "when": when, "fp": fp})
        cell.outputs = [new_output("stream", name="stdout", text=integrity.TAG + record + "\n")]

    printed(before, "before", {"numpy.allclose": "1", "labs.checks.judge": "2"})
    printed(after, "after", {"numpy.allclose": "1", "labs.checks.judge": "2"})
    assert integrity.verdict(before, after, completed=True) == []
    printed(after, "after", {"numpy.allclose": "1", "labs.checks.judge": "3"})
    assert integrity.verdict(before, after, completed=True) == [
        "replaced what the tests rely on: labs.checks.judge"
    ]
    printed(after, "after", {"numpy.allclose": "1", "labs.checks.judge": "2"}, "0" * 16)
    assert "printed nothing" in integrity.verdict(before, after, completed=True)[0]
    after.outputs = []
    assert "printed nothing" in integrity.verdict(before, after, completed=True)[0]
    assert integrity.verdict(before, after, completed=False) == []  # the kernel died first


@pytest.mark.slow
def test_nothing_of_one_submission_reaches_the_next_through_the_zygote():
    """Kernels are forked by a warm zygote, one sandbox for many submissions in turn. What a
    submission leaves behind -- files in /tmp, /dev/shm and its folder, a process that
    outlives it -- is gone before the next, which cannot read or trace the zygote either."""
    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.grading.sandbox.zygote import ZygotePool

    leave = new_notebook(
        cells=[
            new_code_cell(
                "import os, subprocess, sys\n"
                "open('/tmp/left-behind', 'w').write('secret')\n"
                "open('/dev/shm/left-behind', 'w').write('secret')\n"
                "open('left-behind', 'w').write('secret')\n"
                "lurker = subprocess.Popen([sys.executable, '-c', "
                "'import os, time; os.setsid(); time.sleep(300)'], start_new_session=True)\n"
                "print('lurker', lurker.pid)"
            )
        ]
    )
    look = new_notebook(
        cells=[
            new_code_cell(
                "import glob, os\n"
                "print('tmp', sorted(os.listdir('/tmp')))\n"
                "print('shm', sorted(os.listdir('/dev/shm')))\n"
                "print('found', sorted(glob.glob('../**/left-behind', recursive=True)))\n"
                "print('processes', len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
                "zygote = os.getppid()\n"
                "try:\n    open(f'/proc/{zygote}/mem', 'rb').close()\n    print('mem: opened')\n"
                "except OSError as e:\n    print('mem:', type(e).__name__)\n"
                "try:\n    print('environ:', len(open(f'/proc/{zygote}/environ').read()))\n"
                "except OSError as e:\n    print('environ:', type(e).__name__)\n"
                "import subprocess, sys\n"
                "remount = subprocess.run(['mount', '-o', 'remount,rw,bind', sys.prefix])\n"
                "print('remount', remount.returncode)\n"
                "status = open('/proc/self/status').read().splitlines()\n"
                "print('caps', [ln.split()[1] for ln in status if ln.startswith('CapEff')][0])"
            )
        ]
    )
    real = execute.ZYGOTES
    execute.ZYGOTES = pool = ZygotePool()  # one zygote, used by both in turn
    try:
        first = execute.run(leave, FAST, sandbox=True)
        assert first.failure is None and "lurker" in notebooks.stream_text(leave.cells[0])
        second = execute.run(look, FAST, sandbox=True)
        assert len(pool.all) == 1  # the same zygote ran both
    finally:
        execute.ZYGOTES = real
        pool.close()
    assert second.failure is None
    seen = dict(line.split(" ", 1) for line in notebooks.stream_text(look.cells[0]).splitlines())
    # in /tmp only the zygote's own folder (its code and the job folders are bound there) and
    # the read-only system paths that live under /tmp (a clean clone's .venv in CI)
    import ast

    in_tmp = set(ast.literal_eval(seen["tmp"]))
    system = {
        Path(p).relative_to("/tmp").parts[0]
        for p in sandbox.readable_paths()
        if Path(p).is_relative_to("/tmp")
    }
    zygotes = [name for name in in_tmp if name.startswith("autograde-zygote-")]
    assert len(zygotes) == 1 and in_tmp - system == set(zygotes), seen
    assert seen["shm"] == "[]" and seen["found"] == "[]", seen
    # bwrap's init, the zygote, this kernel (the lurker is gone)
    assert int(seen["processes"]) <= 3, seen
    assert seen["mem:"] == "PermissionError" and seen["environ:"] == "PermissionError", seen
    assert int(seen["caps"], 16) == 0, seen  # no capabilities, also when grading as root
    assert seen["remount"] != "0", seen  # so the read-only system stays read-only


@pytest.mark.slow
@pytest.mark.parametrize("sandboxed", [True, False])
def test_running_many_notebooks_leaks_no_descriptors_or_threads(sandboxed):
    """A grader runs thousands of notebooks in one process: each run must give back its
    ZeroMQ context, sockets and heartbeat thread (else the descriptors run out, and
    select() fails past 1023)."""
    import gc
    import os
    import threading

    from nbformat.v4 import new_code_cell, new_notebook

    def held():
        gc.collect()  # what earlier tests left for the collector is not this test's leak
        return len(os.listdir("/proc/self/fd")), threading.active_count()

    def one():
        nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
        result = execute.run(nb, FAST, sandbox=sandboxed)
        assert result.failure is None and notebooks.stream_text(nb.cells[0]) == "42\n"

    one()  # the first run may create what is kept on purpose (a zygote, a font cache)
    before = held()
    for _ in range(4):
        one()
    after = held()
    # Each leaking run would hold a dozen more descriptors and a thread; the suite's own
    # leftovers (another test's socket closing late) may only make the count smaller.
    assert after[0] <= before[0] and after[1] <= before[1], (before, after)
