"""Hypothesis strategies shared by the whole test suite.

Shapes come from `hypothesis.extra.numpy` so that ranks differ, axes of size 1 and 0-d
scalars appear, and (where asked for) empty axes too. Arrays are float64 by default, drawn
inside bounds and pushed off the points where an op has a kink or a bad domain, so that
central differences are meaningful. Upstream gradients are random, distinct, never zero
and never all ones, so a wrong rule cannot pass by luck.

Typical use::

    @given(data=st.data())
    def test_something(data):
        shape = data.draw(shapes())
        x = data.draw(arrays(shape, lo=0.5, hi=3.0))
        g = data.draw(upstream_grads(out_shape))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "ConcatCase",
    "arrays",
    "axes",
    "axis_and_keepdims",
    "basic_indices",
    "bool_masks",
    "broadcastable_shapes",
    "concat_cases",
    "distinct_arrays",
    "integer_indices",
    "matmul_shapes",
    "push_off",
    "separated_pair",
    "shapes",
    "upstream_grads",
]


# --------------------------------------------------------------------------- shapes
def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes; 0-d scalars and size-1 axes included. `min_side=0` allows empty axes."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(
    num_shapes: int = 2,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """`num_shapes` shapes that broadcast together, of possibly different ranks, e.g.
    ((4,), (3, 4)) or ((2, 1, 3), (1, 3), ())."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda b: b.input_shapes)


def matmul_shapes(max_batch_dims: int = 2, max_side: int = 4) -> st.SearchStrategy[tuple]:
    """Shapes (a, b) that `np.matmul` accepts: 1-D vectors, matrices, and stacks of
    matrices whose batch axes broadcast (possibly of different ranks)."""
    return hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, max_dims=max_batch_dims, max_side=max_side
    ).map(lambda b: b.input_shapes)


def axes(ndim: int) -> st.SearchStrategy[Any]:
    """An `axis` argument for a reduction over an array of `ndim` dimensions: None, an int
    or a tuple of distinct ints (negative ones included)."""
    if ndim == 0:
        return st.none()
    return st.one_of(
        st.none(),
        st.integers(-ndim, ndim - 1),
        hnp.valid_tuple_axes(ndim, min_size=1),
    )


def axis_and_keepdims(ndim: int) -> st.SearchStrategy[tuple[Any, bool]]:
    """(axis, keepdims) for a reduction over `ndim` dimensions."""
    return st.tuples(axes(ndim), st.booleans())


# --------------------------------------------------------------------------- arrays
def push_off(value: float, avoid: Sequence[float], margin: float) -> float:
    """Move `value` at least `margin` away from every point of `avoid` (to the side it was
    on). The avoided points must be further than 2 * margin apart."""
    for k in avoid:
        if abs(value - k) < margin:
            value = k + margin if value >= k else k - margin
    return value


def _floats(lo: float, hi: float, width: int = 64) -> st.SearchStrategy[float]:
    return st.floats(
        lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=width
    )


def arrays(
    shape: tuple[int, ...],
    lo: float = -3.0,
    hi: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.05,
    dtype: Any = np.float64,
) -> st.SearchStrategy[np.ndarray]:
    """Floating arrays of `shape` with values in [lo, hi] (approximately, after pushing),
    kept at least `margin` away from each point in `avoid` (kinks such as 0 for relu/abs,
    the bounds of clip). Every element is drawn: there is no fill value, so arrays are not
    mostly one repeated number."""
    width = np.dtype(dtype).itemsize * 8
    elements = _floats(lo, hi, width)
    if avoid:
        avoid = tuple(avoid)
        elements = elements.map(lambda v: push_off(v, avoid, margin))
        if width == 32:
            elements = elements.map(lambda v: float(np.float32(v)))
    return hnp.arrays(dtype, shape, elements=elements, fill=st.nothing())


@st.composite
def distinct_arrays(draw: st.DrawFn, shape: tuple[int, ...], spacing: float = 0.5) -> np.ndarray:
    """float64 arrays whose elements all differ by at least `spacing / 2`: no ties, so the
    gradient of max/min (and sorting-like ops) is well defined and central differences
    agree with it. Values are a random permutation of a grid, jittered."""
    size = math.prod(shape)
    order = np.array(draw(st.permutations(range(size))), dtype=np.float64)
    jitter = draw(arrays((size,), lo=-spacing / 4, hi=spacing / 4))
    centre = (size - 1) / 2
    return ((order - centre) * spacing + jitter).reshape(shape)


@st.composite
def separated_pair(
    draw: st.DrawFn, shape_a: tuple[int, ...], shape_b: tuple[int, ...], gap: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Two float64 arrays (shapes broadcast together) whose broadcast elements differ by
    at least `gap` everywhere: `a` lies on even grid lines, `b` on odd ones, each jittered.
    For maximum/minimum, where ties are kinks."""
    half = 0.5 - gap / 2  # the jitter keeps each value within `half` of its grid line

    def lattice(shape: tuple[int, ...], odd: int) -> np.ndarray:
        ints = draw(hnp.arrays(np.int64, shape, elements=st.integers(-2, 2), fill=st.nothing()))
        jitter = draw(arrays(shape, lo=-half, hi=half))
        return 2.0 * ints + odd + jitter

    return lattice(shape_a, 0), lattice(shape_b, 1)


def upstream_grads(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """A random float64 upstream gradient d loss / d out of `shape`: magnitudes uniform in
    [0.25, 2] with random signs, so never zero anywhere, never all ones, and (almost surely)
    all distinct. Hypothesis draws the seed; NumPy draws the values, which is much faster
    than drawing every element through hypothesis."""
    return st.integers(0, 2**32 - 1).map(lambda seed: _random_grad(shape, seed))


def _random_grad(shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(0.25, 2.0, size=shape)
    g = np.where(rng.random(size=shape) < 0.5, -magnitude, magnitude)
    if g.size == 1 and g.flat[0] == 1.0:  # a single element: keep "never all ones" strict
        g = g * 1.5
    return g


# --------------------------------------------------------------------------- indexing
def basic_indices(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Indices made of ints, slices (with steps), None and Ellipsis, valid for `shape`."""
    return hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True)


def integer_indices(shape: tuple[int, ...]) -> st.SearchStrategy[tuple]:
    """Advanced indices of integer arrays (negatives and repeated positions likely), one
    array per leading axis: `x[i]`, `x[i, j]`, ... `shape` needs ndim >= 1 and no empty axis."""
    return hnp.integer_array_indices(
        shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)
    )


@st.composite
def bool_masks(draw: st.DrawFn, shape: tuple[int, ...]) -> np.ndarray:
    """A boolean mask over the leading axes of `shape` (all of them, or fewer)."""
    k = draw(st.integers(min(1, len(shape)), len(shape)))
    return draw(hnp.arrays(np.bool_, shape[:k]))


class ConcatCase(NamedTuple):
    shapes: tuple[tuple[int, ...], ...]
    axis: int


@st.composite
def concat_cases(
    draw: st.DrawFn, min_parts: int = 1, max_parts: int = 3, min_side: int = 0
) -> ConcatCase:
    """Shapes that `np.concatenate` joins along `axis` (negative axes too): equal except
    along that axis, where each part may have its own size (0 allowed by default)."""
    base = draw(shapes(min_dims=1, max_dims=3, max_side=3))
    axis = draw(st.integers(-len(base), len(base) - 1))
    n = draw(st.integers(min_parts, max_parts))
    sizes = draw(st.lists(st.integers(min_side, 3), min_size=n, max_size=n))
    parts = []
    for s in sizes:
        shape = list(base)
        shape[axis] = s
        parts.append(tuple(shape))
    return ConcatCase(tuple(parts), axis)
