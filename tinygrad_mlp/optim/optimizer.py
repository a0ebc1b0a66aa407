"""The optimizer base class: parameter groups, checked all-or-nothing steps, saved state.

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for xb, yb in loader:
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

An optimizer holds `param_groups`: a list of dicts, each with its own "params" and its own
hyperparameters (anything a group leaves out comes from the constructor's arguments). The
dicts are live: a learning-rate scheduler, or you, may change `group["lr"]` between steps.
`state` maps each parameter to its running values (momentum buffer, Adam moments, step).

A step is not part of any graph. It first checks every gradient (a Tensor of the
parameter's shape and a floating dtype; a parameter whose `.grad` is None is skipped), and
only when all are right does it change anything: a bad gradient raises and leaves every
parameter and all the state as they were. Then it changes each parameter's `.data` in
place with NumPy, in the parameter's own dtype, always through `Optimizer._write`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd import effect, enable_grad, increment_version, watchers
from ..checks import check_flag, check_number
from ..tensor import Tensor

__all__ = ["Optimizer"]


class Optimizer:
    """The base class: parameter groups, `zero_grad`, `step`, and saving the state.

    A subclass passes its hyperparameters' defaults to `__init__` and implements:

    - `_check(group)`: raise ValueError for a bad hyperparameter (call super() first);
    - `_state_keys(group)`: the names of the per-parameter state its options keep;
    - `_step_group(group, params, grads)`: update the parameters of one group, given
      their gradients as arrays already checked and in each parameter's dtype (negated when
      the group has `maximize=True`: torch's gradient ascent, the rule run on -p.grad). It
      changes a parameter only by calling `self._write(p, delta)`;
    - `_numbers` (a class attribute, empty by default): the state entries that are one
      number per parameter rather than an array of its shape (NAdam's "mu_product").

    Every built-in optimizer takes torch's `maximize=False` and `foreach=None`, keyword-only
    (Adamax's, Adadelta's and ASGD's `foreach`, and ASGD's `maximize`, may also come by
    position, as in torch);
    `foreach` (None, False or True) chooses torch's implementation, not the result, so here
    it is checked and kept in the group but changes nothing.
    """

    # State entries that are one number per parameter (kept as a 0-d array of its dtype),
    # not an array of the parameter's shape; "step", an int, is not one of them.
    _numbers: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._param_groups: list[dict[str, Any]] = []
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
        if isinstance(params, set | frozenset):
            raise TypeError(_SET_MESSAGE)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group: a dict with "params" and any hyperparameters that differ.

        As in PyTorch, the dict itself joins `param_groups`, with its "params" made a list
        and the missing hyperparameters filled in from the defaults. A parameter that is
        already in a group is refused. Everything is checked before the dict is changed.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, set | frozenset):
            raise TypeError(_SET_MESSAGE)
        params = [params] if isinstance(params, Tensor) else list(params)
        where = f"group {len(self.param_groups)}"
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        mine: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but parameter {i} of {where} is "
                    f"a {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"optimizer can't optimize a non-leaf Tensor (parameter {i} of {where} "
                    f"was made by {p.grad_fn!r}); pass the leaves, e.g. model.parameters()"
                )
            if p.dtype.kind != "f":
                raise TypeError(
                    f"optimizer can only optimize floating point Tensors, but parameter {i} "
                    f"of {where} is {p.dtype}"
                )
            if id(p) in mine:
                raise ValueError(
                    f"parameter {i} of {where} appears more than once in that group; "
                    "list each parameter once"
                )
            if id(p) in seen:
                raise ValueError(
                    f"some parameters appear in more than one parameter group: parameter {i} "
                    f"of {where} (shape {p.shape}) is in an earlier group already, and a "
                    "parameter may belong to only one"
                )
            mine.add(id(p))
        full = {**param_group, "params": params}
        for key, default in self.defaults.items():
            full.setdefault(key, default)
        for key in _PAIRS:
            if isinstance(full.get(key), list | tuple):
                full[key] = tuple(full[key])
        self._check(full)
        # Checked: now the caller's dict becomes the group (PyTorch keeps it too).
        param_group.clear()
        param_group.update(full)
        self.param_groups.append(param_group)

    def _check(self, group: dict[str, Any]) -> None:
        check_number("lr", group["lr"], 0.0)
        if "maximize" in group:
            check_flag("maximize", group["maximize"])
        if "foreach" in group and group["foreach"] is not None:
            check_flag("foreach", group["foreach"])

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        """The entries a parameter's state holds under this group's options."""
        raise NotImplementedError

    @effect
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: set `.grad` to None, or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None  # (not `p.grad =`, itself an effect: this one is recorded)
                else:  # in place, as PyTorch: a tensor holding the gradient sees zeros
                    p.grad.zero_()

    # ------------------------------------------------------------------ the step
    @effect  # a compiled function (tinygrad_mlp.compile) calls the whole step again
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient. `closure`, if given, recomputes the
        loss (with gradients) first and its result is returned, as in PyTorch.

        All or nothing: every gradient is checked before any parameter or state changes.
        A gradient that is not a Tensor, has another shape than its parameter, or is not
        floating raises a ValueError (TypeError for a non-Tensor) naming the parameter.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        work = self._checked_grads()
        for group, (params, grads) in zip(self.param_groups, work):
            if params:
                self._step_group(group, params, grads)
        # the parameters changed in place: a graph that saved them must not be reused
        increment_version([p for params, _ in work for p in params])
        return loss

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        """The parameter groups: dicts of "params" and the hyperparameters ("lr", ...), as
        torch's. A read outside an effect (not by step() or zero_grad()) is told to the
        engine's watchers: a compiled function whose own Python reads them re-traces when
        they change, one that does not reads them live at each replay (tinygrad_mlp.compile)."""
        for watcher in watchers():
            watcher.read_hyperparameters(self)
        return self._param_groups

    @param_groups.setter
    def param_groups(self, groups: list[dict[str, Any]]) -> None:
        self._param_groups = groups

    def _plain_descent(self) -> bool:
        """Is step() `p.data -= lr * p.grad.data` for each parameter with a gradient? Then a
        compiled replay (tinygrad_mlp.compile) writes that update out instead of calling
        step(); SGD says when. Other optimizers: no, step() is called whole."""
        return False

    def _checked_grads(self) -> list[tuple[list[Tensor], list[np.ndarray]]]:
        """For each group, its parameters that have a gradient and those gradients' arrays
        (cast to the parameter's dtype); raises on the first bad gradient, changing nothing."""
        work = []
        for gi, group in enumerate(self.param_groups):
            params, grads = [], []
            ascend = group.get("maximize", False)
            for i, p in enumerate(group["params"]):
                grad = p._grad  # (a parameter is a leaf: no warning to give)
                if grad is None:
                    continue
                if not isinstance(grad, Tensor):
                    raise TypeError(
                        f"{type(self).__name__}.step(): parameter {i} of group {gi} (shape "
                        f"{p.shape}) has a .grad of type {type(grad).__name__}; expected None "
                        f"or a Tensor of shape {p.shape}. Nothing was updated."
                    )
                g = grad.data
                data = p.data
                if g.shape != data.shape or g.dtype is not data.dtype:
                    g = self._odd_grad(gi, i, p, g)
                params.append(p)
                grads.append(-g if ascend else g)
            work.append((params, grads))
        return work

    def _odd_grad(self, gi: int, i: int, p: Tensor, g: np.ndarray) -> np.ndarray:
        """A gradient whose shape or dtype differs from its parameter's: raise if it is wrong,
        else (a floating gradient of another precision) return it cast to the parameter's."""
        if g.shape != p.shape or g.dtype.kind != "f":
            raise ValueError(
                f"{type(self).__name__}.step(): parameter {i} of group {gi} has shape "
                f"{p.shape} but its .grad has shape {g.shape} and dtype {g.dtype}; expected a "
                f"floating gradient of shape {p.shape}, the parameter's own. Nothing was updated."
            )
        return g.astype(p.dtype)

    def _step_group(self, group: dict[str, Any], params: list[Tensor], grads: list) -> None:
        raise NotImplementedError

    @staticmethod
    def _weight_decay(p: Tensor, g: np.ndarray, lr: float, wd: float, decoupled: bool) -> tuple:
        """Weight decay wd != 0 for the Adam family: (g + wd * p, None), or, decoupled
        (AdamW's), (g, 1 - lr * wd), the factor `_write` scales the weights by."""
        return (g, 1 - lr * wd) if decoupled else (g + wd * p.data, None)

    def _write(self, p: Tensor, delta: np.ndarray, scale: float | None = None) -> None:
        """The one place a step changes a parameter: `p = p * scale - delta`, in place.

        `p.data` keeps its identity (the same array, changed in place), so views of it and
        the module holding `p` see the new values. `scale` (for decoupled weight decay) is
        applied first when given.
        """
        data = p.data
        if scale is not None:
            data *= scale
        data -= delta

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
        shapes); on a mismatch a ValueError says where, and nothing is changed. The group
        dicts stay the same objects (a scheduler holding them keeps working); their entries
        are replaced by the saved ones.
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
            # maximize, foreach (...) came later (in torch too): an older state_dict lacks them
            missing = set(self.defaults) - set(saved) - set(_LATER)
            if missing:
                raise ValueError(f"parameter group {gi} of the state_dict lacks {sorted(missing)}")
            new = {k: v for k, v in saved.items() if k != "params"}
            for key in _LATER:
                if key in self.defaults:
                    new.setdefault(key, self.defaults[key])
            for key in _PAIRS:
                if isinstance(new.get(key), list | tuple):
                    new[key] = tuple(new[key])
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
        group_of = {i: new for new, saved in zip(new_groups, saved_groups) for i in saved["params"]}
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):
            raise ValueError("the state_dict's 'state' must be a dict")
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, entry in saved_state.items():
            if isinstance(key, bool) or not isinstance(key, int) or key not in by_index:
                raise ValueError(f"the state_dict has state for an unknown parameter {key!r}")
            p = by_index[key]
            new_state[p] = self._checked_entry(key, entry, p, group_of[key])
        # Everything checked: change the optimizer, keeping each group dict's identity.
        for group, new in zip(self.param_groups, new_groups):
            group.clear()
            group.update(new)
        self.state = new_state

    def _checked_entry(self, key: int, entry: Any, p: Tensor, group: dict) -> dict[str, Any]:
        """Validate one parameter's saved state and return a private copy of it."""
        if not isinstance(entry, dict):
            raise ValueError(f"the state of parameter {key} must be a dict")
        expected = set(self._state_keys(group))
        if entry and set(entry) != expected:
            raise ValueError(
                f"the state of parameter {key} has entries {sorted(entry)}; "
                f"{type(self).__name__} with its group's options keeps {sorted(expected)}"
            )
        out: dict[str, Any] = {}
        for name, value in entry.items():
            if name == "step":
                if isinstance(value, bool) or not isinstance(value, int | np.integer):
                    raise ValueError(f"the step of parameter {key} must be an int, got {value!r}")
                if value < 0:
                    raise ValueError(f"the step of parameter {key} must be >= 0, got {value!r}")
                out[name] = int(value)
                continue
            array = np.asarray(value)
            if name in self._numbers:  # one number (NAdam's mu_product): a 0-d array
                if array.shape != () or array.dtype.kind not in "fiu":
                    raise ValueError(
                        f"the {name} of parameter {key} must be one number, got {value!r}"
                    )
                out[name] = array.astype(p.dtype, copy=True)
                continue
            if array.shape != p.shape:
                raise ValueError(
                    f"the {name} of parameter {key} has shape {array.shape}; the parameter "
                    f"has shape {p.shape}"
                )
            if array.dtype.kind not in "fiu":
                raise ValueError(f"the {name} of parameter {key} is not numeric ({array.dtype})")
            out[name] = array.astype(p.dtype, copy=True)
        return out

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


# options a state_dict saved before them may lack (Adam's decoupled_weight_decay came in
# torch 2.x and here on 2026-12-04)
_LATER = ("maximize", "foreach", "decoupled_weight_decay")

# hyperparameters that are pairs: a list given (or loaded) for one becomes a tuple
_PAIRS = ("betas", "etas", "step_sizes")

_SET_MESSAGE = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of "
    "tensors in sets changes between runs; pass a list instead"
)


def check_betas(group: dict[str, Any]) -> None:
    betas = group["betas"]
    if not isinstance(betas, tuple) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    check_number("betas[0]", betas[0], 0.0, 1.0)
    check_number("betas[1]", betas[1], 0.0, 1.0)
