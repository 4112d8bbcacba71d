"""Chapter 7's exercises beyond the generic tests: the prediction follows the run it is given,
the debug checker runs the fixed function (and rejects fixes that only look right), and the
build checker tells each departure from the spec."""

import keras
import pytest
import tensorflow as tf

import kerastutor as kt


def _experiment(losses):
    """A knob whose runs return (model, history) as the chapter's do, from stored losses."""
    ran = []

    def run(weight):
        ran.append(weight)
        score, klass = losses[weight]
        return None, {"val_score_output_loss": [score], "val_class_output_loss": [klass]}

    experiment = kt.KnobExperiment(run, lambda ax, r, v: None, values=sorted(losses), value=1.0)
    return experiment, ran


def test_the_prediction_is_compared_with_the_run_it_is_given(capsys):
    experiment, ran = _experiment({0.1: (0.1, 1.1), 1.0: (0.13, 0.34), 10.0: (0.32, 0.13)})
    experiment.result()  # the default only: the check runs both ends
    assert kt.check("07.loss_weights", "class down, score up", experiment=experiment)
    assert ran == [1.0, 0.1, 10.0]
    assert "1.100 → 0.130" in capsys.readouterr().out

    # separate models would leave the score alone: then that is the right answer
    separate, _ = _experiment({0.1: (0.1, 1.1), 1.0: (0.1, 0.34), 10.0: (0.102, 0.13)})
    assert kt.check("07.loss_weights", "class down, score unchanged", experiment=separate)
    assert not kt.check("07.loss_weights", "class down, score up", experiment=separate)


def test_the_prediction_asks_for_the_experiment(capsys):
    assert not kt.check("07.loss_weights", "both down")
    assert "experiment=experiment" in capsys.readouterr().out


def _to_model(score_key="score_output", class_key="class_output", one_hot=True, swap=False):
    def to_model(image, series, score, label):
        klass = tf.one_hot(label, 5) if one_hot else label
        if swap:  # the right keys, the wrong values: the one-hot class under the score's name
            score, klass = tf.one_hot(label, 1), tf.one_hot(label, 5)
        return {"img_input": image, "ts_input": series}, {score_key: score, class_key: klass}

    return to_model


def test_the_fixed_function_passes_and_the_bug_shows_its_real_error(capsys):
    assert kt.check("07.target_keys", _to_model())
    capsys.readouterr()
    assert not kt.check("07.target_keys", _to_model("score", "class"))
    said = capsys.readouterr().out  # what fit really raises, in each backend's words
    # TensorFlow: "of type 'str'"; JAX: "string to float: 'class'"; torch: "Invalid dtype: str"
    assert any(words in said for words in ("of type 'str'", "to float: 'class'", "dtype: str"))


@pytest.mark.parametrize(
    "answer",
    [
        _to_model("score_output", "class"),  # one key fixed, one not
        _to_model(one_hot=False),  # class ids where the loss wants one-hot vectors
        _to_model(swap=True),  # keys right, values wrong
    ],
)
def test_fixes_that_only_look_right_are_not_yet(answer):
    assert not kt.check("07.target_keys", answer)


def test_a_tuple_that_fits_by_position_is_told_to_keep_the_dicts_briefly(capsys):
    def by_position(image, series, score, label):
        return {"img_input": image, "ts_input": series}, (score, tf.one_hot(label, 5))

    assert not kt.check("07.target_keys", by_position)
    said = capsys.readouterr().out
    assert "targets a tuple" in said and "keep both dicts" in said
    assert "array(" not in said and len(said) < 2000  # no batch of arrays in the message


def _shop_model(
    names=True, visits_shape=(None, 4), use_visits=True, pool=True, activation=None, as_dict=False
):
    customer = keras.Input(shape=(6,), name="customer")
    visits = keras.Input(shape=visits_shape, name="visits")
    per_visit = keras.layers.Dense(8, activation="relu")(visits)
    if pool:
        features = keras.layers.GlobalAveragePooling1D()(per_visit)
    else:
        features = keras.layers.Flatten()(per_visit)
    joined = keras.layers.concatenate([customer, features]) if use_visits else customer
    spend = keras.layers.Dense(1, name="spend" if names else None)(joined)
    segment = keras.layers.Dense(3, name="segment" if names else None, activation=activation)(
        joined
    )
    if as_dict:  # outputs named by the dict's keys, whatever the layers are called
        return keras.Model([customer, visits], {"spend": spend, "segment": segment})
    return keras.Model([customer, visits], [spend, segment])


def test_a_model_to_the_spec_passes_also_with_dict_inputs_and_outputs():
    assert kt.check("07.two_by_two", _shop_model())
    customer = keras.Input(shape=(6,), name="customer")
    visits = keras.Input(shape=(None, 4), name="visits")
    joined = keras.layers.concatenate([customer, keras.layers.GRU(4)(visits)])
    model = keras.Model(
        {"customer": customer, "visits": visits},
        {
            "spend": keras.layers.Dense(1, name="spend")(joined),
            "segment": keras.layers.Dense(3, name="segment")(joined),
        },
    )
    assert kt.check("07.two_by_two", model)


def test_a_dict_of_outputs_is_named_by_its_keys():
    # Keras pairs losses and targets with the keys of a dict of outputs, not the layer names
    # (here dense_*): a right answer, which the checker once rejected.
    model = _shop_model(names=False, as_dict=True)
    assert sorted(model.output_names) != ["segment", "spend"]
    assert kt.check("07.two_by_two", model)


@pytest.mark.parametrize("activation", ["softmax", "sigmoid"])
def test_probabilities_where_the_spec_asks_for_logits_are_not_yet(activation, capsys):
    assert not kt.check("07.two_by_two", _shop_model(activation=activation))
    said = capsys.readouterr().out
    assert "segment gives probabilities" in said and "from_logits=True" in said


@pytest.mark.parametrize(
    "model, said",
    [
        (lambda: _shop_model(visits_shape=(5, 4), pool=False), "any number of steps"),
        (lambda: _shop_model(use_visits=False), "leaves an output unchanged"),
        (lambda: _shop_model(names=False), "an output's name"),
    ],
)
def test_the_build_checker_names_each_departure_from_the_spec(model, said, capsys):
    assert not kt.check("07.two_by_two", model())
    assert said in capsys.readouterr().out


def test_a_subclassed_model_is_told_to_use_the_functional_api(capsys):
    class Shop(keras.Model):
        def call(self, inputs):
            return inputs

    assert not kt.check("07.two_by_two", Shop())
    assert "functional model" in capsys.readouterr().out
