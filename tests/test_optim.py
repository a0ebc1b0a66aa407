"""Optimizers: each update against formulas written out here in NumPy (float64), plus
parameter groups, skipped gradients, zero_grad, validation and saving the state."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_mlp.io as tio
from tinygrad_mlp import Tensor, optim

# ---------------------------------------------------------------------------------------------
# Reference updates, written independently of tinygrad_mlp/optim.py


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


def ref_adam(p, grads, lr, b1, b2, eps, weight_decay=0.0, decoupled=False):
    """Textbook Adam with bias-corrected moments m_hat, v_hat (the same update as PyTorch's)."""
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
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
    opt.add_param_group({"params": b, "lr": 0.0})
    b.grad = Tensor([5.0])
    opt.step()
    assert b.data[0] == 1.0  # lr 0 leaves it where it was
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})


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


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
        lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1),
        lambda ps: optim.AdamW(ps, lr=0.1),
    ],
)
def test_float32_parameters_stay_float32(make):
    p = Tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    opt = make([p])
    for _ in range(3):
        p.grad = Tensor(np.full((2, 3), 0.3), dtype=np.float32)
        opt.step()
    assert p.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))


def test_step_changes_data_in_place():
    p = Tensor([1.0, 2.0], requires_grad=True)
    array = p.data
    p.grad = Tensor([1.0, 1.0])
    optim.SGD([p], lr=1.0).step()
    assert p.data is array
    np.testing.assert_array_equal(array, [0.0, 1.0])


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
    "adam": lambda ps: optim.Adam([{"params": ps[:1], "lr": 0.05}, {"params": ps[1:]}], lr=0.01),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01, betas=(0.8, 0.9)),
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
    fresh = {
        "sgd": lambda ps: optim.SGD([{"params": ps[:2]}, {"params": ps[2:]}], lr=1.0, momentum=0.5),
        "adam": lambda ps: optim.Adam([{"params": ps[:1]}, {"params": ps[1:]}]),
        "adamw": lambda ps: optim.AdamW(ps),
    }[name](clones)
    fresh.load_state_dict(sd)
    assert [g["lr"] for g in fresh.param_groups] == [g["lr"] for g in opt.param_groups]

    more = grad_stream(2, params, 4)
    feed(params, opt, more)
    feed(clones, fresh, more)
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.data, q.data)


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
