"""Every figure a lab draws, measured in the kernel just before Jupyter shows and closes it.

``HOOK`` is run after the setup cell of a *Run All* (``conftest.source_run``): it puts a
callback first in IPython's ``post_execute`` event, ahead of matplotlib-inline's
``flush_figures``, so it sees each figure drawn, at its final size, before it is closed.
For every figure it records

* its titles (the figure's and each panel's) and axis labels;
* for every legend, how many plotted things it covers, counted as matplotlib's
  ``legend(loc="best")`` counts them for the place it picks (``Legend._find_best_position``):
  line vertices and markers inside the legend box, lines that cross it, bars and texts it
  overlaps. A figure legend placed outside the panels is counted over every panel.

With ``LAB_FIGURES=<folder>`` in the environment it also saves each figure as
``<folder>/<lab>-<cell>-<k>.png``, to look at. ``PROBE`` prints the records for the test.
"""

from __future__ import annotations

HOOK = r"""
def _figure_records():
    import os as _os

    import matplotlib.pyplot as _plt
    from matplotlib.collections import Collection as _Collection
    from matplotlib.collections import PolyCollection as _PolyCollection
    from matplotlib.lines import Line2D as _Line2D
    from matplotlib.patches import Patch as _Patch
    from matplotlib.patches import Rectangle as _Rectangle
    from matplotlib.text import Text as _Text

    def covered(ax, box, renderer):
        count = 0
        for artist in ax.get_children():
            if not artist.get_visible() or artist is ax.get_legend():
                continue
            if isinstance(artist, _Line2D):
                if len(artist.get_xdata()) == 0:
                    continue
                path = artist.get_transform().transform_path(artist.get_path())
                count += box.count_contains(path.vertices)
                if artist.get_linestyle() not in ("None", "none", "", " "):
                    count += path.intersects_bbox(box, filled=False)
            elif isinstance(artist, _Rectangle):
                if artist is ax.patch:
                    continue
                count += box.count_overlaps([artist.get_window_extent(renderer)])
            elif isinstance(artist, _Patch):
                path = artist.get_transform().transform_path(artist.get_path())
                count += path.intersects_bbox(box, filled=False)
            elif isinstance(artist, _PolyCollection):
                for path in artist.get_paths():
                    path = artist.get_transform().transform_path(path)
                    count += path.intersects_bbox(box, filled=False)
            elif isinstance(artist, _Collection):
                _, offset_transform, offsets, _ = artist._prepare_points()
                if len(offsets):
                    count += box.count_contains(offset_transform.transform(offsets))
            elif isinstance(artist, _Text) and artist.get_text() and artist not in (
                ax.title, ax._left_title, ax._right_title
            ):
                count += box.count_overlaps([artist.get_window_extent(renderer)])
        return int(count)

    records = []
    for k, num in enumerate(_plt.get_fignums()):
        fig = _plt.figure(num)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = []
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is not None and legend.get_visible():
                box = legend.get_window_extent(renderer)
                covers = covered(ax, box, renderer)
                legends.append({"where": ax.get_title() or "axes", "covers": covers})
        for legend in fig.legends:
            box = legend.get_window_extent(renderer)
            legends.append(
                {"where": "figure", "covers": sum(covered(ax, box, renderer) for ax in fig.axes)}
            )
        records.append(
            {
                "cell": _ip.execution_count,
                "suptitle": fig._suptitle.get_text() if fig._suptitle else "",
                "axes": [
                    {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()}
                    for ax in fig.axes
                    if ax.get_visible() and ax.axison
                ],
                "legends": legends,
            }
        )
        folder = _os.environ.get("LAB_FIGURES")
        if folder:
            _os.makedirs(folder, exist_ok=True)
            name = f"{_os.path.basename(_os.getcwd())}-{_ip.execution_count:02d}-{k}.png"
            fig.savefig(_os.path.join(folder, name), dpi=72)
    _FIGURES.extend(records)


_FIGURES = []
_ip = get_ipython()
_ip.events.callbacks["post_execute"].insert(0, _figure_records)
"""

PROBE = "import json as _json\nprint('@@FIGURES@@' + _json.dumps(_FIGURES))\n"


def numbered_titles(record: dict) -> list[str]:
    """The titles of a figure (its own and its panels') that contain a digit."""
    titles = [record["suptitle"]] + [a["title"] for a in record["axes"]]
    return [t for t in titles if any(ch.isdigit() for ch in t)]
