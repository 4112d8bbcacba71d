"""Every item of the syllabus is taught: each maps to code that a notebook actually runs.

The map below is the syllabus (../shared/SYLLABUS.md) row by row; each item names the code a
notebook's cells must contain. A notebook that drops an item fails here.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SYLLABUS = {
    "01_quickstart.ipynb": {
        "load MNIST": r"kt\.load_mnist\(",
        "normalise": r"/ 255\.0",
        "Flatten(28x28)": r"keras\.Input\(shape=\(28, 28\)\)[\s\S]*layers\.Flatten\(\)",
        "Dense(128, relu)": r"Dense\(128, activation=\"relu\"\)",
        "Dropout(0.2)": r"Dropout\(0\.2\)",
        "Dense(10) logits": r"layers\.Dense\(10\)",
        "softmax of logits": r"keras\.ops\.softmax\(",
        "from_logits loss": r"SparseCategoricalCrossentropy\(from_logits=True\)",
        "initial loss near ln(10)": r"math\.log\(10\)",
        "compile adam": r"compile\(optimizer=\"adam\"",
        "fit": r"model\.fit\(",
        "evaluate": r"model\.evaluate\(",
        "predict": r"\.predict\(",
        "Softmax probability model": r"Sequential\(\[model, keras\.layers\.Softmax\(\)\]\)",
    },
    "02_fit_evaluate_predict.ipynb": {
        "functional digits model": r"keras\.Input\(shape=\(784,\), name=\"digits\"\)",
        "layer names": r"name=\"dense_1\"[\s\S]*name=\"dense_2\"[\s\S]*name=\"predictions\"",
        "compile with objects": r"optimizer=keras\.optimizers\.RMSprop\(",
        "compile with strings": r"optimizer=\"rmsprop\"",
        "validation_data": r"validation_data=\(x_test, y_test\)",
        "History as pandas": r"kt\.history_to_frame\(history\)",
        "validation_split pitfall": r"validation_split=0\.2",
        "evaluate return_dict": r"return_dict=True",
        "predict shape": r"predictions\.shape",
        "2000 / 500 = 4 iterations": r"math\.ceil\(2000 / 500\) == 4",
        "batch size widget": r"explorer\.widget",
        "verbose 0/1/2": r"verbose=2",
        "initial_epoch": r"initial_epoch=",
        "steps_per_epoch": r"steps_per_epoch=10",
    },
    "03_losses_and_metrics.ipynb": {
        "mse": r"\"mse\"",
        "mae": r"\"mae\"",
        "binary crossentropy": r"BinaryCrossentropy\(\)",
        "categorical crossentropy": r"CategoricalCrossentropy\(\)",
        "sparse categorical crossentropy": r"SparseCategoricalCrossentropy\(\)",
        "KLDivergence": r"KLDivergence\(\)",
        "CosineSimilarity": r"CosineSimilarity\(\)",
        "to_categorical": r"keras\.utils\.to_categorical\(",
        "from_logits": r"from_logits=True",
        "reduction sum": r"reduction=\"sum\"",
        "custom loss function": r"def mean_abs_error\(y_true, y_pred\)",
        "Loss subclass": r"class \w+\(keras\.losses\.Loss\)",
        "accuracy metrics by name": r"\"sparse_categorical_accuracy\"[\s\S]*\"binary_accuracy\"",
        "top-k": r"TopKCategoricalAccuracy\(k=3",
        "AUC, Precision, Recall": r"AUC\(\)[\s\S]*Precision\(\)[\s\S]*Recall\(\)",
        "custom metric function": r"def mean_pred\(y_true, y_pred\)",
        "Metric subclass with reset_state": (
            r"class \w+\(keras\.metrics\.Metric\)[\s\S]*def reset_state"
        ),
        "weighted_metrics": r"weighted_metrics=",
    },
    "04_optimizers_and_schedules.ipynb": {
        "SGD with momentum": r"SGD\(learning_rate=0\.01, momentum=0\.9\)",
        "RMSprop": r"RMSprop\(",
        "Adam": r"Adam\(",
        "string optimizer": r"\"sgd\"",
        "learning-rate effect": r"for rate in \(",
        "learning-rate widget": r"kt\.TrainingPanel\(",
        "ExponentialDecay": r"ExponentialDecay\(",
        "PiecewiseConstantDecay": r"PiecewiseConstantDecay\(",
        "PolynomialDecay": r"PolynomialDecay\(",
        "InverseTimeDecay": r"InverseTimeDecay\(",
        "ReduceLROnPlateau charted": r"ReduceLROnPlateau\([\s\S]*kt\.LivePlot\(\)",
    },
    "05_data_pipelines.ipynb": {
        "NumPy arrays": r"measure\(\s*\"numpy\"",
        "PyDataset subclass": r"class \w+\(keras\.utils\.PyDataset\)",
        "workers / max_queue_size": r"workers=2, max_queue_size=8",
        "use_multiprocessing": r"use_multiprocessing",
        "on_epoch_end": r"def on_epoch_end\(self\)",
        "shuffle": r"\.shuffle\(",
        "tf.data chain": r"from_tensor_slices\([\s\S]*\.batch\(BATCH\)\.prefetch\(",
        "torch Dataset + DataLoader": (
            r"torch\.utils\.data\.Dataset\)[\s\S]*torch\.utils\.data\.DataLoader\("
        ),
        "generator + steps_per_epoch": r"steps_per_epoch=STEPS",
        "validation_steps": r"validation_steps=VAL_STEPS",
        "speed table": r"table\.sort_values\(\"seconds\"\)",
    },
}


def _code(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize(
    "notebook, item",
    [(nb, item) for nb, items in SYLLABUS.items() for item in items],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_syllabus_item_is_in_the_notebook(notebook, item):
    assert re.search(SYLLABUS[notebook][item], _code(notebook)), f"{notebook}: {item} is missing"


@pytest.mark.parametrize("notebook", sorted(SYLLABUS))
def test_chapter_has_exercises_and_keras3_cells(notebook):
    code = _code(notebook)
    assert 2 <= len(re.findall(r"kt\.check\(", code)) <= 3
    assert "kt.expect_error(" in code, "each chapter runs the Keras 2 spellings that now fail"


def test_torch_only_in_the_pipelines_chapter():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        imports_torch = re.search(r"^import torch", _code(path.name), flags=re.M)
        assert bool(imports_torch) == (path.name == "05_data_pipelines.ipynb"), path.name
