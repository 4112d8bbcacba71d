"""The kerastutor command and doctor(): notebooks shipped in the package, copied safely."""

import subprocess
import sys

import pytest

import kerastutor as kt
from kerastutor import cli


def test_course_notebooks_ship_in_the_package():
    names = [p.name for p in kt.course_notebooks()]
    assert names[0] == "00_start_here.ipynb" and "10_save_load_predict.ipynb" in names
    assert len(names) == 11


def test_copy_then_keep_edits(tmp_path):
    first = kt.copy_notebooks(tmp_path / "course")
    assert len(first["copied"]) == 11
    edited = tmp_path / "course" / "01_quickstart.ipynb"
    edited.write_text(edited.read_text().replace("Quickstart", "My notes"))
    second = kt.copy_notebooks(tmp_path / "course", ask=lambda prompt: "n")
    assert second["kept"] == ["01_quickstart.ipynb"] and len(second["unchanged"]) == 10
    assert "My notes" in edited.read_text()
    third = kt.copy_notebooks(tmp_path / "course", ask=lambda prompt: "y")
    assert third["copied"] == ["01_quickstart.ipynb"] and "My notes" not in edited.read_text()


def test_copy_refuses_a_file_as_target(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        kt.copy_notebooks(target)


def test_doctor_reports_each_check(capsys):
    checks = kt.doctor()
    out = capsys.readouterr().out
    names = [c.name for c in checks]
    for expected in ("Python", "TensorFlow", "Keras", "MNIST", "free memory", "running on"):
        assert expected in names
    assert all(c.ok for c in checks if c.required), out
    assert out.count("[OK  ]") >= 5 and "All set." in out


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
    for sub in ("notebooks", "lab", "doctor"):
        result = subprocess.run(run + [sub, "--help"], capture_output=True, text=True)
        assert result.returncode == 0 and f"kerastutor {sub}" in result.stdout
    result = subprocess.run(run + ["lab", "--port", "99999"], capture_output=True, text=True)
    assert result.returncode == 2 and "--port must be between 1 and 65535" in result.stderr


def test_notebooks_command_without_a_terminal_keeps_edits(tmp_path):
    run = [sys.executable, "-m", "kerastutor.cli", "notebooks", str(tmp_path)]
    assert "11 copied" in subprocess.run(run, capture_output=True, text=True, check=True).stdout
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
    assert "_quiet.install()" in startup.read_text()
    repo_copy = cli.Path(__file__).resolve().parents[1] / "jupyter" / "ipython"
    repo_file = repo_copy / "profile_default" / "startup" / "00-kerastutor-quiet.py"
    assert "_quiet.install()" in repo_file.read_text()  # make lab's twin does the same
