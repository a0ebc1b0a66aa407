"""Tools to see the engine work. They are not part of the core: they only read the graph
and watch the engine through its observation point (`autograd.observe`).

- `drawing.py`: the graph behind a tensor, as a drawing Jupyter shows inline (`graph`),
  Graphviz DOT text (`to_dot`) or a figure file (`draw_graph`).
- `tracing.py`: `trace()`, a record of every forward operation and backward step, shown as
  text or (`stepthrough.py`) as a step-through HTML view.
- `plots.py`: loss curves, decision boundaries, weight and gradient histograms
  (matplotlib, imported only when a plot is made).
"""

from . import plots
from .drawing import GraphDrawing, draw_graph, graph, graph_nodes, to_dot
from .tracing import trace

__all__ = ["GraphDrawing", "draw_graph", "graph", "graph_nodes", "plots", "to_dot", "trace"]
