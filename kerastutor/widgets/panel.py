"""The training panel: controls for the settings, Train and Stop, live curves, a run table.

A thin view over an `Experiment`: every rule about a value is `Settings`', every rule about a
combination is `Experiment.problems`', and the run itself is `Experiment.run`, started here in
a background thread so that the kernel stays free to hear the Stop click.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import keras

from kerastutor.callbacks import LivePlot
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _
from kerastutor.models import OPTIMIZERS
from kerastutor.widgets.board import RunBoard
from kerastutor.widgets.experiment import Experiment, Run
from kerastutor.widgets.settings import (
    BATCH_SIZES,
    RANGES,
    SAMPLE_WEIGHT_RULES,
    Settings,
    optimizer_label,
)

__all__ = ["TrainingPanel"]

#: The class-weight modes of the panel and their labels (translated when the panel is built).
CLASS_WEIGHT_MODES = {"none": N_("none"), "balanced": N_("balanced"), "custom": N_("custom")}

PLACEHOLDER = (
    "<div style='width:520px;height:180px;border:1px dashed #bbb;color:#777;display:flex;"
    "align-items:center;justify-content:center;font-size:13px'>{}</div>"
)


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
        epochs, batch_size, optimizer, learning_rate: starting values of the controls,
            checked as `set()` checks them.

    Attributes:
        experiment: the `Experiment` the panel runs (usable without any widget).
        board: the `RunBoard` of every run so far.
        model: the model of the latest run (a plain Keras model).

    >>> import kerastutor as kt
    >>> panel = kt.TrainingPanel()
    >>> panel.set(batch_size=256, epochs=1, optimizer="adam", learning_rate=1e-3)
    >>> run = panel.train()               # blocks until done; the Train button does not
    >>> run.settings["batch_size"], run.steps_per_epoch
    (256, 32)
    >>> len(panel.board.table())
    1
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
        self.experiment = Experiment(build_model, data, loss, metrics)
        self._settings = self.experiment.validate(
            Settings(
                batch_size=batch_size,
                epochs=epochs,
                optimizer=optimizer,
                learning_rate=learning_rate,
            )
        )
        self.board = RunBoard()
        self.model: keras.Model | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Set by the training thread once its run has ended and the controls are back. (Waiting
        # on this, not on Thread.join: a join interrupted by Ctrl-C marks the thread finished.)
        self._done = threading.Event()
        self._done.set()
        self._active: int | None = None  # number of the run in progress
        self._syncing = False  # True while set() writes the controls
        self._build_widgets()

    # ------------------------------------------------------------ the experiment's data

    @property
    def x_train(self):
        return self.experiment.x_train

    @property
    def y_train(self):
        return self.experiment.y_train

    @property
    def x_val(self):
        return self.experiment.x_val

    @property
    def y_val(self):
        return self.experiment.y_val

    @property
    def output_names(self) -> list[str]:
        return self.experiment.output_names

    @property
    def is_classifier(self) -> bool:
        return self.experiment.is_classifier

    @property
    def classes(self) -> list[int]:
        return self.experiment.classes

    # ------------------------------------------------------------ widgets

    def _build_widgets(self) -> None:
        import ipywidgets as w

        style = {"description_width": "110px"}
        layout = w.Layout(width="340px")
        s = self._settings
        self.w_batch_size = w.SelectionSlider(
            options=list(BATCH_SIZES),
            value=s.batch_size,
            description=_("batch size"),
            style=style,
            layout=layout,
        )
        self.w_epochs = w.IntSlider(
            value=s.epochs,
            min=RANGES["epochs"][0],
            max=RANGES["epochs"][1],
            description=_("epochs"),
            style=style,
            layout=layout,
        )
        self.w_optimizer = w.Dropdown(
            options=[(optimizer_label(o), o) for o in OPTIMIZERS],
            value=s.optimizer,
            description=_("optimizer"),
            style=style,
            layout=layout,
        )
        low, high = RANGES["learning_rate"]
        self.w_learning_rate = w.FloatLogSlider(
            value=s.learning_rate,
            base=10,
            min=round(_log10(low)),
            max=round(_log10(high)),
            step=0.25,
            description=_("learning rate"),
            readout_format=".0e",
            style=style,
            layout=layout,
        )
        from kerastutor.pipelines import PIPELINES

        self.w_pipeline = w.Dropdown(
            options=list(PIPELINES),
            value=s.pipeline,
            description=_("pipeline"),
            style=style,
            layout=layout,
        )
        self.w_validation_split = w.FloatSlider(
            value=s.validation_split,
            min=RANGES["validation_split"][0],
            max=RANGES["validation_split"][1],
            step=0.05,
            description=_("validation split"),
            style=style,
            layout=layout,
        )
        self.w_class_weight_mode = w.ToggleButtons(
            options=[(_(label), mode) for mode, label in CLASS_WEIGHT_MODES.items()],
            value="none",
            description=_("class weights"),
            style=style,
        )
        self.w_class_weights = {
            c: w.FloatSlider(
                value=1.0,
                min=RANGES["class_weight"][0],
                max=RANGES["class_weight"][1],
                step=0.5,
                description=_("class {label}").format(label=c),
                style={"description_width": "60px"},
                layout=w.Layout(width="260px"),
            )
            for c in self.classes
        }
        self.w_sample_weight = w.Dropdown(
            options=[(_(rule), rule) for rule in SAMPLE_WEIGHT_RULES],
            value=s.sample_weight,
            description=_("sample weights"),
            style=style,
            layout=layout,
        )
        self.w_loss_weights = (
            {
                name: w.FloatSlider(
                    value=1.0,
                    min=RANGES["loss_weights"][0],
                    max=RANGES["loss_weights"][1],
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
            value=s.seed,
            min=RANGES["seed"][0],
            max=RANGES["seed"][1],
            description=_("seed"),
            style=style,
            layout=layout,
        )
        self.w_train = w.Button(description=_("Train"), button_style="success", icon="play")
        self.w_stop = w.Button(
            description=_("Stop"), button_style="danger", icon="stop", disabled=True
        )
        self.w_progress = w.IntProgress(
            value=0, min=0, max=1, description=_("progress"), style=style
        )
        self.w_message = w.HTML()
        self.w_settings = w.HTML()
        self.w_placeholder = w.HTML(PLACEHOLDER.format(_("Press <b>Train</b> to see live curves.")))
        self.w_plot = w.Image(format="png", layout=w.Layout(display="none"))
        self.w_table = w.HTML()
        self.w_plot.observe(self._plot_drawn, names="value")
        self.w_train.on_click(self._clicked(lambda: self.train(wait=False)))
        self.w_stop.on_click(self._clicked(self.stop))

        class_box = w.VBox(list(self.w_class_weights.values()))
        accordion = w.Accordion(children=[class_box])
        accordion.set_title(0, _("custom class weights"))
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
        # Everything that sets a run: disabled while one trains, re-read when it changes.
        self._controls = [*settings_column, *self.w_class_weights.values()]
        for control in self._controls:
            control.observe(self._control_changed, names="value")
        left = w.VBox([*settings_column, accordion])
        right = w.VBox(
            [
                w.HBox([self.w_train, self.w_stop, self.w_progress]),
                self.w_message,
                self.w_settings,
                self.w_placeholder,
                self.w_plot,
            ],
            layout=w.Layout(min_width="0"),
        )
        self.widget = w.VBox([w.HBox([left, right]), self.w_table])
        self._refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _plot_drawn(self, change) -> None:
        """The first live drawing of a run replaces the placeholder (and a cleared image hides)."""
        drawn = len(change["new"]) > 0
        self.w_plot.layout.display = None if drawn else "none"
        self.w_placeholder.layout.display = "none" if drawn else None

    def _clicked(self, action: Callable[[], Any]) -> Callable[[Any], None]:
        """A button handler whose errors appear in the panel, not in a log nobody reads."""

        def handler(_button) -> None:
            try:
                action()
            except Exception as exc:
                self.w_message.value = (
                    f"<div style='color:#b00'>⚠ {_escape(type(exc).__name__)}: "
                    f"{_escape(str(exc))}</div>"
                )

        return handler

    # ------------------------------------------------------------ settings

    def set(self, **values: Any) -> None:
        """Set controls by name, e.g. `set(batch_size=64, optimizer="sgd", class_weight={5: 3})`.

        Names: batch_size, epochs, optimizer, learning_rate, pipeline, validation_split,
        class_weight (`None`, `"balanced"` or `{class: weight}`), sample_weight (a rule name
        from `SAMPLE_WEIGHT_RULES`), loss_weights (`{output name: weight}`), seed. Values are
        checked by `Settings`; one bad value changes nothing (all or nothing).
        """
        if self.running:
            raise RuntimeError(
                _("A run is going: stop it or wait() for it before changing settings.")
            )
        new = self.experiment.validate(self._settings.replace(**values))
        self._settings = new
        self._write_controls(new)
        self._refresh()

    def settings(self) -> dict:
        """The current settings as a plain dict (what the next run will use)."""
        return {
            **self._settings.as_dict(),
            "class_weight": self.experiment.class_weight(self._settings) or {},
        }

    @property
    def current(self) -> Settings:
        """The current settings as a `Settings` value."""
        return self._settings

    def problems(self, settings: Settings | None = None) -> list[str]:
        """What Keras would refuse in these settings (default: the current ones), with fixes."""
        return self.experiment.problems(settings or self._settings)

    def _write_controls(self, s: Settings) -> None:
        self._syncing = True
        try:
            self.w_batch_size.value = s.batch_size
            self.w_epochs.value = s.epochs
            self.w_optimizer.value = s.optimizer
            self.w_learning_rate.value = s.learning_rate
            self.w_pipeline.value = s.pipeline
            self.w_validation_split.value = s.validation_split
            self.w_sample_weight.value = s.sample_weight
            self.w_seed.value = s.seed
            for name, slider in self.w_loss_weights.items():
                slider.value = s.loss_weights.get(name, 1.0)
            if isinstance(s.class_weight, dict):
                for c, slider in self.w_class_weights.items():
                    slider.value = s.class_weight.get(c, 1.0)
                self.w_class_weight_mode.value = "custom"
            else:
                self.w_class_weight_mode.value = s.class_weight or "none"
        finally:
            self._syncing = False

    def _read_controls(self) -> Settings:
        mode = self.w_class_weight_mode.value
        class_weight: Any = None
        if mode == "balanced":
            class_weight = "balanced"
        elif mode == "custom":
            class_weight = {c: slider.value for c, slider in self.w_class_weights.items()}
        return Settings(
            batch_size=self.w_batch_size.value,
            epochs=self.w_epochs.value,
            optimizer=self.w_optimizer.value,
            learning_rate=self.w_learning_rate.value,
            pipeline=self.w_pipeline.value,
            validation_split=self.w_validation_split.value,
            class_weight=class_weight,
            sample_weight=self.w_sample_weight.value,
            loss_weights={k: s.value for k, s in self.w_loss_weights.items()},
            seed=self.w_seed.value,
        )

    def _control_changed(self, _change=None) -> None:
        if self._syncing or self.running:
            return
        try:
            self._settings = self.experiment.validate(self._read_controls())
        except (ValueError, TypeError) as exc:
            self.w_message.value = f"<div style='color:#b00'>⚠ {_escape(str(exc))}</div>"
            return
        self._refresh()

    # ------------------------------------------------------------ training

    def train(self, wait: bool = True) -> Run | None:
        """Start a run with the current settings.

        `wait=True` (the programmatic default) blocks and returns the finished `Run`;
        `wait=False` (the Train button) trains in a background thread so Stop can be clicked.
        Settings Keras would refuse never start a run: the reasons appear in the panel and a
        ValueError is raised. Only one run at a time: a second `train()` while one is going
        raises a RuntimeError.
        """
        with self._lock:
            if self._active is not None:
                raise RuntimeError(_("A run is already going: stop it or wait() for it first."))
            settings = self._settings
            problems = self.experiment.problems(settings)
            if problems:
                self._refresh()
                raise ValueError(_("Not training: {problems}").format(problems=" ".join(problems)))
            number = self.board.next_number()
            self._active = number
            self._stop.clear()
            self._done.clear()
            self._thread = threading.Thread(
                target=self._train, args=(settings, number), daemon=True
            )
            self._set_running(True, number, settings)
            self._thread.start()
        if wait:
            run = self.wait()
            if run is not None and run.error:
                raise RuntimeError(
                    _("Run {number} failed: {error}").format(number=run.number, error=run.error)
                )
            return run
        return None

    def stop(self) -> None:
        """Ask the running fit to end; it stops after the current batch and keeps its history."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> Run | None:
        """Block until the current run ends; return the latest run.

        Interrupting the kernel while waiting stops the run (after its current batch), waits for
        it to end, and then lets the interrupt through: one run, stopped, and the panel ready.
        """
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self._done.wait(0.1):
                if deadline is not None and time.monotonic() >= deadline:
                    break
        except KeyboardInterrupt:
            self.stop()
            self._done.wait()
            raise
        return self.board.runs[-1] if self.board.runs else None

    @property
    def running(self) -> bool:
        """True from `train()` until the run has ended and the controls are back."""
        return self._active is not None

    def _train(self, settings: Settings, number: int) -> None:
        run: Run | None = None
        try:
            plot = LivePlot(
                name=f"#{number}", widget=self.w_plot, min_interval=0.5, max_overhead=0.05
            )

            def progress(steps: int) -> None:
                self.w_progress.value = steps

            def built(model: keras.Model) -> None:
                self.model = model

            run = self.experiment.run(
                settings,
                number=number,
                callbacks=[plot],
                stop_event=self._stop,
                on_progress=progress,
                on_model=built,
            )
        except Exception as exc:  # shown in the panel; the kernel and the board survive
            run = Run(
                number=number, settings=settings.as_dict(), error=f"{type(exc).__name__}: {exc}"
            )
        finally:
            if run is not None:
                self.board.add(run)
            self.w_progress.value = (
                self.w_progress.max if run and not run.stopped else self.w_progress.value
            )
            try:
                self._set_running(False, number, settings)
                self._show_board(run)
            finally:
                with self._lock:
                    self._active = None
                self._done.set()

    # ------------------------------------------------------------ display state

    def _set_running(self, running: bool, number: int, settings: Settings) -> None:
        for control in (*self._controls, self.w_train):
            control.disabled = running
        self.w_stop.disabled = not running
        if running:
            _n, steps = self.experiment.steps_per_epoch(settings)
            self.w_progress.max = max(1, settings.epochs * steps)
            self.w_progress.value = 0
            self.w_placeholder.value = PLACEHOLDER.format(
                _("Run {number}: waiting for its first epoch…").format(number=number)
            )
            self.w_plot.value = b""  # hides the previous run's figure, shows the placeholder
            self._show_board(None)  # the table stays; the last run's "stopped" note goes
            self.w_message.value = _("<b>Training…</b> Click Stop to end the run early.")
        else:
            self._refresh(force=True)

    def _refresh(self, force: bool = False) -> None:
        if self.running and not force:
            return
        problems = self.problems()
        self.w_train.disabled = bool(problems)
        self.w_message.value = "".join(
            f"<div style='color:#b00'>⚠ {_escape(p)}</div>" for p in problems
        )
        s = self._settings
        n, steps = self.experiment.steps_per_epoch(s)
        self.w_settings.value = _(
            "<small>next run: {epochs} epochs × ceil({n} / {batch_size}) = {steps} steps an "
            "epoch, {optimizer} at learning rate {learning_rate:.1e}, {pipeline} pipeline, "
            "seed {seed}</small>"
        ).format(
            epochs=s.epochs,
            n=n,
            batch_size=s.batch_size,
            steps=steps,
            optimizer=s.optimizer,
            learning_rate=s.learning_rate,
            pipeline=s.pipeline,
            seed=s.seed,
        )

    def _show_board(self, run: Run | None) -> None:
        table = self.board.table(columns="key")
        notes = ""
        if run is not None and run.error:
            notes += _("<b>Run {number} failed:</b> {error}").format(
                number=run.number, error=_escape(run.error)
            )
            notes += "<br>"
        if run is not None and run.stopped:
            if run.partial_epoch:
                notes += _(
                    "<b>Run {number} stopped</b> after {epochs} epochs (the last one partial: "
                    "{batches} of {steps} batches, left out of the table)."
                ).format(
                    number=run.number,
                    epochs=run.epochs_done,
                    batches=run.partial_epoch["batches"],
                    steps=run.steps_per_epoch,
                )
            else:
                notes += _("<b>Run {number} stopped</b> after {epochs} epochs.").format(
                    number=run.number, epochs=run.epochs_done
                )
            notes += "<br>"
        body = table.to_html() if len(table) else ""
        self.w_table.value = (
            notes
            + f"<div style='max-width:100%; overflow-x:auto; font-size:11px'>{body}</div>"
            + _("<small>All columns: <code>panel.board.table()</code></small>")
        )


def _escape(text: str | None) -> str:
    return html.escape(text or "")


def _log10(value: float) -> float:
    import math

    return math.log10(value)
