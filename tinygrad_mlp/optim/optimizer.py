"""Optimizers: SGD (with momentum and Nesterov), Adam and AdamW, with PyTorch's formulas.

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for xb, yb in loader:
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

An optimizer holds `param_groups`: a list of dicts, each with its own "params" and its own
hyperparameters (anything a group leaves out comes from the constructor's arguments).
`state` maps each parameter to its running values (momentum buffer, Adam moments, step).

A step is not part of any graph: it changes each parameter's `.data` in place with NumPy,
in the parameter's own dtype, and skips parameters whose `.grad` is None.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


class Optimizer:
    """The base class: parameter groups, `zero_grad`, `step`, and saving the state.

    A subclass passes its hyperparameters' defaults to `__init__`, and implements
    `_check(group)` (raise ValueError for a bad value) and `_update(p, g, state, group)`,
    which changes `p.data` in place given the gradient array `g`.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        if isinstance(params, dict):
            raise TypeError(
                "params must be an iterable of Tensors or of dicts; for one parameter group "
                "pass a list holding the dict: [{'params': ...}]"
            )
        if isinstance(params, Tensor):
            raise TypeError(
                "params must be an iterable of Tensors or of dicts, got a single Tensor; "
                "pass [tensor] or model.parameters()"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group: a dict with "params" and any hyperparameters that differ."""
        if not isinstance(group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError("a parameter group must have a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but parameter {i} of the group is "
                    f"a {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"optimizer can't optimize a non-leaf Tensor (parameter {i} of the group "
                    f"was made by {p.grad_fn!r}); pass the leaves, e.g. model.parameters()"
                )
            if p.dtype.kind != "f":
                raise TypeError(
                    f"optimizer can only optimize floating point Tensors, but parameter {i} "
                    f"of the group is {p.dtype}"
                )
            if id(p) in seen:
                raise ValueError("a parameter appears more than once in the optimizer's groups")
            seen.add(id(p))
        full = {**self.defaults, **group, "params": params}
        if "betas" in full:
            full["betas"] = tuple(full["betas"])
        self._check(full)
        self.param_groups.append(full)

    def _check(self, group: dict[str, Any]) -> None:
        _check_number("lr", group["lr"], 0.0)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: set `.grad` to None, or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = Tensor._make(np.zeros_like(p.data), None)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient. `closure`, if given, recomputes the
        loss (with gradients) first and its result is returned, as in PyTorch."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {})
                self._update(p, p.grad.data, state, group)
        return loss

    def _update(self, p: Tensor, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain Python and NumPy values (copies).

        Like PyTorch: {"state": {index: {...}}, "param_groups": [{..., "params": [index]}]},
        where parameters are numbered in the order of the groups.
        """
        index = {id(p): i for i, p in enumerate(self._all_params())}
        state = {}
        for p, s in self.state.items():
            state[index[id(p)]] = {
                k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()
            }
        groups = []
        for group in self.param_groups:
            saved = {k: v for k, v in group.items() if k != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned (also after `io.save`/`io.load`).

        Everything is checked first (groups, parameter counts, hyperparameters, state keys,
        shapes); on a mismatch a ValueError says where, and nothing is changed.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                "an optimizer state_dict must be a dict with keys 'state' and 'param_groups'"
            )
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, list | tuple) or len(saved_groups) != len(
            self.param_groups
        ):
            n = len(saved_groups) if isinstance(saved_groups, list | tuple) else "no"
            raise ValueError(
                f"the state_dict has {n} parameter groups; this optimizer has "
                f"{len(self.param_groups)}"
            )
        params = self._all_params()
        new_groups = []
        for gi, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), list | tuple):
                raise ValueError(f"parameter group {gi} of the state_dict has no 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {gi} of the state_dict has {len(saved['params'])} "
                    f"parameters; this optimizer's has {len(group['params'])}"
                )
            missing = set(self.defaults) - set(saved)
            if missing:
                raise ValueError(f"parameter group {gi} of the state_dict lacks {sorted(missing)}")
            new = {k: v for k, v in saved.items() if k != "params"}
            if "betas" in new:
                new["betas"] = tuple(new["betas"])
            new["params"] = group["params"]
            try:
                self._check(new)
            except (TypeError, ValueError) as err:
                raise ValueError(f"parameter group {gi} of the state_dict: {err}") from None
            new_groups.append(new)
        # Saved indices follow the saved groups' order, which must match ours one to one.
        order = [i for saved in saved_groups for i in saved["params"]]
        if any(isinstance(i, bool) or not isinstance(i, int) for i in order) or sorted(
            order
        ) != list(range(len(params))):
            raise ValueError("the state_dict's parameter indices do not number 0..n-1")
        by_index = dict(zip(order, params))
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):
            raise ValueError("the state_dict's 'state' must be a dict")
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, entry in saved_state.items():
            if isinstance(key, bool) or not isinstance(key, int) or key not in by_index:
                raise ValueError(f"the state_dict has state for an unknown parameter {key!r}")
            p = by_index[key]
            new_state[p] = self._checked_entry(key, entry, p)
        self.param_groups = new_groups
        self.state = new_state

    def _checked_entry(self, key: int, entry: Any, p: Tensor) -> dict[str, Any]:
        """Validate one parameter's saved state and return a private copy of it."""
        if not isinstance(entry, dict):
            raise ValueError(f"the state of parameter {key} must be a dict")
        if entry and set(entry) != set(self._state_keys):
            raise ValueError(
                f"the state of parameter {key} has entries {sorted(entry)}; "
                f"{type(self).__name__} keeps {sorted(self._state_keys)}"
            )
        out: dict[str, Any] = {}
        for name, value in entry.items():
            if name == "step":
                if isinstance(value, bool) or not isinstance(value, int | np.integer):
                    raise ValueError(f"the step of parameter {key} must be an int, got {value!r}")
                out[name] = int(value)
                continue
            array = np.asarray(value)
            if array.shape != p.shape:
                raise ValueError(
                    f"the {name} of parameter {key} has shape {array.shape}; the parameter "
                    f"has shape {p.shape}"
                )
            if array.dtype.kind not in "fiu":
                raise ValueError(f"the {name} of parameter {key} is not numeric ({array.dtype})")
            out[name] = array.astype(p.dtype, copy=True)
        return out

    _state_keys: tuple[str, ...] = ()

    def _all_params(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k, v in group.items():
                if k != "params":
                    lines.append(f"    {k}: {v}")
        return "\n".join(lines) + "\n)"


def _check_number(name: str, value: Any, low: float, high: float | None = None) -> None:
    """Raise unless `low <= value` (and `value < high` when given)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or (high is not None and value >= high):
        bound = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and Nesterov momentum.

    With g = p.grad + weight_decay * p, each step does (PyTorch's formulation):

        buf = g                                          on the first step
        buf = momentum * buf + (1 - dampening) * g       afterwards
        d = g + momentum * buf  if nesterov,  else  d = buf     (d = g when momentum == 0)
        p = p - lr * d
    """

    _state_keys = ("momentum_buffer",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
        )
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        _check_number("momentum", group["momentum"], 0.0)
        _check_number("dampening", group["dampening"], 0.0)
        _check_number("weight_decay", group["weight_decay"], 0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "nesterov momentum needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update(self, p: Tensor, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd != 0:
            g = g + wd * p.data
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = np.array(g, dtype=p.dtype)
            else:  # in place: no new big arrays each step
                buf *= momentum
                buf += g if group["dampening"] == 0 else (1 - group["dampening"]) * g
            state["momentum_buffer"] = buf
            g = g + momentum * buf if group["nesterov"] else buf
        p.data -= (lr * g).astype(p.dtype, copy=False)


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's bias corrections; `step` counts per parameter.

    With g = p.grad + weight_decay * p (L2 penalty folded into the gradient):

        step += 1
        exp_avg    = beta1 * exp_avg    + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**step) * exp_avg
                / (sqrt(exp_avg_sq) / sqrt(1 - beta2**step) + eps)
    """

    _state_keys = ("step", "exp_avg", "exp_avg_sq")
    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check(self, group: dict[str, Any]) -> None:
        super()._check(group)
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check_number("betas[0]", betas[0], 0.0, 1.0)
        _check_number("betas[1]", betas[1], 0.0, 1.0)
        _check_number("eps", group["eps"], 0.0)
        _check_number("weight_decay", group["weight_decay"], 0.0)

    def _update(self, p: Tensor, g: np.ndarray, state: dict[str, Any], group: dict) -> None:
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        if wd != 0:
            if self._decoupled:
                p.data *= 1 - lr * wd  # AdamW: decay the weights, not the gradient
            else:
                g = g + wd * p.data
        state["step"] += 1
        step = state["step"]
        m = beta1 * state["exp_avg"] + (1 - beta1) * g
        v = beta2 * state["exp_avg_sq"] + (1 - beta2) * (g * g)
        # m and v are fresh arrays: astype copies only when p is not in their dtype
        state["exp_avg"] = m.astype(p.dtype, copy=False)
        state["exp_avg_sq"] = v.astype(p.dtype, copy=False)
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(state["exp_avg_sq"]) / math.sqrt(1 - beta2**step) + eps
        p.data -= (step_size * state["exp_avg"] / denom).astype(p.dtype, copy=False)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as in PyTorch.

    Each step first shrinks the weights, `p = p - lr * weight_decay * p`, then does the
    Adam update above with the plain gradient (no decay folded into it).
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
