"""Build the MNIST subset shipped inside kerastutor from a full copy of MNIST.

Usage: python tools/build_mnist_subset.py ../shared/data/mnist.npz

The subset is stratified: each digit keeps its share of the full train and test splits,
drawn with a fixed seed, so rebuilding it gives the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

N_TRAIN = 10_000
N_TEST = 2_000
SEED = 20_200_608
OUT = Path(__file__).resolve().parents[1] / "kerastutor" / "datasets" / "mnist_subset.npz"


def stratified_indices(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Pick n indices so each class keeps its share of y, in ascending order."""
    classes, counts = np.unique(y, return_counts=True)
    quotas = np.floor(counts / counts.sum() * n).astype(int)
    # Hand the rounding remainder to the classes with the largest fractional parts.
    remainder = n - quotas.sum()
    fractions = counts / counts.sum() * n - quotas
    quotas[np.argsort(-fractions)[:remainder]] += 1
    picked = [rng.choice(np.flatnonzero(y == c), q, replace=False) for c, q in zip(classes, quotas)]
    return np.sort(np.concatenate(picked))


def main(source: str) -> None:
    rng = np.random.default_rng(SEED)
    with np.load(source) as full:
        train = stratified_indices(full["y_train"], N_TRAIN, rng)
        test = stratified_indices(full["y_test"], N_TEST, rng)
        np.savez_compressed(
            OUT,
            x_train=full["x_train"][train],
            y_train=full["y_train"][train],
            x_test=full["x_test"][test],
            y_test=full["y_test"][test],
        )
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mnist.npz")
