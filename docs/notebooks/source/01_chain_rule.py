# Source of docs/notebooks/01_chain_rule.ipynb: edit this file, then run
# python docs/notebooks/build.py

# %% [markdown]
# # 1. One expression, its graph, and the chain rule
#
# Automatic differentiation in one example. We compute
#
#     L = tanh(a * b + c) * a
#
# from three numbers, look at the graph the engine records while computing it, work out
# `dL/da`, `dL/db` and `dL/dc` by hand with the chain rule, and then watch the engine do
# the same thing, step by step.

# %%
import numpy as np

from tinygrad_mlp import Tensor, viz
from tinygrad_mlp.viz import trace

# %% [markdown]
# ## The inputs
#
# `requires_grad=True` asks the engine to work out gradients with respect to a tensor.
# `name=` is only a label for the drawings and traces below. We use float64 so the
# numbers we compare later agree to many digits.

# %%
a = Tensor(0.5, requires_grad=True, dtype=np.float64, name="a")
b = Tensor(-1.5, requires_grad=True, dtype=np.float64, name="b")
c = Tensor(1.0, requires_grad=True, dtype=np.float64, name="c")
a

# %% [markdown]
# ## The forward pass records a graph
#
# We compute `L` one operation at a time, so that every intermediate result has a name.
# Each result remembers the operation that made it in `grad_fn`.

# %%
e = a * b
d = e + c
f = d.tanh()
L = f * a
print("e =", e)
print("d =", d)
print("f =", f)
print("L =", L)

# %% [markdown]
# That memory is the graph. Boxes are tensors (blue: the inputs we asked gradients for,
# yellow: the result), ellipses are operations, and arrows follow the data. `a` has two
# arrows out of it: it is used twice, once in `a * b` and once in `f * a`.

# %%
viz.graph(L, names=locals())

# %% [markdown]
# The engine needs nothing else: from `L` it can reach every operation and input by
# following `grad_fn` and the nodes' `inputs` backwards (a computed input shows as the node
# that made it, a leaf as itself).

# %%
for node in (L.grad_fn, f.grad_fn):
    print(node, "<-", [t.grad_fn if t.grad_fn is not None else t.name for t in node.inputs])

# %% [markdown]
# ## The chain rule by hand
#
# Each operation knows its own *local* derivatives:
#
#     L = f * a      dL/df = a          dL/da = f   (the direct use of a)
#     f = tanh(d)    df/dd = 1 - f²
#     d = e + c      dd/de = 1          dd/dc = 1
#     e = a * b      de/da = b          de/db = a
#
# The chain rule multiplies them along each path from `L` back to an input. Going
# backwards, each step reuses what the previous step found:

# %%
va, vb, vf = a.item(), b.item(), f.item()

dL_df = va  # L = f * a
dL_dd = dL_df * (1 - vf**2)  # f = tanh(d)
dL_de = dL_dd * 1  # d = e + c
dL_dc = dL_dd * 1
dL_db = dL_de * va  # e = a * b
dL_da = vf + dL_de * vb  # two paths: directly through L = f * a, and through e = a * b

print(f"dL/da = {dL_da:.10f}")
print(f"dL/db = {dL_db:.10f}")
print(f"dL/dc = {dL_dc:.10f}")

# %% [markdown]
# Note `dL/da`: `a` reaches `L` along two paths, and its derivative is the *sum* of the
# two. This is the one rule beyond multiplication: where a value is used several times,
# the gradients from its uses add up.
#
# ## The engine does the same
#
# `L.backward()` walks the graph from `L` backwards, in an order where every node comes
# after all the nodes that use its result, and applies each operation's rule. `trace()`
# records it. We run the expression again inside the `with` block so the trace sees every
# operation, forward and backward.


# %%
def expression(a, b, c):
    e = a * b
    e.name = "e"
    d = e + c
    d.name = "d"
    f = d.tanh()
    f.name = "f"
    L = f * a
    L.name = "L"
    return L


with trace() as tr:
    L = expression(a, b, c)
    L.backward(retain_graph=True)  # retain_graph: keep the graph to draw it afterwards
tr

# %% [markdown]
# Click **Next** to step through it: first the four forward operations, then the four
# backward steps. Each backward step shows the gradient `g` that arrived at a node, the
# node's rule, and what it sends to each of its inputs: the same products as the hand
# calculation above, in the same order. At the end `a` has received two contributions and
# added them.
#
# The same record as text, all at once:

# %%
print(tr)

# %% [markdown]
# The totals are in `.grad`:

# %%
engine = [a.grad.item(), b.grad.item(), c.grad.item()]
hand = [dL_da, dL_db, dL_dc]
for name, x, y in zip("abc", engine, hand):
    print(f"dL/d{name}:  engine {x:.10f}   hand {y:.10f}")
print("by hand == engine:", np.allclose(engine, hand, rtol=1e-12, atol=0))

# %% [markdown]
# The graph again, now with the gradient of every input in its box:

# %%
viz.graph(L, names=locals())

# %% [markdown]
# ## A check that does not use the chain rule at all
#
# The derivative is the slope: nudge `a` by a tiny `h` both ways and see how far `L`
# moves. (Notebook 6 is about this kind of check.)

# %%
h = 1e-6
up = expression(Tensor(0.5 + h, dtype=np.float64), b, c).item()
down = expression(Tensor(0.5 - h, dtype=np.float64), b, c).item()
slope = (up - down) / (2 * h)
print(f"(L(a + h) - L(a - h)) / 2h = {slope:.10f}")
print(f"|finite difference - engine| = {abs(slope - a.grad.item()):.1e}")

# %% [markdown]
# ## Gradients add up across backward passes
#
# `.grad` is not replaced by a new backward pass; it is added to. Here a second pass
# through the same graph doubles it. That is why a training loop clears the gradients
# (`zero_grad()`) before every step (notebook 3).

# %%
print("a.grad after one pass: ", a.grad.item())
L.backward()
print("a.grad after two passes:", a.grad.item())
a.grad = None  # what zero_grad() does for every parameter

# %% [markdown]
# Next: notebook 2 does the same with tensors of many numbers, where shapes and
# broadcasting come in.
