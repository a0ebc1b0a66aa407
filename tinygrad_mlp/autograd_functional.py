"""PyTorch's `torch.autograd.functional`: Jacobians, Hessians and their products with a
vector, computed by calling `grad()` on a function of the inputs.

    import tinygrad_mlp.autograd.functional as AF     # also tg.autograd.functional
    J = AF.jacobian(lambda x: x**2, x)                # diag(2 x): shape x.shape + x.shape
    H = AF.hessian(lambda x: (x**3).sum(), x)         # diag(6 x)
    out, Jv = AF.jvp(f, x, v)                         # J v  (forward mode, by two vjps)

The same signatures, shapes and nesting as PyTorch's, and the same rules:

- Each input is used as a fresh leaf (`x.detach().requires_grad_()`), so the function
  may be differentiated without touching the user's tensors (no `.grad` is written).
  With `create_graph=True` an input that requires grad is used through a view instead,
  so the results stay connected to it: they can be differentiated again (`J.sum()
  .backward()` fills `x.grad`), as in PyTorch.
- Results are detached unless `create_graph=True`.
- A tuple of inputs gives a tuple of results, one per input; a function returning a
  tuple gives a tuple per output (for `jacobian`, a tuple per output of tuples per input).
  A single Tensor is never wrapped. Only tuples count as tuples: a list is refused.
- `v` may be left out only when it would have one element (the output's, for `vjp`; the
  input's, for `jvp`, `hvp`, `vhp`). A wrong-shaped `v` is refused, naming both shapes.
- Where an output does not depend on an input the result is zeros; `strict=True` raises
  instead.

How each is computed (reverse mode: the engine only runs backward passes):

- `vjp`: one backward pass, `grad(out, x, v)` = v^T J.
- `jvp`: the double-vjp trick. With a dummy `u` (zeros that require grad), `g = grad(out,
  x, u, create_graph=True)` = J^T u is linear in u, so `grad(g, u, v)` = J v.
- `jacobian`: one backward pass per output element (row by row), each row reshaped into
  out.shape + in.shape. `vectorize=True` is accepted and gives the same numbers (in
  PyTorch it only batches the passes); `strategy="forward-mode"` builds the Jacobian
  column by column, one double-vjp per input element, and keeps PyTorch's restrictions
  (it needs `vectorize=True`, and refuses `strict=True` and `create_graph=True`).
- `hessian`: the Jacobian of the gradient (PyTorch's construction: the inner Jacobian is
  made with `create_graph=True` and differentiated again by the outer one).
- `vhp`: `grad(grad(f, x, create_graph=True), x, v)` = v^T H; `hvp`: H v by the
  double-vjp trick on the gradient (equal to vhp for a twice-differentiable f, whose
  Hessian is symmetric).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import grad
from .checks import as_bool
from .functions import stack
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

Tensors = Tensor | tuple[Tensor, ...]
OUTPUTS = "outputs of the user-provided function"


# --------------------------------------------------------------------------- arguments
def _as_tuple(x: Any, what: str, who: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was it a tuple, x as a tuple of Tensors); anything that is not a Tensor is refused,
    with PyTorch's message and what to write instead."""
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, t in enumerate(items):
        if isinstance(t, Tensor):
            continue
        where = f"the value at index {i}" if is_tuple else f"the given {what}"
        if isinstance(t, list):
            hint = "pass several tensors as a tuple: tuple(tensors)"
        elif what == OUTPUTS:
            hint = "make the function return Tensors (computed from its inputs)"
        else:
            hint = "make it a Tensor first, e.g. tg.tensor(value, dtype=tg.float64)"
        raise TypeError(
            f"The {what} given to {who} must be either a Tensor or a tuple of Tensors but "
            f"{where} has type {type(t)}; {hint}"
        )
    return is_tuple, items


def _prepare(ts: tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> tuple:
    """Fresh leaves of `ts` (requiring grad if `need_graph`), sharing their values; with
    create_graph, a tensor that requires grad is used through a view, so that the results
    can be differentiated with respect to it (PyTorch's `_grad_preprocess`)."""
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
        for t in ts
    )


def _finish(res: tuple, create_graph: bool) -> tuple:
    """Results as the user gets them: detached unless create_graph (nested tuples too)."""
    if create_graph:
        return res
    return tuple(r.detach() if isinstance(r, Tensor) else _finish(r, False) for r in res)


def _unpack(res: tuple, outer: bool, inner: bool | None = None) -> Any:
    """Undo the tuples made for arguments that were single Tensors: `inner` for the
    per-input level of a nested result, `outer` for the top level."""
    if inner is not None and not inner:
        res = tuple(r[0] for r in res)
    return res if outer else res[0]


def _check_v(
    v: Any, like: tuple[Tensor, ...], like_is_tuple: bool, create_graph: bool, who: str
) -> tuple:
    """`v` as a tuple of Tensors, one per tensor of `like`, of the same shapes."""
    _, v = _as_tuple(v, "v", who)
    v = _prepare(v, create_graph, need_graph=False)
    if len(v) != len(like):
        if like_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            entry = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {b.shape} but got {a.shape}.")
    return v


def _no_v(ts: tuple[Tensor, ...], of: str, whose: str) -> None:
    """v=None is allowed only for a single Tensor with a single element."""
    if len(ts) != 1 or ts[0].numel() != 1:
        shapes = ", ".join(str(t.shape) for t in ts)
        raise RuntimeError(
            f"The vector v can only be None if {of} a single Tensor with a single element; "
            f"pass v (one Tensor per {whose}, of shape {shapes})"
        )


_NOT_DIFFERENTIABLE = {
    "outputs": (
        "Output {i} of the user-provided function does not require gradients. The outputs "
        "must be computed in a differentiable manner from the input when running in strict "
        "mode."
    ),
    "jacobian": (
        "While computing the hessian, found that the jacobian of the user-provided function "
        "with respect to input {i} is independent of the input. This is not allowed in "
        "strict mode. You should ensure that your function is twice differentiable and that "
        "the jacobian depends on the inputs (this would be violated by a linear function for "
        "example)."
    ),
    "grad_inputs": (
        "The gradient with respect to input {i} is independent of the inputs of the "
        "user-provided function. This is not allowed in strict mode."
    ),
}


def _check_requires_grad(ts: tuple, kind: str, strict: bool) -> None:
    """In strict mode, refuse a result that does not depend on the inputs."""
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode."
            )
        if not t.requires_grad:
            raise RuntimeError(_NOT_DIFFERENTIABLE[kind].format(i=i))


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}.",
    "back_trick": (
        "The gradient with respect to the input is independent of entry {i} in the "
        "grad_outputs when using the double backward trick to compute forward mode gradients."
    ),
    "double_back": "The jacobian of the user-provided function is independent of input {i}.",
    "double_back_trick": (
        "The hessian of the user-provided function is independent of entry {i} in the "
        "grad_jacobian, which prevents using the double backward trick to replace forward "
        "mode AD."
    ),
}


def _fill_in_zeros(
    grads: tuple, refs: tuple[Tensor, ...], strict: bool, create_graph: bool, stage: str
) -> tuple:
    """Zeros (like refs[i]) where grads[i] is None, or, in strict mode, an error saying
    which backward pass found no dependence."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(
                    _INDEPENDENT[stage].format(i=i) + " This is not allowed in strict mode; "
                    "pass strict=False to get zeros there."
                )
            g = Tensor.wrap(np.zeros(refs[i].shape, dtype=refs[i].dtype))
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _grad(
    outputs: tuple,
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple:
    """`grad()` over the outputs that can be differentiated (None and outputs that do not
    require grad are left out); None for each input none of them depends on."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(
        [o for o, _ in pairs],
        list(inputs),
        [g for _, g in pairs],
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _zeros_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(t.shape, dtype=t.dtype), dtype=t.dtype, requires_grad=requires_grad)


# --------------------------------------------------------------------------- products
def vjp(
    func: Callable[..., Tensors],
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensors, Tensors]:
    """`(func(*inputs), v^T J)`: the vector-Jacobian product, one result per input, as
    `torch.autograd.functional.vjp`. `v` has the outputs' shapes (one Tensor per output);
    it may be left out for a single-element output."""
    create_graph = as_bool(create_graph, "create_graph", "vjp")
    strict = as_bool(strict, "strict", "vjp")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is None:
            _no_v(outputs, "the user-provided function returns", "output")
        else:
            v = _check_v(v, outputs, is_outputs_tuple, create_graph, "vjp")
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return (
        _unpack(_finish(outputs, create_graph), is_outputs_tuple),
        _unpack(_finish(result, create_graph), is_inputs_tuple),
    )


def jvp(
    func: Callable[..., Tensors],
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensors, Tensors]:
    """`(func(*inputs), J v)`: the Jacobian-vector product, one result per output, as
    `torch.autograd.functional.jvp`. `v` has the inputs' shapes; it may be left out for a
    single-element input. Computed by the double-vjp trick (see the module docstring)."""
    create_graph = as_bool(create_graph, "create_graph", "jvp")
    strict = as_bool(strict, "strict", "jvp")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        if v is None:
            _no_v(inputs, "the input to the user-provided function is", "input")
        else:
            v = _check_v(v, inputs, is_inputs_tuple, create_graph, "jvp")
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # u -> J^T u is linear, so u's value does not matter (zeros: no inf or nan)
        dummies = tuple(_zeros_like(out, requires_grad=True) for out in outputs)
        vjps = _grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(vjps, "grad_inputs", strict)
        grads = _grad(vjps, dummies, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return (
        _unpack(_finish(outputs, create_graph), is_outputs_tuple),
        _unpack(_finish(result, create_graph), is_outputs_tuple),
    )


def _scalar_function_grad(
    func: Callable[..., Tensors], inputs: Any, v: Any, create_graph: bool, strict: bool, who: str
) -> tuple:
    """What vhp and hvp share: the fresh inputs, v, f's output and its gradient (made with
    create_graph=True, so it can be differentiated again)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", who)
    inputs = _prepare(inputs, create_graph, need_graph=True)
    if v is None:
        _no_v(inputs, "the input to the user-provided function is", "input")
    else:
        v = _check_v(v, inputs, is_inputs_tuple, create_graph, who)
    is_outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, who)
    _check_requires_grad(outputs, "outputs", strict)
    if is_outputs_tuple:
        raise RuntimeError(
            f"The function given to {who} should return a single Tensor, not a tuple of "
            f"{len(outputs)}"
        )
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {who} should contain a single "
            f"element, not shape {outputs[0].shape}; reduce it first (e.g. .sum())"
        )
    jac = _grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return is_inputs_tuple, inputs, v, outputs, jac


def vhp(
    func: Callable[..., Tensor],
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensor, Tensors]:
    """`(func(*inputs), v^T H)` for a function with a single-element output, as
    `torch.autograd.functional.vhp`: the gradient of `grad(f) . v`. `v` has the inputs'
    shapes; it may be left out for a single-element input."""
    create_graph = as_bool(create_graph, "create_graph", "vhp")
    strict = as_bool(strict, "strict", "vhp")
    with enable_grad():
        is_inputs_tuple, inputs, v, outputs, jac = _scalar_function_grad(
            func, inputs, v, create_graph, strict, "vhp"
        )
        grads = _grad(jac, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return (
        _finish(outputs, create_graph)[0],
        _unpack(_finish(result, create_graph), is_inputs_tuple),
    )


def hvp(
    func: Callable[..., Tensor],
    inputs: Tensors,
    v: Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensor, Tensors]:
    """`(func(*inputs), H v)` for a function with a single-element output, as
    `torch.autograd.functional.hvp`, by the double-vjp trick on the gradient. `v` has the
    inputs' shapes; it may be left out for a single-element input."""
    create_graph = as_bool(create_graph, "create_graph", "hvp")
    strict = as_bool(strict, "strict", "hvp")
    with enable_grad():
        is_inputs_tuple, inputs, v, outputs, jac = _scalar_function_grad(
            func, inputs, v, create_graph, strict, "hvp"
        )
        dummies = tuple(_zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _grad(jac, inputs, dummies, create_graph=True)  # H^T u: linear in u
        grads = _grad(double_back, dummies, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return (
        _finish(outputs, create_graph)[0],
        _unpack(_finish(result, create_graph), is_inputs_tuple),
    )


# --------------------------------------------------------------------------- matrices
_STRATEGIES = ("forward-mode", "reverse-mode")


def _check_strategy(strategy: Any, name: str, who: str) -> None:
    if strategy not in _STRATEGIES:
        raise ValueError(
            f'{who}(): {name} must be "forward-mode" or "reverse-mode", got {strategy!r}. '
            'Hint: if your function has more outputs than inputs, "forward-mode" tends to be '
            'faster; otherwise prefer "reverse-mode" (the default).'
        )


def _assemble(pieces: list, out: Tensor, inp: Tensor) -> Tensor:
    """The rows (or columns) of one block of a Jacobian as one Tensor of shape
    out.shape + inp.shape."""
    if not pieces:  # an output or input with no elements
        return Tensor.wrap(np.zeros(out.shape + inp.shape, dtype=inp.dtype))
    return stack(pieces).reshape(out.shape + inp.shape)


def jacobian(
    func: Callable[..., Tensors],
    inputs: Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Tensors | tuple[tuple[Tensor, ...], ...]:
    """The Jacobian of `func` at `inputs`, as `torch.autograd.functional.jacobian`.

    For one input and one output, a Tensor of shape out.shape + in.shape: entry
    [i..., j...] is d out[i...] / d in[j...]. A tuple of inputs gives a tuple (one per
    input); a function returning a tuple gives a tuple per output, of tuples per input
    when the inputs are a tuple too. Zeros where an output does not depend on an input
    (`strict=True` raises there); `create_graph=True` makes the result differentiable.
    `vectorize=True` gives the same numbers (it is a speed hint in PyTorch);
    `strategy="forward-mode"` (which needs `vectorize=True`, as in PyTorch) builds it
    column by column with the double-vjp trick.

        jacobian(lambda x: A @ x, x)            # A
        jacobian(lambda x, y: x * y, (x, y))    # (diag(y), diag(x))
    """
    create_graph = as_bool(create_graph, "create_graph", "jacobian")
    strict = as_bool(strict, "strict", "jacobian")
    vectorize = as_bool(vectorize, "vectorize", "jacobian")
    _check_strategy(strategy, "strategy", "jacobian")
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'autograd.functional.jacobian: `create_graph=True` and `strategy="'
                'forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        return _jacobian_forward(func, inputs, strict, vectorize)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        blocks = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]  # rows[j]: d out.flat[k] / d inputs[j]
            for k in range(out.numel()):
                seed = np.zeros(out.shape, dtype=out.dtype)
                seed.flat[k] = 1
                row = _grad((out,), inputs, (seed,), create_graph, retain_graph=True)
                for j, (g, inp) in enumerate(zip(row, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent "
                                f"of input {j}. This is not allowed in strict mode; pass "
                                "strict=False to get zeros there."
                            )
                        g = _zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            "The jacobian of the user-provided function is independent of "
                            f"input {j}. This is not allowed in strict mode when "
                            "create_graph=True."
                        )
                    rows[j].append(g)
            blocks.append(tuple(_assemble(r, out, inp) for r, inp in zip(rows, inputs)))
    return _unpack(_finish(tuple(blocks), create_graph), is_outputs_tuple, is_inputs_tuple)


def _jacobian_forward(func: Callable[..., Tensors], inputs: Any, strict: bool, vectorize: bool):
    """strategy="forward-mode": column j of the Jacobian is J e_j, one double-vjp (see
    `jvp`) per input element, from one graph of u -> J^T u."""
    if strict:
        raise RuntimeError(
            'autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
            "are not supported together (yet). Please either set `strict=False` or "
            '`strategy="reverse-mode"`.'
        )
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
            'implemented for `vectorize=True`: pass vectorize=True, or use strategy="reverse-'
            'mode" (the default)'
        )
    with enable_grad():
        inputs = _prepare(inputs, False, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, "jacobian")
        dummies = tuple(_zeros_like(out, requires_grad=True) for out in outputs)
        vjps = _grad(outputs, inputs, dummies, create_graph=True)  # J^T u, linear in u
        # blocks[i][j][..., k]: d outputs[i] / d inputs[j].flat[k], as out.shape + (n,)
        blocks = [
            [np.zeros(out.shape + (inp.numel(),), dtype=out.dtype) for inp in inputs]
            for out in outputs
        ]
        for j, inp in enumerate(inputs):
            for k in range(inp.numel()):
                tangent = tuple(np.zeros(t.shape, dtype=t.dtype) for t in inputs)
                tangent[j].flat[k] = 1
                column = _grad(vjps, dummies, tangent, retain_graph=True)
                for i, c in enumerate(column):
                    if c is not None:  # None: outputs[i] does not depend on inputs[j]
                        blocks[i][j][..., k] = c.data
    res = tuple(
        tuple(Tensor.wrap(b.reshape(out.shape + inp.shape)) for b, inp in zip(row, inputs))
        for row, out in zip(blocks, outputs)
    )
    return _unpack(res, is_outputs_tuple, is_inputs_tuple)


def hessian(
    func: Callable[..., Tensor],
    inputs: Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Tensor | tuple[tuple[Tensor, ...], ...]:
    """The Hessian of a function with a single-element output, as
    `torch.autograd.functional.hessian`: for one input, a Tensor of shape in.shape +
    in.shape; for a tuple of inputs, a tuple of tuples, block [i][j] of shape
    in_i.shape + in_j.shape. The Jacobian of the gradient: the inner Jacobian is made with
    create_graph=True and differentiated by the outer one, which takes
    `outer_jacobian_strategy`, `vectorize`, `create_graph` and `strict`.

        hessian(lambda x: (x**3).sum(), x)      # diag(6 x)
        hessian(lambda x: x @ A @ x, x)         # A + A^T
    """
    strict = as_bool(strict, "strict", "hessian")
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    _check_strategy(outer_jacobian_strategy, "outer_jacobian_strategy", "hessian")

    def single_output(*xs: Tensor) -> Tensor:
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, OUTPUTS, "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError(
                f"The function given to hessian should return a single Tensor, not a tuple "
                f"of {len(outs)}"
            )
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                f"element, not shape {out.shape}; reduce it first (e.g. .sum())"
            )
        return out.reshape(())

    def gradient(*xs: Tensor) -> tuple[Tensor, ...]:
        jac = jacobian(single_output, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _unpack(res, is_inputs_tuple, is_inputs_tuple)
