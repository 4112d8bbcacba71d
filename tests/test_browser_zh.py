"""The Chinese edition in a real browser: Chinese prose, Chinese panel labels and a Chinese plot
title, with no missing-glyph warning (a CJK font is installed: `.ci/run`, `binder/apt.txt`).

Uses the JupyterLab server and Chromium of tests/test_browser.py (skipped, like it, without
Chromium, except under CI). Screenshots land in `test-artifacts/browser/zh_*.png`.
"""

from __future__ import annotations

import urllib.parse

from tests.test_browser import (  # noqa: F401 - the fixtures are used by name
    ARTIFACTS,
    KERNEL_IDLE,
    OUTPUTS,
    _close,
    _js,
    _open,
    _run_all,
    browser,
    lab,
)


def test_chinese_chapter_shows_chinese_prose_labels_and_plot(browser, lab):  # noqa: F811
    name = "zh/00_start_here.ipynb"
    page = _open(browser, lab, name)
    try:
        title = page.locator(".jp-RenderedMarkdown h1", has_text="从这里开始")
        title.wait_for(timeout=60_000)  # the prose, rendered, before anything runs
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "zh_00_prose.png"))
        _run_all(page, name)
        page.wait_for_timeout(1500)  # let widget views finish rendering
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        outputs = page.evaluate(_js(OUTPUTS), name)
        assert outputs["errors"] == [], outputs["errors"]
        # A missing glyph is a matplotlib warning on stderr: there is none.
        assert outputs["stderr"] == [], outputs["stderr"]
        assert outputs["images"] >= 1 and outputs["widgets"] >= 1
        train = page.locator("button.widget-button", has_text="训练").first
        train.scroll_into_view_if_needed(timeout=30_000)
        assert page.locator("button.widget-button", has_text="停止").count() >= 1
        assert page.locator(".widget-label", has_text="批次大小").count() >= 1  # a slider
        panel = page.locator(".jp-OutputArea-output", has=train).first
        panel.screenshot(path=str(ARTIFACTS / "zh_00_panel.png"))
        # LivePlot's status line is the plot's title: "第 2/2 轮 · … 秒 · …", drawn in the PNG.
        cell = page.locator(".jp-CodeCell", has_text="callbacks=[kt.LivePlot()]").first
        plot = cell.locator(".jp-OutputArea-output img").first
        plot.scroll_into_view_if_needed(timeout=30_000)
        plot.screenshot(path=str(ARTIFACTS / "zh_00_liveplot.png"))
    finally:
        _close(page, name)


def test_chinese_glossary_opens(browser, lab):  # noqa: F811
    name = "zh/00_术语表.ipynb"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab['url']}/lab/tree/{urllib.parse.quote(name)}?reset&token={lab['token']}")
    try:
        page.wait_for_function(_js(KERNEL_IDLE), arg=name, timeout=120_000)
        page.locator(".jp-RenderedMarkdown h1", has_text="术语表").wait_for(timeout=60_000)
        page.locator(".jp-RenderedMarkdown td", has_text="轮次").first.wait_for(timeout=30_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "zh_glossary.png"))
    finally:
        _close(page, name)
