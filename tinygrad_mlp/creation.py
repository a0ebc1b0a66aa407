"""Ways to make tensors besides `Tensor(data)`, named as in PyTorch and NumPy.

Floating results are float32 (or `tg.set_default_dtype`'s choice) unless `dtype` says
otherwise; random ones draw from the
package's seeded generator (`manual_seed`). `from_numpy` shares the array's memory. Every
function takes PyTorch's `device=` too: "cpu" (or `tg.device("cpu")`) is the one device,
anything else is refused by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import effect
from .checks import ACCEPTED, as_device, as_dtype, as_shape, check_int, default_float
from .random import generator
from .tensor import Tensor


def _or_default(dtype: Any, who: str) -> np.dtype:
    """`dtype`, or the default floating dtype (float32 unless `tg.set_default_dtype`)."""
    return default_float() if dtype is None else as_dtype(dtype, who)


class device:
    """`tg.device("cpu")`, as `torch.device`: the one device there is. It compares equal
    to "cpu" (and to `t.device`); another name is refused when it is made."""

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:
        as_device(type, "device()")
        self.type, self.index = "cpu", index

    def __str__(self) -> str:
        return "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __eq__(self, other: object) -> bool:
        return str(other) == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


@effect  # a random draw: a compiled function (tinygrad_mlp.compile) draws again at replay
def draw(method: str, args: tuple, dtype: np.dtype) -> np.ndarray:
    """`generator().<method>(*args)` as `dtype`: the package's generator, so that
    `manual_seed(n)` reproduces it. "bernoulli" (args: shape, probabilities) is
    `random(shape) < probabilities`."""
    rng = generator()
    if method == "bernoulli":
        shape, probs = args
        if not ((probs >= 0) & (probs <= 1)).all():
            given = probs.item() if np.ndim(probs) == 0 else probs
            raise RuntimeError(f"bernoulli_(): p must be in [0, 1], got {given!r}")
        return np.asarray(rng.random(shape) < probs).astype(dtype)
    return np.asarray(getattr(rng, method)(*args)).astype(dtype)


def _new(array: np.ndarray, requires_grad: bool, device: Any, who: str) -> Tensor:
    as_device(device, who)
    t = Tensor.wrap(array)
    return t.requires_grad_(requires_grad) if requires_grad is not False else t


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares `array`'s memory and keeps its dtype, as `torch.from_numpy`:
    a change to one is seen in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"from_numpy() expects a NumPy array, got {type(array).__name__}; for other data "
            "use tg.tensor(...)"
        )
    if array.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy() got an array of dtype {array.dtype}; expected {ACCEPTED}")
    return Tensor.wrap(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """`data` as a tensor, copying only when needed, as `torch.as_tensor`: a Tensor of the
    dtype asked for is returned itself (another dtype: converted, in the graph), a NumPy
    array of that dtype is shared (as `from_numpy`), anything else is copied (`tensor`)."""
    as_device(device, "as_tensor()")
    dt = None if dtype is None else as_dtype(dtype, "as_tensor()")
    if isinstance(data, Tensor):
        return data if dt is None or dt == data.dtype else data.to(dt)
    if isinstance(data, np.ndarray) and (dt is None or dt == data.dtype):
        return from_numpy(data)
    return Tensor(data, dtype=dt)


def tensor(
    data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """`Tensor(data, dtype=..., requires_grad=...)`, spelled like `torch.tensor`: a copy; a
    NumPy array keeps its dtype, Python floats become float32."""
    as_device(device, "tensor()")
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    array = np.zeros(as_shape(size, "zeros"), dtype=_or_default(dtype, "zeros()"))
    return _new(array, requires_grad, device, "zeros()")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    array = np.ones(as_shape(size, "ones"), dtype=_or_default(dtype, "ones()"))
    return _new(array, requires_grad, device, "ones()")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """A tensor whose values are whatever the memory held (write them before reading)."""
    array = np.empty(as_shape(size, "empty"), dtype=_or_default(dtype, "empty()"))
    return _new(array, requires_grad, device, "empty()")


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """`size` filled with `fill_value`; the dtype follows the value, as in PyTorch (a
    float gives float32, an int int64, a bool bool) unless `dtype` says otherwise."""
    if dtype is None:
        dtype = default_float() if isinstance(fill_value, float) else np.asarray(fill_value).dtype
    array = np.full(as_shape((size,), "full"), fill_value, as_dtype(dtype, "full()"))
    return _new(array, requires_grad, device, "full()")


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    dt = t.dtype if dtype is None else as_dtype(dtype, "zeros_like()")
    return _new(np.zeros(t.shape, dtype=dt), requires_grad, device, "zeros_like()")


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    dt = t.dtype if dtype is None else as_dtype(dtype, "ones_like()")
    return _new(np.ones(t.shape, dtype=dt), requires_grad, device, "ones_like()")


def full_like(
    t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    dt = t.dtype if dtype is None else as_dtype(dtype, "full_like()")
    return _new(np.full(t.shape, fill_value, dtype=dt), requires_grad, device, "full_like()")


def empty_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """A tensor of t's shape (and dtype, unless `dtype` says) whose values are whatever
    the memory held."""
    dt = t.dtype if dtype is None else as_dtype(dtype, "empty_like()")
    return _new(np.empty(t.shape, dtype=dt), requires_grad, device, "empty_like()")


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """Uniform samples in [0, 1) of t's shape and (floating) dtype, as `rand`."""
    dt = _floating_like(t, dtype, "rand_like()")
    return _new(draw("random", (t.shape,), dt), requires_grad, device, "rand_like()")


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """Standard normal samples of t's shape and (floating) dtype, as `randn`."""
    array = draw("standard_normal", (t.shape,), _floating_like(t, dtype, "randn_like()"))
    return _new(array, requires_grad, device, "randn_like()")


def _floating_like(t: Tensor, dtype: Any, who: str) -> np.dtype:
    """The dtype of a random `*_like` result: t's, or `dtype`; it must be floating."""
    dt = t.dtype if dtype is None else as_dtype(dtype, who)
    if dt.kind != "f":
        raise TypeError(f"{who}: the samples are floating, got dtype {dt}; pass dtype=tg.float32")
    return dt


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The n x m matrix (n x n without m) with ones on the diagonal, as `torch.eye`."""
    (n,) = as_shape((n,), "eye")
    m = n if m is None else as_shape((m,), "eye")[0]
    array = np.eye(n, m, dtype=_or_default(dtype, "eye()"))
    return _new(array, requires_grad, device, "eye()")


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    (steps,) = as_shape((steps,), "linspace")
    array = np.linspace(start, end, steps).astype(_or_default(dtype, "linspace()"))
    return _new(array, requires_grad, device, "linspace()")


def arange(*args: float, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """`arange(stop)`, `arange(start, stop[, step])`; integer unless a float is given."""
    array = np.arange(*args)
    if dtype is None and array.dtype.kind == "f":
        dtype = default_float()
    array = array if dtype is None else array.astype(as_dtype(dtype, "arange()"))
    return _new(array, requires_grad, device, "arange()")


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """Standard normal samples."""
    dt = _or_default(dtype, "randn()")
    array = draw("standard_normal", (as_shape(size, "randn"),), dt)
    return _new(array, requires_grad, device, "randn()")


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False):
    """Uniform samples in [0, 1)."""
    array = draw("random", (as_shape(size, "rand"),), _or_default(dtype, "rand()"))
    return _new(array, requires_grad, device, "rand()")


def randint(*args: Any, size: Any = None, dtype: Any = np.int64, device: Any = None) -> Tensor:
    """Integers drawn uniformly from [low, high): `randint(high, size)` or
    `randint(low, high, size)`, as `torch.randint`."""
    if size is None and args and isinstance(args[-1], tuple | list):
        *args, size = args
    if size is None or len(args) not in (1, 2):
        raise TypeError(
            "randint() takes (high, size) or (low, high, size), size a tuple, e.g. "
            f"randint(0, 10, (3,)); got {args!r}, size={size!r}"
        )
    low, high = (0, *args) if len(args) == 1 else args
    shape = as_shape((size,), "randint")
    if high <= low:
        raise ValueError(f"randint(): high ({high}) must be larger than low ({low})")
    array = draw("integers", (low, high, shape), as_dtype(dtype, "randint()"))
    return _new(array, False, device, "randint()")


def randperm(
    n: int, *, dtype: Any = np.int64, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1 (int64 unless `dtype` says otherwise), as
    `torch.randperm`, drawn from the package's generator."""
    n = check_int("randperm(): n", n, 0)
    array = draw("permutation", (n,), as_dtype(dtype, "randperm()"))
    return _new(array, requires_grad, device, "randperm()")


__all__ = [
    "arange",
    "as_tensor",
    "device",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "tensor",
    "zeros",
    "zeros_like",
]
