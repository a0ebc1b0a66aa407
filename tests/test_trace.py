"""tinygrad_mlp.viz.trace: the recorded backward pass agrees with the engine and with the chain
rule worked by hand, and tracing leaves no trace in the engine once the block is over."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import Tensor, ops
from tinygrad_mlp.autograd import Function, grad
from tinygrad_mlp.viz import trace

ORIGINAL_APPLY = Function.__dict__["apply"]


def scalar(v: float, name: str) -> Tensor:
    t = Tensor(v, requires_grad=True, dtype=np.float64)
    t.name = name
    return t


def graph_of(root: Tensor) -> tuple[list[Function], dict[int, list[Function]]]:
    """Every node behind `root`, and for each node the nodes that consume its output."""
    nodes, consumers, stack, seen = [], {}, [root.grad_fn], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        nodes.append(n)
        consumers.setdefault(id(n), [])
        for x in n.inputs:
            if isinstance(x, Tensor) and x.grad_fn is not None:
                consumers.setdefault(id(x.grad_fn), []).append(n)
                stack.append(x.grad_fn)
    return nodes, consumers


def assert_reverse_topological(steps: list, consumers: dict[int, list[Function]]) -> None:
    """Each node runs only after every node that uses its output has run."""
    position = {id(s.node): i for i, s in enumerate(steps)}
    for s in steps:
        for c in consumers[id(s.node)]:
            assert position[id(c)] < position[id(s.node)], (s.op, c)


# ----------------------------------------------------------------------------- the example
@given(
    st.floats(-2, 2, allow_nan=False),
    st.floats(-2, 2, allow_nan=False),
    st.floats(-2, 2, allow_nan=False),
)
def test_tanh_of_a_times_b_plus_c_matches_the_chain_rule_and_backward(
    av: float, bv: float, cv: float
) -> None:
    a, b, c = scalar(av, "a"), scalar(bv, "b"), scalar(cv, "c")
    with trace() as tr:
        y = (a * b + c).tanh()
        nodes, consumers = graph_of(y)
        y.backward()
    assert [s.op for s in tr.backward] == ["Tanh", "Add", "Mul"]
    assert_reverse_topological(tr.backward, consumers)
    assert {id(s.node) for s in tr.backward} == {id(n) for n in nodes}

    # By hand: u = a*b + c, y = tanh(u), dy/du = 1 - tanh(u)^2.
    du = 1 - np.tanh(av * bv + cv) ** 2
    tanh_step, add_step, mul_step = tr.backward
    assert tanh_step.grad_output.value == pytest.approx(1.0)
    assert tanh_step.sent[0].value == pytest.approx(du, rel=1e-12, abs=1e-300)
    assert add_step.grad_output.value == pytest.approx(du, rel=1e-12, abs=1e-300)
    assert [s.value for s in add_step.sent] == pytest.approx([du, du], rel=1e-12, abs=1e-300)
    to_a, to_b = mul_step.sent
    assert to_a.value == pytest.approx(du * bv, rel=1e-12, abs=1e-300)
    assert to_b.value == pytest.approx(du * av, rel=1e-12, abs=1e-300)
    # ... and exactly what backward() left in .grad
    assert to_a.value == a.grad.item() and to_b.value == b.grad.item()
    assert add_step.sent[1].value == c.grad.item()
    totals = tr.leaf_grads()
    assert totals == {"a": a.grad.item(), "b": b.grad.item(), "c": c.grad.item()}


def test_table_reads_as_the_chain_rule() -> None:
    a, b, c = scalar(0.5, "a"), scalar(-1.5, "b"), scalar(1.0, "c")
    with trace() as tr:
        y = (a * b + c).tanh()
        y.name = "y"
        y.backward()
    text = tr.table()
    assert str(tr) == text
    # each rule is the primitive's docstring, written in the node's own tensor names
    assert "rule: t1 = a * b; da = g * b, db = g * a" in text
    assert "rule: t2 = t1 + c; dt1 = g, dc = g" in text
    assert "rule: y = tanh(t2); dt2 = g * (1 - y * y)" in text
    assert "out =" not in text
    # the first step is where backward() starts: dL/dL = 1, no product that cites itself
    assert "g = dL/dL = 1   (backward() starts here: L is y)" in text
    assert "dL/dL *" not in text and "dL/dy *" not in text
    u = 0.5 * -1.5 + 1.0
    first = re.search(r"-> dL/dt2 = (\S+)   \(the rule with g = 1\)", text)
    assert first is not None and float(first.group(1)) == pytest.approx(1 - np.tanh(u) ** 2)
    # every later "-> dL/dv = dL/dout * dout/dv = g * local = result" multiplies correctly
    chain = re.findall(r"-> dL/d(\w+) = dL/d(\w+) \* d(\w+)/d(\w+) = (\S+) \* (\S+) = (\S+)", text)
    assert len(chain) == 4  # add -> 2 inputs, mul -> 2
    for to, out, out2, to2, g, local, result in chain:
        assert (out, to) == (out2, to2)
        assert float(g) * float(local) == pytest.approx(float(result), rel=1e-5)
    sent = {to: float(result) for to, *_, result in chain}
    assert sent["b"] == pytest.approx((1 - np.tanh(u) ** 2) * 0.5, rel=1e-5)
    assert "y = Tanh(t2)" in text and "t1 = Mul(a, b)" in text


def test_calls_show_constants_and_reduction_arguments_by_keyword() -> None:
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True, name="x")
    with trace() as tr:
        y = (x * 2.0).sum()
        z = x.sum(axis=0, keepdims=True)
        w = x.reshape(2, 3)
        y.backward()
    calls = [tr.call_text(s) for s in tr.forward]
    assert calls == [
        "Mul(x, 2)",
        "Sum(t1, axis=None)",
        "Sum(x, axis=(0,), keepdims=True)",  # the axes as checked: a tuple
        "Reshape(x, shape=(2, 3))",
    ]
    text = tr.table()
    assert "t2 = Sum(t1, axis=None)" in text
    # a constant input keeps its letter in the rule, and its value is said
    assert "rule: t1 = x * b; dx = g * b, db = g * x   (b = 2: a constant" in text
    assert z.shape == (1, 2) and w.shape == (2, 3)


def test_empty_or_outside_traces_say_why_and_what_to_do() -> None:
    a = scalar(0.3, "a")
    with trace() as empty:
        pass
    assert "Nothing was recorded" in empty.table()
    y = (a * 2.0).tanh()
    with trace() as before:  # the forward ran before the block: nothing is watched
        y.backward()
    assert before.forward == [] and before.backward == []
    assert "run the forward pass inside the block" in " ".join(before.table().split())
    with trace() as outside:
        y = (a * 2.0).tanh()
    assert "call backward() inside" in " ".join(outside.table().split())
    y.backward()  # after the block: not recorded, and the graph is freed
    note = outside.diagnosis()
    assert "freed" in note and "retain_graph=True" in note and "inside the block" in note
    with trace() as constants:
        Tensor(1.0) * 2.0
    assert "no input of these operations requires grad" in " ".join(constants.table().split())
    with trace() as fine:
        (a * 2.0).backward()
    assert fine.diagnosis() is None and "Note:" not in fine.table()


def test_reused_tensor_shows_the_sum_of_its_uses() -> None:
    a = scalar(0.7, "a")
    with trace() as tr:
        t = a * a  # a used twice by one op
        z = t * t + t  # t used three times
        z.backward()
    text = tr.table()
    m = re.search(r"g = dL/d\w+ = (\S+) \+ (\S+) \+ (\S+) = (\S+)\s+\(sum over its 3 uses\)", text)
    assert m is not None
    parts = [float(v) for v in m.groups()]
    tv = 0.7 * 0.7
    assert sorted(parts[:3]) == pytest.approx(sorted([1.0, tv, tv]), rel=1e-5)
    assert parts[3] == pytest.approx(2 * tv + 1, rel=1e-5)
    assert "a.grad += " in text
    assert tr.leaf_grads()["a"] == pytest.approx((2 * tv + 1) * 2 * 0.7, rel=1e-12)


# ----------------------------------------------------------------------------- any graph
_UNARY = ("tanh", "exp", "sigmoid")
_BINARY = ("add", "sub", "mul")


@st.composite
def programs(draw: st.DrawFn) -> list[tuple]:
    """A random straight-line program over 3 inputs: each step applies an op to earlier
    values (so values are reused and the graph has diamonds)."""
    steps = []
    for i in range(draw(st.integers(1, 8))):
        n = 3 + i
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(_UNARY)), draw(st.integers(0, n - 1))))
        else:
            op = draw(st.sampled_from(_BINARY))
            steps.append((op, draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))))
    return steps


def run(program: list[tuple], values: list) -> list:
    for step in program:
        op, *args = step
        x = [values[i] for i in args]
        if op in _UNARY:
            values.append(getattr(x[0] * 0.5, op)())
        else:
            values.append({"add": x[0] + x[1], "sub": x[0] - x[1], "mul": x[0] * x[1]}[op])
    return values


@given(programs(), st.lists(st.floats(-1, 1, allow_nan=False), min_size=3, max_size=3))
def test_any_graph_runs_in_reverse_topological_order_and_sums_to_grad(
    program: list[tuple], inputs: list[float]
) -> None:
    xs = [Tensor(v, requires_grad=True, dtype=np.float64) for v in inputs]
    for i, x in enumerate(xs):
        x.name = f"x{i}"
    with trace() as tr:
        values = run(program, list(xs))
        out = values[-1] * 1.0  # make sure the output is a computed tensor
        nodes, consumers = graph_of(out)
        out.backward()
    assert_reverse_topological(tr.backward, consumers)
    assert len(tr.backward) == len(nodes)
    totals = tr.leaf_grads()
    for x in xs:
        if x.grad is None:
            assert x.name not in totals
        else:
            np.testing.assert_allclose(totals[x.name], x.grad.data, rtol=1e-12, atol=1e-300)


def test_broadcast_input_is_shown_reduced_to_its_shape() -> None:
    rng = np.random.default_rng(0)
    xv, wv = rng.standard_normal((4, 2)), rng.standard_normal(2)
    x = Tensor(xv, requires_grad=True, dtype=np.float64)
    w = Tensor(wv, requires_grad=True, dtype=np.float64)
    with trace(params={"w": w}) as tr:
        (x * w).sum().backward()
    (mul_step,) = [s for s in tr.backward if s.op == "Mul"]
    to_x, to_w = mul_step.sent
    assert to_w.summed_from == (4, 2) and to_w.shape == (2,)
    np.testing.assert_allclose(to_w.value, xv.sum(axis=0), rtol=1e-12)
    assert to_x.summed_from is None and to_x.value is None  # 8 elements: more than max_values
    assert to_x.shape == (4, 2)
    assert "w.grad += " in tr.table()
    np.testing.assert_allclose(tr.leaf_grads()["w"], xv.sum(axis=0), rtol=1e-12)


def test_second_derivative_pass_is_recorded_separately() -> None:
    x = scalar(1.3, "x")
    with trace() as tr:
        y = x * x * x
        (gx,) = grad(y, x, create_graph=True)
        gx.backward()
    assert any(s.during_backward for s in tr.forward)
    assert {s.pass_index for s in tr.backward} == {0, 1}
    assert tr.leaf_grads(0)["x"] == pytest.approx(3 * 1.3**2)  # d(x^3)/dx
    assert tr.leaf_grads(1)["x"] == pytest.approx(6 * 1.3)  # d(3x^2)/dx
    assert "Backward pass 2" in tr.table()


# ----------------------------------------------------------------------------- no cost when off
def test_the_engine_is_never_patched_and_nodes_get_no_attributes() -> None:
    a, b = scalar(2.0, "a"), scalar(3.0, "b")
    outside = a * b
    with trace() as tr:
        assert Function.__dict__["apply"] is ORIGINAL_APPLY  # watched, not replaced
        inside = a * b
        inside.backward()
    assert Function.__dict__["apply"] is ORIGINAL_APPLY
    assert ORIGINAL_APPLY.__func__.__code__.co_filename.endswith("autograd.py")
    for node in [s.node for s in tr.forward] + [inside.grad_fn, outside.grad_fn]:
        assert vars(node) == {}  # nothing written onto nodes
    for cls in (ops.Mul, ops.Add, ops.Tanh):
        assert "apply" not in vars(cls)
    (a * b).backward()  # after the block: nothing more is recorded
    assert [s.op for s in tr.forward] == ["Mul"] and [s.op for s in tr.backward] == ["Mul"]


def test_watching_stops_when_the_block_raises_and_nests() -> None:
    a = scalar(2.0, "a")
    with pytest.raises(RuntimeError, match="inside"):
        with trace() as tr:
            a * a
            raise RuntimeError("inside the block")
    a * a
    assert len(tr.forward) == 1
    with trace() as outer:
        with trace() as inner:
            (a * a).backward()
        a.tanh().backward()
    assert [s.op for s in inner.forward] == ["Mul"]
    assert [s.op for s in outer.forward] == ["Mul", "Tanh"]
    assert [s.op for s in inner.backward] == ["Mul"]
    assert [s.op for s in outer.backward] == ["Mul", "Tanh"]


def test_only_the_tracing_thread_is_recorded() -> None:
    import threading

    a = scalar(2.0, "a")
    with trace() as tr:
        worker = threading.Thread(target=lambda: (a * a).backward())
        worker.start()
        worker.join()
        a.tanh()
    assert [s.op for s in tr.forward] == ["Tanh"] and tr.backward == []


def test_backward_after_the_block_is_not_recorded_and_is_unchanged() -> None:
    a = scalar(0.3, "a")
    with trace() as tr:
        y = (a * 2).tanh()
    y.backward()
    assert tr.backward == []
    assert a.grad.item() == pytest.approx(2 * (1 - np.tanh(0.6) ** 2), rel=1e-12)


def test_limit_stops_recording() -> None:
    a = scalar(0.3, "a")
    with trace(limit=2) as tr:
        y = a * 1.0
        for _ in range(4):
            y = y + 1.0
        y.backward()
    assert len(tr.forward) == 2 and tr.truncated
    assert "recording stopped after 2 operations" in tr.table()
    assert [s.op for s in tr.backward] == ["Add", "Mul"]  # only watched nodes are shown
    assert a.grad.item() == 1.0
