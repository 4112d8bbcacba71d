"""Chapter 11's exercises beyond the generic tests: the prediction follows the run it is given,
the notebook's buggy replica_loss is rejected and the fixed one accepted, and a TF_CONFIG that
gives each worker a different cluster is caught."""

import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

import kerastutor as kt
from kerastutor.exercises import ch11

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "11_distributed_training.ipynb"


def _run(fixed_1: float, fixed_8: float, scaled_8: float):
    results = {
        1: {"global batch": 32, "fixed": fixed_1, "scaled": fixed_1},
        8: {"global batch": 256, "fixed": fixed_8, "scaled": scaled_8},
    }
    return SimpleNamespace(results=results, result=results.__getitem__)


@pytest.mark.parametrize(
    "accuracies, right",
    [
        ((0.89, 0.58, 0.74), "falls"),
        ((0.80, 0.90, 0.91), "rises"),
        ((0.89, 0.87, 0.88), "stays about the same"),
    ],
)
def test_the_prediction_is_compared_with_the_run(accuracies, right, capsys):
    experiment = _run(*accuracies)
    for option in ("rises", "stays about the same", "falls"):
        result = kt.check("11.lr_scaling", option, experiment=experiment)
        out = capsys.readouterr().out
        assert result.right == (option == right), (option, out)
        assert f"{accuracies[1]:.3f}" in out  # explained with the run's own numbers


def test_the_prediction_needs_the_experiment(capsys):
    assert not kt.check("11.lr_scaling", "falls")
    assert "experiment=experiment" in capsys.readouterr().out


def _cell(pattern: str) -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return next(source for source in cells if re.search(pattern, source))


def test_the_notebooks_buggy_replica_loss_is_rejected_and_the_fix_accepted(capsys):
    namespace = {"np": np, "kt": kt}
    exec(_cell(r"def replica_loss"), namespace)
    assert not kt.check("11.replica_loss", namespace["answer"])
    assert "mean over this replica's own images" in capsys.readouterr().out

    def fixed(per_image_losses, global_batch_size):
        return np.sum(per_image_losses) / global_batch_size

    assert kt.check("11.replica_loss", fixed)
    # Two replicas' shares add up to the global mean.
    losses = np.array([0.3, 1.2, 0.7, 2.0])
    assert fixed(losses[:2], 4) + fixed(losses[2:], 4) == pytest.approx(losses.mean())


def test_a_cluster_list_that_differs_per_worker_is_caught(capsys):
    def own_order(ports, index):  # each worker puts itself first: indices point wrong
        mine = [ports[index]] + [p for p in ports if p != ports[index]]
        return {
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in mine]},
            "task": {"type": "worker", "index": index},
        }

    assert not kt.check("11.tf_config", own_order)
    assert "same" in capsys.readouterr().out
    assert kt.check("11.tf_config", lambda ports, index: kt.tf_config(ports, index))


def test_the_diagnosis_follows_the_run(capsys):
    right = "too few updates for the learning rate"
    assert kt.check("11.diagnose", right, experiment=_run(0.89, 0.58, 0.74))
    assert not kt.check("11.diagnose", right, experiment=_run(0.89, 0.88, 0.89))
    assert not kt.check("11.diagnose", "replicas out of sync", experiment=_run(0.89, 0.58, 0.74))
    assert "identical" in capsys.readouterr().out


def test_the_catalogue_imports_no_framework():
    import subprocess
    import sys

    code = (
        "import sys, kerastutor.exercises.ch11; "
        "print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert len(ch11.EXERCISES) == 5
