"""Dtype names as PyTorch spells them, and PyTorch's type promotion.

`tg.float32`, `tg.float`, `tg.long`, ... are NumPy dtypes, so they work wherever a dtype
does (`Tensor(x, dtype=tg.float64)`, `t.to(tg.long)`, `np.zeros(3, dtype=tg.float)`) and
compare equal to `t.dtype`. The names follow PyTorch, not NumPy: `tg.float` is float32 and
`tg.int` is int32, as `torch.float` and `torch.int` are.

This module defines `float`, `int` and `bool`, so it reaches Python's own through
`builtins`; the package's other modules never import these names.

Type promotion (`result_type`, `promote`) follows PyTorch where NumPy differs: a float
tensor combined with an integer tensor keeps the float dtype (`float32 ** int64` is
float32, NumPy says float64), an integer tensor with a Python float gives float32 (the
default dtype), and a 0-d tensor does not widen a tensor with dimensions of its own kind
(a 0-d float64 times a float32 matrix is float32). A function whose result is floating
(exp, log, sqrt, sin, sigmoid, ...) of an integer or bool tensor gives the default dtype
too (`floating`), where NumPy gives float64 (float16 for bool and uint8).

A Tensor is recognised by its `grad_fn` attribute, so that `tensor_methods.py` can import
this module.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .checks import CATEGORY, as_constant, default_float, set_default_float

float16 = half = np.dtype("float16")
float32 = float = np.dtype("float32")
float64 = double = np.dtype("float64")
uint8 = np.dtype("uint8")
int8 = np.dtype("int8")
int16 = short = np.dtype("int16")
int32 = int = np.dtype("int32")
int64 = long = np.dtype("int64")
bool = np.dtype("bool")

NAMES = (
    "float16 half float32 float float64 double uint8 int8 int16 short int32 int int64 long bool"
).split()

_DEFAULT = (bool, int64, float32)  # what a Python bool, int or float becomes (float: default)


def get_default_dtype() -> np.dtype:
    """The default floating dtype (float32 unless set), as `torch.get_default_dtype`."""
    return default_float()


def set_default_dtype(d: Any) -> None:
    """Make a floating dtype (float32, float64, float16) the default, as
    `torch.set_default_dtype`:
    what Python floats become (`Tensor([1.5])`, `tg.tensor(2.0)`), the dtype of
    `zeros`/`ones`/`randn`/... without dtype=, of layers' parameters, and of floating
    results from integer inputs (`int_tensor / 2`, `int_tensor * 0.5`)."""
    set_default_float(d)


def _rank(x: Any) -> tuple[builtins.int, builtins.int, np.dtype]:
    """(category, tier, dtype) of an operand. Tier 0: a tensor or array with dimensions;
    1: a 0-d tensor; 2: a Python or NumPy scalar or a 0-d array (the engine passes those
    on as Python numbers)."""
    if hasattr(x, "grad_fn"):  # a Tensor
        dt = x.dtype
        return CATEGORY[dt.kind], 0 if x.ndim else 1, dt
    if isinstance(x, np.ndarray) and x.ndim:
        return CATEGORY[x.dtype.kind], 0, x.dtype
    dt = np.asarray(x).dtype
    category = CATEGORY[dt.kind]
    return category, 2, default_float() if category == 2 else _DEFAULT[category]


def result_type(*operands: Any, floating: builtins.bool = False) -> np.dtype:
    """The dtype PyTorch gives an elementwise operation on `operands` (Tensors, arrays,
    numbers). The highest category present wins; within it, the operands of the highest
    tier (dimensioned, then 0-d, then scalars) decide the size; scalars alone give the
    default dtype. `floating=True` for true division, whose result is never integer."""
    ranks = [_rank(x) for x in operands]
    top = builtins.max(c for c, _, _ in ranks)
    tier = builtins.min(t for c, t, _ in ranks if c == top)
    dt = np.result_type(*(d for c, t, d in ranks if c == top and t == tier))
    return default_float() if floating and dt.kind != "f" else dt


def promote(*operands: Any, floating: builtins.bool = False) -> list:
    """`operands` with the Tensors and arrays cast to the result dtype where NumPy would
    compute otherwise: one of a lower kind (an integer beside floats: NumPy would widen to
    float64) or one that would widen it (a 0-d float64 beside a float32 matrix). A float
    operand NumPy promotes correctly by itself is left alone, so no cast node is recorded
    where none is needed. Casting a float tensor is differentiable."""
    dt = result_type(*operands, floating=floating)
    out = []
    for x in operands:
        if (isinstance(x, np.ndarray | np.generic) or hasattr(x, "grad_fn")) and x.dtype != dt:
            if CATEGORY[x.dtype.kind] < CATEGORY[dt.kind] or np.result_type(x.dtype, dt) != dt:
                x = x.astype(dt)
        out.append(x)
    return out


def operands(t: Any, x: Any, op: str, floating: builtins.bool = False) -> tuple:
    """(t, x) ready for a primitive (t a Tensor, x a Tensor or a constant): x checked, and
    both cast where NumPy's result dtype would differ from PyTorch's (`promote`);
    `floating` for true division. The usual cases return at once."""
    dt = t._data.dtype
    if hasattr(x, "grad_fn"):
        fast = x._data.dtype is dt
    elif type(x) is builtins.float or type(x) is builtins.int:
        fast = dt.kind == "f" or type(x) is builtins.int
    else:  # a bool, a NumPy scalar or an array: the same rules, spelled out
        x = as_constant(x, op)
        xd = getattr(x, "dtype", None)
        if xd is None or x.ndim == 0:  # apply passes it on as a Python number
            fast = dt.kind == "f" or xd is None or xd.kind != "f"
        else:  # NumPy promotes as PyTorch does, except an integer array beside floats
            fast = xd is dt or xd.kind == "b" or (xd.kind == "f") == (dt.kind == "f")
    if op == "Sub" and "b" in (dt.kind, _kind(x)):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported (as in "
            "PyTorch). If you are trying to invert a mask, use the `~` or `logical_not()` "
            "operator instead; for numbers, convert first: mask.long() - 1"
        )
    if op == "Pow" and dt.kind == "b":  # NumPy's bool ** 2 is int8; PyTorch's int64
        if result_type(t, x).kind == "b":
            raise NotImplementedError(
                "pow: not implemented for two bool operands (as in PyTorch); convert "
                "first, e.g. mask.long() ** e"
            )
        fast = False
    if fast and (not floating or dt.kind == "f"):
        return t, x
    return tuple(promote(t, x, floating=floating))


def _kind(x: Any) -> str:
    """The dtype kind of an operand: a Tensor's, an array's, a Python number's."""
    return x._data.dtype.kind if hasattr(x, "grad_fn") else np.asarray(x).dtype.kind


def pair(a: Any, b: Any, who: str) -> tuple:
    """(a, b) with PyTorch's result dtype, whichever of them is the Tensor."""
    if hasattr(a, "grad_fn"):
        return operands(a, b, who)
    return operands(b, a, who)[::-1] if hasattr(b, "grad_fn") else (a, b)


def floating(x: Any, who: str | None = None) -> Any:
    """Tensor `x` as the input of a function whose result is floating: itself if it is
    floating, else cast to the default dtype (`result_type(x, floating=True)`), as PyTorch
    computes `exp`, `log`, `sin`, ... of an integer or bool tensor. `who` names a function
    that PyTorch refuses integers for (`mean()`, `var()`, `softmax()`): then such an x
    raises, saying to cast first."""
    dt = x._data.dtype
    if dt.kind == "f":
        return x
    if who is not None:
        raise RuntimeError(
            f"{who}: needs a floating point tensor, got {dt} (as in PyTorch); call .float() "
            f"first, e.g. x.float().{who.split('(')[0]}(...)"
        )
    return x.astype(result_type(x, floating=True))


__all__ = [
    *NAMES,
    "CATEGORY",
    "floating",
    "get_default_dtype",
    "operands",
    "pair",
    "promote",
    "result_type",
    "set_default_dtype",
]
