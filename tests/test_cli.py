"""The kerastutor command and doctor(): notebooks shipped in the package, copied safely; doctor
on a broken TensorFlow; one MNIST source resolution; one kernel environment for every launcher."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kerastutor as kt
from kerastutor import cli
from tests.test_data import _write_mnist
from tests.test_quiet import fake_env, fake_tensorflow

ROOT = Path(__file__).resolve().parents[1]


def test_course_notebooks_ship_in_the_package():
    names = [p.name for p in kt.course_notebooks()]
    assert names[0] == "00_start_here.ipynb" and "10_save_load_predict.ipynb" in names
    assert names == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert "glossary.ipynb" in names and len(names) >= 12  # the chapters and the glossary


def test_copy_then_keep_edits(tmp_path):
    first = kt.copy_notebooks(tmp_path / "course")
    total = len(kt.course_notebooks())  # the chapters and the glossary
    assert len(first["copied"]) == total >= 12
    edited = tmp_path / "course" / "01_quickstart.ipynb"
    edited.write_text(edited.read_text().replace("Quickstart", "My notes"))
    second = kt.copy_notebooks(tmp_path / "course", ask=lambda prompt: "n")
    assert second["kept"] == ["01_quickstart.ipynb"] and len(second["unchanged"]) == total - 1
    assert "My notes" in edited.read_text()
    third = kt.copy_notebooks(tmp_path / "course", ask=lambda prompt: "y")
    assert third["copied"] == ["01_quickstart.ipynb"] and "My notes" not in edited.read_text()


def test_copy_refuses_a_file_as_target(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        kt.copy_notebooks(target)


def test_doctor_reports_each_check(capsys):
    import keras

    checks = kt.doctor()
    out = capsys.readouterr().out
    names = [c.name for c in checks]
    for expected in ("Python", "TensorFlow", "Keras", "Keras backend", "MNIST", "running on"):
        assert expected in names
    assert "JAX (optional backend)" in names and "free memory" in names
    assert all(c.ok for c in checks if c.required), out
    assert out.count("[OK  ]") >= 5 and "All set." in out
    # The backend in use, and how to switch it, printed even on an OK line.
    backend = checks[names.index("Keras backend")]
    assert backend.detail.startswith(keras.backend.backend())
    assert "KERAS_BACKEND" in backend.note and "keras.json" in backend.note
    assert "switch: `kerastutor lab --backend jax`" in out


def test_doctor_gives_a_fix_for_a_problem(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KERASTUTOR_MNIST_DIR", str(tmp_path))
    checks = kt.doctor()
    mnist = next(c for c in checks if c.name == "MNIST")
    assert not mnist.ok and "unset KERASTUTOR_MNIST_DIR" in mnist.fix
    assert "fix: put mnist.npz there" in capsys.readouterr().out


def test_command_help_and_bad_arguments():
    run = [sys.executable, "-m", "kerastutor.cli"]
    for args in ([], ["nonsense"]):
        result = subprocess.run(run + args, capture_output=True, text=True)
        assert result.returncode == 2 and "usage: kerastutor" in result.stderr
    for sub in ("notebooks", "lab", "env", "doctor"):
        result = subprocess.run(run + [sub, "--help"], capture_output=True, text=True)
        assert result.returncode == 0 and f"kerastutor {sub}" in result.stdout
    result = subprocess.run(run + ["lab", "--port", "99999"], capture_output=True, text=True)
    assert result.returncode == 2 and "--port must be between 1 and 65535" in result.stderr


def test_notebooks_command_without_a_terminal_keeps_edits(tmp_path):
    run = [sys.executable, "-m", "kerastutor.cli", "notebooks", str(tmp_path)]
    shipped = len(list((ROOT / "notebooks").glob("*.ipynb")))
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert f"{shipped} copied" in out
    (tmp_path / "02_fit_evaluate_predict.ipynb").write_text("{}")
    out = subprocess.run(run, capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    assert "1 kept" in out and (tmp_path / "02_fit_evaluate_predict.ipynb").read_text() == "{}"


def test_check_line_format():
    line = str(cli.Check("graphviz", False, "missing", "apt-get install graphviz", required=False))
    assert line.startswith("[WARN] graphviz: missing") and "fix: apt-get install graphviz" in line


def test_lab_kernels_get_the_quiet_start_up_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASTUTOR_HOME", str(tmp_path))
    folder = cli._quiet_ipython_dir()
    startup = folder / "profile_default" / "startup" / "00-kerastutor-quiet.py"
    assert startup.read_text() == cli.QUIET_STARTUP and "_quiet.install()" in cli.QUIET_STARTUP
    exec(compile(cli.QUIET_STARTUP, "startup", "exec"), {})  # runs as a kernel would run it


# --- doctor and the Keras backend ----------------------------------------------------------


def test_the_backend_chosen_in_keras_json_is_named_with_its_file(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert cli._backend_wanted() == ("tensorflow", "the default")
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert cli._backend_wanted() == ("jax", f"from {tmp_path / 'keras.json'}")
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # the variable wins, as in Keras
    assert cli._backend_wanted() == ("torch", "set by KERAS_BACKEND")


def test_a_kernel_started_on_another_backend_is_told_to_restart(monkeypatch):
    import keras

    in_use = keras.backend.backend()
    other = "jax" if in_use != "jax" else "torch"
    monkeypatch.setenv("KERAS_BACKEND", other)  # set after keras was imported: too late
    check = cli._backend_check(cli._Loaded(tensorflow="2.x", keras=("3.x", in_use)))
    assert check.ok and check.detail.startswith(f"{in_use}, in use here")
    assert f"a new kernel would start on {other}" in check.detail and "restart" in check.detail


def test_a_backend_the_course_does_not_run_on_is_a_failure(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "numpy")
    check = cli._backend_check(cli._Loaded(tensorflow="2.x", keras=("3.x", "numpy")))
    assert not check.ok and "tensorflow, jax, torch" in check.fix
    failed = "ValueError: Unable to import backend : jaxx"
    monkeypatch.setenv("KERAS_BACKEND", "jaxx")
    check = cli._backend_check(cli._Loaded(tensorflow="2.x"), failed)
    assert not check.ok and "does not load" in check.detail and "use one of" in check.fix


def test_doctor_says_to_install_jax_when_keras_is_set_to_it_without_it(tmp_path):
    """TensorFlow imports Keras, so a backend that cannot load used to fail the TensorFlow line
    ('TensorFlow does not import'). TensorFlow is now tried on its own, and the backend line
    says what to install."""
    hidden = tmp_path / "no_jax" / "jax"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'jax'\", name='jax')\n"
    )
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "PYTHONPATH": os.pathsep.join([str(hidden.parent), str(ROOT)]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "kerastutor.cli", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert any(line.startswith("[OK  ] TensorFlow") for line in lines), result.stdout
    at = next(i for i, line in enumerate(lines) if line.startswith("[FAIL] Keras backend: jax"))
    assert "No module named 'jax'" in lines[at]
    fix = "fix: pip install 'kerastutor[jax]', or unset KERAS_BACKEND for TensorFlow"
    assert lines[at + 1].strip() == fix


# --- doctor on a broken TensorFlow ---------------------------------------------------------


def test_doctor_reports_a_tensorflow_that_fails_to_import(tmp_path):
    """`kerastutor doctor` used to crash with the ImportError; now it is a FAIL with a fix."""
    folder = fake_tensorflow(tmp_path, "raise ImportError('DLL load failed: _pywrap_fake')\n")
    result = subprocess.run(
        [sys.executable, "-m", "kerastutor.cli", "doctor"],
        env=fake_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    tf_line = next(i for i, line in enumerate(lines) if line.startswith("[FAIL] TensorFlow"))
    assert "does not import" in lines[tf_line] and "DLL load failed" in lines[tf_line]
    assert "libfake.so: cannot open shared object file" in lines[tf_line]  # C's message too
    assert "oneDNN" not in result.stdout  # but not TensorFlow's start-up noise
    assert lines[tf_line + 1].strip().startswith("fix: reinstall it")
    assert any(line.startswith("[FAIL] Keras") and "needs TensorFlow" in line for line in lines)
    assert "problem(s) to fix" in result.stdout


def test_doctor_survives_a_tensorflow_that_aborts_python(tmp_path):
    """TensorFlow's CPU-instruction check aborts the process: doctor() reports it instead of
    dying with it (the import is tried in a child process)."""
    folder = fake_tensorflow(tmp_path, "os.abort()\n")
    code = (
        "import kerastutor as kt\n"
        "checks = {c.name: c for c in kt.doctor(verbose=False)}\n"
        "print(checks['TensorFlow'])\n"
        "print('still alive')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=fake_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "[FAIL] TensorFlow" in result.stdout and "killed Python (SIGABRT)" in result.stdout
    assert "compiled to use AVX instructions" in result.stdout
    assert "this CPU lacks instructions" in result.stdout and "still alive" in result.stdout


# --- one MNIST source resolution, shared with load_mnist ------------------------------------


def test_doctor_and_load_mnist_agree_on_a_home_relative_directory(tmp_path, monkeypatch):
    """KERASTUTOR_MNIST_DIR=~/... : load_mnist expanded `~`, doctor did not and said FAIL."""
    monkeypatch.setenv("HOME", str(tmp_path))
    _write_mnist(tmp_path / "mnist" / "mnist.npz", n_train=30)
    monkeypatch.setenv("KERASTUTOR_MNIST_DIR", "~/mnist")
    check = cli._mnist_source()
    assert check.ok, check
    assert str(tmp_path / "mnist" / "mnist.npz") in check.detail
    (x_train, _), _ = kt.load_mnist(verbose=False)
    assert len(x_train) == 30 and kt.mnist_info().path == str(tmp_path / "mnist" / "mnist.npz")


def test_doctor_reads_the_mnist_file_that_load_mnist_would_read():
    from kerastutor import data

    path = data._keras_cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage")
    check = cli._mnist_source()
    assert not check.ok and str(path) in check.detail and str(path) in check.fix
    with pytest.raises(kt.MnistFileError):
        kt.load_mnist(verbose=False)


# --- one kernel environment ----------------------------------------------------------------


def test_env_command_prints_the_kernel_environment(tmp_path, monkeypatch):
    home = tmp_path / "a home with spaces"
    env = {k: v for k, v in os.environ.items() if k not in cli.KERNEL_ENV}
    env.update(KERASTUTOR_HOME=str(home), MALLOC_ARENA_MAX="4")  # a value already set wins
    shown = subprocess.run(
        ["bash", "-c", f'eval "$({sys.executable} -m kerastutor.cli env)" && env'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
    assert seen["TF_CPP_MIN_LOG_LEVEL"] == "3" and seen["KERASTUTOR_OFFLINE"] == "1"
    assert seen["MALLOC_ARENA_MAX"] == "4"
    assert seen["IPYTHONDIR"] == str(home / "ipython")
    assert (home / "ipython" / "profile_default" / "startup" / "00-kerastutor-quiet.py").exists()


def test_lab_starts_kernels_in_the_kernel_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASTUTOR_HOME", str(tmp_path / "home"))
    for name in cli.KERNEL_ENV:
        monkeypatch.delenv(name, raising=False)
    started = {}
    monkeypatch.setattr(
        cli, "_run_in_foreground", lambda command, env: started.update(command=command, env=env)
    )
    cli.main(["lab", str(tmp_path / "course"), "--port", "9999"])
    for name, value in cli.KERNEL_ENV.items():
        assert started["env"][name] == value
    assert started["env"]["IPYTHONDIR"] == str(tmp_path / "home" / "ipython")
    assert "--ServerApp.port=9999" in started["command"]


@pytest.mark.parametrize("backend", ["jax", "torch", "tensorflow"])
def test_lab_backend_option_sets_the_kernels_backend(tmp_path, monkeypatch, capsys, backend):
    monkeypatch.setenv("KERASTUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_BACKEND", "not-this-one")
    started = {}
    monkeypatch.setattr(
        cli, "_run_in_foreground", lambda command, env: started.update(command=command, env=env)
    )
    cli.main(["lab", str(tmp_path / "course"), "--backend", backend])
    assert started["env"]["KERAS_BACKEND"] == backend
    assert f"KERAS_BACKEND={backend}" in capsys.readouterr().out


def test_lab_refuses_an_unknown_backend_naming_the_choices(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_run_in_foreground", lambda command, env: pytest.fail("started"))
    with pytest.raises(SystemExit):
        cli.main(["lab", str(tmp_path / "course"), "--backend", "pytorch"])
    assert "choose from 'tensorflow', 'jax', 'torch'" in capsys.readouterr().err


def test_ctrl_c_is_left_to_jupyterlab():
    """Ctrl-C in the terminal reaches the whole process group. `kerastutor lab` (and so
    `make lab`) must leave it to JupyterLab, which asks and then shuts down its kernels, rather
    than kill the server and print a traceback."""
    server = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *a: sys.exit(7))  # as JupyterLab: a clean stop\n"
        "os.killpg(0, signal.SIGINT)  # the terminal's Ctrl-C\n"
        "time.sleep(30)\n"
    )
    code = (
        "import sys\n"
        "from kerastutor.cli import _run_in_foreground\n"
        f"print('exit', _run_in_foreground([sys.executable, '-c', {server!r}], env=None))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # the Ctrl-C stays inside this test's process group
    )
    assert result.stdout.strip() == "exit 7", result.stderr
    assert "KeyboardInterrupt" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_calls_kerastutor_lab_and_sets_nothing_itself():
    """`make lab` serves a working copy through `kerastutor lab`; no target sets a kernel
    variable by hand."""
    # A make started by `make test` inherits MAKELEVEL/MAKEFLAGS and would print
    # "Entering directory" lines: run this one as if from a shell.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab", "STAMP=", "PORT=8899"],  # -n: print only
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.strip()
    assert dry_run.splitlines() == [
        ".venv/bin/kerastutor notebooks kerastutor-course --keep",
        ".venv/bin/kerastutor lab kerastutor-course --port 8899",
    ]
    makefile = (ROOT / "Makefile").read_text()
    for name in [*cli.KERNEL_ENV, "IPYTHONDIR"]:
        assert name not in makefile
    assert "kerastutor env" in makefile


# ---------------------------------------------------------------- the pip path (issue 13)


def test_lab_without_jupyterlab_says_what_to_install(monkeypatch, capsys, tmp_path):
    import importlib.util

    from kerastutor import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "jupyterlab" else real(name)
    )
    assert cli.main(["lab", str(tmp_path / "course")]) == 2
    assert "pip install 'kerastutor[lab]'" in capsys.readouterr().err


def test_lab_fills_an_existing_empty_folder(monkeypatch, tmp_path):
    from kerastutor import cli

    started = []

    def run(command, env):
        started.append(command)
        return 0

    monkeypatch.setattr(cli, "_run_in_foreground", run)
    folder = tmp_path / "empty"
    folder.mkdir()
    assert cli.main(["lab", str(folder)]) == 0
    assert len(list(folder.glob("*.ipynb"))) == len(cli.course_notebooks())
    assert any(f"--ServerApp.root_dir={folder}" == part for part in started[0])


def test_doctor_reports_jupyterlab():
    import kerastutor as kt

    names = [check.name for check in kt.doctor(verbose=False)]
    assert "JupyterLab (for `kerastutor lab`)" in names


def test_make_lab_working_copy_keeps_edits_and_leaves_notebooks_canonical(tmp_path):
    """What `make lab` runs, twice, with a learner's saved (executed) notebook in between:
    the edit survives, a deleted chapter comes back, and `notebooks/` is untouched."""
    import nbformat

    before = {p.name: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")}
    course = tmp_path / "kerastutor-course"
    command = [sys.executable, "-m", "kerastutor.cli", "notebooks", str(course), "--keep"]
    subprocess.run(command, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    saved = course / "01_quickstart.ipynb"
    nb = nbformat.read(saved, as_version=4)
    nb.cells[0].source += "\n\nMy notes."
    nb.cells[1]["outputs"] = [nbformat.v4.new_output("stream", text="ran\n")]
    nbformat.write(nb, saved)
    edited = saved.read_bytes()
    (course / "02_fit_evaluate_predict.ipynb").unlink()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    assert "1 kept" in result.stdout
    assert saved.read_bytes() == edited
    assert (course / "02_fit_evaluate_predict.ipynb").exists()
    assert {p.name: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")} == before
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "kerastutor-course/01_quickstart.ipynb"], cwd=ROOT
    )
    assert ignored.returncode == 0, "the working copy must be gitignored"


def test_backend_kernels_set_keras_backend(tmp_path):
    folders = cli.install_backend_kernels(prefix=str(tmp_path))
    specs = {}
    for folder in folders:
        spec = json.loads((Path(folder) / "kernel.json").read_text())
        specs[spec["env"]["KERAS_BACKEND"]] = spec
    assert set(specs) == {"tensorflow", "jax", "torch"}  # all three are installed here
    assert specs["jax"]["display_name"] == "Python 3 (Keras on JAX)"
    assert specs["torch"]["argv"][0] == sys.executable
    kernels = tmp_path / "share" / "jupyter" / "kernels"
    assert sorted(p.name for p in kernels.iterdir()) == [
        "keras-jax",
        "keras-tensorflow",
        "keras-torch",
    ]


def test_a_backend_kernel_runs_keras_on_its_backend(tmp_path, monkeypatch):
    """Started as Jupyter starts it (its kernel.json's argv and env), the JAX kernel's Keras
    runs on JAX."""
    from jupyter_client.manager import start_new_kernel

    cli.install_backend_kernels(prefix=str(tmp_path))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    manager, client = start_new_kernel(kernel_name="keras-jax", startup_timeout=120)
    try:
        reply = client.execute_interactive(
            "import keras; print(keras.backend.backend())", timeout=120, output_hook=_collect
        )
        assert reply["content"]["status"] == "ok"
        assert _collected[-1].strip() == "jax"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


_collected: list[str] = []


def _collect(message):
    if message["msg_type"] == "stream":
        _collected.append(message["content"]["text"])


def test_notebooks_lang_zh_copies_the_chinese_edition(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kerastutor.cli", "notebooks", str(tmp_path / "zh"), "--lang", "zh"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    first = (tmp_path / "zh" / "00_start_here.ipynb").read_text(encoding="utf-8")
    assert "kt.set_language" in first
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first)  # Chinese prose
    chapters = {p.name for p in kt.course_notebooks() if p.name[:2].isdigit()}
    copied = {p.name for p in (tmp_path / "zh").glob("*.ipynb")}
    assert chapters <= copied  # every chapter, in Chinese or (not yet) in English
    assert "00_术语表.ipynb" in copied  # the glossary, in place of the English one
    if "Not translated yet" in done.stdout:
        assert "in English:" in done.stdout
