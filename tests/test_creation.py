"""Tensor constructors: shapes, dtypes, values, seeding."""

import numpy as np
import pytest

import tinygrad_mlp as tg


@pytest.mark.parametrize("make, value", [(tg.zeros, 0.0), (tg.ones, 1.0)], ids=["zeros", "ones"])
def test_filled_shapes_and_dtype(make, value):
    for args, shape in [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([4],), (4,)), ((), ())]:
        t = make(*args)
        assert t.dtype == np.float32
        assert t.shape == shape
        assert np.all(t.data == value)
    assert make(2, dtype=np.float64).dtype == np.float64


def test_full_like_and_eye():
    t = tg.full((2, 2), 7.5)
    assert t.shape == (2, 2) and np.all(t.data == 7.5) and t.dtype == np.float32
    base = tg.Tensor(np.arange(6.0).reshape(2, 3), dtype=np.float64)
    assert tg.zeros_like(base).dtype == np.float64 and np.all(tg.zeros_like(base).data == 0)
    assert np.all(tg.ones_like(base).data == 1) and tg.ones_like(base).shape == (2, 3)
    np.testing.assert_array_equal(tg.eye(3).data, np.eye(3))


def test_arange_keeps_integers_and_makes_floats_float32():
    np.testing.assert_array_equal(tg.arange(4).data, [0, 1, 2, 3])
    assert tg.arange(4).dtype.kind == "i"
    f = tg.arange(0, 1, 0.25)
    assert f.dtype == np.float32
    np.testing.assert_array_equal(f.data, [0, 0.25, 0.5, 0.75])


def test_random_tensors_follow_manual_seed():
    tg.manual_seed(3)
    a, u = tg.randn(50), tg.rand(50)
    tg.manual_seed(3)
    b, v = tg.randn(50), tg.rand(50)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(u.data, v.data)
    tg.manual_seed(4)
    assert not np.array_equal(tg.randn(50).data, a.data)
    assert 0 <= u.data.min() and u.data.max() < 1


def test_requires_grad_makes_a_trainable_leaf():
    w = tg.randn(3, 2, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.data, 2 * w.data)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype.*int64"):
        tg.zeros(2, dtype=np.int64, requires_grad=True)


def test_tensor_function_matches_constructor():
    t = tg.tensor([[1, 2]], dtype="float64", requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad and t.shape == (1, 2)


def test_randperm_is_a_seeded_permutation():
    tg.manual_seed(5)
    p = tg.randperm(20)
    assert p.dtype == np.int64 and p.shape == (20,) and not p.requires_grad
    assert sorted(p.data.tolist()) == list(range(20))
    assert p.data.tolist() != list(range(20))  # the identity: 1 chance in 20!
    tg.manual_seed(5)
    np.testing.assert_array_equal(tg.randperm(20).data, p.data)
    assert tg.randperm(0).shape == (0,)
    assert tg.randperm(3, dtype=np.int32).dtype == np.int32
    with pytest.raises(TypeError, match=r"randperm\(\): n must be an integer >= 0, got 2.0"):
        tg.randperm(2.0)
    with pytest.raises(ValueError, match=r"randperm\(\): n must be an integer >= 0, got -1"):
        tg.randperm(-1)


def test_eye_takes_torch_signature_n_then_m_with_keyword_dtype():
    # torch.eye(n, m=None, *, dtype=...): a second positional number is the column count
    np.testing.assert_array_equal(tg.eye(2, 3).data, [[1, 0, 0], [0, 1, 0]])
    assert tg.eye(2, m=3).shape == (2, 3) and tg.eye(3, 2).shape == (3, 2)
    assert tg.eye(2, 3).dtype == np.float32
    assert tg.eye(2, dtype=tg.float64).dtype == np.float64
    assert tg.eye(2, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="positional"):
        tg.eye(2, 3, np.float64)  # dtype is keyword-only, as in PyTorch
    with pytest.raises(TypeError, match="integer sizes"):
        tg.eye(2, 2.5)
