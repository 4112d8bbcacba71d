"""`kerastutor link`: the nbgitpuller link that opens the course on a JupyterHub.

The expected links below were produced by nbgitpuller's own link generator,
`generateRegularUrl` in docs/_static/link_gen/link.js of github.com/jupyterhub/nbgitpuller
(commit f7dce43, release 1.3), run under Node with the same hub, repository, branch and file;
the clone folder in `urlpath` follows nbgitpuller's handler, which names it after the last part
of the repository URL (`repo.rstrip('/').split('/')[-1]`, so `.git` stays). Where nbgitpuller
is installed, a Jupyter server with its extension reads a link back (the last test).
"""

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

import kerastutor as kt
from kerastutor import cli

GIT_PULL = "/hub/user-redirect/git-pull?"
START = "notebooks%2F00_start_here.ipynb"

# (hub, repo, branch, path, app) -> the link nbgitpuller's generator makes
GENERATED = [
    (
        ("https://hub.example.org", "https://github.com/me/keras-course", "main", None, "lab"),
        "https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme"
        f"%2Fkeras-course&urlpath=lab%2Ftree%2Fkeras-course%2F{START}&branch=main",
    ),
    (  # a hub served under a path prefix; a GitLab subgroup; a .git URL; another branch
        (
            "https://example.org/jupyter/",
            "https://gitlab.com/group/sub/keras-course.git",
            "week-2",
            "notebooks/04_optimizers_and_schedules.ipynb",
            "lab",
        ),
        "https://example.org/jupyter/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgitlab.com"
        "%2Fgroup%2Fsub%2Fkeras-course.git&urlpath=lab%2Ftree%2Fkeras-course.git%2Fnotebooks"
        "%2F04_optimizers_and_schedules.ipynb&branch=week-2",
    ),
    (  # a port; a file name with a space and a tilde (form encoding: '+' and %7E)
        (
            "http://10.0.0.5:8000",
            "https://github.com/me/keras-course",
            "main",
            "notebooks/my notes~v2.ipynb",
            "lab",
        ),
        "http://10.0.0.5:8000/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme"
        "%2Fkeras-course&urlpath=lab%2Ftree%2Fkeras-course%2Fnotebooks%2Fmy+notes%7Ev2.ipynb"
        "&branch=main",
    ),
    (  # the classic notebook interface
        ("https://hub.example.org", "https://github.com/me/keras-course", "main", None, "notebook"),
        "https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme"
        f"%2Fkeras-course&urlpath=tree%2Fkeras-course%2F{START}&branch=main",
    ),
]


@pytest.mark.parametrize("args, expected", GENERATED)
def test_link_matches_nbgitpullers_generator(args, expected):
    hub, repo, branch, path, app = args
    extra = {"path": path} if path else {}
    assert kt.nbgitpuller_link(hub, repo, branch, app=app, **extra) == expected


@pytest.mark.parametrize(
    "hub", ["https://hub.example.org", "https://hub.example.org/", "  https://hub.example.org//"]
)
@pytest.mark.parametrize(
    "repo", ["https://github.com/me/keras-course", "https://github.com/me/keras-course/"]
)
def test_trailing_slashes_give_one_link(hub, repo):
    """The same hub and repository typed with or without trailing slashes: one link, and the
    folder nbgitpuller clones into (it strips the repository URL's slashes first)."""
    assert kt.nbgitpuller_link(hub, repo) == GENERATED[0][1]


@pytest.mark.parametrize(
    "repo, folder",
    [
        ("https://github.com/me/keras-course", "keras-course"),
        ("https://github.com/me/keras-course.git", "keras-course.git"),
        ("https://gitlab.com/group/sub/keras-course.git/", "keras-course.git"),
        ("https://git.example.edu:8443/courses/ml/keras", "keras"),
    ],
)
def test_link_reads_back_to_its_parts(repo, folder):
    """Parsed back, the link names the repository, the branch, and the file inside the folder
    nbgitpuller clones into, under JupyterLab's lab/tree/."""
    link = kt.nbgitpuller_link("https://hub.example.org", repo, branch="spring-2027")
    address, _, query = link.partition("?")
    assert address == "https://hub.example.org/hub/user-redirect/git-pull"
    params = urllib.parse.parse_qs(query, strict_parsing=True)
    assert params == {
        "repo": [repo.rstrip("/")],
        "urlpath": [f"lab/tree/{folder}/notebooks/00_start_here.ipynb"],
        "branch": ["spring-2027"],
    }
    assert folder == repo.rstrip("/").split("/")[-1]  # nbgitpuller's default clone folder


def test_a_leading_slash_in_the_path_is_dropped():
    link = kt.nbgitpuller_link(
        "https://hub.example.org", "https://github.com/me/c", path="/notebooks/01_quickstart.ipynb"
    )
    assert "urlpath=lab%2Ftree%2Fc%2Fnotebooks%2F01_quickstart.ipynb&" in link


@pytest.mark.parametrize(
    "hub, repo, kwargs, message",
    [
        ("hub.example.org", "https://github.com/me/c", {}, "try https://hub.example.org"),
        ("", "https://github.com/me/c", {}, "the hub URL is empty"),
        ("ftp://hub.example.org", "https://github.com/me/c", {}, "must start with https://"),
        (
            "https://hub.example.org/hub/home",
            "https://github.com/me/c",
            {},
            "without /hub/... or /user/...: try https://hub.example.org",
        ),
        (
            "https://ex.org/jupyter/user/ann/lab",
            "https://github.com/me/c",
            {},
            "try https://ex.org/jupyter",
        ),
        (
            "https://hub.example.org",
            "git@github.com:me/c.git",
            {},
            "try https://github.com/me/c.git (learners' servers have no SSH keys)",
        ),
        ("https://hub.example.org", "github.com/me/c", {}, "try https://github.com/me/c"),
        ("https://hub.example.org", "   ", {}, "the repository URL is empty"),
        ("https://hub.example.org", "https://github.com/", {}, "names no repository"),
        ("https://hub.example.org", "https://github.com/me/c?tab=readme", {}, "no ?query"),
        ("https://hub.example.org", "https://github.com/me/c", {"branch": " "}, "e.g. main"),
        ("https://hub.example.org", "https://github.com/me/c", {"path": ""}, "path is empty"),
        ("https://hub.example.org", "https://github.com/me/c", {"path": "../x.ipynb"}, "'..'"),
        (
            "https://hub.example.org",
            "https://github.com/me/c",
            {"app": "rstudio"},
            "app must be one of lab, notebook",
        ),
    ],
)
def test_bad_input_names_the_fix(hub, repo, kwargs, message):
    with pytest.raises(ValueError) as caught:
        kt.nbgitpuller_link(hub, repo, **kwargs)
    assert message in str(caught.value)


def test_link_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("nbgitpuller_link opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert kt.nbgitpuller_link("https://hub.example.org", "https://github.com/me/keras-course")


def test_link_is_public_and_documented():
    assert kt.nbgitpuller_link is cli.nbgitpuller_link
    assert "nbgitpuller_link" in cli.__all__
    assert ">>> " in cli.nbgitpuller_link.__doc__


def kerastutor(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kerastutor.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_link_command_prints_only_the_link():
    hub, repo, branch, path, _ = GENERATED[1][0]
    result = kerastutor("link", "--hub", hub, "--repo", repo, "--branch", branch, "--path", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == GENERATED[1][1] + "\n"


def test_link_command_defaults_to_the_first_chapter_in_jupyterlab():
    hub, repo, *_ = GENERATED[0][0]
    assert kerastutor("link", "--hub", hub, "--repo", repo).stdout == GENERATED[0][1] + "\n"
    hub, repo, *_ = GENERATED[3][0]
    classic = kerastutor("link", "--hub", hub, "--repo", repo, "--app", "notebook")
    assert classic.stdout == GENERATED[3][1] + "\n"


def test_link_command_bad_input_and_help():
    bad = kerastutor("link", "--hub", "hub.example.org", "--repo", "https://github.com/me/c")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "kerastutor link: error:" in bad.stderr and "try https://hub.example.org" in bad.stderr
    missing = kerastutor("link", "--hub", "https://hub.example.org")
    assert missing.returncode == 2 and "--repo" in missing.stderr
    helped = kerastutor("link", "--help")
    assert helped.returncode == 0 and "kerastutor link" in helped.stdout
    for option in ("--hub", "--repo", "--branch", "--path", "--app"):
        assert option in helped.stdout
    overview = kerastutor("--help")
    assert "link" in overview.stdout and "nbgitpuller link" in overview.stdout


def test_nbgitpuller_reads_the_link_as_meant(tmp_path):
    """Where nbgitpuller is installed (the hub's image), a Jupyter server with its extension
    takes the link's query: the folder it would clone into is the one `urlpath` opens."""
    pytest.importorskip("nbgitpuller", reason="pip install nbgitpuller (binder/ installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **{f"JUPYTER_{d}_DIR": str(tmp_path / d) for d in ("CONFIG", "DATA")}}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--IdentityProvider.token=secret",
        f"--ServerApp.root_dir={tmp_path}",
        '--ServerApp.jpserver_extensions={"nbgitpuller": True}',
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token=secret", timeout=5)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.5)
        for repo, folder in [
            ("https://github.com/OWNER/REPO", "REPO"),
            ("https://gitlab.com/group/sub/keras-course.git/", "keras-course.git"),
        ]:
            link = kt.nbgitpuller_link("https://hub.example.org", repo, branch="week-2")
            query = link.split(GIT_PULL, 1)[1]
            with urllib.request.urlopen(f"{base}/git-pull?{query}&token=secret") as response:
                page = response.read().decode()
            seen = {
                name: urllib.parse.unquote(html.unescape(value))
                for name, value in re.findall(r'data-(\w+)="([^"]*)"', page)
            }
            assert seen["repo"] == repo.rstrip("/") and seen["branch"] == "week-2"
            assert seen["targetpath"] == folder
            assert seen["path"] == f"lab/tree/{folder}/notebooks/00_start_here.ipynb"
    finally:
        server.terminate()
        server.wait(timeout=60)
