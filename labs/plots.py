"""Plotting helpers of the labs. Every figure gets a title, axis labels and a legend."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

__all__ = ["trajectories", "curves", "digit_gallery", "decision_boundaries"]


def trajectories(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, np.ndarray],
    *,
    minimum: tuple[float, float] = (0.0, 0.0),
    xlim: tuple[float, float] = (-10.0, 10.0),
    ylim: tuple[float, float] = (-5.0, 5.0),
    title: str = "Optimizer trajectories",
    ncols: int = 3,
):
    """One contour panel per optimizer with its path of iterates (``paths[name]``: shape (T, 2))."""
    n = len(paths)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.6 * ncols, 3.6 * nrows), squeeze=False, layout="constrained"
    )
    xs = np.linspace(*xlim, 400)
    ys = np.linspace(*ylim, 200)
    X, Y = np.meshgrid(xs, ys)
    Z = f(X, Y)
    levels = np.quantile(Z, np.linspace(0.02, 0.9, 12))
    for ax, (name, path) in zip(axes.flat, paths.items(), strict=False):
        path = np.asarray(path)
        ax.contour(X, Y, Z, levels=levels, cmap="Greys", linewidths=0.8)
        ax.plot(
            path[:, 0],
            path[:, 1],
            "o-",
            color="tab:red",
            ms=3,
            lw=1.2,
            label=f"{name} ({len(path) - 1} steps)",
        )
        ax.plot(path[0, 0], path[0, 1], "s", color="tab:blue", ms=7, label="start")
        ax.plot(*minimum, "+", color="black", ms=14, mew=2, label="minimum")
        ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y", title=name)
        ax.legend(loc="lower right", fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.remove()
    fig.suptitle(title)
    return fig


def curves(
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    logy: bool = False,
    ax=None,
    x: Mapping[str, Sequence[float]] | Sequence[float] | None = None,
    styles: Mapping[str, dict] | None = None,
    legend_loc: str = "best",
    legend_outside: bool = False,
):
    """Line plot of named series on one set of axes (loss curves, schedules, averages).

    ``x`` gives the x values: one sequence for every series, or one per name
    (default 1, 2, ... for each series). The legend goes where ``legend_loc`` says, or with
    ``legend_outside`` below the axes, where it covers nothing.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    for name, values in series.items():
        if isinstance(x, Mapping):
            xs = x.get(name, np.arange(1, len(values) + 1))
        else:
            xs = np.arange(1, len(values) + 1) if x is None else x
        ax.plot(xs, values, label=name, **(styles or {}).get(name, {}))
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, alpha=0.3)
    if legend_outside:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=min(3, len(series)))
    else:
        ax.legend(loc=legend_loc)
    return ax


def digit_gallery(
    images: np.ndarray,
    mine: Sequence[int],
    other: Sequence[int],
    actual: Sequence[int],
    *,
    other_name: str = "sklearn",
    title: str = "Test digits: mine / sklearn / actual",
    ncols: int = 6,
):
    """8x8 digit images, each titled "mine / <other> / actual"; red where mine is wrong."""
    n = len(images)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(1.9 * ncols, 2.2 * nrows + 0.6), squeeze=False, layout="constrained"
    )
    for ax, img, m, o, a in zip(axes.flat, images, mine, other, actual, strict=False):
        ax.imshow(np.asarray(img).reshape(8, 8), cmap="gray_r", vmin=0, vmax=float(np.max(images)))
        ax.set_title(f"{m} / {o} / {a}", color="tab:green" if m == a else "tab:red", fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.remove()
    for ax in axes[:, 0]:
        ax.set_ylabel("8x8 pixels")
    fig.suptitle(title)
    fig.legend(
        handles=[
            Patch(color="tab:green", label="mine = actual"),
            Patch(color="tab:red", label=f"mine != actual (title: mine / {other_name} / actual)"),
        ],
        loc="outside lower center",
        ncols=2,
        fontsize=9,
    )
    return fig


def decision_boundaries(
    predictors: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    X: np.ndarray,
    y: np.ndarray,
    *,
    title: str,
    margin: float = 0.5,
):
    """One panel per model: the plane coloured by the class it predicts (``predictors[name]``
    maps points, shape (n, 2), to 0/1), and the samples ``X`` (n, 2) coloured by ``y``."""
    n = len(predictors)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 4.4), squeeze=False, layout="constrained")
    x_min, y_min = X.min(axis=0) - margin
    x_max, y_max = X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, 300), np.linspace(y_min, y_max, 300))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    colours = ("tab:red", "tab:blue")
    for ax, (name, predict) in zip(axes.flat, predictors.items(), strict=True):
        zz = np.asarray(predict(grid)).reshape(xx.shape)
        ax.contourf(xx, yy, zz, levels=[-0.5, 0.5, 1.5], colors=colours, alpha=0.18)
        for label, colour in enumerate(colours):
            points = X[np.asarray(y) == label]
            ax.scatter(points[:, 0], points[:, 1], s=14, color=colour, edgecolor="k", lw=0.3)
        ax.set(title=name, xlabel="x1", ylabel="x2", xlim=(x_min, x_max), ylim=(y_min, y_max))
    handles = [
        Patch(color=colour, alpha=0.35, label=f"predicted {label}")
        for label, colour in enumerate(colours)
    ] + [
        plt.Line2D(
            [], [], ls="none", marker="o", color=colour, mec="k", mew=0.3, label=f"class {label}"
        )
        for label, colour in enumerate(colours)
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=9)
    fig.suptitle(title)
    return fig
