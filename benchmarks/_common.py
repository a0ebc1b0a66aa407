"""Helpers shared by the benchmark scripts: repeated timing, summary lines, machine facts.

The machine is shared, so every figure is measured several times: the scripts print the
best (least disturbed) run, the median and the worst, and compare implementations by
their best runs.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# The checkout these scripts are in is the one measured, also where another is installed
# (a `git worktree` of an older commit, for a before/after comparison): first on the path.
CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path[:1] != [CHECKOUT]:
    sys.path.insert(0, CHECKOUT)


class Stats:
    """best / median / worst of repeated measurements (seconds), scaled for printing."""

    def __init__(self, samples: Sequence[float]) -> None:
        self.samples = sorted(samples)
        self.best = self.samples[0]
        self.median = statistics.median(self.samples)
        self.worst = self.samples[-1]

    def spread(self) -> float:
        """(median - best) / best: how far a typical run sits above the best one."""
        return (self.median - self.best) / self.best if self.best > 0 else 0.0

    def fmt(self, scale: float = 1e6, unit: str = "us", digits: int = 2) -> str:
        b, m, w = (v * scale for v in (self.best, self.median, self.worst))
        return (
            f"best {b:.{digits}f} {unit}  median {m:.{digits}f}  worst {w:.{digits}f}"
            f"  (median +{100 * self.spread():.0f}% over best, n={len(self.samples)})"
        )


def columns(samples: Sequence[Sequence[float]]) -> list[Stats]:
    """Stats for each position of tuple-valued samples: [(f, b), (f, b), ...] -> [Sf, Sb]."""
    return [Stats(col) for col in zip(*samples)]


def try_import_torch() -> Any:
    """torch if it imports, else None (torch is optional everywhere here)."""
    try:
        import torch
    except Exception:
        return None
    return torch


def blas_info() -> str:
    """Which BLAS NumPy uses, and which kernel it runs (threadpoolctl, when installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        cfg = np.show_config(mode="dicts") if _show_config_has_mode() else {}
        blas = cfg.get("Build Dependencies", {}).get("blas", {}) if cfg else {}
        return f"{blas.get('name', '?')} {blas.get('version', '?')} (threadpoolctl not installed)"
    parts = []
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            parts.append(
                f"{lib.get('internal_api')} {lib.get('version')} kernel={lib.get('architecture')}"
                f" threads={lib.get('num_threads')}"
            )
    return "; ".join(parts) or "no BLAS found by threadpoolctl"


def _show_config_has_mode() -> bool:
    try:
        np.show_config(mode="dicts")
    except TypeError:
        return False
    return True


def machine_header(title: str) -> str:
    """Lines that say what was measured where: date, cores, CPU, NumPy, BLAS, env vars."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"== {title}",
        f"date {time.strftime('%Y-%m-%d %H:%M')}  nproc {os.cpu_count()}  cpu {cpu}"
        f"  load(1 min) {load:.2f}",
        f"python {platform.python_version()}  numpy {np.__version__}  BLAS {blas_info()}",
        f"OPENBLAS env: {env or 'unset'}",
        f"tinygrad_mlp from {os.path.dirname(importlib.util.find_spec('tinygrad_mlp').origin)}",
    ]
    return "\n".join(lines)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "inf"


def dropout_mask(shape: tuple, p: float) -> np.ndarray:
    """A scaled keep-mask (keep / (1 - p), float32) for a hand-written NumPy step, drawn from
    the package's generator the way `nn.Dropout` draws its mask, so that after the same
    `tinygrad_mlp.manual_seed(n)` both implementations drop the same units."""
    from tinygrad_mlp.random import generator

    if p == 0:
        return np.ones(shape, dtype=np.float32)
    keep = generator().random(shape) >= p
    return keep.astype(np.float32) / np.float32(1 - p)


def compare(
    what: str,
    got: np.ndarray,
    want: np.ndarray,
    before: np.ndarray | None,
    rtol: float,
    floor: float = 0.0,
) -> str:
    """'' if `got` matches `want` to float32 accuracy, else what differs.

    The values are compared with a small tolerance. For a parameter (`before` given) the
    update `got - before` is compared with `want - before` too, which is far stricter: it
    must agree to `rtol` of the update's largest entry, plus two float32 spacings of the
    parameter (an update cannot be stored more finely than that), plus `floor` (for
    gradients that are zero in exact arithmetic, e.g. a bias just before a BatchNorm,
    where both sides hold rounding noise).
    """
    got64, want64 = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got64.shape != want64.shape:
        return f"{what}: shape {got64.shape} vs {want64.shape}"
    if not np.allclose(got64, want64, rtol=1e-4, atol=1e-5):
        return f"{what}: max abs difference {np.abs(got64 - want64).max():.3e}"
    if before is not None:
        du, dw = got64 - before, want64 - before
        tol = rtol * np.abs(dw).max() + 2 * np.spacing(np.abs(want).astype(np.float32))
        tol = tol + floor
        bad = np.abs(du - dw) > tol
        if bad.any():
            i = np.unravel_index(np.argmax(np.abs(du - dw) - tol), du.shape)
            return (
                f"{what}: update {du[i]:.6e} vs hand-written {dw[i]:.6e} at index {i} "
                f"(largest update {np.abs(dw).max():.3e})"
            )
    return ""


def check_steps(
    model: Any,
    tg_step: Callable[[], Any],
    ref_step: Callable[[], float],
    ref_state: dict[str, np.ndarray],
    steps: int,
    rtol: float,
) -> list[str]:
    """Run `steps` training steps with tinygrad_mlp (`tg_step`, returns the loss Tensor) and
    by hand (`ref_step`, returns the loss and updates `ref_state` in place), reseeding the
    package's generator before each so both draw the same dropout masks. Returns a list of
    mismatches (losses, parameters, BatchNorm running statistics); empty when all agree."""
    import tinygrad_mlp as tg

    problems = []
    for k in range(steps):
        before = {n: np.array(v, np.float64) for n, v in model.state_dict().items()}
        tg.manual_seed(100 + k)
        loss_tg = float(tg_step().item())
        tg.manual_seed(100 + k)
        loss_np = ref_step()
        if not np.isclose(loss_tg, loss_np, rtol=1e-5, atol=1e-6):
            problems.append(f"step {k}: loss {loss_tg!r} vs hand-written {loss_np!r}")
        state = model.state_dict()
        params = [n for n in state if "running" not in n and "num_batches" not in n]
        missing = [n for n in params if n not in ref_state]
        if missing:
            return problems + [f"state-dict entries the reference lacks: {missing}"]
        largest = max(float(np.abs(ref_state[n] - before[n]).max()) for n in params)
        for name, got in state.items():
            if name.endswith("num_batches_tracked"):
                continue
            is_param = name in params
            msg = compare(
                name,
                got,
                ref_state[name],
                before[name] if is_param else None,
                rtol,
                floor=1e-5 * largest,
            )
            if msg:
                problems.append(f"step {k}: {msg}")
    return problems


def verify(check: Callable[[float], list[str]], p: float) -> str:
    """Stop unless the hand-written step matches tinygrad_mlp's (`check(p)` lists the
    differences); fall back to dropout off if the masks did not line up. Says how it was
    checked."""
    problems = check(p)
    if not problems:
        return f"hand-written step == tinygrad_mlp step (2 steps, shared dropout masks, p={p})"
    zero = check(0.0)
    if zero:
        sys.exit("hand-written NumPy step disagrees with tinygrad_mlp:\n  " + "\n  ".join(zero))
    return (
        f"hand-written step == tinygrad_mlp step with dropout DISABLED (p=0); with p={p} the "
        "masks did not line up: " + problems[0]
    )


def torch_line(torch: Any) -> str:
    if torch is None:
        return "torch: not imported (optional)"
    return f"torch: {torch.__version__} eager, CPU, {torch.get_num_threads()} thread(s)"


def check_compiled(make: Callable[[], tuple[Any, Callable[[], Any]]], steps: int) -> str:
    """Run `steps` steps eagerly and compiled (`tg.compile`) from the same weights and the
    same seeds (`make()` gives a fresh (model, step)); stop unless every loss and every
    state-dict entry is bit-identical. Says how it was checked."""
    import tinygrad_mlp as tg

    m1, s1 = make()
    m2, s2 = make()
    compiled = tg.compile(s2)
    for k in range(steps):
        tg.manual_seed(200 + k)
        a = s1()
        tg.manual_seed(200 + k)
        b = compiled()
        if not np.array_equal(a.data, b.data):
            sys.exit(f"compiled step {k}: loss {b.item()!r}, eager {a.item()!r}")
    for (name, v1), v2 in zip(m1.state_dict().items(), m2.state_dict().values()):
        if not np.array_equal(v1, v2):
            sys.exit(f"compiled step: {name} differs from the eager step's after {steps} steps")
    return (
        f"compiled step == eager step, bit for bit ({steps} steps: losses, weights, running "
        f"statistics; {compiled.replays} of them replayed)"
    )


def peak_memory(step: Callable[[], Any]) -> int:
    """Bytes allocated at the peak of one call of `step` above what was allocated before
    (NumPy reports its arrays to tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def profile_tape(compiled: Any, n: int) -> None:
    """Where a replay's time goes: each step of the compiled function's tape timed on its
    own over `n` replays, summed by kind (forward and backward by primitive, the gradient
    sums, each effect), plus the guard; printed per replay."""

    tape, guard = next(iter(compiled.tapes.values()))[0]
    spent: dict[str, float] = {}
    timed = tape.timed(spent)  # the same replay, with a clock around each step
    clock = time.perf_counter
    for _ in range(n):
        t0 = clock()
        guard.holds()
        spent["guard"] = spent.get("guard", 0.0) + clock() - t0
        tape.run((), timed)
    total = sum(spent.values())
    print(
        f"\n-- where a replay's time goes ({n} replays, each step between two clock "
        "reads; us per replay)"
    )
    phases: dict[str, float] = {}
    for kind, t in spent.items():
        phase = kind.split(".")[-1] if "." in kind else kind.split()[0]
        phases[phase] = phases.get(phase, 0.0) + t
    for phase, t in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"   {phase:12s} {t / n * 1e6:10.1f}  ({100 * t / total:.0f}%)")
    print("   by step kind:")
    for kind, t in sorted(spent.items(), key=lambda kv: -kv[1])[:12]:
        print(f"   {kind:28s} {t / n * 1e6:10.1f}  ({100 * t / total:.0f}%)")
