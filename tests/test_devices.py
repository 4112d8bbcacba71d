"""doctor()'s devices line: the CPU devices and GPUs Keras sees, and so where training runs.

Listed by the same child process that loads TensorFlow and Keras for doctor() (a faked child
result for each answer and failure, then one real run), or, when TensorFlow is loaded already,
read from its configuration without starting its runtime, so a notebook can still split the
CPU into logical devices afterwards.
"""

import json
import os
import signal
import subprocess
import sys

import pytest

from kerastutor import cli


def fake_child(monkeypatch, stdout="", returncode=0, stderr="", raises=None):
    """Make the next child process 'print' `stdout` (or raise `raises`); returns its calls."""
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs))
        if raises is not None:
            raise raises
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)

    monkeypatch.setattr(cli.subprocess, "run", run)
    return calls


VERSIONS = (
    'kerastutor-doctor tensorflow "2.21.0"\nkerastutor-doctor keras ["3.15.1", "tensorflow"]\n'
)


def answer(cpu, gpu=(), names=()):
    found = {"cpu": list(cpu), "gpu": list(gpu), "gpu_names": list(names)}
    return VERSIONS + "some TensorFlow chatter\nkerastutor-devices " + json.dumps(found) + "\n"


def listed():
    """The devices line after doctor's one child process (forced: TensorFlow is loaded here)."""
    return cli._devices_check(cli._load_tensorflow(backend="tensorflow"))


def test_one_cpu_no_gpu(monkeypatch):
    calls = fake_child(monkeypatch, answer(["cpu:0"]))
    check = listed()
    assert str(check) == "[OK  ] devices: 1 CPU, no GPU (training runs on the CPU)"
    ((command, kwargs),) = calls  # one child for the versions and the devices
    assert command == [sys.executable, "-c", cli._LOAD_TENSORFLOW]
    assert kwargs["timeout"] == cli._LOAD_SECONDS and kwargs["stdin"] == subprocess.DEVNULL


def test_gpus_with_their_names(monkeypatch):
    fake_child(monkeypatch, answer(["cpu:0"], ["gpu:0", "gpu:1"], ["NVIDIA L4", "NVIDIA L4"]))
    check = listed()
    assert check.ok
    assert check.detail == "1 CPU, 2 GPUs: NVIDIA L4, NVIDIA L4 (training runs on the GPU)"


def test_cpu_split_into_logical_devices():
    found = cli._Devices(cpu=["cpu:0", "cpu:1"], gpu=[], gpu_names=[])
    check = cli._devices_check(cli._Loaded(devices=found))
    assert check.detail == "2 CPUs (logical devices), no GPU (training runs on the CPU)"


@pytest.mark.parametrize(
    "child, expected",
    [
        (dict(raises=subprocess.TimeoutExpired("python", 300)), "took over 300 s"),
        (dict(raises=FileNotFoundError("no python")), "could not start"),
        (dict(returncode=-signal.SIGABRT), "killed Python (SIGABRT)"),
        (
            dict(stdout=VERSIONS + 'kerastutor-devices {"error": "RuntimeError: no runtime"}'),
            "RuntimeError: no runtime",
        ),
        (
            dict(
                returncode=1,
                stderr="Traceback (most recent call last):\n  File x\n"
                "ModuleNotFoundError: No module named 'keras'\n",
            ),
            "ModuleNotFoundError: No module named 'keras'",
        ),
        (dict(stdout="kerastutor-devices {not json"), "does not read: '{not json'"),
        (dict(returncode=3), "no answer"),
    ],
)
def test_a_failed_listing_is_a_warning_not_a_crash(monkeypatch, child, expected):
    fake_child(monkeypatch, **child)
    check = listed()
    assert not check.ok and not check.required  # WARN: doctor still says "All set."
    assert check.detail.startswith("unknown: ") and expected in check.detail
    assert "if the TensorFlow or Keras line above fails, fix that first" in check.fix


def test_doctor_has_the_devices_line_after_the_backend(monkeypatch):
    fake_child(monkeypatch, answer(["cpu:0"]))
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # as if not loaded here: one child
    monkeypatch.delitem(sys.modules, "tensorflow")
    names = [check.name for check in cli.doctor(verbose=False)]
    assert names.index("devices") == names.index("Keras backend") + 1 == names.index("Keras") + 2


def test_a_failed_tensorflow_still_has_a_devices_line(monkeypatch):
    fake_child(monkeypatch, returncode=1, stderr="ImportError: libtensorflow.so: no such file")
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.delitem(sys.modules, "tensorflow")
    checks = {check.name: check for check in cli.doctor(verbose=False)}
    assert not checks["TensorFlow"].ok
    assert "libtensorflow.so" in checks["devices"].detail and not checks["devices"].required


def test_real_listing_in_a_child():
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    loaded = cli._load_tensorflow(backend=backend)
    found = loaded.devices
    assert found is not None and found.error == "" and found.cpu == ["cpu:0"], loaded
    check = cli._devices_check(loaded)
    assert check.ok and check.detail.startswith("1 CPU, ")
    if not found.gpu:
        assert check.detail == "1 CPU, no GPU (training runs on the CPU)"


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
    reason="logical CPU devices are TensorFlow's: on JAX or torch, Keras lists its own devices",
)
def test_with_tensorflow_loaded_the_cpu_can_still_be_split_afterwards():
    """Here the check reads TensorFlow's configuration instead of listing logical devices,
    which would start the runtime and make set_logical_device_configuration fail."""
    code = (
        "import tensorflow as tf, keras\n"
        "from kerastutor import cli\n"
        "print(cli._tensorflow_checks()[-1].detail)\n"
        "cpu, = tf.config.list_physical_devices('CPU')\n"
        "two = [tf.config.LogicalDeviceConfiguration()] * 2\n"
        "tf.config.set_logical_device_configuration(cpu, two)\n"
        "print(cli._tensorflow_checks()[-1].detail)\n"
        "print(keras.distribution.list_devices('cpu'))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    before, after, keras_sees = result.stdout.splitlines()[-3:]
    assert before.startswith("1 CPU, ")
    assert after.startswith("2 CPUs (logical devices), ")
    assert keras_sees == "['cpu:0', 'cpu:1']"  # what Keras sees agrees with the line
