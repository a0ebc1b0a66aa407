"""`from tinygrad_mlp.utils.data import DataLoader, Dataset, TensorDataset, random_split`, as from
`torch.utils.data`. These are the objects of `tinygrad_mlp.data` itself, not copies."""

from ..data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    default_convert,
    random_split,
)

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "random_split",
]
