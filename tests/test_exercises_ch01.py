"""Chapter 1's exercises beyond the generic tests: the debug checker rejects the notebook's buggy
cell and each half-fix, accepts both consistent fixes; the diagnose run really shows a
from_logits mismatch; the prediction is read off the runs, running the ones not run yet."""

import math
import types
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch01

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_quickstart.ipynb"
BUGGY = ch01._BUGGY_CELL
FLATTEN = "    model.add(keras.layers.Flatten())\n"
DENSE_128 = '    model.add(keras.layers.Dense(128, activation="relu"))\n'
RELU_HEAD = 'keras.layers.Dense(10, activation="relu")'
LOGITS_LOSS = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"


def build(source: str):
    namespace = {"keras": keras}
    exec(source, namespace)
    return namespace["build_quickstart"]


def verdict(answer, capsys) -> str:
    result = kt.check("01.fix_the_model", answer)
    out = capsys.readouterr().out
    assert out.startswith("Right" if result else "Not yet: ")
    return out


def test_the_notebook_shows_the_buggy_cell_of_the_catalogue():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c.source for c in nb.cells if 'kt.check("01.fix_the_model"' in c.source]
    assert len(cells) == 1 and cells[0].startswith(BUGGY.rstrip("\n"))


def test_the_buggy_cell_is_rejected_for_its_shape_first(capsys):
    assert "(32, 28, 10)" in verdict(build(BUGGY), capsys)


def test_each_half_fix_is_rejected(capsys):
    flattened = BUGGY.replace(DENSE_128, FLATTEN + DENSE_128)
    assert "never below 0" in verdict(build(flattened), capsys)
    no_relu = BUGGY.replace(RELU_HEAD, "keras.layers.Dense(10)")
    assert "(32, 28, 10)" in verdict(build(no_relu), capsys)


def fixed() -> str:
    return BUGGY.replace(DENSE_128, FLATTEN + DENSE_128).replace(
        RELU_HEAD, "keras.layers.Dense(10)"
    )


def test_the_fix_passes_and_so_does_softmax_with_a_loss_that_expects_probabilities(capsys):
    assert verdict(build(fixed()), capsys).startswith("Right")
    probabilities = (
        fixed()
        .replace("keras.layers.Dense(10)", 'keras.layers.Dense(10, activation="softmax")')
        .replace(LOGITS_LOSS, '"sparse_categorical_crossentropy"')
    )
    out = verdict(build(probabilities), capsys)
    assert out.startswith("Right") and "numerically safe" in out


@pytest.mark.parametrize(
    "change, reason",
    [
        ((LOGITS_LOSS, '"sparse_categorical_crossentropy"'), "expects probabilities"),
        (
            ("keras.layers.Dense(10)", 'keras.layers.Dense(10, activation="softmax")'),
            "expects logits",
        ),
        (('optimizer="adam"', "optimizer=keras.optimizers.Adam(learning_rate=1.0)"), "compiled"),
    ],
)
def test_other_wrong_fixes_are_named(change, reason, capsys):
    assert reason in verdict(build(fixed().replace(*change)), capsys)


def test_a_function_that_raises_is_reported(capsys):
    def broken():
        raise RuntimeError("boom")

    assert "calling it raised RuntimeError: boom" in verdict(broken, capsys)


def test_the_colleagues_run_shows_a_from_logits_mismatch(capsys):
    (x, y), _ = kt.load_mnist("bundled", verbose=False)
    (x_train, y_train), (x_val, y_val) = kt.split_validation(
        x.astype("float32") / 255.0, y, 2000, seed=0
    )
    history = ch01.colleagues_run(x_train, y_train, x_val, y_val)
    logs = history.history
    batches = history.first_epoch_batches
    assert len(batches) == 125 and abs(batches.mean() - logs["loss"][0]) < 1e-3
    capsys.readouterr()
    if keras.backend.backend() == "tensorflow":
        # Far above chance on validation data, yet the loss of a model that knows nothing.
        assert min(logs["val_accuracy"]) > 0.5
        assert min(logs["loss"]) > 0.8 * math.log(10) and min(logs["val_loss"]) > 0.8 * math.log(10)
        # Batch by batch, epoch 1 starts where section 4's table puts this mistake (about 9.4)
        # and falls to about ln 10 within ten batches; the logged 2.44 is the mean of all 125.
        assert batches[0] > 8 and batches[9] < 3.5 and logs["loss"][0] < 3
        # The right-answer feedback tells the learner so, with these numbers.
        assert kt.check("01.diagnose_run", "from_logits mismatch", history=history)
        out = capsys.readouterr().out
        assert f"first batch scored {batches[0]:.1f}" in out and "running mean" in out
        assert not kt.check("01.diagnose_run", "learning rate too high", history=history)
        feedback = capsys.readouterr().out.split("Hint:")[0]  # the hints come after it
        assert "far above chance" in feedback and "running mean" not in feedback
        assert "loss that" not in feedback
        return
    # JAX and PyTorch rescale the logits before clipping: the loss stays far above ln 10 and
    # accuracy stays low (0.10-0.36 measured), where a true cross-entropy would be near ln 10.
    assert min(logs["loss"]) > 2 * math.log(10) and logs["val_accuracy"][-1] < 0.5
    assert kt.check("01.diagnose_run", "from_logits mismatch", history=history)
    out = capsys.readouterr().out
    assert "disagrees with the accuracy" in out and "JAX and PyTorch" in out
    for wrong in ("learning rate too high", "labels shuffled", "over-fitting"):
        assert not kt.check("01.diagnose_run", wrong, history=history)
        assert "ln 10" in capsys.readouterr().out.split("Hint:")[0]


class Runs:
    """A stand-in for the KnobExperiment: `result(v)` runs a value and records it."""

    def __init__(self, spreads):
        self.spreads, self.results, self.ran = spreads, {}, []

    def result(self, value):
        self.ran.append(value)
        self.results[value] = {"spread": self.spreads[value]}
        return self.results[value]


@pytest.mark.parametrize(
    "small, large, outcome",
    [
        (0.15, 0.08, "halved"),
        (0.16, 0.04, "quartered"),
        (0.1, 0.1, "about the same"),
        (0.05, 0.1, "larger"),
    ],
)
def test_the_prediction_is_read_off_the_runs(small, large, outcome, capsys):
    runs = Runs({32: small, 128: large})
    assert kt.check("01.batch_noise", outcome, experiment=runs)
    assert sorted(runs.ran) == [32, 128]  # neither was run: the check ran both
    others = {"halved", "quartered", "about the same", "larger"} - {outcome}
    for other in others:
        assert not kt.check("01.batch_noise", other, experiment=runs)
    assert sorted(runs.ran) == [32, 128]  # and kept them
    capsys.readouterr()


def test_the_prediction_needs_the_experiment(capsys):
    assert not kt.check("01.batch_noise", "halved")
    assert "experiment=experiment" in capsys.readouterr().out
    runs = types.SimpleNamespace(results={32: {"spread": 0.1}})  # no result(): cannot run 128
    assert not kt.check("01.batch_noise", "halved", experiment=runs)
    assert "batch size 128" in capsys.readouterr().out


def test_loss_by_hand_names_the_probability_mistake(capsys):
    z = np.array([2.0, 0.0, -1.0])
    p = np.exp(z) / np.exp(z).sum()
    assert not kt.check("01.loss_by_hand", float(p[1]))
    assert "probability" in capsys.readouterr().out
    assert kt.check("01.loss_by_hand", float(-np.log(p[1])))
    capsys.readouterr()
    assert kt.check("01.loss_by_hand", round(float(-np.log(p[1])), 3))  # 3 decimals: right


@pytest.mark.parametrize("rounded", [2.2, 2.14, 2.21])
def test_loss_by_hand_asks_for_3_decimals_when_an_answer_is_close(rounded, capsys):
    assert not kt.check("01.loss_by_hand", rounded)
    out = capsys.readouterr().out
    assert "close" in out and "3 decimals" in out and "softmax probability" not in out
    assert not kt.check("01.loss_by_hand", 2.5)
    assert "softmax probability" in capsys.readouterr().out
