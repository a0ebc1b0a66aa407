"""Optimizers, with PyTorch's update formulas: `import tinygrad_mlp.optim as optim`."""

from .optimizer import SGD, Adam, AdamW, Optimizer

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
