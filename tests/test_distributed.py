"""kerastutor.distributed: child processes always end, whatever happens; results are read."""

import os
import signal
import sys
import textwrap
import time

import pytest

import kerastutor as kt
from kerastutor.distributed import Workers, free_ports, run_python, tf_config


def _script(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_exported():
    assert kt.Workers is Workers and kt.run_python is run_python


def test_free_ports_are_distinct_and_bindable():
    ports = free_ports(3)
    assert len(set(ports)) == 3 and all(1024 <= p < 65536 for p in ports)


def test_tf_config_lists_every_worker_and_names_the_task():
    config = tf_config([5000, 5001], 0)
    assert config == {
        "cluster": {"worker": ["127.0.0.1:5000", "127.0.0.1:5001"]},
        "task": {"type": "worker", "index": 0},
    }
    with pytest.raises(ValueError):
        tf_config([5000], 1)


def test_run_python_returns_the_last_json_line_and_peak_memory(tmp_path):
    script = _script(
        tmp_path,
        "s.py",
        """
        import json, os, sys
        print("not json")
        blob = bytearray(64 * 1024 * 1024)  # 64 MiB, touched
        print(json.dumps({"backend": os.environ["KERAS_BACKEND"], "args": sys.argv[1:]}))
        """,
    )
    result = run_python(script, 1, "b", backend="jax", timeout=30)
    assert result.ok and result.output == {"backend": "jax", "args": ["1", "b"]}
    assert result.peak_mib is not None and result.peak_mib >= 64


def test_run_python_raises_with_the_traceback_when_the_script_fails(tmp_path):
    script = _script(tmp_path, "bad.py", "raise SystemExit('broken on purpose')")
    with pytest.raises(RuntimeError, match="broken on purpose"):
        run_python(script, backend=None, timeout=30)
    assert run_python(script, backend=None, timeout=30, check=False).returncode == 1


def test_a_crash_is_named_by_its_signal(tmp_path):
    # As TensorFlow's OneDeviceStrategy once did in chapter 11: a segfault, which Python reports
    # only as exit code -11.
    script = _script(
        tmp_path, "crash.py", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"
    )
    with pytest.raises(RuntimeError) as failure:
        run_python(script, backend=None, timeout=30)
    message = str(failure.value)
    assert "crash.py ended with exit code -11, signal SIGSEGV" in message
    assert "compiled library code" in message and "Run it again" in message


def test_timeout_kills_the_process_group_grandchildren_too(tmp_path):
    script = _script(
        tmp_path,
        "slow.py",
        """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print(child.pid, flush=True)
        time.sleep(60)
        """,
    )
    start = time.monotonic()
    with Workers(script, n=1, backend=None, timeout=2, tf_config=False) as one:
        with pytest.raises(TimeoutError, match="longer than 2 s"):
            one.wait()
        grandchild = int(one.results()[0].stdout.split()[0])
        child = one._children[0].process.pid
    assert time.monotonic() - start < 15
    time.sleep(0.3)
    assert not _alive(child) and not _alive(grandchild)


def test_a_failing_worker_stops_the_others(tmp_path):
    script = _script(
        tmp_path,
        "w.py",
        """
        import json, os, sys, time
        index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
        if index == 1:
            sys.exit(3)
        time.sleep(60)
        """,
    )
    start = time.monotonic()
    with Workers(script, n=2, backend=None, timeout=60) as cluster:
        results = cluster.wait()
    assert time.monotonic() - start < 15
    assert results[1].returncode == 3 and not results[1].stopped
    assert results[0].stopped and not results[0].ok
    with Workers(script, n=2, backend=None, timeout=60) as cluster:
        with pytest.raises(RuntimeError, match="exit code"):
            cluster.wait(check=True)


def test_env_per_worker_and_tf_config(tmp_path):
    script = _script(
        tmp_path,
        "e.py",
        """
        import json, os
        config = json.loads(os.environ["TF_CONFIG"])
        print(json.dumps({"index": config["task"]["index"], "workers": config["cluster"]["worker"],
                          "flag": os.environ.get("FLAG")}))
        """,
    )
    with Workers(script, n=2, backend=None, env=lambda i: {"FLAG": i * 10}) as cluster:
        results = cluster.wait(check=True)
        ports = cluster.ports
    workers = [f"127.0.0.1:{p}" for p in ports]
    assert [r.output for r in results] == [
        {"index": 0, "workers": workers, "flag": "0"},
        {"index": 1, "workers": workers, "flag": "10"},
    ]


def test_leaving_the_with_block_early_stops_everything(tmp_path):
    """A cell that fails (or an interrupt) inside the block: no worker is left behind."""
    script = _script(tmp_path, "sleep.py", "import time; time.sleep(60)")
    with pytest.raises(KeyboardInterrupt):
        with Workers(script, n=2, backend=None, timeout=60) as cluster:
            pids = [c.process.pid for c in cluster._children]
            raise KeyboardInterrupt
    time.sleep(0.3)
    assert not any(_alive(pid) for pid in pids)


def test_an_interrupt_during_wait_stops_everything(tmp_path):
    script = _script(tmp_path, "sleep.py", "import time; time.sleep(60)")

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        cluster = Workers(script, n=2, backend=None, timeout=60).start()
        pids = [c.process.pid for c in cluster._children]
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt):
            cluster.wait()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    time.sleep(0.3)
    assert not any(_alive(pid) for pid in pids)


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")
def test_workers_die_with_the_process_that_started_them(tmp_path):
    """A kernel killed outright (no finally runs): its workers go with it."""
    script = _script(tmp_path, "sleep.py", "import time; time.sleep(60)")
    parent = _script(
        tmp_path,
        "parent.py",
        f"""
        import sys, time
        from kerastutor.distributed import Workers
        cluster = Workers({str(script)!r}, n=2, backend=None, timeout=60).start()
        print(*[c.process.pid for c in cluster._children], flush=True)
        time.sleep(60)
        """,
    )
    import subprocess

    process = subprocess.Popen([sys.executable, str(parent)], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in process.stdout.readline().split()]
    process.kill()
    process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)
