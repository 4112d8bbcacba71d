"""Any framework's tensor as a NumPy array, without importing a framework.

Answers and data reach kerastutor as NumPy arrays or as tensors of whichever framework made
them, and that need not be the Keras backend in use: a `tf.data` batch under JAX, a torch
tensor from a `DataLoader` under TensorFlow. `.numpy()` alone covers TensorFlow only: a JAX
array has no such method, and a torch tensor refuses it while it tracks gradients.

>>> import numpy as np
>>> to_numpy([1.0, 2.0])
array([1., 2.])
>>> to_numpy(np.int64(3))
array(3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_numpy"]


def to_numpy(value: Any) -> np.ndarray:
    """`value` (a TensorFlow, JAX or torch tensor, a Keras variable, an array-like) as an array.

    Raises whatever NumPy raises for a value that is not array-like (e.g. a symbolic tensor).
    """
    if isinstance(value, np.ndarray):
        return value
    if callable(getattr(value, "detach", None)) and callable(getattr(value, "cpu", None)):
        value = value.detach().cpu()  # torch: drop the autograd graph, leave the GPU
    numpy = getattr(value, "numpy", None)
    if callable(numpy):  # TensorFlow eager tensors, torch tensors, Keras variables
        return np.asarray(numpy())
    return np.asarray(value)  # JAX arrays and anything else with __array__
