"""tinygrad_mlp.nn: Module bookkeeping (discovery, modes, dtype, state dicts, repr), the
layers (values against NumPy, gradients against float64 central differences, BatchNorm's
running statistics computed independently), Sequential and MLP."""

from collections import OrderedDict

import numpy as np
import pytest
from helpers import check_grads
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct_arrays, upstream_grads

import tinygrad_mlp as tg
import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor, manual_seed, no_grad
from tinygrad_mlp.compile import CompileError

ORIGIN_KEYS = [
    "0.weight",
    "0.bias",
    "2.weight",
    "2.bias",
    "2.running_mean",
    "2.running_var",
    "2.num_batches_tracked",
    "4.weight",
    "4.bias",
    "7.weight",
    "7.bias",
]


def origin_mlp(dropout=0.5):
    """The project's origin network: 2 -> Linear(4) -> ReLU -> BatchNorm1d -> Dropout ->
    Linear(4) -> ReLU -> Dropout -> Linear(1) -> Sigmoid."""
    return nn.MLP(
        [2, 4, 4, 1],
        activation="relu",
        batch_norm=[True, False],
        bn_position="after",
        dropout=dropout,
        output_activation="sigmoid",
    )


def with_params(module, names):
    """fn(x, *params): run `module` with the named parameters replaced by the given tensors
    (the gradient checker's leaves), so its gradients can be checked."""
    owners = []
    for name in names:
        *path, attr = name.split(".")
        owner = module
        for part in path:
            owner = getattr(owner, part)
        owners.append((owner, attr))

    def fn(x, *params):
        for (owner, attr), p in zip(owners, params):
            # the checker's leaves are plain tensors, which `module.weight = t` refuses (as
            # PyTorch does): put them in place directly, for this test only
            owner.__dict__[attr] = p
        return module(x)

    return fn


def check_module_grads(module, x, g=None, seed=None):
    """Check d module(x) / d x and / d every parameter against central differences.
    With `seed`, the package's generator is reseeded before every evaluation (so dropout
    draws the same mask each time)."""
    names = [name for name, _ in module.named_parameters()]
    arrays_ = [x] + [p.data for _, p in module.named_parameters()]
    run = with_params(module, names)

    def fn(*args):
        if seed is not None:
            manual_seed(seed)
        return run(*args)

    return check_grads(fn, arrays_, g)


def assert_states_identical(a, b):
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
        assert a[key].tobytes() == b[key].tobytes(), key


# ---------------------------------------------------------------------------------------------
# Parameter


def test_parameter_is_a_trainable_float_tensor():
    p = nn.Parameter([1, 2, 3])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float32
    assert nn.Parameter(Tensor([1.0], dtype=np.float64)).dtype == np.float64
    assert not nn.Parameter([1.0], requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\nTensor([1., 2., 3.]")
    with pytest.raises(TypeError, match="floating dtype"):
        nn.Parameter([1], dtype=np.int64)


def test_parameter_copies_its_data():
    a = np.zeros(3, dtype=np.float32)
    p = nn.Parameter(a)
    a[0] = 5
    assert p.data[0] == 0


# ---------------------------------------------------------------------------------------------
# Module: discovery


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter([1.0])
        self.body = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        self.heads = [nn.Linear(3, 1), nn.Linear(3, 2)]
        self.register_buffer("steps", Tensor(np.array(0)))
        self.plain = Tensor([5.0])  # neither a Parameter nor a registered buffer
        self.extras = (nn.Parameter([2.0]), "not a parameter")
        self.note = "text"

    def forward(self, x):
        h = self.body(x) * self.scale
        return self.heads[0](h) + self.heads[1](h).sum(axis=1, keepdims=True)


def test_parameters_are_found_by_attribute_in_pytorch_order():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "scale",
        "extras.0",
        "body.0.weight",
        "body.0.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
        "heads.1.bias",
    ]
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert net.parameters().__next__() is net.scale
    assert [name for name, _ in net.named_buffers()] == ["steps"]
    assert next(net.buffers()) is net.steps
    assert [name for name, _ in net.named_children()] == ["body", "heads.0", "heads.1"]
    assert list(net.children()) == [net.body, *net.heads]
    assert [name for name, _ in net.named_modules()] == [
        "",
        "body",
        "body.0",
        "body.1",
        "heads.0",
        "heads.1",
    ]
    assert list(net.modules())[2] is net.body[0]
    assert list(net.state_dict()) == ["scale", "extras.0", "steps"] + names[2:]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale", "extras.0"]


def test_shared_parameters_are_listed_once_but_saved_under_each_name():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_parameter_names_take_only_a_parameter_or_none():
    """As torch: a plain tensor assigned to a parameter's name would stop being trained and
    saved, so it is refused with what to write instead; None and a Parameter are fine."""
    layer = nn.Linear(2, 2)
    for value in (Tensor(np.zeros((2, 2), np.float32)), layer.weight * 2, layer.weight.detach()):
        with pytest.raises(TypeError, match=r"as parameter 'weight' \(nn.Parameter or None"):
            layer.weight = value
    with pytest.raises(TypeError, match=r"nn.Parameter\(value\).*no_grad.*copy_"):
        layer.weight = 3
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    layer.weight = None
    assert [n for n, _ in layer.named_parameters()] == ["bias"]
    with pytest.raises(TypeError, match="as parameter 'weight'"):  # still a parameter's name
        layer.weight = Tensor(np.zeros((2, 2), np.float32))
    new = nn.Parameter(np.ones((2, 2), np.float32))
    layer.weight = new
    assert layer.weight is new and list(layer.state_dict()) == ["weight", "bias"]
    del layer.weight  # then the name is free again
    layer.weight = Tensor(np.zeros((2, 2), np.float32))
    assert [n for n, _ in layer.named_parameters()] == ["bias"]


def test_buffer_names_take_a_tensor_and_a_parameter_replaces_the_buffer():
    bn = nn.BatchNorm1d(2)
    bn.running_mean = Tensor(np.ones(2, np.float32))  # a tensor: the new buffer
    assert list(bn.state_dict()["running_mean"]) == [1.0, 1.0]
    with pytest.raises(TypeError, match="as buffer 'running_var' \\(a Tensor or None"):
        bn.running_var = np.ones(2)
    bn.running_mean = nn.Parameter(np.ones(2, np.float32))  # now a parameter, not a buffer
    assert [n for n, _ in bn.named_buffers()] == ["running_var", "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias", "running_mean"]


def test_child_module_names_take_a_module_or_none():
    model = nn.Module()
    model.act = nn.ReLU()
    with pytest.raises(TypeError, match="as child module 'act' \\(nn.Module or None"):
        model.act = Tensor(1.0)
    model.act = nn.Tanh()  # another module, or None, is fine
    model.act = None
    seq = nn.Sequential(nn.ReLU())
    with pytest.raises(TypeError, match="item 0 is a Tensor, not a Module"):
        seq[0] = Tensor(1.0)


def test_state_dict_prefix_keep_vars_and_destination():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert list(model.state_dict(prefix="net."))[:2] == ["net.0.weight", "net.0.bias"]
    kept = model.state_dict(keep_vars=True)
    assert kept["0.weight"] is model[0].weight and isinstance(kept["0.weight"], nn.Parameter)
    assert kept["1.running_mean"] is model[1].running_mean
    assert isinstance(model.state_dict()["0.weight"], np.ndarray)  # copies by default
    target = OrderedDict(other=1)
    assert model.state_dict(destination=target) is target and len(target) == 1 + 7


def test_remove_duplicate_false_lists_shared_parameters_under_each_name():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    names = [n for n, _ in model.named_parameters(remove_duplicate=False)]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in model.named_buffers(remove_duplicate=False)] == []


def test_forward_is_required_and_call_runs_it():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)
    net = Net()
    x = np.ones((2, 2), dtype=np.float32)
    np.testing.assert_array_equal(net(x).data, net.forward(x).data)


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="without '.'"):
        m.register_buffer("a.b", Tensor([1.0]))
    with pytest.raises(TypeError, match="must be a Tensor or None"):
        m.register_buffer("a", np.ones(2))
    with pytest.raises(TypeError, match="must be a Parameter"):
        m.register_parameter("w", Tensor([1.0]))
    with pytest.raises(TypeError, match="must be a Module"):
        m.add_module("f", print)


# ---------------------------------------------------------------------------------------------
# Module: modes, gradients, dtype


def test_train_and_eval_recurse_into_children_and_lists():
    net = Net()
    net.heads.append(nn.Sequential(nn.Dropout(0.5)))
    assert net.eval() is net
    assert all(not m.training for m in net.modules()) and len(list(net.modules())) == 8
    x = Tensor(np.ones((3, 4)))
    np.testing.assert_array_equal(net.heads[2](x).data, x.data)  # eval dropout: identity
    assert net.train() is net
    assert all(m.training for m in net.modules())
    net.body.eval()
    assert net.training and not net.body.training and not net.body[0].training
    with pytest.raises(ValueError, match="mode must be True or False"):
        net.train("no")


def test_zero_grad_sets_gradients_to_none_or_zeros():
    model = nn.Linear(3, 2)
    model(Tensor(np.ones((4, 3), np.float32))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.array_equal(p.grad.data, np.zeros_like(p.data)) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_to_float64_casts_in_place_and_keeps_the_parameter_objects():
    model = origin_mlp()
    model(Tensor(np.ones((3, 2), np.float32))).sum().backward()
    before = [id(p) for p in model.parameters()]
    assert model.to(np.float64) is model
    assert [id(p) for p in model.parameters()] == before
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in model.parameters())
    assert model[2].running_mean.dtype == model[2].running_var.dtype == np.float64
    assert model[2].num_batches_tracked.dtype == np.int64  # not a floating buffer
    assert model(np.ones((3, 2))).dtype == np.float64
    model.float()
    assert all(p.dtype == np.float32 for p in model.parameters())
    model.to("float64")
    assert model[0].weight.dtype == np.float64
    with pytest.raises(TypeError, match="floating dtype"):
        model.to(np.int32)


def test_apply_visits_every_module():
    seen = []
    model = origin_mlp()
    model.apply(lambda m: seen.append(type(m).__name__))
    assert sorted(seen) == sorted(
        ["MLP", "Linear", "ReLU", "BatchNorm1d", "Dropout", "Linear", "ReLU", "Dropout"]
        + ["Linear", "Sigmoid"]
    )


# ---------------------------------------------------------------------------------------------
# Module: state dicts


def test_origin_mlp_state_dict_keys_shapes_and_copies():
    model = origin_mlp()
    state = model.state_dict()
    assert isinstance(state, OrderedDict) and list(state) == ORIGIN_KEYS
    shapes = {k: v.shape for k, v in state.items()}
    assert shapes["0.weight"] == (4, 2) and shapes["4.weight"] == (4, 4)
    assert shapes["7.weight"] == (1, 4) and shapes["7.bias"] == (1,)
    assert (
        shapes["2.num_batches_tracked"] == () and state["2.num_batches_tracked"].dtype == np.int64
    )
    state["0.weight"][...] = 123.0
    assert not np.any(model[0].weight.data == 123.0)


def test_state_dict_round_trip_is_bit_exact():
    manual_seed(0)
    a = origin_mlp()
    a(Tensor(np.random.default_rng(0).standard_normal((5, 2), np.float32)))  # running stats
    manual_seed(1)
    b = origin_mlp()
    x = Tensor(np.random.default_rng(1).standard_normal((6, 2), np.float32))
    assert not np.array_equal(a.eval()(x).data, b.eval()(x).data)
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_states_identical(a.state_dict(), b.state_dict())
    np.testing.assert_array_equal(a(x).data, b(x).data)
    c = origin_mlp()
    c.load_state_dict({k: Tensor(v, dtype=v.dtype) for k, v in a.state_dict().items()})
    assert_states_identical(a.state_dict(), c.state_dict())


def test_load_state_dict_casts_to_the_module_dtype():
    model = nn.Linear(2, 2)
    state = {"weight": np.ones((2, 2), dtype=np.float64), "bias": [1, 2]}
    model.load_state_dict(state)
    assert model.weight.dtype == np.float32 and model.bias.dtype == np.float32
    np.testing.assert_array_equal(model.bias.data, [1.0, 2.0])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.pop("4.bias"), r"missing key\(s\): '4.bias'"),
        (lambda s: s.update({"9.weight": np.ones(2)}), r"unexpected key\(s\): '9.weight'"),
        (
            lambda s: s.update({"4.weight": np.ones((4, 3))}),
            r"size mismatch for '4.weight': the state dict has shape \(4, 3\), the module has "
            r"\(4, 4\)",
        ),
        (lambda s: s.update({"7.bias": np.array(["a"])}), r"'7.bias' holds <U1 values"),
    ],
)
def test_failed_strict_load_names_the_key_and_changes_nothing(change, message):
    manual_seed(0)
    model = origin_mlp()
    before = model.state_dict()
    manual_seed(5)
    state = origin_mlp().state_dict()  # different values everywhere
    state["2.num_batches_tracked"] = np.array(7)
    change(state)
    with pytest.raises(RuntimeError, match=message):
        model.load_state_dict(state)
    assert_states_identical(before, model.state_dict())


def test_non_strict_load_reports_missing_and_unexpected_keys():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    state = model.state_dict()
    new_bias = np.full(3, 0.25, dtype=np.float32)
    result = model.load_state_dict({"0.bias": new_bias, "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["0.weight", "1.weight", "1.bias"]
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model[0].bias.data, new_bias)
    np.testing.assert_array_equal(model[1].weight.data, state["1.weight"])
    with pytest.raises(RuntimeError, match="size mismatch for '0.bias'"):
        model.load_state_dict({"0.bias": np.zeros(2)}, strict=False)


# ---------------------------------------------------------------------------------------------
# Module: repr


def test_repr_looks_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.25)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.25, inplace=False)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    assert repr(nn.Linear(3, 1, bias=False)) == "Linear(in_features=3, out_features=1, bias=False)"


# ---------------------------------------------------------------------------------------------
# Linear


@given(data=st.data())
def test_linear_values_and_gradients(data):
    n = data.draw(st.integers(1, 4), label="N")
    i, o = data.draw(st.integers(1, 4), label="in"), data.draw(st.integers(1, 4), label="out")
    bias = data.draw(st.booleans(), label="bias")
    layer = nn.Linear(i, o, bias=bias).double()
    x = data.draw(arrays((n, i)), label="x")
    expected = x @ layer.weight.data.T + (layer.bias.data if bias else 0)
    np.testing.assert_allclose(layer(Tensor(x, dtype=np.float64)).data, expected, rtol=1e-12)
    check_module_grads(layer, x, data.draw(upstream_grads((n, o)), label="g"))


def test_linear_refuses_an_input_of_another_dtype_as_pytorch():
    """PyTorch raises for int or float64 input into a float32 layer; NumPy's matmul would
    promote silently (int64 @ float32 -> float64)."""
    layer = nn.Linear(2, 3)
    with pytest.raises(
        RuntimeError, match=r"input has dtype int64 but the weight float32.*x\.float\(\)"
    ):
        layer(Tensor(np.array([[1, 2]])))
    with pytest.raises(RuntimeError, match=r"float64 but the weight float32.*model\.double\(\)"):
        layer(Tensor(np.ones((1, 2))))
    # a NumPy array is a constant operand (API.md), which PyTorch's layers do not take:
    # promoted as NumPy promotes, as every operation's constants are
    assert layer(np.ones((4, 2, 2))).dtype == np.float64
    with pytest.raises(RuntimeError, match="the bias has dtype float64"):
        nn.functional.linear(Tensor([[1.0, 2.0]]), layer.weight, Tensor(np.zeros(3)))
    assert layer(Tensor([[1.0, 2.0]])).dtype == np.float32
    assert layer.double()(Tensor(np.ones((1, 2)))).dtype == np.float64


def test_layers_take_pytorchs_device_argument_for_the_cpu():
    layer = nn.Linear(2, 3, True, "cpu", np.float64)  # PyTorch's positions
    assert layer.weight.dtype == np.float64
    assert nn.Linear(2, 3, device="cpu:0", dtype="float64").bias.dtype == np.float64
    assert nn.BatchNorm1d(3, device=None).weight.dtype == np.float32
    for make in (lambda: nn.Linear(2, 3, device="cuda"), lambda: nn.BatchNorm1d(3, device="mps")):
        with pytest.raises(RuntimeError, match="CPU only: use device='cpu'"):
            make()


def test_batchnorm_with_a_weight_and_no_bias():
    bn = nn.BatchNorm1d(3, bias=False)
    assert [n for n, _ in bn.named_parameters()] == ["weight"] and bn.bias is None
    assert list(bn.state_dict()) == ["weight", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(bn) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, track_running_stats=True)"
    )
    assert "affine=False, bias=False" in repr(nn.BatchNorm1d(3, affine=False))  # as PyTorch
    x = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]], np.float32)
    with no_grad():
        bn.weight.fill_(2.0)
    # each column: mean m, biased var v = d^2 for the two values m -+ d: (x - m) / d = -+1
    expected = 2.0 * np.array([[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(bn(Tensor(x)).data, expected, rtol=1e-4)


def test_identity_ignores_its_arguments():
    ident = nn.Identity(3, foo="bar")
    x = Tensor([1.0])
    assert ident(x) is x and repr(ident) == "Identity()"


def test_linear_default_init_is_pytorchs():
    manual_seed(0)
    layer = nn.Linear(300, 400)
    bound = 1 / np.sqrt(300)
    w, b = layer.weight.data, layer.bias.data
    assert w.shape == (400, 300) and b.shape == (400,) and w.dtype == np.float32
    top = bound * (1 + 1e-6)  # float32 rounding
    assert np.abs(w).max() <= top and np.abs(b).max() <= top
    assert np.abs(w).max() > 0.99 * bound
    np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.02)
    assert abs(w.mean()) < 5 * bound / np.sqrt(3) / np.sqrt(w.size)


def test_manual_seed_reproduces_initialisation():
    manual_seed(42)
    a = origin_mlp().state_dict()
    manual_seed(42)
    b = origin_mlp().state_dict()
    c = origin_mlp().state_dict()
    assert_states_identical(a, b)
    assert not np.array_equal(a["0.weight"], c["0.weight"])


# ---------------------------------------------------------------------------------------------
# BatchNorm1d


def np_bn(x, w, b, eps=1e-5):
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) * w + b


@given(data=st.data())
def test_batchnorm_training_values_and_gradients_wrt_input_weight_and_bias(data):
    n, c = data.draw(st.integers(2, 5), label="N"), data.draw(st.integers(1, 3), label="C")
    bn = nn.BatchNorm1d(c).double()
    bn.weight.data = data.draw(arrays((c,), 0.5, 2.0), label="weight")
    bn.bias.data = data.draw(arrays((c,)), label="bias")
    x = data.draw(distinct_arrays((n, c)), label="x")
    expected = np_bn(x, bn.weight.data, bn.bias.data)
    np.testing.assert_allclose(
        bn(Tensor(x, dtype=np.float64)).data, expected, rtol=1e-10, atol=1e-12
    )
    grads = check_module_grads(bn, x, data.draw(upstream_grads((n, c)), label="g"))
    assert len(grads) == 3


def test_batchnorm_eval_values_and_gradients():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3).double()
    for _ in range(3):
        bn(Tensor(rng.normal(2.0, 3.0, size=(8, 3)), dtype=np.float64))
    bn.eval()
    rm, rv = bn.running_mean.data.copy(), bn.running_var.data.copy()
    x = rng.standard_normal((4, 3))
    expected = (x - rm) / np.sqrt(rv + 1e-5) * bn.weight.data + bn.bias.data
    np.testing.assert_allclose(bn(Tensor(x, dtype=np.float64)).data, expected, rtol=1e-12)
    check_module_grads(bn, x)
    np.testing.assert_array_equal(bn.running_mean.data, rm)  # eval leaves them alone
    assert bn.num_batches_tracked.item() == 3


@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_batchnorm_running_stats_and_batch_count_after_several_steps(momentum):
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=momentum).double()
    rm, rv = np.zeros(2), np.ones(2)
    for step in range(1, 6):
        x = rng.normal(step, step, size=(4 + step, 2))
        bn(Tensor(x, dtype=np.float64))
        m = 1 / step if momentum is None else momentum  # None: the plain average
        rm = (1 - m) * rm + m * x.mean(axis=0)
        rv = (1 - m) * rv + m * x.var(axis=0, ddof=1)
    np.testing.assert_allclose(bn.running_mean.data, rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, rv, rtol=1e-12)
    assert bn.num_batches_tracked.data.dtype == np.int64 and bn.num_batches_tracked.item() == 5


def test_batchnorm_running_stats_carry_no_graph():
    bn = nn.BatchNorm1d(3)
    x = Tensor(np.random.default_rng(2).standard_normal((5, 3)), requires_grad=True)
    for _ in range(3):
        bn(x).sum().backward()
    for _, buf in bn.named_buffers():
        assert not buf.requires_grad and buf.grad_fn is None and buf.grad is None
    assert bn.running_mean.dtype == np.float32
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]


def test_batchnorm_without_running_stats_or_affine():
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False).eval()
    assert list(bn.parameters()) == [] and list(bn.state_dict()) == []
    x = np.random.default_rng(3).standard_normal((6, 2))
    out = bn(Tensor(x, dtype=np.float64)).data  # batch statistics even in eval
    np.testing.assert_allclose(out, np_bn(x, 1.0, 0.0), rtol=1e-12)


def test_batchnorm_accepts_n_c_l_input_and_checks_the_shape():
    bn = nn.BatchNorm1d(2)
    assert bn(Tensor(np.ones((3, 2, 4)))).shape == (3, 2, 4)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(2\): expected input of shape \(N, 2\)"):
        bn(Tensor(np.ones((3, 5))))


# ---------------------------------------------------------------------------------------------
# Dropout and activations


def test_dropout_module_follows_the_training_flag():
    drop = nn.Dropout(0.5)
    x = Tensor(np.ones((40, 50)))
    manual_seed(0)
    out = drop(x).data
    assert set(np.unique(out)) == {0.0, 2.0}
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x.data)
    with pytest.raises(ValueError, match="Dropout: p must be between 0 and 1"):
        nn.Dropout(1.5)


def test_activation_modules():
    x = np.array([-2.0, 0.5, 3.0])
    t = Tensor(x, dtype=np.float64)
    np.testing.assert_allclose(nn.ReLU()(t).data, [0.0, 0.5, 3.0])
    np.testing.assert_allclose(nn.Sigmoid()(t).data, 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(nn.Tanh()(t).data, np.tanh(x), rtol=1e-12)
    assert nn.Identity()(t) is t


# ---------------------------------------------------------------------------------------------
# Sequential


def test_sequential_indexing_iteration_and_names():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid()]
    seq = nn.Sequential(*layers)
    assert len(seq) == 4 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[3] and seq[-4] is layers[0]
    tail = seq[1:3]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[1:3]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]  # names kept, as in PyTorch
    assert list(seq[::2]) == [layers[0], layers[2]]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        seq[4]
    with pytest.raises(IndexError):
        seq[-5]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = Tensor(np.ones((2, 2), np.float32))
    expected = layers[3](layers[2](layers[1](layers[0](x))))
    np.testing.assert_array_equal(seq(x).data, expected.data)


def test_sequential_from_ordered_dict_and_append():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    seq.append(nn.Linear(2, 1))
    assert list(seq.state_dict())[-2:] == ["2.weight", "2.bias"] and len(seq) == 3


def test_sequential_list_methods_renumber_like_torch():
    relu, tanh, sig, elu = nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.ELU()
    seq = nn.Sequential(nn.Linear(1, 1), relu, tanh, sig)
    ident = nn.Identity()
    seq[0] = ident
    seq[-1] = elu
    assert list(seq) == [ident, relu, tanh, elu] and seq[3] is elu
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]  # renumbered
    del seq[0:2]
    assert list(seq) == [elu] and [n for n, _ in seq.named_children()] == ["0"]
    assert seq.insert(0, relu) is seq and list(seq) == [relu, elu]
    seq.insert(-1, tanh)  # before the last, as list.insert
    assert list(seq) == [relu, tanh, elu]
    with pytest.raises(IndexError, match="out of range"):
        seq.insert(4, sig)
    seq.extend([sig])
    assert seq.pop(0) is relu and seq.pop() is sig and list(seq) == [tanh, elu]
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    both = seq + nn.Sequential(relu)
    assert isinstance(both, nn.Sequential) and list(both) == [tanh, elu, relu]
    with pytest.raises(ValueError, match="only another Sequential"):
        seq + [relu]
    seq += nn.Sequential(sig)
    assert list(seq) == [tanh, elu, sig]
    assert list(seq * 2) == [tanh, elu, sig] * 2 and len(2 * seq) == 6
    with pytest.raises(ValueError, match="positive"):
        seq * 0
    with pytest.raises(IndexError):
        del seq[3]
    named = nn.Sequential(OrderedDict([("a", relu), ("b", tanh), ("c", sig)]))
    named[0] = elu  # the name stays
    assert [n for n, _ in named.named_children()] == ["a", "b", "c"] and named.a is elu
    del named[1]  # and del renumbers, as torch
    assert [n for n, _ in named.named_children()] == ["0", "1"]


def test_a_module_given_twice_runs_twice_but_is_one_child():
    layer = nn.Linear(2, 2)
    seq = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(seq) == 3 and list(seq)[2] is layer
    x = Tensor(np.ones((1, 2), np.float32))
    np.testing.assert_array_equal(seq(x).data, layer(seq[1](layer(x))).data)
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    assert [type(m).__name__ for m in seq.children()] == ["Linear", "ReLU"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "(2): Linear" in repr(seq)


def test_sequential_rejects_functions():
    import tinygrad_mlp.functional as F

    with pytest.raises(TypeError, match="item 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(2, 2), F.relu)


# ---------------------------------------------------------------------------------------------
# MLP


def kinds(model):
    return [type(m).__name__ for m in model]


def test_origin_network_in_one_call():
    model = origin_mlp()
    assert kinds(model) == [
        "Linear",
        "ReLU",
        "BatchNorm1d",
        "Dropout",
        "Linear",
        "ReLU",
        "Dropout",
        "Linear",
        "Sigmoid",
    ]
    assert [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)] == [
        (2, 4),
        (4, 4),
        (4, 1),
    ]
    assert list(model.state_dict()) == ORIGIN_KEYS
    assert isinstance(model, nn.Sequential)


def test_mlp_options():
    assert kinds(nn.MLP([3, 5, 2])) == ["Linear", "ReLU", "Linear"]
    assert kinds(nn.MLP([3, 2])) == ["Linear"]
    model = nn.MLP([3, 5, 5, 2], activation="tanh", batch_norm=True, dropout=[0.0, 0.3])
    assert kinds(model) == [
        "Linear",
        "BatchNorm1d",
        "Tanh",
        "Linear",
        "BatchNorm1d",
        "Tanh",
        "Dropout",
        "Linear",
    ]
    assert model[6].p == 0.3
    assert kinds(nn.MLP([2, 3, 1], activation=nn.Sigmoid, output_activation=nn.Identity)) == [
        "Linear",
        "Sigmoid",
        "Linear",
        "Identity",
    ]
    acts = nn.MLP([2, 3, 3, 1], activation=lambda: nn.ReLU())
    assert acts[1] is not acts[3]
    assert nn.MLP([2, 3, 1], bias=False)[0].bias is None
    assert nn.MLP([2, 3, 1], dtype=np.float64)[0].weight.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"sizes": [3]}, ValueError, "at least 2 entries"),
        ({"batch_norm": [True]}, ValueError, "batch_norm has 1 entries for 2 hidden layers"),
        ({"dropout": 1.5}, ValueError, "dropout must be between 0 and 1"),
        ({"activation": "selu"}, ValueError, "unknown activation 'selu'"),
        ({"activation": nn.ReLU()}, TypeError, "a Module class such as nn.ReLU"),
        ({"bn_position": "middle"}, ValueError, "bn_position must be"),
        ({"init": "orthogonal"}, ValueError, "init must be"),
    ],
)
def test_mlp_argument_errors(kwargs, error, message):
    kwargs = {"sizes": [2, 3, 3, 1], **kwargs}
    with pytest.raises(error, match=message):
        nn.MLP(**kwargs)


@pytest.mark.parametrize("scheme", ["kaiming", "xavier"])
def test_mlp_init_schemes(scheme):
    manual_seed(0)
    model = nn.MLP([200, 300, 1], init=scheme)
    w = model[0].weight.data
    if scheme == "kaiming":  # N(0, 2 / fan_in)
        np.testing.assert_allclose(w.std(), np.sqrt(2 / 200), rtol=0.02)
    else:  # uniform with bound sqrt(6 / (fan_in + fan_out))
        bound = np.sqrt(6 / 500)
        assert np.abs(w).max() <= bound * (1 + 1e-6)  # float32 rounding
        np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.02)
    assert not model[0].bias.data.any() and not model[2].bias.data.any()


def trained_origin_mlp():
    manual_seed(0)
    model = origin_mlp().double()
    rng = np.random.default_rng(7)
    for _ in range(3):  # running statistics away from their initial 0 and 1
        model(Tensor(rng.standard_normal((8, 2)), dtype=np.float64))
    return model


def test_origin_mlp_gradients_in_eval_mode():
    model = trained_origin_mlp().eval()
    x = np.random.default_rng(8).standard_normal((5, 2))
    check_module_grads(model, x)


def test_origin_mlp_gradients_in_training_mode_with_a_fixed_dropout_mask():
    model = trained_origin_mlp().train()
    x = np.random.default_rng(9).standard_normal((6, 2))
    check_module_grads(model, x, seed=11)
    manual_seed(11)
    a = model(Tensor(x, dtype=np.float64)).data
    manual_seed(11)
    b = model(Tensor(x, dtype=np.float64)).data
    c = model(Tensor(x, dtype=np.float64)).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)  # a new mask without reseeding


def test_origin_mlp_training_with_dropout_0_is_deterministic_and_differentiable():
    manual_seed(0)
    model = origin_mlp(dropout=0.0).double()
    assert "Dropout" not in kinds(model)
    x = np.random.default_rng(10).standard_normal((6, 2))
    check_module_grads(model, x)


# --------------------------------------------------------------------------- LayerNorm, Embedding


def test_layer_norm_normalises_the_last_axes_as_pytorch_formula():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 2, 3))
    ln = nn.LayerNorm((2, 3)).double()
    w, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    ln.load_state_dict({"weight": w, "bias": b})
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=(1, 2), keepdims=True)  # biased, as torch's docs say
    expected = (x - mean) / np.sqrt(var + 1e-5) * w + b
    np.testing.assert_allclose(ln(Tensor(x)).data, expected, rtol=1e-12, atol=1e-12)
    ln.eval()  # no running statistics: the same in eval mode
    np.testing.assert_allclose(ln(Tensor(x)).data, expected, rtol=1e-12, atol=1e-12)
    check_grads(lambda t: nn.functional.layer_norm(t, 3, Tensor(w[0]), Tensor(b[0])), [x])


def test_layer_norm_parameters_repr_and_shape_errors():
    ln = nn.LayerNorm(4)
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(ln.weight.data, np.ones(4, np.float32))
    np.testing.assert_array_equal(ln.bias.data, np.zeros(4, np.float32))
    # reprs as torch 2.13 prints them
    assert repr(ln) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    plain = nn.LayerNorm([2, 3], elementwise_affine=False)
    assert repr(plain) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=False, bias=False)"
    assert list(plain.state_dict()) == []
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\]"):
        ln(Tensor(np.zeros((5, 3), np.float32)))


def test_embedding_picks_rows_and_sums_gradients_except_the_padding_row():
    w = np.arange(12.0).reshape(4, 3)
    emb = nn.Embedding(4, 3, padding_idx=1).double()
    emb.load_state_dict({"weight": w})
    idx = np.array([[0, 1], [3, 0]])
    out = emb(Tensor(idx))
    np.testing.assert_array_equal(out.data, w[idx])  # the padding row's value is returned
    g = np.random.default_rng(1).normal(size=(2, 2, 3))
    out.backward(Tensor(g))
    expected = np.zeros((4, 3))
    expected[0] = g[0, 0] + g[1, 1]  # row 0 picked twice: both shares
    expected[3] = g[1, 0]  # row 1 is padding_idx: no gradient
    np.testing.assert_allclose(emb.weight.grad.data, expected)


def test_embedding_init_repr_and_errors():
    manual_seed(0)
    emb = nn.Embedding(200, 50, padding_idx=-1)
    assert emb.padding_idx == 199 and repr(emb) == "Embedding(200, 50, padding_idx=199)"
    np.testing.assert_array_equal(emb.weight.data[199], 0)
    rows = emb.weight.data[:199]
    assert abs(rows.mean()) < 0.02 and abs(rows.std() - 1) < 0.02  # N(0, 1), as torch
    assert repr(nn.Embedding(10, 3)) == "Embedding(10, 3)"
    with pytest.raises(IndexError, match="out of range"):
        emb(Tensor(np.array([200])))
    with pytest.raises(RuntimeError, match="integers"):
        emb(Tensor(np.array([1.0])))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(NotImplementedError, match="max_norm"):
        nn.Embedding(10, 3, max_norm=1.0)
    frozen = nn.Embedding.from_pretrained(np.ones((3, 2)))
    assert not frozen.weight.requires_grad and frozen.weight.shape == (3, 2)


def test_batch_norm_training_on_one_value_raises_and_an_empty_batch_passes():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(Tensor(np.ones((1, 3), np.float32)))
    # torch 2.13: an empty batch gives an empty output, the running statistics unchanged,
    # zero gradients, and num_batches_tracked counted (also for the failed call above)
    out = bn(Tensor(np.zeros((0, 3), np.float32)))
    assert out.shape == (0, 3)
    np.testing.assert_array_equal(bn.running_mean.data, 0)
    np.testing.assert_array_equal(bn.running_var.data, 1)
    assert int(bn.num_batches_tracked.data) == 2
    out.sum().backward()
    np.testing.assert_array_equal(bn.weight.grad.data, 0)
    assert bn(Tensor(np.zeros((0, 3, 4), np.float32))).shape == (0, 3, 4)


def test_load_state_dict_result_prints_as_pytorch():
    lin = nn.Linear(2, 1)
    assert repr(lin.load_state_dict(lin.state_dict())) == "<All keys matched successfully>"
    result = lin.load_state_dict({"weight": np.zeros((1, 2))}, strict=False)
    assert repr(result) == "IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


# --------------------------------------------------------------------------- module hooks
def test_forward_hooks_see_and_may_replace_inputs_and_outputs_in_order():
    tg.manual_seed(0)
    lin = nn.Linear(3, 2)
    x = tg.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    calls = []

    def pre(module, args):
        calls.append(("pre", module is lin, len(args)))
        return args[0] * 2.0  # one value: the new only argument

    def first(module, args, out):
        calls.append(("first",))

    def post(module, args, out):
        calls.append(("post", np.array_equal(args[0].data, 2 * x.data)))
        return out + 1.0

    h_pre = lin.register_forward_pre_hook(pre)
    h_post = lin.register_forward_hook(post)
    h_first = lin.register_forward_hook(first, prepend=True)
    out = lin(x)
    expected = (2 * x.data) @ lin.weight.data.T + lin.bias.data + 1.0
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    assert calls == [("pre", True, 1), ("first",), ("post", True)]
    out.sum().backward()  # the replaced input and output are in the graph
    np.testing.assert_allclose(lin.weight.grad.data, np.tile((2 * x.data).sum(0), (2, 1)))
    for h in (h_pre, h_post, h_first):
        h.remove()
    h_first.remove()  # twice: nothing left to remove
    calls.clear()
    np.testing.assert_allclose(lin(x).data, x.data @ lin.weight.data.T + lin.bias.data)
    assert calls == []


def test_hooks_with_kwargs_and_a_handle_used_as_a_context_manager():
    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):
            return x * factor

    m = Scale()
    x = tg.Tensor([1.0, 2.0])
    seen = []
    with m.register_forward_pre_hook(lambda mod, a, k: (a, {"factor": 3.0}), with_kwargs=True):
        with m.register_forward_hook(lambda mod, a, k, out: seen.append(k), with_kwargs=True):
            np.testing.assert_allclose(m(x).data, [3.0, 6.0])
    assert seen == [{"factor": 3.0}]
    np.testing.assert_allclose(m(x).data, [1.0, 2.0])  # both removed at the blocks' ends
    m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args"):
        m(x)


def test_an_always_call_hook_runs_when_forward_raises():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m, seen = Broken(), []
    m.register_forward_hook(lambda mod, a, out: seen.append(("always", out)), always_call=True)
    m.register_forward_hook(lambda mod, a, out: seen.append(("plain", out)))
    with pytest.raises(ValueError, match="boom"):
        m(tg.Tensor([1.0]))
    assert seen == [("always", None)]


def test_forward_hooks_collect_the_activations_of_a_sequential():
    tg.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    acts = {}
    for name, layer in model.named_children():
        layer.register_forward_hook(lambda mod, a, out, name=name: acts.__setitem__(name, out))
    x = tg.Tensor([[1.0, -2.0], [0.5, 3.0]])
    y = model(x)
    h = x.data @ model[0].weight.data.T + model[0].bias.data
    np.testing.assert_allclose(acts["0"].data, h, rtol=1e-6)
    np.testing.assert_allclose(acts["1"].data, np.maximum(h, 0), rtol=1e-6)
    assert acts["2"] is y


def test_module_backward_hooks_say_what_to_write_instead():
    m = nn.Linear(2, 2)
    for register in (m.register_full_backward_hook, m.register_backward_hook):
        with pytest.raises(NotImplementedError, match=r"out\.register_hook"):
            register(lambda mod, gi, go: None)
    with pytest.raises(TypeError, match="callable"):
        m.register_forward_hook(3)


def test_a_hook_added_after_compiling_makes_the_step_trace_again():
    tg.manual_seed(2)
    lin = nn.Linear(2, 1)
    step = tg.compile(lambda x: lin(x).sum())
    x = tg.Tensor([[1.0, 2.0]])
    for _ in range(3):
        step(x)
    plain = lin(x).sum().item()
    handle = lin.register_forward_hook(lambda mod, a, out: out * 10.0)
    assert step(x).item() == pytest.approx(10 * plain)  # not the old tape's value
    handle.remove()
    assert step(x).item() == pytest.approx(plain)


def test_a_hook_that_keeps_activations_inside_a_compiled_step_raises_not_loses_them():
    lin = nn.Linear(2, 1)
    acts = []
    lin.register_forward_hook(lambda mod, a, out: acts.append(out))
    step = tg.compile(lambda x: lin(x).sum())
    x = tg.Tensor([[1.0, 2.0]])
    step(x)  # traced: the hook ran
    with pytest.raises(CompileError, match=r"changes what a list it reaches holds"):
        step(x)  # a replay would not append: refused
    assert len(acts) == 2


def test_cosine_similarity_and_pairwise_distance_modules_call_functional_with_their_settings():
    rng = np.random.default_rng(7)
    a, b = Tensor(rng.standard_normal((3, 4))), Tensor(rng.standard_normal((3, 4)))
    cos = nn.CosineSimilarity(dim=0, eps=1e-6)
    np.testing.assert_array_equal(
        cos(a, b).data, tg.functional.cosine_similarity(a, b, 0, 1e-6).data
    )
    dist = nn.PairwiseDistance(p=1.0, eps=0.5, keepdim=True)
    assert dist.norm == 1.0 and dist.eps == 0.5 and dist.keepdim
    out = dist(a, b)
    assert out.shape == (3, 1)
    np.testing.assert_allclose(out.data[:, 0], np.abs(a.data - b.data + 0.5).sum(1), rtol=1e-6)
    assert repr(cos) == "CosineSimilarity()" and repr(dist) == "PairwiseDistance()"
    assert list(cos.state_dict()) == [] and list(dist.parameters()) == []


def test_unflatten_splits_an_axis_and_undoes_flatten():
    x = Tensor(np.arange(24.0).reshape(2, 12), requires_grad=True)
    m = nn.Unflatten(1, (3, -1))
    out = m(x)
    assert out.shape == (2, 3, 4) and repr(m) == "Unflatten(dim=1, unflattened_size=(3, -1))"
    np.testing.assert_array_equal(out.data, x.data.reshape(2, 3, 4))
    np.testing.assert_array_equal(nn.Flatten()(out).data, x.data)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 12)))
    assert repr(nn.Unflatten(-1, [2, 6])) == "Unflatten(dim=-1, unflattened_size=[2, 6])"
    assert nn.Unflatten(-1, [2, 6])(x).shape == (2, 2, 6)
    with pytest.raises(TypeError, match="unflattened_size must be a tuple or list of ints"):
        nn.Unflatten(1, 4)
    with pytest.raises(TypeError, match="element 1 is 'a'"):
        nn.Unflatten(1, (2, "a"))
    with pytest.raises(TypeError, match="dim must be an integer"):
        nn.Unflatten(1.0, (2, 2))
    with pytest.raises(ValueError):
        nn.Unflatten(1, (5, 5))(x)


def test_rms_norm_module_holds_a_weight_of_ones_and_prints_like_torch():
    m = nn.RMSNorm([3, 4], eps=1e-5)
    assert repr(m) == "RMSNorm((3, 4), eps=1e-05, elementwise_affine=True)"
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (3, 4)
    np.testing.assert_array_equal(m.weight.data, np.ones((3, 4)))
    x = Tensor(np.random.default_rng(9).standard_normal((2, 3, 4)))
    np.testing.assert_array_equal(m(x).data, tg.functional.rms_norm(x, (3, 4), m.weight, 1e-5).data)
    plain = nn.RMSNorm(4, elementwise_affine=False)
    assert repr(plain) == "RMSNorm((4,), eps=None, elementwise_affine=False)"
    assert plain.weight is None and list(plain.state_dict()) == []
    np.testing.assert_array_equal(plain(x).data, tg.functional.rms_norm(x, (4,)).data)
    assert nn.RMSNorm(4, dtype=np.float64).weight.dtype == np.float64
