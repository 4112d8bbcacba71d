"""The language of kerastutor's messages: English, or Chinese after `set_language("zh")`.

Translations use the standard library's `gettext`, from the compiled catalogue
`kerastutor/locale/<language>/LC_MESSAGES/kerastutor.mo` (its source, the `.po` file beside it,
is kept up to date by `tools/zh_edition.py messages`). The language is the one `set_language`
chose, else the `KERASTUTOR_LANG` environment variable, else English; a system locale such as
`LANG=zh_CN.UTF-8` alone does not switch it. In Chinese, matplotlib also gets a CJK font, so
Chinese plot titles show no missing-glyph boxes.

Messages are looked up when they are shown, so a message written at import time is marked with
`N_` and translated where it is used: `gettext(N_("Right."))`.

>>> import kerastutor as kt
>>> kt.set_language("zh")
>>> kt.gettext("Right.")
'正确。'
>>> kt.set_language("en")
>>> kt.gettext("Right.")
'Right.'
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
import shutil
import subprocess
import warnings
from pathlib import Path

# Re-exported by kerastutor; `ngettext` and `N_`, for the package's own messages, are imported
# from here.
__all__ = ["LANGUAGES", "set_language", "language", "gettext"]

#: The languages kerastutor speaks; "en" is the source language of every message.
LANGUAGES = ("en", "zh")
DOMAIN = "kerastutor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENV_VAR = "KERASTUTOR_LANG"

_chosen: str | None = None
_warned: set[str] = set()


def _normalise(name: str) -> str | None:
    """ "zh", "zh_CN", "zh-Hans", "zh_CN.UTF-8" -> "zh"; "en_US" -> "en"; else None."""
    base = name.strip().split(".")[0].replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else None


def set_language(lang: str) -> None:
    """Speak `lang` ("en" or "zh", also "zh_CN", "zh-Hans", ...) from now on, in this kernel.

    Chinese also makes matplotlib use an installed CJK font. An unknown language is refused.
    """
    global _chosen
    normalised = _normalise(lang) if isinstance(lang, str) else None
    if normalised is None:
        raise ValueError(f"Unknown language {lang!r}: kerastutor speaks {', '.join(LANGUAGES)}.")
    _chosen = normalised
    if normalised == "zh":
        use_cjk_font()


def language() -> str:
    """The language messages are shown in: set_language's, else KERASTUTOR_LANG's, else "en"."""
    if _chosen is not None:
        return _chosen
    wanted = os.environ.get(ENV_VAR, "").strip()
    if not wanted:
        return "en"
    normalised = _normalise(wanted)
    if normalised is None and wanted not in _warned:
        _warned.add(wanted)
        warnings.warn(
            f"{ENV_VAR}={wanted!r} is not a language kerastutor speaks "
            f"({', '.join(LANGUAGES)}): using English.",
            RuntimeWarning,
            stacklevel=3,
        )
    return normalised or "en"


@functools.cache
def _translations(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def gettext(message: str) -> str:
    """`message` in the current language (unchanged in English, or when it has no translation).

    An empty message stays empty (gettext's own lookup of "" returns the catalogue's header).
    """
    return _translations(language()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language (Chinese has one form)."""
    return _translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for translation without translating it now (for module-level text)."""
    return message


# ---------------------------------------------------------------- fonts for Chinese plot text

#: CJK fonts matplotlib may use, best first: Noto (Debian's fonts-noto-cjk, Binder, CI), Adobe's
#: identical Source Han, then the usual ones of Linux, Windows and macOS.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Noto Sans CJK JP",
    "Arial Unicode MS",
)


def _cjk_font() -> str | None:
    """An installed CJK font family matplotlib can use, or None.

    Matplotlib caches its font list; a font installed after that cache was written is found
    through fontconfig (`fc-match`) and added.
    """
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not found or not Path(found).is_file():
        return None
    try:
        font_manager.fontManager.addfont(found)
        name = font_manager.FontProperties(fname=found).get_name()
    except Exception:  # a font file matplotlib cannot read
        return None
    return name


def use_cjk_font() -> str | None:
    """Let matplotlib draw Chinese: add an installed CJK font after the current font family.

    Latin text keeps its font (each glyph comes from the first family that has it). Returns the
    family added, or None, with a warning that says what to install, when there is none.
    """
    import matplotlib

    name = _cjk_font()
    if name is None:
        if "font" not in _warned:
            _warned.add("font")
            warnings.warn(
                gettext(
                    "No Chinese font found: Chinese text in plots will show as boxes. Install "
                    "one, e.g. `apt-get install fonts-noto-cjk` (Debian, Ubuntu), then restart "
                    "the kernel."
                ),
                RuntimeWarning,
                stacklevel=3,
            )
        return None
    family = list(matplotlib.rcParams["font.family"])
    if name not in family:
        matplotlib.rcParams["font.family"] = [*family, name]
    return name
