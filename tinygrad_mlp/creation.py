"""Ways to make tensors besides `Tensor(data)`, named as in PyTorch and NumPy.

Floating results are float32 unless `dtype` says otherwise; random ones draw from the
package's seeded generator (`manual_seed`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import as_shape
from .random import generator
from .tensor import Tensor

_F32 = np.float32


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor.wrap(array)
    return t.requires_grad_(True) if requires_grad else t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """The same as `Tensor(data, requires_grad, dtype)`, spelled like `torch.tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(as_shape(shape), dtype=dtype), requires_grad)


def ones(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(as_shape(shape), dtype=dtype), requires_grad)


def full(shape: Any, value: float, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.full(as_shape((shape,)), value, dtype=dtype), requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros_like(t.data), requires_grad)


def ones_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return _new(np.ones_like(t.data), requires_grad)


def eye(n: int, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, dtype=dtype), requires_grad)


def arange(*args: float, dtype: Any = None) -> Tensor:
    """`arange(stop)`, `arange(start, stop[, step])`; integer unless a float is given."""
    array = np.arange(*args)
    if dtype is None and array.dtype.kind == "f":
        dtype = _F32
    return Tensor.wrap(array if dtype is None else array.astype(dtype))


def randn(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    return _new(generator().standard_normal(as_shape(shape)).astype(dtype), requires_grad)


def rand(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    return _new(generator().random(as_shape(shape)).astype(dtype), requires_grad)


__all__ = [
    "arange",
    "eye",
    "full",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "tensor",
    "zeros",
    "zeros_like",
]
