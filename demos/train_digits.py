"""Classify scikit-learn's 8x8 handwritten digits with an MLP using batch norm and dropout.

    pip install scikit-learn        # or: pip install -e ".[demos]"
    python demos/train_digits.py
    python demos/train_digits.py --help

The 1797 digit images bundled with scikit-learn (no download) are split into training and
test sets (stratified). An MLP 64 -> 128 -> 64 -> 10 with batch norm and dropout in its
hidden layers is trained with AdamW on mini-batches; its test accuracy is printed beside
that of scikit-learn's MLPClassifier trained on the same split. Figures go to --out
(default demos/out/): digits_loss.png and digits_histograms.png (weights, activations and
gradients per layer, in training mode, where dropout zeroes units and batch norm
rescales them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import data, optim
from tinygrad_mlp.viz import plots

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
INSTALL_HINT = (
    "train_digits.py needs scikit-learn for its bundled digits data set and for the "
    "comparison model.\nInstall it with:  pip install scikit-learn\n"
    '(or, from the repository root:  pip install -e ".[demos]")'
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="An MLP with batch norm and dropout on scikit-learn's digits data set.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--epochs", type=int, default=30, help="passes over the training set")
    p.add_argument("--batch-size", type=int, default=64, help="rows per mini-batch")
    p.add_argument("--lr", type=float, default=3e-3, help="AdamW learning rate")
    p.add_argument("--weight-decay", type=float, default=1e-4, help="AdamW's decoupled decay")
    p.add_argument("--hidden", type=int, nargs="+", default=[128, 64], help="hidden sizes")
    p.add_argument("--dropout", type=float, default=0.2, help="dropout after hidden layers")
    p.add_argument("--no-batch-norm", action="store_true", help="leave batch norm out")
    p.add_argument("--test-fraction", type=float, default=0.25, help="share held out")
    p.add_argument("--seed", type=int, default=0, help="seed for the split, init and dropout")
    p.add_argument("--no-sklearn-mlp", action="store_true", help="skip the comparison model")
    p.add_argument("--out", default=DEFAULT_OUT, help="folder for the figures")
    p.add_argument("--show", action="store_true", help="also open the figures in a window")
    p.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        p.error("--epochs and --batch-size must be at least 1")
    if not 0 <= args.dropout < 1:
        p.error("--dropout must be in [0, 1)")
    if any(h < 1 for h in args.hidden):
        p.error("--hidden sizes must be at least 1")
    if not 0 < args.test_fraction < 1:
        p.error("--test-fraction must be between 0 and 1")
    return args


def load_sklearn() -> Any:
    """Import what the demo needs from scikit-learn; None if it is not installed."""
    try:
        from sklearn import datasets, model_selection, neural_network
    except ImportError:
        return None
    return datasets, model_selection, neural_network


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with tg.no_grad():
        logits = model(tg.Tensor(X)).data
    return float((logits.argmax(axis=1) == y).mean())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sk = load_sklearn()
    if sk is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    datasets, model_selection, neural_network = sk

    digits = datasets.load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # pixel values 0..16 -> 0..1
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = model_selection.train_test_split(
        X, y, test_size=args.test_fraction, stratify=y, random_state=args.seed
    )
    print(f"digits: {len(X_train)} training and {len(X_test)} test images of 8x8 pixels")

    tg.manual_seed(args.seed)
    model = nn.MLP(
        [64, *args.hidden, 10],
        batch_norm=not args.no_batch_norm,
        dropout=args.dropout,
        init="kaiming",
    )
    opt = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loader = data.DataLoader(X_train, y_train, batch_size=args.batch_size, shuffle=True)
    every = max(1, args.epochs // 10)
    losses = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X_train))
        if not args.quiet and (epoch % every == 0 or epoch == 1):
            print(f"epoch {epoch:>3}/{args.epochs}  train loss {losses[-1]:.4f}")
    seconds = time.perf_counter() - start
    test_acc = accuracy(model, X_test, y_test)
    print(f"tinygrad_mlp MLP test accuracy:      {100 * test_acc:.2f}%  ({seconds:.1f} s)")

    if not args.no_sklearn_mlp:
        reference = neural_network.MLPClassifier(
            hidden_layer_sizes=tuple(args.hidden), max_iter=500, random_state=args.seed
        )
        start = time.perf_counter()
        reference.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        ref_acc = float((reference.predict(X_test) == y_test).mean())
        print(f"scikit-learn MLPClassifier accuracy: {100 * ref_acc:.2f}%  ({seconds:.1f} s)")

    # One training-mode pass with gradients on a batch, for the histograms.
    model.train()
    xb, yb = tg.Tensor(X_train[:256]), y_train[:256]
    opt.zero_grad()
    F.cross_entropy(model(xb), yb).backward()
    loss_path = os.path.join(args.out, "digits_loss.png")
    hist_path = os.path.join(args.out, "digits_histograms.png")
    plots.plot_loss(losses, loss_path, title="digits: training cross-entropy", show=args.show)
    plots.plot_histograms(
        model,
        hist_path,
        x=xb,
        training=True,
        title="digits MLP after training (a training-mode batch of 256)",
        show=args.show,
    )
    opt.zero_grad()
    print(f"saved {loss_path} and {hist_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
