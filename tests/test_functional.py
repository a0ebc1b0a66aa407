"""tinygrad_mlp.functional: values against NumPy formulas written here, gradients against
float64 central differences (tests/helpers.py), stability at extreme inputs, dropout's
statistics, batch_norm's running statistics, and the argument checks."""

import math

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct_arrays, shapes, upstream_grads

import tinygrad_mlp.functional as F
from tinygrad_mlp import Tensor, manual_seed

REDUCTIONS = ["mean", "sum", "none"]


def np_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def t64(x, requires_grad=False):
    return Tensor(x, dtype=np.float64, requires_grad=requires_grad)


def matrix_shapes(min_rows=1, max_rows=5, min_cols=1, max_cols=4):
    return st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))


# ---------------------------------------------------------------------------------------------
# Activations

ACTIVATIONS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0), (0,)),
    "sigmoid": (F.sigmoid, np_sigmoid, ()),
    "tanh": (F.tanh, np.tanh, ()),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(data=st.data())
def test_activation_values_and_gradients(name, data):
    fn, np_fn, avoid = ACTIVATIONS[name]
    shape = data.draw(shapes(), label="shape")
    x = data.draw(arrays(shape, avoid=avoid, margin=0.2), label="x")
    np.testing.assert_allclose(fn(t64(x)).data, np_fn(x), rtol=1e-12, atol=1e-15)
    check_grads(fn, [x], data.draw(upstream_grads(shape), label="g"))


def test_activations_accept_numpy_arrays():
    np.testing.assert_array_equal(F.relu(np.array([-1.0, 2.0])).data, [0.0, 2.0])


# ---------------------------------------------------------------------------------------------
# softmax, log_softmax, logsumexp


def np_softmax(x, axis):
    e = np.exp(x)  # naive: fine for the moderate values drawn here
    return e / e.sum(axis=axis, keepdims=True)


@st.composite
def array_and_axis(draw):
    shape = draw(shapes(min_dims=1), label="shape")
    axis = draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    return draw(arrays(shape), label="x"), axis


@given(case=array_and_axis(), data=st.data())
def test_softmax_values_and_gradients(case, data):
    x, axis = case
    out = F.softmax(t64(x), axis=axis)
    np.testing.assert_allclose(out.data, np_softmax(x, axis), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out.data.sum(axis=axis), 1.0, rtol=1e-12)
    check_grads(lambda t: F.softmax(t, axis=axis), [x], data.draw(upstream_grads(x.shape)))


@given(case=array_and_axis(), data=st.data())
def test_log_softmax_values_and_gradients(case, data):
    x, axis = case
    out = F.log_softmax(t64(x), axis=axis)
    np.testing.assert_allclose(out.data, np.log(np_softmax(x, axis)), rtol=1e-12, atol=1e-12)
    check_grads(lambda t: F.log_softmax(t, axis=axis), [x], data.draw(upstream_grads(x.shape)))


@given(data=st.data())
def test_logsumexp_values_and_gradients(data):
    shape = data.draw(shapes(), label="shape")
    ndim = len(shape)
    axis = data.draw(st.none() | st.integers(-ndim, ndim - 1) if ndim else st.none())
    keepdims = data.draw(st.booleans(), label="keepdims")
    x = data.draw(arrays(shape), label="x")
    expected = np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    out = F.logsumexp(t64(x), axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)

    def fn(t):
        return F.logsumexp(t, axis=axis, keepdims=keepdims)

    check_grads(fn, [x], data.draw(upstream_grads(expected.shape), label="g"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_stable_at_1000(dtype):
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0]])
    t = Tensor(x, dtype=dtype, requires_grad=True)
    sm = F.softmax(t, axis=1)
    np.testing.assert_allclose(sm.data[0], [1.0, 0.0, 0.0], atol=1e-7)
    e = math.e
    np.testing.assert_allclose(sm.data[1], [1 / (2 + e), 1 / (2 + e), e / (2 + e)], rtol=1e-6)
    lsm = F.log_softmax(t, axis=1)
    lse = math.log(2 + e)
    np.testing.assert_allclose(lsm.data[0], [0.0, -2000.0, -1000.0], rtol=1e-6)
    atol = 2e-4 if dtype == np.float32 else 1e-10  # x - lse with both near 1000: float32 ulp
    np.testing.assert_allclose(lsm.data[1], [-lse, -lse, 1 - lse], atol=atol)
    lse_all = F.logsumexp(t)
    np.testing.assert_allclose(lse_all.data, 1000.0, rtol=1e-6)
    np.testing.assert_allclose(
        F.logsumexp(Tensor([1000.0, 1000.0], dtype=dtype)).data, 1000.0 + math.log(2), rtol=1e-6
    )
    for out in (sm, lsm, lse_all):
        assert out.dtype == dtype and np.isfinite(out.data).all()
        t.grad = None
        g = np.arange(1.0, out.numel() + 1).reshape(out.shape)
        out.backward(Tensor(g, dtype=dtype))
        assert np.isfinite(t.grad.data).all()


def test_logsumexp_of_all_minus_infinity_is_minus_infinity():
    with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer here
        out = F.logsumexp(t64([[-np.inf, -np.inf], [0.0, -np.inf]]), axis=1)
    np.testing.assert_array_equal(out.data, [-np.inf, 0.0])


# ---------------------------------------------------------------------------------------------
# dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_about_1_minus_p_and_scales_by_exactly_1_over_1_minus_p(p):
    manual_seed(0)
    n = 200_000
    x = np.random.default_rng(1).uniform(0.5, 2.0, size=(400, 500))
    out = F.dropout(t64(x), p, training=True).data
    kept = out != 0
    fraction = kept.mean()
    assert abs(fraction - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_array_equal(out[kept], x[kept] * (1.0 / (1.0 - p)))


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_dropout_gradient_is_the_scaled_mask(p):
    x = np.random.default_rng(2).standard_normal((6, 5))

    def fn(t):
        manual_seed(3)  # the same mask at every evaluation
        return F.dropout(t, p, training=True)

    grads = check_grads(fn, [x], np.ones((6, 5)))
    manual_seed(3)
    mask = F.dropout(t64(np.ones((6, 5))), p).data
    np.testing.assert_array_equal(grads[0], mask)
    assert set(np.unique(mask)) <= {0.0, 1.0 / (1.0 - p)}


@given(data=st.data())
def test_dropout_is_the_identity_in_eval_and_at_p_0(data):
    shape = data.draw(shapes())
    x = data.draw(arrays(shape))
    g = data.draw(upstream_grads(shape))
    for kwargs in ({"p": 0.5, "training": False}, {"p": 0.0, "training": True}):
        np.testing.assert_array_equal(F.dropout(t64(x), **kwargs).data, x)
        (grad,) = check_grads(lambda t, kw=kwargs: F.dropout(t, **kw), [x], g)
        np.testing.assert_array_equal(grad, g)


def test_dropout_p_1_gives_zeros_and_zero_gradient():
    t = t64(np.ones((3, 4)), requires_grad=True)
    out = F.dropout(t, 1.0)
    np.testing.assert_array_equal(out.data, np.zeros((3, 4)))
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.zeros((3, 4)))


def test_dropout_masks_reproduce_with_manual_seed_and_differ_without():
    x = t64(np.ones((50, 40)))
    manual_seed(7)
    a = F.dropout(x, 0.5).data
    b = F.dropout(x, 0.5).data
    manual_seed(7)
    c = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)


def test_dropout_keeps_float32():
    assert F.dropout(Tensor(np.ones((4, 4), np.float32)), 0.3).dtype == np.float32


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_p_outside_0_1(p):
    with pytest.raises(ValueError, match="dropout: p must be between 0 and 1"):
        F.dropout(t64([1.0]), p)


# ---------------------------------------------------------------------------------------------
# batch_norm


def np_batch_norm(x, w, b, eps=1e-5):
    axes = (0,) if x.ndim == 2 else (0, 2)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w.reshape(shape) + b.reshape(shape)


@st.composite
def batch_norm_inputs(draw, three_d=False):
    n = draw(st.integers(2, 5), label="N")
    c = draw(st.integers(1, 3), label="C")
    shape = (n, c, draw(st.integers(1, 3), label="L")) if three_d else (n, c)
    x = draw(distinct_arrays(shape), label="x")  # values apart: a healthy variance
    w = draw(arrays((c,), 0.5, 2.0), label="weight")
    b = draw(arrays((c,)), label="bias")
    return x, w, b


@pytest.mark.parametrize("three_d", [False, True])
@given(data=st.data())
def test_batch_norm_training_matches_the_formula_and_central_differences(three_d, data):
    x, w, b = data.draw(batch_norm_inputs(three_d))
    out = F.batch_norm(t64(x), None, None, t64(w), t64(b), training=True)
    np.testing.assert_allclose(out.data, np_batch_norm(x, w, b), rtol=1e-10, atol=1e-12)

    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    check_grads(fn, [x, w, b], data.draw(upstream_grads(x.shape)))


@given(data=st.data())
def test_batch_norm_eval_uses_running_stats(data):
    x, w, b = data.draw(batch_norm_inputs())
    c = x.shape[1]
    rm = data.draw(arrays((c,)), label="running_mean")
    rv = data.draw(arrays((c,), 0.2, 3.0), label="running_var")
    out = F.batch_norm(t64(x), t64(rm), t64(rv), t64(w), t64(b), training=False, eps=1e-3)
    expected = (x - rm) / np.sqrt(rv + 1e-3) * w + b
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)

    def fn(x, w, b):
        return F.batch_norm(x, t64(rm), t64(rv), w, b, training=False, eps=1e-3)

    check_grads(fn, [x, w, b], data.draw(upstream_grads(x.shape)))


def test_batch_norm_without_weight_and_bias_is_plain_normalisation():
    x = np.random.default_rng(3).standard_normal((8, 3))
    out = F.batch_norm(t64(x), None, None, training=True).data
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_running_stats_after_several_steps(momentum):
    rng = np.random.default_rng(4)
    rm, rv = t64(np.zeros(3)), t64(np.ones(3))
    np_rm, np_rv = np.zeros(3), np.ones(3)
    for step in range(5):
        x = rng.normal(step, 1 + step, size=(6, 3))
        F.batch_norm(t64(x), rm, rv, training=True, momentum=momentum)
        np_rm = (1 - momentum) * np_rm + momentum * x.mean(axis=0)
        np_rv = (1 - momentum) * np_rv + momentum * x.var(axis=0, ddof=1)  # unbiased
    np.testing.assert_allclose(rm.data, np_rm, rtol=1e-12)
    np.testing.assert_allclose(rv.data, np_rv, rtol=1e-12)


def test_batch_norm_updates_numpy_running_stats_in_place_and_3d_counts_n_times_l():
    x = np.random.default_rng(5).standard_normal((4, 2, 3))
    rm, rv = np.zeros(2), np.ones(2)
    F.batch_norm(t64(x), rm, rv, training=True, momentum=1.0)
    np.testing.assert_allclose(rm, x.mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(rv, x.transpose(1, 0, 2).reshape(2, -1).var(axis=1, ddof=1))


def test_batch_norm_running_stats_carry_no_graph_and_keep_their_dtype():
    rm = Tensor(np.zeros(2), dtype=np.float32)
    rv = Tensor(np.ones(2), dtype=np.float32)
    x = Tensor(
        np.random.default_rng(6).standard_normal((5, 2)), dtype="float32", requires_grad=True
    )
    w = Tensor(np.ones(2), dtype=np.float32, requires_grad=True)
    out = F.batch_norm(x, rm, rv, w, None, training=True)
    out.sum().backward()
    for stat in (rm, rv):
        assert not stat.requires_grad and stat.grad_fn is None and stat.grad is None
        assert stat.dtype == np.float32
    assert out.dtype == np.float32


def test_batch_norm_eval_does_not_touch_running_stats():
    rm, rv = t64([1.0, 2.0]), t64([3.0, 4.0])
    F.batch_norm(t64(np.ones((3, 2))), rm, rv, training=False)
    np.testing.assert_array_equal(rm.data, [1.0, 2.0])
    np.testing.assert_array_equal(rv.data, [3.0, 4.0])


def test_batch_norm_errors():
    x = t64(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3\)"):
        F.batch_norm(t64(np.ones((1, 3))), None, None, training=True)
    with pytest.raises(ValueError, match="needs running_mean and running_var"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\).*got \(2,\)"):
        F.batch_norm(x, t64([0.0, 0.0]), t64([1.0, 1.0, 1.0]), training=True)
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, L\), got \(4,\)"):
        F.batch_norm(t64(np.ones(4)), None, None, training=True)


# ---------------------------------------------------------------------------------------------
# linear


@given(data=st.data())
def test_linear_values_and_gradients(data):
    n, i = data.draw(matrix_shapes(), label="(N, in)")
    o = data.draw(st.integers(1, 4), label="out")
    x, w, b = data.draw(arrays((n, i))), data.draw(arrays((o, i))), data.draw(arrays((o,)))
    np.testing.assert_allclose(F.linear(t64(x), t64(w), t64(b)).data, x @ w.T + b, rtol=1e-12)
    g = data.draw(upstream_grads((n, o)))
    check_grads(F.linear, [x, w, b], g)
    check_grads(lambda x, w: F.linear(x, w), [x, w], g)


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(
        ValueError, match=r"linear: input of shape \(2, 3\).*weight of shape \(4, 2\)"
    ):
        F.linear(t64(np.ones((2, 3))), t64(np.ones((4, 2))))


# ---------------------------------------------------------------------------------------------
# Losses: values, gradients for each reduction


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_mse_loss(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    pred, target = data.draw(arrays(shape)), data.draw(arrays(shape))
    expected = np_reduce((pred - target) ** 2, reduction)
    out = F.mse_loss(t64(pred), target, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    g = data.draw(upstream_grads(np.shape(expected)))
    check_grads(lambda p, t: F.mse_loss(p, t, reduction=reduction), [pred, target], g)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    prob = data.draw(arrays(shape, 0.05, 0.95), label="prob")
    # inside (0, 1): the central difference steps the target both ways, and a target outside
    # [0, 1] is an error
    target = data.draw(arrays(shape, 0.01, 0.99), label="target")
    expected = np_reduce(-(target * np.log(prob) + (1 - target) * np.log(1 - prob)), reduction)
    out = F.binary_cross_entropy(t64(prob), target, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    g = data.draw(upstream_grads(np.shape(expected)))

    def fn(p, t):
        return F.binary_cross_entropy(p, t, reduction=reduction)

    check_grads(fn, [prob, target], g)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_with_logits(reduction, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(arrays(shape, -6.0, 6.0), label="logits")
    target = data.draw(arrays(shape, 0.0, 1.0), label="target")
    p = np_sigmoid(x)
    expected = np_reduce(-(target * np.log(p) + (1 - target) * np.log(1 - p)), reduction)
    out = F.binary_cross_entropy_with_logits(
        t64(x), Tensor(target, dtype=np.float64), reduction=reduction
    )
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-14)
    g = data.draw(upstream_grads(np.shape(expected)))

    def fn(x, t):
        return F.binary_cross_entropy_with_logits(x, t, reduction=reduction)

    check_grads(fn, [x, target], g)


def test_binary_cross_entropy_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    x = t64([0.0, 0.0, 0.0], requires_grad=True)
    F.binary_cross_entropy_with_logits(x, np.array([0.0, 0.3, 1.0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.data, [0.5, 0.2, -0.5], rtol=1e-15)


@st.composite
def logits_and_labels(draw):
    n, c = draw(matrix_shapes(max_cols=5), label="(N, C)")
    logits = draw(arrays((n, c)), label="logits")
    labels = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n), label="labels")
    return logits, np.array(labels, dtype=np.int64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=logits_and_labels(), data=st.data())
def test_cross_entropy(reduction, case, data):
    logits, labels = case
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = np_reduce(-np.log(probs[np.arange(len(labels)), labels]), reduction)
    out = F.cross_entropy(t64(logits), labels, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    out_t = F.cross_entropy(t64(logits), Tensor(labels.astype(np.int32)), reduction=reduction)
    np.testing.assert_array_equal(out_t.data, out.data)
    g = data.draw(upstream_grads(np.shape(expected)))
    check_grads(lambda z: F.cross_entropy(z, labels, reduction=reduction), [logits], g)


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = np.array([2, 0])
    t = t64(z, requires_grad=True)
    F.cross_entropy(t, labels).backward()
    expected = (np_softmax(z, 1) - np.eye(3)[labels]) / 2
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logit_losses_are_finite_at_1000(dtype):
    x = Tensor([1000.0, -1000.0, 1000.0, -1000.0], dtype=dtype, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [0.0, 1.0, 1.0, 0.0], reduction="none")
    np.testing.assert_allclose(loss.data, [1000.0, 1000.0, 0.0, 0.0], atol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, -1.0, 0.0, 0.0], atol=1e-6)

    z = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], dtype=dtype, requires_grad=True)
    ce = F.cross_entropy(z, np.array([1, 2]), reduction="none")
    rtol = 1e-4 if dtype == np.float32 else 1e-12  # 1000.31 - 999 loses float32 digits
    np.testing.assert_allclose(ce.data, [2000.0, 1 + math.log1p(math.exp(-1))], rtol=rtol)
    ce.sum().backward()
    assert np.isfinite(z.grad.data).all()
    assert loss.dtype == ce.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_at_probabilities_0_and_1_is_clamped_not_nan(dtype):
    prob = Tensor([0.0, 1.0, 0.0, 1.0], dtype=dtype, requires_grad=True)
    target = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    loss = F.binary_cross_entropy(prob, target, reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    # PyTorch's rule, (p - t) / max(p (1 - p), 1e-12): a confidently wrong prediction gets a
    # large push back (the clamped log alone would have slope 0), a right one none
    np.testing.assert_allclose(prob.grad.data, [-1e12, 1e12, 0.0, 0.0], rtol=1e-6)


def test_binary_cross_entropy_clamp_matches_pytorch_at_tiny_probabilities():
    # float64: log(p) is clamped to -100 only below e^-100
    p = t64([math.exp(-90), 1e-60], requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.data, [90.0, 100.0], rtol=1e-12)
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all()


def test_loss_targets_promote_as_in_pytorch():
    """A float64 target makes a float32 loss float64 (PyTorch's promotion; a NumPy array
    keeps its dtype, as Tensor(array) does); integers and lists of floats do not."""
    pred = Tensor([0.2, 0.7])
    assert F.mse_loss(pred, np.array([0.0, 1.0], dtype=np.float64)).dtype == np.float64
    assert F.mse_loss(pred, [0.0, 1.0]).dtype == np.float32  # a list: float32, as Tensor's
    assert F.binary_cross_entropy(pred, np.array([0, 1])).dtype == np.float32
    assert F.binary_cross_entropy(pred, [0.0, 1.0]).dtype == np.float32


LOSSES = {
    "mse_loss": F.mse_loss,
    "binary_cross_entropy": F.binary_cross_entropy,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_shape_mismatch_is_an_error_naming_function_and_shapes(name):
    pred = Tensor(np.full((4, 1), 0.5))
    with pytest.raises(
        ValueError, match=rf"{name}: input has shape \(4, 1\) but target has shape \(4,\)"
    ):
        LOSSES[name](pred, np.zeros(4))


@pytest.mark.parametrize("name", [*LOSSES, "cross_entropy"])
def test_unknown_reduction_is_an_error(name):
    fn = {**LOSSES, "cross_entropy": F.cross_entropy}[name]
    target = np.array([0]) if name == "cross_entropy" else np.zeros((1, 1))
    with pytest.raises(ValueError, match=rf"{name}: reduction must be .*got 'avg'"):
        fn(Tensor(np.full((1, 1), 0.5)), target, reduction="avg")


def test_binary_cross_entropy_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match="probability in \\[0, 1\\]"):
        F.binary_cross_entropy(Tensor([0.5, 1.2]), [0.0, 1.0])
    # nan is no probability either (as in PyTorch), nor a target in [0, 1]
    with pytest.raises(ValueError, match="probability in \\[0, 1\\]"):
        F.binary_cross_entropy(Tensor([0.5, np.nan]), [0.0, 1.0])
    with pytest.raises(ValueError, match="every target value must lie in"):
        F.binary_cross_entropy(Tensor([0.5, 0.25]), [0.0, np.nan])
    with pytest.raises(ValueError, match="every target value must lie in"):
        F.binary_cross_entropy(Tensor([0.0, 0.25]), [-0.5, 1.0])


def test_cross_entropy_label_errors():
    z = Tensor(np.zeros((3, 4)))
    with pytest.raises(TypeError, match="must hold integer class indices, got dtype float64"):
        F.cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="got dtype bool"):
        F.cross_entropy(z, np.array([True, False, True]))
    with pytest.raises(ValueError, match=r"target must have shape \(3,\).*got \(3, 1\)"):
        F.cross_entropy(z, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match=r"target 4 at position 1 is out of bounds.*\[0, 4\)"):
        F.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"target -1 at position 2"):
        F.cross_entropy(z, Tensor(np.array([0, 1, -1])))
    with pytest.raises(ValueError, match=r"input must have shape \(C,\), \(N, C\).*got a 0-d"):
        F.cross_entropy(Tensor(0.5), np.array(0))


# ---------------------------------------------------------------------------------------------
# l2_penalty


@given(data=st.data())
def test_l2_penalty_value_and_gradient(data):
    a = data.draw(arrays(data.draw(shapes(min_dims=1))))
    b = data.draw(arrays(data.draw(shapes(min_dims=1))))
    lam = data.draw(st.floats(0.001, 2.0))
    out = F.l2_penalty([t64(a), t64(b)], lam)
    np.testing.assert_allclose(out.data, lam * (np.sum(a * a) + np.sum(b * b)), rtol=1e-12)
    grads = check_grads(lambda a, b: F.l2_penalty([a, b], lam), [a, b], np.array(1.0))
    np.testing.assert_allclose(grads[0], 2 * lam * a, rtol=1e-12)


def test_l2_penalty_takes_a_generator_and_an_empty_list():
    ws = [t64([1.0, 2.0]), t64([[3.0]])]
    np.testing.assert_allclose(F.l2_penalty((w for w in ws), 0.5).data, 0.5 * 14)
    assert F.l2_penalty([], 0.1).item() == 0.0
    with pytest.raises(TypeError, match="l2_penalty: params must be Tensors, got ndarray"):
        F.l2_penalty([np.ones(2)], 0.1)


# ---------------------------------------------------------------------------------------------
# normalize, cosine_similarity, pairwise_distance


def np_p_norm(x, p, axis, keepdims=False):
    if p == np.inf:
        return np.abs(x).max(axis=axis, keepdims=keepdims)
    return (np.abs(x) ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (np.inf, 1), (2.0, (0, 1))])
def test_normalize_divides_by_the_p_norm_clamped_by_eps(p, dim):
    x = np.random.default_rng(0).standard_normal((4, 3))
    out = F.normalize(t64(x), p=p, dim=dim)
    np.testing.assert_allclose(out.data, x / np_p_norm(x, p, dim, True), rtol=1e-12)
    check_grads(lambda t: F.normalize(t, p=p, dim=dim), [x])


def test_normalize_keeps_a_zero_vector_zero_with_slope_1_over_eps():
    x = t64([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    out = F.normalize(x, eps=1e-3)
    np.testing.assert_allclose(out.data, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data[1], [1e3, 1e3], rtol=1e-12)  # x / eps
    assert np.all(np.isfinite(x.grad.data))


@pytest.mark.parametrize("dim", [1, 0, -1])
def test_cosine_similarity_matches_the_formula_and_broadcasts(dim):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((1, 3))
    out = F.cosine_similarity(t64(a), t64(b), dim=dim)
    A, B = np.broadcast_arrays(a, b)
    expected = (A * B).sum(dim) / (np.linalg.norm(A, axis=dim) * np.linalg.norm(B, axis=dim))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    check_grads(lambda s, t: F.cosine_similarity(s, t, dim=dim), [a, b])


def test_cosine_similarity_of_a_zero_vector_is_0_and_small_norms_are_clamped():
    x1 = t64([[0.0, 0.0, 0.0], [1e-10, 2e-10, 0.0]], requires_grad=True)
    x2 = t64([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    out = F.cosine_similarity(x1, x2)
    # the norm 2.2e-10 of row 1 is below eps = 1e-8: eps divides instead
    expected = [0.0, (1e-10 + 4e-10) / 1e-8 / np.sqrt(14)]
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    out.sum().backward()
    unit2 = np.array([1.0, 2.0, 3.0]) / np.sqrt(14)
    np.testing.assert_allclose(x1.grad.data[0], unit2 / 1e-8, rtol=1e-12)  # the norm's slope: 0
    # row 1: the gradient also flows through the (unclamped) norm, as torch's does
    v = np.array([1e-10, 2e-10, 0.0])
    n = np.linalg.norm(v)
    slope = unit2 / 1e-8 - (v @ unit2) / 1e-8**2 * v / n
    np.testing.assert_allclose(x1.grad.data[1], slope, rtol=1e-10)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, np.inf, -1.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_is_the_norm_of_the_difference_plus_eps(p, keepdim):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    out = F.pairwise_distance(t64(a), t64(b), p=p, eps=1e-3, keepdim=keepdim)
    np.testing.assert_allclose(out.data, np_p_norm(a - b + 1e-3, p, -1, keepdim), rtol=1e-12)
    check_grads(lambda s, t: F.pairwise_distance(s, t, p, 1e-3, keepdim), [a, b])


def test_pairwise_distance_of_equal_vectors_has_a_finite_gradient_and_p_0_counts():
    x = t64([[1.0, 2.0]], requires_grad=True)
    d = F.pairwise_distance(x, t64([[1.0, 2.0]]))
    np.testing.assert_allclose(d.data, [np.sqrt(2) * 1e-6], rtol=1e-9)
    d.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[np.sqrt(0.5), np.sqrt(0.5)]], rtol=1e-9)
    counts = F.pairwise_distance(t64([[1.0, 2.0, 3.0]]), t64([[1.0, 0.0, 0.0]]), p=0, eps=0)
    np.testing.assert_array_equal(counts.data, [2.0])
    scalar = F.pairwise_distance(t64(1.0), t64(3.0), eps=0)
    assert scalar.shape == () and scalar.item() == 2.0


def test_distance_errors():
    with pytest.raises(ValueError, match="broadcast"):
        F.cosine_similarity(t64(np.ones((2, 3))), t64(np.ones((2, 4))))
    with pytest.raises(TypeError, match="pairwise_distance: p must be a number"):
        F.pairwise_distance(t64(np.ones(3)), t64(np.ones(3)), p="2")
    with pytest.raises(IndexError):
        F.cosine_similarity(t64(np.ones(3)), t64(np.ones(3)))  # dim 1 of a vector, as torch


# ---------------------------------------------------------------------------------------------
# rms_norm


@pytest.mark.parametrize("normalized_shape", [(4,), (3, 4), 4])
@pytest.mark.parametrize("with_weight", [False, True])
def test_rms_norm_divides_by_the_root_mean_square(normalized_shape, with_weight):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 4))
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    w = rng.uniform(0.5, 2.0, shape)
    axes = tuple(range(3 - len(shape), 3))
    expected = x / np.sqrt((x * x).mean(axes, keepdims=True) + 1e-3)
    expected = expected * w if with_weight else expected
    out = F.rms_norm(t64(x), normalized_shape, t64(w) if with_weight else None, eps=1e-3)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    if with_weight:
        check_grads(lambda a, b: F.rms_norm(a, normalized_shape, b, 1e-3), [x, w])
    else:
        check_grads(lambda a: F.rms_norm(a, normalized_shape, eps=1e-3), [x])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rms_norm_eps_none_is_the_dtypes_machine_epsilon(dtype):
    x = np.array([[1e-4, -2e-4, 3e-4]], dtype=dtype)
    eps = np.finfo(dtype).eps
    out = F.rms_norm(Tensor(x, dtype=dtype), (3,))
    assert out.dtype == dtype
    expected = x.astype(np.float64) / np.sqrt((x.astype(np.float64) ** 2).mean() + eps)
    np.testing.assert_allclose(out.data, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    zeros = F.rms_norm(t64(np.zeros((2, 3))), 3)
    np.testing.assert_array_equal(zeros.data, np.zeros((2, 3)))  # 0 / sqrt(eps)


def test_rms_norm_errors():
    x = t64(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match=r"rms_norm: given normalized_shape=\[3\]"):
        F.rms_norm(x, (3,))
    with pytest.raises(RuntimeError, match=r"rms_norm: weight must have shape \(4,\)"):
        F.rms_norm(x, (4,), t64(np.ones(3)))
    with pytest.raises(RuntimeError, match="rms_norm.*needs a floating point tensor"):
        F.rms_norm(Tensor(np.ones((2, 4), dtype=np.int64)), (4,))
