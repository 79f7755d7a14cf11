# ruff: noqa: E501 -- a claim's check is one expression, easier to read unbroken
"""What lab3_regularization's text claims, each with the expression that checks it (see ``claims``)."""

from claims import Claim

CLAIMS = [
    Claim(
        "the loss drops to about 0.3 within 50 epochs and then\ncrawls",
        "0.28 < init_models['ones (base model)'].losses[49] < 0.32",
    ),
    Claim(
        "all three end with a better test accuracy",
        "all(init_models[n].score(X_test_scaled, y_test) > init_models['ones (base model)'].score(X_test_scaled, y_test) for n in ('random N(0, 1)', 'Xavier', 'He'))",
    ),
    Claim(
        "(a first loss of 0.7773 and 0.7819 against 1.2460)",
        "[f'{init_models[n].losses[0]:.4f}' for n in ('Xavier', 'He', 'random N(0, 1)')] == ['0.7773', '0.7819', '1.2460']",
    ),
    Claim(
        "Yet $\\mathcal N(0, 1)$ ends with the lowest training loss here",
        "min(init_models, key=lambda n: init_models[n].losses[-1]) == 'random N(0, 1)'",
    ),
    Claim(
        "both end at a training loss of 0.03\nand the same test accuracy",
        "all(f'{init_models[n].losses[-1]:.2f}' == '0.03' for n in ('Xavier', 'He')) and init_models['Xavier'].score(X_test_scaled, y_test) == init_models['He'].score(X_test_scaled, y_test)",
    ),
    Claim(
        "L2 gave the best test\naccuracy here (0.965 against 0.956 without a penalty); L1 and elastic scored 0.947",
        "f'{l2.score(X_test_scaled, y_test):.3f}' == '0.965' and f'{dual_layer.score(X_test_scaled, y_test):.3f}' == '0.956'"
        " and f'{l1.score(X_test_scaled, y_test):.3f}' == '0.947' and f'{regular.score(X_test_scaled, y_test):.3f}' == '0.947'",
    ),
    Claim(
        "with L1, 150 of the 300 weights of `w1` are below 0.01 in size\nand 10 below 0.001; with L2 only 10 are below 0.01 and none below 0.001",
        "l1.w1.size == 300 and int(np.sum(np.abs(l1.w1) < 1e-2)) == 150 and int(np.sum(np.abs(l1.w1) < 1e-3)) == 10"
        " and int(np.sum(np.abs(l2.w1) < 1e-2)) == 10 and int(np.sum(np.abs(l2.w1) < 1e-3)) == 0",
    ),
    Claim(
        "the\nlargest weight most (0.238 against 1.594 without a penalty). Not one weight is exactly 0",
        "f'{np.abs(l2.w1).max():.3f}' == '0.238' and f'{np.abs(dual_layer.w1).max():.3f}' == '1.594'"
        " and all(np.all(m.w1 != 0) for m in (l1, l2, regular))",
    ),
    Claim(
        "With $\\alpha = 1$ the weight travels from 1 up to about 1.5 and turns\nback",
        "1.45 < max(rate_models[1].w1_history) < 1.55 and rate_models[1].w1_history[-1] < max(rate_models[1].w1_history)",
    ),
    Claim(
        "with $\\alpha = 0.1$ it has covered about a quarter of that way",
        "0.2 < (rate_models[0.1].w1_history[-1] - 1) / (max(rate_models[1].w1_history) - 1) < 0.3",
    ),
    Claim(
        "For the first 573 epochs the validation loss is even a little\n*lower* than the training loss",
        "cross == 573 and all(v < t for v, t in zip(validation.val_losses[:573], validation.losses[:573]))",
    ),
    Claim(
        "validation loss wobbles up a little (from 0.1555 at the crossing to 0.1575 at epoch 641), then falls again, and\nits minimum is at the very end (epoch 999, counting from 0): 0.1334",
        "f'{val_curve[cross]:.4f}' == '0.1555' and bump == 641 and f'{val_curve[bump]:.4f}' == '0.1575'"
        " and best == 999 and f'{val_curve[best]:.4f}' == '0.1334' and np.all(np.diff(val_curve[bump:]) < 1e-3)",
    ),
    Claim(
        "The test accuracy after\n1000 epochs, 0.956, is higher than after 500, 600 or 700 epochs",
        "f'{validation.score(X_test_scaled, y_test):.3f}' == '0.956' and all(s < validation.score(X_test_scaled, y_test) for s in stop_scores.values())",
        given=("1000", "500", "600", "700"),
    ),
    Claim(
        "At rate 0.5 it stays above the loss\nwithout dropout almost throughout (below it on 12 of 1000 epochs)",
        "int(np.sum(np.array(dropout_models['dropout 0.5'].losses) < np.array(validation.losses))) == 12",
    ),
    Claim(
        "from about epoch 370 to 690 it is *lower*",
        "all(a < b for a, b in zip(dropout_models['dropout 0.2'].losses[405:646], validation.losses[405:646]))"
        " and np.mean(np.array(dropout_models['dropout 0.2'].losses[370:690]) < np.array(validation.losses[370:690])) > 0.9",
    ),
    Claim(
        "(its loss is 0.12 at epoch 500, against 0.18 without dropout)",
        "f'{rate_02[500]:.2f}' == '0.12' and f'{none_loss[500]:.2f}' == '0.18'",
    ),
    Claim(
        "it ends lower too (0.0635\nagainst 0.0695)",
        "f\"{dropout_models['dropout 0.2'].losses[-1]:.4f}\" == '0.0635' and f'{validation.losses[-1]:.4f}' == '0.0695'",
    ),
    Claim(
        "Both rates end\nwith a lower validation loss than no dropout (0.0756 and 0.1100 against 0.1334)",
        "[f'{min(dropout_models[n].val_losses):.4f}' for n in ('dropout 0.2', 'dropout 0.5', 'no dropout')] == ['0.0756', '0.1100', '0.1334']",
    ),
    Claim(
        "it\nalso scores one tumour more on the test set",
        "round((dropout_models['dropout 0.2'].score(X_test_scaled, y_test) - validation.score(X_test_scaled, y_test)) * 114) == 1",
    ),
    Claim(
        "the loss dipped to 0.1555 at epoch 575",
        "dip == 575 and f'{early_stop.val_losses[dip]:.4f}' == '0.1555' and early_stop.stopped_epoch == 585",
    ),
    Claim(
        "it first beats that dip at epoch 673 and falls to 0.1334 by epoch 999",
        "later[0] == 673 and f'{validation.val_losses[-1]:.4f}' == '0.1334'",
    ),
    Claim(
        "only a patience of 98 or more would have waited out this wobble",
        "later[0] - dip == 98",
    ),
    Claim(
        "agree with the measured\ngradients to about $10^{-11}$ and $10^{-12}$, while the planted bug is off by 0.19",
        "1e-12 < errors['regularization_grad'] < 1e-10 and 1e-13 < errors['dropout_backward'] < 1e-11"
        " and f\"{errors['planted bug (2 * l2 * w)']:.2f}\" == '0.19'",
    ),
    Claim(
        "On this grid the central difference is best\nnear $\\varepsilon = 3 \\cdot 10^{-6}$ and the one-sided one near $10^{-8}$",
        "f\"{best_eps['central']:.0e}\" == '3e-06' and f\"{best_eps['one-sided']:.0e}\" == '1e-08'",
    ),
    Claim(
        "wrong sign give an error of `6.2e-08` over the array, below our threshold: a pass. Entry by entry\ntheir error is 1",
        "f\"{relative_error(wrong_biases, approx):.1e}\" == '6.2e-08' and relative_error(wrong_biases, approx) < 1e-7 and f'{elementwise_error(wrong_biases, approx):.1e}' == '1.0e+00'",
    ),
    Claim(
        "while the right gradient stays at `6.0e-06`",
        "f'{elementwise_error(slopes, approx):.1e}' == '6.0e-06' and relative_error(slopes, approx) < 1e-10",
    ),
    Claim(
        "central one is about 300 times more accurate ($4 \\cdot 10^{-12}$ against $1.2 \\cdot 10^{-9}$)",
        "f'{min(central):.0e}' == '4e-12' and f'{min(one_sided):.1e}' == '1.2e-09' and 200 < min(one_sided) / min(central) < 400",
    ),
    Claim(
        "the\nplain decay alone would leave $(1 - 0.001)^{500} = 0.606$ of each, and Adam's steps on the noise\nmake them wander around that (they end at 0.498 and 0.432)",
        "f'{(1 - RATE * DECAY) ** 500:.3f}' == '0.606' and [f'{v:.3f}' for v in decay_paths['AdamW'][-1]] == ['0.498', '0.432']",
    ),
    Claim(
        "ends near AdamW's (0.503)",
        "f\"{decay_paths['Adam with L2'][-1, 0]:.3f}\" == '0.503' and abs(decay_paths['Adam with L2'][-1, 0] - decay_paths['AdamW'][-1, 0]) < 0.01",
    ),
    Claim(
        "it is below 0.01 after 184\nsteps and ends at $-0.004$",
        "int((decay_paths['Adam with L2'][:, 1] < 0.01).argmax()) == 184 and f\"{decay_paths['Adam with L2'][-1, 1]:.3f}\" == '-0.004'"
        " and decay_paths['AdamW'][:, 1].min() > 0.3",
        given=("184",),
    ),
    Claim(
        "the lecture's needs 8859 epochs and the\ntextbook's 9999 (counted from 0)",
        "[int(np.flatnonzero(np.array(m['momentum'].losses) <= base_long.losses[999])[0]) for m in (lecture_models, textbook_models)] == [8859, 9999]",
    ),
    Claim(
        "up to 0.097 (the lecture's) and 0.090 (the textbook's)\nbetween epochs 100 and 799. From epoch 800 on they stay below 0.017 and end at 0.0147 and 0.0151",
        "[f\"{max(m['RMSprop'].losses[100:800]):.3f}\" for m in (lecture_models, textbook_models)] == ['0.097', '0.090']"
        " and all(max(m['RMSprop'].losses[800:]) < 0.017 for m in (lecture_models, textbook_models))"
        " and [f\"{m['RMSprop'].losses[-1]:.4f}\" for m in (lecture_models, textbook_models)] == ['0.0147', '0.0151']",
    ),
    Claim(
        "(Nesterov) and the textbook's (classical) curves almost coincide",
        "abs(lecture_models['momentum'].losses[-1] - textbook_models['momentum'].losses[-1]) < 0.005",
    ),
    # the fair comparison of the regularizers: chosen on seeds 0-4, reported on fresh seeds 5-9
    Claim(
        "the grey dots\nrun from 0.02 to 0.19",
        "f'{every_seed.min():.2f}' == '0.02' and f'{every_seed.max():.2f}' == '0.19'",
    ),
    Claim(
        "Every chosen strength lies inside its grid",
        "all(min(reg_val[k]) < reg_chosen[k] < max(reg_val[k]) for k in ('L1', 'L2', 'dropout'))",
    ),
    Claim(
        "Dropout at 0.2, the rate that looked\nbest on one seed above, is no better than none here (0.1192 against 0.1158)",
        "[f'{np.mean(reg_val[k][v]):.4f}' for k, v in (('dropout', 0.2), ('none', 0))] == ['0.1192', '0.1158']",
    ),
    Claim(
        "The chosen\nsettings beat none on these seeds (L2: 0.0906, L1: 0.0928, dropout: 0.0997)",
        "[f'{np.mean(reg_val[k][reg_chosen[k]]):.4f}' for k in ('L2', 'L1', 'dropout')] == ['0.0906', '0.0928', '0.0997']",
    ),
    Claim(
        "Each regularizer lowers the mean validation loss\nfrom no regularization's 0.1005 to 0.0783 (L1), 0.0812 (L2) and 0.0798 (dropout), and all three\ndifferences stay significant after Holm's correction (Holm p = 0.037, 0.036 and 0.037)",
        "[f'{np.mean(fresh_val[k]):.4f}' for k in ('none', 'L1', 'L2', 'dropout')] == ['0.1005', '0.0783', '0.0812', '0.0798']"
        " and [f'{holm_val[k]:.3f}' for k in ('L1', 'L2', 'dropout')] == ['0.037', '0.036', '0.037'] and max(holm_val.values()) < 0.05",
    ),
    Claim(
        "No regularization scores 0.9579 $\\pm$ 0.0051",
        "[f'{v:.4f}' for v in fair.mean_se(reg_test['none'])] == ['0.9579', '0.0051'] and max(reg_test, key=lambda k: reg_test[k].mean()) == 'none'",
    ),
    Claim(
        "L1 scores\n0.9509 ($-0.0070 \\pm 0.0033$, Holm p = 0.199), L2 0.9491 ($-0.0088 \\pm 0.0028$; p = 0.034 on\nits own, but Holm p = 0.102 once three comparisons are read together: not significant) and\ndropout 0.9561 ($-0.0018 \\pm 0.0018$, Holm p = 0.374)",
        "[(f'{reg_test[k].mean():.4f}', f'{paired_test[k][0]:.4f}', f'{paired_test[k][1]:.4f}', f'{holm_test[k]:.3f}') for k in ('L1', 'L2', 'dropout')]"
        " == [('0.9509', '-0.0070', '0.0033', '0.199'), ('0.9491', '-0.0088', '0.0028', '0.102'), ('0.9561', '-0.0018', '0.0018', '0.374')]"
        " and f\"{paired_test['L2'][2]:.3f}\" == '0.034' and min(holm_test.values()) > 0.05",
    ),
    Claim(
        "Each seed's difference is one or two\ntumours at most",
        "len(y_test) == 114 and max(round(-d * 114) for k in others for d in reg_test[k] - reg_test['none']) <= 2",
    ),
    Claim(
        "the binomial standard error of an accuracy of\n0.96 on 114 tumours is $\\sqrt{0.96 \\cdot 0.04/114} \\approx$ 0.019",
        "f'{test_se:.3f}' == '0.019' and f\"{reg_test['none'].mean():.2f}\" == '0.96' and test_se > max(fair.mean_se(v)[1] for v in reg_test.values())",
        given=("0.04",),
    ),
    Claim(
        "it covers the true\nmean only about 63 % of the time (Student's t with 4 degrees of freedom)",
        "f'{fair.se_coverage(5):.0%}' == '63%'",
    ),
    Claim(
        "which score 0.956 without a\npenalty, while a Xavier start alone scored 0.982 in section 2",
        "f\"{init_models['ones (base model)'].score(X_test_scaled, y_test):.3f}\" == '0.956' and f\"{init_models['Xavier'].score(X_test_scaled, y_test):.3f}\" == '0.982'",
    ),
    Claim(
        "91 validation tumours per seed and 114 test tumours",
        "X_vals.shape[:2] == (5, 91) and len(y_test) == 114",
    ),
]

#: Figure titles with numbers, each with the check that they are the run's parameters.
TITLES = [
    Claim(
        "Validation loss after 1000 epochs: seeds 0-4 (5 splits)",
        "EPOCHS == 1000 and fair.SEEDS == (0, 1, 2, 3, 4) and X_vals.shape[0] == 5",
    ),
    Claim(
        "Test accuracy of fresh seeds 5-9, at the strengths chosen on seeds 0-4",
        "fair.FRESH_SEEDS == (5, 6, 7, 8, 9) and fair.SEEDS == (0, 1, 2, 3, 4)",
    ),
    Claim("test accuracy (114 tumours) per seed", "len(y_test) == 114"),
    Claim(
        "The first weight w1[0, 0] during training",
        "all(m.w1_history[-1] == float(m.w1[0, 0]) for m in rate_models.values())",
    ),
    # the panels of the sweep are named after the penalties: L1 and L2 are names, not settings
    Claim("L1", "list(REG_GRID) == ['none', 'L1', 'L2', 'dropout']"),
    Claim("L2", "list(REG_GRID) == ['none', 'L1', 'L2', 'dropout']"),
    Claim("Early stopping with patience 10", "early_stop.patience == 10"),
    Claim(
        "Two weights with noise-only gradients, decay 0.1, learning rate 0.01",
        "DECAY == 0.1 and RATE == 0.01",
    ),
]
