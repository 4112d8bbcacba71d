"""Which exercises a learner has solved, kept across kernels, notebooks and sessions.

`kt.check` records every right answer; `kt.progress()` shows the record as a small table, one
row per chapter. The record is a JSON file in the user's data directory (not in the notebooks,
so a reset or a fresh copy of the course keeps it), found by `platformdirs`, or at
`$KERASTUTOR_PROGRESS` when that is set. Writes take a file lock (`filelock`) and replace the
file atomically, so two kernels that record at the same moment lose nothing. A file that cannot
be read is kept beside the new one (`progress.json.unreadable-<time>`) with a warning: a broken
record is never silently overwritten.

>>> import tempfile, os
>>> os.environ["KERASTUTOR_PROGRESS"] = os.path.join(tempfile.mkdtemp(), "progress.json")
>>> record_solved("02.best_epoch")
>>> sorted(solved())
['02.best_epoch']
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from pathlib import Path

from kerastutor.i18n import gettext as _

__all__ = ["progress", "progress_path", "record_solved", "solved"]

LOCK_TIMEOUT = 5.0  # seconds; a stuck lock must not hang a lesson


def progress_path() -> Path:
    """Where the record lives: `$KERASTUTOR_PROGRESS`, or `progress.json` in the user's data
    directory (e.g. `~/.local/share/kerastutor/` on Linux)."""
    override = os.environ.get("KERASTUTOR_PROGRESS")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("kerastutor", appauthor=False) / "progress.json"


def _lock(path: Path):
    from filelock import FileLock

    return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT)


def _read(path: Path) -> dict[str, float]:
    """The record as {exercise key: time solved}; an unreadable file is set aside, not lost."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        solved_at = data["solved"]
        if not isinstance(solved_at, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) for k, v in solved_at.items()
        ):
            raise ValueError("'solved' is not a map of exercise keys to times")
        return dict(solved_at)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        backup = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(path, backup)
            where = _("kept as {backup}").format(backup=backup)
        except OSError:
            where = _("left where it is")
        warnings.warn(
            _(
                "The progress record {path} could not be read ({error}); it is {where}, and a new "
                "record starts now."
            ).format(path=path, error=exc, where=where),
            RuntimeWarning,
            stacklevel=3,
        )
        return {}


def _write(path: Path, solved_at: dict[str, float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": 1, "solved": solved_at}, indent=1, sort_keys=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, path)  # atomic: a reader sees the old or the new file, whole
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def record_solved(key: str) -> None:
    """Add `key` to the record (keeping the time it was first solved)."""
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        solved_at = _read(path)
        solved_at.setdefault(key, time.time())
        _write(path, solved_at)


def solved() -> dict[str, float]:
    """The solved exercises, `{key: time first solved}`."""
    path = progress_path()
    if not path.exists():
        return {}
    with _lock(path):
        return _read(path)


def progress():
    """A table of the course's exercises by chapter: how many there are, how many you solved,
    and which are still open. Keys in the record that no exercise has any more are ignored
    with a warning."""
    import pandas as pd

    from kerastutor.exercises import EXERCISES

    done = solved()
    unknown = sorted(set(done) - set(EXERCISES))
    if unknown:
        warnings.warn(
            _(
                "The progress record names exercises the course no longer has: {unknown}; "
                "they are ignored."
            ).format(unknown=unknown),
            RuntimeWarning,
            stacklevel=2,
        )
    rows = {}
    for key in EXERCISES:
        chapter = key.split(".", 1)[0]
        row = rows.setdefault(chapter, {"exercises": 0, "solved": 0, "open": []})
        row["exercises"] += 1
        if key in done:
            row["solved"] += 1
        else:
            row["open"].append(key)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "chapter"
    frame["open"] = frame["open"].map(lambda keys: ", ".join(keys) or "-")
    return frame
