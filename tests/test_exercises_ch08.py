"""Chapter 8's checkers, beyond the generic tests: the debug checker rejects the cell's original
bug and each half-fix, the build checker rejects the usual wrong callbacks, and the patience
prediction follows what the runs showed."""

import math
import types

import keras
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch08


def _verdict(key, answer, capsys, **context):
    right = kt.check(key, answer, **context).right
    return right, capsys.readouterr().out


# ---------------------------------------------------------------- 08.early_stopping_bug


def _stopper(**changes):
    arguments = dict(
        monitor="val_sparse_categorical_accuracy", mode="max", patience=2, restore_best_weights=True
    )
    return keras.callbacks.EarlyStopping(**{**arguments, **changes})


def test_the_tiny_run_has_a_best_epoch_then_a_stop():
    """The debug check's run must be able to tell the modes apart: accuracy rises, then falls."""
    facts = ch08._early_stopping_run(_stopper())
    accuracy = facts["accuracy"]
    assert facts["best"] >= 2 and accuracy[facts["best"] - 1] > accuracy[0] + 0.1
    assert facts["ran"] == facts["best"] + 2 < 12  # it really stopped, 2 epochs after the best
    assert math.isclose(facts["kept"], max(accuracy), abs_tol=1e-6)


@pytest.mark.parametrize(
    "changes, says",
    [
        ({"monitor": "val_accuracy", "mode": "min"}, "as the cell gives it"),  # untouched
        ({"monitor": "val_accuracy", "mode": "min", "patience": 3}, "never logs"),
        ({"monitor": "val_accuracy"}, "never logs"),  # only the mode fixed
        ({"mode": "min"}, "which way is better"),  # only the name fixed
        ({"monitor": "sparse_categorical_accuracy"}, "training images"),
        ({"monitor": "val_loss", "mode": "auto"}, "validation accuracy"),
        ({"patience": 5}, "patience 2"),
        ({"restore_best_weights": False}, "restore_best_weights"),
        ({"start_from_epoch": 6}, "while epoch 5 had reached"),
    ],
)
def test_the_debug_checker_rejects_the_bug_and_half_fixes(changes, says, capsys):
    right, out = _verdict("08.early_stopping_bug", _stopper(**changes), capsys)
    assert not right and says in out, out


def test_the_debug_checker_accepts_auto_mode(capsys):
    right, out = _verdict("08.early_stopping_bug", _stopper(mode="auto"), capsys)
    assert right, out


def test_the_buggy_cell_is_refused_without_training(capsys, monkeypatch):
    """The committed cell is checked by nbval: its verdict must come before any fit."""
    monkeypatch.setattr(ch08, "_tiny_model", lambda *a, **k: pytest.fail("trained"))
    right, out = _verdict("08.early_stopping_bug", _stopper(monitor="val_accuracy"), capsys)
    assert not right and "never logs" in out


# ---------------------------------------------------------------- 08.stop_on_nan


class _Right(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.stopped_at = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if not math.isfinite(logs["loss"]):
            self.stopped_at = [self.epoch, batch]  # a list is fine too
            self.model.stop_training = True


class _FlagOnCallback(_Right):
    def on_train_batch_end(self, batch, logs=None):
        if not math.isfinite(logs["loss"]):
            self.stopped_at = (self.epoch, batch)
            self.stop_training = True  # the callback's own attribute: fit never reads it


class _BatchOnly(_Right):
    def on_train_batch_end(self, batch, logs=None):
        if not math.isfinite(logs["loss"]):
            self.stopped_at = (0, batch)  # the epoch is not known to a batch hook
            self.model.stop_training = True


class _NoReset(_Right):
    def on_train_begin(self, logs=None):
        pass


class _StopsOnLargeLoss(_Right):
    def on_train_batch_end(self, batch, logs=None):
        if logs["loss"] > 0.5:
            self.stopped_at = (self.epoch, batch)
            self.model.stop_training = True


class _NanOnly(_Right):
    def on_train_batch_end(self, batch, logs=None):
        if math.isnan(logs["loss"]):  # lets an infinite loss through
            self.stopped_at = (self.epoch, batch)
            self.model.stop_training = True


class _Raises(_Right):
    def on_train_batch_end(self, batch, logs=None):
        raise RuntimeError("broken hook")


def test_the_build_checker_accepts_a_right_callback(capsys):
    right, out = _verdict("08.stop_on_nan", _Right, capsys)
    assert right, out


@pytest.mark.parametrize(
    "answer, says",
    [
        (_FlagOnCallback, "never stopped"),
        (_BatchOnly, "recorded stopped_at = (0, 2)"),
        (_NoReset, "no stopped_at attribute"),
        (_StopsOnLargeLoss, "stayed finite"),
        (_Raises, "RuntimeError: broken hook"),
        (_NanOnly, "not on an infinite loss"),
        (keras.callbacks.TerminateOnNaN, "TerminateOnNaN"),
        (_Right(), "the class itself"),
        (keras.callbacks.History, "no stopped_at attribute"),
    ],
)
def test_the_build_checker_names_the_mistake(answer, says, capsys):
    right, out = _verdict("08.stop_on_nan", answer, capsys)
    assert not right and says in out, out


def test_the_nan_run_breaks_where_the_prompt_says():
    """The check's NaN arrives in epoch 1, batch 2 (from 0), and the loss stays NaN after it."""
    losses = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            losses.append(logs["loss"])

    model = ch08._tiny_model(hidden=False)
    model.fit(
        ch08._batches(8),
        steps_per_epoch=6,
        epochs=3,
        shuffle=False,
        verbose=0,
        callbacks=[Record()],
    )
    assert np.isfinite(losses[:8]).all() and np.isnan(losses[8:]).all()


# ---------------------------------------------------------------- 08.patience


def _experiment(kept_0, kept_8):
    results = {
        0: {"ran": 6, "kept_epoch": 5, "kept_val_loss": kept_0},
        8: {"ran": 15, "kept_epoch": 7 if kept_8 < kept_0 else 5, "kept_val_loss": kept_8},
    }
    return types.SimpleNamespace(results=results)


@pytest.mark.parametrize(
    "kept_0, kept_8, right_pick",
    [(0.51, 0.46, "lower"), (0.51, 0.51, "the same"), (0.51, 0.51 + 1e-6, "the same")],
)
def test_the_prediction_is_compared_with_the_runs(kept_0, kept_8, right_pick, capsys):
    experiment = _experiment(kept_0, kept_8)
    for pick in ("lower", "the same", "higher"):
        right, out = _verdict("08.patience", pick, capsys, experiment=experiment)
        assert right == (pick == right_pick), (pick, out)
        assert f"{kept_0:.3f}" in out  # the run's evidence, whichever the pick


def test_a_wrong_prediction_gets_the_numbers_not_the_conclusion(capsys):
    experiment = _experiment(0.5076, 0.4551)
    for pick in ("the same", "higher"):
        right, out = _verdict("08.patience", pick, capsys, experiment=experiment)
        assert not right and "0.5076" in out and "0.4551" in out, out
        assert "cannot happen" not in out and "later epoch" not in out, out


@pytest.mark.parametrize(
    "answer, says", [(7, "finished before the crash"), (8, "older than"), (300, "steps")]
)
def test_the_resume_mistakes_are_named(answer, says, capsys):
    right, out = _verdict("08.initial_epoch", answer, capsys)
    assert not right and says in out, out


def test_the_prediction_runs_a_missing_value():
    ran = []
    experiment = kt.KnobExperiment(
        run=lambda p: ran.append(p) or {"ran": 6 + p, "kept_epoch": 5, "kept_val_loss": 0.5},
        draw=lambda ax, results, value: None,
        values=[0, 8],
    )
    assert kt.check("08.patience", "the same", experiment=experiment).right
    assert ran == [0, 8]


def test_the_prediction_needs_the_experiment(capsys):
    right, out = _verdict("08.patience", "lower", capsys)
    assert not right and "experiment=experiment" in out
