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
from conftest import COURSE, LABS
from nbformat.v4 import new_code_cell, new_notebook
from scratch import load_module

from autograder import mistakes, notebooks
from labs import checks

pytestmark = [pytest.mark.kernel, pytest.mark.parametrize("lab", LABS)]

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
        "ewa_bias_correction_t_plus_one": {"ewa_correction_t_plus_one"},
        "inverse_time_precedence": {"update_lr_no_parentheses"},
        "exponential_base_and_exponent_swapped": {"exponential_power_swapped"},
        "shuffle_unseeded_default_rng": {"unseeded_generator"},
        "ewa_counter_from_zero": {"ewa_t_from_zero"},
        "warmup_from_epoch_one": {"warmup_from_one_step"},
        "cosine_clipped_at_final_lr": {"cosine_clipped_at_final_lr"},
        "cosine_over_the_whole_run": {"cosine_progress_from_zero"},
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
        "momentum_pytorch_buffer": {"momentum_pytorch_buffer"},
        "momentum_cs231n_stored_velocity": {"momentum_cs231n_velocity"},
        "rmsprop_pytorch_epsilon_outside_sqrt": {"rmsprop_epsilon_outside"},
        # the seed lab's single call at iter = 3: a counter of its own corrects as at step 1,
        # which with beta1 = 0.9, beta2 = 0.99 is no correction; the hint says both
        "adam_own_step_counter": {"adam_no_bias_correction"},
        "adam_paper_efficient_form": {"adam_epsilon_hat"},
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
        "xavier_keras_glorot_uniform": {"xavier_uniform"},
        "he_fan_from_second_dimension": {"he_uses_n_out"},
        "dropout_cs231n_p_passed_rate": {"dropout_rate_as_keep_prob"},
        "numerical_gradient_one_sided": {"gradcheck_one_sided"},
        "numerical_gradient_not_restored": {"gradcheck_not_restored"},
        "relative_error_relative_to_grad": {"relative_error_one_norm"},
        "relative_error_cs231n_elementwise": {"relative_error_elementwise_max"},
        "random_dls_times_001": {"random_dls_small"},
        "adamw_decay_after_adam_step": {"adamw_decay_after_step"},
        "adamw_decay_without_learning_rate": {"adamw_decay_without_lr"},
        "adamw_decays_bias": {"adamw_decays_bias"},
        "adamw_as_adam_with_l2": {"adamw_as_l2"},
        "random_seeded_default_rng": {"random_default_rng"},
        "he_dls_randn_out_in": {"he_transposed"},
        "l2_penalty_norm_not_squared": {"l2_norm_not_squared"},
    },
}


def heldout(lab: str) -> list[dict]:
    return load_module(f"heldout_{lab}", HERE / f"{lab}.py").HELDOUT


def shown_hints(lab: str, code: dict[str, str]) -> dict[str, str | None]:
    """Run the source notebook as the autograder does, with the solutions replaced by
    ``code``: for every test cell (visible and hidden) that fails, the hint it starts with
    ("" for none); passing tests are left out."""
    source = COURSE.source_path(lab)
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
    solution = mistakes.solution_code(lab, COURSE)

    def one(entry):
        m = mistakes.Variant(entry["name"], entry["cell"], entry["replace"])
        return entry["name"], shown_hints(
            lab, {**solution, m.cell: mistakes.apply(solution[m.cell], m)}
        )

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, heldout(lab)))


def test_every_heldout_mistake_fails_a_test_and_no_hint_misleads(lab):
    hint_of = {}  # a hint -> the entries that show it (one hint may be true of several)
    for m in mistakes.catalog(lab):
        hint_of.setdefault(m.hint, set()).add(m.name)
    outcomes = _outcomes(lab)
    uncaught = [name for name, failed in outcomes.items() if not failed]
    misled = {
        name: sorted(
            "/".join(sorted(hint_of.get(h, {h[:60]})))
            for h in {h for h in failed.values() if h}
            if not hint_of.get(h, set()) & RIGHT[lab].get(name, set())
        )
        for name, failed in outcomes.items()
    }
    misled = {k: v for k, v in misled.items() if v}
    hinted = sum(any(failed.values()) for failed in outcomes.values())
    print(f"{lab}: {len(outcomes)} held-out mistakes, {hinted} get a right hint")
    assert uncaught == []
    assert misled == {}, "hints shown for mistakes they do not describe"
    assert set(RIGHT[lab]) <= set(outcomes), "RIGHT names a held-out mistake that is gone"
