"""Stochastic gradient descent, with momentum and Nesterov momentum, as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_flag, check_number
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and Nesterov momentum.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation):

        buf = g                                          on the first step
        buf = momentum * buf + (1 - dampening) * g       afterwards
        d = g + momentum * buf  if nesterov,  else  d = buf     (d = g when momentum == 0)
        p = p - lr * d

    State per parameter: "momentum_buffer" (only when momentum != 0). `maximize=True`
    ascends (g = -p.grad); `foreach` is accepted and changes nothing (see Optimizer).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_number("momentum", group["momentum"], 0.0)
        check_number("dampening", group["dampening"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)
        check_flag("nesterov", group["nesterov"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "nesterov momentum needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _plain_descent(self) -> bool:
        """Is step() `p.data -= lr * p.grad.data` for each parameter with a gradient (no
        momentum, weight decay or maximize in any group, and no method of the step
        overridden)? A compiled replay (tinygrad_mlp.compile) then writes that update out
        in place of calling step(), for the gradients that have their parameter's shape and
        dtype (others it leaves to step())."""
        for cls in type(self).__mro__[: type(self).__mro__.index(SGD)]:  # subclasses
            if vars(cls).keys() & {"step", "_checked_grads", "_step_group", "_write"}:
                return False
        return all(
            g["momentum"] == 0 and g["weight_decay"] == 0 and not g["maximize"]
            for g in self._param_groups  # (a read a compiled replay does itself)
        )

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        if momentum == 0 and wd == 0:  # plain gradient descent: the hot path
            for p, g in zip(params, grads):
                self._write(p, lr * g)
            return
        dampening, nesterov = group["dampening"], group["nesterov"]
        for p, g in zip(params, grads):
            if wd != 0:
                g = g + wd * p.data
            if momentum != 0:
                state = self.state.setdefault(p, {})
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
                else:  # in place: no new big arrays each step
                    buf *= momentum
                    buf += g if dampening == 0 else (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            self._write(p, lr * g)
