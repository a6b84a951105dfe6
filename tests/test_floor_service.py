"""build_floor: the picture the floor screen shows, straight from the store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from floorsup.config import Settings
from floorsup.domain.types import AgentState
from floorsup.floor import FloorCache, build_floor
from floorsup.ingest.follow import QueueLogFeed

TZ = "UTC"
T0 = 1_795_420_800  # 2026-11-23 00:00 UTC


def _feed(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def _ingest(engine: Engine, path: Path) -> None:
    feed = QueueLogFeed(engine, path, tz=TZ)
    try:
        feed.run()
    finally:
        feed.close()


def test_agents_not_on_the_roster_show_under_their_acd_name(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    t = T0 + 9 * 3600
    _feed(
        path,
        [
            f"{t}|MANAGER|sales|PJSIP/7001|ADDMEMBER|",
            f"{t}|MANAGER|sales|PJSIP/7002|ADDMEMBER|",
            f"{t + 60}|NONE|NONE|PJSIP/7002|PAUSEALL|Lunch",
            f"{t + 100}|c1|sales|NONE|ENTERQUEUE||+15550100001|1",
            f"{t + 108}|c1|sales|PJSIP/7001|CONNECT|8|c1b|2",
        ],
    )
    _ingest(engine, path)
    settings = Settings(db="unused", tz=TZ)
    snap = build_floor(engine, settings, float(t + 200))
    by = {a.agent: a for a in snap.agents}
    assert set(by) == {"PJSIP/7001", "PJSIP/7002"}
    assert by["PJSIP/7001"].name == "PJSIP/7001" and by["PJSIP/7001"].staff_id is None
    assert by["PJSIP/7001"].state is AgentState.ON_CALL and by["PJSIP/7001"].queue == "sales"
    assert by["PJSIP/7002"].state is AgentState.PAUSED and by["PJSIP/7002"].reason == "Lunch"
    (sales,) = snap.queues
    assert (
        sales.info.name == "sales"
        and sales.today.answered == 1
        and sales.on_call == 1
        and sales.paused == 1
    )


def test_warm_cache_equals_a_cold_build(engine: Engine, tmp_path: Path) -> None:
    """The screen's cache reads only what changed; what it shows must equal a fresh read."""
    path = tmp_path / "queue_log"
    t = T0 + 10 * 3600
    _feed(
        path,
        [
            f"{t}|MANAGER|sales|PJSIP/7001|ADDMEMBER|",
            f"{t + 10}|c1|sales|NONE|ENTERQUEUE||+15550100001|1",
        ],
    )
    _ingest(engine, path)
    settings = Settings(db="unused", tz=TZ)
    cache = FloorCache()
    first = build_floor(engine, settings, float(t + 30), cache)
    assert first.queues[0].waiting == 1
    _feed(
        path,
        [
            f"{t + 40}|c1|sales|PJSIP/7001|CONNECT|30|c1b|1",
            f"{t + 50}|c2|sales|NONE|ENTERQUEUE||+15550100002|1",
            f"{t + 55}|c2|sales|NONE|ABANDON|1|1|5",
            f"{t + 200}|c1|sales|PJSIP/7001|COMPLETECALLER|30|160|1",
        ],
    )
    _ingest(engine, path)
    now = float(t + 300)
    warm = build_floor(engine, settings, now, cache)
    cold = build_floor(engine, settings, now)
    assert warm == cold
    today = warm.queues[0].today
    assert (today.offered, today.answered, today.abandoned, today.waiting) == (2, 1, 1, 0)
    assert today.aht_seconds == 160.0 and today.asa_seconds == 30.0


def test_a_cache_carried_through_a_morning_equals_cold_builds(
    engine: Engine, tmp_path: Path
) -> None:
    """The cache sums each finished call once and adds only the calls in progress; through a
    simulated morning fed in pieces (with late lines rewriting finished calls, a queue's
    target changed midway, and the clock stepped back as replay does) every refresh equals a
    build from nothing."""
    from floorsup.sim import FloorSimulator, demo_centre

    day = 1_795_150_800  # 2026-11-20 00:00 New York
    sim = FloorSimulator(demo_centre(), tz="America/New_York", day_start=day)
    lines: list[str] = []
    t = day + 8 * 3600
    while len(lines) < 3000:
        t += 300
        lines.extend(line.rstrip("\n") for line in sim.advance(t))
    stamps = [int(ln.split("|", 1)[0]) for ln in lines]
    settings = Settings(db="unused", tz="America/New_York")
    path = tmp_path / "queue_log"
    cache = FloorCache()
    step = max(len(lines) // 12, 1)
    held_back: list[str] = []
    checked = 0
    for k in range(0, len(lines), step):
        chunk = lines[k : k + step]
        if k and k % (3 * step) == 0:
            _feed(path, held_back)  # late lines: calls already summed are rewritten
            held_back = []
        held_back.extend(chunk[-5:])
        _feed(path, chunk[:-5])
        _ingest(engine, path)
        now = float(stamps[min(k + step, len(stamps)) - 1])
        if k == 6 * step:
            with engine.begin() as conn:
                conn.exec_driver_sql("UPDATE queue SET sl_target_seconds = 45")
        if k == 8 * step:  # a late line rewrites a call the cache has summed already
            before = cache.restarts
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "UPDATE call SET talk_seconds = talk_seconds + 7, "
                    "rev = (SELECT max(rev) + 1 FROM call) "
                    "WHERE rowid = (SELECT min(rowid) FROM call WHERE ended_at IS NOT NULL "
                    "AND talk_seconds IS NOT NULL)"
                )
            assert build_floor(engine, settings, now, cache) == build_floor(engine, settings, now)
            assert cache.restarts == before + 1
        for at in (now, now + 20.0, now - 900.0):  # later, then back (replay)
            assert build_floor(engine, settings, at, cache) == build_floor(engine, settings, at)
            checked += 1
    _feed(path, held_back)
    _ingest(engine, path)
    end = float(max(stamps))
    assert build_floor(engine, settings, end, cache) == build_floor(engine, settings, end)
    assert checked >= 30
