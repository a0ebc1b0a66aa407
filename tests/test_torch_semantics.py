"""Where PyTorch and NumPy give one spelling two meanings, a Tensor means what PyTorch
means, and NumPy's keyword keeps NumPy's meaning: transpose, max/min, var/std, type
promotion, the dtype of Tensor(ndarray), and the autograd.Function contract."""

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct_arrays, shapes

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor, no_grad
from tinygrad_mlp.autograd import Function

X = np.array([[0.5, -1.2, 2.0, 0.1], [1.5, 0.3, -0.7, 2.2], [-0.4, 1.9, 0.6, -1.1]])


# --------------------------------------------------------------------------- transpose
@given(data=st.data())
def test_transpose_swaps_two_dims_as_pytorch(data):
    shape = data.draw(shapes(min_dims=1, max_dims=4), label="shape")
    n = len(shape)
    d0, d1 = data.draw(st.tuples(st.integers(-n, n - 1), st.integers(-n, n - 1)), label="dims")
    x = data.draw(arrays(shape), label="x")
    out = Tensor(x, dtype=np.float64).transpose(d0, d1)
    np.testing.assert_array_equal(out.data, np.swapaxes(x, d0, d1))
    np.testing.assert_array_equal(Tensor(x).swapdims(d0, d1).data, np.swapaxes(x, d0, d1))


def test_transpose_gradient_and_the_other_spellings():
    x3 = np.arange(24.0).reshape(2, 3, 4) / 7
    check_grads(lambda t: t.transpose(0, 2) * t.transpose(0, 2), [x3])
    check_grads(lambda t: t.permute(2, 0, 1).exp(), [x3])
    check_grads(lambda t: t.transpose(axes=(1, 2, 0)).tanh(), [x3])  # NumPy's keyword
    t = Tensor(x3)
    np.testing.assert_array_equal(t.permute(2, 0, 1).data, x3.transpose(2, 0, 1))
    np.testing.assert_array_equal(t.permute((2, 0, 1)).data, x3.transpose(2, 0, 1))
    np.testing.assert_array_equal(t.transpose(axes=(1, 2, 0)).data, x3.transpose(1, 2, 0))
    np.testing.assert_array_equal(t.T.data, x3.T)  # all axes reversed
    np.testing.assert_array_equal(t.mT.data, np.swapaxes(x3, -1, -2))
    m = Tensor(X)
    np.testing.assert_array_equal(m.t().data, X.T)
    np.testing.assert_array_equal(Tensor([1.0, 2.0]).t().data, [1.0, 2.0])


def test_transpose_misuse_says_what_to_write():
    t = Tensor(np.ones((2, 3, 4)))
    with pytest.raises(TypeError, match=r"transpose\(dim0, dim1\).*permute"):
        t.transpose()
    with pytest.raises(TypeError, match=r"got \(2, 0, 1\).*permute\(\*dims\)"):
        t.transpose(2, 0, 1)
    with pytest.raises(np.exceptions.AxisError, match="dim 3 is out of range"):
        t.transpose(0, 3)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        t.t()


# --------------------------------------------------------------------------- max, min
@pytest.mark.parametrize("which", ["max", "min"])
def test_max_min_with_a_dim_return_values_and_indices(which):
    np_values, np_index = getattr(np, which), getattr(np, "arg" + which)
    t = Tensor(X, dtype=np.float64)
    for call in (lambda d: getattr(t, which)(d), lambda d: getattr(t, which)(dim=d)):
        for d in (0, 1, -1):
            result = call(d)
            values, indices = result  # unpackable, as torch.return_types.max
            assert result.values is values and result.indices is indices
            np.testing.assert_array_equal(values.data, np_values(X, axis=d))
            np.testing.assert_array_equal(indices.data, np_index(X, axis=d))
            assert indices.dtype == np.int64 and not indices.requires_grad
    kept = getattr(t, which)(1, keepdim=True)
    assert kept.values.shape == (3, 1) and kept.indices.shape == (3, 1)
    np.testing.assert_array_equal(kept.indices.data, np_index(X, axis=1, keepdims=True))


@pytest.mark.parametrize("which", ["max", "min"])
def test_max_min_other_spellings(which):
    np_values = getattr(np, which)
    t = Tensor(X)
    whole = getattr(t, which)()
    assert isinstance(whole, Tensor) and whole.shape == () and whole.item() == np_values(X)
    numpy_style = getattr(t, which)(axis=1)  # NumPy's keyword: the values only
    assert isinstance(numpy_style, Tensor)
    np.testing.assert_array_equal(numpy_style.data, np_values(X, axis=1))
    np.testing.assert_array_equal(
        getattr(t, which)(axis=0, keepdims=True).data, np_values(X, axis=0, keepdims=True)
    )
    other = Tensor(X[::-1].copy())
    pairwise = getattr(t, which)(other)  # torch.max(a, b): elementwise
    np.testing.assert_array_equal(pairwise.data, getattr(np, which + "imum")(X, X[::-1]))
    np.testing.assert_array_equal(
        getattr(tg, which)(t, 1).indices.data,
        np.argmax(X, 1) if which == "max" else np.argmin(X, 1),
    )


@given(data=st.data())
def test_max_values_are_differentiable(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3), label="shape")
    x = data.draw(distinct_arrays(shape), label="x")
    d = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    check_grads(lambda t: t.max(d).values * t.min(d, keepdim=True).values.sum(), [x])


@pytest.mark.parametrize("which", ["max", "min"])
def test_max_min_with_a_dim_send_the_gradient_to_the_returned_index_only(which):
    # PyTorch's max(dim) is differentiable through its index: between ties the first one
    # (the index it returns) gets everything; amax/amin and max() share it evenly
    sign = 1.0 if which == "max" else -1.0
    x = Tensor(sign * np.array([[1.0, 3.0, 3.0], [4.0, 4.0, 0.0]]), requires_grad=True)
    values, indices = getattr(x, which)(1)
    np.testing.assert_array_equal(indices.data, [1, 0])
    (values * Tensor([2.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 2.0, 0.0], [5.0, 0.0, 0.0]])
    x.grad = None
    getattr(x, which)(0, keepdim=True).values.sum().backward()  # no ties down the columns
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    x.grad = None
    getattr(x, "a" + which)(1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]])
    x.grad = None
    getattr(x, which)().backward()  # no dim: one value, the two 4s (-4s) share
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0, 0.0], [0.5, 0.5, 0.0]])


def test_max_misuse_is_refused():
    t = Tensor(X)
    with pytest.raises(TypeError, match=r"takes one dim.*amax\(dim=\(0, 1\)\)"):
        t.max(dim=(0, 1))
    with pytest.raises(TypeError, match="keepdim= needs dim="):
        t.max(keepdim=True)
    with pytest.raises(TypeError, match="both dim=1 and axis=1"):
        t.max(1, axis=1)
    np.testing.assert_array_equal(t.amax(dim=(0, 1)).data, X.max())


def test_argmax_argmin():
    t = Tensor(X)
    assert t.argmax().item() == np.argmax(X) and t.argmin().dtype == np.int64
    np.testing.assert_array_equal(t.argmax(1).data, np.argmax(X, 1))
    np.testing.assert_array_equal(t.argmin(dim=0, keepdim=True).data, np.argmin(X, 0)[None])
    np.testing.assert_array_equal(t.argmax(axis=1, keepdims=True).data, np.argmax(X, 1)[:, None])
    assert Tensor(3.0).argmax(0).item() == 0
    with pytest.raises(IndexError, match="empty"):
        Tensor(np.zeros((0,))).argmax()


# --------------------------------------------------------------------------- var, std
V = np.array([[1.0, 2.0, 4.0, 7.0], [0.5, -1.0, 3.0, 2.5]])


@pytest.mark.parametrize("which", ["var", "std"])
def test_var_std_defaults_follow_pytorch_or_numpy_by_spelling(which):
    np_fn = getattr(np, which)
    t = Tensor(V, dtype=np.float64)

    def check(out, expected):
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)

    f = getattr(t, which)
    check(f(), np_fn(V, ddof=1))  # PyTorch: unbiased by default
    check(f(1), np_fn(V, axis=1, ddof=1))
    check(f(dim=0), np_fn(V, axis=0, ddof=1))
    check(f(1, keepdim=True), np_fn(V, axis=1, ddof=1, keepdims=True))
    check(f(unbiased=False), np_fn(V))
    check(f(False), np_fn(V))  # var(unbiased) as PyTorch's overload
    check(f(1, True, True), np_fn(V, axis=1, ddof=1, keepdims=True))
    check(f(dim=1, correction=0), np_fn(V, axis=1))
    check(f(correction=2), np_fn(V, ddof=2))
    check(f(axis=1), np_fn(V, axis=1))  # NumPy's keyword: NumPy's ddof=0
    check(f(axis=0, ddof=1), np_fn(V, axis=0, ddof=1))
    check(f(ddof=1), np_fn(V, ddof=1))
    check(f(0, keepdims=True), np_fn(V, axis=0, keepdims=True))  # keepdims= is NumPy's


def test_var_std_gradients():
    check_grads(lambda t: t.var(1), [V])
    check_grads(lambda t: t.std(0, keepdim=True), [V])
    check_grads(lambda t: t.var(axis=1) + t.std(correction=0), [V])


def test_var_refuses_two_spellings_of_the_correction():
    t = Tensor(V)
    with pytest.raises(TypeError, match="give one of unbiased=, correction= and ddof="):
        t.var(unbiased=True, correction=1)
    with pytest.raises(TypeError, match="give one of"):
        t.std(ddof=0, correction=1)
    with pytest.raises(TypeError, match="both dim=0 and axis=0"):
        t.var(0, axis=0)
    with pytest.raises(TypeError, match="unbiased must be True or False"):
        t.var(0, 1)


# --------------------------------------------------------------------------- promotion
def test_float_tensor_with_integer_tensor_keeps_the_float_dtype():
    f32 = Tensor([1.5, 2.0, 3.0])
    i64 = Tensor([2, 3, 1])
    for out in (f32**i64, f32 * i64, i64 + f32, f32 / i64, i64 - f32, tg.maximum(f32, i64)):
        assert out.dtype == np.float32
    np.testing.assert_allclose((f32**i64).data, np.array([1.5**2, 2.0**3, 3.0]))
    f64 = Tensor([1.0, 2.0, 3.0], dtype=np.float64)
    assert (f64 * i64).dtype == np.float64
    assert (Tensor(np.ones((2, 3), np.float32)) @ Tensor(np.ones((3, 2), np.int64))).dtype == (
        np.float32
    )
    assert tg.cat([f32, i64]).dtype == np.float32
    assert tg.where(Tensor([True, False, True]), f32, i64).dtype == np.float32


def test_integer_tensors_with_floats_give_float32_and_true_division_is_float32():
    i = Tensor([1, 2, 3])
    assert (i * 0.5).dtype == np.float32 and (0.5 * i).dtype == np.float32
    assert (i / 2).dtype == np.float32 and (i / i).dtype == np.float32
    assert (2 / i).dtype == np.float32
    np.testing.assert_allclose((i / 2).data, [0.5, 1.0, 1.5])
    assert (i * 2).dtype == np.int64 and (i + i).dtype == np.int64  # integers stay integers
    assert (Tensor([True, False]) * 1.5).dtype == np.float32
    assert (Tensor(np.array([1, 2], np.int32)) * Tensor([1, 2])).dtype == np.int64


FLOATING_FUNCTIONS = "exp log sqrt tanh sigmoid sin cos log1p expm1 erf log2 log10".split()


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8, np.bool_])
def test_floating_functions_of_integer_tensors_give_float32(dtype):
    # PyTorch computes a floating function of an integer or bool tensor in its default
    # dtype; NumPy would give float64 (float16 for bool and uint8)
    data = np.array([1, 0, 1], dtype=dtype)
    t = Tensor(data)
    for name in FLOATING_FUNCTIONS:
        with np.errstate(divide="ignore"):
            out = getattr(t, name)()
            expected = getattr(Tensor(data.astype(np.float32)), name)()
        assert out.dtype == np.float32, name
        np.testing.assert_array_equal(out.data, expected.data)
    assert t.logsumexp(0).dtype == np.float32
    np.testing.assert_allclose(t.logsumexp(0).data, np.log(2 * np.e + 1), rtol=1e-6)


def test_integer_tensors_with_float_constants_give_float32():
    i = Tensor([1, 4])
    low = i.clamp(min=0.5)
    assert low.dtype == np.float32
    np.testing.assert_array_equal(low.data, [1.0, 4.0])
    assert i.clamp(min=2).dtype == np.int64  # an integer bound keeps the integers
    np.testing.assert_array_equal(i.clamp(max=2).data, [1, 2])
    assert i.clamp(0.5, 2.5).dtype == np.float32
    np.testing.assert_array_equal(i.clamp(0.5, 2.5).data, [1.0, 2.5])
    cond = Tensor([True, False])
    assert tg.where(cond, 1.0, 0.0).dtype == np.float32  # two Python floats: float32
    np.testing.assert_array_equal(tg.where(cond, 1.0, 0.0).data, [1.0, 0.0])
    assert tg.where(cond, 1, 0).dtype == np.int64
    assert tg.where(cond, 1, 0.5).dtype == np.float32
    assert tg.where(cond, 1.0, 0.0).grad_fn is None


@pytest.mark.parametrize("name", ["mean", "var", "std", "softmax", "log_softmax", "norm"])
def test_functions_pytorch_refuses_for_integers_say_to_call_float(name):
    t = Tensor([1, 2, 4])
    args = (0,) if "softmax" in name else ()
    with pytest.raises(
        RuntimeError, match=rf"{name}\(\): needs a floating point tensor.*float\(\)"
    ):
        getattr(t, name)(*args)
    # with float() first it works, as PyTorch asks
    assert getattr(t.float(), name)(*args).dtype == np.float32


def test_mean_var_std_of_integers_spelled_the_numpy_way_compute_in_float32():
    # NumPy's spelling (axis=, keepdims=, ddof=) keeps NumPy's meaning: it averages
    # integers, in the default float dtype
    t = Tensor([[1, 2], [4, 7]])
    assert t.mean(axis=0).dtype == np.float32
    np.testing.assert_array_equal(t.mean(axis=0).data, [2.5, 4.5])
    np.testing.assert_array_equal(t.mean(axis=None, keepdims=True).data, [[3.5]])
    np.testing.assert_allclose(t.var(axis=1).data, [0.25, 2.25])  # ddof=0, NumPy's
    np.testing.assert_allclose(t.std(ddof=1).data, np.std([1, 2, 4, 7], ddof=1), rtol=1e-6)
    assert t.var(axis=1).dtype == np.float32 and t.std(ddof=1).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.bool_])
def test_integer_and_bool_sums_are_int64(dtype):
    t = Tensor(np.array([[1, 1], [0, 1]], dtype=dtype))
    assert t.sum().dtype == np.int64 and t.sum().item() == 3  # NumPy: uint64 for uint8
    assert t.sum(0).dtype == np.int64
    np.testing.assert_array_equal(t.sum(1).data, [2, 1])
    big = Tensor(np.full(300, 255, np.uint8))
    assert big.sum().item() == 76500  # no wrapping


def test_float32_with_float64_is_float64_as_tensor_plus_tensor_in_pytorch():
    f32 = Tensor([1.0, 2.0], requires_grad=True)
    assert (f32 * np.array([1.0, 2.0])).dtype == np.float64  # a float64 array with dims
    assert (f32 * Tensor([1.0, 2.0], dtype=np.float64)).dtype == np.float64
    assert (f32 * np.float64(2.0)).dtype == np.float32  # a scalar does not widen
    assert (f32 * Tensor(2.0, dtype=np.float64)).dtype == np.float32  # nor a 0-d tensor
    assert (f32 * np.array([1, 2])).dtype == np.float32  # an int array keeps float32
    out = f32 * Tensor(np.array([3.0, 4.0]))
    out.sum().backward()
    assert f32.grad.dtype == np.float32
    np.testing.assert_array_equal(f32.grad.data, [3.0, 4.0])


def test_mixed_dtype_gradients_match_central_differences():
    ints = Tensor(np.array([[1, -2, 3], [2, 0, -1]]))
    check_grads(lambda t: t * ints + ints / (t * t + 1), [X[:2, :3]])


def test_subtraction_with_a_bool_tensor_raises_as_in_pytorch():
    b, i = Tensor([True, False]), Tensor(np.array([5, 6], dtype=np.int32))
    cases = [lambda: b - 1, lambda: 1 - b, lambda: i - True, lambda: i - b, lambda: b.sub(i)]
    cases += [lambda: tg.sub(Tensor([1.0, 2.0]), b)]
    for fn in cases:
        with pytest.raises(RuntimeError, match="Subtraction.*bool tensor.*`~` or `logical_not"):
            fn()
    assert (b + 1).tolist() == [2, 1] and (i + True).tolist() == [6, 7]  # addition is fine
    assert (~b).tolist() == [False, True] and (b.long() - 1).tolist() == [0, -1]


def test_power_of_a_bool_tensor_promotes_as_pytorch():
    b = Tensor([True, False])
    for out in (b**2, 2**b, b ** Tensor([1, 2]), b ** Tensor(2)):
        assert out.dtype == np.int64  # NumPy's bool ** 2 is int8
    assert (b**2).tolist() == [1, 0] and (2**b).tolist() == [2, 1]
    assert (b**2.5).dtype == np.float32 and (b**2.5).tolist() == [1.0, 0.0]
    with pytest.raises(NotImplementedError, match="two bool operands"):
        _ = b**True


def test_clamp_bounds_promote_as_pytorch():
    f32 = Tensor([1.5, -2.5, 3.0])
    lo = Tensor(0.5, dtype=np.float64)  # 0-d: does not widen float32
    assert f32.clamp(min=lo).dtype == np.float32
    assert f32.clamp(min=lo).tolist() == [1.5, 0.5, 3.0]
    assert f32.clamp(min=Tensor([0.5], dtype=np.float64)).dtype == np.float64  # dimensioned
    i32 = Tensor(np.array([5, -6, 7], dtype=np.int32))
    assert i32.clamp(min=Tensor([0, 0, 0])).dtype == np.int64
    assert i32.clamp(min=Tensor(0)).dtype == np.int32
    out = i32.clamp(min=Tensor(0.5))
    assert out.dtype == np.float32 and out.tolist() == [5.0, 0.5, 7.0]
    assert i32.clamp(0, 6).dtype == np.int32 and i32.clamp(0.5, 6).dtype == np.float32


def test_any_all_of_uint8_stay_uint8_and_argmax_refuses_bool():
    u = Tensor(np.array([[0, 1], [0, 0]], dtype=np.uint8))
    assert u.any(dim=1).dtype == np.uint8 and u.any(dim=1).tolist() == [1, 0]
    assert u.all().dtype == np.uint8 and u.all().item() == 0
    assert Tensor([[0, 1], [0, 0]]).any(dim=1).dtype == np.bool_
    m = Tensor([[True, False], [False, True]])
    for fn in (m.argmax, m.argmin):
        with pytest.raises(RuntimeError, match="does not support bool input"):
            fn()
    values, indices = m.max(dim=1)  # max with a dim takes a bool tensor, as in PyTorch
    assert values.tolist() == [True, True] and indices.tolist() == [0, 1]


def test_equality_with_none_is_identity_as_in_pytorch():
    t = Tensor([1.0, 2.0])
    assert (t != None) is True and (t == None) is False  # noqa: E711 (the spelling under test)
    assert (t == "a") is False
    with pytest.raises(TypeError):
        t.eq(None)
    with pytest.raises(TypeError):
        _ = t < None


def test_where_with_only_a_condition_gives_the_nonzero_indices():
    c = Tensor([[0.0, 1.5], [2.0, 0.0]])
    rows, cols = tg.where(c)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0] and rows.dtype == np.int64
    assert tg.where(c > 1, c, 0.0).tolist() == [[0.0, 1.5], [2.0, 0.0]]
    with pytest.raises(TypeError, match="condition must be a Tensor"):
        tg.where([1, 0])


# --------------------------------------------------------------------------- construction
def test_tensor_of_a_numpy_array_keeps_its_dtype_and_copies():
    for a in (np.array([1.0, 2.0]), np.float32([1.0]), np.float16([1.0]), np.arange(3)):
        t = Tensor(a)
        assert t.dtype == a.dtype and not np.shares_memory(t.data, a)
    assert Tensor(np.float64(2.5)).dtype == np.float64
    assert Tensor([1.0, 2.0]).dtype == np.float32 and Tensor(2.5).dtype == np.float32
    assert tg.tensor(np.zeros(2)).dtype == np.float64


def test_a_list_of_float64_numpy_values_or_tensors_is_float64_as_in_pytorch():
    # PyTorch infers a list's dtype from its elements: a NumPy float64 scalar or array, or
    # a float64 tensor, is float64; Python floats are the default dtype
    f64 = np.float64
    for data in (
        [f64(1.0), f64(2.0)],
        [f64(1.0), 2.0],
        [1, f64(2.0)],
        [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
        [[1.0, 2.0], np.array([3.0, 4.0])],
        [[f64(1.0)], [2.0]],
        [tg.tensor(1.0, dtype=tg.float64)],
        (tg.tensor(1.0, dtype=tg.float64), 2.0),
    ):
        assert tg.tensor(data).dtype == np.float64, data
    np.testing.assert_array_equal(tg.tensor([f64(0.1), 2.0]).data, [0.1, 2.0])  # all digits
    for data in ([1.0, 2.0], [[1.0], [2]], [np.float32(1.0), 2.0], [np.float16(1.0), 2.0]):
        assert tg.tensor(data).dtype == np.float32, data
    assert tg.tensor([np.array([1.0], np.float32), [3.0]]).dtype == np.float32
    assert tg.tensor([np.float16(1.0), 1]).dtype == np.float16  # no Python float
    assert tg.tensor([np.int32(1), 2.0]).dtype == np.float32
    assert (Tensor([1.0]) * [np.float64(2.0), 3.0]).dtype == np.float64  # a list operand


def test_from_numpy_shares_memory_and_keeps_the_dtype():
    a = np.array([1.0, 2.0, 3.0])
    t = tg.from_numpy(a)
    assert t.dtype == np.float64 and t.data is a
    a[0] = 10.0
    assert t.data[0] == 10.0
    t.mul_(2)
    assert a.tolist() == [20.0, 4.0, 6.0]
    with pytest.raises(TypeError, match="expects a NumPy array, got list.*tg.tensor"):
        tg.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="dtype <U1"):
        tg.from_numpy(np.array(["a"]))


# --------------------------------------------------------------------------- Function
class Exp(Function):
    """PyTorch's style: forward uses Tensor methods and returns a Tensor."""

    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class ScaleByArray(Function):
    """The NumPy style: forward works on x.data and returns an array."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return np.asarray(x.data) * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


def test_function_forward_receives_tensors_and_runs_without_recording():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x, c):
            seen["types"] = (type(x), type(c))
            seen["grad_mode"] = tg.is_grad_enabled()
            y = x * 2
            seen["recorded"] = y.grad_fn is not None
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    x = Tensor([1.0, 2.0], requires_grad=True)
    out = Probe.apply(x, 3.0)
    assert seen == {"types": (Tensor, float), "grad_mode": False, "recorded": False}
    assert out.grad_fn is not None and type(out.grad_fn) is Probe
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_function_with_tensor_methods_and_with_arrays_both_work():
    check_grads(lambda t: Exp.apply(t) * t, [X])
    check_grads(lambda t: ScaleByArray.apply(t, 1.5).tanh(), [X])
    x = Tensor([0.5], dtype=np.float64, requires_grad=True)
    (g,) = tg.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)  # output reconnected
    (gg,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, np.exp([0.5]))
    with no_grad():
        assert Exp.apply(x).grad_fn is None


def test_primitives_keep_their_array_fast_path():
    seen = []

    class Spy(tg.ops.Primitive):
        def forward(ctx, x):
            seen.append(type(x))
            return x * 1

        def backward(ctx, g):
            seen.append(type(g))
            return g

    Spy.apply(Tensor([1.0], requires_grad=True)).backward()
    assert seen == [np.ndarray, np.ndarray]


def test_backward_adds_into_the_existing_grad_in_place_as_pytorch():
    # PyTorch's AccumulateGrad: `grad += new` in place, so a tensor holding p.grad sees the
    # sum, and the gradient's version counts the change
    p = tg.ones(3, requires_grad=True)
    (p * 2).sum().backward()
    held, version = p.grad, p.grad._version
    (p * 3).sum().backward()
    assert p.grad is held
    assert np.array_equal(held.data, [5.0, 5.0, 5.0])
    assert held._version == version + 1


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_without_none_zeroes_the_held_gradient(owner):
    model = tg.nn.Linear(2, 1)
    model(tg.ones(3, 2)).sum().backward()
    held = model.weight.grad
    if owner == "module":
        model.zero_grad(set_to_none=False)
    else:
        tg.optim.SGD(model.parameters(), lr=0.1).zero_grad(set_to_none=False)
    assert model.weight.grad is held
    assert np.array_equal(held.data, np.zeros((1, 2)))
