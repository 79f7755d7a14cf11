"""Part of the ``run`` stage: notice when a submission tampers with how it is tested.

Student code runs in the same Python process as the hidden tests, so it could
replace what they rely on: NumPy's comparison functions, the ``labs`` test
helpers, builtins, or IPython's error reporting. That cannot be prevented inside
the kernel, so it is detected: the execute stage runs a *before* cell ahead of
the notebook and an *after* cell behind it (neither is part of the notebook the
student sees or the gradebook stores). Each prints a fingerprint of everything
the tests rely on -- the identity of every watched object and the code of every
watched Python function -- tagged with a random nonce. The before fingerprint is
printed before any student code runs, so the student cannot alter it; the grader
compares the two outside the kernel. A changed entry, or an after cell that
printed nothing, flags the submission for a human look.

An error the kernel reports but the notebook does not show (a replaced
``showtraceback``, ``set_custom_exc``) is written into the cell by the execute
stage, so the test still loses its points; see ``execute._LimitedClient``.
"""

from __future__ import annotations

import json
import secrets

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

TAG = "@@INTEGRITY@@"
#: The before cell runs ahead of any student code, so when it cannot run the grading
#: environment is at fault (for example the kernel cannot import the lab's helpers).
NOT_RUN_BEFORE = "the integrity check could not run before the notebook"

#: What the hidden tests rely on, by module: names whose objects must stay the same.
WATCHED = {
    "builtins": (
        "print len isinstance abs min max all any sum float int bool str repr type range zip "
        "enumerate sorted list dict tuple set round getattr hasattr AssertionError Exception "
        "BaseException NotImplementedError TypeError ValueError"
    ).split(),
    "numpy": (
        "allclose isclose array_equal array_equiv asarray array abs absolute isnan isfinite all "
        "any where argmax argwhere unravel_index float64 errstate concatenate bincount"
    ).split(),
    "numpy.testing": (
        "assert_allclose assert_array_equal assert_array_almost_equal assert_equal "
        "assert_almost_equal"
    ).split(),
    "sys": ["excepthook", "displayhook", "stdout", "stderr"],
}
#: Modules whose every public function and class (and the classes' attributes) is watched.
WATCHED_MODULES = ("labs.checks", "labs.cases", "labs.nn")

# Runs in the kernel: keep it self-contained (no project imports but the watched modules).
_FINGERPRINT = """
def _autograde_fingerprint():
    import builtins, importlib, sys
    watched, modules = {watched!r}, {modules!r}
    out = {{}}

    def describe(obj):
        if hasattr(obj, "__func__") and hasattr(obj, "__self__"):  # a bound method is made
            return "bound " + describe(obj.__func__) + " of " + str(id(obj.__self__))  # anew
        code = getattr(obj, "__code__", None)
        text = str(id(obj))
        if code is not None:
            text += ":" + str(id(code)) + ":" + str(hash((code.co_code, repr(code.co_consts))))
        return text

    for modname, names in watched.items():
        mod = builtins if modname == "builtins" else importlib.import_module(modname)
        for name in names:
            out[modname + "." + name] = describe(getattr(mod, name, None))
    for modname in modules:
        try:  # a course's own assignment has no labs package
            mod = importlib.import_module(modname)
        except ModuleNotFoundError:
            out["sys.modules[" + modname + "]"] = "absent"
            continue
        out["sys.modules[" + modname + "]"] = str(id(sys.modules.get(modname)))
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != modname:
                continue
            out[modname + "." + name] = describe(obj)
            if isinstance(obj, type):
                for attr, value in sorted(vars(obj).items()):
                    if not attr.startswith("__") or attr in ("__init__", "__eq__", "__bool__"):
                        out[modname + "." + name + "." + attr] = describe(value)
    ip = get_ipython()  # noqa: F821
    shell = type(ip)
    for name in ("run_cell", "run_code", "run_ast_nodes", "showtraceback", "_showtraceback",
                 "showsyntaxerror", "set_custom_exc"):
        out["IPython shell." + name] = describe(getattr(shell, name, None))
        out["IPython shell instance override of " + name] = str(name in vars(ip))
    out["IPython custom exceptions"] = repr(ip.custom_exceptions)
    out["IPython CustomTB"] = str(id(getattr(ip, "CustomTB", None)))
    for name in ("ast_transformers", "input_transformers_post", "input_transformers_cleanup"):
        out["IPython " + name] = repr([id(t) for t in getattr(ip, name, [])])
    for event in ("pre_run_cell", "pre_execute"):
        out["IPython " + event + " callbacks"] = str(len(ip.events.callbacks.get(event, [])))
    kernel = getattr(ip, "kernel", None)
    if kernel is not None:
        for name in ("do_execute", "execute_request", "send_response"):
            out["kernel." + name] = describe(getattr(type(kernel), name, None))
            out["kernel instance override of " + name] = str(name in vars(kernel))
    out["sys.gettrace()"] = str(id(sys.gettrace()))
    out["sys.getprofile()"] = str(id(sys.getprofile()))
    return out
"""


def _cell(nonce: str, when: str) -> NotebookNode:
    source = (
        _FINGERPRINT.format(watched=WATCHED, modules=WATCHED_MODULES)
        + f"\nprint({TAG!r} + __import__('json').dumps("
        f"{{'nonce': {nonce!r}, 'when': {when!r}, 'fp': _autograde_fingerprint()}}))\n"
        "del _autograde_fingerprint\n"
    )
    cell = new_code_cell(source)
    cell.metadata["autograde_integrity"] = {"when": when, "nonce": nonce}
    return cell


def cells() -> tuple[NotebookNode, NotebookNode]:
    """The before and after cells, with a fresh nonce."""
    nonce = secrets.token_hex(8)
    return _cell(nonce, "before"), _cell(nonce, "after")


def _read(cell: NotebookNode, when: str, nonce: str) -> dict | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") != "stream" or output.get("name") != "stdout":
            continue
        for line in output.get("text", "").splitlines():
            if not line.startswith(TAG):
                continue
            try:
                record = json.loads(line[len(TAG) :])
            except ValueError:
                return None
            if record.get("nonce") == nonce and record.get("when") == when:
                return record.get("fp")
    return None


def verdict(before: NotebookNode, after: NotebookNode, *, completed: bool) -> list[str]:
    """The reasons to flag, from the executed before and after cells. ``completed`` is
    false when the run ended early (a dead kernel), where no after fingerprint is due."""
    nonce = before.metadata["autograde_integrity"]["nonce"]
    first = _read(before, "before", nonce)
    if first is None:
        return [NOT_RUN_BEFORE] if completed else []
    last = _read(after, "after", nonce)
    if last is None:
        if not completed:
            return []
        return [
            "the integrity check after the notebook printed nothing: output or error "
            "reporting was taken over"
        ]
    changed = sorted(name for name in first if last.get(name) != first[name])
    if not changed:
        return []
    shown = ", ".join(changed[:6]) + (f" and {len(changed) - 6} more" if len(changed) > 6 else "")
    return [f"replaced what the tests rely on: {shown}"]


__all__ = ["cells", "verdict", "TAG", "NOT_RUN_BEFORE"]
