"""The backend helpers: `%%only_on` runs, skips or fails a cell as documented, seeding does not
load TensorFlow on another backend, and the course keeps its backend-only cells few."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kerastutor import backends

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Issue 14: fewer than 10 cells in the whole course may hold on one backend only.
MAX_ONE_BACKEND_CELLS = 9


@pytest.fixture(scope="module")
def ipython():
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    backends.register_magics()
    return shell


def test_cell_runs_on_its_backend(ipython, capsys):
    result = ipython.run_cell(f"%%only_on {backends.backend()}\nanswer = 6 * 7\nprint(answer)")
    assert result.success
    assert ipython.user_ns["answer"] == 42
    assert "42" in capsys.readouterr().out


def test_cell_is_skipped_elsewhere_with_the_way_to_run_it(ipython, capsys, monkeypatch):
    other = next(name for name in backends.BACKENDS if name != backends.backend())
    ipython.user_ns.pop("skipped", None)
    result = ipython.run_cell(f"%%only_on {other}\nskipped = False")
    assert result.success
    assert "skipped" not in ipython.user_ns
    out = capsys.readouterr().out
    assert out.startswith("Skipped:")
    assert f"--backend {other}" in out and backends.backend() in out


def test_failing_cell_fails(ipython):
    result = ipython.run_cell(f"%%only_on {backends.backend()}\nraise ValueError('boom')")
    assert not result.success


@pytest.mark.parametrize("line", ["", "tensorfloe", "tensorflow pytorch"])
def test_unknown_backend_is_an_error_naming_the_choices(ipython, line, capsys):
    result = ipython.run_cell(f"%%only_on {line}\n1")
    assert not result.success
    assert isinstance(result.error_in_exec, ValueError)
    assert "tensorflow, jax, torch" in str(result.error_in_exec)


@pytest.mark.parametrize("seed", [1.5, "0", True, None])
def test_seed_must_be_an_integer(seed):
    with pytest.raises(ValueError, match="integer"):
        backends.set_random_seed(seed)


def _printed_json(code: str, backend: str):
    """Run `code` in a fresh Python on `backend`; what its last line printed, read as JSON."""
    env = {**os.environ, "KERAS_BACKEND": backend}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_seeding_other_backends_does_not_load_tensorflow(backend):
    code = (
        "import sys, random, numpy as np, kerastutor as kt, keras\n"
        "kt.set_random_seed(5); a = (random.random(), np.random.rand(), "
        "float(keras.ops.convert_to_numpy(keras.random.uniform(()))))\n"
        "kt.set_random_seed(5); b = (random.random(), np.random.rand(), "
        "float(keras.ops.convert_to_numpy(keras.random.uniform(()))))\n"
        "import json; print(json.dumps([a == b, 'tensorflow' in sys.modules]))"
    )
    same, tensorflow_loaded = _printed_json(code, backend)
    assert same
    assert not tensorflow_loaded


def _one_backend_cells() -> list[tuple[str, int]]:
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "code" and "".join(cell["source"]).startswith("%%only_on"):
                found.append((path.name, index))
    return found


def test_few_cells_hold_on_one_backend_only():
    cells = _one_backend_cells()
    assert len(cells) <= MAX_ONE_BACKEND_CELLS, cells


def test_one_backend_cells_say_so_in_the_lesson():
    """The Markdown just before a `%%only_on` cell names the backend it needs."""
    for name, index in _one_backend_cells():
        cells = json.loads((NOTEBOOKS / name).read_text())["cells"]
        wanted = "".join(cells[index]["source"]).splitlines()[0].split()[1:]
        before = next(
            "".join(c["source"]) for c in reversed(cells[:index]) if c["cell_type"] == "markdown"
        )
        names = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
        assert any(names[w] in before for w in wanted), (name, index)


_SAVE_AND_LOAD = """
import json, sys
{first}
import numpy as np
kt.set_random_seed(0)
model = kt.get_compiled_digits_model()
x = np.random.rand(64, 784).astype("float32")
model.fit(x, np.arange(64) % 10, epochs=1, verbose=0)
model.save(sys.argv[1])
again = keras.models.load_model(sys.argv[1])
keras.utils.set_random_seed(1)  # Keras's own seeding too
same = bool(np.allclose(again.predict(x, verbose=0), model.predict(x, verbose=0)))
before = "tensorflow" in sys.modules
import tensorflow  # a learner's tf.data: saving then sees TensorFlow as usual
model.save(sys.argv[1])
print(json.dumps([same, before]))
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
@pytest.mark.parametrize(
    "first", ["import kerastutor as kt\nimport keras", "import keras\nimport kerastutor as kt"]
)
def test_saving_and_seeding_on_other_backends_leave_tensorflow_unloaded(backend, first, tmp_path):
    """Keras's saving and seeding would import TensorFlow (~400 MiB) to ask whether an object
    is a TensorFlow one; with kerastutor imported (before or after keras) they do not, and a
    model still saves and loads."""
    code = _SAVE_AND_LOAD.format(first=first)
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "m.keras")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    same, tensorflow_loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert same
    assert not tensorflow_loaded


# ---------------------------------------------------------------- run_on_backend

#: The lightest backend to start a child on (JAX's `import keras` is the quickest).
CHILD = "jax" if importlib.util.find_spec("jax") else "tensorflow"


def _double(n=1):
    # A function run in the child: it imports what it needs and returns a dict.
    import keras

    return {"double": 2 * n, "backend": keras.backend.backend()}


def test_a_function_runs_on_the_chosen_backend_with_its_measurements():
    result = backends.run_on_backend(CHILD, _double, kwargs={"n": 21}, timeout=300)
    assert result["double"] == 42
    assert result["backend"] == result["keras_backend"] == CHILD
    assert result["seconds"] >= result["import_seconds"] > 0
    if sys.platform != "win32":
        assert 50 < result["import_mib"] <= result["peak_mib"] < 4096


def test_code_that_fails_raises_with_the_childs_error():
    with pytest.raises(backends.BackendRunError, match="exit code 1") as caught:
        backends.run_on_backend(CHILD, "raise ValueError('boom in the child')", timeout=300)
    assert "boom in the child" in str(caught.value)
    assert f"KERAS_BACKEND={CHILD}" in str(caught.value)


def test_code_must_leave_a_dict():
    with pytest.raises(backends.BackendRunError, match="dict in `result`"):
        backends.run_on_backend(CHILD, "result = [1, 2]", timeout=300)


def test_a_child_that_runs_too_long_is_stopped_not_waited_for():
    start = time.perf_counter()
    with pytest.raises(backends.BackendRunError, match="did not finish within 3 s") as caught:
        backends.run_on_backend(CHILD, "import time\ntime.sleep(600)\nresult = {}", timeout=3)
    assert time.perf_counter() - start < 60
    assert "timeout=" in str(caught.value)


def test_a_missing_backend_names_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "jax" else real(name, *a)
    )
    with pytest.raises(backends.BackendRunError, match=r"pip install \"kerastutor\[jax\]\""):
        backends.run_on_backend("jax", "result = {}")


def test_an_unknown_backend_names_the_choices():
    with pytest.raises(ValueError, match="tensorflow, jax, torch"):
        backends.run_on_backend("pytorch", "result = {}")


def test_a_function_without_source_is_refused_with_the_fix():
    with pytest.raises(backends.BackendRunError, match="define it with `def`"):
        backends.run_on_backend(CHILD, eval("lambda: {}"))
    with pytest.raises(backends.BackendRunError, match="kwargs= goes to a function"):
        backends.run_on_backend(CHILD, "result = {}", kwargs={"n": 1})


def test_the_childs_memory_is_its_own_not_its_parents():
    """A child of a big process reports its own peak (Linux's ru_maxrss would not)."""
    ballast = bytearray(800 * 1024 * 1024)  # this process: at least 800 MiB more
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: really resident
    result = backends.run_on_backend(CHILD, "result = {}", timeout=300)
    del ballast
    assert result["peak_mib"] < 700, result


def test_the_backends_benchmark_reports_every_notebook_and_backend():
    """benchmarks/backends.py's table: a row per notebook, a time and a memory column per
    backend, a failed run marked, the course total per backend."""
    spec = importlib.util.spec_from_file_location(
        "_bench_backends", NOTEBOOKS.parent / "benchmarks" / "backends.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = [
        {
            "notebook": "a.ipynb",
            "backend": "tensorflow",
            "seconds": 20.0,
            "peak_mib": 800,
            "error": "",
            "within budget": True,
        },
        {
            "notebook": "b.ipynb",
            "backend": "tensorflow",
            "seconds": 70.0,
            "peak_mib": 700,
            "error": "",
            "within budget": False,
        },
        {
            "notebook": "a.ipynb",
            "backend": "jax",
            "seconds": 10.0,
            "peak_mib": 500,
            "error": "",
            "within budget": True,
        },
        {
            "notebook": "b.ipynb",
            "backend": "jax",
            "seconds": None,
            "peak_mib": None,
            "error": "CellExecutionError: boom",
            "within budget": False,
        },
    ]
    table = bench.report(rows, ["tensorflow", "jax"])
    assert "| notebook | tensorflow (s) | tensorflow (MiB) | jax (s) | jax (MiB) |" in table
    assert "| a.ipynb | 20.0 | 800 | 10.0 | 500 | yes |" in table
    assert (
        "| b.ipynb | 70.0 | 700 | failed |  | NO (tensorflow; jax: CellExecutionError: boom) |"
        in table
    )
    assert "| 90.0 | 800 | 10.0 (some failed) | 500 | NO |" in table
    assert "cores" in table  # the machine line


@pytest.mark.parametrize("omp, expected", [(None, 1), ("2", 2)])
def test_torch_backend_runs_one_thread_unless_told_otherwise(omp, expected):
    code = "import kerastutor, keras, torch; print(torch.get_num_threads())"
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    env.pop("OMP_NUM_THREADS", None)
    if omp:
        env["OMP_NUM_THREADS"] = omp
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) == expected


def test_clear_session_also_drops_jaxs_compiled_programs():
    # keras.backend.clear_session() leaves JAX's cache of compiled programs as it is; a kernel
    # that builds many models keeps every model's compiled steps unless they are dropped.
    code = (
        "import json, jax, keras, kerastutor as kt\n"
        "step = jax.jit(lambda x: x + 1); step(1)\n"
        "keras.backend.clear_session(); after_keras = step._cache_size()\n"
        "kt.clear_session(); after_kt = step._cache_size()\n"
        "print(json.dumps([after_keras, after_kt, int(step(1))]))"
    )
    after_keras, after_kt, result = _printed_json(code, "jax")
    assert (after_keras, after_kt) == (1, 0)
    assert result == 2  # the function still works: it compiles again


def test_clear_session_resets_keras_and_works_without_glibc(monkeypatch):
    import ctypes

    import keras

    def no_glibc(name, *args, **kwargs):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_glibc)  # as on musl, macOS or Windows
    keras.layers.Dense(1)
    backends.clear_session()
    assert keras.layers.Dense(1).name == "dense"


def test_a_failed_notebook_names_the_line_that_failed():
    # A bare `assert` has no message: without its line, "AssertionError:" says nothing.
    spec = importlib.util.spec_from_file_location(
        "_bench_backends", NOTEBOOKS.parent / "benchmarks" / "backends.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text = (
        "An error occurred while executing the following cell:\n"
        "assert seconds[32] < seconds[1]\n"
        "\x1b[31m---------------------------------------------------------------\x1b[39m\n"
        "\x1b[31mAssertionError\x1b[39m    Traceback (most recent call last)\n"
        "\x1b[32m---> \x1b[39m\x1b[32m14\x1b[39m \x1b[38;5;28;01massert\x1b[39;00m seconds[32] < "
        "seconds[1]  # fewer trips to Python\n"
        "\n\x1b[31mAssertionError\x1b[39m: \n"
    )
    summary = bench.failure(RuntimeError(text))
    assert summary.startswith("RuntimeError: AssertionError:")
    assert "cell line 14: assert seconds[32] < seconds[1]" in summary
    assert bench.failure(ValueError("")) == "ValueError: "
