"""Shared test set-up: offline, a private Keras cache, quiet TensorFlow, fixed seeds."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERASTUTOR_OFFLINE"] = "1"

from pathlib import Path

import pytest

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No test sees the user's Keras cache or an instructor's MNIST directory."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("KERASTUTOR_MNIST_DIR", raising=False)
    monkeypatch.setenv("KERASTUTOR_OFFLINE", "1")
    # Right answers checked by tests go to a throw-away progress record, not the user's.
    monkeypatch.setenv("KERASTUTOR_PROGRESS", str(tmp_path / "progress.json"))


@pytest.fixture
def seeded():
    import keras

    keras.utils.set_random_seed(0)
