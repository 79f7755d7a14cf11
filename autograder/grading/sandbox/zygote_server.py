"""The zygote: a process inside one grading sandbox that has imported what every kernel
needs and forks a fresh kernel per submission (see ``autograder.grading.sandbox.zygote``).

Self-contained on purpose: it runs inside the sandbox, which sees the Python environment
but not this project. The grader talks to it over stdin/stdout, one JSON object per line:

* ``{"op": "spawn", "cwd", "connection_file", "env", "memory_mb", "file_mb"}`` forks a
  kernel (reply ``{"pid"}``): a new session, the resource limits, the job's environment,
  fresh random seeds, no file descriptor of the zygote's, then ipykernel on the connection
  file the grader wrote;
* ``{"op": "poll", "pid"}`` -> ``{"exit": null | code}``;
* ``{"op": "kill", "pid"}`` kills the kernel's process group;
* ``{"op": "clean"}`` kills every other process of the sandbox and empties /tmp and
  /dev/shm (but for the zygote's own folder, argv[1]), so nothing of one submission is left
  for the next; the grader empties the job folders.

The zygote is not dumpable, so no kernel can trace it or write its memory, and it never
reads anything a kernel wrote.
"""

import json
import os
import resource
import shutil
import signal
import sys

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


def become_kernel(request: dict) -> None:
    """In the forked child: set up the job's process and run ipykernel; never returns."""
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1 << 16)  # the zygote's pipes and anything else it held
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

        app = IPKernelApp.instance()
        app.initialize(["-f", request["connection_file"]])
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


exits: dict[int, int] = {}


def reap() -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        exits[pid] = os.waitstatus_to_exitcode(status)


def serve() -> None:
    import ctypes

    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0: no ptrace, no /proc/mem
    preload()
    out = sys.stdout
    print(json.dumps({"ready": os.getpid()}), file=out, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        reply: dict = {"ok": True}
        if op == "spawn":
            pid = os.fork()
            if pid == 0:
                become_kernel(request)
            reply = {"pid": pid}
        elif op == "poll":
            reap()
            pid = request["pid"]
            alive = pid not in exits and os.path.exists(f"/proc/{pid}")
            reply = {"exit": None if alive else exits.get(pid, -9)}
        elif op == "kill":
            try:
                os.killpg(request["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
            reap()
        elif op == "clean":
            clean({1, os.getpid()}, sys.argv[1])
        print(json.dumps(reply), file=out, flush=True)


if __name__ == "__main__":
    serve()
