"""Argument checks: the one place where what a user passed becomes what the code needs.

Each check returns the value in the form the code uses, or raises with a message that
names the argument, the value given and what is accepted. Nothing is reinterpreted: a
float is not an axis, a string is not a size, 300 does not become 44 in int8. The core
(tensor.py, ops.py) and the layers above it all check their arguments here.
"""

from __future__ import annotations

import math
import operator
from numbers import Real
from typing import Any

import numpy as np

ACCEPTED = "a number, a (nested) list of numbers, or a NumPy array of numbers or booleans"
_KINDS = {
    "c": "complex numbers",
    "O": "Python objects (or a ragged/None-holding list)",
    "U": "strings",
    "S": "bytes",
    "M": "dates",
    "m": "time deltas",
    "V": "raw bytes",
}


def as_dtype(dtype: Any, who: str = "Tensor()") -> np.dtype:
    """A float, integer or bool NumPy dtype from a dtype, its name, or a `tg.float32`-like
    name (NumPy types)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who} got dtype={dtype!r}, which is not a dtype") from None
    if dt.kind not in "fiub":
        raise TypeError(f"{who} got dtype={dt}; use a float, integer or bool dtype")
    return dt


def as_array(data: Any, dtype: Any = None, who: str = "Tensor()") -> np.ndarray:
    """`data` as a fresh NumPy array of numbers; floating data becomes float32 unless
    `dtype` says otherwise."""
    if data is None or isinstance(data, str | bytes):
        raise TypeError(f"{who} got {type(data).__name__} {data!r}; expected {ACCEPTED}")
    try:
        array = np.array(data)
    except ValueError as e:
        raise ValueError(
            f"{who} got a ragged nested sequence (rows of different lengths); every row "
            f"must have the same length ({e})"
        ) from None
    if array.dtype.kind not in "fiub":
        what = _KINDS.get(array.dtype.kind, f"dtype {array.dtype}")
        raise TypeError(f"{who} got {what}; expected {ACCEPTED}")
    if dtype is not None:
        dt = as_dtype(dtype, who)
        if dt.kind in "iu" and array.dtype != dt:
            _check_fits(array, dt, who)
        return array.astype(dt, copy=False)
    if array.dtype.kind == "f" and array.dtype != np.float32:
        return array.astype(np.float32)
    return array


def _check_fits(array: np.ndarray, dt: np.dtype, who: str) -> None:
    """Refuse values that an integer dtype cannot hold (NumPy would wrap them)."""
    if array.size == 0 or array.dtype.kind == "b":
        return
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{who}: cannot convert NaN or infinity to {dt}")
    info = np.iinfo(dt)
    low, high = array.min(), array.max()
    if low < info.min or high > info.max:
        bad = low if low < info.min else high
        raise ValueError(
            f"{who}: value {bad} does not fit {dt} (which holds {info.min} to {info.max})"
        )


def as_constant(x: Any, who: str) -> Any:
    """An operand that is not a Tensor: a number or an array of numbers. A list becomes an
    array by the rule of `Tensor(list)` (floats as float32); anything else is refused,
    naming it."""
    if isinstance(x, list | tuple):
        return as_array(x, None, who)
    if isinstance(x, bool | int | float):
        return x
    if isinstance(x, np.generic | np.ndarray):
        if x.dtype.kind in "fiub":
            return x
        what = _KINDS.get(x.dtype.kind, f"dtype {x.dtype}")
    else:
        what = f"{type(x).__name__} {brief(x)}"
    raise TypeError(
        f"{who}: an operand is {what}; operands are Tensors, numbers, or NumPy arrays "
        "(or lists) of numbers"
    )


def as_shape(args: tuple, who: str = "shape") -> tuple[int, ...]:
    """The sizes in `f(2, 3)` or `f((2, 3))` as a tuple of ints; anything that is not an
    integer (a float, a string) is refused, not rounded or parsed."""
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = tuple(args[0])
    try:
        return tuple(operator.index(n) for n in args)
    except TypeError:
        raise TypeError(
            f"{who}() takes integer sizes, got {args!r}; write them as ints, e.g. (2, 3)"
        ) from None


def as_dim(dim: Any, ndim: int, who: str, name: str = "dim") -> int:
    """One axis in [0, ndim): negatives count from the end; out of range is refused. A 0-d
    tensor takes 0 and -1, as in PyTorch."""
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{who}(): {name} must be an integer, got {dim!r}") from None
    span = max(ndim, 1)
    if not -span <= d < span:  # NumPy's AxisError is an IndexError and a ValueError
        raise np.exceptions.AxisError(
            f"{who}(): {name} {d} is out of range (expected {name} in [{-span}, {span - 1}])"
        )
    return d % span


def as_axes(axis: Any, ndim: int, who: str = "reduction") -> tuple[int, ...]:
    """`axis` (None, an int, or a tuple or list of ints) as a sorted tuple of distinct axes
    in [0, ndim); on a 0-d tensor axis 0 (or -1) reduces nothing, as in PyTorch."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, quickly
        return (axis % ndim,)
    given = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    axes = [as_dim(a, ndim, who, "axis") for a in given]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{who}(): axis {axis!r} names an axis more than once")
    return tuple(sorted(a for a in axes if a < ndim))


def as_bool(value: Any, name: str, who: str) -> bool:
    """A flag: True or False (NumPy's bool too), never a string or a number."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise TypeError(f"{who}(): {name} must be True or False, got {value!r}")


def brief(x: Any) -> str:
    """repr(x), cut to 60 characters."""
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def op_error(e: Exception, op: str, inputs: tuple) -> Exception:
    """The same kind of error, its message prefixed with the operation, the shapes of its
    tensor and array operands, and its other arguments (numbers, axes, shapes, indices)."""
    arrays = [isinstance(t, np.ndarray) or hasattr(t, "grad_fn") for t in inputs]  # or Tensors
    shapes = [str(t.shape) for t, a in zip(inputs, arrays) if a]
    others = [brief(t) for t, a in zip(inputs, arrays) if not a]
    message = f"{op} on shapes {', '.join(shapes) or '(none)'}"
    if others:
        message += f" with arguments {', '.join(others)}"
    message += f": {e}"
    try:
        return type(e)(message)
    except TypeError:  # an exception class with a constructor of its own (NumPy has some)
        base = next(b for b in (IndexError, ValueError, TypeError) if isinstance(e, b))
        return base(message)


def check_number(name: str, value: Any, low: float, high: float | None = None) -> None:
    """Raise unless `value` is a finite real with `low <= value` (and `value < high`)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or (high is not None and value >= high):
        bound = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


def check_flag(name: str, value: Any) -> None:
    """Raise unless `value` is True or False (an optimizer option, say)."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def check_int(name: str, value: Any, minimum: int) -> int:
    """`value` as an int if it is an integer (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
