"""Benchmark: what live training curves cost, measured inside real Jupyter kernels.

Arms. Every fit is timed from outside, around `model.fit`, and no arm gets a hook it would not
otherwise have (livelossplot's drawing time comes from wrapping its epoch-level hooks only):
  a  fit(verbose=0), no callback           (the baseline)
  b  fit(verbose=1), Keras's progress bar
  c  kerastutor.LivePlot()
  d  kerastutor.LivePlot(per_batch=True)
  e  livelossplot.PlotLossesKeras()
  f  a callback whose only hook is a no-op `on_train_batch_end` (what a batch hook costs)

Order: in each repetition the other arms come in a shuffled order, each right after a baseline
fit (a a-c a-f a-b ...), and each fit is compared with the mean of the two baseline fits beside it,
so slow changes in the machine's load cancel. The spread of (a) against its own neighbours, and
arm (f), show the measurement's noise. Two ways of running them:
  one kernel  (default) all fits in one Jupyter kernel, one cell per fit, as a learner re-running
              cells would, after one warm-up fit of every arm (dropped).
  kernels     (--modes kernels) each fit in a fresh kernel: matplotlib not yet warm. Slow, and
              on a shared machine much noisier.
Kernels are run by nbclient, as nbval and JupyterLab run notebooks.

Scenarios:
  target  the digits MLP on all 12,000 bundled MNIST images (the 10,000 training and 2,000 test
          images together, as training data: this is a speed measurement, no model is chosen),
          batch 8, 3 epochs (1.6 s each in the issue's measurement; 2 s or so on a loaded
          2-CPU machine). Targets: (c) <= 1.03x and (d) <= 1.10x the fit time of (a).
  short   1,000 images, batch 32, 40 epochs of 0.05-0.15 s, where drawing cost dominates.
Before any timed fit, one fit on 256 images traces the train function, so no arm's fit time
includes tracing (which makes the ratios stricter).

Per fit: `fit` (wall time of model.fit), `drawn` (until the last image is drawn: LivePlot draws
its final state after fit returns, before the cell ends), `cpu` (the kernel's CPU seconds over
`drawn`), drawing time, redraws, outputs kept in the cell.

Usage: python benchmarks/liveplot.py [--reps 20] [--scenarios target short]
       [--modes one-kernel kernels] [--kernel-reps 5]
       (about 45 minutes; writes benchmarks/results/liveplot.md and .json)
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import textwrap
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ARMS = {
    "a": "verbose=0, no callback",
    "b": "verbose=1 progress bar",
    "c": "LivePlot()",
    "d": "LivePlot(per_batch=True)",
    "e": "livelossplot PlotLossesKeras()",
    "f": "no-op on_train_batch_end",
}
SCENARIOS = {  # images, epochs, batch size
    "target": (12_000, 3, 8),
    "short": (1_000, 40, 32),
}
RESULTS = Path(__file__).parent / "results"

SETUP = """
import json, time
import keras, numpy as np
import kerastutor as kt
from livelossplot import PlotLossesKeras

(x_train, y_train), (x_test, y_test) = kt.load_mnist("bundled", verbose=False)
x = np.concatenate([x_train, x_test]).reshape(-1, 784)[:{n}]
x = (x / 255.0).astype("float32")
y = np.concatenate([y_train, y_test])[:{n}]
keras.utils.set_random_seed(0)
model = kt.get_compiled_digits_model()
model.fit(x[:256], y[:256], batch_size={batch_size}, epochs=1, verbose=0)  # trace it now


class BatchHook(keras.callbacks.Callback):
    # Overrides on_train_batch_end only, and does nothing there.
    def on_train_batch_end(self, batch, logs=None):
        pass


def epoch_timed(callback, seconds):
    # Time the epoch-level hooks (where livelossplot draws); adds no batch hook.
    for hook in ("on_epoch_end", "on_train_end"):
        def wrapper(*args, _original=getattr(callback, hook), **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                seconds.append(time.perf_counter() - start)
        setattr(callback, hook, wrapper)
    return callback


def run(arm):
    drawing = []
    verbose, callbacks = 0, []
    if arm == "b":
        verbose = 1
    elif arm == "c":
        callbacks = [kt.LivePlot()]
    elif arm == "d":
        callbacks = [kt.LivePlot(per_batch=True)]
    elif arm == "e":
        callbacks = [epoch_timed(PlotLossesKeras(), drawing)]
    elif arm == "f":
        callbacks = [BatchHook()]
    cpu, start = time.process_time(), time.perf_counter()
    model.fit(x, y, batch_size={batch_size}, epochs={epochs}, verbose=verbose,
              callbacks=callbacks)
    fit = time.perf_counter() - start
    plot = callbacks[0] if callbacks else None
    if hasattr(plot, "wait"):
        plot.wait()  # LivePlot's final draw: it would finish before the cell ends anyway
    drawn, cpu = time.perf_counter() - start, time.process_time() - cpu
    if hasattr(plot, "redraws"):
        redraws, drawing = plot.redraws, plot.draw_seconds
    else:  # livelossplot redraws at every epoch end; on_train_end is not a redraw
        redraws = max(len(drawing) - 1, 0)
    return dict(arm=arm, fit=fit, drawn=drawn, cpu=cpu, redraws=redraws,
                drawing=sum(drawing), median_redraw=float(np.median(drawing)) if drawing else 0.0)


records = []
"""

HOOKS = """
import json, timeit
import keras, tensorflow as tf
import kerastutor as kt
from keras.src.callbacks.callback_list import CallbackList


class BatchHook(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


logs = {"loss": tf.constant(0.5), "accuracy": tf.constant(0.8)}  # as a train step returns them
arms = {
    "a": [],
    "f": [BatchHook()],
    "c": [kt.LivePlot(display="notebook")],
    "d": [kt.LivePlot(display="notebook", per_batch=True, min_interval=1e9)],  # no drawing
}
lists = {}
for arm, callbacks in arms.items():
    lists[arm] = CallbackList(callbacks, add_history=True, model=None, epochs=3, steps=1500)
    lists[arm].on_train_begin()
best = {arm: float("inf") for arm in arms}
for _ in range(25):  # interleaved, best of 25 x 2,000 calls per arm
    for arm, hooks in lists.items():
        seconds = timeit.timeit(lambda: hooks.on_train_batch_end(0, logs), number=2000)
        best[arm] = min(best[arm], seconds / 2000)
costs = {arm: {"us_per_batch": best[arm] * 1e6, "async": lists[arm]._async_train,
               "backend": keras.backend.backend(), "keras": keras.__version__} for arm in arms}
print(json.dumps(costs))
"""

FIT = "records.append(run({arm!r}))"
REPORT = "print(json.dumps(records))"


def _execute(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(nb, timeout=3600, kernel_name="python3").execute()
    return nb


def _records(nb: nbformat.NotebookNode, fit_cells: list[int]) -> list[dict]:
    records = json.loads(nb.cells[-1].outputs[-1].text)
    for record, index in zip(records, fit_cells, strict=True):
        outputs = nb.cells[index].outputs
        record["outputs"] = len(outputs)
        record["bytes"] = len(json.dumps([dict(o) for o in outputs]))
    return records


def hook_costs() -> dict[str, dict]:
    """What Keras's per-batch callback dispatch costs, per arm (no training, no drawing)."""
    nb = _execute([textwrap.dedent(HOOKS)])
    return json.loads(nb.cells[0].outputs[-1].text)


def _order(reps: int, seed: int = 0) -> list[tuple[int, str]]:
    """(repetition, arm) in running order: every other arm in a shuffled order, each right
    after a baseline (a), and a baseline at the end, so each fit has one on either side."""
    rng = random.Random(seed)
    order = []
    for rep in range(reps):
        others = [arm for arm in ARMS if arm != "a"]
        rng.shuffle(others)
        for arm in others:
            order += [(rep, "a"), (rep, arm)]
    return order + [(reps - 1, "a")]


def one_kernel(scenario: str, reps: int) -> list[dict]:
    """Every arm `reps` times in one kernel, after one warm-up fit of each arm (dropped)."""
    n, epochs, batch_size = SCENARIOS[scenario]
    order = [(-1, arm) for arm in ARMS] + _order(reps)
    setup = textwrap.dedent(SETUP).format(n=n, epochs=epochs, batch_size=batch_size)
    cells = [setup] + [FIT.format(arm=arm) for _, arm in order] + [REPORT]
    nb = _execute(cells)
    records = _records(nb, list(range(1, len(order) + 1)))
    for index, (record, (rep, _)) in enumerate(zip(records, order, strict=True)):
        record["rep"], record["index"] = rep, index
    return [r for r in records if r["rep"] >= 0]


def fresh_kernels(scenario: str, reps: int) -> list[dict]:
    """Every arm `reps` times, each fit in a fresh kernel, in the same order as one_kernel."""
    n, epochs, batch_size = SCENARIOS[scenario]
    setup = textwrap.dedent(SETUP).format(n=n, epochs=epochs, batch_size=batch_size)
    records = []
    for index, (rep, arm) in enumerate(_order(reps)):
        (record,) = _records(_execute([setup, FIT.format(arm=arm), REPORT]), [1])
        record["rep"], record["index"] = rep, index
        records.append(record)
        print(scenario, "kernels", rep, record, flush=True)
    return records


def _quantiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def summarise(records: list[dict]) -> dict[str, dict]:
    """Per arm: each fit divided by the mean of the baseline fits (a) just before and after it,
    so slow changes in the machine's load cancel; medians with their spread. For (a) itself,
    the neighbours are the baselines two fits away: its spread is the measurement's noise."""
    records = sorted(records, key=lambda r: r["index"])
    bases = [r for r in records if r["arm"] == "a"]

    def neighbours(record: dict) -> list[dict]:
        before = [b for b in bases if b["index"] < record["index"]][-1:]
        after = [b for b in bases if b["index"] > record["index"]][:1]
        return before + after

    summary = {}
    for arm in ARMS:
        runs = [(r, neighbours(r)) for r in records if r["arm"] == arm]
        runs = [(r, near) for r, near in runs if near]
        if not runs:
            continue
        fit, drawn, cpu = [], [], []
        for r, near in runs:
            base_fit = statistics.mean(b["fit"] for b in near)
            fit.append(r["fit"] / base_fit)
            drawn.append(r["drawn"] / base_fit)
            cpu.append(r["cpu"] - statistics.mean(b["cpu"] for b in near))

        fits = [r for r, _ in runs]

        def med(key: str, rs: tuple[dict, ...] = tuple(fits)) -> float:
            return statistics.median(r[key] for r in rs)

        summary[arm] = {
            "n": len(runs),
            "fit_s": med("fit"),
            "fit_ratio": _quantiles(fit),
            "fit_ratio_min_max": (min(fit), max(fit)),
            "ratio_of_medians": med("fit") / statistics.median(b["fit"] for b in bases),
            "drawn_ratio": _quantiles(drawn),
            "extra_cpu_s": _quantiles(cpu),
            "drawing_s": med("drawing"),
            "redraws": med("redraws"),
            "median_redraw_ms": 1000 * med("median_redraw"),
            "outputs": med("outputs"),
            "bytes": med("bytes"),
        }
    return summary


def table(summary: dict[str, dict]) -> list[str]:
    lines = [
        "| arm | fit time / (a): median [IQR] (min–max) | ratio of medians "
        "| until drawn / (a) | extra CPU s [IQR] | drawing s | redraws | median redraw ms "
        "| outputs | output bytes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for arm, s in summary.items():
        q1, q2, q3 = s["fit_ratio"]
        lo, hi = s["fit_ratio_min_max"]
        c1, c2, c3 = s["extra_cpu_s"]
        lines.append(
            f"| ({arm}) {ARMS[arm]} | **{q2:.3f}** [{q1:.3f}–{q3:.3f}] ({lo:.2f}–{hi:.2f}) "
            f"| {s['ratio_of_medians']:.3f} | {s['drawn_ratio'][1]:.3f} "
            f"| {c2:+.2f} [{c1:+.2f}, {c3:+.2f}] | {s['drawing_s']:.2f} | {s['redraws']:.0f} "
            f"| {s['median_redraw_ms']:.0f} | {s['outputs']:.0f} | {s['bytes']:,.0f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="repetitions in one kernel")
    parser.add_argument("--kernel-reps", type=int, default=5, help="fresh-kernel repetitions")
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument(
        "--modes", nargs="+", default=["one-kernel"], choices=["one-kernel", "kernels"]
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "liveplot.md")
    args = parser.parse_args()

    started = time.strftime("%Y-%m-%d %H:%M")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    hooks = hook_costs()
    print("hooks", json.dumps(hooks), flush=True)
    raw: dict[str, list[dict]] = {}
    for scenario in args.scenarios:
        for mode in args.modes:
            if mode == "one-kernel":
                records = one_kernel(scenario, args.reps)
            else:
                records = fresh_kernels(scenario, args.kernel_reps)
            raw[f"{scenario}/{mode}"] = records
            print(scenario, mode, json.dumps(summarise(records)), flush=True)

    lines = [
        "# LivePlot benchmark",
        "",
        f"`benchmarks/liveplot.py`, run {started}. Machine: {platform.machine()}, "
        f"{_cpus()} CPUs, Python {platform.python_version()}; load average at the start "
        f"{' '.join(load) or 'unknown'} (a shared machine: other jobs ran throughout).",
        "",
        "Fit time is the wall time of `model.fit`, timed from outside. Each fit runs right after "
        "a baseline fit (a) and is divided by the mean of the baseline fits just before and "
        "after it; the table gives the median of these ratios, their inter-quartile range and "
        "extremes. For (a) the neighbours are the baselines two fits away, so its row, like the "
        "no-op arm (f), shows the measurement's noise. *Until drawn* also counts LivePlot's final "
        "draw, which runs after `fit` returns and before the cell ends. *Extra CPU* is the "
        "kernel's CPU time over that span minus the baseline's: the cost a busy machine pays.",
        "",
    ]
    a = hooks["a"]
    steps = SCENARIOS["target"][0] // SCENARIOS["target"][2] * SCENARIOS["target"][1]
    lines += [
        "## What a batch hook costs",
        "",
        f"Keras {a['keras']}, {a['backend']} backend: `CallbackList.on_train_batch_end`, which "
        "`fit` calls after every batch, timed alone (arms interleaved, best of 25 × 2,000 "
        "calls) with each arm's callbacks (LivePlot(per_batch=True) recording, not drawing). "
        + (
            "On this backend Keras never dispatches batch hooks asynchronously, and it converts "
            "the batch's logs to Python floats (`pythonify_logs`) whether or not any callback "
            "has a batch hook."
            if not any(cost["async"] for cost in hooks.values())
            else "On this backend Keras dispatches batch hooks asynchronously unless a callback "
            "overrides one."
        ),
        "",
        f"| arm | µs per batch | extra µs per batch vs (a) | extra ms per fit of {steps:,} batches "
        "| asynchronous dispatch |",
        "|---|---|---|---|---|",
    ]
    for arm, cost in hooks.items():
        extra = cost["us_per_batch"] - a["us_per_batch"]
        lines.append(
            f"| ({arm}) {ARMS[arm]} | {cost['us_per_batch']:.2f} | {extra:+.2f} "
            f"| {extra * steps / 1000:+.1f} | {'yes' if cost['async'] else 'no'} |"
        )
    lines.append("")
    for key, records in raw.items():
        scenario, mode = key.split("/")
        n, epochs, batch_size = SCENARIOS[scenario]
        summary = summarise(records)
        base = summary["a"]["fit_s"]
        reps = max(s["n"] for arm, s in summary.items() if arm != "a")
        where = (
            "One kernel, a baseline before every other fit, arms in shuffled order, a warm-up "
            "fit of each arm dropped"
            if mode == "one-kernel"
            else "A fresh kernel per fit, a baseline before every other fit, arms in shuffled order"
        )
        lines += [
            f"## {scenario}, {mode}: {n:,} images, {epochs} epochs, batch {batch_size}",
            "",
            f"{where}; {reps} repetitions. Baseline fit {base:.2f} s "
            f"({base / epochs:.2f} s an epoch).",
            "",
            *table(summary),
            "",
        ]
    args.out.write_text("\n".join(lines))
    for records in raw.values():  # raw times, to the tenth of a millisecond
        for record in records:
            record.update({k: round(v, 4) for k, v in record.items() if isinstance(v, float)})
    head = {"run": started, "load": load, "scenarios": SCENARIOS, "hooks": hooks}
    args.out.with_suffix(".json").write_text(_json_lines(head, raw))
    print("\n".join(lines))


def _json_lines(head: dict, raw: dict[str, list[dict]]) -> str:
    """JSON with one line per fit, so a new run's diff stays readable."""
    parts = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in head.items()]
    blocks = [
        f"  {json.dumps(key)}: [\n" + ",\n".join(f"   {json.dumps(r)}" for r in records) + "\n  ]"
        for key, records in raw.items()
    ]
    parts.append(' "records": {\n' + ",\n".join(blocks) + "\n }")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
