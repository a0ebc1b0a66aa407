"""Module-level functions that mirror Tensor methods, as `torch.exp(x)` mirrors `x.exp()`.

`tg.sum(x, dim=1)` is `x.sum(dim=1)`, `tg.max(x, 1)` is `x.max(1)`, and so on; `cat` and
`stack` take `dim=` (or NumPy's `axis=`), and `isclose`, `allclose`, `equal` compare.
`is_tensor`, `var_mean` and `inference_mode` (no_grad by PyTorch's other name) are here too.

This module defines `sum`, `max`, `min`, `abs`, `all`, `any`, `pow` and `round`, so its own code
reaches Python's through `builtins`.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import set_grad_enabled
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
softmax, log_softmax, logsumexp = map(_function, "softmax log_softmax logsumexp".split())
mm, dot, inner, outer, prod, cumsum = map(_function, "mm dot inner outer prod cumsum".split())
gather, index_select, select = map(_function, "gather index_select select".split())
masked_fill, take_along_dim = map(_function, "masked_fill take_along_dim".split())
flip, roll, narrow, split, chunk = map(_function, "flip roll narrow split chunk".split())
unbind, tril, triu = map(_function, "unbind tril triu".split())
floor, ceil, round, trunc, fix, frac = map(_function, "floor ceil round trunc fix frac".split())
reciprocal, rsqrt, exp2, log2, log10 = map(_function, "reciprocal rsqrt exp2 log2 log10".split())
sinh, cosh, tan = map(_function, "sinh cosh tan".split())
sort, argsort, topk = map(_function, "sort argsort topk".split())
isnan, isinf, isfinite, nan_to_num = map(_function, "isnan isinf isfinite nan_to_num".split())
lerp, is_floating_point = map(_function, "lerp is_floating_point".split())


def is_tensor(obj: Any) -> builtins.bool:
    """True when `obj` is a Tensor, as `torch.is_tensor`."""
    return _is_tensor(obj)


def var_mean(
    input: Any, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction=None
) -> tuple:
    """`(var, mean)` over the same dims, as `torch.var_mean`; var is unbiased unless
    `unbiased=False` or `correction=` says otherwise."""
    if isinstance(dim, builtins.bool):  # var_mean(x, unbiased)
        dim, unbiased = None, dim
    var = _function("var")(input, dim, unbiased, keepdim, correction=correction)
    return var, input.mean(dim, keepdim)


class inference_mode(set_grad_enabled):
    """`with tg.inference_mode():` (or `@tg.inference_mode()`, or `@tg.inference_mode`)
    records nothing, as `no_grad()`; `inference_mode(False)` records. PyTorch's inference
    tensors have more rules; here it is no_grad by another name."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used as a decorator without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: builtins.bool = True) -> None:
        super().__init__(not mode)


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
    "isclose allclose equal softmax log_softmax logsumexp mm dot inner outer prod cumsum gather "
    "index_select select masked_fill take_along_dim flip roll narrow split chunk unbind tril "
    "triu floor ceil round trunc fix frac reciprocal rsqrt exp2 log2 log10 sinh cosh tan sort "
    "argsort topk isnan isinf isfinite nan_to_num lerp is_floating_point is_tensor var_mean "
    "inference_mode"
).split()

__all__ = FUNCTIONS
