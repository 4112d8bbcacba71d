"""The experiment behind the panel, with no widget: Settings, Experiment.problems and run."""

import subprocess
import sys

import numpy as np
import pytest

import kerastutor as kt


def test_experiment_runs_without_importing_ipywidgets():
    code = (
        "import sys, kerastutor as kt\n"
        "run = kt.Experiment().run(kt.Settings(batch_size=1024, epochs=1))\n"
        "print(run.error, run.steps_per_epoch, 'ipywidgets' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["None", "8", "False"]


def test_settings_are_checked_in_one_place():
    s = kt.Settings()
    assert s.replace(epochs=3.0).epochs == 3  # an integral float is a whole number
    assert s.replace(epochs=np.int64(4)).epochs == 4
    assert s.replace(learning_rate=np.array(0.01)).learning_rate == pytest.approx(0.01)
    for bad, message in [
        ({"epochs": 2.7}, "whole number"),
        ({"epochs": True}, "whole number"),
        ({"learning_rate": 5}, "from 1e-05 to 1"),
        ({"validation_split": 0.9}, "from 0 to 0.5"),
        ({"sample_weight": "random"}, "sample_weight must be one of"),
        ({"loss_weights": {"a": 9.0}}, "loss_weights\\['a'\\]"),
    ]:
        with pytest.raises(ValueError, match=message):
            s.replace(**bad)
    with pytest.raises(TypeError, match="Unknown setting 'lr'.*learning_rate"):
        s.replace(lr=0.1)
    assert s.epochs == 3  # a refused change leaves the original untouched


def test_problems_are_exactly_check_fit_arguments():
    experiment = kt.Experiment()
    settings = kt.Settings(pipeline="generator", class_weight="balanced", validation_split=0.2)
    problems = experiment.problems(settings)
    with pytest.raises(kt.PipelineError) as caught:
        kt.check_fit_arguments(
            "generator",
            class_weight=kt.balanced_class_weight(experiment.y_train),
            validation_split=0.2,
            y=experiment.y_train,
        )
    assert problems == caught.value.problems and len(problems) == 2


def test_refused_settings_never_train():
    experiment = kt.Experiment()
    with pytest.raises(ValueError, match="Not training: Keras refuses class_weight with"):
        experiment.run(kt.Settings(pipeline="torch", class_weight={1: 2.0}))
    with pytest.raises(ValueError, match="classes \\[42\\]"):
        experiment.run(kt.Settings(class_weight={42: 2.0}))


def test_a_stop_before_training_ends_after_one_batch():
    import threading

    stop = threading.Event()
    stop.set()
    run = kt.Experiment().run(kt.Settings(batch_size=1024, epochs=5), stop_event=stop)
    assert run.stopped and run.epochs_done == 1 and run.final == {}
    # Heard before the next batch starts, however far the asynchronous batch-end hooks lag
    # behind (JAX dispatched 4 batches before they caught up).
    assert run.partial_epoch["batches"] == 1


def test_balanced_class_weight_reads_one_hot_labels():
    labels = np.array([0, 0, 0, 1])
    one_hot = np.eye(3)[labels]  # class 2 never occurs
    assert kt.balanced_class_weight(one_hot) == kt.balanced_class_weight(labels)
    assert kt.balanced_class_weight(one_hot) == {0: 0.6667, 1: 2.0}


def test_class_weight_on_regression_targets_is_refused():
    with pytest.raises(kt.PipelineError, match="regression"):
        kt.check_class_weight({0: 1.0}, np.array([0.5, 1.25]))
