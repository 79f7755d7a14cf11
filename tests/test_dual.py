"""labs.dual: the lecture's DualLayer, with the students' rules as arguments."""

import numpy as np
import pytest

from labs import dual
from labs.nn import sgd_update


def _data(n=40, f=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, f))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def test_base_model_calls_no_student_rule_and_learns():
    X, y = _data()
    m = dual.DualLayer().fit(X, y, epochs=200)
    assert m.w1.shape == (5, 10) and m.w2.shape == (10, 1)
    assert m.losses[-1] < m.losses[0] and m.score(X, y) >= 0.9
    assert len(m.w1_history) == 201 and m.w1_history[0] == 1.0


def test_a_missing_rule_is_named():
    with pytest.raises(TypeError, match="regularization_grad=regularization_grad"):
        dual.DualLayer(l2=0.1)
    with pytest.raises(TypeError, match="early_stopping=early_stopping"):
        dual.DualLayer(patience=3)


def test_backprop_matches_finite_differences():
    X, y = _data(12, 3, seed=1)
    m = dual.DualLayer(units=4, init=lambda i, o: np.random.normal(0, 0.5, (i, o)), seed=0)
    m.init_weights(3)
    y2 = y.reshape(-1, 1)
    a = m.activation(m.forpass(X))
    grads = m.backprop(X, -(y2 - a))

    def loss():
        return dual.log_loss(y2, m.activation(m.forpass(X)))

    h = 1e-6
    for name, grad in zip(("w1", "b1", "w2"), grads[:3], strict=True):
        param = getattr(m, name)
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + h
            up = loss()
            param[idx] = old - h
            down = loss()
            param[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-8)


def test_regularization_reaches_weights_only():
    X, y = _data()
    seen = []

    def reg_grad(w, l1=0, l2=0):
        seen.append(w.shape)
        return l2 * w

    def reg_loss(loss, params, l1=0, l2=0):
        assert set(params) == {"w1", "b1", "w2", "b2"}
        return loss + 1.0

    m = dual.DualLayer(l2=0.1, regularization_grad=reg_grad, regularized_loss=reg_loss)
    m.fit(X, y, epochs=3)
    assert seen == [(5, 10), (10, 1)] * 3  # never a bias
    plain = dual.DualLayer().fit(X, y, epochs=3)
    assert m.losses[0] == pytest.approx(plain.losses[0] + 1.0)


def test_dropout_acts_on_hidden_units_in_training_only():
    X, y = _data()
    calls = []

    def fwd(a, rate, training):
        calls.append((a.shape, rate, training))
        return a, np.ones_like(a)

    m = dual.DualLayer(dropout=0.5, dropout_forward=fwd, dropout_backward=lambda g, mask: g)
    m.fit(X, y, epochs=2)
    assert calls == [((40, 10), 0.5, True)] * 2
    m.predict(X)
    m.score(X, y)
    assert len(calls) == 2  # prediction never drops


def test_early_stopping_stops_and_records_the_epoch(capsys):
    X, y = _data()
    m = dual.DualLayer(early_stopping=lambda v, p: len(v) == 4, patience=2)
    m.fit(X, y, epochs=50, x_val=X, y_val=y)
    assert m.stopped_epoch == 3 and len(m.losses) == 4 and len(m.val_losses) == 4
    assert "EarlyStop : Epochs 3" in capsys.readouterr().out


def test_bias_learning_rate_defaults_to_the_learning_rate():
    X, y = _data()
    a = dual.DualLayer(learning_rate=0.1).fit(X, y, epochs=5)
    b = dual.DualLayer(learning_rate=0.1, bias_learning_rate=0.1).fit(X, y, epochs=5)
    c = dual.DualLayer(learning_rate=0.1, bias_learning_rate=1.0).fit(X, y, epochs=5)
    np.testing.assert_array_equal(a.b1, b.b1)
    assert not np.array_equal(a.b1, c.b1)


def test_my_optimizer_steps_the_same_model_as_the_plain_rule():
    """The textbook adapter hands DualLayer's weights (transposed) and biases to a
    my_optimizer-shaped rule and back: plain steps of 1 equal the base model exactly."""
    x, y = _data(f=3)
    base = dual.DualLayer(units=4).fit(x, y, epochs=30)
    adapted = dual.DualLayer(units=4, optimizer=dual.MyOptimizer(sgd_update, "sgd", 1.0))
    adapted.fit(x, y, epochs=30)
    assert adapted.losses == base.losses
    np.testing.assert_array_equal(adapted.w1, base.w1)
    assert adapted.b2 == base.b2


def test_the_lectures_adam_keeps_plain_sums():
    x, y = _data(f=3)
    rule = dual.LectureAdam()
    model = dual.DualLayer(units=4, optimizer=rule)
    model.init_weights(x.shape[1])
    grads = []
    for _ in range(2):
        yy = y.reshape(-1, 1)
        z = model.forpass(x, training=True)
        grads.append(model.backprop(x, -(yy - model.activation(z)))[0])
        model.training(x, yy, len(x))
    np.testing.assert_allclose(rule.m1, 0.9 * grads[0] + grads[1])  # no 1 - beta1 factor
    np.testing.assert_allclose(rule.v1, 0.999 * grads[0] ** 2 + grads[1] ** 2)


def test_one_mini_batch_of_everything_is_the_full_batch():
    x, y = _data(f=3)
    full = dual.DualLayer(units=4).fit(x, y, epochs=20)
    one = dual.DualLayer(units=4, batch_size=len(x), seed=0).fit(x, y, epochs=20)
    np.testing.assert_allclose(one.losses, full.losses, rtol=1e-12)  # samples reordered only
    small = dual.DualLayer(units=4, batch_size=7, seed=0).fit(x, y, epochs=20)
    assert len(small.losses) == 20 and small.losses[-1] < full.losses[-1]  # 6 steps per epoch


def test_the_lectures_momentum_is_nesterov_momentum_as_cs231n_writes_it():
    """Lab 3 says so (section 9, question 11): the lecture's step equals CS231n's Nesterov
    update ``v_prev = v; v = mu * v - lr * g; w += -mu * v_prev + (1 + mu) * v`` with
    lr = 0.01 and mu = 0.9, and differs from the classical ``v = mu * v - lr * g; w += v``."""
    x, y = _data(f=3)
    rule = dual.LectureMomentum()
    model = dual.DualLayer(units=4, optimizer=rule)
    model.init_weights(x.shape[1])
    w, v, classical, cv = model.w1.copy(), np.zeros_like(model.w1), model.w1.copy(), 0.0
    for _ in range(5):
        yy = y.reshape(-1, 1)
        z = model.forpass(x, training=True)
        g = model.backprop(x, -(yy - model.activation(z)))[0]
        model.training(x, yy, len(x))
        v_prev, v = v, 0.9 * v - 0.01 * g
        w = w - 0.9 * v_prev + (1 + 0.9) * v
        cv = 0.9 * cv - 0.01 * g
        classical = classical + cv
        np.testing.assert_allclose(model.w1, w, rtol=1e-12, atol=1e-15)
    assert not np.allclose(model.w1, classical, rtol=1e-9, atol=0)
