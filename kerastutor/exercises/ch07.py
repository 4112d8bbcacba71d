"""Chapter 7's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.engine import bounded as _bounded
from kerastutor.exercises.factories import as_number as _number

Verdict = tuple[bool, str]


def _total_loss(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 1.8) < 1e-6:
        return True, "Right: 2.0 x 0.3 + 1.0 x 1.2 = 1.8."
    if abs(value - 1.5) < 1e-6:
        return False, "1.5 is the unweighted sum."
    return False, f"{value:g} is not the weighted sum of the two losses."


def _input_names(answer, **_) -> Verdict:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise _Malformed(f"expected a list or set of names, got {answer!r}")
    names = set(_bounded(answer, "this answer", limit=100))
    if not all(isinstance(name, str) for name in names):
        raise _Malformed("expected names (strings)")
    if names == {"img_input", "ts_input"}:
        return True, "Right: the names given to the two keras.Input layers."
    if names & {"score_output", "class_output"}:
        return False, "those are output names; they key the targets dict."
    return False, f"{sorted(names)} are not this model's input names."


EXERCISES = [
    Exercise(
        key="07.total_loss",
        kind="recall",
        prompt="loss_weights={'score_output': 2.0, 'class_output': 1.0}; score loss 0.3, "
        "class loss 1.2. What total loss does Keras report?",
        checker=_total_loss,
        hints=("The total is the sum of each output's loss times its weight.",),
        solution="answer = 2.0 * 0.3 + 1.0 * 1.2",
        wrong="answer = 1.5",
    ),
    Exercise(
        key="07.input_names",
        kind="recall",
        prompt="Which keys must the inputs dict passed to fit use for the image + series model?",
        checker=_input_names,
        hints=("Look at the name= of each keras.Input.",),
        solution="answer = ['img_input', 'ts_input']",
        wrong="answer = ['score_output', 'class_output']",
    ),
]
