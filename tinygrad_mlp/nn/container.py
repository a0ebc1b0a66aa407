"""Sequential, and MLP: the usual stack of layers built as a Sequential."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import init
from .layers import BatchNorm1d, Dropout, Identity, Linear, ReLU, Sigmoid, Tanh
from .module import Module


class Sequential(Module):
    """Modules applied one after another: Sequential(m0, m1, ...)(x) = ...m1(m0(x)).

    Children are named "0", "1", ... (or by the keys of an OrderedDict passed instead), so
    the state-dict keys ("0.weight", ...) are those of torch.nn.Sequential. Supports
    len(), iteration, and indexing with ints (negative too) and slices (a slice is a new
    Sequential holding the same modules under their original names).
    """

    def __init__(self, *modules: Module | OrderedDict) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, _checked(module, name))
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), _checked(module, i))

    def append(self, module: Module) -> Sequential:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self)), _checked(module, len(self)))
        return self

    def forward(self, x: Any) -> Any:
        for module in self.__dict__.values():  # the children, in order (no generator: hot)
            if isinstance(module, Module):
                x = module(x)
        return x

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self) -> Iterator[Module]:
        return self.children()

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self.named_children())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range for a Sequential of {len(items)}")
        return items[index][1]


def _checked(module: Any, where: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(
            f"Sequential: item {where} is a {type(module).__name__}, not a Module "
            "(for a function such as F.relu, use the module nn.ReLU())"
        )
    return module


_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "identity": Identity,
}


def _activation(spec: Any, what: str) -> Module:
    """A fresh activation module from a name ("relu", ...), a Module class or a factory."""
    if isinstance(spec, str):
        if spec not in _ACTIVATIONS:
            raise ValueError(f"MLP: unknown {what} {spec!r}; use one of {sorted(_ACTIVATIONS)}")
        return _ACTIVATIONS[spec]()
    if isinstance(spec, Module) or not callable(spec):
        raise TypeError(
            f"MLP: {what} must be a name such as 'relu', a Module class such as nn.ReLU, or a "
            f"function returning a new Module; got {spec!r}"
        )
    module = spec()
    if not isinstance(module, Module):
        raise TypeError(f"MLP: {what} {spec!r} returned {type(module).__name__}, not a Module")
    return module


def _per_layer(value: Any, n: int, name: str) -> list:
    """One setting per hidden layer: a single value repeated, or a sequence of n values."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n:
            raise ValueError(f"MLP: {name} has {len(value)} entries for {n} hidden layers")
        return list(value)
    return [value] * n


class MLP(Sequential):
    """A multi-layer perceptron, built as a Sequential.

    For sizes = [n0, n1, ..., nk], each hidden layer i (of k - 1) is
    Linear(n_i, n_i+1) -> [BatchNorm1d] -> activation -> [Dropout], with the BatchNorm1d
    after the activation instead when bn_position="after"; then a final Linear(n_k-1, n_k)
    and output_activation, if given.

    batch_norm (bool) and dropout (a probability; 0 means no Dropout layer) are either one
    value for every hidden layer or a list with one value per hidden layer. activation and
    output_activation are a name ("relu", "sigmoid", "tanh", "identity"), a Module class or
    a function returning a new Module. init is "default" (PyTorch's Linear init), "kaiming"
    (kaiming_normal_ for relu, zero biases) or "xavier" (xavier_uniform_, zero biases).

    The origin network, 2 -> Linear(4) -> ReLU -> BatchNorm1d -> Dropout -> Linear(4) ->
    ReLU -> Dropout -> Linear(1) -> Sigmoid:

        MLP([2, 4, 4, 1], batch_norm=[True, False], bn_position="after", dropout=0.2,
            output_activation="sigmoid")
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: Any = "relu",
        batch_norm: bool | Sequence[bool] = False,
        bn_position: str = "before",
        dropout: float | Sequence[float] = 0.0,
        output_activation: Any = None,
        init: str = "default",
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least 2 entries (input, output), got {sizes}")
        if bn_position not in ("before", "after"):
            raise ValueError(f"MLP: bn_position must be 'before' or 'after', got {bn_position!r}")
        if init not in ("default", "kaiming", "xavier"):
            raise ValueError(f"MLP: init must be 'default', 'kaiming' or 'xavier', got {init!r}")
        hidden = len(sizes) - 2
        norms = _per_layer(batch_norm, hidden, "batch_norm")
        rates = _per_layer(dropout, hidden, "dropout")
        for p in rates:
            if not 0 <= p <= 1:
                raise ValueError(f"MLP: dropout must be between 0 and 1, got {p}")
        layers: list[Module] = []
        for i in range(hidden):
            layers.append(Linear(sizes[i], sizes[i + 1], bias=bias, dtype=dtype))
            norm = [BatchNorm1d(sizes[i + 1], dtype=dtype)] if norms[i] else []
            act = _activation(activation, "activation")
            layers += [*norm, act] if bn_position == "before" else [act, *norm]
            if rates[i] > 0:
                layers.append(Dropout(rates[i]))
        layers.append(Linear(sizes[-2], sizes[-1], bias=bias, dtype=dtype))
        if output_activation is not None:
            layers.append(_activation(output_activation, "output_activation"))
        super().__init__(*layers)
        self.sizes = sizes
        if init != "default":
            for layer in layers:
                if isinstance(layer, Linear):
                    _init_linear(layer, init)


def _init_linear(layer: Linear, scheme: str) -> None:
    if scheme == "kaiming":
        init.kaiming_normal_(layer.weight, nonlinearity="relu")
    else:
        init.xavier_uniform_(layer.weight)
    if layer.bias is not None:
        init.zeros_(layer.bias)


__all__ = ["MLP", "Sequential"]
