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
