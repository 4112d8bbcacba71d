"""Chapter 6's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import as_number as _number

Verdict = tuple[bool, str]


def _balanced(answer, **_) -> Verdict:
    if not isinstance(answer, dict) or set(answer) != {0, 1}:
        raise _Malformed(f"expected a dict with the keys 0 and 1, got {answer!r}")
    w0, w1 = _number(answer[0]), _number(answer[1])
    if abs(w0 - 1000 / 1800) < 0.01 and abs(w1 - 5.0) < 0.01:
        return True, "Right: n / (classes x count) gives 1000/1800 ≈ 0.556 and 1000/200 = 5.0."
    if w0 > 0 and abs(w1 / w0 - 9) < 0.05:
        return False, "the ratio 9:1 is right, but the balanced formula gives other values."
    return False, f"with these weights the cats count {900 * w0:g} and the dogs {100 * w1:g}."


def _mask(answer, **_) -> Verdict:
    # Losses 0.9, 0.3, 1.2, 0.6; weights 1, 1, 1, w; Keras reports (2.4 + 0.6 w) / 4 = 0.6.
    value = _number(answer)
    if abs(value) < 1e-9:
        return True, (
            "Right: (0.9 + 0.3 + 1.2 + 0 x 0.6) / 4 = 0.6. The masked sample adds nothing to the "
            "sum but still counts in N = 4."
        )
    reported = (2.4 + 0.6 * value) / 4
    return False, (
        f"with a weight of {value:g} Keras would report (2.4 + 0.6 x {value:g}) / 4 = "
        f"{reported:.3g}, not 0.6."
    )


EXERCISES = [
    Exercise(
        key="06.balanced",
        kind="recall",
        prompt="900 cats (class 0), 100 dogs (class 1): the balanced class_weight dict?",
        checker=_balanced,
        hints=("Balanced weight of a class = n_samples / (n_classes * count of that class).",),
        solution="answer = kt.balanced_class_weight(np.array([0] * 900 + [1] * 100))",
        wrong="answer = {0: 1.0, 1: 9.0}",
    ),
    Exercise(
        key="06.mask",
        kind="recall",
        prompt="Per-sample losses 0.9, 0.3, 1.2, 0.6; the first three weigh 1, and Keras (default "
        "reduction) reports 0.6. What is the weight of the fourth sample?",
        checker=_mask,
        hints=(
            "The default reduction is sum(w_i * loss_i) / N, with N the batch size (here 4), "
            "not the sum of the weights.",
        ),
        solution="answer = 0  # (0.9 + 0.3 + 1.2 + w * 0.6) / 4 = 0.6 gives w = 0",
        wrong="answer = 0.5",
    ),
]
