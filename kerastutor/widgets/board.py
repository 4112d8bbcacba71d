"""The run board: every run's settings and final metrics as a table, and their curves overlaid.

>>> from kerastutor.widgets import Run, RunBoard
>>> board = RunBoard()
>>> board.add(Run(1, {"batch_size": 32, "optimizer": "adam", "learning_rate": 1e-3},
...               history={"loss": [0.5, 0.3]}, final={"loss": 0.3}))
>>> board.table()[["batch_size", "loss"]]
     batch_size  loss
run
1            32   0.3
"""

from __future__ import annotations

import threading

from kerastutor.widgets.experiment import Run
from kerastutor.widgets.settings import optimizer_label

__all__ = ["RunBoard"]

#: Columns the panel shows; `table()` has them all.
KEY_COLUMNS = ("optimizer", "learning_rate", "batch_size", "epochs", "epochs_done", "stopped")


class RunBoard:
    """Every run so far. Thread-safe: runs are numbered and added under a lock."""

    def __init__(self):
        self.runs: list[Run] = []
        self._lock = threading.Lock()

    def next_number(self) -> int:
        with self._lock:
            return len(self.runs) + 1

    def add(self, run: Run) -> None:
        with self._lock:
            self.runs.append(run)

    def table(self, sort_by: str | None = None, ascending: bool = True, columns: str = "all"):
        """A DataFrame, one row per run: settings, final metrics of the last complete epoch,
        epochs done and time. `columns="key"` keeps the main settings and the validation
        metrics (what fits beside a plot); `"all"` keeps everything."""
        import pandas as pd

        rows = []
        for run in list(self.runs):
            row = {"run": run.number, **_flat_settings(run.settings)}
            if "optimizer" in row:  # "sgd (momentum 0.9)", not a bare "sgd"
                row["optimizer"] = optimizer_label(row["optimizer"])
            row.update({k: round(v, 4) for k, v in run.final.items()})
            if run.per_class_recall:
                row["worst class recall"] = round(min(run.per_class_recall.values()), 4)
            row.update(
                epochs_done=run.epochs_done, stopped=run.stopped, seconds=round(run.seconds, 1)
            )
            rows.append(row)
        frame = pd.DataFrame(rows).set_index("run") if rows else pd.DataFrame()
        if columns == "key" and len(frame):
            keep = [c for c in frame.columns if c in KEY_COLUMNS or c.startswith("val_")]
            frame = frame[keep]
        elif columns not in ("all", "key"):
            raise ValueError(f"columns must be 'all' or 'key', not {columns!r}.")
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
            flat[key] = "-" if value is None else value
    return flat
