"""Hints are never wrong, checked on mistakes the catalog was not written from.

``tests/heldout/<lab>.py`` holds student mistakes written by someone who had not read
``autograder/mistakes/<lab>.py``. Each is applied to the solution and the source notebook is
run as the autograder runs it (every visible and hidden test). Each must fail some test, and
every hint its tests show must be one that is right for it: ``RIGHT`` names, for each, the
catalog entries whose hint describes it (a mistake the catalog does not know may get no hint
at all, never another mistake's)."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import LABS
from nbformat.v4 import new_code_cell, new_notebook
from scratch import load_module

from autograder import mistakes, notebooks
from labs import checks

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("lab", LABS)]

HERE = Path(__file__).parent / "heldout"

#: lab -> held-out name -> the catalog entries whose hints are right for it.
RIGHT = {
    "lab1_minibatch": {
        "remainder_test_always_true": {"empty_remainder_batch"},
        "drops_remainder": {"last_batch_dropped"},
        "permutation_result_discarded": {"no_shuffle"},
        "ewa_weights_swapped": {"ewa_weights_swapped"},
        "ewa_starts_from_first_value": {"ewa_start_at_first_value"},
        "staircase_without_floor": {"schedule_no_floor"},
        "staircase_rounds": {"schedule_round"},
    },
    "lab2_optimizers": {
        "momentum_dls_velocity": {"momentum_ewa_form"},
        "momentum_state_not_stored": {"momentum_state_not_stored"},
        "momentum_cs231n_sign": {"momentum_sign"},
        "adagrad_epsilon_outside_sqrt": {"adagrad_epsilon_outside"},
        "rmsprop_pytorch_alpha": {"rmsprop_decay_099"},
        "adam_stores_corrected_moments": {"adam_corrected_moments_stored"},
        "adam_epsilon_inside_sqrt": {"adam_epsilon_inside"},
        "adam_bias_correction_t_plus_one": {"adam_iter_off_by_one"},
        "adam_no_bias_correction": {"adam_no_bias_correction"},
    },
    "lab3_regularization": {
        "random_shape_out_in": {"random_transposed"},
        "random_uniform_rand": {"random_uniform"},
        "xavier_lecture_slide_std": {"xavier_lecture_slide"},
        "xavier_dls_fan_in": {"xavier_fan_in"},
        "he_variance_as_std": {"he_variance_as_std"},
        "regularizes_biases": {"l2_on_biases"},
        "l2_penalty_without_half": {"l2_without_half"},
        "l2_grad_doubled": {"l2_grad_doubled"},
        "dropout_keep_prob_draw": {"dropout_keep_prob_convention"},
        "dropout_not_inverted": {"dropout_not_scaled"},
        "dropout_backward_binary_mask": {"dropout_backward_unscaled"},
        "early_stopping_ties_stop": {"early_stop_on_ties"},
        "early_stopping_last_loss_only": {"early_stop_last_only"},
    },
}


def heldout(lab: str) -> list[dict]:
    return load_module(f"heldout_{lab}", HERE / f"{lab}.py").HELDOUT


def shown_hints(lab: str, code: dict[str, str]) -> dict[str, str | None]:
    """Run the source notebook as the autograder does, with the solutions replaced by
    ``code``: for every test cell (visible and hidden) that fails, the hint it starts with
    ("" for none); passing tests are left out."""
    source = notebooks.source_path(lab)
    nb = notebooks.read(source)
    cells, ids = [], []
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta:
            continue  # experiments are not run when graded
        cells.append(new_code_cell(code.get(meta.get("grade_id"), cell.source)))
        ids.append(meta.get("grade_id") if meta.get("grade") else None)
    run = new_notebook(cells=cells, metadata=nb.metadata)
    notebooks.execute(
        run, source.parent, allow_errors=True, env={"NBGRADER_EXECUTION": "autograde"}
    )
    out = {}
    for gid, cell in zip(ids, run.cells, strict=True):
        error = [o for o in cell.outputs if o.get("output_type") == "error"]
        if gid and error:
            out[gid] = checks.split_failure("\n".join(error[0].get("traceback", [])))[1]
    return out


def _outcomes(lab):
    solution = mistakes.solution_code(lab)

    def one(entry):
        m = mistakes.Variant(entry["name"], entry["cell"], entry["replace"])
        return entry["name"], shown_hints(
            lab, {**solution, m.cell: mistakes.apply(solution[m.cell], m)}
        )

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, heldout(lab)))


def test_every_heldout_mistake_fails_a_test_and_no_hint_misleads(lab):
    hint_of = {m.hint: m.name for m in mistakes.catalog(lab)}
    outcomes = _outcomes(lab)
    uncaught = [name for name, failed in outcomes.items() if not failed]
    misled = {
        name: sorted(
            {hint_of.get(h, h[:60]) for h in failed.values() if h} - RIGHT[lab].get(name, set())
        )
        for name, failed in outcomes.items()
    }
    misled = {k: v for k, v in misled.items() if v}
    hinted = sum(any(failed.values()) for failed in outcomes.values())
    print(f"{lab}: {len(outcomes)} held-out mistakes, {hinted} get a right hint")
    assert uncaught == []
    assert misled == {}, "hints shown for mistakes they do not describe"
    assert set(RIGHT[lab]) <= set(outcomes), "RIGHT names a held-out mistake that is gone"
