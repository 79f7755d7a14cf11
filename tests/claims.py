# ruff: noqa: E501 -- a claim's check is one expression, easier to read unbroken
"""What each lab's text says its experiments show, and how to check it in the notebook's kernel.

A claim is a phrase of the source notebook's markdown (matched with whitespace normalized)
and a Python expression that must be true in the kernel after *Run All* of the source
notebook, with full experiments (``conftest.source_run``). Numbers the text quotes are
checked against the values the notebook computes and prints. Speed is never claimed as a
fixed figure: the text states counts, and points at the times the notebook prints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    text: str
    holds: str


def _f4(expr: str, value: str) -> str:
    return f'f"{{{expr}:.4f}}" == "{value}"'


LAB1 = [
    # section 4: batch, stochastic and mini-batch descent
    Claim(
        "median factor of about 9 (printed below)",
        "8.5 <= jumps['stochastic (1)'] <= 9.5",
    ),
    Claim(
        "changes by a median factor of only 1.02 from one step to the next",
        "f\"{jumps['mini-batch (64)']:.2f}\" == '1.02'",
    ),
    Claim(
        "20 epochs are only 20 steps; its loss is still 0.4993",
        "len(runs['batch (1437)'].step_loss) == 20 and "
        + _f4("runs['batch (1437)'].epoch_loss[-1]", "0.4993"),
    ),
    Claim(
        "mini-batch descent (23 steps per epoch) is still above 0.4 after 10 epochs",
        "len(runs['mini-batch (64)'].step_loss) == 23 * 100 and runs['mini-batch (64)'].epoch_loss[9] > 0.4",
    ),
    Claim(
        "stochastic descent (1437 steps per epoch) drops fastest, to 0.0227 after 20",
        _f4("runs['stochastic (1)'].epoch_loss[19]", "0.0227")
        + " and all(runs['stochastic (1)'].epoch_loss[19] < r.epoch_loss[19] for n, r in runs.items() if n != 'stochastic (1)')",
    ),
    Claim(
        "2300 steps of 64 images against stochastic's 28 740 steps of one",
        "len(runs['mini-batch (64)'].step_loss) == 2300 and len(runs['stochastic (1)'].step_loss) == 28740",
    ),
    Claim(
        "It ends at a training loss of 0.0062 and a test accuracy of 0.978, against stochastic's 0.0227 and 0.956",
        _f4("runs['mini-batch (64)'].epoch_loss[-1]", "0.0062")
        + " and f\"{test_accuracy['mini-batch (64)']:.3f}\" == '0.978'"
        + " and f\"{test_accuracy['stochastic (1)']:.3f}\" == '0.956'",
    ),
    # section 1 / 2 / 3 experiments
    Claim(
        "after 100 epochs it is still $\\alpha_0/11$",
        "abs(update_lr(0.5, 100, 0.1) - 0.5 / 11) < 1e-12",
    ),
    Claim(
        "only\n$0.95^{100} \\approx 0.6\\,\\%$ of $\\alpha_0$ is left",
        "round(exponential_lr(1.0, 100), 3) == 0.006",
    ),
    Claim(
        "its loss is\nstill 1.1367 after it), catches up by epoch 10, and has the lowest loss of the three after 20\nepochs (0.0176)",
        "f\"{decay_runs['warmup_cosine_lr(3, e, 3, 30)'].epoch_loss[0]:.4f}\" == '1.1367'"
        " and f\"{decay_runs['warmup_cosine_lr(3, e, 3, 30)'].epoch_loss[19]:.4f}\" == '0.0176'"
        " and min(decay_runs, key=lambda n: decay_runs[n].epoch_loss[19]) == 'warmup_cosine_lr(3, e, 3, 30)'"
        " and decay_runs['warmup_cosine_lr(3, e, 3, 30)'].epoch_loss[9] <= 1.01 * max(r.epoch_loss[9] for r in decay_runs.values())",
    ),
    Claim(
        "all three end close to each\nother (0.0071, 0.0078 and 0.0100; test accuracies 0.969, 0.972 and 0.972)",
        "[f'{r.epoch_loss[-1]:.4f}' for r in decay_runs.values()] == ['0.0071', '0.0078', '0.0100']"
        " and [f'{a:.3f}' for a in decay_accuracy.values()] == ['0.969', '0.972', '0.972']",
    ),
    Claim(
        "fall fastest halfway, at\nepoch 55, and flatten again as they reach 0 at epoch 100",
        "int(np.argmin(np.diff([warmup_cosine_lr(0.5, e, 10, 100) for e in range(101)]))) in (54, 55) and warmup_cosine_lr(0.5, 100, 10, 100) == 0",
    ),
]

LAB2 = [
    Claim("(it ends at $x = 0.896$)", "f'{paths[\"momentum (lr=0.1)\"][-1, 0]:.3f}' == '0.896'"),
    Claim(
        "they end closest to the\nminimum ($f = 0.0007$ and $0.0012$)",
        "sorted(paths, key=lambda n: f(*paths[n][-1]))[:2] == ['adagrad (lr=1.5)', 'rmsprop (lr=0.3)']"
        " and f'{f(*paths[\"adagrad (lr=1.5)\"][-1]):.4f}' == '0.0007'"
        " and f'{f(*paths[\"rmsprop (lr=0.3)\"][-1]):.4f}' == '0.0012'",
    ),
    Claim(
        "it curves down to $y = -0.71$, overshoots the floor, and after 30 steps it\nends at $(0.196, 0.323)$ with $f = 0.1065$, the farthest of the five",
        "f'{paths[\"adam (lr=0.3)\"][:, 1].min():.2f}' == '-0.71'"
        " and f'{paths[\"adam (lr=0.3)\"][-1, 0]:.3f}' == '0.196'"
        " and f'{paths[\"adam (lr=0.3)\"][-1, 1]:.3f}' == '0.323'"
        " and f'{f(*paths[\"adam (lr=0.3)\"][-1]):.4f}' == '0.1065'"
        " and max(paths, key=lambda n: f(*paths[n][-1])) == 'adam (lr=0.3)'",
    ),
    Claim(
        "Run it for 100 steps and it\nsettles",
        "np.hypot(*trajectory('adam', 0.3, n_steps=100)[-1]) < 0.05",
    ),
    Claim(
        "Momentum ends with the highest training loss of the five",
        "max(histories, key=lambda s: histories[s].epoch_loss[-1]) == 'momentum'",
    ),
    Claim(
        "SGD at 2.5 ends close to momentum at 0.25 (0.0321 against 0.0428)",
        "f\"{sweep['sgd', 2.5]:.4f}\" == '0.0321' and f\"{sweep['momentum', 0.25]:.4f}\" == '0.0428'",
    ),
    Claim(
        "momentum at 0.4 ends at\n0.3155 and SGD at 7.5 at 0.2869",
        "f\"{sweep['momentum', 0.4]:.4f}\" == '0.3155' and f\"{sweep['sgd', 7.5]:.4f}\" == '0.2869'",
    ),
    Claim(
        "none of the rates we tried lets momentum beat SGD in 60 epochs",
        "min(v for (s, _), v in sweep.items() if s == 'momentum') > sweep['sgd', 5.0]",
    ),
]

LAB2 += [
    Claim(
        "with $\\beta = 0.9$ and learning rate 0.1\nit is the momentum path above",
        "np.allclose(explore.momentum_paths(H, [0.1], [0.9], (-7.0, 2.0), 30)[0, 0], paths['momentum (lr=0.1)'])",
    ),
    Claim(
        "with $\\beta = 0$ it is plain gradient descent (learning rate\n0.95 gives the SGD path above)",
        "np.allclose(explore.momentum_paths(H, [0.95], [0.0], (-7.0, 2.0), 30)[0, 0], paths['sgd (lr=0.95)'])",
    ),
    Claim(
        "$(\\kappa - 1)/(\\kappa + 1) = 0.905$ per step",
        "f'{gd_rate:.3f}' == '0.905' and abs(gd_rate - (kappa - 1) / (kappa + 1)) < 1e-12 and abs(tuned[0] - gd_rate) < 1e-3",
    ),
    Claim(
        "until\n$\\beta^* = 0.403$, where it reaches $\\sqrt{\\beta^*} = 0.635$: to shrink the error a\nthousandfold, 16 steps instead of 70",
        "f'{best_beta:.3f}' == '0.403' and f'{best_rate:.3f}' == '0.635' and steps == {'gd': 70, 'momentum': 16}"
        " and abs(beta_grid[tuned.argmin()] - best_beta) < 0.011 and tuned.min() >= best_rate - 1e-9",
    ),
    Claim(
        "Beyond $\\beta^*$ the rate follows $\\sqrt\\beta$ up again",
        "np.allclose(tuned[beta_grid > best_beta + 0.01], np.sqrt(beta_grid[beta_grid > best_beta + 0.01]), atol=1e-3)",
    ),
    # the fair comparison: five seeds, rates chosen on the validation split
    Claim(
        "Every chosen rate lies inside its grid, not at an end",
        "all(min(rate_sweep[s]) < chosen[s] < max(rate_sweep[s]) for s in rate_sweep) and len(rate_sweep) == 5",
    ),
    Claim(
        "For RMSprop and Adam the two best rates are within one standard error\nof each other",
        "all(abs(np.mean(rate_sweep[s][r]) - np.mean(rate_sweep[s][chosen[s]])) < fair.mean_se(rate_sweep[s][chosen[s]])[1] for s in ('rmsprop', 'adam') for r in [sorted(rate_sweep[s], key=lambda r: np.mean(rate_sweep[s][r]))[1]])",
    ),
    Claim(
        "(SGD at 5, momentum\nat 0.25, AdaGrad at 0.2), one or two seeds land far from the others",
        "all(np.sort(rate_sweep[s][r])[-1] > 2 * np.median(rate_sweep[s][r]) or np.sort(rate_sweep[s][r])[0] < 0.5 * np.median(rate_sweep[s][r]) for s, r in (('sgd', 5.0), ('momentum', 0.25), ('adagrad', 0.2)))",
    ),
    Claim(
        "They score 0.973, 0.973 and 0.971; the\n  paired differences to the leader are below 0.003, about one standard error, with\n  $p \\ge 0.2$",
        "[f'{fair_test[s].mean():.3f}' for s in ('adagrad', 'rmsprop', 'adam')] == ['0.973', '0.973', '0.971'] and leader in ('adagrad', 'rmsprop', 'adam') and all(abs(fair.paired(fair_test[s], fair_test[leader])[0]) < 0.003 and fair.paired(fair_test[s], fair_test[leader])[2] >= 0.2 and abs(fair.paired(fair_test[s], fair_test[leader])[0]) < 1.5 * fair.paired(fair_test[s], fair_test[leader])[1] for s in ('adagrad', 'rmsprop', 'adam') if s != leader)",
    ),
    Claim(
        "0.948 $\\pm$ 0.003, a paired difference of\n  $-0.026 \\pm 0.003$ to the leader ($p = 0.001$)",
        "fair.mean_se(fair_test['sgd'])[0].__format__('.3f') == '0.948' and f\"{fair.mean_se(fair_test['sgd'])[1]:.3f}\" == '0.003' and [f'{v:.3f}' for v in fair.paired(fair_test['sgd'], fair_test[leader])] == ['-0.026', '0.003', '0.001']",
    ),
    Claim(
        "(0.798 $\\pm$ 0.022, $p = 0.001$)",
        "[f'{v:.3f}' for v in fair.mean_se(fair_test['momentum'])] == ['0.798', '0.022'] and f\"{fair.paired(fair_test['momentum'], fair_test[leader])[2]:.3f}\" == '0.001'",
    ),
    Claim(
        "In section 4 it scored 0.953 with one seed",
        "f\"{test_accuracy['momentum']:.3f}\" == '0.953'",
    ),
    Claim(
        "seed 0 reaches a validation loss of 0.087, while the other four seeds\n  stall between 0.22 and 0.36",
        "min(min(v) for v in rate_sweep['momentum'].values()) == rate_sweep['momentum'][0.25][0] and f'{rate_sweep[\"momentum\"][0.25][0]:.3f}' == '0.087' and 0.22 <= min(rate_sweep['momentum'][0.25][1:]) and max(rate_sweep['momentum'][0.25][1:]) <= 0.36 and chosen['momentum'] == 0.125",
    ),
    Claim(
        "it acts like SGD at 1.25 in the long run",
        "abs(chosen['momentum'] / (1 - 0.9) - 1.25) < 1e-12",
    ),
    Claim(
        "The last line of the second cell checks that your runs at the chosen rates reproduce the stored\nsweep's validation losses",
        "all(np.allclose(fair_val[s], rate_sweep[s][chosen[s]], rtol=1e-6) for s in rate_sweep)",
    ),
    Claim(
        "momentum, whose five test accuracies span 0.74 to 0.86, against\n    spreads below 0.01 for the adaptive methods",
        "[f'{fair_test[\"momentum\"].min():.2f}', f'{fair_test[\"momentum\"].max():.2f}'] == ['0.74', '0.86'] and all(np.ptp(fair_test[s]) < 0.01 for s in ('adagrad', 'rmsprop', 'adam')) and np.ptp(fair_test['momentum']) == max(np.ptp(v) for v in fair_test.values())",
    ),
    Claim(
        "Momentum's lowest validation loss in the whole sweep is seed 0's 0.087 at the rate 0.25",
        "min(min(v) for v in rate_sweep['momentum'].values()) == rate_sweep['momentum'][0.25][0] and f'{rate_sweep[\"momentum\"][0.25][0]:.3f}' == '0.087'",
    ),
]

LAB3 = [
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

CLAIMS = {"lab1_minibatch": LAB1, "lab2_optimizers": LAB2, "lab3_regularization": LAB3}


def probe(lab: str) -> str:
    """Code for the last cell of a Run All: prints ``@@CLAIMS@@`` and a JSON list, per claim
    ``true``, ``false`` or the error its expression raised."""
    exprs = [c.holds for c in CLAIMS.get(lab, [])]
    return (
        "import json as _json\n"
        "_claims = []\n"
        f"for _e in {exprs!r}:\n"
        "    try:\n"
        "        _claims.append(bool(eval(_e)))\n"
        "    except Exception as _x:\n"
        "        _claims.append(f'{type(_x).__name__}: {_x}')\n"
        "print('@@CLAIMS@@' + _json.dumps(_claims))\n"
    )
