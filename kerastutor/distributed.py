"""Chapter 11: start Python scripts as child processes and always stop them again.

A distributed run needs processes of its own: a kernel's devices are fixed once TensorFlow or
JAX has started, and a multi-worker cluster is several programs talking over the network. This
module hides only the boilerplate of that: free ports on 127.0.0.1, `TF_CONFIG` for each worker,
a wall-clock timeout, reading each script's result (its last line of output that is JSON), its
peak memory, and cleaning up. The Keras and `tf.distribute` calls stay in the scripts, where a
learner reads them.

Every child runs in a process group of its own and is killed with that group when its run ends:
on success, on failure, on timeout, when the kernel is interrupted (KeyboardInterrupt) and, on
Linux, when the kernel process itself dies (the child asks the OS for SIGKILL on its parent's
death). When one worker of a cluster fails, the others are stopped at once, as a cluster
scheduler would do, instead of waiting for them to notice.

>>> import sys, tempfile, pathlib
>>> script = pathlib.Path(tempfile.mkdtemp()) / "hello.py"
>>> _ = script.write_text("import json, sys; print(json.dumps({'args': sys.argv[1:]}))")
>>> run_python(script, "a", "b", backend=None).output
{'args': ['a', 'b']}
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kerastutor.i18n import gettext as _

__all__ = ["ProcessResult", "Workers", "free_ports", "tf_config", "run_python"]

#: How long a stopped process gets after SIGTERM before SIGKILL.
GRACE_SECONDS = 2.0


def free_ports(n: int) -> list[int]:
    """`n` distinct TCP ports on 127.0.0.1 that are free right now (the OS picks them)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(ports: Sequence[int], index: int) -> dict:
    """The `TF_CONFIG` of worker `index` in a cluster of workers on 127.0.0.1 at `ports`.

    >>> config = tf_config([2222, 2223], 1)
    >>> config["cluster"], config["task"]
    ({'worker': ['127.0.0.1:2222', '127.0.0.1:2223']}, {'type': 'worker', 'index': 1})
    """
    if not 0 <= index < len(ports):
        raise ValueError(
            _("index must be in 0..{last}; got {index}.").format(last=len(ports) - 1, index=index)
        )
    return {
        "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
        "task": {"type": "worker", "index": index},
    }


@dataclass
class ProcessResult:
    """How one child process ended.

    Attributes:
        name: e.g. "worker 0".
        returncode: its exit code; negative for a signal; None if it was still running when
            stopped.
        stopped: True when this module stopped it (timeout, another worker failed, interrupt).
        output: the last line of its standard output that parses as JSON (None if none).
        stdout, stderr: everything it printed.
        seconds: wall time from start to end.
        peak_mib: its peak resident memory (MiB), from the OS's accounting when it ended.
    """

    name: str
    returncode: int | None
    stopped: bool
    output: Any
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float | None = None

    @property
    def ok(self) -> bool:
        """It ran to the end and exited with 0."""
        return self.returncode == 0 and not self.stopped

    def tail(self, lines: int = 8) -> str:
        """The last lines of its standard error (where Python prints a traceback)."""
        return "\n".join(self.stderr.strip().splitlines()[-lines:])


def _how_it_ended(code: int | None) -> str:
    """An exit code in words: a negative code is the signal that killed the process."""
    if code is None or code >= 0:
        return _("exit code {code}").format(code=code)
    try:
        sig = signal.Signals(-code)
    except ValueError:
        return _("exit code {code} (signal {number})").format(code=code, number=-code)
    if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL):
        why = _(
            "a crash inside compiled library code (TensorFlow, JAX, torch), not a Python "
            "error; its last lines below may say where. Run it again to see whether it recurs"
        )
    elif sig == signal.SIGKILL:
        why = _("killed from outside, often by the system when memory runs out")
    else:
        why = _("stopped by a signal")
    return _("exit code {code}, signal {name}: {why}").format(code=code, name=sig.name, why=why)


def _last_json(text: str) -> Any:
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Ask Linux to SIGKILL this child when its parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


@dataclass
class _Child:
    name: str
    process: subprocess.Popen
    out_path: Path
    err_path: Path
    started: float
    ended: float | None = None
    status: int | None = None
    stopped: bool = False
    peak_kib: int | None = None
    extra: dict = field(default_factory=dict)


class Workers:
    """Start `n` copies of a Python script as a cluster on 127.0.0.1; stop them all on exit.

    Use it as a context manager: whatever happens inside (a failing cell, an interrupt), every
    process it started is gone when the `with` block ends.

    >>> import tempfile, pathlib
    >>> script = pathlib.Path(tempfile.mkdtemp()) / "who.py"
    >>> _ = script.write_text("import json, os; print(json.loads(os.environ['TF_CONFIG'])['task'])")
    >>> with Workers(script, n=2, backend=None) as cluster:
    ...     results = cluster.wait()
    >>> [r.ok for r in results], results[1].stdout.strip()
    ([True, True], "{'type': 'worker', 'index': 1}")

    Args:
        script: the Python file each worker runs.
        *args: command-line arguments for it (turned into strings).
        n: how many workers.
        backend: `KERAS_BACKEND` for the workers ("tensorflow" for tf.distribute); None keeps
            the kernel's environment as it is.
        env: more environment variables for every worker, or a function of the worker's index
            returning them (e.g. to make one worker fail on purpose).
        timeout: wall-clock seconds for the whole run; then every worker is stopped and
            `wait` raises `TimeoutError`.
        tf_config: give each worker its `TF_CONFIG` (free ports, chosen now).
    """

    def __init__(
        self,
        script: str | os.PathLike,
        *args: Any,
        n: int = 2,
        backend: str | None = "tensorflow",
        env: Mapping[str, str] | Callable[[int], Mapping[str, str]] | None = None,
        timeout: float = 120.0,
        tf_config: bool = True,
    ):
        if n < 1:
            raise ValueError(_("n must be at least 1; got {n}.").format(n=n))
        self.script = Path(script)
        if not self.script.is_file():
            raise FileNotFoundError(_("No script at {script}.").format(script=self.script))
        self.args = [str(a) for a in args]
        self.n, self.backend, self.env, self.timeout = n, backend, env, float(timeout)
        self.ports = free_ports(n) if tf_config else []
        self._tf_config = tf_config
        self._children: list[_Child] = []
        self._folder: tempfile.TemporaryDirectory | None = None
        self._deadline = 0.0

    # ------------------------------------------------------------------ start and stop
    def _environment(self, index: int) -> dict[str, str]:
        environment = dict(os.environ)
        environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        environment["PYTHONUNBUFFERED"] = "1"
        if self.backend is not None:
            environment["KERAS_BACKEND"] = self.backend
        if self._tf_config:
            environment["TF_CONFIG"] = json.dumps(tf_config(self.ports, index))
        extra = self.env(index) if callable(self.env) else self.env
        environment.update({k: str(v) for k, v in (extra or {}).items()})
        return environment

    def start(self) -> Workers:
        """Start every worker (the `with` statement calls this)."""
        if self._children:
            raise RuntimeError(_("These workers were started already."))
        self._folder = tempfile.TemporaryDirectory(prefix="kerastutor-workers-")
        self._deadline = time.monotonic() + self.timeout
        try:
            for index in range(self.n):
                out_path = Path(self._folder.name) / f"{index}.out"
                err_path = Path(self._folder.name) / f"{index}.err"
                with open(out_path, "wb") as out, open(err_path, "wb") as err:
                    process = subprocess.Popen(
                        [sys.executable, str(self.script), *self.args],
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        env=self._environment(index),
                        start_new_session=True,  # its own process group: killed as one
                        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                    )
                name = f"worker {index}" if self.n > 1 else self.script.name
                self._children.append(
                    _Child(name, process, out_path, err_path, started=time.monotonic())
                )
        except BaseException:
            self.stop()
            raise
        return self

    def _reap(self, child: _Child, block: bool = False) -> bool:
        """Collect an ended child's exit status and peak memory; True if it has ended."""
        if child.ended is not None:
            return True
        try:
            pid, status, usage = os.wait4(child.process.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            child.ended, child.status = time.monotonic(), child.process.poll()
            return True
        if pid == 0:
            return False
        child.ended = time.monotonic()
        child.status = os.waitstatus_to_exitcode(status)
        child.process.returncode = child.status  # so Popen does not wait for it again
        child.peak_kib = usage.ru_maxrss  # KiB on Linux
        return True

    def _kill(self, child: _Child, sig: int) -> None:
        try:
            os.killpg(child.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        """Stop every worker still running: SIGTERM to its group, then SIGKILL. Idempotent."""
        running = [c for c in self._children if not self._reap(c)]
        for child in running:
            child.stopped = True
            self._kill(child, signal.SIGTERM)
        end = time.monotonic() + GRACE_SECONDS
        while running and time.monotonic() < end:
            running = [c for c in running if not self._reap(c)]
            time.sleep(0.05)
        for child in running:
            self._kill(child, signal.SIGKILL)
            self._reap(child, block=True)
        # Anything the workers started in their groups goes too.
        for child in self._children:
            self._kill(child, signal.SIGKILL)

    def __enter__(self) -> Workers:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
        if self._folder is not None:
            self._folder.cleanup()

    # ------------------------------------------------------------------ wait
    def wait(self, check: bool = False) -> list[ProcessResult]:
        """Wait until every worker has ended; return how each ended, in worker order.

        When one worker fails, the others are stopped (`stopped=True`): a synchronous cluster
        cannot go on without it. `check=True` raises `RuntimeError` (with the failing worker's
        last lines of output) unless every worker ran to the end with exit code 0.

        Raises:
            TimeoutError: the run took longer than `timeout`; every worker was stopped.
        """
        if not self._children:
            self.start()
        try:
            while True:
                ended = [self._reap(c) for c in self._children]
                if all(ended):
                    break
                if any(c.ended is not None and c.status != 0 for c in self._children):
                    self.stop()  # a worker failed: the rest would only wait for it
                    break
                if time.monotonic() > self._deadline:
                    self.stop()
                    results = self.results()
                    tails = "\n".join(f"[{r.name}] {r.tail(3)}" for r in results)
                    raise TimeoutError(
                        _("the workers ran longer than {timeout:.0f} s and were stopped.").format(
                            timeout=self.timeout
                        )
                        + f"\n{tails}"
                    )
                time.sleep(0.05)
        except BaseException:  # KeyboardInterrupt included: never leave a worker behind
            self.stop()
            raise
        results = self.results()
        if check and not all(r.ok for r in results):
            bad = next(r for r in results if not r.ok)
            raise RuntimeError(
                _("{name} ended with {how}:").format(
                    name=bad.name, how=_how_it_ended(bad.returncode)
                )
                + f"\n{bad.tail()}"
            )
        return results

    def results(self) -> list[ProcessResult]:
        """How each worker ended so far (output read from its files)."""
        results = []
        for child in self._children:
            stdout = child.out_path.read_text(errors="replace") if child.out_path.exists() else ""
            stderr = child.err_path.read_text(errors="replace") if child.err_path.exists() else ""
            results.append(
                ProcessResult(
                    name=child.name,
                    returncode=child.status,
                    stopped=child.stopped,
                    output=_last_json(stdout),
                    stdout=stdout,
                    stderr=stderr,
                    seconds=round((child.ended or time.monotonic()) - child.started, 2),
                    peak_mib=None if child.peak_kib is None else round(child.peak_kib / 1024),
                )
            )
        return results


def run_python(
    script: str | os.PathLike,
    *args: Any,
    backend: str | None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
    check: bool = True,
) -> ProcessResult:
    """Run one Python script in a fresh process with its own Keras backend; return its result.

    A fresh process is what a device setting needs: the number of logical CPUs
    (`tf.config.set_logical_device_configuration`) or JAX's host devices (`XLA_FLAGS`) can only
    be set before the framework starts, and this kernel has started it already.

    Args:
        script: the Python file.
        *args: its command-line arguments.
        backend: its `KERAS_BACKEND` (None: the kernel's environment).
        env: more environment variables (e.g. `XLA_FLAGS`).
        timeout: seconds before it is stopped and `TimeoutError` raised.
        check: raise `RuntimeError` with its last lines of output if it fails.
    """
    with Workers(
        script, *args, n=1, backend=backend, env=env, timeout=timeout, tf_config=False
    ) as one:
        return one.wait(check=check)[0]
