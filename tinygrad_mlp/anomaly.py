"""`detect_anomaly()`: find the operation that first made a NaN or an Inf.

A watcher on the engine's one observation point (`autograd.observe`), like the tools in
`viz`: it looks at every forward result and every gradient the backward pass sends on,
and raises as soon as one holds a NaN or an Inf, naming the operation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import Function, Observer, observe
from .tensor import Tensor


class detect_anomaly(Observer):
    """Within this block, a NaN or Inf made by any operation, in the forward pass or in the
    backward pass, raises a `RuntimeError` that names the operation."""

    def __enter__(self) -> detect_anomaly:
        self._block = observe(self)
        self._block.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._block.__exit__(*exc)

    def forward(self, op: type, node: Function | None, inputs: tuple, out: Tensor) -> None:
        _check_finite(out.data, f"{op.__name__} (forward)")

    def backward(self, node: Function, grad_output: Any, grads: tuple, rule_out: tuple) -> None:
        for g in grads:
            if g is not None:
                _check_finite(g.data if isinstance(g, Tensor) else g, f"{node.name()} (backward)")


def _check_finite(data: Any, what: str) -> None:
    if isinstance(data, np.ndarray) and data.dtype.kind == "f" and not np.isfinite(data).all():
        kind = "NaN" if np.isnan(data).any() else "Inf"
        raise RuntimeError(f"detect_anomaly: {what} produced {kind} (shape {data.shape})")


__all__ = ["detect_anomaly"]
