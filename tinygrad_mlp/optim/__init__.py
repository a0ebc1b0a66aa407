"""Optimizers and learning-rate schedulers with PyTorch's formulas.

    import tinygrad_mlp.optim as optim
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)

One file per concept: `optimizer.py` (the base class: groups, checked steps, saving),
`sgd.py`, `adam.py` (Adam, AdamW), `nadam.py`, `radam.py`, `adamax.py`, `rmsprop.py`,
`adagrad.py`, `adadelta.py`, `rprop.py`, `asgd.py`, `lr_scheduler.py`.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "NAdam",
    "RAdam",
    "Adamax",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Rprop",
    "ASGD",
    "lr_scheduler",
]


_USE_INSTEAD = (
    "the optimizers here are SGD, Adam, AdamW, NAdam, RAdam, Adamax, RMSprop, Adagrad, "
    "Adadelta, Rprop and ASGD; use one of them"
)
_TORCH_ONLY = dict.fromkeys(["LBFGS", "SparseAdam", "Adafactor", "Muon"], _USE_INSTEAD)


def __getattr__(name: str) -> object:
    from ..checks import not_provided

    raise not_provided(__name__, name, _TORCH_ONLY)
