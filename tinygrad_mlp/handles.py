"""The handle `Tensor.register_hook` returns, as PyTorch's `RemovableHandle`.

`handle.remove()` takes the hook off again (a second `remove()` does nothing), and
`with t.register_hook(fn):` keeps the hook on for the block only. Module hooks have their
own handle (nn/module.py), with the same two uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Returned by `register_hook`; `handle.remove()` (or the end of a `with` block) takes
    the hook off again."""

    def __init__(self, hooks: list, fn: Callable) -> None:
        self.hooks, self.fn = hooks, fn

    def remove(self) -> None:
        if self.fn in self.hooks:
            self.hooks.remove(self.fn)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()
