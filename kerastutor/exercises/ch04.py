"""Chapter 4's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import as_number as _number

Verdict = tuple[bool, str]


def _exponential_decay(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 0.025) < 1e-9:
        return True, "Right: 0.1 * 0.5 ** (200 / 100) = 0.025."
    if abs(value - 0.05) < 1e-9:
        return False, "that is after one decay period (step 100)."
    return False, f"{value:g} is not 0.1 * 0.5 ** (step / decay_steps) at step 200."


def _momentum_optimizer(answer, **_) -> Verdict:
    import keras

    if isinstance(answer, str):
        return False, "a string gives SGD's defaults: no momentum and learning rate 0.01."
    if not isinstance(answer, keras.optimizers.SGD):
        raise _Malformed(f"expected a keras.optimizers.SGD, got {type(answer).__name__}")
    lr = float(keras.ops.convert_to_numpy(answer.learning_rate))
    if abs(float(answer.momentum) - 0.9) > 1e-6:
        return False, f"momentum is {float(answer.momentum):g}; the exercise asks for 0.9."
    if abs(lr - 0.05) > 1e-7:
        return False, f"learning rate is {lr:g}; the exercise asks for 0.05."
    return True, "Right: SGD(learning_rate=0.05, momentum=0.9)."


def _piecewise(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - 0.01) < 1e-9:
        return True, "Right: step 1500 is past the first boundary (1000) but not the second (2000)."
    if abs(value - 0.1) < 1e-9:
        return False, "0.1 applies only up to step 1000."
    if abs(value - 0.001) < 1e-9:
        return False, "0.001 starts after step 2000."
    return False, f"{value:g} is not one of the schedule's three values."


EXERCISES = [
    Exercise(
        key="04.exponential_decay",
        kind="recall",
        prompt="ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5): what is the learning rate "
        "at step 200?",
        checker=_exponential_decay,
        hints=("Without staircase the rate is initial * decay_rate ** (step / decay_steps).",),
        solution="answer = 0.1 * 0.5 ** (200 / 100)",
        wrong="answer = 0.05",
    ),
    Exercise(
        key="04.momentum_optimizer",
        kind="recall",
        prompt="Build SGD with learning rate 0.05 and momentum 0.9.",
        checker=_momentum_optimizer,
        hints=("Both are arguments of keras.optimizers.SGD.",),
        solution="answer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)",
        wrong="answer = keras.optimizers.SGD(learning_rate=0.05)",
    ),
    Exercise(
        key="04.piecewise",
        kind="recall",
        prompt="PiecewiseConstantDecay(boundaries=[1000, 2000], values=[0.1, 0.01, 0.001]): the "
        "learning rate at step 1500?",
        checker=_piecewise,
        hints=("Each boundary switches to the next value.",),
        solution="answer = 0.01",
        wrong="answer = 0.1",
    ),
]
