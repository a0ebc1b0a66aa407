"""The core (tensor.py + autograd.py + ops.py) stays readable in one sitting: at most
900 lines of code, counted without docstrings, comments and blank lines by
benchmarks/core_size.py."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "core_size.py"
spec = importlib.util.spec_from_file_location("core_size", SCRIPT)
core_size = importlib.util.module_from_spec(spec)
spec.loader.exec_module(core_size)


def test_the_counter_skips_docstrings_comments_and_blank_lines():
    source = '''"""Module docstring,
over two lines."""

# a comment
def f(x):  # a trailing comment: the line still holds code
    """A docstring."""
    y = (x +
         1)
    return "not a docstring"


class C:
    """Class docstring."""

    z = 1
'''
    # def f, y = (x +, 1), return, class C, z = 1
    assert core_size.code_lines(source) == 6


def test_the_core_is_within_its_budget():
    counts = core_size.core_counts()
    assert set(counts) == {"tensor.py", "autograd.py", "ops.py"}
    assert all(n > 100 for n in counts.values())  # the files were found and read
    total = sum(counts.values())
    assert total <= core_size.BUDGET == 900, f"core has {total} code lines: {counts}"
