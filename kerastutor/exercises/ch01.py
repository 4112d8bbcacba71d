"""Chapter 1's exercises."""

from __future__ import annotations

import math

import numpy as np

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.factories import as_number as _number

Verdict = tuple[bool, str]
_BY_HAND_LOGITS = (2.0, 0.0, -1.0)  # classes 0, 1, 2; the true class is 1


def _initial_loss(answer, **_) -> Verdict:
    value = _number(answer)
    if abs(value - math.log(100)) < 0.05:
        return True, (
            "Right: about 0.01 for each of 100 classes, so the loss starts near "
            "-ln(0.01) = ln(100) ≈ 4.61 on average."
        )
    if abs(value - math.log(10)) < 0.05:
        return False, "ln(10) ≈ 2.30 is where a 10-class model starts; this one has 100 classes."
    if abs(value - 0.01) < 0.005:
        return False, "0.01 is the probability an untrained model gives each class, not the loss."
    return False, f"{value:g} is not the crossentropy of a near-uniform guess over 100 classes."


def _loss_by_hand(answer, **_) -> Verdict:
    value = _number(answer)
    z = np.array(_BY_HAND_LOGITS)
    log_sum = math.log(float(np.exp(z).sum()))
    right = log_sum - z[1]
    if abs(value - right) < 0.005:
        return True, (
            f"Right: ln(e^2 + e^0 + e^-1) - 0 = {right:.3f}; the softmax gives class 1 only "
            f"p = {math.exp(-right):.3f}."
        )
    if abs(value - math.exp(-right)) < 0.005:
        return False, "that is the probability of the true class; the loss is minus its logarithm."
    if abs(value - (log_sum - z[0])) < 0.005:
        return False, "that is the loss if the true class were 0, the favourite; the image is a 1."
    if value == z[1]:
        return False, "a logit on its own is not a loss: it goes through the softmax first."
    return False, f"{value:g} is not -ln of class 1's softmax probability."


def _loss_for_logits(answer, **_) -> Verdict:
    import keras

    if isinstance(answer, str):
        return False, (
            "a string gives the loss with from_logits=False; this model outputs logits, "
            "so you need a loss object with an argument."
        )
    if not isinstance(answer, keras.losses.SparseCategoricalCrossentropy):
        return False, f"{type(answer).__name__} does not fit integer labels 0-9 and 10 logits."
    if not answer.get_config().get("from_logits"):
        return False, "right loss, but it would treat the logits as probabilities."
    return True, "Right: integer labels, and from_logits=True applies the softmax inside the loss."


EXERCISES = [
    Exercise(
        key="01.initial_loss",
        kind="recall",
        prompt="An untrained classifier for 100 classes, built like the quickstart model (small "
        "initial weights, logits, from_logits=True): about what loss does it report before "
        "any training? Give a number.",
        checker=_initial_loss,
        hints=(
            "Crossentropy is -ln(probability of the true class); what probability does a model "
            "that knows nothing give each of 100 classes?",
        ),
        solution="import math\nanswer = -math.log(1 / 100)  # ≈ 4.605",
        wrong="answer = math.log(10)",
    ),
    Exercise(
        key="01.loss_by_hand",
        kind="recall",
        prompt="An image of a 1 gets the logits (2.0, 0.0, -1.0) for the classes 0, 1 and 2. What "
        "is its cross-entropy loss? Give a number.",
        checker=_loss_by_hand,
        hints=(
            "Softmax the logits, then take -ln of the true class's probability; or compute "
            "ln(sum of e^z) - z for the true class.",
        ),
        solution="z = np.array([2.0, 0.0, -1.0])\n"
        "answer = float(np.log(np.exp(z).sum()) - z[1])  # ≈ 2.170",
        wrong="answer = 0.1142",
    ),
    Exercise(
        key="01.loss_for_logits",
        kind="recall",
        prompt="Which loss object fits a model that ends in Dense(10) with no activation and "
        "integer labels 0-9?",
        checker=_loss_for_logits,
        hints=("The loss must know that it receives logits.",),
        solution="answer = keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        wrong="answer = keras.losses.SparseCategoricalCrossentropy()",
    ),
]
