"""The given network scaffolding of the optimizers labs (seed lab "Lab3: Optimizers").

A fully connected sigmoid network with the seed lab's names: ``myDenseLayer``
holds ``wegt`` (n_out, n_in) and ``bias`` (n_out,); ``myOptParam`` holds an
optimizer's state; ``my_forward``/``my_backward``/``my_loss``/``my_predict``
run it. The same functions run a *stack* of networks trained side by side
(``labs.fair``): weights ``(S, n_out, n_in)``, biases ``(S, 1, n_out)`` and
samples ``(S, m, n_in)``, every array with one network per entry of its leading
axis. The update rule (``my_optimizer``) and the mini-batching
(``create_mini_batches``) are what students write, so they are *not* here:
``train`` takes them as arguments.

Every layer is a sigmoid layer and the loss the squared error, unless ``relu_softmax``
turns a network (or a stack) into the typical one of today: ReLU hidden layers, He's
initial scale, a softmax output and the cross-entropy loss. Each layer's ``activation``
(``"sigmoid"``, ``"relu"`` or ``"softmax"``) says which; the forward and backward passes,
the loss and the predictions follow it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

__all__ = [
    "myDenseLayer",
    "myOptParam",
    "make_network",
    "sigmoid",
    "relu",
    "softmax",
    "relu_softmax",
    "my_forward",
    "my_backward",
    "my_loss",
    "my_predict",
    "accuracy",
    "train_step",
    "train",
    "sgd_update",
    "TrainingHistory",
]


class myDenseLayer:  # noqa: N801 -- the seed lab's name
    """One dense layer: ``z = a_prev @ wegt.T + bias``.

    Without ``seed`` the weights start at zero (the seed lab's tests overwrite
    them); with a seed they are drawn from N(0, 1/n_in) by a private generator,
    so building a layer never consumes numbers from ``np.random``'s global state.
    ``activation`` is applied to ``z``: ``"sigmoid"`` unless ``relu_softmax`` changed it.
    """

    activation = "sigmoid"

    def __init__(self, n_out: int, n_in: int, seed: int | None = None):
        if seed is None:
            self.wegt = np.zeros((n_out, n_in))
        else:
            rng = np.random.default_rng(seed)
            self.wegt = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_out, n_in))
        self.bias = np.zeros(n_out)

    def __repr__(self) -> str:
        n_out, n_in = self.wegt.shape
        return f"myDenseLayer(n_out={n_out}, n_in={n_in})"


class myOptParam:  # noqa: N801 -- the seed lab's name
    """An optimizer's per-layer state, all zeros at the start.

    ``W_dt``/``B_dt``: the previous step (momentum); ``W_mt``/``B_mt``: first
    moment (Adam); ``W_vt``/``B_vt``: second moment (AdaGrad, RMSprop, Adam).
    """

    def __init__(self, n_out: int, n_in: int):
        self.W_dt = np.zeros((n_out, n_in))
        self.B_dt = np.zeros(n_out)
        self.W_mt = np.zeros((n_out, n_in))
        self.B_mt = np.zeros(n_out)
        self.W_vt = np.zeros((n_out, n_in))
        self.B_vt = np.zeros(n_out)

    def __repr__(self) -> str:
        return "myOptParam(n_out={}, n_in={})".format(*self.W_dt.shape)


def make_network(
    sizes: Sequence[int] = (64, 80, 70, 10), seed: int = 0
) -> tuple[list[myDenseLayer], list[myOptParam]]:
    """Layers and fresh optimizer states for a network with the given layer sizes."""
    layers = [
        myDenseLayer(n_out, n_in, seed=seed + i)
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
    ]
    states = [myOptParam(*layer.wegt.shape) for layer in layers]
    return layers, states


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), computed without overflow for large |z| (SciPy's ``expit``)."""
    return expit(z)


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), element-wise."""
    return np.maximum(z, 0.0)


def softmax(z: np.ndarray) -> np.ndarray:
    """exp(z) / sum(exp(z)) along the last axis, shifted by the maximum so it never
    overflows."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu, "softmax": softmax}


def _activation(layer: myDenseLayer) -> str:
    return getattr(layer, "activation", "sigmoid")


def relu_softmax(layers: Sequence[myDenseLayer]) -> Sequence[myDenseLayer]:
    """Turn a network built by ``make_network`` (or a stack of them) into a ReLU network
    with a softmax output, in place: hidden layers ``"relu"`` with their weights scaled by
    sqrt(2) (He's N(0, 2/n_in) instead of N(0, 1/n_in)), the last layer ``"softmax"``;
    ``my_loss`` is then the cross-entropy. Returns ``layers``."""
    for layer in layers[:-1]:
        layer.activation = "relu"
        layer.wegt = layer.wegt * np.sqrt(2.0)
    layers[-1].activation = "softmax"
    return layers


def my_forward(layers: Sequence[myDenseLayer], X: np.ndarray) -> list[np.ndarray]:
    """The activations of every layer, first hidden layer to output."""
    activations = []
    a = X
    for layer in layers:
        z = a @ np.swapaxes(layer.wegt, -1, -2) + layer.bias
        a = sigmoid(z) if _activation(layer) == "sigmoid" else _ACTIVATIONS[_activation(layer)](z)
        activations.append(a)
    return activations


def my_loss(layers: Sequence[myDenseLayer], X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """Mean squared error J = 1/(2n) * sum_i ||a_out(x_i) - y_i||^2 (y one-hot); for a stack
    of networks, one per network, shape (S,). With a softmax output (``relu_softmax``) the
    cross-entropy J = -1/n * sum_i y_i . log a_out(x_i) instead."""
    out = my_forward(layers, X)[-1]
    if _activation(layers[-1]) == "softmax":
        loss = -np.sum(y * np.log(np.maximum(out, 1e-300)), axis=(-2, -1)) / X.shape[-2]
    else:
        loss = 0.5 * np.sum((out - y) ** 2, axis=(-2, -1)) / X.shape[-2]
    return float(loss) if np.ndim(loss) == 0 else loss


def my_backward(
    layers: Sequence[myDenseLayer],
    activations: Sequence[np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Gradients ``(dJ/dwegt, dJ/dbias)`` of ``my_loss`` for every layer, in layer order."""
    n = X.shape[-2]
    out = activations[-1]
    if _activation(layers[-1]) == "softmax":  # softmax with cross-entropy: dJ/dz = (a - y) / n
        delta = (out - y) / n
    else:
        delta = (out - y) * out * (1.0 - out) / n
    grads: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(len(layers) - 1, -1, -1):
        a_prev = activations[i - 1] if i > 0 else X
        dW = np.swapaxes(delta, -1, -2) @ a_prev
        grads.append((dW, delta.sum(axis=-2).reshape(layers[i].bias.shape)))
        if i > 0 and _activation(layers[i - 1]) == "relu":
            delta = (delta @ layers[i].wegt) * (a_prev > 0)
        elif i > 0:
            delta = (delta @ layers[i].wegt) * a_prev * (1.0 - a_prev)
    return grads[::-1]


def my_predict(layers: Sequence[myDenseLayer], X: np.ndarray) -> np.ndarray:
    """Predicted class labels (the index of the largest output)."""
    return np.argmax(my_forward(layers, X)[-1], axis=-1)


def accuracy(
    layers: Sequence[myDenseLayer], X: np.ndarray, labels: np.ndarray
) -> float | np.ndarray:
    """The fraction of ``labels`` predicted; for a stack of networks, one per network."""
    hits = np.mean(my_predict(layers, X) == np.asarray(labels), axis=-1)
    return float(hits) if np.ndim(hits) == 0 else hits


@dataclass
class TrainingHistory:
    """What ``train`` records: the loss on the whole training set after every epoch,
    the loss of every mini-batch before its update, and the wall time per epoch."""

    epoch_loss: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    learning_rates: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return float(sum(self.epoch_seconds))


def sgd_update(lyr, opt, W_grad, B_grad, solver="sgd", learning_rate=0.01, iter=1):
    """Plain gradient descent with ``my_optimizer``'s signature (the given ``sgd`` branch)."""
    lyr.wegt = lyr.wegt - learning_rate * W_grad
    lyr.bias = lyr.bias - learning_rate * B_grad


Optimizer = Callable[..., None]
Batcher = Callable[..., list]


def train_step(
    layers: Sequence[myDenseLayer],
    states: Sequence[myOptParam],
    X_mini: np.ndarray,
    y_mini: np.ndarray,
    *,
    optimizer: Optimizer,
    solver: str,
    learning_rate: float,
    step: int,
) -> list[np.ndarray]:
    """One update on one mini-batch: forward, backward, then
    ``optimizer(layer, state, dW, dB, solver=..., learning_rate=..., iter=step)`` on every
    layer. Returns the activations of the forward pass, computed before the update."""
    activations = my_forward(layers, X_mini)
    grads = my_backward(layers, activations, X_mini, y_mini)
    for layer, state, (dW, dB) in zip(layers, states, grads, strict=True):
        optimizer(layer, state, dW, dB, solver=solver, learning_rate=learning_rate, iter=step)
    return activations


def train(
    layers: Sequence[myDenseLayer],
    states: Sequence[myOptParam],
    X: np.ndarray,
    y: np.ndarray,
    *,
    optimizer: Optimizer,
    make_batches: Batcher,
    solver: str = "sgd",
    learning_rate: float = 0.01,
    epochs: int = 10,
    batch_size: int = 64,
    seed: int | None = 0,
    record_steps: bool = False,
    lr_schedule: Callable[[int], float] | None = None,
) -> TrainingHistory:
    """Mini-batch training, the loop of the seed lab.

    Every epoch calls ``make_batches(X, y, batch_size)`` (which shuffles with
    ``np.random``; ``seed`` seeds it once before the first epoch), and for
    every mini-batch runs forward, backward and
    ``optimizer(layer, state, dW, dB, solver=..., learning_rate=..., iter=t)``
    on each layer, where ``t`` counts update steps from 1 (Adam's bias
    correction needs the step number). With ``lr_schedule``, epoch ``e``
    (counted from 0) uses ``lr_schedule(e)`` instead of ``learning_rate``;
    ``history.learning_rates`` records the rate of every epoch.
    """
    if seed is not None:
        np.random.seed(seed)
    history = TrainingHistory()
    step = 0
    for epoch in range(epochs):
        lr = learning_rate if lr_schedule is None else float(lr_schedule(epoch))
        history.learning_rates.append(lr)
        start = time.perf_counter()
        for X_mini, y_mini in make_batches(X, y, batch_size):
            step += 1
            activations = train_step(
                layers,
                states,
                X_mini,
                y_mini,
                optimizer=optimizer,
                solver=solver,
                learning_rate=lr,
                step=step,
            )
            if record_steps:
                out = activations[-1]
                history.step_loss.append(float(0.5 * np.sum((out - y_mini) ** 2) / len(X_mini)))
        history.epoch_seconds.append(time.perf_counter() - start)
        history.epoch_loss.append(my_loss(layers, X, y))
    return history
