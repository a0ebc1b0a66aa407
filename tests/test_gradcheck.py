"""tinygrad_mlp.gradcheck: passes correct functions, catches wrong rules (element by element
and in fast mode) with a message that names the input, the element and both values, and
gradgradcheck catches a wrong second derivative."""

import numpy as np
import pytest

import tinygrad_mlp as tg
from tinygrad_mlp import Tensor
from tinygrad_mlp.autograd import Function
from tinygrad_mlp.gradcheck import GradcheckError, gradcheck, gradgradcheck


def leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=np.float64), dtype=dtype, requires_grad=True)


class SquareWrongAt12(Function):
    """out = x^2, but the rule adds 0.5 to the gradient of element (1, 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        offset = np.zeros(x.shape)
        offset[1, 2] = 0.5
        return g * 2 * x + g * offset


class MulWrongForB(Function):
    """out = a * b with db = g * a * 1.01 (wrong by 1 %); da is right."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a * 1.01


class SquareDetachedRule(Function):
    """out = x^2 with dx = g * 2x, where 2x is a constant made from the array: the value is
    right, but the rule is invisible to a second differentiation."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Tensor(2 * x.data, dtype=x.dtype)


class SquareConstantRule(Function):
    """out = x^2 with dx = 2 x g computed entirely on arrays: the value is right, but the
    result is a constant, so it has no derivative with respect to x or g at all."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Tensor(g.data * 2 * x.data, dtype=x.dtype)


class Cube(Function):
    """out = x^3 with dx = g * 3 x^2 built from Tensor ops: twice differentiable."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


X = np.array([[0.5, -1.0, 1.5], [2.0, 0.25, -0.75]])


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda x: (x * x).sum(axis=0), [(2, 3)]),
        (lambda a, b: a @ b, [(2, 3), (3, 4)]),
        (lambda x: x.sigmoid().log(), [(4,)]),
        (lambda x: (x.exp(), x.tanh() * 2), [(3,)]),  # a tuple of outputs
        (lambda a, b: tg.maximum(a, b) + a.var(), [(5,), (5,)]),
        (lambda x: Cube.apply(x), [(2, 2)]),
    ],
)
@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_passes_correct_functions(fn, shapes, fast_mode):
    tg.manual_seed(0)
    rng = np.random.default_rng(21)
    inputs = [leaf(rng.uniform(-2, 2, s)) for s in shapes]
    assert gradcheck(fn, inputs, fast_mode=fast_mode) is True


def test_gradcheck_works_on_float32_inputs_and_ignores_constants():
    """float32 inputs are checked in float64 (otherwise eps = 1e-6 would be rounded away);
    inputs without requires_grad and non-Tensors are passed through unchecked."""
    x = Tensor(X, dtype=np.float32, requires_grad=True)
    c = Tensor(np.ones(3))
    before = x.data.copy()
    assert gradcheck(lambda t, k, s: (t * k * s).exp(), [x, c, 2.0])
    np.testing.assert_array_equal(x.data, before)
    assert x.dtype == np.float32 and x.grad is None


def test_gradcheck_catches_a_wrong_rule_and_names_input_element_and_values():
    x = leaf(X)
    with pytest.raises(GradcheckError) as info:
        gradcheck(SquareWrongAt12.apply, [x])
    message = str(info.value)
    assert "input 0" in message
    assert "(1, 2)" in message
    right, wrong = 2 * X[1, 2], 2 * X[1, 2] + 0.5
    assert f"{wrong:.10g}" in message  # analytical
    assert f"{right:.6g}" in message  # numerical (central differences are not exact)


def test_gradcheck_names_the_second_input_when_it_is_the_wrong_one():
    a, b = leaf([1.0, 2.0]), leaf([3.0, -4.0])
    with pytest.raises(GradcheckError, match=r"input 1 .*element \(0,\)"):
        gradcheck(MulWrongForB.apply, [a, b])
    # with b not requiring grad, only a is checked, and its rule is right
    assert gradcheck(MulWrongForB.apply, [a, Tensor([3.0, -4.0], dtype=np.float64)])


def test_gradcheck_names_the_output_of_a_tuple_result():
    x = leaf(X)
    with pytest.raises(GradcheckError, match="output 1"):
        gradcheck(lambda t: (t.exp(), SquareWrongAt12.apply(t)), [x])


def test_raise_exception_false_returns_false():
    assert gradcheck(SquareWrongAt12.apply, [leaf(X)], raise_exception=False) is False
    assert gradcheck(Cube.apply, [leaf(X)], raise_exception=False) is True


def test_fast_mode_catches_a_wrong_rule_too():
    tg.manual_seed(1)
    a, b = leaf([1.0, 2.0, -0.5]), leaf([3.0, -4.0, 1.5])
    with pytest.raises(GradcheckError, match="fast mode"):
        gradcheck(MulWrongForB.apply, [a, b], fast_mode=True)
    tg.manual_seed(2)
    assert gradcheck(SquareWrongAt12.apply, [leaf(X)], fast_mode=True, raise_exception=False) is (
        False
    )


def test_gradcheck_needs_something_to_check():
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2, [Tensor([1.0])])


def test_gradgradcheck_passes_correct_second_derivatives():
    tg.manual_seed(3)
    assert gradgradcheck(Cube.apply, [leaf(X)])
    assert gradgradcheck(lambda a, b: (a * b).tanh() @ b.T, [leaf(X), leaf(X[::-1])])
    assert gradgradcheck(Cube.apply, [leaf(X)], grad_outputs=[np.full(X.shape, -0.5)])


def test_gradgradcheck_catches_a_rule_built_from_detached_arrays():
    tg.manual_seed(4)
    x = leaf(X)
    assert gradcheck(SquareDetachedRule.apply, [x])  # the first derivative is right...
    with pytest.raises(GradcheckError, match="input 0"):
        gradgradcheck(SquareDetachedRule.apply, [x])  # ...the second is not
    assert gradgradcheck(SquareDetachedRule.apply, [x], raise_exception=False) is False
    with pytest.raises(GradcheckError):
        gradgradcheck(SquareDetachedRule.apply, [x], fast_mode=True)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradgradcheck_catches_a_rule_whose_result_is_a_constant(fast_mode):
    tg.manual_seed(5)
    x = leaf(X)
    assert gradcheck(SquareConstantRule.apply, [x])
    assert (
        gradgradcheck(SquareConstantRule.apply, [x], fast_mode=fast_mode, raise_exception=False)
        is False
    )


def test_gradcheck_checks_that_an_output_without_grad_is_constant():
    x = leaf([0.5, 1.5])
    assert gradcheck(lambda t: (t.exp(), Tensor(np.ones(2))), [x])
    with pytest.raises(GradcheckError, match="output 1"):
        gradcheck(lambda t: (t.exp(), t.detach() * 3), [x])  # depends on x, claims not to
