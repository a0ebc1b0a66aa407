"""Fit a cubic to sin(x) with nn: a Linear(3, 1) layer on the features (x, x^2, x^3).

The features come from broadcasting: x.unsqueeze(-1) has shape (2000, 1), and raising it to
the powers tensor([1, 2, 3]) gives (2000, 3). Flatten(0, 1) turns the layer's (2000, 1)
output into (2000,), the shape of y. The loss is nn.MSELoss(reduction='sum'); the update
loops over model.parameters() under no_grad, and model.zero_grad() clears the gradients.
Written as a PyTorch program; only the imports below differ (`torch` for `tinygrad_mlp`).

Run:  python demos/pytorch_programs/polynomial_nn.py
"""

import math

import tinygrad_mlp as torch
import tinygrad_mlp.nn as nn

dtype = torch.float
STEPS = 2000
LEARNING_RATE = 1e-6


def make_data():
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    return xx, y


def make_model():
    return nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)).to(dtype)


def train(model, xx, y, steps=STEPS, learning_rate=LEARNING_RATE, log_every=100):
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        if t % log_every == log_every - 1:
            print(t, loss.item())

        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
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
