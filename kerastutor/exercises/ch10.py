"""Chapter 10's exercises: a prediction about what survives save → edit → reload, a custom
layer to build so that it survives saving, and a prediction function to debug.

Keras is imported inside the helpers, so the catalogue stays light.
"""

from __future__ import annotations

import functools
import os
import tempfile

import numpy as np

from kerastutor.exercises.engine import Exercise, the_experiment
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.factories import Case, Property, callable_on, choice, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 10.edit_reload

#: The guided experiment's knob: what changes between saving and loading back.
EDITS = ("nothing", "edited after saving", "no Rescaling", "Dense(32)", "whole .keras file")
SAME = 1e-6  # a largest probability change below this is "the same predictions"


def _outcomes(context) -> dict:
    """Every edit's result in the learner's experiment (each run once if it has not been)."""
    experiment = the_experiment(context, "10.edit_reload")
    return {edit: experiment.result(edit) for edit in EDITS}


def _silent_change(context) -> str:
    """The edit whose reload raised nothing and yet moved the predictions (the first such)."""
    for edit, outcome in _outcomes(context).items():
        if outcome["error"] is None and outcome["largest change"] > 1e-3:
            return edit
    return "none of them"


_WHY_THE_SAME = {
    "nothing": N_("Saving and loading the weights into the same code is a faithful round trip."),
    "edited after saving": N_(
        "The file was written before the edit: it holds the weights as they "
        "were at that moment, and the change to the model in memory never reached it."
    ),
    "whole .keras file": N_(
        "load_model rebuilds the architecture from the file itself, not from "
        "build_model, so an edit of that code does not reach it."
    ),
}


def _edit_evidence(pick, context) -> str:
    outcome = _outcomes(context)[pick]
    if outcome["error"] is not None:
        return _(
            "with that edit the reload did not pass silently: it raised {error}. A "
            "loud failure is the good case: nobody predicts with that model."
        ).format(error=outcome["error"])
    change, share = outcome["largest change"], outcome["digits changed"]
    if change < SAME:
        why = _(_WHY_THE_SAME[pick]) if pick in _WHY_THE_SAME else ""
        return (
            _(
                "with that edit the reloaded model's probabilities differ from the saved model's "
                "by at most {change:.1g}: the same predictions. {why}"
            )
            .format(change=change, why=why)
            .strip()
        )
    return _(
        "with that edit the model loaded without a word, yet its probabilities moved by up to "
        "{change:.2f}, and {share:.1%} of its predicted digits changed. The Rescaling layer "
        "has no weights, so the weights file has nothing to miss: the saved Dense weights load "
        "into a model that now sees raw pixels of 0 to 255."
    ).format(change=change, share=share)


_EDIT_OPTIONS = dict.fromkeys(EDITS, _edit_evidence)

# ---------------------------------------------------------------- 10.standardize

_MEAN = np.array([1.0, 2.0, 3.0], dtype="float32")
_STD = np.array([2.0, 4.0, 8.0], dtype="float32")
_X = np.array([[1.0, 2.0, 3.0], [5.0, 10.0, 19.0], [-1.0, 0.0, 11.0]], dtype="float32")


def _as_layer_class(answer):
    import keras

    if not (isinstance(answer, type) and issubclass(answer, keras.layers.Layer)):
        raise _Malformed(
            _("hand in the class itself (a keras.layers.Layer subclass), got {got}").format(
                got=type(answer).__name__
            )
        )
    return answer


def _standardizes(cls) -> bool:
    out = np.asarray(cls(mean=_MEAN, std=_STD)(_X))
    return out.shape == _X.shape and np.allclose(out, (_X - _MEAN) / _STD, atol=1e-5)


def _standardize_failure(cls) -> str:
    out = np.asarray(cls(mean=_MEAN, std=_STD)(_X))
    return _(
        "with mean={mean} and std={std} it turns {x} into {out}, not (x - mean) / std."
    ).format(
        mean=_MEAN.tolist(),
        std=_STD.tolist(),
        x=_X[1].tolist(),
        out=np.round(out[1], 4).tolist() if out.ndim == 2 else out,
    )


def _registered(cls) -> bool:
    import keras

    return keras.saving.get_registered_object(keras.saving.get_registered_name(cls)) is cls


def _registered_failure(cls) -> str:
    import keras

    return _(
        "a saved model records this layer by the name {name!r}, "
        "and Keras has no class registered under that name: load_model in a fresh session could "
        "not find the code."
    ).format(name=keras.saving.get_registered_name(cls))


def _save(cls, folder: str) -> tuple[str, np.ndarray]:
    import keras

    model = keras.Sequential([keras.Input((3,)), cls(mean=_MEAN, std=_STD)])
    path = os.path.join(folder, "standardize.keras")
    model.save(path)
    return path, model.predict(_X, verbose=0)


def _saves(cls) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        try:
            _save(cls, folder)
        except NotImplementedError:
            return False
    return True


def _arrays_in(value, where: str = "") -> list[str]:
    """Where in a configuration NumPy arrays sit (keys, nested), e.g. ['mean', 'std']."""
    if isinstance(value, np.ndarray):
        return [where or _("the configuration")]
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in _arrays_in(item, f"{where}{key}")]
    if isinstance(value, (list, tuple)):
        return [f for i, item in enumerate(value) for f in _arrays_in(item, f"{where}[{i}]")]
    return []


def _config_without_arrays(cls) -> bool:
    # Arrays in the configuration are a mistake only if loading then fails: a from_config of
    # the learner's own may turn Keras's '__numpy__' dicts back into arrays.
    return not _arrays_in(cls(mean=_MEAN, std=_STD).get_config()) or _loads(cls)


def _arrays_failure(cls) -> str:
    found = " and ".join(repr(key) for key in _arrays_in(cls(mean=_MEAN, std=_STD).get_config()))
    return _(
        "its get_config() returns {found} as NumPy arrays. The model saves, but Keras writes "
        "each array into the file as a dict, {{'class_name': '__numpy__', 'config': {{'value': "
        "[...], 'dtype': ...}}}}, and on load it hands that dict, not an array, back to the "
        "layer, and here loading failed ({error}). Store plain lists in the configuration "
        "instead (an array's .tolist() gives one), or turn the dicts back into arrays in a "
        "from_config of your own."
    ).format(found=found, error=_load_error(cls))


def _load_error(cls) -> str | None:
    """Why load_model could not rebuild a saved model holding the layer (None if it could)."""
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path, _predictions = _save(cls, folder)
        try:
            keras.models.load_model(path)
        except Exception as exc:  # Keras wraps the cause: report the innermost one
            causes = str(exc).split("Exception encountered:")
            return f"{type(exc).__name__}: {causes[-1].strip()[:200]}"
    return None


def _loads(cls) -> bool:
    return _load_error(cls) is None


def _load_failure(cls) -> str:
    return _(
        "load_model could not rebuild the layer from the file ({error}). What does "
        "the file hold of its arguments, and what does __init__ receive back?"
    ).format(error=_load_error(cls))


def _survives(cls) -> bool:
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path, before = _save(cls, folder)
        after = keras.models.load_model(path).predict(_X, verbose=0)
    return np.allclose(before, after, atol=1e-6)


def _survive_failure(cls) -> str:
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path, before = _save(cls, folder)
        after = keras.models.load_model(path).predict(_X, verbose=0)
    return _(
        "after a save and load_model it turns {x} into "
        "{after} instead of {before}: "
        "mean or std did not come back as they were given."
    ).format(
        x=_X[1].tolist(),
        after=np.round(after[1], 4).tolist(),
        before=np.round(before[1], 4).tolist(),
    )


# ---------------------------------------------------------------- 10.predict_digits


@functools.lru_cache(maxsize=1)
def _digits_case():
    """A small digits model with its preprocessing inside (seeded weights), and raw images."""
    import keras

    rng = np.random.default_rng(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    model.set_weights(
        [rng.normal(0, 0.1, (784, 10)).astype("float32"), rng.normal(0, 1, 10).astype("float32")]
    )
    images = rng.integers(0, 256, size=(64, 28, 28), dtype=np.uint8)
    return model, images


def _model_digits(model, images):
    return np.argmax(model.predict(images, verbose=0), axis=1)


def _double_scaled(model, images):
    return np.argmax(model.predict(images.astype("float32") / 255.0, verbose=0), axis=1)


# ---------------------------------------------------------------- the catalogue

_SKELETON = """class Standardize(keras.layers.Layer):
    # (x - mean) / std, feature by feature; mean and std hold one number per feature.
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")

    def call(self, x):
        return (x - self.mean) / self.std
"""

_BUGGY_PREDICT = """def predict_digits(model, images):
    # The predicted digit of each raw image (uint8, 28 x 28), as the app calls it.
    x = images.astype("float32") / 255.0  # prepare the images as every chapter did
    logits = model.predict(x, verbose=0)
    return logits.argmax(axis=1)
"""

EXERCISES = [
    Exercise(
        key="10.edit_reload",
        kind="predict",
        prompt=N_(
            "After saving, one thing is changed, then the model is loaded back: which edit "
            "gives a model that loads without any error, yet predicts differently from the model "
            "that was saved? One of 'nothing', 'edited after saving', 'no Rescaling', 'Dense(32)', "
            "'whole .keras file'."
        ),
        checker=choice(_EDIT_OPTIONS, _silent_change),
        hints=(
            N_(
                "Think about what each file holds: a .weights.h5 file only the weights' numbers, "
                "layer by layer, a .keras file the architecture too. For each edit, do the saved "
                "numbers still fit the model they are loaded into, and would a mismatch be noticed?"
            ),
            N_(
                "A weights file holds numbers, and load_weights pours them into whatever your code "
                "built. Which layer of build_model has no numbers of its own, so that nothing in "
                "the file notices it is gone?"
            ),
        ),
        solution=(
            "# read the plot, or the results behind it\n"
            "outcomes = {edit: experiment.result(edit) for edit in experiment.values}\n"
            "answer = next(edit for edit, outcome in outcomes.items()\n"
            "              if outcome['error'] is None and outcome['largest change'] > 1e-3)"
        ),
        wrong="answer = 'edited after saving'",
        setup=(
            "same = {'error': None, 'largest change': 0.0, 'digits changed': 0.0}\n"
            "outcomes = {\n"
            "    'nothing': same, 'edited after saving': same, 'whole .keras file': same,\n"
            "    'no Rescaling': {'error': None, 'largest change': 0.80,\n"
            "                     'digits changed': 0.015},\n"
            "    'Dense(32)': {'error': 'ValueError: variable.shape=(784, 32), Received: '\n"
            "                  'value.shape=(784, 64)', 'largest change': None,\n"
            "                  'digits changed': None},\n"
            "}\n"
            "experiment = kt.KnobExperiment(run=outcomes.get, draw=lambda ax, results, value: "
            "None, values=list(outcomes), knob='edit')\n"
            "context = {'experiment': experiment}"
        ),
    ),
    Exercise(
        key="10.standardize",
        kind="build",
        prompt=N_(
            "Complete the layer Standardize(mean, std), which computes (x - mean) / std with "
            "one mean and one std per feature (NumPy arrays), so that a model holding it survives "
            "model.save('....keras') and keras.models.load_model with no custom_objects: the "
            "reloaded model computes exactly what the saved one did."
        ),
        checker=object_with(
            type,
            [
                Property(_standardizes, _standardize_failure),
                Property(_registered, _registered_failure),
                Property(
                    _saves,
                    N_(
                        "a model holding it cannot be saved: Keras cannot write NumPy arrays given "
                        "to __init__ into the file's configuration by itself, so the layer has to "
                        "describe its own arguments."
                    ),
                ),
                Property(_config_without_arrays, _arrays_failure),
                Property(_loads, _load_failure),
                Property(_survives, _survive_failure),
            ],
            right=N_(
                "Right: registered under a name, with a configuration JSON can hold, the "
                "layer comes back from the file computing exactly what it computed before."
            ),
            convert=_as_layer_class,
        ),
        hints=(
            N_(
                "Three things must hold: Keras must find the class by name when it loads, it must "
                "be able to write the layer's arguments into the file, and __init__ must accept "
                "what comes back. Section 5 did the first two for a loss."
            ),
            N_(
                "The configuration is stored as JSON. A NumPy array in it is written as a dict "
                "({'class_name': '__numpy__', ...}), and on load __init__ receives that dict, not "
                "an array. Plain lists come back as lists: arrays have a method that turns them "
                "into lists, and __init__ here already turns lists back into arrays."
            ),
        ),
        solution=(
            '@keras.saving.register_keras_serializable(package="course")\n'
            + _SKELETON
            + "\n    def get_config(self):\n"
            "        # JSON holds lists, not arrays; __init__ turns them back into arrays\n"
            "        config = super().get_config()\n"
            "        config.update(mean=self.mean.tolist(), std=self.std.tolist())\n"
            "        return config\n"
            "\n\nanswer = Standardize"
        ),
        wrong=_SKELETON + "\n\nanswer = Standardize",
    ),
    Exercise(
        key="10.predict_digits",
        kind="debug",
        prompt=N_(
            "predict_digits(model, images) should return the digit the reloaded model "
            "predicts for each raw image, but its accuracy on the validation images is far below "
            "the model's. Find the bug, fix the function, and hand it in."
        ),
        checker=callable_on(
            [
                Case(
                    args=_digits_case,
                    expected=_model_digits,
                    label=N_("64 raw images and a model with Rescaling inside"),
                )
            ],
            right=N_(
                "Right: the model rescales by itself (its first layer), so the raw images go "
                "in as they are, and the digits are the model's own."
            ),
            mistakes=[
                (
                    _double_scaled,
                    N_(
                        "its digits are those the model gives for images scaled down twice: once "
                        "by the function, and once more by the model itself. Every pixel reaches "
                        "the Dense layers 255 times too small."
                    ),
                )
            ],
            otherwise=N_("these are not the digits this model predicts for those raw images."),
        ),
        hints=(
            N_(
                "What does the loaded model's first layer do to every image it receives? Print "
                "loaded.layers[0].get_config()."
            ),
            N_(
                "Follow one pixel of 255 through the function and then through the model: what "
                "value reaches the first Dense layer, and what value did it see in training?"
            ),
        ),
        solution=(
            "def predict_digits(model, images):\n"
            "    logits = model.predict(images, verbose=0)  # the model rescales by itself\n"
            "    return logits.argmax(axis=1)\n"
            "\n"
            "answer = predict_digits"
        ),
        wrong=_BUGGY_PREDICT + "\n\nanswer = predict_digits",
    ),
]
