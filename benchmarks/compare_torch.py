"""Compare tinygrad_mlp's functional, nn and nn.init with PyTorch; exit non-zero on a mismatch.

What is compared (after copying weights with `torch.from_numpy` / `np.asarray` only):
  - state-dict keys, shapes and dtypes of the origin network and other MLP variants against
    the equivalent torch.nn.Sequential, in both directions;
  - the origin network's outputs and parameter/input gradients (BCE + L2 loss) in eval mode
    and in training mode (dropout p = 0), in float64 and float32;
  - BatchNorm1d running statistics and num_batches_tracked after several training steps
    (momentum 0.1 and None), and F.batch_norm in both modes;
  - every loss with every reduction (values and gradients), at ordinary and extreme inputs;
  - softmax, log_softmax, logsumexp; calculate_gain;
  - normalize, cosine_similarity, pairwise_distance, kl_div, glu, softsign, prelu, Unflatten,
    rms_norm, margin_ranking_loss, gaussian_nll_loss, poisson_nll_loss and their modules
    (values and gradients in float64; zero and tiny vectors, zero targets, floored variances
    and kinks included);
  - PyTorch's Tensor methods and tg.<name> functions (prod, cumsum, gather, sort, topk,
    masked_fill, flip, roll, split, tril, the rounding family, log2, lerp, scatter_add,
    index_add, masked_scatter, addmm, bmm, einsum, nonzero, hstack, ...): values and dtypes in
    float64 and float32, integer and bool results exactly, gradients in float64.
  - autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) on a non-linear function of a
    tuple of inputs, with both Jacobian strategies, and a create_graph Jacobian differentiated
    again.

Run:  python benchmarks/compare_torch.py      (needs torch; prints one line per check)
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import tinygrad_mlp as tg
import tinygrad_mlp.autograd.functional as AF
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor, manual_seed

try:
    import torch
except ImportError:
    print("compare_torch: torch is not installed; nothing to compare")
    sys.exit(2)

TF = torch.nn.functional
failures: list[str] = []
TOL = {np.float64: (1e-10, 1e-12), np.float32: (2e-5, 1e-6)}  # (rtol, atol)


def check(what: str, ours: Any, theirs: Any, dtype: Any = np.float64) -> None:
    """Compare two arrays (or tensors) and print one line."""
    a = np.asarray(ours.data if isinstance(ours, Tensor) else ours, dtype=np.float64)
    b = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    b = np.asarray(b, dtype=np.float64)
    rtol, atol = TOL[np.dtype(dtype).type]
    if a.shape != b.shape:
        failures.append(what)
        print(f"MISMATCH {what}: shape {a.shape} vs torch {b.shape}")
        return
    finite = np.isfinite(a) & np.isfinite(b)  # NaN and infinities must sit at the same places
    with np.errstate(invalid="ignore"):  # inf - inf
        err = float(np.max(np.abs(a - b), initial=0.0, where=finite))
    ok = np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    if not ok:
        failures.append(what)
    print(f"{'ok      ' if ok else 'MISMATCH'} {what}: max |diff| {err:.3g}")


def expect(what: str, condition: bool, detail: str = "") -> None:
    if not condition:
        failures.append(what)
    print(f"{'ok      ' if condition else 'MISMATCH'} {what}{': ' + detail if detail else ''}")


# ---------------------------------------------------------------------------------------------
# Networks


def origin_pair(p: float, dtype: Any) -> tuple[nn.MLP, torch.nn.Sequential]:
    """The origin network in both libraries, torch's weights copied from ours."""
    ours = nn.MLP(
        [2, 4, 4, 1],
        batch_norm=[True, False],
        bn_position="after",
        dropout=p,
        output_activation="sigmoid",
        dtype=dtype,
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 4),
        torch.nn.ReLU(),
        torch.nn.BatchNorm1d(4),
        torch.nn.Dropout(p),
        torch.nn.Linear(4, 4),
        torch.nn.ReLU(),
        torch.nn.Dropout(p),
        torch.nn.Linear(4, 1),
        torch.nn.Sigmoid(),
    ).to(torch.float64 if dtype == np.float64 else torch.float32)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return ours, theirs


def compare_state_dict_layout() -> None:
    ours, theirs = origin_pair(0.5, np.float32)
    a, b = ours.state_dict(), theirs.state_dict()
    expect("origin state-dict keys", list(a) == list(b), f"{list(a)}")
    layout = all(
        a[k].shape == tuple(b[k].shape) and str(a[k].dtype) == str(b[k].dtype).split(".")[-1]
        for k in a
    )
    expect("origin state-dict shapes and dtypes", layout)
    # torch -> ours with np.asarray alone
    torch.manual_seed(0)
    fresh = origin_pair(0.5, np.float32)[1]
    ours.load_state_dict({k: np.asarray(v) for k, v in fresh.state_dict().items()})
    same = all(np.array_equal(ours.state_dict()[k], fresh.state_dict()[k].numpy()) for k in a)
    expect("torch -> tinygrad_mlp load is bit-exact", same)

    variants = {
        "bn before, 3 hidden, dropout": (
            nn.MLP([3, 5, 5, 5, 2], batch_norm=True, dropout=0.1),
            [
                torch.nn.Linear(3, 5),
                torch.nn.BatchNorm1d(5),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.1),
                torch.nn.Linear(5, 5),
                torch.nn.BatchNorm1d(5),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.1),
                torch.nn.Linear(5, 5),
                torch.nn.BatchNorm1d(5),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.1),
                torch.nn.Linear(5, 2),
            ],
        ),
        "no bias, tanh": (
            nn.MLP([3, 4, 1], activation="tanh", bias=False),
            [torch.nn.Linear(3, 4, bias=False), torch.nn.Tanh(), torch.nn.Linear(4, 1, bias=False)],
        ),
    }
    for name, (model, layers) in variants.items():
        a, b = model.state_dict(), torch.nn.Sequential(*layers).state_dict()
        ok = list(a) == list(b) and all(a[k].shape == tuple(b[k].shape) for k in a)
        expect(f"MLP({name}) state-dict keys and shapes", ok)
    bn_ours = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    bn_theirs = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    expect(
        "BatchNorm1d(affine=False, track_running_stats=False) state dict",
        list(bn_ours.state_dict()) == list(bn_theirs.state_dict()),
    )


def compare_origin(dtype: Any) -> None:
    name = np.dtype(dtype).name
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    manual_seed(0)
    ours, theirs = origin_pair(0.5, dtype)
    for module in [*ours, *theirs]:  # keep the Dropout layers (and so the keys), mask nothing
        if isinstance(module, nn.Dropout | torch.nn.Dropout):
            module.p = 0.0
    rng = np.random.default_rng(0)
    y = (rng.random((8, 1)) > 0.5).astype(dtype)
    lam = 1e-2

    def step(x: np.ndarray, label: str) -> None:
        xo = Tensor(x, dtype=dtype, requires_grad=True)
        xt = torch.tensor(x, dtype=tdtype, requires_grad=True)
        out_o, out_t = ours(xo), theirs(xt)
        check(f"origin {label} output ({name})", out_o, out_t, dtype)
        weights_o = [m.weight for m in ours if isinstance(m, nn.Linear)]
        weights_t = [m.weight for m in theirs if isinstance(m, torch.nn.Linear)]
        loss_o = F.binary_cross_entropy(out_o, y) + F.l2_penalty(weights_o, lam)
        loss_t = TF.binary_cross_entropy(out_t, torch.from_numpy(y)) + lam * sum(
            (w * w).sum() for w in weights_t
        )
        check(f"origin {label} BCE + L2 loss ({name})", loss_o, loss_t, dtype)
        ours.zero_grad()
        theirs.zero_grad()
        loss_o.backward()
        loss_t.backward()
        params_t = dict(theirs.named_parameters())
        for key, p in ours.named_parameters():
            check(f"origin {label} grad {key} ({name})", p.grad, params_t[key].grad, dtype)
        check(f"origin {label} grad input ({name})", xo.grad, xt.grad, dtype)

    for i in range(3):
        step(rng.standard_normal((8, 2)), f"train step {i}")
    for key, value in theirs.state_dict().items():
        if "running" in key or "num_batches" in key:
            check(f"origin {key} after 3 steps ({name})", ours.state_dict()[key], value, dtype)
    ours.eval()
    theirs.eval()
    step(rng.standard_normal((8, 2)), "eval")


def compare_batchnorm() -> None:
    rng = np.random.default_rng(1)
    for momentum in (0.1, None):
        ours = nn.BatchNorm1d(3, momentum=momentum).double()
        theirs = torch.nn.BatchNorm1d(3, momentum=momentum).double()
        for i in range(6):
            x = rng.normal(i, 1 + i, size=(5 + i, 3))
            check(
                f"BatchNorm1d(momentum={momentum}) train output {i}",
                ours(Tensor(x, dtype=np.float64)),
                theirs(torch.from_numpy(x)),
            )
        for key, value in theirs.state_dict().items():
            check(
                f"BatchNorm1d(momentum={momentum}) {key} after 6 steps",
                ours.state_dict()[key],
                value,
            )
        ours.eval()
        theirs.eval()
        x = rng.standard_normal((4, 3))
        check(
            f"BatchNorm1d(momentum={momentum}) eval output",
            ours(Tensor(x, dtype=np.float64)),
            theirs(torch.from_numpy(x)),
        )
    x = rng.standard_normal((4, 3, 5))
    ours, theirs = nn.BatchNorm1d(3).double(), torch.nn.BatchNorm1d(3).double()
    check(
        "BatchNorm1d (N, C, L) train output",
        ours(Tensor(x, dtype=np.float64)),
        theirs(torch.from_numpy(x)),
    )
    check("BatchNorm1d (N, C, L) running_var", ours.running_var.data, theirs.running_var)

    x = rng.standard_normal((6, 3))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    for training in (True, False):
        rm_o, rv_o = Tensor(rm, dtype=np.float64), Tensor(rv, dtype=np.float64)
        rm_t, rv_t = torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy())
        xo = Tensor(x, dtype=np.float64, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        wo, bo = (
            Tensor(w, dtype=np.float64, requires_grad=True),
            Tensor(b, dtype=np.float64, requires_grad=True),
        )
        wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
        out_o = F.batch_norm(xo, rm_o, rv_o, wo, bo, training=training, momentum=0.3, eps=1e-3)
        out_t = TF.batch_norm(xt, rm_t, rv_t, wt, bt, training=training, momentum=0.3, eps=1e-3)
        g = rng.standard_normal((6, 3))
        out_o.backward(Tensor(g, dtype=np.float64))
        out_t.backward(torch.from_numpy(g))
        label = f"F.batch_norm(training={training})"
        check(f"{label} output", out_o, out_t)
        check(f"{label} running_mean", rm_o.data, rm_t)
        check(f"{label} running_var", rv_o.data, rv_t)
        for n, a, c in (("input", xo, xt), ("weight", wo, wt), ("bias", bo, bt)):
            check(f"{label} grad {n}", a.grad, c.grad)


def compare_losses() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((7, 3)) * 3
    x[0, :] = [1000.0, -1000.0, 0.0]
    t = rng.random((7, 3))
    t[0, :] = [0.0, 1.0, 0.5]
    prob = 1 / (1 + np.exp(-rng.standard_normal((7, 3))))
    prob[0, :] = [0.0, 1.0, 1e-50]
    t_prob = t.copy()
    t_prob[0, :] = [1.0, 0.0, 1.0]
    labels = rng.integers(0, 3, size=7)

    cases: dict[str, tuple[Callable, Callable, np.ndarray, Any]] = {
        "mse_loss": (F.mse_loss, TF.mse_loss, x, t),
        "binary_cross_entropy": (F.binary_cross_entropy, TF.binary_cross_entropy, prob, t_prob),
        "binary_cross_entropy_with_logits": (
            F.binary_cross_entropy_with_logits,
            TF.binary_cross_entropy_with_logits,
            x,
            t,
        ),
        "cross_entropy": (F.cross_entropy, TF.cross_entropy, x, labels),
    }
    for name, (ours, theirs, inp, target) in cases.items():
        for reduction in ("mean", "sum", "none"):
            for dtype in (np.float64, np.float32):
                tdtype = torch.float64 if dtype == np.float64 else torch.float32
                xo = Tensor(inp, dtype=dtype, requires_grad=True)
                xt = torch.tensor(inp, dtype=tdtype, requires_grad=True)
                tt = torch.from_numpy(target if name == "cross_entropy" else target.astype(dtype))
                lo = ours(xo, target, reduction=reduction)
                lt = theirs(xt, tt, reduction=reduction)
                g = rng.uniform(0.5, 2.0, size=lt.shape)
                lo.backward(Tensor(g, dtype=dtype))
                lt.backward(torch.from_numpy(g.astype(dtype)))
                label = f"{name}(reduction={reduction!r}, {np.dtype(dtype).name})"
                check(f"{label} value", lo, lt, dtype)
                # binary_cross_entropy too: at p exactly 0 and 1 and within 1e-12 of them
                # both bound the slope by PyTorch's (p - t) / max(p (1 - p), 1e-12)
                check(f"{label} grad", xo.grad.data, xt.grad.numpy(), dtype)


def compare_softmax_family() -> None:
    x = np.random.default_rng(3).standard_normal((4, 5)) * 4
    x[0, :2] = [1000.0, -1000.0]
    for name, ours, theirs in (
        ("softmax", lambda t: F.softmax(t, axis=1), lambda t: torch.softmax(t, dim=1)),
        ("log_softmax", lambda t: F.log_softmax(t, axis=0), lambda t: torch.log_softmax(t, dim=0)),
        ("logsumexp", lambda t: F.logsumexp(t, axis=1), lambda t: torch.logsumexp(t, dim=1)),
    ):
        xo = Tensor(x, dtype=np.float64, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        out_o, out_t = ours(xo), theirs(xt)
        g = np.random.default_rng(4).standard_normal(tuple(out_t.shape))
        out_o.backward(Tensor(g, dtype=np.float64))
        out_t.backward(torch.from_numpy(g))
        check(f"{name} value", out_o, out_t)
        check(f"{name} grad", xo.grad, xt.grad)


def _compare_function(name: str, ours: Callable, theirs: Callable, arrays: list) -> None:
    """ours(*tensors) against theirs(*torch tensors), in float64: the value and the gradient
    of each input (for a random upstream gradient)."""
    xo = [Tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    xt = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out_o, out_t = ours(*xo), theirs(*xt)
    g = np.random.default_rng(8).uniform(0.5, 2.0, size=tuple(out_t.shape))
    out_o.backward(Tensor(g, dtype=np.float64))
    out_t.backward(torch.from_numpy(g))
    check(f"{name} value", out_o, out_t)
    for i, (a, c) in enumerate(zip(xo, xt)):
        # no gradient (torch's for a p=0 norm) compares as zeros
        check(
            f"{name} grad {i}",
            np.zeros(a.shape) if a.grad is None else a.grad,
            np.zeros(a.shape) if c.grad is None else c.grad,
        )


def compare_new_functions() -> None:
    """normalize, cosine_similarity, pairwise_distance (and their modules), ... with zero
    and tiny vectors among the rows."""
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    a[0], a[1] = 0.0, [1e-10, -2e-10, 0.0, 3e-10]  # a zero vector and one below eps
    b[2] = a[2]  # pairwise_distance of equal rows
    cases: list[tuple[str, Callable, Callable, list]] = []
    for p, dim in ((2.0, 1), (1.0, 0), (3.0, -1), (math.inf, 1), (2.0, (0, 1))):
        cases.append(
            (
                f"normalize(p={p}, dim={dim})",
                lambda x, p=p, dim=dim: F.normalize(x, p, dim),
                lambda x, p=p, dim=dim: TF.normalize(x, p, dim),
                [a],
            )
        )
    for dim, eps in ((1, 1e-8), (0, 1e-8), (1, 1e-3)):
        cases.append(
            (
                f"cosine_similarity(dim={dim}, eps={eps})",
                lambda x, y, dim=dim, eps=eps: F.cosine_similarity(x, y, dim, eps),
                lambda x, y, dim=dim, eps=eps: TF.cosine_similarity(x, y, dim, eps),
                [a, b],
            )
        )
    cases.append(
        (
            "CosineSimilarity broadcast (5, 4) with (1, 4)",
            nn.CosineSimilarity(),
            torch.nn.CosineSimilarity(),
            [a, b[3:4]],
        )
    )
    for p in (2.0, 1.0, 3.0, math.inf, -1.0, 0.0):
        for keepdim in (False, True):
            cases.append(
                (
                    f"pairwise_distance(p={p}, keepdim={keepdim})",
                    lambda x, y, p=p, k=keepdim: F.pairwise_distance(x, y, p, 1e-6, k),
                    lambda x, y, p=p, k=keepdim: TF.pairwise_distance(x, y, p, 1e-6, k),
                    [a, b],
                )
            )
    cases.append(
        (
            "PairwiseDistance (5, 4) with (4,)",
            nn.PairwiseDistance(),
            torch.nn.PairwiseDistance(),
            [a, b[0]],
        )
    )
    log_q = np.log(rng.dirichlet(np.ones(4), size=5))
    p_target = rng.dirichlet(np.ones(4), size=5)
    p_target[0, :2] = [0.0, p_target[0, 0] + p_target[0, 1]]  # 0: its target gradient is nan
    for reduction in ("batchmean", "sum", "none", "mean"):
        for log_target in (False, True):
            target = np.log(p_target[1:]) if log_target else p_target
            cases.append(
                (
                    f"kl_div(reduction={reduction!r}, log_target={log_target})",
                    lambda x, y, r=reduction, lt=log_target: F.kl_div(x, y, r, lt),
                    lambda x, y, r=reduction, lt=log_target: TF.kl_div(
                        x, y, reduction=r, log_target=lt
                    ),
                    [log_q[1:] if log_target else log_q, target],
                )
            )
    cases.append(
        (
            "KLDivLoss(reduction='batchmean')",
            nn.KLDivLoss(reduction="batchmean"),
            torch.nn.KLDivLoss(reduction="batchmean"),
            [log_q, p_target],
        )
    )
    x3 = rng.standard_normal((2, 3, 4))
    x3[0, 0, :2] = 0.0  # prelu's slope at 0
    for dim in (-1, 1):
        cases.append(
            (f"glu(dim={dim})", lambda x, d=dim: F.glu(x, d), lambda x, d=dim: TF.glu(x, d), [a])
        )
    cases.append(("GLU() on (2, 3, 4)", nn.GLU(), torch.nn.GLU(), [x3]))
    cases.append(("softsign", F.softsign, TF.softsign, [np.append(a.ravel(), [0.0, 1e300])]))
    for w in ([0.3], [0.1, -0.2, 0.5], 0.25):
        cases.append((f"prelu(weight={w}) on (2, 3, 4)", F.prelu, TF.prelu, [x3, np.array(w)]))
    cases.append(("prelu on a vector", F.prelu, TF.prelu, [a[2], np.array([0.2])]))
    cases.append(
        (
            "Unflatten(1, (2, -1))",
            lambda x: nn.Unflatten(1, (2, -1))(x) * 1.5,
            lambda x: torch.nn.Unflatten(1, (2, -1))(x) * 1.5,
            [a],
        )
    )
    w34 = rng.uniform(0.5, 2.0, (3, 4))
    for shape, eps in (((4,), None), ((3, 4), 1e-3)):
        cases.append(
            (
                f"rms_norm({shape}, eps={eps}) with weight",
                lambda x, w, s=shape, e=eps: F.rms_norm(x, s, w, e),
                lambda x, w, s=shape, e=eps: TF.rms_norm(x, s, w, e),
                [x3, w34[0] if len(shape) == 1 else w34],
            )
        )
    cases.append(
        ("RMSNorm(4)", nn.RMSNorm(4, dtype=np.float64), torch.nn.RMSNorm(4).double(), [x3])
    )
    y_rank = np.where(rng.random((5, 4)) < 0.5, 1.0, -1.0)
    tie = b.copy()
    tie[1] = a[1] + 0.5 * y_rank[1]  # margin 0.5: the loss is exactly 0 there
    counts = rng.poisson(2.0, (5, 4)).astype(np.float64)
    counts[0, :3] = [0.0, 1.0, 1.5]  # Stirling's term is 0 at and below 1
    var = rng.uniform(0.1, 2.0, (5, 4))
    var[0, 0] = 1e-9  # below eps: floored
    for reduction in ("mean", "sum", "none"):
        cases.append(
            (
                f"margin_ranking_loss(margin=0.5, reduction={reduction!r})",
                lambda x, y, r=reduction: F.margin_ranking_loss(x, y, y_rank, 0.5, reduction=r),
                lambda x, y, r=reduction: TF.margin_ranking_loss(
                    x, y, torch.from_numpy(y_rank), 0.5, reduction=r
                ),
                [a, tie],
            )
        )
        for full in (False, True):
            cases.append(
                (
                    f"gaussian_nll_loss(full={full}, reduction={reduction!r})",
                    lambda x, v, f=full, r=reduction: F.gaussian_nll_loss(x, b, v, f, 1e-6, r),
                    lambda x, v, f=full, r=reduction: TF.gaussian_nll_loss(
                        x, torch.from_numpy(b), v, f, 1e-6, r
                    ),
                    [a, var],
                )
            )
            for log_input in (True, False):
                rate = a if log_input else np.abs(a) + 0.1
                cases.append(
                    (
                        f"poisson_nll_loss(log_input={log_input}, full={full}, {reduction!r})",
                        lambda x, t, li=log_input, f=full, r=reduction: F.poisson_nll_loss(
                            x, t, li, f, reduction=r
                        ),
                        lambda x, t, li=log_input, f=full, r=reduction: TF.poisson_nll_loss(
                            x, t, li, f, reduction=r
                        ),
                        [rate, counts],
                    )
                )
    for var_shape in ((5, 1), (5,)):
        cases.append(
            (
                f"GaussianNLLLoss with var of shape {var_shape}",
                lambda x, v: nn.GaussianNLLLoss(full=True)(x, b, v),
                lambda x, v: torch.nn.GaussianNLLLoss(full=True)(x, torch.from_numpy(b), v),
                [a, var[:, :1].reshape(var_shape)],
            )
        )
    cases.append(
        (
            "GaussianNLLLoss with var=0.5 (a number)",
            lambda x: nn.GaussianNLLLoss()(x, b, 0.5),
            lambda x: torch.nn.GaussianNLLLoss()(x, torch.from_numpy(b), 0.5),
            [a],
        )
    )
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", UserWarning)  # both warn for 'mean'
        for name, ours, theirs, arrays in cases:
            _compare_function(name, ours, theirs, arrays)


def _method_cases() -> list[tuple[str, Callable, list[np.ndarray]]]:
    """(name, fn(tensors, module), input arrays): fn runs with module = tg and = torch."""
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((3, 4)) * 2, rng.standard_normal((3, 4))
    pos, w = np.abs(a) + 0.1, rng.uniform(-0.3, 1.3, (3, 4))
    zeros = a.copy()
    zeros[0, 1] = zeros[1, :2] = 0.0
    ties = np.array([[3.0, 1.0, np.nan, 3.0], [0.0, 2.0, 2.0, -np.inf], [1.0, 1.0, 1.0, 0.5]])
    special = np.array([1.5, np.nan, np.inf, -np.inf, -2.0])
    halves = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.49, 1.7, -1.2])
    idx = [[0, 3, 3], [1, 0, 2], [2, 2, 1]]
    rep, perm = [[0, 1, 2, 0], [0, 0, 2, 1]], [[0, 2], [3, 1], [2, 0]]  # rep repeats along 0
    return [
        ("softmax(1)", lambda t, m: t[0].softmax(1), [a]),
        ("log_softmax(0)", lambda t, m: m.log_softmax(t[0], 0), [a]),
        ("logsumexp(1, keepdim)", lambda t, m: t[0].logsumexp(1, keepdim=True), [a]),
        ("mm", lambda t, m: t[0].mm(t[1].T), [a, b]),
        ("dot", lambda t, m: m.dot(t[0][0], t[1][1]), [a, b]),
        ("outer", lambda t, m: t[0][0].outer(t[1][1]), [a, b]),
        ("prod(1) with zeros", lambda t, m: t[0].prod(1), [zeros]),
        ("prod() with a zero", lambda t, m: t[0][0].prod(), [zeros]),
        ("prod(0, keepdim)", lambda t, m: m.prod(t[0], 0, keepdim=True), [a]),
        ("cumsum(1)", lambda t, m: t[0].cumsum(1), [a]),
        ("cumsum(-2)", lambda t, m: m.cumsum(t[0], dim=-2), [a]),
        ("gather(1)", lambda t, m: t[0].gather(1, m.tensor(idx)), [a]),
        ("index_select(1)", lambda t, m: t[0].index_select(1, m.tensor([3, 0, 3])), [a]),
        ("masked_fill", lambda t, m: t[0].masked_fill(t[1] > 0, 0.5), [a, b]),
        ("where", lambda t, m: m.where(t[1] > 0, t[0], t[1]), [a, b]),
        ("maximum", lambda t, m: t[0].maximum(t[1]), [a, b]),
        ("minimum", lambda t, m: m.minimum(t[0], t[1]), [a, b]),
        ("flip(0, 1)", lambda t, m: t[0].flip(0, 1), [a]),
        ("roll(2, 1)", lambda t, m: t[0].roll(2, 1), [a]),
        ("roll(5) flattened", lambda t, m: m.roll(t[0], 5), [a]),
        ("split([1, 3], 1)", lambda t, m: t[0].split([1, 3], 1)[1], [a]),
        (
            "chunk(3, 1)",
            lambda t, m: m.cat([p * (i + 1) for i, p in enumerate(t[0].chunk(3, 1))], 1),
            [a],
        ),
        ("unbind(1)", lambda t, m: t[0].unbind(1)[2], [a]),
        ("narrow(1, -3, 2)", lambda t, m: t[0].narrow(1, -3, 2), [a]),
        ("tril(1)", lambda t, m: t[0].tril(1), [a]),
        ("triu(-1)", lambda t, m: m.triu(t[0], -1), [a]),
        ("floor", lambda t, m: t[0].floor(), [halves]),
        ("ceil", lambda t, m: t[0].ceil(), [halves]),
        ("round", lambda t, m: m.round(t[0]), [halves]),
        ("round(decimals=1)", lambda t, m: t[0].round(decimals=1), [a]),
        ("trunc", lambda t, m: t[0].trunc(), [halves]),
        ("frac", lambda t, m: t[0].frac(), [halves]),
        ("reciprocal", lambda t, m: t[0].reciprocal(), [pos]),
        ("rsqrt", lambda t, m: t[0].rsqrt(), [pos]),
        ("exp2", lambda t, m: t[0].exp2(), [a]),
        ("log2", lambda t, m: t[0].log2(), [pos]),
        ("log10", lambda t, m: m.log10(t[0]), [pos]),
        ("sinh", lambda t, m: t[0].sinh(), [a]),
        ("cosh", lambda t, m: t[0].cosh(), [a]),
        ("tan", lambda t, m: t[0].tan(), [a / 2]),
        ("sort(1) values", lambda t, m: t[0].sort(1).values, [ties]),
        ("sort(1) indices", lambda t, m: t[0].sort(dim=1, stable=True).indices, [ties]),
        (
            "sort descending indices",
            lambda t, m: t[0].sort(dim=0, descending=True, stable=True)[1],
            [ties],
        ),
        ("argsort", lambda t, m: m.argsort(t[0], dim=1, stable=True), [ties]),
        ("topk(2) values", lambda t, m: t[0].topk(2).values, [a]),
        ("topk(2, 0, largest=False) indices", lambda t, m: t[0].topk(2, 0, largest=False)[1], [a]),
        ("isnan", lambda t, m: t[0].isnan(), [special]),
        ("isinf", lambda t, m: m.isinf(t[0]), [special]),
        ("isfinite", lambda t, m: t[0].isfinite(), [special]),
        ("nan_to_num", lambda t, m: t[0].nan_to_num(), [special]),
        ("nan_to_num(1, 2, -3)", lambda t, m: t[0].nan_to_num(1.0, 2.0, -3.0), [special]),
        ("lerp(end, 0.3)", lambda t, m: t[0].lerp(t[1], 0.3), [a, b]),
        ("lerp(end, weight)", lambda t, m: m.lerp(t[0], t[1], t[2]), [a, b, w]),
        ("var_mean var", lambda t, m: m.var_mean(t[0], 1)[0], [a]),
        ("var_mean mean", lambda t, m: m.var_mean(t[0], 0, keepdim=True)[1], [a]),
        # the second batch
        ("eq", lambda t, m: t[0].eq(t[0].round()), [halves]),
        ("ge(number)", lambda t, m: m.ge(t[0], 0.5), [a]),
        ("logical_xor", lambda t, m: t[0].logical_xor(t[1] > 0), [zeros, b]),
        ("isclose method", lambda t, m: t[0].isclose(t[0] + 1e-9 * t[1]), [a, b]),
        ("count_nonzero(1)", lambda t, m: t[0].count_nonzero(1), [zeros]),
        ("count_nonzero((0, 1))", lambda t, m: m.count_nonzero(t[0], (0, 1)), [zeros]),
        ("nonzero", lambda t, m: t[0].nonzero(), [zeros]),
        ("nonzero(as_tuple)", lambda t, m: t[0].nonzero(as_tuple=True)[1], [zeros]),
        ("masked_select", lambda t, m: t[0].masked_select(t[1][0] > 0), [a, b]),
        ("clamp_min", lambda t, m: t[0].clamp_min(0.3), [a]),
        ("clamp_max", lambda t, m: m.clamp_max(t[0], -0.2), [a]),
        ("std_mean std", lambda t, m: m.std_mean(t[0], 1)[0], [a]),
        ("std_mean mean", lambda t, m: m.std_mean(t[0], 0, keepdim=True)[1], [a]),
        (
            "scatter_add(0) repeats",
            lambda t, m: t[0].scatter_add(0, m.tensor(rep), t[1][:2]),
            [a, b],
        ),
        ("scatter(1)", lambda t, m: t[0].scatter(1, m.tensor(perm), t[1][:, :2]), [a, b]),
        ("scatter(1, value)", lambda t, m: m.scatter(t[0], 1, m.tensor(rep).T[:3], 2.5), [a]),
        (
            "index_add(0, alpha)",
            lambda t, m: t[0].index_add(0, m.tensor([2, 0, 2]), t[1], alpha=2.0),
            [a, b],
        ),
        (
            "index_add_(1) on a non-leaf",
            lambda t, m: (t[0] * 1).index_add_(1, m.tensor([0, 0, 3, 1]), t[1]),
            [a, b],
        ),
        ("index_fill(1)", lambda t, m: t[0].index_fill(1, m.tensor([3, 0, 3]), -1.5), [a]),
        ("masked_scatter", lambda t, m: t[0].masked_scatter(t[1] > 0, t[1].flatten() * 3), [a, b]),
        ("bmm", lambda t, m: t[0].reshape(3, 2, 2).bmm(t[1].reshape(3, 2, 2)), [a, b]),
        ("addmm", lambda t, m: t[0][0, :3].addmm(t[0], t[1].T, beta=0.5, alpha=-2.0), [a, b]),
        ("addmm(beta=0)", lambda t, m: m.addmm(t[0][:, :3], t[0], t[1].T, beta=0), [a, b]),
        ("addcmul", lambda t, m: t[0].addcmul(t[1], t[2], value=0.3), [a, b, w]),
        ("addcdiv", lambda t, m: m.addcdiv(t[0], t[1], t[2], value=-2), [a, b, pos]),
        ("hstack", lambda t, m: m.hstack([t[0], t[1][:, :1]]), [a, b]),
        ("vstack", lambda t, m: m.vstack([t[0][0], t[1]]), [a, b]),
        ("new_full", lambda t, m: t[0].new_full((2, 3), 3), [a]),
        ("new_tensor", lambda t, m: t[0].new_tensor([1, 2]), [a]),
        ("einsum ij,kj->ik", lambda t, m: m.einsum("ij,kj->ik", t[0], t[1]), [a, b]),
        (
            "einsum bij,bjk->bik",
            lambda t, m: m.einsum("bij,bjk", t[0].reshape(3, 2, 2)[:2], t[1].reshape(3, 2, 2)[1:]),
            [a, b],
        ),
        (
            "einsum ijk,ik->j",
            lambda t, m: m.einsum("ijk,ik->j", t[0].reshape(3, 2, 2), t[1][:, :2]),
            [a, b],
        ),
        ("einsum ij->j", lambda t, m: m.einsum("ij->j", t[0]), [a]),
    ]


def compare_tensor_methods() -> None:
    for name, fn, arrays in _method_cases():
        for dtype, torch_dtype in ((np.float64, torch.float64), (np.float32, torch.float32)):
            grad = dtype is np.float64
            ours = [Tensor(x, dtype=dtype, requires_grad=grad) for x in arrays]
            theirs = [torch.tensor(x, dtype=torch_dtype, requires_grad=grad) for x in arrays]
            out_o, out_t = fn(ours, tg), fn(theirs, torch)
            label = f"{name} {np.dtype(dtype).name}"
            same_dtype = out_o.dtype.name == str(out_t.dtype).removeprefix("torch.")
            if out_o.dtype.kind != "f":
                expect(
                    f"{label} (exact)",
                    same_dtype and np.array_equal(out_o.data, out_t.numpy()),
                    f"{out_o.dtype} vs {out_t.dtype}",
                )
                continue
            expect(f"{label} dtype", same_dtype, f"{out_o.dtype} vs {out_t.dtype}")
            check(f"{label} value", out_o, out_t, dtype)
            if grad and out_t.requires_grad:
                g = np.random.default_rng(6).standard_normal(tuple(out_t.shape))
                out_o.backward(Tensor(g, dtype=np.float64))
                out_t.backward(torch.from_numpy(g))
                for i, (x_o, x_t) in enumerate(zip(ours, theirs)):
                    got = np.zeros(x_o.shape) if x_o.grad is None else x_o.grad.data
                    want = np.zeros(x_o.shape) if x_t.grad is None else x_t.grad
                    check(f"{label} grad {i}", got, want)


def compare_init() -> None:
    for shape in ((3, 3), (2, 5), (5, 2)):
        check(
            f"init.eye_ on {shape}",
            nn.init.eye_(Tensor(np.zeros(shape))),
            torch.nn.init.eye_(torch.empty(shape)),
        )
    for name, param in [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ]:
        ours = nn.init.calculate_gain(name, param)
        theirs = torch.nn.init.calculate_gain(name, param)
        expect(
            f"calculate_gain({name!r}, {param})",
            math.isclose(ours, theirs, rel_tol=1e-15),
            f"{ours}",
        )
    manual_seed(0)
    torch.manual_seed(0)
    w_o, w_t = nn.Linear(500, 400).weight.data, torch.nn.Linear(500, 400).weight.detach().numpy()
    max_o, max_t = np.abs(w_o).max(), np.abs(w_t).max()
    expect(
        "Linear default init: same bound and std",
        abs(max_o - max_t) < 1e-4 and abs(w_o.std() / w_t.std() - 1) < 0.02,
        f"max {max_o:.5f} vs {max_t:.5f}, std {w_o.std():.5f} vs {w_t.std():.5f}",
    )


def compare_autograd_functional() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(3), rng.standard_normal((2, 3))
    u, vx, vy = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((2, 3))
    TAF = torch.autograd.functional

    def vector_fn(a: Any, b: Any) -> tuple:  # the same code runs on both libraries' tensors
        return (a * b).tanh() + a.exp(), (a.sin() * b).sum()

    def scalar_fn(a: Any, b: Any) -> Any:
        return (a.exp() * b).sum() + (a**3).sum() * (b**2).sum()

    def ours(*arrays: np.ndarray) -> tuple:
        return tuple(Tensor(a, dtype=np.float64) for a in arrays)

    def theirs(*arrays: np.ndarray) -> tuple:
        return tuple(torch.from_numpy(np.array(a)) for a in arrays)

    def flat(res: Any) -> list:
        if isinstance(res, tuple | list):
            return [leaf for r in res for leaf in flat(r)]
        return [res]

    def same(what: str, a: Any, b: Any) -> None:
        a, b = flat(a), flat(b)
        expect(f"{what}: same nesting", len(a) == len(b), f"{len(a)} vs {len(b)} tensors")
        for i, (p, q) in enumerate(zip(a, b)):
            check(f"{what} [{i}]", p, q)

    for strategy in ("reverse-mode", "forward-mode"):
        same(
            f"jacobian ({strategy})",
            AF.jacobian(vector_fn, ours(x, y), vectorize=True, strategy=strategy),
            TAF.jacobian(vector_fn, theirs(x, y), vectorize=True, strategy=strategy),
        )
        same(
            f"hessian ({strategy} outer)",
            AF.hessian(scalar_fn, ours(x, y), vectorize=True, outer_jacobian_strategy=strategy),
            TAF.hessian(scalar_fn, theirs(x, y), vectorize=True, outer_jacobian_strategy=strategy),
        )
    same(
        "vjp",
        AF.vjp(vector_fn, ours(x, y), ours(u, 1.0)),
        TAF.vjp(vector_fn, theirs(x, y), theirs(u, 1.0)),
    )
    same(
        "jvp",
        AF.jvp(vector_fn, ours(x, y), ours(vx, vy)),
        TAF.jvp(vector_fn, theirs(x, y), theirs(vx, vy)),
    )
    same(
        "hvp",
        AF.hvp(scalar_fn, ours(x, y), ours(vx, vy)),
        TAF.hvp(scalar_fn, theirs(x, y), theirs(vx, vy)),
    )
    same(
        "vhp",
        AF.vhp(scalar_fn, ours(x, y), ours(vx, vy)),
        TAF.vhp(scalar_fn, theirs(x, y), theirs(vx, vy)),
    )
    xo, xt = Tensor(x, dtype=np.float64, requires_grad=True), torch.tensor(x, requires_grad=True)
    (AF.jacobian(lambda a: a.tanh() * a, xo, create_graph=True) ** 2).sum().backward()
    (TAF.jacobian(lambda a: a.tanh() * a, xt, create_graph=True) ** 2).sum().backward()
    check("jacobian(create_graph=True) differentiated again", xo.grad, xt.grad)


def main() -> int:
    print(f"tinygrad_mlp vs torch {torch.__version__}")
    compare_state_dict_layout()
    compare_origin(np.float64)
    compare_origin(np.float32)
    compare_batchnorm()
    compare_losses()
    compare_softmax_family()
    compare_new_functions()
    compare_tensor_methods()
    compare_init()
    compare_autograd_functional()
    if failures:
        print(f"\n{len(failures)} MISMATCH(ES): " + "; ".join(failures))
        return 1
    print("\nall checks agree with torch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
