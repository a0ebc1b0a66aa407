"""Figures for training runs: loss curves, decision boundaries, per-layer histograms.

    from tinygrad_mlp.viz import plots
    plots.plot_loss(history, "loss.png", val_history=val)
    plots.plot_decision_boundary(model, X, y, "boundary.png")
    plots.plot_histograms(model, "layers.png", x=xb)

Each function returns the matplotlib Figure. matplotlib is imported only when a function
runs, never by `import tinygrad_mlp`. Unless `show=True`, figures are drawn with the Agg
backend and are not registered with pyplot, so nothing stays open and no display is needed;
with `show=True` the figure goes through pyplot and `plt.show()`.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..random import generator
from ..tensor import Tensor

__all__ = [
    "DecisionGrid",
    "decision_grid",
    "plot_loss",
    "plot_decision_boundary",
    "collect_activations",
    "histogram_data",
    "plot_histograms",
]


# ---------------------------------------------------------------------------------------------
# Figure plumbing


def _new_figure(show: bool, figsize: tuple[float, float]) -> Any:
    if show:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _save_or_show(fig: Any, path: str | os.PathLike[str] | None, show: bool) -> Any:
    """Save to `path` (creating its folder) and/or show; return the figure."""
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=100)
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return fig


# ---------------------------------------------------------------------------------------------
# Loss curves


def plot_loss(
    history: Sequence[float],
    path: str | os.PathLike[str] | None = None,
    val_history: Sequence[float] | None = None,
    title: str = "Training loss",
    logy: bool = False,
    smooth: int = 0,
    xlabel: str = "epoch",
    show: bool = False,
) -> Any:
    """Plot a loss curve (one value per epoch or step), and a validation curve if given.

    `logy=True` draws the loss on a log scale, where slow late progress is easier to see.
    `smooth=w` (w >= 2) draws the trailing mean of the last w values over a faded raw curve,
    for noisy losses (dropout, small batches). Lines are drawn in the order train, its
    smoothed curve, validation.
    """
    train = np.asarray(history, dtype=np.float64).ravel()
    if train.size == 0:
        raise ValueError("plot_loss: history is empty; record at least one loss value")
    if isinstance(smooth, bool) or not isinstance(smooth, int) or smooth < 0:
        raise ValueError(f"smooth must be an int >= 0 (a window length), got {smooth!r}")
    fig = _new_figure(show, (6.0, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    epochs = np.arange(1, train.size + 1)
    smoothed = 2 <= smooth <= train.size
    ax.plot(epochs, train, label="train", color="tab:blue", alpha=0.35 if smoothed else 1.0)
    if smoothed:
        mean = np.convolve(train, np.ones(smooth) / smooth, mode="valid")
        ax.plot(epochs[smooth - 1 :], mean, label=f"train, mean of {smooth}", color="tab:blue")
    if val_history is not None:
        val = np.asarray(val_history, dtype=np.float64).ravel()
        # Stretch the validation curve over the same x range when it is recorded less often.
        x_val = np.linspace(train.size / max(val.size, 1), train.size, val.size)
        ax.plot(x_val, val, label="validation", color="tab:orange")
    if smoothed or val_history is not None:
        ax.legend()
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return _save_or_show(fig, path, show)


# ---------------------------------------------------------------------------------------------
# Decision boundaries


@dataclass
class DecisionGrid:
    """A classifier evaluated on a grid over the plane.

    `xx`, `yy`: the grid coordinates, shape (resolution, resolution) (rows follow y).
    `classes`: the predicted class at each grid point. `scores`: with two classes (one
    output, or two) the probability of class 1; with more, that of the predicted class.
    """

    xx: np.ndarray
    yy: np.ndarray
    classes: np.ndarray
    scores: np.ndarray
    num_classes: int


@contextlib.contextmanager
def _in_mode(model: Any, training: bool | None) -> Iterator[None]:
    """Run with `model` in the given mode (None: as it is), restoring every module's flag."""
    modules = list(model.modules()) if hasattr(model, "modules") else []
    saved = [(m, m.training) for m in modules]
    try:
        if training is not None and hasattr(model, "train"):
            model.train(training)
        yield
    finally:
        for m, flag in saved:
            m.training = flag


def _input_dtype(model: Any) -> Any:
    """The dtype of the model's first parameter (float32 if it has none)."""
    if hasattr(model, "parameters"):
        for p in model.parameters():
            return p.dtype
    return np.float32


def _last_module(model: Any) -> Any:
    from ..nn import Sequential

    while isinstance(model, Sequential) and len(model) > 0:
        model = model[-1]
    return model


def _predict(model: Any, points: np.ndarray, output: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Classes and scores of `model` at `points`, in eval mode and without a graph."""
    with _in_mode(model, False), no_grad():
        out = model(Tensor(points, dtype=_input_dtype(model)))
    raw = np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)
    if raw.ndim == 1 or (raw.ndim == 2 and raw.shape[1] == 1):
        raw = raw.reshape(-1)
        if output == "auto":
            from ..nn import Sigmoid

            is_prob = isinstance(_last_module(model), Sigmoid) or (
                raw.size > 0 and raw.min() >= 0 and raw.max() <= 1
            )
            output = "prob" if is_prob else "logit"
        prob = raw if output == "prob" else 1 / (1 + np.exp(-raw))
        return (prob > 0.5).astype(np.int64), prob, 2
    if raw.ndim == 2:
        if output == "auto":
            rows_sum_to_one = np.allclose(raw.sum(axis=1), 1) and raw.min() >= 0
            output = "prob" if rows_sum_to_one else "logit"
        if output == "logit":
            shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
            raw = shifted / shifted.sum(axis=1, keepdims=True)
        scores = raw[:, 1] if raw.shape[1] == 2 else raw.max(axis=1)
        return raw.argmax(axis=1), scores, raw.shape[1]
    raise ValueError(f"the model's output has shape {raw.shape}; expected (N,), (N, 1) or (N, C)")


def decision_grid(
    model: Callable[[Tensor], Any],
    X: Any,
    resolution: int = 200,
    bounds: tuple[float, float, float, float] | None = None,
    output: str = "auto",
) -> DecisionGrid:
    """Evaluate a 2-D classifier on a resolution x resolution grid (eval mode, no graph).

    `bounds` = (xmin, xmax, ymin, ymax); by default the range of `X` plus 10% on each side.
    A model with one output gives probabilities (`output="prob"`) or logits
    (`output="logit"`); `"auto"` takes probabilities when the model ends in Sigmoid or all its
    outputs lie in [0, 1]. A model with C >= 2 outputs gives logits or probabilities per class
    (`"auto"`: probabilities when every row is >= 0 and sums to 1); the class is the argmax.
    The model's training flags are restored afterwards.
    """
    if output not in ("auto", "prob", "logit"):
        raise ValueError(f"output must be 'auto', 'prob' or 'logit', got {output!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    points = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"X must have shape (N, 2) for a 2-D decision boundary, got {points.shape}"
        )
    if bounds is None:
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-3)
        bounds = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    xx, yy = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
    classes, scores, k = _predict(model, grid, output)
    shape = xx.shape
    return DecisionGrid(xx, yy, classes.reshape(shape), scores.reshape(shape), k)


def _tab10(k: int) -> Any:
    """Colour k of matplotlib's "tab10" cycle (the multi-class shading uses the same)."""
    from matplotlib import colormaps

    return [colormaps["tab10"](k % 10)]


def plot_decision_boundary(
    model: Callable[[Tensor], Any],
    X: Any,
    y: Any,
    path: str | os.PathLike[str] | None = None,
    resolution: int = 200,
    bounds: tuple[float, float, float, float] | None = None,
    output: str = "auto",
    title: str = "Decision boundary",
    show: bool = False,
) -> Any:
    """Shade the plane by the model's prediction and draw the data points on top.

    The grid comes from `decision_grid` (same `resolution`, `bounds`, `output`). With two
    classes the shading is the probability of class 1 with the 0.5 line drawn; with more it
    is the predicted class. The shading is the figure's first collection, so
    `fig.axes[0].collections[0].get_array()` gives the plotted grid values.
    """
    grid = decision_grid(model, X, resolution, bounds, output)
    points = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
    labels = np.asarray(y.data if isinstance(y, Tensor) else y).reshape(-1)
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)  # float labels 0.0 / 1.0 (BCE targets) print as 0 / 1
    fig = _new_figure(show, (5.5, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    if grid.num_classes == 2:
        mesh = ax.pcolormesh(
            grid.xx, grid.yy, grid.scores, cmap="RdBu_r", vmin=0, vmax=1, shading="auto"
        )
        if grid.scores.min() < 0.5 < grid.scores.max():
            ax.contour(grid.xx, grid.yy, grid.scores, levels=[0.5], colors="k", linewidths=1)
        fig.colorbar(mesh, ax=ax, label="P(class 1)")
    else:
        mesh = ax.pcolormesh(
            grid.xx,
            grid.yy,
            grid.classes,
            cmap="tab10",
            vmin=0,
            vmax=9,
            alpha=0.35,
            shading="auto",
        )
    # Points: one marker per class, outlined so they show on any shading.
    markers = "o^sDvP*Xph"
    for k in np.unique(labels):
        at = labels == k
        if grid.num_classes == 2:  # white class 0, black class 1 on the red/blue shading
            face, edge = ("white", "black") if k == 0 else ("black", "white")
        else:
            face, edge = _tab10(int(k)), "black"
        ax.scatter(
            points[at, 0],
            points[at, 1],
            marker=markers[int(k) % len(markers)],
            c=face,
            edgecolors=edge,
            linewidths=0.8,
            s=80 if len(points) <= 20 else 16,
            label=f"class {k}",
        )
    if len(np.unique(labels)) <= 10:
        ax.legend(loc="best", fontsize=8, framealpha=0.8)
    ax.set_xlim(grid.xx.min(), grid.xx.max())
    ax.set_ylim(grid.yy.min(), grid.yy.max())
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    fig.tight_layout()
    return _save_or_show(fig, path, show)


# ---------------------------------------------------------------------------------------------
# Per-layer histograms


@contextlib.contextmanager
def _untouched(model: Any) -> Iterator[None]:
    """Undo what a forward pass changes: buffers (BatchNorm's running statistics), the
    training flags, and the package's random stream (dropout masks)."""
    buffers = [(b, b.data.copy()) for b in model.buffers()] if hasattr(model, "buffers") else []
    rng_state = generator().bit_generator.state
    try:
        yield
    finally:
        for b, data in buffers:
            b.data = data
        generator().bit_generator.state = rng_state


def _named_layers(model: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The leaf modules of a (nested) Sequential, in the order they run."""
    from ..nn import Sequential

    out = []
    for name, child in model.named_children():
        full = f"{prefix}{name}"
        if isinstance(child, Sequential):
            out += _named_layers(child, full + ".")
        else:
            out.append((full, child))
    return out


def collect_activations(
    model: Any, x: Any, training: bool | None = None
) -> OrderedDict[str, np.ndarray]:
    """Run a Sequential on `x` one layer at a time and return every layer's output.

    Keys are "<index> <LayerType>", e.g. "2 BatchNorm1d". `training` picks the mode (None:
    the model's current mode); in training mode dropout is active and batch norm uses the
    batch's statistics. Nothing is recorded for backward, and the model is left as it was:
    training flags, running statistics and the random stream are restored.
    """
    from ..nn import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(
            f"collect_activations needs an nn.Sequential (or nn.MLP), got {type(model).__name__}"
        )
    h = x if isinstance(x, Tensor) else Tensor(x, dtype=_input_dtype(model))
    result: OrderedDict[str, np.ndarray] = OrderedDict()
    with _untouched(model), _in_mode(model, training), no_grad():
        for name, layer in _named_layers(model):
            h = layer(h)
            result[f"{name} {type(layer).__name__}"] = np.array(h.data, copy=True)
    return result


def histogram_data(
    model: Any, x: Any = None, training: bool | None = None
) -> OrderedDict[str, dict[str, np.ndarray]]:
    """Per layer of a Sequential, the arrays `plot_histograms` draws.

    {"<index> <LayerType>": {"weights": ..., "activations": ..., "gradients": ...}}, where
    "weights" is the layer's `weight` parameter (Linear, and BatchNorm1d's scale),
    "gradients" its `.grad` from the last backward pass, and "activations" the layer's
    output on `x` (see `collect_activations`; left out when `x` is None).
    """
    acts = collect_activations(model, x, training) if x is not None else {}
    if x is None:
        from ..nn import Sequential

        if not isinstance(model, Sequential):
            raise TypeError(
                f"histogram_data needs an nn.Sequential (or nn.MLP), got {type(model).__name__}"
            )
    rows: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
    for name, layer in _named_layers(model):
        key = f"{name} {type(layer).__name__}"
        row: dict[str, np.ndarray] = {}
        weight = getattr(layer, "weight", None)
        if isinstance(weight, Tensor):
            row["weights"] = np.array(weight.data, copy=True)
            if weight.grad is not None:
                row["gradients"] = np.array(weight.grad.data, copy=True)
        if key in acts:
            row["activations"] = acts[key]
        if row:
            rows[key] = row
    return rows


_COLUMNS = ("weights", "activations", "gradients")
_COLOURS = {"weights": "tab:blue", "activations": "tab:green", "gradients": "tab:red"}


def plot_histograms(
    model_or_dict: Any,
    path: str | os.PathLike[str] | None = None,
    x: Any = None,
    training: bool | None = None,
    bins: int = 30,
    title: str | None = None,
    show: bool = False,
) -> Any:
    """A grid of histograms: one row per layer, columns weights / activations / gradients.

    `model_or_dict` is a Sequential (its data is gathered with `histogram_data(model, x,
    training)`), or a dict shaped like `histogram_data`'s result: {row: {column: array}};
    a dict of plain arrays {name: array} gives one histogram per row. Each panel states the
    mean, the standard deviation and the share of exact zeros (ReLU and dropout make zeros;
    batch norm makes activations mean 0, std 1 per feature before its scale and shift).
    """
    if isinstance(model_or_dict, Mapping):
        rows = OrderedDict(
            (str(k), dict(v) if isinstance(v, Mapping) else {"values": v})
            for k, v in model_or_dict.items()
        )
    else:
        rows = histogram_data(model_or_dict, x, training)
    if not rows:
        raise ValueError("plot_histograms: there is nothing to draw (no layers with data)")
    present = {c for row in rows.values() for c in row}
    columns = [c for c in _COLUMNS if c in present] + sorted(present - set(_COLUMNS))
    from matplotlib.ticker import MaxNLocator

    fig = _new_figure(show, (3.2 * len(columns), 1.8 * len(rows) + 0.6))
    axes = fig.subplots(len(rows), len(columns), squeeze=False)
    for c, column in enumerate(columns):
        axes[0][c].set_title(column, fontsize=11, weight="bold")
    for r, (row_name, row) in enumerate(rows.items()):
        labelled = False
        for c, column in enumerate(columns):
            ax = axes[r][c]
            if column not in row:
                ax.axis("off")
                continue
            values = np.asarray(row[column], dtype=np.float64).ravel()
            values = values[np.isfinite(values)]
            ax.hist(values, bins=bins, color=_COLOURS.get(column, "tab:gray"), alpha=0.8)
            if values.size:
                stats = f"mean {values.mean():.3g}  std {values.std():.3g}"
                stats += f"  zeros {np.mean(values == 0):.0%}"
            else:
                stats = "no finite values"
            ax.set_xlabel(stats, fontsize=7)
            ax.tick_params(labelsize=6)
            ax.xaxis.set_major_locator(MaxNLocator(5))
            if not labelled:
                ax.set_ylabel(row_name, fontsize=8)
                labelled = True
    top = 1.0
    if title:
        fig.suptitle(title)
        top = 1 - 0.4 / fig.get_figheight()  # room for the title above the column names
    fig.tight_layout(rect=(0, 0, 1, top))
    return _save_or_show(fig, path, show)
