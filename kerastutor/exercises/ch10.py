"""Chapter 10's exercises."""

from __future__ import annotations

from kerastutor.exercises.engine import Exercise
from kerastutor.exercises.engine import Malformed as _Malformed

Verdict = tuple[bool, str]


def _extension(answer, **_) -> Verdict:
    if not isinstance(answer, str):
        raise _Malformed(f"expected a string such as '.xyz', got {answer!r}")
    ext = answer.strip().lower().lstrip("*")
    ext = ext if ext.startswith(".") else "." + ext
    if ext == ".keras":
        return True, "Right: .keras is the Keras 3 format (one zip file)."
    if ext in (".h5", ".hdf5"):
        return False, "HDF5 still works, but it is the legacy format."
    return False, f"Keras 3 does not save whole models as {ext}."


def _weights_suffix(answer, **_) -> Verdict:
    if not isinstance(answer, str):
        raise _Malformed(f"expected a string, got {answer!r}")
    ext = answer.strip().lower()
    ext = ext if ext.startswith(".") else "." + ext
    if ext == ".weights.h5":
        return True, "Right: Keras 3 wants weight files named *.weights.h5."
    if ext == ".h5":
        return False, "close, but Keras 3 asks for a longer suffix that says what the file holds."
    return False, f"save_weights refuses names ending in {ext}."


EXERCISES = [
    Exercise(
        key="10.extension",
        kind="recall",
        prompt="Which file extension makes model.save write the Keras 3 format?",
        checker=_extension,
        hints=("It is named after the library.",),
        solution="answer = '.keras'",
        wrong="answer = '.h5'",
    ),
    Exercise(
        key="10.weights_suffix",
        kind="recall",
        prompt="What must a file name given to save_weights end with?",
        checker=_weights_suffix,
        hints=("It says what the file holds, then the HDF5 extension.",),
        solution="answer = '.weights.h5'",
        wrong="answer = '.h5'",
    ),
]
