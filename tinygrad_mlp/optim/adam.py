"""Adam and AdamW (with the AMSGrad variant), as PyTorch computes them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_flag, check_number
from .optimizer import Optimizer, check_betas

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's bias corrections; `step` counts per parameter.

    With g = p.grad + weight_decay * p (the L2 penalty folded into the gradient):

        step += 1
        exp_avg    = beta1 * exp_avg    + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        v = max(max_exp_avg_sq, exp_avg_sq) (kept as max_exp_avg_sq)   if amsgrad
        v = exp_avg_sq                                                 otherwise
        p = p - lr / (1 - beta1**step) * exp_avg / (sqrt(v) / sqrt(1 - beta2**step) + eps)

    State per parameter: "step", "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" with amsgrad.
    `decoupled_weight_decay=True` (keyword-only, as in torch 2.13) decays the weights
    instead, `p = p * (1 - lr * weight_decay)` before the update: what AdamW is.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_betas(group)
        check_number("eps", group["eps"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)
        check_flag("amsgrad", group["amsgrad"])
        check_flag("decoupled_weight_decay", group["decoupled_weight_decay"])

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        keys = ("step", "exp_avg", "exp_avg_sq")
        return keys + ("max_exp_avg_sq",) if group["amsgrad"] else keys

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        amsgrad, decoupled = group["amsgrad"], group["decoupled_weight_decay"]
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "exp_avg": np.zeros_like(p.data),
                    "exp_avg_sq": np.zeros_like(p.data),
                }
            if amsgrad and "max_exp_avg_sq" not in state:  # also when turned on mid-run
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
            scale = None
            if wd != 0:
                g, scale = self._weight_decay(p, g, lr, wd, decoupled)
            state["step"] += 1
            step = state["step"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m *= beta1  # in place: no new big arrays for the state
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            if amsgrad:
                np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            step_size = lr / (1 - beta1**step)
            denom = np.sqrt(v) / (1 - beta2**step) ** 0.5
            denom += eps
            self._write(p, step_size * (m / denom), scale)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as in PyTorch.

    Each step first shrinks the weights, `p = p * (1 - lr * weight_decay)`, then does the
    Adam update above with the plain gradient (no decay folded into it).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            decoupled_weight_decay=True,
        )
