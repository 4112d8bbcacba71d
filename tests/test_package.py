"""The package's shape: light import, every public name resolves, modules say their job."""

import importlib
import os
import subprocess
import sys

import pytest

import kerastutor

MODULES = [
    "data",
    "models",
    "pipelines",
    "callbacks",
    "checkpoints",
    "record",
    "plots",
    "diagrams",
    "widgets",
    "exercises",
    "cli",
    "i18n",
    "editions",
]


def test_import_loads_no_heavy_dependency():
    code = (
        "import sys, kerastutor\n"
        "heavy = ('torch', 'ipywidgets', 'matplotlib', 'tensorflow')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_numpy_pipeline_does_not_import_torch():
    code = (
        "import sys, numpy as np, kerastutor as kt\n"
        "kt.make_pipeline('tf_data', np.zeros((4, 2)), np.zeros(4))\n"
        "print('torch' in sys.modules, 'ipywidgets' in sys.modules)\n"
    )
    # Keras on the torch backend imports torch itself; the claim is about kerastutor.
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow" if backend == "torch" else backend}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split()[-2:] == ["False", "False"]


@pytest.mark.parametrize("name", kerastutor.__all__)
def test_every_public_name_resolves(name):
    assert getattr(kerastutor, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="kerastutor attribute nope"):
        kerastutor.nope  # noqa: B018


@pytest.mark.parametrize("module", MODULES)
def test_module_has_docstring_and_exports(module):
    mod = importlib.import_module(f"kerastutor.{module}")
    assert mod.__doc__ and len(mod.__doc__.strip()) > 40
    for name in mod.__all__:
        assert name in kerastutor.__all__, f"{module}.{name} is not re-exported"


def test_exports_are_declared_once_in_the_stub():
    """kerastutor/__init__.pyi is the one list of public names; editors read it, and so does
    lazy_loader at run time, so the two cannot drift."""
    from pathlib import Path

    stub = (Path(kerastutor.__file__).with_suffix(".pyi")).read_text()
    assert sorted(kerastutor.__all__) == sorted(
        line.split(" as ")[-1].strip() for line in stub.splitlines() if line.startswith("from .")
    )
    assert "_EXPORTS" not in Path(kerastutor.__file__).read_text()


def test_every_subpackage_ships_in_the_wheel():
    """pyproject lists packages by hand; a subpackage missing there is missing from wheels
    (and from Binder), while an editable install hides the gap."""
    import tomllib
    from pathlib import Path

    root = Path(kerastutor.__file__).parent
    listed = set(
        tomllib.loads((root.parent / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        "kerastutor" + "".join(f".{part}" for part in init.parent.relative_to(root).parts)
        for init in root.rglob("__init__.py")
    }
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
