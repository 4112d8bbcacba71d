"""Checker factories: the five shapes every exercise's checker is built from.

- `number`: a value, with the mistakes learners make named and explained;
- `choice`: one of a few named options (a diagnosis, a prediction);
- `object_with`: an object of a kind, with properties tested in order;
- `callable_on`: a function the learner wrote, run on cases;
- `history_with`: a `History` (or its dict) with properties.

Each returns `checker(answer, **context) -> (right, why)`. The expected value may be a function
of the context `check` was given, so a prediction can be compared with what a run showed.
A message is a string, or a function of the answer and the context that returns one.

>>> from kerastutor.exercises.factories import number
>>> steps = number(469, whole=True, right="Right: the last, smaller batch counts too.",
...                mistakes=[(468, "that drops the last, partial batch.")])
>>> steps(469)
(True, 'Right: the last, smaller batch counts too.')
>>> steps(468)
(False, 'that drops the last, partial batch.')
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kerastutor._arrays import to_numpy
from kerastutor.exercises.engine import Malformed, bounded, scalar
from kerastutor.i18n import N_
from kerastutor.i18n import gettext as _

__all__ = [
    "number",
    "choice",
    "object_with",
    "callable_on",
    "history_with",
    "Property",
    "Case",
    "as_number",
    "as_whole",
]

Message = str | Callable[..., str]

# The default messages, marked for translation (`_say` translates a fixed message when shown).
RIGHT = N_("Right.")
NOT_IT = N_("that is not it.")
SOMETHING_ELSE = N_("it returns something else.")


def _call(function: Callable, *args: Any, context: Mapping[str, Any]) -> Any:
    """Call `function(*args)`, adding `context` as a last argument when it takes one more."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return function(*args)
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) > len(args) or any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return function(*args, context)
    return function(*args)


def _say(message: Message, *args: Any, context: Mapping[str, Any]) -> str:
    """A message as the learner sees it: a fixed one is translated (the catalogue marks it with
    `N_`); a function builds its own, already in the current language."""
    return _call(message, *args, context=context) if callable(message) else _(message)


def _resolve(expected: Any, context: Mapping[str, Any]) -> Any:
    return _call(expected, context=context) if callable(expected) else expected


def as_number(answer: Any) -> float:
    """A real number from an answer (a tensor or 0-d array too), or `Malformed`."""
    answer = scalar(answer)
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Malformed(_("expected a number, got {answer!r}").format(answer=answer))
    value = float(answer)
    if not np.isfinite(value):
        raise Malformed(_("expected a finite number, got {value}").format(value=value))
    return value


def as_whole(answer: Any) -> int:
    """A whole number from an answer (2.0 counts as 2), or `Malformed`."""
    value = scalar(answer)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    raise Malformed(_("expected a whole number, got {value!r}").format(value=value))


def number(
    expected: float | Callable[..., float],
    *,
    tolerance: float = 1e-6,
    whole: bool = False,
    right: Message = RIGHT,
    mistakes: Sequence[tuple[float | Callable[..., float], Message]] = (),
    otherwise: Message = NOT_IT,
) -> Callable[..., tuple[bool, str]]:
    """A checker for a number.

    Args:
        expected: the right value, or a function of the check's context that returns it.
        tolerance: the largest absolute difference that still counts as right.
        whole: ask for a whole number (and compare exactly).
        right: the message for a right answer.
        mistakes: `(value, why)` pairs: an answer at `value` (within `tolerance`) gets `why`.
        otherwise: the message for any other answer (a function gets the value).
    """

    def checker(answer: Any, **context: Any) -> tuple[bool, str]:
        value = as_whole(answer) if whole else as_number(answer)
        target = _resolve(expected, context)
        if abs(value - target) <= (0 if whole else tolerance):
            return True, _say(right, value, context=context)
        for mistake, why in mistakes:
            if abs(value - _resolve(mistake, context)) <= (0 if whole else tolerance):
                return False, _say(why, value, context=context)
        return False, _say(otherwise, value, context=context)

    return checker


def _normalise(text: str) -> str:
    return re.sub(r"[\s_\-,;.]+", " ", text.strip().lower()).strip()


def choice(
    options: Mapping[str, Message],
    right: str | Callable[..., str],
    *,
    explain: Message = "",
) -> Callable[..., tuple[bool, str]]:
    """A checker for one of a few named options (case, spaces and underscores don't matter).

    Args:
        options: each option and what to say when a learner picks it.
        right: the right option, or a function of the context that returns it (for a
            prediction compared with what a run showed).
        explain: said after the option's message either way; a function is called as
            `explain(pick)` or, when it takes two arguments, `explain(pick, context)`.
    """
    names = {_normalise(name): name for name in options}

    def checker(answer: Any, **context: Any) -> tuple[bool, str]:
        answer = scalar(answer)
        if not isinstance(answer, str) or _normalise(answer) not in names:
            listed = ", ".join(repr(name) for name in options)
            raise Malformed(
                _("choose one of {options}; got {answer!r}").format(options=listed, answer=answer)
            )
        pick = names[_normalise(answer)]
        target = _resolve(right, context)
        told = " ".join(
            part
            for part in (
                _say(options[pick], pick, context=context),
                _say(explain, pick, context=context),
            )
            if part
        )
        if _normalise(pick) == _normalise(target):
            said_right = told.startswith(("Right", _("Right")))
            return True, told if said_right else _("Right: {message}").format(message=told)
        return False, told

    return checker


@dataclass(frozen=True)
class Property:
    """One property an object must have: `test(obj)` (or `test(obj, context)`) must be true.

    `failure` says what is wrong when it is not. A test that raises counts as failed, and the
    learner is told what it raised.
    """

    test: Callable[..., bool]
    failure: Message


def _kind(kind: type | tuple | str) -> type | tuple:
    """A type from a dotted name ("keras.Model") imported only when an answer is checked."""
    if isinstance(kind, str):
        module, _, name = kind.rpartition(".")
        return getattr(importlib.import_module(module), name)
    return kind


def _check_properties(
    obj: Any, properties: Sequence[Property], context: Mapping[str, Any]
) -> str | None:
    for prop in properties:
        try:
            ok = bool(_call(prop.test, obj, context=context))
        except Malformed:
            raise
        except Exception as exc:  # the learner's object ran: report what it raised
            return _("testing it raised {error}: {message}.").format(
                error=type(exc).__name__, message=str(exc)[:200].rstrip(".")
            )
        if not ok:
            return _say(prop.failure, obj, context=context)
    return None


def object_with(
    kind: type | tuple | str,
    properties: Sequence[Property] = (),
    *,
    right: Message = RIGHT,
    convert: Callable[[Any], Any] | None = None,
) -> Callable[..., tuple[bool, str]]:
    """A checker for an object of a kind, with properties tested in order.

    Args:
        kind: the type (or a dotted name such as `"keras.callbacks.Callback"`, imported when
            an answer is checked, so the catalogue loads without Keras).
        properties: `Property` tests, in the order a learner should fix them.
        right: the message when every property holds.
        convert: turns the answer into the object to test first (may raise `Malformed`).
    """

    def checker(answer: Any, **context: Any) -> tuple[bool, str]:
        obj = convert(answer) if convert else answer
        expected_kind = _kind(kind)
        if not isinstance(obj, expected_kind):
            names = (
                " or ".join(k.__name__ for k in expected_kind)
                if isinstance(expected_kind, tuple)
                else expected_kind.__name__
            )
            raise Malformed(
                _("expected a {expected}, got {got}").format(expected=names, got=type(obj).__name__)
            )
        failure = _check_properties(obj, properties, context)
        if failure is not None:
            return False, failure
        return True, _say(right, obj, context=context)

    return checker


@dataclass(frozen=True)
class Case:
    """One call of a learner's function: `args` (or a function returning them), what it must
    return (or a function of the args computing it), and a label for feedback."""

    args: tuple | Callable[[], tuple]
    expected: Any
    label: str = ""
    tolerance: float = 1e-5


def _numpy(value: Any) -> np.ndarray:
    return np.asarray(to_numpy(value), dtype="float64")


def callable_on(
    cases: Sequence[Case],
    *,
    right: Message = RIGHT,
    mistakes: Sequence[tuple[Callable[..., Any], Message]] = (),
    otherwise: Message = SOMETHING_ELSE,
) -> Callable[..., tuple[bool, str]]:
    """A checker for a function: it is called on every case and must match (within tolerance).

    Args:
        cases: the calls, with what each must return.
        right: the message when every case matches.
        mistakes: `(function, why)`: when the answer matches a known wrong function on every
            case, say `why`.
        otherwise: the message for any other mismatch (a function gets the label of the first
            case that failed and what the answer returned).
    """

    def outputs(function: Callable) -> list[np.ndarray]:
        results = []
        for case in cases:
            args = case.args() if callable(case.args) else case.args
            results.append(_numpy(function(*args)))
        return results

    def expected_outputs() -> list[np.ndarray]:
        results = []
        for case in cases:
            args = case.args() if callable(case.args) else case.args
            value = case.expected(*args) if callable(case.expected) else case.expected
            results.append(_numpy(value))
        return results

    def close(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
        return all(
            x.shape == y.shape and np.allclose(x, y, atol=case.tolerance, rtol=0)
            for x, y, case in zip(a, b, cases)
        )

    def checker(answer: Any, **context: Any) -> tuple[bool, str]:
        if not callable(answer):
            raise Malformed(_("expected a function, got {got}").format(got=type(answer).__name__))
        try:
            got = outputs(answer)
        except Malformed:
            raise
        except Exception as exc:  # the learner's code: report, don't crash
            return False, _("calling it raised {error}: {message}.").format(
                error=type(exc).__name__, message=str(exc)[:200].rstrip(".")
            )
        want = expected_outputs()
        if close(got, want):
            return True, _say(right, answer, context=context)
        for mistake, why in mistakes:
            try:
                if close(got, outputs(mistake)):
                    return False, _say(why, answer, context=context)
            except Exception:
                continue
        first = next(
            i
            for i, (x, y, case) in enumerate(zip(got, want, cases))
            if not (x.shape == y.shape and np.allclose(x, y, atol=case.tolerance, rtol=0))
        )
        label = (
            _(cases[first].label)
            if cases[first].label
            else _("case {number}").format(number=first + 1)
        )
        shown = np.array2string(got[first], precision=4, threshold=8)
        if callable(otherwise):
            return False, _call(otherwise, label, shown, context=context)
        return False, _("on {case} it returned {value}: {message}").format(
            case=label, value=shown, message=_(otherwise)
        )

    return checker


def _history(answer: Any) -> dict[str, list[float]]:
    from collections.abc import Mapping as MappingType

    from kerastutor.plots import history_dict

    logs = answer.history if hasattr(answer, "history") else answer
    if not isinstance(logs, MappingType) and not hasattr(logs, "columns"):
        raise Malformed(
            _("expected a History (what fit returns) or its dict, got {got}").format(
                got=type(answer).__name__
            )
        )
    if isinstance(logs, MappingType):  # read each list with a bound: it is untrusted input
        logs = {
            k: bounded(v, _("the {key!r} values").format(key=k), limit=100_000)
            for k, v in logs.items()
        }
    try:
        return history_dict(logs)
    except (TypeError, ValueError) as exc:
        raise Malformed(
            _("this History holds something other than numbers: {error}").format(error=exc)
        ) from None


def history_with(
    properties: Sequence[Property],
    *,
    right: Message = RIGHT,
) -> Callable[..., tuple[bool, str]]:
    """A checker for a `History` (or `history.history`): properties test its dict of lists.

    >>> from kerastutor.exercises.factories import Property, history_with
    >>> improved = history_with(
    ...     [Property(lambda logs: "val_loss" in logs, "validate: pass validation_data."),
    ...      Property(lambda logs: logs["val_loss"][-1] < logs["val_loss"][0],
    ...               "val_loss did not go down.")],
    ...     right="Right: it learned.")
    >>> improved({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    (True, 'Right: it learned.')
    """
    return object_with(dict, properties, right=right, convert=_history)
