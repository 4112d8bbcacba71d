"""Benchmark: every course notebook on each Keras backend, in a fresh kernel per notebook.

For each backend (TensorFlow, JAX, PyTorch) and each notebook, a new Jupyter kernel starts with
`KERAS_BACKEND` set to that backend and runs the notebook top to bottom, measured exactly as
`benchmarks/notebooks.py` measures it (its `measure`: wall time from kernel start to the last
cell, peak kernel memory `ru_maxrss` in MiB). Child processes a notebook starts (chapter 9 runs
one per backend) are not part of the kernel's memory; the chapter reports theirs itself. A
second table gives how much of each peak was the kernel's own memory, not library files that
kernels share (see `benchmarks/notebooks.py`).

Writes a Markdown table (wall time and peak memory per notebook and backend, whether every
backend is within the budget, the course total per backend, the machine) and the rows as JSON
beside it. A notebook that fails is recorded as failed, with the error and the cell line that
raised it (its whole traceback goes to stderr), and the run goes on.

Usage: python benchmarks/backends.py [NOTEBOOK ...] [--backends tensorflow jax torch]
       [--out benchmarks/results/backends.md]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's kerastutor, for its backends and kernel env

from kerastutor.backends import BACKENDS  # noqa: E402
from kerastutor.cli import kernel_env  # noqa: E402


def _load_notebooks_benchmark():
    """benchmarks/notebooks.py as a module: one way of measuring a notebook, shared."""
    spec = importlib.util.spec_from_file_location(
        "_bench_notebooks", ROOT / "benchmarks" / "notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_notebooks_benchmark()


def failure(error: Exception) -> str:
    """One line for the table: the error, and the line of the cell that raised it (a bare
    `assert` has no message, so its line is what tells which check failed)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()  # no terminal colours
    lines = text.splitlines() or [""]
    summary = f"{type(error).__name__}: {lines[-1][:200]}"
    arrows = [line for line in lines if re.match(r"^-+> *\d+", line)]  # IPython's "---> 93 code"
    if arrows:
        number, code = re.match(r"^-+> *(\d+) ?(.*)", arrows[-1]).groups()
        summary += f" (cell line {number}: {code.strip()[:120]})"
    return summary


def measure_on(path: Path, backend: str) -> dict:
    """One notebook in a fresh kernel on `backend` (the kernel inherits KERAS_BACKEND)."""
    previous = os.environ.get("KERAS_BACKEND")
    os.environ["KERAS_BACKEND"] = backend
    try:
        row = bench.measure(path)
        row["error"] = ""
    except Exception as error:  # a failing notebook is a result too; keep measuring the rest
        row = {"notebook": path.name, "seconds": None, "peak_mib": None, "anonymous_peak_mib": None}
        row["error"] = failure(error)
        print(f"{path.name} on {backend} failed:\n{error}", file=sys.stderr, flush=True)
    finally:
        if previous is None:
            os.environ.pop("KERAS_BACKEND", None)
        else:
            os.environ["KERAS_BACKEND"] = previous
    row["backend"] = backend
    row["within budget"] = (
        not row["error"]
        and row["seconds"] <= bench.BUDGET_SECONDS
        and row["peak_mib"] <= bench.BUDGET_MIB
    )
    return row


def report(rows: list[dict], backends: list[str]) -> str:
    """The Markdown table: a row per notebook, a column pair per backend, then the totals."""
    notebooks = list(dict.fromkeys(r["notebook"] for r in rows))
    cell = {(r["notebook"], r["backend"]): r for r in rows}
    header = ["notebook"]
    for b in backends:
        header += [f"{b} (s)", f"{b} (MiB)"]
    header.append("within budget")
    lines = [
        "# The course on each Keras backend",
        "",
        f"Each notebook in a fresh kernel per backend (`KERAS_BACKEND`); machine: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()}. Budget per notebook and backend: "
        f"{bench.BUDGET_SECONDS:.0f} s and 1.0 GiB ({bench.BUDGET_MIB:,.0f} MiB) of peak "
        "kernel memory. Made by `benchmarks/backends.py`.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for name in notebooks:
        values, misses = [name], []
        for b in backends:
            r = cell.get((name, b))
            if r is None:
                values += ["", ""]
            elif r["error"]:
                values += ["failed", ""]
                misses.append(f"{b}: {r['error']}")
            else:
                values += [f"{r['seconds']:.1f}", f"{r['peak_mib']:.0f}"]
                if not r["within budget"]:
                    misses.append(b)
        values.append("NO (" + "; ".join(misses) + ")" if misses else "yes")
        lines.append("| " + " | ".join(values) + " |")
    totals = ["**course total** (time: sum; memory: largest)"]
    for b in backends:
        done = [r for r in rows if r["backend"] == b and not r["error"]]
        failed = any(r["backend"] == b and r["error"] for r in rows)
        seconds = sum(r["seconds"] for r in done)
        totals += [
            f"{seconds:.1f}" + (" (some failed)" if failed else ""),
            f"{max((r['peak_mib'] for r in done), default=0):.0f}",
        ]
    totals.append("yes" if all(r["within budget"] for r in rows) else "NO")
    lines.append("| " + " | ".join(totals) + " |")
    lines += [
        "",
        "## How much of each peak was the kernel's own (MiB)",
        "",
        "| notebook | " + " | ".join(backends) + " |",
        "|" + "---|" * (len(backends) + 1),
    ]
    for name in notebooks:
        values = [name]
        for b in backends:
            own = cell.get((name, b), {}).get("anonymous_peak_mib")
            values.append("" if own is None else f"{own:.0f}")
        lines.append("| " + " | ".join(values) + " |")
    lines += ["", bench.OWN_MEMORY_NOTE]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "backends.md")
    args = parser.parse_args(argv)
    # The course's kernel environment (quiet TensorFlow, offline MNIST), where not set already;
    # and this checkout's kerastutor in every kernel.
    os.environ.update(kernel_env())
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for backend in args.backends:
        for path in paths:
            row = measure_on(path, backend)
            rows.append(row)
            print(row, flush=True)
    text = report(rows, args.backends)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()
