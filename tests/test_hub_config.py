"""The course on a class's JupyterHub: docs/z2jh-values.yaml (Zero to JupyterHub settings) uses
the chart's key names with the course's budget, kernel culling reaches the course's kernel
manager, and the instructors' guide quotes that file and is linked from the README.

SCHEMA restates, for the keys the file uses, what Zero to JupyterHub's
jupyterhub/values.schema.yaml (github.com/jupyterhub/zero-to-jupyterhub-k8s, commit 48ea50e,
chart app version 5.5.0) declares: the names, their types, and `additionalProperties: false`
where the chart has it, so a misspelt key fails here as it would fail `helm upgrade`.
"""

from pathlib import Path

import pytest

from kerastutor import cli
from kerastutor.kernels import CourseKernelManager, memory_limit

yaml = pytest.importorskip("yaml", reason="PyYAML reads the values file")
jsonschema = pytest.importorskip("jsonschema", reason="jsonschema checks the key names")

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "docs" / "z2jh-values.yaml"
GUIDE = ROOT / "docs" / "instructors.md"

_closed = {"type": "object", "additionalProperties": False}
SCHEMA = {
    **_closed,
    "properties": {
        "singleuser": {
            **_closed,
            "properties": {
                "image": {
                    **_closed,
                    "required": ["name", "tag"],
                    "properties": {
                        "name": {"type": "string"},
                        "tag": {"type": "string"},
                        "pullPolicy": {"enum": [None, "", "IfNotPresent", "Always", "Never"]},
                        "pullSecrets": {"type": "array"},
                    },
                },
                "cpu": {
                    **_closed,
                    "properties": {
                        "limit": {"type": ["number", "null"]},
                        "guarantee": {"type": ["number", "null"]},
                    },
                },
                "memory": {
                    **_closed,
                    "properties": {
                        "limit": {"type": ["number", "string", "null"]},
                        "guarantee": {"type": ["number", "string", "null"]},
                    },
                },
                "defaultUrl": {"type": ["string", "null"]},
                "extraFiles": {
                    **_closed,
                    "patternProperties": {
                        ".*": {
                            **_closed,
                            "required": ["mountPath"],
                            "properties": {
                                "mountPath": {"type": "string"},
                                "data": {"type": "object"},
                                "stringData": {"type": "string"},
                                "binaryData": {"type": "string"},
                                "mode": {"type": "number"},
                            },
                        }
                    },
                },
            },
        },
        "cull": {
            **_closed,
            "required": ["enabled"],
            "properties": {
                "enabled": {"type": "boolean"},
                "users": {"type": ["boolean", "null"]},
                "adminUsers": {"type": ["boolean", "null"]},
                "removeNamedServers": {"type": ["boolean", "null"]},
                "timeout": {"type": ["integer", "null"]},
                "every": {"type": ["integer", "null"]},
                "concurrency": {"type": ["integer", "null"]},
                "maxAge": {"type": ["integer", "null"]},
            },
        },
    },
}


def jupyterhub_bytes(value: str | int) -> int:
    """A memory size as JupyterHub reads it (its ByteSpecification: K, M, G, T count in 1024s)
    and hands it to the server as MEM_LIMIT."""
    if isinstance(value, int):
        return value
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    return int(float(value[:-1]) * units[value[-1]]) if value[-1] in units else int(value)


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text())


def test_keys_follow_the_charts_schema(values):
    jsonschema.validate(values, SCHEMA)


def test_a_misspelt_key_would_be_caught(values):
    """The schema above is strict where the chart is: it refuses what helm would refuse."""
    wrong = {**values, "singleuser": {**values["singleuser"], "mem": {"limit": "2G"}}}
    with pytest.raises(jsonschema.ValidationError, match="'mem' was unexpected"):
        jsonschema.validate(wrong, SCHEMA)


def test_image_is_the_repo2docker_build_with_a_quoted_tag():
    """The tag is a YAML string even when it looks like a number (a short commit hash of
    digits would otherwise become an int, which the chart refuses)."""
    text = VALUES.read_text()
    assert 'tag: "TAG"' in text and "name: REGISTRY/kerastutor-course" in text


def test_each_learner_gets_one_cpu_and_two_gib(values):
    cpu, memory = values["singleuser"]["cpu"], values["singleuser"]["memory"]
    assert cpu["limit"] == 1 and 0 < cpu["guarantee"] <= cpu["limit"]
    limit = jupyterhub_bytes(memory["limit"])
    assert limit == 2 * 2**30 and jupyterhub_bytes(memory["guarantee"]) == limit
    # JupyterHub exports the limit as MEM_LIMIT; the course's kernel manager reads it, and
    # still has room for the server plus one chapter's kernel (its 1 GiB reserve).
    assert memory_limit({"MEM_LIMIT": str(limit)}) == limit
    assert limit > CourseKernelManager().kernel_reserve
    assert values["singleuser"]["defaultUrl"] == "/lab"


def test_idle_servers_are_culled(values):
    cull = values["cull"]
    assert cull["enabled"] is True
    assert 600 <= cull["timeout"] <= 4 * 3600 and 0 < cull["every"] < cull["timeout"]


def test_kernel_culling_reaches_the_course_kernel_manager(values):
    """The mounted server configuration sets MappingKernelManager's culling; the course's
    kernel manager is a MappingKernelManager, so it takes those settings."""
    from jupyter_core.paths import SYSTEM_CONFIG_PATH
    from traitlets.config import Config

    (mounted,) = values["singleuser"]["extraFiles"].values()
    path = Path(mounted["mountPath"])
    assert path.name == "jupyter_server_config.json" and str(path.parent) in SYSTEM_CONFIG_PATH
    manager = CourseKernelManager(config=Config(mounted["data"]))
    assert 0 < manager.cull_idle_timeout < values["cull"]["timeout"]
    assert 0 < manager.cull_interval < manager.cull_idle_timeout
    assert manager.cull_connected is True  # a tab left open does not keep a kernel alive
    assert manager.cull_busy is False  # a running cell is never interrupted


def test_guide_quotes_the_values_file_and_the_readme_links_the_guide():
    guide = GUIDE.read_text()
    assert VALUES.read_text().strip() in guide
    assert "docs/instructors.md" in (ROOT / "README.md").read_text()


def test_guide_shows_the_link_the_command_prints():
    guide = GUIDE.read_text()
    command = "kerastutor link --hub https://hub.example.org --repo https://github.com/OWNER/REPO"
    assert command in guide
    link = cli.nbgitpuller_link("https://hub.example.org", "https://github.com/OWNER/REPO")
    assert link in guide


def test_guide_builds_the_image_outside_the_home_volume():
    """Z2JH mounts each learner's home volume over /home/jovyan, where repo2docker would put
    the repository (binder/start included, which the image's entry point runs)."""
    guide = GUIDE.read_text()
    assert "--target-repo-dir /srv/kerastutor" in guide and "--user-id 1000" in guide


def test_the_image_serves_nbgitpuller_links():
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("nbgitpuller>=") for line in lines)
