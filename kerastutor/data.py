"""Data sets of the course: MNIST from the best source at hand, and the tutorials' seeded
synthetic data.

`load_mnist()` returns `(x_train, y_train), (x_test, y_test)` exactly like
`keras.datasets.mnist.load_data()`, but it also works offline: with no network it falls back to
a stratified subset of real MNIST (10,000 train / 2,000 test images) shipped in the package.

Sources, tried in this order by `source="auto"`:

1. `$KERASTUTOR_MNIST_DIR/mnist.npz`, when an instructor names a directory holding a full copy;
2. the Keras cache, `~/.keras/datasets/mnist.npz` (where `keras.datasets.mnist` keeps it);
3. a download into that cache, with a short timeout, unless `KERASTUTOR_OFFLINE=1`;
4. the bundled subset.

Example:

>>> import kerastutor as kt
>>> (x_train, y_train), (x_test, y_test) = kt.load_mnist(source="bundled", verbose=False)
>>> x_train.shape, y_train.shape, x_test.shape
((10000, 28, 28), (10000,), (2000, 28, 28))
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kerastutor.i18n import gettext as _

__all__ = [
    "MnistFileError",
    "MnistInfo",
    "load_mnist",
    "mnist_info",
    "resolve_source",
    "split_validation",
    "make_random_classification",
    "make_multi_input_data",
    "BUNDLED_MNIST",
]

BUNDLED_MNIST = Path(__file__).with_name("datasets") / "mnist_subset.npz"
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
DOWNLOAD_TIMEOUT = 5.0  # seconds; a blocked network must not stall a lesson
_SOURCES = ("auto", "dir", "cache", "download", "bundled")


class MnistFileError(ValueError):
    """An MNIST file that cannot be used: missing keys, wrong shapes or not an .npz at all."""


@dataclass(frozen=True)
class MnistInfo:
    """Where the last `load_mnist()` call found its data."""

    source: str
    path: str
    n_train: int
    n_test: int

    def __str__(self) -> str:
        return (
            f"MNIST from {self.source} ({self.path}): "
            f"{self.n_train:,} train / {self.n_test:,} test images"
        )


_last_info: MnistInfo | None = None


def mnist_info() -> MnistInfo | None:
    """Return where the most recent `load_mnist()` call got its data (None before any call)."""
    return _last_info


def _keras_cache_file() -> Path:
    base = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()  # as Keras
    return base / "datasets" / "mnist.npz"


def _offline() -> bool:
    return os.environ.get("KERASTUTOR_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _read_npz(path: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read and validate an MNIST .npz; errors name the file and how to fix it."""
    fix = _(
        "Delete or replace the file with a real MNIST .npz (keys x_train, y_train, x_test, "
        "y_test), or call load_mnist(source='bundled') to use the copy shipped with kerastutor."
    )
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
            if missing:
                raise MnistFileError(
                    _("{path} lacks the arrays {missing}. {fix}").format(
                        path=path, missing=sorted(missing), fix=fix
                    )
                )
            arrays = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except MnistFileError:
        raise
    except Exception as exc:  # zipfile, pickle and OS errors all mean "not a usable .npz"
        raise MnistFileError(
            _("{path} is not a readable .npz file ({error}). {fix}").format(
                path=path, error=exc, fix=fix
            )
        ) from exc
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.shape[0] == 0:
            raise MnistFileError(
                _("{path}: x_{split} holds no images. {fix}").format(
                    path=path, split=split, fix=fix
                )
            )
        if x.dtype != np.uint8:
            raise MnistFileError(
                _(
                    "{path}: x_{split} has dtype {dtype}; MNIST images are uint8 bytes 0-255 "
                    "(scaled or float images belong in your code, not in the file). {fix}"
                ).format(path=path, split=split, dtype=x.dtype, fix=fix)
            )
        if not np.issubdtype(y.dtype, np.integer):
            raise MnistFileError(
                _(
                    "{path}: y_{split} has dtype {dtype}; labels are whole numbers 0-9. {fix}"
                ).format(path=path, split=split, dtype=y.dtype, fix=fix)
            )
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise MnistFileError(
                _("{path}: x_{split} has shape {shape}, not (n, 28, 28). {fix}").format(
                    path=path, split=split, shape=x.shape, fix=fix
                )
            )
        if y.shape != (x.shape[0],):
            raise MnistFileError(
                _("{path}: y_{split} has shape {shape} but x_{split} has {n} images. {fix}").format(
                    path=path, split=split, shape=y.shape, n=x.shape[0], fix=fix
                )
            )
        if y.size and (y.min() < 0 or y.max() > 9):
            raise MnistFileError(
                _("{path}: y_{split} holds labels outside 0-9. {fix}").format(
                    path=path, split=split, fix=fix
                )
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(target: Path, timeout: float) -> bool:
    """Fetch MNIST into the Keras cache; return False (never hang) when the network fails."""
    try:
        with urllib.request.urlopen(MNIST_URL, timeout=timeout) as response:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
                shutil.copyfileobj(response, tmp)
        if _sha256(Path(tmp.name)) != MNIST_SHA256:
            os.unlink(tmp.name)
            return False
        os.replace(tmp.name, target)  # atomic: a half-written file never sits in the cache
        return True
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        return False


class _SourceMissing(FileNotFoundError):
    """The MNIST source asked for is not there; `problem` and `fix` say why and what to do."""

    def __init__(self, problem: str, fix: str):
        super().__init__(f"{problem}. {fix[:1].upper()}{fix[1:]}.")
        self.problem, self.fix = problem, fix


def resolve_source(
    source: str = "auto", *, download: bool = True, timeout: float = DOWNLOAD_TIMEOUT
) -> tuple[str, Path]:
    """Where MNIST comes from: `(label, path)` of the file `load_mnist(source)` reads.

    The one place that decides it, used by `load_mnist()` and by `kerastutor doctor`. With
    `source="auto"`: `$KERASTUTOR_MNIST_DIR/mnist.npz` (`~` expanded) when the variable is set,
    else the Keras cache, else a download into that cache (unless `KERASTUTOR_OFFLINE=1`, or
    `download=False`: just say where the data is now), else the bundled subset. The file
    itself is not read. A source asked for by name that is not there raises an error naming
    the fix (`FileNotFoundError`, `ValueError` or `ConnectionError`).

    >>> label, path = resolve_source("bundled")
    >>> label, path.name
    ('the bundled subset', 'mnist_subset.npz')
    """
    if source not in _SOURCES:
        raise ValueError(
            _("Unknown MNIST source {source!r}. Choose one of {sources}.").format(
                source=source, sources=list(_SOURCES)
            )
        )
    directory = os.environ.get("KERASTUTOR_MNIST_DIR")
    if source in ("auto", "dir") and directory:
        path = Path(directory).expanduser() / "mnist.npz"
        if not path.is_file():
            raise _SourceMissing(
                _("KERASTUTOR_MNIST_DIR={directory} but {path} does not exist").format(
                    directory=directory, path=path
                ),
                _("put mnist.npz there, or unset KERASTUTOR_MNIST_DIR to use another source"),
            )
        return "KERASTUTOR_MNIST_DIR", path
    if source == "dir":
        raise ValueError(
            _("source='dir' needs KERASTUTOR_MNIST_DIR set to a directory with mnist.npz.")
        )
    cache = _keras_cache_file()
    if source in ("auto", "cache") and cache.is_file():
        return "the Keras cache", cache
    if source == "download" or (source == "auto" and download and not _offline()):
        if _download(cache, timeout):
            return "a download into the Keras cache", cache
        if source == "download":
            raise ConnectionError(
                _(
                    "Could not download MNIST within {seconds:.0f} s. Check the network, or use "
                    "load_mnist(source='bundled') for the copy shipped with kerastutor."
                ).format(seconds=timeout)
            )
    if source == "cache":
        raise _SourceMissing(
            _("No MNIST in the Keras cache ({cache})").format(cache=cache), _("try source='auto'")
        )
    return "the bundled subset", BUNDLED_MNIST


def load_mnist(
    source: str = "auto",
    *,
    verbose: bool = True,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as `(x_train, y_train), (x_test, y_test)`, uint8 images and labels.

    Args:
        source: `"auto"` tries, in order, `$KERASTUTOR_MNIST_DIR`, the Keras cache, a
            download (skipped when `KERASTUTOR_OFFLINE=1`) and the bundled subset.
            `"dir"`, `"cache"`, `"download"` or `"bundled"` ask for one source only.
            The course notebooks use `"bundled"` so that every cell runs in seconds.
            `resolve_source()` makes this choice (and `kerastutor doctor` reports it).
        verbose: print one line saying which source was used and how many images it has.
        timeout: seconds to wait for the download before falling back.

    Returns:
        Two tuples of NumPy arrays, as `keras.datasets.mnist.load_data()` returns.

    Example:

    >>> (x, y), _ = load_mnist("bundled", verbose=False)
    >>> x.dtype, int(y.max())
    (dtype('uint8'), 9)
    """
    global _last_info
    label, path = resolve_source(source, timeout=timeout)
    (x_train, y_train), (x_test, y_test) = _read_npz(path)
    _last_info = MnistInfo(label, str(path), len(x_train), len(x_test))
    if verbose:
        print(_last_info)
    return (x_train, y_train), (x_test, y_test)


def split_validation(
    x: np.ndarray,
    y: np.ndarray,
    validation_size: float | int = 0.2,
    *,
    seed: int = 0,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out a validation set from training data: seeded, stratified, test set untouched.

    Use it on the *training* part of `load_mnist()`. The three sets then have three jobs:
    `fit` learns from the training set; the validation set chooses (epochs, learning rate,
    `EarlyStopping`, `ModelCheckpoint(save_best_only=True)`); the test set is evaluated once,
    at the end, to report how the chosen model does on data no decision has seen.

    Stratified means each class keeps its share in both parts, so a small validation set is
    not short of some digit by chance. (`keras.utils.split_dataset` splits at random and
    returns `tf.data` datasets; this keeps NumPy arrays and class shares.)

    Args:
        x: training inputs, first axis the samples.
        y: integer class labels, one per sample (1-D).
        validation_size: a fraction in (0, 1) of the samples, or a whole number of samples.
        seed: the same seed gives the same split.

    Returns:
        `(x_train, y_train), (x_val, y_val)`, each part in a shuffled order.

    Example:

    >>> (x, y), _ = load_mnist("bundled", verbose=False)
    >>> (x_train, y_train), (x_val, y_val) = split_validation(x, y, 2000, seed=0)
    >>> len(x_train), len(x_val)
    (8000, 2000)
    >>> [int(n) for n in np.bincount(y_val)]  # about 200 of each digit
    [197, 225, 199, 204, 195, 181, 197, 209, 195, 198]
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(
            _(
                "split_validation needs integer labels, one per sample (1-D); got shape {shape}. "
                "For one-hot rows pass y.argmax(axis=1)."
            ).format(shape=y.shape)
        )
    if len(x) != len(y):
        raise ValueError(
            _("x has {n_x} samples but y has {n_y}: they must match.").format(
                n_x=len(x), n_y=len(y)
            )
        )
    n = len(y)
    if isinstance(validation_size, (int, np.integer)) and not isinstance(validation_size, bool):
        n_val = int(validation_size)
    elif isinstance(validation_size, (float, np.floating)) and 0 < validation_size < 1:
        n_val = int(round(n * float(validation_size)))
    else:
        raise ValueError(
            _(
                "validation_size must be a fraction in (0, 1) or a whole number of samples; "
                "got {value!r}."
            ).format(value=validation_size)
        )
    if not 0 < n_val < n:
        raise ValueError(
            _(
                "validation_size={value!r} leaves {n_val} of {n} samples for validation: "
                "both parts need at least one sample."
            ).format(value=validation_size, n_val=n_val, n=n)
        )
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    # Largest-remainder rounding: each class gets its share, and the shares add up to n_val.
    exact = counts * n_val / n
    take = np.floor(exact).astype(int)
    short = n_val - take.sum()
    take[np.argsort(exact - take, kind="stable")[::-1][:short]] += 1
    val_index = []
    for label, k in zip(classes, take):
        members = np.flatnonzero(y == label)
        val_index.append(rng.choice(members, size=k, replace=False))
    val_index = rng.permutation(np.concatenate(val_index))
    is_val = np.zeros(n, dtype=bool)
    is_val[val_index] = True
    train_index = rng.permutation(np.flatnonzero(~is_val))
    return (x[train_index], y[train_index]), (x[val_index], y[val_index])


def make_random_classification(
    n_train: int = 1000,
    n_val: int = 200,
    n_test: int = 200,
    n_features: int = 32,
    n_classes: int = 10,
    seed: int = 0,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The tutorials' random data: uniform features in [0, 1) and random integer labels.

    There is nothing to learn in it, which is the point: a model's accuracy stays near
    `1 / n_classes` on unseen data while it can still memorise the training set.

    Returns:
        `{"train": (x, y), "val": (x, y), "test": (x, y)}`, float32 features, int64 labels.

    Example:

    >>> data = make_random_classification(seed=1)
    >>> data["train"][0].shape, data["val"][1].shape
    ((1000, 32), (200,))
    """
    rng = np.random.default_rng(seed)
    out = {}
    for split, n in (("train", n_train), ("val", n_val), ("test", n_test)):
        x = rng.random((n, n_features), dtype=np.float32)
        y = rng.integers(0, n_classes, size=n)
        out[split] = (x, y)
    return out


def make_multi_input_data(
    n: int = 100,
    timesteps: int = 20,
    n_classes: int = 5,
    seed: int = 0,
    noise: float = 0.2,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Seeded inputs and targets for the image + time-series model (`get_multi_io_model`),
    made so that both targets can be learned from the inputs.

    Each sample has a class `c` and two strengths, `b` and `a`, drawn uniformly from [0.5, 1.5]:

    - `img_input` (n, 32, 32, 3): Gaussian noise (standard deviation `noise`) with one 4x4
      square at a random place, in class `c`'s colour (evenly spaced hues) times `b`;
    - `ts_input` (n, timesteps, 10): Gaussian noise with a bump of height `a`, 3 steps long,
      at a random time on channel `c`;
    - `class_output` (n, n_classes): `c`, one-hot;
    - `score_output` (n, 1): `b + a - 2` plus Gaussian noise of standard deviation 0.1.

    So the class says *which* colour and channel carry the marks, and the score *how strong*
    they are. Predicting the mean score everywhere gives a mean squared error near its
    variance, 1/6 + 0.01 ≈ 0.18. Different seeds give independent samples, so a training,
    a validation and a test set are three calls with three seeds.

    Returns:
        `(inputs, targets)` as dicts keyed by the model's input and output names.

    Example:

    >>> x, y = make_multi_input_data(n=8, seed=3)
    >>> x["img_input"].shape, x["ts_input"].shape, y["score_output"].shape, y["class_output"].shape
    ((8, 32, 32, 3), (8, 20, 10), (8, 1), (8, 5))
    >>> x, y = make_multi_input_data(n=500, seed=0)
    >>> read_off = x["ts_input"].max(axis=1)[:, :5].argmax(axis=1)  # the channel with the bump
    >>> bool((read_off == y["class_output"].argmax(axis=1)).mean() > 0.9)
    True
    """
    import colorsys

    if not 2 <= n_classes <= 10:
        raise ValueError(
            _("n_classes must be between 2 and 10 (one series channel per class), got {n}.").format(
                n=n_classes
            )
        )
    if timesteps < 3:
        raise ValueError(
            _("timesteps must be at least 3 (the bump is 3 steps long), got {n}.").format(
                n=timesteps
            )
        )
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, size=n)
    image_strength = rng.uniform(0.5, 1.5, size=n).astype(np.float32)
    series_strength = rng.uniform(0.5, 1.5, size=n).astype(np.float32)
    images = (noise * rng.standard_normal((n, 32, 32, 3))).astype(np.float32)
    series = (noise * rng.standard_normal((n, timesteps, 10))).astype(np.float32)
    colours = np.array(
        [colorsys.hsv_to_rgb(c / n_classes, 1.0, 1.0) for c in range(n_classes)], dtype=np.float32
    )
    rows, cols = rng.integers(0, 32 - 4 + 1, size=(2, n))
    starts = rng.integers(0, timesteps - 3 + 1, size=n)
    for i, c in enumerate(labels):
        images[i, rows[i] : rows[i] + 4, cols[i] : cols[i] + 4] += image_strength[i] * colours[c]
        series[i, starts[i] : starts[i] + 3, c] += series_strength[i]
    score = image_strength + series_strength - 2.0 + 0.1 * rng.standard_normal(n)
    inputs = {"img_input": images, "ts_input": series}
    targets = {
        "score_output": score.astype(np.float32)[:, None],
        "class_output": np.eye(n_classes, dtype=np.float32)[labels],
    }
    return inputs, targets
