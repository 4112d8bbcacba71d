"""Exercises with checked answers, and `expect_error` for cells that must fail.

Each chapter ends with a few exercises. `check(key, answer)` says whether an answer is right
and why, or gives a hint when it is not; it never prints the answer itself. `solution(key)`
shows a worked solution when a learner asks for it.

>>> import kerastutor as kt
>>> result = kt.check("02.steps_per_epoch", 469)
Right: 60,000 / 128 = 468.75, and the last, smaller batch still counts: 469 steps.
>>> bool(result)
True
>>> _ = kt.check("02.steps_per_epoch", 468)
Not yet: that is 60,000 // 128, which drops the 96 samples of the last, partial batch.
Hint: Keras rounds the number of batches up.
>>> bool(kt.check("02.steps_per_epoch", "lots"))
Not yet: expected a whole number, got 'lots'. Hint: Keras rounds the number of batches up.
False
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Exercise",
    "EXERCISES",
    "CheckResult",
    "check",
    "solution",
    "exercises_for",
    "expect_error",
    "expect_warning",
]

Verdict = tuple[bool, str]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question, a checker, a hint and a worked solution."""

    key: str
    question: str
    checker: Callable[..., Verdict]
    hint: str
    solution: str

    @property
    def chapter(self) -> int:
        return int(self.key.split(".")[0])


# ---------------------------------------------------------------- answer helpers


class _Malformed(Exception):
    """An answer of the wrong kind: explained, never raised to the learner."""


#: The most items a checker reads from an answer that is a data set or an iterable: an answer
#: is untrusted input, and an endless one (`ds.repeat()`, `itertools.count()`) must not hang.
MAX_ITEMS = 10_000


def _scalar(answer: Any) -> Any:
    """A tensor, a 0-d array or a NumPy scalar as the Python value it holds."""
    if hasattr(answer, "numpy") and not isinstance(answer, np.ndarray):
        try:
            answer = answer.numpy()
        except Exception:
            return answer
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer[()]
    return answer.item() if isinstance(answer, np.generic) else answer


def _bounded(items: Any, what: str, limit: int = MAX_ITEMS) -> list:
    """Up to `limit` items of an iterable answer; refuse more, so an endless one cannot hang."""
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) > limit:
            raise _Malformed(
                f"{what} goes on past {limit:,} items: is it endless (a .repeat(), a "
                "generator that never stops)? Give a finite one"
            )
    return taken


def _number(answer: Any) -> float:
    answer = _scalar(answer)
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise _Malformed(f"expected a number, got {answer!r}")
    return float(answer)


def _whole(answer: Any) -> int:
    answer = _scalar(answer)
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
            return int(answer)
        raise _Malformed(f"expected a whole number, got {answer!r}")
    return int(answer)


def _keras_model(answer: Any):
    import keras

    if not isinstance(answer, keras.Model):
        raise _Malformed(f"expected a keras.Model, got {type(answer).__name__}")
    return answer


# ---------------------------------------------------------------- chapter 1


def _initial_loss(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - math.log(100)) < 0.05:
        return True, (
            "Right: about 0.01 for each of 100 classes, so the loss starts near "
            "-ln(0.01) = ln(100) ≈ 4.61 on average."
        )
    if abs(value - math.log(10)) < 0.05:
        return False, "ln(10) ≈ 2.30 is where a 10-class model starts; this one has 100 classes."
    if abs(value - 0.01) < 0.005:
        return False, "0.01 is the probability an untrained model gives each class, not the loss."
    return False, f"{value:g} is not the crossentropy of a near-uniform guess over 100 classes."


_BY_HAND_LOGITS = (2.0, 0.0, -1.0)  # classes 0, 1, 2; the true class is 1


def _loss_by_hand(answer, **_) -> Verdict:
    value = _number(answer)
    z = np.array(_BY_HAND_LOGITS)
    log_sum = math.log(float(np.exp(z).sum()))
    right = log_sum - z[1]
    if abs(value - right) < 0.005:
        return True, (
            f"Right: ln(e^2 + e^0 + e^-1) - 0 = {right:.3f}; the softmax gives class 1 only "
            f"p = {math.exp(-right):.3f}."
        )
    if abs(value - math.exp(-right)) < 0.005:
        return False, "that is the probability of the true class; the loss is minus its logarithm."
    if abs(value - (log_sum - z[0])) < 0.005:
        return False, "that is the loss if the true class were 0, the favourite; the image is a 1."
    if value == z[1]:
        return False, "a logit on its own is not a loss: it goes through the softmax first."
    return False, f"{value:g} is not -ln of class 1's softmax probability."


def _loss_for_logits(answer, **_) -> Verdict:
    import keras

    if isinstance(answer, str):
        return False, (
            "a string gives the loss with from_logits=False; this model outputs logits, "
            "so you need a loss object with an argument."
        )
    if not isinstance(answer, keras.losses.SparseCategoricalCrossentropy):
        return False, f"{type(answer).__name__} does not fit integer labels 0-9 and 10 logits."
    if not answer.get_config().get("from_logits"):
        return False, "right loss, but it would treat the logits as probabilities."
    return True, "Right: integer labels, and from_logits=True applies the softmax inside the loss."


# ---------------------------------------------------------------- chapter 2


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


# ---------------------------------------------------------------- chapter 3


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


# ---------------------------------------------------------------- chapter 4


def _exponential_decay(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 0.025) < 1e-9:
        return True, "Right: 0.1 * 0.5 ** (200 / 100) = 0.025."
    if abs(value - 0.05) < 1e-9:
        return False, "that is after one decay period (step 100)."
    return False, f"{value:g} is not 0.1 * 0.5 ** (step / decay_steps) at step 200."


def _momentum_optimizer(answer, **_) -> Verdict:
    import keras

    if isinstance(answer, str):
        return False, "a string gives SGD's defaults: no momentum and learning rate 0.01."
    if not isinstance(answer, keras.optimizers.SGD):
        raise _Malformed(f"expected a keras.optimizers.SGD, got {type(answer).__name__}")
    lr = float(keras.ops.convert_to_numpy(answer.learning_rate))
    if abs(float(answer.momentum) - 0.9) > 1e-6:
        return False, f"momentum is {float(answer.momentum):g}; the exercise asks for 0.9."
    if abs(lr - 0.05) > 1e-7:
        return False, f"learning rate is {lr:g}; the exercise asks for 0.05."
    return True, "Right: SGD(learning_rate=0.05, momentum=0.9)."


def _piecewise(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 0.01) < 1e-9:
        return True, "Right: step 1500 is past the first boundary (1000) but not the second (2000)."
    if abs(value - 0.1) < 1e-9:
        return False, "0.1 applies only up to step 1000."
    if abs(value - 0.001) < 1e-9:
        return False, "0.001 starts after step 2000."
    return False, f"{value:g} is not one of the schedule's three values."


# ---------------------------------------------------------------- chapter 5


def _generator_steps(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 32:
        return True, "Right: ceil(1000 / 32) = 32 batches make one pass over the data."
    if value == 31:
        return False, "31 batches of 32 cover 992 samples and leave 8 out of every epoch."
    return False, f"{value} batches of 32 do not make one pass over 1,000 samples."


def _pydataset(answer, **_) -> Verdict:
    import keras

    if not isinstance(answer, keras.utils.PyDataset):
        raise _Malformed(f"expected a keras.utils.PyDataset, got {type(answer).__name__}")
    if len(answer) != 7:
        return (
            False,
            f"len() is {len(answer)}; 100 samples in batches of 16 make ceil(100/16) batches.",
        )
    sizes = [len(answer[i][0]) for i in range(len(answer))]
    if sizes != [16] * 6 + [4]:
        return False, f"the batches hold {sizes} samples; each should hold 16, the last 4."
    return True, "Right: 7 batches, the last one smaller, each a complete (x, y) batch."


def _tf_dataset(answer, **_) -> Verdict:
    import tensorflow as tf

    if not isinstance(answer, tf.data.Dataset):
        raise _Malformed(f"expected a tf.data.Dataset, got {type(answer).__name__}")
    spec = answer.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        return False, "each element should be an (x, y) pair."
    if spec[0].shape.as_list()[0] is not None:
        return False, "the batch dimension is fixed: use .batch(50) without drop_remainder."
    if int(answer.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
        return False, "this data set never ends (a .repeat() without a count): one pass is wanted."
    sizes = [int(x.shape[0]) for x, _ in _bounded(answer, "this data set", limit=1_000)]
    if sizes != [50] * 20:
        return (
            False,
            f"it yields batches of {sorted(set(sizes))} ({len(sizes)} of them), not 20 of 50.",
        )
    return True, "Right: 1,000 samples in 20 batches of 50."


# ---------------------------------------------------------------- chapters 6-10


def _balanced(answer, **_) -> Verdict:
    if not isinstance(answer, dict) or set(answer) != {0, 1}:
        raise _Malformed(f"expected a dict with the keys 0 and 1, got {answer!r}")
    w0, w1 = _number(answer[0]), _number(answer[1])
    if abs(w0 - 1000 / 1800) < 0.01 and abs(w1 - 5.0) < 0.01:
        return True, "Right: n / (classes x count) gives 1000/1800 ≈ 0.556 and 1000/200 = 5.0."
    if w0 > 0 and abs(w1 / w0 - 9) < 0.05:
        return False, "the ratio 9:1 is right, but the balanced formula gives other values."
    return False, f"with these weights the cats count {900 * w0:g} and the dogs {100 * w1:g}."


def _mask(answer, **_) -> Verdict:
    # Losses 0.9, 0.3, 1.2, 0.6; weights 1, 1, 1, w; Keras reports (2.4 + 0.6 w) / 4 = 0.6.
    value = _number(answer)
    if abs(value) < 1e-9:
        return True, (
            "Right: (0.9 + 0.3 + 1.2 + 0 x 0.6) / 4 = 0.6. The masked sample adds nothing to the "
            "sum but still counts in N = 4."
        )
    reported = (2.4 + 0.6 * value) / 4
    return False, (
        f"with a weight of {value:g} Keras would report (2.4 + 0.6 x {value:g}) / 4 = "
        f"{reported:.3g}, not 0.6."
    )


def _total_loss(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 1.8) < 1e-6:
        return True, "Right: 2.0 x 0.3 + 1.0 x 1.2 = 1.8."
    if abs(value - 1.5) < 1e-6:
        return False, "1.5 is the unweighted sum."
    return False, f"{value:g} is not the weighted sum of the two losses."


def _input_names(answer, **_) -> Verdict:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise _Malformed(f"expected a list or set of names, got {answer!r}")
    names = set(_bounded(answer, "this answer", limit=100))
    if not all(isinstance(name, str) for name in names):
        raise _Malformed("expected names (strings)")
    if names == {"img_input", "ts_input"}:
        return True, "Right: the names given to the two keras.Input layers."
    if names & {"score_output", "class_output"}:
        return False, "those are output names; they key the targets dict."
    return False, f"{sorted(names)} are not this model's input names."


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


def _train_on_batch_calls(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 16:
        return True, "Right: ceil(1000 / 64) = 16 calls, the last with 40 samples."
    if value == 15:
        return False, "15 calls of 64 leave 40 samples untrained."
    return False, f"{value} calls of 64 samples do not make one pass over 1,000."


def _executions(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 10:
        return True, "Right: 100 batches, 10 per call, 10 calls."
    if value == 100:
        return False, "that is the number of batches; each call now runs several."
    return False, f"{value} calls of 10 batches do not make 100 batches."


def _extension(answer, **_) -> Verdict:
    if not isinstance(answer, str):
        raise _Malformed(f"expected a string such as '.xyz', got {answer!r}")
    ext = answer.strip().lower().lstrip("*")
    ext = ext if ext.startswith(".") else "." + ext
    if ext == ".keras":
        return True, "Right: .keras is the Keras 3 format (one zip file)."
    if ext in (".h5", ".hdf5"):
        return False, "HDF5 still works, but it is the legacy format."
    return False, f"Keras 3 does not save whole models as {ext}."


def _weights_suffix(answer, **_) -> Verdict:
    if not isinstance(answer, str):
        raise _Malformed(f"expected a string, got {answer!r}")
    ext = answer.strip().lower()
    ext = ext if ext.startswith(".") else "." + ext
    if ext == ".weights.h5":
        return True, "Right: Keras 3 wants weight files named *.weights.h5."
    if ext == ".h5":
        return False, "close, but Keras 3 asks for a longer suffix that says what the file holds."
    return False, f"save_weights refuses names ending in {ext}."


_HINT_STEPS = "Keras rounds the number of batches up."

EXERCISES: dict[str, Exercise] = {
    e.key: e
    for e in [
        Exercise(
            "01.initial_loss",
            "An untrained classifier for 100 classes, built like the quickstart model (small "
            "initial weights, logits, from_logits=True): about what loss does it report before "
            "any training? Give a number.",
            _initial_loss,
            "Crossentropy is -ln(probability of the true class); what probability does a model "
            "that knows nothing give each of 100 classes?",
            "import math\nanswer = -math.log(1 / 100)  # ≈ 4.605",
        ),
        Exercise(
            "01.loss_by_hand",
            "An image of a 1 gets the logits (2.0, 0.0, -1.0) for the classes 0, 1 and 2. What "
            "is its cross-entropy loss? Give a number.",
            _loss_by_hand,
            "Softmax the logits, then take -ln of the true class's probability; or compute "
            "ln(sum of e^z) - z for the true class.",
            "z = np.array([2.0, 0.0, -1.0])\n"
            "answer = float(np.log(np.exp(z).sum()) - z[1])  # ≈ 2.170",
        ),
        Exercise(
            "01.loss_for_logits",
            "Which loss object fits a model that ends in Dense(10) with no activation and "
            "integer labels 0-9?",
            _loss_for_logits,
            "The loss must know that it receives logits.",
            "answer = keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        ),
        Exercise(
            "02.steps_per_epoch",
            "How many steps does one epoch of 60,000 samples take at batch size 128?",
            _steps_per_epoch,
            _HINT_STEPS,
            "answer = math.ceil(60_000 / 128)  # 469",
        ),
        Exercise(
            "02.validation_split",
            "fit(x, y, validation_split=0.25) on 8,000 samples: what is the index of the first "
            "validation sample?",
            _validation_start,
            "Keras takes the validation samples from the end, before any shuffling.",
            "answer = int(8000 * (1 - 0.25))  # 6000",
        ),
        Exercise(
            "02.best_epoch",
            "In the History you pass (a run validated on validation data), after which epoch "
            "(counted from 1) was val_loss lowest?",
            _best_epoch,
            "Make the History a table with kt.history_to_frame: one row per epoch, numbered from "
            "1 as Keras prints them. Which row has the smallest val_loss?",
            "# the History you check against; in chapter 2: runs['true labels']\n"
            "run = runs['true labels']\n"
            "answer = int(kt.history_to_frame(run)['val_loss'].idxmin())",
        ),
        Exercise(
            "03.onehot_loss",
            "Labels are one-hot rows like [0, 0, 1, 0, ...]. Which crossentropy loss fits them?",
            _onehot_loss,
            "There are two crossentropies for many classes; one expects integers.",
            "answer = 'categorical_crossentropy'",
        ),
        Exercise(
            "03.custom_metric",
            "Write a metric function `mean_abs_prediction(y_true, y_pred)` that returns the "
            "mean absolute value of the predictions.",
            _custom_metric,
            "keras.ops has abs and mean; y_true is not needed.",
            "def answer(y_true, y_pred):\n    return keras.ops.mean(keras.ops.abs(y_pred))",
        ),
        Exercise(
            "03.sum_reduction",
            "Per-sample losses are [0.5, 1.0, 0.25, 0.25]. What does a loss built with "
            "reduction='sum' report for this batch?",
            _sum_reduction,
            "'sum' does not divide by the batch size.",
            "answer = 0.5 + 1.0 + 0.25 + 0.25",
        ),
        Exercise(
            "04.exponential_decay",
            "ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5): what is the learning rate "
            "at step 200?",
            _exponential_decay,
            "Without staircase the rate is initial * decay_rate ** (step / decay_steps).",
            "answer = 0.1 * 0.5 ** (200 / 100)",
        ),
        Exercise(
            "04.momentum_optimizer",
            "Build SGD with learning rate 0.05 and momentum 0.9.",
            _momentum_optimizer,
            "Both are arguments of keras.optimizers.SGD.",
            "answer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)",
        ),
        Exercise(
            "04.piecewise",
            "PiecewiseConstantDecay(boundaries=[1000, 2000], values=[0.1, 0.01, 0.001]): the "
            "learning rate at step 1500?",
            _piecewise,
            "Each boundary switches to the next value.",
            "answer = 0.01",
        ),
        Exercise(
            "05.generator_steps",
            "A generator yields batches of 32 from 1,000 samples forever. What steps_per_epoch "
            "makes one epoch one pass over the data?",
            _generator_steps,
            _HINT_STEPS,
            "answer = math.ceil(1000 / 32)  # 32",
        ),
        Exercise(
            "05.pydataset",
            "Build a keras.utils.PyDataset over the first 100 samples with batches of 16.",
            _pydataset,
            "kt.ArrayPyDataset(x, y, batch_size=...) is one; or subclass PyDataset yourself.",
            "answer = kt.ArrayPyDataset(x[:100], y[:100], batch_size=16)",
        ),
        Exercise(
            "05.tf_data",
            "Build a tf.data.Dataset of the first 1,000 (x, y) pairs in batches of 50.",
            _tf_dataset,
            "from_tensor_slices((x, y)) and then .batch(...).",
            "answer = tf.data.Dataset.from_tensor_slices((x[:1000], y[:1000])).batch(50)",
        ),
        Exercise(
            "06.balanced",
            "900 cats (class 0), 100 dogs (class 1): the balanced class_weight dict?",
            _balanced,
            "Balanced weight of a class = n_samples / (n_classes * count of that class).",
            "answer = kt.balanced_class_weight(np.array([0] * 900 + [1] * 100))",
        ),
        Exercise(
            "06.mask",
            "Per-sample losses 0.9, 0.3, 1.2, 0.6; the first three weigh 1, and Keras (default "
            "reduction) reports 0.6. What is the weight of the fourth sample?",
            _mask,
            "The default reduction is sum(w_i * loss_i) / N, with N the batch size (here 4), "
            "not the sum of the weights.",
            "answer = 0  # (0.9 + 0.3 + 1.2 + w * 0.6) / 4 = 0.6 gives w = 0",
        ),
        Exercise(
            "07.total_loss",
            "loss_weights={'score_output': 2.0, 'class_output': 1.0}; score loss 0.3, class loss "
            "1.2. What total loss does Keras report?",
            _total_loss,
            "The total is the sum of each output's loss times its weight.",
            "answer = 2.0 * 0.3 + 1.0 * 1.2",
        ),
        Exercise(
            "07.input_names",
            "Which keys must the inputs dict passed to fit use for the image + series model?",
            _input_names,
            "Look at the name= of each keras.Input.",
            "answer = ['img_input', 'ts_input']",
        ),
        Exercise(
            "08.initial_epoch",
            "10 epochs, crashed; the newest checkpoint is epoch_03.keras. Which initial_epoch "
            "resumes without repeating or skipping an epoch?",
            _initial_epoch,
            "initial_epoch is the number of epochs already done.",
            "answer = 3",
        ),
        Exercise(
            "08.weights_path",
            "A ModelCheckpoint file path that saves weights only, with the epoch in the name.",
            _weights_path,
            "Keras 3 wants a particular ending for weight files; {epoch} fills in the number.",
            "answer = 'checkpoints/epoch_{epoch:02d}.weights.h5'",
        ),
        Exercise(
            "09.train_on_batch_calls",
            "How many train_on_batch calls make one epoch of 1,000 samples at batch size 64?",
            _train_on_batch_calls,
            _HINT_STEPS,
            "answer = math.ceil(1000 / 64)  # 16",
        ),
        Exercise(
            "09.executions",
            "100 batches an epoch, steps_per_execution=10: how many calls of the compiled "
            "training function per epoch?",
            _executions,
            "Each call runs steps_per_execution batches.",
            "answer = 100 // 10",
        ),
        Exercise(
            "10.extension",
            "Which file extension makes model.save write the Keras 3 format?",
            _extension,
            "It is named after the library.",
            "answer = '.keras'",
        ),
        Exercise(
            "10.weights_suffix",
            "What must a file name given to save_weights end with?",
            _weights_suffix,
            "It says what the file holds, then the HDF5 extension.",
            "answer = '.weights.h5'",
        ),
    ]
}


def _get(key: str) -> Exercise:
    if key not in EXERCISES:
        raise KeyError(f"No exercise {key!r}. Exercises: {', '.join(EXERCISES)}.")
    return EXERCISES[key]


def exercises_for(chapter: int) -> list[Exercise]:
    """The exercises of one chapter, in order."""
    return [e for e in EXERCISES.values() if e.chapter == chapter]


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: truthy when right. Shows nothing itself; `check` already printed."""

    right: bool
    message: str

    def __bool__(self) -> bool:
        return self.right

    def _ipython_display_(self) -> None:
        pass  # the feedback was printed; a trailing "False" would only be noise


def check(key: str, answer: Any, **context: Any) -> CheckResult:
    """Check an answer; print whether it is right and why, or a hint. Truthy if right.

    `None` means "not answered yet". Extra keyword arguments (such as `history=`) give the
    checker what the exercise refers to. A right answer is added to `kt.progress()`.
    """
    exercise = _get(key)
    if answer is None:
        message = f"Not answered yet. {exercise.question} Hint: {exercise.hint}"
        print(message)
        return CheckResult(False, message)
    try:
        right, why = exercise.checker(answer, **context)
    except _Malformed as exc:
        right, why = False, str(exc).rstrip(".") + "."
    except Exception as exc:  # a checker must explain, never hand the learner a traceback
        right, why = (
            False,
            (
                f"this answer could not be checked: looking at it raised {type(exc).__name__}: "
                f"{str(exc)[:200]}. Is it the kind of object the exercise asks for?"
            ),
        )
    message = why if right else f"Not yet: {why} Hint: {exercise.hint}"
    print(message)
    if right:
        _record(key)
    return CheckResult(right, message)


def _record(key: str) -> None:
    """Add a solved exercise to `kt.progress()`; a record that cannot be written only warns."""
    import warnings

    from kerastutor.record import record_solved

    try:
        record_solved(key)
    except Exception as exc:  # a full disk or a locked file must not turn "Right" into an error
        warnings.warn(f"Could not record your progress ({exc}).", RuntimeWarning, stacklevel=3)


def solution(key: str) -> str:
    """Print and return a worked solution (only when you ask for it)."""
    text = _get(key).solution
    print(text)
    return text


@contextlib.contextmanager
def expect_error(*exception_types: type[BaseException], match: str | None = None) -> Iterator[dict]:
    """Run a block that must fail: print the error it raised, and fail loudly if it did not.

    The course uses it to run Keras 2 spellings that Keras 3 refuses. Unlike nbval's
    raises-exception marker (which means *may* raise), a block that succeeds is an error, so
    a notebook stops passing if Keras ever accepts the old spelling again.

    >>> with expect_error(AttributeError, match="fit_generator"):
    ...     object().fit_generator
    Raised as expected: AttributeError: 'object' object has no attribute 'fit_generator'
    """
    types = exception_types or (Exception,)
    caught: dict = {}
    try:
        yield caught
    except types as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(
                f"The block raised {type(exc).__name__}, but its message does not match "
                f"{match!r}: {exc}"
            ) from exc
        caught["error"] = exc
        print(f"Raised as expected: {type(exc).__name__}: {message[:300]}")
        return
    names = ", ".join(t.__name__ for t in types)
    raise AssertionError(f"This block was expected to raise {names}, but it ran without error.")


class _LogRecords(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def expect_warning(match: str) -> Iterator[list[str]]:
    """Run a block that must warn: print the warning, and fail loudly if none matching came.

    Catches Python warnings (`warnings.warn`) and the log lines of the `absl` and `tensorflow`
    loggers, which is how Keras's TensorFlow side warns. The warning is printed as the block's
    output instead of reaching stderr, so a lesson can show it, and a later Keras that stops
    warning makes the notebook fail instead of silently teaching a stale claim.

    >>> import warnings
    >>> with expect_warning("legacy"):
    ...     warnings.warn("this format is legacy")
    Warned as expected: this format is legacy
    """
    import warnings

    handler = _LogRecords()
    loggers = [logging.getLogger(name) for name in ("absl", "tensorflow")]
    saved = [(lg, lg.propagate) for lg in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    messages: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
    messages += [str(w.message) for w in caught] + handler.messages
    matching = [m for m in messages if re.search(match, m)]
    if not matching:
        raise AssertionError(
            f"This block was expected to warn about {match!r}, but it warned "
            f"{'nothing' if not messages else messages}."
        )
    for message in matching:
        print(f"Warned as expected: {message.strip().splitlines()[0][:300]}")
