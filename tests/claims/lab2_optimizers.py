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
        "it curves down to $y = -0.715$, overshoots the floor, and after 30 steps it\nends at $(0.196, 0.323)$ with $f = 0.1065$, the highest of the five (momentum ends farther\nfrom the minimum, at $x = 0.896$",
        "f'{paths[\"adam (lr=0.3)\"][:, 1].min():.3f}' == '-0.715'"
        " and np.hypot(*paths['momentum (lr=0.1)'][-1]) > np.hypot(*paths['adam (lr=0.3)'][-1])"
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
        "In section 4 it scored 0.9528 with one seed",
        "f\"{test_accuracy['momentum']:.4f}\" == '0.9528'",
    ),
    Claim(
        "seed 0 reaches a validation loss of 0.087, while the other four seeds stall between 0.221 and 0.357",
        "min(min(v) for v in rate_sweep['momentum'].values()) == rate_sweep['momentum'][0.25][0] and f'{rate_sweep[\"momentum\"][0.25][0]:.3f}' == '0.087' and f'{min(rate_sweep[\"momentum\"][0.25][1:]):.3f}' == '0.221' and f'{max(rate_sweep[\"momentum\"][0.25][1:]):.3f}' == '0.357' and chosen['momentum'] == 0.125",
    ),
    Claim(
        "it acts like SGD at 1.25 in the long run",
        "abs(chosen['momentum'] / (1 - 0.9) - 1.25) < 1e-12",
    ),
    Claim(
        "Momentum's lowest validation loss in the whole sweep is seed 0's 0.087 at the rate 0.25",
        "min(min(v) for v in rate_sweep['momentum'].values()) == rate_sweep['momentum'][0.25][0] and f'{rate_sweep[\"momentum\"][0.25][0]:.3f}' == '0.087'",
    ),
]

# ε conventions (section 2)
CLAIMS += [
    Claim(
        "For a gradient of size $10^{-3}$ the two placements differ by 0.5 %\n(1.0050), for $10^{-2}$ not in the fourth decimal (1.0000); only at $10^{-4}$ (1.4141) and below\n(10.0398 at $10^{-5}$",
        "[f'{np.sqrt(g * g + 1e-8) / (g + 1e-8):.4f}' for g in (1e-5, 1e-4, 1e-3, 1e-2)] == ['10.0398', '1.4141', '1.0050', '1.0000']",
    ),
    Claim(
        "The\ndigits network's median gradients are 2.2e-03 and 4.3e-02 in layers 2 and 3",
        "[f'{s:.1e}' for s in sizes] == ['1.4e-04', '2.2e-03', '4.3e-02']",
    ),
    Claim(
        "the first layer's, 1.4e-04, is in the range where it shows",
        "f'{sizes[0]:.1e}' == '1.4e-04' and 1e-5 <= sizes[0] <= 1e-3",
    ),
]

# the fair comparison on fresh seeds, SGD the baseline fixed in advance, Holm-corrected
_SEL = "np.mean(rate_sweep[s][chosen[s]])"
CLAIMS += [
    Claim(
        "SGD's rises from 0.0489 to 0.0520, and three of the five rise",
        f"[f'{{v:.4f}}' for v in (np.mean(rate_sweep['sgd'][chosen['sgd']]), fair_val['sgd'].mean())] == ['0.0489', '0.0520'] and sum(fair_val[s].mean() > {_SEL} for s in fair_val) == 3",
    ),
    Claim(
        "each optimizer against the baseline SGD\n(0.9506 $\\pm$ 0.0010)",
        "BASELINE == 'sgd' and [f'{v:.4f}' for v in fair.mean_se(fair_test['sgd'])] == ['0.9506', '0.0010']",
    ),
    Claim(
        "**AdaGrad, RMSprop and Adam all beat SGD:** 0.9706, 0.9756 and 0.9706, paired differences\n  of +0.0200 to +0.0250, with Holm-adjusted p-values of 0.0025 and below",
        "[f'{fair_test[s].mean():.4f}' for s in ('adagrad', 'rmsprop', 'adam')] == ['0.9706', '0.9756', '0.9706'] and sorted(f'{versus[s][0]:+.4f}' for s in ('adagrad', 'rmsprop', 'adam')) == ['+0.0200', '+0.0200', '+0.0250'] and f\"{max(holm_p[s] for s in ('adagrad', 'rmsprop', 'adam')):.4f}\" == '0.0025' and all(holm_p[s] < 0.05 for s in holm_p) and set(holm_p) == {'momentum', 'adagrad', 'rmsprop', 'adam'}",
    ),
    Claim(
        "Among the three the\n  differences are one or two test images (one image is worth 0.0028)",
        "max(fair_test[s].mean() for s in ('adagrad', 'rmsprop', 'adam')) - min(fair_test[s].mean() for s in ('adagrad', 'rmsprop', 'adam')) <= 2 / 360 + 1e-12 and f'{1 / 360:.4f}' == '0.0028'",
    ),
    Claim(
        "(0.8367 $\\pm$ 0.0060, a paired difference of\n  $-0.1139 \\pm 0.0050$, Holm p below 0.0001)",
        "[f'{v:.4f}' for v in fair.mean_se(fair_test['momentum'])] == ['0.8367', '0.0060'] and [f'{v:.4f}' for v in versus['momentum'][:2]] == ['-0.1139', '0.0050'] and holm_p['momentum'] < 0.0001 and np.ptp(fair_test['momentum']) == max(np.ptp(v) for v in fair_test.values())",
        given=("0.0001",),
    ),
    Claim(
        "Student's\n$t$ with 4 degrees of freedom gives it a coverage of 0.626",
        "f'{fair.se_coverage(5):.3f}' == '0.626' and abs(fair.se_coverage(5) - (2 * __import__('scipy').stats.t.cdf(1, 4) - 1)) < 1e-12",
    ),
    Claim(
        "cannot\ngive a p below 0.0625, whatever the data",
        "fair.min_sign_flip_p(5) == 0.0625 and fair.sign_flip_p([1, 2, 3, 4, 5]) == 0.0625",
    ),
    Claim(
        "a new draw of 360 test images would move an accuracy of 0.97 by about\n$\\pm 0.0090$",
        "len(split.labels_test) == 360 and f'{fair.binomial_se(0.97, 360):.4f}' == '0.0090'",
        given=("0.97",),
    ),
    Claim(
        "momentum scores 0.9611 $\\pm$ 0.0009 against SGD's 0.9628 $\\pm$ 0.0019,\na paired difference of $-0.0017 \\pm 0.0024$ ($p = 0.53$); with five seeds a difference of up to\nabout 0.008 either way could go unseen",
        "[f'{v:.4f}' for v in fair.mean_se(relu_test['momentum']) + fair.mean_se(relu_test['sgd'])] == ['0.9611', '0.0009', '0.9628', '0.0019'] and [f'{v:.4f}' for v in fair.paired(relu_test['momentum'], relu_test['sgd'])[:2]] == ['-0.0017', '0.0024'] and f\"{fair.paired(relu_test['momentum'], relu_test['sgd'])[2]:.2f}\" == '0.53' and relu_chosen == {'sgd': 0.05, 'momentum': 0.005}"
        " and 0.0075 < abs(fair.paired(relu_test['momentum'], relu_test['sgd'])[0]) + __import__('scipy').stats.t.ppf(0.975, 4) * fair.paired(relu_test['momentum'], relu_test['sgd'])[1] < 0.0085",
        given=("0.008",),  # the larger end of the printed interval, rounded
    ),
    Claim(
        "(the printed 95 % interval runs from $-0.0084$ to\n$+0.0051$)",
        "[f'{v:+.4f}' for v in (fair.paired(relu_test['momentum'], relu_test['sgd'])[0] + s * __import__('scipy').stats.t.ppf(0.975, 4) * fair.paired(relu_test['momentum'], relu_test['sgd'])[1] for s in (-1, 1))] == ['-0.0084', '+0.0051']",
    ),
    Claim(
        "SGD's test accuracy has a standard error of 0.0010",
        "f\"{fair.mean_se(fair_test['sgd'])[1]:.4f}\" == '0.0010'",
    ),
    Claim(
        "momentum, whose fresh seeds' test accuracies span 0.8194 to\n    0.8556 (range 0.0361, printed with the table), against ranges of 0.0167 and below for the\n    others",
        "[f'{fair_test[\"momentum\"].min():.4f}', f'{fair_test[\"momentum\"].max():.4f}', f'{np.ptp(fair_test[\"momentum\"]):.4f}'] == ['0.8194', '0.8556', '0.0361'] and f\"{max(np.ptp(fair_test[s]) for s in fair_test if s != 'momentum'):.4f}\" == '0.0167'",
    ),
]

CLAIMS += [
    Claim(
        "a sign-flip test of five pairs cannot\n  go below $p = 0.0625$, which Holm's correction over four comparisons raises to 0.25",
        "fair.min_sign_flip_p(5) == 0.0625 and max(fair.holm({k: 0.0625 for k in 'abcd'}).values()) == 0.25",
    ),
]

#: Figure titles with numbers, and the check that they are the run's parameters.
TITLES = [
    Claim("(lr=", "all(f'{s} (lr={lr})' in paths for s, lr in LEARNING_RATES_2D.items())"),
    Claim(
        "30 steps on f(x, y) = x²/20 + y² from (-7, 2)",
        "len(paths['sgd (lr=0.95)']) == 31 and tuple(paths['sgd (lr=0.95)'][0]) == (-7.0, 2.0)",
    ),
    Claim("(condition number κ = 20)", "kappa == 20"),
    Claim(
        "Training loss of the 64-80-70-10 network, mini-batches of 64",
        "[l.wegt.shape[::-1] for l in networks['sgd']] == [(64, 80), (80, 70), (70, 10)]",
    ),
    Claim(
        "Validation loss after 60 epochs: 5 seeds at each learning rate",
        "fair.DIGITS_EPOCHS == 60 and all(len(v) == 5 for by in rate_sweep.values() for v in by.values())",
    ),
    Claim(
        "own y-scale:", "all(min(min(v) for v in by.values()) > 0 for by in rate_sweep.values())"
    ),
    Claim(" / ", "len(shown) == 12"),
    Claim("gradient descent, learning rate 0.0007\n", "MOON_EPOCHS == 5000"),
    Claim("momentum, learning rate 0.00007\n", "abs(MOMENTUM_LR - 0.00007) < 1e-12"),
    Claim("Adam, learning rate 0.0007\n", "MOON_EPOCHS == 5000"),
    Claim(
        "(training accuracy",
        "all(0 < moons.accuracy(X_moons, Y_moons, p) <= 1 for p in moon_models.values())",
    ),
    Claim(
        "Decision boundaries after 5000 epochs on the 300 training points",
        "MOON_EPOCHS == 5000 and Y_moons.size == 300",
    ),
]
