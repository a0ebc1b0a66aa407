"""Weight initialisation, with PyTorch's names, formulas and defaults.

Each function fills a tensor in place (it gets a new `.data` array of the same shape and
dtype; no graph is recorded), draws from the package's generator (so `manual_seed` makes it
reproducible) and returns the tensor.

For a weight of shape (out, in, *k): fan_in = in * prod(k) and fan_out = out * prod(k).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..random import generator
from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write `values` into tensor.data, keeping its shape and dtype."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    tensor.data = np.array(np.broadcast_to(values, tensor.shape), dtype=tensor.dtype)
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as in PyTorch: 1 for linear and sigmoid,
    5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope = param,
    default 0.01), 3/4 for selu."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d")
    if nonlinearity in (*linear, "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, int | float):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a number")
        else:
            slope = param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fans(tensor: Tensor, who: str) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError(
            f"{who}: fan_in and fan_out need a tensor with at least 2 dimensions, got shape "
            f"{tensor.shape}"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str, who: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{who}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, who)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Values drawn uniformly from [a, b)."""
    return _fill(tensor, generator().uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Values drawn from the normal distribution N(mean, std^2)."""
    return _fill(tensor, generator().normal(mean, std, size=tensor.shape))


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Tensor:
    """Values drawn from N(mean, std^2) truncated to [a, b] (absolute bounds, as PyTorch's:
    not in units of std): a draw outside is drawn again, which gives exactly the truncated
    distribution (PyTorch inverts the CDF instead; the same distribution, other numbers)."""
    if not a < b:
        raise ValueError(f"trunc_normal_: the bounds must satisfy a < b, got a={a}, b={b}")
    if not std > 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    rng, n = generator(), int(np.prod(tensor.shape))
    values = np.empty(n)
    todo = np.arange(n)
    for _ in range(1000):  # each round keeps at least 4.5% of what is left (a 3-std window)
        if not todo.size:
            break
        draw = rng.normal(mean, std, size=todo.size)
        ok = (draw >= a) & (draw <= b)
        values[todo[ok]] = draw[ok]
        todo = todo[~ok]
    else:
        if todo.size:
            raise ValueError(
                f"trunc_normal_: [{a}, {b}] lies too far in the tail of N({mean}, {std}^2) to "
                "draw from; choose bounds nearer the mean"
            )
    return _fill(tensor, values.reshape(tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Every value set to val."""
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix: 1 on the diagonal of a 2-D tensor (square or not), 0 elsewhere,
    as torch.nn.init.eye_ (which refuses other numbers of dimensions, as this does)."""
    if not isinstance(tensor, Tensor):
        return _fill(tensor, 0)  # the TypeError every initialiser gives
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: uniform(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out)) if fan_in + fan_out else 0.0
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out)) if fan_in + fan_out else 0.0
    return normal_(tensor, 0.0, std)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He: uniform(-bound, bound) with bound = sqrt(3) * gain / sqrt(fan), where
    gain = calculate_gain(nonlinearity, a) and fan is fan_in or fan_out (`mode`)."""
    fan = _fan(tensor, mode, "kaiming_uniform_")
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan) if fan else 0.0
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He: N(0, std^2) with std = gain / sqrt(fan), where gain = calculate_gain(nonlinearity,
    a) and fan is fan_in or fan_out (`mode`)."""
    fan = _fan(tensor, mode, "kaiming_normal_")
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan) if fan else 0.0
    return normal_(tensor, 0.0, std)


_TORCH_ONLY = dict.fromkeys(
    ["orthogonal_", "dirac_", "sparse_"],
    "the initialisers here are " + ", ".join(__all__) + "; to fill a weight with values you "
    "computed, write `with tg.no_grad(): w.copy_(tg.tensor(values))`",
)


def __getattr__(name: str) -> object:
    from ..checks import not_provided

    raise not_provided(__name__, name, _TORCH_ONLY)
