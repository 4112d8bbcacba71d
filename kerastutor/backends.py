"""Keras's three backends in the course: which one runs, seeding without loading TensorFlow,
freeing a kernel's memory between models (`clear_session`), and the `%%only_on` cell magic for
the few cells that teach one backend's detail.

Keras 3 runs the same model code on TensorFlow, JAX or PyTorch; `KERAS_BACKEND` (or the
`"backend"` entry of `~/.keras/keras.json`) picks one before `keras` is first imported, and a
kernel keeps it until it restarts. Every chapter of the course runs on all three.

A cell that can only hold on one backend (a `tf.function` detail, a `tf.GradientTape`
training step) starts with the cell magic, which `import kerastutor` registers in IPython::

    %%only_on tensorflow
    import tensorflow as tf
    ...

On another backend the cell is not run; it prints that it was skipped, why, and how to run it.

A kernel cannot change its backend, so a comparison of backends runs each one in a child
Python process: `run_on_backend("jax", train)` runs a self-contained function there and returns
its dict, with the child's peak memory and what `import keras` cost it.

>>> backend() in BACKENDS
True
>>> set_random_seed(0)
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import inspect
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kerastutor.i18n import gettext as _

#: The backends the course runs on. TensorFlow is the default and always installed.
BACKENDS = ("tensorflow", "jax", "torch")


def how_to_switch(name: str) -> str:
    """How a learner gets a kernel on backend `name`: said once, for every message that needs
    it."""
    return _(
        "start JupyterLab with `kerastutor lab --backend {name}` (or set KERAS_BACKEND={name} "
        "before it starts, or before `keras` is first imported) and restart the kernel"
    ).format(name=name)


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


def clear_session() -> None:
    """`keras.backend.clear_session()`, then free what it leaves behind on JAX and in the C
    allocator.

    Keras's call resets its global state and runs a full garbage collection, which is what
    frees a model nothing refers to any more (a Keras model holds reference cycles, so `del`
    alone waits for the next full collection). Two things outlive it, and this function frees
    them too:

    - on JAX, compiled programs stay in JAX's cache: the steps of the models gone, and the many
      small programs Keras runs eagerly while it builds a model. `jax.clear_caches()` drops
      them all.
    - glibc's allocator keeps freed memory for later rather than returning it to the system;
      `malloc_trim(0)` returns it (Linux only; skipped elsewhere).

    Measured here, on JAX, after fitting a digits model and dropping it: 449 MiB of process
    memory after `keras.backend.clear_session()`, 378 MiB after this. The price is time: every
    program goes through the compiler again on its next use (chapter 6 on JAX took 68 s instead
    of 36 s when it called this before each of its models). So call it where memory runs short,
    as chapter 6 does before its sequence model, whose compilation needs the room.

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> del model
    >>> clear_session()
    >>> keras.layers.Dense(1).name  # Keras's name counters start again, as after its own call
    'dense'
    """
    import keras

    keras.backend.clear_session()
    if keras.backend.backend() == "jax":
        import jax

        jax.clear_caches()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


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
            _(
                "%%only_on needs one or more of {backends}; got {got!r}. "
                "Write it as the cell's first line, e.g. `%%only_on tensorflow`."
            ).format(backends=", ".join(BACKENDS), got=line.strip())
        )
    current = backend()
    if current not in wanted:
        print(
            _(
                "Skipped: this cell shows a detail of the {wanted} backend, and this "
                "kernel runs Keras on {current}. To run it, {how}."
            ).format(wanted=" / ".join(wanted), current=current, how=how_to_switch(wanted[0]))
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


def _one_torch_thread() -> None:
    """On the torch backend, one intra-op thread unless `OMP_NUM_THREADS` says otherwise.

    The course's models are small: splitting each op across threads costs more than it gains,
    and the threads fight any other load for the cores. Measured on a 2-core machine under
    load: 2.7-3.8 ms per `fit` step with one thread, 26-74 ms with torch's default two (a
    chapter took 40 s instead of 345 s). On Binder torch would also count the host's cores,
    not the one it gets."""
    keras = sys.modules.get("keras")
    if keras is None or keras.backend.backend() != "torch" or "OMP_NUM_THREADS" in os.environ:
        return
    import torch

    torch.set_num_threads(1)


def _tensorflow_only_once_loaded() -> None:
    """On JAX or torch, keep Keras's saving and seeding from importing TensorFlow."""
    keras = sys.modules.get("keras")
    if keras is None or keras.backend.backend() == "tensorflow":
        return
    _one_torch_thread()
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
        # A saving in memory and speed, never a reason for `import keras` to fail (e.g. a
        # stand-in keras in a test, or a Keras whose internals moved).
        with contextlib.suppress(Exception):
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
        with contextlib.suppress(Exception):
            _tensorflow_only_once_loaded()
    elif not any(isinstance(f, _KerasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasFinder())


# ---------------------------------------------------------------- one backend in a child process

#: What `pip install` needs for each backend (the package's extras; TensorFlow is a dependency).
_INSTALL = {
    "tensorflow": 'pip install "kerastutor"  (TensorFlow is a dependency)',
    "jax": 'pip install "kerastutor[jax]"  (or: pip install "jax[cpu]")',
    "torch": 'pip install "kerastutor[torch]"  (or: pip install torch)',
}

# The child: measure `import keras` (time and memory), run the code, write the result as JSON.
# Peak memory on Linux is /proc's VmHWM: ru_maxrss would start from the *parent's* size (Linux
# carries the high-water mark over the fork and exec that start a child, so a child of a 600
# MiB kernel would report at least 600 MiB). Elsewhere ru_maxrss (KiB on Linux, bytes on
# macOS); Windows has neither.
_CHILD = """\
import json as _json, sys as _sys, time as _time
try:
    import resource as _resource
except ImportError:
    _resource = None


def _peak_mib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    if _resource is None:
        return None
    unit = 1024 * 1024 if _sys.platform == "darwin" else 1024
    return round(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / unit, 1)


_start = _time.perf_counter()
import keras
_keras = {{"import_seconds": round(_time.perf_counter() - _start, 3),
          "import_mib": _peak_mib(), "keras_backend": keras.backend.backend()}}
{code}
if not isinstance(result, dict):
    raise TypeError(f"the code must leave a dict in `result`; got {{type(result).__name__}}")
result = {{**result, **_keras, "peak_mib": _peak_mib()}}
with open(_sys.argv[1], "w") as _out:
    _json.dump(result, _out)
"""


class BackendRunError(RuntimeError):
    """A child process on another backend could not run: the message says why and the fix."""


def _child_code(code: str | Callable[..., dict], kwargs: dict | None) -> str:
    """The source the child runs: `code` itself, or a function's source and a call to it."""
    if callable(code):
        try:
            source = textwrap.dedent(inspect.getsource(code))
        except (OSError, TypeError) as error:
            raise BackendRunError(
                _(
                    "cannot read the source of {code!r} ({error}): define it with `def` in a "
                    "notebook cell or a file, or pass the code as a string."
                ).format(code=code, error=error)
            ) from None
        arguments = json.dumps(kwargs or {})
        return f"{source}\nresult = {code.__name__}(**__import__('json').loads({arguments!r}))\n"
    if kwargs:
        raise BackendRunError(_("kwargs= goes to a function: pass a function, not a string."))
    return textwrap.dedent(code)


def _stop(process: subprocess.Popen) -> None:
    """Kill the child and anything it started (its own process group), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    process.communicate()


def run_on_backend(
    backend: str,
    code: str | Callable[..., dict],
    *,
    timeout: float = 180.0,
    kwargs: dict | None = None,
) -> dict:
    """Run `code` in a fresh Python process on Keras backend `backend`; return its result.

    A Keras process keeps the backend it started with, so comparing backends takes one
    process each. The child gets this process's environment with `KERAS_BACKEND=backend`
    (and this kerastutor first on `PYTHONPATH`); it first imports Keras, timing it, then runs
    `code`.

    Args:
        backend: `"tensorflow"`, `"jax"` or `"torch"`.
        code: a self-contained function (imports inside; it cannot see the caller's
            variables) that returns a dict of JSON values, or Python source that leaves such
            a dict in a variable named `result`.
        timeout: seconds before the child is stopped (it never hangs the caller).
        kwargs: JSON-serialisable keyword arguments for the function.

    Returns:
        The code's dict, plus `import_seconds` and `import_mib` (time and peak memory, in MiB,
        after `import keras`), `keras_backend`, `peak_mib` (the child's own peak resident
        memory, MiB, from /proc on Linux; None where the OS does not report it) and `seconds`
        (the child's wall time, Python start-up included).

    Raises:
        ValueError: `backend` is not one of `BACKENDS`.
        BackendRunError: the backend is not installed, the child failed (its error output's
            last lines are in the message) or did not finish within `timeout`.

    Example:

    >>> run_on_backend("tensorflow", "result = {'two': 1 + 1}")["two"]
    2
    """
    if backend not in BACKENDS:
        raise ValueError(
            _("backend must be one of {backends}; got {backend!r}.").format(
                backends=", ".join(BACKENDS), backend=backend
            )
        )
    if importlib.util.find_spec(backend) is None:
        raise BackendRunError(
            _(
                "the {backend} backend is not installed in this Python ({python}). "
                "Install it: {install}, then run this again."
            ).format(backend=backend, python=sys.executable, install=_INSTALL[backend])
        )
    source = _CHILD.format(code=_child_code(code, kwargs))
    package_root = str(Path(__file__).resolve().parents[1])  # the child imports this kerastutor
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    with tempfile.TemporaryDirectory(prefix="kerastutor-backend-") as folder:
        script, output = Path(folder) / f"on_{backend}.py", Path(folder) / "result.json"
        script.write_text(source)
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(script), str(output)],
            env=env,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: a timeout stops all of it
        )
        try:
            _stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise BackendRunError(
                _(
                    "the {backend} child process did not finish within {timeout:g} s and was "
                    "stopped. Give it more time (timeout=...) or less work (fewer samples or "
                    "epochs); a busy machine runs slower."
                ).format(backend=backend, timeout=timeout)
            ) from None
        except BaseException:  # KeyboardInterrupt (the notebook's stop button): no orphan
            _stop(process)
            raise
        seconds = time.perf_counter() - start
        if process.returncode != 0 or not output.exists():
            tail = "\n".join(stderr.strip().splitlines()[-12:])
            raise BackendRunError(
                _(
                    "the {backend} child process failed (exit code {code}). Its "
                    "error output ends with:\n{tail}\nFix the code above (it runs on its own, "
                    "with KERAS_BACKEND={backend}: imports inside, no notebook variables)."
                ).format(backend=backend, code=process.returncode, tail=tail)
            )
        result: dict[str, Any] = json.loads(output.read_text())
    result["seconds"] = round(seconds, 3)
    return result
