"""Chapter 2's figure: `kt.draw_training_loop`, epochs, batches and steps of `fit`."""

import math

import matplotlib.colors
import matplotlib.figure
import matplotlib.pyplot as plt
import pytest

import kerastutor as kt


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def _steps(fig):
    return [t for t in _texts(fig) if t.startswith("step ")]


def _boxes(fig, colour):
    return [p for p in fig.axes[0].patches if matplotlib.colors.to_hex(p.get_facecolor()) == colour]


BATCH, VALIDATION, SHUFFLE = "#4c72b0", "#dd8452", "#8c8c8c"


def test_one_box_per_step_numbered_across_epochs():
    fig = kt.draw_training_loop(2000, 500, epochs=3)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert _steps(fig) == [f"step {k}" for k in range(1, 13)]  # 3 epochs x 4 steps
    assert len(_boxes(fig, BATCH)) == 12
    assert [t for t in _texts(fig) if t.startswith("epoch")] == ["epoch 1", "epoch 2", "epoch 3"]
    assert "every batch is full" in _texts(fig)[-1]


def test_the_last_batch_is_smaller_and_says_how_many_samples():
    fig = kt.draw_training_loop(2000, 300, epochs=1)
    assert len(_steps(fig)) == math.ceil(2000 / 300) == 7
    texts = _texts(fig)
    sizes = [int(t.replace(",", "")) for t in texts if t.replace(",", "").isdigit()]
    assert sizes == [300] * 6 + [200]
    widths = [p.get_width() for p in _boxes(fig, BATCH)]
    assert widths[-1] == pytest.approx(widths[0] * 200 / 300)
    formula = texts[-1]
    assert "\u23082000 / 300\u2309 = 7" in formula and "= 200" in formula


def test_one_weight_update_per_step():
    fig = kt.draw_training_loop(1000, 250, epochs=2)
    markers = [line for line in fig.axes[0].lines if line.get_marker() == "v"]
    assert len(markers) == 2 * 4
    assert "2 \u00d7 4 = 8" in _texts(fig)[-1]


def test_validation_and_shuffle_once_per_epoch_and_optional():
    fig = kt.draw_training_loop(100, 32, epochs=3)
    assert len(_boxes(fig, VALIDATION)) == 3 and len(_boxes(fig, SHUFFLE)) == 3
    bare = kt.draw_training_loop(100, 32, epochs=3, validation=False, shuffle=False)
    assert _boxes(bare, VALIDATION) == [] and _boxes(bare, SHUFFLE) == []


def test_long_epochs_are_shortened_but_keep_the_true_step_numbers():
    fig = kt.draw_training_loop(60_000, 128, epochs=5, max_batches=8, max_epochs=3)
    steps = _steps(fig)
    # Per drawn epoch: 6 batches, "...", the last batch (469); epochs 1, 2 and 5 are drawn.
    assert len(steps) == 3 * 7
    assert steps[:7] == [f"step {k}" for k in (1, 2, 3, 4, 5, 6, 469)]
    assert steps[-1] == f"step {5 * 469}"
    assert any("462 more" in t for t in _texts(fig))
    assert any("epochs 3 to 4" in t for t in _texts(fig))


def test_default_title_names_the_fit_call():
    fig = kt.draw_training_loop(8000, 32, epochs=1)
    assert fig.axes[0].get_title(loc="left") == (
        "fit(x, y, batch_size=32, epochs=1) on 8,000 samples"
    )
    assert kt.draw_training_loop(10, 3, title="mine").axes[0].get_title(loc="left") == "mine"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": 0, "batch_size": 32},
        {"n_samples": 100, "batch_size": 0},
        {"n_samples": 100, "batch_size": 2.5},
        {"n_samples": 100, "batch_size": 10, "epochs": 0},
        {"n_samples": 100, "batch_size": True},
        {"n_samples": 100, "batch_size": 10, "max_batches": 2},
    ],
)
def test_bad_counts_are_refused(kwargs):
    with pytest.raises(ValueError):
        kt.draw_training_loop(**kwargs)


def test_no_figure_is_left_open_in_pyplot():
    before = plt.get_fignums()
    kt.draw_training_loop(2000, 500)
    assert plt.get_fignums() == before


def test_numpy_counts_work_like_ints():
    np = pytest.importorskip("numpy")
    fig = kt.draw_training_loop(np.int64(2000), np.int64(500), epochs=np.int64(1))
    assert _steps(fig) == ["step 1", "step 2", "step 3", "step 4"]
