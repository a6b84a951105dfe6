"""Replay: the floor as of a past instant equals what the live floor showed at that instant.

One simulated morning is fed twice: into one database line by line up to each instant T
(the live floor at T, as the app saw it then), and whole into another (the day went on);
the second's floor at T must be the first's. queue_log tells of ringing only afterwards
(RINGNOANSWER and CONNECT carry the ring time), so an agent the replay knows was ringing at
T was shown as still available live: that one difference is allowed, and only that.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.config import Settings
from floorsup.domain.replay import call_as_of, calls_as_of
from floorsup.domain.types import AgentState, CallRecord, Outcome
from floorsup.floor import FloorSnapshot, build_floor
from floorsup.ingest.follow import QueueLogFeed
from floorsup.sim import FloorSimulator, demo_centre
from floorsup.store.engine import ensure_schema, make_engine

TZ = "America/Chicago"
DAY = int(datetime(2026, 11, 20, tzinfo=ZoneInfo(TZ)).timestamp())


def _ingest(engine: Engine, path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    feed = QueueLogFeed(engine, path, tz=TZ)
    try:
        feed.run()
    finally:
        feed.close()


def _ts(line: str) -> float:
    return float(line.split("|", 1)[0])


def _agents(snap: FloorSnapshot, ringing_as_available: set[str]) -> dict[str, tuple]:
    out = {}
    for a in snap.agents:
        if a.agent in ringing_as_available:
            out[a.agent] = ("available~ringing", a.reason, a.member_queues, a.calls_today)
        else:
            out[a.agent] = (a.state, a.since, a.reason, a.queue, a.member_queues, a.calls_today)
    return out


def _queues(snap: FloorSnapshot) -> list[tuple]:
    return [
        (
            q.info,
            q.waiting,
            q.oldest_wait_since,
            q.interval,
            q.today,
            q.available + q.ringing,
            q.on_call,
            q.paused,
            q.logged_in,
        )
        for q in snap.queues
    ]


@pytest.fixture(scope="module")
def morning() -> list[str]:
    sim = FloorSimulator(demo_centre(7), tz=TZ, day_start=DAY, seed=11)
    lines = sim.advance(DAY + 13 * 3600)
    # A supervisor moves two agents between queues mid-morning: membership then differs
    # from membership now, and the replay must count them where they were.
    agents = sorted({ln.split("|")[3] for ln in lines if "|ADDMEMBER|" in ln})[:2]
    t = DAY + 10 * 3600 + 17
    extra = [
        f"{t}|MANAGER|billing|{agents[0]}|ADDMEMBER|",
        f"{t + 1800}|MANAGER|billing|{agents[0]}|REMOVEMEMBER|",
    ]
    extra += [f"{t + 600}|MANAGER|billing|{agents[1]}|ADDMEMBER|"]
    return sorted(lines + extra, key=_ts)


def test_the_floor_as_of_a_past_instant_is_what_the_live_floor_showed(
    morning: list[str], tmp_path: Path
) -> None:
    settings = Settings(db="unused", tz=TZ)
    whole = make_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    ensure_schema(whole)
    _ingest(whole, tmp_path / "whole_log", morning)
    rng = random.Random(5)
    instants = [DAY + 8 * 3600 + 1234.0, DAY + 10 * 3600 + 17.0, DAY + 10 * 3600 + 900.0]
    instants += [DAY + rng.randint(7 * 3600, 12 * 3600) + 0.5 for _ in range(4)]
    checked_agents = rang = 0
    for i, at in enumerate(instants):
        live_db = make_engine(f"sqlite:///{tmp_path / f'live{i}.db'}")
        ensure_schema(live_db)
        _ingest(live_db, tmp_path / f"live{i}_log", [ln for ln in morning if _ts(ln) <= at])
        live = build_floor(live_db, settings, at)
        replay = build_floor(whole, settings, at)
        live_db.dispose()
        ringing = {a.agent for a in replay.agents if a.state is AgentState.RINGING}
        rang += len(ringing)
        assert {a.agent for a in live.agents} == {a.agent for a in replay.agents}
        assert _agents(replay, ringing) == _agents(live, ringing), at
        if not ringing:
            assert _queues(replay) == _queues(live), at
        else:
            assert [x[:5] + x[6:] for x in _queues(replay)] == [
                x[:5] + x[6:] for x in _queues(live)
            ]
        assert replay.interval_start == live.interval_start
        checked_agents += len(live.agents)
        assert live.queues and any(q.waiting or q.today.offered for q in live.queues)
    assert checked_agents > 100
    whole.dispose()


def test_membership_history_is_what_replay_counts(morning: list[str], tmp_path: Path) -> None:
    """The agent added to billing at 10:00 and removed at 10:30 is in billing at 10:15 only."""
    settings = Settings(db="unused", tz=TZ)
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    ensure_schema(engine)
    _ingest(engine, tmp_path / "log", morning)
    moved = sorted({ln.split("|")[3] for ln in morning if "|ADDMEMBER|" in ln})[0]

    def queues_at(at: float) -> tuple[str, ...] | None:
        by = {a.agent: a for a in build_floor(engine, settings, at).agents}
        return by[moved].member_queues if moved in by else None

    before = queues_at(DAY + 10 * 3600)
    during = queues_at(DAY + 10 * 3600 + 900)
    after = queues_at(DAY + 10 * 3600 + 2400)
    assert during is not None and "billing" in during
    assert before is not None and "billing" not in before
    assert after is not None and "billing" not in after
    engine.dispose()


C = CallRecord


@pytest.mark.parametrize(
    ("call", "now", "expected"),
    [
        # not entered yet
        (C("c", "q", 100, Outcome.ANSWERED, 110, 200, 10, 90, "a"), 99, None),
        # over by now: as it is
        (C("c", "q", 100, Outcome.ANSWERED, 110, 200, 10, 90, "a"), 200, "same"),
        (C("c", "q", 100, Outcome.ABANDONED, None, 130, 30), 131, "same"),
        # answered, ended later: in progress, no talk time yet
        (
            C("c", "q", 100, Outcome.TRANSFERRED, 110, 200, 10, 90, "a"),
            150,
            C("c", "q", 100, Outcome.IN_PROGRESS, 110, None, 10, None, "a"),
        ),
        (C("c", "q", 100, Outcome.IN_PROGRESS, 110, None, 10, None, "a"), 150, "same"),
        # entered, answered or gone later: waiting
        (
            C("c", "q", 100, Outcome.ANSWERED, 110, 200, 10, 90, "a"),
            105,
            C("c", "q", 100, Outcome.WAITING),
        ),
        (
            C("c", "q", 100, Outcome.ABANDONED, None, 130, 30),
            129,
            C("c", "q", 100, Outcome.WAITING),
        ),
        (C("c", "q", 100, Outcome.WAITING), 129, "same"),
    ],
)
def test_call_as_of(call: CallRecord, now: float, expected: object) -> None:
    got = call_as_of(call, now)
    assert got == (call if expected == "same" else expected)
    assert calls_as_of([call], now) == ([] if got is None else [got])


def test_the_interval_screen_at_a_past_instant_is_what_it_showed_then(
    morning: list[str], tmp_path: Path
) -> None:
    from floorsup.intervals import IntervalCache, build_intervals

    settings = Settings(db="unused", tz=TZ)
    whole = make_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    ensure_schema(whole)
    _ingest(whole, tmp_path / "whole_log", morning)
    cache = IntervalCache()  # one screen's cache, stepping back through the morning
    # Back, then on again (the screen's [ and ]), then to the present, with one cache.
    steps = [DAY + 11 * 3600 + 700.0, DAY + 9 * 3600 + 1234.0, DAY + 10 * 3600 + 1500.0]
    for i, at in enumerate(steps):
        live_db = make_engine(f"sqlite:///{tmp_path / f'iv{i}.db'}")
        ensure_schema(live_db)
        _ingest(live_db, tmp_path / f"iv{i}_log", [ln for ln in morning if _ts(ln) <= at])
        live = build_intervals(live_db, settings, at)
        live_db.dispose()
        assert build_intervals(whole, settings, at, cache=cache) == live
        assert build_intervals(whole, settings, at) == live
        assert any(r.stats and r.stats.offered for q in live.queues for r in q.rows)
    end = _ts(morning[-1])
    assert build_intervals(whole, settings, end, cache=cache) == build_intervals(
        whole, settings, end
    )
    whole.dispose()


def test_a_history_day_ends_with_everyone_logged_out(tmp_path: Path) -> None:
    """The demo's history days (for the forecast) end with `log_everyone_out`: no agent is
    left on a call or paused, to show today in a state begun a week ago."""
    sim = FloorSimulator(demo_centre(7), tz=TZ, day_start=DAY, seed=3)
    lines = sim.advance(DAY + 23 * 3600)
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    ensure_schema(engine)
    _ingest(engine, tmp_path / "day", lines)
    on = build_floor(engine, Settings(db="unused", tz=TZ), DAY + 23 * 3600).agents
    assert on, "the night shift is on at 23:00"
    _ingest(engine, tmp_path / "day", lines + sim.log_everyone_out(DAY + 23 * 3600 + 60))
    assert build_floor(engine, Settings(db="unused", tz=TZ), DAY + 23 * 3600 + 61).agents == ()
    engine.dispose()
