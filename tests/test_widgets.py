"""TrainingPanel, RunBoard and BatchSizeExplorer, driven by their API and by widget clicks.

The experiment behind them (Settings, Experiment) is tested without widgets in
tests/test_experiment.py."""

import math
import time

import keras
import numpy as np
import pytest

import kerastutor as kt


@pytest.fixture(scope="module")
def mnist():
    (x, y), _ = kt.load_mnist("bundled", verbose=False)
    x = (x.reshape(-1, 784) / 255.0).astype("float32")
    return kt.split_validation(x, y.astype("int64"), 2000, seed=0)


@pytest.fixture
def panel(mnist):
    return kt.TrainingPanel(kt.get_digits_model, mnist)


def test_default_panel_needs_no_arguments():
    panel = kt.TrainingPanel()
    assert panel.x_train.shape == (8_000, 784) and panel.classes == list(range(10))
    assert panel.x_val.shape == (2_000, 784)
    assert panel.output_names == ["predictions"] and panel.w_loss_weights == {}


def test_run_records_exactly_the_settings_and_trains_with_them(panel):
    panel.set(
        batch_size=128, epochs=2, optimizer="sgd", learning_rate=0.1, pipeline="tf_data", seed=3
    )
    run = panel.train()
    s = run.settings
    assert (s["batch_size"], s["epochs"], s["optimizer"], s["pipeline"], s["seed"]) == (
        128,
        2,
        "sgd",
        "tf_data",
        3,
    )
    assert s["learning_rate"] == pytest.approx(0.1)
    assert run.steps_per_epoch == math.ceil(8_000 / 128) == 63
    assert isinstance(panel.model.optimizer, keras.optimizers.SGD)
    assert float(panel.model.optimizer.momentum) == pytest.approx(0.9)
    assert run.learning_rate == pytest.approx(0.1)
    # The optimizer took exactly epochs * ceil(n / batch_size) steps.
    assert int(panel.model.optimizer.iterations) == 2 * 63
    assert run.epochs_done == 2 and not run.stopped and run.error is None
    assert run.final["val_sparse_categorical_accuracy"] > 0.85
    # The run table names what "sgd" built, as the dropdown does.
    assert panel.board.table().loc[run.number, "optimizer"] == "sgd (momentum 0.9)"


def test_runs_are_reproducible(panel):
    panel.set(batch_size=256, epochs=1, seed=7)
    a = panel.train()
    b = panel.train()
    assert a.final["loss"] == pytest.approx(b.final["loss"], rel=1e-6)
    table = panel.board.table()
    assert list(table.index) == [1, 2] and table.loc[1, "batch_size"] == 256


def test_validation_split_uses_the_numpy_split(panel):
    panel.set(batch_size=256, epochs=1, validation_split=0.2)
    run = panel.train()
    assert run.steps_per_epoch == math.ceil(6_400 / 256)
    assert int(panel.model.optimizer.iterations) == run.steps_per_epoch


def test_class_weight_raises_that_class_recall(panel):
    panel.set(batch_size=128, epochs=2, seed=0)
    plain = panel.train()
    panel.set(class_weight={5: 8.0})
    weighted = panel.train()
    assert weighted.settings["class_weight"][5] == 8.0
    assert weighted.per_class_recall[5] > plain.per_class_recall[5]


def test_balanced_and_sample_weight_rules(panel):
    panel.set(batch_size=512, epochs=1, class_weight="balanced")
    run = panel.train()
    assert run.settings["class_weight"] == kt.balanced_class_weight(panel.y_train)
    panel.set(class_weight=None, sample_weight="0/1 mask (every other sample ignored)")
    assert panel.train().error is None


def test_stop_ends_the_run_early_and_keeps_its_history(panel):
    panel.set(batch_size=8, epochs=30)
    panel.train(wait=False)
    deadline = time.time() + 60
    while panel.w_progress.value < 50 and time.time() < deadline:
        time.sleep(0.05)
    assert panel.running and panel.w_train.disabled and panel.w_batch_size.disabled
    panel.stop()
    run = panel.wait(timeout=60)
    assert not panel.running and run.stopped
    assert run.epochs_done < 30
    assert len(run.history["loss"]) == run.epochs_done
    assert not panel.w_train.disabled and panel.w_stop.disabled
    assert "Training" not in panel.w_message.value


def test_train_and_stop_buttons(panel):
    panel.w_batch_size.value = 8
    panel.w_epochs.value = 30
    panel.w_train.click()
    deadline = time.time() + 60
    while panel.w_progress.value < 50 and time.time() < deadline:
        time.sleep(0.05)
    panel.w_stop.click()
    run = panel.wait(timeout=60)
    assert run.stopped and run.settings["batch_size"] == 8
    assert len(panel.board.runs) == 1 and "stopped" in panel.w_table.value
    assert bytes(panel.w_plot.value).startswith(b"\x89PNG")  # the live curves were drawn


@pytest.mark.parametrize(
    "settings, reason",
    [
        ({"pipeline": "generator", "class_weight": {5: 2.0}}, "class weights"),
        ({"pipeline": "torch", "class_weight": "balanced"}, "class weights"),
        ({"pipeline": "tf_data", "validation_split": 0.2}, "validation_split"),
    ],
)
def test_rejected_combination_never_starts_training(panel, settings, reason):
    panel.set(**settings)
    assert panel.w_train.disabled and reason in panel.w_message.value
    with pytest.raises(ValueError, match="Not training"):
        panel.train()
    panel.w_train.click()  # even a click on the disabled button starts nothing
    assert not panel.running and panel.board.runs == [] and panel.model is None


def test_class_weights_on_a_regression_output_are_refused():
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 4), dtype=np.float32), rng.random(64).astype("float32")

    def build():
        inputs = keras.Input((4,))
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))

    panel = kt.TrainingPanel(build, ((x, y), (x, y)), loss="mse", metrics=["mae"])
    assert not panel.is_classifier and panel.w_class_weights == {}
    panel.w_class_weight_mode.value = "balanced"
    assert "regression" in " ".join(panel.problems())


def test_multi_output_panel_has_one_loss_weight_per_output():
    x, y = kt.make_multi_input_data(n=32, seed=0)
    panel = kt.TrainingPanel(
        kt.get_multi_io_model,
        ((x, y), (x, y)),
        loss={
            "score_output": "mse",
            "class_output": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        metrics={"class_output": ["categorical_accuracy"]},
    )
    assert set(panel.w_loss_weights) == {"score_output", "class_output"}
    panel.set(batch_size=16, epochs=1, loss_weights={"score_output": 2.0, "class_output": 0.5})
    run = panel.train()
    assert run.settings["loss_weights"] == {"score_output": 2.0, "class_output": 0.5}
    assert "score_output_loss" in run.history


@pytest.mark.parametrize(
    "values, message",
    [
        ({"batch_size": 100}, "batch_size must be one of"),
        ({"epochs": 0}, "epochs must be a whole number from 1 to 30"),
        ({"epochs": 2.7}, "epochs must be a whole number from 1 to 30, not 2.7"),
        ({"batch_size": True}, "batch_size must be one of"),
        ({"learning_rate": float("nan")}, "learning_rate must be a number from"),
        ({"class_weight": {5: -1.0}}, "class_weight\\[5\\] must be a number from 0"),
        ({"class_weight": [1.0, 2.0]}, "class_weight must be None, 'balanced' or a dict"),
        ({"learning_rate": 5.0}, "learning_rate must be a number from"),
        ({"optimizer": "adamw"}, "optimizer must be one of"),
        ({"pipeline": "csv"}, "pipeline must be one of"),
        ({"class_weight": {11: 2.0}}, "classes \\[11\\] that are not in the labels"),
        ({"loss_weights": {"nope": 1.0}}, "No output 'nope'"),
    ],
)
def test_out_of_range_values_are_refused(panel, values, message):
    with pytest.raises(ValueError, match=message):
        panel.set(**values)


def test_unknown_setting(panel):
    with pytest.raises(TypeError, match="Unknown setting 'lr'"):
        panel.set(lr=0.1)


def test_run_board_table_csv_and_plot(panel, tmp_path):
    for batch_size in (128, 1024):
        panel.set(batch_size=batch_size, epochs=2)
        panel.train()
    board = panel.board
    table = board.table(sort_by="batch_size", ascending=False)
    assert list(table["batch_size"]) == [1024, 128]
    assert {"loss", "val_loss", "worst class recall", "seconds"} <= set(table.columns)
    board.to_csv(tmp_path / "runs.csv")
    assert (tmp_path / "runs.csv").read_text().splitlines()[0].startswith("run,batch_size")
    fig = board.plot(runs=[1, 2], metrics=["loss"])
    assert len(fig.axes[0].get_lines()) == 4  # two runs, train and val
    with pytest.raises(KeyError, match="No column"):
        board.table(sort_by="nope")
    with pytest.raises(ValueError, match="No such runs"):
        board.plot(runs=[9])


def test_batch_size_explorer(mnist):
    explorer = kt.BatchSizeExplorer(data=mnist)
    small = explorer.try_batch_size(1024)
    assert small["steps_per_epoch"] == 8
    explorer.widget.children[0].value = 256  # sliding trains at the new size
    assert [r["batch_size"] for r in explorer.results] == [1024, 256]
    assert explorer.results[1]["steps_per_epoch"] == 32
    assert "32 steps an epoch" in explorer.widget.children[1].value
    assert 0.5 < explorer.results[1]["accuracy"] <= 1.0  # validation accuracy
    with pytest.raises(ValueError, match="batch_size must be one of"):
        explorer.try_batch_size(0)


def test_malformed_data_gets_a_clear_error(mnist):
    (x, y), _ = mnist
    with pytest.raises(ValueError, match=r"\(\(x_train, y_train\), \(x_val, y_val\)\)"):
        kt.TrainingPanel(kt.get_digits_model, (x, y))
    with pytest.raises(kt.PipelineError, match="Mismatched lengths"):
        kt.TrainingPanel(kt.get_digits_model, ((x, y[:10]), (x, y)))


# ---------------------------------------------------------------- defects found in review


def test_a_bad_value_changes_nothing(panel):
    panel.set(batch_size=256, epochs=2)
    with pytest.raises(ValueError, match="epochs"):
        panel.set(batch_size=128, epochs=99)
    assert panel.current.batch_size == 256 and panel.w_batch_size.value == 256
    assert panel.current.epochs == 2


def test_numpy_scalars_are_accepted(panel):
    panel.set(batch_size=np.int64(128), epochs=np.int32(2), learning_rate=np.float32(0.01))
    assert panel.current.batch_size == 128 and type(panel.current.batch_size) is int
    assert panel.current.learning_rate == pytest.approx(0.01)


def test_constructor_checks_values_as_set_does(mnist):
    with pytest.raises(ValueError, match="learning_rate must be a number from"):
        kt.TrainingPanel(kt.get_digits_model, mnist, learning_rate=5)


@pytest.mark.parametrize("pipeline", ["numpy", "pydataset", "tf_data"])
def test_class_weights_with_a_sample_weight_rule_never_train(panel, pipeline):
    panel.set(
        pipeline=pipeline,
        class_weight={5: 2.0},
        sample_weight="0/1 mask (every other sample ignored)",
    )
    assert "Keras refuses class_weight together with sample weights" in " ".join(panel.problems())
    assert panel.w_train.disabled
    with pytest.raises(ValueError, match="Not training"):
        panel.train()
    assert panel.board.runs == []


def test_two_callers_start_exactly_one_run(panel):
    import threading

    panel.set(batch_size=8, epochs=30)
    barrier = threading.Barrier(4)
    outcomes = []

    def start():
        barrier.wait()
        try:
            panel.train(wait=False)
            outcomes.append("started")
        except RuntimeError:
            outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "started"]
    panel.stop()
    panel.wait(timeout=60)
    panel.set(epochs=1, batch_size=1024)
    panel.train()
    assert [run.number for run in panel.board.runs] == [1, 2]


def test_kernel_interrupt_during_wait_stops_the_one_run(panel):
    import os
    import signal
    import threading

    panel.set(batch_size=8, epochs=30)
    # SIGINT raises KeyboardInterrupt, as in a kernel, even if this process started with it
    # ignored (a background job of a non-interactive shell).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            panel.train(wait=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not panel.running
    assert len(panel.board.runs) == 1 and panel.board.runs[0].stopped
    assert not panel.w_train.disabled  # the controls are back
    panel.set(epochs=1, batch_size=1024)
    run = panel.train()  # and the next run works
    assert run.number == 2 and not run.stopped and run.error is None


def test_a_partial_epoch_is_not_reported_as_an_epoch(panel):
    panel.set(batch_size=8, epochs=3)
    panel.train(wait=False)
    deadline = time.time() + 60
    while panel.w_progress.value < 20 and time.time() < deadline:
        time.sleep(0.02)
    panel.stop()
    run = panel.wait(timeout=60)
    assert run.stopped and run.epochs_done == 1
    assert run.final == {}  # no complete epoch: nothing to report as one
    assert 0 < run.partial_epoch["batches"] < run.steps_per_epoch
    assert "partial" in panel.w_table.value


def test_placeholder_first_then_the_old_figure_is_cleared(panel):
    assert "Press <b>Train</b>" in panel.w_placeholder.value
    assert panel.w_plot.layout.display == "none"  # no broken-image icon before a run
    panel.set(batch_size=1024, epochs=1)
    panel.train()
    assert panel.w_plot.layout.display != "none" and len(panel.w_plot.value) > 0
    panel.set(batch_size=8, epochs=30)
    panel.train(wait=False)
    assert len(panel.w_plot.value) == 0 and "Run 2" in panel.w_placeholder.value
    assert panel.w_plot.layout.display == "none"  # run 1's figure is gone
    deadline = time.time() + 60
    while not len(panel.w_plot.value) and time.time() < deadline:
        time.sleep(0.05)
    assert panel.running and panel.w_plot.layout.display != "none"  # live, during the run
    panel.stop()
    panel.wait(timeout=60)


def test_a_button_error_shows_in_the_panel(panel):
    panel.set(batch_size=8, epochs=30)
    panel.train(wait=False)
    try:
        panel._clicked(lambda: panel.train(wait=False))(None)  # what a second click does
        assert "RuntimeError" in panel.w_message.value
    finally:
        panel.stop()
        panel.wait(timeout=60)


def test_the_stop_callback_keeps_async_dispatch(monkeypatch):
    """Keras dispatches batch hooks asynchronously on thread-safe backends (JAX, PyTorch)
    unless a callback overrides a batch-end hook without declaring itself async-safe."""
    import threading

    import keras
    from keras.src import backend
    from keras.src.callbacks.callback_list import CallbackList

    from kerastutor.widgets.experiment import StopAndCount

    class PlainBatchHook(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    monkeypatch.setattr(backend, "IS_THREAD_SAFE", True)
    assert not CallbackList([PlainBatchHook()])._async_train
    assert CallbackList([StopAndCount(threading.Event(), None)])._async_train
