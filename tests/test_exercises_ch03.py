"""Chapter 3's exercises beyond the generic tests: the notebook's buggy loss is rejected and
its one-line fix accepted, the metric checker names each typical mistake, and the threshold
prediction is judged by the run it is given, not by a fixed answer."""

import re
import types
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

import kerastutor as kt

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_losses_and_metrics.ipynb"
K = keras.ops


def _notebook_loss_cell() -> str:
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    (cell,) = [c for c in cells if 'kt.check("03.batch_dependent_loss"' in c.source]
    return cell.source


def _loss_from(source: str):
    definition = source.split("\n\n\n")[0]  # the function, without the symptom and the check
    namespace = {"keras": keras}
    exec(definition, namespace)
    return namespace["crossentropy_from_logits"]


def test_the_notebooks_buggy_loss_is_rejected_and_its_fix_accepted(capsys):
    source = _notebook_loss_cell()
    assert "axis=0" in source
    assert not kt.check("03.batch_dependent_loss", _loss_from(source))
    assert "normalises over the batch" in capsys.readouterr().out
    fixed = source.replace("log_softmax(logits, axis=0)", "log_softmax(logits, axis=-1)")
    assert kt.check("03.batch_dependent_loss", _loss_from(fixed))


@pytest.mark.parametrize(
    "loss, says",
    [
        (lambda y, z: -K.sum(y * K.log(K.softmax(z, axis=-1)), axis=-1), "log of 0"),
        (lambda y, z: keras.losses.categorical_crossentropy(y, z), "from_logits"),
        (lambda y, z: K.mean(-K.sum(y * K.log_softmax(z, axis=-1), axis=-1)), "one value per"),
        (lambda y, z: -K.sum(y * K.log_softmax(z, axis=-1), axis=0), "on a batch of 3"),
    ],
)
def test_other_wrong_losses_are_named(loss, says, capsys):
    assert not kt.check("03.batch_dependent_loss", loss)
    assert says in capsys.readouterr().out


class _Counts(keras.metrics.Metric):
    """A base for wrong metrics: the wrong predictions of a batch, as floats."""

    def __init__(self, name="error_rate", **kwargs):
        super().__init__(name=name, **kwargs)
        self.wrong = self.add_variable(shape=(), initializer="zeros", name="wrong")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    @staticmethod
    def missed(y_true, y_pred):
        return K.cast(K.not_equal(K.argmax(y_pred, axis=-1), K.cast(y_true, "int32")), "float32")

    @staticmethod
    def weights(missed, sample_weight):
        return K.ones_like(missed) if sample_weight is None else K.cast(sample_weight, "float32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        missed = self.missed(y_true, y_pred)
        weight = self.weights(missed, sample_weight)
        self.wrong.assign_add(K.sum(weight * missed))
        self.seen.assign_add(K.sum(weight))

    def result(self):
        return K.divide_no_nan(self.wrong, self.seen)


class _PerSampleCount(_Counts):
    def update_state(self, y_true, y_pred, sample_weight=None):
        missed = self.missed(y_true, y_pred)
        self.wrong.assign_add(K.sum(self.weights(missed, sample_weight) * missed))
        self.seen.assign_add(K.cast(K.shape(missed)[0], "float32"))


class _MeanOfBatches(_Counts):
    def update_state(self, y_true, y_pred, sample_weight=None):
        missed = self.missed(y_true, y_pred)
        weight = self.weights(missed, sample_weight)
        self.wrong.assign_add(K.sum(weight * missed) / K.sum(weight))
        self.seen.assign_add(1.0)


class _Nan(_Counts):
    def result(self):
        return self.wrong / self.seen


class _KeepsState(_Counts):
    def reset_state(self):
        pass


class _Accuracy(_Counts):
    def result(self):
        return 1.0 - K.divide_no_nan(self.wrong, self.seen)


class _NumPy(keras.metrics.Metric):
    def __init__(self, name="error_rate", **kwargs):
        super().__init__(name=name, **kwargs)
        self.wrong, self.seen = 0.0, 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight)
        self.wrong += float(np.sum(w * (y_pred.argmax(-1) != y_true)))
        self.seen += float(np.sum(w))

    def result(self):
        return self.wrong / self.seen if self.seen else 0.0

    def reset_state(self):
        self.wrong, self.seen = 0.0, 0.0


def test_a_right_metric_passes_as_an_instance_or_a_class(capsys):
    assert kt.check("03.error_rate", _Counts())
    assert kt.check("03.error_rate", _Counts)  # a class is made with its defaults
    assert capsys.readouterr().out.count("Right") == 2


@pytest.mark.parametrize(
    "metric, says",
    [
        (_PerSampleCount, "divides the weighted errors by the number of samples"),
        (_MeanOfBatches, "averages the two batches' rates"),
        (_Nan, "nan"),
        (_KeepsState, "after reset_state it still counts"),
        (_Accuracy, "share of right predictions"),
        (_NumPy, "in model.evaluate"),
    ],
)
def test_each_typical_metric_mistake_is_named(metric, says, capsys):
    assert not kt.check("03.error_rate", metric())
    assert says in capsys.readouterr().out


def _experiment(precision_up: bool, recall_up: bool):
    runs = {
        0.5: {"precision": 0.8, "recall": 0.8, "called": 50, "tp": 40, "fp": 10, "fn": 10},
        0.9: {
            "precision": 0.9 if precision_up else 0.7,
            "recall": 0.9 if recall_up else 0.7,
            "called": 30,
            "tp": 27,
            "fp": 3,
            "fn": 23,
        },
    }
    return types.SimpleNamespace(result=runs.__getitem__, results=runs)


@pytest.mark.parametrize(
    "precision_up, recall_up, right",
    [
        (True, False, "precision up, recall down"),
        (False, True, "precision down, recall up"),
        (True, True, "both up"),
        (False, False, "both down"),
    ],
)
def test_the_prediction_is_judged_by_the_run(precision_up, recall_up, right, capsys):
    experiment = _experiment(precision_up, recall_up)
    assert kt.check("03.threshold", right, experiment=experiment)
    out = capsys.readouterr().out
    assert re.search(r"precision 0\.\d{3}, recall 0\.\d{3}", out)  # the run's numbers


def test_the_prediction_needs_the_experiment(capsys):
    assert not kt.check("03.threshold", "both up")
    assert "experiment=experiment" in capsys.readouterr().out


def test_the_sum_reduction_answer_is_what_keras_evaluate_reports(capsys):
    """The recall item's number, from Keras itself: a model that copies its input, an absolute
    error against 0 (so each sample's loss is its input), reduction="sum", batches of 2."""
    from kerastutor.exercises import ch03

    x = np.array(ch03.SUM_LOSSES, dtype="float32")[:, None]
    copier = keras.Sequential([keras.Input((1,)), keras.layers.Identity()])
    copier.compile(loss=keras.losses.MeanAbsoluteError(reduction="sum"))
    reported = copier.evaluate(x, np.zeros_like(x), batch_size=ch03.SUM_BATCH_SIZE, verbose=0)
    assert np.isclose(reported, ch03.SUM_REPORTED)
    assert kt.check("03.sum_reduction", reported)
    copier.compile(loss=keras.losses.MeanAbsoluteError())  # the default: the per-sample mean
    mean = copier.evaluate(x, np.zeros_like(x), batch_size=ch03.SUM_BATCH_SIZE, verbose=0)
    assert not kt.check("03.sum_reduction", mean)
    assert "sum_over_batch_size" in capsys.readouterr().out
