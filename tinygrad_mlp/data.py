"""Toy data sets for 2-D classification; Dataset, TensorDataset and a mini-batch DataLoader.

The loader has two forms. PyTorch's: `DataLoader(dataset, batch_size=1, shuffle=False,
drop_last=False, collate_fn=None)` over anything with `__getitem__` and `__len__` (a
`Dataset`, a list of samples, an array or Tensor of rows), which batches samples with
`default_collate`. And this project's shortcut for arrays: `DataLoader(X, y, batch_size=32,
shuffle=True)`, chosen only where torch's DataLoader could not mean anything else (see
`DataLoader`). The same names are importable as `tinygrad_mlp.utils.data`, as in
`torch.utils.data`.

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

_package_generator = generator  # (random_split's argument of that name hides it)

__all__ = [
    "xor",
    "moons",
    "circles",
    "spirals",
    "Dataset",
    "TensorDataset",
    "Subset",
    "random_split",
    "default_collate",
    "default_convert",
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


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order, as `torch.utils.data.Subset`:
    `subset[i]` is `dataset[indices[i]]` (a list of positions gives a list of samples)."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return [self.dataset[self.indices[i]] for i in idx]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} samples)"


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: np.random.Generator | None = None
) -> list[Subset]:
    """Split `dataset` into non-overlapping Subsets of the given lengths, from one random
    permutation, as `torch.utils.data.random_split`. `lengths` are counts that add up to
    len(dataset), or fractions that add up to 1: each gets floor(n * fraction) samples and
    the samples left over go one each to the first subsets, as in PyTorch.

    The permutation is drawn from `generator` (a NumPy Generator; by default the package's,
    so `tg.manual_seed(n)` reproduces it). It is not torch's permutation: torch's generator
    is another one, so the same seed picks other samples.
    """
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"random_split(): generator must be None or a NumPy Generator (tg.manual_seed(n) "
            f"returns one), got {type(generator).__name__}"
        )
    n = len(dataset)
    lengths = list(lengths)
    if not lengths or any(isinstance(v, bool) or not isinstance(v, int | float) for v in lengths):
        raise TypeError(
            "random_split(): lengths must be a non-empty list of ints or of fractions, got "
            f"{lengths!r}"
        )
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:  # fractions (PyTorch's test)
        if any(not 0 <= v <= 1 for v in lengths):
            raise ValueError(f"random_split(): fractions must lie in [0, 1], got {lengths!r}")
        sizes = [math.floor(n * v) for v in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    elif all(isinstance(v, int) for v in lengths):
        sizes = lengths
    else:
        raise ValueError(
            f"random_split(): lengths must be counts or fractions that add up to 1, got {lengths!r}"
        )
    if any(v < 0 for v in sizes) or sum(sizes) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset: lengths "
            f"{sizes} add up to {sum(sizes)}, the dataset has {n} samples"
        )
    order = (generator or _package_generator()).permutation(n).tolist()
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, order[start : start + size]))
        start += size
    return out


# ---------------------------------------------------------------------------------------------
# Batching samples


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, with the rules of torch's default_collate.

    Tensors are stacked along a new first axis (and arrays, and NumPy scalars, become such
    a Tensor of their dtype); Python floats become a float64 Tensor, ints an int64 Tensor,
    bools a bool Tensor; strings stay a list. A tuple or list of such values is collated
    position by position into a list of batches (a tuple too becomes a list, as in torch;
    a named tuple stays one), a dict key by key into a dict.
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
        return columns  # a list for a tuple too: torch's rule
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}. Return one of those from __getitem__, or pass "
        "collate_fn= to the DataLoader"
    )


def default_convert(data: Any) -> Any:
    """A sample as `DataLoader(batch_size=None)` yields it, with torch's default_convert:
    a NumPy array of numbers or a NumPy scalar becomes a Tensor of its dtype (a copy, not a
    view), a tuple or list becomes a list of converted items (a named tuple stays one), a dict
    is converted value by value; Tensors, Python numbers, strings and the rest stay as they
    are."""
    if isinstance(data, np.ndarray | np.generic) and np.asarray(data).dtype.kind in "fiub":
        return Tensor(np.array(data), dtype=np.asarray(data).dtype)
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a named tuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple | list):
        return [default_convert(d) for d in data]
    return data


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
    batch_size: int | None = 1,
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


def _is_array_form(args: tuple, kwargs: dict) -> bool:
    """Is this the shortcut DataLoader(X, y, ...)? Only where torch's DataLoader(dataset,
    batch_size, ...) could not mean anything else: when targets are given as the second
    argument (anything but an integer or None, which torch reads as batch_size), or when
    `X=`, `y=` or `dtype=` (names torch does not have) is passed. A Dataset, or `dataset=`,
    is always torch's form; so is one argument alone, even an array or a list."""
    if "dataset" in kwargs or (args and isinstance(args[0], Dataset)):
        return False
    if any(key in kwargs for key in ("X", "y", "dtype")):
        return True
    return len(args) > 1 and args[1] is not None and not isinstance(args[1], Integral)


def _check_dataset(data: Any) -> None:
    if isinstance(data, np.ndarray | np.generic | Tensor) and np.ndim(data) == 0:
        raise ValueError(
            "DataLoader(dataset, ...): the data set must have at least one dimension (one "
            f"sample per row), got a {type(data).__name__} scalar"
        )
    if not (hasattr(data, "__getitem__") and hasattr(data, "__len__")):
        raise TypeError(
            f"DataLoader(dataset, ...): a data set needs __len__ and __getitem__ (a Dataset, a "
            f"list of samples, an array of rows), got a {type(data).__name__}"
        )


def _bind(form: Callable, name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    for key in kwargs:
        if key in _TORCH_ONLY:
            raise TypeError(f"DataLoader has no {key}= ({_TORCH_ONLY[key]}); remove it")
    try:
        bound = inspect.signature(form).bind(*args, **kwargs)
    except TypeError as err:
        params = ", ".join(inspect.signature(form).parameters)
        hint = ""
        if name == "dataset" and len(args) > 1 and "batch_size" in kwargs:
            hint = (
                "; the second argument is batch_size, as in torch (for the shortcut "
                "DataLoader(X, y, ...) without targets, write y=None)"
            )
        raise TypeError(f"DataLoader({params}): {err}{hint}") from None
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

    Two forms:

    - `DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None)`,
      as in PyTorch, over anything with `__getitem__` and `__len__`: a `Dataset`, a list of
      samples (`[(x0, y0), (x1, y1), ...]`), an array or Tensor of rows. Each batch is
      `collate_fn(list of samples)`, `default_collate` by default: `TensorDataset(X, y)`
      gives `[xb, yb]` batches, a list of `(float, int)` samples a float64 and an int64
      Tensor. Dtypes are kept. With `batch_size=None` there is no batching, as in torch:
      each sample comes alone, through `collate_fn` (default `default_convert`).
    - `DataLoader(X, y, batch_size=32, shuffle=True, drop_last=False, dtype=float32)`, this
      project's shortcut, when the second argument is the targets (array data: a NumPy
      array, Tensor, list or tuple) or `X=`, `y=` or `dtype=` is given by name (`y=None`:
      no targets): batches `[xb, yb]` of rows of `X` and `y` (only `xb` when `y` is None).
      Floating data becomes `dtype`; integer and boolean data keep theirs. One array alone,
      `DataLoader(X, batch_size=8)`, is torch's form: its rows, in order, dtype kept.

    With `shuffle=True` every epoch draws a fresh permutation from the package generator
    (`tinygrad_mlp.random.generator()`, so `manual_seed(n)` reproduces it) when `iter()` is
    called. Batches hold `batch_size` samples; the last one is smaller unless `drop_last`
    drops it. Batches are copies: changing one never changes the data.
    """

    @overload
    def __init__(
        self,
        dataset: Dataset | Sequence[Any] | np.ndarray | Tensor,
        batch_size: int | None = 1,
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
        if not args and "dataset" not in kwargs and "X" not in kwargs:
            raise TypeError("DataLoader needs a data set: DataLoader(dataset, ...) or (X, y, ...)")
        if not _is_array_form(args, kwargs):
            a = _bind(_dataset_form, "dataset", args, kwargs)
            self.dataset = a["dataset"]
            _check_dataset(self.dataset)
            if a["batch_size"] is None and a["drop_last"]:
                raise ValueError(
                    "batch_size=None option disables auto-batching and is mutually exclusive "
                    "with drop_last"
                )
            default = default_convert if a["batch_size"] is None else default_collate
            self.collate_fn = default if a["collate_fn"] is None else a["collate_fn"]
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
        size = a["batch_size"]
        unbatched = size is None and "dtype" not in a  # None is torch's form's "no batching"
        self.batch_size: int | None = None if unbatched else check_int("batch_size", size, 1)
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
                "or pass a list of samples alone, DataLoader(samples, batch_size=...), or a "
                "Dataset such as TensorDataset(X, y)"
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
        """Number of batches in one epoch (of samples, with batch_size=None)."""
        rows = len(self.dataset)
        if self.batch_size is None:
            return rows
        return rows // self.batch_size if self.drop_last else -(-rows // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        # The permutation is drawn when the epoch starts, not at the first next().
        rows = len(self.dataset)
        order = generator().permutation(rows) if self.shuffle else np.arange(rows)
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        dataset, size = self.dataset, self.batch_size
        if size is None:  # no batching: each sample alone, as torch's batch_size=None
            for i in order:
                yield self.collate_fn(dataset[int(i)])
            return
        # A TensorDataset with the default collate: index whole batches at once (the same
        # values as stacking the samples one by one, without a Python loop over them).
        fast = (
            isinstance(dataset, TensorDataset)
            and type(dataset).__getitem__ is TensorDataset.__getitem__
            and self.collate_fn is default_collate
            and not any(t.requires_grad for t in dataset.tensors)
        )
        for b in range(len(self)):
            index = order[b * size : (b + 1) * size]
            if fast:
                # Fancy indexing copies, so a batch never aliases the data set's arrays.
                batch = [Tensor(t.data[index], dtype=t.dtype) for t in dataset.tensors]
            else:
                batch = self.collate_fn([dataset[int(i)] for i in index])
            yield batch[0] if self._only_inputs else batch

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
