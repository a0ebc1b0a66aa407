"""Watch the engine work: record the forward operations and each step of the backward pass.

    from tinygrad_mlp.viz import trace

    with trace() as tr:
        y = (a * b + c).tanh()
        y.backward()
    print(tr)             # or tr.table()
    tr                    # in Jupyter: a step-through view (tr.save_html(path): as a file)

For each backward step the table shows the node, the gradient that arrived at it (`g`), the
rule the node applied (the first paragraph of its class docstring, "out = a * b; da = g * b,
db = g * a", written in the node's own tensor names: "t3 = x1 * w; dx1 = g * w, dw = g * x1")
and the gradient it sent to each input. When every tensor involved has one element it reads
as the chain rule worked by hand: `dL/da = dL/dt1 * dt1/da = 0.94 * 1.5 = 1.41`, where L is
the tensor `backward()` started from (its first step reads `g = dL/dL = 1`). Tensors are
shown by their `name` if they have one (or their name in `params`), otherwise as t1, t2, ...
(the result of the first, second, ... recorded operation), x1, x2, ... (leaves and
constants) or e1, e2, ... (tensors computed before the trace began). A trace that recorded
nothing, or no backward pass, says why and what to do (`diagnosis()`).

The step-through view (`_repr_html_`, `save_html`; built in `stepthrough.py`) and the
table read the same records, through `label`, `call_text`, `rule_text` and `explain`.

How it watches
--------------
A trace is an `autograd.Observer`: `with trace()` registers it through `autograd.observe`,
the engine's one observation point, and the engine calls it after every operation and
after every backward step, with the gradients exactly as it sends them on (already summed
back where an input was broadcast). Nothing of the engine is replaced and nothing is
written onto nodes; outside the block the engine runs with no watcher at all.

Limits: only this thread's operations are recorded; backward steps are shown for the
nodes made inside the block, so run the forward pass inside it; after `limit` operations
recording stops (the table says so).
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import ops
from ..autograd import Function, Observer, observe
from ..tensor import Tensor
from . import stepthrough
from .drawing import plural

__all__ = [
    "trace",
    "ForwardStep",
    "BackwardStep",
    "Operand",
    "Sent",
    "StepText",
    "SentText",
    "format_value",
]


@dataclass
class Operand:
    """One input or output of a recorded operation.

    `key` is what the label is looked up by (a node for a computed tensor, the tensor for a
    leaf, None for a constant); `value` is a copy of the values when there are few of them.
    """

    key: Any
    shape: tuple
    value: np.ndarray | None
    text: str = ""  # how a constant (a number, an array, an axis argument) is shown


@dataclass
class ForwardStep:
    """One operation run while the trace was active."""

    index: int
    op: str
    node: Function | None  # None when no graph was recorded (no_grad, or constant inputs)
    inputs: list[Operand]
    output: Operand
    during_backward: bool  # recorded by a backward pass with create_graph=True


@dataclass
class Sent:
    """The gradient a backward step sent to one input, reduced to that input's shape."""

    to: Operand
    shape: tuple
    value: np.ndarray | None
    summed_from: tuple | None  # the shape the rule returned, when broadcasting was undone


@dataclass
class BackwardStep:
    """One call of a node's rule by the engine."""

    index: int
    pass_index: int  # which backward pass (0, 1, ...) inside the trace
    op: str
    node: Function
    rule: str
    grad_output: Operand  # g = dL/d(this node's output), the total over all its consumers
    sent: list[Sent | None]  # one per input; None for an input that gets no gradient
    received_from: list[tuple[Any, np.ndarray | None]] = field(default_factory=list)


def _rule_text(cls: type) -> str:
    """The first paragraph of the class's own docstring, on one line."""
    doc = cls.__dict__.get("__doc__") or ""
    first = doc.strip().split("\n\n")[0]
    return re.sub(r"\s+", " ", first) or "(no docstring)"


def _array(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def format_value(value: np.ndarray | None, shape: tuple = ()) -> str:
    """A short text for a recorded value: a number (6 significant digits), a small array
    (4 decimals), or just the shape when the values were not recorded."""
    if value is None:
        return f"shape {shape}"
    if value.ndim == 0 or value.size == 1:
        return f"{float(value.reshape(-1)[0]):.6g}"
    text = np.array2string(value, precision=4, separator=", ", suppress_small=True)
    return re.sub(r"\s*\n\s*", " ", text)


def _sum_text(parts: list, total: str) -> str:
    """`total`, written as the sum of its parts when there are several and all are numbers."""
    if len(parts) < 2:
        return total
    if all(v is not None and v.size == 1 for v in parts):
        return (
            " + ".join(format_value(v) for v in parts)
            + f" = {total}  (sum over its {len(parts)} uses)"
        )
    return f"{total}  (sum over its {len(parts)} uses)"


def _const_text(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"array{x.shape}" if x.size > 4 else np.array2string(x, separator=", ")
    if isinstance(x, float):
        return f"{x:.6g}"
    return repr(x)


class _Watcher(Observer):
    """What `trace` registers with the engine: it hands each event to the trace."""

    def __init__(self, tr: trace) -> None:
        self.tr = tr

    def forward(self, op: type, node: Function | None, inputs: tuple, out: Tensor) -> None:
        self.tr._on_forward(op, node, inputs, out)

    def begin_backward(self, roots: Any) -> None:
        self.tr._on_begin_backward()

    def backward(self, node: Function, grad_output: Any, grads: tuple, rule_out: tuple) -> None:
        self.tr._on_backward(node, grad_output, grads, rule_out)

    def end_backward(self) -> None:
        self.tr._on_end_backward()


class trace:
    """A context manager that records what the engine does inside its block.

    `max_values`: tensors with at most this many elements have their values recorded (all
    tensors have their shapes recorded). `limit`: the most operations recorded. `params`: an
    optional mapping name -> tensor (e.g. `dict(model.named_parameters())`) to label
    parameters by name. After the block: `forward` and `backward` hold the steps,
    `table()` (or `print(tr)`) shows them, `leaf_grads()` sums what reached each leaf,
    `save_html(path)` (or Jupyter, through `_repr_html_`) shows them as a step-through view.
    """

    def __init__(
        self, max_values: int = 6, limit: int = 10_000, params: dict[str, Any] | None = None
    ) -> None:
        self.max_values = max_values
        self.limit = limit
        self.forward: list[ForwardStep] = []
        self.backward: list[BackwardStep] = []
        self.truncated = False
        self._params = {id(t): name for name, t in (params or {}).items()}
        self._param_refs = list((params or {}).values())  # keeps those ids valid
        self._labels: dict[int, tuple[Any, str]] = {}  # id(key) -> (key kept alive, label)
        self._outputs: dict[int, Any] = {}  # id(node) -> weak reference to its output tensor
        self._step_of: dict[int, ForwardStep] = {}  # id(node) -> the step that made it
        self._unlabelled = 0
        self._in_backward = 0  # > 0 while a backward pass runs
        self._pass = -1
        self._pending: dict[int, list] = {}  # gradients sent to a key in the current pass
        self._leaf_totals: list[dict[int, np.ndarray]] = []  # per pass: id(leaf) -> sum
        self._leaf_parts: list[dict[int, list]] = []  # per pass: id(leaf) -> what was sent
        self._block: Any = None

    # ------------------------------------------------------------------ on and off
    def __enter__(self) -> trace:
        if self._block is not None:
            raise RuntimeError("this trace is already active")
        self._block = observe(_Watcher(self))
        self._block.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        block, self._block = self._block, None
        block.__exit__(*exc)

    # ------------------------------------------------------------------ recording
    def _operand(self, x: Any) -> Operand:
        if not isinstance(x, Tensor):
            arr = x if isinstance(x, np.ndarray) else None
            shape = arr.shape if arr is not None else ()
            return Operand(None, shape, None, _const_text(x))
        key = x.grad_fn if x.grad_fn is not None else x
        if id(key) not in self._labels:  # a leaf, or a tensor computed before the trace
            self._unlabelled += 1
            prefix = "x" if key is x else "e"
            self._labels[id(key)] = (key, f"{prefix}{self._unlabelled}")
        small = x.data.size <= self.max_values
        return Operand(key, x.data.shape, x.data.copy() if small else None)

    def _on_forward(self, op: type, node: Function | None, inputs: tuple, out: Tensor) -> None:
        if len(self.forward) >= self.limit:
            self.truncated = True
            return
        operands = [self._operand(x) for x in inputs]
        index = len(self.forward) + 1
        key = node if node is not None else out
        self._labels[id(key)] = (key, f"t{index}")
        if node is not None:
            self._outputs[id(node)] = weakref.ref(out)
        small = out.data.size <= self.max_values
        output = Operand(key, out.data.shape, out.data.copy() if small else None)
        step = ForwardStep(index, op.__name__, node, operands, output, self._in_backward > 0)
        self.forward.append(step)
        if node is not None:
            self._step_of[id(node)] = step

    def _on_begin_backward(self) -> None:
        self._in_backward += 1
        if self._in_backward == 1:
            self._pass += 1
            self._pending = {}
            self._leaf_totals.append({})
            self._leaf_parts.append({})

    def _on_end_backward(self) -> None:
        self._in_backward -= 1

    def _on_backward(self, node: Function, g: Any, grads: tuple, rule_out: tuple) -> None:
        """Note one backward step (of a node made inside the block)."""
        step_in = self._step_of.get(id(node))
        if step_in is None:
            return
        g_arr = _array(g)
        small = g_arr.size <= self.max_values
        grad_output = Operand(node, g_arr.shape, g_arr.copy() if small else None)
        sent: list[Sent | None] = []
        for operand, gi, raw in zip(step_in.inputs, grads, rule_out):
            if gi is None or operand.key is None:
                sent.append(None)
                continue
            arr = _array(gi)
            summed = _array(raw).shape if _array(raw).shape != arr.shape else None
            keep = arr.size <= self.max_values
            sent.append(Sent(operand, arr.shape, arr.copy() if keep else None, summed))
            self._pending.setdefault(id(operand.key), []).append(
                (node, arr.copy() if keep else None)
            )
            if isinstance(operand.key, Tensor):  # a leaf: keep its running total
                totals = self._leaf_totals[-1]
                k_id = id(operand.key)
                totals[k_id] = totals[k_id] + arr if k_id in totals else arr.copy()
                self._leaf_parts[-1].setdefault(k_id, []).append(arr.copy() if keep else None)
        self.backward.append(
            BackwardStep(
                len(self.backward) + 1,
                self._pass,
                type(node).__name__,
                node,
                _rule_text(type(node)),
                grad_output,
                sent,
                self._pending.pop(id(node), []),
            )
        )

    # ------------------------------------------------------------------ reading
    def label(self, key: Any) -> str:
        """The name shown for a recorded tensor: its `name`, its parameter name, or t1, x1..."""
        if key is None:
            return "const"
        ref = self._outputs.get(id(key))
        tensor = ref() if ref is not None else (key if isinstance(key, Tensor) else None)
        name = getattr(tensor, "name", None) if tensor is not None else None
        if name:
            return str(name)
        if id(key) in self._params:
            return self._params[id(key)]
        entry = self._labels.get(id(key))
        return entry[1] if entry is not None else "?"

    def is_parameter(self, key: Any) -> bool:
        """Whether `key` (an operand's key) is one of the tensors given in `params`."""
        return id(key) in self._params

    def leaf_grads(self, pass_index: int = -1) -> dict[str, np.ndarray]:
        """For one backward pass (the last by default): label -> the sum of the gradients
        sent to that leaf (what the pass added to its `.grad`, before any hook)."""
        if not self._leaf_totals:
            return {}
        totals = self._leaf_totals[pass_index]
        return {self.label(self._labels[k][0]): v for k, v in totals.items()}

    def _operand_text(self, op: Operand) -> str:
        return op.text if op.key is None else self.label(op.key)

    def call_text(self, step: ForwardStep) -> str:
        """How a recorded operation was called, with the tensors' labels, e.g.
        `Mul(x1, w)`, `Mul(t1, 2)` or `Sum(t1, axis=None)`: an input that is a tensor or a
        number in a tensor's place is written positionally, any other argument (an axis, a
        shape, a dtype) as keyword=value; a flag that is off (`keepdims=False`) is left out."""
        return f"{step.op}({', '.join(text for _, text in self.call_args(step))})"

    def call_args(self, step: ForwardStep) -> list[tuple[Operand, str]]:
        """The arguments of `call_text`, each with its operand."""
        params = _forward_params(_op_class(step))
        args = []
        for i, op in enumerate(step.inputs):
            name = params[i] if params is not None and i < len(params) else None
            text = self._operand_text(op)
            if op.key is None and name is not None and not _is_data_param(name):
                if text == "False":
                    continue
                text = f"{name}={text}"
            args.append((op, text))
        return args

    def rule_text(self, step: ForwardStep | BackwardStep) -> str:
        """The rule of the step's node, in the node's own names: the primitive's docstring
        "out = a * b; da = g * b, db = g * a" becomes "t3 = x1 * w; dx1 = g * w, dw = g * x1"
        (an input that is a constant keeps its letter, and its value is given after)."""
        if step.node is None:
            return ""
        forward = step if isinstance(step, ForwardStep) else self.forward_of(step.node)
        rule = _rule_text(type(step.node))
        if forward is None or not rule.startswith("out ="):
            return rule
        params = _forward_params(type(step.node)) or []
        names = {"out": self.label(forward.output.key)}
        constants = []
        for name, op in zip(params, forward.inputs):
            if name == "g":  # g is the incoming gradient in every rule
                continue
            if op.key is not None:
                names[name] = self.label(op.key)
            elif _is_data_param(name):
                constants.append(f"{name} = {op.text}")
        pattern = re.compile(r"\b(d?)(" + "|".join(map(re.escape, names)) + r")\b")
        rule = pattern.sub(lambda m: m.group(1) + names[m.group(2)], rule)
        if constants:
            rule += f"   ({', '.join(constants)}: a constant, it gets no gradient)"
        return rule

    def forward_of(self, node: Function) -> ForwardStep | None:
        """The recorded forward step that made `node` (None if it was not recorded)."""
        found = getattr(self, "_forward_by_node", None)  # (how many steps it covers, map)
        if found is None or found[0] != len(self.forward):
            steps = {id(s.node): s for s in self.forward if s.node is not None}
            self._forward_by_node = found = (len(self.forward), steps)
        return found[1].get(id(node))

    def is_root(self, step: BackwardStep) -> bool:
        """Whether the step is where its backward pass started (nothing was sent to it:
        its gradient is the one backward() began with)."""
        return not step.received_from and not self.truncated

    def explain(self, step: BackwardStep) -> StepText:
        """The step in words and numbers, as `table()` and the HTML view show it."""
        out = self.label(step.node)
        g = step.grad_output
        g_value = format_value(g.value, g.shape)
        root = self.is_root(step)
        ones = g.value is not None and g.value.size == 1 and float(g.value.reshape(-1)[0]) == 1
        g_name, g_parts = f"dL/d{out}", ""
        if root and ones:
            g_name = "dL/dL"
            g_note = "backward() starts here" + ("" if out == "L" else f": L is {out}")
        elif root:
            g_note = f"the gradient given to backward(): L stands for sum(g * {out})"
        elif not step.received_from:
            g_note = "sent by steps the trace did not record"
        else:
            parts = [v for _, v in step.received_from]
            g_note = f"sum over its {len(parts)} uses" if len(parts) > 1 else ""
            if len(parts) > 1 and all(v is not None and v.size == 1 for v in parts):
                g_parts = " + ".join(format_value(v) for v in parts)
        scalar = g.value is not None and g.value.size == 1
        sends = []
        for sent in step.sent:
            if sent is None:
                continue
            name = self._operand_text(sent.to)
            value = format_value(sent.value, sent.shape)
            chain = ""
            if scalar and sent.value is not None and sent.value.size == 1:
                gv = float(g.value.reshape(-1)[0])  # type: ignore[union-attr]
                sv = float(sent.value.reshape(-1)[0])
                if root and ones:
                    chain = ""  # g = 1: what the rule gives is the answer itself
                elif gv != 0:
                    local = format_value(np.array(sv / gv))
                    via = "g" if root else f"dL/d{out}"
                    chain = f"{via} * d{out}/d{name} = {format_value(np.array(gv))} * {local}"
            notes = []
            if root and ones:
                notes.append("the rule with g = 1")
            if sent.summed_from:
                notes.append(f"summed from shape {sent.summed_from}")
            if isinstance(sent.to.key, Tensor):
                notes.append("a leaf: added to its .grad")
            sends.append(SentText(sent, name, value, chain, notes))
        rule = self.rule_text(step)
        return StepText(step, out, rule, g_name, g_parts, g_value, g_note, sends)

    def diagnosis(self) -> str | None:
        """Why the trace shows nothing (or no backward pass), and what to do; None when it
        recorded both passes."""
        if not self.forward and not self.backward:
            return (
                "Nothing was recorded: no operation ran inside the `with trace()` block. A "
                "graph built before the block is not watched, and neither is its backward "
                "pass: run the forward pass inside the block, and backward() there too."
            )
        if self.backward:
            return None
        if all(s.node is None for s in self.forward):
            return (
                "No graph was recorded: no input of these operations requires grad (or "
                "no_grad() was on), so there is no backward pass to show. Make the inputs "
                "with requires_grad=True."
            )
        if any(s.node is not None and s.node.freed for s in self.forward):
            return (
                "No backward step was recorded, and the graph has been freed: backward() "
                "ran after the `with trace()` block ended, where it is not watched. Call "
                "backward() inside the block (with retain_graph=True if you also want to "
                "draw the graph afterwards)."
            )
        return (
            "No backward step was recorded: call backward() inside the `with trace()` block "
            "(a backward() after the block is not watched)."
        )

    def table(self) -> str:
        """The recorded forward operations and backward steps as readable text."""
        lines = [f"Forward pass: {plural(len(self.forward), 'operation')}"]
        if self.truncated:
            lines.append(f"  (recording stopped after {self.limit} operations)")
        for s in self.forward:
            value = format_value(s.output.value, s.output.shape)
            where = "  [recorded by a create_graph backward]" if s.during_backward else ""
            graph = "" if s.node is not None else "  (no graph: constant)"
            lines.append(
                f"  {s.index:>3}. {self.label(s.output.key)} = {self.call_text(s)}  ->  {value}"
                f"{graph}{where}"
            )
        passes = sorted({s.pass_index for s in self.backward})
        for p in passes:
            steps = [s for s in self.backward if s.pass_index == p]
            lines.append("")
            lines.append(
                f"Backward pass {p + 1}: {plural(len(steps), 'step')}, in the order the engine "
                "ran them (L is the tensor backward() started from)"
            )
            for s in steps:
                lines += self._step_lines(s)
            totals = self._leaf_totals[p]
            if totals:
                lines.append("  leaves receive (added to .grad):")
                for k, v in totals.items():
                    name = self.label(self._labels[k][0])
                    total = format_value(v if v.size <= self.max_values else None, v.shape)
                    lines.append(f"    {name}.grad += {_sum_text(self._leaf_parts[p][k], total)}")
        note = self.diagnosis()
        if note:
            lines += ["", *textwrap.wrap("Note: " + note, 88)]
        return "\n".join(lines)

    def _step_lines(self, s: BackwardStep) -> list[str]:
        e = self.explain(s)
        lines = [f"  step {s.index}: {s.op} (made {e.out})   rule: {e.rule}"]
        lines.append(f"      g = {e.g_text}" + (f"   ({e.g_note})" if e.g_note else ""))
        for t in e.sends:
            value = f"{t.chain} = {t.value}" if t.chain else t.value
            notes = "".join(f"   ({n})" for n in t.notes)
            lines.append(f"      -> dL/d{t.to} = {value}{notes}")
        return lines

    def _repr_html_(self) -> str:
        """The step-through view (see `save_html`), for Jupyter to show inline."""
        return stepthrough.fragment(self)

    def save_html(self, path: str | Path) -> Path:
        """Write the step-through view to `path` as one self-contained HTML page (its
        script inline, nothing loaded from the network; it works opened from disk): the
        graph on one side, and Next/Previous buttons (or the arrow keys) stepping through
        the forward operations and then each backward step, showing the rule in the
        tensors' names, the gradient that arrived, what went to each input, and each
        leaf's .grad as it accumulates. Returns the path."""
        path = Path(path)
        path.write_text(stepthrough.page(self), encoding="utf-8")
        return path

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<trace: {len(self.forward)} operations, {len(self.backward)} backward steps>"


@dataclass
class SentText:
    """One gradient a backward step sent, in words: to `to` (a label), `value`, and when
    every number is a scalar the chain rule that gave it (`chain`, "dL/dt2 * dt2/dx = ...")."""

    sent: Sent
    to: str
    value: str
    chain: str
    notes: list[str]


@dataclass
class StepText:
    """A backward step in words: see `trace.explain`."""

    step: BackwardStep
    out: str  # the label of the tensor the node made
    rule: str  # the rule in the node's own names
    g_name: str  # "dL/dL" where backward() started, else "dL/d<out>"
    g_parts: str  # "0.2 + 0.3" when g is the sum of several scalar uses, else ""
    g_value: str  # g
    g_note: str  # "backward() starts here", "sum over its 2 uses", ...
    sends: list[SentText]

    @property
    def g_text(self) -> str:
        """ "dL/dL = 1", "dL/dt2 = 0.5" or "dL/dt2 = 0.2 + 0.3 = 0.5"."""
        return f"{self.g_name} = " + (f"{self.g_parts} = " if self.g_parts else "") + self.g_value


def _op_class(step: ForwardStep) -> type | None:
    if step.node is not None:
        return type(step.node)
    cls = getattr(ops, step.op, None)
    return cls if isinstance(cls, type) and issubclass(cls, Function) else None


@functools.cache
def _params_of(cls: type) -> tuple[str, ...] | None:
    try:
        params = list(inspect.signature(cls.forward).parameters.values())[1:]  # drop ctx
    except (TypeError, ValueError):
        return None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return None
    return tuple(p.name for p in params)


def _forward_params(cls: type | None) -> tuple[str, ...] | None:
    """The names of `cls.forward`'s inputs (None when unknown or variadic)."""
    return None if cls is None else _params_of(cls)


def _is_data_param(name: str) -> bool:
    """Whether a forward input of this name holds data (a, b, x, cond) rather than an
    argument such as axis, shape or dtype."""
    return len(name) == 1 or name == "cond"
