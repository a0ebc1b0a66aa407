"""The activations of functional and their modules: values against NumPy closed forms written
here, gradients and second derivatives against float64 central differences, PyTorch's
slopes exactly at the kinks, finite values and gradients at extreme inputs (up to 3e38 in
float32 and float64), the module reprs, and the argument checks."""

import math
import warnings

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays, shapes, upstream_grads

import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor
from tinygrad_mlp.autograd import grad

_erfc = np.frompyfunc(math.erfc, 1, 1)


def np_gelu(x):
    """x * Phi(x) with Phi from erfc: accurate also where 1 + erf would cancel."""
    return x * 0.5 * np.asarray(_erfc(-x / math.sqrt(2)), dtype=np.float64)


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)


# name: (function, NumPy closed form, kinks to keep away from)
ACTIVATIONS = {
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), (0,)),
    "leaky_relu_0.3": (
        lambda x: F.leaky_relu(x, 0.3),
        lambda x: np.where(x > 0, x, 0.3 * x),
        (0,),
    ),
    "elu": (F.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), (0,)),
    "elu_2": (lambda x: F.elu(x, alpha=2.0), lambda x: np.where(x > 0, x, 2 * np.expm1(x)), (0,)),
    "gelu": (F.gelu, np_gelu, ()),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), np_gelu_tanh, ()),
    "silu": (F.silu, lambda x: x / (1 + np.exp(-x)), ()),
    "softplus": (F.softplus, np_softplus, ()),
    "softplus_beta": (
        lambda x: F.softplus(x, beta=2.0, threshold=3.0),
        lambda x: np_softplus(x, 2.0, 3.0),
        (1.5,),
    ),
    "mish": (F.mish, lambda x: x * np.tanh(np.logaddexp(0, x)), ()),
    "relu6": (F.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), (0, 6)),
    "hardtanh": (F.hardtanh, lambda x: np.clip(x, -1, 1), (-1, 1)),
    "hardtanh_wide": (
        lambda x: F.hardtanh(x, -2.0, 0.5),
        lambda x: np.clip(x, -2, 0.5),
        (-2, 0.5),
    ),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, (-3, 3)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1), (-3, 3)),
    "log_sigmoid": (F.log_sigmoid, lambda x: -np.logaddexp(0, -x), ()),
}


def t64(x, requires_grad=False):
    return Tensor(x, dtype=np.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(data=st.data())
def test_values_and_gradients(name, data):
    fn, reference, kinks = ACTIVATIONS[name]
    shape = data.draw(shapes(), label="shape")
    x = data.draw(arrays(shape, -7.0, 7.0, avoid=kinks, margin=0.1), label="x")
    out = fn(t64(x))
    assert out.shape == shape and out.dtype == np.float64
    np.testing.assert_allclose(out.data, reference(x), rtol=1e-12, atol=1e-15)
    check_grads(fn, [x], data.draw(upstream_grads(shape), label="g"))


def first_derivative(fn, g, w):
    """h(x) = <d <fn(x), g> / dx, w>, the inner gradient made with create_graph=True."""

    def h(t):
        (d,) = grad(fn(t), t, t64(g), create_graph=True)
        return (d * t64(w)).sum()

    return h


SMOOTH = ["elu", "gelu", "gelu_tanh", "silu", "softplus", "mish", "log_sigmoid", "hardswish"]


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=15)
@given(data=st.data())
def test_second_derivatives(name, data):
    fn, _, kinks = ACTIVATIONS[name]
    shape = data.draw(shapes(max_dims=2, max_side=3), label="shape")
    x = data.draw(arrays(shape, -5.0, 5.0, avoid=kinks, margin=0.2), label="x")
    g = data.draw(upstream_grads(shape), label="g")
    w = data.draw(upstream_grads(shape), label="w")
    check_grads(first_derivative(fn, g, w), [x], np.array(0.75), record=True)


def test_second_derivatives_in_closed_form():
    x = np.array([-2.5, -0.4, 0.0, 0.7, 3.0])
    s = 1 / (1 + np.exp(-x))
    phi = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    expected = {
        "silu": s * (1 - s) * (2 + x * (1 - 2 * s)),
        "gelu": phi * (2 - x * x),
        "log_sigmoid": -s * (1 - s),
        "softplus": s * (1 - s),
        "elu": np.where(x > 0, 0.0, np.exp(x)),  # at 0: PyTorch's branch, exp(0)
    }
    for name, second in expected.items():
        t = t64(x, requires_grad=True)
        (d1,) = grad(ACTIVATIONS[name][0](t).sum(), t, create_graph=True)
        (d2,) = grad(d1.sum(), t)
        np.testing.assert_allclose(d2.data, second, rtol=1e-12, atol=1e-15, err_msg=name)


# At a kink, PyTorch picks one slope; these are its values (from its backward formulas).
KINKS = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), [0.0], [0.2]),
    "elu": (lambda x: F.elu(x, 2.5), [0.0], [2.5]),
    "relu6": (F.relu6, [0.0, 6.0], [0.0, 0.0]),
    "hardtanh": (lambda x: F.hardtanh(x, -2.0, 3.0), [-2.0, 3.0], [0.0, 0.0]),
    "hardswish": (F.hardswish, [-3.0, 3.0], [0.0, 1.0]),
    "hardsigmoid": (F.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]),
    "log_sigmoid": (F.log_sigmoid, [0.0], [0.5]),
    # beta * x == threshold is still the log1p branch: slope sigmoid(threshold)
    "softplus": (lambda x: F.softplus(x, 2.0, 3.0), [1.5], [1 / (1 + math.exp(-3.0))]),
}


@pytest.mark.parametrize("name", list(KINKS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_slopes_at_the_kinks_are_pytorchs(name, dtype):
    fn, points, slopes = KINKS[name]
    x = Tensor(points, dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, slopes, rtol=1e-7)


def test_hardswish_slope_just_below_3_in_float32_is_the_middle_branchs():
    # x + 3 rounds to 6.0 here, but x < 3: PyTorch's slope is x / 3 + 1/2, not 1
    x = Tensor(np.nextafter(np.float32(3), np.float32(0)).reshape(1), requires_grad=True)
    assert (x.data + 3)[0] == 6.0
    F.hardswish(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, x.data / 3 + 0.5, rtol=1e-7)  # 1.5, not 1


# ------------------------------------------------------------------------- extreme inputs

# d f / d x as x -> +inf and -inf: exact in floating point once |x| >= 1000
LIMIT_SLOPES = {
    "leaky_relu": (1.0, 0.01),
    "leaky_relu_0.3": (1.0, 0.3),
    "elu": (1.0, 0.0),
    "elu_2": (1.0, 0.0),
    "gelu": (1.0, 0.0),
    "gelu_tanh": (1.0, 0.0),
    "silu": (1.0, 0.0),
    "softplus": (1.0, 0.0),
    "softplus_beta": (1.0, 0.0),
    "mish": (1.0, 0.0),
    "relu6": (0.0, 0.0),
    "hardtanh": (0.0, 0.0),
    "hardtanh_wide": (0.0, 0.0),
    "hardswish": (1.0, 0.0),
    "hardsigmoid": (0.0, 0.0),
    "log_sigmoid": (0.0, 1.0),
}


@st.composite
def extreme_arrays(draw, dtype):
    """1-D arrays of +-10^k with k in [3, 38.47]: from 1e3 to 3e38 in magnitude."""
    n = draw(st.integers(1, 6))
    exponents = draw(hnp.arrays(np.float64, n, elements=st.floats(3.0, 38.47)))
    signs = draw(hnp.arrays(np.bool_, n))
    return np.where(signs, -1.0, 1.0) * 10.0**exponents


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_finite_values_and_gradients_at_extreme_inputs(name, dtype, data):
    """Wherever PyTorch's values and gradients are finite, so are these. The one place
    PyTorch's are not: hardswish in float32 beyond x = 3.4e38 / 6, where its x * 6 (in
    x * min(max(x + 3, 0), 6) / 6) overflows to inf: there this gives inf too."""
    fn, reference, _ = ACTIVATIONS[name]
    x_np = data.draw(extreme_arrays(dtype), label="x").astype(dtype)
    g = data.draw(upstream_grads(x_np.shape), label="g")
    x = Tensor(x_np, dtype=dtype, requires_grad=True)
    with np.errstate(over="ignore", invalid="ignore"):
        out = fn(x)
        out.backward(Tensor(g, dtype=dtype))
        expected = reference(x_np.astype(np.float64))
    assert out.dtype == x.grad.dtype == dtype
    overflow = np.zeros(x_np.shape, dtype=bool)
    if name == "hardswish" and dtype == np.float32:
        overflow = x_np > np.finfo(np.float32).max / 6
        assert (out.data[overflow] == np.inf).all()
    assert np.isfinite(out.data[~overflow]).all()
    np.testing.assert_allclose(out.data[~overflow], expected[~overflow], rtol=1e-6)
    assert np.isfinite(x.grad.data).all()
    up, down = LIMIT_SLOPES[name]
    np.testing.assert_allclose(x.grad.data, g * np.where(x_np > 0, up, down), rtol=1e-6)


def test_gelu_silu_mish_tails_keep_pytorchs_values_and_slopes():
    """Beyond |x| = 104 (float32) the factor of x in silu, gelu and mish is exactly 0 or 1:
    the results are -0 and x, the slopes 0 and 1, even with a large upstream gradient
    (without the tails, g * x overflows to inf and meets a zero slope: nan)."""
    x_np = np.array([-3e38, -200.0, -104.5, 104.5, 200.0, 3e38], dtype=np.float32)
    for fn in (F.silu, F.gelu, lambda t: F.gelu(t, approximate="tanh"), F.mish):
        x = Tensor(x_np, requires_grad=True)
        out = fn(x)
        out.backward(Tensor(np.full(6, 2.0, dtype=np.float32)))
        np.testing.assert_array_equal(out.data, np.where(x_np > 0, x_np, 0.0))
        assert np.signbit(out.data[:3]).all()  # -0, as x * 0 in PyTorch
        np.testing.assert_array_equal(x.grad.data, np.where(x_np > 0, 2.0, 0.0))
    # in the usual range the same functions are one plain graph: no where, no clip
    assert repr(F.silu(Tensor([1.0, -2.0], requires_grad=True)).grad_fn) == "<MulBackward>"


def test_log_sigmoid_is_exact_where_sigmoid_rounds_to_0_or_1():
    x = t64([-800.0, -40.0, 40.0, 800.0])
    np.testing.assert_allclose(
        F.log_sigmoid(x).data, [-800.0, -40.0, -math.exp(-40), 0.0], rtol=1e-15
    )
    assert F.logsigmoid is F.log_sigmoid  # PyTorch's spelling


def test_softplus_switches_to_x_above_the_threshold():
    x = t64([19.0, 20.0, 20.5, 1e6], requires_grad=True)
    out = F.softplus(x)
    np.testing.assert_allclose(out.data[:2], np.log1p(np.exp([19.0, 20.0])), rtol=1e-15)
    np.testing.assert_array_equal(out.data[2:], [20.5, 1e6])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data[:2], 1 / (1 + np.exp([-19.0, -20.0])), rtol=1e-15)
    np.testing.assert_array_equal(x.grad.data[2:], [1.0, 1.0])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_float32_in_float32_out_and_numpy_inputs(name):
    fn, reference, _ = ACTIVATIONS[name]
    x_np = np.linspace(-5, 5, 11).astype(np.float32) + np.float32(0.01)
    out = fn(Tensor(x_np))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, reference(x_np.astype(np.float64)), atol=2e-6, rtol=2e-6)
    np.testing.assert_array_equal(fn(x_np).data, out.data)  # a NumPy array works as input


def test_argument_errors():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        F.gelu(Tensor([1.0]), approximate="erf")
    with pytest.raises(ValueError, match="min_val must not be greater than max_val.*2.*1"):
        F.hardtanh(Tensor([1.0]), 2.0, 1.0)
    with pytest.raises(ValueError, match="GELU: approximate must be"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="Hardtanh: max_val must be greater than min_val"):
        nn.Hardtanh(1.0, 1.0)


# ------------------------------------------------------------------------- modules

MODULES = [
    (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)", lambda x: F.leaky_relu(x)),
    (nn.LeakyReLU(0.2), "LeakyReLU(negative_slope=0.2)", lambda x: F.leaky_relu(x, 0.2)),
    (nn.ELU(alpha=0.5), "ELU(alpha=0.5)", lambda x: F.elu(x, 0.5)),
    (nn.GELU(), "GELU(approximate='none')", F.gelu),
    (nn.GELU("tanh"), "GELU(approximate='tanh')", lambda x: F.gelu(x, "tanh")),
    (nn.SiLU(), "SiLU()", F.silu),
    (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)", F.softplus),
    (nn.Softplus(2, 5), "Softplus(beta=2, threshold=5)", lambda x: F.softplus(x, 2, 5)),
    (nn.Mish(), "Mish()", F.mish),
    (nn.ReLU6(), "ReLU6()", F.relu6),
    (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)", F.hardtanh),
    (nn.Hardswish(), "Hardswish()", F.hardswish),
    (nn.Hardsigmoid(), "Hardsigmoid()", F.hardsigmoid),
    (nn.LogSigmoid(), "LogSigmoid()", F.log_sigmoid),
    (nn.Softsign(), "Softsign()", F.softsign),
    (nn.GLU(), "GLU(dim=-1)", F.glu),
    (nn.GLU(1), "GLU(dim=1)", lambda x: F.glu(x, 1)),
    (nn.Softmax(dim=0), "Softmax(dim=0)", lambda x: F.softmax(x, axis=0)),
    (nn.LogSoftmax(dim=1), "LogSoftmax(dim=1)", lambda x: F.log_softmax(x, axis=1)),
]


@pytest.mark.parametrize("case", MODULES, ids=[m[1] for m in MODULES])
def test_activation_modules_call_functional_and_print_like_pytorch(case):
    module, text, fn = case
    assert repr(module) == text
    x = np.random.default_rng(1).standard_normal((3, 4)) * 4
    np.testing.assert_array_equal(module(t64(x)).data, fn(t64(x)).data)
    assert list(module.parameters()) == [] and module.state_dict() == {}


def test_relu6_is_a_hardtanh_as_in_pytorch():
    assert isinstance(nn.ReLU6(), nn.Hardtanh)
    assert (nn.ReLU6().min_val, nn.ReLU6().max_val) == (0.0, 6.0)


def test_mlp_builds_the_new_activations_by_name():
    model = nn.MLP([2, 3, 3, 1], activation="gelu", output_activation="hardsigmoid")
    assert [type(m).__name__ for m in model] == ["Linear", "GELU", "Linear", "GELU"] + [
        "Linear",
        "Hardsigmoid",
    ]


@pytest.mark.parametrize("cls", [nn.Softmax, nn.LogSoftmax])
def test_softmax_without_dim_uses_pytorchs_implicit_rule_and_warns(cls):
    x = np.random.default_rng(2).standard_normal((2, 2, 3, 4))
    for shape, axis in (((4,), 0), ((3, 4), 1), ((2, 3, 4), 0), ((2, 2, 3, 4), 1)):
        data = x.reshape(-1)[: math.prod(shape)].reshape(shape)
        with pytest.warns(UserWarning, match="without dim= picks the axis"):
            out = cls()(t64(data))
        fn = F.softmax if cls is nn.Softmax else F.log_softmax
        np.testing.assert_array_equal(out.data, fn(t64(data), axis=axis).data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(dim=-1)(t64(x))  # with dim: no warning


# ------------------------------------------------------------------------- softsign, glu, prelu


def test_softsign_values_gradients_and_extremes():
    x = np.array([-3e38, -1000.0, -2.5, -0.3, 0.0, 0.7, 4.0, 3e38])
    out = F.softsign(t64(x))
    np.testing.assert_allclose(out.data, x / (1 + np.abs(x)), rtol=1e-15)
    check_grads(F.softsign, [x[1:-1]])
    t = t64(x, requires_grad=True)
    with np.errstate(over="ignore"):
        F.softsign(t).sum().backward()
    # 1 at 0; at 3e38 1 / b - |x| / b^2 rounds to 0, as torch's (the same composition)
    np.testing.assert_allclose(t.grad.data, 1 / (1 + np.abs(x)) ** 2, rtol=1e-12, atol=1e-70)
    assert F.softsign(Tensor(np.float32([3e38]))).data.tolist() == [1.0]


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_glu_gates_the_first_half_by_the_sigmoid_of_the_second(dim):
    x = np.random.default_rng(2).standard_normal((4, 6, 2))
    a, b = np.split(x, 2, axis=dim)
    out = F.glu(t64(x), dim)
    np.testing.assert_allclose(out.data, a / (1 + np.exp(-b)), rtol=1e-12)
    check_grads(lambda t: F.glu(t, dim), [x])


def test_glu_errors():
    with pytest.raises(RuntimeError, match="even size, but dim 1 has size 3"):
        F.glu(t64(np.ones((2, 3))), 1)
    with pytest.raises(RuntimeError, match="0-d input"):
        F.glu(t64(1.0))
    with pytest.raises(IndexError, match="dim=2 is out of range"):
        F.glu(t64(np.ones((2, 4))), 2)


@pytest.mark.parametrize("shape, channels", [((2, 3, 4), 3), ((5, 3), 3), ((4,), 1), ((2, 3), 1)])
def test_prelu_slopes_per_channel_of_axis_1(shape, channels):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    w = rng.uniform(0.05, 0.5, channels)
    w_b = w.reshape(-1, *([1] * (len(shape) - 2))) if len(shape) >= 2 and channels > 1 else w[0]
    out = F.prelu(t64(x), t64(w))
    np.testing.assert_allclose(out.data, np.where(x > 0, x, w_b * x), rtol=1e-12)
    check_grads(F.prelu, [x, w])


def test_prelu_slope_at_0_is_the_weights_and_the_weight_gets_the_negative_inputs():
    x, w = t64([0.0, -1.0, 2.0, -3.0], requires_grad=True), t64([0.25], requires_grad=True)
    F.prelu(x, w).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.25, 0.25, 1.0, 0.25])
    np.testing.assert_array_equal(w.grad.data, [-4.0])
    assert F.prelu(t64(-2.0), t64(0.5)).item() == -1.0  # a 0-d input and weight


def test_prelu_errors():
    with pytest.raises(RuntimeError, match="weight has 2 values but the input .* has 3 channels"):
        F.prelu(t64(np.ones((2, 3))), t64([0.1, 0.2]))
    with pytest.raises(RuntimeError, match="has 1 channels"):
        F.prelu(t64(np.ones(3)), t64([0.1, 0.2, 0.3]))
    with pytest.raises(RuntimeError, match="scalar or 1-D"):
        F.prelu(t64(np.ones((2, 3))), t64(np.ones((3, 1))))
    with pytest.raises(RuntimeError, match="0-d input takes one slope"):
        F.prelu(t64(1.0), t64([0.1, 0.2]))


def test_prelu_module_holds_its_slopes_as_a_parameter():
    m = nn.PReLU(3, init=0.1)
    assert repr(m) == "PReLU(num_parameters=3)" and m.init == 0.1
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (3,)
    np.testing.assert_allclose(m.weight.data, [0.1, 0.1, 0.1], rtol=1e-7)
    x = np.random.default_rng(4).standard_normal((2, 3, 5)).astype(np.float32)
    np.testing.assert_array_equal(m(Tensor(x)).data, F.prelu(Tensor(x), m.weight).data)
    m(Tensor(x)).sum().backward()
    np.testing.assert_allclose(m.weight.grad.data, np.minimum(x, 0).sum((0, 2)), rtol=1e-5)
    assert nn.PReLU().weight.shape == (1,) and nn.PReLU(dtype=np.float64).weight.dtype == np.float64
    with pytest.raises(ValueError, match="num_parameters must be an integer >= 1"):
        nn.PReLU(0)
