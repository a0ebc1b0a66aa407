"""Argument checks: the one place where what a user passed becomes what the code needs.

Each check returns the value in the form the code uses, or raises with a message that
names the argument, the value given and what is accepted. Nothing is reinterpreted: a
float is not an axis, a string is not a size, 300 does not become 44 in int8. The core
(tensor.py, ops.py) and the layers above it all check their arguments here.
"""

from __future__ import annotations

import itertools
import math
import operator
from numbers import Real
from typing import Any

import numpy as np

CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # dtype kinds: bool < integer < floating
LISTS = (tuple, list)  # what a list of axes or sizes may be
ACCEPTED = "a number, a (nested) list of numbers, or a NumPy array of numbers or booleans"
_KINDS = {
    "c": "complex numbers",
    "O": "Python objects (or a ragged/None-holding list)",
    "U": "strings",
    "S": "bytes",
    "M": "dates",
    "m": "time deltas",
    "V": "raw bytes",
}


_DEFAULT_FLOAT = [np.dtype(np.float32)]  # set by tg.set_default_dtype


def default_float() -> np.dtype:
    """The dtype Python floats become, and floating results of integer inputs (float32
    unless `tg.set_default_dtype` changed it)."""
    return _DEFAULT_FLOAT[0]


def set_default_float(dtype: Any) -> None:
    """Make `dtype` (a floating dtype, as PyTorch allows) the default floating dtype."""
    dt = as_dtype(dtype, "set_default_dtype()")
    if dt.kind != "f":
        raise TypeError(
            f"set_default_dtype(): only floating-point types are supported as the default "
            f"type, got {dt}"
        )
    _DEFAULT_FLOAT[0] = dt


def as_dtype(dtype: Any, who: str = "Tensor()") -> np.dtype:
    """A float, integer or bool NumPy dtype from a dtype, its NumPy name ("float64"), or a
    package-level name (`tg.float32`, `tg.long`: NumPy dtypes, see `dtypes.py`)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who} got dtype={dtype!r}, which is not a dtype") from None
    if dt.kind not in "fiub":
        raise TypeError(f"{who} got dtype={dt}; use a float, integer or bool dtype")
    return dt


def as_array(data: Any, dtype: Any = None, who: str = "Tensor()") -> np.ndarray:
    """`data` as a fresh NumPy array of numbers. A NumPy array or scalar keeps its dtype
    (as `torch.tensor` does); Python floats and lists of them become float32 (PyTorch's
    default dtype, or the one `tg.set_default_dtype` chose); `dtype` chooses."""
    if data is None or isinstance(data, str | bytes):
        raise TypeError(f"{who} got {type(data).__name__} {data!r}; expected {ACCEPTED}")
    try:
        array = np.array(data)
    except ValueError as e:
        raise ValueError(
            f"{who} got a ragged nested sequence (rows of different lengths); every row "
            f"must have the same length ({e})"
        ) from None
    if array.dtype.kind not in "fiub":
        what = _KINDS.get(array.dtype.kind, f"dtype {array.dtype}")
        raise TypeError(f"{who} got {what}; expected {ACCEPTED}")
    if dtype is not None:
        dt = as_dtype(dtype, who)
        if dt.kind in "iu" and array.dtype != dt:
            _check_fits(array, dt, who)
        return array.astype(dt, copy=False)
    if array.dtype.kind == "f" and not isinstance(data, np.ndarray | np.generic):
        dt = _list_float(data) if isinstance(data, LISTS) else _DEFAULT_FLOAT[0]
        return array.astype(dt, copy=False)
    return array


_NUMBERS = {float, int, bool}


def _list_float(data: Any) -> np.dtype:
    """The floating dtype PyTorch gives a (nested) list: the promotion of the float dtypes
    of its NumPy scalars, arrays and Tensors, with Python floats counting as the default
    dtype (`[np.float64(1.0), 2.0]` is float64, `[np.float16(1.0), 2.0]` float32, `[1.0]`
    the default). NumPy's would be float64 whenever a Python float is present."""
    found, python_float, stack = set(), False, [data]
    while stack:
        seq = stack.pop()
        types = set(map(type, seq))
        if types == {list}:  # rows: look at all their elements in one pass
            stack.append(list(itertools.chain.from_iterable(seq)))
            continue
        python_float = python_float or float in types
        if types <= _NUMBERS:  # the usual case: a row of Python numbers
            continue
        for v in seq:
            if isinstance(v, LISTS):
                stack.append(v)
            elif getattr(v, "dtype", None) is not None and v.dtype.kind == "f":
                found.add(v.dtype)
    if python_float or not found:
        found.add(_DEFAULT_FLOAT[0])
    return np.result_type(*found)


def _check_fits(array: np.ndarray, dt: np.dtype, who: str) -> None:
    """Refuse values that an integer dtype cannot hold (NumPy would wrap them)."""
    if array.size == 0 or array.dtype.kind == "b":
        return
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{who}: cannot convert NaN or infinity to {dt}")
    info = np.iinfo(dt)
    low, high = array.min(), array.max()
    if low < info.min or high > info.max:
        bad = low if low < info.min else high
        raise ValueError(
            f"{who}: value {bad} does not fit {dt} (which holds {info.min} to {info.max})"
        )


def as_data(value: Any, float_only: bool) -> np.ndarray:
    """What `t.data = value` stores: a NumPy array (or scalar) of numbers, or a Tensor's
    array; floating when the tensor requires grad (it must stay a valid leaf)."""
    if type(value) is np.ndarray and value.dtype.kind in "fiub" and not float_only:
        return value  # the usual case
    if hasattr(value, "grad_fn"):  # a Tensor: its array, as `t.data = other` in PyTorch
        value = value.data
    if not isinstance(value, np.ndarray | np.generic):
        raise TypeError(
            f"t.data = ... takes a NumPy array or a Tensor, got {type(value).__name__} "
            f"{brief(value)}; write t.data = np.asarray(...) (or tg.tensor(...))"
        )
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"t.data = ... got {_KINDS.get(array.dtype.kind, array.dtype)}")
    if float_only and array.dtype.kind != "f":
        raise RuntimeError(
            f"t.data = ... got a {array.dtype} array, but the tensor requires grad and only "
            "floating point tensors can; cast it (.astype(np.float32)) or call "
            "t.requires_grad_(False) first"
        )
    return array


def as_grad(value: Any, t: Any) -> Any:
    """What `t.grad = value` stores: None, or a Tensor of t's shape and dtype (PyTorch's
    rule)."""
    if value is None:
        return None
    if not hasattr(value, "grad_fn"):
        hint = " wrap it: t.grad = tg.Tensor(array)" if isinstance(value, np.ndarray) else ""
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got {type(value).__name__}"
            f";{hint or ' assign a Tensor'}"
        )
    if value.shape != t.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of shape {value.shape} to a tensor of shape "
            f"{t.shape}; the gradient and the tensor must have the same shape"
        )
    if value.dtype != t.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient of dtype {value.dtype} to a tensor of dtype "
            f"{t.dtype}; cast it first: t.grad = g.to({t.dtype})"
        )
    return value


def axis_args(dim: Any, keepdim: Any, axis: Any, keepdims: Any, who: str) -> tuple:
    """The axis and the keep flag from PyTorch's spelling (dim=, keepdim=) or NumPy's
    (axis=, keepdims=); the same thing given both ways is refused. An empty `dim` (`dim=()`)
    means every axis, as in PyTorch; an empty `axis` means none, as in NumPy (so does an
    empty dim in a call spelled with keepdims=, NumPy's keyword)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{who}(): got both dim={dim!r} and axis={axis!r}; give one")
        dim = axis
    elif type(dim) in LISTS and not dim and keepdims is None:
        dim = None
    if keepdims is not None:
        if keepdim is not False:
            raise TypeError(f"{who}(): got both keepdim= and keepdims=; give one")
        keepdim = keepdims
    return dim, keepdim if keepdim is False else as_bool(keepdim, "keepdim", who)


def as_constant(x: Any, who: str) -> Any:
    """An operand that is not a Tensor: a number or an array of numbers. A list becomes an
    array by the rule of `Tensor(list)` (floats as float32); anything else is refused,
    naming it."""
    if isinstance(x, list | tuple):
        return as_array(x, None, who)
    if isinstance(x, bool | int | float):
        return x
    if isinstance(x, np.generic | np.ndarray):
        if x.dtype.kind in "fiub":
            return x
        what = _KINDS.get(x.dtype.kind, f"dtype {x.dtype}")
    elif x is None:
        what = "None (a .grad is None before backward(), and for tensors that do not require grad)"
    else:
        what = f"{type(x).__name__} {brief(x)}"
    raise TypeError(
        f"{who}: an operand is {what}; operands are Tensors, numbers, or NumPy arrays "
        "(or lists) of numbers"
    )


def as_shape(args: tuple, who: str = "shape") -> tuple[int, ...]:
    """The sizes in `f(2, 3)` or `f((2, 3))` as a tuple of ints; anything that is not an
    integer (a float, a string) is refused, not rounded or parsed."""
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = tuple(args[0])
    try:
        return tuple(operator.index(n) for n in args)
    except TypeError:
        raise TypeError(
            f"{who}() takes integer sizes, got {args!r}; write them as ints, e.g. (2, 3)"
        ) from None


def as_dim(dim: Any, ndim: int, who: str, name: str = "dim") -> int:
    """One axis in [0, ndim): negatives count from the end; out of range is refused. A 0-d
    tensor takes 0 and -1, as in PyTorch."""
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{who}(): {name} must be an integer, got {dim!r}") from None
    span = max(ndim, 1)
    if not -span <= d < span:  # NumPy's AxisError is an IndexError and a ValueError
        raise np.exceptions.AxisError(
            f"{who}(): {name} {d} is out of range (expected {name} in [{-span}, {span - 1}])"
        )
    return d % span


def as_axes(axis: Any, ndim: int, who: str = "reduction") -> tuple[int, ...]:
    """`axis` (None, an int, or a tuple or list of ints) as a sorted tuple of distinct axes
    in [0, ndim); on a 0-d tensor axis 0 (or -1) reduces nothing, as in PyTorch."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, quickly
        return (axis % ndim,)
    given = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    axes = [as_dim(a, ndim, who, "axis") for a in given]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{who}(): axis {axis!r} names an axis more than once")
    return tuple(sorted(a for a in axes if a < ndim))


def split_index(index: Any) -> tuple[Any, Any]:
    """(first, rest): an index whose integers PyTorch applies before its array indices, as
    two NumPy indices, `x[index]` being `x[first][rest]` (first None: `x[rest]` alone).
    PyTorch selects with an integer first, then places the array indices' dimensions by
    whether the remaining ones are adjacent; NumPy counts the integer among them, so
    `x[0, :, [1, 2]]` on a (2, 3, 4) x is (2, 3) in NumPy and (3, 2) in PyTorch."""
    if type(index) is not tuple:
        return None, index
    for i in index:
        if isinstance(i, list | np.ndarray):
            break
    else:  # the usual case: no array index, NumPy's order is PyTorch's
        return None, index
    ints = [isinstance(i, int | np.integer) and not isinstance(i, bool) for i in index]
    advanced = [isinstance(i, list | np.ndarray) and not k for i, k in zip(index, ints)]
    if not any(ints) or not any(advanced):
        return None, index
    first: list = []
    for i, k in zip(index, ints):
        if k or i is Ellipsis:
            first.append(i)
        elif isinstance(i, slice):  # applied in rest, as are None and the array indices
            first.append(slice(None))
        elif isinstance(i, list | np.ndarray):  # a mask covers as many dimensions as it has
            first += [slice(None)] * (np.ndim(i) if np.asarray(i).dtype == bool else 1)
    return tuple(first), tuple(i for i, k in zip(index, ints) if not k)


def as_device(device: Any, who: str) -> None:
    """Accept the one device there is: None, "cpu" ("cpu:0"), or `tg.device("cpu")`."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(
            f"{who}: device {str(device)!r} is not available; tinygrad_mlp runs on the CPU "
            "only: use 'cpu' (or drop the device argument / the .to(device) call)"
        )


def as_name(name: Any) -> str | None:
    """A tensor's `name=`: a string or None."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"Tensor() got name={name!r}; a name is a string (or None)")
    return name


def as_bool(value: Any, name: str, who: str) -> bool:
    """A flag: True or False (NumPy's bool too), never a string or a number."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise TypeError(f"{who}(): {name} must be True or False, got {value!r}")


def can_retain_grad(t: Any) -> bool:
    """`t.retain_grad()`: True for a non-leaf; a leaf keeps its `.grad` anyway; a tensor
    that does not require grad is refused, as torch refuses it."""
    if not t.requires_grad:
        raise RuntimeError(
            "can't retain_grad on Tensor that has requires_grad=False: it never gets a "
            "gradient; call retain_grad() on a result computed from tensors that require grad"
        )
    return t.grad_fn is not None


def hook_error(fn: Any, g: Any, result: Any) -> Exception:
    """What a tensor hook returned that cannot replace the gradient `g` (torch's checks:
    a Tensor of the same shape and dtype, or None)."""
    name = getattr(fn, "__name__", fn)
    if not hasattr(result, "grad_fn"):  # not a Tensor: torch converts nothing either
        return TypeError(
            f"expected a Tensor, but hook {name!r} returned {type(result).__name__}; a hook "
            "returns a Tensor of the gradient's shape and dtype, or None"
        )
    what, kind, had, got = "size", "shape", tuple(g.shape), result.shape
    if had == got:
        what, kind, had, got = "type", "dtype", g.dtype, result.dtype
    return RuntimeError(
        f"hook {name!r} has changed the {what} of value: the gradient has {kind} {had}, the "
        f"hook returned {got}; a hook must return a gradient of the same shape and dtype (or None)"
    )


def can_require_grad(t: Any) -> bool:
    """True, for a floating tensor; anything else cannot require grad (PyTorch's rule)."""
    if t.dtype.kind != "f":
        raise RuntimeError(
            f"only Tensors of floating point dtype can require gradients; this one is "
            f"{t.dtype}: make a float one first, e.g. t = t.float()"
        )
    return True


def inplace_result(out: Any, t: Any, who: str) -> Any:
    """`out` as the new value of `t` in an in-place operation: of t's shape (a result that
    broadcasts to more is refused) and cast to t's dtype, unless that would lose its kind
    (a float result into an integer tensor), as in PyTorch."""
    if out.shape != t.shape:
        raise RuntimeError(
            f"{who}: output with shape {t.shape} doesn't match the broadcast shape "
            f"{out.shape}; an in-place result must keep the tensor's shape"
        )
    if out.dtype == t.dtype:
        return out
    if CATEGORY[out.dtype.kind] > CATEGORY[t.dtype.kind]:
        raise RuntimeError(
            f"{who}: result type {out.dtype} can't be cast to the desired output type "
            f"{t.dtype}; convert first (t = t.float()) or use the out-of-place form"
        )
    return out.astype(t.dtype)


LEAF_INPLACE = (
    "{who}: a leaf Variable that requires grad is being used in an in-place operation. "
    "To update it without recording (a manual optimizer step), wrap the update in "
    "`with tg.no_grad():`, e.g. `with no_grad(): w -= lr * w.grad`"
)
VIEW_INPLACE = (
    "{who}: the tensor shares its values with another that does not require grad (it is a "
    "view of it, or its detach()), and this in-place change would make it require grad: "
    "the other could not follow. Change the other tensor itself (y[1:] = w instead of "
    "y[1:].copy_(w)), or take a clone() first"
)
SHARED_MEMORY = (
    "{who}: unsupported operation: more than one element of the written-to tensor refers to "
    "a single memory location (an expand()ed or broadcast tensor, or a read-only array). "
    "Please clone() the tensor before performing the operation."
)
NOT_LEAF = (
    "you can only change requires_grad flags of leaf variables. If you want to use a "
    "computed variable in a subgraph that doesn't require differentiation use "
    "var_no_grad = var.detach()."
)
RULE_COUNT = (
    "{name}.backward returned {n} gradients for {k} inputs; return one per input of forward "
    "(None for an input that needs none)"
)
UNUSED_INPUT = (
    "grad(): input {i} (shape {shape}) was not used to compute the outputs; pass "
    "allow_unused=True to get None for it"
)
FREED = (
    "Trying to run backward through {name} a second time, but its saved values were freed "
    "by the first backward(). Pass retain_graph=True to the first backward() (or grad()) "
    "if you need to go through the graph again."
)


def one_output(cls: type, ctx: Any, out: Any) -> Any:
    """The array of what a user's `Function.forward` returned (a Tensor's, or the array
    itself), after noting on `ctx` whether `mark_non_differentiable` named it. A tuple or
    list is refused: a Function here has one output, and stacking them would be silent."""
    if isinstance(out, tuple | list):
        raise RuntimeError(
            f"{cls.__name__}.forward returned {len(out)} outputs; tinygrad_mlp's Function has "
            "one: return one Tensor or array (e.g. stack them) or write one Function per output"
        )
    array = getattr(out, "_data", out)
    if ctx.non_differentiable:
        ctx.non_differentiable = any(
            m is out or getattr(m, "_data", m) is array for m in ctx.non_differentiable
        )
    return array


MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: a {t.dtype} tensor of shape {t.shape} saved by {node} is at version {now}; "
    "expected version {v} instead. Change it after backward(), or use the out-of-place form "
    "(y = y + 1 rather than y += 1 or y.add_(1))"
)
NO_GRAD_OUTPUT = (
    "{who}: output {i} does not require grad and has no grad_fn; nothing to differentiate. "
    "Either it was computed under no_grad(), or from tensors that do not require grad: a "
    "leaf needs requires_grad=True, and a parameter rebound inside no_grad() (`w = w - lr * "
    "w.grad`) is a new tensor that does not; update it in place instead (`w -= lr * w.grad`)"
)
NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during backward(); call .retain_grad() on it if you want "
    "it, or access the leaf tensor instead (if you rebound a parameter, e.g. `w = w - lr * "
    "w.grad`, update it in place under no_grad() instead: `w -= lr * w.grad`)."
)


def brief(x: Any) -> str:
    """repr(x), cut to 60 characters."""
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def op_error(e: Exception, op: str, inputs: tuple) -> Exception:
    """The same kind of error, its message prefixed with the operation, the shapes of its
    tensor and array operands, and its other arguments (numbers, axes, shapes, indices)."""
    arrays = [isinstance(t, np.ndarray) or hasattr(t, "grad_fn") for t in inputs]  # or Tensors
    shapes = [str(t.shape) for t, a in zip(inputs, arrays) if a]
    others = [brief(t) for t, a in zip(inputs, arrays) if not a]
    message = f"{op} on shapes {', '.join(shapes) or '(none)'}"
    if others:
        message += f" with arguments {', '.join(others)}"
    message += f": {e}"
    try:
        return type(e)(message)
    except TypeError:  # an exception class with a constructor of its own (NumPy has some)
        base = next(b for b in (IndexError, ValueError, TypeError) if isinstance(e, b))
        return base(message)


def check_number(name: str, value: Any, low: float, high: float | None = None) -> None:
    """Raise unless `value` is a finite real with `low <= value` (and `value < high`)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or (high is not None and value >= high):
        bound = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


def check_flag(name: str, value: Any) -> None:
    """Raise unless `value` is True or False (an optimizer option, say)."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def check_int(name: str, value: Any, minimum: int) -> int:
    """`value` as an int if it is an integer (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_no_generator(generator: Any, who: str) -> None:
    """Refuse PyTorch's `generator=` rather than ignore it: there is one generator here."""
    if generator is not None:
        raise TypeError(
            f"{who}(): generator= is not supported; every draw comes from the package's one "
            "generator: seed it with tg.manual_seed(n), or save and restore it with "
            "tg.get_rng_state() / tg.set_rng_state(state)"
        )


def check_floating(x: Any, who: str) -> None:
    """Refuse a tensor that is not floating (random fills of floating distributions)."""
    if not x.is_floating_point():
        raise TypeError(f"{who}(): needs a floating tensor, got dtype {x.dtype}; use .float()")


def check_real(value: Any, name: str, who: str, low: float, strict: bool = False) -> None:
    """Refuse a value that is not a finite number >= low (> low when strict)."""
    ok = isinstance(value, int | float | np.number) and np.isfinite(value)
    if not ok or value < low or (strict and value == low):
        bound = f"> {low}" if strict else f">= {low}"
        raise RuntimeError(f"{who}(): {name} must be a finite number {bound}, got {value!r}")


def as_tensor_list(tensors: Any, who: str) -> list:
    """The tensors of cat/stack: a non-empty list or tuple of Tensors and constants."""
    if not isinstance(tensors, list | tuple):
        raise TypeError(f"{who}() takes a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{who}() needs at least one tensor")
    return [t if hasattr(t, "grad_fn") else as_constant(t, who) for t in tensors]


# --------------------------------------------------------------------------- backward()'s arguments
def _wants_grad(t: Any) -> bool:
    return hasattr(t, "grad_fn") and t._requires_grad


def as_grad_inputs(inputs: Any, who: str = "grad()") -> list:
    """grad()'s (and backward(inputs=)'s) `inputs`: one Tensor or several, each requiring
    grad; backward() refuses none at all, as torch."""
    inputs = [inputs] if hasattr(inputs, "grad_fn") else list(inputs)
    if not inputs and who == "backward()":
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for i, t in enumerate(inputs):
        if not _wants_grad(t):
            raise RuntimeError(
                f"{who}: input {i} is not a Tensor with requires_grad=True (got {brief(t)}); "
                "for a leaf, call .requires_grad_() before computing the outputs"
            )
    return inputs


def as_seeds(outputs: Any, grad_outputs: Any, create_graph: bool, who: str) -> tuple[list, list]:
    """backward()'s and grad()'s outputs as a list, and the gradient that starts the pass
    from each (d L / d output): ones for a single-element output, else the one given, of
    the output's shape and dtype; Tensors under create_graph, arrays otherwise."""
    single = hasattr(outputs, "grad_fn")
    outputs = [outputs] if single else list(outputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif single or not isinstance(grad_outputs, list | tuple):
        grad_outputs = [grad_outputs]
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not _wants_grad(out):
            raise RuntimeError(NO_GRAD_OUTPUT.format(who=who, i=i))
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"{who}: output {i} has shape {out.shape}; a gradient can be implied only "
                    "for a single-element output. Pass gradient= (grad_outputs=) of that "
                    "shape, or reduce first, e.g. out.sum().backward()"
                )
            g = np.ones_like(out._data)
        elif not hasattr(g, "grad_fn") or not create_graph:
            g = np.asarray(g._data if hasattr(g, "grad_fn") else g, dtype=out._data.dtype)
        if g.shape != out.shape:
            raise RuntimeError(
                f"{who}: gradient has shape {g.shape} but output {i} has shape {out.shape}"
            )
        seeds.append(out.wrap(g) if create_graph and not hasattr(g, "grad_fn") else g)
    return outputs, seeds


def not_provided(module: str, name: str, torch_names: dict[str, str]) -> AttributeError:
    """The AttributeError for `module.name`: for a PyTorch name this package does not
    provide (a key of `torch_names`), a message saying so and what to use instead (its
    value); otherwise Python's usual one. An AttributeError, so `hasattr` stays False."""
    if name in torch_names:
        return AttributeError(
            f"{module}.{name} is PyTorch's, but tinygrad_mlp does not provide it: "
            f"{torch_names[name]}"
        )
    return AttributeError(f"module {module!r} has no attribute {name!r}")
