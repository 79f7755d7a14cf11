"""The answer key of lab1_minibatch's checkable questions (see ``autograder.answers``)."""

from autograder.answers import Field, Question

QUESTIONS = [
    Question(
        1,
        (
            Field(
                "v1",
                0.08,
                decimals=3,
                nudge="v_1 = beta * v_0 + (1 - beta) * theta_1, and v_0 = 0.",
                slips={
                    3.92: "That is beta * theta_1: beta weighs the old average (v_0 = 0), "
                    "1 - beta the new value.",
                    4: "That is the bias-corrected value; the question asks for v_1 without it.",
                },
            ),
            Field(
                "days",
                114,
                nudge="The uncorrected value is (1 - beta**t) times the corrected one: find the "
                "first whole day t with 0.98**t <= 0.1 (take logarithms).",
                slips={
                    113: "0.98**113 is still a little above 0.1: take the first whole day at or "
                    "past the solution of 0.98**t = 0.1.",
                    22: "That solves 0.9**t = 0.1; here beta = 0.98.",
                    50: "That is the window 1 / (1 - beta), not the day the gap falls below 10 %.",
                    5: "That solves 0.98**t = 0.9: the gap is beta**t, so solve beta**t = 0.1.",
                    60: "The plot ends on day 60, where the curves are still apart; compute it.",
                },
            ),
        ),
        "v_1 = 0.02 * 4 = 0.08 degrees; the gap is beta**t of the corrected value and "
        "0.98**t <= 0.1 first on day 114 (ln 0.1 / ln 0.98 = 113.97), far beyond the plot.",
    ),
    Question(
        3,
        (
            Field(
                "updates_at_0_per_epoch",
                180,
                nudge="Epoch 0 has the rate 0 for all of its updates: how many batches of 8 do "
                "1437 images make, the last, smaller one included?",
                slips={
                    179: "1437 // 8 leaves out the last, smaller batch of 5 images; it is an "
                    "update too.",
                    1437: "That counts images; an update takes a whole batch of 8.",
                    1: "Stepped per epoch, the rate 0 holds for every update of epoch 0, not "
                    "only the first.",
                    540: "That is the whole 3-epoch warmup; only epoch 0 has the rate 0.",
                },
            ),
            Field(
                "updates_at_0_per_update",
                1,
                nudge="Stepped per update, the rate is alpha_0 * u / w with u the update count "
                "from 0: for which u is it 0?",
                slips={
                    0: "The first update has u = 0, and alpha_0 * 0 / w = 0: one update has "
                    "the rate 0.",
                    180: "That is the per-epoch count; per update the rate rises from the "
                    "second update on.",
                    3: "The warmup lasts 3 epochs, but its rate is 0 only where u = 0.",
                },
            ),
        ),
        "Per epoch, epoch 0's 180 updates (179 batches of 8 and one of 5) all have the rate 0, "
        "so it trains nothing; per update, the warmup spans 540 updates and only the first "
        "(u = 0) has the rate 0.",
    ),
    Question(
        4,
        (
            Field(
                "rate_55",
                0.25,
                decimals=3,
                nudge="p = (e - warmup_epochs) / (total_epochs - warmup_epochs), then "
                "alpha_0 * (1 + cos(pi p)) / 2.",
                slips={
                    0.5: "That is the factor (1 + cos(pi p)) / 2 = 0.5; multiply it by "
                    "alpha_0 = 0.5.",
                    0.2109: "That counts the cosine's progress from epoch 0 (p = 55 / 100); it "
                    "starts when the warmup ends: p = (55 - 10) / (100 - 10).",
                    0: "cos(pi p) alone is 0 at p = 0.5; the schedule uses (1 + cos(pi p)) / 2.",
                },
            ),
            Field(
                "rate_55_final_lr",
                0.275,
                decimals=3,
                nudge="The cosine blends from alpha_0 to final_lr: final_lr + (alpha_0 - "
                "final_lr) * (1 + cos(pi p)) / 2.",
                slips={
                    0.25: "That is a floor, max(final_lr, ...), which changes only the last "
                    "epochs; the cosine blends toward final_lr: 0.05 + 0.45 * 0.5.",
                    0.3: "That adds final_lr to the cosine from alpha_0; blend instead: "
                    "final_lr + (alpha_0 - final_lr) * 0.5.",
                    0.05: "final_lr is where the cosine ends, at epoch 100; epoch 55 is halfway.",
                },
            ),
        ),
        "At epoch 55 the cosine is halfway, p = 45 / 90 = 0.5 and (1 + cos(pi/2)) / 2 = 0.5: "
        "0.5 * 0.5 = 0.25, and with final_lr = 0.05 the blend 0.05 + 0.45 * 0.5 = 0.275.",
    ),
    Question(
        5,
        (
            Field(
                "steps_batch",
                20,
                nudge="How many batches does one epoch of batch descent have?",
                slips={1437 * 20: "That counts images; batch descent takes one step per epoch."},
            ),
            Field(
                "steps_stochastic",
                28740,
                nudge="One step per image: how many training images, times how many epochs?",
                slips={1437: "That is one epoch; the question asks for 20."},
            ),
            Field(
                "steps_minibatch",
                460,
                nudge="1437 images in batches of 64: how many batches per epoch, the last, "
                "smaller one included? Then times 20 epochs.",
                slips={
                    440: "That leaves out the last, smaller batch of each epoch.",
                    449: "A batch is whole: 1437 / 64 rounds up to the number of batches.",
                    23: "That is one epoch; the question asks for 20.",
                },
            ),
        ),
        "1 step per epoch for batch descent, 1437 for stochastic, 22 full batches of 64 and one "
        "of 29 for mini-batch: 20, 28 740 and 460 steps in 20 epochs.",
    ),
    Question(
        7,
        (
            Field(
                "rate_5",
                0.75,
                decimals=2,
                nudge="At epoch 5, floor(5 / time_interval) whole intervals have passed: "
                "3 / (1 + decay_rate * that).",
                slips={
                    3: "At epoch 5 one whole interval of 5 epochs has passed: floor(5 / 5) = 1.",
                    1.5: "That is decay_rate = 1; here decay_rate = 3: 3 / (1 + 3 * 1).",
                },
            ),
            Field(
                "rate_25",
                0.1875,
                decimals=2,
                nudge="At epoch 25, floor(25 / 5) = 5 intervals have passed: 3 / (1 + 3 * 5).",
                slips={
                    3 / 76: "That uses the epoch itself, 3 / (1 + 3 * 25); the staircase counts "
                    "whole intervals, floor(25 / 5) = 5.",
                    3 / 13: "That counts 4 intervals; at epoch 25 the fifth has just passed: "
                    "floor(25 / 5) = 5.",
                    0.5: "That is decay_rate = 1; here decay_rate = 3: 3 / (1 + 3 * 5).",
                },
            ),
        ),
        "schedule_lr_decay(3, e, 3, time_interval=5) is 3 / (1 + 3 * 1) = 0.75 from epoch 5 and "
        "3 / (1 + 3 * 5) = 3/16, about 0.19, from epoch 25.",
    ),
]
