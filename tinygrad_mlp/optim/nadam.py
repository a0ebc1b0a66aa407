"""NAdam (Dozat): Adam with Nesterov momentum, and its NAdamW form, as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_flag, check_number
from .optimizer import Optimizer, check_betas

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Adam whose first moment looks one step ahead, with a momentum schedule mu_t.

    With g = p.grad + weight_decay * p (or, with decoupled_weight_decay=True, the plain
    gradient and first `p = p * (1 - lr * weight_decay)`: NAdamW), each step does
    (PyTorch's formulation):

        step += 1
        mu      = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product = mu_product * mu                      (the product of every mu so far)
        exp_avg    = beta1 * exp_avg    + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        denom = sqrt(exp_avg_sq / (1 - beta2**step)) + eps
        p = p - lr * (1 - mu) / (1 - mu_product) * g / denom
              - lr * mu_next / (1 - mu_product * mu_next) * exp_avg / denom

    State per parameter: "step" (an int, from 0), "mu_product" (a 0-d array, from 1),
    "exp_avg" and "exp_avg_sq" (from zero). "mu_product" has the parameter's dtype; torch
    keeps it in its default dtype (float32 unless set to float64), which is the same for
    parameters of the default dtype. Only a float64 parameter under the float32 default
    differs: torch rounds its mu_product to float32 each step, this does not. torch's
    `capturable` and `differentiable` options are left out (as for the other optimizers
    here): their default False is what this does.
    """

    _numbers = ("mu_product",)  # one number per parameter, not an array of its shape

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_betas(group)
        check_number("eps", group["eps"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)
        check_number("momentum_decay", group["momentum_decay"], 0.0)
        check_flag("decoupled_weight_decay", group["decoupled_weight_decay"])

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        momentum_decay, decoupled = group["momentum_decay"], group["decoupled_weight_decay"]
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "mu_product": np.ones((), dtype=p.dtype),
                    "exp_avg": np.zeros_like(p.data),
                    "exp_avg_sq": np.zeros_like(p.data),
                }
            state["step"] += 1
            step = state["step"]
            scale = None
            if wd != 0:
                g, scale = self._weight_decay(p, g, lr, wd, decoupled)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
            mu_product = state["mu_product"]
            mu_product *= mu  # in the parameter's dtype, as torch's in its scalar dtype
            product = float(mu_product)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m *= beta1  # in place: no new big arrays for the state
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            denom = np.sqrt(v / (1 - beta2**step))
            denom += eps
            grad_size = lr * (1.0 - mu) / (1.0 - product)
            avg_size = lr * mu_next / (1.0 - product * mu_next)
            delta = grad_size * (g / denom)
            delta += avg_size * (m / denom)
            self._write(p, delta, scale)
