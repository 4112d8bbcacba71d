"""Keras callbacks of the course: `LivePlot` (live training curves) and `LossHistory`.

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

import contextvars
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass

import keras

from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _
from kerastutor.plots import LR_KEYS

__all__ = ["LossHistory", "LivePlot"]

#: The legend's names of a curve: training, validation, per batch (translated when drawn).
SPLIT_LABELS = {"train": N_("train"), "val": N_("val"), "batch": N_("batch")}


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


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook 7, VS Code, Colab), else False."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and any(
        cls.__name__ == "ZMQInteractiveShell" for cls in type(shell).__mro__
    )


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.4f}"


class LivePlot(keras.callbacks.Callback):
    """Live training curves for `model.fit`: one panel per loss and metric, redrawn in place.

    Training values are solid, validation values dashed in the same colour; the learning rate
    gets its own panel when it changes. The figure's title is a one-line status (epoch, time,
    latest values), so `fit(..., verbose=0)` leaves the cell with one image and no progress
    bars. In a plain script or terminal it prints one line per epoch and opens no window.

    Drawing is throttled by wall time and by cost: every value is recorded, but the figure is
    redrawn only when `min_interval` seconds have passed since the last redraw *and* drawing
    has used at most `max_overhead` of the time since training began. The first epoch and the
    final state are always drawn. A drawing error is reported once; training goes on.

    Drawing happens off the training thread: a hook only records the values and hands a copy
    to a short-lived drawing thread, which owns the figure and renders the PNG (a newer copy
    replaces one not yet drawn). In a notebook the final state is drawn after `fit` returns
    and before the cell finishes; reading `figure`, `redraws` or `draw_seconds`, or calling
    `wait()`, first waits for the drawing to end.

    Args:
        name: the run's name in legends (useful with `compare_with`).
        compare_with: earlier runs to draw underneath, `{name: History or .history dict}`.
        per_batch: also draw the training loss after every batch, as a thin line.
        metrics: the panels to show (default: every logged quantity).
        min_interval: seconds between redraws, at least.
        max_overhead: largest share of training time that drawing may use.
        display: `"auto"` (notebook if in a Jupyter kernel, else console), `"notebook"` or
            `"console"`. (Not `mode`: on Keras callbacks `mode` means "min" or "max".)
        dpi, ncols: image resolution and panels per row.
        widget: an `ipywidgets.Image` to draw into instead of the cell's output (the
            training panel uses this; it also works from a background thread).

    Example:

    >>> import kerastutor as kt
    >>> x, y = kt.make_random_classification()["train"]
    >>> model = kt.get_compiled_random_data_model()
    >>> plot = kt.LivePlot(display="console")
    >>> _ = model.fit(x, y, validation_split=0.2, epochs=2, verbose=0, callbacks=[plot])
    epoch 1/2 ... loss ... val_loss ...
    epoch 2/2 ...
    >>> sorted(plot.history)   # what fit logged, plus the optimizer's learning rate
    ['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']
    """

    def __init__(
        self,
        name: str = "run",
        compare_with: dict | None = None,
        per_batch: bool = False,
        metrics: list[str] | None = None,
        min_interval: float = 1.0,
        max_overhead: float = 0.01,
        display: str = "auto",
        dpi: int = 72,
        ncols: int = 3,
        widget=None,
        **kwargs,
    ):
        super().__init__()
        if "mode" in kwargs:
            raise TypeError(
                _(
                    "LivePlot has no mode= argument (on Keras callbacks mode means 'min' or "
                    "'max'): write display={mode!r} to choose notebook or console output."
                ).format(mode=kwargs["mode"])
            )
        if kwargs:
            raise TypeError(
                _("LivePlot got unexpected arguments {names}.").format(names=sorted(kwargs))
            )
        if display not in ("auto", "notebook", "console"):
            raise ValueError(
                _("display must be 'auto', 'notebook' or 'console', not {display!r}.").format(
                    display=display
                )
            )
        _check_number("min_interval", min_interval, 0, float("inf"), N_("seconds, e.g. 1.0"))
        _check_number("max_overhead", max_overhead, 0, 1, N_("a share of the time, e.g. 0.01"))
        _check_number("dpi", dpi, 10, 600, N_("dots per inch, e.g. 72"))
        _check_number("ncols", ncols, 1, 12, N_("panels per row, e.g. 3"))
        if metrics is not None and (
            isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics)
        ):
            raise ValueError(
                _(
                    "metrics must be a list of names such as ['loss', 'accuracy'], not {metrics!r}."
                ).format(metrics=metrics)
            )
        self.name = name
        self.compare_with = dict(compare_with or {})
        self.per_batch = bool(per_batch)
        self.metrics = None if metrics is None else list(metrics)
        self.min_interval = float(min_interval)
        self.max_overhead = float(max_overhead)
        self.display = display
        self.dpi = int(dpi)
        self.ncols = int(ncols)
        self.widget = widget
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        self.batch_losses: list[tuple[float, float]] = []  # (fractional epoch, loss)
        self.error: str | None = None
        self._figure = None
        self._redraws = 0
        self._draw_seconds: list[float] = []
        self._done = threading.Condition()
        self._pending: _Snapshot | None = None  # the newest values not yet drawn
        self._drawing = False  # a drawing thread is running
        self._drawer: threading.Thread | None = None
        self._reported = False
        if not per_batch:
            # Keep Keras's default (no-op) batch hook: Keras dispatches batch hooks to a thread
            # on backends it calls thread-safe (JAX, PyTorch) only while no callback overrides
            # one. On TensorFlow it calls them in line and converts the logs every batch anyway;
            # a no-op override costs about 0.1 us a batch there (benchmarks/liveplot.py).
            self.on_train_batch_end = keras.callbacks.Callback.on_train_batch_end.__get__(self)

    # ------------------------------------------------------------ results (after drawing)

    @property
    def figure(self):
        """The matplotlib Figure drawn last (None before the first draw or in a console)."""
        self.wait()
        return self._figure

    @property
    def redraws(self) -> int:
        """How many times the figure was drawn."""
        self.wait()
        return self._redraws

    @property
    def draw_seconds(self) -> list[float]:
        """Seconds each draw took, on the drawing thread."""
        self.wait()
        return list(self._draw_seconds)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every requested draw is done; True unless `timeout` ran out first."""
        if threading.current_thread() is self._drawer:
            return True
        with self._done:
            done = self._done.wait_for(lambda: not self._drawing, timeout)
        self._report_error()
        return done

    # ------------------------------------------------------------ Keras hooks

    def on_train_begin(self, logs=None):
        self.wait()  # the previous fit's last draw, if it is still going
        self.history, self.epochs, self.batch_losses = {}, [], []
        self._redraws, self._draw_seconds, self.error = 0, [], None
        self._figure, self._axes, self._lines, self._handle = None, {}, {}, None
        self._series: tuple = ()
        self._reported = False
        self._notebook = (
            self.widget is not None
            or self.display == "notebook"
            or (self.display == "auto" and _in_notebook())
        )
        self._start = self._last_draw = time.perf_counter()
        self._dirty = False
        self._epoch = 0
        self._epoch_start = self._start
        self._steps = (self.params or {}).get("steps") or 0
        self._epochs_total = (self.params or {}).get("epochs")
        self._warned_metrics = False

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if not self.per_batch or not logs or "loss" not in logs:
            return
        steps = self._steps or (batch + 1)
        self.batch_losses.append((self._epoch + (batch + 1) / steps, float(logs["loss"])))
        self._dirty = True
        if self._notebook:
            self._maybe_draw(final=False)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if not any(k in logs for k in LR_KEYS) and self.model is not None:
            lr = _current_learning_rate(self.model)
            if lr is not None:
                logs["learning_rate"] = lr
        for key, value in logs.items():
            try:
                self.history.setdefault(key, []).append(float(value))
            except (TypeError, ValueError):
                continue
        self.epochs.append(epoch + 1)
        self._dirty = True
        if self._notebook:
            self._maybe_draw(final=False, first=len(self.epochs) == 1)
        else:
            print(self.status_line(), flush=True)

    def on_train_end(self, logs=None):
        if not self._notebook:
            return
        if self._dirty and self.epochs:
            self._maybe_draw(final=True)
        if self._drawing and not self._wait_after_cell():
            self.wait()  # a script, a thread or a widget: the caller sees the final state
        self._report_error()

    # ------------------------------------------------------------ text

    def status_line(self) -> str:
        """`epoch 3/10 · 4.2 s · loss 0.3012 · val_loss 0.4471 ...` for the latest epoch."""
        if not self.epochs:
            return _("{name}: no epoch finished yet").format(name=self.name)
        total = f"/{self._epochs_total}" if self._epochs_total else ""
        parts = [
            _("epoch {epoch}{total}").format(epoch=self.epochs[-1], total=total),
            _("{seconds:.1f} s").format(seconds=time.perf_counter() - self._start),
        ]
        for key, values in self.history.items():
            if key in LR_KEYS and len(set(values)) <= 1:
                continue  # a constant learning rate is not news
            parts.append(f"{key} {_fmt(values[-1])}")
        return " · ".join(parts)

    # ------------------------------------------------------------ drawing: training thread

    def _maybe_draw(self, final: bool, first: bool = False) -> None:
        """On the training thread: decide whether to draw, and hand the values over."""
        if self.error is not None:
            self._report_error()
            return
        now = time.perf_counter()
        try:
            if not (final or first):
                if self._drawing:
                    return  # still drawing: its cost is not known yet
                if now - self._last_draw < self.min_interval:
                    return
                if sum(self._draw_seconds) > self.max_overhead * (now - self._start):
                    return
            self._last_draw = now
            self._dirty = False
            snapshot = _Snapshot(
                history={k: list(v) for k, v in self.history.items()},
                epochs=list(self.epochs),
                batch_losses=list(self.batch_losses),
                status=self.status_line(),
            )
            with self._done:
                self._pending = snapshot
                if self._drawing:
                    return  # the running drawing thread takes it next
                self._drawing = True
            self._drawer = threading.Thread(
                # The caller's context: in a kernel, the cell the output belongs to.
                target=contextvars.copy_context().run,
                args=(self._drain,),
                name="LivePlot drawing",
                daemon=True,
            )
            self._drawer.start()
        except Exception as exc:  # e.g. no thread could be started: training goes on
            with self._done:
                self._drawing = False
                self._done.notify_all()
            self._fail(exc)
            self._report_error()

    def _wait_after_cell(self) -> bool:
        """In a kernel, on its main thread: finish drawing when the cell ends, not now."""
        if self.widget is not None or threading.current_thread() is not threading.main_thread():
            return False
        try:
            from IPython import get_ipython

            shell = get_ipython() if _in_notebook() else None
            if shell is None:
                return False

            def finish(*args):
                shell.events.unregister("post_execute", finish)
                self.wait()

            shell.events.register("post_execute", finish)
            return True
        except Exception:
            return False

    def _report_error(self) -> None:
        if self.error is None or self._reported:
            return
        self._reported = True
        warnings.warn(
            _(
                "LivePlot stopped drawing ({error}); training continues and "
                "LivePlot.history still records every value."
            ).format(error=self.error),
            RuntimeWarning,
            stacklevel=3,
        )

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = f"{type(exc).__name__}: {exc}"

    # ------------------------------------------------------------ drawing: drawing thread

    def _drain(self) -> None:
        """The drawing thread: draw the newest values until there are none, then end."""
        while True:
            with self._done:
                snapshot, self._pending = self._pending, None
                if snapshot is None or self.error is not None:
                    self._pending = None
                    self._drawing = False
                    self._done.notify_all()
                    return
            start = time.perf_counter()
            try:
                self._draw(snapshot)
            except Exception as exc:  # a broken plot must never stop training
                self._fail(exc)
            finally:
                self._draw_seconds.append(time.perf_counter() - start)

    def _draw(self, snapshot: _Snapshot) -> None:
        from kerastutor import plots

        history = snapshot.history
        keys = [k for run in (*self.compare_with.values(), history) for k in _keys(run)]
        if snapshot.batch_losses:
            keys.insert(0, "loss")  # per-batch points can come before the first epoch ends
        panels = plots.panel_names(keys)
        if self.metrics is not None:
            chosen = [p for p in panels if p in self.metrics]
            missing = [m for m in self.metrics if m not in panels]
            if missing and not self._warned_metrics:
                self._warned_metrics = True
                logged = [p for p in panels if p not in LR_KEYS]
                warnings.warn(
                    (
                        _(
                            "LivePlot(metrics=...): fit logged no {missing}. "
                            "It logged {logged}: use those names."
                        )
                        if chosen
                        else _(
                            "LivePlot(metrics=...): fit logged no {missing}, so every logged "
                            "quantity is drawn instead. It logged {logged}: use those names."
                        )
                    ).format(missing=missing, logged=logged),
                    UserWarning,
                    stacklevel=2,
                )
            if chosen:
                panels = chosen + [p for p in panels if p in LR_KEYS]
        if history.get("learning_rate") and len(set(history["learning_rate"])) <= 1:
            panels = [p for p in panels if p not in LR_KEYS]  # a constant rate needs no panel
        series = (tuple(panels), tuple(history), bool(snapshot.batch_losses))
        if series != self._series:  # new panels or new series: lay the figure out again
            self._build(panels, history, bool(snapshot.batch_losses))
            self._series = series
        for (panel, split), line in self._lines.items():
            key = panel if split == "train" else f"val_{panel}"
            if split == "batch":
                xs = [x for x, _ in snapshot.batch_losses]
                ys = [y for _, y in snapshot.batch_losses]
            else:
                ys = history.get(key, [])
                xs = snapshot.epochs[-len(ys) :] if ys else []
            line.set_data(xs, ys)
        for ax in self._axes.values():
            ax.relim()
            ax.autoscale_view()
            low, high = ax.dataLim.intervalx
            if high - low < 2:  # one epoch: whole-epoch ticks around it, not 0.945, 0.960...
                middle = (low + high) / 2 if high >= low else 1.0
                ax.set_xlim(middle - 1, middle + 1)
        figure = self._figure
        width_chars = int(figure.get_figwidth() * 14)  # about 14 characters an inch at 8 pt
        title = "\n".join(textwrap.wrap(snapshot.status, width_chars)[:2])
        figure.suptitle(title, fontsize=8, x=0.01, ha="left", va="top", y=0.995)
        self._show(snapshot.status)
        self._redraws += 1

    def _build(self, panels: list[str], history: dict, batch: bool) -> None:
        from matplotlib.ticker import MaxNLocator

        from kerastutor import plots

        self._figure, self._axes = plots.new_figure(panels, ncols=self.ncols)
        self._lines = {}
        for i, (name, run) in enumerate(self.compare_with.items()):
            plots.draw_run(
                self._axes, plots.history_dict(run), name, plots.run_colour(i), label_runs=True
            )
        colour = plots.run_colour(len(self.compare_with))
        label = f"{self.name} " if self.compare_with else ""
        for panel, ax in self._axes.items():
            # A fixed title position: otherwise matplotlib measures every tick label at every
            # draw to place the title, a fifth of a redraw's cost.
            ax.set_title(ax.get_title(), fontsize=ax.title.get_fontsize(), y=1.0)
            if panel not in LR_KEYS:
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4))  # fewer labels to render
            for split, style in (("train", "-"), ("val", "--")):
                key = panel if split == "train" else f"val_{panel}"
                if key in history:
                    (line,) = ax.plot(
                        [],
                        [],
                        style,
                        color=colour,
                        lw=1.5,
                        label=f"{label}{_(SPLIT_LABELS[split])}",
                        marker="o",
                        markersize=3,  # after one epoch, a point that shows
                    )
                    self._lines[(panel, split)] = line
            if batch and panel == "loss":
                (line,) = ax.plot(
                    [],
                    [],
                    "-",
                    color=colour,
                    lw=0.6,
                    alpha=0.4,
                    label=f"{label}{_(SPLIT_LABELS['batch'])}",
                )
                self._lines[(panel, "batch")] = line
            if ax.get_legend_handles_labels()[0] and panel not in LR_KEYS:
                ax.legend(fontsize=7, loc="best")

    def _show(self, status: str) -> None:
        import io

        buffer = io.BytesIO()
        self._figure.savefig(buffer, format="png", dpi=self.dpi)
        if self.widget is not None:
            self.widget.value = buffer.getvalue()
            return
        from IPython.display import display

        bundle = {"image/png": buffer.getvalue(), "text/plain": status}
        if self._handle is not None:
            try:
                self._handle.update(bundle, raw=True)
                return
            except Exception:  # some front ends have broken display_id updates: start anew
                self._handle = None
        self._handle = display(bundle, raw=True, display_id=True)


@dataclass(frozen=True)
class _Snapshot:
    """What one draw shows, copied on the training thread."""

    history: dict[str, list[float]]
    epochs: list[int]
    batch_losses: list[tuple[float, float]]
    status: str


def _keys(run) -> list[str]:
    from kerastutor.plots import history_dict

    return list(history_dict(run))


def _check_number(name: str, value, low: float, high: float, example: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(
            _(
                "{name} must be a number from {low:g} to {high:g} ({example}), not {value!r}."
            ).format(name=name, low=low, high=high, example=_(example), value=value)
        )


def _current_learning_rate(model) -> float | None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except Exception:
        return None
