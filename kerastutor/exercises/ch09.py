"""Chapter 9's exercises: a prediction about `steps_per_execution`, a prediction about which
Keras backend finishes a short fit first, a hand-written epoch to build, and a custom
`compute_loss` that ignores class weights to debug (it runs on every backend).

Keras and TensorFlow are imported inside the helpers, so the catalogue stays light.
"""

from __future__ import annotations

import functools

import numpy as np

from kerastutor.exercises.engine import Exercise, the_experiment
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import Property, as_number, choice, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 09.steps_per_execution


def _seconds(context, n: int) -> float:
    """CPU seconds per epoch at `steps_per_execution=n` in the learner's experiment (run if
    needed)."""
    experiment = the_experiment(context, "09.steps_per_execution")
    try:
        return float(experiment.result(n))
    except ValueError as error:
        if "PyTorch" not in str(error):
            raise
        raise _Malformed(
            _(
                "on the PyTorch backend Keras allows only steps_per_execution=1 (each step runs "
                "eagerly), so this experiment needs a TensorFlow or JAX kernel: start JupyterLab "
                "with `kerastutor lab --backend jax` and run the chapter again"
            )
        ) from None


def _speed_outcome(context) -> str:
    """What the run showed, as one of the options: how much faster 32 was than 1."""
    ratio = _seconds(context, 1) / _seconds(context, 32)
    if ratio >= 16:
        return "N times faster"
    if ratio <= 1.1:
        return "no faster"
    return "levels off"


def _speed_evidence(pick, context) -> str:
    one, many = _seconds(context, 1), _seconds(context, 32)
    ratio = one / many
    measured = _(
        "the run measured {one:.3f} CPU seconds per epoch at steps_per_execution=1 and "
        "{many:.3f} at 32: {ratio:.1f} times less."
    ).format(one=one, many=many, ratio=ratio)
    if pick == _speed_outcome(context):
        if pick == "levels off":
            return _(
                "{measured} Far from 32 times: N divides only the trip back to Python after "
                "each call; every batch still has to be computed, and that part stays."
            ).format(measured=measured)
        if pick == "no faster":
            return _(
                "{measured} On this machine the trip back to Python is a negligible part of "
                "a step, so running more batches per call saves almost nothing."
            ).format(measured=measured)
        return _(
            "{measured} Here the trip back to Python was nearly the whole cost of a step."
        ).format(measured=measured)
    if pick == "N times faster":
        return _(
            "{measured} N times faster would be {seconds:.3f} s. That needs every part of a "
            "step to be divided by N, and the model's computation for each batch is not."
        ).format(measured=measured, seconds=one / 32)
    if pick == "no faster":
        return _("{measured} That is a real saving: the time did fall as N grew.").format(
            measured=measured
        )
    return _(
        "{measured} Look at how far that ratio is from both 1 and 32, and at the plot's curve "
        "against the dotted N-times-faster line."
    ).format(measured=measured)


_SPEED_OPTIONS = {
    "N times faster": _speed_evidence,
    "levels off": _speed_evidence,
    "no faster": _speed_evidence,
}

# ---------------------------------------------------------------- 09.backend_race


def _race(context) -> dict:
    """`{backend: seconds for the 2 epochs}` from the learner's race (runs every backend)."""
    experiment = the_experiment(
        context, "09.backend_race", prediction="prediction_backend", name="race"
    )
    totals = {}
    for name in ("tensorflow", "jax", "torch"):
        run = experiment.result(name)
        totals[name] = float(run["first epoch (s)"]) + float(run["second epoch (s)"])
    return totals


def _race_winner(context) -> str:
    totals = _race(context)
    return min(totals, key=totals.get)


def _race_evidence(pick, context) -> str:
    totals = _race(context)
    experiment = context["experiment"]
    run = experiment.result(pick)
    first, second = float(run["first epoch (s)"]), float(run["second epoch (s)"])
    best = min(totals.values())
    if pick == _race_winner(context):
        return _(
            "{pick} took {total:.2f} s for the 2 epochs, the least of the three: "
            "{first:.2f} s for the first epoch (with any tracing or compiling) and "
            "{second:.2f} s for the second. Compare each backend's two epochs in the table: "
            "a compiled step pays once, an eager one on every step."
        ).format(pick=pick, total=totals[pick], first=first, second=second)
    return _(
        "{pick} took {total:.2f} s for the 2 epochs ({first:.2f} s for the first, "
        "{second:.2f} s for the second); another backend needed only {best:.2f} s. Look at "
        "how much of your pick's time went into the first epoch, and at its steady step: is "
        "it paying for compiling that 250 steps do not win back, or for eager steps?"
    ).format(pick=pick, total=totals[pick], first=first, second=second, best=best)


_RACE_OPTIONS = {"tensorflow": _race_evidence, "jax": _race_evidence, "torch": _race_evidence}

# ---------------------------------------------------------------- shared toy problem


def _toy_data(n: int = 220):
    """A small learnable problem: 8 features, 3 classes given by a fixed linear rule."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 3))).argmax(axis=1)
    return x, y


def _toy_model(model_class=None):
    """The same seeded two-layer classifier every time, compiled like chapter 9's models."""
    import keras

    from kerastutor.backends import set_random_seed

    set_random_seed(0)  # without loading TensorFlow on the JAX and PyTorch backends
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    outputs = keras.layers.Dense(3)(hidden)
    model = (model_class or keras.Model)(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.5),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["sparse_categorical_accuracy"],
    )
    return model


def _largest_difference(a: list, b: list) -> float:
    from kerastutor._arrays import to_numpy

    return max(float(np.max(np.abs(to_numpy(u) - to_numpy(v)))) for u, v in zip(a, b))


# ---------------------------------------------------------------- 09.epoch_by_hand

BATCH = 100  # 220 samples: batches of 100, 100 and a last one of 20


def _no_fit_class():
    import keras

    class FitSwitchedOff(keras.Model):
        def fit(self, *args, **kwargs):
            raise RuntimeError(_("this exercise's model has fit switched off: use train_on_batch"))

    return FitSwitchedOff


@functools.lru_cache(maxsize=1)
def _fit_reference():
    """What fit does in one epoch without shuffling: its weights, its loss, and per batch."""
    x, y = _toy_data()
    model = _toy_model()
    loss = model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0).history["loss"]
    short = _toy_model()  # the epoch that forgets the last, partial batch
    batch_losses = []
    for start in range(0, len(x), BATCH):
        logs = short.train_on_batch(x[start : start + BATCH], y[start : start + BATCH])
        batch_losses.append(float(np.ravel(logs)[0]))
        if start == 100:
            skipped_last = short.get_weights()
    return model.get_weights(), float(loss[-1]), skipped_last, float(np.mean(batch_losses))


@functools.lru_cache(maxsize=2)  # deterministic: a fresh seeded model every time
def _run_epoch(function):
    x, y = _toy_data()
    model = _toy_model(_no_fit_class())
    returned = function(model, x, y, BATCH)
    return model.get_weights(), returned


def _same_weights_as_fit(function) -> bool:
    weights, _returned = _run_epoch(function)
    return _largest_difference(weights, _fit_reference()[0]) < 1e-5


def _weights_failure(function) -> str:
    weights, _returned = _run_epoch(function)
    reference, _fit_loss, skipped_last, _plain_mean = _fit_reference()
    if _largest_difference(weights, skipped_last) < 1e-5:
        return _(
            "after your epoch the weights are those of an epoch that never trained on the last "
            "20 of the 220 samples: the last, smaller batch was left out."
        )
    return _(
        "after your epoch the weights differ from those of one epoch of fit without shuffling "
        "(largest difference {difference:.3g}): every sample "
        "should be trained on once, in order, in batches of batch_size."
    ).format(difference=_largest_difference(weights, reference))


def _reports_fits_loss(function) -> bool:
    _weights, returned = _run_epoch(function)
    return abs(as_number(returned) - _fit_reference()[1]) < 1e-4


def _loss_failure(function) -> str:
    _weights, returned = _run_epoch(function)
    _fit_weights, fit_loss, _skipped_last, plain_mean = _fit_reference()
    value = as_number(returned)
    if abs(value - plain_mean) < 1e-4:
        return _(
            "it returned {value:.4f}, the plain mean of the three batch losses. fit reported "
            "{fit_loss:.4f}: it counts each batch as many times as it has samples, and the "
            "last batch holds only 20."
        ).format(value=value, fit_loss=fit_loss)
    return _(
        "it returned {value:.4f}, but fit reported {fit_loss:.4f} for the same epoch: return "
        "the epoch's loss the way fit averages it."
    ).format(value=value, fit_loss=fit_loss)


# ---------------------------------------------------------------- 09.class_weight_step

CLASS_WEIGHT = {0: 1.0, 1: 4.0, 2: 1.0}


def _as_model_class(answer):
    import keras

    if not (isinstance(answer, type) and issubclass(answer, keras.Model)):
        raise _Malformed(
            _("hand in the fixed class itself (a keras.Model subclass), got {got}").format(
                got=type(answer).__name__
            )
        )
    return answer


@functools.lru_cache(maxsize=1)
def _reference_class():
    """The colleague's loss, fixed: the class the checker compares with."""
    import keras

    namespace = {"keras": keras}
    exec(_FIXED_STEP, namespace)
    return namespace["LogitPenalty"]


def _built_in_step(weighted: bool):
    """What the correct loss trains to (the name kept from the train_step version)."""
    return _custom_step(_reference_class(), weighted)[0]


@functools.lru_cache(maxsize=6)  # deterministic: a fresh seeded model every time
def _custom_step(model_class, weighted: bool):
    x, y = _toy_data(200)
    model = _toy_model(model_class)
    history = model.fit(
        x,
        y,
        batch_size=100,
        epochs=1,
        shuffle=False,
        verbose=0,
        class_weight=CLASS_WEIGHT if weighted else None,
    )
    return model.get_weights(), history.history


def _reports_a_loss(model_class) -> bool:
    _weights, logs = _custom_step(model_class, weighted=False)
    return "loss" in logs and logs["loss"][-1] > 0


def _plain_step_matches(model_class) -> bool:
    weights, _logs = _custom_step(model_class, weighted=False)
    return _largest_difference(weights, _built_in_step(False)) < 1e-5


def _weighted_step_matches(model_class) -> bool:
    weights, _logs = _custom_step(model_class, weighted=True)
    return _largest_difference(weights, _built_in_step(True)) < 1e-5


def _weighted_failure(model_class) -> str:
    weights, _logs = _custom_step(model_class, weighted=True)
    if _largest_difference(weights, _built_in_step(False)) < 1e-5:
        return _(
            "with class_weight={class_weight} it ends on exactly the weights of a fit without "
            "class weights: the weights never reach the loss that the gradients come from."
        ).format(class_weight=CLASS_WEIGHT)
    gap = _largest_difference(weights, _built_in_step(True))
    return _(
        "with class_weight={class_weight} its weights differ from the correct loss's by up to "
        "{gap:.3g}: class 1 should count four times in the loss, as it does in fit (and the "
        "penalty should stay as it was)."
    ).format(class_weight=CLASS_WEIGHT, gap=gap)


# ---------------------------------------------------------------- the catalogue

_BUGGY_STEP = """class LogitPenalty(keras.Model):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # The compiled loss, plus a small penalty on large logits.
        loss = super().compute_loss(x=x, y=y, y_pred=y_pred, training=training)
        return loss + 0.01 * keras.ops.mean(keras.ops.square(y_pred))
"""

_FIXED_STEP = _BUGGY_STEP.replace(
    "loss = super().compute_loss(x=x, y=y, y_pred=y_pred, training=training)",
    "loss = super().compute_loss(\n"
    "            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training\n"
    "        )",
)

EXERCISES = [
    Exercise(
        key="09.steps_per_execution",
        kind="predict",
        prompt=N_(
            "Going from steps_per_execution=1 to 32, how does the time per epoch change: "
            "'N times faster' (32 times less), 'levels off' (it falls, but far less than 32 "
            "times), or 'no faster'?"
        ),
        checker=choice(_SPEED_OPTIONS, _speed_outcome),
        hints=(
            N_(
                "A step's time has two parts: computing the model on the batch, and returning to "
                "Python afterwards (callbacks, progress). Which part does running N batches per "
                "call divide by N?"
            ),
            N_(
                "When N is large, the Python part is nearly gone. What is left of an epoch's time, "
                "and does it depend on N?"
            ),
        ),
        solution=(
            "# read the plot: the curve against the dotted N-times-faster line\n"
            "times = {n: experiment.result(n) for n in (1, 32)}\n"
            "ratio = times[1] / times[32]\n"
            "answer = ['no faster', 'levels off', 'N times faster'][(ratio > 1.1) + (ratio >= 16)]"
        ),
        wrong="answer = 'N times faster'",
        setup=(
            "measured = {1: 0.171, 2: 0.134, 8: 0.104, 32: 0.095}  # CPU seconds per epoch\n"
            "experiment = kt.KnobExperiment(run=measured.get, draw=lambda ax, results, value: "
            "None, values=[1, 2, 8, 32], knob='steps_per_execution')\n"
            "context = {'experiment': experiment}"
        ),
    ),
    Exercise(
        key="09.backend_race",
        kind="predict",
        prompt=N_(
            "The same digits MLP, 4,000 images, 2 epochs in batches of 32, on each Keras "
            "backend in a fresh process: which finishes the 2 epochs first on this CPU, "
            "'tensorflow', 'jax' or 'torch'?"
        ),
        checker=choice(_RACE_OPTIONS, _race_winner),
        hints=(
            N_(
                "Two costs make up a fit's time: a one-time cost before the first step runs "
                "(tracing, compiling) and the time of every step after that. Which backends pay "
                "the first, and which pay more for the second?"
            ),
            N_(
                "250 steps is few. Compare each backend's first epoch with its second in the "
                "table: the difference is roughly what compiling cost."
            ),
        ),
        solution=(
            "# read the race: the shortest bar\n"
            "totals = {name: sum(race.result(name)[k] for k in ('first epoch (s)', "
            "'second epoch (s)')) for name in kt.BACKENDS}\n"
            "answer = min(totals, key=totals.get)"
        ),
        wrong="answer = 'tensorflow'",
        setup=(
            "measured = {  # a race where the eager backend finished first\n"
            "    'tensorflow': {'first epoch (s)': 1.62, 'second epoch (s)': 0.31},\n"
            "    'jax': {'first epoch (s)': 1.05, 'second epoch (s)': 0.18},\n"
            "    'torch': {'first epoch (s)': 0.64, 'second epoch (s)': 0.52},\n"
            "}\n"
            "race = kt.KnobExperiment(run=measured.get, draw=lambda ax, results, value: None, "
            "values=list(measured), knob='backend')\n"
            "context = {'experiment': race}"
        ),
    ),
    Exercise(
        key="09.epoch_by_hand",
        kind="build",
        prompt=N_(
            "Write train_epoch(model, x, y, batch_size): one epoch of train_on_batch calls "
            "over every sample, in order (no shuffling), returning the epoch's loss as fit would "
            "report it. The checker runs it on 220 samples with batch_size=100 and compares the "
            "weights and the loss with fit's."
        ),
        checker=object_with(
            "collections.abc.Callable",
            [
                Property(_same_weights_as_fit, _weights_failure),
                Property(_reports_fits_loss, _loss_failure),
            ],
            right=N_(
                "Right: the same weights as fit's epoch, and the same loss: every batch "
                "counted by its number of samples, the last, smaller one included."
            ),
        ),
        hints=(
            N_(
                "Count the batches of 220 samples at batch_size=100: how many, and how large is "
                "the last one?"
            ),
            N_(
                "fit's epoch loss is a mean over samples, not over batches: a batch of 20 counts "
                "for less than a batch of 100."
            ),
        ),
        solution=(
            "def train_epoch(model, x, y, batch_size):\n"
            "    losses, sizes = [], []\n"
            "    for start in range(0, len(x), batch_size):\n"
            "        end = start + batch_size\n"
            "        logs = model.train_on_batch(x[start:end], y[start:end], return_dict=True)\n"
            "        losses.append(logs['loss'])\n"
            "        sizes.append(len(x[start:end]))\n"
            "    return float(np.average(losses, weights=sizes))\n"
            "\n"
            "answer = train_epoch"
        ),
        wrong=(
            "def train_epoch(model, x, y, batch_size):\n"
            "    losses = []\n"
            "    for step in range(len(x) // batch_size):\n"
            "        batch = slice(step * batch_size, (step + 1) * batch_size)\n"
            "        logs = model.train_on_batch(x[batch], y[batch], return_dict=True)\n"
            "        losses.append(logs['loss'])\n"
            "    return float(np.mean(losses))\n"
            "\n"
            "answer = train_epoch"
        ),
    ),
    Exercise(
        key="09.class_weight_step",
        kind="debug",
        prompt=N_(
            "This LogitPenalty model overrides compute_loss to add a penalty on large "
            "logits; it trains and reports its metrics, but fit(..., class_weight=...) trains it "
            "exactly as without class weights. Find the bug, fix the class, and hand in the fixed "
            "class."
        ),
        checker=object_with(
            type,
            [
                Property(
                    _reports_a_loss,
                    N_(
                        "fit with this step logs no positive loss: the loss tracker is not updated."
                    ),
                ),
                Property(
                    _plain_step_matches,
                    N_(
                        "without class weights it already ends on other weights than the correct "
                        "loss: fix only the class weights, keep the penalty as it was."
                    ),
                ),
                Property(_weighted_step_matches, _weighted_failure),
            ],
            right=N_(
                "Right: with class weights your model now ends on the correct weights; class "
                "weights arrive as sample weights, and only the loss turns them into gradients."
            ),
            convert=_as_model_class,
        ),
        hints=(
            N_(
                "What does fit do with class_weight? It does not reach the loss as a dictionary: "
                "Keras looks up each sample's weight from its label. Where does that arrive in "
                "compute_loss's arguments?"
            ),
            N_(
                "Class weights arrive in compute_loss as sample_weight, one weight per sample. "
                "The override receives it and then calls the compiled loss without it: hand it "
                "on to super().compute_loss."
            ),
        ),
        solution=_FIXED_STEP + "\n\nanswer = LogitPenalty",
        wrong=_BUGGY_STEP + "\n\nanswer = LogitPenalty",
    ),
]
