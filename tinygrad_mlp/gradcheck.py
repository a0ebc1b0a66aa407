"""Check gradients against finite differences, as `torch.autograd.gradcheck` does.

For a function `fn` of tensors, the *analytical* Jacobian comes from the engine (one
backward pass per output element) and the *numerical* one from central differences,

    d out[k] / d x[e]  ~  (fn(x + eps * e_hat)[k] - fn(x - eps * e_hat)[k]) / (2 * eps),

both in float64. They must agree to `atol + rtol * |numerical|` at every element.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad
from .random import generator
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical gradients disagree."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
) -> bool:
    """True when the gradients of `fn(*inputs)` match central differences.

    Inputs that are floating Tensors with `requires_grad=True` are checked; they are
    copied to float64 first. `fn` may return a Tensor or a tuple of Tensors. With
    `fast_mode=True` only one random direction is compared (v^T J u), which costs two
    evaluations instead of two per input element. On a mismatch, raises a
    `GradcheckError` naming the input, the output, the element and both values (or
    returns False when `raise_exception=False`).
    """
    xs = _float64_inputs(inputs)
    wrt = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input is a floating Tensor with requires_grad=True")
    outs = _outputs(fn(*xs))
    try:
        if fast_mode:
            _check_direction(fn, xs, wrt, outs, eps, atol, rtol)
        else:
            for j, out in enumerate(outs):
                _check_output(fn, xs, wrt, j, out, eps, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Sequence[Any] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
) -> bool:
    """Check second derivatives: gradcheck of (inputs, v) -> v^T d fn / d inputs, the
    first derivative computed with `create_graph=True`. `v` (`grad_outputs`) is random
    unless given."""
    xs = _float64_inputs(inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in xs):
        raise ValueError("gradgradcheck: no input is a floating Tensor with requires_grad=True")
    outs = _outputs(fn(*xs))
    if grad_outputs is None:
        vs = [Tensor(generator().standard_normal(o.shape), dtype=np.float64) for o in outs]
    else:
        vs = [Tensor(np.asarray(v), dtype=np.float64) for v in grad_outputs]
    for v in vs:
        v.requires_grad_(True)
    n = len(xs)

    def first_derivative(*args: Any) -> tuple:
        pairs = [(o, v) for o, v in zip(_outputs(fn(*args[:n])), args[n:]) if o.requires_grad]
        if not pairs:
            return ()
        diff = [x for x in args[:n] if isinstance(x, Tensor) and x.requires_grad]
        outs, seeds = [o for o, _ in pairs], [v for _, v in pairs]
        gs = grad(outs, diff, seeds, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, [*xs, *vs], eps, atol, rtol, raise_exception, fast_mode)


def _float64_inputs(inputs: Any) -> list:
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    return [
        Tensor(x.data, dtype=np.float64, requires_grad=x.requires_grad)
        if isinstance(x, Tensor) and x.dtype.kind == "f"
        else x
        for x in inputs
    ]


def _outputs(result: Any) -> list[Tensor]:
    """The floating Tensor outputs, those that do not require grad included: their
    analytical Jacobian is zero and is still compared with the numerical one (a rule built
    from detached arrays must not pass as "no derivative")."""
    outs = list(result) if isinstance(result, tuple | list) else [result]
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _evaluate(fn: Callable, xs: list) -> list[np.ndarray]:
    """The differentiable outputs of fn(*xs) as float64 arrays (the graph is discarded)."""
    return [np.array(o.data, dtype=np.float64) for o in _outputs(fn(*xs))]


def _analytical(out: Tensor, xs: list, wrt: list) -> list[np.ndarray]:
    """d out / d xs[i] for each i in wrt, one row per element of out (a backward pass each,
    keeping the graph)."""
    jac = [np.zeros((out.numel(), xs[i].numel())) for i in wrt]
    if not out.requires_grad:  # not connected to the inputs: the Jacobian is zero
        return jac
    for k in range(out.numel()):
        seed = np.zeros(out.numel())
        seed[k] = 1.0
        gs = grad(
            out,
            [xs[i] for i in wrt],
            seed.reshape(out.shape).astype(out.dtype),
            retain_graph=True,
            allow_unused=True,
        )
        for J, g in zip(jac, gs):
            if g is not None:
                J[k] = g.data.ravel()
    return jac


def _check_output(fn, xs, wrt, j, out, eps, atol, rtol) -> None:
    analytical = _analytical(out, xs, wrt)
    for i, A in zip(wrt, analytical):
        x = xs[i].data
        flat = x.reshape(-1)  # a view: writing to it perturbs the input in place
        for e in range(x.size):
            old = flat[e]
            flat[e] = old + eps
            plus = _evaluate(fn, xs)[j].ravel()
            flat[e] = old - eps
            minus = _evaluate(fn, xs)[j].ravel()
            flat[e] = old
            numerical = (plus - minus) / (2 * eps)
            bad = np.abs(A[:, e] - numerical) > atol + rtol * np.abs(numerical)
            if bad.any():
                k = int(np.argmax(bad))
                raise GradcheckError(
                    f"gradcheck: Jacobian mismatch for output {j} (shape {out.shape}) with "
                    f"respect to input {i} (shape {x.shape}) at input element "
                    f"{_index(e, x.shape)}, output element "
                    f"{_index(k, out.shape)}: analytical {A[k, e]:.10g}, "
                    f"numerical {numerical[k]:.10g}"
                )


def _index(flat: int, shape: tuple) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape))


def _check_direction(fn, xs, wrt, outs, eps, atol, rtol) -> None:
    rng = generator()
    us = {i: rng.standard_normal(xs[i].shape) for i in wrt}
    vs = [rng.standard_normal(o.shape) for o in outs]
    live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    gs = (
        grad(
            [o for o, _ in live],
            [xs[i] for i in wrt],
            [v.astype(o.dtype) for o, v in live],
            allow_unused=True,
        )
        if live
        else ()
    )
    analytical = sum(float((g.data * us[i]).sum()) for i, g in zip(wrt, gs) if g is not None)
    saved = {i: xs[i].data.copy() for i in wrt}

    def at(sign: float) -> float:
        for i in wrt:
            xs[i].data[...] = saved[i] + sign * eps * us[i]
        return sum(float((o * v).sum()) for o, v in zip(_evaluate(fn, xs), vs))

    numerical = (at(1.0) - at(-1.0)) / (2 * eps)
    for i in wrt:
        xs[i].data[...] = saved[i]
    if abs(analytical - numerical) > atol + rtol * abs(numerical):
        raise GradcheckError(
            f"gradcheck (fast mode): along a random direction u of the inputs {wrt} and v of "
            f"the outputs, v^T J u is analytical {analytical:.10g} but numerical "
            f"{numerical:.10g}; run with fast_mode=False to find the element"
        )


__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]
