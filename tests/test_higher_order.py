"""Second and higher derivatives: create_graph=True through every op (checked by central
differences of the engine's own first derivative), the package's gradgradcheck on smooth
ops, and Hessian-vector products against closed forms."""

import numpy as np
import pytest
from helpers import check_grads, random_grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    arrays,
    axis_and_keepdims,
    broadcastable_shapes,
    distinct_arrays,
    integer_indices,
    matmul_shapes,
    separated_pair,
    shapes,
    upstream_grads,
)

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor, ops
from tinygrad_mlp.autograd import grad
from tinygrad_mlp.gradcheck import gradgradcheck

SMALL = {"max_dims": 2, "max_side": 3}


def one(lo=-2.0, hi=2.0, avoid=(), min_dims=0):
    """Draw one input of a random small shape."""

    def draw(data):
        shape = data.draw(shapes(min_dims=min_dims, **SMALL), label="shape")
        return [data.draw(arrays(shape, lo, hi, avoid=avoid, margin=0.3), label="x")], None

    return draw


def two(kind="any"):
    """Draw two inputs of shapes that broadcast together."""

    def draw(data):
        sa, sb = data.draw(broadcastable_shapes(**SMALL), label="shapes")
        if kind == "apart":
            return list(data.draw(separated_pair(sa, sb), label="a, b")), None
        lo_a, lo_b, avoid_b = {
            "any": (-2, -2, ()),
            "pos": (0.5, -2, ()),
            "div": (-2, -2, (0,)),
        }.get(kind, (-2, -2, ()))
        avoid_a = (0,) if kind == "where" else ()  # where's condition is a.data > 0
        a = data.draw(arrays(sa, lo_a, 2, avoid=avoid_a, margin=0.3), label="a")
        b = data.draw(arrays(sb, lo_b, 2, avoid=avoid_b, margin=0.5), label="b")
        return [a, b], None

    return draw


def reduced(distinct=False, min_count=1):
    """Draw one input and (axis, keepdims), passed to fn as `extra`."""

    def draw(data):
        shape = data.draw(shapes(min_dims=1, **SMALL), label="shape")
        axis, keepdims = data.draw(axis_and_keepdims(len(shape)), label="axis, keepdims")
        n = np.ones(shape).sum(axis=axis, keepdims=True)
        n = int(np.prod(shape) // max(n.size, 1))
        if n < min_count:
            axis = None  # reduce everything, over at least min_count elements
            if int(np.prod(shape)) < min_count:
                shape = (min_count,)
        x = data.draw(distinct_arrays(shape) if distinct else arrays(shape), label="x")
        return [x], (axis, keepdims)

    return draw


def mm(data):
    sa, sb = data.draw(matmul_shapes(max_batch_dims=1, max_side=3), label="shapes")
    return [data.draw(arrays(sa), label="a"), data.draw(arrays(sb), label="b")], None


def indexed(data):
    shape = data.draw(shapes(min_dims=1, **SMALL), label="shape")
    return [data.draw(arrays(shape), label="x")], data.draw(integer_indices(shape), label="index")


def masked(data):
    shape = data.draw(shapes(min_dims=1, **SMALL), label="shape")
    mask = data.draw(hnp.arrays(np.bool_, shape), label="mask")
    return [data.draw(arrays(shape), label="x")], mask


def pair_same(data):
    shape = data.draw(shapes(min_dims=1, **SMALL), label="shape")
    return [data.draw(arrays(shape), label="a"), data.draw(arrays(shape), label="b")], None


# name: (fn(*tensors, extra), how to draw (arrays, extra))
OPS = {
    # linear ops get a square around them: their first derivative would be constant
    "add": (lambda a, b, e: (a + b) ** 2, two()),
    "sub": (lambda a, b, e: (a - b) * a, two()),
    "mul": (lambda a, b, e: a * b, two()),
    "div": (lambda a, b, e: a / b, two("div")),
    "pow": (lambda a, b, e: a**b, two("pos")),
    "pow_const": (lambda x, e: x**3, one()),
    "neg": (lambda x, e: -x * x, one()),
    "exp": (lambda x, e: x.exp(), one()),
    "log": (lambda x, e: x.log(), one(0.3, 3.0)),
    "sqrt": (lambda x, e: x.sqrt(), one(0.3, 3.0)),
    "tanh": (lambda x, e: x.tanh(), one()),
    "sigmoid": (lambda x, e: x.sigmoid(), one()),
    "relu": (lambda x, e: x.relu() * x, one(avoid=(0,))),
    "abs": (lambda x, e: x.abs() * x, one(avoid=(0,))),
    "clip": (lambda x, e: x.clip(-1.0, 1.0) * x, one(avoid=(-1, 1))),
    "maximum": (lambda a, b, e: tg.maximum(a, b) * a, two("apart")),
    "minimum": (lambda a, b, e: tg.minimum(a, b) * b, two("apart")),
    "where": (lambda a, b, e: tg.where(a.data > 0, a * b, b * b), two("where")),
    "matmul": (lambda a, b, e: (a @ b) * (a @ b), mm),
    "sum": (lambda x, e: x.sum(*e) ** 2, reduced()),
    "mean": (lambda x, e: x.mean(*e) ** 2, reduced()),
    "max": (lambda x, e: x.max(axis=e[0], keepdims=e[1]) ** 2, reduced(distinct=True)),
    "min": (lambda x, e: x.min(axis=e[0], keepdims=e[1]) ** 2, reduced(distinct=True)),
    "var": (lambda x, e: x.var(axis=e[0], ddof=0, keepdims=e[1]), reduced()),
    "var_ddof1": (lambda x, e: x.var(axis=e[0], ddof=1, keepdims=e[1]), reduced(min_count=2)),
    "var_torch": (lambda x, e: x.var(e[0], keepdim=e[1]), reduced(min_count=2)),
    "std": (lambda x, e: x.std(e[0], True, e[1]), reduced(distinct=True, min_count=2)),
    "reshape": (lambda x, e: x.reshape(-1) ** 2, one()),
    "transpose": (lambda x, e: x.T * x.T.exp(), one()),
    "swapaxes": (lambda x, e: x.unsqueeze(0).swapaxes(0, -1) ** 2, one()),
    "flatten": (lambda x, e: x.flatten().tanh(), one()),
    "broadcast_to": (lambda x, e: x.broadcast_to((2, *x.shape)) ** 2, one()),
    "expand": (lambda x, e: x.expand(3, *x.shape).sigmoid(), one()),
    "getitem_int": (lambda x, e: x[e] ** 2, indexed),
    "getitem_mask": (lambda x, e: x[e] ** 3, masked),
    "getitem_slice": (lambda x, e: x[::-1, None] * x[..., :1], one(min_dims=1)),
    "concatenate": (lambda a, b, e: tg.concatenate([a * b, b], -1) ** 2, pair_same),
    "stack": (lambda a, b, e: tg.stack([a, a * b], 0).exp(), pair_same),
    "astype": (lambda x, e: x.astype(np.float64) ** 2, one()),
}


@pytest.mark.parametrize("name", list(OPS))
@settings(max_examples=12)
@given(data=st.data())
def test_create_graph_through_every_op(name, data):
    """h(x) = sum_i <d<fn(x), g>/d x_i, w_i>, with the inner gradient made by the engine with
    create_graph=True; the engine's gradient of h must match central differences of h."""
    fn, draw = OPS[name]
    xs, extra = draw(data)
    out_shape = fn(*(Tensor(x, dtype=np.float64) for x in xs), extra).shape
    g = data.draw(upstream_grads(out_shape), label="g")
    ws = [data.draw(upstream_grads(x.shape), label="w") for x in xs]

    def first_derivative(*ts):
        gs = grad(fn(*ts, extra), ts, g, create_graph=True, allow_unused=True)
        total = Tensor(0.0, dtype=np.float64)
        for gi, w in zip(gs, ws):
            if gi is not None:
                total = total + (gi * w).sum()
        return total

    # the recorded first derivative has the same value as the plain one
    ts = [Tensor(x, dtype=np.float64, requires_grad=True) for x in xs]
    recorded = grad(fn(*ts, extra), ts, g, create_graph=True, allow_unused=True)
    plain = grad(fn(*ts, extra), ts, g, allow_unused=True)
    for r, p in zip(recorded, plain):
        assert (r is None) == (p is None)
        if r is not None:
            np.testing.assert_allclose(r.data, p.data, rtol=1e-13, atol=1e-13)
    check_grads(first_derivative, xs, np.array(data.draw(st.floats(0.5, 2.0))), record=True)


SMOOTH = {
    "exp": (lambda x: x.exp(), [(3,)]),
    "log": (lambda x: (x * x + 1.0).log(), [(2, 3)]),
    "sqrt": (lambda x: (x * x + 0.5).sqrt(), [(4,)]),
    "tanh": (lambda x: x.tanh(), [(2, 2)]),
    "sigmoid": (lambda x: x.sigmoid(), [(3,)]),
    "mul_div": (lambda a, b: a * b / (b * b + 1.0), [(2, 3), (3,)]),
    "pow": (lambda a, b: (a * a + 0.5) ** b, [(2, 2), (2, 1)]),
    "matmul": (lambda a, b: (a @ b).tanh(), [(2, 3), (3, 2)]),
    "matmul_t": (lambda a, b: ops.MatMulT.apply(a, b).tanh(), [(2, 3), (4, 3)]),
    "batched_matmul": (lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    "var_std": (lambda x: x.var(axis=0) + x.std(axis=0, ddof=1), [(3, 4)]),
    "mean_sum": (lambda x: x.mean(axis=1, keepdims=True) * x.sum(), [(2, 3)]),
    "getitem": (lambda x: x[np.array([0, 0, 2])] * x[::-1], [(3,)]),
    "concatenate": (lambda a, b: tg.concatenate([a, b * a], 1).exp(), [(2, 1), (2, 2)]),
    "stack": (lambda a, b: tg.stack([a, b], 1).sigmoid() * a.sum(), [(3,), (3,)]),
}


@pytest.mark.parametrize("name", list(SMOOTH))
def test_gradgradcheck_on_smooth_ops(name):
    fn, input_shapes = SMOOTH[name]
    rng = np.random.default_rng(11)
    inputs = [
        Tensor(rng.uniform(-1.5, 1.5, s), dtype=np.float64, requires_grad=True)
        for s in input_shapes
    ]
    assert gradgradcheck(fn, inputs)


def test_hessian_vector_product_closed_form():
    """f(x) = (x . x)^2:  grad = 4 (x . x) x,  H v = 4 (x . x) v + 8 x (x . v)."""
    rng = np.random.default_rng(12)
    x_np, v_np = rng.standard_normal(5), rng.standard_normal(5)
    x = Tensor(x_np, dtype=np.float64, requires_grad=True)
    (g,) = grad(((x * x).sum()) ** 2, x, create_graph=True)
    np.testing.assert_allclose(g.data, 4 * (x_np @ x_np) * x_np, rtol=1e-12)
    (hv,) = grad(g, x, grad_outputs=Tensor(v_np, dtype=np.float64))
    expected = 4 * (x_np @ x_np) * v_np + 8 * x_np * (x_np @ v_np)
    np.testing.assert_allclose(hv.data, expected, rtol=1e-12)
    # the same through backward(create_graph=True) and a second backward
    y = Tensor(x_np, dtype=np.float64, requires_grad=True)
    (((y * y).sum()) ** 2).backward(create_graph=True)
    first = y.grad
    assert first.requires_grad and first.grad_fn is not None
    y.grad = None
    (first * Tensor(v_np, dtype=np.float64)).sum().backward()
    np.testing.assert_allclose(y.grad.data, expected, rtol=1e-12)


def test_hessian_of_a_quadratic_form_with_matmul():
    """f(x) = x^T A x:  H = A + A^T, so H v = (A + A^T) v; A is a constant array."""
    rng = np.random.default_rng(13)
    A, x_np, v = rng.standard_normal((4, 4)), rng.standard_normal(4), rng.standard_normal(4)
    x = Tensor(x_np, dtype=np.float64, requires_grad=True)
    (g,) = grad(x @ (A @ x), x, create_graph=True)
    np.testing.assert_allclose(g.data, (A + A.T) @ x_np, rtol=1e-12)
    (hv,) = grad(g, x, v)
    np.testing.assert_allclose(hv.data, (A + A.T) @ v, rtol=1e-12)


def test_third_derivative():
    """d^3/dx^3 of x^4 is 24 x; of sin-free tanh-free exp(2x) is 8 exp(2x)."""
    x_np = np.array([-1.5, 0.5, 2.0])
    x = Tensor(x_np, dtype=np.float64, requires_grad=True)
    (d1,) = grad((x**4).sum(), x, create_graph=True)
    (d2,) = grad(d1.sum(), x, create_graph=True)
    (d3,) = grad(d2.sum(), x)
    np.testing.assert_allclose(d1.data, 4 * x_np**3, rtol=1e-12)
    np.testing.assert_allclose(d2.data, 12 * x_np**2, rtol=1e-12)
    np.testing.assert_allclose(d3.data, 24 * x_np, rtol=1e-12)
    (e1,) = grad((2 * x).exp().sum(), x, create_graph=True)
    (e2,) = grad(e1.sum(), x, create_graph=True)
    (e3,) = grad(e2.sum(), x)
    np.testing.assert_allclose(e3.data, 8 * np.exp(2 * x_np), rtol=1e-12)


def test_gradient_penalty_reaches_the_parameters():
    """penalty = ||d sum((w x)^2) / d x||^2 = sum(4 w^4 x^2);  d penalty / d w = 16 w^3 x^2."""
    rng = np.random.default_rng(14)
    x_np, w_np = rng.standard_normal(4), rng.standard_normal(4)
    x = Tensor(x_np, dtype=np.float64, requires_grad=True)
    w = Tensor(w_np, dtype=np.float64, requires_grad=True)
    (gx,) = grad(((w * x) ** 2).sum(), x, create_graph=True)
    penalty = (gx**2).sum()
    np.testing.assert_allclose(penalty.item(), np.sum(4 * w_np**4 * x_np**2), rtol=1e-12)
    penalty.backward()
    np.testing.assert_allclose(w.grad.data, 16 * w_np**3 * x_np**2, rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, 8 * w_np**4 * x_np, rtol=1e-12)


def test_second_derivative_through_a_float32_to_float64_cast():
    x = Tensor([0.5, -1.25], requires_grad=True)  # float32
    (g,) = grad((x.astype(np.float64) ** 3).sum(), x, create_graph=True)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.data, 3 * np.array([0.5, -1.25]) ** 2, rtol=1e-6)
    (h,) = grad(g.sum(), x)
    assert h.dtype == np.float32
    np.testing.assert_allclose(h.data, 6 * np.array([0.5, -1.25]), rtol=1e-6)


def test_hvp_matches_central_differences_of_the_gradient():
    """Independent check: H v ~ (grad(x + eps v) - grad(x - eps v)) / (2 eps)."""
    rng = np.random.default_rng(15)
    W = rng.standard_normal((3, 4))
    x_np, v = rng.standard_normal(4), random_grad((4,), seed=16)

    def f(t):
        return ((Tensor(W, dtype=np.float64) @ t).tanh() ** 2).sum() + t.sigmoid().sum()

    def gradient(at):
        t = Tensor(at, dtype=np.float64, requires_grad=True)
        return grad(f(t), t)[0].data

    x = Tensor(x_np, dtype=np.float64, requires_grad=True)
    (g,) = grad(f(x), x, create_graph=True)
    (hv,) = grad(g, x, v)
    eps = 1e-6
    numerical = (gradient(x_np + eps * v) - gradient(x_np - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv.data, numerical, rtol=1e-5, atol=1e-7)
