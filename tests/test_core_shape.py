"""The engine's shape: one observation point, clean borders between modules, no latent
traps in hooks, a garbage-collector pause that is safe with threads."""

from __future__ import annotations

import ast
import gc
import threading
from pathlib import Path

import numpy as np
import pytest

from tinygrad_mlp import Tensor, nodes, ops
from tinygrad_mlp.autograd import Function, Observer, grad, observe

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_mlp"


def leaf(values, dtype=np.float64) -> Tensor:
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True, dtype=dtype)


# ----------------------------------------------------------------------------- observation point
class Recorder(Observer):
    def __init__(self) -> None:
        self.events: list = []

    def forward(self, op, node, inputs, out) -> None:
        self.events.append(("forward", op.__name__, node is not None, out.shape))

    def begin_backward(self, roots) -> None:
        self.events.append(("begin", len(roots)))

    def backward(self, node, grad_output, grads, rule_out) -> None:
        shapes = [None if g is None else g.shape for g in grads]
        raw = [None if r is None else r.shape for r in rule_out]
        self.events.append(("backward", node.name(), grad_output.shape, shapes, raw))

    def end_backward(self) -> None:
        self.events.append(("end",))


def test_an_observer_sees_each_operation_and_each_backward_step_in_order() -> None:
    a, b = leaf(np.ones((3, 4))), leaf([1.0, 2.0, 3.0, 4.0])
    with observe(Recorder()) as rec:
        y = (a + b).sum()
        y.backward()
    assert rec.events == [
        ("forward", "Add", True, (3, 4)),
        ("forward", "Sum", True, ()),
        ("begin", 1),
        ("backward", "Sum", (), [(3, 4), None, None], [(3, 4), None, None]),
        # b's share arrives summed back to b's shape; the rule itself returned (3, 4)
        ("backward", "Add", (3, 4), [(3, 4), (4,)], [(3, 4), (3, 4)]),
        ("end",),
    ]
    np.testing.assert_array_equal(b.grad.data, [3.0] * 4)


def test_the_gradients_an_observer_sees_are_the_ones_the_engine_sends() -> None:
    x = leaf([0.5, -1.5])
    seen = {}

    class Grads(Observer):
        def backward(self, node, grad_output, grads, rule_out) -> None:
            seen[node.name()] = grads

    with observe(Grads()):
        (gx,) = grad((x * x).tanh().sum(), x)
    t = np.tanh(np.array([0.25, 2.25]))
    np.testing.assert_allclose(seen["Mul"][0] + seen["Mul"][1], gx.data)
    np.testing.assert_allclose(gx.data, (1 - t**2) * 2 * x.data)


def test_observers_stop_at_the_end_of_the_block_and_are_per_thread() -> None:
    a = leaf([1.0])
    with observe(Recorder()) as rec:
        other = threading.Thread(target=lambda: (a * 2).backward())
        other.start()
        other.join()
    (a * 3).sum()
    assert rec.events == []


def test_an_observer_is_told_the_pass_ended_when_it_raises() -> None:
    a = leaf([1.0, 2.0])
    y = (a * a).sum()
    y.register_hook(lambda g: (_ for _ in ()).throw(RuntimeError("boom")))
    with observe(Recorder()) as rec:
        with pytest.raises(RuntimeError, match="boom"):
            y.backward()
    assert rec.events == [("begin", 1), ("end",)]


# ----------------------------------------------------------------------------- hooks
def test_a_hook_that_changes_the_gradient_shape_is_refused() -> None:
    w = leaf(np.ones((2, 3)))
    w.register_hook(lambda g: g.sum(axis=0))
    with pytest.raises(RuntimeError, match=r"changed the size of value.*\(2, 3\).*\(3,\)"):
        (w * 2).sum().backward()
    assert w.grad is None
    h = leaf(np.ones((2, 3)))
    y = h * 2
    y.register_hook(lambda g: Tensor(np.ones(())))  # a 0-d one would broadcast silently
    with pytest.raises(RuntimeError, match="changed the size of value"):
        y.sum().backward()


@pytest.mark.parametrize("n", [4, 100_000])  # small and large: the same behaviour
def test_a_hook_may_edit_its_gradient_in_place_at_any_size(n) -> None:
    x = leaf(np.ones(n))
    y = x * 1.0

    def double(g: Tensor) -> None:
        g.data *= 2  # the gradient of a sum is a broadcast; it must still be writable

    y.register_hook(double)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full(n, 2.0))


def test_hooks_and_retain_grad_work_on_primitives_without_a_dict() -> None:
    class Double(ops.Primitive):
        __slots__ = ()

        def forward(ctx, x):
            return 2 * x

        def backward(ctx, g):
            return 2 * g

    x = leaf([1.0, 2.0])
    y = Double.apply(x)
    assert not hasattr(y.grad_fn, "__dict__")
    calls = []
    y.register_hook(lambda g: calls.append(g.data.copy()))
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(calls[0], 2 * y.data)
    np.testing.assert_allclose(y.grad.data, 2 * y.data)
    np.testing.assert_allclose(x.grad.data, 8 * x.data)


# ----------------------------------------------------------------------------- garbage collector
def test_backward_in_many_threads_leaves_the_collector_on() -> None:
    assert gc.isenabled()
    start = threading.Barrier(4)
    errors = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(30):
                x = leaf(np.ones(3))
                y = x
                for _ in range(50):
                    y = y * 1.01
                y.sum().backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and gc.isenabled()


def test_the_collector_stays_paused_while_any_pass_runs() -> None:
    inside, release = threading.Event(), threading.Event()
    x = leaf([1.0])
    y = x * 2

    def wait_in_hook(g):
        inside.set()
        release.wait(10)

    y.register_hook(wait_in_hook)
    first = threading.Thread(target=lambda: y.sum().backward())
    first.start()
    assert inside.wait(10)
    assert not gc.isenabled()  # the first pass is paused inside its hook
    (leaf([3.0]) * 2).sum().backward()  # a second pass starts and ends meanwhile
    assert not gc.isenabled()  # the first is still running
    release.set()
    first.join()
    assert gc.isenabled()


# ----------------------------------------------------------------------------- borders
def _imports_of_private_names(path: Path) -> list[str]:
    """`from .m import _x`, and `Name._x` where Name was imported from the package."""
    tree = ast.parse(path.read_text())
    imported: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.level or "tinygrad_mlp" in (node.module or "")
        ):
            for alias in node.names:
                name = alias.asname or alias.name
                imported.add(name)
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}: imports {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{path.name}:{node.lineno}: uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_underscore_names() -> None:
    found = [f for path in sorted(PACKAGE.rglob("*.py")) for f in _imports_of_private_names(path)]
    assert found == []


def test_the_border_check_would_see_a_private_import(tmp_path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from .tensor import _x\nfrom .tensor import Tensor\nTensor._make(1)\n")
    assert len(_imports_of_private_names(bad)) == 2


def test_function_keeps_no_unused_ceremony() -> None:
    # PyTorch's next_functions is a view kept out of the core (nodes.py), not the engine's
    assert "next_functions" not in vars(Function)
    assert Function.next_functions is nodes.NodeViews.next_functions
    node = (leaf([1.0]) * 2).grad_fn
    assert "forward" in vars(ops.Mul) and not isinstance(vars(ops.Mul)["forward"], staticmethod)
    assert node.name() == "Mul"


# ----------------------------------------------------------------------------- what a rule reads
def test_a_plain_pass_after_a_create_graph_pass_reads_arrays_again() -> None:
    """A rule reads `saved_tensors` as Tensors only while create_graph records it: a later
    plain pass through the same (retained) graph gets the arrays and the same gradient."""
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x * x).sum()  # dy/dx = 3 x^2
    (g,) = grad(y, [x], create_graph=True, retain_graph=True)
    assert isinstance(g, Tensor) and g.grad_fn is not None
    np.testing.assert_allclose(g.data, [3.0, 12.0, 27.0])
    node = y.grad_fn.inputs[0].grad_fn  # the Mul of (x * x) and x
    assert all(isinstance(s, np.ndarray) for s in node.saved_tensors)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 12.0, 27.0])


def test_needs_input_grad_is_one_flag_per_input_in_a_users_backward() -> None:
    seen = []

    class Scale(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)  # a tuple, as torch's: == (True, False)
            return g, None

    a, b = leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))
    Scale.apply(a, b).sum().backward()
    Scale.apply(b, a).sum().backward()
    assert seen == [(True, False), (False, True)]


def test_a_change_to_an_array_the_node_did_not_save_is_not_an_error() -> None:
    """Only what a node saved is checked: Add saves nothing, so changing its input after
    the op is harmless (as in PyTorch), while Mul saved it and refuses."""
    x = leaf([1.0, 2.0])
    a = x * 1.0
    s = a + 1.0
    t = a * a
    a.add_(1.0)  # a moves to a new node; the old array is the one s and t used
    s.sum().backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.data, [1.0, 1.0])
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        t.sum().backward()
