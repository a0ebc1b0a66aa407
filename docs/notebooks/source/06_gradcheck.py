# Source of docs/notebooks/06_gradcheck.ipynb: edit this file, then run
# python docs/notebooks/build.py

# %% [markdown]
# # 6. Checking gradients
#
# How do we know a gradient is right? The engine's answer comes from rules and the chain
# rule; an independent answer comes from the definition of the derivative itself: nudge
# the input a little and see how much the output moves. This notebook does that by hand,
# then with `gradcheck`, which does it for every element of every input, and finally
# catches a deliberately broken operation.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_mlp import Tensor
from tinygrad_mlp.autograd import Function
from tinygrad_mlp.gradcheck import GradcheckError, gradcheck, gradgradcheck

# %% [markdown]
# ## Finite differences by hand
#
# Take `f(x) = x * tanh(2x)` at `x = 0.7`. The engine gives `f'(x)` from one backward pass.
# Two approximations need only `f` itself:
#
#     forward difference:  (f(x + h) - f(x)) / h
#     central difference:  (f(x + h) - f(x - h)) / 2h


# %%
def f(x):
    return x * (2 * x).tanh()


x = Tensor(0.7, requires_grad=True, dtype=np.float64)
f(x).backward()
engine = x.grad.item()


def f_at(value, dtype=np.float64):
    return f(Tensor(value, dtype=dtype)).item()


h = 1e-4
forward = (f_at(0.7 + h) - f_at(0.7)) / h
central = (f_at(0.7 + h) - f_at(0.7 - h)) / (2 * h)
print(f"engine:              {engine:.12f}")
print(f"forward difference:  {forward:.12f}   error {abs(forward - engine):.1e}")
print(f"central difference:  {central:.12f}   error {abs(central - engine):.1e}")

# %% [markdown]
# The central difference is far closer. Its error shrinks like `h²` (the `h` terms of the
# two sides cancel), the forward difference's only like `h`. But `h` cannot simply be made
# tiny: `f(x + h) - f(x - h)` then subtracts two nearly equal numbers, and the rounding
# error of each (about `1e-16` of `f` in float64) is divided by `h`. Sweeping `h` shows
# both effects, and why float32 (rounding about `1e-7`) is no good for this:

# %%
hs = np.logspace(-13, -1, 49)
rows = {"forward, float64": [], "central, float64": [], "central, float32": []}
for h in hs:
    rows["forward, float64"].append((f_at(0.7 + h) - f_at(0.7)) / h)
    rows["central, float64"].append((f_at(0.7 + h) - f_at(0.7 - h)) / (2 * h))
    h32 = np.float32(h)  # the step as float32 sees it
    up, down = f_at(0.7 + h32, np.float32), f_at(0.7 - h32, np.float32)
    rows["central, float32"].append((up - down) / (2 * float(h32)) if h32 > 0 else np.nan)

fig, ax = plt.subplots(figsize=(7, 4))
for label, values in rows.items():
    # + 1e-17: an error of exactly 0 still shows on a log scale
    ax.loglog(hs, np.abs(np.array(values) - engine) + 1e-17, label=label)
ax.axvline(1e-6, color="grey", ls=":", label="h = 1e-6 (gradcheck's default)")
ax.set_xlabel("step h")
ax.set_ylabel("|difference - engine|")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
plt.show()

at = np.argmin(np.abs(np.log10(hs) + 6))  # the step h = 1e-6
for label, values in rows.items():
    errors = np.abs(np.array(values) - engine)
    print(f"{label}:  error {errors[at]:.0e} at h = 1e-6,  smallest {np.nanmin(errors):.0e}")

# %% [markdown]
# Right of each minimum the approximation's own error dominates, left of it rounding (on
# the flat left part of the float32 curve, `x + h` rounds back to `x`: the difference is
# 0, and the error is the whole derivative). In float64 a central
# difference with `h = 1e-6` agrees with the true derivative to about ten digits. In
# float32 the same step gives one or two, and the best step only a few more, found by
# luck. That is why gradient checks run in float64, with central differences.
#
# ## Many inputs: one element at a time
#
# For a tensor input the same is done element by element: nudge one entry, keep the others.
# Here for `L(W) = sum(tanh(x @ W))` with a 3 x 2 matrix `W`:

# %%
rng = np.random.default_rng(0)
x_data = rng.standard_normal((4, 3))
W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, dtype=np.float64)


def L(W):
    return (Tensor(x_data, dtype=np.float64) @ W).tanh().sum()


L(W).backward()

h = 1e-6
numerical = np.zeros_like(W.data)
for index in np.ndindex(W.shape):
    up, down = W.data.copy(), W.data.copy()
    up[index] += h
    down[index] -= h
    numerical[index] = (
        L(Tensor(up, dtype=np.float64)).item() - L(Tensor(down, dtype=np.float64)).item()
    ) / (2 * h)

print("engine:\n", W.grad.data)
print("central differences:\n", numerical)
print(f"max |difference| = {np.abs(W.grad.data - numerical).max():.1e}")

# %% [markdown]
# ## gradcheck
#
# `gradcheck(fn, inputs)` does this for you, and more thoroughly: it copies every floating
# input that requires a gradient to float64, builds the whole Jacobian (every output
# element against every input element) once from the engine and once from central
# differences, and requires them to agree to `atol + rtol * |numerical|` everywhere
# (`atol=1e-5`, `rtol=1e-3` by default, as in PyTorch). It returns `True`, or raises an
# error that names the input, the element and both values.
#
# Here it checks a small layer, `tanh(x @ W + b)`, with respect to all three inputs at once:


# %%
def layer(x, W, b):
    return (x @ W + b).tanh()


inputs = [
    Tensor(rng.standard_normal((4, 3)), requires_grad=True, dtype=np.float64),
    Tensor(rng.standard_normal((3, 2)), requires_grad=True, dtype=np.float64),
    Tensor(rng.standard_normal(2), requires_grad=True, dtype=np.float64),
]
print("gradcheck(layer):", gradcheck(layer, inputs))

# %% [markdown]
# ## Catching a broken operation
#
# New operations are written as a `Function`, as in PyTorch: a `forward` that gets the input
# tensors (and runs without recording a graph) and a `backward` that turns the gradient of
# the output into the gradient of the input. Here is a sigmoid,
# `s = 1 / (1 + exp(-x))`, whose derivative is `s (1 - s)`, written with a bug: its
# backward forgets the factor `(1 - s)`.


# %%
class BrokenSigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        s = 1 / (1 + (-x).exp())
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s  # wrong: the derivative is s * (1 - s)


x = Tensor(rng.standard_normal((2, 3)), requires_grad=True, dtype=np.float64)
print("forward matches the sigmoid:", np.allclose(BrokenSigmoid.apply(x).data, x.sigmoid().data))

# %% [markdown]
# The forward pass is right, so nothing looks wrong when the network runs: the bug would
# only show as training that goes badly. `gradcheck` finds it at once:

# %%
print("gradcheck(BrokenSigmoid):", gradcheck(BrokenSigmoid.apply, [x], raise_exception=False))
try:
    gradcheck(BrokenSigmoid.apply, [x])
except GradcheckError as error:
    print(error)

# %% [markdown]
# The message says where to look: input element (0, 0). There the broken rule's slope
# ("analytical") is `s` itself, while the true slope `s (1 - s)` is what the finite
# difference measured ("numerical"):


# %%
s00 = x.sigmoid().data[0, 0]
print(f"s = {s00:.10f}   s (1 - s) = {s00 * (1 - s00):.10f}")

# %% [markdown]
# With the factor put back, it passes:


# %%
class FixedSigmoid(BrokenSigmoid):
    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s * (1 - s)


print("gradcheck(FixedSigmoid):", gradcheck(FixedSigmoid.apply, [x]))

# %% [markdown]
# ## A subtler bug: right gradient, wrong second derivative
#
# `saved_tensors` and `grad_output` are Tensors, so a rule built from Tensor operations can
# itself be differentiated (notebook 5). A rule that drops to NumPy with `.data` gives
# correct first derivatives but cuts the graph: its second derivative is silently zero.
# `gradcheck` passes; `gradgradcheck`, which checks the derivative of the backward pass,
# does not.


# %%
class DetachedSigmoid(BrokenSigmoid):
    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        slope = s.data * (1 - s.data)  # a NumPy array: the engine cannot see through it
        return grad_output * slope


print("gradcheck:    ", gradcheck(DetachedSigmoid.apply, [x], raise_exception=False))
print("gradgradcheck:", gradgradcheck(DetachedSigmoid.apply, [x], raise_exception=False))
print("gradgradcheck(FixedSigmoid):", gradgradcheck(FixedSigmoid.apply, [x]))

# %% [markdown]
# ## When a check fails without a bug
#
# Finite differences assume the function is smooth between `x - h` and `x + h`. At a kink
# they average the two slopes: `relu` at exactly 0 has slope 0 on the left and 1 on the
# right, so the central difference says 0.5, while the engine (like PyTorch) uses 0 there.
# Check away from kinks: draw inputs at random, not on round numbers.

# %%
at_kink = Tensor([0.0, 1.0], requires_grad=True, dtype=np.float64)
print("relu at 0 and 1:", gradcheck(lambda t: t.relu(), [at_kink], raise_exception=False))
away = Tensor([0.3, -1.2], requires_grad=True, dtype=np.float64)
print("relu at 0.3 and -1.2:", gradcheck(lambda t: t.relu(), [away]))

# %% [markdown]
# Every gradient rule in this project is tested this way (tests/helpers.py holds the
# checker), in float64, with random inputs away from kinks and a random upstream gradient.
