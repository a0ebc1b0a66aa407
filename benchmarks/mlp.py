"""Time one training step of a mid-sized MLP, where the arithmetic dominates.

    784 -> Linear(1024) -> BatchNorm1d -> ReLU -> Dropout(0.1)
        -> Linear(1024) -> BatchNorm1d -> ReLU -> Dropout(0.1) -> Linear(10)
cross-entropy on integer labels, batch 512, float32, SGD with momentum 0.9.

The step is timed with tinygrad_mlp (nn / functional / optim), with the same step written
by hand in NumPy (forward, manual backward with BatchNorm's fused gradient, the momentum
update in place) in the same run, and with PyTorch eager if torch imports. Target:
tinygrad_mlp at most 1.15x the hand-written step.

Before timing, the script checks the hand-written step: from the same initial weights and
the same dropout masks, both must give the same loss, the same updated weights and the same
BatchNorm running statistics (float32 tolerance) over two steps (the second one uses the
momentum buffers); otherwise it stops with an error.

Run:  python benchmarks/mlp.py [--repeats 5] [--steps 3] [--profile]
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
    peak_memory,
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

SIZES = (784, 1024, 1024, 10)
BATCH = 512
LR = 0.01
MOMENTUM = 0.9  # SGD
P = 0.1  # dropout
EPS = 1e-5  # BatchNorm eps
BN_MOMENTUM = 0.1  # BatchNorm running statistics
LINEARS = ("0", "4", "8")  # state-dict prefixes of the Sequential below
BNS = ("1", "5")


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return x, y


def build_tg(p: float = P) -> Any:
    a, b, c, d = SIZES
    return nn.Sequential(
        nn.Linear(a, b),
        nn.BatchNorm1d(b),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(b, c),
        nn.BatchNorm1d(c),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(c, d),
    )


def make_tg_step(model: Any, x: np.ndarray, y: np.ndarray) -> Any:
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    xt = tg.Tensor(x)

    def step() -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(xt), y)
        loss.backward()
        opt.step()
        return loss

    return step


# --------------------------------------------------------------------------- NumPy, by hand
class NumpyMLP:
    """The same network and step, written by hand in NumPy (float32)."""

    def __init__(self, state: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, p: float = P):
        self.s = {k: np.array(v) for k, v in state.items()}  # copies
        self.buf: dict[str, np.ndarray] = {}  # momentum buffers
        self.x, self.y, self.p = x, y, p
        self.onehot = np.zeros((len(y), SIZES[-1]), np.float32)
        self.onehot[np.arange(len(y)), y] = 1

    def _bn_forward(self, h: np.ndarray, name: str) -> tuple:
        s = self.s
        n = h.shape[0]
        mu = h.mean(0)
        xc = h - mu
        var = (xc * xc).mean(0)
        inv = 1 / np.sqrt(var + np.float32(EPS))
        xhat = xc * inv
        out = xhat * s[name + ".weight"] + s[name + ".bias"]
        rm, rv = s[name + ".running_mean"], s[name + ".running_var"]
        rm *= np.float32(1 - BN_MOMENTUM)
        rm += np.float32(BN_MOMENTUM) * mu
        rv *= np.float32(1 - BN_MOMENTUM)
        rv += np.float32(BN_MOMENTUM * n / (n - 1)) * var
        return out, xhat, inv

    def _bn_backward(self, dy: np.ndarray, xhat: np.ndarray, inv: np.ndarray, name: str):
        """Fused BatchNorm gradient: dh = inv / n * (n dxhat - sum dxhat - xhat sum dxhat xhat)."""
        n = dy.shape[0]
        grads = {name + ".weight": (dy * xhat).sum(0), name + ".bias": dy.sum(0)}
        dxhat = dy * self.s[name + ".weight"]
        dh = dxhat * np.float32(n)
        dh -= dxhat.sum(0)
        dh -= xhat * (dxhat * xhat).sum(0)
        dh *= inv / np.float32(n)
        return dh, grads

    def step(self) -> float:
        s, x, y, p = self.s, self.x, self.y, self.p
        n = x.shape[0]
        W1, b1, W2, b2, W3, b3 = (s[f"{i}.{k}"] for i in LINEARS for k in ("weight", "bias"))
        # forward
        h1 = x @ W1.T + b1
        z1, xhat1, inv1 = self._bn_forward(h1, BNS[0])
        m1 = dropout_mask(z1.shape, p)
        relu1 = z1 > 0
        a1 = np.maximum(z1, 0) * m1
        h2 = a1 @ W2.T + b2
        z2, xhat2, inv2 = self._bn_forward(h2, BNS[1])
        m2 = dropout_mask(z2.shape, p)
        relu2 = z2 > 0
        a2 = np.maximum(z2, 0) * m2
        logits = a2 @ W3.T + b3
        shifted = logits - logits.max(1, keepdims=True)
        e = np.exp(shifted)
        se = e.sum(1, keepdims=True)
        loss = (np.log(se[:, 0]) - shifted[np.arange(n), y]).mean()
        # backward
        dlog = (e / se - self.onehot) / np.float32(n)
        g = {"8.weight": dlog.T @ a2, "8.bias": dlog.sum(0)}
        dz2 = (dlog @ W3) * m2 * relu2
        dh2, gbn = self._bn_backward(dz2, xhat2, inv2, BNS[1])
        g.update(gbn)
        g["4.weight"], g["4.bias"] = dh2.T @ a1, dh2.sum(0)
        dz1 = (dh2 @ W2) * m1 * relu1
        dh1, gbn = self._bn_backward(dz1, xhat1, inv1, BNS[0])
        g.update(gbn)
        g["0.weight"], g["0.bias"] = dh1.T @ x, dh1.sum(0)
        # SGD with momentum, PyTorch's rule: buf = momentum * buf + g (buf = g at first);
        # w -= lr * buf
        lr, mom = np.float32(LR), np.float32(MOMENTUM)
        for name, grad in g.items():
            buf = self.buf.get(name)
            if buf is None:
                buf = self.buf[name] = grad.copy()
            else:
                buf *= mom
                buf += grad
            s[name] -= lr * buf
        return float(loss)


# --------------------------------------------------------------------------- check
def check(p: float, steps: int = 2) -> list[str]:
    """Run `steps` steps both ways from the same weights and masks; list the mismatches."""
    x, y = data()
    tg.manual_seed(0)
    model = build_tg(p)
    ref = NumpyMLP(model.state_dict(), x, y, p)
    return check_steps(model, make_tg_step(model, x, y), ref.step, ref.s, steps, 2e-3)


def _fresh_tg(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
    tg.manual_seed(0)
    model = build_tg()
    return model, make_tg_step(model, x, y)


def make_torch_step(torch: Any, state: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray):
    tnn = torch.nn
    a, b, c, d = SIZES
    model = tnn.Sequential(
        tnn.Linear(a, b),
        tnn.BatchNorm1d(b),
        tnn.ReLU(),
        tnn.Dropout(P),
        tnn.Linear(b, c),
        tnn.BatchNorm1d(c),
        tnn.ReLU(),
        tnn.Dropout(P),
        tnn.Linear(c, d),
    )
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    ce = torch.nn.functional.cross_entropy

    def step() -> Any:
        opt.zero_grad()
        loss = ce(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


# --------------------------------------------------------------------------- main
def timed_step(step: Any) -> float:
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0


def profile(step: Any, n: int) -> None:
    import cProfile
    import pstats

    pr = cProfile.Profile()
    for _ in range(n):
        pr.runcall(step)
    print(f"\n-- cProfile of {n} tinygrad_mlp steps (sorted by own time)")
    pstats.Stats(pr).sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="rounds over the implementations")
    ap.add_argument("--steps", type=int, default=3, help="steps of each per round (each timed)")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it imports")
    ap.add_argument("--profile", action="store_true", help="also cProfile the tinygrad_mlp step")
    ap.add_argument(
        "--compiled", action="store_true", help="also time the step compiled with tg.compile"
    )
    ap.add_argument("--memory", action="store_true", help="also measure each step's peak memory")
    args = ap.parse_args()
    torch = None if args.no_torch else try_import_torch()
    print(machine_header("benchmarks/mlp.py: one training step, 784-1024-1024-10, batch 512"))
    print(torch_line(torch))
    print(verify(check, P))

    x, y = data()
    tg.manual_seed(0)
    model = build_tg()
    state = {k: np.array(v) for k, v in model.state_dict().items()}
    impls = {"tinygrad_mlp": make_tg_step(model, x, y), "numpy (hand)": NumpyMLP(state, x, y).step}
    if args.compiled:
        print(check_compiled(lambda: _fresh_tg(x, y), 4))
        tg.manual_seed(0)
        impls["compiled"] = tg.compile(make_tg_step(build_tg(), x, y))
        impls["compiled"]()  # the second trace; replays from here on
    samples: dict[str, list] = {k: [] for k in impls}
    for step in impls.values():
        step()  # warm-up
    for _ in range(args.repeats):  # interleaved, so load from other users hits all alike
        for k, step in impls.items():
            samples[k] += [timed_step(step) for _ in range(args.steps)]
    if torch is not None:
        # Timed last, on its own: torch's idle OpenMP workers keep spinning for a while after
        # each step, which would slow a NumPy step run right after it.
        torch.manual_seed(0)
        step = make_torch_step(torch, state, x, y)
        step()
        samples["torch eager"] = [timed_step(step) for _ in range(args.repeats * args.steps)]

    n = args.repeats * args.steps
    print(f"\n-- milliseconds per training step ({n} steps of each)")
    stats = {k: Stats(v) for k, v in samples.items()}
    for k, s in stats.items():
        print(f"   {k:13s} {s.fmt(1e3, 'ms')}")
    base = stats["numpy (hand)"]
    for label, pick in (("best", lambda s: s.best), ("median", lambda s: s.median)):
        r = pick(stats["tinygrad_mlp"]) / pick(base)
        line = f"   ratio tinygrad_mlp / numpy ({label}): {r:.3f}x (target <= 1.15x: "
        line += "met)" if r <= 1.15 else "MISSED)"
        if torch is not None:
            vs = ratio(pick(stats["tinygrad_mlp"]), pick(stats["torch eager"]))
            line += f";  tinygrad_mlp / torch: {vs}"
        print(line)
        if args.compiled:
            r = pick(stats["compiled"]) / pick(base)
            line = f"   ratio compiled / numpy ({label}): {r:.3f}x (target <= 0.95x: "
            line += "met)" if r <= 0.95 else "MISSED)"
            print(line)
    if args.memory:
        peaks = {k: peak_memory(step) for k, step in impls.items() if k != "compiled"}
        if args.compiled:
            # a fresh compiled step, measured at its first replay: the buffers it keeps
            # between replays are allocated in that step, so they count
            tg.manual_seed(0)
            fresh = tg.compile(make_tg_step(build_tg(), x, y))
            fresh(), fresh()
            peaks["compiled"] = peak_memory(fresh)
        print("\n-- peak memory of one step (tracemalloc, above what was allocated before;")
        print("   the compiled step's at its first replay, which allocates its kept buffers)")
        for k, v in peaks.items():
            print(f"   {k:13s} {v / 2**20:8.1f} MiB  ({v / peaks['numpy (hand)']:.2f}x numpy)")
    if args.profile:
        profile(impls["tinygrad_mlp"], n)
        if args.compiled:
            profile_tape(impls["compiled"], n)


if __name__ == "__main__":
    main()
