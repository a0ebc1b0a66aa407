# Source of docs/notebooks/04_batchnorm_dropout.ipynb: edit this file, then run
# python docs/notebooks/build.py

# %% [markdown]
# # 4. Batch norm and dropout, made of primitives
#
# Textbooks derive a backward pass for batch normalisation by hand, and it is not short.
# In this project nobody wrote one: `BatchNorm1d` is a handful of ordinary tensor
# operations (mean, subtract, multiply, power, add), and its gradient comes out of their
# rules and the chain rule. Here we look at those operations, their graph, and check the
# result against the hand-derived closed form. Then the same for dropout, which is one
# multiplication by a random mask.

# %%
import numpy as np

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor, viz
from tinygrad_mlp.gradcheck import gradcheck
from tinygrad_mlp.viz import trace

rng = np.random.default_rng(0)

# %% [markdown]
# ## Batch norm
#
# For a batch `x` of shape `(N, C)` (N examples, C channels), in training mode, each
# channel is normalised with the mean and variance of the batch, then scaled and shifted by
# two learned parameters per channel, `weight` (often called gamma) and `bias` (beta):
#
#     mean  = x.mean(axis=0)                  shape (C,)
#     var   = ((x - mean)**2).mean(axis=0)    the biased variance, divided by N
#     x_hat = (x - mean) / sqrt(var + eps)
#     out   = x_hat * weight + bias
#
# We use a `BatchNorm1d` layer in float64 with random weight and bias (they start at 1 and
# 0, which would hide mistakes), on 8 examples of 3 channels, and run it forward and
# backward once inside a `trace`. `dy` stands for the gradient that the rest of a network
# would send back to the layer's output.

# %%
N, C = 8, 3
bn = nn.BatchNorm1d(C).double()
bn.weight.data = rng.uniform(0.5, 2.0, C)
bn.bias.data = rng.uniform(-1.0, 1.0, C)
params = {"weight": bn.weight, "bias": bn.bias}
x = Tensor(rng.standard_normal((N, C)) * 2 + 1, requires_grad=True, dtype=np.float64, name="x")
dy = rng.standard_normal((N, C))

with trace(params=params) as tr:
    out = bn(x)
    out.backward(dy, retain_graph=True)  # retain_graph: keep the graph to draw it
print(" -> ".join(step.op for step in tr.forward))

# %% [markdown]
# These are all the operations the layer runs: none of them knows it is part of a batch
# norm. The graph shows how they connect. `x` reaches the output along several paths:
# directly through `x - mean`, through the mean, and, since the centred values `x - mean`
# are squared for the variance and also scaled for the output, through the variance too.
# Its gradient is the sum over all of those paths.

# %%
viz.graph(out, params=params, names={"x": x})

# %% [markdown]
# ## The forward pass against NumPy
#
# First the values: the four formulas above, in plain NumPy.

# %%
xv, w, b, eps = x.data, bn.weight.data, bn.bias.data, bn.eps
mean, var = xv.mean(axis=0), xv.var(axis=0)
x_hat = (xv - mean) / np.sqrt(var + eps)
closed_out = x_hat * w + b
print(f"forward: max |composed - closed form| = {np.abs(out.data - closed_out).max():.1e}")

# %% [markdown]
# ## The backward pass against the closed form
#
# Working the chain rule through those formulas by hand (every example influences the mean
# and the variance, and through them every other example's output) gives, for an upstream
# gradient `dy = dL/dout`:
#
#     dL/dbias   = dy.sum(axis=0)
#     dL/dweight = (dy * x_hat).sum(axis=0)
#     dL/dx      = weight / (N * sqrt(var + eps))
#                  * (N * dy - dy.sum(axis=0) - x_hat * (dy * x_hat).sum(axis=0))
#
# The engine knows none of this. It ran the rules of the nine primitives, in reverse order,
# each sending its share of the gradient on. Step through them (**Next**; the first nine
# steps are the forward pass):

# %%
tr

# %% [markdown]
# And the result against the closed form:

# %%
closed_dx = w / (N * np.sqrt(var + eps)) * (N * dy - dy.sum(0) - x_hat * (dy * x_hat).sum(0))
print(f"dx: max |composed - closed form| = {np.abs(x.grad.data - closed_dx).max():.1e}")
print(f"dweight: max |difference| = {np.abs(bn.weight.grad.data - (dy * x_hat).sum(0)).max():.1e}")
print(f"dbias: max |difference| = {np.abs(bn.bias.grad.data - dy.sum(0)).max():.1e}")

# %% [markdown]
# Agreement to rounding error. For good measure `gradcheck` (notebook 6) compares the
# whole thing with finite differences, with respect to the input and both parameters:


# %%
def batch_norm(x, weight, bias):
    return F.batch_norm(x, None, None, weight, bias, training=True)


inputs = [Tensor(rng.standard_normal((N, C)), requires_grad=True, dtype=np.float64)]
inputs += [Tensor(rng.uniform(0.5, 2.0, C), requires_grad=True, dtype=np.float64)]
inputs += [Tensor(rng.uniform(-1, 1, C), requires_grad=True, dtype=np.float64)]
print("gradcheck(batch_norm):", gradcheck(batch_norm, inputs))

# %% [markdown]
# ## Evaluation mode
#
# While training, the layer also keeps running averages of each channel's mean and
# variance (outside the graph: they are not learned by gradients). In evaluation mode it
# uses those instead of the batch's statistics, so a single example gives the same answer
# whatever else is in its batch. Each training batch moves them 10% of the way
# (`momentum=0.1`) from where they were (they start at 0 and 1) towards the batch's own
# statistics; after our single batch they have not gone far. In evaluation mode the
# statistics are constants, and the graph is shorter:

# %%
print("running_mean:", bn.running_mean.data, "  batch mean:", mean)
print("running_var: ", bn.running_var.data, "  batch var (unbiased):", xv.var(axis=0, ddof=1))
bn.eval()
viz.graph(bn(x), params=params, names={"x": x})

# %% [markdown]
# ## Dropout
#
# In training, dropout sets each value to zero with probability `p` and multiplies the
# survivors by `1 / (1 - p)`:
#
#     out = x * mask,   mask = (random >= p) / (1 - p)
#
# The mask is drawn fresh at every call, as an ordinary array: for the graph it is a
# constant, so dropout is one `Mul` node.

# %%
tg.manual_seed(0)
p = 0.5
x = Tensor(rng.standard_normal((2, 5)), requires_grad=True, dtype=np.float64, name="x")
out = F.dropout(x, p, training=True)
print("x:\n", x.data.round(3))
print("dropout(x):\n", out.data.round(3))
viz.graph(out, names={"x": x})

# %% [markdown]
# The gradient of a multiplication by a constant is that constant: where a value was
# dropped, no gradient flows back; where it survived, the gradient is scaled by
# `1 / (1 - p)` like the value was. The mask is the second input of the `Mul` node.

# %%
mask = out.grad_fn.inputs[1]
print("mask (0 where dropped, 1 / (1 - p) = 2 where kept):\n", mask)
kept = mask != 0
g = rng.standard_normal((2, 5))
out.backward(g)
print("x.grad:\n", x.grad.data.round(3) + 0.0)  # + 0.0 turns -0.0 into 0.0
print("dropout gradient == kept / (1 - p) * g:", np.allclose(x.grad.data, kept / (1 - p) * g))

# %% [markdown]
# Why scale the survivors? So that on average nothing changes: the expected value of
# `x * mask` is `x`. Then at evaluation time dropout can simply do nothing. Averaging many
# draws shows it:

# %%
many = Tensor(np.tile(x.data[0], (20000, 1)), dtype=np.float64)
average = F.dropout(many, p, training=True).data.mean(axis=0)
print("x[0]:                   ", x.data[0].round(3))
print("mean of 20000 dropouts: ", average.round(3))
print(
    "in eval mode, dropout(x) is x:", np.array_equal(F.dropout(x, p, training=False).data, x.data)
)
