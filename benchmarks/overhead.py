"""Per-operation overhead of the engine: long chains of small elementwise operations.

Three measurements, each against the same chain written in raw NumPy (a forward pass that
keeps what the backward needs, and a hand-written backward that walks those values in
reverse) in the same run, and against PyTorch eager when torch imports:

1. 1,000 elementwise ops on a 4x4 float32 tensor, forward + backward: microseconds per op.
   Here the arrays are tiny, so nearly all the time is Python bookkeeping per op.
   Target: at most 5 us per op forward + backward (PyTorch eager measured about 4.3 here).
2. The same chain on 256x256: the arithmetic starts to count.
3. A chain 1,000,000 ops deep on a scalar, forward + backward, in seconds. Target: < 10 s.

The chain repeats a cycle of ten ops, a mix seen in real models that keeps values bounded:
    x*0.9, +0.1, tanh, *y, exp, log, -z, sigmoid, *2, -1
where y and z are two more tensors that require gradients (their gradients accumulate
over the whole chain).

Run:  python benchmarks/overhead.py            (about a minute)
      python benchmarks/overhead.py --quick    (fewer repeats, a 100,000-deep chain)
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np
from _common import Stats, columns, machine_header, ratio, torch_line, try_import_torch

import tinygrad_mlp as tg

CYCLE = 10  # ops per cycle of the chain


# --------------------------------------------------------------------------- the chain
def chain_tg(x: tg.Tensor, y: tg.Tensor, z: tg.Tensor, n_ops: int) -> tg.Tensor:
    """The chain with tinygrad_mlp Tensors (records the graph)."""
    for _ in range(n_ops // CYCLE):
        x = (((((x * 0.9 + 0.1).tanh() * y).exp().log() - z).sigmoid()) * 2.0) - 1.0
    return x


def chain_torch(torch: Any, x: Any, y: Any, z: Any, n_ops: int) -> Any:
    """The same chain in PyTorch eager."""
    for _ in range(n_ops // CYCLE):
        x = (((((x * 0.9 + 0.1).tanh() * y).exp().log() - z).sigmoid()) * 2.0) - 1.0
    return x


def forward_np(x: np.ndarray, y: np.ndarray, z: np.ndarray, n_ops: int) -> tuple:
    """The chain in raw NumPy; returns the output and the values the backward needs
    (per cycle: tanh's output c, exp's output e, sigmoid's output h)."""
    tape = []
    for _ in range(n_ops // CYCLE):
        c = np.tanh(x * np.float32(0.9) + np.float32(0.1))
        e = np.exp(c * y)
        f = np.log(e)
        h = 1 / (1 + np.exp(-(f - z)))  # sigmoid: 4 ufunc calls, as in the engine
        x = h * np.float32(2.0) - np.float32(1.0)
        tape.append((c, e, h))
    return x, tape


def backward_np(gx: np.ndarray, y: np.ndarray, tape: list) -> tuple:
    """Hand-written backward of `forward_np`: walk the tape in reverse, op by op.
    Returns d/dx, d/dy, d/dz."""
    gy = np.zeros_like(y)
    gz = np.zeros_like(y)
    for c, e, h in reversed(tape):
        gh = gx * np.float32(2.0)  # x = h * 2 - 1
        gg = gh * h * (1 - h)  # h = sigmoid(g)
        gz = gz - gg  # g = f - z
        ge = gg / e  # f = log(e)
        gd = ge * e  # e = exp(d)
        gy = gy + gd * c  # d = c * y
        gc = gd * y
        gb = gc * (1 - c * c)  # c = tanh(b)
        gx = gb * np.float32(0.9)  # b = x * 0.9 + 0.1
    return gx, gy, gz


# --------------------------------------------------------------------------- runners
def inputs(shape: tuple, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    y = rng.uniform(0.5, 1.5, shape).astype(np.float32)
    z = rng.uniform(-0.5, 0.5, shape).astype(np.float32)
    return x, y, z


def run_tg(arrays: tuple, n_ops: int) -> tuple[float, float, tuple]:
    x, y, z = (tg.Tensor(a, requires_grad=True) for a in arrays)
    t0 = time.perf_counter()
    out = chain_tg(x, y, z, n_ops).sum()
    t1 = time.perf_counter()
    out.backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, (x.grad.data, y.grad.data, z.grad.data)


def run_np(arrays: tuple, n_ops: int) -> tuple[float, float, tuple]:
    x, y, z = arrays
    t0 = time.perf_counter()
    out, tape = forward_np(x, y, z, n_ops)
    out.sum()
    t1 = time.perf_counter()
    grads = backward_np(np.ones_like(out), y, tape)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, grads


def run_torch(torch: Any, arrays: tuple, n_ops: int) -> tuple[float, float, tuple]:
    x, y, z = (torch.tensor(a, requires_grad=True) for a in arrays)
    t0 = time.perf_counter()
    out = chain_torch(torch, x, y, z, n_ops).sum()
    t1 = time.perf_counter()
    out.backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, (x.grad.numpy(), y.grad.numpy(), z.grad.numpy())


def check_same(name: str, got: tuple, want: tuple, rtol: float = 1e-3) -> None:
    """Stop if an implementation's gradients differ from the NumPy reference's."""
    for label, g, w in zip("xyz", got, want):
        scale = max(float(np.abs(w).max()), 1e-6)
        err = float(np.abs(np.asarray(g, np.float64) - w).max()) / scale
        if not err <= rtol:
            sys.exit(f"{name}: d/d{label} differs from the NumPy reference (rel. error {err:.2e})")


def bench_chain(shape: tuple, n_ops: int, repeats: int, torch: Any) -> dict:
    """Time the chain on `shape` in each implementation; print per-op figures."""
    arrays = inputs(shape)
    want = run_np(arrays, n_ops)[2]
    check_same("tinygrad_mlp", run_tg(arrays, n_ops)[2], want)
    impls: dict[str, Any] = {
        "tinygrad_mlp": lambda: run_tg(arrays, n_ops)[:2],
        "numpy (hand)": lambda: run_np(arrays, n_ops)[:2],
    }
    if torch is not None:
        check_same("torch", run_torch(torch, arrays, n_ops)[2], want)
        impls["torch eager"] = lambda: run_torch(torch, arrays, n_ops)[:2]
    # Interleave the implementations, so that a burst of load from other users of the
    # machine hits all of them rather than one.
    samples: dict[str, list] = {k: [] for k in impls}
    cpu: dict[str, list] = {k: [] for k in impls}  # CPU time of forward + backward
    for fn in impls.values():
        fn()  # warm-up
    for _ in range(repeats):
        for k, fn in impls.items():
            c0 = time.process_time()
            samples[k].append(fn())
            cpu[k].append(time.process_time() - c0)
    print(f"\n-- chain of {n_ops} elementwise ops on {'x'.join(map(str, shape))} float32")
    print("   per op, microseconds (best / median / worst of the runs); wall-clock, and the")
    print("   process's CPU time for forward + backward, which other programs disturb less:")
    best = {}
    for k, s in samples.items():
        fwd, bwd = columns(s)
        tot = Stats([f + b for f, b in s])
        scale = 1e6 / n_ops
        best[k] = tot.best * scale
        print(f"   {k:13s} forward  {fwd.fmt(scale)}")
        print(f"   {'':13s} backward {bwd.fmt(scale)}")
        print(f"   {'':13s} total    {tot.fmt(scale)}")
        print(f"   {'':13s} cpu      {Stats(cpu[k]).fmt(scale)}")
    base = best["numpy (hand)"]
    line = f"   ratio tinygrad_mlp / numpy (best totals): {ratio(best['tinygrad_mlp'], base)}"
    if "torch eager" in best:
        line += f";  tinygrad_mlp / torch: {ratio(best['tinygrad_mlp'], best['torch eager'])}"
    print(line)
    return best


def bench_deep(depth: int, repeats: int) -> Stats:
    """Forward + backward of a scalar chain `depth` ops deep, in seconds."""
    arrays = inputs(())
    print(f"\n-- chain {depth:,} ops deep on a scalar (float32), forward + backward, seconds")
    samples: dict[str, list] = {"tinygrad_mlp": [], "numpy (hand)": []}
    cpu: dict[str, list] = {"tinygrad_mlp": [], "numpy (hand)": []}
    for _ in range(repeats):
        c0 = time.process_time()
        f, b, grads = run_tg(arrays, depth)
        c1 = time.process_time()
        f2, b2, want = run_np(arrays, depth)
        c2 = time.process_time()
        samples["tinygrad_mlp"].append((f, b))
        samples["numpy (hand)"].append((f2, b2))
        cpu["tinygrad_mlp"].append(c1 - c0)
        cpu["numpy (hand)"].append(c2 - c1)
        check_same("tinygrad_mlp (deep)", grads, want)
        del grads, want
    for name, s in samples.items():
        fwd, bwd = columns(s)
        tot = Stats([f + b for f, b in s])
        print(f"   {name:13s} forward  {fwd.fmt(1, 's')}")
        print(f"   {'':13s} backward {bwd.fmt(1, 's')}")
        print(f"   {'':13s} total    {tot.fmt(1, 's')}")
        print(f"   {'':13s} cpu      {Stats(cpu[name]).fmt(1, 's')}")
    np_samples = samples["numpy (hand)"]
    samples = samples["tinygrad_mlp"]
    tg_tot = Stats([f + b for f, b in samples])
    np_tot = Stats([f + b for f, b in np_samples])
    print(f"   ratio tinygrad_mlp / numpy (best totals): {ratio(tg_tot.best, np_tot.best)}")
    return tg_tot


def profile(n_ops: int) -> None:
    """cProfile 20 runs of the 4x4 chain through tinygrad_mlp (own time; the profiler
    inflates every function call, so read the ranking, not the absolute numbers)."""
    import cProfile
    import pstats

    arrays = inputs((4, 4))
    pr = cProfile.Profile()
    pr.runcall(lambda: [run_tg(arrays, n_ops) for _ in range(20)])
    print(f"\n-- cProfile of 20 chains of {n_ops} ops on 4x4 (sorted by own time)")
    pstats.Stats(pr).sort_stats("tottime").print_stats(15)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ops", type=int, default=1000, help="ops per chain (multiple of 10)")
    p.add_argument("--repeats", type=int, default=15, help="timed runs of each small chain")
    p.add_argument("--depth", type=int, default=1_000_000, help="ops in the deep chain")
    p.add_argument("--deep-repeats", type=int, default=3, help="timed runs of the deep chain")
    p.add_argument("--quick", action="store_true", help="5 repeats, a 100,000-deep chain")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it imports")
    p.add_argument("--profile", action="store_true", help="also cProfile the 4x4 chain")
    p.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="torch.set_num_threads (default 1: tiny tensors gain nothing from threads, and "
        "torch's idle worker threads spin and slow whatever runs next on a busy machine)",
    )
    args = p.parse_args()
    if args.quick:
        args.repeats, args.depth, args.deep_repeats = 5, 100_000, 1
    if args.ops % CYCLE or args.depth % CYCLE:
        p.error(f"--ops and --depth must be multiples of {CYCLE}")
    torch = None if args.no_torch else try_import_torch()
    if torch is not None:
        torch.set_num_threads(args.torch_threads)
    print(machine_header("benchmarks/overhead.py: per-op overhead of the engine"))
    print(torch_line(torch))

    small = bench_chain((4, 4), args.ops, args.repeats, torch)
    bench_chain((256, 256), args.ops, max(3, args.repeats // 3), torch)
    deep = bench_deep(args.depth, args.deep_repeats)

    if args.profile:
        profile(args.ops)

    print("\n-- targets")
    ok = small["tinygrad_mlp"] <= 5.0
    print(
        f"   4x4 chain of {args.ops} ops, forward+backward per op: {small['tinygrad_mlp']:.2f} us "
        "(target <= 5 us): "
        f"{'met' if ok else 'MISSED'}"
    )
    ok = deep.best < 10.0 * args.depth / 1_000_000
    print(
        f"   {args.depth:,}-deep chain: {deep.best:.2f} s "
        f"(target < {10.0 * args.depth / 1_000_000:g} s): {'met' if ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
