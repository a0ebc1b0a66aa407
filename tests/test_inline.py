"""The replay written out as one Python function (`tinygrad_mlp.inline`, `tape.code`):
what gets pasted, what falls back to a closure, and that either way a replay gives the eager
bits."""

from __future__ import annotations

import ast
import linecache
import re
import traceback

import numpy as np
import pytest
from test_compile import X, Y, same_outputs, xor_setup

import tinygrad_mlp as tg
import tinygrad_mlp.nn as nn
from tinygrad_mlp import inline
from tinygrad_mlp.autograd import grad


def code_after(code: str, comment: str) -> list[str]:
    """The lines a step wrote: those after its comment, up to the next comment."""
    lines = [line.strip() for line in code.splitlines()]
    out, inside = [], False
    for line in lines:
        if line.startswith("#"):
            inside = comment in line
        elif inside:
            out.append(line)
    return out


# --------------------------------------------------------------------------- what is pasted
def test_the_xor_step_is_written_out_whole_with_no_closure_left():
    _, _, s = xor_setup()
    c = tg.compile(s)
    x, y = tg.Tensor(X), tg.Tensor(Y)
    c(x, y), c(x, y)
    code = c.tape.code
    lines = code.splitlines()
    assert not [line for line in lines if re.fullmatch(r"\s*R\d+\(S, A\)", line)]
    # the effects are called by name: zero_grad, the running statistics (saved first, to
    # undo a replay whose loss takes the other branch), a dropout mask, the update
    assert re.search(r"\n    zero_grad\(K\d+\)\n", code)
    assert re.search(r"_undo\d*\.append\(\(K(\d+), K\1\._data, K\1\._data\.copy\(\)", code)
    assert re.search(r"_r = _dropout_mask\(\(4, 4\), 0\.5, K\d+\)\n", code)
    # plain SGD's update written out, one line per parameter, step() left for the odd case
    assert len(re.findall(r"\n        _d -= _lr \* _g\d\._data\n", code)) == 8
    stores = r"(    S\[(\d+)\] = s\2\n)+$"  # the outputs put back in S
    assert re.search(r"\n    else:\n        step\(K\d+\)\n    del _g0, [^\n]*\n" + stores, code)
    # the primitives' own code, with no context object left
    assert len(re.findall(r"s\d+ = s\d+ @ s\d+\.T\n", code)) == 3  # MatMulT
    assert "np.maximum(s" in code  # Relu.forward
    # every slot is a local (`s7`, as the tape names it): loaded from S at the start if the
    # caller gave it (a parameter, an input, a constant), put back in S at the end if returned
    moves = r"    (s(\d+) = S\[\2\]|S\[(\d+)\] = s\3)"
    body = [ln for ln in lines[1:] if not re.fullmatch(moves, ln)]
    assert not [ln for ln in body if "S[" in ln]
    for gone in ("ctx", "save_for_backward", "needs_input_grad", "saved_tensors"):
        assert gone not in code
    # compiled with the function's own name for a traceback
    assert lines[0] == "def replay(S, A):"


def test_the_traced_flags_of_needs_input_grad_drop_an_unneeded_gradient():
    tg.manual_seed(0)
    layer = nn.Linear(3, 2)
    x = tg.Tensor(np.arange(12, dtype=np.float32).reshape(4, 3))

    def step(x):
        return grad(layer(x).sum(), [layer.weight])[0]

    c = tg.compile(step)
    eager = step(x)
    for _ in range(3):
        same_outputs(eager, c(x))
    # x needs no gradient: MatMulT.backward is only `g.T @ a`, the branch folded away
    (line,) = code_after(c.tape.code, "MatMulT.backward")
    assert re.fullmatch(r"s\d+ = s\d+\.T @ _c\d+_0", line)
    assert "needs_input_grad" not in c.tape.code
    # and the weight its forward saved, which only x's gradient reads, is not kept
    forward = code_after(c.tape.code, "MatMulT.forward")
    assert [ln for ln in forward if ln.startswith("_c")] == [line.split(" @ ")[1] + " = s0"]


def test_shapes_dtypes_and_saved_constants_are_folded_into_the_code():
    a = tg.Tensor(A.astype(np.float32), requires_grad=True)
    c = tg.compile(lambda a: grad((a.mean(axis=0) ** 3.0).sum(), [a])[0])
    c(a), c(a)
    code = c.tape.code
    # the tape is replayed only on the traced shapes and dtypes: .shape, .size and
    # .dtype.kind of a slot are constants, and so is what is computed from them alone
    # (an effect's result is still checked: a random draw's mask, of the traced shape)
    pasted = [ln for ln in code.splitlines() if not ln.startswith("    if not isinstance(_r")]
    for read in (".shape", ".size", ".dtype", "_kept_shape", "_averaged"):
        assert not [ln for ln in pasted if read in ln], read
    (mean,) = [line for line in code_after(code, "Mean.forward") if "reduce" in line]
    assert re.fullmatch(r"s\d+ = np\.add\.reduce\(s\d+, \(0,\), keepdims=False\) / 4", mean)
    assert "np.add.reduce(s" in code and ", None, None, keepdims=False)" in code  # Sum
    # Pow.backward with its exponent a number: the branch for 0 ** 0 folded away
    (pow_line,) = code_after(code, "Pow.backward")
    assert re.fullmatch(r"s\d+ = s\d+ \* 3\.0 \* _c\d+_0 \*\* 2\.0", pow_line)
    # Mean.backward: the kept shape and the count as literals
    (back,) = code_after(code, "Mean.backward")
    assert back.endswith(".reshape((1, 3)) / 4, (4, 3))")


@pytest.mark.parametrize("shape", [(4, 3), (0, 3), (4, 0), (2, 0, 3), (), (5,)])
def test_the_count_a_mean_divides_by_is_the_eager_one_for_every_shape(shape):
    x = np.ones(shape, np.float32)
    for axes in [None, *[(i,) for i in range(len(shape))], tuple(range(len(shape)))]:
        out = np.add.reduce(x, axes)
        expected = x.size // np.size(out) if np.size(out) else 0
        assert tg.ops._averaged(shape, axes) == expected, axes


# --------------------------------------------------------------------------- the same bits
A = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0], [1.0, 1.0, -0.75], [2.0, -3.0, 0.0]])
TWO = {
    "add, broadcast": (lambda a, b: a + b, (4, 3), (3,)),
    "sub, both broadcast": (lambda a, b: a - b, (4, 1), (1, 3)),
    "mul, 0-d": (lambda a, b: a * b, (), ()),
    "mul, 0-d and matrix": (lambda a, b: a * b, (), (4, 3)),
    "div, broadcast": (lambda a, b: a / (b.abs() + 0.5), (4, 3), (3,)),
    "maximum with ties": (lambda a, b: tg.maximum(a, b), (4, 3), (4, 3)),
    "minimum with ties": (lambda a, b: tg.minimum(a, b), (4, 3), (3,)),
    "matmul": (lambda a, b: a @ b, (4, 3), (3, 2)),
    "where": (lambda a, b: tg.where(a > 0, a, b), (4, 3), (3,)),
    "pow of 0-d": (lambda a, b: a**3.0 * b, (), ()),
    "sum to 0-d, times 0-d": (lambda a, b: a.sum() * b, (4, 3), ()),
    "mean over an axis": (lambda a, b: a.mean(axis=0) * b, (4, 3), (3,)),
    "exp, log, tanh, sigmoid": (
        lambda a, b: (a.exp() + (b.abs() + 1.0).log()).tanh().sigmoid(),
        (4, 3),
        (3,),
    ),
    "transpose (backward not pasted)": (lambda a, b: a.transpose(1, 0) * b, (4, 3), (4,)),
    "max over an axis (forward not pasted)": (lambda a, b: a.max(axis=1) + b, (4, 3), (4,)),
}


def values(shape: tuple, k: int, dtype: type) -> tg.Tensor:
    """Values with ties and both signs (A's entries, shifted by k), requiring a gradient."""
    n = int(np.prod(shape))
    v = np.resize(np.roll(A.ravel(), k), n).reshape(shape).astype(dtype)
    if not shape:
        v = v + np.asarray(k, dtype)  # a 0-d value that changes from call to call
    return tg.Tensor(v, requires_grad=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(TWO))
def test_a_pasted_step_gives_the_eager_value_and_gradients_bit_for_bit(case, dtype):
    fn, sa, sb = TWO[case]

    def step(a, b):
        out = fn(a, b)
        ga, gb = grad((out * out).sum(), [a, b])
        return out, ga, gb

    c = tg.compile(step)
    for k in range(4):  # new values of the same shapes: the replay computes from them
        a, b = values(sa, k, dtype), values(sb, 2 * k + 1, dtype)
        same_outputs(step(a, b), c(a, b))
    assert c.traces == 2 and c.replays == 2


def test_a_body_that_cannot_be_pasted_runs_its_closure_and_a_pasted_forward_makes_its_context():
    a = tg.Tensor(A.astype(np.float32), requires_grad=True)

    def step(a):
        t = a.transpose(1, 0)  # t * t: a gradient that depends on a, so it is not folded
        return grad((t * t).sum() + a.max(axis=1).sum(), [a])[0]

    c = tg.compile(step)
    c(a), c(a)
    code = c.tape.code
    # Transpose.backward has a loop: its closure reads a context the pasted forward made
    (call,) = code_after(code, "Transpose.backward")
    assert re.fullmatch(r"R\d+\(S, A\)", call)
    assert any("_context" in line for line in code_after(code, "Transpose.forward"))
    # Max.forward has a branch: its closure runs it, and the pasted backward reads its context
    (call,) = code_after(code, "Max.forward")
    assert re.fullmatch(r"R\d+\(S, A\)", call)
    assert any(".saved_tensors" in line for line in code_after(code, "Max.backward"))


def test_a_big_array_a_pasted_forward_saved_is_let_go_with_its_context():
    big = nn.Linear(128, 64)
    c = tg.compile(lambda x: grad(big(x).relu().sum(), [big.weight])[0])
    x = tg.Tensor(np.ones((64, 128), np.float32))
    c(x), c(x)
    (relu,) = [s for s in c.tape.steps if s["kind"] == "forward" and s["op"] is tg.ops.Relu]
    lines = [line.strip() for line in c.tape.code.splitlines()]
    ctx = relu["ctx"]
    # Relu.forward saved its input (64x64) as _c<ctx>_0: let go after Relu.backward read it
    freed = lines.index(f"s{ctx} = None")
    assert (
        lines.index("# " + c.tape.lines[relu_backward(c.tape)].split("   (")[0])
        < freed
        < len(lines) - 3
    )
    assert lines[freed + 1] == f"del _c{ctx}_0"


def relu_backward(tape) -> int:
    (i,) = [
        i for i, s in enumerate(tape.steps) if s["kind"] == "backward" and s["op"] is tg.ops.Relu
    ]
    return i


def test_an_error_in_a_replay_points_at_its_line_of_code():
    a, b = tg.Tensor(np.ones(3)), tg.Tensor(np.array([1.0, 0.0, 2.0]))
    c = tg.compile(lambda a, b: a / b)
    with np.errstate(divide="ignore"):  # traced twice: 1 / 0 is inf, as NumPy gives
        c(a, b), c(a, b)
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError) as info:
        c(a, b)
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.filename.startswith("<tinygrad_mlp tape")
    assert frame.name == "replay"
    assert re.fullmatch(r"\w+ = s\d+ / s\d+", frame.line)  # Div.forward's line
    assert linecache.getline(frame.filename, frame.lineno).strip() == frame.line


def test_a_replays_source_leaves_linecache_with_its_tape():
    # a schedule that changes lr every epoch re-traces every epoch: the tapes it drops must
    # not leave their source behind
    c = tg.compile(lambda a: (a * 2.0).sum())
    a = tg.Tensor(np.ones(3))
    c(a), c(a)
    name = c.tape.replay.__code__.co_filename
    assert name in linecache.cache
    del c
    assert name not in linecache.cache  # freed with the function: no cycle keeps it


# --------------------------------------------------------------------------- which bodies
def test_only_a_straight_line_body_can_be_pasted():
    def plain(ctx, x, k):
        y = x * k
        ctx.save_for_backward(x, y)
        return y + 1

    body = inline.body_of(plain)
    assert body is not None and body.params == ["ctx", "x", "k"] and body.saves == 2
    assert body.assigned == {"y"}

    def branch(ctx, x):
        if x.ndim:
            x = x + 1
        return x

    def loop(ctx, x):
        for _ in range(2):
            x = x + 1
        return x

    def sets_ctx(ctx, x):
        ctx.shape = x.shape
        return x

    def passes_ctx(ctx, x):
        return helper(ctx, x)  # noqa: F821 - never run

    def two_saves(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_backward(x)
        return x

    def comprehension(ctx, x):
        return [v for v in x]

    for fn in (branch, loop, sets_ctx, passes_ctx, two_saves, comprehension, len):
        assert inline.body_of(fn) is None, fn


def test_constants_fold_where_python_would_compute_the_same_at_every_replay():
    w = inline.Writer()
    assert w.constant(0.5).value == 0.5 and w.constant((0, 1)).value == (0, 1)
    arr = np.ones(2)
    name = w.constant(arr).id
    assert w.names[name] is arr and w.constant(arr).id == name  # bound once, by identity
    nan = w.constant(float("nan")).id  # no literal reads back as this NaN's object
    assert w.names[nan] != w.names[nan]
    fold = lambda w, text: ast.unparse(w.folded(ast.parse(text, mode="eval").body))  # noqa: E731
    assert fold(inline.Writer(), "len((1, 2)) == 2 and type(-0.5) in (int, float)") == "True"
    shadowed = inline.Writer()
    shadowed.bind(lambda x: 0, "G", "len")  # a module's own global named len
    assert fold(shadowed, "len((1, 2)) == 2") == "len((1, 2)) == 2"  # left to the replay
