# ruff: noqa: E501 -- a claim's check is one expression, easier to read unbroken
"""What lab1_minibatch's text claims, each with the expression that checks it (see ``claims``)."""

from claims import Claim, f4

WARM = "decay_runs['warmup_cosine_lr(3, e, 3, 30)']"

CLAIMS = [
    # section 2: the noisy year
    Claim(
        "Its peak comes 32 days after the peak of the seasonal cycle (printed above), about a month",
        "peak_slow - peak_season == 32 and peak_season == 202",
    ),
    Claim(
        "it starts near 0 °C (0.077 °C on day 1)",
        "f'{slow[0]:.3f}' == '0.077' and abs(slow[0] - 0.02 * temperature[0]) < 1e-12",
    ),
    # section 4: batch, stochastic and mini-batch descent
    Claim(
        "the loss of single images (thin, pale orange) spans more than six orders of magnitude",
        "6 < spans['stochastic (1)'] < 7.5",
    ),
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
    Claim(
        "Mini-batch: 22 full batches of 64 and one of 29, so 23 per epoch",
        "divmod(len(split.X_train), 64) == (22, 29) and len(runs['mini-batch (64)'].step_loss) // 100 == 23",
    ),
    # section 3: the four schedules
    Claim(
        "after 100 epochs it is still $\\alpha_0/11$",
        "abs(update_lr(0.5, 100, 0.1) - 0.5 / 11) < 1e-12",
    ),
    Claim(
        "after 100 epochs only $0.95^{100} \\approx 0.6\\,\\%$ of $\\alpha_0$ is left",
        "round(exponential_lr(1.0, 100), 3) == 0.006",
    ),
    Claim(
        "fall fastest halfway, around epoch 55, and flatten again as they reach 0 at epoch 100",
        "int(np.argmax(drops)) in (54, 55) and abs(drops[54] - drops[55]) < 1e-12 and cosine[100] == 0",
    ),
    # section 5: decay
    Claim(
        "The warmup run spends its first epoch, 180 updates, at the rate 0: its loss is still 1.1367 after it, exactly the loss before training",
        f"updates == 180 and {WARM}.learning_rates[0] == 0 and {WARM}.epoch_loss[0] == initial_loss"
        " and " + f4(f"{WARM}.epoch_loss[0]", "1.1367"),
    ),
    Claim(
        "After 10 epochs it has caught up with the constant rate (0.0373 each; the staircase 0.0308), and it has the lowest loss of the three after 20 epochs (0.0176)",
        f4(f"{WARM}.epoch_loss[9]", "0.0373")
        + " and "
        + f4("decay_runs['constant α = 2'].epoch_loss[9]", "0.0373")
        + " and "
        + f4("decay_runs['schedule_lr_decay(3, e, 1, time_interval=10)'].epoch_loss[9]", "0.0308")
        + " and "
        + f4(f"{WARM}.epoch_loss[19]", "0.0176")
        + " and min(decay_runs, key=lambda n: decay_runs[n].epoch_loss[19]) == 'warmup_cosine_lr(3, e, 3, 30)'",
    ),
    Claim(
        "all three end close to each other (0.0071, 0.0078 and 0.0100; test accuracies 0.969, 0.972 and 0.972)",
        "[f'{r.epoch_loss[-1]:.4f}' for r in decay_runs.values()] == ['0.0071', '0.0078', '0.0100']"
        " and [f'{a:.3f}' for a in decay_accuracy.values()] == ['0.969', '0.972', '0.972']",
    ),
]

CLAIMS += [
    Claim(
        "when its rate during epoch 19\n(1.07, printed below the table) has already fallen below the staircase's 1.5 and the constant\n2",
        "[f'{r.learning_rates[19]:.2f}' for r in decay_runs.values()] == ['2.00', '1.50', '1.07']",
    ),
]

#: Figure titles with numbers, each with the check that they are the run's parameters.
TITLES = [
    Claim(
        "Four learning-rate schedules from α₀ = 0.5",
        "all(s[0] == 0.5 for n, s in SCHEDULES.items() if not n.startswith('warmup')) and max(SCHEDULES['warmup_cosine_lr(0.5, e, 10, 100)']) == 0.5",
    ),
    Claim("The first 60 days: bias correction", "all(len(v) == 60 for v in first.values())"),
    Claim("Loss per update step (first 20 epochs) and its average", "EPOCHS == 20"),
    Claim(
        "Training loss after each of the first 20 epochs",
        "EPOCHS == 20 and all(len(r.epoch_loss) >= 20 for r in runs.values())",
    ),
    Claim("Training loss, mini-batches of 8", "DECAY_BATCH == 8"),
]
