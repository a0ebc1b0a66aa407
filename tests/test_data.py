"""tinygrad_mlp.data: the toy data sets and the DataLoader."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp.data import DataLoader, circles, moons, spirals, xor
from tinygrad_mlp.random import manual_seed

MAKERS = {
    "moons": (moons, 2),
    "circles": (circles, 2),
    "spirals": (spirals, 3),
}


def wrap(angle):
    """Angles folded into [-pi, pi)."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


# ---------------------------------------------------------------------------------------------
# xor


def test_xor_rows_labels_order_and_dtypes():
    X, y = xor()
    np.testing.assert_array_equal(X, [[0, 0], [1, 0], [1, 1], [0, 1]])
    np.testing.assert_array_equal(y, [0, 1, 0, 1])
    assert X.dtype == np.float32 and X.shape == (4, 2)
    assert y.dtype == np.int64 and y.shape == (4,)
    np.testing.assert_array_equal(y, X[:, 0].astype(int) ^ X[:, 1].astype(int))


def test_xor_returns_fresh_arrays():
    X, y = xor()
    X[0, 0] = 5
    y[0] = 9
    X2, y2 = xor()
    assert X2[0, 0] == 0 and y2[0] == 0


# ---------------------------------------------------------------------------------------------
# Shared properties of the random data sets


@pytest.mark.parametrize("name", MAKERS)
@given(n=st.integers(1, 80))
def test_shapes_dtypes_and_balanced_labels(name, n):
    make, classes = MAKERS[name]
    manual_seed(0)
    X, y = make(n)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()


@given(n=st.integers(1, 60), classes=st.integers(2, 7))
def test_spirals_balances_any_number_of_classes(n, classes):
    manual_seed(0)
    _, y = spirals(n, classes=classes)
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", MAKERS)
def test_manual_seed_reproduces_and_different_seeds_differ(name):
    make, _ = MAKERS[name]
    manual_seed(7)
    X1, y1 = make()
    X2, y2 = make()  # the generator moved on: a new draw
    manual_seed(7)
    X3, y3 = make()
    manual_seed(8)
    X4, _ = make()
    np.testing.assert_array_equal(X1, X3)
    np.testing.assert_array_equal(y1, y3)
    assert not np.array_equal(X1, X2)
    assert not np.array_equal(X1, X4)


@pytest.mark.parametrize("name", MAKERS)
def test_numpy_global_seed_has_no_effect(name):
    make, _ = MAKERS[name]
    np.random.seed(0)
    manual_seed(3)
    X1, y1 = make()
    np.random.seed(1)
    manual_seed(3)
    X2, y2 = make()
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", MAKERS)
def test_rows_come_in_random_order(name):
    make, _ = MAKERS[name]
    manual_seed(1)
    _, y = make(200)
    assert (np.diff(y) != 0).sum() > 20  # far from the blocks of a class-by-class layout


# ---------------------------------------------------------------------------------------------
# Geometry


def test_moons_without_noise_lie_on_two_half_circles():
    manual_seed(0)
    X, y = moons(101, noise=0.0)
    upper, lower = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()
    # both arcs are covered end to end
    assert upper[:, 0].min() == pytest.approx(-1, abs=1e-6)
    assert upper[:, 0].max() == pytest.approx(1, abs=1e-6)
    assert lower[:, 0].min() == pytest.approx(0, abs=1e-6)
    assert lower[:, 0].max() == pytest.approx(2, abs=1e-6)


@pytest.mark.parametrize("noise", [0.05, 0.2])
def test_moons_noise_has_the_requested_spread(noise):
    manual_seed(2)
    X, y = moons(6000, noise=noise)
    X = X.astype(np.float64)
    centres = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    radial = np.hypot(*(X - centres).T) - 1
    assert abs(radial.mean()) < 0.1 * noise + 0.01
    assert radial.std() == pytest.approx(noise, rel=0.15)


@pytest.mark.parametrize("factor", [0.0, 0.3, 0.5, 0.9])
def test_circles_without_noise_have_radii_one_and_factor(factor):
    manual_seed(0)
    X, y = circles(50, noise=0.0, factor=factor)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], factor, atol=1e-6)


def test_circles_with_noise_have_radii_around_one_and_factor():
    manual_seed(4)
    X, y = circles(4000, noise=0.05, factor=0.4)
    radius = np.hypot(X[:, 0], X[:, 1]).astype(np.float64)
    assert radius[y == 0].mean() == pytest.approx(1.0, abs=0.01)
    assert radius[y == 1].mean() == pytest.approx(0.4, abs=0.01)
    assert radius[y == 0].std() == pytest.approx(0.05, rel=0.15)
    # the classes stay separable by radius at this noise level
    assert radius[y == 0].min() > radius[y == 1].max()


def test_circles_points_go_all_the_way_round():
    manual_seed(0)
    X, y = circles(200, noise=0.0)
    for label in (0, 1):
        angles = np.sort(np.arctan2(X[y == label, 1], X[y == label, 0]))
        gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
        assert gaps.max() < 2 * np.pi / 100 + 1e-5


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_spirals_without_noise_follow_their_arms(classes):
    manual_seed(0)
    X, y = spirals(60 * classes, classes=classes, noise=0.0)
    X = X.astype(np.float64)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == pytest.approx(0.1, abs=1e-6)
    assert r.max() == pytest.approx(1.0, abs=1e-6)
    expected = 2 * np.pi * y / classes + 2 * np.pi * r
    np.testing.assert_allclose(wrap(np.arctan2(X[:, 1], X[:, 0]) - expected), 0, atol=1e-5)


def test_spirals_noise_is_gaussian_in_the_angle():
    manual_seed(5)
    X, y = spirals(6000, classes=3, noise=0.2)
    X = X.astype(np.float64)
    r = np.hypot(X[:, 0], X[:, 1])
    # angular noise leaves the radius alone
    assert r.min() >= 0.1 - 1e-6 and r.max() <= 1 + 1e-6
    expected = 2 * np.pi * y / 3 + 2 * np.pi * r
    residual = wrap(np.arctan2(X[:, 1], X[:, 0]) - expected)
    assert abs(residual.mean()) < 0.02
    assert residual.std() == pytest.approx(0.2, rel=0.1)


# ---------------------------------------------------------------------------------------------
# Argument checks


@pytest.mark.parametrize(
    ("call", "name", "value"),
    [
        (lambda: moons(0), "n", 0),
        (lambda: moons(-3), "n", -3),
        (lambda: circles(n=0), "n", 0),
        (lambda: spirals(0), "n", 0),
        (lambda: moons(10, noise=-0.1), "noise", -0.1),
        (lambda: circles(10, noise=-1), "noise", -1),
        (lambda: spirals(10, noise=-0.5), "noise", -0.5),
        (lambda: moons(10, noise=math.nan), "noise", math.nan),
        (lambda: circles(10, noise=math.inf), "noise", math.inf),
        (lambda: spirals(10, classes=1), "classes", 1),
        (lambda: spirals(10, classes=0), "classes", 0),
        (lambda: circles(10, factor=1.0), "factor", 1.0),
        (lambda: circles(10, factor=-0.2), "factor", -0.2),
    ],
)
def test_bad_arguments_raise_value_error_naming_argument_and_value(call, name, value):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert message.startswith(f"{name} ")
    assert repr(value) in message


@pytest.mark.parametrize(
    "call",
    [lambda: moons(2.5), lambda: moons(True), lambda: spirals(10, classes=3.0)],
)
def test_non_integer_counts_raise_type_error(call):
    with pytest.raises(TypeError, match="integer"):
        call()


def test_numpy_integers_are_accepted_as_counts():
    manual_seed(0)
    X, y = spirals(np.int64(9), classes=np.int32(3))
    assert X.shape == (9, 2) and np.bincount(y).tolist() == [3, 3, 3]


# ---------------------------------------------------------------------------------------------
# DataLoader


def numbered(n, width=2):
    """X whose row i is all i (as floats), and y = i: every row can be traced."""
    X = np.repeat(np.arange(n, dtype=np.float64)[:, None], width, axis=1)
    return X, np.arange(n, dtype=np.int64)


def epoch_rows(loader):
    """The row numbers one epoch yields, batch by batch."""
    batches = []
    for xb, yb in loader:
        rows = xb.numpy()[:, 0].astype(np.int64)
        np.testing.assert_array_equal(rows, yb.numpy())  # X and y stay aligned
        batches.append(rows)
    return batches


@given(
    n=st.integers(0, 60),
    batch_size=st.integers(1, 25),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
)
def test_loader_batches_cover_rows_as_promised(n, batch_size, shuffle, drop_last):
    manual_seed(0)
    loader = DataLoader(*numbered(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = epoch_rows(loader)
    assert len(batches) == len(loader)
    sizes = [len(b) for b in batches]
    rows = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    assert len(set(rows.tolist())) == len(rows)  # no row twice
    if drop_last:
        assert len(loader) == n // batch_size
        assert all(size == batch_size for size in sizes)
    else:
        assert len(loader) == math.ceil(n / batch_size)
        assert sorted(rows.tolist()) == list(range(n))  # every row exactly once
        assert all(size == batch_size for size in sizes[:-1])
        if sizes:
            assert sizes[-1] == n - batch_size * (len(sizes) - 1)
    if not shuffle:
        assert rows.tolist() == list(range(len(rows)))


def test_drop_last_drops_only_the_partial_batch():
    loader = DataLoader(*numbered(10), batch_size=4, shuffle=False, drop_last=True)
    assert [b.tolist() for b in epoch_rows(loader)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    keep = DataLoader(*numbered(10), batch_size=4, shuffle=False)
    assert [len(b) for b in epoch_rows(keep)] == [4, 4, 2]
    assert len(keep) == 3 and len(loader) == 2


def test_each_epoch_is_a_new_shuffle_and_manual_seed_reproduces_them():
    loader = DataLoader(*numbered(100), batch_size=16)
    manual_seed(11)
    first = np.concatenate(epoch_rows(loader))
    second = np.concatenate(epoch_rows(loader))
    manual_seed(11)
    again = np.concatenate(epoch_rows(loader))
    manual_seed(12)
    other = np.concatenate(epoch_rows(loader))
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(100))
    assert first.tolist() != list(range(100))
    assert first.tolist() != second.tolist()
    np.testing.assert_array_equal(first, again)
    assert first.tolist() != other.tolist()


def test_the_shuffle_is_drawn_when_the_epoch_starts():
    loader = DataLoader(*numbered(50), batch_size=8)
    manual_seed(3)
    expected = np.concatenate(epoch_rows(loader))
    manual_seed(3)
    batches = iter(loader)
    manual_seed(999)  # reseeding after iter() must not change this epoch
    rows = np.concatenate([xb.numpy()[:, 0] for xb, _ in batches]).astype(np.int64)
    np.testing.assert_array_equal(rows, expected)


def test_loader_yields_tensors_with_the_promised_dtypes():
    from tinygrad_mlp.tensor import Tensor

    X = np.random.default_rng(0).standard_normal((10, 3))  # float64
    y = np.arange(10, dtype=np.int64) % 3
    xb, yb = next(iter(DataLoader(X, y, batch_size=4, shuffle=False)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert xb.dtype == np.float32 and xb.shape == (4, 3)
    assert yb.dtype == np.int64 and yb.shape == (4,)
    np.testing.assert_array_equal(xb.numpy(), X[:4].astype(np.float32))
    assert not xb.requires_grad


def test_float_targets_become_float32_and_dtype_can_ask_for_float64():
    X = np.linspace(0, 1, 6, dtype=np.float16).reshape(3, 2)
    y = np.array([0.5, 1.5, 2.5])
    xb, yb = next(iter(DataLoader(X, y, batch_size=3, shuffle=False)))
    assert xb.dtype == np.float32 and yb.dtype == np.float32
    xb64, yb64 = next(iter(DataLoader(X, y, batch_size=3, shuffle=False, dtype=np.float64)))
    assert xb64.dtype == np.float64 and yb64.dtype == np.float64
    with pytest.raises(ValueError, match="floating"):
        DataLoader(X, y, dtype=np.int32)


def test_loader_without_targets_yields_only_inputs():
    from tinygrad_mlp.tensor import Tensor

    X, _ = numbered(7)
    batches = list(DataLoader(X, None, batch_size=3, shuffle=False))
    assert all(isinstance(b, Tensor) for b in batches)
    assert [b.shape for b in batches] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in batches]), X)


def test_loader_accepts_lists_and_toy_data_sets():
    xb, yb = next(iter(DataLoader([[0, 1], [1, 0]], [1, 1], batch_size=2, shuffle=False)))
    np.testing.assert_array_equal(xb.numpy(), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(yb.numpy(), [1, 1])
    X, y = xor()
    assert len(DataLoader(X, y, batch_size=3)) == 2


def test_batches_are_copies_not_views_of_the_data():
    X, y = numbered(6)
    loader = DataLoader(X, y, batch_size=6, shuffle=False)
    xb, _ = next(iter(loader))
    xb.data[:] = -1
    np.testing.assert_array_equal(next(iter(loader))[0].numpy()[:, 0], np.arange(6))


def test_mismatched_lengths_raise_a_clear_error():
    with pytest.raises(ValueError, match=r"same number of rows.*5.*4"):
        DataLoader(np.zeros((5, 2)), np.zeros(4))


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one_is_refused(batch_size):
    with pytest.raises(ValueError, match=f"batch_size.*{batch_size}"):
        DataLoader(np.zeros((5, 2)), np.zeros(5), batch_size=batch_size)


def test_scalar_data_is_refused():
    with pytest.raises(ValueError, match="dimension"):
        DataLoader(np.float64(3.0))
