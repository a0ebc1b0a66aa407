"""Rprop (Riedmiller & Braun): resilient backpropagation, as PyTorch computes it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np

from ..checks import check_number
from .optimizer import Optimizer

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Move each element by its own step size in the direction of its gradient's sign,
    growing the step while the sign holds and shrinking it when the sign flips.

    With g = p.grad (Rprop has no weight decay, in torch neither), each step does
    (PyTorch's formulation), element by element:

        step += 1
        s = sign(g * prev)
        step_size = clip(step_size * etaplus,  min, max)   where s > 0  (the same sign)
        step_size = clip(step_size * etaminus, min, max)   where s < 0  (the sign flipped)
                    clip(step_size,            min, max)   where s = 0
        g = 0                                              where s < 0
        p = p - sign(g) * step_size
        prev = g

    with (etaminus, etaplus) = etas and (min, max) = step_sizes. Where the sign flipped,
    the element does not move this step, and its prev becomes 0, so the next step keeps its
    (shrunk) step size whatever the sign. The zeroed gradient is a copy: `p.grad` is not
    changed. `step_size` starts at the group's lr when the parameter's state is made (at
    its first step); later changes to lr change nothing, as in torch.

    State per parameter: "step" (an int, from 0), "prev" (from zero) and "step_size" (from
    lr). torch's `capturable` and `differentiable` options are left out (as for the other
    optimizers here): their default False is what this does.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            etas=etas,
            step_sizes=step_sizes,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        etas = group["etas"]
        if not isinstance(etas, tuple) or len(etas) != 2:
            raise ValueError(f"etas must be a pair (etaminus, etaplus), got {etas!r}")
        check_number("etas[0]", etas[0], 0.0)
        check_number("etas[1]", etas[1], 0.0)
        if not 0 < etas[0] < 1 < etas[1]:
            raise ValueError(
                f"etas must be (etaminus, etaplus) with 0 < etaminus < 1 < etaplus, got {etas!r}"
            )
        sizes = group["step_sizes"]
        if not isinstance(sizes, tuple) or len(sizes) != 2:
            raise ValueError(f"step_sizes must be a pair (min, max), got {sizes!r}")
        low, high = sizes
        check_number("step_sizes[0]", low, 0.0)
        # the largest step size may be infinite (no limit), as in torch
        if isinstance(high, bool) or not isinstance(high, Real) or math.isnan(high) or high < low:
            raise ValueError(
                f"step_sizes[1], the largest step size, must be a number >= step_sizes[0] = "
                f"{low!r} (math.inf for no limit), got {high!r}"
            )

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "prev", "step_size")

    def _step_group(self, group: dict[str, Any], params: list, grads: list) -> None:
        (etaminus, etaplus), (size_min, size_max) = group["etas"], group["step_sizes"]
        for p, g in zip(params, grads):
            state = self.state.get(p)
            if not state:
                state = self.state[p] = {
                    "step": 0,
                    "prev": np.zeros_like(p.data),
                    "step_size": np.full_like(p.data, group["lr"]),
                }
            state["step"] += 1
            prev, step_size = state["prev"], state["step_size"]
            factor = np.sign(g * prev)  # in p's dtype: etas are rounded to it, as in torch
            same, flipped, zero = factor > 0, factor < 0, factor == 0
            factor[same] = etaplus
            factor[flipped] = etaminus
            factor[zero] = 1  # (a NaN stays NaN, and so does its step size)
            step_size *= factor
            np.clip(step_size, size_min, size_max, out=step_size)
            g = np.where(flipped, 0, g)  # a new array: the caller's gradient stays as it was
            self._write(p, np.sign(g) * step_size)
            prev[...] = g
