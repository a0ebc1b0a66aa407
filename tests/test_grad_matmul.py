"""matmul with NumPy's rules: 1-D vectors, matrices and stacks of matrices whose batch axes
broadcast; forward values against np.matmul, gradients against float64 central
differences and against the closed forms."""

import numpy as np
import pytest
from helpers import check_grads, random_grad
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, matmul_shapes, upstream_grads

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor, ops


@given(data=st.data())
def test_matmul_forward_and_gradient(data):
    sa, sb = data.draw(matmul_shapes(), label="shapes")
    a, b = data.draw(arrays(sa), label="a"), data.draw(arrays(sb), label="b")
    expected = np.matmul(a, b)
    for fn in (tg.matmul, lambda x, y: x @ y):
        out = fn(Tensor(a, dtype=np.float64), Tensor(b, dtype=np.float64))
        assert out.shape == expected.shape
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    check_grads(lambda x, y: x @ y, [a, b], data.draw(upstream_grads(expected.shape), label="g"))


@given(data=st.data())
def test_matmul_with_a_numpy_operand_on_either_side(data):
    sa, sb = data.draw(matmul_shapes(), label="shapes")
    a, b = data.draw(arrays(sa), label="a"), data.draw(arrays(sb), label="b")
    expected = np.matmul(a, b)
    g = data.draw(upstream_grads(expected.shape), label="g")
    left = a @ Tensor(b, dtype=np.float64)  # ndarray @ Tensor: Tensor.__rmatmul__
    assert isinstance(left, Tensor)
    np.testing.assert_allclose(left.data, expected, rtol=1e-12, atol=1e-12)
    check_grads(lambda y: a @ y, [b], g)
    check_grads(lambda x: x @ b, [a], g)


def test_matmul_2d_gradient_closed_form():
    """out = a @ b:  da = g @ b.T,  db = a.T @ g."""
    rng = np.random.default_rng(5)
    a_np, b_np, g = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), random_grad((3, 2))
    a = Tensor(a_np, dtype=np.float64, requires_grad=True)
    b = Tensor(b_np, dtype=np.float64, requires_grad=True)
    (a @ b).backward(g)
    np.testing.assert_allclose(a.grad.data, g @ b_np.T, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, a_np.T @ g, rtol=1e-12)


def test_matmul_vector_cases_closed_form():
    rng = np.random.default_rng(6)
    v_np, w_np, m_np = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((2, 3))
    v = Tensor(v_np, dtype=np.float64, requires_grad=True)
    w = Tensor(w_np, dtype=np.float64, requires_grad=True)
    dot = v @ w
    assert dot.shape == ()
    dot.backward(np.array(2.5))
    np.testing.assert_allclose(v.grad.data, 2.5 * w_np)
    np.testing.assert_allclose(w.grad.data, 2.5 * v_np)
    m = Tensor(m_np, dtype=np.float64, requires_grad=True)
    v.grad = None
    g = np.array([1.5, -0.5])
    (m @ v).backward(g)
    np.testing.assert_allclose(m.grad.data, np.outer(g, v_np))
    np.testing.assert_allclose(v.grad.data, m_np.T @ g)


def test_batched_matmul_sums_the_gradient_over_broadcast_batch_axes():
    """(2, 3, 4) @ (4, 5): b is shared by both batch entries, so db sums over the batch."""
    rng = np.random.default_rng(7)
    a_np, b_np, g = (
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((4, 5)),
        random_grad((2, 3, 5)),
    )
    a = Tensor(a_np, dtype=np.float64, requires_grad=True)
    b = Tensor(b_np, dtype=np.float64, requires_grad=True)
    (a @ b).backward(g)
    np.testing.assert_allclose(a.grad.data, g @ b_np.T, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, sum(a_np[i].T @ g[i] for i in range(2)), rtol=1e-12)


@pytest.mark.parametrize(
    "sa, sb", [((3,), (4,)), ((2, 3), (2, 3)), ((5, 2, 3), (4, 3, 2)), ((), (3,))]
)
def test_matmul_shape_mismatch_names_both_shapes(sa, sb):
    a, b = Tensor(np.ones(sa)), Tensor(np.ones(sb))
    with pytest.raises(ValueError) as info:
        a @ b
    message = str(info.value)
    assert str(sa) in message and str(sb) in message


@pytest.mark.parametrize(
    "sa, sb", [((0, 3), (3, 2)), ((2, 0), (0, 3)), ((2, 0, 3), (3,)), ((0,), (0,))]
)
def test_matmul_with_empty_axes(sa, sb):
    """Empty axes: the gradients keep the input shapes, and a gradient that sums over an
    empty axis is zero (b's, for (0, 3) @ (3, 2))."""
    a = Tensor(np.ones(sa), dtype=np.float64, requires_grad=True)
    b = Tensor(np.ones(sb), dtype=np.float64, requires_grad=True)
    out = a @ b
    expected = np.ones(sa) @ np.ones(sb)
    np.testing.assert_array_equal(out.data, expected)
    out.backward(np.full(expected.shape, 2.0))
    assert a.grad.shape == sa and b.grad.shape == sb
    # every gradient entry is a sum over the empty axis (or there is none): all zeros
    np.testing.assert_array_equal(a.grad.data, np.zeros(sa))
    np.testing.assert_array_equal(b.grad.data, np.zeros(sb))


def test_matmul_keeps_float32():
    a = Tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    b = Tensor(np.ones((3,)), dtype=np.float32, requires_grad=True)
    out = a @ b
    assert out.dtype == np.float32
    out.backward(np.array([1.0, 2.0], dtype=np.float32))
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32
    np.testing.assert_array_equal(b.grad.data, [3.0, 3.0, 3.0])


@given(st.data())
def test_matmul_t_matches_a_times_b_transposed(data):
    """MatMulT (a linear layer's x @ weight.T in one node) against NumPy and central
    differences, with a random upstream gradient."""
    n, k, m = (data.draw(st.integers(1, 4), label=name) for name in "nkm")
    a = data.draw(arrays((n, k)), label="a")
    b = data.draw(arrays((m, k)), label="b")
    out = ops.MatMulT.apply(Tensor(a, dtype=np.float64), Tensor(b, dtype=np.float64))
    np.testing.assert_allclose(out.data, a @ b.T, rtol=1e-12, atol=1e-12)
    check_grads(lambda x, w: ops.MatMulT.apply(x, w), [a, b])
