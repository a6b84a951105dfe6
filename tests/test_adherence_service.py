"""build_adherence: the live view's picture from the store; its span cache must never show
anything but what a fresh read would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from floorsup.adherence import ActualsCache, build_adherence
from floorsup.config import Settings
from floorsup.demo import build_demo_day
from floorsup.ingest.follow import QueueLogFeed
from floorsup.sim import FloorSimulator, demo_centre
from floorsup.store.engine import make_engine

TZ = "America/New_York"
DAY_START = dt.datetime(2026, 11, 20, tzinfo=ZoneInfo(TZ)).timestamp()


def test_warm_cache_equals_a_cold_read(tmp_path: Path) -> None:
    first = DAY_START + 10 * 3600
    db = build_demo_day(tmp_path, tz=TZ, day_start=DAY_START, until=first)
    engine = make_engine(f"sqlite:///{db}")
    settings = Settings(db=str(db), tz=TZ)
    cache = ActualsCache()
    before = build_adherence(engine, settings, first, cache=cache)
    assert before.rows and any(r.now.scheduled_activity for r in before.rows)
    # the floor moves on an hour: the feed grows and is ingested as a follower would
    sim = FloorSimulator(demo_centre(7), tz=TZ, day_start=DAY_START, seed=7)
    lines = sim.advance(first + 3600)
    feed_path = tmp_path / "queue_log"
    feed_path.write_text("".join(lines), encoding="utf-8")
    feed = QueueLogFeed(engine, feed_path, tz=TZ)
    try:
        feed.run()
    finally:
        feed.close()
    later = first + 3600
    warm = build_adherence(engine, settings, later, cache=cache)
    cold = build_adherence(engine, settings, later)
    assert warm == cold
    assert warm != before
    inn, out, severe, unscheduled = warm.counts()
    assert inn > out >= severe >= 0 and inn + out + unscheduled == len(warm.live_rows)
    engine.dispose()
