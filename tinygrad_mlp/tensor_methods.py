"""PyTorch's spellings of Tensor methods, composed from the core ones.

`TensorMethods` is a base class of `Tensor`: everything here is an alias (`view` is
`reshape`), a composition (`var`, `flatten`, `repeat`), a keyword variant (`max(dim)` with
indices) or a conversion (`float()`, `item()`, `tolist()`) built from the methods
`tensor.py` defines next to the primitives. It calls only methods of `self` (and
`self.wrap` to make a tensor from an array), plus NumPy, so it imports nothing of the core;
the few module-level functions it needs (`maximum`, `where`, ...) are imported where they
are used.

The module-level functions that mirror these methods (`tg.exp(x)`, `tg.sum(x, dim=1)`,
`tg.cat`, ...) are in `functions.py`.

Where NumPy and PyTorch give one spelling two meanings, PyTorch's wins and NumPy's keyword
keeps NumPy's meaning: `x.transpose(0, 1)` swaps two axes (`transpose(axes=...)`
permutes); `x.max(1)` returns `(values, indices)` (`x.max(axis=1)` the values);
`x.var()` is unbiased (`x.var(axis=0)` or `ddof=` is NumPy's).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from .checks import as_bool, as_device, as_dim, as_dtype, as_shape, axis_args


class ValuesIndices(NamedTuple):
    """What `max(dim)` and `min(dim)` return, as `torch.return_types.max`: unpack it
    (`values, indices = x.max(1)`) or read `.values` and `.indices`."""

    values: Any
    indices: Any


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
    # (shape, ndim and dtype read the array's slot directly: they are on hot paths)
    @property
    def shape(self) -> tuple[builtins.int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> builtins.int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

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
        return self.wrap(ufunc(self.data, other))

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __abs__(self) -> Any:
        return self.abs()

    def __pos__(self) -> Any:
        return self

    # logical operators: bitwise on integer and boolean tensors, outside the graph
    def _bitwise(self, other: Any, ufunc: np.ufunc) -> Any:
        arrays = [self.data, other.data if _is_tensor(other) else np.asarray(other)]
        for a in arrays:
            if a.dtype.kind not in "biu":
                raise TypeError(
                    f'"{ufunc.__name__}" is only for boolean and integer tensors, got {a.dtype}; '
                    "for a condition, compare first: (x > 0) & (y < 1)"
                )
        return self.wrap(np.asarray(ufunc(*arrays)))

    def __and__(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_and)

    def __or__(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_or)

    def __xor__(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_xor)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Any:
        return self._bitwise(0, lambda a, _: np.invert(a))  # type: ignore[arg-type]

    def logical_not(self) -> Any:
        return self.wrap(np.logical_not(self.data))

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
        """self / other (true division; `rounding_mode` is not supported)."""
        if rounding_mode is not None:
            raise NotImplementedError(
                f"div(rounding_mode={rounding_mode!r}) is not implemented; rounded division "
                "has no gradient: compute it on arrays, e.g. np.floor_divide(a.data, b.data)"
            )
        return self / other

    divide = true_divide = div

    def pow(self, exponent: Any) -> Any:
        return self**exponent

    def matmul(self, other: Any) -> Any:
        return self @ other

    def neg(self) -> Any:
        return -self

    negative = neg

    def absolute(self) -> Any:
        return self.abs()

    def clip(self, min: Any = None, max: Any = None) -> Any:
        """The same as `clamp(min, max)`."""
        return self.clamp(min, max)

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
        maximum, as `torch.max(a, b)`. Values are differentiable (ties share the gradient);
        indices are int64."""
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
        index = self.argmax if who == "max" else self.argmin
        return ValuesIndices(values(dim, keepdim), index(dim, keepdim))

    def argmax(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """Where the largest value is (the first one), as int64: over the flattened tensor,
        or along `dim`."""
        return self._arg(np.argmax, dim, keepdim, axis, keepdims, "argmax")

    def argmin(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        return self._arg(np.argmin, dim, keepdim, axis, keepdims, "argmin")

    def _arg(self, fn: Callable, dim: Any, keep: Any, axis: Any, keeps: Any, who: str) -> Any:
        dim, keep = axis_args(dim, keep, axis, keeps, who)
        if self.data.size == 0:
            raise IndexError(f"{who}(): cannot take the {who} of an empty tensor")
        if dim is None:
            index = fn(self.data, keepdims=keep)
        elif self.ndim == 0:
            as_dim(dim, 0, who)
            index = np.zeros((), np.int64)
        else:
            index = fn(self.data, axis=as_dim(dim, self.ndim, who), keepdims=keep)
        return self.wrap(np.asarray(index, dtype=np.int64))

    def all(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """True where every value is nonzero (a bool tensor, outside the graph)."""
        dim, keep = axis_args(dim, keepdim, axis, keepdims, "all")
        return self.wrap(np.asarray(np.all(self.data, axis=_axes(dim), keepdims=keep)))

    def any(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Any:
        """True where some value is nonzero (a bool tensor, outside the graph)."""
        dim, keep = axis_args(dim, keepdim, axis, keepdims, "any")
        return self.wrap(np.asarray(np.any(self.data, axis=_axes(dim), keepdims=keep)))

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
        d = self - self.mean(dim, keepdim=True)
        if correction == 0:
            return (d * d).mean(dim, keepdim)
        total = (d * d).sum(dim, keepdim)
        n = self.data.size // total.data.size if total.data.size else 0  # values per output
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
        """The square root of `var` with the same arguments (and the same defaults)."""
        spelled = {"correction": correction, "axis": axis, "ddof": ddof, "keepdims": keepdims}
        kwargs = {k: v for k, v in spelled.items() if v is not None}
        return self.var(dim, unbiased, keepdim, **kwargs).sqrt()

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Any:
        """The p-norm over `dim` (all values by default): p = 2 (or "fro"), 1, inf, -inf,
        or any number > 0."""
        if p in (2, "fro"):
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p in (np.inf, -np.inf):
            return self.abs().amax(dim, keepdim) if p > 0 else self.abs().amin(dim, keepdim)
        if isinstance(p, builtins.int | builtins.float) and p > 0:
            return (self.abs() ** p).sum(dim, keepdim) ** (1 / p)
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

    # ------------------------------------------------------------------ in place
    add_ = _twin("add")
    sub_ = _twin("sub")
    mul_ = _twin("mul")
    div_ = _twin("div")
    pow_ = _twin("pow")
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

    # `t @= m` rebinds t to t @ m, as in PyTorch (there is no in-place matmul)


def _axes(dim: Any) -> Any:
    return tuple(dim) if isinstance(dim, list) else dim


_DEVICES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hpu", "mtia")


def _is_device(x: Any) -> bool:
    """A device name ("cpu", "cuda:0") or a `tg.device`, rather than a dtype."""
    if isinstance(x, str) or hasattr(x, "index"):  # tg.device has .index, dtypes do not
        return str(x).split(":")[0] in _DEVICES
    return False


__all__ = ["TensorMethods", "ValuesIndices"]


def _reading(t: Any, how: str) -> None:
    """Tell the engine's watchers that Python reads `t`'s values (a recorder must refuse it)."""
    from .autograd import watchers  # here: this module imports nothing of the core at load

    for watcher in watchers():
        watcher.read(t, how)
