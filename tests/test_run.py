"""Stage 4, run: the sandbox, the warm zygote, the kernel's limits and the engine's jobs."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import pytest
from scratch import FAST, LAB

from autograder import notebooks
from autograder.grading import record, run
from autograder.grading.sandbox import bwrap, kernel
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
    ctx = SimpleNamespace(
        engine=_Lost, limits=FAST, sandboxed=True, unprivileged=False, shared_files={}
    )
    sub = Submission.of("a.ipynb", None, "amy")
    sub.prepared = SimpleNamespace(tests={})
    with pytest.raises(EnvironmentFault, match="the grading job was lost .*grade again"):
        run.stage(sub, ctx)

    class _NoKernel:
        class executor:
            @staticmethod
            def submit(fn, nb, *args, **kwargs):
                future = Future()
                future.set_result(kernel.Execution(nb, failure="no kernel", environment=True))
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


@pytest.mark.kernel
@pytest.mark.sandbox
def test_nothing_of_one_submission_reaches_the_next_through_the_zygote():
    """Kernels are forked by a warm zygote, one sandbox for many submissions in turn, each
    into namespaces of its own. What a submission leaves behind -- files in /tmp, /dev,
    /dev/shm and its folder, a process that outlives it -- is gone before the next, which
    sees no process but its own, no other job's folder, and has no capability and, when the
    grader runs as root, no root."""
    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.grading.sandbox.zygote import ZygotePool

    leave = new_notebook(
        cells=[
            new_code_cell(
                "import os, subprocess, sys\n"
                "for place in ('/tmp', '/dev', '/dev/shm', '.'):\n"
                "    try:\n"
                "        open(os.path.join(place, 'left-behind'), 'w').write('secret')\n"
                "    except OSError as exc:\n"
                "        print(place, 'refused:', exc)\n"
                "lurker = subprocess.Popen([sys.executable, '-c', "
                "'import os, signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
                "time.sleep(300)'])\n"
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
                "print('dev', sorted(os.listdir('/dev')))\n"
                "found = [p for top in ('/dev', '..', *glob.glob('/tmp/autograde-*')) "
                "for p in glob.glob(top + '/**/left-behind', recursive=True)]\n"
                "print('found', sorted(found))\n"
                "print('jobs', sorted(os.listdir('..')))\n"
                "print('processes', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
                "print('zygote-proc', os.listdir('/.proc') if os.path.isdir('/.proc') else [])\n"
                "print('uid', os.getuid(), os.getpid())\n"
                "try:\n    print('shadow', len(open('/etc/shadow').read()))\n"
                "except OSError as e:\n    print('shadow', type(e).__name__)\n"
                "import subprocess, sys\n"
                "remount = subprocess.run(['mount', '-o', 'remount,rw,bind', sys.prefix])\n"
                "print('remount', remount.returncode)\n"
                "confined = set()\n"
                "for task in os.listdir('/proc/self/task'):\n"
                "    status = open(f'/proc/self/task/{task}/status').read().splitlines()\n"
                "    confined.add(tuple(ln.split()[1] for ln in status if ln.startswith(\n"
                "        ('CapEff', 'CapPrm', 'CapBnd', 'NoNewPrivs', 'Seccomp:'))))\n"
                "print('threads', len(os.listdir('/proc/self/task')))\n"
                "print('confined', sorted(confined))\n"
                "own_ns = subprocess.run(['unshare', '-Urm', 'true'], capture_output=True)\n"
                "print('unshare', own_ns.returncode)\n"
                "import ctypes\n"
                "libc = ctypes.CDLL(None)\n"
                "print('outside', [libc.memfd_create(b'x', 0), libc.shmget(0, 1 << 20, 0o1600), "
                "libc.msgget(0, 0o1600), libc.semget(0, 1, 0o1600)])"
            )
        ]
    )
    real = kernel.ZYGOTES
    kernel.ZYGOTES = pool = ZygotePool()  # one zygote, used by both in turn
    try:
        first = kernel.run(leave, FAST, sandboxed=True)
        assert first.failure is None and "lurker" in notebooks.stream_text(leave.cells[0])
        second = kernel.run(look, FAST, sandboxed=True)
        assert len(pool.all) == 1  # the same zygote ran both
    finally:
        kernel.ZYGOTES = real
        pool.close()
    assert second.failure is None
    seen = dict(line.split(" ", 1) for line in notebooks.stream_text(look.cells[0]).splitlines())
    import ast

    # in /tmp only the zygote's own folder (its code and this job's folder are bound there),
    # the job's /dev/shm, and the read-only system paths that live under /tmp (a clean
    # clone's .venv in CI)
    in_tmp = set(ast.literal_eval(seen["tmp"])) - {".shm"}
    system = {
        Path(p).relative_to("/tmp").parts[0]
        for p in bwrap.readable_paths()
        if Path(p).is_relative_to("/tmp")
    }
    zygotes = [name for name in in_tmp if name.startswith("autograde-zygote-")]
    assert len(zygotes) == 1 and in_tmp - system == set(zygotes), seen
    assert seen["shm"] == "[]" and seen["found"] == "[]", seen
    assert "left-behind" not in seen["dev"] and "null" in seen["dev"], seen
    assert len(ast.literal_eval(seen["jobs"])) == 1, seen  # its own folder, no other job's
    assert ast.literal_eval(seen["processes"]) == [1], seen  # the kernel alone: pid 1
    assert seen["zygote-proc"] == "[]", seen
    # every thread (ipykernel's too, started as it initialises): no capability, also when
    # grading as root, no new privileges, and the job's seccomp filter
    assert int(seen["threads"]) > 1, seen
    zero = "0000000000000000"
    assert ast.literal_eval(seen["confined"]) == [(zero, zero, zero, "1", "2")], seen
    assert seen["unshare"] != "0", seen  # no namespace of its own, so no mount of its own
    # no memory outside its quota and its limits: memfd and System V IPC are refused
    assert seen["outside"] == "[-1, -1, -1, -1]", seen
    assert seen["remount"] != "0", seen  # so the read-only system stays read-only
    if os.geteuid() == 0:  # the grader is root: the kernel is an unprivileged host user
        assert int(seen["uid"].split()[0]) != 0 and seen["shadow"] == "PermissionError", seen


@pytest.mark.kernel
@pytest.mark.parametrize("sandboxed", [pytest.param(True, marks=pytest.mark.sandbox), False])
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
        result = kernel.run(nb, FAST, sandboxed=sandboxed)
        assert result.failure is None and notebooks.stream_text(nb.cells[0]) == "42\n"

    one()  # the first run may create what is kept on purpose (a zygote, a font cache)
    before = held()
    for _ in range(4):
        one()
    after = held()
    # Each leaking run would hold a dozen more descriptors and a thread; the suite's own
    # leftovers (another test's socket closing late) may only make the count smaller.
    assert after[0] <= before[0] and after[1] <= before[1], (before, after)


# -- attacks on isolation, in one class run next to honest work --------------------------


def _executed(isolation_class, student: str):
    path = isolation_class["course"].root / "autograded" / student / LAB / f"{LAB}.ipynb"
    return notebooks.read(path)


def _printed(nb) -> str:
    return "".join(notebooks.stream_text(c) for c in nb.cells)


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_lurker_reaches_no_later_submission(isolation_class):
    """Ten times over, a submission leaves a process that re-forks, ignores signals, patches
    the next job's helpers and listens to its kernel, and marks /tmp, /dev and /dev/shm; the
    honest victim graded next on the same zygote gets full marks every time, and none of its
    code reaches any other row, file or folder."""
    rows = isolation_class["rows"]
    victims = sorted(f for f in rows if f.endswith("-b-victim.ipynb"))
    lurkers = sorted(f for f in rows if f.endswith("-a-lurker.ipynb"))
    assert len(victims) == len(lurkers) == 10
    for name in victims:
        assert (rows[name].raw_score, rows[name].status) == (10, "graded"), rows[name].reason
    for name in lurkers:
        printed = _printed(_executed(isolation_class, name[: -len(".ipynb")]))
        assert "LEFT BEFORE ME: []" in printed, printed[:500]  # nothing of the earlier ones
    course, out = isolation_class["course"].root, isolation_class["out"]
    shared = json.loads((out / "results.json").read_text())["rows"]  # every row, in one file
    for k, victim in enumerate(victims):
        marker = f"VICTIM-CODE-{k}"
        own = victim[: -len(".ipynb")]
        others = [r for r in shared if r["file"] != victim]
        assert len(others) == len(shared) - 1 and marker not in json.dumps(others)
        its_own = {out / "results.json", out / "feedback" / f"{own}.html"}
        its_own.add(record.state_path(out, victim))
        for place in (course / "autograded", course / "submitted", out):
            for path in place.rglob("*"):
                if path in its_own or own in path.relative_to(place).parts[:1]:
                    continue
                if path.is_file() and path.suffix in (".csv", ".json", ".html", ".ipynb", ".txt"):
                    assert marker.encode() not in path.read_bytes(), path


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_kernel_reads_nothing_only_root_may_read(isolation_class):
    if os.geteuid() != 0:
        pytest.skip("the grader does not run as root here: nothing more to prove")
    printed = _printed(_executed(isolation_class, "shadow"))
    assert "SHADOW refused: PermissionError" in printed and "SHADOW: " not in printed
    assert isolation_class["rows"]["shadow.ipynb"].raw_score == 10


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_fork_bomb_ends_at_its_own_limit_and_leaves_nothing(isolation_class):
    from autograder.grading.sandbox import zygote_server
    from autograder.grading.sandbox.zygote import UID_BASE, UID_SLOTS

    printed = _printed(_executed(isolation_class, "bomb"))
    born = int(printed.split("FORKED ")[1].split()[0])
    assert 0 < born < zygote_server.MAX_PROCESSES, printed
    assert isolation_class["rows"]["bomb.ipynb"].raw_score == 10
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")
        except OSError:
            continue
        if UID_BASE <= uid < UID_BASE + UID_SLOTS and b"zygote_server" not in cmd:
            left.append((pid, cmd[:80]))
    assert left == []  # every job's processes went with its namespace


@pytest.mark.kernel
@pytest.mark.sandbox
def test_results_messages_nobody_asked_for_are_dropped_and_bounded(isolation_class):
    row = isolation_class["rows"]["flood.ipynb"]
    assert (row.raw_score, row.status) == (10, "flagged")
    assert "results messages the grader did not ask for were dropped" in row.reason
    stored = isolation_class["course"].root / "autograded" / "flood" / LAB / f"{LAB}.ipynb"
    assert stored.stat().st_size < 3 << 20  # 36 MB were sent


@pytest.mark.kernel
@pytest.mark.sandbox
def test_links_are_refused_and_never_copied(isolation_class):
    rows = isolation_class["rows"]
    eve = rows["eve.ipynb"]
    assert (eve.status, eve.raw_score, eve.counted) == (
        "error",
        0,
        True,
    ) and "symbolic" in eve.reason
    secret = rows["fay/submission_secret.txt"]
    assert secret.status == "error" and "symbolic link" in secret.reason
    assert (rows[f"fay/{LAB}.ipynb"].raw_score, rows[f"fay/{LAB}.ipynb"].status) == (10, "graded")
    course = isolation_class["course"].root
    for place in ("submitted", "autograded"):
        assert not (course / place / "fay" / LAB / "submission_secret.txt").exists()
