"""Part of the ``run`` stage: kernels forked from a warm zygote inside the sandbox.

Most of a submission's grading time used to go to starting a fresh Python, importing
ipykernel, NumPy, SciPy, matplotlib and scikit-learn, and only then running the tests. A
``Zygote`` pays that once: it is one bubblewrap sandbox (the same as a kernel's: no network,
no view of other processes, a read-only system and Python environment) running
``zygote_server.py``, which imports all that and then forks one fresh kernel process per
submission. Each kernel still is a new process with its own limits (memory, file size), its
own session, fresh random seeds and its own working folder ("job folder", made here in the
sandbox's one writable folder); nbclient drives it over IPC sockets in that folder exactly
as before (``ZygoteKernelManager``).

Between submissions the zygote kills every other process of its sandbox and empties /tmp and
/dev/shm, and the grader deletes the job folder, so nothing of one submission reaches the
next. The zygote is not dumpable (no kernel can trace it or write its memory), never reads
what a kernel wrote, and its code and font cache are bound read-only. A ``ZygotePool`` keeps
one zygote per concurrent job of the process (a grading thread, a Dask worker).
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Int

from autograder.grading.sandbox import bwrap

SERVER = Path(__file__).with_name("zygote_server.py")
STARTUP_TIMEOUT = 120  # seconds for the zygote's imports, on a busy machine
REPLY_TIMEOUT = 60
#: The start of every zygote's folder name (``tempfile.mkdtemp``'s prefix).
ROOT_PREFIX = "autograde-zygote-"


class ZygoteError(RuntimeError):
    """The zygote did not start or stopped answering: a fault of the grading machine."""


#: Host user ids of the zygotes when the grader runs as root: one per zygote alive on this
#: machine (``UserSlot``), so that concurrent jobs never share a user. Override the first with
#: the environment variable ``AUTOGRADER_UID_BASE``.
UID_BASE = int(os.environ.get("AUTOGRADER_UID_BASE", "1800000000"))
UID_SLOTS = 4096


class UserSlot:
    """An unprivileged host user id held by one zygote on this machine: a lock file per id,
    held while the zygote lives, keeps other graders (other Dask worker processes too) off it."""

    folder = Path(tempfile.gettempdir()) / "autograder-users"

    def __init__(self):
        self.folder.mkdir(mode=0o755, exist_ok=True)
        for slot in range(UID_SLOTS):
            fh = open(self.folder / f"{UID_BASE + slot}.lock", "a")  # noqa: SIM115
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                continue
            self.uid, self._fh = UID_BASE + slot, fh
            return
        raise ZygoteError(f"all {UID_SLOTS} grading user ids from {UID_BASE} are in use")

    def release(self) -> None:
        self._fh.close()


class Zygote:
    """One sandbox with a warm zygote in it; one job at a time. Run as root, the sandbox's
    processes are an unprivileged host user of their own (``UserSlot``)."""

    def __init__(self, readable: list[str]):
        self.user = UserSlot() if os.geteuid() == 0 else None
        uid = self.user.uid if self.user else os.getuid()
        self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
        static, self.slot = self.root / "static", self.root / "slot"
        static.mkdir()
        self.slot.mkdir()
        shutil.copy(SERVER, static / SERVER.name)
        shutil.copytree(bwrap.matplotlib_cache(), static / ".matplotlib")
        for folder, _, files in os.walk(static):  # readable by the sandbox's user, not writable
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        self.root.chmod(0o711)
        self.slot.chmod(0o711)  # the job folders in it are their own user's, 0700
        os.chown(self.slot, uid, uid)
        env = bwrap.kernel_env(self.slot)
        env["MPLCONFIGDIR"] = str(static / ".matplotlib")
        # not --die-with-parent: that would end the sandbox with the grading thread that
        # started it. The zygote ends when its stdin closes (the grader exited or closed it),
        # and with it every process of its sandbox (its pid namespace's init goes).
        command = bwrap.wrap(
            [*readable, str(static)],
            str(self.slot),
            die_with_parent=False,
            drop_to=self.user.uid if self.user else None,
        )
        self.uid = uid
        self.log = open(self.root / "zygote.log", "w")  # noqa: SIM115 -- closed in close()
        server = [bwrap.PYTHON, str(static / SERVER.name), str(self.root)]
        self.process = subprocess.Popen(
            [*command, *server, str(self.user.uid) if self.user else "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            text=True,
            bufsize=1,
        )
        self.lock = threading.Lock()
        try:
            self._read(STARTUP_TIMEOUT)  # {"ready": pid, "uid": ...}
        except ZygoteError:
            self.close()
            raise

    def _read(self, timeout: float) -> dict:
        # poll, not select: select fails on descriptors above 1023, which a long-lived
        # grader (or test session) reaches
        poller = select.poll()
        poller.register(self.process.stdout, select.POLLIN)
        ready = poller.poll(timeout * 1000)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.log.flush()
            tail = (self.root / "zygote.log").read_text()[-1500:]
            raise ZygoteError(
                "the kernel zygote " + ("did not answer" if not ready else "stopped") + f": {tail}"
            )
        return json.loads(line)

    def request(self, op: str, **fields) -> dict:
        with self.lock:
            if self.process.poll() is not None:
                raise ZygoteError(f"the kernel zygote has exited ({self.process.returncode})")
            try:
                self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
                self.process.stdin.flush()
            except (OSError, ValueError) as exc:  # closed by ``close`` (an interrupted run)
                raise ZygoteError(f"the kernel zygote is closing ({exc})") from exc
            return self._read(REPLY_TIMEOUT)

    def job_folder(self) -> Path:
        """A folder for the next job's inputs, which its kernel copies onto its quota (see
        ``zygote_server``), and its ``ipc/`` folder, the one place the grader and the
        kernel share (the connection file and the kernel's sockets)."""
        job = Path(tempfile.mkdtemp(prefix="job-", dir=self.slot))
        os.chown(job, self.uid, self.uid)
        (job / "ipc").mkdir(mode=0o700)
        os.chown(job / "ipc", self.uid, self.uid)
        return job

    def spawn(self, job: Path, connection_file: str, env: dict, limits: bwrap.Limits) -> int:
        os.chown(connection_file, self.uid, self.uid)  # written by jupyter_client, 0600
        reply = self.request(
            "spawn",
            cwd=str(job),
            slot=str(self.slot),
            connection_file=connection_file,
            env=env,
            memory_mb=limits.memory_mb,
            file_mb=limits.file_mb,
            disk_mb=limits.disk_mb,
            disk_files=limits.disk_files,
            cpu_seconds=limits.cpu_seconds,
        )
        if "error" in reply:
            raise ZygoteError(reply["error"])
        return reply["pid"]

    def clean(self) -> None:
        """Kill whatever the last job left running and empty the sandbox's shared places."""
        self.request("clean")
        for leftover in self.slot.iterdir():
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)

    def close(self) -> None:
        """End the sandbox: closing its stdin ends the zygote, which ends every process in it
        (the kernels' CPU time then counts as the grader's children's); kill if it hangs."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        _kill_all_of(self.root)  # whatever a hung or killed zygote left: its init first
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.user:
            self.user.release()


def processes_naming(marker: str) -> set[int]:
    """The processes of this machine whose command line holds ``marker`` (a zygote's root,
    or ``ROOT_PREFIX`` for every zygote's)."""
    wanted, found = marker.encode(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if wanted in fh.read():
                    found.add(int(entry))
        except OSError:
            continue
    return found


def _kill_all_of(root: Path) -> None:
    """SIGKILL every process of this machine whose command line names ``root``: a zygote's
    bubblewrap (the init of its pid namespace, whose end ends every process in it) and its
    server. Nothing of a closed zygote may outlive it."""
    for pid in processes_naming(str(root)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


class ZygotePool:
    """Zygotes for the jobs that run at once in this process: a job takes a clean one and
    gives it back after cleaning; a zygote that fails is closed and replaced."""

    def __init__(self):
        self.free: queue.SimpleQueue[Zygote] = queue.SimpleQueue()
        self.all: list[Zygote] = []
        self.lock = threading.Lock()

    def acquire(self) -> Zygote:
        while True:
            try:
                zygote = self.free.get_nowait()
            except queue.Empty:
                break
            if zygote.process.poll() is None:
                return zygote
            self.discard(zygote)  # it died while it waited
        zygote = Zygote(bwrap.readable_paths())
        with self.lock:
            self.all.append(zygote)
        return zygote

    def release(self, zygote: Zygote) -> None:
        try:
            zygote.clean()
        except ZygoteError:
            self.discard(zygote)
            return
        self.free.put(zygote)

    def discard(self, zygote: Zygote) -> None:
        with self.lock:
            if zygote in self.all:
                self.all.remove(zygote)
        zygote.close()

    def close(self) -> None:
        with self.lock:
            zygotes, self.all = self.all, []
        for zygote in zygotes:
            zygote.close()


class _Forked:
    """What a watchdog kills: the forked kernel, through its zygote. ``disk``: how full its
    quota was when it ended (``zygote_server.disk``), once the zygote has said."""

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote, self.pid = zygote, pid
        self.disk: list[int] | None = None

    def said(self, reply: dict) -> dict:
        self.disk = self.disk or reply.get("disk")
        return reply

    def kill(self) -> None:
        try:
            self.said(self.zygote.request("kill", pid=self.pid))
        except ZygoteError:
            self.zygote.process.kill()  # the sandbox goes, and the kernel with it


class ZygoteProvisioner(LocalProvisioner):
    """Starts the kernel by asking the zygote to fork it, and manages it through the zygote."""

    zygote: Zygote | None = None
    job: Path | None = None
    kernel_env: dict | None = None
    limits: bwrap.Limits | None = None
    forked: _Forked | None = None  # kept after the kernel ended, for its ``disk``

    async def launch_kernel(self, cmd, **kwargs):
        pid = self.zygote.spawn(self.job, self.parent.connection_file, self.kernel_env, self.limits)
        self.pid = self.pgid = pid
        self.process = self.forked = _Forked(self.zygote, pid)
        return self.connection_info

    async def poll(self) -> int | None:
        if self.process is None:
            return 0
        try:
            return self.process.said(self.zygote.request("poll", pid=self.pid))["exit"]
        except ZygoteError:
            return -1

    async def wait(self) -> int | None:
        import asyncio

        while (code := await self.poll()) is None:
            await asyncio.sleep(0.05)
        self.process = None
        return code

    async def send_signal(self, signum: int) -> None:
        # interrupts go as messages (interrupt_mode "message"); any signal we send is a kill
        await self.kill()

    async def kill(self, restart: bool = False) -> None:
        if self.process is not None:
            self.process.kill()

    async def terminate(self, restart: bool = False) -> None:
        await self.kill(restart)

    async def cleanup(self, restart: bool = False) -> None:
        return None


class ZygoteKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is forked by ``zygote`` into the job folder ``job``."""

    memory_mb = Int(2048).tag(config=False)
    file_mb = Int(100).tag(config=False)

    def __init__(self, *, zygote: Zygote, job: Path, kernel_env: dict, limits, **kwargs):
        super().__init__(**kwargs)
        self.kernel_spec.interrupt_mode = "message"
        self.kernel_id = str(uuid.uuid4())
        provisioner = ZygoteProvisioner(
            kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
        )
        provisioner.zygote, provisioner.job = zygote, job
        provisioner.kernel_env, provisioner.limits = kernel_env, limits
        self.provisioner = provisioner


__all__ = ["Zygote", "ZygotePool", "ZygoteKernelManager", "ZygoteError"]
