"""Common mistakes in lab1_minibatch's functions."""

from autograder.mistakes import Mistake

CMB = frozenset({"test_create_mini_batches", "test_create_mini_batches_edge_cases"})
CMB_MAIN = frozenset({"test_create_mini_batches"})

MISTAKES = [
    Mistake(
        "shuffle_x_only",
        "create_mini_batches",
        {"np.random.shuffle(data)  #": "np.random.shuffle(data[:, : X.shape[1]])  #"},
        CMB,
        "Your X rows no longer sit next to their own labels: X and y must be shuffled with one "
        "permutation -- shuffle the rows of the joined array, not a part of it.",
    ),
    Mistake(
        "last_batch_dropped",
        "create_mini_batches",
        {"if data.shape[0] % batch_size != 0:": "if False:"},
        CMB,
        "Samples are missing: when m is not a multiple of batch_size, the remaining rows form one "
        "last, smaller batch.",
    ),
    Mistake(
        "no_shuffle",
        "create_mini_batches",
        {"    np.random.shuffle(data)  # shuffle the rows\n": ""},
        CMB,
        "Your batches keep the original order: shuffle the rows with np.random.shuffle before "
        "cutting them.",
    ),
    Mistake(
        "slice_off_by_one",
        "create_mini_batches",
        {"(i + 1) * batch_size, :]": "(i + 1) * batch_size - 1, :]"},
        CMB,
        "Each full batch is one row short: the slice data[a:b] already stops before b, so use "
        "(i + 1) * batch_size as the end.",
    ),
    Mistake(
        "y_flattened",
        "create_mini_batches",
        {"y_mini))\n    if": "y_mini.ravel()))\n    if"},
        CMB,
        "y_mini must stay two-dimensional, shape (rows, n_targets): do not ravel or squeeze it.",
    ),
    Mistake(
        "ewa_t_from_zero",
        "ewa",
        {
            "enumerate(values, start=1)": "enumerate(values, start=0)",
            "averages[t - 1] =": "averages[t] =",
        },
        frozenset({"test_ewa"}),
        "Your bias correction divides by 1 - beta**0 = 0 at the first value: t counts from 1.",
    ),
    Mistake(
        "ewa_weights_swapped",
        "ewa",
        {"v = beta * v + (1 - beta) * theta": "v = (1 - beta) * v + beta * theta"},
        frozenset({"test_ewa"}),
        "beta weighs the old average, 1 - beta the new value: v = beta * v + (1 - beta) * theta.",
    ),
    Mistake(
        "ewa_start_at_first_value",
        "ewa",
        {"    v = 0.0\n": "    v = values[0]\n"},
        frozenset({"test_ewa"}),
        "The average starts at v_0 = 0, not at the first value; the bias correction exists "
        "because of that zero start.",
    ),
    Mistake(
        "update_lr_precedence",
        "update_lr",
        {"decay_rate * epoch_num)\n": "decay_rate) * epoch_num\n"},
        frozenset({"test_update_lr"}),
        "Mind the parentheses: the whole 1 + decay_rate * epoch_num is the denominator.",
    ),
    Mistake(
        "update_lr_multiplies",
        "update_lr",
        {"= learning_rate0 / (": "= learning_rate0 * ("},
        frozenset({"test_update_lr"}),
        "Your learning rate grows with the epochs: divide learning_rate0 by "
        "1 + decay_rate * epoch_num.",
    ),
    Mistake(
        "schedule_no_floor",
        "schedule_lr_decay",
        {"np.floor(epoch_num / time_interval)": "(epoch_num / time_interval)"},
        frozenset({"test_schedule_lr_decay"}),
        "Your rate decays smoothly; a staircase changes only every time_interval epochs: use "
        "np.floor(epoch_num / time_interval).",
    ),
    Mistake(
        "schedule_ignores_interval",
        "schedule_lr_decay",
        {"np.floor(epoch_num / time_interval)": "epoch_num"},
        frozenset({"test_schedule_lr_decay"}),
        "Your rate drops every epoch: count whole intervals, np.floor(epoch_num / time_interval).",
    ),
    Mistake(
        "schedule_round",
        "schedule_lr_decay",
        {"np.floor(epoch_num / time_interval)": "np.round(epoch_num / time_interval)"},
        frozenset({"test_schedule_lr_decay"}),
        "Your rate drops half an interval early: round down with np.floor, not to the nearest.",
    ),
    Mistake(
        "exponential_multiplies",
        "exponential_lr",
        {"base**epoch_num * learning_rate0": "base * epoch_num * learning_rate0"},
        frozenset({"test_exponential_lr"}),
        "Exponential decay raises base to the power epoch_num: base ** epoch_num.",
    ),
    Mistake(
        "exponential_swapped",
        "exponential_lr",
        {"base**epoch_num * learning_rate0": "learning_rate0**epoch_num * base"},
        frozenset({"test_exponential_lr"}),
        "It is base that is raised to the power epoch_num, then multiplied by learning_rate0.",
    ),
]
