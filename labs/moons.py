"""The Deep Learning Specialization's three-layer model on the moons (course 2, week 2).

Written as the specialization writes it: samples are **columns** (``X`` is (2, m), ``Y`` is
(1, m)), the layers are [2, 5, 2, 1] with ReLU, ReLU and a sigmoid output, the weights
start from He initialization with ``np.random.seed(3)``, the cost is the summed
cross-entropy averaged over the epoch, and every epoch reshuffles with the seed increased
by one. What differs: the update of each layer is the student's ``my_optimizer`` of Lab 2,
called on a ``myDenseLayer`` that holds the layer's ``W`` and ``b``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from labs.data import load_moons
from labs.nn import myDenseLayer, myOptParam

__all__ = [
    "load",
    "initialize_parameters",
    "forward_propagation",
    "compute_cost",
    "backward_propagation",
    "random_mini_batches",
    "model",
    "predict",
    "accuracy",
]


def load() -> tuple[np.ndarray, np.ndarray]:
    """The 300 moons, as the specialization loads them: X (2, 300), Y (1, 300)."""
    moons = load_moons()
    return moons.X.T.copy(), moons.y.reshape(1, -1).astype(float)


def initialize_parameters(layers_dims: Sequence[int]) -> dict[str, np.ndarray]:
    """He initialization after ``np.random.seed(3)``: W_l ~ N(0, 2 / n_{l-1}), b_l = 0."""
    np.random.seed(3)
    parameters = {}
    for k in range(1, len(layers_dims)):
        parameters[f"W{k}"] = np.random.randn(layers_dims[k], layers_dims[k - 1]) * np.sqrt(
            2 / layers_dims[k - 1]
        )
        parameters[f"b{k}"] = np.zeros((layers_dims[k], 1))
    return parameters


def forward_propagation(X: np.ndarray, parameters: dict) -> tuple[np.ndarray, tuple]:
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID; the output and a cache."""
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z1 = W1 @ X + b1
    a1 = np.maximum(0, z1)
    z2 = W2 @ a1 + b2
    a2 = np.maximum(0, z2)
    z3 = W3 @ a2 + b3
    a3 = 1 / (1 + np.exp(-z3))
    return a3, (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)


def compute_cost(a3: np.ndarray, Y: np.ndarray) -> float:
    """The summed cross-entropy of a mini-batch (the model divides by m per epoch)."""
    return float(np.sum(-np.log(a3) * Y - np.log(1 - a3) * (1 - Y)))


def backward_propagation(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict:
    """The gradients dW1, db1, ..., db3 of the mini-batch's mean cross-entropy."""
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1.0 / m * (a3 - Y)
    dW3, db3 = dz3 @ a2.T, np.sum(dz3, axis=1, keepdims=True)
    dz2 = (W3.T @ dz3) * (a2 > 0)
    dW2, db2 = dz2 @ a1.T, np.sum(dz2, axis=1, keepdims=True)
    dz1 = (W2.T @ dz2) * (a1 > 0)
    dW1, db1 = dz1 @ X.T, np.sum(dz1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}


def random_mini_batches(X: np.ndarray, Y: np.ndarray, mini_batch_size: int = 64, seed: int = 0):
    """Columns shuffled with ``np.random.permutation`` after ``np.random.seed(seed)``, cut
    into batches of ``mini_batch_size`` and one smaller batch with the rest."""
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation].reshape((1, m))
    complete = math.floor(m / mini_batch_size)
    batches = [
        (
            shuffled_X[:, k * mini_batch_size : (k + 1) * mini_batch_size],
            shuffled_Y[:, k * mini_batch_size : (k + 1) * mini_batch_size],
        )
        for k in range(complete)
    ]
    if m % mini_batch_size:
        batches.append(
            (
                shuffled_X[:, complete * mini_batch_size :],
                shuffled_Y[:, complete * mini_batch_size :],
            )
        )
    return batches


def model(
    X: np.ndarray,
    Y: np.ndarray,
    my_optimizer: Callable[..., object],
    solver: str,
    learning_rate: float = 0.0007,
    layers_dims: Sequence[int] = (2, 5, 2, 1),
    mini_batch_size: int = 64,
    num_epochs: int = 5000,
    print_cost: bool = True,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train with ``my_optimizer(lyr, opt, dW, db, solver, learning_rate, t)`` on every layer
    after every mini-batch, ``t`` counting the updates from 1. Prints the epoch's cost every
    1000 epochs as the specialization does; returns the parameters and the cost every 100."""
    parameters = initialize_parameters(layers_dims)
    layers = [
        (myDenseLayer(n_out, n_in), myOptParam(n_out, n_in))
        for n_in, n_out in zip(layers_dims[:-1], layers_dims[1:], strict=True)
    ]
    costs, t, seed, m = [], 0, 10, X.shape[1]
    for i in range(num_epochs):
        seed += 1
        cost_total = 0.0
        for minibatch_X, minibatch_Y in random_mini_batches(X, Y, mini_batch_size, seed):
            a3, caches = forward_propagation(minibatch_X, parameters)
            cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)
            t += 1
            for k, (lyr, opt) in enumerate(layers, start=1):
                lyr.wegt, lyr.bias = parameters[f"W{k}"], parameters[f"b{k}"].ravel()
                my_optimizer(
                    lyr, opt, grads[f"dW{k}"], grads[f"db{k}"].ravel(), solver, learning_rate, t
                )
                parameters[f"W{k}"], parameters[f"b{k}"] = lyr.wegt, lyr.bias.reshape(-1, 1)
        cost_avg = cost_total / m
        if print_cost and i % 1000 == 0:
            print(f"Cost after epoch {i}: {cost_avg:f}")
        if i % 100 == 0:
            costs.append(cost_avg)
    return parameters, costs


def predict(X: np.ndarray, parameters: dict) -> np.ndarray:
    """0/1 predictions for the columns of X (output above 0.5)."""
    a3, _ = forward_propagation(X, parameters)
    return (a3 > 0.5).astype(int).ravel()


def accuracy(X: np.ndarray, Y: np.ndarray, parameters: dict) -> float:
    return float(np.mean(predict(X, parameters) == Y.ravel()))
