"""Common mistakes in lab1_minibatch's functions."""

from autograder.mistakes import Mistake, Variant

CMB = frozenset({"test_create_mini_batches", "test_create_mini_batches_edge_cases"})
CMB_MAIN = frozenset({"test_create_mini_batches"})

MISTAKES = [
    Mistake(
        "shuffle_x_only",
        "create_mini_batches",
        {"np.random.shuffle(data)  #": "np.random.shuffle(data[:, : X.shape[1]])  #"},
        CMB,
        "Your X rows were shuffled but your y rows were not, so samples no longer sit next to "
        "their own labels: X and y must be shuffled with one permutation -- shuffle the rows of "
        "the joined array, not X (or a part of the array) alone.",
    ),
    Mistake(
        "last_batch_dropped",
        "create_mini_batches",
        {"if data.shape[0] % batch_size != 0:": "if False:"},
        CMB,
        "Samples are missing: when m is not a multiple of batch_size, the remaining rows form one "
        "last, smaller batch (dropping it is PyTorch's DataLoader(drop_last=True); this lab, "
        "like the Deep Learning Specialization, keeps it).",
    ),
    Mistake(
        "empty_remainder_batch",
        "create_mini_batches",
        {"if data.shape[0] % batch_size != 0:": "if True:  # the rest, always"},
        frozenset({"test_create_mini_batches_edge_cases"}),
        "When batch_size divides m there is no rest: your last batch is empty (0 rows). Add "
        "the smaller batch only when m % batch_size != 0.",
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
        "unseeded_generator",
        "create_mini_batches",
        {"np.random.shuffle(data)  #": "np.random.default_rng().shuffle(data)  #"},
        CMB,
        "Two calls after the same np.random.seed(...) gave different batches: your shuffle draws "
        "from a generator that np.random.seed does not fix (np.random.default_rng() without a "
        "seed, Python's random module, ...). Use np.random.shuffle or np.random.permutation: "
        "they draw from NumPy's global state, which the tests seed.",
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
        "y_mini must stay two-dimensional, shape (rows, n_targets): do not ravel, flatten or "
        "squeeze it.",
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
        "ewa_correction_t_plus_one",
        "ewa",
        {"v / (1 - beta**t)": "v / (1 - beta ** (t + 1))"},
        frozenset({"test_ewa"}),
        "Your bias correction is one step ahead: the first value has t = 1 and is divided by "
        "1 - beta, not 1 - beta**2 (a counter from 0 that is raised before it is used, or "
        "t + 1 with t already counted from 1).",
    ),
    Mistake(
        "ewa_weights_swapped",
        "ewa",
        {"v = beta * v + (1 - beta) * theta": "v = (1 - beta) * v + beta * theta"},
        frozenset({"test_ewa"}),
        "beta weighs the old average, 1 - beta the new value: v = beta * v + (1 - beta) * theta "
        "(pandas' ewm(alpha=...) and some texts name the new value's weight alpha = 1 - beta).",
    ),
    Mistake(
        "ewa_start_at_first_value",
        "ewa",
        {"    v = 0.0\n": "    v = values[0]\n"},
        frozenset({"test_ewa"}),
        "Your average starts at the first value (v_1 = theta_1, as pandas' ewm(adjust=False) "
        "does); this lab's starts at v_0 = 0, and the bias correction exists because of that "
        "zero start.",
    ),
    Mistake(
        "update_lr_precedence",
        "update_lr",
        {"decay_rate * epoch_num)\n": "decay_rate) * epoch_num\n"},
        frozenset({"test_update_lr"}),
        "Mind the parentheses: the whole 1 + decay_rate * epoch_num is the denominator.",
    ),
    Mistake(
        "update_lr_no_parentheses",
        "update_lr",
        {
            "learning_rate0 / (1 + decay_rate * epoch_num)\n": "learning_rate0 / 1 + decay_rate * epoch_num\n"
        },
        frozenset({"test_update_lr"}),
        "Without parentheses only the 1 divides learning_rate0 and decay_rate * epoch_num is "
        "added: write learning_rate0 / (1 + decay_rate * epoch_num).",
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
        "update_lr_linear",
        "update_lr",
        {"/ (1 + decay_rate * epoch_num)\n": "* (1 - decay_rate * epoch_num)\n"},
        frozenset({"test_update_lr"}),
        "Your rate falls on a straight line (and would turn negative); inverse-time decay "
        "divides instead: learning_rate0 / (1 + decay_rate * epoch_num).",
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
    Mistake(
        "exponential_power_swapped",
        "exponential_lr",
        {"base**epoch_num * learning_rate0": "epoch_num**base * learning_rate0"},
        frozenset({"test_exponential_lr"}),
        "You raise epoch_num to the power base; exponential decay is base ** epoch_num.",
    ),
    Mistake(
        "exponential_off_by_one",
        "exponential_lr",
        {"base**epoch_num * learning_rate0": "base ** (epoch_num + 1) * learning_rate0"},
        frozenset({"test_exponential_lr"}),
        "At epoch 0 the rate must still be learning_rate0: raise base to epoch_num, "
        "not epoch_num + 1.",
    ),
    Mistake(
        "warmup_from_one_step",
        "warmup_cosine_lr",
        {
            "learning_rate0 * epoch_num / warmup_epochs": "learning_rate0 * (epoch_num + 1) / warmup_epochs"
        },
        frozenset({"test_warmup_cosine_lr"}),
        "Your warmup starts at learning_rate0 / warmup_epochs at epoch 0, as nanoGPT's "
        "(it + 1) / warmup_iters does. This lab's warmup, like d2l's and Hugging Face's, starts "
        "at 0: learning_rate0 * epoch_num / warmup_epochs.",
    ),
    Mistake(
        "cosine_progress_from_zero",
        "warmup_cosine_lr",
        {
            "(epoch_num - warmup_epochs) / (total_epochs - warmup_epochs)": "epoch_num / total_epochs"
        },
        frozenset({"test_warmup_cosine_lr"}),
        "The cosine starts when the warmup ends: its progress is (epoch_num - warmup_epochs) / "
        "(total_epochs - warmup_epochs), 0 at the end of the warmup and 1 at total_epochs.",
    ),
    Mistake(
        "cosine_without_half",
        "warmup_cosine_lr",
        {"(1 + np.cos(np.pi * progress)) / 2": "np.cos(np.pi * progress)"},
        frozenset({"test_warmup_cosine_lr"}),
        "cos(pi * p) runs from 1 to -1: (1 + cos(pi * p)) / 2 runs from 1 to 0, which brings the "
        "rate from learning_rate0 to final_lr.",
    ),
    Mistake(
        "cosine_ignores_final_lr",
        "warmup_cosine_lr",
        {"final_lr + (learning_rate0 - final_lr) * (1 + np.cos": "learning_rate0 * (1 + np.cos"},
        frozenset({"test_warmup_cosine_lr"}),
        "Before total_epochs your rate does not depend on final_lr: your cosine runs from "
        "learning_rate0 toward 0. Blend toward final_lr: final_lr + (learning_rate0 - final_lr) "
        "* (1 + cos(pi * p)) / 2.",
    ),
    Mistake(
        "cosine_clipped_at_final_lr",
        "warmup_cosine_lr",
        {
            "final_lr + (learning_rate0 - final_lr) * (1 + np.cos(np.pi * progress)) / 2": "max(final_lr, learning_rate0 * (1 + np.cos(np.pi * progress)) / 2)"
        },
        frozenset({"test_warmup_cosine_lr"}),
        "Near the end your rate sits flat at final_lr: your cosine runs from learning_rate0 "
        "toward 0 and is cut off at final_lr (a floor, max(final_lr, ...)). The cosine should "
        "blend toward final_lr and reach it only at total_epochs: final_lr + (learning_rate0 - "
        "final_lr) * (1 + cos(pi * p)) / 2.",
    ),
    Mistake(
        "cosine_not_held_after_end",
        "warmup_cosine_lr",
        {"    elif epoch_num >= total_epochs:\n        learning_rate = final_lr\n": ""},
        frozenset({"test_warmup_cosine_lr"}),
        "After total_epochs your rate rises again along the cosine: from total_epochs on it "
        "stays at final_lr.",
    ),
]

VARIANTS = [
    Variant(
        "permutation_indexing",
        "create_mini_batches",
        {
            "    data = np.hstack((X, y))  # keep every sample next to its label\n"
            "    np.random.shuffle(data)  # shuffle the rows\n": "    data = np.hstack((X, y))[np.random.permutation(X.shape[0])]\n"
        },
        "np.random.permutation indexing: the same order as np.random.shuffle",
    ),
    Variant(
        "slices_of_x_and_y",
        "create_mini_batches",
        {
            "    for i in range(n_minibatches):\n"
            "        mini_batch = data[i * batch_size : (i + 1) * batch_size, :]\n"
            "        X_mini, y_mini = np.split(mini_batch, [-y.shape[1]], axis=1)\n"
            "        mini_batches.append((X_mini, y_mini))\n"
            "    if data.shape[0] % batch_size != 0:  # the remaining samples form a last, smaller batch\n"
            "        mini_batch = data[n_minibatches * batch_size :, :]\n"
            "        X_mini, y_mini = np.split(mini_batch, [-y.shape[1]], axis=1)\n"
            "        mini_batches.append((X_mini, y_mini))\n": "    X_s, y_s = data[:, : X.shape[1]], data[:, X.shape[1] :]\n"
            "    start = 0\n"
            "    while start < len(data):\n"
            "        stop = start + batch_size\n"
            "        mini_batches.append((X_s[start:stop], y_s[start:stop]))\n"
            "        start = stop\n"
        },
        "one while loop over X and y sliced separately, the last batch included",
    ),
    Variant(
        "ewa_list_then_vector_correction",
        "ewa",
        {
            "    v = 0.0\n"
            "    for t, theta in enumerate(values, start=1):\n"
            "        v = beta * v + (1 - beta) * theta\n"
            "        averages[t - 1] = v / (1 - beta**t) if bias_correction else v\n": "    v, out = 0, []\n"
            "    for theta in values:\n"
            "        v = beta * v + (1 - beta) * theta\n"
            "        out.append(v)\n"
            "    averages = np.array(out, dtype=float)\n"
            "    if bias_correction:\n"
            "        averages = averages / (1 - np.power(beta, np.arange(1, len(out) + 1)))\n"
        },
        "a list, then the bias correction on the whole vector",
    ),
    Variant(
        "update_lr_reordered",
        "update_lr",
        {
            "= learning_rate0 / (1 + decay_rate * epoch_num)\n": "= learning_rate0 * (1.0 / (1.0 + epoch_num * decay_rate))\n"
        },
        "the same formula in another order",
    ),
    Variant(
        "schedule_floor_division",
        "schedule_lr_decay",
        {"np.floor(epoch_num / time_interval)": "(epoch_num // time_interval)"},
        "integer floor division instead of np.floor",
    ),
    Variant(
        "exponential_np_power",
        "exponential_lr",
        {"base**epoch_num * learning_rate0": "learning_rate0 * np.power(base, epoch_num)"},
        "np.power, the factors swapped",
    ),
    Variant(
        "warmup_cosine_with_math",
        "warmup_cosine_lr",
        {
            "(1 + np.cos(np.pi * progress)) / 2": "0.5 * (1.0 + math.cos(math.pi * progress))",
            "    if epoch_num < warmup_epochs:\n": "    import math\n\n    if epoch_num < warmup_epochs:\n",
        },
        "math.cos and 0.5 * (...) instead of np.cos and (...) / 2",
    ),
]
