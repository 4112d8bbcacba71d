"""Chapter 3's exercises."""

from __future__ import annotations

import re

import numpy as np

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import as_number as _number

Verdict = tuple[bool, str]


def _onehot_loss(answer, **_) -> Verdict:
    import keras

    name = answer if isinstance(answer, str) else type(answer).__name__
    normalised = re.sub(r"[^a-z]", "", name.lower())
    if normalised == "categoricalcrossentropy":
        return True, "Right: one-hot rows need categorical (not sparse) crossentropy."
    if normalised == "sparsecategoricalcrossentropy":
        return False, "the sparse version expects integer labels, one number per sample."
    if isinstance(answer, str):
        try:
            keras.losses.get(answer)
        except ValueError:
            raise _Malformed(f"{answer!r} is not a Keras loss name") from None
    return False, f"{name} is not a classification loss for one-hot labels."


def _custom_metric(answer, **_) -> Verdict:
    if not callable(answer):
        raise _Malformed(f"expected a function metric(y_true, y_pred), got {type(answer).__name__}")
    y_pred = np.array([[0.2, -0.8], [0.5, -0.1]], dtype="float32")
    try:
        value = float(np.asarray(answer(np.zeros((2, 2), "float32"), y_pred)))
    except Exception as exc:  # the learner's code: report, don't crash
        return False, f"calling it raised {type(exc).__name__}: {exc}"
    expected = float(np.mean(np.abs(y_pred)))
    if abs(value - expected) < 1e-5:
        return True, "Right: keras.ops.mean(keras.ops.abs(y_pred)) works on every backend."
    if abs(value - float(np.mean(y_pred))) < 1e-5:
        return False, "that is the mean of the predictions; take their absolute values first."
    return False, f"on a test batch it gave {value:.4f}, not the mean absolute prediction."


def _sum_reduction(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 2.0) < 1e-6:
        return True, "Right: 'sum' adds the per-sample losses 0.5 + 1.0 + 0.25 + 0.25 = 2.0."
    if abs(value - 0.5) < 1e-6:
        return False, "0.5 is the mean, the default 'sum_over_batch_size' reduction."
    return False, f"{value:g} is neither the sum nor the mean of the per-sample losses."


EXERCISES = [
    Exercise(
        key="03.onehot_loss",
        kind="recall",
        prompt="Labels are one-hot rows like [0, 0, 1, 0, ...]. Which crossentropy loss fits them?",
        checker=_onehot_loss,
        hints=("There are two crossentropies for many classes; one expects integers.",),
        solution="answer = 'categorical_crossentropy'",
        wrong="answer = 'sparse_categorical_crossentropy'",
    ),
    Exercise(
        key="03.custom_metric",
        kind="recall",
        prompt="Write a metric function `mean_abs_prediction(y_true, y_pred)` that returns the "
        "mean absolute value of the predictions.",
        checker=_custom_metric,
        hints=("keras.ops has abs and mean; y_true is not needed.",),
        solution="def answer(y_true, y_pred):\n    return keras.ops.mean(keras.ops.abs(y_pred))",
        wrong="def answer(y_true, y_pred):\n    return keras.ops.mean(y_pred)",
    ),
    Exercise(
        key="03.sum_reduction",
        kind="recall",
        prompt="Per-sample losses are [0.5, 1.0, 0.25, 0.25]. What does a loss built with "
        "reduction='sum' report for this batch?",
        checker=_sum_reduction,
        hints=("'sum' does not divide by the batch size.",),
        solution="answer = 0.5 + 1.0 + 0.25 + 0.25",
        wrong="answer = 0.5",
    ),
]
