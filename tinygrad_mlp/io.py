"""Saving and loading state dicts as NumPy `.npz` files, never with pickle.

`save(obj, path)` stores every array of `obj` as its own `.npy` member of the archive (named
`array_0`, `array_1`, ...) and the structure around them as JSON text, held in a uint8 array
under the reserved name `tinygrad_mlp_structure`. In that JSON, None, bools, ints, floats
(NaN and infinities included) and strings stand for themselves, a list is a JSON list, and
everything else is an object with one key:

    {"array": "array_3"}               a NumPy array (also Tensors and anything with __array__)
    {"scalar": "array_4"}              a NumPy scalar such as np.float32(1.5)
    {"tuple": [...]}                   a tuple
    {"dict": [[key, value], ...]}      a dict with str or int keys, in its order

`load(path)` reads every member with `allow_pickle=False`, so it never runs code from the
file. A file that is not ours, is truncated or corrupt, or holds pickled objects raises a
`ValueError` that names the path and the problem.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

__all__ = ["save", "load"]

_STRUCTURE_KEY = "tinygrad_mlp_structure"
_FORMAT = "tinygrad_mlp"
_VERSION = 1

_PICKLED = "it holds Python objects (pickled data), which are refused"


class _BadFile(Exception):
    """A problem with the file's contents; `load` reports it as a ValueError."""


# ---------------------------------------------------------------------------------------------
# save


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Save a state dict (or any nest of dicts, lists, tuples, numbers, str, None, arrays).

    The file is written exactly at `path`; unlike `np.savez`, no `.npz` is appended.
    Raises TypeError, naming the key, for a value that could only be stored with pickle.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, "obj", arrays, set())
    meta = {"format": _FORMAT, "version": _VERSION, "data": tree}
    text = json.dumps(meta, ensure_ascii=True, allow_nan=True)
    arrays[_STRUCTURE_KEY] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    # Everything is encoded before the file is opened, so a refused value leaves no file behind.
    with open(os.fspath(path), "wb") as f:
        np.savez(f, **arrays)


def _encode(value: Any, where: str, arrays: dict[str, np.ndarray], active: set[int]) -> Any:
    """Turn `value` into JSON-ready data, moving its arrays into `arrays`."""
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        return {"scalar": _store(np.asarray(value), where, arrays)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        return {"array": _store(np.asarray(value), where, arrays)}
    if isinstance(value, (Mapping, list, tuple)):
        if id(value) in active:
            raise ValueError(f"cannot save {where}: it contains itself")
        active.add(id(value))
        if isinstance(value, Mapping):
            pairs = []
            for key, item in value.items():
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise TypeError(
                        f"cannot save {where}: its key {key!r} has type {type(key).__name__}; "
                        "keys must be str or int"
                    )
                key = str(key) if isinstance(key, str) else int(key)
                pairs.append([key, _encode(item, f"{where}[{key!r}]", arrays, active)])
            result: Any = {"dict": pairs}
        else:
            items = [_encode(item, f"{where}[{i}]", arrays, active) for i, item in enumerate(value)]
            result = {"tuple": items} if isinstance(value, tuple) else items
        active.discard(id(value))
        return result
    raise TypeError(
        f"cannot save {where}: a {type(value).__name__} can only be stored with pickle, "
        "which is refused; use arrays, numbers, str, None, lists, tuples or dicts"
    )


def _store(array: np.ndarray, where: str, arrays: dict[str, np.ndarray]) -> str:
    if array.dtype.hasobject:
        raise TypeError(
            f"cannot save {where}: an array of dtype {array.dtype} holds Python objects, "
            "which can only be stored with pickle, which is refused"
        )
    name = f"array_{len(arrays)}"
    arrays[name] = array
    return name


# ---------------------------------------------------------------------------------------------
# load


def load(path: str | os.PathLike[str]) -> Any:
    """Load what `save` wrote. Arrays come back as NumPy arrays, dicts as plain dicts.

    Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    tinygrad_mlp .npz file, is truncated or corrupt, or holds pickled objects.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        try:
            return _load(f)
        except _BadFile as err:
            raise ValueError(f"cannot load {path!r}: {err}") from None
        except Exception as err:  # anything else that breaks while parsing: a damaged file
            raise ValueError(
                f"cannot load {path!r}: the file is truncated or corrupt "
                f"({type(err).__name__}: {err})"
            ) from err


def _load(f: IO[bytes]) -> Any:
    head = f.read(8)
    f.seek(0)
    zip_magic = b"PK\x03\x04"
    if not head:
        raise _BadFile("not a tinygrad_mlp .npz file (the file is empty)")
    if head.startswith(b"\x93NUMPY"):
        _, dtype = _read_header(f)
        if dtype.hasobject:
            raise _BadFile(_PICKLED)
        raise _BadFile("not a tinygrad_mlp .npz file (it is a single-array .npy file)")
    if len(head) < len(zip_magic) and zip_magic.startswith(head):
        raise _BadFile("the file is truncated or corrupt (it ends inside the zip header)")
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise _BadFile("not a tinygrad_mlp .npz file (it is a Python pickle, which is refused)")
    if not head.startswith(zip_magic):
        raise _BadFile("not a tinygrad_mlp .npz file (it is not a zip archive)")
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile as err:
        raise _BadFile(f"the file is truncated or corrupt ({err})") from None
    with archive:
        members = {}
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise _BadFile(
                    f"not a tinygrad_mlp .npz file (member {info.filename!r} is not a .npy array)"
                )
            members[info.filename[: -len(".npy")]] = info
        # Look at every header before reading any data, so a pickled member is refused
        # with a clear message whatever else the file holds.
        for info in members.values():
            with archive.open(info) as fp:
                shape, dtype = _read_header(fp)
            if dtype.hasobject:
                raise _BadFile(_PICKLED)
            if math.prod(shape) * dtype.itemsize > info.file_size:
                raise _BadFile(f"the file is truncated or corrupt ({info.filename} is too short)")
        if _STRUCTURE_KEY not in members:
            raise _BadFile(
                f"not a tinygrad_mlp .npz file (it has no {_STRUCTURE_KEY!r} entry; "
                "a plain np.savez file can be read with np.load)"
            )

        def read(name: Any) -> np.ndarray:
            if not isinstance(name, str) or name not in members or name == _STRUCTURE_KEY:
                raise _BadFile(f"the file is corrupt (it refers to a missing array {name!r})")
            with archive.open(members[name]) as fp:
                return np.lib.format.read_array(fp, allow_pickle=False)

        with archive.open(members[_STRUCTURE_KEY]) as fp:
            text_array = np.lib.format.read_array(fp, allow_pickle=False)
        if text_array.dtype != np.uint8 or text_array.ndim != 1:
            raise _BadFile(f"the file is corrupt ({_STRUCTURE_KEY!r} is not uint8 text)")
        try:
            meta = json.loads(text_array.tobytes().decode("utf-8"))
        except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
            raise _BadFile(
                f"the file is corrupt (its structure is not valid JSON: {err})"
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT or "data" not in meta:
            raise _BadFile(f"not a tinygrad_mlp .npz file ({_STRUCTURE_KEY!r} is not ours)")
        if meta.get("version") != _VERSION:
            raise _BadFile(
                f"it has format version {meta.get('version')!r}; this version of tinygrad_mlp "
                f"reads version {_VERSION}"
            )
        return _decode(meta["data"], read)


def _read_header(fp: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    """Read an .npy header: the array's shape and dtype, without touching its data."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        # Version 3.0 differs from 2.0 only in allowing UTF-8 field names; reading it as 2.0
        # may garble such names but gives the right shape, itemsize and object-ness.
        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise _BadFile(f"the file is corrupt (unknown .npy format version {version})")
    if any(dim < 0 for dim in shape):
        raise _BadFile(f"the file is corrupt (an array has the shape {shape})")
    return shape, dtype


def _decode(node: Any, read: Any) -> Any:
    """Rebuild the saved object from its JSON structure; `read(name)` fetches an array."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(item, read) for item in node]
    if isinstance(node, dict) and len(node) == 1:
        ((tag, body),) = node.items()
        if tag == "array":
            return read(body)
        if tag == "scalar":
            array = read(body)
            if array.ndim != 0:
                raise _BadFile(f"the file is corrupt (scalar {body!r} has shape {array.shape})")
            return array[()]
        if tag == "tuple" and isinstance(body, list):
            return tuple(_decode(item, read) for item in body)
        if tag == "dict" and isinstance(body, list):
            result = {}
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2):
                    break
                key, value = pair
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    break
                result[key] = _decode(value, read)
            else:
                return result
    raise _BadFile(f"the file is corrupt (unexpected structure {str(node)[:80]!r})")
