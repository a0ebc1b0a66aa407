"""Adamax (Kingma & Ba): Adam with the infinity norm, as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_number
from .optimizer import Optimizer, check_betas

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adam with the running root mean square replaced by a decaying running maximum.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation, where eps
    goes inside the maximum):

        step += 1
        exp_avg = beta1 * exp_avg + (1 - beta1) * g
        exp_inf = max(beta2 * exp_inf, |g| + eps)
        p = p - lr / (1 - beta1**step) * exp_avg / exp_inf

    State per parameter: "step" (an int, from 0), "exp_avg" and "exp_inf" (from zero).
    As in torch, `foreach` may also be given by position (after weight_decay). torch's
    `capturable` and `differentiable` options are left out (as for the other optimizers
    here): their default False is what this does.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_betas(group)
        check_number("eps", group["eps"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_inf")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "exp_avg": np.zeros_like(p.data),
                    "exp_inf": np.zeros_like(p.data),
                }
            state["step"] += 1
            if wd != 0:
                g = g + wd * p.data
            m, u = state["exp_avg"], state["exp_inf"]
            m *= beta1  # in place: no new big arrays for the state
            m += (1 - beta1) * g
            u *= beta2
            bound = np.abs(g)
            bound += eps
            np.maximum(u, bound, out=u)
            clr = lr / (1 - beta1 ** state["step"])
            self._write(p, clr * (m / u))
