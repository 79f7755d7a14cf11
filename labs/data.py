"""Load the small datasets in ``data/``.

The files are written once from scikit-learn by ``python -m autograder data``
(``make data``): a CSV file per dataset and its binary cache, ``<name>.npy``.
``data/MANIFEST.json`` records their shapes and SHA-256 checksums, and every load
verifies the checksum of what it reads, so a damaged file is reported, not used. The
cache loads in milliseconds; the CSV is read only when the cache is absent.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

#: The folder holding the data files; ``LABS_DATA_DIR`` overrides it.
DATA_DIR = Path(os.environ.get("LABS_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))


class DataError(RuntimeError):
    """A data file is missing or does not match ``data/MANIFEST.json``."""


@dataclass(frozen=True)
class Dataset:
    """Features ``X`` (one row per sample), integer labels ``y`` and names."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]


@cache
def manifest(data_dir: Path = DATA_DIR) -> dict:
    path = Path(data_dir) / "MANIFEST.json"
    if not path.is_file():
        raise DataError(
            f"{path} is missing. The labs read their data from {data_dir}; "
            "restore it with `git checkout data/` or rebuild it with `make data`."
        )
    return json.loads(path.read_text())


def _checked(path: Path, sha256: str) -> bytes:
    if not path.is_file():
        raise DataError(f"{path} is missing; restore it with `git checkout data/` or `make data`.")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise DataError(
            f"{path} does not match its checksum in MANIFEST.json "
            f"(sha256 {digest[:12]}..., expected {sha256[:12]}...). The file was changed; "
            "restore it with `git checkout data/` or rebuild it with `make data`."
        )
    return raw


def _load(name: str, data_dir: Path = DATA_DIR) -> Dataset:
    entry = manifest(Path(data_dir))["datasets"][name]
    binary = entry.get("binary")
    if binary and (Path(data_dir) / binary["file"]).is_file():
        raw = _checked(Path(data_dir) / binary["file"], binary["sha256"])
        table = np.load(io.BytesIO(raw), allow_pickle=False).astype(np.float64)
        names = tuple(entry["features"])
        path = Path(data_dir) / binary["file"]
    else:
        path = Path(data_dir) / entry["file"]
        lines = _checked(path, entry["sha256"]).decode().splitlines()
        names = tuple(lines[0].split(",")[:-1])
        table = np.loadtxt(lines[1:], delimiter=",", dtype=np.float64, ndmin=2)
    X, y = table[:, :-1], table[:, -1].astype(np.int64)
    expected_shape = tuple(entry["shape"])
    if X.shape != expected_shape:
        raise DataError(f"{path} holds {X.shape} features, MANIFEST.json says {expected_shape}.")
    return Dataset(X, y, names, tuple(entry["target_names"]))


def load_digits() -> Dataset:
    """The 8x8 handwritten digits: 1797 images as 64 pixel values in 0..16, labels 0..9."""
    return _load("digits")


def load_breast_cancer() -> Dataset:
    """Wisconsin breast cancer: 569 samples, 30 features, label 1 = benign, 0 = malignant."""
    return _load("breast_cancer")


def load_moons() -> Dataset:
    """Two interleaving half circles: 300 points in 2-D with noise 0.2, labels 0/1."""
    return _load("moons")


def one_hot(labels: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Rows of one-hot vectors: ``one_hot([2, 0], 3) == [[0, 0, 1], [1, 0, 0]]``."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"one_hot expects a 1-D array of integer labels, got {labels.dtype} "
            f"with shape {labels.shape}."
        )
    n = int(labels.max()) + 1 if n_classes is None else n_classes
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        raise ValueError(f"labels must lie in 0..{n - 1}, got {labels.min()}..{labels.max()}.")
    return np.eye(n)[labels]


@dataclass(frozen=True)
class DigitsSplit:
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray  # one-hot, shape (n_train, 10)
    y_test: np.ndarray  # one-hot, shape (n_test, 10)
    labels_train: np.ndarray  # integer labels
    labels_test: np.ndarray


def digits_split(test_size: float = 0.2, random_state: int = 0) -> DigitsSplit:
    """The digits scaled to [0, 1] and split like the lab: 20 % test, stratified by label."""
    from sklearn.model_selection import train_test_split

    d = load_digits()
    X = d.X / 16.0
    X_tr, X_te, l_tr, l_te = train_test_split(
        X, d.y, test_size=test_size, random_state=random_state, stratify=d.y
    )
    return DigitsSplit(X_tr, X_te, one_hot(l_tr, 10), one_hot(l_te, 10), l_tr, l_te)
