"""Held-out student mistakes for lab3_regularization, written without reading
autograder/mistakes/lab3_regularization.py.

Each entry is an edit of the solution (exact text replacements that each occur once in
the solution cell ``cell``) that a student plausibly writes, and ``what`` says in one
sentence what is wrong. Used by tests/test_heldout.py to check the catalog's hints.
"""

DROPOUT_MASK = "mask = (np.random.uniform(0, 1, a.shape) > rate) / (1.0 - rate)"

HELDOUT = [
    # --- initialization ------------------------------------------------------------------
    dict(
        name="random_shape_out_in",
        cell="init_weights_random",
        replace={"np.random.normal(0, 1, (n_in, n_out))": "np.random.normal(0, 1, (n_out, n_in))"},
        what="Draws the matrix as (n_out, n_in), the wegt layout of Lab 2, instead of "
        "(n_in, n_out).",
    ),
    dict(
        name="random_uniform_rand",
        cell="init_weights_random",
        replace={"np.random.normal(0, 1, (n_in, n_out))": "np.random.rand(n_in, n_out)"},
        what="Uses np.random.rand (uniform on [0, 1)) instead of a standard normal draw.",
    ),
    dict(
        name="xavier_lecture_slide_std",
        cell="init_weights_xavier",
        replace={"np.sqrt(2 / (n_in + n_out))": "2 / np.sqrt(n_in + n_out)"},
        what="Copies the lecture slide's standard deviation 2 / sqrt(n_in + n_out), sqrt(2) "
        "times the Glorot value.",
    ),
    dict(
        name="xavier_dls_fan_in",
        cell="init_weights_xavier",
        replace={"np.sqrt(2 / (n_in + n_out))": "np.sqrt(1 / n_in)"},
        what="Uses the Deep Learning Specialization's 'Xavier' scale sqrt(1 / n_in) instead of "
        "sqrt(2 / (n_in + n_out)).",
    ),
    dict(
        name="he_variance_as_std",
        cell="init_weights_he",
        replace={"np.sqrt(2 / n_in)": "2 / n_in"},
        what="Passes the variance 2 / n_in to np.random.normal, whose scale is the standard "
        "deviation.",
    ),
    # --- L1 / L2 -------------------------------------------------------------------------
    dict(
        name="regularizes_biases",
        cell="regularized_loss",
        replace={
            (
                "    for name, value in params.items():\n"
                '        if name.startswith("w"):\n'
                "            loss = loss + l1 * np.sum(np.abs(value)) + l2 / 2 * np.sum(value**2)"
            ): (
                "    for value in params.values():\n"
                "        loss = loss + l1 * np.sum(np.abs(value)) + l2 / 2 * np.sum(value**2)"
            )
        },
        what="Penalizes every parameter, the biases included, instead of only the weight matrices.",
    ),
    dict(
        name="l2_penalty_without_half",
        cell="regularized_loss",
        replace={"l2 / 2 * np.sum(value**2)": "l2 * np.sum(value**2)"},
        what="Leaves out the 1/2 of the L2 penalty (lambda * sum w^2, Keras's convention).",
    ),
    dict(
        name="l2_grad_doubled",
        cell="regularization_grad",
        replace={"l2 * w": "2 * l2 * w"},
        what="Differentiates the L2 term as if it were lambda * sum w^2, giving 2 * l2 * w "
        "instead of l2 * w.",
    ),
    # --- dropout -------------------------------------------------------------------------
    dict(
        name="dropout_keep_prob_draw",
        cell="dropout_forward",
        replace={
            "(np.random.uniform(0, 1, a.shape) > rate)": (
                "(np.random.uniform(0, 1, a.shape) < 1 - rate)"
            )
        },
        what="Keeps units where the draw is below keep_prob = 1 - rate (the Deep Learning "
        "Specialization's D = rand < keep_prob) instead of where it is above rate.",
    ),
    dict(
        name="dropout_not_inverted",
        cell="dropout_forward",
        replace={DROPOUT_MASK: "mask = (np.random.uniform(0, 1, a.shape) > rate) * 1.0"},
        what="Drops units but does not scale the kept ones by 1 / (1 - rate) (plain, "
        "non-inverted dropout).",
    ),
    dict(
        name="dropout_boolean_mask",
        cell="dropout_forward",
        replace={
            DROPOUT_MASK: (
                "mask = np.random.uniform(0, 1, a.shape) > rate\n        a = a / (1.0 - rate)"
            )
        },
        what="Scales the activations instead of the mask and returns a boolean 0/1 mask, so "
        "the mask handed to the backward pass lacks the 1 / (1 - rate) factor.",
    ),
    dict(
        name="dropout_backward_binary_mask",
        cell="dropout_backward",
        replace={"grad_a = grad * mask": "grad_a = grad * (mask > 0)"},
        what="Lets the gradient through the kept units unscaled, forgetting the 1 / (1 - rate) "
        "factor the forward pass applied.",
    ),
    # --- early stopping ------------------------------------------------------------------
    dict(
        name="early_stopping_ties_stop",
        cell="early_stopping",
        replace={
            "min(val_losses[-patience:]) > min(val_losses[:-patience])": (
                "min(val_losses[-patience:]) >= min(val_losses[:-patience])"
            )
        },
        what="Uses >= instead of >, so a window that only equals the best earlier loss already "
        "stops training.",
    ),
    dict(
        name="early_stopping_last_loss_only",
        cell="early_stopping",
        replace={
            "min(val_losses[-patience:]) > min(val_losses[:-patience])": (
                "val_losses[-1] > min(val_losses[:-patience])"
            )
        },
        what="Compares only the latest loss with the earlier best instead of the best of the "
        "last patience losses.",
    ),
]
