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

# --- habits from other courses' conventions (issue 30, item 4), written without reading
# the catalog either -------------------------------------------------------------------------

ADAM_CORRECTION = (
    "W_mc = opt.W_mt / (1 - beta1**iter)  # bias correction\n"
    "        B_mc = opt.B_mt / (1 - beta1**iter)\n"
    "        W_vc = opt.W_vt / (1 - beta2**iter)\n"
    "        B_vc = opt.B_vt / (1 - beta2**iter)\n"
)

ADAM_STEP = (
    "W_dlt = eta / (np.sqrt(W_vc) + epsilon) * W_mc\n"
    "        B_dlt = eta / (np.sqrt(B_vc) + epsilon) * B_mc\n"
)

HELDOUT += [
    # --- momentum ------------------------------------------------------------------------
    dict(
        name="momentum_pytorch_buffer",
        cell="my_optimizer",
        replace={
            MOMENTUM: (
                "        opt.W_dt = gamma * opt.W_dt + W_grad  # torch: buf = momentum*buf + g\n"
                "        opt.B_dt = gamma * opt.B_dt + B_grad\n"
                "        W_dlt = alpha * opt.W_dt  # p -= lr * buf\n"
                "        B_dlt = alpha * opt.B_dt\n"
            )
        },
        what="Uses torch.optim.SGD's momentum buffer v = gamma*v + g with the step alpha*v and "
        "stores v, not the step, so a stored state is multiplied by alpha once more.",
    ),
    dict(
        name="momentum_cs231n_stored_velocity",
        cell="my_optimizer",
        replace={
            MOMENTUM: (
                "        opt.W_dt = gamma * opt.W_dt - alpha * W_grad  # CS231n: v = mu*v - lr*dx\n"
                "        opt.B_dt = gamma * opt.B_dt - alpha * B_grad\n"
                "        W_dlt = -opt.W_dt  # x += v\n"
                "        B_dlt = -opt.B_dt\n"
            )
        },
        what="Stores CS231n's velocity v = mu*v - lr*g (the negative of the lab's step) in "
        "opt.W_dt and steps with -v: from a zero state the weights agree, but the stored state "
        "has the wrong sign and a stored previous step is reversed.",
    ),
    dict(
        name="momentum_nesterov_cs231n",
        cell="my_optimizer",
        replace={
            MOMENTUM: (
                "        W_prev, B_prev = opt.W_dt, opt.B_dt  # Nesterov, CS231n's form\n"
                "        opt.W_dt = gamma * W_prev + alpha * W_grad\n"
                "        opt.B_dt = gamma * B_prev + alpha * B_grad\n"
                "        W_dlt = (1 + gamma) * opt.W_dt - gamma * W_prev\n"
                "        B_dlt = (1 + gamma) * opt.B_dt - gamma * B_prev\n"
            )
        },
        what="Writes Nesterov momentum (x += -mu*v_prev + (1 + mu)*v) instead of the lab's "
        "classical momentum.",
    ),
    # --- AdaGrad -------------------------------------------------------------------------
    dict(
        name="adagrad_squares_aliased_gradient",
        cell="my_optimizer",
        replace={
            ADAGRAD: (
                "        W_sq, B_sq = W_grad, B_grad\n"
                "        W_sq **= 2  # square in place\n"
                "        B_sq **= 2\n"
                "        opt.W_vt = opt.W_vt + W_sq\n"
                "        opt.B_vt = opt.B_vt + B_sq\n"
                "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n"
                "        B_dlt = eta / np.sqrt(opt.B_vt + epsilon) * B_grad\n"
            )
        },
        what="Squares W_sq = W_grad in place, not seeing that it is the same array, so the "
        "caller's gradients are squared and the step multiplies by g**2 instead of g.",
    ),
    # --- RMSprop -------------------------------------------------------------------------
    dict(
        name="rmsprop_pytorch_epsilon_outside_sqrt",
        cell="my_optimizer",
        replace={
            RMSPROP: (
                "        opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad\n"
                "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
                "        W_dlt = eta / (np.sqrt(opt.W_vt) + epsilon) * W_grad  # as torch.optim\n"
                "        B_dlt = eta / (np.sqrt(opt.B_vt) + epsilon) * B_grad\n"
            )
        },
        what="Adds epsilon outside the square root, as PyTorch's RMSprop does, instead of "
        "inside it as the lab says; it matters for tiny gradients.",
    ),
    dict(
        name="rmsprop_lecture_epsilon",
        cell="my_optimizer",
        replace={
            RMSPROP: (
                "        opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad\n"
                "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
                "        W_dlt = eta / np.sqrt(opt.W_vt + 1e-6) * W_grad\n"
                "        B_dlt = eta / np.sqrt(opt.B_vt + 1e-6) * B_grad\n"
            )
        },
        what="Hard-codes the epsilon 1e-6 of a lecture's RMSprop class instead of the given "
        "epsilon = 1e-8, which shrinks the steps of tiny gradients.",
    ),
    dict(
        name="rmsprop_decaying_sum",
        cell="my_optimizer",
        replace={
            "opt.W_vt = 0.9 * opt.W_vt + 0.1 * W_grad * W_grad": (
                "opt.W_vt = 0.9 * opt.W_vt + W_grad * W_grad"
            ),
            "opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad": (
                "opt.B_vt = 0.9 * opt.B_vt + B_grad * B_grad"
            ),
        },
        what="Keeps a decaying sum v = 0.9*v + g**2 (the lecture Adam's plain sums) instead of "
        "the average 0.9*v + 0.1*g**2.",
    ),
    # --- Adam ----------------------------------------------------------------------------
    dict(
        name="adam_own_step_counter",
        cell="my_optimizer",
        replace={
            ADAM_CORRECTION: (
                'opt.t = getattr(opt, "t", 0) + 1  # count the steps myself\n'
                "        W_mc = opt.W_mt / (1 - beta1**opt.t)\n"
                "        B_mc = opt.B_mt / (1 - beta1**opt.t)\n"
                "        W_vc = opt.W_vt / (1 - beta2**opt.t)\n"
                "        B_vc = opt.B_vt / (1 - beta2**opt.t)\n"
            )
        },
        what="Counts Adam's steps in an attribute of opt instead of using the given iter, "
        "which agrees only when the calls start at iter = 1 on a fresh state.",
    ),
    dict(
        name="adam_beta2_framework_default",
        cell="my_optimizer",
        replace={
            "opt.W_mt = beta1 * opt.W_mt + (1 - beta1) * W_grad  # first moment": (
                "beta2 = 0.999  # PyTorch's and Keras's default\n"
                "        opt.W_mt = beta1 * opt.W_mt + (1 - beta1) * W_grad  # first moment"
            )
        },
        what="Overrides the lab's beta2 = 0.99 with the frameworks' default 0.999.",
    ),
    dict(
        name="adam_paper_efficient_form",
        cell="my_optimizer",
        replace={
            ADAM_CORRECTION + "        " + ADAM_STEP: (
                "step = eta * np.sqrt(1 - beta2**iter) / (1 - beta1**iter)  # Kingma & Ba, sec. 2\n"
                "        W_dlt = step * opt.W_mt / (np.sqrt(opt.W_vt) + epsilon)\n"
                "        B_dlt = step * opt.B_mt / (np.sqrt(opt.B_vt) + epsilon)\n"
            )
        },
        what="Uses the Adam paper's 'more efficient' order, folding the bias corrections into "
        "the step size, so epsilon is added to the uncorrected sqrt(v_t) and weighs "
        "1 / sqrt(1 - beta2**t) times more; it differs for tiny gradients.",
    ),
]
