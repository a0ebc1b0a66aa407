"""Compare tinygrad_mlp.optim and optim.lr_scheduler with PyTorch; exit non-zero on a mismatch.

Every optimizer (with each of its options) and every scheduler runs a 50-step trajectory on
both sides in float64, from the same initial weights: a small MLP, tanh(X W1^T + b1) W2^T + b2,
with a mean-squared-error loss that each side computes and differentiates itself. Two
parameter groups (the second with options of its own), and a parameter whose gradient is
None every third step (so it is skipped and its step count lags). After every step it
compares the parameters, every entry of the optimizer state (same keys, same values), each
group's hyperparameters (lr, momentum, betas, as schedulers change them), `get_last_lr()`,
and at the end the state_dict's layout (state indices and each group's "params" list).

Tolerances: lrs and hyperparameters to 1e-12 (relative); parameters and state to 1e-9
relative + 1e-12 absolute (the two sides' gradients differ in the last bits, and 50 steps
carry that along). The largest differences seen are printed.

Run:  python benchmarks/compare_torch_optim.py      (needs torch; one line per trajectory)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import tinygrad_mlp.optim as optim
from tinygrad_mlp import Tensor

try:
    import torch
except ImportError:
    print("compare_torch_optim: torch is not installed; nothing to compare")
    sys.exit(2)

STEPS = 50
RTOL, ATOL = 1e-9, 1e-12  # parameters and state
LR_RTOL = 1e-12  # learning rates and other hyperparameters
SHAPES = {"W1": (5, 3), "b1": (5,), "W2": (2, 5), "b2": (2,)}
SKIPPED = "b1"  # its gradient is None on every third step

rng = np.random.default_rng(0)
INIT = {k: rng.standard_normal(s) * 0.5 for k, s in SHAPES.items()}
X = rng.standard_normal((16, 3))
Y = rng.standard_normal((16, 2))
failures: list[str] = []
PAIRS = ("betas", "etas", "step_sizes")  # hyperparameters that are pairs


# --------------------------------------------------------------------------- the two sides
class Side:
    """One framework's parameters, optimizer and scheduler for one trajectory."""

    def __init__(self, lib: str, make_opt: Callable, make_sched: Callable | None) -> None:
        self.lib = lib
        if lib == "tg":
            self.p = {
                k: Tensor(v.copy(), requires_grad=True, dtype=np.float64) for k, v in INIT.items()
            }
            self.x, self.y = Tensor(X, dtype=np.float64), Tensor(Y, dtype=np.float64)
            self.opt = make_opt(optim, self.groups())
            self.sched = make_sched(optim.lr_scheduler, self.opt) if make_sched else None
        else:
            self.p = {k: torch.tensor(v, requires_grad=True) for k, v in INIT.items()}
            self.x, self.y = torch.from_numpy(X), torch.from_numpy(Y)
            self.opt = make_opt(torch.optim, self.groups())
            self.sched = make_sched(torch.optim.lr_scheduler, self.opt) if make_sched else None

    def groups(self) -> list[dict]:
        p = self.p
        return [{"params": [p["W1"], p["b1"]]}, {"params": [p["W2"], p["b2"]]}]

    def loss(self) -> Any:
        p = self.p
        h = (self.x @ p["W1"].T + p["b1"]).tanh()
        out = h @ p["W2"].T + p["b2"]
        return ((out - self.y) ** 2).mean()

    def step(self, k: int, metric: float | None) -> None:
        self.opt.zero_grad()
        self.loss().backward()
        if k % 3 == 2:
            self.p[SKIPPED].grad = None
        self.opt.step()
        if self.sched is not None:
            self.sched.step() if metric is None else self.sched.step(metric)

    def arrays(self) -> dict[str, np.ndarray]:
        if self.lib == "tg":
            return {k: v.data for k, v in self.p.items()}
        return {k: v.detach().numpy() for k, v in self.p.items()}

    def state(self) -> dict[str, dict[str, Any]]:
        out = {}
        for k, p in self.p.items():
            s = self.opt.state.get(p, {})
            out[k] = {
                name: (
                    float(v)
                    if name == "step"
                    else np.asarray(v.detach().numpy() if self.lib == "torch" else v)
                )
                for name, v in s.items()
                if v is not None
            }
        return out

    def hyper(self) -> list[dict[str, float]]:
        keys = (
            "lr",
            "momentum",
            "betas",
            "alpha",
            "eps",
            "weight_decay",
            "lr_decay",
            "dampening",
            "rho",
            "momentum_decay",
            "decoupled_weight_decay",
            "etas",
            "step_sizes",
            "lambd",
            "t0",
        )
        out = []
        for g in self.opt.param_groups:
            h = {}
            for key in keys:
                if key in g:
                    v = g[key]
                    h[key] = tuple(map(float, v)) if key in PAIRS else float(v)
            out.append(h)
        return out


def rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300), initial=0.0))


def run(
    name: str, make_opt: Callable, make_sched: Callable | None = None, metrics: list | None = None
) -> None:
    ours, theirs = Side("tg", make_opt, make_sched), Side("torch", make_opt, make_sched)
    worst_p = worst_s = worst_lr = 0.0
    problems: list[str] = []
    for k in range(STEPS):
        metric = None if metrics is None else metrics[k]
        ours.step(k, metric)
        theirs.step(k, metric)
        a, b = ours.arrays(), theirs.arrays()
        for key in SHAPES:
            worst_p = max(worst_p, float(np.max(np.abs(a[key] - b[key]))))
            if not np.allclose(a[key], b[key], rtol=RTOL, atol=ATOL):
                problems.append(f"step {k}: parameter {key}")
        sa, sb = ours.state(), theirs.state()
        for key in SHAPES:
            if set(sa[key]) != set(sb[key]):
                problems.append(
                    f"step {k}: state keys of {key}: {sorted(sa[key])} vs {sorted(sb[key])}"
                )
                continue
            for entry in sa[key]:
                x, y = sa[key][entry], sb[key][entry]
                worst_s = max(worst_s, float(np.max(np.abs(np.asarray(x) - np.asarray(y)))))
                if not np.allclose(x, y, rtol=RTOL, atol=ATOL):
                    problems.append(f"step {k}: state {entry} of {key}")
        ha, hb = ours.hyper(), theirs.hyper()
        for gi, (x, y) in enumerate(zip(ha, hb)):
            if set(x) != set(y):
                problems.append(f"step {k}: group {gi} keys {sorted(x)} vs {sorted(y)}")
                continue
            for key in x:
                worst_lr = max(worst_lr, rel(x[key], y[key]))
                if rel(x[key], y[key]) > LR_RTOL:
                    problems.append(f"step {k}: group {gi} {key} {x[key]} vs torch {y[key]}")
        if ours.sched is not None:
            la, lb = ours.sched.get_last_lr(), theirs.sched.get_last_lr()
            if len(la) != len(lb) or rel(la, lb) > LR_RTOL:
                problems.append(f"step {k}: get_last_lr {la} vs torch {lb}")
    sda, sdb = ours.opt.state_dict(), theirs.opt.state_dict()
    if sorted(sda["state"]) != sorted(sdb["state"]):
        problems.append(
            f"state_dict state indices {sorted(sda['state'])} vs {sorted(sdb['state'])}"
        )
    if [g["params"] for g in sda["param_groups"]] != [g["params"] for g in sdb["param_groups"]]:
        problems.append("state_dict param_groups' params lists differ")
    ok = not problems
    if not ok:
        failures.append(name)
    print(
        f"{'ok      ' if ok else 'MISMATCH'} {name:58s} max|dp| {worst_p:.1e}  "
        f"max|dstate| {worst_s:.1e}  max rel dhyper {worst_lr:.1e}"
    )
    for line in problems[:5]:
        print(f"         {line}")


def groups_with(**second: Any) -> Callable:
    """An optimizer factory: make(lib_optim, groups) with options for the second group."""

    def wrap(make: Callable) -> Callable:
        def build(lib: Any, groups: list[dict]) -> Any:
            groups[1].update(second)
            return make(lib, groups)

        return build

    return wrap


# --------------------------------------------------------------------------- optimizers
OPTIMIZERS: dict[str, Callable] = {
    "SGD lr=0.1": lambda o, g: o.SGD(g, lr=0.1),
    "SGD momentum=0.9": lambda o, g: o.SGD(g, lr=0.05, momentum=0.9),
    "SGD momentum=0.8 dampening=0.3": lambda o, g: o.SGD(g, lr=0.05, momentum=0.8, dampening=0.3),
    "SGD nesterov": lambda o, g: o.SGD(g, lr=0.05, momentum=0.9, nesterov=True),
    "SGD weight_decay=0.05 momentum=0.5": lambda o, g: o.SGD(
        g, lr=0.1, momentum=0.5, weight_decay=0.05
    ),
    "SGD groups (2nd: lr=0.3 momentum=0.9 nesterov)": groups_with(
        lr=0.3, momentum=0.9, nesterov=True
    )(lambda o, g: o.SGD(g, lr=0.1)),
    "Adam": lambda o, g: o.Adam(g, lr=0.01),
    "Adam amsgrad": lambda o, g: o.Adam(g, lr=0.01, amsgrad=True),
    "Adam weight_decay=0.1 betas=(0.8, 0.9) eps=1e-6": lambda o, g: o.Adam(
        g, lr=0.02, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1
    ),
    "Adam groups (2nd: lr=0.05 amsgrad weight_decay=0.01)": groups_with(
        lr=0.05, amsgrad=True, weight_decay=0.01
    )(lambda o, g: o.Adam(g, lr=0.01)),
    "Adam decoupled_weight_decay weight_decay=0.1": lambda o, g: o.Adam(
        g, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True
    ),
    "AdamW": lambda o, g: o.AdamW(g, lr=0.01),
    "AdamW amsgrad weight_decay=0.2": lambda o, g: o.AdamW(
        g, lr=0.01, weight_decay=0.2, amsgrad=True
    ),
    "AdamW groups (2nd: weight_decay=0 betas=(0.5, 0.99))": groups_with(
        weight_decay=0.0, betas=(0.5, 0.99)
    )(lambda o, g: o.AdamW(g, lr=0.01)),
    "RMSprop": lambda o, g: o.RMSprop(g),
    "RMSprop momentum=0.9": lambda o, g: o.RMSprop(g, lr=0.005, momentum=0.9),
    "RMSprop centered": lambda o, g: o.RMSprop(g, centered=True),
    "RMSprop centered momentum=0.5 weight_decay=0.1 alpha=0.9": lambda o, g: o.RMSprop(
        g, lr=0.005, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1
    ),
    "RMSprop groups (2nd: centered momentum=0.9 eps=1e-4)": groups_with(
        centered=True, momentum=0.9, eps=1e-4
    )(lambda o, g: o.RMSprop(g, lr=0.005)),
    "Adagrad": lambda o, g: o.Adagrad(g, lr=0.1),
    "Adagrad lr_decay=0.05 weight_decay=0.1": lambda o, g: o.Adagrad(
        g, lr=0.1, lr_decay=0.05, weight_decay=0.1
    ),
    "Adagrad initial_accumulator_value=0.5 eps=1e-6": lambda o, g: o.Adagrad(
        g, lr=0.1, initial_accumulator_value=0.5, eps=1e-6
    ),
    "Adagrad groups (2nd: lr=0.3 lr_decay=0.1)": groups_with(lr=0.3, lr_decay=0.1)(
        lambda o, g: o.Adagrad(g, lr=0.1)
    ),
    "NAdam": lambda o, g: o.NAdam(g, lr=0.01),
    "NAdam weight_decay=0.1 momentum_decay=0.01 betas=(0.8, 0.9)": lambda o, g: o.NAdam(
        g, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, momentum_decay=0.01
    ),
    "NAdam decoupled_weight_decay weight_decay=0.2 eps=1e-6": lambda o, g: o.NAdam(
        g, lr=0.01, weight_decay=0.2, decoupled_weight_decay=True, eps=1e-6
    ),
    "NAdam groups (2nd: lr=0.05 decoupled weight_decay=0.1)": groups_with(
        lr=0.05, weight_decay=0.1, decoupled_weight_decay=True
    )(lambda o, g: o.NAdam(g, lr=0.01)),
    "RAdam (steps 1-5 unrectified)": lambda o, g: o.RAdam(g, lr=0.01),
    "RAdam weight_decay=0.1 betas=(0.8, 0.99) eps=1e-6": lambda o, g: o.RAdam(
        g, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1
    ),
    "RAdam decoupled_weight_decay weight_decay=0.2": lambda o, g: o.RAdam(
        g, lr=0.01, weight_decay=0.2, decoupled_weight_decay=True
    ),
    "RAdam betas=(0.9, 0.7) (rectified from step 10)": lambda o, g: o.RAdam(
        g, lr=0.01, betas=(0.9, 0.7)
    ),
    "RAdam betas=(0.9, 0.6) (rho_inf = 4: never rectified)": lambda o, g: o.RAdam(
        g, lr=0.01, betas=(0.9, 0.6)
    ),
    "RAdam groups (2nd: lr=0.05 betas=(0.5, 0.9) decoupled weight_decay=0.1)": groups_with(
        lr=0.05, betas=(0.5, 0.9), weight_decay=0.1, decoupled_weight_decay=True
    )(lambda o, g: o.RAdam(g, lr=0.01)),
    "Adamax": lambda o, g: o.Adamax(g, lr=0.01),
    "Adamax weight_decay=0.1 betas=(0.8, 0.9) eps=1e-3": lambda o, g: o.Adamax(
        g, lr=0.01, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1
    ),
    "Adamax groups (2nd: lr=0.05 betas=(0.5, 0.99) weight_decay=0.01)": groups_with(
        lr=0.05, betas=(0.5, 0.99), weight_decay=0.01
    )(lambda o, g: o.Adamax(g, lr=0.01)),
    "Adadelta": lambda o, g: o.Adadelta(g),
    "Adadelta lr=0.5 rho=0.5 eps=1e-4 weight_decay=0.1": lambda o, g: o.Adadelta(
        g, lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1
    ),
    "Adadelta rho=1.0 (square_avg and acc_delta stay zero)": lambda o, g: o.Adadelta(g, rho=1.0),
    "Adadelta groups (2nd: lr=2.0 rho=0.95 eps=1e-5)": groups_with(lr=2.0, rho=0.95, eps=1e-5)(
        lambda o, g: o.Adadelta(g)
    ),
    "Rprop": lambda o, g: o.Rprop(g),
    "Rprop lr=0.05 etas=(0.3, 1.5) step_sizes=(1e-3, 0.2)": lambda o, g: o.Rprop(
        g, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)
    ),
    "Rprop maximize etas=(0.6, 1.1) step_sizes=(1e-4, 1.0)": lambda o, g: o.Rprop(
        g, lr=0.02, etas=(0.6, 1.1), step_sizes=(1e-4, 1.0), maximize=True
    ),
    "Rprop groups (2nd: lr=0.1 etas=(0.25, 2.0) step_sizes=(0.01, 0.3))": groups_with(
        lr=0.1, etas=(0.25, 2.0), step_sizes=(0.01, 0.3)
    )(lambda o, g: o.Rprop(g, lr=0.01)),
    "ASGD (t0=1e6: never averages)": lambda o, g: o.ASGD(g, lr=0.05),
    "ASGD t0=10 (averages from step 12) lambd=1e-2 alpha=0.5": lambda o, g: o.ASGD(
        g, lr=0.05, lambd=1e-2, alpha=0.5, t0=10
    ),
    "ASGD t0=3.5 weight_decay=0.1 lambd=0.05 alpha=1.0": lambda o, g: o.ASGD(
        g, lr=0.1, lambd=0.05, alpha=1.0, t0=3.5, weight_decay=0.1
    ),
    "ASGD maximize t0=0 lambd=0": lambda o, g: o.ASGD(g, lr=0.01, lambd=0.0, t0=0, maximize=True),
    "ASGD groups (2nd: lr=0.2 t0=5 weight_decay=0.05 alpha=0.9)": groups_with(
        lr=0.2, t0=5, weight_decay=0.05, alpha=0.9
    )(lambda o, g: o.ASGD(g, lr=0.05, t0=20)),
}

# --------------------------------------------------------------------------- schedulers
SGD_TWO_LRS = groups_with(lr=0.05)(lambda o, g: o.SGD(g, lr=0.1, momentum=0.9))
ADAM_TWO_LRS = groups_with(lr=0.005)(lambda o, g: o.Adam(g, lr=0.01))


class Halving:
    """A callable object for LambdaLR (its __dict__ is what state_dict keeps)."""

    def __init__(self) -> None:
        self.every = 10

    def __call__(self, epoch: int) -> float:
        return 0.5 ** (epoch // self.every)


def chained(s: Any, opt: Any) -> Any:
    """Two schedulers on one optimizer: the recursive forms compose."""

    class Both:
        def __init__(self) -> None:
            self.a = s.ExponentialLR(opt, gamma=0.97)
            self.b = s.StepLR(opt, step_size=9, gamma=0.5)

        def step(self) -> None:
            self.a.step()
            self.b.step()

        def get_last_lr(self) -> list:
            return self.b.get_last_lr()

    return Both()


SCHEDULERS: dict[str, tuple[Callable, Callable]] = {
    "StepLR(step_size=7, gamma=0.5)": (
        SGD_TWO_LRS,
        lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    ),
    "StepLR(step_size=1)": (SGD_TWO_LRS, lambda s, o: s.StepLR(o, step_size=1)),
    "MultiStepLR([5, 12, 12, 30], gamma=0.3)": (
        SGD_TWO_LRS,
        lambda s, o: s.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    ),
    "MultiStepLR([0, 20])": (SGD_TWO_LRS, lambda s, o: s.MultiStepLR(o, milestones=[0, 20])),
    "ExponentialLR(gamma=0.93)": (SGD_TWO_LRS, lambda s, o: s.ExponentialLR(o, gamma=0.93)),
    "CosineAnnealingLR(T_max=10, eta_min=0.001) (5 periods)": (
        SGD_TWO_LRS,
        lambda s, o: s.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    ),
    "CosineAnnealingLR(T_max=50)": (SGD_TWO_LRS, lambda s, o: s.CosineAnnealingLR(o, T_max=50)),
    "CosineAnnealingLR(T_max=7, eta_min=0.01) Adam": (
        ADAM_TWO_LRS,
        lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    ),
    "LambdaLR(0.95**epoch)": (SGD_TWO_LRS, lambda s, o: s.LambdaLR(o, lambda e: 0.95**e)),
    "LambdaLR([fn, callable object])": (
        SGD_TWO_LRS,
        lambda s, o: s.LambdaLR(o, [lambda e: 1 / (1 + e), Halving()]),
    ),
    "LinearLR()": (SGD_TWO_LRS, lambda s, o: s.LinearLR(o)),
    "LinearLR(start=0.25, end=0.9, total_iters=20)": (
        SGD_TWO_LRS,
        lambda s, o: s.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=20),
    ),
    "LinearLR(start=1.0, end=0.1, total_iters=30)": (
        ADAM_TWO_LRS,
        lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=30),
    ),
    "OneCycleLR(max_lr=[0.5, 0.2], total_steps=50) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=50),
    ),
    "OneCycleLR(three_phase, linear, epochs=5 x 10) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.OneCycleLR(
            o, max_lr=0.3, epochs=5, steps_per_epoch=10, three_phase=True, anneal_strategy="linear"
        ),
    ),
    "OneCycleLR(pct_start=0.45, div=10, final_div=100) Adam (beta1)": (
        ADAM_TWO_LRS,
        lambda s, o: s.OneCycleLR(
            o, max_lr=0.02, total_steps=60, pct_start=0.45, div_factor=10.0, final_div_factor=100.0
        ),
    ),
    "OneCycleLR(three_phase, base/max momentum lists) Adam": (
        ADAM_TWO_LRS,
        lambda s, o: s.OneCycleLR(
            o,
            max_lr=0.02,
            total_steps=50,
            three_phase=True,
            base_momentum=[0.8, 0.7],
            max_momentum=[0.9, 0.95],
        ),
    ),
    "OneCycleLR(cycle_momentum=False) Adagrad": (
        groups_with(lr=0.05)(lambda o, g: o.Adagrad(g, lr=0.1)),
        lambda s, o: s.OneCycleLR(o, max_lr=0.4, total_steps=50, cycle_momentum=False),
    ),
    "SequentialLR(LinearLR warm-up 5, CosineAnnealingLR 20) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.SequentialLR(
            o, [s.LinearLR(o, start_factor=0.1, total_iters=5), s.CosineAnnealingLR(o, 20)], [5]
        ),
    ),
    "SequentialLR(ExponentialLR, StepLR, CosineAnnealingLR; milestones 7, 19) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.SequentialLR(
            o,
            [s.ExponentialLR(o, 0.9), s.StepLR(o, 3, 0.5), s.CosineAnnealingLR(o, 9, 0.01)],
            [7, 19],
        ),
    ),
    "ChainedScheduler(ExponentialLR(0.95), StepLR(4, 0.5)) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.ChainedScheduler([s.ExponentialLR(o, 0.95), s.StepLR(o, 4, 0.5)]),
    ),
    "OneCycleLR RMSprop (momentum cycled)": (
        groups_with(lr=0.002)(lambda o, g: o.RMSprop(g, lr=0.005, momentum=0.5)),
        lambda s, o: s.OneCycleLR(o, max_lr=0.01, total_steps=50),
    ),
    "ExponentialLR(0.97) + StepLR(9, 0.5) chained": (SGD_TWO_LRS, chained),
    "ConstantLR(factor=0.25, total_iters=6)": (
        SGD_TWO_LRS,
        lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=6),
    ),
    "PolynomialLR(total_iters=30, power=2.0)": (
        SGD_TWO_LRS,
        lambda s, o: s.PolynomialLR(o, total_iters=30, power=2.0),
    ),
    "MultiplicativeLR([0.95, callable object])": (
        SGD_TWO_LRS,
        lambda s, o: s.MultiplicativeLR(o, [lambda e: 0.95, Halving()]),
    ),
    "CosineAnnealingWarmRestarts(T_0=4, T_mult=2, eta_min=0.001)": (
        SGD_TWO_LRS,
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.001),
    ),
    "CosineAnnealingWarmRestarts(T_0=7) Adam": (
        ADAM_TWO_LRS,
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7),
    ),
    "CyclicLR(triangular2, up 4, down 6) SGD (momentum cycled)": (
        SGD_TWO_LRS,
        lambda s, o: s.CyclicLR(
            o, [0.01, 0.005], [0.2, 0.1], step_size_up=4, step_size_down=6, mode="triangular2"
        ),
    ),
    "CyclicLR(exp_range, gamma=0.97) Adam (beta1 cycled)": (
        ADAM_TWO_LRS,
        lambda s, o: s.CyclicLR(
            o, 0.001, 0.02, step_size_up=5, mode="exp_range", gamma=0.97, base_momentum=0.85
        ),
    ),
    "CyclicLR(cycle_momentum=False) Adagrad": (
        groups_with(lr=0.05)(lambda o, g: o.Adagrad(g, lr=0.1)),
        lambda s, o: s.CyclicLR(o, 0.01, 0.3, step_size_up=3, cycle_momentum=False),
    ),
    "SequentialLR(ConstantLR warm-up 3, CosineAnnealingWarmRestarts(4, 2)) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.SequentialLR(
            o, [s.ConstantLR(o, 0.1, 3), s.CosineAnnealingWarmRestarts(o, 4, 2)], [3]
        ),
    ),
    "ChainedScheduler(PolynomialLR(40, 0.5), MultiplicativeLR(0.98)) SGD": (
        SGD_TWO_LRS,
        lambda s, o: s.ChainedScheduler(
            [s.PolynomialLR(o, 40, 0.5), s.MultiplicativeLR(o, lambda e: 0.98)]
        ),
    ),
}

# ReduceLROnPlateau gets a metric sequence with improvements, plateaus and noise.
_m = 1.0 / (1.0 + np.arange(STEPS) * 0.1)
_m[10:25] = _m[10]
_m[30:] = _m[30] + 0.001 * np.sin(np.arange(STEPS - 30))
METRICS = [float(v) for v in _m]
PLATEAU: dict[str, tuple[Callable, Callable, list]] = {
    "ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1, min_lr=[0.01, 0.001])": (
        SGD_TWO_LRS,
        lambda s, o: s.ReduceLROnPlateau(
            o, patience=2, factor=0.5, cooldown=1, min_lr=[0.01, 0.001]
        ),
        METRICS,
    ),
    "ReduceLROnPlateau(mode=max, threshold_mode=abs, threshold=0.01, patience=0)": (
        SGD_TWO_LRS,
        lambda s, o: s.ReduceLROnPlateau(
            o, mode="max", threshold_mode="abs", threshold=0.01, patience=0
        ),
        [-v for v in METRICS],
    ),
    "ReduceLROnPlateau(defaults, patience=3, eps=0.004) Adam": (
        ADAM_TWO_LRS,
        lambda s, o: s.ReduceLROnPlateau(o, patience=3, eps=0.004),
        METRICS,
    ),
}


def main() -> None:
    torch.set_default_dtype(torch.float64)
    print(f"compare_torch_optim: torch {torch.__version__}, {STEPS} steps each, float64")
    print("-- optimizers")
    for name, make in OPTIMIZERS.items():
        run(name, make)
    print("-- schedulers (each also compares the optimizer it drives)")
    for name, (make, sched) in SCHEDULERS.items():
        run(name, make, sched)
    for name, (make, sched, metrics) in PLATEAU.items():
        run(name, make, sched, metrics)
    total = len(OPTIMIZERS) + len(SCHEDULERS) + len(PLATEAU)
    if failures:
        print(f"\n{len(failures)} of {total} trajectories differ from PyTorch:")
        for name in failures:
            print(f"  {name}")
        sys.exit(1)
    print(f"\nall {total} trajectories match PyTorch")


if __name__ == "__main__":
    main()
