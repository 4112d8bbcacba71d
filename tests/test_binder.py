"""Binder: repo2docker reads our configuration as intended, and that configuration, built into
a fresh virtual environment, runs a course notebook.

No Docker daemon is needed: `repo2docker --no-build` renders the Dockerfile, and its Python API
reports the chosen build pack, Python version and scripts.
"""

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
repo2docker = pytest.importorskip("repo2docker", reason="pip install jupyter-repo2docker")


@pytest.fixture(scope="module")
def picked_buildpack():
    from repo2docker.app import Repo2Docker

    app = Repo2Docker()
    old = os.getcwd()
    os.chdir(ROOT)  # build packs detect files relative to the working directory
    try:
        for buildpack_class in app.buildpacks:
            buildpack = buildpack_class(base_image=app.base_image)
            if buildpack.detect():
                buildpack.platform = "linux/amd64"
                yield buildpack, buildpack.render()
                return
        pytest.fail("no repo2docker build pack recognised the repository")
    finally:
        os.chdir(old)


def test_python_build_pack_with_pinned_python(picked_buildpack):
    buildpack, _ = picked_buildpack
    assert type(buildpack).__name__ == "PythonBuildPack"
    assert buildpack.python_version == "3.11"


def test_rendered_dockerfile_installs_the_course(picked_buildpack):
    buildpack, dockerfile = picked_buildpack
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "graphviz" in dockerfile  # binder/apt.txt: model drawings in chapter 7
    assert "fonts-noto-cjk" in dockerfile  # and Chinese plot titles in the Chinese edition
    assert "./binder/postBuild" in dockerfile  # the CPU build of torch
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    requirements = (ROOT / "binder" / "requirements.txt").read_text().split()
    # The package itself (tensorflow-cpu on Linux x86_64), with the optional JAX backend.
    assert ".[jax]" in requirements


def test_repo2docker_command_accepts_the_repository():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "repo2docker",
            "--no-build",
            "--debug",
            "--user-id",
            "1000",
            "--user-name",
            "jovyan",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "FROM " in result.stdout + result.stderr


def test_start_script_sets_the_kernel_environment(tmp_path):
    """binder/start gives kernels the environment `kerastutor lab` uses (one definition,
    kerastutor.cli.KERNEL_ENV, via `kerastutor env`), then runs its arguments."""
    from kerastutor.cli import KERNEL_ENV

    assert os.access(ROOT / "binder" / "start", os.X_OK)
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV and k != "IPYTHONDIR"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # `kerastutor`
    env["KERASTUTOR_HOME"] = str(tmp_path)
    result = subprocess.run(
        [str(ROOT / "binder" / "start"), "env"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    started = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for name, value in KERNEL_ENV.items():
        assert started[name] == value
    assert started["IPYTHONDIR"] == str(tmp_path / "ipython")
    startup = tmp_path / "ipython" / "profile_default" / "startup" / "00-kerastutor-quiet.py"
    assert "_quiet.install()" in startup.read_text()
    for duplicate in ("TF_CPP_MIN_LOG_LEVEL=", "MALLOC_ARENA_MAX=", "KERASTUTOR_OFFLINE="):
        assert duplicate not in (ROOT / "binder" / "start").read_text()  # defined once


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="binder/runtime.txt pins Python 3.11")
def test_binder_environment_runs_a_notebook(tmp_path):
    """Build a fresh venv the way the Binder config says, execute chapter 5 in it, and use the
    `kerastutor` command of that (non-editable) install."""
    repo = tmp_path / "repo"
    shutil.copytree(
        ROOT, repo, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__")
    )
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {**os.environ, "TORCH_INDEX_URL": ""}  # torch 2.13.0 from pip's configured sources
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"  # as if the venv were the image's
    env.pop("PYTHONPATH", None)

    def run(*command):
        return subprocess.run(
            command, cwd=repo, env=env, check=True, capture_output=True, text=True, timeout=1800
        )

    # What repo2docker runs: the requirements, then postBuild (the base image brings ipykernel).
    run(str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt")
    run(str(python), "-m", "pip", "install", "--quiet", "ipykernel", "nbclient")
    run("./binder/postBuild")
    kernels = env_dir / "share" / "jupyter" / "kernels"  # Kernel > Change Kernel: a backend each
    for name, backend in [("keras-jax", "jax"), ("keras-torch", "torch")]:
        spec = json.loads((kernels / name / "kernel.json").read_text())
        assert spec["env"]["KERAS_BACKEND"] == backend
    script = tmp_path / "execute.py"
    script.write_text(
        "import nbformat, nbclient\n"
        "nb = nbformat.read('notebooks/05_data_pipelines.ipynb', 4)\n"
        "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3').execute()\n"
        "print('executed', sum(c.cell_type == 'code' for c in nb.cells), 'code cells')\n"
    )
    result = run("./binder/start", str(python), str(script))
    assert "executed" in result.stdout
    # The same installed package is what a pip user gets: the command works from it.
    course = tmp_path / "course"
    copied = run(str(env_dir / "bin" / "kerastutor"), "notebooks", str(course))
    shipped = len(list((ROOT / "notebooks").glob("*.ipynb")))  # the chapters and the glossary
    assert f"{shipped} copied" in copied.stdout and (course / "00_start_here.ipynb").exists()
    # The wheel ships the Chinese edition and the compiled messages of kt.set_language("zh").
    chinese = run(
        str(python),
        "-I",  # the installed package, not the checkout in the working directory
        "-c",
        "import kerastutor as kt, kerastutor.editions as e; kt.set_language('zh'); "
        "print(kt.gettext('Right.'), [p.parent.name for p in e.edition_notebooks('zh')][0])",
    )
    assert chinese.stdout.split() == ["正确。", "zh"]
    doctor = run(str(env_dir / "bin" / "kerastutor"), "doctor")
    assert "All set." in doctor.stdout
