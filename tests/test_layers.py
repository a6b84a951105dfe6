"""The layers are a rule: domain/ and store/ never import textual; domain/ never imports the
database layer; the UI never gets ORM objects (queries return frozen dataclasses)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from floorsup.floor import FloorSnapshot, QueueLine
from floorsup.store import queries

PKG = Path(__file__).resolve().parents[1] / "floorsup"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("domain", {"textual", "sqlmodel", "sqlalchemy", "sqlite3", "alembic"}),
        ("store", {"textual"}),
        ("ingest", {"textual"}),
        ("sim", {"textual", "sqlmodel", "sqlalchemy", "sqlite3"}),
    ],
)
def test_layer_imports(layer: str, forbidden: set[str]) -> None:
    files = sorted((PKG / layer).rglob("*.py"))
    assert files
    for path in files:
        bad = imported_modules(path) & forbidden
        assert not bad, f"{path.relative_to(PKG.parent)} imports {sorted(bad)}"


def test_domain_never_reads_the_clock() -> None:
    for path in sorted((PKG / "domain").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in ("time.time(", "datetime.now(", "pendulum.now(", "date.today("):
            assert call not in text, f"{path.name} reads the clock ({call})"


@pytest.mark.parametrize(
    "cls",
    [
        queries.QueueInfo,
        queries.AgentNow,
        queries.AgentDay,
        queries.SpanRow,
        FloorSnapshot,
        QueueLine,
    ],
)
def test_snapshots_are_frozen_dataclasses(cls: type) -> None:
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
