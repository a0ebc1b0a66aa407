"""Movement ops (reshape, transpose, swapaxes, flatten, expand, broadcast_to, unsqueeze,
indexing, concatenate, stack): forward values against NumPy, gradients against float64
central differences."""

import math

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    arrays,
    basic_indices,
    bool_masks,
    concat_cases,
    integer_indices,
    shapes,
    upstream_grads,
)

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor


def check_against_numpy(fn, np_fn, x, g=None, data=None):
    """Forward equals NumPy exactly (a movement op only moves values); gradient by
    central differences."""
    expected = np_fn(x)
    out = fn(Tensor(x, dtype=np.float64))
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.data, expected)
    if g is None:
        g = data.draw(upstream_grads(expected.shape), label="g")
    check_grads(fn, [x], g)


@st.composite
def reshape_targets(draw, shape):
    """A shape of the same size: the sides shuffled, 1s inserted, maybe one side -1."""
    sides = list(draw(st.permutations(shape)))
    for _ in range(draw(st.integers(0, 2))):
        sides.insert(draw(st.integers(0, len(sides))), 1)
    if sides and math.prod(sides) > 0 and draw(st.booleans()):
        sides[draw(st.integers(0, len(sides) - 1))] = -1
    return tuple(sides)


@given(data=st.data())
def test_reshape(data):
    shape = data.draw(shapes(max_dims=4), label="shape")
    target = data.draw(reshape_targets(shape), label="target")
    x = data.draw(arrays(shape), label="x")
    packed = data.draw(st.booleans(), label="as one tuple")
    fn = (lambda t: t.reshape(target)) if packed else (lambda t: t.reshape(*target))
    check_against_numpy(fn, lambda a: a.reshape(target), x, data=data)


@given(data=st.data())
def test_permute_transpose_and_T(data):
    """permute and NumPy's transpose(axes=) reorder all axes; transpose(d0, d1) swaps two
    (PyTorch); .T reverses them."""
    shape = data.draw(shapes(max_dims=4), label="shape")
    perm = tuple(data.draw(st.permutations(range(len(shape))), label="axes"))
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(lambda t: t.permute(*perm), lambda a: a.transpose(perm), x, data=data)
    check_against_numpy(lambda t: t.permute(perm), lambda a: a.transpose(perm), x, data=data)
    check_against_numpy(lambda t: t.transpose(axes=perm), lambda a: a.transpose(perm), x, data=data)
    check_against_numpy(lambda t: t.T, lambda a: a.T, x, data=data)
    if len(shape) >= 1:
        d0 = data.draw(st.integers(-len(shape), len(shape) - 1), label="d0")
        d1 = data.draw(st.integers(-len(shape), len(shape) - 1), label="d1")
        check_against_numpy(
            lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1), x, data=data
        )


@given(data=st.data())
def test_swapaxes(data):
    shape = data.draw(shapes(min_dims=1, max_dims=4), label="shape")
    n = len(shape)
    a, b = data.draw(st.tuples(st.integers(-n, n - 1), st.integers(-n, n - 1)), label="axes")
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(lambda t: t.swapaxes(a, b), lambda v: v.swapaxes(a, b), x, data=data)


@given(data=st.data())
def test_flatten(data):
    shape = data.draw(shapes(min_dims=1, max_dims=4), label="shape")
    n = len(shape)
    start = data.draw(st.integers(0, n - 1), label="start")
    end = data.draw(st.integers(start, n - 1), label="end")
    end -= data.draw(st.sampled_from([0, n]), label="negative end")  # end given as -k too
    merged = shape[:start] + (math.prod(shape[start : end % n + 1]),) + shape[end % n + 1 :]
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(lambda t: t.flatten(start, end), lambda v: v.reshape(merged), x, data=data)
    check_against_numpy(lambda t: t.flatten(), np.ravel, x, data=data)


def test_flatten_of_a_scalar_is_one_element():
    x = Tensor(2.5, dtype=np.float64, requires_grad=True)
    y = x.flatten()
    assert y.shape == (1,)
    y.backward(np.array([3.0]))
    assert x.grad.shape == () and x.grad.item() == 3.0


@given(data=st.data())
def test_broadcast_to_and_expand(data):
    shape = data.draw(shapes(), label="shape")
    other = data.draw(hnp.broadcastable_shapes(shape, max_side=4), label="other")
    target = np.broadcast_shapes(shape, other)
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(
        lambda t: t.broadcast_to(target), lambda v: np.broadcast_to(v, target), x, data=data
    )
    lead = len(target) - len(shape)
    keep = data.draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    with_minus_one = (
        target[:lead]
        + tuple(  # -1 keeps an axis's size (where it is kept)
            -1 if k and s == n else n for k, s, n in zip(keep, shape, target[lead:], strict=True)
        )
    )
    check_against_numpy(
        lambda t: t.expand(*with_minus_one), lambda v: np.broadcast_to(v, target), x, data=data
    )


def test_expand_gradient_sums_over_copies():
    x = Tensor([[1.0], [2.0]], dtype=np.float64, requires_grad=True)
    x.expand(3, 2, 4).backward(np.arange(24.0).reshape(3, 2, 4))
    np.testing.assert_array_equal(
        x.grad.data, np.arange(24.0).reshape(3, 2, 4).sum((0, 2))[:, None]
    )


@given(data=st.data())
def test_unsqueeze(data):
    shape = data.draw(shapes(), label="shape")
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(
        lambda t: t.unsqueeze(axis), lambda v: np.expand_dims(v, axis), x, data=data
    )


# --------------------------------------------------------------------------- indexing
@settings(max_examples=60)
@given(data=st.data())
def test_getitem_basic_indices(data):
    """ints, slices with steps, None and Ellipsis."""
    shape = data.draw(shapes(max_dims=4), label="shape")
    index = data.draw(basic_indices(shape), label="index")
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(lambda t: t[index], lambda v: v[index], x, data=data)


@settings(max_examples=60)
@given(data=st.data())
def test_getitem_integer_arrays_with_repeats(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    index = data.draw(integer_indices(shape), label="index")
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(lambda t: t[index], lambda v: v[index], x, data=data)
    # the same index as a Tensor of integers, and a single index as a list
    as_tensors = tuple(Tensor(i) for i in index)
    np.testing.assert_array_equal(Tensor(x)[as_tensors].data, x[index])
    first = index[0].ravel().tolist()
    check_against_numpy(lambda t: t[first], lambda v: v[first], x, data=data)


@given(data=st.data())
def test_getitem_mixed_slices_and_integer_arrays(data):
    """x[:, i], x[..., i] and x[1:, i] with an integer array i (repeats likely)."""
    shape = data.draw(shapes(min_dims=2), label="shape")
    idx_shape = data.draw(shapes(min_dims=1, max_dims=2), label="index shape")

    def draw_index(n):
        return data.draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(-n, n - 1)))

    x = data.draw(arrays(shape), label="x")
    i1, last = draw_index(shape[1]), draw_index(shape[-1])
    check_against_numpy(lambda t: t[:, i1], lambda v: v[:, i1], x, data=data)
    check_against_numpy(lambda t: t[..., last], lambda v: v[..., last], x, data=data)
    check_against_numpy(lambda t: t[1:, i1], lambda v: v[1:, i1], x, data=data)


@given(data=st.data())
def test_getitem_boolean_masks(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    mask = data.draw(bool_masks(shape), label="mask")
    x = data.draw(arrays(shape), label="x")
    check_against_numpy(lambda t: t[mask], lambda v: v[mask], x, data=data)
    check_against_numpy(lambda t: t[Tensor(mask)], lambda v: v[mask], x, data=data)


def test_an_integer_is_applied_before_array_indices_as_pytorch():
    # PyTorch selects with an integer first: x[0, :, [1, 2]] is x[0][:, [1, 2]], shape
    # (3, 2); NumPy counts the integer among the array indices and puts them first (2, 3)
    x_np = np.arange(24.0).reshape(2, 3, 4)
    x = Tensor(x_np, requires_grad=True)
    y = x[0, :, [1, 2]]
    assert y.shape == (3, 2)
    np.testing.assert_array_equal(y.data, x_np[0][:, [1, 2]])
    g = np.arange(6.0).reshape(3, 2)
    y.backward(g)
    expected = np.zeros((2, 3, 4))
    expected[0][:, [1, 2]] = g
    np.testing.assert_array_equal(x.grad.data, expected)
    v = np.arange(120.0).reshape(2, 3, 4, 5)
    mask = np.array([True, False, True, False])
    for t_index, equivalent in [
        (lambda t: t[:, 0, :, [1, 2]], lambda a: a[:, 0][:, :, [1, 2]]),  # (2, 4, 2)
        (lambda t: t[..., 0, [1, 2]], lambda a: a[:, :, 0][..., [1, 2]]),
        (lambda t: t[1, :, mask], lambda a: a[1][:, mask]),
        (lambda t: t[None, 0, :, [1, 2]], lambda a: a[None, 0][:, :, [1, 2]]),
        (lambda t: t[0, [1, 2], :, [0, 1]], lambda a: a[0][[1, 2], :, [0, 1]]),  # apart: first
        (lambda t: t[0, [1, 2]], lambda a: a[0, [1, 2]]),  # NumPy agrees: adjacent
    ]:
        np.testing.assert_array_equal(t_index(Tensor(v)).data, equivalent(v))
    check_grads(lambda t: t[1, :, [0, 2, 0]] * t[:, 0, [1, 1]].sum(), [x_np])


def test_repeated_indices_accumulate():
    x = Tensor([10.0, 20.0, 30.0], dtype=np.float64, requires_grad=True)
    x[np.array([0, 2, 0, 0, -1])].backward(np.array([1.0, 2.0, 4.0, 8.0, 16.0]))
    np.testing.assert_array_equal(x.grad.data, [13.0, 0.0, 18.0])
    m = Tensor(np.zeros((2, 3)), dtype=np.float64, requires_grad=True)
    m[np.array([1, 1]), np.array([2, -1])].backward(np.array([0.5, 0.25]))
    np.testing.assert_array_equal(m.grad.data, [[0, 0, 0], [0, 0, 0.75]])


def test_index_out_of_range_raises_index_error():
    with pytest.raises(IndexError):
        Tensor([1.0, 2.0])[5]


# --------------------------------------------------------------------------- joining
@given(data=st.data())
def test_concatenate(data):
    case = data.draw(concat_cases(), label="case")
    parts = [data.draw(arrays(s), label="part") for s in case.shapes]
    expected = np.concatenate(parts, axis=case.axis)

    def fn(*ts):
        return tg.concatenate(list(ts), axis=case.axis)

    out = fn(*(Tensor(p, dtype=np.float64) for p in parts))
    np.testing.assert_array_equal(out.data, expected)
    grads = check_grads(fn, parts, data.draw(upstream_grads(expected.shape), label="g"))
    assert [g.shape for g in grads] == [p.shape for p in parts]


@given(data=st.data())
def test_concatenate_with_a_numpy_constant(data):
    case = data.draw(concat_cases(min_parts=2, max_parts=2), label="case")
    a = data.draw(arrays(case.shapes[0]), label="a")
    const = data.draw(arrays(case.shapes[1]), label="constant")
    expected = np.concatenate([a, const], axis=case.axis)
    check_grads(
        lambda t: tg.concatenate([t, const], case.axis),
        [a],
        data.draw(upstream_grads(expected.shape), label="g"),
    )


@given(data=st.data())
def test_stack(data):
    shape = data.draw(shapes(), label="shape")
    n = data.draw(st.integers(1, 3), label="n")
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    parts = [data.draw(arrays(shape), label="part") for _ in range(n)]
    expected = np.stack(parts, axis=axis)

    def fn(*ts):
        return tg.stack(list(ts), axis=axis)

    out = fn(*(Tensor(p, dtype=np.float64) for p in parts))
    np.testing.assert_array_equal(out.data, expected)
    check_grads(fn, parts, data.draw(upstream_grads(expected.shape), label="g"))


def test_joining_errors_name_the_problem():
    with pytest.raises(ValueError, match="at least one"):
        tg.concatenate([])
    with pytest.raises(ValueError, match="at least one"):
        tg.stack([])
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        tg.stack([Tensor([1.0, 2.0]), Tensor([1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(3,\)"):
        tg.concatenate([Tensor(np.ones((2, 2))), Tensor(np.ones(3))])
