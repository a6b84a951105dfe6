"""Reports: the store's rows through the pure metrics, rendered as table, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from floorsup.config import Settings
from floorsup.domain.career import percent_or_dash
from floorsup.domain.intervals import Interval, day_bounds, day_intervals, iso_local
from floorsup.domain.metrics import SL_FORMULA_TEXT, QueueIntervalStats, interval_stats, total_stats
from floorsup.store import queries

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


FIELDS = (
    "queue",
    "interval_start",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "other_exits",
    "answered_within_target",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "longest_wait_seconds",
    "target_seconds",
)


def _csv(rows: Sequence[dict[str, Any]], fields: Sequence[str], cell: Any = None) -> str:
    """One CSV for a report: a header of `fields`, None as empty, `cell(key, value)` for
    any other rendering of a value."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    for r in rows:
        w.writerow(["" if r.get(k) is None else (cell(k, r[k]) if cell else r[k]) for k in fields])
    return buf.getvalue()


def render(
    rows: Sequence[QueueIntervalStats], fmt: str, settings: Settings, *, skip_empty: bool = True
) -> str:
    dicts = [r.as_dict(settings.tz) for r in rows]
    if fmt == "json":
        return json.dumps(dicts, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(dicts, FIELDS)
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


ADHERENCE_FIELDS = (
    "staff_id",
    "name",
    "team",
    "scheduled_seconds",
    "in_adherence_seconds",
    "out_of_adherence_seconds",
    "adherence",
    "conformance",
    "exceptions",
)


def render_adherence(
    rows: Sequence[dict[str, Any]], fmt: str, settings: Settings, day: dt.date
) -> str:
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False)
    if fmt == "csv":  # exceptions: how many (the JSON lists them)
        return _csv(rows, ADHERENCE_FIELDS, lambda k, v: len(v) if k == "exceptions" else v)
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


COACHING_FIELDS = (
    "id",
    "created",
    "agent",
    "staff_id",
    "team",
    "category",
    "author",
    "follow_up",
    "follow_up_status",
    "acknowledged",
    "revisions",
    "note",
    "actions",
)


def coaching_report(
    engine: Engine,
    settings: Settings,
    first: dt.date,
    last: dt.date,
    now: float,
    team: str | None = None,
) -> list[dict[str, Any]]:
    """The coaching notes created from local day `first` to `last` (inclusive), oldest
    first, with each follow-up's status as of `now`. ValueError for an empty period or a
    team nobody is in."""
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
            conn, NoteQuery(team=team, created_from=start, created_to=end, limit=2**31 - 1)
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
        return _csv(
            rows,
            COACHING_FIELDS,
            lambda k, v: ("true" if v else "false") if isinstance(v, bool) else v,
        )
    period = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
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
CAREER_FIELDS = (
    "staff_id",
    "agent",
    "team",
    "stage",
    "stage_name",
    "since",
    "next_stage",
    "ready",
    "evidence",
    "at_risk",
    "risk",
    "steps",
    "next_step",
    "mentor",
    "mentees",
    "mentor_opt_in",
)
GROWTH_FIELDS = ("staff_id", "agent", "department", "moved", "recorded_by", "reason")


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


MENTORING_FIELDS = (
    "mentor",
    "mentor_id",
    "mentee",
    "mentee_id",
    "began",
    "began_by",
    "ended",
    "ended_by",
    "end_reason",
    "override",
    "mentee_qa_before",
    "mentee_qa_since",
    "mentee_adherence_before",
    "mentee_adherence_since",
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


def render_career(report: dict[str, list[dict[str, Any]]], fmt: str, *, width: int = 160) -> str:
    """JSON: both lists; CSV: the agents (or, with `--growth`, only who grew where); the
    table: agents, then growth beyond the team."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False)
    if fmt == "csv":
        if not report["agents"] and report["growth"]:  # --growth
            return _csv(report["growth"], GROWTH_FIELDS)
        return _csv(
            report["agents"],
            CAREER_FIELDS,
            lambda k, v: ("true" if v else "false") if isinstance(v, bool) else v,
        )
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


def render_mentoring(report: dict[str, Any], fmt: str, *, width: int = 160) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(report["mentorships"], MENTORING_FIELDS)
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
