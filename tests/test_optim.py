"""Optimizers: each update against formulas written out here in NumPy (float64), plus
all-or-nothing steps, the one write path, parameter groups, skipped gradients, zero_grad,
validation and saving the state."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_mlp.io as tio
from tinygrad_mlp import Tensor, optim
from tinygrad_mlp.optim import Optimizer

# ---------------------------------------------------------------------------------------------
# Reference updates, written independently of tinygrad_mlp/optim/ from the algorithms as the
# PyTorch documentation states them


def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    p = p.astype(np.float64).copy()
    buf = None
    for g in grads:
        d = g + weight_decay * p
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p = p - lr * d
    return p


def ref_adam(p, grads, lr, b1, b2, eps, weight_decay=0.0, decoupled=False, amsgrad=False):
    """Textbook Adam with bias-corrected moments m_hat, v_hat (the same update as PyTorch's);
    with amsgrad, v_hat uses the running maximum of v (PyTorch's variant)."""
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    v_max = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - b1**t)
        v_hat = (v_max if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def ref_rmsprop(p, grads, lr, alpha, eps, weight_decay=0.0, momentum=0.0, centered=False):
    """RMSprop as PyTorch documents it: v = alpha v + (1 - alpha) g^2; centered subtracts the
    squared running mean of g; momentum accumulates g / (sqrt(v~) + eps)."""
    p = p.astype(np.float64).copy()
    v = np.zeros_like(p)
    g_ave = np.zeros_like(p)
    b = np.zeros_like(p)
    for g in grads:
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g**2
        v_tilde = v
        if centered:
            g_ave = alpha * g_ave + (1 - alpha) * g
            v_tilde = v - g_ave**2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
    return p


def ref_adagrad(
    p, grads, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10
):
    """Adagrad as PyTorch documents it: lr_t = lr / (1 + (t - 1) lr_decay), state_sum += g^2."""
    p = p.astype(np.float64).copy()
    total = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        total = total + g**2
        p = p - lr_t * g / (np.sqrt(total) + eps)
    return p


def ref_nadam(p, grads, lr, b1, b2, eps, weight_decay=0.0, momentum_decay=4e-3, decoupled=False):
    """NAdam as PyTorch documents it: mu_t = b1 (1 - 0.5 * 0.96^(t psi)), and
    m_hat = mu_{t+1} m_t / (1 - prod_{i<=t+1} mu_i) + (1 - mu_t) g_t / (1 - prod_{i<=t} mu_i)."""
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    mus = []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        mus.append(b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay)))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = mu_next * m / (1 - math.prod(mus) * mu_next) + (1 - mus[-1]) * g / (
            1 - math.prod(mus)
        )
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def ref_radam(p, grads, lr, b1, b2, eps, weight_decay=0.0, decoupled=False):
    """RAdam as PyTorch documents it: while the length of the approximated SMA rho_t is at
    most 5, a momentum step lr * m_hat; after, that step times l_t = sqrt(1 - b2^t) /
    (sqrt(v) + eps) and the rectification r_t."""
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
            r_t = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            p = p - lr * m_hat * l_t * r_t
        else:
            p = p - lr * m_hat
    return p


def ref_adamax(p, grads, lr, b1, b2, eps, weight_decay=0.0):
    """Adamax as PyTorch documents it: u_t = max(b2 u, |g| + eps), p -= lr m / ((1 - b1^t) u)."""
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    u = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        p = p - lr * m / ((1 - b1**t) * u)
    return p


def ref_adadelta(p, grads, lr, rho, eps, weight_decay=0.0):
    """Adadelta as PyTorch documents it: v = rho v + (1 - rho) g^2,
    dx = sqrt(u + eps) / sqrt(v + eps) g, u = rho u + (1 - rho) dx^2, p -= lr dx."""
    p = p.astype(np.float64).copy()
    v = np.zeros_like(p)
    u = np.zeros_like(p)
    for g in grads:
        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g**2
        dx = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * dx**2
        p = p - lr * dx
    return p


def ref_rprop(p, grads, lr, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    """Rprop as PyTorch documents it, element by element: the step size grows by etaplus
    while the gradient keeps its sign, shrinks by etaminus when it flips (and that gradient
    counts as 0: no move, and no sign to compare next time), p -= step size * sign(g).
    (torch's code keeps every step size in [min, max], the first one, lr, too.)"""
    p = p.astype(np.float64).copy()
    eta_minus, eta_plus = etas
    low, high = step_sizes
    size = np.full(p.shape, float(lr))
    prev = np.zeros(p.shape)
    for g in grads:
        g = np.array(g, dtype=np.float64)
        for i in np.ndindex(p.shape):
            if prev[i] * g[i] > 0:
                size[i] = size[i] * eta_plus
            elif prev[i] * g[i] < 0:
                size[i] = size[i] * eta_minus
                g[i] = 0.0
            size[i] = min(max(size[i], low), high)
            p[i] -= size[i] * np.sign(g[i])
        prev = g
    return p


def ref_asgd(p, grads, lr, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0):
    """ASGD as PyTorch computes it: with eta_1 = lr and mu_1 = 1, step t does
    p = p (1 - lambd eta_t) - eta_t g, then ax = p if mu_t = 1 else ax + mu_t (p - ax), and
    eta_{t+1} = lr / (1 + lambd lr t)^alpha, mu_{t+1} = 1 / max(1, t - t0).
    Returns p and ax."""
    p = p.astype(np.float64).copy()
    ax = np.zeros_like(p)
    eta, mu = lr, 1.0
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * p
        p = (1 - lambd * eta) * p - eta * g
        ax = p.copy() if mu == 1 else (1 - mu) * ax + mu * p
        eta = lr * (1 + lambd * lr * t) ** -alpha
        mu = 1 / max(1.0, t - t0)
    return p, ax


def run(opt_cls, p0, grads, **kw):
    """Run opt_cls on one float64 parameter fed the given gradients; return its values."""
    p = Tensor(p0, requires_grad=True, dtype=np.float64)
    opt = opt_cls([p], **kw)
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
    return p.data


def random_grads(seed, shape=(3, 2), n=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), [rng.standard_normal(shape) for _ in range(n)]


# ---------------------------------------------------------------------------------------------
# SGD


def test_sgd_by_hand():
    # p = 1, grads 1, 2, 3 with lr 0.1: 0.9, 0.7, 0.4
    assert run(optim.SGD, np.array([1.0]), [np.array([g]) for g in (1.0, 2.0, 3.0)], lr=0.1)[
        0
    ] == pytest.approx(0.4, abs=1e-15)


def test_sgd_momentum_by_hand():
    # buf starts as the first gradient (no dampening on step 1):
    # buf1 = 1             p = 1 - 0.1 * 1 = 0.9
    # buf2 = 0.9*1 + 2     p = 0.9 - 0.1 * 2.9 = 0.61
    # buf3 = 0.9*2.9 + 3   p = 0.61 - 0.1 * 5.61 = 0.049
    grads = [np.array([g]) for g in (1.0, 2.0, 3.0)]
    out = run(optim.SGD, np.array([1.0]), grads, lr=0.1, momentum=0.9)
    assert out[0] == pytest.approx(0.049, abs=1e-14)
    # with dampening 0.5 the first buffer is still g = 1; then buf2 = 0.9 + 0.5*2 = 1.9
    out = run(optim.SGD, np.array([1.0]), grads[:2], lr=0.1, momentum=0.9, dampening=0.5)
    assert out[0] == pytest.approx(1 - 0.1 - 0.19, abs=1e-14)


def test_sgd_nesterov_by_hand():
    # step 1: buf = 1, d = 1 + 0.9*1 = 1.9, p = 1 - 0.19 = 0.81
    # step 2: buf = 0.9 + 2 = 2.9, d = 2 + 0.9*2.9 = 4.61, p = 0.81 - 0.461 = 0.349
    grads = [np.array([1.0]), np.array([2.0])]
    out = run(optim.SGD, np.array([1.0]), grads, lr=0.1, momentum=0.9, nesterov=True)
    assert out[0] == pytest.approx(0.349, abs=1e-14)


def test_sgd_weight_decay_by_hand():
    # g = 0 + 0.5 * p: p = 2 - 0.1 * 1 = 1.9
    assert run(optim.SGD, np.array([2.0]), [np.array([0.0])], lr=0.1, weight_decay=0.5)[
        0
    ] == pytest.approx(1.9, abs=1e-15)


@pytest.mark.parametrize(
    "kw",
    [
        dict(lr=0.05),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.8, dampening=0.3),
        dict(lr=0.05, momentum=0.9, nesterov=True),
        dict(lr=0.05, momentum=0.9, weight_decay=0.1),
        dict(lr=0.05, momentum=0.7, nesterov=True, weight_decay=0.2),
    ],
)
def test_sgd_matches_reference(kw):
    p0, grads = random_grads(1)
    np.testing.assert_allclose(run(optim.SGD, p0, grads, **kw), ref_sgd(p0, grads, **kw), 1e-12)


# ---------------------------------------------------------------------------------------------
# Adam and AdamW


def test_adam_first_step_by_hand():
    # After one step the bias corrections give m_hat = g and v_hat = g^2, so every entry
    # moves by lr * g / (|g| + eps): about lr, whatever the gradient's size.
    g = np.array([1e-3, -4.0, 250.0])
    out = run(optim.Adam, np.zeros(3), [g], lr=0.01, eps=1e-8)
    np.testing.assert_allclose(out, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_adam_second_step_by_hand():
    # Constant gradient g: m_hat = g and v_hat = g^2 on every step, so each step moves by
    # lr * g / (|g| + eps) again.
    g = np.array([0.5])
    out = run(optim.Adam, np.zeros(1), [g, g], lr=0.1, betas=(0.5, 0.75), eps=0.0)
    assert out[0] == pytest.approx(-0.2, abs=1e-14)


@given(
    lr=st.floats(1e-4, 0.5),
    b1=st.floats(0.0, 0.99),
    b2=st.floats(0.0, 0.9999),
    eps=st.sampled_from([1e-8, 1e-3, 0.1]),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    seed=st.integers(0, 10),
)
def test_adam_matches_reference(lr, b1, b2, eps, wd, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    np.testing.assert_allclose(
        run(optim.Adam, p0, grads, **kw),
        ref_adam(p0, grads, lr, b1, b2, eps, wd),
        rtol=1e-10,
        atol=1e-12,
    )


@given(
    lr=st.floats(1e-4, 0.5),
    wd=st.sampled_from([0.0, 0.01, 0.5]),
    seed=st.integers(0, 10),
)
def test_adamw_matches_reference(lr, wd, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, weight_decay=wd)
    np.testing.assert_allclose(
        run(optim.AdamW, p0, grads, **kw),
        ref_adam(p0, grads, lr, 0.9, 0.999, 1e-8, wd, decoupled=True),
        rtol=1e-10,
        atol=1e-12,
    )


def test_adamw_decay_is_decoupled_by_hand():
    # Zero gradient: Adam's moments stay 0, so only the decay acts: p = 2 * (1 - 0.1 * 0.5)
    out = run(optim.AdamW, np.array([2.0]), [np.array([0.0])], lr=0.1, weight_decay=0.5)
    assert out[0] == pytest.approx(1.9, abs=1e-15)
    # Adam folds the decay into the gradient instead: g = 1, first step moves by lr * 1/(1+eps)
    out = run(optim.Adam, np.array([2.0]), [np.array([0.0])], lr=0.1, weight_decay=0.5)
    assert out[0] == pytest.approx(2.0 - 0.1 / (1 + 1e-8), abs=1e-15)


def test_adam_with_decoupled_weight_decay_is_adamw_as_in_torch():
    p0, grads = random_grads(3)
    kw = dict(lr=0.05, weight_decay=0.3, amsgrad=True)
    np.testing.assert_array_equal(
        run(optim.Adam, p0, grads, decoupled_weight_decay=True, **kw),
        run(optim.AdamW, p0, grads, **kw),
    )
    p = Tensor([1.0], requires_grad=True)
    assert optim.AdamW([p]).param_groups[0]["decoupled_weight_decay"] is True
    assert optim.Adam([p]).param_groups[0]["decoupled_weight_decay"] is False
    with pytest.raises(ValueError, match="decoupled_weight_decay"):
        optim.Adam([p], decoupled_weight_decay="yes")
    # a state_dict saved before the option existed loads, with the optimizer's own default
    for cls, default in ((optim.Adam, False), (optim.AdamW, True)):
        opt = cls([Tensor([1.0], requires_grad=True)])
        old = opt.state_dict()
        del old["param_groups"][0]["decoupled_weight_decay"]
        opt.load_state_dict(old)
        assert opt.param_groups[0]["decoupled_weight_decay"] is default


def test_adamw_default_weight_decay():
    p = Tensor([1.0], requires_grad=True)
    assert optim.AdamW([p]).param_groups[0]["weight_decay"] == 0.01
    assert optim.Adam([p]).param_groups[0]["weight_decay"] == 0.0


def test_amsgrad_by_hand():
    # beta1 = 0 (m = g), beta2 = 0.5. Step 1, g = 4: v = 8, the same update as Adam.
    # Step 2, g = 1: v = 0.5 * 8 + 0.5 * 1 = 4.5 but max(v) stays 8, so the step divides by
    # sqrt(8 / (1 - 0.25)) where plain Adam divides by sqrt(4.5 / 0.75).
    grads = [np.array([4.0]), np.array([1.0])]
    kw = dict(lr=0.1, betas=(0.0, 0.5), eps=0.0)
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.Adam([p], amsgrad=True, **kw)
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
    first = -0.1 * 4 / math.sqrt(8 / 0.5)
    assert p.data[0] == pytest.approx(first - 0.1 * 1 / math.sqrt(8 / 0.75), abs=1e-15)
    assert opt.state[p]["max_exp_avg_sq"][0] == 8.0 and opt.state[p]["exp_avg_sq"][0] == 4.5
    plain = run(optim.Adam, np.zeros(1), grads, **kw)
    assert plain[0] == pytest.approx(first - 0.1 * 1 / math.sqrt(4.5 / 0.75), abs=1e-15)


@given(
    lr=st.floats(1e-4, 0.5),
    b2=st.floats(0.0, 0.999),
    wd=st.sampled_from([0.0, 0.05]),
    decoupled=st.booleans(),
    seed=st.integers(0, 10),
)
def test_amsgrad_matches_reference(lr, b2, wd, decoupled, seed):
    p0, grads = random_grads(seed, n=8)
    cls = optim.AdamW if decoupled else optim.Adam
    kw = dict(lr=lr, betas=(0.9, b2), weight_decay=wd, amsgrad=True)
    np.testing.assert_allclose(
        run(cls, p0, grads, **kw),
        ref_adam(p0, grads, lr, 0.9, b2, 1e-8, wd, decoupled=decoupled, amsgrad=True),
        rtol=1e-10,
        atol=1e-12,
    )


# ---------------------------------------------------------------------------------------------
# RMSprop


def test_rmsprop_first_step_by_hand():
    # v = (1 - alpha) g^2, so the step is lr * g / (sqrt(1 - alpha) |g| + eps): 10 lr for
    # alpha = 0.99, whatever the size of g.
    out = run(optim.RMSprop, np.zeros(2), [np.array([2.0, -0.5])], lr=0.01)
    np.testing.assert_allclose(out, [-0.1, 0.1], rtol=1e-6)
    # centered, alpha = 0.5: v - mean^2 = 0.5 g^2 - 0.25 g^2 = 0.25 g^2, a step of 2 lr
    out = run(optim.RMSprop, np.zeros(1), [np.array([3.0])], lr=0.01, alpha=0.5, centered=True)
    assert out[0] == pytest.approx(-0.02, rel=1e-7)


def test_rmsprop_momentum_by_hand():
    # alpha = 0.75, eps = 0, g = 2 twice: v1 = 1, v2 = 0.75 + 1 = 1.75.
    # buf1 = 2 / 1 = 2; buf2 = 0.5 * 2 + 2 / sqrt(1.75); p = -lr * (buf1 + buf2)
    grads = [np.array([2.0]), np.array([2.0])]
    out = run(optim.RMSprop, np.zeros(1), grads, lr=0.1, alpha=0.75, eps=0.0, momentum=0.5)
    assert out[0] == pytest.approx(-0.1 * (2 + 1 + 2 / math.sqrt(1.75)), abs=1e-15)


@given(
    lr=st.floats(1e-4, 0.1),
    alpha=st.floats(0.0, 0.999),
    eps=st.sampled_from([1e-8, 1e-3]),
    wd=st.sampled_from([0.0, 0.1]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    centered=st.booleans(),
    seed=st.integers(0, 10),
)
def test_rmsprop_matches_reference(lr, alpha, eps, wd, momentum, centered, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=wd, momentum=momentum, centered=centered)
    np.testing.assert_allclose(
        run(optim.RMSprop, p0, grads, **kw), ref_rmsprop(p0, grads, **kw), rtol=1e-9, atol=1e-12
    )


def test_rmsprop_defaults_and_state():
    p = Tensor(np.ones(3), requires_grad=True)
    opt = optim.RMSprop([p])
    group = opt.param_groups[0]
    assert (group["lr"], group["alpha"], group["eps"]) == (1e-2, 0.99, 1e-8)
    assert (group["weight_decay"], group["momentum"], group["centered"]) == (0, 0, False)
    p.grad = Tensor(np.ones(3))
    opt.step()
    assert sorted(opt.state[p]) == ["square_avg", "step"]
    q = Tensor(np.ones(3), requires_grad=True)
    opt = optim.RMSprop([q], momentum=0.9, centered=True)
    q.grad = Tensor(np.ones(3))
    opt.step()
    assert sorted(opt.state[q]) == ["grad_avg", "momentum_buffer", "square_avg", "step"]


# ---------------------------------------------------------------------------------------------
# Adagrad


def test_adagrad_by_hand():
    # constant g = 3: sum = 9, then 18, so the steps are lr and lr / sqrt(2) (eps aside)
    grads = [np.array([3.0]), np.array([3.0])]
    out = run(optim.Adagrad, np.zeros(1), grads, lr=0.1)
    assert out[0] == pytest.approx(-0.1 * (1 + 1 / math.sqrt(2)), rel=1e-9)
    # lr_decay 0.5: the second step's lr is 0.1 / (1 + 0.5)
    out = run(optim.Adagrad, np.zeros(1), grads, lr=0.1, lr_decay=0.5)
    assert out[0] == pytest.approx(-0.1 * (1 + 1 / (1.5 * math.sqrt(2))), rel=1e-9)
    # the accumulator can start above zero: sum = 7 + 9 = 16, a step of lr * 3 / 4
    out = run(optim.Adagrad, np.zeros(1), grads[:1], lr=0.1, initial_accumulator_value=7.0)
    assert out[0] == pytest.approx(-0.075, rel=1e-9)


@given(
    lr=st.floats(1e-4, 0.5),
    lr_decay=st.sampled_from([0.0, 0.01, 0.5]),
    wd=st.sampled_from([0.0, 0.1]),
    init=st.sampled_from([0.0, 0.1, 2.0]),
    eps=st.sampled_from([1e-10, 1e-4]),
    seed=st.integers(0, 10),
)
def test_adagrad_matches_reference(lr, lr_decay, wd, init, eps, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, lr_decay=lr_decay, weight_decay=wd, initial_accumulator_value=init, eps=eps)
    np.testing.assert_allclose(
        run(optim.Adagrad, p0, grads, **kw), ref_adagrad(p0, grads, **kw), rtol=1e-10, atol=1e-12
    )


def test_adagrad_makes_state_for_every_parameter_at_once():
    # As PyTorch does: step 0 and the initial sum exist before any step, per group's value
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    opt = optim.Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 0.5}])
    assert opt.state[a]["step"] == 0 and np.all(opt.state[a]["sum"] == 0)
    assert opt.state[b]["step"] == 0 and np.all(opt.state[b]["sum"] == 0.5)
    c = Tensor(np.ones(1), requires_grad=True)
    opt.add_param_group({"params": [c], "initial_accumulator_value": 0.25})
    assert np.all(opt.state[c]["sum"] == 0.25)
    assert sorted(opt.state_dict()["state"]) == [0, 1, 2]


# ---------------------------------------------------------------------------------------------
# NAdam


def test_nadam_by_hand():
    # momentum_decay = 0 makes mu_t = b1 * (1 - 0.5) = 0.4 on every step (b1 = 0.8). With
    # b2 = 0.5 and a constant g = 2: v_hat = 4 on both steps, so sqrt(v_hat) = 2.
    # Step 1: m = 0.4; m_hat = 0.4 * 0.4 / (1 - 0.16) + 0.6 * 2 / (1 - 0.4)
    # Step 2: m = 0.8 * 0.4 + 0.2 * 2 = 0.72; m_hat = 0.4 * 0.72 / (1 - 0.064) + 0.6 * 2 / 0.84
    g = np.array([2.0])
    kw = dict(lr=0.1, betas=(0.8, 0.5), eps=0.0, momentum_decay=0.0)
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.NAdam([p], **kw)
    p.grad = Tensor(g, dtype=np.float64)
    opt.step()
    first = -0.1 * (0.16 / 0.84 + 2.0) / 2
    assert p.data[0] == pytest.approx(first, abs=1e-15)
    assert opt.state[p]["mu_product"] == pytest.approx(0.4, abs=1e-16)
    p.grad = Tensor(g, dtype=np.float64)
    opt.step()
    second = -0.1 * (0.288 / 0.936 + 1.2 / 0.84) / 2
    assert p.data[0] == pytest.approx(first + second, abs=1e-15)
    assert opt.state[p]["mu_product"] == pytest.approx(0.16, abs=1e-16)
    assert opt.state[p]["step"] == 2


@given(
    lr=st.floats(1e-4, 0.5),
    b1=st.floats(0.0, 0.99),
    b2=st.floats(0.0, 0.9999),
    eps=st.sampled_from([1e-8, 1e-3]),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    momentum_decay=st.sampled_from([0.0, 4e-3, 0.1]),
    decoupled=st.booleans(),
    seed=st.integers(0, 10),
)
def test_nadam_matches_reference(lr, b1, b2, eps, wd, momentum_decay, decoupled, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, momentum_decay=momentum_decay)
    np.testing.assert_allclose(
        run(optim.NAdam, p0, grads, decoupled_weight_decay=decoupled, **kw),
        ref_nadam(p0, grads, lr, b1, b2, eps, wd, momentum_decay, decoupled=decoupled),
        rtol=1e-10,
        atol=1e-12,
    )


def test_nadam_decoupled_weight_decay_by_hand():
    # Zero gradient: the moments stay 0, so NAdamW only shrinks: p = 2 * (1 - 0.1 * 0.5)
    kw = dict(lr=0.1, weight_decay=0.5)
    out = run(optim.NAdam, np.array([2.0]), [np.array([0.0])], decoupled_weight_decay=True, **kw)
    assert out[0] == pytest.approx(1.9, abs=1e-15)
    # coupled, the decay is the gradient g = 1: the first step moves by lr * (1 + c) / (1 + eps)
    # where c = mu_2 (1 - b1) / (1 - mu_1 mu_2) is the momentum term's share
    mu1, mu2 = (0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3)) for t in (1, 2))
    c = mu2 * 0.1 / (1 - mu1 * mu2)
    out = run(optim.NAdam, np.array([2.0]), [np.array([0.0])], **kw)
    assert out[0] == pytest.approx(2.0 - 0.1 * (1 + c) / (1 + 1e-8), abs=1e-15)


# ---------------------------------------------------------------------------------------------
# RAdam


def rho(t, b2):
    """The length of the approximated SMA after t steps (the RAdam paper's rho_t)."""
    rho_inf = 2 / (1 - b2) - 1
    return rho_inf - 2 * t * b2**t / (1 - b2**t)


def test_radam_steps_plainly_until_rho_t_exceeds_5_by_hand():
    # A constant g = 0.5 gives m_hat = g on every step. With the default b2 = 0.999,
    # rho_t = 4.996 after 5 steps and 5.994 after 6: the first five steps are lr * m_hat;
    # the sixth is rectified, lr * m_hat * l_6 * r_6 with l_6 = 1 / |g| (eps = 0).
    assert rho(5, 0.999) <= 5 < rho(6, 0.999)
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.RAdam([p], lr=0.1, eps=0.0)
    for k in range(1, 6):
        p.grad = Tensor([0.5], dtype=np.float64)
        opt.step()
        assert p.data[0] == pytest.approx(-0.05 * k, abs=1e-15)
    r6, rho_inf = rho(6, 0.999), 1999.0
    r_6 = math.sqrt((r6 - 4) * (r6 - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * r6))
    assert r_6 < 0.03  # the rectified step is much shorter: the variance is still large
    p.grad = Tensor([0.5], dtype=np.float64)
    opt.step()
    assert p.data[0] == pytest.approx(-0.25 - 0.1 * r_6, abs=1e-14)


def test_radam_never_rectifies_when_rho_inf_is_at_most_5():
    # b2 = 0.6: rho_inf = 2 / 0.4 - 1 = 4, so every step is lr * m_hat (here lr * g)
    assert max(rho(t, 0.6) for t in range(1, 31)) <= 5
    grads = [np.array([0.5, -2.0])] * 30
    out = run(optim.RAdam, np.zeros(2), grads, lr=0.01, betas=(0.9, 0.6))
    np.testing.assert_allclose(out, [-0.15, 0.6], rtol=1e-12)


@given(
    lr=st.floats(1e-4, 0.5),
    b1=st.floats(0.0, 0.99),
    b2=st.sampled_from([0.0, 0.5, 0.7, 0.9, 0.99, 0.999]),
    eps=st.sampled_from([1e-8, 1e-3]),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    decoupled=st.booleans(),
    seed=st.integers(0, 10),
)
def test_radam_matches_reference(lr, b1, b2, eps, wd, decoupled, seed):
    # 12 steps: both branches for b2 >= 0.7 (rectified from step 6 or later)
    p0, grads = random_grads(seed, n=12)
    kw = dict(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    np.testing.assert_allclose(
        run(optim.RAdam, p0, grads, decoupled_weight_decay=decoupled, **kw),
        ref_radam(p0, grads, lr, b1, b2, eps, wd, decoupled=decoupled),
        rtol=1e-10,
        atol=1e-12,
    )


def test_radam_decoupled_weight_decay_by_hand():
    # Zero gradient: m_hat = 0, so only the decay acts: p = 2 * (1 - 0.1 * 0.5) each step
    kw = dict(lr=0.1, weight_decay=0.5)
    zeros = [np.array([0.0])] * 2
    out = run(optim.RAdam, np.array([2.0]), zeros, decoupled_weight_decay=True, **kw)
    assert out[0] == pytest.approx(2.0 * 0.95**2, abs=1e-15)
    # coupled, the decay is the gradient. Step 1: g = 0.5 * 2 = 1, m_hat = 1, p = 1.9.
    # Step 2: g = 0.5 * 1.9 = 0.95, m_hat = (0.9 * 0.1 + 0.1 * 0.95) / (1 - 0.81)
    out = run(optim.RAdam, np.array([2.0]), zeros, **kw)
    assert out[0] == pytest.approx(1.9 - 0.1 * (0.09 + 0.095) / 0.19, abs=1e-15)


def test_radam_rectified_steps_in_float32():
    p0, grads = random_grads(3, n=10)
    p = Tensor(p0, dtype=np.float32, requires_grad=True)
    opt = optim.RAdam([p], lr=0.01, weight_decay=0.1)
    for g in grads:
        p.grad = Tensor(g, dtype=np.float32)
        opt.step()
    assert p.dtype == np.float32
    assert opt.state[p]["exp_avg"].dtype == np.float32
    assert opt.state[p]["exp_avg_sq"].dtype == np.float32
    g32 = [g.astype(np.float32).astype(np.float64) for g in grads]
    p32 = p0.astype(np.float32).astype(np.float64)
    expected = ref_radam(p32, g32, 0.01, 0.9, 0.999, 1e-8, 0.1)
    np.testing.assert_allclose(p.data, expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Adamax


def test_adamax_by_hand():
    # b1 = b2 = 0.5, eps = 0. Step 1, g = 2: m = 1, u = max(0, 2) = 2, p = -lr / 0.5 * 1 / 2.
    # Step 2, g = 0.5: m = 0.5 + 0.25 = 0.75, u = max(0.5 * 2, 0.5) = 1 (the decayed maximum
    # wins), p -= lr / 0.75 * 0.75 / 1.
    grads = [np.array([2.0]), np.array([0.5])]
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.Adamax([p], lr=0.1, betas=(0.5, 0.5), eps=0.0)
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
    assert p.data[0] == pytest.approx(-0.2, abs=1e-15)
    assert opt.state[p]["exp_inf"][0] == 1.0 and opt.state[p]["exp_avg"][0] == 0.75
    # eps is inside the maximum (PyTorch's): a zero gradient makes exp_inf = eps, and the
    # step divides 0 by it
    q = Tensor([1.0], requires_grad=True, dtype=np.float64)
    opt = optim.Adamax([q], eps=1e-3)
    q.grad = Tensor([0.0], dtype=np.float64)
    opt.step()
    assert opt.state[q]["exp_inf"][0] == 1e-3 and q.data[0] == 1.0


@given(
    lr=st.floats(1e-4, 0.5),
    b1=st.floats(0.0, 0.99),
    b2=st.floats(0.0, 0.9999),
    eps=st.sampled_from([1e-8, 1e-3, 0.1]),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    seed=st.integers(0, 10),
)
def test_adamax_matches_reference(lr, b1, b2, eps, wd, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    np.testing.assert_allclose(
        run(optim.Adamax, p0, grads, **kw),
        ref_adamax(p0, grads, lr, b1, b2, eps, wd),
        rtol=1e-10,
        atol=1e-12,
    )


# ---------------------------------------------------------------------------------------------
# Adadelta


def test_adadelta_by_hand():
    # rho = 0.5, eps = 1, lr = 1, g = 2 twice.
    # Step 1: v = 2, dx = sqrt(0 + 1) / sqrt(2 + 1) * 2 = 2 / sqrt(3), u = 0.5 * 4/3 = 2/3
    # Step 2: v = 1 + 2 = 3, dx = sqrt(2/3 + 1) / sqrt(3 + 1) * 2 = sqrt(5/3),
    #         u = 1/3 + 5/6 = 7/6
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.Adadelta([p], lr=1.0, rho=0.5, eps=1.0)
    for _ in range(2):
        p.grad = Tensor([2.0], dtype=np.float64)
        opt.step()
    assert p.data[0] == pytest.approx(-2 / math.sqrt(3) - math.sqrt(5 / 3), abs=1e-15)
    assert opt.state[p]["square_avg"][0] == pytest.approx(3.0, abs=1e-15)
    assert opt.state[p]["acc_delta"][0] == pytest.approx(7 / 6, abs=1e-15)
    # rho = 1 (allowed, as in torch): both averages stay 0 and dx = g: plain gradient descent
    grads = [np.array([1.0]), np.array([-3.0])]
    out = run(optim.Adadelta, np.array([1.0]), grads, lr=0.1, rho=1.0)
    assert out[0] == pytest.approx(1.2, abs=1e-15)


@given(
    lr=st.floats(1e-3, 2.0),
    rho=st.floats(0.0, 1.0),
    eps=st.sampled_from([1e-6, 1e-3, 0.1]),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    seed=st.integers(0, 10),
)
def test_adadelta_matches_reference(lr, rho, eps, wd, seed):
    p0, grads = random_grads(seed)
    kw = dict(lr=lr, rho=rho, eps=eps, weight_decay=wd)
    np.testing.assert_allclose(
        run(optim.Adadelta, p0, grads, **kw),
        ref_adadelta(p0, grads, **kw),
        rtol=1e-10,
        atol=1e-12,
    )


# ---------------------------------------------------------------------------------------------
# Rprop


def test_rprop_by_hand():
    # lr = 0.1, etas = (0.5, 2), step sizes in [0.01, 0.3]; four elements, from p = 0.
    grads = [
        np.array([1.0, -1.0, 0.0, 1.0]),
        np.array([2.0, 1.0, 3.0, 1.0]),
        np.array([1.0, -5.0, 3.0, -1.0]),
        np.array([-1.0, -1.0, -1.0, -1.0]),
        np.array([-1.0, -1.0, -1.0, -1.0]),
    ]
    # step 1: no previous gradient: every size stays 0.1, p = -0.1 * sign(g)
    #   p = [-0.1, 0.1, 0, -0.1]
    # step 2: g * prev = [2, -1, 0, 1]: sizes [0.2, 0.05, 0.1, 0.2]; the flipped element 1
    #   counts as 0 (it does not move, and its prev becomes 0)
    #   p = [-0.3, 0.1, -0.1, -0.3]
    # step 3: g * prev = [2, 0, 9, -1]: sizes [0.3 (0.4 capped), 0.05, 0.2, 0.1]; element 3
    #   flipped and stays
    #   p = [-0.6, 0.15, -0.3, -0.3]
    # step 4: g * prev = [-1, 5, -3, 0]: sizes [0.15, 0.1, 0.1, 0.1]; elements 0 and 2 stay
    #   p = [-0.6, 0.25, -0.3, -0.2]
    # step 5: g * prev = [0, 1, 0, 1]: sizes [0.15, 0.2, 0.1, 0.2]
    #   p = [-0.45, 0.45, -0.2, 0.0]
    p = Tensor(np.zeros(4), requires_grad=True, dtype=np.float64)
    opt = optim.Rprop([p], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.01, 0.3))
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
    np.testing.assert_allclose(p.data, [-0.45, 0.45, -0.2, 0.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(opt.state[p]["step_size"], [0.15, 0.2, 0.1, 0.2], rtol=1e-15)
    np.testing.assert_array_equal(opt.state[p]["prev"], grads[-1])
    assert opt.state[p]["step"] == 5


def test_rprop_keeps_every_step_size_within_step_sizes_from_the_first_step():
    # lr = 5 is above the largest step size 1: torch clips it on the first step already
    # step 1: size 1, p = -1; step 2 (flip): size 0.5 -> 0.6 (the smallest), p stays;
    # step 3 (prev is 0): size 0.6, p = -1 + 0.6
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.Rprop([p], lr=5.0, etas=(0.5, 2.0), step_sizes=(0.6, 1.0))
    seen = []
    for g in (1.0, -1.0, -1.0):
        p.grad = Tensor([g], dtype=np.float64)
        opt.step()
        seen.append((float(p.data[0]), float(opt.state[p]["step_size"][0])))
    assert seen == [(-1.0, 1.0), (-1.0, 0.6), (pytest.approx(-0.4, abs=1e-15), 0.6)]


def test_rprop_zeroes_its_own_copy_of_a_flipped_gradient_not_p_grad():
    p = Tensor([1.0, 1.0], requires_grad=True, dtype=np.float64)
    opt = optim.Rprop([p])
    p.grad = Tensor([1.0, 1.0], dtype=np.float64)
    opt.step()
    grad = Tensor([-2.0, 3.0], dtype=np.float64)
    array = grad.data
    p.grad = grad
    opt.step()
    np.testing.assert_array_equal(array, [-2.0, 3.0])  # the user's gradient is untouched
    assert p.grad is grad and p.grad.data is array
    np.testing.assert_array_equal(opt.state[p]["prev"], [0.0, 3.0])  # the copy was zeroed


def test_rprop_step_size_starts_at_lr_and_ignores_later_changes_of_lr():
    # as in torch: lr only fills the step sizes when the state is made
    p = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.Rprop([p], lr=0.1)
    p.grad = Tensor([1.0], dtype=np.float64)
    opt.step()
    opt.param_groups[0]["lr"] = 10.0
    opt.step()
    assert p.data[0] == pytest.approx(-0.1 - 0.12, abs=1e-15)


@given(
    lr=st.floats(1e-4, 1.0),
    eta_minus=st.floats(0.05, 0.95),
    eta_plus=st.floats(1.05, 3.0),
    low=st.sampled_from([0.0, 1e-6, 1e-3, 0.05]),
    high=st.sampled_from([0.1, 0.5, 50.0, math.inf]),
    seed=st.integers(0, 10),
)
def test_rprop_matches_reference(lr, eta_minus, eta_plus, low, high, seed):
    p0, grads = random_grads(seed, n=8)
    # a gradient that keeps its sign on some elements, so that step sizes also grow
    grads = [g + np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 0.0]]) for g in grads]
    kw = dict(lr=lr, etas=(eta_minus, eta_plus), step_sizes=(low, high))
    np.testing.assert_allclose(
        run(optim.Rprop, p0, grads, **kw), ref_rprop(p0, grads, **kw), rtol=1e-10, atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# ASGD


def test_asgd_by_hand():
    # lr = 0.1, lambd = 0.5, alpha = 1, t0 = 1, g = 1 each step, p = 1.
    # eta_1 = lr, eta_{t+1} = lr / (1 + lambd lr t): 0.1, 0.1/1.05, 0.1/1.1, 0.1/1.15, ...
    # mu_{t+1} = 1 / max(1, t - 1): 1 for steps 1 to 3, then 1/2 (step 4), 1/3 (step 5)
    # so ax is p itself until step 3 and then the mean of p_3, p_4, ...
    p = Tensor([1.0], requires_grad=True, dtype=np.float64)
    opt = optim.ASGD([p], lr=0.1, lambd=0.5, alpha=1.0, t0=1)
    values, averages = [], []
    for _ in range(5):
        p.grad = Tensor([1.0], dtype=np.float64)
        opt.step()
        values.append(float(p.data[0]))
        averages.append(float(opt.state[p]["ax"][0]))
    expected, q = [], 1.0
    for t in range(1, 6):
        eta = 0.1 / (1 + 0.05 * (t - 1))
        q = q - 0.5 * eta * q - eta  # the decay lambd * eta * p, then the gradient step
        expected.append(q)
    assert values == pytest.approx(expected, abs=1e-15)
    assert values[0] == pytest.approx(0.85, abs=1e-15)  # 1 - 0.05 - 0.1
    assert averages[:3] == values[:3]
    assert averages[3] == pytest.approx((values[2] + values[3]) / 2, abs=1e-15)
    assert averages[4] == pytest.approx(sum(values[2:]) / 3, abs=1e-15)
    state = opt.state[p]
    assert state["step"] == 5
    assert float(state["eta"]) == pytest.approx(0.1 / (1 + 0.05 * 5), rel=1e-15)
    assert float(state["mu"]) == 0.25


@pytest.mark.parametrize("t0", [0, 3, 10])
def test_asgd_ax_is_the_mean_of_the_parameters_from_step_t0_plus_2(t0):
    p0, grads = random_grads(4, n=16)
    p = Tensor(p0, requires_grad=True, dtype=np.float64)
    opt = optim.ASGD([p], lr=0.05, lambd=1e-3, weight_decay=0.1, t0=t0)
    trajectory = []
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
        trajectory.append(p.data.copy())
    mean = np.mean(trajectory[t0 + 1 :], axis=0)  # steps t0 + 2, ..., 16
    np.testing.assert_allclose(opt.state[p]["ax"], mean, rtol=1e-12, atol=1e-14)
    assert not np.allclose(opt.state[p]["ax"], p.data)


def test_asgd_never_averages_with_the_default_or_an_infinite_t0():
    for t0 in (1e6, math.inf):
        p0, grads = random_grads(5, n=6)
        p = Tensor(p0, requires_grad=True, dtype=np.float64)
        opt = optim.ASGD([p], t0=t0)
        for g in grads:
            p.grad = Tensor(g, dtype=np.float64)
            opt.step()
        np.testing.assert_array_equal(opt.state[p]["ax"], p.data)
        assert float(opt.state[p]["mu"]) == 1.0
        assert opt.state[p]["ax"] is not p.data  # a copy, not the parameter's array


def test_asgd_eta_follows_the_lr_of_the_step_before():
    # as in torch: eta starts at lr, and each step's lr sets the next step's eta
    p = Tensor([1.0], requires_grad=True, dtype=np.float64)
    opt = optim.ASGD([p], lr=0.1, lambd=0.0)
    p.grad = Tensor([1.0], dtype=np.float64)
    opt.step()  # eta = 0.1
    opt.param_groups[0]["lr"] = 0.5
    opt.step()  # eta = 0.1 still; the next one is 0.5
    opt.step()
    assert p.data[0] == pytest.approx(1 - 0.1 - 0.1 - 0.5, abs=1e-15)


@given(
    lr=st.floats(1e-3, 0.5),
    lambd=st.sampled_from([0.0, 1e-4, 0.01, 0.5]),
    alpha=st.floats(0.0, 1.5),
    t0=st.sampled_from([0, 1, 2.5, 4, 1e6, math.inf]),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    seed=st.integers(0, 10),
)
def test_asgd_matches_reference(lr, lambd, alpha, t0, wd, seed):
    p0, grads = random_grads(seed, n=8)
    kw = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=wd)
    p = Tensor(p0, requires_grad=True, dtype=np.float64)
    opt = optim.ASGD([p], **kw)
    for g in grads:
        p.grad = Tensor(g, dtype=np.float64)
        opt.step()
    want_p, want_ax = ref_asgd(p0, grads, **kw)
    np.testing.assert_allclose(p.data, want_p, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(opt.state[p]["ax"], want_ax, rtol=1e-10, atol=1e-12)


def test_asgd_takes_foreach_and_maximize_by_position_and_rprop_does_not():
    # torch: ASGD(params, lr, lambd, alpha, t0, weight_decay, foreach, maximize, ...)
    #        Rprop(params, lr, etas, step_sizes, *, capturable, foreach, maximize, ...)
    p = Tensor([1.0], requires_grad=True)
    group = optim.ASGD([p], 0.02, 1e-3, 0.5, 10.0, 0.1, True, True).param_groups[0]
    assert (group["lr"], group["lambd"], group["alpha"], group["t0"]) == (0.02, 1e-3, 0.5, 10.0)
    assert group["weight_decay"] == 0.1 and group["foreach"] is True
    assert group["maximize"] is True
    group = optim.Rprop([p], 0.1, [0.4, 1.5], (0.1, 2.0)).param_groups[0]
    assert (group["lr"], group["etas"], group["step_sizes"]) == (0.1, (0.4, 1.5), (0.1, 2.0))
    with pytest.raises(TypeError):
        optim.Rprop([p], 0.1, (0.5, 1.2), (1e-6, 50), True)


def test_asgd_keeps_eta_and_mu_as_one_number_each_and_checks_them_when_loading():
    p = Tensor(np.ones((2, 2)), requires_grad=True, dtype=np.float64)
    opt = optim.ASGD([p], lr=0.1, t0=0)
    for _ in range(3):
        p.grad = Tensor(np.ones((2, 2)), dtype=np.float64)
        opt.step()
    saved = opt.state_dict()["state"][0]
    assert saved["eta"].shape == () and saved["mu"].shape == ()
    assert float(saved["mu"]) == pytest.approx(1 / 3, rel=1e-15)
    good = opt.state_dict()
    for name in ("eta", "mu"):
        for bad in (np.ones((2, 2)), "0.5", np.array([0.5])):
            sd = opt.state_dict()
            sd["state"][0][name] = bad
            with pytest.raises(ValueError, match=f"{name} of parameter 0"):
                opt.load_state_dict(sd)
    np.testing.assert_array_equal(opt.state[p]["ax"], good["state"][0]["ax"])
    sd = opt.state_dict()
    sd["state"][0]["mu"] = 0.5  # a plain number loads, as a 0-d array of p's dtype
    opt.load_state_dict(sd)
    assert opt.state[p]["mu"].shape == () and opt.state[p]["mu"].dtype == np.float64


# ---------------------------------------------------------------------------------------------
# Torch's defaults, group keys and state keys for the optimizers added after the first five


TORCH_LAYOUT = {
    # class: (torch's defaults, torch's state keys in torch's order); torch's groups also
    # hold capturable and differentiable (and Adam's fused), which are left out here
    "NAdam": (
        dict(
            lr=2e-3,
            betas=(0.9, 0.999),
            eps=1e-8,
            weight_decay=0,
            momentum_decay=4e-3,
            decoupled_weight_decay=False,
        ),
        ["step", "mu_product", "exp_avg", "exp_avg_sq"],
    ),
    "RAdam": (
        dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False),
        ["step", "exp_avg", "exp_avg_sq"],
    ),
    "Adamax": (
        dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0),
        ["step", "exp_avg", "exp_inf"],
    ),
    "Adadelta": (
        dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
        ["step", "square_avg", "acc_delta"],
    ),
    "Rprop": (
        dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50)),
        ["step", "prev", "step_size"],
    ),
    "ASGD": (
        dict(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0),
        ["step", "eta", "mu", "ax"],
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH_LAYOUT))
def test_defaults_and_state_keys_are_torchs(name):
    defaults, keys = TORCH_LAYOUT[name]
    p = Tensor(np.ones(3), requires_grad=True, dtype=np.float64)
    opt = getattr(optim, name)([p])
    group = opt.param_groups[0]
    assert {k: v for k, v in group.items() if k != "params"} == {
        **defaults,
        "maximize": False,
        "foreach": None,
    }
    assert p not in opt.state  # made at the first step, as torch's
    p.grad = Tensor(np.full(3, 0.5), dtype=np.float64)
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"][0]) == keys
    assert isinstance(sd["state"][0]["step"], int) and sd["state"][0]["step"] == 1
    for key in keys[1:]:
        assert isinstance(sd["state"][0][key], np.ndarray)


def test_nadam_keeps_mu_product_as_one_number_and_checks_it_when_loading():
    p = Tensor(np.ones((2, 2)), requires_grad=True, dtype=np.float64)
    opt = optim.NAdam([p], momentum_decay=0.1)
    for _ in range(3):
        p.grad = Tensor(np.ones((2, 2)), dtype=np.float64)
        opt.step()
    mus = [0.9 * (1 - 0.5 * 0.96 ** (t * 0.1)) for t in (1, 2, 3)]
    saved = opt.state_dict()["state"][0]["mu_product"]
    assert saved.shape == () and saved == pytest.approx(math.prod(mus), rel=1e-15)
    good = opt.state_dict()
    for bad in (np.ones((2, 2)), "0.5", np.array([0.5])):
        sd = opt.state_dict()
        sd["state"][0]["mu_product"] = bad
        with pytest.raises(ValueError, match="mu_product of parameter 0"):
            opt.load_state_dict(sd)
    sd = opt.state_dict()
    sd["state"][0]["mu_product"] = 0.25  # a plain number loads, as a 0-d array of p's dtype
    opt.load_state_dict(sd)
    assert opt.state[p]["mu_product"].shape == () and opt.state[p]["mu_product"] == 0.25
    opt.load_state_dict(good)
    np.testing.assert_array_equal(opt.state[p]["mu_product"], good["state"][0]["mu_product"])


def test_adamax_and_adadelta_take_foreach_by_position_as_torch():
    # torch: Adamax(params, lr, betas, eps, weight_decay, foreach, *, maximize, ...)
    #        Adadelta(params, lr, rho, eps, weight_decay, foreach, *, capturable, maximize, ...)
    p = Tensor([1.0], requires_grad=True)
    group = optim.Adamax([p], 0.01, (0.8, 0.9), 1e-6, 0.1, True).param_groups[0]
    assert (group["lr"], group["betas"], group["eps"], group["weight_decay"]) == (
        0.01,
        (0.8, 0.9),
        1e-6,
        0.1,
    )
    assert group["foreach"] is True
    group = optim.Adadelta([p], 0.5, 0.8, 1e-5, 0.2, False).param_groups[0]
    assert (group["lr"], group["rho"], group["eps"], group["weight_decay"]) == (0.5, 0.8, 1e-5, 0.2)
    assert group["foreach"] is False
    # NAdam and RAdam have them keyword-only in torch: a sixth/seventh positional is refused
    with pytest.raises(TypeError):
        optim.NAdam([p], 2e-3, (0.9, 0.999), 1e-8, 0, 4e-3, False, True)
    with pytest.raises(TypeError):
        optim.RAdam([p], 1e-3, (0.9, 0.999), 1e-8, 0, False, True)


# ---------------------------------------------------------------------------------------------
# Groups, skipped gradients, dtypes, zero_grad, closure


def test_param_groups_with_different_lr():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.0  # filled in from the defaults
    a.grad = Tensor([1.0, 1.0])
    b.grad = Tensor([1.0])
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, 1.9], rtol=1e-6)
    np.testing.assert_allclose(b.data, [2.5], rtol=1e-6)


def test_add_param_group():
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([1.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    group = {"params": b, "lr": 0.0}
    opt.add_param_group(group)
    # as in PyTorch the dict itself is the group, with params a list and defaults filled in
    assert opt.param_groups[1] is group
    assert group["params"] == [b] and group["betas"] == (0.9, 0.999) and group["amsgrad"] is False
    b.grad = Tensor([5.0])
    opt.step()
    assert b.data[0] == 1.0  # lr 0 leaves it where it was


def test_add_param_group_refuses_a_parameter_of_another_group_and_changes_nothing():
    a = Tensor([1.0], requires_grad=True)
    c = Tensor([2.0, 3.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    group = {"params": [c, a], "lr": 0.5}
    with pytest.raises(ValueError, match=r"more than one parameter group.*parameter 1 of group 1"):
        opt.add_param_group(group)
    assert len(opt.param_groups) == 1
    assert group == {"params": [c, a], "lr": 0.5}  # the caller's dict is untouched
    with pytest.raises(ValueError, match="more than once in that group"):
        opt.add_param_group({"params": [c, c]})
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [c], "lr": -1.0})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {c}})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [c]})  # c was never added, so it still can be
    assert opt.param_groups[1]["lr"] == 0.1


def test_changing_a_groups_lr_changes_the_next_step():
    # what a scheduler does: param_groups are live dicts
    p = Tensor([1.0], requires_grad=True, dtype=np.float64)
    opt = optim.SGD([p], lr=0.1)
    p.grad = Tensor([1.0], dtype=np.float64)
    opt.step()
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    assert p.data[0] == pytest.approx(1 - 0.1 - 0.5, abs=1e-15)


def test_per_group_options_of_every_kind():
    a = Tensor(np.zeros(2), requires_grad=True, dtype=np.float64)
    b = Tensor(np.zeros(2), requires_grad=True, dtype=np.float64)
    opt = optim.Adam([{"params": [a]}, {"params": [b], "amsgrad": True, "betas": [0.5, 0.6]}])
    assert opt.param_groups[0]["amsgrad"] is False and opt.param_groups[1]["amsgrad"] is True
    assert opt.param_groups[1]["betas"] == (0.5, 0.6)
    g1, g2 = np.array([4.0, -1.0]), np.array([1.0, 2.0])
    for g in (g1, g2):
        a.grad, b.grad = Tensor(g, dtype=np.float64), Tensor(g, dtype=np.float64)
        opt.step()
    np.testing.assert_allclose(a.data, ref_adam(np.zeros(2), [g1, g2], 1e-3, 0.9, 0.999, 1e-8))
    np.testing.assert_allclose(
        b.data, ref_adam(np.zeros(2), [g1, g2], 1e-3, 0.5, 0.6, 1e-8, amsgrad=True)
    )
    assert "max_exp_avg_sq" not in opt.state[a] and "max_exp_avg_sq" in opt.state[b]


def test_none_grads_are_skipped_and_step_counts_per_parameter():
    a = Tensor([0.0], requires_grad=True, dtype=np.float64)
    b = Tensor([0.0], requires_grad=True, dtype=np.float64)
    opt = optim.Adam([a, b], lr=0.1)
    for _ in range(3):
        a.grad = Tensor([1.0], dtype=np.float64)
        opt.step()
    assert b.data[0] == 0.0
    assert b not in opt.state
    # b's first gradient arrives now: its own step is 1, so it moves by lr * g / (|g| + eps)
    b.grad = Tensor([-2.0], dtype=np.float64)
    a.grad = None
    a_before = a.data.copy()
    opt.step()
    np.testing.assert_array_equal(a.data, a_before)
    assert b.data[0] == pytest.approx(0.1 * 2.0 / (2.0 + 1e-8), abs=1e-15)
    assert opt.state[a]["step"] == 3
    assert opt.state[b]["step"] == 1


# Every optimizer with options that take each code path
EVERY = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "sgd-momentum-wd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    "sgd-nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam-wd": lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1),
    "adam-amsgrad": lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.1),
    "adamw-amsgrad": lambda ps: optim.AdamW(ps, lr=0.1, amsgrad=True),
    "rmsprop": lambda ps: optim.RMSprop(ps),
    "rmsprop-all": lambda ps: optim.RMSprop(
        ps, momentum=0.9, centered=True, weight_decay=0.1, alpha=0.9
    ),
    "adagrad": lambda ps: optim.Adagrad(ps, lr_decay=0.1, weight_decay=0.1),
    "nadam-wd": lambda ps: optim.NAdam(ps, lr=0.1, weight_decay=0.1),
    "nadamw": lambda ps: optim.NAdam(ps, lr=0.1, weight_decay=0.1, decoupled_weight_decay=True),
    "radam-wd": lambda ps: optim.RAdam(ps, lr=0.1, weight_decay=0.1),
    "radamw": lambda ps: optim.RAdam(ps, lr=0.1, weight_decay=0.1, decoupled_weight_decay=True),
    "adamax": lambda ps: optim.Adamax(ps, lr=0.1, weight_decay=0.1),
    "adadelta": lambda ps: optim.Adadelta(ps, weight_decay=0.1),
    "rprop": lambda ps: optim.Rprop(ps, lr=0.1, etas=(0.4, 1.5), step_sizes=(1e-3, 1.0)),
    "asgd": lambda ps: optim.ASGD(ps, lr=0.1, lambd=0.01, t0=0, weight_decay=0.1),
}


@pytest.mark.parametrize("name", sorted(EVERY))
def test_float32_parameters_stay_float32(name):
    p = Tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    opt = EVERY[name]([p])
    for _ in range(3):
        p.grad = Tensor(np.full((2, 3), 0.3), dtype=np.float32)
        opt.step()
    assert p.dtype == np.float32
    assert all(
        v.dtype == np.float32 for v in opt.state.get(p, {}).values() if isinstance(v, np.ndarray)
    )


@pytest.mark.parametrize("name", sorted(EVERY))
def test_step_changes_data_in_place(name):
    p = Tensor([1.0, 2.0], requires_grad=True)
    array = p.data
    view = array[1:]
    opt = EVERY[name]([p])
    for _ in range(2):
        p.grad = Tensor([1.0, -1.0])
        opt.step()
    assert p.data is array  # the same array, changed in place
    assert array[0] < 1.0 and array[1] > 2.0
    assert view[0] == array[1]


def test_a_float64_gradient_cannot_be_given_to_a_float32_parameter():
    # as in PyTorch, .grad must have the parameter's dtype: the assignment says how to cast
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"dtype float64 to a tensor of dtype float32"):
        p.grad = Tensor([0.5], dtype=np.float64)
    assert p.grad is None


# ---------------------------------------------------------------------------------------------
# All or nothing: every gradient is checked before anything changes (issue 8)


def two_params():
    a = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, dtype=np.float64)
    b = Tensor(np.arange(3.0), requires_grad=True, dtype=np.float64)
    return a, b


def snapshot(params, opt):
    data = [p.data.copy() for p in params]
    state = {id(p): {k: np.copy(v) for k, v in s.items()} for p, s in opt.state.items()}
    return data, state


def assert_unchanged(params, opt, before):
    data, state = before
    for p, d in zip(params, data):
        np.testing.assert_array_equal(p.data, d)
    assert set(map(id, opt.state)) == set(state)
    for p, s in opt.state.items():
        assert set(s) == set(state[id(p)])
        for k, v in s.items():
            assert np.shape(v) == np.shape(state[id(p)][k])
            np.testing.assert_array_equal(v, state[id(p)][k])


def force_grad(p, g):
    """Give p the bad gradient g. Should assigning `.grad` itself refuse it (a check there),
    put a Tensor's values in through the gradient's array instead, so that step() still
    meets them. Returns False when the assignment refused a gradient that is no Tensor."""
    try:
        p.grad = g
    except (TypeError, ValueError, RuntimeError):
        if not isinstance(g, Tensor):
            return False
        p.grad = Tensor(np.zeros(p.shape), dtype=p.dtype)
        p.grad.data = g.data
    return True


BAD_GRADS = {
    # the wrong shape, though NumPy could broadcast it: (3,) -> (2, 3) or (1, 3)
    "broadcastable": (lambda: Tensor(np.ones((2, 3)), dtype=np.float64), ValueError, r"\(2, 3\)"),
    "fewer": (lambda: Tensor(np.ones(2), dtype=np.float64), ValueError, r"\(2,\)"),
    "0-d": (lambda: Tensor(2.0, dtype=np.float64), ValueError, r"shape \(\)"),
    "integer": (lambda: Tensor(np.ones(3, dtype=np.int64)), ValueError, "int64"),
    "array": (lambda: np.ones(3), TypeError, "ndarray"),
}


@pytest.mark.parametrize("bad", sorted(BAD_GRADS))
@pytest.mark.parametrize("name", sorted(EVERY))
def test_a_bad_gradient_changes_nothing(name, bad):
    a, b = two_params()
    opt = EVERY[name]([a, b])
    for _ in range(2):  # some state first, so that it could be harmed
        a.grad, b.grad = (
            Tensor(np.ones((2, 3)) * 0.1, dtype=np.float64),
            Tensor(np.ones(3) * 0.2, dtype=np.float64),
        )
        opt.step()
    before = snapshot([a, b], opt)
    make, error, shown = BAD_GRADS[bad]
    a.grad = Tensor(np.ones((2, 3)), dtype=np.float64)  # a good gradient first in line
    if not force_grad(b, make()):
        assert bad == "array"  # refused when assigned: it never reaches the step
        return
    with pytest.raises(error) as info:
        opt.step()
    assert_unchanged([a, b], opt, before)
    message = str(info.value)
    assert "parameter 1 of group 0" in message and "(3,)" in message
    assert re.search(shown, message) and "Nothing was updated" in message
    # and the optimizer carries on as if the bad step had never been tried
    twin_a, twin_b = (Tensor(p.data.copy(), requires_grad=True, dtype=np.float64) for p in (a, b))
    twin = EVERY[name]([twin_a, twin_b])
    twin.load_state_dict(opt.state_dict())
    for p, q in ((a, twin_a), (b, twin_b)):
        p.grad = q.grad = Tensor(np.full(p.shape, 0.3), dtype=np.float64)
    opt.step()
    twin.step()
    np.testing.assert_array_equal(a.data, twin_a.data)
    np.testing.assert_array_equal(b.data, twin_b.data)


@pytest.mark.parametrize("name", sorted(EVERY))
def test_a_bad_gradient_in_a_later_group_leaves_earlier_groups_alone(name):
    a, b = two_params()
    opt = EVERY[name]([a])
    opt.add_param_group({"params": [b]})
    a.grad = Tensor(np.ones((2, 3)), dtype=np.float64)
    force_grad(b, Tensor(np.ones((1, 3)), dtype=np.float64))
    before = snapshot([a, b], opt)
    with pytest.raises(ValueError) as info:
        opt.step()
    assert_unchanged([a, b], opt, before)
    assert re.search(r"parameter 0 of group 1 has shape \(3,\).*\(1, 3\)", str(info.value))


def test_adam_state_keeps_its_shape_after_a_refused_step():
    # On the old code a (2, 3) gradient for a (3,) parameter turned Adam's moments (2, 3) for good.
    p = Tensor(np.zeros(3), requires_grad=True, dtype=np.float64)
    opt = optim.Adam([p], lr=0.1)
    force_grad(p, Tensor(np.ones((2, 3)), dtype=np.float64))
    with pytest.raises(ValueError):
        opt.step()
    assert p not in opt.state
    p.grad = Tensor(np.ones(3), dtype=np.float64)
    opt.step()
    assert opt.state[p]["exp_avg"].shape == (3,) and opt.state[p]["step"] == 1
    np.testing.assert_allclose(p.data, -0.1 / (1 + 1e-8))


def test_a_gradient_of_none_is_skipped_not_refused():
    a, b = two_params()
    opt = optim.SGD([a, b], lr=1.0)
    a.grad = Tensor(np.ones((2, 3)), dtype=np.float64)
    opt.step()
    np.testing.assert_array_equal(a.data, np.arange(6.0).reshape(2, 3) - 1)
    np.testing.assert_array_equal(b.data, np.arange(3.0))


# ---------------------------------------------------------------------------------------------
# One write path: every change to a parameter goes through Optimizer._write


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_parameter_change_goes_through_write(name, monkeypatch):
    a, b = two_params()
    opt = EVERY[name]([a, b])
    written = []
    monkeypatch.setattr(Optimizer, "_write", lambda self, p, delta, scale=None: written.append(p))
    before = [a.data.copy(), b.data.copy()]
    for _ in range(3):
        a.grad = Tensor(np.full((2, 3), 0.5), dtype=np.float64)
        b.grad = Tensor(np.full(3, -0.5), dtype=np.float64)
        opt.step()
    # with _write doing nothing, nothing changed: there is no other way in
    np.testing.assert_array_equal(a.data, before[0])
    np.testing.assert_array_equal(b.data, before[1])
    assert written == [a, b] * 3  # one write per parameter per step


def test_zero_grad():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([[3.0]], requires_grad=True, dtype=np.float64)
    opt = optim.SGD([a, b], lr=0.1)
    (a * a).sum().backward()
    (b * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.0])
    assert b.grad.shape == (1, 1) and b.grad.dtype == np.float64 and b.grad.data[0, 0] == 0
    # gradients accumulate again from zero
    (a * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [3.0, 3.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_closure_is_called_and_its_loss_returned():
    x = Tensor([3.0], requires_grad=True, dtype=np.float64)
    opt = optim.SGD([x], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0
    assert x.data[0] == pytest.approx(3.0 - 0.25 * 6.0)


def test_sgd_minimises_a_quadratic_through_the_engine():
    # f(x) = sum((x - c)^2), minimum at c
    c = np.array([1.5, -2.0, 0.25])
    x = Tensor(np.zeros(3), requires_grad=True, dtype=np.float64)
    opt = optim.SGD([x], lr=0.1, momentum=0.5)
    for _ in range(100):
        opt.zero_grad()
        ((x - c) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(x.data, c, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-0.1), "lr"),
        (lambda p: optim.SGD(p, lr=float("nan")), "lr"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "momentum"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "weight_decay"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (lambda p: optim.Adam(p, lr=-1), "lr"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), r"betas\[1\]"),
        (lambda p: optim.Adam(p, betas=(0.9,)), "pair"),
        (lambda p: optim.Adam(p, eps=-1e-8), "eps"),
        (lambda p: optim.AdamW(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.SGD([{"params": p, "lr": -2}], lr=0.1), "lr"),
        (lambda p: optim.SGD([], lr=0.1), "empty"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov="yes"), "nesterov"),
        (lambda p: optim.Adam(p, amsgrad=1), "amsgrad"),
        (lambda p: optim.AdamW(p, amsgrad=None), "amsgrad"),
        (lambda p: optim.RMSprop(p, lr=-1e-3), "lr"),
        (lambda p: optim.RMSprop(p, alpha=-0.1), "alpha"),
        (lambda p: optim.RMSprop(p, eps=-1.0), "eps"),
        (lambda p: optim.RMSprop(p, momentum=-0.5), "momentum"),
        (lambda p: optim.RMSprop(p, weight_decay=float("inf")), "weight_decay"),
        (lambda p: optim.RMSprop(p, centered="no"), "centered"),
        (lambda p: optim.Adagrad(p, lr=-0.1), "lr"),
        (lambda p: optim.Adagrad(p, lr_decay=-0.1), "lr_decay"),
        (lambda p: optim.Adagrad(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda p: optim.Adagrad(p, eps=-1e-10), "eps"),
        (lambda p: optim.Adagrad([{"params": p, "lr_decay": float("nan")}]), "lr_decay"),
        (lambda p: optim.NAdam(p, lr=-1e-3), "lr"),
        (lambda p: optim.NAdam(p, betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda p: optim.NAdam(p, betas=(0.9, 1.5)), r"betas\[1\]"),
        (lambda p: optim.NAdam(p, eps=-1e-8), "eps"),
        (lambda p: optim.NAdam(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.NAdam(p, momentum_decay=-4e-3), "momentum_decay"),
        (lambda p: optim.NAdam(p, decoupled_weight_decay="yes"), "decoupled_weight_decay"),
        (lambda p: optim.RAdam(p, lr=-1e-3), "lr"),
        (lambda p: optim.RAdam(p, betas=(-0.1, 0.999)), r"betas\[0\]"),
        (lambda p: optim.RAdam(p, betas=(0.9, 1.0)), r"betas\[1\]"),
        (lambda p: optim.RAdam(p, eps=-1e-8), "eps"),
        (lambda p: optim.RAdam(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.RAdam(p, decoupled_weight_decay=1), "decoupled_weight_decay"),
        (lambda p: optim.Adamax(p, lr=-2e-3), "lr"),
        (lambda p: optim.Adamax(p, betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda p: optim.Adamax(p, betas=(0.9, -0.5)), r"betas\[1\]"),
        (lambda p: optim.Adamax(p, eps=-1e-8), "eps"),
        (lambda p: optim.Adamax(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.Adadelta(p, lr=-1.0), "lr"),
        (lambda p: optim.Adadelta(p, rho=-0.1), "rho"),
        (lambda p: optim.Adadelta(p, rho=1.1), r"rho must be in \[0.0, 1.0\]"),
        (lambda p: optim.Adadelta(p, eps=-1e-6), "eps"),
        (lambda p: optim.Adadelta(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.Adadelta([{"params": p, "rho": float("nan")}]), "rho"),
        (lambda p: optim.Rprop(p, lr=-0.01), "lr"),
        (lambda p: optim.Rprop(p, etas=(0.5,)), r"etas must be a pair \(etaminus, etaplus\)"),
        (lambda p: optim.Rprop(p, etas=0.5), "etas must be a pair"),
        (lambda p: optim.Rprop(p, etas=(1.0, 1.2)), "0 < etaminus < 1 < etaplus, got"),
        (lambda p: optim.Rprop(p, etas=(0.0, 1.2)), "0 < etaminus < 1 < etaplus"),
        (
            lambda p: optim.Rprop(p, etas=(0.5, 1.0)),
            r"0 < etaminus < 1 < etaplus, got \(0.5, 1.0\)",
        ),
        (lambda p: optim.Rprop(p, etas=(0.5, float("nan"))), r"etas\[1\] must be a finite"),
        (lambda p: optim.Rprop(p, etas=("0.5", 1.2)), r"etas\[0\] must be a finite"),
        (lambda p: optim.Rprop(p, step_sizes=(1e-6,)), r"step_sizes must be a pair \(min, max\)"),
        (lambda p: optim.Rprop(p, step_sizes=(-1e-6, 50)), r"step_sizes\[0\] must be >= 0"),
        (lambda p: optim.Rprop(p, step_sizes=(1.0, 0.5)), r"step_sizes\[1\].*>= step_sizes\[0\]"),
        (lambda p: optim.Rprop(p, step_sizes=(0.0, float("nan"))), r"step_sizes\[1\]"),
        (lambda p: optim.Rprop([{"params": p, "etas": (2.0, 3.0)}]), "etaminus < 1"),
        (lambda p: optim.ASGD(p, lr=-0.01), "lr"),
        (lambda p: optim.ASGD(p, lambd=-1e-4), "lambd must be >= 0"),
        (lambda p: optim.ASGD(p, alpha=-0.75), "alpha must be >= 0"),
        (lambda p: optim.ASGD(p, alpha=float("inf")), "alpha must be a finite number"),
        (lambda p: optim.ASGD(p, t0=-1.0), r"t0 must be a number >= 0 \(or math.inf\), got -1.0"),
        (lambda p: optim.ASGD(p, t0=float("nan")), "t0 must be a number"),
        (lambda p: optim.ASGD(p, t0="1e6"), "t0 must be a number"),
        (lambda p: optim.ASGD(p, weight_decay=-0.1), "weight_decay"),
        (lambda p: optim.ASGD([{"params": p, "lambd": float("nan")}]), "lambd"),
    ],
)
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make([Tensor([1.0], requires_grad=True)])


def test_bad_params_raise():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="Tensors"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="list holding the dict"):
        optim.SGD({"params": [p]}, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="floating"):
        optim.SGD([Tensor([1, 2])], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({p}, lr=0.1)


def test_sgd_takes_pytorchs_positional_order_and_default_lr():
    # torch.optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)
    p = Tensor([1.0], requires_grad=True)
    group = optim.SGD([p], 0.5, 0.9, 0.0, 0.01, True).param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"], group["nesterov"]) == (
        0.5,
        0.9,
        0.01,
        True,
    )
    assert optim.SGD([p]).param_groups[0]["lr"] == 1e-3


def test_generator_of_parameters_is_accepted():
    ps = [Tensor([1.0], requires_grad=True) for _ in range(3)]
    opt = optim.SGD((p for p in ps), lr=0.1)
    assert opt.param_groups[0]["params"] == ps


# ---------------------------------------------------------------------------------------------
# state_dict


def make_params(seed):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s), requires_grad=True) for s in [(4, 3), (4,), (2, 4)]]


OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(
        [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.02}], lr=0.1, momentum=0.9, nesterov=True
    ),
    "sgd-plain": lambda ps: optim.SGD(ps, lr=0.1),
    "adam": lambda ps: optim.Adam([{"params": ps[:1], "lr": 0.05}, {"params": ps[1:]}], lr=0.01),
    "adam-amsgrad": lambda ps: optim.Adam(
        [{"params": ps[:1], "amsgrad": True}, {"params": ps[1:]}], lr=0.01
    ),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01, betas=(0.8, 0.9), amsgrad=True),
    "rmsprop": lambda ps: optim.RMSprop(
        [{"params": ps[:2], "centered": True}, {"params": ps[2:], "momentum": 0.9}]
    ),
    "adagrad": lambda ps: optim.Adagrad(
        [{"params": ps[:1], "lr_decay": 0.1}, {"params": ps[1:]}], initial_accumulator_value=0.1
    ),
    "nadam": lambda ps: optim.NAdam(
        [{"params": ps[:2], "decoupled_weight_decay": True}, {"params": ps[2:]}],
        weight_decay=0.1,
        momentum_decay=0.01,
    ),
    # 7 steps in all: the restored optimizer takes RAdam's rectified steps (from step 6)
    "radam": lambda ps: optim.RAdam(
        [{"params": ps[:1], "betas": (0.8, 0.99)}, {"params": ps[1:]}], lr=0.01
    ),
    "adamax": lambda ps: optim.Adamax(
        [{"params": ps[:1], "weight_decay": 0.1}, {"params": ps[1:]}], lr=0.01
    ),
    "adadelta": lambda ps: optim.Adadelta(
        [{"params": ps[:2], "rho": 0.5}, {"params": ps[2:]}], lr=0.5
    ),
    "rprop": lambda ps: optim.Rprop(
        [{"params": ps[:2], "etas": [0.4, 1.5]}, {"params": ps[2:]}], step_sizes=(1e-3, 0.5)
    ),
    # t0 = 1: the first group averages (mu = 1/2, 1/3, ...) from the 4th step, after loading
    "asgd": lambda ps: optim.ASGD(
        [{"params": ps[:1], "t0": 1}, {"params": ps[1:], "weight_decay": 0.1}], lr=0.05, lambd=0.1
    ),
}

# The optimizers that load the saved state: same kinds and groups, other hyperparameters
FRESH = {
    "sgd": lambda ps: optim.SGD([{"params": ps[:2]}, {"params": ps[2:]}], lr=1.0, momentum=0.5),
    "sgd-plain": lambda ps: optim.SGD(ps, lr=0.7),
    "adam": lambda ps: optim.Adam([{"params": ps[:1]}, {"params": ps[1:]}]),
    "adam-amsgrad": lambda ps: optim.Adam([{"params": ps[:1]}, {"params": ps[1:]}]),
    "adamw": lambda ps: optim.AdamW(ps),
    "rmsprop": lambda ps: optim.RMSprop([{"params": ps[:2]}, {"params": ps[2:]}]),
    "adagrad": lambda ps: optim.Adagrad([{"params": ps[:1]}, {"params": ps[1:]}]),
    "nadam": lambda ps: optim.NAdam([{"params": ps[:2]}, {"params": ps[2:]}]),
    "radam": lambda ps: optim.RAdam([{"params": ps[:1]}, {"params": ps[1:]}]),
    "adamax": lambda ps: optim.Adamax([{"params": ps[:1]}, {"params": ps[1:]}]),
    "adadelta": lambda ps: optim.Adadelta([{"params": ps[:2]}, {"params": ps[2:]}]),
    "rprop": lambda ps: optim.Rprop([{"params": ps[:2]}, {"params": ps[2:]}]),
    "asgd": lambda ps: optim.ASGD([{"params": ps[:1]}, {"params": ps[1:]}]),
}


def feed(params, opt, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else Tensor(g)
        opt.step()


def grad_stream(seed, params, n):
    rng = np.random.default_rng(seed)
    return [
        [
            None if (i == 1 and k == 0) else rng.standard_normal(p.shape)
            for i, p in enumerate(params)
        ]
        for k in range(n)
    ]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("through_file", [False, True])
def test_state_dict_round_trip_continues_bit_exactly(name, through_file, tmp_path):
    params = make_params(0)
    opt = OPTIMIZERS[name](params)
    feed(params, opt, grad_stream(1, params, 3))

    sd = opt.state_dict()
    if through_file:
        tio.save(sd, tmp_path / "opt.npz")
        sd = tio.load(tmp_path / "opt.npz")
    clones = [Tensor(p.data.copy(), requires_grad=True) for p in params]
    fresh = FRESH[name](clones)
    groups = list(fresh.param_groups)
    fresh.load_state_dict(sd)
    for mine, theirs in zip(fresh.param_groups, opt.param_groups):
        assert {k: v for k, v in mine.items() if k != "params"} == {
            k: v for k, v in theirs.items() if k != "params"
        }
    assert all(a is b for a, b in zip(fresh.param_groups, groups))  # the same dicts, refilled

    more = grad_stream(2, params, 4)
    feed(params, opt, more)
    feed(clones, fresh, more)
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.data, q.data)
        assert sorted(opt.state.get(p, {})) == sorted(fresh.state.get(q, {}))
        for key, value in opt.state.get(p, {}).items():
            np.testing.assert_array_equal(value, fresh.state[q][key])


def test_state_dict_holds_plain_values_and_copies():
    params = make_params(0)
    opt = optim.Adam(params, lr=0.01)
    feed(params, opt, grad_stream(1, params, 2))
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert sd["param_groups"][0]["params"] == [0, 1, 2]
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    # parameter 1 had no gradient on the first step
    assert sd["state"][0]["step"] == 2 and sd["state"][1]["step"] == 1
    for entry in sd["state"].values():
        assert isinstance(entry["step"], int)
        assert isinstance(entry["exp_avg"], np.ndarray)
    sd["state"][0]["exp_avg"][...] = 123.0
    assert not np.any(opt.state[params[0]]["exp_avg"] == 123.0)


def test_load_state_dict_validates_before_changing_anything():
    params = make_params(0)
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    feed(params, opt, grad_stream(1, params, 2))
    good = opt.state_dict()
    before = {id(p): s["momentum_buffer"].copy() for p, s in opt.state.items()}

    def broken(change):
        sd = opt.state_dict()
        change(sd)
        return sd

    def bad_shape(sd):
        sd["state"][2]["momentum_buffer"] = np.zeros((3, 3))

    def bad_lr(sd):
        sd["param_groups"][0]["lr"] = -1.0

    def bad_index(sd):
        sd["state"][7] = {"momentum_buffer": np.zeros(4)}

    def bad_key(sd):
        sd["state"][0] = {"exp_avg": np.zeros((4, 3))}

    def bad_count(sd):
        sd["param_groups"][0]["params"] = [0, 1]

    def bad_groups(sd):
        sd["param_groups"].append(dict(sd["param_groups"][0]))

    cases = [
        (bad_shape, "shape"),
        (bad_lr, "lr"),
        (bad_index, "unknown parameter"),
        (bad_key, "entries"),
        (bad_count, "parameters"),
        (bad_groups, "groups"),
    ]
    for change, message in cases:
        sd = broken(change)
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(sd)
        # nothing changed
        assert opt.param_groups[0]["lr"] == 0.1
        assert len(opt.state) == 3
        for p, s in opt.state.items():
            np.testing.assert_array_equal(s["momentum_buffer"], before[id(p)])
    opt.load_state_dict(good)  # and the good one still loads


def test_load_state_dict_sets_hyperparameters():
    p = Tensor([1.0], requires_grad=True)
    src = optim.Adam([p], lr=0.5, betas=(0.5, 0.6), eps=0.25)
    dst = optim.Adam([Tensor([1.0], requires_grad=True)])
    dst.load_state_dict(src.state_dict())
    group = dst.param_groups[0]
    assert (group["lr"], group["betas"], group["eps"]) == (0.5, (0.5, 0.6), 0.25)
    assert math.isclose(group["weight_decay"], 0.0)


def test_load_state_dict_checks_state_entries_against_the_groups_options():
    params = make_params(0)
    opt = optim.Adam([{"params": params[:1], "amsgrad": True}, {"params": params[1:]}], lr=0.01)
    feed(params, opt, grad_stream(1, params, 2))
    good = opt.state_dict()
    before = {id(p): {k: np.copy(v) for k, v in s.items()} for p, s in opt.state.items()}

    def without_max(sd):
        del sd["state"][0]["max_exp_avg_sq"]  # amsgrad's group needs it

    def with_max(sd):
        sd["state"][1]["max_exp_avg_sq"] = np.zeros(4)  # the plain group keeps none

    def negative_step(sd):
        sd["state"][2]["step"] = -1

    def sgd_state(sd):
        sd["state"][2] = {"momentum_buffer": np.zeros((2, 4))}

    for change, message in [
        (without_max, "entries"),
        (with_max, "entries"),
        (negative_step, "step"),
        (sgd_state, "entries"),
    ]:
        sd = opt.state_dict()
        change(sd)
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(sd)
        for p, s in opt.state.items():
            assert sorted(s) == sorted(before[id(p)])
            for k, v in s.items():
                np.testing.assert_array_equal(v, before[id(p)][k])
    opt.load_state_dict(good)


def test_an_rmsprop_buffer_appears_when_its_option_is_turned_on_mid_run():
    p = Tensor(np.ones(3), requires_grad=True, dtype=np.float64)
    opt = optim.RMSprop([p], lr=0.01)
    grads = [np.full(3, 0.5), np.full(3, -0.25)]
    p.grad = Tensor(grads[0], dtype=np.float64)
    opt.step()
    opt.param_groups[0]["momentum"] = 0.9  # as a scheduler (OneCycleLR) may do
    p.grad = Tensor(grads[1], dtype=np.float64)
    opt.step()
    # the buffer starts at zero on the step momentum was turned on
    v1 = 0.01 * 0.25
    v2 = 0.99 * v1 + 0.01 * 0.0625
    expected = 1 - 0.01 * 0.5 / (math.sqrt(v1) + 1e-8) - 0.01 * (-0.25) / (math.sqrt(v2) + 1e-8)
    np.testing.assert_allclose(p.data, expected, rtol=1e-12)
    assert sorted(opt.state[p]) == ["momentum_buffer", "square_avg", "step"]


# ---------------------------------------------------------------------------------------------
# maximize= and foreach= (torch's keywords)


def ascend(cls, steps=1, **kw):
    """p = [1, -2], the same gradient [0.5, -1] each step, maximize=True."""
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True, dtype=np.float64)
    opt = cls([p], maximize=True, **kw)
    for _ in range(steps):
        p.grad = Tensor(np.array([0.5, -1.0]), dtype=np.float64)
        opt.step()
    return p.data


def test_maximize_runs_each_rule_on_the_negated_gradient_by_hand():
    """torch: g = -p.grad, then the usual rule (weight decay still pulls toward zero)."""
    # SGD: p + lr * grad per step, twice: [1 + 0.1, -2 - 0.2]
    np.testing.assert_allclose(ascend(optim.SGD, 2, lr=0.1), [1.1, -2.2], rtol=1e-15)
    # SGD with weight decay: g = -0.5 + 0.1 * 1 = -0.4, p = 1 + 0.1 * 0.4 = 1.04
    p = ascend(optim.SGD, lr=0.1, weight_decay=0.1)
    assert p[0] == pytest.approx(1.04, rel=1e-15)
    # Adam: a constant gradient gives m_hat = g, sqrt(v_hat) = |g|: a step of lr*|g|/(|g|+eps)
    step = 0.1 * 0.5 / (0.5 + 1e-8)
    np.testing.assert_allclose(ascend(optim.Adam, 2, lr=0.1)[0], 1 + 2 * step, rtol=1e-12)
    # AdamW: shrink first (p * (1 - lr * wd) = 0.999), then the same ascent step
    np.testing.assert_allclose(ascend(optim.AdamW, lr=0.1)[0], 0.999 + step, rtol=1e-12)
    # RMSprop: square_avg = (1 - 0.99) * 0.25, step lr * 0.5 / (sqrt(0.0025) + eps)
    rms = ascend(optim.RMSprop, lr=0.01)[0]
    np.testing.assert_allclose(rms, 1 + 0.01 * 0.5 / (0.05 + 1e-8), rtol=1e-12)
    # Adagrad: sum = 0.25, step lr * 0.5 / (sqrt(0.25) + eps)
    ada = ascend(optim.Adagrad, lr=0.1)[0]
    np.testing.assert_allclose(ada, 1 + 0.1 * 0.5 / (0.5 + 1e-10), rtol=1e-12)
    # NAdam, step 1: (1 - mu_1) / (1 - mu_1) = 1 for the gradient term, plus the momentum
    # term mu_2 (1 - b1) / (1 - mu_1 mu_2); sqrt(v_hat) = |g|
    mu1, mu2 = (0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3)) for t in (1, 2))
    share = 1 + mu2 * 0.1 / (1 - mu1 * mu2)
    nadam = ascend(optim.NAdam, lr=0.1)[0]
    np.testing.assert_allclose(nadam, 1 + 0.1 * share * 0.5 / (0.5 + 1e-8), rtol=1e-12)
    # RAdam, step 1 (rho_1 = 1 <= 5): p + lr * |g|, m_hat being g
    np.testing.assert_allclose(ascend(optim.RAdam, lr=0.1)[0], 1.05, rtol=1e-15)
    # Adamax, step 1: m = 0.1 g, u = |g| + eps, step lr / 0.1 * m / u
    adamax = ascend(optim.Adamax, lr=0.1)[0]
    np.testing.assert_allclose(adamax, 1 + 0.1 * 0.5 / (0.5 + 1e-8), rtol=1e-12)
    # Adadelta, step 1: v = 0.1 * 0.25, dx = sqrt(eps) / sqrt(v + eps) * g
    adadelta = ascend(optim.Adadelta, lr=1.0)[0]
    np.testing.assert_allclose(adadelta, 1 + 1e-3 / math.sqrt(0.025 + 1e-6) * 0.5, rtol=1e-12)
    # Rprop: -grad keeps its sign, so the step size grows: lr, then lr * etaplus (away from 0)
    np.testing.assert_allclose(ascend(optim.Rprop, 2, lr=0.1), [1.22, -2.22], rtol=1e-15)
    # ASGD, step 1 (eta = lr): p (1 - lambd lr) + lr * grad
    asgd = ascend(optim.ASGD, lr=0.1, lambd=0.5)
    np.testing.assert_allclose(asgd, [0.95 + 0.05, -2 * 0.95 - 0.1], rtol=1e-15)


@pytest.mark.parametrize(
    "name",
    [
        "SGD",
        "Adam",
        "AdamW",
        "NAdam",
        "RAdam",
        "Adamax",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Rprop",
        "ASGD",
    ],
)
def test_foreach_is_accepted_and_changes_nothing(name):
    cls = getattr(optim, name)
    results = [ascend(cls, 3, lr=0.01, foreach=flag) for flag in (None, False, True)]
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    p = Tensor([1.0], requires_grad=True)
    group = cls([p]).param_groups[0]
    assert group["maximize"] is False and group["foreach"] is None  # torch's defaults
    with pytest.raises(ValueError, match="foreach must be True or False"):
        cls([p], foreach="yes")
    with pytest.raises(ValueError, match="maximize must be True or False"):
        cls([p], maximize=1)


def test_a_state_dict_saved_without_maximize_and_foreach_still_loads():
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    old = opt.state_dict()
    for group in old["param_groups"]:
        del group["maximize"], group["foreach"]
    opt.load_state_dict(old)
    assert opt.param_groups[0]["maximize"] is False and opt.param_groups[0]["foreach"] is None


def test_pytorch_optimizers_and_inits_not_provided_say_what_to_use():
    # (every torch scheduler is in lr_scheduler now: none is left to refuse there)
    import tinygrad_mlp as tg

    for module, name, hint in [
        (tg.optim, "LBFGS", "SGD, Adam, AdamW, NAdam, RAdam, Adamax, RMSprop, Adagrad, Adadelta"),
        (tg.optim, "SparseAdam", "Adagrad, Adadelta, Rprop and ASGD"),
        (tg.nn.init, "orthogonal_", "kaiming_uniform_"),
    ]:
        with pytest.raises(AttributeError, match=f"{name} is PyTorch's.*{hint}"):
            getattr(module, name)
        assert not hasattr(module, name)
    with pytest.raises(AttributeError, match="has no attribute 'Nonsense'"):
        tg.optim.Nonsense  # noqa: B018
    for name in ("NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD"):  # provided now
        assert getattr(tg.optim, name) is getattr(optim, name) and name in tg.optim.__all__
