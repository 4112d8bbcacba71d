"""The README's tour is code a reader will paste: it must run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_starts_with_the_two_commands():
    first_block = README.read_text().split("```")[1]
    assert "make lab" in first_block and "make test" in first_block


def test_readme_python_tour_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    model = namespace["model"]
    assert model.count_params() == 55_050
    assert len(model.history.history["loss"]) == 2
