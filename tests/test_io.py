"""tinygrad_mlp.io: save/load round trips, refused values, and files that must not load."""

import io as stdlib_io
import math
import pathlib
import pickle
import struct
import zipfile

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp.io import _STRUCTURE_KEY, load, save

# ---------------------------------------------------------------------------------------------
# Helpers


def assert_same(a, b, where="obj"):
    """Exact equality: same types, same dict key order, bit-identical arrays and floats."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), f"{where}: bits differ"
    elif isinstance(a, float):
        assert struct.pack("<d", a) == struct.pack("<d", b), f"{where}: {a!r} != {b!r}"
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        assert [type(k) for k in a] == [type(k) for k in b], f"{where}: key types differ"
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{where}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def round_trip(obj, tmp_path):
    path = tmp_path / "state.npz"
    save(obj, path)
    return load(path)


def load_error(path):
    """The ValueError message `load(path)` raises, checked to name the path, with it removed.

    Removing the path matters: pytest's temporary folders are named after the test, so a
    pattern like "pickled" could otherwise match the folder name instead of the message.
    """
    with pytest.raises(ValueError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message
    return message.replace(str(path), "<path>")


def npy_bytes(array, allow_pickle=False):
    buffer = stdlib_io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def rewrite_members(path, replace):
    """Rewrite the zip at `path`, replacing (or adding) members by name -> bytes."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(replace)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def write_structure(path, text, **arrays):
    """A zip like ours, with the given JSON text as its structure."""
    structure = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    np.savez(path, **{_STRUCTURE_KEY: structure}, **arrays)


class MarkerPayload:
    """Unpickling this object creates the file `marker`: proof that code ran."""

    def __init__(self, marker):
        self.marker = pathlib.Path(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def object_array_with_payload(marker):
    array = np.empty(2, dtype=object)
    array[0] = MarkerPayload(marker)
    array[1] = "x"
    return array


FIXED_DTYPES = [
    np.float16,
    np.float32,
    np.float64,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint64,
    np.bool_,
    np.complex128,
    np.dtype(">f4"),
    np.dtype(">i8"),
]

arrays = hnp.arrays(
    dtype=st.sampled_from(FIXED_DTYPES),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
)
numpy_scalars = hnp.arrays(dtype=st.sampled_from(FIXED_DTYPES), shape=()).map(lambda a: a[()])
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | arrays
    | numpy_scalars
)
nested = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=6) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


# ---------------------------------------------------------------------------------------------
# Round trips


@given(st.dictionaries(st.text(max_size=10), arrays, max_size=6))
def test_flat_dict_of_arrays_round_trips_bit_exact_and_in_order(tmp_path_factory, state):
    loaded = round_trip(state, tmp_path_factory.mktemp("flat"))
    assert type(loaded) is dict
    assert list(loaded) == list(state)
    for key, array in state.items():
        assert type(loaded[key]) is np.ndarray
        assert_same(array, loaded[key], key)


@pytest.mark.parametrize(
    "dtype", [np.float16, np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]
)
def test_special_values_and_0d_arrays_are_bit_exact(tmp_path, dtype):
    if np.issubdtype(dtype, np.floating):
        values = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-7, 65504.0], dtype=dtype)
        # A NaN with a payload other than the default one must keep its bits too.
        bits = values.view(f"u{values.itemsize}")
        bits[2] |= 1
    elif dtype is np.bool_:
        values = np.array([True, False, True])
    else:
        info = np.iinfo(dtype)
        values = np.array([info.min, 0, info.max], dtype=dtype)
    state = {"vector": values, "zero_d": values[2].reshape(()), "empty": values[:0].reshape(0, 3)}
    loaded = round_trip(state, tmp_path)
    assert_same(state, loaded)
    assert loaded["zero_d"].shape == ()


def test_non_contiguous_and_fortran_arrays_keep_their_values(tmp_path):
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    state = {"strided": base[::2, 1::3], "fortran": np.asfortranarray(base), "t": base.T}
    loaded = round_trip(state, tmp_path)
    for key, array in state.items():
        np.testing.assert_array_equal(loaded[key], array)
        assert loaded[key].dtype == array.dtype


@pytest.mark.filterwarnings("ignore:Stored array in format 3.0")
def test_string_datetime_and_record_arrays_round_trip(tmp_path):
    state = {
        "names": np.array(["relu", "tanh", "ünïcode"]),
        "raw": np.array([b"ab", b"c"]),
        "when": np.array(["2024-01-02", "2025-03-04"], dtype="datetime64[D]"),
        # a UTF-8 field name makes NumPy write an .npy version 3.0 header
        "records": np.array([(1.5, 2), (-1.0, 7)], dtype=[("α", "<f4"), ("n", "<i2")]),
    }
    assert_same(state, round_trip(state, tmp_path))


@given(nested)
def test_nested_structures_round_trip_exactly(tmp_path_factory, obj):
    assert_same(obj, round_trip(obj, tmp_path_factory.mktemp("nested")))


def test_optimizer_like_state_dict_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    state = {
        "state": {
            0: {"step": 10, "exp_avg": rng.standard_normal((3, 2)).astype(np.float32)},
            1: {"step": 10, "exp_avg": rng.standard_normal(3).astype(np.float32)},
        },
        "param_groups": [
            {
                "lr": 1e-3,
                "betas": (0.9, 0.999),
                "eps": 1e-8,
                "weight_decay": 0,
                "nesterov": False,
                "maximize": None,
                "name": "adam",
                "params": [0, 1],
            }
        ],
    }
    loaded = round_trip(state, tmp_path)
    assert_same(state, loaded)
    assert list(loaded["state"]) == [0, 1]  # int keys stay ints
    assert isinstance(loaded["param_groups"][0]["betas"], tuple)


def test_int_and_str_keys_that_look_alike_stay_distinct(tmp_path):
    state = {1: "int key", "1": "str key", -5: None, 2**70: "big"}
    assert_same(state, round_trip(state, tmp_path))


def test_python_numbers_and_numpy_scalars_keep_their_types(tmp_path):
    state = {
        "i": 3,
        "big": 2**80,
        "f": 0.1,
        "b": True,
        "f32": np.float32(0.1),
        "i64": np.int64(-7),
        "flag": np.bool_(True),
    }
    loaded = round_trip(state, tmp_path)
    assert_same(state, loaded)
    assert type(loaded["f32"]) is np.float32


class ArrayLike:
    """Anything with __array__ (a Tensor, say) is stored as np.asarray of it."""

    def __init__(self, data):
        self.data = data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)


def test_objects_with_array_method_are_stored_as_arrays(tmp_path):
    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    loaded = round_trip({"weight": ArrayLike(weight)}, tmp_path)
    assert type(loaded["weight"]) is np.ndarray
    assert_same(weight, loaded["weight"])


def test_tensors_are_stored_as_their_arrays(tmp_path):
    from tinygrad_mlp.tensor import Tensor

    data = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=np.float32)
    loaded = round_trip({"w": Tensor(data, requires_grad=True)}, tmp_path)
    assert_same(data, loaded["w"])


def test_shared_sublists_are_fine_but_cycles_are_refused(tmp_path):
    shared = [1, 2]
    loaded = round_trip({"a": shared, "b": shared}, tmp_path)
    assert loaded == {"a": [1, 2], "b": [1, 2]}

    cyclic = [1]
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="contains itself"):
        save({"loop": cyclic}, tmp_path / "cycle.npz")


def test_empty_dict_round_trips(tmp_path):
    assert_same({}, round_trip({}, tmp_path))


# ---------------------------------------------------------------------------------------------
# Paths and the file on disk


@pytest.mark.parametrize("name", ["model.npz", "model", "model.pt", "weights.npz.bak"])
@pytest.mark.parametrize("as_str", [True, False])
def test_file_is_written_exactly_at_the_given_path(tmp_path, name, as_str):
    path = tmp_path / name
    state = {"w": np.arange(3.0)}
    save(state, str(path) if as_str else path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert_same(state, load(str(path) if as_str else path))


def test_the_file_is_a_plain_npz_that_numpy_reads_without_pickle(tmp_path):
    path = tmp_path / "m.npz"
    weight = np.arange(4, dtype=np.int16)
    save({"w": weight, "lr": 0.5}, path)
    with np.load(path, allow_pickle=False) as archive:
        assert _STRUCTURE_KEY in archive.files
        stored = [archive[name] for name in archive.files if name != _STRUCTURE_KEY]
    assert len(stored) == 1
    assert_same(weight, stored[0])


def test_save_overwrites_an_existing_file(tmp_path):
    path = tmp_path / "m.npz"
    save({"old": np.zeros(100)}, path)
    save({"new": np.ones(2)}, path)
    assert list(load(path)) == ["new"]


# ---------------------------------------------------------------------------------------------
# Values that need pickle are refused at save time


@pytest.mark.parametrize(
    ("state", "where"),
    [
        ({"fn": print}, "obj['fn']"),
        ({"thing": object()}, "obj['thing']"),
        ({"s": {1, 2}}, "obj['s']"),
        ({"b": b"bytes"}, "obj['b']"),
        ({"objects": np.array([1, "a"], dtype=object)}, "obj['objects']"),
        ({"state": {0: {"exp_avg": [np.zeros(2), object()]}}}, "obj['state'][0]['exp_avg'][1]"),
        ({"g": ({"x": object()},)}, "obj['g'][0]['x']"),
        ({"tensorish": ArrayLike(np.array([None]))}, "obj['tensorish']"),
    ],
)
def test_values_that_need_pickle_raise_type_error_naming_the_key(tmp_path, state, where):
    path = tmp_path / "m.npz"
    with pytest.raises(TypeError) as info:
        save(state, path)
    assert where in str(info.value)
    assert "pickle" in str(info.value)
    assert not path.exists()


@pytest.mark.parametrize("key", [(1, 2), 1.5, True, None])
def test_dict_keys_other_than_str_or_int_are_refused(tmp_path, key):
    with pytest.raises(TypeError) as info:
        save({"outer": {key: 1}}, tmp_path / "m.npz")
    assert f"cannot save obj['outer']: its key {key!r} has type" in str(info.value)


def test_a_refused_save_leaves_an_existing_file_untouched(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.arange(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save({"w": np.arange(3), "bad": object()}, path)
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Files that must not load


def saved_file(tmp_path):
    path = tmp_path / "good.npz"
    state = {"weight": np.array([1.25, -3.5, 7.0], dtype=np.float64), "step": 4}
    save(state, path)
    return path, state


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    assert "(the file is empty)" in load_error(path)


@given(st.binary(max_size=3000))
def test_random_bytes_raise_value_error_naming_the_path(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("rand") / "random.npz"
    path.write_bytes(content)
    load_error(path)


def test_every_truncation_raises_value_error(tmp_path):
    path, _ = saved_file(tmp_path)
    content = path.read_bytes()
    cut = tmp_path / "cut.npz"
    for size in range(len(content)):
        cut.write_bytes(content[:size])
        load_error(cut)


def test_truncated_file_message_says_so(tmp_path):
    path, _ = saved_file(tmp_path)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    assert "the file is truncated or corrupt" in load_error(path)


def test_every_single_byte_flip_raises_value_error_or_loads_unchanged(tmp_path):
    path, state = saved_file(tmp_path)
    content = path.read_bytes()
    bad = tmp_path / "flipped.npz"
    refused = 0
    for i in range(len(content)):
        flipped = bytearray(content)
        flipped[i] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        try:
            loaded = load(bad)
        except ValueError:
            refused += 1
        else:  # only bytes outside the checksummed data (e.g. time stamps) may change
            assert_same(state, loaded)
    assert refused > len(content) // 2


def test_corrupt_array_data_is_caught(tmp_path):
    path, state = saved_file(tmp_path)
    content = bytearray(path.read_bytes())
    start = bytes(content).find(state["weight"].tobytes())
    assert start > 0
    content[start + 3] ^= 0x10
    path.write_bytes(bytes(content))
    assert "the file is truncated or corrupt" in load_error(path)


def test_plain_npz_without_structure_is_not_ours(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, w=np.arange(3))
    assert "not a tinygrad_mlp .npz file (it has no" in load_error(path)


def test_npy_file_is_not_an_npz(tmp_path):
    path = tmp_path / "single.npy"
    np.save(path, np.arange(3))
    assert "it is a single-array .npy file" in load_error(path)


def test_zip_with_other_members_is_not_ours(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "member 'readme.txt' is not a .npy array" in load_error(path)


def test_header_claiming_more_data_than_the_file_holds_is_refused(tmp_path):
    path, _ = saved_file(tmp_path)
    header = stdlib_io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if not n.startswith(_STRUCTURE_KEY))
    rewrite_members(path, {name: header.getvalue() + bytes(8)})
    assert "the file is truncated or corrupt (array_0.npy is too short)" in load_error(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("this is not json", "its structure is not valid JSON"),
        ('{"format": "someone_else", "version": 1, "data": null}', "is not ours"),
        ('{"format": "tinygrad_mlp", "version": 99, "data": null}', "it has format version 99"),
        (
            '{"format": "tinygrad_mlp", "version": 1, "data": {"array": "gone"}}',
            "refers to a missing array 'gone'",
        ),
        ('{"format": "tinygrad_mlp", "version": 1, "data": {"what": 1}}', "unexpected structure"),
        (
            '{"format": "tinygrad_mlp", "version": 1, "data": {"dict": [[1.5, 2]]}}',
            "unexpected structure",
        ),
        (
            '{"format": "tinygrad_mlp", "version": 1, "data": {"scalar": "array_0"}}',
            "has shape (3,)",
        ),
    ],
)
def test_damaged_structure_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.npz"
    write_structure(path, text, array_0=np.arange(3))
    assert message in load_error(path)


def test_structure_that_is_not_uint8_text_is_refused(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, **{_STRUCTURE_KEY: np.arange(4.0)})
    assert "is not uint8 text" in load_error(path)


# ---------------------------------------------------------------------------------------------
# Pickled data is refused and never unpickled


def test_the_payload_really_runs_code_when_unpickled(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(object_array_with_payload(marker)))
    assert marker.exists()  # so the tests below would notice if load unpickled it


def test_npz_with_pickled_object_array_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.npz"
    np.savez(path, evil=object_array_with_payload(marker), allow_pickle=True)
    assert "it holds Python objects (pickled data), which are refused" in load_error(path)
    assert not marker.exists()


def test_our_file_with_a_pickled_member_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path, _ = saved_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if not n.startswith(_STRUCTURE_KEY))
    payload = npy_bytes(object_array_with_payload(marker), allow_pickle=True)
    rewrite_members(path, {name: payload})
    assert "it holds Python objects (pickled data), which are refused" in load_error(path)
    assert not marker.exists()


def test_npy_with_pickled_objects_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.npy"
    np.save(path, object_array_with_payload(marker), allow_pickle=True)
    assert "it holds Python objects (pickled data), which are refused" in load_error(path)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_plain_pickle_file_is_refused_without_running_it(tmp_path, protocol):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"w": MarkerPayload(marker)}, protocol=protocol))
    assert "it is a Python pickle, which is refused" in load_error(path)
    assert not marker.exists()


def test_loaded_arrays_are_writable_copies(tmp_path):
    path, _ = saved_file(tmp_path)
    first = load(path)["weight"]
    first[0] = math.pi
    assert load(path)["weight"][0] == 1.25
