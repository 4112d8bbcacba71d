"""Exercises with checked answers, and `expect_error` / `expect_warning` for cells that must
fail or warn.

The catalogue is data, one module a chapter (`ch01.py` ... `ch10.py`): each `Exercise` has a
key, a kind (`KINDS`), a prompt, a checker built by a factory of `factories.py`, hints, a
solution and a typical wrong answer. `check(key, answer)` says whether an answer is right and
why, or gives a hint when it is not; it never prints the answer itself. `solution(key)` shows a
worked solution when a learner asks for it; `hint(key)` shows every hint.

>>> import kerastutor as kt
>>> result = kt.check("02.steps_per_epoch", 469)
Right: 60,000 / 128 = 468.75, and the last, smaller batch still counts: 469 steps.
>>> bool(result)
True
>>> bool(kt.check("02.steps_per_epoch", "lots"))  # doctest: +ELLIPSIS
Not yet: expected a whole number, got 'lots'. Hint: ...
False
"""

from __future__ import annotations

import importlib

from kerastutor.exercises.engine import KINDS as KINDS  # for catalogue authors
from kerastutor.exercises.engine import MAX_ITEMS as MAX_ITEMS
from kerastutor.exercises.engine import (
    CheckResult,
    Exercise,
    check,
    hint,
    solution,
)
from kerastutor.exercises.engine import Malformed as Malformed
from kerastutor.exercises.expect import expect_error, expect_warning

# Public names, re-exported by kerastutor (KINDS, MAX_ITEMS and Malformed are for catalogue
# authors, imported from here).
__all__ = [
    "EXERCISES",
    "CheckResult",
    "Exercise",
    "check",
    "hint",
    "solution",
    "exercises_for",
    "expect_error",
    "expect_warning",
]

#: The chapters that have a catalogue module `chNN.py`.
CHAPTERS = range(0, 12)


def _load() -> dict[str, Exercise]:
    catalogue: dict[str, Exercise] = {}
    for chapter in CHAPTERS:
        try:
            module = importlib.import_module(f"kerastutor.exercises.ch{chapter:02d}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kerastutor.exercises.ch{chapter:02d}":
                raise
            continue
        for exercise in module.EXERCISES:
            if exercise.chapter != chapter:
                raise ValueError(f"{exercise.key} is listed in chapter {chapter}'s module.")
            if exercise.key in catalogue:
                raise ValueError(f"Two exercises are called {exercise.key}.")
            catalogue[exercise.key] = exercise
    return catalogue


#: Every exercise of the course by key, in chapter order.
EXERCISES: dict[str, Exercise] = _load()


def exercises_for(chapter: int) -> list[Exercise]:
    """The exercises of one chapter, in order."""
    return [e for e in EXERCISES.values() if e.chapter == chapter]
