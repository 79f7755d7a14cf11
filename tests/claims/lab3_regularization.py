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
        "(a first loss of 0.78 against 1.25)",
        "f\"{init_models['Xavier'].losses[0]:.2f}\" == '0.78' and f\"{init_models['He'].losses[0]:.2f}\" == '0.78' and f\"{init_models['random N(0, 1)'].losses[0]:.2f}\" == '1.25'",
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
        "the\nlargest weight most (0.24 against 1.59 without a penalty). Not one weight is exactly 0",
        "f'{np.abs(l2.w1).max():.2f}' == '0.24' and f'{np.abs(dual_layer.w1).max():.2f}' == '1.59'"
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
    Claim("its minimum is at\nthe very end (epoch 999, counting from 0)", "best == 999"),
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
        "f\"{dropout_models['dropout 0.2'].losses[499]:.2f}\" == '0.12' and f'{validation.losses[499]:.2f}' == '0.18'",
    ),
    Claim(
        "it ends lower too (0.064\nagainst 0.070)",
        "f\"{dropout_models['dropout 0.2'].losses[-1]:.3f}\" == '0.064' and f'{validation.losses[-1]:.3f}' == '0.070'",
    ),
    Claim(
        "Both rates end\nwith a lower validation loss than no dropout (0.076 and 0.110 against 0.133)",
        "[f'{min(dropout_models[n].val_losses):.3f}' for n in ('dropout 0.2', 'dropout 0.5', 'no dropout')] == ['0.076', '0.110', '0.133']",
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
        "central one is about 300 times more accurate ($4 \\cdot 10^{-12}$ against $1.2 \\cdot 10^{-9}$)",
        "f'{min(central):.0e}' == '4e-12' and f'{min(one_sided):.1e}' == '1.2e-09' and 200 < min(one_sided) / min(central) < 400",
    ),
    Claim(
        "the\nplain decay alone would leave $(1 - 0.001)^{500} = 0.61$ of each, and Adam's steps on the noise\nmake them wander around that (they end at 0.498 and 0.432)",
        "f'{(1 - RATE * DECAY) ** 500:.2f}' == '0.61' and [f'{v:.3f}' for v in decay_paths['AdamW'][-1]] == ['0.498', '0.432']",
    ),
    Claim(
        "ends near AdamW's (0.503)",
        "f\"{decay_paths['Adam with L2'][-1, 0]:.3f}\" == '0.503' and abs(decay_paths['Adam with L2'][-1, 0] - decay_paths['AdamW'][-1, 0]) < 0.01",
    ),
    Claim(
        "it is below 0.01 after 184\nsteps and ends at $-0.004$",
        "int((decay_paths['Adam with L2'][:, 1] < 0.01).argmax()) == 184 and f\"{decay_paths['Adam with L2'][-1, 1]:.3f}\" == '-0.004'"
        " and decay_paths['AdamW'][:, 1].min() > 0.3",
    ),
    Claim(
        "the lecture's (Nesterov) and the textbook's (classical) curves almost coincide",
        "abs(lecture_models['momentum'].losses[-1] - textbook_models['momentum'].losses[-1]) < 0.005",
    ),
    # the fair comparison of the regularizers: five seeds, five splits
    Claim(
        "the grey dots\nrun from about 0.03 to 0.17",
        "0.02 < min(min(v) for by in reg_val.values() for v in by.values()) < 0.04 and 0.15 < max(max(v) for by in reg_val.values() for v in by.values()) < 0.19",
    ),
    Claim(
        "Every chosen strength lies inside its grid",
        "all(min(reg_val[k]) < reg_chosen[k] < max(reg_val[k]) for k in ('L1', 'L2', 'dropout'))",
    ),
    Claim(
        "each regularizer lowers the\nmean validation loss below no regularization's 0.116 (L2: 0.091, L1: 0.093, dropout: 0.100)",
        "[f'{np.mean(reg_val[k][reg_chosen[k]]):.3f}' for k in ('none', 'L2', 'L1', 'dropout')] == ['0.116', '0.091', '0.093', '0.100']",
    ),
    Claim(
        "L2's is $-0.025 \\pm 0.010$\n($p = 0.060$), and L1's and dropout's have $p = 0.157$ and $0.155$",
        "[f'{v:.3f}' for v in fair.paired(reg_val['L2'][reg_chosen['L2']], reg_val['none'][0])] == ['-0.025', '0.010', '0.060'] and [f\"{fair.paired(reg_val[k][reg_chosen[k]], reg_val['none'][0])[2]:.3f}\" for k in ('L1', 'dropout')] == ['0.157', '0.155']",
    ),
    Claim(
        "No regularization scores 0.981 $\\pm$ 0.002",
        "[f'{v:.3f}' for v in fair.mean_se(reg_test['none'])] == ['0.981', '0.002'] and max(reg_test, key=lambda k: reg_test[k].mean()) == 'none'",
    ),
    Claim(
        "L2 scores\n0.974 ($-0.007 \\pm 0.003$, $p = 0.099$: not significant), L1 0.970 ($-0.011 \\pm 0.003$,\n$p = 0.033$) and dropout 0.965 ($-0.016 \\pm 0.003$, $p = 0.009$)",
        "[(f'{reg_test[k].mean():.3f}', *(f'{v:.3f}' for v in fair.paired(reg_test[k], reg_test['none']))) for k in ('L2', 'L1', 'dropout')] == [('0.974', '-0.007', '0.003', '0.099'), ('0.970', '-0.011', '0.003', '0.033'), ('0.965', '-0.016', '0.003', '0.009')]",
    ),
    Claim(
        "they amount to one and two tumours of 114",
        "len(y_test) == 114 and round(-fair.paired(reg_test['L1'], reg_test['none'])[0] * 114) == 1 and round(-fair.paired(reg_test['dropout'], reg_test['none'])[0] * 114) == 2",
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
