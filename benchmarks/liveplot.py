"""Benchmark: what live training curves cost, measured inside real Jupyter kernels.

Arms, each a fresh kernel run by nbclient (as nbval and JupyterLab run notebooks):
  a  fit(verbose=0), no callback         (the baseline)
  b  fit(verbose=1), Keras's progress bar
  c  kerastutor.LivePlot()                (default throttle)
  d  kerastutor.LivePlot(per_batch=True)
  e  livelossplot.PlotLossesKeras()

Scenario "long": the digits MLP on the bundled MNIST (10,000 images, batch 8: 1,250 steps, epochs
of a second or more), 10 epochs. Scenario "short": 40 epochs of 1,000 images at batch 32, where
plotting cost dominates. Repetitions are interleaved (a b c d e, a b c d e, ...) and medians
reported.

Usage: python benchmarks/liveplot.py [--reps 5]  (writes benchmarks/results/liveplot.md)
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ARMS = {
    "a": ("verbose=0, no callback", "callbacks, verbose = [], 0"),
    "b": ("verbose=1 progress bar", "callbacks, verbose = [], 1"),
    "c": ("LivePlot default", "callbacks, verbose = [timed(kt.LivePlot())], 0"),
    "d": ("LivePlot per_batch", "callbacks, verbose = [timed(kt.LivePlot(per_batch=True))], 0"),
    "e": ("livelossplot", "callbacks, verbose = [timed(PlotLossesKeras())], 0"),
}
SCENARIOS = {"long": (10_000, 10, 8), "short": (1_000, 40, 32)}  # images, epochs, batch size

SETUP = """
import json, time
import keras, numpy as np
import kerastutor as kt
from livelossplot import PlotLossesKeras

(x, y), _ = kt.load_mnist("bundled", verbose=False)
x = (x.reshape(-1, 784) / 255.0).astype("float32")[:{n}]
y = y[:{n}]
keras.utils.set_random_seed(0)
model = kt.get_compiled_digits_model()
plot_seconds, plot_calls = [], []

def timed(callback):
    # Time what each callback spends at epoch and train end: drawing, for both libraries.
    for hook in ("on_epoch_end", "on_train_end", "on_train_batch_end"):
        original = getattr(callback, hook)
        def wrapper(*args, _original=original, _hook=hook, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                if _hook != "on_train_batch_end":
                    plot_seconds.append(time.perf_counter() - start)
        setattr(callback, hook, wrapper)
    return callback
"""

FIT = """
{arm}
start = time.perf_counter()
model.fit(x, y, batch_size={batch_size}, epochs={epochs}, verbose=verbose, callbacks=callbacks)
fit_seconds = time.perf_counter() - start
"""

REPORT = """
plot = callbacks[0] if callbacks else None
if hasattr(plot, "redraws"):  # LivePlot counts its own redraws and their cost
    redraws, draws = plot.redraws, plot.draw_seconds
else:  # livelossplot redraws at every epoch end; on_train_end is not a redraw
    redraws, draws = max(len(plot_seconds) - 1, 0), plot_seconds
median = statistics.median(draws) if draws else 0
print(json.dumps({"fit": fit_seconds, "plot_total": sum(plot_seconds), "redraws": redraws,
                  "median_redraw": median}))
"""


def run_arm(arm: str, n: int, epochs: int, batch_size: int) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(textwrap.dedent(SETUP).format(n=n) + "\nimport statistics"),
        nbformat.v4.new_code_cell(
            textwrap.dedent(FIT).format(arm=ARMS[arm][1], epochs=epochs, batch_size=batch_size)
        ),
        nbformat.v4.new_code_cell(textwrap.dedent(REPORT)),
    ]
    NotebookClient(nb, timeout=1800, kernel_name="python3").execute()
    result = json.loads(nb.cells[2].outputs[-1].text)
    outputs = nb.cells[1].outputs
    result["outputs"] = len(outputs)
    result["bytes"] = len(json.dumps([dict(o) for o in outputs]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "liveplot.md"))
    args = parser.parse_args()

    lines = [
        "# LivePlot benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python "
        f"{platform.python_version()}; {args.reps} interleaved repetitions, medians.",
        "",
    ]
    for scenario, (n, epochs, batch_size) in SCENARIOS.items():
        runs: dict[str, list[dict]] = {arm: [] for arm in ARMS}
        for rep in range(args.reps):
            for arm in ARMS:
                runs[arm].append(run_arm(arm, n, epochs, batch_size))
                print(scenario, rep, arm, runs[arm][-1], flush=True)
        base = statistics.median(r["fit"] for r in runs["a"])
        lines += [
            f"## {scenario}: {n:,} images, {epochs} epochs, batch {batch_size} "
            f"(baseline fit {base:.1f} s, {base / epochs:.2f} s an epoch)",
            "",
            "| arm | fit time / (a) | plotting share of fit | redraws | median redraw (ms) "
            "| plotting total (s) | outputs in cell | output bytes |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for arm, (label, _) in ARMS.items():

            def med(key: str, rs: list[dict] = runs[arm]) -> float:
                return statistics.median(r[key] for r in rs)

            share = statistics.median(r["plot_total"] / r["fit"] for r in runs[arm])
            lines.append(
                f"| ({arm}) {label} | {med('fit') / base:.3f} | {100 * share:.1f} % | "
                f"{med('redraws'):.0f} | "
                f"{1000 * med('median_redraw'):.0f} | {med('plot_total'):.2f} | "
                f"{med('outputs'):.0f} | {med('bytes'):,.0f} |"
            )
        lines.append("")
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
