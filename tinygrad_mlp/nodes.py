"""What a node shows of the graph around it, as PyTorch's `grad_fn` does.

`loss.grad_fn.next_functions` is how PyTorch's autograd tutorial walks a graph by hand:
one `(node, 0)` pair per tensor input of the operation, where the node is the input's own
`grad_fn`, an `AccumulateGrad` for a leaf that requires grad (it adds the gradient into
the leaf's `.grad`; `.variable` is the leaf), or None for a tensor (or array) that needs no
gradient. Numbers and the arguments that are not operands (an axis, a shape, a flag) have
no entry: `(x ** 2).grad_fn` and `x.sum(0).grad_fn` have one, as in PyTorch (where
`x * 2` has a second `(None, 0)` for the 2, here it has none). After a backward pass that
let the graph go (no `retain_graph=True`), the entries with None are left out. The 0 is
the output's index among its node's outputs: every node here has one output.

`NodeViews` is a base class of `autograd.Function`, kept out of the engine's core: it only
reads `next_nodes`, what the node recorded when it was made.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["AccumulateGrad", "NodeViews"]


class AccumulateGrad:
    """Where a leaf's gradient ends: added into `variable.grad`. It has no inputs."""

    next_functions: tuple = ()

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    @staticmethod
    def name() -> str:
        return "AccumulateGrad"

    def __eq__(self, other: object) -> bool:  # the same leaf: the same place
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class NodeViews:
    """`next_functions` of a graph node (a base class of `autograd.Function`)."""

    __slots__ = ()

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """One `(node, 0)` per tensor input: its `grad_fn`, an `AccumulateGrad` for a leaf,
        or None where no gradient goes, as in PyTorch."""
        inputs, nexts = self.inputs, self.next_nodes  # type: ignore[attr-defined]
        if inputs:
            nexts = [n for x, n in zip(inputs, nexts) if _operand(x)]
        else:  # a backward pass let the inputs go: which None was a tensor is not known
            nexts = [n for n in nexts if n is not None]
        return tuple(
            (n if n is None or hasattr(n, "next_nodes") else AccumulateGrad(n), 0) for n in nexts
        )


def _operand(x: Any) -> bool:
    return hasattr(x, "grad_fn") or isinstance(x, np.ndarray)  # a Tensor or an array
