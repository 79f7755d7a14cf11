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
]
