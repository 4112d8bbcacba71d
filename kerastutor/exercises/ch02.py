"""Chapter 2's exercises."""

from __future__ import annotations

import numpy as np

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import as_whole as _whole

Verdict = tuple[bool, str]


def _steps_per_epoch(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 469:
        return (
            True,
            "Right: 60,000 / 128 = 468.75, and the last, smaller batch still counts: 469 steps.",
        )
    if value == 468:
        return (
            False,
            "that is 60,000 // 128, which drops the 96 samples of the last, partial batch.",
        )
    return False, f"{value} steps of 128 samples would cover {value * 128:,} samples, not 60,000."


def _validation_start(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 6000:
        return (
            True,
            "Right: Keras keeps the first 75 % (indices 0-5999) and validates on 6000-7999.",
        )
    if value == 0:
        return False, "validation_split does not take the first samples."
    if value == 2000:
        return False, "2,000 is how many samples are held out, not where they start."
    return False, f"index {value} is not where the last 25 % of 8,000 samples begins."


def _best_epoch(answer, history=None, **_) -> Verdict:
    if history is None:
        raise _Malformed("pass your History too: check('02.best_epoch', answer, history=history)")
    logs = history.history if hasattr(history, "history") else history
    if "val_loss" not in logs:
        raise _Malformed(
            "this History has no val_loss; a fit with validation_data=(x_val, y_val) logs it "
            "(validation data, never the test set)"
        )
    values = logs["val_loss"]
    best = int(np.argmin(values)) + 1
    value = _whole(answer)
    if value == best:
        return True, f"Right: val_loss is lowest ({values[best - 1]:.4f}) after epoch {best}."
    if value == best - 1:
        return (
            False,
            "off by one: Keras counts epochs from 1 when it prints them, as the table does.",
        )
    if not 1 <= value <= len(values):
        return False, f"this run has epochs 1 to {len(values)}."
    return False, f"after epoch {value} val_loss was {values[value - 1]:.4f}, not the lowest."


EXERCISES = [
    Exercise(
        key="02.steps_per_epoch",
        kind="recall",
        prompt="How many steps does one epoch of 60,000 samples take at batch size 128?",
        checker=_steps_per_epoch,
        hints=("Keras rounds the number of batches up.",),
        solution="answer = math.ceil(60_000 / 128)  # 469",
        wrong="answer = 468",
    ),
    Exercise(
        key="02.validation_split",
        kind="recall",
        prompt="fit(x, y, validation_split=0.25) on 8,000 samples: what is the index of the first "
        "validation sample?",
        checker=_validation_start,
        hints=("Keras takes the validation samples from the end, before any shuffling.",),
        solution="answer = int(8000 * (1 - 0.25))  # 6000",
        wrong="answer = 2000",
    ),
    Exercise(
        key="02.best_epoch",
        kind="recall",
        prompt="In the History you pass (a run validated on validation data), after which epoch "
        "(counted from 1) was val_loss lowest?",
        checker=_best_epoch,
        hints=(
            "Make the History a table with kt.history_to_frame: one row per epoch, numbered from "
            "1 as Keras prints them. Which row has the smallest val_loss?",
        ),
        solution="# the History you check against; in chapter 2: runs['true labels']\n"
        "run = runs['true labels']\n"
        "answer = int(kt.history_to_frame(run)['val_loss'].idxmin())",
        wrong="answer = 1",
        setup=(
            'run = {"val_loss": [0.9, 0.4, 0.5]}\n'
            'runs = {"true labels": run}\n'
            'context = {"history": run}'
        ),
    ),
]
