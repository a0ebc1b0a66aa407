"""tinygrad_mlp.nn.utils: gradient clipping against NumPy formulas written here (PyTorch's
definitions), in place, with the edge cases (no gradients, nan norms, inf norm, mixed
dtypes), and the parameter <-> vector round trip (with its gradient)."""

import math

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor
from tinygrad_mlp.nn import utils
from tinygrad_mlp.nn.utils import clip_grad_norm_


def params_with_grads(grads, dtype=np.float64):
    ps = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g)), dtype=dtype)
        p.grad = Tensor(np.array(g), dtype=dtype)
        ps.append(p)
    return ps


def np_total_norm(grads, p):
    flat = np.concatenate([np.ravel(g) for g in grads])
    if p == math.inf:
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf])
@given(data=st.data(), max_norm=st.sampled_from([0.01, 0.5, 3.0, 1e3]))
def test_clip_grad_norm_scales_every_gradient_by_pytorchs_coefficient(norm_type, data, max_norm):
    grads = [data.draw(arrays(s, -3, 3), label=f"grad {s}") for s in [(2, 3), (4,), ()]]
    ps = params_with_grads(grads)
    arrays_before = [p.grad.data for p in ps]
    total = clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    expected_total = np_total_norm(grads, norm_type)
    assert isinstance(total, Tensor) and total.shape == () and total.dtype == np.float64
    np.testing.assert_allclose(total.item(), expected_total, rtol=1e-12)
    coef = min(max_norm / (expected_total + 1e-6), 1.0)
    for p, g, before in zip(ps, grads, arrays_before):
        np.testing.assert_allclose(p.grad.data, g * coef, rtol=1e-12, atol=1e-300)
        assert p.grad.data is before  # changed in place, as PyTorch's mul_
    if coef < 1:
        np.testing.assert_allclose(
            np_total_norm([p.grad.data for p in ps], norm_type), max_norm, rtol=1e-5
        )


def test_clip_grad_norm_edge_cases():
    # a single tensor; parameters without grad are skipped; 'inf' as a string
    a, b = params_with_grads([[3.0, -4.0], [1.0]])
    b.grad = None
    total = clip_grad_norm_(a, 1.0)
    np.testing.assert_allclose(total.item(), 5.0)
    np.testing.assert_allclose(a.grad.data, [3.0 / (5 + 1e-6), -4.0 / (5 + 1e-6)], rtol=1e-15)
    np.testing.assert_allclose(clip_grad_norm_([b, *params_with_grads([[2, -7]])], 10, "inf"), 7)
    # nothing to clip
    assert clip_grad_norm_([b], 1.0).item() == 0.0 and b.grad is None
    assert clip_grad_norm_(iter([]), 1.0).item() == 0.0
    # zero gradients stay zero (the 1e-6 keeps the coefficient finite)
    (z,) = params_with_grads([[0.0, 0.0]])
    clip_grad_norm_([z], 1.0)
    np.testing.assert_array_equal(z.grad.data, [0.0, 0.0])


def test_clip_grad_norm_with_a_nonfinite_norm():
    (p,) = params_with_grads([[np.nan, 1.0]])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is nan.*error_if_non"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad.data, [np.nan, 1.0])  # unchanged when it raises
    assert np.isnan(clip_grad_norm_([p], 1.0).item())
    assert np.isnan(p.grad.data).all()  # as PyTorch: scaled by a nan coefficient


def test_clip_grad_norm_keeps_float32_and_mixes_dtypes_like_pytorch():
    (p32,) = params_with_grads([[3.0, 4.0]], dtype=np.float32)
    total = clip_grad_norm_([p32], 1.0)
    assert total.dtype == np.float32 and p32.grad.dtype == np.float32
    np.testing.assert_allclose(p32.grad.data, [0.6, 0.8], rtol=1e-6)
    (q32,) = params_with_grads([[3.0]], dtype=np.float32)
    (q64,) = params_with_grads([[4.0]])
    assert clip_grad_norm_([q32, q64], 1.0).dtype == np.float64
    assert q32.grad.dtype == np.float32


def test_clip_grad_norm_argument_errors():
    with pytest.raises(TypeError, match="parameter 0 is a ndarray, not a Tensor"):
        clip_grad_norm_([np.ones(2)], 1.0)
    with pytest.raises(TypeError, match="must be a Tensor or an iterable of Tensors.*float"):
        clip_grad_norm_(1.5, 1.0)
    with pytest.raises(ValueError, match="norm_type must be a number or 'inf', got 'two'"):
        clip_grad_norm_(params_with_grads([[1.0]]), 1.0, norm_type="two")


def test_clip_grad_value_clamps_in_place():
    ps = params_with_grads([[-3.0, 0.2, 5.0], [[0.7], [-0.69]]])
    before = [p.grad.data for p in ps]
    ps.append(nn.Parameter([1.0]))  # no grad: skipped
    assert utils.clip_grad_value_(ps, 0.7) is None
    np.testing.assert_array_equal(ps[0].grad.data, [-0.7, 0.2, 0.7])
    np.testing.assert_array_equal(ps[1].grad.data, [[0.7], [-0.69]])
    assert [p.grad.data for p in ps[:2]] == before and ps[2].grad is None
    with pytest.raises(ValueError, match="clip_value must be >= 0, got -1"):
        utils.clip_grad_value_(ps, -1)


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2, dtype=np.float64), nn.Linear(2, 1, dtype=np.float64))
    params = list(model.parameters())
    vec = utils.parameters_to_vector(model.parameters())
    assert vec.shape == (11,) and vec.dtype == np.float64
    np.testing.assert_array_equal(vec.data, np.concatenate([p.data.ravel() for p in params]))
    new = np.arange(11.0)
    utils.vector_to_parameters(Tensor(new, dtype=np.float64), model.parameters())
    np.testing.assert_array_equal(model[0].weight.data, new[:6].reshape(2, 3))
    np.testing.assert_array_equal(model[1].bias.data, new[10:])
    assert all(p.requires_grad and p.is_leaf for p in model.parameters())
    with pytest.raises(ValueError, match="vec has 10 elements but the parameters hold 11"):
        utils.vector_to_parameters(Tensor(np.zeros(10)), model.parameters())
    with pytest.raises(TypeError, match="vec must be a Tensor, got ndarray"):
        utils.vector_to_parameters(np.zeros(11), model.parameters())
    with pytest.raises(ValueError, match="got no parameters"):
        utils.parameters_to_vector([])


def test_parameters_to_vector_is_differentiable():
    a, b = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.25, -1.5, 2.0])

    def fn(x, y):
        return utils.parameters_to_vector([x, y]) ** 2

    grads = check_grads(fn, [a, b])
    assert grads[0].shape == (2, 2) and grads[1].shape == (3,)


def test_importable_as_tinygrad_mlp_nn_utils():
    import tinygrad_mlp.nn.utils as u

    assert u.clip_grad_norm_ is clip_grad_norm_ and nn.utils is u
