"""The first two autograd programs of PyTorch's "Learning PyTorch with Examples" run with
only `import torch` changed to `import tinygrad_mlp as torch`, and their losses fall as
PyTorch's do.

The programs are in tests/pytorch_tutorials/, verbatim apart from that import line (the
test checks this). The reference losses were printed by the same programs under PyTorch
2.13 (CPU): "Tensors and autograd" draws its four weights at random, so only the order of
magnitude can agree (PyTorch ended at 12.3, 9.29 and 9.21 for seeds 0, 1, 2); the
Legendre program starts from fixed weights and is deterministic, so its losses agree to
float32 precision.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import numpy as np
import pytest

import tinygrad_mlp as tg

HERE = Path(__file__).parent / "pytorch_tutorials"

# PyTorch 2.13's output of legendre_polynomial3.py: (step, loss) at steps 99, 999, 1999
TORCH_LEGENDRE = {99: 209.95834350585938, 999: 14.877889633178711, 1999: 8.943641662597656}
TORCH_LEGENDRE_RESULT = (-6.7e-10, -2.208526849746704, -3.4e-10, 0.2554861009120941)


@pytest.fixture
def sine(monkeypatch):
    """The programs take their target from `torch.sin(x)`. The Sin primitive comes with
    the elementwise functions (another branch); until it is merged, the target is made
    here from NumPy's sine (x needs no gradient). With Tensor.sin present this does
    nothing."""
    if not hasattr(tg.Tensor, "sin"):
        monkeypatch.setattr(
            tg.Tensor, "sin", lambda self: tg.Tensor(np.sin(self.data)), raising=False
        )
    if not hasattr(tg, "sin"):
        monkeypatch.setattr(tg, "sin", lambda x: x.sin(), raising=False)


def run(name: str, capsys: pytest.CaptureFixture) -> tuple[dict[int, float], list[float]]:
    """Run a tutorial program; its printed (step, loss) lines and the result's numbers."""
    source = (HERE / name).read_text()
    assert source.startswith("import tinygrad_mlp as torch\n")
    assert "tinygrad_mlp" not in source.split("\n", 1)[1]  # the only line changed
    runpy.run_path(str(HERE / name), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()
    losses = {int(step): float(loss) for step, loss in (line.split() for line in lines[:-1])}
    assert lines[-1].startswith("Result: y = ")
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", lines[-1])]
    return losses, numbers


def test_tensors_and_autograd_fits_a_cubic_to_sine(sine, capsys):
    tg.manual_seed(0)
    losses, (a, b, c, d) = run("tensors_and_autograd.py", capsys)
    assert sorted(losses) == list(range(99, 2000, 100))
    values = [losses[k] for k in sorted(losses)]
    assert all(later < earlier for earlier, later in zip(values, values[1:]))  # falls
    assert 5 < losses[1999] < 20  # PyTorch: 12.3, 9.29, 9.21 (seeds 0-2)
    # the least-squares cubic for sine on [-pi, pi] is about 0.857 x - 0.093 x^3
    assert abs(a) < 0.1 and abs(c) < 0.02
    assert 0.8 < b < 0.9 and -0.1 < d < -0.085


def test_tensors_and_autograd_ends_at_pytorch_s_loss_for_other_seeds(sine, capsys):
    finals = []
    for seed in (1, 2, 3):
        tg.manual_seed(seed)
        losses, _ = run("tensors_and_autograd.py", capsys)
        finals.append(losses[1999])
    assert all(5 < f < 20 for f in finals), finals


def test_custom_function_legendre_polynomial_matches_pytorch(sine, capsys):
    losses, (a, b, c, d) = run("legendre_polynomial3.py", capsys)
    values = [losses[k] for k in sorted(losses)]
    assert all(later < earlier for earlier, later in zip(values, values[1:]))
    for step, torch_loss in TORCH_LEGENDRE.items():
        np.testing.assert_allclose(losses[step], torch_loss, rtol=1e-4)
    np.testing.assert_allclose([b, d], TORCH_LEGENDRE_RESULT[1::2], rtol=1e-5)
    assert abs(a) < 1e-6 and abs(c) < 1e-6  # PyTorch: about 1e-9 (sine is odd)
