"""Tracing and replay: `step = tg.compile(fn)` runs `fn` once as usual and records it.

How it works
------------
The first call runs `fn` eagerly inside `autograd.observe(recorder)`. The recorder sees
every primitive the engine runs (forward events), every rule of the backward pass (backward
events) and every `@autograd.effect` function (an optimizer's step, `zero_grad`, batch
norm's running statistics, a dropout mask's or `tg.randn`'s draw, the branch a loss takes by
its values).
It gives every array a *slot* and writes a flat tape: "slot 7 = MatMulT.forward(slot 0,
slot 3)", "slots 20, 21 = MatMulT.backward(slot 19)", "slot 30 = slot 28 + slot 29", "call
SGD.step(opt) again". A second call traces again and must give the same tape (else the
function computes arrays outside the engine's view, and compiling it would be wrong).
From then on a call with inputs of the same shapes and dtypes replays the tape: one Python
function written from it (`tape.code`, see `inline.py`) in which each primitive's own
`forward`/`backward` body is pasted, on the slots' arrays (the same code, so the same bits),
with the broadcasting reductions decided at trace time, no Tensors, no context objects, no
graph and no topological sort; a body that cannot be pasted runs as a closure that calls the
method. The slots are the function's locals (`s7`), loaded from the parameters at its
start; `S` holds what a closure reads and, at the end, the outputs. An effect is called
again, whole, so an update or a draw is the eager one; the one exception is SGD's plain
step (no momentum, weight decay or maximize: `SGD._plain_descent`), whose update is
written out, `p.data -= lr * p.grad.data` with lr read from its group, after a test that
each gradient is a Tensor of the traced shape and dtype (else `step()` runs). Backward
steps whose gradient is a constant (the root's ones) and whose rule reads nothing that
changes are folded: their traced results are put in the slots before the replay starts
(the tape marks them "folded"). A gradient that is a new array of this replay, read by
nothing else, becomes `.grad` without the copy accumulate_grad makes. A big slot is dropped
after its last use, so memory is freed as eagerly; big matmul and elementwise results
(Add, Sub, Mul, Relu) are written with `out=` into buffers kept between replays, shared by
slots whose lives do not overlap, where every reader makes a new array from them (so no
view of a buffer escapes), they are not returned and no `.grad` is made from them (a new
array becomes `.grad` as it is; a buffer would be copied): the same NumPy call with an output
given, hence the same bits.

What is guarded
---------------
A tape belongs to the shapes, dtypes and requires_grad of the tensor arguments, the values
of the other arguments, grad mode and the default dtype; it is replayed only while
everything it depended on is as it was: the attributes of every module the function can
reach (through its arguments, closure, globals or `self`: `training`, Dropout's `p`, its
submodules and parameters by identity) and of every other object it reaches (a config's
numbers; a trainer's, and what its attributes hold: its model, optimizer and config), every
optimizer's parameters and, where the function's own Python read them
(`Optimizer.param_groups` tells the recorder of a read outside an effect) or holds a group,
its hyperparameters (else they are read live: step() is called whole, and SGD's written
update reads lr), the requires_grad, shape and dtype of every tensor it read (and that none
has a hook since), the plain values (numbers, strings, flags) in its closure and in the
globals it names and the identity of every other value there (a name bound to another array
or tensor), and what the lists and dicts it reaches hold. A change re-traces. The guard is
written out too (`tape.guard`): one test per value, each stricter than `==` (flags and
objects by `is`, numbers with their type), and only where one fails is the whole state
built and compared (typed too); where that holds (an equal value in a new object), the
written test is made again from the new objects. An effect whose result decided a branch (a
loss that saturates, a running average that needs the count, an array of another shape from
an effect of your own) is checked when replayed; if the branch would differ, the replay is
undone (the generator and the tensors that effect and the earlier ones were given) and the
call is traced again; each branch keeps its tape. A function traced at 8 calls in a row and
replayed at none (its state changes at every call: a number its own Python reads) warns,
naming the test that failed, and then runs eagerly (`.eager`; set it to False to compile
again): a trace costs more than a call.

What a compiled function may not do
-----------------------------------
Its Python runs only when traced, so: no Python control flow on tensor values, no
`.item()`, `float()`, `bool()`, `.tolist()` or `.numpy()` of a tensor it computed (raises
`CompileError`), no printing or logging that should happen every call, no Functions of your
own (raises), one root per backward pass. Changes of arrays must be recorded: effects (an
optimizer's step, zero_grad, `p.grad = ...`, clipping) and in-place operations (`w -= x`
under no_grad) are; `w.data -= x`, `w.data = a` and NumPy writes announced by
`increment_version` raise (`changed`). Python state the call itself changes (a scheduler's
epoch, a counter, a list it appends to: `_own_state`; a module hook's too) raises when a
call changes it again from where the last one left it, since a replay would not. A hook
that computes with Tensor operations is recorded like the rest; adding or removing one
re-traces. Return the loss (and other outputs) and read them outside. The returned tensors
hold the eager values but are not part of a graph; so a function whose traced output is
differentiated outside it (`model = tg.compile(model)`, seen at the next call) warns and
runs eagerly (the compiled object passes on the module's attributes: `parameters()`,
`train()`).
"""

from __future__ import annotations

import ast
import dis
import functools
import operator
import re
import time
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd, inline, ops, random, views
from .autograd import Function, Observer, is_grad_enabled
from .checks import default_float
from .tensor import Tensor

__all__ = ["compile", "Compiled", "CompileError"]

_ACCUMULATE = autograd.accumulate_grad.__wrapped__
_GRAD_COPY = autograd.grad_result.__wrapped__  # grad()'s copy of the total for an input
_INCREMENT = autograd.increment_version
_WRITE = views.write.__wrapped__  # an in-place change's write, not recorded as an operation
_SCALARS = (bool, int, float, str, type(None))
_OPAQUE = (  # what _own_state does not look into: code, types, arrays, immutable containers
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    types.ModuleType,
    type,
    functools.partial,
    Tensor,
    np.ndarray,
    np.generic,
    tuple,
    frozenset,
)


class CompileError(RuntimeError):
    """The function cannot be compiled as it is; the message says what to change."""


class _Diverged(Exception):
    """A replayed effect's result differs from the traced one: the tape does not apply."""


# --------------------------------------------------------------------------- references
# What a recorded call reads, resolved at replay: ("S", slot) an array slot, ("I", slot) a
# 0-d slot as a Python number (as `apply` passes it), ("T", slot) a Tensor around a slot,
# ("A", i) the i-th argument tensor, ("X", obj) an object as it is (a parameter, an
# optimizer, a number), ("C", value) a constant array, ("L"/"U", refs) a list/tuple,
# ("D", {key: ref}) a dict.
def _resolver(ref: tuple) -> Callable[[list, tuple], Any]:
    kind, v = ref
    if kind == "S":
        return lambda S, A: S[v]
    if kind == "I":
        return lambda S, A: S[v].item()
    if kind == "T":
        return lambda S, A: Tensor.wrap(S[v])
    if kind == "A":
        return lambda S, A: A[v]
    if kind in "XC":
        return lambda S, A: v
    if kind in "LU":
        parts = [_resolver(r) for r in v]
        make = list if kind == "L" else tuple
        return lambda S, A: make(p(S, A) for p in parts)
    parts_d = {k: _resolver(r) for k, r in v.items()}
    return lambda S, A: {k: p(S, A) for k, p in parts_d.items()}


def _reads(ref: tuple) -> list[int]:
    kind, v = ref
    if kind in "SIT":
        return [v]
    if kind in "LU":
        return [s for r in v for s in _reads(r)]
    if kind == "D":
        return [s for r in v.values() for s in _reads(r)]
    return []


def _show(ref: tuple, shapes: dict) -> str:
    kind, v = ref
    if kind in "SIT":
        shape, dtype = shapes[v]
        return f"s{v}{'.item()' if kind == 'I' else ''}{list(shape)}"
    if kind == "A":
        return f"arg{v}"
    if kind == "C":
        return f"const{list(v.shape)}"
    if kind in "LU":
        inner = ", ".join(_show(r, shapes) for r in v)
        return f"[{inner}]" if kind == "L" else f"({inner})"
    if kind == "D":
        return "{" + ", ".join(f"{k}: {_show(r, shapes)}" for k, r in v.items()) + "}"
    if isinstance(v, float | int | bool | str | type(None) | tuple | np.dtype):
        return repr(v)
    return f"<{type(v).__name__}>"


def _same(a: Any, b: Any) -> bool:
    """Equal constants (arrays by value and dtype; nan equals nan)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return a is b


# --------------------------------------------------------------------------- the recorder
class _Recorder(Observer):
    """Watches one traced call and writes its tape (see the module docstring)."""

    def __init__(self, args: tuple) -> None:
        self.slot: dict[int, int] = {}  # id(array) -> slot
        self.keep: list = []  # the arrays, kept alive so that their ids stay theirs
        self.shapes: dict[int, tuple] = {}  # slot -> (shape, dtype)
        self.arrays: dict[int, Any] = {}  # slot -> the array it held when traced
        self.steps: list[dict] = []
        self.externals: list[tuple[Tensor, int]] = []  # tensors read, bound at each replay
        self.external_ids: set[int] = set()
        self.args: dict[int, int] = {}  # id(arg tensor) -> position
        self.ctx: dict[int, tuple] = {}  # id(node) -> (ctx slot, op, forward step)
        self.nodes: list = []  # the nodes, kept alive for their ids
        self.pending: dict[int, int] = {}  # the pass's gradient dict, as slots
        self.node_grad: dict[int, int] = {}
        self.inputs: list[tuple[int, int]] = []  # (arg position, slot)
        self.hyperparameters_read = False  # did the function's Python read param_groups?
        self.overwritten: set[int] = set()  # tensors written whole before any read of them
        self.backward_ran = False
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                self.args[id(a)] = i
                self.inputs.append((i, self.new_slot(a._data)))
            elif isinstance(a, np.ndarray):
                self.inputs.append((i, self.new_slot(a)))

    # ------------------------------------------------------------------ slots
    def new_slot(self, arr: Any, shape: tuple | None = None) -> int:
        s = len(self.shapes)
        if arr is not None:
            self.slot[id(arr)] = s
            self.keep.append(arr)
            self.arrays[s] = arr
            self.shapes[s] = (np.shape(arr), getattr(arr, "dtype", None))
        else:
            self.shapes[s] = shape
        return s

    def array_ref(self, a: np.ndarray, item: bool = False) -> tuple:
        s = self.slot.get(id(a))
        if s is not None:
            return ("I" if item else "S", s)
        base = a.base
        if base is not None and id(base) in self.slot:
            raise CompileError(
                f"an array of shape {a.shape} is a view of a value computed inside the "
                "compiled function but was made outside the engine (e.g. t.data.reshape(...)); "
                "compute it with Tensor operations, or in an @autograd.effect function"
            )
        return ("C", a)

    def tensor_slot(self, t: Tensor) -> int:
        """The slot of a tensor's array; a tensor from outside becomes an external."""
        s = self.slot.get(id(t._data))
        if s is None:
            s = self.new_slot(t._data)
            self.externals.append((t, s))
            self.external_ids.add(id(t))
        return s

    def ref(self, v: Any) -> tuple:
        """How an effect's argument is found again at replay."""
        if isinstance(v, Tensor):
            if id(v) in self.args:
                return ("A", self.args[id(v)])
            if id(v) in self.external_ids or id(v._data) not in self.slot:
                return ("X", v)
            return ("T", self.slot[id(v._data)])
        if isinstance(v, np.ndarray):
            return self.array_ref(v)
        if isinstance(v, list):
            return ("L", [self.ref(x) for x in v])
        if isinstance(v, tuple):
            return ("U", tuple(self.ref(x) for x in v))
        return ("X", v)  # anything else as it is (a dict stays the live dict)

    # ------------------------------------------------------------------ events
    def forward(self, op: type, node: Function | None, inputs: tuple, out: Tensor) -> None:
        if not op.array_rule:
            raise CompileError(
                f"{op.__name__} is a Function of your own; a compiled function can run only "
                "the built-in primitives (compose yours from Tensor operations)"
            )
        refs = []
        for t in inputs:
            if isinstance(t, Tensor):
                refs.append(("S", self.tensor_slot(t)))
            elif isinstance(t, np.generic):
                refs.append(("X", t.item()))
            elif type(t) is np.ndarray:
                refs.append(self.array_ref(t, item=t.ndim == 0))
                if refs[-1][0] == "C" and t.ndim == 0:
                    refs[-1] = ("X", t.item())
            elif isinstance(t, tuple) and any(isinstance(i, np.ndarray) for i in t):
                refs.append(("U", tuple(self.ref(i) for i in t)))  # an index
            else:
                refs.append(("X", t))
        step = {"kind": "forward", "op": op, "in": refs, "out": self.new_slot(out._data)}
        if node is not None:
            step["ctx"] = self.new_slot(None, ("ctx", None))
            step["needs"] = tuple([k is not None for k in node.next_nodes])  # needs_input_grad
            self.ctx[id(node)] = (
                step["ctx"],
                op,
                [self.shapes[r[1]] if r[0] == "S" else None for r in refs],
            )
            self.nodes.append(node)
        self.steps.append(step)

    def begin_backward(self, roots: Any) -> None:
        if len(roots) != 1:
            raise CompileError("a compiled function may run backward from one root at a time")
        self.pending = {}
        self.backward_ran = True

    def backward(self, node: Function, grad_output: Any, grads: tuple, rule_out: tuple) -> None:
        if autograd.is_grad_enabled():  # create_graph: the rule's operations were recorded
            return
        if node.hooks:
            raise CompileError("a compiled function cannot run backward through hooks")
        known = self.ctx.get(id(node))
        if known is None:
            raise CompileError(
                f"backward through {node.name()}, which ran before the compiled function; "
                "compute the whole graph inside it"
            )
        ctx, op, in_shapes = known
        g = self.pending.pop(id(node), None)
        g_ref = ("S", g) if g is not None else self.array_ref(np.asarray(grad_output))
        if g is None and g_ref[0] == "C":
            g_ref = ("C", np.array(grad_output))
        self.node_grad[id(node)] = g_ref[1] if g_ref[0] == "S" else None
        outs, adds = [], []
        for i, (k, gi, raw) in enumerate(zip(node.next_nodes, grads, rule_out)):
            if k is None or gi is None:
                continue
            shape, dtype = in_shapes[i]
            fit = []
            if raw.shape != shape:
                extra = raw.ndim - len(shape)
                if extra > 0 and raw.shape[extra:] == shape:
                    fit.append(("sum", tuple(range(extra))))
                else:
                    axes = tuple(range(extra))
                    axes += tuple(
                        extra + j
                        for j, n in enumerate(shape)
                        if n == 1 and raw.shape[extra + j] != 1
                    )
                    fit.append(("sumkeep", (axes, shape)))
            if np.result_type(raw) != dtype:
                fit.append(("astype", dtype))
            s = self.new_slot(gi)
            outs.append((i, s, fit))
            key = id(k)
            prev = self.pending.get(key)
            if prev is None:
                self.pending[key] = s
            else:
                total = self.new_slot(None, self.shapes[s])
                adds.append({"kind": "add", "a": prev, "b": s, "out": total})
                self.pending[key] = total
            if not isinstance(k, Function):
                self.nodes.append(k)
        step = {"kind": "backward", "op": op, "ctx": ctx, "g": g_ref, "outs": outs}
        step["pure"] = self.pure(node, op)
        self.steps.append(step)
        self.steps += adds

    def pure(self, node: Function, op: type) -> frozenset:
        """The inputs whose gradient the rule computes from `g` and constants alone: all of
        them when forward saved no array (only shapes, axes, counts), and for Mul the input
        whose other factor is a constant (its gradient is g * that factor)."""
        saved = node.saved or ()
        if not _holds_array(saved):
            return frozenset(range(len(node.next_nodes)))
        if op is ops.Mul:
            return frozenset(i for i in (0, 1) if id(saved[1 - i]) not in self.slot)
        return frozenset()

    def effect(self, fn: Callable, args: tuple, kwargs: dict, result: Any) -> None:
        if fn is _ACCUMULATE and not isinstance(args[1], Tensor):
            t = args[0]
            if t.hooks:
                raise CompileError("a compiled function cannot run backward through hooks")
            g = self.total_slot(t)
            g_ref = ("S", g) if g is not None else self.array_ref(args[1])
            step = {"kind": "effect", "fn": fn, "args": [self.ref(t), g_ref, ("X", False)]}
            step["kwargs"], step["result"] = {}, None
            step["grad_of"] = self.new_slot(t._grad._data)
            self.steps.append(step)
            return
        if fn is _GRAD_COPY:  # the total for an input: a slot, found as accumulate_grad's
            t = args[0]
            g = self.total_slot(t)
            refs = [self.ref(t), ("S", g) if g is not None else self.ref(args[1])]
            step = {"kind": "effect", "fn": fn, "args": refs, "kwargs": {}}
            step["result"], step["sig"] = self.result_spec(result)
            self.steps.append(step)
            return
        if fn is _WRITE and isinstance(args[0], Tensor) and id(args[0]) not in self.external_ids:
            self.overwritten.add(id(args[0]))  # (`tg.zeros(3).normal_()`: made by the tape)
        step = {
            "kind": "effect",
            "fn": fn,
            "args": [self.ref(a) for a in args],
            "kwargs": {k: self.ref(v) for k, v in kwargs.items()},
        }
        step["result"], step["sig"] = self.result_spec(result)
        if _plain_step(fn, args, kwargs):  # what it updated: what a replay writes out
            groups = args[0]._param_groups  # (the recorder's own read: not the function's)
            step["descent"] = [[(p, p._grad is not None) for p in g["params"]] for g in groups]
        self.steps.append(step)

    def total_slot(self, t: Tensor) -> int | None:
        """The slot of the gradient the pass gathered for `t` (what its node received, or
        a leaf's total), or None if the recording has none."""
        key = t.grad_fn or t
        g = self.node_grad.get(id(key)) if isinstance(key, Function) else None
        return g if g is not None else self.pending.pop(id(key), None)

    def result_spec(self, r: Any) -> tuple:
        """Slots for the arrays an effect returned, and the rest as a value to check."""
        if isinstance(r, np.ndarray):
            return ("S", self.new_slot(r)), ("array", r.shape, r.dtype)
        if isinstance(r, tuple):
            parts = [self.result_spec(x) for x in r]
            return ("U", [p for p, _ in parts]), tuple(s for _, s in parts)
        if isinstance(r, Tensor):
            raise CompileError(f"an @effect function returned a Tensor: {r!r}")
        return ("V", r), ("value", r)

    def read_hyperparameters(self, optimizer: Any) -> None:
        self.hyperparameters_read = True  # their values may be in the recording now

    def changed(self, tensors: Any) -> None:
        t = tensors if isinstance(tensors, Tensor) else tensors[0]
        raise CompileError(
            f"a tensor of shape {t.shape} is changed by code the recording does not see "
            "(t.data -= x, t.data = array, or a NumPy write announced by increment_version), "
            "so a replay would not change it. Inside a compiled function write it as an "
            "in-place operation, which is recorded: `with tg.no_grad(): w -= lr * w.grad` "
            "(or w.sub_(...), w.mul_(...), w.copy_(new)), or in an @autograd.effect function"
        )

    def read(self, t: Tensor, how: str) -> None:
        if True:  # any value read while tracing would be frozen into the recording
            raise CompileError(
                f"{how}() of a tensor computed inside a compiled function: its value is "
                "known only when traced. Return the tensor and read it after the call "
                "(loss = step(x); print(loss.item())), or call the function uncompiled"
            )


def _holds_array(x: Any) -> bool:
    if isinstance(x, tuple | list):
        return any(map(_holds_array, x))
    return isinstance(x, np.ndarray | Tensor)


# --------------------------------------------------------------------------- the tape
def _fit(plan: list) -> Callable[[Any], Any] | None:
    if not plan:
        return None
    fns = []
    add = np.add.reduce  # what ndarray.sum calls, without its Python wrapper: the same bits
    for kind, arg in plan:
        if kind == "sum":
            fns.append(lambda v, a=arg: add(v, a))
        elif kind == "sumkeep":
            axes, shape = arg
            if axes:
                fns.append(lambda v, a=axes, s=shape: add(v, a, keepdims=True).reshape(s))
            else:
                fns.append(lambda v, s=shape: v.reshape(s))
        else:
            fns.append(lambda v, d=arg: v.astype(d))
    if len(fns) == 1:
        return fns[0]
    return lambda v: fns[1](fns[0](v))


def _forward_step(step: dict) -> Callable:
    op, out = step["op"], step["out"]
    fwd = op.forward
    new = object.__new__
    template = [None] * len(step["in"])
    slots, items, others = [], [], []
    for pos, r in enumerate(step["in"]):
        if r[0] == "S":
            slots.append((pos, r[1]))
        elif r[0] == "I":
            items.append((pos, r[1]))
        elif r[0] in "XC":
            template[pos] = r[1]
        else:
            others.append((pos, _resolver(r)))
    ctx_slot, needs = step.get("ctx"), step.get("needs")
    if not items and not others and len(slots) == len(template) == 2:
        return _forward_slots(op, [s for _, s in slots], out, ctx_slot, needs)
    if not items and not others and [p for p, _ in slots] == [0]:  # x (and constants)
        return _forward_first(op, slots[0][1], template[1:], out, ctx_slot, needs)

    def run(S: list, A: tuple) -> None:
        a = template.copy()
        for p, s in slots:
            a[p] = S[s]
        for p, s in items:
            a[p] = S[s].item()
        for p, f in others:
            a[p] = f(S, A)
        ctx = new(op)
        ctx.saved = ctx.saved_tensors = ()
        _finish(S, ctx, fwd(ctx, *a), out, ctx_slot, needs)

    return run


def _finish(S: list, ctx: Any, r: Any, out: int, ctx_slot: int | None, needs: Any) -> None:
    """Store a replayed forward's result and, if a backward step reads it, its context with
    the rule's flags."""
    S[out] = r if type(r) is np.ndarray else _array_result(ctx, r)
    if ctx_slot is not None:
        ctx.needs_input_grad = needs
        S[ctx_slot] = ctx


def _array_result(ctx: Any, r: Any) -> np.ndarray:
    """A NumPy scalar result made an array, as `Function.apply` does, also among what the
    context saved."""
    raw, r = r, np.asarray(r)
    ctx.save_for_backward(*(r if x is raw else x for x in ctx.saved))
    return r


def _forward_slots(op: type, ins: list, out: int, ctx_slot: int | None, needs: Any) -> Callable:
    """A forward step of two slots (most binary operators): no argument list to fill, and
    `_finish` written out (a call less per step)."""
    fwd, new, keep = op.forward, object.__new__, ctx_slot is not None
    a, b = ins

    def run(S: list, A: tuple) -> None:
        ctx = new(op)
        ctx.saved = ctx.saved_tensors = ()
        r = fwd(ctx, S[a], S[b])
        S[out] = r if type(r) is np.ndarray else _array_result(ctx, r)
        if keep:
            ctx.needs_input_grad = needs
            S[ctx_slot] = ctx

    return run


def _forward_first(
    op: type, x: int, consts: list, out: int, ctx_slot: int | None, needs: Any
) -> Callable:
    """A forward step of one slot, then any constants (an axis, an exponent, a number)."""
    fwd, new, keep = op.forward, object.__new__, ctx_slot is not None

    def run(S: list, A: tuple) -> None:
        ctx = new(op)
        ctx.saved = ctx.saved_tensors = ()
        r = fwd(ctx, S[x], *consts)
        S[out] = r if type(r) is np.ndarray else _array_result(ctx, r)
        if keep:
            ctx.needs_input_grad = needs
            S[ctx_slot] = ctx

    return run


def _backward_step(step: dict) -> Callable:
    rule, ctx_slot = step["op"].backward, step["ctx"]
    direct, g = step["g"][0] == "S", step["g"][1]  # the gradient: a slot (or a constant)
    get_g = _resolver(step["g"])
    outs = [(i, s, _fit(plan)) for i, s, plan in step["outs"]]

    def run(S: list, A: tuple) -> None:
        r = rule(S[ctx_slot], S[g] if direct else get_g(S, A))
        if type(r) is not tuple:
            r = (r,)
        for i, s, fit in outs:
            S[s] = r[i] if fit is None else fit(r[i])

    return run


def _effect_step(step: dict, tape: Tape, index: int) -> Callable:
    """An effect called again as a closure (the written replay calls most effects by name,
    `Tape._call_effect`; this runs the rest, e.g. one given a dict)."""
    fn = step["fn"]
    template = [r[1] if r[0] in "XC" else None for r in step["args"]]  # objects as they are
    slots = [(i, r[1]) for i, r in enumerate(step["args"]) if r[0] == "S"]
    others = [(i, _resolver(r)) for i, r in enumerate(step["args"]) if r[0] not in "XCS"]
    kwargs = {k: _resolver(r) for k, r in step["kwargs"].items()}
    grad_of = step.get("grad_of")
    result, sig = step["result"], step.get("sig")
    speculative = index <= tape.last_check
    tensors = [i for i, r in enumerate(step["args"]) if r[0] in "XA"]

    def assign(S: list, spec: tuple, value: Any) -> None:
        if spec[0] == "S":
            S[spec[1]] = value
        elif spec[0] == "U":
            for sp, v in zip(spec[1], value):
                assign(S, sp, v)

    def run(S: list, A: tuple) -> None:
        a = template.copy()
        for i, sl in slots:
            a[i] = S[sl]
        for i, f in others:
            a[i] = f(S, A)
        if speculative:
            for i in tensors:
                if isinstance(a[i], Tensor):
                    tape.undo.append((a[i], a[i]._data, a[i]._data.copy(), a[i]._grad))
        r = fn(*a, **{k: f(S, A) for k, f in kwargs.items()}) if kwargs else fn(*a)
        if grad_of is not None:
            S[grad_of] = a[0]._grad._data
        elif result[0] != "V" or r is not None or sig != ("value", None):
            if _signature(r) != sig:
                raise _Diverged(step)
            assign(S, result, r)

    return run


def _decides(fn: Callable, sig: Any) -> bool:
    """Does an effect's result decide the Python path (so a replay must check it)? None
    does not; a number, a flag or a tuple's length do, and so does the shape of an array
    from a function of your own (the package's own give the shape their arguments say)."""
    if sig is None or sig == ("value", None):
        return False
    if sig and sig[0] == "array":
        return not getattr(fn, "__module__", "").startswith("tinygrad_mlp.")
    return True


def _signature(r: Any) -> Any:
    if isinstance(r, np.ndarray):
        return ("array", r.shape, r.dtype)
    if isinstance(r, tuple):
        return tuple(_signature(x) for x in r)
    return ("value", r)


# Primitives whose forward makes a new array from its inputs (no view, no input returned),
# and whose backward makes new arrays from g (never returns g itself).
_FRESH_FORWARD = {
    ops.Add, ops.Sub, ops.Mul, ops.Div, ops.Relu, ops.Sigmoid, ops.Tanh, ops.Exp, ops.Log,
    ops.MatMulT, ops.MatMul, ops.Maximum, ops.Minimum, ops.Sqrt, ops.Neg, ops.Abs,
}  # fmt: skip
_FRESH_BACKWARD = {
    ops.Mul, ops.Div, ops.Relu, ops.Sigmoid, ops.Tanh, ops.Exp, ops.Log, ops.MatMulT,
    ops.MatMul, ops.Sqrt, ops.Neg, ops.Abs,
}  # fmt: skip


def _outs_in(step: dict, reuse: set) -> bool:
    return any(sl in reuse for _, sl, _ in step["outs"])


def _matmul_t_forward(step: dict, reuse: dict) -> Callable:
    """MatMulT.forward (a @ b^T, saving a and b) into a buffer kept between replays:
    `np.matmul(..., out=)` is the same BLAS call as `@`, so the same bits."""
    (_, a), (_, b) = step["in"]
    out, ctx_slot, needs = step["out"], step.get("ctx"), step.get("needs")
    new, buf = object.__new__, reuse[out]

    def run(S: list, A: tuple) -> None:
        x, w = S[a], S[b]
        if buf[0] is None:
            buf[0] = x @ w.T
        else:
            np.matmul(x, w.T, out=buf[0])
        S[out] = buf[0]
        if ctx_slot is not None:
            ctx = new(ops.MatMulT)
            ctx.saved = ctx.saved_tensors = (x, w)
            ctx.needs_input_grad = needs
            S[ctx_slot] = ctx

    return run


def _matmul_t_backward(step: dict, reuse: set) -> Callable:
    """MatMulT.backward (da = g @ b, db = g^T @ a), the reused results into buffers."""
    ctx_slot, get_g = step["ctx"], _resolver(step["g"])
    outs = {i: sl for i, sl, _ in step["outs"]}
    bufs = {i: reuse[sl] for i, sl in outs.items() if sl in reuse}

    def product(i: int, x: Any, y: Any) -> Any:
        cell = bufs.get(i)
        if cell is None:
            return x @ y
        if cell[0] is None:
            cell[0] = x @ y
        else:
            np.matmul(x, y, out=cell[0])
        return cell[0]

    def run(S: list, A: tuple) -> None:
        a, b = S[ctx_slot].saved
        g = get_g(S, A)
        if 0 in outs:
            S[outs[0]] = product(0, g, b)
        if 1 in outs:
            S[outs[1]] = product(1, g.T, a)

    return run


# Elementwise primitives replayed into reused buffers: the ufunc each forward is, and what
# it saves ("ab": both inputs, "a": the input, "": nothing), as in ops.py.
_UFUNC_FORWARD = {
    ops.Add: (np.add, ""),
    ops.Sub: (np.subtract, ""),
    ops.Mul: (np.multiply, "ab"),
    ops.Relu: (np.maximum, "a"),
}
_UFUNC_BACKWARD = {ops.Mul, ops.Relu}


def _ufunc_forward(step: dict, reuse: dict) -> Callable:
    """Add/Sub/Mul/Relu.forward with `out=` a buffer kept between replays (the same ufunc
    on the same operands: the same bits)."""
    ufunc, saves = _UFUNC_FORWARD[step["op"]]
    op, out, ctx_slot, needs = step["op"], step["out"], step.get("ctx"), step.get("needs")
    relu, first, last = op is ops.Relu, step["in"][0][1], step["in"][-1][1]
    new, buf, keep = object.__new__, reuse.get(out), ctx_slot is not None

    def run(S: list, A: tuple) -> None:
        x = S[first]
        y = 0 if relu else S[last]
        if buf is None:  # a small result: a new array each time
            r = ufunc(x, y)
            S[out] = r if type(r) is np.ndarray else np.asarray(r)  # as `apply` makes it
        elif buf[0] is None:
            S[out] = buf[0] = ufunc(x, y)
        else:
            S[out] = ufunc(x, y, out=buf[0])
        if keep:
            ctx = new(op)
            ctx.saved = ctx.saved_tensors = (x, y) if saves == "ab" else (x,) if saves else ()
            ctx.needs_input_grad = needs
            S[ctx_slot] = ctx

    return run


def _ufunc_backward(step: dict, reuse: set) -> Callable:
    """Mul.backward (g * b, g * a) and Relu.backward (g * (x > 0)) into reused buffers."""
    op, ctx_slot, get_g = step["op"], step["ctx"], _resolver(step["g"])
    direct, g_slot, relu = step["g"][0] == "S", step["g"][1], op is ops.Relu
    outs = [(i, sl, _fit(plan)) for i, sl, plan in step["outs"]]
    bufs = {i: reuse[sl] for i, sl, _ in outs if sl in reuse}

    def run(S: list, A: tuple) -> None:
        saved = S[ctx_slot].saved
        g = S[g_slot] if direct else get_g(S, A)
        for i, sl, fit in outs:
            other = (saved[0] > 0) if relu else saved[1 - i]
            cell = bufs.get(i)
            if cell is not None:
                if cell[0] is None:
                    cell[0] = g * other
                else:
                    np.multiply(g, other, out=cell[0])
                S[sl] = cell[0]
            else:
                r = g * other
                S[sl] = r if fit is None else fit(r)

    return run


def _add_step(step: dict) -> Callable:
    a, b, out = step["a"], step["b"], step["out"]

    def run(S: list, A: tuple) -> None:
        S[out] = S[a] + S[b]

    return run


class Tape:
    """A recorded call over a list of slots: `lines` (its text, one step per line, as
    `print(tape)` shows), `code` (the Python source of `replay`, the function written from
    it that a replay runs), `guard` (the source of the test run before it: is the state
    the Python path depends on still as traced?), `steps` (the recording) and
    `timed(spent)` for a profile."""

    def __init__(self, rec: _Recorder, outputs: tuple) -> None:
        self.externals = rec.externals
        self.overwritten = rec.overwritten
        self.inputs = rec.inputs
        self.n_slots = len(rec.shapes)
        self.outputs = outputs
        self.undo: list = []
        self.guard = ""  # set by Compiled._trace
        steps = rec.steps
        checks = [
            i
            for i, s in enumerate(steps)
            if s["kind"] == "effect" and _decides(s["fn"], s.get("sig"))
        ]
        self.last_check = max(checks, default=-1)
        self.branch = tuple(steps[i]["sig"] for i in checks)  # the path the values chose
        self.draws = any(s["kind"] == "effect" for s in steps[: self.last_check + 1])
        self.lines = [self._line(s, rec.shapes) for s in steps]
        self.kinds = [  # what each step is, for a per-phase profile (benchmarks/)
            f"{s['op'].__name__}.{s['kind']}"
            if "op" in s
            else f"effect {s['fn'].__name__}"
            if s["kind"] == "effect"
            else "gradient sum"
            for s in steps
        ]
        self.fingerprint = [(line, self._constants(s)) for line, s in zip(self.lines, steps)]
        self.consts, folded = self._fold(steps, rec.arrays)
        reuse = self._reusable(steps, rec.shapes, self.consts)
        self.fresh = self._fresh(steps, rec.shapes, reuse, self.consts)
        self.reused = len(reuse)  # slots written into kept buffers
        self.buffers = len({id(c) for c in reuse.values()})  # the buffers they share
        order = {cid: k for k, cid in enumerate(dict.fromkeys(map(id, reuse.values())))}
        number = {sl: order[id(c)] for sl, c in reuse.items()}
        for i, st in enumerate(steps):
            written = [st["out"]] if st["kind"] == "forward" else []
            written += [sl for _, sl, _ in st.get("outs", ())]
            kept = [f"s{sl} in buffer {number[sl]}" for sl in written if sl in number]
            if kept:
                self.lines[i] += f"   ({', '.join(kept)}, kept between replays)"
        for i in folded:
            self.lines[i] += "   (folded: the same constant at every replay)"
        for i, st in enumerate(steps):
            if "descent" in st and i > self.last_check:
                self.lines[i] += "   (written out: p.data -= lr * p.grad.data)"
        runs: list[Callable | None] = []
        for i, s in enumerate(steps):
            kind = s["kind"]
            if i in folded:
                runs.append(None)
            elif kind == "forward" and s["op"] is ops.MatMulT and s["out"] in reuse:
                runs.append(_matmul_t_forward(s, reuse))
            elif kind == "backward" and s["op"] is ops.MatMulT and _outs_in(s, reuse):
                runs.append(_matmul_t_backward(s, reuse))
            elif (
                kind == "forward"
                and s["op"] in _UFUNC_FORWARD
                and all(r[0] == "S" for r in s["in"])
            ):
                runs.append(_ufunc_forward(s, reuse))
            elif kind == "backward" and s["op"] in _UFUNC_BACKWARD:
                runs.append(_ufunc_backward(s, reuse))
            elif kind == "forward":
                runs.append(_forward_step(s))
            elif kind == "backward":
                runs.append(_backward_step(s))
            elif kind == "add":
                runs.append(_add_step(s))
            else:
                runs.append(_effect_step(s, self, i))
        self.steps = steps  # the recorded steps, as the recorder wrote them
        self.dropped = self._frees(steps, rec.shapes)  # after each step, the slots let go
        self._parts = (steps, runs, reuse, rec.shapes)  # what `timed` writes again
        self.replay, self.code = self._write(steps, runs, reuse, rec.shapes)

    def timed(self, spent: dict[str, float]) -> Callable:
        """The replay written with a clock around every step: each step's seconds are added
        to `spent[kind]` (`Add.backward`, `effect step`), for a profile by phase."""
        return self._write(*self._parts, spent)[0]

    def _write(
        self, steps: list, runs: list, reuse: dict, shapes: dict, spent: dict | None = None
    ) -> tuple[Callable, str]:
        """The replay as one Python function (see `inline`): each primitive's body pasted
        where it can be, its closure called where not, the slots dropped as planned."""
        w = inline.Writer(shapes, pure=ops.SHAPE_HELPERS)
        clock = w.bind(time.perf_counter, "_clock", "_clock") if spent is not None else ""
        total = w.bind(spent, "_spent", "_spent") if spent is not None else ""
        forward_of = {s["ctx"]: s for s in steps if s["kind"] == "forward" and "ctx" in s}
        closures: list[dict] = []  # the steps a closure runs: it reads and writes S itself
        pasted: dict[int, tuple] = {}  # step -> (lines, result, temps)
        saved: dict[int, list[str]] = {}  # ctx slot -> the locals its forward saved into
        for i, s in enumerate(steps):  # forward steps first: their backward reads their locals
            if s["kind"] == "forward" and runs[i] is not None and s["out"] not in reuse:
                p = self._paste_forward(w, i, s)
                if p is not None:
                    pasted[i] = p
                    if "ctx" in s:
                        n = inline.body_of(s["op"].forward).saves
                        saved[s["ctx"]] = [f"_c{s['ctx']}_{j}" for j in range(n)]
        contexts = set()  # ctx slots a closure reads: a pasted forward makes the object
        for i, s in enumerate(steps):
            if s["kind"] == "backward" and runs[i] is not None:
                p = None
                if not any(sl in reuse for _, sl, _ in s["outs"]):
                    p = self._paste_backward(w, i, s, forward_of[s["ctx"]], saved)
                if p is None:
                    contexts.add(s["ctx"])
                else:
                    pasted[i] = p
        read = {  # the saved locals a pasted backward reads
            name
            for i, p in pasted.items()
            if steps[i]["kind"] == "backward"
            for line in (*p[0], *p[1])
            for name in _SAVED_LOCAL.findall(line)
        }
        for c in saved:  # what no backward reads (Mul's factor for a gradient not needed)
            if c not in contexts:
                saved[c] = [n for n in saved[c] if n in read]
        for i, p in pasted.items():
            s = steps[i]
            if s["kind"] == "forward" and s.get("ctx") in saved:
                keep, lines = set(saved[s["ctx"]]), p[0]
                lines = [ln for ln in lines if not _unread_save(ln, keep, s["ctx"])]
                pasted[i] = (lines, *p[1:])
        for i, (s, run, frees) in enumerate(zip(steps, runs, self.dropped)):
            if run is not None:
                w.comment(self.lines[i].split("   (")[0])
            if spent is not None and (run is not None or frees):
                w.line(f"_t = {clock}()")
            if i in pasted:
                lines, result, temps = pasted[i]
                for line in lines:
                    w.line(line)
                if s["kind"] == "forward":
                    self._store_forward(w, s, result, saved.get(s.get("ctx")), shapes)
                    if s.get("ctx") in contexts:
                        names = ", ".join(w.known_code(n) for n in saved[s["ctx"]])
                        op = w.bind(s["op"], "Op", s["op"].__name__)
                        ctx = w.bind(_context, "_context", "_context")
                        made = f"{ctx}({op}, ({names}{',' if names else ''}), {s['needs']})"
                        w.line(f"S[{s['ctx']}] = {made}")
                else:
                    for line in result:
                        w.line(line)
                if temps:
                    w.line(f"del {', '.join(temps)}")
            elif s["kind"] == "add" and run is not None:
                w.line(f"S[{s['out']}] = S[{s['a']}] + S[{s['b']}]")
            elif s["kind"] == "effect" and run is not None and self._call_effect(w, i, s):
                pass
            elif run is not None:
                w.call(f"R{i}", run)
                closures.append(s)
            for f in frees:
                w.line(f"S[{f}] = None")
                held = [n for n in saved.get(f, ()) if n not in w.known]
                if held:
                    w.line(f"del {', '.join(held)}")
            if spent is not None and (run is not None or frees):
                k = self.kinds[i]
                w.line(f"{total}[{k!r}] = {total}.get({k!r}, 0.0) + {clock}() - _t")
        self._localize(w, {sl for s in closures for sl in _step_slots(s)})
        return w.build("tape")

    def _localize(self, w: inline.Writer, keep: set[int]) -> None:
        """Slots become the function's locals (`s7`, as the tape names them: a local is
        cheaper than an item of S), except those a closure reads or writes. What `run` put in
        S is loaded first; the outputs are put back in S at the end."""
        slot = re.compile(r"\bS\[(\d+)\]")
        local = {int(n) for line in w.lines for n in slot.findall(line)} - keep
        w.lines = [slot.sub(lambda m: _local_name(m, local), ln) for ln in w.lines]
        loads = [f"s{sl} = S[{sl}]" for _, sl in self.inputs if sl in local]
        loads += [  # what run() would put in S: read here instead
            f"s{sl} = {w.bind(t, 'K')}._data" for t, sl in self.externals if sl in local
        ]
        loads += [f"s{sl} = {w.bind(v, 'K')}" for sl, v in self.consts.items() if sl in local]
        self.fill = (  # what run() still puts in S: what a closure reads
            [(t, sl) for t, sl in self.externals if sl not in local],
            [(sl, v) for sl, v in self.consts.items() if sl not in local],
        )
        stores = [f"S[{sl}] = s{sl}" for sl in dict.fromkeys(_out_slots(self.outputs))]
        w.lines = loads + w.lines + [ln for ln in stores if int(ln[2:].split("]")[0]) in local]

    def _call_effect(self, w: inline.Writer, i: int, s: dict) -> bool:
        """Write an effect's call in the replay (what `_effect_step`'s closure does), or
        return False to leave it to the closure (an argument that is a dict)."""
        fn, refs = s["fn"], s["args"]
        speculative = i <= self.last_check
        code = [_ref_code(w, r) for r in refs]
        if any(c is None for c in code):
            return False
        for r, c in zip(refs, code) if speculative else ():
            # the tensors it is given are saved first, to undo a replay that diverges
            saved = f"({c}, {c}._data, {c}._data.copy(), {c}._grad)"
            undo = f"{w.bind(self.undo, '_undo', '_undo')}.append({saved})"
            if r[0] == "X" and isinstance(r[1], Tensor):
                w.line(undo)
            elif r[0] == "A":
                w.line(f"if isinstance({c}, {w.bind(Tensor, '_Tensor', '_Tensor')}):")
                w.line(f"    {undo}")
        f = w.bind(fn, "E", fn.__name__)
        if fn is _ACCUMULATE and [r[0] for r in refs[:2]] == ["X", "S"] and not speculative:
            t, g = code[0], code[1]
            if refs[1][1] in self.fresh:  # this replay's own new array: .grad as it is
                w.line(f"_g = {g}")
                w.line(f"if {t}._grad is None and type(_g) is _ndarray:")
                w.line(f"    {t}._grad = {w.bind(Tensor.wrap, '_wrap', '_wrap')}(_g)")
                w.line("else:")
                w.line(f"    {f}({t}, _g, False)")
                w.line("del _g")
            else:
                w.line(f"{f}({t}, {g}, False)")
            w.line(f"S[{s['grad_of']}] = {t}._grad._data")
            return True
        kwargs = {k: _ref_code(w, r) for k, r in s["kwargs"].items()}
        if any(c is None for c in kwargs.values()):
            return False
        if "descent" in s and not speculative:
            self._write_descent(w, s, f"{f}({code[0]})")
            return True
        call = f"{f}({', '.join([*code, *(f'{k}={c}' for k, c in kwargs.items())])})"
        result, sig = s["result"], s.get("sig")
        if s.get("grad_of") is not None:
            w.line(call)
            w.line(f"S[{s['grad_of']}] = {code[0]}._grad._data")
        elif result[0] == "V" and sig == ("value", None):
            w.line(call)  # None, as traced: a replay that gets a value sees it next time
        elif result[0] in "SV" or result[0] == "U" and all(r[0] == "S" for r in result[1]):
            w.line(f"_r = {call}")
            diverged = w.bind(_Diverged, "_Diverged", "_Diverged")
            if sig and sig[0] == "array":  # `_signature(_r) != sig`, written out
                shape, dtype = sig[1], w.bind(sig[2], "K")
                test = f"not isinstance(_r, _ndarray) or _r.shape != {shape!r}"
                w.line(f"if {test} or _r.dtype != {dtype}:")
            else:
                signature = w.bind(_signature, "_signature", "_signature")
                w.line(f"if {signature}(_r) != {w.bind(sig, 'K')}:")
            w.line(f"    raise {diverged}({w.bind(s, 'K')})")
            if result[0] == "S":
                w.line(f"S[{result[1]}] = _r")
            elif result[0] == "U" and result[1]:
                w.line(f"{', '.join(f'S[{r[1]}]' for r in result[1])}, = _r")
            w.line("del _r")
        else:
            return False
        return True

    @staticmethod
    def _write_descent(w: inline.Writer, s: dict, call: str) -> None:
        """SGD's plain step written out (`SGD._plain_descent`): `p.data -= lr * p.grad.data`
        for each parameter that had a gradient when traced, lr read from its group as
        step() reads it. Where a gradient is missing, not a Tensor, or of another shape or
        dtype than traced (or one appeared), step() itself is called: it checks (and casts)."""
        opt, tensor = s["args"][0][1], w.bind(Tensor, "_Tensor", "_Tensor")
        # still plain descent? (momentum, weight decay and maximize are read live too; the
        # rest of `_plain_descent`, the class's methods, cannot change)
        tests, updates, names, updated = [], [], [], []
        for gi, group in enumerate(s["descent"]):
            groups = f"{w.bind(opt, 'K')}._param_groups"
            g = f"{groups}[{gi}]"
            tests.append(
                f"{g}['momentum'] == 0 and {g}['weight_decay'] == 0 and not {g}['maximize']"
            )
            if any(had for _, had in group):
                updates.append(f"    _lr = {groups}[{gi}]['lr']")
            for p, had in group:
                k = w.bind(p, "K")
                if not had:
                    tests.append(f"{k}._grad is None")
                    continue
                g = f"_g{len(names)}"
                names.append(g)
                d = p._data
                tests.append(
                    f"type({g}) is {tensor} and {g}._data.shape == {d.shape!r} "
                    f"and {g}._data.dtype is {w.bind(d.dtype, 'K')}"
                )
                updates += [f"    _d = {k}._data", f"    _d -= _lr * {g}._data"]
                updated.append(p)
        for g, p in zip(names, updated):
            w.line(f"{g} = {w.bind(p, 'K')}._grad")
        w.line("if (")
        for k, test in enumerate(tests or ["True"]):
            w.line(f"    {'and ' if k else ''}{test}")
        w.line("):")
        for line in updates:
            w.line(line)
        if updated:
            count = w.bind(_INCREMENT, "_increment_version", "_increment_version")
            w.line(f"    {count}({w.bind(updated, 'K')})")
        w.line("else:")
        w.line(f"    {call}")
        if names:
            w.line(f"del {', '.join(names)}")

    @staticmethod
    def _paste_forward(w: inline.Writer, i: int, s: dict) -> tuple | None:
        body = inline.body_of(s["op"].forward)
        if body is None:
            return None
        args = []
        for kind, v in s["in"]:
            if kind == "S":
                args.append(_slot(v))
            elif kind == "I":
                args.append(ast.parse(f"S[{v}].item()", mode="eval").body)
            elif kind in "XC":
                args.append(w.constant(v))
            else:
                return None  # an index of slots, an argument: the closure resolves it
        saved_out = f"_c{s['ctx']}" if "ctx" in s else None
        return w.paste(s["op"], body, str(i), args, None, None, saved_out)

    @staticmethod
    def _paste_backward(
        w: inline.Writer, i: int, s: dict, forward: dict, saved: dict
    ) -> tuple | None:
        body = inline.body_of(s["op"].backward)
        if body is None:
            return None
        kind, g = s["g"]
        args = [_slot(g) if kind == "S" else w.constant(g)]
        ctx = s["ctx"]
        saved_in = saved.get(ctx) or ast.parse(f"S[{ctx}].saved_tensors", mode="eval").body
        if ctx in saved and not saved[ctx]:
            saved_in = []
        p = w.paste(s["op"], body, str(i), args, forward["needs"], saved_in, None)
        if p is None:
            return None
        lines, result, temps = p
        stores = []
        for k, sl, plan in s["outs"]:
            if isinstance(result, list):
                if k >= len(result):
                    return None
                value = result[k]
            elif k == 0:
                value = result
            else:
                return None
            stores.append(f"S[{sl}] = {_fit_code(w, ast.unparse(value), plan)}")
        return lines, stores, temps

    @staticmethod
    def _store_forward(
        w: inline.Writer, s: dict, result: Any, saved: list | None, shapes: dict
    ) -> None:
        out = s["out"]
        if shapes[out][0] != ():
            w.line(f"S[{out}] = {ast.unparse(result)}")
            return
        # a ufunc on 0-d arrays gives a NumPy scalar: made an array, as Function.apply does,
        # also where forward saved it
        w.line(f"_r = {ast.unparse(result)}")
        w.line("if type(_r) is not _ndarray:")
        w.line("    _r0, _r = _r, _asarray(_r)")
        for name in saved or ():
            if name not in w.known:
                w.line(f"    {name} = _r if {name} is _r0 else {name}")
        w.line(f"S[{out}] = _r")

    def _fold(self, steps: list, arrays: dict) -> tuple[dict[int, Any], set[int]]:
        """Constant folding: the backward steps whose gradient `g` is a constant (the root's
        ones, or a folded result) and whose rule reads nothing else that changes (`pure`),
        and the gradient sums of two such results, give the same arrays at every replay: the
        traced ones. Not folded: what an output or an effect other than accumulate_grad
        (which copies) gets, since the caller could change it in place."""
        exposed = set(_out_slots(self.outputs))
        for s in steps:
            if s["kind"] == "forward" or (s["kind"] == "effect" and s["fn"] is not _ACCUMULATE):
                exposed |= set(self._step_reads(s))
        consts: dict[int, Any] = {}
        folded = set()
        for i, s in enumerate(steps):
            if s["kind"] == "backward":
                kind, g = s["g"]
                outs = [sl for _, sl, _ in s["outs"]]
                if (
                    (kind == "C" or (kind == "S" and g in consts))
                    and all(j in s["pure"] for j, _, _ in s["outs"])
                    and not exposed.intersection(outs)
                ):
                    consts.update((sl, arrays[sl]) for sl in outs)
                    folded.add(i)
            elif s["kind"] == "add" and s["a"] in consts and s["b"] in consts:
                if s["out"] not in exposed:
                    consts[s["out"]] = consts[s["a"]] + consts[s["b"]]  # as _add_step adds
                    folded.add(i)
        return consts, folded

    def _fresh(self, steps: list, shapes: dict, reuse: dict, consts: dict) -> set[int]:
        """Gradient slots that hold a new array at every replay, not shared with another
        slot, read by one step only (an accumulate_grad may keep them as .grad uncopied)."""
        made = set()
        for s in steps:
            if s["kind"] == "add":
                made.add(s["out"])
            elif s["kind"] == "backward":
                for _, sl, plan in s["outs"]:
                    if plan:
                        kind, arg = plan[-1]
                        new = kind in ("sum", "astype") or (kind == "sumkeep" and arg[0])
                    else:
                        new = s["op"] in _FRESH_BACKWARD
                    if new:
                        made.add(sl)
        readers: dict[int, int] = {}
        for s in steps:
            for r in set(self._step_reads(s)):
                readers[r] = readers.get(r, 0) + 1
        dtype_ok = {
            s["args"][1][1]
            for s in steps
            if s["kind"] == "effect"
            and s["fn"] is _ACCUMULATE
            and s["args"][0][0] == "X"
            and s["args"][1][0] == "S"
            and shapes[s["args"][1][1]][1] == s["args"][0][1]._data.dtype
        }
        made &= dtype_ok
        made -= set(reuse) | set(consts) | set(_out_slots(self.outputs))
        return {sl for sl in made if readers.get(sl) == 1}

    def _reusable(self, steps: list, shapes: dict, consts: dict) -> dict[int, list]:
        """Big matmul results that may be written into the same buffer at every replay: each
        is read only by steps that make new arrays from it (never a view, never passing it
        on as it is), and it is not returned. Within one replay each slot has its own
        buffer; a buffer outlives its replay only inside the tape."""
        made = set()
        for s in steps:
            op = s.get("op")
            if s["kind"] == "forward" and (
                op is ops.MatMulT or (op in _UFUNC_FORWARD and all(r[0] == "S" for r in s["in"]))
            ):
                made.add(s["out"])
            elif s["kind"] == "backward" and (op is ops.MatMulT or op in _UFUNC_BACKWARD):
                made |= {sl for _, sl, plan in s["outs"] if not plan}
        made = {sl for sl in made if int(np.prod(shapes[sl][0])) >= _BIG and sl not in consts}
        made -= set(_out_slots(self.outputs))
        for s in steps:
            kind = s["kind"]
            reads = set(self._step_reads(s)) & made
            if not reads:
                continue
            if kind == "add" or (kind == "forward" and s["op"] in _FRESH_FORWARD):
                continue
            if kind == "backward" and s["op"] in _FRESH_BACKWARD:
                continue
            # (a gradient accumulate_grad reads is left out too: as a new array of its own it
            # becomes .grad as it is, where from a buffer it would be copied into a new one)
            made -= reads
        return self._share(steps, shapes, made)

    def _share(self, steps: list, shapes: dict, slots: set[int]) -> dict[int, list]:
        """Give the reusable slots buffers (one-element lists, filled at the first replay),
        shared by slots of one shape and dtype whose lives do not overlap. A slot lives from
        the step that makes it to the last step that reads it, or reads the context of a
        forward step that used it (the context may have saved it)."""
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        ctx_users: dict[int, list[int]] = {}
        for i, s in enumerate(steps):
            for r in self._step_reads(s):
                last[r] = i
            if s["kind"] == "forward":
                first[s["out"]] = i
                if "ctx" in s:
                    used = [x for r in s["in"] for x in _reads(r)] + [s["out"]]
                    ctx_users[s["ctx"]] = used
            elif s["kind"] == "backward":
                for _, sl, _ in s["outs"]:
                    first[sl] = i
        for c, used in ctx_users.items():
            for sl in used:
                last[sl] = max(last.get(sl, -1), last.get(c, -1))
        free: dict[tuple, list[tuple[int, list]]] = {}  # (shape, dtype) -> [(busy until, cell)]
        out: dict[int, list] = {}
        for sl in sorted(slots, key=lambda x: first[x]):
            kind = shapes[sl]
            pool = free.setdefault(kind, [])
            start, end = first[sl], last.get(sl, first[sl])
            for k, (until, cell) in enumerate(pool):
                if until < start:
                    pool[k] = (end, cell)
                    break
            else:
                cell = [None]
                pool.append((end, cell))
            out[sl] = cell
        return out

    def _frees(self, steps: list, shapes: dict) -> list[tuple[int, ...]]:
        """After each step, the slots no later step reads (liveness): dropped at once, if
        big enough for the memory to matter. A context counts as big when its forward read
        or made a big array (what it saved is no bigger than those: inputs, the output, or
        masks and indices of their shapes)."""

        def small(sl: int) -> bool:
            shape = shapes[sl][0]
            return shape is not None and int(np.prod(shape)) < _BIG

        last: dict[int, int] = {}
        big_ctx = set()
        for i, s in enumerate(steps):
            for r in self._step_reads(s):
                last[r] = i
            if s["kind"] == "forward" and "ctx" in s:
                arrays = [x for r in s["in"] for x in _reads(r)] + [s["out"]]
                if not all(map(small, arrays)):
                    big_ctx.add(s["ctx"])

        def big(sl: int) -> bool:
            return sl in big_ctx if shapes[sl][0] == "ctx" else not small(sl)

        keep = {sl for sl in _out_slots(self.outputs)}
        keep |= {s for _, s in self.externals} | {s for _, s in self.inputs}
        frees: list[list[int]] = [[] for _ in steps]
        for sl, i in last.items():
            if sl not in keep and big(sl):
                frees[i].append(sl)
        return [tuple(f) for f in frees]

    @staticmethod
    def _step_reads(s: dict) -> list[int]:
        kind = s["kind"]
        if kind == "forward":
            return [x for r in s["in"] for x in _reads(r)]
        if kind == "backward":
            return [s["ctx"], *_reads(s["g"])]
        if kind == "add":
            return [s["a"], s["b"]]
        reads = [x for r in s["args"] for x in _reads(r)]
        return reads + [x for r in s["kwargs"].values() for x in _reads(r)]

    @staticmethod
    def _constants(s: dict) -> list:
        refs = s.get("in") or s.get("args") or []
        out: list = []

        def walk(r: tuple) -> None:
            if r[0] == "C":
                out.append(r[1])
            elif r[0] == "X" and isinstance(r[1], _SCALARS):
                out.append(r[1])
            elif r[0] in "LU":
                for x in r[1]:
                    walk(x)

        for r in refs:
            walk(r)
        if s["kind"] == "backward":
            walk(s["g"])
        return out

    @staticmethod
    def _line(s: dict, shapes: dict) -> str:
        def slot(i: int) -> str:
            shape, dtype = shapes[i]
            return f"s{i}{list(shape)} {dtype}" if shape is not None else f"s{i}"

        kind = s["kind"]
        if kind == "forward":
            ins = ", ".join(_show(r, shapes) for r in s["in"])
            return f"{slot(s['out'])} = {s['op'].__name__}.forward({ins})"
        if kind == "backward":
            targets = []
            for i, sl, plan in s["outs"]:
                fit = "".join(
                    f".sum{a[0]}"
                    if k == "sumkeep"
                    else f".sum{a}"
                    if k == "sum"
                    else f".astype({a})"
                    for k, a in plan
                )
                targets.append(f"{slot(sl)}{' <- in' + str(i) + fit if fit else ''}")
            g = _show(s["g"], shapes)
            return f"{', '.join(targets) or '_'} = {s['op'].__name__}.backward({g})"
        if kind == "add":
            return f"{slot(s['out'])} = s{s['a']} + s{s['b']}"
        args = ", ".join(_show(r, shapes) for r in s["args"])
        name = getattr(s["fn"], "__qualname__", s["fn"].__name__)
        name = "grad_result" if s["fn"] is _GRAD_COPY else name
        res = s["result"]
        if "grad_of" in s:
            return f"{slot(s['grad_of'])} = .grad after effect {name}({args})"
        if res[0] == "V":
            shown = "" if res[1] is None else f"  (must return {res[1]!r})"
            return f"effect {name}({args}){shown}"
        outs = _out_slots((res,))
        return f"{', '.join(slot(o) for o in outs)} = effect {name}({args})"

    def __str__(self) -> str:
        head = f"tape: {len(self.lines)} steps, {self.n_slots} slots"
        return "\n".join([head, *self.lines])

    def __repr__(self) -> str:
        return str(self)

    # ------------------------------------------------------------------ replay
    def run(self, args: tuple, replay: Callable | None = None) -> Any:
        """Replay the tape on `args` (with `replay`, such as `timed`'s, in place of its own)."""
        S: list = [None] * self.n_slots
        for i, s in self.inputs:
            a = args[i]
            S[s] = a._data if isinstance(a, Tensor) else a
        externals, consts = self.fill
        for t, s in externals:
            S[s] = t._data
        for s, v in consts:
            S[s] = v
        saved_rng = None
        if self.draws:
            rng = random.generator()
            saved_rng = (rng, rng.bit_generator.state)
        switches = autograd.switches
        grad_mode, switches.grad_enabled = switches.grad_enabled, False  # (as no_grad)
        try:
            (replay or self.replay)(S, args)
        except _Diverged:
            for t, data, copy, grad in reversed(self.undo):
                t._data = data
                data[...] = copy
                t._grad = grad
            if saved_rng is not None:
                random.set_generator(saved_rng[0])
                saved_rng[0].bit_generator.state = saved_rng[1]
            raise
        finally:
            switches.grad_enabled = grad_mode
            self.undo.clear()  # what the effects of this replay saved to undo it
        return _build(self.outputs[0], S, args)


_BIG = 4096  # elements: smaller arrays are left to the end of the replay
_TRACE_LIMIT = 8  # calls in a row traced, none replayed: then the function runs eagerly


_SAVED_LOCAL = re.compile(r"\b_c\d+_\d+\b")


def _unread_save(line: str, keep: set, ctx: int) -> bool:
    """Is `line` a pasted forward's store of a saved value, a slot or a local, that no
    backward reads? (A saved value computed by a call is kept: the call may warn.)"""
    name, _, value = line.partition(" = ")
    return (
        name.startswith(f"_c{ctx}_")
        and name not in keep
        and re.fullmatch(r"S\[\d+\]|_\w+", value) is not None
    )


def _ref_code(w: inline.Writer, ref: tuple) -> str | None:
    """The code of what `_resolver(ref)` gives at replay, or None for a dict."""
    kind, v = ref
    if kind == "S":
        return f"S[{v}]"
    if kind == "I":
        return f"S[{v}].item()"
    if kind == "T":
        return f"{w.bind(Tensor.wrap, '_wrap', '_wrap')}(S[{v}])"
    if kind == "A":
        return f"A[{v}]"
    if kind in "XC":
        return ast.unparse(w.constant(v))
    if kind in "LU":
        parts = [_ref_code(w, r) for r in v]
        if any(p is None for p in parts):
            return None
        if kind == "L":
            return f"[{', '.join(parts)}]"
        return f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"
    return None


def _graph_nodes(r: Any) -> list:
    """The nodes of the tensors in `r` whose graph is still there to run backward through."""
    if isinstance(r, Tensor):
        return [r.grad_fn] if r.grad_fn is not None and r.grad_fn.inputs else []
    if isinstance(r, list | tuple):
        return [n for x in r for n in _graph_nodes(x)]
    if isinstance(r, dict):
        return [n for x in r.values() for n in _graph_nodes(x)]
    return []


def _plain_step(fn: Callable, args: tuple, kwargs: dict) -> bool:
    """Is this effect an SGD step that is plain gradient descent (`SGD._plain_descent`)?"""
    from .optim import Optimizer

    return (
        fn is Optimizer.step.__wrapped__
        and len(args) == 1
        and not kwargs
        and isinstance(args[0], Optimizer)
        and args[0]._plain_descent()
    )


def _local_name(m: re.Match, local: set[int]) -> str:
    return f"s{m[1]}" if int(m[1]) in local else m[0]


def _step_slots(s: dict) -> list[int]:
    """Every slot a step reads or writes (for one a closure runs)."""
    out = Tape._step_reads(s)
    if s["kind"] in ("forward", "add"):
        out += [s["out"], s.get("ctx", s["out"])]
    elif s["kind"] == "backward":
        out += [sl for _, sl, _ in s["outs"]]
    else:
        out += [s["grad_of"]] if s.get("grad_of") is not None else []
        out += _out_slots([s["result"]]) if s.get("result") else []
    return out


def _slot(sl: int) -> ast.expr:
    return ast.parse(f"S[{sl}]", mode="eval").body


_ADD_REDUCE = np.add.reduce  # one object: `np.add.reduce` makes a new bound method each time


def _fit_code(w: inline.Writer, value: str, plan: list) -> str:
    """The code of `_fit(plan)` applied to `value`."""
    reduce = w.bind(_ADD_REDUCE, "_reduce", "_reduce")
    for kind, arg in plan:
        if kind == "sum":
            value = f"{reduce}({value}, {arg!r})"
        elif kind == "sumkeep":
            axes, shape = arg
            value = f"{reduce}({value}, {axes!r}, keepdims=True)" if axes else value
            value = f"{value}.reshape({shape!r})"
        else:
            value = f"{value}.astype({w.bind(arg, 'K')})"
    return value


def _context(op: type, saved: tuple, needs: tuple) -> Any:
    """The context a pasted forward makes for a backward step that calls its closure."""
    ctx = object.__new__(op)
    ctx.saved = ctx.saved_tensors = saved
    ctx.needs_input_grad = needs
    return ctx


def _out_slots(specs: Any) -> list[int]:
    out = []
    for spec in specs:
        if spec[0] in "ST":
            out.append(spec[1])
        elif spec[0] in "LUD":
            out += _out_slots(spec[1].values() if spec[0] == "D" else spec[1])
    return out


def _build(spec: tuple, S: list, A: tuple) -> Any:
    kind, v = spec
    if kind == "T":
        return Tensor.wrap(S[v])
    if kind == "S":
        return S[v]
    if kind == "A":
        return A[v]
    if kind in "LU":
        items = [_build(x, S, A) for x in v]
        return items if kind == "L" else tuple(items)
    if kind == "D":
        return {k: _build(x, S, A) for k, x in v.items()}
    if kind == "Y":
        return Tensor.wrap(v._data.copy())
    return v


# --------------------------------------------------------------------------- the guard
def _reachable(fn: Callable, args: tuple) -> tuple[list, list, list, list]:
    """Modules, optimizers, the other objects with attributes (a config, a trainer), and
    getters of the plain values that `fn` can see."""
    from .nn import Module
    from .optim import Optimizer

    found: list = list(args)
    scalars: list = []
    bindings: list = []
    _scan(fn, found, scalars, 3, bindings)
    modules: list = []
    optimizers: list = []
    objects: list = []
    classes: set = set()
    reached: set = set()  # ids of what an object's attributes added: not looked into again
    for v in found:  # (what the scans below add is looked at too)
        if isinstance(v, list | dict) and all(v is not o for o in objects):
            objects.append(v)  # what it holds is guarded too (a dict of settings)
        items = v if isinstance(v, list | tuple) else [v]
        for x in items:
            if isinstance(x, Module):
                new = [m for m in x.modules() if all(m is not k for k in modules)]
                modules += new
                for cls in {type(m) for m in new} - classes:  # your own layers' methods:
                    classes.add(cls)  # the globals their forward reads (a temperature)
                    for c in cls.__mro__[: cls.__mro__.index(Module)]:
                        if not c.__module__.startswith("tinygrad_mlp."):
                            for f in vars(c).values():
                                if isinstance(f, types.FunctionType):
                                    _scan(f, found, scalars, 2, bindings)
            elif isinstance(x, Optimizer):
                if all(x is not o for o in optimizers):
                    optimizers.append(x)
            elif (  # (a compiled function is not: its state is its tapes)
                not isinstance(x, _SCALARS + _OPAQUE + (list, dict, set, np.dtype, Compiled))
                and isinstance(getattr(x, "__dict__", None), dict)
                and all(x is not o for o in objects)
            ):
                objects.append(x)
                if id(x) not in reached:  # a trainer: its model, optimizer, config, ...
                    attributes = list(vars(x).values())
                    reached.update(map(id, attributes))
                    found += attributes
                    if type(x) not in classes and not type(x).__module__.startswith(
                        "tinygrad_mlp."
                    ):  # and the globals its methods read
                        classes.add(type(x))
                        for f in vars(type(x)).values():
                            if isinstance(f, types.FunctionType):
                                _scan(f, found, scalars, 2, bindings)
    return modules, optimizers, objects, scalars + bindings


def _scan(fn: Any, found: list, scalars: list, depth: int, bindings: list | None = None) -> None:
    """Add what `fn` can reach (self, partial arguments, closure, named globals) to `found`,
    and (name, getter) of the plain values among them to `scalars` (of every value a
    closure cell or a global name holds to `bindings`); functions among them too."""
    code = getattr(fn, "__code__", None)
    start = len(found)
    if isinstance(fn, types.MethodType):
        found.append(fn.__self__)
    if isinstance(fn, functools.partial):
        found += [*fn.args, *fn.keywords.values()]
    cells = getattr(fn, "__closure__", None) or ()
    for name, cell in zip(code.co_freevars if code is not None else (), cells):
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        found.append(value)
        if isinstance(value, _SCALARS):
            scalars.append((name, lambda c=cell: c.cell_contents))
        elif bindings is not None:  # rebound (`nonlocal w; w = Tensor(...)`): another one
            bindings.append((name, lambda c=cell: c.cell_contents))
    if code is not None:
        names = _global_names(code)
        g = getattr(fn, "__globals__", {})
        for name in sorted(names):
            if name in g:
                value = g[name]
                found.append(value)
                if isinstance(value, _SCALARS):
                    scalars.append((name, lambda n=name, g=g: g.get(n)))
                elif bindings is not None:
                    bindings.append((name, lambda n=name, g=g: g.get(n)))
    if depth > 1:
        for value in found[start:]:
            if isinstance(value, types.FunctionType | types.MethodType | functools.partial):
                # the package's own functions are not looked into: their globals are the
                # engine's state (e.g. autograd's change clock), which the recorder sees
                # through its events, not the user's
                if not getattr(value, "__module__", "").startswith("tinygrad_mlp."):
                    _scan(value, found, scalars, depth - 1, bindings)


def _global_names(code: types.CodeType) -> set[str]:
    """The globals the code reads or writes (not the attribute names also in co_names:
    `x.data` does not make a global `data` part of the state), nested code included."""
    names = {
        i.argval
        for i in dis.get_instructions(code)
        if i.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL")
    }
    for const in code.co_consts:  # nested functions and comprehensions
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _own_state(fn: Callable, args: tuple) -> dict[str, Any]:
    """What `fn`'s own Python can change and a replay (which runs none of it) would not:
    the plain values it names, the attributes of the objects it reaches (a module's
    `training`, a scheduler's epoch, a trainer's counter: plain values as they are, others by
    identity), its optimizers' hyperparameters, and what its lists and dicts hold."""
    from .nn import Module
    from .optim import Optimizer

    found: list = list(args)
    scalars: list = []
    _scan(fn, found, scalars, 3)
    for v in list(found):  # a module's hooks run Python at each call too (a replay: not)
        for m in v.modules() if isinstance(v, Module) else ():
            for hook in (*m._forward_pre_hooks, *m._forward_hooks):
                _scan(hook.fn, found, scalars, 2)
    state: dict[str, Any] = {f"the value of {name!r}": get() for name, get in scalars}
    seen: set[int] = set()
    for v in found:
        if id(v) in seen or isinstance(v, _SCALARS + _OPAQUE):
            continue
        seen.add(id(v))
        n, what = len(seen), type(v).__name__
        if isinstance(v, list | dict):
            items = v.items() if isinstance(v, dict) else enumerate(v)
            state[f"what a {what} it reaches holds#{n}"] = [(k, id(x)) for k, x in items]
        elif isinstance(v, Optimizer):
            for i, g in enumerate(v.param_groups):
                for k, x in g.items():
                    key = f"{what}.param_groups[{i}][{k!r}]"
                    state[key] = [id(t) for t in x] if k == "params" else x
        else:
            for j, m in enumerate(v.modules() if isinstance(v, Module) else [v]):
                for k, x in getattr(m, "__dict__", {}).items():
                    plain = isinstance(x, _SCALARS)
                    state[f"{type(m).__name__}.{k}#{n}.{j}"] = x if plain else id(x)
    return state


def _moved(before: dict, after: dict) -> str:
    """The first entry of `_own_state` that differs, described; "" if none."""
    for k in [*before, *(k for k in after if k not in before)]:
        a, b = before.get(k), after.get(k)
        if not _same_state(a, b):
            name = k.split("#")[0]  # the key without what makes it unique
            if isinstance(a, _SCALARS) and isinstance(b, _SCALARS):
                return f"{name}: {a!r} -> {b!r}"
            if isinstance(a, list) and isinstance(b, list):
                return f"{name} (length {len(a)} -> {len(b)})" if len(a) != len(b) else name
            return name
    return ""


def _arg_key(args: tuple) -> tuple:
    """What selects a tape: grad mode, the default dtype (of `tg.ones(2)` inside), and each
    argument's shape and dtype (or value)."""
    key: list = [is_grad_enabled(), default_float()]
    for a in args:
        if isinstance(a, Tensor):
            d = a._data
            key.append((d.shape, d.dtype, a._requires_grad))
        elif isinstance(a, np.ndarray):
            key.append(("array", a.shape, a.dtype))
        elif isinstance(a, _SCALARS):
            key.append((type(a), a))
        else:
            key.append(("object", id(a)))
    return tuple(key)


def _values(group: dict) -> tuple:
    return tuple([v for k, v in group.items() if k != "params"])


def _plain_or_id(v: Any) -> Any:
    return (type(v), v) if isinstance(v, _SCALARS) else id(v)  # (np.float64 is a float)


def _attributes(obj: Any) -> tuple:
    """An object's attributes (a list's or a dict's items) for the guard: plain values as
    they are, others by identity (a submodule, a parameter: replaced, it is another)."""
    return tuple((k, _plain_or_id(v)) for k, v in _entries(obj).items())


def _entries(obj: Any) -> dict:
    return (
        dict(enumerate(obj))
        if isinstance(obj, list)
        else obj
        if isinstance(obj, dict)
        else vars(obj)
    )


_REQUIRES_GRAD = operator.attrgetter("_requires_grad")
_ARRAY = operator.attrgetter("_data.shape", "_data.dtype")
_HOOKS = operator.attrgetter("_forward_pre_hooks", "_forward_hooks")  # tuples, replaced


class _Guard:
    """The state a tape depends on, read again before each replay."""

    def __init__(self, fn: Callable, args: tuple, tape: Tape, read: bool = True) -> None:
        self.modules, self.optimizers, self.objects, self.scalars = _reachable(fn, args)
        self.tensors = [t for t, _ in tape.externals]
        # The hyperparameters are read live (by step(), called whole, and by SGD's written
        # update) unless the function's own Python read them (`read`), or can: it holds a
        # group or the list of groups itself, where the recording would not see the read.
        groups = [g for o in self.optimizers for g in [o._param_groups, *o._param_groups]]
        held = [*self.objects, *(get() for _, get in self.scalars)]
        held += [v for o in self.objects for v in _entries(o).values()]
        self.live = not read and not any(h is g for h in held for g in groups)
        self.expected = self.state()
        self.rewrites = 0  # times the written guard was made again (see `holds`)
        self.same, self.code = self._write()

    def state(self) -> tuple:
        groups = [g for o in self.optimizers for g in o._param_groups]
        params = [p for g in groups for p in g["params"]]
        tensors = self.tensors
        return (
            tuple(map(_attributes, self.modules)),  # `training`, `p`, submodules, ...
            tuple(map(_attributes, self.objects)),
            tuple(map(_HOOKS, self.modules)),  # a hook added or removed: another program
            tuple(map(_REQUIRES_GRAD, tensors)),
            tuple([bool(t.hooks) for t in tensors]),
            tuple(map(_ARRAY, tensors)),
            tuple([tuple(g) if self.live else _values(g) for g in groups]),
            tuple(map(id, params)),
            tuple(map(_REQUIRES_GRAD, params)),
            tuple([_plain_or_id(get()) for _, get in self.scalars]),
        )

    def _write(self) -> tuple[Callable, str]:
        """`state() == expected` written out as one test per value, each stricter than ==
        (`is` for flags and objects, the type too for numbers): cheaper than building the
        state. Where it fails, `holds` compares the state itself."""
        w = inline.Writer()
        tests: list[str] = []
        for m in [*self.modules, *self.objects]:
            attributes = _entries(m)
            if isinstance(m, list | dict):
                d = w.bind(m, "C")
                tests.append(f"len({d}) == {len(attributes)}")
            else:
                d = w.bind(attributes, "D")  # its __dict__, read directly
                tests.append(f"{w.bind(m, 'M')}.__dict__ is {d} and len({d}) == {len(m.__dict__)}")
            for name, v in attributes.items():
                if type(name) is not (int if isinstance(m, list) else str):  # (the state decides)
                    tests.append("False")
                elif isinstance(v, _SCALARS):
                    tests.append(_is_still(w, f"{d}[{name!r}]", v))
                else:
                    tests.append(f"{d}[{name!r}] is {w.bind(v, 'K')}")
        for m in self.modules:
            k = w.bind(m, "M")
            pre, post = _HOOKS(m)
            tests += [
                f"{k}._forward_pre_hooks is {w.bind(pre, 'K')}",
                f"{k}._forward_hooks is {w.bind(post, 'K')}",
            ]
        for t in self.tensors:
            k = w.bind(t, "T")
            tests += [
                f"not {k}.hooks",  # a hook registered since: its gradient goes through it
                _is_still(w, f"{k}._requires_grad", t._requires_grad),
                f"{k}._data.shape == {t._data.shape!r}",
                f"{k}._data.dtype is {w.bind(t._data.dtype, 'K')}",
            ]
        for o in self.optimizers:
            groups = f"{w.bind(o, 'O')}._param_groups"
            tests.append(f"len({groups}) == {len(o._param_groups)}")
            for i, g in enumerate(o._param_groups):
                tests.append(f"len({groups}[{i}]) == {len(g)}")
                for key, v in g.items():
                    if type(key) is not str:  # (not written as a literal: the state decides)
                        tests.append("False")
                    elif key != "params" and not self.live:  # (live: read at each step)
                        tests.append(_is_still(w, f"{groups}[{i}][{key!r}]", v))
                    elif key != "params":
                        tests.append(f"{key!r} in {groups}[{i}]")
                tests.append(f"len({groups}[{i}]['params']) == {len(g['params'])}")
                for j, p in enumerate(g["params"]):
                    k = w.bind(p, "P")
                    tests.append(f"{groups}[{i}]['params'][{j}] is {k}")
                    if all(p is not t for t in self.tensors):  # (else tested above)
                        tests.append(_is_still(w, f"{k}._requires_grad", p._requires_grad))
        for _, get in self.scalars:
            tests.append(_is_still(w, f"{w.bind(get, 'G')}()", get()))
        w.line("return (")
        for i, test in enumerate(tests or ["True"]):
            w.line(f"    {'and ' if i else ''}{test}")
        w.line(")")
        return w.build("guard", "guard()")

    def failing(self) -> str:
        """The first test of the written guard that does not hold now ("" if all do)."""
        namespace = self.same.__globals__
        for line in self.code.splitlines()[2:-1]:
            test = line.strip().removeprefix("and ")
            try:
                if not eval(test, namespace):  # noqa: S307 - a line of our own source
                    return test
            except Exception:
                return test
        return ""

    def holds(self) -> bool:
        if self.same():
            return True
        now = self.state()
        try:
            held = now == self.expected
        except Exception:  # e.g. an array among a group's values: compared below
            held = False
        if not (held or _same_state(now, self.expected)):
            return False
        if self.rewrites < 4:  # equal values in new objects: the written test, made again
            self.rewrites += 1
            self.same, self.code = self._write()
        return True


def _is_still(w: inline.Writer, expr: str, v: Any) -> str:
    """The code of a test that `expr` is still `v`: stricter than `==` (the guard's state
    compares with `==`), so that where it holds, so does the state's comparison."""
    if v is None or v is True or v is False:
        return f"{expr} is {v}"
    if type(v) in (int, float, str) and v == v:
        literal = ast.unparse(w.constant(v))
        return f"type(_v := {expr}) is {type(v).__name__} and _v == {literal}"
    if type(v) is tuple and len(v) <= 4:
        parts = [_is_still(w, f"{expr}[{i}]", x) for i, x in enumerate(v)]
        return " and ".join([f"type({expr}) is tuple and len({expr}) == {len(v)}", *parts])
    return f"{expr} is {w.bind(v, 'K')}"


def _same_state(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple):
        return (
            isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(_same_state(x, y) for x, y in zip(a, b))
        )
    return a is b or _same(a, b)


# --------------------------------------------------------------------------- the entry
class Compiled:
    """`tg.compile(fn)`: call it as `fn`. `.tape` is the recorded program (printable)."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)
        self.tapes: dict[tuple, list[tuple[Tape, _Guard]]] = {}  # per key, one per branch
        self.candidates: dict[tuple, tuple[Tape, _Guard]] = {}
        self.traces = 0  # how many times fn ran eagerly (traced)
        self.replays = 0
        self._last: Tape | None = None
        self._after: dict | None = None  # _own_state after the last trace
        self.eager = False  # set after _TRACE_LIMIT traces in a row; False compiles again
        self._watch: list = []  # the graph nodes of the last trace's outputs (see __call__)
        self._streak = 0  # calls in a row that were traced
        self._why = ""  # why the last call was traced

    def __getattr__(self, name: str) -> Any:
        """What `fn` has (a compiled model's `parameters()`, `train()`, `state_dict()`), as
        torch.compile's module passes them on; `_orig_mod` is `fn` itself."""
        fn = self.__dict__.get("fn")
        if fn is None or name.startswith("__"):
            raise AttributeError(name)
        return fn if name == "_orig_mod" else getattr(fn, name)

    @property
    def tape(self) -> Tape:
        """The tape of the latest trace or replay; print it to see the program."""
        if self._last is None:
            raise RuntimeError("the function has not been called yet: nothing is recorded")
        return self._last

    def __call__(self, *args: Any) -> Any:
        if self._watch and any(not node.inputs for node in self._watch):
            self._backward_outside()
        self._watch = []
        if self.eager:
            return self.fn(*args)
        key = _arg_key(args)
        known = self.tapes.get(key)
        self._why = "arguments of shapes, dtypes or values not traced twice alike yet"
        if known:
            if not known[0][1].holds():  # the state changed: these tapes are stale
                self._why = f"the guard's test `{known[0][1].failing()}` no longer held"
                del self.tapes[key]
                return self._trace(args, key)
            for i, (tape, _) in enumerate(known):
                try:
                    out = tape.run(args)
                except _Diverged:  # the values chose another branch: undone, try the next
                    continue
                if i:
                    known.insert(0, known.pop(i))  # the branch now taken: first from now on
                self.replays += 1
                self._streak = 0
                self._last = tape
                return out
            self._why = "the values took a branch not traced twice alike yet"
        return self._trace(args, key)

    def _backward_outside(self) -> None:
        """The last trace's output was differentiated outside the function (its graph is
        freed): `model = tg.compile(model)`. A replay's outputs have no graph, so from now
        on the function runs eagerly, as torch's compiled module trains."""
        self.eager = True
        warnings.warn(
            f"tg.compile({getattr(self.fn, '__name__', type(self.fn).__name__)}): its output "
            "was differentiated outside it (as after `model = torch.compile(model)`), and a "
            "replay gives tensors without a graph, so the function runs eagerly from now on. "
            "Compile the whole training step (forward, loss, backward, optimizer step) to "
            "replay it; under tg.no_grad(), where no gradient is needed, a compiled model "
            "replays",
            RuntimeWarning,
            stacklevel=3,  # the caller's line
        )

    def _traced_again(self) -> None:
        """Count a call that was traced; after _TRACE_LIMIT in a row, run eagerly: tracing
        costs more than an eager call, and a function whose state changes at every call
        (a number its own Python reads) would never be replayed."""
        self._streak += 1
        if self._streak >= _TRACE_LIMIT:
            self.eager, streak, self._streak = True, self._streak, 0
            warnings.warn(
                f"tg.compile({getattr(self.fn, '__name__', 'fn')}): the last {streak} "
                f"calls were each traced again and none was replayed (at the last, "
                f"{self._why}); tracing costs more than an eager call, so the function now "
                "runs eagerly. Change that value less often than every call (pass a value "
                "that changes as a Tensor argument instead), or call the function uncompiled; "
                "set `.eager = False` to compile again",
                RuntimeWarning,
                stacklevel=4,  # the caller's line
            )

    def _trace(self, args: tuple, key: tuple) -> Any:
        rec = _Recorder(args)
        before = _own_state(self.fn, args)
        with autograd.observe(rec):
            result = self.fn(*args)
        self.traces += 1
        last, self._after = self._after, _own_state(self.fn, args)
        moved = _moved(before, self._after)
        if moved and last is not None and not _moved(last, before):
            # from the state its last call left, the call changed it again: so would every
            # call, and a replay would not
            raise CompileError(
                f"each call of the function changes {moved}, and a replay runs none of its "
                "Python, so it would not. Do that outside the compiled function (call "
                "scheduler.step() and count steps after it, append the returned loss to "
                "your list), or return what it computes"
            )
        if not rec.backward_ran:  # its output's graph, if it has one: is it used outside?
            self._watch = _graph_nodes(result)
        tape = Tape(rec, (self._output(rec, result),))
        guard = _Guard(self.fn, args, tape, rec.hyperparameters_read)
        tape.guard = guard.code
        self._last = tape
        known = self.tapes.get(key, [])
        if known and not _same_state(known[0][1].expected, guard.expected):
            known = self.tapes[key] = []
        branch = (key, tape.branch)
        earlier = self.candidates.pop(branch, None)
        if earlier is not None and _same_state(earlier[1].expected, guard.expected):
            self._compare(earlier[0], tape)
            # traced twice alike: replay from now on (the newest branch is tried first)
            self.tapes.setdefault(key, known).insert(0, (tape, guard))
        else:
            if earlier is not None:  # the state changed since the last trace
                self._why = f"the guard's test `{earlier[1].failing()}` no longer held"
            self.candidates[branch] = (tape, guard)
        self._traced_again()
        return result

    @staticmethod
    def _compare(a: Tape, b: Tape) -> None:
        for i, ((la, ca), (lb, cb)) in enumerate(zip(a.fingerprint, b.fingerprint)):
            if la != lb or not _same(ca, cb):
                raise CompileError(
                    f"two calls recorded different programs, first at step {i}:\n  {la}\n  "
                    f"{lb}\nthe function decides something by values the engine does not "
                    "see (NumPy on .data, Python control flow on values, a constant array "
                    "computed from a tensor): move that outside the compiled function, or "
                    "into an @autograd.effect function"
                )
        for (ta, _), (tb, _) in zip(a.externals, b.externals):
            if id(tb) in b.overwritten:  # its values are the tape's own (a random fill)
                continue
            if ta is not tb and not _same(ta._data, tb._data):
                raise CompileError(
                    f"a tensor of shape {tb.shape} is made anew by each call from values that "
                    "change (e.g. tg.Tensor(array_argument) inside the function): pass it as "
                    "an argument instead"
                )
        if len(a.lines) != len(b.lines):
            raise CompileError(
                f"two calls recorded programs of {len(a.lines)} and {len(b.lines)} steps: "
                "the function's Python path depends on values; it cannot be compiled"
            )

    @staticmethod
    def _output(rec: _Recorder, r: Any) -> tuple:
        if isinstance(r, Tensor) and id(r) in rec.overwritten:  # made anew by each call:
            return ("Y", r)  # a copy of the one the replay fills, as a new one to the caller
        if isinstance(r, Tensor):  # found again as an effect's argument is
            return rec.ref(r)
        if isinstance(r, list | tuple):
            parts = [Compiled._output(rec, x) for x in r]
            return ("L", parts) if isinstance(r, list) else ("U", parts)
        if isinstance(r, dict):
            return ("D", {k: Compiled._output(rec, x) for k, x in r.items()})
        if isinstance(r, np.ndarray):
            raise CompileError("return Tensors from a compiled function, not NumPy arrays")
        return ("X", r)


def compile(fn: Callable) -> Compiled:  # noqa: A001  (torch.compile's name)
    """Record `fn` (forward, backward, optimizer step) and replay it on arrays.

    The first two calls run `fn` eagerly and record it; later calls with arguments of the
    same shapes and dtypes replay the recording and give exactly the eager results
    (bit-identical). Anything that would make the recording wrong re-traces or raises
    `CompileError`; see the module docstring for what a compiled function may not do.
    `step.tape` prints the recorded program, one NumPy call per line::

        step = tg.compile(train_step)
        for epoch in range(200):
            loss = step(x, y)
    """
    return Compiled(fn)
