"""Count the core's lines of code: tensor.py + autograd.py + ops.py without docstrings,
comments and blank lines (what a reader has to read as code).

    python benchmarks/core_size.py        # prints each file's count and the total

tests/test_core_size.py holds the total to the one-sitting budget.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

CORE = ("tensor.py", "autograd.py", "ops.py")
BUDGET = 900
PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_mlp"


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    doc_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:
            first = body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                doc_lines.update(range(first.lineno, first.end_lineno + 1))
    code: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            continue
        code.update(range(tok.start[0], tok.end[0] + 1))
    return len(code - doc_lines)


def core_counts() -> dict[str, int]:
    return {name: code_lines((PACKAGE / name).read_text()) for name in CORE}


if __name__ == "__main__":
    counts = core_counts()
    for name, n in counts.items():
        print(f"{name:<12} {n:>5}")
    total = sum(counts.values())
    print(f"{'core':<12} {total:>5}   (budget {BUDGET})")
    sys.exit(0 if total <= BUDGET else 1)
