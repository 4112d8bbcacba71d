"""The batch-size explorer: slide the batch size, see steps per epoch, time and accuracy.

Each value runs the experiment once (seeded, so the only change is the batch size):

>>> from kerastutor.widgets import BatchSizeExplorer
>>> explorer = BatchSizeExplorer(epochs=1)
>>> row = explorer.try_batch_size(512)
>>> row["steps_per_epoch"]              # ceil(8,000 / 512)
16
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from kerastutor.i18n import gettext as _
from kerastutor.widgets.experiment import Experiment
from kerastutor.widgets.settings import BATCH_SIZES, Settings

__all__ = ["BatchSizeExplorer"]


class BatchSizeExplorer:
    """Runs of one experiment that differ only in batch size, and a slider to add one.

    Args:
        build_model, data: as for `Experiment` (default: the digits MLP on the bundled MNIST,
            validated on 2,000 held-out training images).
        epochs: epochs per run.
        seed: the same for every run.

    Attributes:
        results: one dict per run: batch_size, steps_per_epoch, seconds_per_epoch and the
            validation accuracy.
    """

    def __init__(
        self,
        build_model: Callable[[], keras.Model] | None = None,
        data: Any = None,
        epochs: int = 1,
        seed: int = 0,
    ):
        self.experiment = Experiment(build_model, data)
        self.settings = Settings(epochs=epochs, seed=seed, optimizer="adam", learning_rate=1e-3)
        self.results: list[dict] = []
        self._widget = None

    def try_batch_size(self, batch_size: int) -> dict:
        """Train one fresh model at this batch size; return and record what it did."""
        run = self.experiment.run(self.settings.replace(batch_size=batch_size))
        if run.error:
            raise RuntimeError(
                _("The run at batch size {batch_size} failed: {error}").format(
                    batch_size=batch_size, error=run.error
                )
            )
        accuracy_key = next(k for k in run.final if k.startswith("val_") and "accuracy" in k)
        row = {
            "batch_size": run.settings["batch_size"],
            "steps_per_epoch": run.steps_per_epoch,
            "seconds_per_epoch": round(run.fit_seconds / self.settings.epochs, 2),
            "accuracy": round(float(run.final[accuracy_key]), 4),
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
                description=_("batch size"),
                continuous_update=False,
            )
            out = w.HTML()

            def changed(change):
                try:
                    row = self.try_batch_size(change["new"])
                except Exception as exc:  # shown beside the slider, never lost in a log
                    out.value = f"<p style='color:#b00'>{type(exc).__name__}: {exc}</p>"
                    return
                n = len(self.experiment.y_train)
                out.value = _("<p>{steps} steps an epoch = ceil({n} / {batch_size})</p>").format(
                    steps=row["steps_per_epoch"], n=n, batch_size=row["batch_size"]
                ) + self.table().to_html(index=False)

            slider.observe(changed, names="value")
            self._widget = w.VBox([slider, out])
        return self._widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
