"""Fixtures for the TUI tests: the demo centre's morning, frozen at 10:30.

A temp-FILE SQLite database (never :memory:) with the demo centre's roster and queue
targets, and the simulated queue_log of 2026-11-20 from local midnight to 10:30 New York
time ingested through the same follow path as a real feed. It is built once per session;
every test gets its own copy of the database and of the feed (so it can append lines to
the feed and ingest them where the checkpoint left off)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.clock import FixedClock
from floorsup.config import Settings
from floorsup.demo import build_demo_day
from floorsup.floor import FloorSnapshot, build_floor
from floorsup.ingest.follow import QueueLogFeed
from floorsup.store.access import Actor, system
from floorsup.store.engine import make_engine, write_conn
from floorsup.store.sql import execute
from floorsup.tui.app import FloorsupApp, make_app

TZ = "America/New_York"
DAY_START = datetime(2026, 11, 20, tzinfo=ZoneInfo(TZ)).timestamp()
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo(TZ)).timestamp()
SEED = 7


def _build(workdir: Path) -> None:
    build_demo_day(workdir, tz=TZ, day_start=DAY_START, until=NOW, seed=SEED, db_name="floor.db")


@pytest.fixture(scope="session")
def floor_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding the built database `floor.db` and its feed `queue_log`."""
    workdir = tmp_path_factory.mktemp("floor-template")
    _build(workdir)
    return workdir


@dataclass
class Floor:
    """One test's copy of the demo floor: its files, an engine, the app's clock/settings."""

    db: Path
    feed_path: Path
    engine: Engine
    clock: FixedClock
    settings: Settings

    def app(self, actor: Actor | None = None) -> FloorsupApp:
        """The app; by default as floorsup itself (every right: the screens' own tests),
        else as `actor` (tests/tui/test_rights_tui.py tries each role)."""
        return make_app(
            self.settings,
            engine=self.engine,
            clock=self.clock,
            actor=actor or system(self.settings.user),
        )

    def snapshot(self) -> FloorSnapshot:
        return build_floor(self.engine, self.settings, self.clock.now())

    def append(self, *lines: str) -> None:
        """Append queue_log lines to the feed and ingest them from the checkpoint on."""
        with open(self.feed_path, "a", encoding="utf-8") as fh:
            fh.writelines(line.rstrip("\n") + "\n" for line in lines)
        feed = QueueLogFeed(self.engine, self.feed_path, tz=TZ)
        try:
            feed.run()
        finally:
            feed.close()

    def write(self, sql: str, params: tuple = ()) -> None:  # type: ignore[type-arg]
        """One committed write, as another process would make it."""
        with write_conn(self.engine) as conn, conn.begin():
            execute(conn, sql, params)


def _copy_floor(template: Path, dest: Path, refresh_seconds: float) -> Floor:
    dest.mkdir(parents=True, exist_ok=True)
    for part in template.glob("floor.db*"):  # the -wal too, should one be left
        shutil.copy2(part, dest / part.name)
    shutil.copy2(template / "queue_log", dest / "queue_log")
    engine = make_engine(f"sqlite:///{dest / 'floor.db'}")
    floor = Floor(
        db=dest / "floor.db",
        feed_path=dest / "queue_log",
        engine=engine,
        clock=FixedClock(NOW),
        settings=Settings(
            db=str(dest / "floor.db"), tz=TZ, refresh_seconds=refresh_seconds, user="sam"
        ),
    )
    # the checkpoint names the template's feed: point it at this copy (same head, same offset)
    floor.write(
        "UPDATE ingest_source SET path = ? WHERE path = ?",
        (str(floor.feed_path.resolve()), str((template / "queue_log").resolve())),
    )
    return floor


@pytest.fixture
def floor(floor_template: Path, tmp_path: Path) -> Iterator[Floor]:
    """This test's copy of the floor; the app ticks fast (0.1 s) to keep the tests short."""
    f = _copy_floor(floor_template, tmp_path / "floor", refresh_seconds=0.1)
    yield f
    f.engine.dispose()


@pytest.fixture
def floor_default_tick(floor_template: Path, tmp_path: Path) -> Iterator[Floor]:
    """The same, with the default settings' refresh interval (for the SVG snapshot)."""
    f = _copy_floor(floor_template, tmp_path / "floor", refresh_seconds=Settings().refresh_seconds)
    yield f
    f.engine.dispose()


async def _wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


async def _settle(pilot, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Pump the app until two pictures 0.2 s apart are the same (bounded): for an SVG
    snapshot, so a slow machine's late layout, scrollbar or second paint is in it. The
    floor's clock is fixed, so its picture stops changing once everything has landed."""
    deadline = time.monotonic() + timeout
    before = pilot.app.export_screenshot()
    while True:
        await pilot.pause(0.2)
        after = pilot.app.export_screenshot()
        if after == before or time.monotonic() > deadline:
            return
        before = after


@pytest.fixture
def settle() -> Callable:  # type: ignore[type-arg]
    """`await settle(pilot)`: the app once its picture has stopped changing."""
    return _settle


@pytest.fixture
def wait_for() -> Callable:  # type: ignore[type-arg]
    """`await wait_for(pilot, condition)`: pump the app until condition() (bounded)."""
    return _wait_for


@pytest.fixture
def wait_for_floor() -> Callable:  # type: ignore[type-arg]
    """`screen = await wait_for_floor(pilot)`: the floor screen once its first fetch is in."""

    async def wait(pilot, timeout: float = 10.0):  # type: ignore[no-untyped-def]
        from floorsup.tui.screens.floor import FloorScreen

        def ready() -> bool:
            screen = pilot.app.screen
            return (
                isinstance(screen, FloorScreen)
                and screen.snapshot is not None
                # laid out at its real size (a busy machine can paint data before that)
                and getattr(screen, "_narrow", None) is not None
            )

        await _wait_for(pilot, ready, timeout)
        await pilot.pause()
        return pilot.app.screen

    return wait
