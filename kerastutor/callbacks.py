"""Keras callbacks of the course: a per-batch loss recorder (and, in `liveplot`, live curves).

Example:

>>> import numpy as np, keras, kerastutor as kt
>>> model = kt.get_compiled_random_data_model()
>>> x, y = kt.make_random_classification()["train"]
>>> history = kt.LossHistory()
>>> _ = model.fit(x, y, batch_size=100, epochs=2, verbose=0, callbacks=[history])
>>> len(history.per_batch_losses)   # 10 batches a epoch, 2 epochs
20
"""

from __future__ import annotations

import keras

__all__ = ["LossHistory"]


class LossHistory(keras.callbacks.Callback):
    """Record the training loss after every batch, in `per_batch_losses`.

    Keras's `History` keeps one value per epoch; this keeps one per step, which shows the noise
    that a small batch size adds. The loss Keras reports at a batch is the running mean over
    the epoch so far, so the list is reset at the start of training, not of each epoch.
    """

    def __init__(self):
        super().__init__()
        self.per_batch_losses: list[float] = []

    def on_train_begin(self, logs=None):
        self.per_batch_losses = []

    def on_train_batch_end(self, batch, logs=None):
        if logs and "loss" in logs:
            self.per_batch_losses.append(float(logs["loss"]))
