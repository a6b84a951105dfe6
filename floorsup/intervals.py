"""The interval picture: per queue, today's 15- or 30-minute intervals, each with its forecast
(from history), what happened (offered, answered, abandoned, SL, ASA, AHT), the agents
Erlang C says it needed (on the actuals and on the forecast), the agents it had on the
phones (from their states), and the gap.

Runs in the interval screen's thread worker and in the benchmarks; returns plain frozen
values. A refresh costs what changed, not the day (`IntervalCache`): finished intervals'
figures and staffing are kept, and only the calls and state spans written since the last
refresh are read. Live and replayed views are the same code with another `now`.

Rules, in words:
- **Forecast**: the mean of the same interval (same local start time) on the same weekday
  over the last `FORECAST_WEEKS` weeks that have any calls at all; AHT the handle-time-
  weighted mean of those intervals. The method and the weeks found are said on screen.
- **Agents needed**: Erlang C (`domain.erlang.required`) for the queue's own service-level
  target, with the interval's AHT (the forecast's when nothing was handled yet, or the
  queue's AHT today). Raw agents on the phones: shrinkage is the what-if panel's business.
- **Agents staffed**: agents available, ringing or on a call, averaged over the interval (so
  far, for the current one). An agent in several queues counts a share in each (1/k in
  each of k queues), so a queue's staffed agents add up to the floor's; an agent in no known
  queue counts a share in every queue.
- **Gap**: staffed − needed on actuals for finished intervals; for the current one against
  the larger of the actuals' and the forecast's need (a quiet first minute is not "over");
  none for later intervals (staffing is not known ahead: their need is shown).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from floorsup.adherence import ActualsCache
from floorsup.config import Settings
from floorsup.domain.erlang import Staffing, StaffingRequest, staff_day
from floorsup.domain.intervals import Interval, day_bounds, day_intervals, local_date
from floorsup.domain.metrics import QueueIntervalStats, compute_stats
from floorsup.domain.replay import calls_as_of
from floorsup.domain.types import AgentState, CallRecord, Outcome
from floorsup.store import queries, schedules
from floorsup.store.queries import QueueInfo

FORECAST_WEEKS = 4
STAFFED_STATES = frozenset({AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL})
_HANDLED = frozenset({Outcome.ANSWERED, Outcome.TRANSFERRED})
DEFAULT_AHT = 300.0  # when neither today nor history has a handled call to go by


@dataclass(frozen=True, slots=True)
class Forecast:
    calls: float
    aht: float | None
    weeks: int  # how many same weekdays it is the mean of


@dataclass(frozen=True, slots=True)
class IntervalRow:
    start: float
    end: float
    label: str  # local HH:MM
    state: str  # "done", "current" or "later"
    forecast: Forecast | None
    stats: QueueIntervalStats | None  # None for intervals not begun
    needed_actual: Staffing | None
    needed_forecast: Staffing | None
    staffed: float | None  # average agents on the phones; None for intervals not begun

    @property
    def need(self) -> int | None:
        """The agents the gap is measured against: the actuals' need for a finished interval;
        for the current one the larger of that (its calls so far, at their rate over the
        whole interval) and the forecast's, so a quiet first minute does not read as
        overstaffed; None for later ones."""
        if self.needed_actual is None:
            return None
        need = self.needed_actual.agents
        if self.state == "current" and self.needed_forecast is not None:
            need = max(need, self.needed_forecast.agents)
        return need

    @property
    def gap(self) -> float | None:
        """Staffed − need; None for later intervals (staffing is not known ahead)."""
        need = self.need
        if self.staffed is None or need is None:
            return None
        return self.staffed - need


@dataclass(frozen=True, slots=True)
class QueueDay:
    info: QueueInfo
    rows: tuple[IntervalRow, ...]

    @property
    def current(self) -> int | None:
        for i, r in enumerate(self.rows):
            if r.state == "current":
                return i
        return None


@dataclass(frozen=True, slots=True)
class IntervalsView:
    now: float
    minutes: int
    day: dt.date
    queues: tuple[QueueDay, ...]
    method: str  # the forecast method, in words, with the weeks found


def forecast_method(day: dt.date, weeks_found: int) -> str:
    weekday = day.strftime("%A")
    if weeks_found == 0:
        return f"forecast: no {weekday}s in the last {FORECAST_WEEKS} weeks yet"
    found = "" if weeks_found == FORECAST_WEEKS else f" (of the last {FORECAST_WEEKS} weeks)"
    return (
        f"forecast: mean of the last {weeks_found} {weekday}"
        f"{'s' if weeks_found != 1 else ''}{found}, same interval"
    )


def _label_of(iv: Interval) -> str:
    return iv.label[11:16]  # "YYYY-MM-DDTHH:MM:SS±hh:mm" → "HH:MM"


@dataclass
class _History:
    """Per (queue, local HH:MM): summed offered, handled calls and handle seconds, and the
    weeks (days) found. Read once a day."""

    key: tuple[dt.date, int] | None = None
    sums: dict[tuple[str, str], tuple[int, int, float]] = field(default_factory=dict)
    weeks: int = 0
    made: dict[tuple[str, str], Forecast | None] = field(default_factory=dict)

    def load(self, conn: Connection, day: dt.date, tz: str, minutes: int) -> None:
        if self.key == (day, minutes):
            return
        sums: dict[tuple[str, str], list[float]] = {}
        weeks = 0
        for w in range(1, FORECAST_WEEKS + 1):
            past = day - dt.timedelta(weeks=w)
            start, end = day_bounds(past, tz)
            # Summed by the database per queue and minute of the day (a few thousand rows
            # instead of every call made into a record); each minute then goes to the
            # interval holding it (interval bounds fall on whole minutes, DST included).
            per_minute = queries.calls_by_minute(conn, start, end)
            if not per_minute:
                continue
            weeks += 1
            grid = day_intervals(past, tz, minutes)
            starts = [iv.start for iv in grid]
            labels = [_label_of(iv) for iv in grid]
            for queue, minute, offered, handled, seconds in per_minute:
                i = bisect_right(starts, start + minute * 60) - 1
                if i < 0:
                    continue
                s = sums.setdefault((queue, labels[i]), [0, 0, 0.0])
                s[0] += offered
                s[1] += handled
                s[2] += seconds
        self.sums = {k: (int(v[0]), int(v[1]), v[2]) for k, v in sums.items()}
        self.weeks = weeks
        self.key = (day, minutes)
        self.made = {}

    def forecast(self, queue: str, label: str) -> Forecast | None:
        """One object all day for an interval: made at its first refresh, then looked up."""
        k = (queue, label)
        try:
            return self.made[k]
        except KeyError:
            pass
        fc = None
        if self.weeks:
            offered, handled, seconds = self.sums.get(k, (0, 0, 0.0))
            fc = Forecast(offered / self.weeks, seconds / handled if handled else None, self.weeks)
        self.made[k] = fc
        return fc


class _Staffed:
    """Seconds on the phones per (queue, interval), from the day's state spans: ended spans
    are tallied once (per agent, so a late line's replay of one agent is re-tallied alone);
    each agent's lasting state is added afresh at each refresh."""

    def __init__(self) -> None:
        self.key: tuple[float, int] | None = None
        self.per_agent: dict[str, tuple[int, int, dict[tuple[str, int], float]]] = {}
        self.totals: dict[tuple[str, int], float] = {}

    def reset(self, key: tuple[float, int]) -> None:
        self.key, self.per_agent, self.totals = key, {}, {}

    @staticmethod
    def tally(
        spans: Iterable[tuple[float, float, AgentState]],
        starts: Sequence[float],
        shares: _Shares,
        agent: str,
        into: dict[tuple[str, int], float],
    ) -> None:
        n = len(starts)
        for s, e, state in spans:
            if state not in STAFFED_STATES or e <= s:
                continue
            queues = shares.at(agent, s)
            w = 1.0 / len(queues)
            i = max(bisect_right(starts, s) - 1, 0)
            while i < n and starts[i] < e:
                hi = starts[i + 1] if i + 1 < n else float("inf")
                sec = min(e, hi) - max(s, starts[i])
                if sec > 0:
                    for q in queues:
                        k = (q, i)
                        into[k] = into.get(k, 0.0) + sec * w
                i += 1

    def update(self, closed: dict[str, list], starts: Sequence[float], shares: _Shares) -> None:
        totals = self.totals
        for agent, spans in closed.items():
            have = self.per_agent.get(agent)
            if have is not None and have[0] == id(spans) and have[1] <= len(spans):
                ident, done, mine = have
                new = spans[done:]
            else:  # first sight, or the cache read this agent anew: take back what it gave
                if have is not None:
                    for k, v in have[2].items():
                        totals[k] -= v
                mine, new = {}, spans
            if new:
                add: dict[tuple[str, int], float] = {}
                self.tally(((x.start, x.end, x.state) for x in new), starts, shares, agent, add)
                for k, v in add.items():
                    mine[k] = mine.get(k, 0.0) + v
                    totals[k] = totals.get(k, 0.0) + v
            self.per_agent[agent] = (id(spans), len(spans), mine)


class _Shares:
    """Which queues an agent's time counts in at an instant (see the module doc)."""

    def __init__(
        self,
        history: dict[str, list[tuple[float, tuple[str, ...]]]],
        current: dict[str, tuple[str, ...]],
        all_queues: tuple[str, ...],
    ) -> None:
        self.history = history
        self.times = {a: [t for t, _q in rows] for a, rows in history.items()}
        self.current = current
        self.all = all_queues
        known = set(all_queues)
        self._known = known

    def at(self, agent: str, t: float) -> tuple[str, ...]:
        rows = self.history.get(agent)
        queues: tuple[str, ...] = ()
        if rows:
            i = bisect_right(self.times[agent], t) - 1
            queues = rows[i][1] if i >= 0 else self.current.get(agent, ())
        else:
            queues = self.current.get(agent, ())
        queues = tuple(q for q in queues if q in self._known)
        return queues or self.all


class _Members:
    """The day's membership history and the queues each agent is in now: read once, then
    only the agents with membership rows written since (by row id) are read again."""

    def __init__(self) -> None:
        self.key: float | None = None
        self.last_id = 0
        self.history: dict[str, list[tuple[float, tuple[str, ...]]]] = {}
        self.current: dict[str, tuple[str, ...]] = {}
        self.shares: _Shares | None = None

    def read(
        self, conn: Connection, day_start: float, day_end: float, names: tuple[str, ...]
    ) -> _Shares:
        # The whole day's rows so far (to `day_end`): at a replayed `now` the changes after
        # it are never looked up (every span tallied starts before it).
        if self.key != day_start:
            self.key, self.shares = day_start, None
            # The id first: a row landing meanwhile is read again at the next refresh.
            self.last_id = queries.membership_rev(conn)
            self.history, self.current = queries.membership_history(conn, day_start, day_end)
        else:
            rev = queries.membership_rev(conn)
            if rev != self.last_id:
                changed = queries.membership_changed(conn, self.last_id)
                self.last_id = rev
                got, self.current = queries.membership_history(conn, day_start, day_end, changed)
                for a in changed:
                    if a in got:
                        self.history[a] = got[a]
                    else:
                        self.history.pop(a, None)
                self.shares = None
        if self.shares is None or self.shares.all != names:
            self.shares = _Shares(self.history, self.current, names)
        return self.shares


class IntervalCache:
    """What one screen holds between refreshes (used from one thread at a time): the day's
    calls bucketed by (queue, interval), finished intervals' figures, staffing results by
    their inputs, the spans' tally and the history."""

    def __init__(self) -> None:
        self.history = _History()
        self.actuals = ActualsCache()
        self.staffed = _Staffed()
        self.key: tuple[float, int] | None = None
        self.rev = 0
        self.where: dict[tuple[str, str], tuple[str, int]] = {}  # call → its bucket
        self.buckets: dict[tuple[str, int], dict[tuple[str, str], CallRecord]] = {}
        self.stats: dict[tuple[str, int], QueueIntervalStats] = {}  # finished, unchanged
        self.staffing: dict[tuple[float, float, float, float, float], Staffing] = {}
        self.members = _Members()

    def reset(self, key: tuple[float, int]) -> None:
        self.key, self.rev = key, 0
        self.where, self.buckets, self.stats, self.staffing = {}, {}, {}, {}
        self.staffed.reset(key)
        self.actuals = ActualsCache()

    def _put(self, c: CallRecord, starts: Sequence[float]) -> None:
        ck = (c.callid, c.queue)
        old = self.where.get(ck)
        if old is not None:
            self.buckets[old].pop(ck, None)
            self.stats.pop(old, None)
        i = bisect_right(starts, c.entered_at) - 1
        if i < 0:
            return
        b = (c.queue, i)
        self.where[ck] = b
        self.buckets.setdefault(b, {})[ck] = c
        self.stats.pop(b, None)

    def read_calls(
        self, conn: Connection, start: float, end: float, starts: Sequence[float]
    ) -> None:
        rev = queries.call_rev(conn)  # first: a batch landing meanwhile is read again
        fresh = (
            queries.calls_changed(conn, self.rev, start, end)
            if self.rev
            else queries.calls_entered(conn, start, end)
        )
        for c in fresh:
            self._put(c, starts)
        self.rev = rev

    def staff(self, requests: list[tuple[float, float, float, float, float]]) -> list[Staffing]:
        """Erlang for each request, given as a `StaffingRequest`'s first five fields; results
        kept by them (a finished interval's never change, and a forecast's are the same all
        day). Plain tuples: hashed and compared in C, where the frozen dataclass's generated
        `__hash__` and `__eq__` run in Python, two or three of each a request a refresh."""
        known = self.staffing
        todo = [r for r in dict.fromkeys(requests) if r not in known]
        if todo:
            for r, got in zip(todo, staff_day([StaffingRequest(*r) for r in todo]), strict=True):
                known[r] = got
        return [known[r] for r in requests]


def build_intervals(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    minutes: int = 30,
    cache: IntervalCache | None = None,
) -> IntervalsView:
    tz = settings.tz
    day = local_date(now, tz)
    day_start, day_end = day_bounds(day, tz)
    grid = day_intervals(day, tz, minutes)
    starts = [iv.start for iv in grid]
    cache = cache or IntervalCache()
    if cache.key != (day_start, minutes):
        cache.reset((day_start, minutes))
    with engine.connect() as conn:
        infos = queries.queues(conn)
        cache.history.load(conn, day, tz, minutes)
        cache.read_calls(conn, day_start, day_end, starts)
        agents = queries.acd_agents(conn)
        until = min(now, day_end)
        live: dict[str, tuple[float, AgentState, str | None]] = {}
        if until > day_start:
            # Every ended span written so far into the cache, whatever `now` (read to the
            # day's end: a cache first read at a replayed past has the spans after it when
            # it steps on); the lasting states apart. The per-agent lists, cut at `now`, that
            # `ActualsCache.actuals` would copy for every agent are not needed here.
            cache.actuals.update(conn, agents, day_start, day_end)
            live = schedules.live_states(conn, agents)
        names = tuple(q.name for q in infos)
        shares = cache.members.read(conn, day_start, day_end, names)

    # Seconds on the phones per (queue, interval). Live: ended spans tallied once, each
    # agent's lasting state added afresh. At a past `now` (replay) the cache's spans run past
    # it, so everything is tallied from the spans cut at `now`, and nothing is kept.
    closed = cache.actuals.closed if until > day_start else {}
    replay = any(spans and spans[-1].end > until for spans in closed.values())
    if not replay:
        cache.staffed.update(closed, starts, shares)
        staffed_sec = dict(cache.staffed.totals)
        for agent, (since, st, _reason) in live.items():
            if since < until:
                span = (max(since, day_start), until, st)
                _Staffed.tally((span,), starts, shares, agent, staffed_sec)
    else:  # agent by agent, in the order a fresh read adds them up (the same sums, bit for bit)
        staffed_sec = {}
        for agent in agents:
            cut = [
                (x.start, min(x.end, until), x.state)
                for x in closed.get(agent, ())
                if x.start < until
            ]
            lasting = live.get(agent)
            if lasting is not None and lasting[0] < until:
                cut.append((max(lasting[0], day_start), until, lasting[1]))
            _Staffed.tally(cut, starts, shares, agent, staffed_sec)

    rows: list[
        tuple[QueueInfo, Interval, str, Forecast | None, QueueIntervalStats | None, float | None]
    ] = []  # noqa: E501
    labels = [_label_of(iv) for iv in grid]
    for info in infos:
        for i, iv in enumerate(grid):
            state = "done" if iv.end <= now else ("current" if iv.start <= now else "later")
            fc = cache.history.forecast(info.name, labels[i])
            stats = staffed = None
            if state != "later":
                key = (info.name, i)
                stats = cache.stats.get(key) if not replay else None
                if stats is None:
                    stats = compute_stats(
                        calls_as_of(cache.buckets.get(key, {}).values(), now),
                        queue=info.name,
                        now=now,
                        target_seconds=info.target_seconds,
                        short_abandon_seconds=settings.short_abandon_seconds,
                        formula=settings.sl_formula,
                        interval_start=iv.start,
                        interval_end=iv.end,
                    )
                    if state == "done" and not replay and not stats.waiting:
                        cache.stats[key] = stats
                elapsed = min(now, iv.end) - iv.start
                # Rounded: sums of the same seconds in another order (a cache's tally, a
                # replay's) differ in the last bits, and the screen shows one decimal.
                staffed = round(staffed_sec.get(key, 0.0) / elapsed, 4) if elapsed > 0 else 0.0
            rows.append((info, iv, state, fc, stats, staffed))

    # The AHT staffing goes by: the interval's own, else the forecast's, else the queue's
    # mean today, else DEFAULT_AHT.
    today_aht: dict[str, list[float]] = {}
    for info, _iv, _st, _fc, stats, _s in rows:
        if stats is not None and stats.aht_seconds is not None:
            today_aht.setdefault(info.name, []).append(stats.aht_seconds)
    fallback = {q: sum(v) / len(v) for q, v in today_aht.items()}
    requests: list[tuple[float, float, float, float, float]] = []
    for info, iv, state, fc, stats, _s in rows:
        seconds = iv.end - iv.start
        base = fallback.get(info.name) or DEFAULT_AHT
        if stats is not None:
            offered = float(stats.offered)
            if state == "current":  # the rate so far, over the whole interval
                offered *= seconds / max(now - iv.start, 60.0)
            aht = stats.aht_seconds or (fc.aht if fc else None) or base
            requests.append(
                (
                    round(offered, 2),
                    seconds,
                    round(aht, 1),
                    info.target_fraction,
                    float(info.target_seconds),
                )
            )
        if fc is not None:
            requests.append(
                (
                    round(fc.calls, 2),
                    seconds,
                    round(fc.aht or base, 1),
                    info.target_fraction,
                    float(info.target_seconds),
                )
            )
    staffing = iter(cache.staff(requests))
    out_rows: dict[str, list[IntervalRow]] = {q.name: [] for q in infos}
    for info, iv, state, fc, stats, staffed in rows:
        need_a = next(staffing) if stats is not None else None
        need_f = next(staffing) if fc is not None else None
        out_rows[info.name].append(
            IntervalRow(iv.start, iv.end, _label_of(iv), state, fc, stats, need_a, need_f, staffed)
        )
    return IntervalsView(
        now,
        minutes,
        day,
        tuple(QueueDay(info, tuple(out_rows[info.name])) for info in infos),
        forecast_method(day, cache.history.weeks),
    )
