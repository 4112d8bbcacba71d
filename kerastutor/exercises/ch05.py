"""Chapter 5's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed
from kerastutor.exercises.engine import bounded as _bounded
from kerastutor.exercises.factories import as_whole as _whole

Verdict = tuple[bool, str]
_DATA = "x = np.random.default_rng(0).random((1000, 4), dtype=np.float32)\ny = np.arange(1000) % 3"


def _generator_steps(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 32:
        return True, "Right: ceil(1000 / 32) = 32 batches make one pass over the data."
    if value == 31:
        return False, "31 batches of 32 cover 992 samples and leave 8 out of every epoch."
    return False, f"{value} batches of 32 do not make one pass over 1,000 samples."


def _pydataset(answer, **_) -> Verdict:
    import keras

    if not isinstance(answer, keras.utils.PyDataset):
        raise _Malformed(f"expected a keras.utils.PyDataset, got {type(answer).__name__}")
    if len(answer) != 7:
        return (
            False,
            f"len() is {len(answer)}; 100 samples in batches of 16 make ceil(100/16) batches.",
        )
    sizes = [len(answer[i][0]) for i in range(len(answer))]
    if sizes != [16] * 6 + [4]:
        return False, f"the batches hold {sizes} samples; each should hold 16, the last 4."
    return True, "Right: 7 batches, the last one smaller, each a complete (x, y) batch."


def _tf_dataset(answer, **_) -> Verdict:
    import tensorflow as tf

    if not isinstance(answer, tf.data.Dataset):
        raise _Malformed(f"expected a tf.data.Dataset, got {type(answer).__name__}")
    spec = answer.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        return False, "each element should be an (x, y) pair."
    if spec[0].shape.as_list()[0] is not None:
        return False, "the batch dimension is fixed: use .batch(50) without drop_remainder."
    if int(answer.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
        return False, "this data set never ends (a .repeat() without a count): one pass is wanted."
    sizes = [int(x.shape[0]) for x, _ in _bounded(answer, "this data set", limit=1_000)]
    if sizes != [50] * 20:
        return (
            False,
            f"it yields batches of {sorted(set(sizes))} ({len(sizes)} of them), not 20 of 50.",
        )
    return True, "Right: 1,000 samples in 20 batches of 50."


EXERCISES = [
    Exercise(
        key="05.generator_steps",
        kind="recall",
        prompt="A generator yields batches of 32 from 1,000 samples forever. What steps_per_epoch "
        "makes one epoch one pass over the data?",
        checker=_generator_steps,
        hints=("Keras rounds the number of batches up.",),
        solution="answer = math.ceil(1000 / 32)  # 32",
        wrong="answer = 31",
    ),
    Exercise(
        key="05.pydataset",
        kind="recall",
        prompt="Build a keras.utils.PyDataset over the first 100 samples with batches of 16.",
        checker=_pydataset,
        hints=("kt.ArrayPyDataset(x, y, batch_size=...) is one; or subclass PyDataset yourself.",),
        solution="answer = kt.ArrayPyDataset(x[:100], y[:100], batch_size=16)",
        wrong="answer = kt.ArrayPyDataset(x[:100], y[:100], batch_size=10)",
        setup=_DATA,
    ),
    Exercise(
        key="05.tf_data",
        kind="recall",
        prompt="Build a tf.data.Dataset of the first 1,000 (x, y) pairs in batches of 50.",
        checker=_tf_dataset,
        hints=("from_tensor_slices((x, y)) and then .batch(...).",),
        solution="answer = tf.data.Dataset.from_tensor_slices((x[:1000], y[:1000])).batch(50)",
        wrong=(
            "answer = tf.data.Dataset.from_tensor_slices((x[:1000], y[:1000]))"
            ".batch(50, drop_remainder=True)"
        ),
        setup=_DATA,
    ),
]
