"""ASGD (Polyak & Juditsky): averaged stochastic gradient descent, as PyTorch computes it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np

from ..checks import check_number
from .optimizer import Optimizer

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """SGD with a decaying step size eta, and a running average `ax` of the parameters
    that starts averaging after t0 steps.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation, in this
    order; eta and mu are the values the previous step left):

        step += 1
        p  = p * (1 - lambd * eta) - eta * g
        ax = ax + mu * (p - ax)           (when mu is 1: ax = p, a copy)
        eta = lr / (1 + lambd * lr * step) ** alpha
        mu  = 1 / max(1, step - t0)

    So eta starts at the group's lr (when the parameter's state is made, at its first
    step), and the group's lr at each step sets the eta of the next. For a whole t0, `ax`
    is p itself up to step t0 + 2 and from there on the mean of the parameters since that
    step (mu = 1/2, 1/3, ... from step t0 + 3). `ax` is only kept, not used: p moves as in
    SGD, and `opt.state[p]["ax"]` is the averaged model to evaluate.

    State per parameter: "step" (an int, from 0), "eta" (a 0-d array, from lr), "mu" (a
    0-d array, from 1) and "ax" (from zero). "eta" and "mu" have the parameter's dtype;
    torch keeps them in its default dtype (float32 unless set to float64), which is the
    same for parameters of the default dtype. Only a float64 parameter under the float32
    default differs: torch rounds its eta and mu to float32 each step, this does not.
    As in torch, `foreach` and `maximize` may also be given by position (after
    weight_decay). torch's `capturable` and `differentiable` options are left out (as for
    the other optimizers here): their default False is what this does.
    """

    _numbers = ("eta", "mu")  # one number per parameter, not an array of its shape

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        check_number("lambd", group["lambd"], 0.0)
        check_number("alpha", group["alpha"], 0.0)
        t0 = group["t0"]  # infinity is allowed: then averaging never starts
        if isinstance(t0, bool) or not isinstance(t0, Real) or math.isnan(t0) or t0 < 0:
            raise ValueError(f"t0 must be a number >= 0 (or math.inf), got {t0!r}")
        check_number("weight_decay", group["weight_decay"], 0.0)

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "eta", "mu", "ax")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        lr, lambd, alpha, t0, wd = (
            group["lr"],
            group["lambd"],
            group["alpha"],
            group["t0"],
            group["weight_decay"],
        )
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "eta": np.array(lr, dtype=p.dtype),
                    "mu": np.ones((), dtype=p.dtype),
                    "ax": np.zeros_like(p.data),
                }
            state["step"] += 1
            step = state["step"]
            if wd != 0:
                g = g + wd * p.data
            eta = float(state["eta"])
            self._write(p, eta * g, 1 - lambd * eta)
            ax, mu = state["ax"], state["mu"]
            if float(mu) != 1:
                change = p.data - ax
                change *= mu
                ax += change
            else:
                ax[...] = p.data
            # the next step's eta and mu, rounded to their dtype (torch's: its scalar dtype)
            state["eta"][...] = lr / (1 + lambd * lr * step) ** alpha
            mu[...] = 1 / max(1, step - t0)
