# ruff: noqa: E501 -- a claim's check is one expression, easier to read unbroken
"""What lab2_optimizers's text claims, each with the expression that checks it (see ``claims``)."""

from claims import Claim

CLAIMS = [
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

CLAIMS += [
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
