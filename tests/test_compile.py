"""tg.compile: a traced and replayed step gives exactly the eager results, guards re-trace,
what cannot be compiled is refused, and the tape shows the program."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_mlp as tg
import tinygrad_mlp.functional as F
import tinygrad_mlp.nn as nn
import tinygrad_mlp.optim as optim
from tinygrad_mlp.autograd import grad
from tinygrad_mlp.compile import CompileError

X = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
Y = np.array([[0], [1], [0], [1]], dtype=np.float32)


# --------------------------------------------------------------------------- helpers
def xor_setup(seed: int = 0, lr: float = 0.1, p: float = 0.5):
    """The origin network and its step (as in benchmarks/train_xor.py)."""
    tg.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(2, 4),
        nn.ReLU(),
        nn.BatchNorm1d(4),
        nn.Dropout(p),
        nn.Linear(4, 4),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(4, 1),
        nn.Sigmoid(),
    )
    return _xor_step_with(model, optim.SGD(model.parameters(), lr=lr))


def _xor_step_with(model, opt):
    weights = [model[i].weight for i in (0, 4, 7)]

    def step(x, y):
        opt.zero_grad()
        out = model(x)
        loss = F.binary_cross_entropy(out, y) + F.l2_penalty(weights, 1e-3)
        loss.backward()
        opt.step()
        return loss, out

    return model, opt, step


def mlp_setup(opt_name: str, seed: int = 0):
    """The benchmark MLP's structure, smaller: 32-64-64-10, BN, ReLU, dropout."""
    tg.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(32, 64),
        nn.BatchNorm1d(64),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(64, 64),
        nn.BatchNorm1d(64),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(64, 10),
    )
    if opt_name == "sgd":
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


def same_state(m1, m2) -> None:
    s1, s2 = m1.state_dict(), m2.state_dict()
    assert list(s1) == list(s2)
    for k in s1:
        assert np.array_equal(s1[k], s2[k]), k
        assert s1[k].dtype == s2[k].dtype, k


def same_optimizer(o1, o2) -> None:
    d1, d2 = o1.state_dict()["state"], o2.state_dict()["state"]
    assert d1.keys() == d2.keys()
    for i in d1:
        for k in d1[i]:
            assert np.array_equal(d1[i][k], d2[i][k]), (i, k)


def same_outputs(a, b) -> None:
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert u.shape == v.shape and u.dtype == v.dtype
        assert type(u.data) is type(v.data)  # an ndarray, not a NumPy scalar
        assert np.array_equal(u.data, v.data)


def run_both(setup, steps, args_for, change=None):
    """Run the eager and the compiled step side by side with the same seeds; `change(k,
    model, opt)` may alter both before step k. Returns the compiled function."""
    m1, o1, s1 = setup()
    m2, o2, s2 = setup()
    c2 = tg.compile(s2)
    for k in range(steps):
        if change is not None:
            change(k, m1, o1)
            change(k, m2, o2)
        args = args_for(k)
        tg.manual_seed(1000 + k)
        r1 = s1(*args)
        tg.manual_seed(1000 + k)
        r2 = c2(*args)
        same_outputs(r1, r2)
    same_state(m1, m2)
    same_optimizer(o1, o2)
    return c2, (m1, o1), (m2, o2)


# --------------------------------------------------------------------------- bit identity
def test_xor_step_200_steps_bit_identical_losses_outputs_weights_running_stats():
    x, y = tg.Tensor(X), tg.Tensor(Y)
    m1, o1, s1 = xor_setup()
    m2, o2, s2 = xor_setup()
    c2 = tg.compile(s2)
    tg.manual_seed(7)  # one stream of draws for the whole run, in each
    eager = [s1(x, y) for _ in range(200)]
    tg.manual_seed(7)
    compiled = [c2(x, y) for _ in range(200)]
    assert c2.traces == 2 and c2.replays == 198
    for a, b in zip(eager, compiled):
        same_outputs(a, b)
        assert type(b[0].data) is np.ndarray and type(b[1].data) is np.ndarray
    same_state(m1, m2)  # weights, BN weight/bias, running mean/var, num_batches_tracked
    assert int(m2[2].num_batches_tracked.data) == 200
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p1.grad.data, p2.grad.data)
    # the losses really changed: the comparison is not between constants
    assert eager[0][0].item() != eager[-1][0].item()


def test_returned_outputs_are_fresh_arrays_each_call():
    x, y = tg.Tensor(X), tg.Tensor(Y)
    _, _, s = xor_setup()
    c = tg.compile(s)
    results = [c(x, y) for _ in range(5)]
    losses = [r[0].data for r in results]
    kept = [v.copy() for v in losses]
    for _ in range(3):
        c(x, y)
    for v, k in zip(losses, kept):  # later replays did not overwrite earlier results
        assert np.array_equal(v, k)
    assert len({id(v) for v in losses}) == len(losses)
    assert not np.shares_memory(results[-1][0].data, results[-1][1].data)


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_mlp_step_bit_identical_with_momentum_sgd_and_adam(opt_name):
    rng = np.random.default_rng(0)
    batches = [
        (tg.Tensor(rng.standard_normal((16, 32)).astype(np.float32)), rng.integers(0, 10, 16))
        for _ in range(4)
    ]
    c, _, (m2, o2) = run_both(lambda: mlp_setup(opt_name), 30, lambda k: batches[k % 4])
    assert c.replays == 28
    state = o2.state_dict()["state"]
    assert state and all(v for v in state.values())  # momentum buffers / Adam moments exist


def test_big_arrays_and_the_contexts_that_saved_them_are_dropped_after_their_last_use():
    big, small = nn.Linear(128, 64), nn.Linear(4, 4)

    def step(x, v):
        loss = big(x).relu().sum() + small(v).sum()
        loss.backward()
        return loss

    c = tg.compile(step)
    x, v = tg.Tensor(np.ones((64, 128), np.float32)), tg.Tensor(np.ones((4, 4), np.float32))
    for _ in range(3):
        c(x, v)
    dropped = {sl for step_frees in c.tape.dropped for sl in step_frees}
    matmuls = [s for s in c.tape.steps if s["kind"] == "forward" and s["op"] is tg.ops.MatMulT]
    big_mm, small_mm = matmuls  # big(x) runs first
    assert big_mm["ctx"] in dropped  # it saved x (64 x 128): let go after its backward
    assert big_mm["out"] in dropped  # (64, 64)
    assert small_mm["ctx"] not in dropped  # only small arrays: left to the replay's end
    assert small_mm["out"] not in dropped


def test_a_big_weight_gradient_becomes_grad_as_it_is_not_through_a_kept_buffer():
    big = nn.Linear(128, 64)
    c = tg.compile(lambda x: big(x).relu().sum().backward())
    x = tg.Tensor(np.ones((64, 128), np.float32))
    grads = []
    for _ in range(4):
        big.weight.grad = None
        c(x)
        grads.append(big.weight.grad.data)
    (back,) = [s for s in c.tape.steps if s["kind"] == "backward" and s["op"] is tg.ops.MatMulT]
    (weight_grad,) = [sl for k, sl, _ in back["outs"] if k == 1]
    kept = [line for line in c.tape.lines if "kept between replays" in line]
    assert kept and all(f"s{weight_grad} in buffer" not in line for line in kept)
    # each replay's gradient is its own array, and no later replay writes into it
    assert len({id(g) for g in grads}) == 4
    assert all(np.array_equal(g, grads[0]) for g in grads)


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_buffers_reused_between_replays_keep_every_result_identical(opt_name, monkeypatch):
    import importlib

    compile_module = importlib.import_module("tinygrad_mlp.compile")  # tg.compile: the function
    monkeypatch.setattr(compile_module, "_BIG", 1)  # reuse even these small matmuls
    rng = np.random.default_rng(2)
    batches = [
        (tg.Tensor(rng.standard_normal((16, 32)).astype(np.float32)), rng.integers(0, 10, 16))
        for _ in range(3)
    ]

    def setup():
        model, opt, step = mlp_setup(opt_name)

        def with_logits(x, y):
            loss = step(x, y)
            return loss, model[0].weight.grad  # made where reused buffers feed it

        return model, opt, with_logits

    c, _, _ = run_both(setup, 12, lambda k: batches[k % 3])
    assert c.tape.reused >= 5  # forward products, input gradients, elementwise results
    assert c.tape.buffers < c.tape.reused  # slots whose lives do not overlap share one
    losses = [c(*batches[0])[0] for _ in range(3)]
    assert len({id(t.data) for t in losses}) == 3


def test_cross_entropy_with_weights_and_ignored_labels_that_change_each_call():
    def setup():
        tg.manual_seed(4)
        model = nn.Linear(6, 4)
        opt = optim.SGD(model.parameters(), lr=0.1)
        weight = np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, weight=weight, ignore_index=-1)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    rng = np.random.default_rng(5)
    x = tg.Tensor(rng.standard_normal((8, 6)).astype(np.float32))
    labels = [rng.integers(-1, 4, 8) for _ in range(10)]  # some positions ignored, some not
    labels[3][:] = np.arange(8) % 4  # none ignored: the other branch
    c, (_, o1), (m2, o2) = run_both(setup, 10, lambda k: (x, labels[k]))
    assert c.replays >= 5
    with pytest.raises(ValueError, match="out of bounds"):  # checked again when replayed
        c(x, np.full(8, 7))


def test_masks_comparisons_and_argmax_inside_are_computed_again_at_every_replay():
    # values outside the graph (x > 0, isnan, argmax == y) made from a call's inputs: each
    # replay computes them from the new values, as the eager step does
    def setup():
        tg.manual_seed(6)
        model = nn.Linear(5, 3)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            out = model(tg.where(x > 0, x, 0.1 * x))  # a leaky ReLU through a mask
            out = out.masked_fill(out.isnan() | (out < -50.0), 0.0)
            loss = F.cross_entropy(out, y)
            loss.backward()
            opt.step()
            right = (out.argmax(dim=1) == y).float().mean()
            return loss, right, (~(x >= 0)).sum()

        return model, opt, step

    rng = np.random.default_rng(7)
    xs = [tg.Tensor(rng.standard_normal((8, 5)).astype(np.float32)) for _ in range(12)]
    ys = [tg.Tensor(rng.integers(0, 3, 8)) for _ in range(12)]
    c, _, _ = run_both(setup, 12, lambda k: (xs[k], ys[k]))
    assert c.traces == 2 and c.replays == 10


def test_gradient_penalty_with_create_graph_compiles_and_replays():
    def setup():
        tg.manual_seed(3)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        opt = optim.SGD(model.parameters(), lr=0.05)

        def step(x):
            opt.zero_grad()
            out = model(x)
            (gx,) = grad(out.sum(), x, create_graph=True)
            loss = (out * out).mean() + 0.1 * (gx * gx).sum()
            loss.backward()
            opt.step()
            return loss, gx

        return model, opt, step

    rng = np.random.default_rng(1)
    xs = [tg.Tensor(rng.standard_normal((5, 2), np.float32), requires_grad=True) for _ in range(3)]
    c, _, _ = run_both(setup, 12, lambda k: (xs[k % 3],))
    assert c.replays == 10
    text = str(c.tape)
    # the create_graph pass was recorded as operations; only the plain pass runs rules
    assert text.count("Tanh.backward") == 1
    assert text.count("Tanh.forward") == 1


# --------------------------------------------------------------------------- guards
def _xor_args(k):
    return tg.Tensor(X), tg.Tensor(Y)


def test_new_shape_or_dtype_retraces():
    _, _, s = xor_setup()
    c = tg.compile(s)
    x, y = tg.Tensor(X), tg.Tensor(Y)
    for _ in range(3):
        c(x, y)
    assert c.traces == 2
    c(tg.Tensor(np.concatenate([X, X])), tg.Tensor(np.concatenate([Y, Y])))
    assert c.traces == 3
    # float64 inputs re-trace: the eager run then refuses them in the float32 layers (as
    # PyTorch does), where a replay of the float32 tape would have run on them
    with pytest.raises(RuntimeError, match="linear: the input has dtype float64"):
        c(tg.Tensor(X.astype(np.float64)), tg.Tensor(Y.astype(np.float64)))
    assert c.traces == 3  # (a trace that raised is not kept)


def test_train_eval_switch_retraces_and_stays_identical():
    def change(k, model, opt):
        if k == 5:
            model.eval()
        if k == 9:
            model.train()

    def setup():  # no step in eval mode: BN would use running stats, dropout off
        model, opt, _ = xor_setup()

        def step(x, y):
            opt.zero_grad()
            loss = F.binary_cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    c, _, _ = run_both(setup, 14, _xor_args, change)
    assert c.traces >= 6  # two per mode: before, in eval, after


@pytest.mark.parametrize("opt_name", ["sgd", "momentum", "adam"])
def test_an_lr_schedule_is_read_live_by_every_replay(opt_name):
    schedulers = {}

    def setup():
        model, opt, step = xor_setup()
        if opt_name != "sgd":  # a step called whole (SGD's plain one is written out)
            make = {"momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), "adam": optim.Adam}
            model, opt, step = _xor_step_with(model, make[opt_name](model.parameters()))
        schedulers[id(opt)] = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=40)
        return model, opt, step

    def change(k, model, opt):
        if k:  # a new lr (and momentum, for SGD with momentum) at every call
            schedulers[id(opt)].step()

    c, (m1, o1), (m2, o2) = run_both(setup, 12, _xor_args, change)
    assert o2.param_groups[0]["lr"] != 0.1 * 0.5 / 25  # it moved
    assert c.traces == 2 and c.replays == 10  # no step's Python reads lr: read live


@pytest.mark.parametrize("how", ["reads lr", "holds a group"])
def test_a_step_whose_python_reads_the_lr_retraces_when_it_changes(how):
    def setup():
        tg.manual_seed(0)
        w = tg.Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
        opt = optim.SGD([w], lr=0.1)
        group = opt.param_groups[0]

        def step(x):
            loss = (w * x).sum() ** 2.0
            grad_w = grad(loss, [w])[0]
            lr = opt.param_groups[0]["lr"] if how == "reads lr" else group["lr"]
            with tg.no_grad():
                w.sub_(lr * grad_w)  # the lr is a constant of the recording
            return loss

        return w, opt, step

    (w1, o1, s1), (w2, o2, s2) = setup(), setup()
    c = tg.compile(s2)
    x = tg.Tensor(np.array([0.5, 0.25], np.float32))
    for k in range(8):
        if k in (3, 6):
            for o in (o1, o2):
                o.param_groups[0]["lr"] *= 0.5
        same_outputs(s1(x), c(x))
        assert np.array_equal(w1.data, w2.data)
    assert c.traces == 6 and c.replays == 2  # traced twice at each of the three lrs


def test_momentum_switched_on_between_calls_leaves_the_written_sgd_update_to_step():
    def change(k, model, opt):
        if k == 4:
            opt.param_groups[0]["momentum"] = 0.9

    c, _, _ = run_both(xor_setup, 8, _xor_args, change)
    assert c.traces == 2  # replayed: the written update asks for plain descent each time
    assert re.search(
        r"\['momentum'\] == 0 and K\d+\._param_groups\[0\]\['weight_decay'\]", c.tape.code
    )


def test_requires_grad_false_on_a_parameter_retraces():
    def change(k, model, opt):
        if k == 4:
            model[0].weight.requires_grad_(False)

    c, (m1, _), (m2, _) = run_both(xor_setup, 10, _xor_args, change)
    assert c.traces == 4
    assert m2[0].weight.grad is None or np.array_equal(m1[0].weight.data, m2[0].weight.data)


def test_new_parameter_in_the_optimizer_retraces():
    def change(k, model, opt):
        if k == 4:
            extra = nn.Parameter(np.ones(3, dtype=np.float32))
            opt.add_param_group({"params": [extra], "lr": 0.01})

    c, _, _ = run_both(xor_setup, 8, _xor_args, change)
    assert c.traces == 4


def test_grad_mode_is_part_of_the_key():
    model = nn.Linear(3, 2)
    c = tg.compile(lambda x: model(x).sum())
    x = tg.Tensor(np.ones((2, 3), dtype=np.float32))
    c(x), c(x), c(x)
    with tg.no_grad():
        out = c(x)
    assert c.traces == 3
    assert np.array_equal(out.data, model(x).data.sum())


def test_different_python_path_from_an_argument_or_a_global_retraces():
    model = nn.Linear(3, 2)

    def fn(x, double):
        out = model(x)
        return (out * 2 if double else out).sum()

    c = tg.compile(fn)
    x = tg.Tensor(np.ones((2, 3), dtype=np.float32))
    r = [c(x, False) for _ in range(3)] + [c(x, True) for _ in range(3)]
    assert c.traces == 4
    assert r[-1].item() == pytest.approx(2 * r[0].item())

    global SCALE
    SCALE = 1.0

    def uses_global(x):
        return (model(x) * SCALE).sum()

    g = tg.compile(uses_global)
    first = [g(x) for _ in range(3)][-1].item()
    SCALE = 3.0
    assert g(x).item() == pytest.approx(3 * first)


SCALE = 1.0


def test_branch_decided_by_values_is_checked_at_replay_and_retraced():
    # binary_cross_entropy takes another branch once a probability reaches 0 or 1
    p = nn.Parameter(np.array([[0.5], [0.5]], dtype=np.float32))
    target = tg.Tensor(np.array([[1.0], [0.0]], dtype=np.float32))
    opt = optim.SGD([p], lr=0.2)

    def step(clamp_to):
        opt.zero_grad()
        loss = F.binary_cross_entropy(p.clamp(clamp_to, 1.0), target)
        loss.backward()
        opt.step()
        return loss

    c = tg.compile(step)
    for _ in range(3):
        c(0.1)
    with tg.no_grad():
        p.data[...] = np.array([[1.0], [0.0]], dtype=np.float32)
    got = c(0.0)  # a new key anyway; then the saturated branch replays
    assert np.isfinite(got.item())
    traces = c.traces
    c(0.0)
    with tg.no_grad():
        p.data[...] = np.array([[0.5], [0.5]], dtype=np.float32)
    c(0.0)  # the recorded branch no longer applies: undone and traced again
    assert c.traces > traces


def test_branches_that_alternate_each_get_a_tape_and_match_eager():
    def setup():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(1, 1), nn.Dropout(0.2), nn.Sigmoid())
        opt = optim.SGD(model.parameters(), lr=0.01)

        def step(x, y):
            opt.zero_grad()
            loss = F.binary_cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    y = tg.Tensor(np.array([[1.0], [0.0]], dtype=np.float32))
    small = tg.Tensor(np.array([[0.5], [-0.5]], dtype=np.float32))
    huge = tg.Tensor(np.array([[1e4], [-1e4]], dtype=np.float32))  # probabilities 1 and 0
    c, _, _ = run_both(setup, 16, lambda k: (huge if k % 4 >= 2 else small, y))
    assert len(next(iter(c.tapes.values()))) == 2  # one tape per branch
    assert c.replays >= 8


def test_dropout_draws_advance_the_same_generator():
    _, _, s = xor_setup()
    c = tg.compile(s)
    x, y = tg.Tensor(X), tg.Tensor(Y)
    tg.manual_seed(0)
    for _ in range(4):
        c(x, y)
    after = tg.random.generator().random()
    _, _, s2 = xor_setup()
    tg.manual_seed(0)
    for _ in range(4):
        s2(x, y)
    assert after == tg.random.generator().random()


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("read", ["item", "float", "bool", "tolist", "numpy"])
def test_reading_a_traced_value_raises_a_clear_error(read):
    model = nn.Linear(2, 1)

    def fn(x):
        loss = model(x).sum()
        value = {
            "item": lambda: loss.item(),
            "float": lambda: float(loss),
            "bool": lambda: bool(loss > 0),
            "tolist": lambda: loss.tolist(),
            "numpy": lambda: loss.numpy(),
        }[read]()
        return loss, value

    c = tg.compile(fn)
    with pytest.raises(CompileError, match="after the call"):
        c(tg.Tensor(X))


def manual_setup(update: str):
    """A linear model trained with a hand-written update of the kind `update` names."""

    def setup():
        tg.manual_seed(0)
        model = nn.Linear(3, 2)
        opt = optim.SGD(model.parameters(), lr=0.1)  # only for run_both's state check
        params = list(model.parameters())

        def step(x, y):
            if update == "module zero_grad":
                model.zero_grad()
            elif update == "grad = None":
                for p in params:
                    p.grad = None
            elif update == "grad.zero_() first":
                for p in params:
                    if p.grad is not None:
                        p.grad.zero_()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            with tg.no_grad():
                for p in params:
                    if update == "sub_ then zero_":
                        p.sub_(p.grad, alpha=0.1)
                        p.grad.zero_()
                    else:
                        p -= 0.1 * p.grad
            return loss

        return model, opt, step

    return setup


@pytest.mark.parametrize(
    "update", ["module zero_grad", "grad = None", "grad.zero_() first", "sub_ then zero_"]
)
def test_a_hand_written_update_under_no_grad_is_recorded_and_replayed(update):
    # PyTorch's own tutorials train this way: `with torch.no_grad(): w -= lr * w.grad`,
    # the gradients cleared by model.zero_grad(), w.grad = None or w.grad.zero_(). A replay
    # that skipped any of these would train differently (the gradients would pile up).
    rng = np.random.default_rng(0)
    x = tg.Tensor(rng.standard_normal((8, 3)).astype(np.float32))
    y = tg.Tensor(rng.standard_normal((8, 2)).astype(np.float32))
    c, _, _ = run_both(manual_setup(update), 8, lambda k: (x, y))
    assert c.replays >= 4


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_gradient_clipping_inside_is_replayed(clip):
    from tinygrad_mlp.nn.utils import clip_grad_norm_, clip_grad_value_

    def setup():
        tg.manual_seed(0)
        model = nn.Linear(3, 1)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            if clip == "norm":
                norm = clip_grad_norm_(model.parameters(), 0.5)
            else:
                clip_grad_value_(model.parameters(), 0.1)
                norm = loss
            opt.step()
            return loss, norm

        return model, opt, step

    rng = np.random.default_rng(1)
    x = tg.Tensor(5 * rng.standard_normal((8, 3)).astype(np.float32))  # big gradients
    y = tg.Tensor(rng.standard_normal((8, 1)).astype(np.float32))
    c, (m1, _), _ = run_both(setup, 8, lambda k: (x, y))
    assert c.replays >= 4
    g = m1.weight.grad.data
    assert np.all(np.abs(g) <= 0.1) if clip == "value" else np.linalg.norm(g) <= 0.5 + 1e-6


@pytest.mark.parametrize("how", ["data -=", "data =", "increment_version"])
def test_a_change_the_recording_cannot_see_raises(how):
    from tinygrad_mlp.autograd import increment_version

    w = tg.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)

    def fn(x):
        loss = (x * w).sum()
        loss.backward()
        if how == "data -=":
            w.data -= 0.1 * w.grad.data
        elif how == "data =":
            w.data = w.data - 0.1 * w.grad.data
        else:
            np.subtract(w.data, 0.1 * w.grad.data, out=w.data)
            increment_version(w)
        w.grad = None
        return loss

    c = tg.compile(fn)
    with pytest.raises(CompileError, match=r"does not see .*with tg.no_grad\(\): w -= lr"):
        c(tg.Tensor(np.ones(2, dtype=np.float32)))


def test_python_state_that_each_call_changes_raises_on_the_second_call():
    tg.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    losses: list = []

    class Trainer:
        steps = 0

        def step(self, x):
            self.steps += 1
            return train(x)

    def train(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss

    def with_scheduler(x):
        loss = train(x)
        scheduler.step()  # the epoch counts up: lr would halve at call 10, not in a replay
        return loss

    def appending(x):
        loss = train(x)
        losses.append(loss)
        return loss

    x = tg.Tensor(np.ones((3, 2), dtype=np.float32))
    for fn, what in [
        (with_scheduler, "StepLR.last_epoch: 1 -> 2"),
        (appending, "what a list it reaches holds (length 1 -> 2)"),
        (Trainer().step, "Trainer.steps: 1 -> 2"),
    ]:
        c = tg.compile(fn)
        c(x)  # the first call may change state (e.g. model.train() after an evaluation)
        message = re.escape(f"each call of the function changes {what}")
        with pytest.raises(CompileError, match=message):
            c(x)
        assert c.replays == 0


def test_train_inside_after_eval_outside_retraces_and_stays_eager():
    # model.train() inside the step, model.eval() for validation between calls: the call
    # changes the mode back each time, which is not a change a replay would miss
    def setup():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 1))
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x):
            model.train()
            opt.zero_grad()
            loss = model(x).sum()
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    def change(k, model, opt):
        if k % 3 == 0:
            model.eval()

    c, _, _ = run_both(setup, 9, lambda k: (tg.Tensor(X),), change)
    assert c.replays >= 3


def test_numpy_on_data_inside_is_detected_by_the_second_trace():
    w = tg.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)

    def fn(x):
        centre = x.data.mean()  # computed outside the engine: a constant to the recorder
        return ((x - np.full(3, centre, np.float32)) * w).sum()

    c = tg.compile(fn)
    c(tg.Tensor(np.array([1, 2, 3], dtype=np.float32)))
    with pytest.raises(CompileError, match="different programs"):
        c(tg.Tensor(np.array([4, 5, 9], dtype=np.float32)))


def test_a_hook_on_a_leaf_or_a_node_is_refused():
    w = tg.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    w.register_hook(lambda g: g * 2)

    def fn(x):
        loss = (x * w).sum()
        loss.backward()
        return loss

    c = tg.compile(fn)
    with pytest.raises(CompileError, match="hooks"):
        c(tg.Tensor(np.ones(2, dtype=np.float32)))


def test_a_function_of_your_own_is_refused():
    class Double(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    c = tg.compile(lambda x: Double.apply(x).sum())
    with pytest.raises(CompileError, match="of your own"):
        c(tg.Tensor(X, requires_grad=True))


# --------------------------------------------------------------------------- the tape
def test_tape_lists_forward_backward_and_effects_with_shapes():
    _, _, s = xor_setup()
    c = tg.compile(s)
    with pytest.raises(RuntimeError, match="not been called"):
        _ = c.tape
    x, y = tg.Tensor(X), tg.Tensor(Y)
    c(x, y), c(x, y)
    text = str(c.tape)
    lines = text.splitlines()
    assert lines[0].startswith("tape: ") and len(lines) == len(c.tape.lines) + 1
    first_matmul = next(line for line in lines if "MatMulT.forward" in line)
    assert "[4, 4] float32" in first_matmul and "[4, 2]" in first_matmul
    assert sum("MatMulT.forward" in line for line in lines) == 3
    assert sum("MatMulT.backward" in line for line in lines) == 3
    assert sum("_dropout_mask" in line for line in lines) == 2
    assert lines[1].startswith("effect Optimizer.zero_grad")
    assert lines[-1].startswith("effect Optimizer.step")
    # forward steps come before every backward step
    last_fwd = max(i for i, line in enumerate(lines) if ".forward(" in line)
    first_bwd = min(i for i, line in enumerate(lines) if ".backward(" in line)
    assert last_fwd < first_bwd
    # a bias gradient is summed over the batch axis, decided when traced
    assert any("Add.backward" in line and ".sum(0,)" in line for line in lines)


def test_readme_compile_example_gives_the_eager_loss():
    from test_readme import section_code

    code = section_code("## Compile")
    compiled: dict = {}
    eager: dict = {}
    plain = code.replace("step = tg.compile(train_step)", "step = train_step")
    plain = plain.replace("print(step.tape.lines[0])", "")
    exec(compile(code, "README.md", "exec"), compiled)
    exec(compile(plain, "README.md", "exec"), eager)
    assert compiled["step"].replays == 498
    assert np.array_equal(compiled["loss"].data, eager["loss"].data)
    assert compiled["loss"].item() < 0.05
    same_state(compiled["model"], eager["model"])


def test_an_in_place_change_through_a_view_is_replayed():
    def setup():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            h = model[0](x)
            h[:, :2].mul_(0.5)  # a slice of the activations, halved in place
            h.t()[3:].zero_()
            loss = model[2](model[1](h)).sum()
            loss.backward()
            opt.step()
            return loss, h

        return model, opt, step

    c, _, _ = run_both(setup, 6, lambda k: (tg.Tensor(X),))
    assert c.replays >= 3


# --------------------------------------------------------------------------- folding, .grad
def test_the_backward_chain_from_the_root_is_folded_and_replays_identically():
    # d loss / d (mean term) and d loss / d (lam * sum of squares) are the same constants at
    # every call: the ones of the root through Add, Mean, Sub, Mul by lam and Sum
    c, _, _ = run_both(xor_setup, 20, lambda k: (tg.Tensor(X), tg.Tensor(Y)))
    folded = [line for line in str(c.tape).splitlines() if "(folded" in line]
    names = " ".join(folded)
    assert len(folded) >= 9
    for rule in ("Add.backward(const[])", "Mean.backward", "Mul.backward", "Sum.backward"):
        assert rule in names
    # a rule that reads a value that changes is never folded (Mul.backward of W * W)
    assert all(line not in names for line in str(c.tape).splitlines() if "Relu.backward" in line)


def test_grad_results_are_computed_at_every_replay_and_never_shared():
    x = tg.Tensor(np.ones(3, np.float32), requires_grad=True)

    def step(x):
        (gx,) = grad((x * 3.0).sum(), [x])  # the same values at every call: 3, 3, 3
        return gx

    c = tg.compile(step)
    outs = [c(x) for _ in range(4)]
    outs[2].data[...] = -1  # the caller writes into one result
    assert np.array_equal(c(x).data, [3, 3, 3])
    assert len({id(o.data) for o in outs}) == 4
    assert c.replays == 3

    def square(x):  # grad() of x * x is 2x: a replay computes it from the new x (a replay
        # once returned the traced Tensor itself, 2 at every call)
        (gx,) = grad((x * x).sum(), [x])
        return gx

    c = tg.compile(square)
    for k in range(5):
        v = tg.Tensor(np.full(3, k, np.float32), requires_grad=True)
        assert np.array_equal(c(v).data, [2 * k] * 3)
    assert c.replays == 3


def test_a_gradient_kept_as_grad_is_never_shared_with_another_parameter_or_call():
    w1 = tg.Tensor(np.ones((64, 64), np.float32), requires_grad=True)
    w2 = tg.Tensor(np.ones((64, 64), np.float32), requires_grad=True)
    b = tg.Tensor(np.zeros((64, 64), np.float32), requires_grad=True)
    x = tg.Tensor(np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32))
    opt = optim.SGD([w1, w2, b], lr=0.01)

    def step(x):
        opt.zero_grad()
        loss = ((x @ w1) * (w2 + b)).sum()  # w2 + b hands one array to both
        loss.backward()
        opt.step()
        return loss

    c = tg.compile(step)
    kept = []
    for _ in range(5):
        c(x)
        grads = (w1.grad.data, w2.grad.data, b.grad.data)
        pairs = [(u, v) for i, u in enumerate(grads) for v in grads[i + 1 :]]
        assert not any(np.shares_memory(u, v) for u, v in pairs)
        kept.append((grads, [g.copy() for g in grads]))
    for grads, copies in kept:  # later replays did not write into an earlier call's .grad
        for g, k in zip(grads, copies):
            assert np.array_equal(g, k)
    # a .grad that is kept between calls (no zero_grad) is added into, as eagerly
    keep = tg.compile(lambda x: ((x @ w1) * (w2 + b)).sum().backward())
    opt.zero_grad()
    keep(x)
    first = w1.grad  # the later calls add into this Tensor
    expected = [first.data.copy()]
    for _ in range(3):
        keep(x)
        expected.append(first.data.copy())
    assert keep.replays == 2
    assert np.allclose(expected[3], 4 * expected[0], rtol=1e-5)
    assert w1.grad is first


def test_a_branch_that_flips_after_batch_norm_counted_the_batch_is_undone_and_retraced():
    # the replay counts the batch (num_batches_tracked) before the loss's edge check sees
    # that the probabilities now saturate: the undo puts the count back, and the count
    # stays a 0-d array (a NumPy scalar there once broke the undo)
    def setup():
        tg.manual_seed(3)
        model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 1), nn.Sigmoid())
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = F.binary_cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    def saturate(k, model, opt):
        if k == 4:
            with tg.no_grad():
                model[2].weight.mul_(1e4)

    c, (m1, _), (m2, _) = run_both(setup, 8, lambda k: (tg.Tensor(X), tg.Tensor(Y)), saturate)
    assert c.traces >= 3  # the saturated branch was traced too
    count = m2[1].num_batches_tracked
    assert type(count.data) is np.ndarray and count.data.shape == () and int(count.data) == 8


# --------------------------------------------------------------------------- SGD written out
def descent_setup(seed: int = 0, sgd: type = optim.SGD, **options):
    """Two linear layers, one of them unused by the loss (its weight has no gradient), and
    an SGD step that does not zero the gradients (they accumulate between calls)."""
    tg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    opt = sgd(model.parameters(), lr=0.1, **options)

    def step(x):
        loss = (model[0](x) ** 2.0).mean()
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


def _descent_args(k):
    return (tg.Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3) * (k + 1)),)


def test_plain_sgd_is_written_out_and_other_steps_call_step():
    c, _, _ = run_both(descent_setup, 4, _descent_args)
    code = c.tape.code
    # two parameters with a gradient, each updated by one written line; step() is left
    # for the case the traced gradients are not what the replay finds
    assert len(re.findall(r"\n        _d -= _lr \* _g\d\._data\n", code)) == 2
    assert re.search(r"\n    else:\n        step\(K\d+\)\n", code)
    assert "(written out: p.data -= lr * p.grad.data)" in str(c.tape)

    class Mine(optim.SGD):
        def _step_group(self, group, params, grads):
            super()._step_group(group, params, [2 * g for g in grads])

    for sgd, options in [
        (optim.SGD, {"momentum": 0.9}),
        (optim.SGD, {"weight_decay": 0.01}),
        (optim.SGD, {"maximize": True}),
        (Mine, {}),
    ]:
        c, _, _ = run_both(lambda s=sgd, o=options: descent_setup(sgd=s, **o), 4, _descent_args)
        assert "_d -= " not in c.tape.code, (sgd, options)
        assert re.search(r"\n    step\(K\d+\)\n", c.tape.code)


@pytest.mark.parametrize(
    "change",
    [
        "float64 grad",  # step() casts it
        "grad where none was",  # the unused layer's weight: step() updates it too
        "grad removed",  # step() skips it
        "lr a NumPy float",  # equal, so no retrace: the update computes in float64
    ],
)
def test_written_out_sgd_falls_back_to_step_and_stays_bit_identical(change):
    def alter(k, model, opt):
        if k != 3:
            return
        w = model[0].weight
        if change == "float64 grad":
            w.grad.data = np.full(w.shape, 0.25)  # float64: only .data can make it so
        elif change == "grad where none was":
            model[1].weight.grad = tg.Tensor(np.full((2, 2), 0.5, np.float32))
        elif change == "grad removed":
            w.grad = None
        else:
            opt.param_groups[0]["lr"] = np.float64(0.1)

    c, (m1, _), _ = run_both(descent_setup, 6, _descent_args, alter)
    assert c.replays >= 3  # the changes were replayed, not retraced
    if change == "grad where none was":
        assert not np.array_equal(m1[1].weight.data, descent_setup()[0][1].weight.data)


def test_the_guard_is_written_out_one_test_per_value_and_is_stricter_than_equality():
    model, opt, step = xor_setup()
    c = tg.compile(step)
    x, y = (
        tg.Tensor(np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)),
        tg.Tensor(np.array([[0], [1], [0], [1]], np.float32)),
    )
    c(x, y), c(x, y)
    guard = c.tape.guard
    assert guard.startswith("def guard():\n    return (\n")
    # every module's attributes: flags and numbers by value, submodules and parameters by
    # identity (Dropout's p, a layer replaced in a Sequential: another program)
    assert re.search(r"\n        and D\d+\['training'\] is True\n", guard)
    assert re.search(r"\n        and type\(_v := D\d+\['p'\]\) is float and _v == 0\.5\n", guard)
    # the hyperparameters are read live by the step (the step's Python does not read them):
    # the guard only asks that they are there; the parameters, by identity
    assert re.search(r"\n        and 'lr' in O\d+\._param_groups\[0\]\n", guard)
    assert "['lr']) is float" not in guard
    assert len(re.findall(r"\['params'\]\[\d\] is K\d+\n", guard)) == 8
    # a number equal but of another type is another state (np.float64 computes in float64
    # where a float is cast to the array's dtype): traced again
    (known,) = c.tapes.values()
    model[3].p = np.float64(0.5)
    assert not known[0][1].same() and not known[0][1].holds()
    model[3].p = 0.5
    assert known[0][1].holds()
    model.eval()
    assert not known[0][1].holds()


def test_an_effect_whose_array_comes_back_in_another_shape_stops_the_replay():
    from tinygrad_mlp.autograd import effect
    from tinygrad_mlp.random import generator

    @effect
    def picked(n: int) -> np.ndarray:  # how many rows it picks depends on the draw
        return np.flatnonzero(generator().random(n) > 0.5)

    x = tg.Tensor(np.arange(6.0, dtype=np.float32) + 1, requires_grad=True)

    def step(x):
        return grad((x[picked(6)] ** 2.0).sum(), [x])[0]

    c = tg.compile(step)
    for k in (0, 1, 2, 5):  # seeds that pick 3 rows: traced twice, then replayed
        tg.manual_seed(k)
        eager = step(x)
        tg.manual_seed(k)
        same_outputs(eager, c(x))
    assert c.replays == 2
    assert "if not isinstance(_r, _ndarray) or _r.shape != (3,)" in c.tape.code
    # 4, 2 or 5 rows: the replay sees the shape and stops (undone), and the step is traced
    # again, as for a branch; never a replay of a tape made for another shape
    for k in (4, 3, 7, 0, 11, 9, 4, 1):
        tg.manual_seed(k)
        eager = step(x)
        tg.manual_seed(k)
        same_outputs(eager, c(x))
    assert c.replays > 2


def test_an_effect_that_decides_the_branch_is_undone_with_its_draw_when_it_diverges():
    from tinygrad_mlp.autograd import effect
    from tinygrad_mlp.random import generator

    @effect
    def bump(counter: tg.Tensor) -> bool:  # changes a tensor, draws, and decides the path
        counter._data = counter._data + 1
        return bool(generator().random() < 0.5)

    def make():
        counter = tg.Tensor(np.zeros(1, np.float32))
        return counter, lambda x: x * 2.0 if bump(counter) else x * 3.0

    (c1, eager), (c2, s2) = make(), make()
    compiled = tg.compile(s2)
    x = tg.Tensor(np.ones(3, np.float32))
    for k in range(16):
        tg.manual_seed(k)
        a = eager(x)
        after_eager = generator().random()
        tg.manual_seed(k)
        b = compiled(x)
        same_outputs(a, b)
        assert generator().random() == after_eager  # one draw per call, as eager
        assert c1.data[0] == c2.data[0] == k + 1  # counted once, also where a replay was undone
    assert compiled.replays > 0


class _Scaled(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = 2.0
        self.inner = nn.Linear(3, 3)

    def forward(self, x):
        return self.inner(x) * self.scale


class _Config:
    def __init__(self) -> None:
        self.shift = 1.0


@pytest.mark.parametrize(
    "change",
    [
        "module number",  # an attribute forward reads
        "dropout p",  # a layer's own option
        "submodule replaced",  # another layer in its place
        "object attribute",  # a plain object the function reads
        "sequential item",  # model[1] = ...
        "dict of settings",  # SETTINGS["bias"] = ...
        "list item",
    ],
)
def test_an_attribute_changed_between_calls_retraces_and_matches_eager(change):
    tg.manual_seed(0)
    model = nn.Sequential(_Scaled(), nn.Dropout(0.5), nn.ReLU())
    cfg = _Config()

    settings, factors = {"bias": 0.5}, [1.0]

    def step(x):
        return model(x) * factors[0] + cfg.shift + settings["bias"]

    c = tg.compile(step)
    x = tg.Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    for k in range(6):
        if k == 3:
            if change == "module number":
                model[0].scale = 3.0
            elif change == "dropout p":
                model[1].p = 0.0
            elif change == "submodule replaced":
                model[0].inner = nn.Linear(3, 3)
            elif change == "object attribute":
                cfg.shift = -5.0
            elif change == "dict of settings":
                settings["bias"] = 7.0
            elif change == "list item":
                factors[0] = -2.0
            else:
                model[2] = nn.Tanh()
        tg.manual_seed(k)
        eager = step(x)
        tg.manual_seed(k)
        same_outputs(eager, c(x))
    assert c.replays >= 2 and c.traces >= 4  # replayed before the change, traced after


history: list = []  # a global named as an attribute the step reads (`x.data`), not by it


def test_a_global_that_only_shares_an_attribute_name_is_not_guarded():
    def step(x):
        return x * 2.0 if x.data is not None else x

    c = tg.compile(step)
    x = tg.Tensor(np.ones(3, np.float32))
    global data
    data = history
    try:
        for _ in range(5):
            c(x)
            history.append(1)  # changed outside at every call: not part of the step's state
    finally:
        del data
    assert c.traces == 2 and c.replays == 3


def _scaled_setup():
    """A step whose own Python reads `scale` (a closure cell) into the recording."""
    tg.manual_seed(0)
    w = tg.Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    box = {"scale": 1.0}

    def step(x):
        loss = ((w * x).sum() * box["scale"]) ** 2.0
        return grad(loss, [w])[0]

    return box, step


def test_a_state_that_changes_at_every_call_falls_back_to_eager_with_a_warning():
    box, step = _scaled_setup()
    c = tg.compile(step)
    x = tg.Tensor(np.array([0.5, 0.25], np.float32))
    for k in range(12):
        box["scale"] = 1.0 + k / 10  # a new value at every call: every call traces
        if k == 7:  # the eighth call in a row that is traced, none replayed
            with pytest.warns(RuntimeWarning, match=r"the last 8 calls were each traced") as w:
                out = c(x)
            assert "['scale']" in str(w[0].message)  # says what changed
            assert w[0].filename == __file__  # at the caller's line
        else:
            out = c(x)
        same_outputs(step(x), out)
    assert c.eager and c.traces == 8 and c.replays == 0  # after the warning: eager calls
    c.eager = False  # compiles again: with the scale fixed from now on, it replays
    for _ in range(4):
        same_outputs(step(x), c(x))
    assert c.replays == 2


def test_a_state_that_changes_every_few_calls_keeps_compiling():
    box, step = _scaled_setup()
    c = tg.compile(step)
    x = tg.Tensor(np.array([0.5, 0.25], np.float32))
    for k in range(40):
        box["scale"] = 1.0 + k // 4  # a new value every fourth call: traced twice, replayed twice
        same_outputs(step(x), c(x))
    assert not c.eager and c.replays == 20


shift_array = np.ones(2, np.float32)  # globals the steps below read, rebound between calls
shift_tensor = tg.Tensor(np.ones(2, np.float32))


@pytest.mark.parametrize("what", ["global array", "global tensor", "closure tensor"])
def test_a_name_rebound_to_another_array_or_tensor_between_calls_retraces(what):
    global shift_array, shift_tensor
    kept = shift_array, shift_tensor
    b = tg.Tensor(np.ones(2, np.float32))

    def step(x):
        if what == "global array":
            return x * shift_array
        return x + (shift_tensor if what == "global tensor" else b)

    c = tg.compile(step)
    x = tg.Tensor(np.arange(2, dtype=np.float32))
    try:
        for k in range(6):
            if k == 3:  # a new object of the same shape and dtype under the same name
                if what == "global array":
                    shift_array = np.full(2, 4.0, np.float32)
                elif what == "global tensor":
                    shift_tensor = tg.Tensor(np.full(2, 5.0, np.float32))
                else:
                    b = tg.Tensor(np.full(2, 7.0, np.float32))
            same_outputs(step(x), c(x))
    finally:
        shift_array, shift_tensor = kept
    assert c.replays >= 2 and c.traces >= 4


TEMPERATURE = 1.0  # read by _Tempered.forward, a layer's method, not by the step itself


class _Tempered(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(2, 2)

    def forward(self, x):
        return self.lin(x) / TEMPERATURE


def test_a_global_that_a_layer_of_your_own_reads_is_guarded():
    global TEMPERATURE
    tg.manual_seed(0)
    net = _Tempered()
    c = tg.compile(lambda x: net(x))
    x = tg.Tensor(np.ones((1, 2), np.float32))
    try:
        for k in range(6):
            if k == 3:
                TEMPERATURE = 2.0
            same_outputs(net(x), c(x))
    finally:
        TEMPERATURE = 1.0
    assert c.replays >= 2 and c.traces >= 4


def test_the_default_dtype_is_part_of_the_key():
    x = tg.Tensor(np.ones(2, np.float32))

    def step(x):
        return x + tg.ones(2)  # float32 or float64, as the default says

    c = tg.compile(step)
    c(x), c(x), c(x)
    try:
        tg.set_default_dtype(tg.float64)
        for _ in range(3):
            same_outputs(step(x), c(x))
            assert c(x).dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)
    same_outputs(step(x), c(x))


def test_a_hook_registered_on_a_parameter_after_tracing_is_not_skipped_by_a_replay():
    lin = nn.Linear(2, 1)

    def step(x):
        lin.zero_grad()
        lin(x).sum().backward()
        return lin.weight.grad * 1.0

    c = tg.compile(step)
    x = tg.Tensor(np.ones((1, 2), np.float32))
    c(x), c(x), c(x)
    handle = lin.weight.register_hook(lambda g: g * 10)
    # traced again, and the trace refuses the hook (a replay would have skipped it)
    with pytest.raises(CompileError, match="hooks"):
        c(x)
    handle.remove()
    same_outputs(step(x), c(x))


def test_an_equal_value_in_a_new_object_replays_and_the_written_guard_is_made_again():
    tg.manual_seed(0)
    w = tg.Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    opt.param_groups[0]["tags"] = ["warm"]  # a list: the written guard tests it by identity

    def step(x):
        lr = opt.param_groups[0]["lr"]  # the step reads the group: its values are guarded
        return (w * x).sum() * lr

    c = tg.compile(step)
    x = tg.Tensor(np.array([0.5, 0.25], np.float32))
    c(x), c(x), c(x)
    (known,) = c.tapes.values()
    guard = known[0][1]
    opt.param_groups[0]["tags"] = ["warm"]  # equal, another object
    assert not guard.same() and guard.holds()  # the state compares equal: replayed
    assert (
        guard.same() and guard.rewrites == 1
    )  # and the written test holds again, made from the new object
    traces = c.traces
    same_outputs(step(x), c(x))
    assert c.traces == traces
    opt.param_groups[0]["tags"] = ["cold"]
    assert not guard.holds()


class _Trainer:
    """A class that holds the model, the optimizer and a config: `tg.compile(self.step)`."""

    def __init__(self) -> None:
        tg.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1))
        self.opt = optim.SGD(self.model.parameters(), lr=0.1)
        self.cfg = _Config()

    def step(self, x):
        self.opt.zero_grad()
        loss = (self.model(x) ** 2.0).mean() * self.cfg.shift
        loss.backward()
        self.opt.step()
        return loss


@pytest.mark.parametrize("change", ["model.eval()", "cfg.shift", "dropout p"])
def test_what_a_compiled_method_reaches_through_self_is_guarded(change):
    eager, compiled = _Trainer(), _Trainer()
    c = tg.compile(compiled.step)
    x = tg.Tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2))
    for k in range(6):
        if k == 3:
            for t in (eager, compiled):
                if change == "model.eval()":
                    t.model.eval()
                elif change == "cfg.shift":
                    t.cfg.shift = 3.0
                else:
                    t.model[1].p = 0.0
        tg.manual_seed(k)
        a = eager.step(x)
        tg.manual_seed(k)
        same_outputs(a, c(x))
    same_state(eager.model, compiled.model)
    assert c.replays >= 2 and c.traces >= 4


def test_random_draws_inside_are_drawn_again_at_every_replay():
    """A VAE's reparameterisation (z = mu + eps * std, eps = randn_like(std)) and the other
    draws of the package's generator: each replay draws anew, as eager does."""
    tg.manual_seed(0)
    enc, dec = nn.Linear(3, 4), nn.Linear(2, 3)
    opt = optim.Adam([*enc.parameters(), *dec.parameters()], lr=1e-2)

    def step(x):
        opt.zero_grad()
        h = enc(x)
        mu, logvar = h[:, :2], h[:, 2:]
        std = (0.5 * logvar).exp()
        z = mu + tg.randn_like(std) * std + 0.0 * tg.rand(2) + 0.0 * tg.randn(1, 2)
        pick = tg.randperm(x.shape[0])  # a shuffled order, drawn each call
        loss = ((dec(z)[pick] - x[pick]) ** 2.0).mean() + 0.0 * tg.randint(0, 3, (1,))
        loss.backward()
        opt.step()
        return loss

    x = tg.Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    c = tg.compile(step)
    losses = []
    for k in range(6):
        tg.manual_seed(k)
        losses.append(c(x).item())
    assert c.replays == 4 and len(set(losses)) == 6  # other draws, other losses
    tg.manual_seed(0)
    enc2, dec2 = nn.Linear(3, 4), nn.Linear(2, 3)
    enc.load_state_dict(enc2.state_dict()), dec.load_state_dict(dec2.state_dict())
    opt.state.clear()
    for k in range(6):  # the same six steps eagerly, from the same weights
        tg.manual_seed(k)
        assert step(x).item() == losses[k]


def test_in_place_random_fills_inside_are_drawn_again_and_a_filled_result_is_fresh():
    x = tg.Tensor(np.zeros(3, np.float32))
    p = tg.Tensor(np.array([0.1, 0.9, 0.5], np.float32), requires_grad=True)

    def step(x):
        noise = tg.empty_like(x).normal_() + tg.zeros(3).uniform_(0, 1)  # torch's idioms
        noise = noise + tg.zeros(3).exponential_(2.0) + tg.zeros(3).random_(0, 4)
        return x + noise + tg.bernoulli(p.sigmoid()), tg.zeros(2).normal_()

    c = tg.compile(step)
    outs = []
    for k in range(5):
        tg.manual_seed(k)
        eager = step(x)
        tg.manual_seed(k)
        outs.append(c(x))
        same_outputs(eager, outs[-1])
    assert c.replays == 3
    # a filled tensor returned as it is: a new one at each call, never the same array
    assert len({id(o[1].data) for o in outs}) == 5
    assert not np.array_equal(outs[3][1].data, outs[4][1].data)


def test_bernoulli_of_a_computed_tensor_reads_its_values_at_every_replay():
    x = tg.Tensor(np.zeros(3, np.float32))
    p = tg.Tensor(np.zeros(3, np.float32))

    def step(x):
        return tg.bernoulli((p * 2.0).clamp(0, 1)) + x

    c = tg.compile(step)
    for _ in range(3):
        assert np.array_equal(c(x).data, [0, 0, 0])  # probability 0
    p.data[...] = 0.5  # probability 1 from now on: the replay reads it
    assert np.array_equal(c(x).data, [1, 1, 1]) and c.replays >= 2
    with pytest.raises(RuntimeError, match=r"p must be in \[0, 1\]"):
        tg.zeros(3).bernoulli_(p * 4.0)  # 2.0: checked where it is drawn


def test_a_compiled_model_trains_as_torch_compile_model_does_by_running_eagerly():
    """`model = tg.compile(model)`, then an ordinary loop: its outputs need their graph for
    the backward outside, which a replay has not; seen at the second call (the first
    output's graph was used), it warns once and runs eagerly, with the module's own
    attributes passed on (parameters(), train(), eval())."""

    def run(compiled: bool):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 1))
        if compiled:
            model = tg.compile(model)
        opt = optim.SGD(model.parameters(), lr=0.1)
        x = tg.Tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2))
        losses = []
        for k in range(5):
            tg.manual_seed(k)
            opt.zero_grad()
            loss = F.mse_loss(model(x), tg.zeros(4, 1))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        return losses, model, model(x)

    eager_losses, eager_model, eager_out = run(False)
    with pytest.warns(RuntimeWarning, match="was differentiated outside it") as w:
        losses, model, out = run(True)
    assert len(w) == 1 and w[0].filename == __file__
    assert losses == eager_losses and np.array_equal(out.data, eager_out.data)
    assert model.eager and model._orig_mod.training is False
    same_state(model._orig_mod, eager_model)


def test_a_compiled_model_under_no_grad_replays():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    c = tg.compile(model)
    x = tg.Tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2))
    with tg.no_grad():
        outs = [c(x) for _ in range(4)]
        same_outputs(model(x), outs[-1])
    assert c.replays == 2 and not c.eager
