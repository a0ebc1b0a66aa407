"""tinygrad_mlp: a small, readable autograd framework on NumPy.

    import tinygrad_mlp as tg
    x = tg.Tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

Reading order: tensor.py (the Tensor), autograd.py (the graph and the backward pass),
ops.py (the primitives), then functional.py and nn/ built on them.
"""

from . import autograd  # first: tensor.py and ops.py build on it
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import manual_seed
from .tensor import Tensor, concatenate, matmul, maximum, minimum, stack, where

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "autograd",
    "concatenate",
    "enable_grad",
    "is_grad_enabled",
    "manual_seed",
    "matmul",
    "maximum",
    "minimum",
    "no_grad",
    "set_grad_enabled",
    "stack",
    "where",
]
