"""The package's one random number generator.

Every random draw in tinygrad_mlp (weight initialisation, dropout masks, data shuffling,
the toy data sets) comes from the generator returned by `generator()`, so
`manual_seed(n)` makes a whole run reproducible.
"""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the package's generator (like `torch.manual_seed`) and return it."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def generator() -> np.random.Generator:
    """The generator every random draw of the package uses."""
    return _rng


def set_generator(rng: np.random.Generator) -> None:
    """Make `rng` the package's generator (a recorder puts back the one it saved)."""
    global _rng
    _rng = rng
