"""Fair comparisons: several seeds at once, settings chosen on a validation split.

One training run is one draw. Another seed gives another start and another order of the
mini-batches, and can give another ranking. A fair comparison

* trains every contender with several seeds (``SEEDS``) and reports the mean and its
  standard error (``mean_se``);
* chooses each contender's setting (a learning rate, a penalty) on a validation split
  carved out of the training set (``choose``), never on the test set, which is used once,
  at the end;
* shows every seed and the mean ± standard error (``plot_sweep``, ``plot_seeds``);
* compares two contenders seed by seed (``paired``): both ran with the same seeds, so a
  seed that is hard for both counts against neither;
* reports the chosen settings on fresh seeds (``FRESH_SEEDS``) that took no part in the
  choice: the best of several validation means is biased low (the winner's curse);
* compares every contender with a baseline named before any result, and corrects the
  p-values of comparisons read together for their number (``holm``).

At n = 5 seeds, mean ± 1 standard error covers the true mean only about 63 % of the time
(``se_coverage``), and no distribution-free paired test can give p below 2 / 2**5 = 0.0625
(``min_sign_flip_p``).

The seeds train side by side. ``stack_network`` stacks the networks that
``labs.nn.make_network`` builds for each seed along a leading axis, and ``train_stack``
runs your ``my_optimizer`` on the stacks unchanged: its rules act entry by entry.
``labs.dual.dual_sweep`` does the same for Lab 3's ``DualLayer``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from labs.nn import make_network, my_loss, myDenseLayer, myOptParam, train_step
from labs.nn import relu_softmax as nn_relu_softmax

__all__ = [
    "SEEDS",
    "FRESH_SEEDS",
    "DIGITS_RATES",
    "DIGITS_EPOCHS",
    "SWEEP_FILE",
    "mean_se",
    "paired",
    "sign_flip_p",
    "p_text",
    "holm",
    "se_coverage",
    "min_sign_flip_p",
    "binomial_se",
    "choose",
    "validation_split",
    "validation_splits",
    "stack_network",
    "train_stack",
    "digits_runs",
    "digits_sweep",
    "sweep_document",
    "load_sweep",
    "plot_sweep",
    "plot_seeds",
    "plot_paired",
]

#: The seeds of every comparison: seed k starts from ``make_network(..., seed=k)`` (Lab 2)
#: or from your initializer after ``np.random.seed(k)`` (Lab 3), and shuffles with its own
#: generator.
SEEDS = (0, 1, 2, 3, 4)

#: The seeds of final reports: they take no part in choosing a setting, so the numbers they
#: give are not the best of several draws.
FRESH_SEEDS = (5, 6, 7, 8, 9)

#: Lab 2's sweep: four learning rates per optimizer, a factor 2 apart, around the rates of
#: the single-seed comparison, wide enough that no chosen rate is at the end of its grid.
DIGITS_RATES = {
    "sgd": (1.25, 2.5, 5.0, 10.0),
    "momentum": (0.0625, 0.125, 0.25, 0.5),
    "adagrad": (0.025, 0.05, 0.1, 0.2),
    "rmsprop": (0.005, 0.01, 0.02, 0.04),
    "adam": (0.005, 0.01, 0.02, 0.04),
}
DIGITS_EPOCHS = 60
DIGITS_SIZES = (64, 80, 70, 10)

#: Where Lab 2's sweep is stored (written by ``python -m autograder sweeps``).
SWEEP_FILE = Path(__file__).resolve().parent / "sweep.json"


# -- statistics ------------------------------------------------------------------------------
def mean_se(values: Sequence[float]) -> tuple[float, float]:
    """The mean and its standard error, std(ddof=1) / sqrt(n)."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def paired(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """Seed-by-seed comparison of ``a`` and ``b`` (same seeds, same order): the mean of the
    differences a - b, its standard error, and the two-sided p-value of the paired t-test.

    Two cases the t-test cannot take: every difference 0 gives p = 1.0 (no evidence), and
    every difference the same non-zero value (standard error 0, up to rounding) gives the
    exact sign-flip p-value instead, 2 / 2**n (0.0625 for five seeds): the t statistic
    would be infinite, but five equal gains are no more than five seeds agreeing, whatever
    their size. The fallback is not continuous with the t-test: differences that vary by a
    hair get the t-test's far smaller p, which rests on its assumption that the differences
    scatter normally. The labs say so where a t-test p decides a conclusion."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    mean, se = mean_se(diff)
    if not np.any(diff):
        return mean, se, 1.0
    if se <= 1e-9 * abs(mean):  # equal differences, up to rounding
        return mean, se, sign_flip_p(diff)
    return mean, se, float(stats.ttest_rel(a, b).pvalue)


def sign_flip_p(diff: Sequence[float]) -> float:
    """The exact two-sided p-value of the paired sign-flip (permutation) test of the mean
    difference: the share of the 2**n sign patterns whose mean is at least as far from 0."""
    diff = np.asarray(diff, dtype=float)
    n = len(diff)
    signs = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
    means = np.abs((signs * diff).mean(axis=1))
    return float(np.mean(means >= abs(diff.mean()) * (1 - 1e-12)))


def p_text(p: float) -> str:
    """A p-value as a reader takes it in: "= 0.047", or "< 0.001" rather than "= 0.000"."""
    return "< 0.001" if p < 0.0005 else f"= {p:.3f}"


def min_sign_flip_p(n: int) -> float:
    """The smallest p-value a two-sided sign-flip test of ``n`` pairs can give: 2 / 2**n."""
    return 2.0 / 2**n


def se_coverage(n: int) -> float:
    """How often mean ± 1 standard error of ``n`` normal draws covers the true mean:
    P(|T| < 1) for Student's t with n - 1 degrees of freedom (0.63 at n = 5, 0.68 as n grows)."""
    return float(2 * stats.t.cdf(1.0, n - 1) - 1)


def binomial_se(accuracy: float, n: int) -> float:
    """The standard error of an accuracy measured on ``n`` independent examples,
    sqrt(p (1 - p) / n): how much the test set alone makes it vary."""
    return float(np.sqrt(accuracy * (1 - accuracy) / n))


def holm(pvalues: Mapping[str, float]) -> dict[str, float]:
    """Holm-Bonferroni adjusted p-values of comparisons read together (same keys): the
    k-th smallest of m is multiplied by m - k + 1, kept at least its predecessor's, and
    capped at 1. An adjusted p below 0.05 keeps the chance of any false finding among
    all of them below 5 %."""
    names = sorted(pvalues, key=lambda k: pvalues[k])
    m = len(names)
    out, running = {}, 0.0
    for k, name in enumerate(names):
        running = max(running, min(1.0, (m - k) * float(pvalues[name])))
        out[name] = running
    return {name: out[name] for name in pvalues}


def choose(results: Mapping[str, Mapping[float, Sequence[float]]]) -> dict[str, float]:
    """For every contender, the setting with the lowest mean of ``results[name][setting]``
    (validation losses, one per seed)."""
    return {
        name: min(settings, key=lambda s, by=settings: float(np.mean(by[s])))
        for name, settings in results.items()
    }


def validation_split(X, labels, *, test_size: float = 0.2, random_state: int = 0):
    """``(X_fit, X_val, labels_fit, labels_val)``: a stratified split of a training set."""
    from sklearn.model_selection import train_test_split

    return train_test_split(
        X, labels, test_size=test_size, random_state=random_state, stratify=labels
    )


def validation_splits(X, y, *, seeds: Sequence[int] = SEEDS, test_size: float = 0.2):
    """``(X_fit, X_val, y_fit, y_val)``, each stacked with one split per seed, entry k
    ``train_test_split(X, y, test_size=test_size, random_state=seeds[k])``."""
    from sklearn.model_selection import train_test_split

    parts = [train_test_split(X, y, test_size=test_size, random_state=seed) for seed in seeds]
    return tuple(np.stack(part) for part in zip(*parts, strict=True))


# -- Lab 2: stacks of digits networks ---------------------------------------------------------
def stack_network(
    sizes: Sequence[int] = DIGITS_SIZES, seeds: Sequence[int] = SEEDS
) -> tuple[list[myDenseLayer], list[myOptParam]]:
    """One network per seed, stacked: layer ``i`` has ``wegt`` (S, n_out, n_in) whose entry k
    is ``make_network(sizes, seed=seeds[k])``'s, ``bias`` (S, 1, n_out) and a zero state
    of the same shapes."""
    nets = [make_network(sizes, seed=s)[0] for s in seeds]
    layers, states = [], []
    for i in range(len(sizes) - 1):
        layer = myDenseLayer(*nets[0][i].wegt.shape)
        layer.wegt = np.stack([net[i].wegt for net in nets])
        layer.bias = np.zeros((len(seeds), 1, layer.wegt.shape[1]))
        state = myOptParam(*nets[0][i].wegt.shape)
        for name in ("W_dt", "W_mt", "W_vt"):
            setattr(state, name, np.zeros_like(layer.wegt))
        for name in ("B_dt", "B_mt", "B_vt"):
            setattr(state, name, np.zeros_like(layer.bias))
        layers.append(layer)
        states.append(state)
    return layers, states


def train_stack(
    layers: Sequence[myDenseLayer],
    states: Sequence[myOptParam],
    X: np.ndarray,
    y: np.ndarray,
    *,
    optimizer: Callable[..., None],
    solver: str,
    learning_rate: float,
    epochs: int,
    seeds: Sequence[int] = SEEDS,
    batch_size: int = 64,
) -> None:
    """``labs.nn.train`` for a stack: every epoch network k visits the rows of ``X`` and
    ``y`` in its own random order (``np.random.default_rng(seeds[k])``), in batches of
    ``batch_size`` and a smaller last one, and ``labs.nn.train_step`` updates the whole
    stack at once, with ``iter`` the step number from 1. ``labs.nn.my_loss`` and
    ``labs.nn.accuracy`` give one value per network of the trained stack."""
    rngs = [np.random.default_rng(seed) for seed in seeds]
    m = len(X)
    step = 0
    for _ in range(epochs):
        order = np.stack([rng.permutation(m) for rng in rngs])
        for start in range(0, m, batch_size):
            rows = order[:, start : start + batch_size]
            step += 1
            train_step(
                layers,
                states,
                X[rows],
                y[rows],
                optimizer=optimizer,
                solver=solver,
                learning_rate=learning_rate,
                step=step,
            )


def digits_runs(
    optimizer: Callable[..., None],
    solver: str,
    learning_rate: float,
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    *,
    epochs: int = DIGITS_EPOCHS,
    seeds: Sequence[int] = SEEDS,
    relu_softmax: bool = False,
) -> list[myDenseLayer]:
    """The digits network trained with every seed at once; the trained stack's layers. With
    ``relu_softmax`` its hidden layers are ReLU and its output a softmax trained on the
    cross-entropy (``labs.nn.relu_softmax``), instead of sigmoids on the squared error."""
    layers, states = stack_network(DIGITS_SIZES, seeds)
    if relu_softmax:
        nn_relu_softmax(layers)
    train_stack(
        layers,
        states,
        X_fit,
        y_fit,
        optimizer=optimizer,
        solver=solver,
        learning_rate=learning_rate,
        epochs=epochs,
        seeds=seeds,
    )
    return layers


def digits_sweep(
    optimizer: Callable[..., None],
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    rates: Mapping[str, Sequence[float]] = DIGITS_RATES,
    epochs: int = DIGITS_EPOCHS,
    seeds: Sequence[int] = SEEDS,
) -> dict[str, dict[float, list[float]]]:
    """Every optimizer at every rate of ``rates``, with every seed: the validation loss of
    each run, ``{solver: {rate: [loss of seed 0, seed 1, ...]}}``. A solver that raises
    ``NotImplementedError`` is left out."""
    results: dict[str, dict[float, list[float]]] = {}
    for solver, grid in rates.items():
        try:
            for lr in grid:
                stack = digits_runs(optimizer, solver, lr, X_fit, y_fit, epochs=epochs, seeds=seeds)
                results.setdefault(solver, {})[lr] = my_loss(stack, X_val, y_val).tolist()
        except NotImplementedError:
            results.pop(solver, None)
    return results


def sweep_document(results: Mapping[str, Mapping[float, Sequence[float]]], **about) -> dict:
    """``results`` of ``digits_sweep`` as the JSON document of ``SWEEP_FILE``."""
    return {
        **about,
        "validation_loss": {
            solver: {repr(float(lr)): [float(v) for v in values] for lr, values in by.items()}
            for solver, by in results.items()
        },
    }


def load_sweep(
    path: Path | str = SWEEP_FILE, *, key: str | None = None
) -> dict[str, dict[float, list[float]]]:
    """The stored sweep, in the form ``digits_sweep`` returns: the document's own, or with
    ``key`` the sweep stored under ``document[key]`` (another sweep of the same file)."""
    document = json.loads(Path(path).read_text())
    if key is not None:
        document = document[key]
    return {
        solver: {float(lr): values for lr, values in by.items()}
        for solver, by in document["validation_loss"].items()
    }


# -- figures ---------------------------------------------------------------------------------
def plot_sweep(
    results: Mapping[str, Mapping[float, Sequence[float]]],
    chosen: Mapping[str, float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    logx: bool = True,
    base: float = 10,
    sharey: bool = False,
    ncols: int = 5,
    baseline: tuple[str, Sequence[float]] | None = None,
):
    """One panel per contender: the mean ± standard error over seeds of ``results[name]
    [setting]`` against the setting, every seed as a small dot, ``chosen[name]`` ringed.
    ``baseline`` (a label and its per-seed values) is drawn in every panel as a band.

    With ``logx`` the settings are ticked at their values on a log axis of ``base`` (2 for
    rates a factor 2 apart), and the x label says so. ``sharey`` puts every panel on one
    y-scale; without it each panel's title says its y-range, so that alike-looking panels
    are not read as alike."""
    n = len(results)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.3 * ncols, 3.3 * nrows),
        squeeze=False,
        layout="constrained",
        sharey=sharey,
    )
    for ax, (name, by) in zip(axes.flat, results.items(), strict=False):
        settings = sorted(by)
        means, ses = np.array([mean_se(by[x]) for x in settings]).T
        for x in settings:
            ax.plot([x] * len(by[x]), by[x], ".", color="0.6", ms=4)
        ax.errorbar(settings, means, yerr=ses, fmt="o-", capsize=4, color="tab:blue")
        if name in chosen:
            mean = float(np.mean(by[chosen[name]]))
            ax.plot(chosen[name], mean, "o", ms=14, mfc="none", mec="tab:red", mew=2)
        if baseline is not None:
            mean, se = mean_se(baseline[1])
            ax.axhspan(mean - se, mean + se, color="tab:green", alpha=0.15)
            ax.axhline(mean, color="tab:green", ls="--")
        if logx:
            ax.set_xscale("log", base=base)
            ax.set_xticks(settings, [f"{x:g}" for x in settings])
            ax.minorticks_off()
        label = f"{xlabel} (log{'₂' if base == 2 else ''} scale)" if logx else xlabel
        ax.set(title=name, xlabel=label)
        if not sharey:
            low = min(min(v) for v in by.values())
            high = max(max(v) for v in by.values())
            ax.set_title(f"{name}\n(own y-scale: {low:.3g} to {high:.3g})", fontsize=10)
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.remove()
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    handles = []
    if baseline is not None:
        handles.append(plt.Line2D([], [], color="tab:green", ls="--", label=baseline[0]))
    fig.legend(
        handles=handles
        + [
            plt.Line2D([], [], marker="o", color="tab:blue", label="mean ± standard error"),
            plt.Line2D([], [], ls="none", marker=".", color="0.6", label="one seed"),
            plt.Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=10,
                mfc="none",
                mec="tab:red",
                mew=2,
                label="chosen (lowest mean)",
            ),
        ],
        loc="outside lower center",
        ncols=len(handles) + 3,
        fontsize=9,
    )
    fig.suptitle(title)
    return fig


def plot_seeds(
    values: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    ax=None,
):
    """Every contender's per-seed values as dots, with their mean ± standard error."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    names = list(values)
    for i, name in enumerate(names):
        v = np.asarray(values[name], dtype=float)
        offsets = np.linspace(-0.12, 0.12, len(v)) if len(v) > 1 else np.zeros(1)
        ax.plot(
            i + 0.25 + offsets, v, ".", color="0.55", ms=6, label="one seed" if i == 0 else None
        )
        mean, se = mean_se(v)
        ax.errorbar(
            i,
            mean,
            yerr=se,
            fmt="o",
            capsize=6,
            color="tab:blue",
            ms=7,
            label="mean ± standard error" if i == 0 else None,
        )
    ax.set_xticks(range(len(names)), names)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    return ax


def plot_paired(
    values: Mapping[str, Sequence[float]],
    baseline: str,
    *,
    title: str,
    ylabel: str,
    xlabel: str = "contender",
    seeds: Sequence[int] | None = None,
    holm_adjusted: bool = True,
):
    """A comparison with a baseline fixed in advance, in two panels.

    Left: every contender's per-seed values (``values[name]``, the same seeds in the same
    order for every name) with their mean ± standard error; each seed's values are joined by
    a thin line across the contenders, so the pairing the test relies on is visible.
    Right: each seed's difference to ``baseline``, the mean difference ± its standard error,
    and under each contender its p-value (``paired``; Holm-adjusted over the contenders,
    "Holm p", unless ``holm_adjusted`` is False). Returns the figure."""
    names = list(values)
    others = [n for n in names if n != baseline]
    data = {n: np.asarray(values[n], dtype=float) for n in names}
    n_seeds = len(data[baseline])
    seeds = list(seeds) if seeds is not None else list(range(n_seeds))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 4.4), layout="constrained", gridspec_kw={"width_ratios": [1, 1]}
    )
    colours = plt.get_cmap("tab10")
    offsets = np.linspace(-0.15, 0.15, n_seeds) if n_seeds > 1 else np.zeros(1)
    for k in range(n_seeds):
        left.plot(
            np.arange(len(names)) + offsets[k],
            [data[n][k] for n in names],
            "o-",
            color=colours(k % 10),
            ms=4,
            lw=0.8,
            alpha=0.7,
            label=f"seed {seeds[k]}",
        )
    for i, name in enumerate(names):
        mean, se = mean_se(data[name])
        left.errorbar(
            i + 0.32,
            mean,
            yerr=se,
            fmt="s",
            color="black",
            capsize=5,
            ms=6,
            label="mean ± standard error" if i == 0 else None,
        )
    left.set_xticks(range(len(names)), names)
    left.set(title=f"{ylabel} per seed", xlabel=xlabel, ylabel=ylabel)
    left.grid(True, axis="y", alpha=0.3)

    stats_ = {n: paired(data[n], data[baseline]) for n in others}
    pvalues = {n: stats_[n][2] for n in others}
    shown = holm(pvalues) if holm_adjusted else pvalues
    for i, name in enumerate(others):
        diff = data[name] - data[baseline]
        for k in range(n_seeds):
            right.plot(i + offsets[k], diff[k], "o", color=colours(k % 10), ms=5)
        mean, se, _ = stats_[name]
        right.errorbar(i + 0.32, mean, yerr=se, fmt="s", color="black", capsize=5, ms=6)
    right.axhline(0.0, color="tab:green", ls="--", lw=1.2, label=f"no difference to {baseline}")
    what = "Holm p" if holm_adjusted else "p"
    right.set_xticks(range(len(others)), [f"{n}\n{what} {p_text(shown[n])}" for n in others])
    right.set(
        title=f"Each seed's difference to {baseline} (the baseline)",
        xlabel=xlabel,
        ylabel=f"{ylabel} minus {baseline}'s",
    )
    right.grid(True, axis="y", alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    handles += right.get_legend_handles_labels()[0]
    labels += right.get_legend_handles_labels()[1]
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 7), fontsize=9)
    fig.suptitle(title)
    return fig
