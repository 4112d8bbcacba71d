"""kerastutor: a teaching toolkit for training and evaluating Keras models.

Modules, by what a learner would call them:

- `kerastutor.data`: MNIST (online, from a directory, or the bundled offline subset) and the
  tutorials' seeded synthetic data.
- `kerastutor.models`: the tutorials' models, custom losses and metrics, name lookups.
- `kerastutor.pipelines`: one data set fed five ways (NumPy, PyDataset, tf.data, torch, generator).
- `kerastutor.callbacks`: Keras callbacks of the course, among them `LivePlot`.
- `kerastutor.checkpoints`: resuming after a crash from the newest complete checkpoint.
- `kerastutor.plots`: training curves of finished runs, and histories as pandas tables.
- `kerastutor.diagrams`: pictures of how training works (the loop, prefetch, callback hooks).
- `kerastutor.widgets`: the training panel, the run board and the batch-size explorer.
- `kerastutor.exercises`: checked exercises, and `expect_error` for cells that must fail.
- `kerastutor.record`: which exercises a learner has solved (`progress()`), across kernels.
- `kerastutor.cli`: the `kerastutor` command (notebooks, lab, doctor); `doctor()` checks a set-up.

Every public name is also available here (`kerastutor.load_mnist`, ...). Names are imported
on first use, so `import kerastutor` is instant and loads neither TensorFlow, torch,
ipywidgets nor matplotlib. It does install one import hook: when TensorFlow is first imported,
its known C++ start-up lines are filtered out of stderr and everything else passes
(`kerastutor._quiet`; `KERASTUTOR_QUIET=0` turns it off).

>>> import kerastutor as kt
>>> kt.get_digits_model().count_params()
55050
"""

from __future__ import annotations

import importlib

from kerastutor import _quiet

# By design, importing kerastutor filters TensorFlow's known C++ start-up lines (and only
# those) out of stderr when TensorFlow is first imported; every notebook imports kerastutor
# first, so the course is quiet in any front end. KERASTUTOR_QUIET=0 turns it off. See
# kerastutor/_quiet.py.
_quiet.install()

__version__ = "0.1.0"

_EXPORTS = {
    "data": [
        "load_mnist",
        "mnist_info",
        "resolve_source",
        "split_validation",
        "MnistFileError",
        "MnistInfo",
        "make_random_classification",
        "make_multi_input_data",
        "BUNDLED_MNIST",
    ],
    "models": [
        "get_quickstart_model",
        "get_digits_model",
        "get_compiled_digits_model",
        "get_random_data_model",
        "get_compiled_random_data_model",
        "get_multi_io_model",
        "get_compiled_multi_io_model",
        "get_optimizer",
        "get_loss",
        "get_metric",
        "OPTIMIZERS",
        "mean_absolute_error_loss",
        "ScaledMeanAbsoluteError",
        "mean_prediction",
        "CategoricalTruePositives",
    ],
    "pipelines": [
        "PIPELINES",
        "Pipeline",
        "PipelineError",
        "make_pipeline",
        "ArrayPyDataset",
        "make_tf_dataset",
        "make_dataloader",
        "ArrayTorchDataset",
        "make_generator",
        "check_fit_arguments",
        "check_class_weight",
        "class_weight_to_sample_weight",
        "balanced_class_weight",
    ],
    "callbacks": ["LossHistory", "LivePlot"],
    "checkpoints": ["latest_checkpoint", "CheckpointNotFoundError"],
    "record": ["progress", "progress_path", "record_solved", "solved"],
    "plots": [
        "history_to_frame",
        "plot_history",
        "plot_confusion_matrix",
        "plot_data_split",
        "draw_model",
        "why_no_drawing",
    ],
    "diagrams": ["draw_training_loop", "draw_prefetch", "draw_callback_hooks"],
    "exercises": [
        "Exercise",
        "EXERCISES",
        "CheckResult",
        "check",
        "solution",
        "exercises_for",
        "expect_error",
    ],
    "cli": ["Check", "doctor", "copy_notebooks", "course_notebooks"],
    "widgets": [
        "TrainingPanel",
        "RunBoard",
        "Run",
        "Experiment",
        "Settings",
        "BatchSizeExplorer",
        "BATCH_SIZES",
        "SAMPLE_WEIGHT_RULES",
    ],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kerastutor' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
