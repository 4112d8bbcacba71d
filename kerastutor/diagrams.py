"""Diagrams of the course: pictures of how training works, drawn by code at run time.

Each function returns a `matplotlib.figure.Figure` (shown when it is a cell's last value) and
names the chapter that uses it. No binary image is committed: every figure is drawn here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kerastutor.i18n import N_, ngettext
from kerastutor.i18n import gettext as _

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "draw_training_loop",
    "draw_prefetch",
    "draw_callback_hooks",
    "draw_data_parallel",
]


def draw_training_loop(
    n_samples: int,
    batch_size: int = 32,
    epochs: int = 2,
    *,
    validation: bool = True,
    shuffle: bool = True,
    max_batches: int = 8,
    max_epochs: int = 3,
    title: str = "",
) -> Figure:
    """Chapter 2: epochs, batches and steps of `fit`, drawn as one row per epoch.

    `fit(x, y, batch_size=b, epochs=E)` on $n$ samples cuts each epoch into
    $s = \\lceil n / b \\rceil$ batches. Each batch is one **step**: a forward pass, the loss,
    the gradients, and one update of the weights. All batches hold $b$ samples except perhaps
    the last, which holds the remaining $n - (s - 1)\\,b$. After the last step of an epoch,
    `fit` runs the model on the validation data (no updates) and logs `val_loss`. With arrays
    and `shuffle=True` the samples are reshuffled before each epoch (though after
    `keras.utils.set_random_seed` the TensorFlow backend draws the same order each time, as
    chapter 2 shows).

    Long rows are shortened to `max_batches` slots: the first batches, a "..." for the hidden
    ones, and the last batch. More than `max_epochs` epochs are shortened the same way: the
    first `max_epochs - 1`, a row of dots, and the last.

    Args:
        n_samples: training samples $n$ (what `fit` trains on, after any `validation_split`).
        batch_size: samples per batch $b$ (Keras's default is 32).
        epochs: passes over the training data $E$.
        validation: draw the validation pass at the end of each epoch.
        shuffle: draw the new sample order at the start of each epoch.
        max_batches, max_epochs: how many batches per row and rows to draw at most.
        title: the figure's title; by default the `fit` call it pictures.

    Returns:
        a `matplotlib.figure.Figure` (shown when it is a cell's last value).

    Raises:
        ValueError: a count that is not a positive whole number.

    Example:

    >>> fig = draw_training_loop(2000, 500, epochs=2)
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("step ")]
    ['step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'step 6', 'step 7', 'step 8']
    >>> fig.axes[0].get_title(loc="left")
    'fit(x, y, batch_size=500, epochs=2) on 2,000 samples'
    """
    import math
    import numbers

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    from kerastutor.plots import figure

    counts = {
        "n_samples": n_samples,
        "batch_size": batch_size,
        "epochs": epochs,
        "max_batches": max_batches,
        "max_epochs": max_epochs,
    }
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(
                _("{name} must be a positive whole number; got {value!r}.").format(
                    name=name, value=value
                )
            )
    n_samples, batch_size, epochs = int(n_samples), int(batch_size), int(epochs)
    max_batches, max_epochs = int(max_batches), int(max_epochs)
    if max_batches < 3 or max_epochs < 2:
        raise ValueError(_("max_batches must be at least 3 and max_epochs at least 2."))

    steps = math.ceil(n_samples / batch_size)
    last = n_samples - (steps - 1) * batch_size
    sizes = [batch_size] * (steps - 1) + [last]

    # Which batches and epochs get drawn; None marks a "..." for the hidden ones.
    shown_batches: list[int | None] = list(range(steps))
    if steps > max_batches:
        shown_batches = list(range(max_batches - 2)) + [None, steps - 1]
    shown_epochs: list[int | None] = list(range(epochs))
    if epochs > max_epochs:
        shown_epochs = list(range(max_epochs - 1)) + [None, epochs - 1]

    colours = {"batch": "#4C72B0", "update": "#C44E52", "val": "#DD8452", "shuffle": "#8C8C8C"}
    gap, lead = 0.12, 1.25 if shuffle else 0.0
    slots = sum(1.0 if i is None else sizes[i] / batch_size for i in shown_batches)
    width = lead + slots + gap * len(shown_batches) + (1.9 if validation else 0.2)
    rows = len(shown_epochs)
    height = 1.45 + 0.8 * rows
    fig = figure(figsize=(9.5, height))
    ax = fig.add_subplot()

    def label(x: float, y: float, text: str, fontsize: float = 7.5) -> None:
        """White text centred on a coloured box."""
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color="white")

    for row, epoch in enumerate(shown_epochs):
        y = -row
        if epoch is None:
            ax.text(
                width / 2,
                y,
                "\u22ee  "
                + _("epochs {first} to {last} alike").format(first=max_epochs, last=epochs - 1),
                ha="center",
                va="center",
                fontsize=9,
            )
            continue
        ax.text(
            -0.15,
            y,
            _("epoch {number}").format(number=epoch + 1),
            ha="right",
            va="center",
            fontsize=9,
            fontweight="bold",
        )
        x = 0.0
        if shuffle:
            ax.add_patch(Rectangle((x, y - 0.3), 1.05, 0.6, color=colours["shuffle"]))
            label(x + 0.525, y, _("shuffle\norder"), fontsize=7)
            x = lead
        for index in shown_batches:
            if index is None:
                hidden = steps - (max_batches - 1)
                ax.text(
                    x + 0.5,
                    y,
                    "\u2026\n" + _("{count} more").format(count=hidden),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                )
                x += 1.0 + gap
                continue
            w = sizes[index] / batch_size
            ax.add_patch(Rectangle((x, y - 0.3), w, 0.6, color=colours["batch"]))
            step = epoch * steps + index + 1
            label(x + w / 2, y + 0.08, _("step {number}").format(number=step))
            label(x + w / 2, y - 0.14, f"{sizes[index]:,}")
            # The weights change once per batch, right after its gradient.
            ax.plot(
                [x + w + gap / 2],
                [y + 0.38],
                marker="v",
                markersize=5,
                color=colours["update"],
                linestyle="none",
            )
            x += w + gap
        if validation:
            ax.add_patch(Rectangle((x + 0.1, y - 0.3), 1.6, 0.6, color=colours["val"]))
            label(x + 0.9, y, _("validate on\n(x_val, y_val)"), fontsize=7)

    updates = epochs * steps
    if title:
        ax.set_title(title, loc="left", fontsize=9.5)
    else:
        ax.set_title(
            _("fit(x, y, batch_size={batch_size}, epochs={epochs}) on {n:,} samples").format(
                batch_size=batch_size, epochs=epochs, n=n_samples
            ),
            loc="left",
            fontsize=9.5,
        )
    # Plain Unicode, not mathtext: mathtext draws its words in its own font, which has no
    # Chinese glyphs.
    formula = (
        _("steps per epoch")
        + f" = \u2308{n_samples} / {batch_size}\u2309 = {steps};  "
        + _("weight updates")
        + f" = {epochs} \u00d7 {steps} = {updates};  "
    )
    if last == batch_size:
        formula += _("every batch is full")
    else:
        formula += (
            _("last batch") + f" = {n_samples} \u2212 {steps - 1} \u00d7 {batch_size} = {last}"
        )
    ax.text(0.0, -rows + 0.35, formula, ha="left", va="center", fontsize=9)
    legend = [
        Patch(color=colours["batch"], label=_("one batch = one step (its sample count below)")),
        Line2D(
            [],
            [],
            color=colours["update"],
            marker="v",
            linestyle="none",
            label=_("weights updated (once per step)"),
        ),
    ]
    if validation:
        legend.append(Patch(color=colours["val"], label=_("validation pass: val_loss, no update")))
    if shuffle:
        legend.append(Patch(color=colours["shuffle"], label=_("reshuffle (arrays, shuffle=True)")))
    ax.legend(
        handles=legend,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    ax.set_xlim(-1.2, width)
    ax.set_ylim(-rows + 0.1, 0.55)
    ax.set_axis_off()
    fig.subplots_adjust(left=0.02, right=0.99, top=1 - 0.3 / height, bottom=0.62 / height)
    return fig


def draw_prefetch(
    timelines: dict[str, tuple[Sequence[Sequence[float]], Sequence[Sequence[float]]]] | None = None,
    *,
    prepare: float = 0.02,
    train: float = 0.03,
    steps: int = 4,
    title: str = "",
) -> Figure:
    """Chapter 5: input preparation and training steps, without and with `prefetch`.

    One panel per timeline, two lanes each: when a batch was being *prepared* (read, decoded,
    mapped) and when the model was *training* on one. Without prefetch the two take turns, so a
    step costs $t_p + t_s$; with prefetch the next batch is prepared while the model trains on
    the current one, so a step costs about $\\max(t_p, t_s)$. The time where both lanes are busy
    is shaded: in the drawn schedule it is exactly the time prefetch saves, $(n-1)\\min(t_p, t_s)$
    for $n$ steps.

    Args:
        timelines: `{panel title: (prepare_spans, train_spans)}`, each span a `(start, end)`
            pair in seconds (`time.perf_counter()` values, as a measured run records them);
            each panel starts at its earliest span. None draws the schedule of `steps` batches
            that take `prepare` seconds to prepare and `train` seconds to train on, without
            prefetch and with a one-batch prefetch buffer.
        prepare, train, steps: the schedule drawn when `timelines` is None.
        title: the figure's title; by default it says what prefetch does.

    Returns:
        A `matplotlib.figure.Figure`, one axes per timeline. Each panel's title names its
        total time, and (at the right) how long both lanes were busy at once.

    Raises:
        ValueError: negative or empty durations, a span that ends before it starts, or no
            timeline at all.

    Example:

    >>> fig = draw_prefetch(prepare=0.02, train=0.03, steps=4)
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['without prefetch: 200 ms', 'with prefetch: 140 ms']
    """

    from kerastutor.plots import figure

    if timelines is None:
        timelines = {
            _("without prefetch"): _prefetch_schedule(prepare, train, steps, prefetch=False),
            _("with prefetch"): _prefetch_schedule(prepare, train, steps, prefetch=True),
        }
    if not timelines:
        raise ValueError(_("no timeline to draw: pass {title: (prepare_spans, train_spans)}"))
    panels = []
    for name, (prepare_spans, train_spans) in timelines.items():
        spans = [
            _prefetch_spans(prepare_spans, f"{name}: prepare"),
            _prefetch_spans(train_spans, f"{name}: train"),
        ]
        origin = min(start for lane in spans for start, _ in lane)
        prep, fit = ([(s - origin, e - origin) for s, e in lane] for lane in spans)
        panels.append((name, prep, fit, max(e for lane in (prep, fit) for _, e in lane)))
    longest = max(total for *_, total in panels)

    fig = figure(figsize=(7.5, 1.25 * len(panels) + 0.7))
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    lanes = [(_("prepare\nbatch"), 1, "#DD8452"), (_("train\nstep"), 0, "#4C72B0")]
    for ax, (name, prep, fit, total) in zip(axes, panels):
        for (_label, y, colour), lane in zip(lanes, (prep, fit)):
            for i, (start, end) in enumerate(lane):
                width = (end - start) * 1000
                ax.broken_barh([(start * 1000, width)], (y - 0.35, 0.7), color=colour)
                if width > 0.02 * longest * 1000:
                    ax.text(
                        start * 1000 + width / 2,
                        y,
                        str(i),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white",
                    )
        overlap = _prefetch_overlaps(prep, fit)
        for start, end in overlap:
            ax.axvspan(start * 1000, end * 1000, color="#55A868", alpha=0.18, lw=0)
        ax.set_yticks(
            [y for _label, y, _colour in lanes], [label for label, _y, _colour in lanes], fontsize=8
        )
        ax.set_ylim(-0.6, 1.6)
        shared = sum(e - s for s, e in overlap)
        ax.set_title(f"{name}: {total * 1000:.0f} ms", loc="left", fontsize=9)
        if shared > 0:
            ax.set_title(
                _("shaded: both at once, {ms:.0f} ms").format(ms=shared * 1000),
                loc="right",
                fontsize=8,
                color="#2d6a3e",
            )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xlim(0, longest * 1000 * 1.02)
    axes[-1].set_xlabel(_("time (ms)  →"), fontsize=8.5)
    fig.suptitle(title or _("prefetch prepares the next batch while the model trains"), fontsize=10)
    fig.tight_layout()
    return fig


def _prefetch_schedule(
    prepare: float, train: float, steps: int, prefetch: bool
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Spans of `steps` batches: one after the other, or with a one-batch prefetch buffer.

    With prefetch, batch k+1 is prepared once batch k is ready and the model has taken batch k
    (the buffer holds one), so a step costs max(prepare, train) once the pipeline is full:
    the total is prepare + train + (steps - 1) * max(prepare, train).

    >>> _prefetch_schedule(1.0, 2.0, 2, prefetch=False)
    ([(0.0, 1.0), (3.0, 4.0)], [(1.0, 3.0), (4.0, 6.0)])
    >>> _prefetch_schedule(1.0, 2.0, 2, prefetch=True)
    ([(0.0, 1.0), (1.0, 2.0)], [(1.0, 3.0), (3.0, 5.0)])
    """
    for label, value in (("prepare", prepare), ("train", train)):
        if not value > 0:
            raise ValueError(
                _("{label} must be a positive number of seconds, not {value!r}").format(
                    label=label, value=value
                )
            )
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(
            _("steps must be a whole number of at least 1, not {steps!r}").format(steps=steps)
        )
    prep: list[tuple[float, float]] = []
    fit: list[tuple[float, float]] = []
    for k in range(steps):
        if not prefetch:
            start = fit[-1][1] if fit else 0.0
        elif k == 0:
            start = 0.0
        else:
            start = max(prep[-1][1], fit[-1][0])  # the buffer is free once batch k-1 is taken
        prep.append((start, start + prepare))
        begin = max(prep[-1][1], fit[-1][1] if fit else 0.0)
        fit.append((begin, begin + train))
    return prep, fit


def _prefetch_spans(spans: Sequence[Sequence[float]], label: str) -> list[tuple[float, float]]:
    result = [(float(start), float(end)) for start, end in spans]
    if not result:
        raise ValueError(_("{label}: no spans to draw").format(label=label))
    bad = [(s, e) for s, e in result if not e >= s]
    if bad:
        raise ValueError(
            _("{label}: a span must end after it starts; got {span}").format(
                label=label, span=bad[0]
            )
        )
    return result


def _prefetch_overlaps(
    a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The intervals where a span of `a` and a span of `b` run at the same time."""
    return [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if min(e1, e2) > max(s1, s2)]


def draw_callback_hooks(
    hooks: Sequence[Any] | None = None,
    *,
    epochs: int = 2,
    steps: int = 3,
    validation_steps: int = 2,
    title: str = "",
) -> Figure:
    """Chapter 8: the order in which `fit` calls a callback's hooks, drawn as a timeline.

    Each hook call is a dot, placed left to right in the order the calls came; a `..._begin`
    and its `..._end` are joined by a bar on the row of their level (the whole `fit`, an epoch,
    a training batch, the validation run, a validation batch). Nesting shows what a hook can
    know: validation runs inside the epoch, before `on_epoch_end`, which is why the logs of
    `on_epoch_end` hold the `val_` values.

    Args:
        hooks: the recorded calls, in order: hook names (`"on_epoch_begin"`), or tuples whose
            first item is the name and whose second is the hook's epoch or batch argument
            (`("on_epoch_begin", 0, {...})`, as a recording callback would keep them). None
            records a trace itself: a tiny model fitted for `epochs` epochs of `steps` batches,
            validated on `validation_steps` batches.
        epochs, steps, validation_steps: the size of the run recorded when `hooks` is None.
        title: the figure's title; by default it counts the calls.

    Returns:
        a `matplotlib.figure.Figure` (shown when it is a cell's last value).

    Raises:
        ValueError: a name that is not a hook of `fit`/`evaluate`/`predict`, or an `..._end`
            without its `..._begin` (or the other way round).

    Example:

    >>> hooks = ["on_train_begin", "on_epoch_begin", "on_train_batch_begin",
    ...          "on_train_batch_end", "on_epoch_end", "on_train_end"]
    >>> fig = draw_callback_hooks(hooks)
    >>> [label.get_text().splitlines()[0] for label in fig.axes[0].get_yticklabels()]
    ['on_train_*', 'on_epoch_*', 'on_train_batch_*']
    >>> fig.axes[0].get_title()
    '6 hook calls: 1 epoch'
    """

    from kerastutor.plots import figure

    if hooks is None:
        hooks = _record_hooks(epochs, steps, validation_steps)
    calls = []
    for item in hooks:
        name, index = (item, None) if isinstance(item, str) else (item[0], _index(item))
        if name not in _HOOK_LEVELS:
            raise ValueError(
                _("{name!r} is not a callback hook; known hooks: {known}").format(
                    name=name, known=", ".join(sorted(_HOOK_LEVELS))
                )
            )
        calls.append((name, index))
    if not calls:
        raise ValueError(_("no hook calls to draw: `hooks` is empty"))

    spans = _pair_spans(calls)  # (level, first call, last call, label)
    levels = [level for level, *_ in _LEVELS if any(s[0] == level for s in spans)]
    row = {level: len(levels) - 1 - i for i, level in enumerate(levels)}  # outermost on top
    info = {level: (hook, meaning, colour) for level, hook, meaning, colour in _LEVELS}

    n = len(calls)
    fig = figure(figsize=(min(max(6.5, 0.28 * n + 2.4), 13.0), 0.66 * len(levels) + 1.2))
    ax = fig.add_subplot()
    for level, first, last, label in spans:
        y = row[level]
        colour = info[level][2]
        ax.barh(y, last - first + 0.7, left=first - 0.35, height=0.62, color=colour, alpha=0.85)
        ax.plot([first, last], [y, y], "o", color="black", markersize=2.6)
        if label:
            ax.text(
                (first + last) / 2, y, label, ha="center", va="center", fontsize=7.5, color="white"
            )
    epoch_ends = [i for i, (name, _) in enumerate(calls) if name == "on_epoch_end"]
    has_validation = any(name == "on_test_begin" for name, _ in calls)
    if epoch_ends and has_validation and "epoch" in row and "train_batch" in row:
        # Point at the first on_epoch_end from the free space beside the first epoch's batches.
        end = epoch_ends[0]
        last_batch = max(
            (i for i, (name, _) in enumerate(calls[:end]) if name == "on_train_batch_end"),
            default=end - 1,
        )
        ax.annotate(
            _("on_epoch_end: its logs\nnow hold the val_ values"),
            xy=(end, row["epoch"] - 0.33),
            xytext=((last_batch + end) / 2 + 0.3, row["train_batch"]),
            fontsize=7.5,
            ha="center",
            va="center",
            arrowprops={"arrowstyle": "->", "lw": 0.8},
        )
    ax.set_yticks(
        [row[level] for level in levels],
        [f"{info[level][0]}\n{_(info[level][1])}" for level in levels],
        fontsize=8,
    )
    step = max(1, n // 30)
    ax.set_xticks(range(0, n, step), [str(i + 1) for i in range(0, n, step)], fontsize=7)
    ax.set_xlim(-0.8, n - 0.2)
    ax.set_ylim(-0.6, len(levels) - 0.4)
    ax.set_xlabel(_("hook calls, in the order fit made them  →"), fontsize=8.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    n_epochs = sum(1 for name, _ in calls if name == "on_epoch_begin")
    default_title = _("{calls} hook calls: {epochs}").format(
        calls=n,
        epochs=ngettext("{n} epoch", "{n} epochs", n_epochs).format(n=n_epochs),
    )
    ax.set_title(title or default_title, fontsize=10)
    fig.tight_layout()
    return fig


# level, the hooks' common name, what one bar is, colour (outermost first)
_LEVELS = [
    ("train", "on_train_*", N_("the whole fit()"), "#4C72B0"),
    ("epoch", "on_epoch_*", N_("one epoch"), "#DD8452"),
    ("train_batch", "on_train_batch_*", N_("one training step"), "#8172B3"),
    ("test", "on_test_*", N_("validation run"), "#55A868"),
    ("test_batch", "on_test_batch_*", N_("one validation step"), "#64B5CD"),
    ("predict", "on_predict_*", N_("the whole predict()"), "#937860"),
    ("predict_batch", "on_predict_batch_*", N_("one prediction step"), "#DA8BC3"),
]
_HOOK_LEVELS = {
    f"{prefix}_{end}": level
    for level, prefix in [
        ("train", "on_train"),
        ("epoch", "on_epoch"),
        ("train_batch", "on_train_batch"),
        ("train_batch", "on_batch"),
        ("test", "on_test"),
        ("test_batch", "on_test_batch"),
        ("predict", "on_predict"),
        ("predict_batch", "on_predict_batch"),
    ]
    for end in ("begin", "end")
}


def _index(item: Sequence[Any]) -> int | None:
    """The epoch or batch argument of a recorded call, if the record has one."""
    if len(item) > 1 and isinstance(item[1], int) and not isinstance(item[1], bool):
        return item[1]
    return None


def _pair_spans(calls: list[tuple[str, int | None]]) -> list[tuple[str, int, int, str]]:
    """Match each `..._begin` with its `..._end`: (level, first call, last call, label)."""
    open_spans: dict[str, tuple[int, int | None]] = {}
    counters: dict[str, int] = {}
    spans = []
    for i, (name, index) in enumerate(calls):
        level = _HOOK_LEVELS[name]
        if name.endswith("_begin"):
            if level in open_spans:
                raise ValueError(
                    _("call {i}: {name} before the previous one ended").format(i=i + 1, name=name)
                )
            open_spans[level] = (i, index)
            # batches count from 0 again inside each new epoch or validation run
            for inner in {"epoch": ["train_batch"], "test": ["test_batch"]}.get(level, []):
                counters[inner] = 0
            if level == "predict":
                counters["predict_batch"] = 0
            continue
        if level not in open_spans:
            raise ValueError(
                _("call {i}: {name} without a matching begin").format(i=i + 1, name=name)
            )
        first, begin_index = open_spans.pop(level)
        number = index if index is not None else begin_index
        if number is None:
            number = counters.get(level, 0)
        counters[level] = number + 1
        label = {"train": "fit()", "test": _("validation"), "predict": "predict()"}.get(level)
        if label is None:
            label = _("epoch {number}").format(number=number) if level == "epoch" else str(number)
        spans.append((level, first, i, label))
    if open_spans:
        names = ", ".join(sorted(open_spans))
        raise ValueError(_("these levels began but never ended: {names}").format(names=names))
    return spans


def _record_hooks(epochs: int, steps: int, validation_steps: int) -> list[tuple[str, int | None]]:
    """Fit a tiny model with a callback that writes down every hook call it receives."""
    import keras
    import numpy as np

    class HookRecorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls: list[tuple[str, int | None]] = []

    def recorder(name: str, takes_index: bool):
        if takes_index:
            return lambda self, index, logs=None: self.calls.append((name, index))
        return lambda self, logs=None: self.calls.append((name, None))

    for name in _HOOK_LEVELS:
        if not name.startswith("on_batch"):
            setattr(HookRecorder, name, recorder(name, "batch" in name or "epoch" in name))

    rng = np.random.default_rng(0)
    batch = 4
    x = rng.normal(size=(steps * batch, 3)).astype("float32")
    y = rng.integers(0, 2, size=(steps * batch,))
    x_val = rng.normal(size=(validation_steps * batch, 3)).astype("float32")
    y_val = rng.integers(0, 2, size=(validation_steps * batch,))
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    model.compile(
        optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    recording = HookRecorder()
    model.fit(
        x,
        y,
        batch_size=batch,
        epochs=epochs,
        validation_data=(x_val, y_val) if validation_steps else None,
        verbose=0,
        callbacks=[recording],
    )
    return recording.calls


def draw_data_parallel(replicas: int = 2, global_batch: int = 256, title: str = "") -> Figure:
    """Chapter 11: one step of synchronous data parallelism, drawn left to right.

    The global batch of `global_batch` samples is cut into `replicas` equal parts of
    `global_batch // replicas`; every replica holds the same copy of the weights, computes the
    loss and gradients on its part, then an all-reduce averages the gradients (every replica
    gets the same average) and each replica applies the same update: the copies stay equal.

    Args:
        replicas: how many devices (or workers) train together (2 to 8 are drawn).
        global_batch: the batch size `fit` is given (a multiple of `replicas`).
        title: the figure's title; by default it names the two batch sizes.

    Returns:
        a `matplotlib.figure.Figure`.

    Raises:
        ValueError: fewer than 2 or more than 8 replicas, or a batch they cannot split evenly.

    >>> fig = draw_data_parallel(2, 256)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("128"))
    ['128 samples', '128 samples']
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from kerastutor.plots import figure

    for name, value in {"replicas": replicas, "global_batch": global_batch}.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(
                _("{name} must be a whole number; got {value!r}.").format(name=name, value=value)
            )
    if not 2 <= replicas <= 8:
        raise ValueError(_("draw 2 to 8 replicas; got {replicas}.").format(replicas=replicas))
    if global_batch < replicas or global_batch % replicas:
        raise ValueError(
            _("a global batch of {batch} does not split evenly into {replicas} replicas.").format(
                batch=global_batch, replicas=replicas
            )
        )
    per_replica = global_batch // replicas
    colours = {"data": "#4C72B0", "model": "#55A868", "grad": "#C44E52", "sync": "#8172B2"}
    height = 1.2 * replicas + 1.4
    fig = figure(figsize=(10, 0.55 * height + 1.0))
    ax = fig.add_subplot()
    top = height - 1.0

    def box(x, y, w, h, text, colour, fontsize=8.5):
        ax.add_patch(
            FancyBboxPatch((x, y - h / 2), w, h, boxstyle="round,pad=0.02", color=colour, alpha=0.9)
        )
        ax.text(x + w / 2, y, text, ha="center", va="center", fontsize=fontsize, color="white")

    def arrow(x0, y0, x1, y1, colour="#555555"):
        ax.add_patch(
            FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10, color=colour)
        )

    rows = [top - 0.5 - i * 1.2 for i in range(replicas)]
    middle = (rows[0] + rows[-1]) / 2
    box(
        0.0,
        middle,
        1.6,
        1.2,
        _("global batch\n{n} samples").format(n=global_batch),
        colours["data"],
    )
    sync_x = 7.3
    ax.add_patch(
        FancyBboxPatch(
            (sync_x, rows[-1] - 0.35),
            1.3,
            rows[0] - rows[-1] + 0.7,
            boxstyle="round,pad=0.02",
            color=colours["sync"],
            alpha=0.9,
        )
    )
    ax.text(
        sync_x + 0.65,
        middle,
        _("all-reduce:\naverage the\ngradients"),
        ha="center",
        va="center",
        fontsize=8.5,
        color="white",
    )
    for i, y in enumerate(rows):
        arrow(1.65, middle, 2.25, y)
        box(2.3, y, 1.4, 0.7, _("{n} samples").format(n=per_replica), colours["data"])
        arrow(3.75, y, 4.05, y)
        box(4.1, y, 1.5, 0.7, _("replica {i}\nsame weights").format(i=i), colours["model"])
        arrow(5.65, y, 5.95, y)
        box(6.0, y, 1.0, 0.7, _("grads {i}").format(i=i), colours["grad"])
        arrow(7.05, y, sync_x - 0.05, y)
        arrow(sync_x + 1.35, y, 8.95, y)
        box(9.0, y, 1.5, 0.7, _("same update\nof the weights"), colours["model"])
    ax.set_xlim(-0.2, 10.7)
    ax.set_ylim(rows[-1] - 0.8, top + 0.2)
    ax.axis("off")
    ax.set_title(
        title
        or _(
            "one step on {replicas} replicas: global batch {batch} = "
            "{replicas} \u00d7 {per_replica} per replica"
        ).format(replicas=replicas, batch=global_batch, per_replica=per_replica),
        loc="left",
        fontsize=10,
    )
    return fig
