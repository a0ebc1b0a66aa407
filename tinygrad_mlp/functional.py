"""Activations, normalisation, dropout and losses, composed from Tensor operations.

Nothing here has a gradient rule of its own: every function is written with the
primitives of `ops.py` (through Tensor methods), so the engine differentiates it. Where the
textbook formula overflows, the stable rewriting is used and named in the docstring.

    import tinygrad_mlp.functional as F
    loss = F.cross_entropy(logits, labels)

Names, arguments, defaults and formulas are PyTorch's (torch.nn.functional), including
what each one does at its kinks and at extreme inputs. Losses take
`reduction="mean" | "sum" | "none"`; the losses with a `weight` take their other settings
by keyword. Targets may be Tensors or NumPy arrays; they must have the prediction's shape
(no silent broadcasting). Weights are constants (no gradient flows to them).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import ops
from .autograd import effect
from .dtypes import floating
from .random import generator
from .tensor import Tensor, where

__all__ = [
    # activations
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "softplus",
    "mish",
    "relu6",
    "hardtanh",
    "hardswish",
    "hardsigmoid",
    "log_sigmoid",
    "logsigmoid",
    "softsign",
    "prelu",
    "glu",
    # softmax and friends
    "softmax",
    "log_softmax",
    "logsumexp",
    # layers as functions
    "dropout",
    "batch_norm",
    "layer_norm",
    "rms_norm",
    "embedding",
    "linear",
    "one_hot",
    # distances
    "normalize",
    "cosine_similarity",
    "pairwise_distance",
    # losses
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "nll_loss",
    "cross_entropy",
    "kl_div",
    "margin_ranking_loss",
    "gaussian_nll_loss",
    "poisson_nll_loss",
    "l2_penalty",
]


# ---------------------------------------------------------------------------------------------
# Helpers


def _tensor(x: Any) -> Tensor:
    """x itself if it is a Tensor, else a constant Tensor made from it."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _target(target: Any, pred: Tensor, fn: str, cast: bool = False) -> Tensor:
    """The target as a Tensor of exactly pred's shape. Its dtype is kept, so that the loss
    promotes as PyTorch's do (float32 and float64 give float64; an integer target gives
    pred's float dtype); with `cast` it is cast to pred's dtype instead."""
    if isinstance(target, Tensor):
        t = target
    else:
        array = np.asarray(target)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"{fn}: target must hold numbers, got an array of {array.dtype}")
        # an array keeps its dtype; a list or a number gets Tensor's (float32 for floats)
        t = Tensor.wrap(array) if isinstance(target, np.ndarray) else Tensor(target)
    if t.shape != pred.shape:
        raise ValueError(
            f"{fn}: input has shape {pred.shape} but target has shape {t.shape}; they must be "
            f"equal (broadcasting them would silently compute something else), e.g. use "
            f"target.reshape{pred.shape}"
        )
    if cast and t.dtype != pred.dtype:
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


class _Default:
    """The default of an argument that PyTorch spells differently (axis= / dim=), so that a
    call giving both can be refused. It shows as the value it stands for."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def _either(fn: str, name: str, value: Any, torch_name: str, torch_value: Any) -> Any:
    """The value of an argument given by NumPy's name or by PyTorch's, never both."""
    given = not isinstance(value, _Default)
    if torch_value is None:
        return value if given else value.value
    if given:
        raise TypeError(
            f"{fn}() got both {name}={value!r} and {torch_name}={torch_value!r}; give one "
            f"({name}= is NumPy's name, {torch_name}= PyTorch's, with the same meaning)"
        )
    return torch_value


@effect
def _shift(data: np.ndarray, axis: Any) -> np.ndarray:
    """max(data) over `axis` (kept), or 0 where that is not finite (all -inf, or an inf:
    shifting by it would give nan) or where the axis is empty."""
    if data.dtype.kind != "f":
        return data.max(axis=axis, keepdims=True)
    m = data.max(axis=axis, keepdims=True, initial=-np.inf)
    return np.where(np.isfinite(m), m, 0).astype(data.dtype, copy=False)


_LAST_AXIS, _ALL_AXES, _NO_KEEPDIMS = _Default(-1), _Default(None), _Default(False)


# ---------------------------------------------------------------------------------------------
# Activations
#
# Where PyTorch's gradient at a kink or a bound differs from the one-sided slope a plain
# composition would give, the mask is taken from x itself (`where` on x.data) so that each
# element gets exactly PyTorch's slope. A branch that `where` does not select is still
# computed, so it is kept finite (clipped) where it would overflow: an inf there would turn
# its zero gradient into nan.


def _in_place(x: Any, fn: str, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """inplace=True, as PyTorch's: x's values become compute(x), and x is returned.

    compute runs on a copy of x (a clone, which the gradient passes through), so that what
    it saves for its backward is not the tensor then overwritten; x.copy_ makes the change
    under the in-place rules: refused on a leaf that requires grad in grad mode, recorded
    on a non-leaf (whose gradient then flows through compute), and checked by the version
    counter of anything that saved x before."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(inplace=True) changes a Tensor in place, got {type(x).__name__}; pass a "
            f"Tensor, or use inplace=False"
        )
    result = compute(x.clone())
    try:
        x.copy_(result)
    except RuntimeError as e:  # say which call it was: the user did not write copy_
        raise RuntimeError(f"{fn}(inplace=True): {e}") from None
    return x


def relu(x: Any, inplace: bool = False) -> Tensor:
    """max(x, 0)"""
    if inplace:
        return _in_place(x, "relu", Tensor.relu)
    return _tensor(x).relu()


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x))"""
    return _tensor(x).sigmoid()


def tanh(x: Any) -> Tensor:
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x))"""
    return _tensor(x).tanh()


def leaky_relu(x: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x (the slope at 0 is negative_slope, as in
    PyTorch)."""
    if inplace:
        return _in_place(x, "leaky_relu", lambda v: leaky_relu(v, negative_slope))
    x = _tensor(x)
    return where(x.data > 0, x, x * negative_slope)


def elu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1) (with expm1; the slope at 0 is alpha)."""
    if inplace:
        return _in_place(x, "elu", lambda v: elu(v, alpha))
    x = _tensor(x)
    return where(x.data > 0, x, x.clip(None, 0.0).expm1() * alpha)


def _tail_bound(dtype: np.dtype) -> float:
    """L such that exp(-L) is 0 in `dtype` (746 in float64, 104 in float32): beyond +-L,
    sigmoid(x), Phi(x) and tanh(softplus(x)) are exactly 0 or 1."""
    return 1.0 - math.log(float(np.finfo(dtype).smallest_subnormal))


def _with_tails(x: Tensor, body: Callable[[Tensor], Tensor]) -> Tensor:
    """body(x) for an activation x * h(x) whose factor h reaches exactly 0 and 1 in floating
    point (silu, gelu, mish): beyond -L the result is x * 0 (-0, slope 0), beyond L it is x
    (slope 1), and body sees x clipped to [-L, L].

    The result is the same; what changes is the gradient at huge |x| (up to 3e38): body's
    gradient multiplies the upstream gradient by x before the factor's zero slope, which in
    float32 can overflow to inf, and inf * 0 is nan. PyTorch's hand-written gradients stay
    finite there, so these do too.
    """
    d = x.data
    if x.dtype.kind != "f" or d.size == 0:
        return body(x)
    bound = _tail_bound(d.dtype)
    if d.min() >= -bound and d.max() <= bound:  # the usual case: no tails
        return body(x)
    inner = body(x.clip(-bound, bound))
    return where(d > bound, x, where(d < -bound, x * 0.0, inner))


_SQRT1_2 = math.sqrt(0.5)
_GELU_TANH_SCALE = math.sqrt(2 / math.pi)  # PyTorch's kBeta


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal distribution function:

        approximate="none":  x * 0.5 * (1 + erf(x / sqrt(2)))
        approximate="tanh":  0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))

    Both stay finite, values and gradients, for all finite x (PyTorch's float32 results are
    inf beyond 1.7e38 for "none", and its "tanh" gradient is nan beyond |x| = 1.8e19, where
    its x * x overflows; these give x and slope 1, or -0 and slope 0, there).
    """
    x = _tensor(x)
    if approximate == "none":
        return _with_tails(x, lambda v: v * 0.5 * (1 + (v * _SQRT1_2).erf()))
    if approximate == "tanh":

        def tanh_form(v: Tensor) -> Tensor:
            inner = (v + v * v * v * 0.044715) * _GELU_TANH_SCALE
            return v * 0.5 * (1 + inner.tanh())

        return _with_tails(x, tanh_form)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Any, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)"""
    if inplace:
        return _in_place(x, "silu", silu)
    return _with_tails(_tensor(x), lambda v: v * v.sigmoid())


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (there the two
    agree to within exp(-threshold), and exp would overflow)."""
    x = _tensor(x)
    scaled = x if beta == 1 else x * beta
    soft = scaled.clip(None, threshold).exp().log1p()
    if beta != 1:
        soft = soft / beta
    return where(scaled.data > threshold, x, soft)


def mish(x: Any, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))"""
    if inplace:
        return _in_place(x, "mish", mish)
    return _with_tails(_tensor(x), lambda v: v * softplus(v).tanh())


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x limited to [min_val, max_val]. As in PyTorch the gradient is 1 strictly between the
    bounds and 0 at and beyond them (clip's is 1 at the bounds)."""
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val must not be greater than max_val, got min_val={min_val}, "
            f"max_val={max_val}"
        )
    if inplace:
        return _in_place(x, "hardtanh", lambda v: hardtanh(v, min_val, max_val))
    x = _tensor(x)
    d = x.data
    return where((d > min_val) & (d < max_val), x, np.clip(d, min_val, max_val))


def relu6(x: Any, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6): the gradient is 0 at 0 and at 6."""
    return hardtanh(x, 0.0, 6.0, inplace)


def _relu6_of_x_plus_3(x: Tensor) -> Tensor:
    """min(max(x + 3, 0), 6), whose gradient is 1 where -3 < x < 3 and 0 elsewhere (the mask
    is taken on x, not on x + 3, which can round onto a bound)."""
    d = x.data
    return where((d > -3) & (d < 3), x + 3, np.clip(d + 3, 0, 6))


def hardswish(x: Any, inplace: bool = False) -> Tensor:
    """x * min(max(x + 3, 0), 6) / 6: the slope is 0 for x <= -3, x/3 + 1/2 for -3 < x < 3
    and 1 for x >= 3, as in PyTorch. (x * 6 overflows in float32 beyond 5.7e37, in PyTorch
    too.)"""
    if inplace:
        return _in_place(x, "hardswish", hardswish)
    x = _tensor(x)
    return x * _relu6_of_x_plus_3(x) / 6


def hardsigmoid(x: Any, inplace: bool = False) -> Tensor:
    """min(max(x + 3, 0), 6) / 6: the slope is 1/6 strictly between -3 and 3, else 0."""
    if inplace:
        return _in_place(x, "hardsigmoid", hardsigmoid)
    x = _tensor(x)
    return _relu6_of_x_plus_3(x) / 6


def log_sigmoid(x: Any) -> Tensor:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)) (PyTorch's form, the same values): exp
    never overflows, and the result is exact where sigmoid(x) would round to 0 or 1.

    It is composed as x - log1p(exp(x)) where x < 0 and 0 - log1p(exp(-x)) elsewhere (each
    exp's argument clipped to <= 0 for the branch `where` drops), not with |x|: |x| has a
    kink at 0, which would make the second derivative at x = 0 wrong (0 instead of -1/4).
    The slope at 0 is 1/2.
    """
    x = _tensor(x)
    negative = x.data < 0
    if negative.all():
        return x - x.exp().log1p()
    if not negative.any():
        return 0.0 - (-x).exp().log1p()
    left = x - x.clip(None, 0.0).exp().log1p()
    right = 0.0 - (-x.clip(0.0, None)).exp().log1p()
    return where(negative, left, right)


logsigmoid = log_sigmoid  # PyTorch's spelling: torch.nn.functional.logsigmoid


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|)"""
    x = _tensor(x)
    return x / (x.abs() + 1)


def prelu(input: Any, weight: Any) -> Tensor:
    """x where x > 0, else weight * x, with a learnt slope: `weight` holds one value (shared)
    or one per channel, the channel being axis 1 (a 1-D input has one channel). The slope at
    x = 0 is weight's, as torch.nn.functional.prelu's."""
    x, w = _tensor(input), _tensor(weight)
    if w.ndim > 1:
        raise RuntimeError(
            f"prelu: weight must be a scalar or 1-D tensor, got one of shape {w.shape}"
        )
    n = w.numel()
    if n != 1:
        if x.ndim == 0:
            raise RuntimeError(f"prelu: a 0-d input takes one slope, got a weight of {n} values")
        channels = x.shape[1] if x.ndim >= 2 else 1
        if n != channels:
            raise RuntimeError(
                f"prelu: weight has {n} values but the input (of shape {x.shape}) has "
                f"{channels} channels (axis 1): give one slope, or one per channel"
            )
        w = w.reshape(-1, *([1] * (x.ndim - 2))) if x.ndim >= 2 else w
    else:
        w = w.reshape(())
    return where(x.data > 0, x, w * x)


def glu(input: Any, dim: int = -1) -> Tensor:
    """The gated linear unit: a * sigmoid(b), for a and b the first and second halves of
    the input along `dim` (whose size must be even)."""
    x = _tensor(input)
    if x.ndim == 0:
        raise RuntimeError("glu: a 0-d input cannot be halved; give it an axis of even size")
    d = dim + x.ndim if -x.ndim <= dim < 0 else dim
    if not 0 <= d < x.ndim:
        raise IndexError(
            f"glu: dim={dim} is out of range for an input of shape {x.shape} (expected a dim "
            f"in [{-x.ndim}, {x.ndim - 1}])"
        )
    if x.shape[d] % 2:
        raise RuntimeError(
            f"glu: the halved axis must have an even size, but dim {d} has size {x.shape[d]}"
        )
    a, b = x.chunk(2, d)
    return a * b.sigmoid()


# ---------------------------------------------------------------------------------------------
# softmax, log_softmax, logsumexp
#
# Each takes NumPy's axis= (keepdims=) or PyTorch's dim= (keepdim=), with the same meaning;
# giving both is an error. The shift m = max(x) is a constant: the results do not depend on
# it, so it needs no gradient.


def softmax(x: Any, axis: Any = _LAST_AXIS, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (or `dim`; the last axis by default), computed as
    exp(x - m) / sum(exp(x - m)) with m = max(x), so nothing overflows."""
    axis = _either("softmax", "axis", axis, "dim", dim)
    x = floating(_tensor(x), "softmax()")
    e = (x - x.data.max(axis=axis, keepdims=True)).exp()
    return e / e.sum(axis, keepdims=True)


def log_softmax(x: Any, axis: Any = _LAST_AXIS, *, dim: int | None = None) -> Tensor:
    """log(softmax(x)) along `axis` (or `dim`; the last axis by default), computed as

        (x - m) - log(sum(exp(x - m)))    with m = max(x).

    Subtracting m first matters: x - m is exact for the values near the max, which decide the
    result, whereas x - (m + log(...)) rounds m + log(...) to the spacing of floats near m
    (0.0625 at 1e6 in float32, so a loss of 1.4076 came out as 1.4375).
    """
    axis = _either("log_softmax", "axis", axis, "dim", dim)
    x = floating(_tensor(x), "log_softmax()")
    shifted = x - _shift(x.data, axis)
    return shifted - shifted.exp().sum(axis, keepdims=True).log()


def logsumexp(
    x: Any,
    axis: Any = _ALL_AXES,
    keepdims: Any = _NO_KEEPDIMS,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Tensor:
    """log(sum(exp(x))) over `axis` (or `dim`; all axes when neither is given), computed as
    log(sum(exp(x - m))) + m with the constant m = max(x), so nothing overflows."""
    axis = _either("logsumexp", "axis", axis, "dim", dim)
    if isinstance(dim, tuple | list) and not dim:  # PyTorch's dim=(): every axis
        axis = None
    keepdims = _either("logsumexp", "keepdims", keepdims, "keepdim", keepdim)
    x = floating(_tensor(x))
    m = _shift(x.data, axis)
    out = (x - m).exp().sum(axis=axis, keepdims=True).log() + m
    if keepdims:
        return out
    return out.reshape(np.squeeze(m, axis=axis).shape)


# ---------------------------------------------------------------------------------------------
# Layers as functions


def dropout(x: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: x * mask / (1 - p), where each element of mask is 1 with
    probability 1 - p (drawn from the package's generator) and 0 otherwise.

    The identity when not training or when p == 0; all zeros when p == 1. With
    inplace=True x itself gets the result (see relu).
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be between 0 and 1, got {p}")
    if inplace:
        if not training or p == 0:  # nothing changes: x itself, untouched
            return _in_place(x, "dropout", lambda v: v) if not isinstance(x, Tensor) else x
        return _in_place(x, "dropout", lambda v: dropout(v, p, training))
    x = _tensor(x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    return x * _dropout_mask(x.shape, p, x.dtype)


@effect  # a draw: a compiled function draws again, from the same generator
def _dropout_mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    keep = generator().random(shape) >= p
    # in x's dtype (bool * a Python float alone would be float64): 0 or 1 / (1 - p) rounded
    return np.multiply(keep, 1.0 / (1.0 - p), dtype=dtype)


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

    Otherwise mean and var are running_mean and running_var. As in PyTorch, training on
    one value per channel raises, and an empty batch gives an empty output and leaves the
    running statistics as they are.
    """
    x = _tensor(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, L), got {x.shape}")
    channels = x.shape[1]
    axes = 0 if x.ndim == 2 else (0, 2)
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
            if n == 0:  # an empty batch: an empty output, the running statistics untouched
                ones = np.ones(channels, x.dtype)
                return batch_norm(x, ones * 0, ones, weight, bias, False, momentum, eps)
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got "
                f"input of shape {x.shape}"
            )
        mean = x.mean(axes, keepdim=True)
        centered = x - mean
        var = (centered * centered).mean(axes, keepdim=True)
        if running_mean is not None:
            _update_running(running_mean, mean.data, momentum)
        if running_var is not None:
            _update_running(running_var, var.data, momentum, n / (n - 1))
        scale = (var + eps) ** -0.5  # (1, C): multiplying by it is cheaper than dividing
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: training=False needs running_mean and running_var")
        shift, scale = _running_stats(running_mean, running_var, x.dtype, eps, stat_shape)
        centered = x - shift
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


@effect
def _running_stats(mean: Any, var: Any, dtype: np.dtype, eps: float, shape: tuple) -> tuple:
    """Evaluation mode's shift and scale, from the running statistics as they are now."""
    shift = _array(mean).astype(dtype).reshape(shape)
    return shift, 1 / np.sqrt(_array(var).astype(dtype) + eps).reshape(shape)


@effect
def _update_running(
    stat: Tensor | np.ndarray, batch: np.ndarray, momentum: float, factor: float | None = None
) -> None:
    """stat = (1 - momentum) * stat + momentum * batch [* factor], outside any graph: an
    array is written in place, a Tensor gets a new `.data`."""
    old = _array(stat)
    batch = batch.reshape(old.shape) if factor is None else batch.reshape(old.shape) * factor
    new = ((1 - momentum) * old + momentum * batch).astype(old.dtype, copy=False)
    if isinstance(stat, Tensor):  # a fresh array: a graph that saved the old one is not
        stat._data = new  # disturbed (not `.data =`, which tells watchers: none see effects)
    else:
        stat[...] = new


def _normalized_axes(x: Tensor, normalized_shape: Any, params: dict, fn: str) -> tuple:
    """The last len(normalized_shape) axes of x, after checking that they have that shape,
    and so does each parameter given (None is left out)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    shape = tuple(int(d) for d in shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise RuntimeError(
            f"{fn}: given normalized_shape={list(shape)}, expected an input with shape "
            f"[*, {', '.join(map(str, shape))}], but got an input of shape {x.shape}"
        )
    for name, t in params.items():
        if t is not None and tuple(np.shape(_array(t))) != shape:
            raise RuntimeError(
                f"{fn}: {name} must have shape {shape} (normalized_shape), got "
                f"{np.shape(_array(t))}"
            )
    return tuple(range(x.ndim - k, x.ndim))


def rms_norm(
    input: Any,
    normalized_shape: int | Iterable[int],
    weight: Any = None,
    eps: float | None = None,
) -> Tensor:
    """Root-mean-square normalisation over the last len(normalized_shape) axes:

        out = x / sqrt(mean(x^2) + eps) * weight

    with weight of shape normalized_shape (None: no scaling) and eps None meaning the
    machine epsilon of the input's dtype (torch.finfo(dtype).eps), as
    torch.nn.functional.rms_norm in torch 2.13. No centering, no bias."""
    x = _tensor(input)
    floating(x, "rms_norm()")
    axes = _normalized_axes(x, normalized_shape, {"weight": weight}, "rms_norm")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    out = x * ((x * x).mean(axes, keepdim=True) + eps) ** -0.5
    return out if weight is None else out * weight


def layer_norm(
    x: Any,
    normalized_shape: int | Iterable[int],
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each sample over its last len(normalized_shape) axes:

        out = (x - mean) / sqrt(var + eps) * weight + bias

    with mean and the biased variance (divided by the number of values) taken over those
    axes, and weight and bias of shape normalized_shape. The same in training and eval;
    there are no running statistics. As torch.nn.functional.layer_norm (an int
    normalized_shape means (int,)).
    """
    x = _tensor(x)
    axes = _normalized_axes(x, normalized_shape, {"weight": weight, "bias": bias}, "layer_norm")
    centered = x - x.mean(axes, keepdim=True)
    out = centered * ((centered * centered).mean(axes, keepdim=True) + eps) ** -0.5
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


# ---------------------------------------------------------------------------------------------
# Distances and normalisation of vectors


def _p_norm(x: Tensor, p: float, dim: Any, keepdim: bool, fn: str) -> Tensor:
    """The p-norm over `dim`, for every p torch's vector norm takes: Tensor.norm's (1, 2,
    +-inf, p > 0), 0 (the count of non-zero values, with gradient 0) and p < 0
    ((sum |x|^p)^(1/p))."""
    if isinstance(p, bool) or not isinstance(p, int | float | np.integer | np.floating):
        raise TypeError(f"{fn}: p must be a number, got {p!r}")
    if p == 0:
        return x.sign().abs().sum(dim, keepdim)  # a zero gradient, in the graph as torch's
    if p < 0 and p != -np.inf:
        return (x.abs() ** p).sum(dim, keepdim) ** (1 / p)
    return x.norm(p, dim, keepdim)


def normalize(input: Any, p: float = 2.0, dim: Any = 1, eps: float = 1e-12) -> Tensor:
    """input / max(||input||_p, eps), the p-norm taken over `dim` (an int or a tuple of
    ints): each vector along dim scaled to norm 1, a vector of norm below eps divided by
    eps instead (so a zero vector stays zero). As torch.nn.functional.normalize."""
    x = _tensor(input)
    return x / _p_norm(x, p, dim, True, "normalize").clamp_min(eps)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) over `dim`, the Euclidean norms
    taken over dim, after x1 and x2 are broadcast together. As torch's, the floor eps bounds
    each norm's value but the gradient flows through the norm as if it were not there
    (torch clamps without recording), and a zero vector gives similarity 0."""
    a, b = _tensor(x1), _tensor(x2)
    shape = np.broadcast_shapes(a.shape, b.shape)  # the error torch gives: a ValueError here
    a, b = a.broadcast_to(shape), b.broadcast_to(shape)

    def unit(v: Tensor) -> Tensor:
        n = v.norm(2, dim, keepdim=True)
        return v / (n + (n.clamp_min(eps) - n).detach())

    return (unit(a) * unit(b)).sum(dim)


def pairwise_distance(
    x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p over the last axis (of x1 and x2 broadcast together; eps is
    added to every difference, as torch does, so that the norm's gradient is defined where
    x1 == x2). As torch.nn.functional.pairwise_distance, p < 0 and p = 0 included."""
    a, b = _tensor(x1), _tensor(x2)
    d = a - b + eps
    return _p_norm(d, p, max(d.ndim, 1) - 1 if d.ndim else None, keepdim, "pairwise_distance")


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of `weight` (num_embeddings, embedding_dim) picked by the integer indices
    `input` (any shape): the result has shape input.shape + (embedding_dim,). The gradient
    adds up into the picked rows (a row picked twice gets both shares), except the row
    `padding_idx`, which gets none (its value is still returned). As
    torch.nn.functional.embedding; max_norm, scale_grad_by_freq and sparse are not
    supported (an error says so).
    """
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding: max_norm, scale_grad_by_freq and sparse are not supported; leave "
            "them out (renormalise rows yourself under tg.no_grad() if you need max_norm)"
        )
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"embedding: the indices must be integers (int64 or int32), got {idx.dtype}: "
            f"convert them with .long()"
        )
    rows = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        raise IndexError(
            f"embedding: index out of range: the indices must be in [0, {rows - 1}] for "
            f"{rows} embeddings, got values from {idx.min()} to {idx.max()}"
        )
    out = weight[idx]
    if padding_idx is not None:
        padding_idx = padding_idx % rows if padding_idx < 0 else padding_idx
        padded = (idx == padding_idx)[..., None]
        if padded.any():
            out = where(padded, out.detach(), out)
    return out


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, for weight of shape (out_features, in_features)."""
    array_given = not isinstance(x, Tensor)  # a constant operand, promoted as NumPy does
    x = _tensor(x)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
            f"(the input's last axis must equal weight.shape[1])"
        )
    if not array_given:
        _check_linear_dtypes(x, weight, bias)
    # one MatMulT node for a batch of rows; other shapes go through weight.T and @
    out = ops.MatMulT.apply(x, weight) if x.ndim == 2 else x @ weight.T
    return out if bias is None else out + bias


def _check_linear_dtypes(x: Tensor, weight: Tensor, bias: Any) -> None:
    """PyTorch's linear refuses an input (or bias) whose dtype is not the weight's, rather
    than computing in a promoted dtype (NumPy's int64 @ float32 would give float64)."""
    w = weight.dtype
    if x.dtype != w:
        name = {"float32": "float", "float64": "double"}.get(str(w), str(w))
        fix = f"convert the input, x.{name}()"
        if x.dtype.kind == "f":
            other = {"float32": "float", "float64": "double"}.get(str(x.dtype), str(x.dtype))
            fix += f", or the layer to the input's dtype, model.{other}()"
        raise RuntimeError(
            f"linear: the input has dtype {x.dtype} but the weight {w}; they must be the "
            f"same, as in PyTorch (which raises 'expected m1 and m2 to have the same "
            f"dtype'): {fix}"
        )
    if isinstance(bias, Tensor) and bias.dtype != w:
        raise RuntimeError(
            f"linear: the bias has dtype {bias.dtype} but the weight {w}; they must be the "
            f"same, as in PyTorch: convert the bias, e.g. bias.to({w})"
        )


# ---------------------------------------------------------------------------------------------
# Losses


def _loss_weight(weight: Any, pred: Tensor, fn: str) -> Tensor | None:
    """The weight= of mse_loss, l1_loss and huber_loss (PyTorch 2.13): one value per element,
    exactly the input's shape. A Tensor is used as it is, so a gradient reaches it if it
    requires one, as in PyTorch."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(
            f"{fn}: weight must be a tensor of the input's shape, got the string {weight!r}; "
            f"pass the reduction by name: reduction={weight!r}"
        )
    w = weight if isinstance(weight, Tensor) else Tensor(weight)
    if w.shape != pred.shape:
        raise ValueError(
            f"{fn}: weight has shape {w.shape} but the input {pred.shape}; they must be "
            f"equal (PyTorch: 'Weights and input must have the same size')"
        )
    return w


def _weighted(loss: Tensor, w: Tensor | None, reduction: str, mean_by_weight: bool) -> Tensor:
    """loss * w, reduced; 'mean' divides by sum(w) (mse, l1) or by the count (huber), as
    PyTorch 2.13 does."""
    if w is None:
        return _reduce(loss, reduction)
    loss = loss * w
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def mse_loss(pred: Any, target: Any, reduction: str = "mean", weight: Any = None) -> Tensor:
    """(pred - target)^2 [* weight], reduced ('mean' with a weight: sum / sum(weight))."""
    _check_reduction(reduction, "mse_loss")
    pred = _tensor(pred)
    diff = pred - _target(target, pred, "mse_loss")
    return _weighted(diff * diff, _loss_weight(weight, pred, "mse_loss"), reduction, True)


def l1_loss(pred: Any, target: Any, reduction: str = "mean", weight: Any = None) -> Tensor:
    """|pred - target| [* weight], reduced ('mean' with a weight: sum / sum(weight)); the
    gradient where pred == target is 0, as in PyTorch."""
    _check_reduction(reduction, "l1_loss")
    pred = _tensor(pred)
    loss = (pred - _target(target, pred, "l1_loss")).abs()
    return _weighted(loss, _loss_weight(weight, pred, "l1_loss"), reduction, True)


def huber_loss(
    pred: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None
) -> Tensor:
    """0.5 * d^2 where |d| < delta, else delta * (|d| - 0.5 * delta), for d = pred - target;
    [* weight], reduced ('mean' with a weight: the mean of the weighted losses, as PyTorch).
    Quadratic near 0, linear (slope +-delta) beyond delta."""
    _check_reduction(reduction, "huber_loss")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    pred = _tensor(pred)
    # in pred's dtype, as PyTorch's forward (whose backward refuses a target of another dtype)
    d = pred - _target(target, pred, "huber_loss", cast=True)
    loss = _huber(d, delta)
    return _weighted(loss, _loss_weight(weight, pred, "huber_loss"), reduction, False)


def _huber(d: Tensor, delta: float) -> Tensor:
    z = d.abs()
    # the quadratic branch only matters where |d| < delta: clip d there so d * d cannot
    # overflow in the branch `where` drops (its zero gradient times inf would be nan)
    small = d.clip(-delta, delta)
    return where(z.data < delta, small * small * 0.5, (z - 0.5 * delta) * delta)


def smooth_l1_loss(pred: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 * d^2 / beta where |d| < beta, else |d| - 0.5 * beta, for d = pred - target,
    reduced: huber_loss(delta=beta) / beta, and l1_loss for beta = 0, as in PyTorch. The
    target's dtype promotes, as PyTorch's does."""
    _check_reduction(reduction, "smooth_l1_loss")
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    pred = _tensor(pred)
    d = pred - _target(target, pred, "smooth_l1_loss")
    if beta == 0:
        return _reduce(d.abs(), reduction)
    z = d.abs()
    small = d.clip(-beta, beta)
    # PyTorch's 0.5 * z * z / beta (the 0.5 is exact in either place)
    return _reduce(where(z.data < beta, small * small * 0.5 / beta, z - 0.5 * beta), reduction)


def _weight(weight: Any, shape: tuple, dtype: np.dtype, fn: str, name: str = "weight") -> Any:
    """An elementwise loss weight as a constant array of `dtype` that broadcasts to `shape`
    (None stays None)."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(
            f"{fn}: {name} must be a tensor or array of numbers, got the string {weight!r}; "
            f"pass the reduction by name: reduction={weight!r}"
        )
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.dtype.kind not in "fiub":
        raise TypeError(f"{fn}: {name} must hold numbers, got an array of {w.dtype}")
    try:
        fits = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{fn}: {name} of shape {w.shape} does not broadcast to the input's shape {shape}"
        )
    return w.astype(dtype, copy=False)


# PyTorch's EPSILON in the gradient of binary_cross_entropy: 1e-12 as a C float (also for
# float64 inputs), so its float64 value is 9.99999996e-13
_BCE_EPS = float(np.float32(1e-12))


def binary_cross_entropy(
    prob: Any, target: Any, weight: Any = None, *, reduction: str = "mean"
) -> Tensor:
    """-(target * log(prob) + (1 - target) * log(1 - prob)) [* weight], reduced; prob and
    target must lie in [0, 1], weight broadcasts to prob's shape.

    Computed as PyTorch does, (target - 1) * log1p(-prob) - target * log(prob), with each
    log clamped to >= -100, so the loss is finite at prob = 0 and 1. The gradient is PyTorch's

        d loss / d prob = (prob - target) / max(prob * (1 - prob), 1e-12)

    which is the derivative of the formula except within about 1e-12 of 0 and 1. There it
    stays finite yet large, so a confidently wrong prediction is still pushed back: -1e12 at
    prob = 0 with target 1, where the clamped log alone would have slope 0. (It is 0 at
    prob = 0 with target 0.) The gradient for the target there is that of the clamped
    formula, log1p(-prob) - log(prob) with both clamped: 100 at prob = 0 where PyTorch's
    unclamped -logit(prob) is inf.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    p = _tensor(prob)
    t = _target(target, p, "binary_cross_entropy")
    # a Tensor target of another float dtype is refused, as PyTorch does; a NumPy array (a
    # constant, which PyTorch's loss does not take) is cast to the input's dtype below
    if isinstance(target, Tensor) and t.dtype.kind == "f" and t.dtype != p.dtype:
        raise RuntimeError(
            f"binary_cross_entropy: the target has dtype {t.dtype} but the input {p.dtype}; "
            f"they must be the same, as in PyTorch: convert the target, e.g. "
            f"target.to({p.dtype}), or the model (model.double() for float64)"
        )
    t = _target(t, p, "binary_cross_entropy", cast=True)  # an integer target: 0s and 1s
    w = _weight(weight, p.shape, p.dtype, "binary_cross_entropy")
    pd = p.data
    eps = np.asarray(_BCE_EPS, dtype=pd.dtype)
    edges = _bce_edges(pd, t.data, eps)
    if not edges:
        loss = (t - 1) * (-p).log1p() - t * p.log()
    else:
        edge, clog_p, clog_1mp = edges
        # Away from the edges: the formula itself (p is swapped for 1/2 at the edges, so its
        # logs stay finite in the branch that `where` drops).
        inner = where(edge, 0.5, p)
        smooth = (t - 1) * (-inner).log1p() - t * inner.log()
        # At the edges: the clamped value, plus (p - p) * slope, which is 0 but has the
        # gradient slope = (p - target) / 1e-12 with respect to p.
        at_edge = (t - 1) * clog_1mp - t * clog_p + (p - pd) * ((pd - t) / eps)
        loss = where(edge, at_edge, smooth)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


@effect  # the values decide the branch: a compiled function checks they still do
def _bce_edges(pd: np.ndarray, td: np.ndarray, eps: np.ndarray) -> tuple:
    """Check probabilities and targets; () when no probability lies within eps of 0 or 1,
    else (where they do, max(log(p), -100), max(log(1 - p), -100))."""
    prod = pd * (1 - pd)
    # every p within (0, 1), away from its ends (a nan minimum is not; an empty pd is inside)
    inside = not prod.size or np.minimum.reduce(prod, None) >= eps
    if not inside and not ((pd >= 0) & (pd <= 1)).all():
        raise ValueError(
            "binary_cross_entropy: every input value must be a probability in [0, 1]; "
            "for raw scores use binary_cross_entropy_with_logits"
        )
    if td.size and not (np.minimum.reduce(td, None) >= 0 and np.maximum.reduce(td, None) <= 1):
        raise ValueError("binary_cross_entropy: every target value must lie in [0, 1]")
    if inside:
        return ()
    edge = prod < eps
    with np.errstate(divide="ignore"):
        clog_p = np.maximum(np.log(pd), -100).astype(pd.dtype)
        clog_1mp = np.maximum(np.log1p(-pd), -100).astype(pd.dtype)
    return edge, clog_p, clog_1mp


def binary_cross_entropy_with_logits(
    logits: Any,
    target: Any,
    weight: Any = None,
    *,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """binary_cross_entropy(sigmoid(logits), target) in PyTorch's stable form

        (1 - target) * logits - log_sigmoid(logits)          [* weight]

    and with pos_weight (a weight for the positive class, broadcast along the last axis,
    usually one value per class): (1 - target) * logits - (1 + (pos_weight - 1) * target) *
    log_sigmoid(logits). Nothing overflows; the gradient is sigmoid(logits) - target (for
    pos_weight = 1), finite even at logits = +-inf, where the value is PyTorch's (inf, or
    nan where 0 * inf appears, as in PyTorch).
    """
    fn = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, fn)
    x = _tensor(logits)
    t = _target(target, x, fn)
    w = _weight(weight, x.shape, x.dtype, fn)
    pw = _weight(pos_weight, x.shape, x.dtype, fn, "pos_weight")
    log_sig = log_sigmoid(x)
    if pw is not None:
        log_sig = log_sig * ((pw - 1) * t + 1)
    loss = (1 - t) * x - log_sig
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


# Class-index losses. The input has the classes on axis 1 (N, C) or (N, C, d1, d2, ...), or
# is a single example (C,); the target holds one class index per position: (N,),
# (N, d1, d2, ...) or (). A target equal to ignore_index adds nothing and is not counted.


def _class_axis(x: Tensor, fn: str) -> int:
    if x.ndim == 0:
        raise ValueError(
            f"{fn}: input must have shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor"
        )
    return 0 if x.ndim == 1 else 1


def _class_weight(weight: Any, classes: int, dtype: np.dtype, fn: str) -> np.ndarray | None:
    """A per-class weight as a constant (C,) array of `dtype` (None stays None)."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(
            f"{fn}: weight must be a tensor of {classes} class weights, got the string "
            f"{weight!r}; pass the reduction by name: reduction={weight!r}"
        )
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.dtype.kind not in "fiu":
        raise TypeError(f"{fn}: weight must hold numbers, got an array of {w.dtype}")
    if w.shape != (classes,):
        raise ValueError(
            f"{fn}: weight must hold one value per class, shape ({classes},), got shape {w.shape}"
        )
    return w.astype(dtype, copy=False)


def _class_targets(target: Any, x: Tensor, axis: int, ignore_index: int, fn: str) -> np.ndarray:
    """The target as an int64 array of class indices, checked against the input."""
    y = target.data if isinstance(target, Tensor) else np.asarray(target)
    expected = x.shape[:axis] + x.shape[axis + 1 :]
    if y.dtype.kind not in "iu":
        hint = ""
        if fn == "cross_entropy":
            hint = f", or give class probabilities as a float target of the input's shape {x.shape}"
        raise TypeError(
            f"{fn}: target must hold integer class indices, got dtype {y.dtype}; convert "
            f"with .astype(np.int64){hint}"
        )
    if y.shape != expected:
        raise ValueError(
            f"{fn}: target must have shape {expected} for input of shape {x.shape}, got {y.shape}"
        )
    return _class_indices(y, x.shape[axis], ignore_index, fn)


@effect  # the values are checked: a compiled function checks them again at every call
def _class_indices(y: np.ndarray, classes: int, ignore_index: int, fn: str) -> np.ndarray:
    """y as int64, every entry a class index or ignore_index (else ValueError)."""
    y = y.astype(np.int64, copy=False)
    bad = ((y < 0) | (y >= classes)) & (y != ignore_index)
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        position = at[0] if len(at) == 1 else at
        raise ValueError(
            f"{fn}: target {int(y[bad][0])} at position {position} is out of bounds: class "
            f"indices lie in [0, {classes}) for {classes} classes (or equal "
            f"ignore_index={ignore_index})"
        )
    return y


def _pick(x: Tensor, y: np.ndarray, axis: int) -> Tensor:
    """x at class y[i] for every position i: a Tensor of y's shape."""
    if x.ndim == 1:
        return x[int(y)]
    rest = np.indices(y.shape, sparse=True)  # (N, 1, ...), (1, d1, ...), ...
    return x[(rest[0], y, *rest[1:])]


def _nll(
    log_probs: Tensor, y: np.ndarray, w: np.ndarray | None, ignore_index: int, reduction: str
) -> Tensor:
    """nll_loss on checked arguments: -w[y] * log_probs[y] at each position (0 where y is
    ignore_index); 'mean' divides the sum by the total weight of the positions counted."""
    skip, ignored, y, wy = _ignored(y, ignore_index, w)
    picked = _pick(log_probs, y, _class_axis(log_probs, "nll_loss"))
    loss = -picked if wy is None else -(picked * wy)
    if reduction == "mean" and (skip or wy is not None):
        total, nothing = _counted_weight(ignored, wy, log_probs.dtype)
        if nothing:
            return _mean_of_nothing(loss, ignored, total)
    if skip:
        loss = where(ignored, 0.0, loss)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if wy is None and not skip:
        return loss.mean()
    return loss.sum() / total


def _mean_of_nothing(loss: Tensor, ignored: np.ndarray, total: np.ndarray) -> Tensor:
    """'mean' when the counted positions weigh 0 in all (all ignored, or zero weights):
    sum / 0, nan (or +-inf), as PyTorch. Only the counted positions are summed, picked out
    by index: the gradient 1/0 then reaches them alone (nan for a zero weight, as in
    PyTorch), and the ignored ones get exactly 0 (masking them with `where` would multiply
    its 0 by inf: nan). It multiplies by 1/0 = inf rather than dividing by 0, so that the
    backward pass does not divide by zero (and warn) either."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return loss[~ignored].sum() * (1 / total)


@effect  # the values decide the branch: a compiled function checks they still do
def _ignored(y: np.ndarray, ignore_index: int, w: np.ndarray | None) -> tuple:
    """(whether y is ignore_index anywhere, where it is, y with those set to class 0, w[y])."""
    ignored = y == ignore_index
    skip = bool(ignored.any())
    if skip:
        y = np.where(ignored, 0, y)  # any valid class: those positions are masked later
    return skip, ignored, y, None if w is None else w[y]


@effect  # the second value decides the branch: a compiled function checks it still does
def _counted_weight(
    ignored: np.ndarray, wy: np.ndarray | None, dtype: np.dtype
) -> tuple[np.ndarray, bool]:
    """The positions counted by 'mean' (their weights' sum), as a 0-d array, and whether
    that is 0."""
    counted = ~ignored
    total = np.asarray(counted.sum(dtype=dtype) if wy is None else (wy * counted).sum())
    return total, bool(total == 0)


def nll_loss(
    log_probs: Any,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood loss: -weight[y] * log_probs[..., y, ...] at each
    position, for log-probabilities (N, C), (N, C, d1, ...) or (C,) and integer class indices
    y of shape (N,), (N, d1, ...) or (). Positions whose target is ignore_index give 0 and are
    not counted. reduction='mean' divides the sum by the sum of weight[y] over the counted
    positions (their number, without weight), as PyTorch does; nan if none is counted.
    """
    _check_reduction(reduction, "nll_loss")
    x = _tensor(log_probs)
    axis = _class_axis(x, "nll_loss")
    y = _class_targets(target, x, axis, ignore_index, "nll_loss")
    w = _class_weight(weight, x.shape[axis], x.dtype, "nll_loss")
    return _nll(x, y, w, ignore_index, reduction)


def cross_entropy(
    logits: Any,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between softmax(logits) over the class axis and the target, PyTorch's
    torch.nn.functional.cross_entropy.

    logits: (N, C), (N, C, d1, ...) or (C,). The target is either

    - class indices (integers) of shape (N,), (N, d1, ...) or (): the loss is
      nll_loss(log_softmax(logits), target, weight, ignore_index), and with label_smoothing
      = s it is (1 - s) times that plus s / C times the smoothing term
      -sum_c weight[c] * log_softmax(logits)[c] at each position (0 at ignored positions;
      'mean' divides its sum by the same total weight as nll_loss does); or
    - class probabilities: a float target of the logits' shape. The loss at each position is
      -sum_c weight[c] * target[c] * log_softmax(logits)[c], with the target first mixed
      with the uniform distribution, target * (1 - s) + s / C; 'mean' divides the sum by the
      number of positions. ignore_index cannot be used with such targets.

    log_softmax is (x - m) - log(sum(exp(x - m))), exact near the max (see log_softmax).
    """
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}"
        )
    x = _tensor(logits)
    axis = _class_axis(x, "cross_entropy")
    classes = x.shape[axis]
    w = _class_weight(weight, classes, x.dtype, "cross_entropy")
    w_shape = tuple(classes if i == axis else 1 for i in range(x.ndim))
    log_p = log_softmax(x, axis=axis)
    if np.shape(target.data if isinstance(target, Tensor) else target) == x.shape:
        return _cross_entropy_probabilities(
            log_p, target, w, w_shape, ignore_index, reduction, label_smoothing
        )
    y = _class_targets(target, x, axis, ignore_index, "cross_entropy")
    loss = _nll(log_p, y, w, ignore_index, reduction)
    if label_smoothing == 0:
        return loss
    smooth = -(log_p if w is None else log_p * w.reshape(w_shape)).sum(axis)
    skip, ignored, _, wy = _ignored(y, ignore_index, w)
    total, nothing = _counted_weight(ignored, wy, x.dtype) if reduction == "mean" else (0, 0)
    if nothing:  # the counted positions weigh nothing: as in nll_loss
        smooth = _mean_of_nothing(smooth, ignored, total)
    elif skip:
        smooth = where(ignored, 0.0, smooth)
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean" and not nothing:
        smooth = smooth.sum() / total
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _cross_entropy_probabilities(
    log_p: Tensor,
    target: Any,
    w: np.ndarray | None,
    w_shape: tuple,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    kind = (target.data if isinstance(target, Tensor) else np.asarray(target)).dtype
    if kind.kind != "f":
        raise TypeError(
            f"cross_entropy: a target of the input's shape {log_p.shape} holds class "
            f"probabilities and must be floating point, got dtype {kind}; class indices "
            f"have the input's shape without the class axis"
        )
    if ignore_index != -100:
        raise ValueError(
            "cross_entropy: ignore_index is not supported for class-probability targets "
            "(a float target of the input's shape)"
        )
    axis = _class_axis(log_p, "cross_entropy")
    classes = log_p.shape[axis]
    t = _target(target, log_p, "cross_entropy")
    if label_smoothing > 0:
        t = t * (1 - label_smoothing) + label_smoothing / classes
    weighted = log_p if w is None else log_p * w.reshape(w_shape)
    if reduction == "none":
        return -(weighted * t).sum(axis)
    total = -(weighted * t).sum()
    if reduction == "sum":
        return total
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / (log_p.data.size / classes if classes else 0.0)


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """An int64 Tensor of shape labels.shape + (num_classes,) with 1 at each label's class
    and 0 elsewhere. num_classes=-1 means max(labels) + 1. Not differentiable (integers)."""
    y = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"one_hot: labels must be integer class indices, got dtype {y.dtype}; convert "
            f"with .astype(np.int64)"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer):
        raise TypeError(f"one_hot: num_classes must be an integer, got {num_classes!r}")
    if num_classes == -1:
        if y.size == 0:
            raise ValueError(
                "one_hot: cannot infer the number of classes from empty labels; pass num_classes="
            )
        num_classes = int(y.max()) + 1
    elif num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or >= 0, got {num_classes}")
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {int(y.min())}")
    if y.size and y.max() >= num_classes:
        raise ValueError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, "
            f"got {int(y.max())}"
        )
    out = (y[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor.wrap(out)


def kl_div(input: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence of `input` (log-probabilities) from `target`
    (probabilities, or log-probabilities with log_target=True), elementwise:

        target * (log(target) - input)            (0 where target == 0: xlogy's 0 log 0)
        exp(target) * (target - input)            with log_target=True

    reduced: 'batchmean' divides the sum by the batch size input.shape[0] (the KL
    divergence's definition), 'sum', 'none', and 'mean', which divides by the number of
    elements and warns (UserWarning), as torch.nn.functional.kl_div does. As in torch, the
    gradient with respect to a target that is 0 is nan."""
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(
            f"kl_div: reduction must be 'batchmean', 'sum', 'none' or 'mean', got {reduction!r}"
        )
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction='mean' divides the summed loss by the number of elements, not "
            "by the batch size; reduction='batchmean' gives the KL divergence (torch will make "
            "'mean' do that in a future major release)",
            UserWarning,
            stacklevel=2,
        )
    x = _tensor(input)
    t = _target(target, x, "kl_div")
    if log_target:
        loss = t.exp() * (t - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 log 0: `where` drops it
            loss = where(t.data == 0, 0.0, t * t.log()) - t * x
    if reduction == "batchmean":
        total = loss.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, *, reduction: str = "mean"
) -> Tensor:
    """max(0, margin - target * (input1 - input2)), reduced: target 1 asks for input1 to
    rank above input2 by at least margin, -1 the other way. The three broadcast together
    but must have the same number of dimensions, as torch's; the slope where the loss is
    exactly 0 is the linear side's (torch's clamp_min)."""
    _check_reduction(reduction, "margin_ranking_loss")
    a, b = _tensor(input1), _tensor(input2)
    t = _tensor(target)
    if not a.ndim == b.ndim == t.ndim:
        raise RuntimeError(
            f"margin_ranking_loss: input1, input2 and target must have the same number of "
            f"dimensions, got shapes {a.shape}, {b.shape} and {t.shape}"
        )
    return _reduce((-t * (a - b) + margin).clamp_min(0), reduction)


def gaussian_nll_loss(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of target under N(input, var):

        0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps))   [+ 0.5 log(2 pi)]

    reduced, the constant added with full=True. var is a number, or a tensor of input's
    shape, or of that shape with one axis of size 1 or without the last axis (one variance
    shared along it), as torch.nn.functional.gaussian_nll_loss. As torch's, the floor eps
    bounds var's value but not its gradient (torch clamps without recording); a negative
    variance is an error."""
    _check_reduction(reduction, "gaussian_nll_loss")
    x = _tensor(input)
    t = _target(target, x, "gaussian_nll_loss")
    if isinstance(var, int | float) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var must be >= 0, got {var}")
        v = Tensor.wrap(np.full(x.shape, var, dtype=x.dtype))
    else:
        v = _tensor(var)
        if (v.data < 0).any():
            raise ValueError("gaussian_nll_loss: var has negative entries")
        if v.shape != x.shape:
            if v.shape == x.shape[:-1]:
                v = v.unsqueeze(-1)
            elif v.ndim != x.ndim or sum(n for m, n in zip(x.shape, v.shape) if m != n) != 1:
                raise ValueError(
                    f"gaussian_nll_loss: var of shape {v.shape} does not fit the input's "
                    f"{x.shape}: give it the input's shape, that shape with one axis of size "
                    f"1, or without the last axis"
                )
    v = v + (v.clamp_min(eps) - v).detach()
    d = x - t
    loss = (v.log() + d * d / v) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    *,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of target counts under Poisson(rate), dropping the
    constant log(target!):

        exp(input) - target * input              log_input=True (input is log(rate))
        input - target * log(input + eps)        log_input=False (input is the rate)

    reduced; full=True adds Stirling's approximation of log(target!), target * log(target)
    - target + 0.5 * log(2 pi target), where target > 1 (0 elsewhere), as
    torch.nn.functional.poisson_nll_loss."""
    _check_reduction(reduction, "poisson_nll_loss")
    x = _tensor(input)
    t = _target(target, x, "poisson_nll_loss")
    loss = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):  # at 0: `where` drops it
            stirling = t * t.log() - t + (t * (2 * math.pi)).log() * 0.5
        loss = loss + where(t.data <= 1, 0.0, stirling)
    return _reduce(loss, reduction)


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
