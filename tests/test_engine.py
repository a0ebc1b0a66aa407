"""The engine: how gradients flow and accumulate, graph freeing, grad modes, hooks,
retain_grad, grad(), detect_anomaly, deep graphs, memory, dtypes, aliasing, and
user-defined Functions. Expected values are worked out by hand in the comments."""

import threading
import warnings
import weakref

import numpy as np
import pytest
from helpers import check_grads, random_grad

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor, autograd, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_mlp.autograd import Function, detect_anomaly, grad


def f64(values, requires_grad=True):
    return Tensor(values, dtype=np.float64, requires_grad=requires_grad)


# --------------------------------------------------------------------------- paths
def test_reused_leaf_counts_once_per_use():
    """d/dx (x*x + x) = 2x + 1."""
    x = f64([1.5, -2.0])
    (x * x + x).backward(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, [4.0, -9.0])


def test_diamond_counts_each_path_once():
    """y = 2x;  z = y*y + exp(y) + y:  dz/dx = 2 (2y + exp(y) + 1)."""
    x_np = np.array([0.25, -0.5])
    x = f64(x_np)
    y = x * 2
    z = y * y + y.exp() + y
    g = np.array([1.5, -0.75])
    z.backward(g)
    y_np = 2 * x_np
    np.testing.assert_allclose(x.grad.data, g * 2 * (2 * y_np + np.exp(y_np) + 1), rtol=1e-14)


def test_leaf_reached_through_paths_of_different_depth():
    """x / exp(x) has derivative (1 - x) exp(-x): 0 at x = 1. The short path (x) and the
    long path (through exp) must both arrive before x's total is taken."""
    x_np = np.array([1.0, 0.0, 2.5])
    x = f64(x_np)
    (x / x.exp()).backward(np.ones(3))
    np.testing.assert_allclose(x.grad.data, (1 - x_np) * np.exp(-x_np), atol=1e-15)
    w = f64(x_np)  # a deeper, uneven diamond: w * tanh(sigmoid(w) * w) + w
    s = w.sigmoid()
    (w * (s * w).tanh() + w).sum().backward()
    sig = 1 / (1 + np.exp(-x_np))
    inner = sig * x_np
    d_inner = sig * (1 - sig) * x_np + sig
    expected = np.tanh(inner) + x_np * (1 - np.tanh(inner) ** 2) * d_inner + 1
    np.testing.assert_allclose(w.grad.data, expected, rtol=1e-13)


def test_same_node_used_by_many_consumers():
    x = f64([2.0])
    y = x * 3  # one intermediate used ten times: d/dx sum_k (k+1) y = 3 * 55
    total = y * 1
    for k in range(1, 10):
        total = total + y * (k + 1)
    total.backward(np.array([1.0]))
    np.testing.assert_array_equal(x.grad.data, [165.0])


def test_gradients_accumulate_across_backward_calls_and_intermediates_stay_clean():
    """z = 3 x^2 at x = 2: dz/dx = 12; two backward passes give 24, not 18 or 36."""
    x = f64(2.0)
    y = x * x
    z = y * 3
    z.backward(retain_graph=True)
    assert x.grad.item() == 12.0
    z.backward()
    assert x.grad.item() == 24.0
    with pytest.warns(UserWarning, match="not a leaf"):  # as PyTorch warns
        assert y.grad is None and z.grad is None  # non-leaves keep no .grad
    x.grad = None  # what zero_grad does
    (x * x * 3).backward()
    assert x.grad.item() == 12.0


def test_second_backward_on_a_freed_graph_raises_mentioning_retain_graph():
    x = f64([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()
    z = (x + 1.0).sum()  # a graph whose nodes save nothing is freed just the same
    z.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        z.backward()
    w = x.exp().sum()
    grad(w, x)
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        grad(w, x)


def test_retain_graph_allows_a_second_pass():
    x = f64([1.0, -3.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad.data, [4.0, -12.0])
    (g,) = grad(y, x, retain_graph=True)
    np.testing.assert_array_equal(g.data, [2.0, -6.0])


def test_intermediates_are_freed_after_backward():
    """Once backward ran (without retain_graph), an intermediate tensor and its array are
    released even though the output tensor is still alive."""
    x = f64(np.linspace(-1, 1, 1000))

    def build():
        h = x.exp()
        return (h * h).sum(), weakref.ref(h.data), weakref.ref(h)

    loss, array_ref, tensor_ref = build()
    assert array_ref() is not None and tensor_ref() is not None  # kept alive by the graph
    loss.backward()
    assert array_ref() is None, "the intermediate array is still referenced"
    assert tensor_ref() is None, "the intermediate tensor is still referenced"
    assert loss.item() == pytest.approx(np.exp(2 * np.linspace(-1, 1, 1000)).sum())


def test_retain_graph_keeps_intermediates_until_the_graph_goes():
    x = f64([0.5, 1.5])
    h = x.exp()
    array_ref = weakref.ref(h.data)
    loss = (h * h).sum()
    del h
    loss.backward(retain_graph=True)
    assert array_ref() is not None
    del loss
    assert array_ref() is None


def test_million_deep_chain_has_no_recursion_error():
    """Forward and backward through 1,000,001 negations of a scalar: d/dx = (-1)^1000001."""
    x = f64(1.5)
    y = x
    for _ in range(1_000_001):
        y = -y
    assert y.item() == -1.5
    y.backward()
    assert x.grad.item() == -1.0


# --------------------------------------------------------------------------- grad modes
def test_no_grad_records_nothing():
    x = f64([1.0, 2.0])
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 2).exp().sum()
    assert is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_grad_mode_is_restored_even_when_the_block_raises():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            print(1 / 0)
    assert is_grad_enabled()
    with no_grad():
        with pytest.raises(KeyError):
            with enable_grad():
                assert is_grad_enabled()
                raise KeyError("x")
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad_records_again():
    x = f64([1.0])
    with no_grad():
        with enable_grad():
            y = x * 3
        z = x * 3
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad
    y.backward(np.array([1.0]))
    assert x.grad.item() == 3.0


def test_no_grad_and_enable_grad_as_decorators():
    x = f64([2.0])

    @no_grad()
    def frozen(t):
        assert not is_grad_enabled()
        return t * t

    @enable_grad()
    def recorded(t):
        return t * t

    @set_grad_enabled(False)
    def also_frozen(t):
        return t * t

    @no_grad()
    def fails():
        raise ValueError("boom")

    assert not frozen(x).requires_grad
    assert not also_frozen(x).requires_grad
    with no_grad():
        y = recorded(x)
        assert not is_grad_enabled()  # the decorator put the mode back
    assert y.requires_grad
    with pytest.raises(ValueError, match="boom"):
        fails()
    assert is_grad_enabled()
    assert frozen.__name__ == "frozen"  # functools.wraps keeps the name


def test_set_grad_enabled_as_a_context_manager():
    with set_grad_enabled(False):
        assert not is_grad_enabled()
        with set_grad_enabled(True):
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_set_grad_enabled_called_as_a_function_switches_at_once():
    """torch: the constructor sets the mode, so `set_grad_enabled(False)` on its own line
    turns recording off until it is switched back; as a decorator it changes nothing."""
    x = f64([1.0])
    try:
        set_grad_enabled(False)
        assert not is_grad_enabled() and not (x * 2).requires_grad
        set_grad_enabled(True)
        assert is_grad_enabled() and (x * 2).requires_grad
        block = set_grad_enabled(False)  # made outside the block: the mode is off already
        assert not is_grad_enabled()
        with block:
            assert not is_grad_enabled()
        assert is_grad_enabled()  # the exit restores the mode from before the call

        @set_grad_enabled(False)
        def frozen():
            return is_grad_enabled()

        assert is_grad_enabled() and frozen() is False and is_grad_enabled()
    finally:
        set_grad_enabled(True)


def test_bare_decorators_without_parentheses():
    @no_grad
    def frozen(t):
        return t * t

    @enable_grad
    def recorded(t):
        return t * t

    x = f64([3.0])
    assert not frozen(x).requires_grad and frozen.__name__ == "frozen"
    with no_grad():
        assert recorded(x).requires_grad
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(TypeError, match="class"):
        no_grad()(type("Model", (), {}))


def test_decorated_generator_runs_its_body_under_the_mode_at_every_resume():
    """torch: each time the generator runs (start, send, throw) the decorator's mode is on;
    at every yield the caller's mode comes back."""
    x = f64([1.0])
    seen = []

    @no_grad()
    def steps():
        for _ in range(2):
            seen.append(is_grad_enabled())
            sent = yield (x * 2).requires_grad
            seen.append((sent, is_grad_enabled()))
        return "done"

    gen = steps()
    assert next(gen) is False
    assert is_grad_enabled()  # the caller's mode between resumes
    assert gen.send("a") is False
    with pytest.raises(StopIteration) as stop:
        gen.send("b")
    assert stop.value.value == "done"
    assert seen == [False, ("a", False), False, ("b", False)]

    @enable_grad
    def recording():
        try:
            yield (x * 2).requires_grad
        except KeyError:
            yield is_grad_enabled()

    with no_grad():
        gen = recording()
        assert next(gen) is True and not is_grad_enabled()
        assert gen.throw(KeyError("k")) is True and not is_grad_enabled()
        gen.close()
    assert list(recording()) == [True]


def test_grad_mode_is_thread_local():
    x = f64([1.0])
    seen = {}
    entered, checked = threading.Event(), threading.Event()

    def worker():
        entered.wait()
        seen["enabled"] = is_grad_enabled()
        seen["records"] = (x * 2).requires_grad
        checked.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with no_grad():
        entered.set()
        assert checked.wait(10)
        assert not is_grad_enabled()
    thread.join()
    assert seen == {"enabled": True, "records": True}


# --------------------------------------------------------------------------- hooks
def test_hook_on_a_leaf_sees_and_replaces_the_gradient():
    x = f64([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()))  # returns None: no change
    x.register_hook(lambda g: g * 10)
    (x * 3).backward(np.array([1.0, -1.0]))
    np.testing.assert_array_equal(seen[0], [3.0, -3.0])
    np.testing.assert_array_equal(x.grad.data, [30.0, -30.0])


def test_hook_on_a_non_leaf_changes_what_flows_on():
    x = f64([1.0, 2.0])
    y = x * x
    seen = []

    def hook(g):
        seen.append(g.data.copy())
        return g + 1.0

    y.register_hook(hook)
    (y * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.data, 2 * x.data * 4.0)  # (3 + 1) * 2x


def test_removed_hook_no_longer_runs():
    x = f64([1.0])
    calls = []
    handle = x.register_hook(lambda g: calls.append(1) or g * 2)
    (x * 1).backward(np.array([1.0]))
    assert x.grad.item() == 2.0 and calls == [1]
    handle.remove()
    handle.remove()  # removing twice is harmless
    x.grad = None
    (x * 1).backward(np.array([1.0]))
    assert x.grad.item() == 1.0 and calls == [1]


def test_hook_needs_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="require"):
        Tensor([1.0]).register_hook(lambda g: g)


def test_hook_under_create_graph_gets_a_differentiable_tensor():
    x = f64([1.5])
    y = x * x
    y.register_hook(lambda g: g * x)  # d/dx of (2x * x) = 4x, recorded
    (g,) = grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, [2 * 1.5 * 1.5])
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h.data, [4 * 1.5])


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = f64([1.0, -2.0])
    y = x * 2
    y.retain_grad()
    u = x * 3  # not retained
    (y * y + u).sum().backward()
    np.testing.assert_array_equal(y.grad.data, 2 * y.data)
    with pytest.warns(UserWarning, match="retain_grad"):
        assert u.grad is None
    np.testing.assert_array_equal(x.grad.data, 4 * y.data + 3)
    x.retain_grad()  # on a leaf: nothing changes
    assert x.is_leaf


# --------------------------------------------------------------------------- grad()
def test_grad_returns_gradients_and_leaves_dot_grad_untouched():
    x, w = f64([1.0, 2.0]), f64([3.0, -1.0])
    x.grad = Tensor([7.0, 7.0], dtype=np.float64)
    out = (x * w).sum()
    gx, gw = grad(out, [x, w])
    np.testing.assert_array_equal(gx.data, [3.0, -1.0])
    np.testing.assert_array_equal(gw.data, [1.0, 2.0])
    np.testing.assert_array_equal(x.grad.data, [7.0, 7.0])
    assert w.grad is None


def test_grad_with_grad_outputs_and_several_outputs():
    x = f64([1.0, 2.0])
    a, b = x * 2, x * x
    (g,) = grad([a, b], x, [np.array([1.0, 10.0]), np.array([0.5, -1.0])])
    np.testing.assert_array_equal(g.data, [2.0 + 0.5 * 2.0, 20.0 - 1.0 * 4.0])
    single = grad(x * 2, x, np.array([1.0, -1.0]))  # a single Tensor input: still a tuple
    assert isinstance(single, tuple) and len(single) == 1


def test_grad_allow_unused():
    x, unused = f64([1.0]), f64([5.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        grad(y, [x, unused], retain_graph=True)
    gx, gu = grad(y, [x, unused], allow_unused=True)
    assert gx.item() == 2.0 and gu is None


def test_grad_rejects_inputs_that_do_not_require_grad():
    x = f64([1.0])
    with pytest.raises(RuntimeError, match="requires_grad"):
        grad((x * 2).sum(), Tensor([1.0]))


def test_grad_of_a_non_scalar_needs_grad_outputs():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad_outputs"):
        grad(x * 2, x)


# --------------------------------------------------------------------------- anomaly
def test_detect_anomaly_names_the_op_in_forward():
    x = f64([1.0, -1.0])
    with np.errstate(invalid="ignore"), detect_anomaly():
        with pytest.raises(RuntimeError, match=r"Log.*forward.*NaN"):
            x.log()
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().data[1])  # outside the block: no check


def test_detect_anomaly_names_the_op_in_backward():
    x = f64([0.0, 4.0])
    with np.errstate(divide="ignore"), detect_anomaly():
        y = x.sqrt()  # finite: sqrt(0) = 0
        with pytest.raises(RuntimeError, match=r"Sqrt.*backward.*Inf"):
            y.backward(np.array([1.0, 1.0]))
    with detect_anomaly():
        with pytest.raises(RuntimeError, match=r"Div.*forward"):
            with np.errstate(divide="ignore"):
                f64([1.0]) / 0.0


def test_detect_anomaly_restores_state_and_passes_finite_work():
    x = f64([2.0])
    with detect_anomaly():
        (x * x).exp().backward(np.array([1.0]))
    np.testing.assert_allclose(x.grad.data, [4.0 * np.exp(4.0)])
    with pytest.raises(ValueError):
        with detect_anomaly():
            raise ValueError
    z = f64([0.0])
    with np.errstate(divide="ignore"):
        z.sqrt().backward(np.array([1.0]))  # no anomaly mode: an Inf gradient is allowed
    assert np.isinf(z.grad.data[0])


# --------------------------------------------------------------------------- dtypes
OPS_CHAIN = [
    lambda t: t * 2.0 + 1.0,
    lambda t: (t - 0.5) / 3.0,
    lambda t: t**2,
    lambda t: (t * t + 1.0).sqrt().log(),
    lambda t: t.exp().tanh().sigmoid(),
    lambda t: t.relu().abs().clip(0.1, 0.9),
    lambda t: tg.maximum(t, 0.2) + tg.minimum(t, 0.3),
    lambda t: tg.where(t.data > 0.5, t, -t),
    lambda t: t @ np.ones((3, 3), dtype=t.dtype),
    lambda t: t.sum(axis=0, keepdims=True) + t.mean(axis=1, keepdims=True),
    lambda t: t.max(axis=1, keepdims=True) * t.min() + t.var() + t.std(axis=0),
    lambda t: t.reshape(3, 2).transpose(0, 1).permute(1, 0).swapaxes(0, 1).T.flatten().view(2, 3),
    lambda t: t.unsqueeze(0).expand(2, 2, 3).broadcast_to((2, 2, 3)).sum(0),
    lambda t: t[:, ::-1][np.array([1, 0])][t.data > 0.4].sum() + t,
    lambda t: tg.concatenate([t, t], 0)[:2] + tg.stack([t, t], 0).mean(0),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype):
    x = Tensor(np.array([[0.1, 0.7, -0.3], [0.45, -0.8, 0.6]]), dtype=dtype, requires_grad=True)
    y = x
    for op in OPS_CHAIN:
        y = op(y)
        assert y.dtype == dtype, f"{op} gave {y.dtype}"
    y.backward(np.ones(y.shape, dtype=dtype) * 0.5)
    assert x.grad.dtype == dtype and x.grad.shape == x.shape
    assert np.isfinite(x.grad.data).all()


def test_float32_forward_values_match_float64_closely():
    x_np = np.array([[0.1, 0.7, -0.3], [0.45, -0.8, 0.6]])
    outs = []
    for dtype in (np.float32, np.float64):
        y = Tensor(x_np, dtype=dtype)
        for op in OPS_CHAIN:
            y = op(y)
        outs.append(y.data)
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-4, atol=1e-5)


def test_mixed_dtype_leaves_get_gradients_of_their_own_dtype():
    a = Tensor([1.0, 2.0], requires_grad=True)  # float32
    b = f64([3.0, 4.0])
    out = a * b
    assert out.dtype == np.float64
    out.backward(np.array([1.0, 1.0]))
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad.data, [3.0, 4.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 2.0])


def test_astype_moves_gradients_between_dtypes():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    assert x.to(np.float32) is x  # same dtype: nothing to do (PyTorch's to)
    assert x.astype(np.float32) is not x  # NumPy's astype always copies
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [2.0, -4.0])


# --------------------------------------------------------------------------- aliasing
def test_gradients_are_fresh_arrays():
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    g = np.array([1.0, -1.0])
    (a + b).backward(g)  # both gradients equal g
    assert not np.shares_memory(a.grad.data, b.grad.data)
    assert not np.shares_memory(a.grad.data, g) and not np.shares_memory(b.grad.data, g)
    g[:] = 100.0
    np.testing.assert_array_equal(a.grad.data, [1.0, -1.0])
    a.grad.data[0] = 5.0  # writing to one gradient leaves the other alone
    assert b.grad.data[0] == 1.0


def test_broadcast_leaf_gradient_is_its_own_array():
    a = f64([1.0, 2.0])
    c = a.broadcast_to((3, 2))
    c.backward(np.ones((3, 2)))
    assert a.grad.data.flags.writeable and a.grad.shape == (2,)
    a.grad.data += 1.0
    np.testing.assert_array_equal(a.grad.data, [4.0, 4.0])


def test_forward_and_backward_leave_inputs_and_constants_unchanged():
    rng = np.random.default_rng(2)
    const = rng.standard_normal((3,))
    x_np = rng.standard_normal((2, 3))

    def fn(t):
        return ((t * const).exp() @ np.ones((3, 2)) + t[:, :2] ** 2).max(axis=0)

    before = const.copy()
    check_grads(fn, [x_np], random_grad((2,)))  # checks the Tensor inputs themselves
    np.testing.assert_array_equal(const, before)


# --------------------------------------------------------------------------- Function
class ScaledCube(Function):
    """out = k * x^3 (k a constant);  dx = g * 3 k x^2. Records what backward saw."""

    seen: list = []

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x, k)
        return k * x**3

    @staticmethod
    def backward(ctx, grad_output):
        x, k = ctx.saved_tensors
        ScaledCube.seen.append((tuple(ctx.needs_input_grad), type(grad_output), type(x)))
        return grad_output * 3 * k * x * x, None


class WeightedProduct(Function):
    """out = a * b * c;  da = g b c,  db = g a c,  dc = g a b (only where needed)."""

    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b, c)
        return a * b * c

    @staticmethod
    def backward(ctx, g):
        a, b, c = ctx.saved_tensors
        need_a, need_b, need_c = ctx.needs_input_grad
        return (
            g * b * c if need_a else None,
            g * a * c if need_b else None,
            g * a * b if need_c else None,
        )


def test_user_function_forward_backward_and_needs_input_grad():
    ScaledCube.seen.clear()
    x = f64([1.0, -2.0])
    y = ScaledCube.apply(x, 0.5)
    assert isinstance(y, Tensor) and y.grad_fn is not None
    np.testing.assert_array_equal(y.data, [0.5, -4.0])
    y.backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x.grad.data, [1.5, 12.0])
    needs, grad_type, saved_type = ScaledCube.seen[0]
    assert needs == (True, False)
    assert grad_type is Tensor and saved_type is Tensor  # user rules see Tensors
    check_grads(lambda t: ScaledCube.apply(t, 1.5), [np.array([0.3, -1.1, 2.0])])


def test_user_function_only_computes_what_is_needed():
    a, b = f64([2.0]), f64([3.0])
    c = Tensor([5.0], dtype=np.float64)  # no grad
    WeightedProduct.apply(a, b, c).backward(np.array([1.0]))
    assert a.grad.item() == 15.0 and b.grad.item() == 10.0 and c.grad is None
    check_grads(
        lambda p, q, r: WeightedProduct.apply(p, q, r),
        [np.array([1.0, 2.0]), np.array([0.5]), np.array([[3.0], [-1.0]])],
    )


def test_user_function_under_create_graph():
    """k x^3 with k = 0.5: first derivative 1.5 x^2, second 3 x."""
    x = f64([1.0, -2.0])
    (g,) = grad(ScaledCube.apply(x, 0.5).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, 1.5 * x.data**2)
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 3 * x.data)


def test_user_function_under_no_grad_builds_no_node():
    x = f64([1.0])
    with no_grad():
        y = ScaledCube.apply(x, 2.0)
    assert y.grad_fn is None and not y.requires_grad


def test_user_function_with_several_outputs_is_refused_not_stacked():
    """torch returns a tuple of Tensors (one gradient each in backward); a Function here has
    one output, so a tuple or list from forward raises instead of becoming one stacked
    Tensor."""

    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3

    with pytest.raises(RuntimeError, match=r"Split.forward returned 2 outputs.*stack them"):
        Split.apply(f64([1.0, 2.0]))


def test_mark_non_differentiable_output_needs_no_gradient():
    """torch: an output marked in forward does not require grad and has no grad_fn, so its
    backward is never called; marking something that is not the output changes nothing."""

    class Positive(Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            return mask

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("never called")

    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(x)  # an input: ignored, as in torch
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = f64([-1.0, 2.0])
    mask = Positive.apply(x)
    assert mask.tolist() == [False, True]
    assert not mask.requires_grad and mask.grad_fn is None
    y = Twice.apply(x)
    assert y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_user_function_returning_the_wrong_number_of_gradients_is_reported():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    x, y = f64([1.0]), f64([2.0])
    with pytest.raises(RuntimeError, match=r"Bad.*1 gradients for 2 inputs"):
        Bad.apply(x, y).backward(np.array([1.0]))


def test_detect_anomaly_check_nan_false_and_set_detect_anomaly():
    """torch: check_nan=False checks nothing; set_detect_anomaly(True) switches the check on
    at once, until set_detect_anomaly(False); in a with block it restores the old state."""
    from tinygrad_mlp.anomaly import is_anomaly_enabled
    from tinygrad_mlp.autograd import set_detect_anomaly

    x = f64([-1.0])
    with np.errstate(invalid="ignore"), detect_anomaly(check_nan=False):
        assert np.isnan(x.sqrt().data).all()  # no check
    try:
        set_detect_anomaly(True)
        assert is_anomaly_enabled()
        with np.errstate(invalid="ignore"), pytest.raises(RuntimeError, match="Sqrt"):
            x.sqrt()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
        assert is_anomaly_enabled()  # the block put the previous state back
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()
    with pytest.raises(TypeError, match="check_nan"):
        detect_anomaly(check_nan="yes")


# --------------------------------------------------------------- torch's hook and grad-mode checks
def test_hook_returning_a_non_tensor_is_refused_not_converted():
    # torch: "expected Variable, but hook returned 'numpy.ndarray'" (a TypeError)
    for value in (np.ones(2), [1.0, 1.0]):
        x = Tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g, v=value: v)
        with pytest.raises(TypeError, match="expected a Tensor"):
            (x * x).sum().backward()
        assert x.grad is None


def test_hook_changing_the_dtype_is_refused_not_cast():
    # torch: "hook '<lambda>' has changed the type of value"
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="changed the type of value"):
        (x * x).sum().backward()


def test_retain_grad_on_a_tensor_without_grad_is_refused():
    # torch: "can't retain_grad on Tensor that has requires_grad=False"
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        Tensor([1.0, 2.0]).retain_grad()
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.retain_grad()  # a leaf that requires grad: allowed, changes nothing
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


@pytest.mark.parametrize("flag", [0, 1, None, "no"])
def test_set_grad_enabled_refuses_a_non_bool(flag):
    # torch: "set_grad_enabled(): argument 'enabled' (position 1) must be bool"
    before = tg.is_grad_enabled()
    with pytest.raises(TypeError, match="must be True or False"):
        tg.set_grad_enabled(flag)
    assert tg.is_grad_enabled() is before


def test_gradcheck_as_torch_autograd_spells_it():
    x = Tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    assert tg.autograd.gradgradcheck(lambda t: (t**3).sum(), (x,))
    assert tg.autograd.gradcheck is tg.gradcheck.gradcheck


# --------------------------------------------------------------------------- walking the graph
def test_next_functions_walks_the_graph_as_pytorchs_autograd_tutorial_does():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0])  # needs no gradient
    y = (a * 2.0 + b).sum()
    (add, zero), *rest = y.grad_fn.next_functions  # the sum's axis and flag are no inputs
    assert rest == [] and zero == 0 and type(add) is type((a + b).grad_fn)
    (mul, _), (none, _) = add.next_functions  # b: a tensor, and no gradient goes there
    assert none is None
    ((acc, _),) = mul.next_functions  # the 2.0 is a number, not an input with an entry
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is a
    assert acc.next_functions == () and acc == mul.next_functions[0][0]


def test_next_functions_after_backward_keeps_the_nodes_and_drops_the_nones():
    a = Tensor([1.0, 2.0], requires_grad=True)
    y = (a * Tensor([3.0, 4.0])).sum()
    mul = y.grad_fn.next_functions[0][0]
    assert [n is None for n, _ in mul.next_functions] == [False, True]
    y.backward()  # lets the graph go: its inputs with it
    assert y.grad_fn.next_functions == ((mul, 0),)
    ((acc, _),) = mul.next_functions
    assert acc.variable is a


# ----------------------------------------------------------------------------- backward(inputs=)
def _inputs_graph():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, -1.0]), requires_grad=True)
    h = a * b
    return a, b, h, (h * h).sum() + (a**3).sum()  # d/db = 2 h a, d/dh = 2 h


def test_backward_inputs_fills_only_the_grads_asked_for():
    a, b, h, loss = _inputs_graph()
    loss.backward(inputs=[b])
    np.testing.assert_array_equal(b.grad.data, 2 * (a.data * b.data) * a.data)  # [6, -8]
    assert a.grad is None  # a leaf reached, but not asked for


def test_backward_inputs_may_be_a_non_leaf_and_one_tensor():
    a, b, h, loss = _inputs_graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "grad of a non-leaf" warning: it was asked for
        loss.backward(inputs=h, retain_graph=True)
        np.testing.assert_array_equal(h.grad.data, 2 * h.data)
    assert a.grad is None and b.grad is None
    loss.backward(inputs=(h, a))  # accumulates, as .grad always does
    np.testing.assert_array_equal(h.grad.data, 4 * h.data)
    np.testing.assert_array_equal(a.grad.data, 2 * h.data * b.data + 3 * a.data**2)


def test_backward_inputs_unused_is_left_alone_and_empty_or_constant_is_refused():
    a, b, h, loss = _inputs_graph()
    u = Tensor(np.array([5.0]), requires_grad=True)
    loss.backward(inputs=[u, b], retain_graph=True)  # u is not in the graph: no error
    assert u.grad is None and b.grad is not None
    with pytest.raises(RuntimeError, match="cannot be empty"):
        loss.backward(inputs=[], retain_graph=True)
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        loss.backward(inputs=[Tensor(np.ones(2))], retain_graph=True)
    autograd.backward([loss], inputs=[a])  # torch.autograd.backward's spelling
    np.testing.assert_array_equal(a.grad.data, 2 * h.data * b.data + 3 * a.data**2)


def test_a_tensor_hook_handle_works_as_a_with_block_and_removes_once():
    """Inside the block d/dx sum(3 x) is tripled by the hook: 9; after it, 3 again."""
    x = f64([1.0, 2.0])
    with x.register_hook(lambda g: g * 3) as handle:
        (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [9.0, 9.0])
    x.grad = None
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    handle.remove()  # already off: nothing happens
