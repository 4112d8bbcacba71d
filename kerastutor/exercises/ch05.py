"""Chapter 5's exercises: the shuffle-buffer experiment, a PyDataset that reshuffles its samples,
and two broken pipelines (a tf.data chain, a generator) to fix.

Every checker runs the learner's object on data of its own, made so that a mistake shows: the
samples are numbered (so a lost, repeated or mismatched sample is seen) and sorted by label (so
a pipeline that does not mix them is seen).
"""

from __future__ import annotations

import itertools
import math
import types

import numpy as np

from kerastutor.exercises.engine import Exercise, the_experiment
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.engine import bounded as _bounded
from kerastutor.exercises.factories import Property, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 05.shuffle_buffer (predict)

#: The shuffle buffers of the chapter's experiment (6,000 training images, sorted by label).
BUFFERS = (1, 100, 1000, 3000, 6000)
#: A run "trains properly" when its last validation accuracy is this close to the best run's.
CLOSE = 0.02
#: A run that misses by less than this (but more than CLOSE) is a near miss: it did learn every
#: digit, only less well.
NEAR = 0.1


def _final_accuracy(experiment, buffer: int) -> float:
    """The validation accuracy a run ended with (running that buffer first if needed)."""
    results = experiment.results
    result = results[buffer] if buffer in results else experiment.result(buffer)
    return float(result["val_accuracy"][-1])


def _accuracies(context) -> dict[int, float]:
    experiment = the_experiment(context, "05.shuffle_buffer", needs=("results",))
    return {buffer: _final_accuracy(experiment, buffer) for buffer in BUFFERS}


def _smallest_good_buffer(context) -> int:
    accuracies = _accuracies(context)
    best = max(accuracies.values())
    return min(b for b, accuracy in accuracies.items() if accuracy >= best - CLOSE)


def _buffer_right(value, context) -> str:
    accuracies = _accuracies(context)
    below = [b for b in BUFFERS if b < value]
    shortfall = ", ".join(f"{b:,}: {accuracies[b]:.3f}" for b in below)
    return _(
        "Right: with a buffer of {value:,} the epoch ended at {accuracy:.3f} validation "
        "accuracy; every smaller buffer fell short ({shortfall}). A buffer draws only from the "
        "next images in the file: with the digits in runs of about 600, a small one hands the "
        "model one or two digits at a time, and it forgets the earlier ones; even half the "
        "file in the buffer leaves the later digits until late in the epoch."
    ).format(value=value, accuracy=accuracies[value], shortfall=shortfall)


def _buffer_wrong(value, context) -> str:
    if value not in BUFFERS:
        return _("{value:,} is not one of the knob's values ({values}).").format(
            value=value, values=", ".join(map(str, BUFFERS))
        )
    accuracies = _accuracies(context)
    best = max(accuracies.values())
    mine = accuracies[value]
    if mine < best - NEAR:
        return _(
            "the run with a buffer of {value:,} ended at {mine:.3f} validation accuracy, "
            "{gap:.3f} below the best run ({best:.3f}): not trained properly. "
            "Its batches came from only the few digits inside the buffer at each moment."
        ).format(value=value, mine=mine, gap=best - mine, best=best)
    if mine < best - CLOSE:
        return _(
            "close, but outside the band: the run with a buffer of {value:,} ended at "
            "{mine:.3f}, {gap:.3f} below the best run ({best:.3f}), where the question "
            "allows {close}. Its buffer starts with the first {value:,} images of the sorted "
            "file, {share:.0%} of it, so the digits further down the file reach its "
            "batches only late in the epoch."
        ).format(
            value=value, mine=mine, gap=best - mine, best=best, close=CLOSE, share=value / 6000
        )
    return _(
        "a buffer of {value:,} did train properly ({mine:.3f}, best {best:.3f}), but a smaller "
        "one did too: look at the curves of the smaller buffers."
    ).format(value=value, mine=mine, best=best)


# ---------------------------------------------------------------- 05.pydataset (build)

_PY_N, _PY_BATCH = 100, 16  # 7 batches: 6 of 16 and a last one of 4


def _numbered(n: int, classes: int = 10):
    """n samples sorted by label; x[i] = [i, label, 0.5], y[i] = label."""
    labels = (np.arange(n) * classes // n).astype("int64")
    images = np.stack([np.arange(n), labels, np.full(n, 0.5)], axis=1).astype("float32")
    return images, labels


def _make_pydataset(answer):
    import keras

    if isinstance(answer, keras.utils.PyDataset):
        raise _Malformed(
            _(
                "this is one {name} object: hand in the class itself "
                "(answer = ShuffledBatches), and the checker makes one on data of its own"
            ).format(name=type(answer).__name__)
        )
    if not (isinstance(answer, type) and issubclass(answer, keras.utils.PyDataset)):
        raise _Malformed(
            _(
                "hand in the class itself (answer = ShuffledBatches), a subclass of "
                "keras.utils.PyDataset; got {got}"
            ).format(got=type(answer).__name__)
        )
    images, labels = _numbered(_PY_N)
    try:
        return answer(images, labels, _PY_BATCH)
    except Exception as exc:
        raise _Malformed(
            _("making one as {name}(images, labels, {batch}) raised {error}: {message}").format(
                name=answer.__name__,
                batch=_PY_BATCH,
                error=type(exc).__name__,
                message=str(exc)[:200],
            )
        ) from None


def _batch(dataset, index: int) -> tuple[np.ndarray, np.ndarray]:
    item = dataset[index]
    if not isinstance(item, tuple) or len(item) != 2:
        raise ValueError(
            _("batch {index} is a {got}, not an (x, y) pair").format(
                index=index, got=type(item).__name__
            )
        )
    return np.asarray(item[0]), np.asarray(item[1])


def _epoch(dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    return [_batch(dataset, i) for i in range(len(dataset))]


def _sample_ids(batches) -> np.ndarray:
    return np.concatenate([x[:, 0] for x, _y in batches]).astype("int64")


def _covers_each_sample_once(dataset) -> bool:
    return sorted(_sample_ids(_epoch(dataset))) == list(range(_PY_N))


def _pairs_kept(dataset) -> bool:
    return all(np.array_equal(x[:, 1].astype("int64"), y) for x, y in _epoch(dataset))


def _shapes(dataset) -> list[tuple]:
    return [(x.shape, y.shape) for x, y in _epoch(dataset)]


def _shapes_right(dataset) -> bool:
    """Batches of (16, 3) images and 16 labels, one of them (the rest) smaller; in any order,
    since a batch order is no mistake."""
    full, last = divmod(_PY_N, _PY_BATCH)
    expected = [((_PY_BATCH, 3), (_PY_BATCH,))] * full + [((last, 3), (last,))]
    return sorted(_shapes(dataset), reverse=True) == expected


def _shapes_failure(dataset) -> str:
    sizes = [(len(x), len(y)) for x, y in _epoch(dataset)]
    first = _shapes(dataset)[0]
    return _(
        "on {n} samples of 3 features in batches of {batch}, its batches hold "
        "(images, labels) = {sizes}, the first of shapes {first}: each batch should hold "
        "{batch} images of 3 features and their {batch} labels, the last one the rest."
    ).format(n=_PY_N, batch=_PY_BATCH, sizes=sizes, first=first)


def _reshuffle_problem(dataset) -> str | None:
    """What goes wrong when on_epoch_end runs, or None: each epoch must still hold every sample
    once, with its own label, and the batches must hold other samples than before (not only
    come in another order)."""
    before = _epoch(dataset)
    groups = {frozenset(x[:, 0].tolist()) for x, _y in before}
    for _pass in range(2):
        dataset.on_epoch_end()
        after = _epoch(dataset)
        if sorted(_sample_ids(after)) != list(range(_PY_N)):
            return _("after on_epoch_end an epoch no longer holds every sample exactly once.")
        if not all(np.array_equal(x[:, 1].astype("int64"), y) for x, y in after):
            return _(
                "after on_epoch_end the labels no longer belong to their images: reorder x and "
                "y by one and the same new order."
            )
        if any(frozenset(x[:, 0].tolist()) not in groups for x, _y in after):
            return None
    if np.array_equal(_sample_ids(before), _sample_ids(after)):
        return _(
            "after on_epoch_end the samples come in the same order as before: every epoch "
            "would see the same batches. on_epoch_end should draw a new order of the samples."
        )
    return _(
        "on_epoch_end reorders whole batches, but the samples inside each batch stay together: "
        "that is all fit's shuffle=True does to any PyDataset already. Draw a new order of "
        "the samples, and cut the batches from it."
    )


_PYDATASET_PROPERTIES = [
    Property(
        lambda d: hasattr(d, "_workers"),
        N_(
            "it never runs PyDataset's own __init__, where workers, use_multiprocessing and "
            "max_queue_size are set (fit would warn): pass the keyword arguments on to the "
            "parent's __init__."
        ),
    ),
    Property(
        lambda d: len(d) == math.ceil(_PY_N / _PY_BATCH),
        lambda d: _(
            "on {n} samples in batches of {batch}, len() is {length}: count the "
            "last, smaller batch too (round up)."
        ).format(n=_PY_N, batch=_PY_BATCH, length=len(d)),
    ),
    Property(_shapes_right, _shapes_failure),
    Property(
        _covers_each_sample_once,
        N_(
            "one epoch (batches 0 to len() - 1) does not hold every sample exactly once: some are "
            "missing or repeated."
        ),
    ),
    Property(
        _pairs_kept,
        N_(
            "the labels no longer belong to their images: x and y must be reordered by the same "
            "permutation."
        ),
    ),
    Property(lambda d: _reshuffle_problem(d) is None, _reshuffle_problem),
]


# ---------------------------------------------------------------- 05.tf_data (debug)

_TF_N, _TF_BATCH = 3000, 64  # 300 samples of each of 10 labels, sorted; 47 batches


def _length_problem(dataset, what: str) -> str | None:
    import tensorflow as tf

    cardinality = int(dataset.cardinality())
    if cardinality == int(tf.data.INFINITE_CARDINALITY):
        return _(
            "{what} never ends (a .repeat() without a count): make one epoch; fit's epochs= "
            "repeats it, and a validation pass over an endless set would never finish."
        ).format(what=what)
    if cardinality == int(tf.data.UNKNOWN_CARDINALITY):
        return _("{what} has no known length: is it endless?").format(what=what)
    return None


def _run_pipeline(answer):
    """Call the learner's make_train_ds on sorted, numbered data; read two epochs of it."""
    import tensorflow as tf

    if isinstance(answer, tf.data.Dataset):  # a data set instead of the function that makes it
        problem = _length_problem(answer, _("this data set"))
        advice = _(
            "hand in the function make_train_ds itself, not a data set it made: the checker "
            "calls it on data of its own"
        )
        raise _Malformed(
            _("{problem} Also, {advice}").format(problem=problem, advice=advice)
            if problem
            else advice
        )
    if not callable(answer):
        raise _Malformed(
            _("expected the function make_train_ds, got {got}").format(got=type(answer).__name__)
        )
    images, labels = _numbered(_TF_N)
    images = images[:, :2]  # [number, label]
    try:
        dataset = answer(images, labels)
    except Exception as exc:
        raise _Malformed(
            _("calling it on {n} samples raised {error}: {message}").format(
                n=_TF_N, error=type(exc).__name__, message=str(exc)[:200]
            )
        ) from None
    if not isinstance(dataset, tf.data.Dataset):
        raise _Malformed(
            _("it should return a tf.data.Dataset, not a {got}").format(got=type(dataset).__name__)
        )
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise _Malformed(_("each element of its data set should be an (images, labels) pair"))
    if int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
        raise _Malformed(_length_problem(dataset, _("the data set it returns")))
    epochs = []
    for _pass in range(2):
        # One pass is 47 batches of 64 (3,000 batches even of 1 sample): more means endless.
        batches = _bounded(dataset, _("the data set it returns"), limit=_TF_N)
        epochs.append([(np.asarray(x), np.asarray(y)) for x, y in batches])
    return types.SimpleNamespace(epochs=epochs)


def _tf_ids(batches) -> list[int]:
    return [int(i) for x, _y in batches for i in np.reshape(x, (len(x), -1))[:, 0]]


def _tf_sizes(run) -> list[int]:
    return [len(x) for x, _y in run.epochs[0]]


def _tf_sizes_right(run) -> bool:
    """Batches of 64 and one with the rest, in any order (a batch order is no mistake)."""
    full, last = divmod(_TF_N, _TF_BATCH)
    return sorted(_tf_sizes(run), reverse=True) == [_TF_BATCH] * full + [last] * (last > 0)


def _digits(run) -> list[int]:
    """How many different digits each batch of the first pass holds."""
    return [len(np.unique(y)) for _, y in run.epochs[0]]


def _mixing_failure(run) -> str:
    digits = _digits(run)
    message = _(
        "on {n:,} samples sorted by label (300 of each of 10 digits) its batches hold "
        "{mean:.1f} different digits on average, and as few as {fewest}, where "
        "a well-mixed batch of 64 holds nearly all 10. The model would learn a few digits at a "
        "time and forget the rest, as in the shuffle-buffer experiment."
    ).format(n=_TF_N, mean=np.mean(digits), fewest=min(digits))
    if min(digits) > 1:
        message += " " + _(
            "The mixing reaches only part of the data: how far can a shuffle look ahead?"
        )
    return message


_TF_DATA_PROPERTIES = [
    Property(
        lambda run: sorted(_tf_ids(run.epochs[0])) == list(range(_TF_N)),
        lambda run: _(
            "one pass over its data set yields {count:,} samples "
            "for {n:,} given: one epoch should hold each sample once."
        ).format(count=len(_tf_ids(run.epochs[0])), n=_TF_N),
    ),
    Property(
        lambda run: all(
            np.array_equal(np.reshape(x, (len(x), -1))[:, 1], y) for x, y in run.epochs[0]
        ),
        N_("its labels no longer belong to their images."),
    ),
    Property(
        _tf_sizes_right,
        lambda run: _(
            "its batches hold {sizes} samples: batches of "
            "{batch}, and one with the rest, were asked for."
        ).format(sizes=sorted(set(_tf_sizes(run))), batch=_TF_BATCH),
    ),
    # A full shuffle of 3,000 sorted samples puts 9 or 10 digits in every batch (a batch of 64
    # misses two given digits with probability 0.8^64 < 1e-6); a buffer of 1,000 leaves 4.
    Property(lambda run: min(_digits(run)) >= 8, _mixing_failure),
    Property(
        lambda run: _tf_ids(run.epochs[0]) != _tf_ids(run.epochs[1]),
        N_(
            "two passes over its data set come in the same order: every epoch would see the same "
            "batches. Let the shuffle draw a new order each pass."
        ),
    ),
]


# ---------------------------------------------------------------- 05.generator (debug)

_GEN_N, _GEN_BATCH = 100, 16  # 7 batches a pass: 6 of 16 and a last one of 4
_GEN_PASSES = 3


def _run_generator(answer):
    """Call the learner's generator function; take three passes' worth of batches (at most)."""
    if not callable(answer):
        raise _Malformed(
            _("expected the generator function batches, got {got}").format(
                got=type(answer).__name__
            )
        )
    images, labels = _numbered(_GEN_N)
    try:
        stream = answer(images, labels, _GEN_BATCH)
        iter(stream)
    except Exception as exc:
        raise _Malformed(
            _("calling it as batches(images, labels, {batch}) raised {error}: {message}").format(
                batch=_GEN_BATCH, error=type(exc).__name__, message=str(exc)[:200]
            )
        ) from None
    per_pass = math.ceil(_GEN_N / _GEN_BATCH)
    taken = []
    for item in itertools.islice(stream, per_pass * _GEN_PASSES):  # bounded: never hangs
        if not isinstance(item, tuple) or len(item) != 2:
            raise _Malformed(
                _("it yields a {got}, not an (x, y) pair").format(got=type(item).__name__)
            )
        taken.append((np.asarray(item[0]), np.asarray(item[1])))
    return taken


def _gen_ids(taken) -> list[int]:
    return [int(i) for x, _y in taken for i in np.reshape(x, (len(x), -1))[:, 0]]


def _gen_sizes(taken) -> list[int]:
    return [len(x) for x, _y in taken]


def _whole_passes(taken) -> bool:
    """The samples it yields, cut into runs of 100, are each a pass: every sample once."""
    ids = _gen_ids(taken)
    runs = [ids[i : i + _GEN_N] for i in range(0, len(ids) - _GEN_N + 1, _GEN_N)]
    return len(runs) == _GEN_PASSES and all(sorted(r) == list(range(_GEN_N)) for r in runs)


_GENERATOR_PROPERTIES = [
    Property(
        lambda taken: len(taken) == _GEN_PASSES * math.ceil(_GEN_N / _GEN_BATCH),
        lambda taken: _(
            "on {n} samples in batches of {batch} it stopped after {count} "
            "batches. fit keeps pulling from the same generator, epoch after epoch, so after "
            "the first pass it would run out of data."
        ).format(n=_GEN_N, batch=_GEN_BATCH, count=len(taken)),
    ),
    Property(
        lambda taken: all(len(x) == len(y) for x, y in taken),
        N_("some of its batches hold a different number of images and labels."),
    ),
    Property(
        _whole_passes,
        lambda taken: _(
            "the samples it yields, taken {n} at a time, are not each of the {n} "
            "once (its batches hold {sizes}...): a pass skips or repeats some "
            "before the next pass starts. Which samples does the loop over the starts of the "
            "batches never reach?"
        ).format(n=_GEN_N, sizes=_gen_sizes(taken)[:8]),
    ),
    Property(
        lambda taken: (
            _gen_sizes(taken)[: math.ceil(_GEN_N / _GEN_BATCH)]
            == [_GEN_BATCH] * (_GEN_N // _GEN_BATCH) + [_GEN_N % _GEN_BATCH]
        ),
        lambda taken: _(
            "a pass over {n} samples in batches of {batch} yields batches of "
            "{sizes}: each should hold {batch}, the last one the rest."
        ).format(n=_GEN_N, batch=_GEN_BATCH, sizes=_gen_sizes(taken)[:7]),
    ),
    Property(
        lambda taken: all(np.array_equal(x[:, 1].astype("int64"), y) for x, y in taken),
        N_("its labels no longer belong to their images."),
    ),
    Property(
        lambda taken: len({tuple(_gen_ids(taken)[i : i + _GEN_N]) for i in (0, _GEN_N)}) == 2,
        N_(
            "its first two passes give the samples in the same order: every epoch would see the "
            "same batches. The order must be drawn anew for each pass."
        ),
    ),
]


# ---------------------------------------------------------------- the catalogue

_PYDATASET_SOLUTION = """\
class ShuffledBatches(keras.utils.PyDataset):
    def __init__(self, images, labels, batch_size, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.images[rows], self.labels[rows]

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.images))


answer = ShuffledBatches
"""

# A typical wrong answer: it shuffles the order of whole batches, as fit's shuffle=True does.
_PYDATASET_WRONG = """\
class ShuffledBatches(keras.utils.PyDataset):
    def __init__(self, images, labels, batch_size, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.rng = np.random.default_rng(seed)
        self.batch_order = self.rng.permutation(len(self))

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        rows = slice(self.batch_order[index] * self.batch_size, None)
        rows = slice(rows.start, rows.start + self.batch_size)
        return self.images[rows], self.labels[rows]

    def on_epoch_end(self):
        self.batch_order = self.rng.permutation(len(self))


answer = ShuffledBatches
"""

_TF_DATA_SOLUTION = """\
def make_train_ds(images, labels):
    samples = tf.data.Dataset.from_tensor_slices((images, labels))
    return samples.shuffle(len(images), seed=0).batch(BATCH)


answer = make_train_ds
"""

_TF_DATA_WRONG = """\
def make_train_ds(images, labels):
    samples = tf.data.Dataset.from_tensor_slices((images, labels))
    return samples.batch(BATCH).shuffle(len(images), seed=0)


answer = make_train_ds
"""

_GENERATOR_SOLUTION = """\
def batches(images, labels, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    while True:  # fit pulls from this one generator for every epoch
        order = rng.permutation(len(images))  # a new order for each pass
        for start in range(0, len(images), batch_size):  # the last, partial batch too
            rows = order[start : start + batch_size]
            yield images[rows], labels[rows]


answer = batches
"""

# The cell's buggy generator: one pass only, and its last batch (partial or not) never comes.
_GENERATOR_WRONG = """\
def batches(images, labels, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    for start in range(0, len(images) - batch_size, batch_size):
        rows = order[start : start + batch_size]
        yield images[rows], labels[rows]


answer = batches
"""

_BUFFER_RESULTS = """\
import types

# The five runs as the chapter's experiment made them (validation accuracy during one epoch).
_curves = {
    1: [0.098, 0.21, 0.12, 0.099],
    100: [0.098, 0.2, 0.15, 0.099],
    1000: [0.098, 0.3, 0.46, 0.568],
    3000: [0.098, 0.48, 0.74, 0.855],
    6000: [0.098, 0.74, 0.83, 0.894],
}
experiment = types.SimpleNamespace(
    results={b: {"steps": [0, 30, 60, 94], "val_accuracy": c} for b, c in _curves.items()}
)
context = {"experiment": experiment}
"""

EXERCISES = [
    Exercise(
        key="05.shuffle_buffer",
        kind="predict",
        prompt=N_(
            "The 6,000 training images are sorted by label and go through "
            ".shuffle(buffer).batch(64) for one epoch. What is the smallest buffer (1, 100, 1000, "
            "3000 or 6000) whose run ends within 0.02 validation accuracy of the best run?"
        ),
        checker=number(
            _smallest_good_buffer,
            whole=True,
            right=_buffer_right,
            otherwise=_buffer_wrong,
        ),
        hints=(
            N_(
                "In the sorted file each digit fills a run of about 600 images. A shuffle buffer "
                "can only hand out images it has already read from the file, and it reads one new "
                "image for each one it hands out."
            ),
            N_(
                "With a buffer of b, the first batch can only hold digits among the first b "
                "images of the file. Which buffers reach past the 0s and 1s, and which reach the "
                "9s, before the first step?"
            ),
        ),
        solution="answer = 6000  # the whole training set: only a full buffer mixes sorted data",
        wrong="answer = 1000",
        setup=_BUFFER_RESULTS,
    ),
    Exercise(
        key="05.pydataset",
        kind="build",
        prompt=N_(
            "Complete ShuffledBatches(images, labels, batch_size, seed=0, **kwargs), a "
            "keras.utils.PyDataset whose batches are cut from an order of the samples that "
            "on_epoch_end draws anew, so every epoch mixes the samples into new batches. Hand in "
            "the class."
        ),
        checker=object_with(
            "keras.utils.PyDataset",
            _PYDATASET_PROPERTIES,
            right=N_(
                "Right: every epoch holds each sample once, labels with their images, the last "
                "batch smaller, and on_epoch_end mixes the samples into new batches (fit's "
                "shuffle=True only reorders whole batches)."
            ),
            convert=_make_pydataset,
        ),
        hints=(
            N_(
                "Keep an order of the samples (an array of their indices, a permutation); "
                "__getitem__ cuts batch `index` out of that order, and on_epoch_end replaces it."
            ),
            N_(
                "A NumPy random generator (default_rng, made once with the seed) has a permutation "
                "method: a new order of 0..n-1 at each call. Index images and labels with the same "
                "rows."
            ),
        ),
        solution=_PYDATASET_SOLUTION,
        wrong=_PYDATASET_WRONG,
    ),
    Exercise(
        key="05.tf_data",
        kind="debug",
        prompt=N_(
            "make_train_ds(images, labels) should make one epoch of the images in batches of "
            "64 that mix every digit, even when the images come sorted by label, and mix them anew "
            "on every pass: fit reads the data set once per epoch, and each epoch should see new "
            "batches. On the sorted images each of its batches holds a single digit. Fix it and "
            "hand in the function."
        ),
        checker=object_with(
            types.SimpleNamespace,
            _TF_DATA_PROPERTIES,
            right=N_(
                "Right: shuffle the samples, then batch them: every batch now mixes about all "
                "10 digits. Shuffling after batch only reorders whole batches, each still of one "
                "digit."
            ),
            convert=_run_pipeline,
        ),
        hints=(
            N_(
                "Print the labels of a few batches. Which step of the chain decides what goes "
                "into a batch, and which only decides the order?"
            ),
            N_(
                "After .batch(), every element of the data set is a whole batch: a shuffle there "
                "moves batches around, and never opens them."
            ),
        ),
        solution=_TF_DATA_SOLUTION,
        wrong=_TF_DATA_WRONG,
        setup="BATCH = 64",
    ),
    Exercise(
        key="05.generator",
        kind="debug",
        prompt=N_(
            "batches(images, labels, batch_size, seed=0) should feed fit(..., "
            "steps_per_epoch=ceil(n / batch_size), epochs=2) every sample once per pass, in a new "
            "random order each pass. Yet fit warns 'Your input ran out of data', and trains fewer "
            "steps than it asked for; not even the first epoch gets all of its own. Fix the "
            "generator and hand in the function."
        ),
        checker=object_with(
            list,
            _GENERATOR_PROPERTIES,
            right=N_(
                "Right: it starts over after every pass, in a new order, and never ends; each "
                "pass holds every sample once, the last batch smaller; steps_per_epoch tells fit "
                "where each epoch ends."
            ),
            convert=_run_generator,
        ),
        hints=(
            N_(
                "fit calls the function once, and then keeps taking batches from that one "
                "generator for every epoch. How many batches does one pass of it yield, and how "
                "many are needed?"
            ),
            N_(
                "A generator that has finished stays finished: make it start the pass over again, "
                "forever, with a new order each time. And count the starts its range() gives for "
                "n = 128, batch_size = 32."
            ),
        ),
        solution=_GENERATOR_SOLUTION,
        wrong=_GENERATOR_WRONG,
    ),
]
