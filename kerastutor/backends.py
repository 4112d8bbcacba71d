"""Keras's three backends in the course: which one runs, seeding without loading TensorFlow,
and the `%%only_on` cell magic for the few cells that teach one backend's detail.

Keras 3 runs the same model code on TensorFlow, JAX or PyTorch; `KERAS_BACKEND` (or the
`"backend"` entry of `~/.keras/keras.json`) picks one before `keras` is first imported, and a
kernel keeps it until it restarts. Every chapter of the course runs on all three.

A cell that can only hold on one backend (a `tf.function` detail, a `tf.GradientTape`
training step) starts with the cell magic, which `import kerastutor` registers in IPython::

    %%only_on tensorflow
    import tensorflow as tf
    ...

On another backend the cell is not run; it prints that it was skipped, why, and how to run it.

>>> backend() in BACKENDS
True
>>> set_random_seed(0)
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import random
import sys

import numpy as np

#: The backends the course runs on. TensorFlow is the default and always installed.
BACKENDS = ("tensorflow", "jax", "torch")


def how_to_switch(name: str) -> str:
    """How a learner gets a kernel on backend `name`: said once, for every message that needs
    it."""
    return (
        f"start JupyterLab with `kerastutor lab --backend {name}` (or set KERAS_BACKEND={name} "
        "before it starts, or before `keras` is first imported) and restart the kernel"
    )


def backend() -> str:
    """The Keras backend of this process (`keras.backend.backend()`)."""
    import keras

    return keras.backend.backend()


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy, Keras and the backend, as `keras.utils.set_random_seed` does,
    without loading TensorFlow on the JAX or torch backend.

    `keras.utils.set_random_seed` also seeds TensorFlow whenever it is installed, which
    imports it: about 350 MiB more in a JAX or torch kernel that never uses it. Here
    TensorFlow is seeded only if it is already loaded (always on the TensorFlow backend). A
    notebook that imports TensorFlow later, on another backend, for `tf.data`, calls this
    again after the import so that shuffles are seeded too.

    Args:
        seed: Integer, the random seed to use.

    Example:

    >>> set_random_seed(1)
    >>> import keras
    >>> first = keras.random.uniform((2,))
    >>> set_random_seed(1)
    >>> bool((keras.ops.convert_to_numpy(keras.random.uniform((2,)))
    ...       == keras.ops.convert_to_numpy(first)).all())
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(
            f"Expected `seed` to be an integer, got {seed!r} of type {type(seed).__name__}."
        )
    import keras

    if keras.backend.backend() == "tensorflow" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    # keras.utils.set_random_seed minus TensorFlow (keras/src/utils/rng_utils.py).
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


class _CellFailed(Exception):
    """Raised after a `%%only_on` cell failed: the cell's own traceback is already shown."""

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead
        return []


def only_on(line: str, cell: str) -> None:
    """`%%only_on BACKEND [BACKEND ...]`: run the cell only on these Keras backends.

    Elsewhere the cell is skipped with a note saying why and how to switch. A failing cell
    fails as usual (its traceback, and the cell is marked as an error).
    """
    from IPython import get_ipython

    wanted = line.split()
    unknown = [name for name in wanted if name not in BACKENDS]
    if not wanted or unknown:
        raise ValueError(
            f"%%only_on needs one or more of {', '.join(BACKENDS)}; got {line.strip()!r}. "
            "Write it as the cell's first line, e.g. `%%only_on tensorflow`."
        )
    current = backend()
    if current not in wanted:
        print(
            f"Skipped: this cell shows a detail of the {' / '.join(wanted)} backend, and this "
            f"kernel runs Keras on {current}. To run it, {how_to_switch(wanted[0])}."
        )
        return
    result = get_ipython().run_cell(cell, store_history=False)
    if not result.success:
        raise _CellFailed()


def register_magics() -> None:
    """Register `%%only_on` in the running IPython, if any (`import kerastutor` does this)."""
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(only_on, magic_kind="cell")


# Keras looks TensorFlow up through a lazy module whose `available` imports it whenever it is
# installed: saving a model (serialization_lib, the legacy h5 writer) asks "is this a
# tf.TensorShape?", and seeding asks "is there a TensorFlow to seed?". On JAX or torch that
# loaded TensorFlow into the kernel, about 400 MiB for a question whose answer is "no" unless
# something imported TensorFlow already (an object cannot be a TensorFlow one otherwise). These
# modules get a TensorFlow that counts as available only once it is loaded; everything else,
# and the TensorFlow backend, is left alone.
_ASKS_IF_TENSORFLOW = (
    "keras.src.saving.serialization_lib",
    "keras.src.legacy.saving.json_utils",
    "keras.src.utils.rng_utils",
)


def _tensorflow_only_once_loaded() -> None:
    """On JAX or torch, keep Keras's saving and seeding from importing TensorFlow."""
    keras = sys.modules.get("keras")
    if keras is None or keras.backend.backend() == "tensorflow":
        return
    from keras.src.utils import module_utils

    class TensorflowIfLoaded(module_utils.LazyModule):
        only_once_loaded = True

        @property
        def available(self) -> bool:
            return "tensorflow" in sys.modules

    for name in _ASKS_IF_TENSORFLOW:
        module = importlib.import_module(name)
        current = getattr(module, "tf", None)
        # The class, not the instance: a LazyModule's attributes import the module.
        if isinstance(current, module_utils.LazyModule) and not getattr(
            type(current), "only_once_loaded", False
        ):
            module.tf = TensorflowIfLoaded("tensorflow")


class _AfterKeras(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _tensorflow_only_once_loaded()

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _KerasFinder(importlib.abc.MetaPathFinder):
    busy = False

    def find_spec(self, fullname, path, target=None):
        if fullname != "keras" or self.busy or "keras" in sys.modules:
            return None
        self.busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self.busy = False
        if spec is None or spec.loader is None:
            return None
        spec.loader = _AfterKeras(spec.loader)
        return spec


def keep_tensorflow_unloaded() -> None:
    """Install the above for when Keras is imported (now, if it is already): `import
    kerastutor` does this. Idempotent."""
    if "keras" in sys.modules:
        _tensorflow_only_once_loaded()
    elif not any(isinstance(f, _KerasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasFinder())
