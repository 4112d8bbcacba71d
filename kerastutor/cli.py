"""The `kerastutor` command: copy the course notebooks, start JupyterLab, check the set-up.

    kerastutor notebooks DIR    copy the course notebooks to DIR (never overwrites your edits
                                without asking)
    kerastutor lab [DIR]        start JupyterLab on DIR (default: ./kerastutor-course)
    kerastutor doctor           check Python, TensorFlow/Keras, torch, widgets, Graphviz,
                                the MNIST source, memory and where this runs; print a fix for
                                each problem

`doctor()` is also what the course's first notebook runs.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.metadata
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "doctor", "course_notebooks", "copy_notebooks"]

DEFAULT_COURSE_DIR = "kerastutor-course"


@dataclass(frozen=True)
class Check:
    """One line of `doctor`: what was checked, whether it is fine, and how to fix it if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def __str__(self) -> str:
        mark = "OK  " if self.ok else ("FAIL" if self.required else "WARN")
        line = f"[{mark}] {self.name}: {self.detail}"
        return line + (f"\n       fix: {self.fix}" if not self.ok and self.fix else "")


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
    return "a local machine"


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
    from kerastutor import data

    directory = os.environ.get("KERASTUTOR_MNIST_DIR")
    if directory:
        path = Path(directory) / "mnist.npz"
        if path.is_file():
            return Check("MNIST", True, f"full copy from KERASTUTOR_MNIST_DIR ({path})")
        return Check(
            "MNIST",
            False,
            f"KERASTUTOR_MNIST_DIR={directory} has no mnist.npz",
            "put mnist.npz there or unset KERASTUTOR_MNIST_DIR",
        )
    cache = data._keras_cache_file()
    if cache.is_file():
        return Check("MNIST", True, f"full copy in the Keras cache ({cache})")
    if data.BUNDLED_MNIST.is_file():
        where = "offline" if data._offline() else "until load_mnist() downloads the full set"
        return Check(
            "MNIST", True, f"bundled subset, 10,000 + 2,000 images ({where}); the course uses it"
        )
    return Check(
        "MNIST",
        False,
        "the bundled subset is missing from the installed package",
        "reinstall kerastutor: pip install --force-reinstall kerastutor",
    )


def doctor(verbose: bool = True) -> list[Check]:
    """Check what the course needs; print one line per check (with a fix) and return them."""
    checks = []
    py = sys.version_info
    checks.append(
        Check(
            "Python",
            py >= (3, 11),
            sys.version.split()[0],
            "install Python 3.11 or newer and recreate the environment",
        )
    )
    tf_version = _version("tensorflow", "tensorflow-cpu")
    checks.append(
        Check(
            "TensorFlow",
            tf_version is not None,
            tf_version or "not installed",
            "pip install 'kerastutor' (it pulls in TensorFlow)",
        )
    )
    keras_version = _version("keras")
    if keras_version is not None:
        import keras

        backend = keras.backend.backend()
        ok = keras_version.startswith("3.") and backend == "tensorflow"
        detail = f"{keras_version}, {backend} backend"
        fix = (
            "the course needs Keras 3 on TensorFlow: pip install 'keras>=3.3,<4' and "
            "unset KERAS_BACKEND"
        )
        checks.append(Check("Keras", ok, detail, fix))
    else:
        checks.append(Check("Keras", False, "not installed", "pip install 'keras>=3.3,<4'"))
    torch_version = _version("torch")
    checks.append(
        Check(
            "torch (chapter 5 only)",
            torch_version is not None,
            torch_version or "not installed",
            "pip install 'kerastutor[torch]'",
            required=False,
        )
    )
    widgets_version = _version("ipywidgets")
    manager = _version("jupyterlab-widgets", "jupyterlab_widgets")
    widgets_ok = bool(widgets_version and widgets_version.startswith("8.") and manager)
    checks.append(
        Check(
            "ipywidgets + JupyterLab widget manager",
            widgets_ok,
            f"ipywidgets {widgets_version or 'missing'}, jupyterlab_widgets {manager or 'missing'}",
            "pip install 'ipywidgets>=8,<9' 'jupyterlab_widgets>=3', then restart JupyterLab",
        )
    )
    from kerastutor.plots import why_no_drawing

    reason = why_no_drawing()
    checks.append(
        Check(
            "model drawings (pydot + Graphviz)",
            reason is None,
            "available" if reason is None else reason,
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
            "unknown" if memory is None else f"{memory:.1f} GiB available",
            "close other notebooks or programs: each chapter's kernel peaks near 1 GiB",
            required=False,
        )
    )
    checks.append(Check("running on", True, _where()))
    if verbose:
        for check in checks:
            print(check)
        problems = [c for c in checks if not c.ok and c.required]
        print("All set." if not problems else f"{len(problems)} problem(s) to fix, see above.")
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


def copy_notebooks(target: str | Path, overwrite: bool = False, ask=input) -> dict[str, list]:
    """Copy the course notebooks into `target`.

    A notebook already there and identical is left alone; one that differs (a learner's edited
    copy) is overwritten only with `overwrite=True` or after a "y" from `ask`; otherwise it is
    kept. Returns the names copied, kept and unchanged.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory: choose another path.")
    target.mkdir(parents=True, exist_ok=True)
    result: dict[str, list] = {"copied": [], "kept": [], "unchanged": []}
    for source in course_notebooks():
        destination = target / source.name
        if destination.exists():
            if filecmp.cmp(source, destination, shallow=False):
                result["unchanged"].append(source.name)
                continue
            if not overwrite:
                question = f"{destination} differs from the course version (your edits?)."
                reply = ask(question + " Overwrite? [y/N] ")
                if reply.strip().lower() not in ("y", "yes"):
                    result["kept"].append(source.name)
                    continue
        shutil.copyfile(source, destination)
        result["copied"].append(source.name)
    return result


_QUIET_STARTUP = """# Written by `kerastutor lab`: kernels load this first, so TensorFlow's
# C++ start-up lines stay out of notebooks even when tensorflow comes first.
try:
    from kerastutor import _quiet

    _quiet.install()
except ImportError:
    pass
"""


def _quiet_ipython_dir() -> Path:
    """An IPython directory whose start-up file quiets TensorFlow (as `make lab` does)."""
    folder = Path(os.environ.get("KERASTUTOR_HOME", Path.home() / ".kerastutor")) / "ipython"
    startup = folder / "profile_default" / "startup" / "00-kerastutor-quiet.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    if not startup.exists() or startup.read_text() != _QUIET_STARTUP:
        startup.write_text(_QUIET_STARTUP)
    return folder


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


def _no_tty_answer(prompt: str) -> str:
    print(prompt + "n (no terminal to ask: kept; use --overwrite to replace)")
    return "n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kerastutor", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    nb = commands.add_parser("notebooks", help="copy the course notebooks to a directory")
    nb.add_argument("directory", help="where to put the notebooks (created if needed)")
    nb.add_argument("--overwrite", action="store_true", help="replace edited copies without asking")
    lab = commands.add_parser("lab", help="start JupyterLab on the course notebooks")
    lab.add_argument("directory", nargs="?", default=DEFAULT_COURSE_DIR)
    lab.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    commands.add_parser("doctor", help="check the set-up and print fixes")
    args = parser.parse_args(argv)

    if args.command == "notebooks":
        ask = input if sys.stdin.isatty() else _no_tty_answer
        try:
            result = copy_notebooks(args.directory, overwrite=args.overwrite, ask=ask)
        except OSError as exc:
            parser.error(str(exc))
        print(
            f"{len(result['copied'])} copied, {len(result['unchanged'])} already up to date, "
            f"{len(result['kept'])} kept (edited) in {Path(args.directory).resolve()}"
        )
        print(f"Next: kerastutor lab {args.directory}")
        return 0
    if args.command == "lab":
        if not 0 < args.port < 65536:
            parser.error(f"--port must be between 1 and 65535, not {args.port}")
        if not Path(args.directory).exists():
            copy_notebooks(args.directory)
        env = {
            **os.environ,
            "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
            "IPYTHONDIR": str(_quiet_ipython_dir()),
        }
        command = lab_command(args.directory, args.port)
        return subprocess.call(command, env=env)
    checks = doctor()
    return 0 if all(c.ok or not c.required for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
