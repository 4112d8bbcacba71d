"""Chapter 8's exercises: the patience experiment's prediction, a callback that stops on a NaN
loss (build), an `EarlyStopping` that watches the wrong thing (debug), and resuming after a
crash (recall).

The build and debug checkers train a tiny model of their own (4 features, 3 classes, starting
weights drawn by NumPy, no shuffling), so a right answer is right in every run and on every
backend; a check trains for a second or two. Keras is imported inside the functions: this
module is read when `kerastutor` is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from kerastutor.exercises.engine import Exercise, Malformed, pass_the_experiment, the_experiment
from kerastutor.exercises.factories import Property, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- the tiny model of the checks

#: The accuracy metric of the tiny model, and so the names `fit` logs.
_METRIC = "sparse_categorical_accuracy"
_LOGGED = ("loss", _METRIC, "val_loss", "val_" + _METRIC)
_BATCH, _STEPS = 16, 6  # the build check: 6 batches of 16 per epoch


def _tiny_data() -> tuple[np.ndarray, ...]:
    """96 training rows (30 % of the labels flipped at random) and 200 clean validation rows."""
    rng = np.random.default_rng(0)
    x = rng.random((296, 4)).astype("float32")
    rule = np.array([[2, -1, 0], [-1, 2, 0], [0, -1, 2], [1, 1, -2]], dtype="float32")
    y = np.argmax(x @ rule, axis=1)
    flipped = np.where(rng.random(len(y)) < 0.3, rng.integers(0, 3, len(y)), y)
    return x[:96], flipped[:96], x[96:], y[96:]


def _glorot(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """A Glorot-uniform kernel drawn by NumPy: the same numbers on every Keras backend."""
    limit = math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("float32")


def _tiny_model(hidden: bool = True):
    """4 -> 16 -> 3 logits (4 -> 3 without `hidden`), Adam at 0.05. Its starting weights are
    drawn by NumPy from a fixed seed (no global seed is touched), not by the backend's random
    generator, which differs between TensorFlow, JAX and torch: so the checks train the same
    run on every backend. The build check uses no hidden layer: in a compiled training step
    relu turns a NaN input into 0, and the loss would stay finite."""
    import keras

    rng = np.random.default_rng(0)
    inputs = keras.Input(shape=(4,))
    x = inputs
    sizes = [4, 16, 3] if hidden else [4, 3]
    dense = []
    for width in sizes[1:]:
        activation = "relu" if width != sizes[-1] else None
        dense.append(keras.layers.Dense(width, activation=activation))
        x = dense[-1](x)
    model = keras.Model(inputs, x)
    for layer, fan_in, fan_out in zip(dense, sizes, sizes[1:]):
        layer.set_weights([_glorot(rng, fan_in, fan_out), np.zeros(fan_out, "float32")])
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[_METRIC],
    )
    return model


# ---------------------------------------------------------------- 08.patience (predict)


def _patience_result(experiment: Any, patience: int) -> dict:
    results = getattr(experiment, "results", None)
    if not isinstance(results, dict):
        raise Malformed(pass_the_experiment("08.patience"))
    if patience not in results and hasattr(experiment, "result"):
        experiment.result(patience)  # the check runs it, as moving the slider would
    run = results.get(patience)
    if not isinstance(run, dict) or not {"ran", "kept_epoch", "kept_val_loss"} <= set(run):
        raise Malformed(
            _("the experiment has no run for patience {patience} of the chapter's shape").format(
                patience=patience
            )
        )
    return run


def _patience_runs(context: dict) -> tuple[dict, dict]:
    experiment = the_experiment(context, "08.patience", needs=())
    return _patience_result(experiment, 0), _patience_result(experiment, 8)


def _patience_outcome(context: dict) -> str:
    quick, patient = _patience_runs(context)
    gap = patient["kept_val_loss"] - quick["kept_val_loss"]
    return "lower" if gap < -1e-4 else "higher" if gap > 1e-4 else "the same"


def _patience_evidence(context: dict) -> str:
    quick, patient = _patience_runs(context)
    return _(
        "Patience 0 stopped after epoch {quick_ran} and restored epoch "
        "{quick_epoch} (val_loss {quick_loss:.3f}); patience 8 ran "
        "{patient_ran} epochs and restored epoch {patient_epoch} (val_loss "
        "{patient_loss:.3f})."
    ).format(
        quick_ran=quick["ran"],
        quick_epoch=quick["kept_epoch"],
        quick_loss=quick["kept_val_loss"],
        patient_ran=patient["ran"],
        patient_epoch=patient["kept_epoch"],
        patient_loss=patient["kept_val_loss"],
    )


def _not_what_the_runs_show(context: dict) -> str:
    """A wrong prediction: the two restored values, for the learner to compare."""
    quick, patient = _patience_runs(context)
    return _(
        "that is not what the runs show. The weights patience 0 restored (epoch "
        "{quick_epoch}) have val_loss {quick_loss:.4f}; those patience 8 "
        "restored (epoch {patient_epoch}) have {patient_loss:.4f}. Compare "
        "the two, then look at the plot: which epochs did each run see?"
    ).format(
        quick_epoch=quick["kept_epoch"],
        quick_loss=quick["kept_val_loss"],
        patient_epoch=patient["kept_epoch"],
        patient_loss=patient["kept_val_loss"],
    )


def _said_lower(pick: str, context: dict) -> str:
    if _patience_outcome(context) != "lower":
        return _not_what_the_runs_show(context)
    quick, patient = _patience_runs(context)
    return _(
        "{evidence} Patience 0 gave up at the first epoch that did not "
        "improve, a bump of noise; the curve then came down past it, and only a run that "
        "waited saw that. It cost epochs: {patient_ran} instead of {quick_ran}."
    ).format(
        evidence=_patience_evidence(context), patient_ran=patient["ran"], quick_ran=quick["ran"]
    )


def _said_same(pick: str, context: dict) -> str:
    if _patience_outcome(context) != "the same":
        return _not_what_the_runs_show(context)
    return _(
        "{evidence} Patience 0 stopped at a real turn of the curve: nothing "
        "later beat it, so the extra epochs of patience 8 bought nothing."
    ).format(evidence=_patience_evidence(context))


def _said_higher(pick: str, context: dict) -> str:
    if _patience_outcome(context) != "higher":
        return _not_what_the_runs_show(context)
    return _("{evidence} (Not expected: the runs should share one curve.)").format(
        evidence=_patience_evidence(context)
    )


# ---------------------------------------------------------------- 08.stop_on_nan (build)


def _batches(nan_step: int | None):
    """Endless (x, y) batches of 16 in a fixed order; global step `nan_step` holds a NaN."""
    x, y, _x_val, _y_val = _tiny_data()
    step = 0
    while True:
        i = step % _STEPS
        xb, yb = x[i * _BATCH : (i + 1) * _BATCH], y[i * _BATCH : (i + 1) * _BATCH]
        if step == nan_step:
            xb = xb.copy()
            xb[0, 0] = np.nan  # one broken input value: the batch's loss is NaN
        yield xb, yb
        step += 1


#: The NaN arrives in epoch 1, batch 2 (both counted from 0): global step 6 + 2.
_NAN_EPOCH, _NAN_BATCH = 1, 2
_EPOCHS = 3


@dataclass
class _StopTrial:
    """What a learner's callback class did in two short runs, one clean and one with a NaN."""

    cls: type
    error: str | None = None
    clean_batches: int = 0
    clean_stopped_at: Any = "missing"
    nan_batches: int = 0
    nan_stopped_at: Any = "missing"
    inf_stopped: bool = False
    inf_stopped_at: Any = "missing"


def _fit_with(cls: type, nan_step: int | None) -> tuple[int, Any]:
    callback = cls()
    model = _tiny_model(hidden=False)
    model.fit(
        _batches(nan_step),
        steps_per_epoch=_STEPS,
        epochs=_EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[callback],
    )
    return int(model.optimizer.iterations), getattr(callback, "stopped_at", "missing")


#: The infinite loss comes as fit would report it: epoch 0, batch 1 (counted from 0).
_INF_BATCH = 1


def _feed_infinite_loss(cls: type) -> tuple[bool, Any]:
    """Call a fresh callback's hooks as fit would, for two batches of epoch 0: the first with a
    finite loss, the second with an infinite one (an overflow). Did it stop, and where?"""
    callback = cls()
    model = _tiny_model(hidden=False)
    callback.set_model(model)
    callback.set_params({"verbose": 0, "epochs": _EPOCHS, "steps": _STEPS})
    model.stop_training = False
    callback.on_train_begin({})
    callback.on_epoch_begin(0, {})
    for batch, loss in enumerate([1.1, np.inf]):
        callback.on_train_batch_begin(batch, {})
        callback.on_train_batch_end(batch, {"loss": loss, _METRIC: 0.3})
        if model.stop_training:
            break
    return bool(model.stop_training), getattr(callback, "stopped_at", "missing")


def _try_stop_callback(answer: Any) -> _StopTrial:
    import keras

    if isinstance(answer, keras.callbacks.Callback):
        raise Malformed(
            _(
                "hand in the class itself (answer = StopOnNaN), not an object made from it: the "
                "check makes a fresh one for each run"
            )
        )
    if not isinstance(answer, type) or not issubclass(answer, keras.callbacks.Callback):
        raise Malformed(
            _(
                "expected a callback class, a subclass of keras.callbacks.Callback; got {answer}"
            ).format(answer=f"{answer!r:.80}")
        )
    trial = _StopTrial(answer)
    if issubclass(answer, keras.callbacks.TerminateOnNaN):
        return trial  # refused by the first property, without running it
    try:
        trial.clean_batches, trial.clean_stopped_at = _fit_with(answer, None)
        nan_step = _NAN_EPOCH * _STEPS + _NAN_BATCH
        trial.nan_batches, trial.nan_stopped_at = _fit_with(answer, nan_step)
        trial.inf_stopped, trial.inf_stopped_at = _feed_infinite_loss(answer)
    except Exception as exc:  # the learner's code: report it, don't raise it
        trial.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    return trial


def _own_class(trial: _StopTrial) -> bool:
    import keras

    return not issubclass(trial.cls, keras.callbacks.TerminateOnNaN)


def _as_pair(value: Any) -> Any:
    if isinstance(value, str):
        return value
    try:
        return tuple(int(v) for v in value) if len(value) == 2 else value
    except (TypeError, ValueError):
        return value


def _late_stop(trial: _StopTrial) -> str:
    total = _EPOCHS * _STEPS
    where = _("batch {batch} of epoch {epoch} (counted from 1)").format(
        batch=_NAN_BATCH + 1, epoch=_NAN_EPOCH + 1
    )
    if trial.nan_batches == total:
        return _(
            "it never stopped, though the loss was NaN from {where} on: all {total} batches ran. "
            "Does it read the logged loss after every batch, and set the flag that fit reads "
            "(on the model, not on the callback)?"
        ).format(where=where, total=total)
    if trial.nan_batches == (_NAN_EPOCH + 1) * _STEPS:
        return _(
            "it stopped only at the end of the epoch: the loss turned NaN at {where}, and the "
            "{after} batches after it still ran, each updating the weights "
            "with NaN. Check after every batch."
        ).format(where=where, after=_STEPS - _NAN_BATCH - 1)
    return _(
        "it stopped after {batches} batches in all; the loss turned NaN at {where}, "
        "which is batch {step} of the run."
    ).format(batches=trial.nan_batches, where=where, step=_NAN_EPOCH * _STEPS + _NAN_BATCH + 1)


# ---------------------------------------------------------------- 08.early_stopping_bug (debug)

#: The last run of a learner's EarlyStopping, for the failure message: {id: (object, facts)}.
_RUNS: dict[int, tuple[Any, dict]] = {}


def _early_stopping_run(stopper: Any) -> dict:
    """Fit the tiny model for up to 12 epochs with the learner's EarlyStopping."""
    import warnings

    if id(stopper) in _RUNS and _RUNS[id(stopper)][0] is stopper:
        return _RUNS[id(stopper)][1]
    x, y, x_val, y_val = _tiny_data()
    model = _tiny_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing monitor warns every epoch
        history = model.fit(
            x,
            y,
            validation_data=(x_val, y_val),
            batch_size=_BATCH,
            epochs=12,
            shuffle=False,
            verbose=0,
            callbacks=[stopper],
        )
    accuracy = history.history["val_" + _METRIC]
    kept = model.evaluate(x_val, y_val, verbose=0, return_dict=True)[_METRIC]
    best = int(np.argmax(accuracy))  # the first epoch with the highest value
    facts = {
        "accuracy": accuracy,
        "ran": len(accuracy),
        "best": best + 1,
        "kept": kept,
        "kept_epochs": [
            e + 1 for e, a in enumerate(accuracy) if math.isclose(a, kept, abs_tol=1e-6)
        ],
    }
    _RUNS.clear()
    _RUNS[id(stopper)] = (stopper, facts)
    return facts


def _keeps_the_best(stopper: Any) -> bool:
    facts = _early_stopping_run(stopper)
    return math.isclose(facts["kept"], max(facts["accuracy"]), abs_tol=1e-6)


def _kept_message(stopper: Any) -> str:
    facts = _early_stopping_run(stopper)
    epochs = ", ".join(str(e) for e in facts["kept_epochs"]) or _("none of the epochs")
    message = _(
        "in a short run it left the model with validation accuracy {kept:.3f} (epoch "
        "{epochs}), while epoch {best} had reached {highest:.3f}."
    ).format(kept=facts["kept"], epochs=epochs, best=facts["best"], highest=max(facts["accuracy"]))
    if getattr(stopper, "mode", "") == "min":
        message += " " + _(
            "It counted every rise of accuracy as getting worse: which way is better?"
        )
    return message


def _stops_after_patience(stopper: Any) -> bool:
    facts = _early_stopping_run(stopper)
    return facts["ran"] == min(12, facts["best"] + 2)


def _stop_message(stopper: Any) -> str:
    facts = _early_stopping_run(stopper)
    return _(
        "in a short run the best epoch was {best}, so it should have stopped after "
        "epoch {stop}; it ran {ran} epochs. Check min_delta, "
        "baseline and start_from_epoch."
    ).format(best=facts["best"], stop=min(12, facts["best"] + 2), ran=facts["ran"])


#: The callback exactly as the notebook's cell gives it.
_AS_GIVEN = {
    "monitor": "val_accuracy",
    "mode": "min",
    "patience": 2,
    "restore_best_weights": True,
    "min_delta": 0,
    "baseline": None,
    "start_from_epoch": 0,
}


def _changed(stopper: Any) -> bool:
    return any(getattr(stopper, name, None) != value for name, value in _AS_GIVEN.items())


def _monitor_message(stopper: Any) -> str:
    monitor = getattr(stopper, "monitor", None)
    if monitor in _LOGGED and not str(monitor).startswith("val_"):
        return _(
            "it watches {monitor!r}, measured on the training images, which the model learns "
            "more of every epoch: choices are made on validation data."
        ).format(monitor=monitor)
    if monitor == "val_loss":
        return _(
            "it now watches val_loss: a fair choice in general, but this cell asks for "
            "validation accuracy."
        )
    return _(
        "it watches {monitor!r}, a name this model never logs, so EarlyStopping only warns "
        "during the fit and never stops nor restores anything. fit logs each metric under its "
        "own name: look at the keys of history.history."
    ).format(monitor=monitor)


# ---------------------------------------------------------------- the catalogue

EXERCISES = [
    Exercise(
        key="08.patience",
        kind="predict",
        prompt=N_(
            "Patience 0 stops at the first epoch that does not improve val_loss; patience 8 "
            "waits for 8 such epochs. With restore_best_weights=True, will the weights patience 8 "
            "restores have a lower, the same or a higher val_loss than those patience 0 restores? "
            'Answer "lower", "the same" or "higher".'
        ),
        checker=choice(
            {"lower": _said_lower, "the same": _said_same, "higher": _said_higher},
            _patience_outcome,
        ),
        hints=(
            N_(
                "val_loss is noisy: one epoch can be worse than the one before and the next one "
                "better again."
            ),
            N_(
                "restore_best_weights keeps the best epoch a run has seen. Which run sees more "
                "epochs, and could that ever leave it worse off?"
            ),
        ),
        solution="# compare what experiment.result(0) and experiment.result(8) restored\n"
        'answer = "lower"',
        wrong='answer = "higher"',
        setup=(
            "import types\n"
            "curve = [1.2396, 0.8589, 0.6293, 0.5238, 0.5076, 0.5227, 0.4551, 0.4692, 0.4865,\n"
            "         0.5776, 0.4774, 0.4807, 0.5095, 0.4935, 0.5065]\n"
            "results = {\n"
            '    0: {"val_loss": curve[:6], "ran": 6, "kept_epoch": 5, "kept_val_loss": 0.5076},\n'
            '    8: {"val_loss": curve, "ran": 15, "kept_epoch": 7, "kept_val_loss": 0.4551},\n'
            "}\n"
            'context = {"experiment": types.SimpleNamespace(results=results)}'
        ),
    ),
    Exercise(
        key="08.stop_on_nan",
        kind="build",
        prompt=N_(
            "Write a callback class StopOnNaN that ends training right after the first batch "
            "whose logged loss is NaN or infinite (not at the end of the epoch), and records where "
            "in self.stopped_at as (epoch, batch), both counted from 0 as the hooks give them; "
            "stopped_at is None when training was never stopped. Hand in the class."
        ),
        checker=object_with(
            _StopTrial,
            [
                Property(
                    _own_class,
                    N_(
                        "that is Keras's own TerminateOnNaN: write the class yourself (it must "
                        "also record stopped_at)."
                    ),
                ),
                Property(
                    lambda t: t.error is None,
                    lambda t: _("running it in a short fit raised {error}").format(error=t.error),
                ),
                Property(
                    lambda t: t.clean_batches == _EPOCHS * _STEPS,
                    lambda t: _(
                        "on a run whose loss stayed finite it stopped after {batches} "
                        "of {total} batches: stop only on NaN or infinite values."
                    ).format(batches=t.clean_batches, total=_EPOCHS * _STEPS),
                ),
                Property(
                    lambda t: t.clean_stopped_at is None,
                    lambda t: (
                        _("it has no stopped_at attribute: set it to None when training begins.")
                        if t.clean_stopped_at == "missing"
                        else _(
                            "after a run that never stopped, stopped_at was "
                            "{stopped_at!r}; it should be None (set it when training "
                            "begins, so a second run starts clean too)."
                        ).format(stopped_at=t.clean_stopped_at)
                    ),
                ),
                Property(
                    lambda t: t.nan_batches == _NAN_EPOCH * _STEPS + _NAN_BATCH + 1,
                    _late_stop,
                ),
                Property(
                    lambda t: _as_pair(t.nan_stopped_at) == (_NAN_EPOCH, _NAN_BATCH),
                    lambda t: _(
                        "it stopped at the right batch, but recorded stopped_at = "
                        "{stopped_at!r}: the NaN came in the third batch of the second "
                        "epoch. Record (epoch, batch) counted from 0; a batch hook gets only the "
                        "batch number, which starts again at 0 each epoch, so keep the epoch "
                        "from an epoch hook."
                    ).format(stopped_at=t.nan_stopped_at),
                ),
                Property(
                    lambda t: t.inf_stopped,
                    lambda t: _(
                        "it stops on NaN, but not on an infinite loss: its hooks were fed a batch "
                        "whose logged loss was inf (batch {batch} of epoch 0, as an overflow "
                        "would give it), and it let training go on. Infinity is not NaN: a test "
                        "for NaN alone lets it through."
                    ).format(batch=_INF_BATCH),
                ),
                Property(
                    lambda t: _as_pair(t.inf_stopped_at) == (0, _INF_BATCH),
                    lambda t: _(
                        "it stopped on an infinite loss in batch {batch} of epoch 0, but "
                        "recorded stopped_at = {stopped_at!r}."
                    ).format(batch=_INF_BATCH, stopped_at=t.inf_stopped_at),
                ),
            ],
            right=N_(
                "Right: it checks the loss after every batch, so it stops in the batch that "
                "broke (NaN or infinite), before any later batch trains on broken weights, and it "
                "says where."
            ),
            convert=_try_stop_callback,
        ),
        hints=(
            N_(
                "Which hook runs after every batch, and what does its logs hold? The epoch number "
                "comes to a different hook."
            ),
            N_(
                "np.isfinite is False for NaN and for infinities. fit reads a flag on the model "
                "after each batch; a flag set on the callback itself does nothing."
            ),
        ),
        solution=(
            "class StopOnNaN(keras.callbacks.Callback):\n"
            "    def on_train_begin(self, logs=None):\n"
            "        self.stopped_at = None\n"
            "\n"
            "    def on_epoch_begin(self, epoch, logs=None):\n"
            "        self.epoch = epoch\n"
            "\n"
            "    def on_train_batch_end(self, batch, logs=None):\n"
            '        if not np.isfinite(logs["loss"]):\n'
            "            self.stopped_at = (self.epoch, batch)\n"
            "            self.model.stop_training = True\n"
            "\n"
            "\n"
            "answer = StopOnNaN"
        ),
        wrong=(
            "class StopOnNaN(keras.callbacks.Callback):\n"
            "    def on_train_begin(self, logs=None):\n"
            "        self.stopped_at = None\n"
            "\n"
            "    def on_epoch_end(self, epoch, logs=None):\n"
            '        if not np.isfinite(logs["loss"]):\n'
            "            self.stopped_at = (epoch, 0)\n"
            "            self.model.stop_training = True\n"
            "\n"
            "\n"
            "answer = StopOnNaN"
        ),
    ),
    Exercise(
        key="08.early_stopping_bug",
        kind="debug",
        prompt=N_(
            "This EarlyStopping should stop 2 epochs after the best validation accuracy of "
            "the chapter's model (compiled with metrics=['sparse_categorical_accuracy']) and keep "
            "that epoch's weights, but it does neither. Fix it and hand in the fixed callback."
        ),
        checker=object_with(
            "keras.callbacks.EarlyStopping",
            [
                Property(
                    _changed,
                    N_(
                        "this is the callback as the cell gives it: try it in a short fit first "
                        "(fresh_model() on a few hundred images, with validation data), and read "
                        "what Keras says during the fit and what the model keeps."
                    ),
                ),
                Property(
                    lambda s: (
                        s.monitor in _LOGGED
                        and s.monitor.startswith("val_")
                        and ("accuracy" in s.monitor)
                    ),
                    _monitor_message,
                ),
                Property(
                    lambda s: s.patience == 2,
                    lambda s: _("the cell asks for patience 2; this has {patience}.").format(
                        patience=s.patience
                    ),
                ),
                Property(
                    lambda s: bool(s.restore_best_weights),
                    N_(
                        "without restore_best_weights the model keeps its last epoch's weights, "
                        "not the best epoch's."
                    ),
                ),
                Property(_keeps_the_best, _kept_message),
                Property(_stops_after_patience, _stop_message),
            ],
            right=N_(
                "Right: it watches a value fit really logs, in the direction that is better "
                "for an accuracy; in a short run it stopped 2 epochs after the best epoch and left "
                "the model with that epoch's weights."
            ),
        ),
        hints=(
            N_(
                "Run it in a short fit of fresh_model() with validation data and read the "
                "warnings, then the keys of history.history."
            ),
            N_(
                "An EarlyStopping needs the exact name of a logged value and the direction in "
                "which that value gets better."
            ),
        ),
        solution=(
            "answer = keras.callbacks.EarlyStopping(\n"
            '    monitor="val_sparse_categorical_accuracy", mode="max", patience=2,\n'
            "    restore_best_weights=True,\n"
            ")"
        ),
        wrong=(
            "answer = keras.callbacks.EarlyStopping(\n"
            '    monitor="val_sparse_categorical_accuracy", mode="min", patience=2,\n'
            "    restore_best_weights=True,\n"
            ")"
        ),
    ),
    Exercise(
        key="08.initial_epoch",
        kind="recall",
        prompt=N_(
            "A run of fit(..., epochs=10), 50 steps per epoch, saved its model to one file, "
            "latest.keras, with ModelCheckpoint('latest.keras', save_freq=100), and crashed in the "
            "middle of epoch 8 (counted from 1). You load latest.keras: its optimizer.iterations "
            "reads 300. Which initial_epoch continues training without repeating or skipping an "
            "epoch of what the loaded model holds?"
        ),
        checker=number(
            6,
            whole=True,
            right=N_(
                "Right: the file holds 300 steps of 50, six whole epochs (the save every 100 "
                "steps came at the end of epochs 2, 4 and 6). Epoch 7 was trained but never saved: "
                "it is lost with the crash and is trained again. initial_epoch counts the epochs "
                "the loaded model has done, so fit goes on with the 7th."
            ),
            mistakes=[
                (
                    7,
                    N_(
                        "that counts the epochs finished before the crash, but the file was last "
                        "written before that: the model you load has not trained them all, and "
                        "one epoch would never be trained."
                    ),
                ),
                (
                    8,
                    N_(
                        "that is the epoch the crash came in; the model you load is older than the "
                        "crash: how many epochs does it hold?"
                    ),
                ),
                (300, N_("that is a count of steps (batches); initial_epoch counts epochs.")),
                (3, N_("that is how many saves were due, not how many epochs the file holds.")),
            ],
            otherwise=lambda value: _(
                "initial_epoch={value} does not continue right after the epochs the loaded "
                "model has trained."
            ).format(value=value),
        ),
        hints=(
            N_(
                "How many epochs of training does the file hold? The crash does not tell you; the "
                "file does."
            ),
            N_(
                "The optimizer counts every training step (batch) since the run began; save_freq "
                "counts steps too. initial_epoch is the number of epochs the loaded model has "
                "already done."
            ),
        ),
        solution="answer = 300 // 50  # the epochs of training the file holds",
        wrong="answer = 7",
    ),
]
