"""Reductions (sum, mean, max, min, var, std) over random axes, with and without keepdims:
forward values against NumPy, gradients against float64 central differences."""

import math

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import arrays, axis_and_keepdims, distinct_arrays, shapes, upstream_grads

from tinygrad_mlp import Tensor


def count(shape, axis):
    """How many elements each output of a reduction over `axis` combines."""
    if axis is None:
        return math.prod(shape)
    axis = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(shape[a] for a in axis)


# name: (Tensor method name, NumPy function, extra keyword arguments, how to draw x)
REDUCTIONS = {
    "sum": ("sum", np.sum, {}, arrays),
    "mean": ("mean", np.mean, {}, arrays),
    "max": ("max", np.max, {}, distinct_arrays),
    "min": ("min", np.min, {}, distinct_arrays),
    "var": ("var", np.var, {}, distinct_arrays),
    "var_ddof1": ("var", np.var, {"ddof": 1}, distinct_arrays),
    "std": ("std", np.std, {}, distinct_arrays),
    "std_ddof1": ("std", np.std, {"ddof": 1}, distinct_arrays),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@settings(max_examples=30)
@given(data=st.data())
def test_reduction_forward_and_gradient(name, data):
    method, np_fn, kwargs, draw_array = REDUCTIONS[name]
    shape = data.draw(shapes(), label="shape")
    axis, keepdims = data.draw(axis_and_keepdims(len(shape)), label="axis, keepdims")
    n = count(shape, axis)
    if name.startswith(("var", "std")):
        assume(n - kwargs.get("ddof", 0) >= 1 and n >= 2)  # a defined, nonzero spread
    x = data.draw(draw_array(shape), label="x")

    def fn(t):
        return getattr(t, method)(axis=axis, keepdims=keepdims, **kwargs)

    expected = np_fn(x, axis=axis, keepdims=keepdims, **kwargs)
    out = fn(Tensor(x, dtype=np.float64))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)
    check_grads(fn, [x], data.draw(upstream_grads(expected.shape), label="g"))


@settings(max_examples=20)
@given(data=st.data())
def test_sum_and_mean_gradients_are_g_spread_evenly(data):
    """Closed forms: d sum / d x = g broadcast back; d mean / d x = g / n broadcast back."""
    shape = data.draw(shapes(min_dims=1), label="shape")
    axis, keepdims = data.draw(axis_and_keepdims(len(shape)), label="axis, keepdims")
    x_np = data.draw(arrays(shape), label="x")
    out_shape = np.sum(x_np, axis=axis, keepdims=keepdims).shape
    g = data.draw(upstream_grads(out_shape), label="g")
    g_kept = g.reshape(np.sum(x_np, axis=axis, keepdims=True).shape)
    for method, scale in (("sum", 1.0), ("mean", 1.0 / count(shape, axis))):
        x = Tensor(x_np, dtype=np.float64, requires_grad=True)
        getattr(x, method)(axis=axis, keepdims=keepdims).backward(g)
        np.testing.assert_allclose(x.grad.data, np.broadcast_to(g_kept * scale, shape), rtol=1e-14)


def test_max_and_min_share_the_gradient_between_ties():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype=np.float64, requires_grad=True)
    x.max(axis=1).backward(np.array([6.0, 9.0]))
    np.testing.assert_allclose(x.grad.data, [[0.0, 3.0, 3.0], [3.0, 3.0, 3.0]])
    y = Tensor([[1.0, 1.0, 3.0], [2.0, 5.0, 2.0]], dtype=np.float64, requires_grad=True)
    y.min().backward(np.array(4.0))
    np.testing.assert_allclose(y.grad.data, [[2.0, 2.0, 0.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("ddof", [0, 1])
def test_var_gradient_closed_form(ddof):
    """d var / d x = 2 (x - mean) / (n - ddof) along the reduced axis, times g."""
    rng = np.random.default_rng(3)
    x_np = rng.standard_normal((4, 5))
    g = rng.standard_normal(5)
    x = Tensor(x_np, dtype=np.float64, requires_grad=True)
    x.var(axis=0, ddof=ddof).backward(g)
    expected = 2 * (x_np - x_np.mean(axis=0)) / (4 - ddof) * g
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


@pytest.mark.parametrize("shape, axis", [((0,), None), ((0, 3), 0), ((2, 0, 3), 1), ((3, 0), 0)])
def test_sum_over_empty_axes(shape, axis):
    """Summing nothing gives 0; the gradient has the input's (empty or not) shape."""
    x = Tensor(np.ones(shape), dtype=np.float64, requires_grad=True)
    s = x.sum(axis=axis)
    np.testing.assert_array_equal(s.data, np.sum(np.ones(shape), axis=axis))
    (s * 2.0).sum().backward()
    assert x.grad.shape == shape
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 2.0))


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "var"])
def test_reduction_rejects_a_bad_axis(method):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises((ValueError, np.exceptions.AxisError), match="axis"):
        getattr(x, method)(axis=2)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "var", "std"])
def test_reductions_keep_float32(method):
    x_np = np.array([[0.5, -1.25, 2.0], [3.0, 0.75, -0.5]], dtype=np.float32)
    x = Tensor(x_np, requires_grad=True)
    y = getattr(x, method)(axis=1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, getattr(np, method)(x_np.astype(np.float64), axis=1), 1e-6)
    y.backward(np.array([1.5, -2.0], dtype=np.float32))
    assert x.grad.dtype == np.float32


X23 = np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])


@pytest.mark.parametrize("empty", [(), []])
def test_an_empty_dim_reduces_over_every_axis_as_pytorch(empty):
    # PyTorch reads dim=() as "no dims given": every axis; the mean of X23 is 4 and its
    # unbiased variance (sum of squared deviations 40, over 6 - 1) is 8
    x = Tensor(X23, requires_grad=True)
    assert x.sum(empty).item() == 24.0 and x.sum(dim=empty).item() == 24.0
    assert x.mean(dim=empty).item() == 4.0
    np.testing.assert_allclose(x.var(dim=empty).item(), 8.0)
    np.testing.assert_allclose(x.std(empty).item(), math.sqrt(8.0))
    assert x.amax(dim=empty).item() == 9.0 and x.amin(empty).item() == 1.0
    np.testing.assert_array_equal(x.sum(empty, keepdim=True).data, [[24.0]])
    np.testing.assert_allclose(x.logsumexp(dim=empty).item(), np.log(np.exp(X23).sum()))
    x.mean(dim=empty).backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 1 / 6))


def test_an_empty_axis_reduces_over_no_axis_as_numpy():
    from tinygrad_mlp.functional import logsumexp

    x = Tensor(X23)
    for out in (x.sum(axis=()), x.mean(axis=()), x.amax(axis=()), logsumexp(x, axis=())):
        np.testing.assert_array_equal(out.data, X23)
    np.testing.assert_array_equal(x.var(axis=()).data, np.zeros((2, 3)))  # np.var's meaning
    np.testing.assert_array_equal(x.std(axis=(), ddof=0).data, np.zeros((2, 3)))
    np.testing.assert_array_equal(x.sum((), keepdims=True).data, X23)  # keepdims=: NumPy's


def test_norm_and_std_have_gradient_zero_where_they_are_zero():
    # PyTorch masks the gradient of a zero norm or a zero standard deviation to 0 (sqrt's
    # slope at 0 is infinite, and inf * 0 would be nan)
    x = Tensor(np.zeros(2), requires_grad=True)
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    for p in (3, 1):
        x.grad = None
        x.norm(p=p).backward()
        np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    rows = Tensor([[0.0, 0.0], [3.0, 4.0]], requires_grad=True)
    rows.norm(dim=1).sum().backward()  # the nonzero row: x / |x|
    np.testing.assert_allclose(rows.grad.data, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)
    c = Tensor([[3.0, 3.0], [1.0, 2.0]], requires_grad=True)
    c.std(1).sum().backward()  # (x - mean) / ((n - 1) std): +-0.5 / 0.7071 on row 2
    np.testing.assert_allclose(c.grad.data, [[0.0, 0.0], [-(0.5**0.5), 0.5**0.5]], rtol=1e-6)
    one = Tensor([3.0], requires_grad=True)
    one.std(correction=0).backward()
    np.testing.assert_array_equal(one.grad.data, [0.0])
    check_grads(lambda t: t.norm(dim=0) + t.std(0) + t.norm(p=3, dim=0), [X23])
