"""Plot helpers: files are real PNGs, the decision grid agrees with the model, histogram data
is what the layers compute, and matplotlib stays out of `import tinygrad_mlp`."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tinygrad_mlp as tg
import tinygrad_mlp.nn as nn
from tinygrad_mlp.random import generator
from tinygrad_mlp.viz import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    content = path.read_bytes()
    assert content[:8] == PNG_SIGNATURE
    assert len(content) > 1000


def linear(in_f, out_f, weight, bias):
    layer = nn.Linear(in_f, out_f)
    layer.weight.data = np.array(weight, dtype=np.float32)
    layer.bias.data = np.array(bias, dtype=np.float32)
    return layer


def lattice(n=11):
    """All points (i/(n-1), j/(n-1)): the nodes of decision_grid(bounds=(0, 1, 0, 1))."""
    t = np.linspace(0.0, 1.0, n)
    return np.array([[a, b] for b in t for a in t])


# ---------------------------------------------------------------------------------------------
# Loss curves


def test_plot_loss_writes_png_and_plots_the_values(tmp_path):
    history = [1.0, 0.5, 0.25, 0.2]
    val = [1.1, 0.6]
    fig = plots.plot_loss(history, tmp_path / "loss.png", val_history=val, logy=True)
    assert_png(tmp_path / "loss.png")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    train_line, val_line = ax.get_lines()
    np.testing.assert_array_equal(train_line.get_ydata(), history)
    np.testing.assert_array_equal(train_line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(val_line.get_ydata(), val)
    assert val_line.get_xdata()[-1] == 4  # stretched over the same epochs


def test_plot_loss_into_new_folder_and_linear_scale(tmp_path):
    fig = plots.plot_loss(np.linspace(2, 1, 10), tmp_path / "sub" / "dir" / "loss.png")
    assert_png(tmp_path / "sub" / "dir" / "loss.png")
    assert fig.axes[0].get_yscale() == "linear"


def test_plot_loss_smoothed_curve_is_the_trailing_mean():
    history = [4.0, 2.0, 3.0, 1.0, 0.0]
    fig = plots.plot_loss(history, smooth=3)
    raw, mean = fig.axes[0].get_lines()
    np.testing.assert_array_equal(raw.get_ydata(), history)
    np.testing.assert_array_equal(mean.get_xdata(), [3, 4, 5])
    np.testing.assert_allclose(mean.get_ydata(), [9 / 3, 6 / 3, 4 / 3])
    with pytest.raises(ValueError, match="smooth"):
        plots.plot_loss(history, smooth=-1)


def test_plot_loss_rejects_empty_history():
    with pytest.raises(ValueError, match="empty"):
        plots.plot_loss([])


def test_figures_are_not_left_open_in_pyplot(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plots.plot_loss([1.0, 0.5], tmp_path / "a.png")
    model = nn.Sequential(linear(2, 1, [[1.0, -1.0]], [0.0]), nn.Sigmoid())
    plots.plot_decision_boundary(model, lattice(3), np.zeros(9), tmp_path / "b.png", resolution=8)
    assert plt.get_fignums() == before


# ---------------------------------------------------------------------------------------------
# Decision boundaries


def test_decision_grid_of_a_hand_made_sigmoid_model():
    # P(class 1) = sigmoid(2 * (x1 - x2)): class 1 exactly where x1 > x2
    model = nn.Sequential(linear(2, 1, [[2.0, -2.0]], [0.0]), nn.Sigmoid())
    grid = plots.decision_grid(model, lattice(), resolution=11, bounds=(0, 1, 0, 1))
    assert grid.xx.shape == grid.yy.shape == grid.classes.shape == (11, 11)
    np.testing.assert_allclose(grid.xx[0], np.linspace(0, 1, 11))  # columns follow x
    np.testing.assert_allclose(grid.yy[:, 0], np.linspace(0, 1, 11))  # rows follow y
    off_diagonal = ~np.isclose(grid.xx, grid.yy)
    np.testing.assert_array_equal(
        grid.classes[off_diagonal], (grid.xx > grid.yy)[off_diagonal].astype(int)
    )
    expected = 1 / (1 + np.exp(-2 * (grid.xx - grid.yy)))
    np.testing.assert_allclose(grid.scores, expected, rtol=1e-5)


def test_decision_grid_of_a_logit_model():
    # No sigmoid: outputs are logits 3*x1 - 1 (class 1 where x1 > 1/3)
    model = nn.Sequential(linear(2, 1, [[3.0, 0.0]], [-1.0]))
    for output in ("auto", "logit"):
        grid = plots.decision_grid(model, lattice(), resolution=31, bounds=(0, 1, 0, 1))
        far = np.abs(grid.xx - 1 / 3) > 1e-6
        np.testing.assert_array_equal(
            grid.classes[far], (grid.xx > 1 / 3)[far].astype(int), err_msg=output
        )
        np.testing.assert_allclose(grid.scores, 1 / (1 + np.exp(-(3 * grid.xx - 1))), rtol=1e-5)


def test_decision_grid_of_a_multiclass_model():
    # logits W @ x + b for three classes; the class is the argmax, computed here in NumPy
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    b = np.array([0.0, 0.1, 0.5])
    model = nn.Sequential(linear(2, 3, W, b))
    grid = plots.decision_grid(model, lattice(), resolution=21, bounds=(-1, 1, -1, 1))
    points = np.stack([grid.xx.ravel(), grid.yy.ravel()], axis=1)
    logits = points @ W.T + b
    top2 = np.sort(logits, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-5  # leave out ties, where float32 may go either way
    assert clear.mean() > 0.8
    np.testing.assert_array_equal(grid.classes.ravel()[clear], logits.argmax(axis=1)[clear])
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grid.scores.ravel(), softmax.max(axis=1), rtol=1e-5)
    assert grid.num_classes == 3


def test_decision_grid_of_a_two_logit_model_scores_class_one():
    # two logits (0, x1 - x2): P(class 1) = sigmoid(x1 - x2), class 1 where x1 > x2
    model = nn.Sequential(linear(2, 2, [[0.0, 0.0], [1.0, -1.0]], [0.0, 0.0]))
    grid = plots.decision_grid(model, lattice(), resolution=11, bounds=(0, 1, 0, 1))
    np.testing.assert_allclose(grid.scores, 1 / (1 + np.exp(-(grid.xx - grid.yy))), rtol=1e-5)
    off_diagonal = ~np.isclose(grid.xx, grid.yy)
    np.testing.assert_array_equal(
        grid.classes[off_diagonal], (grid.xx > grid.yy)[off_diagonal].astype(int)
    )
    assert grid.num_classes == 2


def test_decision_grid_agrees_with_the_model_at_data_points():
    # A random MLP with batch norm and dropout, left in training mode: the grid must show its
    # eval-mode predictions, and the data points are nodes of the grid.
    tg.manual_seed(3)
    model = nn.MLP([2, 8, 8, 1], batch_norm=True, dropout=0.5, output_activation="sigmoid")
    model.train()
    model(tg.Tensor(np.random.default_rng(0).standard_normal((32, 2), np.float32)))  # stats move
    X = lattice(11)
    state_before = model.state_dict()
    grid = plots.decision_grid(model, X, resolution=11, bounds=(0, 1, 0, 1))
    assert model.training and all(m.training for m in model.modules())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state_before[key], err_msg=key)

    model.eval()
    with tg.no_grad():
        probs = model(tg.Tensor(X, dtype=np.float32)).data.reshape(-1)
    ix = np.rint(X[:, 0] * 10).astype(int)
    iy = np.rint(X[:, 1] * 10).astype(int)
    np.testing.assert_allclose(grid.scores[iy, ix], probs, rtol=1e-6)
    np.testing.assert_array_equal(grid.classes[iy, ix], (probs > 0.5).astype(int))
    assert 0 < grid.classes.mean() < 1 or np.all(grid.classes == (probs[0] > 0.5))


def test_decision_grid_default_bounds_cover_the_data():
    model = nn.Sequential(linear(2, 1, [[1.0, 1.0]], [0.0]))
    X = np.array([[-2.0, 1.0], [3.0, 5.0]])
    grid = plots.decision_grid(model, X, resolution=5)
    assert grid.xx.min() < -2 and grid.xx.max() > 3
    assert grid.yy.min() < 1 and grid.yy.max() > 5


def test_decision_grid_argument_errors():
    model = nn.Sequential(linear(2, 1, [[1.0, 1.0]], [0.0]))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.decision_grid(model, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="resolution"):
        plots.decision_grid(model, np.zeros((4, 2)), resolution=1)
    with pytest.raises(ValueError, match="output"):
        plots.decision_grid(model, np.zeros((4, 2)), output="probability")


@pytest.mark.parametrize("classes", [1, 2, 3])
def test_plot_decision_boundary_draws_the_grid(tmp_path, classes):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((classes, 2))
    layers = [linear(2, classes, W, np.zeros(classes))]
    if classes == 1:
        layers.append(nn.Sigmoid())
    model = nn.Sequential(*layers)
    X = rng.uniform(-1, 1, (20, 2))
    y = rng.integers(0, max(classes, 2), 20)
    fig = plots.plot_decision_boundary(model, X, y, tmp_path / "b.png", resolution=25)
    assert_png(tmp_path / "b.png")
    grid = plots.decision_grid(model, X, resolution=25)
    drawn = np.asarray(fig.axes[0].collections[0].get_array()).reshape(25, 25)
    np.testing.assert_allclose(drawn, grid.scores if classes <= 2 else grid.classes)


# ---------------------------------------------------------------------------------------------
# Activations and histograms


def small_net():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.BatchNorm1d(6), nn.Dropout(0.5))


def test_collect_activations_in_eval_mode_match_numpy():
    model = small_net()
    model.eval()
    x = np.random.default_rng(1).standard_normal((10, 3)).astype(np.float32)
    acts = plots.collect_activations(model, x)
    assert list(acts) == ["0 Linear", "1 ReLU", "2 BatchNorm1d", "3 Dropout"]
    W, b = model[0].weight.data, model[0].bias.data
    z = x @ W.T + b
    np.testing.assert_allclose(acts["0 Linear"], z, rtol=1e-5, atol=1e-6)
    r = np.maximum(z, 0)
    np.testing.assert_allclose(acts["1 ReLU"], r, rtol=1e-5, atol=1e-6)
    bn = (r - 0.0) / np.sqrt(1.0 + 1e-5)  # fresh running stats: mean 0, var 1
    np.testing.assert_allclose(acts["2 BatchNorm1d"], bn, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["3 Dropout"], bn, rtol=1e-5, atol=1e-6)


def test_collect_activations_in_training_mode_leave_the_model_alone():
    model = small_net()
    model.eval()
    x = np.random.default_rng(1).standard_normal((64, 3))
    state = model.state_dict()
    rng_state = generator().bit_generator.state
    acts = plots.collect_activations(model, x, training=True)
    # batch norm in training mode: per-feature batch mean 0 and (biased) variance
    # var / (var + eps), where var is the variance of the ReLU output, computed here
    r = np.maximum(x @ model[0].weight.data.T.astype(np.float64) + model[0].bias.data, 0)
    bn = acts["2 BatchNorm1d"].astype(np.float64)
    np.testing.assert_allclose(bn.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(bn.var(axis=0), r.var(axis=0) / (r.var(axis=0) + 1e-5), rtol=1e-4)
    # dropout with p = 0.5: every unit is dropped (0) or doubled
    out = acts["3 Dropout"]
    kept = out != 0
    np.testing.assert_allclose(out[kept], 2 * acts["2 BatchNorm1d"][kept], rtol=1e-6)
    assert 0.3 < 1 - kept.mean() < 0.7
    # nothing changed: mode, running statistics, random stream
    assert not model.training and not any(m.training for m in model.modules())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[key], err_msg=key)
    assert generator().bit_generator.state == rng_state


def test_collect_activations_needs_a_sequential():
    with pytest.raises(TypeError, match="Sequential"):
        plots.collect_activations(nn.Linear(2, 2), np.zeros((1, 2)))


def test_histogram_data_has_weights_gradients_and_activations():
    model = small_net()
    model.train()
    x = tg.Tensor(np.random.default_rng(2).standard_normal((16, 3), np.float32))
    model(x).sum().backward()
    rows = plots.histogram_data(model, x)
    assert list(rows) == ["0 Linear", "1 ReLU", "2 BatchNorm1d", "3 Dropout"]
    assert set(rows["0 Linear"]) == {"weights", "gradients", "activations"}
    assert set(rows["1 ReLU"]) == {"activations"}
    np.testing.assert_array_equal(rows["0 Linear"]["weights"], model[0].weight.data)
    np.testing.assert_array_equal(rows["0 Linear"]["gradients"], model[0].weight.grad.data)
    np.testing.assert_array_equal(rows["2 BatchNorm1d"]["weights"], model[2].weight.data)
    assert "activations" not in plots.histogram_data(model)["0 Linear"]


def test_plot_histograms_from_model_and_from_dict(tmp_path):
    model = small_net()
    x = np.random.default_rng(2).standard_normal((16, 3))
    fig = plots.plot_histograms(model, tmp_path / "h.png", x=x, training=True)
    assert_png(tmp_path / "h.png")
    assert len(fig.axes) == 4 * 2  # 4 layers x (weights, activations); no gradients yet
    fig = plots.plot_histograms(
        {"a": np.arange(10.0), "b": np.zeros(5)}, tmp_path / "d.png", bins=5
    )
    assert_png(tmp_path / "d.png")
    assert len(fig.axes) == 2
    counts = [patch.get_height() for patch in fig.axes[0].patches]
    assert counts == [2, 2, 2, 2, 2]  # 0..9 in five equal bins
    with pytest.raises(ValueError, match="nothing"):
        plots.plot_histograms({})


# ---------------------------------------------------------------------------------------------
# Import hygiene


def test_import_does_not_load_matplotlib():
    code = (
        "import sys, tinygrad_mlp, tinygrad_mlp.viz.plots, tinygrad_mlp.optim\n"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
