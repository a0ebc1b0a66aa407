"""Views and in-place changes, as PyTorch: a reshape, permute or slice shares its base's
memory, so an in-place change of one is a change of the other, in values and in gradients
(tinygrad_mlp/views.py)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_mlp as tg
from tinygrad_mlp.gradcheck import gradcheck

F64 = tg.float64


def leaf(values) -> tg.Tensor:
    return tg.tensor(values, dtype=F64, requires_grad=True)


def test_in_place_on_a_slice_changes_the_base_and_its_gradient():
    x = leaf([1.5, -2.0, 3.0])
    y = x * 1
    y[1:].mul_(3)  # y = [x0, 3 x1, 3 x2]
    assert np.array_equal(y.data, [1.5, -6.0, 9.0])
    (y * y).sum().backward()  # d/dx sum(y^2) = [2 x0, 18 x1, 18 x2]
    assert np.array_equal(x.grad.data, [3.0, -36.0, 54.0])


def test_in_place_on_a_transpose_changes_the_base():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    h = x * 1
    h.t().mul_(2)
    assert np.array_equal(h.data, [[2.0, 4.0], [6.0, 8.0]])
    h.sum().backward()
    assert np.array_equal(x.grad.data, np.full((2, 2), 2.0))


def test_chained_index_assignment_writes_into_the_base():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    y[0][1] = 7.0  # y[0] is a view of y: the write reaches y
    assert np.array_equal(y.data, [[1.0, 7.0], [3.0, 4.0]])
    y.sum().backward()  # the overwritten entry no longer depends on x
    assert np.array_equal(x.grad.data, [[1.0, 0.0], [1.0, 1.0]])


def test_a_view_follows_a_recorded_change_of_its_base():
    x = leaf([1.5, -2.0, 3.0])
    a = x * 1
    b = a[0:1]
    c = a.reshape(3, 1)
    a.mul_(5)
    assert np.array_equal(b.data, [7.5])
    assert np.array_equal(c.data[:, 0], [7.5, -10.0, 15.0])
    (b.sum() + c.sum()).backward()  # b = 5 x0, sum(c) = 5 sum(x)
    assert np.array_equal(x.grad.data, [10.0, 5.0, 5.0])


def test_a_view_of_a_view_follows_both():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    row = y[1]
    cell = row[0:1]
    cell.add_(10)  # changes row, and so y
    assert np.array_equal(y.data, [[1.0, 2.0], [13.0, 4.0]])
    assert np.array_equal(row.data, [13.0, 4.0])
    (y * y).sum().backward()
    assert np.array_equal(x.grad.data, [[2.0, 4.0], [26.0, 8.0]])


def test_a_write_through_a_view_under_no_grad_counts_as_a_change_of_the_base():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    z = y * y  # saves y's values
    with tg.no_grad():
        y[0:1].mul_(5)
    assert np.array_equal(y.data, [5.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_a_view_of_a_leaf_that_requires_grad_refuses_a_recorded_change():
    w = leaf([1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w[0:1].mul_(2)
    with tg.no_grad():
        w[0:1].mul_(2)
    assert np.array_equal(w.data, [2.0, 1.0, 1.0]) and w.is_leaf and w.grad_fn is None


def test_an_expanded_view_refuses_an_in_place_change():
    x = leaf([1.0, 2.0])
    e = (x * 1).expand(3, 2)
    with pytest.raises(RuntimeError, match="more than one element"):
        e.mul_(2)


def test_an_advanced_index_is_a_copy():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    picked = y[[0, 2]]
    picked.mul_(10)
    assert np.array_equal(y.data, [1.0, 2.0, 3.0])
    assert np.array_equal(picked.data, [10.0, 30.0])


def test_gradients_through_views_changed_in_place_agree_with_finite_differences():
    def f(x):
        y = x * 1
        y[1:].mul_(x[:2])  # rows: x0, x1 * x0, x2 * x1
        y.t()[0:1].add_(y.t()[1:2])  # column 0 += column 1
        return (y * y).sum(1)

    x = leaf(np.random.default_rng(0).standard_normal((3, 2)))
    assert gradcheck(f, (x,))


def test_an_element_taken_with_integers_behaves_as_a_view():
    # NumPy copies x[0] of a vector out; PyTorch's x[0] is a view, so an in-place change of
    # it changes x (a counter: counts[label].add_(1)), and it follows a change of x
    counts = tg.zeros(4, dtype=tg.int64)
    for label in [1, 3, 1, 1]:
        counts[label].add_(1)
    assert counts.tolist() == [0, 3, 0, 1]
    m = tg.zeros(2, 2)
    m[1][0].fill_(7)
    assert m.tolist() == [[0.0, 0.0], [7.0, 0.0]]
    e = m[1, 0]
    m.mul_(2)
    assert e.item() == 14.0
    x = leaf([1.5, -2.0, 3.0])
    y = x * 1
    y[0].mul_(2)  # recorded: y = [2 x0, x1, x2]
    (y * y).sum().backward()
    assert np.array_equal(x.grad.data, [12.0, -4.0, 6.0])


def test_a_recorded_change_of_a_view_of_a_tensor_outside_the_graph_is_refused():
    # the base does not require grad, so it keeps no way back from its views: the change
    # would make the view require grad and leave the base behind, silently
    y = tg.zeros(3)
    w = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"copy_: the tensor shares its values"):
        y[1:].copy_(w)
    y[1:] = w  # on the tensor itself: recorded
    assert y.tolist() == [0.0, 1.0, 1.0] and y.grad_fn is not None
    y[1:].mul_(2)  # y now requires grad: its views write through
    assert y.tolist() == [0.0, 2.0, 2.0]
