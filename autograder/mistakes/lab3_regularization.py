"""Common mistakes in lab3_regularization's functions."""

from autograder.mistakes import Mistake, Variant


def _t(name: str) -> frozenset[str]:
    return frozenset({f"test_{name}"})


MISTAKES = [
    # -- initialization --------------------------------------------------------------------
    Mistake(
        "random_seed_ignored",
        "init_weights_random",
        {"    np.random.seed(seed)\n": ""},
        _t("init_weights_random"),
        "Your weights do not depend on seed: call np.random.seed(seed) before drawing.",
    ),
    Mistake(
        "random_default_rng",
        "init_weights_random",
        {
            "    np.random.seed(seed)\n    w = np.random.normal(0, 1, (n_in, n_out))\n": "    w = np.random.default_rng(seed).normal(0, 1, (n_in, n_out))\n"
        },
        _t("init_weights_random"),
        "Your draws come from np.random.default_rng(seed), NumPy's newer generator, whose "
        "numbers differ from the legacy stream. Like the lecture, this lab seeds the global "
        "state: np.random.seed(seed), then np.random.normal(0, 1, size).",
    ),
    Mistake(
        "random_small_std",
        "init_weights_random",
        {"np.random.normal(0, 1,": "np.random.normal(0, 0.1,"},
        _t("init_weights_random"),
        "The random rule draws from N(0, 1): standard deviation 1.",
    ),
    Mistake(
        "random_uniform",
        "init_weights_random",
        {"np.random.normal(0, 1, (n_in, n_out))": "np.random.rand(n_in, n_out)"},
        _t("init_weights_random"),
        "Your weights are uniform draws from [0, 1) (what np.random.rand, np.random.random and "
        "np.random.uniform(0, 1, size) give): the rule is a normal draw, "
        "np.random.normal(0, 1, size).",
    ),
    Mistake(
        "random_dls_small",
        "init_weights_random",
        {"np.random.normal(0, 1, (n_in, n_out))": "np.random.normal(0, 1, (n_in, n_out)) * 0.01"},
        _t("init_weights_random"),
        "Your weights are N(0, 1) draws times 0.01, the Deep Learning Specialization's small "
        "random start. The random rule here is N(0, 1) itself: standard deviation 1.",
    ),
    Mistake(
        "random_transposed",
        "init_weights_random",
        {"(0, 1, (n_in, n_out))": "(0, 1, (n_out, n_in))"},
        _t("init_weights_random"),
        "The lecture's weight matrices are (n_in, n_out): z = x @ w.",
    ),
    Mistake(
        "xavier_lecture_slide",
        "init_weights_xavier",
        {"np.sqrt(2 / (n_in + n_out))": "2 / np.sqrt(n_in + n_out)"},
        _t("init_weights_xavier"),
        "Your Xavier standard deviation is sqrt(2) times too large (the slide's 2/sqrt(m+n)): "
        "the Glorot rule is sqrt(2 / (n_in + n_out)).",
    ),
    Mistake(
        "xavier_uniform",
        "init_weights_xavier",
        {
            "np.random.normal(0, np.sqrt(2 / (n_in + n_out)), (n_in, n_out))": "np.random.uniform(-np.sqrt(6 / (n_in + n_out)), np.sqrt(6 / (n_in + n_out)), (n_in, n_out))"
        },
        _t("init_weights_xavier"),
        "Your weights are uniform on +-sqrt(6 / (n_in + n_out)): Glorot's uniform form (Keras's "
        "default glorot_uniform, PyTorch's xavier_uniform_). It has the right variance, but this "
        "lab draws Glorot's normal form: np.random.normal(0, sqrt(2 / (n_in + n_out)), size).",
    ),
    Mistake(
        "xavier_variance_as_std",
        "init_weights_xavier",
        {"np.sqrt(2 / (n_in + n_out))": "2 / (n_in + n_out)"},
        _t("init_weights_xavier"),
        "2 / (n_in + n_out) is the variance; np.random.normal takes the standard deviation, "
        "its square root.",
    ),
    Mistake(
        "xavier_one_over",
        "init_weights_xavier",
        {"np.sqrt(2 / (n_in + n_out))": "np.sqrt(1 / (n_in + n_out))"},
        _t("init_weights_xavier"),
        "Glorot's variance has a 2 in the numerator: sqrt(2 / (n_in + n_out)).",
    ),
    Mistake(
        "xavier_fan_in",
        "init_weights_xavier",
        {"np.sqrt(2 / (n_in + n_out))": "np.sqrt(1 / n_in)"},
        _t("init_weights_xavier"),
        "Your Xavier scale is sqrt(1 / n_in), the form the Deep Learning Specialization uses "
        "(LeCun's): Glorot's rule averages the inputs and outputs, sqrt(2 / (n_in + n_out)).",
    ),
    Mistake(
        "he_uses_n_out",
        "init_weights_he",
        {"np.sqrt(2 / n_in)": "np.sqrt(2 / n_out)"},
        _t("init_weights_he"),
        "Your scale is sqrt(2 / n_out), the number of outputs of this lab's (n_in, n_out) "
        "matrix: PyTorch's mode='fan_out', or a fan-in read from the wrong axis (PyTorch's "
        "weights are (out, in)). He's rule here scales by the inputs: sqrt(2 / n_in).",
    ),
    Mistake(
        "he_transposed",
        "init_weights_he",
        {
            "np.random.normal(0, np.sqrt(2 / n_in), (n_in, n_out))": "np.random.normal(0, np.sqrt(2 / n_in), (n_out, n_in))"
        },
        _t("init_weights_he"),
        "Your matrix is (n_out, n_in), the Deep Learning Specialization's (and PyTorch's) layout. "
        "The lecture's weight matrices are (n_in, n_out): z = x @ w.",
    ),
    Mistake(
        "he_variance_as_std",
        "init_weights_he",
        {"np.sqrt(2 / n_in)": "2 / n_in"},
        _t("init_weights_he"),
        "2 / n_in is the variance; pass its square root as the standard deviation.",
    ),
    Mistake(
        "he_one_over",
        "init_weights_he",
        {"np.sqrt(2 / n_in)": "np.sqrt(1 / n_in)"},
        _t("init_weights_he"),
        "He's rule doubles LeCun's variance: sqrt(2 / n_in), not sqrt(1 / n_in).",
    ),
    # -- regularization --------------------------------------------------------------------
    Mistake(
        "l2_on_biases",
        "regularized_loss",
        {'if name.startswith("w"):': "if True:"},
        _t("regularized_loss"),
        "Your penalty includes the biases: regularize only the weight matrices (names "
        "starting with 'w').",
    ),
    Mistake(
        "l2_without_half",
        "regularized_loss",
        {"l2 / 2 * np.sum(value**2)": "l2 * np.sum(value**2)"},
        _t("regularized_loss"),
        "The L2 term is l2 / 2 * sum(w**2): the 1/2 makes its gradient l2 * w.",
    ),
    Mistake(
        "l2_norm_not_squared",
        "regularized_loss",
        {"l2 / 2 * np.sum(value**2)": "l2 / 2 * np.linalg.norm(value)"},
        _t("regularized_loss"),
        "Your L2 term uses the norm ||w|| itself; the penalty is its square, l2 / 2 * sum(w**2).",
    ),
    Mistake(
        "l1_without_abs",
        "regularized_loss",
        {"np.sum(np.abs(value))": "np.sum(value)"},
        _t("regularized_loss"),
        "The L1 term sums absolute values, sum(|w|): negative weights must not lower it.",
    ),
    Mistake(
        "l2_grad_doubled",
        "regularization_grad",
        {"+ l2 * w": "+ 2 * l2 * w"},
        _t("regularization_grad"),
        "With the 1/2 in the L2 term, its gradient is l2 * w, not 2 * l2 * w.",
    ),
    Mistake(
        "l1_grad_abs",
        "regularization_grad",
        {"l1 * np.sign(w)": "l1 * np.abs(w)"},
        _t("regularization_grad"),
        "The derivative of |w| is sign(w), not |w|.",
    ),
    Mistake(
        "l1_grad_missing",
        "regularization_grad",
        {"l1 * np.sign(w) + l2 * w": "l2 * w"},
        _t("regularization_grad"),
        "Your gradient ignores l1: add l1 * np.sign(w).",
    ),
    # -- dropout -----------------------------------------------------------------------------
    Mistake(
        "dropout_not_scaled",
        "dropout_forward",
        {"> rate) / (1.0 - rate)": "> rate) * 1.0"},
        _t("dropout_forward"),
        "Your kept activations are not scaled: inverted dropout divides them by 1 - rate so "
        "their expected value stays the same.",
    ),
    Mistake(
        "dropout_keep_inverted",
        "dropout_forward",
        {"> rate) / (1.0 - rate)": "< rate) / (1.0 - rate)"},
        _t("dropout_forward"),
        "You keep the units whose draw is below rate, i.e. you drop with probability "
        "1 - rate: keep where the draw is > rate.",
    ),
    Mistake(
        "dropout_keep_prob_convention",
        "dropout_forward",
        {"> rate) / (1.0 - rate)": "< 1.0 - rate) / (1.0 - rate)"},
        _t("dropout_forward"),
        "You keep the units whose draw is below 1 - rate: the keep_prob convention of the Deep "
        "Learning Specialization and CS231n (keep where u < keep_prob). It drops as many units, "
        "but other ones; this lab, like Keras, keeps where the draw is > rate.",
    ),
    Mistake(
        "dropout_rate_as_keep_prob",
        "dropout_forward",
        {"> rate) / (1.0 - rate)": "< rate) / rate"},
        _t("dropout_forward"),
        "You treat rate as the keep probability (the Deep Learning Specialization's keep_prob, "
        "CS231n's p). "
        "Here rate is the probability of dropping a unit, as in Keras: keep where the draw is "
        "> rate and divide by 1 - rate.",
    ),
    Mistake(
        "dropout_on_at_prediction",
        "dropout_forward",
        {"    if not training:\n        return a, np.ones_like(a)\n": ""},
        _t("dropout_forward"),
        "Dropout is left on when training is False: at prediction time return a unchanged "
        "(with a mask of ones).",
    ),
    Mistake(
        "dropout_rate_one_nan",
        "dropout_forward",
        {"if rate == 1:": "if False:"},
        _t("dropout_forward"),
        "With rate == 1 you divide by zero (NaN): drop everything, a mask of zeros.",
    ),
    Mistake(
        "dropout_backward_no_mask",
        "dropout_backward",
        {"grad_a = grad * mask": "grad_a = grad"},
        _t("dropout_backward"),
        "Dropped units pass no gradient back: multiply the gradient by the mask.",
    ),
    Mistake(
        "dropout_backward_unscaled",
        "dropout_backward",
        {"grad_a = grad * mask": "grad_a = grad * (mask > 0)"},
        _t("dropout_backward"),
        "The backward pass must scale like the forward one: multiply by the mask itself, "
        "including its 1 / (1 - rate).",
    ),
    Mistake(
        "dropout_backward_divides",
        "dropout_backward",
        {"grad_a = grad * mask": "grad_a = grad / np.where(mask == 0, 1, mask)"},
        _t("dropout_backward"),
        "Backward, the gradient is multiplied by the mask, as the activations were forward.",
    ),
    # -- gradient checking -------------------------------------------------------------------
    Mistake(
        "gradcheck_one_sided",
        "numerical_gradient",
        {
            "        w[index] = old - eps\n        down = f(w)\n": "        w[index] = old\n        down = f(w)\n",
            "(up - down) / (2 * eps)": "(up - down) / eps",
        },
        _t("numerical_gradient"),
        "You take the one-sided difference (f(w + eps) - f(w)) / eps, whose error shrinks only "
        "like eps. Use the central difference (f(w + eps) - f(w - eps)) / (2 * eps), as the Deep "
        "Learning Specialization and CS231n do: its error shrinks like eps**2.",
    ),
    Mistake(
        "gradcheck_missing_two",
        "numerical_gradient",
        {"(up - down) / (2 * eps)": "(up - down) / eps"},
        _t("numerical_gradient"),
        "Your gradient is twice too large: w + eps and w - eps are 2 * eps apart, so divide the "
        "difference by 2 * eps.",
    ),
    Mistake(
        "gradcheck_not_restored",
        "numerical_gradient",
        {"        w[index] = old  # restore the entry\n": ""},
        _t("numerical_gradient"),
        "You leave each entry of w at old - eps: put it back with w[index] = old after the two "
        "evaluations (saving old = w[index] first), or every later entry is measured at a "
        "shifted point and w comes back changed.",
    ),
    Mistake(
        "relative_error_one_norm",
        "relative_error",
        {"np.linalg.norm(grad) + np.linalg.norm(grad_approx)": "np.linalg.norm(grad)"},
        _t("relative_error"),
        "Divide by the sum of both norms, ||grad|| + ||grad_approx||: with ||grad|| alone the "
        "error is not symmetric and blows up when grad is 0.",
    ),
    Mistake(
        "relative_error_not_relative",
        "relative_error",
        {"error = 0.0 if denominator == 0 else numerator / denominator": "error = numerator"},
        _t("relative_error"),
        "That is the absolute difference ||grad - grad_approx||; divide it by "
        "||grad|| + ||grad_approx|| so the error does not depend on the gradients' scale.",
    ),
    Mistake(
        "relative_error_elementwise",
        "relative_error",
        {
            "error = 0.0 if denominator == 0 else numerator / denominator": "error = np.max(np.abs(grad - grad_approx) / np.maximum(1e-8, np.abs(grad) + np.abs(grad_approx)))"
        },
        _t("relative_error"),
        "Your error is the largest entry-by-entry ratio, |g - g~| / (|g| + |g~|): CS231n's "
        "form. This exercise asks for the Deep Learning Specialization's error over the whole "
        "arrays: ||grad - grad_approx|| / (||grad|| + ||grad_approx||), with np.linalg.norm.",
    ),
    Mistake(
        "relative_error_elementwise_max",
        "relative_error",
        {
            "error = 0.0 if denominator == 0 else numerator / denominator": "scale = np.maximum(np.abs(grad), np.abs(grad_approx))\n"
            "    error = float(np.max(np.abs(grad - grad_approx) / np.where(scale == 0, 1, scale)))"
        },
        _t("relative_error"),
        "Your error is the largest entry-by-entry ratio, |g - g~| / max(|g|, |g~|): the form of "
        "CS231n's notes. This exercise asks for the Deep Learning Specialization's error over "
        "the whole arrays: ||grad - grad_approx|| / (||grad|| + ||grad_approx||).",
    ),
    Mistake(
        "relative_error_zero_over_zero",
        "relative_error",
        {
            "error = 0.0 if denominator == 0 else numerator / denominator": "error = numerator / denominator"
        },
        _t("relative_error"),
        "Two zero gradients agree: return 0 when ||grad|| + ||grad_approx|| is 0, not 0 / 0 = NaN.",
    ),
    # -- AdamW ------------------------------------------------------------------------------
    Mistake(
        "adamw_as_l2",
        "adamw",
        {
            "    lyr.wegt = lyr.wegt * (1 - learning_rate * weight_decay)  # decoupled from Adam's scaling\n": "",
            'my_optimizer(lyr, opt, W_grad, B_grad, "adam"': 'my_optimizer(lyr, opt, W_grad + weight_decay * lyr.wegt, B_grad, "adam"',
        },
        _t("adamw"),
        "That is Adam with an L2 penalty: the decay goes through Adam's division by sqrt(v), so "
        "weights with large gradients hardly decay. AdamW shrinks the weights directly, "
        "lyr.wegt * (1 - learning_rate * weight_decay), then takes the Adam step on the plain "
        "gradients.",
    ),
    Mistake(
        "adamw_decay_after_step",
        "adamw",
        {
            "    lyr.wegt = lyr.wegt * (1 - learning_rate * weight_decay)  # decoupled from Adam's scaling\n"
            '    my_optimizer(lyr, opt, W_grad, B_grad, "adam", learning_rate, iter)\n': '    my_optimizer(lyr, opt, W_grad, B_grad, "adam", learning_rate, iter)\n'
            "    lyr.wegt = lyr.wegt * (1 - learning_rate * weight_decay)\n"
        },
        _t("adamw"),
        "You shrink the weights after the Adam step. Shrink them before it, as PyTorch's and "
        "Keras's AdamW do (and the paper, whose decay uses the weights of the previous step): "
        "the decay then acts on the weights the gradients were computed at.",
    ),
    Mistake(
        "adamw_decay_without_lr",
        "adamw",
        {"(1 - learning_rate * weight_decay)": "(1 - weight_decay)"},
        _t("adamw"),
        "Your weights shrink by weight_decay alone per step, as in TensorFlow Addons' AdamW (and "
        "the paper without a schedule). This lab uses PyTorch's and Keras 3's convention, where "
        "the decay is scaled by the learning rate: multiply the weights by "
        "1 - learning_rate * weight_decay.",
    ),
    Mistake(
        "adamw_decays_bias",
        "adamw",
        {
            "  # decoupled from Adam's scaling\n": "\n    lyr.bias = lyr.bias * (1 - learning_rate * weight_decay)\n"
        },
        _t("adamw"),
        "Your bias decays too (torch.optim.AdamW decays every parameter it is given). In this "
        "lab only the weights decay, never the bias (as with the L2 penalty of section 3): "
        "leave lyr.bias to the Adam step.",
    ),
    # -- early stopping ----------------------------------------------------------------------
    Mistake(
        "early_stop_on_ties",
        "early_stopping",
        {"min(val_losses[-patience:]) > min": "min(val_losses[-patience:]) >= min"},
        _t("early_stopping"),
        "You stop when the recent best only ties the old best: stop only when it is "
        "strictly higher.",
    ),
    Mistake(
        "early_stop_last_only",
        "early_stopping",
        {"return min(val_losses[-patience:]) >": "return val_losses[-1] >"},
        _t("early_stopping"),
        "Compare the best of the last patience epochs, min(val_losses[-patience:]), not "
        "just the last loss.",
    ),
    Mistake(
        "early_stop_previous_epoch",
        "early_stopping",
        {"> min(val_losses[:-patience])": "> val_losses[-patience - 1]"},
        _t("early_stopping"),
        "Compare with the best loss before the window, min(val_losses[:-patience]), not "
        "with the single epoch just before it.",
    ),
    Mistake(
        "early_stop_no_guard",
        "early_stopping",
        {"    if len(val_losses) <= patience:\n        return False\n": ""},
        _t("early_stopping"),
        "With patience or fewer losses there is nothing before the window: return False "
        "(min of an empty list fails).",
    ),
]

VARIANTS = [
    Variant(
        "random_randn",
        "init_weights_random",
        {"np.random.normal(0, 1, (n_in, n_out))": "np.random.randn(n_in, n_out)"},
        "np.random.randn: the same draws as normal(0, 1)",
    ),
    Variant(
        "xavier_scaled_randn",
        "init_weights_xavier",
        {
            "np.random.normal(0, np.sqrt(2 / (n_in + n_out)), (n_in, n_out))": "np.random.randn(n_in, n_out) * np.sqrt(2.0 / (n_in + n_out))"
        },
        "standard normal draws scaled afterwards",
    ),
    Variant(
        "he_power_half",
        "init_weights_he",
        {
            "np.random.normal(0, np.sqrt(2 / n_in), (n_in, n_out))": "np.random.standard_normal((n_in, n_out)) * (2 / n_in) ** 0.5"
        },
        "standard_normal and ** 0.5",
    ),
    Variant(
        "loss_generator_sum",
        "regularized_loss",
        {
            "    for name, value in params.items():\n"
            '        if name.startswith("w"):\n'
            "            loss = loss + l1 * np.sum(np.abs(value)) + l2 / 2 * np.sum(value**2)\n": "    weights = [v for k, v in params.items() if k[0] == 'w']\n"
            "    loss += sum(l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum() for w in weights)\n"
        },
        "one sum over a generator, w * w instead of w**2",
    ),
    Variant(
        "grad_where_sign",
        "regularization_grad",
        {
            "l1 * np.sign(w) + l2 * w": "l2 * w + l1 * np.where(w > 0, 1.0, np.where(w < 0, -1.0, 0.0))"
        },
        "the sign written with np.where (0 at 0, as np.sign)",
    ),
    Variant(
        "dropout_rand_in_place",
        "dropout_forward",
        {
            "        mask = (np.random.uniform(0, 1, a.shape) > rate) / (1.0 - rate)\n": "        mask = (np.random.rand(*a.shape) > rate).astype(float)\n"
            "        mask /= 1 - rate\n"
        },
        "np.random.rand and an in-place division",
    ),
    Variant(
        "backward_np_multiply",
        "dropout_backward",
        {"grad_a = grad * mask": "grad_a = np.multiply(mask, grad)"},
        "np.multiply, the factors swapped",
    ),
    Variant(
        "early_stopping_loop",
        "early_stopping",
        {
            "    if len(val_losses) <= patience:\n"
            "        return False\n"
            "    return min(val_losses[-patience:]) > min(val_losses[:-patience])\n": "    before = list(val_losses)[: max(0, len(val_losses) - patience)]\n"
            "    if not before:\n"
            "        return False\n"
            "    best = min(before)\n"
            "    return all(v > best for v in list(val_losses)[len(before) :])\n"
        },
        "a loop over the window with all()",
    ),
    Variant(
        "gradcheck_flat_copy",
        "numerical_gradient",
        {
            "        w[index] = old - eps\n        down = f(w)\n": "        w[index] -= 2 * eps\n        down = f(w)\n"
        },
        "w[index] -= 2 * eps instead of setting old - eps (rounding far below the tolerance)",
    ),
    Variant(
        "relative_error_by_hand",
        "relative_error",
        {"np.linalg.norm(grad - grad_approx)": "np.sqrt(np.sum((grad - grad_approx) ** 2))"},
        "the norm written out",
    ),
    Variant(
        "adamw_in_place",
        "adamw",
        {
            "lyr.wegt = lyr.wegt * (1 - learning_rate * weight_decay)": "lyr.wegt -= learning_rate * weight_decay * lyr.wegt"
        },
        "the decay subtracted in place",
    ),
]
