"""Optimizers with PyTorch's formulas.

    import tinygrad_mlp.optim as optim
    opt = optim.AdamW(model.parameters(), lr=1e-3)

One file per concept: `optimizer.py` (the base class: groups, checked steps, saving),
`sgd.py`, `adam.py` (Adam, AdamW), `rmsprop.py`, `adagrad.py`.
"""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]
