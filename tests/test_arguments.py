"""Arguments are validated, never reinterpreted: each bad argument raises with a message
that names it, the value given and what is accepted; constants given as lists act as
NumPy arrays do; degenerate shapes (0-d, empty selections) behave as in NumPy/PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_grads

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
from tinygrad_mlp import Tensor


def x23() -> Tensor:
    return Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, dtype=np.float64)


# ----------------------------------------------------------------------------- data and dtypes
@pytest.mark.parametrize(
    ("data", "dtype", "message"),
    [
        (300, np.int8, r"300 does not fit int8 \(which holds -128 to 127\)"),
        (-1, np.uint8, r"-1 does not fit uint8"),
        ([1, 2**40], np.int32, r"1099511627776 does not fit int32"),
        (float("nan"), np.int64, "cannot convert NaN or infinity to int64"),
        ([1.0, float("inf")], np.int32, "cannot convert NaN or infinity to int32"),
    ],
)
def test_integer_data_that_does_not_fit_is_refused(data, dtype, message) -> None:
    with pytest.raises(ValueError, match=message):
        Tensor(data, dtype=dtype)


def test_integer_data_that_fits_is_kept_exactly() -> None:
    np.testing.assert_array_equal(Tensor([-128, 127], dtype=np.int8).data, [-128, 127])
    assert Tensor(np.array([3, 4], np.int64), dtype=np.int8).dtype == np.int8


@pytest.mark.parametrize(
    ("operand", "what"),
    [
        (np.ones(3, object), "Python objects"),
        (1j, "complex 1j"),
        (np.ones(3, complex), "complex numbers"),
        ("a", "str 'a'"),
        (np.array(["a", "b", "c"]), "strings"),
        (None, "None"),
        ({"a": 1}, "dict"),
    ],
)
def test_operands_that_are_not_numbers_are_refused_by_name(operand, what) -> None:
    x = x23()
    for op in (lambda: x + operand, lambda: operand * x, lambda: x < operand):
        with pytest.raises(TypeError, match=f"an operand is {what}"):
            op()


def test_stack_and_concatenate_check_their_tensors() -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="stack: an operand is str 'a'"):
        tg.stack([t, "a"])
    with pytest.raises(TypeError, match=r"stack\(\) takes a list or tuple of tensors, got dict"):
        tg.stack({"a": t})
    with pytest.raises(TypeError, match="concatenate: an operand is complex"):
        tg.concatenate([t, 1j * np.ones(2)])
    with pytest.raises(ValueError, match="at least one tensor"):
        tg.stack([])


# ----------------------------------------------------------------------------- axes and sizes
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: x.flatten(5), IndexError, r"dim 5 is out of range.*\[-2, 1\]"),
        (lambda x: x.flatten(1, 0), ValueError, "start_dim 1 comes after end_dim 0"),
        (lambda x: x.unsqueeze(10), IndexError, r"dim 10 is out of range.*\[-3, 2\]"),
        (lambda x: x.unsqueeze(1.5), TypeError, "dim must be an integer, got 1.5"),
        (lambda x: x.expand(-1, -1, -1), RuntimeError, r"cannot expand shape \(2, 3\)"),
        (lambda x: x.expand(3), RuntimeError, r"number of sizes \(1\) must be at least.*\(2\)"),
        (lambda x: x.reshape(6.5), TypeError, r"integer sizes, got \(6.5,\)"),
        (lambda x: x.reshape("6"), TypeError, r"integer sizes, got \('6',\)"),
        (lambda x: x.broadcast_to((2, 3.0)), TypeError, "integer sizes"),
        (lambda x: x.max(axis=1.0), TypeError, "axis must be an integer, got 1.0"),
        (lambda x: x.sum(axis=2), IndexError, r"axis 2 is out of range.*\[-2, 1\]"),
        (lambda x: x.mean(axis=(0, 0)), ValueError, "names an axis more than once"),
        (lambda x: x.max(keepdims="no"), TypeError, "keepdim must be True or False, got 'no'"),
        (lambda x: x.sum(keepdims=1), TypeError, "keepdim must be True or False, got 1"),
        (lambda x: x.swapaxes(0, 5), IndexError, r"dim 5 is out of range.*\[-2, 1\]"),
        (lambda x: tg.stack([x, x], dim=4), IndexError, r"dim 4 is out of range.*\[-3, 2\]"),
    ],
)
def test_axes_and_sizes_out_of_range_are_refused(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(x23())


def test_negative_axes_in_range_still_count_from_the_end() -> None:
    x = x23()
    assert x.unsqueeze(-1).shape == (2, 3, 1)
    assert x.flatten(-2, -1).shape == (6,)
    assert x.swapaxes(-1, 0).shape == (3, 2)
    assert x.sum(axis=-1).shape == (2,)


# ----------------------------------------------------------------------------- lists as constants
def test_a_list_operand_is_a_constant_like_an_array_forward_and_backward() -> None:
    x = x23()
    y = x @ [1.0, 2.0, 3.0]
    np.testing.assert_allclose(y.data, x.data @ np.array([1.0, 2.0, 3.0]))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.broadcast_to([1.0, 2.0, 3.0], (2, 3)))

    base = np.array([[0.5, 1.5, 2.0]])
    z = Tensor(base, dtype=np.float64) ** [1, 2, 3]
    np.testing.assert_allclose(z.data, base ** np.array([1, 2, 3]))
    check_grads(lambda a: a ** [1, 2, 3], [base])
    check_grads(lambda a: a @ [[1.0], [-2.0], [0.5]], [base])


def test_a_list_of_floats_does_not_widen_float32() -> None:
    x = Tensor([1.0, 2.0])
    assert (x + [0.5, 0.25]).dtype == np.float32
    assert (x * [2.0, 3.0]).dtype == np.float32


# ----------------------------------------------------------------------------- degenerate shapes
def test_an_empty_list_index_selects_nothing() -> None:
    x = x23()
    y = x[[]]
    assert y.shape == (0, 3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((2, 3)))


def test_zero_d_reductions_over_axis_0_work_backward_as_in_pytorch() -> None:
    s = Tensor(3.0, requires_grad=True, dtype=np.float64)
    for axis in (0, -1, (0,)):
        s.grad = None
        y = s.sum(axis=axis)
        assert y.shape == () and y.item() == 3.0
        y.backward()
        assert s.grad.item() == 1.0
    s.grad = None
    p = F.softmax(s, axis=-1)
    assert p.item() == 1.0
    p.backward()
    assert s.grad.item() == 0.0


def test_reductions_over_an_empty_axis_give_numpys_values() -> None:
    e = Tensor(np.ones((0, 3)), requires_grad=True, dtype=np.float64)
    np.testing.assert_array_equal(e.sum(axis=0).data, np.zeros(3))
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(e.mean(axis=0).data, np.full(3, np.nan))
        e.mean(axis=1).sum().backward()
    assert e.grad.shape == (0, 3)
    with pytest.raises(ValueError, match="Max on shapes \\(0, 3\\).*zero-size array"):
        e.max(axis=0)
