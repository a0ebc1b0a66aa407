"""Learning-rate schedulers: change each parameter group's "lr" as training goes on.

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(opt)        # opt.step() for every batch
        sched.step()                # then the scheduler, once per epoch

They follow PyTorch 2.x exactly, down to the arithmetic. A scheduler's constructor takes the
first step itself (`last_epoch` goes from -1 to 0 and each group gets an "initial_lr", the lr
it started from), so the first epoch runs at the schedule's first value. Most schedulers are
*recursive*, as PyTorch's are: `step()` computes the new lr from the group's current lr, so
two schedulers on one optimizer compose, and an lr you set by hand is carried on from.
`step(epoch)` (deprecated in PyTorch) jumps to `epoch` with the closed form instead.

`get_last_lr()` gives the lrs the last step set; `state_dict()`/`load_state_dict()` save and
restore a scheduler (plain values, so `tinygrad_mlp.save` can write them).
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from numbers import Integral, Real
from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "LambdaLR",
    "MultiplicativeLR",
    "LinearLR",
    "ConstantLR",
    "PolynomialLR",
    "OneCycleLR",
    "CyclicLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "ChainedScheduler",
]

_EPOCH_WARNING = (
    "scheduler.step(epoch) is deprecated (as in PyTorch): call scheduler.step() once per "
    "epoch without an argument. With an epoch given, the closed form is used where there is one."
)


# ---------------------------------------------------------------------------------------------
# Argument checks


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_real(
    name: str, value: Any, low: float, high: float | None = None, open_low: bool = False
) -> float:
    """A finite real with low <= value (low < value if open_low) and value <= high."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if (value <= low if open_low else value < low) or (high is not None and value > high):
        left = "(" if open_low else "["
        bound = (
            f"in {left}{low}, {high}]" if high is not None else f"{'>' if open_low else '>='} {low}"
        )
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return value


def _check_optimizer(optimizer: Any) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer; pass the optimizer whose "
            "learning rates to schedule, e.g. optim.SGD(...)"
        )
    return optimizer


def _per_group(name: str, optimizer: Optimizer, value: Any, check: Callable) -> list:
    """One value per parameter group: a list of that length, or one value for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ValueError(
                f"{name} must have one value per parameter group: the optimizer has {n} "
                f"groups, {name} has {len(value)} values"
            )
        return [check(f"{name}[{i}]", v) for i, v in enumerate(value)]
    return [check(name, value)] * n


# ---------------------------------------------------------------------------------------------
# The base class


class LRScheduler:
    """The base class. A subclass sets its own attributes, calls `super().__init__`, and
    implements `get_lr()`: the new lr of every group, computed when `step()` has just
    advanced `last_epoch`. Optionally `_closed_form_lr()` gives the lrs at `last_epoch`
    directly from `base_lrs`, for `step(epoch)`.

    Attributes: `optimizer`, `base_lrs` (each group's "initial_lr"), `last_epoch` (the
    number of `step()` calls since the start: 0 after the constructor).
    """

    _transient = ("optimizer", "_is_initial", "_in_step")

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = _check_optimizer(optimizer)
        last_epoch = _check_int("last_epoch", last_epoch, -1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming a scheduler with last_epoch={last_epoch}; load the "
                        "optimizer's state_dict (saved with its scheduler) first, or start "
                        "with last_epoch=-1"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._in_step = False
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for the epoch `step()` just moved to (called by `step`)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lr of each parameter group, as the last `step()` (or the constructor) set it."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or, deprecated, jump to `epoch`) and set every group's lr.

        If computing the lrs fails, the scheduler and the optimizer stay as they were.
        """
        self._check_groups()
        if epoch is not None:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
            epoch = _check_int("epoch", epoch, 0)
        self._step_count += 1  # before get_lr, which may read it (as in PyTorch)
        try:
            self._update_lr(epoch)
        except BaseException:
            self._step_count -= 1
            raise

    def _check_groups(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"the optimizer now has {len(groups)} parameter groups, but this scheduler was "
                f"made for {len(self.base_lrs)}; make the scheduler after add_param_group"
            )

    def _update_lr(self, epoch: int | None) -> None:
        """Move to the next epoch (or to `epoch`, by the closed form where there is one) and
        set every group's lr; if computing the lrs fails, nothing changes."""
        groups, before = self.optimizer.param_groups, self.last_epoch
        self._in_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        except BaseException:
            self.last_epoch = before
            raise
        finally:
            self._in_step = False
        for group, lr in zip(groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def _warn_outside_step(self) -> None:
        if not self._in_step:
            warnings.warn(
                "get_lr() computes the next step's lrs; to get the lrs the last step set, "
                "use get_last_lr()",
                UserWarning,
                stacklevel=3,
            )

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """The scheduler's attributes except the optimizer, as plain values (copies)."""
        return {k: _plain_copy(v) for k, v in vars(self).items() if k not in type(self)._transient}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned. The optimizer's lrs are not touched (load
        the optimizer's own state_dict for those). A state_dict of another kind of
        scheduler, or for another number of groups, raises and changes nothing."""
        own = self.state_dict()
        if not isinstance(state_dict, dict) or set(state_dict) != set(own):
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
            raise ValueError(
                f"this is not a {type(self).__name__} state_dict: expected the keys "
                f"{sorted(own)}, got {got}"
            )
        for key in ("base_lrs", "_last_lr", "min_lrs", "lr_lambdas"):
            if key in own and (
                not isinstance(state_dict[key], list | tuple)
                or len(state_dict[key]) != len(own[key])
            ):
                raise ValueError(
                    f"the state_dict's {key} must be a list of {len(own[key])} values "
                    "(one per parameter group)"
                )
        self._load(state_dict)

    def _load(self, state_dict: dict[str, Any]) -> None:
        for key, value in state_dict.items():
            setattr(self, key, _plain_copy(value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


def _plain_copy(value: Any) -> Any:
    """Copy lists, tuples and dicts (not the numbers in them), so saved state is not shared."""
    if isinstance(value, Counter):
        return dict(value)
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Schedules by formula


class StepLR(LRScheduler):
    """Multiply the lr by `gamma` every `step_size` epochs.

    Closed form: lr = base_lr * gamma ** (last_epoch // step_size).
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _check_int("step_size", step_size, 1)
        self.gamma = _check_real("gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by `gamma` at each epoch in `milestones` (by gamma**k at a
    milestone listed k times).

    Closed form: lr = base_lr * gamma ** (number of milestones <= last_epoch).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, Integral) or not isinstance(milestones, Iterable):
            raise TypeError(
                f"milestones must be a list of epoch numbers, e.g. [30, 80], got {milestones!r}"
            )
        self.milestones = Counter(
            _check_int(f"milestones[{i}]", m, 0) for i, m in enumerate(milestones)
        )
        self.gamma = _check_real("gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [b * self.gamma**passed for b in self.base_lrs]

    def _load(self, state_dict: dict[str, Any]) -> None:
        super()._load(state_dict)
        self.milestones = Counter({int(k): int(v) for k, v in self.milestones.items()})


class ExponentialLR(LRScheduler):
    """Multiply the lr by `gamma` every epoch. Closed form: lr = base_lr * gamma**last_epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _check_real("gamma", gamma, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the lr from base_lr to `eta_min` along half a cosine over `T_max` epochs.

    Closed form (SGDR without restarts), with t = last_epoch:
        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2
    As PyTorch does, `step()` computes it recursively from the current lr,
        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T)),
    and past T_max the lr climbs back up (a cosine of period 2 * T_max).
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _check_int("T_max", T_max, 1)
        self.eta_min = _check_real("eta_min", eta_min, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # resumed with last_epoch given: closed form
            return [
                eta_min + (b - eta_min) * (1 + math.cos(t * math.pi / T)) / 2 for b in self.base_lrs
            ]
        if (t - 1 - T) % (2 * T) == 0:  # leaving the minimum, where the ratio below is 0/0
            return [
                lr + (b - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for b, lr in zip(self.base_lrs, self._current_lrs())
            ]
        return [
            (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min)
            + eta_min
            for lr in self._current_lrs()
        ]

    def _closed_form_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [
            eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for b in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter): a cosine from base_lr down to `eta_min` over `T_0` epochs,
    then a restart at base_lr, each period `T_mult` times the one before, as
    torch.optim.lr_scheduler.CosineAnnealingWarmRestarts:

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    where T_cur counts the epochs since the last restart and T_i is this period's length.
    `step(epoch)` takes a fractional epoch too, to anneal within an epoch: call
    `scheduler.step(epoch + i / iters)` after batch i (as PyTorch's docs do; not deprecated
    for this scheduler, as in PyTorch).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_0 = self.T_i = _check_int("T_0", T_0, 1)
        self.T_mult = _check_int("T_mult", T_mult, 1)
        self.eta_min = _check_real("eta_min", eta_min, 0.0)
        self.T_cur: float = _check_int("last_epoch", last_epoch, -1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        eta_min, cosine = self.eta_min, math.cos(math.pi * self.T_cur / self.T_i)
        return [eta_min + (b - eta_min) * (1 + cosine) / 2 for b in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (a number >= 0, fractional within an epoch)."""
        if epoch is not None and (
            isinstance(epoch, bool) or not isinstance(epoch, Real) or not math.isfinite(epoch)
        ):
            raise TypeError(f"epoch must be a number >= 0, got {epoch!r}")
        if epoch is not None and epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        self._check_groups()
        self._step_count += 1
        try:
            self._update_lr(epoch)
        except BaseException:
            self._step_count -= 1
            raise

    def _update_lr(self, epoch: float | None) -> None:
        before = (self.T_cur, self.T_i, self.last_epoch)
        T_0, T_mult = self.T_0, self.T_mult
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # a restart
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * T_mult
        elif epoch >= T_0 and T_mult == 1:
            self.T_cur = epoch % T_0
        elif epoch >= T_0:  # which period `epoch` falls in: T_0 (1 + m + ... + m^(n-1)) <= it
            n = int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult))
            self.T_cur = epoch - T_0 * (T_mult**n - 1) / (T_mult - 1)
            self.T_i = T_0 * T_mult**n
        else:
            self.T_cur, self.T_i = epoch, T_0
        self.last_epoch = math.floor(epoch)
        self._in_step = True
        try:
            values = self.get_lr()
        except BaseException:
            self.T_cur, self.T_i, self.last_epoch = before
            raise
        finally:
            self._in_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class _Lambdas(LRScheduler):
    """What LambdaLR and MultiplicativeLR share: one function of the epoch for all groups or
    one per group, checked, and saved as PyTorch saves them: `state_dict()` keeps a function
    as None and a callable object as a copy of its `__dict__` (functions cannot be saved, so
    make them again on loading)."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        n = len(optimizer.param_groups)
        lambdas = list(lr_lambda) if isinstance(lr_lambda, list | tuple) else [lr_lambda] * n
        if len(lambdas) != n:
            raise ValueError(
                f"Expected {n} lr_lambdas (one per parameter group), but got {len(lambdas)}"
            )
        for i, fn in enumerate(lambdas):
            if not callable(fn):
                raise TypeError(f"lr_lambda {i} must be callable (epoch -> factor), got {fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def _factors(self, of: str) -> list[float]:
        """Each function at this epoch: the factor `of` is multiplied by."""
        out = []
        for i, fn in enumerate(self.lr_lambdas):
            factor = fn(self.last_epoch)
            if isinstance(factor, bool) or not isinstance(factor, Real):
                raise TypeError(
                    f"lr_lambda {i} must return a number (the factor for {of}), but at "
                    f"epoch {self.last_epoch} it returned {factor!r}"
                )
            out.append(factor)
        return out

    def state_dict(self) -> dict[str, Any]:
        state = {k: _plain_copy(v) for k, v in vars(self).items() if k not in self._transient}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(fn.__dict__)
            for fn in self.lr_lambdas
        ]
        return state

    def _load(self, state_dict: dict[str, Any]) -> None:
        for key, value in state_dict.items():
            if key != "lr_lambdas":
                setattr(self, key, _plain_copy(value))
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_Lambdas):
    """lr = base_lr * lr_lambda(last_epoch), with one function for all groups or one per group
    (`lr_lambda=[f, g]`). Saved as PyTorch saves it (a function as None: make it again)."""

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        return [b * f for b, f in zip(self.base_lrs, self._factors("base_lr"))]


class MultiplicativeLR(_Lambdas):
    """Multiply the lr by lr_lambda(last_epoch) at every epoch after the first (one function
    for all groups or one per group), as torch.optim.lr_scheduler.MultiplicativeLR:
    `MultiplicativeLR(opt, lambda epoch: 0.95)` decays by 5% an epoch. Saved as LambdaLR."""

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * f for lr, f in zip(self._current_lrs(), self._factors("the current lr"))]


class ConstantLR(LRScheduler):
    """Multiply the lr by `factor` until epoch `total_iters`, then give it back (a gentle
    start), as torch.optim.lr_scheduler.ConstantLR.

    Closed form: lr = base_lr * (factor if last_epoch < total_iters else 1).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        # (PyTorch takes factor = 0 and divides by it at total_iters: refused here, at once)
        self.factor = _check_real("factor", factor, 0.0, 1.0, open_low=True)
        self.total_iters = _check_int("total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        done = self.last_epoch >= self.total_iters
        return [b * (self.factor + done * (1 - self.factor)) for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the lr to 0 over `total_iters` epochs along a polynomial of degree `power`,
    then keep it, as torch.optim.lr_scheduler.PolynomialLR.

    Closed form: lr = base_lr * (1 - min(total_iters, t) / total_iters) ** power.
    """

    def __init__(
        self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = _check_int("total_iters", total_iters, 1)
        self.power = _check_real("power", power, 0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        t, n = self.last_epoch, self.total_iters
        if self._is_initial or t > n:
            return self._current_lrs()
        decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [lr * decay for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        t, n = self.last_epoch, self.total_iters
        return [b * (1.0 - min(n, t) / n) ** self.power for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from `start_factor` to `end_factor` over
    `total_iters` epochs, then keep it.

    Closed form: lr = base_lr * (start + (end - start) * min(total_iters, t) / total_iters).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = _check_real("start_factor", start_factor, 0.0, 1.0, open_low=True)
        self.end_factor = _check_real("end_factor", end_factor, 0.0, 1.0)
        self.total_iters = _check_int("total_iters", total_iters, 1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        start, end, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * start for lr in self._current_lrs()]
        if self._is_initial or t > n:
            return self._current_lrs()
        # the ratio of this epoch's factor to the previous one's
        ratio = 1.0 + (end - start) / (n * start + (t - 1) * (end - start))
        return [lr * ratio for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        start, end, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        return [b * (start + (end - start) * min(n, t) / n) for b in self.base_lrs]


# ---------------------------------------------------------------------------------------------
# One cycle


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin): warm the lr up from max_lr / div_factor to `max_lr`
    over the first `pct_start` of `total_steps`, then anneal it down to
    initial_lr / final_div_factor; step it after every batch.

    With `three_phase=True` the lr goes back down to the initial lr symmetrically and a third
    phase anneals it to the minimum. Between a phase's start and end values the lr follows
    `anneal_strategy`: "cos", end + (start - end) * (1 + cos(pi * pct)) / 2, or "linear",
    start + (end - start) * pct, where pct is how far the step is into the phase.
    With `cycle_momentum` (the default) the momentum (SGD, RMSprop) or beta1 (Adam) moves
    the opposite way, between `max_momentum` and `base_momentum`.
    Give `total_steps`, or `epochs` and `steps_per_epoch`. Each group gets "initial_lr",
    "max_lr", "min_lr" (and "max_momentum", "base_momentum") entries, as in PyTorch.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        if total_steps is not None:
            self.total_steps = _check_int("total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            epochs = _check_int("epochs", epochs, 1)
            self.total_steps = epochs * _check_int("steps_per_epoch", steps_per_epoch, 1)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        pct_start = _check_real("pct_start", pct_start, 0.0, 1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        self.anneal_strategy = anneal_strategy
        if not isinstance(cycle_momentum, bool) or not isinstance(three_phase, bool):
            raise ValueError("cycle_momentum and three_phase must be True or False")
        div_factor = _check_real("div_factor", div_factor, 0.0, open_low=True)
        final_div_factor = _check_real("final_div_factor", final_div_factor, 0.0, open_low=True)
        max_lrs = _per_group("max_lr", optimizer, max_lr, lambda n, v: _check_real(n, v, 0.0))
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option "
                    f"enabled; {type(optimizer).__name__} has neither: pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            check = self._check_beta1 if self.use_beta1 else _check_momentum
            max_momentums = _per_group("max_momentum", optimizer, max_momentum, check)
            base_momentums = _per_group("base_momentum", optimizer, base_momentum, check)
        # the phases: where each ends, and which group entries it goes between
        T = self.total_steps
        if three_phase:
            self._schedule_phases = [
                _phase(
                    float(pct_start * T) - 1,
                    "initial_lr",
                    "max_lr",
                    "max_momentum",
                    "base_momentum",
                ),
                _phase(
                    float(2 * pct_start * T) - 2,
                    "max_lr",
                    "initial_lr",
                    "base_momentum",
                    "max_momentum",
                ),
                _phase(T - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(
                    float(pct_start * T) - 1,
                    "initial_lr",
                    "max_lr",
                    "max_momentum",
                    "base_momentum",
                ),
                _phase(T - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        if last_epoch == -1:  # all checked: now write into the groups
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                for group, high_m, low_m in zip(
                    optimizer.param_groups, max_momentums, base_momentums
                ):
                    if self.use_beta1:
                        group["betas"] = (high_m, *group["betas"][1:])
                    else:
                        group["momentum"] = high_m
                    group["max_momentum"] = high_m
                    group["base_momentum"] = low_m
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _check_beta1(name: str, value: Any) -> float:
        value = _check_real(name, value, 0.0, 1.0)
        if value == 1.0:
            raise ValueError(f"{name} is Adam's beta1 here and must be < 1, got {value!r}")
        return value

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}; make the scheduler with a larger total_steps"
            )
        plan = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == last:
                    span = end_step - start_step
                    # a phase of zero length (PyTorch divides by zero) is at its end
                    pct = (step - start_step) / span if span != 0 else 1.0
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    momentum = None
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                    plan.append((lr, momentum))
                    break
                start_step = end_step
        # all computed: now set the momenta (the lrs are set by step())
        if self.cycle_momentum:
            for group, (_, momentum) in zip(self.optimizer.param_groups, plan):
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return [lr for lr, _ in plan]


def _check_momentum(name: str, value: Any) -> float:
    return _check_real(name, value, 0.0)


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017), as torch.optim.lr_scheduler.CyclicLR: the lr
    climbs from `base_lr` to `max_lr` over `step_size_up` steps and back over
    `step_size_down` (default: the same), again and again; step it after every batch.

    With t = last_epoch, cycle = floor(1 + t / (up + down)), x = 1 + t / (up + down) - cycle
    (the place within the cycle, 0 to 1), and f = x / r going up, (x - 1) / (r - 1) going
    down (r = up / (up + down)):

        lr = base_lr + (max_lr - base_lr) * f * scale

    where scale is 1 ("triangular"), 1 / 2 ** (cycle - 1) ("triangular2": the height halves
    every cycle), gamma ** t ("exp_range"), or `scale_fn(cycle)` / `scale_fn(t)` of your
    own (`scale_mode` "cycle" or "iterations"). With `cycle_momentum` (the default) the
    momentum (SGD, RMSprop) or beta1 (Adam) moves the other way, from `max_momentum` down
    to `base_momentum`. As in PyTorch, making it sets every group's lr to base_lr (and its
    momentum to max_momentum). `state_dict()` saves a scale_fn as LambdaLR saves its
    functions.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: float = 2000,
        step_size_down: float | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        lr_check = lambda name, v: _check_real(name, v, 0.0)  # noqa: E731
        base_lrs = _per_group("base_lr", optimizer, base_lr, lr_check)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr, lr_check)
        up = float(_check_real("step_size_up", step_size_up, 0.0, open_low=True))
        down = up if step_size_down is None else step_size_down
        down = float(_check_real("step_size_down", down, 0.0, open_low=True))
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(
                f"mode is invalid and scale_fn is None: mode {mode!r} is not 'triangular', "
                "'triangular2' or 'exp_range'; or pass scale_fn"
            )
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn must be callable (x -> factor), got {scale_fn!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        if not isinstance(cycle_momentum, bool):
            raise ValueError("cycle_momentum must be True or False")
        self.mode, self.gamma = mode, _check_real("gamma", gamma, 0.0)
        self._scale_fn_custom = scale_fn
        # the built-in modes choose their own scale_mode, as in PyTorch
        self.scale_mode = scale_mode if scale_fn is not None else _MODE_SCALE.get(mode)
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option "
                    f"enabled; {type(optimizer).__name__} has neither: pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            check = OneCycleLR._check_beta1 if self.use_beta1 else _check_momentum
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum, check)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum, check)
        if last_epoch == -1:  # all checked: now the groups start at base_lr (and max momentum)
            for i, group in enumerate(optimizer.param_groups):
                group["lr"] = base_lrs[i]
                if cycle_momentum:
                    high, low = self.max_momentums[i], self.base_momentums[i]
                    if self.use_beta1:
                        group["betas"] = (high, *group["betas"][1:])
                    else:
                        group["momentum"] = high
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The height's factor at `x` (the cycle, or the step for "iterations")."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            factor = x / self.step_ratio
        else:
            factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else t)
        lrs = [b + (m - b) * factor * scale for b, m in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            pairs = zip(self.base_momentums, self.max_momentums, self.optimizer.param_groups)
            for low, high, group in list(pairs):
                momentum = high - (high - low) * factor * scale
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (
            None if fn is None or isinstance(fn, types.FunctionType) else dict(fn.__dict__)
        )
        return state

    def _load(self, state_dict: dict[str, Any]) -> None:
        for key, value in state_dict.items():
            if key != "_scale_fn_custom":
                setattr(self, key, _plain_copy(value))
        saved = state_dict["_scale_fn_custom"]
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved)


_MODE_SCALE = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}


def _phase(end_step: float, start_lr: str, end_lr: str, start_m: str, end_m: str) -> dict:
    return {
        "end_step": end_step,
        "start_lr": start_lr,
        "end_lr": end_lr,
        "start_momentum": start_m,
        "end_momentum": end_m,
    }


# ---------------------------------------------------------------------------------------------
# On a plateau


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by `factor` when a metric has stopped improving: `step(metric)`.

    A metric improves when it beats the best so far by the threshold: in mode "min" with
    threshold_mode "rel", metric < best * (1 - threshold); "abs": metric < best - threshold
    ("max" mirrors these). After more than `patience` epochs without improvement each group's
    lr becomes max(lr * factor, min_lr), unless that changes it by no more than `eps`; then
    `cooldown` epochs pass before bad epochs count again. No initial step is taken, and
    the groups get no "initial_lr" (as in PyTorch).
    """

    _transient = ("optimizer",)

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        self.optimizer = _check_optimizer(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode!r} is unknown! Use 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown! Use 'rel' or 'abs'")
        if isinstance(factor, Real) and not isinstance(factor, bool) and factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got {factor!r}")
        self.factor = _check_real("factor", factor, 0.0)
        self.min_lrs = _per_group("min_lr", optimizer, min_lr, lambda n, v: _check_real(n, v, 0.0))
        self.default_min_lr = None if isinstance(min_lr, list | tuple) else min_lr
        self.patience = _check_int("patience", patience, 0)
        self.threshold = _check_real("threshold", threshold, 0.0)
        self.cooldown = _check_int("cooldown", cooldown, 0)
        self.eps = _check_real("eps", eps, 0.0)
        self.mode = mode
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a one-element Tensor) and maybe reduce."""
        if isinstance(metrics, Tensor):
            metrics = metrics.item()
        if isinstance(metrics, bool) or not isinstance(metrics, Real):
            raise TypeError(
                f"ReduceLROnPlateau.step() needs the metric as a number, got {metrics!r}; "
                "pass e.g. the validation loss: scheduler.step(val_loss)"
            )
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
            epoch = _check_int("epoch", epoch, 0)
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(
                    f"the optimizer now has {len(groups)} parameter groups, but min_lr was "
                    f"given for {len(self.min_lrs)}; set scheduler.min_lrs to one per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def get_lr(self) -> list[float]:
        raise NotImplementedError("ReduceLROnPlateau sets the lrs in step(metric)")

    def __repr__(self) -> str:
        return (
            f"ReduceLROnPlateau(mode={self.mode!r}, best={self.best}, "
            f"num_bad_epochs={self.num_bad_epochs}, lr={self.get_last_lr()})"
        )


class _Combined(LRScheduler):
    """What SequentialLR and ChainedScheduler share: `_schedulers`, whose steps set the lrs,
    and a state_dict with each one's under "_schedulers", as PyTorch saves them."""

    _schedulers: list[LRScheduler]

    def get_lr(self) -> list[float]:
        raise NotImplementedError(f"{type(self).__name__}'s lrs are its schedulers'")

    def state_dict(self) -> dict[str, Any]:
        """Its own attributes (not the optimizer), and each scheduler's state_dict."""
        skip = ("optimizer", "_schedulers")
        own = {k: _plain_copy(v) for k, v in vars(self).items() if k not in skip}
        own["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return own

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned; a mismatch changes nothing."""
        own = self.state_dict()
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != set(own):
            raise ValueError(f"this is not a {name} state_dict: expected the keys {sorted(own)}")
        saved = state_dict["_schedulers"]
        if not isinstance(saved, list | tuple) or len(saved) != len(self._schedulers):
            raise ValueError(
                f"the state_dict holds {len(saved) if isinstance(saved, list | tuple) else 'no'} "
                f"schedulers' states; this {name} has {len(self._schedulers)}"
            )
        before = [s.state_dict() for s in self._schedulers]
        try:
            for s, sd in zip(self._schedulers, saved):
                s.load_state_dict(sd)
        except BaseException:
            for s, sd in zip(self._schedulers, before):
                s.load_state_dict(sd)
            raise
        for key, value in state_dict.items():
            if key != "_schedulers":
                setattr(self, key, _plain_copy(value))


class SequentialLR(_Combined):
    """One scheduler after another: `schedulers[0]` sets the lrs until epoch
    `milestones[0]`, then `schedulers[1]` from its own epoch 0, and so on (a warm-up, then
    a decay), as torch.optim.lr_scheduler.SequentialLR:

        warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = CosineAnnealingLR(opt, T_max=95)
        scheduler = SequentialLR(opt, [warmup, decay], milestones=[5])

    As in PyTorch, making it puts the lrs back to each group's `initial_lr`, undoes the first
    step every scheduler took when it was made, and runs the first one's again; at a
    milestone the next scheduler starts at its epoch 0 (by its closed form where it has one).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = _check_optimizer(optimizer)
        schedulers = _check_schedulers("SequentialLR", schedulers, optimizer)
        milestones = [_check_int("milestone", m, 0) for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "SequentialLR expects one milestone fewer than schedulers, got "
                f"{len(schedulers)} schedulers and {len(milestones)} milestones"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = _check_int("last_epoch", last_epoch, -1) + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_first_steps(schedulers)
        first = schedulers[bisect_right(milestones, 0)]
        first._step_count, first._is_initial = 0, True
        try:
            first.step()
        finally:
            first._is_initial = False
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch: the scheduler whose stretch it is steps (or starts, at a
        milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            sched._update_lr(0)
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()


class ChainedScheduler(_Combined):
    """Several schedulers stepped together, each changing the lrs the one before it set (a
    decay by epoch and a step decay, multiplied), as torch.optim.lr_scheduler's:
    `ChainedScheduler([ExponentialLR(opt, 0.9), StepLR(opt, 3, 0.5)])`. Making it changes no
    lr (each scheduler took its first step when made)."""

    def __init__(self, schedulers: list[LRScheduler], optimizer: Optimizer | None = None) -> None:
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = schedulers[0].optimizer
        self.optimizer = _check_optimizer(optimizer)
        self._schedulers = _check_schedulers("ChainedScheduler", schedulers, self.optimizer)
        self._last_lr = self._current_lrs()

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for sched in self._schedulers:
            sched.step()
        self._last_lr = self._current_lrs()


def _check_schedulers(who: str, schedulers: Any, optimizer: Optimizer) -> list[LRScheduler]:
    """The schedulers a SequentialLR or ChainedScheduler combines, checked as PyTorch does."""
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{who} expects at least one scheduler, but got none")
    for i, sched in enumerate(schedulers):
        if not isinstance(sched, LRScheduler):
            raise TypeError(
                f"{who}: the scheduler at index {i} is a {type(sched).__name__}, not a "
                "learning-rate scheduler"
            )
        if isinstance(sched, ReduceLROnPlateau):
            raise ValueError(
                f"{who} does not support ReduceLROnPlateau (its step needs the metric), but "
                f"got one at index {i}"
            )
        if sched.optimizer is not optimizer:
            raise ValueError(
                f"{who} expects all schedulers to belong to the same optimizer, but the "
                f"{type(sched).__name__} at index {i} has another one"
            )
    return schedulers


def _undo_first_steps(schedulers: list[LRScheduler]) -> None:
    """Undo the step each scheduler took when it was made (inside a nested SequentialLR,
    its own schedulers', as PyTorch's recursive_undo)."""
    for sched in schedulers:
        if isinstance(sched, SequentialLR):
            _undo_first_steps(sched._schedulers)
        else:
            sched.last_epoch -= 1


# PyTorch's old name of the base class, which older programs subclass
_LRScheduler = LRScheduler
