"""tinygrad_mlp.io: save/load round trips, refused values, and files that must not load."""

import errno
import io as stdlib_io
import json
import math
import os
import pathlib
import pickle
import stat
import struct
import threading
import tracemalloc
import warnings
import zipfile
import zlib

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import device
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


# ---------------------------------------------------------------------------------------------
# Saving is atomic: a checkpoint is never lost


def test_save_fsyncs_the_new_file_before_renaming_it_over_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    save({"old": np.zeros(4)}, path)
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        info = os.fstat(fd)
        events.append(("fsync", info.st_ino, stat.S_ISDIR(info.st_mode), info.st_size))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.stat(src).st_ino, os.fspath(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    save({"new": np.ones(3)}, path)
    monkeypatch.undo()

    new = path.stat()
    assert [e[0] for e in events] == ["fsync", "replace", "fsync"]
    file_sync, rename, folder_sync = events
    assert file_sync == ("fsync", new.st_ino, False, new.st_size)  # the whole new file
    assert rename == ("replace", new.st_ino, str(path))
    assert folder_sync[1:3] == (tmp_path.stat().st_ino, True)  # then the folder holding it
    assert list(load(path)) == ["new"]


def half_written_then(error):
    """A stand-in for np.savez that writes half of the real archive, then raises `error`."""
    real_savez = np.savez

    def savez(file, **arrays):
        buffer = stdlib_io.BytesIO()
        real_savez(buffer, **arrays)
        file.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        file.flush()
        raise error

    return savez


@pytest.mark.parametrize(
    "error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()]
)
def test_a_save_failing_mid_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path, monkeypatch, error
):
    path = tmp_path / "m.npz"
    old_state = {"w": np.arange(1000.0), "step": 7}
    save(old_state, path)
    before = path.read_bytes()
    monkeypatch.setattr(np, "savez", half_written_then(error))
    with pytest.raises(type(error)):
        save({"w": np.ones(5000), "step": 8}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert_same(old_state, load(path))


def test_a_save_failing_at_the_rename_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path, monkeypatch
):
    path = tmp_path / "m.npz"
    save({"w": np.arange(3)}, path)
    before = path.read_bytes()

    def replace(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(dst))

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        save({"w": np.arange(4)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_a_concurrent_reader_sees_the_old_or_the_new_file_never_a_partial_one(tmp_path):
    path = tmp_path / "m.npz"
    size = 2**19  # 4 MiB per save, so each write takes long enough to be caught midway
    save({"step": 0, "w": np.zeros(size)}, path)
    done = threading.Event()
    seen, failures = [], []

    def reader():
        while not done.is_set():
            try:
                state = load(path)
            except Exception as err:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(err)[:200])
                continue
            # A whole file, never a mix of two: every element belongs to the same save.
            if not np.array_equal(state["w"], np.full(size, float(state["step"]))):
                failures.append(f"mixed contents at step {state['step']}")
            seen.append(state["step"])

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for step in range(1, 31):
            save({"step": step, "w": np.full(size, float(step))}, path)
    finally:
        done.set()
        thread.join()
    assert failures == []
    assert len(seen) > 0
    assert load(path)["step"] == 30
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_usual_permissions_for_the_umask(tmp_path, umask, expected):
    old_umask = os.umask(umask)
    try:
        save({"w": np.arange(2)}, tmp_path / "m.npz")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "m.npz").stat().st_mode) == expected


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.arange(2)}, path)
    path.chmod(0o600)
    save({"w": np.arange(3)}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load(path)["w"].shape == (3,)


def test_saving_through_a_symlink_replaces_the_file_it_points_to_and_keeps_the_link(tmp_path):
    real = tmp_path / "runs" / "model.npz"
    real.parent.mkdir()
    save({"w": np.arange(2)}, real)
    link = tmp_path / "latest.npz"
    link.symlink_to(real)
    save({"w": np.arange(5)}, link)
    assert link.is_symlink()
    assert link.resolve() == real
    assert load(real)["w"].shape == (5,)
    assert sorted(p.name for p in real.parent.iterdir()) == ["model.npz"]


def test_saving_into_a_missing_folder_or_onto_a_folder_names_the_target(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder .*missing' does not exist"):
        save({"w": np.arange(2)}, tmp_path / "missing" / "m.npz")
    (tmp_path / "sub").mkdir()
    with pytest.raises(IsADirectoryError, match="sub': it is a folder"):
        save({"w": np.arange(2)}, tmp_path / "sub")
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]
    assert list((tmp_path / "sub").iterdir()) == []


def test_save_accepts_a_bytes_path(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.arange(3)}, os.fsencode(path))
    assert_same({"w": np.arange(3)}, load(path))


def test_save_refuses_an_open_file_and_says_to_pass_a_path(tmp_path):
    path = tmp_path / "m.npz"
    with open(path, "wb") as f:
        with pytest.raises(TypeError, match=r"save\(\) needs a path .* got BufferedWriter"):
            save({"w": np.arange(3)}, f)
    assert path.read_bytes() == b""
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


# ---------------------------------------------------------------------------------------------
# Loading costs what the file holds: hostile archives are refused before they cost anything


def structure_npy(data):
    text = json.dumps({"format": "tinygrad_mlp", "version": 1, "data": data})
    return npy_bytes(np.frombuffer(text.encode("ascii"), dtype=np.uint8))


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    """A zip holding the given (name, bytes) members in order, duplicates included."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            for name, content in members:
                archive.writestr(name, content)


def write_zeros_member(archive, name, header, size):
    """Stream `header` and then `size` zero bytes into a deflated member, 1 MiB at a time."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as out:
        out.write(header)
        chunk = bytes(2**20)
        for start in range(0, size, len(chunk)):
            out.write(chunk[: size - start])


def npy_header(shape, descr="<f8"):
    buffer = stdlib_io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def declare(path, member, file_size, crc=None):
    """Rewrite the uncompressed size (and the CRC) the zip at `path` declares for `member`,
    in its central directory and in its local header, as a hostile file would."""
    content = bytearray(path.read_bytes())
    name = member.encode()
    found = 0
    position = content.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", content, position + 28)[0]
        if content[position + 46 : position + 46 + name_length] == name:
            local = struct.unpack_from("<I", content, position + 42)[0]
            for crc_at, size_at in ((position + 16, position + 24), (local + 14, local + 22)):
                struct.pack_into("<I", content, size_at, file_size)
                if crc is not None:
                    struct.pack_into("<I", content, crc_at, crc)
            found += 1
        position = content.find(b"PK\x01\x02", position + 4)
    assert found == 1
    path.write_bytes(bytes(content))


def refused_with_peak_memory(path, **kwargs):
    """Load `path`, expecting a ValueError; return its message and the peak traced memory."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load(path, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    return str(info.value).replace(str(path), "<path>"), peak


def test_an_array_referenced_many_times_is_refused_before_any_array_is_read(tmp_path):
    # 1 MiB of data, named 400 times: loading it would hold 400 MiB.
    path = tmp_path / "many.npz"
    big = npy_bytes(np.zeros(2**17))
    data = [{"array": "array_0"}] * 400
    write_zip(
        path,
        [("array_0.npy", big), (f"{_STRUCTURE_KEY}.npy", structure_npy(data))],
        compression=zipfile.ZIP_DEFLATED,
    )
    assert path.stat().st_size < 20_000
    message, peak = refused_with_peak_memory(path)
    assert "it refers to array 'array_0' 400 times" in message
    assert peak < len(big) // 2  # not even one copy was made


def test_a_scalar_and_an_array_naming_the_same_member_are_refused(tmp_path):
    path = tmp_path / "twice.npz"
    data = {"dict": [["a", {"array": "array_0"}], ["b", {"scalar": "array_0"}]]}
    write_zip(
        path,
        [("array_0.npy", npy_bytes(np.array(1.5))), (f"{_STRUCTURE_KEY}.npy", structure_npy(data))],
    )
    assert "it refers to array 'array_0' 2 times" in load_error(path)


@pytest.mark.parametrize("duplicated", ["array_0", _STRUCTURE_KEY])
def test_duplicate_member_names_are_refused(tmp_path, duplicated):
    path = tmp_path / "dup.npz"
    members = {
        "array_0": [npy_bytes(np.arange(3.0)), npy_bytes(np.arange(4.0))],
        _STRUCTURE_KEY: [structure_npy({"array": "array_0"}), structure_npy(None)],
    }
    content = [(f"{name}.npy", versions[0]) for name, versions in members.items()]
    content.append((f"{duplicated}.npy", members[duplicated][1]))
    write_zip(path, content)
    message = load_error(path)
    assert f"it holds two members named '{duplicated}.npy'" in message
    assert "which one is meant cannot be known" in message


def test_duplicate_dict_keys_are_refused(tmp_path):
    path = tmp_path / "dup.npz"
    data = {"dict": [["w", {"array": "array_0"}], ["w", {"array": "array_1"}]]}
    write_structure(path, json.dumps({"format": "tinygrad_mlp", "version": 1, "data": data}),
                    array_0=np.zeros(2), array_1=np.ones(2))  # fmt: skip
    assert "a dict has the key 'w' twice" in load_error(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"format": "tinygrad_mlp", "version": 1, "data": {"array": "array_0", '
         '"array": "array_1"}}', "array"),
        ('{"format": "tinygrad_mlp", "version": 1, "data": 1, "data": {"array": "array_0"}}',
         "data"),
    ],
)  # fmt: skip
def test_duplicate_json_keys_in_the_structure_are_refused(tmp_path, text, key):
    path = tmp_path / "dup.npz"
    write_structure(path, text, array_0=np.zeros(2), array_1=np.ones(2))
    assert f"its structure repeats the JSON key {key!r}" in load_error(path)


def test_a_zip_bomb_over_max_bytes_is_refused_before_it_is_inflated(tmp_path):
    # 64 MiB of zeros deflate to about 64 KB; its declared size is honest.
    path = tmp_path / "bomb.npz"
    size = 64 * 2**20
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        write_zeros_member(archive, "array_0.npy", npy_header((size // 8,)), size)
        archive.writestr(f"{_STRUCTURE_KEY}.npy", structure_npy({"array": "array_0"}))
    assert path.stat().st_size < size // 500
    with zipfile.ZipFile(path) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    message, peak = refused_with_peak_memory(path, max_bytes=16 * 2**20)
    assert f"its members declare {declared:,} bytes of uncompressed data" in message
    assert "more than max_bytes=16,777,216; nothing was inflated" in message
    assert f"pass max_bytes={declared} or more" in message
    assert peak < 2**20


def test_the_default_max_bytes_is_4_gib(tmp_path):
    # Two members that declare almost 4 GiB each (a false claim, so the test stays small):
    # the 8 GiB they add up to are refused by default, before anything is read.
    path, _ = saved_file(tmp_path)
    for member in ("array_0.npy", f"{_STRUCTURE_KEY}.npy"):
        declare(path, member, 0xFFFF_FFF0)
    message = load_error(path)
    assert f"its members declare {2 * 0xFFFF_FFF0:,} bytes" in message
    assert "more than max_bytes=4,294,967,296" in message


def test_a_zip_bomb_whose_declared_size_lies_is_refused_without_inflating_it(tmp_path):
    # The member declares 144 bytes (a .npy header and 16 zeros, with their CRC), but its
    # deflate stream goes on to 32 MiB more: more compressed data than 144 bytes could need.
    path = tmp_path / "liar.npz"
    header = npy_header((2,))
    honest = header + bytes(16)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        write_zeros_member(archive, "array_0.npy", header, 32 * 2**20)
        archive.writestr(f"{_STRUCTURE_KEY}.npy", structure_npy({"array": "array_0"}))
    declare(path, "array_0.npy", len(honest), crc=zlib.crc32(honest))
    message, peak = refused_with_peak_memory(path)
    assert "member 'array_0.npy' holds" in message
    assert f"declares only {len(honest):,} bytes uncompressed, which cannot be true" in message
    assert peak < 2**20


def test_a_member_that_inflates_past_its_declared_size_is_cut_off(tmp_path, monkeypatch):
    # Stand in for a zip reader that does not stop at the declared size, as zipfile does:
    # load counts what it is given and refuses the first byte too many.
    path, state = saved_file(tmp_path)
    real_open = zipfile.ZipFile.open

    def open_without_limit(self, name, *args, **kwargs):
        stream = real_open(self, name, *args, **kwargs)
        if getattr(name, "filename", name) != "array_0.npy":
            return stream
        with stream:
            return stdlib_io.BytesIO(stream.read() + bytes(2**20))

    monkeypatch.setattr(zipfile.ZipFile, "open", open_without_limit)
    size = 128 + state["weight"].nbytes
    assert f"array_0.npy inflates to more than the {size:,} bytes" in load_error(path)


def test_a_member_holding_more_than_its_header_describes_is_refused(tmp_path):
    path, _ = saved_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        content = archive.read("array_0.npy")
    rewrite_members(path, {"array_0.npy": content + b"extra"})
    assert "array_0.npy holds 5 bytes more than its header describes" in load_error(path)


def test_members_compressed_other_than_stored_or_deflated_are_refused(tmp_path):
    path, _ = saved_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, content in members:
            archive.writestr(info.filename, content, compress_type=zipfile.ZIP_BZIP2)
    assert "uses zip compression method 12; only stored and deflated" in load_error(path)


def test_a_file_recompressed_with_deflate_still_loads(tmp_path):
    path = tmp_path / "m.npz"
    state = {"w": np.linspace(0, 1, 50), "step": 3}
    save(state, path)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    write_zip(path, members, compression=zipfile.ZIP_DEFLATED)
    assert_same(state, load(path))


def test_max_bytes_bounds_the_sum_of_the_declared_member_sizes(tmp_path):
    path, state = saved_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    assert_same(state, load(path, max_bytes=total))
    with pytest.raises(ValueError, match=f"more than max_bytes={total - 1:,}"):
        load(path, max_bytes=total - 1)


@pytest.mark.parametrize("bad", ["4GB", 1.5, True, None])
def test_max_bytes_must_be_an_int(tmp_path, bad):
    path, _ = saved_file(tmp_path)
    with pytest.raises(TypeError, match="max_bytes must be an int"):
        load(path, max_bytes=bad)


def test_max_bytes_must_not_be_negative(tmp_path):
    path, _ = saved_file(tmp_path)
    with pytest.raises(ValueError, match="max_bytes must be 0 or more, got -1"):
        load(path, max_bytes=-1)


def test_load_reads_an_open_binary_file_as_torch_load_does(tmp_path):
    path = tmp_path / "state.npz"
    save({"w": np.arange(3.0), "n": 2}, path)
    with open(path, "rb") as f:
        state = load(f)
        assert not f.closed  # the caller's file stays open
    assert state["n"] == 2 and state["w"].tolist() == [0.0, 1.0, 2.0]
    # from the current position of a stream holding something before the archive
    buffer = stdlib_io.BytesIO(b"head" + path.read_bytes())
    buffer.read(4)
    assert load(buffer)["n"] == 2
    with open(path) as text, pytest.raises(TypeError, match="binary mode"):
        load(text)
    with pytest.raises(ValueError, match="not a zip archive"):
        load(stdlib_io.BytesIO(b"plain text, not an archive"))


# ---------------------------------------------------------- torch.load's map_location, weights_only
def test_load_accepts_torch_loads_cpu_map_location_and_weights_only(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.arange(3.0)}, path)
    for kwargs in (
        {"map_location": "cpu"},
        {"map_location": device("cpu")},
        {"weights_only": True},
        {"weights_only": False},
        {"map_location": None, "weights_only": None},
    ):
        np.testing.assert_array_equal(load(path, **kwargs)["w"], [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(load(path, "cpu")["w"], [0.0, 1.0, 2.0])  # positional


def test_load_refuses_other_devices_and_non_bool_weights_only(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.arange(3.0)}, path)
    with pytest.raises(ValueError, match="map_location='cpu'"):
        load(path, map_location="cuda:0")
    with pytest.raises(ValueError, match="map_location"):
        load(path, map_location={"cuda:0": "cpu"})
    with pytest.raises(TypeError, match="weights_only must be True, False or None"):
        load(path, weights_only="yes")
