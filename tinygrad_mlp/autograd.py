"""The autograd engine: graph nodes, the backward pass, and the switches around them.

How the graph is recorded
-------------------------
Every differentiable operation is a `Function`. `Fn.apply(*inputs)` runs `Fn.forward` (a
primitive's on the inputs' NumPy arrays, a user's on the Tensors themselves, without
recording; constants pass as they are, and a NumPy scalar becomes a Python number, so it
does not widen float32) and, when some input requires a gradient and grad mode is on,
makes a *node*: an instance of `Fn` that remembers the inputs, where their gradients go
(`next_nodes`, fixed now, as in PyTorch) and whatever `forward` saved with
`ctx.save_for_backward`. The output tensor points at its node through `grad_fn`, and the
node points at its inputs, so the graph hangs off the final tensor.

In-place changes and versions
-----------------------------
Every tensor counts its in-place changes in `_version` (`increment_version`), and notes
when they happened on a global count of changes, `_clock`, and to which array (the last
few, in `_changes`).
A node notes `_clock` when it is made (`epoch`); when the output a node saved is changed,
the node is told. Before a node's rule runs, the pass compares (`_check_versions`): a
saved value that changed since forward raises PyTorch's "modified by an inplace operation"
instead of giving a wrong gradient. A node made after the last change needs no comparison
(`epoch == _clock`): the usual case, which costs one integer comparison per node.

How the backward pass runs
--------------------------
`backward_pass` orders the nodes reachable from the outputs so that a node comes before the
nodes that produced its inputs (an iterative depth-first search: no recursion, so a chain
of a million operations is fine). Then it is the textbook loop: take the node's gradient
from a dictionary (the sum of what its consumers sent), run its rule, and add each input's
share into the dictionary. `fit_grads` is the one place where a gradient is checked
against its input, summed back where the input was broadcast (`unbroadcast`) and cast to
the input's dtype, then added in. The pass returns the totals; `backward()` adds them to
`.grad`.

Two ways to run a rule
----------------------
A rule is written once, with operators and methods that NumPy arrays and Tensors share
(`*`, `/`, `@`, `.sum`, `.reshape`, `.T`, ...). In an ordinary backward pass the built-in
primitives get plain arrays: no graph is recorded and no Tensor is made, which is fast.
With `create_graph=True` they get Tensors in grad mode instead, so the backward pass is
itself recorded and can be differentiated again.

Watching the engine
-------------------
`observe(watcher)` is the one observation point: inside the block the engine calls
`watcher.forward(...)` after every operation and `watcher.backward(...)` after every rule,
between `begin_backward` and `end_backward` (see `Observer`). Array work outside the graph
(an optimizer's step, running statistics, a random draw) is marked `@effect` and shown as
one `effect` event; `changed` and `read` tell of in-place changes and of Python reading
values. `detect_anomaly` (anomaly.py), the tools in `tinygrad_mlp.viz` and the recorder of
`tinygrad_mlp.compile` are watchers; while no `observe()` block is open in any thread, an
operation pays one global read. Grad mode (`no_grad`, ...: grad_mode.py) is one flag of
the per-thread `switches`.

Why autograd.py and tensor.py import each other: a Function makes Tensors and a Tensor's
methods run Functions. The circle is the design, so it stays; autograd.py imports `Tensor`
on its last line, after everything tensor.py needs from it is defined.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import checks
from .checks import op_error
from .handles import RemovableHandle  # noqa: F401  (register_hook's, kept out of the core)
from .nodes import NodeViews


# --------------------------------------------------------------------------- switches
class Switches(threading.local):
    """The engine's per-thread state: is the graph recorded (grad mode), and who watches
    the engine. `no_grad` and friends (grad_mode.py) flip `grad_enabled`; `observe`
    registers watchers."""

    grad_enabled = True
    observers: tuple = ()


switches = Switches()


def is_grad_enabled() -> bool:
    """True when operations record the graph (the default)."""
    return switches.grad_enabled


# --------------------------------------------------------------------------- observers
class Observer:
    """Something that watches the engine; register it with `with observe(watcher):`.

    Override what you need; every method is called on the thread that registered the
    watcher, after the engine has done the work, with what the engine computed (a watcher
    must not change it). Arrays in an ordinary backward pass, Tensors under create_graph.
    """

    def forward(self, op: type, node: Function | None, inputs: tuple, out: Tensor) -> None:
        """After `op.apply(*inputs)` made `out`; `node` is `out.grad_fn` (None when no graph
        was recorded: no_grad, or no input requires grad)."""

    def begin_backward(self, roots: Sequence[Tensor]) -> None:
        """A backward pass (backward() or grad()) starts from `roots`."""

    def backward(self, node: Function, grad_output: Any, grads: tuple, rule_out: tuple) -> None:
        """After the pass ran `node`'s rule on `grad_output` = d L / d (node's output).
        `grads`: one gradient per input, as the engine sends it on (reduced to the input's
        shape and dtype; None for an input that gets none). `rule_out`: what the rule
        returned, before the engine summed broadcast axes."""

    def end_backward(self) -> None:
        """The backward pass has finished (or stopped with an error)."""

    def effect(self, fn: Callable, args: tuple, kwargs: dict, result: Any) -> None:
        """After an `@effect` function ran as `fn(*args, **kwargs)`; what it did inside
        (operations, in-place writes) was not shown to the watcher."""

    def changed(self, tensors: Tensor | Sequence[Tensor]) -> None:
        """`tensors` are about to change by code the engine does not record (`t.data -= x`,
        `t.data = a`, a NumPy write announced by `increment_version`)."""

    def read(self, t: Tensor, how: str) -> None:
        """Python is about to read `t`'s values (`how`: "item", "tolist", "numpy", ...)."""

    def read_hyperparameters(self, optimizer: Any) -> None:
        """Python outside an effect is about to read `optimizer.param_groups` (its lr, ...)."""


def watchers() -> tuple[Observer, ...]:
    """The watchers registered on this thread (innermost last)."""
    return switches.observers


def effect(fn: Callable) -> Callable:
    """Mark `fn` as array work outside the graph (an optimizer's update, zero_grad, running
    statistics, a random draw): watchers see one `effect` event instead of its insides, so
    that a recorder (`tinygrad_mlp.compile`) can call it again, whole, on new arrays."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        watchers = _watching and switches.observers
        if not watchers:
            return fn(*args, **kwargs)
        switches.observers = ()
        try:
            result = fn(*args, **kwargs)
        finally:
            switches.observers = watchers
        for watcher in watchers:
            watcher.effect(fn, args, kwargs, result)
        return result

    return run


@contextlib.contextmanager
def observe(watcher: Observer) -> Iterator[Observer]:
    """Within the block, `watcher` sees every operation and backward step of this thread."""
    global _watching
    previous = switches.observers
    switches.observers = (*previous, watcher)
    with _watch_lock:
        _watching += 1
    try:
        yield watcher
    finally:
        switches.observers = previous
        with _watch_lock:
            _watching -= 1


# Blocks of observe() open in any thread: while there are none, an operation skips the
# per-thread look-up of its watchers (one global read instead).
_watching, _watch_lock = 0, threading.Lock()


# --------------------------------------------------------------------------- Function
class Function(NodeViews):  # (next_functions, as torch's grad_fn: nodes.py)
    """An operation the engine can differentiate; instances are the graph's nodes.

    Subclass it with two methods (`@staticmethod`, as in PyTorch, or plain: the engine
    calls `Fn.forward(ctx, ...)` and `Fn.backward(ctx, g)` either way)::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):                  # Tensors in (not recorded), a Tensor out
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad_output):       # d loss / d out  ->  d loss / d x
                (x,) = ctx.saved_tensors
                return grad_output * 3 * x ** 2

        y = Cube.apply(t)

    `forward` gets the input Tensors as they are (and constants as they are) and runs under
    `no_grad`, as in PyTorch: use Tensor methods (`x.exp()`), or NumPy on `x.data`. It
    returns a Tensor or a NumPy array, and may save Tensors or arrays.
    `backward` returns one gradient per input of `forward` (a tuple when there are
    several), or `None` for an input that needs none; `ctx.needs_input_grad` says which
    do. For a user-defined Function `grad_output` and `ctx.saved_tensors` are Tensors; build
    the result from Tensor operations and second derivatives work too.

    The rule that keeps `create_graph=True` correct: save only the inputs, the output, or
    values whose derivative is zero (shapes, masks, indices). `saved_tensors` reconnects an
    input's array to that input and the output's array to the output; anything else comes
    back as a constant, so a derivative that flows through it would be silently lost.

    A node's slots: `inputs` (what `apply` was called with: Tensors and constants),
    `saved` (what forward saved, as arrays), `out` (the output's array, to recognise it
    among `saved`; `saved` is None once backward has released it), `next_nodes` (where
    each input's gradient goes: its node, the leaf itself, or None), `hooks` (on the output
    tensor), `retained` (a weak reference to the output tensor, if it called
    `retain_grad()`), and for the version check `epoch` (`_clock` when it was made) and
    `out_changed` (the output tensor and its version, once it is changed in place). What a
    rule reads are plain slots too, set before it runs: `needs_input_grad` (one flag per
    input: does it get a gradient? from `next_nodes`, by the pass's ordering) and
    `saved_tensors` (what forward saved: the arrays themselves in a plain pass of a
    primitive; otherwise Tensors, reconnected to the graph as `run_rule` makes them).
    """

    __slots__ = tuple(
        "inputs saved out next_nodes hooks retained epoch out_changed needs_input_grad "
        "saved_tensors __weakref__".split()
    )

    #: Built-in primitives set this: their rules also run on plain NumPy arrays, which the
    #: engine uses whenever it does not need to record the backward pass (create_graph=False).
    array_rule = False
    #: What a user's forward passed to `mark_non_differentiable` (then: is the output among it).
    non_differentiable: Any = ()

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved = self.saved_tensors = arrays

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """As torch's, called in forward: the output, if it is among `outputs`, gets no
        gradient (an index, a mask): it does not require grad and backward is never called.
        Anything else passed here changes nothing."""
        self.non_differentiable = outputs

    @property
    def freed(self) -> bool:
        """Has a backward pass released what forward saved (retain_graph=False)?"""
        return self.saved is None

    def _as_tensor(self, s: Any) -> Any:
        if not isinstance(s, np.ndarray):
            return s
        for t in self.inputs:
            if isinstance(t, Tensor) and t._data is s:
                return t
        return Tensor.wrap(s, self if s is self.out else None)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"

    @classmethod
    def apply(cls, *inputs: Any) -> Tensor:
        """Run the operation on Tensors (or constants: numbers and NumPy arrays)."""
        ctx = _new(cls)
        ctx.saved, ctx.hooks, ctx.retained = (), None, None
        arrays, nexts, needs_grad = [], [], False  # nexts: where each input's gradient goes
        for t in inputs:
            if isinstance(t, Tensor):
                arrays.append(t._data)
                if t._requires_grad:
                    needs_grad = True
                    nexts.append(t.grad_fn or t)
                    continue
            elif isinstance(t, np.generic) or (type(t) is np.ndarray and t.ndim == 0):
                # a NumPy scalar acts as a Python number (as a 0-d tensor does in PyTorch):
                # it does not widen float32 to float64
                arrays.append(t.item())
            else:
                arrays.append(t)
            nexts.append(None)
        try:
            out = ctx.forward(*arrays) if cls.array_rule else _forward(cls, ctx, inputs, arrays)
        except (ValueError, TypeError, IndexError) as e:
            raise op_error(e, cls.__name__, inputs) from None
        if type(out) is not np.ndarray:  # e.g. a NumPy scalar from a ufunc on 0-d arrays
            raw, out = out, np.asarray(out)
            for s in ctx.saved:  # what forward saved as its output must still be recognised
                if s is raw:
                    ctx.save_for_backward(*(out if s is raw else s for s in ctx.saved))
                    break
        node = None
        if needs_grad and switches.grad_enabled and not ctx.non_differentiable:
            node, ctx.inputs, ctx.out, ctx.epoch, ctx.next_nodes = ctx, inputs, out, _clock, nexts
        result = _wrap(out, node)
        if _watching:
            for watcher in switches.observers:
                watcher.forward(cls, node, inputs, result)
        return result


def _forward(cls: type, ctx: Function, inputs: tuple, arrays: list) -> Any:
    """A user's forward: the input Tensors (constants as apply passes them), not recorded;
    a Tensor result or saved Tensor is kept as its array, as a primitive's would be."""
    with set_grad_enabled(False):
        out = cls.forward(ctx, *(t if isinstance(t, Tensor) else a for t, a in zip(inputs, arrays)))
    ctx.save_for_backward(*(s._data if isinstance(s, Tensor) else s for s in ctx.saved))
    return checks.one_output(cls, ctx, out)  # its array; refuses several outputs


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


def topological_order(roots: Sequence[Any]) -> list:
    """Nodes reachable from `roots`, each before the nodes that made its inputs.

    An iterative depth-first search: a node is appended after all of its inputs' nodes,
    and the list is reversed at the end. Leaves appear as the tensors themselves. A node
    is marked seen when it is taken off the stack, not when it is put on: one pushed
    earlier by another consumer must still finish before the node now being visited. A
    node's edges are its `next_nodes`, fixed when it was made; on the way each node gets
    the flags its rule reads, `needs_input_grad`.
    """
    order: list = []
    seen: set = set()
    stack: list = list(roots)
    while stack:
        node = stack.pop()
        if node is None:  # the marker: everything above `node` is done
            order.append(stack.pop())
            continue
        if node in seen:  # pushed by several consumers; already visited
            continue
        seen.add(node)
        if not isinstance(node, Function):  # a leaf
            order.append(node)
            continue
        if node.saved is None:  # freed by an earlier pass
            raise RuntimeError(checks.FREED.format(name=node.name()))
        stack += (node, None)
        needs = []  # what its rule reads as `needs_input_grad`
        for k in node.next_nodes:
            needs.append(k is not None)
            if k is not None and k not in seen:
                stack.append(k)
        node.needs_input_grad = tuple(needs)  # a tuple, as torch's (== (True, False) holds)
    order.reverse()
    return order


def _key(t: Tensor) -> Any:
    """Where a tensor's gradient is gathered: its node, or the tensor itself for a leaf."""
    return t.grad_fn or t


class _GCPause:
    """Pause the cyclic garbage collector while a backward pass runs. The pass makes many
    small objects and no cycles; without the pause the collector scans the whole graph
    again and again on a deep graph. Counted under a lock, so that passes running in
    several threads at once switch it back on exactly when the last one ends."""

    lock = threading.Lock()
    running = 0  # passes now running
    was_enabled = False  # whether the collector was on when the first of them started

    def __enter__(self) -> None:
        with _GCPause.lock:
            if _GCPause.running == 0:
                _GCPause.was_enabled = gc.isenabled()
                gc.disable()
            _GCPause.running += 1

    def __exit__(self, *exc: object) -> None:
        with _GCPause.lock:
            _GCPause.running -= 1
            if _GCPause.running == 0 and _GCPause.was_enabled:
                gc.enable()


_gc_paused = _GCPause()


def backward_pass(
    roots: Sequence[Tensor],
    grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> dict:
    """Propagate `grads` (d L / d root, one per root) back through the graph.

    Returns {key: total gradient}, where a key is a leaf tensor or a node (see `_key`): with
    `inputs=None` for every leaf reached and every tensor that called `retain_grad()`,
    otherwise for the keys of `inputs` only.
    """
    wanted = None if inputs is None else {_key(t) for t in inputs}  # None: backward()
    pending: dict = {}  # node -> d L / d (its output), summed over the consumers seen so far
    for r, g in zip(roots, grads):
        k = _key(r)
        pending[k] = pending[k] + g if k in pending else g
    totals: dict = {}
    watchers = switches.observers
    for watcher in watchers:
        watcher.begin_backward(roots)
    grad_mode, switches.grad_enabled = switches.grad_enabled, create_graph  # rules record?
    try:
        with _gc_paused:
            for node in topological_order([_key(r) for r in roots]):
                g = pending.pop(node, None)
                if g is None:  # no gradient reaches this node from the roots
                    continue
                if node.hooks:
                    g = _run_hooks(node, g)
                if not isinstance(node, Function):  # a leaf: the end of this path
                    if wanted is None or node in wanted:
                        totals[node] = g
                    continue
                if node.retained is not None if wanted is None else node in wanted:
                    totals[node] = g
                if node.epoch != _clock:  # something changed in place since it ran
                    _check_versions(node)
                if node.array_rule and not create_graph:  # a primitive, on arrays: trusted
                    rule_out = node.backward(g)  # its rules are plain methods
                    rule_out = rule_out if type(rule_out) is tuple else (rule_out,)
                else:  # a user's Function, or create_graph: the rule runs on Tensors
                    rule_out = run_rule(node, g)
                in_grads = fit_grads(node, rule_out, pending)
                for watcher in watchers:
                    watcher.backward(node, g, in_grads, rule_out)
                if not retain_graph:
                    node.saved = node.saved_tensors = node.out = None
                    node.inputs = ()
    finally:
        switches.grad_enabled = grad_mode
        for watcher in watchers:
            watcher.end_backward()
    return totals


def run_rule(node: Function, g: Any) -> tuple:
    """`node`'s rule on Tensors (a user's Function, or create_graph): one entry per input,
    as arrays unless grad mode is on (then the rule's own operations were recorded)."""
    node.saved_tensors = tuple(node._as_tensor(s) for s in node.saved)
    try:
        out = type(node).backward(node, g if isinstance(g, Tensor) else Tensor.wrap(g))
    finally:  # a plain pass of a primitive that runs later reads the arrays again
        node.saved_tensors = node.saved
    out = _as_tuple(out, node)
    if switches.grad_enabled:
        return out
    return tuple(o.data if isinstance(o, Tensor) else o for o in out)


def fit_grads(node: Function, rule_out: tuple, pending: dict) -> list:
    """The one place a gradient is checked against its input: each is reduced to its
    input's shape (`unbroadcast`) and cast to its dtype, then added to what its input's
    node (or leaf) has gathered in `pending`. Returns them, None for an input that needs
    none."""
    grads = list(rule_out)
    for i, k in enumerate(node.next_nodes):
        gi = grads[i]
        if k is None or gi is None:
            grads[i] = None
            continue
        data = node.inputs[i]._data
        if gi.shape != data.shape:
            gi = grads[i] = unbroadcast(gi, data.shape, node.name())
        if gi.dtype is not data.dtype and gi.dtype != data.dtype:  # `is` first: cheap
            gi = grads[i] = gi.astype(data.dtype)
        prev = pending.get(k)
        pending[k] = gi if prev is None else prev + gi
    return grads


def _as_tuple(x: Any, node: Function) -> tuple:
    out = tuple(x) if isinstance(x, tuple | list) else (x,)
    if len(out) != len(node.inputs):
        raise RuntimeError(
            checks.RULE_COUNT.format(name=node.name(), n=len(out), k=len(node.inputs))
        )
    return out


def _run_hooks(key: Any, g: Any) -> Any:
    """Call each hook on the gradient; a result replaces it and must keep its shape."""
    is_array = not isinstance(g, Tensor)
    for fn in list(key.hooks):
        result = fn(Tensor.wrap(g) if is_array else g)
        if result is None:
            continue
        if not isinstance(result, Tensor) or result.shape != g.shape or result.dtype != g.dtype:
            raise checks.hook_error(fn, g, result)  # as torch: never converted or cast
        g = result.data if is_array else result
    return g


@effect
def accumulate_grad(t: Tensor, g: Any, create_graph: bool) -> None:
    """Add `g` into `t.grad`: a fresh array at first (gradients never alias each other), then
    into that array, as PyTorch does (a tensor holding t.grad sees the sum)."""
    if create_graph:
        g = g if isinstance(g, Tensor) else Tensor.wrap(g)
        t._grad = g if t._grad is None else t._grad + g
    elif t._grad is None:  # np.array: a 0-d rule result may be a NumPy scalar
        t._grad = Tensor.wrap(np.array(g, dtype=t._data.dtype))
    elif t._grad._data.flags.writeable:
        increment_version(t._grad)
        np.add(t._grad._data, g, out=t._grad._data)
    else:  # an assigned read-only (expanded) gradient
        t._grad = Tensor.wrap(np.asarray(t._grad._data + g))


@effect
def set_grad(t: Tensor, g: Tensor | None) -> None:
    """`t.grad = g` (checked): a compiled function sets it again."""
    t._grad = g


_clock = 0  # in-place changes so far, in any tensor: a node made after the last one is safe


def increment_version(tensors: Tensor | Sequence[Tensor], seen: bool = False) -> None:
    """Count an in-place change of `tensors` (one Tensor or several), as
    `torch.autograd.graph.increment_version`. In-place methods, `t[i] = v` and `t.data -= x`
    call it; code that writes into `t.data`'s array any other way (`t.data[...] = v`,
    `np.add(t.data, x, out=t.data)`, an optimizer's update) calls it, so that backward
    refuses a graph that saved the old values instead of using the new ones. Watchers are
    told (`changed`) unless `seen`: the change is an operation the engine recorded."""
    global _clock
    _clock += 1
    for watcher in switches.observers if _watching and not seen else ():
        watcher.changed(tensors)
    for t in (tensors,) if isinstance(tensors, Tensor) else tensors:
        while t is not None:  # a detach()ed tensor shares its base's values
            node = t.grad_fn  # if its rule reads this output, it must know of the change
            if node and node.out is t._data and any(s is node.out for s in node.saved):
                node.out_changed = getattr(node, "out_changed", None) or (t, t._version)
            t._version += 1
            if t._changes is None:
                t._changes = collections.deque(maxlen=8)  # the last 8 changes
            t._changes.append((_clock, id(t._data)))
            t = t._base


def _check_versions(node: Function) -> None:
    """Raise if a value `node` saved (its output, or an input whose array it saved) was
    changed in place after forward, as PyTorch does."""
    changed = [getattr(node, "out_changed", None)]
    for t in node.inputs:
        stamps = getattr(t, "_changes", None)  # when t changed, and which array (None for a
        if stamps and stamps[-1][0] > node.epoch:  # constant); arrays alive at once differ in id
            arrays = {a for c, a in stamps if c > node.epoch}
            if not any(id(s) in arrays for s in node.saved):
                continue
            after = sum(c > node.epoch for c, _ in stamps)  # changes since node was made
            changed.append((t, f"{t._version - after}{' or less' * (after == 8)}"))
    for t, v in filter(None, changed):
        raise RuntimeError(checks.MODIFIED.format(node=node.name(), t=t, now=t._version, v=v))


# --------------------------------------------------------------------------- entry points
def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Add d tensors / d leaf into every leaf's `.grad`, as `torch.autograd.backward`.

    `grad_tensors` weights each output (needed unless it has one element); `retain_graph`
    keeps the graph for another pass (default: `create_graph`); `create_graph=True` records
    this pass so that the gradients can be differentiated again. `inputs` (tensors that
    require grad, leaves or not): only their `.grad` gets the gradient, nothing else's.
    """
    roots, seeds = checks.as_seeds(tensors, grad_tensors, create_graph, "backward()")
    retain = create_graph if retain_graph is None else retain_graph
    add = accumulate_grad if _watching else accumulate_grad.__wrapped__  # no one to tell
    only = None if inputs is None else checks.as_grad_inputs(inputs, "backward()")
    owner = {_key(t): t for t in only or ()}  # a non-leaf input's node: the input itself
    for key, g in backward_pass(roots, seeds, retain, create_graph, only).items():
        t = owner[key] if key in owner else key if isinstance(key, Tensor) else key.retained()
        if t is not None:
            add(t, g, create_graph)


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
    inputs = checks.as_grad_inputs(inputs)
    roots, seeds = checks.as_seeds(outputs, grad_outputs, create_graph, "grad()")
    retain = create_graph if retain_graph is None else retain_graph
    totals = backward_pass(roots, seeds, retain, create_graph, inputs)
    result = []
    for i, t in enumerate(inputs):
        g = totals.get(_key(t))
        if g is None and not allow_unused:
            raise RuntimeError(checks.UNUSED_INPUT.format(i=i, shape=t.shape))
        result.append(g if g is None or isinstance(g, Tensor) else Tensor.wrap(grad_result(t, g)))
    return tuple(result)


grad_result = effect(lambda t, g: np.array(g))  # grad()'s result for t: compile redoes it


from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: E402, F401  (as torch.autograd's)
from .grad_mode import enable_grad, no_grad, set_grad_enabled  # noqa: E402, F401  (built on switches)
from .tensor import Tensor  # noqa: E402  (tensor.py builds on the names defined above)

_wrap, _new = Tensor.wrap, object.__new__  # apply's constructors, each found in one look-up
