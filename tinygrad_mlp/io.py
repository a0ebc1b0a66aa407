"""Saving and loading state dicts as NumPy `.npz` files, never with pickle.

`save(obj, path)` stores every array of `obj` as its own `.npy` member of the archive (named
`array_0`, `array_1`, ...) and the structure around them as JSON text, held in a uint8 array
under the reserved name `tinygrad_mlp_structure`. In that JSON, None, bools, ints, floats
(NaN and infinities included) and strings stand for themselves, a list is a JSON list, and
everything else is an object with one key:

    {"array": "array_3"}               a NumPy array (also Tensors and anything with __array__)
    {"scalar": "array_4"}              a NumPy scalar such as np.float32(1.5)
    {"tuple": [...]}                   a tuple
    {"float": "010000000000f87f"}      a NaN whose payload bits JSON cannot hold
    {"dict": [[key, value], ...]}      a dict with str or int keys, in its order

A checkpoint is never lost. `save` writes a temporary file beside the target (named
`.<name>.<random>.tmp`), flushes it and fsyncs it to disk, and only then renames it onto the
target with `os.replace`, which is atomic: a reader sees the old file or the new one, never
a mix, and an exception mid-write (a full disk, Ctrl-C) removes the temporary file and leaves
the old file as it was. After the rename the folder is fsynced too where the OS allows it,
so the rename itself survives a power cut. Atomicity needs a name on disk, so `path` must be
a path (str, bytes or os.PathLike); a file object is refused, as it always was. `load` takes
a path or, as `torch.load` does, a binary file object open for reading (`open(path, "rb")`,
`io.BytesIO`), read from its current position.

Loading costs what the file holds. `load(path)` reads every member with `allow_pickle=False`,
so it never runs code from the file, and before it inflates anything it refuses an archive

- whose members' declared uncompressed sizes add up to more than `max_bytes` (4 GiB unless
  the caller says otherwise), so a zip bomb is refused before it is inflated;
- whose declared sizes cannot be true (a deflated member with more compressed data than its
  declared size could need) or whose members use a compression that zipfile inflates without
  a bound (anything but stored and deflated);
- that names a member twice, repeats a dict key or a JSON key (which one is meant?), or
  refers to one array more than once (a small file could otherwise make a copy of a big array
  per reference).

While inflating, every member is also cut off at its declared size, so a lying size cannot
make `load` read more. A file that is not ours, is truncated, corrupt or hostile, or holds
pickled objects raises a `ValueError` that names the path and what was found.
"""

from __future__ import annotations

import contextlib
import errno
import io as std_io
import json
import math
import os
import secrets
import stat
import struct
import zipfile
from collections import Counter
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

__all__ = ["save", "load"]

_STRUCTURE_KEY = "tinygrad_mlp_structure"
_FORMAT = "tinygrad_mlp"
_VERSION = 1

_PICKLED = "it holds Python objects (pickled data), which are refused"

_DEFAULT_MAX_BYTES = 4 * 2**30


class _BadFile(Exception):
    """A problem with the file's contents; `load` reports it as a ValueError."""


# ---------------------------------------------------------------------------------------------
# save


def save(obj: Any, path: str | bytes | os.PathLike[str]) -> None:
    """Save a state dict (or any nest of dicts, lists, tuples, numbers, str, None, arrays).

    The file is written exactly at `path`; unlike `np.savez`, no `.npz` is appended. The
    write is atomic (see the module docstring): whatever goes wrong, `path` holds either
    its old contents or the complete new file, and no temporary file is left behind (unless
    the process is killed outright). A file that already exists keeps its permission bits;
    a new one gets the usual ones (0o666 less the umask, as `open(path, "w")` gives). The
    new file is a new inode: it belongs to whoever saves, and a hard link to the old file
    keeps the old contents. A symbolic link at `path` is followed: the file it points to is
    replaced and the link stays, as when the file was written in place.

    Raises TypeError, naming the key, for a value that could only be stored with pickle,
    and TypeError for a `path` that is not a path (such as an open file).
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            f"save() needs a path (str or os.PathLike), got {type(path).__name__}; it writes a "
            "temporary file beside the target and renames it into place, which needs a name "
            "on disk, so pass the file's name instead of an open file"
        )
    target = os.fsdecode(os.fspath(path))
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, "obj", arrays, set())
    meta = {"format": _FORMAT, "version": _VERSION, "data": tree}
    text = json.dumps(meta, ensure_ascii=True, allow_nan=True)
    arrays[_STRUCTURE_KEY] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    # Everything is encoded before any file is made, so a refused value leaves no trace.
    _write_atomically(target, arrays)


def _write_atomically(target: str, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` as an .npz to a temporary file, fsync it, then rename it onto `target`."""
    # Following a link keeps the link and puts the temporary file on the file system of the
    # file it replaces, where os.replace can rename it.
    target = os.path.realpath(target)
    folder, name = os.path.split(target)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, f"cannot save to {target!r}: it is a folder")
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT, f"cannot save to {target!r}: the folder {folder!r} does not exist"
        )
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode) & 0o777
    except FileNotFoundError:
        mode = None  # a new file: os.open below applies the umask to 0o666
    fd, temporary = _create_temporary(folder, name)
    try:
        with open(fd, "wb") as f:
            if mode is not None:  # chmod is not limited by the umask: the old bits exactly
                os.chmod(f.fileno() if os.chmod in os.supports_fd else temporary, mode)
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:  # KeyboardInterrupt too: the old file must stay, the new one go
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    _sync_folder(folder)


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    """Create a new, empty file with a unique name in `folder`; return its descriptor and path.

    Like tempfile.mkstemp, but with mode 0o666 (less the umask) instead of mkstemp's 0o600,
    so the saved file gets the permissions any new file would.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        # A long name is shortened so that the temporary name stays within NAME_MAX.
        temporary = os.path.join(folder, f".{name[:120]}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a unique temporary file in {folder!r}")


def _sync_folder(folder: str) -> None:
    """Fsync a folder so a rename in it survives a power cut; skipped where the OS cannot."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows cannot open a folder like this
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_NAN_BITS = struct.pack("<d", float("nan"))


def _encode(value: Any, where: str, arrays: dict[str, np.ndarray], active: set[int]) -> Any:
    """Turn `value` into JSON-ready data, moving its arrays into `arrays`."""
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        return {"scalar": _store(np.asarray(value), where, arrays)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        bits = struct.pack("<d", value)
        if value != value and bits != _NAN_BITS:  # a NaN with a payload: JSON would lose it
            return {"float": bits.hex()}
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


def load(
    path: str | bytes | os.PathLike[str] | IO[bytes],
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    max_bytes: int = _DEFAULT_MAX_BYTES,
) -> Any:
    """Load what `save` wrote. Arrays come back as NumPy arrays, dicts as plain dicts.

    `path` is a path, or a binary file object open for reading (as for `torch.load`),
    read from where it stands; the caller keeps it open.

    `max_bytes` bounds the archive's total uncompressed size (the sum of its members'
    declared sizes: array data, a .npy header of about 128 bytes per array, and the JSON
    structure), and so the bytes loading inflates and the arrays it allocates; the default
    is 4 GiB. A larger file is refused before anything is inflated: pass a larger
    `max_bytes` if you trust it.

    Raises FileNotFoundError for a missing file, TypeError or ValueError for a `max_bytes`
    that is not a non-negative int, and ValueError for a file that is not a tinygrad_mlp
    .npz file, is truncated, corrupt or larger than `max_bytes`, holds pickled objects, or
    is built to make loading costly or ambiguous (see the module docstring). A refused file
    runs no code and changes nothing.

    `map_location` and `weights_only` are torch.load's, accepted so that its calls run
    unchanged: everything lives on the CPU (`map_location` may be None, "cpu" or
    `tg.device("cpu")`; anything else is refused), and a file holds only arrays and plain
    data, never code, whatever `weights_only` says (None, True or False).
    """
    _check_torch_arguments(map_location, weights_only)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)):
        raise TypeError(
            f"load(): max_bytes must be an int (a number of bytes), got "
            f"{type(max_bytes).__name__} {max_bytes!r}"
        )
    if max_bytes < 0:
        raise ValueError(f"load(): max_bytes must be 0 or more, got {max_bytes}")
    if hasattr(path, "read"):  # a file object
        return _load_file(path, int(max_bytes))
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            f"load() needs a path (str or os.PathLike) or a binary file open for reading, got "
            f"{type(path).__name__}"
        )
    path = os.fspath(path)
    with open(path, "rb") as f:
        return _load_reported(f, int(max_bytes), path)


def _check_torch_arguments(map_location: Any, weights_only: Any) -> None:
    """torch.load's `map_location` and `weights_only`, validated (see `load`)."""
    if weights_only is not None and not isinstance(weights_only, bool | np.bool_):
        raise TypeError(f"load(): weights_only must be True, False or None, got {weights_only!r}")
    if map_location is None or str(map_location) == "cpu":  # "cpu" or a cpu device
        return
    raise ValueError(
        f"load(): map_location={map_location!r} is not supported; tinygrad_mlp keeps every "
        "array on the CPU, so pass map_location='cpu' or leave it out"
    )


def _load_file(f: Any, max_bytes: int) -> Any:
    """`load` from an open file: the bytes from its position on, checked as a file's are."""
    if isinstance(f, std_io.TextIOBase) or "b" not in getattr(f, "mode", "b"):
        raise TypeError("load() needs a file opened in binary mode: open(path, 'rb')")
    seekable = getattr(f, "seekable", lambda: False)()
    source = f if seekable and f.tell() == 0 else std_io.BytesIO(f.read())
    return _load_reported(source, max_bytes, getattr(f, "name", type(f).__name__))


def _load_reported(f: IO[bytes], max_bytes: int, name: Any) -> Any:
    """`_load`, with what is wrong with the file reported as a ValueError naming it."""
    try:
        return _load(f, max_bytes)
    except _BadFile as err:
        raise ValueError(f"cannot load {name!r}: {err}") from None
    except Exception as err:  # anything else that breaks while parsing: a damaged file
        raise ValueError(
            f"cannot load {name!r}: the file is truncated or corrupt ({type(err).__name__}: {err})"
        ) from err


def _load(f: IO[bytes], max_bytes: int) -> Any:
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
        # 1. The zip's own directory: names, compression and declared sizes. Nothing is
        #    inflated until all of it has been checked.
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            _check_member(info)
            name = info.filename[: -len(".npy")]
            if name in members:
                raise _BadFile(
                    f"the file is ambiguous (it holds two members named {info.filename!r}, "
                    "and which one is meant cannot be known); save never writes such a file"
                )
            members[name] = info
        declared = sum(info.file_size for info in members.values())
        if declared > max_bytes:
            raise _BadFile(
                f"its members declare {declared:,} bytes of uncompressed data, more than "
                f"max_bytes={max_bytes:,}; nothing was inflated. If you trust the file, "
                f"pass max_bytes={declared} or more"
            )

        # 2. Every header, before any data, so a pickled member is refused with a clear
        #    message whatever else the file holds, and each member's size is known exactly.
        shapes = {}
        for name, info in members.items():
            with archive.open(info) as stream:
                fp = _Metered(stream, info.filename, info.file_size)
                shape, dtype = _read_header(fp)
            if dtype.hasobject:
                raise _BadFile(_PICKLED)
            data_size = math.prod(shape) * dtype.itemsize
            if fp.consumed + data_size > info.file_size:
                raise _BadFile(
                    f"the file is truncated or corrupt ({info.filename} is too short): its "
                    f"header describes {data_size:,} bytes of data, and the archive declares "
                    f"{info.file_size:,} bytes for the whole member"
                )
            if fp.consumed + data_size < info.file_size:
                raise _BadFile(
                    f"the file is corrupt ({info.filename} holds "
                    f"{info.file_size - fp.consumed - data_size:,} bytes more than its header "
                    "describes)"
                )
            shapes[name] = shape
        if _STRUCTURE_KEY not in members:
            raise _BadFile(
                f"not a tinygrad_mlp .npz file (it has no {_STRUCTURE_KEY!r} entry; "
                "a plain np.savez file can be read with np.load)"
            )

        def read_array(name: str) -> np.ndarray:
            info = members[name]
            with archive.open(info) as stream:
                fp = _Metered(stream, info.filename, info.file_size)
                array = np.lib.format.read_array(fp, allow_pickle=False)
                fp.expect_end()
            return array

        # 3. The structure, checked in full (every reference, key and scalar shape) before
        #    any array is read.
        text_array = read_array(_STRUCTURE_KEY)
        if text_array.dtype != np.uint8 or text_array.ndim != 1:
            raise _BadFile(f"the file is corrupt ({_STRUCTURE_KEY!r} is not uint8 text)")
        try:
            meta = json.loads(
                text_array.tobytes().decode("utf-8"), object_pairs_hook=_object_with_unique_keys
            )
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

        references: Counter[str] = Counter()

        def check(name: Any, tag: str) -> None:
            if not isinstance(name, str) or name not in members or name == _STRUCTURE_KEY:
                raise _BadFile(f"the file is corrupt (it refers to a missing array {name!r})")
            if tag == "scalar" and shapes[name] != ():
                raise _BadFile(f"the file is corrupt (scalar {name!r} has shape {shapes[name]})")
            references[name] += 1

        _decode(meta["data"], check)
        for name, count in references.items():
            if count > 1:
                raise _BadFile(
                    f"the file is corrupt (it refers to array {name!r} {count} times; save "
                    f"stores each array once, and loading this would make {count} copies of it)"
                )

        # 4. Only now the arrays, each exactly once.
        def fetch(name: str, tag: str) -> Any:
            array = read_array(name)
            return array[()] if tag == "scalar" else array

        return _decode(meta["data"], fetch)


def _check_member(info: zipfile.ZipInfo) -> None:
    """Refuse a zip member that is not an .npy array or whose sizes cannot be trusted."""
    if not info.filename.endswith(".npy"):
        raise _BadFile(
            f"not a tinygrad_mlp .npz file (member {info.filename!r} is not a .npy array)"
        )
    if info.compress_type == zipfile.ZIP_STORED:
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        # zipfile inflates bzip2 and lzma data without a bound on the output of each read.
        raise _BadFile(
            f"not a tinygrad_mlp .npz file (member {info.filename!r} uses zip compression "
            f"method {info.compress_type}; only stored and deflated members are read)"
        )
    # Deflate never makes data much bigger (stored blocks cost 5 bytes per 64 KiB), so more
    # compressed data than this means the declared size is false: inflated, it would be more.
    most = info.file_size + info.file_size // 256 + 1024
    if info.compress_size > most:
        raise _BadFile(
            f"the file is corrupt or hostile (member {info.filename!r} holds "
            f"{info.compress_size:,} bytes of compressed data but declares only "
            f"{info.file_size:,} bytes uncompressed, which cannot be true)"
        )


class _Metered:
    """A member's stream that never delivers more than the member's declared size.

    zipfile stops at the declared size too; this is the bound load's memory rests on, so it
    is kept here where it can be read, and `expect_end` checks that nothing is left.
    """

    def __init__(self, stream: IO[bytes], name: str, declared: int) -> None:
        self._stream = stream
        self._name = name
        self._declared = declared
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        left = self._declared - self.consumed
        if size < 0 or size > left:
            size = left + 1  # one byte more than may come, to see whether more comes
        data = self._stream.read(size)
        self.consumed += len(data)
        if self.consumed > self._declared:
            raise _BadFile(
                f"the file is corrupt or hostile ({self._name} inflates to more than the "
                f"{self._declared:,} bytes the archive declares for it)"
            )
        return data

    def expect_end(self) -> None:
        self.read()


def _object_with_unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads hook: a JSON object, refused if it names a key twice (which one counts?)."""
    result = {}
    for key, value in pairs:
        if key in result:
            raise _BadFile(
                f"the file is ambiguous (its structure repeats the JSON key {key!r}); "
                "save never writes such a file"
            )
        result[key] = value
    return result


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


def _decode(node: Any, fetch: Any) -> Any:
    """Rebuild the saved object from its JSON structure.

    `fetch(name, tag)` gives the value of an array reference, tag being "array" or "scalar".
    """
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(item, fetch) for item in node]
    if isinstance(node, dict) and len(node) == 1:
        ((tag, body),) = node.items()
        if tag in ("array", "scalar"):
            return fetch(body, tag)
        if tag == "tuple" and isinstance(body, list):
            return tuple(_decode(item, fetch) for item in body)
        if tag == "float" and isinstance(body, str) and len(body) == 16:
            try:
                return struct.unpack("<d", bytes.fromhex(body))[0]
            except ValueError:
                pass
        if tag == "dict" and isinstance(body, list):
            result = {}
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2):
                    break
                key, value = pair
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    break
                if key in result:
                    raise _BadFile(
                        f"the file is ambiguous (a dict has the key {key!r} twice); "
                        "save never writes such a file"
                    )
                result[key] = _decode(value, fetch)
            else:
                return result
    raise _BadFile(f"the file is corrupt (unexpected structure {str(node)[:80]!r})")
