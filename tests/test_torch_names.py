"""PyTorch's spellings on Tensor and at package level: keyword aliases, methods,
conversions, Python protocols, module-level functions, dtype names; values against NumPy,
gradients against central differences, and bad input refused by name."""

import builtins
import math

import numpy as np
import pytest
from helpers import check_grads

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
Y = np.array([[1.1, 0.4, -0.9], [0.2, -1.3, 0.8]])


def t64(a=X, **kw):
    return Tensor(a, dtype=np.float64, **kw)


# --------------------------------------------------------------------------- keyword aliases
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin"])
def test_reductions_take_dim_keepdim_or_axis_keepdims(name):
    ref = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min}[name]
    t = t64()
    f = getattr(t, name)
    for got, want in [
        (f(dim=1), ref(X, axis=1)),
        (f(1, True), ref(X, axis=1, keepdims=True)),
        (f(dim=(0, 1), keepdim=True), ref(X, axis=(0, 1), keepdims=True)),
        (f(axis=0), ref(X, axis=0)),
        (f(axis=0, keepdims=True), ref(X, axis=0, keepdims=True)),
        (f(0, keepdims=True), ref(X, axis=0, keepdims=True)),
        (f(), ref(X)),
    ]:
        np.testing.assert_allclose(got.data, want, rtol=1e-12)
    with pytest.raises(TypeError, match=f"{name}\\(\\): got both dim=0 and axis=1"):
        f(0, axis=1)
    with pytest.raises(TypeError, match="both keepdim= and keepdims="):
        f(0, keepdim=True, keepdims=True)
    with pytest.raises(TypeError, match="keepdim must be True or False, got 'yes'"):
        f(0, keepdim="yes")


def test_all_and_any():
    b = Tensor([[True, False], [True, True]])
    assert b.all().item() is False and b.any().item() is True
    np.testing.assert_array_equal(b.all(dim=1).data, [False, True])
    np.testing.assert_array_equal(b.any(axis=0, keepdims=True).data, [[True, True]])
    np.testing.assert_array_equal(tg.all(b, 0).data, [True, False])
    assert Tensor([1.0, 0.0]).any().dtype == np.bool_


def test_cat_and_stack_take_dim_or_axis():
    a, b = t64(), t64(Y)
    np.testing.assert_array_equal(tg.cat([a, b], dim=1).data, np.concatenate([X, Y], 1))
    np.testing.assert_array_equal(tg.cat((a, b)).data, np.concatenate([X, Y]))
    np.testing.assert_array_equal(tg.concat([a, b], axis=-1).data, np.concatenate([X, Y], -1))
    np.testing.assert_array_equal(tg.stack([a, b], dim=2).data, np.stack([X, Y], 2))
    np.testing.assert_array_equal(tg.stack([a, b], axis=-1).data, np.stack([X, Y], -1))
    check_grads(lambda p, q: tg.cat([p, q * q], dim=1) * tg.stack([p, q]).sum(0).sum(), [X, Y])
    with pytest.raises(TypeError, match="both dim=1 and axis=1"):
        tg.cat([a, b], 1, axis=1)
    with pytest.raises(IndexError, match=r"dim 3 is out of range \(expected dim in \[-3, 2\]\)"):
        tg.stack([a, b], dim=3)


# --------------------------------------------------------------------------- arithmetic
def test_arithmetic_methods_match_the_operators():
    a, b = t64(), t64(Y)
    pairs = [
        (a.add(b), X + Y),
        (a.add(b, alpha=2), X + 2 * Y),
        (a.sub(b), X - Y),
        (a.sub(b, alpha=0.5), X - 0.5 * Y),
        (a.mul(b), X * Y),
        (a.multiply(2), X * 2),
        (a.div(b), X / Y),
        (a.true_divide(b), X / Y),
        (a.divide(4), X / 4),
        (a.abs().pow(1.5), np.abs(X) ** 1.5),
        (a.matmul(b.T), X @ Y.T),
        (a.neg(), -X),
        (a.negative(), -X),
        (abs(a), np.abs(X)),
        (a.absolute(), np.abs(X)),
        (+a, X),
        (a.clamp(min=-0.5), np.maximum(X, -0.5)),
        (a.clamp(max=0.5), np.minimum(X, 0.5)),
        (a.clip(-0.5, 0.5), np.clip(X, -0.5, 0.5)),
        (a.maximum(b), np.maximum(X, Y)),
        (a.minimum(b), np.minimum(X, Y)),
        (a.where(Tensor(X > 0), b), np.where(X > 0, X, Y)),
    ]
    for got, want in pairs:
        np.testing.assert_allclose(got.data, want, rtol=1e-12)
    check_grads(lambda p, q: p.add(q, alpha=3).mul(q).sub(p, alpha=2).div(q.abs() + 1), [X, Y])
    np.testing.assert_array_equal(a.div(b, rounding_mode="floor").data, np.floor_divide(X, Y))
    np.testing.assert_array_equal(a.div(b, rounding_mode="trunc").data, np.trunc(X / Y))


def test_clamp_with_tensor_bounds_that_require_grad_gets_their_gradient():
    lo = np.array([0.0, -1.0, 1.0])
    check_grads(lambda x, b: x.clamp(min=b) * 2, [X, lo])
    check_grads(lambda x, b: x.clamp(max=b, min=-1.0), [X, lo])


def test_norm():
    t = t64()
    np.testing.assert_allclose(t.norm().item(), np.linalg.norm(X))
    np.testing.assert_allclose(t.norm(p="fro").item(), np.linalg.norm(X))
    np.testing.assert_allclose(t.norm(1).item(), np.abs(X).sum())
    np.testing.assert_allclose(t.norm(np.inf, dim=1).data, np.abs(X).max(1))
    np.testing.assert_allclose(t.norm(-np.inf, dim=1).data, np.abs(X).min(1))
    np.testing.assert_allclose(t.norm(3, dim=0).data, (np.abs(X) ** 3).sum(0) ** (1 / 3))
    np.testing.assert_allclose(t.norm(dim=1, keepdim=True).data, np.linalg.norm(X, axis=1)[:, None])
    check_grads(lambda x: x.norm() + x.norm(1, dim=0).sum() + x.norm(3, dim=1).sum(), [X])
    with pytest.raises(ValueError, match="p='nuc' is not supported"):
        t.norm("nuc")


# --------------------------------------------------------------------------- shape
def test_shape_methods_match_numpy():
    t = t64(np.arange(24.0).reshape(2, 3, 4))
    a = np.arange(24.0).reshape(2, 3, 4)
    pairs = [
        (t.view(4, 6), a.reshape(4, 6)),
        (t.view(-1), a.reshape(-1)),
        (t.reshape(shape=(6, 4)), a.reshape(6, 4)),
        (t.reshape((3, 8)), a.reshape(3, 8)),
        (t.view_as(t64(np.zeros((6, 4)))), a.reshape(6, 4)),
        (t.flatten(), a.reshape(-1)),
        (t.flatten(1), a.reshape(2, 12)),
        (t.flatten(0, 1), a.reshape(6, 4)),
        (t.flatten(start_dim=-2), a.reshape(2, 12)),
        (t.unflatten(2, (2, 2)), a.reshape(2, 3, 2, 2)),
        (t.unsqueeze(0), a[None]),
        (t.unsqueeze(-1), a[..., None]),
        (t.unsqueeze(1), a[:, None]),
        (t[:, :1].squeeze(), a[:, 0]),
        (t[:1, :1].squeeze(1), a[:1, 0]),
        (t[:1].squeeze(dim=(0,)), a[0]),
        (t.squeeze(1), a),  # an axis of size 3 is kept, as in PyTorch
        (t[:, :1].expand(2, 3, 4), np.broadcast_to(a[:, :1], (2, 3, 4))),
        (t[0].expand(2, -1, -1), np.broadcast_to(a[0], (2, 3, 4))),
        (t[:, :1].expand_as(t), np.broadcast_to(a[:, :1], (2, 3, 4))),
        (t[0].repeat(2, 1), np.tile(a[0], (2, 1))),
        (t.repeat(1, 2, 3), np.tile(a, (1, 2, 3))),
        (t[0, 0].repeat(2, 3), np.tile(a[0, 0], (2, 3))),
        (t.contiguous(), a),
        (t.clone(), a),
    ]
    for got, want in pairs:
        np.testing.assert_array_equal(got.data, want)
    assert t.contiguous() is t
    clone = t.clone()
    clone.data[0, 0, 0] = 99.0
    assert t.data[0, 0, 0] == 0.0  # clone owns its array


def test_shape_method_gradients():
    x3 = np.arange(12.0).reshape(2, 3, 2) / 5
    check_grads(lambda t: t.view(6, 2).exp() * t.flatten(1).sum(), [x3])
    check_grads(lambda t: t.unsqueeze(1).squeeze(1).tanh(), [x3])
    check_grads(lambda t: t[:, :1].expand(2, 3, 2) * t, [x3])
    check_grads(lambda t: t.repeat(2, 1, 3) ** 2, [x3])
    check_grads(lambda t: t.clone() * t, [x3])


def test_shape_misuse_is_refused():
    t = t64()
    with pytest.raises(TypeError, match=r"got sizes \(6,\) and shape=\(6,\)"):
        t.reshape(6, shape=(6,))
    with pytest.raises(TypeError, match="integer sizes"):
        t.view(2.0, 3)
    with pytest.raises(ValueError, match="start_dim 1 comes after end_dim 0"):
        t.flatten(1, 0)
    with pytest.raises(np.exceptions.AxisError, match="dim 3 is out of range"):
        t.unsqueeze(3)
    with pytest.raises(RuntimeError, match="number of repeats"):
        t.repeat(2)
    with pytest.raises(RuntimeError, match="number of sizes"):
        t.expand(3)


# --------------------------------------------------------------------------- sizes and conversions
def test_size_numel_dim():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.size() == (2, 3, 4) and t.size(0) == 2 and t.size(-1) == 4 and t.size(dim=1) == 3
    assert t.numel() == 24 and t.nelement() == 24 and t.dim() == 3 and t.ndimension() == 3
    assert tg.numel(t) == 24
    assert Tensor(1.0).size() == () and Tensor(1.0).numel() == 1
    with pytest.raises(np.exceptions.AxisError, match="dim 3 is out of range"):
        t.size(3)


def test_dtype_conversions():
    x = Tensor([1.7, -2.2], requires_grad=True)
    assert x.float() is x and x.to(tg.float32) is x and x.type(np.float32) is x
    d = x.double()
    assert d.dtype == np.float64 and d.grad_fn is not None  # differentiable
    assert x.half().dtype == np.float16
    assert x.long().dtype == np.int64 and x.long().data.tolist() == [1, -2]
    assert x.int().dtype == np.int32 and x.short().dtype == np.int16
    assert x.bool().dtype == np.bool_
    assert x.type_as(Tensor([1], dtype=np.int64)).dtype == np.int64
    assert x.to(Tensor([1.0], dtype=np.float64)).dtype == np.float64
    assert x.to("cpu") is x and x.to(device="cpu") is x and x.cpu() is x
    assert x.to("cpu", tg.float64).dtype == np.float64
    assert x.to("cpu:0", dtype="float64").dtype == np.float64
    assert x.to(tg.float32, copy=True) is not x
    assert x.type() == "float32" and x.device == "cpu"
    d.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_other_devices_are_refused_clearly(device):
    with pytest.raises(RuntimeError, match=f"device '{device}' is not available.*'cpu'"):
        Tensor([1.0]).to(device)
    with pytest.raises(RuntimeError, match="CPU only"):
        Tensor([1.0]).cuda()


def test_to_refuses_what_is_not_a_dtype_or_a_device_option():
    with pytest.raises(TypeError, match="unexpected keyword argument 'device_id'"):
        Tensor([1.0]).to(device_id=0)
    with pytest.raises(TypeError, match="dtype"):
        Tensor([1.0]).to(np.complex64)


def test_item_tolist_and_number_conversions():
    assert Tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError, match=r"one element; this one has shape \(2,\).*tolist"):
        Tensor([1.0, 2.0]).item()
    assert Tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert float(Tensor(1.5)) == 1.5 and int(Tensor(7)) == 7
    assert list(range(Tensor(3))) == [0, 1, 2] and [10, 20, 30][Tensor(1)] == 20
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [1, 2][Tensor(1.0)]


def test_format_a_zero_d_tensor_as_its_number():
    loss = Tensor(math.pi)
    assert f"{loss:.4f}" == "3.1416" and f"{Tensor(7):>3d}" == "  7"
    assert f"{Tensor([1.0, 2.0])}" == str(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"unsupported format string.*\.item\(\)"):
        f"{Tensor([1.0, 2.0]):.2f}"


def test_iteration_and_membership():
    rows = list(t64())
    assert len(rows) == 2 and all(isinstance(r, Tensor) for r in rows)
    np.testing.assert_array_equal(rows[1].data, X[1])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(Tensor(3.0))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(Tensor(3.0))
    assert 2.0 in Tensor([1.0, 2.0]) and 5.0 not in Tensor([1.0, 2.0])
    check_grads(lambda t: sum(r * r for r in t), [X])  # rows are differentiable


def test_bool_of_a_tensor():
    assert bool(Tensor([1.0])) and not bool(Tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous.*any\\(\\) or .all\\(\\)"):
        bool(Tensor([1.0, 2.0]))


# --------------------------------------------------------------------------- logical operators
def test_logical_operators_on_bool_and_integer_tensors():
    a, b = Tensor([True, True, False]), Tensor([True, False, False])
    np.testing.assert_array_equal((a & b).data, [True, False, False])
    np.testing.assert_array_equal((a | b).data, [True, True, False])
    np.testing.assert_array_equal((a ^ b).data, [False, True, False])
    np.testing.assert_array_equal((~a).data, [False, False, True])
    np.testing.assert_array_equal((True & b).data, [True, False, False])
    np.testing.assert_array_equal(a.logical_not().data, [False, False, True])
    x = Tensor([0.5, -1.0, 2.0])
    np.testing.assert_array_equal(((x > 0) & (x < 1)).data, [True, False, False])
    np.testing.assert_array_equal((Tensor([6, 3]) & Tensor([3, 1])).data, [2, 1])
    with pytest.raises(TypeError, match='"bitwise_and" is only for boolean and integer.*float32'):
        _ = x & x
    with pytest.raises(TypeError, match="float32"):
        _ = ~x


def wrap(v: int, bits: int, signed: bool) -> int:
    """Python int v as a `bits`-wide integer (two's complement wrap-around)."""
    v %= 1 << bits
    return v - (1 << bits) if signed and v >= 1 << (bits - 1) else v


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.int64])
def test_bitwise_operators_keep_pytorchs_integer_dtype(dtype):
    values = [5, 6, 120] if dtype == np.uint8 else [5, -6, 120]
    t = Tensor(np.array(values, dtype=dtype))
    for out, want in [
        (t & 2, [v & 2 for v in values]),
        (t | 2, [v | 2 for v in values]),
        (t ^ 3, [v ^ 3 for v in values]),
        (2 & t, [2 & v for v in values]),
        (t & Tensor(3), [v & 3 for v in values]),  # a 0-d int64 tensor does not widen it
        (tg.bitwise_or(t, 1), [v | 1 for v in values]),
    ]:
        assert out.dtype == dtype, (out.dtype, dtype)
        assert out.tolist() == want
    assert (~t).dtype == dtype
    assert (~t).tolist() == [wrap(~v, 8 * t.dtype.itemsize, dtype != np.uint8) for v in values]
    assert (Tensor(np.array([1], dtype=np.int32)) & Tensor([1])).dtype == np.int64


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.int64])
def test_shifts_as_pytorch_counts_outside_the_width_included(dtype):
    bits, signed = 8 * np.dtype(dtype).itemsize, dtype != np.uint8
    values = [5, 3, 100] if not signed else [-5, 3, 100]
    t = Tensor(np.array(values, dtype=dtype))
    for k in [-1, 0, 1, 7, bits - 1, bits, bits + 6]:
        if k < 0 and not signed:
            continue
        # PyTorch: a count < 0 or >= the width shifts everything out (the sign stays for >>)
        left = [0 if not 0 <= k < bits else wrap(v << k, bits, signed) for v in values]
        right = [v >> (k if 0 <= k < bits else bits) for v in values]  # Python's >> keeps the sign
        assert (t << k).tolist() == left, k
        assert (t >> k).tolist() == right, k
        assert (t << k).dtype == (t >> k).dtype == dtype
        counts = Tensor(np.full(3, k, dtype=dtype))
        assert (t << counts).tolist() == left and t.bitwise_right_shift(counts).tolist() == right
    assert (2 << Tensor(np.array([1, 3], dtype=np.int32))).tolist() == [4, 16]
    assert tg.bitwise_left_shift(1, Tensor([2, 3])).tolist() == [4, 8]
    assert (Tensor([True, False]) << 1).tolist() == [2, 0]  # a bool with an int is int64
    with pytest.raises(TypeError, match="only for integer tensors"):
        _ = Tensor([True]) << Tensor([True])
    with pytest.raises(TypeError, match="only for integer tensors.*float32"):
        _ = Tensor(np.array([1], dtype=np.int32)) << 2.0


def test_bitwise_in_place_operators_change_the_tensor_itself():
    k = Tensor(np.array([1, 2], dtype=np.int32))
    alias = k
    k &= 3
    k |= 4
    k ^= 1
    k <<= 1
    k >>= 1
    assert k is alias and k.dtype == np.int32 and k.tolist() == [(1 & 3 | 4) ^ 1, (2 & 3 | 4) ^ 1]
    m = Tensor([True, False])
    m ^= True
    assert m.dtype == np.bool_ and m.tolist() == [False, True]
    with pytest.raises(RuntimeError, match="can't be cast"):
        m &= 1  # bool & int is int64: not into a bool tensor, as in PyTorch
    assert Tensor([6]).bitwise_and_(3).tolist() == [2]


# --------------------------------------------------------------------------- module level
FUNCTIONS = {
    "exp": np.exp,
    "log": lambda a: np.log(np.abs(a)),
    "sqrt": lambda a: np.sqrt(np.abs(a)),
    "tanh": np.tanh,
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "relu": lambda a: np.maximum(a, 0),
    "abs": np.abs,
    "neg": np.negative,
    "sin": np.sin,
    "cos": np.cos,
    "sign": np.sign,
    "square": np.square,
    "log1p": lambda a: np.log1p(np.abs(a)),
    "expm1": np.expm1,
    "erf": lambda a: np.vectorize(math.erf)(a),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_module_functions_mirror_the_methods(name):
    start = np.abs(X) if name in ("log", "sqrt", "log1p") else X
    np.testing.assert_allclose(getattr(tg, name)(t64(start)).data, FUNCTIONS[name](start))
    positive = name in ("log", "sqrt", "log1p")
    check_grads(lambda t: getattr(tg, name)(t.abs() + 0.5 if positive else t), [X])


def test_module_reductions_and_shape_functions():
    t = t64()
    np.testing.assert_allclose(tg.sum(t, dim=1).data, X.sum(1))
    np.testing.assert_allclose(tg.mean(t, 0, keepdim=True).data, X.mean(0, keepdims=True))
    np.testing.assert_allclose(tg.max(t).item(), X.max())
    np.testing.assert_allclose(tg.min(t, 1).values.data, X.min(1))
    np.testing.assert_allclose(tg.max(t, t64(Y)).data, np.maximum(X, Y))
    np.testing.assert_allclose(tg.var(t, 1).data, X.var(1, ddof=1))
    np.testing.assert_allclose(tg.std(t).item(), X.std(ddof=1))
    np.testing.assert_allclose(tg.norm(t).item(), np.linalg.norm(X))
    np.testing.assert_array_equal(tg.argmax(t, dim=1).data, X.argmax(1))
    np.testing.assert_array_equal(tg.argmin(t).item(), X.argmin())
    np.testing.assert_allclose(tg.clamp(t, -0.5, 0.5).data, np.clip(X, -0.5, 0.5))
    np.testing.assert_allclose(tg.clip(t, max=0.0).data, np.minimum(X, 0.0))
    np.testing.assert_allclose(tg.add(t, 1, alpha=2).data, X + 2)
    np.testing.assert_allclose(tg.sub(t, t).data, 0 * X)
    np.testing.assert_allclose(tg.mul(t, 2).data, X * 2)
    np.testing.assert_allclose(tg.div(t, 2).data, X / 2)
    np.testing.assert_allclose(tg.pow(t, 2).data, X**2)
    np.testing.assert_allclose(tg.matmul(t, t.T).data, X @ X.T)
    np.testing.assert_array_equal(tg.reshape(t, (3, 2)).data, X.reshape(3, 2))
    np.testing.assert_array_equal(tg.permute(t, (1, 0)).data, X.T)
    np.testing.assert_array_equal(tg.transpose(t, 0, 1).data, X.T)
    np.testing.assert_array_equal(tg.swapaxes(t, 0, 1).data, X.T)
    np.testing.assert_array_equal(tg.t(t).data, X.T)
    np.testing.assert_array_equal(tg.flatten(t).data, X.ravel())
    np.testing.assert_array_equal(tg.unsqueeze(t, 0).data, X[None])
    np.testing.assert_array_equal(tg.squeeze(tg.unsqueeze(t, 0)).data, X)
    np.testing.assert_allclose(tg.amax(t, 0).data, X.max(0))
    np.testing.assert_allclose(tg.amin(t, dim=1).data, X.min(1))
    np.testing.assert_array_equal(tg.any(t > 1).item(), True)


def test_module_functions_refuse_what_is_not_a_tensor():
    with pytest.raises(TypeError, match=r"exp\(\): argument 'input' must be a Tensor, not list"):
        tg.exp([1.0, 2.0])
    with pytest.raises(TypeError, match="not ndarray.*tg.tensor"):
        tg.sum(np.ones(3))


def test_comparison_helpers():
    a = Tensor([1.0, 2.0, 3.0])
    assert tg.allclose(a, a + 1e-7) and not tg.allclose(a, a + 1e-3)
    assert tg.allclose(a, np.array([1.0, 2.0, 3.0]), atol=0, rtol=0)
    np.testing.assert_array_equal(tg.isclose(a, Tensor([1.0, 2.1, 3.0])).data, [True, False, True])
    assert tg.equal(a, Tensor([1.0, 2.0, 3.0])) and not tg.equal(a, Tensor([1.0, 2.0]))
    assert not tg.equal(a, Tensor([1.0, 2.0, 4.0]))
    nan = Tensor([float("nan")])
    assert not tg.allclose(nan, nan) and tg.allclose(nan, nan, equal_nan=True)


def test_creation_functions():
    assert tg.zeros_like(t64()).dtype == np.float64 and tg.ones_like(
        t64(), dtype=tg.int64
    ).dtype == (np.int64)
    np.testing.assert_array_equal(tg.full_like(t64(), 7).data, np.full(X.shape, 7.0))
    assert tg.full((2,), 3).dtype == np.int64 and tg.full((2,), 3.0).dtype == np.float32
    assert tg.full((2,), True).dtype == np.bool_ and tg.full((2,), 3, dtype=tg.float64).dtype == (
        np.float64
    )
    np.testing.assert_allclose(tg.linspace(0, 1, 5).data, np.linspace(0, 1, 5))
    assert tg.linspace(0, 1, 5).dtype == np.float32
    assert tg.empty(2, 3).shape == (2, 3) and tg.empty(2, dtype=tg.int64).dtype == np.int64
    tg.manual_seed(0)
    r = tg.randint(3, 7, (1000,))
    assert r.dtype == np.int64 and r.shape == (1000,)
    assert r.data.min() == 3 and r.data.max() == 6  # high excluded, both ends drawn
    assert tg.randint(5, (2, 3)).data.max() < 5 and tg.randint(0, 2, size=(4,)).shape == (4,)
    tg.manual_seed(0)
    np.testing.assert_array_equal(tg.randint(3, 7, (1000,)).data, r.data)
    assert tg.randn(2, 2, dtype=tg.float64).dtype == np.float64
    assert tg.rand(3, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: tg.randint(5), TypeError, "randint\\(\\) takes \\(high, size\\)"),
        (lambda: tg.randint(5, 2, (3,)), ValueError, "high \\(2\\) must be larger than low"),
        (lambda: tg.linspace(0, 1, 2.5), TypeError, "integer sizes"),
        (lambda: tg.zeros(2, dtype="banana"), TypeError, "banana"),
        (lambda: tg.zeros(2, dtype=np.complex64), TypeError, "complex64"),
        (lambda: tg.full((2,), 1.0, dtype=object), TypeError, "dtype"),
    ],
)
def test_creation_functions_refuse_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


# --------------------------------------------------------------------------- dtype names
@pytest.mark.parametrize(
    "name, dtype",
    [
        ("float32", np.float32),
        ("float", np.float32),  # PyTorch's torch.float
        ("float64", np.float64),
        ("double", np.float64),
        ("float16", np.float16),
        ("half", np.float16),
        ("int64", np.int64),
        ("long", np.int64),
        ("int32", np.int32),
        ("int", np.int32),  # PyTorch's torch.int
        ("int16", np.int16),
        ("short", np.int16),
        ("int8", np.int8),
        ("uint8", np.uint8),
        ("bool", np.bool_),
    ],
)
def test_dtype_names_work_wherever_a_dtype_does(name, dtype):
    dt = getattr(tg, name)
    assert dt == np.dtype(dtype)
    assert Tensor([1, 0], dtype=dt).dtype == dtype
    assert tg.zeros(2, dtype=dt).dtype == dtype
    assert Tensor([1.0, 0.0]).to(dt).dtype == dtype
    assert np.zeros(2, dtype=dt).dtype == dtype


def test_dtype_names_do_not_shadow_builtins_in_the_package():
    import tinygrad_mlp.checks as checks
    import tinygrad_mlp.tensor as tensor
    import tinygrad_mlp.tensor_methods as tensor_methods

    for module in (tensor_methods, checks, tensor, tg.functional, tg.autograd, tg.ops):
        for name in ("float", "int", "bool", "sum", "max", "min", "abs", "all", "any"):
            assert name not in vars(module), f"{module.__name__} defines {name}"
    assert builtins.float(Tensor(2.5)) == 2.5  # the builtins still work on Tensors
    assert builtins.sum([Tensor(1.0), Tensor(2.0)]).item() == 3.0
