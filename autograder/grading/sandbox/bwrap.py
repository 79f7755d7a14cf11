"""Kernels that run inside a bubblewrap sandbox, with resource limits.

The kernel sees a read-only view of the system and the Python environment; its private
working folder holds the notebook and the lab's files (helpers, data). It can write only
that folder
(and an empty private /tmp); it has no network (its own network namespace), no
view of other processes, and dies with the grader. It talks to the grader over
ZeroMQ IPC sockets in its private folder, which is how the two cross the
namespace boundary. Memory is capped with RLIMIT_AS, file size with RLIMIT_FSIZE.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Int, List, Unicode

from autograder.errors import ToolError

#: This Python, by an absolute path without ``..`` (``../.venv/bin/python`` started from a
#: subfolder would name a folder the sandbox does not have) and without resolving symlinks
#: (a virtual environment's ``bin/python`` is a link, and only that path selects the venv).
PYTHON = os.path.abspath(sys.executable)


class SandboxUnavailable(ToolError):
    pass


@dataclass(frozen=True)
class Limits:
    cell_timeout: int = 30  # seconds per cell
    wall_timeout: int = 300  # seconds per submission
    memory_mb: int = 2048  # address space of the kernel
    output_bytes: int = 2_000_000  # all outputs of one submission
    file_mb: int = 100  # largest file the kernel may write
    disk_mb: int = 512  # all a job writes (its folder, /tmp, /dev/shm): a tmpfs, so memory
    disk_files: int = 10_000  # files and folders a job may have at once, in the same places

    @property
    def cpu_seconds(self) -> int:
        """CPU time of each of a job's processes: one core for the whole notebook's time."""
        return self.wall_timeout

    def describe(self) -> str:
        """The limits of one job, as the run's header states them."""
        from autograder.grading.sandbox.zygote_server import MAX_PROCESSES

        return (
            f"{self.memory_mb} MB of memory per process; {self.disk_mb} MB and "
            f"{self.disk_files} files written (in memory); {MAX_PROCESSES} processes; "
            f"{self.cell_timeout} s per cell, {self.wall_timeout} s per notebook, "
            f"{self.cpu_seconds} s of CPU per process; {self.output_bytes // 1000} kB of output"
        )


def cpu_share() -> str:
    """How jobs share the CPU on this machine, as the run's header states it: one scheduling
    group per job when Linux's autogroup is on and this process is in no cpu cgroup (each
    kernel starts a session, and the seccomp filter keeps its processes in it); otherwise
    only the CPU time limit per process holds."""
    try:
        autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        autogroup = False
    if autogroup and _in_root_cpu_group():
        return "fair: one scheduling group per job (Linux autogroup; a job cannot start a session)"
    return (
        "NOT fair: Linux autogroup is off here, or this grader runs in a cpu cgroup; only the "
        "CPU time per process is bounded, so a job that spins in many threads slows the jobs "
        "beside it (use --workers 1, or grade where autogroup is on)"
    )


def _in_root_cpu_group() -> bool:
    """Whether this process is in no cpu cgroup of its own, where autogroup applies."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):  # cgroup v1's cpu controller
            return path == "/"
    unified = next((path for _, c, path in (ln.split(":", 2) for ln in lines) if not c), None)
    if unified in (None, "/"):
        return True
    try:  # cgroup v2: the cpu controller on in our group
        enabled = Path("/sys/fs/cgroup", unified.lstrip("/"), "cgroup.controllers").read_text()
    except OSError:
        return True
    return "cpu" not in enabled.split()


@functools.cache
def bwrap() -> str:
    """The bubblewrap executable, checked to work here; raise ``SandboxUnavailable``."""
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed. Install it (Debian/Ubuntu: apt-get install "
            "bubblewrap; Fedora: dnf install bubblewrap) or, if you accept running student "
            "code with your own rights, pass --no-sandbox."
        )
    from autograder.grading.sandbox.zygote_server import SYSCALLS

    if os.uname().machine not in SYSCALLS:
        raise SandboxUnavailable(
            f"the sandbox's seccomp filter knows the system calls of {', '.join(SYSCALLS)} only, "
            f"not {os.uname().machine}; --no-sandbox runs without one"
        )
    probe = subprocess.run(
        [path, "--ro-bind", "/", "/", "--unshare-all", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap is installed but cannot create a sandbox here ({probe.stderr.strip()}). "
            "Unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone"
            "=1), or run the grader where they are allowed; --no-sandbox runs without one."
        )
    return path


def readable_paths() -> list[str]:
    """What the kernel may read: the system and this Python environment. The lab's helpers
    and data are not among them: they are copied into the kernel's private folder from the
    course's ``source/<lab>/`` (``course.Part.helper_files``), so a kernel uses the helpers
    of the course it grades, never another copy."""
    paths = [
        "/usr",
        "/lib",
        "/lib32",
        "/lib64",
        "/bin",
        "/sbin",
        "/etc",
        sys.base_prefix,
        sys.prefix,
    ]
    paths = [os.path.abspath(p) for p in paths]
    out: list[str] = []
    for p in paths:  # bound under their own names: /lib64 may be a link to /usr/lib64
        if os.path.exists(p) and p not in out:
            out.append(p)
        real = os.path.realpath(p)
        if real != p and os.path.exists(real) and real not in out:
            out.append(real)
    return out


def _limit_prefix(limits: Limits, processes: int | None = None) -> list[str]:
    """Python setting the limits of its process, then becoming the kernel. ``processes``:
    RLIMIT_NPROC too (counted per user: for a kernel that has a user id of its own)."""
    code = (
        "import os, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limits.memory_mb << 20}, "
        f"{limits.memory_mb << 20}))\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limits.file_mb << 20}, "
        f"{limits.file_mb << 20}))\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        + (
            f"resource.setrlimit(resource.RLIMIT_NPROC, ({processes}, {processes}))\n"
            if processes
            else ""
        )
        + "os.execv(sys.executable, [sys.executable] + sys.argv[1:])"
    )
    return [PYTHON, "-c", code]


def as_user(uid: int) -> list[str]:
    """The command prefix that runs a command as the unprivileged host user ``uid`` (group
    ``uid``, no other groups), with no capabilities and no way to regain any (setpriv, of
    util-linux). Only root may use it."""
    return [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def end_user(uid: int) -> None:
    """Kill every process of the host user ``uid``: ``kill(-1, SIGKILL)`` made as that user
    signals all of its processes at once (forks included), and nothing of anyone else. It is
    made by this Python, which that user runs as its kernel: no ``kill`` program is needed."""
    code = "import os, signal\nos.kill(-1, signal.SIGKILL)"
    for _ in range(3):
        subprocess.run([*as_user(uid), PYTHON, "-c", code], capture_output=True, check=False)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command runs under bwrap (or, with ``sandboxed=False``,
    only under the resource limits). Asynchronous, as nbclient expects: with a blocking
    manager nbclient's check that the kernel is alive never runs, and a dead kernel hangs it."""

    private_dir = Unicode("", help="the kernel's writable working folder").tag(config=False)
    readable = List(Unicode(), help="paths bound read-only").tag(config=False)
    sandboxed = Bool(True).tag(config=False)
    memory_mb = Int(2048).tag(config=False)
    file_mb = Int(100).tag(config=False)
    #: without the sandbox: the unprivileged host user the kernel runs as (-1: the grader's)
    run_as = Int(-1).tag(config=False)

    def format_kernel_cmd(self, extra_arguments=None):
        # SIGINT would reach bwrap, not the kernel, and end the sandbox: interrupt the kernel
        # with a message on its control channel instead (ipykernel then signals itself)
        self.kernel_spec.interrupt_mode = "message"
        cmd = super().format_kernel_cmd(extra_arguments)
        limits = Limits(memory_mb=self.memory_mb, file_mb=self.file_mb)
        if not self.sandboxed and self.run_as >= 0:
            from autograder.grading.sandbox.zygote_server import MAX_PROCESSES

            return as_user(self.run_as) + _limit_prefix(limits, MAX_PROCESSES) + cmd[1:]
        inner = _limit_prefix(limits) + cmd[1:]  # cmd[0] is this Python
        if not self.sandboxed:
            return inner
        return wrap(self.readable, self.private_dir) + inner

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if not self.sandboxed and self.run_as >= 0:  # the kernel reads it as its own user
            os.chown(self.connection_file, self.run_as, self.run_as)


#: Where a sandbox started by root mounts a second, fully visible /proc before its first
#: process drops to an unprivileged user: the kernel of each job may then mount a /proc of its
#: own pid namespace (Linux refuses that unless one such mount is visible). Each job covers it.
VISIBLE_PROC = "/.proc"


def _ancestors(paths: list[str]) -> list[str]:
    """Every folder above ``paths`` (not / or /tmp), parents first."""
    out: list[str] = []
    for path in paths:
        parts = Path(path).parts[1:-1]
        for i in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:i])
            if folder not in out and folder != "/tmp":
                out.append(folder)
    return out


def wrap(
    readable: list[str],
    writable: str,
    *,
    die_with_parent: bool = True,
    drop_to: int | None = None,
) -> list[str]:
    """The bubblewrap command line of a sandbox: every namespace its own (no network, no
    other processes), a read-only view of ``readable``, an empty private /tmp, and one
    writable folder, ``writable``, which is also the working folder. ``die_with_parent``
    ends the sandbox with the *thread* that started it (Linux's parent-death signal).

    ``drop_to`` (when the grader runs as root): the sandbox is made without a user namespace,
    so that its first process runs as root only long enough to mount ``VISIBLE_PROC`` and then
    become the unprivileged host user ``drop_to`` (it keeps CAP_SETUID, CAP_SETGID and
    CAP_SYS_ADMIN for that, and setuid drops them all). A user mapped inside a user namespace
    would still be root outside it, and could read what only root may read."""
    args = [bwrap(), *(["--die-with-parent"] if die_with_parent else [])]
    if drop_to is None:
        # no capabilities: run as root, bwrap would keep them, and a kernel could remount the
        # read-only system writable or trace other processes
        args += ["--unshare-all", "--new-session", "--cap-drop", "ALL"]
    else:
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        args += ["--unshare-cgroup-try", "--new-session", "--cap-drop", "ALL"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        args += ["--cap-add", "CAP_SYS_ADMIN", "--perms", "0555", "--dir", VISIBLE_PROC]
    # the private /tmp first: mounted after the read-only binds it would hide any of them
    # that live under /tmp (a checkout or venv there, as in CI's clean clone)
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    # folders above the binds, traversable by anyone: bubblewrap would copy the host's modes
    # (a 0700 /root above a Python installed there would lock the unprivileged user out)
    for folder in _ancestors([*readable, writable]):
        args += ["--perms", "0755", "--dir", folder]
    for path in readable:
        args += ["--ro-bind", path, path]
    args += ["--bind", writable, writable, "--remount-ro", "/", "--chdir", writable]
    return args + ["--unsetenv", "JPY_PARENT_PID", "--"]


@functools.cache
def matplotlib_cache() -> Path:
    """A font cache built once per grader process. Copied into each kernel's private folder,
    it saves every kernel matplotlib's several-second font scan."""
    cache = Path(tempfile.mkdtemp(prefix="autograde-mplcache-"))
    subprocess.run(
        [sys.executable, "-c", "import matplotlib.font_manager"],
        env={**os.environ, "MPLCONFIGDIR": str(cache), "MPLBACKEND": "agg"},
        check=True,
        capture_output=True,
    )
    return cache


def prepare_private(private_dir: Path) -> None:
    shutil.copytree(matplotlib_cache(), private_dir / ".matplotlib", dirs_exist_ok=True)


def kernel_env(private_dir: Path, autograding: bool = True) -> dict[str, str]:
    """A small, explicit environment: nothing of the grader's own (tokens, keys) leaks in.
    ``autograding`` sets ``NBGRADER_EXECUTION=autograde`` (what nbgrader sets when it grades:
    the labs shorten their experiments); without it the notebook runs as a student's would."""
    env = {
        "PATH": os.path.dirname(PYTHON) + ":/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(private_dir),
        "MPLCONFIGDIR": str(private_dir / ".matplotlib"),
        "MPLBACKEND": "agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if autograding:
        env["NBGRADER_EXECUTION"] = "autograde"
    return env
