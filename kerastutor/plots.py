"""Training curves: a `History` as a pandas table, and the figure `LivePlot` and
`plot_history` draw (one panel per quantity, training solid, validation dashed, one colour
per run).

Figures are made by `figure()`: a `matplotlib.figure.Figure` that shows itself as a PNG, not a
`pyplot` one, so none is left open in pyplot's list, none is shown twice by the inline backend,
and nothing is registered in the user's display machinery.

Example:

>>> import kerastutor as kt
>>> history = {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "accuracy": [0.6, 0.8]}
>>> kt.history_to_frame(history)
       loss  val_loss  accuracy
epoch
1       0.9       1.0       0.6
2       0.5       0.7       0.8
>>> fig = kt.plot_history(history)
>>> [ax.get_title() for ax in fig.axes]
['loss', 'accuracy']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "history_to_frame",
    "plot_history",
    "plot_confusion_matrix",
    "plot_data_split",
    "draw_model",
    "why_no_drawing",
]

GRAPHVIZ_HINT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install graphviz`"
)

#: Keys that belong in the learning-rate panel rather than with the metrics.
LR_KEYS = ("learning_rate", "lr")


def history_dict(history: Any) -> dict[str, list[float]]:
    """A run's history as `{name: [value per epoch]}`, the one normaliser of the package.

    Accepts a `keras.callbacks.History` (what `model.fit` returns), its `.history` dict, a
    `kt.Run` or a DataFrame (one column per quantity).

    >>> history_dict({"loss": [0.5, 0.25]})
    {'loss': [0.5, 0.25]}
    """
    if hasattr(history, "history") and isinstance(history.history, dict):
        history = history.history
    if hasattr(history, "to_dict") and hasattr(history, "columns"):
        return {str(c): [float(v) for v in history[c]] for c in history.columns}
    if not isinstance(history, Mapping):
        raise TypeError(
            "Expected a keras History (what model.fit returns), its .history dict or a "
            f"DataFrame, not {type(history).__name__}."
        )
    return {str(k): [float(v) for v in vals] for k, vals in history.items()}


def history_to_frame(history: Any):
    """One row per epoch (numbered from 1, as Keras prints them), one column per logged value.

    Args:
        history: what `model.fit` returns, or its `.history` dict.

    Returns:
        A `pandas.DataFrame` indexed by `epoch`.
    """
    import pandas as pd

    values = history_dict(history)
    n = max((len(v) for v in values.values()), default=0)
    first = 1
    epochs = getattr(history, "epoch", None)
    if epochs and len(epochs) == n:
        first = int(epochs[0]) + 1  # a run continued with initial_epoch starts later
    frame = pd.DataFrame({k: v + [math.nan] * (n - len(v)) for k, v in values.items()})
    frame.index = pd.RangeIndex(first, first + n, name="epoch")
    return frame


def panel_names(keys: Sequence[str]) -> list[str]:
    """Group logged keys into panels: one per quantity, `val_x` drawn with `x`.

    The total `loss` comes first; a multi-output model's per-output values follow in the
    order the model logs them, so `score_output_loss` sits beside `score_output_mae`.
    The learning rate gets its own panel, last.

    >>> panel_names(["loss", "class_output_loss", "val_loss", "class_output_acc", "learning_rate"])
    ['loss', 'class_output_loss', 'class_output_acc', 'learning_rate']
    """
    panels: list[str] = []
    for key in keys:
        base = key[4:] if key.startswith("val_") else key
        if base not in panels:
            panels.append(base)
    lr = [p for p in panels if p in LR_KEYS]
    rest = [p for p in panels if p not in LR_KEYS]
    rest.sort(key=lambda p: p != "loss")  # stable: keeps the model's order otherwise
    return rest + lr


def run_colour(index: int) -> str:
    """A stable colour for the index-th run (matplotlib's tab10 cycle)."""
    palette = [
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
        "#d62728",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#7f7f7f",
        "#bcbd22",
        "#17becf",
    ]
    return palette[index % len(palette)]


def new_figure(panels: Sequence[str], ncols: int = 3, panel_size: tuple[float, float] = (3.4, 2.4)):
    """A pyplot-free Figure with one titled Axes per panel, laid out once (no tight bbox)."""
    from matplotlib.ticker import MaxNLocator

    from kerastutor import i18n

    ncols = max(1, min(ncols, len(panels)))
    nrows = max(1, math.ceil(len(panels) / ncols))
    width, height = panel_size[0] * ncols, panel_size[1] * nrows + 0.5
    fig = figure(figsize=(width, height))
    fig.subplots_adjust(
        left=0.55 / width * 1.5 if ncols == 1 else 0.07,
        right=0.98,
        bottom=0.6 / height,
        top=1 - 0.7 / height,
        wspace=0.3,
        hspace=0.7,
    )
    axes = {}
    for i, name in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.set_title(name, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.set_xlabel(i18n.gettext("epoch"), fontsize=8, labelpad=1)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if name in LR_KEYS:
            ax.set_yscale("log")
        axes[name] = ax
    return fig, axes


def plot_history(
    histories: Any,
    names: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    ncols: int = 3,
):
    """Draw one or several finished runs in the `LivePlot` style and return the Figure.

    Args:
        histories: a `History` (or `.history` dict), or a list of them, or a dict
            `{run name: History}`.
        names: run names for the legend when `histories` is a list.
        metrics: the panels to draw (default: every logged quantity).
        ncols: panels per row.
    """
    if isinstance(histories, Mapping) and not any(
        isinstance(v, (list, tuple)) for v in histories.values()
    ):
        names, histories = list(histories.keys()), list(histories.values())
    elif not isinstance(histories, (list, tuple)):
        histories = [histories]
    runs = [history_dict(h) for h in histories]
    names = list(names) if names is not None else [f"run {i + 1}" for i in range(len(runs))]
    keys = [k for run in runs for k in run]
    panels = panel_names(keys)
    if metrics is not None:
        panels = [p for p in panels if p in metrics]
    fig, axes = new_figure(panels, ncols=ncols)
    for i, (name, run) in enumerate(zip(names, runs)):
        draw_run(axes, run, name, run_colour(i), label_runs=len(runs) > 1)
    for ax in axes.values():
        ax.relim()
        ax.autoscale_view()
    if len(runs) > 1:
        # Several runs: one legend below the panels, where it covers no curve.
        handles, labels = next(iter(axes.values())).get_legend_handles_labels()
        longest = max(len(label) for label in labels)
        ncol = max(1, min(len(labels), int(fig.get_figwidth() * 72 / (longest * 5.5 + 40))))
        rows = math.ceil(len(labels) / ncol)
        fig.set_figheight(fig.get_figheight() + 0.2 * rows)
        fig.subplots_adjust(bottom=(0.65 + 0.2 * rows) / fig.get_figheight())
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, frameon=False)
    else:
        for ax in axes.values():
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8)
    fig.subplots_adjust(top=1 - 0.35 / fig.get_figheight())  # no status line above
    return fig


def plot_confusion_matrix(matrix: Any, title: str = "", class_names: Sequence[str] | None = None):
    """Draw a confusion matrix (rows: true class, columns: predicted) with its counts.

    Args:
        matrix: a square array of counts, e.g. from `tf.math.confusion_matrix(y_true, y_pred)`.
        title: shown above the matrix.
        class_names: tick labels (default 0, 1, 2, ...).

    >>> fig = plot_confusion_matrix([[5, 1], [0, 4]], title="toy")
    >>> fig.axes[0].get_title()
    'toy'
    """
    import numpy as np

    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"A confusion matrix is square; got shape {counts.shape}.")
    n = counts.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    fig = figure(figsize=(0.42 * n + 1.4, 0.42 * n + 1.0))
    ax = fig.add_subplot()
    ax.imshow(counts, cmap="Blues")
    for i in range(n):
        for j in range(n):
            colour = "white" if counts[i, j] > counts.max() / 2 else "black"
            ax.text(j, i, int(counts[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(n), names, fontsize=7)
    ax.set_yticks(range(n), names, fontsize=7)
    ax.set_xlabel("predicted", fontsize=8)
    ax.set_ylabel("true", fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.subplots_adjust(left=0.15, bottom=0.15, right=0.98, top=0.9)
    return fig


def plot_data_split(n_train: int, n_validation: int, n_test: int, title: str = ""):
    """Draw the three data sets as one bar, each part sized by its samples and named by its job.

    Training data is what `fit` learns from; validation data is what every choice is made on
    (epochs, learning rate, `EarlyStopping`, the best checkpoint); test data is evaluated once,
    at the end, and reports the chosen model's score on data no decision has seen.

    >>> fig = plot_data_split(8000, 2000, 2000)
    >>> [t.get_text().splitlines()[0] for t in fig.axes[0].texts]
    ['train: 8,000', 'validation: 2,000', 'test: 2,000']
    """

    from kerastutor.i18n import N_
    from kerastutor.i18n import gettext as _

    parts = [
        ("train", n_train, "#4C72B0", N_("fit() learns\nthe weights here")),
        ("validation", n_validation, "#DD8452", N_("choose epochs, rates,\nbest checkpoint")),
        ("test", n_test, "#55A868", N_("evaluate once,\nat the very end")),
    ]
    labels = {"train": N_("train"), "validation": N_("validation"), "test": N_("test")}
    for name, n, *_rest in parts:
        if int(n) <= 0:
            raise ValueError(f"n_{name} must be a positive number of samples; got {n!r}.")
    total = sum(int(n) for _name, n, *_rest in parts)
    fig = figure(figsize=(7.5, 1.5))
    ax = fig.add_subplot()
    left = 0
    for name, n, colour, job in parts:
        ax.barh(0, n, left=left, color=colour, edgecolor="white", height=0.8)
        ax.text(
            left + n / 2,
            0,
            f"{_(labels[name])}: {int(n):,}\n{_(job)}",
            ha="center",
            va="center",
            fontsize=7.5,
            color="white",
        )
        left += n
    ax.set_xlim(0, total)
    ax.set_axis_off()
    ax.set_title(
        title or _("{total:,} labelled samples, three jobs").format(total=total), fontsize=9
    )
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.82)
    return fig


def why_no_drawing() -> str | None:
    """Why `keras.utils.plot_model` cannot draw here (None when it can)."""
    import shutil

    try:
        import pydot  # noqa: F401
    except ImportError:
        return "the pydot package is missing: `pip install pydot`"
    if shutil.which("dot") is None:
        return f"the Graphviz program `dot` is not installed: {GRAPHVIZ_HINT}"
    return None


def draw_model(
    model: Any,
    show_shapes: bool = True,
    show_layer_names: bool = True,
    dpi: int = 60,
    **kwargs: Any,
):
    """Draw a model's graph with `keras.utils.plot_model`, or explain why not.

    Returns an `IPython.display.Image` (shown when it is a cell's last value). Without pydot or
    Graphviz it prints which one is missing and how to install it, prints `model.summary()`
    instead, and returns None: a missing drawing tool never stops a lesson.
    """
    import os
    import tempfile

    import keras

    reason = why_no_drawing()
    if reason is not None:
        print(f"Cannot draw the model: {reason}. Its outline instead:")
        model.summary()
        return None
    from IPython.display import Image

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.png")
        keras.utils.plot_model(
            model,
            to_file=path,
            show_shapes=show_shapes,
            show_layer_names=show_layer_names,
            dpi=dpi,
            **kwargs,
        )
        with open(path, "rb") as f:
            return Image(data=f.read(), format="png")


_FIGURE_CLASS = None


def figure(**kwargs: Any):
    """A `matplotlib.figure.Figure` that shows itself as a PNG when it is a cell's value.

    Not a pyplot figure, so none is left open in pyplot's list, none is shown twice, and
    nothing is registered in the notebook's display machinery: only the figures made here
    know how to show themselves. Keyword arguments go to `Figure` (`figsize=...`).

    >>> fig = figure(figsize=(2, 1))
    >>> fig._repr_png_()[:4]
    b'\x89PNG'
    """
    global _FIGURE_CLASS
    from kerastutor import i18n

    if i18n.language() == "zh":  # KERASTUTOR_LANG=zh too: Chinese labels need a CJK font
        i18n.use_cjk_font()
    if _FIGURE_CLASS is None:
        import io

        from matplotlib.figure import Figure

        class ShownFigure(Figure):
            def _repr_png_(self) -> bytes:
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=90)
                return buffer.getvalue()

        _FIGURE_CLASS = ShownFigure
    return _FIGURE_CLASS(**kwargs)


def draw_run(
    axes: dict, run: Mapping[str, Sequence[float]], name: str, colour: str, label_runs: bool
):
    """Add one run's lines to the panels; return `{(panel, split): Line2D}` for later updates."""
    lines = {}
    for panel, ax in axes.items():
        for split, key, style in (("train", panel, "-"), ("val", f"val_{panel}", "--")):
            if key not in run:
                continue
            values = run[key]
            label = f"{name} {split}" if label_runs else split
            (line,) = ax.plot(
                range(1, len(values) + 1),
                values,
                style,
                color=colour,
                label=label,
                lw=1.5,
                marker="o",
                markersize=3,  # a run of one epoch is a point, still visible
            )
            lines[(panel, split)] = line
    return lines
