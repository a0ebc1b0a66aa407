"""Grad mode: whether operations record the graph, switched per thread.

`no_grad()`, `enable_grad()` and `set_grad_enabled(flag)` are context managers and
decorators, as in `torch.autograd.grad_mode`. They flip one flag of the engine,
`autograd.switches.grad_enabled`, which `Function.apply` reads before it makes a node; the
previous state comes back on exit, even when the block raises.

As in PyTorch:

- `set_grad_enabled(flag)` switches the mode as soon as it is called, so it also works as
  a plain function call (`tg.set_grad_enabled(False)` turns recording off until it is
  switched back); used in `with` it puts the previous mode back on exit.
- As decorators they run each call of the function under their mode; on a generator
  function, each time the generator resumes (and the caller's mode comes back at every
  `yield`).
- `no_grad` and `enable_grad` also decorate without parentheses: `@tg.no_grad`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Generator, Iterator
from typing import Any

import numpy as np

from .autograd import switches


@contextlib.contextmanager
def _mode(mode: bool) -> Iterator[None]:
    """One block of grad mode `mode` (a fresh one for every call a decorator wraps)."""
    previous, switches.grad_enabled = switches.grad_enabled, mode
    try:
        yield
    finally:
        switches.grad_enabled = previous


def _decorate(mode: bool, fn: Callable) -> Callable:
    """`fn` run under grad mode `mode`: each call, or for a generator function, each resume."""
    if inspect.isclass(fn):
        raise TypeError(
            "a grad mode cannot decorate a class (it is ambiguous, as in torch); decorate its "
            "methods instead"
        )
    if not callable(fn):
        raise TypeError(f"a grad mode decorates a function, got {type(fn).__name__}")
    if inspect.isgeneratorfunction(fn):
        return _decorate_generator(mode, fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _mode(mode):
            return fn(*args, **kwargs)

    return wrapper


def _decorate_generator(mode: bool, fn: Callable) -> Callable:
    """The generator's body runs under `mode` whenever it runs: at the start, after each
    `send`, `throw` or `close`; between yields the caller's mode is in force."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Generator:
        gen = fn(*args, **kwargs)
        try:
            with _mode(mode):
                value = gen.send(None)
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    with _mode(mode):
                        gen.close()
                    raise
                except BaseException as err:  # thrown in by the caller: pass it on
                    with _mode(mode):
                        value = gen.throw(err)
                else:
                    with _mode(mode):
                        value = gen.send(sent)
        except StopIteration as stop:
            return stop.value

    return wrapper


class GradModeBlock:
    """A grad mode fixed when made, switched on only inside `with` (and inside the calls of
    a function it decorates): the part `no_grad`, `enable_grad`, `set_grad_enabled` and
    `inference_mode` share. Making one changes nothing; blocks of one object may nest."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(switches.grad_enabled)
        switches.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        switches.grad_enabled = self.prev.pop()

    def __call__(self, fn: Callable) -> Callable:
        return _decorate(self.mode, fn)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mode={self.mode})"


class set_grad_enabled(GradModeBlock):
    """Turn graph recording on or off, from this call on: `tg.set_grad_enabled(False)` on
    its own line switches it off until switched back; `with set_grad_enabled(flag):` puts
    the previous mode back on exit; `@set_grad_enabled(flag)` runs each call of the
    function under `flag` (and leaves the mode as it was when it decorated)."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool | np.bool_):  # as torch: 0, 1, None, "no" are refused
            raise TypeError(
                f"set_grad_enabled(): argument 'mode' must be True or False, got "
                f"{type(mode).__name__} {mode!r}; write set_grad_enabled(bool(...)) to convert"
            )
        super().__init__(mode)
        self._before: bool | None = switches.grad_enabled  # what the first exit restores
        switches.grad_enabled = self.mode

    def __enter__(self) -> None:
        if self._before is None:  # a later block of the same object
            super().__enter__()
            return
        self.prev.append(self._before)  # the mode before the call that made this object
        self._before = None
        switches.grad_enabled = self.mode

    def __call__(self, fn: Callable) -> Callable:
        if self._before is not None:  # used as a decorator: the call switched nothing
            switches.grad_enabled, self._before = self._before, None
        return super().__call__(fn)


class no_grad(GradModeBlock):
    """`with no_grad():` (or `@no_grad()`, or `@no_grad`) runs operations without recording
    a graph."""

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is not None:  # used as a decorator without parentheses
            return _decorate(False, orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func: None = None) -> None:
        super().__init__(False)


class enable_grad(GradModeBlock):
    """Record the graph again, e.g. inside a `no_grad` block (also `@enable_grad()` or
    `@enable_grad`)."""

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is not None:  # used as a decorator without parentheses
            return _decorate(True, orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func: None = None) -> None:
        super().__init__(True)


__all__ = ["enable_grad", "no_grad", "set_grad_enabled"]
