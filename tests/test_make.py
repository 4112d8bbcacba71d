"""`make lab` serves JupyterLab on 127.0.0.1 with the course, in the project's environment."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(), reason="run through `make test`")
def test_make_lab_serves_the_course(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log_path = tmp_path / "lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            ["make", "-s", "lab", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline, token = time.time() + 120, None
        while token is None and time.time() < deadline:
            found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", log_path.read_text())
            token = found.group(1) if found else None
            time.sleep(0.5)
        assert token, log_path.read_text()[-2000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}") as r:
            listing = r.read().decode()
        assert "00_start_here.ipynb" in listing and "10_save_load_predict.ipynb" in listing
        with pytest.raises(urllib.error.HTTPError):  # no token, no access
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
