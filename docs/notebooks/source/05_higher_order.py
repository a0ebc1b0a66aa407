# Source of docs/notebooks/05_higher_order.ipynb: edit this file, then run
# python docs/notebooks/build.py

# %% [markdown]
# # 5. Derivatives of derivatives
#
# An ordinary backward pass computes gradients with plain NumPy arrays: fast, and nothing
# is recorded. With `create_graph=True` the engine runs the very same gradient rules on
# Tensors instead, so the backward pass is itself recorded as a graph. The gradient it
# returns is then an ordinary Tensor with a `grad_fn`, and we can differentiate it again.
#
# This notebook checks that against mathematics we can do by hand: the first six
# derivatives of `tanh`, and a Hessian-vector product. Everything is in float64, so the
# comparisons can be tight.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial import Polynomial

from tinygrad_mlp import Tensor, viz
from tinygrad_mlp.autograd import grad

# %% [markdown]
# ## A warm-up: a cube
#
# For `f(a) = a**3` at `a = 3`: `f' = 3a² = 27`, `f'' = 6a = 18`, `f''' = 6`.
# `grad(output, input, create_graph=True)` returns the derivative as a Tensor that still
# remembers how it was computed: look at its `grad_fn`.

# %%
a = Tensor(3.0, requires_grad=True, dtype=np.float64)
f = a**3
(d1,) = grad(f, a, create_graph=True)
(d2,) = grad(d1, a, create_graph=True)
(d3,) = grad(d2, a)
print("f'   =", d1)
print("f''  =", d2)
print("f''' =", d3)

# %% [markdown]
# The last call has no `create_graph=True`, so `d3` is a plain value with no graph behind
# it. Without `create_graph` the first call would have given such a plain value too, and
# there would be nothing left to differentiate.
#
# ## The derivatives of tanh, six times over
#
# Write `t = tanh(x)`. Its derivative is `1 - t²`, itself a polynomial in `t`. By the
# chain rule every further derivative is one too: if the n-th derivative is `P_n(t)`, then
#
#     P_(n+1)(t) = P_n'(t) * (1 - t²)
#
# (differentiate the polynomial in `t`, times `dt/dx = 1 - t²`). NumPy's `Polynomial` does
# the algebra, so here are the exact closed forms:

# %%
P = [Polynomial([0, 1])]  # P_0(t) = t: tanh itself
for _ in range(6):
    P.append(P[-1].deriv() * Polynomial([1, 0, -1]))  # times (1 - t²)


def show(p):
    """A polynomial in t as text, e.g. -2t + 2t^3."""
    terms = [(int(c), k) for k, c in enumerate(p.coef) if c != 0]
    text = ""
    for c, k in terms:
        power = "" if k == 0 else "t" if k == 1 else f"t^{k}"
        number = str(abs(c)) if abs(c) != 1 or k == 0 else ""
        sign = ("-" if c < 0 else "") if not text else (" - " if c < 0 else " + ")
        text += sign + number + power
    return text


for n in range(1, 7):
    print(f"order {n}:  {show(P[n])}")

# %% [markdown]
# Now the engine. We evaluate at 201 points at once: since `tanh` acts on each element
# separately, the gradient of `y.sum()` with respect to `x` is the derivative at every
# point. Each round differentiates the previous round's result, and keeps a graph for the
# next one.

# %%
x = Tensor(np.linspace(-3, 3, 201), requires_grad=True, dtype=np.float64)
derivs = [x.tanh()]
for _ in range(6):
    (d,) = grad(derivs[-1].sum(), x, create_graph=True)
    derivs.append(d)

t = np.tanh(x.data)
worst = 0.0
print("order   max |engine - closed form|   (largest value)")
for n in range(1, 7):
    exact = P[n](t)
    err = np.abs(derivs[n].data - exact).max()
    worst = max(worst, err / np.abs(exact).max())
    print(f"{n:5}   {err:26.2e}   {np.abs(exact).max():10.2f}")
print(f"largest relative error over all six orders: {worst:.1e} (bound 1e-12)")

# %% [markdown]
# The errors are a few units in the last place of float64: the engine's derivatives *are*
# the closed forms, computed a different way. Here they are:

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for n in range(7):
    label = "tanh(x)" if n == 0 else f"order {n}"
    ax.plot(x.data, derivs[n].data, label=label, lw=2.5 if n == 0 else 1.2)
ax.set_xlabel("x")
ax.set_ylim(-6, 6)
ax.grid(alpha=0.3)
ax.legend(ncol=2, fontsize=8)
ax.set_title("tanh and its first six derivatives, by repeated grad(create_graph=True)")
plt.show()

# %% [markdown]
# The price of this is graph size. Each derivative is a graph that computes the previous
# derivative's backward pass, so the graphs grow quickly with the order. `viz.graph_nodes`
# lists the nodes behind a tensor; we count the operations:

# %%
for n in range(7):
    nodes, _ = viz.graph_nodes(derivs[n])
    print(f"order {n}: {sum(node.kind == 'op' for node in nodes):4} operations")

# %% [markdown]
# ## A Hessian-vector product
#
# For a function `f` of many variables `w`, the Hessian `H` holds every second derivative
# `d²f / dw_i dw_j`. It is often too big to build, but its product with a vector `v` costs
# only two backward passes, because `H v` is the gradient of `(grad f) · v`:
#
#     g  = grad(f, w, create_graph=True)      # the gradient, as a graph
#     Hv = grad((g * v).sum(), w)             # differentiate g · v once more
#
# We take `f(w) = sum(tanh(A w))` with a random 6 x 4 matrix `A`. By hand, with
# `t = tanh(A w)`:
#
#     grad f = Aᵀ (1 - t²)
#     H      = Aᵀ diag(-2 t (1 - t²)) A

# %%
rng = np.random.default_rng(0)
A = rng.standard_normal((6, 4))
w = Tensor(rng.standard_normal(4), requires_grad=True, dtype=np.float64)
v = rng.standard_normal(4)


def f(w):
    return (Tensor(A, dtype=np.float64) @ w).tanh().sum()


(g,) = grad(f(w), w, create_graph=True)
(hv,) = grad((g * v).sum(), w)
print("H v by double backward:", hv.data)

# %% [markdown]
# Three independent checks of the same vector:
#
# 1. the closed-form Hessian above, times `v`;
# 2. a finite difference of gradients, `(grad f(w + h v) - grad f(w - h v)) / 2h`, which
#    needs only first derivatives;
# 3. the explicit Hessian built by the engine, one Hessian-vector product per basis vector
#    (each gives one column), which must also be symmetric.

# %%
tw = np.tanh(A @ w.data)
H_exact = A.T @ np.diag(-2 * tw * (1 - tw**2)) @ A


def gradient_at(w_values):
    w_ = Tensor(w_values, requires_grad=True, dtype=np.float64)
    return grad(f(w_), w_)[0].data


h = 1e-5
hv_fd = (gradient_at(w.data + h * v) - gradient_at(w.data - h * v)) / (2 * h)

(g,) = grad(f(w), w, create_graph=True)  # once; retain_graph=True keeps it for every column
columns = [grad((g * e).sum(), w, retain_graph=True)[0].data for e in np.eye(4)]
H_engine = np.stack(columns, axis=1)

print(f"|Hv - H_exact v|            = {np.abs(hv.data - H_exact @ v).max():.1e}")
print(f"|Hv - finite difference|    = {np.abs(hv.data - hv_fd).max():.1e}")
print(f"|H_engine - H_exact|        = {np.abs(H_engine - H_exact).max():.1e}")
print(f"|H_engine - H_engine^T|     = {np.abs(H_engine - H_engine.T).max():.1e}")

# %% [markdown]
# The closed form and the engine agree to rounding error. The finite difference agrees
# less closely, to about nine digits: that is the accuracy of a central difference (its
# error shrinks like `h²` until rounding takes over, see notebook 6), not a flaw of
# either side.
#
# `tinygrad_mlp.gradcheck.gradgradcheck` automates the second kind of check for any
# function: notebook 6 is about checking gradients.
