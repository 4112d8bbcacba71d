"""Chapter 5's figure: `kt.draw_prefetch`, input preparation and training steps on a timeline."""

import matplotlib.figure
import pytest

import kerastutor as kt
from kerastutor.diagrams import _prefetch_overlaps, _prefetch_schedule


def _bars(ax):
    """(lane y, start ms, width ms) of every box drawn in a panel."""
    boxes = []
    for collection in ax.collections:
        if not hasattr(collection, "get_paths"):
            continue
        for path in collection.get_paths():
            vertices = path.vertices
            x0, x1 = vertices[:, 0].min(), vertices[:, 0].max()
            y0, y1 = vertices[:, 1].min(), vertices[:, 1].max()
            if y1 - y0 < 1.0:  # a lane's box, not the full-height overlap shading
                boxes.append((round((y0 + y1) / 2), x0, x1 - x0))
    return boxes


@pytest.mark.parametrize(
    "prepare, train, steps",
    [(0.02, 0.03, 4), (0.03, 0.02, 5), (0.01, 0.01, 1), (0.05, 0.01, 3)],
)
def test_schedule_totals_follow_the_formulas(prepare, train, steps):
    prep, fit = _prefetch_schedule(prepare, train, steps, prefetch=False)
    assert fit[-1][1] == pytest.approx(steps * (prepare + train))
    assert _prefetch_overlaps(prep, fit) == []  # one after the other: never both at once
    prep, fit = _prefetch_schedule(prepare, train, steps, prefetch=True)
    assert fit[-1][1] == pytest.approx(prepare + train + (steps - 1) * max(prepare, train))
    # every batch is ready before its step starts, and steps never overlap one another
    assert all(p_end <= f_start + 1e-12 for (_, p_end), (f_start, _) in zip(prep, fit))
    assert all(a_end <= b_start + 1e-12 for (_, a_end), (b_start, _) in zip(fit, fit[1:]))
    # the buffer holds one batch: batch k+1 is not started before step k-1 has begun
    assert all(prep[k + 1][0] >= fit[k][0] - 1e-12 for k in range(steps - 1))
    # the shaded time (both lanes busy) is exactly the time saved: (n - 1) * min(t_p, t_s)
    shared = sum(end - start for start, end in _prefetch_overlaps(prep, fit))
    saved = steps * (prepare + train) - fit[-1][1]
    assert shared == pytest.approx(saved) == pytest.approx((steps - 1) * min(prepare, train))


def test_schematic_figure_has_two_panels_with_their_totals():
    fig = kt.draw_prefetch(prepare=0.02, train=0.03, steps=4)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "without prefetch: 200 ms",
        "with prefetch: 140 ms",
    ]
    serial, overlapped = fig.axes
    assert serial.get_title(loc="right") == ""  # no shared time to shade
    assert overlapped.get_title(loc="right") == "shaded: both at once, 60 ms"
    for ax in fig.axes:
        boxes = _bars(ax)
        assert sorted({lane for lane, *_ in boxes}) == [0, 1]
        assert len(boxes) == 8  # 4 batches prepared, 4 steps trained
        assert [t.get_text() for t in ax.get_yticklabels()] == ["prepare\nbatch", "train\nstep"]
    assert fig.axes[-1].get_xlabel().startswith("time (ms)")


def test_measured_timelines_start_at_zero_and_keep_their_order():
    # spans as time.perf_counter() would give them: large absolute values
    base = 1000.0
    timelines = {
        "measured, without": (
            [(base, base + 0.01), (base + 0.03, base + 0.04)],
            [(base + 0.01, base + 0.03), (base + 0.04, base + 0.06)],
        ),
        "measured, with": (
            [(base, base + 0.01), (base + 0.01, base + 0.02)],
            [(base + 0.01, base + 0.03), (base + 0.03, base + 0.05)],
        ),
    }
    fig = kt.draw_prefetch(timelines, title="two runs")
    assert fig._suptitle.get_text() == "two runs"
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "measured, without: 60 ms",
        "measured, with: 50 ms",
    ]
    starts = sorted(start for _, start, _ in _bars(fig.axes[0]))
    assert starts[0] == pytest.approx(0.0) and starts[-1] == pytest.approx(40.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"prepare": 0}, "prepare must be a positive"),
        ({"train": -1.0}, "train must be a positive"),
        ({"steps": 0}, "steps must be a whole number"),
        ({"timelines": {}}, "no timeline"),
        ({"timelines": {"x": ([], [(0, 1)])}}, "x: prepare: no spans"),
        ({"timelines": {"x": ([(0, 1)], [(2, 1)])}}, "must end after it starts"),
    ],
)
def test_bad_input_says_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kt.draw_prefetch(**kwargs)
