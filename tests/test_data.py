"""load_mnist's sources and errors, and the seeded synthetic data."""

import urllib.request

import numpy as np
import pytest

import kerastutor as kt
from kerastutor import data
from tests.conftest import SHARED_MNIST


def _write_mnist(path, n_train=50, n_test=20, **overrides):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return path


def _no_network(*args, **kwargs):
    raise AssertionError("load_mnist touched the network while offline")


def test_bundled_subset_is_real_stratified_mnist(capsys):
    (x_train, y_train), (x_test, y_test) = kt.load_mnist("bundled")
    assert x_train.shape == (10_000, 28, 28) and x_test.shape == (2_000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    # Stratified: every class keeps roughly its MNIST share (about 9-11 %).
    shares = np.bincount(y_train) / len(y_train)
    assert shares.min() > 0.085 and shares.max() < 0.12
    assert "bundled subset" in capsys.readouterr().out
    assert kt.mnist_info().n_train == 10_000


def test_offline_auto_uses_bundled_without_network(monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    (x_train, _), _ = kt.load_mnist(verbose=False)
    assert len(x_train) == 10_000
    assert kt.mnist_info().source == "the bundled subset"


def test_blocked_network_falls_back_quickly(monkeypatch):
    monkeypatch.setenv("KERASTUTOR_OFFLINE", "0")
    seen = {}

    def refuse(url, timeout):
        seen["timeout"] = timeout
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    (x_train, _), _ = kt.load_mnist(verbose=False)
    assert len(x_train) == 10_000 and seen["timeout"] <= 10


def test_download_is_verified_and_cached(monkeypatch, tmp_path):
    """A download with the wrong checksum is discarded, never left in the cache."""
    import io

    monkeypatch.setenv("KERASTUTOR_OFFLINE", "0")
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"not mnist"))
    kt.load_mnist(verbose=False)
    assert kt.mnist_info().source == "the bundled subset"
    assert not data._keras_cache_file().exists()
    with pytest.raises(ConnectionError, match="source='bundled'"):
        kt.load_mnist("download", verbose=False)


def test_instructor_directory_wins(monkeypatch, tmp_path):
    _write_mnist(tmp_path / "mnist.npz", n_train=30)
    monkeypatch.setenv("KERASTUTOR_MNIST_DIR", str(tmp_path))
    (x_train, _), _ = kt.load_mnist(verbose=False)
    assert len(x_train) == 30 and kt.mnist_info().source == "KERASTUTOR_MNIST_DIR"


def test_instructor_directory_without_file(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASTUTOR_MNIST_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="unset KERASTUTOR_MNIST_DIR"):
        kt.load_mnist(verbose=False)


def test_resolve_source_names_what_load_mnist_reads(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASTUTOR_OFFLINE", "0")
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    assert data.resolve_source(download=False) == ("the bundled subset", data.BUNDLED_MNIST)
    _write_mnist(data._keras_cache_file(), n_train=40)
    assert data.resolve_source() == ("the Keras cache", data._keras_cache_file())
    monkeypatch.setenv("HOME", str(tmp_path))
    _write_mnist(tmp_path / "m" / "mnist.npz", n_train=30)
    monkeypatch.setenv("KERASTUTOR_MNIST_DIR", "~/m")  # `~` expanded, as a shell would
    label, path = data.resolve_source()
    assert (label, path) == ("KERASTUTOR_MNIST_DIR", tmp_path / "m" / "mnist.npz")
    kt.load_mnist(verbose=False)
    assert (kt.mnist_info().source, kt.mnist_info().path) == (label, str(path))


def test_keras_cache_is_used(monkeypatch):
    _write_mnist(data._keras_cache_file(), n_train=40)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    (x_train, _), _ = kt.load_mnist(verbose=False)
    assert len(x_train) == 40 and kt.mnist_info().source == "the Keras cache"


def test_corrupt_file_names_file_and_fix():
    path = data._keras_cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage")
    with pytest.raises(kt.MnistFileError) as info:
        kt.load_mnist(verbose=False)
    assert str(path) in str(info.value) and "source='bundled'" in str(info.value)


@pytest.mark.parametrize(
    "override, message",
    [
        ({"x_train": np.zeros((5, 32, 32), np.uint8)}, "not \\(n, 28, 28\\)"),
        ({"y_test": np.zeros(3, np.uint8)}, "y_test has shape"),
        ({"y_train": None}, "lacks the arrays \\['y_train'\\]"),
        ({"y_train": np.full(50, 12, np.uint8)}, "outside 0-9"),
        # Accepted silently before (issue 11): float images, fractional labels, no images.
        ({"x_train": np.zeros((50, 28, 28), np.float32)}, "dtype float32; MNIST images are uint8"),
        ({"y_train": np.full(50, 0.5)}, "labels are whole numbers"),
        (
            {"x_test": np.zeros((0, 28, 28), np.uint8), "y_test": np.zeros(0, np.uint8)},
            "x_test holds no images",
        ),
    ],
)
def test_wrong_shaped_file(override, message):
    _write_mnist(data._keras_cache_file(), **override)
    with pytest.raises(kt.MnistFileError, match=message):
        kt.load_mnist(verbose=False)


def test_unknown_source():
    with pytest.raises(ValueError, match="Choose one of"):
        kt.load_mnist("internet")


@pytest.mark.skipif(not SHARED_MNIST.exists(), reason="../shared/data/mnist.npz not present")
def test_bundled_images_are_real_mnist_images():
    """Every bundled image appears, with its label, in the full MNIST it was drawn from."""
    (x_sub, y_sub), (xt_sub, yt_sub) = kt.load_mnist("bundled", verbose=False)
    with np.load(SHARED_MNIST) as full:
        x_full, y_full = full["x_train"], full["y_train"]
        lookup = {x_full[i].tobytes(): y_full[i] for i in range(len(x_full))}
    assert all(lookup.get(img.tobytes()) == label for img, label in zip(x_sub[:500], y_sub[:500]))


def test_random_classification_is_seeded():
    a = kt.make_random_classification(seed=3)
    b = kt.make_random_classification(seed=3)
    c = kt.make_random_classification(seed=4)
    assert np.array_equal(a["train"][0], b["train"][0])
    assert not np.array_equal(a["train"][0], c["train"][0])
    x, y = a["train"]
    assert x.shape == (1000, 32) and y.min() >= 0 and y.max() <= 9
    assert a["val"][0].shape == (200, 32) and a["test"][0].shape == (200, 32)


def test_multi_input_data_matches_the_model():
    x, y = kt.make_multi_input_data(n=12, timesteps=7, seed=1)
    assert x["img_input"].shape == (12, 32, 32, 3)
    assert x["ts_input"].shape == (12, 7, 10)
    assert y["score_output"].shape == (12, 1)
    assert np.allclose(y["class_output"].sum(axis=1), 1.0)
    assert all(a.dtype == np.float32 for a in (*x.values(), *y.values()))
    x2, y2 = kt.make_multi_input_data(n=12, timesteps=7, seed=1)
    assert np.array_equal(x["ts_input"], x2["ts_input"])
    assert np.array_equal(y["score_output"], y2["score_output"])
    x3, _ = kt.make_multi_input_data(n=12, timesteps=7, seed=2)
    assert not np.array_equal(x["img_input"], x3["img_input"])


def test_multi_input_data_has_signal_in_both_inputs():
    """The class is the bump's channel and the square's colour; the score, their strength."""
    import colorsys

    x, y = kt.make_multi_input_data(n=400, seed=0)
    labels = y["class_output"].argmax(axis=1)
    assert np.bincount(labels, minlength=5).min() > 50  # every class present
    bump_channel = x["ts_input"].max(axis=1)[:, :5].argmax(axis=1)
    assert (bump_channel == labels).mean() > 0.95
    pixels = x["img_input"].reshape(400, -1, 3)
    brightest = pixels[np.arange(400), pixels.sum(axis=2).argmax(axis=1)]
    colours = np.array([colorsys.hsv_to_rgb(c / 5, 1.0, 1.0) for c in range(5)])
    colours /= np.linalg.norm(colours, axis=1, keepdims=True)
    assert ((brightest @ colours.T).argmax(axis=1) == labels).mean() > 0.8
    strength = x["img_input"].max(axis=(1, 2, 3)) + x["ts_input"].max(axis=(1, 2))
    assert np.corrcoef(strength, y["score_output"][:, 0])[0, 1] > 0.8
    assert abs(y["score_output"].mean()) < 0.1 and 0.12 < y["score_output"].var() < 0.22


@pytest.mark.parametrize(
    "kwargs, message", [({"n_classes": 11}, "n_classes"), ({"timesteps": 2}, "timesteps")]
)
def test_multi_input_data_refuses_what_it_cannot_encode(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kt.make_multi_input_data(n=4, **kwargs)
