"""Chapter 9's exercises beyond the generic tests: the predictions follow the runs they are
given, the hand-written epoch's checker names each way an epoch can differ from fit's, and the
notebook's buggy compute_loss is the one the debug checker rejects (on every backend)."""

import re
from pathlib import Path
from types import SimpleNamespace

import keras
import nbformat
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_under_the_hood.ipynb"


def _code() -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def _timings(seconds: dict):
    return SimpleNamespace(results=dict(seconds), result=seconds.__getitem__)


@pytest.mark.parametrize(
    "seconds, outcome",
    [
        ({1: 0.165, 32: 0.094}, "levels off"),
        ({1: 0.100, 32: 0.098}, "no faster"),  # a machine where the trip to Python is cheap
        ({1: 0.320, 32: 0.012}, "N times faster"),
    ],
)
def test_the_prediction_is_compared_with_the_run(seconds, outcome, capsys):
    experiment = _timings(seconds)
    for option in ("N times faster", "levels off", "no faster"):
        result = kt.check("09.steps_per_execution", option, experiment=experiment)
        out = capsys.readouterr().out
        assert result.right == (option == outcome), (option, out)
        assert f"{seconds[1]:.3f}" in out and f"{seconds[32]:.3f}" in out  # the run's numbers


def test_the_prediction_without_the_experiment_asks_for_it(capsys):
    assert not kt.check("09.steps_per_execution", "levels off")
    assert "experiment=experiment" in capsys.readouterr().out


def _epoch(code: str):
    namespace = {"np": np, "keras": keras}
    exec(code, namespace)
    return namespace["train_epoch"]


PLAIN_MEAN = """
def train_epoch(model, x, y, batch_size):
    losses = []
    for start in range(0, len(x), batch_size):
        logs = model.train_on_batch(x[start:start + batch_size], y[start:start + batch_size],
                                    return_dict=True)
        losses.append(logs["loss"])
    return float(np.mean(losses))
"""

BY_FIT = """
def train_epoch(model, x, y, batch_size):
    return model.fit(x, y, batch_size=batch_size, shuffle=False, verbose=0).history["loss"][-1]
"""

SHUFFLED = """
def train_epoch(model, x, y, batch_size):
    order = np.random.default_rng(1).permutation(len(x))
    losses, sizes = [], []
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        losses.append(model.train_on_batch(x[batch], y[batch], return_dict=True)["loss"])
        sizes.append(len(batch))
    return float(np.average(losses, weights=sizes))
"""


@pytest.mark.parametrize(
    "code, said",
    [
        (PLAIN_MEAN, "plain mean of the three batch losses"),
        (BY_FIT, "fit switched off"),
        (SHUFFLED, "in order"),
        (kt.EXERCISES["09.epoch_by_hand"].wrong.split("answer =")[0], "last, smaller batch"),
    ],
)
def test_the_epoch_checker_names_each_mistake(code, said, capsys):
    assert not kt.check("09.epoch_by_hand", _epoch(code))
    out = capsys.readouterr().out
    assert said in out, out


def test_the_notebook_shows_the_buggy_step_the_checker_rejects(capsys):
    buggy = ch09._BUGGY_STEP.strip()
    assert buggy in _code()
    assert not kt.check("09.class_weight_step", _step(buggy))
    assert "exactly the weights of a fit without class weights" in capsys.readouterr().out


def _step(code: str):
    namespace = {"keras": keras}
    exec(code, namespace)
    return namespace["LogitPenalty"]


def test_the_buggy_loss_is_silent_with_class_weights():
    """The bug must not announce itself: with class weights the loss receives them, and the
    override runs without an error (it does not hand them on)."""
    assert "sample_weight=sample_weight" not in ch09._BUGGY_STEP
    weights, history = ch09._custom_step(_step(ch09._BUGGY_STEP), weighted=True)
    assert history["loss"][-1] > 0
    assert ch09._largest_difference(weights, ch09._built_in_step(False)) < 1e-5


def test_another_way_to_hand_on_the_weights_passes(capsys):
    """The checker tests behaviour: any call that gives the loss the sample weights is right."""
    code = ch09._BUGGY_STEP.replace(
        "loss = super().compute_loss(x=x, y=y, y_pred=y_pred, training=training)",
        "loss = super().compute_loss(x, y, y_pred, sample_weight, training=training)",
    )
    assert code != ch09._BUGGY_STEP
    assert kt.check("09.class_weight_step", _step(code)), capsys.readouterr().out


def test_a_fix_that_drops_the_penalty_is_rejected(capsys):
    code = ch09._FIXED_STEP.replace(
        "return loss + 0.01 * keras.ops.mean(keras.ops.square(y_pred))", "return loss"
    )
    assert code != ch09._FIXED_STEP
    assert not kt.check("09.class_weight_step", _step(code))
    assert "keep the penalty" in capsys.readouterr().out


def _race(seconds: dict):
    runs = {
        name: {"first epoch (s)": first, "second epoch (s)": second}
        for name, (first, second) in seconds.items()
    }
    return SimpleNamespace(results=runs, result=runs.__getitem__)


@pytest.mark.parametrize(
    "seconds, winner",
    [
        ({"tensorflow": (1.6, 0.3), "jax": (1.0, 0.2), "torch": (0.6, 0.5)}, "torch"),
        ({"tensorflow": (1.6, 0.3), "jax": (1.0, 0.2), "torch": (2.6, 2.5)}, "jax"),
        ({"tensorflow": (0.9, 0.3), "jax": (1.4, 0.2), "torch": (2.6, 2.5)}, "tensorflow"),
    ],
)
def test_the_race_prediction_follows_the_run(seconds, winner, capsys):
    race = _race(seconds)
    for option in ("tensorflow", "jax", "torch"):
        result = kt.check("09.backend_race", option, experiment=race)
        out = capsys.readouterr().out
        assert result.right == (option == winner), (option, out)
        total = sum(seconds[option])
        assert f"{total:.2f} s" in out  # the run's own numbers
        if option != winner:
            assert winner not in out.split("Hint")[0]  # never names the right one


def test_the_torch_kernel_is_told_why_steps_per_execution_cannot_run(capsys):
    def refuse(n):
        if n > 1:
            raise ValueError("`steps_per_execution` must be 1 with the PyTorch backend.")
        return 0.1

    experiment = SimpleNamespace(results={}, result=refuse)
    assert not kt.check("09.steps_per_execution", "levels off", experiment=experiment)
    assert "--backend jax" in capsys.readouterr().out


def test_the_notebook_times_with_the_process_clock():
    """The experiment's claim (time falls, far from N-fold) is asserted on CPU time, which
    other programs on the machine do not add to."""
    code = _code()
    assert re.search(r"clock=time\.process_time", code)
    assert "assert seconds[32] < seconds[1]" in code and "assert ratio < 8" in code
