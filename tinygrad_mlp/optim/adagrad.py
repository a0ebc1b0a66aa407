"""Adagrad (Duchi, Hazan & Singer), as PyTorch computes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..checks import check_number
from .optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Scale each coordinate's step by the root of the sum of its squared gradients.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation):

        step += 1
        clr = lr / (1 + (step - 1) * lr_decay)
        sum = sum + g * g
        p = p - clr * g / (sqrt(sum) + eps)

    State per parameter: "step" (from 0) and "sum" (from initial_accumulator_value), made
    when the parameter joins the optimizer (PyTorch makes it in the constructor, and at the
    first step for a group added later). Each group's own initial_accumulator_value is used;
    PyTorch 2.x uses the constructor's value for every group.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
            foreach=foreach,
        )
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self.state[p] = {"step": 0, "sum": self._initial_sum(p, group)}

    @staticmethod
    def _initial_sum(p: Any, group: dict[str, Any]) -> np.ndarray:
        return np.full_like(p.data, group["initial_accumulator_value"])

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_number("lr_decay", group["lr_decay"], 0.0)
        check_number("weight_decay", group["weight_decay"], 0.0)
        check_number("initial_accumulator_value", group["initial_accumulator_value"], 0.0)
        check_number("eps", group["eps"], 0.0)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, lr_decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:  # e.g. after load_state_dict of a state without this parameter
                state = self.state[p] = {"step": 0, "sum": self._initial_sum(p, group)}
            state["step"] += 1
            if wd != 0:
                g = g + wd * p.data
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            total = state["sum"]
            total += g * g
            std = np.sqrt(total)
            std += eps
            self._write(p, clr * (g / std))
