"""The ``run`` stage's job: one prepared notebook runs in its own sandboxed kernel, within limits.

Every cell runs even when an earlier one fails (a test that fails must not stop
the others). A cell that exceeds the per-cell time is interrupted and the run
goes on. A dead kernel (``os._exit``, a segfault, the memory limit, the
per-submission wall clock) ends the run: the result says where, and the cells
not run are left without outputs for the score stage to mark.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

from autograder.grading.sandbox import integrity
from autograder.grading.sandbox.bwrap import (
    Limits,
    SandboxedKernelManager,
    end_user,
    kernel_env,
    prepare_private,
    readable_paths,
)
from autograder.grading.sandbox.zygote import UserSlot, ZygoteKernelManager, ZygotePool
from autograder.notebooks import MAX_RESULTS_BYTES, RESULTS


@dataclass
class Execution:
    nb: NotebookNode
    failure: str | None = None  # why the run ended early, for the reason column
    failed_cell: int | None = None  # index of the cell running when it ended
    seconds: float = 0.0
    truncated_cells: tuple[int, ...] = ()  # cells whose output hit the output limit
    timed_out_cells: tuple[int, ...] = ()  # cells interrupted at the per-cell time limit
    hidden_error_cells: tuple[int, ...] = ()  # errors the kernel reported but did not show
    integrity: tuple[str, ...] = ()  # what the integrity check found replaced
    dropped_results: tuple[int, ...] = ()  # cells whose results messages were not asked for
    environment: bool = False  # the run failed before any of the notebook ran: ours, not theirs
    #: the job's quota when its kernel ended: bytes used, files used, bytes and files allowed
    disk: tuple[int, int, int, int] | None = None

    @property
    def disk_full(self) -> str | None:
        """What the job filled of its quota (``Limits.disk_mb``, ``disk_files``), in words."""
        if self.disk is None:
            return None
        used, files, size, most = self.disk
        if size - used < DISK_SLACK:
            return f"wrote more than {size >> 20} MB (the job's disk quota)"
        if most - files < FILES_SLACK:
            return f"made {most} files and folders (the job's quota of files)"
        return None


#: What counts as a full quota: less room left than this, at the kernel's end.
DISK_SLACK, FILES_SLACK = 1 << 20, 16


class _LimitedClient(NotebookClient):
    """nbclient that tracks the running cell and stops storing output past a byte budget."""

    def __init__(self, *args, output_budget: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_budget = output_budget
        self.output_used = 0
        self.current_cell: int | None = None
        self.truncated: set[int] = set()
        self.timed_out: set[int] = set()
        self.hidden_errors: set[int] = set()
        self.exempt: set[int] = set()  # the integrity cells: their output is always kept
        self.results_cells: set[int] = set()  # the hidden tests: one results message each
        self.results_seen: set[int] = set()
        self.dropped_results: set[int] = set()

    async def _async_handle_timeout(self, timeout, cell=None):
        if self.current_cell is not None:
            self.timed_out.add(self.current_cell)
        return await super()._async_handle_timeout(timeout, cell)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        self.current_cell = cell_index
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        # The kernel's reply says whether the cell raised. If the error is not among the
        # cell's outputs, student code took over error reporting (a replaced showtraceback,
        # set_custom_exc): write the error in, so nbgrader scores the cell as failed.
        content = (exec_reply or {}).get("content", {})
        if content.get("status") == "error" and not any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        ):
            self.hidden_errors.add(cell_index)
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename=str(content.get("ename", "Error")),
                    evalue=str(content.get("evalue", ""))
                    + " [this error was hidden by the notebook's code; the grader restored it]",
                    traceback=[],
                )
            )
        return await super()._check_raise_for_error(cell, cell_index, exec_reply)

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        if cell_index in self.exempt:
            return super().output(outs, msg, display_id, cell_index)
        data = msg.get("content", {}).get("data")
        if isinstance(data, dict) and RESULTS in data:
            # the results channel takes one message per hidden test cell, in that cell, of
            # bounded size; it counts against the output budget, but a flood of the student's
            # output cannot crowd it out; any other results message is dropped, and named
            if (
                cell_index in self.results_cells
                and cell_index not in self.results_seen
                and size <= MAX_RESULTS_BYTES
            ):
                self.results_seen.add(cell_index)
                self.output_used += size  # counted, but never refused for the budget
                return super().output(outs, msg, display_id, cell_index)
            self.dropped_results.add(cell_index)
            return None
        if self.output_used + size > self.output_budget:
            if cell_index not in self.truncated:
                self.truncated.add(cell_index)
                notice = {
                    "output_type": "stream",
                    "name": "stderr",
                    "text": "[output limit reached: further output of this notebook "
                    "was discarded]\n",
                }
                outs.append(NotebookNode(notice))
            return None
        self.output_used += size
        return super().output(outs, msg, display_id, cell_index)


def run(
    nb: NotebookNode,
    limits: Limits,
    *,
    sandboxed: bool,
    files: dict[str, bytes] | None = None,
    autograding: bool = True,
    results_cells: frozenset[int] = frozenset(),
    unprivileged: bool = False,
) -> Execution:
    """Execute ``nb`` (in place) in a fresh kernel whose working folder holds only the
    notebook and ``files`` (relative path -> content: the lab's helpers and data, see
    ``course.Part.helper_files``); return what happened. ``autograding=False`` runs it as a
    student's Run All would (full experiments). The integrity cells run before and after
    the notebook's own cells and are removed again; cell indices in the result are the
    notebook's. ``results_cells``: the hidden test cells, each of which may send one results
    message; any other results message is dropped (``Execution.dropped_results``).
    ``unprivileged`` (without the sandbox, as root): the kernel runs as an unprivileged host
    user id of its own, which can read only what everyone may read and write only its folder;
    every process of that user ends with the job."""
    before, after = integrity.cells()
    nb.cells.insert(0, before)
    nb.cells.append(after)
    asked = frozenset(i + 1 for i in results_cells)  # indices with the before cell in front
    try:
        result = _run(
            nb,
            limits,
            sandboxed=sandboxed,
            files=files,
            autograding=autograding,
            results=asked,
            unprivileged=unprivileged,
        )
    finally:
        nb.cells.remove(before)
        nb.cells.remove(after)
    n = len(nb.cells)

    def own(indices):
        return tuple(i - 1 for i in indices if 1 <= i <= n)

    result.integrity = tuple(integrity.verdict(before, after, completed=result.failure is None))
    result.truncated_cells = own(result.truncated_cells)
    result.timed_out_cells = own(result.timed_out_cells)
    result.hidden_error_cells = own(result.hidden_error_cells)
    result.dropped_results = own(result.dropped_results)
    if result.failed_cell is not None:  # None if it died in an integrity cell
        result.failed_cell = next(iter(own([result.failed_cell])), None)
    return result


#: The zygotes of this process (one per job running at once); see ``zygote``.
ZYGOTES = ZygotePool()
atexit.register(ZYGOTES.close)


def _run(
    nb: NotebookNode,
    limits: Limits,
    *,
    sandboxed: bool,
    files: dict[str, bytes] | None,
    autograding: bool,
    results: frozenset[int],
    unprivileged: bool = False,
) -> Execution:
    """Sandboxed, the kernel is forked by a zygote of ``ZYGOTES`` into a job folder of its
    sandbox; without a sandbox it is a new process in a temporary folder, as the grader's
    user or (``unprivileged``) as a host user id of its own (``zygote.UserSlot``)."""
    zygote = ZYGOTES.acquire() if sandboxed else None
    user = UserSlot() if unprivileged and not sandboxed else None
    private = zygote.job_folder() if zygote else Path(tempfile.mkdtemp(prefix="autograde-"))
    try:
        for name, content in (files or {}).items():
            target = private / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        env = kernel_env(private, autograding)
        ipc = private / "ipc"  # made by ``job_folder`` for a zygote's job
        ipc.mkdir(mode=0o700, exist_ok=True)
        common = dict(
            transport="ipc",
            ip=str(ipc / "kernel"),
            kernel_name="python3",
            connection_file=str(ipc / "kernel.json"),
        )
        if zygote:
            km = ZygoteKernelManager(
                zygote=zygote, job=private, kernel_env=env, limits=limits, **common
            )
        else:
            prepare_private(private)
            if user:  # the job's folder is its user's own, and no one else's
                for folder, _, names in os.walk(private):
                    for path in [folder, *(os.path.join(folder, n) for n in names)]:
                        os.chown(path, user.uid, user.uid)
            km = SandboxedKernelManager(
                **common,
                private_dir=str(private),
                readable=readable_paths(),
                sandboxed=False,
                memory_mb=limits.memory_mb,
                file_mb=limits.file_mb,
                run_as=user.uid if user else -1,
            )
        return _drive(nb, km, limits, private, env, results)
    finally:
        if zygote:
            ZYGOTES.release(zygote)  # kills what is left of the job, empties its folder
        if user:
            end_user(user.uid)  # what the job left running: a daemon, a fork bomb
            user.release()
        shutil.rmtree(private, ignore_errors=True)


def _drive(
    nb: NotebookNode, km, limits: Limits, private: Path, env: dict, results: frozenset[int]
) -> Execution:
    client = _LimitedClient(
        nb,
        km=km,
        timeout=limits.cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        record_timing=True,
        output_budget=limits.output_bytes,
        resources={"metadata": {"path": str(private)}},
    )
    client.exempt = {0, len(nb.cells) - 1}
    client.results_cells = set(results)
    expired = threading.Event()
    provisioner = km.provisioner

    def watchdog():
        expired.set()
        process = getattr(km.provisioner, "process", None) if km.provisioner else None
        if process is not None:
            process.kill()

    timer = threading.Timer(limits.wall_timeout, watchdog)
    timer.daemon = True
    start = time.perf_counter()
    result = Execution(nb)
    timer.start()
    try:
        # the kernel's own start-up chatter is not the student's output
        client.execute(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except DeadKernelError:
        result.failed_cell = client.current_cell
        result.failure = (
            f"the time limit for the whole notebook ({limits.wall_timeout} s) was reached"
            if expired.is_set()
            else "the kernel died (os._exit, a crash, or the memory limit "
            f"of {limits.memory_mb} MB)"
        )
    except Exception as exc:  # noqa: BLE001 -- any client failure is this submission's error
        result.failed_cell = client.current_cell
        result.failure = f"execution failed: {type(exc).__name__}: {exc}"[:500]
        if client.current_cell is None:  # no cell ran: the kernel itself did not start
            result.failure = f"the kernel did not start: {type(exc).__name__}: {exc}"[:500]
            result.environment = True
    finally:
        timer.cancel()
        result.seconds = time.perf_counter() - start
        result.truncated_cells = tuple(sorted(client.truncated))
        result.timed_out_cells = tuple(sorted(client.timed_out))
        result.hidden_error_cells = tuple(sorted(client.hidden_errors))
        result.dropped_results = tuple(sorted(client.dropped_results))
        if client.kc is not None:  # nbclient leaves a client of our manager connected
            client.kc.stop_channels()  # (its heartbeat thread would live on)
            client.kc = None
        if km.has_kernel:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 -- already gone; the result says what happened
                pass
        # each kernel manager makes its own ZeroMQ context (I/O thread, sockets, about 12
        # file descriptors) and frees it only when garbage-collected: a grader that runs
        # thousands of notebooks would run out of descriptors
        if km.context is not None and not km.context.closed:
            km.context.destroy(linger=0)
        forked = getattr(provisioner, "forked", None)
        if forked is not None and forked.disk:
            result.disk = tuple(forked.disk)
    return result


__all__ = ["Execution", "run"]
