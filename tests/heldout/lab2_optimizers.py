"""Held-out student mistakes for lab2_optimizers, written without reading
autograder/mistakes/lab2_optimizers.py.

Each entry is an edit of the solution (exact text replacements that each occur once in
the solution cell ``cell``) that a student plausibly writes, and ``what`` says in one
sentence what is wrong. Used by tests/test_heldout.py to check the catalog's hints.
"""

MOMENTUM = (
    "        W_dlt = gamma * opt.W_dt + alpha * W_grad  # momentum of the previous delta\n"
    "        B_dlt = gamma * opt.B_dt + alpha * B_grad  # same for the bias\n"
    "        opt.W_dt = W_dlt  # keep the deltas for the next step\n"
    "        opt.B_dt = B_dlt\n"
)

ADAGRAD = (
    "        opt.W_vt = opt.W_vt + W_grad * W_grad  # accumulate the squared gradients\n"
    "        opt.B_vt = opt.B_vt + B_grad * B_grad\n"
    "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n"
    "        B_dlt = eta / np.sqrt(opt.B_vt + epsilon) * B_grad\n"
)

RMSPROP = (
    "        opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad  # decaying average of g^2\n"
    "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
    "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n"
    "        B_dlt = eta / np.sqrt(opt.B_vt + epsilon) * B_grad\n"
)

HELDOUT = [
    # --- momentum ------------------------------------------------------------------------
    dict(
        name="momentum_dls_velocity",
        cell="my_optimizer",
        replace={
            MOMENTUM: (
                "        opt.W_dt = gamma * opt.W_dt + (1 - gamma) * W_grad  # velocity\n"
                "        opt.B_dt = gamma * opt.B_dt + (1 - gamma) * B_grad\n"
                "        W_dlt = alpha * opt.W_dt\n"
                "        B_dlt = alpha * opt.B_dt\n"
            )
        },
        what="Uses the Deep Learning Specialization's velocity v = gamma*v + (1-gamma)*g with "
        "the step alpha*v, which is the lab's rule with learning rate alpha*(1-gamma), and "
        "stores v instead of the step.",
    ),
    dict(
        name="momentum_state_not_stored",
        cell="my_optimizer",
        replace={
            "        opt.W_dt = W_dlt  # keep the deltas for the next step\n"
            "        opt.B_dt = B_dlt\n": ""
        },
        what="Computes the momentum step but never stores it in opt.W_dt / opt.B_dt, so every "
        "call starts from the same old step.",
    ),
    dict(
        name="momentum_cs231n_sign",
        cell="my_optimizer",
        replace={
            "gamma * opt.W_dt + alpha * W_grad": "gamma * opt.W_dt - alpha * W_grad",
            "gamma * opt.B_dt + alpha * B_grad": "gamma * opt.B_dt - alpha * B_grad",
        },
        what="Writes CS231n's v = mu*v - lr*g but keeps the given W - W_dlt, so the gradient "
        "term has the wrong sign (the layer climbs the gradient).",
    ),
    # --- AdaGrad -------------------------------------------------------------------------
    dict(
        name="adagrad_epsilon_outside_sqrt",
        cell="my_optimizer",
        replace={
            ADAGRAD: (
                "        opt.W_vt = opt.W_vt + W_grad * W_grad\n"
                "        opt.B_vt = opt.B_vt + B_grad * B_grad\n"
                "        W_dlt = eta / (np.sqrt(opt.W_vt) + epsilon) * W_grad\n"
                "        B_dlt = eta / (np.sqrt(opt.B_vt) + epsilon) * B_grad\n"
            )
        },
        what="Adds epsilon after the square root (Adam's placement) instead of inside it, "
        "which changes the step a lot when the accumulated squared gradients are tiny.",
    ),
    dict(
        name="adagrad_accumulator_not_stored",
        cell="my_optimizer",
        replace={
            ADAGRAD: (
                "        W_vt = opt.W_vt + W_grad * W_grad\n"
                "        B_vt = opt.B_vt + B_grad * B_grad\n"
                "        W_dlt = eta / np.sqrt(W_vt + epsilon) * W_grad\n"
                "        B_dlt = eta / np.sqrt(B_vt + epsilon) * B_grad\n"
            )
        },
        what="Accumulates the squared gradients into local variables and never writes them "
        "back to opt.W_vt / opt.B_vt, so the sum does not grow across calls.",
    ),
    dict(
        name="adagrad_steps_before_accumulating",
        cell="my_optimizer",
        replace={
            ADAGRAD: (
                "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n"
                "        B_dlt = eta / np.sqrt(opt.B_vt + epsilon) * B_grad\n"
                "        opt.W_vt = opt.W_vt + W_grad * W_grad\n"
                "        opt.B_vt = opt.B_vt + B_grad * B_grad\n"
            )
        },
        what="Computes the step with the previous sum v_{t-1} and only then adds g_t^2, so the "
        "first step divides by sqrt(epsilon) and explodes.",
    ),
    # --- RMSprop -------------------------------------------------------------------------
    dict(
        name="rmsprop_decay_swapped",
        cell="my_optimizer",
        replace={
            "opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad": (
                "opt.W_vt = 0.1 * opt.W_vt + 0.9 * W_grad * W_grad"
            ),
            "opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad": (
                "opt.B_vt = 0.1 * opt.B_vt + 0.9 * B_grad * B_grad"
            ),
        },
        what="Swaps the decay weights, keeping 0.1 of the old average and 0.9 of the new "
        "squared gradient.",
    ),
    dict(
        name="rmsprop_pytorch_alpha",
        cell="my_optimizer",
        replace={
            "opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad": (
                "opt.W_vt = 0.99 * opt.W_vt + 0.01 * W_grad * W_grad"
            ),
            "opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad": (
                "opt.B_vt = 0.99 * opt.B_vt + 0.01 * B_grad * B_grad"
            ),
        },
        what="Uses the decay 0.99 (PyTorch's / the lecture's default) instead of the lab's 0.9.",
    ),
    dict(
        name="rmsprop_no_sqrt",
        cell="my_optimizer",
        replace={
            RMSPROP: (
                "        opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad\n"
                "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
                "        W_dlt = eta / (opt.W_vt + epsilon) * W_grad\n"
                "        B_dlt = eta / (opt.B_vt + epsilon) * B_grad\n"
            )
        },
        what="Divides by the averaged squared gradient itself instead of its square root.",
    ),
    # --- Adam ----------------------------------------------------------------------------
    dict(
        name="adam_stores_corrected_moments",
        cell="my_optimizer",
        replace={
            "W_mc = opt.W_mt / (1 - beta1**iter)  # bias correction\n"
            "        B_mc = opt.B_mt / (1 - beta1**iter)\n"
            "        W_vc = opt.W_vt / (1 - beta2**iter)\n"
            "        B_vc = opt.B_vt / (1 - beta2**iter)\n": (
                "opt.W_mt = opt.W_mt / (1 - beta1**iter)\n"
                "        opt.B_mt = opt.B_mt / (1 - beta1**iter)\n"
                "        opt.W_vt = opt.W_vt / (1 - beta2**iter)\n"
                "        opt.B_vt = opt.B_vt / (1 - beta2**iter)\n"
                "        W_mc, B_mc, W_vc, B_vc = opt.W_mt, opt.B_mt, opt.W_vt, opt.B_vt\n"
            )
        },
        what="Writes the bias-corrected moments back into opt, so the next step's averages "
        "start from corrected values and the correction compounds.",
    ),
    dict(
        name="adam_epsilon_inside_sqrt",
        cell="my_optimizer",
        replace={
            "W_dlt = eta / (np.sqrt(W_vc) + epsilon) * W_mc": (
                "W_dlt = eta / np.sqrt(W_vc + epsilon) * W_mc"
            ),
            "B_dlt = eta / (np.sqrt(B_vc) + epsilon) * B_mc": (
                "B_dlt = eta / np.sqrt(B_vc + epsilon) * B_mc"
            ),
        },
        what="Puts epsilon inside the square root (RMSprop's placement) instead of adding it "
        "to sqrt(v_hat), which matters when the second moment is tiny.",
    ),
    dict(
        name="adam_bias_correction_t_plus_one",
        cell="my_optimizer",
        replace={
            "W_mc = opt.W_mt / (1 - beta1**iter)": "W_mc = opt.W_mt / (1 - beta1 ** (iter + 1))",
            "B_mc = opt.B_mt / (1 - beta1**iter)": "B_mc = opt.B_mt / (1 - beta1 ** (iter + 1))",
            "W_vc = opt.W_vt / (1 - beta2**iter)": "W_vc = opt.W_vt / (1 - beta2 ** (iter + 1))",
            "B_vc = opt.B_vt / (1 - beta2**iter)": "B_vc = opt.B_vt / (1 - beta2 ** (iter + 1))",
        },
        what="Treats iter as counted from 0 and corrects with beta**(iter + 1) instead of "
        "beta**iter.",
    ),
    dict(
        name="adam_no_bias_correction",
        cell="my_optimizer",
        replace={
            "W_dlt = eta / (np.sqrt(W_vc) + epsilon) * W_mc": (
                "W_dlt = eta / (np.sqrt(opt.W_vt) + epsilon) * opt.W_mt"
            ),
            "B_dlt = eta / (np.sqrt(B_vc) + epsilon) * B_mc": (
                "B_dlt = eta / (np.sqrt(opt.B_vt) + epsilon) * opt.B_mt"
            ),
        },
        what="Computes the bias-corrected moments but steps with the raw moments m_t and v_t.",
    ),
]
