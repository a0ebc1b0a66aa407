"""Utilities on parameters and their gradients, as torch.nn.utils: gradient clipping and
flattening parameters into one vector (and back).

    from tinygrad_mlp.nn.utils import clip_grad_norm_
    loss.backward()
    clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

The clipping functions change the gradients in place (the arrays in `p.grad.data`), as
PyTorch's do, and skip parameters whose `.grad` is None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd import effect
from ..tensor import Tensor, concatenate

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "vector_to_parameters",
]


def _tensors(parameters: Tensor | Iterable[Tensor], who: str) -> list[Tensor]:
    """A single Tensor or an iterable of Tensors (e.g. model.parameters()) as a list."""
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(
            f"{who}: parameters must be a Tensor or an iterable of Tensors (e.g. "
            f"model.parameters()), got {type(parameters).__name__}"
        ) from None
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{who}: parameter {i} is a {type(p).__name__}, not a Tensor")
    return params


def _vector_norm(x: np.ndarray, p: float) -> np.ndarray:
    """The p-norm of all of x's elements, in x's dtype: (sum |x|^p)^(1/p); max |x| for
    p = inf, min |x| for p = -inf, the number of nonzeros for p = 0 (torch's vector_norm)."""
    a = np.abs(x.reshape(-1))
    if p == math.inf:
        out = a.max(initial=0)
    elif p == -math.inf:
        out = a.min(initial=math.inf)
    elif p == 0:
        out = np.count_nonzero(a)
    elif p == 1:
        out = a.sum()
    elif p == 2:
        out = np.sqrt(a @ a)
    else:
        out = (a**p).sum() ** (1 / p)
    return np.asarray(out, dtype=x.dtype)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale all gradients together so that their total norm is at most max_norm.

    The total norm is the norm_type-norm of all gradients joined into one vector (the norm
    of the per-parameter norms); each gradient is then multiplied, in place, by

        clip_coef = min(max_norm / (total_norm + 1e-6), 1)

    exactly PyTorch's formula (the 1e-6 keeps it finite for zero gradients). norm_type may
    be float("inf") or "inf" (the largest |gradient|). Returns the total norm (before
    clipping) as a 0-d Tensor; with error_if_nonfinite=True a nan or inf total norm raises
    instead of turning every gradient into nan.
    """
    params = _tensors(parameters, "clip_grad_norm_")
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(
            f"clip_grad_norm_: norm_type must be a number or 'inf', got {norm_type!r}"
        ) from None
    return Tensor.wrap(_clip_norm(params, max_norm, p, norm_type, error_if_nonfinite))


@effect  # a compiled function clips again, the gradients of that call
def _clip_norm(
    params: list[Tensor], max_norm: float, p: float, norm_type: Any, error_if_nonfinite: bool
) -> np.ndarray:
    grads = [t.grad for t in params if t.grad is not None]
    if not grads:
        return np.asarray(0.0, dtype=np.float32)
    dtype = np.result_type(*(g.data.dtype for g in grads))
    norms = np.array([_vector_norm(g.data, p) for g in grads], dtype=dtype)
    total = _vector_norm(norms, p)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{float(total)}, so they cannot be clipped; to scale them by it anyway, pass "
            "error_if_nonfinite=False"
        )
    coef = np.minimum(max_norm / (total + 1e-6), 1.0)  # minimum: a nan norm gives nan
    for g in grads:
        g.data[...] = g.data * coef.astype(g.data.dtype)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient, in place, to [-clip_value, clip_value]."""
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    _clip_value(_tensors(parameters, "clip_grad_value_"), clip_value)


@effect  # a compiled function clips again, the gradients of that call
def _clip_value(params: list[Tensor], clip_value: float) -> None:
    for t in params:
        if t.grad is not None:
            g = t.grad.data
            g[...] = np.clip(g, -clip_value, clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D Tensor, in order (differentiable,
    as in PyTorch: it is made of reshape and concatenate)."""
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return concatenate([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D vec into the parameters' data (outside the graph):
    the inverse of parameters_to_vector. Each parameter's data becomes a view of vec where
    the dtypes agree, as in PyTorch."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: vec must be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {vec.shape}")
    params = _tensors(parameters, "vector_to_parameters")
    needed = sum(p.data.size for p in params)
    if needed != vec.shape[0]:
        raise ValueError(
            f"vector_to_parameters: vec has {vec.shape[0]} elements but the parameters hold "
            f"{needed}"
        )
    start = 0
    for p in params:
        n = p.data.size
        p.data = vec.data[start : start + n].reshape(p.shape).astype(p.data.dtype, copy=False)
        start += n
