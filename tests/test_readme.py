"""The README's training loop runs as written and learns what its comments say it learns."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np

import tinygrad_mlp as tg

README = Path(__file__).resolve().parents[1] / "README.md"


def section_code(heading: str) -> str:
    """The first ```python block after the line `heading`."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n")
    found = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert found, f"no python block under {heading!r}"
    return found.group(1)


def test_readme_training_loop_learns_xor() -> None:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(section_code("## A training loop"), "README.md", "exec"), namespace)
    loss, model, inputs, y = (namespace[k] for k in ("loss", "model", "inputs", "y"))
    assert loss.item() < 0.05  # the comment says "about 0.01"
    probs = model(inputs).data.ravel()
    assert np.array_equal(probs > 0.5, y == 1)
    assert out.getvalue().splitlines()[-1].startswith("[0.")  # the printed predictions


def test_readme_jacobians_and_hessians_give_what_the_comments_say() -> None:
    namespace: dict = {"tg": tg}  # imported by the README's first example
    exec(compile(section_code("## Jacobians and Hessians"), "README.md", "exec"), namespace)
    x = namespace["x"].data
    np.testing.assert_allclose(namespace["J"].data, np.diag(2 * x))
    np.testing.assert_allclose(namespace["H"].data, np.diag(6 * x))
    np.testing.assert_allclose(namespace["Jv"].data, [2.0, 4.0, 6.0])
    np.testing.assert_allclose(namespace["Hv"].data, [6.0, 12.0, 18.0])
