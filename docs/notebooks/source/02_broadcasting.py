# Source of docs/notebooks/02_broadcasting.ipynb: edit this file, then run
# python docs/notebooks/build.py

# %% [markdown]
# # 2. Tensors, broadcasting, and gradients that are summed back
#
# Notebook 1 differentiated single numbers. Networks work on arrays: a batch of inputs
# times a weight matrix, plus a bias. This notebook shows the one new thing arrays bring to
# the backward pass. When NumPy *broadcasts* a small array against a big one, the small
# one's values are reused many times, so its gradient is the *sum* over all those uses.
# The engine does that summing in one place, `unbroadcast`.

# %%
import numpy as np

from tinygrad_mlp import Tensor, viz
from tinygrad_mlp.autograd import unbroadcast
from tinygrad_mlp.viz import trace

rng = np.random.default_rng(0)

# %% [markdown]
# ## Tensors
#
# A `Tensor` holds a NumPy array in `.data`, and the gradient machinery around it.
# Floating data becomes float32 unless `dtype=` says otherwise, as in PyTorch.

# %%
x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(x)
print("shape", x.shape, " dtype", x.dtype, " requires_grad", x.requires_grad)
print(type(x.data))

# %% [markdown]
# ## Broadcasting
#
# Operations between arrays of different shapes follow NumPy's broadcasting rule: line the
# shapes up from the right; where one of them has size 1 (or has no axis at all), it is
# stretched to match the other. A bias of shape `(3,)` is added to every row of a `(2, 3)`
# batch; a column `(3, 1)` and a row `(1, 4)` make a `(3, 4)` table.

# %%
bias = Tensor([10.0, 20.0, 30.0])
print("(2, 3) + (3,):\n", (x + bias).data)
col = Tensor([[1.0], [2.0], [3.0]])
row = Tensor([[0.0, 10.0, 20.0, 30.0]])
print("(3, 1) + (1, 4):\n", (col + row).data)

# %% [markdown]
# Shapes that do not line up are an error, which names the operation and both shapes:

# %%
try:
    x + Tensor([1.0, 2.0])
except ValueError as error:
    print(error)

# %% [markdown]
# ## A linear layer
#
# The layer every network uses: inputs `x` of shape `(N, 3)` (a batch of N = 4 rows), a
# weight `W` of shape `(2, 3)` and a bias `b` of shape `(2,)`,
#
#     y = x @ W.T + b        shape (4, 2)
#
# The bias is broadcast: the same two numbers are added to all four rows. In the graph `x`
# is grey and dashed: it is data, and we asked for no gradient with respect to it.

# %%
x = Tensor(rng.standard_normal((4, 3)), dtype=np.float64, name="x")
W = Tensor(rng.standard_normal((2, 3)), requires_grad=True, dtype=np.float64, name="W")
b = Tensor([0.5, -0.5], requires_grad=True, dtype=np.float64, name="b")
y = x @ W.T + b
y.name = "y"
print("y has shape", y.shape)
viz.graph(y)

# %% [markdown]
# ## The gradient has the shape of the tensor
#
# `y` is not a single number, so `backward` needs to be told the gradient `g = dL/dy` of
# some loss `L` with respect to `y`: an array of `y`'s shape. Here it is random, standing
# for whatever the rest of the network would send back. `b.grad` must then have `b`'s
# shape, `(2,)`: one number per bias value.
#
# Think about what each bias value does: `b[0]` is added to `y[0, 0]`, `y[1, 0]`, `y[2, 0]`
# and `y[3, 0]`. Each of those uses passes back its share of the gradient, and the shares
# add up, just like the two uses of `a` in notebook 1. So `b.grad` is `g` summed over the
# batch axis.

# %%
g = rng.standard_normal((4, 2))
with trace(max_values=8) as tr:  # max_values: show the values of arrays up to 8 numbers
    y = x @ W.T + b
    y.name = "y"
    y.backward(g)
print("b.grad =", b.grad.data)
print("g summed over the rows =", g.sum(axis=0))
print("b.grad == g summed over the batch:", np.allclose(b.grad.data, g.sum(axis=0)))

# %% [markdown]
# The trace shows where that happened. The `Add` node's rule (`da = g, db = g`) hands `b`
# a gradient of the output's shape `(4, 2)`; the engine sees that `b` has shape `(2,)` and
# sums it down. Step to the first backward step (**Next**, after the three forward
# operations): the trace marks it "summed from shape (4, 2)"; compare the four rows of `g`
# with the two numbers `b` receives. The weight needs no summing: the matrix product's rule
# sends `x.T @ g` to `W.T`, and the transpose's rule turns that into `g.T @ x`.

# %%
tr

# %%
print("W.grad == g.T @ x:", np.allclose(W.grad.data, g.T @ x.data))

# %% [markdown]
# ## unbroadcast
#
# This summing is the engine's function `unbroadcast(grad, shape, op)`: it sums `grad`
# over the axes that broadcasting added (leading axes) or stretched (axes of size 1), so
# the result has `shape`. No gradient rule has to think about broadcasting; every rule may
# return a gradient of the output's shape, and `unbroadcast` fixes it in one place.

# %%
print("unbroadcast gives the same:", np.allclose(unbroadcast(g, (2,), "Add"), b.grad.data))

# %% [markdown]
# For the `(3, 1) + (1, 4)` table above, each column value was used across a whole row of
# the table, and each row value down a whole column, so the sums run along different axes
# and keep the size-1 axes:

# %%
g_table = np.arange(12.0).reshape(3, 4)
print("for the (3, 1) column:\n", unbroadcast(g_table, (3, 1), "Add"))
print("for the (1, 4) row:\n", unbroadcast(g_table, (1, 4), "Add"))

col = Tensor([[1.0], [2.0], [3.0]], requires_grad=True)
row = Tensor([[0.0, 10.0, 20.0, 30.0]], requires_grad=True)
(col + row).backward(g_table)
print("the engine agrees:", np.allclose(col.grad.data, g_table.sum(axis=1, keepdims=True)))

# %% [markdown]
# ## The other direction: reductions
#
# A sum or mean does the opposite of broadcasting: many values become one. Its gradient
# goes the opposite way too, copied back to every value that was summed (divided by their
# number, for a mean).

# %%
v = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
v.mean(axis=0).sum().backward()
print("gradient of sum(mean over axis 0): every entry is 1/2\n", v.grad.data)

# %% [markdown]
# The rule to remember: **a gradient always has the shape of its tensor**. Broadcasting
# forward means summing backward, and summing forward means broadcasting backward.
