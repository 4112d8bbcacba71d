"""The tutorials' models, their custom losses and metrics, and name lookups with clear errors.

Every builder returns a plain `keras.Model`; nothing here wraps or subclasses the model, so a
learner can call `fit`, `summary` or `save` on it as on any Keras model.

Example:

>>> import kerastutor as kt
>>> model = kt.get_digits_model()
>>> [layer.name for layer in model.layers]
['digits', 'dense_1', 'dense_2', 'predictions']
>>> model.count_params()
55050
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import keras
from keras import layers, ops

from kerastutor.i18n import gettext as _

__all__ = [
    "get_quickstart_model",
    "get_digits_model",
    "get_compiled_digits_model",
    "get_random_data_model",
    "get_compiled_random_data_model",
    "get_multi_io_model",
    "get_compiled_multi_io_model",
    "get_optimizer",
    "get_loss",
    "get_metric",
    "OPTIMIZERS",
    "mean_absolute_error_loss",
    "ScaledMeanAbsoluteError",
    "mean_prediction",
    "CategoricalTruePositives",
]

# ---------------------------------------------------------------- models


def get_quickstart_model(dropout: float = 0.2) -> keras.Sequential:
    """Chapter 1's MNIST classifier: Flatten(28x28) -> Dense(128, relu) -> Dropout -> Dense(10).

    The last layer has no activation, so the model outputs logits (101,770 parameters).

    >>> get_quickstart_model().count_params()
    101770
    """
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28), name="image"),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(10),
        ],
        name="quickstart",
    )


def get_digits_model() -> keras.Model:
    """The functional "digits" MLP, 784 -> 64 -> 64 -> 10 logits, uncompiled (55,050 parameters).

    Layer names are the tutorial's: `digits` (input), `dense_1`, `dense_2`, `predictions`.
    Feed it images flattened to 784 floats in [0, 1].

    >>> get_digits_model().output.shape
    (None, 10)
    """
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="digits_mlp")


def _compile(
    model: keras.Model,
    optimizer: str | keras.optimizers.Optimizer,
    learning_rate: float | None,
    loss: Any,
    metrics: Any,
    compile_kwargs: dict,
) -> keras.Model:
    """The shared body of the `get_compiled_*` builders: they differ only in their defaults."""
    model.compile(
        optimizer=get_optimizer(optimizer, learning_rate),
        loss=loss,
        metrics=metrics,
        **compile_kwargs,
    )
    return model


def get_compiled_digits_model(
    optimizer: str | keras.optimizers.Optimizer = "rmsprop",
    learning_rate: float | None = 1e-3,
    loss: Any = None,
    metrics: Any = None,
    **compile_kwargs: Any,
) -> keras.Model:
    """`get_digits_model()` compiled as the tutorial does it.

    Every `get_compiled_*` builder takes the same arguments: `optimizer` (a name or an object),
    `learning_rate`, `loss` and `metrics` (None: the tutorial's), and any other `compile`
    argument by keyword. Here the defaults are RMSprop at 1e-3,
    `SparseCategoricalCrossentropy(from_logits=True)` and `sparse_categorical_accuracy`.

    >>> model = get_compiled_digits_model(optimizer="adam", learning_rate=0.01)
    >>> type(model.optimizer).__name__, round(float(model.optimizer.learning_rate), 4)
    ('Adam', 0.01)
    """
    return _compile(
        get_digits_model(),
        optimizer,
        learning_rate,
        keras.losses.SparseCategoricalCrossentropy(from_logits=True) if loss is None else loss,
        ["sparse_categorical_accuracy"] if metrics is None else metrics,
        compile_kwargs,
    )


def get_random_data_model(n_features: int = 32, n_classes: int = 10) -> keras.Model:
    """The functional MLP used on the random 1000x32 data: n_features -> 64 -> 64 -> n_classes.

    >>> get_random_data_model().count_params()
    6922
    """
    inputs = keras.Input(shape=(n_features,), name="features")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(n_classes, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="random_data_mlp")


def get_compiled_random_data_model(
    optimizer: str | keras.optimizers.Optimizer = "adam",
    learning_rate: float | None = 1e-3,
    loss: Any = None,
    metrics: Any = None,
    **compile_kwargs: Any,
) -> keras.Model:
    """`get_random_data_model()` compiled (same arguments as `get_compiled_digits_model`):
    Adam, sparse crossentropy on logits and accuracy by default."""
    return _compile(
        get_random_data_model(),
        optimizer,
        learning_rate,
        keras.losses.SparseCategoricalCrossentropy(from_logits=True) if loss is None else loss,
        ["accuracy"] if metrics is None else metrics,
        compile_kwargs,
    )


def get_multi_io_model(timesteps: int | None = None, n_classes: int = 5) -> keras.Model:
    """Two inputs, two outputs: an image (32, 32, 3) and a time series (timesteps, 10) in,
    a `score_output` (1) and `class_output` (n_classes logits) out; 219 parameters.

    >>> model = get_multi_io_model()
    >>> model.input_names if hasattr(model, "input_names") else [t.name for t in model.inputs]
    ['img_input', 'ts_input']
    >>> model.output_names, model.count_params()
    (['score_output', 'class_output'], 219)
    """
    image_input = keras.Input(shape=(32, 32, 3), name="img_input")
    series_input = keras.Input(shape=(timesteps, 10), name="ts_input")
    image_features = layers.GlobalMaxPooling2D()(layers.Conv2D(3, 3)(image_input))
    series_features = layers.GlobalMaxPooling1D()(layers.Conv1D(3, 3)(series_input))
    joined = layers.concatenate([image_features, series_features])
    score_output = layers.Dense(1, name="score_output")(joined)
    class_output = layers.Dense(n_classes, name="class_output")(joined)
    return keras.Model(
        inputs=[image_input, series_input],
        outputs=[score_output, class_output],
        name="image_and_series",
    )


def get_compiled_multi_io_model(
    optimizer: str | keras.optimizers.Optimizer = "rmsprop",
    learning_rate: float | None = 1e-3,
    loss: Any = None,
    metrics: Any = None,
    **compile_kwargs: Any,
) -> keras.Model:
    """`get_multi_io_model()` compiled with a loss and metrics per output name (same arguments
    as `get_compiled_digits_model`; `loss_weights=` goes through to `compile`).

    `score_output`: mean squared error, tracked with mean absolute error.
    `class_output`: categorical crossentropy on logits, tracked with categorical accuracy.

    >>> model = get_compiled_multi_io_model(loss_weights={"score_output": 2.0, "class_output": 1.0})
    >>> type(model.optimizer).__name__
    'RMSprop'
    """
    default_loss = {
        "score_output": keras.losses.MeanSquaredError(),
        "class_output": keras.losses.CategoricalCrossentropy(from_logits=True),
    }
    default_metrics = {
        "score_output": [keras.metrics.MeanAbsoluteError()],
        "class_output": [keras.metrics.CategoricalAccuracy()],
    }
    return _compile(
        get_multi_io_model(),
        optimizer,
        learning_rate,
        default_loss if loss is None else loss,
        default_metrics if metrics is None else metrics,
        compile_kwargs,
    )


# ---------------------------------------------------------------- name lookups

#: The optimizers the course's widgets offer, by the name `compile` accepts.
OPTIMIZERS = ("sgd", "rmsprop", "adam")


def _public_names(module: Any, getter: Callable[[str], Any]) -> list[str]:
    """The lower-case names that `getter` (e.g. `keras.losses.get`) resolves, for error text."""
    names = []
    for name in [*dir(module), "mse", "mae", "mape", "msle", "kld", "bce"]:
        if (
            name.startswith("_")
            or name != name.lower()
            or name in ("get", "serialize", "deserialize")
        ):
            continue
        try:
            getter(name)
        except Exception:
            continue
        names.append(name)
    return sorted(set(names))


def _unknown(kind: str, name: str, valid: list[str]) -> ValueError:
    close = difflib.get_close_matches(name.lower(), valid, n=3, cutoff=0.6)
    hint = _(" Did you mean {names}?").format(names=", ".join(repr(c) for c in close))
    message = _("Unknown {kind} {name!r}.{hint} Valid names: {valid}.")
    return ValueError(
        message.format(kind=kind, name=name, hint=hint if close else "", valid=", ".join(valid))
    )


def get_optimizer(
    name: str | keras.optimizers.Optimizer, learning_rate: float | Any | None = None, **kwargs: Any
) -> keras.optimizers.Optimizer:
    """Return a fresh Keras optimizer from its name, e.g. `get_optimizer("sgd", 0.1, momentum=0.9)`.

    An optimizer object is returned unchanged. An unknown name raises a ValueError that lists
    the valid names and suggests the closest one.

    >>> type(get_optimizer("rmsprop", 1e-3)).__name__
    'RMSprop'
    """
    if isinstance(name, keras.optimizers.Optimizer):
        return name
    if not isinstance(name, str):
        message = _("optimizer must be a name or a keras.optimizers.Optimizer, not {name!r}.")
        raise TypeError(message.format(name=name))
    classes = {
        cls.__name__.lower(): cls
        for cls in vars(keras.optimizers).values()
        if isinstance(cls, type)
        and issubclass(cls, keras.optimizers.Optimizer)
        and cls is not keras.optimizers.Optimizer
        and cls.__name__ != "LossScaleOptimizer"
    }
    cls = classes.get(name.lower())
    if cls is None:
        raise _unknown("optimizer", name, sorted(classes))
    if learning_rate is not None:
        kwargs["learning_rate"] = learning_rate
    return cls(**kwargs)


def get_loss(name: str | Callable) -> Callable:
    """Return a Keras loss from its name (`"mse"`, `"sparse_categorical_crossentropy"`, ...).

    An unknown name raises a ValueError that lists the valid names.

    >>> get_loss("mse").__name__
    'mean_squared_error'
    """
    if not isinstance(name, str):
        return name
    try:
        return keras.losses.get(name)
    except ValueError:
        raise _unknown("loss", name, _public_names(keras.losses, keras.losses.get)) from None


_COMPILE_METRIC_NAMES = ("accuracy", "acc", "crossentropy", "ce")


def get_metric(name: str | Any) -> Any:
    """Check a metric name the way `compile(metrics=[...])` reads it, and return it.

    `"accuracy"`/`"acc"` are returned as strings: `compile` picks binary, categorical or
    sparse accuracy from the loss. Other names resolve through `keras.metrics.get`.

    >>> type(get_metric("sparse_categorical_accuracy")).__name__
    'SparseCategoricalAccuracy'
    """
    if not isinstance(name, str) or name in _COMPILE_METRIC_NAMES:
        return name
    try:
        return keras.metrics.get(name)
    except ValueError:
        valid = sorted(
            set(_public_names(keras.metrics, keras.metrics.get)) | set(_COMPILE_METRIC_NAMES)
        )
        raise _unknown("metric", name, valid) from None


# ---------------------------------------------------------------- custom pieces


@keras.saving.register_keras_serializable(package="kerastutor")
def mean_absolute_error_loss(y_true, y_pred):
    """A loss written as a plain function: the mean absolute difference, one value per sample."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


@keras.saving.register_keras_serializable(package="kerastutor")
class ScaledMeanAbsoluteError(keras.losses.Loss):
    """A loss written as a `keras.losses.Loss` subclass: `scale * mean(|y_true - y_pred|)`.

    A subclass can hold settings (here `scale`) and saves them through `get_config`, so a
    model compiled with it reloads with the same setting.

    >>> loss = ScaledMeanAbsoluteError(scale=2.0)
    >>> float(loss([[0.0, 1.0]], [[1.0, 1.0]]))
    1.0
    """

    def __init__(self, scale: float = 1.0, name: str = "scaled_mean_absolute_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * mean_absolute_error_loss(y_true, y_pred)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="kerastutor")
def mean_prediction(y_true, y_pred):
    """A metric written as a function: the mean of the model's outputs (`keras.ops.mean`)."""
    return ops.mean(y_pred)


@keras.saving.register_keras_serializable(package="kerastutor")
class CategoricalTruePositives(keras.metrics.Metric):
    """A stateful metric: how many samples the model classified correctly, summed over an epoch.

    Takes integer (or one-hot) labels and per-class scores (logits or probabilities).
    `reset_state` (Keras 3's name; Keras 2 called it `reset_states`) zeroes the count at the
    start of each epoch.

    >>> metric = CategoricalTruePositives()
    >>> metric.update_state([1, 0, 2], [[0.1, 0.9, 0.0], [0.8, 0.2, 0.0], [0.5, 0.4, 0.1]])
    >>> float(metric.result())
    2.0
    """

    def __init__(self, name: str = "categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="tp")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
        predicted = ops.argmax(y_pred, axis=-1)
        if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == y_pred.shape[-1] != 1:
            y_true = ops.argmax(y_true, axis=-1)  # one-hot labels
        labels = ops.reshape(ops.cast(y_true, predicted.dtype), ops.shape(predicted))
        hits = ops.cast(ops.equal(labels, predicted), "float32")
        if sample_weight is not None:
            hits = hits * ops.reshape(ops.cast(sample_weight, "float32"), ops.shape(hits))
        self.true_positives.assign_add(ops.sum(hits))

    def result(self):
        # A tensor, not the variable itself (as Keras's own Sum does): JAX cannot trace a Keras
        # variable returned as is, and on TensorFlow convert_to_tensor would return it unchanged.
        return ops.cast(self.true_positives, self.dtype)

    def reset_state(self):
        self.true_positives.assign(0.0)
