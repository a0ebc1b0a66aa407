"""An independent gradient checker for tests (it does not use tinygrad_mlp.gradcheck, so it
can catch bugs there too).

For `out = fn(*tensors)` and an upstream gradient `g` (d loss / d out), the engine's
gradients come from `out.backward(g)`; the reference is the central difference of the
scalar `loss(x) = sum(fn(x) * g)` computed in float64 NumPy:

    d loss / d x[e]  ~  (loss(x + eps * e_hat) - loss(x - eps * e_hat)) / (2 * eps)

for every element `e` of every input. Along the way it checks that each gradient has its
input's shape and dtype, that inputs are not changed by forward or backward, and that no
two gradients share memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_mlp import Tensor, no_grad

__all__ = ["check_grads", "leaves", "numerical_grads", "random_grad", "to_numpy"]


def to_numpy(x: Any) -> np.ndarray:
    """The float64 NumPy value of a Tensor, array or number."""
    return np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def leaves(arrays: Sequence[np.ndarray], dtype: Any = np.float64) -> list[Tensor]:
    """Fresh leaf tensors (copies) of `arrays` with requires_grad=True."""
    return [Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]


def random_grad(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """A reproducible float64 upstream gradient for tests that do not use hypothesis:
    normal values, none of them close to zero."""
    g = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(g) < 0.25, np.copysign(0.25, g), g)


def _loss(
    fn: Callable[..., Any], arrays: Sequence[np.ndarray], g: np.ndarray, record: bool
) -> float:
    if record:  # fn differentiates inside (e.g. calls grad()): it needs a graph
        value = to_numpy(fn(*leaves(arrays)))
    else:
        with no_grad():
            value = to_numpy(fn(*(Tensor(a, dtype=np.float64) for a in arrays)))
    assert value.shape == g.shape, f"fn gave shape {value.shape}, gradient has {g.shape}"
    return float(np.sum(value * g))


def numerical_grads(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    g: np.ndarray,
    eps: float = 1e-6,
    record: bool = False,
) -> list[np.ndarray]:
    """Central-difference gradients of sum(fn(*arrays) * g) for every element of every
    array, in float64. `fn` runs under no_grad unless `record=True`."""
    base = [np.array(a, dtype=np.float64) for a in arrays]
    result = []
    for i, a in enumerate(base):
        grad = np.zeros_like(a)
        flat, gflat = a.reshape(-1), grad.reshape(-1)  # views into a and grad
        for e in range(a.size):
            old = flat[e]
            flat[e] = old + eps
            plus = _loss(fn, base, g, record)
            flat[e] = old - eps
            minus = _loss(fn, base, g, record)
            flat[e] = old
            gflat[e] = (plus - minus) / (2 * eps)
        assert np.array_equal(a, np.asarray(arrays[i], dtype=np.float64))
        result.append(grad)
    return result


def check_grads(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    g: np.ndarray | None = None,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    record: bool = False,
) -> list[np.ndarray]:
    """Assert that the engine's gradients of `fn(*tensors)` (weighted by the upstream
    gradient `g`) match float64 central differences at every element of every input.

    `fn` takes one float64 Tensor per array and returns a Tensor. `g` defaults to a
    reproducible random gradient of the output's shape. The differences evaluate `fn`
    under no_grad, unless `record=True` (for an `fn` that differentiates something
    itself, e.g. one that returns a gradient made with create_graph=True). Returns the
    engine's gradients.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    originals = [a.copy() for a in arrays]
    xs = leaves(arrays)
    out = fn(*xs)
    assert isinstance(out, Tensor), f"fn returned {type(out).__name__}, not a Tensor"
    assert out.dtype == np.float64, f"float64 inputs gave a {out.dtype} output"
    if g is None:
        g = random_grad(out.shape)
    g = np.asarray(g, dtype=np.float64)
    assert out.shape == g.shape, f"output shape {out.shape} but upstream gradient {g.shape}"
    out.backward(Tensor(g, dtype=np.float64))
    for i, (x, a) in enumerate(zip(xs, originals)):
        assert np.array_equal(x.data, a), f"input {i} was changed by forward or backward"

    analytical = []
    for i, x in enumerate(xs):
        if x.grad is None:  # the engine says fn does not depend on this input
            analytical.append(np.zeros_like(x.data))
            continue
        grad = x.grad.data
        assert isinstance(grad, np.ndarray)
        assert grad.shape == x.shape, f"input {i}: gradient shape {grad.shape} != {x.shape}"
        assert grad.dtype == x.dtype, f"input {i}: gradient dtype {grad.dtype} != {x.dtype}"
        assert not np.shares_memory(grad, x.data), f"input {i}: gradient aliases the input"
        for j in range(i):
            other = xs[j].grad
            assert other is None or not np.shares_memory(grad, other.data), (
                f"gradients of inputs {j} and {i} share memory"
            )
        analytical.append(np.array(grad))

    numerical = numerical_grads(fn, originals, g, eps, record)
    for i, (A, N) in enumerate(zip(analytical, numerical)):
        bad = np.abs(A - N) > atol + rtol * np.abs(N)
        if bad.any():
            e = tuple(int(k) for k in np.argwhere(bad)[0])
            raise AssertionError(
                f"gradient of input {i} (shape {A.shape}) is wrong at element {e}: "
                f"engine {A[e]!r}, central difference {N[e]!r} "
                f"({int(bad.sum())} of {bad.size} elements differ)\n"
                f"engine:\n{A}\ncentral difference:\n{N}"
            )
    return analytical
