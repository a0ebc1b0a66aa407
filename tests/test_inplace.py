"""In-place operations with PyTorch's rules: the leaf rule, writing in place under no_grad,
recording on non-leaves, version counters and the "modified by an inplace operation"
error, `.data`, and checked assignment of `requires_grad` and `.grad`."""

import math

import numpy as np
import pytest
from helpers import check_grads

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor, no_grad
from tinygrad_mlp.autograd import increment_version

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
Y = np.array([[1.1, 0.4, -0.9], [0.2, -1.3, 0.8]])


def leaf(values=X, dtype=np.float64):
    return Tensor(values, dtype=dtype, requires_grad=True)


# --------------------------------------------------------------------------- values
# (in-place method, the out-of-place reference on NumPy arrays, extra arguments)
TWINS = [
    ("add_", lambda a, b: a + b, (Y,)),
    ("sub_", lambda a, b: a - b, (Y,)),
    ("mul_", lambda a, b: a * b, (Y,)),
    ("div_", lambda a, b: a / b, (Y,)),
    ("pow_", lambda a, p: np.abs(a) ** p, (2.5,)),
    ("neg_", lambda a: -a, ()),
    ("exp_", np.exp, ()),
    ("log_", lambda a: np.log(np.abs(a)), ()),
    ("sqrt_", lambda a: np.sqrt(np.abs(a)), ()),
    ("tanh_", np.tanh, ()),
    ("sigmoid_", lambda a: 1 / (1 + np.exp(-a)), ()),
    ("relu_", lambda a: np.maximum(a, 0), ()),
    ("abs_", np.abs, ()),
    ("clamp_", lambda a, lo, hi: np.clip(a, lo, hi), (-0.5, 1.0)),
    ("clip_", lambda a, lo, hi: np.clip(a, lo, hi), (-0.5, 1.0)),
    ("sin_", np.sin, ()),
    ("cos_", np.cos, ()),
    ("square_", np.square, ()),
    ("log1p_", lambda a: np.log1p(np.abs(a)), ()),
    ("expm1_", np.expm1, ()),
    ("erf_", lambda a: np.vectorize(math.erf)(a), ()),
]
POSITIVE = {"pow_", "log_", "sqrt_", "log1p_"}  # defined for positive values: start from |X|


@pytest.mark.parametrize("name, ref, args", TWINS, ids=[t[0] for t in TWINS])
def test_in_place_twins_match_numpy_and_keep_the_object(name, ref, args):
    start = np.abs(X) if name in POSITIVE else X
    t = Tensor(start, dtype=np.float64)
    array = t.data
    out = getattr(t, name)(
        *[Tensor(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in args]
    )
    assert out is t and t.data is array  # the same tensor, its array written in place
    np.testing.assert_allclose(t.data, ref(start, *args), rtol=1e-12)
    assert t._version == 1


@pytest.mark.parametrize("name, ref, args", TWINS, ids=[t[0] for t in TWINS])
def test_in_place_twins_on_a_non_leaf_are_recorded_and_differentiable(name, ref, args):
    """y = x * 1; y.op_(...): gradients flow to x (and to a Tensor argument) as for the
    out-of-place op; checked against central differences."""
    start = np.abs(X) + 0.5 if name in POSITIVE else X
    tensor_args = [a for a in args if isinstance(a, np.ndarray)]

    def fn(x, *others):
        y = x * 1.0
        it = iter(others)
        getattr(y, name)(*[next(it) if isinstance(a, np.ndarray) else a for a in args])
        return y

    check_grads(fn, [start, *tensor_args])


def test_augmented_operators_are_in_place():
    t = Tensor([1.0, 2.0, 4.0], dtype=np.float64)
    alias = t
    t += 1
    t -= Tensor([0.5, 0.5, 0.5], dtype=np.float64)
    t *= 2
    t /= 4
    t **= 2
    assert alias is t and t._version == 5
    np.testing.assert_allclose(t.data, (((np.array([1.0, 2.0, 4.0]) + 1 - 0.5) * 2 / 4) ** 2))


def test_matmul_assignment_rebinds_as_in_pytorch():
    """PyTorch has no in-place matmul: `a @= b` makes a new tensor and rebinds the name."""
    a = Tensor(np.eye(2) * 2)
    original = a
    a @= Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert a is not original and original._version == 0
    np.testing.assert_array_equal(a.data, [[2.0, 4.0], [6.0, 8.0]])


def test_zero_fill_and_copy():
    t = Tensor([1.0, 2.0, 3.0])
    t.fill_(2.5)
    np.testing.assert_array_equal(t.data, [2.5, 2.5, 2.5])
    t.zero_()
    np.testing.assert_array_equal(t.data, [0.0, 0.0, 0.0])
    t.copy_(Tensor([[4.0, 5.0, 6.0]])[0])
    np.testing.assert_array_equal(t.data, [4.0, 5.0, 6.0])
    t.copy_(7.0)  # broadcast
    np.testing.assert_array_equal(t.data, [7.0, 7.0, 7.0])
    assert t._version == 4 and t.dtype == np.float32
    i = Tensor([1, 2])
    i.fill_(1.7)  # fill_ and copy_ cast to the tensor's dtype, as PyTorch does
    np.testing.assert_array_equal(i.data, [1, 1])
    i.copy_(Tensor([3.9, -2.2]))
    np.testing.assert_array_equal(i.data, [3, -2])


def test_fill_and_copy_on_a_non_leaf_send_zero_to_the_old_value_and_g_to_src():
    x, src = leaf([1.0, 2.0]), leaf([5.0, 6.0])
    y = x * 3
    y.copy_(src)
    (y * Tensor([2.0, 3.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    np.testing.assert_array_equal(src.grad.data, [2.0, 3.0])
    z = leaf([1.0, 2.0]) * 1
    z.zero_()
    assert z.requires_grad and z.grad_fn is not None  # still in the graph, as in PyTorch
    check_grads(lambda a, v: (a * 1).fill_(v.sum()) * a, [np.array([1.0, -2.0]), np.array(0.5)])


# --------------------------------------------------------------------------- setitem
def test_setitem_matches_numpy_for_each_kind_of_index():
    cases = [1, (0, slice(1, None)), (slice(None), [0, 2]), np.array([True, False]), Ellipsis]
    for index in cases:
        t = Tensor(X)
        expected = X.copy()
        t[index] = 9.0
        expected[index] = 9.0
        np.testing.assert_array_equal(t.data, expected)
        assert t._version == 1
    t = Tensor(X)
    t[Tensor([1])] = Tensor([[1.0, 2.0, 3.0]], dtype=np.float64)
    np.testing.assert_array_equal(t.data, [X[0], [1.0, 2.0, 3.0]])


def test_setitem_gradients_flow_to_the_kept_values_and_to_the_value():
    check_grads(lambda x, v: _set(x * 1, (slice(None), 1), v), [X, np.array([3.0, -1.0])])
    check_grads(lambda x, v: _set(x * x, (0, [0, 2]), v * v), [X, np.array([0.5, 2.0])])
    check_grads(lambda x, v: _set(x * 2, X > 0, v), [X, np.array(1.5)])  # broadcast value


def _set(t, index, value):
    t[index] = value
    return t


def test_setitem_on_a_leaf_that_requires_grad_is_refused_in_grad_mode_only():
    w = leaf()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*no_grad"):
        w[0, 0] = 1.0
    with no_grad():
        w[0, 0] = 1.0
    assert w.data[0, 0] == 1.0 and w.is_leaf and w.requires_grad


def test_setitem_casts_into_the_tensor_dtype():
    t = Tensor([1, 2, 3])
    t[0] = 7.9
    assert t.dtype == np.int64 and t.data.tolist() == [7, 2, 3]


# --------------------------------------------------------------------------- leaf rules
@pytest.mark.parametrize(
    "update",
    [
        lambda w: w.add_(1.0),
        lambda w: w.mul_(2.0),
        lambda w: w.zero_(),
        lambda w: w.exp_(),
        lambda w: w.copy_(Tensor(X)),
        lambda w: w.__isub__(1.0),
    ],
    ids=["add_", "mul_", "zero_", "exp_", "copy_", "-="],
)
def test_in_place_on_a_leaf_that_requires_grad_raises_in_grad_mode(update):
    w = leaf()
    with pytest.raises(RuntimeError) as info:
        update(w)
    message = str(info.value)
    assert "a leaf Variable that requires grad is being used in an in-place operation" in message
    assert "no_grad()" in message  # says what to do
    np.testing.assert_array_equal(w.data, X)  # and nothing changed
    assert w._version == 0


def test_manual_update_under_no_grad_keeps_the_same_leaf():
    w = leaf()
    array = w.data
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with no_grad():
            w -= 0.1 * w.grad
        w.grad = None
    assert w.is_leaf and w.requires_grad and w.grad_fn is None and w.data is array
    np.testing.assert_allclose(w.data, X * 0.8**3)  # w <- w - 0.1 * 2 w, three times
    assert w._version == 3


def test_in_place_with_a_grad_argument_makes_a_plain_leaf_a_graph_node():
    x = Tensor(X, dtype=np.float64)  # a leaf that does not require grad
    w = leaf(Y)
    x.mul_(w)
    assert not x.is_leaf and x.requires_grad and x.grad_fn is not None
    x.sum().backward()
    np.testing.assert_allclose(w.grad.data, X)


def test_recorded_in_place_rebinds_to_a_new_node_without_touching_the_old_values():
    x = leaf()
    y = x * 2
    before = y.data
    old_node = y.grad_fn
    y.add_(1.0)
    assert y.grad_fn is not old_node and y.data is not before
    np.testing.assert_array_equal(before, X * 2)  # what the old node made is intact
    np.testing.assert_array_equal(y.data, X * 2 + 1)


def test_consumers_made_before_a_recorded_in_place_op_keep_their_gradient_path():
    """z = y + 1 used y's old node; after y.mul_(3) its gradient must still reach x
    through the old node (edges are fixed when a node is made, as in PyTorch)."""
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y + 1  # Add saves nothing, so changing y later is allowed
    y.mul_(3)
    (z.sum() + y.sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [2.0 + 6.0, 2.0 + 6.0])


# --------------------------------------------------------------------------- versions
def test_version_counts_every_in_place_change():
    t = Tensor([1.0, 2.0])
    assert t._version == 0
    t.add_(1.0)
    t[0] = 5.0
    t += 1
    t.data -= 1  # an augmented assignment through .data changes the array itself
    assert t._version == 4
    u = t + 1  # out of place: no change of t
    assert t._version == 4 and u._version == 0
    t.data = np.zeros(2, np.float32)  # a new array: nothing saved is changed
    assert t._version == 4
    increment_version(t)
    increment_version([t, u])
    assert t._version == 6 and u._version == 1


def test_a_change_through_detach_counts_for_the_original():
    x = Tensor([1.0, 2.0])
    d = x.detach()
    d.add_(1.0)
    assert x._version == 1 and np.array_equal(x.data, [2.0, 3.0])


def test_manual_update_between_forward_and_backward_raises_instead_of_a_wrong_gradient():
    """Without the version check this gave the gradient at the new w silently."""
    w = leaf([1.0, 2.0, 3.0])
    loss = (w * w).sum()
    with no_grad():
        w -= 0.5
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    message = str(info.value)
    assert "modified by an inplace operation" in message
    assert "Mul" in message  # names the operation that needed it
    assert "is at version 1; expected version 0 instead" in message
    assert w.grad is None


def test_optimizer_style_data_update_is_detected_too():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    w.data -= 0.1  # what an optimizer's step does
    with pytest.raises(RuntimeError, match="version 1; expected version 0"):
        loss.backward()
    v = leaf([1.0, 2.0])
    loss = (v * v).sum()
    v.data[...] = 0.0  # invisible to the engine ...
    increment_version(v)  # ... until the writer says so
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_versions_are_exact_after_several_changes():
    w = leaf([1.0, 2.0])
    w_plain = Tensor([3.0, 4.0], dtype=np.float64)
    with no_grad():
        w.add_(1.0)  # version 1 before the graph is made
    loss = (w * w_plain).sum()
    for _ in range(2):
        w_plain.add_(1.0)  # a saved input that does not require grad counts too
    with pytest.raises(RuntimeError, match="at version 2; expected version 0 instead"):
        loss.backward()
    with no_grad():
        w.add_(1.0)
    loss = (w * 3).sum()
    with no_grad():
        w.add_(1.0)
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="at version 4; expected version 2 instead"):
        loss.backward()


def test_changing_a_saved_output_raises():
    """exp saves its output; changing it (recorded or not) breaks exp's rule."""
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.add_(1.0)
    with pytest.raises(RuntimeError, match=r"saved by Exp is at version 1; expected version 0"):
        y.sum().backward()
    x2 = leaf([1.0, 2.0])
    y2 = x2.exp()
    with no_grad():
        y2.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y2.sum().backward()


def test_changing_an_input_a_node_did_not_save_is_allowed():
    """Add and Exp do not save their input: changing it afterwards breaks nothing, as in
    PyTorch; the gradients are those of the values used."""
    x = leaf([1.0, 2.0])
    a = x * 1
    y = (a + 2).sum() + a.exp().sum()
    with no_grad():
        a.mul_(100.0)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 1 + np.exp([1.0, 2.0]))


def test_changes_after_backward_are_fine_and_the_next_graph_is_checked_afresh():
    w = leaf([1.0, 2.0])
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with no_grad():
            w -= 0.25 * w.grad
        w.grad = None
    assert w._version == 3


# --------------------------------------------------------------------------- shapes, dtypes
def test_in_place_result_must_keep_the_shape():
    t = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"output with shape \(3,\) doesn't match the broadcast"):
        t.add_(Tensor(np.ones((2, 3))))
    assert t._version == 0 and t.data.tolist() == [1.0, 2.0, 3.0]


def test_in_place_result_must_fit_the_dtype():
    i = Tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to.*int64"):
        i.add_(1.5)
    b = Tensor([True, False])
    with pytest.raises(RuntimeError, match="result type int64 can't be cast to.*bool"):
        b.add_(1)
    f = Tensor([1.0, 2.0])  # float32
    f.add_(Tensor([0.5, 0.5], dtype=np.float64))  # a float64 result fits float32
    assert f.dtype == np.float32 and f.data.tolist() == [1.5, 2.5]
    i.add_(Tensor(np.array([1, 1], dtype=np.int32)))
    assert i.dtype == np.int64 and i.data.tolist() == [2, 3]


def test_in_place_on_an_expanded_tensor_is_refused():
    e = Tensor([1.0, 2.0]).expand(3, 2)
    with pytest.raises(RuntimeError, match="single memory location.*clone"):
        e.add_(1.0)
    c = e.clone()
    c.add_(1.0)
    np.testing.assert_array_equal(c.data, [[2.0, 3.0]] * 3)


# --------------------------------------------------------------------------- .data
def test_data_assignment_replaces_values_and_unwraps_a_tensor():
    w = leaf([1.0, 2.0])
    w.data = Tensor(np.arange(5.0))  # other shape and dtype allowed, as in PyTorch
    assert w.shape == (5,) and w.dtype == np.float64 and w.is_leaf and w.requires_grad
    assert isinstance(w.data, np.ndarray)
    w.data = np.zeros((2, 2), dtype=np.float32)
    assert w.shape == (2, 2) and w.dtype == np.float32
    m = nn_state_roundtrip(w)
    np.testing.assert_array_equal(m, np.zeros((2, 2)))


def nn_state_roundtrip(w):
    """What state_dict() does with a parameter: its array."""
    module = tg.nn.Module()
    module.w = tg.nn.Parameter(w)
    return module.state_dict()["w"]


@pytest.mark.parametrize(
    "value, error, words",
    [
        ([1.0, 2.0], TypeError, "list"),
        (3.0, TypeError, "float"),
        ("abc", TypeError, "str"),
        (np.array(["a"]), TypeError, "strings"),
        (np.array([1, 2]), RuntimeError, "int64"),  # w requires grad: must stay floating
    ],
)
def test_bad_data_assignment_is_refused_naming_it(value, error, words):
    w = leaf([1.0, 2.0])
    with pytest.raises(error, match=words):
        w.data = value
    assert w.data.tolist() == [1.0, 2.0]


def test_data_assignment_of_integers_is_fine_without_grad():
    t = Tensor([1.0, 2.0])
    t.data = np.array([3, 4])
    assert t.dtype == np.int64


# --------------------------------------------------------------------------- requires_grad, .grad
def test_requires_grad_assignment_is_checked():
    t = Tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype.*int64"):
        t.requires_grad = True
    assert not t.requires_grad
    f = Tensor([1.0, 2.0])
    f.requires_grad = True
    assert f.requires_grad and f.is_leaf
    y = f * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="leaf variables.*detach"):
        y.requires_grad_(False)
    assert y.requires_grad_(True) is y  # already true: allowed, as in PyTorch
    with pytest.raises(TypeError, match="requires_grad must be True or False, got 'yes'"):
        f.requires_grad = "yes"
    with pytest.raises(TypeError, match="got 1"):
        Tensor([1.0], requires_grad=1)


def test_integer_requires_grad_no_longer_truncates_a_gradient():
    """It used to be accepted and backward gave 2 for 2.5."""
    with pytest.raises(RuntimeError, match="floating point"):
        Tensor([1, 2, 3], requires_grad=True)


def test_grad_assignment_is_checked():
    w = leaf([1.0, 2.0])
    w.grad = Tensor([0.5, 0.5], dtype=np.float64)
    np.testing.assert_array_equal(w.grad.data, [0.5, 0.5])
    w.grad = None
    assert w.grad is None
    with pytest.raises(TypeError, match=r"got ndarray; wrap it: t.grad = tg.Tensor\(array\)"):
        w.grad = np.zeros(2)
    with pytest.raises(TypeError, match="got list"):
        w.grad = [0.0, 0.0]
    with pytest.raises(RuntimeError, match=r"shape \(3,\) to a tensor of shape \(2,\)"):
        w.grad = Tensor([1.0, 2.0, 3.0], dtype=np.float64)
    with pytest.raises(RuntimeError, match="dtype float32 to a tensor of dtype float64"):
        w.grad = Tensor([1.0, 2.0])


def test_reading_grad_of_a_non_leaf_warns_as_pytorch_does():
    x = leaf([1.0])
    y = x * 2
    y.backward()
    with pytest.warns(UserWarning, match="not a leaf.*retain_grad.*w -= lr \\* w.grad"):
        assert y.grad is None


# --------------------------------------------------------------------------- casting
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, "int64", tg.long, tg.bool])
def test_casting_to_integer_or_bool_gives_a_tensor_without_grad(dtype):
    x = leaf([1.5, -2.0])
    for cast in (x.astype(dtype), x.to(dtype)):
        assert not cast.requires_grad and cast.grad_fn is None and cast.is_leaf
    assert not x.long().requires_grad and not x.int().requires_grad and not x.bool().requires_grad
    assert x.float().requires_grad  # a float cast stays differentiable


# --------------------------------------------------------------------------- optimizer steps
@pytest.mark.parametrize(
    "make",
    [
        lambda ps: tg.optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: tg.optim.Adam(ps, lr=0.1),
        lambda ps: tg.optim.AdamW(ps, lr=0.1),
        lambda ps: tg.optim.RMSprop(ps, lr=0.1),
        lambda ps: tg.optim.Adagrad(ps, lr=0.1),
        lambda ps: tg.optim.NAdam(ps, lr=0.1),
        lambda ps: tg.optim.RAdam(ps, lr=0.1),
        lambda ps: tg.optim.Adamax(ps, lr=0.1),
        lambda ps: tg.optim.Adadelta(ps),
        lambda ps: tg.optim.Rprop(ps, lr=0.1),
        lambda ps: tg.optim.ASGD(ps, lr=0.1),
    ],
    ids=[
        "SGD",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "NAdam",
        "RAdam",
        "Adamax",
        "Adadelta",
        "Rprop",
        "ASGD",
    ],
)
def test_a_step_counts_as_an_in_place_change_of_each_parameter(make):
    """`loss = (w * w).sum(); opt.step(); loss.backward()` would differentiate at the new
    w with the old graph: it raises, as PyTorch does, instead of a silently wrong gradient."""
    w = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    frozen = Tensor([1.0], requires_grad=True)  # no .grad: the step leaves it alone
    opt = make([w, frozen])
    w.grad = tg.ones(3)
    loss = (w * w).sum() + (frozen * frozen).sum()
    opt.step()
    assert w._version == 1 and frozen._version == 0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    # the usual order (forward, backward, step) works: the gradient is taken at the values
    # the forward saw, before the step changed them
    w.grad = None
    before = w.data.copy()
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w.grad.data, 2 * before)
    assert w._version == 2 and not np.array_equal(w.data, before)


# --------------------------------------------------------------- inplace= of activations
# PyTorch's functional activations and their modules take inplace=: x itself gets the
# result and is returned; the gradient is the activation's; a leaf that requires grad
# refuses it in grad mode.
def _relu(x, inplace):
    return tg.nn.functional.relu(x, inplace=inplace)


INPLACE_CALLS = [
    ("relu", lambda x: tg.nn.functional.relu(x, inplace=True), np.maximum(X, 0), X > 0),
    ("leaky_relu", lambda x: tg.nn.functional.leaky_relu(x, 0.1, True),
     np.where(X > 0, X, 0.1 * X), np.where(X > 0, 1.0, 0.1)),
    ("hardtanh", lambda x: tg.nn.functional.hardtanh(x, -1.0, 1.0, True), np.clip(X, -1, 1),
     np.abs(X) < 1),
    ("relu6", lambda x: tg.nn.functional.relu6(x, True), np.clip(X, 0, 6), X > 0),
    ("elu", lambda x: tg.nn.functional.elu(x, 1.0, True), np.where(X > 0, X, np.expm1(X)),
     np.where(X > 0, 1.0, np.exp(X))),
    ("ReLU", tg.nn.ReLU(inplace=True), np.maximum(X, 0), X > 0),
    ("LeakyReLU", tg.nn.LeakyReLU(0.2, inplace=True), np.where(X > 0, X, 0.2 * X),
     np.where(X > 0, 1.0, 0.2)),
    ("ReLU6", tg.nn.ReLU6(True), np.clip(X, 0, 6), X > 0),
    ("Hardtanh", tg.nn.Hardtanh(-0.5, 0.5, True), np.clip(X, -0.5, 0.5), np.abs(X) < 0.5),
    ("ELU", tg.nn.ELU(2.0, True), np.where(X > 0, X, 2 * np.expm1(X)),
     np.where(X > 0, 1.0, 2 * np.exp(X))),
]  # fmt: skip


@pytest.mark.parametrize("name, call, value, slope", INPLACE_CALLS)
def test_inplace_activations_change_their_input_and_keep_the_gradient(name, call, value, slope):
    w = leaf()
    h = w * 1.0  # a non-leaf: the change is recorded
    assert call(h) is h
    np.testing.assert_allclose(h.data, value, rtol=1e-15)
    h.backward(Tensor(Y))
    np.testing.assert_allclose(w.grad.data, Y * slope, rtol=1e-15)
    with pytest.raises(RuntimeError, match=r"inplace=True\): .*leaf"):
        call(leaf())


def test_inplace_silu_mish_hardswish_hardsigmoid_equal_the_out_of_place_forms():
    F = tg.nn.functional
    for fn in (F.silu, F.mish, F.hardswish, F.hardsigmoid):
        w1, w2 = leaf(), leaf()
        expected = fn(w1 * 1.0)
        h = w2 * 1.0
        assert fn(h, inplace=True) is h
        np.testing.assert_array_equal(h.data, expected.data)
        expected.backward(Tensor(Y))
        h.backward(Tensor(Y))
        np.testing.assert_array_equal(w2.grad.data, w1.grad.data)


def test_inplace_under_no_grad_and_on_tensors_without_grad():
    x = Tensor(X.copy())
    assert _relu(x, True) is x and (x.data == np.maximum(X, 0)).all()
    w = leaf()
    with no_grad():
        assert _relu(w, True) is w
    assert w.is_leaf and w.requires_grad and (w.data == np.maximum(X, 0)).all()
    with pytest.raises(TypeError, match="changes a Tensor in place"):
        _relu(X.copy(), True)
    kept = Tensor(X.copy())
    assert _relu(kept, False) is not kept and (kept.data == X).all()  # inplace=False


def test_inplace_dropout():
    F = tg.nn.functional
    x = Tensor(np.ones((4, 50)))
    assert F.dropout(x, 0.5, True, True) is x
    assert set(np.unique(x.data)) <= {0.0, 2.0} and (x.data == 0).any()
    y = Tensor(np.ones(3))
    assert F.dropout(y, 0.5, False, True) is y and (y.data == 1).all()  # eval: untouched
    drop = tg.nn.Dropout(0.5, inplace=True)
    z = Tensor(np.ones((4, 50)))
    assert drop(z) is z and (z.data == 0).any()


def test_inplace_reprs_are_pytorchs():
    nn = tg.nn
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(nn.ELU(inplace=True)) == "ELU(alpha=1.0, inplace=True)"
    assert repr(nn.Hardtanh(inplace=True)) == "Hardtanh(min_val=-1.0, max_val=1.0, inplace=True)"
    assert repr(nn.ReLU6(inplace=True)) == "ReLU6(inplace=True)" and repr(nn.ReLU6()) == "ReLU6()"
    assert repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)" and repr(nn.Mish()) == "Mish()"
    assert repr(nn.Hardswish(inplace=True)) == "Hardswish()"  # PyTorch shows nothing here
    assert repr(nn.Hardsigmoid(True)) == "Hardsigmoid()"
    assert repr(nn.Dropout(0.1)) == "Dropout(p=0.1, inplace=False)"
    assert repr(nn.Dropout(inplace=True)) == "Dropout(p=0.5, inplace=True)"
