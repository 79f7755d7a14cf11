"""Helper package for the optimization labs.

Students receive this package together with ``release/``. It holds the data
loaders, the given network scaffolding, plotting helpers and the helpers the
visible test cells use -- never the solution of anything a student writes.
"""

__all__ = ["checks", "data", "nn", "plots"]
