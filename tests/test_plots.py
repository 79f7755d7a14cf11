import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from labs import plots  # noqa: E402


def _assert_labelled(ax):
    assert ax.get_title(), "every panel needs a title"
    assert ax.get_xlabel() and ax.get_ylabel(), "every panel needs axis labels"


def test_trajectories_panels_are_labelled():
    paths = {"a": np.array([[-7.0, 2.0], [-6.0, 1.0]]), "b": np.array([[-7.0, 2.0], [0.0, 0.0]])}
    fig = plots.trajectories(lambda x, y: x**2 / 20 + y**2, paths, title="T", ncols=3)
    axes = fig.get_axes()
    assert len(axes) == 2 and fig._suptitle.get_text() == "T"
    for ax in axes:
        _assert_labelled(ax)
        assert ax.get_legend() is not None
    plt.close(fig)


def test_curves_have_title_labels_legend_and_log_scale():
    ax = plots.curves(
        {"sgd": [1.0, 0.5], "adam": [1.0, 0.1]}, title="L", xlabel="epoch", ylabel="loss", logy=True
    )
    _assert_labelled(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]
    assert ax.get_yscale() == "log"
    plt.close(ax.figure)


def test_digit_gallery_titles_and_colours():
    images = np.zeros((3, 64))
    fig = plots.digit_gallery(images, [1, 2, 3], [1, 2, 0], [1, 5, 3], ncols=3)
    titles = [ax.get_title() for ax in fig.get_axes()]
    assert titles == ["1 / 1 / 1", "2 / 2 / 5", "3 / 0 / 3"]
    colours = [ax.title.get_color() for ax in fig.get_axes()]
    assert colours[1] == "tab:red" and colours[0] == "tab:green"
    assert fig.legends and fig._suptitle.get_text()
    plt.close(fig)
