"""Common mistakes in ``my_optimizer`` (lab2_optimizers)."""

from autograder.mistakes import Mistake, Variant

MOMENTUM = frozenset({"test_my_optimizer_momentum"})
ADAGRAD = frozenset({"test_my_optimizer_adagrad"})
RMSPROP = frozenset({"test_my_optimizer_rmsprop"})
ADAM = frozenset({"test_my_optimizer_adam"})

#: One hint for both ways of placing Adam's epsilon elsewhere: with ordinary gradients (the
#: university lab's test) they give the same results, so a hint there must be true for both.
ADAM_EPSILON_HINT = (
    "Your Adam adds epsilon somewhere else than this lab does: inside the square root "
    "(np.sqrt(v_hat + epsilon), as this lab's AdaGrad and RMSprop and Keras's do), or to the "
    "uncorrected sqrt(v) with the bias correction folded into the rate (Keras's and "
    "TensorFlow's Adam, Kingma & Ba's 'epsilon hat'). This lab, the paper's Algorithm 1 and "
    "PyTorch correct m and v first and step eta * m_hat / (np.sqrt(v_hat) + epsilon). The "
    "forms differ most where gradients are tiny, as in the test's case of size 1e-5."
)

MISTAKES = [
    Mistake(
        "momentum_state_not_stored",
        "my_optimizer",
        {
            "        opt.W_dt = W_dlt  # keep the deltas for the next step\n": "",
            "        opt.B_dt = B_dlt\n": "",
        },
        MOMENTUM,
        "Your momentum step is right once but never remembered: store W_dlt in opt.W_dt and "
        "B_dlt in opt.B_dt, so the next call builds on it.",
    ),
    Mistake(
        "momentum_sign",
        "my_optimizer",
        {
            "gamma * opt.W_dt + alpha * W_grad": "gamma * opt.W_dt - alpha * W_grad",
            "gamma * opt.B_dt + alpha * B_grad": "gamma * opt.B_dt - alpha * B_grad",
        },
        MOMENTUM,
        "Your momentum step has the gradient with the wrong sign: the step is "
        "gamma * previous step + alpha * gradient; the final update subtracts it.",
    ),
    Mistake(
        "momentum_ewa_form",
        "my_optimizer",
        {
            "        W_dlt = gamma * opt.W_dt + alpha * W_grad  # momentum of the previous delta\n"
            "        B_dlt = gamma * opt.B_dt + alpha * B_grad  # same for the bias\n"
            "        opt.W_dt = W_dlt  # keep the deltas for the next step\n"
            "        opt.B_dt = B_dlt\n": "        opt.W_dt = gamma * opt.W_dt + (1 - gamma) * W_grad\n"
            "        opt.B_dt = gamma * opt.B_dt + (1 - gamma) * B_grad\n"
            "        W_dlt = alpha * opt.W_dt\n"
            "        B_dlt = alpha * opt.B_dt\n"
        },
        MOMENTUM,
        "You wrote the Deep Learning Specialization's momentum, v = beta * v + (1 - beta) * g "
        "with the step alpha * v. This lab's rule keeps the step itself: W_dlt = gamma * "
        "opt.W_dt + alpha * W_grad, stored in opt.W_dt (question 3 shows how the two relate).",
    ),
    Mistake(
        "momentum_cs231n_velocity",
        "my_optimizer",
        {
            "        W_dlt = gamma * opt.W_dt + alpha * W_grad  # momentum of the previous delta\n"
            "        B_dlt = gamma * opt.B_dt + alpha * B_grad  # same for the bias\n"
            "        opt.W_dt = W_dlt  # keep the deltas for the next step\n"
            "        opt.B_dt = B_dlt\n": "        opt.W_dt = gamma * opt.W_dt - alpha * W_grad  # v = mu * v - lr * dx\n"
            "        opt.B_dt = gamma * opt.B_dt - alpha * B_grad\n"
            "        W_dlt, B_dlt = -opt.W_dt, -opt.B_dt  # x += v\n"
        },
        MOMENTUM,
        "Your opt.W_dt and opt.B_dt hold minus this lab's step: CS231n's velocity, "
        "v = mu * v - learning_rate * dx followed by x += v. Both conventions move the weights "
        "the same way from a zero state, but this lab stores the step itself, W_dlt = gamma * "
        "opt.W_dt + alpha * W_grad, kept in opt.W_dt, and the update subtracts it.",
    ),
    Mistake(
        "momentum_pytorch_buffer",
        "my_optimizer",
        {
            "        W_dlt = gamma * opt.W_dt + alpha * W_grad  # momentum of the previous delta\n"
            "        B_dlt = gamma * opt.B_dt + alpha * B_grad  # same for the bias\n"
            "        opt.W_dt = W_dlt  # keep the deltas for the next step\n"
            "        opt.B_dt = B_dlt\n": "        opt.W_dt = gamma * opt.W_dt + W_grad  # b = mu * b + g\n"
            "        opt.B_dt = gamma * opt.B_dt + B_grad\n"
            "        W_dlt, B_dlt = alpha * opt.W_dt, alpha * opt.B_dt  # step lr * b\n"
        },
        MOMENTUM,
        "You store PyTorch's momentum buffer, b = momentum * b + g, and step by "
        "learning_rate * b: your opt.W_dt is the step divided by the learning rate. At a "
        "constant rate both give the same path from a zero state, but this lab keeps the step "
        "itself: W_dlt = gamma * opt.W_dt + alpha * W_grad, then opt.W_dt = W_dlt.",
    ),
    Mistake(
        "adagrad_no_accumulation",
        "my_optimizer",
        {
            "opt.W_vt = opt.W_vt + W_grad * W_grad": "opt.W_vt = W_grad * W_grad",
            "opt.B_vt = opt.B_vt + B_grad * B_grad": "opt.B_vt = B_grad * B_grad",
        },
        ADAGRAD,
        "AdaGrad divides by the square root of the *sum* of all squared gradients so far: "
        "add g * g to opt.W_vt instead of replacing it.",
    ),
    Mistake(
        "adagrad_epsilon_outside",
        "my_optimizer",
        {
            "        opt.B_vt = opt.B_vt + B_grad * B_grad\n"
            "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n"
            "        B_dlt = eta / np.sqrt(opt.B_vt + epsilon) * B_grad\n": "        opt.B_vt = opt.B_vt + B_grad * B_grad\n"
            "        W_dlt = eta / (np.sqrt(opt.W_vt) + epsilon) * W_grad\n"
            "        B_dlt = eta / (np.sqrt(opt.B_vt) + epsilon) * B_grad\n"
        },
        ADAGRAD,
        "You add epsilon after the square root, as PyTorch's Adagrad (and every Adam) does. "
        "This lab's AdaGrad puts it inside, as Keras does: eta / np.sqrt(v + epsilon). The "
        "two conventions differ where the gradients are tiny, as in the test's case with "
        "gradients of size 1e-5.",
    ),
    Mistake(
        "rmsprop_no_decay",
        "my_optimizer",
        {
            "0.9 * opt.W_vt + 0.1 * W_grad * W_grad": "opt.W_vt + 0.1 * W_grad * W_grad",
            "0.9 * opt.B_vt + 0.1 * B_grad * B_grad": "opt.B_vt + 0.1 * B_grad * B_grad",
        },
        RMSPROP,
        "RMSprop forgets old gradients: multiply the stored average by 0.9 before adding "
        "0.1 * g * g.",
    ),
    Mistake(
        "rmsprop_decay_099",
        "my_optimizer",
        {
            "0.9 * opt.W_vt + 0.1 * W_grad * W_grad": "0.99 * opt.W_vt + 0.01 * W_grad * W_grad",
            "0.9 * opt.B_vt + 0.1 * B_grad * B_grad": "0.99 * opt.B_vt + 0.01 * B_grad * B_grad",
        },
        RMSPROP,
        "You use the decay 0.99 (PyTorch's default for RMSprop, and the lecture's in Lab 3); "
        "this lab's RMSprop uses 0.9: v = 0.9 * v + 0.1 * g * g.",
    ),
    Mistake(
        "rmsprop_epsilon_outside",
        "my_optimizer",
        {
            "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
            "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n"
            "        B_dlt = eta / np.sqrt(opt.B_vt + epsilon) * B_grad\n": "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
            "        W_dlt = eta * W_grad / (np.sqrt(opt.W_vt) + epsilon)\n"
            "        B_dlt = eta * B_grad / (np.sqrt(opt.B_vt) + epsilon)\n"
        },
        RMSPROP,
        "You add epsilon after the square root, as PyTorch's RMSprop (and every Adam) does. "
        "This lab's RMSprop puts it inside, as Keras and TensorFlow do: eta / np.sqrt(v + "
        "epsilon). The two conventions differ where the gradients are tiny, as in the test's "
        "case with gradients of size 1e-5.",
    ),
    Mistake(
        "adam_no_bias_correction",
        "my_optimizer",
        {
            "W_mc = opt.W_mt / (1 - beta1**iter)": "W_mc = opt.W_mt",
            "B_mc = opt.B_mt / (1 - beta1**iter)": "B_mc = opt.B_mt",
            "W_vc = opt.W_vt / (1 - beta2**iter)": "W_vc = opt.W_vt",
            "B_vc = opt.B_vt / (1 - beta2**iter)": "B_vc = opt.B_vt",
        },
        ADAM,
        "Your Adam step matches Adam without bias correction. With beta1 = 0.9 and beta2 = "
        "0.99 that is also Adam corrected as if every call were step 1 (1 - beta1 equals "
        "sqrt(1 - beta2)), e.g. with iter ignored or a step counter of your own: divide the "
        "moments by 1 - beta1**iter and 1 - beta2**iter, with the iter you are given.",
    ),
    Mistake(
        "adam_epsilon_inside",
        "my_optimizer",
        {
            "W_dlt = eta / (np.sqrt(W_vc) + epsilon) * W_mc": "W_dlt = eta / np.sqrt(W_vc + epsilon) * W_mc",
            "B_dlt = eta / (np.sqrt(B_vc) + epsilon) * B_mc": "B_dlt = eta / np.sqrt(B_vc + epsilon) * B_mc",
        },
        ADAM,
        ADAM_EPSILON_HINT,
    ),
    Mistake(
        "adam_corrected_moments_stored",
        "my_optimizer",
        {
            "W_mc = opt.W_mt / (1 - beta1**iter)": "opt.W_mt = W_mc = opt.W_mt / (1 - beta1**iter)",
            "B_mc = opt.B_mt / (1 - beta1**iter)": "opt.B_mt = B_mc = opt.B_mt / (1 - beta1**iter)",
            "W_vc = opt.W_vt / (1 - beta2**iter)": "opt.W_vt = W_vc = opt.W_vt / (1 - beta2**iter)",
            "B_vc = opt.B_vt / (1 - beta2**iter)": "opt.B_vt = B_vc = opt.B_vt / (1 - beta2**iter)",
        },
        ADAM,
        "You store the bias-corrected moments back into opt (an in-place /= on opt.W_mt or "
        "on a name for it does that too). Keep the raw averages m and v in opt.W_mt and "
        "opt.W_vt; the corrected ones, m / (1 - beta1**iter) and v / (1 - beta2**iter), are "
        "new arrays used for this step only.",
    ),
    Mistake(
        "adam_epsilon_hat",
        "my_optimizer",
        {
            "        W_mc = opt.W_mt / (1 - beta1**iter)  # bias correction\n"
            "        B_mc = opt.B_mt / (1 - beta1**iter)\n"
            "        W_vc = opt.W_vt / (1 - beta2**iter)\n"
            "        B_vc = opt.B_vt / (1 - beta2**iter)\n"
            "        W_dlt = eta / (np.sqrt(W_vc) + epsilon) * W_mc\n"
            "        B_dlt = eta / (np.sqrt(B_vc) + epsilon) * B_mc\n": "        eta_t = eta * np.sqrt(1 - beta2**iter) / (1 - beta1**iter)\n"
            "        W_dlt = eta_t * opt.W_mt / (np.sqrt(opt.W_vt) + epsilon)\n"
            "        B_dlt = eta_t * opt.B_mt / (np.sqrt(opt.B_vt) + epsilon)\n"
        },
        ADAM,
        ADAM_EPSILON_HINT,
    ),
    Mistake(
        "adam_iter_off_by_one",
        "my_optimizer",
        {
            "W_mc = opt.W_mt / (1 - beta1**iter)": "W_mc = opt.W_mt / (1 - beta1 ** (iter + 1))",
            "B_mc = opt.B_mt / (1 - beta1**iter)": "B_mc = opt.B_mt / (1 - beta1 ** (iter + 1))",
            "W_vc = opt.W_vt / (1 - beta2**iter)": "W_vc = opt.W_vt / (1 - beta2 ** (iter + 1))",
            "B_vc = opt.B_vt / (1 - beta2**iter)": "B_vc = opt.B_vt / (1 - beta2 ** (iter + 1))",
        },
        ADAM,
        "Your Adam bias correction uses the step number plus one: iter already counts from 1 "
        "(the first step is iter = 1), so use beta1**iter and beta2**iter with the iter you "
        "are given, not iter + 1 or a counter of your own.",
    ),
]

VARIANTS = [
    Variant(
        "momentum_in_place",
        "my_optimizer",
        {
            "        W_dlt = gamma * opt.W_dt + alpha * W_grad  # momentum of the previous delta\n"
            "        B_dlt = gamma * opt.B_dt + alpha * B_grad  # same for the bias\n"
            "        opt.W_dt = W_dlt  # keep the deltas for the next step\n"
            "        opt.B_dt = B_dlt\n": "        opt.W_dt *= gamma\n"
            "        opt.W_dt += alpha * W_grad\n"
            "        opt.B_dt = opt.B_dt * gamma + B_grad * alpha\n"
            "        W_dlt, B_dlt = opt.W_dt, opt.B_dt\n"
        },
        "the state updated in place and used as the step",
    ),
    Variant(
        "adagrad_in_place_squares",
        "my_optimizer",
        {
            "opt.W_vt = opt.W_vt + W_grad * W_grad": "opt.W_vt += W_grad**2",
            "opt.B_vt = opt.B_vt + B_grad * B_grad": "opt.B_vt += np.square(B_grad)",
        },
        "+= with ** 2 and np.square instead of a new array of g * g",
    ),
    Variant(
        "rmsprop_power_half",
        "my_optimizer",
        {
            "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
            "        W_dlt = eta / np.sqrt(opt.W_vt + epsilon) * W_grad\n": "        opt.B_vt = 0.9 * opt.B_vt + 0.1 * B_grad * B_grad\n"
            "        W_dlt = eta * W_grad / (opt.W_vt + epsilon) ** 0.5\n"
        },
        "(v + epsilon) ** 0.5 instead of np.sqrt, the division reordered",
    ),
    Variant(
        "adam_power_half",
        "my_optimizer",
        {
            "W_dlt = eta / (np.sqrt(W_vc) + epsilon) * W_mc": "W_dlt = eta * W_mc / (W_vc**0.5 + epsilon)",
            "B_dlt = eta / (np.sqrt(B_vc) + epsilon) * B_mc": "B_dlt = np.divide(eta * B_mc, np.power(B_vc, 0.5) + epsilon)",
        },
        "** 0.5 and np.power instead of np.sqrt, the division reordered",
    ),
]
