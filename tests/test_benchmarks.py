"""The notebook benchmark's measurements: the kernel's own (anonymous) memory is sampled from
/proc beside the peak that the budget applies to, and lands in the report."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/status").exists(), reason="reads /proc (Linux)"
)


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", ROOT / "benchmarks" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebooks = load("notebooks.py")


def test_anonymous_memory_of_a_process_and_of_none():
    assert notebooks.anonymous_kib(os.getpid()) > 1024  # this interpreter holds over 1 MiB
    assert notebooks.anonymous_kib(2**22 + 12345) is None  # above Linux's largest pid


def test_the_sampler_sees_memory_held_while_it_runs():
    before = notebooks.anonymous_kib(os.getpid())
    with notebooks.anonymous_peak(os.getpid(), every=0.01) as peak:
        ballast = bytearray(200 * 1024 * 1024)
        ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: really resident
        time.sleep(0.2)
        del ballast
    assert peak["kib"] - before > 150 * 1024, (before, peak)
    with notebooks.anonymous_peak(None) as nothing:
        time.sleep(0.05)
    assert nothing["kib"] is None


def test_a_notebook_is_measured_with_its_own_memory(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "ballast = bytearray(300 * 1024 * 1024)\n"
            "ballast[::4096] = b'x' * len(ballast[::4096])\n"
            "import time; time.sleep(0.3)"
        )
    )
    path = tmp_path / "ballast.ipynb"
    nbformat.write(nb, path)
    row = notebooks.measure(path)
    assert row["notebook"] == "ballast.ipynb" and row["seconds"] > 0.3
    assert 300 <= row["anonymous_peak_mib"] <= row["peak_mib"], row
    assert row["child_peak_mib"] >= 0


def test_the_backends_report_has_the_kernels_own_memory():
    sys.path.insert(0, str(ROOT))
    backends = load("backends.py")
    rows = [
        {
            "notebook": "a.ipynb",
            "backend": b,
            "seconds": 10.0,
            "peak_mib": peak,
            "anonymous_peak_mib": own,
            "error": "",
            "within budget": True,
        }
        for b, peak, own in (("tensorflow", 900, 400), ("jax", 700, None))
    ]
    table = backends.report(rows, ["tensorflow", "jax"])
    assert "| notebook | tensorflow | jax |" in table
    assert "| a.ipynb | 400 |  |" in table  # not sampled on jax: left empty, not 0
    assert "not the sum of their peaks" in table
