"""The five checker factories: right, named mistakes, other wrong answers and malformed input."""

import itertools

import numpy as np
import pytest

from kerastutor.exercises.engine import Malformed
from kerastutor.exercises.factories import (
    Case,
    Property,
    callable_on,
    choice,
    history_with,
    number,
    object_with,
)


def test_number_names_mistakes_and_reads_the_context():
    check = number(
        lambda context: len(context["history"]),
        whole=True,
        right="Right.",
        mistakes=[(lambda context: len(context["history"]) - 1, "off by one.")],
        otherwise=lambda value: f"{value} is not it.",
    )
    assert check(3, history=[1, 2, 3]) == (True, "Right.")
    assert check(np.int64(2), history=[1, 2, 3]) == (False, "off by one.")
    assert check(7.0, history=[1, 2, 3]) == (False, "7 is not it.")
    with pytest.raises(Malformed, match="whole number"):
        check(2.5, history=[1, 2, 3])
    with pytest.raises(Malformed, match="finite"):
        number(1.0)(float("nan"))
    with pytest.raises(Malformed):
        number(1.0)(True)  # a bool is not a number here


def test_choice_normalises_and_lists_the_options():
    check = choice({"Over-fitting": "memorised.", "rate too high": "diverged."}, "rate too high")
    assert check("Rate_Too High.") == (True, "Right: diverged.")
    assert check("over fitting") == (False, "memorised.")
    with pytest.raises(Malformed, match="'Over-fitting', 'rate too high'"):
        check("no idea")
    with pytest.raises(Malformed):
        check(42)


def test_choice_compares_with_what_a_run_showed():
    check = choice(
        {"up": "", "down": ""},
        right=lambda context: "up" if context["run"][-1] > context["run"][0] else "down",
        explain=lambda pick, context: f"It went from {context['run'][0]} to {context['run'][-1]}.",
    )
    assert check("up", run=[1, 2]) == (True, "Right: It went from 1 to 2.")
    assert check("up", run=[2, 1]) == (False, "It went from 2 to 1.")


def test_object_with_tests_properties_in_order_and_reports_what_raised():
    check = object_with(
        "collections.OrderedDict",
        [
            Property(lambda d: "a" in d, "it needs the key 'a'."),
            Property(lambda d, context: d["a"] == context["expected"], "wrong value."),
            Property(lambda d: 1 / d["zero"], "never reached"),
        ],
        right="Right.",
    )
    from collections import OrderedDict

    assert check(OrderedDict(b=1), expected=1) == (False, "it needs the key 'a'.")
    assert check(OrderedDict(a=2), expected=1) == (False, "wrong value.")
    right, why = check(OrderedDict(a=1, zero=0), expected=1)
    assert not right and why.startswith("testing it raised ZeroDivisionError")
    with pytest.raises(Malformed, match="expected a OrderedDict, got dict"):
        check({"a": 1}, expected=1)


def test_callable_on_runs_cases_and_names_a_known_mistake():
    cases = [Case((np.array([1.0, -2.0]),), lambda x: np.abs(x).mean(), "a pair")]
    check = callable_on(
        cases,
        right="Right.",
        mistakes=[(lambda x: x.mean(), "that is the plain mean.")],
        otherwise="not the mean absolute value.",
    )
    assert check(lambda x: np.mean(np.abs(x))) == (True, "Right.")
    assert check(lambda x: np.mean(x)) == (False, "that is the plain mean.")
    right, why = check(lambda x: x.max())
    assert not right and why.startswith("on a pair it returned") and "not the mean" in why
    right, why = check(lambda x: x.nope)
    assert not right and why.startswith("calling it raised AttributeError")
    with pytest.raises(Malformed, match="expected a function"):
        check(3)


def test_history_with_reads_a_history_and_bounds_endless_values():
    check = history_with([Property(lambda logs: "val_loss" in logs, "no validation.")])
    assert check({"loss": [1.0], "val_loss": [1.2]})[0]
    assert check({"loss": [1.0]}) == (False, "no validation.")
    with pytest.raises(Malformed, match="endless"):
        check({"loss": itertools.count()})
    with pytest.raises(Malformed, match="History"):
        check("loss went down")
