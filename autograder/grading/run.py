"""The ``run`` stage: the instrumented notebook runs in its own sandboxed kernel, on the engine.

This is the only stage that may run elsewhere: on a thread of this process or on a worker of
a Dask cluster (``sandbox.engine``), inside a bubblewrap sandbox with a kernel forked from a
warm zygote (``sandbox.kernel``, ``sandbox.zygote``), within the time, memory and output
limits. What comes back is an ``Execution``: the executed notebook and what happened. A job
that never ran the notebook -- its kernel did not start, its cluster workers died -- is the
grading machine's fault (``EnvironmentFault``), not the submission's.
"""

from __future__ import annotations

from autograder.grading.sandbox import kernel
from autograder.grading.stage import Step
from autograder.grading.submission import EnvironmentFault, Submission


def stage(sub: Submission, ctx) -> Submission:
    future = ctx.engine.executor.submit(
        kernel.run,
        sub.restored,
        ctx.limits,
        sandboxed=ctx.sandboxed,
        files=ctx.shared_files,
        results_cells=frozenset(sub.prepared.tests),
        unprivileged=ctx.unprivileged,
    )
    try:
        execution = future.result()
    except Exception as exc:  # noqa: BLE001 -- reported on the submission, never lost
        raise EnvironmentFault(
            f"the grading job was lost ({type(exc).__name__}: {exc})"[:500]
            + "; not the submission's fault, nothing was recorded: grade again"
        ) from exc
    if execution.environment:
        raise EnvironmentFault(
            f"grading environment: {execution.failure}; not the submission's fault, nothing "
            "was recorded: grade again"
        )
    sub.execution = execution
    return sub


STAGE = Step("run", stage)

__all__ = ["STAGE", "stage"]
