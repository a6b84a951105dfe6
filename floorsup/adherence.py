"""Schedule adherence at one instant and over a day: the store's rows through the pure
engine in `floorsup.domain.adherence`. Runs in the TUI's thread worker, in the report and in
the benchmark; returns plain frozen values only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from sqlalchemy import Connection, Engine

from floorsup.config import Settings
from floorsup.domain.adherence import (
    Actual,
    AgentAdherence,
    Authorization,
    NowStatus,
    PlanStretch,
    Rules,
    Segment,
    adherence_glance,
    agent_adherence_now,
    make_rules,
    schedule_plan,
)
from floorsup.domain.intervals import day_bounds, local_date
from floorsup.domain.types import AgentState
from floorsup.store import glance as glance_reads
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


class DaySpans(Sequence[Actual]):
    """One agent's spans in a glance row: the ended ones (a tuple the cache keeps between
    refreshes) then the lasting one to `now`, as one read-only sequence, so a refresh does
    not copy every agent's day into a new tuple. Equal to the tuple of the same spans (and
    hashed as it is): a glance's rows compare as they would with that tuple."""

    __slots__ = ("_head", "_last")

    def __init__(self, head: tuple[Actual, ...], last: Actual) -> None:
        self._head = head
        self._last = last

    def whole(self) -> tuple[Actual, ...]:
        return self._head + (self._last,)

    def __len__(self) -> int:
        return len(self._head) + 1

    @overload
    def __getitem__(self, i: int) -> Actual: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Actual, ...]: ...
    def __getitem__(self, i: int | slice) -> Actual | tuple[Actual, ...]:
        if i == -1:  # the lasting span: what a glance looks at first
            return self._last
        if isinstance(i, slice):
            return self.whole()[i]
        if i == len(self._head):
            return self._last
        return self._head[i + 1 if i < 0 else i]

    def __iter__(self) -> Iterator[Actual]:
        yield from self._head
        yield self._last

    def __reversed__(self) -> Iterator[Actual]:
        yield self._last
        yield from reversed(self._head)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DaySpans):
            return self._last == other._last and self._head == other._head
        if isinstance(other, tuple):
            return self.whole() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.whole())

    def __repr__(self) -> str:
        return repr(self.whole())


@dataclass(frozen=True, slots=True)
class AdherenceRow:
    person: AdherencePerson
    now: NowStatus
    # The day so far (to `now`, or the whole day when it is over); None in the floor's
    # glance for someone in adherence now (see build_adherence's `glance`).
    day: AgentAdherence | None
    schedule: tuple[SegmentRow, ...]
    # In time order: a tuple, or in a glance a `DaySpans` (equal to the same tuple).
    actuals: Sequence[Actual]

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
        # The floor's glance: each agent's `closed` as a tuple, and whether it is sorted by
        # start (made again when the agent's spans change), and what it keeps between
        # refreshes besides the spans (see `_Glance`).
        self.frozen: dict[str, tuple[tuple[Actual, ...], bool]] = {}
        self.glance: _Glance | None = None

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
            self.frozen.pop(agent, None)

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
            self.key, self.closed, self.frozen = key, {}, {}
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
                self.frozen.pop(a, None)
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

    def actuals_of(
        self,
        agent: str,
        lasting: tuple[float, AgentState, str | None] | None,
        day_start: float,
        now: float,
    ) -> tuple[Sequence[Actual], bool]:
        """One agent's entry of `assemble` (a tuple, or a `DaySpans` equal to it), and
        whether it is sorted by start. The ended spans are copied into a tuple once, when
        they change, not at every refresh."""
        got = self.frozen.get(agent)
        if got is None:
            closed = tuple(self.closed.get(agent, ()))
            starts = [x.start for x in closed]  # in order as built; checked all the same
            got = self.frozen[agent] = (closed, starts == sorted(starts))
        spans, ordered = got
        if spans and spans[-1].end > now:  # a past `now` (replay): cut at it
            spans = tuple(
                x if x.end <= now else Actual(x.start, now, x.state, x.reason)
                for x in spans
                if x.start < now
            )
        if lasting is not None:
            since, state, reason = lasting
            if since < now:
                if since < day_start:
                    since = day_start
                last = Actual(since, now, state, reason if state is AgentState.PAUSED else None)
                if spans and since < spans[-1].start:
                    ordered = False
                return DaySpans(spans, last), ordered
        return spans, ordered


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
    are worked out only for those out (they order the worst first, and the same sweep
    says since when); everyone else's `day` is None, and their status costs a bisection
    in their plan and one in their spans (`adherence_glance`), not a sweep of the day.
    With a `cache`, the glance also keeps the roster, the day's schedules and
    authorisations (read again only when their marks in `floorsup.store.glance` move),
    each person's resolved plan and each agent's ended spans as a tuple between calls;
    its rows' spans are `DaySpans` over those tuples (equal to the tuples a fresh read
    gives), so a repeat call does not copy anyone's day."""
    tz = settings.tz
    day = day or local_date(now, tz)
    day_start, day_end = day_bounds(day, tz)
    until = min(now, day_end)
    rules = rules_from(settings)
    if glance:
        return _glance(
            engine, cache or ActualsCache(), now, until, day_start, day_end, rules, team,
            with_exceptions,
        )  # fmt: skip
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


@dataclass(slots=True)
class _Glance:
    """What the floor's glance keeps between calls, besides the spans: the roster, the
    day's schedules and authorisations as the rows need them, each with the mark it was
    read at, and each person's plan resolved under `rules`."""

    roster: glance_reads.Mark
    people: list[AdherencePerson]
    agents: list[str]
    teams: tuple[str, ...]
    day: tuple[float, float]
    plan_mark: glance_reads.Mark
    plan: dict[str, tuple[SegmentRow, ...]]
    auth_mark: glance_reads.Mark
    auths: dict[str, tuple[Authorization, ...]]
    rules: Rules | None = None
    # Per person, in the order `worst_first` puts those of equal rank in adherence (their
    # names in lower case, then the roster's order): (person, team in lower case,
    # schedule rows, resolved plan, authorisations).
    entries: list[_Entry] | None = None


_Entry = tuple[
    AdherencePerson,
    str,
    tuple[SegmentRow, ...],
    tuple[PlanStretch, ...],
    tuple[Authorization, ...],
]


def _plans(conn: Connection, day_start: float, day_end: float) -> dict[str, tuple[SegmentRow, ...]]:
    return {
        sid: tuple(rows)
        for sid, rows in schedules.schedule_for_day(conn, day_start, day_end).items()
    }


def _allowed(
    conn: Connection, day_start: float, day_end: float
) -> dict[str, tuple[Authorization, ...]]:
    return {
        sid: tuple(Authorization(a.start, a.end, a.authorized_by, a.reason) for a in rows)
        for sid, rows in schedules.authorizations_for_day(conn, day_start, day_end).items()
    }


def _held(
    cache: ActualsCache, conn: Connection, day_start: float, day_end: float, rules: Rules
) -> _Glance:
    """The roster, schedules and authorisations, read again only where a mark moved (the
    marks first: a write landing meanwhile moves them again for the next call)."""
    roster = glance_reads.roster_mark(conn)
    plan_mark, auth_mark = glance_reads.schedule_marks(conn)
    day = (day_start, day_end)
    g = cache.glance
    if g is None:
        people = schedules.agents_for_adherence(conn)
        g = cache.glance = _Glance(
            roster, people, [p.agent for p in people if p.agent],
            tuple(sorted({p.team for p in people if p.team})), day,
            plan_mark, _plans(conn, day_start, day_end),
            auth_mark, _allowed(conn, day_start, day_end),
        )  # fmt: skip
    else:
        if g.roster != roster:
            people = schedules.agents_for_adherence(conn)
            g.roster, g.people, g.entries = roster, people, None
            g.agents = [p.agent for p in people if p.agent]
            g.teams = tuple(sorted({p.team for p in people if p.team}))
        if g.day != day or g.plan_mark != plan_mark:
            g.plan_mark, g.plan, g.entries = plan_mark, _plans(conn, day_start, day_end), None
        if g.day != day or g.auth_mark != auth_mark:
            g.auth_mark, g.auths, g.entries = auth_mark, _allowed(conn, day_start, day_end), None
        g.day = day
    if g.rules != rules:
        g.rules, g.entries = rules, None
    if g.entries is None:
        g.entries = [
            (
                p,
                (p.team or "").lower(),
                segs := g.plan.get(p.staff_id, ()),
                schedule_plan([Segment(s.start, s.end, s.activity) for s in segs], rules),
                g.auths.get(p.staff_id, ()),
            )
            for p in sorted(g.people, key=lambda p: p.name.lower())
        ]
    return g


def _glance(
    engine: Engine,
    cache: ActualsCache,
    now: float,
    until: float,
    day_start: float,
    day_end: float,
    rules: Rules,
    team: str | None,
    with_exceptions: bool,
) -> AdherenceSnapshot:
    """build_adherence's glance (see there): the same snapshot, from what `cache` holds."""
    live: dict[str, tuple[float, AgentState, str | None]] = {}
    with engine.connect() as conn:
        g = _held(cache, conn, day_start, day_end, rules)
        alive = until > day_start
        if alive:
            cache.update(conn, g.agents, day_start, until)
            live = glance_reads.live_states_all(conn)
    assert g.entries is not None
    want = team.lower() if team else None
    # The rows in worst_first's order without sorting them all: the entries come in the
    # order it gives those of equal rank (in adherence; unscheduled), so only the few
    # out of adherence are sorted (stable, as a sort of them all would be).
    out: list[AdherenceRow] = []
    inn: list[AdherenceRow] = []
    unscheduled: list[AdherenceRow] = []
    logged_out = AgentState.LOGGED_OUT
    actuals_of = cache.actuals_of
    no_spans: Sequence[Actual] = ()
    for person, team_l, seg_rows, plan, auths in g.entries:
        if want is not None and team_l != want:
            continue
        agent = person.agent
        if agent and alive:
            actuals, ordered = actuals_of(agent, live.get(agent), day_start, until)
        else:
            actuals, ordered = no_spans, True
        if not seg_rows:
            working = False  # logged in at `until`: the spans run in order, so from the end
            for a in reversed(actuals):
                if a.end < until:
                    break
                if a.state is not logged_out:
                    working = True
                    break
            if not working:
                continue
        day_figures, status = adherence_glance(
            plan,
            actuals,
            start=day_start,
            now=until,
            rules=rules,
            authorizations=auths,
            with_exceptions=with_exceptions,
            in_order=ordered,
        )
        verdict = status.in_adherence
        row = AdherenceRow(person, status, day_figures, seg_rows, actuals)
        if verdict is False:
            out.append(row)
        elif verdict:
            inn.append(row)
        else:
            unscheduled.append(row)
    out.sort(key=worst_first)
    return AdherenceSnapshot(now, day_start, day_end, (*out, *inn, *unscheduled), g.teams)
