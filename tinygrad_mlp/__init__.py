"""tinygrad_mlp: a small, readable autograd framework on NumPy.

    import tinygrad_mlp as tg
    x = tg.Tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

Reading order: tensor.py (the Tensor), autograd.py (the graph and the backward pass),
ops.py (the primitives), then functional.py and nn/ built on them.
"""

from . import autograd, data, functional, nn, optim, utils  # autograd first: all builds on it
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .io import load, save
from .random import manual_seed
from .tensor import Tensor, concatenate, matmul, maximum, minimum, stack, where

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "arange",
    "autograd",
    "data",
    "functional",
    "nn",
    "optim",
    "utils",
    "concatenate",
    "enable_grad",
    "eye",
    "full",
    "is_grad_enabled",
    "load",
    "manual_seed",
    "matmul",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "save",
    "set_grad_enabled",
    "stack",
    "tensor",
    "where",
    "zeros",
    "zeros_like",
]
