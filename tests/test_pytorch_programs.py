"""The PyTorch programs of demos/pytorch_programs run on tinygrad_mlp with only their imports
changed, and reach the losses of the same algorithm written out in NumPy (float64).

Each polynomial program is run twice: as a script (float32, as written), whose printed
losses must match the NumPy reference to 1e-4 relative (float32 rounding over 2000 steps;
PyTorch itself is about 1.4e-5 from the reference), and through its train() in float64,
which must match to 1e-9. The references are written from the update rules alone
(gradients by hand), not from the library.
"""

from __future__ import annotations

import importlib.util
import io
import math
import re
import runpy
import tokenize
from pathlib import Path

import numpy as np
import pytest

import tinygrad_mlp as tg

PROGRAMS = Path(__file__).resolve().parents[1] / "demos" / "pytorch_programs"
NAMES = sorted(p.stem for p in PROGRAMS.glob("*.py"))
IMPORT_LINE = re.compile(r"\s*(import|from)\s+tinygrad_mlp\b")
STEPS = 2000
RTOL32, RTOL64 = 1e-4, 1e-9
CHAOS_FROM = 1000  # RMSprop's steps are compared before this one (see polynomial_rmsprop.py)


def load_program(name):
    """A fresh module of the program (tests change its `dtype`, so none is shared)."""
    spec = importlib.util.spec_from_file_location(f"program_{name}", PROGRAMS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(name, capsys):
    """Run the file as `python file.py` would, and return what it printed."""
    capsys.readouterr()
    runpy.run_path(str(PROGRAMS / f"{name}.py"), run_name="__main__")
    return capsys.readouterr().out


def printed_losses(out):
    """{step: loss} from the "step loss" lines the polynomial programs print."""
    pairs = re.findall(r"^(\d+) (\S+)$", out, flags=re.MULTILINE)
    return {int(t): float(loss) for t, loss in pairs}


# --------------------------------------------------------------------------- NumPy references
def features(x):
    return np.stack([np.ones_like(x), x, x**2, x**3], axis=1)


def cubic_descent(x, y, w, lr, momentum=0.0):
    """Gradient descent (heavy-ball momentum as torch.optim.SGD's) on sum((F w - y)^2)."""
    F, w, buf, losses = features(x), np.array(w, dtype=np.float64), None, []
    for _ in range(STEPS):
        r = F @ w - y
        losses.append(r @ r)
        g = 2 * F.T @ r
        buf = g if buf is None else momentum * buf + g
        w = w - lr * buf
    return np.array(losses), w


def cubic_rmsprop(x, y, w, lr, alpha=0.99, eps=1e-8):
    """torch.optim.RMSprop's defaults: v = alpha v + (1 - alpha) g^2; w -= lr g / (sqrt v + eps)."""
    F, w, v, losses = features(x), np.array(w, dtype=np.float64), np.zeros(4), []
    for _ in range(STEPS):
        r = F @ w - y
        losses.append(r @ r)
        g = 2 * F.T @ r
        v = alpha * v + (1 - alpha) * g * g
        w = w - lr * g / (np.sqrt(v) + eps)
    return np.array(losses), w


def legendre_descent(x, y, w, lr):
    """Gradient descent on sum((a + b P3(c + d x) - y)^2), P3(z) = (5 z^3 - 3 z) / 2."""
    a, b, c, d = np.array(w, dtype=np.float64)
    losses = []
    for _ in range(STEPS):
        z = c + d * x
        p3, dp3 = 0.5 * (5 * z**3 - 3 * z), 1.5 * (5 * z**2 - 1)
        r = a + b * p3 - y
        losses.append(r @ r)
        g = 2 * r
        grads = g.sum(), g @ p3, b * (g @ dp3), b * (g @ (dp3 * x))
        a, b, c, d = (v - lr * dv for v, dv in zip((a, b, c, d), grads))
    return np.array(losses), np.array([a, b, c, d])


def least_squares_loss():
    """The smallest sum of squared errors a cubic reaches on the programs' data."""
    x = np.linspace(-math.pi, math.pi, 2000)
    _, residual, _, _ = np.linalg.lstsq(features(x), np.sin(x), rcond=None)
    return float(residual[0])


# --------------------------------------------------------------------------- the polynomial fits
def start(name, module):
    """(x, initial coefficients a, b, c, d) of the program as main() would make them, in the
    module's dtype, both as float64 arrays."""
    if name in ("polynomial_autograd", "polynomial_function"):
        x, _ = module.make_data()
        if name == "polynomial_autograd":
            tg.manual_seed(0)
        coefficients = module.init_coefficients()
        return np.asarray(x, dtype=np.float64), [c.item() for c in coefficients], coefficients
    xx, _ = module.make_data()
    tg.manual_seed(0)
    model = module.make_model()
    linear = model[0]
    w = [linear.bias.item(), *np.asarray(linear.weight.data, dtype=np.float64).ravel()]
    return np.asarray(xx.data[:, 0], dtype=np.float64), w, model


def reference(name, x, w):
    """The NumPy float64 losses and final coefficients of the program's algorithm."""
    y = np.sin(x)
    if name == "polynomial_autograd":
        return cubic_descent(x, y, w, lr=1e-6)
    if name == "polynomial_function":
        return legendre_descent(x, y, w, lr=5e-6)
    if name == "polynomial_nn":
        return cubic_descent(x, y, w, lr=1e-6)
    if name == "polynomial_sgd":
        return cubic_descent(x, y, w, lr=1e-6, momentum=0.9)
    assert name == "polynomial_rmsprop"
    return cubic_rmsprop(x, y, w, lr=1e-3)


POLYNOMIALS = [n for n in NAMES if n.startswith("polynomial_")]


def compared_steps(name, steps):
    return [t for t in steps if t < CHAOS_FROM] if name == "polynomial_rmsprop" else list(steps)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_script_prints_the_losses_of_its_algorithm(name, capsys):
    module = load_program(name)
    x, w, _ = start(name, module)
    ref, _ = reference(name, x, w)
    out = run_script(name, capsys)

    losses = printed_losses(out)
    assert sorted(losses) == list(range(99, STEPS, 100))
    for t in compared_steps(name, losses):
        assert losses[t] == pytest.approx(ref[t], rel=RTOL32), f"step {t}"
    assert "Result: y = " in out
    # Every fit ends near the least-squares cubic (P3's fit is its own, a little further).
    best = least_squares_loss()
    assert best * (1 - 1e-6) <= losses[STEPS - 1] < 1.6 * best


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_train_in_float64_follows_its_algorithm_at_every_step(name, capsys):
    module = load_program(name)
    module.dtype = tg.float64
    x, w, state = start(name, module)
    _, y = module.make_data()
    ref, ref_w = reference(name, x, w)
    if name in ("polynomial_autograd", "polynomial_function"):
        losses = module.train(module.make_data()[0], y, state)
        final = [c.item() for c in state]
        assert all(c.dtype == np.float64 and c.is_leaf and c.requires_grad for c in state)
    else:
        xx, _ = module.make_data()
        losses = module.train(state, xx, y)
        linear = state[0]
        final = [linear.bias.item(), *linear.weight.data.ravel()]
        assert linear.weight.dtype == np.float64
    capsys.readouterr()

    steps = compared_steps(name, range(STEPS))
    np.testing.assert_allclose(np.array(losses)[steps], ref[steps], rtol=RTOL64)
    if name != "polynomial_rmsprop":
        np.testing.assert_allclose(final, ref_w, rtol=RTOL64, atol=1e-12)


def test_polynomial_sgd_reaches_the_least_squares_cubic(capsys):
    """Momentum converges in 2000 steps: the printed cubic is the least-squares one
    (0.856741 x - 0.0933304 x^3, even coefficients 0, from np.linalg.lstsq)."""
    out = run_script("polynomial_sgd", capsys)
    numbers = [
        float(v) for v in re.findall(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?", out.split("Result:")[1])
    ]
    a, b, c, d = numbers[:4]
    assert b == pytest.approx(0.8567408, rel=1e-4)
    assert d == pytest.approx(-0.0933304, rel=1e-4)
    assert abs(a) < 1e-4 and abs(c) < 1e-4


# --------------------------------------------------------------------------- the classifier
def test_classifier_script_trains_evaluates_and_restores(capsys):
    module = load_program("classifier")
    result = module.main()
    out = capsys.readouterr().out

    epochs = re.findall(r"^epoch +(\d+) +loss (\S+) +lr (\S+)$", out, flags=re.MULTILINE)
    assert [int(e) for e, _, _ in epochs] == list(range(1, module.EPOCHS + 1))
    # CosineAnnealingLR(T_max=EPOCHS) stepped once per epoch: lr_e = lr0 (1 + cos(pi e / T)) / 2
    for e, _, lr in epochs:
        expected = module.LEARNING_RATE * (1 + math.cos(math.pi * int(e) / module.EPOCHS)) / 2
        assert float(lr) == pytest.approx(expected, abs=1e-5)
    # The printed epoch loss is the sample-weighted mean of that epoch's step losses.
    steps_per_epoch = len(result["losses"]) // module.EPOCHS
    assert steps_per_epoch == math.ceil(480 / module.BATCH_SIZE)
    first = np.mean(result["losses"][:steps_per_epoch])  # equal batches: 480 = 15 * 32
    assert float(epochs[0][1]) == pytest.approx(first, abs=1e-4)
    assert float(epochs[-1][1]) < 0.3 < float(epochs[0][1])
    assert result["losses"][0] == pytest.approx(math.log(3), rel=0.2)  # chance: 3 classes

    assert result["train_acc"] >= 0.95 and result["test_acc"] >= 0.9
    assert f"test accuracy {result['test_acc']:.3f}" in out
    assert result["same"] is True
    assert "restored model gives the same outputs: True" in out


def test_classifier_checkpoint_restores_a_fresh_model_exactly(tmp_path):
    module = load_program("classifier")
    tg.manual_seed(3)
    X, y = module.make_spirals(n_per_class=40)
    loader = module.DataLoader(module.TensorDataset(X, y), batch_size=16, shuffle=True)
    model = module.Classifier(module.SIZES)
    module.train(model, loader, epochs=2, log=False)
    model.eval()
    path = tmp_path / "classifier.pt"
    tg.save(model.state_dict(), str(path))

    fresh = module.Classifier(module.SIZES)
    fresh.eval()
    with tg.no_grad():
        assert not np.array_equal(fresh(X).data, model(X).data)
        fresh.load_state_dict(tg.load(str(path)))
        np.testing.assert_array_equal(fresh(X).data, model(X).data)
    # the running statistics came along, and eval mode uses them
    np.testing.assert_array_equal(fresh.norm.running_var.data, model.norm.running_var.data)
    assert fresh.norm.num_batches_tracked.item() == 2 * len(loader)


def test_classifier_data_and_split():
    module = load_program("classifier")
    tg.manual_seed(0)
    X, y = module.make_spirals(n_per_class=50, n_classes=4)
    assert X.shape == (200, 2) and X.dtype == np.float32
    assert y.dtype == np.int64 and np.bincount(y.data).tolist() == [50] * 4
    assert np.all(np.hypot(X.data[:, 0], X.data[:, 1]) <= 1 + 1e-6)
    X_train, y_train, X_test, y_test = module.split(X, y)
    assert X_train.shape == (160, 2) and X_test.shape == (40, 2)
    rows = {tuple(r) for r in np.concatenate([X_train.data, X_test.data])}
    assert rows == {tuple(r) for r in X.data}  # a partition of the rows


# --------------------------------------------------------------------------- only the imports
@pytest.mark.parametrize("name", NAMES)
def test_program_names_the_library_only_in_its_imports(name):
    """What makes them PyTorch programs: with the import lines changed they are torch's."""
    text = (PROGRAMS / f"{name}.py").read_text()
    lines = text.splitlines()
    imports = [line for line in lines if IMPORT_LINE.match(line)]
    assert imports, "a program imports tinygrad_mlp"
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string == "tinygrad_mlp":
            assert IMPORT_LINE.match(lines[token.start[0] - 1]), lines[token.start[0] - 1]
    for line in imports:
        assert re.fullmatch(
            r"(import tinygrad_mlp(\.[a-z.]+)? as \w+|from tinygrad_mlp(\.[a-z.]+)? import .+)",
            line,
        ), line


def test_torch_import_spellings_reach_the_same_modules():
    """`import torch.nn.functional as F` and `from torch.utils.data import ...` have
    counterparts that are the package's own modules, not copies."""
    import tinygrad_mlp.data
    import tinygrad_mlp.functional
    import tinygrad_mlp.nn.functional as F
    from tinygrad_mlp.nn import functional as F2
    from tinygrad_mlp.nn.functional import cross_entropy
    from tinygrad_mlp.utils.data import DataLoader

    assert F is tinygrad_mlp.functional
    assert F2 is tinygrad_mlp.functional
    assert cross_entropy is tinygrad_mlp.functional.cross_entropy
    assert DataLoader is tinygrad_mlp.data.DataLoader
