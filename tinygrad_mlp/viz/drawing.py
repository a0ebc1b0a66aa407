"""Draw the graph that produced a tensor.

    from tinygrad_mlp import viz
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
graph also drops each node's inputs, and then only the nodes themselves are left.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..autograd import Function
from ..tensor import Tensor

__all__ = ["to_dot", "draw_graph", "graph_nodes"]

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


def _fmt_values(x: np.ndarray) -> str:
    if x.size == 1:
        return f"{float(x.reshape(-1)[0]):.4g}"
    flat = ", ".join(f"{float(v):.3g}" for v in x.reshape(-1))
    return f"[{flat}]"


def _const_text(x: Any) -> str | None:
    """How a non-tensor argument of an operation is shown in its label (None: not shown)."""
    if x is None or isinstance(x, bool | np.dtype | type):
        return None
    if isinstance(x, np.ndarray):
        return _fmt_values(x) if x.size <= 4 else f"array{x.shape}"
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, int | tuple):
        return repr(x)
    return None


def _tensor_lines(t: Tensor, title: str, max_values: int) -> list[str]:
    lines = [title, f"{tuple(t.data.shape)} {t.data.dtype}"]
    if t.data.size <= max_values:
        lines.append(f"value {_fmt_values(t.data)}")
        if t.grad is not None:
            lines.append(f"grad {_fmt_values(np.asarray(t.grad.data))}")
    return lines


def graph_nodes(
    tensor: Tensor,
    params: dict[str, Any] | None = None,
    max_values: int = 4,
    max_nodes: int | None = None,
) -> tuple[list[GraphNode], int]:
    """The graph behind `tensor` as a list of nodes in data-flow order (every node after
    the nodes it reads), and how many nodes were left out to respect `max_nodes` (those
    farthest from `tensor`; a single "more" node stands for them).

    The graph is walked iteratively (breadth first from `tensor`), never recursively.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"expected a Tensor, got {type(tensor).__name__}")
    names = {id(t): name for name, t in (params or {}).items()}

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
            out.append(GraphNode(r, "op", lines, inputs))
            continue
        t = by_ref_tensor[r]
        name = getattr(t, "name", None) or names.get(id(t))
        if t.grad_fn is not None:
            kind, title = "tensor", name or type(t.grad_fn).__name__
        elif id(t) in names:
            kind, title = "param", name
        elif t.requires_grad:
            kind, title = "leaf", name or "leaf"
        else:
            kind, title = "const", name or "constant"
        if r == root_ref:
            kind = "output"
        out.append(GraphNode(r, kind, _tensor_lines(t, str(title), max_values), inputs))
    return out, hidden


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(
    tensor: Tensor,
    params: dict[str, Any] | None = None,
    max_values: int = 4,
    max_nodes: int | None = None,
    rankdir: str = "TB",
) -> str:
    """The graph that produced `tensor` as Graphviz DOT text.

    One node per tensor (its name, or the operation that made it; shape and dtype; values
    and gradient when it has at most `max_values` elements) and one per operation; edges
    run in data-flow order. `params` (name -> tensor, e.g. `dict(model.named_parameters())`)
    labels parameters. Render with `dot -Tpng graph.dot -o graph.png`.
    """
    nodes, _ = graph_nodes(tensor, params, max_values, max_nodes)
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


def _layout(
    nodes: list[GraphNode], size: dict[str, tuple[float, float]]
) -> tuple[dict[str, tuple[float, float]], list[list[tuple[float, float]]], float, float]:
    """Place the nodes in rows (a layered layout, data flowing downwards).

    An edge that skips rows goes through a thin invisible node in each row it crosses, so
    that it gets a lane of its own instead of running over the boxes. The order within each
    row comes from a few barycentre sweeps (each node moves towards the mean position of its
    neighbours), the usual way to reduce crossings. Returns the centre of each node, each
    edge as a list of points, and the width and height used (inches).
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

    pos: dict[str, float] = {}
    for row in rows:
        place(row)
    for _ in range(6):
        for sweep, neighbours in ((rows[1:], preds), (reversed(rows[:-1]), succs)):
            for row in sweep:
                row.sort(
                    key=lambda v, nb=neighbours: (
                        sum(pos[u] for u in nb[v]) / len(nb[v]) if nb[v] else pos[v]
                    )
                )
                place(row)

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
        points.append((xy[chain[-1]][0], xy[chain[-1]][1] + half_h[chain[-1]]))
        lines.append(points)
    return {n.id: xy[n.id] for n in nodes}, lines, width, -y


def _draw_matplotlib(
    nodes: list[GraphNode], hidden: int, path: Path, title: str | None, dpi: int, fmt: str
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
    margin, head = 0.3, 0.6
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
    n_ops = sum(1 for n in nodes if n.kind == "op")
    n_tensors = sum(1 for n in nodes if n.kind not in ("op", "more"))
    head_text = title or f"{n_ops} operations, {n_tensors} tensors"
    if hidden:
        head_text += f"\n(truncated: the {hidden} nodes farthest from the output are not shown)"
    ax.text(0, margin + head - 0.1, head_text, ha="center", va="top", fontsize=9)
    handles = [
        Patch(facecolor=_STYLE[k][0], edgecolor="#333333", label=name) for name, k in _LEGEND
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - (0.45 if hidden else 0.3) / fig_h),
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
) -> Path:
    """Draw the graph that produced `tensor` into `path` (.png or .svg; .dot writes text).

    Layers follow the data flow from top to bottom. Graphs with more than `max_nodes`
    nodes are cut: the nodes nearest the output are drawn and the title says how many
    were left out. `engine="graphviz"` renders the DOT text with the `dot` program
    instead; `"auto"` does so when `dot` is on the PATH. Returns the path written.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "dot":
        path.write_text(to_dot(tensor, params, max_values, max_nodes))
        return path
    if fmt not in ("png", "svg"):
        raise ValueError(f"draw_graph writes .png, .svg or .dot files, got {path.name!r}")
    if engine not in ("matplotlib", "graphviz", "auto"):
        raise ValueError(f"engine must be 'matplotlib', 'graphviz' or 'auto', got {engine!r}")
    dot = shutil.which("dot")
    if engine == "graphviz" and dot is None:
        raise RuntimeError("engine='graphviz' needs the Graphviz `dot` program on the PATH")
    if engine != "matplotlib" and dot is not None:
        text = to_dot(tensor, params, max_values, max_nodes)
        subprocess.run(
            [dot, f"-T{fmt}", f"-Gdpi={dpi}", "-o", str(path)],
            input=text.encode(),
            check=True,
            capture_output=True,
        )
        return path
    nodes, hidden = graph_nodes(tensor, params, max_values, max_nodes)
    _draw_matplotlib(nodes, hidden, path, title, dpi, fmt)
    return path
