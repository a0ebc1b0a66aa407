"""Layers and models: Module, Parameter, the layers, Sequential, MLP, and `nn.init`.

    import tinygrad_mlp.nn as nn
    model = nn.MLP([2, 16, 1], output_activation="sigmoid")
    model.state_dict().keys()    # '0.weight', '0.bias', '2.weight', '2.bias'

Names, defaults and state-dict keys follow torch.nn, so weights move between the two with
`torch.from_numpy` and `np.asarray`.
"""

from .. import functional
from . import init
from .container import MLP, Sequential
from .layers import BatchNorm1d, Dropout, Identity, Linear, ReLU, Sigmoid, Tanh
from .module import IncompatibleKeys, Module
from .parameter import Parameter

__all__ = [
    "MLP",
    "BatchNorm1d",
    "Dropout",
    "Identity",
    "IncompatibleKeys",
    "Linear",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
]
