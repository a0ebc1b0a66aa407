"""Module: the base class of every layer and model.

A module finds its parts by looking at its own attributes, in the order they were first
assigned: a `Parameter` is a trainable parameter, a `Module` is a child (a submodule), and
a list or tuple of either contributes its items under the names `attr.0`, `attr.1`, ...
Buffers (state that is saved but not trained, like BatchNorm's running statistics) are
tensors registered with `register_buffer`. Names join with dots as in PyTorch, so

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.fc = Linear(2, 4)
            self.blocks = [Linear(4, 4), Linear(4, 1)]

has parameters `fc.weight`, `fc.bias`, `blocks.0.weight`, ... and `state_dict()` uses the
same keys as the equivalent PyTorch model (with `nn.ModuleList` for the list).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, NamedTuple

import numpy as np

from ..autograd import effect
from ..tensor import Tensor
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict` returns: the keys it did not find, and the ones it did not use."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        """PyTorch's: "<All keys matched successfully>" when both lists are empty."""
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )


class _Hook:
    """One registration of a hook (two of the same function are two, compared by identity)."""

    __slots__ = ("fn", "with_kwargs", "always_call")

    def __init__(self, fn: Callable, with_kwargs: bool, always_call: bool) -> None:
        self.fn, self.with_kwargs, self.always_call = fn, with_kwargs, always_call


class _HookHandle:
    """What registering a module hook returns: `.remove()` takes it off again (also as
    `with handle:`, at the block's end), as PyTorch's RemovableHandle."""

    def __init__(self, module: Module, attr: str, entry: _Hook) -> None:
        self.module, self.attr, self.entry = module, attr, entry

    def remove(self) -> None:
        hooks = getattr(self.module, self.attr)
        if self.entry in hooks:
            kept = tuple(h for h in hooks if h is not self.entry)
            object.__setattr__(self.module, self.attr, kept)

    def __enter__(self) -> _HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Module:
    """Base class for layers and models: subclass it, assign parameters and submodules as
    attributes in `__init__`, and write `forward`. Calling the module calls `forward`."""

    training: bool = True
    # the hooks, as tuples replaced at every change (a compiled function's guard sees it)
    _forward_pre_hooks: tuple = ()
    _forward_hooks: tuple = ()

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ hooks
    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> _HookHandle:
        """Call `hook(module, args)` before every forward, as PyTorch: it may return new
        positional arguments (a tuple, or one value). With `with_kwargs=True` it is called
        as `hook(module, args, kwargs)` and may return `(args, kwargs)`. `prepend=True`
        runs it before the hooks already registered. Returns a handle: `.remove()`."""
        return self._add_hook("_forward_pre_hooks", hook, prepend, with_kwargs, False)

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> _HookHandle:
        """Call `hook(module, args, output)` after every forward, as PyTorch: it may return
        a new output. With `with_kwargs=True`: `hook(module, args, kwargs, output)`. With
        `always_call=True` it is also called (with output None) when forward raises, before
        the error goes on. Returns a handle: `.remove()`."""
        return self._add_hook("_forward_hooks", hook, prepend, with_kwargs, always_call)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> Any:
        raise NotImplementedError(
            "module backward hooks are not supported: register a hook on a tensor instead, "
            "`out = module(x); out.register_hook(lambda grad: ...)` (called with d loss / d "
            "out; x.register_hook gives d loss / d x)"
        )

    register_backward_hook = register_full_backward_hook
    register_full_backward_pre_hook = register_full_backward_hook

    def _add_hook(
        self, attr: str, fn: Callable, prepend: bool, with_kwargs: bool, always: bool
    ) -> _HookHandle:
        if not callable(fn):
            raise TypeError(f"a hook must be callable, got {type(fn).__name__}")
        entry = _Hook(fn, bool(with_kwargs), bool(always))
        old = getattr(self, attr)
        object.__setattr__(self, attr, (entry, *old) if prepend else (*old, entry))
        return _HookHandle(self, attr, entry)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for h in self._forward_pre_hooks:
            if h.with_kwargs:
                new = h.fn(self, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {new}."
                        )
                    args, kwargs = new
            else:
                new = h.fn(self, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        hooks = self._forward_hooks
        try:
            out = self.forward(*args, **kwargs)
        except Exception:
            for h in hooks:
                if h.always_call:
                    h.fn(self, args, kwargs, None) if h.with_kwargs else h.fn(self, args, None)
            raise
        for h in hooks:
            new = h.fn(self, args, kwargs, out) if h.with_kwargs else h.fn(self, args, out)
            if new is not None:
                out = new
        return out

    def __setattr__(self, name: str, value: Any) -> None:
        """Assign an attribute, with PyTorch's checks on the names a module registered: a
        parameter's name takes a Parameter or None (a plain Tensor there would silently
        stop being trained and saved), a buffer's name a Tensor or None, a child module's a
        Module or None. A Parameter or a Module given to a buffer's name replaces the buffer."""
        d = self.__dict__
        buffers = d.get("_buffer_names", ())
        if isinstance(value, Parameter) or isinstance(value, Module):
            if name in buffers:
                buffers.remove(name)
                d.get("_non_persistent", set()).discard(name)
        if isinstance(value, Parameter):
            d.setdefault("_parameter_names", set()).add(name)
        elif name in d.get("_parameter_names", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign {_kind(value)} as parameter {name!r} (nn.Parameter or None "
                    f"expected): to make it the new parameter write `module.{name} = "
                    f"nn.Parameter(value)`; to change the values of the parameter in place, "
                    f"`with tg.no_grad(): module.{name}.copy_(value)`"
                )
        elif isinstance(d.get(name), Module) and not isinstance(value, Module):
            if value is not None:
                raise TypeError(
                    f"cannot assign {_kind(value)} as child module {name!r} (nn.Module or None "
                    f"expected); `del module.{name}` first to use the name for something else"
                )
        elif name in buffers and value is not None and not isinstance(value, Tensor):
            raise TypeError(
                f"cannot assign {_kind(value)} as buffer {name!r} (a Tensor or None expected); "
                f"wrap an array as tg.tensor(value)"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """Delete an attribute; a parameter's or buffer's name is then free for anything."""
        object.__delattr__(self, name)
        d = self.__dict__
        d.get("_parameter_names", set()).discard(name)
        if name in d.get("_buffer_names", ()):
            d["_buffer_names"].remove(name)
            d.get("_non_persistent", set()).discard(name)

    # ----------------------------------------------------------------------- registration
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Make `self.<name>` a buffer: cast by `to()`, listed by `buffers()`, not trained, and
        saved in the state dict unless `persistent=False`. `None` is allowed (and left out
        of the state dict)."""
        _check_name(name, "register_buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}"
            )
        names = self.__dict__.setdefault("_buffer_names", [])
        if name not in names:
            self._check_free(name, "register_buffer", lambda v: False)
            names.append(name)
        transient = self.__dict__.setdefault("_non_persistent", set())
        if persistent:
            transient.discard(name)
        else:
            transient.add(name)
        setattr(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """The same as `setattr(self, name, param)`, with the name checked."""
        _check_name(name, "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be a Parameter or None, got "
                f"{type(param).__name__} (wrap a tensor as nn.Parameter(t))"
            )
        self._check_free(name, "register_parameter", lambda v: v is None or isinstance(v, Tensor))
        self.__dict__.setdefault("_parameter_names", set()).add(name)
        setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """The same as `setattr(self, name, module)`, for names that are not identifiers."""
        _check_name(name, "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self._check_free(name, "add_module", lambda v: v is None or isinstance(v, Module))
        setattr(self, name, module)

    register_module = add_module  # PyTorch's alias

    def _check_free(self, name: str, who: str, replaceable: Callable[[Any], bool]) -> None:
        """Refuse a name that is already an attribute of another kind (e.g. "training" or
        "forward"), as PyTorch does: registering it would overwrite that attribute."""
        if name in self.__dict__:
            if replaceable(self.__dict__[name]) or name in self.__dict__.get("_buffer_names", ()):
                return
        elif not hasattr(self, name):
            return
        raise KeyError(f"{who}: attribute {name!r} already exists; choose another name")

    # ----------------------------------------------------------------------- discovery
    def _own(self, kind: type) -> Iterator[tuple[str, Any]]:
        """This module's own attributes of type `kind`, and those inside lists and tuples."""
        for name, value in list(vars(self).items()):
            if isinstance(value, kind):
                yield name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, kind):
                        yield f"{name}.{i}", item

    def _own_buffers(self, persistent_only: bool = False) -> Iterator[tuple[str, Tensor]]:
        skip = self.__dict__.get("_non_persistent", ()) if persistent_only else ()
        for name in self.__dict__.get("_buffer_names", ()):
            value = getattr(self, name, None)
            if value is not None and name not in skip:
                yield name, value

    def _child_items(self) -> Iterator[tuple[str, Module]]:
        """Every (name, submodule), a submodule registered under two names under each (what
        forward, the state dict and the repr see; named_children gives it once)."""
        return self._own(Module)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their attribute names; a module registered under two
        names is given once, under the first (as in PyTorch)."""
        seen: set[int] = set()
        for name, child in self._child_items():
            if id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule below it, parents first. A module reachable by
        two paths is given once, under the first, unless `remove_duplicate=False`; `memo`
        (a set of modules) holds the ones to skip and gets the ones given, as PyTorch's."""
        seen = set() if memo is None else memo
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in seen:
                    continue
                seen.add(module)
            yield name, module
            kids = [(_join(name, n), m) for n, m in module._child_items()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs in attribute order; a parameter reachable under two
        names is given once, under the first, unless `remove_duplicate=False`."""
        yield from self._named_members(
            lambda m: m._own(Parameter), prefix, recurse, remove_duplicate
        )

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members(
            lambda m: m._own_buffers(), prefix, recurse, remove_duplicate
        )

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _named_members(
        self,
        own: Callable[[Module], Iterator[tuple[str, Tensor]]],
        prefix: str,
        recurse: bool,
        remove_duplicate: bool = True,
    ) -> Iterator[tuple[str, Any]]:
        if recurse:
            modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            modules = iter([(prefix, self)])
        seen: set[int] = set()
        for module_name, module in modules:
            for name, t in own(module):
                if remove_duplicate and id(t) in seen:
                    continue
                seen.add(id(t))
                yield _join(module_name, name), t

    # ----------------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> Module:
        """Set training mode (True) or evaluation mode (False) here and in every submodule."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(): mode must be True or False, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: the same as `train(False)`."""
        return self.train(False)

    @effect  # a compiled function (tinygrad_mlp.compile) forgets the gradients again
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the parameters' gradients (set them to None, or to zeros)."""
        for p in self.parameters():
            if set_to_none or p._grad is None:
                p._grad = None  # (not `p.grad =`, itself an effect: this one is recorded)
            else:  # in place, as PyTorch: a tensor holding the gradient sees zeros
                p.grad.zero_()

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn(module) on every submodule, children's subtrees first and in order, then on
        this module (PyTorch's order, e.g. for custom initialisation); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set requires_grad on every parameter (e.g. False to freeze a part); returns self."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_(): expected True or False, got {requires_grad!r}")
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # ----------------------------------------------------------------------- dtype, device
    def to(
        self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False
    ) -> Module:
        """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(tensor)` (its dtype) or the
        same as keywords, as PyTorch's. Casts every parameter and floating buffer (and
        gradient) to `dtype`, in place: the Parameter objects stay the same, so an optimizer
        that holds them keeps working. The one device is the CPU ("cpu", "cpu:0" or
        `tg.device("cpu")`), where everything already is; another raises. Returns self."""
        if len(args) > 2:
            raise TypeError(f"to() takes a device and a dtype, got {len(args)} arguments")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif _names_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(
                f"to(): device {str(device)!r} is not available; tinygrad_mlp runs on the CPU "
                "only: use 'cpu' (or drop the .to(device) call)"
            )
        if dtype is None:
            return self
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"to(): expected a floating dtype or a device, got {dtype!r}") from None
        if dtype.kind != "f":
            raise TypeError(f"to(): expected a floating dtype, got {dtype}")
        for t in [*self.parameters(), *self.buffers()]:
            if t.data.dtype.kind == "f":
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad = Tensor.wrap(t.grad.data.astype(dtype))
        return self

    def cpu(self) -> Module:
        """self: everything is on the CPU already."""
        return self

    def cuda(self, device: Any = None) -> Module:
        raise RuntimeError(
            "cuda(): tinygrad_mlp runs on the CPU only; drop the .cuda() call, or write "
            ".to(device) with device = 'cuda' if torch.cuda.is_available() else 'cpu'"
        )

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:
        return self.to(np.float32)

    # ----------------------------------------------------------------------- state dict
    def _state_items(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every parameter and persistent buffer under its state-dict key: a module's own
        parameters, then its own buffers, then its children's, as PyTorch orders them."""
        for name, p in self._own(Parameter):
            yield prefix + name, p
        for name, b in self._own_buffers(persistent_only=True):
            yield prefix + name, b
        for name, child in self._child_items():  # a child under two names: saved under both
            yield from child._state_items(prefix + name + ".")

    def state_dict(
        self,
        *,
        destination: MutableMapping[str, Any] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> Any:
        """An ordered dict of key -> copy of the array, for every parameter and persistent
        buffer, with `prefix` before every key. `keep_vars=True` gives the Parameters and
        buffer Tensors themselves instead (not copies: they change as the model trains), as
        PyTorch's does. `destination`, a dict, is filled and returned instead of a new one."""
        out: MutableMapping[str, Any] = OrderedDict() if destination is None else destination
        for key, t in self._state_items(prefix):
            out[key] = t if keep_vars else t.data.copy()
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy the values of `state_dict` (NumPy arrays or Tensors) into the parameters and
        buffers, cast to their dtypes.

        Everything is checked before anything is written: a wrongly shaped value, or with
        `strict=True` a missing or unexpected key, raises a RuntimeError that names the key
        and leaves the module unchanged. Returns the missing and unexpected keys.
        """
        targets = OrderedDict(self._state_items())
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        problems, values = [], {}
        for key, t in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.dtype.kind not in "fiub":
                problems.append(f"{key!r} holds {array.dtype} values, not numbers")
            elif array.shape != t.shape:
                problems.append(
                    f"size mismatch for {key!r}: the state dict has shape {array.shape}, "
                    f"the module has {t.shape}"
                )
            else:
                values[key] = array.astype(t.dtype, copy=True)
        if strict and missing:
            problems.append("missing key(s): " + ", ".join(repr(k) for k in missing))
        if strict and unexpected:
            problems.append("unexpected key(s): " + ", ".join(repr(k) for k in unexpected))
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__} (nothing was "
                "changed):\n  " + "\n  ".join(problems)
            )
        for key, array in values.items():
            targets[key].data = array
        return IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines = [self.extra_repr()] if self.extra_repr() else []
        for name, child in self._child_items():  # a shared child under each name, as PyTorch
            lines.append(f"({name}): " + repr(child).replace("\n", "\n  "))
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and not any(True for _ in self._child_items()):
            return f"{type(self).__name__}({lines[0]})"
        return type(self).__name__ + "(\n  " + "\n  ".join(lines) + "\n)"


def _kind(value: Any) -> str:
    """What a value is, for an error message: 'Tensor' (with dtype and shape) or its type."""
    if isinstance(value, Tensor):
        return f"a Tensor (dtype {value.dtype}, shape {value.shape})"
    return f"{type(value).__name__!r}"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# PyTorch's device types: a name starting with one of these (perhaps with ":index") is a
# device, not a dtype
_DEVICE_TYPES = frozenset("cpu cuda mps xpu xla meta hip ipu mtia hpu vulkan lazy".split())


def _names_device(arg: Any) -> bool:
    """A device name ("cpu", "cuda:0"), or a device object (a str `.type`, as torch.device)."""
    if isinstance(arg, str):
        return arg.split(":", 1)[0] in _DEVICE_TYPES
    return isinstance(getattr(arg, "type", None), str)


def _check_name(name: Any, who: str) -> None:
    if not isinstance(name, str) or not name or "." in name:
        raise KeyError(f"{who}: the name must be a non-empty string without '.', got {name!r}")


__all__ = ["IncompatibleKeys", "Module"]
