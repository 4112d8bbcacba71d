"""Chapter 0's exercise: the prediction of its guided experiment, how validation accuracy grows
with the number of training images (each run makes the same 250 weight updates)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kerastutor.exercises.engine import Exercise, Malformed
from kerastutor.exercises.factories import choice

# ---------------------------------------------------------------- 00.more_images (predict)

#: The runs the prediction compares: two doublings at the start, two at the end.
FEW, SOME, MANY, ALL = 250, 1000, 2000, 8000

SAME, LESS, MORE = (
    "each doubling adds the same",
    "each doubling adds less",
    "each doubling adds more",
)


def _validation_accuracy(context: Mapping[str, Any]) -> dict[int, float]:
    """Validation accuracy of the four runs compared, running any the learner has not run."""
    experiment = context.get("experiment")
    if experiment is None or not hasattr(experiment, "results"):
        raise Malformed(
            "pass the experiment too: kt.check('00.more_images', prediction, experiment=experiment)"
        )
    accuracy = {}
    for n in (FEW, SOME, MANY, ALL):
        if n in experiment.results:
            run = experiment.results[n]
        elif hasattr(experiment, "result"):
            try:
                run = experiment.result(n)
            except ValueError:
                raise Malformed(
                    f"this experiment has no run with {n:,} images: pass the experiment of "
                    "this section"
                ) from None
        else:
            raise Malformed(f"this experiment has no run with {n:,} images yet")
        accuracy[n] = float(run["validation"])
    return accuracy


def _gains(context: Mapping[str, Any]) -> tuple[float, float, dict[int, float]]:
    accuracy = _validation_accuracy(context)
    return accuracy[SOME] - accuracy[FEW], accuracy[ALL] - accuracy[MANY], accuracy


def _outcome(context: Mapping[str, Any]) -> str:
    """What the run showed: compare the first two doublings' gain with the last two's."""
    early, late, _ = _gains(context)
    if early > 0 and early > 1.5 * late:
        return LESS
    if late > 0 and late > 1.5 * early:
        return MORE
    return SAME


def _evidence(pick: str, context: Mapping[str, Any]) -> str:
    early, late, accuracy = _gains(context)
    told = (
        f"Your run: from {FEW:,} to {SOME:,} images (two doublings) validation accuracy went "
        f"from {accuracy[FEW]:.3f} to {accuracy[SOME]:.3f}, {100 * early:+.1f} points; from "
        f"{MANY:,} to {ALL:,} (two more doublings) from {accuracy[MANY]:.3f} to "
        f"{accuracy[ALL]:.3f}, {100 * late:+.1f} points."
    )
    if pick == _outcome(context) == LESS:
        told += (
            " The first few hundred images teach the model the shapes of the digits; later "
            "images mostly show it more of what it has seen, so the later doublings buy less."
        )
    return told


_OPTIONS = {
    SAME: (
        "you predicted a straight line on this plot, where each step to the right doubles the "
        "images: every doubling would buy the same number of points."
    ),
    LESS: (
        "you predicted a curve that flattens: each doubling of the images buys fewer points "
        "than the one before."
    ),
    MORE: (
        "you predicted a curve that gets steeper: each doubling would buy more points than the "
        "one before, as if the model only started learning once it had many images."
    ),
}


EXERCISES = [
    Exercise(
        key="00.more_images",
        kind="predict",
        prompt="Every run trains a fresh model with the same 250 weight updates, on 250, 500, "
        "1,000, 2,000, 4,000 or 8,000 different training images. As the images double, does "
        "each doubling add about the same validation accuracy, less each time, or more each "
        'time? Predict one of "each doubling adds the same", "each doubling adds less", '
        '"each doubling adds more".',
        checker=choice(_OPTIONS, _outcome, explain=_evidence),
        hints=(
            "Move the slider to 250, 2,000 and 8,000 as well, then compare how far the "
            "validation accuracy rises over the first two steps of the slider with how far it "
            "rises over the last two.",
            "Each step to the right doubles the images. Is the validation curve a straight line "
            "on this axis, or does it bend, and which way?",
        ),
        solution="# the run's validation accuracy rose far more from 250 to 1,000 images than\n"
        "# from 2,000 to 8,000\n"
        'answer = "each doubling adds less"',
        wrong='answer = "each doubling adds the same"',
        setup=(
            "import types\n"
            "experiment = types.SimpleNamespace(results={\n"
            '    250: {"training": 1.0, "validation": 0.805},\n'
            '    1000: {"training": 0.994, "validation": 0.8905},\n'
            '    2000: {"training": 0.9665, "validation": 0.9155},\n'
            '    8000: {"training": 0.9308, "validation": 0.9305},\n'
            "})\n"
            'context = {"experiment": experiment}'
        ),
    ),
]
