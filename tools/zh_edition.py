"""The Chinese edition of the course, built from the English notebooks and translation catalogues.

Usage (from the repository root, with the package's test extra installed, which brings Babel):

    python tools/zh_edition.py start 03            begin chapter 3's translation: create
                                                   translations/zh/03_losses_and_metrics.po
    python tools/zh_edition.py update [03 ...]     refresh the chapters' catalogues from the
                                                   English notebooks (default: every one begun)
    python tools/zh_edition.py build [03 ...]      regenerate notebooks/zh/*.ipynb from them
    python tools/zh_edition.py messages            refresh the package's messages catalogue
                                                   (kerastutor/locale/zh/LC_MESSAGES/) from
                                                   the source, and compile its .mo
    python tools/zh_edition.py glossary            regenerate the glossary notebooks from
                                                   translations/glossary.toml
    python tools/zh_edition.py all                 update, build, messages and glossary
    python tools/zh_edition.py prune [03 ...]      drop the obsolete entries of the catalogues
    python tools/zh_edition.py status              what is left to translate, per catalogue

A chapter is in the Chinese edition when its catalogue `translations/zh/<notebook>.po` exists
(gettext PO, read and written with Babel). Each entry's msgid is the full text of one English
Markdown cell and its msgstr the Chinese text, so the key is the text itself, not the cell id:
when an English cell changes, `update` keeps the old translation as a *fuzzy* entry (with the
old English as `#| msgid`, to see what changed) and a cell that is gone becomes *obsolete*
(`#~`, kept so its text can be reused). Both count as stale: `tests/test_zh_edition.py` fails
until a translator revises the entry (and drops its `#, fuzzy` flag) and `prune` drops the
obsolete ones.

`build` writes `notebooks/zh/<notebook>.ipynb`: the English notebook with each Markdown cell
translated (an untranslated or stale cell stays English, so a half-done chapter still builds),
cells and cell ids as in English, every code cell unchanged but the first, which gets one more
line, `LANGUAGE_LINE` (`kt.set_language("zh")`), so the package's messages after it are
Chinese. The first code cell of every chapter is `import kerastutor as kt` (it must come before
Keras, tests/test_quiet.py), so `kt` is there; a line rather than a cell of its own keeps the
cell ids, which the canonical form (`nbstripout`) numbers by position. Output is in that
form.

The package's own messages (`kerastutor/i18n.py`) are extracted from every `_()`, `N_()` and
`ngettext()` call in `kerastutor/` (Babel's Python extractor) plus the knob names of the
notebooks' guided experiments (`kt.KnobExperiment(..., knob="...")`, shown on the slider).
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import string
import sys
import tomllib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import denormalize, read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ZH_NOTEBOOKS = NOTEBOOKS / "zh"
TRANSLATIONS = ROOT / "translations" / "zh"
GLOSSARY = ROOT / "translations" / "glossary.toml"
GLOSSARY_EN = NOTEBOOKS / "glossary.ipynb"
GLOSSARY_ZH = ZH_NOTEBOOKS / "00_术语表.ipynb"
PACKAGE = ROOT / "kerastutor"
MESSAGES_PO = PACKAGE / "locale" / "zh" / "LC_MESSAGES" / "kerastutor.po"
MESSAGES_MO = MESSAGES_PO.with_suffix(".mo")

#: The one line of code a Chinese notebook has that its English original does not: the last
#: line of its first code cell (which imports kerastutor as kt), so every message after it
#: (checks, panels, plots) is Chinese.
LANGUAGE_LINE = 'kt.set_language("zh")  # 练习反馈、控件标签和图表标题使用中文'
FIRST_CODE = "import kerastutor as kt"

#: gettext keywords of the package: `_` is `kerastutor.i18n.gettext`, `N_` marks a message
#: that is translated where it is shown.
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
# A fixed header date keeps a regenerated catalogue byte-identical when nothing changed.
FIXED_DATE = datetime(2026, 1, 1)


# ---------------------------------------------------------------- catalogues


def _new_catalog(project: str) -> Catalog:
    return Catalog(
        locale="zh_Hans_CN",
        header_comment=f"# Chinese (simplified) translation of {project}.\n"
        "# Kept up to date by tools/zh_edition.py; see its docstring.",
        project=project,
        version="0.1.0",
        copyright_holder="kerastutor authors",
        msgid_bugs_address="the kerastutor issue tracker",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        language_team="kerastutor 中文版",
        last_translator="kerastutor 中文版",
        charset="utf-8",
        fuzzy=False,
    )


def read_catalog(path: Path) -> Catalog:
    """A PO file as a Babel `Catalog` (obsolete entries in `catalog.obsolete`)."""
    with path.open("rb") as f:
        catalog = read_po(f, abort_invalid=True)
    # Babel writes a fuzzy entry's old msgid as `#| msgid ...` but reads it back as a translator
    # comment; restore it, so that the file round-trips and the old English stays visible.
    for message in [*catalog, *catalog.obsolete.values()]:
        previous = [c[2:] for c in message.user_comments if c.startswith("| ")]
        if previous and previous[0].startswith("msgid "):
            message.user_comments = [c for c in message.user_comments if not c.startswith("| ")]
            message.previous_id = [denormalize("\n".join(previous)[len("msgid ") :])]
    return catalog


def catalog_text(catalog: Catalog) -> bytes:
    """A catalogue as PO bytes, entries in template order, old msgids of fuzzy ones kept."""
    out = io.BytesIO()
    write_po(
        out, catalog, width=100, include_previous=True, sort_output=False, include_lineno=False
    )
    return out.getvalue()


def merged(template: Catalog, existing: Catalog | None, project: str) -> Catalog:
    """`existing` brought up to date with `template`, as msgmerge does: new entries are added
    untranslated, a changed one keeps its old translation flagged fuzzy, vanished ones are
    obsolete. Without `existing`, a new catalogue of untranslated entries."""
    catalog = existing if existing is not None else _new_catalog(project)
    catalog = copy.deepcopy(catalog)
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
    catalog.revision_date = FIXED_DATE
    catalog.creation_date = FIXED_DATE
    return catalog


def translation(catalog: Catalog, msgid: str) -> str | None:
    """The current (translated, not fuzzy) msgstr of `msgid`, or None."""
    message = catalog.get(msgid)
    if message is None or message.fuzzy or not message.string:
        return None
    return message.string if isinstance(message.string, str) else message.string[0]


def stale(catalog: Catalog) -> dict[str, list[str]]:
    """What needs a translator: untranslated, fuzzy (English changed) and obsolete entries."""
    found: dict[str, list[str]] = {"untranslated": [], "fuzzy": [], "obsolete": []}
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found["fuzzy"].append(_ident(message.id))
        elif not all(strings):
            found["untranslated"].append(_ident(message.id))
    found["obsolete"] = [_ident(key) for key in catalog.obsolete]
    return found


def _ident(msgid: str | tuple) -> str:
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    first = text.strip().splitlines()[0] if text.strip() else text
    return first[:70]


def placeholders(text: str) -> list[str]:
    """The `str.format` fields of a message, e.g. `["epoch", "total"]`, sorted."""
    try:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError:
        return ["<unparsable>"]


# ---------------------------------------------------------------- chapters


def chapters() -> list[Path]:
    """The English chapters, in order (the glossary is generated separately)."""
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.name[:2].isdigit())


def po_path(notebook: Path) -> Path:
    return TRANSLATIONS / f"{notebook.stem}.po"


def zh_path(notebook: Path) -> Path:
    return ZH_NOTEBOOKS / notebook.name


def in_edition(notebook: Path) -> bool:
    """Whether a chapter is in the Chinese edition: its catalogue exists."""
    return po_path(notebook).exists()


def chapter_template(notebook: Path) -> Catalog:
    """One entry per distinct English Markdown cell of a chapter, in cell order."""
    nb = nbformat.read(notebook, as_version=4)
    template = _new_catalog(f"kerastutor course, {notebook.name}")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        location = (f"notebooks/{notebook.name}", index)
        existing = template.get(cell.source)
        if existing is not None:
            existing.locations.append(location)
            continue
        template.add(cell.source, locations=[location], auto_comments=[f"cell id {cell.id}"])
    return template


def updated_chapter_catalog(notebook: Path) -> Catalog:
    existing = read_catalog(po_path(notebook)) if in_edition(notebook) else None
    return merged(chapter_template(notebook), existing, f"kerastutor course, {notebook.name}")


def zh_notebook(notebook: Path, catalog: Catalog) -> nbformat.NotebookNode:
    """The Chinese notebook: Markdown translated where the catalogue has a current translation,
    every code cell as in English but the first, which ends with `LANGUAGE_LINE`."""
    nb = nbformat.read(notebook, as_version=4)
    first = next((c for c in nb.cells if c.cell_type == "code"), None)
    if first is None or not first.source.startswith(FIRST_CODE):
        raise ValueError(
            f"{notebook.name}: its first code cell must start with `{FIRST_CODE}`, so that the "
            'Chinese edition can add `kt.set_language("zh")` to it'
        )
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = translation(catalog, cell.source) or cell.source
    first.source = with_language_line(first.source)
    return nb


def with_language_line(source: str) -> str:
    """An English first code cell as the Chinese edition has it."""
    return source.rstrip("\n") + "\n\n" + LANGUAGE_LINE  # a blank line after the import (ruff)


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """A notebook in the course's canonical form: nbformat's JSON, as nbstripout writes it."""
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


# ---------------------------------------------------------------- package messages


def knob_names() -> list[tuple[str, str, int]]:
    """`(name, notebook, cell)` for every `KnobExperiment(..., knob="...")` in the notebooks."""
    found = []
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "KnobExperiment(" not in cell.source:
                continue
            source = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) else line
                for line in cell.source.splitlines()
            )
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == (
                    "KnobExperiment"
                ):
                    for keyword in node.keywords:
                        if keyword.arg == "knob" and isinstance(keyword.value, ast.Constant):
                            found.append((keyword.value.value, f"notebooks/{path.name}", index))
    return found


def messages_template() -> Catalog:
    """Every message of the package, from its source (and the notebooks' knob names)."""
    template = _new_catalog("kerastutor")
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for lineno, message, comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            flags = ("python-brace-format",) if placeholders(_first(message)) else ()
            _add(template, message, (relative, lineno), comments, flags)
    for name, notebook, cell in knob_names():
        _add(template, name, (notebook, cell), ["a guided experiment's knob"], ())
    return template


def _first(message: str | tuple) -> str:
    return message[0] if isinstance(message, tuple) else message


def _add(template: Catalog, message, location, comments, flags) -> None:
    existing = template.get(message)
    if existing is not None:
        existing.locations.append(location)
        return
    template[message] = Message(
        message, locations=[location], auto_comments=list(comments), flags=set(flags)
    )


def updated_messages_catalog() -> Catalog:
    existing = read_catalog(MESSAGES_PO) if MESSAGES_PO.exists() else None
    return merged(messages_template(), existing, "kerastutor")


def mo_bytes(catalog: Catalog) -> bytes:
    """The compiled catalogue the package loads (fuzzy and untranslated entries left out)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


# ---------------------------------------------------------------- the glossary


def glossary() -> dict:
    """translations/glossary.toml: `intro` texts and `[[term]]` entries, each with `en`, `zh`,
    `keras` (how the code spells it, may be empty), `en_def`, `zh_def` and `chapter`."""
    return tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))


def _cell_md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip())


def _link(term: dict, lang: str) -> str:
    """A glossary's link to a chapter: beside it, or, from the Chinese glossary to a chapter
    not translated yet, the English one (`kerastutor notebooks --lang zh` copies that one
    beside it and drops the `../`)."""
    chapter = term["chapter"]
    return chapter if lang == "en" or in_edition(NOTEBOOKS / chapter) else f"../{chapter}"


def _glossary_notebook(lang: str) -> nbformat.NotebookNode:
    data = glossary()
    texts = data[lang]
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    cells = [_cell_md(texts["intro"])]
    head = texts["table_head"]
    for section in data["section"]:
        rows = [
            f"### {section[lang]}",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
        ]
        for term in (t for t in data["term"] if t["section"] == section["key"]):
            keras = f"`{term['keras']}`" if term.get("keras") else ""
            link = f"[{texts['chapter'].format(n=int(term['chapter'][:2]))}]({_link(term, lang)})"
            if lang == "en":
                row = [f"**{term['en']}**", term["zh"], keras, term["en_def"], term["zh_def"], link]
            else:
                row = [f"**{term['zh']}**", term["en"], keras, term["zh_def"], term["en_def"], link]
            rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        cells.append(_cell_md("\n".join(rows)))
    cells.append(_cell_md(texts["summary"]))
    for number, cell in enumerate(cells):  # ids as nbstripout numbers them: by position
        cell.id = str(number)
    nb.cells = cells
    return nb


def glossary_notebooks() -> dict[Path, str]:
    """The two glossary notebooks, English and Chinese, as their canonical text."""
    return {
        GLOSSARY_EN: notebook_text(_glossary_notebook("en")),
        GLOSSARY_ZH: notebook_text(_glossary_notebook("zh")),
    }


# ---------------------------------------------------------------- command line


def _pick(names: Iterable[str], default: list[Path]) -> list[Path]:
    names = list(names)
    if not names:
        return default
    picked = []
    for name in names:
        matches = [p for p in chapters() if p.name.startswith(name) or p.stem == name]
        if len(matches) != 1:
            raise SystemExit(
                f"{name!r} names no single chapter; chapters: "
                + ", ".join(p.stem for p in chapters())
            )
        picked.append(matches[0])
    return picked


def _write(path: Path, data: bytes | str) -> bool:
    data = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"wrote {path.relative_to(ROOT)}")
    return True


def _report(name: str, catalog: Catalog) -> int:
    problems = stale(catalog)
    total = sum(len(v) for v in problems.values())
    counts = ", ".join(f"{len(v)} {k}" for k, v in problems.items() if v) or "complete"
    print(f"{name}: {counts}")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "command",
        choices=["start", "update", "build", "messages", "glossary", "prune", "all", "status"],
    )
    parser.add_argument("chapters", nargs="*", help="chapter numbers or notebook names")
    args = parser.parse_args(argv)
    begun = [p for p in chapters() if in_edition(p)]
    if args.command == "start":
        for notebook in _pick(args.chapters, []):
            if in_edition(notebook):
                print(f"{po_path(notebook).relative_to(ROOT)} exists already")
                continue
            _write(po_path(notebook), catalog_text(updated_chapter_catalog(notebook)))
        return 0
    if args.command in ("update", "all"):
        for notebook in _pick(args.chapters, begun):
            _write(po_path(notebook), catalog_text(updated_chapter_catalog(notebook)))
    if args.command == "prune":
        for notebook in _pick(args.chapters, begun):
            catalog = read_catalog(po_path(notebook))
            catalog.obsolete.clear()
            _write(po_path(notebook), catalog_text(catalog))
        if not args.chapters and MESSAGES_PO.exists():
            catalog = read_catalog(MESSAGES_PO)
            catalog.obsolete.clear()
            _write(MESSAGES_PO, catalog_text(catalog))
    if args.command in ("build", "all"):
        for notebook in _pick(args.chapters, begun):
            catalog = read_catalog(po_path(notebook))
            _write(zh_path(notebook), notebook_text(zh_notebook(notebook, catalog)))
    if args.command in ("messages", "all"):
        catalog = updated_messages_catalog()
        _write(MESSAGES_PO, catalog_text(catalog))
        _write(MESSAGES_MO, mo_bytes(read_catalog(MESSAGES_PO)))
    if args.command in ("glossary", "all"):
        for path, text in glossary_notebooks().items():
            _write(path, text)
    if args.command in ("status", "all"):
        left = sum(_report(p.stem, read_catalog(po_path(p))) for p in begun)
        left += _report("messages", read_catalog(MESSAGES_PO)) if MESSAGES_PO.exists() else 0
        missing = [p.stem for p in chapters() if not in_edition(p)]
        print("not in the Chinese edition yet: " + (", ".join(missing) or "none"))
        return 1 if left and args.command == "status" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
