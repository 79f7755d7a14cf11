"""Figures to explore without a running kernel (Lab 2's valley).

``valley(...)`` precomputes momentum's path on ``f(x, y) = a x^2 / 2 + b y^2 / 2`` for a grid
of learning rates and momentum values, and returns a self-contained HTML figure: an SVG of
the level sets and the path, two sliders, and a few lines of JavaScript that pick the path
of the chosen grid point. Nothing is loaded from the network and nothing runs in the kernel
when a slider moves, so the figure keeps working in a static HTML export of the notebook.
(Plotting libraries can animate one slider; two coupled sliders over a grid need this code
anyway, and a library's bundle would add megabytes to every export.)

``momentum_paths`` and ``best_momentum`` are the arithmetic behind it, also for matplotlib.
"""

from __future__ import annotations

import html
import json
import secrets

import numpy as np


def momentum_paths(hessian, learning_rates, betas, start, n_steps: int) -> np.ndarray:
    """Paths of momentum, ``delta = beta * delta + lr * grad; w = w - delta`` (the lab's rule,
    with ``gamma`` = beta), on the quadratic with diagonal Hessian ``hessian``, for every
    learning rate and beta at once. Shape ``(len(learning_rates), len(betas), n_steps + 1,
    2)``; a diverging path is cut where it leaves the plotted region (then NaN)."""
    h = np.asarray(hessian, dtype=float)
    lr = np.asarray(learning_rates, dtype=float)[:, None, None]
    beta = np.asarray(betas, dtype=float)[None, :, None]
    shape = (lr.shape[0], beta.shape[1], 2)
    w = np.broadcast_to(np.asarray(start, dtype=float), shape).copy()
    delta = np.zeros_like(w)
    path = [w.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            delta = beta * delta + lr * (h * w)
            w = w - delta
            path.append(w.copy())
        out = np.stack(path, axis=2)
        out[~np.isfinite(out) | (np.abs(out) > 1e6)] = np.nan
    return out


def rate(hessian, learning_rate, beta):
    """The asymptotic convergence rate of momentum on the quadratic: the largest modulus of
    the roots of ``z**2 - (1 + beta - lr * h) z + beta`` over the Hessian's eigenvalues h
    (the error shrinks by about this factor per step; 1 or more: no convergence). Works on
    arrays of learning rates and betas (broadcast)."""
    lr, beta = np.asarray(learning_rate, dtype=float), np.asarray(beta, dtype=float)
    worst = np.zeros(np.broadcast(lr, beta).shape)
    for h in np.asarray(hessian, dtype=float):
        p = 1.0 + beta - lr * h
        disc = p * p - 4.0 * beta
        root = np.sqrt(np.abs(disc))
        real = np.maximum(np.abs(p + root), np.abs(p - root)) / 2
        modulus = np.where(disc >= 0, real, np.sqrt(beta))  # complex pair: |z|**2 = beta
        worst = np.maximum(worst, modulus)
    return worst


def best_momentum(hessian) -> tuple[float, float, float]:
    """Polyak's best ``(learning_rate, beta, rate)`` for the quadratic: with the largest and
    smallest curvature L and mu, beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))**2 and
    learning_rate = 4 / (sqrt(L) + sqrt(mu))**2; the rate is then sqrt(beta)."""
    big, small = float(np.max(hessian)), float(np.min(hessian))
    root_sum = np.sqrt(big) + np.sqrt(small)
    beta = ((np.sqrt(big) - np.sqrt(small)) / root_sum) ** 2
    return 4 / root_sum**2, float(beta), float(np.sqrt(beta))


_SCRIPT = """
(function () {
  var root = document.getElementById("%(id)s");
  var data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var lr = root.querySelector("input[name=lr]"), beta = root.querySelector("input[name=beta]");
  var line = root.querySelector("polyline"), end = root.querySelector("circle.end");
  var label = root.querySelector(".readout");
  function sx(x) { return data.ox + x * data.scale; }
  function sy(y) { return data.oy - y * data.scale; }
  function draw() {
    var i = +lr.value, j = +beta.value, path = data.paths[i][j], pts = [], last = null;
    for (var k = 0; k < path.length; k++) {
      if (path[k] === null) break;
      pts.push(sx(path[k][0]).toFixed(1) + "," + sy(path[k][1]).toFixed(1));
      last = path[k];
    }
    line.setAttribute("points", pts.join(" "));
    if (last) { end.setAttribute("cx", sx(last[0])); end.setAttribute("cy", sy(last[1])); }
    var f = data.f[i][j];
    label.textContent = "learning rate " + data.lrs[i] + ", \\u03b2 = " + data.betas[j] +
      ": after " + data.steps + " steps " +
      (f === null ? "it has left the plot (diverged)" : "f = " + f.toPrecision(3)) +
      "; rate per step " + data.rates[i][j].toFixed(3);
  }
  lr.addEventListener("input", draw);
  beta.addEventListener("input", draw);
  draw();
})();
"""


def valley(
    hessian=(0.1, 2.0),
    learning_rates=None,
    betas=None,
    start=(-7.0, 2.0),
    n_steps: int = 30,
    initial=(0.1, 0.9),
    title: str = "Momentum on f(x, y) = x²/20 + y²: drag the sliders",
):
    """The interactive valley as an ``IPython.display.HTML`` object (its ``.data`` is the
    page fragment). Sliders: the learning rate and beta over the grids; it starts at the
    grid point nearest ``initial``."""
    from IPython.display import HTML

    lrs = np.round(np.linspace(0.05, 1.5, 30), 2) if learning_rates is None else learning_rates
    betas = np.round(np.linspace(0.0, 0.95, 20), 2) if betas is None else betas
    lrs, betas = np.asarray(lrs, dtype=float), np.asarray(betas, dtype=float)
    paths = momentum_paths(hessian, lrs, betas, start, n_steps)
    h = np.asarray(hessian, dtype=float)
    width, height, scale = 640, 320, 30.0
    ox, oy = width / 2, height / 2
    x_max, y_max = ox / scale, oy / scale
    inside = (np.abs(paths[..., 0]) <= x_max) & (np.abs(paths[..., 1]) <= y_max)
    inside = np.cumprod(inside, axis=2).astype(bool)  # cut a path where it first leaves
    final = paths[:, :, -1, :]
    f = 0.5 * (h * final**2).sum(axis=-1)
    data = {
        "lrs": [float(v) for v in lrs],
        "betas": [float(v) for v in betas],
        "steps": n_steps,
        "ox": ox,
        "oy": oy,
        "scale": scale,
        "paths": [
            [
                [
                    [round(float(p[0]), 3), round(float(p[1]), 3)] if ok else None
                    for p, ok in zip(paths[i, j], inside[i, j], strict=True)
                ]
                for j in range(len(betas))
            ]
            for i in range(len(lrs))
        ],
        "f": [
            [float(f[i, j]) if inside[i, j, -1] else None for j in range(len(betas))]
            for i in range(len(lrs))
        ],
        "rates": np.round(rate(h, lrs[:, None], betas[None, :]), 4).tolist(),
    }
    uid = "valley-" + secrets.token_hex(4)
    i0 = int(np.argmin(np.abs(lrs - initial[0])))
    j0 = int(np.argmin(np.abs(betas - initial[1])))
    levels = "".join(
        f'<ellipse cx="{ox}" cy="{oy}" rx="{np.sqrt(2 * c / h[0]) * scale:.1f}" '
        f'ry="{np.sqrt(2 * c / h[1]) * scale:.1f}" fill="none" stroke="#bbb"/>'
        for c in (0.05, 0.2, 0.5, 1, 2, 4, 8)
    )
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    body = f"""
<div id="{uid}" class="valley-explorer" style="font-family: sans-serif; max-width: {width}px">
  <div style="font-weight: bold; margin-bottom: 4px">{html.escape(title)}</div>
  <svg width="{width}" height="{height}" viewBox="0 0 {width} {height}"
       role="img" aria-label="{html.escape(title)}" style="border: 1px solid #ddd">
    {levels}
    <line x1="0" y1="{oy}" x2="{width}" y2="{oy}" stroke="#eee"/>
    <line x1="{ox}" y1="0" x2="{ox}" y2="{height}" stroke="#eee"/>
    <text x="{width - 14}" y="{oy - 6}" font-size="12">x</text>
    <text x="{ox + 6}" y="14" font-size="12">y</text>
    <polyline fill="none" stroke="#d62728" stroke-width="2" points=""/>
    <circle cx="{ox + start[0] * scale}" cy="{oy - start[1] * scale}" r="5" fill="#1f77b4"/>
    <circle class="end" r="4" fill="#d62728"/>
    <text x="{ox + 6}" y="{oy + 16}" font-size="12">minimum</text>
    <text x="8" y="{height - 8}" font-size="11" fill="#555">blue: start (-7, 2); red: the path
      of momentum, {n_steps} steps; grey: level sets of f</text>
  </svg>
  <div style="display: grid; grid-template-columns: 9em 1fr; gap: 4px; margin-top: 6px">
    <label>learning rate</label>
    <input type="range" name="lr" min="0" max="{len(lrs) - 1}" step="1" value="{i0}">
    <label>momentum &beta;</label>
    <input type="range" name="beta" min="0" max="{len(betas) - 1}" step="1" value="{j0}">
  </div>
  <div class="readout" style="margin-top: 4px; font-size: 14px"></div>
  <script type="application/json">{payload}</script>
  <script>{_SCRIPT % {"id": uid}}</script>
</div>
"""
    return HTML(body)
