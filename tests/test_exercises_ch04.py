"""Chapter 4's exercises beyond the generic tests: the schedule checker names each typical
mistake (and its reference formula is Keras's own warm-up cosine), the range-test prediction is
judged by the run it is given, and the diagnose exercise's run really has a rate too high."""

import math
import types

import keras
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch04

K = keras.ops


class _Schedule(keras.optimizers.schedules.LearningRateSchedule):
    """A base for wrong schedules: the arguments and a right get_config."""

    def __init__(self, peak_rate, warmup_steps, total_steps):
        self.peak_rate = peak_rate
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def get_config(self):
        return {
            "peak_rate": self.peak_rate,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
        }

    def _done(self, step):
        return (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)


class _Right(_Schedule):
    def __call__(self, step):
        step = K.cast(step, "float32")
        cool = self.peak_rate * 0.5 * (1 + K.cos(math.pi * K.clip(self._done(step), 0, 1)))
        return K.where(step < self.warmup_steps, self.peak_rate * step / self.warmup_steps, cool)


class _NoWarmup(_Schedule):
    def __call__(self, step):
        done = K.clip(K.cast(step, "float32") / self.total_steps, 0, 1)
        return self.peak_rate * 0.5 * (1 + K.cos(math.pi * done))


class _NoFloor(_Schedule):
    def __call__(self, step):
        step = K.cast(step, "float32")
        cool = self.peak_rate * 0.5 * (1 + K.cos(math.pi * K.maximum(self._done(step), 0)))
        return K.where(step < self.warmup_steps, self.peak_rate * step / self.warmup_steps, cool)


class _WrittenIn(_Schedule):
    def __call__(self, step):  # the asked-for numbers instead of the arguments
        step = K.cast(step, "float32")
        cool = 0.005 * (1 + K.cos(math.pi * K.clip((step - 100) / 900, 0, 1)))
        return K.where(step < 100, 0.01 * step / 100, cool)


class _NoConfig(_Right):
    get_config = keras.optimizers.schedules.LearningRateSchedule.get_config


class _ConfigReturnsNothing(_Right):
    def get_config(self):
        pass


class _NoCast(_Schedule):
    def __call__(self, step):  # no cast, and no cosine either
        warm = self.peak_rate * step / self.warmup_steps
        return K.where(step < self.warmup_steps, warm, self.peak_rate)


class _PythonMin(_Right):
    def __call__(self, step):  # right numbers; Python's min() reads the step's value
        return min(super().__call__(step), self.peak_rate)


@pytest.mark.parametrize(
    "schedule, says",
    [
        (_NoWarmup, "the warm-up is off"),
        (_NoFloor, "after total_steps it should stay at 0"),
        (_WrittenIn, "numbers written in"),
        (_NoConfig, "NotImplementedError"),
        (_ConfigReturnsNothing, "get_config() returned NoneType"),
        # TensorFlow refuses an int64 step times a float; JAX and torch promote it to float.
        (_NoCast, "TypeError" if kt.backend() == "tensorflow" else "the decay is off"),
        (_PythonMin, "fit compiles it"),
    ],
)
def test_wrong_schedules_are_named(schedule, says, capsys):
    assert not kt.check("04.warmup_cosine", schedule(**ch04.ASKED))
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and says in out, out


def test_a_right_schedule_written_another_way_passes(capsys):
    assert kt.check("04.warmup_cosine", _Right(**ch04.ASKED))
    assert capsys.readouterr().out.startswith("Right")


def test_the_python_if_schedule_works_eagerly_but_fails_when_traced(capsys):
    """The catalogue's wrong answer: right numbers when called, refused when traced, on every
    backend (fit compiles its step on TensorFlow and JAX; on torch the symbolic call says so)."""
    namespace = {"keras": keras, "math": math}
    exec(kt.EXERCISES["04.warmup_cosine"].wrong, namespace)
    wrong = namespace["answer"]
    steps = [0, 50, 100, 550, 1000, 2000]
    assert np.allclose(ch04._rates(wrong, steps), ch04.warmup_cosine(steps, **ch04.ASKED))
    assert not kt.check("04.warmup_cosine", wrong)
    out = capsys.readouterr().out
    assert "fit compiles it" in out and "torch" in out
    # Inside a real fit it fails where fit compiles the step, and trains on eager torch.
    assert ch04._trains_in_fit(wrong) == (kt.backend() == "torch")


def test_the_reference_formula_is_keras_warmup_cosine():
    """The checker's NumPy formula agrees with Keras's CosineDecay with a linear warm-up."""
    peak, warmup, total = ch04.ASKED.values()
    keras_schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=total - warmup, alpha=0.0, warmup_target=peak, warmup_steps=warmup
    )
    steps = [0, 1, 50, 99, 100, 101, 325, 550, 999, 1000, 1500]
    assert np.allclose(
        ch04._rates(keras_schedule, steps), ch04.warmup_cosine(steps, **ch04.ASKED), atol=1e-7
    )


def _experiment(sgd_best, adam_best):
    results = {"SGD": {"best": sgd_best}, "Adam": {"best": adam_best}}
    return types.SimpleNamespace(results=results, result=results.__getitem__)


@pytest.mark.parametrize(
    "sgd_best, adam_best, right",
    [
        (0.45, 0.0095, "much lower"),
        (0.05, 0.01, "a little lower"),
        (0.02, 0.01, "about the same"),
        (0.001, 0.01, "higher"),
    ],
)
def test_the_prediction_is_judged_by_the_run_it_is_given(sgd_best, adam_best, right, capsys):
    experiment = _experiment(sgd_best, adam_best)
    for option in ("higher", "about the same", "a little lower", "much lower"):
        verdict = kt.check("04.range_test", option, experiment=experiment)
        out = capsys.readouterr().out
        assert bool(verdict) == (option == right), (option, out)
        assert f"{sgd_best:.2g}" in out and f"{adam_best:.2g}" in out  # the run's evidence


def test_the_prediction_without_the_experiment_says_what_to_pass(capsys):
    assert not kt.check("04.range_test", "much lower")
    assert "experiment=experiment" in capsys.readouterr().out


def test_the_mystery_run_has_a_learning_rate_too_high():
    """The diagnose exercise's run, on the chapter's data: the training loss itself climbs and
    the validation accuracy falls, which over-fitting or a small rate never do."""
    (x_train, y_train), _ = kt.load_mnist("bundled")
    (x_train, y_train), (x_val, y_val) = kt.split_validation(x_train, y_train, 2000, seed=0)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
    x_val = x_val.reshape(-1, 784).astype("float32") / 255.0
    logs = ch04.mystery_run(x_train, y_train, x_val, y_val).history
    loss, accuracy = logs["loss"], logs["val_sparse_categorical_accuracy"]
    # On every backend (their starting weights differ): measured, the last epoch's loss was
    # 0.22 (torch) to 0.74 (JAX) above the lowest, the validation accuracy 0.09 to 0.34 below
    # its best.
    assert len(loss) == 5 and np.argmin(loss) <= 2 and loss[-1] > loss[0]
    assert loss[-1] > min(loss) + 0.15  # the training loss climbs
    assert accuracy[-1] < max(accuracy) - 0.05  # and validation accuracy falls with it
    if kt.backend() == "tensorflow":
        assert all(abs(a - b) < 0.03 for a, b in zip(loss, [1.439, 1.825, 1.922, 1.946, 2.029]))
