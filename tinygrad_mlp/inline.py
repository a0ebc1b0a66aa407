"""The replay written out: a tape as one straight-line Python function (`tape.code`).

A replay that calls a closure per step still pays, for every primitive, a Python call, a
context object, `save_for_backward` and the flags of `needs_input_grad`. Here the tape
becomes source code instead, as a tracing JIT emits it: each primitive's own `forward` or
`backward` is read (`inspect.getsource`) and its body is pasted in, with

- its arguments replaced by the slots they came from (`S[7]`, which compile.py makes the
  function's locals, `s7`) or the constants traced;
- `ctx.save_for_backward(a, b)` made into locals (`c12_0 = ...`) that its backward step
  reads in place of `ctx.saved_tensors`, and `ctx.needs_input_grad` into the traced flags
  (`g * b if False else None` is then just `None`, and an unneeded gradient is not made);
- its other names renamed per step (`_5_out`) and deleted after it;
- `return` made into stores of the result in its slot, through the broadcasting reductions
  decided at trace time.

What the traced shapes decide is folded, as a tracing JIT specialises on them: a slot's
`.shape`, `.size`, `.ndim` and `.dtype` are constants (a tape replays only on the shapes
and dtypes it was traced with), and so are tests and arithmetic of constants and calls of
the shape helpers the caller names pure (`_kept_shape((4, 4), (0,))` is `(1, 4)`); a local
or a saved value that is a constant is replaced by it.

It is the same code on the same arrays, so the same NumPy calls and the same bits, without
the Python around them. A body with anything else (a branch, a loop, an attribute set on
the context) is not pasted: its step calls its closure (`R5(S, A)`), as do the steps that
write into kept buffers; a pasted forward whose backward is such a closure makes the
context object it reads. Effects are called by name (compile.py writes those lines). The
function's source is registered with `linecache`, so an error inside a replay points at
its line.
"""

from __future__ import annotations

import ast
import builtins
import collections
import copy
import functools
import inspect
import itertools
import keyword
import linecache
import math
import re
import textwrap
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

_SAVED = ("saved_tensors", "saved")
_numbers = itertools.count()


class _Body:
    """A primitive's method whose body can be pasted: simple assignments and
    `ctx.save_for_backward(...)` calls, then one `return`."""

    def __init__(self, fn: Callable, fdef: ast.FunctionDef) -> None:
        self.fn = fn
        self.params = [a.arg for a in fdef.args.args]
        body = fdef.body
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        self.stmts, self.ret = body[:-1], body[-1].value
        saves = [s for s in self.stmts if isinstance(s, ast.Expr)]
        self.saves = len(saves[0].value.args) if saves else 0  # how many it saves
        self.stores = collections.Counter(  # how many times each local is assigned
            n.id for s in self.stmts for n in ast.walk(s) if isinstance(n, ast.Name) and _stored(n)
        )
        self.assigned = set(self.stores)

    def assigned_once(self, name: str) -> bool:
        """Is `name` assigned by one statement only (and is not a parameter)?"""
        return self.stores[name] == 1 and name not in self.params


def _stored(n: ast.Name) -> bool:
    return isinstance(n.ctx, ast.Store)


@functools.cache
def body_of(fn: Callable) -> _Body | None:
    """The parsed body of `fn`, or None if it is not one that can be pasted."""
    try:
        fdef = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(fdef, ast.FunctionDef) or fdef.decorator_list:
        return None
    a = fdef.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults or not a.args:
        return None
    body = fdef.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return None
    ctx = a.args[0].arg
    if sum(isinstance(s, ast.Expr) for s in body[:-1]) > 1:
        return None  # one save_for_backward at most
    for s in body[:-1]:
        if isinstance(s, ast.Assign):
            if len(s.targets) != 1 or not _names(s.targets[0]):
                return None
        elif not _is_save(s, ctx):
            return None
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, _UNSAFE):
            return None
        if isinstance(node, ast.Name) and node.id == ctx and not _ctx_ok(node, body, ctx):
            return None
        if isinstance(node, ast.Return) and node is not body[-1]:
            return None
    return _Body(fn, fdef)


# what a pasted body may not hold: its own scopes, control flow, await and walrus
_UNSAFE = (
    ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr,
    ast.Yield, ast.YieldFrom, ast.Await, ast.If, ast.For, ast.While, ast.With, ast.Try,
    ast.FunctionDef, ast.ClassDef, ast.Starred, ast.Global, ast.Nonlocal, ast.Delete,
)  # fmt: skip


def _names(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts)


def _is_save(s: ast.stmt, ctx: str) -> bool:
    return (
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Attribute)
        and isinstance(s.value.func.value, ast.Name)
        and s.value.func.value.id == ctx
        and s.value.func.attr == "save_for_backward"
        and not s.value.keywords
    )


def _ctx_ok(node: ast.Name, body: list, ctx: str) -> bool:
    """`ctx` appears only as `ctx.<attribute>` read (never stored, passed or assigned)."""
    for parent in ast.walk(ast.Module(body=body, type_ignores=[])):
        for child in ast.iter_child_nodes(parent):
            if child is node:
                return isinstance(parent, ast.Attribute) and isinstance(parent.ctx, ast.Load)
    return False


# the names of the function's own locals: a pasted body's (`_5_out`), a saved value's
# (`_c12_0`), the writer's (`_r`, `_r0`, `_g`, `_t`, `_d`, `_lr`) and the slots' (`s7`)
_LOCAL = re.compile(r"_(\d.*|c\d.*|r\d*|g\d*|t|d|lr)|s\d+")


class Writer:
    """Writes one tape's function: `comment`, `line`, `call` or `paste` for each step, then
    `build()`."""

    def __init__(self, shapes: dict | None = None, pure: tuple = ()) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"_ndarray": np.ndarray, "_asarray": np.asarray}
        self.ids: dict[int, str] = {}
        self.shapes = shapes or {}  # slot -> (shape, dtype), fixed for every replay
        self.pure = {id(f) for f in pure}  # helpers of shapes that may be folded
        self.known: dict[str, ast.expr] = {}  # saved locals that hold a constant

    # ------------------------------------------------------------------ names
    def constant(self, v: Any) -> ast.expr:
        """A traced constant: a literal if it reads back as the same object's value and type,
        else a global of the function bound to the object itself."""
        if _literal(v) or _literal_tuple(v):
            return ast.Constant(v)
        return ast.Name(self.bind(v, "K"), ast.Load())

    def bind(self, obj: Any, prefix: str, name: str | None = None) -> str:
        key = id(obj)
        if key in self.ids:
            return self.ids[key]
        if (
            name is None
            or not name.isidentifier()
            or keyword.iskeyword(name)
            or name in self.names
            or name in ("S", "A")
            or _LOCAL.fullmatch(name)
        ):
            name = f"{prefix}{len(self.ids)}"
        self.ids[key] = name
        self.names[name] = obj
        return name

    # ------------------------------------------------------------------ lines
    def comment(self, text: str) -> None:
        self.lines.append(f"# {text}")

    def call(self, name: str, run: Callable) -> None:
        self.lines.append(f"{self.bind(run, 'R', name)}(S, A)")

    def line(self, text: str) -> None:
        self.lines.append(text)

    def paste(
        self,
        op: type,
        body: _Body,
        key: str,
        args: list[ast.expr],
        needs: tuple | None,
        saved_in: list[str] | ast.expr | None,
        saved_out: str | None,
    ) -> tuple[list[str], Any, list[str]] | None:
        """Paste `body` (a method of `op`) with its parameters after ctx bound to `args`:
        its statements, its returned expression (a list for a tuple) and its renamed
        locals, or None if it cannot be pasted. `saved_in`: the locals (or an expression)
        that stand for ctx.saved_tensors; `saved_out`: the prefix of the locals
        save_for_backward writes (None: nothing reads them, drop the call)."""
        ctx, params = body.params[0], body.params[1:]
        if len(args) != len(params):
            return None
        fn_globals = body.fn.__globals__
        subst: dict[str, ast.expr] = {}
        local: dict[str, str] = {}
        out: list[str] = []
        for p, a in zip(params, args):
            if p in body.assigned:
                local[p] = f"_{key}_{p}"
                out.append(f"{local[p]} = {ast.unparse(a)}")
            else:
                subst[p] = a
        for name in sorted(body.assigned - set(params)):
            local[name] = f"_{key}_{name}"
        outer = self

        class Paste(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.expr:
                if node.id in subst:
                    return subst[node.id]
                if node.id in local:
                    return ast.Name(local[node.id], node.ctx)
                if node.id in fn_globals:
                    return ast.Name(outer.bind(fn_globals[node.id], "G", node.id), ast.Load())
                if hasattr(builtins, node.id):
                    return node
                raise _NotPasted(node.id)

            def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
                if not _is_ctx(node, ctx):
                    node = self.generic_visit(node)
                    return outer.fact(node) if isinstance(node, ast.Attribute) else node
                if node.attr == "needs_input_grad":
                    if needs is None:
                        raise _NotPasted(node.attr)  # forward: not known yet
                    return ast.Constant(needs)
                if node.attr in _SAVED:
                    raise _NotPasted(node.attr)  # only in `a, b = ctx.saved_tensors`
                attr = getattr(op, node.attr)  # a class attribute (Maximum's pick)
                return ast.Name(outer.bind(attr, "G", node.attr), ast.Load())

            def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
                node = self.generic_visit(node)
                if isinstance(node.test, ast.Constant):
                    return node.body if node.test.value else node.orelse
                return node

            def generic_visit(self, node: ast.AST) -> ast.AST:
                return outer.folded(super().generic_visit(node))

        def code(node: ast.AST) -> str:
            return ast.unparse(Paste().visit(copy.deepcopy(node)))

        try:
            for s in body.stmts:
                if isinstance(s, ast.Expr):  # ctx.save_for_backward(...)
                    for j, v in enumerate(s.value.args) if saved_out is not None else ():
                        value = Paste().visit(copy.deepcopy(v))
                        if isinstance(value, ast.Constant):  # a shape, an axis, a count:
                            self.known[f"{saved_out}_{j}"] = value  # its backward reads it
                        else:
                            out.append(f"{saved_out}_{j} = {ast.unparse(value)}")
                    continue
                target, value = s.targets[0], s.value
                if isinstance(value, ast.Attribute) and _is_ctx(value, ctx):
                    names = _target_names(target)
                    if value.attr == "needs_input_grad" and needs is not None:
                        if not isinstance(target, ast.Tuple) or len(names) != len(needs):
                            return None
                        for n, flag in zip(names, needs):
                            subst[n] = ast.Constant(flag)
                            local.pop(n)
                    elif value.attr in _SAVED and isinstance(saved_in, list):
                        if not isinstance(target, ast.Tuple) or len(names) != len(saved_in):
                            return None
                        for n, v in zip(names, saved_in):
                            subst[n] = self.known.get(v) or ast.Name(v, ast.Load())
                            local.pop(n)
                    elif value.attr in _SAVED and saved_in is not None:
                        out.append(f"{code(target)} = {ast.unparse(saved_in)}")
                    else:
                        return None
                    continue
                value = Paste().visit(copy.deepcopy(value))
                if (
                    isinstance(target, ast.Name)
                    and isinstance(value, ast.Constant)
                    and body.assigned_once(target.id)
                ):  # a count, a flag, an exponent: the constant stands for the name
                    subst[target.id] = value
                    local.pop(target.id, None)
                    continue
                out.append(f"{code(target)} = {ast.unparse(value)}")
            ret = Paste().visit(copy.deepcopy(body.ret))
        except (_NotPasted, AttributeError):
            return None
        result = list(ret.elts) if isinstance(ret, ast.Tuple) else ret
        return out, result, sorted(local.values())

    def known_code(self, name: str) -> str:
        """A saved local's code: its constant if it holds one (never assigned), else it."""
        return ast.unparse(self.known[name]) if name in self.known else name

    # ------------------------------------------------------------------ folding
    def fact(self, node: ast.Attribute) -> ast.expr:
        """`S[k].shape`, `.size`, `.ndim`, `.dtype` of a slot as constants (a tape is
        replayed only on the shapes and dtypes it was traced with), and `.kind` (and other
        plain attributes) of a dtype constant."""
        v, attr = node.value, node.attr
        if (
            isinstance(v, ast.Subscript)
            and isinstance(v.value, ast.Name)
            and v.value.id == "S"
            and isinstance(v.slice, ast.Constant)
        ):
            shape, dtype = self.shapes.get(v.slice.value, (None, None))
            if dtype is None:
                return node
            if attr == "shape":
                return ast.Constant(tuple(shape))
            if attr == "ndim":
                return ast.Constant(len(shape))
            if attr == "size":
                return ast.Constant(math.prod(shape))
            if attr == "dtype":
                return ast.Name(self.bind(dtype, "K"), ast.Load())
        if isinstance(v, ast.Name) and isinstance(self.names.get(v.id), np.dtype):
            if attr in ("kind", "char", "itemsize", "name"):
                return ast.Constant(getattr(self.names[v.id], attr))
        return node

    def folded(self, node: ast.AST) -> ast.AST:
        """A comparison, test, arithmetic or pure helper's call of constants (`1.0 is None`,
        `type(-0.5) in (int, float)`, `_kept_shape((4, 4), (0,))`) replaced by its value,
        which Python would compute the same at every replay."""
        if not isinstance(node, ast.Compare | ast.BoolOp | ast.UnaryOp | ast.BinOp | ast.Call):
            return node
        env = dict(_PURE)
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                obj = self.names.get(n.id, _PURE.get(n.id))
                if id(obj) in self.pure:
                    env[n.id] = obj
                elif n.id not in _PURE or obj is not _PURE[n.id]:
                    return node  # not a builtin, or a global of that name bound instead
            if not isinstance(n, _CONSTANT_PARTS):
                return node
        tree = ast.fix_missing_locations(ast.Expression(copy.deepcopy(node)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)  # `1.0 is None` is what we fold
                code = compile(tree, "<fold>", "eval")
            value = eval(code, {"__builtins__": env})  # noqa: S307 - constants and pure helpers
        except Exception:  # noqa: BLE001 - left for the replay to compute (and raise)
            return node
        if _literal(value) or _literal_tuple(value):
            return ast.Constant(value)
        return node

    def build(self, label: str, signature: str = "replay(S, A)") -> tuple[Callable, str]:
        body = textwrap.indent("\n".join(self.lines) or "pass", "    ")
        source = f"def {signature}:\n{body}\n"
        filename = f"<tinygrad_mlp {label} {next(_numbers)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(self.names)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own source
        replay = namespace.pop(signature.split("(")[0])  # (not in its own globals: no cycle)
        # the source stays in linecache as long as the function lives, for tracebacks
        weakref.finalize(replay, linecache.cache.pop, filename, None)
        return replay, source


# what a test of constants may call while it is folded: pure, on Python values
_PURE = {"type": type, "isinstance": isinstance, "len": len, "int": int, "float": float}


_CONSTANT_PARTS = (
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Call, ast.Constant, ast.Tuple,
    ast.Name, ast.Load, ast.cmpop, ast.boolop, ast.unaryop, ast.operator,
)  # fmt: skip


class _NotPasted(Exception):
    pass


def _literal_tuple(v: Any) -> bool:
    return type(v) is tuple and all(map(_literal, v))


def _literal(v: Any) -> bool:
    if v is None or type(v) in (bool, int, str):
        return True
    return type(v) is float and math.isfinite(v)


def _is_ctx(node: ast.Attribute, ctx: str) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == ctx


def _target_names(t: ast.expr) -> list[str]:
    return [t.id] if isinstance(t, ast.Name) else [e.id for e in t.elts]
