"""Reports: the store's rows through the pure metrics, rendered as table, CSV or JSON, and
as typed tables (`floorsup.export`) for CSV and XLSX. Each report's columns are declared
once (`*_COLUMNS`): the CSV header is their keys, the XLSX header their names."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from floorsup.config import Settings
from floorsup.domain.career import percent_or_dash
from floorsup.domain.intervals import Interval, day_bounds, day_intervals, iso_local
from floorsup.domain.metrics import SL_FORMULA_TEXT, QueueIntervalStats, interval_stats, total_stats
from floorsup.export import Book, Column, Kind, csv_text
from floorsup.export import Table as TypedTable
from floorsup.store import queries
from floorsup.store.access import Actor

INTERVAL_CHOICES = ("15", "30", "60", "day", "total")


def queue_report(
    engine: Engine, settings: Settings, first: dt.date, last: dt.date, interval: str, now: float
) -> list[QueueIntervalStats]:
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    tz = settings.tz
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    with engine.connect() as conn:
        infos = queries.queues(conn)
        calls = queries.calls_entered(conn, start, min(end, max(now, start)))
    names = [q.name for q in infos]
    targets = {q.name: q.target_seconds for q in infos}
    common: dict[str, Any] = dict(
        queues=names,
        now=now,
        targets=targets,
        default_target=settings.default_target_seconds,
        short_abandon_seconds=settings.short_abandon_seconds,
        formula=settings.sl_formula,
    )
    if interval == "total":
        return total_stats(calls, start=start, end=end, **common)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    if interval == "day":
        ivs = []
        for d in days:
            s, e = day_bounds(d, tz)
            ivs.append(Interval(s, e, iso_local(s, tz)))
    else:
        ivs = [iv for d in days for iv in day_intervals(d, tz, int(interval))]
    return interval_stats(calls, intervals=ivs, **common)


QUEUE_COLUMNS = (
    Column("queue", "Queue"),
    Column("interval_start", "Interval start", Kind.DATETIME),
    Column("offered", "Offered", Kind.INT),
    Column("answered", "Answered", Kind.INT),
    Column("abandoned", "Abandoned", Kind.INT),
    Column("short_abandoned", "Short abandoned", Kind.INT),
    Column("other_exits", "Other exits", Kind.INT),
    Column("answered_within_target", "Answered within target", Kind.INT),
    Column("service_level", "Service level", Kind.PERCENT),
    Column("asa_seconds", "ASA", Kind.SECONDS),
    Column("aht_seconds", "AHT", Kind.SECONDS),
    Column("longest_wait_seconds", "Longest wait", Kind.SECONDS),
    Column("target_seconds", "Target", Kind.SECONDS),
)
FIELDS = tuple(c.key for c in QUEUE_COLUMNS)
INTERVAL_TEXT = {
    "15": "15 minutes",
    "30": "30 minutes",
    "60": "1 hour",
    "day": "day",
    "total": "total",
}


def _period(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _about(settings: Settings, now: float, *lines: tuple[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A report's parameters for the About sheet, then the zone and when it was made."""
    made = dt.datetime.fromtimestamp(now, ZoneInfo(settings.tz))
    return (*lines, ("Time zone", settings.tz), ("Generated", made))


def queue_table(rows: Sequence[QueueIntervalStats], settings: Settings) -> TypedTable:
    """Every row (empty intervals too, as in the CSV); `total` rows have no interval start."""
    dicts = tuple(r.as_dict(settings.tz) for r in rows)
    return TypedTable("Queues", QUEUE_COLUMNS, dicts, tz=settings.tz)


def queue_book(
    rows: Sequence[QueueIntervalStats],
    settings: Settings,
    *,
    first: dt.date,
    last: dt.date,
    interval: str,
    now: float,
) -> Book:
    about = _about(
        settings,
        now,
        ("Period", _period(first, last)),
        ("Interval", INTERVAL_TEXT.get(interval, interval)),
        ("Service level", f"{SL_FORMULA_TEXT[settings.sl_formula]}; T = the queue's target"),
        ("Short abandon", f"under {settings.short_abandon_seconds:g} s"),
    )
    return Book("Queue report", (queue_table(rows, settings),), about)


def render(
    rows: Sequence[QueueIntervalStats], fmt: str, settings: Settings, *, skip_empty: bool = True
) -> str:
    dicts = [r.as_dict(settings.tz) for r in rows]
    if fmt == "json":
        return json.dumps(dicts, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return csv_text(queue_table(rows, settings))
    table = Table(
        title="Queue report",
        caption=f"Service level = {SL_FORMULA_TEXT[settings.sl_formula]}; T = the queue's target. "
        f"Short abandon < {settings.short_abandon_seconds:g} s. Times in {settings.tz}.",
        caption_justify="left",
    )
    for col, just in (
        ("Queue", "left"),
        ("Interval", "left"),
        ("Offered", "right"),
        ("Answered", "right"),
        ("Aband.", "right"),
        ("Short", "right"),
        ("Other", "right"),
        ("≤T", "right"),
        ("SL", "right"),
        ("ASA", "right"),
        ("AHT", "right"),
        ("Longest", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r, d in zip(rows, dicts, strict=True):
        if skip_empty and r.offered == 0 and r.interval_start is not None:
            continue
        table.add_row(
            r.queue,
            (d.get("interval_start") or "total")[:16].replace("T", " "),
            str(r.offered),
            str(r.answered),
            str(r.abandoned),
            str(r.short_abandoned),
            str(r.other_exits),
            str(r.answered_within_target),
            "—" if r.service_level is None else f"{r.service_level:.1%}",
            _secs(r.asa_seconds),
            _secs(r.aht_seconds),
            _secs(r.longest_wait_seconds),
        )
    console = Console(width=120, record=True, file=io.StringIO(), force_terminal=False)
    console.print(table)
    return console.export_text()


def _secs(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}s"


# -- adherence ----------------------------------------------------------------------------


def adherence_report(
    engine: Engine, settings: Settings, day: dt.date, now: float, team: str | None = None
) -> list[dict[str, Any]]:
    """Per agent scheduled or working on `day`: adherence, conformance and exceptions."""
    from floorsup.adherence import build_adherence

    snap = build_adherence(engine, settings, now, day=day, team=team)
    rows = sorted(snap.rows, key=lambda r: ((r.person.team or "~").lower(), r.person.name.lower()))
    out = []
    for r in rows:
        d = r.day
        assert d is not None  # a full build: every row has its figures
        out.append(
            {
                "staff_id": r.person.staff_id,
                "name": r.person.name,
                "team": r.person.team,
                "scheduled_seconds": round(d.scheduled_seconds, 1),
                "in_adherence_seconds": round(d.in_adherence_seconds, 1),
                "out_of_adherence_seconds": round(d.out_of_adherence_seconds, 1),
                "adherence": None if d.adherence is None else round(d.adherence, 4),
                "conformance": None if d.conformance is None else round(d.conformance, 4),
                "exceptions": [
                    {
                        "start": iso_local(x.start, settings.tz),
                        "end": iso_local(x.end, settings.tz),
                        "scheduled_activity": x.scheduled_activity,
                        "actual_state": x.actual_state,
                        "seconds": round(x.seconds, 1),
                        "authorized": x.authorized,
                    }
                    for x in d.exceptions
                ],
            }
        )
    return out


ADHERENCE_COLUMNS = (
    Column("staff_id", "Staff ID"),
    Column("name", "Name"),
    Column("team", "Team"),
    Column("scheduled_seconds", "Scheduled", Kind.SECONDS),
    Column("in_adherence_seconds", "In adherence", Kind.SECONDS),
    Column("out_of_adherence_seconds", "Out of adherence", Kind.SECONDS),
    Column("adherence", "Adherence", Kind.PERCENT),
    Column("conformance", "Conformance", Kind.PERCENT),
    Column("exceptions", "Exceptions", Kind.INT),  # how many (the JSON lists them)
)
ADHERENCE_FIELDS = tuple(c.key for c in ADHERENCE_COLUMNS)
EXCEPTION_COLUMNS = (
    Column("staff_id", "Staff ID"),
    Column("name", "Name"),
    Column("team", "Team"),
    Column("start", "Start", Kind.DATETIME),
    Column("end", "End", Kind.DATETIME),
    Column("scheduled_activity", "Scheduled"),
    Column("actual_state", "Actual"),
    Column("seconds", "Duration", Kind.SECONDS),
    Column("authorized", "Authorised", Kind.BOOL),
)


def adherence_table(rows: Sequence[dict[str, Any]]) -> TypedTable:
    counted = tuple({**r, "exceptions": len(r["exceptions"])} for r in rows)
    return TypedTable("Adherence", ADHERENCE_COLUMNS, counted)


def adherence_book(
    rows: Sequence[dict[str, Any]],
    settings: Settings,
    *,
    day: dt.date,
    team: str | None,
    now: float,
) -> Book:
    """The agents, then every exception (one line each, with whose it is)."""
    exceptions = tuple(
        {"staff_id": r["staff_id"], "name": r["name"], "team": r["team"], **x}
        for r in rows
        for x in r["exceptions"]
    )
    about = _about(
        settings,
        now,
        ("Day", day.isoformat()),
        ("Team", team or "all"),
        ("Adherence", "time in adherence / scheduled time"),
        ("Conformance", "productive time worked / scheduled open time"),
    )
    return Book(
        f"Adherence {day.isoformat()}",
        (
            adherence_table(rows),
            TypedTable("Exceptions", EXCEPTION_COLUMNS, exceptions, settings.tz),
        ),
        about,
    )


def render_adherence(
    rows: Sequence[dict[str, Any]], fmt: str, settings: Settings, day: dt.date
) -> str:
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False)
    if fmt == "csv":  # exceptions: how many (the JSON lists them)
        return csv_text(adherence_table(rows))
    table = Table(
        title=f"Adherence {day.isoformat()}",
        caption="adherence = time in adherence / scheduled time; conformance = productive time "
        f"worked / scheduled open time. Times in {settings.tz}.",
        caption_justify="left",
    )
    for col in (
        "Agent",
        "Team",
        "Scheduled",
        "In",
        "Out",
        "Adherence",
        "Conformance",
        "Exceptions",
    ):
        table.add_column(col, justify="left" if col in ("Agent", "Team") else "right")
    for r in rows:
        table.add_row(
            r["name"],
            r["team"] or "—",
            _hm(r["scheduled_seconds"]),
            _hm(r["in_adherence_seconds"]),
            _hm(r["out_of_adherence_seconds"]),
            "—" if r["adherence"] is None else f"{r['adherence']:.1%}",
            "—" if r["conformance"] is None else f"{r['conformance']:.1%}",
            str(len(r["exceptions"])),
        )
    console = Console(width=120, record=True, file=io.StringIO(), force_terminal=False)
    console.print(table)
    return console.export_text()


def _hm(seconds: float) -> str:
    m = int(round(seconds / 60))
    return f"{m // 60}:{m % 60:02d}"


# -- coaching -----------------------------------------------------------------------------


COACHING_COLUMNS = (
    Column("id", "ID", Kind.INT),
    Column("created", "Created", Kind.DATETIME),
    Column("agent", "Agent"),
    Column("staff_id", "Staff ID"),
    Column("team", "Team"),
    Column("category", "Category"),
    Column("author", "Author"),
    Column("follow_up", "Follow-up", Kind.DATE),
    Column("follow_up_status", "Follow-up status"),
    Column("acknowledged", "Acknowledged", Kind.BOOL),
    Column("revisions", "Revisions", Kind.INT),
    Column("note", "Note"),
    Column("actions", "Actions"),
)
COACHING_FIELDS = tuple(c.key for c in COACHING_COLUMNS)


def coaching_table(rows: Sequence[dict[str, Any]], settings: Settings) -> TypedTable:
    return TypedTable("Coaching notes", COACHING_COLUMNS, tuple(rows), tz=settings.tz)


def coaching_book(
    rows: Sequence[dict[str, Any]],
    settings: Settings,
    *,
    first: dt.date,
    last: dt.date,
    team: str | None,
    now: float,
) -> Book:
    about = _about(
        settings,
        now,
        ("Period", _period(first, last)),
        ("Team", team or "all"),
        ("Revisions", "times the note was edited (earlier versions are kept)"),
        ("Follow-up status", "done, overdue, due (today) or open (later)"),
    )
    return Book(f"Coaching notes {_period(first, last)}", (coaching_table(rows, settings),), about)


def coaching_report(
    engine: Engine,
    settings: Settings,
    first: dt.date,
    last: dt.date,
    now: float,
    team: str | None = None,
    *,
    who: Actor,
) -> list[dict[str, Any]]:
    """The coaching notes created from local day `first` to `last` (inclusive), oldest
    first, with each follow-up's status as of `now`: those `who` may read (refused,
    NotAllowed, for a role that reads none). ValueError for an empty period or a team
    nobody is in."""
    from floorsup.domain.coaching import follow_up_status, local_today
    from floorsup.store.coaching import NoteQuery, find_notes, team_ids
    from floorsup.store.sql import fetchall

    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    tz = settings.tz
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    today = local_today(now, tz)
    with engine.connect() as conn:
        if team is not None and not team_ids(conn, team):
            teams = sorted(str(n) for (n,) in fetchall(conn, "SELECT name FROM team"))
            raise ValueError(
                f"--team {team!r}: no such team (expected one of: "
                f"{', '.join(teams) or 'none yet: import the roster first'})"
            )
        # The team the agent was in when the note was written (find_notes folds its case).
        notes = find_notes(
            conn,
            NoteQuery(team=team, created_from=start, created_to=end, limit=2**31 - 1),
            who=who,
        )
    notes.sort(key=lambda n: (n.created_at, n.id))
    out = []
    for n in notes:
        done = n.follow_up is not None and n.follow_up_done_at is not None
        out.append(
            {
                "id": n.id,
                "created": iso_local(math.floor(n.created_at), tz),
                "agent": n.name,
                "staff_id": n.staff_id,
                "team": n.team,
                "category": n.category,
                "author": n.author,
                "follow_up": n.follow_up.isoformat() if n.follow_up else None,
                "follow_up_status": "done" if done else follow_up_status(n.follow_up, False, today),
                "acknowledged": n.acknowledged,
                "revisions": n.revision - 1,  # earlier versions kept: 0 = never edited
                "note": n.body,
                "actions": n.actions,
            }
        )
    return out


def _clip(text: str, width: int) -> str:
    """One line (runs of spaces and line breaks become one space) of at most `width`
    characters: the start of `text`, with … if cut."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def _counts(values: Sequence[str]) -> str:
    tally: dict[str, int] = {}
    for v in values:
        tally[v] = tally.get(v, 0) + 1
    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    return ", ".join(f"{k} {n}" for k, n in ranked) or "—"


def render_coaching(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    settings: Settings,
    first: dt.date,
    last: dt.date,
    *,
    width: int = 160,
) -> str:
    """JSON and CSV carry every field in full; the table shows the note and actions on one
    line each, cut to fit `width` characters, and ends with a summary (notes per category
    and per author, follow-ups still open and overdue)."""
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False)
    if fmt == "csv":
        return csv_text(coaching_table(rows, settings))
    period = _period(first, last)
    table = Table(
        title=f"Coaching notes {period}",
        caption=f"Created in {settings.tz}. Rev. = times edited. Follow-up: done, overdue, "
        "due (today) or open (later).",
        caption_justify="left",
        expand=True,
    )
    cells = [
        (
            r["created"][:16].replace("T", " "),
            _clip(r["agent"], 24),
            r["staff_id"],
            _clip(r["team"] or "—", 20),
            _clip(r["category"], 14),
            _clip(r["author"], 14),
            f"{r['follow_up']} {r['follow_up_status']}" if r["follow_up"] else "—",
            "yes" if r["acknowledged"] else "no",
            str(r["revisions"]),
            _clip(r["note"], 300),  # one line; the table cuts it to the room left
            _clip(r["actions"], 300) or "—",
        )
        for r in rows
    ]
    heads = ("Created", "Agent", "ID", "Team", "Category", "Author", "Follow-up", "Ack.", "Rev.")
    for i, col in enumerate(heads):
        fit = max([len(col), *(len(c[i]) for c in cells)])
        table.add_column(
            col, justify="right" if col == "Rev." else "left", no_wrap=True, min_width=fit
        )
    table.add_column("Note", ratio=3, min_width=12, no_wrap=True, overflow="ellipsis")
    table.add_column("Actions", ratio=2, min_width=10, no_wrap=True, overflow="ellipsis")
    for c in cells:
        table.add_row(*(Text(v) for v in c))  # text, never markup: a note may hold [brackets]
    statuses = [r["follow_up_status"] for r in rows]
    still_open = sum(s in ("overdue", "due", "open") for s in statuses)
    summary = [
        f"{len(rows)} note{'' if len(rows) == 1 else 's'}",
        f"By category: {_counts([r['category'] for r in rows])}",
        f"By author: {_counts([r['author'] for r in rows])}",
        f"Follow-ups still open: {still_open} (overdue {statuses.count('overdue')}, "
        f"due today {statuses.count('due')}); done {statuses.count('done')}",
    ]
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=False)
    console.print(table)
    console.print("\n".join(summary), highlight=False, soft_wrap=True, markup=False)
    return console.export_text()


# -- career path and mentoring ------------------------------------------------------------------
CAREER_COLUMNS = (
    Column("staff_id", "Staff ID"),
    Column("agent", "Agent"),
    Column("team", "Team"),
    Column("stage", "Stage", Kind.INT),
    Column("stage_name", "Stage name"),
    Column("since", "Since", Kind.DATE),
    Column("next_stage", "Next stage", Kind.INT),
    Column("ready", "Ready", Kind.BOOL),
    Column("evidence", "Evidence"),
    Column("at_risk", "At risk", Kind.BOOL),
    Column("risk", "Risk"),
    Column("steps", "Steps"),
    Column("next_step", "Next step"),
    Column("mentor", "Mentor"),
    Column("mentees", "Mentees"),
    Column("mentor_opt_in", "Mentor opt-in", Kind.BOOL),
)
CAREER_FIELDS = tuple(c.key for c in CAREER_COLUMNS)
GROWTH_COLUMNS = (
    Column("staff_id", "Staff ID"),
    Column("agent", "Agent"),
    Column("department", "Department"),
    Column("moved", "Moved", Kind.DATE),
    Column("recorded_by", "Recorded by"),
    Column("reason", "Reason"),
)
GROWTH_FIELDS = tuple(c.key for c in GROWTH_COLUMNS)


def career_report(
    engine: Engine, settings: Settings, now: float, team: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every agent's stage, the evidence for the next, risk and steps, mentor and mentees;
    and who grew into other departments. ValueError for a team nobody is in."""
    from floorsup.career import read_career
    from floorsup.domain.career import STEP_TEXT

    view = read_career(engine, settings, now)
    rows = view.rows
    if team is not None:
        rows = tuple(r for r in rows if (r.person.team or "").casefold() == team.casefold())
        if not rows:
            teams = sorted({r.person.team for r in view.rows if r.person.team})
            raise ValueError(f"--team {team!r}: no agents in it (teams: {', '.join(teams)})")
    tz = settings.tz
    people = []
    for r in rows:
        nxt = r.next_step
        people.append(
            {
                "staff_id": r.staff_id,
                "agent": r.name,
                "team": r.person.team,
                "stage": r.stage,
                "stage_name": r.stage_name,
                "since": iso_local(math.floor(r.since), tz)[:10] if r.since else None,
                "next_stage": r.evidence.to_stage if r.evidence else None,
                "ready": r.ready,
                "evidence": r.evidence.summary() if r.evidence else "top stage",
                "at_risk": r.risk is not None,
                "risk": "; ".join(r.risk.reasons) if r.risk else "",
                "steps": ", ".join(STEP_TEXT[s] for s in r.steps),
                "next_step": STEP_TEXT[nxt] if nxt else "",
                "mentor": r.mentor.mentor_name if r.mentor else "",
                "mentees": ", ".join(m.mentee_name for m in r.mentees),
                "mentor_opt_in": r.person.opted_in,
            }
        )
    names = {r.staff_id for r in rows}
    growth = [
        {
            "staff_id": e.staff_id,
            "agent": e.name,
            "department": e.department,
            "moved": iso_local(math.floor(e.at), tz)[:10],
            "recorded_by": e.by,
            "reason": e.reason,
        }
        for e in view.moves
        if team is None or e.staff_id in names
    ]
    return {"agents": people, "growth": growth}


MENTORING_COLUMNS = (
    Column("mentor", "Mentor"),
    Column("mentor_id", "Mentor ID"),
    Column("mentee", "Mentee"),
    Column("mentee_id", "Mentee ID"),
    Column("began", "Began", Kind.DATE),
    Column("began_by", "Began by"),
    Column("ended", "Ended", Kind.DATE),
    Column("ended_by", "Ended by"),
    Column("end_reason", "End reason"),
    Column("override", "Override reason"),
    Column("mentee_qa_before", "Mentee QA before", Kind.PERCENT),
    Column("mentee_qa_since", "Mentee QA since", Kind.PERCENT),
    Column("mentee_adherence_before", "Mentee adherence before", Kind.PERCENT),
    Column("mentee_adherence_since", "Mentee adherence since", Kind.PERCENT),
)
MENTORING_FIELDS = tuple(c.key for c in MENTORING_COLUMNS)
NEW_HIRE_COLUMNS = (
    Column("staff_id", "Staff ID"),
    Column("agent", "Agent"),
    Column("team", "Team"),
    Column("hired", "Hired", Kind.DATE),
)


def mentoring_report(engine: Engine, settings: Settings, now: float) -> dict[str, Any]:
    """Every mentorship (open ones with the mentee's QA and adherence before and since),
    and the new hires who have no mentor."""
    from floorsup.career import mentor_board, read_career

    view = read_career(engine, settings, now)
    board = {b.ship.id: b for b in mentor_board(engine, settings, now)}
    tz = settings.tz

    def pct(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    ships = []
    for m in view.mentorships:
        b = board.get(m.id)
        ships.append(
            {
                "mentor": m.mentor_name,
                "mentor_id": m.mentor_id,
                "mentee": m.mentee_name,
                "mentee_id": m.mentee_id,
                "began": iso_local(math.floor(m.started_at), tz)[:10],
                "began_by": m.started_by,
                "ended": iso_local(math.floor(m.ended_at), tz)[:10] if m.ended_at else None,
                "ended_by": m.ended_by,
                "end_reason": m.end_reason,
                "override": m.override,
                "mentee_qa_before": pct(b.qa_before) if b else None,
                "mentee_qa_since": pct(b.qa_since) if b else None,
                "mentee_adherence_before": pct(b.adherence_before) if b else None,
                "mentee_adherence_since": pct(b.adherence_since) if b else None,
            }
        )
    alone = [
        {
            "staff_id": r.staff_id,
            "agent": r.name,
            "team": r.person.team,
            "hired": str(r.person.hire_date),
        }
        for r in view.new_hires()
        if r.mentor is None
    ]
    return {"mentorships": ships, "new_hires_without_mentor": alone}


def career_tables(
    report: dict[str, list[dict[str, Any]]], *, growth_only: bool = False
) -> tuple[TypedTable, ...]:
    growth = TypedTable("Growth", GROWTH_COLUMNS, tuple(report["growth"]))
    if growth_only:
        return (growth,)
    return (TypedTable("Career path", CAREER_COLUMNS, tuple(report["agents"])), growth)


def career_book(
    report: dict[str, list[dict[str, Any]]],
    settings: Settings,
    *,
    team: str | None,
    growth_only: bool,
    now: float,
) -> Book:
    """The agents (unless `growth_only`), then who grew into other departments."""
    about = _about(
        settings,
        now,
        ("Team", team or "all"),
        ("Evidence", "what the next stage asks and how far the agent is"),
    )
    title = "Growth beyond the team" if growth_only else "Career path"
    return Book(title, career_tables(report, growth_only=growth_only), about)


def render_career(report: dict[str, list[dict[str, Any]]], fmt: str, *, width: int = 160) -> str:
    """JSON: both lists; CSV: the agents (or, with `--growth`, only who grew where); the
    table: agents, then growth beyond the team."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False)
    if fmt == "csv":
        growth_only = not report["agents"] and bool(report["growth"])  # --growth
        return csv_text(career_tables(report, growth_only=growth_only)[0])
    table = Table(title="Career path", expand=True, caption_justify="left")
    for col, cap in (("Agent", 20), ("Team", 14), ("Stage", 22), ("Since", 10)):
        table.add_column(col, no_wrap=True, max_width=cap, min_width=min(cap, 10))
    table.add_column("Next", ratio=3, min_width=24)
    table.add_column("At risk", ratio=2, min_width=16)
    table.add_column("Mentor", no_wrap=True, max_width=18)
    for r in report["agents"]:
        nxt = (
            "top stage"
            if r["next_stage"] is None
            else (f"✓ ready for {r['next_stage']}" if r["ready"] else r["evidence"])
        )
        risk = f"{r['risk']} · next: {r['next_step']}" if r["at_risk"] else "—"
        table.add_row(
            *(
                Text(c)
                for c in (
                    _clip(r["agent"], 24),
                    _clip(r["team"] or "—", 18),
                    f"{r['stage']} {r['stage_name']}",
                    r["since"] or "—",
                    _clip(nxt, 80),
                    _clip(risk, 60),
                    _clip(r["mentor"] or "—", 20),
                )
            )
        )
    growth = Table(title="Grew into other departments", expand=True)
    for col in ("Agent", "Department", "Moved", "Recorded by", "Why"):
        growth.add_column(col)
    for g in report["growth"]:
        growth.add_row(
            *(
                Text(c)
                for c in (
                    g["agent"],
                    g["department"] or "",
                    g["moved"],
                    g["recorded_by"],
                    g["reason"],
                )
            )
        )
    if not report["growth"]:
        growth.add_row("nobody yet", "", "", "", "")
    return _render_tables([table, growth] if report["agents"] else [growth], width)


def mentoring_tables(report: dict[str, Any]) -> tuple[TypedTable, ...]:
    return (
        TypedTable("Mentorships", MENTORING_COLUMNS, tuple(report["mentorships"])),
        TypedTable(
            "New hires without a mentor",
            NEW_HIRE_COLUMNS,
            tuple(report["new_hires_without_mentor"]),
        ),
    )


def mentoring_book(report: dict[str, Any], settings: Settings, *, now: float) -> Book:
    about = _about(
        settings,
        now,
        ("QA and adherence", "the mentee's before the mentorship began and since"),
    )
    return Book("Peer mentoring", mentoring_tables(report), about)


def render_mentoring(report: dict[str, Any], fmt: str, *, width: int = 160) -> str:
    """JSON: both lists; CSV: the mentorships; the table: mentorships, then new hires
    without a mentor."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return csv_text(mentoring_tables(report)[0])
    table = Table(title="Peer mentoring", expand=True)
    for col in ("Mentor", "Mentee", "Began", "Ended", "Mentee QA before → since", "Adherence"):
        table.add_column(col)
    for m in report["mentorships"]:
        table.add_row(
            *(
                Text(c)
                for c in (
                    _clip(m["mentor"], 24),
                    _clip(m["mentee"], 24),
                    m["began"],
                    f"{m['ended']} ({_clip(m['end_reason'] or '', 30)})" if m["ended"] else "open",
                    f"{percent_or_dash(m['mentee_qa_before'])} → {percent_or_dash(m['mentee_qa_since'])}",
                    f"{percent_or_dash(m['mentee_adherence_before'])} → "
                    f"{percent_or_dash(m['mentee_adherence_since'])}",
                )
            )
        )
    alone = Table(title="New hires without a mentor", expand=True)
    for col in ("Agent", "Team", "Hired"):
        alone.add_column(col)
    for a in report["new_hires_without_mentor"]:
        alone.add_row(Text(a["agent"]), Text(a["team"] or "—"), a["hired"])
    if not report["new_hires_without_mentor"]:
        alone.add_row("none: every new hire has a mentor", "", "")
    return _render_tables([table, alone], width)


def _render_tables(tables: Sequence[Table], width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=False)
    for t in tables:
        console.print(t)
    return console.export_text()
