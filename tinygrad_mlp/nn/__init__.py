"""Layers and models: Module, Parameter, the layers, the activations, the losses, the
containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict), MLP,
`nn.init` and `nn.utils`.

    import tinygrad_mlp.nn as nn
    model = nn.MLP([2, 16, 1], output_activation="sigmoid")
    model.state_dict().keys()    # '0.weight', '0.bias', '2.weight', '2.bias'

Names, defaults and state-dict keys follow torch.nn, so weights move between the two with
`torch.from_numpy` and `np.asarray`.
"""

import sys as _sys

from .. import functional
from . import init, utils
from .activation import (
    ELU,
    GELU,
    GLU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
)
from .container import MLP, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .layers import (
    BatchNorm1d,
    CosineSimilarity,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    LayerNorm,
    Linear,
    PairwiseDistance,
    PReLU,
    RMSNorm,
    Unflatten,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module
from .parameter import Parameter

# torch.nn.functional's spelling: `import tinygrad_mlp.nn.functional as F` finds this same
# module (there is no file nn/functional.py; functional sits beside nn, not under it).
_sys.modules[__name__ + ".functional"] = functional

__all__ = [
    "ELU",
    "GELU",
    "GLU",
    "GaussianNLLLoss",
    "MLP",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CosineSimilarity",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "KLDivLoss",
    "LayerNorm",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MarginRankingLoss",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "PairwiseDistance",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "PReLU",
    "PoissonNLLLoss",
    "RMSNorm",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Softsign",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
    "utils",
]
