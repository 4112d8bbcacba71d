"""Chapter 6's exercises: a class weight's trade, a mask's arithmetic, a misaligned weighted
dataset to fix, and per-sample weights to build from class weights."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from kerastutor.exercises.engine import Exercise, the_experiment
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import Case, Property, callable_on, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 06.weight_trade (predict)

#: The guided experiment's options: how the validation recall and precision of the weighted
#: class move between the smallest and the largest weight of the knob.
_TRADES = {
    "both rise": (
        N_("the weight found more 5s and raised fewer false alarms at once."),
        N_(
            "that would make the weight free: more 5s found and fewer false alarms at once. A "
            "weight only moves the line between calling an image 5 or not."
        ),
    ),
    "recall rises more than precision falls": (
        N_("most of what the weight added were true 5s."),
        N_("that says most of the images the weight turns into 5s are true 5s."),
    ),
    "precision falls more than recall rises": (
        N_(
            "recall was already high at weight 1, so few 5s were left to find, while each step "
            "up in the weight turns more 3s, 8s and other look-alikes into 5s: the false alarms "
            "grow faster than the finds. Past the first steps, more weight buys almost nothing."
        ),
        N_("that says the false alarms grow faster than the finds."),
    ),
    "recall falls": (
        N_("the model found fewer 5s as a mistake on a 5 cost more."),
        N_(
            "that says the model calls fewer images 5 when a mistake on a 5 costs more, the "
            "opposite of what a weight in the loss pushes towards."
        ),
    ),
}


def _trade_ends(context) -> tuple:
    """(low, high, result at low, result at high) of the experiment, running an end if needed."""
    experiment = the_experiment(context, "06.weight_trade", needs=())
    low, high = min(experiment.values), max(experiment.values)
    return low, high, experiment.result(low), experiment.result(high)


def _trade_seen(context) -> str:
    """The option the run showed."""
    _low, _high, start, end = _trade_ends(context)
    gained = end["recall"] - start["recall"]
    lost = start["precision"] - end["precision"]
    if gained <= 0:
        return "recall falls"
    if lost < 0:
        return "both rise"
    return (
        "recall rises more than precision falls"
        if gained >= lost
        else ("precision falls more than recall rises")
    )


def _trade_says(pick: str, context) -> str:
    said_if_right, said_if_wrong = _TRADES[pick]
    return _(said_if_right if pick == _trade_seen(context) else said_if_wrong)


def _trade_evidence(pick: str, context) -> str:
    low, high, start, end = _trade_ends(context)
    return _(
        "In the run, from weight {low:g} to {high:g}, the validation recall of 5s went "
        "{recall_low:.3f} → {recall_high:.3f} ({recall_change:+.3f}) "
        "and their precision {precision_low:.3f} → {precision_high:.3f} "
        "({precision_change:+.3f})."
    ).format(
        low=low,
        high=high,
        recall_low=start["recall"],
        recall_high=end["recall"],
        recall_change=end["recall"] - start["recall"],
        precision_low=start["precision"],
        precision_high=end["precision"],
        precision_change=end["precision"] - start["precision"],
    )


# ---------------------------------------------------------------- 06.mask (recall)


def _reported(weight: float) -> str:
    return _(
        "with a weight of {weight:g} Keras would report (0.9 + 0.3 + 1.2 + {weight:g} × 0.6) / 4"
        " = {reported:.3g}, not 0.6."
    ).format(weight=weight, reported=(2.4 + 0.6 * weight) / 4)


# ---------------------------------------------------------------- 06.aligned (debug)

#: The most samples read from a dataset handed in (an endless one must not fill the memory).
_MAX_SAMPLES = 50_000


def _row_keys(x) -> list[int]:
    """One key per sample: a hash of its pixels (read as float32), so that an image handed back
    by a pipeline can be found among the training images without keeping a copy of either."""
    rows = np.asarray(x, dtype="float32")
    return [hash(row.tobytes()) for row in rows.reshape(len(rows), -1)]


def _read_weighted(answer) -> SimpleNamespace:
    """What a dataset of (x, y, w) yields: a key per image, the labels and the weights, in its
    order; `Malformed` for any other kind of answer."""
    import tensorflow as tf

    if not isinstance(answer, tf.data.Dataset):
        raise _Malformed(
            _("expected a tf.data.Dataset, got {got}").format(got=type(answer).__name__)
        )
    spec = answer.element_spec
    if not isinstance(spec, tuple) or len(spec) != 3:
        parts = len(spec) if isinstance(spec, tuple) else 1
        raise _Malformed(
            _(
                "each element of this dataset has {parts} part(s); fit reads the weights of a "
                "dataset from a third part: (x, y, w)"
            ).format(parts=parts)
        )
    if int(answer.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
        raise _Malformed(_("this dataset never ends (a .repeat()?): give one pass over the data"))
    keys, ys, ws = [], [], []
    for x, y, w in answer.as_numpy_iterator():
        batched = np.ndim(y) > 0
        keys += _row_keys(x if batched else np.asarray(x)[None])
        ys.append(np.reshape(y, -1)), ws.append(np.reshape(w, -1))
        if len(keys) > _MAX_SAMPLES:
            raise _Malformed(
                _(
                    "this dataset goes on past {limit:,} samples: is it endless? Give one "
                    "pass over the data"
                ).format(limit=_MAX_SAMPLES)
            )
    if not keys:
        raise _Malformed(_("this dataset is empty"))
    return SimpleNamespace(keys=keys, y=np.concatenate(ys), w=np.concatenate(ws))


def _origin(data: SimpleNamespace, context) -> np.ndarray:
    """For each sample the dataset yields, its index in the training images (-1: not one)."""
    if not hasattr(data, "origin"):
        try:
            images = context["images"]
            context["labels"], context["weights"]
        except KeyError:
            raise _Malformed(
                _(
                    "pass the training data too: kt.check('06.aligned', answer, images=x_train, "
                    "labels=y_train, weights=sample_weight)"
                )
            ) from None
        where = {key: i for i, key in enumerate(_row_keys(images))}
        data.origin = np.array([where.get(key, -1) for key in data.keys])
    return data.origin


def _every_sample_once(data, context) -> bool:
    origin = _origin(data, context)
    return bool(
        (origin >= 0).all()
        and np.array_equal(np.sort(origin), np.arange(len(origin)))
        and len(origin) == len(context["images"])
    )


def _not_once_says(data, context) -> str:
    origin = _origin(data, context)
    strangers, repeats = int((origin < 0).sum()), len(origin) - len(set(origin[origin >= 0]))
    return _(
        "it yields {count:,} samples for a training set of {size:,} "
        "({strangers:,} images that are not training images, {repeats:,} repeats): one pass "
        "over the training set, every sample once, is wanted."
    ).format(count=len(origin), size=len(context["images"]), strangers=strangers, repeats=repeats)


def _labels_stay(data, context) -> bool:
    return bool(np.array_equal(data.y, np.asarray(context["labels"])[_origin(data, context)]))


def _labels_moved_says(data, context) -> str:
    moved = int((data.y != np.asarray(context["labels"])[_origin(data, context)]).sum())
    return _(
        "{moved:,} of its images carry another image's label: the images and the labels were "
        "separated by the shuffle."
    ).format(moved=moved)


def _weights_stay(data, context) -> bool:
    wanted = np.asarray(context["weights"], dtype="float64")[_origin(data, context)]
    return bool(np.allclose(data.w, wanted))


def _weights_moved_says(data, context) -> str:
    wanted = np.asarray(context["weights"], dtype="float64")[_origin(data, context)]
    moved = ~np.isclose(data.w, wanted)
    heavier, lighter = (
        int((moved & (data.w > wanted)).sum()),
        int((moved & (data.w < wanted)).sum()),
    )
    return _(
        "{moved:,} of its {count:,} samples carry another sample's weight "
        "({heavier:,} weigh more than their own, {lighter:,} less): every image keeps its label, "
        "but the weights come in another order than the images they were made for."
    ).format(moved=int(moved.sum()), count=len(moved), heavier=heavier, lighter=lighter)


def _shuffled(data, context) -> bool:
    origin = _origin(data, context)
    return not np.array_equal(origin, np.arange(len(origin)))


# ---------------------------------------------------------------- 06.per_sample (build)


def _per_sample_raw(y, class_weight):
    """Keras's lookup, without the rescaling (a mistake to name)."""
    return np.array([class_weight.get(int(label), 1.0) for label in np.asarray(y)], "float64")


def _per_sample_zero(y, class_weight):
    """A missing class weighing 0 (a mistake to name), rescaled to mean 1."""
    raw = np.array([class_weight.get(int(label), 0.0) for label in np.asarray(y)], "float64")
    return raw / raw.mean() if raw.any() else raw


def _per_sample_sum(y, class_weight):
    """Divided by the sum, not the mean (a mistake to name)."""
    raw = _per_sample_raw(y, class_weight)
    return raw / raw.sum()


_PER_SAMPLE_CASES = [
    Case(
        (np.array([0, 1, 1, 2]), {1: 3.0}),
        np.array([0.5, 1.5, 1.5, 0.5]),
        N_("labels [0, 1, 1, 2] with {1: 3.0}"),
    ),
    Case(
        (np.array([3, 5, 5, 9, 9, 9]), {5: 4.0, 9: 2.0}),
        np.array([0.4, 1.6, 1.6, 0.8, 0.8, 0.8]),
        N_("labels [3, 5, 5, 9, 9, 9] with {5: 4.0, 9: 2.0}"),
    ),
    Case(
        (np.arange(12) % 3, {0: 2.0, 1: 2.0, 2: 2.0}),
        np.ones(12),
        N_("labels 0, 1, 2 repeated, every class weighing 2"),
    ),
    Case(
        (np.array([7, 7, 7, 2]), {2: 2.0}),
        np.array([0.8, 0.8, 0.8, 1.6]),
        N_("labels [7, 7, 7, 2] with {2: 2.0}"),
    ),
    Case((np.array([4, 4]), {}), np.ones(2), N_("labels [4, 4] with an empty dict")),
]


_ALIGNED_SETUP = """\
rng = np.random.default_rng(0)
x_train = rng.random((300, 16)).astype("float32")  # a small stand-in for the training images
y_train = np.arange(300) % 10
sample_weight = np.where(y_train == 5, 4.0, 1.0)
context = {"images": x_train, "labels": y_train, "weights": sample_weight}
"""

_TRADE_SETUP = """\
# The shape of the chapter's run: weight -> validation recall and precision of 5s (real numbers
# of the chapter's run, stored so the set-up stays cheap).
seen = {
    1: {"recall": 0.912, "precision": 0.922, "accuracy": 0.931},
    2: {"recall": 0.945, "precision": 0.872, "accuracy": 0.928},
    5: {"recall": 0.956, "precision": 0.812, "accuracy": 0.919},
    10: {"recall": 0.961, "precision": 0.787, "accuracy": 0.910},
    20: {"recall": 0.961, "precision": 0.725, "accuracy": 0.891},
}
experiment = kt.KnobExperiment(
    run=seen.__getitem__, draw=lambda ax, results, value: None, values=[1, 2, 5, 10, 20]
)
context = {"experiment": experiment}
"""


EXERCISES = [
    Exercise(
        key="06.weight_trade",
        kind="predict",
        prompt=N_(
            "As the class weight of the 5s grows from 1 to 20, how do their validation recall "
            "and precision change? One of 'both rise', 'recall rises more than precision falls', "
            "'precision falls more than recall rises', 'recall falls'."
        ),
        checker=choice(
            {name: _trade_says for name in _TRADES},
            right=_trade_seen,
            explain=_trade_evidence,
        ),
        hints=(
            N_(
                "Recall counts the 5s found; precision counts how many of the images called 5 are "
                "5s. Look at both lines of the plot, at weight 1 and at weight 20."
            ),
            N_(
                "How much room does the recall of 5s have left at weight 1? And do the false "
                "alarms (other digits called 5) stop growing when the weight does?"
            ),
        ),
        solution='answer = "precision falls more than recall rises"',
        wrong='answer = "both rise"',
        setup=_TRADE_SETUP,
    ),
    Exercise(
        key="06.mask",
        kind="recall",
        prompt=N_(
            "Per-sample losses 0.9, 0.3, 1.2, 0.6; the first three weigh 1, and Keras (default "
            "reduction) reports 0.6. What is the weight of the fourth sample?"
        ),
        checker=number(
            0,
            tolerance=1e-6,
            right=N_(
                "Right: (0.9 + 0.3 + 1.2 + 0 × 0.6) / 4 = 0.6. The masked sample adds nothing to "
                "the sum but still counts in N = 4."
            ),
            mistakes=[
                (
                    1,
                    N_(
                        "with weight 1 nothing is weighted: Keras would report the plain mean, "
                        "(0.9 + 0.3 + 1.2 + 0.6) / 4 = 0.75."
                    ),
                ),
            ],
            otherwise=_reported,
        ),
        hints=(
            N_(
                "The default reduction is sum(w_i * loss_i) / N, with N the batch size (here 4), "
                "not the sum of the weights."
            ),
        ),
        solution="answer = 0  # (0.9 + 0.3 + 1.2 + w * 0.6) / 4 = 0.6 gives w = 0",
        wrong="answer = 0.5",
    ),
    Exercise(
        key="06.aligned",
        kind="debug",
        prompt=N_(
            "The cell builds a weighted tf.data pipeline from x_train, y_train and the "
            "sample_weight of section 3 (4 for 5s), shuffled, in batches of 64, and trains on it. "
            "Is every image still weighted by its own label? Fix the pipeline and hand in the "
            "fixed dataset."
        ),
        checker=object_with(
            SimpleNamespace,
            [
                Property(_every_sample_once, _not_once_says),
                Property(_labels_stay, _labels_moved_says),
                Property(_weights_stay, _weights_moved_says),
                Property(
                    _shuffled,
                    N_(
                        "its samples come in the training set's own order: the pipeline should "
                        "shuffle them."
                    ),
                ),
            ],
            right=N_(
                "Right: each image arrives with its own label and its own weight, in a "
                "shuffled order. Shuffling x, y and w as one dataset (or zipping before the "
                "shuffle) keeps the three together; a shuffle applied to part of them separates "
                "them."
            ),
            convert=_read_weighted,
        ),
        hints=(
            N_("In the printed batch, which samples weigh 4? Are they the 5s?"),
            N_(
                "Where in the pipeline does the shuffle happen, and which of x, y and w does it "
                "reorder? Section 4 builds a weighted dataset that stays aligned."
            ),
        ),
        solution=(
            "answer = (\n"
            "    tf.data.Dataset.from_tensor_slices((x_train, y_train, sample_weight))\n"
            "    .shuffle(1000, seed=1)\n"
            "    .batch(64)\n"
            ")"
        ),
        wrong=(
            "images_and_labels = tf.data.Dataset.from_tensor_slices((x_train, y_train))\n"
            "images_and_labels = images_and_labels.shuffle(1000, seed=1)\n"
            "weights_only = tf.data.Dataset.from_tensor_slices(sample_weight)\n"
            "answer = (\n"
            "    tf.data.Dataset.zip(images_and_labels, weights_only)\n"
            "    .map(lambda xy, w: (xy[0], xy[1], w))\n"
            "    .batch(64)\n"
            ")"
        ),
        setup=_ALIGNED_SETUP,
    ),
    Exercise(
        key="06.per_sample",
        kind="build",
        prompt=N_(
            "Write per_sample_weights(y, class_weight): the sample_weight array that does what "
            "class_weight does (each sample weighs its class's weight; a class missing from the "
            "dict weighs 1), rescaled to mean 1 so that the loss keeps its unweighted scale."
        ),
        checker=callable_on(
            _PER_SAMPLE_CASES,
            right=N_(
                "Right: each weight is looked up from the sample's own label, a missing class "
                "weighs 1 as in Keras, and dividing by the mean weight keeps the loss on the scale "
                "of an unweighted one."
            ),
            mistakes=[
                (
                    _per_sample_raw,
                    N_(
                        "these are the weights Keras looks up, but their mean is not 1: "
                        "the loss, and with it every step, would be scaled by the mean weight."
                    ),
                ),
                (
                    _per_sample_zero,
                    N_(
                        "a class missing from the dict weighs 0 here: that masks it "
                        "(section 5). Keras weighs a missing class 1."
                    ),
                ),
                (
                    _per_sample_sum,
                    N_(
                        "these weights add up to 1, so their mean is 1/N: the loss "
                        "would shrink by the number of samples."
                    ),
                ),
            ],
            otherwise=N_("compare it with the weights worked out by hand for these labels."),
        ),
        hints=(
            N_(
                "First the lookup: one weight per label, with a default for a class the dict does "
                "not name (dict.get takes one). Then divide the whole array by one number."
            ),
            N_("Which number makes the mean of the result exactly 1?"),
        ),
        solution=(
            "def per_sample_weights(y, class_weight):\n"
            "    looked_up = np.array([class_weight.get(int(c), 1.0) for c in y], 'float64')\n"
            "    return looked_up / looked_up.mean()\n"
            "\n"
            "\n"
            "answer = per_sample_weights"
        ),
        wrong=(
            "def per_sample_weights(y, class_weight):\n"
            "    return np.array([class_weight.get(int(c), 1.0) for c in y])\n"
            "\n"
            "\n"
            "answer = per_sample_weights"
        ),
    ),
]
