"""The five pipelines: same batches, same training, and clear refusals before training."""

import builtins
import math

import keras
import numpy as np
import pytest

import kerastutor as kt


@pytest.fixture(scope="module")
def mnist_small():
    (x, y), (xt, yt) = kt.load_mnist("bundled", verbose=False)
    return (
        (x[:2000].reshape(-1, 784) / 255.0).astype("float32"),
        y[:2000].astype("int64"),
        (xt[:500].reshape(-1, 784) / 255.0).astype("float32"),
        yt[:500].astype("int64"),
    )


def _same(a, b):
    flat_a, flat_b = keras.tree.flatten(a), keras.tree.flatten(b)
    return len(flat_a) == len(flat_b) and all(np.array_equal(u, v) for u, v in zip(flat_a, flat_b))


@pytest.mark.parametrize("with_weights", [False, True])
def test_all_five_yield_identical_batches(with_weights):
    rng = np.random.default_rng(0)
    x = rng.random((103, 6)).astype("float32")
    y = rng.integers(0, 3, 103)
    w = rng.random(103).astype("float32") if with_weights else None
    reference = list(kt.make_pipeline("numpy", x, y, w, batch_size=10).batches())
    assert len(reference) == math.ceil(103 / 10) == 11
    assert len(reference[-1][0]) == 3
    for kind in kt.PIPELINES:
        pipeline = kt.make_pipeline(kind, x, y, w, batch_size=10)
        batches = list(pipeline.batches())
        assert len(batches) == 11, kind
        assert all(_same(a, b) for a, b in zip(batches, reference)), kind


def test_dict_inputs_for_multi_input_model():
    x, y = kt.make_multi_input_data(n=10, seed=0)
    for kind in kt.PIPELINES:
        first = next(iter(kt.make_pipeline(kind, x, y, batch_size=4).batches()))
        assert set(first[0]) == {"img_input", "ts_input"}, kind
        assert first[0]["img_input"].shape == (4, 32, 32, 3), kind
        assert first[1]["class_output"].shape == (4, 5), kind


def test_shuffle_is_seeded_and_changes_each_epoch():
    x = np.arange(40, dtype="float32").reshape(20, 2)
    y = np.arange(20)
    for kind in ("pydataset", "tf_data", "torch", "generator"):
        a = kt.make_pipeline(kind, x, y, batch_size=20, shuffle=True, seed=1)
        b = kt.make_pipeline(kind, x, y, batch_size=20, shuffle=True, seed=1)
        first_a = next(iter(a.batches()))[1]
        assert np.array_equal(first_a, next(iter(b.batches()))[1]), kind
        assert not np.array_equal(first_a, y), kind
        assert sorted(first_a) == list(y), kind
        if kind == "pydataset":
            a.x.on_epoch_end()
        second_a = next(iter(a.batches()))[1]
        assert not np.array_equal(first_a, second_a), kind


def test_fit_on_each_pipeline_reaches_the_same_accuracy(mnist_small):
    x, y, xt, yt = mnist_small
    accuracies = {}
    for kind in kt.PIPELINES:
        keras.utils.set_random_seed(0)
        model = kt.get_compiled_digits_model()
        pipeline = kt.make_pipeline(kind, x, y, batch_size=64)
        val = kt.make_pipeline(kind, xt, yt, batch_size=64)
        history = model.fit(
            pipeline.x,
            pipeline.y,
            epochs=2,
            verbose=0,
            **pipeline.fit_kwargs,
            **val.validation_kwargs(),
        )
        assert len(history.history["loss"]) == 2
        accuracies[kind] = model.evaluate(xt, yt, verbose=0, return_dict=True)[
            "sparse_categorical_accuracy"
        ]
    assert min(accuracies.values()) > 0.7, accuracies
    # Same seed, same batches in the same order: the five runs agree closely.
    assert max(accuracies.values()) - min(accuracies.values()) < 0.02, accuracies


def test_pydataset_options_are_passed_through():
    p = kt.make_pipeline(
        "pydataset", np.zeros((8, 2)), np.zeros(8), batch_size=3, workers=2, max_queue_size=4
    )
    assert isinstance(p.x, keras.utils.PyDataset)
    assert (p.x.workers, p.x.use_multiprocessing, p.x.max_queue_size) == (2, False, 4)
    assert len(p.x) == 3


def test_generator_needs_steps_per_epoch():
    p = kt.make_pipeline("generator", np.zeros((9, 2)), np.zeros(9), batch_size=4)
    assert p.fit_kwargs == {"steps_per_epoch": 3, "shuffle": False}
    assert p.validation_kwargs()["validation_steps"] == 3


def test_class_weight_refused_before_training_with_alternative():
    y = np.array([0, 1, 1, 2])
    for kind in ("torch", "generator"):
        with pytest.raises(kt.PipelineError, match="class_weight_to_sample_weight"):
            kt.check_fit_arguments(kind, class_weight={0: 1.0, 1: 1.0, 2: 2.0}, y=y)
    for kind in ("numpy", "pydataset", "tf_data"):
        kt.check_fit_arguments(kind, class_weight={0: 1.0, 1: 1.0, 2: 2.0}, y=y)


def test_validation_split_and_sample_weight_refused_for_datasets():
    with pytest.raises(kt.PipelineError, match="validation_data"):
        kt.check_fit_arguments("tf_data", validation_split=0.2)
    with pytest.raises(
        kt.PipelineError, match="make_pipeline\\('pydataset', x, y, sample_weight=w\\)"
    ):
        kt.check_fit_arguments("pydataset", sample_weight=np.ones(3))
    kt.check_fit_arguments("numpy", validation_split=0.2, sample_weight=np.ones(3))


def test_class_weight_converted_to_sample_weight_trains_on_generator(seeded):
    x, y = kt.make_random_classification(n_train=100, seed=0)["train"]
    weights = kt.class_weight_to_sample_weight(y, {c: 1.0 for c in range(10)} | {5: 2.0})
    assert set(np.unique(weights)) == {1.0, 2.0}
    assert np.all(weights[y == 5] == 2.0)
    p = kt.make_pipeline("generator", x, y, weights, batch_size=25)
    model = kt.get_compiled_random_data_model()
    history = model.fit(p.x, epochs=1, verbose=0, **p.fit_kwargs)
    assert np.isfinite(history.history["loss"][0])


def test_class_weights_for_absent_classes():
    with pytest.raises(kt.PipelineError, match="classes \\[10\\] that are not in the labels"):
        kt.check_class_weight({0: 1.0, 10: 2.0}, np.arange(10))
    with pytest.raises(kt.PipelineError, match=">= 0"):
        kt.check_class_weight({0: -1.0}, np.arange(3))
    kt.check_class_weight({3: 2.0}, keras.utils.to_categorical([0, 3, 1], 4))  # one-hot labels


def test_balanced_class_weight():
    weights = kt.balanced_class_weight(np.array([0] * 8 + [1] * 2))
    assert weights == {0: 0.625, 1: 2.5}


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros((10, 2)), np.zeros(9)), "x has 10, y has 9"),
        ((np.zeros((10, 2)), np.zeros(10), np.ones(7)), "sample_weight has 7"),
        (
            ({"a": np.zeros((4, 1)), "b": np.zeros((5, 1))}, np.zeros(4)),
            "x\\[0\\] has 4, x\\[1\\] has 5",
        ),
    ],
)
def test_mismatched_lengths(args, message):
    for kind in kt.PIPELINES:
        with pytest.raises(kt.PipelineError, match=message):
            kt.make_pipeline(kind, *args)


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, True])
def test_bad_batch_size(batch_size):
    with pytest.raises(kt.PipelineError, match="batch_size must be a whole number"):
        kt.make_pipeline("numpy", np.zeros((4, 2)), np.zeros(4), batch_size=batch_size)


def test_unknown_pipeline_kind():
    with pytest.raises(kt.PipelineError, match="Choose one of"):
        kt.make_pipeline("csv", np.zeros((4, 2)), np.zeros(4))


def test_missing_torch_gives_install_hint(monkeypatch):
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="pip install 'kerastutor\\[torch\\]'"):
        kt.make_pipeline("torch", np.zeros((4, 2)), np.zeros(4))


# ---------------------------------------------------------------- bad input (issue 11)


def test_a_single_number_as_sample_weight_names_the_fix():
    with pytest.raises(kt.PipelineError, match="one weight per sample.*not a single float 5.0"):
        kt.make_pipeline("numpy", np.zeros((4, 2)), np.zeros(4), sample_weight=5.0)


@pytest.mark.parametrize("kind", ["numpy", "pydataset", "tf_data", "generator"])
def test_no_samples_is_refused_instead_of_spinning(kind):
    with pytest.raises(kt.PipelineError, match="no samples"):
        kt.make_pipeline(kind, np.zeros((0, 2)), np.zeros(0))


def test_class_and_sample_weights_together_are_refused():
    with pytest.raises(kt.PipelineError, match="together with sample weights"):
        kt.check_fit_arguments(
            "numpy", class_weight={0: 1.0}, sample_weight=np.ones(2), y=np.array([0, 1])
        )


def test_torch_dataset_works_in_spawned_workers():
    """num_workers > 0 under "spawn" (macOS, Windows) pickles the dataset by reference to its
    class, so the class must live at module level."""
    torch = pytest.importorskip("torch")
    import pickle

    x, y = np.arange(20, dtype="float32").reshape(10, 2), np.arange(10)
    dataset = kt.ArrayTorchDataset(x, y)
    assert pickle.loads(pickle.dumps(dataset))[3][1] == 3
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=4, num_workers=1, multiprocessing_context="spawn"
    )
    assert [len(yb) for _, yb in loader] == [4, 4, 2]
