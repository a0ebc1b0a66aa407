"""The loss layers: each holds its settings and calls the function of `functional`.

`loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1); loss = loss_fn(logits, target)`.
Constructor arguments are PyTorch's (without its deprecated size_average and reduce), by
keyword after the class weight. A `weight` (and BCEWithLogitsLoss's `pos_weight`) is kept
as a buffer, so it is in the state dict and follows `to(dtype)`, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .module import Module


def _check_reduction(reduction: Any, who: str) -> str:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{who}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _buffer(value: Any, who: str, name: str) -> Tensor | None:
    """A weight given as a Tensor (its dtype kept), array or list, as a new Tensor outside
    any graph."""
    if value is None:
        return None
    if isinstance(value, str):
        raise TypeError(
            f"{who}: {name} must be a tensor of numbers, got the string {value!r}; pass the "
            f"reduction by name: reduction={value!r}"
        )
    if isinstance(value, Tensor):
        return Tensor(value.data, dtype=value.dtype)
    return Tensor(value)


class _Loss(Module):
    def __init__(self, reduction: str) -> None:
        super().__init__()
        self.reduction = _check_reduction(reduction, type(self).__name__)


class MSELoss(_Loss):
    """(input - target)^2, reduced."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """|input - target|, reduced."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """0.5 * d^2 where |d| < delta, else delta * (|d| - delta / 2), d = input - target."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """0.5 * d^2 / beta where |d| < beta, else |d| - 0.5 * beta, d = input - target (see
    `functional.smooth_l1_loss`)."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        if not beta >= 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {beta}")
        self.beta = beta

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (see
    `functional.binary_cross_entropy`), with an optional weight per element."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight, "BCELoss", "weight"))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(input), computed stably from the logits, with an
    optional weight per element and pos_weight per class (see
    `functional.binary_cross_entropy_with_logits`)."""

    def __init__(
        self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight, "BCEWithLogitsLoss", "weight"))
        self.register_buffer("pos_weight", _buffer(pos_weight, "BCEWithLogitsLoss", "pos_weight"))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


def _check_ignore_index(ignore_index: Any, who: str) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, int | np.integer):
        raise TypeError(f"{who}: ignore_index must be an integer, got {ignore_index!r}")
    return int(ignore_index)


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices, given log-probabilities (see
    `functional.nll_loss`)."""

    def __init__(
        self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.ignore_index = _check_ignore_index(ignore_index, "NLLLoss")
        self.register_buffer("weight", _buffer(weight, "NLLLoss", "weight"))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_Loss):
    """Cross-entropy of softmax(input) against class indices or class probabilities, with
    optional class weights, ignore_index and label smoothing (see
    `functional.cross_entropy`)."""

    def __init__(
        self,
        weight: Any = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self.ignore_index = _check_ignore_index(ignore_index, "CrossEntropyLoss")
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got "
                f"{label_smoothing}"
            )
        self.label_smoothing = label_smoothing
        self.register_buffer("weight", _buffer(weight, "CrossEntropyLoss", "weight"))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class KLDivLoss(Module):
    """The Kullback-Leibler divergence of the input (log-probabilities) from the target
    (see `functional.kl_div`); reduction is 'mean' (torch's default, which warns: it
    divides by the number of elements), 'batchmean', 'sum' or 'none'."""

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__()
        if reduction not in ("mean", "batchmean", "sum", "none"):
            raise ValueError(
                f"KLDivLoss: reduction must be 'batchmean', 'sum', 'none' or 'mean', got "
                f"{reduction!r}"
            )
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """max(0, margin - target * (input1 - input2)), reduced (see
    `functional.margin_ranking_loss`)."""

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Any, input2: Any, target: Any) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """0.5 * (log(var) + (input - target)^2 / var) [+ 0.5 log(2 pi) with full], var
    floored at eps (see `functional.gaussian_nll_loss`); called as loss(input, target,
    var)."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Any, target: Any, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    """exp(input) - target * input (log_input) or input - target * log(input + eps), with
    Stirling's term for full=True (see `functional.poisson_nll_loss`)."""

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        *,
        eps: float = 1e-8,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Any, target: Any) -> Tensor:
        return F.poisson_nll_loss(
            log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )


__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "GaussianNLLLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MarginRankingLoss",
    "NLLLoss",
    "PoissonNLLLoss",
    "SmoothL1Loss",
]
