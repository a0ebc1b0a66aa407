"""Elementwise ops: forward values against NumPy, gradients against float64 central
differences (every element, a random upstream gradient, inputs off kinks and out of bad
domains), broadcasting between shapes of different ranks, and the stable forms at
extreme inputs."""

import warnings

import numpy as np
import pytest
from helpers import check_grads, random_grad, to_numpy
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays, broadcastable_shapes, separated_pair, shapes, upstream_grads

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name: (Tensor function, NumPy function, lo, hi, points to keep away from)
UNARY = {
    "neg": (lambda x: -x, np.negative, -3, 3, ()),
    "exp": (lambda x: x.exp(), np.exp, -3, 3, ()),
    "log": (lambda x: x.log(), np.log, 0.2, 5, ()),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, 0.2, 5, ()),
    "tanh": (lambda x: x.tanh(), np.tanh, -3, 3, ()),
    "sigmoid": (lambda x: x.sigmoid(), np_sigmoid, -6, 6, ()),
    "relu": (lambda x: x.relu(), lambda x: np.maximum(x, 0), -3, 3, (0,)),
    "abs": (lambda x: x.abs(), np.abs, -3, 3, (0,)),
    "clip": (lambda x: x.clip(-1.0, 1.5), lambda x: np.clip(x, -1.0, 1.5), -3, 3, (-1, 1.5)),
    "clip_lo": (lambda x: x.clip(-0.5), lambda x: np.maximum(x, -0.5), -3, 3, (-0.5,)),
    "clip_hi": (lambda x: x.clip(None, 0.5), lambda x: np.minimum(x, 0.5), -3, 3, (0.5,)),
    "clamp": (lambda x: x.clamp(0.0, 1.0), lambda x: np.clip(x, 0, 1), -3, 3, (0, 1)),
    # pow with a constant exponent: integer powers take negative bases
    "square": (lambda x: x**2, np.square, -3, 3, ()),
    "cube": (lambda x: x**3, lambda x: x**3, -3, 3, ()),
    "pow_frac": (lambda x: x**0.5, np.sqrt, 0.2, 5, ()),
    "pow_neg": (lambda x: x**-1.5, lambda x: x**-1.5, 0.5, 3, ()),
    # reflected forms: the constant on the left
    "rpow": (lambda x: 2.0**x, lambda x: 2.0**x, -3, 3, ()),
    "rsub": (lambda x: 1.5 - x, lambda x: 1.5 - x, -3, 3, ()),
    "rdiv": (lambda x: 2.0 / x, lambda x: 2.0 / x, -3, 3, (0,)),
    "radd": (lambda x: 0.5 + x, lambda x: 0.5 + x, -3, 3, ()),
    "rmul": (lambda x: -1.5 * x, lambda x: -1.5 * x, -3, 3, ()),
    # composites
    "x_times_x": (lambda x: x * x, np.square, -3, 3, ()),
    "x_over_exp": (lambda x: x / x.exp(), lambda x: x / np.exp(x), -3, 3, ()),
    "astype": (lambda x: x.astype(np.float64) * 2, lambda x: x * 2, -3, 3, ()),
}


@pytest.mark.parametrize("name", list(UNARY))
@given(data=st.data())
def test_unary_forward_and_gradient(name, data):
    fn, np_fn, lo, hi, avoid = UNARY[name]
    shape = data.draw(shapes(), label="shape")
    x = data.draw(arrays(shape, lo, hi, avoid=avoid, margin=0.3), label="x")
    out = fn(Tensor(x, dtype=np.float64))
    assert out.shape == shape
    np.testing.assert_allclose(out.data, np_fn(x), rtol=1e-12, atol=1e-15)
    check_grads(fn, [x], data.draw(upstream_grads(shape), label="g"))


@given(data=st.data())
def test_astype_between_float32_and_float64(data):
    """float32 -> float64 and back: the values are cast, and the gradient is the upstream
    gradient cast back to each input's dtype (d out / d x = 1)."""
    shape = data.draw(shapes(), label="shape")
    x32 = data.draw(arrays(shape, dtype=np.float32), label="x")
    w = data.draw(upstream_grads(shape), label="w")
    g = data.draw(upstream_grads(shape), label="g")
    x = Tensor(x32, requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    np.testing.assert_array_equal(y.data, x32.astype(np.float64))
    (y * w).backward(g)
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, (g * w).astype(np.float32))
    z = Tensor(x32, dtype=np.float64, requires_grad=True)
    down = z.astype("float32")
    assert down.dtype == np.float32
    down.backward(g.astype(np.float32))
    assert z.grad.dtype == np.float64
    np.testing.assert_array_equal(z.grad.data, g.astype(np.float32).astype(np.float64))


def any_pair(data, sa, sb):
    return data.draw(arrays(sa), label="a"), data.draw(arrays(sb), label="b")


def nonzero_divisor(data, sa, sb):
    return data.draw(arrays(sa), label="a"), data.draw(arrays(sb, avoid=(0,), margin=0.5))


def positive_base(data, sa, sb):
    return data.draw(arrays(sa, 0.5, 3), label="a"), data.draw(arrays(sb, -2, 2), label="b")


def apart(data, sa, sb):
    return data.draw(separated_pair(sa, sb), label="a, b")


# name: (Tensor function, NumPy function, how to draw (a, b))
BINARY = {
    "add": (lambda a, b: a + b, np.add, any_pair),
    "sub": (lambda a, b: a - b, np.subtract, any_pair),
    "mul": (lambda a, b: a * b, np.multiply, any_pair),
    "div": (lambda a, b: a / b, np.divide, nonzero_divisor),
    "pow": (lambda a, b: a**b, np.power, positive_base),
    "maximum": (tg.maximum, np.maximum, apart),
    "minimum": (tg.minimum, np.minimum, apart),
    "a_minus_b_squared": (lambda a, b: (a - b) ** 2, lambda a, b: (a - b) ** 2, any_pair),
}


@pytest.mark.parametrize("name", list(BINARY))
@given(data=st.data())
def test_binary_forward_and_gradient_with_broadcasting(name, data):
    fn, np_fn, draw_pair = BINARY[name]
    sa, sb = data.draw(broadcastable_shapes(), label="shapes")
    a, b = draw_pair(data, sa, sb)
    expected = np_fn(a, b)
    out = fn(Tensor(a, dtype=np.float64), Tensor(b, dtype=np.float64))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)
    check_grads(fn, [a, b], data.draw(upstream_grads(expected.shape), label="g"))


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("tensor_side", ["left", "right"])
@given(data=st.data())
def test_binary_with_a_numpy_constant_operand(name, tensor_side, data):
    """One operand is a plain NumPy array (a constant), possibly of higher rank."""
    fn, np_fn, draw_pair = BINARY[name]
    sa, sb = data.draw(broadcastable_shapes(), label="shapes")
    a, b = draw_pair(data, sa, sb)
    g = data.draw(upstream_grads(np_fn(a, b).shape), label="g")
    if tensor_side == "left":
        check_grads(lambda t: fn(t, b), [a], g)
        out = fn(Tensor(a, dtype=np.float64), b)
    else:
        check_grads(lambda t: fn(a, t), [b], g)
        out = fn(a, Tensor(b, dtype=np.float64))
    np.testing.assert_allclose(out.data, np_fn(a, b), rtol=1e-12, atol=1e-15)


@given(data=st.data())
def test_pow_of_a_tensor_exponent_with_a_constant_base(data):
    shape = data.draw(shapes(), label="shape")
    e = data.draw(arrays(shape, -2, 2), label="e")
    base = data.draw(arrays((), 0.5, 3) | st.floats(0.5, 3), label="base")
    out = base ** Tensor(e, dtype=np.float64)
    np.testing.assert_allclose(out.data, np.power(base, e), rtol=1e-12)
    check_grads(lambda t: base**t, [e], data.draw(upstream_grads(shape)))


@given(data=st.data())
def test_where_forward_and_gradient_three_way_broadcast(data):
    sc, sa, sb = data.draw(broadcastable_shapes(3), label="shapes")
    cond = data.draw(hnp.arrays(np.bool_, sc), label="cond")
    a, b = data.draw(arrays(sa), label="a"), data.draw(arrays(sb), label="b")
    expected = np.where(cond, a, b)
    for c in (cond, Tensor(cond)):  # a NumPy mask or a boolean Tensor
        out = tg.where(c, Tensor(a, dtype=np.float64), Tensor(b, dtype=np.float64))
        np.testing.assert_array_equal(out.data, expected)
    g_check = data.draw(upstream_grads(expected.shape), label="g")
    grads = check_grads(lambda x, y: tg.where(cond, x, y), [a, b], g_check)
    # the engine's gradient may be checked exactly: it is g routed by the mask, summed back
    g_full = data.draw(upstream_grads(expected.shape), label="g2")
    x, y = Tensor(a, dtype=np.float64, requires_grad=True), Tensor(b, dtype=np.float64)
    y.requires_grad_()
    tg.where(cond, x, y).backward(g_full)
    mask = np.broadcast_to(cond, expected.shape)
    ga = np.where(mask, g_full, 0.0)
    gb = np.where(mask, 0.0, g_full)
    np.testing.assert_allclose(x.grad.data, _sum_to(ga, sa), rtol=1e-12)
    np.testing.assert_allclose(y.grad.data, _sum_to(gb, sb), rtol=1e-12)
    np.testing.assert_allclose(grads[0], _sum_to(np.where(mask, g_check, 0.0), sa), rtol=1e-12)


def _sum_to(g, shape):
    """Reference unbroadcast: sum g over the axes that broadcasting added or stretched."""
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True).reshape(shape)


@given(data=st.data())
def test_where_with_a_scalar_branch(data):
    shape = data.draw(shapes(), label="shape")
    x = data.draw(arrays(shape, avoid=(0,)), label="x")
    check_grads(lambda t: tg.where(t.data > 0, t, 0.25 * t), [x], data.draw(upstream_grads(shape)))


@pytest.mark.parametrize("name", ["add", "mul", "div", "pow", "maximum"])
def test_gradient_sums_over_rank_broadcast(name):
    """(4,) against (3, 4): the smaller input's gradient is the column sums (exact)."""
    fn = BINARY[name][0]
    rng = np.random.default_rng(1)
    a = rng.uniform(0.5, 2.0, size=(4,))
    b = rng.uniform(0.5, 2.0, size=(3, 4)) + 3.0  # b > a everywhere: no ties for maximum
    g = random_grad((3, 4))
    x = Tensor(a, dtype=np.float64, requires_grad=True)
    y = Tensor(b, dtype=np.float64, requires_grad=True)
    fn(x, y).backward(g)
    local = {
        "add": (np.ones_like(b), np.ones_like(b)),
        "mul": (b, np.broadcast_to(a, b.shape)),
        "div": (1 / b, -a / b**2),
        "pow": (b * a ** (b - 1), a**b * np.log(a)),
        "maximum": (np.zeros_like(b), np.ones_like(b)),
    }[name]
    np.testing.assert_allclose(x.grad.data, (g * local[0]).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(y.grad.data, g * local[1], rtol=1e-12)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_share_the_gradient(name):
    fn = BINARY[name][0]
    x = Tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    y = Tensor([1.0, 0.0, 5.0], dtype=np.float64, requires_grad=True)
    fn(x, y).backward(np.array([2.0, 4.0, 8.0]))
    if name == "maximum":
        np.testing.assert_array_equal(x.grad.data, [1.0, 4.0, 0.0])
        np.testing.assert_array_equal(y.grad.data, [1.0, 0.0, 8.0])
    else:
        np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 8.0])
        np.testing.assert_array_equal(y.grad.data, [1.0, 4.0, 0.0])


@pytest.mark.parametrize("name", ["relu", "abs"])
def test_gradient_at_the_kink_is_zero(name):
    """PyTorch's convention: relu'(0) = 0 and abs'(0) = 0."""
    x = Tensor([0.0], dtype=np.float64, requires_grad=True)
    UNARY[name][0](x).backward(np.array([3.0]))
    assert x.grad.data[0] == 0.0


def test_clip_passes_the_gradient_at_its_bounds():
    """Like PyTorch's clamp, a value exactly at lo or hi keeps its gradient."""
    x = Tensor([-1.0, 1.0, 2.0, -2.0], dtype=np.float64, requires_grad=True)
    x.clip(-1.0, 1.0).backward(np.array([2.0, 3.0, 5.0, 7.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 3.0, 0.0, 0.0])


def test_clip_needs_a_bound():
    with pytest.raises(ValueError, match="at least one of min= and max="):
        Tensor([1.0]).clip()
    with pytest.raises(ValueError, match="at least one of min= and max="):
        Tensor([1.0]).clamp(None, None)


STABLE = {
    "sigmoid": (lambda t: t.sigmoid(), np_sigmoid, lambda s: s * (1 - s)),
    "tanh": (lambda t: t.tanh(), np.tanh, lambda s: 1 - s * s),
}


@pytest.mark.parametrize("name", list(STABLE))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_forms_at_large_magnitude(name, dtype):
    """sigmoid and tanh at |x| = 1000: finite values and gradients, no warnings."""
    fn, np_fn, local_grad = STABLE[name]
    x_np = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    g = np.array([1.5, -0.5, 2.0, 0.75, -1.25])
    with np.errstate(over="ignore"):  # NumPy's naive reference may overflow; we may not
        expected = np_fn(x_np)
    # every NumPy warning is an error here; underflow to 0 (NumPy's default: silent) is fine
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        x = Tensor(x_np, dtype=dtype, requires_grad=True)
        y = fn(x)
        y.backward(g)
    assert np.isfinite(y.data).all() and np.isfinite(x.grad.data).all()
    assert y.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(y.data, expected, rtol=1e-6, atol=1e-30)
    # out * (1 - out) cancels near saturation, so compare the gradient absolutely there
    np.testing.assert_allclose(x.grad.data, g * local_grad(expected), rtol=1e-5, atol=1e-7)
    assert y.data[0] == -y.data[-1] if name == "tanh" else y.data[0] == 0 and y.data[-1] == 1


EMPTY_OPS = {k: v[0] for k, v in UNARY.items()} | {
    "add_row": lambda x: x + np.ones(x.shape[-1:]),
    "maximum0": lambda x: tg.maximum(x, 0.0),
    "where": lambda x: tg.where(np.zeros(x.shape, dtype=bool), x, 2.0 * x),
}


@pytest.mark.parametrize("name", list(EMPTY_OPS))
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3, 1)])
def test_empty_arrays_flow_through_forward_and_backward(name, shape):
    x = Tensor(np.ones(shape), dtype=np.float64, requires_grad=True)
    y = EMPTY_OPS[name](x)
    assert y.shape == shape
    y.sum().backward()
    assert x.grad.shape == shape and x.grad.dtype == np.float64


@pytest.mark.parametrize("name", [k for k in UNARY if k != "astype"])
def test_float32_stays_float32_and_matches_numpy(name):
    fn, np_fn, lo, hi, _ = UNARY[name]
    x_np = np.linspace(lo, hi, 7).astype(np.float32) + np.float32(0.013)
    x = Tensor(x_np, requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, np_fn(x_np.astype(np.float64)), rtol=2e-6, atol=1e-6)
    g = random_grad((7,))
    y.backward(g.astype(np.float32))
    assert x.grad.dtype == np.float32
    grad64 = check_grads(fn, [x_np.astype(np.float64)], g)[0]
    np.testing.assert_allclose(to_numpy(x.grad), grad64, rtol=1e-4, atol=1e-5)


def test_pow_with_exponent_zero_has_gradient_zero_even_at_zero():
    # d/da a ** 0 is 0 everywhere (PyTorch's rule); b * a ** (b - 1) would be 0 * inf = nan
    # at a = 0
    x = Tensor([0.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no divide-by-zero warning on the way
        (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    x.grad = None
    (x ** Tensor([0.0, 3.0])).sum().backward()  # a tensor exponent: the same where it is 0
    np.testing.assert_array_equal(x.grad.data, [0.0, 12.0])
