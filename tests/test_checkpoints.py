"""Resuming after a crash never trips over a checkpoint the crash cut short."""

import os
import random
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import kerastutor as kt

TRAIN = r"""
import sys, numpy as np, keras
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).random((64, 784), dtype=np.float32)
y = np.arange(64) % 10
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
saver = keras.callbacks.ModelCheckpoint(sys.argv[1] + "/epoch_{epoch:03d}.keras")
model.fit(x, y, batch_size=64, epochs=10_000, verbose=0, callbacks=[saver])
"""


def test_an_incomplete_newest_file_is_skipped(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.save(tmp_path / "epoch_04.keras")
    whole = (tmp_path / "epoch_04.keras").read_bytes()
    (tmp_path / "epoch_05.keras").write_bytes(whole[: len(whole) // 2])  # cut short
    with pytest.warns(RuntimeWarning, match="epoch_05.keras"):
        epoch, path = kt.latest_checkpoint(str(tmp_path))
    assert (epoch, Path(path).name) == (4, "epoch_04.keras")
    keras.models.load_model(path)


def test_no_checkpoint_says_start_from_scratch(tmp_path):
    with pytest.raises(kt.CheckpointNotFoundError, match="start training from epoch 0"):
        kt.latest_checkpoint(str(tmp_path / "missing"))


def test_killed_during_saves_resumes_every_time(tmp_path):
    """Kill a training process at random moments while ModelCheckpoint writes every epoch
    (a few ms of training, then a save of ~1 MB), and resume from what it left each time."""
    import keras

    rng = random.Random(0)
    partial_seen, trials = 0, 0
    while trials < 4 or (partial_seen == 0 and trials < 10):
        trials += 1
        folder = tmp_path / f"run{trials}"
        folder.mkdir()
        process = subprocess.Popen([sys.executable, "-c", TRAIN, str(folder)])
        try:
            deadline = time.time() + 120
            while len(os.listdir(folder)) < 3 and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        names = sorted(os.listdir(folder))
        newest = folder / names[-1]
        partial_seen += not zipfile.is_zipfile(newest)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the skip notice, when there is one
            epoch, path = kt.latest_checkpoint(str(folder))
        model = keras.models.load_model(path)
        history = model.fit(
            np.zeros((64, 784), "float32"),
            np.zeros(64),
            batch_size=64,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=0,
        )
        assert history.epoch == [epoch]
    assert partial_seen >= 1, f"no kill landed mid-save in {trials} trials"
