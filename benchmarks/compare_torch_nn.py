"""Compare the new elementwise ops, activations, losses, modules and nn.utils with PyTorch;
exit non-zero on a mismatch.

What is compared (values and gradients with a random upstream gradient, float64 unless
said, on random inputs with the kinks and extreme values mixed in):
  - Tensor.sign square log1p expm1 sin cos erf;
  - every activation of functional (each setting), in float64 and float32, including
    exactly at their kinks and at +-1e3 ... +-3e38 (where the finiteness of values and
    gradients is compared with PyTorch's, and the few places where PyTorch overflows and
    tinygrad_mlp does not are printed as notes);
  - softmax / log_softmax / logsumexp with dim= and keepdim=, and cross_entropy's float32
    accuracy at logits near 1e6 and 1e7;
  - every loss, every reduction: l1, huber (several deltas), mse, nll and cross_entropy
    (weight, ignore_index, label_smoothing, class-probability targets, (N, C), (C,) and
    (N, C, d) inputs), binary_cross_entropy (weight; probabilities exactly 0 and 1 and within
    1e-12 of them), binary_cross_entropy_with_logits (weight, pos_weight, logits +-inf);
    one_hot;
  - the module reprs, ModuleList/ModuleDict layouts and state-dict keys, loss-module state
    dicts;
  - nn.utils.clip_grad_norm_ (norm types 2, 1, inf, 3, 0.5; clipping and not), clip_grad_value_,
    parameters_to_vector, vector_to_parameters.

Run:  python benchmarks/compare_torch_nn.py      (needs torch; prints one line per check)
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor
from tinygrad_mlp.nn import utils

try:
    import torch
except ImportError:
    print("compare_torch_nn: torch is not installed; nothing to compare")
    sys.exit(2)

TF = torch.nn.functional
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
TOL = {np.float64: (1e-10, 1e-300), np.float32: (3e-6, 1e-37)}  # (rtol, atol)
failures: list[str] = []
notes: list[str] = []
count = 0


def as_array(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy().astype(np.float64)
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Elementwise agreement: equal (inf == inf, nan == nan) or within the tolerance."""
    with np.errstate(invalid="ignore"):
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        near = np.abs(a - b) <= atol + rtol * np.abs(b)
    return same | (np.isfinite(a) & np.isfinite(b) & near)


def check(
    what: str,
    ours: Any,
    theirs: Any,
    dtype: Any = np.float64,
    tol: tuple[float, float] | None = None,
    skip: np.ndarray | None = None,
) -> None:
    """Compare two arrays elementwise (positions in `skip` left out) and print one line."""
    global count
    count += 1
    a, b = as_array(ours), as_array(theirs)
    rtol, atol = tol or TOL[np.dtype(dtype).type]
    if a.shape != b.shape:
        failures.append(what)
        print(f"MISMATCH {what}: shape {a.shape} vs torch {b.shape}")
        return
    ok = close(a, b, rtol, atol)
    if skip is not None:
        ok |= skip
    finite = np.isfinite(a) & np.isfinite(b)
    with np.errstate(invalid="ignore"):
        err = float(np.max(np.abs(a - b)[finite], initial=0.0))
    if not ok.all():
        failures.append(what)
        i = tuple(int(k) for k in np.argwhere(~ok)[0])
        print(f"MISMATCH {what}: at {i} ours {a[i]!r}, torch {b[i]!r} ({int((~ok).sum())} bad)")
    else:
        print(f"ok       {what}: max |diff| {err:.3g}")


def expect(what: str, condition: bool, detail: str = "") -> None:
    global count
    count += 1
    if not condition:
        failures.append(what)
    print(f"{'ok      ' if condition else 'MISMATCH'} {what}{': ' + detail if detail else ''}")


def note(text: str) -> None:
    notes.append(text)
    print(f"note     {text}")


def upstream(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    g = rng.uniform(0.5, 2.0, size=shape)
    return np.where(rng.random(shape) < 0.5, -g, g)


def run_both(
    ours: Callable, theirs: Callable, inputs: list[np.ndarray], dtype: Any, g: np.ndarray | None
) -> tuple:
    """Call both libraries on copies of `inputs` (all differentiable) and backpropagate g."""
    xo = [Tensor(a, dtype=dtype, requires_grad=True) for a in inputs]
    xt = [torch.tensor(a, dtype=TORCH_DTYPE[dtype], requires_grad=True) for a in inputs]
    with np.errstate(all="ignore"):
        out_o = ours(*xo)
        out_t = theirs(*xt)
        if g is None:
            g = np.ones(tuple(out_t.shape))
        out_o.backward(Tensor(g, dtype=dtype))
        out_t.backward(torch.tensor(g, dtype=TORCH_DTYPE[dtype]))
    return out_o, out_t, [x.grad for x in xo], [x.grad for x in xt]


# ---------------------------------------------------------------------------------------------
# Elementwise ops and activations

SPECIAL = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 2.0, 10.0, 20.0, 40.0, -40.0, 1e-8, -1e-8]
SPECIAL += [100.0, -100.0, 1e3, -1e3, 1e6, -1e6, 1e20, -1e20, 3e38, -3e38, 1e-30, -1e-30]


def test_inputs(rng: np.random.Generator, dtype: Any) -> np.ndarray:
    values = np.concatenate([rng.standard_normal(60) * 3, SPECIAL])
    if dtype == np.float64:
        values = np.concatenate([values, [1e300, -1e300, 800.0, -800.0]])
    return values


ELEMENTWISE = {
    "sign": (lambda t: t.sign(), torch.sign, None),
    "square": (lambda t: t.square(), torch.square, None),
    "log1p": (lambda t: t.log1p(), torch.log1p, (-0.999, 1e6)),
    "expm1": (lambda t: t.expm1(), torch.expm1, (-1e3, 80.0)),
    "sin": (lambda t: t.sin(), torch.sin, (-1e6, 1e6)),
    "cos": (lambda t: t.cos(), torch.cos, (-1e6, 1e6)),
    "erf": (lambda t: t.erf(), torch.erf, None),
}

ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "leaky_relu()": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu(0.2)": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "elu()": (F.elu, TF.elu),
    "elu(alpha=2.5)": (lambda x: F.elu(x, 2.5), lambda x: TF.elu(x, 2.5)),
    "gelu()": (F.gelu, TF.gelu),
    "gelu(tanh)": (lambda x: F.gelu(x, "tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "softplus()": (F.softplus, TF.softplus),
    "softplus(beta=2, threshold=3)": (
        lambda x: F.softplus(x, 2.0, 3.0),
        lambda x: TF.softplus(x, 2.0, 3.0),
    ),
    "softplus(beta=0.5)": (lambda x: F.softplus(x, 0.5), lambda x: TF.softplus(x, 0.5)),
    "mish": (F.mish, TF.mish),
    "relu6": (F.relu6, TF.relu6),
    "hardtanh()": (F.hardtanh, TF.hardtanh),
    "hardtanh(-2, 3)": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0)),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "log_sigmoid": (F.log_sigmoid, TF.logsigmoid),
}

# Where PyTorch's own float arithmetic overflows although the true result is finite, and
# ours does not: checked to be finite here instead of equal to PyTorch's inf/nan.
PYTORCH_OVERFLOWS = {
    ("square", "float32", "grad"): "2 * x overflows for |x| > 1.7e38 (ours: g*x + g*x)",
    ("gelu()", "float32", "value"): "x * (1 + erf) overflows for x > 1.7e38",
    ("gelu(tanh)", "float32", "grad"): "x * x overflows in its gradient for |x| > 1.8e19",
    ("gelu(tanh)", "float64", "grad"): "x * x overflows in its gradient for |x| > 1.3e154",
}
TOLERANCES = {
    # PyTorch's float64 slope is float32(1/6) = 0.16666667163
    ("hardsigmoid", "float64", "grad"): (1e-7, 0.0),
    # PyTorch's expm1 gradient g * (expm1(x) + 1) cancels to 0 below x = -37; ours is
    # g * exp(x)
    ("expm1", "float64", "grad"): (1e-10, 1e-15),
    # composed (ours) and hand-written (PyTorch) gradients round differently where the
    # terms nearly cancel
    ("gelu(tanh)", "float64", "grad"): (1e-9, 1e-300),
    ("expm1", "float32", "grad"): (3e-6, 1e-7),
}


def compare_unary(
    label: str, ours: Callable, theirs: Callable, x: np.ndarray, dtype: Any, key: tuple, rng: Any
) -> None:
    """Values and gradients of one elementwise function; where PyTorch's own arithmetic
    overflows (a known case in PYTORCH_OVERFLOWS), ours must be finite instead."""
    g = upstream(x.shape, rng)
    out_o, out_t, (go,), (gt,) = run_both(ours, theirs, [x], dtype, g)
    expect(f"{label} keeps the dtype", out_o.dtype == dtype and go.dtype == dtype)
    for part, a, b in (("value", out_o, out_t), ("grad", go, gt)):
        a, b = as_array(a), as_array(b)
        theirs_bad = ~np.isfinite(b)
        reason = PYTORCH_OVERFLOWS.get((*key, np.dtype(dtype).name, part))
        skip = None
        if reason and theirs_bad.any():
            skip = theirs_bad
            # where the true result is representable: float32 results checked against
            # PyTorch in float64; the float64 cases listed are all bounded (0 or 1)
            representable = theirs_bad
            if dtype == np.float32:
                _, ref, _, (ref_g,) = run_both(ours, theirs, [x], np.float64, g)
                exact = as_array(ref if part == "value" else ref_g)
                representable = theirs_bad & (np.abs(exact) <= np.finfo(np.float32).max)
            expect(
                f"{label} {part} finite where PyTorch's overflows",
                bool(np.isfinite(a[representable]).all()),
                f"{int(representable.sum())} inputs; PyTorch: {reason}",
            )
        tol = TOLERANCES.get((*key, np.dtype(dtype).name, part))
        if tol is None and dtype == np.float32:
            tol = (3e-6, 2e-6)  # float32 cancellation (1 + erf, 1 + tanh) differs in the last bits
        check(f"{label} {part}", a, b, dtype, tol, skip)
        expect(
            f"{label} {part} finite wherever PyTorch's is",
            bool(np.isfinite(a[np.isfinite(b)]).all()),
        )


def compare_elementwise(rng: np.random.Generator) -> None:
    for name, (ours, theirs, domain) in ELEMENTWISE.items():
        for dtype in (np.float64, np.float32):
            x = test_inputs(rng, dtype)
            if domain is not None:
                x = x[(x >= domain[0]) & (x <= domain[1])]
            label = f"Tensor.{name} ({np.dtype(dtype).name})"
            compare_unary(label, ours, theirs, x, dtype, (name,), rng)


def compare_activations(rng: np.random.Generator) -> None:
    for name, (ours, theirs) in ACTIVATIONS.items():
        for dtype in (np.float64, np.float32):
            x = test_inputs(rng, dtype)
            label = f"{name} ({np.dtype(dtype).name})"
            compare_unary(label, ours, theirs, x, dtype, (name,), rng)
    for text in (
        "hardsigmoid's float64 gradient in PyTorch is float32(1/6) = 0.16666667163; ours 1/6",
        "PyTorch's expm1 gradient g * (expm1(x) + 1) is 0 below x = -37; ours g * exp(x)",
        "PyTorch's float32 gelu is inf beyond x = 1.7e38, its tanh-gelu gradient nan beyond",
        "  |x| = 1.8e19 (float32) / 1.3e154 (float64), its float32 square gradient inf beyond",
        "  |x| = 1.7e38; ours are finite there (checked above)",
    ):
        note(text)


def compare_softmax_family(rng: np.random.Generator) -> None:
    x = rng.standard_normal((3, 4, 5)) * 4
    x[0, 0, :2] = [1000.0, -1000.0]
    cases = [
        ("softmax(dim=1)", lambda t: F.softmax(t, dim=1), lambda t: torch.softmax(t, dim=1)),
        ("log_softmax(dim=0)", lambda t: F.log_softmax(t, dim=0), lambda t: t.log_softmax(0)),
        ("log_softmax(axis=-1)", lambda t: F.log_softmax(t, -1), lambda t: t.log_softmax(-1)),
        (
            "logsumexp(dim=2, keepdim=True)",
            lambda t: F.logsumexp(t, dim=2, keepdim=True),
            lambda t: torch.logsumexp(t, dim=2, keepdim=True),
        ),
        (
            "logsumexp(dim=(0, 2))",
            lambda t: F.logsumexp(t, dim=(0, 2)),
            lambda t: torch.logsumexp(t, dim=(0, 2)),
        ),
    ]
    for name, ours, theirs in cases:
        for dtype in (np.float64, np.float32):
            out_t = theirs(torch.tensor(x, dtype=TORCH_DTYPE[dtype]))
            g = upstream(tuple(out_t.shape), rng)
            out_o, out_t, (go,), (gt,) = run_both(ours, theirs, [x], dtype, g)
            label = f"{name} ({np.dtype(dtype).name})"
            tol = (1e-5, 1e-4) if dtype == np.float32 else None
            check(f"{label} value", out_o, out_t, dtype, tol)
            check(f"{label} grad", go, gt, dtype, tol)
    # issue 8: float32 cross-entropy at large logits, within 2 ulp of the exact loss
    # log(1 + e^-1 + e^-2) + target (the old x - (m + log(...)) gave 1.4375 and 0.0 here)
    for base, target in ((1e6, 1), (1e7, 0), (1e6, 2)):
        z = np.array([[base, base - 1, base - 2]], dtype=np.float32)
        exact = math.log(1 + math.exp(-1) + math.exp(-2)) + target
        ulp = float(np.spacing(np.float32(exact)))
        ours = F.cross_entropy(Tensor(z), np.array([target])).item()
        theirs = TF.cross_entropy(torch.tensor(z), torch.tensor([target])).item()
        expect(
            f"cross_entropy(float32) at logits [{base:g}, -1, -2], target {target}",
            abs(ours - exact) <= 2 * ulp and abs(theirs - exact) <= 2 * ulp,
            f"{ours!r}, torch {theirs!r}, exact {exact!r}",
        )


# ---------------------------------------------------------------------------------------------
# Losses


def with_reductions(
    label: str,
    ours: Callable,
    theirs: Callable,
    inputs: list[np.ndarray],
    rng: np.random.Generator,
    dtypes: tuple = (np.float64,),
    grads: tuple[int, ...] | None = None,
    tol: tuple[float, float] | None = None,
    skip_grads: dict[int, Callable[[Any], np.ndarray]] | None = None,
) -> None:
    """Check a loss with each reduction: ours(*tensors, reduction=r) vs theirs(...)."""
    for reduction in ("mean", "sum", "none"):
        for dtype in dtypes:
            shape = tuple(theirs(*[torch.tensor(a) for a in inputs], reduction=reduction).shape)
            g = upstream(shape, rng)
            out_o, out_t, go, gt = run_both(
                lambda *t, r=reduction: ours(*t, reduction=r),
                lambda *t, r=reduction: theirs(*t, reduction=r),
                inputs,
                dtype,
                g,
            )
            name = f"{label} reduction={reduction!r} ({np.dtype(dtype).name})"
            t = tol if dtype == np.float64 or tol is None else (max(tol[0], 3e-6), tol[1])
            check(f"{name} value", out_o, out_t, dtype, t)
            for i in grads if grads is not None else range(len(inputs)):
                skip = (skip_grads or {}).get(i)
                check(f"{name} grad {i}", go[i], gt[i], dtype, t, skip and skip(dtype))


def compare_losses(rng: np.random.Generator) -> None:
    pred = rng.standard_normal((6, 3)) * 2
    target = pred + rng.standard_normal((6, 3)) * 1.5
    target[0, 0] = pred[0, 0]  # d = 0: l1's kink
    target[0, 1] = pred[0, 1] - 1.0  # |d| = delta exactly (delta = 1)
    target[0, 2] = pred[0, 2] + 2.0  # |d| = delta for delta = 2
    with_reductions("l1_loss", F.l1_loss, TF.l1_loss, [pred, target], rng, (np.float64, np.float32))
    with_reductions("mse_loss", F.mse_loss, TF.mse_loss, [pred, target], rng)
    for delta in (1.0, 2.0, 0.3):
        with_reductions(
            f"huber_loss(delta={delta})",
            lambda p, t, reduction, d=delta: F.huber_loss(p, t, reduction=reduction, delta=d),
            lambda p, t, reduction, d=delta: TF.huber_loss(p, t, reduction=reduction, delta=d),
            [pred, target],
            rng,
            (np.float64, np.float32),
        )

    # binary cross-entropy: probabilities exactly 0 and 1 and within 1e-12 of them
    prob = rng.uniform(0.02, 0.98, size=(4, 5))
    prob[0] = [0.0, 1.0, 0.0, 1.0, 1e-13]
    prob[1, :3] = [1 - 1e-13, 1e-300, 1e-5]
    t_prob = rng.uniform(0.0, 1.0, size=(4, 5))
    t_prob[0] = [1.0, 0.0, 0.0, 1.0, 1.0]
    t_prob[1, :3] = [0.0, 1.0, 0.5]

    # PyTorch's target gradient is -logit(prob), unclamped: +-inf at 0 and 1, and above 100
    # below e^-100; ours is the clamped formula's (finite). Left out of the comparison:
    def clamped(dtype: Any) -> np.ndarray:
        p = prob.astype(dtype)
        return (p == 0) | (p == 1) | (p < math.exp(-100))

    note("binary_cross_entropy target gradient at prob 0, 1, < e^-100: PyTorch +-inf or")
    note("  -log(prob) unclamped; ours the clamped formula's, |.| <= 100 (left out)")
    w = rng.uniform(0.5, 2.0, size=(5,))
    for label, ours, theirs in (
        ("binary_cross_entropy", F.binary_cross_entropy, TF.binary_cross_entropy),
        (
            "binary_cross_entropy(weight)",
            lambda p, t, reduction: F.binary_cross_entropy(p, t, w, reduction=reduction),
            lambda p, t, reduction: TF.binary_cross_entropy(
                p, t, torch.tensor(w, dtype=p.dtype), reduction=reduction
            ),
        ),
    ):
        with_reductions(
            label,
            ours,
            theirs,
            [prob, t_prob],
            rng,
            (np.float64, np.float32),
            None,
            None,
            {1: clamped},
        )

    # with logits: ordinary, huge and infinite logits; weight, pos_weight
    x = rng.standard_normal((5, 4)) * 3
    x[0] = [1000.0, -1000.0, 0.0, 50.0]
    x[1] = [np.inf, np.inf, -np.inf, -np.inf]
    t = rng.uniform(0.0, 1.0, size=(5, 4))
    t[1] = [0.0, 1.0, 0.0, 0.5]
    pos_weight = rng.uniform(0.5, 3.0, size=(4,))
    wl = rng.uniform(0.5, 2.0, size=(5, 1))
    for label, kws in (
        ("", {}),
        ("(weight)", {"w": wl}),
        ("(pos_weight)", {"pw": pos_weight}),
        ("(weight, pos_weight)", {"w": wl, "pw": pos_weight}),
    ):

        def ours(a, b, reduction, kws=kws):
            return F.binary_cross_entropy_with_logits(
                a, b, kws.get("w"), reduction=reduction, pos_weight=kws.get("pw")
            )

        def theirs(a, b, reduction, kws=kws):
            def conv(v):
                return None if v is None else torch.tensor(v, dtype=a.dtype)

            return TF.binary_cross_entropy_with_logits(
                a, b, conv(kws.get("w")), reduction=reduction, pos_weight=conv(kws.get("pw"))
            )

        with_reductions(
            f"binary_cross_entropy_with_logits{label}",
            ours,
            theirs,
            [x, t],
            rng,
            (np.float64, np.float32),
        )

    compare_class_losses(rng)


def compare_class_losses(rng: np.random.Generator) -> None:
    n, c = 7, 4
    logits = rng.standard_normal((n, c)) * 3
    logits[0] = [1000.0, -1000.0, 0.0, 3.0]
    labels = rng.integers(0, c, size=n)
    labels[2] = labels[5] = 2
    ignored = labels.copy()
    ignored[[1, 4]] = -100
    ignored_3 = labels.copy()
    ignored_3[[0, 3]] = 3  # ignore_index=3: a real class
    weight = rng.uniform(0.2, 3.0, size=c)
    probs = rng.dirichlet(np.ones(c), size=n)
    k_dim = rng.standard_normal((3, c, 5))
    k_labels = rng.integers(0, c, size=(3, 5))
    k_labels[1, 2] = -100
    single = rng.standard_normal(c)
    for kw_label, weight_kw in (("", None), ("weight, ", weight)):
        for tgt_label, tgt, ii in (
            ("", labels, -100),
            ("ignored targets, ", ignored, -100),
            ("ignore_index=3, ", ignored_3, 3),
        ):
            for ls in (0.0, 0.1, 0.7):
                lab = f"cross_entropy({kw_label}{tgt_label}label_smoothing={ls})"
                compare_cross_entropy(lab, logits, tgt, weight_kw, ii, ls, rng)
            lab = f"nll_loss({kw_label}{tgt_label.rstrip(', ')})"
            compare_nll(lab, logits, tgt, weight_kw, ii, rng)
        for ls in (0.0, 0.2):
            compare_cross_entropy(
                f"cross_entropy({kw_label}probability target, label_smoothing={ls})",
                logits,
                probs,
                weight_kw,
                -100,
                ls,
                rng,
            )
            compare_cross_entropy(
                f"cross_entropy({kw_label}(N, C, d) input, label_smoothing={ls})",
                k_dim,
                k_labels,
                weight_kw,
                -100,
                ls,
                rng,
            )
            compare_cross_entropy(
                f"cross_entropy({kw_label}(C,) input, label_smoothing={ls})",
                single,
                np.array(2),
                weight_kw,
                -100,
                ls,
                rng,
            )
        compare_nll(f"nll_loss({kw_label}(N, C, d) input)", k_dim, k_labels, weight_kw, -100, rng)
    every = np.full(n, -100)
    for reduction in ("mean", "sum"):
        ours = F.cross_entropy(Tensor(logits, dtype=np.float64), every, reduction=reduction)
        theirs = TF.cross_entropy(torch.tensor(logits), torch.tensor(every), reduction=reduction)
        check(f"cross_entropy(all targets ignored, reduction={reduction!r})", ours, theirs)

    for labels_, num in ((np.array([0, 2, 1, 2]), -1), (np.array([[1], [0]]), 5)):
        ours = F.one_hot(labels_, num)
        theirs = TF.one_hot(torch.tensor(labels_), num)
        expect(
            f"one_hot(shape {labels_.shape}, num_classes={num})",
            ours.dtype == np.int64 and np.array_equal(ours.data, theirs.numpy()),
        )


def compare_cross_entropy(
    label: str,
    x: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    ignore_index: int,
    label_smoothing: float,
    rng: np.random.Generator,
) -> None:
    for reduction in ("mean", "sum", "none"):
        for dtype in (np.float64, np.float32):
            float_target = target.dtype.kind == "f"
            inputs = [x, target] if float_target else [x]

            def ours(*ts, r=reduction, float_target=float_target):
                tgt = ts[1] if float_target else target
                return F.cross_entropy(
                    ts[0],
                    tgt,
                    weight,
                    ignore_index=ignore_index,
                    reduction=r,
                    label_smoothing=label_smoothing,
                )

            def theirs(*ts, r=reduction, float_target=float_target):
                tgt = ts[1] if float_target else torch.tensor(target)
                w = None if weight is None else torch.tensor(weight, dtype=ts[0].dtype)
                return TF.cross_entropy(
                    ts[0],
                    tgt,
                    w,
                    ignore_index=ignore_index,
                    reduction=r,
                    label_smoothing=label_smoothing,
                )

            shape = tuple(theirs(*[torch.tensor(a) for a in inputs]).shape)
            out_o, out_t, go, gt = run_both(ours, theirs, inputs, dtype, upstream(shape, rng))
            name = f"{label} reduction={reduction!r} ({np.dtype(dtype).name})"
            tol = (2e-5, 1e-6) if dtype == np.float32 else None
            check(f"{name} value", out_o, out_t, dtype, tol)
            for i in range(len(inputs)):
                check(f"{name} grad {i}", go[i], gt[i], dtype, tol)


def compare_nll(
    label: str,
    x: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    ignore_index: int,
    rng: np.random.Generator,
) -> None:
    log_probs = torch.log_softmax(torch.tensor(x), dim=0 if x.ndim == 1 else 1).numpy()
    for reduction in ("mean", "sum", "none"):

        def ours(t, r=reduction):
            return F.nll_loss(t, target, weight, ignore_index=ignore_index, reduction=r)

        def theirs(t, r=reduction):
            w = None if weight is None else torch.tensor(weight, dtype=t.dtype)
            return TF.nll_loss(t, torch.tensor(target), w, ignore_index=ignore_index, reduction=r)

        shape = tuple(theirs(torch.tensor(log_probs)).shape)
        out_o, out_t, go, gt = run_both(ours, theirs, [log_probs], np.float64, upstream(shape, rng))
        check(f"{label} reduction={reduction!r} value", out_o, out_t)
        check(f"{label} reduction={reduction!r} grad", go[0], gt[0])


# ---------------------------------------------------------------------------------------------
# Modules


def compare_modules() -> None:
    pairs = [
        (nn.LeakyReLU(), torch.nn.LeakyReLU()),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.ELU(), torch.nn.ELU()),
        (nn.ELU(alpha=0.5), torch.nn.ELU(alpha=0.5)),
        (nn.GELU(), torch.nn.GELU()),
        (nn.GELU("tanh"), torch.nn.GELU("tanh")),
        (nn.SiLU(), torch.nn.SiLU()),
        (nn.Softplus(), torch.nn.Softplus()),
        (nn.Softplus(2, 10), torch.nn.Softplus(2, 10)),
        (nn.Mish(), torch.nn.Mish()),
        (nn.ReLU6(), torch.nn.ReLU6()),
        (nn.Hardtanh(), torch.nn.Hardtanh()),
        (nn.Hardtanh(-2.0, 2.5), torch.nn.Hardtanh(-2.0, 2.5)),
        (nn.Hardswish(), torch.nn.Hardswish()),
        (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
        (nn.LogSigmoid(), torch.nn.LogSigmoid()),
        (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (nn.LogSoftmax(dim=-1), torch.nn.LogSoftmax(dim=-1)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
        (nn.MSELoss(), torch.nn.MSELoss()),
        (nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum")),
        (nn.BCELoss(), torch.nn.BCELoss()),
        (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()),
        (nn.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(label_smoothing=0.1)),
        (nn.NLLLoss(), torch.nn.NLLLoss()),
        (nn.HuberLoss(delta=2.0), torch.nn.HuberLoss(delta=2.0)),
    ]
    for ours, theirs in pairs:
        expect(f"repr {theirs!r}", repr(ours) == repr(theirs), repr(ours))
    x = np.random.default_rng(5).standard_normal((2, 3, 4))
    for ours, theirs in pairs[:20]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(f"{theirs!r} forward", ours(Tensor(x, dtype=np.float64)), theirs(torch.tensor(x)))

    w = np.array([1.0, 2.0, 0.5])
    for ours, theirs in (
        (nn.CrossEntropyLoss(weight=w), torch.nn.CrossEntropyLoss(weight=torch.tensor(w))),
        (
            nn.BCEWithLogitsLoss(weight=w, pos_weight=w),
            torch.nn.BCEWithLogitsLoss(weight=torch.tensor(w), pos_weight=torch.tensor(w)),
        ),
        (nn.NLLLoss(w), torch.nn.NLLLoss(torch.tensor(w))),
    ):
        expect(
            f"{type(theirs).__name__}(weight=...) state-dict keys",
            list(ours.state_dict()) == list(theirs.state_dict()),
            str(list(ours.state_dict())),
        )

    def build(lib: Any) -> tuple:
        lst = lib.ModuleList([lib.Linear(2, 3), lib.Linear(2, 3), lib.ReLU()])
        lst.append(lib.Linear(3, 1))
        lst.insert(1, lib.Tanh())
        lst.extend([lib.Sigmoid(), lib.Sigmoid()])
        del lst[0]
        dct = lib.ModuleDict({"enc": lib.Linear(2, 2), "act": lib.GELU()})
        dct["dec"] = lib.Linear(2, 1)
        dct.pop("act")
        return lst, dct

    (lo, do), (lt, dt) = build(nn), build(torch.nn)
    expect("ModuleList repr after append/insert/extend/del", repr(lo) == repr(lt), "\n" + repr(lo))
    expect("ModuleList state-dict keys", list(lo.state_dict()) == list(lt.state_dict()))
    expect("ModuleList slice repr", repr(lo[1:4]) == repr(lt[1:4]))
    expect("ModuleDict repr", repr(do) == repr(dt), "\n" + repr(do))
    expect(
        "ModuleDict keys and state-dict keys",
        list(do) == list(dt) and list(do.state_dict()) == list(dt.state_dict()),
    )

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
            self.heads = nn.ModuleList([nn.Linear(2, 1), nn.Linear(2, 1)])

    class TNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
            self.heads = torch.nn.ModuleList([torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)])

    seen_o: list[str] = []
    seen_t: list[str] = []
    Net().apply(lambda m: seen_o.append(type(m).__name__))
    TNet().apply(lambda m: seen_t.append(type(m).__name__.replace("TNet", "Net")))
    expect("Module.apply order", seen_o == seen_t, str(seen_o))
    names_o = [n for n, _ in Net().named_modules()]
    names_t = [n for n, _ in TNet().named_modules()]
    expect("named_modules names", names_o == names_t, str(names_o))


# ---------------------------------------------------------------------------------------------
# nn.utils


def grads_pair(rng: np.random.Generator, scale: float) -> tuple[list[Tensor], list[Any]]:
    shapes = [(3, 4), (4,), (2, 2, 2)]
    ours, theirs = [], []
    for s in shapes:
        g = rng.standard_normal(s) * scale
        p = nn.Parameter(np.zeros(s), dtype=np.float64)
        p.grad = Tensor(g, dtype=np.float64)
        q = torch.nn.Parameter(torch.zeros(s, dtype=torch.float64))
        q.grad = torch.tensor(g)
        ours.append(p)
        theirs.append(q)
    no_grad = nn.Parameter(np.zeros(2), dtype=np.float64)  # skipped by both
    ours.append(no_grad)
    theirs.append(torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)))
    return ours, theirs


def compare_utils(rng: np.random.Generator) -> None:
    for norm_type in (2.0, 1.0, math.inf, 3.0, 0.5, "inf"):
        for max_norm, scale in ((1.0, 1.0), (100.0, 1.0), (0.01, 5.0)):
            po, pt = grads_pair(rng, scale)
            total_o = utils.clip_grad_norm_(po, max_norm, norm_type=norm_type)
            total_t = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
            label = f"clip_grad_norm_(max_norm={max_norm}, norm_type={norm_type!r})"
            check(f"{label} total norm", total_o, total_t)
            for i, (a, b) in enumerate(zip(po[:3], pt[:3])):
                check(f"{label} grad {i}", a.grad, b.grad)
            expect(f"{label} leaves a missing grad None", po[3].grad is None)
    po, pt = grads_pair(rng, 2.0)
    ids = [id(p.grad.data) for p in po[:3]]
    utils.clip_grad_value_(po, 0.7)
    torch.nn.utils.clip_grad_value_(pt, 0.7)
    for i, (a, b) in enumerate(zip(po[:3], pt[:3])):
        check(f"clip_grad_value_(0.7) grad {i}", a.grad, b.grad)
    expect("clip_grad_value_ works in place", ids == [id(p.grad.data) for p in po[:3]])

    lin_o, lin_t = nn.Linear(3, 2, dtype=np.float64), torch.nn.Linear(3, 2).double()
    lin_t.load_state_dict({k: torch.from_numpy(v) for k, v in lin_o.state_dict().items()})
    vec_o = utils.parameters_to_vector(lin_o.parameters())
    vec_t = torch.nn.utils.parameters_to_vector(lin_t.parameters())
    check("parameters_to_vector", vec_o, vec_t)
    g = rng.standard_normal(vec_t.shape)
    (vec_o * Tensor(g, dtype=np.float64)).sum().backward()
    (vec_t * torch.tensor(g)).sum().backward()
    check("parameters_to_vector gradient (weight)", lin_o.weight.grad, lin_t.weight.grad)
    new = rng.standard_normal(vec_t.shape)
    utils.vector_to_parameters(Tensor(new, dtype=np.float64), lin_o.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), lin_t.parameters())
    for name in ("weight", "bias"):
        check(f"vector_to_parameters {name}", getattr(lin_o, name), getattr(lin_t, name))


def main() -> int:
    print(f"tinygrad_mlp vs torch {torch.__version__}")
    rng = np.random.default_rng(0)
    compare_elementwise(rng)
    compare_activations(rng)
    compare_softmax_family(rng)
    compare_losses(rng)
    compare_modules()
    compare_utils(rng)
    print(f"\n{count} checks, {len(notes)} notes")
    if failures:
        print(f"{len(failures)} MISMATCH(ES):\n  " + "\n  ".join(failures))
        return 1
    print("all checks agree with torch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
