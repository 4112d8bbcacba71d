"""Every exercise of the catalogue: its solution passes its checker, a typical wrong answer
fails with a reason and a hint, a malformed one never raises, and no hint or feedback gives the
solution away."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerastutor as kt
from kerastutor.exercises import CHAPTERS, KINDS

x = np.random.default_rng(0).random((1000, 4), dtype=np.float32)
y = np.arange(1000) % 3

KEYS = sorted(kt.EXERCISES)


def _run(exercise, code: str) -> dict:
    """Run an exercise's set-up, then `code`, as a notebook would: return the namespace."""
    namespace = {"np": np, "math": math, "keras": keras, "tf": tf, "kt": kt}
    exec(compile(exercise.setup, f"<{exercise.key} setup>", "exec"), namespace)
    exec(compile(code, f"<{exercise.key}>", "exec"), namespace)
    assert "answer" in namespace, f"{exercise.key}: the code must set `answer`"
    return namespace


@pytest.fixture(scope="module")
def answers():
    """Each exercise's (right answer, wrong answer, context), computed once."""
    cache = {}

    def get(key):
        if key not in cache:
            exercise = kt.EXERCISES[key]
            right = _run(exercise, exercise.solution)
            wrong = _run(exercise, exercise.wrong)
            cache[key] = (right["answer"], wrong["answer"], right.get("context", {}))
        return cache[key]

    return get


@pytest.mark.parametrize("key", KEYS)
def test_the_solution_passes_its_own_checker(key, answers, capsys):
    right, _, context = answers(key)
    assert kt.check(key, right, **context).right is True
    assert capsys.readouterr().out.startswith("Right")


@pytest.mark.parametrize("key", KEYS)
def test_a_wrong_answer_gets_a_reason_and_a_hint(key, answers, capsys):
    _, wrong, context = answers(key)
    assert kt.check(key, wrong, **context).right is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and "Hint: " in out


@pytest.mark.parametrize("malformed", ["lots", 42, object(), [1, 2], {"a": 1}])
@pytest.mark.parametrize("key", KEYS)
def test_a_malformed_answer_never_raises(key, malformed, answers, capsys):
    _, _, context = answers(key)
    result = kt.check(key, malformed, **context)
    out = capsys.readouterr().out
    assert out.startswith(("Not yet: ", "Right")) and (result.right or "Hint: " in out)


@pytest.mark.parametrize("key", KEYS)
def test_no_answer_yet_repeats_the_prompt(key, capsys):
    assert not kt.check(key, None)
    out = capsys.readouterr().out
    assert out.startswith("Not answered yet.") and kt.EXERCISES[key].prompt in out


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


@pytest.mark.parametrize("key", KEYS)
def test_no_hint_or_feedback_gives_the_solution_away(key, answers, capsys):
    exercise = kt.EXERCISES[key]
    right, wrong, context = answers(key)
    kt.check(key, wrong, **context)  # a wrong answer: feedback plus the hint
    feedback = capsys.readouterr().out
    for text in (*exercise.hints, feedback):  # the prompt may state the set-up
        assert not _leaks(exercise.solution, right, text), (key, text)


def test_every_kind_is_known_and_each_chapter_has_at_most_one_recall():
    for chapter in CHAPTERS:
        kinds = [e.kind for e in kt.exercises_for(chapter)]
        assert set(kinds) <= set(KINDS)
        assert kinds.count("recall") <= 1, (chapter, kinds)


def test_chapters_1_to_10_have_an_exercise_that_is_not_recall():
    for chapter in CHAPTERS[1:]:
        kinds = {e.kind for e in kt.exercises_for(chapter)} - {"recall", "predict"}
        assert kinds, f"chapter {chapter} has only recall or prediction items"


def test_together_the_chapters_cover_the_four_kinds():
    kinds = {e.kind for e in kt.EXERCISES.values()}
    assert {"diagnose", "debug", "build", "experiment"} <= kinds


def test_every_chapter_0_to_10_has_a_guided_experiment_prediction():
    for chapter in CHAPTERS:
        assert any(e.kind == "predict" for e in kt.exercises_for(chapter)), chapter


def test_hints_lists_every_hint(capsys):
    key = KEYS[0]
    assert kt.hint(key) == kt.EXERCISES[key].hints
    assert capsys.readouterr().out.startswith("Hint 1: ")


def test_solution_on_request(capsys):
    text = kt.solution("02.steps_per_epoch")
    assert "469" in text and "469" in capsys.readouterr().out


def test_best_epoch_needs_the_history(capsys):
    assert not kt.check("02.best_epoch", 2)
    assert "history=history" in capsys.readouterr().out


def test_unknown_exercise_lists_the_keys():
    with pytest.raises(KeyError, match="02.steps_per_epoch"):
        kt.check("99.nothing", 1)


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
