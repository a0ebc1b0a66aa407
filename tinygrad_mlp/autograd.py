"""The autograd engine: graph nodes, the backward pass, and the switches around them.

How the graph is recorded
-------------------------
Every differentiable operation is a `Function`. `Fn.apply(*inputs)` runs `Fn.forward` on
the inputs' NumPy arrays (constants pass as they are; a NumPy scalar becomes a Python
number, so it does not widen float32) and, when some input requires a gradient and grad
mode is on, makes a *node*: an instance of `Fn` that remembers the inputs and whatever
`forward` saved with `ctx.save_for_backward`. The output tensor points at its node through
`grad_fn`, and the node points at its inputs, so the graph hangs off the final tensor.

How the backward pass runs
--------------------------
`backward_pass` orders the nodes reachable from the output so that a node comes before the
nodes that produced its inputs (an iterative depth-first search: no recursion, so a chain
of a million operations is fine). It then walks that order once, holding each node's
gradient in a dictionary until every consumer has added its share, calls the node's
`backward` rule, reduces each returned gradient to its input's shape (`unbroadcast`: the
one place broadcasting is undone) and hands it on. Leaves receive their total in `.grad`.
Unless `retain_graph=True`, each node drops its saved arrays as soon as it has run.

Two ways to run a rule
----------------------
A rule is written once, with operators and methods that NumPy arrays and Tensors share
(`*`, `/`, `@`, `.sum`, `.reshape`, `.T`, ...). In an ordinary backward pass the built-in
primitives get plain arrays: no graph is recorded and no Tensor is made, which is fast.
With `create_graph=True` they get Tensors in grad mode instead, so the backward pass is
itself recorded and can be differentiated again.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np


# --------------------------------------------------------------------------- grad modes
class _Mode(threading.local):
    """Per-thread switches: is the graph recorded, and are NaN/Inf checked."""

    grad_enabled = True
    anomaly = False


_mode = _Mode()


def is_grad_enabled() -> bool:
    """True when operations record the graph (the default)."""
    return _mode.grad_enabled


class set_grad_enabled:
    """Turn graph recording on or off: a context manager and a decorator.

    `no_grad()` and `enable_grad()` are this class with the flag fixed. The previous
    state comes back on exit, even when the block raises.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(_mode.grad_enabled)
        _mode.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _mode.grad_enabled = self.prev.pop()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)(self.mode) if type(self) is set_grad_enabled else type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """`with no_grad():` (or `@no_grad()`) runs operations without recording a graph."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again, e.g. inside a `no_grad` block."""

    def __init__(self) -> None:
        super().__init__(True)


class detect_anomaly:
    """Within this block, a NaN or Inf made by any operation, in the forward pass or in the
    backward pass, raises a `RuntimeError` that names the operation."""

    def __init__(self) -> None:
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(_mode.anomaly)
        _mode.anomaly = True

    def __exit__(self, *exc: object) -> None:
        _mode.anomaly = self.prev.pop()


def _check_finite(array: Any, what: str) -> None:
    data = array.data if isinstance(array, Tensor) else array
    if isinstance(data, np.ndarray) and data.dtype.kind == "f" and not np.isfinite(data).all():
        kind = "NaN" if np.isnan(data).any() else "Inf"
        raise RuntimeError(f"detect_anomaly: {what} produced {kind} (shape {data.shape})")


# --------------------------------------------------------------------------- Function
class Function:
    """An operation the engine can differentiate; instances are the graph's nodes.

    Subclass it with two static methods::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):                  # NumPy arrays in, a NumPy array out
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad_output):       # d loss / d out  ->  d loss / d x
                (x,) = ctx.saved_tensors
                return grad_output * 3 * x ** 2

        y = Cube.apply(t)

    `backward` returns one gradient per input of `forward` (a tuple when there are
    several), or `None` for an input that needs none; `ctx.needs_input_grad` says which
    do. For a user-defined Function `grad_output` and `ctx.saved_tensors` are Tensors; build
    the result from Tensor operations and second derivatives work too.
    """

    __slots__ = (
        "inputs",
        "saved",
        "out",
        "freed",
        "next_nodes",
        "needs_input_grad",
        "__weakref__",
    )

    #: Built-in primitives set this: their rules also run on plain NumPy arrays, which the
    #: engine uses whenever it does not need to record the backward pass (create_graph=False).
    array_rule = False

    # The node. `apply` fills in the first three.
    inputs: tuple  # what `apply` was called with: Tensors and constants
    saved: tuple  # what `forward` passed to save_for_backward
    out: np.ndarray | None  # the output's array, to recognise it among `saved`
    hooks: list | None = None  # hooks on the output tensor (register_hook)
    retained: Any = None  # weak reference to the output tensor, if it called retain_grad()
    freed: bool  # set when backward has run and released `saved`
    next_nodes: list  # set by the backward pass: where each input's gradient goes
    needs_input_grad: list  # set by the backward pass: which inputs need a gradient

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        """What `forward` saved: NumPy arrays in a plain pass of a primitive; otherwise
        Tensors, reconnected to the graph (an input's array becomes that input tensor, the
        output's array becomes the output) so the rule can be differentiated again."""
        if self.array_rule and not _mode.grad_enabled:
            return self.saved
        if self.freed:
            raise RuntimeError(_FREED.format(name=self.name()))
        return tuple(self._as_tensor(s) for s in self.saved)

    def _as_tensor(self, s: Any) -> Any:
        if not isinstance(s, np.ndarray):
            return s
        for t in self.inputs:
            if isinstance(t, Tensor) and t.data is s:
                return t
        if s is self.out:
            return Tensor._make(s, self)
        return Tensor._make(s, None)

    @property
    def next_functions(self) -> tuple:
        """The nodes that made this node's inputs: a Function for a computed tensor, the
        leaf tensor itself for a leaf, None for an input without gradient."""
        return tuple(_key(t) if _needs(t) else None for t in self.inputs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"

    @staticmethod
    def forward(ctx: Function, *arrays: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Function, grad_output: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any) -> Tensor:
        """Run the operation on Tensors (or constants: numbers and NumPy arrays)."""
        ctx = cls.__new__(cls)
        ctx.saved = ()
        ctx.freed = False
        arrays, needs_grad = [], False
        for t in inputs:
            if isinstance(t, Tensor):
                arrays.append(t.data)
                needs_grad = needs_grad or t.requires_grad
            elif isinstance(t, np.generic) or (type(t) is np.ndarray and t.ndim == 0):
                # a NumPy scalar acts as a Python number (as a 0-d tensor does in PyTorch):
                # it does not widen float32 to float64
                arrays.append(t.item())
            else:
                arrays.append(t)
        try:
            out = cls.forward(ctx, *arrays)
        except (ValueError, TypeError, IndexError) as e:
            raise _op_error(e, cls.__name__, inputs) from None
        if type(out) is not np.ndarray:  # e.g. a NumPy scalar from a ufunc on 0-d arrays
            raw, out = out, np.asarray(out)
            for s in ctx.saved:  # what forward saved as its output must still be recognised
                if s is raw:
                    ctx.saved = tuple(out if s is raw else s for s in ctx.saved)
                    break
        if _mode.anomaly:
            _check_finite(out, f"{cls.__name__} (forward)")
        if needs_grad and _mode.grad_enabled:
            ctx.inputs, ctx.out = inputs, out
            return Tensor._make(out, ctx)
        return Tensor._make(out, None)


def _op_error(e: Exception, op: str, inputs: tuple) -> Exception:
    """The same kind of error, its message prefixed with the operation, the shapes of its
    tensor and array operands, and its other arguments (numbers, axes, shapes, indices)."""
    shapes = [str(t.shape) for t in inputs if isinstance(t, Tensor | np.ndarray)]
    others = [_brief(t) for t in inputs if not isinstance(t, Tensor | np.ndarray)]
    message = f"{op} on shapes {', '.join(shapes) or '(none)'}"
    if others:
        message += f" with arguments {', '.join(others)}"
    message += f": {e}"
    try:
        return type(e)(message)
    except TypeError:  # an exception class with a constructor of its own (NumPy has some)
        base = next(b for b in (IndexError, ValueError, TypeError) if isinstance(e, b))
        return base(message)


def _brief(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _needs(t: Any) -> bool:
    return isinstance(t, Tensor) and t.requires_grad


def _key(t: Tensor) -> Any:
    """Where a tensor's gradient is gathered: its node, or the tensor itself for a leaf."""
    return t.grad_fn or t


_FREED = (
    "Trying to run backward through {name} a second time, but its saved values were freed "
    "by the first backward(). Pass retain_graph=True to the first backward() (or grad()) "
    "if you need to go through the graph again."
)


# --------------------------------------------------------------------------- the pass
def unbroadcast(grad: Any, shape: tuple, op: str) -> Any:
    """Sum `grad` down to `shape`: undo NumPy broadcasting of an input of that shape."""
    extra = grad.ndim - len(shape)
    if extra > 0 and grad.shape[extra:] == shape:  # only leading axes were added: a bias
        return grad.sum(axis=tuple(range(extra)))
    if extra < 0:
        raise RuntimeError(f"{op}: gradient of shape {grad.shape} is smaller than input {shape}")
    axes = tuple(range(extra))
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[extra + i] != 1:
            axes += (extra + i,)
        elif n != grad.shape[extra + i]:
            raise RuntimeError(
                f"{op}: gradient of shape {grad.shape} does not fit input of shape {shape}"
            )
    return grad.sum(axis=axes, keepdims=True).reshape(shape) if axes else grad.reshape(shape)


def topological_order(root: Any) -> list:
    """Nodes reachable from `root`, each before the nodes that made its inputs.

    An iterative depth-first search: a node is appended after all of its inputs' nodes,
    and the list is reversed at the end. Leaves appear as the tensors themselves. A node
    is marked seen when it is taken off the stack, not when it is put on: one pushed
    earlier by another consumer must still finish before the node now being visited. On
    the way it notes on each node where its inputs' gradients go (`next_nodes`, None for
    an input that needs none) and `needs_input_grad`.
    """
    order: list = []
    seen: set = set()
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is None:  # the marker: everything above `node` is done
            order.append(stack.pop())
            continue
        if node in seen:  # pushed by several consumers; already visited
            continue
        seen.add(node)
        if isinstance(node, Function):
            if node.freed:
                raise RuntimeError(_FREED.format(name=node.name()))
            stack += (node, None)
            keys, needs = [], []
            for t in node.inputs:
                if isinstance(t, Tensor) and t.requires_grad:
                    k = t.grad_fn or t
                    keys.append(k)
                    needs.append(True)
                    if k not in seen:
                        stack.append(k)
                else:
                    keys.append(None)
                    needs.append(False)
            node.next_nodes, node.needs_input_grad = keys, needs
        else:
            order.append(node)
    order.reverse()
    return order


def backward_pass(
    roots: Sequence[Tensor],
    grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list | None:
    """Propagate `grads` from `roots` back through the graph.

    With `inputs=None` (`Tensor.backward`) totals accumulate into the leaves' `.grad`.
    Otherwise (`grad()`) the totals for `inputs` are returned in order and no `.grad`
    is touched.
    """
    # The pass makes many small objects and no reference cycles: pausing the cyclic garbage
    # collector spares it from scanning the whole graph again and again on a deep graph.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _backward_pass(roots, grads, retain_graph, create_graph, inputs)
    finally:
        if gc_was_on:
            gc.enable()


def _backward_pass(
    roots: Sequence[Tensor],
    grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list | None:
    if len(roots) == 1:
        order = topological_order(_key(roots[0]))
    else:  # several outputs: one fake root whose "inputs" are the outputs
        joint = _Joint.__new__(_Joint)
        joint.inputs, joint.freed = tuple(roots), False
        order = topological_order(joint)[1:]
    pending: dict = {}
    for r, g in zip(roots, grads):
        k = _key(r)
        pending[k] = pending[k] + g if k in pending else g
    wanted = {_key(t): None for t in inputs} if inputs is not None else None
    prev_grad_mode = _mode.grad_enabled
    _mode.grad_enabled = create_graph  # rules run on arrays unless create_graph
    anomaly = _mode.anomaly
    try:
        for node in order:
            g = pending.pop(node, None)
            if g is None:
                continue
            if node.hooks:
                g = _run_hooks(node.hooks, g)
            if wanted is not None and node in wanted:
                wanted[node] = g
            if not isinstance(node, Function):  # a leaf
                if wanted is None:
                    _accumulate(node, g, create_graph)
                continue
            if node.retained is not None and wanted is None:
                t = node.retained()
                if t is not None:
                    _accumulate(t, g, create_graph)
            if node.array_rule and not create_graph:
                in_grads = node.backward(node, g)
            else:
                in_grads = _run_tensor_rule(node, g)
            if type(in_grads) is not tuple:
                in_grads = _as_tuple(in_grads, node)
            if anomaly:
                _check_grads(in_grads, node)
            for k, t, gi in zip(node.next_nodes, node.inputs, in_grads):
                if k is None or gi is None:
                    continue
                data = t.data
                if gi.shape != data.shape:
                    gi = unbroadcast(gi, data.shape, node.name())
                if gi.dtype is not data.dtype and gi.dtype != data.dtype:
                    gi = gi.astype(data.dtype)
                prev = pending.get(k)
                pending[k] = gi if prev is None else prev + gi
            if not retain_graph:
                node.saved, node.out, node.inputs, node.freed = (), None, (), True
                node.next_nodes = node.needs_input_grad = ()
    finally:
        _mode.grad_enabled = prev_grad_mode
    if wanted is None:
        return None
    return [_as_result(wanted[_key(t)]) for t in inputs]


class _Joint(Function):
    """The fake root that lets one backward pass start from several outputs."""


def _run_tensor_rule(node: Function, g: Any) -> Any:
    """Run a rule on Tensors: recorded when create_graph, else unwrapped back to arrays."""
    if not isinstance(g, Tensor):
        g = Tensor._make(g, None)
    out = node.backward(node, g)
    if _mode.grad_enabled:
        return out
    return tuple(o.data if isinstance(o, Tensor) else o for o in _as_tuple(out, node))


def _as_tuple(x: Any, node: Function) -> tuple:
    out = tuple(x) if isinstance(x, tuple | list) else (x,)
    if len(out) != len(node.inputs):
        raise RuntimeError(
            f"{node.name()}.backward returned {len(out)} gradients for {len(node.inputs)} "
            "inputs; return one per input of forward (None for an input that needs none)"
        )
    return out


def _check_grads(in_grads: tuple, node: Function) -> None:
    for gi in in_grads:
        if gi is not None:
            _check_finite(gi, f"{node.name()} (backward)")


def _run_hooks(hooks: list, g: Any) -> Any:
    is_array = not isinstance(g, Tensor)
    for fn in list(hooks):
        result = fn(Tensor._make(np.asarray(g), None) if is_array else g)
        if result is not None:
            if is_array:
                g = np.asarray(result.data if isinstance(result, Tensor) else result)
            else:
                g = result if isinstance(result, Tensor) else Tensor._make(np.asarray(result), None)
    return g


def _accumulate(t: Tensor, g: Any, create_graph: bool) -> None:
    """Add `g` into `t.grad` (a fresh array: gradients never alias each other)."""
    if create_graph:
        if not isinstance(g, Tensor):
            g = Tensor._make(g, None)
        t.grad = g if t.grad is None else t.grad + g
    else:
        g = g.data if isinstance(g, Tensor) else g
        # np.array, not astype: a 0-d rule result may be a NumPy scalar, .grad needs an array
        if t.grad is None:
            t.grad = Tensor._make(np.array(g, dtype=t.data.dtype), None)
        else:
            t.grad = Tensor._make(np.asarray(t.grad.data + g), None)


def _as_result(g: Any) -> Tensor | None:
    if g is None or isinstance(g, Tensor):
        return g
    return Tensor._make(np.array(g), None)


class RemovableHandle:
    """Returned by `register_hook`; `handle.remove()` takes the hook off again."""

    def __init__(self, hooks: list, fn: Callable) -> None:
        self.hooks, self.fn = hooks, fn

    def remove(self) -> None:
        if self.fn in self.hooks:
            self.hooks.remove(self.fn)


# --------------------------------------------------------------------------- grad()
def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, as a tuple; `.grad` untouched.

    Like `torch.autograd.grad`: `grad_outputs` weights each output (needed for
    non-scalar outputs), `create_graph=True` makes the result differentiable, and
    `retain_graph` defaults to `create_graph`.
    """
    single = isinstance(outputs, Tensor)
    outputs = [outputs] if single else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif single or not isinstance(grad_outputs, list | tuple):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            what = (
                "a Tensor without requires_grad"
                if isinstance(t, Tensor)
                else f"a {type(t).__name__}"
            )
            raise RuntimeError(
                f"grad(): input {i} is {what}; every input must be a Tensor with "
                "requires_grad=True (for a leaf, call .requires_grad_() before computing)"
            )
    roots, seeds = _seeds(outputs, grad_outputs, create_graph, "grad()")
    retain = create_graph if retain_graph is None else retain_graph
    result = backward_pass(roots, seeds, retain, create_graph, inputs)
    assert result is not None
    for i, r in enumerate(result):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"grad(): input {i} (shape {inputs[i].shape}) was not used to compute the "
                "outputs; pass allow_unused=True to get None for it"
            )
    return tuple(result)


def _seeds(
    outputs: Iterable[Tensor], grad_outputs: Iterable[Any], create_graph: bool, who: str
) -> tuple[list, list]:
    """Check each output and build the gradient that starts the pass from it."""
    roots, seeds = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor) or not out.requires_grad:
            raise RuntimeError(
                f"{who}: output {i} does not require grad and has no grad_fn; nothing to "
                "differentiate (did you compute it under no_grad(), or from tensors "
                "without requires_grad=True?)"
            )
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"{who}: output {i} has shape {out.shape}; a gradient can be implied only "
                    "for a single-element output. Pass gradient= (grad_outputs=) of that "
                    "shape, or reduce first, e.g. out.sum().backward()"
                )
            g = np.ones_like(out.data)
        else:
            g = g.data if isinstance(g, Tensor) and not create_graph else g
            if not isinstance(g, Tensor):
                g = np.asarray(g, dtype=out.data.dtype)
            if g.shape != out.shape:
                raise RuntimeError(
                    f"{who}: gradient has shape {g.shape} but output {i} has shape {out.shape}"
                )
        if create_graph and not isinstance(g, Tensor):
            g = Tensor._make(g, None)
        roots.append(out)
        seeds.append(g)
    return roots, seeds


from .tensor import Tensor  # noqa: E402  (tensor.py builds on the names defined above)
