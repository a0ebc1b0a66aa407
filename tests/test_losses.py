"""The losses added beside mse and the binary cross-entropies, and their modules: values
against NumPy formulas written here (PyTorch's documented definitions), gradients against
float64 central differences, float32 accuracy at large logits, PyTorch's values at
infinite logits and its bounded BCE gradient at probabilities 0 and 1, finite values and
gradients at extreme inputs, and the argument checks."""

import math

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays, shapes, upstream_grads

import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor
from tinygrad_mlp.autograd import grad

REDUCTIONS = ["mean", "sum", "none"]


def t64(x, requires_grad=False):
    return Tensor(x, dtype=np.float64, requires_grad=requires_grad)


def np_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def np_log_softmax(z, axis):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# ------------------------------------------------------------------------- l1, huber


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_l1_loss(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    pred = data.draw(arrays(shape), label="pred")
    offset = data.draw(arrays(shape, 0.1, 2.0), label="|pred - target|")  # away from the kink
    target = pred + offset * np.where(np.arange(pred.size).reshape(shape) % 2, 1, -1)
    expected = np_reduce(np.abs(pred - target), reduction)
    np.testing.assert_allclose(F.l1_loss(t64(pred), target, reduction).data, expected, rtol=1e-12)
    g = data.draw(upstream_grads(np.shape(expected)), label="g")
    check_grads(lambda p, t: F.l1_loss(p, t, reduction=reduction), [pred, target], g)


def test_l1_loss_slope_where_prediction_equals_target_is_0():
    p = t64([1.0, 2.0], requires_grad=True)
    F.l1_loss(p, np.array([1.0, 3.0]), reduction="sum").backward()
    np.testing.assert_array_equal(p.grad.data, [0.0, -1.0])


def np_huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_huber_loss(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    delta = data.draw(st.sampled_from([0.5, 1.0, 2.5]), label="delta")
    pred = data.draw(arrays(shape, -4, 4), label="pred")
    d = data.draw(arrays(shape, -4, 4, avoid=(-delta, delta), margin=0.05), label="d")
    target = pred - d
    out = F.huber_loss(t64(pred), target, reduction=reduction, delta=delta)
    expected = np_reduce(np_huber(pred - target, delta), reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    g = data.draw(upstream_grads(np.shape(expected)), label="g")

    def fn(p, t):
        return F.huber_loss(p, t, reduction, delta)

    check_grads(fn, [pred, target], g)


def test_huber_slope_at_plus_minus_delta_is_plus_minus_delta():
    p = t64([2.0, -2.0, 0.5], requires_grad=True)
    F.huber_loss(p, np.zeros(3), reduction="sum", delta=2.0).backward()
    np.testing.assert_array_equal(p.grad.data, [2.0, -2.0, 0.5])
    with pytest.raises(ValueError, match="huber_loss: delta must be positive, got 0"):
        F.huber_loss(p, np.zeros(3), delta=0)


# ------------------------------------------------------------------------- nll, cross-entropy


@st.composite
def class_problem(draw, probabilities=False):
    """(logits, target, weight or None, ignore_index) for input (N, C), (N, C, d) or (C,)."""
    layout = draw(st.sampled_from(["NC", "NCd", "C"]), label="layout")
    c = draw(st.integers(1, 4), label="C")
    n = draw(st.integers(1, 4), label="N")
    shape = {"NC": (n, c), "NCd": (n, c, draw(st.integers(1, 3))), "C": (c,)}[layout]
    logits = draw(arrays(shape, -4, 4), label="logits")
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    if probabilities:
        raw = draw(arrays(shape, 0.05, 1.0), label="raw")
        target = raw / raw.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    else:
        target = draw(hnp.arrays(np.int64, target_shape, elements=st.integers(0, c - 1)))
    weight = draw(st.none() | arrays((c,), 0.2, 3.0), label="weight")
    ignore_index = -100
    if not probabilities and draw(st.booleans(), label="ignore some"):
        ignore_index = draw(st.sampled_from([-100, 0]), label="ignore_index")
        mask = draw(hnp.arrays(np.bool_, target_shape), label="ignored")
        target = np.where(mask, ignore_index, target)
    return logits, target, weight, ignore_index


def np_nll(log_p, target, weight, ignore_index, reduction):
    """PyTorch's definition: l_n = -w[y_n] * log_p[n, y_n], 0 where y_n == ignore_index;
    mean = sum(l) / sum(w[y_n] over the counted n)."""
    axis = 0 if log_p.ndim == 1 else 1
    lp = np.moveaxis(log_p, axis, -1)  # classes last
    c = lp.shape[-1]
    w = np.ones(c) if weight is None else weight
    counted = target != ignore_index
    y = np.where(counted, target, 0)
    picked = np.take_along_axis(lp, y[..., None], axis=-1)[..., 0]
    wy = np.where(counted, w[y], 0.0)
    loss = np.where(counted, -wy * picked, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss.sum() / wy.sum()


def np_cross_entropy(z, target, weight, ignore_index, reduction, smoothing):
    """PyTorch's documented formula, written out over the class axis."""
    axis = 0 if z.ndim == 1 else 1
    c = z.shape[axis]
    log_p = np_log_softmax(z, axis)
    w = np.ones(c) if weight is None else weight
    w_b = w.reshape([c if i == axis else 1 for i in range(z.ndim)])
    if target.dtype.kind == "f":  # probabilities
        q = target * (1 - smoothing) + smoothing / c
        loss = -(w_b * q * log_p).sum(axis=axis)
        if reduction == "mean":
            return loss.sum() / (z.size / c)
        return np_reduce(loss, reduction) if reduction == "sum" else loss
    nll = np_nll(log_p, target, weight, ignore_index, reduction)
    counted = target != ignore_index
    smooth = np.where(counted, -(w_b * log_p).sum(axis=axis), 0.0)
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = smooth.sum() / w[np.where(counted, target, 0)][counted].sum()
    return (1 - smoothing) * nll + smoothing / c * smooth


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=class_problem(), data=st.data())
def test_nll_loss(reduction, case, data):
    logits, target, weight, ignore_index = case
    log_p = np_log_softmax(logits, 0 if logits.ndim == 1 else 1)
    expected = np_nll(log_p, target, weight, ignore_index, reduction)
    with np.errstate(invalid="ignore"):
        out = F.nll_loss(t64(log_p), target, weight, ignore_index=ignore_index, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    if np.isfinite(expected).all():
        g = data.draw(upstream_grads(np.shape(expected)), label="g")

        def fn(lp):
            return F.nll_loss(lp, target, weight, ignore_index=ignore_index, reduction=reduction)

        check_grads(fn, [log_p], g)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(
    case=st.one_of(class_problem(), class_problem(probabilities=True)),
    smoothing=st.sampled_from([0.0, 0.1, 0.6]),
    data=st.data(),
)
def test_cross_entropy(reduction, case, smoothing, data):
    logits, target, weight, ignore_index = case
    expected = np_cross_entropy(logits, target, weight, ignore_index, reduction, smoothing)

    def fn(z, *t):
        return F.cross_entropy(
            z,
            t[0] if t else target,
            weight,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=smoothing,
        )

    with np.errstate(invalid="ignore"):
        out = fn(t64(logits))
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)
    if np.isfinite(expected).all():
        g = data.draw(upstream_grads(np.shape(expected)), label="g")
        inputs = [logits, target] if target.dtype.kind == "f" else [logits]
        check_grads(fn, inputs, g)  # probability targets get their gradient too


def test_cross_entropy_weighted_mean_divides_by_the_weights_of_the_counted_targets():
    z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5], [1.0, 3.0, 0.0]])
    y = np.array([0, -100, 1])
    w = np.array([2.0, 0.5, 1.0])
    lp = np_log_softmax(z, 1)
    expected = (-2.0 * lp[0, 0] - 0.5 * lp[2, 1]) / (2.0 + 0.5)
    np.testing.assert_allclose(F.cross_entropy(t64(z), y, w).item(), expected, rtol=1e-14)
    # with label smoothing s: (1 - s) * that + s / C * the weighted smoothing term, also
    # divided by 2.5
    smooth = (-(w * lp[0]).sum() - (w * lp[2]).sum()) / 2.5
    out = F.cross_entropy(t64(z), y, w, label_smoothing=0.3).item()
    np.testing.assert_allclose(out, 0.7 * expected + 0.1 * smooth, rtol=1e-14)


def test_cross_entropy_with_every_target_ignored_is_nan_for_mean_and_0_for_sum():
    z = t64(np.zeros((2, 3)), requires_grad=True)
    y = np.array([-100, -100])
    assert np.isnan(F.cross_entropy(z, y).item())
    assert F.cross_entropy(z, y, reduction="sum").item() == 0.0
    F.cross_entropy(z, y, reduction="sum", label_smoothing=0.2).backward()
    np.testing.assert_array_equal(z.grad.data, 0.0)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weight", [None, np.array([1.0, 2.0, 3.0])])
def test_mean_over_every_target_ignored_is_nan_with_a_zero_gradient(weight, label_smoothing):
    """As PyTorch: the mean is sum / total weight = 0 / 0, nan, but nothing was counted, so
    no position gets a gradient (the 1/0 must not reach the ignored positions' zeros)."""
    for loss_fn in (F.cross_entropy, F.nll_loss):
        z = t64(np.arange(6.0).reshape(2, 3), requires_grad=True)
        kwargs = {"label_smoothing": label_smoothing} if loss_fn is F.cross_entropy else {}
        if loss_fn is F.nll_loss and label_smoothing:
            continue
        loss = loss_fn(z, np.array([-100, -100]), weight, **kwargs)
        assert np.isnan(loss.item())
        loss.backward()
        np.testing.assert_array_equal(z.grad.data, np.zeros((2, 3)))


@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply")
def test_mean_with_zero_total_weight_gives_nan_only_where_counted():
    """PyTorch's nll_loss gradient is -weight[y] / total at each counted position: 0 * inf =
    nan where the counted weight is 0, while an ignored position's gradient stays 0."""
    z = t64(np.zeros((3, 3)), requires_grad=True)
    loss = F.nll_loss(z, np.array([0, 1, -100]), np.array([0.0, 0.0, 1.0]))
    assert np.isnan(loss.item())
    loss.backward()
    expected = np.zeros((3, 3))
    expected[0, 0] = expected[1, 1] = np.nan
    np.testing.assert_array_equal(z.grad.data, expected)  # (nan == nan here)


def test_losses_promote_a_float64_target_as_pytorch():
    """float32 prediction, float64 target: mse/l1/bce_with_logits/cross_entropy compute in
    float64 (PyTorch's promotion, and tg's own: f32 + f64 -> f64); the prediction's gradient
    keeps its float32. An integer target leaves the float32 as it is."""
    pred = Tensor(np.array([0.5, 0.25], np.float32), requires_grad=True)
    target = np.array([0.1, 0.2])  # float64: 0.1 is not a float32 value
    mse = F.mse_loss(pred, target)
    assert mse.dtype == np.float64
    assert mse.item() == ((0.5 - 0.1) ** 2 + (0.25 - 0.2) ** 2) / 2  # in float64
    mse.backward()
    assert pred.grad.dtype == np.float32
    l1 = F.l1_loss(pred, Tensor(target, dtype=np.float64), reduction="sum")
    assert l1.dtype == np.float64 and l1.item() == (0.5 - 0.1) + (0.25 - 0.2)
    assert F.binary_cross_entropy_with_logits(pred, target).dtype == np.float64
    probs = np.array([[0.1, 0.9], [0.5, 0.5]])
    assert F.cross_entropy(Tensor(np.zeros((2, 2), np.float32)), probs).dtype == np.float64
    assert F.mse_loss(pred, np.array([0, 1])).dtype == np.float32
    # float64 prediction, float32 target: float64
    assert F.l1_loss(Tensor(np.zeros(2)), np.ones(2, np.float32)).dtype == np.float64


def test_huber_computes_in_the_inputs_dtype_and_bce_refuses_another_float_dtype():
    """PyTorch's huber_loss forward casts the target to the input's dtype (its backward then
    refuses the mismatch); its binary_cross_entropy refuses a target of another float
    dtype at once, and so does this, saying what to convert."""
    pred = Tensor(np.array([0.5, 0.25], np.float32))
    huber = F.huber_loss(pred, np.array([0.1, 0.2]))
    assert huber.dtype == np.float32
    assert huber.item() == float(np.mean(0.5 * (pred.data - np.float32([0.1, 0.2])) ** 2))
    with pytest.raises(RuntimeError, match=r"float64 but the input float32.*target.to\(float32\)"):
        F.binary_cross_entropy(pred, Tensor(np.array([0.0, 1.0])))
    with pytest.raises(RuntimeError, match="float32 but the input float64"):
        nn.BCELoss()(Tensor(np.array([0.5])), Tensor(np.array([1.0], np.float32)))
    # a NumPy array target is a constant (API.md), given the input's dtype
    assert F.binary_cross_entropy(pred, np.array([0.0, 1.0])).dtype == np.float32
    assert F.binary_cross_entropy(pred, np.array([0, 1])).dtype == np.float32  # 0/1 labels


def test_cross_entropy_in_float32_is_exact_at_large_logits():
    """Issue 8: log_softmax as (x - m) - log(sum(exp(x - m))). The old x - (m + log(...))
    rounded m + log(...) to the float32 spacing near m: 1.4375 instead of 1.4076 at 1e6,
    0.0 instead of 0.4076 at 1e7."""
    lse = math.log(1 + math.exp(-1) + math.exp(-2))
    for base in (1e6, 1e7, -1e7):
        z = np.array([[base, base - 1, base - 2]], dtype=np.float32)
        assert z[0, 0] - z[0, 1] == 1  # the logits are representable as such
        for target in (0, 1, 2):
            loss = F.cross_entropy(Tensor(z), np.array([target])).item()
            exact = lse + target
            assert abs(loss - exact) <= 2 * np.spacing(np.float32(exact)), (base, target, loss)
        log_p = F.log_softmax(Tensor(z), dim=1).data
        np.testing.assert_allclose(log_p, [[-lse, -1 - lse, -2 - lse]], rtol=1e-6)
        lse_t = F.logsumexp(t64(z), dim=1).data  # m + log(...): near m, so float64 here
        np.testing.assert_allclose(lse_t, [base + lse], rtol=1e-15)


def test_cross_entropy_probability_targets_and_class_indices_agree_on_one_hot_targets():
    rng = np.random.default_rng(4)
    z, y = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    for smoothing in (0.0, 0.25):
        a = F.cross_entropy(t64(z), y, label_smoothing=smoothing, reduction="none")
        b = F.cross_entropy(t64(z), np.eye(3)[y], label_smoothing=smoothing, reduction="none")
        np.testing.assert_allclose(a.data, b.data, rtol=1e-14)


def test_one_hot():
    out = F.one_hot(np.array([[0, 2], [1, 0]]))
    assert out.dtype == np.int64 and out.shape == (2, 2, 3) and not out.requires_grad
    np.testing.assert_array_equal(out.data, np.eye(3, dtype=np.int64)[[[0, 2], [1, 0]]])
    assert F.one_hot(Tensor(np.array([1])), num_classes=4).data.tolist() == [[0, 1, 0, 0]]
    assert F.one_hot(np.array([], dtype=np.int64), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.one_hot(np.array([0.0, 1.0])), TypeError, "integer class indices, got dtype"),
        (lambda: F.one_hot(np.array([0, -1])), ValueError, "must be non-negative, got -1"),
        (lambda: F.one_hot(np.array([3]), 3), ValueError, "smaller than num_classes=3, got 3"),
        (lambda: F.one_hot(np.array([], dtype=np.int64)), ValueError, "pass num_classes="),
        (lambda: F.one_hot(np.array([1]), 2.5), TypeError, "num_classes must be an integer"),
    ],
)
def test_one_hot_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


Z = Tensor(np.zeros((3, 4)))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.nll_loss(Z, np.array([0.0, 1, 2])), TypeError, "integer class indices"),
        (
            lambda: F.cross_entropy(Z, np.array([0, 1, 2]), np.ones(3)),
            ValueError,
            r"weight must hold one value per class, shape \(4,\), got shape \(3,\)",
        ),
        (
            lambda: F.cross_entropy(Z, np.array([0, 1, 2]), "sum"),
            TypeError,
            "got the string 'sum'; pass the reduction by name: reduction='sum'",
        ),
        (
            lambda: F.nll_loss(Z, np.array([[0, 1, 2]])),
            ValueError,
            r"target must have shape \(3,\) for input of shape \(3, 4\), got \(1, 3\)",
        ),
        (
            lambda: F.cross_entropy(Z, np.array([0, 7, 1]), ignore_index=7),
            None,
            "",
        ),
        (
            lambda: F.cross_entropy(Z, np.array([0, -100, 9])),
            ValueError,
            r"target 9 at position 2 is out of bounds: class indices lie in \[0, 4\)",
        ),
        (
            lambda: F.cross_entropy(Z, np.zeros((3, 4), dtype=np.int64)),
            TypeError,
            r"of the input's shape \(3, 4\) holds class probabilities and must be floating",
        ),
        (
            lambda: F.cross_entropy(Z, np.full((3, 4), 0.25), ignore_index=1),
            ValueError,
            "ignore_index is not supported for class-probability targets",
        ),
        (
            lambda: F.cross_entropy(Z, np.array([0, 1, 2]), label_smoothing=1.5),
            ValueError,
            "label_smoothing must be between 0.0 and 1.0, got 1.5",
        ),
        (
            lambda: F.nll_loss(Z, np.array([0, 1, 2]), reduction="avg"),
            ValueError,
            "nll_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
        ),
    ],
)
def test_class_loss_errors(call, error, message):
    if error is None:  # a target equal to ignore_index may lie outside [0, C)
        assert np.isfinite(call().item())
        return
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------------- binary losses


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_with_weight(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    prob = data.draw(arrays(shape, 0.05, 0.95), label="prob")
    target = data.draw(arrays(shape, 0.01, 0.99), label="target")
    w = data.draw(arrays(shape[-1:], 0.1, 2.0), label="weight")  # broadcast along rows
    loss = -w * (target * np.log(prob) + (1 - target) * np.log(1 - prob))
    out = F.binary_cross_entropy(t64(prob), target, w, reduction=reduction)
    np.testing.assert_allclose(out.data, np_reduce(loss, reduction), rtol=1e-12)
    g = data.draw(upstream_grads(np.shape(out.data)), label="g")

    def fn(p, t):
        return F.binary_cross_entropy(p, t, w, reduction=reduction)

    check_grads(fn, [prob, target], g)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_gradient_is_pytorchs_near_0_and_1(dtype):
    """PyTorch: d loss / d p = (p - t) / max(p (1 - p), EPSILON), EPSILON = float32(1e-12).
    Where p (1 - p) >= 1e-12 that is the derivative of the formula; closer to 0 and 1 it is
    bounded, and the loss is the clamped one."""
    eps = float(np.float32(1e-12))
    p_np = np.array([0.0, 0.0, 1.0, 1.0, 1e-13, 1e-30, 0.3])
    t_np = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.5, 0.6])
    p = Tensor(p_np, dtype=dtype, requires_grad=True)
    loss = F.binary_cross_entropy(p, t_np.astype(dtype), reduction="none")
    with np.errstate(divide="ignore"):
        logs = np.maximum(np.log(p_np.astype(dtype)), -100), np.maximum(np.log1p(-p_np), -100)
    np.testing.assert_allclose(loss.data, -(t_np * logs[0] + (1 - t_np) * logs[1]), rtol=1e-6)
    loss.backward(Tensor(np.full(7, 2.0), dtype=dtype))
    pd = p_np.astype(dtype).astype(np.float64)
    slope = (pd - t_np) / np.maximum(pd * (1 - pd), eps)
    np.testing.assert_allclose(p.grad.data, 2.0 * slope, rtol=1e-6)
    assert p.grad.data[0] < -1e12 and p.grad.data[1] == 0.0  # confidently wrong: pushed back
    # the target's gradient is the clamped formula's: finite (PyTorch's -logit(p) is inf)
    t = Tensor(t_np, dtype=dtype, requires_grad=True)
    F.binary_cross_entropy(Tensor(p_np, dtype=dtype), t, reduction="sum").backward()
    np.testing.assert_allclose(t.grad.data[:4], [100.0, 100.0, -100.0, -100.0], rtol=1e-6)


def test_binary_cross_entropy_checks_its_ranges():
    with pytest.raises(ValueError, match="every target value must lie in \\[0, 1\\]"):
        F.binary_cross_entropy(Tensor([0.5]), Tensor([1.5]))
    with pytest.raises(ValueError, match=r"weight of shape \(3,\) does not broadcast"):
        F.binary_cross_entropy(Tensor([0.5, 0.5]), Tensor([1.0, 0.0]), np.ones(3))
    with pytest.raises(TypeError, match="pass the reduction by name: reduction='none'"):
        F.binary_cross_entropy(Tensor([0.5]), Tensor([1.0]), "none")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_with_logits_weight_and_pos_weight(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(arrays(shape, -6, 6), label="logits")
    t = data.draw(arrays(shape, 0, 1), label="target")
    w = data.draw(st.none() | arrays(shape, 0.1, 2), label="weight")
    pw = data.draw(st.none() | arrays(shape[-1:], 0.2, 4), label="pos_weight")
    s = 1 / (1 + np.exp(-x))
    loss = -((1.0 if pw is None else pw) * t * np.log(s) + (1 - t) * np.log(1 - s))
    loss = loss * (1.0 if w is None else w)
    out = F.binary_cross_entropy_with_logits(t64(x), t, w, reduction=reduction, pos_weight=pw)
    np.testing.assert_allclose(out.data, np_reduce(loss, reduction), rtol=1e-10, atol=1e-14)
    g = data.draw(upstream_grads(np.shape(out.data)), label="g")

    def fn(a, b):
        return F.binary_cross_entropy_with_logits(a, b, w, reduction=reduction, pos_weight=pw)

    check_grads(fn, [x, t], g)


def test_binary_cross_entropy_with_logits_at_infinite_logits_is_pytorchs():
    """PyTorch's (1 - t) * x - log_sigmoid(x): inf where that is inf, nan where it meets
    0 * inf or inf - inf (as in PyTorch), and always the finite slope sigmoid(x) - t."""
    x = t64([np.inf, np.inf, np.inf, -np.inf, -np.inf, -np.inf], requires_grad=True)
    t = np.array([0.0, 0.5, 1.0, 0.0, 0.5, 1.0])
    with np.errstate(invalid="ignore"):
        loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_array_equal(loss.data, [np.inf, np.inf, np.nan, np.nan, np.nan, np.nan])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.5, 0.0, 0.0, -0.5, -1.0])


SECOND_ORDER = {
    "cross_entropy": lambda z: F.cross_entropy(
        z, np.array([2, 0, 1]), np.array([0.5, 2.0, 1.0]), label_smoothing=0.2
    ),
    "cross_entropy_probabilities": lambda z: F.cross_entropy(z, np.full((3, 3), 1 / 3)),
    "bce_with_logits": lambda z: F.binary_cross_entropy_with_logits(
        z, np.full((3, 3), 0.3), pos_weight=np.array([1.0, 2.0, 0.5])
    ),
    "bce": lambda z: F.binary_cross_entropy(z.sigmoid(), np.full((3, 3), 0.7), reduction="sum"),
    "huber": lambda z: F.huber_loss(z, np.zeros((3, 3)), delta=5.0),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_derivatives_of_the_losses(name):
    """h(z) = <d loss / dz, w> with the inner gradient recorded (create_graph=True): the
    engine's gradient of h against central differences, i.e. Hessian-vector products."""
    fn = SECOND_ORDER[name]
    rng = np.random.default_rng(9)
    z0, w = rng.uniform(-2, 2, (3, 3)), rng.uniform(-1, 1, (3, 3))

    def h(z):
        (d,) = grad(fn(z), z, create_graph=True)
        return (d * t64(w)).sum()

    check_grads(h, [z0], np.array(1.5), record=True)


# ------------------------------------------------------------------------- extreme inputs


def extreme(dtype):
    """Arrays of shape (2, 3) with values from -3e38 to 3e38, extremes likely."""
    big = st.sampled_from([3e38, -3e38, 1e38, -1e30, 1e20, -1e6, 0.0, 2.5])
    width = 32 if dtype == np.float32 else 64
    limit = float(np.float32(3e38))
    anything = st.floats(-limit, limit, width=width)
    return hnp.arrays(np.float64, (2, 3), elements=big | anything).map(lambda a: a.astype(dtype))


LOSSES = {
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "huber_loss": F.huber_loss,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
}


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_losses_are_finite_at_extreme_inputs_wherever_pytorchs_are(name, reduction, dtype, data):
    """Inputs up to +-3e38. PyTorch's (and these) values overflow to inf only where the true
    result, or the sum a reduction forms on the way to a mean, exceeds the largest float:
    mse where (pred - target)^2 does (or pred - target itself, e.g. 3e38 - (-3e38) in
    float32), l1 and huber where |pred - target| does, and every loss where the total of
    its elements does. Here the true per-element sizes are computed in float64 (exact enough
    and far from overflow): where their total is below max/4 everything must be finite,
    where it is above 2 * max the value must be inf (as PyTorch's); never nan. The gradients
    of l1, huber and the logits loss are bounded slopes, finite everywhere; mse's,
    2 * (pred - target), is finite where that is below max/4."""
    pred = data.draw(extreme(dtype), label="pred")
    if name == "binary_cross_entropy_with_logits":
        t = data.draw(hnp.arrays(np.float64, (2, 3), elements=st.floats(0, 1)), label="t")
        target = t.astype(dtype)  # a float64 target would make the loss float64
    else:
        target = data.draw(extreme(dtype), label="target")
    x = Tensor(pred, dtype=dtype, requires_grad=True)
    g = data.draw(st.floats(0.25, 2.0), label="g")
    with np.errstate(over="ignore"):
        out = LOSSES[name](x, target, reduction=reduction)
        out.backward(Tensor(np.full(out.shape, g), dtype=dtype))
    big = float(np.finfo(dtype).max)
    d = np.abs(pred.astype(np.float64) - np.asarray(target, dtype=np.float64))
    each = {
        "mse_loss": d * d,
        "l1_loss": d,
        "huber_loss": d,
        "binary_cross_entropy_with_logits": (1 - np.asarray(target)) * pred.astype(np.float64)
        + np.logaddexp(0, -pred.astype(np.float64)),
    }[name]
    size = each if reduction == "none" else each.sum()
    assert not np.isnan(out.data).any()
    finite, overflows = size <= big / 4, size > 2 * big
    if reduction == "none":
        assert np.isfinite(out.data[finite]).all()
        assert (out.data[overflows] == np.inf).all()
    else:
        assert np.isfinite(out.data) if finite else True
        assert out.data == np.inf if overflows else True
    assert not np.isnan(x.grad.data).any()
    if name != "mse_loss":
        assert np.isfinite(x.grad.data).all()
    else:
        assert np.isfinite(x.grad.data[2 * g * d <= big / 4]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_cross_entropy_is_finite_at_extreme_logits_wherever_the_true_loss_is(dtype, data):
    """Logits up to +-3e38: the loss is inf only where the true loss itself exceeds the
    largest float (a target class far below the max in float32, as in PyTorch, where
    x - max(x) overflows); the gradient, softmax - one-hot, is always finite."""
    z = data.draw(extreme(dtype), label="logits")
    y = data.draw(hnp.arrays(np.int64, (2,), elements=st.integers(0, 2)), label="target")
    x = Tensor(z, dtype=dtype, requires_grad=True)
    with np.errstate(over="ignore"):
        loss = F.cross_entropy(x, y, reduction="none")
        loss.sum().backward()
    gap = z.astype(np.float64).max(axis=1) - z.astype(np.float64)[np.arange(2), y]
    big = float(np.finfo(dtype).max)
    assert np.isfinite(loss.data[gap < big / 2]).all()
    assert (loss.data[gap > 1.01 * big] == np.inf).all()
    assert np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(x.grad.data.sum(axis=1), 0.0, atol=1e-6)


# ------------------------------------------------------------------------- modules


def test_loss_modules_call_functional_with_their_settings():
    rng = np.random.default_rng(7)
    z, y = t64(rng.standard_normal((4, 3))), np.array([0, 2, -100, 1])
    y2 = np.array([0, 2, 2, 1])
    w = np.array([0.5, 2.0, 1.0])
    p, t = t64(rng.uniform(0.1, 0.9, (4, 3))), rng.uniform(0, 1, (4, 3))
    cases = [
        (nn.MSELoss(reduction="sum"), F.mse_loss(p, t, reduction="sum"), (p, t)),
        (nn.L1Loss(), F.l1_loss(p, t), (p, t)),
        (nn.HuberLoss("none", 0.1), F.huber_loss(p, t, "none", 0.1), (p, t)),
        (nn.BCELoss(w), F.binary_cross_entropy(p, t, w), (p, t)),
        (
            nn.BCEWithLogitsLoss(w, pos_weight=2 * w),
            F.binary_cross_entropy_with_logits(z, t, w, pos_weight=2 * w),
            (z, t),
        ),
        (nn.NLLLoss(w, reduction="sum"), F.nll_loss(z, y, w, reduction="sum"), (z, y)),
        (
            nn.CrossEntropyLoss(w, label_smoothing=0.2),
            F.cross_entropy(z, y, w, label_smoothing=0.2),
            (z, y),
        ),
        (nn.CrossEntropyLoss(ignore_index=2), F.cross_entropy(z, y2, ignore_index=2), (z, y2)),
    ]
    for module, expected, args in cases:
        np.testing.assert_array_equal(module(*args).data, expected.data, err_msg=repr(module))
        assert repr(module) == f"{type(module).__name__}()"  # PyTorch prints no settings


def test_loss_weights_are_buffers_as_in_pytorch():
    loss = nn.CrossEntropyLoss(weight=Tensor([1.0, 2.0], dtype=np.float64))
    assert list(loss.state_dict()) == ["weight"] and loss.weight.dtype == np.float64
    both = nn.BCEWithLogitsLoss(weight=[1.0, 2.0], pos_weight=np.array([3.0, 1.0]))
    assert list(both.state_dict()) == ["weight", "pos_weight"]
    assert nn.BCELoss().state_dict() == {} and list(nn.MSELoss().parameters()) == []
    assert both.to(np.float64).pos_weight.dtype == np.float64


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.MSELoss(reduction="avg"), "MSELoss: reduction must be 'mean', 'sum'"),
        (lambda: nn.HuberLoss(delta=-1.0), "HuberLoss: delta must be positive, got -1.0"),
        (lambda: nn.CrossEntropyLoss(label_smoothing=-0.1), "between 0.0 and 1.0, got -0.1"),
        (lambda: nn.NLLLoss(ignore_index=1.5), "ignore_index must be an integer, got 1.5"),
        (lambda: nn.BCELoss("sum"), "pass the reduction by name: reduction='sum'"),
    ],
)
def test_loss_module_argument_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_loss_modules_take_pytorchs_other_settings_by_keyword_only():
    with pytest.raises(TypeError):
        nn.CrossEntropyLoss(None, None, -100)  # size_average, PyTorch's deprecated slot
    with pytest.raises(TypeError):
        nn.MSELoss("sum")


# ------------------------------------------------------------------------- dim= aliases


def test_softmax_family_takes_pytorchs_dim_and_keepdim():
    x = np.random.default_rng(8).standard_normal((2, 3, 4))
    t = t64(x)
    np.testing.assert_array_equal(F.softmax(t, dim=1).data, F.softmax(t, axis=1).data)
    np.testing.assert_array_equal(F.log_softmax(t, dim=0).data, F.log_softmax(t, 0).data)
    np.testing.assert_array_equal(F.log_softmax(t).data, F.log_softmax(t, axis=-1).data)
    a = F.logsumexp(t, dim=(0, 2), keepdim=True)
    b = F.logsumexp(t, axis=(0, 2), keepdims=True)
    assert a.shape == (1, 3, 1)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_allclose(F.logsumexp(t).data, np.log(np.exp(x).sum()), rtol=1e-14)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: F.softmax(t, 0, dim=1),
        lambda t: F.log_softmax(t, axis=-1, dim=-1),
        lambda t: F.logsumexp(t, 1, dim=1),
        lambda t: F.logsumexp(t, keepdims=True, keepdim=True),
    ],
)
def test_giving_both_spellings_is_an_error(call):
    with pytest.raises(TypeError, match=r"got both .*; give one"):
        call(t64(np.ones((2, 2))))


def test_smooth_l1_loss_is_huber_over_beta_and_l1_at_beta_0():
    pred = t64([0.0, 0.5, 2.0, -3.0], requires_grad=True)
    # beta = 1: 0.5 d^2 inside, |d| - 0.5 outside
    out = F.smooth_l1_loss(pred, np.zeros(4), reduction="none")
    np.testing.assert_array_equal(out.data, [0.0, 0.125, 1.5, 2.5])
    out.sum().backward()
    np.testing.assert_array_equal(pred.grad.data, [0.0, 0.5, 1.0, -1.0])
    # beta = 4: 0.5 d^2 / 4 everywhere here (every |d| < 4); the mean of those
    expected = (0.0 + 0.125 + 2.0 + 4.5) / 4 / 4
    assert F.smooth_l1_loss(pred, np.zeros(4), beta=4.0).item() == expected
    assert F.smooth_l1_loss(pred, np.zeros(4), reduction="sum", beta=0.0).item() == 5.5  # l1
    assert nn.SmoothL1Loss(beta=4.0)(pred, np.zeros(4)).item() == expected
    assert repr(nn.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss()"  # as PyTorch's
    with pytest.raises(ValueError, match="beta must be >= 0"):
        F.smooth_l1_loss(pred, np.zeros(4), beta=-1.0)


def test_elementwise_weight_of_mse_l1_and_huber_as_pytorch_2_13():
    """PyTorch 2.13's weight=: the losses times the weight; 'mean' divides by sum(weight)
    for mse and l1 but by the number of elements for huber. A weight that requires grad gets
    its gradient (the unweighted loss)."""
    pred = t64([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    w = t64([1.0, 3.0, 0.5, 0.5], requires_grad=True)
    zeros = np.zeros(4)
    mse = F.mse_loss(pred, zeros, weight=w)
    assert mse.item() == (1 + 12 + 4.5 + 8) / 5.0
    assert F.l1_loss(pred, zeros, weight=w, reduction="sum").item() == 1 + 6 + 1.5 + 2
    huber = F.huber_loss(pred, zeros, weight=w)  # 0.5 at 1 (inside delta = 1), then |d| - 0.5
    assert huber.item() == (0.5 * 1 + 1.5 * 3 + 2.5 * 0.5 + 3.5 * 0.5) / 4
    F.mse_loss(pred, zeros, weight=w, reduction="sum").backward()
    np.testing.assert_array_equal(w.grad.data, [1.0, 4.0, 9.0, 16.0])
    np.testing.assert_array_equal(pred.grad.data, [2.0, 12.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="weight has shape \\(2,\\) but the input \\(4,\\)"):
        F.l1_loss(pred, zeros, weight=np.ones(2))


# ------------------------------------------------------------------------- kl_div


def np_kl_div(log_q, p, reduction, log_target=False):
    if log_target:
        loss = np.exp(p) * (p - log_q)
    else:
        safe = np.where(p > 0, p, 1.0)
        loss = np.where(p > 0, p * np.log(safe), 0.0) - p * log_q
    if reduction == "batchmean":
        return loss.sum() / log_q.shape[0]
    return np_reduce(loss, reduction)


def kl_problem(seed=0):
    rng = np.random.default_rng(seed)
    log_q = np_log_softmax(rng.standard_normal((4, 5)), 1)
    p = rng.dirichlet(np.ones(5), size=4)
    p[0, :2] = [0.0, p[0, 0] + p[0, 1]]  # a target that is 0
    return log_q, p


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    log_q, p = kl_problem()
    target = np.log(p[1:]) if log_target else p  # log_target: the rows without a 0
    x = log_q[1:] if log_target else log_q
    out = F.kl_div(t64(x), target, reduction=reduction, log_target=log_target)
    expected = np_kl_div(x, target, reduction, log_target)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    # the gradients of both, of the target too, away from its zeros (row 0)
    a, b = (x, target) if log_target else (x[1:], target[1:])
    check_grads(lambda u, v: F.kl_div(u, v, reduction, log_target), [a, b])


def test_kl_div_mean_divides_by_every_element_and_warns_as_torch():
    log_q, p = kl_problem(1)
    with pytest.warns(UserWarning, match="'batchmean'"):
        out = F.kl_div(t64(log_q), p)
    np.testing.assert_allclose(out.data, np_kl_div(log_q, p, "mean"), rtol=1e-12)
    np.testing.assert_allclose(out.data * 5, F.kl_div(t64(log_q), p, "batchmean").data)
    with pytest.warns(UserWarning, match="'batchmean'"):
        nn.KLDivLoss()(t64(log_q), p)


def test_kl_div_where_the_target_is_0_adds_nothing_and_its_gradient_is_torchs_nan():
    x = t64([[-1.0, -2.0]], requires_grad=True)
    t = t64([[0.0, 1.0]], requires_grad=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = F.kl_div(x, t, reduction="sum")
        out.backward()
    assert out.item() == 2.0  # 0 * (log 0 - (-1)) counts 0, 1 * (0 - (-2)) = 2
    np.testing.assert_array_equal(x.grad.data, [[-0.0, -1.0]])
    assert np.isnan(t.grad.data[0, 0]) and t.grad.data[0, 1] == pytest.approx(1 + 0 + 2)
    scalar = F.kl_div(t64(-1.0), t64(0.5), reduction="batchmean")  # 0-d: the sum
    assert scalar.item() == pytest.approx(0.5 * (np.log(0.5) + 1))


def test_kl_div_errors_and_module():
    with pytest.raises(ValueError, match="kl_div: reduction must be 'batchmean'"):
        F.kl_div(t64([-1.0]), [1.0], reduction="avg")
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match="kl_div: input has shape"):
        F.kl_div(t64([[-1.0, -1.0]]), [1.0, 0.0], reduction="sum")
    loss = nn.KLDivLoss(reduction="sum", log_target=True)
    x, t = t64([[-1.0, -2.0]]), np.log([[0.25, 0.75]])
    assert loss(x, t).item() == F.kl_div(x, t, "sum", True).item()
    assert loss.reduction == "sum" and loss.log_target is True


# ------------------------------------------------------------ ranking, gaussian, poisson


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss(reduction):
    rng = np.random.default_rng(3)
    x1, x2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    y = np.where(rng.random((4, 3)) < 0.5, 1.0, -1.0)
    x2[np.abs(-y * (x1 - x2) + 0.3) < 0.05] += 0.2  # away from the kink
    out = F.margin_ranking_loss(t64(x1), t64(x2), y, 0.3, reduction=reduction)
    expected = np_reduce(np.maximum(0.0, -y * (x1 - x2) + 0.3), reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    check_grads(lambda a, b: F.margin_ranking_loss(a, b, y, 0.3, reduction=reduction), [x1, x2])


def test_margin_ranking_loss_slope_at_0_and_broadcasting_and_errors():
    a, b = t64([1.0, 2.0], requires_grad=True), t64([0.5, 0.0])
    F.margin_ranking_loss(a, b, t64([1.0, 1.0]), 0.5, reduction="sum").backward()
    # at a - b = margin the loss is 0 and torch's clamp_min slope is the linear side's
    np.testing.assert_array_equal(a.grad.data, [-1.0, 0.0])
    out = F.margin_ranking_loss(
        t64([[1.0, 2.0]]), t64([[0.0], [3.0]]), t64([[1.0]]), 0.0, reduction="none"
    )
    np.testing.assert_array_equal(out.data, [[0.0, 0.0], [2.0, 1.0]])
    with pytest.raises(RuntimeError, match="the same number of dimensions"):
        F.margin_ranking_loss(t64([1.0]), t64([1.0]), t64(1.0))
    with pytest.raises(ValueError, match="margin_ranking_loss: reduction must be"):
        F.margin_ranking_loss(t64([1.0]), t64([1.0]), t64([1.0]), reduction="avg")


def np_gaussian_nll(x, t, var, full, eps, reduction):
    v = np.maximum(var, eps)
    loss = 0.5 * (np.log(v) + (x - t) ** 2 / v) + (0.5 * np.log(2 * np.pi) if full else 0.0)
    return np_reduce(loss, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 3), (4, 1), (4,), (1, 3)])
def test_gaussian_nll_loss(reduction, full, var_shape):
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.uniform(0.2, 2.0, var_shape)
    v_b = var[:, None] if var_shape == (4,) else var
    out = F.gaussian_nll_loss(t64(x), t, t64(var), full, 1e-6, reduction)
    np.testing.assert_allclose(
        out.data, np_gaussian_nll(x, t, v_b, full, 1e-6, reduction), rtol=1e-12
    )
    check_grads(lambda a, v: F.gaussian_nll_loss(a, t, v, full, 1e-6, reduction), [x, var])


def test_gaussian_nll_loss_floors_var_at_eps_but_keeps_its_gradient_and_takes_a_number():
    x, v = t64([1.0, 1.0]), t64([1e-9, 1.0], requires_grad=True)
    out = F.gaussian_nll_loss(x, [0.0, 0.0], v, eps=1e-3, reduction="sum")
    np.testing.assert_allclose(
        out.item(), np_gaussian_nll(1.0, 0.0, np.array([1e-3, 1.0]), False, 1e-3, "sum")
    )
    out.backward()
    # d/dv of 0.5 (log v + d^2 / v), evaluated at the floored v = 1e-3, as torch's
    np.testing.assert_allclose(
        v.grad.data, 0.5 * (1 / np.array([1e-3, 1.0]) - 1 / np.array([1e-3, 1.0]) ** 2)
    )
    number = F.gaussian_nll_loss(t64([1.0, 3.0]), [0.0, 0.0], 2.0)
    np.testing.assert_allclose(
        number.item(), np_gaussian_nll(np.array([1.0, 3.0]), 0.0, 2.0, False, 1e-6, "mean")
    )


def test_gaussian_nll_loss_errors_and_module():
    x = t64(np.ones((4, 3)))
    with pytest.raises(ValueError, match="var has negative entries"):
        F.gaussian_nll_loss(x, np.ones((4, 3)), t64(-np.ones((4, 3))))
    with pytest.raises(ValueError, match="var must be >= 0"):
        F.gaussian_nll_loss(x, np.ones((4, 3)), -1.0)
    with pytest.raises(ValueError, match=r"var of shape \(2, 3\) does not fit"):
        F.gaussian_nll_loss(x, np.ones((4, 3)), t64(np.ones((2, 3))))
    with pytest.raises(ValueError, match="gaussian_nll_loss: reduction must be"):
        F.gaussian_nll_loss(x, np.ones((4, 3)), 1.0, reduction="avg")
    m = nn.GaussianNLLLoss(full=True, eps=1e-3, reduction="sum")
    assert (m.full, m.eps, m.reduction) == (True, 1e-3, "sum")
    v = t64(np.full((4, 3), 0.5))
    assert (
        m(x, np.zeros((4, 3)), v).item()
        == F.gaussian_nll_loss(x, np.zeros((4, 3)), v, True, 1e-3, "sum").item()
    )


def np_poisson_nll(x, t, log_input, full, eps, reduction):
    loss = np.exp(x) - t * x if log_input else x - t * np.log(x + eps)
    if full:
        safe = np.where(t > 1, t, 2.0)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        loss = loss + np.where(t > 1, stirling, 0.0)
    return np_reduce(loss, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(reduction, log_input, full):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3)) if log_input else rng.uniform(0.1, 3.0, (4, 3))
    t = rng.poisson(2.0, (4, 3)).astype(np.float64)
    t[0, :3] = [0.0, 1.0, 1.5]
    out = F.poisson_nll_loss(t64(x), t, log_input, full, reduction=reduction)
    expected = np_poisson_nll(x, t, log_input, full, 1e-8, reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    check_grads(lambda a: F.poisson_nll_loss(a, t, log_input, full, reduction=reduction), [x])


def test_poisson_nll_loss_errors_and_module():
    with pytest.raises(ValueError, match="poisson_nll_loss: reduction must be"):
        F.poisson_nll_loss(t64([1.0]), [1.0], reduction="avg")
    with pytest.raises(ValueError, match="poisson_nll_loss: input has shape"):
        F.poisson_nll_loss(t64([1.0, 2.0]), [1.0])
    m = nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-4, reduction="none")
    x, t = t64([0.5, 2.0, 4.0]), np.array([0.0, 3.0, 5.0])
    np.testing.assert_array_equal(
        m(x, t).data, F.poisson_nll_loss(x, t, False, True, eps=1e-4, reduction="none").data
    )
    np.testing.assert_allclose(
        m(x, t).data, np_poisson_nll(x.data, t, False, True, 1e-4, "none"), rtol=1e-12
    )
    r = nn.MarginRankingLoss(0.2, reduction="sum")
    assert r.margin == 0.2 and r.reduction == "sum"
    a, b, y = t64([1.0, 0.0]), t64([0.0, 1.0]), t64([1.0, 1.0])
    assert r(a, b, y).item() == pytest.approx(1.2)
