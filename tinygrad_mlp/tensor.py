"""The Tensor: a NumPy array that remembers how it was computed.

A tensor holds its value in `.data` (a NumPy array). When it is the result of an
operation on tensors that require gradients, `.grad_fn` points at the graph node that made
it (see `autograd.py`); `backward()` walks those nodes back to the leaves and leaves the
gradients in their `.grad`. Every method here is a thin call to a primitive of `ops.py`;
the PyTorch spellings composed from them (view, flatten, max with indices, var, the
in-place twins `add_`, `+=`, ...) are in `tensor_methods.py`, a base class of Tensor.

In-place changes (`_inplace`) follow PyTorch's rules: on a leaf that requires grad they
are refused in grad mode; under `no_grad()` (or when nothing requires grad) the array is
written in place; otherwise the change is recorded like the out-of-place operation and the
tensor moves to the new node. Each change raises the tensor's `_version`, and backward
refuses a node whose saved tensors changed since it ran (see `autograd.increment_version`).
"""

from __future__ import annotations

import operator
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import autograd, checks, ops, views
from .autograd import RemovableHandle, is_grad_enabled
from .checks import (
    LISTS,
    as_array,
    as_axes,
    as_bool,
    as_constant,
    as_data,
    as_dtype,
    as_grad,
    as_shape,
    axis_args,
)
from .dtypes import floating, operands, pair, promote
from .tensor_methods import TensorMethods


def _binary(op: type, floating: bool = False) -> tuple[Callable, Callable]:
    """The methods for `t op x` and the reflected `x op t` (x a Tensor or a constant);
    `operands` casts where NumPy's result dtype would differ from PyTorch's."""

    def method(self: Tensor, other: Any) -> Tensor:
        dt = self._data.dtype  # the usual cases first: nothing to check or cast
        if isinstance(other, Tensor):
            if other._data.dtype is dt and (not floating or dt.kind == "f"):
                return op.apply(self, other)
        elif type(other) in (float, int) and dt.kind == "f":
            return op.apply(self, other)
        elif type(other) is np.ndarray and other.dtype is dt and dt.kind == "f":
            return op.apply(self, other)  # e.g. a dropout mask made in x's dtype
        return op.apply(*operands(self, other, op.__name__, floating))

    def reflected(self: Tensor, other: Any) -> Tensor:
        if type(other) in (float, int) and self._data.dtype.kind == "f":
            return op.apply(other, self)
        a, b = operands(self, other, op.__name__, floating)
        return op.apply(b, a)

    return method, reflected


class Tensor(TensorMethods):
    """An n-dimensional array with reverse-mode automatic differentiation.

    `Tensor(data, requires_grad=False, dtype=None)`: `data` is a number, a nested list or
    a NumPy array (copied). A NumPy array keeps its dtype, as `torch.tensor` does; Python
    floats and lists of them become float32; `dtype` chooses (`tg.float64`, `np.float64` or
    `"float64"`). Integer and boolean tensors cannot require gradients.

    `name=None`: a label for drawings and traces (`viz`), also a settable attribute `.name`
    (None on the results of operations). The engine never reads it.
    """

    __slots__ = tuple(
        "_data _grad _requires_grad grad_fn hooks _version _changes _base name __weakref__".split()
    )
    __array_ufunc__ = None  # `ndarray * Tensor` then calls Tensor.__rmul__, not NumPy
    __hash__ = object.__hash__  # == is elementwise, yet tensors are dictionary keys

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None
    ) -> None:
        self._data = as_array(data._data if isinstance(data, Tensor) else data, dtype)
        self._grad = self.grad_fn = self.hooks = self._changes = self._base = None
        self._requires_grad, self._version, self.name = False, 0, checks.as_name(name)
        if requires_grad is not False:
            self.requires_grad_(requires_grad)

    @staticmethod
    def wrap(data: np.ndarray, grad_fn: Any = None) -> Tensor:
        """A Tensor around `data` as it is: no checks, no copy. The fast constructor the
        engine and the layers use for arrays they made themselves; `Tensor(data)` is the
        one that validates and copies."""
        t = object.__new__(Tensor)
        t._data = data
        t._grad = t.hooks = t._changes = t._base = t.name = None
        t._requires_grad, t.grad_fn, t._version = grad_fn is not None, grad_fn, 0
        return t

    # ------------------------------------------------------------------ attributes
    def _set_data(self, value: Any) -> None:
        if value is self._data:  # `t.data op= x`: the array itself was changed
            autograd.increment_version(self)
        else:  # no saved array changes, but a compiled function must not miss it
            for watcher in autograd.watchers():
                watcher.changed(self)
            self._data = as_data(value, self._requires_grad)

    # read by a C getter, as no Python frame is needed: layers read it on their hot paths
    data = property(
        operator.attrgetter("_data"),
        _set_data,
        doc="""The values, a NumPy array: the escape hatch past autograd, as in PyTorch.
        `t.data = array` (or a Tensor) replaces them, of any shape. `t.data -= x` changes
        the array itself and counts as an in-place change (the version goes up); code that
        writes into the array otherwise calls `autograd.increment_version(t)`.""",
    )

    @property
    def grad(self) -> Tensor | None:
        """d loss / d self, filled by backward() for leaves that require grad (and tensors
        that called retain_grad()); None before. Assign None or a Tensor of this shape and
        dtype."""
        if self._grad is None and self.grad_fn is not None and self.grad_fn.retained is None:
            warnings.warn(checks.NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        # an effect: a compiled function records the assignment
        autograd.set_grad(self, None if value is None else as_grad(value, self))

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded; set it on leaves only."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.grad_fn is not None:
            raise RuntimeError(checks.NOT_LEAF)
        self.requires_grad_(flag)

    def detach(self) -> Tensor:
        """The same values (shared), cut from the graph; an in-place change through it
        counts as a change of this tensor too."""
        t = Tensor.wrap(self._data)
        t._base = self
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        flag = as_bool(requires_grad, "requires_grad", "requires_grad_")
        if self.grad_fn is not None and not flag:
            raise RuntimeError(checks.NOT_LEAF)
        self._requires_grad = flag and checks.can_require_grad(self)
        return self

    def astype(self, dtype: Any) -> Tensor:
        """A copy as `dtype` (NumPy's astype). Float to float is differentiable; an integer
        or bool result does not require grad (its gradient would be zero everywhere)."""
        dt = as_dtype(dtype, "astype()")
        return ops.Cast.apply(self, dt) if dt.kind == "f" else Tensor.wrap(self._data.astype(dt))

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d self / d leaf into every leaf's `.grad`.

        `gradient` is d loss / d self (needed unless self has one element).
        `retain_graph` keeps the saved values for another backward (default:
        `create_graph`); `create_graph=True` records this pass so that the gradients can
        themselves be differentiated. `inputs=[...]` (as torch): only those tensors' `.grad`
        gets the gradient (a non-leaf's too).
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `fn(grad)` when this tensor's gradient has been computed; a returned
        tensor replaces the gradient. Returns a handle whose `remove()` undoes this."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        target = self.grad_fn or self
        if target.hooks is None:
            target.hooks = []
        target.hooks.append(fn)
        return RemovableHandle(target.hooks, fn)

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor too after backward(); as torch, refused on
        a tensor that does not require grad (it will never get a gradient)."""
        if checks.can_retain_grad(self):
            self.grad_fn.retained = weakref.ref(self)

    def _inplace(self, compute: Callable[[Tensor], Tensor], who: str) -> Tensor:
        """Make self hold `compute(self)`, by PyTorch's rules: refused on a leaf that
        requires grad in grad mode; written into the array when nothing is recorded (under
        no_grad the tensor stays the same leaf); otherwise recorded, and self moves to the
        new node as an out-of-place result would. The result keeps self's shape and dtype
        (a float result is not cast into an integer tensor), and the version goes up."""
        if self._requires_grad and self.grad_fn is None and autograd.is_grad_enabled():
            raise RuntimeError(checks.LEAF_INPLACE.format(who=who))
        out = checks.inplace_result(compute(Tensor.wrap(self._data, self.grad_fn)), self, who)
        if out.grad_fn is None:
            views.write(self, out._data, who)
        elif views.is_view(self):  # a view: its base changes, and the view with it
            views.write_through(self, out, who)
        elif self._base is not None:  # a view (or detach()) of a tensor outside the graph
            raise RuntimeError(checks.VIEW_INPLACE.format(who=who))
        else:
            autograd.increment_version(self, seen=True)
            self._data, self.grad_fn, self._requires_grad = out._data, out.grad_fn, True
            views.refresh(self)
        return self

    # ------------------------------------------------------------------ operators
    # `t + x` and the reflected `x + t` are one primitive; `x` may be a constant
    __add__, __radd__ = _binary(ops.Add)
    __sub__, __rsub__ = _binary(ops.Sub)
    __mul__, __rmul__ = _binary(ops.Mul)
    __truediv__, __rtruediv__ = _binary(ops.Div, floating=True)
    __pow__, __rpow__ = _binary(ops.Pow)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        return ops.Exp.apply(self if self._data.dtype.kind == "f" else floating(self))

    def log(self) -> Tensor:
        return ops.Log.apply(self if self._data.dtype.kind == "f" else floating(self))

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self if self._data.dtype.kind == "f" else floating(self))

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self if self._data.dtype.kind == "f" else floating(self))

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self if self._data.dtype.kind == "f" else floating(self))

    def relu(self) -> Tensor:
        return ops.Relu.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def _clip(self, min: Any, max: Any) -> Tensor:
        """Limit values to the constants [min, max] (either may be None); the gradient is
        0 outside. `clamp` and `clip` (tensor_methods.py) check the bounds and come here."""
        return ops.Clip.apply(self, min, max)

    # ------------------------------------------------------------------ reductions
    # dim=/keepdim= (PyTorch) or axis=/keepdims= (NumPy); dim may be an int or a tuple
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        return self._reduce(ops.Sum, dim, keepdim, axis, keepdims, "sum")

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        x = self
        if self._data.dtype.kind != "f":
            x = floating(self, "mean()" if axis is None and keepdims is None else None)
        return x._reduce(ops.Mean, dim, keepdim, axis, keepdims, "mean")

    def amax(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The largest values over `dim` (ties share the gradient); max() adds indices."""
        return self._reduce(ops.Max, dim, keepdim, axis, keepdims, "amax")

    def amin(self, dim: Any = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        return self._reduce(ops.Min, dim, keepdim, axis, keepdims, "amin")

    def _reduce(self, op: type, dim: Any, keep: Any, axis: Any, keeps: Any, who: str) -> Tensor:
        # axis_args checks the NumPy spelling and an odd keepdim, and tells dim=() (PyTorch:
        # every axis) from axis=() (NumPy: none)
        if axis is not None or keeps is not None or type(keep) is not bool or type(dim) in LISTS:
            dim, keep = axis_args(dim, keep, axis, keeps, who)
        return op.apply(self, None if dim is None else as_axes(dim, self._data.ndim, who), keep)

    # ------------------------------------------------------------------ shape
    def reshape(self, *dims: Any, shape: Any = None) -> Tensor:
        """`reshape(2, 3)`, `reshape((2, 3))` or `reshape(shape=(2, 3))`; -1 is inferred."""
        if shape is not None and dims:
            raise TypeError(f"reshape() got sizes {dims} and shape={shape!r}; give one")
        shape = as_shape(dims if shape is None else (shape,), "reshape")
        return views.mark(ops.Reshape.apply(self, shape), self, "reshape", None)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the axes: `permute(2, 0, 1)` or `permute((2, 0, 1))`."""
        axes = as_shape(dims, "permute")
        return views.mark(ops.Transpose.apply(self, axes), self, "permute", axes)

    def broadcast_to(self, *shape: Any) -> Tensor:
        return views.mark(ops.BroadcastTo.apply(self, as_shape(shape)), self, "broadcast", None)

    def __getitem__(self, index: Any) -> Tensor:
        first, index = checks.split_index(_index_arg(index))  # PyTorch's order: ints first
        base = self if first is None else self[first]
        return views.indexed(ops.GetItem.apply(base, index), base, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        """`t[index] = value` in place, by `_inplace`'s rules; a Tensor value gets the
        gradient of the positions it fills."""
        value = value if isinstance(value, Tensor) else as_constant(value, "setitem")
        index = _index_arg(index)
        self._inplace(lambda t: ops.SetItem.apply(t, index, value), "setitem")


# ---------------------------------------------------------------------- module level
def matmul(a: Any, b: Any) -> Tensor:
    """a @ b with NumPy's rules; 1-D operands are made 2-D for the primitive and back."""
    a, b = _operand(a, "matmul"), _operand(b, "matmul")
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes {sa} and {sb}"
        )
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype is not b._data.dtype:
        a, b = promote(a, b)
    a_vec, b_vec = len(sa) == 1, len(sb) == 1
    if not (a_vec or b_vec):
        return ops.MatMul.apply(a, b)
    try:
        out = ops.MatMul.apply(a.reshape(1, -1) if a_vec else a, b.reshape(-1, 1) if b_vec else b)
    except ValueError:  # name the shapes the user gave, not the reshaped ones
        raise ValueError(
            f"MatMul on shapes {sa}, {sb}: the last axis of the first operand must equal the "
            f"{'only' if b_vec else 'second-to-last'} axis of the second"
        ) from None
    return out.reshape(*out.shape[:-2], *out.shape[-2:-1][a_vec:], *out.shape[-1:][b_vec:])


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of a and b (ties share the gradient)."""
    return ops.Maximum.apply(*pair(a, b, "maximum"))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of a and b (ties share the gradient)."""
    return ops.Minimum.apply(*pair(a, b, "minimum"))


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """a where cond is true, else b; no gradient flows to cond. Two constants give PyTorch's
    dtype, as 0-d tensors (`where(c, 1.0, 0.0)` is float32)."""
    a = a if isinstance(a, Tensor) or isinstance(b, Tensor) else Tensor(_operand(a, "where"))
    return ops.Where.apply(cond, *pair(a, b, "where"))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = checks.as_tensor_list(tensors, "concatenate")
    if len({getattr(t, "dtype", None) for t in tensors}) > 1:
        tensors = promote(*tensors)
    return ops.Concatenate.apply(*tensors, axis)


def _operand(x: Any, op: str) -> Any:
    """A Tensor as it is; anything else must be a constant NumPy can compute with."""
    return x if isinstance(x, Tensor) or type(x) in (float, int) else as_constant(x, op)


def _index_arg(index: Any) -> Any:
    """Indices may be Tensors: use their arrays. A list becomes an array (NumPy reads a
    list index as an array index too)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
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
    "is_grad_enabled",
]
