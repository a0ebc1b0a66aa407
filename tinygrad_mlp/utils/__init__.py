"""Utilities under PyTorch's names: `tinygrad_mlp.utils.data` is `torch.utils.data`'s
counterpart (the same objects as `tinygrad_mlp.data`)."""

from . import data

__all__ = ["data"]
