"""labs.fair and labs.dual.dual_sweep: stacks of seeds compute what one run per seed does;
the statistics and the choice; Lab 2's stored sweep is what the solution computes."""

import itertools
import json
import shutil

import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import COURSE, ROOT, solution_namespace  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from autograder.authoring import sweeps  # noqa: E402
from autograder.course import Course  # noqa: E402
from labs import fair, nn  # noqa: E402
from labs.data import digits_split, load_breast_cancer, one_hot  # noqa: E402
from labs.dual import DualLayer, dual_sweep, log_loss  # noqa: E402


@pytest.fixture(scope="module")
def my_optimizer():
    return solution_namespace("lab2_optimizers")["my_optimizer"]


@pytest.fixture(scope="module")
def lab3():
    return solution_namespace("lab3_regularization")


@pytest.mark.parametrize("solver", ["momentum", "adam"])
def test_a_stack_of_seeds_trains_each_network_as_train_does(my_optimizer, solver):
    """Network k of the stack ends with exactly the weights `labs.nn.train` gives seed k's
    network on the same batches: the stack changes how the work is laid out, not what it is."""
    split = digits_split()
    X, y = split.X_train[:300], split.y_train[:300]
    seeds = (3, 1)
    stack = fair.digits_runs(my_optimizer, solver, 0.05, X, y, epochs=2, seeds=seeds)
    for k, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)

        def same_batches(X, y, batch_size, rng=rng):
            order = rng.permutation(len(X))
            return [
                (X[order[i : i + batch_size]], y[order[i : i + batch_size]])
                for i in range(0, len(X), batch_size)
            ]

        layers, states = nn.make_network(fair.DIGITS_SIZES, seed=seed)
        nn.train(
            layers,
            states,
            X,
            y,
            optimizer=my_optimizer,
            make_batches=same_batches,
            solver=solver,
            learning_rate=0.05,
            epochs=2,
            seed=None,
        )
        for one, stacked in zip(layers, stack, strict=True):
            np.testing.assert_array_equal(stacked.wegt[k], one.wegt)
            np.testing.assert_array_equal(stacked.bias[k, 0], one.bias)
        assert nn.my_loss(stack, X, y)[k] == pytest.approx(nn.my_loss(layers, X, y), rel=1e-12)
        labels = split.labels_train[:300]
        assert nn.accuracy(stack, X, labels)[k] == nn.accuracy(layers, X, labels)


def test_a_dual_stack_trains_each_model_as_dual_layer_does(lab3):
    """Seed k of `dual_sweep`, with its own training split, ends where `DualLayer(init=...,
    seed=k)` ends on that split, and scores alike."""
    cancer = load_breast_cancer()
    X, y = (cancer.X - cancer.X.mean(axis=0)) / cancer.X.std(axis=0), cancer.y
    seeds = (0, 2)
    X_fits, X_vals, y_fits, y_vals = fair.validation_splits(X, y, seeds=seeds)
    out = dual_sweep(
        {"L2": {"l2": 0.01}},
        X_fits,
        y_fits,
        X_vals,
        y_vals,
        init=lab3["init_weights_xavier"],
        epochs=30,
        seeds=seeds,
        regularization_grad=lab3["regularization_grad"],
        regularized_loss=lambda loss, params, l1, l2: loss,
    )["L2"]
    stack = out["model"]
    a = stack.activation(stack.forpass(X_vals))
    for k, seed in enumerate(seeds):
        X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.2, random_state=seed)
        np.testing.assert_array_equal(X_fits[k], X_fit)
        model = DualLayer(
            init=lab3["init_weights_xavier"],
            seed=seed,
            l2=0.01,
            regularization_grad=lab3["regularization_grad"],
            regularized_loss=lambda loss, params, l1, l2: loss,
        ).fit(X_fit, y_fit, epochs=30, x_val=X_val, y_val=y_val)
        np.testing.assert_allclose(stack.w1[k], model.w1, rtol=1e-12)
        np.testing.assert_allclose(stack.w2[k], model.w2, rtol=1e-12)
        assert out["val_loss"][k] == pytest.approx(model.val_losses[-1], rel=1e-10)
        assert stack.score(X_val, y_val)[k] == model.score(X_val, y_val)
        one = log_loss(y_vals[k][:, None], a[k])
        assert log_loss(y_vals[..., None], a)[k] == pytest.approx(one, rel=1e-12)


def test_dropout_runs_on_the_whole_stack_and_changes_the_result(lab3):
    cancer = load_breast_cancer()
    X = (cancer.X - cancer.X.mean(axis=0)) / cancer.X.std(axis=0)
    common = dict(
        init=lab3["init_weights_xavier"],
        epochs=20,
        seeds=(0, 1, 2),
        dropout_forward=lab3["dropout_forward"],
        dropout_backward=lab3["dropout_backward"],
    )
    out = dual_sweep({"off": {}, "on": {"dropout": 0.5}}, X, cancer.y, X, cancer.y, **common)
    assert out["on"]["model"].w1.shape == (3, 30, 10)
    assert not np.allclose(out["on"]["model"].w1, out["off"]["model"].w1)
    again = dual_sweep({"on": {"dropout": 0.5}}, X, cancer.y, X, cancer.y, **common)
    np.testing.assert_array_equal(again["on"]["model"].w1, out["on"]["model"].w1)


def test_mean_se_and_the_paired_test_agree_with_scipy():
    a, b = [0.97, 0.95, 0.96, 0.99, 0.98], [0.95, 0.95, 0.94, 0.96, 0.97]
    mean, se = fair.mean_se(a)
    assert mean == pytest.approx(0.97) and se == pytest.approx(stats.sem(a))
    diff, diff_se, p = fair.paired(a, b)
    assert diff == pytest.approx(0.016) and diff_se == pytest.approx(stats.sem(np.subtract(a, b)))
    assert p == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert fair.paired(a, a) == (0.0, 0.0, 1.0)  # scipy gives nan: no difference is no evidence


def test_the_same_gain_on_every_seed_is_five_seeds_agreeing_not_p_zero():
    """scipy's t statistic is infinite when every difference is equal; five equal gains are
    as strong as five signs agree: the exact sign-flip p, 2 / 2**5."""
    gain, se, p = fair.paired([1.0, 2.0, 3.0, 4.0, 5.0], [0.9, 1.9, 2.9, 3.9, 4.9])
    assert gain == pytest.approx(0.1) and se == pytest.approx(0.0, abs=1e-15)
    assert p == pytest.approx(0.0625) == fair.min_sign_flip_p(5)
    assert fair.paired([1.0, 2.0], [0.0, 1.0])[2] == pytest.approx(0.5)


def test_the_sign_flip_p_counts_sign_patterns_by_brute_force():
    diff = np.array([0.3, -0.1, 0.2, 0.25, 0.05])
    count = 0
    for signs in itertools.product((1, -1), repeat=5):
        count += abs(np.mean(np.multiply(signs, diff))) >= abs(diff.mean()) - 1e-12
    assert fair.sign_flip_p(diff) == pytest.approx(count / 32)
    assert 0.0625 < fair.sign_flip_p(diff) < 1


def test_holm_multiplies_the_kth_smallest_by_m_minus_k_and_keeps_the_order():
    adjusted = fair.holm({"L1": 0.033, "L2": 0.099, "dropout": 0.009})
    assert adjusted == pytest.approx({"L1": 0.066, "L2": 0.099, "dropout": 0.027})
    # a later p can not come out below an earlier one: 0.04 * 1 is raised to 0.06
    assert fair.holm({"a": 0.01, "b": 0.04, "c": 0.03}) == pytest.approx(
        {"a": 0.03, "b": 0.06, "c": 0.06}
    )
    assert fair.holm({"a": 0.6, "b": 0.7}) == {"a": 1.0, "b": 1.0}


def test_what_one_standard_error_covers_and_the_binomial_error():
    assert f"{fair.se_coverage(5):.2f}" == "0.63"
    assert fair.se_coverage(10_000) == pytest.approx(stats.norm.cdf(1) * 2 - 1, abs=1e-4)
    # a coverage simulation: the interval mean ± se of 5 normal draws
    rng = np.random.default_rng(0)
    draws = rng.normal(size=(20_000, 5))
    se = draws.std(axis=1, ddof=1) / np.sqrt(5)
    assert np.mean(np.abs(draws.mean(axis=1)) < se) == pytest.approx(fair.se_coverage(5), abs=0.01)
    assert f"{fair.binomial_se(0.97, 114):.3f}" == "0.016"


def test_choose_takes_the_lowest_mean_not_the_lowest_single_run():
    results = {"sgd": {1.0: [0.5, 0.01, 0.5], 2.0: [0.2, 0.2, 0.2]}, "adam": {0.1: [0.3]}}
    assert fair.choose(results) == {"sgd": 2.0, "adam": 0.1}


def test_validation_splits_stack_one_split_per_seed():
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20) % 2
    X_fit, X_val, y_fit, y_val = fair.validation_splits(X, y, seeds=(0, 5))
    assert X_fit.shape == (2, 16, 2) and X_val.shape == (2, 4, 2) and y_fit.shape == (2, 16)
    expected = train_test_split(X, y, test_size=0.2, random_state=5)
    for got, want in zip((X_fit[1], X_val[1], y_fit[1], y_val[1]), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(X_val[0], X_val[1])


def test_the_figures_have_titles_labels_and_legends():
    results = {"sgd": {1.0: [0.3, 0.4], 2.0: [0.2, 0.25]}, "adam": {0.01: [0.1, 0.12]}}
    fig = fair.plot_sweep(
        results, {"sgd": 2.0}, title="T", xlabel="rate", ylabel="loss", baseline=("none", [1, 2])
    )
    assert fig._suptitle.get_text() == "T"
    assert all(ax.get_title() and ax.get_xlabel() for ax in fig.axes)
    assert fig.axes[0].get_ylabel() == "loss"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["none", "mean ± standard error", "one seed", "chosen (lowest mean)"]
    for ax in fig.axes[:2]:
        assert "(log scale)" in ax.get_xlabel() and "own y-scale" in ax.get_title()
    fig = fair.plot_sweep(results, {}, title="T", xlabel="rate", ylabel="y", base=2, sharey=True)
    assert fig.axes[0].get_xscale() == "log" and "log₂" in fig.axes[0].get_xlabel()
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()
    ax = fair.plot_seeds({"a": [1, 2, 3], "b": [2, 3, 4]}, title="S", xlabel="x", ylabel="y")
    assert ax.get_title() == "S" and ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "one seed",
        "mean ± standard error",
    ]


def test_the_paired_figure_joins_each_seed_and_shows_its_difference_to_the_baseline():
    values = {"none": [0.95, 0.96, 0.97], "L2": [0.96, 0.96, 0.99], "L1": [0.94, 0.95, 0.97]}
    fig = fair.plot_paired(values, "none", title="T", ylabel="accuracy", seeds=(5, 6, 7))
    left, right = fig.axes
    joined = [line for line in left.get_lines() if len(line.get_xdata()) == 3]
    assert [list(line.get_ydata()) for line in joined] == [
        [0.95, 0.96, 0.94],
        [0.96, 0.96, 0.95],
        [0.97, 0.99, 0.97],
    ]
    dots = [line for line in right.get_lines() if line.get_marker() == "o"]
    dots = sorted(round(float(y), 6) for line in dots for y in line.get_ydata())
    want = np.subtract([values["L2"], values["L1"]], values["none"])
    assert dots == sorted(np.round(want, 6).ravel().tolist())
    p = fair.holm({n: fair.paired(values[n], values["none"])[2] for n in ("L2", "L1")})
    ticks = [t.get_text() for t in right.get_xticklabels()]
    assert ticks == [f"L2\nHolm p = {p['L2']:.3f}", f"L1\nHolm p = {p['L1']:.3f}"]
    assert fair.p_text(0.0004) == "< 0.001" and fair.p_text(0.0471) == "= 0.047"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:3] == ["seed 5", "seed 6", "seed 7"] and "mean ± standard error" in labels
    assert fig._suptitle.get_text() == "T" and right.get_ylabel() == "accuracy minus none's"


def test_a_changed_solution_or_helper_makes_the_stored_sweep_stale(tmp_path):
    """The digest covers the solution of my_optimizer and the helpers that train; a fresh
    file is not stale, and a missing one is reported."""
    assert sweeps.stale(COURSE) == []
    root = tmp_path / "course"
    for part in ("labs", "data"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copytree(ROOT / "source" / sweeps.LAB, root / "source" / sweeps.LAB)
    assert sweeps.stale(Course(root)) == []
    (root / "labs" / "fair.py").write_text((root / "labs" / "fair.py").read_text() + "\n# x\n")
    assert "changed since it was written" in sweeps.stale(Course(root))[0]
    sweeps.path(Course(root)).unlink()
    assert sweeps.stale(Course(root)) == [f"{sweeps.FILE} is missing"]


def test_the_release_carries_the_sweep_the_notebook_plots():
    release = ROOT / "release" / sweeps.LAB / sweeps.FILE
    assert release.read_bytes() == sweeps.path(COURSE).read_bytes()
    loaded = fair.load_sweep(release)
    assert {s: sorted(by) for s, by in loaded.items()} == {
        s: sorted(rates) for s, rates in fair.DIGITS_RATES.items()
    }
    assert all(len(v) == len(fair.SEEDS) for by in loaded.values() for v in by.values())


@pytest.mark.slow
def test_the_stored_sweep_is_what_the_solution_computes():
    """`make sweeps` reruns 100 networks; every stored loss must agree with a fresh run, and
    a changed number is reported."""
    stored = json.loads(sweeps.path(COURSE).read_text())
    fresh = sweeps.compute(COURSE)
    assert sweeps.differences(stored, fresh) == []
    tampered = json.loads(json.dumps(stored))
    tampered["validation_loss"]["adam"]["0.01"][2] *= 1.001
    assert sweeps.differences(tampered, fresh) == [
        f"{sweeps.FILE}: adam at 0.01 gives {fresh['validation_loss']['adam']['0.01']}, "
        f"not {tampered['validation_loss']['adam']['0.01']}"
    ]


def test_the_sweep_finds_each_optimizers_validation_loss(my_optimizer):
    """A small sweep: every optimizer and rate, one value per seed, from the validation set
    only; a solver that is not implemented is left out."""
    split = digits_split()
    X_fit, X_val, l_fit, l_val = fair.validation_split(split.X_train, split.labels_train)

    def only_sgd(lyr, opt, W_grad, B_grad, solver="sgd", learning_rate=0.01, iter=1):
        if solver != "sgd":
            raise NotImplementedError
        my_optimizer(lyr, opt, W_grad, B_grad, solver, learning_rate, iter)

    rates = {"sgd": (1.0, 2.0), "adam": (0.01,)}
    got = fair.digits_sweep(
        only_sgd,
        X_fit,
        one_hot(l_fit, 10),
        X_val,
        one_hot(l_val, 10),
        rates=rates,
        epochs=1,
        seeds=(0, 1, 2),
    )
    assert list(got) == ["sgd"] and sorted(got["sgd"]) == [1.0, 2.0]
    assert all(len(v) == 3 and all(0 < x < 1 for x in v) for v in got["sgd"].values())
    assert len(X_val) == 288 and len(X_fit) == 1149
