"""Time one training step of the project's origin network on XOR.

The network, from the design note:
    2 -> Linear(4) -> ReLU -> BatchNorm1d(4) -> Dropout(0.5)
      -> Linear(4) -> ReLU -> Dropout(0.5) -> Linear(1) -> Sigmoid
loss = binary_cross_entropy(out, y) + lam * (||W1||^2 + ||W2||^2 + ||W3||^2), plain SGD,
full batch of the 4 XOR rows.

The step is timed three ways in the same run: with tinygrad_mlp (nn / functional / optim),
with a hand-written NumPy version of the same step (forward, a fused manual backward,
the update), and with PyTorch eager if torch imports. The arrays are tiny, so the time is
almost all per-operation overhead. Target: tinygrad_mlp at most 4x the hand-written step.

Before timing, the script checks that the hand-written step is right: from the same
initial weights and the same dropout masks, both implementations must give the same loss,
the same updated weights and the same BatchNorm running statistics (float32 tolerance),
over two steps; otherwise it stops with an error.

Run:  python benchmarks/train_xor.py [--steps 2000] [--repeats 7] [--profile]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from _common import (
    Stats,
    check_compiled,
    check_steps,
    dropout_mask,
    machine_header,
    profile_tape,
    ratio,
    torch_line,
    try_import_torch,
    verify,
)

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
import tinygrad_mlp.optim as optim

LR = 0.1
LAM = 1e-3
P = 0.5  # dropout probability
EPS = 1e-5  # BatchNorm eps
MOMENTUM = 0.1  # BatchNorm running-statistics momentum

X = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
Y = np.array([[0], [1], [0], [1]], dtype=np.float32)

# Parameter names in the state dict of the Sequential below (PyTorch's naming).
LINEARS = ("0", "4", "7")
BN = "2"


def build_tg(p: float = P) -> Any:
    return nn.Sequential(
        nn.Linear(2, 4),
        nn.ReLU(),
        nn.BatchNorm1d(4),
        nn.Dropout(p),
        nn.Linear(4, 4),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(4, 1),
        nn.Sigmoid(),
    )


def make_tg_step(model: Any, compiled: bool = False, onecycle: bool = False) -> Any:
    """One training step with tinygrad_mlp: returns a function that runs it and gives
    the loss Tensor (compiled with tg.compile if asked; with `onecycle`, a OneCycleLR
    scheduler is stepped after each call, outside it: a new lr at every step)."""
    opt = optim.SGD(model.parameters(), lr=LR)
    weights = [model[i].weight for i in (0, 4, 7)]
    x, y = tg.Tensor(X), tg.Tensor(Y)

    def step() -> Any:
        opt.zero_grad()
        out = model(x)
        loss = F.binary_cross_entropy(out, y) + F.l2_penalty(weights, LAM)
        loss.backward()
        opt.step()
        return loss

    run = tg.compile(step) if compiled else step
    if not onecycle:
        return run
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=10**8)

    def scheduled() -> Any:
        loss = run()
        sched.step()
        return loss

    scheduled.compiled = run  # type: ignore[attr-defined]  (for the profile)
    return scheduled


# --------------------------------------------------------------------------- NumPy, by hand
TINY = np.finfo(np.float32).tiny


def _clamped_log(p: np.ndarray) -> np.ndarray:
    """max(log(p), -100) without warnings at p = 0."""
    return np.where(p >= TINY, np.log(np.maximum(p, TINY)), np.float32(-100))


class NumpyXor:
    """The same network and step, written by hand in NumPy (float32)."""

    def __init__(self, state: dict[str, np.ndarray], p: float = P) -> None:
        self.s = {k: np.array(v) for k, v in state.items()}  # copies
        self.p = p

    def step(self) -> float:
        s, p = self.s, self.p
        W1, b1 = s["0.weight"], s["0.bias"]
        W2, b2 = s["4.weight"], s["4.bias"]
        W3, b3 = s["7.weight"], s["7.bias"]
        gamma, beta = s[BN + ".weight"], s[BN + ".bias"]
        n = X.shape[0]
        # forward
        h1 = X @ W1.T + b1
        r1 = np.maximum(h1, 0)
        mu = r1.mean(0)
        xc = r1 - mu
        var = (xc * xc).mean(0)
        inv = 1 / np.sqrt(var + np.float32(EPS))
        xhat = xc * inv
        m1 = dropout_mask(r1.shape, p)
        a1 = (gamma * xhat + beta) * m1
        h2 = a1 @ W2.T + b2
        m2 = dropout_mask(h2.shape, p)
        a2 = np.maximum(h2, 0) * m2
        h3 = a2 @ W3.T + b3
        out = np.exp(-np.logaddexp(0, -h3))  # sigmoid, without overflow
        l2 = (W1 * W1).sum() + (W2 * W2).sum() + (W3 * W3).sum()
        # log clamped at -100 as PyTorch does: the net saturates (out == 0 or 1 in float32)
        # after a few thousand steps of the timing loop
        bce = -(Y * _clamped_log(out) + (1 - Y) * _clamped_log(1 - out)).mean()
        loss = bce + np.float32(LAM) * l2
        # backward: sigmoid and BCE fused, d loss / d h3 = (out - Y) / n
        dh3 = (out - Y) / np.float32(n)
        dW3 = dh3.T @ a2 + np.float32(2 * LAM) * W3
        db3 = dh3.sum(0)
        dh2 = (dh3 @ W3) * m2 * (h2 > 0)
        dW2 = dh2.T @ a1 + np.float32(2 * LAM) * W2
        db2 = dh2.sum(0)
        dy = (dh2 @ W2) * m1  # d loss / d (gamma * xhat + beta)
        dgamma = (dy * xhat).sum(0)
        dbeta = dy.sum(0)
        dxhat = dy * gamma
        dr1 = inv / n * (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))
        dh1 = dr1 * (h1 > 0)
        dW1 = dh1.T @ X + np.float32(2 * LAM) * W1
        db1 = dh1.sum(0)
        # running statistics (unbiased variance), then plain SGD, in place
        rm, rv = s[BN + ".running_mean"], s[BN + ".running_var"]
        rm *= np.float32(1 - MOMENTUM)
        rm += np.float32(MOMENTUM) * mu
        rv *= np.float32(1 - MOMENTUM)
        rv += np.float32(MOMENTUM * n / (n - 1)) * var
        lr = np.float32(LR)
        for w, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
            w -= lr * g
        gamma -= lr * dgamma
        beta -= lr * dbeta
        return float(loss)


# --------------------------------------------------------------------------- check
def check(p: float, steps: int = 2) -> list[str]:
    """Run `steps` steps both ways from the same weights and masks; list the mismatches."""
    tg.manual_seed(0)
    model = build_tg(p)
    ref = NumpyXor(model.state_dict(), p)
    return check_steps(model, make_tg_step(model), ref.step, ref.s, steps, 1e-3)


def _fresh_tg() -> tuple[Any, Any]:
    tg.manual_seed(0)
    model = build_tg()
    return model, make_tg_step(model)


def make_torch_step(torch: Any, state: dict[str, np.ndarray]) -> Any:
    tnn = torch.nn
    model = tnn.Sequential(
        tnn.Linear(2, 4),
        tnn.ReLU(),
        tnn.BatchNorm1d(4),
        tnn.Dropout(P),
        tnn.Linear(4, 4),
        tnn.ReLU(),
        tnn.Dropout(P),
        tnn.Linear(4, 1),
        tnn.Sigmoid(),
    )
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    weights = [model[i].weight for i in (0, 4, 7)]
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    bce = torch.nn.functional.binary_cross_entropy

    def step() -> Any:
        opt.zero_grad()
        loss = bce(model(x), y) + LAM * sum((w * w).sum() for w in weights)
        loss.backward()
        opt.step()
        return loss

    return step


# --------------------------------------------------------------------------- main
def time_steps(step: Any, n: int) -> tuple[float, float]:
    """Seconds per step: wall-clock, and CPU time of this process (less disturbed when
    other programs compete for the cores; every implementation here runs on one thread)."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n


def profile(step: Any, n: int) -> None:
    import cProfile
    import pstats

    pr = cProfile.Profile()
    pr.runcall(time_steps, step, n)
    print(f"\n-- cProfile of {n} tinygrad_mlp steps (sorted by own time; cProfile inflates calls)")
    pstats.Stats(pr).sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=2000, help="steps per timed run")
    ap.add_argument("--repeats", type=int, default=7, help="timed runs of each implementation")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it imports")
    ap.add_argument("--profile", action="store_true", help="also cProfile the tinygrad_mlp step")
    ap.add_argument(
        "--compiled", action="store_true", help="also time the step compiled with tg.compile"
    )
    ap.add_argument(
        "--onecycle",
        action="store_true",
        help="step a OneCycleLR scheduler after every tinygrad_mlp step, eager and compiled "
        "(a new lr at every call; the hand-written and torch steps keep theirs fixed)",
    )
    ap.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="torch.set_num_threads (default 1: tiny tensors gain nothing from threads, and "
        "torch's idle worker threads spin and slow whatever runs next on a busy machine)",
    )
    args = ap.parse_args()
    torch = None if args.no_torch else try_import_torch()
    if torch is not None:
        torch.set_num_threads(args.torch_threads)
    print(machine_header("benchmarks/train_xor.py: one training step of the origin network"))
    print(torch_line(torch))
    print(verify(check, P))
    if args.compiled:
        print(check_compiled(_fresh_tg, 50))

    tg.manual_seed(0)
    model = build_tg()
    state = {k: np.array(v) for k, v in model.state_dict().items()}
    impls = {
        "tinygrad_mlp": make_tg_step(model, onecycle=args.onecycle),
        "numpy (hand)": NumpyXor(state).step,
    }
    if args.compiled:
        tg.manual_seed(0)
        impls["compiled"] = make_tg_step(build_tg(), compiled=True, onecycle=args.onecycle)
    if torch is not None:
        torch.manual_seed(0)
        impls["torch eager"] = make_torch_step(torch, state)
    samples: dict[str, list] = {k: [] for k in impls}
    for step in impls.values():
        time_steps(step, max(1, args.steps // 10))  # warm-up
    for _ in range(args.repeats):  # interleaved, so load from other users hits all alike
        for k, step in impls.items():
            samples[k].append(time_steps(step, args.steps))

    print(f"\n-- microseconds per training step ({args.steps} steps per run, {args.repeats} runs)")
    if args.onecycle:
        print("   (--onecycle: the tinygrad_mlp steps include OneCycleLR.step(); the others not)")
    wall = {k: Stats([w for w, _ in v]) for k, v in samples.items()}
    cpu = {k: Stats([c for _, c in v]) for k, v in samples.items()}
    for k in samples:
        print(f"   {k:13s} wall {wall[k].fmt()}")
        print(f"   {'':13s} cpu  {cpu[k].fmt()}")
    for label, stats in (("wall", wall), ("cpu", cpu)):
        r = stats["tinygrad_mlp"].best / stats["numpy (hand)"].best
        line = f"   ratio tinygrad_mlp / numpy ({label}, best runs): {r:.2f}x (target <= 4x: "
        line += "met)" if r <= 4 else "MISSED)"
        if torch is not None:
            vs = ratio(stats["tinygrad_mlp"].best, stats["torch eager"].best)
            line += f";  tinygrad_mlp / torch: {vs}"
        print(line)
        if args.compiled:
            r = stats["compiled"].best / stats["numpy (hand)"].best
            line = f"   ratio compiled / numpy ({label}, best runs): {r:.2f}x (target <= 1.0x: "
            line += "met)" if r <= 1.0 else "MISSED)"
            if torch is not None:
                r = stats["compiled"].best / stats["torch eager"].best
                line += f";  compiled / torch: {r:.2f}x (target <= 0.3x: "
                line += "met)" if r <= 0.3 else "MISSED)"
            print(line)
    if args.profile:
        profile(impls["tinygrad_mlp"], args.steps)
        if args.compiled:
            profile_tape(getattr(impls["compiled"], "compiled", impls["compiled"]), args.steps)


if __name__ == "__main__":
    main()
