"""The layers: Linear, BatchNorm1d, LayerNorm, RMSNorm, Embedding, Dropout, Flatten, Unflatten,
Identity, CosineSimilarity, PairwiseDistance and PReLU (the other activations are in
`activation.py`).

Each `forward` is one call into `functional`; the layers only hold the parameters, the
buffers and the settings.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functional as F
from ..autograd import effect
from ..checks import check_int, default_float
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def _check_device(device: Any, who: str) -> None:
    """PyTorch's device= of a layer: the CPU ("cpu", "cpu:0", a device object of type
    "cpu") or None is where everything is; another device is an error saying so."""
    if device is None:
        return
    kind = getattr(device, "type", device)
    if not isinstance(kind, str) or kind.split(":")[0] != "cpu":
        raise RuntimeError(
            f"{who}: device {str(device)!r} is not available; tinygrad_mlp runs on the CPU "
            "only: use device='cpu' or leave it out"
        )


def _float_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(default_float() if dtype is None else dtype)
    if dtype.kind != "f":
        raise TypeError(f"expected a floating dtype, got {dtype}")
    return dtype


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as in PyTorch: weight by kaiming_uniform_(a=sqrt(5)), which is
    uniform(-1/sqrt(in_features), 1/sqrt(in_features)), and bias by that same uniform.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_device(device, "Linear")
        self.in_features = check_int("in_features", in_features, 0)
        self.out_features = check_int("out_features", out_features, 0)
        dtype = _float_dtype(dtype)
        self.weight = Parameter(np.zeros((self.out_features, self.in_features)), dtype=dtype)
        if bias:
            self.bias = Parameter(np.zeros(self.out_features), dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights and bias (PyTorch's default initialisation)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Any) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class BatchNorm1d(Module):
    """Batch normalisation over the channels of an (N, C) or (N, C, L) input.

    out = (x - mean) / sqrt(var + eps) * weight + bias. In training mode mean and var are
    the batch's (biased variance) and the buffers running_mean and running_var follow them
    (with the unbiased variance; see `functional.batch_norm`); in eval mode the running
    statistics are used. `momentum=None` makes the running statistics a plain average of
    all batches so far. Without `track_running_stats` there are no running statistics and
    batch statistics are used in both modes. `bias=False` (with `affine`) keeps the weight
    and drops the bias, as in PyTorch.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _check_device(device, "BatchNorm1d")
        self.num_features = check_int("num_features", num_features, 1)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = _float_dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features), dtype=dtype)
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(np.zeros(num_features), dtype=dtype)
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features), dtype=dtype))
            self.register_buffer("running_var", Tensor(np.ones(num_features), dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            dtype = self.running_mean.dtype
            self.running_mean.data = np.zeros(self.num_features, dtype=dtype)
            self.running_var.data = np.ones(self.num_features, dtype=dtype)
            self.num_batches_tracked.data = np.array(0, dtype=np.int64)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, x: Any) -> Tensor:
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) not in (2, 3) or shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}): expected input of shape "
                f"(N, {self.num_features}) or (N, {self.num_features}, L), got {shape}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            batches = _count_batch(self.num_batches_tracked, momentum is None)
            if momentum is None:  # a cumulative average: batch k gets weight 1/k
                momentum = 1.0 / batches
        use_batch_stats = self.training or not self.track_running_stats
        return F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            training=use_batch_stats,
            momentum=0.0 if momentum is None else momentum,
            eps=self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


@effect
def _count_batch(count: Tensor, cumulative: bool) -> float | None:
    """One more batch: count += 1 (a new array); the new count if `cumulative` needs it."""
    # a 0-d array (0-d + 1 is a NumPy scalar); not `.data =`, which tells watchers (none
    # see inside an effect)
    count._data = np.array(count._data + 1)
    return float(count.data) if cumulative else None


class LayerNorm(Module):
    """Layer normalisation over the last axes of the input, as torch.nn.LayerNorm:
    `LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)`.

    Each sample is normalised over its last len(normalized_shape) axes (biased variance),
    then scaled by `weight` (ones at first) and shifted by `bias` (zeros), both of shape
    normalized_shape. No running statistics: training and eval mode compute the same.
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_device(device, "LayerNorm")
        if isinstance(normalized_shape, int | np.integer):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(check_int("normalized_shape", d, 0) for d in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = _float_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape), dtype=dtype)
        else:
            self.register_parameter("weight", None)
        if elementwise_affine and bias:
            self.bias = Parameter(np.zeros(self.normalized_shape), dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x: Any) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square normalisation over the last axes of the input, as torch.nn.RMSNorm:
    `RMSNorm(normalized_shape, eps=None, elementwise_affine=True)`.

    Each sample is divided by sqrt(mean(x^2) + eps) over its last len(normalized_shape)
    axes, then scaled by `weight` (ones at first, of shape normalized_shape). eps=None
    means the machine epsilon of the input's dtype (see `functional.rms_norm`).
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_device(device, "RMSNorm")
        if isinstance(normalized_shape, int | np.integer):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(check_int("normalized_shape", d, 0) for d in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape), dtype=_float_dtype(dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Any) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class Embedding(Module):
    """A table of `num_embeddings` vectors of size `embedding_dim`, looked up by integer
    index, as torch.nn.Embedding: `weight` has shape (num_embeddings, embedding_dim) and is
    drawn from the standard normal distribution. The row `padding_idx` (negative counts
    from the end) starts as zeros and gets no gradient. `Embedding.from_pretrained(w)`
    wraps a given table (frozen unless freeze=False). max_norm, scale_grad_by_freq and
    sparse are not supported.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_device(device, "Embedding")
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError(
                "Embedding: max_norm, scale_grad_by_freq and sparse are not supported; leave "
                "them out (renormalise rows yourself under tg.no_grad() if you need max_norm)"
            )
        self.num_embeddings = check_int("num_embeddings", num_embeddings, 0)
        self.embedding_dim = check_int("embedding_dim", embedding_dim, 0)
        if padding_idx is not None:
            padding_idx = check_int("padding_idx", padding_idx, -self.num_embeddings)
            if padding_idx >= self.num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx={padding_idx} must be within num_embeddings "
                    f"(in [{-self.num_embeddings}, {self.num_embeddings - 1}])"
                )
            padding_idx %= self.num_embeddings
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.zeros(shape), dtype=_float_dtype(dtype))
            self.reset_parameters()
        else:
            weight = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if weight.shape != shape:
                raise ValueError(f"Embedding: _weight must have shape {shape}, got {weight.shape}")
            self.weight = Parameter(weight.copy(), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw a fresh table from N(0, 1), the padding row zeroed (PyTorch's default)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy of the 2-D table `embeddings`, frozen by default."""
        shape = np.shape(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if len(shape) != 2:
            raise ValueError(f"Embedding.from_pretrained: expected a 2-D table, got {shape}")
        return cls(
            shape[0],
            shape[1],
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def forward(self, input: Any) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text


class Dropout(Module):
    """Inverted dropout in training mode (x * mask / (1 - p)); the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be between 0 and 1, got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(Module):
    """Merges axes start_dim..end_dim (both included; negative counts from the end) into one,
    as torch.nn.Flatten: by default every axis but the first (the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        for name, value in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"Flatten: {name} must be an integer, got {value!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        n = max(x.ndim, 1)  # a 0-d tensor flattens as if it had one axis, as in PyTorch
        for name, d in (("start_dim", self.start_dim), ("end_dim", self.end_dim)):
            if not -n <= d < n:
                raise IndexError(
                    f"Flatten: {name}={d} is out of range for an input of shape {x.shape} "
                    f"(expected a dim in [{-n}, {n - 1}])"
                )
        if self.start_dim % n > self.end_dim % n:
            raise ValueError(
                f"Flatten: start_dim={self.start_dim} comes after end_dim={self.end_dim} for "
                f"an input of shape {x.shape}"
            )
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits axis `dim` into the axes `unflattened_size` (a tuple or list of ints, one of
    them -1 to be inferred), as torch.nn.Unflatten: the inverse of Flatten."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
            raise TypeError(f"Unflatten: dim must be an integer, got {dim!r}")
        if not isinstance(unflattened_size, tuple | list):
            raise TypeError(
                f"Unflatten: unflattened_size must be a tuple or list of ints, got "
                f"{type(unflattened_size).__name__}"
            )
        for i, n in enumerate(unflattened_size):
            if isinstance(n, bool) or not isinstance(n, int | np.integer):
                raise TypeError(
                    f"Unflatten: unflattened_size must hold ints, but element {i} is {n!r}"
                )
        self.dim, self.unflattened_size = int(dim), unflattened_size

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        return x.unflatten(self.dim, tuple(self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class PReLU(Module):
    """x where x > 0, else weight * x, with `weight` a Parameter of num_parameters slopes
    (1: shared; or one per channel, axis 1 of the input), each `init` at first. Here, not in
    `activation.py`, as it holds a parameter."""

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        _check_device(device, "PReLU")
        self.num_parameters = check_int("num_parameters", num_parameters, 1)
        self.init = init
        self.weight = Parameter(np.zeros(self.num_parameters), dtype=_float_dtype(dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every slope set to `init`."""
        init.constant_(self.weight, self.init)

    def forward(self, x: Any) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Identity(Module):
    """Returns its input unchanged. Any arguments are accepted and ignored, as PyTorch's
    (so that it can stand in for another layer in code that builds one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class CosineSimilarity(Module):
    """cosine_similarity(x1, x2, dim, eps): sum(x1 * x2) / (max(||x1||, eps) *
    max(||x2||, eps)) over `dim` (see `functional.cosine_similarity`)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """pairwise_distance(x1, x2, p, eps, keepdim): ||x1 - x2 + eps||_p over the last axis.
    The exponent is kept as `norm`, as torch keeps it."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


__all__ = [
    "BatchNorm1d",
    "CosineSimilarity",
    "Dropout",
    "Embedding",
    "Flatten",
    "Identity",
    "LayerNorm",
    "Linear",
    "PReLU",
    "PairwiseDistance",
    "RMSNorm",
    "Unflatten",
]
