"""RAdam (Liu et al.): Adam with its variance rectified, as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_flag, check_number
from .optimizer import Optimizer, check_betas

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """Adam that takes plain momentum steps until its second moment can be trusted.

    With g = p.grad + weight_decay * p (or, with decoupled_weight_decay=True, the plain
    gradient and first `p = p * (1 - lr * weight_decay)`), each step does (PyTorch's
    formulation):

        step += 1
        exp_avg    = beta1 * exp_avg    + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        m_hat   = exp_avg / (1 - beta1**step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t   = rho_inf - 2 * step * beta2**step / (1 - beta2**step)
        if rho_t > 5:     (the variance is tractable: rectify it)
            r = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p = p - lr * m_hat * sqrt(1 - beta2**step) / (sqrt(exp_avg_sq) + eps) * r
        else:             (the first few steps: momentum SGD on m_hat)
            p = p - lr * m_hat

    rho_t grows with the step towards rho_inf: with the default beta2 = 0.999 the first 5
    steps take the plain branch, and with beta2 <= 2/3 (rho_inf <= 5) every step does.

    State per parameter: "step" (an int, from 0), "exp_avg" and "exp_avg_sq" (from zero).
    torch's `capturable` and `differentiable` options are left out (as for the other
    optimizers here): their default False is what this does.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
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
        check_flag("decoupled_weight_decay", group["decoupled_weight_decay"])

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_avg_sq")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        decoupled = group["decoupled_weight_decay"]
        rho_inf = 2 / (1 - beta2) - 1
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "exp_avg": np.zeros_like(p.data),
                    "exp_avg_sq": np.zeros_like(p.data),
                }
            state["step"] += 1
            step = state["step"]
            scale = None
            if wd != 0:
                g, scale = self._weight_decay(p, g, lr, wd, decoupled)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m *= beta1  # in place: no new big arrays for the state
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            correction1 = 1 - beta1**step
            correction2 = 1 - beta2**step
            m_hat = m / correction1
            rho_t = rho_inf - 2 * step * beta2**step / correction2
            m_hat *= lr  # (m_hat is a new array: exp_avg stays as it was)
            if rho_t > 5.0:  # rectified; else the plain momentum step lr * m_hat
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
                root = np.sqrt(v)
                root += eps
                m_hat *= correction2**0.5 / root
                m_hat *= rect
            self._write(p, m_hat, scale)
