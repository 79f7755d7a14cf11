"""What each lab's text says its experiments show, and how to check it in the notebook's kernel.

One module per lab (``tests/claims/<lab>.py``, its ``CLAIMS`` list). A claim is a phrase
of the source notebook's markdown (matched with whitespace normalized)
and a Python expression that must be true in the kernel after *Run All* of the source
notebook, with full experiments (``conftest.source_run``). Numbers the text quotes are
checked against the values the notebook computes and prints. Speed is never claimed as a
fixed figure: the text states counts, and points at the times the notebook prints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    text: str
    holds: str


def f4(expr: str, value: str) -> str:
    return f'f"{{{expr}:.4f}}" == "{value}"'


def probe(lab: str) -> str:
    """Code for the last cell of a Run All: prints ``@@CLAIMS@@`` and a JSON list, per claim
    ``true``, ``false`` or the error its expression raised."""
    exprs = [c.holds for c in CLAIMS.get(lab, [])]
    return (
        "import json as _json\n"
        "_claims = []\n"
        f"for _e in {exprs!r}:\n"
        "    try:\n"
        "        _claims.append(bool(eval(_e)))\n"
        "    except Exception as _x:\n"
        "        _claims.append(f'{type(_x).__name__}: {_x}')\n"
        "print('@@CLAIMS@@' + _json.dumps(_claims))\n"
    )


# The labs' lists import Claim from here, so they come last.
from claims import lab1_minibatch, lab2_optimizers, lab3_regularization  # noqa: E402

CLAIMS = {
    "lab1_minibatch": lab1_minibatch.CLAIMS,
    "lab2_optimizers": lab2_optimizers.CLAIMS,
    "lab3_regularization": lab3_regularization.CLAIMS,
}
