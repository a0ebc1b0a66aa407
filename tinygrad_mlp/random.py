"""The package's one random number generator.

Every random draw in tinygrad_mlp (weight initialisation, dropout masks, data shuffling,
the toy data sets, the in-place fills `normal_` ...) comes from the generator returned by
`generator()`, so `manual_seed(n)` makes a whole run reproducible. `get_rng_state()` saves
where the generator is (a uint8 tensor) and `set_rng_state(state)` goes back there, so the
same draws follow again.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

_STATE_BYTES = 40  # PCG64: state and increment (16 bytes each), a cached half draw (4 + 4)

_seed = secrets.randbits(63)
_rng = np.random.default_rng(_seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the package's generator (like `torch.manual_seed`) and return it."""
    global _rng, _seed
    _rng = np.random.default_rng(seed)
    _seed = int(seed)
    return _rng


def seed() -> int:
    """Reseed the generator from the operating system's entropy and return the seed, as
    `torch.seed()`."""
    new = secrets.randbits(63)
    manual_seed(new)
    return new


def initial_seed() -> int:
    """The seed the generator started from: the last `manual_seed`/`seed`, or the random
    one chosen at import."""
    return _seed


def generator() -> np.random.Generator:
    """The generator every random draw of the package uses."""
    return _rng


def set_generator(rng: np.random.Generator) -> None:
    """Make `rng` the package's generator (a recorder puts back the one it saved)."""
    global _rng
    _rng = rng


def get_rng_state() -> Any:
    """The generator's state as a uint8 tensor of 40 bytes, for `set_rng_state`."""
    from .tensor import Tensor

    state = _rng.bit_generator.state
    raw = b"".join(
        [
            state["state"]["state"].to_bytes(16, "little"),
            state["state"]["inc"].to_bytes(16, "little"),
            int(state["has_uint32"]).to_bytes(4, "little"),
            int(state["uinteger"]).to_bytes(4, "little"),
        ]
    )
    return Tensor.wrap(np.frombuffer(raw, np.uint8).copy())


def set_rng_state(new_state: Any) -> None:
    """Put the generator back where `get_rng_state()` found it: the draws that followed
    then follow again."""
    array = np.asarray(getattr(new_state, "data", new_state))
    if array.dtype != np.uint8 or array.shape != (_STATE_BYTES,):
        raise TypeError(
            f"set_rng_state(): expects the uint8 tensor of {_STATE_BYTES} bytes that "
            f"get_rng_state() returns, got dtype {array.dtype} and shape {array.shape}"
        )
    raw = array.tobytes()
    number = [
        int.from_bytes(raw[a:b], "little") for a, b in ((0, 16), (16, 32), (32, 36), (36, 40))
    ]
    if number[2] > 1 or not number[1] % 2:
        raise ValueError("set_rng_state(): these bytes are not a state get_rng_state() gave")
    _rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": number[0], "inc": number[1]},
        "has_uint32": number[2],
        "uinteger": number[3],
    }
