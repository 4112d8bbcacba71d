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


def _leaks(solution: str, right_answer, text: str) -> list[str]:
    """Pieces of a solution that `text` gives away: a call, subscript or sum in its code of a
    dozen characters or more (not a bare name such as `kt.history_to_frame`, which a hint may
    point to), or the right answer's value (a string, or a number written out)."""
    import ast
    import re

    found = []
    for node in ast.walk(ast.parse(solution)):
        if isinstance(node, (ast.Call, ast.Subscript, ast.BinOp)):
            piece = ast.unparse(node)
            if len(piece) >= 12 and piece.replace(" ", "") in text.replace(" ", ""):
                found.append(piece)
    values = []
    if isinstance(right_answer, str) and len(right_answer) >= 3:
        values.append(re.escape(right_answer))
    elif isinstance(right_answer, (int, float)) and not isinstance(right_answer, bool):
        for written in {f"{right_answer:g}", f"{right_answer:.4g}", f"{right_answer:.3f}"}:
            if len(written) >= 3:
                values.append(r"(?<![\d.])" + re.escape(written) + r"(?![\d])")
    found += [v for v in values if re.search(v, text)]
    return found


def test_the_leak_detector_catches_the_old_best_epoch_hint():
    """The 02.best_epoch hint and solution as they stood before issue 12: the hint was the
    solution's expression, and the old test (solution text in the feedback) passed anyway."""
    old_solution = "answer = int(kt.history_to_frame(history)['val_loss'].idxmin())"
    old_hint = "kt.history_to_frame(history)['val_loss'].idxmin() reads it off the table."
    assert old_solution not in f"Not yet: ... Hint: {old_hint}"  # what the old test checked
    assert _leaks(old_solution, 2, old_hint)


@pytest.mark.parametrize("key", sorted(CASES))
def test_no_hint_or_feedback_gives_the_solution_away(key, capsys):
    exercise = kt.EXERCISES[key]
    kt.check(key, CASES[key][1], history=HISTORY)  # a wrong answer: feedback plus the hint
    feedback = capsys.readouterr().out
    for text in (exercise.hint, feedback):  # the question may state the set-up
        assert not _leaks(exercise.solution, CASES[key][0], text), (key, text)


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
