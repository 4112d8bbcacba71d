"""Notebooks are committed in one canonical form: outputs stripped, as `nbstripout` leaves them.

Why stripped: the executed outputs depend on the machine (timings, memory), so committing them
would make every re-run a diff; nbval executes every notebook in CI anyway, and Binder or a
learner's own run shows fresh outputs. `make notebooks-strip` puts a notebook in this form.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped(path):
    nbstripout = Path(sys.executable).with_name("nbstripout")
    result = subprocess.run(
        [str(nbstripout), "--verify", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, f"{path.name} is not canonical: run `make notebooks-strip`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reads_as_a_lesson(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown and markdown[0].startswith("# "), "first cell: a title"
    assert "**Goal.**" in markdown[0], "the first cell states the goal"
    assert any(m.startswith("## Summary") for m in markdown[-2:]), "a summary at the end"
    assert nb.metadata.kernelspec.name == "python3"
