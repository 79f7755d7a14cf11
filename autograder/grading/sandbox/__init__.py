"""Where a submission's code runs, and nothing else: the sandbox, the zygote, the engines.

- ``bwrap``: the bubblewrap sandbox (``wrap``), its ``Limits`` and the kernel's environment;
- ``zygote`` (with ``zygote_server``, which runs inside the sandbox): warm kernels forked
  per submission;
- ``kernel``: one notebook executed in such a kernel within the limits (``run``), with the
  ``integrity`` cells around it;
- ``engine``: where jobs run, threads of this process or the workers of a Dask cluster.

The grading stages use ``kernel.run`` through an engine (the run stage) and read its
``Execution``; nothing here judges or records.
"""

from autograder.grading.sandbox.bwrap import Limits, SandboxUnavailable

__all__ = ["Limits", "SandboxUnavailable"]
