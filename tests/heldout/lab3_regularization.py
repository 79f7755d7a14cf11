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

# --- habits from other courses' conventions (issue 30, item 4), written without reading
# the catalog either -------------------------------------------------------------------------

CENTRAL = (
    "        old = w[index]\n"
    "        w[index] = old + eps\n"
    "        up = f(w)\n"
    "        w[index] = old - eps\n"
    "        down = f(w)\n"
    "        w[index] = old  # restore the entry\n"
    "        grad[index] = (up - down) / (2 * eps)\n"
)

RELATIVE = (
    "    numerator = np.linalg.norm(grad - grad_approx)\n"
    "    denominator = np.linalg.norm(grad) + np.linalg.norm(grad_approx)\n"
    "    error = 0.0 if denominator == 0 else numerator / denominator\n"
)

DECAY = (
    "    lyr.wegt = lyr.wegt * (1 - learning_rate * weight_decay)"
    "  # decoupled from Adam's scaling\n"
)
ADAM_CALL = '    my_optimizer(lyr, opt, W_grad, B_grad, "adam", learning_rate, iter)\n'

HELDOUT += [
    # --- initialization ------------------------------------------------------------------
    dict(
        name="random_seeded_default_rng",
        cell="init_weights_random",
        replace={
            "np.random.seed(seed)\n    w = np.random.normal(0, 1, (n_in, n_out))": (
                "rng = np.random.default_rng(seed)\n    w = rng.normal(0, 1, (n_in, n_out))"
            )
        },
        what="Draws from np.random.default_rng(seed), NumPy's new generator, whose stream "
        "differs from np.random.seed's legacy one, instead of the global random state.",
    ),
    dict(
        name="random_dls_times_001",
        cell="init_weights_random",
        replace={
            "np.random.normal(0, 1, (n_in, n_out))": "np.random.normal(0, 1, (n_in, n_out)) * 0.01"
        },
        what="Scales the standard normal draw by 0.01, as the Deep Learning Specialization's "
        "random initialization does, instead of keeping N(0, 1).",
    ),
    dict(
        name="xavier_keras_glorot_uniform",
        cell="init_weights_xavier",
        replace={
            "w = np.random.normal(0, np.sqrt(2 / (n_in + n_out)), (n_in, n_out))": (
                "limit = np.sqrt(6 / (n_in + n_out))  # Keras's glorot_uniform\n"
                "    w = np.random.uniform(-limit, limit, (n_in, n_out))"
            )
        },
        what="Draws Keras's default glorot_uniform, uniform on +-sqrt(6 / (n_in + n_out)): "
        "the same variance, but not the normal draw the lab asks for.",
    ),
    dict(
        name="he_dls_randn_out_in",
        cell="init_weights_he",
        replace={
            "w = np.random.normal(0, np.sqrt(2 / n_in), (n_in, n_out))": (
                "w = np.random.randn(n_out, n_in) * np.sqrt(2 / n_in)  # W[l]: (n[l], n[l-1])"
            )
        },
        what="Writes the Deep Learning Specialization's He initialization, whose matrices are "
        "(n_out, n_in), instead of the lab's (n_in, n_out).",
    ),
    dict(
        name="he_fan_from_second_dimension",
        cell="init_weights_he",
        replace={"np.sqrt(2 / n_in)": "np.sqrt(2 / n_out)"},
        what="Takes the fan-in from the matrix's second dimension, as for PyTorch's "
        "(out, in) weights, which is n_out in this lab's (n_in, n_out) layout.",
    ),
    # --- L1 / L2 -------------------------------------------------------------------------
    dict(
        name="l2_penalty_norm_not_squared",
        cell="regularized_loss",
        replace={"l2 / 2 * np.sum(value**2)": "l2 / 2 * np.linalg.norm(value)"},
        what="Takes the Frobenius norm ||W|| instead of its square ||W||**2 in the L2 penalty.",
    ),
    dict(
        name="regularization_grad_aliases_w",
        cell="regularization_grad",
        replace={
            "grad = l1 * np.sign(w) + l2 * w": (
                "grad = w\n    grad *= l2  # in place, to save memory\n    grad += l1 * np.sign(w)"
            )
        },
        what="Builds the gradient in place in grad = w, the caller's array itself, so w is "
        "overwritten (and with l2 = 0 the L1 term's sign(w) is taken of zeros).",
    ),
    dict(
        name="l1_grad_divides_by_abs",
        cell="regularization_grad",
        replace={"l1 * np.sign(w)": "l1 * w / np.abs(w)"},
        what="Writes the derivative of |w| as w / |w|, which is NaN where w is 0 instead of "
        "sign(0) = 0.",
    ),
    # --- dropout -------------------------------------------------------------------------
    dict(
        name="dropout_cs231n_p_passed_rate",
        cell="dropout_forward",
        replace={DROPOUT_MASK: "mask = (np.random.rand(*a.shape) < rate) / rate  # (rand < p) / p"},
        what="Copies CS231n's mask (rand < p) / p, where p is the probability of keeping, but "
        "passes the drop rate as p: it keeps a fraction rate of the units and scales by 1/rate.",
    ),
    dict(
        name="dropout_binomial_draw",
        cell="dropout_forward",
        replace={DROPOUT_MASK: "mask = np.random.binomial(1, 1.0 - rate, a.shape) / (1.0 - rate)"},
        what="Draws the kept units with np.random.binomial (like torch.bernoulli) instead of "
        "comparing np.random.uniform draws with rate, so other units are dropped.",
    ),
    dict(
        name="dropout_scales_at_prediction",
        cell="dropout_forward",
        replace={
            "return a, np.ones_like(a)": "return a * (1.0 - rate), np.full_like(a, 1.0 - rate)"
        },
        what="Also scales by the keep probability at prediction, as plain (non-inverted) "
        "dropout does, although the training pass already scaled by 1 / (1 - rate).",
    ),
    # --- gradient check ------------------------------------------------------------------
    dict(
        name="numerical_gradient_one_sided",
        cell="numerical_gradient",
        replace={
            CENTRAL: (
                "        old = w[index]\n"
                "        w[index] = old + eps\n"
                "        up = f(w)\n"
                "        w[index] = old  # restore the entry\n"
                "        grad[index] = (up - f(w)) / eps\n"
            )
        },
        what="Uses the one-sided difference (f(w + eps) - f(w)) / eps, off by about eps, "
        "instead of the central difference.",
    ),
    dict(
        name="numerical_gradient_restores_by_subtracting",
        cell="numerical_gradient",
        replace={
            CENTRAL: (
                "        w[index] += eps\n"
                "        up = f(w)\n"
                "        w[index] -= 2 * eps\n"
                "        down = f(w)\n"
                "        w[index] += eps  # restore the entry\n"
                "        grad[index] = (up - down) / (2 * eps)\n"
            )
        },
        what="Restores each entry by adding eps back instead of assigning the saved value, "
        "which rounds: afterwards some entries of w are off by an ulp.",
    ),
    dict(
        name="numerical_gradient_dls_copy_forgotten",
        cell="numerical_gradient",
        replace={
            CENTRAL: (
                "        w_plus = w  # thetaplus = np.copy(theta), without the copy\n"
                "        w_plus[index] += eps\n"
                "        up = f(w_plus)\n"
                "        w_minus = w\n"
                "        w_minus[index] -= eps\n"
                "        down = f(w_minus)\n"
                "        grad[index] = (up - down) / (2 * eps)\n"
            )
        },
        what="Follows the Deep Learning Specialization's thetaplus / thetaminus but without "
        "np.copy: both names are w, so down is evaluated at w itself (half the gradient) and w "
        "is restored only by rounding arithmetic.",
    ),
    dict(
        name="numerical_gradient_vectorized_nudge",
        cell="numerical_gradient",
        replace={
            "    for index in np.ndindex(w.shape):\n" + CENTRAL: (
                "    grad[...] = (f(w + eps) - f(w - eps)) / (2 * eps)  # no loop\n"
            )
        },
        what="Nudges every entry at once instead of one at a time, which measures the "
        "directional derivative along all ones and puts it in every entry.",
    ),
    dict(
        name="numerical_gradient_not_restored",
        cell="numerical_gradient",
        replace={"        w[index] = old  # restore the entry\n": ""},
        what="Never puts the entry back, so w is returned changed and every later entry is "
        "measured at a point where the earlier ones are off by -eps.",
    ),
    dict(
        name="relative_error_cs231n_elementwise",
        cell="relative_error",
        replace={
            RELATIVE: (
                "    scale = np.maximum(np.abs(grad), np.abs(grad_approx))  # CS231n's rel_error\n"
                "    ratio = np.abs(grad - grad_approx) / np.where(scale == 0, 1, scale)\n"
                "    error = float(np.max(ratio))\n"
            )
        },
        what="Computes CS231n's element-wise relative error max |a - b| / max(|a|, |b|) "
        "instead of the lab's norm ratio ||a - b|| / (||a|| + ||b||).",
    ),
    dict(
        name="relative_error_relative_to_grad",
        cell="relative_error",
        replace={
            "denominator = np.linalg.norm(grad) + np.linalg.norm(grad_approx)": (
                "denominator = np.linalg.norm(grad)"
            )
        },
        what="Divides by the norm of the analytic gradient only instead of the sum of both norms.",
    ),
    # --- early stopping ------------------------------------------------------------------
    dict(
        name="early_stopping_epochs_since_best",
        cell="early_stopping",
        replace={
            "return min(val_losses[-patience:]) > min(val_losses[:-patience])": (
                "epochs_since_best = len(val_losses) - 1 - int(np.argmin(val_losses))\n"
                "    return epochs_since_best > patience"
            )
        },
        what="Counts the epochs since the first best loss and stops when more than patience "
        "have passed, which stops one epoch later than the lab's rule (and treats ties as "
        "no improvement).",
    ),
    dict(
        name="early_stopping_consecutive_increases",
        cell="early_stopping",
        replace={
            "return min(val_losses[-patience:]) > min(val_losses[:-patience])": (
                "window = val_losses[-patience - 1 :]\n"
                "    return all(b > a for a, b in zip(window[:-1], window[1:]))"
            )
        },
        what="Stops only after patience consecutive increases of the loss, instead of when "
        "the last patience losses are all worse than the best before them.",
    ),
    # --- AdamW ---------------------------------------------------------------------------
    dict(
        name="adamw_decay_after_adam_step",
        cell="adamw",
        replace={DECAY + ADAM_CALL: ADAM_CALL + DECAY},
        what="Takes the Adam step first and shrinks the weights afterwards, so the decay also "
        "scales this step's update.",
    ),
    dict(
        name="adamw_decay_without_learning_rate",
        cell="adamw",
        replace={"(1 - learning_rate * weight_decay)": "(1 - weight_decay)"},
        what="Shrinks the weights by weight_decay alone, as TF-Addons' AdamW does, instead of "
        "by learning_rate * weight_decay as PyTorch's and the lab's.",
    ),
    dict(
        name="adamw_decays_bias",
        cell="adamw",
        replace={DECAY: DECAY + "    lyr.bias = lyr.bias * (1 - learning_rate * weight_decay)\n"},
        what="Decays the bias too, as torch.optim.AdamW does for every parameter passed to "
        "it, although the lab decays only the weights.",
    ),
    dict(
        name="adamw_as_adam_with_l2",
        cell="adamw",
        replace={
            DECAY + ADAM_CALL: (
                "    W_grad = W_grad + weight_decay * lyr.wegt  # L2 penalty's gradient\n"
                + ADAM_CALL
            )
        },
        what="Adds weight_decay * W to the gradient (Adam with an L2 penalty, what "
        "torch.optim.Adam's weight_decay does) instead of decaying the weights directly.",
    ),
]
