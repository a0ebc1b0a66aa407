"""Toy data sets for 2-D classification, and a mini-batch loader.

Every data set returns `(X, y)`: `X` is float32 of shape `(n, 2)`, `y` is int64 of shape
`(n,)` holding class labels `0, 1, ...`. Classes get equal shares of the `n` points (the first
classes get one more when `n` does not divide evenly), and the rows come in random order.
All randomness (noise, row order, loader shuffling) comes from
`tinygrad_mlp.random.generator()`, so `manual_seed(n)` makes it reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from numbers import Integral, Real
from typing import Any

import numpy as np

from .random import generator

__all__ = ["xor", "moons", "circles", "spirals", "DataLoader"]


# ---------------------------------------------------------------------------------------------
# Argument checks


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_noise(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"noise must be a finite number >= 0, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {value!r}")
    return float(value)


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split n points over classes as evenly as possible (first classes get the extras)."""
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _finish(parts: list[np.ndarray], noise_xy: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-class point arrays, add coordinate noise, shuffle rows, cast dtypes."""
    rng = generator()
    X = np.concatenate(parts, axis=0)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    if noise_xy > 0:
        X = X + noise_xy * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order].astype(np.float32), y[order]


# ---------------------------------------------------------------------------------------------
# Data sets


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR rows, in the order (0,0)->0, (1,0)->1, (1,1)->0, (0,1)->1."""
    X = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    y = np.array([0, 1, 0, 1], dtype=np.int64)
    return X, y


def moons(n: int = 200, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles of radius 1.

    Class 0 is the upper arc centred at (0, 0); class 1 is the lower arc centred at
    (1, 0.5). `noise` is the standard deviation of Gaussian noise added to each coordinate.
    """
    n = _check_int("n", n, 1)
    noise = _check_noise(noise)
    n0, n1 = _class_sizes(n, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return _finish([upper, lower], noise)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles centred at the origin.

    Class 0 lies on the circle of radius 1, class 1 on the circle of radius `factor`
    (0 <= factor < 1). `noise` is the standard deviation of Gaussian noise added to each
    coordinate.
    """
    n = _check_int("n", n, 1)
    noise = _check_noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, Real):
        raise TypeError(f"factor must be a number with 0 <= factor < 1, got {factor!r}")
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be a number with 0 <= factor < 1, got {factor!r}")
    parts = []
    for size, radius in zip(_class_sizes(n, 2), (1.0, float(factor)), strict=True):
        angle = np.linspace(0.0, 2 * np.pi, size, endpoint=False)
        parts.append(radius * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return _finish(parts, noise)


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """`classes` spiral arms winding out from the origin, one class per arm.

    Along arm k the radius r runs evenly from 0.1 to 1 and the angle is
    `2*pi*k/classes + 2*pi*r` (one full turn). `noise` is the standard deviation of
    Gaussian noise added to each point's angle, in radians.
    """
    n = _check_int("n", n, 1)
    classes = _check_int("classes", classes, 2)
    noise = _check_noise(noise)
    rng = generator()
    parts = []
    for k, size in enumerate(_class_sizes(n, classes)):
        r = np.linspace(0.1, 1.0, size)
        angle = 2 * np.pi * k / classes + 2 * np.pi * r
        if noise > 0:
            angle = angle + noise * rng.standard_normal(size)
        parts.append(r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return _finish(parts)


# ---------------------------------------------------------------------------------------------
# Loader


class DataLoader:
    """Iterate over `(X, y)` in mini-batches of Tensors.

    Each `iter(loader)` is one epoch: with `shuffle=True` it draws a fresh permutation from
    the package generator. Batches hold `batch_size` rows; the last one is smaller unless
    `drop_last=True` drops it. Floating data becomes `dtype` (float32 by default); integer
    and boolean data keep their dtype. With `y=None` the loader yields only `xb`.
    """

    def __init__(
        self,
        X: Any,
        y: Any = None,
        batch_size: int = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        dtype: Any = np.float32,
    ) -> None:
        self.batch_size = _check_int("batch_size", batch_size, 1)
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"dtype must be a floating dtype, got {self.dtype}")
        self.X = self._prepare("X", X)
        self.y = None if y is None else self._prepare("y", y)
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(
                f"X and y must have the same number of rows, got {len(self.X)} and {len(self.y)}"
            )
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)

    def _prepare(self, name: str, data: Any) -> np.ndarray:
        array = np.asarray(data)
        if array.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension (rows), got a scalar")
        if np.issubdtype(array.dtype, np.floating):
            array = array.astype(self.dtype, copy=False)
        return array

    def __len__(self) -> int:
        """Number of batches in one epoch."""
        rows = len(self.X)
        return rows // self.batch_size if self.drop_last else -(-rows // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        from .tensor import Tensor  # imported lazily: the data sets need no core

        # The permutation is drawn when the epoch starts, not at the first next().
        rows = len(self.X)
        order = generator().permutation(rows) if self.shuffle else np.arange(rows)
        return self._batches(order, Tensor)

    def _batches(self, order: np.ndarray, Tensor: Any) -> Iterator[Any]:
        def as_tensor(batch: np.ndarray) -> Any:
            if np.issubdtype(batch.dtype, np.floating):
                return Tensor(batch, dtype=batch.dtype.type)
            return Tensor(batch)

        for b in range(len(self)):
            index = order[b * self.batch_size : (b + 1) * self.batch_size]
            # Fancy indexing copies, so a batch never aliases the loader's arrays.
            xb = as_tensor(self.X[index])
            if self.y is None:
                yield xb
            else:
                yield xb, as_tensor(self.y[index])

    def __repr__(self) -> str:
        return (
            f"DataLoader(rows={len(self.X)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
