"""Keep TensorFlow's C++ start-up lines out of learners' notebooks.

TensorFlow logs a few lines (oneDNN, CUDA, CPU features) straight to file descriptor 2 while it
loads, before its own `TF_CPP_MIN_LOG_LEVEL` setting takes effect, and a notebook shows them
as red stderr output. `install()` adds an import hook that points descriptor 2 at /dev/null
only while `tensorflow` (or `keras`, which loads it) is first imported, and then raises
TensorFlow's Python logger to ERROR (retracing notices). Python exceptions are not affected:
they travel as objects and are printed after the descriptor is restored.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import os
import sys

_NOISY = ("tensorflow", "keras")


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        try:
            saved = os.dup(2)
        except OSError:  # no descriptor 2 (some embedded interpreters): nothing to hide
            return self._loader.exec_module(module)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            self._loader.exec_module(module)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        # TensorFlow's Python-side warnings (e.g. "triggered tf.function retracing", common
        # when a lesson builds many small models on purpose) are not for learners either.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _QuietFinder(importlib.abc.MetaPathFinder):
    def __init__(self):
        self._busy = False

    def find_spec(self, fullname, path, target=None):
        if fullname not in _NOISY or self._busy or any(m in sys.modules for m in _NOISY):
            return None
        self._busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy = False
        if spec is None or spec.loader is None:
            return None
        spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    """Hide TensorFlow's start-up lines from now on (idempotent, harmless once it is loaded)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())
