"""Chapter 0's prediction beyond the generic tests: the right option is read off the runs (the
early and the late gain in validation accuracy), and the runs missing are run by the check."""

import pytest

import kerastutor as kt


class Runs:
    """A stand-in for the KnobExperiment: `result(v)` runs a value and records it."""

    def __init__(self, validation):
        self.validation, self.results, self.ran = validation, {}, []

    def result(self, value):
        self.ran.append(value)
        self.results[value] = {"training": 1.0, "validation": self.validation[value]}
        return self.results[value]


OPTIONS = ["each doubling adds the same", "each doubling adds less", "each doubling adds more"]


@pytest.mark.parametrize(
    "validation, outcome",
    [
        ({250: 0.805, 1000: 0.89, 2000: 0.915, 8000: 0.93}, "each doubling adds less"),
        ({250: 0.60, 1000: 0.70, 2000: 0.75, 8000: 0.85}, "each doubling adds the same"),
        ({250: 0.60, 1000: 0.62, 2000: 0.65, 8000: 0.85}, "each doubling adds more"),
    ],
)
def test_the_prediction_is_read_off_the_runs(validation, outcome, capsys):
    runs = Runs(validation)
    runs.results[1000] = {"training": 1.0, "validation": validation[1000]}  # the default ran
    assert kt.check("00.more_images", outcome, experiment=runs)
    assert sorted(runs.ran) == [250, 2000, 8000]  # the check ran the others, once
    for other in set(OPTIONS) - {outcome}:
        assert not kt.check("00.more_images", other, experiment=runs)
    out = capsys.readouterr().out
    assert "Your run: from 250 to 1,000 images" in out
    assert sorted(runs.ran) == [250, 2000, 8000]


def test_the_prediction_needs_the_experiment(capsys):
    assert not kt.check("00.more_images", OPTIONS[1])
    assert "experiment=experiment" in capsys.readouterr().out
