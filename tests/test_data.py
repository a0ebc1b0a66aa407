"""tinygrad_mlp.data: the toy data sets, Dataset, TensorDataset, default_collate and the
DataLoader in both of its forms (PyTorch's over a Dataset, and arrays X, y)."""

import math
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor
from tinygrad_mlp.data import (
    DataLoader,
    Dataset,
    TensorDataset,
    circles,
    default_collate,
    moons,
    spirals,
    xor,
)
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
    batches = list(DataLoader(X, y=None, batch_size=3, shuffle=False))
    assert all(isinstance(b, Tensor) for b in batches)
    assert [b.shape for b in batches] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in batches]), X)
    assert batches[0].dtype == np.float32  # the shortcut's dtype rule
    # torch reads a second argument None as batch_size=None: so the old spelling is refused
    with pytest.raises(TypeError, match="write y=None"):
        DataLoader(X, None, batch_size=3)


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


def test_a_whole_number_second_argument_is_the_batch_size_as_in_torch():
    """torch.utils.data.DataLoader(X, 2): X is the data set (its rows are the samples) and 2
    the batch size; rows come in order (shuffle=False) and keep their dtype (float64)."""
    X, _ = numbered(5)
    batches = list(DataLoader(X, 2))
    assert [b.shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    assert [b.numpy()[:, 0].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert all(b.dtype == np.float64 for b in batches)


def test_a_ragged_list_says_what_to_write_instead():
    samples = [(np.zeros(2), 0), (np.ones(2), 1)]
    with pytest.raises(ValueError, match="TensorDataset"):
        DataLoader(samples, [0, 1])


# ---------------------------------------------------------------------------------------------
# Dataset and TensorDataset


class Squares(Dataset):
    """Sample i is (float64 array [i, i*i], int label i % 3)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float64), i % 3

    def __len__(self):
        return self.n


class Wrapped(Dataset):
    """Any data set behind a plain __getitem__ (so the loader cannot take shortcuts)."""

    def __init__(self, inner):
        self.inner = inner

    def __getitem__(self, i):
        return self.inner[i]

    def __len__(self):
        return len(self.inner)


def test_dataset_base_says_what_to_define():
    class Empty(Dataset):
        pass

    with pytest.raises(NotImplementedError, match="__getitem__"):
        Empty()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Empty())


def test_tensor_dataset_rows():
    X = Tensor(np.arange(12.0).reshape(6, 2), dtype=np.float64)
    y = np.arange(6) % 2  # an array is accepted and keeps its dtype
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    assert ds.tensors[0] is X  # a Tensor is kept, not copied
    assert ds.tensors[1].dtype == np.int64
    xi, yi = ds[4]
    assert isinstance(xi, Tensor) and isinstance(yi, Tensor)
    np.testing.assert_array_equal(xi.numpy(), [8.0, 9.0])
    assert yi.item() == 0


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((np.zeros((5, 2)), np.zeros(4)), ValueError, r"first dimension.*\[5, 4\]"),
        ((np.zeros((5, 2)), [1, 2, 3, 4, 5]), TypeError, "argument 1 is a list"),
        ((np.float64(1.0),), TypeError, "float64"),
        ((Tensor(3.0),), ValueError, "0-dimensional"),
        ((), ValueError, "at least one"),
        ((np.array(["a", "b"]),), TypeError, "dtype <U1"),
    ],
)
def test_tensor_dataset_refuses_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        TensorDataset(*args)


# ---------------------------------------------------------------------------------------------
# default_collate


def test_collate_tensors_arrays_and_numbers():
    batch = default_collate(
        [(Tensor([1.0, 2.0]), 1, 0.5, True), (Tensor([3.0, 4.0]), 2, 1.5, False)]
    )
    assert isinstance(batch, list) and len(batch) == 4  # torch collates a tuple into a list
    x, i, f, b = batch
    np.testing.assert_array_equal(x.numpy(), [[1, 2], [3, 4]])
    assert x.dtype == np.float32 and not x.requires_grad
    assert i.dtype == np.int64 and i.tolist() == [1, 2]
    assert f.dtype == np.float64 and f.tolist() == [0.5, 1.5]  # as torch: floats are float64
    assert b.dtype == np.bool_ and b.tolist() == [True, False]
    arrays = default_collate([np.zeros((2, 3), np.float16), np.ones((2, 3), np.float16)])
    assert arrays.shape == (2, 2, 3) and arrays.dtype == np.float16
    scalars = default_collate([np.int32(3), np.int32(4)])
    assert scalars.dtype == np.int32 and scalars.tolist() == [3, 4]


def test_collate_dicts_lists_named_tuples_and_strings():
    Pair = namedtuple("Pair", "x y")
    batch = default_collate([{"x": np.zeros(2), "name": "a"}, {"x": np.ones(2), "name": "b"}])
    assert batch["name"] == ["a", "b"] and batch["x"].shape == (2, 2)
    lists = default_collate([[1, 2.0], [3, 4.0]])
    assert (
        isinstance(lists, list) and lists[0].tolist() == [1, 3] and lists[1].tolist() == [2.0, 4.0]
    )
    pairs = default_collate([Pair(1, 2.0), Pair(3, 4.0)])
    assert isinstance(pairs, Pair) and pairs.x.tolist() == [1, 3]


def test_collate_keeps_the_graph_of_samples_that_require_grad():
    w = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True, dtype=np.float64)
    loader = DataLoader(TensorDataset(w), batch_size=2)
    (first,) = next(iter(loader))
    assert first.requires_grad
    (first * first).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 2], [4, 6], [0, 0]])


@pytest.mark.parametrize(
    "batch, error, message",
    [
        (
            [np.zeros(2), np.zeros(3)],
            ValueError,
            r"equal size.*\(2,\) at entry 0 and \(3,\) at entry 1",
        ),
        ([(1, 2), (1,)], ValueError, "equal size"),
        ([object(), object()], TypeError, "found object"),
        ([Tensor([1.0]), np.ones(1)], TypeError, "sample 1"),
        ([{"a": 1}, {"b": 1}], ValueError, "same keys"),
        ([], ValueError, "at least one"),
    ],
)
def test_collate_refuses_what_it_cannot_batch(batch, error, message):
    with pytest.raises(error, match=message):
        default_collate(batch)


# ---------------------------------------------------------------------------------------------
# DataLoader over a Dataset


def test_dataset_form_has_pytorchs_defaults():
    X = np.arange(10.0).reshape(5, 2)  # float64, kept as torch keeps it
    loader = DataLoader(TensorDataset(X, np.arange(5)))
    assert (loader.batch_size, loader.shuffle, loader.drop_last) == (1, False, False)
    batches = list(loader)
    assert len(batches) == len(loader) == 5
    xb, yb = batches[3]
    assert xb.shape == (1, 2) and xb.dtype == np.float64 and yb.tolist() == [3]


def test_a_dataset_used_to_reach_numpy_and_now_batches():
    # on the old loader this failed inside NumPy ("inhomogeneous shape")
    loader = DataLoader(Squares(7), batch_size=3)
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.numpy(), [[0, 0], [1, 1], [2, 4]])
    assert yb.dtype == np.int64 and yb.tolist() == [0, 1, 2]
    assert [len(b[1].tolist()) for b in loader] == [3, 3, 1]


@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 15),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    wrapped=st.booleans(),
)
def test_dataset_form_batches_cover_rows_as_promised(n, batch_size, shuffle, drop_last, wrapped):
    X, y = numbered(n)
    ds = TensorDataset(X, y)
    manual_seed(0)
    loader = DataLoader(Wrapped(ds) if wrapped else ds, batch_size, shuffle, drop_last)
    batches = epoch_rows(loader) if n else list(loader)
    assert len(batches) == len(loader)
    rows = [r for b in batches for r in b.tolist()]
    if drop_last:
        assert len(loader) == n // batch_size and all(len(b) == batch_size for b in batches)
    else:
        assert sorted(rows) == list(range(n))
    if not shuffle:
        assert rows == list(range(len(rows)))


def test_the_shortcut_for_tensor_datasets_gives_what_collating_samples_gives():
    X = np.random.default_rng(0).standard_normal((23, 3)).astype(np.float32)
    y = np.arange(23) % 4
    ds = TensorDataset(X, y)
    for seed in (0, 1):
        manual_seed(seed)
        fast = list(DataLoader(ds, batch_size=5, shuffle=True))
        manual_seed(seed)
        slow = list(DataLoader(Wrapped(ds), batch_size=5, shuffle=True))
        assert len(fast) == len(slow) == 5
        for (a, b), (c, d) in zip(fast, slow):
            assert a.dtype == c.dtype and b.dtype == d.dtype
            np.testing.assert_array_equal(a.numpy(), c.numpy())
            np.testing.assert_array_equal(b.numpy(), d.numpy())


def test_dataset_form_shuffles_from_the_package_generator():
    loader = DataLoader(Squares(50), batch_size=10, shuffle=True)

    def labels_of_epoch():
        return np.concatenate([xb.numpy()[:, 0] for xb, _ in loader])

    manual_seed(5)
    first, second = labels_of_epoch(), labels_of_epoch()
    manual_seed(5)
    again = labels_of_epoch()
    assert sorted(first.tolist()) == list(range(50)) and first.tolist() != list(range(50))
    assert first.tolist() != second.tolist()
    np.testing.assert_array_equal(first, again)


def test_batches_do_not_alias_the_dataset():
    X = Tensor(np.zeros((4, 2)), dtype=np.float64)
    (xb,) = next(iter(DataLoader(TensorDataset(X), batch_size=4)))
    xb.data[:] = 7
    assert np.all(X.numpy() == 0)


def test_collate_fn_and_keyword_forms():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return len(samples)

    loader = DataLoader(dataset=Squares(5), batch_size=2, collate_fn=collate, drop_last=True)
    assert list(loader) == [2, 2] and seen == [2, 2]
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(Squares(5), collate_fn=3)


def test_a_dataset_without_the_dataset_base_works_too():
    class Plain:  # anything with __getitem__ and __len__ that is not array data
        def __getitem__(self, i):
            return float(i)

        def __len__(self):
            return 3

    (batch,) = list(DataLoader(Plain(), batch_size=3))
    assert batch.dtype == np.float64 and batch.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: DataLoader(Squares(4), num_workers=2), TypeError, "no num_workers="),
        (lambda: DataLoader(Squares(4), batch_size=2, pin_memory=True), TypeError, "pin_memory"),
        (lambda: DataLoader(Squares(4), sampler=None), TypeError, "sampler"),
        (lambda: DataLoader(Squares(4), generator=None), TypeError, "manual_seed"),
        (lambda: DataLoader(Squares(4), np.zeros(4)), TypeError, "second argument is batch_size"),
        (lambda: DataLoader(Squares(4), dtype=np.float64), TypeError, "dtype"),
        (lambda: DataLoader(Squares(4), batch_size=0), ValueError, "batch_size"),
        (lambda: DataLoader(Squares(4), shuffle="yes"), TypeError, "shuffle"),
        (lambda: DataLoader(np.zeros((4, 2)), np.zeros(4), drop_last=1), TypeError, "drop_last"),
        (
            lambda: DataLoader(np.zeros((4, 2)), np.zeros(4), collate_fn=len),
            TypeError,
            "collate_fn",
        ),
        (lambda: DataLoader(np.zeros((4, 2)), Squares(4)), TypeError, "pass it first and alone"),
        (lambda: DataLoader(), TypeError, "needs a data set"),
        (
            lambda: DataLoader(np.array(["a", "b"]), np.zeros(2)),
            TypeError,
            "numbers or booleans",
        ),
        (lambda: DataLoader(iter([1, 2])), TypeError, "__len__ and __getitem__"),
        (lambda: DataLoader([1, 2], batch_size=None, drop_last=True), ValueError, "exclusive"),
    ],
)
def test_loader_arguments_say_what_to_write_instead(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_array_form_is_a_tensor_dataset_underneath():
    X, y = numbered(5)
    loader = DataLoader(X, y, batch_size=2, shuffle=False)
    assert isinstance(loader.dataset, TensorDataset) and len(loader.dataset) == 5
    assert loader.dataset.tensors[0].dtype == np.float32  # the array form's dtype rule


def test_utils_data_reexports_the_same_objects():
    from tinygrad_mlp.utils.data import DataLoader as D
    from tinygrad_mlp.utils.data import Dataset as DS
    from tinygrad_mlp.utils.data import TensorDataset as TD

    assert D is DataLoader and DS is Dataset and TD is TensorDataset
    assert tg.utils.data.default_collate is default_collate


# ---------------------------------------------------------------------------------------------
# Plain Python data sets, and batch_size=None (torch's rules)


def test_a_list_of_samples_is_a_data_set_kept_in_order_and_collated_per_field():
    """torch: a list is a map-style data set (it has __len__ and __getitem__); shuffle is
    False by default; (float, int) samples collate into [float64 batch, int64 batch]."""
    data = [(float(i), i) for i in range(6)]
    batches = list(DataLoader(data, batch_size=4))
    assert len(batches) == 2
    (x0, y0), (x1, y1) = batches
    assert isinstance(batches[0], list)  # torch collates tuples into a list
    assert x0.dtype == np.float64 and x0.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert y0.dtype == np.int64 and y0.tolist() == [0, 1, 2, 3]
    assert x1.tolist() == [4.0, 5.0] and y1.tolist() == [4, 5]
    # a tuple of samples too, and a list of arrays: stacked in order, dtype kept
    (xt, _), _ = DataLoader(tuple(data), batch_size=4)
    assert xt.tolist() == [0.0, 1.0, 2.0, 3.0]
    rows = [np.full(2, i, dtype=np.float32) for i in range(3)]
    first, last = DataLoader(rows, batch_size=2)
    assert first.dtype == np.float32 and first.tolist() == [[0, 0], [1, 1]]
    assert last.tolist() == [[2, 2]]


def test_one_array_or_tensor_alone_is_a_data_set_of_its_rows():
    """torch: DataLoader(X) iterates X's rows, batch_size=1, in order, dtype kept; only the
    shortcut DataLoader(X, y) (or y=) shuffles by default and makes floats float32."""
    X, _ = numbered(3)
    loader = DataLoader(X)
    assert (loader.batch_size, loader.shuffle) == (1, False)
    batches = list(loader)
    assert [b.shape for b in batches] == [(1, 2)] * 3 and batches[0].dtype == np.float64
    assert [b.tolist() for b in batches] == [[[0, 0]], [[1, 1]], [[2, 2]]]
    t = Tensor(np.arange(4.0).reshape(2, 2), dtype=np.float64)
    (both,) = DataLoader(t, batch_size=2)
    assert both.dtype == np.float64 and both.tolist() == [[0, 1], [2, 3]]
    shortcut = DataLoader(X, np.arange(3))
    assert (shortcut.batch_size, shortcut.shuffle) == (32, True)


def test_batch_size_none_yields_samples_one_by_one_as_torch():
    """torch: batch_size=None turns batching off; each sample goes through default_convert
    (arrays and NumPy scalars become tensors, tuples become lists, Python numbers stay)."""
    data = [(float(i), i) for i in range(3)]
    loader = DataLoader(data, batch_size=None)
    assert len(loader) == 3 and loader.batch_size is None
    assert list(loader) == [[0.0, 0], [1.0, 1], [2.0, 2]]
    X = np.arange(4.0).reshape(2, 2)
    a, b = DataLoader(TensorDataset(X, np.array([5, 6])), batch_size=None)
    assert isinstance(a, list) and a[0].shape == (2,) and a[0].tolist() == [0.0, 1.0]
    assert a[1].shape == () and a[1].item() == 5 and b[1].item() == 6
    (row,) = DataLoader([np.ones(2, dtype=np.float32)], batch_size=None)
    assert isinstance(row, Tensor) and row.dtype == np.float32
    manual_seed(0)
    shuffled = [s[1] for s in DataLoader(data * 10, batch_size=None, shuffle=True)]
    assert sorted(shuffled) == sorted(list(range(3)) * 10) and shuffled != list(range(3)) * 10


def test_default_convert_follows_torch():
    from tinygrad_mlp.data import default_convert

    Pair = namedtuple("Pair", "x y")
    out = default_convert((np.float32(1.5), [np.int32(2)], {"k": np.zeros(2)}, 3, "s"))
    assert isinstance(out, list) and out[3:] == [3, "s"]
    assert out[0].dtype == np.float32 and out[0].item() == 1.5
    assert out[1][0].dtype == np.int32 and out[2]["k"].shape == (2,)
    assert isinstance(default_convert(Pair(1, 2)), Pair)
    array = np.zeros(2)
    converted = default_convert(array)
    converted.data[:] = 1  # a copy: the data set's array is unchanged
    assert array.tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- random_split
def test_random_split_sizes_follow_pytorchs_rule_and_cover_every_sample_once():
    from tinygrad_mlp.utils.data import random_split

    data = list(range(11))
    # fractions: floor(11 * f) each (7, 2, 1), the one left over to the first subset
    parts = random_split(data, [0.7, 0.2, 0.1])
    assert [len(p) for p in parts] == [8, 2, 1]
    assert [len(p) for p in random_split(data, [0.5, 0.5])] == [6, 5]
    assert [len(p) for p in random_split(list(range(10)), [0.3, 0.3, 0.4])] == [3, 3, 4]
    parts = random_split(data, [4, 0, 7])  # counts
    assert [len(p) for p in parts] == [4, 0, 7]
    seen = [p[i] for p in parts for i in range(len(p))]
    assert sorted(seen) == data  # disjoint, and together every sample


def test_random_split_is_reproducible_from_the_seed_or_a_generator_and_shuffles():
    from tinygrad_mlp.utils.data import random_split

    data = list(range(50))
    manual_seed(3)
    a = [list(p) for p in random_split(data, [25, 25])]
    manual_seed(3)
    b = [list(p) for p in random_split(data, [25, 25])]
    assert a == b and a[0] != data[:25]
    rng = np.random.default_rng(7)
    c = [list(p) for p in random_split(data, [25, 25], generator=rng)]
    assert c == [list(p) for p in random_split(data, [25, 25], generator=np.random.default_rng(7))]


def test_subset_indexes_its_dataset_and_batches_in_a_dataloader():
    from tinygrad_mlp.utils.data import DataLoader, Subset

    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    sub = Subset(TensorDataset(X, y), [4, 1, 5])
    assert len(sub) == 3
    xi, yi = sub[0]
    assert np.array_equal(xi.data, X[4]) and int(yi.item()) == 4
    assert [int(s[1].item()) for s in sub[[2, 0]]] == [5, 4]  # a list gives a list
    (xb, yb), (xb2, yb2) = list(DataLoader(sub, batch_size=2))
    assert np.array_equal(xb.data, X[[4, 1]]) and np.array_equal(yb2.data, [5])


@pytest.mark.parametrize(
    "lengths, error",
    [
        ([3, 3], ValueError),  # 6 for 7 samples
        ([0.5, 0.6], ValueError),  # fractions that do not add up to 1
        ([1.2, -0.2], ValueError),  # add up to 1, but not each in [0, 1]
        ([], TypeError),
        (["a"], TypeError),
        ([True, 6], TypeError),
    ],
)
def test_random_split_refuses_lengths_that_do_not_fit(lengths, error):
    from tinygrad_mlp.utils.data import random_split

    with pytest.raises(error):
        random_split(list(range(7)), lengths)
    with pytest.raises(TypeError, match="NumPy Generator"):
        random_split(list(range(7)), [7], generator=42)
