"""Lab 2's learning-rate sweep, computed from the solution and stored (``make sweeps``).

The fair comparison of Lab 2 chooses every optimizer's learning rate on a validation
split: ``labs.fair.DIGITS_RATES`` (4 rates x 5 optimizers) with the 5 seeds of
``labs.fair.SEEDS``, 100 networks of 60 epochs. That takes about 20 s, too long for the
notebook's Run All, so this module runs it once with the source notebook's solution of
``my_optimizer`` and writes ``source/lab2_optimizers/labs/sweep.json``, which travels
with the assignment. The notebook plots the file, and can rerun the sweep with the
student's own ``my_optimizer``.

A second, smaller sweep sits in the same file under ``relu_softmax``: the contrast of
section 4, SGD and momentum on the same digits with ReLU hidden layers, a softmax output
and the cross-entropy loss (``labs.nn.relu_softmax``), at the rates of ``RELU_RATES``
with the same seeds (40 networks). The notebook trains only the fresh seeds at the rates
it chooses.

The file records a digest of everything its numbers depend on (the solution's code, the
helper modules that train and the data file). ``stale`` compares that digest, which is
quick; ``stale(recompute=True)`` also reruns the sweep and compares every number.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from autograder import mistakes, notebooks
from autograder.course import Course

LAB = "lab2_optimizers"
FILE = "labs/sweep.json"
SOLUTION_CELL = "my_optimizer"
INPUTS = ("labs/fair.py", "labs/nn.py", "labs/data.py", "data/digits.csv")
RTOL = 1e-6  # a rerun on another machine's BLAS may differ in the last bits
#: The contrast's grid: a factor 2 apart, each optimizer's chosen rate inside it.
RELU_RATES = {"sgd": (0.025, 0.05, 0.1, 0.2), "momentum": (0.0025, 0.005, 0.01, 0.02)}


def path(course: Course) -> Path:
    return course.source_path(LAB).parent / FILE


def digest(course: Course) -> str:
    """SHA-256 over the solution of ``my_optimizer`` and the files of ``INPUTS`` (in the
    course folder)."""
    h = hashlib.sha256(mistakes.solution_code(LAB, course)[SOLUTION_CELL].encode())
    for name in INPUTS:
        h.update(name.encode() + b"\0" + (course.root / name).read_bytes())
    return h.hexdigest()


def relu_softmax_sweep(optimizer, X_fit, y_fit, X_val, y_val) -> dict[str, dict[float, list]]:
    """The contrast's validation losses (cross-entropy), ``{solver: {rate: [per seed]}}``:
    the digits network with ReLU hidden layers and a softmax output, every rate of
    ``RELU_RATES``, the seeds of ``labs.fair.SEEDS``, ``labs.fair.DIGITS_EPOCHS`` epochs."""
    from labs import fair, nn

    results: dict[str, dict[float, list]] = {}
    for solver, grid in RELU_RATES.items():
        for lr in grid:
            layers = fair.digits_runs(optimizer, solver, lr, X_fit, y_fit, relu_softmax=True)
            results.setdefault(solver, {})[lr] = nn.my_loss(layers, X_val, y_val).tolist()
    return results


def compute(course: Course) -> dict:
    """The sweep's JSON document, computed now with the solution."""
    from labs import fair
    from labs.data import digits_split, one_hot

    namespace = {"np": np}
    exec(mistakes.solution_code(LAB, course)[SOLUTION_CELL], namespace)  # noqa: S102 -- our source
    split = digits_split()
    X_fit, X_val, labels_fit, labels_val = fair.validation_split(split.X_train, split.labels_train)
    data = (X_fit, one_hot(labels_fit, 10), X_val, one_hot(labels_val, 10))
    results = fair.digits_sweep(namespace["my_optimizer"], *data)
    contrast = relu_softmax_sweep(namespace["my_optimizer"], *data)
    return fair.sweep_document(
        results,
        generated_by=(
            "`make sweeps` (autograder/authoring/sweeps.py) from the solution of "
            f"source/{LAB}; do not edit"
        ),
        inputs_sha256=digest(course),
        seeds=list(fair.SEEDS),
        epochs=fair.DIGITS_EPOCHS,
        split=(
            f"{len(X_fit)} training and {len(X_val)} validation images, "
            "fair.validation_split(split.X_train, split.labels_train)"
        ),
        measure="validation loss (my_loss) after the last epoch, one per seed",
        relu_softmax=fair.sweep_document(
            contrast,
            network="ReLU hidden layers (He scale), softmax output: labs.nn.relu_softmax",
            measure="validation cross-entropy (my_loss) after the last epoch, one per seed",
        ),
    )


def _dump(document: dict) -> str:
    return json.dumps(document, indent=1) + "\n"


def stale(course: Course, *, recompute: bool = False) -> list[str]:
    """Why the stored sweep is out of date ([] when it is not)."""
    file = path(course)
    if not file.is_file():
        return [f"{FILE} is missing"]
    stored = json.loads(file.read_text())
    if stored.get("inputs_sha256") != digest(course):
        return [f"{FILE}: the solution or {', '.join(INPUTS)} changed since it was written"]
    if not recompute:
        return []
    return differences(stored, compute(course))


def differences(stored: dict, fresh: dict) -> list[str]:
    """What differs between two sweep documents: any field, the optimizers or rates, or a
    validation loss by more than ``RTOL``."""
    problems = [
        f"{FILE}: {key} differs"
        for key in fresh
        if key not in ("validation_loss", "relu_softmax") and stored.get(key) != fresh[key]
    ]
    if "relu_softmax" in fresh:
        problems += [
            f"{p} (relu_softmax)"
            for p in differences(stored.get("relu_softmax", {}), fresh["relu_softmax"])
        ]
    old, new = stored.get("validation_loss", {}), fresh["validation_loss"]
    if {s: sorted(v) for s, v in old.items()} != {s: sorted(v) for s, v in new.items()}:
        return [*problems, f"{FILE}: the optimizers or rates differ"]
    for solver, by in new.items():
        for lr, values in by.items():
            if not np.allclose(old[solver][lr], values, rtol=RTOL, atol=0):
                problems.append(f"{FILE}: {solver} at {lr} gives {values}, not {old[solver][lr]}")
    return problems


def update(course: Course, *, force: bool = False) -> bool:
    """Rewrite the file when its digest is out of date (or ``force``); True if written."""
    if not force and not stale(course):
        return False
    notebooks.write_atomic(path(course), _dump(compute(course)))
    return True


__all__ = [
    "LAB",
    "FILE",
    "RELU_RATES",
    "relu_softmax_sweep",
    "path",
    "digest",
    "compute",
    "stale",
    "differences",
    "update",
]
