"""The course in docs/notebooks/: each notebook is what its source gives, runs top to bottom
in a fresh kernel without an error, and prints what its text says it shows.

nbformat, nbclient and ipykernel are in the `test` extra; without them this module fails to
import, which fails the run (a missing dependency must not pass as a skipped notebook).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ipykernel  # noqa: F401  (not used here: imported so that a missing kernel fails at once)
import nbclient  # noqa: F401  (the same)
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "notebooks"
CELL_TIMEOUT = 120  # seconds; each notebook takes a few in all
NOTEBOOK_BUDGET = 60  # the course promises each notebook runs in under a minute


def _load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", FOLDER / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()
NAMES = [source.stem for source in build.sources()]


# ----------------------------------------------------------------------------- the sources
def test_course_has_its_six_notebooks() -> None:
    assert [name[:2] for name in NAMES] == ["01", "02", "03", "04", "05", "06"], NAMES
    assert set(NAMES) == set(CHECKS), "every notebook needs checks of what it prints"


def test_committed_notebooks_are_what_their_sources_give() -> None:
    stale = [name for name in NAMES if not build.up_to_date(FOLDER / "source" / f"{name}.py")]
    assert not stale, f"rebuild with python docs/notebooks/build.py: {stale}"
    for name in NAMES:  # and each is a valid notebook
        nbformat.validate(nbformat.read(FOLDER / f"{name}.ipynb", as_version=4))


def test_committed_notebooks_have_no_outputs() -> None:
    for name in NAMES:
        nb = json.loads((FOLDER / f"{name}.ipynb").read_text())
        for cell in nb["cells"]:
            assert not cell.get("outputs") and cell.get("execution_count") is None, name


def test_cells_of_reads_the_percent_format() -> None:
    text = (
        "# header, not a cell\n"
        "# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n"
        "# %%\n# %matplotlib inline\nx = 1\n# a comment stays\nx\n\n"
        "# %%\n\n"
    )
    assert build.cells_of(text) == [
        ("markdown", "# Title\n\nSome *text*."),
        ("code", "%matplotlib inline\nx = 1\n# a comment stays\nx"),
    ]
    with pytest.raises(ValueError, match="without a leading '#'"):
        build.cells_of("# %% [markdown]\nnot a comment\n")


# ----------------------------------------------------------------------------- running them
@functools.cache
def executed(name: str) -> tuple[nbformat.NotebookNode, float]:
    """The notebook, run in a fresh kernel of this interpreter from its own folder, and the
    seconds it took."""
    nb = nbformat.read(FOLDER / f"{name}.ipynb", as_version=4)
    start = time.perf_counter()
    build.execute(nb, timeout=CELL_TIMEOUT)
    return nb, time.perf_counter() - start


def text_of(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text, in order."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out and "text/plain" in out.data:
                parts.append(out.data["text/plain"])
    return "\n".join(parts)


def displays(nb: nbformat.NotebookNode, mime: str) -> int:
    """How many outputs carry `mime` (e.g. image/png)."""
    return sum(mime in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def step_throughs(nb: nbformat.NotebookNode) -> int:
    """How many outputs are a trace's step-through view (its HTML, script included)."""
    return sum(
        "tgm-view" in out.get("data", {}).get("text/html", "")
        and "<script>" in out.data["text/html"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )


def number(text: str, pattern: str) -> float:
    """The number that follows `pattern` (a regular expression) in `text`."""
    found = re.search(pattern + r"\s*([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)", text)
    assert found, f"no {pattern!r} in the notebook's output"
    return float(found.group(1))


# ----------------------------------------------------------------------------- what they show
def check_chain_rule(nb: nbformat.NotebookNode, text: str) -> None:
    assert "by hand == engine: True" in text
    assert number(text, r"\|finite difference - engine\| =") < 1e-8
    # the trace adds a's two uses: directly (f) and through e = a * b (dL/de * b)
    f = math.tanh(0.5 * -1.5 + 1.0)
    direct, through_e = f, 0.5 * (1 - f * f) * -1.5
    total = direct + through_e
    assert f"a.grad += {direct:.6g} + {through_e:.6g} = {total:.6g}  (sum over its 2 uses)" in text
    assert number(text, "a.grad after two passes:") == 2 * number(text, "a.grad after one pass:")
    assert displays(nb, "image/svg+xml") == 2  # the graph before and after backward
    assert step_throughs(nb) == 1


def check_broadcasting(nb: nbformat.NotebookNode, text: str) -> None:
    assert "b.grad == g summed over the batch: True" in text
    assert "unbroadcast gives the same: True" in text
    assert "W.grad == g.T @ x: True" in text and "the engine agrees: True" in text
    assert "could not be broadcast" in text  # the shape error, printed
    assert displays(nb, "image/svg+xml") == 1 and step_throughs(nb) == 1


def check_training(nb: nbformat.NotebookNode, text: str) -> None:
    assert "after == before - 0.1 * grad: True" in text
    assert "accuracy: 4/4" in text
    assert number(text, r"epoch 1000 .* mean of the last 25:") < 0.2
    assert displays(nb, "image/png") == 2  # the loss curve and the decision boundary


def check_batchnorm(nb: nbformat.NotebookNode, text: str) -> None:
    assert number(text, r"forward: max \|composed - closed form\| =") < 1e-12
    assert number(text, r"dx: max \|composed - closed form\| =") < 1e-12
    assert "dropout gradient == kept / (1 - p) * g: True" in text
    assert "gradcheck(batch_norm): True" in text
    assert "Mean -> Sub -> Mul -> Mean" in text  # the primitives batch norm is made of
    assert displays(nb, "image/svg+xml") == 3 and step_throughs(nb) == 1


def check_higher_order(nb: nbformat.NotebookNode, text: str) -> None:
    assert number(text, "largest relative error over all six orders:") < 1e-12
    assert number(text, r"\|Hv - H_exact v\| *=") < 1e-12
    assert number(text, r"\|H_engine - H_exact\| *=") < 1e-12
    assert number(text, r"\|Hv - finite difference\| *=") < 1e-6
    assert "f''' = Tensor(6." in text
    assert displays(nb, "image/png") == 1


def check_gradcheck(nb: nbformat.NotebookNode, text: str) -> None:
    assert "gradcheck(layer): True" in text
    assert "gradcheck(BrokenSigmoid): False" in text
    assert "Jacobian mismatch for output 0" in text  # the error's message, printed
    assert "gradcheck(FixedSigmoid): True" in text
    assert re.search(r"gradcheck: +True\ngradgradcheck: False", text)
    assert "gradgradcheck(FixedSigmoid): True" in text
    assert "relu at 0 and 1: False" in text and "relu at 0.3 and -1.2: True" in text
    assert number(text, r"max \|difference\| =") < 1e-8


CHECKS: dict[str, Callable[[nbformat.NotebookNode, str], None]] = {
    "01_chain_rule": check_chain_rule,
    "02_broadcasting": check_broadcasting,
    "03_training_xor": check_training,
    "04_batchnorm_dropout": check_batchnorm,
    "05_higher_order": check_higher_order,
    "06_gradcheck": check_gradcheck,
}


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_shows_what_it_says(name: str) -> None:
    nb, seconds = executed(name)  # an error in any cell raises CellExecutionError here
    assert seconds < NOTEBOOK_BUDGET, f"{name} took {seconds:.0f} s"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", out
            # a warning printed by the code is something the learner would see
            if out.output_type == "stream" and out.name == "stderr":
                pytest.fail(f"{name} wrote to stderr: {out.text[:500]}")
    CHECKS[name](nb, text_of(nb))


def test_kernel_is_this_interpreter() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys; print(sys.executable)")]
    build.execute(nb, timeout=CELL_TIMEOUT)
    assert Path(nb.cells[0].outputs[0].text.strip()).resolve() == Path(sys.executable).resolve()
