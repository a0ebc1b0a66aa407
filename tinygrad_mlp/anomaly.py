"""`detect_anomaly()`: find the operation that first made a NaN or an Inf.

A watcher on the engine's one observation point (`autograd.observe`), like the tools in
`viz`: it looks at every forward result and every gradient the backward pass sends on,
and raises as soon as one holds a NaN or an Inf, naming the operation.

As in torch, `detect_anomaly(check_nan=False)` checks nothing (torch then only records
forward tracebacks, which Python's own traceback shows here), and
`set_detect_anomaly(mode, check_nan=True)` switches the mode as soon as it is called (for
this thread, as every watcher), or for a `with` block.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .autograd import Function, Observer, observe, watchers
from .tensor import Tensor


class detect_anomaly(Observer):
    """Within this block, a NaN or Inf made by any operation, in the forward pass or in the
    backward pass, raises a `RuntimeError` that names the operation (unless
    `check_nan=False`)."""

    def __init__(self, check_nan: bool = True) -> None:
        if not isinstance(check_nan, bool):
            raise TypeError(f"check_nan must be True or False, got {check_nan!r}")
        self.check_nan = check_nan

    def __enter__(self) -> detect_anomaly:
        self._block = observe(self)
        self._block.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._block.__exit__(*exc)

    def forward(self, op: type, node: Function | None, inputs: tuple, out: Tensor) -> None:
        if self.check_nan:
            _check_finite(out.data, f"{op.__name__} (forward)")

    def backward(self, node: Function, grad_output: Any, grads: tuple, rule_out: tuple) -> None:
        for g in grads if self.check_nan else ():
            if g is not None:
                _check_finite(g.data if isinstance(g, Tensor) else g, f"{node.name()} (backward)")


def _check_finite(data: Any, what: str) -> None:
    if isinstance(data, np.ndarray) and data.dtype.kind == "f" and not np.isfinite(data).all():
        kind = "NaN" if np.isnan(data).any() else "Inf"
        raise RuntimeError(f"detect_anomaly: {what} produced {kind} (shape {data.shape})")


class set_detect_anomaly:
    """Anomaly detection on (`mode=True`) or off from this call on, as torch's: on its own
    line it stays so until switched again; `with set_detect_anomaly(mode):` puts the
    previous state back on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"mode must be True or False, got {mode!r}")
        self.prev = _switched_on.detector
        _switch(detect_anomaly(check_nan) if mode else None)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _switch(self.prev)


class _SwitchedOn(threading.local):
    """This thread's detector turned on by set_detect_anomaly (not by a with block)."""

    detector: detect_anomaly | None = None


_switched_on = _SwitchedOn()


def _switch(detector: detect_anomaly | None) -> None:
    """Make `detector` this thread's switched-on detector (None: none), leaving the
    watchers registered by with blocks as they are."""
    old = _switched_on.detector
    if old is detector:
        return
    if old is not None:
        old.__exit__(None, None, None)
    _switched_on.detector = detector
    if detector is not None:
        detector.__enter__()


def is_anomaly_enabled() -> bool:
    """Is anomaly detection on in this thread (a detect_anomaly block, or switched on)?"""
    return any(isinstance(w, detect_anomaly) for w in watchers())


__all__ = ["detect_anomaly", "is_anomaly_enabled", "set_detect_anomaly"]
