"""The exercise engine treats an answer as untrusted input: no hang, no traceback, no false
"Right" (each case here was a defect found in review)."""

import itertools

import numpy as np
import pytest

import kerastutor as kt
from kerastutor import exercises


def test_an_endless_tf_dataset_is_refused_not_iterated():
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((1000, 3)), np.zeros(1000))).batch(50)
    result = kt.check("05.tf_data", ds.repeat())
    assert not result and "never ends" in result.message


def test_an_endless_dataset_of_unknown_length_is_cut_off():
    tf = pytest.importorskip("tensorflow")

    def forever():
        while True:
            yield np.zeros((50, 3), "float32"), np.zeros(50, "float32")

    ds = tf.data.Dataset.from_generator(
        forever,
        output_signature=(
            tf.TensorSpec((None, 3), tf.float32),
            tf.TensorSpec((None,), tf.float32),
        ),
    )
    result = kt.check("05.tf_data", ds)
    assert not result and "endless" in result.message


def test_an_endless_iterable_answer_is_cut_off():
    result = kt.check("07.input_names", itertools.count())
    assert not result and "past 100 items" in result.message


@pytest.mark.parametrize("wrap", [np.array, np.int64, "tensor"])
def test_a_right_number_as_a_tensor_or_0d_array_is_right(wrap):
    if wrap == "tensor":
        import keras

        wrap = keras.ops.convert_to_tensor
    assert kt.check("08.initial_epoch", wrap(6))


def test_a_checker_that_raises_gives_feedback_not_a_traceback(monkeypatch):
    def broken(answer, **_):
        raise KeyError("boom")

    import dataclasses

    exercise = exercises.EXERCISES["02.steps_per_epoch"]
    monkeypatch.setitem(
        exercises.EXERCISES, "02.steps_per_epoch", dataclasses.replace(exercise, checker=broken)
    )
    result = kt.check("02.steps_per_epoch", 469)
    assert not result and "could not be checked" in result.message and "KeyError" in result.message


def test_each_wrong_attempt_gets_the_next_hint(monkeypatch):
    import dataclasses

    from kerastutor.exercises import engine

    exercise = exercises.EXERCISES["02.steps_per_epoch"]
    hints = ("gentle.", "specific.")
    monkeypatch.setitem(
        exercises.EXERCISES, "02.steps_per_epoch", dataclasses.replace(exercise, hints=hints)
    )
    monkeypatch.setattr(engine, "_attempts", {})
    shown = [kt.check("02.steps_per_epoch", 468).message.split("Hint: ")[1] for _ in range(3)]
    assert shown == ["gentle.", "specific.", "specific."]


def _tensor_of(framework: str, value: float):
    """`value` as a tensor of `framework`, whatever the Keras backend in use."""
    if framework == "tensorflow":
        return pytest.importorskip("tensorflow").constant(value)
    if framework == "jax":
        return pytest.importorskip("jax").numpy.asarray(value)
    torch = pytest.importorskip("torch")
    return torch.tensor(value, requires_grad=True)  # autograd on: `.numpy()` alone refuses it


@pytest.mark.parametrize("framework", ["tensorflow", "jax", "torch"])
def test_a_number_as_any_frameworks_tensor_is_read(framework):
    """A JAX array has no `.numpy()`, a torch tensor with gradients refuses it: both answers
    used to be 'expected a whole number'."""
    from kerastutor.exercises.factories import number

    assert number(3, whole=True)(_tensor_of(framework, 3.0)) == (True, "Right.")
    assert number(0.5)(_tensor_of(framework, 0.5)) == (True, "Right.")


@pytest.mark.parametrize("framework", ["tensorflow", "jax", "torch"])
def test_a_function_returning_any_frameworks_tensor_is_compared(framework):
    from kerastutor.exercises.factories import Case, callable_on

    checker = callable_on([Case(args=(2.0,), expected=4.0)])
    right, why = checker(lambda x: _tensor_of(framework, x * 2))
    assert right, why


def test_a_checker_reads_the_learners_run_or_runs_it_and_names_what_is_missing():
    from kerastutor.exercises.engine import Malformed, experiment_run, the_experiment

    class Experiment:
        def __init__(self):
            self.results = {1: "the learner's run"}

        def result(self, value):
            if value not in (1, 2):
                raise ValueError(f"no value {value}")
            self.results[value] = f"run {value} now"
            return self.results[value]

    experiment = the_experiment({"experiment": Experiment()}, "00.x", needs=("results",))
    messages = {"no_such_run": "no such run", "not_run_yet": "not run yet"}
    assert experiment_run(experiment, 1, **messages) == "the learner's run"
    assert experiment_run(experiment, 2, **messages) == "run 2 now"
    with pytest.raises(Malformed, match="no such run"):
        experiment_run(experiment, 3, **messages)
    results_only = type("ResultsOnly", (), {"results": {}})()
    with pytest.raises(Malformed, match="not run yet"):
        experiment_run(results_only, 1, **messages)
    with pytest.raises(Malformed, match=r"kt.check\('00.x', prediction, experiment=experiment\)"):
        the_experiment({"experiment": results_only}, "00.x")  # it needs `result` by default
