"""build_intervals: per queue and interval, forecast, actuals, Erlang need, staffed and gap,
checked on a hand-made feed whose numbers can be worked out by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.config import Settings
from floorsup.domain.erlang import required
from floorsup.ingest.follow import QueueLogFeed
from floorsup.intervals import IntervalCache, build_intervals, forecast_method

TZ = "Europe/London"
DAY = datetime(2026, 11, 20, tzinfo=ZoneInfo(TZ)).timestamp()  # a Friday
H = 3600


def _feed(engine: Engine, path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)
    feed = QueueLogFeed(engine, path, tz=TZ)
    try:
        feed.run()
    finally:
        feed.close()


def _call(t: float, cid: str, queue: str, agent: str, wait: int, talk: int) -> list[str]:
    return [
        f"{int(t)}|{cid}|{queue}|NONE|ENTERQUEUE||+44|1",
        f"{int(t) + wait}|{cid}|{queue}|{agent}|CONNECT|{wait}|{cid}.b|1",
        f"{int(t) + wait + talk}|{cid}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1",
    ]


@pytest.fixture
def fed(engine: Engine, tmp_path: Path) -> Engine:
    lines: list[str] = []
    # History: the same Friday interval (10:00) one and two weeks back: 4 and 2 calls.
    for weeks, n in ((1, 4), (2, 2)):
        t0 = DAY - weeks * 7 * 86_400 + 10 * H
        lines.append(f"{int(t0) - 60}|MANAGER|sales|PJSIP/9|ADDMEMBER|")
        for i in range(n):
            lines += _call(t0 + 60 * i, f"h{weeks}-{i}", "sales", "PJSIP/9", 5, 120)
        lines.append(f"{int(t0) + 1700}|MANAGER|sales|PJSIP/9|REMOVEMEMBER|")
    # Today: PJSIP/1 in sales from 10:00; PJSIP/2 in sales and support from 10:15.
    t = DAY + 10 * H
    lines += [
        f"{int(t)}|MANAGER|sales|PJSIP/1|ADDMEMBER|",
        f"{int(t) + 900}|MANAGER|sales|PJSIP/2|ADDMEMBER|",
        f"{int(t) + 900}|MANAGER|support|PJSIP/2|ADDMEMBER|",
    ]
    lines += _call(t + 100, "c1", "sales", "PJSIP/1", 10, 200)  # within 20 s
    lines += _call(t + 400, "c2", "sales", "PJSIP/1", 30, 100)  # not within
    lines += [
        f"{int(t) + 1000}|c3|sales|NONE|ENTERQUEUE||+44|1",
        f"{int(t) + 1010}|c3|sales|NONE|ABANDON|1|1|10",
    ]
    _feed(engine, tmp_path / "queue_log", sorted(lines, key=lambda s: int(s.split("|")[0])))
    return engine


def test_one_interval_worked_by_hand(fed: Engine) -> None:
    settings = Settings(db="unused", tz=TZ)
    now = DAY + 10 * H + 1800  # 10:30: the 10:00 interval is over
    view = build_intervals(fed, settings, now, minutes=30)
    assert view.method == forecast_method(view.day, 2)
    assert "last 2 Fridays" in view.method
    sales = next(q for q in view.queues if q.info.name == "sales")
    row = next(r for r in sales.rows if r.label == "10:00")
    assert row.state == "done"
    assert row.forecast is not None and row.forecast.calls == 3.0 and row.forecast.aht == 120
    s = row.stats
    assert s is not None and (s.offered, s.answered, s.abandoned) == (3, 2, 1)
    assert s.answered_within_target == 1 and s.aht_seconds == 150
    # PJSIP/1 on the phones the whole 30 min (on call counts), PJSIP/2 from 10:15 split
    # between its two queues: 1 + 0.5 * 0.5 = 1.25 agents on average.
    assert row.staffed == pytest.approx(1.25)
    want = required(3, 1800, 150, 0.8, 20)
    assert row.needed_actual == want
    assert row.needed_forecast == required(3, 1800, 120, 0.8, 20)
    assert row.gap == pytest.approx(1.25 - want.agents)
    support = next(q for q in view.queues if q.info.name == "support")
    srow = next(r for r in support.rows if r.label == "10:00")
    assert srow.staffed == pytest.approx(0.25) and srow.stats is not None
    assert srow.stats.offered == 0 and srow.needed_actual is not None
    assert srow.needed_actual.agents == 0 and srow.gap == pytest.approx(0.25)
    later = next(r for r in sales.rows if r.label == "11:00")
    assert later.state == "later" and later.stats is None and later.gap is None


def test_the_current_interval_and_a_cache_match_a_fresh_read(fed: Engine, tmp_path: Path) -> None:
    settings = Settings(db="unused", tz=TZ)
    cache = IntervalCache()
    first = build_intervals(fed, settings, DAY + 10 * H + 1200, cache=cache)
    cur = next(r for r in first.queues[0].rows if r.state == "current")
    assert cur.label == "10:00" and cur.stats is not None and cur.stats.offered == 3
    # Need for the current interval: the larger of its calls' pace and the forecast's.
    assert cur.need == max(cur.needed_actual.agents, cur.needed_forecast.agents)  # type: ignore[union-attr]
    t = DAY + 10 * H
    _feed(fed, tmp_path / "queue_log", _call(t + 1300, "c4", "sales", "PJSIP/2", 3, 60))
    for now in (DAY + 10 * H + 1500, DAY + 10 * H + 2000, DAY + 12 * H):
        assert build_intervals(fed, settings, now, cache=cache) == build_intervals(
            fed, settings, now
        )
    # 15-minute intervals: the same calls, cut finer.
    quarter = build_intervals(fed, settings, DAY + 12 * H, minutes=15)
    sales = next(q for q in quarter.queues if q.info.name == "sales")
    got = {r.label: r.stats.offered for r in sales.rows if r.stats and r.stats.offered}
    assert got == {"10:00": 2, "10:15": 2}
