"""The floor picture at one instant: the store's rows through the pure metrics.

Runs in the TUI's thread worker (never on the event loop) and in the benchmarks. Returns
plain frozen values only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from floorsup.config import Settings
from floorsup.domain.intervals import day_bounds, interval_start_for, local_date
from floorsup.domain.metrics import QueueIntervalStats, compute_stats, queue_now
from floorsup.domain.types import AgentState
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


def build_floor(engine: Engine, settings: Settings, now: float) -> FloorSnapshot:
    tz = settings.tz
    day_start, _ = day_bounds(local_date(now, tz), tz)
    iv_start = interval_start_for(now, tz, INTERVAL_MINUTES)
    with engine.connect() as conn:
        infos = queries.queues(conn)
        today = queries.calls_entered(conn, day_start, now + 1)
        waiting = queries.calls_waiting(conn, now)
        agents = queries.agents_now(conn, now, day_start)
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
    by_queue: dict[str, list] = {n: [] for n in names}  # type: ignore[type-arg]
    for c in today:
        if c.queue in by_queue:
            by_queue[c.queue].append(c)
    oldest: dict[str, float] = {}
    for c in waiting:
        if c.queue not in oldest or c.entered_at < oldest[c.queue]:
            oldest[c.queue] = c.entered_at
    lines = []
    for info in infos:
        calls = by_queue[info.name]
        common = dict(
            queue=info.name,
            now=now,
            target_seconds=info.target_seconds,
            short_abandon_seconds=settings.short_abandon_seconds,
            formula=settings.sl_formula,
        )
        n = nows[info.name]
        lines.append(
            QueueLine(
                info=info,
                waiting=n.waiting,
                oldest_wait_since=oldest.get(info.name),
                interval=compute_stats(
                    [c for c in calls if c.entered_at >= iv_start],
                    interval_start=iv_start,
                    interval_end=iv_start + INTERVAL_MINUTES * 60,
                    **common,  # type: ignore[arg-type]
                ),
                today=compute_stats(calls, **common),  # type: ignore[arg-type]
                available=n.agents_available,
                on_call=n.agents_on_call,
                paused=n.agents_paused,
                ringing=n.agents_ringing,
                logged_in=n.agents_logged_in,
            )
        )
    return FloorSnapshot(now, iv_start, day_start, tuple(lines), tuple(agents))
