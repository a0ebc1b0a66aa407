"""More primitives, of the same kind as those in `ops.py`: PyTorch's remaining elementwise
math (sign, log1p, expm1, sin, cos, erf, log2, log10), the running sum (cumsum), the
root of norm and std with PyTorch's zero gradient at 0, and the rounded divisions (`%`,
fmod, `//`, div with a rounding_mode) with PyTorch's values, refusals and gradients.

They sit outside the core because nothing in the engine, the layers or the losses needs
them; each is still one `Function` with its forward and its vector-Jacobian product side
by side, written once for arrays and Tensors (`np_call` is `np.exp(x)` on an array and
`x.exp()` on a Tensor, so `create_graph=True` records the rule).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .ops import Primitive, np_call


# --------------------------------------------------------------------------- elementwise
def _zeros_like(x: Any) -> Any:
    """Zeros of x's shape and dtype, outside any graph: a gradient that is 0 whatever x holds
    (x * 0 would be NaN where x is inf)."""
    if hasattr(x, "grad_fn"):
        return type(x).wrap(np.zeros_like(x.data))
    return np.zeros_like(x)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Sign(Primitive):
    """out = sign(x) (-1, 0 or 1; 0 for NaN and -0.0, as PyTorch's (x > 0) - (x < 0) gives,
    where NumPy's sign gives NaN and -0.0; a bool x is itself);  dx = 0 everywhere (a step
    has slope 0 almost everywhere; PyTorch gives 0 at x = 0 too)"""

    def forward(ctx, x):
        if x.dtype.kind == "f":
            return np.subtract(x > 0, x < 0, dtype=x.dtype)
        return x.copy() if x.dtype.kind == "b" else np.sign(x)

    def backward(ctx, g):
        return _zeros_like(g)


class Root(Primitive):
    """out = x ** r for x >= 0 and 0 < r < 1: the root that ends a norm or a standard
    deviation (sqrt for r = 1/2);  dx = g * r * out / x, and 0 where x == 0, as PyTorch's
    norm and std backward mask it (x ** r has an infinite slope at 0, and inf times the
    zero gradient of a sum of squares would be nan further back)"""

    def forward(ctx, x, r):
        out = np.sqrt(x) if r == 0.5 else x**r
        ctx.save_for_backward(x, out, r)
        return out

    def backward(ctx, g):
        x, out, r = ctx.saved_tensors
        return g * r * out / (x + (x == 0)), None


class Log1p(Primitive):
    """out = log(1 + x), exact to the last digit even where x is tiny;  dx = g / (1 + x)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x)


class Expm1(Primitive):
    """out = exp(x) - 1, exact to the last digit even where x is tiny;  dx = g * exp(x)
    (not g * (out + 1), which cancels where x is very negative: 0 instead of 4e-18 at -40)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.expm1(x)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np_call("exp", x)


class Sin(Primitive):
    """out = sin(x);  dx = g * cos(x)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np_call("cos", x)


class Cos(Primitive):
    """out = cos(x);  dx = -g * sin(x)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -(g * np_call("sin", x))


class Erf(Primitive):
    """out = erf(x) = 2/sqrt(pi) * (integral of exp(-t^2) from 0 to x);
    dx = g * (2/sqrt(pi) * exp(-x^2))   (the constant joins exp(-x^2) first, so a huge g
    meets the exact 0 that exp(-x^2) is far out, not an overflow)

    NumPy has no erf: the forward applies `math.erf` (the C library's, within an ulp or
    so) to each element in float64 and rounds to x's dtype. That costs about 0.1 us per
    element; gelu(approximate="tanh") avoids it."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        values = np.fromiter(map(math.erf, x.ravel().tolist()), np.float64, x.size)
        dtype = x.dtype if x.dtype.kind == "f" else np.float64
        return values.reshape(x.shape).astype(dtype, copy=False)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (np_call("exp", -(x * x)) * _TWO_OVER_SQRT_PI)


class Log2(Primitive):
    """out = log2(x), NumPy's, computed in float64 and rounded to x's dtype: PyTorch's
    values (log(x) / log(2) misses 3 at x = 8 in float64);  dx = g / (x * log(2))"""

    log, scale = staticmethod(np.log2), 1 / math.log(2)

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.log(x.astype(np.float64)).astype(x.dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.scale / x


class Log10(Log2):
    """out = log10(x); the same rule with log(10)"""

    log, scale = staticmethod(np.log10), 1 / math.log(10)


# --------------------------------------------------------------------------- scans
class Cumsum(Primitive):
    """out = the running sums of x along `axis`;  dx = the running sums of g taken from
    the end (g reversed along axis, summed cumulatively, reversed back)"""

    def forward(ctx, x, axis):
        ctx.save_for_backward(axis)
        return np.cumsum(x, axis=axis)

    def backward(ctx, g):
        (axis,) = ctx.saved_tensors
        back = (slice(None),) * axis + (slice(None, None, -1),)
        return g[back].cumsum(axis=axis)[back], None


# --------------------------------------------------------------------------- rounded division
def _array(x: Any) -> Any:
    """x's values outside any graph: a quotient that only scales a gradient (its own
    derivative is 0 almost everywhere) is a constant, as in PyTorch's rules."""
    return x.data if hasattr(x, "grad_fn") else x


def check_division(a: Any, b: Any, who: str) -> None:
    """PyTorch's refusals for `//`, `%`, fmod and rounded div of the operands (arrays or
    numbers, of the result dtype): bool by bool is not implemented, and an integer divided
    by 0 raises, where NumPy gives 0 (with a warning)."""
    kind = np.result_type(a, b).kind
    if kind == "b":
        raise NotImplementedError(
            f"{who}: not implemented for bool tensors (as in PyTorch); convert first, e.g. x.long()"
        )
    if kind in "iu" and not np.all(b):
        raise RuntimeError(
            f"{who}: integer division by zero (PyTorch raises ZeroDivisionError); divide "
            "floats for inf or nan: x.float()"
        )


def trunc_divide(a: Any, b: Any) -> Any:
    """a / b rounded towards 0 (C's integer division): for floats trunc(a / b), as PyTorch
    computes it; for integers exactly, as (a - fmod(a, b)) // b (an exact quotient)."""
    if np.result_type(a, b).kind == "f":
        return np.trunc(np.true_divide(a, b))
    return np.floor_divide(np.subtract(a, np.fmod(a, b)), b)


class Remainder(Primitive):
    """out = a - b * floor(a / b), the remainder with b's sign (Python's and PyTorch's %):
    fmod(a, b), plus b where that is nonzero and its sign is not b's, as PyTorch computes
    it (so -6.0 % 2.0 is -0.0 and 0.0 % -2.0 is 0.0, where NumPy's remainder gives the
    zero b's sign);  da = g,  db = -g * (a // b) (the exact floor quotient, a constant:
    7 // -0.7 is -11, where floor(7 / -0.7) rounds to -10)"""

    def forward(ctx, a, b):
        check_division(a, b, "remainder")
        ctx.save_for_backward(a, b)
        if np.result_type(a, b).kind != "f":
            return np.remainder(a, b)
        with np.errstate(all="ignore"):  # x % 0 and inf % x are nan, silently
            mod = np.fmod(a, b)
            return np.where((mod != 0) & (np.less(b, 0) != (mod < 0)), mod + b, mod)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        _, db = ctx.needs_input_grad
        with np.errstate(all="ignore"):
            q = np.floor_divide(_array(a), _array(b)) if db else None
        return g, (-(g * q) if db else None)


class Fmod(Primitive):
    """out = a - b * trunc(a / b), the remainder with a's sign (C's fmod);  da = g,
    db = -g * trunc(a / b) (the quotient is a constant)"""

    def forward(ctx, a, b):
        check_division(a, b, "fmod")
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return np.fmod(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        _, db = ctx.needs_input_grad
        with np.errstate(all="ignore"):
            q = trunc_divide(_array(a), _array(b)) if db else None
        return g, (-(g * q) if db else None)


class RoundedDiv(Primitive):
    """out = a / b rounded by `mode`: "floor" (towards -inf) or "trunc" (towards 0), as
    `div(a, b, rounding_mode=mode)`; a float divided by 0 gives inf, -inf or nan as true
    division does;  da = 0,  db = 0 (PyTorch's: the steps are flat)"""

    def forward(ctx, a, b, mode):
        check_division(a, b, "div" if mode else "floor_divide")
        with np.errstate(all="ignore"):
            return np.floor_divide(a, b) if mode != "trunc" else trunc_divide(a, b)

    def backward(ctx, g):
        da, db, _ = ctx.needs_input_grad
        return (_zeros_like(g) if da else None), (_zeros_like(g) if db else None), None


class FloorDivide(RoundedDiv):
    """out = floor(a / b), the `//` operator and floor_divide; as in PyTorch it has no
    derivative: a backward pass through it raises (div(rounding_mode="floor") has 0)"""

    def backward(ctx, g):
        raise RuntimeError(
            "the derivative of floor_divide (//) is not implemented, as in PyTorch; for a "
            "gradient of 0 write torch.div(a, b, rounding_mode='floor'), or detach() the "
            "operands"
        )
