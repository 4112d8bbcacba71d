"""ipywidgets panels over a headless experiment: vary batch size, epochs, optimizer, learning
rate, pipeline and weights, train with live curves, stop, and compare runs.

- `Settings` (settings.py): one run's settings, each value checked in one place.
- `Experiment` and `Run` (experiment.py): runs a `Settings` to a `Run`, with no widget.
- `RunBoard` (board.py): every run as a table and as overlaid curves.
- `TrainingPanel` (panel.py) and `BatchSizeExplorer` (explorer.py): the views learners click.
- `KnobExperiment` (knob.py): a guided experiment, one knob redrawing one plot.

Only the views import ipywidgets, and only when they build their widgets.

>>> import kerastutor as kt
>>> run = kt.Experiment().run(kt.Settings(batch_size=512, epochs=1))
>>> run.settings["batch_size"], run.steps_per_epoch, run.error
(512, 16, None)
"""

from kerastutor.widgets.board import RunBoard
from kerastutor.widgets.experiment import Experiment, Run
from kerastutor.widgets.explorer import BatchSizeExplorer
from kerastutor.widgets.knob import KnobExperiment
from kerastutor.widgets.panel import TrainingPanel
from kerastutor.widgets.settings import BATCH_SIZES, SAMPLE_WEIGHT_RULES, Settings

__all__ = [
    "TrainingPanel",
    "RunBoard",
    "Run",
    "Experiment",
    "Settings",
    "BatchSizeExplorer",
    "KnobExperiment",
    "BATCH_SIZES",
    "SAMPLE_WEIGHT_RULES",
]
