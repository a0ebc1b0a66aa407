"""Learning-rate schedulers: every schedule against its closed form written out here, the
recursive forms (hand-set lrs carried on, two schedulers composing), the constructor's first
step, saving and restoring, and bad arguments."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tinygrad_mlp.io as tio
from tinygrad_mlp import Tensor, optim
from tinygrad_mlp.optim import lr_scheduler as S

BASE = (0.1, 0.03)  # the two groups' lrs


def sgd(lrs=BASE, momentum=0.9):
    groups = [{"params": [Tensor([1.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=0.5, momentum=momentum)


def adam(lrs=BASE):
    groups = [{"params": [Tensor([1.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.Adam(groups, betas=(0.9, 0.99))


def trajectory(sched, n):
    """The lrs of every group after the constructor (epoch 0) and after each of n steps."""
    lrs = [sched.get_last_lr()]
    for _ in range(n):
        sched.optimizer.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    return np.array(lrs)


def closed(fn, n):
    """fn(base_lr, t) for t = 0..n and each group."""
    return np.array([[fn(b, t) for b in BASE] for t in range(n + 1)])


# ---------------------------------------------------------------------------------------------
# Closed forms


def test_step_lr():
    got = trajectory(S.StepLR(sgd(), step_size=7, gamma=0.5), 40)
    np.testing.assert_allclose(got, closed(lambda b, t: b * 0.5 ** (t // 7), 40), rtol=1e-12)


def test_multistep_lr_counts_a_repeated_milestone_twice():
    sched = S.MultiStepLR(sgd(), milestones=[12, 5, 12, 30], gamma=0.3)
    got = trajectory(sched, 40)
    passed = lambda t: sum(m <= t for m in (5, 12, 12, 30))  # noqa: E731
    np.testing.assert_allclose(got, closed(lambda b, t: b * 0.3 ** passed(t), 40), rtol=1e-12)


def test_exponential_lr():
    got = trajectory(S.ExponentialLR(sgd(), gamma=0.93), 50)
    np.testing.assert_allclose(got, closed(lambda b, t: b * 0.93**t, 50), rtol=1e-12)


@pytest.mark.parametrize("T_max, eta_min", [(50, 0.0), (10, 0.001), (7, 0.02), (1, 0.0)])
def test_cosine_annealing_follows_the_closed_form_over_several_periods(T_max, eta_min):
    sched = S.CosineAnnealingLR(sgd(), T_max=T_max, eta_min=eta_min)
    got = trajectory(sched, 60)
    want = closed(
        lambda b, t: eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2, 60
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_lambda_lr_with_one_function_or_one_per_group():
    got = trajectory(S.LambdaLR(sgd(), lambda e: 1 / (1 + e)), 20)
    np.testing.assert_allclose(got, closed(lambda b, t: b / (1 + t), 20), rtol=1e-15)
    got = trajectory(S.LambdaLR(sgd(), [lambda e: 0.9**e, lambda e: e + 1]), 20)
    want = np.array([[BASE[0] * 0.9**t, BASE[1] * (t + 1)] for t in range(21)])
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_multiplicative_lr_multiplies_the_current_lr_from_the_second_epoch():
    factors = [lambda e: 0.9, lambda e: 1.0 if e % 3 else 0.5]
    got = trajectory(S.MultiplicativeLR(sgd(), factors), 20)
    expected = closed(lambda b, t: b * 0.9**t, 20)
    expected[:, 1] = [BASE[1] * 0.5 ** (t // 3) for t in range(21)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("factor, n", [(1 / 3, 5), (0.5, 1), (1.0, 3), (0.25, 0)])
def test_constant_lr_scales_until_total_iters(factor, n):
    got = trajectory(S.ConstantLR(sgd(), factor=factor, total_iters=n), 12)
    # (total_iters=0: scaled at epoch 0 and never given back, as PyTorch computes it)
    scale = lambda t: factor if (t < n or n == 0) else 1.0  # noqa: E731
    np.testing.assert_allclose(got, closed(lambda b, t: b * scale(t), 12), rtol=1e-12)


@pytest.mark.parametrize("n, power", [(10, 1.0), (7, 2.0), (4, 0.5), (3, 0.0)])
def test_polynomial_lr_decays_to_zero_and_stays(n, power):
    got = trajectory(S.PolynomialLR(sgd(), total_iters=n, power=power), n + 5)
    expected = closed(lambda b, t: b * (1 - min(n, t) / n) ** power, n + 5)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def sgdr(b, t, T_0, T_mult, eta_min):
    """SGDR's lr at epoch t (a number >= 0), restarts found by walking the periods."""
    period, start = T_0, 0.0
    while t >= start + period:
        start, period = start + period, period * T_mult
    return eta_min + (b - eta_min) * (1 + math.cos(math.pi * (t - start) / period)) / 2


@pytest.mark.parametrize("T_0, T_mult, eta_min", [(5, 1, 0.0), (3, 2, 0.001), (1, 3, 0.01)])
def test_cosine_warm_restarts_follow_sgdr_over_several_periods(T_0, T_mult, eta_min):
    sched = S.CosineAnnealingWarmRestarts(sgd(), T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    got = trajectory(sched, 40)
    expected = closed(lambda b, t: sgdr(b, t, T_0, T_mult, eta_min), 40)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_cosine_warm_restarts_step_within_an_epoch_without_a_warning():
    sched = S.CosineAnnealingWarmRestarts(sgd(), T_0=2, T_mult=2, eta_min=0.005)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fractional epoch is this scheduler's own use
        for epoch in (0.25, 1.5, 2.0, 3.75, 6.5, 13.9, 0.5):
            sched.step(epoch)
            want = [sgdr(b, epoch, 2, 2, 0.005) for b in BASE]
            np.testing.assert_allclose(sched.get_last_lr(), want, rtol=1e-12)
            assert sched.last_epoch == math.floor(epoch)
    sched.step()  # one whole epoch on from 0.5: at 1.5 of the first period, as PyTorch counts
    np.testing.assert_allclose(sched.get_last_lr(), [sgdr(b, 1.5, 2, 2, 0.005) for b in BASE])
    assert sched.last_epoch == 1
    before = sched.state_dict()
    for bad, error in ((-1, ValueError), ("3", TypeError), (float("inf"), TypeError)):
        with pytest.raises(error, match="epoch"):
            sched.step(bad)
    assert sched.state_dict() == before


def triangle(t, up, down):
    """Where step t is on the way up (0 -> 1) and down (1 -> 0) of a cycle, and the cycle."""
    cycle, into = divmod(t, up + down)
    return (into / up if into <= up else 1 - (into - up) / down), cycle + 1


@pytest.mark.parametrize(
    "mode, scale",
    [
        ("triangular", lambda cycle, t: 1.0),
        ("triangular2", lambda cycle, t: 0.5 ** (cycle - 1)),
        ("exp_range", lambda cycle, t: 0.95**t),
    ],
)
def test_cyclic_lr_climbs_and_falls_and_momentum_goes_the_other_way(mode, scale):
    opt = sgd()
    sched = S.CyclicLR(
        opt, base_lr=[0.01, 0.002], max_lr=[0.1, 0.05], step_size_up=4, step_size_down=6,
        mode=mode, gamma=0.95, base_momentum=0.8, max_momentum=0.9,
    )  # fmt: skip
    for t in range(35):
        f, cycle = triangle(t, 4, 6)
        k = f * scale(cycle, t)
        lrs = [b + (m - b) * k for b, m in ((0.01, 0.1), (0.002, 0.05))]
        np.testing.assert_allclose(sched.get_last_lr(), lrs, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose([g["momentum"] for g in opt.param_groups], 0.9 - 0.1 * k)
        opt.step()
        sched.step()


def test_cyclic_lr_with_adams_beta1_a_scale_fn_of_its_own_and_its_saving():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, x):
            return self.rate**x

    opt = adam()
    sched = S.CyclicLR(
        opt, 0.001, 0.01, step_size_up=3, scale_fn=Decay(0.9), scale_mode="iterations"
    )
    assert [g["lr"] for g in opt.param_groups] == [0.001, 0.001]  # made: base_lr, as PyTorch
    assert opt.param_groups[0]["betas"] == (0.9, 0.99)  # beta1 at max_momentum, beta2 kept
    for _ in range(4):
        sched.step()
    f, _ = triangle(4, 3, 3)
    np.testing.assert_allclose(sched.get_last_lr(), [0.001 + 0.009 * f * 0.9**4] * 2)
    np.testing.assert_allclose(opt.param_groups[1]["betas"][0], 0.9 - 0.1 * f * 0.9**4)
    sched._scale_fn_custom.rate = 0.7
    saved = sched.state_dict()
    assert saved["_scale_fn_custom"] == {"rate": 0.7}  # a callable object's attributes
    again = S.CyclicLR(adam(), 0.001, 0.01, step_size_up=3, scale_fn=Decay(0.9))
    again.load_state_dict(saved)
    assert again._scale_fn_custom.rate == 0.7 and again.last_epoch == 4
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        S.CyclicLR(optim.Adagrad([Tensor([1.0], requires_grad=True)]), 0.01, 0.1)


@pytest.mark.parametrize(
    "start, end, n", [(1 / 3, 1.0, 5), (0.25, 0.9, 20), (1.0, 0.1, 30), (0.5, 0.0, 8)]
)
def test_linear_lr(start, end, n):
    sched = S.LinearLR(sgd(), start_factor=start, end_factor=end, total_iters=n)
    got = trajectory(sched, 40)
    want = closed(lambda b, t: b * (start + (end - start) * min(t, n) / n), 40)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def one_cycle_reference(t, T, max_lr, pct=0.3, div=25.0, final_div=1e4, three=False, cos=True):
    """The 1cycle lr at step t, written from the description of the policy."""
    initial = max_lr / div
    low = initial / final_div

    def anneal(a, b, x):
        return b + (a - b) * (1 + math.cos(math.pi * x)) / 2 if cos else a + (b - a) * x

    up_end = pct * T - 1
    if three:
        down_end = 2 * pct * T - 2
        if t <= up_end:
            return anneal(initial, max_lr, t / up_end)
        if t <= down_end:
            return anneal(max_lr, initial, (t - up_end) / (down_end - up_end))
        return anneal(initial, low, (t - down_end) / (T - 1 - down_end))
    if t <= up_end:
        return anneal(initial, max_lr, t / up_end)
    return anneal(max_lr, low, (t - up_end) / (T - 1 - up_end))


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(pct=0.45, div=10.0, final_div=100.0),
        dict(three=True),
        dict(three=True, cos=False),
        dict(cos=False, pct=0.25),
    ],
)
def test_one_cycle_lr(kw):
    T, tops = 50, (0.5, 0.2)
    args = dict(
        pct_start=kw.get("pct", 0.3),
        div_factor=kw.get("div", 25.0),
        final_div_factor=kw.get("final_div", 1e4),
        three_phase=kw.get("three", False),
        anneal_strategy="cos" if kw.get("cos", True) else "linear",
    )
    sched = S.OneCycleLR(sgd(), max_lr=list(tops), total_steps=T, **args)
    got = trajectory(sched, T)  # steps 0..T: PyTorch allows exactly T steps after the first
    want = np.array([[one_cycle_reference(t, T, top, **kw) for top in tops] for t in range(T + 1)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_one_cycle_cycles_momentum_and_beta1_inversely():
    T = 20
    opt = sgd()
    sched = S.OneCycleLR(opt, max_lr=0.5, total_steps=T, base_momentum=0.8, max_momentum=0.9)
    momenta = [opt.param_groups[0]["momentum"]]
    for _ in range(T - 1):
        opt.step()
        sched.step()
        momenta.append(opt.param_groups[0]["momentum"])
    peak = int(0.3 * T - 1)  # the step where the lr is max_lr
    assert momenta[0] == pytest.approx(0.9) and momenta[peak] == pytest.approx(0.8)
    assert momenta[-1] == pytest.approx(0.9)
    assert all(a >= b for a, b in zip(momenta[: peak + 1], momenta[1 : peak + 1]))
    # Adam: beta1 moves, beta2 stays
    opt = adam()
    sched = S.OneCycleLR(opt, max_lr=0.01, total_steps=T)
    assert opt.param_groups[1]["betas"] == (0.95, 0.99)
    for _ in range(peak):
        opt.step()
        sched.step()
    assert (
        opt.param_groups[1]["betas"][0] == pytest.approx(0.85)
        and opt.param_groups[1]["betas"][1] == 0.99
    )
    assert opt.param_groups[0]["max_lr"] == 0.01 and opt.param_groups[0]["min_lr"] == pytest.approx(
        0.01 / 25 / 1e4
    )


def test_one_cycle_from_epochs_and_steps_per_epoch():
    a = trajectory(S.OneCycleLR(sgd(), max_lr=0.3, epochs=4, steps_per_epoch=5), 20)
    b = trajectory(S.OneCycleLR(sgd(), max_lr=0.3, total_steps=20), 20)
    np.testing.assert_array_equal(a, b)


def test_one_cycle_refuses_a_step_past_the_end_and_changes_nothing():
    opt = sgd()
    sched = S.OneCycleLR(opt, max_lr=0.5, total_steps=3)
    for _ in range(3):
        sched.step()
    lr, epoch = opt.param_groups[0]["lr"], sched.last_epoch
    with pytest.raises(ValueError, match="Tried to step 4 times.*total steps is 3"):
        sched.step()
    assert opt.param_groups[0]["lr"] == lr and sched.last_epoch == epoch == 3


def test_one_cycle_phase_of_zero_length_is_at_its_end():
    # pct_start * total_steps = 1: the warm-up ends where it starts (PyTorch divides by zero)
    opt = sgd()
    S.OneCycleLR(opt, max_lr=0.5, total_steps=10, pct_start=0.1)
    assert opt.param_groups[0]["lr"] == 0.5


# ---------------------------------------------------------------------------------------------
# ReduceLROnPlateau


def plateau_lrs(sched, metrics):
    out = []
    for m in metrics:
        sched.step(m)
        out.append(sched.get_last_lr()[0])
    return out


def test_plateau_reduces_after_patience_bad_epochs():
    # epoch 1 sets best = 1; epochs 2, 3 are bad (1, 2 <= patience); epoch 4 is the third bad
    # one: reduce. Counting restarts at 0.
    sched = S.ReduceLROnPlateau(sgd(), patience=2, factor=0.5)
    assert plateau_lrs(sched, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]) == [
        0.1,
        0.1,
        0.1,
        0.05,
        0.05,
        0.05,
        0.025,
    ]


def test_plateau_threshold_rel_and_abs():
    # rel: 0.99995 is not below 1 * (1 - 1e-4), so it is a bad epoch; 0.9 is an improvement
    sched = S.ReduceLROnPlateau(sgd(), patience=0, factor=0.5)
    assert plateau_lrs(sched, [1.0, 0.99995, 0.9]) == [0.1, 0.05, 0.05]
    # abs, max mode: must beat best + 0.1
    sched = S.ReduceLROnPlateau(sgd(), mode="max", threshold_mode="abs", threshold=0.1, patience=0)
    assert plateau_lrs(sched, [1.0, 1.05, 1.2, 1.25]) == pytest.approx([0.1, 0.01, 0.01, 0.001])


def test_plateau_cooldown_min_lr_and_eps():
    opt = sgd()
    sched = S.ReduceLROnPlateau(opt, patience=0, factor=0.1, cooldown=2, min_lr=[0.005, 0.0])
    got = []
    for m in [1.0, 2.0, 2.0, 2.0, 2.0, 2.0]:
        sched.step(m)
        got.append(tuple(g["lr"] for g in opt.param_groups))
    # reduce at epoch 2; epochs 3 and 4 cool down; epoch 5 reduces again (group 0 hits min_lr)
    want = [
        (0.1, 0.03),
        (0.01, 0.003),
        (0.01, 0.003),
        (0.01, 0.003),
        (0.005, 0.0003),
        (0.005, 0.0003),
    ]
    np.testing.assert_allclose(got, want, rtol=1e-15)
    # eps: a change smaller than eps is not made
    opt = sgd(lrs=(1e-3, 1.0))
    sched = S.ReduceLROnPlateau(opt, patience=0, factor=0.5, eps=0.01)
    plateau_lrs(sched, [1.0, 1.0])
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 0.5]


def test_plateau_takes_a_one_element_tensor_and_refuses_other_things():
    sched = S.ReduceLROnPlateau(sgd(), patience=0)
    sched.step(Tensor(1.0))
    sched.step(Tensor([2.0]))
    assert sched.get_last_lr()[0] == pytest.approx(0.01)
    with pytest.raises(TypeError, match="number"):
        sched.step("0.5")


def test_plateau_makes_no_initial_step():
    opt = sgd()
    sched = S.ReduceLROnPlateau(opt)
    assert sched.last_epoch == 0 and "initial_lr" not in opt.param_groups[0]
    assert sched.get_last_lr() == list(BASE)


# ---------------------------------------------------------------------------------------------
# The first step, recursion, composition


def test_the_constructor_takes_the_first_step():
    opt = sgd()
    sched = S.StepLR(opt, step_size=3)
    assert sched.last_epoch == 0 and sched.base_lrs == list(BASE)
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)
    assert [g["lr"] for g in opt.param_groups] == list(BASE)
    opt = sgd()
    S.LinearLR(opt, start_factor=0.5)  # epoch 0 already runs at half the lr
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.015]
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(sgd(), step_size=3, last_epoch=4)
    opt = sgd()
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    sched = S.ExponentialLR(opt, gamma=0.5, last_epoch=4)
    assert sched.last_epoch == 5 and sched.get_last_lr() == list(BASE)  # as PyTorch does


def test_recursive_forms_carry_on_from_an_lr_set_by_hand():
    opt = sgd()
    sched = S.ExponentialLR(opt, gamma=0.5)
    sched.step()
    opt.param_groups[0]["lr"] = 1.0
    sched.step()
    assert sched.get_last_lr() == [0.5, 0.03 * 0.25]


def test_two_schedulers_compose():
    opt = sgd()
    a = S.ExponentialLR(opt, gamma=0.9)
    b = S.StepLR(opt, step_size=4, gamma=0.5)
    got = [b.get_last_lr()]
    for _ in range(12):
        a.step()
        b.step()
        got.append(b.get_last_lr())
    np.testing.assert_allclose(
        got, closed(lambda base, t: base * 0.9**t * 0.5 ** (t // 4), 12), rtol=1e-12
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda o: S.StepLR(o, step_size=4, gamma=0.5),
        lambda o: S.MultiStepLR(o, milestones=[3, 7, 7]),
        lambda o: S.ExponentialLR(o, gamma=0.8),
        lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
        lambda o: S.LinearLR(o, start_factor=0.2, total_iters=9),
        lambda o: S.ConstantLR(o, factor=0.5, total_iters=4),
        lambda o: S.PolynomialLR(o, total_iters=8, power=2.0),
    ],
)
def test_step_with_an_epoch_jumps_with_the_closed_form_and_warns(make):
    reference = make(sgd())
    lrs = trajectory(reference, 12)
    sched = make(sgd())
    for epoch in (9, 2, 12):
        with pytest.warns(UserWarning, match="deprecated"):
            sched.step(epoch)
        np.testing.assert_allclose(sched.get_last_lr(), lrs[epoch], rtol=1e-12)
        assert sched.last_epoch == epoch


def test_get_last_lr_is_a_copy_and_get_lr_outside_step_warns():
    sched = S.StepLR(sgd(), step_size=2)
    sched.get_last_lr().append(5.0)
    assert sched.get_last_lr() == list(BASE)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()  # no warning from inside step, and none about the order of the steps


@pytest.mark.parametrize(
    "make",
    [
        lambda o: S.ExponentialLR(o, gamma=0.5),
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3),  # a step of its own
    ],
)
def test_a_group_added_after_the_scheduler_is_refused_clearly(make):
    opt = sgd()
    sched = make(opt)
    opt.add_param_group({"params": [Tensor([2.0], requires_grad=True)]})
    with pytest.raises(ValueError, match="after add_param_group"):
        sched.step()


# ---------------------------------------------------------------------------------------------
# Saving and restoring


class Halving:
    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


SCHEDULERS = {
    "step": lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda o: S.MultiStepLR(o, milestones=[2, 9, 9], gamma=0.5),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.9),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001),
    "lambda": lambda o: S.LambdaLR(o, [lambda e: 0.9**e, Halving(every=3)]),
    "linear": lambda o: S.LinearLR(o, start_factor=0.1, total_iters=12),
    "onecycle": lambda o: S.OneCycleLR(o, max_lr=[0.4, 0.1], total_steps=30, three_phase=True),
    "plateau": lambda o: S.ReduceLROnPlateau(o, patience=1, cooldown=1, factor=0.5),
    "multiplicative": lambda o: S.MultiplicativeLR(o, [lambda e: 0.9, Halving(every=3)]),
    "constant": lambda o: S.ConstantLR(o, factor=0.5, total_iters=9),
    "polynomial": lambda o: S.PolynomialLR(o, total_iters=12, power=1.5),
    "warm restarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.01),
    "cyclic": lambda o: S.CyclicLR(o, [0.01, 0.001], 0.2, step_size_up=3, mode="triangular2"),
}
METRICS = [1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]


def advance(sched, opt, steps, offset):
    for k in range(steps):
        opt.step()
        if isinstance(sched, S.ReduceLROnPlateau):
            sched.step(METRICS[offset + k])
        else:
            sched.step()
    return [g["lr"] for g in opt.param_groups], sched.get_last_lr()


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
@pytest.mark.parametrize("through_file", [False, True])
def test_state_dict_round_trip_continues_exactly(name, through_file, tmp_path):
    opt = sgd()
    sched = SCHEDULERS[name](opt)
    advance(sched, opt, 7, 0)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    if name in ("lambda", "multiplicative"):
        sched.lr_lambdas[1].every = 4  # a callable object's attributes are saved...
        saved_sched = sched.state_dict()
    if through_file:
        tio.save({"opt": saved_opt, "sched": saved_sched}, tmp_path / "s.npz")
        loaded = tio.load(tmp_path / "s.npz")
        saved_opt, saved_sched = loaded["opt"], loaded["sched"]
    opt2 = sgd(lrs=(0.7, 0.7))
    sched2 = SCHEDULERS[name](opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    if name in ("lambda", "multiplicative"):
        assert sched2.lr_lambdas[1].every == 4  # ...and restored
    assert sched2.state_dict() == sched.state_dict()
    assert advance(sched2, opt2, 10, 7) == advance(sched, opt, 10, 7)


def test_state_dict_is_a_copy():
    sched = S.MultiStepLR(sgd(), milestones=[2, 4])
    sd = sched.state_dict()
    sd["base_lrs"].append(9.0)
    sd["milestones"][6] = 1
    assert sched.base_lrs == list(BASE) and 6 not in sched.milestones


def test_load_state_dict_refuses_another_scheduler_and_changes_nothing():
    sched = S.StepLR(sgd(), step_size=3)
    sched.step()
    before = sched.state_dict()
    with pytest.raises(ValueError, match="not a StepLR state_dict"):
        sched.load_state_dict(S.ExponentialLR(sgd(), gamma=0.5).state_dict())
    wrong = dict(before, base_lrs=[0.1])
    with pytest.raises(ValueError, match="base_lrs.*2 values"):
        sched.load_state_dict(wrong)
    assert sched.state_dict() == before


# ---------------------------------------------------------------------------------------------
# Bad arguments


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda o: S.StepLR(o, step_size=0), ValueError, "step_size"),
        (lambda o: S.StepLR(o, step_size=2.5), TypeError, "step_size"),
        (lambda o: S.StepLR(o, step_size=2, gamma=-0.1), ValueError, "gamma"),
        (lambda o: S.MultiStepLR(o, milestones=5), TypeError, "milestones"),
        (lambda o: S.MultiStepLR(o, milestones=[3, -1]), ValueError, r"milestones\[1\]"),
        (lambda o: S.ExponentialLR(o, gamma=float("nan")), ValueError, "gamma"),
        (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
        (lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=-1), ValueError, "eta_min"),
        (lambda o: S.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
        (lambda o: S.LambdaLR(o, 0.5), TypeError, "callable"),
        (lambda o: S.LambdaLR(o, lambda e: "fast"), TypeError, "must return a number"),
        (lambda o: S.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
        (lambda o: S.LinearLR(o, start_factor=1.5), ValueError, "start_factor"),
        (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
        (lambda o: S.LinearLR(o, total_iters=0), ValueError, "total_iters"),
        (lambda o: S.OneCycleLR(o, max_lr=0.1), ValueError, "total_steps OR"),
        (lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError, "total_steps"),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=0),
            ValueError,
            "steps_per_epoch",
        ),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=9, pct_start=1.5),
            ValueError,
            "pct_start",
        ),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=9, anneal_strategy="exp"),
            ValueError,
            "anneal",
        ),
        (lambda o: S.OneCycleLR(o, max_lr=[0.1], total_steps=9), ValueError, "max_lr.*2 groups"),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=9, div_factor=0),
            ValueError,
            "div_factor",
        ),
        (lambda o: S.ReduceLROnPlateau(o, mode="low"), ValueError, "mode 'low' is unknown"),
        (lambda o: S.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode"),
        (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
        (lambda o: S.ReduceLROnPlateau(o, patience=-1), ValueError, "patience"),
        (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.0]), ValueError, "min_lr.*2 groups"),
        (lambda o: S.ReduceLROnPlateau(o, eps=-1.0), ValueError, "eps"),
        (lambda o: S.StepLR(o, step_size=2, last_epoch=-2), ValueError, "last_epoch"),
        (lambda o: S.MultiplicativeLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
        (lambda o: S.MultiplicativeLR(o, 0.5), TypeError, "callable"),
        (lambda o: S.ConstantLR(o, factor=1.5), ValueError, "factor"),
        (lambda o: S.ConstantLR(o, factor=0.0), ValueError, "factor"),
        (lambda o: S.ConstantLR(o, total_iters=-1), ValueError, "total_iters"),
        (lambda o: S.PolynomialLR(o, total_iters=0), ValueError, "total_iters"),
        (lambda o: S.PolynomialLR(o, power=-1.0), ValueError, "power"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2.5), TypeError, "T_0"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, eta_min=-1), ValueError, "eta_min"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, mode="tri"), ValueError, "mode is invalid"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, scale_fn=2.0), TypeError, "scale_fn"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, scale_mode="epoch"), ValueError, "scale_mode"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError, "step_size_up"),
        (lambda o: S.CyclicLR(o, [0.01], 0.1), ValueError, "base_lr.*2 groups"),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, max_momentum=-0.5), ValueError, "max_momentum"),
    ],
)
def test_bad_arguments(make, error, message):
    opt = sgd()
    lrs = [g["lr"] for g in opt.param_groups]
    with pytest.raises(error, match=message):
        make(opt)
    assert [g["lr"] for g in opt.param_groups] == lrs


def test_not_an_optimizer_and_no_momentum_to_cycle():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR([Tensor([1.0])], step_size=1)
    ada = optim.Adagrad([Tensor([1.0], requires_grad=True)])
    with pytest.raises(ValueError, match="cycle_momentum=False"):
        S.OneCycleLR(ada, max_lr=0.1, total_steps=10)
    S.OneCycleLR(ada, max_lr=0.1, total_steps=10, cycle_momentum=False)
    assert ada.param_groups[0]["lr"] == pytest.approx(0.1 / 25)


# ---------------------------------------------------------------------------------------------
# SequentialLR
def _one_group(lr=0.05):
    return optim.SGD([Tensor([1.0], requires_grad=True)], lr=lr)


@pytest.mark.parametrize(
    "make, milestones, expected",
    [
        # the lrs torch 2.13 printed for the same program (SGD lr=0.05, 11 steps)
        (
            lambda o: [S.LinearLR(o, start_factor=0.1, total_iters=4), S.ExponentialLR(o, 0.9)],
            [4],
            "0.005 0.01625 0.0275 0.03875 0.05 0.045 0.0405 0.03645 0.032805 0.0295245 "
            "0.02657205 0.023914845",
        ),
        (
            lambda o: [
                S.LinearLR(o, start_factor=0.01, total_iters=3),
                S.CosineAnnealingLR(o, T_max=6, eta_min=0.001),
            ],
            [4],
            "0.0005 0.017 0.0335 0.05 0.05 0.04671762239 0.03775 0.0255 0.01325 0.004282377607 "
            "0.001 0.004282377607",
        ),
        (
            lambda o: [S.ExponentialLR(o, 0.5), S.StepLR(o, 2, 0.1), S.CosineAnnealingLR(o, 3)],
            [2, 5],
            "0.05 0.025 0.05 0.05 0.005 0.05 0.0375 0.0125 0 0.0125 0.0375 0.05",
        ),
    ],
)
def test_sequential_lr_gives_torchs_lrs(make, milestones, expected):
    opt = _one_group()
    scheds = make(opt)
    seq = S.SequentialLR(opt, scheds, milestones=milestones)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated step(epoch) warning at a milestone
        lrs = trajectory(seq, 11)[:, 0]
    assert np.allclose(lrs, [float(v) for v in expected.split()], rtol=1e-9, atol=1e-15)
    assert seq.last_epoch == 11


def test_sequential_lr_state_dict_round_trip_continues_the_same_schedule(tmp_path):
    def build():
        opt = _one_group()
        warm = S.LinearLR(opt, start_factor=0.1, total_iters=3)
        return opt, S.SequentialLR(opt, [warm, S.CosineAnnealingLR(opt, T_max=5)], [3])

    opt1, seq1 = build()
    trajectory(seq1, 4)
    tio.save({"opt": opt1.state_dict(), "sched": seq1.state_dict()}, tmp_path / "s.npz")
    loaded = tio.load(tmp_path / "s.npz")
    opt2, seq2 = build()
    opt2.load_state_dict(loaded["opt"])
    seq2.load_state_dict(loaded["sched"])
    assert np.allclose(trajectory(seq1, 5), trajectory(seq2, 5))
    with pytest.raises(ValueError, match="SequentialLR"):
        seq2.load_state_dict({"last_epoch": 1})


def test_sequential_lr_refuses_what_torch_refuses():
    opt, other = _one_group(), _one_group()
    a = S.ExponentialLR(opt, 0.9)
    with pytest.raises(ValueError, match="at least one"):
        S.SequentialLR(opt, [], [])
    with pytest.raises(ValueError, match="one milestone fewer"):
        S.SequentialLR(opt, [a, S.ExponentialLR(opt, 0.5)], [])
    with pytest.raises(ValueError, match="same optimizer"):
        S.SequentialLR(opt, [a, S.ExponentialLR(other, 0.5)], [2])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.SequentialLR(opt, [a, S.ReduceLROnPlateau(opt)], [2])
    with pytest.raises(TypeError, match="not a learning-rate scheduler"):
        S.SequentialLR(opt, [a, "cosine"], [2])


def test_chained_scheduler_steps_each_in_order_with_torchs_lrs(tmp_path):
    def build():
        opt = _one_group()
        return opt, S.ChainedScheduler([S.ExponentialLR(opt, 0.9), S.StepLR(opt, 3, 0.5)])

    opt, chain = build()
    lrs = trajectory(chain, 8)[:, 0]
    # torch 2.13's lrs for the same program
    torch_lrs = "0.05 0.045 0.0405 0.018225 0.0164025 0.01476225 0.0066430125 0.00597871125 "
    torch_lrs += "0.005380840125"
    assert np.allclose(lrs, [float(v) for v in torch_lrs.split()], rtol=1e-12)
    tio.save({"opt": opt.state_dict(), "sched": chain.state_dict()}, tmp_path / "c.npz")
    loaded = tio.load(tmp_path / "c.npz")
    opt2, chain2 = build()
    opt2.load_state_dict(loaded["opt"])
    chain2.load_state_dict(loaded["sched"])
    assert np.allclose(trajectory(chain, 4), trajectory(chain2, 4))
    with pytest.raises(ValueError, match="same optimizer"):
        S.ChainedScheduler([S.ExponentialLR(opt, 0.9), S.ExponentialLR(_one_group(), 0.9)])
    with pytest.raises(ValueError, match="at least one"):
        S.ChainedScheduler([], optimizer=opt)
