"""Ways to make tensors besides `Tensor(data)`, named as in PyTorch and NumPy.

Floating results are float32 unless `dtype` says otherwise; random ones draw from the
package's seeded generator (`manual_seed`). `from_numpy` shares the array's memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import ACCEPTED, as_dtype, as_shape
from .random import generator
from .tensor import Tensor

_F32 = np.float32


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor.wrap(array)
    return t.requires_grad_(requires_grad) if requires_grad is not False else t


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares `array`'s memory and keeps its dtype, as `torch.from_numpy`:
    a change to one is seen in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"from_numpy() expects a NumPy array, got {type(array).__name__}; for other data "
            "use tg.tensor(...)"
        )
    if array.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy() got an array of dtype {array.dtype}; expected {ACCEPTED}")
    return Tensor.wrap(array)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """The same as `Tensor(data, requires_grad, dtype)`, spelled like `torch.tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(as_shape(shape, "zeros"), dtype=as_dtype(dtype, "zeros()")), requires_grad)


def ones(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(as_shape(shape, "ones"), dtype=as_dtype(dtype, "ones()")), requires_grad)


def empty(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are whatever the memory held (write them before reading)."""
    return _new(np.empty(as_shape(shape, "empty"), dtype=as_dtype(dtype, "empty()")), requires_grad)


def full(shape: Any, value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`shape` filled with `value`; the dtype follows the value, as in PyTorch (a float
    gives float32, an int int64, a bool bool) unless `dtype` says otherwise."""
    if dtype is None:
        dtype = _F32 if isinstance(value, float) else np.asarray(value).dtype
    return _new(
        np.full(as_shape((shape,), "full"), value, as_dtype(dtype, "full()")), requires_grad
    )


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else as_dtype(dtype, "zeros_like()")
    return _new(np.zeros(t.shape, dtype=dt), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else as_dtype(dtype, "ones_like()")
    return _new(np.ones(t.shape, dtype=dt), requires_grad)


def full_like(t: Tensor, value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else as_dtype(dtype, "full_like()")
    return _new(np.full(t.shape, value, dtype=dt), requires_grad)


def eye(n: int, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, dtype=as_dtype(dtype, "eye()")), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = _F32) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    (steps,) = as_shape((steps,), "linspace")
    return Tensor.wrap(np.linspace(start, end, steps).astype(as_dtype(dtype, "linspace()")))


def arange(*args: float, dtype: Any = None) -> Tensor:
    """`arange(stop)`, `arange(start, stop[, step])`; integer unless a float is given."""
    array = np.arange(*args)
    if dtype is None and array.dtype.kind == "f":
        dtype = _F32
    return Tensor.wrap(array if dtype is None else array.astype(dtype))


def randn(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dt = as_dtype(dtype, "randn()")
    return _new(generator().standard_normal(as_shape(shape, "randn")).astype(dt), requires_grad)


def rand(*shape: Any, dtype: Any = _F32, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    dt = as_dtype(dtype, "rand()")
    return _new(generator().random(as_shape(shape, "rand")).astype(dt), requires_grad)


def randint(*args: Any, size: Any = None, dtype: Any = np.int64) -> Tensor:
    """Integers drawn uniformly from [low, high): `randint(high, size)` or
    `randint(low, high, size)`, as `torch.randint`."""
    if size is None and args and isinstance(args[-1], tuple | list):
        *args, size = args
    if size is None or len(args) not in (1, 2):
        raise TypeError(
            "randint() takes (high, size) or (low, high, size), size a tuple, e.g. "
            f"randint(0, 10, (3,)); got {args!r}, size={size!r}"
        )
    low, high = (0, *args) if len(args) == 1 else args
    shape = as_shape((size,), "randint")
    if high <= low:
        raise ValueError(f"randint(): high ({high}) must be larger than low ({low})")
    return Tensor.wrap(generator().integers(low, high, shape).astype(as_dtype(dtype, "randint()")))


__all__ = [
    "arange",
    "empty",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "rand",
    "randint",
    "randn",
    "tensor",
    "zeros",
    "zeros_like",
]
