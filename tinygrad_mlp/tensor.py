"""The Tensor: a NumPy array that remembers how it was computed.

A tensor holds its value in `.data` (a NumPy array). When it is the result of an
operation on tensors that require gradients, `.grad_fn` points at the graph node that made
it (see `autograd.py`); `backward()` walks those nodes back to the leaves and leaves the
gradients in their `.grad`. Every method here is a thin call to a primitive of `ops.py`, or
a composition of such calls.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import autograd, ops
from .autograd import RemovableHandle, is_grad_enabled
from .checks import as_array, as_axes, as_bool, as_constant, as_dim, as_shape


def _operand(x: Any, op: str) -> Any:
    """A Tensor as it is; anything else must be a constant NumPy can compute with."""
    return x if isinstance(x, Tensor) or type(x) in (float, int) else as_constant(x, op)


def _operands(tensors: Any, who: str) -> list:
    """The tensors of cat/stack: a non-empty list or tuple of Tensors and constants."""
    if not isinstance(tensors, list | tuple):
        raise TypeError(f"{who}() takes a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{who}() needs at least one tensor")
    return [_operand(t, who) for t in tensors]


def _binary(op: type) -> tuple[Callable, Callable]:
    """The methods for `t op x` and the reflected `x op t` (x a Tensor or a constant)."""

    def method(self: Tensor, other: Any) -> Tensor:
        if not isinstance(other, Tensor) and type(other) not in (float, int):
            other = as_constant(other, op.__name__)
        return op.apply(self, other)

    def reflected(self: Tensor, other: Any) -> Tensor:
        if type(other) not in (float, int):
            other = as_constant(other, op.__name__)
        return op.apply(other, self)

    return method, reflected


def _reduction_args(t: Tensor, axis: Any, keepdims: Any, who: str) -> tuple:
    """(axes, keepdims) checked; axes None means all of them."""
    if axis is not None:
        axis = as_axes(axis, t.data.ndim, who)
    return axis, keepdims if keepdims is False else as_bool(keepdims, "keepdims", who)


def _comparison(ufunc: np.ufunc) -> Callable:
    def method(self: Tensor, other: Any) -> Tensor:
        other = other.data if isinstance(other, Tensor) else as_constant(other, ufunc.__name__)
        return Tensor.wrap(ufunc(self.data, other))

    return method


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    `Tensor(data, requires_grad=False, dtype=None)`: `data` is a number, a nested list or
    a NumPy array (copied). Floating data becomes float32 unless `dtype` says otherwise
    (e.g. `dtype=np.float64` or `"float64"`); integer and boolean data keep their dtype
    and cannot require gradients.

    `name=None`: a label for drawings and traces (`viz`), also a settable attribute `.name`
    (None on the results of operations). The engine never reads it.
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "hooks", "name", "__weakref__")
    __array_ufunc__ = None  # `ndarray * Tensor` then calls Tensor.__rmul__, not NumPy
    __hash__ = object.__hash__  # == is elementwise, yet tensors are dictionary keys

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None
    ) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Tensor() got name={name!r}; a name is a string (or None)")
        self.data = as_array(data.data if isinstance(data, Tensor) else data, dtype)
        self.grad: Tensor | None = None
        self.grad_fn: Any = None
        self.hooks: list | None = None
        self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def wrap(data: np.ndarray, grad_fn: Any = None) -> Tensor:
        """A Tensor around `data` as it is: no checks, no copy. The fast constructor the
        engine and the layers use for arrays they made themselves; `Tensor(data)` is the
        one that validates and copies."""
        t = object.__new__(Tensor)
        t.data = data
        t.grad = None
        t.requires_grad = grad_fn is not None
        t.grad_fn = grad_fn
        t.hooks = None
        t.name = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element; this one has shape {self.shape}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same values (shared), cut from the graph."""
        return Tensor.wrap(self.data)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_() can only change leaf tensors; use .detach() to get a leaf"
            )
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require gradients; this one is {self.dtype}"
            )
        self.requires_grad = bool(flag)
        return self

    def astype(self, dtype: Any) -> Tensor:
        dtype = np.dtype(dtype)
        return self if dtype == self.data.dtype else ops.Cast.apply(self, dtype)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """NumPy's view of the tensor: the data itself, or a copy when NumPy asks for one."""
        out = self.data if dtype is None else self.data.astype(dtype)
        return out.copy() if copy and out is self.data else out

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all() on .data"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn={self.grad_fn!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Accumulate d self / d leaf into every leaf's `.grad`.

        `gradient` is d loss / d self (needed unless self has one element).
        `retain_graph` keeps the saved values for another backward (default:
        `create_graph`); `create_graph=True` records this pass so that the gradients can
        themselves be differentiated.
        """
        autograd.backward(self, gradient, retain_graph, create_graph)

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `fn(grad)` when this tensor's gradient has been computed; a returned
        tensor replaces the gradient. Returns a handle whose `remove()` undoes this."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        target = self.grad_fn or self
        if target.hooks is None:
            target.hooks = []
        target.hooks.append(fn)
        return RemovableHandle(target.hooks, fn)

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor too after backward()."""
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    # ------------------------------------------------------------------ operators
    # `t + x` and the reflected `x + t` are one primitive; `x` may be a constant
    __add__, __radd__ = _binary(ops.Add)
    __sub__, __rsub__ = _binary(ops.Sub)
    __mul__, __rmul__ = _binary(ops.Mul)
    __truediv__, __rtruediv__ = _binary(ops.Div)
    __pow__, __rpow__ = _binary(ops.Pow)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    # comparisons: boolean tensors, outside the graph
    __lt__ = _comparison(np.less)
    __le__ = _comparison(np.less_equal)
    __gt__ = _comparison(np.greater)
    __ge__ = _comparison(np.greater_equal)
    __eq__ = _comparison(np.equal)  # type: ignore[assignment]
    __ne__ = _comparison(np.not_equal)  # type: ignore[assignment]

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return ops.Relu.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Limit values to [lo, hi] (either may be None); the gradient is 0 outside."""
        if lo is None and hi is None:
            raise ValueError("clip() needs lo or hi")
        return ops.Clip.apply(self, lo, hi)

    clamp = clip

    # more elementwise math, with PyTorch's names
    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of each element; the gradient is 0."""
        return ops.Sign.apply(self)

    def square(self) -> Tensor:
        """self * self"""
        return self * self

    def log1p(self) -> Tensor:
        """log(1 + self), accurate where self is tiny."""
        return ops.Log1p.apply(self)

    def expm1(self) -> Tensor:
        """exp(self) - 1, accurate where self is tiny."""
        return ops.Expm1.apply(self)

    def sin(self) -> Tensor:
        return ops.Sin.apply(self)

    def cos(self) -> Tensor:
        return ops.Cos.apply(self)

    def erf(self) -> Tensor:
        """The error function, 2/sqrt(pi) * integral of exp(-t^2) from 0 to self."""
        return ops.Erf.apply(self)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, *_reduction_args(self, axis, keepdims, "sum"))

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Mean.apply(self, *_reduction_args(self, axis, keepdims, "mean"))

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Max.apply(self, *_reduction_args(self, axis, keepdims, "max"))

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Min.apply(self, *_reduction_args(self, axis, keepdims, "min"))

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        """Variance, NumPy's definition: sum((x - mean)^2) / (n - ddof)."""
        d = self - self.mean(axis, keepdims=True)
        if ddof == 0:
            return (d * d).mean(axis, keepdims)
        total = (d * d).sum(axis, keepdims)
        n = self.data.size // total.data.size if total.data.size else 0  # values per output
        return total / max(n - ddof, 0)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return self.var(axis, ddof, keepdims).sqrt()

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        return ops.Reshape.apply(self, as_shape(shape, "reshape"))

    view = reshape

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (reverse them when none are given), as NumPy does."""
        axes = as_shape(axes) if axes else tuple(range(self.ndim))[::-1]
        return ops.Transpose.apply(self, axes)

    def swapaxes(self, a: int, b: int) -> Tensor:
        axes = list(range(self.ndim))
        a, b = as_dim(a, self.ndim, "swapaxes", "axis0"), as_dim(b, self.ndim, "swapaxes", "axis1")
        axes[a], axes[b] = axes[b], axes[a]
        return ops.Transpose.apply(self, tuple(axes))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes start_dim..end_dim into one (all of them by default)."""
        if self.ndim == 0:
            return self.reshape(1)
        s = as_dim(start_dim, self.ndim, "flatten", "start_dim")
        e = as_dim(end_dim, self.ndim, "flatten", "end_dim")
        if s > e:
            raise ValueError(f"flatten(): start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(*self.shape[:s], -1, *self.shape[e + 1 :])

    def broadcast_to(self, *shape: Any) -> Tensor:
        return ops.BroadcastTo.apply(self, as_shape(shape))

    def expand(self, *shape: Any) -> Tensor:
        """PyTorch's expand: broadcast to `shape`, where -1 keeps that axis's size."""
        shape = as_shape(shape, "expand")
        lead = len(shape) - self.ndim
        if lead < 0 or -1 in shape[:lead]:
            raise ValueError(
                f"expand(): cannot expand shape {self.shape} to {shape}: give at least "
                f"{self.ndim} sizes, and -1 only for the tensor's own dimensions"
            )
        return self.broadcast_to(
            tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        )

    def unsqueeze(self, axis: int) -> Tensor:
        axis = as_dim(axis, self.ndim + 1, "unsqueeze")
        return self.reshape(*self.shape[:axis], 1, *self.shape[axis:])

    def __getitem__(self, index: Any) -> Tensor:
        return ops.GetItem.apply(self, _index_arg(index))


# ---------------------------------------------------------------------- module level
def matmul(a: Any, b: Any) -> Tensor:
    """a @ b with NumPy's rules; 1-D operands are made 2-D for the primitive and back."""
    a, b = _operand(a, "matmul"), _operand(b, "matmul")
    a_nd = a.data.ndim if isinstance(a, Tensor) else np.ndim(a)
    b_nd = b.data.ndim if isinstance(b, Tensor) else np.ndim(b)
    a_vec, b_vec = a_nd == 1, b_nd == 1
    if a_nd == 0 or b_nd == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes "
            f"{np.shape(a.data if isinstance(a, Tensor) else a)} and "
            f"{np.shape(b.data if isinstance(b, Tensor) else b)}"
        )
    if not (a_vec or b_vec):
        return ops.MatMul.apply(a, b)
    try:
        out = ops.MatMul.apply(a.reshape(1, -1) if a_vec else a, b.reshape(-1, 1) if b_vec else b)
    except ValueError:  # name the shapes the user gave, not the reshaped ones
        raise ValueError(
            f"MatMul on shapes {np.shape(a)}, {np.shape(b)}: the last axis of the first operand "
            f"must equal the {'only' if b_vec else 'second-to-last'} axis of the second"
        ) from None
    shape = out.shape[:-2] + (() if a_vec else out.shape[-2:-1]) + (() if b_vec else out.shape[-1:])
    return out.reshape(*shape)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of a and b (ties share the gradient)."""
    return ops.Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of a and b (ties share the gradient)."""
    return ops.Minimum.apply(a, b)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """a where cond is true, else b; no gradient flows to cond."""
    return ops.Where.apply(cond, a, b)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    return ops.Concatenate.apply(*_operands(tensors, "concatenate"), axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along a new axis."""
    tensors = _operands(tensors, "stack")
    shapes = {np.shape(t.data if isinstance(t, Tensor) else t) for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack() needs tensors of one shape, got {sorted(shapes)}")
    axis = as_dim(axis, len(shapes.pop()) + 1, "stack", "axis")
    parts = [t if isinstance(t, Tensor) else Tensor.wrap(np.asarray(t)) for t in tensors]
    return concatenate([t.unsqueeze(axis) for t in parts], axis)


def _index_arg(index: Any) -> Any:
    """Indices may be Tensors: use their arrays. A list becomes an array (NumPy reads a
    list index as an array index too)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):  # [] selects nothing, as an empty integer array
        return np.asarray(index) if index else np.zeros(0, np.intp)
    return index


__all__ = [
    "Tensor",
    "matmul",
    "maximum",
    "minimum",
    "where",
    "concatenate",
    "stack",
    "is_grad_enabled",
]
