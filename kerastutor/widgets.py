"""ipywidgets panels: vary batch size, epochs, optimizer, learning rate, pipeline and weights,
train with live curves, stop, and compare runs.

`TrainingPanel()` alone opens the course's default experiment (the digits MLP on the bundled
MNIST). Every control has a programmatic twin, so a notebook run by nbval, a test, or an
instructor's script can drive it:

>>> import kerastutor as kt
>>> panel = kt.TrainingPanel()
>>> panel.set(batch_size=256, epochs=1, optimizer="adam", learning_rate=1e-3)
>>> run = panel.train()               # blocks until done; the Train button does not
>>> run.settings["batch_size"], run.steps_per_epoch
(256, 32)
>>> len(panel.board.table())
1

Training runs in a background thread when started from the Train button, so the kernel stays
free to receive the Stop click: Stop sets `model.stop_training`, which Keras checks after every
batch, and the run ends with the history it has.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from kerastutor import pipelines
from kerastutor.callbacks import LivePlot
from kerastutor.models import OPTIMIZERS, get_optimizer

__all__ = [
    "TrainingPanel",
    "RunBoard",
    "Run",
    "BatchSizeExplorer",
    "BATCH_SIZES",
    "SAMPLE_WEIGHT_RULES",
]

#: Batch sizes offered, on a log scale.
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024)


def _rule_none(y: np.ndarray) -> None:
    return None


def _rule_balanced(y: np.ndarray) -> np.ndarray:
    return pipelines.class_weight_to_sample_weight(y, pipelines.balanced_class_weight(y))


def _rule_mask_half(y: np.ndarray) -> np.ndarray:
    # Every other sample gets weight 0: a loss mask that hides half the data from training.
    weights = np.ones(len(y), dtype="float32")
    weights[1::2] = 0.0
    return weights


#: Sample-weight rules: name -> function of the training labels (None: no weights).
SAMPLE_WEIGHT_RULES: dict[str, Callable[[np.ndarray], np.ndarray | None]] = {
    "none": _rule_none,
    "balanced (rare classes count more)": _rule_balanced,
    "0/1 mask (every other sample ignored)": _rule_mask_half,
}


@dataclass
class Run:
    """One training run: the settings it used, what it reached, and its full history."""

    number: int
    settings: dict
    history: dict = field(default_factory=dict)
    final: dict = field(default_factory=dict)
    per_class_recall: dict = field(default_factory=dict)
    steps_per_epoch: int = 0
    epochs_done: int = 0
    stopped: bool = False
    seconds: float = 0.0
    optimizer: str = ""
    learning_rate: float = 0.0
    error: str | None = None

    @property
    def name(self) -> str:
        s = self.settings
        return f"#{self.number} {s['optimizer']} lr={s['learning_rate']:.0e} bs={s['batch_size']}"


class RunBoard:
    """Every run's settings and final metrics as a pandas table, and their curves overlaid.

    >>> board = RunBoard()
    >>> board.add(Run(1, {"batch_size": 32, "optimizer": "adam", "learning_rate": 1e-3},
    ...               history={"loss": [0.5, 0.3]}, final={"loss": 0.3}))
    >>> board.table()[["batch_size", "loss"]]
         batch_size  loss
    run
    1            32   0.3
    """

    def __init__(self):
        self.runs: list[Run] = []

    def add(self, run: Run) -> None:
        self.runs.append(run)

    def table(self, sort_by: str | None = None, ascending: bool = True):
        """A DataFrame, one row per run: settings, then final metrics, epochs and time."""
        import pandas as pd

        rows = []
        for run in self.runs:
            row = {"run": run.number, **_flat_settings(run.settings)}
            row.update({k: round(v, 4) for k, v in run.final.items()})
            if run.per_class_recall:
                row["worst class recall"] = round(min(run.per_class_recall.values()), 4)
            row.update(
                epochs_done=run.epochs_done, stopped=run.stopped, seconds=round(run.seconds, 1)
            )
            rows.append(row)
        frame = pd.DataFrame(rows).set_index("run") if rows else pd.DataFrame()
        if sort_by is not None:
            if sort_by not in frame.columns:
                raise KeyError(f"No column {sort_by!r}; columns are {list(frame.columns)}.")
            frame = frame.sort_values(sort_by, ascending=ascending)
        return frame

    def to_csv(self, path: str) -> None:
        """Write `table()` to a CSV file."""
        self.table().to_csv(path)

    def plot(self, runs: list[int] | None = None, metrics: list[str] | None = None):
        """Overlay the curves of the chosen run numbers (default: all) in one figure."""
        from kerastutor.plots import plot_history

        chosen = [r for r in self.runs if runs is None or r.number in runs]
        if not chosen:
            raise ValueError(f"No such runs: {runs}. Runs so far: {[r.number for r in self.runs]}.")
        return plot_history({r.name: r.history for r in chosen}, metrics=metrics)


def _flat_settings(settings: dict) -> dict:
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat[key] = ", ".join(f"{k}:{v:g}" for k, v in value.items()) if value else "-"
        else:
            flat[key] = value
    return flat


class _StopAndProgress(keras.callbacks.Callback):
    """Ends training when asked (checked after every batch) and counts steps for a bar."""

    def __init__(self, stop_event: threading.Event, on_progress: Callable[[int], None]):
        super().__init__()
        self.stop_event, self.on_progress = stop_event, on_progress
        self.steps, self._last = 0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.stop_event.is_set():
            self.model.stop_training = True
        now = time.perf_counter()
        if now - self._last > 0.2:
            self._last = now
            self.on_progress(self.steps)


def _split_data(data) -> tuple:
    """Check that data is ((x_train, y_train), (x_val, y_val)) and return it."""
    try:
        (x_train, y_train), (x_val, y_val) = data
    except (TypeError, ValueError):
        raise ValueError(
            "data must be ((x_train, y_train), (x_val, y_val)), as kt.split_validation "
            "returns; got something else. Split validation data off the training data with "
            "kt.split_validation(x_train, y_train); never validate on the test set."
        ) from None
    return (x_train, y_train), (x_val, y_val)


def _default_experiment(build_model=None, data=None):
    """Fill in the course's default experiment: the digits MLP on the bundled MNIST, with
    validation data held out of the training images (the test images are never used)."""
    from kerastutor.data import load_mnist, split_validation
    from kerastutor.models import get_digits_model

    if data is None:
        (x, y), _ = load_mnist("bundled", verbose=False)
        x = x.reshape(-1, 784).astype("float32") / 255.0
        data = split_validation(x, y.astype("int64"), 2000, seed=0)
    return build_model or get_digits_model, data


class TrainingPanel:
    """A lab bench for `fit`: controls, Train and Stop, live curves and a table of runs.

    Args:
        build_model: a function returning a fresh, uncompiled Keras model. Each run calls it,
            so runs are independent. Default: `kt.get_digits_model`.
        data: `((x_train, y_train), (x_val, y_val))`; the validation part is what each
            epoch is scored on when the validation split is 0, and where per-class recall is
            measured. Never pass the test set here: choices made on it leak into the final
            score. Default: the bundled MNIST's training images, flattened and scaled to
            [0, 1], split 8,000 / 2,000 by `kt.split_validation`.
        loss, metrics: what `compile` gets; default sparse categorical crossentropy on
            logits and `sparse_categorical_accuracy`.
        epochs, batch_size, optimizer, learning_rate: starting values of the controls.

    Attributes:
        board: the `RunBoard` of every run so far.
        model: the model of the latest run (a plain Keras model).
    """

    def __init__(
        self,
        build_model: Callable[[], keras.Model] | None = None,
        data: tuple | None = None,
        loss: Any = None,
        metrics: list | None = None,
        epochs: int = 3,
        batch_size: int = 64,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
    ):
        build_model, data = _default_experiment(build_model, data)
        self.build_model = build_model
        (self.x_train, self.y_train), (self.x_val, self.y_val) = _split_data(data)
        pipelines._num_samples(self.x_train, self.y_train, None)
        pipelines._num_samples(self.x_val, self.y_val, None)
        self.loss = (
            loss
            if loss is not None
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        )
        self.metrics = metrics if metrics is not None else ["sparse_categorical_accuracy"]
        probe = build_model()
        # Sequential models have no output_names; they have a single output.
        self.output_names = list(getattr(probe, "output_names", None) or ["output"])
        self.is_classifier = self._labels_are_classes()
        self.classes = sorted(int(c) for c in np.unique(self.y_train)) if self.is_classifier else []
        self.board = RunBoard()
        self.model: keras.Model | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._build_widgets(epochs, batch_size, optimizer, learning_rate)

    # ------------------------------------------------------------ widgets

    def _build_widgets(self, epochs, batch_size, optimizer, learning_rate) -> None:
        import ipywidgets as w

        style = {"description_width": "110px"}
        layout = w.Layout(width="340px")
        if batch_size not in BATCH_SIZES:
            raise ValueError(f"batch_size must be one of {BATCH_SIZES}, not {batch_size!r}.")
        self.w_batch_size = w.SelectionSlider(
            options=list(BATCH_SIZES),
            value=batch_size,
            description="batch size",
            style=style,
            layout=layout,
        )
        self.w_epochs = w.IntSlider(
            value=epochs, min=1, max=30, description="epochs", style=style, layout=layout
        )
        self.w_optimizer = w.Dropdown(
            options=[(f"{o} (momentum 0.9)" if o == "sgd" else o, o) for o in OPTIMIZERS],
            value=optimizer,
            description="optimizer",
            style=style,
            layout=layout,
        )
        self.w_learning_rate = w.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-5,
            max=0,
            step=0.25,
            description="learning rate",
            readout_format=".0e",
            style=style,
            layout=layout,
        )
        self.w_pipeline = w.Dropdown(
            options=list(pipelines.PIPELINES),
            value="numpy",
            description="pipeline",
            style=style,
            layout=layout,
        )
        self.w_validation_split = w.FloatSlider(
            value=0.0,
            min=0.0,
            max=0.5,
            step=0.05,
            description="validation split",
            style=style,
            layout=layout,
        )
        self.w_class_weight_mode = w.ToggleButtons(
            options=["none", "balanced", "custom"],
            value="none",
            description="class weights",
            style=style,
        )
        self.w_class_weights = {
            c: w.FloatSlider(
                value=1.0,
                min=0.0,
                max=10.0,
                step=0.5,
                description=f"class {c}",
                style={"description_width": "60px"},
                layout=w.Layout(width="260px"),
            )
            for c in self.classes
        }
        self.w_sample_weight = w.Dropdown(
            options=list(SAMPLE_WEIGHT_RULES),
            value="none",
            description="sample weights",
            style=style,
            layout=layout,
        )
        self.w_loss_weights = (
            {
                name: w.FloatSlider(
                    value=1.0,
                    min=0.0,
                    max=5.0,
                    step=0.1,
                    description=name,
                    style=style,
                    layout=layout,
                )
                for name in self.output_names
            }
            if len(self.output_names) > 1
            else {}
        )
        self.w_seed = w.BoundedIntText(
            value=0, min=0, max=2**31 - 1, description="seed", style=style, layout=layout
        )

        self.w_train = w.Button(description="Train", button_style="success", icon="play")
        self.w_stop = w.Button(
            description="Stop", button_style="danger", icon="stop", disabled=True
        )
        self.w_progress = w.IntProgress(value=0, min=0, max=1, description="progress", style=style)
        self.w_message = w.HTML()
        self.w_settings = w.HTML()
        self.w_plot = w.Image(format="png")
        self.w_table = w.HTML()
        self.w_train.on_click(lambda _: self.train(wait=False))
        self.w_stop.on_click(lambda _: self.stop())

        class_box = w.VBox(list(self.w_class_weights.values()))
        accordion = w.Accordion(children=[class_box])
        accordion.set_title(0, "custom class weights")
        settings_column = [
            self.w_batch_size,
            self.w_epochs,
            self.w_optimizer,
            self.w_learning_rate,
            self.w_pipeline,
            self.w_validation_split,
            self.w_sample_weight,
            *self.w_loss_weights.values(),
            self.w_seed,
            self.w_class_weight_mode,
        ]
        # Everything that sets a run: disabled while one trains, re-checked when it changes.
        self._controls = [*settings_column, *self.w_class_weights.values()]
        for control in self._controls:
            control.observe(lambda _: self._refresh(), names="value")
        left = w.VBox([*settings_column, accordion])
        right = w.VBox(
            [
                w.HBox([self.w_train, self.w_stop, self.w_progress]),
                self.w_message,
                self.w_settings,
                self.w_plot,
            ]
        )
        self.widget = w.VBox([w.HBox([left, right]), self.w_table])
        self._refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------ programmatic twins

    def set(self, **values: Any) -> None:
        """Set controls by name, e.g. `set(batch_size=64, optimizer="sgd", class_weight={5: 3})`.

        Names: batch_size, epochs, optimizer, learning_rate, pipeline, validation_split,
        class_weight (`None`, `"balanced"` or `{class: weight}`), sample_weight (a rule name
        from `SAMPLE_WEIGHT_RULES`), loss_weights (`{output name: weight}`), seed.
        Values out of a control's range raise a ValueError, as the widget would refuse them.
        """
        simple = {
            "batch_size": self.w_batch_size,
            "epochs": self.w_epochs,
            "optimizer": self.w_optimizer,
            "learning_rate": self.w_learning_rate,
            "pipeline": self.w_pipeline,
            "validation_split": self.w_validation_split,
            "sample_weight": self.w_sample_weight,
            "seed": self.w_seed,
        }
        for name, value in values.items():
            if name in simple:
                _set_checked(simple[name], name, value)
            elif name == "class_weight":
                self._set_class_weight(value)
            elif name == "loss_weights":
                for output, weight in (value or {}).items():
                    if output not in self.w_loss_weights:
                        raise ValueError(
                            f"No output {output!r} to weight; this model's outputs are "
                            f"{self.output_names} (loss weights need two or more)."
                        )
                    _set_checked(self.w_loss_weights[output], f"loss_weights[{output!r}]", weight)
            else:
                known = sorted([*simple, "class_weight", "loss_weights"])
                raise TypeError(f"Unknown setting {name!r}. Known: {known}.")
        self._refresh()

    def _set_class_weight(self, value) -> None:
        if value is None or value == "none":
            self.w_class_weight_mode.value = "none"
        elif value == "balanced":
            self.w_class_weight_mode.value = "balanced"
        elif isinstance(value, dict):
            absent = sorted(k for k in value if k not in self.w_class_weights)
            if absent:
                raise ValueError(
                    f"class_weight names classes {absent} that are not in the labels "
                    f"(classes: {self.classes})."
                )
            for c, slider in self.w_class_weights.items():
                _set_checked(slider, f"class_weight[{c}]", value.get(c, 1.0))
            self.w_class_weight_mode.value = "custom"
        else:
            raise ValueError("class_weight must be None, 'balanced' or a dict {class: weight}.")

    def settings(self) -> dict:
        """The current controls as a plain dict (what the next run will use)."""
        mode = self.w_class_weight_mode.value
        if mode == "balanced" and self.is_classifier:
            class_weight = pipelines.balanced_class_weight(self.y_train)
        elif mode == "custom":
            class_weight = {c: s.value for c, s in self.w_class_weights.items()}
        else:
            class_weight = {}
        return {
            "batch_size": self.w_batch_size.value,
            "epochs": self.w_epochs.value,
            "optimizer": self.w_optimizer.value,
            "learning_rate": float(self.w_learning_rate.value),
            "pipeline": self.w_pipeline.value,
            "validation_split": round(float(self.w_validation_split.value), 2),
            "class_weight": class_weight,
            "sample_weight": self.w_sample_weight.value,
            "loss_weights": {k: s.value for k, s in self.w_loss_weights.items()},
            "seed": self.w_seed.value,
        }

    def problems(self, settings: dict | None = None) -> list[str]:
        """What Keras would refuse in these settings, each with what to do instead."""
        s = settings or self.settings()
        found = []
        kind = s["pipeline"]
        if self.w_class_weight_mode.value != "none" and not self.is_classifier:
            found.append(
                "Class weights need class labels, but the targets are not whole-number "
                "classes (a regression output). Use sample weights instead."
            )
        elif s["class_weight"] and len(self.output_names) > 1:
            found.append(
                "Keras takes class_weight only for single-output models. Weight "
                "outputs with loss weights, or samples with sample weights."
            )
        if s["validation_split"] and kind != "numpy":
            found.append(
                f"validation_split only works with NumPy arrays, not the {kind!r} pipeline. "
                "Set the split to 0 (the panel then validates on its validation data) "
                "or choose the numpy pipeline."
            )
        for check in (
            lambda: pipelines.check_fit_arguments(
                kind, class_weight=s["class_weight"] or None, y=self.y_train
            ),
        ):
            try:
                check()
            except pipelines.PipelineError as exc:
                text = str(exc)
                if "class_weight" in text and kind in ("torch", "generator"):
                    text = (
                        f"Keras refuses class weights with the {kind!r} pipeline. Choose "
                        "numpy, pydataset or tf_data, or use the 'balanced' sample-weight "
                        "rule, which puts the weights into the data."
                    )
                found.append(text)
        return found

    # ------------------------------------------------------------ training

    def train(self, wait: bool = True) -> Run | None:
        """Start a run with the current settings.

        `wait=True` (the programmatic default) blocks and returns the finished `Run`;
        `wait=False` (the Train button) trains in a background thread so Stop can be clicked.
        Settings Keras would refuse never start a run: the reasons appear in the panel and a
        ValueError is raised.
        """
        if self.running:
            raise RuntimeError("A run is already going: stop it or wait() for it first.")
        settings = self.settings()
        problems = self.problems(settings)
        if problems:
            self._refresh()
            raise ValueError("Not training: " + " ".join(problems))
        self._stop.clear()
        run = Run(number=len(self.board.runs) + 1, settings=settings)
        self._set_running(True)
        self._thread = threading.Thread(target=self._train, args=(run,), daemon=True)
        self._thread.start()
        if wait:
            self.wait()
            if run.error:
                raise RuntimeError(f"Run {run.number} failed: {run.error}")
            return run
        return None

    def stop(self) -> None:
        """Ask the running fit to end; it stops after the current batch and keeps its history."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> Run | None:
        """Block until the current run ends; return the latest run."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.board.runs[-1] if self.board.runs else None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _train(self, run: Run) -> None:
        s = run.settings
        start = time.perf_counter()
        try:
            keras.utils.set_random_seed(s["seed"])
            model = self.build_model()
            optimizer_kwargs = {"momentum": 0.9} if s["optimizer"] == "sgd" else {}
            model.compile(
                optimizer=get_optimizer(s["optimizer"], s["learning_rate"], **optimizer_kwargs),
                loss=self.loss,
                metrics=self.metrics,
                loss_weights=s["loss_weights"] or None,
            )
            self.model = model
            run.optimizer = type(model.optimizer).__name__
            run.learning_rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
            x, y = self.x_train, self.y_train
            n_val = int(round(len(y) * s["validation_split"])) if s["validation_split"] else 0
            n_fit = len(y) - n_val
            sample_weight = SAMPLE_WEIGHT_RULES[s["sample_weight"]](np.asarray(y))
            kind = s["pipeline"]
            fit_kwargs: dict = {}
            pipeline = pipelines.make_pipeline(
                kind, x, y, sample_weight, batch_size=s["batch_size"], shuffle=True, seed=s["seed"]
            )
            if s["validation_split"]:
                fit_kwargs["validation_split"] = s["validation_split"]
            else:
                evaluation = pipelines.make_pipeline(kind, self.x_val, self.y_val, batch_size=256)
                fit_kwargs.update(evaluation.validation_kwargs())
            if s["class_weight"]:
                fit_kwargs["class_weight"] = s["class_weight"]
            run.steps_per_epoch = math.ceil(n_fit / s["batch_size"])
            self.w_progress.max = s["epochs"] * run.steps_per_epoch
            self.w_progress.value = 0
            plot = LivePlot(name=run.name, widget=self.w_plot, min_interval=0.5, max_overhead=0.05)
            stopper = _StopAndProgress(
                self._stop, lambda steps: setattr(self.w_progress, "value", steps)
            )
            history = model.fit(
                pipeline.x,
                pipeline.y,
                epochs=s["epochs"],
                verbose=0,
                callbacks=[stopper, plot],
                **pipeline.fit_kwargs,
                **fit_kwargs,
            )
            self.w_progress.value = stopper.steps
            run.history = {k: [float(v) for v in vals] for k, vals in history.history.items()}
            run.epochs_done = len(history.epoch)
            run.stopped = self._stop.is_set() and stopper.steps < s["epochs"] * run.steps_per_epoch
            run.final = {k: v[-1] for k, v in run.history.items() if v}
            if self.is_classifier and len(self.output_names) == 1:
                run.per_class_recall = _per_class_recall(model, self.x_val, self.y_val)
        except Exception as exc:  # shown in the panel; the kernel and the board survive
            run.error = f"{type(exc).__name__}: {exc}"
        finally:
            run.seconds = time.perf_counter() - start
            self.board.add(run)
            self._set_running(False)
            self._show_board(run)

    # ------------------------------------------------------------ display state

    def _labels_are_classes(self) -> bool:
        y = np.asarray(self.y_train)
        return y.ndim == 1 and (
            np.issubdtype(y.dtype, np.integer) or bool(np.all(np.mod(y, 1) == 0))
        )

    def _set_running(self, running: bool) -> None:
        for control in (*self._controls, self.w_train):
            control.disabled = running
        self.w_stop.disabled = not running
        if running:
            self.w_message.value = "<b>Training…</b> Click Stop to end the run early."
        else:
            self._refresh(force=True)  # called from the training thread, still alive here

    def _refresh(self, force: bool = False) -> None:
        if self.running and not force:
            return
        problems = self.problems()
        self.w_train.disabled = bool(problems)
        self.w_message.value = "".join(
            f"<div style='color:#b00'>⚠ {_escape(p)}</div>" for p in problems
        )
        s = self.settings()
        n = len(self.y_train) - int(round(len(self.y_train) * s["validation_split"]))
        steps = math.ceil(n / s["batch_size"])
        self.w_settings.value = (
            f"<small>next run: {s['epochs']} epochs × ceil({n} / {s['batch_size']}) = "
            f"{steps} steps an epoch, {s['optimizer']} at learning rate {s['learning_rate']:.1e}, "
            f"{s['pipeline']} pipeline, seed {s['seed']}</small>"
        )

    def _show_board(self, run: Run) -> None:
        table = self.board.table()
        note = f"<b>Run {run.number} failed:</b> {_escape(run.error)}<br>" if run.error else ""
        stopped = (
            f"<b>Run {run.number} stopped</b> after {run.epochs_done} epochs.<br>"
            if run.stopped
            else ""
        )
        html = table.to_html() if len(table) else ""
        self.w_table.value = (
            note + stopped + f"<div style='overflow-x:auto; font-size:11px'>{html}</div>"
        )


def _escape(text: str | None) -> str:
    import html

    return html.escape(text or "")


def _set_checked(widget, name: str, value) -> None:
    """Set a widget value, refusing what the widget itself would not allow."""
    options = getattr(widget, "options", None)
    if options is not None:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        if value not in values:
            raise ValueError(f"{name} must be one of {values}, not {value!r}.")
    elif hasattr(widget, "min") and hasattr(widget, "max"):
        low, high = widget.min, widget.max
        if widget.__class__.__name__ == "FloatLogSlider":
            low, high = widget.base**widget.min, widget.base**widget.max
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not low <= value <= high
        ):
            raise ValueError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}.")
    widget.value = value


def _per_class_recall(model: keras.Model, x, y) -> dict[int, float]:
    predicted = np.argmax(model.predict(x, verbose=0, batch_size=1024), axis=-1)
    y = np.asarray(y).reshape(-1)
    return {int(c): float(np.mean(predicted[y == c] == c)) for c in np.unique(y)}


class BatchSizeExplorer:
    """Slide the batch size; see steps per epoch = ceil(n / batch_size), time and accuracy.

    Each value trains a fresh model for one epoch (seeded, so the only change is the batch
    size) and records the time per epoch and the validation accuracy in `results`.

    >>> explorer = BatchSizeExplorer(epochs=1)
    >>> row = explorer.try_batch_size(512)
    >>> row["steps_per_epoch"]              # ceil(8,000 / 512)
    16
    """

    def __init__(
        self,
        build_model: Callable[[], keras.Model] | None = None,
        data: tuple | None = None,
        epochs: int = 1,
        seed: int = 0,
    ):
        build_model, data = _default_experiment(build_model, data)
        self.build_model = build_model
        (self.x, self.y), (self.x_val, self.y_val) = _split_data(data)
        self.epochs, self.seed = epochs, seed
        self.results: list[dict] = []
        self._widget = None

    def try_batch_size(self, batch_size: int) -> dict:
        """Train one fresh model at this batch size; return and record what it did."""
        pipelines._check_batch_size(batch_size)
        keras.utils.set_random_seed(self.seed)
        model = self.build_model()
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["sparse_categorical_accuracy"],
        )
        start = time.perf_counter()
        model.fit(self.x, self.y, batch_size=batch_size, epochs=self.epochs, verbose=0)
        seconds = (time.perf_counter() - start) / self.epochs
        accuracy = model.evaluate(self.x_val, self.y_val, verbose=0, return_dict=True)[
            "sparse_categorical_accuracy"
        ]
        row = {
            "batch_size": batch_size,
            "steps_per_epoch": math.ceil(len(self.y) / batch_size),
            "seconds_per_epoch": round(seconds, 2),
            "accuracy": round(float(accuracy), 4),
        }
        self.results.append(row)
        return row

    def table(self):
        """Every tried batch size as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.results)

    @property
    def widget(self):
        """A slider (trains when released) and the table of results so far."""
        if self._widget is None:
            import ipywidgets as w

            slider = w.SelectionSlider(
                options=list(BATCH_SIZES),
                value=64,
                description="batch size",
                continuous_update=False,
            )
            out = w.HTML()

            def changed(change):
                row = self.try_batch_size(change["new"])
                out.value = (
                    f"<p>{row['steps_per_epoch']} steps an epoch = ceil({len(self.y)} / "
                    f"{row['batch_size']})</p>" + self.table().to_html(index=False)
                )

            slider.observe(changed, names="value")
            self._widget = w.VBox([slider, out])
        return self._widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
