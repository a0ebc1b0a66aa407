"""Count the instructions one step costs, with valgrind's callgrind: steadier than time.

On a shared VM, wall-clock times of the same code differ by 10-40% between runs, so a
change of a few percent cannot be seen in them. The number of instructions executed is
the same on every run of the same code (one BLAS thread, a fixed hash seed), so it shows
such a change. Each workload is run twice under callgrind, with few and with many
repetitions; the difference divided by the extra repetitions is the cost of one, without
the start-up (imports, building the model).

Workloads:
  xor        one eager training step of the origin network (benchmarks/train_xor.py)
  xor-phases the same, split: forward (with zero_grad), backward, optimizer step
  compiled   the same step under tg.compile (replayed)
  numpy      the hand-written NumPy step of train_xor.py
  chain      one op of benchmarks/overhead.py's 4x4 chain, forward + backward

The cyclic garbage collector runs when enough objects have been made, so a change that
makes a few objects more or less can move a collection into or out of the counted steps:
about +-1.5% on the XOR step. `--no-gc` switches it off for a comparison of the code alone.

`--split` also says where the instructions run: inside NumPy's compiled code (and the
BLAS and libm it calls), in the Python interpreter (libpython: bytecode, calls, objects),
or in the C library (malloc, memcpy). The NumPy share is what a step costs however little
Python drives it; what the interpreter costs is what a replay without Python could save.

`--tree DIR` measures another checkout (e.g. `git worktree add /tmp/old <commit>`), so a
before/after comparison runs the same workloads on both. Needs valgrind (apt-get install
valgrind); takes a minute or two per workload.

Run:  python benchmarks/instructions.py [xor chain ...] [--tree DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# Each workload: a program run as `python -c PROGRAM n` inside the tree's benchmarks/.
_XOR = """
import sys, train_xor as t, tinygrad_mlp as tg
import tinygrad_mlp.functional as F, tinygrad_mlp.optim as optim
n, phase = int(sys.argv[1]), sys.argv[2]
tg.manual_seed(0)
model = t.build_tg()
opt = optim.SGD(model.parameters(), lr=t.LR)
weights = [model[i].weight for i in (0, 4, 7)]
x, y = tg.Tensor(t.X), tg.Tensor(t.Y)
def step():
    opt.zero_grad()
    loss = F.binary_cross_entropy(model(x), y) + F.l2_penalty(weights, t.LAM)
    if phase == "f":
        return loss
    loss.backward()
    if phase == "fb":
        return loss
    opt.step()
    return loss
if phase == "compiled":
    phase, step = "full", tg.compile(step)
for _ in range(5 + n):
    step()
"""
_NUMPY = """
import sys, numpy as np, train_xor as t, tinygrad_mlp as tg
tg.manual_seed(0)
ref = t.NumpyXor({k: np.array(v) for k, v in t.build_tg().state_dict().items()})
for _ in range(5 + int(sys.argv[1])):
    ref.step()
"""
_CHAIN = """
import sys, numpy as np, overhead as o
rng = np.random.default_rng(0)
arrays = tuple(rng.uniform(0.5, 1.0, (4, 4)).astype(np.float32) for _ in range(3))
for _ in range(1 + int(sys.argv[1])):
    o.run_tg(arrays, 1000)
"""
# name -> (program, extra argv, (few, many) repetitions, units per repetition)
WORKLOADS = {
    "xor": (_XOR, ["full"], (20, 120), 1),
    "xor-forward": (_XOR, ["f"], (20, 120), 1),
    "xor-forward+backward": (_XOR, ["fb"], (20, 120), 1),
    "compiled": (_XOR, ["compiled"], (20, 120), 1),
    "numpy": (_NUMPY, [], (20, 120), 1),
    "chain": (_CHAIN, [], (1, 6), 1000),
}


def count(tree: Path, program: str, argv: list[str], reps: int, split: bool = False) -> Any:
    """Instructions of one run of `program` with `reps` repetitions, under callgrind (with
    `split`: a Counter of them by where they ran, see `_where`)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0", PYTHONPATH=str(tree))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out"]
        cmd += [sys.executable, "-c", program, str(reps), *argv]
        done = subprocess.run(cmd, cwd=tree / "benchmarks", env=env, capture_output=True, text=True)
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"callgrind run failed:\n{done.stderr[-2000:]}")
        if not split:
            return int(found.group(1))
        listing = subprocess.run(
            ["callgrind_annotate", "--threshold=100", f"{tmp}/out"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    by_place: Counter = Counter()
    for line in listing.splitlines():  # "  1,234 (0.1%)  file:function [/path/to/object]"
        m = re.match(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(\S+)(?:\s+\[(.+)\])?\s*$", line)
        if m and m.group(2) != "PROGRAM":  # no [object]: the executable, named by its file
            by_place[_where(m.group(3) or m.group(2))] += int(m.group(1).replace(",", ""))
    by_place["total"] = int(found.group(1))
    by_place["other"] = by_place["total"] - sum(
        by_place[k] for k in ("numpy", "interpreter", "libc")
    )
    return by_place


def _where(obj: str) -> str:
    """The part of the process an ELF object belongs to."""
    name = os.path.basename(obj)
    if "numpy" in obj or "openblas" in name or name.startswith("libm."):
        return "numpy"
    if "python" in name or "/Python-3" in obj:  # libpython, or the interpreter's sources
        return "interpreter"
    if name.startswith("libc."):
        return "libc"
    return "other"


def per_unit(tree: Path, name: str, no_gc: bool = False, split: bool = False) -> Any:
    """Instructions of one unit of the workload (with `split`: a dict of them by place)."""
    program, argv, (few, many), units = WORKLOADS[name]
    if no_gc:
        program = "import gc\ngc.disable()\n" + program
    # once outside callgrind first, so that both counted runs find the .pyc files written
    # (a run that compiles an edited module costs more, which the difference would keep)
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-c", program, "0", *argv]
    subprocess.run(cmd, cwd=tree / "benchmarks", env=env, capture_output=True, check=True)
    a, b = (count(tree, program, argv, reps, split) for reps in (few, many))
    if not split:
        return (b - a) / ((many - few) * units)
    return {k: (b[k] - a[k]) / ((many - few) * units) for k in b}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    choices = [*WORKLOADS, "xor-phases"]
    ap.add_argument("workloads", nargs="*", default=["xor", "chain"], choices=choices)
    ap.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to measure")
    ap.add_argument("--no-gc", action="store_true", help="count with the collector switched off")
    ap.add_argument("--split", action="store_true", help="where: NumPy, interpreter, libc")
    args = ap.parse_args()
    tree = args.tree.resolve()
    gc = " (garbage collector off)" if args.no_gc else ""
    print(f"== benchmarks/instructions.py: callgrind instruction counts of {tree}{gc}")
    for name in args.workloads:
        if name == "xor-phases":
            f = per_unit(tree, "xor-forward", args.no_gc)
            fb = per_unit(tree, "xor-forward+backward", args.no_gc)
            full = per_unit(tree, "xor", args.no_gc)
            print(
                f"   xor step phases: forward {f / 1e6:.3f}M  backward {(fb - f) / 1e6:.3f}M  "
                f"optimizer step {(full - fb) / 1e6:.3f}M  (total {full / 1e6:.3f}M)"
            )
            continue
        unit = "per op" if name == "chain" else "per step"
        if args.split:
            parts = per_unit(tree, name, args.no_gc, split=True)
            n = parts.pop("total")
            shown = "  ".join(
                f"{k} {_short(parts.get(k, 0))} ({parts.get(k, 0) / n:.0%})"
                for k in ("numpy", "interpreter", "libc", "other")
            )
            print(f"   {name:10s} {_short(n)} instructions {unit}: {shown}")
            continue
        n = per_unit(tree, name, args.no_gc)
        print(f"   {name:10s} {_short(n)} instructions {unit}")


def _short(n: float) -> str:
    return f"{n / 1e3:.1f}k" if n < 1e6 else f"{n / 1e6:.3f}M"


if __name__ == "__main__":
    main()
