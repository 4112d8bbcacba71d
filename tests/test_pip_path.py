"""The pip path, as the README documents it: build the wheel, install it with `[lab]` into a
fresh virtual environment, then `kerastutor notebooks`, `doctor` and `lab` work from it (issue
13, item 1)."""

import os
import re
import shutil
import signal
import subprocess
import time
import venv
from pathlib import Path

from tests.test_lab_signals import TOKEN, _api, _free_port

ROOT = Path(__file__).resolve().parents[1]


def _documented(pattern: str) -> str:
    """The README's command matching `pattern` (so the test runs what a reader would)."""
    found = re.search(pattern, (ROOT / "README.md").read_text())
    assert found, f"the README no longer documents {pattern!r}"
    return found.group(1)


def test_a_wheel_installed_as_documented_gives_a_working_kerastutor(tmp_path):
    build = _documented(r"build a wheel with `(pip wheel [^`]+)`")
    install = _documented(r"and run\s+`(pip install \"dist/[^`]+\[lab\]\")`")
    assert build == "pip wheel --no-deps -w dist ."

    repo = tmp_path / "repo"  # a clean copy, so the build never writes into the checkout
    shutil.copytree(
        ROOT,
        repo,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "*.egg-info",
            "__pycache__",
            "build",
            "dist",
            "kerastutor-course",
            "test-artifacts",
        ),
    )
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"  # `pip` and `kerastutor` of the venv
    env["KERASTUTOR_HOME"] = str(tmp_path / "home")

    def run(command: str, timeout: float = 1800) -> subprocess.CompletedProcess:
        return subprocess.run(
            command,
            shell=True,
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    built = run(f"{bin_dir}/python -m {build}")
    assert built.returncode == 0, built.stderr[-2000:]
    assert [p.name for p in (repo / "dist").iterdir()] == ["kerastutor-0.1.0-py3-none-any.whl"]
    installed = run(f"{bin_dir}/python -m {install} --quiet")
    assert installed.returncode == 0, installed.stderr[-3000:]

    course = tmp_path / "course"
    copied = run(f"kerastutor notebooks {course}")
    shipped = len(list((ROOT / "notebooks").glob("*.ipynb")))  # the chapters and the glossary
    assert copied.returncode == 0 and f"{shipped} copied" in copied.stdout, copied.stderr
    doctor = run("kerastutor doctor", timeout=300)
    assert "JupyterLab" in doctor.stdout and "FAIL" not in doctor.stdout.split("JupyterLab")[1]
    assert doctor.returncode == 0, doctor.stdout

    port = _free_port()
    lab = subprocess.Popen(
        [str(bin_dir / "kerastutor"), "lab", str(course), "--port", str(port)],
        env={**env, "JUPYTER_TOKEN": TOKEN, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status = _api(port, "/api/status")
                break
            except OSError:
                assert lab.poll() is None, lab.communicate()[1][-2000:]
                assert time.monotonic() < deadline, "JupyterLab did not answer /api/status"
                time.sleep(0.5)
        assert "started" in status
        contents = _api(port, "/api/contents")
        assert "00_start_here.ipynb" in {item["name"] for item in contents["content"]}
    finally:
        os.kill(lab.pid, signal.SIGTERM)
        lab.communicate(timeout=90)
