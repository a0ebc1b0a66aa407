"""Module-level functions that mirror Tensor methods, as `torch.exp(x)` mirrors `x.exp()`.

`tg.sum(x, dim=1)` is `x.sum(dim=1)`, `tg.max(x, 1)` is `x.max(1)`, and so on; `cat` and
`stack` take `dim=` (or NumPy's `axis=`), and `isclose`, `allclose`, `equal` compare.

This module defines `sum`, `max`, `min`, `abs`, `all`, `any` and `pow`, so its own code
reaches Python's through `builtins`.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from .checks import as_dim, as_tensor_list, axis_args
from .tensor_methods import TensorMethods


def _is_tensor(x: Any) -> builtins.bool:
    return isinstance(x, TensorMethods)


def _function(name: str) -> Callable:
    """`tg.name(x, ...)`, the same as `x.name(...)` (as `torch.exp(x)` is `x.exp()`)."""

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_tensor(input):
            raise TypeError(
                f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}; "
                "make one first: tg.tensor(...)"
            )
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`{name}(x, ...)` is `x.{name}(...)`."
    return function


exp, log, sqrt, tanh, sigmoid, relu = map(_function, "exp log sqrt tanh sigmoid relu".split())
abs, neg, clamp, clip = map(_function, "abs neg clamp clip".split())
add, sub, mul, div, pow = map(_function, "add sub mul div pow".split())
sum, mean, amax, amin, argmax, argmin = map(_function, "sum mean amax amin argmax argmin".split())
max, min, var, std, norm = map(_function, "max min var std norm".split())
all, any, numel = map(_function, "all any numel".split())
reshape, permute, transpose, swapaxes = map(_function, "reshape permute transpose swapaxes".split())
flatten, unsqueeze, squeeze, t = map(_function, "flatten unsqueeze squeeze t".split())
sin, cos, sign, square, erf = map(_function, "sin cos sign square erf".split())
log1p, expm1 = map(_function, "log1p expm1".split())


def cat(tensors: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """Join tensors along an existing axis (`dim=`, or NumPy's `axis=`), as `torch.cat`."""
    from .tensor import concatenate

    dim = axis_args(dim, False, axis, None, "cat")[0] or 0
    return concatenate(list(tensors), dim)


concat = cat


def stack(tensors: Any, dim: int | None = None, *, axis: int | None = None) -> Any:
    """Join tensors of one shape along a new axis (`dim=`, or NumPy's `axis=`)."""
    from .tensor import Tensor, concatenate

    dim = axis_args(dim, False, axis, None, "stack")[0] or 0
    tensors = as_tensor_list(tensors, "stack")
    parts = [t if _is_tensor(t) else Tensor(np.asarray(t)) for t in tensors]
    shapes = {t.shape for t in parts}
    if len(shapes) != 1:
        raise ValueError(f"stack() needs tensors of one shape, got {sorted(shapes)}")
    dim = as_dim(dim, len(shapes.pop()) + 1, "stack")
    return concatenate([t.unsqueeze(dim) for t in parts], dim)


def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """Elementwise |a - b| <= atol + rtol * |b| (a bool tensor), as `torch.isclose`."""
    arrays = [x.data if _is_tensor(x) else np.asarray(x) for x in (a, b)]
    out = np.isclose(*arrays, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return (a if _is_tensor(a) else b).wrap(np.asarray(out))


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """True when every element is close (`isclose`), as `torch.allclose`."""
    return builtins.bool(isclose(a, b, rtol, atol, equal_nan).data.all())


def equal(a: Any, b: Any) -> bool:
    """True when a and b have the same shape and the same values, as `torch.equal`."""
    return a.shape == b.shape and builtins.bool((a == b).data.all())


FUNCTIONS = (
    "exp log sqrt tanh sigmoid relu abs neg clamp clip add sub mul div pow sum mean amax amin "
    "argmax argmin max min var std norm all any numel reshape permute transpose swapaxes "
    "flatten unsqueeze squeeze t sin cos sign square erf log1p expm1 cat concat stack "
    "isclose allclose equal"
).split()

__all__ = FUNCTIONS
