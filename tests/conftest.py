"""Fixtures shared by every test folder: a migrated SQLite database in a temp FILE (never
:memory:, so WAL, locking and reopening behave as in production) and the shared samples."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.store.engine import make_engine, upgrade

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples" / "queue_log"


@pytest.fixture
def engine_factory(tmp_path: Path) -> Iterator[Callable[[str], Engine]]:
    """`make(name)`: another migrated database file in this test's tmp_path (for tests that
    compare two runs). Every engine made is disposed of at the end of the test."""
    made: list[Engine] = []

    def make(name: str = "t.db") -> Engine:
        eng = make_engine(f"sqlite:///{tmp_path / name}")
        upgrade(eng)
        made.append(eng)
        return eng

    yield make
    for eng in made:
        eng.dispose()


@pytest.fixture
def engine(engine_factory: Callable[[str], Engine]) -> Engine:
    """A freshly migrated SQLite database file, `tmp_path / "t.db"`."""
    return engine_factory("t.db")


@pytest.fixture
def samples_dir() -> Path:
    """The shared real-world queue_log samples (outside the repository); skip without them."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"shared samples not found at {SAMPLES_DIR}")
    return SAMPLES_DIR
