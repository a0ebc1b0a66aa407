"""RMSprop (Hinton's lecture 6e), with momentum and the centered variant, as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_flag, check_number
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Divide the gradient by a running root mean square of recent gradients.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation):

        step += 1
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        grad_avg   = alpha * grad_avg   + (1 - alpha) * g                 if centered
        avg = sqrt(square_avg - grad_avg**2) + eps   if centered,  else  sqrt(square_avg) + eps
        buf = momentum * buf + g / avg,  p = p - lr * buf                  if momentum > 0
        p = p - lr * g / avg                                               otherwise

    State per parameter: "step", "square_avg", plus "momentum_buffer" when momentum > 0
    and "grad_avg" when centered (all start at zero).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_number("alpha", group["alpha"], 0.0)
        check_number("eps", group["eps"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)
        check_number("momentum", group["momentum"], 0.0)
        check_flag("centered", group["centered"])

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        keys: tuple[str, ...] = ("step", "square_avg")
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        if group["centered"]:
            keys += ("grad_avg",)
        return keys

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {"step": 0, "square_avg": np.zeros_like(p.data)}
            # buffers the options need, also when an option was turned on mid-run
            if momentum > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if centered and "grad_avg" not in state:
                state["grad_avg"] = np.zeros_like(p.data)
            state["step"] += 1
            if wd != 0:
                g = g + wd * p.data
            square_avg = state["square_avg"]
            square_avg *= alpha
            square_avg += (1 - alpha) * (g * g)
            if centered:
                grad_avg = state["grad_avg"]
                grad_avg *= alpha
                grad_avg += (1 - alpha) * g
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf *= momentum
                buf += g / avg
                self._write(p, lr * buf)
            else:
                self._write(p, lr * (g / avg))
