"""tinygrad_mlp.viz, the explore_autodiff demo and the links of docs/how-it-works.md."""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor, manual_seed, viz
from tinygrad_mlp.autograd import Function
from tinygrad_mlp.data import xor

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NODE = re.compile(r'^\s+(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
EDGE = re.compile(r"^\s+(\w+) -> (\w+);$")


def parse_dot(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """Nodes (id -> (label, attributes)) in declaration order, and edges in order."""
    assert text.startswith("digraph ") and text.rstrip().endswith("}")
    nodes: dict[str, tuple[str, str]] = {}
    edges = []
    for line in text.splitlines()[1:-1]:
        if m := NODE.match(line):
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = (m.group(2), m.group(3))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        else:
            assert re.match(r"^\s+(rankdir|node|edge)\b", line), line
    return nodes, edges


def count_graph(root: Tensor) -> tuple[int, int, int]:
    """Independently: (operations, tensors, edges) of the graph behind root. A computed
    tensor is one per operation; a leaf or constant tensor counts once per object."""
    ops, leaves, edges = set(), set(), 0
    stack = [root.grad_fn] if root.grad_fn is not None else []
    if root.grad_fn is None:
        leaves.add(id(root))
    while stack:
        n = stack.pop()
        if id(n) in ops:
            continue
        ops.add(id(n))
        edges += 1  # op -> its output
        for x in n.inputs:
            if isinstance(x, Tensor):
                edges += 1
                if x.grad_fn is None:
                    leaves.add(id(x))
                else:
                    stack.append(x.grad_fn)
    return len(ops), len(ops) + len(leaves), edges


def xor_network() -> tuple[Tensor, dict[str, Tensor]]:
    manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 4),
        nn.ReLU(),
        nn.BatchNorm1d(4),
        nn.Dropout(0.1),
        nn.Linear(4, 4),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(4, 1),
        nn.Sigmoid(),
    )
    X, y = xor()
    params = dict(model.named_parameters())
    loss = F.binary_cross_entropy(model(Tensor(X)), y.reshape(-1, 1).astype(np.float32))
    loss = loss + F.l2_penalty([p for k, p in params.items() if k.endswith("weight")], 1e-3)
    return loss, params


def scalar_graph() -> tuple[Tensor, Tensor, Tensor, Tensor]:
    a = Tensor(0.5, requires_grad=True)
    b = Tensor(-1.5, requires_grad=True)
    c = Tensor(1.0, requires_grad=True)
    a.name, b.name, c.name = "a", "b", "c"
    y = (a * b + c).tanh() * a
    y.name = "y"
    return y, a, b, c


# ----------------------------------------------------------------------------- DOT
def test_a_lone_tensor_is_one_node(tmp_path: Path) -> None:
    t = Tensor([1.0, 2.0])
    nodes, edges = parse_dot(viz.to_dot(t))
    assert edges == [] and len(nodes) == 1
    (label, attrs) = nodes.popitem()[1]
    assert label == "constant\\n(2,) float32\\nvalue [1, 2]" and "#fff2cc" in attrs
    assert viz.draw_graph(t, tmp_path / "t.png").read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("which", ["scalar", "broadcast", "xor"])
def test_dot_is_structurally_valid(which: str) -> None:
    params = None
    if which == "scalar":
        root = scalar_graph()[0]
    elif which == "broadcast":
        x = Tensor(np.ones((3, 2)), requires_grad=True)
        w = Tensor(np.ones(2), requires_grad=True)
        root = ((x * w + 1.0) @ np.ones((2, 1))).sum()
    else:
        root, params = xor_network()
    nodes, edges = parse_dot(viz.to_dot(root, params))
    n_ops, n_tensors, n_edges = count_graph(root)
    assert len(nodes) == n_ops + n_tensors
    assert sum(1 for label, _ in nodes.values() if "ellipse" in _) == n_ops
    assert len(edges) == n_edges
    order = list(nodes)
    for src, dst in edges:
        assert src in nodes and dst in nodes
        assert order.index(src) < order.index(dst), "nodes are not in data-flow order"
        # an edge joins a tensor and an operation
        assert ("ellipse" in nodes[src][1]) != ("ellipse" in nodes[dst][1])
    sources = {s for s, _ in edges}
    targets = {d for _, d in edges}
    # exactly one tensor (the output) is used by nothing, and it is drawn as the output
    sinks = [n for n in nodes if n not in sources]
    assert len(sinks) == 1 and "#fff2cc" in nodes[sinks[0]][1]
    # every leaf is a source: nothing points at it
    for n, (_, attrs) in nodes.items():
        if "#cfe2f3" in attrs or "#d9ead3" in attrs:
            assert n not in targets


def test_dot_labels_names_values_gradients_and_styles() -> None:
    y, a, b, c = scalar_graph()
    y.backward(retain_graph=True)
    nodes, _ = parse_dot(viz.to_dot(y))
    labels = {label.split("\\n")[0]: (label, attrs) for label, attrs in nodes.values()}
    label, attrs = labels["a"]
    assert "value 0.5" in label and f"grad {a.grad.item():.4g}" in label
    assert "() float32" in label and "#cfe2f3" in attrs  # a leaf input
    assert f"value {np.tanh(0.5 * -1.5 + 1.0) * 0.5:.4g}" in labels["y"][0]
    assert {"Mul", "Add", "Tanh"} <= set(labels)
    # the intermediate a*b has no name: it is labelled by the operation that made it
    assert any(lab.startswith("Mul\\n() float32\\nvalue -0.75") for lab, _ in nodes.values())

    loss, params = xor_network()
    nodes, _ = parse_dot(viz.to_dot(loss, params))
    by_title = {label.split("\\n")[0]: attrs for label, attrs in nodes.values()}
    for name in params:
        assert "#d9ead3" in by_title[name] and "bold" in by_title[name]  # parameters
    assert any("dashed" in attrs for _, attrs in nodes.values())  # the XOR inputs: a constant
    big = [label for label, _ in nodes.values() if label.startswith("0.weight")]
    assert big == ["0.weight\\n(4, 2) float32"]  # 8 values: more than max_values, not shown


def test_walk_is_iterative_and_truncation_keeps_the_output_end() -> None:
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):  # far deeper than Python's recursion limit
        y = y * 1.0
    nodes, edges = parse_dot(viz.to_dot(y))
    assert len(nodes) == 3000 + 3001
    kept, hidden = viz.graph_nodes(y, max_nodes=40)
    assert len(kept) == 40 and hidden == 6001 - 39
    assert kept[0].kind == "more" and f"{hidden} more nodes" in kept[0].lines[0]
    assert kept[-1].kind == "output"


def test_freed_graph_says_so_and_warns_what_to_do(tmp_path: Path) -> None:
    y = scalar_graph()[0]
    y.backward()
    advice = r"freed.*retain_graph=True"
    with pytest.warns(UserWarning, match=advice):
        nodes, _ = parse_dot(viz.to_dot(y))
    assert any("freed by backward" in label for label, _ in nodes.values())
    for call in (
        lambda: viz.graph_nodes(y),
        lambda: viz.draw_graph(y, tmp_path / "freed.png"),
        lambda: viz.graph(y),
    ):
        with pytest.warns(UserWarning, match=advice):
            call()
    with pytest.warns(UserWarning):
        drawing = viz.graph(y)
    assert drawing.freed and "retain_graph=True" in drawing.svg
    # a graph drawn before backward (or kept by retain_graph) does not warn
    y2 = scalar_graph()[0]
    y2.backward(retain_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not viz.graph(y2).freed


# ----------------------------------------------------------------------------- SVG
SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str) -> tuple[dict[str, dict], list[tuple[str, str]], list[str]]:
    """Nodes (data-node -> kind, lines by role, centre x and y), edges (from, to), and the
    texts of the head (title, notes), from the SVG as XML."""
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg"
    assert root.find(f".//{SVG}*[@id]") is None, "ids would clash between drawings on a page"
    nodes: dict[str, dict] = {}
    edges = []
    for g in root.iter(SVG + "g"):
        if g.get("class") == "tgm-node":
            rect = g.find(SVG + "rect")
            spans = list(g.iter(SVG + "tspan"))
            nodes[g.get("data-node")] = {
                "kind": g.get("data-kind"),
                "lines": [t.text or "" for t in spans],
                "roles": {t.get("data-role"): t.text or "" for t in spans},
                "x": float(rect.get("x")) + float(rect.get("width")) / 2,
                "y": float(rect.get("y")) + float(rect.get("height")) / 2,
            }
        elif g.get("class") == "tgm-edge":
            edges.append((g.get("data-from"), g.get("data-to")))
            assert g.find(SVG + "polyline") is not None and g.find(SVG + "polygon") is not None
    head = [t.text for t in root.iter(SVG + "text") if t.get("class") in ("tgm-head", "tgm-note")]
    return nodes, edges, head


def by_title(nodes: dict[str, dict]) -> dict[str, dict]:
    return {n["lines"][0]: n for n in nodes.values()}


def inputs_of(nodes: dict[str, dict], edges: list[tuple[str, str]], op_title: str) -> list[str]:
    """The titles of the tensors drawn into the (one) operation called op_title, left to
    right as drawn."""
    (op_id,) = [k for k, n in nodes.items() if n["kind"] == "op" and n["lines"][0] == op_title]
    ins = [nodes[src] for src, dst in edges if dst == op_id]
    return [n["lines"][0] for n in sorted(ins, key=lambda n: n["x"])]


def test_graph_svg_shows_operations_shapes_values_gradients_and_names() -> None:
    y, a, b, c = scalar_graph()
    y.backward(retain_graph=True)
    drawing = viz.graph(y)
    assert drawing._repr_svg_() == drawing.svg and drawing.svg in drawing._repr_html_()
    nodes, edges, head = parse_svg(drawing.svg)
    n_ops, n_tensors, n_edges = count_graph(y)
    assert len(nodes) == n_ops + n_tensors and len(edges) == n_edges
    assert sorted(n["lines"][0] for n in nodes.values() if n["kind"] == "op") == sorted(
        ["Mul", "Add", "Tanh", "Mul"]
    )
    titled = by_title(nodes)
    for leaf, value in ((a, "0.5"), (b, "-1.5"), (c, "1")):
        n = titled[leaf.name]
        assert n["kind"] == "leaf"
        assert n["lines"] == [
            leaf.name,
            "() float32",
            f"value {value}",
            f"grad {leaf.grad.item():.4g}",
        ]
    out = titled["y"]
    assert out["kind"] == "output" and out["roles"]["value"] == (
        f"value {np.tanh(0.5 * -1.5 + 1.0) * 0.5:.4g}"
    )
    assert "grad" not in out["roles"]  # not a leaf: backward() keeps no .grad for it
    assert head[0] == f"{n_ops} operations, {n_tensors} tensors"
    # data flows downwards: every edge goes from a higher node to a lower one
    for src, dst in edges:
        assert nodes[src]["y"] < nodes[dst]["y"]


@pytest.mark.parametrize("swap", [False, True])
def test_graph_draws_operands_in_the_order_they_were_written(swap: bool) -> None:
    x = Tensor(np.ones((2, 3)), name="x")
    w = Tensor(np.ones(3), requires_grad=True, name="w")
    bias = Tensor(np.zeros(3), requires_grad=True, name="bias")
    out = ((bias + w * x) if swap else (x * w + bias)) @ Tensor(np.ones((3, 1)), name="v")
    nodes, edges, _ = parse_svg(viz.graph(out).svg)
    assert inputs_of(nodes, edges, "Mul") == (["w", "x"] if swap else ["x", "w"])
    assert inputs_of(nodes, edges, "Add") == (["bias", "Mul"] if swap else ["Mul", "bias"])
    assert inputs_of(nodes, edges, "MatMul") == ["Add", "v"]
    # a used again later (pulled to the right by its second use) still sits left of b
    y = scalar_graph()[0]
    nodes, edges, _ = parse_svg(viz.graph(y).svg)
    (first_mul,) = [
        k
        for k, n in nodes.items()
        if n["kind"] == "op" and n["y"] == min(m["y"] for m in nodes.values() if m["kind"] == "op")
    ]
    ins = sorted((nodes[s] for s, d in edges if d == first_mul), key=lambda n: n["x"])
    assert [n["lines"][0] for n in ins] == ["a", "b"]
    z = Tensor(3.0, requires_grad=True, name="z") - Tensor(1.0, requires_grad=True, name="u")
    nodes, edges, _ = parse_svg(viz.graph(z).svg)
    assert inputs_of(nodes, edges, "Sub") == ["z", "u"]


def names_in_a_function() -> viz.GraphDrawing:
    x = Tensor([1.0, 2.0], name="input")  # an explicit name wins over the variable's
    w = Tensor([0.5, -1.0], requires_grad=True)
    hidden = x * w
    loss = hidden.sum()
    _private = loss  # noqa: F841 - names starting with _ are skipped
    return viz.graph(loss, names=locals())


def test_graph_names_tensors_by_name_then_params_then_variables() -> None:
    titles = set(by_title(parse_svg(names_in_a_function().svg)[0]))
    assert {"input", "w", "hidden", "loss", "Mul", "Sum"} == titles
    model = nn.Linear(2, 1)
    x = Tensor([[1.0, 2.0]])
    out = model(x).sum()
    nodes, _, _ = parse_svg(
        viz.graph(out, params=dict(model.named_parameters()), names={"x": x}).svg
    )
    titled = by_title(nodes)
    assert titled["weight"]["kind"] == "param" and titled["bias"]["kind"] == "param"
    assert titled["x"]["kind"] == "const"  # names= only names; it does not make a parameter
    model.weight.name = "W"
    nodes, _, _ = parse_svg(viz.graph(out, params=dict(model.named_parameters())).svg)
    assert "W" in by_title(nodes) and "weight" not in by_title(nodes)
    with pytest.raises(TypeError, match="names must be a dict"):
        viz.graph(out, names=[x])


def test_graph_saves_svg_html_png_and_dot(tmp_path: Path) -> None:
    y = scalar_graph()[0]
    drawing = viz.graph(y, title="L = tanh(a * b + c) * a")
    assert parse_svg(drawing.svg)[2][0] == "L = tanh(a * b + c) * a"
    svg = drawing.save(tmp_path / "g.svg").read_text()
    assert parse_svg(svg)[0] == parse_svg(drawing.svg)[0]
    page = drawing.save(tmp_path / "g.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and drawing.svg in page
    assert drawing.save(tmp_path / "g.png").read_bytes().startswith(PNG_SIGNATURE)
    dot_nodes, dot_edges = parse_dot(drawing.save(tmp_path / "g.dot").read_text())
    assert len(dot_nodes) == len(drawing.nodes)
    with pytest.raises(ValueError, match=r"\.svg, \.html, \.png or \.dot.*g\.gif"):
        drawing.save(tmp_path / "g.gif")


# ----------------------------------------------------------------------------- drawings
def test_draw_graph_writes_png_and_svg_for_the_xor_network(tmp_path: Path) -> None:
    from matplotlib import get_backend
    from matplotlib.image import imread

    backend = get_backend()
    loss, params = xor_network()
    png = viz.draw_graph(loss, tmp_path / "net.png", params=params, max_nodes=300, dpi=60)
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
    pixels = np.round(imread(png)[..., :3] * 255).astype(int)

    def share(rgb: tuple[int, int, int]) -> float:
        return float((np.abs(pixels - rgb).max(axis=-1) <= 1).mean())

    assert share((0xD9, 0xEA, 0xD3)) > 1e-3  # the parameters' fill
    assert share((0xFC, 0xE5, 0xCD)) > 1e-3  # the operations' fill
    assert share((0xFF, 0xFF, 0xFF)) < 0.97  # not a blank page (about 0.953 for this graph)
    svg = viz.draw_graph(loss, tmp_path / "net.svg", params=params).read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    dot = viz.draw_graph(loss, tmp_path / "net.dot", params=params).read_text()
    assert dot == viz.to_dot(loss, params, max_nodes=120)
    assert get_backend() == backend  # drawing does not switch the user's backend


def test_draw_graph_truncates_large_graphs(tmp_path: Path) -> None:
    from matplotlib.image import imread

    y = Tensor(np.ones(3), requires_grad=True)
    for _ in range(1000):
        y = (y * 1.0).tanh()
    small = imread(viz.draw_graph(y, tmp_path / "small.png", max_nodes=20, dpi=50))
    large = imread(viz.draw_graph(y, tmp_path / "large.png", max_nodes=40, dpi=50))
    # a chain: one row per node drawn, so the height grows with max_nodes, not the graph
    assert small.shape[0] < large.shape[0] < 1.5 * 40 * 50


def test_draw_graph_rejects_unknown_formats_and_engines(tmp_path: Path) -> None:
    y = scalar_graph()[0]
    with pytest.raises(ValueError, match="png"):
        viz.draw_graph(y, tmp_path / "g.jpg")
    with pytest.raises(ValueError, match="engine"):
        viz.draw_graph(y, tmp_path / "g.png", engine="cairo")


def test_graphviz_engine_runs_dot_with_the_dot_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    y = scalar_graph()[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(RuntimeError, match="dot"):
        viz.draw_graph(y, tmp_path / "g.png", engine="graphviz")
    # "auto" without dot falls back to matplotlib
    assert viz.draw_graph(y, tmp_path / "auto.png", engine="auto").read_bytes()[:8] == (
        PNG_SIGNATURE
    )
    # a stand-in `dot` that records its input and arguments
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "dot"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "text = sys.stdin.read()\n"
        "out = pathlib.Path(sys.argv[sys.argv.index('-o') + 1])\n"
        "out.write_text(' '.join(sys.argv[1:]) + '\\n' + text)\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    out = viz.draw_graph(y, tmp_path / "g.svg", engine="graphviz").read_text()
    args, text = out.split("\n", 1)
    assert "-Tsvg" in args.split()
    assert text == viz.to_dot(y, max_nodes=120)


def test_importing_viz_does_not_import_matplotlib() -> None:
    code = "import sys, tinygrad_mlp.viz; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------------- the demo
def load_demo():
    spec = importlib.util.spec_from_file_location(
        "explore_autodiff", ROOT / "demos" / "explore_autodiff.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_runs_headless_and_its_checks_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    demo = load_demo()
    assert demo.main(["--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    for name in ("scalar_graph.png", "network_graph.png", "batchnorm_graph.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000
    for name in ("scalar_graph.dot", "network_graph.dot"):
        parse_dot((tmp_path / name).read_text())
    page = (tmp_path / "scalar_trace.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count('class="tgm-node"') == 4 + 7
    # the finite-difference check it prints: recompute the agreement from the numbers
    fd = float(re.search(r"finite differences: dL/da ~ (\S+)", text).group(1))
    auto = float(re.search(r"autograd:\s+dL/da = (\S+)", text).group(1))
    a, b, c, h = 0.5, -1.5, 1.0, 1e-6

    def L(a: float) -> float:
        return np.tanh(a * b + c) * a

    assert fd == pytest.approx((L(a + h) - L(a - h)) / (2 * h), abs=1e-9)
    by_hand = np.tanh(a * b + c) + a * b * (1 - np.tanh(a * b + c) ** 2)
    assert auto == pytest.approx(by_hand, abs=1e-11)
    assert abs(fd - auto) < 1e-7
    # the batch-norm comparison: both printed rows agree, and so does the reported maximum
    rows = re.findall(r"(composed|closed form):\s+\[([^\]]+)\]", text)
    composed, closed = (np.array(r[1].split(), dtype=float) for r in rows)
    np.testing.assert_allclose(composed, closed, rtol=1e-9)
    diff = float(re.search(r"max \|composed - closed form\| .*? = (\S+)", text).group(1))
    assert diff < 1e-10
    # the trace of the scalar expression is in the output, with a's two contributions
    assert re.search(r"a\.grad \+= \S+ \+ \S+ = (\S+)", text).group(1) == f"{auto:.6g}"


def test_demo_origin_network_matches_the_design() -> None:
    demo = load_demo()
    model = demo.origin_network()
    kinds = [type(m).__name__ for m in model]
    assert kinds == [
        "Linear", "ReLU", "BatchNorm1d", "Dropout", "Linear", "ReLU", "Dropout", "Linear",
        "Sigmoid",
    ]  # fmt: skip
    sizes = [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)]
    assert sizes == [(2, 4), (4, 4), (4, 1)]


def test_no_function_apply_left_patched() -> None:
    assert Function.__dict__["apply"].__func__.__code__.co_filename.endswith("autograd.py")


# ----------------------------------------------------------------------------- the tour's links
TOUR = ROOT / "docs" / "how-it-works.md"
LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)\s]*)?\)")


@functools.cache
def defined_names(path: Path) -> set[str]:
    """Functions, classes and methods defined in a Python file (as name and Class.name)."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        names.add(f"{node.name}.{item.name}")
    return names


def tour_links() -> list[tuple[str, str, str | None]]:
    return [m.groups() for m in LINK.finditer(TOUR.read_text())]


def test_tour_links_point_at_code_that_exists() -> None:
    links = tour_links()
    code_links = [(t, p, a) for t, p, a in links if not p.startswith("http")]
    assert len(code_links) >= 20
    for text, target, anchor in code_links:
        path = (TOUR.parent / target).resolve()
        assert path.exists(), f"{target} (linked as {text!r}) does not exist"
        if path.suffix != ".py":
            continue
        named = re.match(r"`([\w.]+)(?:\(\))?`", text)  # [`name` in file] names a definition
        if named:
            assert named.group(1) in defined_names(path), f"{named.group(1)} not in {target}"
        if anchor:  # #L10 or #L10-L20: the lines exist
            lines = [int(n) for n in re.findall(r"L(\d+)", anchor)]
            assert max(lines) <= len(path.read_text().splitlines()), (target, anchor)


def test_tour_figures_exist_and_are_small() -> None:
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", TOUR.read_text())
    assert figures
    for fig in figures:
        path = (TOUR.parent / fig).resolve()
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) < 600_000, fig
