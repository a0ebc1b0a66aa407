"""Fit y = a + b x + c x^2 + d x^3 to sin(x) on [-pi, pi] with tensors and autograd alone.

Written as a PyTorch program; only the import below differs (`import torch` there). The four
coefficients are leaf tensors that require gradients; the loss is the sum of squared errors;
each step updates the coefficients by hand under no_grad and clears their gradients.

Run:  python demos/pytorch_programs/polynomial_autograd.py
"""

import math

import tinygrad_mlp as torch

dtype = torch.float
device = "cpu"
STEPS = 2000
LEARNING_RATE = 1e-6


def make_data():
    """2000 evenly spaced points in [-pi, pi] and their sines."""
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    return x, y


def init_coefficients():
    """a, b, c, d: random scalars that require gradients."""
    return [torch.randn((), device=device, dtype=dtype, requires_grad=True) for _ in range(4)]


def train(x, y, coefficients, steps=STEPS, learning_rate=LEARNING_RATE, log_every=100):
    """Gradient descent on the sum of squared errors; returns the loss of every step."""
    a, b, c, d = coefficients
    losses = []
    for t in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        if t % log_every == log_every - 1:
            print(t, loss.item())

        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return losses


def main():
    torch.manual_seed(0)
    x, y = make_data()
    coefficients = init_coefficients()
    losses = train(x, y, coefficients)
    a, b, c, d = coefficients
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    return losses


if __name__ == "__main__":
    main()
