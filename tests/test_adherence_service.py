"""build_adherence: the live view's picture from the store; its caches must never show
anything but what a fresh read would.

The floor's glance (`glance=True`) keeps, in the screen's `ActualsCache`, the spans, the
roster, the day's schedules and authorisations and each person's resolved plan between
calls. After every kind of change it must say exactly what a glance without a cache says,
and what the full build says (its rows with the day's figures of those not out dropped,
in worst-first order)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.adherence import (
    ActualsCache,
    AdherenceRow,
    AdherenceSnapshot,
    DaySpans,
    build_adherence,
    worst_first,
)
from floorsup.config import Settings
from floorsup.demo import build_demo_day
from floorsup.domain.adherence import Actual
from floorsup.domain.types import AgentState
from floorsup.ingest.follow import QueueLogFeed
from floorsup.sim import FloorSimulator, demo_centre
from floorsup.store.access import system
from floorsup.store.engine import make_engine, write_conn
from floorsup.store.schedules import authorize_exception, import_schedule, replace_day
from floorsup.store.sql import execute, fetchall

TZ = "America/New_York"
SEED = 7
DAY_START = dt.datetime(2026, 11, 20, tzinfo=ZoneInfo(TZ)).timestamp()
T0 = DAY_START + 10 * 3600  # the template's feed runs to 10:00


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


# --- the floor's glance, held between calls ----------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo centre's day, its feed ingested to 10:00 (built once, copied per test)."""
    workdir = tmp_path_factory.mktemp("glance-template")
    build_demo_day(workdir, tz=TZ, day_start=DAY_START, until=T0, seed=SEED, db_name="floor.db")
    return workdir


@dataclass
class Floor:
    engine: Engine
    settings: Settings
    feed_path: Path
    sim: FloorSimulator
    cache: ActualsCache

    def ingest_to(self, t: float) -> None:
        """The simulated ACD's lines up to `t`, appended and ingested as a follower would."""
        with self.feed_path.open("a", encoding="utf-8") as fh:
            fh.writelines(self.sim.advance(t))
        feed = QueueLogFeed(self.engine, self.feed_path, tz=TZ)
        try:
            feed.run()
        finally:
            feed.close()

    def glance(self, now: float, *, team: str | None = None) -> AdherenceSnapshot:
        """The cached glance at `now`, checked against a fresh glance and the full build."""
        got = build_adherence(
            self.engine,
            self.settings,
            now,
            cache=self.cache,
            with_exceptions=False,
            glance=True,
            team=team,
        )
        fresh = build_adherence(
            self.engine, self.settings, now, with_exceptions=False, glance=True, team=team
        )
        full = build_adherence(self.engine, self.settings, now, with_exceptions=False, team=team)
        assert got == fresh
        assert got == as_glance(full)
        return got

    def write(self, sql: str, params: tuple[object, ...] = ()) -> None:
        with write_conn(self.engine) as conn, conn.begin():
            execute(conn, sql, params)


def as_glance(full: AdherenceSnapshot) -> AdherenceSnapshot:
    """What the glance is defined to say: the full build without the day's figures of
    those not out now, worst first."""
    rows = [r if r.now.in_adherence is False else replace(r, day=None) for r in full.rows]
    rows.sort(key=worst_first)
    return replace(full, rows=tuple(rows))


@pytest.fixture
def floor(template: Path, tmp_path: Path) -> Iterator[Floor]:
    dest = tmp_path / "floor"
    dest.mkdir()
    for part in template.glob("floor.db*"):
        shutil.copy2(part, dest / part.name)
    shutil.copy2(template / "queue_log", dest / "queue_log")
    engine = make_engine(f"sqlite:///{dest / 'floor.db'}")
    sim = FloorSimulator(demo_centre(SEED), tz=TZ, day_start=DAY_START, seed=SEED)
    sim.advance(T0)  # where the template's feed ends
    f = Floor(
        engine, Settings(db=str(dest / "floor.db"), tz=TZ), dest / "queue_log", sim, ActualsCache()
    )
    # the checkpoint names the template's feed: point it at this copy (same head, same offset)
    f.write(
        "UPDATE ingest_source SET path = ? WHERE path = ?",
        (str(f.feed_path.resolve()), str((template / "queue_log").resolve())),
    )
    yield f
    engine.dispose()


def _status(snap: AdherenceSnapshot, staff_id: str) -> AdherenceRow:
    return next(r for r in snap.rows if r.person.staff_id == staff_id)


def _working_in(snap: AdherenceSnapshot) -> AdherenceRow:
    """Someone on an open stretch and in adherence (working) now."""
    return next(
        r
        for r in snap.rows
        if r.now.in_adherence and r.now.scheduled_activity == "open" and r.schedule
    )


def test_glance_follows_new_spans(floor: Floor) -> None:
    first = floor.glance(T0)
    assert first.live_rows and first.counts()[1] > 0  # someone out: their day is worked out
    seen = {(r.person.staff_id, r.now) for r in first.rows}
    changed = 0
    t = T0
    for _ in range(12):  # a minute at a time, as the floor's feed moves
        t += 60
        floor.ingest_to(t)
        snap = floor.glance(t)
        changed += len({(r.person.staff_id, r.now) for r in snap.rows} - seen)
        seen |= {(r.person.staff_id, r.now) for r in snap.rows}
    assert changed > 5  # the feed moved people between states and in and out of adherence
    # the rows' spans are shared between calls, not copied, and read as the tuple they equal
    spans = next(
        r.actuals for r in snap.rows if isinstance(r.actuals, DaySpans) and len(r.actuals) > 3
    )
    assert tuple(spans) == spans and hash(tuple(spans)) == hash(spans)
    assert spans[-1] == tuple(spans)[-1] and spans[-2] == tuple(spans)[-2] and spans[:3]


def test_glance_sees_a_schedule_edit_even_when_sqlite_gives_the_ids_again(floor: Floor) -> None:
    floor.ingest_to(T0 + 60)
    t = T0 + 60
    before = floor.glance(t)
    who = _working_in(before)
    day = who.schedule[0].shift_date
    segs = [(s.start, s.end, s.activity) for s in who.schedule]
    # A meeting over `now` in place of the open stretch: working is now out of adherence.
    edited = [(s, e, "meeting" if s <= t < e else a) for s, e, a in segs]
    replace_day(floor.engine, who.person.staff_id, day, edited, actor=system(), tz=TZ)
    after = floor.glance(t)
    assert _status(after, who.person.staff_id).now.in_adherence is False
    # Edited again, as many segments: SQLite gives the new rows the same ids (the day's
    # rows hold the newest ones), so the newest id and the count stay as they were.
    with floor.engine.connect() as conn:
        mark = fetchall(conn, "SELECT max(id), count(*) FROM schedule_segment")
    replace_day(floor.engine, who.person.staff_id, day, segs, actor=system(), tz=TZ)
    with floor.engine.connect() as conn:
        assert fetchall(conn, "SELECT max(id), count(*) FROM schedule_segment") == mark
    back = floor.glance(t)
    assert _status(back, who.person.staff_id).now == _status(before, who.person.staff_id).now
    # and cleared: nothing scheduled (the row stays while they are logged in)
    replace_day(floor.engine, who.person.staff_id, day, [], actor=system(), tz=TZ)
    cleared = floor.glance(t)
    assert all(r.now.scheduled_activity is None for r in cleared.rows if r.person == who.person)


def test_glance_sees_a_schedule_reimport(floor: Floor, tmp_path: Path) -> None:
    t = T0 + 120
    floor.ingest_to(t)
    before = floor.glance(t)
    ins = [r for r in before.rows if r.now.in_adherence and r.now.scheduled_activity == "open"]
    assert len(ins) >= 3
    zone = ZoneInfo(TZ)
    lines = ["staff_id,date,start,end,activity"]
    for r in ins[:3]:  # their whole day again, lunch over `now` in place of the open stretch
        for s in r.schedule:
            a, b = dt.datetime.fromtimestamp(s.start, zone), dt.datetime.fromtimestamp(s.end, zone)
            act = "lunch" if s.start <= t < s.end else s.activity
            lines.append(f"{r.person.staff_id},{s.shift_date},{a:%H:%M},{b:%H:%M},{act}")
    path = tmp_path / "again.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_schedule(floor.engine, path, actor=system(), tz=TZ)
    after = floor.glance(t)
    for r in ins[:3]:
        assert _status(after, r.person.staff_id).now.scheduled_activity == "lunch"


def test_glance_sees_a_new_authorisation(floor: Floor) -> None:
    t = T0 + 180
    floor.ingest_to(t)
    before = floor.glance(t)
    out = [r for r in before.rows if r.now.in_adherence is False]
    assert out and all(r.day is not None for r in out)
    who = out[0]
    assert who.now.out_since is not None
    authorize_exception(
        floor.engine,
        who.person.staff_id,
        who.now.out_since,
        t + 600,
        actor=system(),
        why="covering the front desk",
        now=t,
    )
    after = floor.glance(t)
    row = _status(after, who.person.staff_id)
    assert row.now.in_adherence is True and row.day is None
    # once the authorised stretch is over they are out again, since its end
    later = floor.glance(t + 601)
    assert _status(later, who.person.staff_id).now.out_since == t + 600


def test_glance_across_schedule_block_boundaries(floor: Floor) -> None:
    """Nothing written, the clock moves over the ends of breaks, lunches and shifts."""
    floor.ingest_to(T0 + 300)
    first = floor.glance(T0 + 300)
    bounds = sorted(
        {s.start for r in first.rows for s in r.schedule}
        | {s.end for r in first.rows for s in r.schedule}
    )
    crossed = [b for b in bounds if T0 + 300 < b < T0 + 3 * 3600]
    assert len(crossed) > 5
    for b in crossed[:: max(1, len(crossed) // 12)]:
        floor.glance(b - 1)
        floor.glance(b)
        floor.glance(b + 1)


def test_glance_over_midnight(floor: Floor) -> None:
    """Late at night, then after midnight: the new day's schedules, spans and people."""
    late = DAY_START + 86400 - 120
    floor.ingest_to(late)
    evening = floor.glance(late)
    floor.ingest_to(late + 60)
    floor.glance(late + 60)
    floor.ingest_to(late + 300)
    night = floor.glance(late + 300)  # 00:03 the next day
    assert night.day_start == DAY_START + 86400 and evening.day_start == DAY_START
    assert {r.schedule[0].shift_date for r in night.rows if r.schedule} != {
        r.schedule[0].shift_date for r in evening.rows if r.schedule
    }


def test_glance_sees_a_roster_change(floor: Floor) -> None:
    t = T0 + 60
    floor.ingest_to(t)
    before = floor.glance(t)
    who = _working_in(before)
    # renamed (as long a name) and moved to another team, as a roster import would
    name = who.person.name
    renamed = name[::-1].title()
    assert len(renamed) == len(name) and renamed != name
    other = next(r.person.team for r in before.rows if r.person.team != who.person.team)
    floor.write("UPDATE staff SET name = ? WHERE staff_id = ?", (renamed, who.person.staff_id))
    floor.write(
        "UPDATE staff SET team_id = (SELECT id FROM team WHERE name = ?) WHERE staff_id = ?",
        (other, who.person.staff_id),
    )
    after = floor.glance(t)
    assert _status(after, who.person.staff_id).person.name == renamed
    assert floor.glance(t, team=other) is not None  # the team's view sees them too
    floor.write("UPDATE staff SET active = ? WHERE staff_id = ?", (False, who.person.staff_id))
    gone = floor.glance(t)
    assert all(r.person.staff_id != who.person.staff_id for r in gone.rows)


def test_glance_at_a_past_instant_with_the_same_cache(floor: Floor) -> None:
    """Replay: `now` goes back (the spans past it are cut), then forward again."""
    floor.ingest_to(T0 + 600)
    floor.glance(T0 + 600)
    floor.glance(T0 + 120)
    floor.glance(T0 - 3600)
    floor.glance(T0 + 600)


def test_day_spans_read_as_a_tuple() -> None:
    av, out = AgentState.AVAILABLE, AgentState.LOGGED_OUT
    head = (Actual(0, 10, out), Actual(10, 20, av), Actual(20, 30, out))
    last = Actual(30, 40, av)
    spans = DaySpans(head, last)
    whole = (*head, last)
    assert len(spans) == 4 and list(spans) == list(whole)
    assert list(reversed(spans)) == list(reversed(whole))
    for i in range(-4, 4):
        assert spans[i] == whole[i]
    for i in (4, -5):
        with pytest.raises(IndexError):
            spans[i]
    assert spans[1:3] == whole[1:3] and spans[::-1] == whole[::-1]
    assert spans == whole and whole == spans and spans == DaySpans(head, last)
    assert spans != (*head, Actual(30, 41, av)) and spans != DaySpans(head[1:], last)
    assert hash(spans) == hash(whole) and spans.index(last) == 3 and last in spans
    assert spans != list(whole) and repr(spans) == repr(whole)
