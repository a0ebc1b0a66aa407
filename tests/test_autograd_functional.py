"""tinygrad_mlp.autograd.functional (PyTorch's torch.autograd.functional): jacobian,
hessian, vjp, jvp, hvp and vhp against closed forms computed with NumPy and against
float64 central differences of the function itself; shapes and nesting; strict mode;
create_graph; the user's tensors left alone; refused arguments."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import numerical_grads

import tinygrad_mlp as tg
import tinygrad_mlp.autograd.functional as AF
from tinygrad_mlp import Tensor
from tinygrad_mlp.autograd import grad
from tinygrad_mlp.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
S = RNG.standard_normal((4, 4))  # not symmetric
X4 = np.array([0.3, -1.2, 0.8, 1.5])
Y23 = np.array([[0.5, -0.7, 1.1], [0.9, 0.2, -1.4]])


def t64(a, requires_grad: bool = False) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


def close(ours, expected, atol: float = 1e-10) -> None:
    assert isinstance(ours, Tensor), f"expected a Tensor, got {type(ours).__name__}"
    expected = np.asarray(expected, dtype=np.float64)
    assert ours.shape == expected.shape, f"shape {ours.shape}, expected {expected.shape}"
    np.testing.assert_allclose(ours.data, expected, rtol=1e-8, atol=atol)


def numerical_jacobian(fn, arrays, j: int, eps: float = 1e-6) -> np.ndarray:
    """d fn(*arrays) / d arrays[j] by float64 central differences of fn itself (run under
    no_grad: the engine's backward pass is not used), shaped out.shape + in.shape."""
    base = [np.array(a, dtype=np.float64) for a in arrays]

    def value(arrs):
        with tg.no_grad():
            return fn(*(t64(a) for a in arrs)).data

    columns = []
    for k in range(base[j].size):
        plus, minus = [a.copy() for a in base], [a.copy() for a in base]
        plus[j].flat[k] += eps
        minus[j].flat[k] -= eps
        columns.append((value(plus) - value(minus)) / (2 * eps))
    out_shape = columns[0].shape
    return np.stack(columns, axis=-1).reshape(out_shape + base[j].shape)


# ----------------------------------------------------------------------------- import paths
def test_the_module_is_reachable_by_pytorchs_spellings() -> None:
    import tinygrad_mlp.autograd.functional as again

    assert tg.autograd.functional is AF is again
    assert AF.jacobian is jacobian and AF.hessian is hessian
    assert {"jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"} <= set(AF.__all__)


# ----------------------------------------------------------------------------- jacobian
def test_jacobian_of_a_linear_map_is_its_matrix() -> None:
    J = jacobian(lambda x: t64(A) @ x, t64(X4))
    close(J, A)


def test_jacobian_of_elementwise_functions_is_diagonal() -> None:
    close(jacobian(lambda x: x**2, t64(X4)), np.diag(2 * X4))
    close(jacobian(lambda x: x.tanh(), t64(X4)), np.diag(1 - np.tanh(X4) ** 2))


def test_jacobian_shape_is_output_shape_then_input_shape() -> None:
    c = RNG.standard_normal((2, 3))
    J = jacobian(lambda y: y * t64(c), t64(Y23))
    expected = np.einsum("ij,ik,jl->ijkl", c, np.eye(2), np.eye(3))  # c[i,j] at [i,j,i,j]
    close(J, expected)
    close(jacobian(lambda y: y.sum(1), t64(Y23)), np.einsum("ik,j->ikj", np.eye(2), np.ones(3)))
    close(jacobian(lambda x: x.exp(), t64(1.5)), np.exp(1.5))  # 0-d in, 0-d out: shape ()


def test_tuple_inputs_give_one_block_per_input() -> None:
    x, y = X4, -X4[::-1] + 0.1
    Jx, Jy = jacobian(lambda a, b: a * b, (t64(x), t64(y)))
    close(Jx, np.diag(y))
    close(Jy, np.diag(x))
    (only,) = jacobian(lambda a: a * 3.0, (t64(x),))  # a tuple of one stays a tuple
    close(only, 3 * np.eye(4))


def test_tuple_outputs_and_tuple_inputs_nest_outputs_outside() -> None:
    x, y = X4[:3], np.array([0.4, -0.6])

    def f(a, b):
        return a * b.sum(), (a**2).sum() + (b**3).sum()

    res = jacobian(f, (t64(x), t64(y)))
    assert isinstance(res, tuple) and len(res) == 2
    assert all(isinstance(r, tuple) and len(r) == 2 for r in res)
    (d0x, d0y), (d1x, d1y) = res
    close(d0x, y.sum() * np.eye(3))
    close(d0y, np.outer(x, np.ones(2)))
    close(d1x, 2 * x)
    close(d1y, 3 * y**2)
    single_in = jacobian(lambda a: (a.sin(), a.sum()), t64(x))  # tuple out, one input
    assert isinstance(single_in, tuple) and len(single_in) == 2
    close(single_in[0], np.diag(np.cos(x)))
    close(single_in[1], np.ones(3))


def nonlinear(x, y):
    """A coupled non-linear function of x (4,) and y (2, 3), giving a (2, 4) output."""
    return (y.sum(1, keepdim=True) * x).tanh() + (x.exp() * (y**2).sum()).reshape(1, 4)


def test_jacobian_of_a_nonlinear_function_matches_central_differences() -> None:
    Jx, Jy = jacobian(nonlinear, (t64(X4), t64(Y23)))
    assert Jx.shape == (2, 4, 4) and Jy.shape == (2, 4, 2, 3)
    close(Jx, numerical_jacobian(nonlinear, [X4, Y23], 0), atol=1e-7)
    close(Jy, numerical_jacobian(nonlinear, [X4, Y23], 1), atol=1e-7)


@pytest.mark.parametrize("vectorize", [False, True])
def test_vectorize_and_forward_mode_give_the_same_jacobian(vectorize: bool) -> None:
    def f(a, b):
        return nonlinear(a, b), (a * a).sum()

    reverse = jacobian(f, (t64(X4), t64(Y23)), vectorize=vectorize)
    forward = jacobian(f, (t64(X4), t64(Y23)), vectorize=True, strategy="forward-mode")
    for r_out, f_out in zip(reverse, forward):
        for r, fw in zip(r_out, f_out):
            close(fw, r.data)
    close(forward[0][0], numerical_jacobian(nonlinear, [X4, Y23], 0), atol=1e-7)
    close(forward[1][0], 2 * X4)


def test_an_input_the_output_does_not_use_gets_zeros() -> None:
    Jx, Jy = jacobian(lambda a, b: a * 2.0, (t64(X4), t64(Y23)))
    close(Jx, 2 * np.eye(4))
    close(Jy, np.zeros((4, 2, 3)))
    close(jacobian(lambda a: t64(Y23), t64(X4)), np.zeros((2, 3, 4)))  # a constant output
    fwd = jacobian(
        lambda a, b: a * 2.0, (t64(X4), t64(Y23)), vectorize=True, strategy="forward-mode"
    )
    close(fwd[1], np.zeros((4, 2, 3)))


def test_a_function_that_returns_its_input_has_the_identity_jacobian() -> None:
    v = RNG.standard_normal(4)
    close(jacobian(lambda a: a, t64(X4)), np.eye(4))
    close(jacobian(lambda a: a, t64(X4), vectorize=True, strategy="forward-mode"), np.eye(4))
    close(jvp(lambda a: a, t64(X4), t64(v))[1], v)
    outs, g = vjp(lambda a: (a, a), t64(X4), (t64(v), t64(2 * v)))
    assert isinstance(outs, tuple) and len(outs) == 2
    close(g, 3 * v)  # the two outputs' shares add up


def test_empty_inputs_and_outputs_give_empty_blocks() -> None:
    close(jacobian(lambda a: a.sum(), t64(np.zeros(0))), np.zeros(0))
    close(jacobian(lambda a: a[:0], t64(X4)), np.zeros((0, 4)))


# ----------------------------------------------------------------------------- hessian
def test_hessian_of_a_sum_of_cubes_is_diag_6x() -> None:
    close(hessian(lambda x: (x**3).sum(), t64(X4)), np.diag(6 * X4))


def test_hessian_of_a_quadratic_form_is_a_plus_a_transpose() -> None:
    H = hessian(lambda x: x @ t64(S) @ x, t64(X4))
    close(H, S + S.T)


def test_hessian_of_log_sum_exp_couples_the_inputs() -> None:
    p = np.exp(X4) / np.exp(X4).sum()
    H = hessian(lambda x: x.exp().sum().log(), t64(X4))
    close(H, np.diag(p) - np.outer(p, p))


def test_hessian_of_a_matrix_input_has_shape_input_then_input() -> None:
    H = hessian(lambda y: (y**2).sum(), t64(Y23))
    close(H, 2 * np.eye(6).reshape(2, 3, 2, 3))
    close(hessian(lambda x: x.exp(), t64(0.5)), np.exp(0.5))  # 0-d input


def test_hessian_of_tuple_inputs_is_a_tuple_of_tuples_of_blocks() -> None:
    x, y = X4[:3], np.array([[0.4, -0.6], [1.2, 0.3]])
    (hxx, hxy), (hyx, hyy) = hessian(lambda a, b: (a**2).sum() * b.sum(), (t64(x), t64(y)))
    close(hxx, 2 * y.sum() * np.eye(3))
    close(hxy, 2 * x[:, None, None] * np.ones((3, 2, 2)))
    close(hyx, 2 * x[None, None, :] * np.ones((2, 2, 3)))
    close(hyy, np.zeros((2, 2, 2, 2)))


def test_hessian_with_a_forward_mode_outer_jacobian_is_the_same() -> None:
    p = np.exp(X4) / np.exp(X4).sum()
    H = hessian(
        lambda x: x.exp().sum().log(),
        t64(X4),
        vectorize=True,
        outer_jacobian_strategy="forward-mode",
    )
    close(H, np.diag(p) - np.outer(p, p))


def test_hessian_of_a_linear_function_is_zero() -> None:
    close(hessian(lambda x: (x * t64(X4)).sum(), t64(X4)), np.zeros((4, 4)))


# ----------------------------------------------------------------------------- products
def tanh_map(x):
    return t64(A) @ x.tanh()


J_TANH = A * (1 - np.tanh(X4) ** 2)  # d (A tanh(x)) / dx = A diag(1 - tanh^2)


def test_vjp_is_v_transposed_times_the_jacobian() -> None:
    v = RNG.standard_normal(3)
    out, res = vjp(tanh_map, t64(X4), t64(v))
    close(out, A @ np.tanh(X4))
    close(res, J_TANH.T @ v)


def test_jvp_is_the_jacobian_times_v() -> None:
    v = RNG.standard_normal(4)
    out, res = jvp(tanh_map, t64(X4), t64(v))
    close(out, A @ np.tanh(X4))
    close(res, J_TANH @ v)


def test_vjp_and_jvp_of_a_nonlinear_function_match_central_differences() -> None:
    u, vx, vy = RNG.standard_normal((2, 4)), RNG.standard_normal(4), RNG.standard_normal((2, 3))
    out, (gx, gy) = vjp(nonlinear, (t64(X4), t64(Y23)), t64(u))
    nx, ny = numerical_grads(nonlinear, [X4, Y23], u)  # d sum(f * u) / d inputs
    close(gx, nx, atol=1e-7)
    close(gy, ny, atol=1e-7)
    out, res = jvp(nonlinear, (t64(X4), t64(Y23)), (t64(vx), t64(vy)))
    eps = 1e-6
    with tg.no_grad():
        plus = nonlinear(t64(X4 + eps * vx), t64(Y23 + eps * vy)).data
        minus = nonlinear(t64(X4 - eps * vx), t64(Y23 - eps * vy)).data
    close(res, (plus - minus) / (2 * eps), atol=1e-7)
    with tg.no_grad():
        close(out, nonlinear(t64(X4), t64(Y23)).data)


def test_products_agree_with_the_jacobian() -> None:
    J = jacobian(tanh_map, t64(X4)).data
    u, v = RNG.standard_normal(3), RNG.standard_normal(4)
    close(vjp(tanh_map, t64(X4), t64(u))[1], u @ J)
    close(jvp(tanh_map, t64(X4), t64(v))[1], J @ v)


def test_jvp_with_tuple_outputs_gives_one_product_per_output() -> None:
    v = RNG.standard_normal(4)
    (o0, o1), (r0, r1) = jvp(lambda x: (x**2, x.sum()), t64(X4), t64(v))
    close(o0, X4**2)
    close(r0, 2 * X4 * v)
    close(r1, v.sum())


def test_v_may_be_left_out_for_a_single_element() -> None:
    out, g = vjp(lambda x: (x**2).sum(), t64(X4))
    close(out, (X4**2).sum())
    close(g, 2 * X4)
    out, d = jvp(lambda x: x.exp() * t64(X4), t64(0.5))
    close(d, np.exp(0.5) * X4)
    _, h = hvp(lambda x: x**4, t64(0.5))
    close(h, 12 * 0.5**2)


def test_hvp_and_vhp_are_hessian_times_v() -> None:
    p = np.exp(X4) / np.exp(X4).sum()
    H = np.diag(p) - np.outer(p, p)
    v = RNG.standard_normal(4)
    lse = lambda x: x.exp().sum().log()  # noqa: E731
    out, hv = hvp(lse, t64(X4), t64(v))
    close(out, np.log(np.exp(X4).sum()))
    close(hv, H @ v)
    _, vh = vhp(lse, t64(X4), t64(v))
    close(vh, v @ H)
    _, q = vhp(lambda x: x @ t64(S) @ x, t64(X4), t64(v))
    close(q, v @ (S + S.T))


def test_hvp_and_vhp_with_tuple_inputs() -> None:
    x, y = X4, np.array([0.7, -0.3, 1.1, 0.2])
    vx, vy = RNG.standard_normal(4), RNG.standard_normal(4)
    f = lambda a, b: (a**2 * b).sum()  # noqa: E731  H = [[diag(2y), diag(2x)], [diag(2x), 0]]
    expected = (2 * y * vx + 2 * x * vy, 2 * x * vx)
    for fn in (hvp, vhp):
        _, (hx, hy) = fn(f, (t64(x), t64(y)), (t64(vx), t64(vy)))
        close(hx, expected[0])
        close(hy, expected[1])


# ----------------------------------------------------------------------------- the user's tensors
@pytest.mark.parametrize("requires_grad", [False, True])
def test_the_users_tensors_are_left_alone_and_results_are_detached(requires_grad: bool) -> None:
    x = t64(X4, requires_grad=requires_grad)
    v = t64(np.ones(4))
    results = [
        jacobian(lambda a: a**2, x),
        hessian(lambda a: (a**3).sum(), x),
        *vjp(lambda a: a**2, x, v),
        *jvp(lambda a: a**2, x, v),
        *hvp(lambda a: (a**3).sum(), x, v),
        *vhp(lambda a: (a**3).sum(), x, v),
    ]
    for r in results:
        assert not r.requires_grad and r.grad_fn is None
    assert x.grad is None and x.requires_grad is requires_grad and x.is_leaf
    np.testing.assert_array_equal(x.data, X4)


def test_they_work_under_no_grad() -> None:
    with tg.no_grad():
        close(jacobian(lambda a: a**2, t64(X4)), np.diag(2 * X4))
        close(hvp(lambda a: (a**3).sum(), t64(X4), t64(np.ones(4)))[1], 6 * X4)
        assert not tg.is_grad_enabled()


# ----------------------------------------------------------------------------- create_graph
def test_a_jacobian_made_with_create_graph_can_be_differentiated_again() -> None:
    x = t64(X4, requires_grad=True)
    J = jacobian(lambda a: a**3, x, create_graph=True)  # diag(3 x^2)
    assert J.requires_grad
    (d,) = grad(J[1, 1], x, retain_graph=True)  # d (3 x_1^2) / dx = 6 x_1 e_1
    close(d, np.eye(4)[1] * 6 * X4[1])
    J.sum().backward()
    close(x.grad, 6 * X4)


def test_products_made_with_create_graph_can_be_differentiated_again() -> None:
    v = RNG.standard_normal(4)
    x = t64(X4, requires_grad=True)
    out, r = vjp(lambda a: a**3, x, t64(v), create_graph=True)  # 3 x^2 v
    assert out.requires_grad
    close(grad(r.sum(), x)[0], 6 * X4 * v)
    _, r = jvp(lambda a: a**3, x, t64(v), create_graph=True)  # 3 x^2 v
    close(grad(r.sum(), x)[0], 6 * X4 * v)
    _, r = hvp(lambda a: (a**4).sum(), x, t64(v), create_graph=True)  # 12 x^2 v
    close(grad(r.sum(), x)[0], 24 * X4 * v)
    _, r = vhp(lambda a: (a**4).sum(), x, t64(v), create_graph=True)
    close(grad(r.sum(), x)[0], 24 * X4 * v)
    assert x.grad is None


def test_a_hessian_made_with_create_graph_gives_third_derivatives() -> None:
    x = t64(X4, requires_grad=True)
    H = hessian(lambda a: (a**4).sum(), x, create_graph=True)  # diag(12 x^2)
    close(H.detach(), np.diag(12 * X4**2))
    (d,) = grad(H.sum(), x)
    close(d, 24 * X4)


def test_a_differentiable_v_stays_connected_under_create_graph() -> None:
    v = t64(np.ones(3), requires_grad=True)
    _, r = vjp(lambda a: a * 2.0, t64(X4[:3]), v, create_graph=True)  # 2 v
    (dv,) = grad(r.sum(), v)
    close(dv, 2 * np.ones(3))


# ----------------------------------------------------------------------------- strict mode
def test_strict_refuses_an_output_that_does_not_depend_on_an_input() -> None:
    f = lambda a, b: a * 2.0  # noqa: E731
    with pytest.raises(
        RuntimeError,
        match=r"Output 0 of the user-provided function is independent of input 1\. "
        r"This is not allowed in strict mode",
    ):
        jacobian(f, (t64(X4), t64(Y23)), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        vjp(f, (t64(X4), t64(Y23)), t64(np.ones(4)), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        jvp(f, (t64(X4), t64(Y23)), (t64(np.ones(4)), t64(np.ones((2, 3)))), strict=True)
    g = lambda a, b: (a**2).sum()  # noqa: E731
    vs = (t64(np.ones(4)), t64(np.ones((2, 3))))
    for fn in (hvp, vhp):
        with pytest.raises(RuntimeError, match="independent of input 1"):
            fn(g, (t64(X4), t64(Y23)), vs, strict=True)


def test_strict_refuses_an_output_that_does_not_require_grad() -> None:
    with pytest.raises(
        RuntimeError, match="Output 0 of the user-provided function does not require gradients"
    ):
        jacobian(lambda a: t64(Y23), t64(X4), strict=True)


def test_strict_refuses_a_hessian_of_a_linear_function() -> None:
    with pytest.raises(
        RuntimeError,
        match="jacobian of the user-provided function with respect to input 0 is independent",
    ):
        hessian(lambda a: a.sum(), t64(X4), strict=True)
    with pytest.raises(RuntimeError, match="not allowed in strict mode when create_graph=True"):
        jacobian(lambda a: a * 2.0, t64(X4), strict=True, create_graph=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function is independent"):
        vjp(lambda a: a * 2.0, t64(X4), t64(X4), strict=True, create_graph=True)  # 2 v: constant


def test_strict_accepts_functions_that_use_every_input() -> None:
    Jx, Jy = jacobian(nonlinear, (t64(X4), t64(Y23)), strict=True)
    close(Jx, numerical_jacobian(nonlinear, [X4, Y23], 0), atol=1e-7)
    H = hessian(lambda a: (a**3).sum(), t64(X4), strict=True)
    close(H, np.diag(6 * X4))
    _, r = jvp(tanh_map, t64(X4), t64(np.ones(4)), strict=True)
    close(r, J_TANH @ np.ones(4))


# ----------------------------------------------------------------------------- refused arguments
@pytest.mark.parametrize(
    "bad, kind",
    [(3.0, "float"), (np.ones(3), "numpy.ndarray"), ([t64(X4)], "list"), ((t64(X4), 2), "int")],
)
def test_inputs_that_are_not_tensors_are_refused_naming_their_type(bad, kind: str) -> None:
    for fn in (jacobian, hessian):
        with pytest.raises(
            TypeError,
            match=rf"The inputs given to {fn.__name__} must be either a Tensor or a tuple "
            rf"of Tensors.*{kind}",
        ):
            fn(lambda *a: a[0].sum(), bad)
    with pytest.raises(TypeError, match=rf"inputs given to vjp.*{kind}"):
        vjp(lambda *a: a[0].sum(), bad)


def test_a_function_that_does_not_return_tensors_is_refused() -> None:
    with pytest.raises(
        TypeError, match="outputs of the user-provided function given to jacobian.*float"
    ):
        jacobian(lambda a: 3.0, t64(X4))
    with pytest.raises(
        TypeError, match="outputs of the user-provided function given to jvp.*ndarray"
    ):
        jvp(lambda a: a.data * 2, t64(X4), t64(X4))


def test_v_is_required_unless_there_is_a_single_element() -> None:
    with pytest.raises(
        RuntimeError,
        match=r"v can only be None if the user-provided function returns a single Tensor "
        r"with a single element.*\(3,\)",
    ):
        vjp(lambda a: a * 2.0, t64(X4[:3]))
    for fn in (jvp, hvp, vhp):
        with pytest.raises(
            RuntimeError,
            match=r"v can only be None if the input to the user-provided function is a single "
            r"Tensor with a single element",
        ):
            fn(lambda a: (a * 2.0).sum(), t64(X4))


def test_a_wrong_shaped_v_is_refused_naming_both_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be \(3,\) but got \(4,\)"):
        vjp(tanh_map, t64(X4), t64(np.ones(4)))
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be \(4,\) but got \(3,\)"):
        jvp(tanh_map, t64(X4), t64(np.ones(3)))
    with pytest.raises(
        RuntimeError, match=r"Entry 1 in v has invalid size: should be \(2, 3\) but got \(3, 2\)"
    ):
        hvp(lambda a, b: (a * b.sum()).sum(), (t64(X4), t64(Y23)), (t64(X4), t64(np.ones((3, 2)))))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        vhp(lambda a, b: (a * b.sum()).sum(), (t64(X4), t64(Y23)), (t64(X4),))


def test_hessian_hvp_and_vhp_need_a_single_element_output() -> None:
    with pytest.raises(RuntimeError, match=r"should contain a single element, not shape \(4,\)"):
        hessian(lambda a: a**2, t64(X4))
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        hessian(lambda a: (a.sum(), a.sum()), t64(X4))
    for fn in (hvp, vhp):
        with pytest.raises(
            RuntimeError, match="given to " + fn.__name__ + " should contain a single element"
        ):
            fn(lambda a: a**2, t64(X4), t64(X4))


def test_forward_mode_keeps_pytorchs_restrictions() -> None:
    f = lambda a: a**2  # noqa: E731
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        jacobian(f, t64(X4), strategy="forward-mode")
    with pytest.raises(
        RuntimeError, match='`strict=True` and `strategy="forward-mode"` are not supported'
    ):
        jacobian(f, t64(X4), strategy="forward-mode", vectorize=True, strict=True)
    with pytest.raises(
        NotImplementedError, match='`create_graph=True` and `strategy="forward-mode"`'
    ):
        jacobian(f, t64(X4), strategy="forward-mode", vectorize=True, create_graph=True)
    with pytest.raises(
        ValueError, match='strategy must be "forward-mode" or "reverse-mode", got \'fast\''
    ):
        jacobian(f, t64(X4), strategy="fast")
    with pytest.raises(ValueError, match="outer_jacobian_strategy must be"):
        hessian(lambda a: a.sum(), t64(X4), outer_jacobian_strategy="reverse")


def test_flags_and_dtypes_are_checked() -> None:
    with pytest.raises(TypeError, match="create_graph must be True or False, got 'yes'"):
        jacobian(lambda a: a**2, t64(X4), create_graph="yes")
    with pytest.raises(TypeError, match="strict must be True or False"):
        vjp(lambda a: a.sum(), t64(X4), strict=1)
    with pytest.raises(
        RuntimeError, match="only Tensors of floating point dtype can require gradients"
    ):
        jacobian(lambda a: a * 2, Tensor([1, 2, 3]))
