"""sign, square, log1p, expm1, sin, cos, erf: values against NumPy and independent closed
forms (erf against a Gauss-Legendre quadrature of its integral), gradients and second
derivatives against float64 central differences, and the edges (float32, integers, empty
arrays, extreme inputs)."""

import math

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, broadcastable_shapes, shapes, upstream_grads

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor, no_grad
from tinygrad_mlp.autograd import grad
from tinygrad_mlp.gradcheck import gradgradcheck


def erf_by_quadrature(x: np.ndarray) -> np.ndarray:
    """erf(x) = 2/sqrt(pi) * integral of exp(-t^2) over [0, x], by 80-point Gauss-Legendre
    on [0, x] (exact to rounding for |x| <= 6; erf is within 1e-17 of +-1 beyond)."""
    nodes, weights = np.polynomial.legendre.leggauss(80)
    x = np.asarray(x, dtype=np.float64)
    c = np.clip(x, -6, 6)[..., None]
    t = c / 2 * (nodes + 1)  # [-1, 1] -> [0, c]
    integral = (c / 2 * (weights * np.exp(-t * t))).sum(axis=-1)
    return np.where(np.abs(x) > 6, np.sign(x), 2 / math.sqrt(math.pi) * integral)


# name: (method, NumPy reference, lo, hi, points to avoid)
OPS = {
    "sign": (lambda t: t.sign(), np.sign, -3, 3, (0,)),
    "square": (lambda t: t.square(), lambda x: x * x, -3, 3, ()),
    "log1p": (lambda t: t.log1p(), np.log1p, -0.9, 4, ()),
    "expm1": (lambda t: t.expm1(), np.expm1, -4, 3, ()),
    "sin": (lambda t: t.sin(), np.sin, -6, 6, ()),
    "cos": (lambda t: t.cos(), np.cos, -6, 6, ()),
    "erf": (lambda t: t.erf(), erf_by_quadrature, -4, 4, ()),
}


@pytest.mark.parametrize("name", list(OPS))
@given(data=st.data())
def test_values_and_gradients(name, data):
    fn, reference, lo, hi, avoid = OPS[name]
    shape = data.draw(shapes(), label="shape")
    x = data.draw(arrays(shape, lo, hi, avoid=avoid, margin=0.2), label="x")
    out = fn(Tensor(x, dtype=np.float64))
    assert out.shape == shape and out.dtype == np.float64
    np.testing.assert_allclose(out.data, reference(x), rtol=1e-14, atol=1e-15)
    check_grads(fn, [x], data.draw(upstream_grads(shape), label="g"))


def test_closed_form_gradients():
    x = np.array([-0.8, -0.5, 0.25, 1.5])
    g = np.array([1.5, -0.75, 2.0, 0.5])
    expected = {
        "sign": 0 * x,
        "square": 2 * x,
        "log1p": 1 / (1 + x),
        "expm1": np.exp(x),
        "sin": np.cos(x),
        "cos": -np.sin(x),
        "erf": 2 / math.sqrt(math.pi) * np.exp(-x * x),
    }
    for name, slope in expected.items():
        t = Tensor(x, dtype=np.float64, requires_grad=True)
        OPS[name][0](t).backward(Tensor(g, dtype=np.float64))
        np.testing.assert_allclose(t.grad.data, g * slope, rtol=1e-15, err_msg=name)


def first_derivative_check(fn, x, seed):
    """The engine's gradient of h(x) = <d <fn(x), g> / dx, w>, whose inner gradient is made
    with create_graph=True, against central differences of h."""
    rng = np.random.default_rng(seed)
    g = rng.uniform(0.5, 2.0, x.shape)
    w = rng.uniform(-2.0, 2.0, x.shape)

    def h(t):
        (d,) = grad(fn(t), t, Tensor(g, dtype=np.float64), create_graph=True)
        return (d * Tensor(w, dtype=np.float64)).sum()

    check_grads(h, [x], np.array(1.25), record=True)


@pytest.mark.parametrize("name", ["square", "log1p", "expm1", "sin", "cos", "erf"])
@settings(max_examples=15)
@given(data=st.data())
def test_second_derivatives(name, data):
    fn, _, lo, hi, _ = OPS[name]
    shape = data.draw(shapes(max_dims=2, max_side=3), label="shape")
    x = data.draw(arrays(shape, lo, hi), label="x")
    first_derivative_check(fn, x, data.draw(st.integers(0, 1000), label="seed"))


@pytest.mark.parametrize("name", ["log1p", "expm1", "sin", "cos", "erf"])
def test_gradgradcheck(name):
    fn, _, lo, hi, _ = OPS[name]
    x = Tensor(np.random.default_rng(3).uniform(lo, hi, (2, 3)), dtype=np.float64)
    assert gradgradcheck(fn, [x.requires_grad_()])


def test_second_derivatives_in_closed_form():
    x_np = np.array([-0.7, 0.3, 2.0])
    cases = {
        "log1p": -1 / (1 + x_np) ** 2,
        "expm1": np.exp(x_np),
        "sin": -np.sin(x_np),
        "cos": -np.cos(x_np),
        "erf": -4 / math.sqrt(math.pi) * x_np * np.exp(-x_np * x_np),
        "square": 2 + 0 * x_np,
    }
    for name, second in cases.items():
        x = Tensor(x_np, dtype=np.float64, requires_grad=True)
        (d1,) = grad(OPS[name][0](x).sum(), x, create_graph=True)
        (d2,) = grad(d1.sum(), x)
        np.testing.assert_allclose(d2.data, second, rtol=1e-14, err_msg=name)


def test_sign_has_zero_gradient_even_for_an_infinite_upstream_gradient():
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    y = x.sign()
    np.testing.assert_array_equal(y.data, [-1.0, 0.0, 1.0])
    y.backward(Tensor([np.inf, 1.0, -np.inf]))
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])  # not nan, as in PyTorch
    z = Tensor([1.5], dtype=np.float64, requires_grad=True)
    (d,) = grad((z.sign() * z).sum(), z, create_graph=True)
    np.testing.assert_array_equal(d.data, [1.0])  # sign(z) + z * 0


def test_erf_matches_known_values_and_limits():
    x = Tensor([0.0, 1.0, -1.0, 0.5, 3.0, 10.0, -np.inf, np.inf, 3e38, 1e-300], dtype=np.float64)
    expected = [0.0, 0.8427007929497149, -0.8427007929497149, 0.5204998778130465]
    expected += [0.9999779095030014, 1.0, -1.0, 1.0, 1.0, 2 / math.sqrt(math.pi) * 1e-300]
    np.testing.assert_allclose(x.erf().data, expected, rtol=1e-15)
    dense = np.linspace(-6, 6, 2001)
    np.testing.assert_allclose(
        Tensor(dense, dtype=np.float64).erf().data, erf_by_quadrature(dense), rtol=0, atol=5e-16
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_give_finite_values_and_gradients(dtype):
    big = float(np.finfo(dtype).max) / 2
    x = Tensor([-big, -1e30, 1e30, big], dtype=dtype, requires_grad=True)
    with np.errstate(over="ignore"):  # x * x inside erf's gradient overflows to inf: fine
        y = x.erf()
        y.backward(Tensor([2.0, -1.5, 1.5, 2.0], dtype=dtype))
    np.testing.assert_array_equal(y.data, [-1.0, -1.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0, 0.0])
    assert y.dtype == x.grad.dtype == dtype
    # expm1's slope is exp(x), exact where exp(x) - 1 has rounded to -1
    t = Tensor([-40.0, -700.0], dtype=np.float64, requires_grad=True)
    t.expm1().sum().backward()
    np.testing.assert_allclose(t.grad.data, np.exp([-40.0, -700.0]), rtol=1e-15)
    # log1p at its pole: -inf and an infinite slope, as log(1 + x) there
    p = Tensor([-1.0], dtype=dtype, requires_grad=True)
    with np.errstate(divide="ignore"):
        p.log1p().sum().backward()
    assert p.grad.data[0] == np.inf


def test_tiny_arguments_keep_all_their_digits():
    x = Tensor([1e-20, -3e-17], dtype=np.float64)
    np.testing.assert_array_equal(x.log1p().data, [1e-20, -3e-17])
    np.testing.assert_array_equal(x.expm1().data, [1e-20, -3e-17])


@pytest.mark.parametrize("name", list(OPS))
def test_float32_stays_float32(name):
    fn, reference, lo, hi, _ = OPS[name]
    x_np = np.linspace(lo, hi, 9).astype(np.float32) + np.float32(0.013)
    x = Tensor(x_np, requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, reference(x_np.astype(np.float64)), rtol=2e-6, atol=2e-7)
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("shape", [(0,), (2, 0)])
def test_empty_arrays(name, shape):
    x = Tensor(np.ones(shape), dtype=np.float64, requires_grad=True)
    y = OPS[name][0](x)
    assert y.shape == shape
    y.sum().backward()
    assert x.grad.shape == shape


def test_sign_of_nan_negative_zero_and_bool_as_pytorch():
    # PyTorch's sign is (x > 0) - (x < 0): 0 for NaN (NumPy's is NaN), +0.0 for -0.0
    out = Tensor([math.nan, -0.0, 0.0, -2.0, 3.0, math.inf, -math.inf]).sign()
    assert out.tolist() == [0.0, 0.0, 0.0, -1.0, 1.0, 1.0, -1.0]
    assert not np.signbit(out.data[:3]).any()
    assert out.dtype == np.float32
    b = Tensor([True, False]).sign()
    assert b.dtype == np.bool_ and b.tolist() == [True, False]
    assert Tensor(np.array([0, 7], dtype=np.uint8)).sign().tolist() == [0, 1]
    assert Tensor([math.nan, -1.0]).sgn().tolist() == [0.0, -1.0]
    assert Tensor([-0.0, 0.0, -1.0, math.nan]).signbit().tolist() == [True, False, True, False]


def test_integer_tensors():
    i = Tensor(np.array([-3, 0, 5]))
    assert i.sign().dtype == np.int64
    np.testing.assert_array_equal(i.sign().data, [-1, 0, 1])
    np.testing.assert_array_equal(i.square().data, [9, 0, 25])
    e = i.erf()
    assert e.dtype == np.float32  # PyTorch's default dtype, not NumPy's float64
    np.testing.assert_allclose(e.data, [-0.9999779095030014, 0.0, 0.9999999999984626])


def test_names_in_the_graph():
    x = Tensor([0.5], requires_grad=True)
    names = [repr(f(x).grad_fn) for f in (Tensor.sign, Tensor.log1p, Tensor.erf, Tensor.sin)]
    assert names == ["<SignBackward>", "<Log1pBackward>", "<ErfBackward>", "<SinBackward>"]
    with no_grad():
        assert x.cos().grad_fn is None


# --------------------------------------------------------------------------- rounded division
def py_remainder(a: float, b: float) -> float:
    """PyTorch's documented % for floats: Python's modulus (the divisor's sign)."""
    return a % b


def py_trunc_div(a: int, b: int) -> int:
    """C's integer division (towards 0), from Python's exact integers."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


finite = st.floats(-1e6, 1e6, allow_nan=False, width=64)
divisors = st.floats(-1e3, 1e3, allow_nan=False, width=64).filter(lambda v: abs(v) > 1e-3)


@given(a=st.lists(finite, min_size=1, max_size=6), b=divisors)
def test_rounded_division_of_floats_follows_python(a, b):
    x = Tensor(np.array(a), dtype=np.float64)
    assert (x // b).tolist() == [v // b for v in a]
    assert (x % b).tolist() == [py_remainder(v, b) for v in a]
    assert x.fmod(b).tolist() == [math.fmod(v, b) for v in a]
    assert x.div(b, rounding_mode="trunc").tolist() == [float(math.trunc(v / b)) for v in a]
    assert x.div(b, rounding_mode="floor").tolist() == [v // b for v in a]
    # the number first (the reflected forms), and a Tensor divisor
    if a[0] != 0:
        assert (b // x[:1]).tolist() == [b // a[0]] and (b % x[:1]).item() == b % a[0]
    assert tg.remainder(x, Tensor([b], dtype=np.float64)).tolist() == [
        py_remainder(v, b) for v in a
    ]


@given(
    a=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=6),
    b=st.integers(-(2**20), 2**20).filter(bool),
)
def test_rounded_division_of_integers_is_exact(a, b):
    x = Tensor(np.array(a, dtype=np.int64))
    assert (x // b).tolist() == [v // b for v in a]
    assert (x % b).tolist() == [v % b for v in a]
    assert x.fmod(b).tolist() == [v - b * py_trunc_div(v, b) for v in a]
    assert x.div(b, rounding_mode="trunc").tolist() == [py_trunc_div(v, b) for v in a]
    assert (x // b).dtype == (x % b).dtype == np.int64


def test_rounded_division_signs_zeros_and_infinities_as_pytorch():
    x = Tensor([5.0, -5.0, 0.0])
    assert (x // 0.0).tolist()[:2] == [math.inf, -math.inf] and math.isnan((x // 0.0)[2].item())
    assert np.isnan((x % 0.0).data).all() and np.isnan(x.fmod(0.0).data).all()
    trunc = x.div(0.0, rounding_mode="trunc").tolist()
    assert trunc[:2] == [math.inf, -math.inf] and math.isnan(trunc[2])
    assert (Tensor([5.0, -5.0]) % math.inf).tolist() == [5.0, math.inf]  # Python's too
    assert (Tensor([5.0, -5.0]) // math.inf).tolist() == [0.0, -1.0]
    assert math.isnan((Tensor([math.inf]) % 2.0).item())
    # a zero remainder keeps fmod's sign (the dividend's), as PyTorch computes it; NumPy and
    # Python give the divisor's
    assert np.signbit((Tensor([-6.0]) % 2.0).data[0])
    assert not np.signbit((Tensor([0.0]) % -2.0).data[0])


def test_rounded_division_dtypes_follow_pytorch_promotion():
    i32 = Tensor(np.array([5, -6, 7], dtype=np.int32))
    assert (i32 // 2).dtype == (i32 % 2).dtype == i32.fmod(2).dtype == np.int32
    assert (i32 // Tensor(2)).dtype == np.int32  # a 0-d int64 tensor does not widen it
    assert (i32 // Tensor([2, 2, 2])).dtype == np.int64
    assert (i32 % 2.0).dtype == np.float32  # an integer tensor with a Python float
    assert (i32 % 2.0).tolist() == [1.0, 0.0, 1.0]
    assert (Tensor(np.array([250], dtype=np.uint8)) // 7).dtype == np.uint8
    b = Tensor([True, False])
    assert (b % 2).dtype == np.int64 and (b % 2).tolist() == [1, 0]
    f64 = Tensor([7.0], dtype=np.float64)
    assert (Tensor([7.0]) % Tensor(2.0, dtype=np.float64)).dtype == np.float32
    assert (f64 % Tensor(2.0)).dtype == np.float64
    assert (5.5 % Tensor([2, 3])).tolist() == [1.5, 2.5]


def test_rounded_division_refusals_as_pytorch():
    i = Tensor([7, -7])
    for fn in (
        lambda: i // 0,
        lambda: i % Tensor([0, 1]),
        lambda: i.fmod(0),
        lambda: 7 // Tensor([0, 1]),
    ):
        with pytest.raises(RuntimeError, match="integer division by zero.*ZeroDivisionError"):
            fn()
    b = Tensor([True, False])
    with pytest.raises(NotImplementedError, match="bool tensors"):
        _ = b // b
    with pytest.raises(NotImplementedError, match="bool tensors"):
        _ = b % True
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor'"):
        i.div(2, rounding_mode="round")
    # floats never warn: inf and nan are the answers
    with np.errstate(all="raise"):
        Tensor([1.0, 0.0]) // 0.0, Tensor([1.0]) % 0.0, Tensor([1.0]).fmod(0.0)


def off_the_steps(draw, shape_a, shape_b):
    """a and b (b away from 0) whose quotients a / b stay 0.1 away from every integer, where
    floor and trunc jump."""
    a = draw(arrays(shape_a, -4, 4))
    b = draw(arrays(shape_b, 0.5, 2)) * np.where(draw(arrays(shape_b, -1, 1)) > 0, 1, -1)
    q = a / b
    return a, b, np.all(np.abs(q - np.round(q)) > 0.1)


@given(data=st.data())
def test_remainder_and_fmod_gradients(data):
    sa, sb = data.draw(broadcastable_shapes(), label="shapes")
    a, b, ok = off_the_steps(data.draw, sa, sb)
    if not ok:
        return
    check_grads(lambda x, y: x % y, [a, b])
    check_grads(lambda x, y: x.fmod(y), [a, b])
    check_grads(lambda x, y: y.remainder(x.detach()) * 0 + tg.remainder(x, 1.5), [a, b])
    # PyTorch's rule: d(a % b)/db = -floor(a / b), d fmod(a, b)/db = -trunc(a / b)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (x % y).sum().backward()
    want = -np.floor(np.broadcast_to(a / b, np.broadcast_shapes(sa, sb)))
    np.testing.assert_allclose(y.grad.data, want.reshape(-1, *sb).sum(0) if sb else want.sum())


def test_remainder_gradients_at_fixed_points():
    a = np.array([[1.5, -2.5, 7.0]])
    b = np.array([[2.0], [-0.7]])
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    g = np.array([1.0, 2.0, 3.0])
    (x % y).backward(Tensor(np.ones((2, 3)) * g, dtype=np.float64))
    np.testing.assert_array_equal(x.grad.data, [[2.0, 4.0, 6.0]])
    # -(1*floor(0.75) + 2*floor(-1.25) + 3*floor(3.5)) = -(0 - 4 + 9); then for -0.7 the
    # exact floor quotients (7 // -0.7 is -11: -0.7 is a little more than 0.7 in binary,
    # though 7 / -0.7 rounds to -10), as PyTorch's floor division gives them
    np.testing.assert_array_equal(y.grad.data[0], [-5.0])
    np.testing.assert_array_equal(y.grad.data[1], [-(1 * -3 + 2 * 3 + 3 * -11)])
    assert 7 // -0.7 == -11


def test_rounded_quotients_have_zero_gradient_and_floor_divide_none():
    x = Tensor([1.5, -2.5], dtype=np.float64, requires_grad=True)
    y = Tensor([2.0, 0.7], dtype=np.float64, requires_grad=True)
    for mode in ("floor", "trunc"):
        out = x.div(y, rounding_mode=mode)
        assert out.requires_grad
        out.sum().backward()
        np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
        np.testing.assert_array_equal(y.grad.data, [0.0, 0.0])
    out = x // y
    assert out.requires_grad and out.tolist() == [0.0, -4.0]  # in the graph, as in PyTorch
    with pytest.raises(RuntimeError, match="derivative of floor_divide.*rounding_mode='floor'"):
        out.sum().backward()
    assert not (x.detach() // 2).requires_grad


def test_rounded_division_in_place():
    e = Tensor([7, -7])
    e //= 2
    assert e.tolist() == [3, -4] and e.dtype == np.int64
    e = Tensor([7, -7])
    e %= 3
    assert e.tolist() == [1, 2]
    e = Tensor([7, -7]).div_(2, rounding_mode="trunc")
    assert e.tolist() == [3, -3]
    e = Tensor([7.0, -7.0]).fmod_(2)
    assert e.tolist() == [1.0, -1.0]
    with pytest.raises(RuntimeError, match="can't be cast"):
        Tensor([7, -7]).remainder_(2.5)  # a float result into an integer tensor
    x = Tensor([5.5, -3.25], requires_grad=True)
    d = x * 1
    d %= 2
    assert d.tolist() == [1.5, 0.75] and d.grad_fn is not None
    d.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])
