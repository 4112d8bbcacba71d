"""Every exercise: a right answer passes, a wrong one gets a reason, a malformed one a hint."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerastutor as kt

x = np.random.default_rng(0).random((1000, 4), dtype=np.float32)
y = np.arange(1000) % 3


HISTORY = {"val_loss": [0.9, 0.4, 0.5]}

CASES = {
    "01.initial_loss": (math.log(100), math.log(10), "two"),
    "01.loss_by_hand": (2.1698, 0.1142, "two"),
    "01.loss_for_logits": (
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        keras.losses.SparseCategoricalCrossentropy(),
        None,
    ),
    "02.steps_per_epoch": (469, 468, "lots"),
    "02.validation_split": (6000, 2000, 0.75),
    "02.best_epoch": (2, 1, "second"),
    "03.onehot_loss": ("categorical_crossentropy", "sparse_categorical_crossentropy", "crossy"),
    "03.custom_metric": (
        lambda t, p: keras.ops.mean(keras.ops.abs(p)),
        lambda t, p: keras.ops.mean(p),
        42,
    ),
    "03.sum_reduction": (2.0, 0.5, "2"),
    "04.exponential_decay": (0.025, 0.05, [0.025]),
    "04.momentum_optimizer": (
        keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        keras.optimizers.SGD(learning_rate=0.05),
        keras.optimizers.Adam(),
    ),
    "04.piecewise": (0.01, 0.1, None),
    "05.generator_steps": (32, 31, 31.5),
    "05.pydataset": (
        kt.ArrayPyDataset(x[:100], y[:100], batch_size=16),
        kt.ArrayPyDataset(x[:100], y[:100], batch_size=10),
        list(range(7)),
    ),
    "06.balanced": ({0: 0.5556, 1: 5.0}, {0: 1.0, 1: 9.0}, [0.5, 5.0]),
    "06.mask": (0, 0.5, "zero"),
    "07.total_loss": (1.8, 1.5, None),
    "07.input_names": (["img_input", "ts_input"], {"score_output", "class_output"}, "img_input"),
    "08.initial_epoch": (3, 4, "three"),
    "08.weights_path": ("ckpt/epoch_{epoch:02d}.weights.h5", "ckpt/epoch_{epoch}.h5", 42),
    "09.train_on_batch_calls": (16, 15, 15.6),
    "09.executions": (10, 100, "ten"),
    "10.extension": (".keras", ".h5", 3),
    "10.weights_suffix": (".weights.h5", ".h5", None),
    "05.tf_data": (
        tf.data.Dataset.from_tensor_slices((x, y)).batch(50),
        tf.data.Dataset.from_tensor_slices((x, y)).batch(50, drop_remainder=True),
        (x, y),
    ),
}


def test_every_exercise_has_cases():
    assert set(CASES) == set(kt.EXERCISES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_right_answer(key, capsys):
    assert kt.check(key, CASES[key][0], history=HISTORY).right is True
    assert capsys.readouterr().out.startswith("Right")


@pytest.mark.parametrize("key", sorted(CASES))
def test_wrong_answer_gets_a_reason_and_a_hint(key, capsys):
    assert kt.check(key, CASES[key][1], history=HISTORY).right is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and "Hint: " in out


@pytest.mark.parametrize("key", sorted(CASES))
def test_malformed_answer_never_raises(key, capsys):
    malformed = CASES[key][2]
    assert kt.check(key, malformed, history=HISTORY).right is False
    out = capsys.readouterr().out
    assert out.startswith(("Not yet: ", "Not answered yet.")) and "Hint: " in out


@pytest.mark.parametrize("key", sorted(CASES))
def test_feedback_never_gives_the_solution_away(key, capsys):
    kt.check(key, CASES[key][1], history=HISTORY)
    out = capsys.readouterr().out
    assert kt.EXERCISES[key].solution not in out


def test_solution_on_request(capsys):
    text = kt.solution("02.steps_per_epoch")
    assert "469" in text and "469" in capsys.readouterr().out


def test_best_epoch_needs_the_history(capsys):
    assert not kt.check("02.best_epoch", 2)
    assert "history=history" in capsys.readouterr().out


def test_unknown_exercise_lists_the_keys():
    with pytest.raises(KeyError, match="02.steps_per_epoch"):
        kt.check("99.nothing", 1)


def test_each_chapter_has_two_or_three():
    for chapter in range(1, 11):
        assert 2 <= len(kt.exercises_for(chapter)) <= 3


def test_expect_error_reports_the_error(capsys):
    with kt.expect_error(TypeError, match="unexpected keyword") as caught:
        kt.get_compiled_digits_model().fit(x, y, nb_epoch=1)
    assert isinstance(caught["error"], TypeError)
    assert capsys.readouterr().out.startswith("Raised as expected: TypeError")


def test_expect_error_fails_when_nothing_is_raised():
    with pytest.raises(AssertionError, match="ran without error"):
        with kt.expect_error(AttributeError):
            pass


def test_expect_error_checks_the_message_and_type():
    with pytest.raises(AssertionError, match="does not match"):
        with kt.expect_error(ValueError, match="something else"):
            raise ValueError("boom")
    with pytest.raises(KeyError):  # another type is not swallowed
        with kt.expect_error(ValueError):
            raise KeyError("x")
