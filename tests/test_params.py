"""No parameter of a graded function can be ignored without a visible test noticing.

A student who ignores a parameter (uses its default whatever the caller passes) or hard-codes
it (to the value the visible example happens to use) must see a visible test fail before
submitting; otherwise the first to notice is a hidden test, and the student loses points they
had no way to see coming. This is the mutation gate's idea applied to every parameter, with
no catalog: for every function a solution cell defines and every parameter it has, the
function is wrapped so that the parameter is

* **ignored**: replaced by its default on every call (parameters with a default), and
* **hard-coded**: replaced by the first value the visible tests pass to it (numbers, strings
  and booleans; arrays, objects and functions are not values a student hard-codes),

and the lab's visible tests are run again, in the kernel, with the wrapped function. At least
one of them must fail. A mutation that changes no call at all (every visible call passes the
default, or the same value) is reported too: that is exactly the case no visible test can see.
"""

import ast
import json

import pytest
from conftest import COURSE, LABS
from nbformat.v4 import new_code_cell, new_notebook

from autograder import notebooks

pytestmark = [pytest.mark.kernel, pytest.mark.parametrize("lab", LABS)]

PROBE = r"""
import functools as _functools
import inspect as _inspect
import json as _json

_GRADED = {graded!r}
_VISIBLE = {visible!r}
_SCALARS = (bool, int, float, str)


def _run_visible():
    failed = []
    for _gid, _src in _VISIBLE.items():
        try:
            exec(_src, globals())
        except BaseException:  # a visible test reports a failure by raising
            failed.append(_gid)
    return failed


_originals = {{name: globals()[name] for name in _GRADED}}
_first = {{}}


def _recording(name, func):
    signature = _inspect.signature(func)

    @_functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        for param, value in bound.arguments.items():
            _first.setdefault((name, param), value)
        return func(*args, **kwargs)

    return wrapper


def _forcing(func, param, value):
    signature = _inspect.signature(func)

    @_functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.arguments[param] = value
        return func(*bound.args, **bound.kwargs)

    return wrapper


for _name, _func in _originals.items():
    globals()[_name] = _recording(_name, _func)
_baseline = _run_visible()
for _name, _func in _originals.items():
    globals()[_name] = _func

_report = {{"baseline_failed": _baseline, "mutations": []}}
for _name, _func in _originals.items():
    for _param in _inspect.signature(_func).parameters.values():
        _tries = []
        if _param.default is not _inspect.Parameter.empty:
            _tries.append(("ignored (always its default)", _param.default))
        _seen = _first.get((_name, _param.name), None)
        if isinstance(_seen, _SCALARS):
            _tries.append(("hard-coded to the first visible value", _seen))
        for _how, _value in _tries:
            globals()[_name] = _forcing(_func, _param.name, _value)
            _failed = _run_visible()
            globals()[_name] = _func
            _report["mutations"].append(
                {{
                    "function": _name,
                    "param": _param.name,
                    "how": _how,
                    "value": repr(_value),
                    "failed": _failed,
                }}
            )
print("@@PARAMS@@" + _json.dumps(_report))
"""


def graded_functions(nb) -> list[str]:
    """The top-level functions the solution cells define, in notebook order."""
    names = []
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            tree = ast.parse(cell.source)
            names += [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    return names


def mutations(lab: str) -> dict:
    """Run the probe in a kernel on the source notebook's solution; its report."""
    source = COURSE.source_path(lab)
    nb = notebooks.read(source)
    cells, visible = [], {}
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta:
            continue  # experiments
        if meta.get("grade") and not meta.get("solution"):
            if not meta.get("points"):
                visible[meta["grade_id"]] = cell.source
            continue  # tests run from the probe
        cells.append(new_code_cell(cell.source))
    cells.append(new_code_cell(PROBE.format(graded=graded_functions(nb), visible=visible)))
    run = new_notebook(cells=cells, metadata=nb.metadata)
    notebooks.execute(run, source.parent, env={"NBGRADER_EXECUTION": "autograde"}, timeout=600)
    text = notebooks.stream_text(run.cells[-1])
    return json.loads(text.split("@@PARAMS@@")[1])


def test_every_parameter_of_a_graded_function_is_seen_by_a_visible_test(lab):
    report = mutations(lab)
    assert report["baseline_failed"] == [], "the solution fails a visible test"
    assert report["mutations"], "no parameter was tried"
    unseen = [
        f"{m['function']}({m['param']}) {m['how']} = {m['value']}"
        for m in report["mutations"]
        if not m["failed"]
    ]
    print(f"{lab}: {len(report['mutations'])} mutations, {len(unseen)} unseen")
    assert unseen == [], "no visible test notices:\n" + "\n".join(unseen)
