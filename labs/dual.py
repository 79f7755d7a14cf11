"""The lecture's two-layer network for binary classification (``DualLayer``, seed 002).

x -> ``units`` sigmoid units -> one sigmoid output, log loss, full-batch gradient
steps with the gradient averaged over the samples. Weight matrices are
``(n_in, n_out)`` as in the lecture (``z = x @ w1 + b1``). With the defaults
it is the lecture's base model: weights initialized to ones, biases to zero,
step size 1.

The regularization, dropout, early stopping and initialization rules are the
students' functions, passed in as arguments: the model calls a rule only when
its feature is switched on, so the base model runs before any exercise is done.

The lecture's later part trains the same model with mini-batches (``batch_size``) and
with its own momentum, RMSprop and Adam classes. Those are ``LectureMomentum``,
``LectureRMSprop`` and ``LectureAdam`` here, written as the lecture wrote them, quirks
included (see each); ``MyOptimizer`` runs the textbook rules of Lab 2's ``my_optimizer``
on the same model instead. Pass one as ``optimizer=``.

``dual_sweep`` trains the same model with several seeds side by side, the weights
stacked along a leading axis, for the fair comparisons of ``labs.fair``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from labs.nn import myDenseLayer, myOptParam

__all__ = [
    "DualLayer",
    "log_loss",
    "LectureMomentum",
    "LectureRMSprop",
    "LectureAdam",
    "MyOptimizer",
    "dual_sweep",
]


def _activation(z: np.ndarray) -> np.ndarray:
    z = np.clip(z, -100, None)
    return 1 / (1 + np.exp(-z))


def _t(a: np.ndarray) -> np.ndarray:
    """The transpose of a matrix, or of every matrix of a stack."""
    return np.swapaxes(a, -1, -2)


def log_loss(y: np.ndarray, a: np.ndarray) -> float | np.ndarray:
    """Mean binary cross-entropy, with ``a`` clipped to [1e-10, 1 - 1e-10] as in the lecture;
    ``a`` (m, 1), or (S, m, 1) for a stack of models, one loss per model."""
    a = np.clip(a, 1e-10, 1 - 1e-10)
    loss = np.sum(-(y * np.log(a) + (1 - y) * np.log(1 - a)), axis=(-2, -1)) / a.shape[-2]
    return float(loss) if np.ndim(loss) == 0 else loss


class DualLayer:
    def __init__(
        self,
        units: int = 10,
        learning_rate: float = 1.0,
        *,
        init: Callable[[int, int], np.ndarray] | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        regularization_grad: Callable[..., np.ndarray] | None = None,
        regularized_loss: Callable[..., float] | None = None,
        dropout: float = 0.0,
        dropout_forward: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
        dropout_backward: Callable[..., np.ndarray] | None = None,
        early_stopping: Callable[..., bool] | None = None,
        patience: int | None = None,
        bias_learning_rate: float | None = None,
        seed: int | None = None,
        batch_size: int | None = None,
        optimizer=None,
    ):
        """``init(n_in, n_out)`` draws a weight matrix (default: ones, the lecture's base
        model). ``l1``/``l2`` switch on ``regularization_grad`` and ``regularized_loss``;
        ``dropout`` > 0 switches on ``dropout_forward``/``dropout_backward`` on the hidden
        layer; ``patience`` switches on ``early_stopping``. ``bias_learning_rate`` defaults
        to ``learning_rate`` (the lecture's learning-rate class stepped the biases by 1).
        ``seed`` seeds ``np.random`` at the start of ``fit`` (dropout masks, random init,
        the mini-batch order). ``batch_size`` trains on shuffled mini-batches, as the
        lecture's ``Minibatch`` class did, instead of the whole set at once. ``optimizer``
        (e.g. ``LectureAdam()``) replaces the plain gradient step.
        """
        self.units = units
        self.lr = learning_rate
        self.bias_lr = learning_rate if bias_learning_rate is None else bias_learning_rate
        self.init = init
        self.l1, self.l2 = l1, l2
        self.dropout = dropout
        self.patience = patience
        self.seed = seed
        self.batch_size = batch_size
        self.optimizer = optimizer
        self._rules = {
            "regularization_grad": regularization_grad,
            "regularized_loss": regularized_loss,
            "dropout_forward": dropout_forward,
            "dropout_backward": dropout_backward,
            "early_stopping": early_stopping,
        }
        needed = []
        if l1 or l2:
            needed += ["regularization_grad", "regularized_loss"]
        if dropout:
            needed += ["dropout_forward", "dropout_backward"]
        if patience is not None:
            needed += ["early_stopping"]
        missing = [name for name in needed if self._rules[name] is None]
        if missing:
            raise TypeError(
                f"DualLayer needs your {', '.join(missing)} for these settings: "
                f"pass {', '.join(f'{m}={m}' for m in missing)}"
            )
        self.w1 = self.b1 = self.w2 = self.b2 = None
        self.a1 = self.mask = None
        self.losses: list[float] = []
        self.val_losses: list[float] = []
        self.w1_history: list[float] = []  # w1[0, 0] before training and after every epoch
        self.stopped_epoch: int | None = None

    # -- the lecture's methods -------------------------------------------------------------
    def init_weights(self, n_features: int) -> None:
        if self.init is None:
            self.w1 = np.ones((n_features, self.units))
            self.w2 = np.ones((self.units, 1))
        else:
            self.w1 = np.array(self.init(n_features, self.units), dtype=float)
            self.w2 = np.array(self.init(self.units, 1), dtype=float)
        self.b1 = np.zeros(self.units)
        self.b2 = 0.0

    def activation(self, z: np.ndarray) -> np.ndarray:
        return _activation(z)  # the lecture's: a sigmoid of z clipped below at -100

    def forpass(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The output pre-activation z2; dropout (when on) acts on the hidden activations."""
        z1 = x @ self.w1 + self.b1
        self.a1 = self.activation(z1)
        hidden = self.a1
        self.mask = None
        if self.dropout and training:
            hidden, self.mask = self._rules["dropout_forward"](self.a1, self.dropout, True)
        self.hidden = hidden
        return hidden @ self.w2 + self.b2

    def backprop(self, x: np.ndarray, err: np.ndarray):
        # written for a stack of models too (labs.fair): .T of the last two axes only, and
        # sums over the samples only
        m = x.shape[-2]
        w2_grad = _t(self.hidden) @ err / m
        b2_grad = np.sum(err, axis=(-2, -1)).reshape(np.shape(self.b2)) / m
        d_hidden = err @ _t(self.w2)
        if self.mask is not None:
            d_hidden = self._rules["dropout_backward"](d_hidden, self.mask)
        err_to_hidden = d_hidden * self.a1 * (1 - self.a1)
        w1_grad = _t(x) @ err_to_hidden / m
        b1_grad = np.sum(err_to_hidden, axis=-2).reshape(np.shape(self.b1)) / m
        return w1_grad, b1_grad, w2_grad, b2_grad

    def params(self) -> dict[str, np.ndarray]:
        return {"w1": self.w1, "b1": self.b1, "w2": self.w2, "b2": np.asarray(self.b2)}

    def training(self, x: np.ndarray, y: np.ndarray, m: int) -> np.ndarray:
        z = self.forpass(x, training=True)
        a = self.activation(z)
        err = -(y - a)
        w1_grad, b1_grad, w2_grad, b2_grad = self.backprop(x, err)
        if self.l1 or self.l2:  # the penalty's gradient joins the weights' gradients only
            reg = self._rules["regularization_grad"]
            w1_grad = w1_grad + reg(self.w1, l1=self.l1, l2=self.l2)
            w2_grad = w2_grad + reg(self.w2, l1=self.l1, l2=self.l2)
        if self.optimizer is not None:
            self.optimizer.step(self, w1_grad, b1_grad, w2_grad, b2_grad)
            return a
        self.w1 = self.w1 - self.lr * w1_grad
        self.b1 = self.b1 - self.bias_lr * b1_grad
        self.w2 = self.w2 - self.lr * w2_grad
        self.b2 = self.b2 - self.bias_lr * b2_grad
        return a

    def gen_batch(self, x: np.ndarray, y: np.ndarray):
        """The lecture's mini-batches: the samples in a new random order (``np.random``),
        cut into batches of ``batch_size`` and a last, smaller one with the rest."""
        indexes = np.random.permutation(np.arange(len(x)))
        x, y = x[indexes], y[indexes]
        for start in range(0, len(x), self.batch_size):
            yield x[start : start + self.batch_size], y[start : start + self.batch_size]

    def epoch(self, x: np.ndarray, y: np.ndarray) -> float:
        """One pass over the training set (whole, or in mini-batches); its mean log loss,
        from the outputs each step computed before its update (as the lecture did)."""
        if self.batch_size is None:
            return log_loss(y, self.training(x, y, len(x)))
        total = 0.0
        for x_batch, y_batch in self.gen_batch(x, y):
            total += log_loss(y_batch, self.training(x_batch, y_batch, len(x_batch))) * len(x_batch)
        return total / len(x)

    def fit(self, x, y, epochs: int = 100, x_val=None, y_val=None) -> DualLayer:
        if self.seed is not None:
            np.random.seed(self.seed)
        y = np.asarray(y).reshape(-1, 1)
        self.init_weights(x.shape[1])
        self.w1_history.append(float(self.w1[0, 0]))
        for i in range(epochs):
            loss = self.epoch(x, y)
            if self.l1 or self.l2:
                loss = float(self._rules["regularized_loss"](loss, self.params(), self.l1, self.l2))
            self.losses.append(loss)
            self.w1_history.append(float(self.w1[0, 0]))
            self.update_val_loss(x_val, y_val)
            if self.patience is not None and x_val is not None:
                if self._rules["early_stopping"](self.val_losses, self.patience):
                    self.stopped_epoch = i
                    print(f"EarlyStop : Epochs {i}")
                    break
        return self

    def update_val_loss(self, x_val, y_val) -> None:
        if x_val is None:
            return
        a = self.activation(self.forpass(x_val))
        self.val_losses.append(log_loss(np.asarray(y_val).reshape(-1, 1), a))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forpass(x) > 0

    def score(self, x: np.ndarray, y: np.ndarray) -> float | np.ndarray:
        """The accuracy; for a stack of models, one per model."""
        hits = np.mean(self.predict(x) == np.asarray(y).reshape(-1, 1), axis=(-2, -1))
        return float(hits) if np.ndim(hits) == 0 else hits


# -- optimizers on DualLayer ----------------------------------------------------------------
# Each steps the model's weights from their gradients: ``step(model, w1_grad, b1_grad,
# w2_grad, b2_grad)``. The lecture's three are copied from its slides, quirks and all: like
# its learning-rate class, they step the biases by the whole gradient.


class LectureMomentum:
    """The lecture's momentum: ``v = -lr * g + momentum * v``, then
    ``w -= lr * g - momentum * v``. The gradient enters twice: each step is
    ``w -= (1 + momentum) * lr * g - momentum**2 * v_before``. That is Nesterov momentum in
    the form CS231n gives it (``v_prev = v; v = mu * v - lr * g; w += -mu * v_prev + (1 + mu)
    * v``), not the classical ``v = momentum * v - lr * g; w += v``."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9):
        self.lr, self.momentum = learning_rate, momentum
        self.v1 = self.v2 = None

    def step(self, model, w1_grad, b1_grad, w2_grad, b2_grad) -> None:
        if self.v1 is None:
            self.v1, self.v2 = np.zeros_like(model.w1), np.zeros_like(model.w2)
        self.v1 = -self.lr * w1_grad + self.momentum * self.v1
        self.v2 = -self.lr * w2_grad + self.momentum * self.v2
        model.w1 = model.w1 - (self.lr * w1_grad - self.momentum * self.v1)
        model.b1 = model.b1 - b1_grad
        model.w2 = model.w2 - (self.lr * w2_grad - self.momentum * self.v2)
        model.b2 = model.b2 - b2_grad


class LectureRMSprop:
    """The lecture's RMSprop, as the textbook writes it: ``h = decay * h + (1 - decay) *
    g**2``, ``w -= lr * g / sqrt(h + epsilon)`` (biases: the plain gradient step)."""

    def __init__(self, learning_rate: float = 0.1, decay_rate: float = 0.99):
        self.lr, self.decay_rate, self.epsilon = learning_rate, decay_rate, 1e-6
        self.h1 = self.h2 = None

    def step(self, model, w1_grad, b1_grad, w2_grad, b2_grad) -> None:
        if self.h1 is None:
            self.h1, self.h2 = np.zeros_like(model.w1), np.zeros_like(model.w2)
        self.h1 = self.decay_rate * self.h1 + (1 - self.decay_rate) * w1_grad * w1_grad
        self.h2 = self.decay_rate * self.h2 + (1 - self.decay_rate) * w2_grad * w2_grad
        model.w1 = model.w1 - self.lr * w1_grad / np.sqrt(self.h1 + self.epsilon)
        model.b1 = model.b1 - b1_grad
        model.w2 = model.w2 - self.lr * w2_grad / np.sqrt(self.h2 + self.epsilon)
        model.b2 = model.b2 - b2_grad


class LectureAdam:
    """The lecture's Adam. Its "bias correction" divides the new term by the constant
    ``1 - beta``, so the moments become plain sums, ``m = beta1 * m + g`` and
    ``v = beta2 * v + g**2``, never corrected by ``1 - beta**t``; the step
    ``lr * m / (sqrt(v) + epsilon)`` is then about ``sqrt(1 - beta2) / (1 - beta1)``, 0.3,
    times the textbook Adam's once the sums have filled up."""

    def __init__(self, learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999):
        self.lr, self.beta1, self.beta2, self.epsilon = learning_rate, beta1, beta2, 1e-6
        self.m1 = self.m2 = self.v1 = self.v2 = None

    def step(self, model, w1_grad, b1_grad, w2_grad, b2_grad) -> None:
        b1, b2 = self.beta1, self.beta2
        if self.m1 is None:
            self.m1, self.m2 = np.zeros_like(model.w1), np.zeros_like(model.w2)
            self.v1, self.v2 = np.zeros_like(model.w1), np.zeros_like(model.w2)
        self.m1 = b1 * self.m1 + ((1 - b1) * w1_grad) / (1 - b1)
        self.v1 = b2 * self.v1 + ((1 - b2) * w1_grad * w1_grad) / (1 - b2)
        self.m2 = b1 * self.m2 + ((1 - b1) * w2_grad) / (1 - b1)
        self.v2 = b2 * self.v2 + ((1 - b2) * w2_grad * w2_grad) / (1 - b2)
        model.w1 = model.w1 - self.lr * self.m1 / (np.sqrt(self.v1) + self.epsilon)
        model.b1 = model.b1 - b1_grad
        model.w2 = model.w2 - self.lr * self.m2 / (np.sqrt(self.v2) + self.epsilon)
        model.b2 = model.b2 - b2_grad


class MyOptimizer:
    """The textbook rules: Lab 2's ``my_optimizer(lyr, opt, W_grad, B_grad, solver,
    learning_rate, iter)`` applied to both layers, weights and biases alike, with the step
    number counted from 1 for Adam's bias correction."""

    def __init__(self, my_optimizer, solver: str, learning_rate: float):
        self.my_optimizer, self.solver, self.lr = my_optimizer, solver, learning_rate
        self.layers: list[tuple[myDenseLayer, myOptParam]] | None = None
        self.t = 0

    def step(self, model, w1_grad, b1_grad, w2_grad, b2_grad) -> None:
        # my_optimizer's layers hold (n_out, n_in) weights and (n_out,) biases: DualLayer's
        # (n_in, n_out) matrices transposed (the rules work element by element)
        if self.layers is None:
            self.layers = [
                (myDenseLayer(*w.T.shape), myOptParam(*w.T.shape)) for w in (model.w1, model.w2)
            ]
        self.t += 1
        (lyr1, opt1), (lyr2, opt2) = self.layers
        lyr1.wegt, lyr1.bias = model.w1.T, np.asarray(model.b1, dtype=float)
        lyr2.wegt, lyr2.bias = model.w2.T, np.atleast_1d(np.asarray(model.b2, dtype=float))
        self.my_optimizer(lyr1, opt1, w1_grad.T, b1_grad, self.solver, self.lr, self.t)
        self.my_optimizer(
            lyr2, opt2, w2_grad.T, np.atleast_1d(b2_grad), self.solver, self.lr, self.t
        )
        model.w1, model.b1 = lyr1.wegt.T, lyr1.bias
        model.w2, model.b2 = lyr2.wegt.T, float(np.asarray(lyr2.bias).reshape(-1)[0])


# -- many seeds side by side (labs.fair) --------------------------------------------------------
def dual_sweep(
    settings: Mapping[str, Mapping],
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    init: Callable[[int, int], np.ndarray],
    epochs: int,
    seeds: Sequence[int],
    units: int = 10,
    learning_rate: float = 1.0,
    **rules,
) -> dict[str, dict]:
    """``DualLayer`` trained with every setting of ``settings`` (``{name: {"l1": ..., "l2":
    ..., "dropout": ...}}``), all seeds side by side in one stacked model: seed k starts
    from ``init(n_in, units)`` and ``init(units, 1)`` after ``np.random.seed(k)``, as
    ``DualLayer(init=init, seed=k)`` does. ``x`` (m, n) and ``y`` (m,) are shared by all
    seeds, or stacked, (S, m, n) and (S, m), one training set per seed; the same for
    ``x_val`` and ``y_val``. Full-batch steps of size ``learning_rate``; ``rules`` are
    your functions, as ``DualLayer`` takes them. Dropout masks are drawn by your
    ``dropout_forward`` for the whole stack at once, after ``np.random.seed(seeds[0])``.

    Returns ``{name: {"val_loss": (S,), "model": the trained stacked DualLayer}}``: the
    validation log loss after the last epoch, and the model (its ``score`` gives one
    accuracy per seed).
    """
    y = np.asarray(y, dtype=float)[..., None]
    y_val = np.asarray(y_val, dtype=float)[..., None]
    starts = []
    for seed in seeds:
        np.random.seed(seed)
        start = DualLayer(units, init=init)
        start.init_weights(x.shape[-1])
        starts.append(start)
    out = {}
    for name, setting in settings.items():
        model = DualLayer(units, learning_rate, **setting, **rules)
        model.w1 = np.stack([s.w1 for s in starts])
        model.w2 = np.stack([s.w2 for s in starts])
        model.b1 = np.zeros((len(seeds), 1, units))
        model.b2 = np.zeros((len(seeds), 1, 1))
        np.random.seed(seeds[0])
        for _ in range(epochs):
            model.training(x, y, x.shape[-2])
        val_loss = log_loss(y_val, model.activation(model.forpass(x_val)))
        out[name] = {"val_loss": val_loss, "model": model}
    return out
