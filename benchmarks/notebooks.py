"""Benchmark: wall time and peak kernel memory of every course notebook.

Each notebook runs top to bottom in a fresh Jupyter kernel (nbclient), as a learner's "Run all"
would. Wall time counts from kernel start to the last cell; peak memory is the kernel process's
maximum resident set size (`ru_maxrss`, in MiB), read by one extra cell appended to a copy.
That cell also reads the largest peak of any process the kernel started and waited for
(`RUSAGE_CHILDREN`: chapter 11's worker processes), listed in its own column; it is a
maximum over those processes, not their sum (chapter 11 runs two workers at a time).

Budgets (DEVELOPERS.md): 60 s and 1.0 GB per notebook, where GB is read as GiB (1,024 MiB),
the unit memory is sold and limited in. About 0.6 GiB of any kernel is TensorFlow itself.

Usage: python benchmarks/notebooks.py [NOTEBOOK ...]   (writes benchmarks/results/notebooks.md)
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 60.0
BUDGET_MIB = 1024.0
PEAK_CELL = (
    "import json, resource\n"
    "print(json.dumps({'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,\n"
    "                  'child_peak_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
)


def measure(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    seconds = time.perf_counter() - start
    peaks = json.loads(nb.cells[-1].outputs[-1].text)
    return {
        "notebook": path.name,
        "seconds": round(seconds, 1),
        "peak_mib": round(peaks["peak_kb"] / 1024),
        # 0 when the notebook started no process of its own
        "child_peak_mib": round(peaks["child_peak_kb"] / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "notebooks.md"
    )
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for path in paths:
        row = measure(path.resolve())
        row["within budget"] = row["seconds"] <= BUDGET_SECONDS and row["peak_mib"] <= BUDGET_MIB
        rows.append(row)
        print(row, flush=True)
    lines = [
        "# Notebook budgets",
        "",
        f"Each notebook in a fresh kernel; machine: {platform.machine()}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}. "
        f"Budget: {BUDGET_SECONDS:.0f} s and 1.0 GiB ({BUDGET_MIB:,.0f} MiB).",
        "",
        "| notebook | wall time (s) | peak kernel memory (MiB) | within budget "
        "| largest child process (MiB) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "yes" if r["within budget"] else "NO"
        child = r["child_peak_mib"] or "-"
        lines.append(
            f"| {r['notebook']} | {r['seconds']} | {r['peak_mib']} | {verdict} | {child} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
