"""Draw the graph that produced a tensor.

    from tinygrad_mlp import viz
    viz.graph(loss, params=dict(model.named_parameters()))   # inline SVG in Jupyter
    viz.graph(loss, names=locals()).save("graph.svg")        # or .html, .png, .dot
    print(viz.to_dot(loss))                       # Graphviz DOT text, no dependency
    viz.draw_graph(loss, "graph.png", params=dict(model.named_parameters()))

The graph has two kinds of nodes: tensors (boxes) and operations (ellipses). An arrow goes
from each tensor to the operation that used it, and from each operation to the tensor it
made, so the drawing reads in the direction the data flowed. Leaves that require gradients
(inputs) are blue, parameters green, constants grey and dashed, the final tensor yellow.

How the graph is found: a tensor's `grad_fn` is the node (a `Function`) that made it, and
`node.inputs` holds the tensors the operation was applied to. The engine keeps no other
reference to intermediate tensors, so they are found as the inputs of the nodes that used
them. Draw before `backward()`, or pass `retain_graph=True` to it: a pass that frees the
graph also drops each node's inputs, and then only the last node is left (every function
here then warns, and the drawing says so).

A tensor is labelled by its `name` (`Tensor(..., name="w")` or `t.name = "w"`), else by its
name in `params`, else by a variable name from `names` (e.g. `names=locals()`), else by the
operation that made it ("Mul") or what it is ("leaf", "constant"). The inputs of an
operation are drawn left to right in the order they were written: `a * b` has `a` on the
left.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import textwrap
import warnings
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..autograd import Function
from ..tensor import Tensor

__all__ = [
    "GraphDrawing",
    "GraphNode",
    "draw_graph",
    "format_values",
    "graph",
    "graph_nodes",
    "layout_cost",
    "plural",
    "svg_text",
    "to_dot",
]

# Colours shared by the DOT text and the matplotlib drawing.
_STYLE = {
    "op": ("#fce5cd", "ellipse", ""),
    "leaf": ("#cfe2f3", "box", ""),
    "param": ("#d9ead3", "box", "bold"),
    "const": ("#eeeeee", "box", "dashed"),
    "tensor": ("#ffffff", "box", ""),
    "output": ("#fff2cc", "box", "bold"),
    "more": ("#ffffff", "box", "dotted"),
}
_LEGEND = [
    ("leaf input", "leaf"),
    ("parameter", "param"),
    ("constant", "const"),
    ("operation", "op"),
    ("result", "tensor"),
    ("output", "output"),
]


@dataclass
class GraphNode:
    """One node of the drawing: `kind` is op, leaf, param, const, tensor, output or more."""

    id: str
    kind: str
    lines: list[str]
    inputs: list[str] = field(default_factory=list)  # ids of the nodes with arrows into this


def format_values(x: np.ndarray) -> str:
    """Values as a drawing shows them: a number, or a flat list, to 4 significant digits."""
    if x.size == 1:
        return f"{float(x.reshape(-1)[0]):.4g}"
    flat = ", ".join(f"{float(v):.3g}" for v in x.reshape(-1))
    return f"[{flat}]"


def _const_text(x: Any) -> str | None:
    """How a non-tensor argument of an operation is shown in its label (None: not shown)."""
    if x is None or isinstance(x, bool | np.dtype | type):
        return None
    if isinstance(x, np.ndarray):
        return format_values(x) if x.size <= 4 else f"array{x.shape}"
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, int | tuple):
        return repr(x)
    return None


def _tensor_lines(t: Tensor, title: str, max_values: int) -> list[str]:
    lines = [title, f"{tuple(t.data.shape)} {t.data.dtype}"]
    if t.data.size <= max_values:
        lines.append(f"value {format_values(t.data)}")
        grad = t.grad if t.is_leaf or t.retains_grad else None  # others have none
        if grad is not None:
            lines.append(f"grad {format_values(np.asarray(grad.data))}")
    return lines


FREED_NOTE = (
    "backward() has freed this graph, so only its last node is left. Draw before "
    "backward(), or call backward(retain_graph=True) to keep the graph."
)


def _name_table(what: str, mapping: Mapping[str, Any] | None) -> dict[int, str]:
    """id(tensor) -> name, from a mapping name -> object (non-tensors are ignored)."""
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise TypeError(
            f"{what} must be a dict of name -> tensor (e.g. "
            f"{'dict(model.named_parameters())' if what == 'params' else 'locals()'}), "
            f"got {type(mapping).__name__}"
        )
    table: dict[int, str] = {}
    for name, t in mapping.items():
        # names= usually gets locals(): skip Jupyter's _, __, _1 ... and keep the first name
        if isinstance(t, Tensor) and not str(name).startswith("_"):
            table.setdefault(id(t), str(name))
    return table


def graph_nodes(
    tensor: Tensor,
    params: dict[str, Any] | None = None,
    max_values: int = 4,
    max_nodes: int | None = None,
    names: Mapping[str, Any] | None = None,
) -> tuple[list[GraphNode], int]:
    """The graph behind `tensor` as a list of nodes in data-flow order (every node after
    the nodes it reads; an operation's inputs in the order it was given them), and how many
    nodes were left out to respect `max_nodes` (those farthest from `tensor`; a single
    "more" node stands for them). Warns when backward() has freed the graph.

    The graph is walked iteratively (breadth first from `tensor`), never recursively.
    """
    nodes, hidden, freed = _collect(tensor, params, max_values, max_nodes, names)
    if freed:
        warnings.warn(FREED_NOTE, stacklevel=2)
    return nodes, hidden


def _collect(
    tensor: Tensor,
    params: Mapping[str, Any] | None,
    max_values: int,
    max_nodes: int | None,
    names: Mapping[str, Any] | None,
) -> tuple[list[GraphNode], int, bool]:
    """`graph_nodes`, and whether a node on the way had been freed by backward()."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"expected a Tensor, got {type(tensor).__name__}")
    param_names = _name_table("params", params)
    var_names = _name_table("names", names)

    # 1. Walk from the output. A tensor is keyed like the engine keys it: by its node if it
    #    was computed, else by itself. Each key and each node gets one entry.
    def key(t: Tensor) -> Any:
        return t.grad_fn if t.grad_fn is not None else t

    tensors: dict[int, Tensor] = {}  # id(key) -> a tensor for that key
    ops: dict[int, Function] = {}
    preds: dict[str, list[str]] = {}  # node ref -> refs of its inputs
    order: list[str] = []  # breadth-first order from the output
    refs: dict[int, str] = {}

    def ref(obj: Any, prefix: str) -> str:
        if id(obj) not in refs:
            refs[id(obj)] = f"{prefix}{len(refs)}"
        return refs[id(obj)]

    root_ref = "v" + ref(key(tensor), "")
    tensors[id(key(tensor))] = tensor
    queue: deque = deque([(tensor, root_ref)])
    seen = {root_ref}
    order.append(root_ref)
    while queue:
        t, t_ref = queue.popleft()
        node = t.grad_fn
        if node is None:
            preds[t_ref] = []
            continue
        op_ref = "f" + ref(node, "")
        preds[t_ref] = [op_ref]
        if op_ref in seen:
            continue
        seen.add(op_ref)
        order.append(op_ref)
        ops[id(node)] = node
        preds[op_ref] = []
        for x in node.inputs:
            if not isinstance(x, Tensor):
                continue
            x_ref = "v" + ref(key(x), "")
            preds[op_ref].append(x_ref)
            if x_ref not in seen:
                seen.add(x_ref)
                order.append(x_ref)
                tensors[id(key(x))] = x
                queue.append((x, x_ref))

    # 2. Keep the nodes nearest the output when there are too many.
    hidden = 0
    if max_nodes is not None and len(order) > max_nodes:
        hidden = len(order) - (max_nodes - 1)
        kept = set(order[: max_nodes - 1])
    else:
        kept = set(order)

    # 3. Data-flow order: a node after all of its (kept) inputs. Kahn's algorithm.
    succs: dict[str, list[str]] = {r: [] for r in kept}
    indegree = {r: 0 for r in kept}
    for r in kept:
        for p in dict.fromkeys(preds.get(r, [])):
            if p in kept:
                succs[p].append(r)
                indegree[r] += 1
    rank = {r: i for i, r in enumerate(order)}
    ready = sorted((r for r in kept if indegree[r] == 0), key=lambda r: -rank[r])
    flow: list[str] = []
    while ready:
        r = ready.pop()
        flow.append(r)
        for s in succs[r]:
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
        ready.sort(key=lambda r: -rank[r])

    # 4. Labels and kinds.
    by_ref_tensor = {"v" + refs[k]: t for k, t in tensors.items()}
    by_ref_op = {"f" + refs[k]: n for k, n in ops.items()}
    out: list[GraphNode] = []
    freed = False
    if hidden:
        out.append(GraphNode("more", "more", [f"... {hidden} more nodes", "(truncated)"], []))
    for r in flow:
        inputs = [p for p in preds.get(r, []) if p in kept]
        if hidden and any(p not in kept for p in preds.get(r, [])):
            inputs.insert(0, "more")
        if r in by_ref_op:
            node = by_ref_op[r]
            lines = [type(node).__name__]
            consts = [c for c in map(_const_text, node.inputs) if c is not None]
            if consts:
                lines.append("with " + ", ".join(consts))
            if node.freed:
                lines.append("(freed by backward)")
                freed = True
            out.append(GraphNode(r, "op", lines, inputs))
            continue
        t = by_ref_tensor[r]
        name = getattr(t, "name", None) or param_names.get(id(t)) or var_names.get(id(t))
        if t.grad_fn is not None:
            kind, title = "tensor", name or type(t.grad_fn).__name__
        elif id(t) in param_names:
            kind, title = "param", name
        elif t.requires_grad:
            kind, title = "leaf", name or "leaf"
        else:
            kind, title = "const", name or "constant"
        if r == root_ref:
            kind = "output"
        out.append(GraphNode(r, kind, _tensor_lines(t, str(title), max_values), inputs))
    return out, hidden, freed


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(
    tensor: Tensor,
    params: dict[str, Any] | None = None,
    max_values: int = 4,
    max_nodes: int | None = None,
    rankdir: str = "TB",
    names: Mapping[str, Any] | None = None,
) -> str:
    """The graph that produced `tensor` as Graphviz DOT text.

    One node per tensor (its name, or the operation that made it; shape and dtype; values
    and gradient when it has at most `max_values` elements) and one per operation; edges
    run in data-flow order. `params` (name -> tensor, e.g. `dict(model.named_parameters())`)
    labels parameters, `names` (e.g. `locals()`) other tensors. Render with
    `dot -Tpng graph.dot -o graph.png`.
    """
    nodes, _, freed = _collect(tensor, params, max_values, max_nodes, names)
    if freed:
        warnings.warn(FREED_NOTE, stacklevel=2)
    return _dot_text(nodes, rankdir)


def _dot_text(nodes: list[GraphNode], rankdir: str = "TB") -> str:
    lines = [
        "digraph tinygrad_mlp {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica", fontsize=10];',
        "  edge [arrowsize=0.7];",
    ]
    for n in nodes:
        fill, shape, extra = _STYLE[n.kind]
        style = ",".join(s for s in ("filled", extra, "rounded" if n.kind == "tensor" else "") if s)
        label = "\\n".join(_dot_escape(s) for s in n.lines)
        lines.append(
            f'  {n.id} [label="{label}", shape={shape}, style="{style}", fillcolor="{fill}"];'
        )
    for n in nodes:
        for p in n.inputs:
            lines.append(f"  {p} -> {n.id};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- drawing
def _layers(nodes: list[GraphNode]) -> dict[str, int]:
    """A row per node: as low as its consumers allow (the output in the last row, and each
    other node just above the first node that uses it), but never above its inputs. So the
    main chain runs straight down and side branches (parameters, a penalty term) sit next
    to where they join it."""
    depth: dict[str, int] = {}
    consumers: dict[str, list[str]] = {n.id: [] for n in nodes}
    for n in nodes:  # data-flow order: inputs already placed
        depth[n.id] = 1 + max((depth[p] for p in n.inputs), default=-1)
        for p in n.inputs:
            consumers[p].append(n.id)
    last = max(depth.values())
    layer: dict[str, int] = {}
    for n in reversed(nodes):
        uses = consumers[n.id]
        layer[n.id] = min(layer[c] for c in uses) - 1 if uses else last
    return layer


def layout_cost(nodes: list[GraphNode]) -> int:
    """The nodes plus the rows their edges cross: what the layout has to place (an edge
    that skips rows gets a thin node in each), and so what its time grows with."""
    layer = _layers(nodes)
    return len(nodes) + sum(layer[n.id] - layer[p] - 1 for n in nodes for p in set(n.inputs))


def _layout(
    nodes: list[GraphNode], size: dict[str, tuple[float, float]]
) -> tuple[dict[str, tuple[float, float]], list[list[tuple[float, float]]], float, float]:
    """Place the nodes in rows (a layered layout, data flowing downwards).

    An edge that skips rows goes through a thin invisible node in each row it crosses, so
    that it gets a lane of its own instead of running over the boxes. The order within each
    row comes from a few barycentre sweeps (each node moves towards the mean position of its
    neighbours), the usual way to reduce crossings; an operation's inputs count as sitting
    at slightly different places along it (its first input leftmost), so that operands keep
    the order they were written in. Returns the centre of each node, each edge as a list of
    points, and the width and height used (inches).
    """
    layer = _layers(nodes)
    preds: dict[str, list[str]] = {}
    edges: list[list[str]] = []  # each edge as the chain of nodes it passes through
    lane_w = 0.04
    for n in nodes:
        preds.setdefault(n.id, [])
        for p in dict.fromkeys(n.inputs):
            chain = [p]
            for r in range(layer[p] + 1, layer[n.id]):
                d = f"_lane{len(layer)}"
                layer[d], size[d] = r, (lane_w, 0.0)
                preds[d] = [chain[-1]]
                chain.append(d)
            preds[n.id].append(chain[-1])
            chain.append(n.id)
            edges.append(chain)
    succs: dict[str, list[str]] = {v: [] for v in layer}
    for v, ps in preds.items():
        for p in ps:
            succs[p].append(v)
    rows: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for v in layer:
        rows[layer[v]].append(v)

    def place(row: list[str]) -> None:
        for i, v in enumerate(row):
            pos[v] = i - (len(row) - 1) / 2

    # port[(p, v)]: where along v the edge from its input p arrives, from -0.3 (the first
    # input) to 0.3 (the last); looking up from p, v counts as sitting there.
    port: dict[tuple[str, str], float] = {}
    for v, ps in preds.items():
        for i, u in enumerate(ps):
            port[(u, v)] = 0.6 * (i / (len(ps) - 1) - 0.5) if len(ps) > 1 else 0.0

    def upward(v: str) -> float:
        nb = succs[v]
        return sum(pos[c] + port[(v, c)] for c in nb) / len(nb) if nb else pos[v]

    def downward(v: str) -> float:
        nb = preds[v]
        return sum(pos[u] for u in nb) / len(nb) if nb else pos[v]

    pos: dict[str, float] = {}
    for row in rows:
        place(row)
    for _ in range(6):
        for sweep, rank_of in ((rows[1:], downward), (reversed(rows[:-1]), upward)):
            for row in sweep:
                row.sort(key=rank_of)
                place(row)
    # Then make sure: the inputs of each operation (all in the row above it) take the places
    # they hold in that row in operand order, whatever else pulled them.
    for upper, row in zip(rows, rows[1:]):
        for v in row:
            ins = list(dict.fromkeys(preds[v]))
            slots = sorted(upper.index(u) for u in ins)
            for slot, u in zip(slots, ins):
                upper[slot] = u
        place(upper)

    # x: start packed, then let each node drift towards its neighbours while keeping the
    # order of its row and the gaps (the mean of the leftmost and rightmost placements that
    # respect the gaps, both of which do, respects them too).
    gap_y, gap_x = 0.35, 0.16
    x_of: dict[str, float] = {}

    def fit(row: list[str], want: dict[str, float]) -> None:
        sep = [(size[a][0] + size[b][0]) / 2 + gap_x for a, b in zip(row, row[1:])]
        left = [want[row[0]]]
        for v, d in zip(row[1:], sep):
            left.append(max(want[v], left[-1] + d))
        right = [want[row[-1]]]
        for v, d in zip(reversed(row[:-1]), reversed(sep)):
            right.append(min(want[v], right[-1] - d))
        for v, a, b in zip(row, left, reversed(right)):
            x_of[v] = (a + b) / 2

    for row in rows:
        fit(row, {v: 0.0 for v in row})
    for _ in range(8):
        for sweep in (rows[1:], list(reversed(rows[:-1]))):
            for row in sweep:
                want = {}
                for v in row:
                    nb = preds[v] + succs[v]
                    want[v] = sum(x_of[u] for u in nb) / len(nb) if nb else x_of[v]
                fit(row, want)
    lo = min(x_of[v] - size[v][0] / 2 for v in x_of)
    hi = max(x_of[v] + size[v][0] / 2 for v in x_of)
    width = hi - lo
    xy: dict[str, tuple[float, float]] = {}
    half_h: dict[str, float] = {}
    y = 0.0
    for row in rows:
        h = max((size[v][1] for v in row), default=0.2) or 0.1
        for v in row:
            xy[v] = (x_of[v] - (lo + hi) / 2, y - h / 2)
            half_h[v] = size[v][1] / 2 if size[v][1] else h / 2
        y -= h + gap_y
    lines = []
    for chain in edges:
        points = [(xy[chain[0]][0], xy[chain[0]][1] - half_h[chain[0]])]
        for v in chain[1:-1]:  # down through the lane nodes
            points += [(xy[v][0], xy[v][1] + half_h[v]), (xy[v][0], xy[v][1] - half_h[v])]
        end, last = chain[-1], chain[-2]  # arrive at the input's port: a * b, a on the left
        points.append((xy[end][0] + port[(last, end)] * size[end][0], xy[end][1] + half_h[end]))
        lines.append(points)
    return {n.id: xy[n.id] for n in nodes}, lines, width, -y


def plural(n: int, noun: str) -> str:
    """ "1 operation", "2 operations"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _head_lines(nodes: list[GraphNode], hidden: int, title: str | None) -> list[str]:
    n_ops = sum(1 for n in nodes if n.kind == "op")
    n_tensors = sum(1 for n in nodes if n.kind not in ("op", "more"))
    lines = [title or f"{plural(n_ops, 'operation')}, {plural(n_tensors, 'tensor')}"]
    if hidden:
        lines.append(f"(truncated: the {hidden} nodes farthest from the output are not shown)")
    return lines


def _draw_matplotlib(
    nodes: list[GraphNode],
    hidden: int,
    path: Path,
    title: str | None,
    dpi: int,
    fmt: str,
    note: str | None = None,
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # lazy: only when drawing
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    fontsize = 7.0
    char_w, line_h = 0.62 * fontsize / 72, 1.3 * fontsize / 72  # inches
    size = {}
    for n in nodes:
        w = max(len(s) for s in n.lines) * char_w + 0.18
        h = len(n.lines) * line_h + 0.1
        size[n.id] = (w, h)
    xy, edge_lines, width, height = _layout(nodes, dict(size))
    head_lines = _head_lines(nodes, hidden, title)
    note_lines = textwrap.wrap(note, 70) if note else []
    margin, head = 0.3, 0.45 + 0.15 * (len(head_lines) + len(note_lines))
    fig_w, fig_h = max(width + 2 * margin, 4.5), height + 2 * margin + head
    fig = Figure(figsize=(fig_w, fig_h))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-fig_w / 2, fig_w / 2)
    ax.set_ylim(-height - margin, margin + head)
    ax.axis("off")
    for points in edge_lines:
        xs, ys = zip(*points)
        if len(points) > 2:
            ax.plot(xs[:-1], ys[:-1], color="#555555", lw=0.6)
        ax.add_artist(
            FancyArrowPatch(
                points[-2],
                points[-1],
                arrowstyle="-|>",
                mutation_scale=7,
                lw=0.6,
                color="#555555",
                shrinkA=0,
                shrinkB=0,
            )
        )
    for n in nodes:
        fill, shape, extra = _STYLE[n.kind]
        (x, yc), (w, h) = xy[n.id], size[n.id]
        box = "round,pad=0,rounding_size=0.12" if shape == "ellipse" else "square,pad=0"
        ax.add_artist(
            FancyBboxPatch(
                (x - w / 2, yc - h / 2),
                w,
                h,
                boxstyle=box,
                facecolor=fill,
                edgecolor="#333333",
                lw=1.4 if extra == "bold" else 0.7,
                linestyle="--" if extra in ("dashed", "dotted") else "-",
            )
        )
        ax.text(
            x,
            yc,
            "\n".join(n.lines),
            ha="center",
            va="center",
            fontsize=fontsize,
            family="monospace",
            linespacing=1.15,
        )
    ax.text(0, margin + head - 0.1, "\n".join(head_lines), ha="center", va="top", fontsize=9)
    if note_lines:
        top = margin + head - 0.1 - 0.15 * len(head_lines)
        ax.text(0, top, "\n".join(note_lines), ha="center", va="top", fontsize=8, color="#b00000")
    handles = [
        Patch(facecolor=_STYLE[k][0], edgecolor="#333333", label=name) for name, k in _LEGEND
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.15 * (1 + len(head_lines) + len(note_lines)) / fig_h),
        ncol=6 if fig_w > 7 else 3,
        fontsize=6.5,
        frameon=False,
    )
    fig.savefig(path, format=fmt, dpi=dpi)


def draw_graph(
    tensor: Tensor,
    path: str | Path,
    params: dict[str, Any] | None = None,
    max_values: int = 4,
    max_nodes: int = 120,
    title: str | None = None,
    dpi: int = 110,
    engine: str = "matplotlib",
    names: Mapping[str, Any] | None = None,
) -> Path:
    """Draw the graph that produced `tensor` into `path` (.png or .svg; .dot writes text).

    Layers follow the data flow from top to bottom. Graphs with more than `max_nodes`
    nodes are cut: the nodes nearest the output are drawn and the title says how many
    were left out. `engine="graphviz"` renders the DOT text with the `dot` program
    instead; `"auto"` does so when `dot` is on the PATH. Returns the path written.
    After a backward() that freed the graph it warns, and the drawing says what to do.
    For a drawing to show inline in Jupyter, use `graph()`.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "dot"):
        raise ValueError(f"draw_graph writes .png, .svg or .dot files, got {path.name!r}")
    if engine not in ("matplotlib", "graphviz", "auto"):
        raise ValueError(f"engine must be 'matplotlib', 'graphviz' or 'auto', got {engine!r}")
    nodes, hidden, freed = _collect(tensor, params, max_values, max_nodes, names)
    if freed:
        warnings.warn(FREED_NOTE, stacklevel=2)
    if fmt == "dot":
        path.write_text(_dot_text(nodes))
        return path
    dot = shutil.which("dot")
    if engine == "graphviz" and dot is None:
        raise RuntimeError("engine='graphviz' needs the Graphviz `dot` program on the PATH")
    if engine != "matplotlib" and dot is not None:
        text = _dot_text(nodes)
        subprocess.run(
            [dot, f"-T{fmt}", f"-Gdpi={dpi}", "-o", str(path)],
            input=text.encode(),
            check=True,
            capture_output=True,
        )
        return path
    _draw_matplotlib(nodes, hidden, path, title, dpi, fmt, FREED_NOTE if freed else None)
    return path


# ----------------------------------------------------------------------------- SVG
_FONT = 11.0  # px
_CHAR_W = 0.61 * _FONT  # the advance of a monospace glyph (DejaVu Sans Mono: 0.602 em)
_LINE_H = 14.0
_PX = 96.0  # px per inch: the layout works in inches
_FONT_FAMILY = "DejaVu Sans Mono, Menlo, Consolas, monospace"


def _role(line: str, i: int) -> str:
    if i == 0:
        return "title"
    for role in ("value", "grad"):
        if line.startswith(role + " "):
            return role
    return "info"


def svg_text(
    nodes: list[GraphNode],
    hidden: int,
    title: str | None = None,
    note: str | None = None,
    reserve: dict[str, str] | None = None,
) -> str:
    """Nodes (as `graph_nodes` gives them) drawn as a standalone SVG document (text), laid
    out like the PNG.

    Each node is a `<g class="tgm-node" data-node="<id>" data-kind="<kind>">` holding its box
    and one `<tspan data-role="title|info|value|grad">` per line; each edge is a
    `<g class="tgm-edge" data-from="<id>" data-to="<id>">`. No element has an `id`, so any
    number of drawings can share one page. `reserve` (node id -> text) widens those nodes
    for one more, empty, line with role "grad" that a script may fill in later.
    """
    reserve = reserve or {}
    size_px: dict[str, tuple[float, float]] = {}
    for n in nodes:
        lines = n.lines + ([reserve[n.id]] if n.id in reserve else [])
        w = max(len(s) for s in lines) * _CHAR_W + 16
        size_px[n.id] = (w, len(lines) * _LINE_H + 8)
    size_in = {k: (w / _PX, h / _PX) for k, (w, h) in size_px.items()}
    xy, edge_lines, width, height = _layout(nodes, dict(size_in))
    pairs = [(p, n.id) for n in nodes for p in dict.fromkeys(n.inputs)]  # _layout's order

    margin = 14.0
    graph_w = width * _PX
    total_w = max(graph_w + 2 * margin, 380.0)
    head = _head_lines(nodes, hidden, title)
    chars = max(int((total_w - 2 * margin) / (_CHAR_W * 1.0)), 30)
    notes = textwrap.wrap(note, chars) if note else []
    # the legend, in as many rows as the width needs
    legend_rows: list[list[tuple[float, str, str]]] = [[]]
    x = 0.0
    for label, kind in _LEGEND:
        item_w = 14 + len(label) * _CHAR_W + 14
        if x + item_w > total_w - 2 * margin and legend_rows[-1]:
            legend_rows.append([])
            x = 0.0
        legend_rows[-1].append((x, label, kind))
        x += item_w
    y = margin
    out: list[str] = []
    esc = html.escape
    for i, line in enumerate(head):
        y += 16 if i == 0 else 14
        size = 13 if i == 0 else 11
        out.append(
            f'<text class="tgm-head" x="{total_w / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
            f'font-size="{size}">{esc(line)}</text>'
        )
    for line in notes:
        y += 14
        out.append(
            f'<text class="tgm-note" x="{total_w / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
            f'fill="#b00000">{esc(line)}</text>'
        )
    for row in legend_rows:
        y += 18
        row_w = row[-1][0] + 14 + len(row[-1][1]) * _CHAR_W
        x0 = (total_w - row_w) / 2
        for x, label, kind in row:
            fill = _STYLE[kind][0]
            out.append(
                f'<rect x="{x0 + x:.1f}" y="{y - 10:.1f}" width="11" height="11" '
                f'fill="{fill}" stroke="#333333" stroke-width="0.7"/>'
                f'<text x="{x0 + x + 15:.1f}" y="{y:.1f}" font-size="10">{esc(label)}</text>'
            )
    top = y + 16
    total_h = top + height * _PX + margin

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] + width / 2) * _PX + (total_w - graph_w) / 2, top - point[1] * _PX

    out.append('<g class="tgm-edges">')
    for (src, dst), points in zip(pairs, edge_lines):
        pts = [at(p) for p in points]
        (x1, y1), (x2, y2) = pts[-2], pts[-1]
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        bx, by = x2 - 7 * ux, y2 - 7 * uy
        head_pts = f"{x2:.1f},{y2:.1f} {bx - 3.2 * uy:.1f},{by + 3.2 * ux:.1f} " + (
            f"{bx + 3.2 * uy:.1f},{by - 3.2 * ux:.1f}"
        )
        line_pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts[:-1] + [(bx, by)])
        out.append(
            f'<g class="tgm-edge" data-from="{esc(src)}" data-to="{esc(dst)}">'
            f'<polyline points="{line_pts}" fill="none" stroke="#555555" stroke-width="1"/>'
            f'<polygon points="{head_pts}" fill="#555555"/></g>'
        )
    out.append("</g>")
    out.append('<g class="tgm-nodes">')
    for n in nodes:
        fill, shape, extra = _STYLE[n.kind]
        (cx, cy), (w, h) = at(xy[n.id]), size_px[n.id]
        rx = h / 2 if shape == "ellipse" else (5 if n.kind == "tensor" else 0)
        stroke_w = 2.0 if extra == "bold" else 1.0
        dash = {"dashed": ' stroke-dasharray="5 3"', "dotted": ' stroke-dasharray="1.5 2.5"'}
        out.append(
            f'<g class="tgm-node" data-node="{esc(n.id)}" data-kind="{n.kind}">'
            f'<rect x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'rx="{rx:.1f}" fill="{fill}" stroke="#333333" stroke-width="{stroke_w}"'
            f"{dash.get(extra, '')}/>"
        )
        spans = [(line, _role(line, i)) for i, line in enumerate(n.lines)]
        if n.id in reserve:
            spans.append(("", "grad"))
        tspans = []
        for i, (line, role) in enumerate(spans):
            place = (
                f'y="{cy - h / 2 + 4 + _FONT:.1f}" font-weight="bold"'
                if i == 0
                else (f'dy="{_LINE_H:g}"')
            )
            tspans.append(f'<tspan x="{cx:.1f}" {place} data-role="{role}">{esc(line)}</tspan>')
        out.append(f'<text text-anchor="middle">{"".join(tspans)}</text></g>')
    out.append("</g>")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tgm-graph" width="{total_w:.0f}" '
        f'height="{total_h:.0f}" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'font-family="{_FONT_FAMILY}" font-size="{_FONT:g}">'
        f'<rect class="tgm-background" width="100%" height="100%" fill="#ffffff"/>'
        + "".join(out)
        + "</svg>"
    )


class GraphDrawing:
    """A drawing of the graph behind a tensor, made by `graph()`: shown inline by Jupyter
    (as SVG, drawn here: no Graphviz and no matplotlib needed) and saved by `save()`.

    It is a snapshot: the values and gradients of the moment `graph()` was called. `nodes`
    holds the nodes drawn (see `graph_nodes`), `freed` says whether backward() had freed
    the graph (the drawing then says what to do), `svg` is the SVG text.
    """

    def __init__(self, nodes: list[GraphNode], hidden: int, title: str | None, freed: bool) -> None:
        self.nodes = nodes
        self.hidden = hidden
        self.title = title
        self.freed = freed
        self.svg = svg_text(nodes, hidden, title, FREED_NOTE if freed else None)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f'<div style="overflow:auto; max-width:100%">{self.svg}</div>'

    def save(self, path: str | Path, dpi: int = 110) -> Path:
        """Write the drawing to `path`: .svg (this SVG), .html (a page holding it), .png
        (drawn with matplotlib at `dpi`) or .dot (Graphviz text). Returns the path."""
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt == "svg":
            path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + self.svg + "\n")
        elif fmt == "html":
            title = html.escape(self.title or "tinygrad_mlp graph")
            path.write_text(
                f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
                f"</head><body>{self._repr_html_()}</body></html>\n"
            )
        elif fmt == "png":
            note = FREED_NOTE if self.freed else None
            _draw_matplotlib(self.nodes, self.hidden, path, self.title, dpi, "png", note)
        elif fmt == "dot":
            path.write_text(_dot_text(self.nodes))
        else:
            raise ValueError(
                f"GraphDrawing.save writes .svg, .html, .png or .dot files, got {path.name!r}"
            )
        return path

    def __repr__(self) -> str:
        n_ops = sum(1 for n in self.nodes if n.kind == "op")
        return f"<GraphDrawing: {n_ops} operations, {len(self.nodes) - n_ops} tensors>"


def graph(
    tensor: Tensor,
    params: Mapping[str, Any] | None = None,
    names: Mapping[str, Any] | None = None,
    max_values: int = 4,
    max_nodes: int = 120,
    title: str | None = None,
) -> GraphDrawing:
    """The graph that produced `tensor`, as a drawing that Jupyter shows inline.

    Every tensor shows its name (or the operation that made it), shape and dtype, and, when
    it has at most `max_values` elements, its value and (once backward() has filled it) its
    `.grad`; every operation its name and constant arguments. An operation's inputs are
    drawn left to right in the order they were written (`a * b`: `a` on the left). Names
    come from `Tensor.name`, then `params` (e.g. `dict(model.named_parameters())`, drawn as
    parameters), then `names` (e.g. `locals()`: the variable a tensor is held in). Graphs of
    more than `max_nodes` nodes keep the part nearest `tensor`.

    Draw before backward(), or after backward(retain_graph=True): after a backward() that
    freed the graph only the last node is left, and `graph()` warns and says so.
    """
    nodes, hidden, freed = _collect(tensor, params, max_values, max_nodes, names)
    if freed:
        warnings.warn(FREED_NOTE, stacklevel=2)
    return GraphDrawing(nodes, hidden, title, freed)
