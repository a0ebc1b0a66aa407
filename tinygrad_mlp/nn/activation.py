"""The activation layers, and Softmax and LogSoftmax: one module per function of
`functional`, holding its settings (shown in the repr as PyTorch shows them, e.g.
"LeakyReLU(negative_slope=0.01)"). Those PyTorch gives `inplace=` take it too, at its
position, and pass it on (see `functional.relu`); the repr shows "inplace=True" as
PyTorch's does."""

from __future__ import annotations

import warnings
from typing import Any

from .. import functional as F
from ..tensor import Tensor
from .module import Module


class _InPlace(Module):
    """An activation with PyTorch's `inplace=False` argument."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_InPlace):
    """max(x, 0)"""

    def forward(self, x: Any) -> Tensor:
        return F.relu(x, self.inplace)


class Sigmoid(Module):
    """1 / (1 + exp(-x))"""

    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x)"""

    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x"""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + _inplace_repr(self)


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1)"""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Any) -> Tensor:
        return F.elu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_repr(self)


class GELU(Module):
    """x * Phi(x), exactly (approximate="none", with erf) or with PyTorch's tanh formula
    (approximate="tanh"); see `functional.gelu`."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_InPlace):
    """x * sigmoid(x)"""

    def forward(self, x: Any) -> Tensor:
        return F.silu(x, self.inplace)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, and x where beta * x > threshold"""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Any) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Mish(_InPlace):
    """x * tanh(softplus(x))"""

    def forward(self, x: Any) -> Tensor:
        return F.mish(x, self.inplace)


class Hardtanh(Module):
    """x limited to [min_val, max_val] (gradient 1 strictly inside, 0 elsewhere)"""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if not max_val > min_val:
            raise ValueError(
                f"{type(self).__name__}: max_val must be greater than min_val, got "
                f"min_val={min_val}, max_val={max_val}"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Any) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_repr(self)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): Hardtanh(0, 6), as in PyTorch"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardswish(_InPlace):
    """x * min(max(x + 3, 0), 6) / 6"""

    def forward(self, x: Any) -> Tensor:
        return F.hardswish(x, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch's repr does not show inplace here


class Hardsigmoid(_InPlace):
    """min(max(x + 3, 0), 6) / 6"""

    def forward(self, x: Any) -> Tensor:
        return F.hardsigmoid(x, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch's repr does not show inplace here


class LogSigmoid(Module):
    """log(sigmoid(x)), computed stably"""

    def forward(self, x: Any) -> Tensor:
        return F.log_sigmoid(x)


class Softsign(Module):
    """x / (1 + |x|)"""

    def forward(self, x: Any) -> Tensor:
        return F.softsign(x)


class GLU(Module):
    """a * sigmoid(b), a and b the halves of the input along `dim` (see `functional.glu`)"""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Tensor:
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _inplace_repr(module: Module) -> str:
    return ", inplace=True" if module.inplace else ""


def _implicit_dim(module: Module, ndim: int) -> int:
    """PyTorch's (deprecated) choice of axis for a Softmax built without dim: 0 for inputs
    of 0, 1 or 3 dimensions, else 1. It warns, as PyTorch does."""
    warnings.warn(
        f"{type(module).__name__} without dim= picks the axis from the input's number of "
        "dimensions (PyTorch's deprecated rule); give it, e.g. dim=-1",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """softmax along `dim`: exp(x) / sum(exp(x)) (stable; see `functional.softmax`)"""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        dim = _implicit_dim(self, x.ndim) if self.dim is None else self.dim
        return F.softmax(x, dim=dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log_softmax along `dim`: (x - m) - log(sum(exp(x - m))), m = max(x)"""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        dim = _implicit_dim(self, x.ndim) if self.dim is None else self.dim
        return F.log_softmax(x, dim=dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


__all__ = [
    "ELU",
    "GELU",
    "GLU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LeakyReLU",
    "LogSigmoid",
    "LogSoftmax",
    "Mish",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Softsign",
    "Tanh",
]
