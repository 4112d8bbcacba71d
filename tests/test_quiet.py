"""The quiet TensorFlow import (kerastutor/_quiet.py): start-up noise dropped, real errors kept.

A fake `tensorflow` package, first on PYTHONPATH, writes TensorFlow's start-up lines and real
messages straight to descriptor 2 (as its C++ side does), then imports, fails or aborts. The
real TensorFlow is checked once too, and every course notebook must import kerastutor before
keras or tensorflow, which is what keeps the notebooks quiet in any front end.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from kerastutor import _quiet

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# What TensorFlow 2.21 (tensorflow-cpu) writes while loading, with TF_CPP_MIN_LOG_LEVEL unset
# (with 3, only the first two), then 2.16's spelling and a CUDA build's on a GPU-less machine.
NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795471446.257767   25424 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.",
    "I0000 00:00:1795471446.349251   25424 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI FMA, in other operations, "
    "rebuild TensorFlow with the appropriate compiler flags.",
    "2024-05-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations "
    "are on. You may see slightly different numerical results.",
    "2024-05-01 12:00:00.223456: I tensorflow/core/platform/cpu_feature_guard.cc:210] This "
    "TensorFlow binary is optimized to use available CPU instructions in performance-critical "
    "operations.",
    "I0000 00:00:1.0 1 cuda_executor.cc:1015] Could not find cuda drivers on your machine, GPU "
    "will not be used.",
    "E0000 00:00:1.0 1 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register "
    "factory for plugin cuDNN when one has already been registered",
    "W0000 00:00:1.0 1 computation_placer.cc:177] computation placer already registered. Please "
    "check linkage and avoid linking the same target more than once.",
    "2024-05-01 12:00:01.0: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT "
    "Warning: Could not find TensorRT",
]
REAL = [
    "E0000 00:00:1.0 1 loader.cc:42] libfake.so: cannot open shared object file",
    "F0000 00:00:1.0 1 cpu_feature_guard.cc:1] The TensorFlow library was compiled to use AVX "
    "instructions, but these aren't available on your machine.",
    "a plain line someone must see",
]


def _write_lines(lines: list[str]) -> str:
    return "".join(f"os.write(2, {(line + chr(10)).encode()!r})\n" for line in lines)


def fake_tensorflow(folder: Path, ending: str = "") -> Path:
    """A `tensorflow` package in `folder` that writes NOISE and REAL to descriptor 2, reports
    TF_CPP_MIN_LOG_LEVEL on stdout, then runs `ending` (raise, abort, ...). Returns `folder`."""
    package = folder / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import os\n"
        "print('TF_CPP_MIN_LOG_LEVEL =', os.environ.get('TF_CPP_MIN_LOG_LEVEL'), flush=True)\n"
        + _write_lines(NOISE[:2] + REAL[:1] + NOISE[2:] + REAL[1:])
        + "__version__ = '0.0-fake'\n"
        + textwrap.dedent(ending)
    )
    return folder


def fake_env(folder: Path, **extra: str) -> dict:
    """The environment of a child Python that finds the fake first, then this kerastutor."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERASTUTOR_QUIET")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(ROOT)])
    env.update(extra)
    return env


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def _assert_filtered(stderr: str) -> None:
    for line in NOISE:
        assert line not in stderr, f"start-up noise leaked: {line[:60]}"
    for line in REAL:
        assert line in stderr, f"a real line was lost: {line[:60]}"


@pytest.mark.parametrize("first", ["tensorflow", "keras"])
def test_noise_dropped_real_lines_kept(tmp_path, first):
    folder = fake_tensorflow(tmp_path)
    (folder / "keras").mkdir()
    (folder / "keras" / "__init__.py").write_text("import tensorflow\n")  # keras loads TF
    result = _run(f"import kerastutor, {first}; print('imported')", fake_env(folder))
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout
    assert "TF_CPP_MIN_LOG_LEVEL = 3" in result.stdout  # the hook's default
    _assert_filtered(result.stderr)
    assert result.stderr.index(REAL[0]) < result.stderr.index(REAL[1])  # order kept


def test_failed_import_shows_its_c_level_message(tmp_path):
    folder = fake_tensorflow(tmp_path, "raise ImportError('DLL load failed: _pywrap_fake')\n")
    result = _run("import kerastutor, tensorflow", fake_env(folder))
    assert result.returncode == 1
    _assert_filtered(result.stderr)
    assert "ImportError: DLL load failed: _pywrap_fake" in result.stderr
    # What C said comes first, then Python's traceback.
    assert result.stderr.index(REAL[0]) < result.stderr.index("Traceback")


def test_aborting_import_shows_the_lines_before_the_abort(tmp_path):
    """TensorFlow's CPU-instruction check writes a fatal line and aborts (exit code 134): the
    line must get out, every time (the filter outlives the aborted process)."""
    folder = fake_tensorflow(tmp_path, "os.abort()\n")
    for _ in range(3):
        result = _run("import kerastutor, tensorflow", fake_env(folder))
        assert result.returncode == -6  # SIGABRT
        _assert_filtered(result.stderr)


def test_a_thread_filters_where_no_process_can_start(tmp_path):
    folder = fake_tensorflow(tmp_path, "raise ImportError('no pywrap')\n")
    code = (
        "import subprocess, kerastutor\n"
        "def refuse(*a, **k): raise OSError('no processes here')\n"
        "subprocess.Popen = refuse\n"
        "import tensorflow\n"
    )
    result = _run(code, fake_env(folder))
    assert result.returncode == 1 and "ImportError: no pywrap" in result.stderr
    _assert_filtered(result.stderr)


@pytest.mark.parametrize("value", ["0", "off", "False"])
def test_switched_off_with_kerastutor_quiet(tmp_path, value):
    folder = fake_tensorflow(tmp_path)
    result = _run("import kerastutor, tensorflow", fake_env(folder, KERASTUTOR_QUIET=value))
    assert result.returncode == 0, result.stderr
    for line in NOISE + REAL:
        assert line in result.stderr  # nothing filtered
    assert "TF_CPP_MIN_LOG_LEVEL = None" in result.stdout  # and the variable left alone


def test_switch_read_when_tensorflow_is_imported(tmp_path):
    folder = fake_tensorflow(tmp_path)
    code = "import os, kerastutor\nos.environ['KERASTUTOR_QUIET'] = '0'\nimport tensorflow\n"
    assert NOISE[0] in _run(code, fake_env(folder)).stderr


def test_real_tensorflow_starts_quietly():
    """TensorFlow itself, with TF_CPP_MIN_LOG_LEVEL unset: no start-up line reaches stderr."""
    env = fake_env(ROOT)  # no fake: ROOT holds no tensorflow package
    result = _run("import kerastutor, tensorflow; print(tensorflow.__version__)", env)
    assert result.returncode == 0 and result.stdout.strip(), result.stderr
    assert result.stderr == ""


def test_is_noise_keeps_everything_else():
    for line in NOISE:
        assert _quiet.is_noise(line.encode()), line
    for line in REAL + [
        "",
        "Traceback (most recent call last):",
        "F0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on.",  # fatal: kept
        "oneDNN custom operations are on.",  # not a TensorFlow log line
    ]:
        assert not _quiet.is_noise(line.encode()), line


def test_forward_passes_lines_as_they_come():
    read_fd, write_fd = os.pipe()
    out_read, out_write = os.pipe()
    os.write(write_fd, (NOISE[0] + "\r\nkept 1\n" + NOISE[1][:20]).encode())
    os.write(write_fd, (NOISE[1][20:] + "\nkept 2, no newline").encode())
    os.close(write_fd)
    _quiet.forward(read_fd, out_write)
    os.close(read_fd)
    os.close(out_write)
    with os.fdopen(out_read, "rb") as f:
        assert f.read() == b"kept 1\nkept 2, no newline"


def _imports(path: Path) -> list[tuple[int, int, str]]:
    """(cell, line, top-level module) of every import in the notebook's code, in order."""
    found = []
    cells = [c for c in nbformat.read(path, 4).cells if c.cell_type == "code"]
    for number, cell in enumerate(cells, 1):
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in cell.source.splitlines()
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [(number, node.lineno, name.split(".")[0]) for name in names]
    return sorted(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_kerastutor_before_tensorflow(path):
    """Only then does `import kerastutor` filter TensorFlow's start-up in any front end.

    ruff's import sorting puts `kerastutor` (first-party) after `keras`, so the notebook needs
    `import kerastutor as kt` in a cell of its own, before the cell importing keras.
    """
    imports = _imports(path)
    heavy = [(cell, line, name) for cell, line, name in imports if name in _quiet._NOISY]
    ours = [(cell, line) for cell, line, name in imports if name == "kerastutor"]
    if heavy:
        cell, line, name = heavy[0]
        assert ours and ours[0] < (cell, line), (
            f"{path.name} imports {name} (code cell {cell}, line {line}) before kerastutor: "
            "put `import kerastutor as kt` in a code cell of its own before it"
        )


def _imports_jax(code: str, **env_vars: str) -> str:
    env = {**os.environ, **env_vars}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()[-1]


@pytest.mark.parametrize("backend", ["tensorflow", "torch"])
def test_tensorflow_does_not_load_jax_for_a_backend_that_is_not_jax(backend, tmp_path):
    """TensorFlow imports JAX whenever it is installed (for TFLite, ~145 MiB a kernel); the
    course's TensorFlow import hides it unless Keras runs on JAX. `import jax` still works."""
    pytest.importorskip("jax")
    if backend == "torch":
        pytest.importorskip("torch")
    code = (
        "import sys, kerastutor, keras, tensorflow\n"
        "loaded = 'jax' in sys.modules\n"
        "import jax\n"
        "print(loaded)\n"
    )
    home = tmp_path / "keras_home"
    assert _imports_jax(code, KERAS_BACKEND=backend, KERAS_HOME=str(home)) == "False"


def test_keras_on_jax_from_its_config_file_still_gets_jax(tmp_path):
    pytest.importorskip("jax")
    home = tmp_path / "keras_home"
    home.mkdir()
    (home / "keras.json").write_text('{"backend": "jax"}')
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    code = "import kerastutor, keras\nprint(keras.backend.backend())\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**env, "KERAS_HOME": str(home)},
        timeout=300,
    )
    assert result.stdout.split()[-1] == "jax", result.stderr[-2000:]
