"""Chapter 10's exercises beyond the generic tests: the prediction follows the run it is given,
the layer checker really saves and loads and names each way a layer fails to survive it, and
the notebook's buggy cells are the ones the checkers reject."""

import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import keras
import nbformat
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch10

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_save_load_predict.ipynb"
SAME = {"error": None, "largest change": 0.0, "digits changed": 0.0}
MOVED = {"error": None, "largest change": 0.8, "digits changed": 0.015}
REFUSED = {"error": "ValueError: shapes differ", "largest change": None, "digits changed": None}


def _code() -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def _run(outcomes: dict):
    return SimpleNamespace(results=dict(outcomes), result=outcomes.__getitem__)


@pytest.mark.parametrize("silent", ["no Rescaling", "Dense(32)", "edited after saving"])
def test_the_prediction_is_compared_with_the_run(silent, capsys):
    outcomes = {edit: SAME for edit in ch10.EDITS} | {"Dense(32)": REFUSED, silent: MOVED}
    for option in ch10.EDITS:
        result = kt.check("10.edit_reload", option, experiment=_run(outcomes))
        out = capsys.readouterr().out
        assert result.right == (option == silent), (option, out)
        if outcomes[option] is REFUSED:
            assert "shapes differ" in out  # the run's own error is quoted


def _layer(extra: str = "", registered: bool = True):
    code = ch10._SKELETON.rstrip() + "\n" + extra
    if registered:
        code = '@keras.saving.register_keras_serializable(package="course")\n' + code
    namespace = {"np": np, "keras": keras}
    exec(code, namespace)
    return namespace["Standardize"]


@pytest.mark.parametrize(
    "extra, registered, said",
    [
        ("", False, "no class registered under that name"),
        ("", True, "cannot be saved"),
        (  # arrays in the config (section 5's pattern): saved, but __init__ gets dicts back
            "    def get_config(self):\n"
            "        return {**super().get_config(), 'mean': self.mean, 'std': self.std}\n",
            True,
            "returns 'mean' and 'std' as NumPy arrays",
        ),
        (  # arrays in the config another way: nested in a list
            "    def get_config(self):\n"
            "        config = {**super().get_config(), 'mean': self.mean.tolist()}\n"
            "        return {**config, 'std': [self.std]}\n",
            True,
            "returns 'std[0]' as NumPy arrays",
        ),
        (  # one argument forgotten
            "    def get_config(self):\n"
            "        return {**super().get_config(), 'mean': self.mean.tolist()}\n",
            True,
            "missing 1 required positional argument",
        ),
        (  # one argument replaced by a default
            "    def get_config(self):\n"
            "        config = {**super().get_config(), 'mean': self.mean.tolist()}\n"
            "        return {**config, 'std': [1.0, 1.0, 1.0]}\n",
            True,
            "did not come back",
        ),
    ],
)
def test_the_layer_checker_names_each_mistake(extra, registered, said, capsys):
    assert not kt.check("10.standardize", _layer(extra, registered))
    out = capsys.readouterr().out
    assert said in out, out


def test_arrays_in_the_config_with_a_from_config_that_restores_them_pass():
    # Another right answer: keep the arrays, and turn Keras's '__numpy__' dicts back on load.
    restoring = _layer(
        "    def get_config(self):\n"
        "        return {**super().get_config(), 'mean': self.mean, 'std': self.std}\n"
        "\n"
        "    @classmethod\n"
        "    def from_config(cls, config):\n"
        "        for key in ('mean', 'std'):\n"
        "            config[key] = keras.saving.deserialize_keras_object(config[key])\n"
        "        return cls(**config)\n"
    )
    assert kt.check("10.standardize", restoring)


def test_arrays_in_the_config_really_fail_to_load_as_the_checker_says():
    """What the checker says of arrays in get_config is what Keras does: the file holds them as
    '__numpy__' dicts, __init__ gets the dicts back, and load_model raises."""
    layer_class = _layer(
        "    def get_config(self):\n"
        "        return {**super().get_config(), 'mean': self.mean, 'std': self.std}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path, _ = ch10._save(layer_class, folder)
        with zipfile.ZipFile(path) as file:
            assert '"mean": {"class_name": "__numpy__"' in file.read("config.json").decode()
    error = ch10._load_error(layer_class)
    assert error is not None and "not 'dict'" in error, error


def test_the_notebook_cells_are_the_ones_checked():
    code = _code()
    assert ch10._SKELETON.strip() in code
    assert ch10._BUGGY_PREDICT.strip() in code


def test_the_buggy_prediction_is_named_and_another_fix_passes(capsys):
    namespace = {"np": np}
    exec(ch10._BUGGY_PREDICT, namespace)
    assert not kt.check("10.predict_digits", namespace["predict_digits"])
    assert "scaled down twice" in capsys.readouterr().out

    def with_ops(model, images):  # another right answer: the model called directly
        return keras.ops.argmax(model(images), axis=-1)

    assert kt.check("10.predict_digits", with_ops)
