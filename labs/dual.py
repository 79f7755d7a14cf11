"""The lecture's two-layer network for binary classification (``DualLayer``, seed 002).

x -> ``units`` sigmoid units -> one sigmoid output, log loss, full-batch gradient
steps with the gradient averaged over the samples. Weight matrices are
``(n_in, n_out)`` as in the lecture (``z = x @ w1 + b1``). With the defaults
it is the lecture's base model: weights initialized to ones, biases to zero,
step size 1.

The regularization, dropout, early stopping and initialization rules are the
students' functions, passed in as arguments: the model calls a rule only when
its feature is switched on, so the base model runs before any exercise is done.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["DualLayer", "log_loss"]


def log_loss(y: np.ndarray, a: np.ndarray) -> float:
    """Mean binary cross-entropy, with ``a`` clipped to [1e-10, 1 - 1e-10] as in the lecture."""
    a = np.clip(a, 1e-10, 1 - 1e-10)
    return float(np.sum(-(y * np.log(a) + (1 - y) * np.log(1 - a))) / len(y))


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
    ):
        """``init(n_in, n_out)`` draws a weight matrix (default: ones, the lecture's base
        model). ``l1``/``l2`` switch on ``regularization_grad`` and ``regularized_loss``;
        ``dropout`` > 0 switches on ``dropout_forward``/``dropout_backward`` on the hidden
        layer; ``patience`` switches on ``early_stopping``. ``bias_learning_rate`` defaults
        to ``learning_rate`` (the lecture's learning-rate class stepped the biases by 1).
        ``seed`` seeds ``np.random`` at the start of ``fit`` (dropout masks, random init).
        """
        self.units = units
        self.lr = learning_rate
        self.bias_lr = learning_rate if bias_learning_rate is None else bias_learning_rate
        self.init = init
        self.l1, self.l2 = l1, l2
        self.dropout = dropout
        self.patience = patience
        self.seed = seed
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
        z = np.clip(z, -100, None)
        return 1 / (1 + np.exp(-z))

    def forpass(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The output pre-activation z2; dropout (when on) acts on the hidden activations."""
        z1 = np.dot(x, self.w1) + self.b1
        self.a1 = self.activation(z1)
        hidden = self.a1
        self.mask = None
        if self.dropout and training:
            hidden, self.mask = self._rules["dropout_forward"](self.a1, self.dropout, True)
        self.hidden = hidden
        return np.dot(hidden, self.w2) + self.b2

    def backprop(self, x: np.ndarray, err: np.ndarray):
        m = len(x)
        w2_grad = np.dot(self.hidden.T, err) / m
        b2_grad = np.sum(err) / m
        d_hidden = np.dot(err, self.w2.T)
        if self.mask is not None:
            d_hidden = self._rules["dropout_backward"](d_hidden, self.mask)
        err_to_hidden = d_hidden * self.a1 * (1 - self.a1)
        w1_grad = np.dot(x.T, err_to_hidden) / m
        b1_grad = np.sum(err_to_hidden, axis=0) / m
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
        self.w1 = self.w1 - self.lr * w1_grad
        self.b1 = self.b1 - self.bias_lr * b1_grad
        self.w2 = self.w2 - self.lr * w2_grad
        self.b2 = self.b2 - self.bias_lr * b2_grad
        return a

    def fit(self, x, y, epochs: int = 100, x_val=None, y_val=None) -> DualLayer:
        if self.seed is not None:
            np.random.seed(self.seed)
        y = np.asarray(y).reshape(-1, 1)
        m = len(x)
        self.init_weights(x.shape[1])
        self.w1_history.append(float(self.w1[0, 0]))
        for i in range(epochs):
            a = self.training(x, y, m)
            loss = log_loss(y, a)
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

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1, 1)))
