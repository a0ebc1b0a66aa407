"""Train an MLP on a 2-D toy data set with mini-batches and Adam; plot loss and boundary.

    python demos/train_moons.py                       # two moons, a few seconds
    python demos/train_moons.py --dataset spirals     # three spiral arms
    python demos/train_moons.py --help

The points are split into training and validation sets. Each epoch goes once through the
training set in shuffled mini-batches (tinygrad_mlp.data.DataLoader) and takes an Adam
step per batch on the cross-entropy loss; the validation loss is measured after each epoch
in eval mode. Figures go to --out (default demos/out/): <dataset>_loss.png (training and
validation loss) and <dataset>_boundary.png.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import data, optim
from tinygrad_mlp.viz import plots

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
NOISE = {"moons": 0.2, "circles": 0.1, "spirals": 0.2}
DATASETS = {
    "moons": lambda n, noise: data.moons(n, noise),
    "circles": lambda n, noise: data.circles(n, noise),
    "spirals": lambda n, noise: data.spirals(n, 3, noise),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Mini-batch training with Adam on a 2-D toy data set.")
    p.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default="moons",
        help="toy data set (default: %(default)s)",
    )
    p.add_argument("--n", type=int, default=1000, help="number of points (default: %(default)s)")
    p.add_argument(
        "--noise",
        type=float,
        default=None,
        help="noise of the data set (default: moons 0.2, circles 0.1, spirals 0.2)",
    )
    p.add_argument(
        "--val-fraction", type=float, default=0.25, help="share held out (default: %(default)s)"
    )
    p.add_argument(
        "--epochs", type=int, default=60, help="passes over the training set (default: %(default)s)"
    )
    p.add_argument(
        "--batch-size", type=int, default=32, help="rows per mini-batch (default: %(default)s)"
    )
    p.add_argument(
        "--lr", type=float, default=0.01, help="Adam learning rate (default: %(default)s)"
    )
    p.add_argument(
        "--weight-decay",
        type=float,
        default=0.0,
        help="Adam's L2 weight decay (default: %(default)s)",
    )
    p.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=[32, 32],
        help="hidden sizes (default: %(default)s)",
    )
    p.add_argument(
        "--dropout",
        type=float,
        default=0.0,
        help="dropout after hidden layers (default: %(default)s)",
    )
    p.add_argument(
        "--batch-norm",
        action="store_true",
        help="batch norm in hidden layers",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for data, init and shuffling (default: %(default)s)",
    )
    p.add_argument(
        "--out", default=DEFAULT_OUT, help="folder for the figures (default: %(default)s)"
    )
    p.add_argument(
        "--show",
        action="store_true",
        help="also open the figures in a window",
    )
    p.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        p.error("--epochs and --batch-size must be at least 1")
    if not 0 <= args.dropout < 1:
        p.error("--dropout must be in [0, 1)")
    if any(h < 1 for h in args.hidden):
        p.error("--hidden sizes must be at least 1")
    if not 0 < args.val_fraction < 1:
        p.error("--val-fraction must be between 0 and 1")
    if args.n < 10:
        p.error("--n must be at least 10")
    return args


def split(
    X: np.ndarray, y: np.ndarray, val_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The data sets come shuffled already, so the last rows make the validation set."""
    n_val = max(1, int(round(len(X) * val_fraction)))
    return X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with tg.no_grad():
        logits = model(tg.Tensor(X)).data
    return float((logits.argmax(axis=1) == y).mean())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tg.manual_seed(args.seed)
    noise = NOISE[args.dataset] if args.noise is None else args.noise
    X, y = DATASETS[args.dataset](args.n, noise)
    X_train, y_train, X_val, y_val = split(X, y, args.val_fraction)
    classes = int(y.max()) + 1
    model = nn.MLP(
        [2, *args.hidden, classes],
        batch_norm=args.batch_norm,
        dropout=args.dropout,
        init="kaiming",
    )
    opt = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loader = data.DataLoader(X_train, y_train, batch_size=args.batch_size, shuffle=True)
    print(
        f"{args.dataset}: {len(X_train)} training and {len(X_val)} validation points, "
        f"{classes} classes, {len(loader)} batches per epoch"
    )
    every = max(1, args.epochs // 10)
    train_losses, val_losses = [], []
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        train_losses.append(total / len(X_train))
        model.eval()
        with tg.no_grad():
            val_losses.append(F.cross_entropy(model(tg.Tensor(X_val)), y_val).item())
        if not args.quiet and (epoch % every == 0 or epoch == 1):
            print(
                f"epoch {epoch:>4}/{args.epochs}  train loss {train_losses[-1]:.4f}  "
                f"val loss {val_losses[-1]:.4f}"
            )
    train_acc = accuracy(model, X_train, y_train)
    val_acc = accuracy(model, X_val, y_val)
    print(f"train accuracy: {100 * train_acc:.1f}%")
    print(f"val accuracy:   {100 * val_acc:.1f}%")

    loss_path = os.path.join(args.out, f"{args.dataset}_loss.png")
    boundary_path = os.path.join(args.out, f"{args.dataset}_boundary.png")
    plots.plot_loss(
        train_losses,
        loss_path,
        val_history=val_losses,
        title=f"{args.dataset}: cross-entropy per epoch",
        show=args.show,
    )
    plots.plot_decision_boundary(
        model,
        X,
        y,
        boundary_path,
        title=f"{args.dataset}: predicted class (val accuracy {100 * val_acc:.1f}%)",
        show=args.show,
    )
    print(f"saved {loss_path} and {boundary_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
