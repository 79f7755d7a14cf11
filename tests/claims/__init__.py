"""What each lab's text says its experiments show, and how to check it in the notebook's kernel.

One module per lab (``tests/claims/<lab>.py``, its ``CLAIMS`` list). A claim is a phrase
of the source notebook's markdown (matched with whitespace normalized)
and a Python expression that must be true in the kernel after *Run All* of the source
notebook, with full experiments (``conftest.source_run``). Numbers the text quotes are
checked against the values the notebook computes and prints. Speed is never claimed as a
fixed figure: the text states counts, and points at the times the notebook prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    """``text``: a phrase of the notebook's markdown; ``holds``: an expression true in the
    kernel after *Run All*. Every number of the text with a decimal point or three or more
    digits must also be in the notebook's printed output, as the text writes it, unless
    ``given`` lists it: a setting or a number worked by hand, not a result."""

    text: str
    holds: str
    given: tuple[str, ...] = ()


def stated_numbers(text: str) -> list[str]:
    """The numbers of a claim's text that a reader takes for results: those with a decimal
    point or with three or more digits, without a sign (``-0.025`` is stated as ``0.025``)."""
    return re.findall(r"(?<![\d.])\d+\.\d+|(?<![\d.])\d{3,}(?![\d.])", text)


def f4(expr: str, value: str) -> str:
    return f'f"{{{expr}:.4f}}" == "{value}"'


def probe(lab: str) -> str:
    """Code for the last cell of a Run All: prints ``@@CLAIMS@@`` and a JSON list, per claim
    and then per title of ``TITLES``, ``true``, ``false`` or the error its expression raised."""
    exprs = [c.holds for c in CLAIMS.get(lab, []) + TITLES.get(lab, [])]
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

_MODULES = {
    "lab1_minibatch": lab1_minibatch,
    "lab2_optimizers": lab2_optimizers,
    "lab3_regularization": lab3_regularization,
}
CLAIMS = {lab: module.CLAIMS for lab, module in _MODULES.items()}
#: Per lab, the figure titles that contain a number: ``text`` is a part of the title (the
#: figure's or a panel's) and ``holds`` checks that its numbers are the run's parameters.
TITLES = {lab: getattr(module, "TITLES", []) for lab, module in _MODULES.items()}
