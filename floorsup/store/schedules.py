"""Schedules: import `staff_id,date,start,end,activity`, edit one person's day, and the reads
adherence needs (the plan, what happened, what a supervisor authorised).

The CSV file, row by row:

* `date` is the local date the shift belongs to (YYYY-MM-DD); `start` and `end` are local
  times HH:MM (00:00 to 23:59) in the site's zone.
* An `end` earlier than its `start` runs past midnight into the next day (`22:00,06:00`;
  `22:00,00:00` ends at midnight). An `end` equal to its `start` is rejected: it would be
  either nothing or a whole day, and neither is a segment anyone means.
* Night shifts: write every row of the shift under the shift's date, in time order. Once a
  row has run past midnight, the rows after it in the file for that person and date are
  after midnight too (on the next calendar day): `22:00,02:00,open` then
  `02:00,02:30,lunch` then `02:30,06:00,open`. A shift spanning more than 24 hours of
  clock time is rejected (it usually means rows out of order).
* Local times become UTC epoch seconds through the zone's rules, so a day when the clocks
  change is as long as it really is. A time that does not exist (in the gap when the
  clocks go forward) rejects the row; a time that happens twice (when they go back) is
  taken at its first occurrence.
* Activities: `open, break, lunch, meeting, training, coaching, off` and the names in the
  settings' `[activities]`; case does not matter, they are stored in lower case.
* The whole file is checked first: unknown staff_id, unknown activity, bad date or time,
  empty segments, segments of one person that overlap (each other, or a stored day the
  file does not replace) and missing columns each reject the whole file with
  `file:line: what was expected`, and nothing changes.
* Importing replaces, for each (staff_id, date) in the file, that person's whole day; the
  days not in the file stay as they were. All in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine

from floorsup.domain.intervals import day_out_of_range
from floorsup.domain.types import AgentState
from floorsup.store import audit
from floorsup.store.access import Actor, require
from floorsup.store.engine import write_conn
from floorsup.store.roster import ImportError_, csv_rows, read_csv_text
from floorsup.store.sql import execute, executemany, fetchall

SCHEDULE_COLUMNS = ("staff_id", "date", "start", "end", "activity")
BUILTIN_ACTIVITIES = ("open", "break", "lunch", "meeting", "training", "coaching", "off")
MAX_SHIFT = dt.timedelta(hours=24)  # of local clock time, a shift's first start to last end
MAX_SHIFT_SECONDS = 25 * 3600  # the same in real time (a day the clocks go back)
_CHUNK = 500  # bound parameters per IN (...) list
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


# -- values returned ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    days: int  # (staff, date) days replaced
    staff: int  # people in the file
    segments: int  # segments written
    removed: int  # segments those days held before


@dataclass(frozen=True, slots=True)
class SegmentRow:
    staff_id: str
    shift_date: dt.date
    start: float
    end: float
    activity: str


@dataclass(frozen=True, slots=True)
class AdherencePerson:
    staff_id: str
    name: str
    team: str | None
    agent: str | None  # the canonical ACD name (the roster's first for this person)


@dataclass(frozen=True, slots=True)
class ActualRow:
    """One stretch of what an agent did, clipped to the window asked for."""

    start: float
    end: float
    state: AgentState
    reason: str | None  # the pause reason (paused only)


@dataclass(frozen=True, slots=True)
class AuthorizationRow:
    id: int
    staff_id: str
    start: float
    end: float
    authorized_by: str
    authorized_at: float
    reason: str


# -- activities -----------------------------------------------------------------------------


def activity_names(activities: Mapping[str, bool] | Iterable[str] = ()) -> frozenset[str]:
    """The activities a schedule may use: the built-in ones and the custom names, lower case."""
    return frozenset(BUILTIN_ACTIVITIES) | {a.strip().lower() for a in activities if a.strip()}


# -- the CSV file ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One parsed row of a schedule file."""

    line: int
    staff_id: str
    shift_date: dt.date
    start: float
    end: float
    activity: str
    local_start: dt.datetime  # naive local wall-clock times, for messages and the 24 h check
    local_end: dt.datetime

    @property
    def shown(self) -> str:
        return f"{self.activity} {self.local_start:%H:%M}-{self.local_end:%H:%M}"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r} (use a name like Europe/London)") from exc


def _clock(text: str) -> dt.time | None:
    m = _HHMM.fullmatch(text)
    if m is None:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def local_instant(wall: dt.datetime, zone: ZoneInfo) -> float | None:
    """A naive local wall-clock time as UTC epoch seconds: the first occurrence of a time
    that happens twice; None for a time that does not exist (skipped when clocks go forward)."""
    ts = wall.replace(tzinfo=zone, fold=0).timestamp()
    if dt.datetime.fromtimestamp(ts, zone).replace(tzinfo=None) != wall:
        return None
    return ts


def parse_schedule(
    path: Path,
    text: str,
    *,
    tz: str,
    activities: Mapping[str, bool] | Iterable[str] = (),
    staff_ids: Collection[str] | None = None,
) -> list[ScheduleRow]:
    """Every row of a schedule file, checked; any problem raises ImportError_ listing them all.
    `staff_ids`: those on the roster (None: not checked)."""
    zone = _zone(tz)
    known = activity_names(activities)
    problems: list[tuple[int, str]] = []  # (line, what was expected)
    reader = csv_rows(path, text)
    try:
        header = [h.strip().lower() for h in next(reader)[1]]
    except StopIteration:
        raise ImportError_(
            str(path), [f"{path}:1: empty file: expected a header {','.join(SCHEDULE_COLUMNS)}"]
        ) from None
    missing = [c for c in SCHEDULE_COLUMNS if c not in header]
    if missing:
        raise ImportError_(
            str(path),
            [f"{path}:1: header lacks {', '.join(missing)}: expected {','.join(SCHEDULE_COLUMNS)}"],
        )
    ix = {c: header.index(c) for c in SCHEDULE_COLUMNS}
    rows: list[ScheduleRow] = []
    past_midnight: set[tuple[str, dt.date]] = set()  # days whose shift has crossed midnight
    for line, row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.append(
                (line, f"expected {len(header)} columns ({','.join(header)}), got {len(row)}")
            )
            continue
        get = {c: row[i].strip() for c, i in ix.items()}
        before = len(problems)
        sid = get["staff_id"]
        if not sid:
            problems.append((line, "staff_id is empty"))
        elif staff_ids is not None and sid not in staff_ids:
            problems.append(
                (line, f"staff_id {sid!r} is not on the roster (import the roster first)")
            )
        activity = get["activity"].lower()
        if activity not in known:
            problems.append(
                (
                    line,
                    f"activity {get['activity']!r} is not one of {', '.join(sorted(known))} "
                    "(custom ones go under [activities] in the settings)",
                )
            )
        day: dt.date | None = None
        try:
            day = dt.date.fromisoformat(get["date"])
        except ValueError:
            problems.append((line, f"date {get['date']!r} is not a date YYYY-MM-DD"))
        else:
            wrong = day_out_of_range(day)
            if wrong:
                problems.append((line, f"date {wrong}"))
                day = None
        start_t, end_t = _clock(get["start"]), _clock(get["end"])
        for col, t in (("start", start_t), ("end", end_t)):
            if t is None:
                problems.append((line, f"{col} {get[col]!r} is not a time HH:MM (00:00 to 23:59)"))
        if start_t is not None and start_t == end_t:
            problems.append(
                (
                    line,
                    f"end {get['end']} equals start: expected a segment that lasts "
                    "(an end before the start runs past midnight)",
                )
            )
        if len(problems) > before or day is None or start_t is None or end_t is None:
            continue
        key = (sid, day)
        wall_day = day + dt.timedelta(days=1) if key in past_midnight else day
        wall_start = dt.datetime.combine(wall_day, start_t)
        wall_end = dt.datetime.combine(wall_day, end_t)
        if end_t < start_t:
            wall_end += dt.timedelta(days=1)
            past_midnight.add(key)
        start, end = local_instant(wall_start, zone), local_instant(wall_end, zone)
        for col, wall, ts in (("start", wall_start, start), ("end", wall_end, end)):
            if ts is None:
                problems.append(
                    (
                        line,
                        f"{col} {wall:%H:%M} on {wall:%Y-%m-%d} does not exist in {tz} "
                        "(the clocks go forward then): expected a time outside the gap",
                    )
                )
        if start is None or end is None:
            continue
        rows.append(ScheduleRow(line, sid, day, start, end, activity, wall_start, wall_end))
    problems += _shape_problems(rows)
    if problems:
        raise ImportError_(str(path), _render(path, problems))
    return rows


def _render(path: Path, problems: Iterable[tuple[int, str]]) -> list[str]:
    return [f"{path}:{line}: {what}" for line, what in sorted(problems, key=lambda p: p[0])]


def _shape_problems(rows: Sequence[ScheduleRow]) -> list[tuple[int, str]]:
    """Shifts over 24 hours, and one person's segments that overlap (within a day or across
    the days of the file)."""
    out: list[tuple[int, str]] = []
    days: dict[tuple[str, dt.date], list[ScheduleRow]] = defaultdict(list)
    for r in rows:
        days[(r.staff_id, r.shift_date)].append(r)
    for (sid, day), group in days.items():
        first = min(group, key=lambda r: r.local_start)
        last = max(group, key=lambda r: r.local_end)
        if last.local_end - first.local_start > MAX_SHIFT:
            out.append(
                (
                    last.line,
                    f"{sid}'s shift of {day} runs from {first.local_start:%Y-%m-%d %H:%M} "
                    f"(line {first.line}) to {last.local_end:%Y-%m-%d %H:%M}: more than 24 hours "
                    "(list a night shift's rows in time order, under the date it starts)",
                )
            )
    by_staff: dict[str, list[ScheduleRow]] = defaultdict(list)
    for r in rows:
        by_staff[r.staff_id].append(r)
    for sid, segs in by_staff.items():
        segs.sort(key=lambda r: (r.start, r.line))
        reach: ScheduleRow | None = None  # the segment so far that ends latest
        for r in segs:
            if reach is not None and r.start < reach.end:
                a, b = sorted((reach, r), key=lambda x: x.line)
                out.append(
                    (
                        b.line,
                        f"{sid} {b.shift_date} {b.shown} overlaps line {a.line} "
                        f"({a.shift_date} {a.shown}): expected one activity at a time",
                    )
                )
            if reach is None or r.end > reach.end:
                reach = r
    return out


# -- writing --------------------------------------------------------------------------------


def _staff_pks(conn: Connection) -> dict[str, int]:
    return {s: int(i) for i, s in fetchall(conn, "SELECT id, staff_id FROM staff")}


def _stored_overlaps(
    conn: Connection, pk: int, kept_out: Collection[str], segs: Sequence[tuple[float, float]]
) -> list[tuple[int, str, float, float, str]]:
    """For each new segment (by index), the stored segment of the same person, on a day not
    being replaced, that it overlaps: (index, shift_date, start, end, activity)."""
    if not segs:
        return []
    lo, hi = min(s for s, _ in segs), max(e for _, e in segs)
    stored = [
        r
        for r in fetchall(
            conn,
            'SELECT shift_date, start, "end", activity FROM schedule_segment '
            'WHERE staff_pk = ? AND start < ? AND "end" > ? ORDER BY start',
            (pk, hi, lo),
        )
        if str(r[0]) not in kept_out
    ]
    out = []
    for i, (s, e) in enumerate(segs):
        for d, s2, e2, act in stored:
            if s < e2 and s2 < e:
                out.append((i, str(d), float(s2), float(e2), str(act)))
                break
    return out


def _replace_days(
    conn: Connection, days: Mapping[tuple[int, str], Sequence[tuple[float, float, str]]]
) -> int:
    """Delete each (staff_pk, shift_date) day and insert its segments; the caller holds the
    transaction. Returns how many stored segments were removed."""
    removed = 0
    for (pk, day), segs in days.items():
        removed += execute(
            conn, "DELETE FROM schedule_segment WHERE staff_pk = ? AND shift_date = ?", (pk, day)
        )
        executemany(
            conn,
            'INSERT INTO schedule_segment (staff_pk, shift_date, start, "end", activity) '
            "VALUES (?, ?, ?, ?, ?)",
            [(pk, day, s, e, a) for s, e, a in segs],
        )
    return removed


def import_schedule(
    engine: Engine,
    path: str | Path,
    *,
    actor: Actor,
    tz: str,
    activities: Mapping[str, bool] | Iterable[str] = (),
    now: float | None = None,
) -> ScheduleResult:
    """Import a schedule CSV (see the module's notes); ImportError_ if any row is wrong.
    A supervisor, team lead or manager; `now` (None: the wall clock) dates the audit entry."""
    require(actor, "schedules")
    path = Path(path)
    text = read_csv_text(path)
    with engine.connect() as conn:
        on_roster = set(_staff_pks(conn))
    rows = parse_schedule(path, text, tz=tz, activities=activities, staff_ids=on_roster)
    with write_conn(engine) as conn, conn.begin():
        pks = _staff_pks(conn)
        gone = sorted({r.staff_id for r in rows} - set(pks))
        if gone:  # removed between the check and now (the roster never deletes, but still)
            raise ImportError_(
                str(path), [f"{path}: staff_id {s!r} is not on the roster" for s in gone]
            )
        days: dict[tuple[int, str], list[tuple[float, float, str]]] = defaultdict(list)
        by_pk: dict[int, list[ScheduleRow]] = defaultdict(list)
        for r in rows:
            days[(pks[r.staff_id], r.shift_date.isoformat())].append((r.start, r.end, r.activity))
            by_pk[pks[r.staff_id]].append(r)
        problems: list[tuple[int, str]] = []
        for pk, group in by_pk.items():
            replaced = {d for p, d in days if p == pk}
            for i, d, s2, e2, act in _stored_overlaps(
                conn, pk, replaced, [(r.start, r.end) for r in group]
            ):
                r = group[i]
                problems.append(
                    (
                        r.line,
                        f"{r.staff_id} {r.shift_date} {r.shown} overlaps the stored shift of {d} "
                        f"({act} {_span_text(s2, e2, tz)}) that this file does not replace: "
                        "expected one activity at a time",
                    )
                )
        if problems:
            raise ImportError_(str(path), _render(path, problems))
        removed = _replace_days(conn, days)
        result = ScheduleResult(
            days=len(days),
            staff=len({r.staff_id for r in rows}),
            segments=len(rows),
            removed=removed,
        )
        audit.record(
            conn,
            actor,
            "schedule.import",
            "schedule_segment",
            path.name,
            after={"file": str(path), **asdict(result)},
            at=time.time() if now is None else now,
        )
    return result


def _span_text(start: float, end: float, tz: str) -> str:
    zone = _zone(tz)
    a = dt.datetime.fromtimestamp(start, zone)
    b = dt.datetime.fromtimestamp(end, zone)
    return (
        f"{a:%Y-%m-%d %H:%M}-{b:%H:%M}"
        if a.date() == b.date()
        else f"{a:%Y-%m-%d %H:%M}-{b:%Y-%m-%d %H:%M}"
    )


def _when(ts: float, tz: str | None) -> str:
    """An instant for a message: local time in `tz`, else UTC."""
    if tz is None:
        return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return dt.datetime.fromtimestamp(ts, _zone(tz)).strftime("%Y-%m-%d %H:%M:%S %Z")


def replace_day(
    engine: Engine,
    staff_id: str,
    shift_date: dt.date,
    segments: Sequence[tuple[float, float, str]],
    *,
    actor: Actor,
    activities: Mapping[str, bool] | Iterable[str] = (),
    tz: str | None = None,
    now: float | None = None,
) -> int:
    """Replace one person's planned day with `segments` (start, end UTC epoch, activity) in
    one transaction; an empty list clears the day. ValueError says what is wrong (times in
    `tz` when given, else UTC); nothing changes then. Returns how many segments the day held
    before. Checked as an import is: known activities (stored lower case), each segment
    lasting, none overlapping another or a stored segment of another day, at most a day.
    A supervisor, team lead or manager; `now` (None: the wall clock) dates the audit entry."""
    require(actor, "schedules")
    known = activity_names(activities)
    clean: list[tuple[float, float, str]] = []
    for n, seg in enumerate(segments, 1):
        try:
            start, end, act = float(seg[0]), float(seg[1]), str(seg[2])
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"segment {n}: expected (start, end, activity), got {seg!r}") from exc
        if not (math.isfinite(start) and math.isfinite(end)):
            raise ValueError(f"segment {n}: start and end must be finite epoch seconds")
        if end <= start:
            raise ValueError(
                f"segment {n}: ends at {_when(end, tz)}, not after its start {_when(start, tz)}"
            )
        activity = act.strip().lower()
        if activity not in known:
            raise ValueError(
                f"segment {n}: activity {act!r} is not one of {', '.join(sorted(known))}"
            )
        clean.append((start, end, activity))
    order = sorted(range(len(clean)), key=lambda i: clean[i][0])
    for a, b in zip(order, order[1:], strict=False):
        if clean[b][0] < clean[a][1]:
            i, j = sorted((a, b))
            raise ValueError(
                f"segment {j + 1} ({clean[j][2]} from {_when(clean[j][0], tz)}) overlaps "
                f"segment {i + 1} ({clean[i][2]} from {_when(clean[i][0], tz)}): "
                "expected one activity at a time"
            )
    if clean and max(e for _, e, _ in clean) - min(s for s, _, _ in clean) > MAX_SHIFT_SECONDS:
        raise ValueError("the segments span more than a day (25 hours): expected one shift")
    day = shift_date.isoformat()
    with write_conn(engine) as conn, conn.begin():
        pk = _staff_pks(conn).get(staff_id)
        if pk is None:
            raise ValueError(f"staff_id {staff_id!r} is not on the roster")
        clash = _stored_overlaps(conn, pk, {day}, [(s, e) for s, e, _ in clean])
        if clash:
            i, d, _, _, act = clash[0]
            raise ValueError(
                f"segment {i + 1} ({clean[i][2]} from {_when(clean[i][0], tz)}) overlaps the "
                f"stored shift of {d} ({act}): expected one activity at a time"
            )
        before = _day_segments(conn, pk, day)
        removed = _replace_days(conn, {(pk, day): clean})
        audit.record(
            conn,
            actor,
            "schedule.edit_day",
            "schedule_segment",
            f"{staff_id} {day}",
            before=before,
            after=_day_segments(conn, pk, day),
            at=time.time() if now is None else now,
        )
        return removed


def _day_segments(conn: Connection, pk: int, day: str) -> list[list[Any]]:
    return [
        list(r)
        for r in fetchall(
            conn,
            'SELECT start, "end", activity FROM schedule_segment WHERE staff_pk = ? '
            "AND shift_date = ? ORDER BY start",
            (pk, day),
        )
    ]


def authorize_exception(
    engine: Engine,
    staff_id: str,
    start: float,
    end: float,
    *,
    actor: Actor,
    why: str,
    now: float,
    tz: str | None = None,
) -> AuthorizationRow:
    """Record a supervisor's word that `staff_id` was allowed out of adherence in
    [start, end): a supervisor, team lead or manager. ValueError says what is wrong;
    nothing is written then."""
    require(actor, "exceptions")
    by = actor.user
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError("start and end must be finite epoch seconds")
    if end <= start:
        raise ValueError(
            f"the authorised stretch ends at {_when(end, tz)}, not after its start {_when(start, tz)}"
        )
    if not why.strip():
        raise ValueError("a reason is required: say why the exception was authorised")
    if not by.strip():
        raise ValueError("who authorised it is required")
    with write_conn(engine) as conn, conn.begin():
        pk = _staff_pks(conn).get(staff_id)
        if pk is None:
            raise ValueError(f"staff_id {staff_id!r} is not on the roster")
        row = AuthorizationRow(
            0, staff_id, float(start), float(end), by.strip(), float(now), why.strip()
        )
        new_id = fetchall(
            conn,
            'INSERT INTO adherence_authorization (staff_pk, start, "end", authorized_by, '
            "authorized_at, reason) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (pk, row.start, row.end, row.authorized_by, row.authorized_at, row.reason),
        )[0][0]
        audit.record(
            conn,
            actor,
            "exception.authorise",
            "adherence_authorization",
            new_id,
            after=audit.row_dict(conn, "adherence_authorization", int(new_id)),
            at=now,
        )
    return replace(row, id=int(new_id))


# -- reads ----------------------------------------------------------------------------------


def schedule_for_day(
    conn: Connection, day_start: float, day_end: float, *, staff_id: str | None = None
) -> dict[str, list[SegmentRow]]:
    """Each person's planned segments that overlap [day_start, day_end), by start (not
    clipped: a night shift that began yesterday shows whole). `staff_id`: only that person's
    (the agent page and the editor need one day, not the floor's)."""
    out: dict[str, list[SegmentRow]] = defaultdict(list)
    who, params = ("", ()) if staff_id is None else (" AND s.staff_id = ?", (staff_id,))
    for sid, day, start, end, act in fetchall(
        conn,
        'SELECT s.staff_id, g.shift_date, g.start, g."end", g.activity FROM schedule_segment g '
        f'JOIN staff s ON s.id = g.staff_pk WHERE g.start < ? AND g."end" > ?{who} '
        "ORDER BY s.staff_id, g.start",
        (day_end, day_start, *params),
    ):
        out[sid].append(
            SegmentRow(sid, dt.date.fromisoformat(str(day)), float(start), float(end), act)
        )
    return dict(out)


def working_intervals(
    conn: Connection,
    start: float,
    end: float,
    *,
    staff_ids: Sequence[str] | None = None,
    not_working: Iterable[str] = ("off",),
) -> dict[str, list[tuple[float, float]]]:
    """Each person's scheduled time at work in [start, end), clipped to it, by start: every
    segment but `not_working` ones (a lunch or a break is still time on the floor together,
    which is what mentoring pairs need). `staff_ids` narrows it to those people."""
    skip = tuple(not_working)
    # The shift dates bound the (staff, date) index: a day either side of the UTC dates
    # covers every zone and the night shifts that began the day before.
    first = (dt.datetime.fromtimestamp(start, dt.UTC).date() - dt.timedelta(days=2)).isoformat()
    last = (dt.datetime.fromtimestamp(end, dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    sql = (
        'SELECT s.staff_id, g.start, g."end" FROM schedule_segment g '
        'JOIN staff s ON s.id = g.staff_pk WHERE g.start < ? AND g."end" > ? '
        "AND g.shift_date BETWEEN ? AND ?"
    )
    params: list[object] = [end, start, first, last]
    if skip:
        sql += f" AND g.activity NOT IN ({', '.join('?' * len(skip))})"
        params += list(skip)
    if staff_ids is not None:
        sql += f" AND s.staff_id IN ({', '.join('?' * len(staff_ids))})"
        params += list(staff_ids)
    out: dict[str, list[tuple[float, float]]] = {}
    for sid, a, b in fetchall(conn, sql + " ORDER BY s.staff_id, g.start", params):
        out.setdefault(sid, []).append((max(float(a), start), min(float(b), end)))
    return out


def agents_for_adherence(conn: Connection) -> list[AdherencePerson]:
    """Everyone active on the roster, with their canonical ACD name (None if they have none),
    by team and name."""
    first: dict[int, str] = {}
    for name, pk in fetchall(
        conn,
        "SELECT name, staff_pk FROM acd_agent WHERE staff_pk IS NOT NULL ORDER BY position, name",
    ):
        first.setdefault(int(pk), name)
    rows = fetchall(
        conn,
        "SELECT s.id, s.staff_id, s.name, t.name FROM staff s LEFT JOIN team t ON t.id = s.team_id "
        "WHERE s.active ORDER BY coalesce(t.name, ''), s.name, s.staff_id",
    )
    return [AdherencePerson(sid, name, team, first.get(int(pk))) for pk, sid, name, team in rows]


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


_STATES = {st.value: st for st in AgentState}
SpanRec = tuple[int, str, float, float, AgentState, "str | None"]


def closed_spans_for_day(
    conn: Connection, agents: Sequence[str], day_start: float, now: float
) -> list[SpanRec]:
    """Ended spans of `agents` overlapping [day_start, now) as (id, agent, start, end, state,
    pause reason), unclipped, by agent then start. Bounded by the day, whatever the history:
    each agent's one span that began before the day (an index seek), then the spans starting
    in the window (an index range, in index order: no sort needed)."""
    names = sorted(set(agents))
    states = _STATES
    before: dict[str, SpanRec] = {}
    for name in names:
        for i, a, st, en, state, reason in fetchall(
            conn,
            'SELECT id, agent, start, "end", state, reason FROM agent_state_span '
            "WHERE agent = ? AND start < ? ORDER BY start DESC LIMIT 1",
            (name, day_start),
        ):
            if en > day_start:
                before[a] = (i, a, st, en, states[state], reason)
    out: list[SpanRec] = []
    seen: set[str] = set()
    for part in _chunks(names):
        marks = ", ".join("?" * len(part))
        for i, a, st, en, state, reason in fetchall(
            conn,
            f'SELECT id, agent, start, "end", state, reason FROM agent_state_span '
            f"WHERE agent IN ({marks}) AND start >= ? AND start < ? ORDER BY agent, start",
            (*part, day_start, now),
        ):
            if a not in seen:
                seen.add(a)
                if a in before:
                    out.append(before[a])
            out.append((i, a, st, en, states[state], reason))
    out.extend(rec for a, rec in before.items() if a not in seen)
    return out


def spans_after(conn: Connection, after_id: int) -> list[SpanRec]:
    """Ended spans written after span id `after_id` (the ingest only ever adds span rows;
    a late line's replay deletes an agent's and adds them anew, with higher ids)."""
    return [
        (int(i), a, float(st), float(en), _STATES[state], reason)
        for i, a, st, en, state, reason in fetchall(
            conn,
            'SELECT id, agent, start, "end", state, reason FROM agent_state_span WHERE id > ?',
            (after_id,),
        )
    ]


def max_span_id(conn: Connection) -> int:
    return int(fetchall(conn, "SELECT coalesce(max(id), 0) FROM agent_state_span")[0][0])


def live_states(
    conn: Connection, agents: Sequence[str]
) -> dict[str, tuple[float, AgentState, str | None]]:
    """The state that lasts now, per agent: (since, state, pause reason)."""
    out: dict[str, tuple[float, AgentState, str | None]] = {}
    for part in _chunks(sorted(set(agents))):
        marks = ", ".join("?" * len(part))
        for agent, since, state, reason in fetchall(
            conn,
            f"SELECT agent, state_since, state, reason FROM agent_live WHERE agent IN ({marks})",
            part,
        ):
            out[agent] = (float(since), _STATES[state], reason)
    return out


def actuals_for_day(
    conn: Connection, agents: Sequence[str], day_start: float, now: float
) -> dict[str, list[ActualRow]]:
    """What each agent did in [day_start, now): the ended spans and the state that lasts
    (agent_live, from state_since to now), each clipped to the window, by start. Every agent
    asked for has an entry (empty if nothing is known)."""
    out: dict[str, list[ActualRow]] = {a: [] for a in agents}
    if now <= day_start:
        return out
    pieces: list[tuple[str, float, float | None, AgentState, str | None]] = [
        (a, st, en, state, reason)
        for _i, a, st, en, state, reason in closed_spans_for_day(conn, agents, day_start, now)
    ]
    for agent, (since, state, reason) in live_states(conn, agents).items():
        if since < now:
            pieces.append((agent, since, None, state, reason))
    for agent, start, end, st, reason in pieces:
        s = max(start, day_start)
        e = now if end is None else min(end, now)
        if e <= s:
            continue
        out[agent].append(ActualRow(s, e, st, reason if st is AgentState.PAUSED else None))
    for spans in out.values():
        spans.sort(key=lambda r: (r.start, r.end))
    return out


def authorizations_for_day(
    conn: Connection, day_start: float, day_end: float
) -> dict[str, list[AuthorizationRow]]:
    """Authorised exceptions that overlap [day_start, day_end), per staff_id, by start."""
    out: dict[str, list[AuthorizationRow]] = defaultdict(list)
    for aid, sid, start, end, by, at, why in fetchall(
        conn,
        'SELECT a.id, s.staff_id, a.start, a."end", a.authorized_by, a.authorized_at, a.reason '
        "FROM adherence_authorization a JOIN staff s ON s.id = a.staff_pk "
        'WHERE a.start < ? AND a."end" > ? ORDER BY s.staff_id, a.start, a.id',
        (day_end, day_start),
    ):
        out[sid].append(
            AuthorizationRow(int(aid), sid, float(start), float(end), by, float(at), why)
        )
    return dict(out)
