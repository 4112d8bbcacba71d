"""Keep TensorFlow's C++ start-up lines out of learners' notebooks, and nothing else.

While TensorFlow loads, its C++ side writes a few lines straight to file descriptor 2, before
its own `TF_CPP_MIN_LOG_LEVEL` setting applies, and a notebook shows them as red stderr
output: absl's "All log messages before absl::InitializeLog() is called ..." notice, oneDNN's
"oneDNN custom operations are on ...", the CPU-feature-guard pair "This TensorFlow binary is
optimized to use available CPU instructions ..." / "To enable the following instructions ...",
and, in CUDA builds on machines without a GPU, "Could not find cuda drivers ...", "Unable to
register cuDNN/cuFFT/cuBLAS factory ..." and the like (`NOISE` lists them all).

`install()` adds an import hook. While `tensorflow` (or `keras`, which loads it) is *first*
imported, descriptor 2 is pointed at a pipe. A small filter process reads the pipe and passes
every line that is not one of those start-up lines to the real stderr, as it arrives. A
failing import therefore still shows its C-level message (before the Python traceback, which
is printed after the descriptor is restored), and an aborting one (TensorFlow's check for CPU
instructions it was built for, exit code 134) still shows the lines it wrote: the filter is a
separate process, so it drains the pipe even after this one has died. (Where no filter process
can be started, a thread does the same job, without that last guarantee.) After the import,
TensorFlow's Python logger is raised to ERROR (retracing notices).

The same hook keeps a TensorFlow kernel lighter: TensorFlow imports JAX whenever it is
installed (only for TFLite's converter), about 145 MiB per kernel once the JAX backend is
installed beside it, so JAX is hidden during that one import unless Keras runs on JAX
(`KERAS_BACKEND`, or `keras.json`). `import jax` afterwards works as usual.

Switch it off with the environment variable `KERASTUTOR_QUIET=0` (also `false`, `no`, `off`),
read when TensorFlow is first imported: nothing is filtered, and `TF_CPP_MIN_LOG_LEVEL` is
left alone. Otherwise the hook also defaults `TF_CPP_MIN_LOG_LEVEL` to 3 before the import.

Who installs it, and why that is by design: `import kerastutor` does. Every course notebook
imports `kerastutor` before `keras` or `tensorflow` (`tests/test_quiet.py` enforces it), so the
notebooks are quiet in any front end: JupyterLab, Notebook 7, VS Code, Colab, or a `jupyter`
server kerastutor did not start. Installing the hook is harmless, since it drops only the lines
above and is idle once TensorFlow is loaded. For a learner's own notebook that imports
TensorFlow first, kernels started by `kerastutor lab` (and `make lab`, Binder) also run it from
an IPython start-up file (`kerastutor.cli.QUIET_STARTUP`).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import re
import sys

_NOISY = ("tensorflow", "keras")
_OFF = {"0", "false", "no", "off"}

# A C++ log line's prefix, as recent TensorFlow writes it (absl: "I0000 00:00:1795471446.257767
# 25424 port.cc:153] ") and as 2.16 did ("2024-05-01 12:00:00.123456: I tensorflow/core/util/
# port.cc:113] "). Only info, warning and error lines can be noise: a fatal (F) line is kept.
_PREFIX = rb"(?:[IWE]\d{4} \S+\s+\d+ |\d{4}-\d\d-\d\d [\d:.]+: [IWE] )\S+:\d+\] "
NOISE = tuple(
    re.compile(pattern)
    for pattern in (
        rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
        rb"STDERR\s*$",
        _PREFIX + rb"oneDNN custom operations are on\.",
        _PREFIX + rb"This TensorFlow binary is optimized to use available CPU instructions ",
        rb"To enable the following instructions: .*rebuild TensorFlow with the appropriate "
        rb"compiler flags\.\s*$",
        _PREFIX + rb"Could not find cuda drivers on your machine, GPU will not be used\.",
        _PREFIX + rb"Unable to register cu(?:DNN|FFT|BLAS) factory: ",
        _PREFIX + rb"computation placer already registered\.",
        _PREFIX + rb"TF-TRT Warning: Could not find TensorRT",
    )
)
_WAIT_SECONDS = 5.0  # for the filter to pass on the last lines once the import has ended
_lingering: list = []


def enabled() -> bool:
    """False when `KERASTUTOR_QUIET` says off (0, false, no, off)."""
    return os.environ.get("KERASTUTOR_QUIET", "1").strip().lower() not in _OFF


def is_noise(line: bytes) -> bool:
    """Whether one line (without its newline) is a known TensorFlow start-up line."""
    return any(pattern.match(line) for pattern in NOISE)


def _write_all(fd: int, data: bytes) -> bool:
    while data:
        try:
            data = data[os.write(fd, data) :]
        except OSError:  # the real stderr is gone: keep draining, write nothing
            return False
    return True


def forward(read_fd: int, write_fd: int) -> None:
    """Copy `read_fd` to `write_fd` line by line as lines arrive, dropping `NOISE`, until EOF."""
    pending, writable = b"", True
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        out = b"".join(line + b"\n" for line in lines if not is_noise(line.rstrip(b"\r")))
        if len(pending) > 65536:  # a very long line with no end yet: pass it on
            out, pending = out + pending, b""
        if out and writable:
            writable = _write_all(write_fd, out)
    if pending and writable and not is_noise(pending.rstrip(b"\r")):
        _write_all(write_fd, pending)


class _Filter:
    """Descriptor 2 through a filter from `__enter__` to `__exit__` (a no-op where it cannot)."""

    def __enter__(self):
        self._saved = self._worker = None
        try:
            saved = os.dup(2)
        except OSError:  # no descriptor 2 (some embedded interpreters): nothing to filter
            return self
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            os.close(saved)
            return self
        try:
            self._worker = self._start(read_fd, saved)
        except Exception:  # no process, no thread: better unfiltered than a failed import
            for fd in (saved, write_fd):
                os.close(fd)
            return self
        finally:
            os.close(read_fd)  # the worker holds its own copy
        _flush_stderr()
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._saved = saved
        return self

    def __exit__(self, *exc_info):
        if self._saved is None:
            return False
        _flush_stderr()
        os.dup2(self._saved, 2)  # closes our end of the pipe: the worker reads to EOF and ends
        os.close(self._saved)
        worker, self._saved = self._worker, None
        try:
            if hasattr(worker, "join"):
                worker.join(_WAIT_SECONDS)
            else:
                worker.wait(_WAIT_SECONDS)
        except Exception:  # a child process of the import still holds the pipe: let it run
            _lingering.append(worker)  # (and keep it referenced until it ends)
        return False

    @staticmethod
    def _start(read_fd: int, saved: int):
        """A filter process (it outlives an abort of this one), else a thread."""
        script = __file__ if __file__ and __file__.endswith(".py") else ""
        python = os.path.basename(sys.executable or "").lower()
        if os.name == "posix" and python.startswith("python") and os.path.isfile(script):
            import subprocess

            try:
                return subprocess.Popen(
                    [sys.executable, "-I", "-S", script],
                    stdin=read_fd,
                    stdout=saved,
                    stderr=saved,
                    start_new_session=True,  # a Ctrl-C in a terminal must not stop the filter
                )
            except (OSError, ValueError, subprocess.SubprocessError):
                pass
        import threading

        mine_read, mine_write = os.dup(read_fd), os.dup(saved)

        def run():
            try:
                forward(mine_read, mine_write)
            finally:
                os.close(mine_read)
                os.close(mine_write)

        thread = threading.Thread(target=run, name="kerastutor-quiet", daemon=True)
        thread.start()
        return thread


def _flush_stderr() -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _keras_backend() -> str:
    """The backend Keras will choose, read as Keras reads it: `KERAS_BACKEND`, else the
    `keras.json` in `KERAS_HOME` (default `~/.keras`), else TensorFlow."""
    backend = os.environ.get("KERAS_BACKEND", "").strip().lower()
    if backend:
        return backend
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        import json

        with open(os.path.join(home, "keras.json")) as f:
            return str(json.load(f).get("backend", "tensorflow")).lower()
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


class _HideJax(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname == "jax" or fullname.startswith("jax."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


class _without_jax:
    """While TensorFlow is first imported, hide JAX unless Keras runs on it.

    TensorFlow imports JAX whenever it is installed, only for TFLite's converter
    (tensorflow/lite/python/util.py catches the ImportError), which costs a TensorFlow kernel
    about 145 MiB more when the JAX backend is installed beside it. Hidden only during that
    import: `import jax` afterwards works as usual.
    """

    def __enter__(self):
        self._finder = None
        if "jax" not in sys.modules and _keras_backend() != "jax":
            self._finder = _HideJax()
            sys.meta_path.insert(0, self._finder)
        return self

    def __exit__(self, *exc):
        if self._finder is not None:
            sys.meta_path.remove(self._finder)
        return False


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader, finder):
        self._loader = loader
        self._finder = finder

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        self._finder.loading = True  # keras loading tensorflow: one filter is enough
        try:
            with _Filter(), _without_jax():
                self._loader.exec_module(module)
        finally:
            self._finder.loading = False
        # TensorFlow's Python-side warnings (e.g. "triggered tf.function retracing", common
        # when a lesson builds many small models on purpose) are not for learners either.
        import logging

        logging.getLogger("tensorflow").setLevel(logging.ERROR)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _QuietFinder(importlib.abc.MetaPathFinder):
    def __init__(self):
        self._busy = False
        self.loading = False

    def find_spec(self, fullname, path, target=None):
        # Until TensorFlow is loaded: keras with the torch or JAX backend may come first.
        if (
            fullname not in _NOISY
            or self._busy
            or self.loading
            or fullname in sys.modules
            or "tensorflow" in sys.modules
        ):
            return None
        if not enabled():
            return None
        self._busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy = False
        if spec is None or spec.loader is None:
            return None
        spec.loader = _QuietLoader(spec.loader, self)
        return spec


def install() -> None:
    """Filter TensorFlow's start-up lines from now on (idempotent; idle once it is loaded)."""
    if not any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())


if __name__ == "__main__":  # the filter process: stdin is the pipe, stdout the real stderr
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forward(0, 1)
