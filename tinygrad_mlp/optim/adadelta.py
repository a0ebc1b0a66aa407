"""Adadelta (Zeiler), as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_number
from .optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Scale each step by the ratio of running RMS values of past steps and of gradients.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation):

        step += 1
        square_avg = rho * square_avg + (1 - rho) * g * g
        delta      = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
        acc_delta  = rho * acc_delta + (1 - rho) * delta * delta
        p = p - lr * delta

    (acc_delta takes the step before lr scales it.) State per parameter: "step" (an int,
    from 0), "square_avg" and "acc_delta" (from zero). As in torch, rho may be anything in
    [0, 1], and `foreach` may also be given by position (after weight_decay). torch's
    `capturable` and `differentiable` options are left out (as for the other optimizers
    here): their default False is what this does.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_number("rho", group["rho"], 0.0)
        if group["rho"] > 1:
            raise ValueError(f"rho must be in [0.0, 1.0], got {group['rho']!r}")
        check_number("eps", group["eps"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "square_avg", "acc_delta")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "square_avg": np.zeros_like(p.data),
                    "acc_delta": np.zeros_like(p.data),
                }
            state["step"] += 1
            if wd != 0:
                g = g + wd * p.data
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            square_avg *= rho  # in place: no new big arrays for the state
            square_avg += (1 - rho) * (g * g)
            delta = np.sqrt(acc_delta + eps)
            delta /= np.sqrt(square_avg + eps)
            delta *= g
            acc_delta *= rho
            acc_delta += (1 - rho) * (delta * delta)
            self._write(p, lr * delta)
