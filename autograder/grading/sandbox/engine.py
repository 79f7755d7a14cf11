"""Where the ``run`` stage runs its jobs: threads of this process, or the workers of a Dask cluster.

Both engines are ``concurrent.futures`` executors (``Engine.executor``); the stages submit
one job per submission, ``kernel.run(notebook, limits, ...)``, and read its ``Execution``
back, without knowing which engine ran it. Everything else (restoring the tests, judging,
scoring, the gradebook, the state files, the reports) stays in the instructor's process.

- ``LocalEngine``: a thread pool here; each thread drives one sandboxed kernel.
- ``ClusterEngine``: an existing Dask cluster (``dask scheduler`` + ``dask worker`` by hand,
  dask-jobqueue on SLURM/PBS, dask-kubernetes), reached through ``distributed``'s
  ``Client.get_executor()``. Before the first job it checks every worker: same Python
  packages as here (a grade must not depend on the worker that computed it) and a working
  bubblewrap with unprivileged user namespaces. The lab's files reach each worker once
  (``share``). If a worker dies mid-job, the scheduler reruns the job on another worker; a job
  whose workers died ``distributed.scheduler.allowed-failures`` times comes back as an
  exception, which the pipeline reports as an ``environment`` failure (nothing recorded, the
  next run retries it).
"""

from __future__ import annotations

import concurrent.futures as cf
import platform
import sys
from importlib import metadata

from autograder.errors import ToolError
from autograder.grading.sandbox import bwrap

#: Packages whose versions must match between the instructor and every worker: they decide
#: what a kernel computes and how its notebook is run and read.
MATCHED = ("numpy", "scipy", "matplotlib", "scikit-learn", "ipykernel", "nbclient", "nbformat")


class EngineUnavailable(ToolError):
    """The cluster cannot grade: unreachable, no workers, or workers unfit. Says what to do."""


class Engine:
    """What the stages see: ``executor`` (``concurrent.futures``), ``share`` and ``close``."""

    executor: cf.Executor
    workers: int

    def share(self, value):
        """``value`` as an argument that every job may receive (here: itself)."""
        return value

    def describe(self) -> str:
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(cancel=exc[0] is not None)


class LocalEngine(Engine):
    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.executor = cf.ThreadPoolExecutor(self.workers)

    def describe(self) -> str:
        return f"{self.workers} local worker(s)"

    def close(self, cancel: bool = False) -> None:
        """Wait for the jobs, or (``cancel``: an interrupted run) drop the queued ones and end
        the sandboxes of those running, so that nothing keeps the run waiting."""
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
        if cancel:
            from autograder.grading.sandbox import kernel

            kernel.ZYGOTES.close()


def _held(value):
    return value


def probe(check_sandbox: bool) -> dict:
    """Run on each worker: where it is, what it has, and whether it can sandbox."""
    found = {"host": platform.node(), "python": sys.version.split()[0], "sandbox": "ok"}
    for name in MATCHED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    if check_sandbox:
        try:
            bwrap.bwrap()
        except bwrap.SandboxUnavailable as exc:
            found["sandbox"] = str(exc)
    return found


class ClusterEngine(Engine):
    def __init__(self, address: str, *, check_sandbox: bool = True, timeout: float = 60):
        from distributed import Client

        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EngineUnavailable(
                f"cannot reach the Dask scheduler at {address} ({exc}). Start one with "
                "`dask scheduler` (or your cluster's dask-jobqueue / dask-kubernetes set-up) "
                "and pass the address it prints, e.g. --cluster tcp://host:8786."
            ) from exc
        try:
            self.address = address
            self.workers = self._check(check_sandbox, timeout)
            self.executor = self.client.get_executor(pure=False)
        except BaseException:
            self.client.close()
            raise

    def _check(self, check_sandbox: bool, timeout: float) -> int:
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except TimeoutError as exc:
            raise EngineUnavailable(
                f"the Dask scheduler at {self.address} has no workers after {timeout:g} s. "
                "Start workers in the course's Python environment on machines with "
                f"bubblewrap: `dask worker {self.address} --nthreads 1` "
                "(see docs/instructors/clusters.md)."
            ) from exc
        try:
            found = self.client.run(probe, check_sandbox)
        except Exception as exc:  # noqa: BLE001 -- any failure here is the workers' set-up
            raise EngineUnavailable(
                f"the workers of {self.address} cannot run the grader ({type(exc).__name__}: "
                f"{exc}). Start them from the course's Python environment, the one where "
                "`python -m autograder` works."
            ) from exc
        here = probe(False)
        problems = []
        for worker, info in sorted(found.items()):
            if info["sandbox"] != "ok":
                problems.append(f"{worker} ({info['host']}): {info['sandbox']}")
            differ = [
                f"{k} {info[k]} (here {here[k]})"
                for k in ("python", *MATCHED)
                if info[k] != here[k]
            ]
            if differ:
                problems.append(f"{worker} ({info['host']}) has " + ", ".join(differ))
        if problems:
            raise EngineUnavailable(
                "some workers cannot grade this class:\n  "
                + "\n  ".join(problems)
                + "\nInstall the course's locked environment (requirements.lock) and "
                "bubblewrap on every worker; unprivileged user namespaces must be allowed "
                "(sysctl kernel.unprivileged_userns_clone=1, or on RHEL user.max_user_namespaces"
                " > 0)."
            )
        return sum(self.client.nthreads().values())

    def share(self, value):
        """``value`` as a task's result that jobs receive by reference: each worker fetches
        it once. Not ``scatter``: scattered data lost with the workers that held it cannot
        be recovered and cancels every job that needs it, but a task's result is computed
        again."""
        return self.client.submit(_held, value, pure=False)

    def describe(self) -> str:
        return f"the Dask cluster at {self.address} ({self.workers} worker thread(s))"

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=not cancel)
        self.client.close()


def start(workers: int, cluster: str | None, *, check_sandbox: bool = True):
    """The engine of a grading run: ``cluster`` (a scheduler address) or local threads."""
    if cluster:
        return ClusterEngine(cluster, check_sandbox=check_sandbox)
    return LocalEngine(workers)


__all__ = ["EngineUnavailable", "Engine", "LocalEngine", "ClusterEngine", "start", "probe"]
