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
from typing import Any

import numpy as np

from . import autograd, checks, ops

__all__: list[str] = []


_ways: dict[int, tuple] = {}  # id(view) -> (redo, put, copied, weak reference to the view)
_views: dict[int, list[weakref.ref]] = {}  # id(base) -> its views


def mark(view: Any, base: Any, kind: str, arg: Any, copied: bool = False) -> Any:
    """Make `view` (just computed from `base` by `kind`, with `arg`) a view of it, if NumPy
    shares the memory, or if it is `copied`: an element NumPy copies out where PyTorch gives
    a view (y[0] of a vector), kept equal to its place in the base by hand (`write`)."""
    if not copied and (view._data.base is None or not np.may_share_memory(view._data, base._data)):
        return view
    view._base = base  # a change through the view counts for the base (increment_version)
    if copied or base._requires_grad:  # else only a recorded change would need the rest
        key = id(view)  # forgotten when the view goes (a callback: cheaper than finalize)
        gone = weakref.ref(view, lambda _, key=key: _ways.pop(key, None))
        _ways[key] = (*_WAYS[kind](view, arg), copied, gone)
        _remember(base, view)
    return view


def is_view(t: Any) -> bool:
    return id(t) in _ways


def _reshape(view: Any, _: Any) -> tuple:
    shape = view.shape
    return (lambda b: ops.Reshape.apply(b, shape)), (lambda b, v: ops.Reshape.apply(v, b.shape))


def _permute(view: Any, axes: tuple) -> tuple:
    axes = tuple(int(a) % view.ndim for a in axes) if view.ndim else tuple(axes)
    back = tuple(int(i) for i in np.argsort(axes))
    return (lambda b: ops.Transpose.apply(b, axes)), (lambda b, v: ops.Transpose.apply(v, back))


def _index(view: Any, index: Any) -> tuple:
    return (lambda b: ops.GetItem.apply(b, index)), (lambda b, v: ops.SetItem.apply(b, index, v))


def _broadcast(view: Any, _: Any) -> tuple:  # read-only: writing through it is refused
    shape = view.shape
    return (lambda b: ops.BroadcastTo.apply(b, shape)), None


# how a view of each kind is taken again from a base (redo), and put back into one (put)
_WAYS = {"reshape": _reshape, "permute": _permute, "index": _index, "broadcast": _broadcast}


def indexed(view: Any, base: Any, index: Any) -> Any:
    """`base[index]`: a view, or an element copied out (integers on every axis)."""
    copied = view._data.ndim == 0 and all(
        isinstance(i, int | np.integer) and not isinstance(i, bool)
        for i in (index if isinstance(index, tuple) else (index,))
    )
    return mark(view, base, "index", index, copied)


@autograd.effect  # the values were made by recorded operations: a compiled function writes again
def write(t: Any, values: np.ndarray, who: str) -> None:
    """The write of an in-place change that is not recorded (under no_grad, or on a tensor
    that does not require grad): into the array itself, so its views see it."""
    autograd.increment_version(t)
    try:
        t._data[...] = values
    except ValueError:  # a read-only array: an expand()ed or broadcast view
        raise RuntimeError(checks.SHARED_MEMORY.format(who=who)) from None
    ways = _ways.get(id(t))
    if ways is not None and ways[2]:  # an element copied out: into its place in the base
        write(t._base, ways[1](t.wrap(t._base._data), t)._data, who)
    for v in _live(t):  # and the elements copied out of t follow it
        if _ways[id(v)][2]:
            v._data[...] = _ways[id(v)][0](t)._data


def write_through(view: Any, new: Any, who: str) -> None:
    """A recorded in-place change of `view` to `new`: its base changes (and so the view)."""
    redo, put = _ways[id(view)][:2]
    if put is None:
        raise RuntimeError(checks.SHARED_MEMORY.format(who=who))
    view._base._inplace(lambda b: put(b, new), who)


def refresh(base: Any) -> None:
    """`base` has a new value: take its live views again from it (and theirs from them)."""
    for v in _live(base):
        new = _ways[id(v)][0](base)
        v._data, v.grad_fn, v._requires_grad = new._data, new.grad_fn, new._requires_grad
        refresh(v)


def _live(base: Any) -> list:
    """The views of `base` still alive (the others forgotten)."""
    refs = _views.get(id(base))
    if not refs:
        return []
    live = [v for v in (r() for r in refs[1:]) if v is not None and v._base is base]
    refs[1:] = [weakref.ref(v) for v in live]
    return live


def _remember(base: Any, view: Any) -> None:
    key = id(base)
    refs = _views.get(key)
    if refs is None:  # the first entry watches the base, and forgets the list with it
        refs = _views[key] = [weakref.ref(base, lambda _, key=key: _views.pop(key, None))]
    elif len(refs) >= 16:  # drop the views that are gone
        refs[1:] = [r for r in refs[1:] if r() is not None]
    refs.append(weakref.ref(view))
