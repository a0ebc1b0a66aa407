"""Fit y = a + b P3(c + d x) to sin(x), where P3 is a custom autograd.Function.

P3(z) = (5 z^3 - 3 z) / 2 is the Legendre polynomial of degree three. Its forward saves its
input with ctx.save_for_backward; its backward reads it from ctx.saved_tensors and returns
grad_output * P3'(z), with P3'(z) = 1.5 (5 z^2 - 1). Written as a PyTorch program; only the
import below differs (`import torch` there).

Run:  python demos/pytorch_programs/polynomial_function.py
"""

import math

import tinygrad_mlp as torch

dtype = torch.float
device = "cpu"
STEPS = 2000
LEARNING_RATE = 5e-6


class LegendreP3(torch.autograd.Function):
    """P3 applied elementwise, with its derivative written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def make_data():
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    return x, y


def init_coefficients():
    """Start near a good fit: a = 0, b = -1, c = 0, d = 0.3 (the loss is not convex)."""
    return [
        torch.full((), value, device=device, dtype=dtype, requires_grad=True)
        for value in (0.0, -1.0, 0.0, 0.3)
    ]


def train(x, y, coefficients, steps=STEPS, learning_rate=LEARNING_RATE, log_every=100):
    a, b, c, d = coefficients
    losses = []
    for t in range(steps):
        P3 = LegendreP3.apply
        y_pred = a + b * P3(c + d * x)
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
    x, y = make_data()
    coefficients = init_coefficients()
    losses = train(x, y, coefficients)
    a, b, c, d = coefficients
    print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
    return losses


if __name__ == "__main__":
    main()
