"""Watch the engine work: record the forward operations and each step of the backward pass.

    from tinygrad_mlp.viz import trace

    with trace() as tr:
        y = (a * b + c).tanh()
        y.backward()
    print(tr)             # or tr.table()

For each backward step the table shows the node, the gradient that arrived at it (`g`), the
rule the node applied (the first paragraph of its class docstring, e.g.
"out = a * b;  da = g * b,  db = g * a") and the gradient it sent to each input. When every
tensor involved has one element it reads as the chain rule worked by hand:
`dL/da = dL/dt1 * dt1/da = 0.94 * 1.5 = 1.41`, where L is the tensor `backward()` started from.
Tensors are shown by their `name` if they have one (or their name in `params`), otherwise as
t1, t2, ... (the result of the first, second, ... recorded operation), x1, x2, ... (leaves
and constants) or e1, e2, ... (tensors computed before the trace began).

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

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import Function, Observer, observe
from ..tensor import Tensor

__all__ = ["trace", "ForwardStep", "BackwardStep", "Operand", "Sent"]


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


def _fmt(value: np.ndarray | None, shape: tuple = ()) -> str:
    """A short text for a value: a number, a small array, or just the shape."""
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
        return " + ".join(_fmt(v) for v in parts) + f" = {total}  (sum over its {len(parts)} uses)"
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
    `table()` (or `print(tr)`) shows them, `leaf_grads()` sums what reached each leaf.
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

    def leaf_grads(self, pass_index: int = -1) -> dict[str, np.ndarray]:
        """For one backward pass (the last by default): label -> the sum of the gradients
        sent to that leaf (what the pass added to its `.grad`, before any hook)."""
        if not self._leaf_totals:
            return {}
        totals = self._leaf_totals[pass_index]
        return {self.label(self._labels[k][0]): v for k, v in totals.items()}

    def _operand_text(self, op: Operand) -> str:
        return op.text if op.key is None else self.label(op.key)

    def table(self) -> str:
        """The recorded forward operations and backward steps as readable text."""
        lines = [f"Forward pass: {len(self.forward)} operations"]
        if self.truncated:
            lines.append(f"  (recording stopped after {self.limit} operations)")
        for s in self.forward:
            args = ", ".join(self._operand_text(o) for o in s.inputs)
            value = _fmt(s.output.value, s.output.shape)
            where = "  [recorded by a create_graph backward]" if s.during_backward else ""
            graph = "" if s.node is not None else "  (no graph: constant)"
            lines.append(
                f"  {s.index:>3}. {self.label(s.output.key)} = {s.op}({args})  ->  {value}"
                f"{graph}{where}"
            )
        passes = sorted({s.pass_index for s in self.backward})
        for p in passes:
            steps = [s for s in self.backward if s.pass_index == p]
            lines.append("")
            lines.append(
                f"Backward pass {p + 1}: {len(steps)} steps, in the order the engine ran them "
                "(L is the tensor backward() started from)"
            )
            for s in steps:
                lines += self._step_lines(s)
            totals = self._leaf_totals[p]
            if totals:
                lines.append("  leaves receive (added to .grad):")
                for k, v in totals.items():
                    name = self.label(self._labels[k][0])
                    total = _fmt(v if v.size <= self.max_values else None, v.shape)
                    lines.append(f"    {name}.grad += {_sum_text(self._leaf_parts[p][k], total)}")
        return "\n".join(lines)

    def _step_lines(self, s: BackwardStep) -> list[str]:
        out = self.label(s.node)
        lines = [f"  step {s.index}: {s.op} (made {out})   rule: {s.rule}"]
        g = s.grad_output
        g_text = _fmt(g.value, g.shape)
        parts = [v for _, v in s.received_from]
        lines.append(f"      g = dL/d{out} = {_sum_text(parts, g_text)}")
        scalar = g.value is not None and g.value.size == 1
        for sent in s.sent:
            if sent is None:
                continue
            name = self._operand_text(sent.to)
            leaf = "   (a leaf: added to its .grad)" if isinstance(sent.to.key, Tensor) else ""
            note = f"   (summed from shape {sent.summed_from})" if sent.summed_from else ""
            value = _fmt(sent.value, sent.shape)
            if scalar and sent.value is not None and sent.value.size == 1:
                gv = float(g.value.reshape(-1)[0])  # type: ignore[union-attr]
                sv = float(sent.value.reshape(-1)[0])
                if gv != 0:
                    local = sv / gv
                    value = (
                        f"dL/d{out} * d{out}/d{name} = {_fmt(np.array(gv))} * "
                        f"{_fmt(np.array(local))} = {_fmt(sent.value)}"
                    )
            lines.append(f"      -> dL/d{name} = {value}{note}{leaf}")
        return lines

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<trace: {len(self.forward)} operations, {len(self.backward)} backward steps>"
