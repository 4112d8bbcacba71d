"""The tutorials' models (pinned shapes and parameter counts), lookups and custom pieces."""

import math

import keras
import numpy as np
import pytest

import kerastutor as kt


def test_quickstart_model():
    model = kt.get_quickstart_model()
    assert model.count_params() == 101_770
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Flatten", "Dense", "Dropout", "Dense"]
    assert model.layers[2].rate == 0.2
    assert model.compute_output_shape((None, 28, 28)) == (None, 10)


def test_digits_model_names_and_count():
    model = kt.get_digits_model()
    assert model.count_params() == 55_050
    assert [layer.name for layer in model.layers] == ["digits", "dense_1", "dense_2", "predictions"]
    assert model.input.shape == (None, 784)
    assert not model.compiled


def test_compiled_digits_model_defaults_and_overrides():
    model = kt.get_compiled_digits_model()
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)
    sgd = kt.get_compiled_digits_model(optimizer="sgd", learning_rate=0.05)
    assert isinstance(sgd.optimizer, keras.optimizers.SGD)
    assert math.isclose(float(sgd.optimizer.learning_rate), 0.05, rel_tol=1e-6)


def test_multi_io_model():
    model = kt.get_multi_io_model()
    assert model.count_params() == 219
    assert [t.name for t in model.inputs] == ["img_input", "ts_input"]
    assert model.output_names == ["score_output", "class_output"]
    assert model.inputs[1].shape == (None, None, 10)


def test_compiled_multi_io_model_trains_on_dicts(seeded):
    model = kt.get_compiled_multi_io_model(loss_weights={"score_output": 2.0, "class_output": 1.0})
    x, y = kt.make_multi_input_data(n=16, seed=0)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert {"loss", "score_output_loss", "class_output_loss"} <= set(history.history)


def test_untrained_quickstart_loss_near_ln10(seeded):
    (x, y), _ = kt.load_mnist("bundled", verbose=False)
    model = kt.get_quickstart_model()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    loss = model.evaluate(x[:1000] / 255.0, y[:1000], verbose=0)
    assert abs(loss - math.log(10)) < 0.3


@pytest.mark.parametrize("name, cls", [("sgd", "SGD"), ("RMSprop", "RMSprop"), ("adam", "Adam")])
def test_get_optimizer(name, cls):
    opt = kt.get_optimizer(name, 0.01)
    assert type(opt).__name__ == cls and math.isclose(float(opt.learning_rate), 0.01, rel_tol=1e-6)


def test_get_optimizer_passes_options_and_objects():
    assert float(kt.get_optimizer("sgd", 0.1, momentum=0.9).momentum) == pytest.approx(0.9)
    opt = keras.optimizers.Adam()
    assert kt.get_optimizer(opt) is opt


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(ValueError) as info:
        kt.get_optimizer("adamm")
    message = str(info.value)
    assert "Did you mean 'adam'" in message and "rmsprop" in message and "sgd" in message


def test_unknown_loss_and_metric_list_valid_names():
    with pytest.raises(ValueError, match="Did you mean 'mse'.*sparse_categorical_crossentropy"):
        kt.get_loss("msee")
    with pytest.raises(ValueError, match="Valid names:.*sparse_categorical_accuracy"):
        kt.get_metric("sparse_categorical_acuracy")
    assert kt.get_metric("accuracy") == "accuracy"


def test_custom_loss_function_and_class_agree():
    y_true = np.array([[0.0, 1.0], [2.0, 2.0]], "float32")
    y_pred = np.array([[1.0, 1.0], [0.0, 2.0]], "float32")
    per_sample = kt.mean_absolute_error_loss(y_true, y_pred)
    assert np.allclose(per_sample, [0.5, 1.0])
    assert float(kt.ScaledMeanAbsoluteError(scale=3.0)(y_true, y_pred)) == pytest.approx(3 * 0.75)


def test_categorical_true_positives_counts_and_resets():
    metric = kt.CategoricalTruePositives()
    logits = np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]], "float32")
    metric.update_state(np.array([0, 1, 1]), logits)
    assert float(metric.result()) == 2.0
    metric.update_state(np.array([0]), logits[:1], sample_weight=np.array([0.5]))
    assert float(metric.result()) == 2.5
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_mean_prediction():
    assert float(kt.mean_prediction(None, np.array([[1.0, 3.0]], "float32"))) == 2.0


def test_model_with_custom_pieces_reloads_without_custom_objects(tmp_path, seeded):
    data = kt.make_random_classification(n_train=64, seed=0)
    x, y = data["train"]
    model = kt.get_random_data_model()
    model.compile(
        optimizer="adam",
        loss=kt.ScaledMeanAbsoluteError(scale=2.0),
        metrics=[kt.mean_prediction, kt.CategoricalTruePositives()],
    )
    y_onehot = keras.utils.to_categorical(y, 10)
    model.fit(x, y_onehot, epochs=1, verbose=0)
    path = tmp_path / "custom.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)  # registered: no custom_objects needed
    assert reloaded.loss.scale == 2.0
    assert np.allclose(reloaded.predict(x[:5], verbose=0), model.predict(x[:5], verbose=0))
    a = model.evaluate(x, y_onehot, return_dict=True, verbose=0)
    b = reloaded.evaluate(x, y_onehot, return_dict=True, verbose=0)
    assert a == pytest.approx(b)


def test_loss_history_records_every_batch(seeded):
    x, y = kt.make_random_classification(seed=0)["train"]
    model = kt.get_compiled_random_data_model()
    recorder = kt.LossHistory()
    model.fit(x, y, batch_size=250, epochs=3, verbose=0, callbacks=[recorder])
    assert len(recorder.per_batch_losses) == 3 * 4
    assert all(np.isfinite(recorder.per_batch_losses))


def test_categorical_true_positives_result_is_a_tensor_not_its_variable():
    """JAX cannot trace a metric whose `result()` returns its variable ("Triggering
    __jax_array__() during abstractification"), so `fit` failed with it on the JAX backend."""
    metric = kt.CategoricalTruePositives()
    metric.update_state(np.array([1]), np.array([[0.0, 1.0]], "float32"))
    result = metric.result()
    assert not isinstance(result, keras.Variable) and keras.ops.is_tensor(result)
    assert float(result) == 1.0
