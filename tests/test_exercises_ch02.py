"""Chapter 2's exercises beyond the generic tests: the experiment item measures the handed-in
model itself and refuses a History that breaks the budget; the prediction runs the sizes it
compares when the learner has not; the diagnosis reads a real run of `colleagues_run`."""

import keras
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch02


@pytest.fixture(scope="module")
def data():
    (x, y), _ = kt.load_mnist("bundled", verbose=False)
    x = x.reshape(-1, 784).astype("float32") / 255.0
    return kt.split_validation(x, y, 2000, seed=0)


def _history(data, epochs=1, fits=1, images=256):
    (x_train, y_train), _ = data
    keras.utils.set_random_seed(0)
    model = kt.get_compiled_digits_model()
    for _ in range(fits):
        history = model.fit(
            x_train[:images], y_train[:images], batch_size=64, epochs=epochs, verbose=0
        )
    return history


def test_more_epochs_than_the_budget_are_refused(data, capsys):
    assert not kt.check("02.three_epochs", _history(data, epochs=4))
    assert "this fit ran 4 epochs; the budget is 1 to 3" in capsys.readouterr().out


def test_a_model_trained_before_this_fit_is_refused(data, capsys):
    assert not kt.check("02.three_epochs", _history(data, fits=2))
    assert "trained before this fit" in capsys.readouterr().out


def test_the_checker_measures_the_model_not_the_history_s_claims(data, capsys):
    history = _history(data)
    history.history["val_sparse_categorical_accuracy"] = [1.0]  # a History that claims too much
    _, (x_val, y_val) = data
    own = float((history.model.predict(x_val, verbose=0).argmax(axis=1) == y_val).mean())
    assert not kt.check("02.three_epochs", history)
    out = capsys.readouterr().out
    assert f"validation accuracy of {own:.3f}, short of 0.94" in out


def test_a_model_instead_of_its_history_is_explained(data, capsys):
    assert not kt.check("02.three_epochs", _history(data).model)
    assert "hand in the History that fit returned" in capsys.readouterr().out


def test_the_prediction_runs_the_sizes_it_compares(capsys):
    def run(size):
        calls.append(size)
        turn = {250: 5, 4000: 12}[size]
        return {
            "loss": [1.0 / e for e in range(1, 13)],
            "val_loss": [abs(e - turn) + 0.5 for e in range(1, 13)],
        }

    calls = []
    experiment = kt.KnobExperiment(run, lambda ax, results, value: None, values=[250, 4000])
    experiment.result()  # what the notebook has run: the default size only
    assert kt.check("02.more_data", "later", experiment=experiment)
    assert calls == [250, 4000]
    assert not kt.check("02.more_data", "earlier", experiment=experiment)
    out = capsys.readouterr().out
    assert "lowest after epoch 5" in out and "lowest after epoch 12" in out


def test_the_colleagues_run_is_too_good_and_its_diagnosis_holds(data, capsys):
    (x_train, y_train), (x_val, y_val) = data
    colleague = ch02.colleagues_run(x_train, y_train, x_val, y_val)
    logs = colleague.history
    assert logs["val_sparse_categorical_accuracy"][-1] > 0.999
    # validation tracks training down to nearly zero (within 0.05 from epoch 8 on, on every
    # backend): scores measured on training images
    gap = np.array(logs["val_loss"]) - np.array(logs["loss"])
    assert (np.abs(gap[7:]) < 0.05).all() and logs["val_loss"][-1] < 0.02
    assert kt.check("02.diagnose_run", "leak", history=colleague)
    capsys.readouterr()
    for wrong in ("over-fitting", "learning rate too high", "nothing wrong"):
        assert not kt.check("02.diagnose_run", wrong, history=colleague)
        assert "leak" not in capsys.readouterr().out.lower()
