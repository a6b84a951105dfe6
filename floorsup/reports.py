"""Reports: the store's rows through the pure metrics, rendered as table, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from floorsup.config import Settings
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


def render(
    rows: Sequence[QueueIntervalStats], fmt: str, settings: Settings, *, skip_empty: bool = True
) -> str:
    dicts = [r.as_dict(settings.tz) for r in rows]
    if fmt == "json":
        return json.dumps(dicts, indent=2, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for d in dicts:
            w.writerow({k: ("" if d.get(k) is None else d.get(k)) for k in FIELDS})
        return buf.getvalue()
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
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(ADHERENCE_FIELDS)
        for r in rows:
            w.writerow(
                [
                    "" if r[k] is None else (len(r[k]) if k == "exceptions" else r[k])
                    for k in ADHERENCE_FIELDS
                ]
            )
        return buf.getvalue()
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
