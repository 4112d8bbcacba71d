"""The `kerastutor` command: copy the course notebooks, start JupyterLab, check the set-up.

    kerastutor notebooks DIR [--lang zh]
                                copy the course notebooks to DIR (never overwrites your edits
                                without asking); --lang zh copies the Chinese edition
    kerastutor lab [DIR] [--backend jax]
                                start JupyterLab on DIR (default: ./kerastutor-course), its
                                kernels in the course's environment (below), on a chosen
                                Keras backend (tensorflow, jax or torch)
    kerastutor kernels          install a Jupyter kernel per Keras backend ("Python 3 (Keras
                                on JAX)", ...): Kernel > Change Kernel switches a notebook
    kerastutor env              print that environment as shell `export` lines, for
                                `eval "$(kerastutor env)"` (`make test`, `binder/start`)
    kerastutor doctor           check Python, TensorFlow/Keras, the Keras backend (and how to
                                switch it), the devices Keras sees, torch, JAX, widgets,
                                Graphviz, the MNIST source, memory and where this runs; print
                                a fix for each problem
    kerastutor link --hub URL --repo URL [--branch B] [--path P]
                                print the nbgitpuller link that opens the course on a
                                JupyterHub (docs/instructors.md)

`doctor()` is also what the course's first notebook runs. It imports TensorFlow in a child
process (unless this one has it already), so a TensorFlow that fails to import, or aborts
Python while loading (a CPU without the instructions the build needs), is reported as FAIL
with a fix instead of crashing the command or killing the notebook's kernel. It names the Keras
backend in use (`tensorflow`, the default, `jax` or `torch`), where it was chosen
(`KERAS_BACKEND`, else `keras.json`) and how to switch; a backend that cannot load (JAX not
installed, a misspelt name) is a FAIL that says what to install.

The kernel environment is defined once, here: `KERNEL_ENV` holds the defaults
(`TF_CPP_MIN_LOG_LEVEL=3`, `MALLOC_ARENA_MAX=2` for less memory, `KERASTUTOR_OFFLINE=1`:
the course uses the bundled MNIST), a value already set in the environment wins, and
`IPYTHONDIR` points at a folder whose start-up file (`QUIET_STARTUP`) installs the quiet
TensorFlow import hook (`kerastutor/_quiet.py`) even in a notebook that imports TensorFlow
before kerastutor. `kernel_env()` computes it; `kerastutor lab` applies it; `make lab` calls
`kerastutor lab`; `make test`, `make bench`, `binder/start` and the browser test use
`kerastutor env` or `kernel_env()`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kerastutor.backends import BACKENDS
from kerastutor.editions import EDITIONS
from kerastutor.i18n import gettext as _

__all__ = ["Check", "doctor", "course_notebooks", "copy_notebooks", "nbgitpuller_link"]

DEFAULT_COURSE_DIR = "kerastutor-course"

# The course's kernel environment (defaults: a value already in the environment wins).
KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's C++ log: fatal lines only
    "MALLOC_ARENA_MAX": "2",  # fewer malloc arenas: TensorFlow's threads use less memory
    "KERASTUTOR_OFFLINE": "1",  # the course uses the bundled MNIST; never wait on a network
}


@dataclass(frozen=True)
class Check:
    """One line of `doctor`: what was checked, whether it is fine, and how to fix it if not.

    `note` is printed under the line whatever the result (e.g. how to switch the backend).
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True
    note: str = ""

    def __str__(self) -> str:
        mark = "OK  " if self.ok else ("FAIL" if self.required else "WARN")
        line = f"[{mark}] {self.name}: {self.detail}"
        line += (
            "\n       " + _("fix: {fix}").format(fix=self.fix) if not self.ok and self.fix else ""
        )
        return line + (f"\n       {self.note}" if self.note else "")


def _version(*distributions: str) -> str | None:
    """The installed version of the first of these distributions, without importing it
    (importing torch alone would cost a kernel about 180 MB)."""
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _where() -> str:
    if "google.colab" in sys.modules or os.environ.get("COLAB_RELEASE_TAG"):
        return "Google Colab"
    if os.environ.get("BINDER_SERVICE_HOST") or os.environ.get("BINDER_LAUNCH_HOST"):
        return "Binder"
    return _("a local machine")


def _available_memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        available = int(info["MemAvailable"].split()[0]) / 1024**2
        limit_file = Path("/sys/fs/cgroup/memory.max")  # a container's own limit, if any
        if limit_file.exists() and limit_file.read_text().strip() != "max":
            available = min(available, int(limit_file.read_text()) / 1024**3)
        return available
    except (OSError, KeyError, ValueError):
        return None


def _mnist_source() -> Check:
    """Where `load_mnist()` would read MNIST (`data.resolve_source`, without downloading)."""
    from kerastutor import data

    try:
        label, path = data.resolve_source("auto", download=False)
    except data._SourceMissing as exc:
        return Check("MNIST", False, exc.problem, exc.fix)
    except OSError as exc:  # e.g. no permission to look into KERASTUTOR_MNIST_DIR
        return Check("MNIST", False, str(exc), _("fix the path or unset KERASTUTOR_MNIST_DIR"))
    if path == data.BUNDLED_MNIST and not path.is_file():
        return Check(
            "MNIST",
            False,
            _("the bundled subset is missing from the installed package"),
            _("reinstall kerastutor: pip install --force-reinstall kerastutor"),
        )
    try:
        data._read_npz(path)  # the checks load_mnist makes
    except data.MnistFileError as exc:
        return Check("MNIST", False, str(exc), _("replace or delete {path}").format(path=path))
    if path == data.BUNDLED_MNIST:
        where = _("offline") if data._offline() else _("until load_mnist() downloads the full set")
        detail = _("bundled subset, 10,000 + 2,000 images ({where}); the course uses it").format(
            where=where
        )
        return Check("MNIST", True, detail)
    return Check("MNIST", True, _("full copy from {label} ({path})").format(label=label, path=path))


# Run in a child process by doctor(): each stage reports on stdout once it has loaded, then
# the devices Keras would train on. keras.distribution.list_devices() gives GPUs (or TPUs) when
# there are any, else CPUs, so each kind is asked for on its own.
_LOAD_TENSORFLOW = """
import json
import tensorflow
print("kerastutor-doctor tensorflow", json.dumps(getattr(tensorflow, "__version__", "?")))
import keras
print("kerastutor-doctor keras", json.dumps([keras.__version__, keras.backend.backend()]))


def devices():
    from keras import distribution

    def listed(kind):
        try:
            return distribution.list_devices(kind)
        except Exception:  # e.g. the JAX backend asked for a kind of device it has none of
            return []

    found = {"cpu": listed("cpu"), "gpu": listed("gpu"), "gpu_names": []}
    if keras.backend.backend() == "tensorflow":
        for gpu in tensorflow.config.list_physical_devices("GPU"):
            try:
                details = tensorflow.config.experimental.get_device_details(gpu)
                found["gpu_names"].append(details["device_name"])
            except Exception:
                pass
    elif keras.backend.backend() == "torch":  # keras.distribution has no torch implementation
        import torch

        gpus = range(torch.cuda.device_count())
        found["cpu"], found["gpu"] = ["cpu:0"], [f"gpu:{i}" for i in gpus]
        found["gpu_names"] = [torch.cuda.get_device_name(i) for i in gpus]
    return found


try:
    print("kerastutor-devices", json.dumps(devices()))
except Exception as exc:  # the versions above still count
    print("kerastutor-devices", json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
"""
_LOAD_SECONDS = 300


@dataclass
class _Loaded:
    """What importing TensorFlow, then Keras, gave: versions, or why it failed."""

    tensorflow: str | None = None
    keras: tuple[str, str] | None = None  # (version, backend), of this process if Keras is here
    error: str = ""  # the last lines TensorFlow or Python wrote about the failure
    missing: bool = False  # ModuleNotFoundError: tensorflow is not installed
    signal: str = ""  # the signal that killed the import (SIGABRT, SIGILL, ...)
    timed_out: bool = False
    devices: _Devices | None = None  # listed by the child, after Keras loaded
    here: bool = False  # TensorFlow was loaded in this process already: nothing was started


def _summary(stderr: str) -> str:
    """The lines of a failed import worth showing: C-level messages and the exception."""
    from kerastutor._quiet import is_noise

    lines = [ln.strip() for ln in stderr.splitlines()]
    lines = [ln for ln in lines if ln and not is_noise(ln.encode())]
    if "Traceback (most recent call last):" in lines:
        at = lines.index("Traceback (most recent call last):")
        lines = lines[max(0, at - 3) : at] + lines[-1:]  # what C said, then the exception
    else:
        lines = lines[-4:]
    return " | ".join(ln.split("] ", 1)[-1] if "] " in ln[:80] else ln for ln in lines)[-600:]


def _load_tensorflow(backend: str | None = None) -> _Loaded:
    """Import TensorFlow and Keras: here if TensorFlow is loaded already, else in a child
    process, so that a TensorFlow that aborts Python while loading cannot take this one along.
    `backend`: the child's KERAS_BACKEND, when not this process's."""
    loaded = _Loaded()
    if "tensorflow" in sys.modules and backend is None:
        loaded.tensorflow = getattr(sys.modules["tensorflow"], "__version__", "?")
        loaded.here = True
        try:
            import keras

            loaded.keras = (keras.__version__, keras.backend.backend())
        except Exception as exc:
            loaded.error = f"{type(exc).__name__}: {exc}"
        return loaded
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")}
    if backend is not None:
        env["KERAS_BACKEND"] = backend
    try:
        result = subprocess.run(
            [sys.executable, "-c", _LOAD_TENSORFLOW],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_LOAD_SECONDS,
        )
    except subprocess.TimeoutExpired:
        loaded.timed_out = True
        return loaded
    except OSError as exc:  # no Python to start: try here, which is all that is left
        loaded.error = _("could not start {python} to import TensorFlow ({error})").format(
            python=sys.executable, error=exc
        )
        return loaded
    for line in result.stdout.splitlines():
        tag, _space, value = line.partition(" ")
        if tag == "kerastutor-doctor":
            stage, _space, payload = value.partition(" ")
            if stage == "tensorflow":
                loaded.tensorflow = json.loads(payload)
            elif stage == "keras":
                loaded.keras = tuple(json.loads(payload))
        elif tag == "kerastutor-devices":
            loaded.devices = _read_devices(value)
    if result.returncode != 0:
        loaded.error = _summary(result.stderr)
        loaded.missing = loaded.tensorflow is None and (
            "No module named 'tensorflow'" in result.stderr
        )
        if result.returncode < 0:
            try:
                loaded.signal = signal.Signals(-result.returncode).name
            except ValueError:
                loaded.signal = f"signal {-result.returncode}"
    keras = sys.modules.get("keras")
    if keras is not None and loaded.tensorflow is not None and backend is None:
        # Keras is loaded here (on JAX or torch, without TensorFlow): its backend is the one
        # in use, whatever the environment now says a new process would pick.
        with contextlib.suppress(Exception):
            loaded.keras, loaded.error = (keras.__version__, keras.backend.backend()), ""
    return loaded


def _keras_config_file() -> Path:
    """The `keras.json` Keras reads, found as Keras finds it: in `KERAS_HOME`, else in
    `~/.keras` (`/tmp/.keras` when the home folder is not writable)."""
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home) / "keras.json"


def _backend_wanted() -> tuple[str, str]:
    """The backend Keras picks when it is imported, and where that choice comes from."""
    from_env = os.environ.get("KERAS_BACKEND", "")
    if from_env:
        return from_env, _("set by KERAS_BACKEND")
    config = _keras_config_file()
    try:
        backend = json.loads(config.read_text()).get("backend")
    except (OSError, ValueError, AttributeError):
        backend = None
    if isinstance(backend, str) and backend:
        return backend, _("from {config}").format(config=config)
    return "tensorflow", _("the default")


def _switch_note() -> str:
    return _(
        "switch: `kerastutor lab --backend jax` (tensorflow, jax or torch) starts kernels on "
        "another backend; or set KERAS_BACKEND before keras is imported (in a notebook, "
        '`os.environ["KERAS_BACKEND"] = "jax"` in the first cell of a fresh kernel), '
        'or "backend" in {config}'
    ).format(config=_keras_config_file())


def _backend_failed(error: str, wanted: str) -> bool:
    """Whether an import failed because the chosen backend did: an unknown name, or its
    framework not installed. (TensorFlow imports Keras, so even its import fails then.)"""
    return wanted != "tensorflow" and (
        "Unable to import backend" in error or f"No module named '{wanted}" in error
    )


def _backend_check(loaded: _Loaded, failure: str = "") -> Check:
    """The `Keras backend` line: which backend Keras runs on, where that was chosen, and how
    to switch. `failure`: why the chosen backend did not load; the line then says what to do."""
    wanted, source = _backend_wanted()
    note = _switch_note()
    if failure or loaded.keras is None:
        if wanted not in BACKENDS:
            fix = _("use one of {backends}, or unset KERAS_BACKEND for TensorFlow").format(
                backends=", ".join(BACKENDS)
            )
        elif f"No module named '{wanted}" in failure:
            fix = _(
                "pip install 'kerastutor[{backend}]', or unset KERAS_BACKEND for TensorFlow"
            ).format(backend=wanted)
        else:
            fix = _("fix the Keras line above first")
        detail = _("{backend} ({source}) does not load: {error}").format(
            backend=wanted, source=source, error=failure or loaded.error or _("no message")
        )
        return Check("Keras backend", False, detail, fix, note=note)
    backend = loaded.keras[1]
    if backend == wanted:
        detail = _("{backend} ({source})").format(backend=backend, source=source)
    elif "keras" in sys.modules:  # chosen before the environment changed
        detail = _(
            "{backend}, in use here; a new kernel would start on {wanted} ({source}): "
            "restart the kernel to switch"
        ).format(backend=backend, wanted=wanted, source=source)
    else:
        detail = backend
    if backend not in BACKENDS:
        fix = _("the course runs on {backends}: unset KERAS_BACKEND for TensorFlow").format(
            backends=", ".join(BACKENDS)
        )
        return Check("Keras backend", False, detail, fix, note=note)
    return Check("Keras backend", True, detail, note=note)


def _tensorflow_checks() -> list[Check]:
    """The TensorFlow, Keras, Keras backend and devices lines of doctor(); never raises,
    whatever the installation. One child process loads TensorFlow and Keras and lists the
    devices (unless TensorFlow is loaded here already)."""
    tf_version = _version("tensorflow", "tensorflow-cpu")
    keras_version = _version("keras")
    dist = "tensorflow-cpu" if _version("tensorflow-cpu") else "tensorflow"
    reinstall = f"pip install --force-reinstall '{dist}=={tf_version}'" if tf_version else ""
    loaded = _load_tensorflow()
    failure = ""
    if loaded.keras is None and _backend_failed(loaded.error, _backend_wanted()[0]):
        # The backend failed, not necessarily TensorFlow: try TensorFlow on its own backend.
        failure, loaded = loaded.error, _load_tensorflow(backend="tensorflow")
    if loaded.tensorflow is not None:
        tf_check = Check("TensorFlow", True, loaded.tensorflow)
    elif loaded.missing:
        tf_check = Check(
            "TensorFlow",
            False,
            _("not installed"),
            _("pip install 'kerastutor' (it pulls in TensorFlow)"),
        )
    elif loaded.timed_out:
        tf_check = Check(
            "TensorFlow",
            False,
            _("{version}, but importing it took over {seconds} s").format(
                version=tf_version or _("installed"), seconds=_LOAD_SECONDS
            ),
            _("close other programs (memory) and run `kerastutor doctor` again"),
        )
    elif loaded.signal:
        cpu = loaded.signal == "SIGILL" or any(
            word in loaded.error for word in ("AVX", "instructions", "CPU")
        )
        fix = (
            _(
                "this CPU lacks instructions this TensorFlow build needs: run the course on "
                "Binder or Colab, or install a TensorFlow built for this CPU"
            )
            if cpu
            else _(
                "reinstall TensorFlow ({command}); if Python still dies, run the course on "
                "Binder or Colab"
            ).format(command=reinstall or "pip install kerastutor")
        )
        detail = _("{version}: importing it killed Python ({signal})").format(
            version=tf_version or "?", signal=loaded.signal
        )
        tf_check = Check("TensorFlow", False, f"{detail}: {loaded.error or _('no message')}", fix)
    else:
        tf_check = Check(
            "TensorFlow",
            False,
            _("{version} does not import: {error}").format(
                version=tf_version or "?", error=loaded.error or _("no message")
            ),
            _(
                "reinstall it ({command}), or recreate the environment; the message names what "
                "is missing"
            ).format(command=reinstall or "pip install kerastutor"),
        )

    keras_fix = "pip install 'keras>=3.3,<4'"
    if keras_version is None:
        keras_check = Check("Keras", False, _("not installed"), keras_fix)
    elif not tf_check.ok:
        keras_check = Check(
            "Keras",
            False,
            _("{version}, not checked: it needs TensorFlow").format(version=keras_version),
            _("fix the TensorFlow line above first"),
        )
    elif loaded.keras is None:
        keras_check = Check(
            "Keras",
            False,
            _("{version} does not import: {error}").format(
                version=keras_version, error=loaded.error or _("no message")
            ),
            _("{fix}; if the message names a backend, see the next line").format(fix=keras_fix),
        )
    else:
        version, backend = loaded.keras
        keras_check = Check(
            "Keras",
            version.startswith("3."),
            _("{version}, imports on TensorFlow (see the next line)").format(version=version)
            if failure
            else _("{version}, {backend} backend").format(version=version, backend=backend),
            _("the course needs Keras 3: {fix}").format(fix=keras_fix),
        )
    if not tf_check.ok:
        return [tf_check, keras_check, _devices_check(loaded)]
    return [tf_check, keras_check, _backend_check(loaded, failure), _devices_check(loaded)]


@dataclass
class _Devices:
    """The devices Keras sees (`cpu:0`, `gpu:0`, ...), or why they could not be listed."""

    cpu: list[str] | None = None
    gpu: list[str] | None = None
    gpu_names: list[str] | None = None
    error: str = ""


def _devices_here() -> _Devices:
    """The devices of this process, which has TensorFlow loaded already, read from its
    configuration without starting TensorFlow's runtime: listing logical devices would start it,
    and a notebook could then no longer split the CPU (`set_logical_device_configuration`)."""
    tf = sys.modules["tensorflow"]
    try:
        config = tf.config
        cpus = config.list_physical_devices("CPU")
        gpus = config.list_physical_devices("GPU")
        logical = [config.get_logical_device_configuration(d) or [d] for d in cpus + gpus]
        cpu_count = sum(len(parts) for parts in logical[: len(cpus)])
        gpu_count = sum(len(parts) for parts in logical[len(cpus) :])
    except Exception as exc:
        return _Devices(error=f"{type(exc).__name__}: {exc}")
    return _Devices(
        cpu=[f"cpu:{i}" for i in range(cpu_count)],
        gpu=[f"gpu:{i}" for i in range(gpu_count)],
        gpu_names=[],
    )


def _read_devices(payload: str) -> _Devices:
    """The devices the doctor's child process listed (its `kerastutor-devices` JSON line)."""
    try:
        found = json.loads(payload)
        if "error" in found:
            return _Devices(error=str(found["error"]))
        return _Devices(list(found["cpu"]), list(found["gpu"]), list(found.get("gpu_names", [])))
    except (ValueError, KeyError, TypeError):
        return _Devices(
            error=_("an answer that does not read: {answer}").format(answer=repr(payload[:80]))
        )


def _no_devices_reason(loaded: _Loaded) -> str:
    """Why the child process listed no devices."""
    if loaded.timed_out:
        return _("loading Keras took over {seconds} s").format(seconds=_LOAD_SECONDS)
    if loaded.signal:
        return _("loading Keras killed Python ({signal})").format(signal=loaded.signal)
    return loaded.error or _("no answer")


def _devices_check(loaded: _Loaded) -> Check:
    """The devices line of doctor(): how many CPU devices and GPUs Keras sees, and so where
    training runs. Never raises. The child process that loaded TensorFlow and Keras listed them
    (`loaded.devices`); when TensorFlow was loaded here already, they are read here."""
    found = loaded.devices
    if found is None and loaded.here:
        found = _devices_here()
    if found is None:
        found = _Devices(error=_no_devices_reason(loaded))
    if found.cpu is None or found.gpu is None:
        return Check(
            "devices",
            False,
            _("unknown: {error}").format(error=found.error or _("no answer")),
            _("if the TensorFlow or Keras line above fails, fix that first; else run doctor again"),
            required=False,
        )
    # Two messages rather than ngettext: the catalogue's tests read singular entries only.
    cpu = (_("{count} CPU") if len(found.cpu) == 1 else _("{count} CPUs")).format(
        count=len(found.cpu)
    )
    if len(found.cpu) > 1:
        cpu += _(" (logical devices)")  # one CPU device uses every core; several split them
    if not found.gpu:
        return Check("devices", True, _("{cpu}, no GPU (training runs on the CPU)").format(cpu=cpu))
    names = f": {', '.join(found.gpu_names)}" if found.gpu_names else ""
    gpu = (_("{count} GPU") if len(found.gpu) == 1 else _("{count} GPUs")).format(
        count=len(found.gpu)
    )
    detail = _("{cpu}, {gpu}{names} (training runs on the GPU)").format(
        cpu=cpu, gpu=gpu, names=names
    )
    return Check("devices", True, detail)


def doctor(verbose: bool = True) -> list[Check]:
    """Check what the course needs; print one line per check (with a fix) and return them.

    Never raises on a broken installation: TensorFlow and Keras are imported in a child
    process (unless TensorFlow is loaded here already), so an import that fails or aborts
    Python becomes a FAIL line with the message it printed and a fix.
    """
    checks = []
    py = sys.version_info
    checks.append(
        Check(
            "Python",
            py >= (3, 11),
            sys.version.split()[0],
            _("install Python 3.11 or newer and recreate the environment"),
        )
    )
    checks.extend(_tensorflow_checks())  # and the devices Keras sees
    torch_version = _version("torch")
    checks.append(
        Check(
            "torch (chapter 5; optional backend)",
            torch_version is not None,
            torch_version or _("not installed"),
            "pip install 'kerastutor[torch]'",
            required=False,
        )
    )
    jax_version, jaxlib_version = _version("jax"), _version("jaxlib")
    checks.append(
        Check(
            "JAX (optional backend)",
            jax_version is not None and jaxlib_version is not None,
            f"jax {jax_version}, jaxlib {jaxlib_version}"
            if jax_version and jaxlib_version
            else _("not installed")
            if jax_version is None
            else _("jax {version} without jaxlib").format(version=jax_version),
            "pip install 'kerastutor[jax]'",
            required=False,
        )
    )
    lab_version = _version("jupyterlab")
    checks.append(
        Check(
            "JupyterLab (for `kerastutor lab`)",
            lab_version is not None,
            lab_version or _("not installed"),
            "pip install 'kerastutor[lab]'",
            required=False,
        )
    )
    widgets_version = _version("ipywidgets")
    manager = _version("jupyterlab-widgets", "jupyterlab_widgets")
    widgets_ok = bool(widgets_version and widgets_version.startswith("8.") and manager)
    missing = _("missing")
    checks.append(
        Check(
            "ipywidgets + JupyterLab widget manager",
            widgets_ok,
            f"ipywidgets {widgets_version or missing}, jupyterlab_widgets {manager or missing}",
            _("pip install 'ipywidgets>=8,<9' 'jupyterlab_widgets>=3', then restart JupyterLab"),
        )
    )
    from kerastutor.plots import why_no_drawing

    reason = why_no_drawing()
    checks.append(
        Check(
            "model drawings (pydot + Graphviz)",
            reason is None,
            _("available") if reason is None else reason,
            reason or "",
            required=False,
        )
    )
    checks.append(_mnist_source())
    memory = _available_memory_gib()
    checks.append(
        Check(
            "free memory",
            memory is None or memory >= 1.5,
            _("unknown")
            if memory is None
            else _("{memory:.1f} GiB available").format(memory=memory),
            _("close other notebooks or programs: each chapter's kernel peaks near 1 GiB"),
            required=False,
        )
    )
    checks.append(Check("running on", True, _where()))
    if verbose:
        for check in checks:
            print(check)
        problems = [c for c in checks if not c.ok and c.required]
        print(
            _("All set.")
            if not problems
            else _("{count} problem(s) to fix, see above.").format(count=len(problems))
        )
    return checks


def course_notebooks() -> list[Path]:
    """The course notebooks, in chapter order.

    An installed package has them in `kerastutor/course/` (the wheel maps `notebooks/` there);
    a source checkout or an editable install reads `notebooks/` beside the package.
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "course", here.parent / "notebooks"):
        found = sorted(folder.glob("*.ipynb"))
        if found:
            return found
    raise FileNotFoundError(
        "The course notebooks are missing from this installation: "
        "pip install --force-reinstall kerastutor"
    )


def copy_notebooks(
    target: str | Path, overwrite: bool = False, ask=input, lang: str = "en"
) -> dict[str, list]:
    """Copy the course notebooks into `target`: the English course, or with `lang="zh"` the
    Chinese edition (chapters not translated yet come in English; `kerastutor.editions`).

    A notebook already there and identical is left alone; one that differs (a learner's edited
    copy) is overwritten only with `overwrite=True` or after a "y" from `ask`; otherwise it is
    kept. Returns the names copied, kept and unchanged (and, for an edition, `"english"`).
    """
    from kerastutor.editions import copy_edition

    return copy_edition(target, lang=lang, overwrite=overwrite, ask=ask)


#: The notebook a course link opens: the first chapter, as it sits in the repository.
COURSE_START = "notebooks/00_start_here.ipynb"

# Where nbgitpuller sends a learner once the pull is done, per interface: the same prefixes as
# nbgitpuller's own link generator (docs/_static/link_gen/link.js).
_NBGITPULLER_APPS = {"lab": "lab/tree/", "notebook": "tree/"}


def _form_encode(value: str) -> str:
    """`value` encoded as a browser's URLSearchParams encodes it, which is what nbgitpuller's
    link generator uses: space as `+`, everything but letters, digits and `*-._` escaped."""
    return urllib.parse.quote_plus(value, safe="*").replace("~", "%7E")


def _checked_url(kind: str, url: str, example: str) -> urllib.parse.SplitResult:
    """`url` split into parts, or a ValueError that says what to give instead."""
    if not url.strip():
        raise ValueError(f"the {kind} URL is empty: give one, e.g. {example}")
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        hint = f"try https://{url}" if "://" not in url else f"e.g. {example}"
        if kind == "repository" and url.startswith("git@") and ":" in url:
            host, _, path = url[len("git@") :].partition(":")  # SSH form, git@host:owner/repo
            hint = f"try https://{host}/{path} (learners' servers have no SSH keys)"
        raise ValueError(f"the {kind} URL {url!r} must start with https:// (or http://): {hint}")
    if parts.query or parts.fragment:
        raise ValueError(f"the {kind} URL must have no ?query or #fragment, e.g. {example}")
    return parts


#: The kernels `kerastutor kernels` installs: one per backend besides the default kernel.
BACKEND_KERNELS = {
    "jax": ("keras-jax", "Python 3 (Keras on JAX)"),
    "torch": ("keras-torch", "Python 3 (Keras on PyTorch)"),
    "tensorflow": ("keras-tensorflow", "Python 3 (Keras on TensorFlow)"),
}


def install_backend_kernels(prefix: str | None = None) -> list[str]:
    """Install a Jupyter kernel per Keras backend whose package is installed here, e.g.
    "Python 3 (Keras on JAX)": the same Python with `KERAS_BACKEND` set, so a learner switches
    a notebook's backend with JupyterLab's Kernel > Change Kernel (on Binder too, where the
    server's environment cannot be chosen). Installed under `prefix` (default: this Python's
    environment, `sys.prefix`); returns the kernels' folders. Needs ipykernel."""
    from ipykernel import kernelspec

    installed = []
    for backend, (name, display_name) in BACKEND_KERNELS.items():
        if importlib.util.find_spec(backend) is None:
            continue
        installed.append(
            kernelspec.install(
                kernel_name=name,
                display_name=display_name,
                prefix=prefix or sys.prefix,
                env={"KERAS_BACKEND": backend},
            )
        )
    return installed


def nbgitpuller_link(
    hub: str,
    repo: str,
    branch: str = "main",
    path: str = COURSE_START,
    app: Literal["lab", "notebook"] = "lab",
) -> str:
    r"""The nbgitpuller link that opens `path` of the git repository `repo` on the JupyterHub at
    `hub`: a click clones the repository into the learner's server (or, later, pulls what is
    new into the learner's copy, keeping their edits), then opens the file in JupyterLab
    (`app="lab"`) or the classic notebook (`app="notebook"`). The hub's image needs nbgitpuller
    (binder/requirements.txt installs it).

    The link is `{hub}/hub/user-redirect/git-pull?repo=...&urlpath=...&branch=...`, its values
    encoded as nbgitpuller's link generator encodes them. nbgitpuller clones into a folder named
    after the last part of the repository URL (`.git` included), so `urlpath` starts with it.
    Only a string is computed: nothing is fetched.

    >>> link = nbgitpuller_link("https://hub.example.org/", "https://github.com/me/course")
    >>> print(link.replace("&", "\n&"))
    https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme%2Fcourse
    &urlpath=lab%2Ftree%2Fcourse%2Fnotebooks%2F00_start_here.ipynb
    &branch=main
    """
    if app not in _NBGITPULLER_APPS:
        raise ValueError(f"app must be one of {', '.join(_NBGITPULLER_APPS)}, not {app!r}")
    hub_parts = _checked_url("hub", hub, "https://hub.example.org")
    segments = [s for s in hub_parts.path.split("/") if s]
    inner = [i for i, s in enumerate(segments) if s in ("hub", "user")]
    if inner:  # a page of the hub (/hub/home, /user/NAME/lab), not the hub itself
        base = "".join(f"/{s}" for s in segments[: inner[0]])
        raise ValueError(
            "give the hub's base URL, without /hub/... or /user/...: try "
            f"{hub_parts.scheme}://{hub_parts.netloc}{base}"
        )
    repo_parts = _checked_url("repository", repo, "https://github.com/OWNER/REPO")
    folder = repo_parts.path.rstrip("/").rpartition("/")[2]
    if not folder:
        raise ValueError(
            f"the repository URL names no repository: give its clone URL, e.g. "
            f"https://github.com/OWNER/REPO (got {repo!r})"
        )
    if not branch.strip():
        raise ValueError("the branch is empty: give the branch to pull, e.g. main")
    file = path.strip().lstrip("/")
    if not file:
        raise ValueError(f"the path is empty: give the file to open, e.g. {COURSE_START}")
    if ".." in file.split("/"):
        raise ValueError(f"the path must stay inside the repository, without '..': got {path!r}")
    params = {
        "repo": repo.strip().rstrip("/"),
        "urlpath": f"{_NBGITPULLER_APPS[app]}{folder}/{file}",
        "branch": branch.strip(),
    }  # the order nbgitpuller's link generator writes them in
    query = "&".join(f"{name}={_form_encode(value)}" for name, value in params.items())
    return f"{hub.strip().rstrip('/')}/hub/user-redirect/git-pull?{query}"


QUIET_STARTUP = """# Written by kerastutor (kerastutor.cli.QUIET_STARTUP): kernels run this
# first, so TensorFlow's C++ start-up lines stay out of notebooks even when tensorflow comes
# before kerastutor. KERASTUTOR_QUIET=0 turns the filter off (see kerastutor/_quiet.py).
try:
    from kerastutor import _quiet

    _quiet.install()
except ImportError:
    pass
"""


def _quiet_ipython_dir() -> Path:
    """An IPython directory whose start-up file is `QUIET_STARTUP`, under `$KERASTUTOR_HOME`
    (default `~/.kerastutor`); written if missing or out of date."""
    home = os.environ.get("KERASTUTOR_HOME") or Path.home() / ".kerastutor"
    folder = Path(home).expanduser() / "ipython"
    startup = folder / "profile_default" / "startup" / "00-kerastutor-quiet.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    if not startup.exists() or startup.read_text() != QUIET_STARTUP:
        startup.write_text(QUIET_STARTUP)
    return folder


def kernel_env(environ: Mapping[str, str] | None = None, *, startup: bool = True) -> dict:
    """The variables a course kernel gets: `KERNEL_ENV`, where `environ` (default
    `os.environ`) does not set them already, and with `startup`, `IPYTHONDIR` pointing at the
    quiet start-up file. Only these variables: merge them into the environment yourself.

    >>> env = kernel_env({"MALLOC_ARENA_MAX": "4"}, startup=False)
    >>> env["MALLOC_ARENA_MAX"], env["TF_CPP_MIN_LOG_LEVEL"], "IPYTHONDIR" in env
    ('4', '3', False)
    """
    environ = os.environ if environ is None else environ
    env = {name: environ.get(name, default) for name, default in KERNEL_ENV.items()}
    if startup:
        env["IPYTHONDIR"] = str(_quiet_ipython_dir())
    return env


#: Jupyter configuration of the course's server (kerastutor/jupyter_config/): the kernel
#: manager that keeps a whole course within the memory limit (kerastutor/kernels.py).
SERVER_CONFIG_DIR = Path(__file__).parent / "jupyter_config"


def server_env(environ: Mapping[str, str] | None = None) -> dict:
    """The variables the course's Jupyter server gets: `JUPYTER_CONFIG_PATH` with the
    course's configuration first (where `environ`, default `os.environ`, already lists some
    folders, they follow).

    >>> server_env({})["JUPYTER_CONFIG_PATH"].endswith("jupyter_config")
    True
    """
    environ = os.environ if environ is None else environ
    folders = [str(SERVER_CONFIG_DIR)]
    folders += [f for f in environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if f]
    return {"JUPYTER_CONFIG_PATH": os.pathsep.join(dict.fromkeys(folders))}


def lab_command(directory: str | Path, port: int, *options: str) -> list[str]:
    """The JupyterLab command line: bound to 127.0.0.1, on `port`, serving `directory`."""
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={directory}",
        *options,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    return command


_SI_KERNEL = 0x80  # Linux's si_code of a signal the kernel sent: the terminal's Ctrl-C
_STOP_GRACE_SECONDS = 30  # after this, a JupyterLab that ignored SIGTERM is killed


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """In the JupyterLab child: get SIGTERM if `kerastutor lab` dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux; elsewhere none are found). JupyterLab's kernels
    run in sessions of their own, so signalling JupyterLab's group does not reach them."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _remove_runtime_files(pid: int, env: Mapping[str, str] | None) -> None:
    """Remove the `jpserver-<pid>` files a server that was killed could not remove itself."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return
    saved = os.environ.get("JUPYTER_RUNTIME_DIR")
    try:
        if env and env.get("JUPYTER_RUNTIME_DIR"):
            os.environ["JUPYTER_RUNTIME_DIR"] = env["JUPYTER_RUNTIME_DIR"]
        folder = Path(jupyter_runtime_dir())
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_RUNTIME_DIR", None)
        else:
            os.environ["JUPYTER_RUNTIME_DIR"] = saved
    for name in (f"jpserver-{pid}.json", f"jpserver-{pid}-open.html"):
        (folder / name).unlink(missing_ok=True)


def _run_in_foreground(command: list[str], env: dict | None) -> int:
    """Run JupyterLab to its end, as a well-behaved parent.

    - From a terminal, JupyterLab shares this process group, so the terminal's Ctrl-C reaches
      it directly and it asks its own "Shut down this Jupyter server?" question; this process
      only waits (no traceback). A SIGINT or SIGTERM sent to this process alone (`kill PID`) is
      forwarded to JupyterLab.
    - Without a terminal (a script, `make` in the background, a test), JupyterLab gets its own
      process group, and SIGINT and SIGTERM are forwarded to that group. JupyterLab then shuts
      down its kernels (they run in sessions of their own).
    - A JupyterLab still running 30 s after a forwarded SIGTERM is killed; JupyterLab gets
      SIGTERM if this process dies; a runtime file (`jpserver-<pid>.json`) left behind by a
      killed server is removed. Returns JupyterLab's exit status (128 + signal if killed).
    """
    if not hasattr(signal, "sigtimedwait"):  # macOS, Windows: wait; Ctrl-C reaches both
        with subprocess.Popen(command, env=env) as process:
            while True:
                try:
                    return process.wait()
                except KeyboardInterrupt:
                    continue
    interactive = sys.stdin is not None and sys.stdin.isatty()
    handled = {signal.SIGINT, signal.SIGTERM}
    # A job a non-interactive shell starts in the background inherits SIGINT ignored, and an
    # ignored signal is dropped even while blocked: take it back, as JupyterLab itself does.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, handled)  # received by sigtimedwait below

    def child_setup() -> None:  # pragma: no cover - runs in the child
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
        if sys.platform.startswith("linux"):
            _die_with_parent()

    own_group = not interactive
    try:
        process = subprocess.Popen(
            command, env=env, preexec_fn=child_setup, process_group=0 if own_group else None
        )
        killed_at = None
        while process.poll() is None:
            info = signal.sigtimedwait(handled, 0.25)
            if info is not None and not (
                # the terminal's Ctrl-C (or a signal to the whole group) reached JupyterLab too
                not own_group
                and info.si_signo == signal.SIGINT
                and (info.si_code == _SI_KERNEL or info.si_pid == process.pid)
            ):
                try:
                    if own_group:
                        os.killpg(process.pid, info.si_signo)
                    else:
                        process.send_signal(info.si_signo)
                except ProcessLookupError:
                    pass
                if info.si_signo == signal.SIGTERM and killed_at is None:
                    killed_at = time.monotonic()
            if killed_at is not None and time.monotonic() - killed_at > _STOP_GRACE_SECONDS:
                for pid in _children(process.pid):  # its kernels, which it did not shut down
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL) if own_group else process.kill()
                process.wait()
        if own_group:  # helpers of the server that outlived it go too
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
    _remove_runtime_files(process.pid, env)
    code = process.returncode
    return 128 - code if code < 0 else code


def _no_tty_answer(prompt: str) -> str:
    print(prompt + "n (no terminal to ask: kept; use --overwrite to replace)")
    return "n"


def _keep_answer(prompt: str) -> str:
    print(prompt + "n (--keep)")
    return "n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kerastutor", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    nb = commands.add_parser("notebooks", help="copy the course notebooks to a directory")
    nb.add_argument("directory", help="where to put the notebooks (created if needed)")
    nb.add_argument(
        "--lang",
        choices=EDITIONS,
        default="en",
        help="the edition to copy: en (default) or zh, the Chinese edition (chapters not "
        "translated yet come in English)",
    )
    replace = nb.add_mutually_exclusive_group()
    replace.add_argument(
        "--overwrite", action="store_true", help="replace edited copies without asking"
    )
    replace.add_argument(
        "--keep",
        action="store_true",
        help="keep edited copies without asking (new and untouched chapters are still updated)",
    )
    lab = commands.add_parser(
        "lab",
        help="start JupyterLab on the course notebooks",
        description="Start JupyterLab (127.0.0.1, with a login token) on a folder of the course "
        "notebooks, with the course's kernel settings. Needs JupyterLab: "
        "pip install 'kerastutor[lab]'.",
    )
    lab.add_argument(
        "directory",
        nargs="?",
        default=DEFAULT_COURSE_DIR,
        help=f"the folder to serve (default {DEFAULT_COURSE_DIR}). If it does not exist or holds "
        "no notebooks, the course is copied into it first; notebooks already there, edited or "
        "not, are served as they are.",
    )
    lab.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    lab.add_argument(
        "--backend",
        choices=BACKENDS,
        help="the Keras backend of every kernel this server starts (sets KERAS_BACKEND; "
        "default: KERAS_BACKEND if set, else keras.json, else tensorflow)",
    )
    commands.add_parser(
        "env",
        help="print the course's kernel and server environment as shell export lines",
    )
    commands.add_parser("doctor", help="check the set-up and print fixes")
    commands.add_parser(
        "kernels",
        help="install a Jupyter kernel per Keras backend (Kernel > Change Kernel switches)",
        description="Install one Jupyter kernel per installed Keras backend into this Python's "
        "environment: 'Python 3 (Keras on JAX)', '(Keras on PyTorch)', '(Keras on "
        "TensorFlow)'. Each is this Python with KERAS_BACKEND set.",
    )
    link = commands.add_parser(
        "link",
        help="print the nbgitpuller link that opens the course on a JupyterHub",
        description="Print the nbgitpuller link that opens the course on a JupyterHub: a click "
        "clones the repository into the learner's server (later clicks pull what is new and "
        "keep the learner's edits), then opens a notebook (the first chapter unless --path "
        "says otherwise). The hub's image needs "
        "nbgitpuller (binder/requirements.txt installs it). Computed here; nothing is fetched. "
        "See docs/instructors.md.",
    )
    link.add_argument(
        "--hub",
        required=True,
        metavar="URL",
        help="the hub's base URL, e.g. https://hub.example.org",
    )
    link.add_argument(
        "--repo",
        required=True,
        metavar="URL",
        help="the course repository's https:// clone URL, e.g. https://github.com/OWNER/REPO",
    )
    link.add_argument("--branch", default="main", help="the branch to pull (default main)")
    link.add_argument(
        "--path",
        default=COURSE_START,
        help=f"the file to open, inside the repository (default {COURSE_START})",
    )
    link.add_argument(
        "--app",
        choices=list(_NBGITPULLER_APPS),
        default="lab",
        help="open it in JupyterLab (default) or the classic notebook",
    )
    args = parser.parse_args(argv)

    if args.command == "notebooks":
        ask = input if sys.stdin is not None and sys.stdin.isatty() else _no_tty_answer
        if args.keep:
            ask = _keep_answer
        try:
            result = copy_notebooks(
                args.directory, overwrite=args.overwrite, ask=ask, lang=args.lang
            )
        except OSError as exc:
            parser.error(str(exc))
        print(
            f"{len(result['copied'])} copied, {len(result['unchanged'])} already up to date, "
            f"{len(result['kept'])} kept (edited) in {Path(args.directory).resolve()}"
        )
        if result.get("english"):
            print(f"Not translated yet, so in English: {', '.join(result['english'])}")
        print(f"Next: kerastutor lab {args.directory}")
        return 0
    if args.command == "lab":
        if not 0 < args.port < 65536:
            parser.error(f"--port must be between 1 and 65535, not {args.port}")
        if importlib.util.find_spec("jupyterlab") is None:
            print(
                "kerastutor lab needs JupyterLab, which is not installed here: "
                "pip install 'kerastutor[lab]' (or pip install 'jupyterlab>=4.1,<5').",
                file=sys.stderr,
            )
            return 2
        folder = Path(args.directory)
        if not folder.exists() or not any(folder.glob("*.ipynb")):
            copy_notebooks(folder)
        command = lab_command(args.directory, args.port)
        env = {**os.environ, **kernel_env(), **server_env()}
        if args.backend:
            env["KERAS_BACKEND"] = args.backend
            print(f"Kernels run Keras on {args.backend} (KERAS_BACKEND={args.backend}).")
        return _run_in_foreground(command, env=env)
    if args.command == "kernels":
        for folder in install_backend_kernels():
            print(f"installed {folder}")
        return 0
    if args.command == "env":
        for name, value in {**kernel_env(), **server_env()}.items():
            print(f"export {name}={shlex.quote(value)}")
        return 0
    if args.command == "link":
        try:
            print(nbgitpuller_link(args.hub, args.repo, args.branch, args.path, args.app))
        except ValueError as exc:
            link.error(str(exc))
        return 0
    checks = doctor()
    return 0 if all(c.ok or not c.required for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
