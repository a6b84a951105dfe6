"""Schedule adherence at one instant and over a day: the store's rows through the pure
engine in `floorsup.domain.adherence`. Runs in the TUI's thread worker, in the report and in
the benchmark; returns plain frozen values only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from floorsup.config import Settings
from floorsup.domain.adherence import (
    Actual,
    AgentAdherence,
    Authorization,
    NowStatus,
    Rules,
    Segment,
    adherence_now,
    agent_adherence_now,
    make_rules,
)
from floorsup.domain.intervals import day_bounds, local_date
from floorsup.domain.types import AgentState
from floorsup.store import schedules
from floorsup.store.schedules import AdherencePerson, SegmentRow


def rules_from(settings: Settings) -> Rules:
    return make_rules(
        settings.activities,
        settings.reason_map,
        activity_equivalency=settings.activity_equivalency,
        exception_threshold_seconds=settings.exception_threshold_seconds,
        severe_threshold_seconds=settings.severe_threshold_seconds,
    )


@dataclass(frozen=True, slots=True)
class AdherenceRow:
    person: AdherencePerson
    now: NowStatus
    # The day so far (to `now`, or the whole day when it is over); None in the floor's
    # glance for someone in adherence now (see build_adherence's `glance`).
    day: AgentAdherence | None
    schedule: tuple[SegmentRow, ...]
    actuals: tuple[Actual, ...]

    @property
    def on_now(self) -> bool:
        """Scheduled to work now (anything but off) or logged in now: the live view's rows."""
        return (
            self.now.scheduled_activity not in (None, "off")
            or self.now.state is not AgentState.LOGGED_OUT
        )


@dataclass(frozen=True, slots=True)
class AdherenceSnapshot:
    now: float
    day_start: float
    day_end: float
    rows: tuple[AdherenceRow, ...]
    teams: tuple[str, ...]

    @property
    def live_rows(self) -> tuple[AdherenceRow, ...]:
        return tuple(r for r in self.rows if r.on_now)

    def counts(self) -> tuple[int, int, int, int]:
        """(in, out, of which severe, unscheduled) among the people on now."""
        inn = out = severe = unscheduled = 0
        for r in self.live_rows:
            if r.now.in_adherence is None:
                unscheduled += 1
            elif r.now.in_adherence:
                inn += 1
            else:
                out += 1
                severe += r.now.severe
        return inn, out, severe, unscheduled


class ActualsCache:
    """Today's ended state spans per agent, held between refreshes as domain `Actual`s.
    Each refresh reads only the span rows written since the last one (by id: the ingest
    only adds them), so a refresh costs what changed, not the day. Used from one thread at
    a time (a screen's fetches never overlap)."""

    def __init__(self) -> None:
        self.key: tuple[float, frozenset[str]] | None = None
        self.last_id = 0
        self.closed: dict[str, list[Actual]] = {}

    def _add(
        self,
        agent: str,
        start: float,
        end: float,
        state: AgentState,
        reason: str | None,
        day_start: float,
    ) -> None:
        s = max(start, day_start)
        if end > s:
            self.closed.setdefault(agent, []).append(
                Actual(s, end, state, reason if state is AgentState.PAUSED else None)
            )

    def _load(self, conn: Connection, agents: list[str], day_start: float, now: float) -> None:
        # by agent, then start: each agent's list is built in order
        for _i, a, st, en, state, reason in schedules.closed_spans_for_day(
            conn, agents, day_start, now
        ):
            self._add(a, st, en, state, reason, day_start)

    def actuals(
        self, conn: Connection, agents: list[str], day_start: float, now: float
    ) -> dict[str, list[Actual]]:
        self.update(conn, agents, day_start, now)
        return self.assemble(schedules.live_states(conn, agents), agents, day_start, now)

    def update(self, conn: Connection, agents: list[str], day_start: float, now: float) -> None:
        """Read the span rows written since the last call into `closed`."""
        key = (day_start, frozenset(agents))
        if self.key != key:
            self.key, self.closed = key, {}
            self.last_id = schedules.max_span_id(
                conn
            )  # first: a span landing meanwhile is read again
            self._load(conn, agents, day_start, now)
        else:
            replayed: set[str] = set()
            for i, a, st, en, state, reason in sorted(
                schedules.spans_after(conn, self.last_id), key=lambda r: r[2]
            ):
                self.last_id = max(self.last_id, i)
                if a not in key[1] or en <= day_start:
                    continue
                have = self.closed.get(a)
                if have and st < have[-1].end:
                    replayed.add(a)  # a late line replayed this agent's spans: read it anew
                    continue
                self._add(a, st, en, state, reason, day_start)
            for a in replayed:
                self.closed[a] = []
                self._load(conn, [a], day_start, now)

    def assemble(
        self,
        live: dict[str, tuple[float, AgentState, str | None]],
        agents: list[str],
        day_start: float,
        now: float,
    ) -> dict[str, list[Actual]]:
        """Each agent's ended spans cut at `now`, and the state that lasts, to `now`."""
        out: dict[str, list[Actual]] = {}
        for a in agents:
            spans = self.closed.get(a, [])
            if spans and spans[-1].end > now:  # a past `now` (replay): cut at it
                spans = [
                    x if x.end <= now else Actual(x.start, now, x.state, x.reason)
                    for x in spans
                    if x.start < now
                ]
            else:
                spans = list(spans)
            lasting = live.get(a)
            if lasting is not None and lasting[0] < now:
                since, state, reason = lasting
                spans.append(
                    Actual(
                        max(since, day_start),
                        now,
                        state,
                        reason if state is AgentState.PAUSED else None,
                    )
                )
            out[a] = spans
        return out


def worst_first(row: AdherenceRow) -> tuple[int, float, float, str]:
    """Severe and longest out first, then out, then lowest adherence so far, unscheduled last."""
    status = row.now
    if status.in_adherence is False:
        rank = 0 if status.severe else 1
        since = status.out_since if status.out_since is not None else 0.0
    elif status.in_adherence is True:
        rank, since = 2, 0.0
    else:
        rank, since = 3, 0.0
    day = row.day
    adherence = day.adherence if day is not None and day.adherence is not None else 2.0
    return (rank, since, adherence, row.person.name.lower())


def build_adherence(
    engine: Engine,
    settings: Settings,
    now: float,
    *,
    day: dt.date | None = None,
    team: str | None = None,
    cache: ActualsCache | None = None,
    with_exceptions: bool = True,
    glance: bool = False,
) -> AdherenceSnapshot:
    """Everyone scheduled on `day` (default: today at `now`) or logged in at `now`, with
    their state now and their adherence over the day so far (or the whole day if past).
    The live views pass `with_exceptions=False`: they show the figures, not the list of
    exceptions (the report and the agent page list them).

    `glance` is the floor's summary line: who is out now and since when. The day's figures
    are worked out only for those out (they order the worst first); everyone else's `day`
    is None. Their status reads back only through the schedule block they are in, so this
    costs a fraction of the whole day's sweep for everyone, which grows through the day."""
    tz = settings.tz
    day = day or local_date(now, tz)
    day_start, day_end = day_bounds(day, tz)
    until = min(now, day_end)
    rules = rules_from(settings)
    with engine.connect() as conn:
        people = schedules.agents_for_adherence(conn)
        plan = schedules.schedule_for_day(conn, day_start, day_end)
        agents = [p.agent for p in people if p.agent]
        actual = (
            (cache or ActualsCache()).actuals(conn, agents, day_start, until)
            if until > day_start
            else {}
        )
        allowed = schedules.authorizations_for_day(conn, day_start, day_end)
    rows: list[AdherenceRow] = []
    teams: set[str] = set()
    for person in people:
        if person.team:
            teams.add(person.team)
        if team and (person.team or "").lower() != team.lower():
            continue
        seg_rows = tuple(plan.get(person.staff_id, ()))
        actuals = actual.get(person.agent, []) if person.agent else []
        working = False  # logged in at `until`: the spans run in order, so from the end
        for a in reversed(actuals):
            if a.end < until:
                break
            if a.state is not AgentState.LOGGED_OUT:
                working = True
                break
        if not seg_rows and not working:
            continue
        segments = [Segment(s.start, s.end, s.activity) for s in seg_rows]
        auths = [
            Authorization(a.start, a.end, a.authorized_by, a.reason)
            for a in allowed.get(person.staff_id, ())
        ]
        day_figures: AgentAdherence | None = None
        if glance:
            status = adherence_now(segments, actuals, now=until, rules=rules, authorizations=auths)
        if not glance or status.in_adherence is False:
            day_figures, status = agent_adherence_now(
                segments,
                actuals,
                start=day_start,
                now=until,
                rules=rules,
                authorizations=auths,
                with_exceptions=with_exceptions,
            )
        rows.append(AdherenceRow(person, status, day_figures, seg_rows, tuple(actuals)))
    rows.sort(key=worst_first)
    return AdherenceSnapshot(now, day_start, day_end, tuple(rows), tuple(sorted(teams)))
