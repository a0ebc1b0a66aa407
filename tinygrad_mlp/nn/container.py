"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, and MLP
(the usual stack of layers built as a Sequential)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..tensor import Tensor
from . import activation as act
from . import init
from .layers import BatchNorm1d, Dropout, Identity, Linear
from .module import Module
from .parameter import Parameter


class Sequential(Module):
    """Modules applied one after another: Sequential(m0, m1, ...)(x) = ...m1(m0(x)).

    Children are named "0", "1", ... (or by the keys of an OrderedDict passed instead), so
    the state-dict keys ("0.weight", ...) are those of torch.nn.Sequential. Like a list, as
    torch.nn.Sequential: len(), iteration, indexing with ints (negative too) and slices (a
    slice is a new Sequential holding the same modules under their original names), item
    assignment (the name stays), `del` (of an int or a slice), append, extend, insert, pop,
    `+` and `+=` with another Sequential, and `*` by a positive int (the same modules
    repeated). After `del`, insert or pop the children are numbered "0", "1", ... again. A
    module given twice is applied twice (and counted twice by len()).
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

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append each module of an iterable (a Sequential, a list, ...); returns self."""
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert a module before position `index` (-len <= index <= len); returns self."""
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, int) or not -n <= index <= n:
            raise IndexError(f"Sequential.insert: index {index!r} is out of range for {n} modules")
        modules = [m for _, m in self._child_items()]
        modules.insert(index, _checked(module, index))
        _renumber(self, modules)
        return self

    def pop(self, index: int | slice = -1) -> Any:
        """Remove the module at `index` (the last by default) and return it; for a slice,
        the removed modules as a Sequential."""
        taken = self[index]
        del self[index]
        return taken

    def forward(self, x: Any) -> Any:
        for module in self.__dict__.values():  # the children, in order (no generator: hot)
            if isinstance(module, Module):
                x = module(x)
        return x

    def __len__(self) -> int:
        return sum(1 for _ in self._child_items())

    def __iter__(self) -> Iterator[Module]:
        return iter([m for _, m in self._child_items()])

    def _name_at(self, index: Any) -> str:
        items = list(self._child_items())
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"Sequential indices must be integers or slices, not {type(index).__name__}"
            )
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range for a Sequential of {len(items)}")
        return items[index][0]

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._child_items())[index]))
        return getattr(self, self._name_at(index))

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, self._name_at(index), _checked(module, index))

    def __delitem__(self, index: int | slice) -> None:
        items = list(self._child_items())
        if isinstance(index, slice):
            gone = {name for name, _ in items[index]}
        else:
            gone = {self._name_at(index)}
        _renumber(self, [m for name, m in items if name not in gone])

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                "Sequential + ...: only another Sequential can be added, got "
                f"{type(other).__name__}; for a list of modules use .extend(modules)"
            )
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                "Sequential += ...: only another Sequential can be added, got "
                f"{type(other).__name__}; for a list of modules use .extend(modules)"
            )
        return self.extend(other)

    def __mul__(self, times: int) -> Sequential:
        if isinstance(times, bool) or not isinstance(times, int):
            raise TypeError(f"Sequential * n needs an int n, got {type(times).__name__}")
        if times <= 0:
            raise ValueError(f"Sequential * n: n must be positive, got {times}")
        return Sequential(*(list(self) * times))

    __rmul__ = __mul__

    def __imul__(self, times: int) -> Sequential:
        repeated = self * times
        _renumber(self, list(repeated))
        return self


def _renumber(container: Module, modules: list[Module]) -> None:
    """Make `modules` the children of `container`, named "0", "1", ..., in order."""
    for name, _ in list(container._child_items()):
        delattr(container, name)
    for i, module in enumerate(modules):
        container.add_module(str(i), module)


def _checked(module: Any, where: Any, container: str = "Sequential") -> Module:
    if not isinstance(module, Module):
        raise TypeError(
            f"{container}: item {where} is a {type(module).__name__}, not a Module "
            "(for a function such as F.relu, use the module nn.ReLU())"
        )
    return module


class ModuleList(Module):
    """A list of modules, registered as children "0", "1", ... so that their parameters are
    found and their state-dict keys are those of torch.nn.ModuleList ("0.weight", ...).

    Like a list: len(), iteration, indexing with ints (negative too) and slices (a slice is
    a new ModuleList, numbered from 0), item assignment, `del`, append, extend, insert, pop,
    `+` and `+=`. After an insertion or a deletion the children are renumbered. It has no
    forward: call its items.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _modules(self) -> list[Module]:
        return [m for _, m in self._child_items()]

    def _renumber(self, modules: list[Module]) -> None:
        _renumber(self, modules)

    def _index(self, index: Any) -> int:
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"ModuleList indices must be integers or slices, not {type(index).__name__}"
            )
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for a ModuleList of {n}")
        return index % n

    def __len__(self) -> int:
        return sum(1 for _ in self._child_items())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules())

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ModuleList(self._modules()[index])
        return getattr(self, str(self._index(index)))

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(self._index(index)), _checked(module, index, "ModuleList"))

    def __delitem__(self, index: int | slice) -> None:
        modules = self._modules()
        del modules[index if isinstance(index, slice) else self._index(index)]
        self._renumber(modules)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end; returns self."""
        n = len(self)
        self.add_module(str(n), _checked(module, n, "ModuleList"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each module of an iterable; returns self."""
        if isinstance(modules, Module) and not isinstance(modules, ModuleList | Sequential):
            raise TypeError(
                f"ModuleList.extend needs an iterable of modules, got a {type(modules).__name__}"
                " (use append for one module)"
            )
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position `index` (list.insert's rule, negatives too)."""
        modules = self._modules()
        modules.insert(index, _checked(module, index, "ModuleList"))
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at `index` (the last by default)."""
        module = self[index]
        del self[index]
        return module

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def __repr__(self) -> str:
        """PyTorch's layout: consecutive items with the same repr share one line,
        "(0-2): 3 x Linear(...)"."""
        items = [repr(m) for m in self]
        if not items:
            return "ModuleList()"
        lines, start = [], 0
        for i in range(1, len(items) + 1):
            if i < len(items) and items[i] == items[start]:
                continue
            text = items[start].replace("\n", "\n  ")
            if i - start == 1:
                lines.append(f"({start}): {text}")
            else:
                lines.append(f"({start}-{i - 1}): {i - start} x {text}")
            start = i
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dictionary of modules, registered as children under their keys (state-dict keys
    "<key>.weight", ...), in insertion order, as torch.nn.ModuleDict.

    Like a dict: `d[key]`, `d[key] = module`, `del d[key]`, `in`, len(), iteration over the
    keys, keys(), values(), items(), pop(), clear(), update(). A key must be a string
    without "." that is not already an attribute of the module (such as "training" or
    "keys"). It has no forward: call its values.
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _checked(module, repr(key), "ModuleDict"))

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        delattr(self, key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and isinstance(self.__dict__.get(key), Module)

    def __len__(self) -> int:
        return sum(1 for _ in self._child_items())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def keys(self) -> list[str]:
        return [k for k, _ in self._child_items()]

    def values(self) -> list[Module]:
        return [m for _, m in self._child_items()]

    def items(self) -> list[tuple[str, Module]]:
        return list(self._child_items())

    def pop(self, key: str) -> Module:
        """Remove the module under `key` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in self.keys():
            delattr(self, key)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or an iterable of (key, module) pairs."""
        if isinstance(modules, Mapping | ModuleDict):
            pairs = list(modules.items())
        else:
            pairs = []
            for i, pair in enumerate(modules):
                if not isinstance(pair, tuple | list) or len(pair) != 2:
                    raise TypeError(
                        f"ModuleDict.update: element {i} should be a (key, module) pair, got "
                        f"{pair!r}"
                    )
                pairs.append(tuple(pair))
        for key, module in pairs:
            self[key] = module


def _as_parameter(value: Any, where: Any, container: str) -> Parameter:
    """A Parameter as it is; any other Tensor wrapped as one (as PyTorch's containers do)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(
        f"{container}: item {where} must be a Parameter or a Tensor, got "
        f"{type(value).__name__} (wrap it as nn.Parameter(tg.tensor(value)))"
    )


def _parameter_line(key: str, p: Parameter) -> str:
    size = "x".join(map(str, p.shape))
    return f"({key}): Parameter containing: [{p.dtype} of size {size}]"


class ParameterList(Module):
    """A list of parameters, registered as "0", "1", ... (state-dict keys "0", "1", ...), as
    torch.nn.ParameterList: len(), iteration, indexing (a slice is a new ParameterList),
    item assignment, append and extend. A Tensor that is not a Parameter is wrapped as one.
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _index(self, index: Any) -> int:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"ParameterList indices must be integers or slices, not {type(index).__name__}"
            )
        if not -self._size <= index < self._size:
            raise IndexError(f"index {index} is out of range for a ParameterList of {self._size}")
        return index % self._size

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Parameter]:
        return iter([getattr(self, str(i)) for i in range(self._size)])

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ParameterList(list(self)[index])
        return getattr(self, str(self._index(index)))

    def __setitem__(self, index: int, value: Any) -> None:
        i = self._index(index)
        self.register_parameter(str(i), _as_parameter(value, i, "ParameterList"))

    def append(self, value: Any) -> ParameterList:
        """Add a parameter at the end; returns self."""
        self.register_parameter(str(self._size), _as_parameter(value, self._size, "ParameterList"))
        self._size += 1
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append each parameter of an iterable; returns self."""
        if isinstance(values, Tensor):
            raise TypeError("ParameterList.extend needs an iterable of parameters, got a Tensor")
        for value in list(values):
            self.append(value)
        return self

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(str(i), p) for i, p in enumerate(self))

    def __repr__(self) -> str:
        if not self._size:
            return "ParameterList()"
        return "ParameterList(\n  " + self.extra_repr().replace("\n", "\n  ") + "\n)"


class ParameterDict(Module):
    """A dictionary of parameters, registered under their keys in insertion order, as
    torch.nn.ParameterDict: `d[key]`, `d[key] = p`, `del d[key]`, `in`, len(), iteration
    over the keys, keys(), values(), items(), pop(), update(). A Tensor that is not a
    Parameter is wrapped as one.
    """

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        super().__init__()
        self._keys: list[str] = []
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value, repr(key), "ParameterDict"))
        if key not in self._keys:
            self._keys.append(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        delattr(self, key)
        self._keys.remove(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def keys(self) -> list[str]:
        return list(self._keys)

    def values(self) -> list[Parameter]:
        return [getattr(self, k) for k in self._keys]

    def items(self) -> list[tuple[str, Parameter]]:
        return [(k, getattr(self, k)) for k in self._keys]

    def pop(self, key: str) -> Parameter:
        """Remove the parameter under `key` and return it."""
        value = self[key]
        del self[key]
        return value

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add (or replace) parameters from a mapping or an iterable of (key, value) pairs."""
        mapping = isinstance(parameters, Mapping | ParameterDict)
        for key, value in list(parameters.items() if mapping else parameters):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(k, p) for k, p in self.items())

    def __repr__(self) -> str:
        if not self._keys:
            return "ParameterDict()"
        return "ParameterDict(\n  " + self.extra_repr().replace("\n", "\n  ") + "\n)"


_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": act.ReLU,
    "sigmoid": act.Sigmoid,
    "tanh": act.Tanh,
    "identity": Identity,
    "leaky_relu": act.LeakyReLU,
    "elu": act.ELU,
    "gelu": act.GELU,
    "silu": act.SiLU,
    "softplus": act.Softplus,
    "mish": act.Mish,
    "relu6": act.ReLU6,
    "hardtanh": act.Hardtanh,
    "hardswish": act.Hardswish,
    "hardsigmoid": act.Hardsigmoid,
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
    output_activation are a name ("relu", "sigmoid", "tanh", "identity", "leaky_relu",
    "elu", "gelu", "silu", "softplus", "mish", "relu6", "hardtanh", "hardswish",
    "hardsigmoid": the module with its default settings), a Module class or a function
    returning a new Module. init is "default" (PyTorch's Linear init), "kaiming"
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


__all__ = ["MLP", "ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]
