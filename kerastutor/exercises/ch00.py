"""Chapter 0's exercise: the prediction of its guided experiment, how validation accuracy grows
with the number of training images (each run makes the same 250 weight updates)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kerastutor.exercises.engine import Exercise, experiment_run, the_experiment
from kerastutor.exercises.factories import choice
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

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
    experiment = the_experiment(context, "00.more_images", needs=("results",))
    accuracy = {}
    for n in (FEW, SOME, MANY, ALL):
        run = experiment_run(
            experiment,
            n,
            no_such_run=_(
                "this experiment has no run with {n:,} images: pass the experiment of this section"
            ).format(n=n),
            not_run_yet=_("this experiment has no run with {n:,} images yet").format(n=n),
        )
        accuracy[n] = float(run["validation"])
    return accuracy


def _gains(context: Mapping[str, Any]) -> tuple[float, float, dict[int, float]]:
    accuracy = _validation_accuracy(context)
    return accuracy[SOME] - accuracy[FEW], accuracy[ALL] - accuracy[MANY], accuracy


def _outcome(context: Mapping[str, Any]) -> str:
    """What the run showed: compare the first two doublings' gain with the last two's."""
    early, late, _accuracy = _gains(context)
    if early > 0 and early > 1.5 * late:
        return LESS
    if late > 0 and late > 1.5 * early:
        return MORE
    return SAME


def _evidence(pick: str, context: Mapping[str, Any]) -> str:
    early, late, accuracy = _gains(context)
    told = _(
        "Your run: from {few:,} to {some:,} images (two doublings) validation accuracy went "
        "from {acc_few:.3f} to {acc_some:.3f}, {early:+.1f} points; from "
        "{many:,} to {all:,} (two more doublings) from {acc_many:.3f} to "
        "{acc_all:.3f}, {late:+.1f} points."
    ).format(
        few=FEW,
        some=SOME,
        many=MANY,
        all=ALL,
        acc_few=accuracy[FEW],
        acc_some=accuracy[SOME],
        acc_many=accuracy[MANY],
        acc_all=accuracy[ALL],
        early=100 * early,
        late=100 * late,
    )
    if pick == _outcome(context) == LESS:
        told += " " + _(
            "The first few hundred images teach the model the shapes of the digits; later "
            "images mostly show it more of what it has seen, so the later doublings buy less."
        )
    return told


_OPTIONS = {
    SAME: N_(
        "you predicted a straight line on this plot, where each step to the right doubles the "
        "images: every doubling would buy the same number of points."
    ),
    LESS: N_(
        "you predicted a curve that flattens: each doubling of the images buys fewer points "
        "than the one before."
    ),
    MORE: N_(
        "you predicted a curve that gets steeper: each doubling would buy more points than the "
        "one before, as if the model only started learning once it had many images."
    ),
}


EXERCISES = [
    Exercise(
        key="00.more_images",
        kind="predict",
        prompt=N_(
            "Every run trains a fresh model with the same 250 weight updates, on 250, 500, "
            "1,000, 2,000, 4,000 or 8,000 different training images. As the images double, does "
            "each doubling add about the same validation accuracy, less each time, or more each "
            'time? Predict one of "each doubling adds the same", "each doubling adds less", '
            '"each doubling adds more".'
        ),
        checker=choice(_OPTIONS, _outcome, explain=_evidence),
        hints=(
            N_(
                "Move the slider to 250, 2,000 and 8,000 as well, then compare how far the "
                "validation accuracy rises over the first two steps of the slider with how far it "
                "rises over the last two."
            ),
            N_(
                "Each step to the right doubles the images. Is the validation curve a straight "
                "line on this axis, or does it bend, and which way?"
            ),
        ),
        solution="# the run's validation accuracy rose far more from 250 to 1,000 images than\n"
        "# from 2,000 to 8,000\n"
        'answer = "each doubling adds less"',
        wrong='answer = "each doubling adds the same"',
        # The chapter's four runs on TensorFlow (the NumPy-shuffled experiment).
        setup=(
            "import types\n"
            "experiment = types.SimpleNamespace(results={\n"
            '    250: {"training": 1.0, "validation": 0.812},\n'
            '    1000: {"training": 0.992, "validation": 0.882},\n'
            '    2000: {"training": 0.962, "validation": 0.910},\n'
            '    8000: {"training": 0.927, "validation": 0.929},\n'
            "})\n"
            'context = {"experiment": experiment}'
        ),
    ),
]
