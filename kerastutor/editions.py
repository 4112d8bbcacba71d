"""The course in a language: which notebooks make an edition, and copying one to a folder.

The English notebooks are the course; the Chinese edition (`notebooks/zh/`, in an installed
package `kerastutor/course/zh/`) holds the chapters translated so far and the bilingual
glossary. A Chinese copy is complete all the same: a chapter not translated yet comes in
English. `kerastutor notebooks DIR --lang zh` uses `copy_edition`.

>>> from kerastutor.editions import edition_notebooks
>>> [p.name for p in edition_notebooks("zh")][:2]
['00_start_here.ipynb', '00_术语表.ipynb']
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kerastutor.i18n import LANGUAGES

__all__ = ["edition_notebooks", "copy_edition"]

#: The languages with an edition; each but English is a folder beside the English notebooks.
EDITIONS = LANGUAGES
#: Notebooks an edition replaces by one of another name (the glossary is bilingual in both).
TWINS = {"zh": {"glossary.ipynb": "00_术语表.ipynb"}}


def _english() -> list[Path]:
    from kerastutor.cli import course_notebooks

    return course_notebooks()


def _check(lang: str) -> None:
    if lang not in EDITIONS:
        raise ValueError(f"No {lang!r} edition of the course: choose one of {', '.join(EDITIONS)}.")


def edition_notebooks(lang: str = "en") -> list[Path]:
    """The notebooks of an edition, by name: its own, and English for chapters not translated."""
    _check(lang)
    english = _english()
    if lang == "en":
        return english
    folder = english[0].parent / lang
    own = {p.name: p for p in folder.glob("*.ipynb")} if folder.is_dir() else {}
    twins = TWINS.get(lang, {})
    picked = {p.name: p for p in english if p.name not in twins and p.name not in own}
    picked.update(own)
    return [picked[name] for name in sorted(picked)]


def _content(source: Path, lang: str) -> bytes:
    """A notebook as it goes into a copy: an edition's links to English chapters (`../NN`)
    point beside it, where the copy puts them."""
    data = source.read_bytes()
    if lang != "en" and source.parent.name == lang:
        data = data.replace(b"](../", b"](")
    return data


def copy_edition(
    target: str | Path, lang: str = "en", overwrite: bool = False, ask=input
) -> dict[str, list]:
    """Copy an edition's notebooks into `target`, as `kerastutor notebooks` does.

    A notebook already there and identical is left alone; one that differs (a learner's edited
    copy) is overwritten only with `overwrite=True` or after a "y" from `ask`; otherwise it is
    kept. Returns the names copied, kept and unchanged, and (`"english"`) the chapters that
    came in English because the edition has no translation of them yet.
    """
    _check(lang)
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory: choose another path.")
    target.mkdir(parents=True, exist_ok=True)
    result: dict[str, list] = {"copied": [], "kept": [], "unchanged": [], "english": []}
    for source in edition_notebooks(lang):
        if lang != "en" and source.parent.name != lang:
            result["english"].append(source.name)
        data = _content(source, lang)
        destination = target / source.name
        if destination.exists():
            if destination.read_bytes() == data:
                result["unchanged"].append(source.name)
                continue
            if not overwrite:
                question = f"{destination} differs from the course version (your edits?)."
                reply = ask(question + " Overwrite? [y/N] ")
                if reply.strip().lower() not in ("y", "yes"):
                    result["kept"].append(source.name)
                    continue
        if data == source.read_bytes():
            shutil.copyfile(source, destination)
        else:
            destination.write_bytes(data)
        result["copied"].append(source.name)
    return result
