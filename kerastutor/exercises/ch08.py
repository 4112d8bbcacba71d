"""Chapter 8's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import as_whole as _whole

Verdict = tuple[bool, str]


def _initial_epoch(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 3:
        return (
            True,
            "Right: epochs are counted from 0 inside fit, so initial_epoch=3 runs 4, 5, ...",
        )
    if value == 4:
        return False, "initial_epoch=4 would skip the fourth epoch."
    return False, f"initial_epoch={value} does not continue right after epoch 3."


def _weights_path(answer, **_) -> Verdict:
    import keras

    if not isinstance(answer, str):
        raise _Malformed(f"expected a file path string, got {type(answer).__name__}")
    try:
        keras.callbacks.ModelCheckpoint(answer, save_weights_only=True)
    except ValueError as exc:
        return False, f"Keras refuses it: {str(exc).splitlines()[0][:120]}"
    try:  # what ModelCheckpoint does with the name at the end of each epoch
        filled = answer.format(epoch=3, batch=7, loss=0.5, val_loss=0.5)
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        return False, (
            f"ModelCheckpoint fills the name with str.format, which fails on it "
            f"({type(exc).__name__}: {exc}): check the braces."
        )
    if "{epoch" not in answer or filled == answer.format(epoch=4, batch=7, loss=0.5, val_loss=0.5):
        return False, "it is a valid weights path, but the epoch number is not in it."
    return True, "Right: a .weights.h5 name with {epoch} in it."


EXERCISES = [
    Exercise(
        key="08.initial_epoch",
        kind="recall",
        prompt="10 epochs, crashed; the newest checkpoint is epoch_03.keras. Which initial_epoch "
        "resumes without repeating or skipping an epoch?",
        checker=_initial_epoch,
        hints=("initial_epoch is the number of epochs already done.",),
        solution="answer = 3",
        wrong="answer = 4",
    ),
    Exercise(
        key="08.weights_path",
        kind="recall",
        prompt="A ModelCheckpoint file path that saves weights only, with the epoch in the name.",
        checker=_weights_path,
        hints=("Keras 3 wants a particular ending for weight files; {epoch} fills in the number.",),
        solution="answer = 'checkpoints/epoch_{epoch:02d}.weights.h5'",
        wrong="answer = 'ckpt/epoch_{epoch}.h5'",
    ),
]
