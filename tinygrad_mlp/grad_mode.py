"""Grad mode: whether operations record the graph, switched per thread.

`no_grad()`, `enable_grad()` and `set_grad_enabled(flag)` are context managers and
decorators, as in `torch.autograd.grad_mode`. They flip one flag of the engine,
`autograd.switches.grad_enabled`, which `Function.apply` reads before it makes a node; the
previous state comes back on exit, even when the block raises.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .autograd import switches


class set_grad_enabled:
    """Turn graph recording on or off: a context manager and a decorator.

    `no_grad()` and `enable_grad()` are this class with the flag fixed.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(switches.grad_enabled)
        switches.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        switches.grad_enabled = self.prev.pop()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """`with no_grad():` (or `@no_grad()`) runs operations without recording a graph."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again, e.g. inside a `no_grad` block."""

    def __init__(self) -> None:
        super().__init__(True)


__all__ = ["enable_grad", "no_grad", "set_grad_enabled"]
