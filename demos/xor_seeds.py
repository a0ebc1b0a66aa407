"""How often does the XOR demo succeed? Train it once per seed and count 4/4 runs.

    python demos/xor_seeds.py                      # seeds 0..19 with the demo's defaults
    python demos/xor_seeds.py --seeds 50 --init default --lr 0.1

Every option other than --seeds, --first and --jobs is passed on to train_xor.py (see
`python demos/train_xor.py --help`); --seed, --out, --show and --quiet are set here.
A run succeeds when all four rows are classified correctly in eval mode.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_xor  # noqa: E402  (the demo next to this file)


def run_seed(seed: int, demo_argv: list[str]) -> tuple[int, int, float]:
    """Train with one seed; return (seed, rows correct, final training loss)."""
    args = train_xor.parse_args([*demo_argv, "--seed", str(seed), "--quiet"])
    result = train_xor.train(args)
    return seed, result.correct, result.history[-1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Success rate of demos/train_xor.py over seeds; other options go to it."
    )
    p.add_argument("--seeds", type=int, default=20, help="number of seeds to try")
    p.add_argument("--first", type=int, default=0, help="first seed")
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    args, demo_argv = p.parse_known_args(argv)
    train_xor.parse_args(demo_argv)  # reject bad demo options before starting
    seeds = list(range(args.first, args.first + args.seeds))
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run_seed, seeds, [demo_argv] * len(seeds)))
    else:
        results = [run_seed(s, demo_argv) for s in seeds]
    failed = []
    for seed, correct, loss in results:
        print(f"seed {seed:>3}: {correct}/4  final loss {loss:.4f}")
        if correct != 4:
            failed.append(seed)
    solved = len(seeds) - len(failed)
    print(
        f"solved {solved}/{len(seeds)} seeds ({100 * solved / len(seeds):.0f}%) "
        f"in {time.perf_counter() - start:.1f} s; settings: {' '.join(demo_argv) or 'defaults'}"
    )
    if failed:
        print("failed seeds:", " ".join(map(str, failed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
