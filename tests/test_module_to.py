"""Module.to as PyTorch's: a dtype, a device (the CPU only), both, or a tensor's dtype."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_mlp as tg
import tinygrad_mlp.nn as nn


class CPU:
    """What a device object looks like to Module.to: a str `.type` (as torch.device)."""

    def __init__(self, type: str) -> None:
        self.type = type

    def __str__(self) -> str:
        return self.type


def test_module_to_the_cpu_keeps_everything_and_returns_self():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = model[0].weight
    before = weight.data.copy()
    for device in ("cpu", "cpu:0", CPU("cpu")):
        assert model.to(device) is model
        assert model.to(device=device) is model
    assert model.cpu() is model
    assert model[0].weight is weight and weight.dtype == np.float32
    np.testing.assert_array_equal(weight.data, before)


def test_module_to_a_device_and_a_dtype_or_a_tensor():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.to("cpu", np.float64) is model
    assert model[0].weight.dtype == np.float64 and model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers keep theirs
    model.to(tg.Tensor(np.zeros(2, dtype=np.float32)))  # the tensor's dtype, as in PyTorch
    assert model[0].weight.dtype == np.float32
    model.to(dtype=np.float64, device="cpu")
    assert model[0].bias.dtype == np.float64


def test_module_to_refuses_other_devices_and_non_float_dtypes_and_changes_nothing():
    model = nn.Linear(2, 3)
    for device in ("cuda", "cuda:1", "mps", CPU("cuda")):
        with pytest.raises(RuntimeError, match="is not available; tinygrad_mlp runs on the CPU"):
            model.to(device, np.float64)
    assert model.weight.dtype == np.float32
    with pytest.raises(RuntimeError, match=r"drop the \.cuda\(\) call"):
        model.cuda()
    with pytest.raises(TypeError, match="expected a floating dtype, got int64"):
        model.to(np.int64)
    with pytest.raises(TypeError, match="expected a floating dtype or a device, got 3"):
        model.to(3)
    with pytest.raises(TypeError, match="takes a device and a dtype, got 3 arguments"):
        model.to("cpu", np.float32, "cpu")
