"""Optimizers and learning-rate schedulers with PyTorch's formulas.

    import tinygrad_mlp.optim as optim
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)

One file per concept: `optimizer.py` (the base class: groups, checked steps, saving),
`sgd.py`, `adam.py` (Adam, AdamW), `rmsprop.py`, `adagrad.py`, `lr_scheduler.py`.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]


_USE_INSTEAD = "the optimizers here are SGD, Adam, AdamW, RMSprop and Adagrad; use one of them"
_TORCH_ONLY = dict.fromkeys(
    ["NAdam", "RAdam", "Adadelta", "Adamax", "ASGD", "LBFGS", "Rprop", "SparseAdam", "Muon"],
    _USE_INSTEAD,
)


def __getattr__(name: str) -> object:
    from ..checks import not_provided

    raise not_provided(__name__, name, _TORCH_ONLY)
