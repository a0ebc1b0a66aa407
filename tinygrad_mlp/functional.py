"""Activations, normalisation, dropout and losses, composed from Tensor operations.

Nothing here has a gradient rule of its own: every function is written with the
primitives of `ops.py` (through Tensor methods), so the engine differentiates it. Where the
textbook formula overflows, the stable rewriting is used and named in the docstring.

    import tinygrad_mlp.functional as F
    loss = F.cross_entropy(logits, labels)

Losses take `reduction="mean" | "sum" | "none"` as in PyTorch. Targets may be Tensors or
NumPy arrays; they must have the prediction's shape (no silent broadcasting).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import ops
from .random import generator
from .tensor import Tensor, maximum, where

__all__ = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "logsumexp",
    "dropout",
    "batch_norm",
    "linear",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "l2_penalty",
]


# ---------------------------------------------------------------------------------------------
# Helpers


def _tensor(x: Any) -> Tensor:
    """x itself if it is a Tensor, else a constant Tensor made from it."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _target(target: Any, pred: Tensor, fn: str) -> Tensor:
    """The target as a Tensor of pred's dtype and exactly pred's shape."""
    if isinstance(target, Tensor):
        t = target
    else:
        array = np.asarray(target)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"{fn}: target must hold numbers, got an array of {array.dtype}")
        t = Tensor.wrap(array)
    if t.shape != pred.shape:
        raise ValueError(
            f"{fn}: input has shape {pred.shape} but target has shape {t.shape}; they must be "
            f"equal (broadcasting them would silently compute something else), e.g. use "
            f"target.reshape{pred.shape}"
        )
    if t.dtype != pred.dtype:
        t = t.astype(pred.dtype) if t.requires_grad else Tensor.wrap(t.data.astype(pred.dtype))
    return t


def _check_reduction(reduction: str, fn: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{fn}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ---------------------------------------------------------------------------------------------
# Activations


def relu(x: Any) -> Tensor:
    """max(x, 0)"""
    return _tensor(x).relu()


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x))"""
    return _tensor(x).sigmoid()


def tanh(x: Any) -> Tensor:
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x))"""
    return _tensor(x).tanh()


def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, computed as exp(x - m) / sum(exp(x - m)) with
    m = max(x) (a constant: the result does not depend on it), so nothing overflows."""
    x = _tensor(x)
    e = (x - x.data.max(axis=axis, keepdims=True)).exp()
    return e / e.sum(axis, keepdims=True)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log(softmax(x)) = x - logsumexp(x), without forming the softmax."""
    x = _tensor(x)
    return x - logsumexp(x, axis, keepdims=True)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over `axis` (all axes when None), computed as
    m + log(sum(exp(x - m))) with the constant m = max(x), so nothing overflows."""
    x = _tensor(x)
    m = x.data.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf): shifting would give nan
    out = (x - m).exp().sum(axis, keepdims=True).log() + m
    if keepdims:
        return out
    return out.reshape(np.squeeze(m, axis=axis).shape)


# ---------------------------------------------------------------------------------------------
# Layers as functions


def dropout(x: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: x * mask / (1 - p), where each element of mask is 1 with
    probability 1 - p (drawn from the package's generator) and 0 otherwise.

    The identity when not training or when p == 0; all zeros when p == 1.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be between 0 and 1, got {p}")
    x = _tensor(x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    keep = generator().random(x.shape) >= p
    mask = keep.astype(x.dtype)  # straight to x's dtype: bool * float would be float64
    mask *= 1.0 / (1.0 - p)
    return x * mask


def batch_norm(
    x: Any,
    running_mean: Tensor | np.ndarray | None,
    running_var: Tensor | np.ndarray | None,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel c of x, shape (N, C) or (N, C, L):

        out = (x - mean) / sqrt(var + eps) * weight + bias

    In training, mean and var are the batch's (var biased: divided by n, the number of
    values per channel), and the running statistics, if given, are updated in place,
    outside the graph, with the unbiased variance var * n / (n - 1):

        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)

    Otherwise mean and var are running_mean and running_var. As in PyTorch.
    """
    x = _tensor(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, L), got {x.shape}")
    channels = x.shape[1]
    axes = (0,) if x.ndim == 2 else (0, 2)
    stat_shape = (1, channels) if x.ndim == 2 else (1, channels, 1)
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and (t.shape if hasattr(t, "shape") else np.shape(t)) != (channels,):
            raise ValueError(
                f"batch_norm: {name} must have shape ({channels},) for input {x.shape}, "
                f"got {np.shape(_array(t))}"
            )
    if training:
        n = x.numel() // channels
        if n <= 1:
            raise ValueError(
                f"batch_norm: need more than 1 value per channel when training, got input "
                f"of shape {x.shape}"
            )
        mean = x.mean(axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axes, keepdims=True)
        if running_mean is not None:
            _update_running(running_mean, mean.data.reshape(channels), momentum)
        if running_var is not None:
            _update_running(running_var, var.data.reshape(channels) * (n / (n - 1)), momentum)
        scale = (var + eps) ** -0.5  # (1, C): multiplying by it is cheaper than dividing
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: training=False needs running_mean and running_var")
        centered = x - _array(running_mean).astype(x.dtype).reshape(stat_shape)
        scale = 1 / np.sqrt(_array(running_var).astype(x.dtype) + eps).reshape(stat_shape)
    if weight is not None:  # fold weight into the per-channel factor: one full pass less
        scale = scale * (weight if x.ndim == 2 else _per_channel(weight, stat_shape))
    out = centered * scale
    if bias is not None:
        out = out + (bias if x.ndim == 2 else _per_channel(bias, stat_shape))
    return out


def _per_channel(t: Any, shape: tuple) -> Any:
    """A (C,) weight or bias reshaped to broadcast over the input's channel axis."""
    return t.reshape(shape) if isinstance(t, Tensor) else np.asarray(t).reshape(shape)


def _array(t: Tensor | np.ndarray) -> np.ndarray:
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def _update_running(stat: Tensor | np.ndarray, batch: np.ndarray, momentum: float) -> None:
    """stat = (1 - momentum) * stat + momentum * batch, outside any graph: an array is
    written in place, a Tensor gets a new `.data`."""
    old = _array(stat)
    new = ((1 - momentum) * old + momentum * batch).astype(old.dtype)
    if isinstance(stat, Tensor):
        stat.data = new  # a fresh array: a graph that saved the old one is not disturbed
    else:
        stat[...] = new


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, for weight of shape (out_features, in_features)."""
    x = _tensor(x)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
            f"(the input's last axis must equal weight.shape[1])"
        )
    # one MatMulT node for a batch of rows; other shapes go through weight.T and @
    out = ops.MatMulT.apply(x, weight) if x.ndim == 2 else x @ weight.T
    return out if bias is None else out + bias


# ---------------------------------------------------------------------------------------------
# Losses


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """(pred - target)^2, reduced."""
    _check_reduction(reduction, "mse_loss")
    pred = _tensor(pred)
    diff = pred - _target(target, pred, "mse_loss")
    return _reduce(diff * diff, reduction)


def _clamped_log(p: Tensor) -> Tensor:
    """max(log(p), -100), PyTorch's clamp: finite at p = 0, with a finite gradient.

    p below lo = e^-100 gives exactly -100 and no gradient. In float32, where e^-100 is not
    a normal number (1/p would overflow), lo is the smallest normal float32 instead.
    """
    lo = max(math.exp(-100), float(np.finfo(p.dtype).tiny))
    above = p.data >= lo
    if above.all():  # the clamp does not act: leave it out of the graph (same values)
        return p.log()
    return where(above, p.clip(lo, None).log(), -100.0)


def binary_cross_entropy(prob: Any, target: Any, reduction: str = "mean") -> Tensor:
    """-(target * log(prob) + (1 - target) * log(1 - prob)), reduced.

    Each log is clamped to >= -100 as PyTorch does, so the loss is finite (and never NaN)
    at prob = 0 and prob = 1. prob must lie in [0, 1].
    """
    _check_reduction(reduction, "binary_cross_entropy")
    prob = _tensor(prob)
    t = _target(target, prob, "binary_cross_entropy")
    if prob.numel() and not ((prob.data >= 0) & (prob.data <= 1)).all():
        raise ValueError(
            "binary_cross_entropy: every input value must be a probability in [0, 1]; "
            "for raw scores use binary_cross_entropy_with_logits"
        )
    log_p, log_1mp = _clamped_log(prob), _clamped_log(1 - prob)
    loss = -(log_1mp + t * (log_p - log_1mp))  # = -(t * log_p + (1 - t) * log_1mp)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """binary_cross_entropy(sigmoid(logits), target) in the stable form

        max(logits, 0) - logits * target + log(1 + exp(-|logits|)),

    whose exp never overflows.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    x = _tensor(logits)
    t = _target(target, x, "binary_cross_entropy_with_logits")
    # maximum(x, 0) shares the gradient at x == 0 (1/2 each), which makes the gradient
    # there sigmoid(0) - target exactly.
    loss = maximum(x, 0.0) - x * t + (1 + (-x.abs()).exp()).log()
    return _reduce(loss, reduction)


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> Tensor:
    """-log_softmax(logits)[i, labels[i]] for each row i, reduced.

    logits has shape (N, C); labels are integer class indices in [0, C) of shape (N,),
    a NumPy array or an integer Tensor.
    """
    _check_reduction(reduction, "cross_entropy")
    logits = _tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    y = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: labels must be integer class indices, got dtype {y.dtype}; "
            f"convert with labels.astype(np.int64)"
        )
    n, classes = logits.shape
    if y.shape != (n,):
        raise ValueError(
            f"cross_entropy: labels must have shape ({n},) for logits of shape {logits.shape}, "
            f"got {y.shape}"
        )
    bad = (y < 0) | (y >= classes)
    if bad.any():
        raise ValueError(
            f"cross_entropy: labels must lie in [0, {classes}) for {classes} classes, got "
            f"{y[bad][0]} at position {int(np.argmax(bad))}"
        )
    picked = log_softmax(logits, axis=1)[np.arange(n), y]
    return _reduce(-picked, reduction)


def l2_penalty(params: Iterable[Tensor], lam: float) -> Tensor:
    """lam * sum(||W||^2) over the tensors W in params (the sum of all their squares)."""
    total: Tensor | None = None
    for w in params:
        if not isinstance(w, Tensor):
            raise TypeError(f"l2_penalty: params must be Tensors, got {type(w).__name__}")
        sq = (w * w).sum()
        total = sq if total is None else total + sq
    if total is None:
        return Tensor(0.0)
    return total * lam
