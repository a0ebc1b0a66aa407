"""The second batch of PyTorch's spellings, by concept: comparisons and logic by name, masks
and nonzero, scattering by index, batched and fused products, new tensors like another,
in-place shape twins, random fills and the generator's state, printing. Values against
NumPy, loops or closed forms, gradients against central differences in float64, random
draws against their distributions at fixed seeds, bad input refused by name."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from helpers import check_grads, random_grad
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, shapes

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor

RNG = np.random.default_rng(11)
X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal((3, 4))


def t64(a=X, **kw):
    return Tensor(a, dtype=np.float64, **kw)


# --------------------------------------------------------------------------- comparisons
COMPARISONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal}
COMPARISONS |= {"gt": np.greater, "ge": np.greater_equal}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparisons_by_name_with_tensors_and_numbers(name):
    ref = COMPARISONS[name]
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = t64(a, requires_grad=True)
    got = getattr(x, name)(t64(b))
    assert got.dtype == np.bool_ and not got.requires_grad
    np.testing.assert_array_equal(got.data, ref(a, b))
    np.testing.assert_array_equal(getattr(x, name)(2).data, ref(a, 2))
    np.testing.assert_array_equal(getattr(tg, name)(x, 2.0).data, ref(a, 2.0))


def test_equal_isclose_allclose_as_methods():
    x = t64([1.0, 2.0, np.nan])
    assert t64([1.0, 2.0]).equal(t64([1.0, 2.0])) and not t64([1.0, 2.0]).equal(t64([1.0]))
    assert not x.equal(x)  # NaN is not equal to itself
    np.testing.assert_array_equal(x.isclose(t64([1.0 + 1e-9, 2.1, np.nan])).data, [1, 0, 0])
    np.testing.assert_array_equal(x.isclose(x, equal_nan=True).data, [1, 1, 1])
    assert t64([1.0, 2.0]).allclose(t64([1.0, 2.0 + 1e-6]))
    assert not t64([1.0, 2.0]).allclose(t64([1.0, 2.1]))
    assert t64([1.0, 2.0]).allclose(t64([1.0, 2.1]), atol=0.2)


def test_logical_ops_take_any_dtype_and_give_bool():
    a, b = np.array([0, 1, 2, 0]), np.array([0.0, 0.0, 3.5, -1.0])
    x, y = Tensor(a), t64(b)
    for name, ref in (("and", np.logical_and), ("or", np.logical_or), ("xor", np.logical_xor)):
        got = getattr(x, f"logical_{name}")(y)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got.data, ref(a, b))
        np.testing.assert_array_equal(getattr(tg, f"logical_{name}")(y, 0).data, ref(b, 0))
    np.testing.assert_array_equal(tg.logical_not(y).data, [True, True, False, False])


# --------------------------------------------------------------------------- masks, nonzero
def test_count_nonzero_over_all_one_or_several_dims():
    a = np.array([[[1, 0, 2], [0, 0, 3]], [[0, 5, 0], [7, 0, 0]]])
    x = Tensor(a)
    assert x.count_nonzero().item() == 5 and x.count_nonzero().dtype == np.int64
    for dim in (0, 1, -1, (0, 2), (-1, 1)):
        np.testing.assert_array_equal(x.count_nonzero(dim).data, np.count_nonzero(a, axis=dim))
    np.testing.assert_array_equal(tg.count_nonzero(x, axis=1).data, [[1, 0, 2], [1, 1, 0]])
    assert Tensor(0.0).count_nonzero().item() == 0 and Tensor(2.0).count_nonzero(0).item() == 1
    with pytest.raises(IndexError, match=r"count_nonzero\(\): axis 3 is out of range"):
        x.count_nonzero(3)


def test_nonzero_rows_of_indices_and_as_tuple():
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    got = t64(a).nonzero()
    assert got.dtype == np.int64 and got.shape == (3, 2)
    np.testing.assert_array_equal(got.data, [[0, 1], [1, 0], [1, 2]])
    rows, cols = tg.nonzero(t64(a), as_tuple=True)
    np.testing.assert_array_equal(a[rows.data, cols.data], [1.5, 2.0, -1.0])
    assert t64(np.zeros((2, 3))).nonzero().shape == (0, 2)
    assert Tensor(3).nonzero().shape == (1, 0) and Tensor(0).nonzero().shape == (0, 0)
    (only,) = Tensor(3).nonzero(as_tuple=True)
    np.testing.assert_array_equal(only.data, [0])


def test_masked_select_broadcasts_and_sends_gradients_to_the_chosen_places():
    mask = Y[0] > 0  # one row, broadcast over X's rows
    got = t64().masked_select(Tensor(mask))
    np.testing.assert_array_equal(got.data, X[:, mask].reshape(-1))
    check_grads(lambda x: x.masked_select(Tensor(mask)), [X])
    check_grads(lambda x: tg.masked_select(x[0], Tensor(Y > 0)), [X])  # self broadcast
    with pytest.raises(RuntimeError, match="mask must be a bool tensor, got dtype float64"):
        t64().masked_select(t64(Y))
    with pytest.raises(RuntimeError, match=r"mask of shape \(2,\) does not broadcast"):
        t64().masked_select(Tensor([True, False]))


def test_clamp_min_and_clamp_max_and_their_twins():
    np.testing.assert_array_equal(t64().clamp_min(0.2).data, np.maximum(X, 0.2))
    np.testing.assert_array_equal(tg.clamp_max(t64(), -0.1).data, np.minimum(X, -0.1))
    check_grads(lambda x: x.clamp_min(0.2), [X])
    check_grads(lambda x: x.clamp_max(-0.1), [X])
    y = t64()
    assert y.clamp_min_(0.0) is y and (y.data >= 0).all()
    y.clamp_max_(0.5)
    np.testing.assert_array_equal(y.data, np.clip(X, 0, 0.5))


def test_std_mean_is_unbiased_by_default():
    s, m = tg.std_mean(t64(), 1)
    np.testing.assert_allclose(s.data, X.std(1, ddof=1), rtol=1e-14)
    np.testing.assert_allclose(m.data, X.mean(1), rtol=1e-14)
    s, m = tg.std_mean(t64(), dim=0, keepdim=True, unbiased=False)
    np.testing.assert_allclose(s.data, X.std(0, keepdims=True), rtol=1e-14)
    assert m.shape == (1, 4)
    check_grads(lambda x: tg.std_mean(x, 1)[0] * 2 + tg.std_mean(x, 1)[1], [X])


# --------------------------------------------------------------------------- scattering
def scatter_reference(self, dim, index, src, add):
    """PyTorch's definition, one element at a time."""
    out = self.copy()
    for pos in np.ndindex(index.shape):
        target = list(pos)
        target[dim] = index[pos]
        if add:
            out[tuple(target)] += src[pos]
        else:
            out[tuple(target)] = src[pos]
    return out


REPEATS = np.array([[0, 1, 2, 0], [0, 0, 2, 1]])  # along dim 0: (0, 0) and (2, 2) hit twice


@pytest.mark.parametrize("dim", [0, -2])
def test_scatter_add_adds_up_repeated_indices(dim):
    src = Y[:2]
    want = scatter_reference(X, dim % 2, REPEATS, src, add=True)
    np.testing.assert_allclose(t64().scatter_add(dim, Tensor(REPEATS), t64(src)).data, want)
    check_grads(lambda x, s: x.scatter_add(dim, Tensor(REPEATS), s), [X, src])


def test_scatter_add_uses_the_corner_of_a_larger_src_and_a_smaller_index():
    index = np.array([[3, 3], [0, 1]])  # two of three rows, two of four columns
    big = RNG.standard_normal((3, 5))
    want = scatter_reference(X, 1, index, big, add=True)
    np.testing.assert_allclose(t64().scatter_add(1, Tensor(index), t64(big)).data, want)
    check_grads(lambda x, s: x.scatter_add(1, Tensor(index), s), [X, big])
    g = random_grad((3, 4))
    s = t64(big, requires_grad=True)
    t64().scatter_add(1, Tensor(index), s).backward(Tensor(g))
    want_grad = np.zeros((3, 5))
    want_grad[:2, :2] = np.take_along_axis(g[:2], index, 1)  # g at each value's place
    np.testing.assert_array_equal(s.grad.data, want_grad)


def test_scatter_writes_values_or_a_number():
    index = np.array([[2, 0, 1, 2]])
    got = t64().scatter(0, Tensor(index), t64(Y))
    np.testing.assert_array_equal(got.data, scatter_reference(X, 0, index, Y, add=False))
    check_grads(lambda x, s: x.scatter(0, Tensor(index), s), [X, Y])
    one_hot = tg.zeros(3, 4).scatter(1, Tensor([[1], [3], [0]]), 1.0)
    np.testing.assert_array_equal(one_hot.data, np.eye(4)[[1, 3, 0]])
    same = tg.zeros(2, 3).scatter(1, Tensor([[0, 0], [2, 2]]), value=7)  # repeats are fine
    np.testing.assert_array_equal(same.data, [[7, 0, 0], [0, 0, 7]])
    assert same.dtype == np.float32
    with pytest.raises(RuntimeError, match="writes one position more than once"):
        t64().scatter(0, Tensor(REPEATS), t64(Y))


def test_scatter_refuses_bad_indices_by_name():
    with pytest.raises(IndexError, match=r"scatter_add\(\): index 3 is out of range for dim 0"):
        t64().scatter_add(0, Tensor([[3]]), t64(Y))
    with pytest.raises(RuntimeError, match="index must have as many dimensions as self"):
        t64().scatter(1, Tensor([0, 1]), t64(Y))
    with pytest.raises(RuntimeError, match=r"index of shape \(1, 5\) is larger"):
        t64().scatter_add(1, Tensor([[0, 1, 2, 3, 0]]), t64(Y))
    with pytest.raises(TypeError, match="index must be an integer tensor, got dtype float64"):
        t64().scatter_add(1, t64([[0.0]]), t64(Y))
    with pytest.raises(TypeError, match="src must be a Tensor, got float"):
        t64().scatter_add(1, Tensor([[0]]), 1.0)
    same = r"self \(float64\) and the values written \(float32\) must have the same dtype"
    with pytest.raises(RuntimeError, match="scatter_add\\(\\): " + same):
        t64().scatter_add(1, Tensor([[0]]), Tensor([[1.0]]))
    with pytest.raises(RuntimeError, match="scatter\\(\\): " + same):
        t64().scatter(1, Tensor([[0]]), Tensor([[1.0]]))
    with pytest.raises(RuntimeError, match="index_add\\(\\): " + same):
        t64().index_add(1, Tensor([0]), Tensor(np.ones((3, 1), np.float32)))
    with pytest.raises(RuntimeError, match="masked_scatter\\(\\): " + same):
        t64().masked_scatter(Tensor(Y > 0), Tensor(np.ones(12, np.float32)))


def index_add_reference(self, dim, index, source, alpha):
    out = np.moveaxis(self.copy(), dim, 0)
    src = np.moveaxis(source, dim, 0)
    for i, j in enumerate(index):
        out[j] += alpha * src[i]
    return np.moveaxis(out, 0, dim)


@pytest.mark.parametrize("dim, index", [(0, [2, 0, 2, 2]), (1, [3, 3, 0]), (-1, [1])])
def test_index_add_with_repeats_and_alpha(dim, index):
    shape = list(X.shape)
    shape[dim] = len(index)
    source = RNG.standard_normal(shape)
    idx = Tensor(index)
    want = index_add_reference(X, dim % 2, index, source, 0.5)
    got = t64().index_add(dim, idx, t64(source), alpha=0.5)
    np.testing.assert_allclose(got.data, want, rtol=1e-14)
    check_grads(lambda x, s: tg.index_add(x, dim, idx, s, alpha=-2.0), [X, source])
    with pytest.raises(RuntimeError, match=r"source must have shape"):
        t64().index_add(dim, idx, t64(X))


def test_index_fill_and_masked_scatter():
    got = t64().index_fill(1, Tensor([3, 0, 3]), -1.5)
    want = X.copy()
    want[:, [0, 3]] = -1.5
    np.testing.assert_array_equal(got.data, want)
    check_grads(lambda x: x.index_fill(0, Tensor([1]), 2.0), [X])
    np.testing.assert_array_equal(t64().index_fill(1, Tensor([-1]), 0.0).data[:, 3], [0, 0, 0])
    with pytest.raises(IndexError, match=r"index_fill\(\): index -5 is out of range for dim 1"):
        t64().index_fill(1, Tensor([-5]), 0.0)
    mask = Y > 0
    source = RNG.standard_normal(20)
    want = X.copy()
    want[mask] = source[: mask.sum()]  # the True places in row-major order
    np.testing.assert_array_equal(t64().masked_scatter(Tensor(mask), t64(source)).data, want)
    check_grads(lambda x, s: x.masked_scatter(Tensor(mask), s), [X, source])
    with pytest.raises(RuntimeError, match="mask selects 12 places but source has only 3"):
        t64().masked_scatter(Tensor(np.ones((3, 4), bool)), t64([1.0, 2.0, 3.0]))


def test_scatter_family_in_place_twins():
    y = t64()
    assert y.scatter_add_(0, Tensor(REPEATS), t64(Y[:2])) is y
    np.testing.assert_allclose(y.data, scatter_reference(X, 0, REPEATS, Y[:2], add=True))
    y = t64()
    y.index_add_(0, Tensor([1, 1]), t64(Y[:2]), alpha=2)
    np.testing.assert_allclose(y.data[1], X[1] + 2 * (Y[0] + Y[1]))
    y.index_fill_(1, Tensor([0]), 0.0)
    y.scatter_(1, Tensor([[1], [1], [1]]), 9.0)
    assert (y.data[:, 0] == 0).all() and (y.data[:, 1] == 9).all()
    y.masked_scatter_(Tensor(np.eye(3, 4, dtype=bool)), t64([5.0, 6.0, 7.0]))
    np.testing.assert_array_equal(np.diag(y.data), [5, 6, 7])
    w = t64(requires_grad=True)  # in-place rules: refused on a leaf that requires grad
    with pytest.raises(RuntimeError, match="scatter_add_: a leaf Variable that requires grad"):
        w.scatter_add_(0, Tensor(REPEATS), t64(Y[:2]))
    h = w * 1  # recorded on a non-leaf: the gradient flows through
    h.index_add_(1, Tensor([0, 0]), t64(Y[:, :2]))
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.ones((3, 4)))


# --------------------------------------------------------------------------- products
def test_bmm_is_a_batch_of_matrix_products():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
    np.testing.assert_allclose(t64(a).bmm(t64(b)).data, np.einsum("bij,bjk->bik", a, b))
    check_grads(lambda x, y: tg.bmm(x, y), [a, b])
    with pytest.raises(RuntimeError, match=r"bmm\(\): both tensors must be 3-D"):
        t64(a).bmm(t64(b[0]))
    with pytest.raises(RuntimeError, match=r"shapes \(2, 3, 4\) and \(2, 5, 4\) do not match"):
        t64(a).bmm(t64(b.transpose(0, 2, 1)))
    with pytest.raises(RuntimeError, match="do not match"):
        t64(a).bmm(t64(b[:1]))


def test_addmm_addcmul_addcdiv():
    m1, m2 = RNG.standard_normal((3, 2)), RNG.standard_normal((2, 4))
    got = t64().addmm(t64(m1), t64(m2), beta=0.5, alpha=-2.0)
    np.testing.assert_allclose(got.data, 0.5 * X + -2.0 * m1 @ m2, rtol=1e-14)
    check_grads(lambda x, a, b: tg.addmm(x, a, b, beta=0.5, alpha=3.0), [X[0], m1, m2])
    nan = np.full((3, 4), np.nan)  # beta=0: self is not read
    np.testing.assert_allclose(t64(nan).addmm(t64(m1), t64(m2), beta=0).data, m1 @ m2)
    check_grads(lambda x, a, b: tg.addmm(x, a, b, beta=0), [X, m1, m2])
    with pytest.raises(RuntimeError, match=r"self of shape \(3, 5\) does not broadcast"):
        t64(np.zeros((3, 5))).addmm(t64(m1), t64(m2))
    with pytest.raises(RuntimeError, match=r"mm\(\): self must be a matrix"):
        t64().addmm(t64(m1[0]), t64(m2))
    z = RNG.uniform(0.5, 2.0, (3, 4))
    np.testing.assert_allclose(t64().addcmul(t64(Y), t64(z), value=0.3).data, X + 0.3 * Y * z)
    np.testing.assert_allclose(tg.addcdiv(t64(), t64(Y), t64(z), value=-2).data, X - 2 * Y / z)
    check_grads(lambda x, y, w: x.addcmul(y, w, value=0.3), [X, Y, z])
    check_grads(lambda x, y, w: x.addcdiv(y, w, value=-2), [X, Y, z])
    y = t64()
    y.addcmul_(t64(Y), t64(z)).addcdiv_(t64(Y), t64(z))
    np.testing.assert_allclose(y.data, X + Y * z + Y / z, rtol=1e-14)
    with pytest.raises(RuntimeError, match="integer division of tensors is not supported"):
        Tensor([1, 2]).addcdiv(Tensor([1, 2]), Tensor([2, 2]))
    assert Tensor([1, 2]).addcmul(Tensor([1, 2]), Tensor([3, 3])).dtype == np.int64


SIZES = {"i": 2, "j": 3, "k": 4, "b": 2, "l": 1}
EINSUMS = [
    "ij,jk->ik",  # matrix product
    "ij,jk",  # the same, output implied (the letters used once, sorted)
    "bij,bjk->bik",  # batched
    "i,i->",  # dot
    "i,j->ij",  # outer
    "ij,ij->ij",  # elementwise
    "ij,kj->ki",  # transposed operand and output
    "ijk,ik->j",  # contract two letters, keep one
    "bij,jk->bki",  # a batch on one side only
    "ij,jl->li",
    "ik,jl",  # nothing shared: an outer product of the two
    "ij,jk->",  # everything summed, j contracted, i and k summed alone
    "ij->ji",  # one operand: permute
    "ijk->k",  # one operand: sum
    "ij->",
]


@pytest.mark.parametrize("equation", EINSUMS)
def test_einsum_matches_numpy_and_its_gradients(equation):
    terms = equation.partition("->")[0].split(",")
    arrays = [RNG.standard_normal([SIZES[c] for c in term]) for term in terms]
    got = tg.einsum(equation, *(t64(a) for a in arrays))
    np.testing.assert_allclose(got.data, np.einsum(equation, *arrays), rtol=1e-13, atol=1e-14)
    check_grads(lambda *xs: tg.einsum(equation, *xs), arrays)


def test_einsum_refuses_what_it_cannot_do_by_name():
    a = t64()
    assert tg.einsum("ij, jk -> ik", [a, a.T]).shape == (3, 3)  # spaces and a list are fine
    with pytest.raises(NotImplementedError, match=r"ellipsis \('...'\) is not supported"):
        tg.einsum("...j,jk->...k", a, a.T)
    with pytest.raises(NotImplementedError, match="a letter repeated in one operand"):
        tg.einsum("ii->i", t64(np.eye(3)))
    with pytest.raises(TypeError, match="one or two tensors, got 3 operands"):
        tg.einsum("i,i,i->", a[0], a[0], a[0])
    with pytest.raises(ValueError, match="dim 'j' has sizes 4 and 3"):
        tg.einsum("ij,jk->ik", a, a)
    with pytest.raises(ValueError, match=r"operand 'ijk' needs a Tensor with 3 dims, got \(3, 4\)"):
        tg.einsum("ijk->k", a)
    with pytest.raises(ValueError, match="output 'iz' must use each input letter at most once"):
        tg.einsum("ij->iz", a)


# --------------------------------------------------------------------------- new tensors
def test_new_tensors_take_selfs_dtype():
    x = Tensor(np.zeros(2, np.float64))
    made_ones = x.new_ones((2, 3))
    for made, value in ((x.new_zeros(2, 3), 0), (made_ones, 1), (x.new_full((2, 3), 7), 7)):
        assert made.shape == (2, 3) and made.dtype == np.float64
        np.testing.assert_array_equal(made.data, np.full((2, 3), value))
    assert x.new_empty(4).shape == (4,) and x.new_empty(4).dtype == np.float64
    assert x.new_zeros(2, dtype=tg.int32).dtype == np.int32
    assert x.new_ones(2, requires_grad=True).requires_grad
    got = x.new_tensor([1, 2])  # integers, but self's float64
    assert got.dtype == np.float64 and got.tolist() == [1.0, 2.0]
    src = Tensor([1.0, 2.0], requires_grad=True)
    copy = x.new_tensor(src)
    assert not copy.requires_grad and copy.data is not src.data
    with pytest.raises(TypeError, match="new_zeros.* takes integer sizes"):
        x.new_zeros(2.5)


def test_as_tensor_copies_only_when_it_must():
    a = np.arange(3.0)
    shared = tg.as_tensor(a)
    assert shared.dtype == np.float64 and np.shares_memory(shared.data, a)
    assert not np.shares_memory(tg.as_tensor(a, dtype=tg.float32).data, a)
    assert np.shares_memory(tg.as_tensor(a, dtype=np.float64).data, a)
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert tg.as_tensor(x) is x
    converted = tg.as_tensor(x, dtype=tg.float64)
    assert converted.dtype == np.float64 and converted.requires_grad  # in the graph
    assert tg.as_tensor([1.0, 2.0]).dtype == np.float32 and tg.as_tensor([1, 2]).dtype == np.int64
    with pytest.raises(RuntimeError, match="cuda"):
        tg.as_tensor(a, device="cuda")


def test_hstack_and_vstack():
    a, b = RNG.standard_normal(2), RNG.standard_normal(3)
    np.testing.assert_array_equal(tg.hstack([t64(a), t64(b)]).data, np.hstack([a, b]))
    np.testing.assert_array_equal(tg.hstack((t64(X), t64(Y[:, :1]))).data, np.hstack([X, Y[:, :1]]))
    np.testing.assert_array_equal(tg.vstack([t64(X[0]), t64(Y)]).data, np.vstack([X[0], Y]))
    np.testing.assert_array_equal(tg.vstack([t64(1.0), t64(2.0)]).data, [[1.0], [2.0]])
    check_grads(lambda x, y: tg.vstack([x, y[0]]), [X, Y])
    with pytest.raises(TypeError, match="hstack.* takes a list or tuple"):
        tg.hstack(t64())


def test_sizes_in_bytes_contiguity_and_detach_():
    x = Tensor(np.zeros((3, 4), np.float64))
    assert x.element_size() == x.itemsize == 8 and x.nbytes == 96
    assert tg.zeros(5, dtype=tg.int16).nbytes == 10 and x.is_contiguous()
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    assert h.detach_() is h and h.is_leaf and not h.requires_grad
    np.testing.assert_array_equal(h.data, [3.0, 6.0])
    (w * 2).sum().backward()  # w's own graph is untouched
    np.testing.assert_array_equal(w.grad.data, [2.0, 2.0])


@pytest.mark.parametrize(
    "name, args", [("squeeze_", ()), ("unsqueeze_", (0,)), ("t_", ()), ("transpose_", (0, 1))]
)
def test_in_place_shape_twins_say_to_use_the_out_of_place_form(name, args):
    x = tg.zeros(1, 3)
    with pytest.raises(RuntimeError, match=rf"{name}\(\): an in-place change of shape .* write"):
        getattr(x, name)(*args)
    assert x.shape == (1, 3)


# --------------------------------------------------------------------------- random fills
FILLS = {
    "normal_": ((2.0, 3.0), 2.0, 3.0),
    "uniform_": ((-1.0, 3.0), 1.0, 4 / np.sqrt(12)),
    "exponential_": ((4.0,), 0.25, 0.25),
    "bernoulli_": ((0.3,), 0.3, np.sqrt(0.3 * 0.7)),
}
N = 200_000


@pytest.mark.parametrize("name", sorted(FILLS))
def test_random_fills_are_seeded_and_have_their_distributions_moments(name):
    args, mean, std = FILLS[name]
    tg.manual_seed(3)
    x = getattr(tg.empty(N, dtype=tg.float64), name)(*args)
    tg.manual_seed(3)
    again = getattr(tg.empty(N, dtype=tg.float64), name)(*args)
    np.testing.assert_array_equal(x.data, again.data)
    # at a fixed seed: the sample mean within 5 standard errors, the spread within 2%
    assert abs(x.data.mean() - mean) < 5 * std / np.sqrt(N)
    assert abs(x.data.std() / std - 1) < 0.02
    assert getattr(tg.empty(3), name)(*args).dtype == np.float32


def test_random_fills_ranges():
    tg.manual_seed(0)
    u = tg.empty(10_000).uniform_(-2.0, -1.5)
    assert u.data.min() >= -2 and u.data.max() < -1.5
    assert (tg.empty(1000).exponential_().data > 0).all()
    b = tg.empty(1000).bernoulli_(Tensor([0.0, 1.0]).repeat(500))
    np.testing.assert_array_equal(b.data, np.tile([0.0, 1.0], 500))
    ints = tg.zeros(10_000, dtype=tg.int64).random_(3, 7)
    assert ints.dtype == np.int64 and set(np.unique(ints.data)) == {3, 4, 5, 6}
    assert set(np.unique(tg.zeros(1000, dtype=tg.int32).random_(2).data)) == {0, 1}
    floats = tg.zeros(1000).random_(5)
    assert floats.dtype == np.float32 and set(np.unique(floats.data)) == {0, 1, 2, 3, 4}
    byte = tg.zeros(10_000, dtype=tg.uint8).random_()
    assert byte.data.min() == 0 and byte.data.max() == 255
    assert tg.zeros(1000, dtype=tg.bool).random_().data.any()


def test_random_fills_follow_the_in_place_rules_and_check_arguments():
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="normal_: a leaf Variable that requires grad"):
        w.normal_()
    with tg.no_grad():
        w.normal_(0.0, 0.01)
    assert w.is_leaf and w.requires_grad and (w.data != 0).all()
    h = w * 2  # a non-leaf: refilled in the graph, with gradient 0
    h.uniform_()
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match=r"normal_\(\): needs a floating tensor, got dtype int64"):
        tg.zeros(2, dtype=tg.int64).normal_()
    with pytest.raises(RuntimeError, match=r"normal_\(\): std must be a finite number >= 0"):
        tg.zeros(2).normal_(0, -1)
    with pytest.raises(RuntimeError, match=r"uniform_\(\): expects a <= b, got a=2 and b=1"):
        tg.zeros(2).uniform_(2, 1)
    with pytest.raises(RuntimeError, match=r"lambd must be a finite number > 0, got 0"):
        tg.zeros(2).exponential_(0)
    with pytest.raises(RuntimeError, match=r"bernoulli_\(\): p must be in \[0, 1\], got 1.5"):
        tg.zeros(2).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match=r"random_\(\): expects from < to, got from=3 and to=3"):
        tg.zeros(2).random_(3, 3)
    with pytest.raises(RuntimeError, match=r"\[0, 300\) does not fit dtype uint8 \(\[0, 255\]\)"):
        tg.zeros(2, dtype=tg.uint8).random_(300)
    with pytest.raises(RuntimeError, match=r"p of shape \(3,\) does not broadcast to .* \(2,\)"):
        tg.zeros(2).bernoulli_(Tensor([0.1, 0.2, 0.3]))


# --------------------------------------------------------------------------- random draws
def test_normal_with_numbers_or_tensors():
    tg.manual_seed(5)
    x = tg.normal(1.0, 2.0, (N,))
    assert x.dtype == np.float32 and abs(x.data.mean() - 1) < 5 * 2 / np.sqrt(N)
    assert abs(x.data.std() / 2 - 1) < 0.02
    assert tg.normal(0.0, 1.0, size=(2, 3), dtype=tg.float64).dtype == np.float64
    means = t64(np.repeat([[-10.0], [10.0]], 1000, axis=1), requires_grad=True)
    y = tg.normal(means, t64([0.5]))
    assert y.shape == (2, 1000) and y.dtype == np.float64
    np.testing.assert_allclose(y.data.mean(1), [-10, 10], atol=5 * 0.5 / np.sqrt(1000))
    y.sum().backward()  # as PyTorch: the draws are not reparameterized, the gradient is 0
    np.testing.assert_array_equal(means.grad.data, 0)
    spread = tg.normal(0.0, t64([0.0, 1e-3, 10.0]).repeat(1000).reshape(1000, 3))
    assert (spread.data[:, 0] == 0).all() and 0.9 < spread.data[:, 2].std() / 10 < 1.1
    with pytest.raises(TypeError, match="with a number mean and std, give size="):
        tg.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="std must be finite and >= 0"):
        tg.normal(t64([0.0]), t64([-1.0]))


def test_bernoulli_and_multinomial():
    tg.manual_seed(8)
    probs = np.linspace(0, 1, 5)
    draws = np.stack([tg.bernoulli(t64(probs)).data for _ in range(4000)])
    assert draws.dtype == np.float64 and set(np.unique(draws)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.mean(0), probs, atol=5 * 0.5 / np.sqrt(4000))
    assert (draws[:, 0] == 0).all() and (draws[:, -1] == 1).all()
    assert tg.bernoulli(tg.zeros(3), p=1.0).tolist() == [1.0, 1.0, 1.0]
    weights = t64([1.0, 0.0, 3.0])  # not normalised
    samples = tg.multinomial(weights, 20_000, replacement=True)
    assert samples.dtype == np.int64 and samples.shape == (20_000,)
    freq = np.bincount(samples.data, minlength=3) / 20_000
    np.testing.assert_allclose(freq, [0.25, 0, 0.75], atol=5 * np.sqrt(0.25 * 0.75 / 20_000))
    rows = tg.multinomial(t64(np.ones((3, 6))), 6)  # without replacement: a permutation
    assert rows.shape == (3, 6)
    for row in rows.data:
        assert sorted(row) == list(range(6))
    tg.manual_seed(1)
    first = tg.multinomial(weights, 2).tolist()
    tg.manual_seed(1)
    assert tg.multinomial(weights, 2).tolist() == first and sorted(first) == [0, 2]
    with pytest.raises(RuntimeError, match="cannot draw 3 samples without replacement from 2"):
        tg.multinomial(weights, 3)
    with pytest.raises(RuntimeError, match="probabilities must be finite, >= 0"):
        tg.multinomial(t64([1.0, -1.0]), 1)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 1, got 0"):
        tg.multinomial(weights, 0)


def test_rng_state_replays_the_same_draws_and_seeds_are_reported():
    tg.manual_seed(123)
    assert tg.initial_seed() == 123
    state = tg.get_rng_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    first = [tg.randn(4).tolist(), tg.empty(3).uniform_().tolist(), tg.rand(2).tolist()]
    tg.set_rng_state(state)
    assert [tg.randn(4).tolist(), tg.empty(3).uniform_().tolist(), tg.rand(2).tolist()] == first
    tg.set_rng_state(state.clone())
    tg.randn(1)  # an odd number of draws leaves half a 64-bit draw cached: saved too
    odd = tg.get_rng_state()
    after = tg.randint(0, 1000, (5,)).tolist()
    tg.set_rng_state(odd)
    assert tg.randint(0, 1000, (5,)).tolist() == after
    s = tg.seed()
    assert isinstance(s, int) and tg.initial_seed() == s
    x = tg.randn(3).tolist()
    tg.manual_seed(s)
    assert tg.randn(3).tolist() == x
    with pytest.raises(TypeError, match="expects the uint8 tensor of 40 bytes"):
        tg.set_rng_state(tg.zeros(40))


# --------------------------------------------------------------------------- default dtype
@pytest.fixture
def default_float64():
    tg.set_default_dtype(tg.float64)
    yield
    tg.set_default_dtype(tg.float32)


def test_the_default_dtype_is_float32_until_set():
    assert tg.get_default_dtype() == np.float32
    assert Tensor([1.5]).dtype == np.float32 and (tg.arange(3) / 2).dtype == np.float32


def test_set_default_dtype_applies_wherever_the_float32_default_did(default_float64):
    assert tg.get_default_dtype() == np.float64
    made = {
        "Tensor(floats)": Tensor([1.5, 2.0]),
        "tensor(float)": tg.tensor(2.5),
        "zeros": tg.zeros(2),
        "ones": tg.ones(2),
        "empty": tg.empty(2),
        "full(float)": tg.full((2,), 1.5),
        "eye": tg.eye(2),
        "linspace": tg.linspace(0, 1, 3),
        "arange(floats)": tg.arange(0.0, 1.0, 0.5),
        "randn": tg.randn(2),
        "rand": tg.rand(2),
        "normal": tg.normal(0.0, 1.0, (2,)),
        "int / int": tg.arange(3) / 2,
        "int * float": tg.arange(3) * 0.5,
        "int.reciprocal": tg.arange(1, 3).reciprocal(),
        "int.log2": tg.arange(1, 3).log2(),
        "int.rsqrt": tg.arange(1, 3).rsqrt(),
        "Linear weight": tg.nn.Linear(2, 3).weight,
        "Parameter(ints)": tg.nn.Parameter(np.arange(3)),
    }
    for name, t in made.items():
        assert t.dtype == np.float64, name
    assert repr(Tensor([1.5])) == "Tensor([1.5])"  # the default dtype is not printed
    assert repr(Tensor([1.5]).float()) == "Tensor([1.5], dtype=float32)"
    # what is not a default keeps its dtype
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32 and tg.arange(3).dtype == np.int64
    assert (
        tg.zeros(2, dtype=tg.float32).dtype == np.float32
        and Tensor([1]).float().dtype == np.float32
    )
    assert (Tensor(np.ones(2, np.float32)) * 0.5).dtype == np.float32
    with pytest.raises(TypeError, match="only floating-point types are supported.*got int64"):
        tg.set_default_dtype(tg.int64)
    assert tg.get_default_dtype() == np.float64


# --------------------------------------------------------------------------- printing
def test_set_printoptions_changes_how_tensors_print():
    x = Tensor([1.23456789, 2.0, 1e-5])
    before = repr(x)
    try:
        tg.set_printoptions(precision=2)
        assert repr(x) == "Tensor([1.23e+00, 2.00e+00, 1.00e-05])"
        tg.set_printoptions(sci_mode=False)
        assert repr(x) == "Tensor([1.23, 2.  , 0.  ])"
        tg.set_printoptions(profile="default", threshold=5, edgeitems=1)
        assert repr(tg.arange(10)) == "Tensor([0, ..., 9])"
        tg.set_printoptions(profile="full")
        assert "..." not in repr(tg.arange(5000))
        with pytest.raises(ValueError, match="profile must be one of"):
            tg.set_printoptions(profile="long")
        with pytest.raises(ValueError, match="precision must be an integer >= 0, got -1"):
            tg.set_printoptions(precision=-1)
    finally:
        tg.set_printoptions(profile="default")
    assert repr(x) == before and "1.2345679" in before  # NumPy's 8 digits again


def test_every_new_name_is_exported_and_listed():
    from tinygrad_mlp.functions import FUNCTIONS

    names = (
        "eq ne lt le gt ge logical_and logical_or logical_not logical_xor count_nonzero nonzero "
        "masked_select clamp_min clamp_max scatter scatter_add index_add index_fill "
        "masked_scatter bmm addmm addcmul addcdiv std_mean hstack vstack normal bernoulli "
        "multinomial set_printoptions einsum"
    ).split()
    for name in names:
        assert name in FUNCTIONS and name in tg.__all__ and callable(getattr(tg, name)), name
    more = "as_tensor seed initial_seed get_rng_state set_rng_state"
    for name in (*more.split(), "get_default_dtype", "set_default_dtype"):
        assert name in tg.__all__ and callable(getattr(tg, name)), name
    with pytest.raises(TypeError, match="argument 'input' must be a Tensor, not list"):
        tg.bmm([1.0], [2.0])


# --------------------------------------------------------------------------- properties
@given(shapes(min_dims=1, max_dims=3, min_side=1), st.data())
def test_scatter_add_and_index_add_match_the_loop_definition(shape, data):
    a = data.draw(arrays(shape))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[d]
    index_shape = tuple(
        data.draw(st.integers(0, 4 if i == d % len(shape) else m)) for i, m in enumerate(shape)
    )
    index = data.draw(
        hnp.arrays(np.int64, index_shape, elements=st.integers(0, n - 1), fill=st.nothing())
    )
    src = data.draw(arrays(index_shape))
    want = scatter_reference(a, d % len(shape), index, src, add=True)
    got = t64(a).scatter_add(d, Tensor(index), t64(src))
    np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-12)
    positions = index.reshape(-1)[: index_shape[d % len(shape)]] if index.size else index[:0]
    source_shape = list(shape)
    source_shape[d] = positions.size
    source = data.draw(arrays(tuple(source_shape)))
    want = index_add_reference(a, d % len(shape), positions, source, 1.5)
    got = t64(a).index_add(d, Tensor(positions.reshape(-1)), t64(source), alpha=1.5)
    np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda g: tg.zeros(3).normal_(generator=g),
        lambda g: tg.zeros(3).uniform_(generator=g),
        lambda g: tg.zeros(3).exponential_(generator=g),
        lambda g: tg.zeros(3).bernoulli_(0.5, generator=g),
        lambda g: tg.zeros(3, dtype=tg.int64).random_(5, generator=g),
        lambda g: tg.normal(0.0, 1.0, (3,), generator=g),
        lambda g: tg.bernoulli(tg.full((3,), 0.5), generator=g),
        lambda g: tg.multinomial(tg.ones(3), 2, generator=g),
    ],
    ids=[
        "normal_",
        "uniform_",
        "exponential_",
        "bernoulli_",
        "random_",
        "normal",
        "bernoulli",
        "multinomial",
    ],
)
def test_a_generator_argument_is_refused_not_ignored(call):
    """PyTorch's generator= would choose the stream; here there is one generator, so a
    given one is refused (ignoring it would silently draw from another stream)."""
    tg.manual_seed(0)
    expected = tg.zeros(3).normal_().data
    tg.manual_seed(0)
    with pytest.raises(TypeError, match="generator= is not supported.*manual_seed"):
        call(object())
    # nothing was drawn: the stream continues where it was
    t = tg.zeros(3)
    np.testing.assert_array_equal(t.normal_().data, expected)
    assert call(None) is not None  # None is PyTorch's default and is accepted
