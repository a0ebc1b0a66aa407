"""`tg.cuda.is_available()`, as `torch.cuda`: there is no GPU here, so the usual
`device = "cuda" if torch.cuda.is_available() else "cpu"` picks the CPU."""

from __future__ import annotations


def is_available() -> bool:
    """False: tinygrad_mlp runs on the CPU only."""
    return False


def device_count() -> int:
    """0: no GPU."""
    return 0


__all__ = ["device_count", "is_available"]
