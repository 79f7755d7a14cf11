import numpy as np
import pytest

from labs import nn


def _net(seed=3):
    layers, states = nn.make_network((5, 4, 3, 2), seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, 5))
    y = np.eye(2)[rng.integers(0, 2, size=7)]
    return layers, states, X, y


@pytest.mark.parametrize("relu_softmax", [False, True], ids=["sigmoid", "relu-softmax"])
def test_backward_matches_finite_differences(relu_softmax):
    """Both networks: sigmoids on the squared error, and lab 2's contrast network (ReLU
    hidden layers, a softmax output on the cross-entropy)."""
    layers, _, X, y = _net()
    if relu_softmax:
        nn.relu_softmax(layers)
        for layer in layers:
            layer.bias = layer.bias + 0.1  # keep the ReLUs off their kink at 0
    grads = nn.my_backward(layers, nn.my_forward(layers, X), X, y)
    h = 1e-6
    for layer, (dW, dB) in zip(layers, grads, strict=True):
        for param, grad in ((layer.wegt, dW), (layer.bias, dB)):
            assert grad.shape == param.shape
            numeric = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                old = param[idx]
                param[idx] = old + h
                up = nn.my_loss(layers, X, y)
                param[idx] = old - h
                down = nn.my_loss(layers, X, y)
                param[idx] = old
                numeric[idx] = (up - down) / (2 * h)
            np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


def test_relu_softmax_loss_is_the_cross_entropy_of_a_softmax():
    layers, _, X, y = _net()
    nn.relu_softmax(layers)
    out = nn.my_forward(layers, X)[-1]
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)
    assert nn.my_loss(layers, X, y) == pytest.approx(-np.mean(np.log(out[y == 1])))
    assert all(np.all(a >= 0) for a in nn.my_forward(layers, X)[:-1])


def test_layers_do_not_touch_the_global_random_state():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    nn.myDenseLayer(3, 4, seed=1)
    nn.myDenseLayer(3, 4)
    nn.make_network((4, 3, 2), seed=0)
    assert np.random.rand() == expected  # the seed lab's test relies on this


def test_layer_and_state_shapes():
    layer, state = nn.myDenseLayer(3, 4), nn.myOptParam(3, 4)
    assert layer.wegt.shape == (3, 4) and layer.bias.shape == (3,)
    assert not layer.wegt.any()
    for name in ("W_dt", "W_mt", "W_vt"):
        assert getattr(state, name).shape == (3, 4) and not getattr(state, name).any()
    for name in ("B_dt", "B_mt", "B_vt"):
        assert getattr(state, name).shape == (3,)
    seeded = nn.myDenseLayer(80, 64, seed=0)
    assert abs(seeded.wegt.std() - 1 / 8) < 0.01


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(all="raise"):
        out = nn.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_train_calls_the_optimizer_per_layer_with_step_numbers_from_one():
    layers, states, X, y = _net()
    calls = []

    def spy(lyr, opt, dW, dB, solver, learning_rate, iter):
        calls.append((id(lyr), solver, learning_rate, iter, dW.shape))
        lyr.wegt = lyr.wegt - learning_rate * dW

    def batches(X, y, batch_size):
        return [
            (X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(X), batch_size)
        ]

    history = nn.train(
        layers,
        states,
        X,
        y,
        optimizer=spy,
        make_batches=batches,
        solver="adam",
        learning_rate=0.5,
        epochs=2,
        batch_size=4,
        record_steps=True,
    )
    # 7 samples in batches of 4 -> 2 steps per epoch, 3 layers -> 12 calls
    assert len(calls) == 12
    assert [c[3] for c in calls] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert {c[1] for c in calls} == {"adam"} and {c[2] for c in calls} == {0.5}
    assert [c[0] for c in calls[:3]] == [id(layer) for layer in layers]
    assert len(history.epoch_loss) == 2 and len(history.step_loss) == 4
    assert history.epoch_loss[1] < history.epoch_loss[0]
    assert history.seconds > 0


def test_predict_and_accuracy():
    layers, _, X, _ = _net()
    pred = nn.my_predict(layers, X)
    assert pred.shape == (7,) and set(pred) <= {0, 1}
    assert nn.accuracy(layers, X, pred) == 1.0
    assert nn.accuracy(layers, X, 1 - pred) == 0.0


@pytest.mark.parametrize("sizes", [(64, 80, 70, 10), (2, 1)])
def test_make_network(sizes):
    layers, states = nn.make_network(sizes, seed=0)
    assert [layer.wegt.shape for layer in layers] == [
        (o, i) for i, o in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    assert len(states) == len(layers)
