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


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
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


def test_pytorch_optimizers_schedulers_and_inits_not_provided_say_what_to_use():
    import tinygrad_mlp as tg

    for module, name, hint in [
        (tg.optim, "NAdam", "SGD, Adam, AdamW"),
        (tg.optim.lr_scheduler, "CosineAnnealingWarmRestarts", "LambdaLR"),
        (tg.nn.init, "orthogonal_", "kaiming_uniform_"),
    ]:
        with pytest.raises(AttributeError, match=f"{name} is PyTorch's.*{hint}"):
            getattr(module, name)
        assert not hasattr(module, name)
    with pytest.raises(AttributeError, match="has no attribute 'Nonsense'"):
        tg.optim.Nonsense  # noqa: B018
