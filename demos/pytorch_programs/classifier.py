"""An ordinary PyTorch training loop: a classifier for three interleaved spirals.

Written as a PyTorch program; only the imports below differ (`torch` for `tinygrad_mlp`).
It has what such a program usually has: a Module subclass whose layers sit in an
nn.ModuleList, a TensorDataset in a shuffling DataLoader, nn.CrossEntropyLoss, Adam with a
cosine learning-rate schedule stepped once per epoch, gradient clipping, model.train() and
model.eval() (the batch norm layer behaves differently in each), accuracy measured under
no_grad, and a checkpoint saved with torch.save and loaded into a fresh model.

Run:  python demos/pytorch_programs/classifier.py
"""

import math
import os
import tempfile

import tinygrad_mlp as torch
import tinygrad_mlp.nn as nn
import tinygrad_mlp.nn.functional as F
from tinygrad_mlp import optim
from tinygrad_mlp.utils.data import DataLoader, TensorDataset

SIZES = [2, 32, 32, 3]
EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 0.02
MAX_GRAD_NORM = 1.0


def make_spirals(n_per_class=200, n_classes=3, noise=0.2):
    """Points on n_classes spiral arms (radius 0 to 1), with noise on the angle."""
    points, labels = [], []
    for k in range(n_classes):
        radius = torch.linspace(0.0, 1.0, n_per_class)
        angle = 4.0 * radius + 2 * math.pi * k / n_classes + noise * torch.randn(n_per_class)
        points.append(torch.stack([radius * torch.sin(angle), radius * torch.cos(angle)], dim=1))
        labels.append(torch.full((n_per_class,), k, dtype=torch.long))
    return torch.cat(points), torch.cat(labels)


def split(X, y, test_fraction=0.2):
    """A random train/test split."""
    order = torch.randperm(X.size(0))
    n_test = int(test_fraction * X.size(0))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


class Classifier(nn.Module):
    """Linear layers with ReLU between them, and batch norm after the first one."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(
            [nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        )
        self.norm = nn.BatchNorm1d(sizes[1])

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == 0:
                x = self.norm(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


def train(model, loader, epochs=EPOCHS, learning_rate=LEARNING_RATE, log=True):
    """Adam on the cross-entropy; returns the loss of every step."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=learning_rate)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    losses = []
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=MAX_GRAD_NORM)
            optimizer.step()
            losses.append(loss.item())
            running += loss.item() * xb.size(0)
        scheduler.step()
        if log:
            mean_loss = running / len(loader.dataset)
            print(
                f"epoch {epoch + 1:3d}  loss {mean_loss:.4f}  lr {scheduler.get_last_lr()[0]:.5f}"
            )
    return losses


def accuracy(model, X, y):
    """The fraction of rows whose largest logit is at the true class (in eval mode)."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
        return (logits.argmax(dim=1) == y).float().mean().item()


def main():
    torch.manual_seed(0)
    X, y = make_spirals()
    X_train, y_train, X_test, y_test = split(X, y)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=BATCH_SIZE, shuffle=True)

    model = Classifier(SIZES)
    losses = train(model, loader)
    train_acc, test_acc = accuracy(model, X_train, y_train), accuracy(model, X_test, y_test)
    print(f"train accuracy {train_acc:.3f}  test accuracy {test_acc:.3f}")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "classifier.pt")
        torch.save(model.state_dict(), path)
        restored = Classifier(SIZES)
        restored.load_state_dict(torch.load(path))
    restored.eval()
    with torch.no_grad():
        same = torch.equal(model(X_test), restored(X_test))
    print(f"restored model gives the same outputs: {same}")
    return {"losses": losses, "train_acc": train_acc, "test_acc": test_acc, "same": same}


if __name__ == "__main__":
    main()
