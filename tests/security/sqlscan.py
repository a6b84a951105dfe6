"""A static look at every SQL text floorsup builds: is it made only of constants?

`scan(root)` walks the package with `ast` and finds each call that runs SQL text: the
helpers of floorsup/store/sql.py (fetchall, execute, executemany, bulk_insert), SQLAlchemy's
text(), exec_driver_sql(), and .execute()/.executemany() on anything (a DB-API cursor, a
Connection). The SQL argument is then followed back: through f-strings, `+`, `%`, `*`,
.format(), str.join, conditional expressions, local variables (every assignment to them,
and every .append/.extend/+= on a list of fragments), comprehension variables, module
constants (also across `from floorsup... import`) and subscripts of constant dicts. What
each piece comes down to must be a literal, `len(...)`, or `int(...)` (a number carries no
SQL syntax). Anything else is a finding: the call's place and the expression that is not
a constant, unless `ALLOWED` holds that exact (file, function, expression) with a reason.

An expression that is not a string at all (select(), insert(), a table object) is not SQL
text and is skipped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

HELPERS = {"fetchall", "execute", "executemany", "bulk_insert"}  # (conn, sql, ...) in sql.py
SQL_MODULE = "floorsup.store.sql"
STR_METHODS = {"replace", "strip", "lstrip", "rstrip", "upper", "lower", "removesuffix"}
NUMERIC_CALLS = {"len", "int"}


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the package's parent, e.g. floorsup/store/coaching.py
    function: str  # the enclosing function's qualified name, or <module>
    line: int
    call: str  # the call that runs the SQL, e.g. fetchall
    expr: str  # ast.unparse of the piece that is not a constant
    why: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.function, self.expr)

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line} in {self.function}(): the SQL given to {self.call}() "
            f"interpolates `{self.expr}`, {self.why}. Bind it as a ? parameter, or (if it "
            "truly cannot carry user text) allow-list it in tests/security/test_sql_static.py "
            "ALLOWED with the reason"
        )


class _Module:
    def __init__(self, name: str, path: Path, tree: ast.Module) -> None:
        self.name = name
        self.path = path
        self.tree = tree
        self.constants: dict[str, list[ast.expr]] = {}
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        self.module_aliases: dict[str, str] = {}  # local name -> module
        self.sqlalchemy_text: set[str] = {"text"} if False else set()
        self.sqlalchemy_aliases: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.constants.setdefault(t.id, []).append(node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    self.constants.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    local = a.asname or a.name
                    self.imports[local] = (node.module, a.name)
                    if node.module.startswith("sqlalchemy") and a.name == "text":
                        self.sqlalchemy_text.add(local)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    local = a.asname or a.name.split(".")[0]
                    self.module_aliases[local] = a.name
                    if a.name.startswith("sqlalchemy"):
                        self.sqlalchemy_aliases.add(local)
        # imports inside functions (floorsup imports lazily in places)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node not in tree.body:
                for a in node.names:
                    local = a.asname or a.name
                    self.imports.setdefault(local, (node.module, a.name))
                    if node.module.startswith("sqlalchemy") and a.name == "text":
                        self.sqlalchemy_text.add(local)


@dataclass
class _Scope:
    module: _Module
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    comprehension: dict[str, ast.expr]


class Scanner:
    def __init__(self, root: Path) -> None:
        self.root = root  # the package directory, e.g. .../floorsup
        self.modules: dict[str, _Module] = {}
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root.parent).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            self.modules[name] = _Module(name, path, tree)
        self.calls_checked = 0

    # -- finding the calls ------------------------------------------------------------------

    def _sql_arg(self, mod: _Module, call: ast.Call) -> tuple[str, ast.expr | None] | None:
        """(the call's name, its SQL argument) when `call` runs SQL text, else None."""
        f = call.func

        def arg(i: int, *names: str) -> ast.expr | None:
            if len(call.args) > i and not isinstance(call.args[i], ast.Starred):
                return call.args[i]
            for kw in call.keywords:
                if kw.arg in names:
                    return kw.value
            return None

        if isinstance(f, ast.Name):
            if f.id in HELPERS and (
                mod.imports.get(f.id, ("", ""))[0] == SQL_MODULE
                or (mod.name == SQL_MODULE and f.id in mod.constants | _defs(mod))
            ):
                return f.id, arg(1, "sql")
            if f.id in mod.sqlalchemy_text:
                return "text", arg(0, "text")
            return None
        if isinstance(f, ast.Attribute):
            owner = f.value
            owner_module = None
            if isinstance(owner, ast.Name):
                owner_module = mod.module_aliases.get(owner.id) or (
                    ".".join(mod.imports[owner.id]) if owner.id in mod.imports else None
                )
            if owner_module == SQL_MODULE and f.attr in HELPERS:
                return f.attr, arg(1, "sql")
            if (
                f.attr == "text"
                and isinstance(owner, ast.Name)
                and (
                    owner.id in mod.sqlalchemy_aliases
                    or (owner_module or "").startswith("sqlalchemy")
                )
            ):
                return "text", arg(0, "text")
            if f.attr in ("execute", "executemany", "exec_driver_sql", "executescript"):
                return f.attr, arg(0, "statement", "sql", "sql_script")
        return None

    def scan(self) -> list[Finding]:
        out: list[Finding] = []
        for mod in self.modules.values():
            for func, node in _calls(mod.tree):
                got = self._sql_arg(mod, node)
                if got is None or got[1] is None:
                    continue
                name, sql = got
                self.calls_checked += 1
                scope = _Scope(mod, func, {})
                for bad, why in self._unsafe(sql, scope, set(), top=True):
                    out.append(
                        Finding(
                            str(mod.path.relative_to(self.root.parent)),
                            _qualname(mod.tree, func),
                            node.lineno,
                            name,
                            ast.unparse(bad),
                            why,
                        )
                    )
        return out

    # -- following an expression back ------------------------------------------------------

    def _unsafe(
        self, e: ast.expr, scope: _Scope, seen: set[tuple[str, int]], top: bool = False
    ) -> list[tuple[ast.expr, str]]:
        key = (scope.module.name, id(e))
        if key in seen:
            return []
        seen = seen | {key}
        go = self._unsafe
        if isinstance(e, ast.Constant):
            return []
        if isinstance(e, ast.JoinedStr):
            return [b for v in e.values for b in go(v, scope, seen)]
        if isinstance(e, ast.FormattedValue):
            return go(e.value, scope, seen)
        if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Mod, ast.Mult)):
            return go(e.left, scope, seen) + go(e.right, scope, seen)
        if isinstance(e, ast.IfExp):
            return go(e.body, scope, seen) + go(e.orelse, scope, seen)
        if isinstance(e, ast.BoolOp):
            return [b for v in e.values for b in go(v, scope, seen)]
        if isinstance(e, (ast.Tuple, ast.List, ast.Set)):
            return [b for x in e.elts for b in go(x, scope, seen)]
        if isinstance(e, ast.Dict):
            return [b for x in e.values for b in go(x, scope, seen)]
        if isinstance(e, ast.Subscript):
            return go(e.value, scope, seen)  # a fixed container: any key gives a constant
        if isinstance(e, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            inner = _Scope(scope.module, scope.function, dict(scope.comprehension))
            for gen in e.generators:
                for name in _names(gen.target):
                    inner.comprehension[name] = gen.iter
            return go(e.elt, inner, seen)
        if isinstance(e, ast.Call):
            return self._unsafe_call(e, scope, seen, top)
        if isinstance(e, ast.Name):
            return self._unsafe_name(e, scope, seen)
        return [(e, "which is not a constant")]

    def _unsafe_call(
        self, e: ast.Call, scope: _Scope, seen: set[tuple[str, int]], top: bool
    ) -> list[tuple[ast.expr, str]]:
        f = e.func
        go = self._unsafe
        if isinstance(f, ast.Name) and f.id in NUMERIC_CALLS:
            return []  # a number: no SQL syntax in it
        if isinstance(f, ast.Attribute) and f.attr == "join" and len(e.args) == 1:
            return go(f.value, scope, seen) + go(e.args[0], scope, seen)
        if isinstance(f, ast.Attribute) and (f.attr == "format" or f.attr in STR_METHODS):
            return (
                go(f.value, scope, seen)
                + [b for a in e.args for b in go(a, scope, seen)]
                + [b for k in e.keywords for b in go(k.value, scope, seen)]
            )
        if isinstance(f, ast.Name) and f.id in scope.module.sqlalchemy_text:
            return []  # text(...) is a call of its own, checked where it is made
        if top and not _may_be_text(f):
            return []  # select(), insert(), a table's .insert(): not SQL text
        return [(e, "the result of a call, not a constant")]

    def _unsafe_name(
        self, e: ast.Name, scope: _Scope, seen: set[tuple[str, int]]
    ) -> list[tuple[ast.expr, str]]:
        go = self._unsafe
        if e.id in scope.comprehension:
            return go(scope.comprehension[e.id], scope, seen)
        func = scope.function
        if func is not None:
            if e.id in _params(func):
                return [(e, "a parameter of the function (whatever its caller passes)")]
            values = _local_values(func, e.id)
            if values is not None:
                out: list[tuple[ast.expr, str]] = []
                for v in values:
                    if v is None:
                        out.append((e, "a variable bound in a way this check cannot follow"))
                    else:
                        out += go(v, scope, seen)
                return out
            # A closure: the enclosing function's locals.
            outer = _enclosing(scope.module.tree, func)
            if outer is not None:
                return go(e, _Scope(scope.module, outer, scope.comprehension), seen)
        mod = scope.module
        if e.id in mod.constants:
            top_scope = _Scope(mod, None, {})
            return [b for v in mod.constants[e.id] for b in go(v, top_scope, seen)]
        if e.id in mod.imports:
            src, name = mod.imports[e.id]
            other = self.modules.get(src)
            if other is not None and name in other.constants:
                return go(ast.Name(id=name), _Scope(other, None, {}), seen)
        return [(e, "a name that is not a module constant")]


def _defs(mod: _Module) -> dict[str, object]:
    return {n.name: n for n in mod.tree.body if isinstance(n, ast.FunctionDef)}


def _may_be_text(f: ast.expr) -> bool:
    """A call that could return SQL text: a name starting with `_` or containing `sql`."""
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    return "sql" in name.lower() or name.startswith("_")


def _names(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    a = func.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return set(names)


def _own_nodes(func: ast.AST) -> list[ast.AST]:
    """The nodes of a function's body, not those of functions defined inside it."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        n = stack.pop()
        out.append(n)
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(n))
    return out


def _local_values(
    func: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> list[ast.expr | None] | None:
    """Every value `name` gets in `func` (None for a binding we cannot follow), or None
    when `name` is not bound in `func` at all."""
    values: list[ast.expr | None] = []
    bound = False
    for n in _own_nodes(func):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if name in _names(t):
                    bound = True
                    values += _project([n.value], _path(t, name))
        elif isinstance(n, (ast.AnnAssign, ast.AugAssign)) and isinstance(n.target, ast.Name):
            if n.target.id == name:
                bound = True
                values.append(n.value)
        elif isinstance(n, ast.NamedExpr) and n.target.id == name:
            bound = True
            values.append(n.value)
        elif isinstance(n, (ast.For, ast.AsyncFor)) and name in _names(n.target):
            bound = True
            values += _project(_elements(func, n.iter), _path(n.target, name))
        elif isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if item.optional_vars is not None and name in _names(item.optional_vars):
                    bound = True
                    values.append(None)
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == name
            and n.func.attr in ("append", "extend", "insert")
        ) and n.args:  # the list's items: append(x) / insert(i, x) as [x]; extend(xs)
            last = n.args[-1]
            values.append(last if n.func.attr == "extend" else ast.List([last], ast.Load()))
    return values if bound else None


def _path(target: ast.expr, name: str) -> list[int] | None:
    """Where `name` sits in an assignment target: [] for the name itself, [1] for the
    second of a tuple, [0, 1] nested...; None for anything else (a starred name...)."""
    if isinstance(target, ast.Name):
        return [] if target.id == name else None
    if isinstance(target, (ast.Tuple, ast.List)):
        for i, t in enumerate(target.elts):
            sub = _path(t, name)
            if sub is not None:
                return [i, *sub]
    return None


def _project(values: list[ast.expr | None], path: list[int] | None) -> list[ast.expr | None]:
    """The parts of `values` at `path` (through tuples and conditional expressions)."""
    if path is None:
        return [None]
    out: list[ast.expr | None] = []
    for v in values:
        if not path or v is None:
            out.append(v)
        elif isinstance(v, ast.IfExp):
            out += _project([v.body, v.orelse], path)
        elif isinstance(v, (ast.Tuple, ast.List)) and len(v.elts) > path[0]:
            out += _project([v.elts[path[0]]], path[1:])
        else:
            out.append(None)
    return out


def _elements(func: ast.FunctionDef | ast.AsyncFunctionDef, it: ast.expr) -> list[ast.expr | None]:
    """What a `for` loop over `it` can bind: a literal's items, or a local list's items
    (its literal and every .append/.extend/+= on it)."""
    if isinstance(it, (ast.Tuple, ast.List, ast.Set)):
        return list(it.elts)
    if isinstance(it, ast.Name):
        values = _local_values(func, it.id)
        if values is not None:
            out: list[ast.expr | None] = []
            for v in values:
                out += _elements(func, v) if v is not None else [None]
            return out
    return [None]


def _calls(
    tree: ast.Module,
) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, ast.Call]]:
    out: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, ast.Call]] = []

    def visit(node: ast.AST, func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child)
                continue
            if isinstance(child, ast.Call):
                out.append((func, child))
            visit(child, func)

    visit(tree, None)
    return out


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}


def _enclosing(
    tree: ast.Module, func: ast.FunctionDef | ast.AsyncFunctionDef
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    parents = _parents(tree)
    n = parents.get(func)
    while n is not None:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return n
        n = parents.get(n)
    return None


def _qualname(tree: ast.Module, func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> str:
    if func is None:
        return "<module>"
    parents = _parents(tree)
    names = [func.name]
    n = parents.get(func)
    while n is not None:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(n.name)
        n = parents.get(n)
    return ".".join(reversed(names))
