"""`from tinygrad_mlp.utils.data import DataLoader, Dataset, TensorDataset`, as from
`torch.utils.data`. These are the objects of `tinygrad_mlp.data` itself, not copies."""

from ..data import DataLoader, Dataset, TensorDataset, default_collate, default_convert

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate", "default_convert"]
