"""The answer key of lab3_regularization's checkable questions (see ``autograder.answers``).
Every value is what the source notebook's solution prints for the experiment asked for."""

from autograder.answers import Field, Question

QUESTIONS = [
    Question(
        4,
        (
            Field(
                "accuracy",
                0.588,
                decimals=3,
                nudge="Train DualLayer(l2=1, **REG) for EPOCHS epochs, as in the cell above, and "
                "print its score on the test set.",
                slips={
                    0.956: "That is the score without a penalty: pass l2=1 together with **REG, "
                    "or the penalty is never applied.",
                    0.965: "That is the score of l2=0.01, the run above; set l2=1.",
                    0.412: "That is 1 minus the right answer: label 1 means benign.",
                },
            ),
        ),
        "With lambda_2 = 1 and full steps every weight shrinks to 0, the network outputs the "
        "same 0.637 for every tumour and calls them all benign: 67 of the 114 test tumours are.",
    ),
    Question(
        5,
        (
            Field(
                "tumours",
                2.1,
                decimals=1,
                nudge="Compute sqrt(0.96 * 0.04 / 114), a fraction of the test set, and "
                "multiply it by 114.",
                slips={
                    0: "That is the standard error as a fraction of the test set; multiply it "
                    "by 114 to count tumours.",
                    4.4: "That is the variance, 114 * 0.96 * 0.04, in tumours squared; take its "
                    "square root.",
                },
            ),
        ),
        "sqrt(114 * 0.96 * 0.04) = 2.1 tumours: a one-tumour gap is half a standard error, no "
        "evidence either way.",
    ),
    Question(
        6,
        (
            Field(
                "choose_on",
                "validation",
                decimals=None,
                nudge='Answer "validation" or "test": which set may take part in a choice, and '
                "which must stay unseen until the end?",
                slips={
                    "test": "The test set must stay unseen until the end: a setting chosen on "
                    "it makes its score an optimistic, chosen number, like the winner's curse "
                    "of the validation loss. Choose on validation.",
                },
            ),
        ),
        "Choose on validation and report on the test set, once. More validation data per "
        "choice (k-fold cross-validation, or several splits) makes the choice steadier.",
    ),
    Question(
        8,
        (
            Field(
                "evaluations",
                2_000_000,
                nudge="numerical_gradient evaluates f twice per entry of w, at w + eps and at "
                "w - eps: count them for 1 000 000 weights.",
                slips={
                    1_000_000: "That is one evaluation per weight, the one-sided difference's "
                    "extra count; the central difference needs f at w + eps and at w - eps.",
                    1_000_001: "That is the one-sided difference (f(w) once, plus one per "
                    "weight); the central difference needs two evaluations per weight.",
                    2_000_001: "Two per weight is right, and numerical_gradient never needs "
                    "f(w) itself: 2 000 000.",
                },
            ),
        ),
        "Two evaluations of f per weight: two million forward passes for a million weights, "
        "against one forward and one backward pass for the analytic gradient.",
    ),
    Question(
        9,
        (
            Field(
                "stop_5",
                580,
                nudge="Enter the epoch the run prints (EarlyStop : Epochs ...), counted from 0.",
                slips={581: "581 epochs were trained; the printed epoch counts from 0: enter it."},
            ),
            Field(
                "accuracy_5",
                0.939,
                decimals=3,
                nudge="Score the early-stopped model on the test set (X_test_scaled, y_test).",
                slips={0.947: "That is the score of patience 10 (or 50); rerun with patience=5."},
            ),
            Field(
                "stop_50",
                625,
                nudge="Enter the epoch the run prints (EarlyStop : Epochs ...), counted from 0. "
                "Did it stop at all? Run it: a longer patience need not reach epoch 999.",
                slips={
                    626: "626 epochs were trained; the printed epoch counts from 0: enter it.",
                    999: "It does stop before the end: run it and read what it prints.",
                },
            ),
            Field(
                "accuracy_50",
                0.947,
                decimals=3,
                nudge="Score the early-stopped model on the test set (X_test_scaled, y_test).",
                slips={0.956: "That is the score of all 1000 epochs; run patience=50 and see."},
            ),
        ),
        "Both runs stop patience epochs after the same dip of the validation loss at epoch "
        "575, which is first beaten at epoch 673.",
    ),
    Question(
        10,
        (
            Field(
                "cheapest",
                "early stopping",
                decimals=None,
                nudge='Answer "early stopping", "L2" or "dropout". Which one adds work to every '
                "step of a full run, and which one can end the run early?",
            ),
        ),
        "Early stopping adds one validation pass per epoch and usually ends training early; "
        "L2 and dropout add work to every step of a full run and need runs to tune.",
    ),
    Question(
        11,
        (
            Field(
                "lr",
                0.01,
                decimals=4,
                nudge="Expand CS231n's update with v = mu * v_prev - lr * g and match the terms "
                "in g and in v_prev with the lecture's step.",
                slips={
                    0.019: "0.019 = (1 + mu) * lr is the factor of g in the expanded step; "
                    "CS231n's lr is the one inside v = mu * v - lr * g.",
                },
            ),
            Field(
                "mu",
                0.9,
                decimals=3,
                nudge="Match the factor of v_prev: CS231n's form gives mu**2.",
                slips={
                    0.81: "0.81 = mu**2 multiplies v_prev in the expanded step; mu itself is the "
                    "momentum.",
                },
            ),
        ),
        "w - mu * v_prev + (1 + mu) * (mu * v_prev - lr * g) = w + mu**2 * v_prev - (1 + mu) * "
        "lr * g: the lecture's step with its own constants, lr = 0.01 and mu = 0.9.",
    ),
    Question(
        13,
        (
            Field(
                "decay_rate",
                0.005,
                decimals=4,
                nudge="Write one gradient step on L + lambda / 2 * ||w||^2 and collect the terms "
                "in w: the factor of w is 1 minus the decay rate.",
                slips={
                    0.01: "That is lambda itself; the step multiplies it by the learning rate: "
                    "the weights shrink by alpha * lambda per step.",
                    0.995: "That is the factor 1 - alpha * lambda the weights are multiplied by; "
                    "the decay rate is what is removed, alpha * lambda.",
                    0.5: "That is the learning rate; the decay rate is alpha * lambda.",
                    0.02: "That is lambda / alpha; the step multiplies lambda by alpha.",
                },
            ),
        ),
        "w - alpha * (grad + lambda * w) = (1 - alpha * lambda) * w - alpha * grad: weight decay "
        "with the rate alpha * lambda = 0.005. L2 and weight decay match only with this rescaling.",
    ),
]
