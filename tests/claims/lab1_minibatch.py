# ruff: noqa: E501 -- a claim's check is one expression, easier to read unbroken
"""What lab1_minibatch's text claims, each with the expression that checks it (see ``claims``)."""

from claims import Claim, f4

CLAIMS = [
    # section 4: batch, stochastic and mini-batch descent
    Claim(
        "median factor of about 9 (printed below)",
        "8.5 <= jumps['stochastic (1)'] <= 9.5",
    ),
    Claim(
        "changes by a median factor of only 1.02 from one step to the next",
        "f\"{jumps['mini-batch (64)']:.2f}\" == '1.02'",
    ),
    Claim(
        "20 epochs are only 20 steps; its loss is still 0.4993",
        "len(runs['batch (1437)'].step_loss) == 20 and "
        + f4("runs['batch (1437)'].epoch_loss[-1]", "0.4993"),
    ),
    Claim(
        "mini-batch descent (23 steps per epoch) is still above 0.4 after 10 epochs",
        "len(runs['mini-batch (64)'].step_loss) == 23 * 100 and runs['mini-batch (64)'].epoch_loss[9] > 0.4",
    ),
    Claim(
        "stochastic descent (1437 steps per epoch) drops fastest, to 0.0227 after 20",
        f4("runs['stochastic (1)'].epoch_loss[19]", "0.0227")
        + " and all(runs['stochastic (1)'].epoch_loss[19] < r.epoch_loss[19] for n, r in runs.items() if n != 'stochastic (1)')",
    ),
    Claim(
        "2300 steps of 64 images against stochastic's 28 740 steps of one",
        "len(runs['mini-batch (64)'].step_loss) == 2300 and len(runs['stochastic (1)'].step_loss) == 28740",
    ),
    Claim(
        "It ends at a training loss of 0.0062 and a test accuracy of 0.978, against stochastic's 0.0227 and 0.956",
        f4("runs['mini-batch (64)'].epoch_loss[-1]", "0.0062")
        + " and f\"{test_accuracy['mini-batch (64)']:.3f}\" == '0.978'"
        + " and f\"{test_accuracy['stochastic (1)']:.3f}\" == '0.956'",
    ),
    # section 1 / 2 / 3 experiments
    Claim(
        "after 100 epochs it is still $\\alpha_0/11$",
        "abs(update_lr(0.5, 100, 0.1) - 0.5 / 11) < 1e-12",
    ),
    Claim(
        "only\n$0.95^{100} \\approx 0.6\\,\\%$ of $\\alpha_0$ is left",
        "round(exponential_lr(1.0, 100), 3) == 0.006",
    ),
    Claim(
        "its loss is\nstill 1.1367 after it), catches up by epoch 10, and has the lowest loss of the three after 20\nepochs (0.0176)",
        "f\"{decay_runs['warmup_cosine_lr(3, e, 3, 30)'].epoch_loss[0]:.4f}\" == '1.1367'"
        " and f\"{decay_runs['warmup_cosine_lr(3, e, 3, 30)'].epoch_loss[19]:.4f}\" == '0.0176'"
        " and min(decay_runs, key=lambda n: decay_runs[n].epoch_loss[19]) == 'warmup_cosine_lr(3, e, 3, 30)'"
        " and decay_runs['warmup_cosine_lr(3, e, 3, 30)'].epoch_loss[9] <= 1.01 * max(r.epoch_loss[9] for r in decay_runs.values())",
    ),
    Claim(
        "all three end close to each\nother (0.0071, 0.0078 and 0.0100; test accuracies 0.969, 0.972 and 0.972)",
        "[f'{r.epoch_loss[-1]:.4f}' for r in decay_runs.values()] == ['0.0071', '0.0078', '0.0100']"
        " and [f'{a:.3f}' for a in decay_accuracy.values()] == ['0.969', '0.972', '0.972']",
    ),
    Claim(
        "fall fastest halfway, at\nepoch 55, and flatten again as they reach 0 at epoch 100",
        "int(np.argmin(np.diff([warmup_cosine_lr(0.5, e, 10, 100) for e in range(101)]))) in (54, 55) and warmup_cosine_lr(0.5, 100, 10, 100) == 0",
    ),
]
