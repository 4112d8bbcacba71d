"""Chapter 5's exercises beyond the generic tests: each checker rejects the buggy code the
notebook shows and the near-misses a learner writes, follows the experiment's runs, and never
hangs on an endless answer."""

import math
import types
import warnings
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest
import tensorflow as tf

import kerastutor as kt
from kerastutor.exercises import ch05

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_data_pipelines.ipynb"
BATCH = 64


def _notebook_function(name: str):
    """The function `name` exactly as the notebook's exercise cell shows it (the buggy one)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c.source for c in nb.cells if c.source.startswith(f"def {name}("))
    definition = cell.split("\n\n\n")[0]
    namespace = {"tf": tf, "np": np, "BATCH": BATCH}
    exec(definition, namespace)
    return namespace[name]


def _check(key, answer, **context):
    return kt.check(key, answer, **context)


# ---------------------------------------------------------------- 05.tf_data


def test_the_notebooks_buggy_pipeline_is_rejected_for_not_mixing(capsys):
    result = _check("05.tf_data", _notebook_function("make_train_ds"))
    assert not result and "different digits" in result.message


def _pipeline(build):
    def make_train_ds(images, labels):
        return build(tf.data.Dataset.from_tensor_slices((images, labels)), len(images))

    return make_train_ds


@pytest.mark.parametrize(
    "build, says",
    [
        (lambda ds, n: ds.shuffle(1000, seed=0).batch(BATCH), "only part of the data"),
        (lambda ds, n: ds.shuffle(n, seed=0).batch(BATCH).repeat(), "never ends"),
        (
            lambda ds, n: ds.shuffle(n, seed=0, reshuffle_each_iteration=False).batch(BATCH),
            "same order",
        ),
        (lambda ds, n: ds.shuffle(n).batch(BATCH, drop_remainder=True), "samples for"),
        (lambda ds, n: ds.shuffle(n).batch(32), "batches of 64"),
        (lambda ds, n: ds.batch(BATCH), "different digits"),
    ],
)
def test_near_miss_pipelines_are_rejected_with_the_reason(build, says, capsys):
    result = _check("05.tf_data", _pipeline(build))
    assert not result and says in result.message


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_a_full_shuffle_before_batch_passes_with_any_seed(seed, capsys):
    assert _check("05.tf_data", _pipeline(lambda ds, n: ds.shuffle(n, seed=seed).batch(BATCH)))


def test_an_endless_pipeline_of_unknown_length_is_cut_off_not_iterated_forever(capsys):
    def make_train_ds(images, labels):
        def forever():
            while True:
                yield images[:BATCH], labels[:BATCH]

        signature = (
            tf.TensorSpec((None, images.shape[1]), tf.float32),
            tf.TensorSpec((None,), tf.int64),
        )
        return tf.data.Dataset.from_generator(forever, output_signature=signature)

    result = _check("05.tf_data", make_train_ds)
    assert not result and "endless" in result.message


def test_a_data_set_instead_of_the_function_is_explained(capsys):
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((10, 2)), np.zeros(10))).batch(5)
    result = _check("05.tf_data", ds)
    assert not result and "function make_train_ds itself" in result.message
    result = _check("05.tf_data", ds.repeat())
    assert not result and "never ends" in result.message


# ---------------------------------------------------------------- 05.generator


def test_the_notebooks_buggy_generator_really_runs_out_in_fit_and_is_rejected(capsys):
    batches = _notebook_function("batches")
    x = np.random.default_rng(0).random((128, 4), dtype=np.float32)
    y = np.arange(128) % 3
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    steps = []

    class CountPerEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            steps.append(0)

        def on_train_batch_end(self, batch, logs=None):
            steps[-1] += 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(
            batches(x, y, 32), steps_per_epoch=4, epochs=2, verbose=0, callbacks=[CountPerEpoch()]
        )
    assert any("ran out of data" in str(w.message) for w in caught)  # the prompt's claim
    assert steps[0] == 3 and sum(steps) < 8  # not even the first epoch got its 4 steps
    result = _check("05.generator", batches)
    assert not result and "stopped after 6 batches" in result.message  # 6 of 16, 4 dropped


def test_the_notebooks_generator_differs_from_section_6s(capsys):
    """Section 6's endless_batches is not the fix: this one must also reshuffle every pass."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    section_6 = next(c.source for c in nb.cells if c.source.startswith("def endless_batches("))
    namespace = {}
    exec(section_6.split("\n\n\n")[0], namespace)
    result = _check("05.generator", namespace["endless_batches"])
    assert not result and "same order" in result.message


def _drops_the_last_batch(images, labels, batch_size):
    while True:
        for start in range(0, len(images) - batch_size, batch_size):
            yield images[start : start + batch_size], labels[start : start + batch_size]


def _mismatched(images, labels, batch_size):
    rng = np.random.default_rng(0)
    while True:
        rows, other = rng.permutation(len(images)), rng.permutation(len(images))
        for start in range(0, len(images), batch_size):
            window = slice(start, start + batch_size)
            yield images[rows[window]], labels[other[window]]


def _order_drawn_once(images, labels, batch_size):
    """The cell's generator with only the loop fixed: endless, whole, but one order."""
    order = np.random.default_rng(0).permutation(len(images))
    while True:
        for start in range(0, len(images), batch_size):
            rows = order[start : start + batch_size]
            yield images[rows], labels[rows]


def _one_pass_shuffled(images, labels, batch_size):
    order = np.random.default_rng(0).permutation(len(images))
    for start in range(0, len(images), batch_size):
        rows = order[start : start + batch_size]
        yield images[rows], labels[rows]


def _shuffled(images, labels, batch_size):
    rng = np.random.default_rng(0)
    while True:
        rows = rng.permutation(len(images))
        for start in range(0, len(images), batch_size):
            window = rows[start : start + batch_size]
            yield images[window], labels[window]


@pytest.mark.parametrize(
    "generator, says",
    [
        (_drops_the_last_batch, "skips or repeats"),
        (_mismatched, "no longer belong"),
        (_order_drawn_once, "same order"),
        (_one_pass_shuffled, "stopped after 7 batches"),
    ],
)
def test_near_miss_generators_are_rejected(generator, says, capsys):
    result = _check("05.generator", generator)
    assert not result and says in result.message


def test_a_generator_that_reshuffles_each_pass_is_right_too(capsys):
    assert _check("05.generator", _shuffled)


# ---------------------------------------------------------------- 05.pydataset


class _Base(keras.utils.PyDataset):
    def __init__(self, images, labels, batch_size, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.rng = np.random.default_rng(seed)
        self.rows = np.arange(len(images))
        self.other = self.rows

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        window = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.images[self.rows[window]], self.labels[self.other[window]]


class _NeverReshuffles(_Base):
    pass


class _SeparateOrders(_Base):
    def on_epoch_end(self):
        self.rows = self.rng.permutation(len(self.images))
        self.other = self.rng.permutation(len(self.images))


class _RoundsDown(_Base):
    def __len__(self):
        return len(self.images) // self.batch_size


class _NoSuper(_Base):
    def __init__(self, images, labels, batch_size):
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.rows = self.other = np.arange(len(images))


class _Reshuffles(_Base):
    def on_epoch_end(self):
        self.rows = self.other = self.rng.permutation(len(self.images))


@pytest.mark.parametrize(
    "cls, says",
    [
        (_NeverReshuffles, "same order"),
        (_SeparateOrders, "no longer belong"),
        (_RoundsDown, "len() is 6"),
        (_NoSuper, "own __init__"),
    ],
)
def test_near_miss_pydatasets_are_rejected(cls, says, capsys):
    result = _check("05.pydataset", cls)
    assert not result and says in result.message


def test_a_pydataset_that_reshuffles_in_on_epoch_end_passes_and_an_instance_is_explained(capsys):
    assert _check("05.pydataset", _Reshuffles)
    result = _check("05.pydataset", _Reshuffles(np.zeros((4, 3)), np.zeros(4), 2))
    assert not result and "hand in the class itself" in result.message


def test_the_right_pydataset_trains_in_fit_on_the_checkers_kind_of_data():
    images, labels = ch05._numbered(100)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(10)])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(_Reshuffles(images, labels, 16), epochs=2, verbose=0)
    assert history.params["steps"] == 7


# ---------------------------------------------------------------- 05.shuffle_buffer


def _experiment(finals):
    return types.SimpleNamespace(
        results={b: {"steps": [0, 94], "val_accuracy": [0.1, a]} for b, a in finals.items()}
    )


def test_the_prediction_is_compared_with_the_runs_not_with_a_fixed_answer(capsys):
    close_enough = _experiment({1: 0.1, 100: 0.1, 1000: 0.6, 3000: 0.885, 6000: 0.89})
    assert _check("05.shuffle_buffer", 3000, experiment=close_enough)
    result = _check("05.shuffle_buffer", 6000, experiment=close_enough)
    assert not result and "a smaller one did too" in result.message


def test_a_near_miss_is_told_it_is_close_and_why(capsys):
    """3,000 misses by a little: its message must not claim a buffer of few digits."""
    runs = _experiment({1: 0.099, 100: 0.099, 1000: 0.568, 3000: 0.856, 6000: 0.894})
    result = _check("05.shuffle_buffer", 3000, experiment=runs)
    assert not result and "close, but outside the band" in result.message
    assert "0.038 below" in result.message and "few digits" not in result.message
    result = _check("05.shuffle_buffer", 1000, experiment=runs)
    assert not result and "few digits" in result.message


def test_values_not_run_yet_are_run_through_the_experiment(capsys):
    class Experiment:
        def __init__(self):
            self.results, self.ran = {1: {"val_accuracy": [0.1]}}, []

        def result(self, value):
            self.ran.append(value)
            self.results[value] = {"val_accuracy": [0.9 if value >= 3000 else 0.2]}
            return self.results[value]

    experiment = Experiment()
    assert _check("05.shuffle_buffer", 3000, experiment=experiment)
    assert sorted(experiment.ran) == [100, 1000, 3000, 6000]


def test_a_prediction_without_the_experiment_says_how_to_pass_it(capsys):
    result = _check("05.shuffle_buffer", 1000)
    assert not result and "experiment=experiment" in result.message
