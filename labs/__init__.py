"""Helper package for the optimization labs.

It holds the data loaders, the given network scaffolding, plotting helpers, the test
scenarios and checks, and each lab's visible tests (``labs/visible/<lab>.py``) -- never the
solution of anything a student writes. This folder is where the helpers are written, once;
each assignment folder carries a generated copy of the modules its lab uses
(``source/<lab>/labs/``, written by ``make helpers``), which its notebook imports.
"""

__all__ = ["cases", "checks", "data", "dual", "nn", "plots"]
