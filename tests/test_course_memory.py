"""A whole course in Binder's 2 GB (issue 13, item 4): a learner opens chapters 00 to 11 in
turn in one JupyterLab, runs each, and closes nothing. The server and all its kernels together
must stay under 2 GiB, sampled throughout (proportional set sizes: a page shared by several
processes, such as TensorFlow's library in every kernel, counts once, as the cgroup counts it).
It holds on each Keras backend (issue 14): every kernel of the server runs on it.

JupyterLab runs as `kerastutor lab` runs it (the course's kernel and server environment, so the
course's kernel manager), with Binder's `MEM_LIMIT` set to 2 GiB.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from kerastutor.backends import BACKENDS
from kerastutor.cli import kernel_env, lab_command, server_env
from tests.test_browser import (
    ALL_RAN,
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL_IDLE,
    NOTEBOOKS,
    OUTPUTS,
    RUN_ALL,
    _free_port,
    _js,
    playwright_api,
)

pytestmark = pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc")

LIMIT = 2 * 2**30  # Binder's memory limit
# The chapters a learner runs, 00 to 11 (the glossary has no code to run).
CHAPTERS = [path for path in NOTEBOOKS if path.name[:2].isdigit()]


def _kernel_backends(pid: int) -> set[str]:
    """KERAS_BACKEND as each Jupyter kernel under `pid` was started with ("(unset)" if not)."""
    from kerastutor.kernels import _tree

    found = set()
    for child in _tree(pid):
        try:
            if b"ipykernel" not in Path(f"/proc/{child}/cmdline").read_bytes():
                continue
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        except OSError:  # gone already
            continue
        values = [e.split(b"=", 1)[1].decode() for e in environ if e.startswith(b"KERAS_BACKEND=")]
        found.add(values[0] if values else "(unset)")
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_learner_runs_the_whole_course_in_2_gib(tmp_path, backend):
    from kerastutor.kernels import tree_rss

    served = tmp_path / "course"
    shutil.copytree(Path(NOTEBOOKS[0]).parent, served)
    env = dict(os.environ)
    for name in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_SETTINGS_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
    ):
        env[name] = str(tmp_path / name.lower())
    env.pop("JUPYTER_CONFIG_PATH", None)
    env.update(
        kernel_env(env),
        **server_env({}),
        MEM_LIMIT=str(LIMIT),
        KERAS_BACKEND=backend,  # as `kerastutor lab --backend` sets it
        KERASTUTOR_HOME=str(tmp_path / "home"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    command = lab_command(
        served,
        port,
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
    )
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    peak = {"bytes": 0, "when": ""}
    stop_sampling = threading.Event()
    current = {"notebook": "(starting)"}

    kernel_backends = set()  # what every kernel really ran on

    def sample():
        while not stop_sampling.wait(0.25):
            used = tree_rss(server.pid)
            if used > peak["bytes"]:
                peak.update(bytes=used, when=current["notebook"])
            kernel_backends.update(_kernel_backends(server.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.5)
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            pages = []  # every chapter stays open, as a learner leaves its tab
            for path in CHAPTERS:
                current["notebook"] = path.name
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(f"{url}/lab/tree/{path.name}?reset&token={token}")
                page.wait_for_function(_js(KERNEL_IDLE), arg=path.name, timeout=180_000)
                page.evaluate(_js(RUN_ALL), path.name)
                page.wait_for_function(_js(ALL_RAN), arg=path.name, timeout=600_000, polling=1000)
                errors = page.evaluate(_js(OUTPUTS), path.name)["errors"]
                assert errors == [], f"{path.name} failed on {backend}: {errors}"
                pages.append(page)
            browser.close()
    finally:
        stop_sampling.set()
        sampler.join()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    log = log_path.read_text()
    made_room = len(re.findall(r"Shutting down kernel \S+ \(least recently used", log))
    print(
        f"{backend}: peak {peak['bytes'] / 2**30:.2f} GiB while running {peak['when']}; "
        f"{made_room} kernels shut down to make room"
    )
    assert kernel_backends == {backend}, kernel_backends
    assert made_room >= len(CHAPTERS) - 2, "the kernel manager did not make room"
    assert peak["bytes"] < LIMIT, (
        f"the server and its kernels peaked at {peak['bytes'] / 2**30:.2f} GiB "
        f"(while running {peak['when']} on {backend}), over Binder's 2 GiB"
    )
