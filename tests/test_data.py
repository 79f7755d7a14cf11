import hashlib
import json
import shutil

import numpy as np
import pytest
from sklearn import datasets as skd

from autograder.authoring import datasets
from labs import data


def test_files_match_their_manifest():
    manifest = json.loads((data.DATA_DIR / "MANIFEST.json").read_text())
    assert set(manifest["datasets"]) == {"digits", "breast_cancer", "moons"}
    for entry in manifest["datasets"].values():
        raw = (data.DATA_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == entry["sha256"]
        raw = (data.DATA_DIR / entry["binary"]["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == entry["binary"]["sha256"]


def test_data_folder_is_what_make_data_writes():
    for name, content in datasets.planned_files().items():
        assert (data.DATA_DIR / name).read_bytes() == content, f"data/{name} is stale: make data"


@pytest.mark.parametrize(
    ("loader", "reference", "shape"),
    [
        (data.load_digits, skd.load_digits, (1797, 64)),
        (data.load_breast_cancer, skd.load_breast_cancer, (569, 30)),
    ],
)
def test_loaders_equal_scikit_learn_exactly(loader, reference, shape):
    mine, ref = loader(), reference()
    assert mine.X.shape == shape
    np.testing.assert_array_equal(mine.X, ref.data)  # bit for bit: the lecture's numbers rely on it
    np.testing.assert_array_equal(mine.y, ref.target)
    assert mine.target_names == tuple(str(t) for t in ref.target_names)


def test_moons_are_the_assignment_moons():
    X, y = skd.make_moons(n_samples=300, noise=0.2, random_state=3)
    moons = data.load_moons()
    np.testing.assert_array_equal(moons.X, X)
    np.testing.assert_array_equal(moons.y, y)


def _copy_data(tmp_path):
    for p in data.DATA_DIR.iterdir():
        shutil.copy(p, tmp_path / p.name)
    data.manifest.cache_clear()
    return tmp_path


def test_a_changed_file_is_reported_with_the_fix(tmp_path):
    d = _copy_data(tmp_path)
    with open(d / "moons.npy", "ab") as fh:  # the binary cache, read first
        fh.write(b"\0")
    with pytest.raises(data.DataError, match=r"moons.npy does not match its checksum.*make data"):
        data._load("moons", d)
    (d / "moons.npy").unlink()  # without the cache, the CSV is read and checked
    with open(d / "moons.csv", "a") as fh:
        fh.write("0.5,0.5,1\n")
    with pytest.raises(data.DataError, match=r"moons.csv does not match its checksum"):
        data._load("moons", d)


@pytest.mark.parametrize("name", ["digits", "breast_cancer", "moons"])
def test_the_binary_cache_holds_exactly_the_csvs_table(tmp_path, name):
    d = _copy_data(tmp_path)
    cached = data._load(name, d)
    (d / f"{name}.npy").unlink()
    parsed = data._load(name, d)
    np.testing.assert_array_equal(cached.X, parsed.X)
    np.testing.assert_array_equal(cached.y, parsed.y)
    assert cached.X.dtype == parsed.X.dtype == np.float64
    assert cached.feature_names == parsed.feature_names


def test_a_missing_manifest_is_reported(tmp_path):
    with pytest.raises(data.DataError, match="MANIFEST.json is missing"):
        data._load("moons", tmp_path)
    data.manifest.cache_clear()


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="integer labels"):
        data.one_hot(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.1"):
        data.one_hot(np.array([0, 2]), 2)


def test_digits_split_is_the_labs_split():
    s = data.digits_split()
    assert s.X_train.shape == (1437, 64) and s.X_test.shape == (360, 64)
    assert s.y_train.shape == (1437, 10) and s.X_train.max() == 1.0 and s.X_train.min() == 0.0
    np.testing.assert_array_equal(s.y_test.argmax(axis=1), s.labels_test)
    # stratified: every digit appears in the test set in proportion
    counts = np.bincount(s.labels_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37
    again = data.digits_split()
    np.testing.assert_array_equal(s.X_train, again.X_train)
