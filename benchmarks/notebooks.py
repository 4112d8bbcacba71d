"""Benchmark: wall time and peak kernel memory of every course notebook.

Each notebook runs top to bottom in a fresh Jupyter kernel (nbclient), as a learner's "Run all"
would. Wall time counts from kernel start to the last cell; peak memory is the kernel process's
maximum resident set size (`ru_maxrss`, in MiB), read by one extra cell appended to a copy.
That cell also reads the largest peak of any process the kernel started and waited for
(`RUSAGE_CHILDREN`: chapter 11's worker processes), listed in its own column; it is a
maximum over those processes, not their sum (chapter 11 runs two workers at a time).

The budget applies to that peak. A second column says how much of it was the kernel's own
(Linux only): its largest anonymous resident memory (`RssAnon` in `/proc/<pid>/status`, sampled
every 20 ms, so a shorter spike can be missed): Python objects, arrays, compiled programs.
The rest of the peak is pages of library files (TensorFlow's `libtensorflow_cc.so` alone is
about 230 MiB of them), which the system keeps once for all the kernels that load the same
library, and can drop and read again when memory runs short. So kernels open side by side need
about the largest peak plus the anonymous memory of the others, not the sum of their peaks.

Budgets (DEVELOPERS.md): 60 s and 1.0 GB per notebook, where GB is read as GiB (1,024 MiB),
the unit memory is sold and limited in. About 0.6 GiB of any kernel is TensorFlow itself.

Usage: python benchmarks/notebooks.py [NOTEBOOK ...]   (writes benchmarks/results/notebooks.md)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 60.0
BUDGET_MIB = 1024.0
# One explanation of the second memory column, for both benchmarks' reports.
OWN_MEMORY_NOTE = (
    '"The kernel\'s own" is its largest anonymous memory (`RssAnon`, sampled every 20 ms): '
    "Python objects, arrays, compiled programs. The rest of its peak is pages of library files, "
    "which the system keeps once for every kernel that loads the same library. Kernels open side "
    "by side need about the largest peak plus the others' own memory, not the sum of their peaks."
)
PEAK_CELL = (
    "import json, resource\n"
    "print(json.dumps({'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,\n"
    "                  'child_peak_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
)


def anonymous_kib(pid: int) -> int | None:
    """A process's anonymous resident memory in KiB (`RssAnon`), or None: no such process, or
    no /proc to read it from (not Linux)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


@contextlib.contextmanager
def anonymous_peak(pid: int | None, every: float = 0.02) -> Iterator[dict]:
    """While the block runs, samples `pid`'s anonymous memory every `every` seconds; the dict
    it yields holds the largest sample in "kib" (None if there was none)."""
    peak = {"kib": None}
    done = threading.Event()

    def sample() -> None:
        while True:
            kib = anonymous_kib(pid) if pid else None
            if kib is not None:
                peak["kib"] = max(peak["kib"] or 0, kib)
            if done.wait(every):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def measure(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    with client.setup_kernel():  # what `client.execute()` does, with the kernel's pid at hand
        pid = getattr(client.km.provisioner, "pid", None)
        with anonymous_peak(pid) as anonymous:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    seconds = time.perf_counter() - start
    peaks = json.loads(nb.cells[-1].outputs[-1].text)
    return {
        "notebook": path.name,
        "seconds": round(seconds, 1),
        "peak_mib": round(peaks["peak_kb"] / 1024),
        "anonymous_peak_mib": None if anonymous["kib"] is None else round(anonymous["kib"] / 1024),
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
        "| notebook | wall time (s) | peak kernel memory (MiB) | of it the kernel's own (MiB) "
        "| within budget | largest child process (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "yes" if r["within budget"] else "NO"
        child = r["child_peak_mib"] or "-"
        own = "-" if r["anonymous_peak_mib"] is None else r["anonymous_peak_mib"]
        lines.append(
            f"| {r['notebook']} | {r['seconds']} | {r['peak_mib']} | {own} | {verdict} | {child} |"
        )
    lines += ["", OWN_MEMORY_NOTE]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
