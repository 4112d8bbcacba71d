"""Chapter 1's exercises: the batch size against the noise of each batch's loss (the guided
experiment's prediction), a cross-entropy by hand (recall), a run whose curves show a
`from_logits` mismatch (diagnose), and a quickstart model cell with two bugs (debug)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kerastutor._arrays import to_numpy
from kerastutor.backends import set_random_seed
from kerastutor.exercises.engine import Exercise, Malformed, experiment_run, the_experiment
from kerastutor.exercises.factories import Property, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 01.batch_noise (predict)

#: The two batch sizes the prediction compares: `fit`'s default, and four times as many images.
SMALL, LARGE = 32, 128

LARGER, SAME, HALVED, QUARTERED = "larger", "about the same", "halved", "quartered"


def _spreads(context: Mapping[str, Any]) -> tuple[float, float]:
    """The measured spread of each batch's loss at batch 32 and 128 (run if not run yet)."""
    experiment = the_experiment(context, "01.batch_noise", needs=("results",))
    spreads = []
    for batch_size in (SMALL, LARGE):
        run = experiment_run(
            experiment,
            batch_size,
            no_such_run=_(
                "this experiment has no batch size {batch_size}: pass the experiment of section 9"
            ).format(batch_size=batch_size),
            not_run_yet=_("this experiment has no run at batch size {batch_size} yet").format(
                batch_size=batch_size
            ),
        )
        spreads.append(float(run["spread"]))
    return spreads[0], spreads[1]


def _noise_outcome(context: Mapping[str, Any]) -> str:
    """What the run showed: the factor by which the spread fell, to the nearest of 1/2, 1, 2, 4."""
    small, large = _spreads(context)
    factor = small / large if large > 0 else math.inf
    if factor >= 2 * math.sqrt(2):
        return QUARTERED
    if factor >= math.sqrt(2):
        return HALVED
    if factor > 1 / math.sqrt(2):
        return SAME
    return LARGER


def _noise_evidence(pick: str, context: Mapping[str, Any]) -> str:
    small, large = _spreads(context)
    factor = small / large if large > 0 else math.inf
    told = _(
        "Your run: the spread of each batch's loss was {small:.3f} at batch {small_batch} and "
        "{large:.3f} at batch {large_batch}, {factor:.2f} times smaller with four times the "
        "images a batch."
    ).format(small=small, small_batch=SMALL, large=large, large_batch=LARGE, factor=factor)
    if pick == _noise_outcome(context) == HALVED:
        told += " " + _(
            "A batch's loss is the mean of its images' losses, and the mean of b independent "
            "numbers spreads like 1/sqrt(b): four times the images, sqrt(4) = 2 times less "
            "spread. That is why the legend's spread x sqrt(b) stays about the same for every "
            "batch size."
        )
    return told


_NOISE_OPTIONS = {
    LARGER: N_(
        "you predicted more noise from a bigger batch; but a bigger batch averages the loss over "
        "more images, and an average of more numbers jumps around less."
    ),
    SAME: N_(
        "you predicted that the batch size does not matter to the noise; but each batch's loss "
        "is an average over the batch, so the number of images it averages over should show."
    ),
    HALVED: N_("you predicted that four times the images a batch halve the spread."),
    QUARTERED: N_(
        "you predicted the spread to fall in proportion to the batch size. Averaging does "
        "shrink the spread, but more slowly than the number of images grows: compare the "
        "two spreads."
    ),
}


# ---------------------------------------------------------------- 01.loss_by_hand (recall)

_LOGITS = np.array([2.0, 0.0, -1.0])  # classes 0, 1, 2; the image is a 1
_LOG_SUM = float(np.log(np.exp(_LOGITS).sum()))
_LOSS_FOR_1 = _LOG_SUM - float(_LOGITS[1])


def _not_the_loss(value: float) -> str:
    if abs(value - _LOSS_FOR_1) <= 0.05:
        return _(
            "{value:g} is close, but rounded too far: give the loss to 3 decimals (the check "
            "accepts 0.005 either side)."
        ).format(value=value)
    return _("{value:g} is not -ln of class 1's softmax probability.").format(value=value)


# ---------------------------------------------------------------- 01.diagnose_run (diagnose)


def colleagues_run(x_train, y_train, x_val, y_val):
    """The run that 01.diagnose_run shows: five epochs of a model with one mistake in it.

    Trained for real, seeded, on the images you pass (training images, and validation images
    to validate on), in a few seconds. What went wrong is the exercise, so its code sits
    here rather than in the notebook; `kt.solution("01.diagnose_run")` names it.

    The History it returns also holds `first_epoch_batches`: the loss of each batch of the
    first epoch, before that batch's update (what `fit` logs is their running mean).
    """
    import keras

    from kerastutor.models import get_quickstart_model

    class RunningMeans(keras.callbacks.Callback):
        """The logged loss after each batch of epoch 1: a running mean over the epoch."""

        def on_train_begin(self, logs=None):
            self.means = []

        def on_train_batch_end(self, batch, logs=None):
            if len(self.means) == batch:  # the first epoch only (batch restarts at 0)
                self.means.append(float(logs["loss"]))

    set_random_seed(7)
    model = get_quickstart_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    means = RunningMeans()
    history = model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=5,
        validation_data=(x_val, y_val),
        verbose=0,
        callbacks=[means],
    )
    # Undo the running mean: batch k's loss is k * mean_k - (k - 1) * mean_(k-1) (every batch
    # holds 64 images when 64 divides the training images, as it does for 8,000).
    sums = np.arange(1, len(means.means) + 1) * np.array(means.means, dtype="float64")
    history.first_epoch_batches = np.diff(sums, prepend=0.0)
    return history


def _logs(context: Mapping[str, Any]) -> dict | None:
    history = context.get("history")
    logs = getattr(history, "history", history)
    if isinstance(logs, Mapping) and {"loss", "accuracy", "val_accuracy"} <= set(logs):
        return logs
    return None


def _stuck(context: Mapping[str, Any]) -> bool:
    """The JAX and PyTorch picture of the mistake: the loss stays far above ln 10.

    Given logits, `from_logits=False` computes different numbers on each backend. TensorFlow
    clips, then rescales each row to sum 1: the model still learns, badly, and its loss sits
    near ln 10. JAX and PyTorch rescale first, dividing by the row's sum (near 0 or negative for
    logits), then clip: the loss stays far above ln 10 and accuracy stays low.
    """
    logs = _logs(context)
    return logs is not None and min(logs["loss"]) > 2 * math.log(10)


def _final_accuracy(context: Mapping[str, Any]) -> str:
    """The run's last validation accuracy, as the feedback quotes it."""
    return f"{float(_logs(context)['val_accuracy'][-1]):.2f}"


def _seen(pick: str, context: Mapping[str, Any]) -> str:
    """The run's numbers, when the History was passed (`history=...`)."""
    logs = _logs(context)
    if logs is None:
        return ""
    told = _(
        "In this run the training loss went from {first:.2f} to "
        "{last:.2f} (ln 10 = {ln10:.2f}), while validation accuracy "
        "reached {best:.2f} and ended at {final:.2f}."
    ).format(
        first=logs["loss"][0],
        last=logs["loss"][-1],
        ln10=math.log(10),
        best=max(logs["val_accuracy"]),
        final=logs["val_accuracy"][-1],
    )
    batches = getattr(context.get("history"), "first_epoch_batches", None)
    if pick == "from_logits mismatch" and batches is not None and len(batches) > 10:
        if _stuck(context):
            told += " " + _(
                "Its first batch scored {first:.1f}, and no batch of epoch 1 came down "
                "to ln 10: the lowest scored {lowest:.1f}."
            ).format(first=batches[0], lowest=min(batches))
        else:
            told += " " + _(
                "Its first batch scored {first:.1f}, close to the 9.4 that section 4's "
                "table gives this mistake on TensorFlow; within 10 batches it was down to "
                "{tenth:.1f}. The epoch-1 point, {epoch1:.2f}, is the running "
                "mean over all {count} batches of that epoch (section 8), which hides "
                "the high start."
            ).format(first=batches[0], tenth=batches[9], epoch1=logs["loss"][0], count=len(batches))
    return told


def _loss_level(context: Mapping[str, Any]) -> str:
    logs = _logs(context) or {"loss": [float("nan")]}
    return _("{loss:.1f}, {times:.1f} times ln 10").format(
        loss=logs["loss"][-1], times=logs["loss"][-1] / math.log(10)
    )


def _over_fitting(pick: str, context: Mapping[str, Any]) -> str:
    told = _(
        "over-fitting shows a training loss that keeps falling while the validation loss turns up."
    )
    if _stuck(context):
        return (
            told
            + " "
            + _(
                "Here the training loss never falls below {lowest:.1f}, far "
                "above even ln 10, where a model that knows nothing starts: the model does not "
                "even fit its own training images."
            ).format(lowest=min(_logs(context)["loss"]))
        )
    return (
        told
        + " "
        + _(
            "Here the training loss stays near ln 10 from the first epoch to the last, and "
            "training accuracy is no better than validation accuracy: the model does not even fit "
            "its own training images."
        )
    )


def _learning_rate(pick: str, context: Mapping[str, Any]) -> str:
    told = _(
        "a learning rate that is too high throws the weights about: the loss shoots up, then "
        "sits at ln 10, and accuracy falls to chance, 0.10 (section 11's answer)."
    )
    if _stuck(context):
        return (
            told
            + " "
            + _(
                "Accuracy is low here too ({accuracy}), but the loss does not sit at ln 10: it "
                "stays near {level}. A model that guesses has a cross-entropy of about "
                "ln 10, so this number is not the cross-entropy of what the model outputs."
            ).format(level=_loss_level(context), accuracy=_final_accuracy(context))
        )
    return told + " " + _("Here accuracy stays far above chance.")


def _mismatch(pick: str, context: Mapping[str, Any]) -> str:
    cause = _(
        "Its last layer outputs logits, and the loss was given by its name, "
        '"sparse_categorical_crossentropy", which means from_logits=False: the loss treats the '
        "logits as probabilities, so neither the number nor its gradient is the cross-entropy"
    )
    if _stuck(context):
        return _(
            "a loss that disagrees with the accuracy: it stays near {level}, "
            "while validation accuracy ends at only {accuracy}; even a model that guesses has a "
            "true cross-entropy of about ln 10. "
            "{cause}. On JAX and PyTorch this loss divides each row of logits by its sum, which "
            "can be near 0 or negative, and the model learns nothing useful from it. (TensorFlow "
            "clips before it rescales; there the same mistake still learns, badly.)"
        ).format(level=_loss_level(context), cause=cause, accuracy=_final_accuracy(context))
    return _(
        "a model that gets most digits right yet reports the loss of a model that knows "
        "nothing. {cause}, and the model learns much worse than it could."
    ).format(cause=cause)


def _shuffled(pick: str, context: Mapping[str, Any]) -> str:
    told = _(
        "with shuffled labels there is nothing to learn, and validation accuracy would stay "
        "near chance, 0.10."
    )
    if _stuck(context):
        return (
            told
            + " "
            + _(
                "Accuracy is low here too ({accuracy}), but the loss is not where shuffled "
                "labels leave it, near ln 10: it stays near {level}, which no cross-entropy of a "
                "guessing model reports."
            ).format(level=_loss_level(context), accuracy=_final_accuracy(context))
        )
    return (
        told
        + " "
        + _("Here the model gets most validation digits right, so it did learn from its labels.")
    )


_DIAGNOSES = {
    "over-fitting": _over_fitting,
    "learning rate too high": _learning_rate,
    "from_logits mismatch": _mismatch,
    "labels shuffled": _shuffled,
}


# ---------------------------------------------------------------- 01.fix_the_model (debug)

_DATA: dict[str, Any] = {}


def _images() -> tuple[np.ndarray, np.ndarray]:
    """1,000 training images in [0, 1] and their labels (from the bundled MNIST, cached)."""
    if "x" not in _DATA:
        from kerastutor.data import load_mnist, split_validation

        (x, y), _test = load_mnist("bundled", verbose=False)
        (x, y), _validation = split_validation(x, y, 2000, seed=0)  # training images only
        _DATA["x"], _DATA["y"] = x[:1000].astype("float32") / 255.0, y[:1000]
    return _DATA["x"], _DATA["y"]


def _built(answer: Any):
    """The model to test: the learner's function called (seeded), or a model handed in."""
    import keras

    if isinstance(answer, keras.Model):
        return answer
    if not callable(answer) or isinstance(answer, type):
        raise Malformed(
            _(
                "expected the fixed function build_quickstart (or the model it returns), got {got}"
            ).format(got=type(answer).__name__)
        )
    set_random_seed(0)
    try:
        model = answer()
    except Exception as exc:  # the learner's code: say what it raised
        raise Malformed(
            _("calling it raised {error}: {message}").format(
                error=type(exc).__name__, message=str(exc)[:200]
            )
        ) from None
    if not isinstance(model, keras.Model):
        raise Malformed(
            _("calling it returned a {got}, not a Keras model").format(got=type(model).__name__)
        )
    return model


def _outputs(model) -> np.ndarray:
    x, _labels = _images()
    # to_numpy: on torch the output tracks gradients, and np.asarray refuses it
    return to_numpy(model(x[:32], training=False)).astype("float64")


def _are_probabilities(out: np.ndarray) -> bool:
    return bool((out >= 0).all() and np.allclose(out.sum(axis=-1), 1.0, atol=1e-4))


def _is_compiled(model) -> bool:
    return bool(getattr(model, "compiled", False)) and getattr(model, "optimizer", None) is not None


def _gives_ten_scores(model) -> bool:
    return _outputs(model).shape == (32, 10)


def _shape_failure(model) -> str:
    shape = _outputs(model).shape
    return _(
        "for 32 images of 28 x 28 pixels it returns an array of shape {shape}, not one row of "
        "10 scores per image (32, 10). A Dense layer works on the last axis only: given a "
        "28 x 28 image it treats each of the 28 pixel rows as a separate sample."
    ).format(shape=shape)


def _can_be_negative(model) -> bool:
    out = _outputs(model)
    return _are_probabilities(out) or bool((out < 0).any())


def _sign_failure(model) -> str:
    out = _outputs(model)
    return _(
        "its outputs for 32 images are never below 0 (the smallest is {smallest:.3f}), and "
        "{zeros:.0%} of them are exactly 0, yet they are not probabilities either "
        "(rows do not sum to 1). Logits are scores on the whole real line: an activation on "
        "the last layer that cuts off the negative half leaves digits that the model can never "
        "push down, or never pick once their score is stuck at 0."
    ).format(smallest=out.min(), zeros=np.mean(out == 0))


def _compiled_loss(model, labels: np.ndarray, out: np.ndarray) -> float:
    import keras

    loss = model.loss
    if isinstance(loss, str):
        loss = keras.losses.get(loss)
    return float(np.mean(to_numpy(loss(labels, out.astype("float32")))))


def _cross_entropy(labels: np.ndarray, out: np.ndarray) -> float:
    """The true cross-entropy of what the model outputs: its probabilities, or softmax(logits)."""
    if _are_probabilities(out):
        p = out
    else:
        shifted = out - out.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return float(np.mean(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-7, 1.0))))


def _loss_fits_outputs(model) -> bool:
    _x, y = _images()
    out = _outputs(model)
    return abs(_compiled_loss(model, y[:32], out) - _cross_entropy(y[:32], out)) < 1e-3


def _loss_failure(model) -> str:
    _x, y = _images()
    out = _outputs(model)
    probabilities = _are_probabilities(out)
    kind = _("probabilities") if probabilities else _("logits")
    expects = _("logits") if probabilities else _("probabilities")
    return _(
        "its loss does not fit its outputs: the model outputs {kind}, so the cross-entropy of "
        "32 images is {true:.3f}, but the compiled loss reports "
        "{compiled:.3f}, because it expects {expects}."
    ).format(
        kind=kind,
        true=_cross_entropy(y[:32], out),
        compiled=_compiled_loss(model, y[:32], out),
        expects=expects,
    ) + (
        " "
        + _(
            "(During fit, the TensorFlow backend may rescue a softmax output with a warning; "
            "other backends do not.)"
        )
        if probabilities
        else ""
    )


def _learns(model) -> bool:
    x, y = _images()
    before = _cross_entropy(y, _logits_or_probabilities(model, x))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    after = _cross_entropy(y, _logits_or_probabilities(model, x))
    _DATA["learned"] = (before, after)
    return after < 0.5 * before


def _logits_or_probabilities(model, x: np.ndarray) -> np.ndarray:
    return to_numpy(model.predict(x, batch_size=250, verbose=0)).astype("float64")


def _learn_failure(model) -> str:
    before, after = _DATA.get("learned", (math.nan, math.nan))
    return _(
        "its layers and loss fit together, but one epoch on 1,000 training images (32 steps) "
        "only took the cross-entropy from {before:.2f} to {after:.2f}: look at how it is "
        "compiled (the optimizer and its learning rate)."
    ).format(before=before, after=after)


def _fixed(model) -> str:
    before, after = _DATA.get("learned", (math.nan, math.nan))
    told = _(
        "Right: it flattens each image to 784 numbers and ends in 10 scores, its loss is the "
        "cross-entropy of what it outputs, and one epoch on 1,000 training images took that "
        "loss from {before:.2f} to {after:.2f}."
    ).format(before=before, after=after)
    if _are_probabilities(_outputs(model)):
        told += " " + _(
            "It outputs probabilities, with a loss that expects them: that works, but logits "
            "with from_logits=True are the numerically safe choice (section 5)."
        )
    return told


_BUGGY_CELL = """\
def build_quickstart():
    model = keras.Sequential(name="quickstart")
    model.add(keras.Input(shape=(28, 28)))
    model.add(keras.layers.Dense(128, activation="relu"))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(10, activation="relu"))
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
"""


EXERCISES = [
    Exercise(
        key="01.batch_noise",
        kind="predict",
        prompt=N_(
            "Batch size 32 against batch size 128: with four times the images in each batch, "
            "what happens to the batch-to-batch spread of the loss? Predict one of "
            '"larger", "about the same", "halved", "quartered".'
        ),
        checker=choice(_NOISE_OPTIONS, _noise_outcome, explain=_noise_evidence),
        hints=(
            N_(
                "Move the slider to 128 as well, then read the spread of batch 32 and of batch 128 "
                "in the legend and divide one by the other."
            ),
            N_(
                "A batch's loss is the mean of its images' losses. How does the spread of a mean "
                "depend on how many numbers it averages (think of the average of 4 dice against a "
                "single die)?"
            ),
        ),
        solution="# the measured spread fell by a factor of about 2 from batch 32 to batch 128\n"
        'answer = "halved"',
        wrong='answer = "quartered"',
        setup=(
            "import types\n"
            "experiment = types.SimpleNamespace(results={\n"
            '    32: {"seen": np.arange(1, 241) * 32, "losses": np.full(240, 0.4), '
            '"spread": 0.1453},\n'
            '    128: {"seen": np.arange(1, 61) * 128, "losses": np.full(60, 0.6), '
            '"spread": 0.0731},\n'
            "})\n"
            'context = {"experiment": experiment}'
        ),
    ),
    Exercise(
        key="01.loss_by_hand",
        kind="recall",
        prompt=N_(
            "An image of a 1 gets the logits (2.0, 0.0, -1.0) for the classes 0, 1 and 2. What "
            "is its cross-entropy loss? Give a number to 3 decimals."
        ),
        checker=number(
            _LOSS_FOR_1,
            tolerance=0.005,
            right=lambda value: _(
                "Right: ln(e^2 + e^0 + e^-1) - 0 = {loss:.3f}; the softmax gives class 1 "
                "only p = {p:.3f}."
            ).format(loss=_LOSS_FOR_1, p=math.exp(-_LOSS_FOR_1)),
            mistakes=[
                (
                    math.exp(-_LOSS_FOR_1),
                    N_(
                        "that is the probability the softmax gives the true class; the loss is "
                        "minus its logarithm."
                    ),
                ),
                (
                    _LOG_SUM - float(_LOGITS[0]),
                    N_(
                        "that is the loss if the true class were 0, the favourite; the image is "
                        "a 1."
                    ),
                ),
                (0.0, N_("a logit on its own is not a loss: it goes through the softmax first.")),
                (-_LOSS_FOR_1, N_("a cross-entropy is never negative: check the sign.")),
            ],
            otherwise=_not_the_loss,
        ),
        hints=(
            N_(
                "Softmax the logits, then take -ln of the true class's probability; or compute "
                "ln(sum of e^z) - z for the true class."
            ),
        ),
        solution="z = np.array([2.0, 0.0, -1.0])\n"
        "answer = float(np.log(np.exp(z).sum()) - z[1])  # about 2.17",
        wrong="answer = 0.1142",
    ),
    Exercise(
        key="01.diagnose_run",
        kind="diagnose",
        prompt=N_(
            "A colleague trained a classifier on the same images for five epochs and sent "
            "you the curves. What went wrong? Answer one of "
            '"over-fitting", "learning rate too high", "from_logits mismatch", "labels shuffled".'
        ),
        checker=choice(_DIAGNOSES, "from_logits mismatch", explain=_seen),
        hints=(
            N_(
                "Read the loss and the accuracy together: the loss panel against ln 10 = 2.30, "
                "where a model that knows nothing starts (section 4), and the accuracy against "
                "0.10, chance."
            ),
            N_(
                "Loss and accuracy must agree. A model that is right on most digits gives the "
                "true digit a fair probability, so its cross-entropy cannot stay near ln 10; a "
                "model that guesses has a cross-entropy near ln 10, not far above it. If they "
                "disagree, the loss is not computing what you think: what is it told about the "
                "model's outputs?"
            ),
            N_(
                "Section 4's table gives the loss of the untrained model, before any update. The "
                "epoch-1 point is not that: it is the running mean over the epoch's 125 batches "
                "(section 8). Compare the first batches in the lower figure with the table."
            ),
        ),
        solution="# the model ends in logits, but the loss was named by its string, which means\n"
        "# from_logits=False (see kerastutor/exercises/ch01.py, colleagues_run)\n"
        'answer = "from_logits mismatch"',
        wrong='answer = "over-fitting"',
        setup=(
            "import types\n"
            "history = types.SimpleNamespace(history={  # colleagues_run's numbers\n"
            "    'loss': [2.440, 2.133, 2.161, 2.239, 2.266],\n"
            "    'accuracy': [0.625, 0.558, 0.562, 0.555, 0.536],\n"
            "    'val_loss': [2.153, 2.108, 2.225, 2.295, 2.277],\n"
            "    'val_accuracy': [0.719, 0.631, 0.698, 0.667, 0.683],\n"
            "})\n"
            "history.first_epoch_batches = np.concatenate(  # its first ten batches, then ~2\n"
            "    [[9.58, 8.06, 7.37, 6.33, 5.73, 5.19, 5.55, 4.43, 4.59, 2.99],\n"
            "     np.full(115, 2.1)]\n"
            ")\n"
            "context = {'history': history}"
        ),
    ),
    Exercise(
        key="01.fix_the_model",
        kind="debug",
        prompt=N_(
            "build_quickstart() should build and compile the quickstart classifier of "
            "sections 2 and 6, but it has two bugs. Fix them in the cell and hand in the function "
            "(the checker calls it and trains the model for one epoch)."
        ),
        checker=object_with(
            "keras.Model",
            [
                Property(
                    _is_compiled,
                    N_("the model it returns is not compiled: call compile before returning it."),
                ),
                Property(_gives_ten_scores, _shape_failure),
                Property(_can_be_negative, _sign_failure),
                Property(_loss_fits_outputs, _loss_failure),
                Property(_learns, _learn_failure),
            ],
            right=_fixed,
            convert=_built,
        ),
        hints=(
            N_(
                "Run it: model = build_quickstart(), then look at model(x_train[:4]).shape and at "
                "the numbers themselves. One row of 10 scores per image? Any negative scores?"
            ),
            N_(
                "Before the first Dense layer each 28 x 28 image must become 784 numbers (section "
                "2): a Dense layer acts on the last axis only."
            ),
            N_(
                "The last layer outputs logits, which can be any real number. Which argument of "
                "that layer cuts off the negative ones?"
            ),
        ),
        solution="def build_quickstart():\n"
        '    model = keras.Sequential(name="quickstart")\n'
        "    model.add(keras.Input(shape=(28, 28)))\n"
        "    model.add(keras.layers.Flatten())  # bug 1: each image to 784 numbers\n"
        '    model.add(keras.layers.Dense(128, activation="relu"))\n'
        "    model.add(keras.layers.Dropout(0.2))\n"
        "    model.add(keras.layers.Dense(10))  # bug 2: logits, no activation\n"
        "    model.compile(\n"
        '        optimizer="adam",\n'
        "        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
        '        metrics=["accuracy"],\n'
        "    )\n"
        "    return model\n"
        "\n"
        "\n"
        "answer = build_quickstart",
        wrong=_BUGGY_CELL + "\n\nanswer = build_quickstart",
    ),
]
