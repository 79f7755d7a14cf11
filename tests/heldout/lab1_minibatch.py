"""Held-out student mistakes for lab1_minibatch, written without reading
autograder/mistakes/lab1_minibatch.py.

Each entry is an edit of the solution (exact text replacements that each occur once in
the solution cell ``cell``) that a student plausibly writes, and ``what`` says in one
sentence what is wrong. Used by tests/test_heldout.py to check the catalog's hints.
"""

HELDOUT = [
    # --- create_mini_batches -------------------------------------------------------------
    dict(
        name="remainder_test_always_true",
        cell="create_mini_batches",
        replace={
            "if data.shape[0] % batch_size != 0:": "if data.shape[0] >= n_minibatches * batch_size:"
        },
        what="Tests the remainder with >= instead of >, so when batch_size divides m an empty "
        "last batch is appended.",
    ),
    dict(
        name="drops_remainder",
        cell="create_mini_batches",
        replace={
            (
                "    if data.shape[0] % batch_size != 0:"
                "  # the remaining samples form a last, smaller batch\n"
                "        mini_batch = data[n_minibatches * batch_size :, :]\n"
                "        X_mini, y_mini = np.split(mini_batch, [-y.shape[1]], axis=1)\n"
                "        mini_batches.append((X_mini, y_mini))\n"
            ): ""
        },
        what="Only cuts the m // batch_size full batches and silently drops the leftover samples.",
    ),
    dict(
        name="permutation_result_discarded",
        cell="create_mini_batches",
        replace={"np.random.shuffle(data)": "np.random.permutation(data)"},
        what="Calls np.random.permutation as if it shuffled in place and throws its result "
        "away, so the batches are never shuffled.",
    ),
    dict(
        name="shuffles_X_and_y_separately",
        cell="create_mini_batches",
        replace={
            (
                "    data = np.hstack((X, y))  # keep every sample next to its label\n"
                "    np.random.shuffle(data)  # shuffle the rows\n"
            ): (
                "    np.random.shuffle(X)\n    np.random.shuffle(y)\n    data = np.hstack((X, y))\n"
            )
        },
        what="Shuffles X and y with two independent permutations (in place, on the caller's "
        "arrays), so samples lose their labels and the inputs are modified.",
    ),
    dict(
        name="single_label_column",
        cell="create_mini_batches",
        replace={
            (
                "mini_batch = data[i * batch_size : (i + 1) * batch_size, :]\n"
                "        X_mini, y_mini = np.split(mini_batch, [-y.shape[1]], axis=1)"
            ): (
                "mini_batch = data[i * batch_size : (i + 1) * batch_size, :]\n"
                "        X_mini, y_mini = mini_batch[:, :-1], mini_batch[:, -1:]"
            ),
            (
                "mini_batch = data[n_minibatches * batch_size :, :]\n"
                "        X_mini, y_mini = np.split(mini_batch, [-y.shape[1]], axis=1)"
            ): (
                "mini_batch = data[n_minibatches * batch_size :, :]\n"
                "        X_mini, y_mini = mini_batch[:, :-1], mini_batch[:, -1:]"
            ),
        },
        what="Splits off only the last column as the label, which is wrong for one-hot labels "
        "with several columns (the other label columns end up in X_mini).",
    ),
    dict(
        name="overlapping_batches",
        cell="create_mini_batches",
        replace={"data[i * batch_size : (i + 1) * batch_size, :]": "data[i : i + batch_size, :]"},
        what="Uses the batch counter i as the start row instead of i * batch_size, so the full "
        "batches overlap and most samples never appear.",
    ),
    # --- ewa -----------------------------------------------------------------------------
    dict(
        name="ewa_weights_swapped",
        cell="ewa",
        replace={"v = beta * v + (1 - beta) * theta": "v = (1 - beta) * v + beta * theta"},
        what="Puts beta on the new value and 1 - beta on the running average.",
    ),
    dict(
        name="ewa_bias_correction_t_plus_one",
        cell="ewa",
        replace={"v / (1 - beta**t)": "v / (1 - beta ** (t + 1))"},
        what="Counts t from 0 in the bias correction, dividing by 1 - beta**(t + 1) instead of "
        "1 - beta**t.",
    ),
    dict(
        name="ewa_corrected_value_fed_back",
        cell="ewa",
        replace={
            "averages[t - 1] = v / (1 - beta**t) if bias_correction else v": (
                "if bias_correction:\n"
                "            v = v / (1 - beta**t)\n"
                "        averages[t - 1] = v"
            )
        },
        what="Overwrites the running average with its bias-corrected value, so the correction "
        "compounds into the next steps instead of being applied to the output only.",
    ),
    dict(
        name="ewa_starts_from_first_value",
        cell="ewa",
        replace={"v = 0.0": "v = values[0]"},
        what="Initializes v_0 with the first value (pandas adjust=False style) instead of 0.",
    ),
    # --- learning-rate schedules ---------------------------------------------------------
    dict(
        name="inverse_time_precedence",
        cell="update_lr",
        replace={
            "learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)": (
                "learning_rate = learning_rate0 / 1 + decay_rate * epoch_num"
            )
        },
        what="Drops the parentheses of the denominator, computing learning_rate0 / 1 + "
        "decay_rate * epoch_num.",
    ),
    dict(
        name="staircase_without_floor",
        cell="schedule_lr_decay",
        replace={"np.floor(epoch_num / time_interval)": "epoch_num / time_interval"},
        what="Forgets the floor, so the rate decays smoothly instead of in steps of "
        "time_interval epochs.",
    ),
    dict(
        name="staircase_rounds",
        cell="schedule_lr_decay",
        replace={"np.floor(epoch_num / time_interval)": "np.round(epoch_num / time_interval)"},
        what="Rounds epoch_num / time_interval to the nearest integer instead of flooring it, "
        "so the rate drops half an interval early.",
    ),
    dict(
        name="exponential_base_and_exponent_swapped",
        cell="exponential_lr",
        replace={"base**epoch_num * learning_rate0": "epoch_num**base * learning_rate0"},
        what="Raises the epoch number to the power base instead of base to the power epoch_num.",
    ),
]

# --- habits from other courses' conventions (issue 30, item 4), written without reading
# the catalog either -------------------------------------------------------------------------

COSINE = (
    "learning_rate = final_lr + (learning_rate0 - final_lr) * (1 + np.cos(np.pi * progress)) / 2"
)

HELDOUT += [
    # --- create_mini_batches -------------------------------------------------------------
    dict(
        name="shuffle_unseeded_default_rng",
        cell="create_mini_batches",
        replace={"np.random.shuffle(data)": "np.random.default_rng().shuffle(data)"},
        what="Shuffles with a fresh, unseeded np.random.default_rng() (the modern NumPy "
        "generator), which ignores np.random.seed, so the order changes from run to run.",
    ),
    dict(
        name="shuffle_reseeds_like_dls",
        cell="create_mini_batches",
        replace={
            "np.random.shuffle(data)  # shuffle the rows": (
                "np.random.seed(0)  # as random_mini_batches(X, Y, mini_batch_size, seed=0)\n"
                "    np.random.shuffle(data)  # shuffle the rows"
            )
        },
        what="Copies the Deep Learning Specialization's random_mini_batches, which seeds the "
        "generator itself (seed 0), so the caller's np.random.seed has no effect.",
    ),
    dict(
        name="shuffles_columns_like_dls",
        cell="create_mini_batches",
        replace={
            "np.random.shuffle(data)  # shuffle the rows": (
                "data = data[:, np.random.permutation(data.shape[1])]  # shuffle the samples"
            )
        },
        what="Permutes the columns, as in the Deep Learning Specialization's layout where "
        "samples are columns, so features and labels are mixed and the rows keep their order.",
    ),
    dict(
        name="batch_count_ceil_duplicates_rest",
        cell="create_mini_batches",
        replace={
            "for i in range(n_minibatches):": (
                "for i in range(-(-data.shape[0] // batch_size)):  # ceil, like len(DataLoader)"
            )
        },
        what="Loops over ceil(m / batch_size) batches (PyTorch's len(DataLoader)) and still "
        "appends the remainder afterwards, so the last, smaller batch appears twice.",
    ),
    dict(
        name="last_batch_filled_from_the_end",
        cell="create_mini_batches",
        replace={
            "mini_batch = data[n_minibatches * batch_size :, :]": (
                "mini_batch = data[-batch_size:, :]  # keep every batch full"
            )
        },
        what="Makes the last batch a full batch of the last batch_size rows, so it repeats "
        "samples of the previous batch instead of holding only the remaining ones.",
    ),
    # --- ewa -----------------------------------------------------------------------------
    dict(
        name="ewa_counter_from_zero",
        cell="ewa",
        replace={
            "for t, theta in enumerate(values, start=1):": "for t, theta in enumerate(values):",
            "averages[t - 1] = v / (1 - beta**t) if bias_correction else v": (
                "averages[t] = v / (1 - beta**t) if bias_correction else v"
            ),
        },
        what="Counts t from 0 with enumerate's default, so the bias correction divides the "
        "first average by 1 - beta**0 = 0 and every later one by 1 - beta**(t - 1).",
    ),
    dict(
        name="ewa_float32",
        cell="ewa",
        replace={
            "v = 0.0": (
                "values = values.astype(np.float32)  # single precision, as in PyTorch\n"
                "    v = np.float32(0.0)"
            )
        },
        what="Computes the averages in float32 (PyTorch's default dtype), so they are off by "
        "about 1e-7 relative instead of matching the float64 values.",
    ),
    dict(
        name="ewa_running_sum_without_one_minus_beta",
        cell="ewa",
        replace={"v = beta * v + (1 - beta) * theta": "v = beta * v + theta"},
        what="Accumulates v = beta*v + theta (a decaying sum, like the lecture's Adam or "
        "CS231n's momentum buffer) without the (1 - beta) weight on the new value.",
    ),
    # --- learning-rate schedules ---------------------------------------------------------
    dict(
        name="staircase_tf_exponential_decay",
        cell="schedule_lr_decay",
        replace={
            (
                "learning_rate = learning_rate0 / "
                "(1 + decay_rate * np.floor(epoch_num / time_interval))"
            ): (
                "learning_rate = learning_rate0 * decay_rate ** np.floor(epoch_num / time_interval)"
            )
        },
        what="Writes TensorFlow's ExponentialDecay(staircase=True), lr0 * decay_rate ** "
        "floor(e / interval), instead of the lab's inverse-time staircase.",
    ),
    dict(
        name="exponential_float32",
        cell="exponential_lr",
        replace={
            "learning_rate = base**epoch_num * learning_rate0": (
                "learning_rate = np.float32(base) ** epoch_num * learning_rate0"
            )
        },
        what="Computes the power in float32, so the rate is off by about 1e-8 relative (and "
        "is a np.float32).",
    ),
    dict(
        name="warmup_from_epoch_one",
        cell="warmup_cosine_lr",
        replace={
            "learning_rate = learning_rate0 * epoch_num / warmup_epochs": (
                "learning_rate = learning_rate0 * (epoch_num + 1) / warmup_epochs"
            )
        },
        what="Counts warmup epochs from 1, so epoch 0 already has learning_rate0 / "
        "warmup_epochs instead of 0 and the warmup reaches learning_rate0 one epoch early.",
    ),
    dict(
        name="warmup_pytorch_linearlr_start_factor",
        cell="warmup_cosine_lr",
        replace={
            "learning_rate = learning_rate0 * epoch_num / warmup_epochs": (
                "start_factor = 1 / 3  # torch.optim.lr_scheduler.LinearLR's default\n"
                "        learning_rate = learning_rate0 * (\n"
                "            start_factor + (1 - start_factor) * epoch_num / warmup_epochs\n"
                "        )"
            )
        },
        what="Warms up like PyTorch's LinearLR, from start_factor * learning_rate0 (1/3 by "
        "default) instead of from 0.",
    ),
    dict(
        name="cosine_clipped_at_final_lr",
        cell="warmup_cosine_lr",
        replace={
            COSINE: (
                "learning_rate = max(final_lr, learning_rate0 * (1 + np.cos(np.pi * progress)) / 2)"
            )
        },
        what="Runs the cosine from learning_rate0 down to 0 and clips it at final_lr, instead "
        "of scaling the cosine to run from learning_rate0 down to final_lr.",
    ),
    dict(
        name="cosine_keras_alpha_fraction",
        cell="warmup_cosine_lr",
        replace={
            COSINE: (
                "alpha = final_lr  # Keras CosineDecay's alpha: a fraction of the initial rate\n"
                "        learning_rate = learning_rate0 * (\n"
                "            (1 - alpha) * (1 + np.cos(np.pi * progress)) / 2 + alpha\n"
                "        )"
            ),
            "        learning_rate = final_lr\n    else:": (
                "        learning_rate = learning_rate0 * final_lr\n    else:"
            ),
        },
        what="Reads final_lr as Keras CosineDecay's alpha, a fraction of learning_rate0, so "
        "the floor is learning_rate0 * final_lr (the same only when learning_rate0 = 1).",
    ),
    dict(
        name="cosine_over_the_whole_run",
        cell="warmup_cosine_lr",
        replace={
            "progress = (epoch_num - warmup_epochs) / (total_epochs - warmup_epochs)": (
                "progress = epoch_num / total_epochs"
            )
        },
        what="Measures the cosine's progress from epoch 0 instead of from the end of the "
        "warmup, so the rate right after the warmup is already below learning_rate0.",
    ),
]
