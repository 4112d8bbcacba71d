"""A training experiment with no widget: data, a model builder, and `run(settings) -> Run`.

The panel, the run board and the batch-size explorer are views over this. Everything here runs
and is tested without ipywidgets, in a script or a test as in a notebook:

>>> from kerastutor.widgets import Experiment, Settings
>>> experiment = Experiment()                # the digits MLP on 8,000 / 2,000 bundled images
>>> run = experiment.run(Settings(batch_size=256, epochs=1))
>>> run.steps_per_epoch, run.epochs_done, run.stopped
(32, 1, False)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from kerastutor import pipelines
from kerastutor.backends import set_random_seed
from kerastutor.i18n import gettext as _
from kerastutor.models import get_optimizer
from kerastutor.widgets.settings import OPTIMIZER_OPTIONS, SAMPLE_WEIGHT_RULES, Settings

__all__ = ["Run", "Experiment"]


@dataclass
class Run:
    """One training run: the settings it used, what it reached, and its full history.

    `final` holds the values of the last *complete* epoch; a run stopped part-way through an
    epoch reports that epoch in `partial_epoch` instead, since a few batches' average is not an
    epoch's.
    """

    number: int
    settings: dict
    history: dict = field(default_factory=dict)
    final: dict = field(default_factory=dict)
    per_class_recall: dict = field(default_factory=dict)
    steps_per_epoch: int = 0
    epochs_done: int = 0
    stopped: bool = False
    seconds: float = 0.0
    fit_seconds: float = 0.0
    optimizer: str = ""
    learning_rate: float = 0.0
    error: str | None = None
    partial_epoch: dict = field(default_factory=dict)
    model: Any = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        s = self.settings
        return f"#{self.number} {s['optimizer']} lr={s['learning_rate']:.0e} bs={s['batch_size']}"


class StopAndCount(keras.callbacks.Callback):
    """Ends `fit` when `stop_event` is set (checked around every batch) and counts steps.

    `async_safe` keeps Keras's asynchronous batch dispatch on: this callback reads no logs, so
    Keras need not wait for each step's results before starting the next. Its batch-end hook
    then runs in a worker thread, which can lag several steps behind (on JAX above all), so
    the stop is also checked at the start of each batch, in line on the training thread: at
    most the batch already started runs after it. Neither hook reads `self.model`: on JAX
    that property copies the training state back into the model, which in a worker thread
    races with the running step (whose buffers are donated and deleted: "Array has been
    deleted"), and on the training thread would cost a copy every batch.
    """

    async_safe = True

    def __init__(self, stop_event: threading.Event, on_progress: Callable[[int], None] | None):
        super().__init__()
        self.stop_event, self.on_progress = stop_event, on_progress
        self.steps, self.epoch_steps, self._last = 0, 0, 0.0
        self._fit_model: keras.Model | None = None

    def set_model(self, model: keras.Model) -> None:
        super().set_model(model)
        self._fit_model = model  # a plain reference: setting a flag needs no state sync

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_steps = 0

    def on_train_batch_begin(self, batch, logs=None):
        if self.stop_event.is_set() and self._fit_model is not None:
            self._fit_model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        self.epoch_steps += 1
        if self.stop_event.is_set() and self._fit_model is not None:
            self._fit_model.stop_training = True
        now = time.perf_counter()
        if self.on_progress is not None and now - self._last > 0.2:
            self._last = now
            self.on_progress(self.steps)


def default_data() -> tuple:
    """The bundled MNIST training images, flattened to [0, 1], split 8,000 / 2,000."""
    from kerastutor.data import load_mnist, split_validation

    (x, y), _test = load_mnist("bundled", verbose=False)
    x = x.reshape(-1, 784).astype("float32") / 255.0
    return split_validation(x, y.astype("int64"), 2000, seed=0)


def split_data(data: Any) -> tuple:
    """Check that data is ((x_train, y_train), (x_val, y_val)) and return it."""
    try:
        (x_train, y_train), (x_val, y_val) = data
    except (TypeError, ValueError):
        raise ValueError(
            _(
                "data must be ((x_train, y_train), (x_val, y_val)), as kt.split_validation "
                "returns; got something else. Split validation data off the training data with "
                "kt.split_validation(x_train, y_train); never validate on the test set."
            )
        ) from None
    pipelines._num_samples(x_train, y_train, None)
    pipelines._num_samples(x_val, y_val, None)
    return (x_train, y_train), (x_val, y_val)


class Experiment:
    """A model builder, training and validation data, a loss and metrics: what runs compare.

    Args:
        build_model: returns a fresh, uncompiled Keras model; each run calls it, so runs are
            independent. Default: `kt.get_digits_model`.
        data: `((x_train, y_train), (x_val, y_val))`. Runs validate on the validation part
            (unless their settings ask for a `validation_split`) and measure per-class recall
            there. Never the test set: choices made on it leak into the final score. Default:
            `default_data()`.
        loss, metrics: what `compile` gets; default sparse categorical crossentropy on logits
            and `sparse_categorical_accuracy`.
    """

    def __init__(
        self,
        build_model: Callable[[], keras.Model] | None = None,
        data: Any = None,
        loss: Any = None,
        metrics: Sequence | None = None,
    ):
        from kerastutor.models import get_digits_model

        self.build_model = build_model or get_digits_model
        (self.x_train, self.y_train), (self.x_val, self.y_val) = split_data(
            default_data() if data is None else data
        )
        self.loss = (
            loss
            if loss is not None
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        )
        self.metrics = metrics if metrics is not None else ["sparse_categorical_accuracy"]
        probe = self.build_model()
        # Sequential models have no output_names; they have a single output.
        self.output_names = list(getattr(probe, "output_names", None) or ["output"])
        y = np.asarray(self.y_train) if not isinstance(self.y_train, (dict, list)) else None
        self.is_classifier = bool(
            y is not None
            and y.ndim == 1
            and (np.issubdtype(y.dtype, np.integer) or bool(np.all(np.mod(y, 1) == 0)))
        )
        self.classes = sorted(int(c) for c in np.unique(y)) if self.is_classifier else []

    # ------------------------------------------------------------ checks

    def validate(self, settings: Settings) -> Settings:
        """Refuse settings that name what this experiment does not have (ValueError)."""
        unknown = sorted(set(settings.loss_weights) - set(self.output_names))
        if unknown:
            raise ValueError(
                _("No output {name!r} to weight; this model's outputs are {outputs}.").format(
                    name=unknown[0], outputs=self.output_names
                )
            )
        if settings.loss_weights and len(self.output_names) < 2:
            raise ValueError(_("loss_weights need a model with two or more outputs."))
        if isinstance(settings.class_weight, dict) and self.is_classifier:
            absent = sorted(set(settings.class_weight) - set(self.classes))
            if absent:
                raise ValueError(
                    _(
                        "class_weight names classes {absent} that are not in the labels "
                        "(classes: {classes})."
                    ).format(absent=absent, classes=self.classes)
                )
        return settings

    def class_weight(self, settings: Settings) -> dict | None:
        """The settings' class weights as `fit` takes them ('balanced' computed from y)."""
        if settings.class_weight == "balanced":
            return pipelines.balanced_class_weight(self.y_train) if self.is_classifier else {}
        return settings.class_weight

    def problems(self, settings: Settings) -> list[str]:
        """What Keras would refuse in these settings, each with what to do instead.

        Exactly the problems `kt.check_fit_arguments` finds; there are no rules here.
        """
        try:
            pipelines.check_fit_arguments(
                settings.pipeline,
                class_weight=None if settings.class_weight is None else self.class_weight(settings),
                validation_split=settings.validation_split,
                y=self.y_train,
                weights_in_data=settings.sample_weight != "none",
                n_outputs=len(self.output_names),
            )
        except pipelines.PipelineError as exc:
            return list(getattr(exc, "problems", [str(exc)]))
        return []

    def steps_per_epoch(self, settings: Settings) -> tuple[int, int]:
        """`(n, ceil(n / batch_size))` for the samples `fit` trains on with these settings."""
        n = len(self.y_train) - int(round(len(self.y_train) * settings.validation_split))
        return n, math.ceil(n / settings.batch_size)

    # ------------------------------------------------------------ running

    def run(
        self,
        settings: Settings,
        *,
        number: int = 1,
        callbacks: Sequence[keras.callbacks.Callback] = (),
        stop_event: threading.Event | None = None,
        on_progress: Callable[[int], None] | None = None,
        on_model: Callable[[keras.Model], None] | None = None,
    ) -> Run:
        """Build, compile and fit a fresh model with `settings`; return the `Run`.

        Settings Keras would refuse raise a ValueError before anything trains. An error during
        training is kept in `run.error` (the run is returned, not lost).
        """
        self.validate(settings)
        problems = self.problems(settings)
        if problems:
            raise ValueError(_("Not training: {problems}").format(problems=" ".join(problems)))
        s = settings
        class_weight = self.class_weight(s)
        run = Run(number=number, settings={**s.as_dict(), "class_weight": class_weight or {}})
        stop_event = stop_event or threading.Event()
        start = time.perf_counter()
        try:
            set_random_seed(s.seed)
            model = self.build_model()
            optimizer_kwargs = OPTIMIZER_OPTIONS.get(s.optimizer, {})
            model.compile(
                optimizer=get_optimizer(s.optimizer, s.learning_rate, **optimizer_kwargs),
                loss=self.loss,
                metrics=self.metrics,
                loss_weights=dict(s.loss_weights) or None,
            )
            run.model = model
            if on_model is not None:
                on_model(model)
            run.optimizer = type(model.optimizer).__name__
            run.learning_rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
            sample_weight = SAMPLE_WEIGHT_RULES[s.sample_weight](np.asarray(self.y_train))
            pipeline = pipelines.make_pipeline(
                s.pipeline,
                self.x_train,
                self.y_train,
                sample_weight,
                batch_size=s.batch_size,
                shuffle=True,
                seed=s.seed,
            )
            fit_kwargs: dict = {}
            if s.validation_split:
                fit_kwargs["validation_split"] = s.validation_split
            else:
                validation = pipelines.make_pipeline(
                    s.pipeline, self.x_val, self.y_val, batch_size=256
                )
                fit_kwargs.update(validation.validation_kwargs())
            if class_weight:
                fit_kwargs["class_weight"] = class_weight
            _n, run.steps_per_epoch = self.steps_per_epoch(s)
            counter = StopAndCount(stop_event, on_progress)
            fit_start = time.perf_counter()
            history = model.fit(
                pipeline.x,
                pipeline.y,
                epochs=s.epochs,
                verbose=0,
                callbacks=[counter, *callbacks],
                **pipeline.fit_kwargs,
                **fit_kwargs,
            )
            run.fit_seconds = time.perf_counter() - fit_start
            run.history = {k: [float(v) for v in vals] for k, vals in history.history.items()}
            run.epochs_done = len(history.epoch)
            run.stopped = stop_event.is_set() and counter.steps < s.epochs * run.steps_per_epoch
            last_complete = run.epochs_done - (
                1 if run.stopped and counter.epoch_steps < run.steps_per_epoch else 0
            )
            if last_complete < run.epochs_done:
                run.partial_epoch = {k: v[-1] for k, v in run.history.items() if v}
                run.partial_epoch["batches"] = counter.epoch_steps
            run.final = {k: v[last_complete - 1] for k, v in run.history.items() if last_complete}
            if self.is_classifier and len(self.output_names) == 1:
                run.per_class_recall = per_class_recall(model, self.x_val, self.y_val)
        except Exception as exc:  # kept on the run: the board and the kernel survive
            run.error = f"{type(exc).__name__}: {exc}"
        finally:
            run.seconds = time.perf_counter() - start
        return run


def per_class_recall(model: keras.Model, x: Any, y: Any) -> dict[int, float]:
    """Share of each class's samples that the model predicts as that class."""
    predicted = np.argmax(model.predict(x, verbose=0, batch_size=1024), axis=-1)
    y = np.asarray(y).reshape(-1)
    return {int(c): float(np.mean(predicted[y == c] == c)) for c in np.unique(y)}
