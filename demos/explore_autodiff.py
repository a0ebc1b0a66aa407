"""Look inside the engine: graphs, the backward pass step by step, and two checks.

    python demos/explore_autodiff.py [--out demos/out/]

1. A scalar expression, L = tanh(a * b + c) * a. Its graph is drawn, its backward pass is
   printed step by step (the chain rule worked by hand), and dL/da is checked against a
   central finite difference.
2. The origin network (2 -> Linear(4) -> ReLU -> BatchNorm1d -> Dropout -> Linear(4) ->
   ReLU -> Dropout -> Linear(1) -> Sigmoid) on XOR, with binary cross-entropy plus an L2
   penalty: its whole graph is drawn.
3. Batch norm: nothing in the library writes its gradient; it comes out of the chain of
   primitives the layer is made of. Here it is compared with the closed form from the
   literature:
       dx = (1/N) * gamma / sqrt(var + eps) * (N*dy - sum(dy) - x_hat * sum(dy * x_hat))

Writes PNG drawings and DOT files into --out, and the scalar expression's trace as a
step-through page (scalar_trace.html: open it in a browser); needs no display.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor, viz
from tinygrad_mlp.data import xor
from tinygrad_mlp.viz import trace

FD_TOLERANCE = 1e-7  # |finite difference - autograd| allowed for dL/da (float64, h = 1e-6)
BN_TOLERANCE = 1e-10  # max |composed - closed form| allowed for batch norm's dx (float64)


def expression(a: Tensor, b: Tensor, c: Tensor, name: bool = False) -> Tensor:
    """L = tanh(a * b + c) * a, step by step (a is used twice)."""
    e = a * b
    d = e + c
    f = d.tanh()
    L = f * a
    if name:
        e.name, d.name, f.name, L.name = "e", "d", "f", "L"
    return L


def scalar_part(out: Path) -> bool:
    print("=" * 78)
    print("1. A scalar expression: L = tanh(a * b + c) * a")
    print("=" * 78)
    values = {"a": 0.5, "b": -1.5, "c": 1.0}
    a, b, c = (Tensor(v, requires_grad=True, dtype=np.float64) for v in values.values())
    a.name, b.name, c.name = "a", "b", "c"
    with trace() as tr:
        L = expression(a, b, c, name=True)
        L.backward(retain_graph=True)  # retain_graph: keep the graph to draw it afterwards
    print(tr)
    viz.draw_graph(L, out / "scalar_graph.png", title="L = tanh(a * b + c) * a")
    (out / "scalar_graph.dot").write_text(viz.to_dot(L))
    tr.save_html(out / "scalar_trace.html")  # the same trace, to step through in a browser
    print(f"\nwrote {out / 'scalar_graph.png'}, scalar_graph.dot and scalar_trace.html")

    # dL/da by central differences: nudge a both ways, no gradients involved.
    h = 1e-6
    with tg.no_grad():
        up = expression(Tensor(values["a"] + h, dtype=np.float64), b, c).item()
        down = expression(Tensor(values["a"] - h, dtype=np.float64), b, c).item()
    fd = (up - down) / (2 * h)
    auto = a.grad.item()
    diff = abs(fd - auto)
    print("\nCheck dL/da by central differences, (L(a + h) - L(a - h)) / 2h with h = 1e-6:")
    print(f"  finite differences: dL/da ~ {fd:.12f}")
    print(f"  autograd:           dL/da = {auto:.12f}")
    print(f"  |difference| = {diff:.3e}  ({'agree' if diff < FD_TOLERANCE else 'DISAGREE'})")
    return diff < FD_TOLERANCE


def origin_network() -> nn.Sequential:
    """The network of the design note that this project grew from."""
    return nn.Sequential(
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


def network_part(out: Path) -> None:
    print()
    print("=" * 78)
    print("2. The origin network on XOR: BCE loss + L2 penalty")
    print("=" * 78)
    tg.manual_seed(0)
    X, y = xor()
    model = origin_network()
    params = dict(model.named_parameters())
    with trace(params=params) as tr:
        prob = model(Tensor(X))
        weights = [p for name, p in params.items() if name.endswith("weight")]
        loss = F.binary_cross_entropy(prob, y.reshape(-1, 1).astype(np.float32))
        loss = loss + F.l2_penalty(weights, 1e-3)
        loss.backward(retain_graph=True)
    print(model)
    counts = Counter(s.op for s in tr.forward)
    print(
        f"\nforward: {len(tr.forward)} primitive operations: "
        + ", ".join(f"{op} x{n}" for op, n in counts.most_common())
    )
    nodes = sum(1 for s in tr.forward if s.node is not None)
    print(
        f"{nodes} of them made graph nodes (the rest touched only constants); "
        f"backward ran {len(tr.backward)} rules"
    )
    print(f"loss = {loss.item():.6f}")
    viz.draw_graph(
        loss, out / "network_graph.png", params=params, max_nodes=200, title="origin network, XOR"
    )
    (out / "network_graph.dot").write_text(viz.to_dot(loss, params))
    print(f"wrote {out / 'network_graph.png'} and network_graph.dot")


def batchnorm_part(out: Path) -> bool:
    print()
    print("=" * 78)
    print("3. Batch norm's gradient, by composition and by the closed form")
    print("=" * 78)
    tg.manual_seed(1)
    rng = np.random.default_rng(1)
    N, C = 8, 3
    bn = nn.BatchNorm1d(C).double()
    bn.weight.data = rng.uniform(0.5, 2.0, C)
    bn.bias.data = rng.uniform(-1.0, 1.0, C)
    x = Tensor(rng.standard_normal((N, C)) * 2 + 1, requires_grad=True, dtype=np.float64)
    x.name = "x"
    dy = rng.standard_normal((N, C))
    with trace() as tr:
        y = bn(x)
        y.backward(dy, retain_graph=True)
    ops = " -> ".join(s.op for s in tr.forward)
    print(f"BatchNorm1d's forward is {len(tr.forward)} primitives: {ops}")
    print(f"its backward ran {len(tr.backward)} rules, none of them written for batch norm")
    viz.draw_graph(y, out / "batchnorm_graph.png", params={"gamma": bn.weight, "beta": bn.bias})
    print(f"wrote {out / 'batchnorm_graph.png'}")

    # The closed form, in NumPy.
    xv, gamma, eps = x.data, bn.weight.data, bn.eps
    mean, var = xv.mean(axis=0), xv.var(axis=0)
    x_hat = (xv - mean) / np.sqrt(var + eps)
    closed = (
        (1 / N)
        * gamma
        / np.sqrt(var + eps)
        * (N * dy - dy.sum(axis=0) - x_hat * (dy * x_hat).sum(axis=0))
    )
    composed = x.grad.data
    diff = float(np.abs(composed - closed).max())
    print("dx, first row:")
    print(f"  composed:    {np.array2string(composed[0], precision=10)}")
    print(f"  closed form: {np.array2string(closed[0], precision=10)}")
    print(
        f"  max |composed - closed form| over all {composed.size} entries = {diff:.3e}  "
        f"(max |dx| = {np.abs(closed).max():.3f}; {'agree' if diff < BN_TOLERANCE else 'DISAGREE'})"
    )
    return diff < BN_TOLERANCE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="demos/out/", help="folder for the drawings")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ok = scalar_part(out)
    network_part(out)
    ok = batchnorm_part(out) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
