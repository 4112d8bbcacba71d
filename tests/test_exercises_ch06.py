"""Chapter 6's exercises beyond the generic tests: the prediction follows the run it is given,
and the debug checker rejects each way a weighted pipeline can go wrong, not only the original
bug."""

import numpy as np
import pytest
import tensorflow as tf

import kerastutor as kt

RNG = np.random.default_rng(0)
X = RNG.random((300, 16)).astype("float32")
Y = np.arange(300) % 10
W = np.where(Y == 5, 4.0, 1.0)
DATA = {"images": X, "labels": Y, "weights": W}


def check(answer, capsys, **context):
    result = kt.check("06.aligned", answer, **(DATA | context))
    return result.right, capsys.readouterr().out


def test_the_aligned_fix_passes_batched_or_not(capsys):
    together = tf.data.Dataset.from_tensor_slices((X, Y, W)).shuffle(300, seed=3)
    assert check(together.batch(64), capsys)[0]
    assert check(together, capsys)[0]  # one sample at a time is fine too


@pytest.mark.parametrize(
    "make, said",
    [
        # images shuffled apart from their labels and weights
        (
            lambda: tf.data.Dataset.zip(
                tf.data.Dataset.from_tensor_slices(X).shuffle(300, seed=1),
                tf.data.Dataset.from_tensor_slices((Y, W)),
            ).map(lambda x, yw: (x, yw[0], yw[1])),
            "another image's label",
        ),
        # the original bug: the weights added after the shuffle
        (
            lambda: tf.data.Dataset.zip(
                tf.data.Dataset.from_tensor_slices((X, Y)).shuffle(300, seed=1),
                tf.data.Dataset.from_tensor_slices(W),
            ).map(lambda xy, w: (xy[0], xy[1], w)),
            "another sample's weight",
        ),
        # aligned, but not shuffled
        (lambda: tf.data.Dataset.from_tensor_slices((X, Y, W)), "own order"),
        # aligned and shuffled, but part of the data
        (
            lambda: tf.data.Dataset.from_tensor_slices((X, Y, W)).shuffle(300, seed=1).take(200),
            "every sample once",
        ),
    ],
)
def test_the_aligned_checker_names_each_mistake(make, said, capsys):
    right, out = check(make().batch(64), capsys)
    assert not right and said in out, out


def test_the_aligned_checker_refuses_pairs_and_endless_datasets(capsys):
    pairs = tf.data.Dataset.from_tensor_slices((X, Y)).batch(64)
    assert "third part" in check(pairs, capsys)[1]
    endless = tf.data.Dataset.from_tensor_slices((X, Y, W)).repeat().batch(64)
    assert "never ends" in check(endless, capsys)[1]

    def forever():
        while True:
            yield X[:64], Y[:64], W[:64]

    spec = (
        tf.TensorSpec((None, 16), tf.float32),
        tf.TensorSpec((None,), tf.int64),
        tf.TensorSpec((None,), tf.float64),
    )
    generated = tf.data.Dataset.from_generator(forever, output_signature=spec)
    assert "past 50,000 samples" in check(generated, capsys)[1]


def test_the_aligned_checker_asks_for_the_training_data(capsys):
    ds = tf.data.Dataset.from_tensor_slices((X, Y, W)).batch(64)
    result = kt.check("06.aligned", ds)
    assert not result and "images=x_train" in capsys.readouterr().out


def _experiment(table):
    ran = []

    def run(weight):
        ran.append(weight)
        return table[weight]

    experiment = kt.KnobExperiment(run, lambda ax, results, value: None, values=sorted(table))
    return experiment, ran


def test_the_prediction_is_compared_with_the_run_it_is_given(capsys):
    trade = {1: {"recall": 0.91, "precision": 0.92}, 20: {"recall": 0.96, "precision": 0.72}}
    experiment, ran = _experiment(trade)
    experiment.result(1)  # only the default ran: the check runs the other end
    assert kt.check(
        "06.weight_trade", "precision falls more than recall rises", experiment=experiment
    )
    assert ran == [1, 20]
    out = capsys.readouterr().out
    assert "0.910 → 0.960" in out and "0.920 → 0.720" in out

    # another run, another right answer: the checker reads the results, not a stored option
    free = {1: {"recall": 0.80, "precision": 0.80}, 20: {"recall": 0.90, "precision": 0.85}}
    assert kt.check("06.weight_trade", "both rise", experiment=_experiment(free)[0])
    assert not kt.check(
        "06.weight_trade", "precision falls more than recall rises", experiment=_experiment(free)[0]
    )


def test_the_prediction_asks_for_the_experiment(capsys):
    assert not kt.check("06.weight_trade", "both rise")
    assert "experiment=experiment" in capsys.readouterr().out


def test_per_sample_names_the_known_mistakes(capsys):
    def by_position(y, class_weight):  # keyed by the position in the dict, not by label
        values = list(class_weight.values())
        return np.array([values[i % len(values)] if values else 1.0 for i in range(len(y))])

    def missing_is_zero(y, class_weight):
        raw = np.array([class_weight.get(int(c), 0.0) for c in y])
        return raw / raw.mean() if raw.any() else raw

    assert not kt.check("06.per_sample", by_position)
    assert not kt.check("06.per_sample", missing_is_zero)
    assert "masks it" in capsys.readouterr().out
