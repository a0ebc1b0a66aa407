"""The README's training loop runs as written and learns what its comments say it learns."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np

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
