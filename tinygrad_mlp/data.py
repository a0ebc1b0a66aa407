"""Toy data sets for 2-D classification; Dataset, TensorDataset and a mini-batch DataLoader.

The loader has two forms. PyTorch's: `DataLoader(dataset, batch_size=1, shuffle=False,
drop_last=False, collate_fn=None)` over a `Dataset` (anything with `__getitem__` and
`__len__`), which batches samples with `default_collate`. And this project's shortcut for
arrays: `DataLoader(X, y, batch_size=32, shuffle=True)`. The same names are importable as
`tinygrad_mlp.utils.data`, as in `torch.utils.data`.

Every data set returns `(X, y)`: `X` is float32 of shape `(n, 2)`, `y` is int64 of shape
`(n,)` holding class labels `0, 1, ...`. Classes get equal shares of the `n` points (the first
classes get one more when `n` does not divide evenly), and the rows come in random order.
All randomness (noise, row order, loader shuffling) comes from
`tinygrad_mlp.random.generator()`, so `manual_seed(n)` makes it reproducible.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from numbers import Integral, Real
from typing import Any, overload

import numpy as np

from .checks import check_int
from .functions import stack
from .random import generator
from .tensor import Tensor

__all__ = [
    "xor",
    "moons",
    "circles",
    "spirals",
    "Dataset",
    "TensorDataset",
    "default_collate",
    "DataLoader",
]


# ---------------------------------------------------------------------------------------------
# Argument checks


def _check_noise(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"noise must be a finite number >= 0, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {value!r}")
    return float(value)


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split n points over classes as evenly as possible (first classes get the extras)."""
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _finish(parts: list[np.ndarray], noise_xy: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-class point arrays, add coordinate noise, shuffle rows, cast dtypes."""
    rng = generator()
    X = np.concatenate(parts, axis=0)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    if noise_xy > 0:
        X = X + noise_xy * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order].astype(np.float32), y[order]


# ---------------------------------------------------------------------------------------------
# Data sets


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR rows, in the order (0,0)->0, (1,0)->1, (1,1)->0, (0,1)->1."""
    X = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    y = np.array([0, 1, 0, 1], dtype=np.int64)
    return X, y


def moons(n: int = 200, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles of radius 1.

    Class 0 is the upper arc centred at (0, 0); class 1 is the lower arc centred at
    (1, 0.5). `noise` is the standard deviation of Gaussian noise added to each coordinate.
    """
    n = check_int("n", n, 1)
    noise = _check_noise(noise)
    n0, n1 = _class_sizes(n, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return _finish([upper, lower], noise)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles centred at the origin.

    Class 0 lies on the circle of radius 1, class 1 on the circle of radius `factor`
    (0 <= factor < 1). `noise` is the standard deviation of Gaussian noise added to each
    coordinate.
    """
    n = check_int("n", n, 1)
    noise = _check_noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, Real):
        raise TypeError(f"factor must be a number with 0 <= factor < 1, got {factor!r}")
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be a number with 0 <= factor < 1, got {factor!r}")
    parts = []
    for size, radius in zip(_class_sizes(n, 2), (1.0, float(factor)), strict=True):
        angle = np.linspace(0.0, 2 * np.pi, size, endpoint=False)
        parts.append(radius * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return _finish(parts, noise)


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """`classes` spiral arms winding out from the origin, one class per arm.

    Along arm k the radius r runs evenly from 0.1 to 1 and the angle is
    `2*pi*k/classes + 2*pi*r` (one full turn). `noise` is the standard deviation of
    Gaussian noise added to each point's angle, in radians.
    """
    n = check_int("n", n, 1)
    classes = check_int("classes", classes, 2)
    noise = _check_noise(noise)
    rng = generator()
    parts = []
    for k, size in enumerate(_class_sizes(n, classes)):
        r = np.linspace(0.1, 1.0, size)
        angle = 2 * np.pi * k / classes + 2 * np.pi * r
        if noise > 0:
            angle = angle + noise * rng.standard_normal(size)
        parts.append(r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return _finish(parts)


# ---------------------------------------------------------------------------------------------
# Datasets


class Dataset:
    """A map-style data set, as `torch.utils.data.Dataset`: `dataset[i]` is sample i, for
    0 <= i < len(dataset). Subclass it and define `__getitem__` and `__len__`; a sample is
    anything `default_collate` batches (a Tensor, array, number, or a tuple/list/dict of them).
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must define __getitem__(self, index) to return sample index"
        )

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__(self) to return the number of samples"
        )


class TensorDataset(Dataset):
    """Samples that are rows of tensors: `dataset[i] == (t[i] for t in tensors)`, a tuple.

    Each argument is a Tensor (kept as it is, not copied) or a NumPy array (made a Tensor of
    its own dtype, sharing nothing with it afterwards); all must have the same first
    dimension, the number of samples.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        held = []
        for i, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                if t.dtype.kind not in "fiub":
                    raise TypeError(
                        f"TensorDataset: argument {i} is an array of dtype {t.dtype}; expected "
                        "numbers or booleans"
                    )
                t = Tensor(t, dtype=t.dtype)
            elif not isinstance(t, Tensor):
                raise TypeError(
                    f"TensorDataset: argument {i} is a {type(t).__name__}; pass Tensors or NumPy "
                    "arrays, e.g. TensorDataset(tg.tensor(X), tg.tensor(y)) or np.asarray(...)"
                )
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {i} is 0-dimensional; each tensor needs a first "
                    "dimension that numbers the samples"
                )
            held.append(t)
        sizes = [t.shape[0] for t in held]
        if len(set(sizes)) != 1:
            raise ValueError(
                "Size mismatch between tensors: TensorDataset needs the same first dimension "
                f"(number of samples) in every tensor, got {sizes}"
            )
        self.tensors: tuple[Tensor, ...] = tuple(held)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        shapes = ", ".join(str(t.shape) for t in self.tensors)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


# ---------------------------------------------------------------------------------------------
# Batching samples


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, with the rules of torch's default_collate.

    Tensors are stacked along a new first axis (and arrays, and NumPy scalars, become such
    a Tensor of their dtype); Python floats become a float64 Tensor, ints an int64 Tensor,
    bools a bool Tensor; strings stay a list. A tuple, list or dict of such values is
    collated position by position (key by key) into a tuple, list or dict of batches.
    """
    if len(batch) == 0:
        raise ValueError("default_collate needs at least one sample")
    elem = batch[0]
    if isinstance(elem, Tensor):
        _check_same("Tensors", batch, Tensor)
        _check_shapes([t.shape for t in batch])
        if any(t.requires_grad for t in batch):
            return stack(batch)  # recorded, as torch.stack would be
        return Tensor(np.stack([t.data for t in batch]), dtype=elem.dtype)
    if isinstance(elem, np.ndarray | np.generic) and not isinstance(elem, np.str_ | np.bytes_):
        if np.asarray(elem).dtype.kind not in "fiub":
            raise TypeError(
                f"default_collate: samples hold arrays of dtype {np.asarray(elem).dtype}; "
                "it batches arrays of numbers or booleans only"
            )
        _check_same("NumPy arrays", batch, np.ndarray | np.generic)
        _check_shapes([np.shape(a) for a in batch])
        array = np.stack(batch)
        return Tensor(array, dtype=array.dtype)
    if isinstance(elem, bool):
        _check_same("bools", batch, bool)
        return Tensor(np.array(batch, dtype=np.bool_), dtype=np.bool_)
    if isinstance(elem, int):
        _check_same("ints", batch, int)
        return Tensor(np.array(batch, dtype=np.int64), dtype=np.int64)
    if isinstance(elem, float):
        _check_same("floats", batch, float)
        return Tensor(np.array(batch, dtype=np.float64), dtype=np.float64)
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, Mapping):
        keys = list(elem)
        for j, sample in enumerate(batch):
            if not isinstance(sample, Mapping) or list(sample) != keys:
                raise ValueError(
                    f"default_collate: sample 0 is a dict with keys {keys}, but sample {j} is "
                    f"not a dict with the same keys"
                )
        return {key: default_collate([sample[key] for sample in batch]) for key in keys}
    if isinstance(elem, tuple | list):
        size = len(elem)
        for j, sample in enumerate(batch):
            if not isinstance(sample, tuple | list) or len(sample) != size:
                raise ValueError(
                    f"each element in list of batch should be of equal size: sample 0 has "
                    f"{size} items, sample {j} is {_describe(sample)}"
                )
        columns = [default_collate(list(column)) for column in zip(*batch)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
            return type(elem)(*columns)
        return tuple(columns) if isinstance(elem, tuple) else columns
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}. Return one of those from __getitem__, or pass "
        "collate_fn= to the DataLoader"
    )


def _describe(sample: Any) -> str:
    if isinstance(sample, tuple | list):
        return f"a {type(sample).__name__} of {len(sample)} items"
    return f"a {type(sample).__name__}"


def _check_same(what: str, batch: Sequence[Any], kind: Any) -> None:
    for j, sample in enumerate(batch):
        if not isinstance(sample, kind):
            raise TypeError(
                f"default_collate: sample 0 holds {what} but sample {j} holds "
                f"{type(sample).__name__} at the same place; every sample needs the same structure"
            )


def _check_shapes(shapes: list[tuple[int, ...]]) -> None:
    for j, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ValueError(
                f"default_collate: stack expects each tensor to be equal size, but got "
                f"{shapes[0]} at entry 0 and {shape} at entry {j}; pad the samples to one "
                "shape, or pass collate_fn= to the DataLoader"
            )


# ---------------------------------------------------------------------------------------------
# Loader

# torch.utils.data.DataLoader keywords with no counterpart here, and what to do instead
_TORCH_ONLY = {
    "num_workers": "batches are loaded in the main process",
    "pin_memory": "there is no GPU memory",
    "pin_memory_device": "there is no GPU memory",
    "sampler": "use shuffle=True or False, or index a Dataset of your own",
    "batch_sampler": "use batch_size, shuffle and drop_last",
    "worker_init_fn": "batches are loaded in the main process",
    "multiprocessing_context": "batches are loaded in the main process",
    "prefetch_factor": "batches are loaded in the main process",
    "persistent_workers": "batches are loaded in the main process",
    "timeout": "batches are loaded in the main process",
    "generator": "shuffling draws from the package generator: seed it with tg.manual_seed(n)",
    "in_order": "batches always come in order",
}


def _dataset_form(
    dataset: Any,
    batch_size: int = 1,
    shuffle: bool = False,
    drop_last: bool = False,
    collate_fn: Callable[[list], Any] | None = None,
) -> None:
    """The signature of DataLoader(dataset, ...), for binding its arguments."""


def _array_form(
    X: Any,
    y: Any = None,
    batch_size: int = 32,
    shuffle: bool = True,
    drop_last: bool = False,
    dtype: Any = np.float32,
) -> None:
    """The signature of DataLoader(X, y, ...), for binding its arguments."""


def _is_dataset(data: Any) -> bool:
    """A Dataset, or something indexable with a length that is not array data."""
    if isinstance(data, Dataset):
        return True
    if isinstance(data, np.ndarray | Tensor | list | tuple):
        return False
    return hasattr(data, "__getitem__") and hasattr(data, "__len__")


def _bind(form: Callable, name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    for key in kwargs:
        if key in _TORCH_ONLY:
            raise TypeError(f"DataLoader has no {key}= ({_TORCH_ONLY[key]}); remove it")
    try:
        bound = inspect.signature(form).bind(*args, **kwargs)
    except TypeError as err:
        params = ", ".join(inspect.signature(form).parameters)
        raise TypeError(f"DataLoader({params}): {err}") from None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    if name == "dataset" and isinstance(arguments["batch_size"], np.ndarray | Tensor | list):
        raise TypeError(
            "DataLoader(dataset, batch_size, ...): the second argument is batch_size, got an "
            "array; a Dataset yields its targets itself, e.g. TensorDataset(X, y)"
        )
    if (
        name == "X"
        and isinstance(arguments["y"], Integral)
        and not isinstance(arguments["y"], bool)
    ):
        raise TypeError(
            f"DataLoader(X, y, ...): the second argument is y (the targets), got "
            f"{arguments['y']!r}; for the batch size write batch_size={arguments['y']!r}"
        )
    for flag in ("shuffle", "drop_last"):
        if not isinstance(arguments[flag], bool | np.bool_):
            raise TypeError(f"{flag} must be True or False, got {arguments[flag]!r}")
    return arguments


class DataLoader:
    """Iterate over a data set in mini-batches of Tensors; each `iter(loader)` is one epoch.

    Two forms, told apart by the first argument:

    - `DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None)`,
      as in PyTorch, when `dataset` is a `Dataset` (or any non-array object with
      `__getitem__` and `__len__`). Each batch is `collate_fn(list of samples)`,
      `default_collate` by default: `TensorDataset(X, y)` gives `(xb, yb)` batches. Dtypes
      are kept.
    - `DataLoader(X, y=None, batch_size=32, shuffle=True, drop_last=False, dtype=float32)`
      when `X` is array data (a NumPy array, Tensor, list or tuple): batches `(xb, yb)` of
      rows of `X` and `y` (only `xb` when `y` is None). Floating data becomes `dtype`;
      integer and boolean data keep theirs.

    With `shuffle=True` every epoch draws a fresh permutation from the package generator
    (`tinygrad_mlp.random.generator()`, so `manual_seed(n)` reproduces it) when `iter()` is
    called. Batches hold `batch_size` samples; the last one is smaller unless `drop_last`
    drops it. Batches are copies: changing one never changes the data.
    """

    @overload
    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        collate_fn: Callable[[list], Any] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        X: Any,
        y: Any = None,
        batch_size: int = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        dtype: Any = np.float32,
    ) -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            data = args[0]
        elif "dataset" in kwargs or "X" in kwargs:
            data = kwargs.get("dataset", kwargs.get("X"))
        else:
            raise TypeError("DataLoader needs a data set: DataLoader(dataset, ...) or (X, y, ...)")
        if _is_dataset(data) and "X" not in kwargs:
            a = _bind(_dataset_form, "dataset", args, kwargs)
            self.dataset = a["dataset"]
            self.collate_fn = default_collate if a["collate_fn"] is None else a["collate_fn"]
            if not callable(self.collate_fn):
                raise TypeError(f"collate_fn must be callable, got {self.collate_fn!r}")
            self._only_inputs = False
        else:
            a = _bind(_array_form, "X", args, kwargs)
            self.dtype = np.dtype(a["dtype"])
            if not np.issubdtype(self.dtype, np.floating):
                raise ValueError(f"dtype must be a floating dtype, got {self.dtype}")
            self.X = self._prepare("X", a["X"])
            self.y = None if a["y"] is None else self._prepare("y", a["y"])
            if self.y is not None and len(self.y) != len(self.X):
                raise ValueError(
                    "X and y must have the same number of rows, got "
                    f"{len(self.X)} and {len(self.y)}"
                )
            arrays = (self.X,) if self.y is None else (self.X, self.y)
            self.dataset = TensorDataset(*(Tensor(v, dtype=v.dtype) for v in arrays))
            self.collate_fn = default_collate
            self._only_inputs = self.y is None
        self.batch_size = check_int("batch_size", a["batch_size"], 1)
        self.shuffle = bool(a["shuffle"])
        self.drop_last = bool(a["drop_last"])

    def _prepare(self, name: str, data: Any) -> np.ndarray:
        if isinstance(data, Dataset):
            raise TypeError(
                f"{name} is a Dataset: pass it first and alone, DataLoader(dataset, "
                "batch_size=..., shuffle=...)"
            )
        try:
            array = np.asarray(data)
        except ValueError as err:
            raise ValueError(
                f"{name} cannot be made one array ({err}); give equal-length rows of numbers, "
                "or for a list of samples wrap the data in a Dataset (e.g. TensorDataset(X, y)) "
                "and pass that: DataLoader(dataset, batch_size=...)"
            ) from None
        if array.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension (rows), got a scalar")
        if array.dtype.kind not in "fiub":
            raise TypeError(
                f"{name} must hold numbers or booleans, got an array of dtype {array.dtype}; "
                "for samples of other kinds, write a Dataset and pass DataLoader(dataset, ...)"
            )
        if np.issubdtype(array.dtype, np.floating):
            array = array.astype(self.dtype, copy=False)
        return array

    def __len__(self) -> int:
        """Number of batches in one epoch."""
        rows = len(self.dataset)
        return rows // self.batch_size if self.drop_last else -(-rows // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        # The permutation is drawn when the epoch starts, not at the first next().
        rows = len(self.dataset)
        order = generator().permutation(rows) if self.shuffle else np.arange(rows)
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        dataset, size = self.dataset, self.batch_size
        # A TensorDataset with the default collate: index whole batches at once (the same
        # values as stacking the samples one by one, without a Python loop over them).
        fast = (
            type(dataset).__getitem__ is TensorDataset.__getitem__
            and self.collate_fn is default_collate
            and not any(t.requires_grad for t in dataset.tensors)
        )
        for b in range(len(self)):
            index = order[b * size : (b + 1) * size]
            if fast:
                # Fancy indexing copies, so a batch never aliases the data set's arrays.
                batch = tuple(Tensor(t.data[index], dtype=t.dtype) for t in dataset.tensors)
            else:
                batch = self.collate_fn([dataset[int(i)] for i in index])
            yield batch[0] if self._only_inputs else batch

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
