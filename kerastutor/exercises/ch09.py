"""Chapter 9's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.factories import as_whole as _whole

Verdict = tuple[bool, str]


def _train_on_batch_calls(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 16:
        return True, "Right: ceil(1000 / 64) = 16 calls, the last with 40 samples."
    if value == 15:
        return False, "15 calls of 64 leave 40 samples untrained."
    return False, f"{value} calls of 64 samples do not make one pass over 1,000."


def _executions(answer, **_) -> Verdict:
    value = _whole(answer)
    if value == 10:
        return True, "Right: 100 batches, 10 per call, 10 calls."
    if value == 100:
        return False, "that is the number of batches; each call now runs several."
    return False, f"{value} calls of 10 batches do not make 100 batches."


EXERCISES = [
    Exercise(
        key="09.train_on_batch_calls",
        kind="recall",
        prompt="How many train_on_batch calls make one epoch of 1,000 samples at batch size 64?",
        checker=_train_on_batch_calls,
        hints=("Keras rounds the number of batches up.",),
        solution="answer = math.ceil(1000 / 64)  # 16",
        wrong="answer = 15",
    ),
    Exercise(
        key="09.executions",
        kind="recall",
        prompt="100 batches an epoch, steps_per_execution=10: how many calls of the compiled "
        "training function per epoch?",
        checker=_executions,
        hints=("Each call runs steps_per_execution batches.",),
        solution="answer = 100 // 10",
        wrong="answer = 100",
    ),
]
