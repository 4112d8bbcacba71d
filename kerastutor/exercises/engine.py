"""The exercise engine: an `Exercise` record, `check`, `solution` and `hint`, and how a checker
reads the guided experiment `check` was given (`the_experiment`, `experiment_run`).

An answer is untrusted input. `check` never lets a learner's answer, or a checker's own bug,
reach the learner as a traceback; it never hangs on an endless answer (see `bounded`); and it
prints a hint with every "Not yet" (a more specific one each time), never the solution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerastutor._arrays import to_numpy
from kerastutor.i18n import gettext as _

__all__ = [
    "KINDS",
    "Exercise",
    "CheckResult",
    "Malformed",
    "check",
    "solution",
    "hint",
    "scalar",
    "bounded",
    "MAX_ITEMS",
    "the_experiment",
    "experiment_run",
    "pass_the_experiment",
]

Verdict = tuple[bool, str]

#: What an exercise asks a learner to do. "recall" covers arithmetic and facts (at most one per
#: chapter); "predict" is the prediction a learner records before a guided experiment.
KINDS = ("recall", "diagnose", "debug", "build", "experiment", "predict")

#: The most items a checker reads from an answer that is a data set or an iterable: an answer
#: is untrusted input, and an endless one (`ds.repeat()`, `itertools.count()`) must not hang.
MAX_ITEMS = 10_000


class Malformed(Exception):
    """An answer of the wrong kind: `check` explains it as feedback, never raises it."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalogue: what it asks, how it is checked, hints and a solution.

    Args:
        key: `"NN.name"`, NN the chapter.
        kind: one of `KINDS`.
        prompt: the question, as the notebook states it.
        checker: `checker(answer, **context) -> (right, why)`, usually built by a factory of
            `kerastutor.exercises.factories`; it may raise `Malformed` to explain a wrong kind
            of answer.
        hints: from gentle to specific; `check` prints the first with a first wrong answer,
            the next with the next one (the last repeats); `hint(key)` prints all of them.
            None may contain the solution's code or value (a test checks).
        solution: Python code that sets `answer` (run with `setup` first, in the tests).
        wrong: Python code that sets `answer` to a typical wrong answer (for the tests).
        setup: Python code that makes what `solution` and `wrong` need, and a dict `context`
            of the keyword arguments `check` is given in the notebook (for example
            `context = {"history": history}`).
    """

    key: str
    kind: str
    prompt: str
    checker: Callable[..., Verdict]
    hints: tuple[str, ...]
    solution: str
    wrong: str
    setup: str = ""
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: kind {self.kind!r} is not one of {KINDS}.")
        if not self.hints:
            raise ValueError(f"{self.key}: give at least one hint.")

    @property
    def chapter(self) -> int:
        return int(self.key.split(".")[0])

    @property
    def hint(self) -> str:
        return self.hints[0]


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: truthy when right. Shows nothing itself; `check` already printed."""

    right: bool
    message: str

    def __bool__(self) -> bool:
        return self.right

    def _ipython_display_(self) -> None:
        pass  # the feedback was printed; a trailing "False" would only be noise


def _catalogue() -> Mapping[str, Exercise]:
    from kerastutor.exercises import EXERCISES

    return EXERCISES


def _get(key: str) -> Exercise:
    exercises = _catalogue()
    if key not in exercises:
        raise KeyError(
            _("No exercise {key!r}. Exercises: {keys}.").format(key=key, keys=", ".join(exercises))
        )
    return exercises[key]


def check(key: str, answer: Any, **context: Any) -> CheckResult:
    """Check an answer; print whether it is right and why, or a hint. Truthy if right.

    `None` means "not answered yet". Extra keyword arguments (such as `history=`) give the
    checker what the exercise refers to. A right answer is added to `kt.progress()`.

    >>> import kerastutor as kt
    >>> _ = kt.check("02.steps_per_epoch", 468)  # doctest: +ELLIPSIS
    Not yet: ... Hint: ...
    """
    exercise = _get(key)
    if answer is None:
        message = _("Not answered yet. {prompt} Hint: {hint}").format(
            prompt=_(exercise.prompt), hint=_(exercise.hint)
        )
        print(message)
        return CheckResult(False, message)
    try:
        right, why = exercise.checker(answer, **context)
    except Malformed as exc:
        right, why = False, _("{problem}.").format(problem=str(exc).rstrip("."))
    except Exception as exc:  # a checker must explain, never hand the learner a traceback
        right, why = (
            False,
            _(
                "this answer could not be checked: looking at it raised {error}: {message}. "
                "Is it the kind of object the exercise asks for?"
            ).format(error=type(exc).__name__, message=str(exc)[:200]),
        )
    if right:
        message = why
    else:  # each wrong attempt at the same exercise gets the next, more specific hint
        _attempts[key] = _attempts.get(key, 0) + 1
        shown = exercise.hints[min(_attempts[key], len(exercise.hints)) - 1]
        message = _("Not yet: {why} Hint: {hint}").format(why=why, hint=_(shown))
    print(message)
    if right:
        _record(key)
    return CheckResult(bool(right), message)


#: Wrong attempts per exercise in this kernel: the n-th gets the n-th hint (the last repeats).
_attempts: dict[str, int] = {}


def _record(key: str) -> None:
    """Add a solved exercise to `kt.progress()`; a record that cannot be written only warns."""
    import warnings

    from kerastutor.record import record_solved

    try:
        record_solved(key)
    except Exception as exc:  # a full disk or a locked file must not turn "Right" into an error
        warnings.warn(
            _("Could not record your progress ({error}).").format(error=exc),
            RuntimeWarning,
            stacklevel=3,
        )


def hint(key: str) -> tuple[str, ...]:
    """Print every hint of an exercise, from gentle to specific (none gives the answer).

    Returns the hints as the catalogue has them (in English); the printed ones are translated.
    """
    hints = _get(key).hints
    for number, text in enumerate(hints, 1):
        print(_("Hint {number}: {hint}").format(number=number, hint=_(text)))
    return hints


def solution(key: str) -> str:
    """Print and return a worked solution (only when you ask for it)."""
    text = _get(key).solution
    print(text)
    return text


# ---------------------------------------------------------------- reading answers


def pass_the_experiment(key: str, prediction: str = "prediction", name: str = "experiment") -> str:
    """What to do when a check that compares a prediction with a run has no experiment."""
    return _("pass the experiment too: kt.check('{key}', {prediction}, experiment={name})").format(
        key=key, prediction=prediction, name=name
    )


def the_experiment(
    context: Mapping[str, Any],
    key: str,
    *,
    needs: Sequence[str] = ("result",),
    prediction: str = "prediction",
    name: str = "experiment",
) -> Any:
    """The guided experiment `check` was given (`experiment=`), with the attributes `needs`;
    else `Malformed` saying how to pass it.

    >>> the_experiment({}, "06.weight_trade")
    Traceback (most recent call last):
    ...
    kerastutor.exercises.engine.Malformed: pass the experiment too: kt.check('06.weight_trade', \
prediction, experiment=experiment)
    """
    experiment = context.get("experiment")
    if experiment is None or not all(hasattr(experiment, attribute) for attribute in needs):
        raise Malformed(pass_the_experiment(key, prediction, name))
    return experiment


def experiment_run(experiment: Any, value: Any, *, no_such_run: str, not_run_yet: str) -> Any:
    """The experiment's run at `value`: the learner's own if they ran it, else run now (as moving
    the slider would). `Malformed(no_such_run)` when the experiment has no such value,
    `Malformed(not_run_yet)` when it has not run it and cannot."""
    if value in experiment.results:
        return experiment.results[value]
    if not hasattr(experiment, "result"):
        raise Malformed(not_run_yet)
    try:
        return experiment.result(value)
    except ValueError:
        raise Malformed(no_such_run) from None


def scalar(answer: Any) -> Any:
    """A tensor (of any backend), a 0-d array or a NumPy scalar as the Python value it holds."""
    if hasattr(answer, "numpy") or _is_jax_array(answer):
        try:
            answer = to_numpy(answer)
        except Exception:  # e.g. a symbolic tensor: the checker says what it got
            return answer
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer[()]
    return answer.item() if isinstance(answer, np.generic) else answer


def _is_jax_array(value: Any) -> bool:
    """A JAX array: the one tensor type without `.numpy()` (jax itself is not imported)."""
    return type(value).__module__.split(".")[0] in ("jax", "jaxlib")


def bounded(items: Any, what: str, limit: int = MAX_ITEMS) -> list:
    """Up to `limit` items of an iterable answer; refuse more, so an endless one cannot hang."""
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) > limit:
            raise Malformed(
                _(
                    "{what} goes on past {limit:,} items: is it endless (a .repeat(), a "
                    "generator that never stops)? Give a finite one"
                ).format(what=what, limit=limit)
            )
    return taken
