"""Chapter 3's exercises: the decision threshold (a guided experiment), a crossentropy that
normalises over the wrong axis (debug), a `Metric` that honours `sample_weight` (build), and
what `evaluate` reports for a loss with `reduction="sum"` (recall)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kerastutor._arrays import to_numpy
from kerastutor.exercises.engine import Exercise, Malformed, the_experiment
from kerastutor.exercises.factories import Case, Property, callable_on, choice, number, object_with
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

# ---------------------------------------------------------------- 03.threshold (predict)

#: The two thresholds the prediction compares: the default, and a strict one.
LOW, HIGH = 0.5, 0.9


def _threshold_runs(context: Mapping[str, Any]) -> tuple[dict, dict]:
    experiment = the_experiment(context, "03.threshold")
    try:
        return experiment.result(LOW), experiment.result(HIGH)
    except ValueError:
        raise Malformed(
            _(
                "this experiment has no threshold {low} and {high}: pass the threshold experiment "
                "of this section"
            ).format(low=LOW, high=HIGH)
        ) from None


def _threshold_outcome(context: Mapping[str, Any]) -> str:
    low, high = _threshold_runs(context)
    precision = "up" if high["precision"] > low["precision"] else "down"
    recall = "up" if high["recall"] > low["recall"] else "down"
    if precision == recall:
        return f"both {precision}"
    return f"precision {precision}, recall {recall}"


def _threshold_evidence(pick: str, context: Mapping[str, Any]) -> str:
    low, high = _threshold_runs(context)

    def said(threshold: float, run: dict) -> str:
        return _(
            "at {threshold} it called {called} images '5', {tp} rightly and "
            "{fp} wrongly, and missed {fn} real 5s: precision "
            "{precision:.3f}, recall {recall:.3f}"
        ).format(
            threshold=threshold,
            called=run["called"],
            tp=run["tp"],
            fp=run["fp"],
            fn=run["fn"],
            precision=run["precision"],
            recall=run["recall"],
        )

    return _("Your run: {low}; {high}.").format(low=said(LOW, low), high=said(HIGH, high))


_THRESHOLD_OPTIONS = {
    "precision up, recall down": N_(
        "a stricter threshold calls fewer images '5'. The ones it still calls are the surest, so "
        "fewer of them are false alarms; but more real 5s now score below the bar and are missed, "
        "and the number of real 5s (recall's denominator) does not change."
    ),
    "precision down, recall up": N_(
        "recall could only rise if the detector found more of the real 5s, but a higher "
        "threshold makes it call fewer images '5', never more: count them in the run below."
    ),
    "both up": N_(
        "that would be a free lunch: a stricter detector that finds more 5s while saying '5' less "
        "often. The number of real 5s is fixed, so look at how many of them each threshold finds."
    ),
    "both down": N_(
        "that would make the surer calls worse ones: look at the share of false alarms among the "
        "images called '5' at each threshold."
    ),
}


# ---------------------------------------------------------------- 03.batch_dependent_loss (debug)


def _log_softmax(logits: np.ndarray, axis: int) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _crossentropy(y_true: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """Categorical crossentropy from logits, one value per sample (NumPy, stable)."""
    return -(y_true * _log_softmax(logits, axis=-1)).sum(axis=-1)


def _over_the_batch(y_true: Any, logits: Any) -> np.ndarray:
    y_true, logits = to_numpy(y_true), to_numpy(logits)
    return -(y_true * _log_softmax(logits, axis=0)).sum(axis=-1)


def _batch_mean(y_true: Any, logits: Any) -> np.ndarray:
    return np.mean(_crossentropy(to_numpy(y_true), to_numpy(logits)))


def _logits_read_as_probabilities(y_true: np.ndarray, logits: np.ndarray) -> Any:
    import keras

    return keras.losses.categorical_crossentropy(y_true, logits)  # from_logits=False


def _onehot(labels: list[int], classes: int = 4) -> np.ndarray:
    return np.eye(classes, dtype="float32")[labels]


_BATCH_LOGITS = np.array(
    [[2.0, 0.5, -1.0, 0.0], [0.1, 0.2, 3.0, -1.0], [1.0, 1.0, 1.0, 1.0]], dtype="float32"
)
_BATCH_LABELS = _onehot([0, 2, 3])
_LARGE_LOGITS = np.array([[120.0, 0.0, -80.0, 5.0], [-60.0, 90.0, 0.0, 0.0]], dtype="float32")
_LARGE_LABELS = _onehot([0, 1])


def _as_tensors(*arrays: np.ndarray) -> Any:
    """The arguments of a call, made when called: backend tensors, as `fit` hands a loss (a
    torch tensor does not mix with NumPy in `*`, so a loss is tried on what it will really get)."""

    def args() -> tuple:
        import keras

        return tuple(keras.ops.convert_to_tensor(a) for a in arrays)

    return args


def _expected(y_true: Any, logits: Any) -> np.ndarray:
    return _crossentropy(to_numpy(y_true), to_numpy(logits))


_LOSS_CASES = [
    Case(_as_tensors(_BATCH_LABELS, _BATCH_LOGITS), _expected, N_("a batch of 3 samples"), 1e-4),
    Case(
        _as_tensors(_BATCH_LABELS[:1], _BATCH_LOGITS[:1]),
        _expected,
        N_("a batch of one sample"),
        1e-4,
    ),
    Case(
        _as_tensors(_BATCH_LABELS[::-1].copy(), _BATCH_LOGITS[::-1].copy()),
        _expected,
        N_("the same 3 samples in reverse order"),
        1e-4,
    ),
    Case(
        _as_tensors(_LARGE_LABELS, _LARGE_LOGITS), _expected, N_("large logits (up to 120)"), 1e-3
    ),
]


def _loss_otherwise(label: str, shown: str) -> str:
    if "nan" in shown or "inf" in shown:
        return _(
            "on {label} it returned {shown}: a softmax of such logits rounds some probabilities "
            "to exactly 0, and the log of 0 is -inf. Keep working with log-probabilities computed "
            "in one step, as the original code did."
        ).format(label=label, shown=shown)
    return _(
        "on {label} it returned {shown}, not the crossentropy of each sample: compare it with "
        "keras.losses.categorical_crossentropy(..., from_logits=True) on the same arrays."
    ).format(label=label, shown=shown)


# ---------------------------------------------------------------- 03.sum_reduction (recall)

#: What model.evaluate(x, y, batch_size=2) reports for per-sample losses [0.5, 1.0, 0.25, 0.75]
#: under reduction="sum": the batch sums 1.5 and 1.0, averaged (tests/test_exercises_ch03.py
#: runs Keras to confirm it).
SUM_LOSSES, SUM_BATCH_SIZE, SUM_REPORTED = [0.5, 1.0, 0.25, 0.75], 2, 1.25


# ---------------------------------------------------------------- 03.error_rate (build)

#: Two batches of integer labels and logits over 4 classes, with sample weights.
_LABELS_A = np.array([0, 1, 2, 3, 1, 2])
_LOGITS_A = np.eye(4, dtype="float32")[[0, 1, 0, 3, 2, 2]] * 3.0  # wrong at 2 and 4
_WEIGHTS_A = np.array([1.0, 1.0, 3.0, 1.0, 0.0, 2.0], dtype="float32")
_LABELS_B = np.array([0, 3, 1])
_LOGITS_B = np.eye(4, dtype="float32")[[2, 3, 0]] * 3.0  # wrong at 0 and 2
_WEIGHTS_B = np.array([2.0, 1.0, 1.0], dtype="float32")


def _wrong(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    return (np.argmax(logits, axis=-1) != labels).astype("float64")


def _rate(batches: list[tuple]) -> float:
    wrong = sum(float(np.sum(w * _wrong(y, z))) for y, z, w in batches)
    weight = sum(float(np.sum(w)) for _labels, _logits, w in batches)
    return wrong / weight


_ONES_A, _ONES_B = np.ones(len(_LABELS_A)), np.ones(len(_LABELS_B))
_UNWEIGHTED_A = _rate([(_LABELS_A, _LOGITS_A, _ONES_A)])  # 2 / 6
_UNWEIGHTED_B = _rate([(_LABELS_B, _LOGITS_B, _ONES_B)])  # 2 / 3
_UNWEIGHTED_AB = _rate([(_LABELS_A, _LOGITS_A, _ONES_A), (_LABELS_B, _LOGITS_B, _ONES_B)])
_WEIGHTED_A = _rate([(_LABELS_A, _LOGITS_A, _WEIGHTS_A)])  # 3 / 8
_WEIGHTED_B = _rate([(_LABELS_B, _LOGITS_B, _WEIGHTS_B)])
_WEIGHTED_AB = _rate([(_LABELS_A, _LOGITS_A, _WEIGHTS_A), (_LABELS_B, _LOGITS_B, _WEIGHTS_B)])


def _result(metric: Any) -> float:
    import keras

    value = np.asarray(keras.ops.convert_to_numpy(metric.result()), dtype="float64")
    if value.size != 1:
        raise ValueError(
            _("result() should be one number; it returned shape {shape}").format(shape=value.shape)
        )
    return float(value.reshape(()))


def _near(a: float, b: float) -> bool:
    return bool(np.isfinite(a)) and abs(a - b) < 1e-4


def _after(metric: Any, *updates: tuple) -> float:
    """reset_state, then update_state with each (labels, logits[, weights]), then result."""
    metric.reset_state()
    for update in updates:
        labels, logits, *weights = update
        if weights:
            metric.update_state(labels, logits, sample_weight=weights[0])
        else:
            metric.update_state(labels, logits)
    return _result(metric)


def _one_number(metric: Any) -> bool:
    _after(metric, (_LABELS_A, _LOGITS_A))
    return True


def _one_batch(metric: Any) -> bool:
    return _near(_after(metric, (_LABELS_A, _LOGITS_A)), _UNWEIGHTED_A)


def _say_one_batch(metric: Any) -> str:
    got = _after(metric, (_LABELS_A, _LOGITS_A))
    if _near(got, 1 - _UNWEIGHTED_A):
        return _(
            "on a batch of 6 with 2 wrong predictions it reported {got:.4f}: that is the share "
            "of right predictions; count the wrong ones."
        ).format(got=got)
    return _(
        "on an unweighted batch of 6 samples with 2 wrong predictions it reported {got:.4f}, "
        "not the share of wrong ones."
    ).format(got=got)


def _two_batches(metric: Any) -> bool:
    return _near(_after(metric, (_LABELS_A, _LOGITS_A), (_LABELS_B, _LOGITS_B)), _UNWEIGHTED_AB)


def _say_two_batches(metric: Any) -> str:
    got = _after(metric, (_LABELS_A, _LOGITS_A), (_LABELS_B, _LOGITS_B))
    if _near(got, _UNWEIGHTED_B):
        told = _(
            "after a batch of 6 (2 wrong) and a batch of 3 (2 wrong) it reported {got:.4f}, "
            "not the share of wrong predictions among all 9: it only remembers the last batch. "
            "Add to the state in update_state."
        )
    elif _near(got, (_UNWEIGHTED_A + _UNWEIGHTED_B) / 2):
        told = _(
            "after a batch of 6 (2 wrong) and a batch of 3 (2 wrong) it reported {got:.4f}, "
            "not the share of wrong predictions among all 9: it averages the two batches' rates, "
            "so the batch of 3 counts as much as the batch of 6. Keep the two sums (wrong, and "
            "weight) and divide only in result."
        )
    else:
        told = _(
            "after a batch of 6 (2 wrong) and a batch of 3 (2 wrong) it reported {got:.4f}, "
            "not the share of wrong predictions among all 9."
        )
    return told.format(got=got)


def _starts_at_zero(metric: Any) -> bool:
    _after(metric, (_LABELS_A, _LOGITS_A))
    metric.reset_state()
    return _result(metric) == 0.0


def _say_starts_at_zero(metric: Any) -> str:
    _after(metric, (_LABELS_A, _LOGITS_A))
    metric.reset_state()
    got = _result(metric)
    if np.isnan(got):
        return _(
            "right after reset_state it reports nan: with nothing counted it divides 0 by 0. "
            "Report 0 then, as Keras's own metrics do (keras.ops.divide_no_nan)."
        )
    return _("right after reset_state (nothing counted yet) it reports {got:.4f}, not 0.").format(
        got=got
    )


def _resets(metric: Any) -> bool:
    _after(metric, (_LABELS_A, _LOGITS_A))
    metric.update_state(_LABELS_A, _LOGITS_A)
    metric.reset_state()
    metric.update_state(_LABELS_B, _LOGITS_B)
    return _near(_result(metric), _UNWEIGHTED_B)


def _weighted(metric: Any) -> bool:
    return _near(_after(metric, (_LABELS_A, _LOGITS_A, _WEIGHTS_A)), _WEIGHTED_A)


def _say_weighted(metric: Any) -> str:
    got = _after(metric, (_LABELS_A, _LOGITS_A, _WEIGHTS_A))
    wrong_weight = float(np.sum(_WEIGHTS_A * _wrong(_LABELS_A, _LOGITS_A)))
    if _near(got, _UNWEIGHTED_A):
        told = _(
            "with sample_weight={weights} (the wrong predictions weigh 3 and 0, the "
            "weights add up to 8) it reported {got:.4f}, the unweighted rate: it ignores "
            "sample_weight."
        )
    elif _near(got, wrong_weight / len(_LABELS_A)):
        told = _(
            "with sample_weight={weights} (the wrong predictions weigh 3 and 0, the "
            "weights add up to 8) it reported {got:.4f}: it divides the weighted errors by the "
            "number of samples. A weight of 0 should remove a sample from the count too: divide "
            "by the total weight."
        )
    else:
        told = _(
            "with sample_weight={weights} (the wrong predictions weigh 3 and 0, the "
            "weights add up to 8) it reported {got:.4f}."
        )
    return told.format(weights=_WEIGHTS_A.tolist(), got=got)


def _weighted_two_batches(metric: Any) -> bool:
    got = _after(metric, (_LABELS_A, _LOGITS_A, _WEIGHTS_A), (_LABELS_B, _LOGITS_B, _WEIGHTS_B))
    return _near(got, _WEIGHTED_AB)


def _say_weighted_two_batches(metric: Any) -> str:
    got = _after(metric, (_LABELS_A, _LOGITS_A, _WEIGHTS_A), (_LABELS_B, _LOGITS_B, _WEIGHTS_B))
    if _near(got, (_WEIGHTED_A + _WEIGHTED_B) / 2):
        told = _(
            "over two weighted batches (total weight 8 and 4) it reported {got:.4f}: it averages "
            "the batches' rates, so a batch of weight 4 counts as much as one of weight 8. Sum "
            "the weights across batches."
        )
    else:
        told = _(
            "over two weighted batches (total weight 8 and 4) it reported {got:.4f}, not the "
            "weighted share of wrong predictions over both."
        )
    return told.format(got=got)


def _evaluate(metric: Any) -> tuple[float, float]:
    """The metric inside `model.evaluate(..., sample_weight=...)`, batches of 4, compiled."""
    import keras

    metric.reset_state()
    x = np.concatenate([_LOGITS_A, _LOGITS_B])
    y = np.concatenate([_LABELS_A, _LABELS_B])
    w = np.concatenate([_WEIGHTS_A, _WEIGHTS_B])
    identity = keras.Sequential([keras.Input((4,)), keras.layers.Identity()])
    identity.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        weighted_metrics=[metric],
        jit_compile=False,
    )
    try:
        scores = identity.evaluate(x, y, sample_weight=w, batch_size=4, verbose=0, return_dict=True)
    except Exception as exc:  # the learner's metric, compiled: say where it failed
        raise RuntimeError(
            _(
                "in model.evaluate, where update_state and result run compiled on symbolic "
                "tensors (write them with keras.ops, not NumPy or float()): {error}: {message}"
            ).format(error=type(exc).__name__, message=exc)
        ) from None
    if metric.name not in scores:
        raise ValueError(
            _("evaluate reported {names}, not {name!r}").format(
                names=sorted(scores), name=metric.name
            )
        )
    return float(np.squeeze(scores[metric.name])), _WEIGHTED_AB


def _keeps_state_in_variables(metric: Any) -> bool:
    """Counts kept in Keras variables (`add_variable`): what compiled evaluation can update."""
    return bool(getattr(metric, "variables", None))


_NOT_IN_VARIABLES = N_(
    "it keeps its counts in Python numbers, not in Keras variables, so it cannot work in "
    "model.evaluate on every backend: TensorFlow and JAX run update_state compiled, on symbolic "
    "tensors, where NumPy and float() fail and a Python number is never updated (only eager "
    "PyTorch runs it line by line). Create the state with self.add_variable and update it with "
    "keras.ops."
)


def _in_evaluate(metric: Any) -> bool:
    got, want = _evaluate(metric)
    return _near(got, want)


def _say_in_evaluate(metric: Any) -> str:
    got, want = _evaluate(metric)
    return _(
        "inside model.evaluate(x, y, sample_weight=w, batch_size=4) over the same 9 samples it "
        "reported {got:.4f} instead of {want:.4f}."
    ).format(got=got, want=want)


def _a_metric(answer: Any) -> Any:
    """An instance: a Metric subclass handed in as a class is made with its defaults."""
    import keras

    if isinstance(answer, type) and issubclass(answer, keras.metrics.Metric):
        return answer()
    return answer


_ERROR_RATE_WRONG = '''
class ErrorRate(keras.metrics.Metric):
    """Ignores sample_weight: every sample counts 1."""

    def __init__(self, name="error_rate", **kwargs):
        super().__init__(name=name, **kwargs)
        self.wrong = self.add_variable(shape=(), initializer="zeros", name="wrong")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels = keras.ops.cast(y_true, "int32")
        missed = keras.ops.not_equal(keras.ops.argmax(y_pred, axis=-1), labels)
        self.wrong.assign_add(keras.ops.sum(keras.ops.cast(missed, "float32")))
        self.seen.assign_add(keras.ops.cast(keras.ops.shape(labels)[0], "float32"))

    def result(self):
        return keras.ops.divide_no_nan(self.wrong, self.seen)
'''


_ERROR_RATE_SOLUTION = '''
class ErrorRate(keras.metrics.Metric):
    """The weighted share of wrong predictions: sum(w * wrong) / sum(w)."""

    def __init__(self, name="error_rate", **kwargs):
        super().__init__(name=name, **kwargs)
        self.wrong = self.add_variable(shape=(), initializer="zeros", name="wrong")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels = keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1,))
        missed = keras.ops.not_equal(keras.ops.argmax(y_pred, axis=-1), labels)
        missed = keras.ops.cast(missed, "float32")
        if sample_weight is None:
            sample_weight = keras.ops.ones_like(missed)
        weight = keras.ops.reshape(keras.ops.cast(sample_weight, "float32"), (-1,))
        self.wrong.assign_add(keras.ops.sum(weight * missed))
        self.seen.assign_add(keras.ops.sum(weight))

    def result(self):
        return keras.ops.divide_no_nan(self.wrong, self.seen)

    def reset_state(self):
        self.wrong.assign(0.0)
        self.seen.assign(0.0)


answer = ErrorRate()
'''


EXERCISES = [
    Exercise(
        key="03.threshold",
        kind="predict",
        prompt=(
            N_(
                "The 5-detector calls an image '5' when its score is above a threshold, 0.5 by "
                "default. Raise the threshold from 0.5 to 0.9: what happens to precision and "
                "recall on the validation images? One of 'precision up, recall down', 'precision "
                "down, recall up', 'both up', 'both down'."
            )
        ),
        checker=choice(_THRESHOLD_OPTIONS, _threshold_outcome, explain=_threshold_evidence),
        hints=(
            N_(
                "A higher threshold makes the detector say '5' less often. Which images stop being "
                "called '5' first: the ones it is surest about, or the doubtful ones?"
            ),
            N_(
                "Precision divides by the images called '5'; recall divides by the real 5s, a "
                "number no threshold changes. Move the slider and watch both lines."
            ),
        ),
        solution="answer = 'precision up, recall down'",
        wrong="answer = 'both up'",
        setup=(
            "rng = np.random.default_rng(0)\n"
            "labels = rng.random(600) < 0.1\n"
            "scores = np.clip(np.where(labels, rng.normal(0.8, 0.2, 600), "
            "rng.normal(0.15, 0.15, 600)), 0, 1)\n"
            "def run(threshold):\n"
            "    called = scores > threshold\n"
            "    tp = int(np.sum(called & labels))\n"
            "    fp = int(np.sum(called & ~labels))\n"
            "    fn = int(np.sum(~called & labels))\n"
            "    return {'precision': tp / max(tp + fp, 1), 'recall': tp / max(tp + fn, 1),\n"
            "            'called': tp + fp, 'tp': tp, 'fp': fp, 'fn': fn}\n"
            "experiment = kt.KnobExperiment(run, lambda ax, results, value: None,\n"
            "    values=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], value=0.5, "
            "knob='threshold')\n"
            "context = {'experiment': experiment}\n"
        ),
    ),
    Exercise(
        key="03.batch_dependent_loss",
        kind="debug",
        prompt=(
            N_(
                "crossentropy_from_logits(y_true, logits) should return each sample's categorical "
                "crossentropy (one-hot labels, logits), like "
                "keras.losses.categorical_crossentropy(y_true, logits, from_logits=True). It "
                "raises no error but is wrong: an image's loss changes with the images batched "
                "with it. Fix it and hand in the fixed function."
            )
        ),
        checker=callable_on(
            _LOSS_CASES,
            right=(
                N_(
                    "Right: the softmax normalises each sample's logits over its classes, the last "
                    "axis, so a sample's loss no longer depends on its batch-mates."
                )
            ),
            mistakes=[
                (
                    _over_the_batch,
                    N_(
                        "it still normalises over the batch: each class's logits are turned into "
                        "a distribution over the samples, so a batch of one sample always gets "
                        "loss 0."
                    ),
                ),
                (
                    _batch_mean,
                    N_(
                        "it returns one number for the whole batch. A loss function returns one "
                        "value per sample; the loss object (its reduction) averages them."
                    ),
                ),
                (
                    _logits_read_as_probabilities,
                    N_(
                        "it reads the logits as probabilities (a from_logits mismatch): the values "
                        "are wrong without any error."
                    ),
                ),
            ],
            otherwise=_loss_otherwise,
        ),
        hints=(
            N_(
                "Per sample, the probabilities over the classes must add up to 1. Over which axis "
                "of logits, shape (batch, classes), does the function normalise?"
            ),
            N_("axis=0 runs over the samples of the batch; the classes are the last axis."),
        ),
        solution=(
            "def answer(y_true, logits):\n"
            "    log_probs = keras.ops.log_softmax(logits, axis=-1)\n"
            "    return -keras.ops.sum(y_true * log_probs, axis=-1)\n"
        ),
        wrong=(
            "def answer(y_true, logits):\n"
            "    log_probs = keras.ops.log_softmax(logits, axis=0)\n"
            "    return -keras.ops.sum(y_true * log_probs, axis=-1)\n"
        ),
    ),
    Exercise(
        key="03.error_rate",
        kind="build",
        prompt=(
            N_(
                "Write ErrorRate, a keras.metrics.Metric that reports the weighted share of wrong "
                "predictions, sum(w * wrong) / sum(w), for integer labels and one score per class "
                "(wrong: the highest score is not the label's). Every weight is 1 when "
                "sample_weight is None; the sums add up over batches, reset_state starts again, "
                "and with nothing counted it reports 0 (keras.ops.divide_no_nan returns 0 where "
                "it would divide by 0). Hand in an instance: answer = ErrorRate()."
            )
        ),
        checker=object_with(
            "keras.metrics.Metric",
            [
                Property(_one_number, N_("result() is not one number.")),
                Property(_one_batch, _say_one_batch),
                Property(
                    _resets,
                    N_(
                        "after reset_state it still counts the batches from before: zero every "
                        "variable of the state."
                    ),
                ),
                Property(_starts_at_zero, _say_starts_at_zero),
                Property(_two_batches, _say_two_batches),
                Property(_weighted, _say_weighted),
                Property(_weighted_two_batches, _say_weighted_two_batches),
                Property(_keeps_state_in_variables, _NOT_IN_VARIABLES),
                Property(_in_evaluate, _say_in_evaluate),
            ],
            right=lambda metric: _(
                "Right: it adds sum(w * wrong) and sum(w) over batches, divides only in result, "
                "and runs inside model.evaluate with sample weights, where it reported "
                "{value:.4f} on the checker's 9 weighted samples, as computed by hand."
            ).format(value=_WEIGHTED_AB),
            convert=_a_metric,
        ),
        hints=(
            N_(
                "Keep two numbers in the state (add_variable): the weight of the wrong predictions "
                "and the total weight. update_state adds to both, result divides, with "
                "keras.ops.divide_no_nan so that 0 / 0 reports 0."
            ),
            N_(
                "When sample_weight is None, use a weight of 1 per sample (keras.ops.ones_like). "
                "A weight of 0 must remove a sample from both sums."
            ),
        ),
        solution=_ERROR_RATE_SOLUTION,
        wrong=_ERROR_RATE_WRONG + "\n\nanswer = ErrorRate()\n",
    ),
    Exercise(
        key="03.sum_reduction",
        kind="recall",
        prompt=(
            N_(
                "A model's per-sample losses on 4 samples are [0.5, 1.0, 0.25, 0.75], in that "
                "order. Its loss is built with reduction='sum', and you call model.evaluate(x, y, "
                "batch_size=2). What loss does evaluate report?"
            )
        ),
        checker=number(
            SUM_REPORTED,
            right=(
                N_(
                    "Right: 'sum' acts on each batch, 0.5 + 1.0 = 1.5 and 0.25 + 0.75 = 1.0, and "
                    "evaluate averages the batch values, weighted by batch size: 1.25, twice the "
                    "per-sample mean 0.625. Under 'sum' the reported loss grows with batch_size."
                )
            ),
            mistakes=[
                (
                    2.5,
                    N_(
                        "that adds all 4 losses, as if the 4 samples were one batch. evaluate "
                        "reduces each batch of 2 on its own, then combines the batch values."
                    ),
                ),
                (
                    0.625,
                    N_(
                        "that is the mean per sample, what the default 'sum_over_batch_size' "
                        "reports: 'sum' does not divide a batch's losses by its size."
                    ),
                ),
                (
                    1.0,
                    N_(
                        "that is the last batch's value alone: evaluate reports one number for all "
                        "its batches, not the last one."
                    ),
                ),
                (
                    1.5,
                    N_(
                        "that is the first batch's value alone: evaluate reports one number for "
                        "all its batches."
                    ),
                ),
            ],
            otherwise=lambda value: _(
                "{value:g} is not what evaluate reports: work out each batch's value under "
                "'sum' first, then how evaluate combines them."
            ).format(value=value),
        ),
        hints=(
            N_(
                "evaluate applies the loss's reduction to each batch of 2 on its own, then "
                "averages the batch values, each weighted by its number of samples (section 4)."
            ),
            N_(
                "Under 'sum' a batch's value is the sum of its two losses. The two batches are "
                "equally large: what is the mean of their two values?"
            ),
        ),
        solution="answer = np.mean([0.5 + 1.0, 0.25 + 0.75])",
        wrong="answer = 0.5 + 1.0 + 0.25 + 0.75",
    ),
]
