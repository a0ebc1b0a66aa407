"""The step-through view of a `trace`: one self-contained HTML document.

    with trace() as tr:
        loss = ((x * w).sum() - y) ** 2
        loss.backward()
    tr                          # in Jupyter: shown inline (trace._repr_html_)
    tr.save_html("trace.html")  # a file that works opened from disk

The view is the recorded graph (drawn as SVG by `drawing.py`) beside a panel, with
Next/Previous buttons (and the arrow keys once the view has the focus) that step through
the forward operations and then each backward step. At a forward step the operation is
highlighted with its inputs and output, and the panel shows the call and the value it made.
At a backward step the panel shows the node's rule in the tensors' own names, the gradient
`g` that arrived, what went to each input, and each leaf's `.grad` as the pass adds to it;
the drawing writes each tensor's gradient under it as soon as it is known.

Everything the page shows is worked out here, in Python, from what the trace recorded (its
`ForwardStep` and `BackwardStep` records, `label`, `explain`); the script in the page only
switches between the prepared steps. It loads nothing: no server, no network. Its elements
are found from one root element whose id is new for every view, so several views can share
a notebook, and keys act only on the view that has the focus.
"""

from __future__ import annotations

import html
import json
import uuid
from typing import TYPE_CHECKING, Any

from ..tensor import Tensor
from .drawing import GraphNode, format_values, layout_cost, plural, svg_text

if TYPE_CHECKING:
    from .tracing import BackwardStep, ForwardStep, Operand, trace

__all__ = ["fragment", "page"]


def _shape(shape: tuple) -> str:
    return str(tuple(shape))


def _short(value: Any, shape: tuple) -> str:
    """A value as the drawing shows it (4 significant digits), or that it was not kept."""
    return format_values(value) if value is not None else "(not kept)"


class _View:
    """The graph and the steps of one trace, ready to be written out."""

    def __init__(self, tr: trace) -> None:
        self.tr = tr
        self.ids: dict[int, str] = {}  # id(operand key) -> the node id of that tensor
        self.nodes: list[GraphNode] = []
        self._build_graph()
        self.leaves = self._leaves()
        self.steps: list[dict[str, Any]] = [
            self._forward(s, i) for i, s in enumerate(self.tr.forward)
        ]
        # each leaf's running total within the current pass: its parts, and their sum (None
        # when a part's values were not recorded)
        self._pass = -1
        self._parts: dict[int, list[Any]] = {}
        self._sums: dict[int, tuple[Any, tuple]] = {}
        self.steps += [self._backward(s, i) for i, s in enumerate(self.tr.backward)]

    # ----------------------------------------------------------------- the graph
    def _tensor(self, op: Operand, kind: str | None = None, inputs: list[str] | None = None) -> str:
        key = op.key
        if id(key) in self.ids:
            return self.ids[id(key)]
        node_id = f"v{len(self.ids)}"
        self.ids[id(key)] = node_id
        if kind is None:
            if not isinstance(key, Tensor):
                kind = "tensor"  # computed before the trace began
            elif self.tr.is_parameter(key):
                kind = "param"
            else:
                kind = "leaf" if key.requires_grad else "const"
        # a scalar shows its value; an array its shape and, when recorded, its values
        title = self.tr.label(key) + ("" if op.shape == () else f" {_shape(op.shape)}")
        lines = [title]
        if op.value is not None:
            lines.append(f"value {format_values(op.value)}")
        elif op.shape == ():
            lines.append("shape ()")
        self.nodes.append(GraphNode(node_id, kind, lines, inputs or []))
        return node_id

    def _build_graph(self) -> None:
        used: set[str] = set()
        outputs: list[GraphNode] = []
        for s in self.tr.forward:
            args = self.tr.call_args(s)
            ins = [self._tensor(op) for op, _ in args if op.key is not None]
            used.update(ins)
            consts = [text for op, text in args if op.key is None]
            lines = [s.op] + (["with " + ", ".join(consts)] if consts else [])
            op_id = f"f{s.index}"
            self.nodes.append(GraphNode(op_id, "op", lines, ins))
            kind = "tensor" if s.node is not None else "const"
            self._tensor(s.output, kind, [op_id])
            outputs.append(self.nodes[-1])
        for n in outputs:
            if n.id not in used and n.kind == "tensor":
                n.kind = "output"

    def _leaves(self) -> list[tuple[Tensor, str]]:
        """(leaf, its node id) for every leaf a backward step sent a gradient to, in the
        order the drawing has them."""
        seen: dict[int, tuple[Tensor, str]] = {}
        for s in self.tr.backward:
            for sent in s.sent:
                if sent is not None and isinstance(sent.to.key, Tensor):
                    seen.setdefault(id(sent.to.key), (sent.to.key, self.ids[id(sent.to.key)]))
        order = {n.id: i for i, n in enumerate(self.nodes)}
        return sorted(seen.values(), key=lambda leaf: order[leaf[1]])

    # ----------------------------------------------------------------- the steps
    def _forward(self, s: ForwardStep, i: int) -> dict[str, Any]:
        tr, esc = self.tr, html.escape
        out = tr.label(s.output.key)
        parts = [
            f'<p class="tgm-what"><code>{esc(out)} = {esc(tr.call_text(s))}</code></p>',
            f'<p>{esc(out)} = <span class="tgm-value">'
            f"{esc(_value(s.output.value, s.output.shape))}</span>"
            f'  <span class="tgm-note">shape {esc(_shape(s.output.shape))}</span></p>',
        ]
        if s.node is None:
            parts.append(
                '<p class="tgm-note">No graph node: no input requires grad (or no_grad() was '
                "on), so backward will not pass through here.</p>"
            )
        else:
            parts.append(
                f"<p>The rule backward will run here:<br><code>{esc(tr.rule_text(s))}</code></p>"
            )
        if s.output.value is None:
            parts.append(self._not_kept())
        if s.during_backward:
            parts.append(
                '<p class="tgm-note">Recorded while a backward pass with create_graph=True '
                "ran: it is part of the graph of the gradient.</p>"
            )
        parts.append(
            '<p class="tgm-note">The leaves\' .grad are filled in by the backward steps.</p>'
        )
        return {
            "kind": "forward",
            "title": f"Forward {i + 1} of {len(tr.forward)}: {s.op}",
            "node": f"f{s.index}",
            "out": self.ids[id(s.output.key)],
            "ins": [self.ids[id(op.key)] for op in s.inputs if op.key is not None],
            "grads": {},
            "reset": i == 0,
            "html": "".join(parts),
        }

    def _backward(self, s: BackwardStep, i: int) -> dict[str, Any]:
        tr, esc = self.tr, html.escape
        e = tr.explain(s)
        made = tr.forward_of(s.node)
        first_of_pass = i == 0 or tr.backward[i - 1].pass_index != s.pass_index
        out_id = self.ids.get(id(made.output.key)) if made is not None else None
        parts = [
            f'<p class="tgm-what">{esc(s.op)}, which made <b>{esc(e.out)}</b>: its rule</p>',
            f'<p class="tgm-rule"><code>{esc(e.rule)}</code></p>',
            '<p class="tgm-g">g = '
            + esc(e.g_name)
            + " = "
            + (esc(e.g_parts) + " = " if e.g_parts else "")
            + f'<span class="tgm-value">{esc(e.g_value)}</span>'
            + (f' <span class="tgm-note">({esc(e.g_note)})</span>' if e.g_note else "")
            + "</p>",
        ]
        sends = []
        for t in e.sends:
            to_id = self.ids.get(id(t.sent.to.key), "")
            chain = esc(t.chain) + " = " if t.chain else ""
            notes = "".join(f' <span class="tgm-note">({esc(n)})</span>' for n in t.notes)
            sends.append(
                f'<li class="tgm-sent" data-to="{to_id}">dL/d{esc(t.to)} = {chain}'
                f'<span class="tgm-value">{esc(t.value)}</span>{notes}</li>'
            )
        if sends:
            parts.append('<p>It sends:</p><ul class="tgm-sends">' + "".join(sends) + "</ul>")
        else:
            parts.append('<p class="tgm-note">No input of this node needs a gradient.</p>')
        # the leaves' running totals within this pass, and the drawing's gradient lines
        grads: dict[str, str] = {}
        if out_id is not None:
            grads[out_id] = "grad " + _short(s.grad_output.value, s.grad_output.shape)
        totals, shares = self._add_to_totals(s)
        updated = {
            self.ids[id(t.sent.to.key)] for t in e.sends if isinstance(t.sent.to.key, Tensor)
        }
        rows = []
        for leaf, node_id in self.leaves:
            total = totals.get(id(leaf))
            text = "-" if total is None else _value(*total)
            got = shares.get(id(leaf), [])
            summed = ""  # a few scalar shares are written out; more are only counted
            if 1 < len(got) <= 4 and all(v is not None and v.size == 1 for v in got):
                summed = " + ".join(_value(v, ()) for v in got) + " = "
            elif len(got) > 4:
                summed = f"({len(got)} shares) "
            cls = "tgm-leaf tgm-updated" if node_id in updated else "tgm-leaf"
            rows.append(
                f'<tr class="{cls}" data-node="{node_id}"><td>{esc(tr.label(leaf))}</td>'
                f'<td>{esc(summed)}<span class="tgm-value">{esc(text)}</span></td></tr>'
            )
            if node_id in updated and total is not None:
                grads[node_id] = "grad " + _short(*total)
        values = [s.grad_output.value] + [t.sent.value for t in e.sends]
        if any(v is None for v in values):
            parts.append(self._not_kept())
        if rows:
            parts.append(
                '<table class="tgm-leaves"><tr><th>leaf</th><th>.grad added by this pass '
                "so far</th></tr>" + "".join(rows) + "</table>"
            )
        return {
            "kind": "backward",
            "title": f"Backward pass {s.pass_index + 1}, step {i + 1} of {len(tr.backward)}: "
            f"{s.op}",
            "node": f"f{made.index}" if made is not None else "",
            "out": out_id or "",
            "ins": [self.ids.get(id(t.sent.to.key), "") for t in e.sends],
            "grads": grads,
            "reset": first_of_pass,
            "html": "".join(parts),
        }

    def _not_kept(self) -> str:
        n = self.tr.max_values
        return (
            f'<p class="tgm-note">Only the shape is shown for tensors of more than {n} '
            "elements: trace(max_values=...) records more.</p>"
        )

    def _add_to_totals(
        self, s: BackwardStep
    ) -> tuple[dict[int, tuple[Any, tuple]], dict[int, list[Any]]]:
        """Add what step `s` sent to the leaves to the running totals of its pass (a new
        pass starts from nothing); returns the totals and the parts so far."""
        if s.pass_index != self._pass:
            self._pass, self._parts, self._sums = s.pass_index, {}, {}
        for sent in s.sent:
            if sent is None or not isinstance(sent.to.key, Tensor):
                continue
            k = id(sent.to.key)
            self._parts.setdefault(k, []).append(sent.value)
            prev = self._sums.get(k)
            if prev is None:
                total = None if sent.value is None else sent.value.copy()
            else:
                total = None if prev[0] is None or sent.value is None else prev[0] + sent.value
            self._sums[k] = (total, sent.shape)
        return self._sums, self._parts

    def reserve(self) -> dict[str, str]:
        """For each tensor that gets a gradient line: the longest text it will show."""
        longest: dict[str, str] = {}
        for step in self.steps:
            for node_id, text in step["grads"].items():
                if len(text) > len(longest.get(node_id, "")):
                    longest[node_id] = text
        return longest


def _value(value: Any, shape: tuple) -> str:
    from .tracing import format_value  # the numbers as the text trace writes them

    return format_value(value, shape)


_CSS = """
.tgm-view { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px;
  color: #1a1a1a; background: #ffffff; padding: 8px; border: 1px solid #d0d0d0;
  border-radius: 6px; outline: none; }
.tgm-view:focus { border-color: #6a9fd8; }
.tgm-view .tgm-pane { flex: 1 1 360px; max-height: 80vh; overflow: auto;
  border: 1px solid #e4e4e4; border-radius: 4px; }
.tgm-view .tgm-pane svg { display: block; margin: 0 auto; }
.tgm-view .tgm-panel { flex: 0 1 460px; min-width: 300px; }
.tgm-view .tgm-bar { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; }
.tgm-view button { font-size: 14px; padding: 3px 12px; cursor: pointer; }
.tgm-view .tgm-counter { color: #555555; font-size: 13px; }
.tgm-view .tgm-title { font-weight: bold; margin: 4px 0 6px 0; }
.tgm-view .tgm-body p { margin: 5px 0; }
.tgm-view code, .tgm-view .tgm-sends, .tgm-view .tgm-g, .tgm-view .tgm-leaves td {
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
.tgm-view .tgm-sends { margin: 2px 0 6px 0; padding-left: 20px; }
.tgm-view .tgm-note { color: #666666; font-size: 12.5px; }
.tgm-view .tgm-value { font-weight: bold; }
.tgm-view .tgm-warning { background: #fff4e5; border: 1px solid #f0b35e; padding: 6px 8px;
  border-radius: 4px; margin-bottom: 6px; }
.tgm-view .tgm-leaves { border-collapse: collapse; margin-top: 6px; }
.tgm-view .tgm-leaves th, .tgm-view .tgm-leaves td { border: 1px solid #dddddd;
  padding: 2px 8px; text-align: left; }
.tgm-view .tgm-leaves th { font-weight: normal; color: #555555; font-size: 12.5px; }
.tgm-view .tgm-leaves tr.tgm-updated td { background: #e6f4e6; }
.tgm-view .tgm-legend span { padding: 0 4px; border-radius: 3px; }
.tgm-view .tgm-node.tgm-current rect { stroke: #d62728; stroke-width: 3.5px; }
.tgm-view .tgm-node.tgm-out rect { stroke: #1f66c2; stroke-width: 3px; }
.tgm-view .tgm-node.tgm-in rect { stroke: #2e9a2e; stroke-width: 3px; }
.tgm-view .tgm-edge.tgm-active polyline { stroke: #d62728; stroke-width: 2px; }
.tgm-view .tgm-edge.tgm-active polygon { fill: #d62728; }
.tgm-view tspan[data-role="grad"] { fill: #a14a00; font-weight: bold; }
"""

# The script only switches between the steps prepared in Python. It finds everything from
# its own root element, so views never see each other's elements.
_SCRIPT = """
(function () {
  var root = document.getElementById("__ROOT__");
  var data = JSON.parse(root.querySelector("script.tgm-data").textContent);
  var steps = data.steps, at = 0;
  var pane = root.querySelector(".tgm-pane");
  var nodes = {}, grads = {};
  root.querySelectorAll(".tgm-node").forEach(function (g) {
    nodes[g.getAttribute("data-node")] = g;
    var t = g.querySelector('tspan[data-role="grad"]');
    if (t) grads[g.getAttribute("data-node")] = t;
  });
  var edges = root.querySelectorAll(".tgm-edge");
  function mark(id, cls) { if (nodes[id]) nodes[id].classList.add(cls); }
  function bring(ids) {  // scroll the pane (only it) to show these nodes, or the first
    var p = pane.getBoundingClientRect(), r = null;
    ids.forEach(function (id) {
      if (!nodes[id]) return;
      var b = nodes[id].getBoundingClientRect();
      var u = r ? {top: Math.min(r.top, b.top), bottom: Math.max(r.bottom, b.bottom),
                   left: Math.min(r.left, b.left), right: Math.max(r.right, b.right)} : b;
      if (!r || (u.bottom - u.top < p.height && u.right - u.left < p.width)) r = u;
    });
    if (!r) return;
    if (r.top < p.top || r.bottom > p.bottom)
      pane.scrollTop += (r.top + r.bottom) / 2 - (p.top + p.bottom) / 2;
    if (r.left < p.left || r.right > p.right)
      pane.scrollLeft += (r.left + r.right) / 2 - (p.left + p.right) / 2;
  }
  function show(k) {
    if (!steps.length) return;
    at = Math.max(0, Math.min(steps.length - 1, k));
    var s = steps[at], id, j;
    for (id in nodes) nodes[id].classList.remove("tgm-current", "tgm-out", "tgm-in");
    mark(s.node, "tgm-current");
    mark(s.out, "tgm-out");
    s.ins.forEach(function (i) { mark(i, "tgm-in"); });
    edges.forEach(function (e) {
      var a = e.getAttribute("data-from"), b = e.getAttribute("data-to");
      var on = (b === s.node && s.ins.indexOf(a) >= 0) || (a === s.node && b === s.out);
      e.classList.toggle("tgm-active", on);
    });
    var shown = {};
    for (j = 0; j <= at; j++) {
      if (steps[j].reset) shown = {};
      for (id in steps[j].grads) shown[id] = steps[j].grads[id];
    }
    for (id in grads) grads[id].textContent = shown[id] || "";
    root.querySelector(".tgm-title").textContent = s.title;
    root.querySelector(".tgm-body").innerHTML = s.html;
    root.querySelector(".tgm-counter").textContent = (at + 1) + " / " + steps.length;
    root.querySelector(".tgm-prev").disabled = at === 0;
    root.querySelector(".tgm-next").disabled = at === steps.length - 1;
    root.setAttribute("data-step", String(at));
    bring([s.node, s.out].concat(s.ins));
  }
  root.querySelector(".tgm-next").addEventListener("click", function () { show(at + 1); });
  root.querySelector(".tgm-prev").addEventListener("click", function () { show(at - 1); });
  root.addEventListener("keydown", function (e) {
    var to = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
              Home: 0, End: steps.length - 1}[e.key];
    if (to === undefined) return;
    e.preventDefault();
    e.stopPropagation();  // a notebook would move between cells on the same keys
    show(to);
  });
  show(0);
})();
"""


MAX_DRAWN = 4000  # the most nodes, counting each row a long edge crosses, the view draws


def _drawable(nodes: list[GraphNode]) -> bool:
    """Whether the layout stays quick: nodes plus the rows their edges cross (each such row
    costs the layout a node) at most MAX_DRAWN."""
    return len(nodes) <= MAX_DRAWN and layout_cost(nodes) <= MAX_DRAWN


def fragment(tr: trace) -> str:
    """The view as an HTML fragment (for a notebook cell, or a page: see `page`)."""
    view = _View(tr)
    root_id = "tgm-trace-" + uuid.uuid4().hex[:12]
    n_ops = len(tr.forward)
    title = f"{plural(n_ops, 'forward operation')}, {plural(len(tr.backward), 'backward step')}"
    notes = [tr.diagnosis()]
    svg = ""
    if view.nodes and _drawable(view.nodes):
        svg = svg_text(view.nodes, 0, title, None, view.reserve())
    elif view.nodes:
        notes.append(
            f"The graph has {len(view.nodes)} nodes, too many (with the long edges between "
            "them) to draw here: the steps are shown without it. A smaller example, or "
            "viz.graph(t) (which draws the part nearest t), shows a graph."
        )
    warning = "".join(
        f'<div class="tgm-warning">{html.escape(note)}</div>' for note in notes if note
    )
    data = json.dumps({"steps": view.steps}).replace("</", "<\\/")
    legend = (
        '<p class="tgm-note tgm-legend">Highlighted: <span style="color:#d62728">the '
        'operation</span>, <span style="color:#1f66c2">its output</span>, <span '
        'style="color:#2e9a2e">its inputs</span>. Gradients flow from the output to the '
        "inputs. Keys: arrows (click the view first).</p>"
    )
    return (
        f'<div class="tgm-view" id="{root_id}" tabindex="0" data-step="0">'
        f"<style>{_CSS}</style>"
        f'<div class="tgm-pane">{svg}</div>'
        '<div class="tgm-panel">'
        '<div class="tgm-bar"><button type="button" class="tgm-prev">&larr; Previous</button>'
        '<button type="button" class="tgm-next">Next &rarr;</button>'
        '<span class="tgm-counter"></span></div>'
        f'{warning}<div class="tgm-title"></div><div class="tgm-body"></div>{legend}</div>'
        f'<script type="application/json" class="tgm-data">{data}</script>'
        f"<script>{_SCRIPT.replace('__ROOT__', root_id)}</script>"
        "</div>"
    )


def page(tr: trace) -> str:
    """The view as a whole HTML document: one file, its style and script inline."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>tinygrad_mlp trace</title></head>\n<body>" + fragment(tr) + "</body></html>\n"
    )
