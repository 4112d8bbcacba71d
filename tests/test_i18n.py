"""The package in Chinese: `kt.set_language("zh")` or `KERASTUTOR_LANG=zh` (kerastutor/i18n.py).

The catalogue is complete (every message the source marks, and every knob name of the
notebooks, has a current Chinese translation with the same placeholders), the compiled `.mo`
the package loads is exactly the `.po` source compiled, and switching the language changes the
text a learner sees: a check's feedback, LivePlot's status line, the training panel's labels
and messages, and the errors of bad input. English output is unchanged (the other tests).
Chinese plot titles render without missing glyphs where a CJK font is installed (under CI it
must be: `.ci/run` installs fonts-noto-cjk).
"""

from __future__ import annotations

import os
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

import kerastutor as kt
from kerastutor import i18n
from tests.test_zh_edition import zh as zh_edition  # tools/zh_edition.py, loaded once

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _english_afterwards(monkeypatch):
    monkeypatch.delenv("KERASTUTOR_LANG", raising=False)
    yield
    i18n._chosen = None


# ---------------------------------------------------------------- the catalogue


def test_catalogue_holds_exactly_the_messages_of_the_source():
    """Run `python tools/zh_edition.py messages` after adding or changing a message."""
    template = {m.id for m in zh_edition.messages_template() if m.id}
    catalogue = zh_edition.read_catalog(zh_edition.MESSAGES_PO)
    current = {m.id for m in catalogue if m.id}
    assert not template - current, f"not in the catalogue yet: {sorted(template - current)}"
    assert not current - template, f"no longer in the source: {sorted(current - template)}"


def test_every_message_has_a_current_chinese_translation():
    problems = zh_edition.stale(zh_edition.read_catalog(zh_edition.MESSAGES_PO))
    assert problems == {"untranslated": [], "fuzzy": [], "obsolete": []}


def test_translations_keep_the_placeholders():
    for message in zh_edition.read_catalog(zh_edition.MESSAGES_PO):
        if message.id:
            # A plural entry (ngettext) is a tuple: Chinese has one form, for every English one.
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                assert zh_edition.placeholders(string) == zh_edition.placeholders(ids[-1]), ids


def test_compiled_catalogue_is_the_po_source_compiled():
    """The package loads the .mo; rebuild it with `python tools/zh_edition.py messages`."""
    source = zh_edition.read_catalog(zh_edition.MESSAGES_PO)
    assert zh_edition.MESSAGES_MO.read_bytes() == zh_edition.mo_bytes(source)


def test_compiled_catalogue_ships_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["kerastutor"]
    shipped = {p for pattern in patterns for p in (ROOT / "kerastutor").glob(pattern)}
    assert zh_edition.MESSAGES_MO in shipped


def test_the_extractor_sees_format_placeholders_and_knob_names():
    template = zh_edition.messages_template()
    assert "epoch {epoch}{total}" in template and "Not yet: {why} Hint: {hint}" in template
    assert "training images" in template  # chapter 0's knob, read from the notebook


#: Exercise catalogues (kerastutor/exercises/chNN.py) whose prompts, hints and feedback are not
#: marked for translation yet: take a chapter out once its strings are wrapped in `N_()` / `_()`
#: and translated (README, "For developers").
NOT_WRAPPED_YET = set()


@pytest.mark.parametrize("chapter", sorted({e.chapter for e in kt.EXERCISES.values()}))
def test_exercise_prompts_and_hints_are_in_the_catalogue(chapter):
    if chapter in NOT_WRAPPED_YET:
        pytest.skip(f"kerastutor/exercises/ch{chapter:02d}.py is not wrapped for translation yet")
    template = zh_edition.messages_template()
    for exercise in kt.exercises_for(chapter):
        for text in (exercise.prompt, *exercise.hints):
            assert text in template, f"{exercise.key}: mark {text[:60]!r}... with N_()"


# ---------------------------------------------------------------- choosing the language


@pytest.mark.parametrize("name", ["zh", "zh_CN", "zh-Hans", "zh_CN.UTF-8", "ZH"])
def test_set_language_accepts_the_usual_spellings_of_chinese(name):
    kt.set_language(name)
    assert kt.language() == "zh" and kt.gettext("Right.") == "正确。"


def test_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="en, zh"):
        kt.set_language("fr")


def test_environment_variable_chooses_and_set_language_wins(monkeypatch):
    monkeypatch.setenv("KERASTUTOR_LANG", "zh")
    assert kt.language() == "zh"
    kt.set_language("en")
    assert kt.language() == "en" and kt.gettext("Right.") == "Right."


def test_system_locale_alone_keeps_english(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert kt.language() == "en" and kt.gettext("Right.") == "Right."


def test_unknown_environment_value_warns_once_and_keeps_english(monkeypatch):
    monkeypatch.setenv("KERASTUTOR_LANG", "klingon")
    i18n._warned.discard("klingon")
    with pytest.warns(RuntimeWarning, match="klingon"):
        assert kt.language() == "en"


def test_a_message_without_translation_passes_through():
    kt.set_language("zh")
    assert kt.gettext("a sentence no catalogue holds") == "a sentence no catalogue holds"
    assert kt.gettext("") == ""  # not the catalogue's header, which gettext keeps under ""


# ---------------------------------------------------------------- what a learner sees


def test_a_check_speaks_chinese(capsys):
    kt.set_language("zh")
    assert not kt.check("02.steps_per_epoch", "lots")
    assert capsys.readouterr().out.startswith("还不对：需要一个整数，收到的是 'lots'。提示：")
    kt.set_language("en")
    kt.check("02.steps_per_epoch", "lots")
    assert capsys.readouterr().out.startswith("Not yet: expected a whole number, got 'lots'.")


def test_hints_and_expect_error_speak_chinese(capsys):
    kt.set_language("zh")
    kt.hint("02.steps_per_epoch")
    assert capsys.readouterr().out.startswith("提示 1：")
    with kt.expect_error(ZeroDivisionError):
        _ = 1 / 0
    assert capsys.readouterr().out.startswith("如预期引发了错误：ZeroDivisionError")


def test_liveplot_status_line_and_labels_speak_chinese(capsys):
    import keras

    data = kt.make_random_classification(n_train=200, n_val=50, seed=0)
    model = kt.get_compiled_random_data_model()
    kt.set_language("zh")
    plot = kt.LivePlot(display="console")
    assert plot.status_line() == "run：还没有完成任何一轮"
    keras.utils.set_random_seed(0)
    model.fit(*data["train"], validation_data=data["val"], epochs=2, verbose=0, callbacks=[plot])
    assert plot.status_line().startswith("第 2/2 轮 · ") and " 秒 · " in plot.status_line()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("第 1/2 轮 · ")


def test_liveplot_figure_has_chinese_axis_and_legend(monkeypatch):
    import IPython.display
    import keras

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: _Handle())
    data = kt.make_random_classification(n_train=200, n_val=50, seed=0)
    model = kt.get_compiled_random_data_model()
    kt.set_language("zh")
    plot = kt.LivePlot(display="notebook")
    keras.utils.set_random_seed(0)
    model.fit(*data["train"], validation_data=data["val"], epochs=1, verbose=0, callbacks=[plot])
    plot.wait()
    ax = plot.figure.axes[0]
    assert ax.get_xlabel() == "轮次"
    assert {line.get_label() for line in ax.get_lines()} == {"训练", "验证"}
    assert plot.figure._suptitle.get_text().startswith("第 1/1 轮")


class _Handle:
    def update(self, *args, **kwargs):
        pass


def test_training_panel_speaks_chinese():
    kt.set_language("zh")
    panel = kt.TrainingPanel()
    assert panel.w_train.description == "训练" and panel.w_stop.description == "停止"
    assert panel.w_batch_size.description == "批次大小"
    assert panel.w_learning_rate.description == "学习率"
    assert "点击 <b>训练</b> 查看实时曲线" in panel.w_placeholder.value
    assert "下一次运行：" in panel.w_settings.value
    assert [label for label, _ in panel.w_class_weight_mode.options] == ["无", "均衡", "自定义"]
    assert panel.w_class_weight_mode.value == "none"  # values stay the API's names
    panel.set(pipeline="generator", class_weight="balanced")
    assert "Keras 不接受 class_weight 与 Python 生成器 一起使用" in panel.w_message.value


def test_knob_experiment_labels_speak_chinese():
    kt.set_language("zh")
    experiment = kt.KnobExperiment(
        lambda n: n * 2, lambda ax, results, value: ax.plot(list(results)), [1, 2], knob="threshold"
    )
    box = experiment._box()
    slider, status = box.children[0], box.children[1]
    assert slider.description == "阈值" and status.value == "阈值 = 1：目前共运行了 1 次。"


def test_errors_of_bad_input_speak_chinese():
    x, y = np.zeros((10, 4)), np.zeros(10, dtype=int)
    kt.set_language("zh")
    with pytest.raises(kt.PipelineError, match="batch_size 必须是不小于 1 的整数"):
        kt.make_pipeline("numpy", x, y, batch_size=0)
    with pytest.raises(ValueError, match="x 有 10 个样本，而 y 有 9 个"):
        kt.split_validation(x, y[:9], 2)
    with pytest.raises(ValueError, match="未知的 optimizer 名称 'adm'。你是不是想写 'adam'"):
        kt.get_optimizer("adm")
    with pytest.raises(kt.CheckpointNotFoundError, match="没有检查点文件夹"):
        kt.latest_checkpoint(os.path.join(os.sep, "no", "such", "folder"))
    kt.set_language("en")
    with pytest.raises(kt.PipelineError, match="batch_size must be a whole number"):
        kt.make_pipeline("numpy", x, y, batch_size=0)
    with pytest.raises(ValueError, match="Unknown optimizer 'adm'. Did you mean 'adam'"):
        kt.get_optimizer("adm")


# ---------------------------------------------------------------- Chinese in plots


def _has_cjk_font() -> bool:
    from matplotlib import font_manager

    names = {font.name for font in font_manager.fontManager.ttflist}
    return bool(names & set(i18n.CJK_FONTS)) or i18n._cjk_font() is not None


def test_chinese_plot_title_renders_without_missing_glyphs(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    if not _has_cjk_font():
        message = "no CJK font installed (apt-get install fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail("CI must have a CJK font: " + message, pytrace=False)
        pytest.skip(message)
    saved = list(matplotlib.rcParams["font.family"])
    try:
        kt.set_language("zh")
        fig = Figure(figsize=(4, 2))
        ax = fig.add_subplot()
        ax.set_title("损失与验证损失")
        ax.set_xlabel(kt.gettext("epoch"))
        fig.suptitle("第 3/10 轮 · 4.2 秒 · loss 0.3012")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(tmp_path / "title.png")
        missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
        assert missing == []
        assert (tmp_path / "title.png").stat().st_size > 1000
    finally:
        matplotlib.rcParams["font.family"] = saved


def test_english_figures_keep_their_font():
    import matplotlib

    saved = list(matplotlib.rcParams["font.family"])
    try:
        kt.set_language("zh")
        family = list(matplotlib.rcParams["font.family"])
        assert family[: len(saved)] == saved  # the CJK font only comes after, as a fallback
    finally:
        matplotlib.rcParams["font.family"] = saved


def test_binder_and_ci_install_the_cjk_font():
    assert "fonts-noto-cjk" in (ROOT / "binder" / "apt.txt").read_text().split()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "fc-list :lang=zh" in ci and "missing+=(fonts-noto-cjk)" in ci


def test_catalogue_text_is_translated_when_shown(monkeypatch, capsys):
    """A catalogue's prompt, hints and factory messages are looked up when they are printed,
    so marking them with N_() in chNN.py and translating them is all a chapter needs."""
    from kerastutor.exercises import engine
    from kerastutor.exercises.factories import choice

    checker = choice({"batch": "Right.", "epoch": "that is not it."}, "batch")
    exercise = engine.Exercise(
        key="99.demo",
        kind="recall",
        prompt="epochs",
        hints=("learning rate",),
        checker=checker,
        solution="answer = 'batch'",
        wrong="answer = 'epoch'",
    )
    monkeypatch.setattr(engine, "_catalogue", lambda: {"99.demo": exercise})
    monkeypatch.setattr(engine, "_record", lambda key: None)
    kt.set_language("zh")
    kt.check("99.demo", None)
    assert capsys.readouterr().out.strip() == "还没有作答。轮数 提示：学习率"
    kt.check("99.demo", "epoch")
    assert capsys.readouterr().out.strip() == "还不对：不是这个答案。提示：学习率"
    kt.check("99.demo", "batch")
    assert capsys.readouterr().out.strip() == "正确。"


def test_diagrams_speak_chinese():
    """Every word a diagram draws comes from the catalogue: in Chinese, no English is left
    except code (fit(), val_loss, hook names) and numbers."""
    import re

    kt.set_language("zh")
    figures = {
        "training loop": kt.draw_training_loop(2000, 300, epochs=4),
        "prefetch": kt.draw_prefetch(prepare=0.02, train=0.03, steps=4),
        "callback hooks": kt.draw_callback_hooks(epochs=1, steps=2, validation_steps=1),
        "data parallel": kt.draw_data_parallel(2, 256),
    }
    code = re.compile(r"`[^`]*`|\$[^$]*\$|\w+\([^)]*\)|\w+=\w+|\(x_val, y_val\)|\w*_\w*|all-reduce")
    for name, fig in figures.items():
        texts = [fig._suptitle.get_text()] if fig._suptitle else []
        for ax in fig.axes:
            texts += [t.get_text() for t in ax.texts]
            texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
            texts += [ax.get_xlabel()] + [t.get_text() for t in ax.get_yticklabels()]
            legend = ax.get_legend()
            texts += [t.get_text() for t in legend.get_texts()] if legend else []
        words = {w for t in texts for w in re.findall(r"[A-Za-z]{3,}", code.sub("", t))}
        assert words <= {"fit", "logs"}, (name, words)  # Keras names, as in the prose
        assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), name
    assert figures["training loop"].axes[0].get_title(loc="left") == (
        "在 2,000 个样本上 fit(x, y, batch_size=300, epochs=4)"
    )


def test_data_split_figure_speaks_chinese():
    kt.set_language("zh")
    fig = kt.plot_data_split(8000, 2000, 2000)
    texts = [t.get_text().split("\n")[0] for t in fig.axes[0].texts]
    assert texts == ["训练: 8,000", "验证: 2,000", "测试: 2,000"]
    assert fig.axes[0].get_title() == "12,000 个带标签的样本，三种用途"
