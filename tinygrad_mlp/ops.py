"""The primitives: every operation the engine differentiates directly.

Each primitive is a `Function` whose `forward` computes the result with NumPy and whose
`backward` is its vector-Jacobian product: given `g` = d loss / d out, it returns
d loss / d input for each input. The docstring states the rule with the code's names.

The rules use only what NumPy arrays and Tensors both understand (operators, indexing,
`.reshape`, `.transpose`, `.swapaxes`, `.T`) plus the helpers `np_call` (`np.log(x)`
or `x.log()`, ...), `_permute`, `_broadcast_to` and `_scatter`, so one rule serves a fast
pass on arrays and, with `create_graph=True`, a recorded pass on Tensors. A rule may
return a gradient of the *output's* shape for a broadcast input: the engine reduces it
(`autograd.unbroadcast`).
The rest of PyTorch's elementwise math (sign, log1p, expm1, sin, cos, erf, log2, log10)
and cumsum are primitives of the same kind in `ops_math.py`, outside the core: nothing in
the engine or the layers needs them. Everything else (var, softmax, losses, layers...) is
composed from these and needs no gradient code of its own.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .autograd import Function


class Primitive(Function):
    """A built-in Function whose rule also runs on plain NumPy arrays. Its `forward` and
    `backward` are plain methods (no @staticmethod): the engine calls them on the node."""

    __slots__ = ()
    array_rule = True


# Helpers for the few rules that need more than operators; `x` is an array or a Tensor.
def np_call(name: str, x: Any) -> Any:
    """`np.<name>(x)` on an array, `x.<name>()` on a Tensor (recorded under create_graph)."""
    return getattr(x, name)() if hasattr(x, "grad_fn") else getattr(np, name)(x)


def _permute(x: Any, axes: list) -> Any:  # a Tensor's transpose swaps two axes (PyTorch)
    return x.permute(*axes) if hasattr(x, "grad_fn") else x.transpose(axes)


def _broadcast_to(x: Any, shape: tuple) -> Any:
    if hasattr(x, "grad_fn"):
        return x.broadcast_to(shape)
    # a fresh array, not np.broadcast_to's read-only view: a gradient is writable at every
    # size (a hook may edit it), and filling is cheaper than the view for small arrays
    out = np.empty(shape, x.dtype)
    out[...] = x
    return out


def _scatter(g: Any, index: Any, shape: tuple) -> Any:
    return (
        Scatter.apply(g, index, shape) if hasattr(g, "grad_fn") else _scatter_array(g, index, shape)
    )


def _scatter_array(g: np.ndarray, index: Any, shape: tuple) -> np.ndarray:
    """zeros(shape) with g added at x[index]; repeated indices accumulate."""
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g  # a view: no position can repeat
    else:
        np.add.at(out, index, g)
    return out


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, int | slice) or i is None or i is Ellipsis for i in items)


# --------------------------------------------------------------------------- elementwise
class Add(Primitive):
    """out = a + b;  da = g,  db = g"""

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):
        return g, g


class Sub(Primitive):
    """out = a - b;  da = g,  db = -g"""

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, g):
        return g, -g


class Mul(Primitive):
    """out = a * b;  da = g * b,  db = g * a"""

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (g * b if da else None), (g * a if db else None)


class Div(Primitive):
    """out = a / b;  da = g / b,  db = -g * out / b"""

    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    def backward(ctx, g):
        b, out = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        ga = g / b
        return (ga if da else None), (-ga * out if db else None)


class Pow(Primitive):
    """out = a ** b;  da = g * b * a ** (b - 1),  db = g * out * log(a)
    (da is 0 where a == b == 0, as in PyTorch: 0 * a ** (b - 1 + 1) there, not 0 * inf =
    nan; db is 0 where a == 0: log(a + (a == 0)) there is log 1)"""

    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        plain = type(b) in (int, float) and b != 0  # a number exponent: no 0 ** -1 to mask
        e = b - 1 if plain else b - 1 + (a == 0) * (b == 0)
        return (g * b * a**e if da else None), (
            g * out * np_call("log", a + (a == 0)) if db else None
        )


class Neg(Primitive):
    """out = -x;  dx = -g"""

    def forward(ctx, x):
        return -x

    def backward(ctx, g):
        return -g


class Exp(Primitive):
    """out = exp(x);  dx = g * out"""

    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Primitive):
    """out = log(x);  dx = g / x"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Primitive):
    """out = sqrt(x);  dx = g * 0.5 / out"""

    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * 0.5 / out


class Tanh(Primitive):
    """out = tanh(x);  dx = g * (1 - out * out)"""

    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Primitive):
    """out = 1 / (1 + exp(-x)), computed as exp(min(x, 0)) / (1 + exp(-|x|)), whose exps
    never overflow;  dx = g * out * (1 - out)"""

    def forward(ctx, x):
        out = np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))  # logaddexp: ~10x slower
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


class Relu(Primitive):
    """out = max(x, 0);  dx = g * (x > 0)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x, 0)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > 0)


class Abs(Primitive):
    """out = |x|;  dx = g * sign(x)   (0 at x = 0, as in PyTorch)"""

    def forward(ctx, x):
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    def backward(ctx, g):
        (sign,) = ctx.saved_tensors
        return g * sign


class Clip(Primitive):
    """out = min(max(x, lo), hi);  dx = g where lo <= x <= hi, else 0"""

    def forward(ctx, x, lo, hi):
        # np.maximum / np.minimum: np.clip's Python wrapper costs ~1.5 us more per call
        out = x if lo is None else np.maximum(x, lo)
        out = out if hi is None else np.minimum(out, hi)
        ctx.save_for_backward(out == x)  # inside [lo, hi]: clipping changed nothing
        return out

    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside, None, None


class Maximum(Primitive):
    """out = maximum(a, b);  da = g * w,  db = g * (1 - w), where w = 1 if a > b,
    1/2 if a == b (ties share the gradient, as in PyTorch), 0 otherwise"""

    pick = staticmethod(np.maximum)

    def forward(ctx, a, b):
        out = ctx.pick(a, b)
        w = (a == out) - 0.5 * (a == b)
        ctx.save_for_backward(w.astype(out.dtype) if out.dtype.kind == "f" else w)
        return out

    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (g * w if da else None), (g * (1 - w) if db else None)


class Minimum(Maximum):
    """out = minimum(a, b); the same rule, with w = 1 where a < b"""

    pick = staticmethod(np.minimum)


class Where(Primitive):
    """out = a where cond else b;  da = g * cond,  db = g * (not cond); cond gets none"""

    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        ctx.save_for_backward(cond, ~cond)
        return np.where(cond, a, b)

    def backward(ctx, g):
        cond, not_cond = ctx.saved_tensors
        _, da, db = ctx.needs_input_grad
        return None, (g * cond if da else None), (g * not_cond if db else None)


class MatMul(Primitive):
    """out = a @ b for a (..., n, k), b (..., k, m);  da = g @ b^T,  db = a^T @ g
    (^T swaps the last two axes; batch axes that were broadcast are summed by the engine)"""

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (g @ b.swapaxes(-1, -2) if da else None), (a.swapaxes(-1, -2) @ g if db else None)


class MatMulT(Primitive):
    """out = a @ b^T for a (n, k) and b (m, k): a linear layer's x @ weight^T in one node;
    da = g @ b,  db = g^T @ a   (db comes out in b's own (m, k) layout, no transpose)"""

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b.T

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (g @ b if da else None), (g.T @ a if db else None)


class Cast(Primitive):
    """out = x as `dtype`;  dx = g (the engine casts it back to x's dtype)"""

    def forward(ctx, x, dtype):
        return x.astype(dtype)

    def backward(ctx, g):
        return g, None


# --------------------------------------------------------------------------- reductions
def _kept_shape(shape: tuple, axes: tuple | None) -> tuple:
    """`shape` with the reduced axes (all of them for None) kept as size 1."""
    return (
        (1,) * len(shape)
        if axes is None
        else tuple(1 if i in axes else n for i, n in enumerate(shape))
    )


@functools.lru_cache(maxsize=256)  # cached: about as cheap as x.size // out.size
def _averaged(shape: tuple, axes: tuple | None) -> int:
    """How many of the values of `shape` each output of a mean over `axes` averages."""
    size = math.prod(shape)  # all of them for None; 0 for an empty x, as x.size // out.size
    return size if axes is None or not size else math.prod([shape[a] for a in axes])


# functions of shapes and axes only: a tracer (compile.py) may compute them once
SHAPE_HELPERS = (_kept_shape, _averaged)


class Sum(Primitive):
    """out = x summed over `axis` (a tuple of axes, None: all);  dx = g broadcast back over
    the summed axes"""

    def forward(ctx, x, axis, keepdims):
        ctx.save_for_backward(x.shape, axis)
        # x.sum without its Python wrapper; integers and bools sum to int64, as in PyTorch
        return np.add.reduce(x, axis, None if x.dtype.kind == "f" else np.int64, keepdims=keepdims)

    def backward(ctx, g):
        shape, axis = ctx.saved_tensors
        return _broadcast_to(g.reshape(_kept_shape(shape, axis)), shape), None, None


class Mean(Primitive):
    """out = x summed over `axis` / n, where n is how many values each output averages;
    dx = g / n broadcast back over those axes"""

    def forward(ctx, x, axis, keepdims):
        n = _averaged(x.shape, axis)
        ctx.save_for_backward(x.shape, axis, n)
        # ndarray.mean is slow on small arrays
        return np.add.reduce(x, axis, keepdims=keepdims) / n

    def backward(ctx, g):
        shape, axis, n = ctx.saved_tensors
        return _broadcast_to(g.reshape(_kept_shape(shape, axis)) / n, shape), None, None


class Max(Primitive):
    """out = largest x over `axis`;  dx = g at the positions that hold the largest value
    (shared equally between ties), 0 elsewhere"""

    reduce = staticmethod(np.max)

    def forward(ctx, x, axis, keepdims):
        out = ctx.reduce(x, axis=axis, keepdims=True)
        hit = x == out
        ctx.save_for_backward(out.shape, (hit / hit.sum(axis=axis, keepdims=True)).astype(x.dtype))
        if keepdims:
            return out
        return out.reshape(
            () if axis is None else [n for i, n in enumerate(x.shape) if i not in axis]
        )

    def backward(ctx, g):
        kept, share = ctx.saved_tensors
        return g.reshape(kept) * share, None, None


class Min(Max):
    """out = smallest x over `axes`; the same rule as Max"""

    reduce = staticmethod(np.min)


# --------------------------------------------------------------------------- movement
class Reshape(Primitive):
    """out = x.reshape(shape);  dx = g.reshape(x.shape)"""

    def forward(ctx, x, shape):
        ctx.save_for_backward(x.shape)
        return x.reshape(shape)

    def backward(ctx, g):
        (shape,) = ctx.saved_tensors
        return g.reshape(shape), None


class Transpose(Primitive):
    """out = x.transpose(axes);  dx = g.transpose(inverse of axes)"""

    def forward(ctx, x, axes):
        out = x.transpose(axes)  # first: it rejects axes that are not a permutation
        ctx.save_for_backward(axes)
        return out

    def backward(ctx, g):
        (axes,) = ctx.saved_tensors
        inverse = [0] * len(axes)
        for i, a in enumerate(axes):
            inverse[a % len(axes)] = i
        return _permute(g, inverse), None


class BroadcastTo(Primitive):
    """out = x broadcast to `shape`;  dx = g (the engine sums it back to x's shape)"""

    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    def backward(ctx, g):
        return g, None


class GetItem(Primitive):
    """out = x[index];  dx = zeros like x with g added at x[index] (repeats accumulate)"""

    def forward(ctx, x, index):
        ctx.save_for_backward(x.shape, index)
        return x[index]

    def backward(ctx, g):
        shape, index = ctx.saved_tensors
        return _scatter(g, index, shape), None


class SetItem(Primitive):
    """out = x with out[index] = v (`x[index] = v`, out of place; `_inplace` makes it in
    place);  dx = g where index did not write, 0 where it did;  dv = g[index]"""

    def forward(ctx, x, index, v):
        out = x.copy()
        out[index] = v
        kept = np.ones(x.shape, dtype=bool)
        kept[index] = False
        ctx.save_for_backward(index, kept)
        return out

    def backward(ctx, g):
        index, kept = ctx.saved_tensors
        dx, _, dv = ctx.needs_input_grad
        return (g * kept if dx else None), None, (g[index] if dv else None)


class Scatter(Primitive):
    """out = zeros(shape) with g added at out[index] (GetItem's backward, recorded when
    create_graph=True);  dg = g_out[index]"""

    def forward(ctx, g, index, shape):
        ctx.save_for_backward(index)
        return _scatter_array(g, index, shape)

    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return g[index], None, None


class Concatenate(Primitive):
    """out = the inputs joined along `axis` (given last);  d input_i = the slice of g
    where input_i sits"""

    def forward(ctx, *arrays_and_axis):
        *arrays, axis = arrays_and_axis
        out = np.concatenate(arrays, axis=axis)
        axis = axis % out.ndim
        ends = np.cumsum([a.shape[axis] for a in arrays]).tolist()
        ctx.save_for_backward(axis, ends)
        return out

    def backward(ctx, g):
        axis, ends = ctx.saved_tensors
        lead = (slice(None),) * axis
        starts = [0, *ends[:-1]]
        return (*(g[(*lead, slice(s, e))] for s, e in zip(starts, ends)), None)
