"""tinygrad_mlp.nn.init: PyTorch's gains, fans and distributions, checked statistically on
large tensors with a fixed seed (bounds exactly, std within 2 %, mean within 5 standard
errors), plus dtype, identity, graph and reproducibility checks."""

import math

import numpy as np
import pytest

import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor, manual_seed
from tinygrad_mlp.nn import init

SHAPE = (300, 400)  # fan_in 400, fan_out 300: 120,000 draws


def param(shape=SHAPE, dtype=np.float64):
    return nn.Parameter(np.zeros(shape), dtype=dtype)


def assert_uniform(values, bound):
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.99 * bound and values.max() > 0.99 * bound
    assert_moments(values, bound / math.sqrt(3))


def assert_moments(values, std, mean=0.0):
    np.testing.assert_allclose(values.std(), std, rtol=0.02)
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(values.size)


@pytest.mark.parametrize(
    "name, param_, gain",
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5.0 / 3.0),
        ("relu", None, math.sqrt(2.0)),
        ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
        ("leaky_relu", 0, math.sqrt(2.0)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(name, param_, gain):
    assert init.calculate_gain(name, param_) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_rejects_unknown_names():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_uniform_and_normal():
    manual_seed(0)
    w = init.uniform_(param(), -0.5, 1.5).data
    assert w.min() >= -0.5 and w.max() <= 1.5
    assert_moments(w, 2.0 / math.sqrt(12), mean=0.5)
    w = init.normal_(param(), mean=3.0, std=0.1).data
    assert_moments(w, 0.1, mean=3.0)
    w = init.uniform_(param()).data  # defaults: [0, 1)
    assert w.min() >= 0 and w.max() < 1


def test_constants():
    p = param((3, 4))
    np.testing.assert_array_equal(init.constant_(p, 2.5).data, np.full((3, 4), 2.5))
    np.testing.assert_array_equal(init.ones_(p).data, np.ones((3, 4)))
    np.testing.assert_array_equal(init.zeros_(p).data, np.zeros((3, 4)))


def test_xavier():
    manual_seed(1)
    assert_uniform(init.xavier_uniform_(param()).data, math.sqrt(6 / 700))
    assert_uniform(init.xavier_uniform_(param(), gain=2.0).data, 2 * math.sqrt(6 / 700))
    assert_moments(init.xavier_normal_(param()).data, math.sqrt(2 / 700))
    assert_moments(init.xavier_normal_(param(), gain=5 / 3).data, 5 / 3 * math.sqrt(2 / 700))


def test_kaiming_defaults_are_leaky_relu_with_a_0_and_fan_in():
    manual_seed(2)
    gain = math.sqrt(2.0)  # leaky_relu with negative slope a = 0
    assert_uniform(init.kaiming_uniform_(param()).data, math.sqrt(3) * gain / math.sqrt(400))
    assert_moments(init.kaiming_normal_(param()).data, gain / math.sqrt(400))


def test_kaiming_options():
    manual_seed(3)
    w = init.kaiming_normal_(param(), mode="fan_out", nonlinearity="relu").data
    assert_moments(w, math.sqrt(2) / math.sqrt(300))
    w = init.kaiming_uniform_(param(), a=math.sqrt(5)).data  # Linear's default: 1/sqrt(fan_in)
    assert_uniform(w, 1 / math.sqrt(400))
    w = init.kaiming_uniform_(param(), nonlinearity="tanh", mode="fan_out").data
    assert_uniform(w, math.sqrt(3) * (5 / 3) / math.sqrt(300))


def test_fans_include_the_receptive_field():
    manual_seed(4)
    w = init.kaiming_normal_(param((60, 40, 5)), mode="fan_in").data  # fan_in = 40 * 5
    assert_moments(w, math.sqrt(2 / 200))
    w = init.xavier_uniform_(param((60, 40, 5))).data  # fan_out = 60 * 5
    assert_uniform(w, math.sqrt(6 / 500))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_keeps_dtype_shape_object_and_has_no_graph(dtype):
    fns = [
        lambda p: init.uniform_(p),
        lambda p: init.normal_(p),
        lambda p: init.constant_(p, 3),
        init.zeros_,
        init.ones_,
        init.xavier_uniform_,
        init.xavier_normal_,
        init.kaiming_uniform_,
        init.kaiming_normal_,
    ]
    for fn in fns:
        p = param((5, 3), dtype)
        assert fn(p) is p
        assert p.dtype == dtype and p.shape == (5, 3)
        assert p.requires_grad and p.is_leaf and p.grad is None
    t = Tensor(np.zeros((2, 2)))
    assert init.ones_(t) is t and not t.requires_grad


def test_manual_seed_reproduces_every_draw():
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_):
        manual_seed(9)
        a = fn(param((4, 5))).data.copy()
        b = fn(param((4, 5))).data.copy()
        manual_seed(9)
        c = fn(param((4, 5))).data
        np.testing.assert_array_equal(a, c)
        assert not np.array_equal(a, b)


def test_errors():
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(4,\)"):
        init.kaiming_uniform_(param((4,)))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_normal_(param((4,)))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal_(param((4, 4)), mode="fan_avg")
    with pytest.raises(TypeError, match="expected a Tensor or Parameter, got ndarray"):
        init.zeros_(np.ones(3))


def test_empty_tensors_are_left_empty():
    p = param((0, 3))
    assert init.kaiming_uniform_(p).shape == (0, 3)
    assert init.xavier_normal_(param((3, 0))).shape == (3, 0)


def test_trunc_normal_draws_the_truncated_distribution_within_its_bounds():
    manual_seed(0)
    w = init.trunc_normal_(Tensor(np.zeros((400, 250), np.float32)))  # N(0, 1) in [-2, 2]
    v = w.data
    assert v.dtype == np.float32 and v.min() >= -2 and v.max() <= 2
    # the truncated normal's variance: 1 - 2 b phi(b) / (Phi(b) - Phi(-b)) at b = 2
    phi = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert abs(v.std() - math.sqrt(1 - 4 * phi / mass)) < 0.005  # 0.8796
    assert abs(v.mean()) < 0.01
    u = init.trunc_normal_(Tensor(np.zeros(10_000)), mean=1.0, std=2.0, a=0.0, b=1.5).data
    assert u.min() >= 0 and u.max() <= 1.5 and len(np.unique(u)) == u.size  # absolute bounds
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(Tensor(np.zeros(3)), a=1.0, b=1.0)
    with pytest.raises(ValueError, match="too far in the tail"):
        init.trunc_normal_(Tensor(np.zeros(3)), a=40.0, b=41.0)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_eye_fills_the_identity_in_place(shape):
    w = param(shape, np.float32)
    w.data = np.full(shape, 7.0, dtype=np.float32)
    assert init.eye_(w) is w
    expected = np.zeros(shape)
    for i in range(min(shape)):
        expected[i, i] = 1.0
    np.testing.assert_array_equal(w.data, expected)
    assert w.dtype == np.float32 and w.grad_fn is None and w.requires_grad
    assert "eye_" in init.__all__


def test_eye_refuses_other_than_2_dimensions():
    for shape in [(3,), (2, 2, 2)]:
        with pytest.raises(ValueError, match="eye_: only 2-D tensors"):
            init.eye_(param(shape))
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.eye_([[0.0]])
