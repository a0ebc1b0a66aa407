"""Train the origin network on XOR, print its predictions, and plot what it learned.

    python demos/train_xor.py                 # the defaults: a few seconds
    python demos/train_xor.py --hidden 2      # one hidden layer of 2 units
    python demos/train_xor.py --help

The network of the design note the project grew from ("Architecture Summary"):

    2 -> Linear(4) -> ReLU -> BatchNorm1d -> Dropout -> Linear(4) -> ReLU -> Dropout
      -> Linear(1) -> Sigmoid

trained by plain gradient descent on all four XOR rows at once, with the loss

    binary_cross_entropy(prediction, target) + lam * (||W1||^2 + ||W2||^2 + ||W3||^2)

(the L2 penalty covers the Linear weights only, not biases or batch-norm parameters).
Predictions are made in eval mode: dropout off, batch norm using its running statistics.
Figures go to --out (default demos/out/): xor_loss.png and xor_boundary.png.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import TextIO

import numpy as np

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import data, optim
from tinygrad_mlp.viz import plots

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Train the origin MLP (batch norm, dropout, L2) on the four XOR rows.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--epochs", type=int, default=1000, help="full-batch gradient steps")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate")
    p.add_argument("--lam", type=float, default=1e-4, help="L2 penalty weight lambda")
    p.add_argument("--dropout", type=float, default=0.1, help="dropout rate of hidden layers")
    p.add_argument("--seed", type=int, default=0, help="seed for initialisation and dropout")
    p.add_argument(
        "--hidden", type=int, nargs="+", default=[4, 4], help="hidden layer sizes, e.g. 4 4 or 2"
    )
    p.add_argument(
        "--bn-position",
        choices=["before", "after"],
        default="after",
        help="batch norm before or after the first hidden layer's ReLU",
    )
    p.add_argument("--no-batch-norm", action="store_true", help="leave batch norm out")
    p.add_argument(
        "--optimizer",
        choices=["sgd", "adam"],
        default="sgd",
        help="plain gradient descent (the origin's), or Adam",
    )
    p.add_argument(
        "--init",
        choices=["default", "kaiming"],
        default="kaiming",
        help="weight init: PyTorch's Linear default, or kaiming_normal_ with zero biases",
    )
    p.add_argument("--out", default=DEFAULT_OUT, help="folder for the figures")
    p.add_argument("--show", action="store_true", help="also open the figures in a window")
    p.add_argument("--quiet", action="store_true", help="no model summary and no progress")
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error("--epochs must be at least 1")
    if not 0 <= args.dropout < 1:
        p.error("--dropout must be in [0, 1)")
    if any(h < 1 for h in args.hidden):
        p.error("--hidden sizes must be at least 1")
    return args


def build_model(args: argparse.Namespace) -> nn.MLP:
    """The origin network: batch norm (if any) on the first hidden layer, dropout on all."""
    sizes = [2, *args.hidden, 1]
    batch_norm = [not args.no_batch_norm] + [False] * (len(args.hidden) - 1)
    return nn.MLP(
        sizes,
        activation="relu",
        batch_norm=batch_norm,
        bn_position=args.bn_position,
        dropout=args.dropout,
        output_activation="sigmoid",
        init=args.init,
    )


class Progress:
    """One status line, rewritten in place on a terminal; a line every tenth otherwise."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.tty = enabled and stream.isatty()
        self.every = max(1, total // 10)

    def update(self, epoch: int, loss: float) -> None:
        if not self.enabled:
            return
        text = f"epoch {epoch:>6}/{self.total}  loss {loss:.5f}"
        if self.tty:
            if epoch % max(1, self.total // 200) == 0 or epoch == self.total:
                self.stream.write("\r" + text)
                self.stream.flush()
        elif epoch % self.every == 0 or epoch == 1 or epoch == self.total:
            print(text, file=self.stream)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


@dataclass
class Result:
    model: nn.MLP
    history: list[float]
    probs: np.ndarray  # eval-mode P(y = 1) for the four rows
    correct: int


def train(args: argparse.Namespace, stream: TextIO | None = None) -> Result:
    """Train with the settings in `args` and return the model, losses and predictions.
    Progress goes to `stream` (standard output by default)."""
    stream = sys.stdout if stream is None else stream
    tg.manual_seed(args.seed)
    X, y = data.xor()
    model = build_model(args)
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    if args.optimizer == "sgd":
        opt: optim.Optimizer = optim.SGD(model.parameters(), lr=args.lr)
    else:
        opt = optim.Adam(model.parameters(), lr=args.lr)
    inputs = tg.Tensor(X)
    targets = y.reshape(-1, 1).astype(np.float32)

    if not args.quiet:
        print(model, file=stream)
    progress = Progress(args.epochs, stream, enabled=not args.quiet)
    history = []
    model.train()
    for epoch in range(1, args.epochs + 1):
        loss = F.binary_cross_entropy(model(inputs), targets) + F.l2_penalty(weights, args.lam)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
        progress.update(epoch, history[-1])
    progress.close()

    model.eval()
    with tg.no_grad():
        probs = model(inputs).data.reshape(-1)
    correct = int(((probs > 0.5) == (y == 1)).sum())
    return Result(model, history, probs, correct)


def print_table(probs: np.ndarray, stream: TextIO | None = None) -> None:
    """The four XOR rows with their targets, predicted probabilities and classes."""
    stream = sys.stdout if stream is None else stream
    X, y = data.xor()
    print(f"{'X1':>4} {'X2':>4} {'target':>7} {'P(y=1)':>8} {'class':>6}", file=stream)
    for (x1, x2), target, prob in zip(X, y, probs):
        print(f"{x1:>4.0f} {x2:>4.0f} {target:>7d} {prob:>8.4f} {int(prob > 0.5):>6d}", file=stream)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = train(args)
    print_table(result.probs)
    n = len(result.probs)
    print(f"accuracy: {result.correct}/{n} ({100 * result.correct / n:.0f}%)")
    X, y = data.xor()
    loss_path = os.path.join(args.out, "xor_loss.png")
    boundary_path = os.path.join(args.out, "xor_boundary.png")
    plots.plot_loss(
        result.history,
        loss_path,
        title="XOR: BCE + L2 loss (training mode, dropout on)",
        logy=True,
        smooth=25,
        show=args.show,
    )
    plots.plot_decision_boundary(
        result.model,
        X,
        y,
        boundary_path,
        bounds=(-0.15, 1.15, -0.15, 1.15),
        title="XOR: P(class 1) in eval mode",
        show=args.show,
    )
    print(f"saved {loss_path} and {boundary_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
