"""ModuleList, ModuleDict, Flatten, and the Module bookkeeping PyTorch code relies on:
apply's order, named_modules / named_children, requires_grad_, register_buffer(persistent=),
register_parameter, add_module and their name checks."""

import numpy as np
import pytest

import tinygrad_mlp.nn as nn
from tinygrad_mlp import Tensor


def names(modules):
    return [type(m).__name__ for m in modules]


# ------------------------------------------------------------------------- ModuleList


def test_module_list_registers_its_items_as_numbered_children():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    ml = nn.ModuleList(layers)
    assert len(ml) == 3 and list(ml) == layers
    assert ml[0] is layers[0] and ml[-1] is layers[2]
    assert list(ml.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p for p in ml.parameters()] == [*layers[0].parameters(), *layers[2].parameters()]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    net = Net()
    assert list(net.state_dict()) == [
        "blocks.0.weight",
        "blocks.0.bias",
        "blocks.1.weight",
        "blocks.1.bias",
    ]
    x = Tensor(np.ones((1, 2), np.float32))
    np.testing.assert_array_equal(net(x).data, net.blocks[1](net.blocks[0](x)).data)
    with pytest.raises(NotImplementedError, match="ModuleList does not define forward"):
        ml(x)


def test_module_list_edits_renumber_like_a_list():
    a, b, c, d = nn.Linear(1, 1), nn.Tanh(), nn.Linear(1, 2), nn.Sigmoid()
    ml = nn.ModuleList()
    assert len(ml) == 0 and repr(ml) == "ModuleList()"
    assert ml.append(a) is ml
    ml.extend([b, c])
    ml.insert(1, d)
    assert list(ml) == [a, d, b, c]
    assert list(ml.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    ml.insert(-1, nn.ReLU())  # before the last, as list.insert
    assert names(ml) == ["Linear", "Sigmoid", "Tanh", "ReLU", "Linear"]
    del ml[1]
    assert list(ml) == [a, b, ml[2], c] and list(ml.state_dict())[-2:] == ["3.weight", "3.bias"]
    del ml[1:3]
    assert list(ml) == [a, c]
    ml[1] = d
    assert list(ml) == [a, d]
    assert ml.pop() is d and list(ml) == [a]
    ml += [b]
    both = ml + nn.ModuleList([c])
    assert isinstance(both, nn.ModuleList) and list(both) == [a, b, c] and list(ml) == [a, b]


def test_module_list_slices_are_module_lists_numbered_from_0():
    ml = nn.ModuleList([nn.ReLU(), nn.Linear(2, 2), nn.Linear(2, 1)])
    tail = ml[1:]
    assert isinstance(tail, nn.ModuleList) and list(tail) == list(ml)[1:]
    assert list(tail.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert list(ml[::-1]) == list(ml)[::-1]


def test_module_list_errors():
    ml = nn.ModuleList([nn.ReLU()])
    with pytest.raises(IndexError, match="index 1 is out of range for a ModuleList of 1"):
        ml[1]
    with pytest.raises(IndexError):
        ml[-2] = nn.ReLU()
    with pytest.raises(TypeError, match="indices must be integers or slices, not str"):
        ml["0"]
    with pytest.raises(TypeError, match="ModuleList: item 1 is a function, not a Module"):
        ml.append(lambda x: x)
    with pytest.raises(TypeError, match="needs an iterable of modules, got a Linear"):
        ml.extend(nn.Linear(1, 1))


def test_module_list_repr_groups_repeats_like_pytorch():
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])
    ml.append(nn.Sequential(nn.Linear(2, 1)))
    assert repr(ml) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): ReLU()\n"
        "  (4): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


def test_module_list_state_dict_round_trip():
    src = nn.ModuleList([nn.Linear(3, 2), nn.BatchNorm1d(2)])
    dst = nn.ModuleList([nn.Linear(3, 2), nn.BatchNorm1d(2)])
    dst.load_state_dict(src.state_dict())
    for key, value in src.state_dict().items():
        np.testing.assert_array_equal(dst.state_dict()[key], value)


# ------------------------------------------------------------------------- ModuleDict


def test_module_dict_behaves_like_a_dict_of_children():
    enc, act = nn.Linear(2, 3), nn.ReLU()
    md = nn.ModuleDict({"enc": enc, "act": act})
    assert list(md) == ["enc", "act"] and md.keys() == ["enc", "act"]
    assert md["enc"] is enc and "act" in md and "dec" not in md and len(md) == 2
    md["dec"] = nn.Linear(3, 1)
    assert list(md.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    md["enc"] = nn.Linear(2, 3)  # replaced in place: the order stays
    assert list(md) == ["enc", "act", "dec"] and md["enc"] is not enc
    assert md.pop("act") is act and list(md) == ["enc", "dec"]
    del md["dec"]
    assert [k for k, _ in md.items()] == ["enc"] and md.values() == [md["enc"]]
    md.update([("a", nn.Tanh()), ("b", nn.Sigmoid())])
    md.update(nn.ModuleDict({"c": nn.ReLU()}))
    assert list(md) == ["enc", "a", "b", "c"]
    md.clear()
    assert len(md) == 0 and list(md.parameters()) == []
    assert repr(nn.ModuleDict({"x": nn.ReLU()})) == "ModuleDict(\n  (x): ReLU()\n)"


def test_module_dict_errors():
    md = nn.ModuleDict()
    with pytest.raises(KeyError, match="'missing'"):
        md["missing"]
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        md["training"] = nn.ReLU()
    with pytest.raises(KeyError, match="attribute 'keys' already exists"):
        md["keys"] = nn.ReLU()
    with pytest.raises(KeyError, match="without '.'"):
        md["a.b"] = nn.ReLU()
    with pytest.raises(TypeError, match="ModuleDict: item 'f' is a function, not a Module"):
        md["f"] = lambda x: x
    with pytest.raises(TypeError, match=r"element 0 should be a \(key, module\) pair"):
        md.update([nn.ReLU()])


# ------------------------------------------------------------------------- Flatten


def test_flatten():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(-2)(x).shape == (2, 12)
    assert nn.Flatten(start_dim=0)(x).shape == (24,)
    np.testing.assert_array_equal(nn.Flatten()(x).data, x.data.reshape(2, 12))
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    t = Tensor(np.ones((2, 3, 2)), requires_grad=True)
    (nn.Flatten()(t) * Tensor(np.arange(6.0))).sum().backward()
    expected = np.broadcast_to(np.arange(6.0).reshape(3, 2), t.shape)
    np.testing.assert_array_equal(t.grad.data, expected)


def test_flatten_errors():
    with pytest.raises(IndexError, match=r"start_dim=1 is out of range for an input of shape"):
        nn.Flatten()(Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="start_dim=2 comes after end_dim=1"):
        nn.Flatten(2, 1)(Tensor(np.ones((2, 3, 4))))
    with pytest.raises(TypeError, match="start_dim must be an integer"):
        nn.Flatten(1.0)


# ------------------------------------------------------------------------- Module bookkeeping


class Tree(nn.Module):
    """root -> (a -> (a1, a2), b): a small tree to check orders on."""

    def __init__(self):
        super().__init__()
        self.a = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
        self.b = nn.Linear(2, 1)


def test_apply_visits_children_first_in_order_then_the_module():
    seen = []
    tree = Tree()
    assert tree.apply(lambda m: seen.append(m)) is tree
    assert seen == [tree.a[0], tree.a[1], tree.a, tree.b, tree]  # PyTorch's order


def test_apply_is_how_custom_initialisation_is_written():
    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    tree = Tree().apply(init)
    assert all((m.weight.data == 0.5).all() for m in tree.modules() if isinstance(m, nn.Linear))


def test_named_modules_and_named_children():
    tree = Tree()
    assert [n for n, _ in tree.named_modules()] == ["", "a", "a.0", "a.1", "b"]
    assert [n for n, _ in tree.named_modules(prefix="net")][:2] == ["net", "net.a"]
    assert [(n, m) for n, m in tree.named_children()] == [("a", tree.a), ("b", tree.b)]


def test_a_module_registered_twice_is_visited_once():
    """As torch: children, named_children, modules, named_modules and apply give a module
    once, under its first name; named_modules(remove_duplicate=False) gives every path."""
    layer = nn.Linear(2, 2)
    seq = nn.Sequential(layer, nn.ReLU(), layer)
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    assert names(seq.children()) == ["Linear", "ReLU"]
    assert names(seq.modules()) == ["Sequential", "Linear", "ReLU"]
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    seen = []
    seq.apply(lambda m: seen.append(m))
    assert names(seen) == ["Linear", "ReLU", "Sequential"]
    inner = nn.Sequential(layer)
    outer = nn.Sequential(inner, inner)
    assert [n for n, _ in outer.named_modules()] == ["", "0", "0.0"]
    every = [n for n, _ in outer.named_modules(remove_duplicate=False)]
    assert every == ["", "0", "0.0", "1", "1.0"]
    memo = {inner}  # PyTorch's memo: modules to skip, and the set of those given
    assert [n for n, _ in outer.named_modules(memo)] == [""] and outer in memo


def test_requires_grad_freezes_and_unfreezes_every_parameter():
    tree = Tree()
    assert tree.a.requires_grad_(False) is tree.a
    assert [p.requires_grad for p in tree.parameters()] == [False, False, True, True]
    x = Tensor(np.ones((3, 2), np.float32))
    tree.b(tree.a(x)).sum().backward()
    assert tree.a[0].weight.grad is None and tree.b.weight.grad is not None
    tree.requires_grad_()
    assert all(p.requires_grad for p in tree.parameters())
    with pytest.raises(TypeError, match="expected True or False"):
        tree.requires_grad_("yes")


def test_non_persistent_buffers_are_buffers_but_not_saved():
    m = nn.Module()
    m.register_buffer("kept", Tensor([1.0]))
    m.register_buffer("scratch", Tensor([2.0]), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    assert list(m.state_dict()) == ["kept"]
    m.load_state_dict({"kept": np.array([3.0])})  # strict: scratch is not expected
    m.to(np.float64)
    assert m.scratch.dtype == np.float64 and m.kept.data[0] == 3.0
    m.register_buffer("scratch", Tensor([4.0]))  # registering again makes it persistent
    assert list(m.state_dict()) == ["kept", "scratch"]


def test_register_parameter_and_add_module():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter([1.0, 2.0]))
    m.register_parameter("bias", None)
    m.add_module("0", nn.ReLU())
    m.register_module("head", nn.Linear(2, 1))
    assert [n for n, _ in m.named_parameters()] == ["w", "head.weight", "head.bias"]
    assert [n for n, _ in m.named_children()] == ["0", "head"]
    m.register_parameter("w", nn.Parameter([3.0]))  # replacing a parameter is fine
    m.add_module("head", nn.Linear(2, 2))  # and a module
    assert m.w.shape == (1,) and m.head.out_features == 2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: m.add_module("forward", nn.ReLU()), "attribute 'forward' already exists"),
        (lambda m: m.register_buffer("training", Tensor([1.0])), "'training' already exists"),
        (lambda m: m.register_parameter("note", nn.Parameter([1.0])), "'note' already exists"),
        (lambda m: m.register_buffer("w", Tensor([1.0])), "attribute 'w' already exists"),
        (lambda m: m.add_module("w", nn.ReLU()), "attribute 'w' already exists"),
    ],
)
def test_registering_over_another_kind_of_attribute_is_an_error(call, message):
    m = nn.Module()
    m.note = "text"
    m.w = nn.Parameter([1.0])
    with pytest.raises(KeyError, match=message):
        call(m)
    assert m.note == "text" and isinstance(m.w, nn.Parameter) and m.training is True


def test_register_error_messages_name_what_was_given():
    m = nn.Module()
    with pytest.raises(TypeError, match="'b' must be a Tensor or None, got ndarray"):
        m.register_buffer("b", np.ones(2))
    with pytest.raises(TypeError, match=r"got Tensor \(wrap a tensor as nn.Parameter\(t\)\)"):
        m.register_parameter("p", Tensor([1.0]))


def test_parameter_list_and_dict_register_their_items_as_pytorch():
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ps = nn.ParameterList([nn.Parameter(np.ones((2, 3))), nn.Parameter(np.ones(3))])
            self.pd = nn.ParameterDict({"a": nn.Parameter(np.ones(1))})

    m = Model()
    # state-dict keys as torch.nn.ParameterList / ParameterDict give them
    assert list(m.state_dict()) == ["ps.0", "ps.1", "pd.a"]
    m.ps.append(Tensor(np.zeros(2)))  # a plain Tensor is wrapped as a Parameter
    assert isinstance(m.ps[-1], nn.Parameter) and m.ps[2].requires_grad
    assert [n for n, _ in m.named_parameters()] == ["ps.0", "ps.1", "ps.2", "pd.a"]
    assert len(m.ps) == 3 and [p.shape for p in m.ps] == [(2, 3), (3,), (2,)]
    assert isinstance(m.ps[1:], nn.ParameterList) and len(m.ps[1:]) == 2
    m.pd["b"] = nn.Parameter(np.zeros(2))
    assert list(m.pd) == ["a", "b"] and "b" in m.pd and len(m.pd) == 2
    del m.pd["a"]
    assert list(m.state_dict()) == ["ps.0", "ps.1", "ps.2", "pd.b"]
    assert repr(m.ps).splitlines()[1] == "  (0): Parameter containing: [float64 of size 2x3]"
    with pytest.raises(TypeError, match="Parameter or a Tensor"):
        m.ps.append(3)
    with pytest.raises(IndexError):
        m.ps[3]
