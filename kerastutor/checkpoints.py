"""Resuming after a crash: find the newest checkpoint that was written completely.

`ModelCheckpoint` writes `.keras` files in place. If the process dies while one is being
written (a killed kernel, a full disk, a power cut), the newest file in the folder is cut short
and cannot be loaded. A `.keras` file is a zip archive, and a zip's table of contents (its
"central directory") is the last thing written, so a file without one is incomplete:
`latest_checkpoint` skips such files and returns the newest complete one.

>>> import os, tempfile, keras
>>> folder = tempfile.mkdtemp()
>>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
>>> model.save(os.path.join(folder, "epoch_01.keras"))
>>> _ = open(os.path.join(folder, "epoch_02.keras"), "wb").write(b"PK cut short")
>>> epoch, path = latest_checkpoint(folder)
>>> epoch, os.path.basename(path)
(1, 'epoch_01.keras')
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile

from kerastutor.i18n import gettext as _

__all__ = ["latest_checkpoint", "CheckpointNotFoundError"]


class CheckpointNotFoundError(FileNotFoundError):
    """No complete checkpoint in the folder: training has to start from the beginning."""


def _complete(path: str) -> bool:
    if path.endswith(".keras"):
        if not zipfile.is_zipfile(path):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                return "config.json" in archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return False
    if path.endswith(".h5"):
        import h5py

        try:
            with h5py.File(path, "r"):
                return True
        except OSError:
            return False
    return os.path.getsize(path) > 0


def latest_checkpoint(folder: str, pattern: str = r"epoch_(\d+)") -> tuple[int, str]:
    """The newest complete checkpoint in `folder`, as `(epoch, path)`.

    Args:
        folder: where `ModelCheckpoint` saved, e.g. with
            `filepath=folder + "/epoch_{epoch:02d}.keras"`.
        pattern: a regular expression whose first group is the epoch number in a file name.

    Returns:
        The epoch number (pass it to `fit(..., initial_epoch=epoch)`) and the file's path.

    Raises:
        CheckpointNotFoundError: no complete checkpoint (or no folder): start from scratch.
    """
    if not os.path.isdir(folder):
        raise CheckpointNotFoundError(
            _("No checkpoint folder {folder}: start training from epoch 0.").format(folder=folder)
        )
    found, skipped = [], []
    for name in os.listdir(folder):
        match = re.search(pattern, name)
        if match is None:
            continue
        path = os.path.join(folder, name)
        (found if _complete(path) else skipped).append((int(match.group(1)), path))
    if skipped:
        names = ", ".join(os.path.basename(p) for _, p in sorted(skipped))
        warnings.warn(
            _("Skipped incomplete checkpoint(s) {names}: cut short while being written.").format(
                names=names
            ),
            RuntimeWarning,
            stacklevel=2,
        )
    if not found:
        raise CheckpointNotFoundError(
            _(
                "No complete checkpoint matching {pattern!r} in {folder}: start training from "
                "epoch 0."
            ).format(pattern=pattern, folder=folder)
        )
    return max(found)
