"""The course's method: training, validation and test data are kept apart everywhere.

Validation data is what choices are made on (the epoch to stop at, a learning rate, the best
checkpoint); the test set is evaluated once, at the end. So no `fit` validates on test data, no
panel or explorer is handed it, and no syllabus pattern asks for it. The notebooks are read as
Python: a name that is computed from test data (`val_ds = ...from_tensor_slices((x_test, ...))`)
counts as test data too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# A snake_case word "test" (x_test, test_ds, x_test_flat), not "latest" or "test_on_batch".
TEST_NAME = re.compile(r"(?:^|_)test(?:s|set)?(?:_|$)(?!on_batch)", re.IGNORECASE)
# Calls whose `data=` (or first positional argument) is what a run validates on.
PANEL_CALLS = {"TrainingPanel", "BatchSizeExplorer"}


def _source(path: Path) -> str:
    """A notebook's code cells as one Python module (IPython magics and shell lines dropped)."""
    nb = nbformat.read(path, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            lines.append("" if line.lstrip().startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _targets(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def tainted_names(tree: ast.AST) -> set[str]:
    """Names whose value is computed from something named *test* (to a fixed point)."""
    tainted: set[str] = set()
    assignments = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    assignments += list(zip(target.elts, node.value.elts))
                else:
                    assignments.append((target, node.value))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            assignments.append((node.target, node.value))
    changed = True
    while changed:
        changed = False
        for target, value in assignments:
            used = _names(value)
            if any(TEST_NAME.search(n) for n in used) or used & tainted:
                new = set(_targets(target)) - tainted
                if new:
                    tainted |= new
                    changed = True
    return tainted


def uses_of_test_data(source: str) -> list[str]:
    """Every place where test data is used to validate or to choose: a description each."""
    tree = ast.parse(source)
    tainted = tainted_names(tree)

    def is_test(node: ast.AST) -> bool:
        names = _names(node)
        return any(TEST_NAME.search(n) for n in names) or bool(names & tainted)

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        for keyword in node.keywords:
            if keyword.arg == "validation_data" and is_test(keyword.value):
                found.append(f"line {node.lineno}: validation_data={ast.unparse(keyword.value)}")
            if called in PANEL_CALLS and keyword.arg == "data" and is_test(keyword.value):
                found.append(f"line {node.lineno}: {called}(data={ast.unparse(keyword.value)})")
        if called in PANEL_CALLS and len(node.args) >= 2 and is_test(node.args[1]):
            found.append(f"line {node.lineno}: {called}(..., {ast.unparse(node.args[1])})")
    return found


def test_the_checker_catches_test_data_used_for_validation():
    bad = [
        "model.fit(x, y, validation_data=(x_test, y_test))",
        "val_ds = make(x_test)\nmodel.fit(ds, validation_data=val_ds)",
        "a, b = x_test, y_test\nv = (a, b)\nmodel.fit(x, y, validation_data=v)",
        "kt.TrainingPanel(data=((x, y), (x_test, y_test)))",
        "kt.BatchSizeExplorer(None, ((x, y), (xt_test, yt)))",
    ]
    for source in bad:
        assert uses_of_test_data(source), source
    good = [
        "x_val, y_val = x[:10], y[:10]\nmodel.fit(x, y, validation_data=(x_val, y_val))",
        "latest = newest(folder)\nmodel.fit(x, y, validation_data=latest)",
        "r = model.test_on_batch(x_val, y_val)\nmodel.fit(x, y, validation_data=r)",
    ]
    for source in good:
        assert uses_of_test_data(source) == [], source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_validates_or_selects_on_test_data(path):
    found = uses_of_test_data(_source(path))
    assert not found, (
        f"{path.name} validates on test data; use a validation split "
        f"(kt.split_validation) instead: {found}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_test_set_is_evaluated_at_most_once(path):
    tree = ast.parse(_source(path))
    tainted = tainted_names(tree)
    evaluations = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "evaluate"
        and any(
            TEST_NAME.search(n) or n in tainted
            for arg in [*node.args, *(k.value for k in node.keywords)]
            for n in _names(arg)
        )
    ]
    assert len(evaluations) <= 1, (
        f"{path.name} evaluates on the test set {len(evaluations)} times (lines {evaluations} "
        "of its code): report the test score once, at the end, and compare on validation data."
    )


def test_syllabus_patterns_ask_for_validation_data_not_test_data():
    text = (ROOT / "tests" / "test_syllabus.py").read_text()
    assert not re.search(r"validation_data=\\?\(?x_test", text)
    assert not re.search(r"data=\\?\(\\?\(x_train, y_train\\?\), \\?\(x_test", text)


def test_the_panel_default_validates_on_held_out_training_images():
    import kerastutor as kt

    experiment = kt.Experiment()  # what TrainingPanel() and BatchSizeExplorer() run
    x_train, x_val, y_val = experiment.x_train, experiment.x_val, experiment.y_val
    (_, _), (x_test, _) = kt.load_mnist("bundled", verbose=False)
    test_images = {
        row.tobytes() for row in (x_test.reshape(len(x_test), -1) / 255.0).astype("float32")
    }
    val_images = {row.tobytes() for row in x_val.reshape(len(x_val), -1)}
    train_images = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    assert len(y_val) == 2000
    assert not val_images & test_images, "the panel's validation data overlaps the test set"
    assert not val_images & train_images, "the panel validates on images it trains on"


def test_split_validation_is_stratified_seeded_and_disjoint():
    import kerastutor as kt

    (x, y), _ = kt.load_mnist("bundled", verbose=False)
    (xa, ya), (xv, yv) = kt.split_validation(x, y, 0.2, seed=3)
    (xb, _), (xw, _) = kt.split_validation(x, y, 0.2, seed=3)
    assert np.array_equal(xv, xw) and np.array_equal(xa, xb)
    assert len(yv) == 2000 and len(ya) == 8000
    shares = np.bincount(yv, minlength=10) / np.bincount(y, minlength=10)
    assert np.allclose(shares, 0.2, atol=0.002)
    index_of = {row.tobytes(): i for i, row in enumerate(x.reshape(len(x), -1))}
    assert not {index_of[r.tobytes()] for r in xa.reshape(len(xa), -1)} & {
        index_of[r.tobytes()] for r in xv.reshape(len(xv), -1)
    }


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"validation_size": 0}, "both parts"),
        ({"validation_size": 1.5}, "fraction in"),
        ({"validation_size": "10%"}, "fraction in"),
        ({"y": np.zeros((10, 2))}, "one-hot"),
        ({"y": np.zeros(9)}, "must match"),
    ],
)
def test_split_validation_bad_input_names_the_fix(kwargs, message):
    import kerastutor as kt

    args = {"x": np.zeros((10, 3)), "y": np.arange(10) % 2, "validation_size": 0.2} | kwargs
    with pytest.raises(ValueError, match=message):
        kt.split_validation(**args)
