"""`kerastutor lab` as a well-behaved parent: SIGTERM and SIGINT reach JupyterLab (and its
kernels), nothing is left serving, no stale runtime file, no traceback (issue 13, item 2)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("jupyterlab")

TOKEN = "kerastutor-signal-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, path: str, method: str = "GET") -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=b"{}" if method == "POST" else None,
        headers={"Authorization": f"token {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kernels_of(server_pid: int) -> list[int]:
    """Kernel processes JupyterLab started (jupyter_client gives each a session of its own)."""
    kernels = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == server_pid and b"ipykernel" in cmdline:
            kernels.append(int(stat.parent.name))
    return kernels


def _ignore_sigint() -> None:  # pragma: no cover - runs in the child
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_lab(tmp_path: Path, background: bool = False) -> tuple[subprocess.Popen, int, Path]:
    port = _free_port()
    runtime = tmp_path / "runtime"
    env = {
        **os.environ,
        "JUPYTER_TOKEN": TOKEN,
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "KERASTUTOR_HOME": str(tmp_path / "home"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    lab = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kerastutor.cli",
            "lab",
            str(tmp_path / "course"),
            "--port",
            str(port),
        ],
        env=env,
        stdin=subprocess.DEVNULL,  # no terminal: JupyterLab gets a process group of its own
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # `kerastutor lab &` in a script: the shell starts it with SIGINT ignored.
        preexec_fn=_ignore_sigint if background else None,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            _api(port, "/api/status")
            return lab, port, runtime
        except OSError:
            if lab.poll() is not None or time.monotonic() > deadline:
                lab.kill()
                raise AssertionError(
                    f"JupyterLab did not start: {lab.communicate()[1][-2000:]}"
                ) from None
            time.sleep(0.5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "sig, background",
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT", "SIGINT-to-a-background-job"],
)
def test_a_signal_to_kerastutor_lab_stops_jupyterlab_and_its_kernels(tmp_path, sig, background):
    lab, port, runtime = _start_lab(tmp_path, background)
    try:
        _api(port, "/api/kernels", method="POST")  # a learner's open notebook
        servers = list(runtime.glob("jpserver-*.json"))
        assert len(servers) == 1
        server_pid = int(servers[0].stem.split("-")[1])
        assert os.getpgid(server_pid) == server_pid  # a process group of its own
        deadline = time.monotonic() + 60
        while not _kernels_of(server_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        kernels = _kernels_of(server_pid)
        assert kernels, "the kernel did not start"

        os.kill(lab.pid, sig)  # `kill PID`, or Ctrl-C sent to kerastutor alone
        _, stderr = lab.communicate(timeout=90)
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGKILL)
    # (a kernel stopped while it starts may print its own; kerastutor's must not)
    assert "kerastutor/cli.py" not in stderr and "kerastutor.cli" not in stderr, stderr[-2000:]
    with pytest.raises(OSError):
        _api(port, "/api/status")  # nothing serves the port any more
    deadline = time.monotonic() + 10
    left = [pid for pid in [server_pid, *kernels] if _alive(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = [pid for pid in left if _alive(pid)]
    assert left == [], "JupyterLab or a kernel outlived kerastutor lab"
    assert list(runtime.glob("jpserver-*")) == [], "a stale runtime file is left"


def _fake_server(body: str) -> str:
    return "import os, signal, sys, time\n" + body


def _parent(server: str, **popen) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        "from kerastutor.cli import _run_in_foreground\n"
        f"print('exit', _run_in_foreground([sys.executable, '-c', {server!r}], env=None))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=90,
        start_new_session=True,
        **popen,
    )


def test_a_server_that_ignores_sigterm_is_killed_after_the_grace_period(monkeypatch):
    server = _fake_server(
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "os.kill(os.getppid(), signal.SIGTERM)  # someone stops kerastutor lab\n"
        "time.sleep(600)\n"
    )
    code = (
        "import sys\n"
        "from kerastutor import cli\n"
        "cli._STOP_GRACE_SECONDS = 1\n"
        f"print('exit', cli._run_in_foreground([sys.executable, '-c', {server!r}], env=None))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.stdout.strip() == f"exit {128 + signal.SIGKILL}", result.stderr
    assert time.monotonic() - started < 30


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_from_a_terminal_sigterm_is_forwarded_and_a_group_ctrl_c_is_not_doubled():
    """With a terminal, JupyterLab shares the group (so it can ask its question on Ctrl-C).
    A Ctrl-C that reached the whole group must not be sent a second time (JupyterLab reads two
    Ctrl-C as "stop now, don't ask"); a SIGTERM sent to kerastutor alone is forwarded."""
    server = _fake_server(
        "seen = []\n"
        "signal.signal(signal.SIGINT, lambda *a: seen.append('INT'))\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(len(seen)))\n"
        "os.killpg(0, signal.SIGINT)  # a Ctrl-C for the whole group\n"
        "time.sleep(1)\n"
        "os.kill(os.getppid(), signal.SIGTERM)  # then `kill PID` on kerastutor lab\n"
        "time.sleep(60)\n"
    )
    primary, secondary = os.openpty()
    try:
        result = _parent(server, stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert result.stdout.strip() == "exit 1", result.stderr  # one SIGINT seen, then SIGTERM
    assert "KeyboardInterrupt" not in result.stderr
