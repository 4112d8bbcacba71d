"""The course as a learner meets it: JupyterLab in a real (headless) Chromium, driven by Playwright.

For every notebook: open it, wait for its kernel, run all cells, and check that no cell failed,
every widget rendered, and the live plot drew. For the training panel: click Train, see the
curves change while training runs, click Stop, see the run end early and land in the run table.
A screenshot of each lands in test-artifacts/browser/.

Needs Debian's chromium (`apt-get install chromium`; never `playwright install`). Without it
the tests skip, except under CI, where they must run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from kerastutor.cli import kernel_env, lab_command

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if CHROMIUM is None:
    message = "Chromium is missing: install it with `sudo apt-get install chromium`."
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests. " + message, pytrace=False)
    pytest.skip(message, allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with throw-away settings, serving a copy of the course."""
    base = tmp_path_factory.mktemp("lab")
    served = base / "course"
    shutil.copytree(ROOT / "notebooks", served)
    env = dict(os.environ)
    for name in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_SETTINGS_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
    ):
        env[name] = str(base / name.lower())
        os.makedirs(env[name])
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # The course's kernel environment (kerastutor.cli.KERNEL_ENV), but an empty IPython
    # directory instead of kerastutor's start-up file: as in a JupyterLab kerastutor did not
    # start, the notebooks' own `import kerastutor` must keep TensorFlow's start-up quiet.
    env.update(kernel_env(env, startup=False), IPYTHONDIR=str(base / "ipython"))
    port, token = _free_port(), secrets.token_hex(16)
    command = lab_command(
        served,
        port,
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
    )
    log = open(base / "server.log", "w")
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )  # its own process group, kernels included

    def stop(*_):
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(143)))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError((base / "server.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield {"url": url, "token": token, "dir": served}
    finally:
        stop()
        signal.signal(signal.SIGTERM, previous)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Each script receives the notebook's path and finds its panel, not whatever tab is current.
FIND = """const find = (path) => {
  if (!window.jupyterapp || !window.jupyterapp.shell) return null;  // Lab still loading
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
};"""

KERNEL_IDLE = (
    FIND
    + """(path) => {
  const w = find(path);
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && !w.sessionContext.isBusy;
}"""
)

# Done when every code cell ran, or when one failed (Run All stops there), and the kernel is
# idle: a failing cell is then reported by its error, not by a timeout minutes later.
ALL_RAN = (
    FIND
    + """(path) => {
  const w = find(path);
  const session = w && w.sessionContext.session;
  if (!session || !session.kernel) return false;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  const ran = cells.every(c => c.model.executionCount !== null);
  return (ran || failed) && session.kernel.status === 'idle';
}"""
)

# Where a run stands: the first code cell that has not run, and the stderr so far.
PROGRESS = (
    FIND
    + """(path) => {
  const w = find(path);
  if (!w) return {found: false};
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const waiting = cells.findIndex(c => c.model.executionCount === null);
  const stderr = [];
  for (const c of cells) {
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'stream' && o.name === 'stderr') stderr.push(o.text.slice(-500));
    }
  }
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  return {
    found: true, ran: waiting < 0 ? cells.length : waiting, of: cells.length,
    kernel: kernel ? kernel.status : null,
    next: waiting < 0 ? null : cells[waiting].model.sharedModel.getSource().slice(0, 300),
    stderr,
  };
}"""
)

RUN_ALL = (
    FIND
    + """(path) => {
  const w = find(path);
  window.jupyterapp.shell.activateById(w.id);
  window.jupyterapp.commands.execute('notebook:run-all-cells');
}"""
)

OUTPUTS = (
    FIND
    + """(path) => {
  const w = find(path);
  const out = {errors: [], images: 0, widgets: 0, stderr: []};
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    for (const o of cell.model.outputs.toJSON()) {
      if (o.output_type === 'error') out.errors.push(o.ename + ': ' + o.evalue);
      if (o.output_type === 'stream' && o.name === 'stderr') out.stderr.push(o.text.slice(0, 300));
      const data = o.data || {};
      if (data['image/png']) out.images += 1;
      if (data['application/vnd.jupyter.widget-view+json']) out.widgets += 1;
    }
  }
  return out;
}"""
)

SHUT_DOWN = (
    FIND
    + """async (path) => {
  const w = find(path);
  if (w) { await w.sessionContext.shutdown(); w.close(); }
}"""
)


def _js(script: str) -> str:
    # FIND is a statement; wrap so that page.evaluate gets one function expression.
    head, _, body = script.partition("};")
    return f"(path) => {{ {head}}}; return ({body})(path); }}"


def _open(browser, lab, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab['url']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_function(_js(KERNEL_IDLE), arg=name, timeout=120_000)
    return page


def _run_all(page, name, timeout=300_000):
    page.evaluate(_js(RUN_ALL), name)
    try:
        page.wait_for_function(_js(ALL_RAN), arg=name, timeout=timeout, polling=500)
    except playwright_api.TimeoutError:
        progress = page.evaluate(_js(PROGRESS), name)
        pytest.fail(f"{name} did not finish within {timeout / 1000:.0f} s: {progress}")


def _close(page, name):
    try:
        page.evaluate(_js(SHUT_DOWN), name)
    finally:
        page.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(browser, lab, path):
    page = _open(browser, lab, path.name)
    try:
        _run_all(page, path.name)
        page.wait_for_timeout(1500)  # let widget views finish rendering
        outputs = page.evaluate(_js(OUTPUTS), path.name)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"), full_page=False)
        assert outputs["errors"] == [], outputs["errors"]
        # No start-up noise and no stray warnings: a lesson that shows a warning catches it
        # and prints it (kt.expect_error, warnings.catch_warnings).
        assert outputs["stderr"] == [], outputs["stderr"]
        assert "Error displaying widget" not in page.content()
        source = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "code")
        if "kt.LivePlot(" in source or "kt.plot_history(" in source:
            assert outputs["images"] >= 1, "the live plot drew nothing"
        if path.name[:2] <= "09":  # every chapter 0-9 explains with at least one figure
            assert outputs["images"] >= 1, "the chapter drew no figure"
            rendered = page.locator(".jp-OutputArea-output img, .widget-image").count()
            assert rendered >= 1, "no figure rendered in the browser"
        if "TrainingPanel(" in source or "widgets." in source:
            assert outputs["widgets"] >= 1
            assert page.locator(".jupyter-widgets").count() > 0, "widgets did not render"
        if "kt.run_on_backend(" in source:  # chapter 9's table: a measured row per backend
            # Read from the DOM, not as rendered text: JupyterLab may not lay out a cell
            # scrolled out of view, and its inner text is then empty.
            table = page.locator("table", has_text="first epoch (s)").first.evaluate(
                "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent.trim()))"
            )
            rows = {row[0]: row[1:] for row in table}
            for name in ("tensorflow", "jax", "torch"):
                assert name in rows and all(float(v) > 0 for v in rows[name][:7]), table
        if "kt.KnobExperiment(" in source:
            _move_the_knob(page, path.stem)
    finally:
        _close(page, path.name)


def _move_the_knob(page, stem: str) -> None:
    """A guided experiment redraws its plot when its knob moves: press the right arrow on the
    first experiment's slider, then wait for its image to change."""
    experiment = page.locator(".kerastutor-knob").first
    experiment.scroll_into_view_if_needed(timeout=60_000)
    image = experiment.locator(".widget-image").first
    page.wait_for_function(
        "(img) => img.src && img.complete && img.naturalWidth > 100",
        arg=image.element_handle(),
        timeout=60_000,
    )
    before = image.get_attribute("src")
    handle = experiment.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([img, before]) => img.src !== before && img.complete && img.naturalWidth > 100",
        arg=[image.element_handle(), before],
        timeout=180_000,
        polling=500,
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    experiment.screenshot(path=str(ARTIFACTS / f"{stem}_knob_moved.png"))
    status = experiment.locator(".widget-html").first.inner_text()
    assert "failed" not in status, status


def test_training_panel_train_and_stop_by_clicking(browser, lab):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import kerastutor as kt\n"
            "panel = kt.TrainingPanel()\n"
            "panel.set(batch_size=8, epochs=30)\n"
            "panel"
        )
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, lab["dir"] / "panel_click.ipynb")
    page = _open(browser, lab, "panel_click.ipynb")
    try:
        _run_all(page, "panel_click.ipynb", timeout=180_000)
        train = page.get_by_role("button", name="Train")
        stop = page.get_by_role("button", name="Stop")
        train.wait_for(timeout=60_000)
        assert stop.is_disabled()
        # Before the first run: a placeholder, not a broken-image icon.
        page.get_by_text("to see live curves").wait_for(timeout=60_000)
        assert page.locator(".widget-image").first.is_hidden()
        train.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('button')].some("
            "b => b.textContent.includes('Stop') && !b.disabled)",
            timeout=60_000,
        )
        plot = page.locator(".widget-image").first
        plot.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('.widget-image');"
            " return i && i.src && i.complete && i.naturalWidth > 100; }",
            timeout=120_000,
        )
        first = plot.get_attribute("src")
        page.wait_for_function(  # the curves change while training runs
            f"() => document.querySelector('.widget-image').src !== {json.dumps(first)}",
            timeout=120_000,
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "panel_training.png"))
        stop.click()
        page.wait_for_function(
            "() => document.body.innerText.includes('Run 1 stopped')", timeout=120_000
        )
        assert train.is_enabled() and stop.is_disabled()
        table = page.locator("table").last.inner_text()
        assert "batch_size" in table and "True" in table  # the run, marked stopped
        page.screenshot(path=str(ARTIFACTS / "panel_stopped.png"))
        # A second run starts from a cleared figure: run 1's curves and message are gone.
        train.click()
        page.get_by_text("Run 2: waiting for its first epoch").wait_for(timeout=30_000)
        assert page.locator(".widget-image").first.is_hidden(), "run 1's figure is still up"
        messages = page.locator(".widget-html").all_inner_texts()
        assert not any(text.startswith("Run 1 stopped") for text in messages), messages
        assert any(text.startswith("Training") for text in messages), messages
        page.screenshot(path=str(ARTIFACTS / "panel_second_run.png"))
        page.wait_for_function(
            "() => [...document.querySelectorAll('button')].some("
            "b => b.textContent.includes('Stop') && !b.disabled)",
            timeout=60_000,
        )
        stop.click()
        page.wait_for_function(
            "() => document.body.innerText.includes('Run 2 stopped')", timeout=120_000
        )
    finally:
        _close(page, "panel_click.ipynb")


def test_a_guided_experiment_redraws_when_its_knob_moves(browser, lab):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import kerastutor as kt\n"
            "\n"
            "def draw(ax, results, value):\n"
            "    ax.bar([str(v) for v in results], list(results.values()))\n"
            "    ax.set_title(f'power = {value}')\n"
            "\n"
            "experiment = kt.KnobExperiment(lambda p: 2**p, draw, values=[1, 2, 3], knob='power')\n"
            "experiment.show()"
        )
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, lab["dir"] / "knob.ipynb")
    page = _open(browser, lab, "knob.ipynb")
    try:
        _run_all(page, "knob.ipynb", timeout=120_000)
        _move_the_knob(page, "knob")
        page.wait_for_function(
            "() => document.body.innerText.includes('2 run(s) so far')", timeout=60_000
        )
    finally:
        _close(page, "knob.ipynb")


def _scratch_notebook(lab, name, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, lab["dir"] / name)


def test_a_failing_cell_ends_the_wait_and_is_reported(browser, lab):
    # Run All stops at a failing cell, so the cells after it never run: the wait must end
    # there and name the error, not run into its timeout (as chapter 11 once did in CI).
    _scratch_notebook(lab, "fails.ipynb", "raise ValueError('on purpose')", "print('never')")
    page = _open(browser, lab, "fails.ipynb")
    try:
        start = time.monotonic()
        _run_all(page, "fails.ipynb", timeout=60_000)
        assert time.monotonic() - start < 30
        assert page.evaluate(_js(OUTPUTS), "fails.ipynb")["errors"] == ["ValueError: on purpose"]
    finally:
        _close(page, "fails.ipynb")


def test_a_timeout_names_the_cell_that_did_not_finish(browser, lab):
    _scratch_notebook(lab, "slow.ipynb", "x = 1", "import time\ntime.sleep(600)  # stuck")
    page = _open(browser, lab, "slow.ipynb")
    try:
        with pytest.raises(pytest.fail.Exception) as failure:
            _run_all(page, "slow.ipynb", timeout=5_000)
        message = str(failure.value)
        assert "slow.ipynb did not finish within 5 s" in message
        assert "'ran': 1, 'of': 2" in message and "time.sleep(600)  # stuck" in message
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:interrupt-kernel')")
        _close(page, "slow.ipynb")
