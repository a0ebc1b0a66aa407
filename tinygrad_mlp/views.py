"""Views: a reshape, a permute or basic indexing whose result shares its input's memory, as
in PyTorch, and what an in-place change of one does to the other.

A view remembers its base (`_base`) and, here, two ways back to it: `redo(base)` takes the
view again from a base, `put(base, value)` gives the base with the view's part replaced by
`value`; and a base's views are remembered by weak references. (Kept in this module's
tables, by `id`, while the tensors live: a tensor that is no view pays nothing.) Then:

- a change written into the array (nothing recorded: under `no_grad`, or nothing requires
  grad) is seen through the shared memory, and `increment_version` counts it for the base
  too (it walks `_base`), so that backward refuses a graph that saved the old values;
- a recorded in-place operation on a view changes its base instead, `base <- put(base,
  new view)` (for indexing that is `SetItem`: PyTorch's CopySlices), and every view of the
  base is taken again from the new base, the changed view among them;
- a recorded in-place operation on a base takes its views again, so that they show the
  new values and carry their gradient to it.

`x = y[1:]; x.mul_(3)` therefore changes `y`, and `y`'s gradient is that of the product.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd, checks, ops

__all__: list[str] = []


_ways: dict[int, tuple[Callable, Callable | None]] = {}  # id(view) -> (redo, put)
_views: dict[int, list[weakref.ref]] = {}  # id(base) -> its views


def mark(view: Any, base: Any, redo: Callable, put: Callable | None) -> Any:
    """Make `view` (just computed from `base`) a view of it, if NumPy shares the memory."""
    if np.may_share_memory(view._data, base._data):
        view._base = base
        _ways[id(view)] = (redo, put)
        weakref.finalize(view, _ways.pop, id(view), None)
        _remember(base, view)
    return view


def is_view(t: Any) -> bool:
    return id(t) in _ways


def reshaped(view: Any, base: Any) -> Any:
    shape = view.shape
    return mark(
        view,
        base,
        lambda b: ops.Reshape.apply(b, shape),
        lambda b, v: ops.Reshape.apply(v, b.shape),
    )


def permuted(view: Any, base: Any, axes: tuple) -> Any:
    axes = tuple(int(a) % view.ndim for a in axes) if view.ndim else tuple(axes)
    back = tuple(int(i) for i in np.argsort(axes))
    return mark(
        view,
        base,
        lambda b: ops.Transpose.apply(b, axes),
        lambda b, v: ops.Transpose.apply(v, back),
    )


def indexed(view: Any, base: Any, index: Any) -> Any:
    return mark(
        view,
        base,
        lambda b: ops.GetItem.apply(b, index),
        lambda b, v: ops.SetItem.apply(b, index, v),
    )


def broadcast(view: Any, base: Any) -> Any:
    """A read-only view: writing through it is refused (`put` None)."""
    shape = view.shape
    return mark(view, base, lambda b: ops.BroadcastTo.apply(b, shape), None)


@autograd.effect  # the values were made by recorded operations: a compiled function writes again
def write(t: Any, values: np.ndarray, who: str) -> None:
    """The write of an in-place change that is not recorded (under no_grad, or on a tensor
    that does not require grad): into the array itself, so its views see it."""
    autograd.increment_version(t)
    try:
        t._data[...] = values
    except ValueError:  # a read-only array: an expand()ed or broadcast view
        raise RuntimeError(checks.SHARED_MEMORY.format(who=who)) from None


def write_through(view: Any, new: Any, who: str) -> None:
    """A recorded in-place change of `view` to `new`: its base changes (and so the view)."""
    redo, put = _ways[id(view)]
    if put is None:
        raise RuntimeError(checks.SHARED_MEMORY.format(who=who))
    view._base._inplace(lambda b: put(b, new), who)


def refresh(base: Any) -> None:
    """`base` has a new value: take its live views again from it (and theirs from them)."""
    refs = _views.get(id(base))
    if not refs:
        return
    live = [v for v in (r() for r in refs) if v is not None and v._base is base]
    refs[:] = [weakref.ref(v) for v in live]
    for v in live:
        new = _ways[id(v)][0](base)
        v._data, v.grad_fn, v._requires_grad = new._data, new.grad_fn, new._requires_grad
        refresh(v)


def _remember(base: Any, view: Any) -> None:
    refs = _views.get(id(base))
    if refs is None:
        refs = _views[id(base)] = []
        weakref.finalize(base, _views.pop, id(base), None)
    elif len(refs) >= 16:  # drop the views that are gone
        refs[:] = [r for r in refs if r() is not None]
    refs.append(weakref.ref(view))
