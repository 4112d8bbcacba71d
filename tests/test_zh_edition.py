"""The Chinese edition (notebooks/zh/) is the English course translated, and nothing else.

A chapter is in the edition when its catalogue `translations/zh/<notebook>.po` exists
(`python tools/zh_edition.py start NN` creates it). For every such chapter this fails when an
English Markdown cell has no translation, when the catalogue is stale (a fuzzy entry: its
English changed since it was translated; an obsolete one: its cell is gone), when the Chinese
notebook is not what `python tools/zh_edition.py build` would write now, or when its code
differs from the English: the one difference allowed is `LANGUAGE_LINE`, one more line at the
end of the first code cell (`import kerastutor as kt`) that calls `kt.set_language("zh")`.

Chapters without a catalogue are not in the edition yet: they have no Chinese notebook (a
stray one fails), `kerastutor notebooks DIR --lang zh` copies their English notebook instead,
and `test_chapters_not_in_the_edition_yet` lists them as a skip, so a run shows what is left.
The edition can thus land chapter by chapter. The glossary pair (`notebooks/glossary.ipynb`,
`notebooks/zh/00_术语表.ipynb`) is generated from `translations/glossary.toml`.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("zh_edition", ROOT / "tools" / "zh_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zh = _tool()
CHAPTERS = zh.chapters()
EDITION = [p for p in CHAPTERS if zh.in_edition(p)]
# A line break between two Chinese characters renders as a stray space in Markdown.
BROKEN_LINE = re.compile(r"[\u4e00-\u9fff，。：；、]\n[\u4e00-\u9fff]")
LINK = re.compile(r"\]\(([^)#\s]+\.ipynb)(?:#[^)]*)?\)")


def test_the_edition_has_begun():
    assert EDITION, "no chapter has a catalogue in translations/zh/"


@pytest.mark.parametrize("notebook", EDITION, ids=lambda p: p.stem)
def test_catalogue_has_every_markdown_cell_of_the_english_notebook(notebook):
    template = {m.id for m in zh.chapter_template(notebook) if m.id}
    catalogue = {m.id for m in zh.read_catalog(zh.po_path(notebook)) if m.id}
    new = template - catalogue
    assert not new, (
        f"{len(new)} English cell(s) changed or added since the last update, e.g. "
        f"{zh._ident(sorted(new)[0])!r}: run `python tools/zh_edition.py update {notebook.stem}`"
        " and translate the new entries"
    )


@pytest.mark.parametrize("notebook", EDITION, ids=lambda p: p.stem)
def test_catalogue_is_translated_and_current(notebook):
    problems = zh.stale(zh.read_catalog(zh.po_path(notebook)))
    assert problems == {"untranslated": [], "fuzzy": [], "obsolete": []}, (
        f"{zh.po_path(notebook).name}: translate the untranslated entries, revise the fuzzy "
        "ones (their English changed; see `#| msgid`) and drop their fuzzy flag, then "
        f"`python tools/zh_edition.py prune {notebook.stem}` for the obsolete ones: {problems}"
    )


@pytest.mark.parametrize("notebook", EDITION, ids=lambda p: p.stem)
def test_chinese_notebook_is_what_the_tool_builds(notebook):
    expected = zh.notebook_text(zh.zh_notebook(notebook, zh.read_catalog(zh.po_path(notebook))))
    path = zh.zh_path(notebook)
    assert path.exists(), f"run `python tools/zh_edition.py build {notebook.stem}`"
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.name} differs from its English notebook and catalogue: "
        f"run `python tools/zh_edition.py build {notebook.stem}`"
    )


@pytest.mark.parametrize("notebook", EDITION, ids=lambda p: p.stem)
def test_code_is_the_english_code_plus_the_language_line(notebook):
    english = nbformat.read(notebook, as_version=4)
    chinese = nbformat.read(zh.zh_path(notebook), as_version=4)
    assert [(c.id, c.cell_type) for c in chinese.cells] == [
        (c.id, c.cell_type) for c in english.cells
    ]
    en_code = [c for c in english.cells if c.cell_type == "code"]
    zh_code = [c for c in chinese.cells if c.cell_type == "code"]
    assert zh_code[0].source == en_code[0].source.rstrip("\n") + "\n\n" + zh.LANGUAGE_LINE
    assert zh_code[0].source.startswith("import kerastutor as kt")
    zh_code[0] = {**zh_code[0], "source": en_code[0].source}  # the one permitted difference
    assert zh_code == en_code
    assert "set_language" not in "".join(c.source for c in en_code)


@pytest.mark.parametrize("notebook", EDITION, ids=lambda p: p.stem)
def test_chinese_prose_reads_cleanly(notebook):
    """No hard line break inside a Chinese sentence (Markdown renders it as a space), every
    Markdown cell really translated, and each link to a chapter opens one."""
    chinese = nbformat.read(zh.zh_path(notebook), as_version=4)
    for cn in chinese.cells:
        if cn.cell_type != "markdown":
            continue
        assert not BROKEN_LINE.search(cn.source), f"cell {cn.id}: join the lines of a paragraph"
        assert re.search(r"[\u4e00-\u9fff]", cn.source), f"cell {cn.id} has no Chinese"
        for target in LINK.findall(cn.source):
            assert (zh.ZH_NOTEBOOKS / target).exists() or (zh.NOTEBOOKS / target).exists(), (
                f"cell {cn.id} links to {target}, which is neither a Chinese nor an English chapter"
            )


@pytest.mark.parametrize("notebook", EDITION, ids=lambda p: p.stem)
def test_chinese_notebook_is_canonical(notebook):
    nbstripout = Path(sys.executable).with_name("nbstripout")
    result = subprocess.run(
        [str(nbstripout), "--verify", str(zh.zh_path(notebook))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_stray_files_in_the_edition():
    """notebooks/zh/ holds the chapters that have a catalogue and the glossary, nothing else;
    every catalogue belongs to an English chapter."""
    expected = {zh.zh_path(p).name for p in EDITION} | {zh.GLOSSARY_ZH.name}
    assert {p.name for p in zh.ZH_NOTEBOOKS.glob("*.ipynb")} == expected
    english = {p.stem for p in CHAPTERS}
    assert {p.stem for p in zh.TRANSLATIONS.glob("*.po")} <= english


def test_chapters_not_in_the_edition_yet():
    missing = [p.stem for p in CHAPTERS if not zh.in_edition(p)]
    if missing:
        pytest.skip(
            "not in the Chinese edition yet (English in `kerastutor notebooks --lang zh`): "
            + ", ".join(missing)
        )


def test_the_tool_keeps_a_changed_cell_as_fuzzy_and_a_vanished_one_as_obsolete(tmp_path):
    """What `update` does to a catalogue when the English notebook changes."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n**Goal.** Learn."),
        nbformat.v4.new_code_cell("import kerastutor as kt"),
        nbformat.v4.new_markdown_cell("An epoch is one pass over the training data."),
        nbformat.v4.new_markdown_cell("This cell will go."),
    ]
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    catalog = zh.merged(zh.chapter_template(path), None, "demo")
    for message, text in zip(
        list(catalog)[1:], ["# 标题\n\n**目标。** 学习。", "一个轮次……", "删"]
    ):
        message.string = text
    assert zh.stale(catalog) == {"untranslated": [], "fuzzy": [], "obsolete": []}
    built = zh.zh_notebook(path, catalog)
    assert [c.source for c in built.cells] == [
        "# 标题\n\n**目标。** 学习。",
        "import kerastutor as kt\n\n" + zh.LANGUAGE_LINE,
        "一个轮次……",
        "删",
    ]

    nb.cells[2].source = "An epoch is one full pass over the training data."
    del nb.cells[3]
    nb.cells.append(nbformat.v4.new_markdown_cell("A new cell."))
    nbformat.write(nb, path)
    updated = zh.merged(zh.chapter_template(path), catalog, "demo")
    problems = zh.stale(updated)
    assert problems["fuzzy"] == ["An epoch is one full pass over the training data."]
    assert problems["untranslated"] == ["A new cell."]
    assert problems["obsolete"] == ["This cell will go."]
    changed = updated.get("An epoch is one full pass over the training data.")
    assert changed.string == "一个轮次……"  # the old translation, to revise
    assert changed.previous_id == ["An epoch is one pass over the training data."]
    # A stale translation is not used: the cell stays English until it is revised.
    rebuilt = zh.zh_notebook(path, updated)
    assert "An epoch is one full pass over the training data." in [c.source for c in rebuilt.cells]
    # And the catalogue round-trips through its PO text unchanged.
    po = tmp_path / "demo.po"
    po.write_bytes(zh.catalog_text(updated))
    assert zh.catalog_text(zh.read_catalog(po)) == po.read_bytes()


# ---------------------------------------------------------------- the glossary

#: The terms the issue names, each with its standard Chinese term; all must be in the glossary.
REQUIRED_TERMS = {
    "epoch": "轮次",
    "batch": "批次",
    "iteration (step)": "迭代（步）",
    "loss": "损失",
    "metric": "指标",
    "callback": "回调",
    "learning-rate schedule": "学习率调度",
    "optimizer": "优化器",
    "validation set": "验证集",
    "overfitting": "过拟合",
    "sample weight": "样本权重",
    "class weight": "类别权重",
    "checkpoint": "检查点",
    "backend": "后端",
}


def test_glossary_notebooks_are_generated_from_the_data():
    for path, text in zh.glossary_notebooks().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name}: run `python tools/zh_edition.py glossary`"
        )


def test_glossary_has_the_course_terms_in_both_languages():
    terms = zh.glossary()["term"]
    pairs = {t["en"]: t["zh"] for t in terms}
    for english, chinese in REQUIRED_TERMS.items():
        assert pairs.get(english) == chinese, english
    for term in terms:
        for field in ("en", "zh", "en_def", "zh_def", "chapter", "section"):
            assert term.get(field), f"{term.get('en')}: no {field}"
        assert re.search(r"[\u4e00-\u9fff]", term["zh_def"]), term["en"]
        assert "\n" not in term["en_def"] + term["zh_def"], "one line each"
    assert len({t["en"] for t in terms}) == len(terms), "a term is listed twice"


def test_every_glossary_term_links_to_a_chapter_that_teaches_it():
    """The chapter exists, and its English text (prose or code) uses the term or its Keras
    spelling, so the link goes where the term is taught."""
    for term in zh.glossary()["term"]:
        chapter = zh.NOTEBOOKS / term["chapter"]
        assert chapter.exists(), f"{term['en']}: no chapter {term['chapter']}"
        text = "\n".join(c.source for c in nbformat.read(chapter, as_version=4).cells)
        words = [term["en"].split(" (")[0], term.get("keras", "")]
        assert any(w and _folded(w) in _folded(text) for w in words), (
            f"{term['en']} is not in {chapter.name}"
        )


def _folded(text: str) -> str:
    """Lower case without hyphens and spaces: "over-fitting" finds "overfitting"."""
    return re.sub(r"[\s-]+", "", text.lower())


def test_glossary_links_open_in_both_editions():
    for path in (zh.GLOSSARY_EN, zh.GLOSSARY_ZH):
        nb = nbformat.read(path, as_version=4)
        targets = {t for c in nb.cells for t in LINK.findall(c.source)}
        assert targets
        for target in targets:
            assert (path.parent / target).resolve().is_file(), f"{path.name}: {target}"


# ---------------------------------------------------------------- copying an edition


def test_a_chinese_copy_is_complete_with_english_where_untranslated(tmp_path):
    from kerastutor.editions import copy_edition, edition_notebooks

    result = copy_edition(tmp_path / "course", lang="zh")
    names = sorted(p.name for p in (tmp_path / "course").glob("*.ipynb"))
    english_chapters = [p.name for p in CHAPTERS]
    assert names == sorted([*english_chapters, zh.GLOSSARY_ZH.name])
    assert result["english"] == [p.name for p in CHAPTERS if not zh.in_edition(p)]
    for notebook in EDITION:
        copied = (tmp_path / "course" / notebook.name).read_text(encoding="utf-8")
        assert copied == zh.zh_path(notebook).read_text(encoding="utf-8")
    glossary = nbformat.read(tmp_path / "course" / zh.GLOSSARY_ZH.name, as_version=4)
    for target in {t for c in glossary.cells for t in LINK.findall(c.source)}:
        assert (tmp_path / "course" / target).is_file(), target  # every link opens in the copy
    again = copy_edition(tmp_path / "course", lang="zh")
    assert again["copied"] == [] and len(again["unchanged"]) == len(names)
    assert [p.name for p in edition_notebooks("en")] == sorted(
        p.name for p in zh.NOTEBOOKS.glob("*.ipynb")
    )


def test_a_copy_keeps_a_learners_edits_unless_told(tmp_path):
    from kerastutor.editions import copy_edition

    copy_edition(tmp_path, lang="zh")
    edited = tmp_path / "00_start_here.ipynb"
    edited.write_text("{}")
    assert copy_edition(tmp_path, lang="zh", ask=lambda q: "n")["kept"] == [edited.name]
    assert copy_edition(tmp_path, lang="zh", overwrite=True)["copied"] == [edited.name]
    assert "set_language" in edited.read_text(encoding="utf-8")


def test_an_unknown_edition_is_refused(tmp_path):
    from kerastutor.editions import copy_edition

    with pytest.raises(ValueError, match="en, zh"):
        copy_edition(tmp_path, lang="fr")
