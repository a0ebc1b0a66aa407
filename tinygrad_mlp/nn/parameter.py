"""Parameter: the Tensor type a Module treats as trainable."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import default_float
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as trainable when it is assigned as an attribute.

    `Parameter(data, requires_grad=True, dtype=None)`: the data is copied. A Tensor keeps
    its dtype; other floating data becomes float32 (as in `Tensor`; or the default dtype
    `tg.set_default_dtype` chose), and integer or boolean data becomes that too, since a
    parameter must be able to have a gradient.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        if dtype is not None and np.dtype(dtype).kind != "f":
            raise TypeError(f"Parameter() needs a floating dtype, got {np.dtype(dtype)}")
        if dtype is None and isinstance(data, Tensor):
            dtype = data.dtype
        super().__init__(data, dtype=dtype)
        if self.data.dtype.kind != "f":
            self.data = self.data.astype(default_float())
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


__all__ = ["Parameter"]
