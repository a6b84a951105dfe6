"""Adherence per person per closed day, worked out once and kept in adherence_day.

The mastery and mentor rules judge adherence over weeks. Recomputing weeks of state spans
against weeks of schedule on every refresh would cost far more than reading a few rows, and
a closed day's figures do not change, so each day is computed once and read back as sums.
The figures are those of the adherence screen for that day: the same reads (store.schedules)
through the same engine (domain.adherence.agent_adherence) with the same rules made from
the settings.

A day is the site's local calendar day, as on the adherence screen: a night shift counts on
each day it covers. "Closed" means before the local date of `now`: today is never stored,
since its figures are still moving. A day with stored rows is not computed again; a day is
"missing" when some active person has schedule on it and nobody has a row for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from sqlalchemy import Connection, Engine

from floorsup.domain.adherence import (
    Actual,
    Authorization,
    Rules,
    Segment,
    agent_adherence,
    make_rules,
)
from floorsup.domain.intervals import day_bounds, local_date
from floorsup.store import schedules
from floorsup.store.engine import write_conn
from floorsup.store.sql import executemany, fetchall

_DAY = dt.timedelta(days=1)


class AdherenceSettings(Protocol):
    """What computing a day needs from floorsup.config.Settings (which has all of it)."""

    @property
    def tz(self) -> str: ...
    @property
    def activities(self) -> Mapping[str, bool]: ...
    @property
    def reason_map(self) -> Mapping[str, str]: ...
    @property
    def activity_equivalency(self) -> bool: ...
    @property
    def exception_threshold_seconds(self) -> float: ...
    @property
    def severe_threshold_seconds(self) -> float: ...


def _rules(settings: AdherenceSettings) -> Rules:
    # As floorsup.adherence.rules_from: the screen and the stored days judge alike.
    return make_rules(
        settings.activities,
        settings.reason_map,
        activity_equivalency=settings.activity_equivalency,
        exception_threshold_seconds=settings.exception_threshold_seconds,
        severe_threshold_seconds=settings.severe_threshold_seconds,
    )


def compute_day(
    conn: Connection, day: dt.date, tz: str, rules: Rules
) -> list[tuple[str, dt.date, float, float]]:
    """Each active person scheduled on the local `day`: (staff_id, day, scheduled seconds,
    adherent seconds) over the whole day, as the adherence screen shows a past day. Time
    authorised by a supervisor counts as adherent; so do runs shorter than the exception
    threshold. Meant for a closed day: what the agent does now is read as lasting to the
    end of it."""
    day_start, day_end = day_bounds(day, tz)
    people = schedules.agents_for_adherence(conn)
    plan = schedules.schedule_for_day(conn, day_start, day_end)
    agents = [p.agent for p in people if p.agent and p.staff_id in plan]
    actual = schedules.actuals_for_day(conn, agents, day_start, day_end)
    allowed = schedules.authorizations_for_day(conn, day_start, day_end)
    out: list[tuple[str, dt.date, float, float]] = []
    for person in people:
        segs = plan.get(person.staff_id)
        if not segs:
            continue
        figures = agent_adherence(
            [Segment(s.start, s.end, s.activity) for s in segs],
            [
                Actual(a.start, a.end, a.state, a.reason)
                for a in (actual.get(person.agent, []) if person.agent else [])
            ],
            start=day_start,
            end=day_end,
            rules=rules,
            authorizations=[
                Authorization(a.start, a.end, a.authorized_by, a.reason)
                for a in allowed.get(person.staff_id, ())
            ],
            with_exceptions=False,
        )
        out.append((person.staff_id, day, figures.scheduled_seconds, figures.in_adherence_seconds))
    return out


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def day_totals(conn: Connection, first: dt.date, last: dt.date) -> dict[str, tuple[float, float]]:
    """staff_id -> (scheduled seconds, adherent seconds) summed over the stored days from
    `first` to `last` (both included). People with no stored day are absent; adherence over
    the period is adherent / scheduled (None when scheduled is 0)."""
    return {
        sid: (float(sched), float(adh))
        for sid, sched, adh in fetchall(
            conn,
            "SELECT s.staff_id, sum(a.scheduled_seconds), sum(a.adherent_seconds) "
            'FROM adherence_day a JOIN staff s ON s.id = a.staff_pk WHERE a."day" BETWEEN ? AND ? '
            "GROUP BY s.staff_id ORDER BY s.staff_id",
            (first.isoformat(), last.isoformat()),
        )
    }


def person_days(
    conn: Connection, staff_ids: Sequence[str], first: dt.date, last: dt.date
) -> dict[str, list[tuple[dt.date, float, float]]]:
    """Each of these people's stored days from `first` to `last`: (day, scheduled seconds,
    adherent seconds), by day. One statement for any number of people (the mentor board)."""
    if not staff_ids:
        return {}
    out: dict[str, list[tuple[dt.date, float, float]]] = {}
    for sid, day, sched, adh in fetchall(
        conn,
        'SELECT s.staff_id, a."day", a.scheduled_seconds, a.adherent_seconds '
        "FROM adherence_day a JOIN staff s ON s.id = a.staff_pk "
        f'WHERE a."day" BETWEEN ? AND ? AND s.staff_id IN ({", ".join("?" * len(staff_ids))}) '
        'ORDER BY s.staff_id, a."day"',
        (first.isoformat(), last.isoformat(), *staff_ids),
    ):
        out.setdefault(str(sid), []).append((_date(day), float(sched), float(adh)))
    return out


def stored_days(conn: Connection, first: dt.date, last: dt.date) -> set[dt.date]:
    """The days from `first` to `last` that have at least one adherence_day row."""
    return {
        _date(d)
        for (d,) in fetchall(
            conn,
            'SELECT DISTINCT "day" FROM adherence_day WHERE "day" BETWEEN ? AND ?',
            (first.isoformat(), last.isoformat()),
        )
    }


def missing_days(
    conn: Connection, first: dt.date, last: dt.date, *, tz: str | None = None
) -> list[dt.date]:
    """Days from `first` to `last` with schedule for an active person but no adherence_day
    row, in order. Without `tz` a day has schedule when a shift is dated that day; with the
    site's `tz`, also when a night shift dated the day before runs into it (what the
    adherence engine counts on that day)."""
    if last < first:
        return []
    lo = first - (2 * _DAY if tz else dt.timedelta(0))
    scheduled: set[dt.date] = set()
    for day, lo_start, hi_end in fetchall(
        conn,
        'SELECT g.shift_date, min(g.start), max(g."end") FROM schedule_segment g '
        "JOIN staff s ON s.id = g.staff_pk WHERE s.active AND g.shift_date BETWEEN ? AND ? "
        "GROUP BY g.shift_date",
        (lo.isoformat(), last.isoformat()),
    ):
        if tz is None:
            scheduled.add(_date(day))
            continue
        # Every local day the shifts of this date touch (a shift is at most about a day).
        d = min(_date(day), local_date(float(lo_start), tz))
        while d <= last and day_bounds(d, tz)[0] < float(hi_end):
            if day_bounds(d, tz)[1] > float(lo_start):
                scheduled.add(d)
            d += _DAY
    have = stored_days(conn, first, last)
    return sorted(d for d in scheduled if first <= d <= last and d not in have)


def store_days(
    engine: Engine, rows: Iterable[tuple[str, dt.date, float, float]], now: float
) -> int:
    """Write (staff_id, day, scheduled seconds, adherent seconds) rows, replacing any stored
    for the same person and day, in one transaction. A staff_id not on the roster refuses
    the whole batch (ValueError); nothing is written then. Returns how many rows."""
    batch = list(rows)
    if not batch:
        return 0
    with write_conn(engine) as conn, conn.begin():
        pks = {s: int(i) for i, s in fetchall(conn, "SELECT id, staff_id FROM staff")}
        unknown = sorted({r[0] for r in batch} - set(pks))
        if unknown:
            raise ValueError(f"not on the roster: {', '.join(unknown)}")
        executemany(
            conn,
            'INSERT INTO adherence_day (staff_pk, "day", scheduled_seconds, adherent_seconds, '
            'computed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (staff_pk, "day") DO UPDATE SET '
            "scheduled_seconds = excluded.scheduled_seconds, "
            "adherent_seconds = excluded.adherent_seconds, computed_at = excluded.computed_at",
            [(pks[sid], day.isoformat(), float(s), float(a), now) for sid, day, s, a in batch],
        )
    return len(batch)


def ensure_days(
    engine: Engine, settings: AdherenceSettings, first: dt.date, last: dt.date, now: float
) -> list[dt.date]:
    """Compute and store every missing closed day from `first` to `last` (days before the
    local date of `now` in `settings.tz`); days already stored are left as they are. Each
    day is written in its own transaction, so an interrupted run keeps what it finished.
    Returns the days computed, in order."""
    tz = settings.tz
    last = min(last, local_date(now, tz) - _DAY)
    if last < first:
        return []
    with engine.connect() as conn:
        todo = missing_days(conn, first, last, tz=tz)
    rules = _rules(settings)
    for day in todo:
        with engine.connect() as conn:
            rows = compute_day(conn, day, tz, rules)
        store_days(engine, rows, now)
    return todo
