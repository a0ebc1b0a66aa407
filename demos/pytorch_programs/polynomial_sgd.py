"""Fit a cubic to sin(x) with nn and an optimizer: SGD with momentum.

The same model and loss as polynomial_nn.py; optimizer.zero_grad(), loss.backward() and
optimizer.step() replace the manual update, and momentum 0.9 gets further in 2000 steps.
Written as a PyTorch program; only the imports below differ (`torch` for `tinygrad_mlp`).

Run:  python demos/pytorch_programs/polynomial_sgd.py
"""

import math

import tinygrad_mlp as torch
import tinygrad_mlp.nn as nn

dtype = torch.float
STEPS = 2000
LEARNING_RATE = 1e-6
MOMENTUM = 0.9


def make_data():
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    return xx, y


def make_model():
    return nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)).to(dtype)


def train(model, xx, y, steps=STEPS, learning_rate=LEARNING_RATE, log_every=100):
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=MOMENTUM)
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        if t % log_every == log_every - 1:
            print(t, loss.item())

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def main():
    torch.manual_seed(0)
    xx, y = make_data()
    model = make_model()
    losses = train(model, xx, y)
    linear = model[0]
    print(
        f"Result: y = {linear.bias.item()} + {linear.weight[:, 0].item()} x + "
        f"{linear.weight[:, 1].item()} x^2 + {linear.weight[:, 2].item()} x^3"
    )
    return losses


if __name__ == "__main__":
    main()
