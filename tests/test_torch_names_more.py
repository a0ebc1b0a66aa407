"""More of PyTorch's spellings, by concept: elementwise math, rounding, NaN and infinity,
the softmax family, products and running sums, selecting by index, masks, sorting, shape,
interpolation, creation and grad modes. Values against NumPy or closed forms, gradients
against central differences in float64, bad input refused by name."""

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, shapes

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
from tinygrad_mlp import Tensor
from tinygrad_mlp.gradcheck import gradgradcheck

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
POS = np.abs(X) + 0.2


def t64(a=X, **kw):
    return Tensor(a, dtype=np.float64, **kw)


def t32(a=X, **kw):
    return Tensor(a, dtype=np.float32, **kw)


# --------------------------------------------------------------------------- elementwise math
ELEMENTWISE = {
    "reciprocal": (lambda a: 1 / a, POS),
    "rsqrt": (lambda a: 1 / np.sqrt(a), POS),
    "exp2": (np.exp2, X),
    "log2": (np.log2, POS),
    "log10": (np.log10, POS),
    "sinh": (np.sinh, X),
    "cosh": (np.cosh, X),
    "tan": (np.tan, X),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_values_gradients_and_functions(name):
    ref, a = ELEMENTWISE[name]
    np.testing.assert_allclose(getattr(t64(a), name)().data, ref(a), rtol=1e-14)
    # float32 results are the float64 values rounded once
    got32 = getattr(t32(a), name)()
    assert got32.dtype == np.float32
    np.testing.assert_array_equal(
        got32.data, ref(a.astype(np.float32).astype(np.float64)).astype(np.float32)
    )
    np.testing.assert_array_equal(getattr(tg, name)(t64(a)).data, getattr(t64(a), name)().data)
    check_grads(lambda x: getattr(x, name)(), [a])
    assert gradgradcheck(lambda x: getattr(x, name)(), [t64(a, requires_grad=True)])


def test_elementwise_math_is_exact_where_the_answer_is_a_whole_number():
    powers = np.array([1, 2, 8, 1024, 0.5, 0.125], np.float32)
    np.testing.assert_array_equal(t32(powers).log2().data, [0, 1, 3, 10, -1, -3])
    np.testing.assert_array_equal(t32([1.0, 10.0, 1000.0, 1e-3]).log10().data, [0, 1, 3, -3])
    k = np.arange(-60, 61)
    np.testing.assert_array_equal(t64(2.0**k).log2().data, k)  # log(x) / log(2) misses 23%
    np.testing.assert_array_equal(t64(10.0 ** k[40:80]).log10().data, k[40:80])
    np.testing.assert_array_equal(t32([-3.0, 0.0, 5.0, 20.0]).exp2().data, [0.125, 1, 32, 2**20])
    np.testing.assert_array_equal(t32([4.0, 0.25]).rsqrt().data, [0.5, 2.0])


def test_sinh_is_exact_near_zero_and_cosh_overflows_only_with_the_result():
    tiny = np.array([1e-10, -3e-8], np.float32)
    np.testing.assert_array_equal(t32(tiny).sinh().data, tiny)  # sinh(x) = x + x^3/6 + ...
    big = t32([89.0, -89.0, 90.0])  # exp(89) overflows float32, cosh(89) = 2.2e38 does not
    np.testing.assert_allclose(big.cosh().data[:2], np.cosh(89.0), rtol=1e-6)
    assert np.isinf(big.cosh().data[2]) and np.isfinite(big.sinh().data[:2]).all()
    edge = np.array([709.9, -710.4, 705.0, 711.0])  # exp overflows float64 from 709.78
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(t64(edge).cosh().data[:3], np.cosh(edge[:3]), rtol=1e-15)
        np.testing.assert_allclose(t64(edge).sinh().data[:3], np.sinh(edge[:3]), rtol=1e-15)
        assert np.isinf(t64(edge).cosh().data[3]) and t64(-edge).sinh().data[3] == -np.inf
    check_grads(lambda x: x.sinh() * 1e-300 + x.cosh() * 1e-300, [np.array([-705.0, 701.0, 2.0])])


def test_integer_tensors_give_float32_results():
    ints = Tensor([1, 2, 4])
    for name in ("reciprocal", "rsqrt", "exp2", "log2", "log10", "sinh", "cosh", "tan"):
        out = getattr(ints, name)()
        assert out.dtype == np.float32, name
    np.testing.assert_array_equal(ints.reciprocal().data, [1, 0.5, 0.25])
    np.testing.assert_array_equal(ints.log2().data, [0, 1, 2])


# --------------------------------------------------------------------------- rounding
HALVES = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -0.7])


@pytest.mark.parametrize(
    "name, want",
    [
        ("floor", [0, 1, 2, -1, -2, -3, 2, -1]),
        ("ceil", [1, 2, 3, -0, -1, -2, 3, -0]),
        ("trunc", [0, 1, 2, -0, -1, -2, 2, -0]),
        ("fix", [0, 1, 2, -0, -1, -2, 2, -0]),
        ("round", [0, 2, 2, -0, -2, -2, 2, -1]),  # halves to even
    ],
)
def test_rounding_values_and_zero_gradient(name, want):
    x = t64(HALVES, requires_grad=True)
    out = getattr(x, name)()
    np.testing.assert_array_equal(out.data, want)
    assert out.dtype == np.float64 and out.requires_grad  # in the graph, as in PyTorch
    (out * Tensor(np.arange(1.0, 9.0), dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(8))
    np.testing.assert_array_equal(getattr(tg, name)(t64(HALVES)).data, want)


def test_round_decimals_frac_and_integer_inputs():
    np.testing.assert_allclose(
        t64([1.2345, -2.675, 10.05]).round(decimals=2).data, [1.23, -2.68, 10.05]
    )
    np.testing.assert_allclose(t64([1234.5, 1250.0]).round(decimals=-2).data, [1200.0, 1200.0])
    x = t64(HALVES)
    np.testing.assert_allclose(x.frac().data, HALVES - np.trunc(HALVES), rtol=0, atol=0)
    check_grads(lambda a: a.frac() * a, [X])  # d frac / dx = 1
    ints = Tensor([3, -2])
    assert ints.floor().dtype == np.int64 and ints.round().tolist() == [3, -2]
    with pytest.raises(TypeError, match="frac\\(\\) needs a floating tensor, got int64"):
        ints.frac()
    with pytest.raises(TypeError, match="round\\(\\): decimals must be an integer, got 1.5"):
        x.round(decimals=1.5)


# --------------------------------------------------------------------------- NaN and infinity
SPECIAL = np.array([1.5, np.nan, np.inf, -np.inf, -2.0])


def test_isnan_isinf_isfinite_are_bool_masks():
    t = t32(SPECIAL)
    for name, ref in (("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)):
        out = getattr(t, name)()
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, ref(SPECIAL))
        np.testing.assert_array_equal(getattr(tg, name)(t).data, ref(SPECIAL))
    assert not Tensor([1, 2]).isnan().data.any()


def test_nan_to_num_defaults_arguments_and_gradient():
    big = np.finfo(np.float32).max
    np.testing.assert_array_equal(t32(SPECIAL).nan_to_num().data, [1.5, 0, big, -big, -2])
    np.testing.assert_array_equal(
        t64(SPECIAL).nan_to_num(nan=7.0, posinf=8.0, neginf=-9.0).data, [1.5, 7, 8, -9, -2]
    )
    x = t64(SPECIAL, requires_grad=True)
    x.nan_to_num().backward(t64([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(x.grad.data, [1, 0, 0, 0, 5])  # 0 where a value was replaced
    assert Tensor([1, 2]).nan_to_num().tolist() == [1, 2]


# --------------------------------------------------------------------------- softmax family
def test_softmax_family_methods_and_functions_are_functionals():
    t = t64()
    for d in (0, 1, -1):
        np.testing.assert_array_equal(t.softmax(d).data, F.softmax(t, dim=d).data)
        np.testing.assert_array_equal(tg.softmax(t, d).data, F.softmax(t, dim=d).data)
        np.testing.assert_array_equal(t.log_softmax(dim=d).data, F.log_softmax(t, dim=d).data)
        np.testing.assert_array_equal(tg.log_softmax(t, d).data, F.log_softmax(t, dim=d).data)
    e = np.exp(X)
    np.testing.assert_allclose(t.softmax(1).data, e / e.sum(1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(t.logsumexp(1).data, np.log(e.sum(1)), rtol=1e-14)
    np.testing.assert_allclose(
        tg.logsumexp(t, (0, 1), keepdim=True).data, np.log(e.sum()).reshape(1, 1), rtol=1e-14
    )
    assert t32().softmax(0, dtype=tg.float64).dtype == np.float64
    check_grads(lambda a: a.softmax(0) * a.log_softmax(1) + a.logsumexp(-1, keepdim=True), [X])
    with pytest.raises(TypeError, match="dim"):
        t.softmax()
    with pytest.raises(TypeError, match="dim"):
        t.logsumexp()


# --------------------------------------------------------------------------- products and sums
def test_mm_dot_outer():
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))
    u, v = RNG.standard_normal(4), RNG.standard_normal(3)
    np.testing.assert_allclose(t64(a).mm(t64(b)).data, a @ b, rtol=1e-14)
    np.testing.assert_allclose(tg.mm(t64(a), t64(b)).data, a @ b, rtol=1e-14)
    assert t64(u).dot(t64(u)).shape == ()
    np.testing.assert_allclose(tg.dot(t64(u), t64(u)).item(), float(u @ u), rtol=1e-14)
    np.testing.assert_allclose(t64(u).inner(t64(u)).item(), float(u @ u), rtol=1e-14)
    np.testing.assert_array_equal(t64(v).outer(t64(u)).data, np.outer(v, u))
    np.testing.assert_array_equal(tg.outer(t64(v), t64(u)).data, np.outer(v, u))
    check_grads(lambda p, q: p.mm(q), [a, b])
    check_grads(lambda p, q: p.dot(q) * p.outer(q).sum(0), [u, u[::-1].copy()])
    with pytest.raises(
        RuntimeError, match=r"mm\(\): self must be a matrix \(2-D\), got shape \(4,\)"
    ):
        t64(u).mm(t64(b))
    with pytest.raises(RuntimeError, match=r"mat2 must be a matrix.*\(2, 3, 4\)"):
        t64(a).mm(t64(np.zeros((2, 3, 4))))
    with pytest.raises(RuntimeError, match=r"same length, got shapes \(4,\) and \(3,\)"):
        t64(u).dot(t64(v))
    with pytest.raises(RuntimeError, match=r"outer\(\): needs two 1-D tensors.*\(3, 4\)"):
        t64(a).outer(t64(u))


def test_prod_values_dims_keepdim_and_dtypes():
    a = RNG.uniform(0.5, 1.5, (2, 3, 5))
    t = t64(a)
    np.testing.assert_allclose(t.prod().data, np.prod(a), rtol=1e-13)
    for d in (0, 1, 2, -1):
        np.testing.assert_allclose(t.prod(d).data, np.prod(a, axis=d), rtol=1e-13)
        np.testing.assert_allclose(
            t.prod(dim=d, keepdim=True).data, np.prod(a, axis=d, keepdims=True), rtol=1e-13
        )
    np.testing.assert_allclose(t.prod(axis=1, keepdims=True).data, np.prod(a, 1, keepdims=True))
    np.testing.assert_allclose(tg.prod(t, 2).data, np.prod(a, 2), rtol=1e-13)
    ints = Tensor(np.array([[2, 3], [4, 0]], np.int32))
    assert ints.prod().dtype == np.int64 and ints.prod().item() == 0
    assert ints.prod(1).tolist() == [6, 0]
    assert Tensor([True, True]).prod().dtype == np.int64
    assert t64(a).prod(0, dtype=tg.float32).dtype == np.float32
    assert Tensor(2.5).prod(0).item() == 2.5
    assert tg.zeros(0).prod().item() == 1.0
    np.testing.assert_array_equal(tg.zeros(2, 0).prod(1).data, [1.0, 1.0])
    with pytest.raises(IndexError, match="dim 3 is out of range"):
        t.prod(3)


def test_prod_gradient_is_right_with_zeros_and_differentiates_again():
    with_zeros = np.array(
        [[0.0, 2.0, 3.0, -1.5, 0.7], [0.0, 0.0, 5.0, 1.2, 2.0], [1.0, 2.0, -3.0, 0.5, 0.9]]
    )
    check_grads(lambda x: x.prod(1), [with_zeros])
    check_grads(lambda x: x.prod(0, keepdim=True), [with_zeros])
    check_grads(lambda x: x.prod().reshape(1), [with_zeros[:, :3]])
    x = t64(with_zeros[0], requires_grad=True)
    x.prod().backward()
    # only the zero's gradient is nonzero: the product of the others
    np.testing.assert_allclose(x.grad.data, [2.0 * 3.0 * -1.5 * 0.7, 0, 0, 0, 0], rtol=1e-14)
    assert gradgradcheck(lambda y: y.prod(1), [t64(with_zeros, requires_grad=True)])


def test_cumsum_values_dims_dtypes_and_gradients():
    a = RNG.standard_normal((3, 4, 2))
    t = t64(a)
    for d in (0, 1, 2, -1, -3):
        np.testing.assert_allclose(t.cumsum(d).data, np.cumsum(a, axis=d), rtol=1e-14)
    np.testing.assert_allclose(t.cumsum(dim=1).data, np.cumsum(a, 1), rtol=1e-14)
    np.testing.assert_allclose(tg.cumsum(t, axis=0).data, np.cumsum(a, 0), rtol=1e-14)
    ints = Tensor(np.array([1, 2, 3], np.int32))
    assert ints.cumsum(0).dtype == np.int64 and ints.cumsum(0).tolist() == [1, 3, 6]
    assert Tensor([True, False, True]).cumsum(0).tolist() == [1, 1, 2]
    assert Tensor(2.0).cumsum(0).item() == 2.0 and tg.zeros(2, 0).cumsum(1).shape == (2, 0)
    check_grads(lambda x: x.cumsum(1), [a])
    check_grads(lambda x: x.cumsum(-1) * x, [a])
    assert gradgradcheck(lambda y: y.cumsum(0) * y, [t64(a, requires_grad=True)])
    v = t64([1.0, 2.0, 3.0], requires_grad=True)
    v.cumsum(0).backward(t64([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(v.grad.data, [111, 110, 100])  # sums of g from the end
    with pytest.raises(TypeError, match="cumsum\\(\\) missing the dim"):
        t.cumsum()
    with pytest.raises(IndexError, match="dim 3 is out of range"):
        t.cumsum(3)


# --------------------------------------------------------------------------- selecting by index
def test_gather_values_gradient_and_checks():
    index = np.array([[0, 3, 3], [1, 0, 2], [2, 2, 1]])
    np.testing.assert_array_equal(
        t64().gather(1, Tensor(index)).data, np.take_along_axis(X, index, 1)
    )
    np.testing.assert_array_equal(
        tg.gather(t64(), 1, Tensor(index)).data, np.take_along_axis(X, index, 1)
    )
    rows = np.array([[2, 0, 1, 1]])
    np.testing.assert_array_equal(
        t64().gather(0, Tensor(rows)).data, np.take_along_axis(X, rows, 0)
    )
    np.testing.assert_array_equal(
        t64().gather(-2, Tensor(rows[:, :2])).data, X[[2, 0], [0, 1]][None]
    )
    np.testing.assert_array_equal(
        t64().take_along_dim(Tensor(index), 1).data, np.take_along_axis(X, index, 1)
    )
    check_grads(lambda x: x.gather(1, Tensor(index)), [X])  # repeated indices add up
    assert Tensor(3.0).gather(0, Tensor(0)).item() == 3.0
    assert t64().gather(1, Tensor(np.zeros((3, 0), np.int64))).shape == (3, 0)
    with pytest.raises(
        IndexError, match=r"gather\(\): index 4 is out of range for dim 1 of size 4"
    ):
        t64().gather(1, Tensor([[4]]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        t64().gather(1, Tensor([[-1]]))
    with pytest.raises(RuntimeError, match=r"as many dimensions as self \(2\), got shape \(2,\)"):
        t64().gather(1, Tensor([0, 1]))
    with pytest.raises(RuntimeError, match=r"larger than self \(3, 4\) at dimension 0"):
        t64().gather(1, Tensor(np.zeros((4, 1), np.int64)))
    with pytest.raises(TypeError, match="index must be an integer tensor, got dtype float32"):
        t64().gather(1, Tensor([[0.0]]))


def test_index_select_and_select():
    idx = [3, 0, 0]
    np.testing.assert_array_equal(t64().index_select(1, Tensor(idx)).data, X[:, idx])
    np.testing.assert_array_equal(tg.index_select(t64(), 0, Tensor([2, 2])).data, X[[2, 2]])
    np.testing.assert_array_equal(t64().index_select(0, Tensor(1)).data, X[[1]])  # 0-d index
    check_grads(lambda x: x.index_select(1, Tensor(idx)), [X])
    np.testing.assert_array_equal(t64().select(1, -1).data, X[:, -1])
    np.testing.assert_array_equal(tg.select(t64(), 0, 2).data, X[2])
    check_grads(lambda x: x.select(1, 2) * x.select(0, 0)[:3], [X])
    with pytest.raises(IndexError, match="index 3 is out of range for dim 0 of size 3"):
        t64().index_select(0, Tensor([0, 3]))
    with pytest.raises(IndexError, match=r"index must be a vector \(1-D\), got shape \(1, 1\)"):
        t64().index_select(0, Tensor([[0]]))
    with pytest.raises(
        IndexError, match="select\\(\\): index 4 is out of range for dim 1 of size 4"
    ):
        t64().select(1, 4)


# --------------------------------------------------------------------------- masks
def test_masked_fill_and_where():
    mask = X > 0
    np.testing.assert_array_equal(
        t64().masked_fill(Tensor(mask), -1.5).data, np.where(mask, -1.5, X)
    )
    np.testing.assert_array_equal(tg.masked_fill(t64(), Tensor(mask), 0).data, np.where(mask, 0, X))
    row = np.array([True, False, True, False])  # broadcast over the rows
    np.testing.assert_array_equal(t64().masked_fill(Tensor(row), 2.0).data, np.where(row, 2.0, X))
    ints = Tensor([1, 2, 3])
    out = ints.masked_fill(Tensor([True, False, True]), 2.7)  # cast to self's dtype
    assert out.dtype == np.int64 and out.tolist() == [2, 2, 2]
    value = t64(0.5, requires_grad=True)
    check_grads(lambda x, v: x.masked_fill(Tensor(mask), v.reshape(())) * x, [X, np.array([0.5])])
    x = t64(requires_grad=True)
    x.masked_fill(Tensor(mask), value).sum().backward()
    np.testing.assert_array_equal(x.grad.data, ~mask)
    assert value.grad.item() == mask.sum()  # the value gets the gradient of every filled place
    np.testing.assert_array_equal(tg.where(Tensor(mask), t64(), 0.0).data, np.where(mask, X, 0))
    np.testing.assert_array_equal(t64().where(Tensor(mask), -t64()).data, np.where(mask, X, -X))
    np.testing.assert_array_equal(tg.maximum(t64(), 0.0).data, np.maximum(X, 0))
    np.testing.assert_array_equal(t64().minimum(t64(-X)).data, np.minimum(X, -X))
    with pytest.raises(RuntimeError, match="mask must be a bool tensor, got dtype int64"):
        t64().masked_fill(Tensor([1, 0, 1, 0]), 0.0)
    with pytest.raises(RuntimeError, match=r"a 0-d tensor, got shape \(4,\)"):
        t64().masked_fill(Tensor(row), t64(row * 1.0))


# --------------------------------------------------------------------------- sorting
TIES = np.array([[3.0, 1.0, np.nan, 3.0, -1.0, 1.0], [0.0, 0.0, 2.0, -np.inf, np.inf, 2.0]])


def test_sort_and_argsort_are_stable_with_nan_largest():
    values, indices = t64(TIES).sort(1)
    np.testing.assert_array_equal(indices.data, np.argsort(TIES, 1, kind="stable"))
    np.testing.assert_array_equal(values.data, np.sort(TIES, 1))
    assert indices.dtype == np.int64
    down = t64(TIES).sort(dim=1, descending=True)
    # NaN first, equal values in their original order
    np.testing.assert_array_equal(down.indices.data, [[2, 0, 3, 1, 5, 4], [4, 2, 5, 0, 1, 3]])
    np.testing.assert_array_equal(down.values.data, np.take_along_axis(TIES, down.indices.data, 1))
    np.testing.assert_array_equal(tg.argsort(t64(TIES), 0).data, np.argsort(TIES, 0, kind="stable"))
    np.testing.assert_array_equal(
        t64(TIES).argsort(0, descending=True, stable=True).data,
        [[0, 0, 0, 0, 1, 1], [1, 1, 1, 1, 0, 0]],
    )
    assert tg.sort(Tensor([2, 1])).values.tolist() == [1, 2]
    assert Tensor(3.0).sort().values.item() == 3.0 and Tensor(3.0).argsort().item() == 0
    check_grads(lambda x: x.sort(1).values, [X])
    check_grads(lambda x: x.sort(0, descending=True)[0] * x, [X])
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        t64().sort(2)


def test_topk():
    values, indices = t64().topk(2)
    want = np.argsort(-X, 1, kind="stable")[:, :2]
    np.testing.assert_array_equal(indices.data, want)
    np.testing.assert_array_equal(values.data, np.take_along_axis(X, want, 1))
    low = tg.topk(t64(), 3, dim=0, largest=False)
    np.testing.assert_array_equal(low.values.data, np.sort(X, 0))
    assert t64().topk(0).values.shape == (3, 0)
    check_grads(lambda x: x.topk(3, dim=1).values, [X])
    with pytest.raises(RuntimeError, match="topk\\(\\): k=5 is out of range for dim 1 of size 4"):
        t64().topk(5)
    with pytest.raises(RuntimeError, match="k=-1"):
        t64().topk(-1)


# --------------------------------------------------------------------------- shape
A3 = np.arange(24.0).reshape(2, 3, 4)


def test_flip_and_roll_match_numpy():
    t = t64(A3)
    np.testing.assert_array_equal(t.flip(0).data, np.flip(A3, 0))
    np.testing.assert_array_equal(t.flip(0, 2).data, np.flip(A3, (0, 2)))
    np.testing.assert_array_equal(tg.flip(t, (-1,)).data, np.flip(A3, -1))
    assert Tensor(5.0).flip(0).item() == 5.0
    for shifts, dims in [(1, 0), (-2, 2), (7, 1), ((1, -1), (0, 2)), (0, 1)]:
        np.testing.assert_array_equal(t.roll(shifts, dims).data, np.roll(A3, shifts, dims))
    np.testing.assert_array_equal(tg.roll(t, 5).data, np.roll(A3, 5))  # flattened
    check_grads(lambda x: x.flip(1) * x.roll(2, 1) + x.roll((1, 3), (0, 1)), [A3 / 10])
    with pytest.raises(TypeError, match="flip\\(\\) missing the dims"):
        t.flip()
    with pytest.raises(ValueError, match="names an axis more than once"):
        t.flip(0, 0)
    with pytest.raises(RuntimeError, match=r"shifts \(1, 2\) and dims 0 must have the same length"):
        t.roll((1, 2), 0)


def test_split_chunk_unbind_narrow():
    t = t64(A3)
    parts = t.split(3, dim=2)
    assert [p.shape for p in parts] == [(2, 3, 3), (2, 3, 1)] and isinstance(parts, tuple)
    np.testing.assert_array_equal(parts[1].data, A3[:, :, 3:])
    for got, want in zip(tg.split(t, [1, 0, 2], 1), np.split(A3, [1, 1], 1)):
        np.testing.assert_array_equal(got.data, want)
    assert [p.shape[0] for p in tg.zeros(5).chunk(3)] == [2, 2, 1]
    assert [p.shape[0] for p in tg.zeros(6).chunk(4)] == [2, 2, 2]  # fewer pieces, as PyTorch
    assert len(tg.zeros(2, 0).chunk(3, 1)) == 3
    for got, want in zip(t.chunk(2, -1), np.split(A3, 2, -1)):
        np.testing.assert_array_equal(got.data, want)
    rows = t.unbind(1)
    assert len(rows) == 3 and all(np.array_equal(r.data, A3[:, i]) for i, r in enumerate(rows))
    np.testing.assert_array_equal(tg.unbind(t)[1].data, A3[1])
    np.testing.assert_array_equal(t.narrow(2, 1, 2).data, A3[:, :, 1:3])
    np.testing.assert_array_equal(tg.narrow(t, 1, -2, 2).data, A3[:, 1:])
    check_grads(lambda x: tg.cat([p * (i + 1) for i, p in enumerate(x.split([2, 2], 2))], 1), [A3])
    check_grads(lambda x: x.chunk(2, 0)[1] * x.unbind(0)[0] + x.narrow(1, 0, 1), [A3])
    with pytest.raises(RuntimeError, match=r"sizes \[1, 2\] must be >= 0 and add up to 4"):
        t.split([1, 2], 2)
    with pytest.raises(RuntimeError, match="split_size must be > 0 for dim 0 of size 2, got 0"):
        t.split(0)
    with pytest.raises(ValueError, match="chunk\\(\\): chunks must be an integer >= 1, got 0"):
        t.chunk(0)
    with pytest.raises(
        RuntimeError, match=r"start \(3\) \+ length \(2\) exceeds dimension size \(4\)"
    ):
        t.narrow(2, 3, 2)
    with pytest.raises(IndexError, match="start -5 is out of range for dim 2 of size 4"):
        t.narrow(2, -5, 1)
    with pytest.raises(IndexError, match="a 0-d tensor has no dimensions"):
        Tensor(1.0).unbind()


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3, 5])
def test_tril_and_triu_match_numpy(k):
    np.testing.assert_array_equal(t64(A3).tril(k).data, np.tril(A3, k))
    np.testing.assert_array_equal(tg.triu(t64(A3), diagonal=k).data, np.triu(A3, k))
    assert Tensor(np.ones((3, 3), np.int64)).tril(k).dtype == np.int64


def test_tril_triu_gradients_and_checks():
    inf = t64([[1.0, np.inf], [2.0, 3.0]], requires_grad=True)
    inf.tril().sum().backward()  # no NaN from the infinity that is dropped
    np.testing.assert_array_equal(inf.grad.data, [[1, 0], [1, 1]])
    check_grads(lambda x: x.tril(-1) + x.triu(1) * 2, [A3 / 7])
    with pytest.raises(
        RuntimeError, match=r"tril\(\): needs a tensor of at least 2 dimensions, got shape \(3,\)"
    ):
        t64([1.0, 2.0, 3.0]).tril()
    with pytest.raises(TypeError, match="triu\\(\\): diagonal must be an integer, got 1.0"):
        t64().triu(1.0)


# ---------------------------------------------------------------------- interpolation, var_mean
def test_lerp():
    start, end = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    for w in (0.0, 0.25, 0.5, 0.9, 1.0, 1.5):
        np.testing.assert_allclose(
            t64(start).lerp(t64(end), w).data, start + w * (end - start), rtol=1e-13, atol=1e-15
        )
    np.testing.assert_array_equal(t32(start).lerp(t32(end), 1.0).data, t32(end).data)  # exactly end
    weight = RNG.uniform(-0.5, 1.5, (2, 3))
    np.testing.assert_allclose(
        tg.lerp(t64(start), t64(end), t64(weight)).data, start + weight * (end - start), rtol=1e-13
    )
    check_grads(lambda a, b, w: a.lerp(b, w), [start, end, weight])
    check_grads(lambda a, b: a.lerp(b, 0.7) + a.lerp(b, 0.2), [start, end])


def test_var_mean():
    v, m = tg.var_mean(t64(), 1)
    np.testing.assert_allclose(v.data, X.var(1, ddof=1), rtol=1e-14)
    np.testing.assert_allclose(m.data, X.mean(1), rtol=1e-14)
    v, m = tg.var_mean(t64(), dim=0, keepdim=True, correction=0)
    np.testing.assert_allclose(v.data, X.var(0, keepdims=True), rtol=1e-14)
    assert m.shape == (1, 4)
    v, m = tg.var_mean(t64(), False)
    np.testing.assert_allclose([v.item(), m.item()], [X.var(), X.mean()], rtol=1e-14)


# --------------------------------------------------------------------------- in place
@pytest.mark.parametrize(
    "name, args, ref",
    [
        ("floor_", (), np.floor),
        ("ceil_", (), np.ceil),
        ("round_", (), np.round),
        ("trunc_", (), np.trunc),
        ("frac_", (), lambda a: a - np.trunc(a)),
        ("reciprocal_", (), lambda a: 1 / a),
        ("exp2_", (), np.exp2),
        ("tan_", (), np.tan),
        ("tril_", (), np.tril),
        ("triu_", (1,), lambda a: np.triu(a, 1)),
        ("masked_fill_", (Tensor(X > 0), 9.0), lambda a: np.where(X > 0, 9.0, a)),
        ("cumsum_", (1,), lambda a: np.cumsum(a, 1)),
    ],
)
def test_in_place_twins_change_the_tensor_itself(name, args, ref):
    t = t64(X * 3)
    data, version = t.data, t._version
    assert getattr(t, name)(*args) is t
    assert t.data is data and t._version == version + 1
    np.testing.assert_allclose(t.data, ref(X * 3), rtol=1e-14)


def test_in_place_twins_follow_the_leaf_rule_and_record_on_non_leaves():
    leaf = t64(requires_grad=True)
    with pytest.raises(RuntimeError, match="masked_fill_: a leaf Variable that requires grad"):
        leaf.masked_fill_(Tensor(X > 0), 0.0)
    with tg.no_grad():
        leaf.floor_()
    np.testing.assert_array_equal(leaf.data, np.floor(X))
    x = t64(requires_grad=True)
    y = x * 2
    y.masked_fill_(Tensor(X > 0), 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2.0 * (X <= 0))
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        t64(X[0]).masked_fill_(Tensor(np.ones((2, 4), bool)), 0.0)


# --------------------------------------------------------------------------- creation, types, modes
def test_like_creation_functions():
    base = tg.zeros(2, 3, dtype=tg.float64)
    tg.manual_seed(3)
    r = tg.rand_like(base)
    tg.manual_seed(3)
    assert np.array_equal(r.data, tg.rand(2, 3, dtype=tg.float64).data)
    assert r.dtype == np.float64 and ((r.data >= 0) & (r.data < 1)).all()
    n = tg.randn_like(base, dtype=tg.float32, requires_grad=True)
    assert n.shape == (2, 3) and n.dtype == np.float32 and n.requires_grad
    e = tg.empty_like(Tensor([1, 2]))
    assert e.shape == (2,) and e.dtype == np.int64
    assert tg.full_like(base, 7).data.tolist() == [[7.0] * 3] * 2
    assert (
        tg.zeros(2, dtype=tg.int64).dtype == np.int64
        and tg.ones(1, dtype=tg.bool).dtype == np.bool_
    )
    with pytest.raises(
        TypeError, match="rand_like\\(\\): the samples are floating, got dtype int64"
    ):
        tg.rand_like(Tensor([1, 2]))
    with pytest.raises(RuntimeError, match="randn_like\\(\\): device 'cuda' is not available"):
        tg.randn_like(base, device="cuda")


def test_is_tensor_and_is_floating_point():
    assert tg.is_tensor(t64()) and not tg.is_tensor(X) and not tg.is_tensor(1.0)
    assert t32().is_floating_point() and tg.is_floating_point(t64())
    assert not Tensor([1]).is_floating_point() and not tg.is_floating_point(Tensor([True]))


def test_inference_mode_is_no_grad_as_context_and_decorator():
    x = t64(requires_grad=True)
    with tg.inference_mode():
        assert not tg.is_grad_enabled() and not (x * 2).requires_grad
    assert tg.is_grad_enabled()
    with tg.inference_mode(False):
        assert (x * 2).requires_grad

    @tg.inference_mode()
    def predict(a):
        return a * 2

    assert not predict(x).requires_grad and tg.is_grad_enabled()

    @tg.inference_mode
    def bare(a):
        return a * 2

    assert not bare(x).requires_grad and bare.__name__ == "bare" and tg.is_grad_enabled()


def test_every_new_name_is_exported_and_listed():
    from tinygrad_mlp.functions import FUNCTIONS

    names = (
        "softmax log_softmax logsumexp mm dot outer prod cumsum gather index_select masked_fill "
        "flip roll chunk split unbind narrow tril triu floor ceil round trunc frac reciprocal "
        "rsqrt exp2 log2 log10 sinh cosh tan sort argsort topk isnan isinf isfinite nan_to_num "
        "lerp var_mean is_tensor is_floating_point inference_mode"
    ).split()
    for name in names:
        assert name in FUNCTIONS and name in tg.__all__ and callable(getattr(tg, name)), name
    for name in ("rand_like", "randn_like", "empty_like", "where", "maximum", "minimum"):
        assert name in tg.__all__
    assert math.isclose(tg.round(t64(2.5)).item(), 2.0)
    with pytest.raises(TypeError, match="argument 'input' must be a Tensor, not list"):
        tg.floor([1.5])


# --------------------------------------------------------------------------- properties
@st.composite
def array_and_dim(draw, min_side=1, values=None):
    """A float64 array of 1 to 3 dims and one of its dims (negative ones included)."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=min_side))
    a = draw(values(shape) if values else arrays(shape))
    return a, draw(st.integers(-len(shape), len(shape) - 1))


def small_integers(shape):
    """Whole numbers in [-2, 2] as floats: many ties and zeros."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float), fill=st.nothing())


@given(array_and_dim(min_side=0))
def test_cumsum_matches_numpy(case):
    a, d = case
    np.testing.assert_allclose(t64(a).cumsum(d).data, np.cumsum(a, axis=d), rtol=1e-12, atol=1e-12)


@given(array_and_dim(values=small_integers))
def test_prod_matches_numpy_and_its_gradient_is_right_with_zeros(case):
    a, d = case
    np.testing.assert_array_equal(t64(a).prod(d).data, np.prod(a, axis=d))
    np.testing.assert_array_equal(t64(a).prod().data, np.prod(a))
    check_grads(lambda x: x.prod(d), [a])


@given(array_and_dim(values=small_integers), st.booleans())
def test_sort_matches_numpys_stable_sort(case, descending):
    a, d = case
    values, indices = t64(a).sort(d, descending=descending)
    want = np.argsort(-a if descending else a, axis=d, kind="stable")  # no NaN: -a is safe
    np.testing.assert_array_equal(indices.data, want)
    np.testing.assert_array_equal(values.data, np.take_along_axis(a, want, d))


@given(array_and_dim(), st.data())
def test_gather_flip_roll_match_numpy(case, data):
    a, d = case
    shape = tuple(
        data.draw(st.integers(0 if i == d % a.ndim else 1, n)) for i, n in enumerate(a.shape)
    )
    index = data.draw(
        hnp.arrays(np.int64, shape, elements=st.integers(0, a.shape[d] - 1), fill=st.nothing())
    )
    # the part of a that index covers (NumPy would broadcast a size-1 index instead)
    covered = a[tuple(slice(None) if i == d % a.ndim else slice(n) for i, n in enumerate(shape))]
    np.testing.assert_array_equal(
        t64(a).gather(d, Tensor(index)).data, np.take_along_axis(covered, index, d)
    )
    shift = data.draw(st.integers(-7, 7))
    np.testing.assert_array_equal(t64(a).roll(shift, d).data, np.roll(a, shift, d))
    np.testing.assert_array_equal(t64(a).flip(d).data, np.flip(a, d))
    if index.size:
        check_grads(lambda x: x.gather(d, Tensor(index)), [a])  # repeats add up
