"""The floor picture at one instant: the store's rows through the pure metrics.

Runs in the TUI's thread worker (never on the event loop) and in the benchmarks. Returns
plain frozen values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection, Engine

from floorsup.config import Settings
from floorsup.domain.intervals import day_bounds, interval_start_for, local_date
from floorsup.domain.metrics import QueueIntervalStats, compute_stats, queue_now
from floorsup.domain.replay import calls_as_of
from floorsup.domain.types import AgentState, CallRecord
from floorsup.store import queries
from floorsup.store.queries import AgentNow, QueueInfo

INTERVAL_MINUTES = 30


@dataclass(frozen=True, slots=True)
class QueueLine:
    info: QueueInfo
    waiting: int
    oldest_wait_since: float | None  # entered_at of the oldest waiting call (ticks locally)
    interval: QueueIntervalStats
    today: QueueIntervalStats
    available: int
    on_call: int
    paused: int
    ringing: int
    logged_in: int


@dataclass(frozen=True, slots=True)
class FloorSnapshot:
    now: float
    interval_start: float
    day_start: float
    queues: tuple[QueueLine, ...]
    agents: tuple[AgentNow, ...]

    @property
    def states(self) -> dict[AgentState, int]:
        out = dict.fromkeys(AgentState, 0)
        for a in self.agents:
            out[a.state] += 1
        return out


class FloorCache:
    """The day's calls, held between refreshes. Each refresh reads only the calls written
    since the last one: the call table's `rev` is a number each committed batch raises, so
    there is no clock to trust and nothing in flight to allow for. Used from one thread at
    a time (the screen's fetches never overlap)."""

    def __init__(self) -> None:
        self.day: tuple[float, float] | None = None
        self.calls: dict[tuple[str, str], CallRecord] = {}
        self.rev = 0

    def day_calls(self, conn: Connection, day_start: float, day_end: float) -> list[CallRecord]:
        rev = queries.call_rev(conn)  # first: a batch landing meanwhile is read again next time
        if self.day != (day_start, day_end):
            self.calls = {
                (c.callid, c.queue): c for c in queries.calls_entered(conn, day_start, day_end)
            }
            self.day = (day_start, day_end)
        elif rev != self.rev:
            for c in queries.calls_changed(conn, self.rev, day_start, day_end):
                self.calls[(c.callid, c.queue)] = c
        self.rev = rev
        return list(self.calls.values())


def build_floor(
    engine: Engine, settings: Settings, now: float, cache: FloorCache | None = None
) -> FloorSnapshot:
    tz = settings.tz
    day_start, day_end = day_bounds(local_date(now, tz), tz)
    iv_start = interval_start_for(now, tz, INTERVAL_MINUTES)
    cache = cache or FloorCache()
    with engine.connect() as conn:
        infos = queries.queues(conn)
        # As they stood at `now`: live that is every call as it is; at a past instant
        # (replay) a call answered or ended later was still waiting or talking then.
        today = calls_as_of(cache.day_calls(conn, day_start, day_end), now)
        answered: dict[str, int] = {}
        for c in today:
            if c.agent is not None and c.answered_at is not None and c.answered_at <= now:
                answered[c.agent] = answered.get(c.agent, 0) + 1
        waiting = queries.calls_waiting(conn, now)
        agents = queries.agents_now(conn, now, day_start, calls_today=answered)
    names = [q.name for q in infos]
    nows = {
        n.queue: n
        for n in queue_now(
            waiting,
            [(a.agent, a.state, frozenset(a.member_queues) or frozenset(names)) for a in agents],
            queues=names,
            now=now,
        )
    }
    by_queue: dict[str, list[CallRecord]] = {n: [] for n in names}
    for c in today:
        bucket = by_queue.get(c.queue)
        if bucket is not None:
            bucket.append(c)
    oldest: dict[str, float] = {}
    for c in waiting:
        if c.queue not in oldest or c.entered_at < oldest[c.queue]:
            oldest[c.queue] = c.entered_at
    lines = []
    for info in infos:
        calls = by_queue[info.name]
        n = nows[info.name]
        stats = partial(
            compute_stats,
            queue=info.name,
            now=now,
            target_seconds=info.target_seconds,
            short_abandon_seconds=settings.short_abandon_seconds,
            formula=settings.sl_formula,
        )
        lines.append(
            QueueLine(
                info=info,
                waiting=n.waiting,
                oldest_wait_since=oldest.get(info.name),
                interval=stats(
                    [c for c in calls if c.entered_at >= iv_start],
                    interval_start=iv_start,
                    interval_end=iv_start + INTERVAL_MINUTES * 60,
                ),
                today=stats(calls),
                available=n.agents_available,
                on_call=n.agents_on_call,
                paused=n.agents_paused,
                ringing=n.agents_ringing,
                logged_in=n.agents_logged_in,
            )
        )
    return FloorSnapshot(now, iv_start, day_start, tuple(lines), tuple(agents))
