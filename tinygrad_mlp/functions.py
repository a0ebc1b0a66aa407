"""Module-level functions that mirror Tensor methods, as `torch.exp(x)` mirrors `x.exp()`.

`tg.sum(x, dim=1)` is `x.sum(dim=1)`, `tg.max(x, 1)` is `x.max(1)`, and so on; `cat` and
`stack` take `dim=` (or NumPy's `axis=`), and `isclose`, `allclose`, `equal` compare.
`is_tensor`, `var_mean`, `std_mean`, `hstack`/`vstack`, `einsum` (one or two operands),
the random draws `normal`, `bernoulli` and `multinomial`, `set_printoptions` and
`inference_mode` (no_grad by PyTorch's other name) are here too. The binary ones PyTorch
lets take a number first (`remainder`, `floor_divide`, `bitwise_and`, ...: `tg.remainder(5,
t)`) do so, and `where(condition)` alone gives the indices of the nonzero values.

This module defines `sum`, `max`, `min`, `abs`, `all`, `any`, `pow` and `round`, so its own code
reaches Python's through `builtins`.
"""

from __future__ import annotations

import builtins
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from .checks import as_bool, as_dim, as_tensor_list, axis_args, check_int, check_real
from .grad_mode import GradModeBlock
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


def _binary(name: str, reflected: str) -> Callable:
    """`tg.name(a, b)`: `a.name(b)`, or `b.<reflected>(a)` when only b is a Tensor, as
    `torch.remainder(5, t)` takes a number first."""
    method = _function(name)

    def function(input: Any, other: Any) -> Any:
        if not _is_tensor(input) and _is_tensor(other):
            return getattr(other, reflected)(input)
        return method(input, other)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`{name}(a, b)` is `a.{name}(b)`; a may be a number when b is a Tensor."
    return function


floor_divide = _binary("floor_divide", "__rfloordiv__")
remainder = _binary("remainder", "__rmod__")
bitwise_and = _binary("bitwise_and", "__rand__")
bitwise_or = _binary("bitwise_or", "__ror__")
bitwise_xor = _binary("bitwise_xor", "__rxor__")
bitwise_left_shift = _binary("bitwise_left_shift", "__rlshift__")
bitwise_right_shift = _binary("bitwise_right_shift", "__rrshift__")
fmod, bitwise_not, sgn, signbit = map(_function, "fmod bitwise_not sgn signbit".split())
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
eq, ne, lt, le, gt, ge = map(_function, "eq ne lt le gt ge".split())
logical_and, logical_or = map(_function, "logical_and logical_or".split())
logical_not, logical_xor = map(_function, "logical_not logical_xor".split())
count_nonzero, nonzero, masked_select = map(
    _function, "count_nonzero nonzero masked_select".split()
)
clamp_min, clamp_max = map(_function, "clamp_min clamp_max".split())
scatter, scatter_add, index_add = map(_function, "scatter scatter_add index_add".split())
index_fill, masked_scatter = map(_function, "index_fill masked_scatter".split())
bmm, addmm, addcmul, addcdiv = map(_function, "bmm addmm addcmul addcdiv".split())


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """`where(condition, input, other)`: input where condition holds, else other (either
    may be a number; see `tensor.where`). `where(condition)` alone is
    `condition.nonzero(as_tuple=True)`, the indices of its nonzero values, as in PyTorch."""
    from .tensor import where as where_

    if input is None and other is None:
        if not _is_tensor(condition):
            raise TypeError(
                f"where(condition): condition must be a Tensor, not {type(condition).__name__}"
            )
        return condition.nonzero(as_tuple=True)
    return where_(condition, input, other)


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


def std_mean(
    input: Any, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction=None
) -> tuple:
    """`(std, mean)` over the same dims, as `torch.std_mean` (unbiased unless told)."""
    var, mean = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return var.sqrt(), mean


def hstack(tensors: Any) -> Any:
    """Join along the second dim (the first for 1-D tensors), as `torch.hstack`."""
    parts = [t.reshape(1) if t.ndim == 0 else t for t in _tensors(tensors, "hstack")]
    return cat(parts, 0 if parts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Any:
    """Join along the first dim, 0-d and 1-d tensors made rows first, as `torch.vstack`."""
    parts = [t.reshape(1, -1) if t.ndim < 2 else t for t in _tensors(tensors, "vstack")]
    return cat(parts, 0)


def _tensors(tensors: Any, who: str) -> list:
    from .tensor import Tensor

    return [t if _is_tensor(t) else Tensor(t) for t in as_tensor_list(tensors, who)]


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation over one or two tensors, as `torch.einsum("ij,jk->ik", a, b)`:
    each letter names a dim; letters missing from the output (after "->"; without it,
    the letters used once, in alphabetical order) are summed. Composed of sum, permute,
    reshape and one batched matmul, so it is differentiable. Ellipsis ("..."), a letter
    repeated within one operand (a diagonal) and three or more operands are refused."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not isinstance(equation, str) or not 1 <= len(operands) <= 2:
        raise TypeError(
            f"einsum(): takes an equation and one or two tensors, got {len(operands)} "
            "operands; for more, chain einsums of two"
        )
    equation = equation.replace(" ", "")
    if "..." in equation:
        raise NotImplementedError("einsum(): ellipsis ('...') is not supported; name every dim")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum(): {equation!r} has {len(terms)} operands, got {len(operands)}")
    if not arrow:
        output = "".join(sorted(c for c in set(inputs) - {","} if inputs.count(c) == 1))
    sizes: dict = {}
    for term, x in zip(terms, operands):
        if not _is_tensor(x) or not term.isalpha() or len(term) != x.ndim:
            raise ValueError(
                f"einsum(): operand {term!r} needs a Tensor with {len(term)} dims, got "
                f"{getattr(x, 'shape', type(x).__name__)}"
            )
        if len(set(term)) != len(term):
            raise NotImplementedError(
                f"einsum(): a letter repeated in one operand ({term!r}, a diagonal) is not "
                "supported; take the diagonal first"
            )
        for c, n in zip(term, x.shape):
            if sizes.setdefault(c, n) != n:
                raise ValueError(f"einsum(): dim {c!r} has sizes {sizes[c]} and {n}")
    if len(set(output)) != len(output) or not set(output) <= set(sizes):
        raise ValueError(f"einsum(): output {output!r} must use each input letter at most once")
    # sum each operand over the letters that neither the other operand nor the output has
    parts = []
    for i, (term, x) in enumerate(zip(terms, operands)):
        others = output + "".join(terms[:i] + terms[i + 1 :])
        gone = tuple(k for k, c in enumerate(term) if c not in others)
        parts.append((x.sum(gone) if gone else x, "".join(c for c in term if c in others)))
    if len(parts) == 1:
        x, term = parts[0]
        return x.permute(*(term.index(c) for c in output))
    (a, ta), (b, tb) = parts
    batch = [c for c in ta if c in tb and c in output]
    summed = [c for c in ta if c in tb and c not in output]
    left, right = [c for c in ta if c not in tb], [c for c in tb if c not in ta]

    def grouped(x: Any, term: str, groups: list) -> Any:
        x = x.permute(*(term.index(c) for g in groups for c in g))
        return x.reshape(*(math.prod(sizes[c] for c in g) for g in groups))

    product = grouped(a, ta, [batch, left, summed]) @ grouped(b, tb, [batch, summed, right])
    got = batch + left + right
    product = product.reshape(*(sizes[c] for c in got))
    return product.permute(*(got.index(c) for c in output))


# --------------------------------------------------------------------------- random draws
def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: builtins.bool = False,
) -> Any:
    """Samples of N(mean, std^2): `normal(mean, std, size)` with numbers (float32 unless
    `dtype` says), or `normal(mean, std)` with a tensor for either, one sample per element
    of their broadcast shape. As in PyTorch, the gradient to tensor mean and std is 0."""
    from .checks import as_device, as_dtype, as_shape, check_no_generator, default_float
    from .creation import draw
    from .random import generator as rng
    from .tensor import Tensor, where

    as_device(device, "normal()")
    check_no_generator(generator, "normal")
    given = [x for x in (mean, std) if _is_tensor(x)]
    if not given:
        if size is None:
            raise TypeError("normal(): with a number mean and std, give size=, e.g. (2, 3)")
        check_real(std, "std", "normal", 0)
        dt = default_float() if dtype is None else as_dtype(dtype, "normal()")
        out = Tensor.wrap(draw("normal", (mean, std, as_shape((size,), "normal")), dt))
        return out.requires_grad_(requires_grad) if requires_grad is not False else out
    if size is not None:
        raise TypeError("normal(): size= is only for a number mean and std; drop it")
    m, s = (np.asarray(x.data if _is_tensor(x) else x, np.float64) for x in (mean, std))
    if (s < 0).any() or not np.isfinite(s).all():
        raise RuntimeError(f"normal(): std must be finite and >= 0, got {std!r}")
    dt = np.result_type(*(x.dtype for x in given))
    sample = rng().normal(m, s).astype(dt if dt.kind == "f" else default_float())
    if not builtins.any(t.requires_grad for t in given):
        return Tensor.wrap(sample)
    zero = np.zeros((), sample.dtype)
    return builtins.sum(where(False, t, zero) for t in given) + sample  # gradient 0


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Any:
    """1 with probability input (elementwise, in [0, 1]), else 0, in input's dtype; with
    `p=` every element has probability p. The gradient to input is 0, as in PyTorch."""
    if not _is_tensor(input):
        raise TypeError(f"bernoulli(): input must be a Tensor, got {type(input).__name__}")
    from .checks import check_floating
    from .tensor import where

    check_floating(input, "bernoulli")
    probs = input.data if p is None else p
    if input.requires_grad:  # in the graph with gradient 0, as PyTorch's
        out = where(False, input, np.zeros((), input.dtype))
    else:
        out = input.wrap(np.zeros_like(input.data))
    return out.bernoulli_(probs, generator=generator)


def multinomial(
    input: Any, num_samples: Any, replacement: builtins.bool = False, *, generator: Any = None
) -> Any:
    """`num_samples` indices (int64) drawn from the categories of each row of input, with
    probabilities proportional to its values (non-negative, not all 0): without
    replacement each category at most once, as `torch.multinomial`."""
    from .checks import as_bool, check_int, check_no_generator
    from .random import generator as rng

    check_no_generator(generator, "multinomial")
    if not _is_tensor(input) or input.ndim not in (1, 2) or not input.is_floating_point():
        raise RuntimeError(
            "multinomial(): input must be a 1-D or 2-D floating Tensor of probabilities, got "
            f"{getattr(input, 'shape', type(input).__name__)}"
        )
    k = check_int("multinomial(): num_samples", num_samples, 1)
    replacement = as_bool(replacement, "replacement", "multinomial")
    rows = np.asarray(input.data, np.float64).reshape(-1, input.shape[-1])
    if not np.isfinite(rows).all() or (rows < 0).any() or (rows.sum(1) == 0).any():
        raise RuntimeError("multinomial(): probabilities must be finite, >= 0, and not all 0")
    if not replacement and k > (rows > 0).sum(1).min():
        raise RuntimeError(
            f"multinomial(): cannot draw {k} samples without replacement from "
            f"{int((rows > 0).sum(1).min())} categories of nonzero probability"
        )
    out = [rng().choice(len(r), k, replace=replacement, p=r / r.sum()) for r in rows]
    return input.wrap(np.array(out, np.int64).reshape(input.shape[:-1] + (k,)))


def set_printoptions(
    precision: Any = None,
    threshold: Any = None,
    edgeitems: Any = None,
    linewidth: Any = None,
    profile: Any = None,
    sci_mode: Any = None,
) -> None:
    """How tensors print, as `torch.set_printoptions`, applied through NumPy's printing:
    `precision` digits, summarised past `threshold` elements with `edgeitems` at each end,
    `linewidth` characters a line, `sci_mode` True/False forces/avoids scientific
    notation (None: NumPy's choice). `profile` "default" (this package's defaults),
    "short" or "full" sets them all first."""
    from .tensor_methods import PRINT_OPTIONS

    profiles = {
        "default": {},
        "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
        "full": {"threshold": sys.maxsize},
    }
    if profile is not None:
        if profile not in profiles:
            raise ValueError(
                f"set_printoptions(): profile must be one of {list(profiles)}, got {profile!r}"
            )
        PRINT_OPTIONS.clear()
        PRINT_OPTIONS.update(profiles[profile])
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            PRINT_OPTIONS[name] = check_int(f"set_printoptions(): {name}", value, 0)
    if sci_mode is not None:
        PRINT_OPTIONS["sci_mode"] = as_bool(sci_mode, "sci_mode", "set_printoptions")


class inference_mode(GradModeBlock):
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
    "inference_mode eq ne lt le gt ge logical_and logical_or logical_not logical_xor count_nonzero "
    "nonzero masked_select clamp_min clamp_max scatter scatter_add index_add index_fill "
    "masked_scatter bmm addmm addcmul addcdiv std_mean hstack vstack normal bernoulli "
    "multinomial set_printoptions einsum floor_divide remainder fmod bitwise_and bitwise_or "
    "bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift sgn signbit where"
).split()

__all__ = FUNCTIONS
