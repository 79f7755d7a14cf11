"""The answer key of lab2_optimizers's checkable questions (see ``autograder.answers``)."""

from autograder.answers import Field, Question

QUESTIONS = [
    Question(
        1,
        (
            Field(
                "oscillates_above",
                0.5,
                decimals=3,
                nudge="y changes sign at every step when the ratio 1 - 2 * alpha is negative.",
                slips={
                    1: "Above 1 it diverges; it already flips sign at every step below that.",
                    0: "For small alpha the ratio 1 - 2 * alpha is positive: y keeps its sign.",
                },
            ),
            Field(
                "diverges_above",
                1,
                decimals=3,
                nudge="y diverges when |1 - 2 * alpha| > 1.",
                slips={
                    0.5: "At 0.5 < alpha < 1, y flips sign but still shrinks: |1 - 2 alpha| < 1.",
                    2: "The gradient of y**2 is 2 * y: the ratio is 1 - 2 * alpha, not 1 - alpha.",
                    20: "That is the x direction, ratio 1 - alpha / 10; the question is about y.",
                },
            ),
        ),
        "y_t = 2 (1 - 2 alpha)**t: it keeps its sign for alpha < 0.5, flips sign and shrinks for "
        "0.5 < alpha < 1 (alpha = 0.95: y_30 = 0.085), and flips and grows for alpha > 1 "
        "(alpha = 1.05: y_30 = 34.9).",
    ),
    Question(
        2,
        (
            Field(
                "x",
                -5.5,
                decimals=2,
                nudge="After one step v = g**2, so the step is eta * g / sqrt(g**2 + epsilon).",
                slips={
                    -5.95: "That is an SGD step, eta * g; AdaGrad divides it by sqrt(v).",
                    -8.5: "Check the sign: the update subtracts the step, against the gradient.",
                },
            ),
            Field(
                "y",
                0.5,
                decimals=2,
                nudge="After one step v = g**2, so the step is eta * g / sqrt(g**2 + epsilon).",
                slips={
                    -4: "That is an SGD step, eta * g; AdaGrad divides it by sqrt(v).",
                    3.5: "Check the sign: the update subtracts the step, against the gradient.",
                },
            ),
        ),
        "g / sqrt(g**2) is the sign of g, so each coordinate moves by eta = 1.5 towards the "
        "minimum, whatever the size of its gradient: (-7, 2) -> (-5.5, 0.5).",
    ),
    Question(
        3,
        (
            Field(
                "lr",
                0.00007,
                decimals=7,
                nudge="Multiply the velocity update by alpha and call alpha * v the step.",
                slips={
                    0.0007: "With alpha * v as the step, the gradient's factor is "
                    "alpha * (1 - beta).",
                    0.007: "That divides by 1 - beta; the factor of g is alpha * (1 - beta).",
                    0.00063: "That is alpha * beta; the gradient carries 1 - beta.",
                },
            ),
        ),
        "alpha * v <- beta * (alpha * v) + alpha * (1 - beta) * g: our rule with the step "
        "alpha * v and the learning rate alpha * (1 - beta) = 0.00007.",
    ),
    Question(
        5,
        (
            Field(
                "steps_gd",
                70,
                nudge="Find the first whole k with rate**k <= 0.001, for gradient descent's best "
                "rate (the green line).",
                slips={69: "0.905**69 is still a little above 0.001: round k up."},
            ),
            Field(
                "steps_momentum",
                16,
                nudge="Find the first whole k with rate**k <= 0.001, for momentum's rate at "
                "beta* (printed below the plot).",
                slips={15: "0.635**15 is still a little above 0.001: round k up."},
            ),
        ),
        "k = ln(0.001) / ln(rate), rounded up: 70 steps at 0.905 and 16 at 0.635. Momentum "
        "needs about sqrt(kappa) times fewer steps.",
    ),
    Question(
        9,
        (
            Field(
                "seeds",
                20,
                decimals=0,
                nudge="The standard error is s / sqrt(n). For which n is sqrt(n) twice sqrt(5)?",
                slips={
                    10: "Twice the seeds divide the standard error by sqrt(2) only, not by 2.",
                    15: "That counts the seeds to add; the question asks for the seeds in all.",
                },
            ),
        ),
        "SE = s / sqrt(n): halving it takes four times the seeds, 4 x 5 = 20. The spread s of "
        "single runs stays the same; only the mean becomes more certain.",
    ),
    Question(
        10,
        (
            Field(
                "flattered",
                "momentum",
                decimals=None,
                nudge="Look at how far each optimizer's seeds scatter: the best of five draws "
                "lies furthest above the mean where the draws scatter most.",
                slips={
                    "adam": "Adam's seeds lie within 0.0167 of each other: its best seed is "
                    "close to its mean. Which optimizer's seeds scatter most?",
                    "sgd": "SGD's seeds agree within 0.0056. Which optimizer's seeds scatter most?",
                    "rmsprop": "RMSprop's seeds agree within 0.0028. Which optimizer's seeds "
                    "scatter most?",
                },
                same=(
                    "gamma",
                    "sgd with momentum",
                    "momentum sgd",
                    "sgd momentum",
                    "momentum (gamma = 0.9)",
                    "momentum gamma 0.9",
                    "heavy ball",
                    "heavy-ball momentum",
                    "classical momentum",
                ),
            ),
        ),
        "The best of five draws is furthest above their mean where the draws scatter most: "
        "momentum, whose fresh seeds' test accuracies span 0.8194 to 0.8556 (range 0.0361), "
        "against ranges of 0.0167 and below for the others.",
    ),
    Question(
        11,
        (
            Field(
                "smallest_p",
                0.0625,
                decimals=4,
                nudge="Under no difference each of the five signs is + or - with probability "
                "1/2, independently. How likely are five equal signs, counting both directions?",
                slips={
                    0.03125: "That is one direction only (all five positive); a two-sided test "
                    "counts all five negative too: 2 * (1/2)**5.",
                    0.05: "0.05 is the usual threshold, not what five signs can reach.",
                    0.2: "That is 1/5; the probability of five equal signs is 2 * (1/2)**5.",
                    0.06: "Close: give it exactly, to four decimals (2 * (1/2)**5).",
                    0.062: "Close: give it exactly, to four decimals (2 * (1/2)**5).",
                    0.063: "Close: give it exactly, to four decimals (2 * (1/2)**5).",
                },
            ),
        ),
        "Five equal signs have probability 2 * (1/2)**5 = 0.0625 under no difference, so no "
        "sign test of five pairs goes below it. The t-test goes lower because it also uses the "
        "sizes of the differences and assumes they scatter normally.",
    ),
    Question(
        13,
        (
            Field(
                "alpha",
                0.007,
                decimals=6,
                nudge="Use question 3 backwards: our rate is the specialization's alpha times "
                "(1 - beta).",
                slips={
                    0.0007: "Our rule with 0.0007 is not the specialization's rule with 0.0007: "
                    "see question 3.",
                    0.00007: "That goes from the specialization to ours; here go the other way.",
                },
            ),
        ),
        "Our rate 0.0007 = alpha * (1 - 0.9) gives the specialization's alpha = 0.007, ten times "
        "its rate: its costs fall much faster and the boundary bends around the moons.",
    ),
]
