"""KnobExperiment: one run per value, a redraw per move, failures shown not raised, and a PNG
fallback for front ends without widgets."""

import pytest

import kerastutor as kt


def _draw(ax, results, value):
    ax.plot(list(results), list(results.values()), "o-")
    ax.set_title(f"current {value}")


def test_each_value_runs_once_and_the_widget_redraws():
    calls = []

    def run(value):
        calls.append(value)
        return value * value

    experiment = kt.KnobExperiment(run, _draw, values=[1, 2, 3], value=2, knob="x")
    shown = experiment.show()
    slider, status, image = shown.children
    first = image.value
    slider.value = 3
    slider.value = 2  # back: kept, not run again
    assert calls == [2, 3] and experiment.results == {2: 4, 3: 9}
    assert image.value != first and "2 run(s) so far" in status.value


def test_a_failing_run_is_reported_in_the_status_line_not_raised():
    def run(value):
        if value == 3:
            raise RuntimeError("out of memory")
        return value

    shown = kt.KnobExperiment(run, _draw, values=[1, 3]).show()
    slider, status, _ = shown.children
    slider.value = 3
    assert "failed" in status.value and "out of memory" in status.value


def test_bad_values_are_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"one of the knob's values \[1, 2\]"):
        kt.KnobExperiment(lambda v: v, _draw, values=[1, 2], value=5)
    with pytest.raises(ValueError, match="at least one value"):
        kt.KnobExperiment(lambda v: v, _draw, values=[])
    with pytest.raises(TypeError, match="run\\(value\\)"):
        kt.KnobExperiment(None, _draw, values=[1])


def test_the_output_carries_a_png_for_front_ends_without_widgets():
    bundle = kt.KnobExperiment(lambda v: v, _draw, values=[1, 2]).show()._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/png"][:4] == b"\x89PNG"
