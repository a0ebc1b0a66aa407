"""The Tensor type itself: construction and dtypes, validation errors, attributes and small
methods, repr, operators with numbers and NumPy arrays on either side, comparisons, and
the errors for mismatched shapes and for backward without a gradient."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_shapes

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor


# --------------------------------------------------------------------------- construction
@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [[0.5], [1.5]], (0.25, 2)])
def test_python_floats_default_to_float32(data):
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


@pytest.mark.parametrize(
    "data", [np.array([1.0, 2.0]), np.float64(3.0), np.float16([1, 2]), np.float32([[0.5]])]
)
def test_numpy_data_keeps_its_dtype_as_torch_tensor_does(data):
    t = Tensor(data)
    assert t.dtype == data.dtype
    np.testing.assert_array_equal(t.data, data)
    assert Tensor(data, dtype=np.float32).dtype == np.float32  # dtype= still chooses


@pytest.mark.parametrize("dtype", [np.float64, "float64", np.dtype("float64")])
def test_dtype_float64_on_request(dtype):
    t = Tensor([0.1, 0.2], dtype=dtype)
    assert t.dtype == np.float64
    assert t.data[0] == 0.1  # not rounded through float32


def test_integer_and_boolean_data_keep_their_dtype_and_cannot_require_grad():
    i = Tensor([1, 2, 3])
    assert i.dtype.kind == "i" and i.data.tolist() == [1, 2, 3]
    assert Tensor(np.array([1, 2], dtype=np.int32)).dtype == np.int32
    b = Tensor([True, False])
    assert b.dtype == np.bool_
    with pytest.raises(RuntimeError, match="floating point.*int64"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point.*bool"):
        Tensor([True]).requires_grad_()
    assert Tensor([1, 2], dtype=np.float64, requires_grad=True).requires_grad


def test_construction_copies_the_data():
    source = np.array([1.0, 2.0])
    t = Tensor(source, dtype=np.float64)
    source[0] = 99.0
    assert t.data[0] == 1.0


@pytest.mark.parametrize(
    "bad, error, words",
    [
        ([[1.0, 2.0], [3.0]], ValueError, "ragged"),
        ("abc", TypeError, "str"),
        (b"abc", TypeError, "bytes"),
        (None, TypeError, "None"),
        (np.array([1, "a"], dtype=object), TypeError, "object"),
        ([1.0, None], TypeError, "None"),
        (1 + 2j, TypeError, "complex"),
        (np.array([1j, 2.0]), TypeError, "complex"),
        ({"a": 1}, TypeError, "object"),
    ],
)
def test_bad_data_raises_naming_what_was_given_and_what_is_accepted(bad, error, words):
    with pytest.raises(error) as info:
        Tensor(bad)
    message = str(info.value)
    assert words in message
    assert "number" in message or "same length" in message  # what is accepted


@pytest.mark.parametrize("dtype", ["complex64", "banana", object])
def test_bad_dtype_raises_type_error(dtype):
    with pytest.raises(TypeError, match="dtype"):
        Tensor([1.0], dtype=dtype)


# --------------------------------------------------------------------------- attributes
def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.numel() == 6 and t.dtype == np.float64
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-2) == 2
    assert t.is_leaf and t.grad_fn is None and t.grad is None and t.requires_grad
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, t.data.T)
    y = t * 2
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    assert len(t) == 2
    s = Tensor(2.5)
    assert s.shape == () and s.ndim == 0 and s.numel() == 1 and s.size() == ()


def test_name_is_a_keyword_and_an_attribute_none_by_default():
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    assert w.name == "w" and Tensor(1.0).name is None
    y = w * 2.0
    assert y.name is None and y.grad_fn is not None  # results of operations: None
    y.name = "y"
    assert y.name == "y" and w.name == "w"
    assert tg.nn.Parameter(np.ones(2)).name is None and w.detach().name is None
    with pytest.raises(TypeError, match=r"name=3.*string"):
        Tensor(1.0, name=3)


def test_item_numpy_and_conversions():
    assert Tensor([[2.5]]).item() == 2.5
    assert isinstance(Tensor(3.0).item(), float)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()
    t = Tensor([1.0, 2.0])
    assert t.numpy() is t.data
    assert float(Tensor(1.5)) == 1.5 and int(Tensor(7)) == 7
    assert bool(Tensor(1.0)) and not bool(Tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        len(Tensor(1.0))
    np.testing.assert_array_equal(np.asarray(t), [1.0, 2.0])


def test_detach_shares_values_and_leaves_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.data, y.data)
    (d * y).sum().backward()  # no gradient through d: d/dx (c * 3x) = 3c
    np.testing.assert_array_equal(x.grad.data, 3 * d.data)


def test_requires_grad_():
    t = Tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_repr_shows_values_grad_fn_and_flags():
    assert repr(Tensor([1.0, 2.5])) == "Tensor([1. , 2.5])"
    leaf = Tensor([1.0, 2.0], requires_grad=True)
    assert "requires_grad=True" in repr(leaf)
    r = repr(leaf * 2)
    assert "2., 4." in r and "grad_fn=<MulBackward>" in r
    assert "grad_fn=<AddBackward>" in repr(leaf + 1)
    assert "dtype=float64" in repr(Tensor([1.0], dtype=np.float64))
    assert repr(Tensor([1, 2])) == "Tensor([1, 2])"


# --------------------------------------------------------------------------- operators
REFLECTED = {
    "radd": (lambda c, t: c + t, lambda c, x: c + x),
    "rsub": (lambda c, t: c - t, lambda c, x: c - x),
    "rmul": (lambda c, t: c * t, lambda c, x: c * x),
    "rdiv": (lambda c, t: c / t, lambda c, x: c / x),
    "rpow": (lambda c, t: abs(c) ** t, lambda c, x: np.abs(c) ** x),
}


@pytest.mark.parametrize("name", list(REFLECTED))
@given(data=st.data())
def test_reflected_operators_with_numbers_and_arrays_on_the_left(name, data):
    op, np_op = REFLECTED[name]
    sc, sx = data.draw(broadcastable_shapes(), label="shapes")
    x = data.draw(arrays(sx, 0.5, 3.0), label="x")
    number = data.draw(st.floats(0.5, 3.0), label="number")
    array = data.draw(arrays(sc, 0.5, 3.0), label="array")
    for c in (number, array):
        t = Tensor(x, dtype=np.float64, requires_grad=True)
        out = op(c, t)
        assert isinstance(out, Tensor) and out.grad_fn is not None
        np.testing.assert_allclose(out.data, np_op(c, x), rtol=1e-13)
    # int on the left too
    np.testing.assert_allclose(op(2, Tensor(x, dtype=np.float64)).data, np_op(2, x), rtol=1e-13)


def test_reflected_operator_gradients():
    x = Tensor([0.5, 2.0], dtype=np.float64, requires_grad=True)
    (1 - x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, -1.0])
    x.grad = None
    (2 / x).sum().backward()
    np.testing.assert_allclose(x.grad.data, -2 / x.data**2)
    x.grad = None
    (np.array([3.0, 4.0]) * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    x.grad = None
    (2.0**x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.log(2.0) * 2.0**x.data)


def test_operators_with_tensor_on_the_left_and_constants_on_the_right():
    x = Tensor([1.0, 2.0], dtype=np.float64)
    c = np.array([[2.0], [3.0]])
    np.testing.assert_array_equal((x + c).data, x.data + c)
    np.testing.assert_array_equal((x - 1).data, [0.0, 1.0])
    np.testing.assert_array_equal((x * c).data, x.data * c)
    np.testing.assert_array_equal((x / 2).data, [0.5, 1.0])
    np.testing.assert_array_equal((x**2).data, [1.0, 4.0])
    np.testing.assert_array_equal((-x).data, [-1.0, -2.0])


@pytest.mark.parametrize(
    "op, np_op",
    [
        (lambda a, b: a < b, np.less),
        (lambda a, b: a <= b, np.less_equal),
        (lambda a, b: a > b, np.greater),
        (lambda a, b: a >= b, np.greater_equal),
        (lambda a, b: a == b, np.equal),
        (lambda a, b: a != b, np.not_equal),
    ],
)
def test_comparisons_return_boolean_tensors_outside_the_graph(op, np_op):
    a_np, b_np = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    a = Tensor(a_np, requires_grad=True)
    for other, other_np in ((Tensor(b_np, requires_grad=True), b_np), (b_np, b_np), (2.0, 2.0)):
        out = op(a, other)
        assert isinstance(out, Tensor)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, np_op(a_np, other_np))
    flipped = op(b_np, a)  # a NumPy array on the left: Python reflects to the Tensor
    assert isinstance(flipped, Tensor)
    np.testing.assert_array_equal(flipped.data, np_op(b_np, a_np))


def test_tensors_are_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "sa, sb", [((2, 3), (3, 2)), ((4,), (3,)), ((2, 3, 1), (4, 3)), ((5,), (2, 4))]
)
@pytest.mark.parametrize("op", ["add", "mul", "maximum", "where"])
def test_broadcast_mismatch_names_both_shapes(sa, sb, op):
    a, b = Tensor(np.ones(sa)), Tensor(np.ones(sb))
    call = {
        "add": lambda: a + b,
        "mul": lambda: a * b,
        "maximum": lambda: tg.maximum(a, b),
        "where": lambda: tg.where(True, a, b),
    }[op]
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert str(sa) in message and str(sb) in message


@pytest.mark.parametrize("sa, sb", [((2, 3), (2, 3)), ((3,), (4,)), ((2, 2, 3), (4, 2))])
def test_matmul_mismatch_names_both_shapes(sa, sb):
    with pytest.raises(ValueError) as info:
        tg.matmul(Tensor(np.ones(sa)), Tensor(np.ones(sb)))
    assert str(sa) in str(info.value) and str(sb) in str(info.value)


def test_matmul_of_a_scalar_is_refused():
    with pytest.raises(ValueError, match=r"\(\)"):
        Tensor(2.0) @ Tensor([1.0])


def test_backward_on_a_non_scalar_needs_a_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "(2,)" in message and "gradient" in message


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_backward_on_a_single_element_tensor_of_any_rank():
    x = Tensor([[3.0]], requires_grad=True)
    (x * x).backward()
    np.testing.assert_array_equal(x.grad.data, [[6.0]])


def test_backward_on_a_tensor_without_grad_explains():
    with pytest.raises(RuntimeError, match="requires_grad"):
        Tensor([1.0]).sum().backward()


def test_numpy_scalar_constants_do_not_widen_float32():
    # PyTorch's rule: a 0-d operand (here a NumPy scalar or 0-d array) does not promote
    # the dtype of a float32 tensor; a float64 array with dimensions does (NumPy's rule).
    x = Tensor([1.0, 2.0], requires_grad=True)
    for c in (np.sqrt(2.0), np.float64(3.0), np.array(0.5), np.int64(2)):
        assert (x * c).dtype == np.float32
        assert (c - x).dtype == np.float32
    assert (x * np.array([2.0])).dtype == np.float64
    y = x * np.float64(3.0)
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_pow_exponent_gradient_is_zero_at_a_zero_base():
    # d(a ** b)/db = a ** b * log(a), which is 0 * -inf at a = 0; its limit is 0 (PyTorch too)
    b = Tensor([2.0, 2.0, 0.5], dtype=np.float64, requires_grad=True)
    a = Tensor([0.0, 2.0, 3.0], dtype=np.float64)
    (a**b).sum().backward()
    np.testing.assert_allclose(b.grad.data, [0.0, 4 * np.log(2.0), np.sqrt(3.0) * np.log(3.0)])


def test_maximum_and_minimum_work_on_integer_tensors():
    a, b = Tensor([1, 5, 3]), Tensor([3, 3, 3])
    np.testing.assert_array_equal(tg.maximum(a, b).data, [3, 5, 3])
    np.testing.assert_array_equal(tg.minimum(a, 2).data, [1, 2, 2])
    assert tg.maximum(a, b).dtype.kind == "i"


def test_errors_from_numpy_keep_their_kind_and_name_the_operation():
    with pytest.raises(TypeError, match="Add: an operand is str 'a'"):
        Tensor([1, 2]) + "a"
    with pytest.raises(ValueError, match=r"Transpose on shapes \(2, 3\)"):
        Tensor(np.ones((2, 3))).permute(0, 0)


def test_np_array_of_a_tensor_copies_but_asarray_shares():
    t = Tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 9.0
    assert t.data[0] == 1.0  # np.array copies, as for any array
    assert np.asarray(t) is t.data  # np.asarray shares, as for any array
    assert np.array(t, dtype=np.float64).dtype == np.float64
