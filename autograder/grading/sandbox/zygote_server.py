"""The zygote: a process inside one grading sandbox that has imported what every kernel
needs and forks a fresh kernel per submission (see ``autograder.grading.sandbox.zygote``).

Self-contained on purpose: it runs inside the sandbox, which sees the Python environment
but not this project. The grader talks to it over stdin/stdout, one JSON object per line:

* ``{"op": "spawn", "cwd", "slot", "connection_file", "env", "memory_mb", "file_mb",
  "disk_mb", "disk_files", "cpu_seconds"}`` starts a job (reply ``{"pid"}``, or
  ``{"error"}`` when its sandbox could not be made): a *keeper* process enters a new user,
  mount, pid, IPC and UTS namespace and forks the kernel, which is pid 1 there. The kernel
  mounts its own /proc and one size-limited tmpfs, the job's *quota* (``disk_mb`` bytes,
  ``disk_files`` files), at /tmp; everything the job may write lives in it: /tmp, /dev/shm
  and the job folder, into which it copies the grader's inputs. Only the job folder's
  ``ipc/`` (the connection file and the kernel's sockets, which the grader must reach) is
  the grader's folder, bound back, and made read-only by the keeper once the kernel has
  bound its sockets. The Python environment is bound back at its place; /dev is an empty,
  read-only tmpfs with the few devices a program needs; /proc is read-only. Then the
  kernel, still one thread, takes the job's limits (memory, file size, CPU seconds,
  ``MAX_PROCESSES`` processes, ``MAX_FILES_OPEN`` open files; first in line for the
  out-of-memory killer), drops every capability and installs a seccomp filter that every
  thread and process of the job inherits: no session of its own (the job stays one
  scheduling group), no namespace of its own, no memory outside its quota and its limits
  (``SYSCALLS``). Then it takes its environment and fresh random seeds and runs ipykernel
  on the connection file the grader wrote. When the kernel ends, or is killed, its pid namespace
  ends with it: every process the submission started dies, whatever it forked; the keeper
  reports how full the quota was and exits, and the quota is gone.
* ``{"op": "poll", "pid"}`` -> ``{"exit": null | code}`` (and, once it exited, ``"disk"``);
* ``{"op": "kill", "pid"}`` kills the job's kernel, and so its whole namespace; the reply's
  ``"disk"`` is ``[bytes used, files used, bytes allowed, files allowed]`` of its quota
  when the kernel ended (null if the keeper could not say);
* ``{"op": "clean"}`` kills every other process of the sandbox and empties /tmp and
  /dev/shm (but for the zygote's own folder, argv[1]): defence in depth, since a job's
  processes cannot outlive its namespace; the grader empties the job folders.

Run as root (argv[2], a host user id, is then given), the zygote mounts ``VISIBLE_PROC``
and becomes that unprivileged host user before anything else, so no kernel can read what
only root may read. The zygote is not dumpable, so no kernel can trace it or write its
memory, and it never reads anything a kernel wrote.
"""

import ctypes
import json
import os
import resource
import shutil
import signal
import sys
import time

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 4, 24, 38
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
VISIBLE_PROC = "/.proc"  # see autograder.grading.sandbox.bwrap.VISIBLE_PROC
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
#: Processes (and threads) one job may have at once: a fork bomb stops here, in its own job.
MAX_PROCESSES = 256
#: Files one process of a job may hold open at once.
MAX_FILES_OPEN = 4096

PRELOAD = (
    "numpy",
    "scipy.special",
    "matplotlib",
    "matplotlib.pyplot",
    "sklearn.model_selection",
    "sklearn.preprocessing",
    "sklearn.neural_network",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "matplotlib_inline.backend_inline",
)


def preload() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional speed-up only: the kernel imports what it needs
            pass


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target: str, fstype, flags: int, data=None) -> None:
    encode = lambda v: v.encode() if v is not None else None  # noqa: E731
    _check(LIBC.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), target)


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _mounts_under(top: str) -> list[tuple[str, bool]]:
    """(mount point, read-only) of every mount below ``top``, from this mount namespace."""
    out = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")  # octal escapes: \040
            if point.startswith(top + "/"):
                out.append((point, "ro" in fields[5].split(",")))
    return out


def _bind_back(places: list[tuple[str, bool]], fds: dict[str, int]) -> None:
    """Bind each of ``places`` (not below another) from its open descriptor."""
    for path, read_only in sorted(places):
        if any(path.startswith(other + "/") for other, _ in places):
            continue
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fds[path]}", path, None, MS_BIND | MS_REC)
        if read_only:
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def isolate(request: dict) -> None:
    """In the job's kernel, pid 1 of its fresh namespaces: its own /proc, its quota (/tmp,
    /dev/shm and the job folder), /dev; the capabilities go in ``confine``."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:  # a kernel that refuses it: the sandbox's /proc stays (pids still die)
        pass
    # read-only: no process of the job may lower its oom_score_adj, or write anything there
    _mount(None, "/proc", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if os.path.isdir(VISIBLE_PROC):  # the zygote's /proc: not the job's to see
        _mount("tmpfs", VISIBLE_PROC, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    slot, job = request["slot"], request["cwd"]
    ipc = os.path.join(job, "ipc")
    keep = [
        (p, ro) for p, ro in _mounts_under("/tmp") if p != slot and not p.startswith(slot + "/")
    ]
    fds = {path: os.open(path, os.O_PATH) for path, _ in keep}
    ipc_fd = os.open(ipc, os.O_PATH)
    inputs = os.open(job, os.O_RDONLY | os.O_DIRECTORY)
    devices = {d: os.open(f"/dev/{d}", os.O_PATH) for d in DEVICES if os.path.exists(f"/dev/{d}")}
    quota = f"mode=1777,size={request['disk_mb']}m,nr_inodes={request['disk_files']}"
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, quota)
    _bind_back(keep, fds)
    if not slot.startswith("/tmp/"):  # the grader's slot elsewhere: hidden under the quota
        os.makedirs("/tmp/.slot", mode=0o700)
        _mount("/tmp/.slot", slot, None, MS_BIND)
    os.makedirs(job, mode=0o700, exist_ok=True)
    _copy_inputs(inputs, job)
    os.mkdir(ipc, 0o700)
    _mount(f"/proc/self/fd/{ipc_fd}", ipc, None, MS_BIND)
    os.mkdir("/tmp/.shm", 0o1777)
    _mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k,nr_inodes=64")
    for name, fd in devices.items():
        open(f"/dev/{name}", "w").close()
        _mount(f"/proc/self/fd/{fd}", f"/dev/{name}", None, MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"/dev/{name}")
    os.mkdir("/dev/shm")
    _mount(None, "/dev", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    _mount("/tmp/.shm", "/dev/shm", None, MS_BIND)
    for fd in (*fds.values(), *devices.values(), ipc_fd, inputs):
        os.close(fd)


def _copy_inputs(inputs: int, job: str) -> None:
    """Copy the grader's inputs (the lab's files, from the open folder ``inputs``) into the
    job folder on the quota, but for ``ipc/``."""
    for folder, dirs, files, fd in os.fwalk(".", dir_fd=inputs):
        if folder == ".":
            dirs[:] = [d for d in dirs if d != "ipc"]
        target = os.path.normpath(os.path.join(job, folder))
        os.makedirs(target, exist_ok=True)
        for name in files:
            src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
            dst = os.open(os.path.join(target, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                while chunk := os.read(src, 1 << 20):
                    os.write(dst, chunk)
            finally:
                os.close(src)
                os.close(dst)


#: System calls a job may not make, by number (x86-64, aarch64): ``setsid`` (all of its
#: processes stay in the session, and so the scheduling group, made for its kernel);
#: ``unshare``, ``setns`` and ``clone`` with a namespace flag (a namespace of its own would
#: give it capabilities there: mounts beyond its quota); ``memfd_create``, ``memfd_secret``
#: and System V IPC, ``shmget``, ``msgget`` and ``semget`` (memory outside both its quota and
#: its address-space limit; POSIX shared memory and semaphores live in /dev/shm, on it). ``clone3``
#: answers ENOSYS, so that the C library falls back to ``clone``, whose flags can be read.
SYSCALLS = {
    "x86_64": dict(setsid=112, unshare=272, setns=308, memfd_create=319, memfd_secret=447,
                   shmget=29, msgget=68, semget=64, clone=56, clone3=435),
    "aarch64": dict(setsid=157, unshare=97, setns=268, memfd_create=279, memfd_secret=447,
                    shmget=194, msgget=186, semget=190, clone=220, clone3=435),
}  # fmt: skip
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
CLONE_NEW_ANY = 0x7E020000  # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET


def _seccomp_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter as BPF instructions (code, jt, jf, k): jumps are written to labels and
    resolved here to the relative offsets BPF wants."""
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JSET|K, RET|K
    alu_and = 0x54  # BPF_ALU|BPF_AND|BPF_K
    allow, enosys = 0x7FFF0000, 0x00050000 | 38  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO|ENOSYS
    eperm = 0x00050000 | 1  # SECCOMP_RET_ERRNO|EPERM
    nr = SYSCALLS[machine]
    refused = (
        "setsid",
        "unshare",
        "setns",
        "memfd_create",
        "memfd_secret",
        "shmget",
        "msgget",
        "semget",
    )
    program: list[tuple] = [
        (ld, 0, 0, 4),  # seccomp_data.arch: another architecture's table is refused
        (jeq, "native", "deny", AUDIT_ARCH[machine]),
        ("native",),
        (ld, 0, 0, 0),  # seccomp_data.nr
        (alu_and, 0, 0, 0xBFFFFFFF),  # x32's numbers are x86-64's with bit 30 set
        *[(jeq, "deny", 0, nr[name]) for name in refused],
        (jeq, "nosys", 0, nr["clone3"]),
        (jeq, 0, "allow", nr["clone"]),
        (ld, 0, 0, 16),  # clone's flags: the low half of seccomp_data.args[0]
        (jset, "deny", "allow", CLONE_NEW_ANY),
        ("allow",),
        (ret, 0, 0, allow),
        ("deny",),
        (ret, 0, 0, eperm),
        ("nosys",),
        (ret, 0, 0, enosys),
    ]
    labels, at = {}, 0
    for item in program:
        if len(item) == 1:
            labels[item[0]] = at
        else:
            at += 1
    out, at = [], 0
    for item in program:
        if len(item) == 1:
            continue
        code, jt, jf, k = item
        jt = labels[jt] - at - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - at - 1 if isinstance(jf, str) else jf
        out.append((code, jt, jf, k))
        at += 1
    return out


def _install_filter() -> None:
    """Install the job's seccomp filter (``SYSCALLS``) on this thread, and so on every
    thread and process it starts later."""
    machine = os.uname().machine
    if machine not in SYSCALLS:  # refused before any job by ``bwrap.bwrap``
        raise OSError(f"no seccomp filter for {machine}: no job runs without one")
    program = _seccomp_program(machine)

    class Filter(ctypes.Structure):
        _fields_ = [
            ("code", ctypes.c_uint16),
            ("jt", ctypes.c_uint8),
            ("jf", ctypes.c_uint8),
            ("k", ctypes.c_uint32),
        ]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*[Filter(*f) for f in program])
    prog = Program(len(program), filters)
    _check(LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0), "seccomp")


def confine(request: dict) -> None:
    """In the job's kernel, while it is still one thread (before ipykernel starts any, so
    that every thread inherits this): the job's limits, no capability now or after any exec,
    and the seccomp filter. Its folder ``ipc/`` is made read-only by the keeper (``seal``)."""
    if len(os.listdir("/proc/self/task")) != 1:  # a thread started already would escape it all
        raise RuntimeError("the kernel is not one thread when it is confined")
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    cpu = request["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_NICE, (0, 0))  # never a higher priority again
    resource.setrlimit(resource.RLIMIT_RTPRIO, (0, 0))  # nor a real-time one
    resource.setrlimit(resource.RLIMIT_NOFILE, (MAX_FILES_OPEN, MAX_FILES_OPEN))
    for cap in range(64):  # no capability, now or after any exec
        LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

    _check(LIBC.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")
    _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _install_filter()


def seal(request: dict) -> None:
    """In the keeper (the same mount namespace as the kernel, its capabilities intact, no
    code of the job's): the grader's ``ipc/`` read-only, once the kernel has bound its
    sockets there."""
    ipc = os.path.join(request["cwd"], "ipc")
    _mount(None, ipc, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _quota_use() -> str:
    """``disk <bytes used> <files used> <bytes allowed> <files allowed>`` of the quota."""
    st = os.statvfs("/tmp")
    return (
        f"disk {(st.f_blocks - st.f_bfree) * st.f_frsize} {st.f_files - st.f_ffree} "
        f"{st.f_blocks * st.f_frsize} {st.f_files}"
    )


def keep_job(request: dict, status: int) -> None:
    """The keeper of one job, in the forked child: make the job's namespaces, fork its
    kernel into them, say ``ok <pid>`` (or what failed) on ``status``; when the kernel has
    ended, say how full its quota was and exit. Never returns."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, status)
        os.closerange(status + 1, 1 << 16)  # the zygote's pipes and anything else it held
        uid, gid = os.getuid(), os.getgid()
        LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # to write its own id maps
        _write("/proc/self/oom_score_adj", "1000")  # out of memory: the job's processes first
        _check(
            LIBC.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS),
            "unshare",
        )
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
        LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        ready_r, ready_w = os.pipe()  # kernel -> keeper: "ok" once isolated, then "bound"
        seal_r, seal_w = os.pipe()  # keeper -> kernel: "sealed", ipc/ is read-only
        kernel = os.fork()
        if kernel == 0:
            os.close(ready_r)
            os.close(seal_w)
            os.close(status)
            try:
                isolate(request)
            except BaseException as exc:  # noqa: BLE001 -- said to the zygote, then gone
                os.write(ready_w, f"error {type(exc).__name__}: {exc}".encode()[:500])
                os._exit(127)
            os.write(ready_w, b"ok\n")
            become_kernel(request, ready_w, seal_r)
        os.close(ready_w)
        os.close(seal_r)
        said = b""
        while b"\n" not in said and (chunk := os.read(ready_r, 4096)):
            said += chunk
        head, _, bound = said.partition(b"\n")  # "bound" may come in the same read
        isolated = head == b"ok"
        os.write(status, f"ok {kernel}\n".encode() if isolated else said or b"error")
        if isolated:
            while bound != b"bound" and len(bound) < 5 and (chunk := os.read(ready_r, 64)):
                bound += chunk  # until "bound", or the kernel is gone
            if bound == b"bound":
                seal(request)
                os.write(seal_w, b"sealed")
        os.close(seal_w)
        _, code = os.waitpid(kernel, 0)
        if isolated:  # the kernel's mounts are ours too (one mount namespace)
            try:
                os.write(status, _quota_use().encode())
            except OSError:
                pass
        os._exit(min(abs(os.waitstatus_to_exitcode(code)), 255))
    except BaseException as exc:  # noqa: BLE001
        try:
            os.write(status, f"error {type(exc).__name__}: {exc}".encode()[:500])
        finally:
            os._exit(127)


def become_kernel(request: dict, ready: int, sealed: int) -> None:
    """In the job's kernel: take the job's limits and environment, run ipykernel once its
    sockets are bound and the keeper has sealed them (``ready``, ``sealed``: the pipes to
    and from the keeper); never returns."""
    try:
        os.setsid()  # its own session: one scheduling group (autogroup) for the whole job
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        low, high = sorted((ready, sealed))
        os.closerange(3, low)  # anything the zygote or the keeper held
        os.closerange(low + 1, high)
        os.closerange(high + 1, 1 << 16)
        os.chdir(request["cwd"])
        mem, fsize = request["memory_mb"] << 20, request["file_mb"] << 20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[:0] = [request["cwd"]]  # as a kernel started in the job's folder has it
        import random

        import numpy

        seed = int.from_bytes(os.urandom(8), "little")
        random.seed(seed)
        numpy.random.seed(seed % (1 << 32))
        from ipykernel.kernelapp import IPKernelApp

        confine(request)  # one thread yet: every thread ipykernel starts inherits it
        app = IPKernelApp.instance()
        app.initialize(["-f", request["connection_file"]])  # binds its sockets in ipc/
        os.write(ready, b"bound")
        os.close(ready)
        if os.read(sealed, 16) != b"sealed":
            os._exit(126)  # the keeper could not make ipc/ read-only: no job
        os.close(sealed)
        app.start()
    finally:
        os._exit(0)


def clean(keep: set[int], own: str) -> None:
    """Kill every process of the sandbox but ours and pid 1, then empty the shared places
    (but for ``own``, the folder our code and the job folders are bound into)."""
    for _ in range(3):
        alive = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in keep]
        if not alive:
            break
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap()
    for place in ("/tmp", "/dev/shm"):
        if os.path.isdir(place):
            for name in os.listdir(place):
                path = os.path.join(place, name)
                if own == path or own.startswith(path + "/"):
                    continue
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass


def reap() -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        exits[pid] = os.waitstatus_to_exitcode(status)


exits: dict[int, int] = {}
kernels: dict[int, int] = {}  # keeper pid -> its kernel's pid (here)
reports: dict[int, int] = {}  # keeper pid -> the pipe on which it reports its quota's use
KEEPER_REPORT_TIMEOUT = 5.0  # seconds for a keeper to report once its kernel is gone


def spawn(request: dict) -> dict:
    status_r, status_w = os.pipe()
    keeper = os.fork()
    if keeper == 0:
        os.close(status_r)
        keep_job(request, status_w)
    os.close(status_w)
    said = b""
    while b"\n" not in said and (chunk := os.read(status_r, 4096)):
        said += chunk
    text = said.decode("utf-8", "replace")
    if text.startswith("ok "):
        kernels[keeper] = int(text.split()[1])
        reports[keeper] = status_r
        return {"pid": keeper}
    os.close(status_r)
    try:
        os.kill(keeper, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reap()
    return {"error": "the job's sandbox could not be made: " + (text or "no word from it")}


def disk(keeper: int) -> list[int] | None:
    """What an ended keeper reported of its quota: [bytes used, files used, bytes allowed,
    files allowed], or None (it said nothing, or is not ended)."""
    fd = reports.pop(keeper, None)
    if fd is None:
        return None
    said = b""
    try:
        while chunk := os.read(fd, 4096):
            said += chunk
    finally:
        os.close(fd)
    words = said.decode("ascii", "replace").split()
    if len(words) == 5 and words[0] == "disk" and all(w.isdigit() for w in words[1:]):
        return [int(w) for w in words[1:]]
    return None


def end_job(keeper: int) -> None:
    """Kill the job's kernel (its namespace goes with it), give its keeper a moment to
    report, then kill the keeper too."""
    kernel = kernels.pop(keeper, None)
    if kernel:
        try:
            os.kill(kernel, signal.SIGKILL)
        except ProcessLookupError:
            pass
    end = time.monotonic() + KEEPER_REPORT_TIMEOUT
    while keeper not in exits and time.monotonic() < end:
        reap()
        time.sleep(0.005)
    if keeper not in exits:
        try:
            os.kill(keeper, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap()


def serve() -> None:
    own, as_user = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "-"
    if as_user != "-":  # started as root: a visible /proc for the jobs, then nobody's rights
        _mount("proc", VISIBLE_PROC, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        uid = int(as_user)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # every capability goes with root
    LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no ptrace, no /proc/<pid>/mem
    preload()
    out = sys.stdout
    print(json.dumps({"ready": os.getpid(), "uid": os.getuid()}), file=out, flush=True)
    try:
        _serve(out, own)
    finally:
        # the grader closed our stdin: it is done, or it was interrupted with a job in flight,
        # whose keeper and kernel must not outlive us (bubblewrap's init would wait for them)
        clean({1, os.getpid()}, own)


def _serve(out, own: str) -> None:
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        reply: dict = {"ok": True}
        if op == "spawn":
            reply = spawn(request)
        elif op == "poll":
            reap()
            pid = request["pid"]
            alive = pid not in exits and os.path.exists(f"/proc/{pid}")
            reply = {"exit": None if alive else exits.get(pid, -9)}
            if not alive:
                reply["disk"] = disk(pid)
        elif op == "kill":
            end_job(request["pid"])
            reply = {"ok": True, "disk": disk(request["pid"])}
        elif op == "clean":
            clean({1, os.getpid()}, own)
            kernels.clear()
            for fd in reports.values():
                os.close(fd)
            reports.clear()
        print(json.dumps(reply), file=out, flush=True)


if __name__ == "__main__":
    serve()
