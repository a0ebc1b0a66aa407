"""The demos run in-process on small settings: they print what they promise and write real
PNG files. The digits demo is checked only on its "scikit-learn is missing" path, which is
always available (scikit-learn is an optional extra)."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest

DEMOS = Path(__file__).resolve().parents[1] / "demos"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def load_demo(name):
    if str(DEMOS) not in sys.path:
        sys.path.insert(0, str(DEMOS))  # xor_seeds imports train_xor by name
    key = f"demo_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, DEMOS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up while it runs
        spec.loader.exec_module(module)
    return sys.modules[key]


def assert_png(path):
    content = Path(path).read_bytes()
    assert content[:8] == PNG_SIGNATURE
    assert len(content) > 1000


def table_rows(text):
    """The rows "X1 X2 target P(y=1) class" that train_xor prints after its header."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:3] == ["X1", "X2", "target"])
    return [line.split() for line in lines[start + 1 : start + 5]]


# ---------------------------------------------------------------------------------------------
# train_xor


def test_xor_demo_short_run_prints_table_and_writes_figures(tmp_path, capsys):
    demo = load_demo("train_xor")
    assert demo.main(["--epochs", "30", "--seed", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert_png(tmp_path / "xor_loss.png")
    assert_png(tmp_path / "xor_boundary.png")
    rows = table_rows(out)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("0", "0", "0"),
        ("1", "0", "1"),
        ("1", "1", "0"),
        ("0", "1", "1"),
    ]
    for r in rows:
        prob, cls = float(r[3]), int(r[4])
        assert 0 <= prob <= 1 and cls == int(prob > 0.5)
    correct = sum(int(r[2]) == int(r[4]) for r in rows)
    match = re.search(r"^accuracy: (\d)/4 \((\d+)%\)$", out, re.M)
    assert match and int(match[1]) == correct and int(match[2]) == round(25 * correct)
    # progress lines on a non-terminal stream: the first and the last epoch among them
    assert "epoch      1/30" in out and "epoch     30/30" in out


def test_xor_demo_defaults_solve_xor(tmp_path, capsys):
    demo = load_demo("train_xor")
    assert demo.main(["--seed", "0", "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^accuracy: 4/4 \(100%\)$", out, re.M)
    assert "epoch" not in out  # --quiet
    rows = table_rows(out)
    assert [int(r[4]) for r in rows] == [0, 1, 0, 1]


def test_xor_demo_variants_build_the_asked_network():
    demo = load_demo("train_xor")
    nn = demo.nn
    default = demo.build_model(demo.parse_args([]))
    kinds = [type(m).__name__ for m in default]
    assert kinds == [
        "Linear",
        "ReLU",
        "BatchNorm1d",
        "Dropout",
        "Linear",
        "ReLU",
        "Dropout",
        "Linear",
        "Sigmoid",
    ]
    before = demo.build_model(demo.parse_args(["--bn-position", "before", "--hidden", "2"]))
    assert [type(m).__name__ for m in before] == [
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Dropout",
        "Linear",
        "Sigmoid",
    ]
    assert before[0].weight.shape == (2, 2) and before[4].weight.shape == (1, 2)
    plain = demo.build_model(demo.parse_args(["--no-batch-norm", "--dropout", "0"]))
    assert not any(isinstance(m, nn.BatchNorm1d | nn.Dropout) for m in plain)


def test_xor_demo_adam_and_default_init_run_through_train():
    demo = load_demo("train_xor")
    args = demo.parse_args(["--optimizer", "adam", "--init", "default", "--epochs", "5"])
    result = demo.train(args, stream=io.StringIO())
    assert len(result.history) == 5
    assert result.probs.shape == (4,)
    assert result.correct == int(((result.probs > 0.5) == np.array([0, 1, 0, 1])).sum())


def test_xor_demo_rejects_bad_options(capsys):
    demo = load_demo("train_xor")
    for argv in (["--dropout", "1.5"], ["--epochs", "0"], ["--bn-position", "middle"]):
        with pytest.raises(SystemExit) as exit_info:
            demo.parse_args(argv)
        assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        demo.parse_args(["--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--epochs", "--lr", "--lam", "--hidden", "--bn-position", "--optimizer"):
        assert option in help_text


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_rewrites_one_line_on_a_terminal():
    demo = load_demo("train_xor")
    stream = FakeTerminal()
    progress = demo.Progress(400, stream, enabled=True)
    for epoch in range(1, 401):
        progress.update(epoch, 1.0 / epoch)
    progress.close()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert text.count("\r") == 200  # every second epoch of 400
    assert text.rstrip("\n").split("\r")[-1] == "epoch    400/400  loss 0.00250"


def test_xor_seeds_counts_successes(capsys):
    seeds = load_demo("xor_seeds")
    assert seeds.main(["--seeds", "3", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    per_seed = re.findall(r"^seed +(\d+): (\d)/4", out, re.M)
    assert [int(s) for s, _ in per_seed] == [0, 1, 2]
    solved = sum(c == "4" for _, c in per_seed)
    assert re.search(rf"^solved {solved}/3 seeds", out, re.M)


# ---------------------------------------------------------------------------------------------
# train_moons


@pytest.mark.parametrize("dataset, classes", [("moons", 2), ("spirals", 3)])
def test_moons_demo_quick_run(tmp_path, capsys, dataset, classes):
    demo = load_demo("train_moons")
    argv = ["--dataset", dataset, "--n", "120", "--epochs", "2", "--out", str(tmp_path)]
    assert demo.main(argv) == 0
    out = capsys.readouterr().out
    assert_png(tmp_path / f"{dataset}_loss.png")
    assert_png(tmp_path / f"{dataset}_boundary.png")
    assert f"90 training and 30 validation points, {classes} classes" in out
    for name in ("train", "val"):
        match = re.search(rf"^{name} accuracy: +([\d.]+)%$", out, re.M)
        assert match and 0 <= float(match[1]) <= 100


# ---------------------------------------------------------------------------------------------
# train_digits


def test_digits_demo_without_scikit_learn_says_how_to_install(monkeypatch, capsys, tmp_path):
    demo = load_demo("train_digits")
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    assert demo.main(["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "pip install scikit-learn" in err
    assert not any(tmp_path.iterdir())  # stopped before training or plotting
