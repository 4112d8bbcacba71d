"""Chapter 8's figure: `kt.draw_callback_hooks`, the order of a callback's hooks as a timeline."""

import matplotlib.figure
import pytest

import kerastutor as kt
from kerastutor.diagrams import _pair_spans, _record_hooks

ONE_EPOCH = [
    "on_train_begin",
    "on_epoch_begin",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_test_end",
    "on_epoch_end",
    "on_train_end",
]


def _bars(fig):
    return [p for p in fig.axes[0].patches if p.get_width() > 0]


def test_names_give_one_bar_per_begin_end_pair_on_its_own_row():
    fig = kt.draw_callback_hooks(ONE_EPOCH)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    rows = [label.get_text().splitlines()[0] for label in ax.get_yticklabels()]
    assert rows == ["on_train_*", "on_epoch_*", "on_train_batch_*", "on_test_*", "on_test_batch_*"]
    assert len(_bars(fig)) == 6  # fit, epoch, 2 training batches, validation, 1 validation batch
    assert ax.get_title() == "12 hook calls: 1 epoch"
    texts = {t.get_text() for t in ax.texts}
    assert {"fit()", "epoch 0", "0", "1", "validation"} <= texts
    assert any("val_" in t for t in texts), "the on_epoch_end arrow names the val_ logs"


def test_the_validation_run_sits_inside_its_epoch_before_on_epoch_end():
    spans = {
        (level, label): (first, last)
        for level, first, last, label in _pair_spans([(name, None) for name in ONE_EPOCH])
    }
    epoch = spans[("epoch", "epoch 0")]
    validation = spans[("test", "validation")]
    assert epoch[0] < validation[0] < validation[1] < epoch[1]


def test_recorded_tuples_keep_the_epoch_numbers_they_carry():
    # A run resumed with initial_epoch=3: the hooks receive epoch 3, and the drawing says so.
    calls = [
        ("on_train_begin", None, {}),
        ("on_epoch_begin", 3, {}),
        ("on_train_batch_begin", 0, {}),
        ("on_train_batch_end", 0, {"loss": 0.5}),
        ("on_epoch_end", 3, {"loss": 0.5}),
        ("on_train_end", None, {"loss": 0.5}),
    ]
    fig = kt.draw_callback_hooks(calls, title="resumed")
    assert "epoch 3" in {t.get_text() for t in fig.axes[0].texts}
    assert fig.axes[0].get_title() == "resumed"


def test_without_hooks_it_records_a_real_fit():
    calls = _record_hooks(epochs=2, steps=3, validation_steps=2)
    # 2 for fit, and per epoch: 2 (epoch) + 2 x 3 (batches) + 2 (validation) + 2 x 2 (its batches)
    assert len(calls) == 2 + 2 * (2 + 2 * 3 + 2 + 2 * 2) == 30
    assert calls[0] == ("on_train_begin", None) and calls[-1] == ("on_train_end", None)
    names = [name for name, _ in calls]
    assert names.index("on_test_end") < names.index("on_epoch_end")
    fig = kt.draw_callback_hooks(epochs=1, steps=2, validation_steps=1)
    assert fig.axes[0].get_title() == "12 hook calls: 1 epoch"


@pytest.mark.parametrize(
    "hooks, message",
    [
        (["on_train_begin", "on_fit_end"], "not a callback hook"),
        (["on_epoch_end"], "without a matching begin"),
        (["on_train_begin", "on_epoch_begin", "on_epoch_begin"], "before the previous one ended"),
        (["on_train_begin"], "never ended"),
        ([], "empty"),
    ],
)
def test_malformed_traces_are_refused_with_a_reason(hooks, message):
    with pytest.raises(ValueError, match=message):
        kt.draw_callback_hooks(hooks)
