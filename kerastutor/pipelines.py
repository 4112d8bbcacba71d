"""Feed the same `(x, y[, sample_weight])` to `fit` five ways: NumPy arrays, a
`keras.utils.PyDataset`, a `tf.data.Dataset`, a torch `DataLoader` and a Python generator.

`make_pipeline` returns a `Pipeline` whose parts go straight into `model.fit`, so the Keras call
stays in view:

>>> import numpy as np, kerastutor as kt
>>> x, y = np.arange(20, dtype="float32").reshape(10, 2), np.arange(10) % 2
>>> p = kt.make_pipeline("generator", x, y, batch_size=4)
>>> p.steps_per_epoch, p.fit_kwargs          # ceil(10 / 4) = 3 batches an epoch
(3, {'steps_per_epoch': 3, 'shuffle': False})
>>> [len(batch[0]) for batch in p.batches()]
[4, 4, 2]

Without shuffling all five kinds yield the same batches in the same order. Each kind's own
objects are public too (`ArrayPyDataset`, `make_tf_dataset`, `make_dataloader`,
`make_generator`), and all are plain Keras, tf.data or torch objects.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from kerastutor._arrays import to_numpy
from kerastutor.i18n import gettext as _

__all__ = [
    "PIPELINES",
    "Pipeline",
    "PipelineError",
    "make_pipeline",
    "ArrayPyDataset",
    "make_tf_dataset",
    "make_dataloader",
    "ArrayTorchDataset",
    "make_generator",
    "check_fit_arguments",
    "check_class_weight",
    "class_weight_to_sample_weight",
    "balanced_class_weight",
]

#: The five ways to feed data, by the name `make_pipeline` takes.
PIPELINES = ("numpy", "pydataset", "tf_data", "torch", "generator")

TORCH_INSTALL_HINT = (
    "torch is not installed, and the 'torch' pipeline needs it. Install it with "
    "`pip install 'kerastutor[torch]'` (or `pip install torch`), then restart the kernel. "
    "The other four pipelines work without it."
)


class PipelineError(ValueError):
    """A data or argument combination that Keras would refuse, found before training."""


# ---------------------------------------------------------------- checks


def _leaves(structure: Any) -> list:
    return [leaf for leaf in keras.tree.flatten(structure) if leaf is not None]


def _num_samples(x: Any, y: Any, sample_weight: Any) -> int:
    """Check that every array has the same length and return it."""
    lengths = {}
    for label, part in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for i, leaf in enumerate(_leaves(part)):
            name = label if len(_leaves(part)) == 1 else f"{label}[{i}]"
            if np.ndim(leaf) == 0:
                message = (
                    _(
                        "{name} must be an array with one entry per sample (one weight per "
                        "sample; to give every sample the same weight, leave sample_weight out: "
                        "equal weights change nothing but the loss's scale), not a single "
                        "{kind} {value!r}."
                    )
                    if label == "sample_weight"
                    else _(
                        "{name} must be an array with one entry per sample, not a single "
                        "{kind} {value!r}."
                    )
                )
                raise PipelineError(message.format(name=name, kind=type(leaf).__name__, value=leaf))
            lengths[name] = len(leaf)
    if not lengths:
        raise PipelineError(_("No data: pass x (and y) as arrays, lists or dicts of arrays."))
    if not any(lengths.values()):
        raise PipelineError(
            _(
                "The data has no samples (length 0): an epoch would have no batches. Check the "
                "slice or filter that produced it."
            )
        )
    if len(set(lengths.values())) > 1:
        detail = ", ".join(
            _("{name} has {n}").format(name=name, n=n) for name, n in lengths.items()
        )
        raise PipelineError(
            _(
                "Mismatched lengths: {detail} samples. Every array needs one entry per sample: "
                "split x, y and sample_weight with the same indices."
            ).format(detail=detail)
        )
    return next(iter(lengths.values()))


def _check_batch_size(batch_size: int) -> None:
    if (
        not isinstance(batch_size, (int, np.integer))
        or isinstance(batch_size, bool)
        or batch_size <= 0
    ):
        raise PipelineError(
            _("batch_size must be a whole number of at least 1, not {value!r}.").format(
                value=batch_size
            )
        )


def _class_labels(y: Any) -> np.ndarray:
    """Integer class labels from integer labels or one-hot rows; refuse regression targets."""
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:  # one-hot rows
        return labels.argmax(axis=-1).reshape(-1)
    labels = labels.reshape(-1)
    if labels.size and not (
        np.issubdtype(labels.dtype, np.integer)
        or (np.issubdtype(labels.dtype, np.floating) and np.all(np.mod(labels, 1) == 0))
    ):
        raise PipelineError(
            _(
                "class_weight needs class labels (whole numbers, or one-hot rows); these targets "
                "are not, as a regression's are. Weight samples with sample_weight instead."
            )
        )
    return labels.astype(int)


def check_class_weight(class_weight: dict | None, y: Any) -> None:
    """Refuse class weights for classes absent from `y`, or weights that are not >= 0 numbers.

    Keras silently ignores a weight for a class that never occurs, which hides typos such as
    `{10: 2.0}` for digit 0; this check names the classes that are there.

    >>> check_class_weight({0: 1.0, 7: 2.0}, np.array([0, 1, 1]))
    Traceback (most recent call last):
    ...
    kerastutor.pipelines.PipelineError: class_weight has weights for classes [7] that are not in
    the labels. The labels hold classes [0, 1]: give weights for those only.
    """
    if class_weight is None:
        return
    if not isinstance(class_weight, dict):
        raise PipelineError(
            _("class_weight must be a dict {{class index: weight}}, not {kind}.").format(
                kind=type(class_weight).__name__
            )
        )
    labels = _class_labels(y)
    present = sorted(int(c) for c in np.unique(labels))
    absent = sorted(k for k in class_weight if int(k) not in present)
    if absent:
        raise PipelineError(
            _(
                "class_weight has weights for classes {absent} that are not in the labels. "
                "The labels hold classes {present}: give weights for those only."
            ).format(absent=absent, present=present)
        )
    bad = {k: w for k, w in class_weight.items() if not np.isfinite(w) or w < 0}
    if bad:
        raise PipelineError(
            _("class weights must be finite numbers >= 0; got {bad}.").format(bad=bad)
        )


def class_weight_to_sample_weight(y: Any, class_weight: dict) -> np.ndarray:
    """Turn `{class: weight}` into one weight per sample, for pipelines that refuse class_weight.

    >>> class_weight_to_sample_weight(np.array([0, 1, 1]), {0: 1.0, 1: 3.0})
    array([1., 3., 3.], dtype=float32)
    """
    check_class_weight(class_weight, y)
    labels = _class_labels(y)
    table = np.ones(labels.max() + 1, dtype=np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def balanced_class_weight(y: Any) -> dict[int, float]:
    """Weights that make every class count as much in the loss: n / (n_classes * count).

    >>> balanced_class_weight(np.array([0, 0, 0, 1]))
    {0: 0.6667, 1: 2.0}
    """
    classes, counts = np.unique(_class_labels(y), return_counts=True)
    n = counts.sum()
    return {int(c): round(float(n / (len(classes) * k)), 4) for c, k in zip(classes, counts)}


def check_fit_arguments(
    kind: str,
    *,
    class_weight: dict | None = None,
    sample_weight: Any = None,
    validation_split: float | None = None,
    y: Any = None,
    weights_in_data: bool = False,
    n_outputs: int = 1,
) -> None:
    """Raise a `PipelineError` naming the alternative if `fit` would refuse these arguments.

    Every problem is collected, not only the first: the error's `problems` attribute lists them,
    one sentence each, and its message joins them.

    Args:
        kind: one of `PIPELINES`.
        class_weight: what `fit(class_weight=...)` would get.
        sample_weight: what `fit(sample_weight=...)` would get.
        validation_split: what `fit(validation_split=...)` would get.
        y: the training targets, to check class weights against (classes present, labels
            that are classes at all).
        weights_in_data: the pipeline's batches carry sample weights (`make_pipeline(...,
            sample_weight=w)`).
        n_outputs: how many outputs the model has.

    >>> check_fit_arguments("generator", class_weight={0: 1.0, 1: 2.0})
    Traceback (most recent call last):
    ...
    kerastutor.pipelines.PipelineError: Keras refuses class_weight with a Python generator.
    Instead, turn the class weights into per-sample weights and put them in the data: ...
    """
    _check_kind(kind)
    label = {
        "pydataset": _("a PyDataset"),
        "tf_data": _("a tf.data.Dataset"),
        "torch": _("a torch DataLoader"),
        "generator": _("a Python generator"),
    }.get(kind)
    problems = []
    if class_weight is not None:
        if kind in ("torch", "generator"):
            problems.append(
                _(
                    "Keras refuses class_weight with {data}. Instead, turn the class weights "
                    "into per-sample weights and put them in the data: make_pipeline({kind!r}, "
                    "x, y, sample_weight=class_weight_to_sample_weight(y, class_weight))."
                ).format(data=label, kind=kind)
            )
        if n_outputs > 1:
            problems.append(
                _(
                    "Keras takes class_weight only for single-output models. Weight outputs with "
                    "loss_weights, or samples with sample weights."
                )
            )
        if sample_weight is not None or weights_in_data:
            problems.append(
                _(
                    "Keras refuses class_weight together with sample weights. Fold the class "
                    "weights into the sample weights instead: "
                    "sample_weight = w * class_weight_to_sample_weight(y, class_weight)."
                )
            )
        if y is not None:
            try:
                check_class_weight(class_weight, y)
            except PipelineError as exc:
                problems.append(str(exc))
    if validation_split and kind != "numpy":
        problems.append(
            _(
                "Keras only takes validation_split with NumPy arrays, not with {data}. Split off "
                "the validation data yourself (kt.split_validation) and pass it as "
                "validation_data: **make_pipeline({kind!r}, x_val, y_val).validation_kwargs() "
                "does that."
            ).format(data=label, kind=kind)
        )
    if sample_weight is not None and kind != "numpy":
        problems.append(
            _(
                "Keras refuses fit(sample_weight=...) with {data}: the weights must travel with "
                "the data. Pass them to make_pipeline({kind!r}, x, y, sample_weight=w) instead."
            ).format(data=label, kind=kind)
        )
    if problems:
        error = PipelineError(" ".join(problems))
        error.problems = problems
        raise error


def _check_kind(kind: str) -> None:
    if kind not in PIPELINES:
        raise PipelineError(
            _("Unknown pipeline {kind!r}. Choose one of {kinds}.").format(
                kind=kind, kinds=list(PIPELINES)
            )
        )


# ---------------------------------------------------------------- the five kinds


def _take(structure: Any, index: Any) -> Any:
    if structure is None:
        return None
    return keras.tree.map_structure(lambda a: a[index], structure)


def _pack(x: Any, y: Any, sample_weight: Any) -> tuple:
    if sample_weight is not None:
        return (x, y, sample_weight)
    if y is not None:
        return (x, y)
    return (x,)


class _Order:
    """Sample order per epoch: fixed, or a fresh seeded permutation each epoch."""

    def __init__(self, n: int, shuffle: bool, seed: int):
        self.n, self.shuffle = n, shuffle
        self.rng = np.random.default_rng(seed)
        self.indices = self.rng.permutation(n) if shuffle else np.arange(n)

    def next_epoch(self) -> None:
        if self.shuffle:
            self.indices = self.rng.permutation(self.n)

    def batch(self, i: int, batch_size: int) -> np.ndarray | slice:
        if not self.shuffle:
            return slice(i * batch_size, (i + 1) * batch_size)
        return self.indices[i * batch_size : (i + 1) * batch_size]


class ArrayPyDataset(keras.utils.PyDataset):
    """A `keras.utils.PyDataset` over in-memory arrays: one batch per `__getitem__`.

    Args:
        x, y, sample_weight: arrays (or lists/dicts of arrays) of equal length.
        batch_size: samples per batch; the last batch may be smaller.
        shuffle: draw a new seeded sample order in `on_epoch_end`.
        seed: seed of that order.
        **kwargs: `workers`, `use_multiprocessing` and `max_queue_size`, passed to PyDataset.

    >>> ds = ArrayPyDataset(np.zeros((10, 3)), np.zeros(10), batch_size=4, workers=2)
    >>> len(ds), ds[2][0].shape, ds.workers
    (3, (2, 3), 2)
    """

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 0,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        _check_batch_size(batch_size)
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = int(batch_size)
        self.num_samples = _num_samples(x, y, sample_weight)
        self._order = _Order(self.num_samples, shuffle, seed)

    def __len__(self) -> int:
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, idx: int) -> tuple:
        if idx < 0 or idx >= len(self):
            raise IndexError(f"batch {idx} is out of range for {len(self)} batches")
        index = self._order.batch(idx, self.batch_size)
        return _pack(_take(self.x, index), _take(self.y, index), _take(self.sample_weight, index))

    def on_epoch_end(self) -> None:
        self._order.next_epoch()


def make_tf_dataset(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    prefetch: bool = True,
):
    """`tf.data.Dataset.from_tensor_slices` -> (`shuffle`) -> `batch` -> (`prefetch`).

    Dicts keyed by input or output names stay dicts, which is how multi-input models take
    them. The whole data set fits the shuffle buffer here, so the shuffle is a full one.
    This is TensorFlow's `tf.data`, so it imports TensorFlow (here, not when kerastutor is
    imported); `fit` takes the result on every Keras backend (TensorFlow, JAX, torch).

    >>> ds = make_tf_dataset(np.zeros((10, 3)), np.zeros(10), batch_size=4)
    >>> [int(xb.shape[0]) for xb, yb in ds]
    [4, 4, 2]
    """
    import tensorflow as tf

    _check_batch_size(batch_size)
    n = _num_samples(x, y, sample_weight)
    dataset = tf.data.Dataset.from_tensor_slices(_pack(x, y, sample_weight))
    if shuffle:
        dataset = dataset.shuffle(buffer_size=n, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if prefetch:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def _import_torch():
    try:
        import torch
    except ImportError as exc:
        raise ImportError(TORCH_INSTALL_HINT) from exc
    return torch


class ArrayTorchDataset:
    """A map-style torch dataset over arrays: `len()` samples, `dataset[i]` is sample i.

    torch's `DataLoader` needs only `__len__` and `__getitem__`, so this class does not import
    torch, and it lives at module level so that worker processes started with "spawn"
    (`num_workers > 0` on macOS and Windows) can import it.

    Args:
        x, y, sample_weight: arrays, or lists/dicts of arrays, one entry per sample.

    >>> dataset = ArrayTorchDataset(np.arange(6).reshape(3, 2), np.array([0, 1, 1]))
    >>> len(dataset), dataset[1]
    (3, (array([2, 3]), np.int64(1)))
    """

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None):
        self.n = _num_samples(x, y, sample_weight)
        self.x, self.y, self.sample_weight = x, y, sample_weight

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple:
        return _pack(_take(self.x, i), _take(self.y, i), _take(self.sample_weight, i))


def make_dataloader(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    num_workers: int = 0,
):
    """A torch `DataLoader` over an `ArrayTorchDataset` of the arrays (one sample per index).

    Unlike PyDataset (one *batch* per index), a torch Dataset returns one *sample* per index
    and the DataLoader batches and shuffles them. Keras accepts it with any backend.

    >>> loader = make_dataloader(np.zeros((10, 3)), np.zeros(10), batch_size=4)
    >>> [len(xb) for xb, yb in loader]
    [4, 4, 2]
    """
    torch = _import_torch()
    _check_batch_size(batch_size)
    generator = torch.Generator().manual_seed(seed)
    return torch.utils.data.DataLoader(
        ArrayTorchDataset(x, y, sample_weight),
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        num_workers=num_workers,
    )


def make_generator(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
) -> tuple[Iterator[tuple], int]:
    """An endless Python generator of batches, and the `steps_per_epoch` that ends an epoch.

    A generator cannot be rewound, so Keras keeps drawing from it across epochs; it must loop
    forever and `fit` needs `steps_per_epoch = ceil(n / batch_size)` to know where an epoch ends
    (Keras 2's `fit_generator(..., samples_per_epoch=)` became `fit(gen, steps_per_epoch=)`).

    >>> gen, steps = make_generator(np.zeros((10, 3)), np.zeros(10), batch_size=4)
    >>> steps, [len(next(gen)[0]) for _ in range(4)]
    (3, [4, 4, 2, 4])
    """
    _check_batch_size(batch_size)
    n = _num_samples(x, y, sample_weight)
    steps = math.ceil(n / batch_size)
    order = _Order(n, shuffle, seed)

    def batches() -> Iterator[tuple]:
        while True:
            for i in range(steps):
                index = order.batch(i, batch_size)
                yield _pack(_take(x, index), _take(y, index), _take(sample_weight, index))
            order.next_epoch()

    return batches(), steps


# ---------------------------------------------------------------- one call for all five


def _to_numpy(structure: Any) -> Any:
    # Batches of any framework: tf.data gives TensorFlow tensors and a DataLoader torch ones,
    # whatever the Keras backend.
    return keras.tree.map_structure(to_numpy, structure)


@dataclass
class Pipeline:
    """Data ready for `model.fit(pipeline.x, pipeline.y, **pipeline.fit_kwargs, epochs=...)`.

    Attributes:
        kind: one of `PIPELINES`.
        x: the first argument of `fit`: arrays, a PyDataset, a tf.data.Dataset, a DataLoader
            or a generator.
        y: the targets for `"numpy"`; None for the others, whose batches carry their targets.
        fit_kwargs: what `fit` must also get: `batch_size`, `shuffle` and `sample_weight` for
            arrays, `steps_per_epoch` for a generator, and `shuffle=False` for the kinds that
            shuffle themselves (Keras would otherwise warn, or reorder a PyDataset's batches).
        steps_per_epoch: batches in one pass over the data, `ceil(n / batch_size)`.
        num_samples: n.
    """

    kind: str
    x: Any
    y: Any
    fit_kwargs: dict = field(default_factory=dict)
    steps_per_epoch: int = 0
    num_samples: int = 0
    batch_size: int = 32
    sample_weight: Any = None

    def validation_kwargs(self) -> dict:
        """`validation_data` (plus `validation_steps` for a generator) for `fit`."""
        if self.kind == "numpy":
            return {"validation_data": _pack(self.x, self.y, self.sample_weight)}
        if self.kind == "generator":
            return {"validation_data": self.x, "validation_steps": self.steps_per_epoch}
        return {"validation_data": self.x}

    def batches(self) -> Iterator[tuple]:
        """Yield one epoch of batches as NumPy tuples `(x, y[, sample_weight])`, to look at."""
        if self.kind == "numpy":
            for i in range(self.steps_per_epoch):
                index = slice(i * self.batch_size, (i + 1) * self.batch_size)
                yield _pack(
                    _take(self.x, index), _take(self.y, index), _take(self.sample_weight, index)
                )
        elif self.kind == "pydataset":
            for i in range(len(self.x)):
                yield _to_numpy(self.x[i])
        elif self.kind == "generator":
            for _ in range(self.steps_per_epoch):
                yield _to_numpy(next(self.x))
        else:
            for batch in self.x:
                yield _to_numpy(tuple(batch))


def make_pipeline(
    kind: str,
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    *,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    workers: int = 1,
    use_multiprocessing: bool = False,
    max_queue_size: int = 10,
) -> Pipeline:
    """Wrap `(x, y[, sample_weight])` as one of the five `PIPELINES`.

    Args:
        kind: `"numpy"`, `"pydataset"`, `"tf_data"`, `"torch"` or `"generator"`.
        x, y, sample_weight: arrays, or lists/dicts of arrays for multi-input/output models.
        batch_size: samples per batch (>= 1).
        shuffle: shuffle the samples each epoch (seeded by `seed`).
        workers, use_multiprocessing, max_queue_size: PyDataset's parallel-loading options.

    Returns:
        A `Pipeline`; `model.fit(p.x, p.y, **p.fit_kwargs, epochs=3)` trains on it.

    >>> p = make_pipeline("numpy", np.zeros((10, 3)), np.zeros(10), batch_size=4)
    >>> sorted(p.fit_kwargs), p.steps_per_epoch
    (['batch_size', 'sample_weight', 'shuffle'], 3)
    """
    _check_kind(kind)
    _check_batch_size(batch_size)
    n = _num_samples(x, y, sample_weight)
    steps = math.ceil(n / batch_size)
    common = dict(kind=kind, steps_per_epoch=steps, num_samples=n, batch_size=int(batch_size))
    if kind == "numpy":
        return Pipeline(
            x=x,
            y=y,
            fit_kwargs={
                "batch_size": int(batch_size),
                "shuffle": shuffle,
                "sample_weight": sample_weight,
            },
            sample_weight=sample_weight,
            **common,
        )
    if kind == "pydataset":
        data = ArrayPyDataset(
            x,
            y,
            sample_weight,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            max_queue_size=max_queue_size,
        )
        # Keras's own shuffle=True would reorder whole batches; ArrayPyDataset shuffles samples.
        # The other kinds shuffle themselves; shuffle=False keeps fit from warning about it.
        return Pipeline(x=data, y=None, fit_kwargs={"shuffle": False}, **common)
    if kind == "tf_data":
        data = make_tf_dataset(
            x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, seed=seed
        )
        return Pipeline(x=data, y=None, fit_kwargs={"shuffle": False}, **common)
    if kind == "torch":
        data = make_dataloader(
            x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, seed=seed
        )
        return Pipeline(x=data, y=None, fit_kwargs={"shuffle": False}, **common)
    gen, _steps = make_generator(
        x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, seed=seed
    )
    return Pipeline(
        x=gen, y=None, fit_kwargs={"steps_per_epoch": steps, "shuffle": False}, **common
    )
