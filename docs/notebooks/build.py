"""Build the course notebooks (docs/notebooks/*.ipynb) from their Python sources.

    python docs/notebooks/build.py               # write every notebook from source/
    python docs/notebooks/build.py --check       # exit 1 if a notebook is not what its source gives
    python docs/notebooks/build.py --html /tmp/nb   # also execute each one and write it as HTML

Each notebook is written as a plain Python file in source/, in the "percent" format that
Jupytext and several editors understand, so that it can be read, diffed and linted like any
other code:

    # %% [markdown]
    # ## A heading
    # Text of a markdown cell, each line behind "# ".

    # %%
    x = 1 + 1
    x

A `# %%` line starts a code cell and `# %% [markdown]` a markdown cell; anything before the
first marker is a header for the source file only. In a code cell a line such as
`# %matplotlib inline` (a comment holding an IPython magic) becomes the magic itself.

The notebooks are committed without outputs: what they print and draw is made by the code
of the day when they run (tests/test_notebooks.py runs every one of them), and a committed
output could only fall behind. Cell ids are numbered, so the same source always gives the
same file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "source"
MAGIC = re.compile(r"^# (%{1,2}[A-Za-z]\w*.*)$")
MARKER = re.compile(r"^# %%(?:\s*\[(markdown|md)\])?\s*$")


def cells_of(text: str) -> list[tuple[str, str]]:
    """The cells of a percent-format source, as (kind, text) with kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        marker = MARKER.match(line)
        if marker:
            cells.append(("markdown" if marker.group(1) else "code", []))
        elif cells:
            cells[-1][1].append(line)
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            bad = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
            if bad:
                raise ValueError(f"markdown cell line without a leading '#': {bad[0]!r}")
            lines = [ln[2:] if ln.startswith("# ") else ln[1:] for ln in lines]
        else:
            lines = [MAGIC.sub(r"\1", ln) for ln in lines]
        body = "\n".join(lines).strip("\n")
        if body:
            out.append((kind, body))
    return out


def notebook_of(source: Path) -> nbformat.NotebookNode:
    """The notebook (without outputs) that a source file describes."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, body) in enumerate(cells_of(source.read_text()), start=1):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(body)
        cell.id = f"cell-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def target_of(source: Path) -> Path:
    return HERE / (source.stem + ".ipynb")


def sources() -> list[Path]:
    return sorted(SOURCES.glob("[0-9]*.py"))


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def content(nb: Any) -> list[tuple[str, str]]:
    """What a notebook says, cell by cell: (cell type, source). Comparing this rather than
    the file's text keeps a check independent of how a given nbformat version writes files."""
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def up_to_date(source: Path) -> bool:
    """True when the committed notebook says what `source` says."""
    target = target_of(source)
    if not target.exists():
        return False
    return content(json.loads(target.read_text())) == content(notebook_of(source))


def kernel_manager():
    """A manager for ipykernel's own "python3" kernel, which runs this interpreter. No
    kernel folder is searched, so a "python3" kernel installed elsewhere (another Python,
    perhaps without tinygrad_mlp) is never picked up instead."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    specs = KernelSpecManager()
    specs.kernel_dirs = []
    return KernelManager(kernel_spec_manager=specs, kernel_name="python3")


def execute(nb: nbformat.NotebookNode, timeout: int = 120) -> nbformat.NotebookNode:
    """Run a notebook in place in a fresh kernel of this interpreter, from this folder; an
    error in a cell raises nbclient's CellExecutionError."""
    from nbclient import NotebookClient

    resources = {"metadata": {"path": str(HERE)}}
    # iopub_timeout: how long to wait for a cell's printed output after it finished; the
    # default (4 s) let a busy machine drop a line of output silently, and a check of it fail
    client = NotebookClient(
        nb, km=kernel_manager(), timeout=timeout, resources=resources, iopub_timeout=60
    )
    client.raise_on_iopub_timeout = True
    client.execute()
    return nb


def execute_to_html(notebook: Path, folder: Path, timeout: int = 120) -> Path:
    """Run a notebook and write it, with its outputs, as HTML into `folder`."""
    from nbconvert import HTMLExporter

    nb = execute(nbformat.read(notebook, as_version=4), timeout)
    html, _ = HTMLExporter().from_notebook_node(nb)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (notebook.stem + ".html")
    path.write_text(html)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the course notebooks from source/.")
    p.add_argument("--check", action="store_true", help="only check that they are up to date")
    p.add_argument("--html", type=Path, help="also execute each notebook into this folder")
    args = p.parse_args(argv)
    stale = []
    for source in sources():
        target, text = target_of(source), render(notebook_of(source))
        if args.check:
            if not up_to_date(source):
                stale.append(target.name)
            continue
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            print(f"wrote {target.relative_to(HERE.parent.parent)}")
        if args.html:
            print(f"executed {execute_to_html(target, args.html)}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python docs/notebooks/build.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
