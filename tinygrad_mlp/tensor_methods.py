"""PyTorch's spellings of Tensor methods, composed from the core ones.

`TensorMethods` is a base class of `Tensor`: everything here is an alias (`view` is
`reshape`), a composition (`var`, `flatten`, `repeat`), a keyword variant (`max(dim)` with
indices) or a conversion (`float()`, `item()`, `tolist()`) built from the methods
`tensor.py` defines next to the primitives. It calls only methods of `self` (and
`self.wrap` to make a tensor from an array), plus NumPy, so it imports nothing of the core;
the few module-level functions it needs (`maximum`, `where`, ...) are imported where they
are used. The methods for the primitives of `ops_math.py` (`sign`, `log1p`, `expm1`,
`sin`, `cos`, `erf`, `log2`, `log10`, `cumsum`: composing them would be slow or off by an
ulp; `%`, `//`, `fmod`, `div(rounding_mode=)`: PyTorch's values and gradients) apply them
here, outside the core. The bitwise operators (`& | ^ ~ << >>` and the `bitwise_*` names)
work on integer and bool tensors outside the graph, in PyTorch's result dtype.

Where a result is not differentiable, it is not in the graph (comparisons, `isnan`, the
indices of `sort`); the rounding family (`floor`, `round`, ...) is in the graph with
gradient 0, as in PyTorch, so `x.round().requires_grad` is True for an x that requires it.

The scatter family (`scatter`, `scatter_add`, `index_add`, `masked_scatter`) is composed
too: the values landing on each place are gathered by one indexing and summed (see
`_sum_into`), so repeated indices add up and the gradient is indexing's. The random fills
(`normal_`, `uniform_`, `bernoulli_`, `exponential_`, `random_`) draw from the package's
generator (`random.py`) under the in-place rules, with gradient 0 as in PyTorch. In-place
changes of shape (`squeeze_`, `unsqueeze_`, `t_`, `transpose_`) are refused, naming the
out-of-place form.

The module-level functions that mirror these methods (`tg.exp(x)`, `tg.sum(x, dim=1)`,
`tg.cat`, ...) are in `functions.py`.

Where NumPy and PyTorch give one spelling two meanings, PyTorch's wins and NumPy's keyword
keeps NumPy's meaning: `x.transpose(0, 1)` swaps two axes (`transpose(axes=...)`
permutes); `x.max(1)` returns `(values, indices)` (`x.max(axis=1)` the values);
`x.var()` is unbiased (`x.var(axis=0)` or `ddof=` is NumPy's).
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from . import ops_math
from .autograd import effect
from .checks import (
    as_axes,
    as_bool,
    as_device,
    as_dim,
    as_dtype,
    as_shape,
    axis_args,
    check_floating,
    check_no_generator,
    check_real,
    default_float,
)
from .dtypes import floating, pair, result_type


@effect  # seen by a compiled function as one call, which its replays make again
def _outside(fn: Callable, *args: Any, **kwargs: Any) -> np.ndarray:
    """`fn(*args, **kwargs)` as an array: NumPy work on values that the graph does not
    record (comparisons, masks, indices), since nothing flows back through it."""
    return np.asarray(fn(*args, **kwargs))


class ValuesIndices(NamedTuple):
    """What `max(dim)` and `min(dim)` return, as `torch.return_types.max`: unpack it
    (`values, indices = x.max(1)`) or read `.values` and `.indices`."""

    values: Any
    indices: Any


PRINT_OPTIONS: dict = {}
"""What `tg.set_printoptions` set (precision, threshold, edgeitems, linewidth, sci_mode):
passed to NumPy's array2string by `Tensor.__repr__`; empty, NumPy's defaults."""


def _twin(name: str) -> Callable:
    """The in-place version of method `name`: `t.exp_()` makes t hold `t.exp()`."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self._inplace(lambda t: getattr(t, name)(*args, **kwargs), name + "_")

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In place: self becomes self.{name}(...), by PyTorch's in-place rules."
    return method


def _is_tensor(x: Any) -> bool:
    return isinstance(x, TensorMethods)


class TensorMethods:
    """PyTorch's Tensor methods that are aliases or compositions of the core ones."""

    __slots__ = ()

    # ------------------------------------------------------------------ attributes
    # shape, ndim and dtype are the array's, read by a C getter (no Python frame: they are
    # on every layer's hot path)
    shape = property(operator.attrgetter("_data.shape"), doc="The array's shape, a tuple.")
    ndim = property(operator.attrgetter("_data.ndim"), doc="The number of axes.")
    dtype = property(operator.attrgetter("_data.dtype"), doc="The array's NumPy dtype.")

    @property
    def retains_grad(self) -> builtins.bool:
        """True for a non-leaf that called retain_grad() (its .grad is kept), as PyTorch."""
        return self.grad_fn is not None and self.grad_fn.retained is not None

    @property
    def is_leaf(self) -> builtins.bool:
        """True for a tensor no recorded operation made (grad_fn is None)."""
        return self.grad_fn is None

    @property
    def T(self) -> Any:
        """The tensor with its axes reversed (a matrix transposed)."""
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Any:
        """The last two axes swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    @property
    def device(self) -> str:
        """Always "cpu": the one device tinygrad_mlp runs on."""
        return "cpu"

    def size(self, dim: int | None = None) -> Any:
        """The shape (a tuple), or the size of axis `dim`, as PyTorch's `size()`."""
        if dim is None:
            return self.shape
        return self.shape[as_dim(dim, self.ndim, "size")] if self.ndim else 1

    def numel(self) -> int:
        """How many elements the tensor holds."""
        return self.data.size

    nelement = numel

    def dim(self) -> int:
        """The number of axes (as `.ndim`)."""
        return self.ndim

    ndimension = dim

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        _reading(self, "numpy")
        return self.data

    def item(self) -> Any:
        """The one value of a one-element tensor, as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element; this one has shape {self.shape}: "
                "reduce it first (x.sum().item()) or use x.tolist()"
            )
        _reading(self, "item")
        return self.data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of numbers."""
        _reading(self, "tolist")
        return self.data.tolist()

    # ------------------------------------------------------------------ Python protocols
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """NumPy's view of the tensor: the data itself, or a copy when NumPy asks for one."""
        out = self.data if dtype is None else self.data.astype(dtype)
        return out.copy() if copy and out is self.data else out

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Any]:
        """The rows, each a tensor (differentiable, as in PyTorch)."""
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __contains__(self, value: Any) -> bool:
        return bool((self == value).data.any())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{self.shape}); use .any() or .all()"
            )
        _reading(self, "bool")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """An integer one-element tensor as an index (`range(t)`, `seq[t]`)."""
        if self.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index; "
                f"this one is {self.dtype} of shape {self.shape}"
            )
        return int(self.data.item())

    def __repr__(self) -> str:
        options = dict(PRINT_OPTIONS)
        sci = options.pop("sci_mode", None)
        if sci is not None and self._data.dtype.kind == "f":
            digits = options.get("precision", 8)
            if sci:
                options["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
            else:
                options["suppress_small"] = True
        body = np.array2string(self._data, separator=", ", prefix="Tensor(", **options)
        extra = ""
        if self._data.dtype not in (default_float(), np.int64, np.bool_):
            extra += f", dtype={self._data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn={self.grad_fn!r}"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    def __format__(self, spec: str) -> str:
        """`f"{loss:.4f}"` formats a 0-d tensor as its number."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string passed to Tensor.__format__ (shape {self.shape}); "
                "format one value: f'{t.item():.4f}' needs a single element"
            )
        return str(self)

    # comparisons: boolean tensors, outside the graph
    def _compare(self, other: Any, ufunc: np.ufunc) -> Any:
        from .checks import as_constant

        other = other.data if _is_tensor(other) else as_constant(other, ufunc.__name__)
        return self.wrap(_outside(ufunc, self.data, other))

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, np.greater_equal)

    # == and != with what no tensor can be compared with (None, a string) fall back to
    # identity, as in PyTorch: `t != None` is True (eq() and ne() raise)
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented
        return self._compare(other, np.not_equal)

    def __abs__(self) -> Any:
        return self.abs()

    def __pos__(self) -> Any:
        return self

    # bitwise operators on integer and boolean tensors, outside the graph, in PyTorch's
    # result dtype (an int32 tensor & 2 stays int32; a 0-d int64 tensor does not widen it)
    def _bitwise(self, other: Any, ufunc: Callable, reflected: builtins.bool = False) -> Any:
        name = getattr(ufunc, "__name__", "bitwise")
        a, b = pair(other, self, name) if reflected else pair(self, other, name)
        a, b = (x.data if _is_tensor(x) else x for x in (a, b))
        kind = np.result_type(a, b).kind
        if kind not in "biu" or (kind == "b" and ufunc is _shift):
            raise TypeError(
                f'"{name}" is only for {"integer" if ufunc is _shift else "boolean and integer"} '
                f"tensors, got {np.result_type(a, b)}; for a condition, compare first: "
                "(x > 0) & (y < 1)"
            )
        return self.wrap(_outside(ufunc, a, b))

    def bitwise_and(self, other: Any) -> Any:
        """self & other, bit by bit (logical and for bools)."""
        return self._bitwise(other, np.bitwise_and)

    def bitwise_or(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_or)

    def bitwise_xor(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_xor)

    def bitwise_not(self) -> Any:
        """~self: each bit flipped (logical not for bools)."""
        return self._bitwise(0, lambda a, _: np.invert(a))

    def bitwise_left_shift(self, other: Any) -> Any:
        """self << other, as PyTorch shifts: a count < 0 or >= the bit width gives 0."""
        return self._bitwise(other, _shift)

    def bitwise_right_shift(self, other: Any) -> Any:
        """self >> other (arithmetic for signed integers), as PyTorch shifts: a count < 0 or
        >= the bit width gives the sign (0 or -1), 0 for unsigned integers."""
        return self._bitwise(other, _right_shift)

    __and__, __or__, __xor__, __invert__ = bitwise_and, bitwise_or, bitwise_xor, bitwise_not
    __lshift__, __rshift__ = bitwise_left_shift, bitwise_right_shift

    def __rand__(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_and, True)

    def __ror__(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_or, True)

    def __rxor__(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_xor, True)

    def __rlshift__(self, other: Any) -> Any:
        return self._bitwise(other, _shift, True)

    def __rrshift__(self, other: Any) -> Any:
        return self._bitwise(other, _right_shift, True)

    def logical_not(self) -> Any:
        return self.wrap(_outside(np.logical_not, self.data))

    # ------------------------------------------------------------------ dtype and device
    def to(self, *args: Any, dtype: Any = None, device: Any = None, **kwargs: Any) -> Any:
        """`to(dtype)`, `to("cpu")`, `to(other_tensor)`, `to("cpu", dtype)`, `to(dtype=...,
        device=...)`: self when nothing changes, else a converted copy (differentiable
        between float dtypes). Only the "cpu" device exists."""
        for key in kwargs:
            if key not in ("non_blocking", "copy", "memory_format"):
                raise TypeError(f"to() got an unexpected keyword argument {key!r}")
        for a in args:
            if _is_tensor(a):
                dtype = a.dtype
            elif _is_device(a):
                device = a
            else:
                dtype = a
        as_device(device, "to()")
        if dtype is None or as_dtype(dtype, "to()") == self.dtype:
            return self.clone() if kwargs.get("copy") else self
        return self.astype(dtype)

    def type(self, dtype: Any = None) -> Any:
        """`type(dtype)` converts (as `to(dtype)`); `type()` names the dtype."""
        return str(self.dtype) if dtype is None else self.to(dtype)

    def type_as(self, other: Any) -> Any:
        """Converted to `other`'s dtype."""
        return self.to(other.dtype)

    def float(self) -> Any:
        return self.to(np.float32)

    def double(self) -> Any:
        return self.to(np.float64)

    def half(self) -> Any:
        return self.to(np.float16)

    def long(self) -> Any:
        return self.to(np.int64)

    def int(self) -> Any:
        return self.to(np.int32)

    def short(self) -> Any:
        return self.to(np.int16)

    def bool(self) -> Any:
        return self.to(np.bool_)

    def cpu(self) -> Any:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("cuda(): tinygrad_mlp runs on the CPU only; drop the .cuda() call")

    def contiguous(self) -> Any:
        """Self: every tensor here is laid out as NumPy arranges it."""
        return self

    def clone(self) -> Any:
        """A copy with its own array; the gradient flows back to self."""
        return self.astype(self.dtype)

    # ------------------------------------------------------------------ arithmetic
    def add(self, other: Any, *, alpha: Any = 1) -> Any:
        """self + alpha * other."""
        return self + (other if alpha == 1 else alpha * other)

    def sub(self, other: Any, *, alpha: Any = 1) -> Any:
        """self - alpha * other."""
        return self - (other if alpha == 1 else alpha * other)

    subtract = sub

    def mul(self, other: Any) -> Any:
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        """self / other: true division (an integer result is float32), or with
        `rounding_mode="floor"` / `"trunc"` the quotient rounded down / towards 0, of the
        operands' promoted dtype (integers stay integers), with gradient 0 as in PyTorch."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"{rounding_mode!r}"
            )
        return _divided(ops_math.RoundedDiv, self, other, rounding_mode)

    divide = true_divide = div

    def pow(self, exponent: Any) -> Any:
        return self**exponent

    # rounded division (PyTorch's meanings: % takes the divisor's sign, fmod the dividend's;
    # an integer divided by 0 raises; floats give inf or nan as true division does)
    def floor_divide(self, other: Any) -> Any:
        """floor(self / other), as `//`: integers stay integers; as in PyTorch it has no
        derivative (backward through it raises; div(rounding_mode="floor") has 0)."""
        return _divided(ops_math.FloorDivide, self, other, None)

    def remainder(self, other: Any) -> Any:
        """self - other * floor(self / other), as `%`: the sign of other (Python's %).
        The gradient is 1 for self and -floor(self / other) for other."""
        return _divided(ops_math.Remainder, self, other)

    def fmod(self, other: Any) -> Any:
        """self - other * trunc(self / other): the sign of self (C's fmod). The gradient
        is 1 for self and -trunc(self / other) for other."""
        return _divided(ops_math.Fmod, self, other)

    def __floordiv__(self, other: Any) -> Any:
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _divided(ops_math.FloorDivide, other, self, None)

    def __mod__(self, other: Any) -> Any:
        return self.remainder(other)

    def __rmod__(self, other: Any) -> Any:
        return _divided(ops_math.Remainder, other, self)

    def matmul(self, other: Any) -> Any:
        return self @ other

    def neg(self) -> Any:
        return -self

    negative = neg

    def absolute(self) -> Any:
        return self.abs()

    def clamp(self, min: Any = None, max: Any = None) -> Any:
        """Limit values to [min, max] (either may be None); the gradient is 0 outside. A
        bound that requires grad gets its gradient too (through maximum/minimum)."""
        from .tensor import maximum, minimum

        if min is None and max is None:
            raise ValueError("clamp(): at least one of min= and max= must not be None")
        bounds = [b for b in (min, max) if b is not None]
        if self.dtype.kind != "f" or builtins.any(_is_tensor(b) for b in bounds):
            # PyTorch's result dtype: a float bound makes an integer tensor float, and a
            # 0-d float64 bound does not widen a float32 tensor
            dt = result_type(self, *bounds)
            self, min, max = (
                x.astype(dt) if _is_tensor(x) and x.dtype != dt else x for x in (self, min, max)
            )
        if getattr(min, "_requires_grad", False) or getattr(max, "_requires_grad", False):
            low = self if min is None else maximum(self, min)
            return low if max is None else minimum(low, max)
        return self._clip(min, max)

    clip = clamp

    def square(self) -> Any:
        """self * self"""
        return self * self

    def maximum(self, other: Any) -> Any:
        from .tensor import maximum

        return maximum(self, other)

    def minimum(self, other: Any) -> Any:
        from .tensor import minimum

        return minimum(self, other)

    def where(self, condition: Any, other: Any) -> Any:
        """self where condition holds, else other (PyTorch's `x.where(cond, y)`)."""
        from .tensor import where

        return where(condition, self, other)

    # ------------------------------------------------------------------ reductions
    def max(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """`max()`: the largest value. `max(dim)` (or `dim=`): PyTorch's `(values,
        indices)`. `max(axis=...)`: NumPy's values. `max(other_tensor)`: the elementwise
        maximum, as `torch.max(a, b)`. Values are differentiable (with a dim, the gradient
        goes to the returned index; without one, ties share it); indices are int64."""
        return self._extreme(dim, keepdim, axis, keepdims, "max")

    def min(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """As `max`, for the smallest values."""
        return self._extreme(dim, keepdim, axis, keepdims, "min")

    def _extreme(self, dim: Any, keepdim: Any, axis: Any, keepdims: Any, who: str) -> Any:
        if _is_tensor(dim):
            return self.maximum(dim) if who == "max" else self.minimum(dim)
        values = self.amax if who == "max" else self.amin
        if dim is None or axis is not None or keepdims is not None:
            if dim is None and keepdim is not False and axis is None:
                raise TypeError(f"{who}(): keepdim= needs dim=")
            return values(dim, keepdim, axis=axis, keepdims=keepdims)
        if isinstance(dim, tuple | list):
            raise TypeError(
                f"{who}(dim=...) takes one dim, got {dim!r}; for several use "
                f"a{who}(dim={tuple(dim)!r})"
            )
        index = self._arg(np.argmax if who == "max" else np.argmin, dim, keepdim, None, None, who)
        # the values are read at the indices, so the gradient goes to the returned index
        # only (as in PyTorch; amax/amin share it between ties)
        kept = index if keepdim else index.unsqueeze(as_dim(dim, self.ndim, who))
        out = self.gather(dim, kept)
        return ValuesIndices(out if keepdim else out.squeeze(dim), index)

    def argmax(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """Where the largest value is (the first one; NaN counts as the largest), as int64:
        over the flattened tensor, or along `dim`. A bool tensor is refused, as in PyTorch
        (max(dim) takes one)."""
        return self._arg(np.argmax, dim, keepdim, axis, keepdims, "argmax", True)

    def argmin(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        return self._arg(np.argmin, dim, keepdim, axis, keepdims, "argmin", True)

    def _arg(self, fn: Callable, dim, keep, axis, keeps, who: str, public=False) -> Any:
        dim, keep = axis_args(dim, keep, axis, keeps, who)
        if public and self.dtype.kind == "b":
            raise RuntimeError(
                f"{who}(): does not support bool input (as in PyTorch); convert first, e.g. "
                f"mask.long().{who}(...), or use mask.nonzero()"
            )
        if self.data.size == 0:
            raise IndexError(f"{who}(): cannot take the {who} of an empty tensor")
        if dim is None:
            index = _outside(fn, self.data, keepdims=keep)
        elif self.ndim == 0:
            as_dim(dim, 0, who)
            index = np.zeros((), np.int64)
        else:
            index = _outside(fn, self.data, axis=as_dim(dim, self.ndim, who), keepdims=keep)
        return self.wrap(np.asarray(index, dtype=np.int64))

    def all(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """True where every value is nonzero (a bool tensor, outside the graph; uint8 for a
        uint8 tensor, as PyTorch keeps it)."""
        dim, keep = axis_args(dim, keepdim, axis, keepdims, "all")
        return _truth(self, np.all(self.data, axis=_axes(dim), keepdims=keep))

    def any(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """True where some value is nonzero (a bool tensor, outside the graph)."""
        dim, keep = axis_args(dim, keepdim, axis, keepdims, "any")
        return _truth(self, np.any(self.data, axis=_axes(dim), keepdims=keep))

    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        axis: Any = None,
        ddof: Any = None,
        keepdims: Any = None,
    ) -> Any:
        """Variance: sum((x - mean)^2) / (n - correction). PyTorch's spelling (`var()`,
        `var(1)`, `dim=`, `unbiased=`, `correction=`) is unbiased unless told (correction
        1); NumPy's (`axis=`, `ddof=`, `keepdims=`) divides by n - ddof, ddof 0 unless
        given."""
        if isinstance(dim, bool):  # PyTorch's var(unbiased)
            dim, unbiased = None, dim
        numpy_call = axis is not None or ddof is not None or keepdims is not None
        x = floating(self, None if numpy_call else "var()")
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims, "var")
        given = [
            k for k, v in (("unbiased", unbiased), ("correction", correction)) if v is not None
        ]
        if len(given) + (ddof is not None) > 1:
            raise TypeError(f"var(): give one of unbiased=, correction= and ddof=, got {given}")
        if unbiased is not None:
            correction = int(as_bool(unbiased, "unbiased", "var"))
        elif correction is None:
            correction = ddof if ddof is not None else 0 if numpy_call else 1
        # dim is what it means now: axis= keeps it so (dim=() was every axis, axis=() none)
        d = x - x.mean(axis=dim, keepdims=True)
        if correction == 0:
            return (d * d).mean(axis=dim, keepdims=keepdim)
        total = (d * d).sum(axis=dim, keepdims=keepdim)
        n = x.data.size // total.data.size if total.data.size else 0  # values per output
        return total / builtins.max(n - correction, 0)

    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        axis: Any = None,
        ddof: Any = None,
        keepdims: Any = None,
    ) -> Any:
        """The square root of `var` with the same arguments (and the same defaults); its
        gradient is 0 where the values do not vary (PyTorch's, where sqrt's would be inf)."""
        spelled = {"correction": correction, "axis": axis, "ddof": ddof, "keepdims": keepdims}
        kwargs = {k: v for k, v in spelled.items() if v is not None}
        floating(self, "std()" if axis is None and ddof is None and keepdims is None else None)
        return ops_math.Root.apply(self.var(dim, unbiased, keepdim, **kwargs), 0.5)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Any:
        """The p-norm over `dim` (all values by default): p = 2 (or "fro"), 1, inf, -inf,
        or any number > 0. An integer tensor is refused, as in PyTorch."""
        floating(self, "norm()")
        if p in (2, "fro"):  # Root: gradient 0 at a zero norm, as PyTorch's
            return ops_math.Root.apply((self * self).sum(dim, keepdim), 0.5)
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p in (np.inf, -np.inf):
            return self.abs().amax(dim, keepdim) if p > 0 else self.abs().amin(dim, keepdim)
        if isinstance(p, builtins.int | builtins.float) and p > 0:
            return ops_math.Root.apply((self.abs() ** p).sum(dim, keepdim), 1 / p)
        raise ValueError(f"norm(): p={p!r} is not supported; use 2, 'fro', 1, inf, -inf or p > 0")

    # ------------------------------------------------------------------ shape
    def view(self, *shape: Any) -> Any:
        """The same as `reshape` (tensors here have no strides to keep)."""
        return self.reshape(*shape)

    def view_as(self, other: Any) -> Any:
        return self.reshape(other.shape)

    reshape_as = view_as

    def transpose(self, *dims: Any, axes: Any = None) -> Any:
        """`transpose(dim0, dim1)` swaps two axes, as PyTorch. NumPy's permutation is
        `transpose(axes=(...))` (or `permute(...)`); `.T` reverses all axes."""
        if axes is not None and not dims:
            return self.permute(*as_shape((axes,), "transpose"))
        if len(dims) != 2 or axes is not None:
            raise TypeError(
                f"transpose() takes the two dims to swap, transpose(dim0, dim1), got {dims!r}; "
                "to reorder all axes use permute(*dims) or transpose(axes=(...)), to reverse "
                "them .T"
            )
        order = list(range(self.ndim))
        a, b = (as_dim(d, self.ndim, "transpose") for d in dims)
        if self.ndim:
            order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    swapaxes = swapdims = transpose

    def t(self) -> Any:
        """A matrix transposed (a 0-d or 1-d tensor is returned as it is)."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D; use "
                "transpose(dim0, dim1) or permute(...)"
            )
        return self.permute(*range(self.ndim - 1, -1, -1))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
        """Merge axes start_dim..end_dim into one (all of them by default)."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = (as_dim(d, self.ndim, "flatten") for d in (start_dim, end_dim))
        if s > e:
            raise ValueError(f"flatten(): start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(*self.shape[:s], -1, *self.shape[e + 1 :])

    def unflatten(self, dim: int, sizes: Any) -> Any:
        """Split axis `dim` into `sizes`."""
        d = as_dim(dim, self.ndim, "unflatten")
        return self.reshape(*self.shape[:d], *as_shape((sizes,), "unflatten"), *self.shape[d + 1 :])

    def unsqueeze(self, dim: int) -> Any:
        """A new axis of size 1 at `dim` (negative counts from the end of the result)."""
        d = as_dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(*self.shape[:d], 1, *self.shape[d:])

    def squeeze(self, dim: Any = None) -> Any:
        """Drop axes of size 1: all of them, or those in `dim` (an axis of another size is
        kept, as in PyTorch)."""
        if dim is None:
            drop = {i for i, n in enumerate(self.shape) if n == 1}
        else:
            dims = dim if isinstance(dim, tuple | list) else (dim,)
            drop = {as_dim(d, self.ndim, "squeeze") for d in dims}
        return self.reshape(*(n for i, n in enumerate(self.shape) if i not in drop or n != 1))

    def expand(self, *sizes: Any) -> Any:
        """Broadcast to `sizes`, where -1 keeps that axis's size (a read-only view)."""
        shape = as_shape(sizes, "expand")
        lead = len(shape) - self.ndim
        if lead < 0:
            raise RuntimeError(
                f"expand(): the number of sizes ({len(shape)}) must be at least the number "
                f"of dimensions ({self.ndim})"
            )
        if -1 in shape[:lead]:
            raise RuntimeError(
                f"expand(): cannot expand shape {self.shape} to {shape}: -1 keeps the size of "
                "one of the tensor's own dimensions, so it is not allowed for a new leading one"
            )
        return self.broadcast_to(
            tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
        )

    def expand_as(self, other: Any) -> Any:
        return self.expand(*other.shape)

    def repeat(self, *sizes: Any) -> Any:
        """Tile the tensor `sizes[i]` times along each axis (as `np.tile`)."""
        reps = as_shape(sizes, "repeat")
        if len(reps) < self.ndim:
            raise RuntimeError(
                f"repeat(): the number of repeats ({len(reps)}) can not be smaller than the "
                f"number of dimensions ({self.ndim})"
            )
        shape = (1,) * (len(reps) - self.ndim) + self.shape
        spread = self.reshape(*(v for n in shape for v in (1, n)))
        tiled = spread.broadcast_to(tuple(v for r, n in zip(reps, shape) for v in (r, n)))
        return tiled.reshape(*(r * n for r, n in zip(reps, shape)))

    # ------------------------------------------------------------------ more PyTorch math
    def is_floating_point(self) -> builtins.bool:
        """True for a float16, float32 or float64 tensor."""
        return self.dtype.kind == "f"

    def reciprocal(self) -> Any:
        """1 / self (an integer tensor gives float32, as in PyTorch)."""
        return 1 / self

    def rsqrt(self) -> Any:
        """1 / sqrt(self)."""
        return _in_float64(self, lambda x: 1 / x.sqrt())

    def exp2(self) -> Any:
        """2 ** self."""
        return _in_float64(self, lambda x: 2**x)

    def sign(self) -> Any:
        """-1, 0 or 1 by the sign of each element (0 for NaN, as in PyTorch; NumPy gives
        NaN); the gradient is 0."""
        return ops_math.Sign.apply(self)

    sgn = sign  # the same for real numbers

    def signbit(self) -> Any:
        """True where the sign bit is set (negative values, -0.0 and -NaN): a bool tensor,
        outside the graph."""
        return self.wrap(_outside(np.signbit, self.data))

    def log1p(self) -> Any:
        """log(1 + self), accurate where self is tiny."""
        return ops_math.Log1p.apply(floating(self))

    def expm1(self) -> Any:
        """exp(self) - 1, accurate where self is tiny."""
        return ops_math.Expm1.apply(floating(self))

    def sin(self) -> Any:
        return ops_math.Sin.apply(floating(self))

    def cos(self) -> Any:
        return ops_math.Cos.apply(floating(self))

    def erf(self) -> Any:
        """The error function, 2/sqrt(pi) * integral of exp(-t^2) from 0 to self."""
        return ops_math.Erf.apply(floating(self))

    def log2(self) -> Any:
        """The base-2 logarithm (exact at powers of 2; an integer tensor gives float32)."""
        return ops_math.Log2.apply(floating(self))

    def log10(self) -> Any:
        """The base-10 logarithm (exact at powers of 10)."""
        return ops_math.Log10.apply(floating(self))

    def sinh(self) -> Any:
        """(exp(self) - exp(-self)) / 2, computed as (expm1(self) - expm1(-self)) / 2 so
        that it is exact near 0."""
        return _in_float64(self, lambda x: _hyperbolic(x, (x.expm1() - (-x).expm1()) * 0.5, True))

    def cosh(self) -> Any:
        """(exp(self) + exp(-self)) / 2."""
        return _in_float64(self, lambda x: _hyperbolic(x, (x.exp() + (-x).exp()) * 0.5, False))

    def tan(self) -> Any:
        """sin(self) / cos(self)."""
        return _in_float64(self, lambda x: x.sin() / x.cos())

    # rounding: the gradient is 0 everywhere, as in PyTorch (the steps are flat)
    def floor(self) -> Any:
        """The largest integer <= each value (integer tensors are returned as copies)."""
        return _rounded(self, np.floor)

    def ceil(self) -> Any:
        """The smallest integer >= each value."""
        return _rounded(self, np.ceil)

    def trunc(self) -> Any:
        """Each value rounded towards 0."""
        return _rounded(self, np.trunc)

    fix = trunc

    def round(self, *, decimals: builtins.int = 0) -> Any:
        """Each value rounded to `decimals` decimal places, halves to even (0.5 -> 0,
        1.5 -> 2, 2.5 -> 2), as PyTorch and NumPy do."""
        decimals = _int(decimals, "decimals", "round")
        return _rounded(self, lambda a: np.round(a, decimals))

    def frac(self) -> Any:
        """self - trunc(self), the fractional part with self's sign; the gradient is 1."""
        if not self.is_floating_point():
            raise TypeError(f"frac() needs a floating tensor, got {self.dtype}")
        return self - self.trunc()

    def isnan(self) -> Any:
        """True where the value is NaN (a bool tensor, outside the graph)."""
        return self.wrap(_outside(np.isnan, self.data))

    def isinf(self) -> Any:
        """True where the value is +inf or -inf."""
        return self.wrap(_outside(np.isinf, self.data))

    def isfinite(self) -> Any:
        """True where the value is neither NaN nor infinite."""
        return self.wrap(_outside(np.isfinite, self.data))

    def nan_to_num(self, nan: Any = 0.0, posinf: Any = None, neginf: Any = None) -> Any:
        """NaN becomes `nan`, +inf `posinf` and -inf `neginf` (by default the largest and
        the smallest finite value of the dtype); the gradient is 0 where a value was
        replaced and passes through elsewhere."""
        from .tensor import where

        if not self.is_floating_point():
            return self.clone()
        replaced = np.nan_to_num(self.data, nan=nan, posinf=posinf, neginf=neginf)
        return where(np.isfinite(self.data), self, replaced)

    def lerp(self, end: Any, weight: Any) -> Any:
        """self + weight * (end - self), computed as PyTorch does: from self where
        |weight| < 0.5, from end (end - (end - self) * (1 - weight)) elsewhere, so weight 1
        gives end exactly (in float32 within an ulp of PyTorch's, which fuses the
        multiply-add)."""
        from .tensor import where

        if not _is_tensor(weight):
            if abs(weight) < 0.5:
                return self + weight * (end - self)
            return end - (end - self) * (1 - weight)
        low = self + weight * (end - self)
        return where((weight.abs() < 0.5).data, low, end - (end - self) * (1 - weight))

    # ------------------------------------------------------------------ softmax family
    def softmax(self, dim: builtins.int, dtype: Any = None) -> Any:
        """exp(self) / sum(exp(self)) along `dim` (functional.softmax)."""
        from .functional import softmax

        return softmax(self if dtype is None else self.to(dtype), dim=dim)

    def log_softmax(self, dim: builtins.int, dtype: Any = None) -> Any:
        """log(softmax(self, dim)), computed stably (functional.log_softmax)."""
        from .functional import log_softmax

        return log_softmax(self if dtype is None else self.to(dtype), dim=dim)

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Any:
        """log(sum(exp(self))) over `dim` (an int or a tuple), computed stably."""
        from .functional import logsumexp

        return logsumexp(self, dim=dim, keepdim=as_bool(keepdim, "keepdim", "logsumexp"))

    # ------------------------------------------------------------------ products and sums
    def mm(self, mat2: Any) -> Any:
        """The matrix product of two 2-D tensors (no broadcasting, unlike matmul)."""
        for name, x in (("self", self), ("mat2", mat2)):
            if np.ndim(x) != 2:
                raise RuntimeError(f"mm(): {name} must be a matrix (2-D), got shape {np.shape(x)}")
        return self @ mat2

    def dot(self, other: Any) -> Any:
        """The inner product of two 1-D tensors of one length (a 0-d tensor)."""
        if self.ndim != 1 or np.ndim(other) != 1 or self.shape != np.shape(other):
            raise RuntimeError(
                f"dot(): needs two 1-D tensors of the same length, got shapes {self.shape} and "
                f"{np.shape(other)}"
            )
        return self @ other

    inner = dot

    def outer(self, vec2: Any) -> Any:
        """The outer product of two 1-D tensors: out[i, j] = self[i] * vec2[j]."""
        if self.ndim != 1 or np.ndim(vec2) != 1:
            raise RuntimeError(
                f"outer(): needs two 1-D tensors, got shapes {self.shape} and {np.shape(vec2)}"
            )
        right = vec2.reshape(1, -1) if _is_tensor(vec2) else np.reshape(vec2, (1, -1))
        return self.reshape(-1, 1) * right

    def prod(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        *,
        dtype: Any = None,
        axis=None,
        keepdims=None,
    ) -> Any:
        """The product of the values over `dim` (one axis), or of all of them. Integer and
        bool tensors give int64, as in PyTorch. Composed of pairwise products (half the
        values times the other half, until one is left), so the gradient is right where
        values are 0, and it can be differentiated again."""
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims, "prod")
        x = self.long() if dtype is None and not self.is_floating_point() else self
        x = x if dtype is None else x.to(dtype)
        if dim is None:
            out = _product(x.reshape(-1), 0)
            return out.reshape(*(1,) * self.ndim) if keepdim else out.reshape(())
        d = as_dim(dim, self.ndim, "prod")
        if self.ndim == 0:
            return x.clone()
        out = _product(x, d)
        return out if keepdim else out.squeeze(d)

    def cumsum(self, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Any:
        """The running sums along `dim`: out[i] = self[0] + ... + self[i]. Integer and bool
        tensors give int64, as in PyTorch."""
        dim = axis_args(dim, False, axis, None, "cumsum")[0]
        if dim is None:
            raise TypeError("cumsum() missing the dim to sum along: cumsum(dim)")
        x = self.long() if dtype is None and not self.is_floating_point() else self
        x = x if dtype is None else x.to(dtype)
        if self.ndim == 0:
            as_dim(dim, 0, "cumsum")
            return x.clone()
        return ops_math.Cumsum.apply(x, as_dim(dim, self.ndim, "cumsum"))

    # ------------------------------------------------------------------ selecting
    def gather(self, dim: builtins.int, index: Any, *, sparse_grad: builtins.bool = False) -> Any:
        """out[i][j] = self[index[i][j]][j] for dim 0 (and likewise for each dim):
        `index` is an integer tensor with self's number of dimensions, no larger than self
        except along dim. The gradient adds up where an index repeats."""
        index = _index_array(index, "gather")
        if self.ndim == 0:
            as_dim(dim, 0, "gather")
            return self.reshape(1).gather(0, index.reshape(1)).reshape(index.shape)
        d = as_dim(dim, self.ndim, "gather")
        if index.ndim != self.ndim:
            raise RuntimeError(
                f"gather(): index must have as many dimensions as self ({self.ndim}), got "
                f"shape {index.shape}"
            )
        for i, (n, m) in enumerate(zip(index.shape, self.shape)):
            if i != d and n > m:
                raise RuntimeError(
                    f"gather(): index of shape {index.shape} is larger than self {self.shape} "
                    f"at dimension {i} (only dim {d} may be larger)"
                )
        _check_bounds(index, self.shape[d], d, "gather")
        last = index.ndim - 1  # position i along each other dim, shaped to broadcast
        coords = [np.arange(n).reshape((n,) + (1,) * (last - i)) for i, n in enumerate(index.shape)]
        coords[d] = index
        return self[tuple(coords)]

    def take_along_dim(self, indices: Any, dim: builtins.int) -> Any:
        """NumPy's take_along_axis with a dim: the same as gather(dim, indices) here."""
        return self.gather(dim, indices)

    def index_select(self, dim: builtins.int, index: Any) -> Any:
        """The slices at positions `index` (a 1-D, or 0-d, integer tensor) along `dim`;
        the gradient adds up where an index repeats."""
        index = _index_array(index, "index_select")
        if index.ndim > 1:
            raise IndexError(
                f"index_select(): index must be a vector (1-D), got shape {index.shape}"
            )
        x = self.reshape(1) if self.ndim == 0 else self
        d = as_dim(dim, self.ndim, "index_select")
        _check_bounds(index, x.shape[d], d, "index_select")
        out = x[(slice(None),) * d + (index.reshape(-1),)]
        return out.reshape(()) if self.ndim == 0 else out

    def select(self, dim: builtins.int, index: builtins.int) -> Any:
        """The slice at position `index` along `dim` (that dim is removed): x.select(1, 2)
        is x[:, 2]."""
        d = _real_dim(self, dim, "select")
        i = _position(index, self.shape[d], "select", d)
        return self[(slice(None),) * d + (i,)]

    def masked_fill(self, mask: Any, value: Any) -> Any:
        """`value` where the boolean `mask` (broadcast to self) is True, self elsewhere.
        `value` is a number or a 0-d tensor (which gets the gradient of the filled
        places); it is cast to self's dtype."""
        from .tensor import where

        cond = np.asarray(mask.data if _is_tensor(mask) else mask)
        if cond.dtype != np.bool_:
            raise RuntimeError(
                f"masked_fill(): mask must be a bool tensor, got dtype {cond.dtype}; compare "
                "to make one, e.g. x.masked_fill(m != 0, value)"
            )
        if _is_tensor(value):
            if value.ndim != 0:
                raise RuntimeError(
                    f"masked_fill(): value must be a number or a 0-d tensor, got shape "
                    f"{value.shape}; for a tensor of values use tg.where(mask, values, x)"
                )
            fill = value.astype(self.dtype)
        else:
            from .checks import as_constant

            fill = np.asarray(as_constant(value, "masked_fill()")).astype(self.dtype)
        return where(cond, fill, self)

    # ------------------------------------------------------------------ sorting
    def sort(
        self, dim: builtins.int = -1, descending: builtins.bool = False, *, stable: Any = False
    ) -> Any:
        """`(values, indices)` of self sorted along `dim` (ascending unless `descending`);
        equal values keep their order, NaN counts as the largest value, as in PyTorch.
        The values are self.gather(dim, indices), so the gradient flows back to where
        each value came from."""
        indices = self.argsort(dim, descending, stable=stable)
        return ValuesIndices(self.gather(dim, indices), indices)

    def argsort(
        self, dim: builtins.int = -1, descending: builtins.bool = False, *, stable: Any = False
    ) -> Any:
        """The int64 indices that sort self along `dim` (see sort)."""
        descending = as_bool(descending, "descending", "argsort")
        d = as_dim(dim, self.ndim, "argsort")
        if self.ndim == 0:
            return self.wrap(np.zeros((), np.int64))
        if not descending:
            order = np.argsort(self.data, axis=d, kind="stable")
        else:  # sort the reversed array and reverse back: ties stay in order, NaN first
            reverse = np.flip(np.argsort(np.flip(self.data, d), axis=d, kind="stable"), d)
            order = self.shape[d] - 1 - reverse
        return self.wrap(order.astype(np.int64))

    def topk(
        self,
        k: builtins.int,
        dim: builtins.int = -1,
        largest: builtins.bool = True,
        sorted: builtins.bool = True,
    ) -> Any:
        """`(values, indices)` of the k largest values along `dim` (the k smallest with
        largest=False), largest first."""
        d = as_dim(dim, self.ndim, "topk")
        n = self.shape[d] if self.ndim else 1
        k = _int(k, "k", "topk")
        if not 0 <= k <= n:
            raise RuntimeError(f"topk(): k={k} is out of range for dim {d} of size {n}")
        values, indices = self.sort(d, descending=as_bool(largest, "largest", "topk"))
        if self.ndim == 0:
            return ValuesIndices(values, indices)
        return ValuesIndices(values.narrow(d, 0, k), indices.narrow(d, 0, k))

    # ------------------------------------------------------------------ more shape
    def flip(self, *dims: Any) -> Any:
        """The values in reverse order along each of `dims`: flip(0), flip(0, 1),
        flip((0, 1))."""
        if not dims:
            raise TypeError("flip() missing the dims to reverse: flip(dims), e.g. flip(0)")
        axes = as_axes(dims[0] if len(dims) == 1 else dims, self.ndim, "flip")
        return self[
            tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(self.ndim))
        ]

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        """Shift the values by `shifts` along `dims`, wrapping around: the value at i moves
        to i + shift. Without dims the tensor is rolled flattened and reshaped back."""
        from .tensor import concatenate

        shift_list = list(shifts) if isinstance(shifts, tuple | list) else [shifts]
        if dims is None:
            if len(shift_list) != 1:
                raise RuntimeError(f"roll(): without dims= give one shift, got {shifts!r}")
            return self.flatten().roll(shift_list[0], 0).reshape(self.shape)
        dim_list = list(dims) if isinstance(dims, tuple | list) else [dims]
        if len(dim_list) != len(shift_list):
            raise RuntimeError(
                f"roll(): shifts {shifts!r} and dims {dims!r} must have the same length"
            )
        out = self
        for shift, dim in zip(shift_list, dim_list):
            d = _real_dim(self, dim, "roll")
            n = self.shape[d]
            s = _int(shift, "shifts", "roll") % n if n else 0
            if s:
                lead = (slice(None),) * d
                out = concatenate([out[(*lead, slice(n - s, n))], out[(*lead, slice(0, n - s))]], d)
        return out if out is not self else self.clone()

    def narrow(self, dim: builtins.int, start: Any, length: builtins.int) -> Any:
        """The `length` positions from `start` along `dim` (a negative start counts from
        the end): x.narrow(0, 1, 2) is x[1:3]."""
        d = _real_dim(self, dim, "narrow")
        n = self.shape[d]
        start, length = _int(start, "start", "narrow"), _int(length, "length", "narrow")
        if not -n <= start <= n:
            raise IndexError(f"narrow(): start {start} is out of range for dim {d} of size {n}")
        start += n if start < 0 else 0
        if length < 0 or start + length > n:
            raise RuntimeError(
                f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n})"
            )
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def split(self, split_size_or_sections: Any, dim: builtins.int = 0) -> tuple:
        """A tuple of pieces along `dim`: of `split_size` each (the last may be smaller),
        or of the sizes in a list (which must add up to the size of dim)."""
        d = _real_dim(self, dim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, tuple | list):
            sizes = [_int(s, "split_size_or_sections", "split") for s in split_size_or_sections]
            if builtins.any(s < 0 for s in sizes) or builtins.sum(sizes) != n:
                raise RuntimeError(
                    f"split(): sizes {sizes} must be >= 0 and add up to {n}, the size of dim {d}"
                )
        else:
            size = _int(split_size_or_sections, "split_size_or_sections", "split")
            if size < 0 or (size == 0 and n):
                raise RuntimeError(
                    f"split(): split_size must be > 0 for dim {d} of size {n}, got {size}"
                )
            sizes = [builtins.min(size, n - s) for s in range(0, n, size)] if n else [0]
        starts = np.cumsum([0, *sizes[:-1]]).tolist()
        return tuple(self.narrow(d, s, m) for s, m in zip(starts, sizes))

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        """`chunks` pieces along `dim` of ceil(size / chunks) each (fewer pieces when the
        size does not allow that many), as PyTorch."""
        from .checks import check_int

        chunks = check_int("chunk(): chunks", chunks, 1)
        d = _real_dim(self, dim, "chunk")
        n = self.shape[d]
        if n == 0:  # PyTorch gives `chunks` empty pieces
            return tuple(self.narrow(d, 0, 0) for _ in range(chunks))
        return self.split(-(-n // chunks), d)

    def unbind(self, dim: builtins.int = 0) -> tuple:
        """The slices along `dim`, each without that dim: a tuple of x.select(dim, i)."""
        d = _real_dim(self, dim, "unbind")
        return tuple(self.select(d, i) for i in range(self.shape[d]))

    def tril(self, diagonal: builtins.int = 0) -> Any:
        """The lower triangle of the last two dims (the rest set to 0): the values with
        column - row <= diagonal."""
        return _triangle(self, diagonal, "tril")

    def triu(self, diagonal: builtins.int = 0) -> Any:
        """The upper triangle of the last two dims: the values with column - row >=
        diagonal."""
        return _triangle(self, diagonal, "triu")

    # ------------------------------------------------------------------ comparisons by name
    def eq(self, other: Any) -> Any:
        """self == other elementwise (a bool tensor, outside the graph)."""
        return self._compare(other, np.equal)

    def ne(self, other: Any) -> Any:
        return self._compare(other, np.not_equal)

    def lt(self, other: Any) -> Any:
        return self._compare(other, np.less)

    def le(self, other: Any) -> Any:
        return self._compare(other, np.less_equal)

    def gt(self, other: Any) -> Any:
        return self._compare(other, np.greater)

    def ge(self, other: Any) -> Any:
        return self._compare(other, np.greater_equal)

    def equal(self, other: Any) -> builtins.bool:
        """True when other has self's shape and values (`tg.equal`)."""
        from .functions import equal

        return equal(self, other)

    def isclose(self, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False):
        """Elementwise |self - other| <= atol + rtol * |other| (`tg.isclose`)."""
        from .functions import isclose

        return isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False):
        """True when every element is close (`tg.allclose`)."""
        from .functions import allclose

        return allclose(self, other, rtol, atol, equal_nan)

    def _logical(self, other: Any, ufunc: np.ufunc) -> Any:
        from .checks import as_constant

        other = other.data if _is_tensor(other) else as_constant(other, ufunc.__name__)
        return self.wrap(_outside(ufunc, self.data, other))

    def logical_and(self, other: Any) -> Any:
        """True where both are nonzero (any dtypes; a bool tensor, outside the graph)."""
        return self._logical(other, np.logical_and)

    def logical_or(self, other: Any) -> Any:
        return self._logical(other, np.logical_or)

    def logical_xor(self, other: Any) -> Any:
        return self._logical(other, np.logical_xor)

    def count_nonzero(self, dim: Any = None, *, axis: Any = None) -> Any:
        """How many values are nonzero (int64), over all of them or over `dim` (an int or a
        tuple)."""
        dim = axis_args(dim, False, axis, None, "count_nonzero")[0]
        axes = as_axes(_axes(dim), self.ndim, "count_nonzero")
        counts = np.count_nonzero(self.data, axis=axes if self.ndim else None)
        return self.wrap(np.asarray(counts, dtype=np.int64))

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        """The indices of the nonzero values: an int64 tensor of shape (n, ndim), one row
        per value in row-major order; with as_tuple=True one 1-D tensor per dim."""
        where_ = np.argwhere(self.data.reshape(1) if self.ndim == 0 else self.data)
        where_ = where_.astype(np.int64)
        if as_bool(as_tuple, "as_tuple", "nonzero"):
            return tuple(self.wrap(np.ascontiguousarray(c)) for c in where_.T)
        return self.wrap(where_ if self.ndim else where_[:, :0])

    def masked_select(self, mask: Any) -> Any:
        """The values where the bool `mask` is True, as a 1-D tensor (self and mask broadcast
        together); the gradient flows back to the selected places."""
        cond = np.asarray(mask.data if _is_tensor(mask) else mask)
        if cond.dtype != np.bool_:
            raise RuntimeError(
                f"masked_select(): mask must be a bool tensor, got dtype {cond.dtype}; compare "
                "to make one, e.g. x.masked_select(x > 0)"
            )
        shape = _broadcast(self.shape, cond.shape)
        if shape is None:
            raise RuntimeError(
                f"masked_select(): mask of shape {cond.shape} does not broadcast with self "
                f"of shape {self.shape}"
            )
        x = self if self.shape == shape else self.broadcast_to(shape)
        return x.reshape(-1)[np.broadcast_to(cond, shape).reshape(-1)]

    def clamp_min(self, min: Any) -> Any:
        """clamp(min=min)."""
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Any:
        """clamp(max=max)."""
        return self.clamp(max=max)

    # ------------------------------------------------------------------ scattering
    def scatter(self, dim: builtins.int, index: Any, src: Any = None, *, value: Any = None):
        """self with out[index[i][j]][j] = src[i][j] for dim 0 (likewise for each dim); src
        is a tensor (only its part of index's shape is used) or a number (`value=`). The
        gradient flows to self where nothing was written and to every used src value. An
        index that writes one place twice with a tensor src is refused (PyTorch leaves
        which value wins unspecified)."""
        from .tensor import where

        src = value if src is None else src
        if src is None:
            raise TypeError("scatter() missing the values to write: scatter(dim, index, src)")
        targets = _scatter_targets(self, dim, index, src, "scatter")
        written = np.zeros(self.data.size, bool)
        written[targets] = True
        if not _is_tensor(src):
            fill = np.asarray(_number(src, "scatter"), self.dtype)
            return where(written.reshape(self.shape), fill, self)
        if written.sum() != targets.size:
            raise RuntimeError(
                "scatter(): index writes one position more than once, and PyTorch leaves "
                "which value wins unspecified; make the indices unique, or add them up with "
                "scatter_add"
            )
        placed = _sum_into(_covered(src, np.shape(index)).reshape(-1), targets, self.data.size)
        return where(written.reshape(self.shape), placed.reshape(self.shape), self)

    def scatter_add(self, dim: builtins.int, index: Any, src: Any) -> Any:
        """self with src[i][j] added at out[index[i][j]][j] for dim 0 (likewise for each
        dim); values sent to one place add up. The gradient is g for self and g at each
        value's place for src."""
        if not _is_tensor(src):
            raise TypeError(f"scatter_add(): src must be a Tensor, got {type(src).__name__}")
        targets = _scatter_targets(self, dim, index, src, "scatter_add")
        part = _covered(src, np.shape(index)).reshape(-1)
        return self + _sum_into(part, targets, self.data.size).reshape(self.shape)

    def index_add(self, dim: builtins.int, index: Any, source: Any, *, alpha: Any = 1):
        """self with alpha * source's slice i added at position index[i] along `dim`
        (repeated positions add up); `source` has self's shape but len(index) along dim."""
        d = as_dim(dim, self.ndim, "index_add")
        idx = _index_array(index, "index_add")
        if idx.ndim > 1 or not _is_tensor(source):
            raise RuntimeError(
                f"index_add(): needs a 1-D index and a source Tensor, got index shape "
                f"{idx.shape} and source {type(source).__name__}"
            )
        n = self.shape[d] if self.ndim else 1
        want = self.shape[:d] + (idx.size,) + self.shape[d + 1 :] if self.ndim else (idx.size,)
        if source.shape != want and not (self.ndim == 0 and source.ndim == 0 and idx.size == 1):
            raise RuntimeError(
                f"index_add(): source must have shape {want} (self's shape with len(index) "
                f"along dim {d}), got {source.shape}"
            )
        _check_bounds(idx, n, d, "index_add")
        _same_dtype(self, source, "index_add")
        grid = np.arange(self.data.size).reshape(self.shape or (1,))
        targets = np.take(grid, idx.reshape(-1), axis=d).reshape(-1)
        added = _sum_into(source.reshape(-1), targets, self.data.size).reshape(self.shape)
        return self + (added if alpha == 1 else added * alpha)

    def index_fill(self, dim: builtins.int, index: Any, value: Any) -> Any:
        """self with `value` (a number or a 0-d tensor) at positions `index` along `dim`
        (negative positions count from the end, as in PyTorch's index_fill)."""
        d = as_dim(dim, self.ndim, "index_fill")
        idx = _index_array(index, "index_fill").reshape(-1)
        n = self.shape[d] if self.ndim else 1
        bad = (idx < -n) | (idx >= n)  # -1 is the last position
        if bad.any():
            raise IndexError(
                f"index_fill(): index {idx[bad][0]} is out of range for dim {d} of size {n} "
                f"(expected {-n} <= index < {n})"
            )
        chosen = np.zeros(n, bool)
        chosen[idx] = True
        shape = [1] * self.ndim
        if self.ndim:
            shape[d] = n
        return self.masked_fill(np.broadcast_to(chosen.reshape(shape), self.shape), value)

    def masked_scatter(self, mask: Any, source: Any) -> Any:
        """self with the places where the bool `mask` is True taken, in row-major order,
        from the first values of `source`; the gradient flows to the used source values."""
        from .tensor import where

        cond = np.asarray(mask.data if _is_tensor(mask) else mask)
        if cond.dtype != np.bool_ or not _is_tensor(source):
            raise RuntimeError(
                f"masked_scatter(): needs a bool mask and a source Tensor, got mask dtype "
                f"{cond.dtype} and source {type(source).__name__}"
            )
        _same_dtype(self, source, "masked_scatter")
        cond = np.broadcast_to(cond, self.shape)
        count = builtins.int(cond.sum())
        if count > source.numel():
            raise RuntimeError(
                f"masked_scatter(): mask selects {count} places but source has only "
                f"{source.numel()} values"
            )
        order = np.cumsum(cond.reshape(-1)) - 1  # the source value each True place takes
        picked = source.reshape(-1)[np.where(cond.reshape(-1), order, 0)].reshape(self.shape)
        return where(cond, picked, self)

    # ------------------------------------------------------------------ more products
    def bmm(self, mat2: Any) -> Any:
        """Batched matrix product of two 3-D tensors (b, n, m) @ (b, m, p) -> (b, n, p); no
        broadcasting, unlike matmul."""
        a, b = self.shape, np.shape(mat2)
        if len(a) != 3 or len(b) != 3:
            raise RuntimeError(f"bmm(): both tensors must be 3-D, got shapes {a} and {b}")
        if a[0] != b[0] or a[2] != b[1]:
            raise RuntimeError(
                f"bmm(): shapes {a} and {b} do not match: need (b, n, m) and (b, m, p)"
            )
        return self @ mat2

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """beta * self + alpha * (mat1 @ mat2), mat1 and mat2 2-D; with beta=0 self is
        ignored (NaN in it does not spread), as in PyTorch."""
        from .tensor import where

        if not _is_tensor(mat1):
            raise TypeError(f"addmm(): mat1 must be a Tensor, got {type(mat1).__name__}")
        product = _times(mat1.mm(mat2), alpha)
        if _broadcast(self.shape, product.shape) != product.shape:
            raise RuntimeError(
                f"addmm(): self of shape {self.shape} does not broadcast to the product's "
                f"shape {product.shape}"
            )
        if beta == 0:  # self's gradient is 0, its values are not read
            return product + where(False, self, np.zeros((), product.dtype))
        return _times(self, beta) + product

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        """self + value * tensor1 * tensor2."""
        return self + _times(tensor1 * tensor2, value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        """self + value * tensor1 / tensor2 (refused for integer tensors, as in PyTorch)."""
        for x in (self, tensor1, tensor2):
            if np.asarray(x.data if _is_tensor(x) else x).dtype.kind in "biu":
                raise RuntimeError(
                    "addcdiv(): integer division of tensors is not supported; convert to "
                    "float first (t.float())"
                )
        return self + _times(tensor1 / tensor2, value)

    # ------------------------------------------------------------------ new tensors like self
    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None, requires_grad=False):
        """A copy of `data` as a new tensor with self's dtype (unless `dtype` says)."""
        from .creation import tensor

        data = data.detach().data if _is_tensor(data) else data
        dt = self.dtype if dtype is None else dtype
        return tensor(data, dtype=dt, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad=False):
        """Zeros of `size` with self's dtype (unless `dtype` says)."""
        return self._new_full(size, 0, dtype, device, requires_grad, "new_zeros")

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad=False):
        return self._new_full(size, 1, dtype, device, requires_grad, "new_ones")

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad=False):
        """Like new_zeros (the values here are zeros; write them before reading)."""
        return self._new_full(size, 0, dtype, device, requires_grad, "new_empty")

    def new_full(
        self,
        size: Any,
        fill_value: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad=False,
    ) -> Any:
        """`size` filled with `fill_value`, with self's dtype (unless `dtype` says)."""
        return self._new_full((size,), fill_value, dtype, device, requires_grad, "new_full")

    def _new_full(self, size, value, dtype, device, requires_grad, who: str) -> Any:
        as_device(device, f"{who}()")
        dt = self.dtype if dtype is None else as_dtype(dtype, f"{who}()")
        out = self.wrap(np.full(as_shape(size, who), value, dt))
        return out.requires_grad_(requires_grad) if requires_grad is not False else out

    def is_contiguous(self, memory_format: Any = None) -> builtins.bool:
        """True: every tensor here is laid out as NumPy arranges it (see contiguous)."""
        return True

    def element_size(self) -> builtins.int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def itemsize(self) -> builtins.int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> builtins.int:
        """Bytes of all the elements."""
        return self.data.nbytes

    def detach_(self) -> Any:
        """In place: self becomes a leaf that does not require grad (its values stay)."""
        self.grad_fn, self._requires_grad = None, False
        return self

    def squeeze_(self, *args: Any, **kwargs: Any) -> Any:
        raise _no_shape_change("squeeze")

    def unsqueeze_(self, *args: Any, **kwargs: Any) -> Any:
        raise _no_shape_change("unsqueeze")

    def t_(self) -> Any:
        raise _no_shape_change("t")

    def transpose_(self, *args: Any, **kwargs: Any) -> Any:
        raise _no_shape_change("transpose")

    # ------------------------------------------------------------------ random fills
    def normal_(self, mean: Any = 0, std: Any = 1, *, generator: Any = None) -> Any:
        """In place: samples of the normal distribution N(mean, std^2), from the package's
        generator (`manual_seed`)."""
        check_floating(self, "normal_")
        check_real(std, "std", "normal_", 0)
        return self._fill_random(generator, "normal", (mean, std, self.shape), "normal_")

    def uniform_(self, a: Any = 0, b: Any = 1, *, generator: Any = None) -> Any:
        """In place: samples uniform in [a, b)."""
        check_floating(self, "uniform_")
        if not a <= b:
            raise RuntimeError(f"uniform_(): expects a <= b, got a={a!r} and b={b!r}")
        return self._fill_random(generator, "uniform", (a, b, self.shape), "uniform_")

    def exponential_(self, lambd: Any = 1, *, generator: Any = None) -> Any:
        """In place: samples of the exponential distribution with rate `lambd` (mean
        1 / lambd)."""
        check_floating(self, "exponential_")
        check_real(lambd, "lambd", "exponential_", 0, strict=True)
        return self._fill_random(generator, "exponential", (1 / lambd, self.shape), "exponential_")

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Any:
        """In place: 1 with probability p (a number or a tensor of probabilities that
        broadcasts to self), else 0."""
        # a tensor's own array: a compiled replay draws with its values at that call (the
        # range is checked where the draw is, so at every replay too)
        probs = p.data if _is_tensor(p) else np.asarray(p)
        if _broadcast(probs.shape, self.shape) != self.shape:
            raise RuntimeError(
                f"bernoulli_(): p of shape {probs.shape} does not broadcast to self's shape "
                f"{self.shape}"
            )
        return self._fill_random(generator, "bernoulli", (self.shape, probs), "bernoulli_")

    def random_(self, *args: Any, generator: Any = None, **kwargs: Any) -> Any:
        """In place: whole numbers drawn uniformly from [from, to): `random_(to)`,
        `random_(from, to)`, or `random_()` for [0, the largest integer the dtype holds
        exactly]."""
        names = ("from", "to")
        given = dict(zip(names[-len(args) :] if len(args) == 1 else names, args))
        for key in kwargs:
            if key not in names or key in given:
                raise TypeError(f"random_() got an unexpected argument {key!r}")
        given.update(kwargs)
        low, high = given.get("from", 0), given.get("to")
        if high is None:  # PyTorch's [0, 2^mantissa] for floats, [0, max] for integers
            if self.is_floating_point():
                high = 2 ** (np.finfo(self.dtype).nmant + 1) + 1
            else:
                high = 2 if self.dtype == np.bool_ else np.iinfo(self.dtype).max + 1
        low, high = _int(low, "from", "random_"), _int(high, "to", "random_")
        if low >= high:
            raise RuntimeError(f"random_(): expects from < to, got from={low} and to={high}")
        if self.dtype.kind in "iu":
            info = np.iinfo(self.dtype)
            if low < info.min or high - 1 > info.max:
                raise RuntimeError(
                    f"random_(): [from, to) = [{low}, {high}) does not fit dtype {self.dtype} "
                    f"([{info.min}, {info.max}])"
                )
        return self._fill_random(generator, "integers", (low, high, self.shape), "random_")

    def _fill_random(self, given: Any, method: str, args: tuple, who: str) -> Any:
        """In place: the values the package's generator's `method(*args)` gives (an
        @effect, drawn again by a compiled replay), cast to self's dtype; recorded with
        gradient 0 to self (as PyTorch's random fills). `given`: the caller's generator=,
        refused unless None."""
        from .creation import draw
        from .tensor import where

        check_no_generator(given, who)
        values = draw(method, args, self.dtype)
        if not self.requires_grad:  # nothing to keep in a graph: self's old values unread
            return self._inplace(lambda t: self.wrap(values), who)
        return self._inplace(lambda t: where(False, t, values), who)

    # ------------------------------------------------------------------ in place
    add_ = _twin("add")
    sub_ = _twin("sub")
    mul_ = _twin("mul")
    div_ = _twin("div")
    pow_ = _twin("pow")
    floor_divide_ = _twin("floor_divide")
    remainder_ = _twin("remainder")
    fmod_ = _twin("fmod")
    bitwise_and_ = _twin("bitwise_and")
    bitwise_or_ = _twin("bitwise_or")
    bitwise_xor_ = _twin("bitwise_xor")
    bitwise_not_ = _twin("bitwise_not")
    bitwise_left_shift_ = _twin("bitwise_left_shift")
    bitwise_right_shift_ = _twin("bitwise_right_shift")
    neg_ = _twin("neg")
    exp_ = _twin("exp")
    log_ = _twin("log")
    sqrt_ = _twin("sqrt")
    tanh_ = _twin("tanh")
    sigmoid_ = _twin("sigmoid")
    relu_ = _twin("relu")
    abs_ = _twin("abs")
    clamp_ = _twin("clamp")
    clip_ = _twin("clip")
    sign_ = _twin("sign")
    square_ = _twin("square")
    log1p_ = _twin("log1p")
    expm1_ = _twin("expm1")
    sin_ = _twin("sin")
    cos_ = _twin("cos")
    erf_ = _twin("erf")
    floor_ = _twin("floor")
    ceil_ = _twin("ceil")
    trunc_ = _twin("trunc")
    fix_ = _twin("fix")
    round_ = _twin("round")
    frac_ = _twin("frac")
    reciprocal_ = _twin("reciprocal")
    rsqrt_ = _twin("rsqrt")
    exp2_ = _twin("exp2")
    log2_ = _twin("log2")
    log10_ = _twin("log10")
    sinh_ = _twin("sinh")
    cosh_ = _twin("cosh")
    tan_ = _twin("tan")
    nan_to_num_ = _twin("nan_to_num")
    lerp_ = _twin("lerp")
    masked_fill_ = _twin("masked_fill")
    tril_ = _twin("tril")
    triu_ = _twin("triu")
    cumsum_ = _twin("cumsum")
    clamp_min_ = _twin("clamp_min")
    clamp_max_ = _twin("clamp_max")
    scatter_ = _twin("scatter")
    scatter_add_ = _twin("scatter_add")
    index_add_ = _twin("index_add")
    index_fill_ = _twin("index_fill")
    masked_scatter_ = _twin("masked_scatter")
    addmm_ = _twin("addmm")
    addcmul_ = _twin("addcmul")
    addcdiv_ = _twin("addcdiv")

    def fill_(self, value: Any) -> Any:
        """In place: every value becomes `value` (a number, or a 0-d tensor whose gradient
        is the sum of the output's)."""
        from .tensor import where

        if _is_tensor(value) and value.ndim != 0:
            raise RuntimeError(
                f"fill_() only supports a 0-dimension value tensor, got shape {value.shape}; "
                "use copy_() to copy a tensor"
            )
        fill = value.astype(self.dtype) if _is_tensor(value) else np.asarray(value, self.dtype)
        return self._inplace(lambda t: where(False, t, fill), "fill_")

    def zero_(self) -> Any:
        """In place: every value becomes 0."""
        return self.fill_(0)

    def copy_(self, src: Any) -> Any:
        """In place: the values of `src` (broadcast to this shape, cast to this dtype); the
        gradient flows to src."""
        from .tensor import where

        src = src.astype(self.dtype) if _is_tensor(src) else np.asarray(src, dtype=self.dtype)
        return self._inplace(lambda t: where(False, t, src), "copy_")

    def __iadd__(self, other: Any) -> Any:
        return self.add_(other)

    def __isub__(self, other: Any) -> Any:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Any:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Any:
        return self.div_(other)

    def __ipow__(self, other: Any) -> Any:
        return self.pow_(other)

    def __ifloordiv__(self, other: Any) -> Any:
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> Any:
        return self.remainder_(other)

    def __iand__(self, other: Any) -> Any:
        return self.bitwise_and_(other)

    def __ior__(self, other: Any) -> Any:
        return self.bitwise_or_(other)

    def __ixor__(self, other: Any) -> Any:
        return self.bitwise_xor_(other)

    def __ilshift__(self, other: Any) -> Any:
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other: Any) -> Any:
        return self.bitwise_right_shift_(other)

    # `t @= m` rebinds t to t @ m, as in PyTorch (there is no in-place matmul)


def _axes(dim: Any) -> Any:
    return tuple(dim) if isinstance(dim, list) else dim


def _int(value: Any, name: str, who: str) -> int:
    """`value` as an int (an integer, or an integer 0-d tensor); anything else is refused."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{who}(): {name} must be an integer, got {value!r}") from None


def _real_dim(x: Any, dim: Any, who: str) -> int:
    """`dim` as an axis of x, which must have at least one."""
    if x.ndim == 0:
        raise IndexError(f"{who}(): dim {dim!r} is out of range: a 0-d tensor has no dimensions")
    return as_dim(dim, x.ndim, who)


def _position(index: Any, n: int, who: str, d: int) -> int:
    """A position along a dim of size n; negatives count from the end."""
    i = _int(index, "index", who)
    if not -n <= i < n:
        raise IndexError(f"{who}(): index {i} is out of range for dim {d} of size {n}")
    return i % n


def _index_array(index: Any, who: str) -> np.ndarray:
    """The int64 array of an integer index tensor (or array)."""
    a = np.asarray(index.data if _is_tensor(index) else index)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{who}(): index must be an integer tensor, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _check_bounds(index: np.ndarray, n: int, d: int, who: str) -> None:
    """Refuse an index outside [0, n), as PyTorch's gather and index_select do."""
    bad = (index < 0) | (index >= n)
    if bad.any():
        raise IndexError(
            f"{who}(): index {index[bad].flat[0]} is out of range for dim {d} of size {n} "
            f"(expected 0 <= index < {n})"
        )


def _in_float64(x: Any, fn: Callable) -> Any:
    """fn(x) computed in float64 and rounded once to x's dtype (float32 for an integer x):
    a float32 result is then PyTorch's correctly rounded value, and nothing overflows
    before the float32 result does."""
    if x.dtype == np.float64:
        return fn(x)
    dtype = x.dtype if x.dtype.kind == "f" else default_float()
    out = fn(x.astype(np.float64))
    with np.errstate(over="ignore"):  # too large for dtype: inf, as PyTorch gives (silently)
        return out.astype(dtype)


def _shift(a: Any, count: Any, right: builtins.bool = False) -> np.ndarray:
    """a << count (arrays or numbers of an integer result dtype), as PyTorch shifts: a count
    below 0 or from the bit width up gives 0 (NumPy leaves it to the C compiler); a >> count
    with `right`, where such a count gives a >> (width - 1), the sign, for signed a."""
    dt = np.result_type(a, count)
    width = dt.itemsize * 8
    count = np.asarray(count)
    outside = (count < 0) | (count >= width)
    out = (np.right_shift if right else np.left_shift)(
        a, np.where(outside, width - 1, count).astype(dt)
    )
    if right and dt.kind == "i":
        return out
    return np.where(outside, np.zeros((), dt), out)


def _right_shift(a: Any, count: Any) -> np.ndarray:
    return _shift(a, count, right=True)


def _divided(op: type, a: Any, b: Any, *mode: Any) -> Any:
    """op (a rounded division of ops_math) of a and b, one of them a Tensor, in PyTorch's
    result dtype."""
    return op.apply(*pair(a, b, op.__name__), *mode)


def _truth(x: Any, values: Any) -> Any:
    """The result of all() or any() of x: bool, but uint8 for a uint8 x, as in PyTorch."""
    values = np.asarray(values)
    return x.wrap(values.astype(np.uint8) if x.dtype == np.uint8 else values)


def _times(x: Any, factor: Any) -> Any:
    """x * factor, skipping the multiplication by 1 (so integer tensors stay integer)."""
    return x if isinstance(factor, builtins.int) and factor == 1 else x * factor


def _broadcast(*shapes: tuple) -> tuple | None:
    """The shape that `shapes` broadcast to, or None where they do not."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def _number(value: Any, who: str) -> Any:
    """A Python number (or a 0-d tensor's number) to write into a tensor."""
    if _is_tensor(value):
        if value.ndim != 0:
            raise RuntimeError(f"{who}(): value must be a number, got shape {value.shape}")
        return value.item()
    from .checks import as_constant

    return as_constant(value, f"{who}()")


def _scatter_targets(x: Any, dim: Any, index: Any, src: Any, who: str) -> np.ndarray:
    """The flat positions in x that scatter(dim, index, src) writes, one per element of
    index (row-major), after PyTorch's checks: index has x's number of dims, is no larger
    than src anywhere nor than x except along dim, and is in range along dim."""
    idx = _index_array(index, who)
    shape = x.shape or (1,)
    d = as_dim(dim, x.ndim, who)
    idx = idx.reshape(1) if idx.ndim == 0 and x.ndim == 0 else idx
    if idx.ndim != len(shape):
        raise RuntimeError(
            f"{who}(): index must have as many dimensions as self ({x.ndim}), got shape {idx.shape}"
        )
    src_shape = np.shape(src) or (1,) if _is_tensor(src) else None
    for i, n in enumerate(idx.shape):
        if (i != d and n > shape[i]) or (src_shape is not None and n > src_shape[i]):
            raise RuntimeError(
                f"{who}(): index of shape {idx.shape} is larger than self {x.shape} (except "
                f"along dim {d}) or src {np.shape(src)} at dimension {i}"
            )
    _check_bounds(idx, shape[d], d, who)
    if _is_tensor(src):
        _same_dtype(x, src, who)
    coords = list(np.indices(idx.shape, sparse=True))
    coords[d] = idx
    return np.ravel_multi_index(tuple(np.broadcast_arrays(*coords)), shape).reshape(-1)


def _same_dtype(x: Any, src: Any, who: str) -> None:
    """Refuse values of another dtype, as PyTorch's scatter family does."""
    if src.dtype != x.dtype:
        raise RuntimeError(
            f"{who}(): self ({x.dtype}) and the values written ({src.dtype}) must have the "
            f"same dtype; convert them first, e.g. src.to({x.dtype})"
        )


def _covered(src: Any, shape: tuple) -> Any:
    """The part of src that an index of `shape` reads (its leading corner)."""
    if src.ndim == 0:
        return src.reshape(1)
    if src.shape == shape:
        return src
    return src[tuple(slice(n) for n in shape)]


def _sum_into(values: Any, targets: np.ndarray, n: int) -> Any:
    """A 1-D tensor of n sums: position p adds up the values (a 1-D tensor) whose target
    is p, in their order, and 0 where none lands. Composed of one indexing and one sum: a
    table with a row per position lists the values landing there, padded with a zero to
    the most any position receives; the gradient of each value is g at its target."""
    from .tensor import concatenate

    counts = np.bincount(targets, minlength=n)
    width = builtins.int(counts.max()) if targets.size else 0
    padded = concatenate([values, np.zeros(1, values.dtype)])
    table = np.full((n, builtins.max(width, 1)), targets.size, np.int64)  # the zero
    order = np.argsort(targets, kind="stable")
    first = np.cumsum(counts) - counts  # where each position's run starts in `order`
    rank = np.arange(targets.size) - first[targets[order]]
    table[targets[order], rank] = order
    return padded[table].sum(1)


def _no_shape_change(name: str) -> RuntimeError:
    return RuntimeError(
        f"{name}_(): an in-place change of shape is not supported here (in-place operations "
        f"keep the tensor's shape); write x = x.{name}(...) instead"
    )


def _hyperbolic(x: Any, direct: Any, odd: bool) -> Any:
    """sinh (odd) or cosh of float64 x, `direct` its value from exp: where |x| > 700 (exp
    overflows from 709.78, sinh and cosh only from 710.48) it is h * (h / 2) with
    h = exp(|x| / 2), as large |x| leave exp(-|x|) nothing to add. (The gradient there
    still passes through 2 * cosh(x): for float64 |x| in (709.8, 710.5) it is inf, where
    PyTorch's is just finite.)"""
    from .tensor import where

    big = np.abs(x.data) > 700
    if not big.any():
        return direct
    h = (x.abs() * 0.5).exp()
    far = h * (h * 0.5) * (x.sign() if odd else 1)
    near = x.clamp(-700, 700)  # the branch not taken must not overflow: 0 * inf is NaN
    near = (near.expm1() - (-near).expm1()) * 0.5 if odd else (near.exp() + (-near).exp()) * 0.5
    return where(big, far, near)


def _rounded(x: Any, fn: Callable) -> Any:
    """fn applied to x's values, with gradient 0 (a constant where x was): the rounding
    family. Integer tensors are already whole: a copy."""
    from .tensor import where

    if not x.is_floating_point():
        return x.clone()
    return where(False, x, fn(x.data))


def _product(x: Any, d: int) -> Any:
    """The product along axis d, kept as size 1: the first half times the second half
    (an odd one out joins the result) until one value is left; an empty axis gives 1."""
    from .tensor import concatenate

    if x.shape[d] == 0:
        return x.sum(d, keepdim=True) * 0 + 1
    lead = (slice(None),) * d
    while (n := x.shape[d]) > 1:
        half = n // 2
        pairs = x[(*lead, slice(0, half))] * x[(*lead, slice(half, 2 * half))]
        x = pairs if n % 2 == 0 else concatenate([pairs, x[(*lead, slice(n - 1, n))]], d)
    return x


def _triangle(x: Any, diagonal: Any, who: str) -> Any:
    """x with 0 outside the triangle of its last two dims that tril/triu keep."""
    from .tensor import where

    if x.ndim < 2:
        raise RuntimeError(f"{who}(): needs a tensor of at least 2 dimensions, got shape {x.shape}")
    k = _int(diagonal, "diagonal", who)
    rows, cols = x.shape[-2:]
    below = np.tri(rows, cols, k if who == "tril" else k - 1, dtype=bool)
    return where(below if who == "tril" else ~below, x, np.zeros((), x.dtype))


_DEVICES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hpu", "mtia")


def _is_device(x: Any) -> bool:
    """A device name ("cpu", "cuda:0") or a `tg.device`, rather than a dtype."""
    if isinstance(x, str) or hasattr(x, "index"):  # tg.device has .index, dtypes do not
        return str(x).split(":")[0] in _DEVICES
    return False


__all__ = ["PRINT_OPTIONS", "TensorMethods", "ValuesIndices"]


def _reading(t: Any, how: str) -> None:
    """Tell the engine's watchers that Python reads `t`'s values (a recorder must refuse it)."""
    from .autograd import watchers  # here: this module imports nothing of the core at load

    for watcher in watchers():
        watcher.read(t, how)
