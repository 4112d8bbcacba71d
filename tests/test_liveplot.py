"""LivePlot: throttled in-place redraws, values that match History, robust to every fit set-up."""

import textwrap
import threading
import time

import keras
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import kerastutor as kt


class FakeDisplay:
    """Stands in for IPython's display(): counts first displays and in-place updates."""

    def __init__(self):
        self.displays, self.updates, self.bundles = 0, 0, []

    def __call__(self, bundle, raw=False, display_id=None):
        self.displays += 1
        self.bundles.append(bundle)
        outer = self

        class Handle:
            def update(self, bundle, raw=False):
                outer.updates += 1
                outer.bundles.append(bundle)

        return Handle()


@pytest.fixture
def fake_display(monkeypatch):
    import IPython.display

    fake = FakeDisplay()
    monkeypatch.setattr(IPython.display, "display", fake)
    return fake


@pytest.fixture(scope="module")
def data():
    return kt.make_random_classification(n_train=300, n_val=60, seed=0)


def _lines(plot):
    """{(panel title, label): ydata} read back from the final matplotlib figure."""
    out = {}
    for ax in plot.figure.axes:
        for line in ax.get_lines():
            out[(ax.get_title(), line.get_label())] = list(line.get_ydata())
    return out


class Drawn(keras.callbacks.Callback):
    """After a LivePlot in `callbacks`: waits for each draw, so a test sees every one."""

    def __init__(self, plot):
        super().__init__()
        self.plot = plot

    def on_train_batch_end(self, batch, logs=None):
        self.plot.wait()

    def on_epoch_end(self, epoch, logs=None):
        self.plot.wait()


def _fit(data, plot, seeded=True, synced=True, **kwargs):
    """Fit the random-data model; `synced` waits for each draw (drawing is in a thread)."""
    if seeded:
        keras.utils.set_random_seed(0)
    model = kwargs.pop("model", None) or kt.get_compiled_random_data_model()
    x, y = data["train"]
    kwargs.setdefault("epochs", 4)
    callbacks = [plot, Drawn(plot)] if synced else [plot]
    return model.fit(x, y, batch_size=50, verbose=0, callbacks=callbacks, **kwargs)


def test_throttle_draws_first_and_final_only(data, fake_display):
    plot = kt.LivePlot(display="notebook", min_interval=3600)
    _fit(data, plot, epochs=6)
    assert plot.redraws == 2  # first epoch, final state
    assert fake_display.displays == 1 and fake_display.updates == 1  # in place, one output


def test_throttle_by_cost(data, fake_display):
    plot = kt.LivePlot(display="notebook", min_interval=0, max_overhead=1e-9)
    _fit(data, plot, epochs=6)
    assert plot.redraws == 2  # drawing already used more than its share after epoch 1


def test_unthrottled_draws_every_epoch(data, fake_display):
    plot = kt.LivePlot(display="notebook", min_interval=0, max_overhead=1.0)
    _fit(data, plot, epochs=3)
    assert plot.redraws == 3 and fake_display.displays == 1


def test_one_epoch_is_a_visible_point(data, fake_display):
    plot = kt.LivePlot(display="notebook")
    _fit(data, plot, epochs=1)
    ax = plot.figure.axes[0]
    (line,) = [line for line in ax.get_lines() if line.get_label() == "train"]
    assert line.get_marker() == "o" and list(line.get_xdata()) == [1]
    assert ax.get_xlim() == (0.0, 2.0)  # whole epochs on the axis, the point in the middle


def test_final_figure_holds_history_values(data, fake_display):
    plot = kt.LivePlot(display="notebook")
    history = _fit(data, plot, validation_data=data["val"])
    lines = _lines(plot)
    for key in ("loss", "accuracy"):
        assert np.allclose(lines[(key, "train")], history.history[key])
        assert np.allclose(lines[(key, "val")], history.history[f"val_{key}"])
    assert ("learning_rate", "train") not in lines  # constant rate: no panel
    assert fake_display.bundles[-1]["image/png"].startswith(b"\x89PNG")
    assert "epoch 4/4" in fake_display.bundles[-1]["text/plain"]


def test_validation_split_and_no_validation(data, fake_display):
    plot = kt.LivePlot(display="notebook")
    _fit(data, plot, validation_split=0.2, epochs=2)
    assert ("loss", "val") in _lines(plot)
    plot = kt.LivePlot(display="notebook")
    history = _fit(data, plot, epochs=2)
    lines = _lines(plot)
    assert ("loss", "val") not in lines
    assert np.allclose(lines[("loss", "train")], history.history["loss"])


def test_learning_rate_panel_when_it_changes(data, fake_display):
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=6, decay_rate=0.5)
    model = kt.get_compiled_random_data_model(optimizer=keras.optimizers.Adam(schedule))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=model.loss)
    plot = kt.LivePlot(display="notebook")
    _fit(data, plot, model=model, epochs=3)
    rates = _lines(plot)[("learning_rate", "train")]
    assert len(rates) == 3 and rates[0] > rates[1] > rates[2]
    # 300 samples / 50 = 6 steps an epoch, one halving per 6 steps.
    assert rates[1] == pytest.approx(0.01 * 0.5**2, rel=1e-4)


def test_reduce_lr_on_plateau_is_charted(data, fake_display):
    plot = kt.LivePlot(display="notebook")
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10)
    keras.utils.set_random_seed(0)
    model = kt.get_compiled_random_data_model()
    x, y = data["train"]
    model.fit(x, y, batch_size=50, epochs=3, verbose=0, callbacks=[reduce, plot])
    # The rate each epoch trained with: halved after epochs 2 and 3 (epoch 1 sets the best).
    assert plot.history["learning_rate"] == pytest.approx([1e-3, 1e-3, 5e-4], rel=1e-4)
    assert float(model.optimizer.learning_rate) == pytest.approx(2.5e-4, rel=1e-4)
    assert ("learning_rate", "train") in _lines(plot)


def test_multi_output_panels(fake_display):
    keras.utils.set_random_seed(0)
    model = kt.get_compiled_multi_io_model()
    x, y = kt.make_multi_input_data(n=32, seed=0)
    plot = kt.LivePlot(display="notebook")
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[plot])
    titles = [ax.get_title() for ax in plot.figure.axes]
    assert titles[0] == "loss"
    assert {"score_output_loss", "class_output_loss"} <= set(titles)
    lines = _lines(plot)
    assert np.allclose(lines[("class_output_loss", "train")], history.history["class_output_loss"])


@pytest.mark.skipif(
    keras.backend.backend() == "torch",
    reason="Keras's torch backend refuses steps_per_execution > 1",
)
def test_steps_per_execution_and_per_batch(data, fake_display):
    keras.utils.set_random_seed(0)
    model = kt.get_compiled_random_data_model(steps_per_execution=3)
    plot = kt.LivePlot(display="notebook", per_batch=True)
    x, y = data["train"]
    history = model.fit(x, y, batch_size=50, epochs=2, verbose=0, callbacks=[plot])
    # 6 steps an epoch, callbacks see every 3rd step: 2 points an epoch.
    assert len(plot.batch_losses) == 4
    assert np.allclose(_lines(plot)[("loss", "train")], history.history["loss"])
    assert ("loss", "batch") in _lines(plot)


def test_early_stopping_draws_final_state(data, fake_display):
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10, patience=0)
    plot = kt.LivePlot(display="notebook", min_interval=3600)
    keras.utils.set_random_seed(0)
    model = kt.get_compiled_random_data_model()
    x, y = data["train"]
    history = model.fit(x, y, batch_size=50, epochs=20, verbose=0, callbacks=[stop, plot])
    assert len(history.history["loss"]) == 2 < 20
    assert len(_lines(plot)[("loss", "train")]) == 2
    assert "epoch 2/20" in fake_display.bundles[-1]["text/plain"]


def test_drawing_error_never_stops_training(data, fake_display, monkeypatch):
    plot = kt.LivePlot(display="notebook", min_interval=0, max_overhead=1.0)

    def broken(*args):
        raise RuntimeError("no display")

    monkeypatch.setattr(plot, "_draw", broken)
    with pytest.warns(RuntimeWarning, match="training continues") as caught:
        history = _fit(data, plot, epochs=4)
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1  # once
    assert len(history.history["loss"]) == 4
    assert len(plot.history["loss"]) == 4 and "RuntimeError" in plot.error


def test_console_mode_prints_one_line_per_epoch(data, capsys):
    plot = kt.LivePlot()  # not in a kernel: console
    _fit(data, plot, epochs=3, validation_data=data["val"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[2].startswith("epoch 3/3") and "val_loss" in lines[2]
    assert plot.figure is None and plt.get_fignums() == []


def test_compare_runs_on_the_same_axes(data, fake_display):
    first = _fit(data, kt.LivePlot(display="console"), epochs=2)
    plot = kt.LivePlot(name="second", display="notebook", compare_with={"first": first})
    _fit(data, plot, epochs=2)
    labels = {label for (title, label) in _lines(plot) if title == "loss"}
    assert {"first train", "second train"} <= labels


def test_history_to_frame_and_plot_history(data):
    history = _fit(data, kt.LivePlot(display="console"), epochs=3, validation_data=data["val"])
    frame = kt.history_to_frame(history)
    assert list(frame.index) == [1, 2, 3] and frame.index.name == "epoch"
    assert np.allclose(frame["val_loss"], history.history["val_loss"])
    fig = kt.plot_history({"a": history, "b": history.history})
    loss_ax = fig.axes[0]
    assert loss_ax.get_title() == "loss" and len(loss_ax.get_lines()) == 4
    assert plt.get_fignums() == []
    with pytest.raises(TypeError, match="keras History"):
        kt.history_to_frame([1, 2])


def test_bad_mode():
    with pytest.raises(ValueError, match="'auto', 'notebook' or 'console'"):
        kt.LivePlot(display="window")


def test_headless_notebook_keeps_one_small_image(tmp_path):
    """Executed by nbclient, as nbval does: one image output, no figure left open; the final
    state is drawn after fit returns (off the training thread) and before the cell ends."""
    source = textwrap.dedent(
        """
        import time
        import keras, kerastutor as kt
        import matplotlib.pyplot as plt
        keras.utils.set_random_seed(0)
        data = kt.make_random_classification(seed=0)
        model = kt.get_compiled_random_data_model()
        plot = kt.LivePlot(min_interval=0, max_overhead=1.0)

        class Drawn(keras.callbacks.Callback):  # wait for each draw: all five are made
            def on_epoch_end(self, epoch, logs=None):
                plot.wait()

        model.fit(*data["train"], validation_data=data["val"], epochs=5, verbose=0,
                  callbacks=[plot, Drawn()])
        assert plot.redraws == 5
        """
    )
    slow = textwrap.dedent(
        """
        slow = kt.LivePlot(name="slow")
        draw = slow._draw
        def slow_draw(snapshot):
            time.sleep(1.0)
            draw(snapshot)
        slow._draw = slow_draw
        start = time.perf_counter()
        model.fit(*data["train"], epochs=2, verbose=0)
        plain_seconds = time.perf_counter() - start
        start = time.perf_counter()
        model.fit(*data["train"], epochs=2, verbose=0, callbacks=[slow])
        fit_seconds = time.perf_counter() - start
        still_drawing = slow._drawing  # the final draw runs on after fit returned
        """
    )
    # Two draws of 1 s each: a fit that waited for either would take a second longer than the
    # same fit without the plot (compared with that, not with a fixed time: backends differ).
    check = textwrap.dedent(
        """
        waited = fit_seconds > plain_seconds + 0.9
        print(still_drawing, slow._drawing, slow.redraws, not waited, plt.get_fignums())
        """
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (source, slow, check)]
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    for cell in nb.cells[:2]:
        outputs = cell.outputs
        assert [o.output_type for o in outputs] == ["display_data"], outputs
        png = outputs[0].data["image/png"]
        assert len(png) * 3 / 4 < 60_000  # base64 in the notebook, bytes on screen
    assert "epoch 5/5" in nb.cells[0].outputs[0].data["text/plain"]
    # The slow cell's output already holds the final state when the cell ends, drawn once.
    assert "epoch 2/2" in nb.cells[1].outputs[0].data["text/plain"]
    assert nb.cells[2].outputs[0].text.split() == ["True", "False", "2", "True", "[]"]


def test_per_batch_curve_drawn_before_the_first_epoch_ends(data, fake_display):
    """Long epochs: the batch curve appears mid-epoch, and the epoch lines join it later."""
    plot = kt.LivePlot(display="notebook", per_batch=True, min_interval=0, max_overhead=1.0)
    history = _fit(data, plot, epochs=2, validation_data=data["val"])
    assert plot.error is None and plot.redraws > 2
    lines = _lines(plot)
    assert np.allclose(lines[("loss", "train")], history.history["loss"])
    assert len(lines[("loss", "batch")]) == 2 * 6


def test_confusion_matrix_figure():
    fig = kt.plot_confusion_matrix([[3, 1], [0, 4]], title="t", class_names=["a", "b"])
    ax = fig.axes[0]
    assert ax.get_title() == "t" and [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    with pytest.raises(ValueError, match="square"):
        kt.plot_confusion_matrix([[1, 2, 3]])


def test_draw_model_explains_a_missing_graphviz(monkeypatch, capsys):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert kt.draw_model(kt.get_multi_io_model()) is None
    out = capsys.readouterr().out
    assert "Graphviz program `dot` is not installed" in out and "img_input" in out


@pytest.mark.skipif(kt.why_no_drawing() is not None, reason="pydot or Graphviz missing here")
def test_draw_model_draws():
    image = kt.draw_model(kt.get_multi_io_model())
    assert image.data.startswith(b"\x89PNG") and len(image.data) < 120_000


def test_broken_display_updates_fall_back_to_a_new_output(data, monkeypatch):
    import IPython.display

    shown = []

    class BrokenHandle:
        def update(self, bundle, raw=False):
            raise RuntimeError("this front end cannot update displays")

    def display(bundle, raw=False, display_id=None):
        shown.append(bundle)
        return BrokenHandle()

    monkeypatch.setattr(IPython.display, "display", display)
    plot = kt.LivePlot(display="notebook", min_interval=0, max_overhead=1.0)
    history = _fit(data, plot, epochs=3)
    assert len(history.history["loss"]) == 3 and plot.error is None
    assert len(shown) == 3 and "epoch 3/3" in shown[-1]["text/plain"]


def test_drawing_happens_off_the_training_thread(data, fake_display, monkeypatch):
    """A slow draw does not hold training up: the hook hands the values over and returns."""
    plot = kt.LivePlot(display="notebook", min_interval=0, max_overhead=1.0)
    threads, draw, hook_seconds = [], plot._draw, []

    def slow_draw(snapshot):
        threads.append(threading.current_thread().name)
        time.sleep(0.5)
        draw(snapshot)

    def timed_epoch_end(epoch, logs=None, _hook=plot.on_epoch_end):
        start = time.perf_counter()
        _hook(epoch, logs)
        hook_seconds.append(time.perf_counter() - start)

    monkeypatch.setattr(plot, "_draw", slow_draw)
    monkeypatch.setattr(plot, "on_epoch_end", timed_epoch_end)
    history = _fit(data, plot, epochs=3, synced=False)
    assert max(hook_seconds) < 0.25  # each draw takes 0.5 s; no hook waited for one
    assert set(threads) == {"LivePlot drawing"}
    # No kernel here, so on_train_end waited: the final state is drawn, once, and no
    # drawing thread is left behind.
    finals = [b for b in fake_display.bundles if "epoch 3/3" in b["text/plain"]]
    assert len(finals) == 1 and fake_display.bundles[-1] is finals[0]
    assert not plot._drawing and not plot._drawer.is_alive()
    assert np.allclose(_lines(plot)[("loss", "train")], history.history["loss"])


def test_default_liveplot_adds_no_batch_hook():
    """Keras dispatches batch hooks asynchronously on backends it calls thread-safe (JAX,
    PyTorch; never TensorFlow) unless a callback overrides one: LivePlot() does not."""
    from keras.src import backend
    from keras.src.callbacks.callback_list import CallbackList
    from keras.src.utils.python_utils import is_default

    assert is_default(kt.LivePlot().on_train_batch_end)
    assert not is_default(kt.LivePlot(per_batch=True).on_train_batch_end)
    assert CallbackList([kt.LivePlot()])._async_train == backend.IS_THREAD_SAFE


# ---------------------------------------------------------------- bad arguments (issue 11)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_interval": "1"}, "min_interval must be a number"),
        ({"max_overhead": 2}, "max_overhead must be a number from 0 to 1"),
        ({"metrics": "loss"}, "metrics must be a list of names"),
        ({"display": "window"}, "display must be 'auto', 'notebook' or 'console'"),
    ],
)
def test_bad_arguments_are_refused_before_training(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kt.LivePlot(**kwargs)


def test_mode_is_not_an_argument_any_more():
    with pytest.raises(TypeError, match="display='console'"):
        kt.LivePlot(mode="console")


def test_unknown_metrics_are_named_and_everything_is_drawn(data):
    x, y = data["train"]
    model = kt.get_compiled_random_data_model()
    plot = kt.LivePlot(display="notebook", metrics=["f1_score"])
    with pytest.warns(UserWarning, match=r"no \['f1_score'\].*It logged \['loss', 'accuracy'\]"):
        history = model.fit(x, y, validation_split=0.2, epochs=2, verbose=0, callbacks=[plot])
    assert len(history.epoch) == 2 and plot.error is None
    assert {ax.get_title() for ax in plot.figure.axes} >= {"loss", "accuracy"}


def test_a_drawing_failure_never_stops_training(data, monkeypatch):
    x, y = data["train"]
    model = kt.get_compiled_random_data_model()
    plot = kt.LivePlot(display="notebook", min_interval=0)
    monkeypatch.setattr(plot, "_draw", lambda *args: 1 / 0)
    with pytest.warns(RuntimeWarning, match="training continues"):
        history = model.fit(x, y, epochs=3, verbose=0, callbacks=[plot])
    assert len(history.epoch) == 3 and "ZeroDivisionError" in plot.error
