"""A guided experiment: one knob, one run per value, one plot redrawn as the knob moves.

A chapter asks a question, the learner records a prediction, then moves the knob; each value
runs once (seeded, so a value always gives the same result) and the plot shows every run so
far, the current one highlighted. `kt.check` then compares the prediction with `results`.

>>> from kerastutor.widgets import KnobExperiment
>>> def draw(ax, results, value):
...     ax.bar([str(v) for v in results], list(results.values()))
>>> squares = KnobExperiment(lambda v: v * v, draw, values=[1, 2, 3], knob="x")
>>> squares.result()                   # the default value, the first
1
>>> squares.set(3)
9
>>> squares.results
{1: 1, 3: 9}
>>> squares.figure()._repr_png_()[:4]   # every run so far, 3 highlighted
b'\x89PNG'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kerastutor.i18n import gettext as _

__all__ = ["KnobExperiment"]


class KnobExperiment:
    """One knob, a run per value, one plot of every run so far.

    Args:
        run: `run(value) -> result`, called once per value (results are kept), so make it
            seeded: moving back to a value shows the same result.
        draw: `draw(ax, results, value)` draws `results` (`{value: result}`, in the order
            they were run) on a matplotlib `Axes`, highlighting the current `value`.
        values: the knob's values, in slider order.
        value: the value run first (default: the first of `values`).
        knob: the knob's name, shown beside the slider.
        figsize: the figure's size in inches.

    Attributes:
        results: `{value: result}` for every value run so far.
        value: the current value.
    """

    def __init__(
        self,
        run: Callable[[Any], Any],
        draw: Callable[[Any, dict, Any], None],
        values: Sequence[Any],
        value: Any = None,
        knob: str = "value",
        figsize: tuple[float, float] = (6.0, 3.2),
    ):
        if not callable(run) or not callable(draw):
            raise TypeError(_("KnobExperiment needs run(value) and draw(ax, results, value)."))
        self.values = list(values)
        if not self.values:
            raise ValueError(_("Give the knob at least one value: values=[...]."))
        self._run, self._draw = run, draw
        self.knob, self.figsize = knob, figsize
        self.results: dict[Any, Any] = {}
        self.value = self.values[0] if value is None else value
        self._check(self.value)
        self._widget = None

    def _check(self, value: Any) -> None:
        if value not in self.values:
            raise ValueError(
                _("{knob}={value!r} is not one of the knob's values {values}.").format(
                    knob=self.knob, value=value, values=self.values
                )
            )

    def result(self, value: Any = None) -> Any:
        """The result for a value (the current one by default), running it the first time."""
        value = self.value if value is None else value
        self._check(value)
        if value not in self.results:
            self.results[value] = self._run(value)
        return self.results[value]

    def set(self, value: Any) -> Any:
        """Move the knob to `value` (runs it the first time) and return its result."""
        self._check(value)
        result = self.result(value)
        self.value = value
        return result

    def figure(self):
        """Every result so far, the current value highlighted (a figure that shows itself)."""
        from kerastutor.plots import figure

        self.result()
        fig = figure(figsize=self.figsize, layout="constrained")
        ax = fig.add_subplot()
        self._draw(ax, dict(self.results), self.value)
        return fig

    def _png(self) -> bytes:
        return self.figure()._repr_png_()

    def show(self):
        """The slider, a status line and the plot, as one widget (the cell's value).

        The cell's output also carries a PNG of the plot, which front ends without a live
        widget manager show instead (a notebook opened on GitHub, nbviewer, a closed kernel).
        """
        return _WithFigure(self._box(), self)

    def _box(self):
        if self._widget is None:
            import ipywidgets as w

            slider = w.SelectionSlider(
                options=[(str(v), v) for v in self.values],
                value=self.value,
                description=_(self.knob),  # a knob named in the catalogue is translated
                continuous_update=False,  # run when the knob is released, not while it moves
                style={"description_width": "initial"},
                layout=w.Layout(width="420px"),
            )
            status = w.HTML()
            image = w.Image(format="png", layout=w.Layout(max_width="100%"))

            knob = _(self.knob)

            def redraw(value: Any) -> None:
                try:
                    status.value = _("Running {knob} = {value} ...").format(knob=knob, value=value)
                    self.set(value)
                    image.value = self._png()
                    status.value = _("{knob} = {value}: {runs} run(s) so far.").format(
                        knob=knob, value=value, runs=len(self.results)
                    )
                except Exception as exc:  # a failed run or drawing is reported, never raised
                    status.value = _("<b>{knob} = {value} failed:</b> {error}: {message}").format(
                        knob=knob, value=value, error=type(exc).__name__, message=exc
                    )

            slider.observe(lambda change: redraw(change["new"]), names="value")
            redraw(self.value)
            self._widget = w.VBox([slider, status, image])
            self._widget.add_class("kerastutor-knob")  # how a page (and the browser test) finds it
        return self._widget


class _WithFigure:
    """A widget that also offers a PNG of the experiment's plot in its output."""

    def __init__(self, box, experiment: KnobExperiment):
        self.box, self._experiment = box, experiment

    def __getattr__(self, name: str) -> Any:
        return getattr(self.box, name)

    def _repr_mimebundle_(self, **kwargs: Any):
        bundle = self.box._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        try:
            data["image/png"] = self._experiment._png()
        except Exception:  # a missing fallback image must not hide the widget
            pass
        return bundle
