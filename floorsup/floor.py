"""The floor picture at one instant: the store's rows through the pure metrics.

Runs in the TUI's thread worker (never on the event loop) and in the benchmarks. Returns
plain frozen values only.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from floorsup.config import Settings
from floorsup.domain.intervals import day_bounds, interval_start_for, local_date
from floorsup.domain.metrics import (
    DEFAULT_TARGET_SECONDS,
    QueueIntervalStats,
    StatsSums,
    queue_now,
)
from floorsup.domain.replay import calls_as_of
from floorsup.domain.types import AgentState, CallRecord, Outcome
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
    """The day's calls, held between refreshes, with the finished ones already summed.

    Each refresh reads only the calls written since the last one: the call table's `rev`
    is a number each committed batch raises, so there is no clock to trust and nothing in
    flight to allow for. A call that is over (ended by `now`) adds the same to the day's
    figures whatever `now` is, so it is added once, to per-queue sums (and to its agent's
    count of answers); each refresh then adds only the calls still in progress. Starting
    over (a new day, `now` going back as in replay, a queue target changed, or a finished
    call rewritten by late feed lines) goes through every call once. Used from one thread
    at a time (the screen's fetches never overlap)."""

    def __init__(self) -> None:
        self.day: tuple[float, float] | None = None
        self.rev = 0
        self.now = -math.inf
        self.targets: dict[str, int] = {}
        self.short = -1.0
        self.done: dict[tuple[str, str], CallRecord] = {}  # over by `now`: in the sums
        self.going: dict[tuple[str, str], CallRecord] = {}  # the rest
        self.sums: dict[str, StatsSums] = {}  # per queue, the done calls of the day
        self.iv_start: float | None = None
        self.iv_sums: dict[str, StatsSums] = {}  # per queue, done calls since iv_start
        self.answered: Counter[str] = Counter()  # per agent, done calls answered
        self.restarts = 0  # times the sums were started over (the first day's read included)

    def refresh(
        self,
        conn: Connection,
        day_start: float,
        day_end: float,
        now: float,
        iv_start: float,
        targets: dict[str, int],
        short: float,
    ) -> None:
        rev = queries.call_rev(conn)  # first: a batch landing meanwhile is read again next time
        restart = now < self.now or targets != self.targets or short != self.short
        if self.day != (day_start, day_end):
            changed = queries.calls_entered(conn, day_start, day_end)
            self.done, self.going = {}, {}
            self.day = (day_start, day_end)
            restart = True
        elif rev != self.rev:
            changed = queries.calls_changed(conn, self.rev, day_start, day_end)
        else:
            changed = []
        self.rev = rev
        for c in changed:
            key = (c.callid, c.queue)
            if self.done.pop(key, None) is not None:
                restart = True  # late lines rewrote a finished call: sum again
            self.going[key] = c
        self.now, self.targets, self.short = now, targets, short
        if restart:
            self.restarts += 1
            self.going.update(self.done)  # every call of the day, to be summed anew
            self.done = {}
            self.sums, self.iv_sums, self.iv_start = {}, {}, None
            self.answered = Counter()
        over = [
            (key, c)
            for key, c in self.going.items()
            if c.ended_at is not None and c.ended_at <= now and c.outcome is not Outcome.WAITING
        ]
        for key, _c in over:
            del self.going[key]
        fresh_interval = self.iv_start != iv_start
        for key, c in over:
            self.done[key] = c
        newly = [c for _key, c in over]
        self._add(self.sums, newly, now)
        if fresh_interval:
            self.iv_start, self.iv_sums = iv_start, {}
            self._add(
                self.iv_sums, [c for c in self.done.values() if c.entered_at >= iv_start], now
            )
        else:
            self._add(self.iv_sums, [c for c in newly if c.entered_at >= iv_start], now)
        for c in newly:
            if c.agent is not None and c.answered_at is not None and c.answered_at <= now:
                self.answered[c.agent] += 1

    def _add(self, sums: dict[str, StatsSums], calls: list[CallRecord], now: float) -> None:
        by_queue: dict[str, list[CallRecord]] = {}
        for c in calls:
            by_queue.setdefault(c.queue, []).append(c)
        for queue, group in by_queue.items():
            acc = sums.get(queue)
            if acc is None:
                target = self.targets.get(queue, DEFAULT_TARGET_SECONDS)
                acc = sums[queue] = StatsSums(target, self.short)
            acc.add_all(group, now)


def build_floor(
    engine: Engine, settings: Settings, now: float, cache: FloorCache | None = None
) -> FloorSnapshot:
    tz = settings.tz
    day_start, day_end = day_bounds(local_date(now, tz), tz)
    iv_start = interval_start_for(now, tz, INTERVAL_MINUTES)
    iv_end = iv_start + INTERVAL_MINUTES * 60
    cache = cache or FloorCache()
    short = settings.short_abandon_seconds
    with engine.connect() as conn:
        infos = queries.queues(conn)
        targets = {q.name: q.target_seconds for q in infos}
        cache.refresh(conn, day_start, day_end, now, iv_start, targets, short)
        # The calls still going, as they stood at `now`: live that is every call as it is;
        # at a past instant (replay) a call answered or ended later was still waiting or
        # talking then, and one that entered later is not there yet.
        going = calls_as_of(cache.going.values(), now)
        answered = Counter(cache.answered)
        for c in going:
            if c.agent is not None and c.answered_at is not None and c.answered_at <= now:
                answered[c.agent] += 1
        waiting = queries.calls_waiting(conn, now)
        agents = queries.agents_now(conn, now, day_start, calls_today=dict(answered))
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
    going_by_queue: dict[str, list[CallRecord]] = {n: [] for n in names}
    for c in going:
        bucket = going_by_queue.get(c.queue)
        if bucket is not None:
            bucket.append(c)
    oldest: dict[str, float] = {}
    for c in waiting:
        if c.queue not in oldest or c.entered_at < oldest[c.queue]:
            oldest[c.queue] = c.entered_at
    lines = []
    for info in infos:
        calls = going_by_queue[info.name]
        n = nows[info.name]
        day = _sums(cache.sums, info, short)
        day.add_all(calls, now)
        interval = _sums(cache.iv_sums, info, short)
        interval.add_all([c for c in calls if c.entered_at >= iv_start], now)
        formula = settings.sl_formula
        lines.append(
            QueueLine(
                info=info,
                waiting=n.waiting,
                oldest_wait_since=oldest.get(info.name),
                interval=interval.stats(
                    queue=info.name, formula=formula, interval_start=iv_start, interval_end=iv_end
                ),
                today=day.stats(queue=info.name, formula=formula),
                available=n.agents_available,
                on_call=n.agents_on_call,
                paused=n.agents_paused,
                ringing=n.agents_ringing,
                logged_in=n.agents_logged_in,
            )
        )
    return FloorSnapshot(now, iv_start, day_start, tuple(lines), tuple(agents))


def _sums(held: dict[str, StatsSums], info: QueueInfo, short: float) -> StatsSums:
    """A copy of a queue's sums of finished calls (empty if it has none) to add to."""
    acc = held.get(info.name)
    return acc.copy() if acc is not None else StatsSums(info.target_seconds, short)
