"""Rights cannot be stepped around: a static look at the package.

- Every public store function that writes (opens `write_conn`) takes the `actor` doing it,
  except the few writes that are the program's own (the listed ones, each with why).
- Only the demo's seeding makes a `system(...)` actor (every right, no login maps to it):
  no screen, command or export can.
- The identity comes from the account, never from the environment: no `getpass.getuser`
  (which reads $USER and $LOGNAME) outside the fallback in floorsup/config.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "floorsup"

# Store writes that are not a person's: why each needs no actor.
NOT_A_PERSONS_WRITE = {
    ("coaching.py", "save_draft"): "a writer's own unsent draft, keyed by their login",
    ("coaching.py", "delete_draft"): "the same draft, thrown away",
    ("adherence_days.py", "store_days"): "the adherence day cache, recomputed from the rest",
    ("adherence_days.py", "ensure_days"): "the same cache, filled on first read",
}
SYSTEM_ACTOR_ALLOWED = {"demo.py"}


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)]


def _calls(node: ast.AST, name: str) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            if (isinstance(f, ast.Name) and f.id == name) or (
                isinstance(f, ast.Attribute) and f.attr == name
            ):
                return True
    return False


def test_every_store_write_takes_an_actor() -> None:
    missing = []
    for path in sorted((PACKAGE / "store").glob("*.py")):
        if path.name in ("engine.py", "backup.py", "sql.py"):
            continue  # the database itself: opening, migrating, copying, checking
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in _functions(tree):
            if fn.name.startswith("_") or not _calls(fn, "write_conn"):
                continue
            args = {a.arg for a in (*fn.args.args, *fn.args.kwonlyargs)}
            if "actor" not in args and (path.name, fn.name) not in NOT_A_PERSONS_WRITE:
                missing.append(f"floorsup/store/{path.name}: {fn.name}()")
    assert not missing, "store writes without an actor (rights unchecked): " + ", ".join(missing)


def test_store_writes_check_the_actor_they_take() -> None:
    """Taking an actor is not enough: each such write calls a rights check (`require`,
    `require_team` or a helper that does) or hands the actor to one that does."""
    unchecked = []
    for path in sorted((PACKAGE / "store").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in _functions(tree):
            args = {a.arg for a in fn.args.kwonlyargs}
            if fn.name.startswith("_") or "actor" not in args:
                continue
            checks = any(
                _calls(fn, name)
                for name in ("require", "require_team", "_may_write", "_writer", "_check_common")
            )
            if not checks:
                unchecked.append(f"{path.name}: {fn.name}()")
    assert not unchecked, unchecked


def test_only_the_demo_makes_a_system_actor() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "store/access.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _calls(tree, "system") and rel not in SYSTEM_ACTOR_ALLOWED:
            found.append(rel)
    assert not found, f"a system actor made outside the demo's seeding: {found}"


def test_identity_is_never_read_from_the_environment() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel != "config.py" and ("getuser" in text or "LOGNAME" in text):
            found.append(rel)
    assert not found, found
