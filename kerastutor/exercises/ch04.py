"""Chapter 4's exercises: where Adam's range test bottoms out against plain SGD's (a guided
experiment), a run whose learning rate is too high (diagnose), a warm-up + cosine
`LearningRateSchedule` (build), and a staircase decay (recall).

`mystery_run` makes the diagnose exercise's run: real, seeded training on the chapter's data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kerastutor.exercises.engine import Exercise, Malformed, the_experiment
from kerastutor.exercises.factories import Property, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 04.range_test (predict)

#: The two optimizers the prediction compares (values of the chapter's range-test knob).
SGD, ADAM = "SGD", "Adam"


def _bottoms(context: Mapping[str, Any]) -> tuple[float, float]:
    """The learning rates at which plain SGD's and Adam's range tests had their lowest loss."""
    experiment = the_experiment(context, "04.range_test")
    try:
        return float(experiment.result(SGD)["best"]), float(experiment.result(ADAM)["best"])
    except (ValueError, KeyError, TypeError):
        raise Malformed(
            _(
                "this experiment has no {sgd!r} and {adam!r} range tests: pass the range-test "
                "experiment of section 7"
            ).format(sgd=SGD, adam=ADAM)
        ) from None


def _adam_against_sgd(context: Mapping[str, Any]) -> str:
    sgd, adam = _bottoms(context)
    ratio = sgd / adam  # how many times lower Adam's bottom is
    if ratio > 10:
        return "much lower"
    if ratio > 3:
        return "a little lower"
    if ratio >= 1 / 3:
        return "about the same"
    return "higher"


def _range_evidence(pick: str, context: Mapping[str, Any]) -> str:
    sgd, adam = _bottoms(context)
    if sgd >= adam:
        apart = _("Adam's bottom is {times:.0f} times to the left of SGD's").format(
            times=sgd / adam
        )
    else:
        apart = _("Adam's bottom is {times:.0f} times to the right of SGD's").format(
            times=adam / sgd
        )
    return _(
        "Your run: plain SGD's smoothed loss was lowest at η ≈ {sgd:.2g}, Adam's at "
        "η ≈ {adam:.2g}; {apart}."
    ).format(sgd=sgd, adam=adam, apart=apart)


_RANGE_OPTIONS = {
    "higher": N_(
        "you expected Adam to need the larger rate. Section 1: SGD's step is η times the "
        "gradient, Adam's about η whatever the gradient's size; is a weight's gradient here "
        "larger or smaller than 1?"
    ),
    "about the same": N_(
        "you expected one number to mean about the same step for both. It does not: SGD's "
        "step is η times the gradient, Adam's is about η."
    ),
    "a little lower": N_(
        "you expected the curves to sit between 3 and 10 times apart, one or less than one "
        "decade on the log axis."
    ),
    "much lower": N_(
        "you expected SGD to need a far larger η for the same step: if the gradients of single "
        "weights are small numbers, SGD's steps at a given η are far shorter than Adam's."
    ),
}


# ---------------------------------------------------------------- 04.diagnose_run (diagnose)


def mystery_run(x_train, y_train, x_val, y_val, epochs: int = 5):
    """The diagnose exercise's run: the digits model trained for `epochs` epochs, seeded.

    What went wrong is the exercise, so its settings are not printed; they are in this
    function's code (read it after you have answered).
    """
    import keras

    from kerastutor.backends import set_random_seed
    from kerastutor.models import get_digits_model

    set_random_seed(0)
    model = get_digits_model()
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.4, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["sparse_categorical_accuracy"],
    )
    return model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=epochs,
        validation_data=(x_val, y_val),
        verbose=0,
    )


def _logs(context: Mapping[str, Any]) -> dict | None:
    history = context.get("history")
    logs = getattr(history, "history", history)
    if isinstance(logs, Mapping) and len(logs.get("loss", ())) >= 2:
        return dict(logs)
    return None


def _training_loss_evidence(context: Mapping[str, Any]) -> str:
    logs = _logs(context)
    if logs is None:
        return _("the training loss (solid line) does not keep falling")
    loss = [float(v) for v in logs["loss"]]
    low = int(np.argmin(loss))
    return _(
        "the training loss was lowest at epoch {epoch} ({lowest:.2f}) and is "
        "{last:.2f} at epoch {epochs}"
    ).format(epoch=low + 1, lowest=loss[low], last=loss[-1], epochs=len(loss))


def _diagnose_right(pick: str, context: Mapping[str, Any]) -> str:
    return _(
        "Right: {evidence}: the model fits its own training images "
        "worse and worse, and the validation curves get worse with it. Over-fitting never makes "
        "the training loss climb; steps too large do: each update throws the weights past the "
        "low ground the last ones had found."
    ).format(evidence=_training_loss_evidence(context))


_DIAGNOSE_OPTIONS = {
    "over-fitting": lambda pick, context: _(
        "over-fitting is a model that fits its training images better and better while the "
        "validation loss turns up. Here {evidence}."
    ).format(evidence=_training_loss_evidence(context)),
    "learning rate too high": _diagnose_right,
    "learning rate too low": lambda pick, context: _(
        "a rate too small makes the training loss fall slowly, but steadily: it does not make "
        "it climb. Here {evidence}."
    ).format(evidence=_training_loss_evidence(context)),
    "nothing went wrong": lambda pick, context: _(
        "a healthy run's training loss keeps falling. Here "
        "{evidence}, and the validation accuracy falls with it."
    ).format(evidence=_training_loss_evidence(context)),
}


# ---------------------------------------------------------------- 04.warmup_cosine (build)

#: The schedule the exercise asks for, and a second one that catches numbers written in.
ASKED = {"peak_rate": 0.01, "warmup_steps": 100, "total_steps": 1000}
OTHER = {"peak_rate": 0.1, "warmup_steps": 10, "total_steps": 50}


def warmup_cosine(step: Any, peak_rate: float, warmup_steps: int, total_steps: int) -> np.ndarray:
    """The asked-for rate at `step` (NumPy): a straight line up, half a cosine down, then 0."""
    t = np.asarray(step, dtype="float64")
    done = np.clip((t - warmup_steps) / (total_steps - warmup_steps), 0.0, 1.0)
    return np.where(
        t < warmup_steps,
        peak_rate * t / warmup_steps,
        peak_rate * 0.5 * (1.0 + np.cos(math.pi * done)),
    )


def _rates(schedule: Any, steps: list[int]) -> np.ndarray:
    """Call a schedule as an optimizer does: the step is an int64 tensor."""
    import keras

    return np.array(
        [
            float(keras.ops.convert_to_numpy(schedule(keras.ops.convert_to_tensor(s, "int64"))))
            for s in steps
        ]
    )


def _follows(steps: list[int], arguments: Mapping[str, float] = ASKED, made=None):
    def test(schedule: Any) -> bool:
        built = made(schedule) if made else schedule
        return np.allclose(
            _rates(built, steps), warmup_cosine(steps, **arguments), rtol=1e-4, atol=1e-7
        )

    return test


def _said(steps: list[int], arguments: Mapping[str, float] = ASKED, made=None):
    def say(schedule: Any) -> str:
        built = made(schedule) if made else schedule
        got = ", ".join(f"{r:.4g}" for r in _rates(built, steps))
        listed = ", ".join(str(s) for s in steps)
        return _("at steps {steps} it gives {rates}").format(steps=listed, rates=got)

    return say


_WARMUP_STEPS = [0, 25, 50, 75]
_COSINE_STEPS = [100, 325, 550, 775, 1000]
_AFTER_STEPS = [1000, 1300, 2000, 5000]
_OTHER_STEPS = [0, 5, 10, 20, 30, 50, 80]


def _rebuilt_with_other_arguments(schedule: Any) -> Any:
    return type(schedule)(**OTHER)


def _rebuilt_from_config(schedule: Any) -> Any:
    config = schedule.get_config()
    if not isinstance(config, dict):
        raise Malformed(
            _("get_config() returned {got}, not a dict").format(got=type(config).__name__)
        )
    return type(schedule).from_config(config)


def _round_trips(schedule: Any) -> bool:
    import keras

    steps = [0, 50, 100, 550, 1000, 1500]
    same = np.allclose(_rates(_rebuilt_from_config(schedule), steps), _rates(schedule, steps))
    keras.optimizers.SGD(learning_rate=schedule).get_config()  # what saving a model calls
    return bool(same)


def _traces(schedule: Any) -> bool:
    """Called with a symbolic step, as a compiled training step calls it: no value to read.

    On TensorFlow and JAX `fit` compiles its step (a `tf.function`, `jax.jit`), and the step
    counter is then a placeholder without a value; on torch `fit` runs eagerly by default, so
    Python's `if` on the step works there. A symbolic `KerasTensor` refuses `bool()` on every
    backend: the same test wherever the learner's kernel runs.
    """
    import keras

    try:
        schedule(keras.KerasTensor((), "int64"))
    except Exception:
        return False
    return True


def _trains_in_fit(schedule: Any) -> bool:
    """Three steps of a real `fit`: the optimizer calls the schedule in its training step."""
    import keras

    x = np.linspace(-1, 1, 24, dtype="float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    try:
        model.fit(x, 2 * x, batch_size=8, epochs=1, verbose=0)
    except Exception:
        return False
    after_three_steps = float(warmup_cosine(3, **ASKED))
    return bool(np.isclose(float(model.optimizer.learning_rate), after_three_steps, rtol=1e-4))


_SCHEDULE_PROPERTIES = [
    Property(
        _follows(_WARMUP_STEPS),
        lambda s: _(
            "the warm-up is off: {said}. It should climb in a straight line "
            "from 0 at step 0 to peak_rate at step warmup_steps."
        ).format(said=_said(_WARMUP_STEPS)(s)),
    ),
    Property(
        _follows(_COSINE_STEPS),
        lambda s: _(
            "the decay is off: {said}. From warmup_steps to total_steps it "
            "should follow half a cosine, from peak_rate down to 0 (half the peak half-way)."
        ).format(said=_said(_COSINE_STEPS)(s)),
    ),
    Property(
        _follows(_AFTER_STEPS),
        lambda s: _(
            "after total_steps it should stay at 0, but {said}: a cosine "
            "climbs again past its trough."
        ).format(said=_said(_AFTER_STEPS)(s)),
    ),
    Property(
        _follows(_OTHER_STEPS, OTHER, _rebuilt_with_other_arguments),
        lambda s: _(
            "built with {other} instead, "
            "{said}: does it use its "
            "arguments everywhere, or numbers written in?"
        ).format(other=OTHER, said=_said(_OTHER_STEPS, OTHER, _rebuilt_with_other_arguments)(s)),
    ),
    Property(
        _round_trips,
        N_(
            "get_config() must return the arguments, so that from_config (and saving a model "
            "whose optimizer uses the schedule) rebuilds the same schedule."
        ),
    ),
    Property(
        _traces,
        N_(
            "it gives the right numbers when you call it with a number, but not when fit compiles "
            "it. On TensorFlow and JAX, fit traces its training step into a graph, and the step "
            "counter is then a symbolic tensor with no value yet: Python's `if`, `min` or the math "
            "module cannot read it (the checker calls your schedule with such a symbolic step). "
            "On the torch backend fit runs eagerly by default, so such code may train there, and "
            "still fail on the other two. Use keras.ops for every operation on the step "
            "(keras.ops.where instead of `if`)."
        ),
    ),
    Property(
        _trains_in_fit,
        N_(
            "it works when you call it, but not inside fit: the optimizer calls it in each "
            "training step with its step counter, an int64 tensor (in a compiled step on "
            "TensorFlow and JAX). Cast the step to float32 and use keras.ops for every operation "
            "on it."
        ),
    ),
]


# ---------------------------------------------------------------- the catalogue

_RANGE_SETUP = """
def _fake_range_test(best):
    rates = np.geomspace(1e-5, 10.0, 250)
    smoothed = 2.3 - 1.8 * np.exp(-np.log(rates / best) ** 2)
    return {"rates": rates, "smoothed": smoothed, "best": best, "pick": best / 10}

_tests = {"SGD": _fake_range_test(0.45), "SGD momentum 0.9": _fake_range_test(0.31),
          "Adam": _fake_range_test(0.0095)}
experiment = kt.KnobExperiment(run=_tests.get, draw=lambda ax, results, value: None,
                               values=list(_tests), knob="optimizer")
context = {"experiment": experiment}
"""

_DIAGNOSE_SETUP = """
history = {"loss": [1.114, 0.926, 1.034, 1.274, 1.282],
           "val_loss": [0.932, 0.903, 0.949, 1.252, 1.301],
           "val_sparse_categorical_accuracy": [0.726, 0.774, 0.738, 0.533, 0.491]}
context = {"history": history}
"""

_SCHEDULE_SOLUTION = """
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, peak_rate, warmup_steps, total_steps):
        self.peak_rate = peak_rate
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        warm = self.peak_rate * step / self.warmup_steps
        done = keras.ops.clip(
            (step - self.warmup_steps) / (self.total_steps - self.warmup_steps), 0.0, 1.0
        )
        cool = self.peak_rate * 0.5 * (1.0 + keras.ops.cos(math.pi * done))
        return keras.ops.where(step < self.warmup_steps, warm, cool)

    def get_config(self):
        return {
            "peak_rate": self.peak_rate,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
        }


answer = WarmupCosine(peak_rate=0.01, warmup_steps=100, total_steps=1000)
"""

_SCHEDULE_WRONG = """
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, peak_rate, warmup_steps, total_steps):
        self.peak_rate = peak_rate
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def __call__(self, step):  # right numbers, but Python's `if` on the step
        step = keras.ops.cast(step, "float32")
        if step < self.warmup_steps:
            return self.peak_rate * step / self.warmup_steps
        if step > self.total_steps:
            return 0.0 * step
        done = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        return self.peak_rate * 0.5 * (1.0 + keras.ops.cos(math.pi * done))

    def get_config(self):
        return {
            "peak_rate": self.peak_rate,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
        }


answer = WarmupCosine(peak_rate=0.01, warmup_steps=100, total_steps=1000)
"""

EXERCISES = [
    Exercise(
        key="04.range_test",
        kind="predict",
        prompt=N_(
            "Where does Adam's range-test curve reach its lowest loss, compared with plain "
            "SGD's: 'higher' (a rate more than 3 times higher), 'about the same' (within a factor "
            "3), 'a little lower' (3 to 10 times lower) or 'much lower' (more than 10 times lower)?"
        ),
        checker=choice(_RANGE_OPTIONS, _adam_against_sgd, explain=_range_evidence),
        hints=(
            N_(
                "Section 1: SGD's step is η times the gradient; Adam's is about η long whatever "
                "the gradient's size."
            ),
            N_(
                "The cell before the question printed the mean size of one weight's gradient. At a "
                "given η, how long is SGD's step next to Adam's, then? Which optimizer needs the "
                "larger η for the same step, and by roughly what factor?"
            ),
        ),
        solution="answer = 'much lower'",
        wrong="answer = 'about the same'",
        setup=_RANGE_SETUP,
    ),
    Exercise(
        key="04.diagnose_run",
        kind="diagnose",
        prompt=N_(
            "What went wrong in this run: 'over-fitting', 'learning rate too high', "
            "'learning rate too low' or 'nothing went wrong'?"
        ),
        checker=choice(_DIAGNOSE_OPTIONS, "learning rate too high"),
        hints=(
            N_("Look at the training loss (solid line) first, then at the validation curves."),
            N_(
                "Over-fitting needs a model that fits its training images better and better. "
                "Does the training loss here keep falling?"
            ),
        ),
        solution="answer = 'learning rate too high'",
        wrong="answer = 'over-fitting'",
        setup=_DIAGNOSE_SETUP,
    ),
    Exercise(
        key="04.warmup_cosine",
        kind="build",
        prompt=N_(
            "Write WarmupCosine(peak_rate, warmup_steps, total_steps), a LearningRateSchedule: "
            "from 0 at step 0 a straight line up to peak_rate at warmup_steps, then half a cosine "
            "down to 0 at total_steps, and 0 after; with get_config. Hand in "
            "WarmupCosine(peak_rate=0.01, warmup_steps=100, total_steps=1000)."
        ),
        checker=object_with(
            "keras.optimizers.schedules.LearningRateSchedule",
            _SCHEDULE_PROPERTIES,
            right=N_(
                "Right: the warm-up, the cosine and the floor at 0 match at every step tried, "
                "with other arguments too; it rebuilds from its config, traces without reading the "
                "step's value, and runs inside fit."
            ),
        ),
        hints=(
            N_(
                "The optimizer calls the schedule with its step counter, an int64 tensor, inside "
                "fit's training step, which TensorFlow and JAX compile (torch runs it eagerly): "
                "cast the step to float32 and use keras.ops throughout, so that it works on all "
                "three."
            ),
            N_(
                "Compute both pieces for every step, then let keras.ops.where choose between them. "
                "For the cosine, the fraction of the decay done, clipped to [0, 1], keeps it at 0 "
                "after total_steps."
            ),
            N_(
                "get_config returns a dict of the three arguments; the base class's from_config "
                "passes it back to __init__."
            ),
        ),
        solution=_SCHEDULE_SOLUTION,
        wrong=_SCHEDULE_WRONG,
    ),
    Exercise(
        key="04.staircase",
        kind="recall",
        prompt=N_(
            "ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True): what is "
            "the learning rate at step 250?"
        ),
        checker=number(
            0.025,
            tolerance=5e-5,
            right=N_(
                "Right: with staircase=True the exponent is floor(250 / 100) = 2, so the rate "
                "has been halved twice: 0.1 · 0.5² = 0.025."
            ),
            mistakes=[
                (
                    0.1 * 0.5 ** (250 / 100),
                    N_(
                        "that is the smooth decay, with exponent 2.5: staircase=True changes the "
                        "exponent."
                    ),
                ),
                (0.05, N_("that is the rate after a single halving, from step 100 on.")),
                (0.0125, N_("that is three halvings: the third comes at step 300.")),
            ],
            otherwise=lambda value: _(
                "{value:g} is not 0.1 times a whole power of 0.5 at step 250: count how many "
                "full periods of 100 steps have passed."
            ).format(value=value),
        ),
        hints=(
            N_("With staircase=True the exponent is rounded down to a whole number of periods."),
        ),
        solution="answer = 0.1 * 0.5 ** (250 // 100)",
        wrong="answer = 0.1 * 0.5 ** (250 / 100)",
    ),
]
