"""Chapter 7's exercises: what loss_weights trade, the input names, a targets dict that does
not match the outputs, and a two-input, two-output model to build."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kerastutor.exercises.engine import Exercise, the_experiment
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.engine import bounded as _bounded
from kerastutor.exercises.factories import Property, choice, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 07.loss_weights (predict)

#: The guided experiment's options: how the two validation losses move between the smallest
#: and the largest weight of the class output (the score output keeps weight 1).
_MOVES = {
    "class down, score up": (
        N_(
            "the class loss fell and the score loss rose. Both heads read the same six pooled "
            "numbers, and a heavier class loss pulls the shared filters below them towards the "
            "class's question, away from the score's."
        ),
        N_("that says the shared part of the model serves the class more and the score less."),
    ),
    "class down, score unchanged": (
        N_(
            "the class loss fell and the score loss stayed within 10 %: the shared filters "
            "served both outputs."
        ),
        N_(
            "that would hold if each output had a model of its own. Here the two heads share the "
            "filters below the six pooled numbers, and those filters follow the weighted sum of "
            "both losses' gradients."
        ),
    ),
    "both down": (
        N_("both losses fell: a heavier class loss also helped the score."),
        N_(
            "that says a larger weight only makes training better for everything. But a weight "
            "changes the direction of each step, not only its size (and RMSprop divides the "
            "size away)."
        ),
    ),
    "class up": (
        N_("the class loss rose as it counted more."),
        N_(
            "that says the class gets worse as its loss counts more: the opposite of what a "
            "larger weight pushes towards."
        ),
    ),
}


def _val_losses(result) -> tuple[float, float]:
    """(validation score loss, validation class loss) after the last epoch of a run."""
    logs = result[1] if isinstance(result, tuple) else result
    logs = logs.history if hasattr(logs, "history") else logs
    return float(logs["val_score_output_loss"][-1]), float(logs["val_class_output_loss"][-1])


def _moves_ends(context) -> tuple:
    experiment = the_experiment(context, "07.loss_weights", needs=())
    low, high = min(experiment.values), max(experiment.values)
    return low, high, _val_losses(experiment.result(low)), _val_losses(experiment.result(high))


def _moves_seen(context) -> str:
    """The option the run showed."""
    _low, _high, (score_low, class_low), (score_high, class_high) = _moves_ends(context)
    if class_high >= class_low:
        return "class up"
    if score_high > 1.1 * score_low:
        return "class down, score up"
    if score_high < score_low / 1.1:
        return "both down"
    return "class down, score unchanged"


def _moves_says(pick: str, context) -> str:
    said_if_right, said_if_wrong = _MOVES[pick]
    return _(said_if_right if pick == _moves_seen(context) else said_if_wrong)


def _moves_evidence(pick: str, context) -> str:
    low, high, (score_low, class_low), (score_high, class_high) = _moves_ends(context)
    return _(
        "In the run, from class weight {low:g} to {high:g}, the validation class loss went "
        "{class_low:.3f} → {class_high:.3f} and the validation score loss {score_low:.3f} → "
        "{score_high:.3f} ({ratio:.2f} times as much)."
    ).format(
        low=low,
        high=high,
        class_low=class_low,
        class_high=class_high,
        score_low=score_low,
        score_high=score_high,
        ratio=score_high / score_low,
    )


# ---------------------------------------------------------------- 07.input_names (recall)


def _names(answer) -> frozenset:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise _Malformed(_("expected a list or set of names, got {answer!r}").format(answer=answer))
    names = _bounded(answer, _("this answer"), limit=100)
    if not all(isinstance(name, str) for name in names):
        raise _Malformed(_("expected names (strings)"))
    return frozenset(names)


# ---------------------------------------------------------------- 07.target_keys (debug)

_OUTPUTS = ("score_output", "class_output")


def _records(n: int = 32):
    """Records as a CSV export would give them: (image, series, score, class id)."""
    import tensorflow as tf

    from kerastutor.data import make_multi_input_data

    inputs, targets = make_multi_input_data(n=n, seed=7)
    ids = targets["class_output"].argmax(axis=1)
    columns = (inputs["img_input"], inputs["ts_input"], targets["score_output"], ids)
    return tf.data.Dataset.from_tensor_slices(columns), (inputs, targets)


def _first_pair(function):
    """What the learner's function makes of the first 16 records, as NumPy."""
    records, _data = _records()
    inputs, targets = next(iter(records.map(function).batch(16).as_numpy_iterator()))
    return inputs, targets


def _fits(function) -> bool:
    """A fresh model of the chapter's shape, compiled by output name, fits on what it makes."""
    import keras

    from kerastutor.models import get_multi_io_model

    records, _data = _records()
    model = get_multi_io_model()
    model.compile(
        optimizer="rmsprop",
        loss={
            "score_output": keras.losses.MeanSquaredError(),
            "class_output": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
    )
    history = model.fit(records.map(function).batch(16), epochs=1, shuffle=False, verbose=0)
    return bool(np.isfinite(history.history["loss"][-1]))


def _keys_match(function) -> bool:
    inputs, targets = _first_pair(function)
    return (
        isinstance(inputs, dict)
        and isinstance(targets, dict)
        and (set(inputs) == {"img_input", "ts_input"} and set(targets) == set(_OUTPUTS))
    )


def _keys_say(function) -> str:
    inputs, targets = _first_pair(function)
    if not (isinstance(inputs, dict) and isinstance(targets, dict)):
        # A tuple fits too, by position; the arrays themselves would flood the message.
        return _(
            "it makes the inputs a {inputs} and the targets a {targets}. fit pairs a tuple or "
            "list with the model's outputs by position, and a position can be silently wrong "
            "(section 4's swapped list): keep both dicts and fix their keys."
        ).format(inputs=type(inputs).__name__, targets=type(targets).__name__)
    return _(
        "it makes inputs keyed {inputs} and "
        "targets keyed {targets}: fit matches "
        "each dict with the model's inputs and outputs by name."
    ).format(inputs=sorted(inputs), targets=sorted(targets))


def _values_carried(function) -> bool:
    inputs, targets = _first_pair(function)
    _records_again, (want_inputs, want_targets) = _records()
    return all(
        np.allclose(np.asarray(made, "float64"), want[:16])
        for made, want in (
            (inputs["img_input"], want_inputs["img_input"]),
            (inputs["ts_input"], want_inputs["ts_input"]),
            (np.reshape(targets["score_output"], (-1, 1)), want_targets["score_output"]),
            (targets["class_output"], want_targets["class_output"]),
        )
    )


# ---------------------------------------------------------------- 07.two_by_two (build)

_SPEC_INPUTS = {"customer": (None, 6), "visits": (None, None, 4)}
_SPEC_OUTPUTS = {"spend": (None, 1), "segment": (None, 3)}


def _input_shapes(model) -> dict:
    return {t.name: tuple(t.shape) for t in getattr(model, "inputs", None) or []}


def _output_tensors(model) -> dict:
    """Output name -> symbolic tensor: a dict of outputs is named by its keys, a list by the
    names of the layers that make them (as `compile` and `fit` pair them)."""
    try:
        output = model.output
    except Exception:  # a subclassed model has no symbolic outputs
        return {}
    if isinstance(output, dict):
        return dict(output)
    return dict(zip(model.output_names, getattr(model, "outputs", None) or []))


def _output_shapes(model) -> dict:
    return {name: tuple(t.shape) for name, t in _output_tensors(model).items()}


def _sample(rng, steps: int = 5, n: int = 8) -> dict:
    return {
        "customer": rng.normal(size=(n, 6)).astype("float32"),
        "visits": rng.normal(size=(n, steps, 4)).astype("float32"),
    }


def _predict(model, inputs) -> dict:
    outputs = model.predict(inputs, verbose=0)
    if isinstance(outputs, dict):
        return {name: np.asarray(value) for name, value in outputs.items()}
    return {name: np.asarray(value) for name, value in zip(model.output_names, outputs)}


def _reads_both(model) -> bool:
    """Changing either input changes both outputs."""
    rng = np.random.default_rng(0)
    base = _sample(rng)
    before = _predict(model, base)
    for name in _SPEC_INPUTS:
        changed = dict(base, **{name: base[name] + rng.normal(size=base[name].shape)})
        after = _predict(model, changed.copy())
        if not all(np.abs(after[out] - before[out]).max() > 1e-6 for out in _SPEC_OUTPUTS):
            return False
    return True


def _segment_gives_logits(model) -> bool:
    """The segment head is not squashed into probabilities (softmax or sigmoid: every value in
    [0, 1]); a fresh Dense head's 24 logits are never all there."""
    segment = _predict(model, _sample(np.random.default_rng(2)))["segment"]
    return not bool(np.all((segment >= 0) & (segment <= 1)))


def _trains_on_dicts(model) -> bool:
    """compile by output name, fit one epoch on a tiny batch of dicts, predict another length."""
    import keras

    rng = np.random.default_rng(1)
    model.compile(
        optimizer="rmsprop",
        loss={
            "spend": keras.losses.MeanSquaredError(),
            "segment": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        },
    )
    targets = {
        "spend": rng.normal(size=(8, 1)).astype("float32"),
        "segment": rng.integers(0, 3, size=8),
    }
    history = model.fit(_sample(rng), targets, batch_size=8, epochs=1, verbose=0)
    longer = _predict(model, _sample(rng, steps=9))
    return bool(np.isfinite(history.history["loss"][-1])) and all(
        longer[name].shape == (8, shape[-1]) for name, shape in _SPEC_OUTPUTS.items()
    )


_MOVES_SETUP = """\
# The shape of the chapter's run: class weight -> (model, history) of 8 epochs. The losses are
# real numbers of the chapter's run, stored so that the set-up stays cheap.
seen = {0.1: (0.0994, 1.1491), 0.3: (0.1030, 0.7344), 1.0: (0.1297, 0.3440),
        3.0: (0.2306, 0.1983), 10.0: (0.3232, 0.1347)}
experiment = kt.KnobExperiment(
    run=lambda w: (None, {"val_score_output_loss": [seen[w][0]],
                          "val_class_output_loss": [seen[w][1]]}),
    draw=lambda ax, results, value: None,
    values=list(seen),
    value=1.0,
)
context = {"experiment": experiment}
"""


EXERCISES = [
    Exercise(
        key="07.loss_weights",
        kind="predict",
        prompt=N_(
            "The class output's loss weight grows from 0.1 to 10 (the score output's stays 1). "
            "How do the two validation losses change? One of 'class down, score up', 'class down, "
            "score unchanged', 'both down', 'class up'."
        ),
        checker=choice(
            {name: _moves_says for name in _MOVES},
            right=_moves_seen,
            explain=_moves_evidence,
        ),
        hints=(
            N_(
                "Each head has Dense weights of its own. What do the two heads read, and who "
                "trains the layers below that?"
            ),
            N_("Look at both lines of the plot, at class weight 0.1 and at 10."),
        ),
        solution='answer = "class down, score up"',
        wrong='answer = "class down, score unchanged"',
        setup=_MOVES_SETUP,
    ),
    Exercise(
        key="07.input_names",
        kind="recall",
        prompt=N_(
            "Which keys must the inputs dict passed to fit use for the image + series model?"
        ),
        checker=object_with(
            frozenset,
            [
                Property(
                    lambda names: not names & set(_OUTPUTS),
                    N_("those are output names; they key the targets dict."),
                ),
                Property(
                    lambda names: names == {"img_input", "ts_input"},
                    lambda names: _("{names} are not this model's input names.").format(
                        names=sorted(names)
                    ),
                ),
            ],
            right=N_(
                "Right: the names given to the two keras.Input layers; fit matches the inputs "
                "dict to them by name."
            ),
            convert=_names,
        ),
        hints=(N_("Look at the name= of each keras.Input."),),
        solution="answer = ['img_input', 'ts_input']",
        wrong="answer = ['score_output', 'class_output']",
    ),
    Exercise(
        key="07.target_keys",
        kind="debug",
        prompt=N_(
            "to_model turns each record (image, series, score, class id) into the (inputs, "
            "targets) pair that fit needs, but fit on records.map(to_model) fails. Fix to_model "
            "and hand in the fixed function: the checker maps it over a few records and fits a "
            "fresh model of section 1's shape, compiled with its losses by output name."
        ),
        checker=object_with(
            Callable,
            [
                Property(_fits, N_("fit ran, but its loss is not a finite number.")),
                Property(_keys_match, _keys_say),
                Property(
                    _values_carried,
                    N_(
                        "fit runs, but the pairs do not carry the record's image, series, score "
                        "and one-hot class where the model expects them."
                    ),
                ),
            ],
            right=N_(
                "Right: a targets dict is matched to the model's outputs by key, so its keys "
                "must be the output names, the name= of the output layers (model.output_names)."
            ),
        ),
        hints=(
            N_(
                "fit pairs a targets dict with the model's outputs by key, as a loss dict is "
                "paired in section 4. Compare the keys to_model makes with model.output_names."
            ),
            N_(
                "The string in the error ('str', or the key itself, depending on the backend) is "
                "a key of the dict: Keras could not match the dict to the outputs by name, and "
                "ended up treating its keys as data."
            ),
        ),
        solution=(
            "def to_model(image, series, score, label):\n"
            '    inputs = {"img_input": image, "ts_input": series}\n'
            '    targets = {"score_output": score, "class_output": tf.one_hot(label, 5)}\n'
            "    return inputs, targets\n"
            "\n"
            "\n"
            "answer = to_model"
        ),
        wrong=(
            "def to_model(image, series, score, label):\n"
            '    inputs = {"img_input": image, "ts_input": series}\n'
            '    targets = {"score": score, "class": tf.one_hot(label, 5)}\n'
            "    return inputs, targets\n"
            "\n"
            "\n"
            "answer = to_model"
        ),
    ),
    Exercise(
        key="07.two_by_two",
        kind="build",
        prompt=N_(
            "Build a functional model with two inputs, 'customer' (6 numbers) and 'visits' "
            "(any number of visits, 4 numbers each), and two outputs, 'spend' (1 number) and "
            "'segment' (3 logits), each output reading both inputs."
        ),
        checker=object_with(
            "keras.Model",
            [
                Property(
                    lambda model: set(_input_shapes(model)) == set(_SPEC_INPUTS),
                    lambda model: _(
                        "its inputs are named {names}; the "
                        "spec asks for 'customer' and 'visits' (a functional model built from "
                        "keras.Input layers, each given its name)."
                    ).format(names=sorted(_input_shapes(model))),
                ),
                Property(
                    lambda model: _input_shapes(model) == _SPEC_INPUTS,
                    lambda model: _(
                        "its inputs have the shapes {shapes}: a "
                        "customer is 6 numbers, and the visits are any number of steps of 4 "
                        "numbers (None for the number of steps)."
                    ).format(shapes=_input_shapes(model)),
                ),
                Property(
                    lambda model: set(_output_tensors(model)) == set(_SPEC_OUTPUTS),
                    lambda model: _(
                        "its outputs are named {names}: an "
                        "output's name is the name of the layer that makes it."
                    ).format(names=sorted(_output_tensors(model))),
                ),
                Property(
                    lambda model: _output_shapes(model) == _SPEC_OUTPUTS,
                    lambda model: _(
                        "its outputs have the shapes {shapes}: spend "
                        "is one number, segment three logits."
                    ).format(shapes=_output_shapes(model)),
                ),
                Property(
                    _reads_both,
                    N_(
                        "changing one of the inputs leaves an output unchanged: join the two "
                        "branches, and let both heads read the joined features."
                    ),
                ),
                Property(
                    _segment_gives_logits,
                    N_(
                        "segment gives probabilities (every value between 0 and 1: a softmax or "
                        "sigmoid activation). The spec asks for 3 logits, a Dense layer with no "
                        "activation: the loss applies the softmax itself (from_logits=True)."
                    ),
                ),
                Property(
                    _trains_on_dicts,
                    N_(
                        "it did not train on dicts of inputs and targets, or did not predict for "
                        "another number of visits."
                    ),
                ),
            ],
            right=N_(
                "Right: named inputs and outputs, so fit, evaluate and predict take dicts by "
                "those names, and a time axis of None takes any number of visits."
            ),
        ),
        hints=(
            N_(
                "Start from build_model of section 1: one keras.Input per input, a branch each, "
                "concatenate, then one Dense head per output."
            ),
            N_(
                "The names fit uses are the name= of each keras.Input and of each output layer. A "
                "series of any length needs a time axis of None and a layer that pools over time."
            ),
        ),
        solution=(
            'customer = keras.Input(shape=(6,), name="customer")\n'
            'visits = keras.Input(shape=(None, 4), name="visits")\n'
            'per_visit = keras.layers.Conv1D(8, 1, activation="relu")(visits)\n'
            "visit_features = keras.layers.GlobalMaxPooling1D()(per_visit)\n"
            "joined = keras.layers.concatenate([customer, visit_features])\n"
            'spend = keras.layers.Dense(1, name="spend")(joined)\n'
            'segment = keras.layers.Dense(3, name="segment")(joined)\n'
            "answer = keras.Model([customer, visits], [spend, segment])"
        ),
        wrong=(
            'customer = keras.Input(shape=(6,), name="customer")\n'
            'visits = keras.Input(shape=(None, 4), name="visits")\n'
            'per_visit = keras.layers.Conv1D(8, 1, activation="relu")(visits)\n'
            "visit_features = keras.layers.GlobalMaxPooling1D()(per_visit)\n"
            "joined = keras.layers.concatenate([customer, visit_features])\n"
            "spend = keras.layers.Dense(1)(joined)\n"
            "segment = keras.layers.Dense(3)(joined)\n"
            "answer = keras.Model([customer, visits], [spend, segment])"
        ),
    ),
]
