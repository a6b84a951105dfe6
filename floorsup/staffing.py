"""`floorsup staffing`: how many agents one interval needs, from the command line.

The arguments are checked here (each problem named by its option, with what was expected),
the count comes from `floorsup.domain.erlang.required` (Erlang C, or Erlang A when a patience
is given), and the answer is rendered as a table, CSV or JSON like the reports.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from floorsup.domain.erlang import Staffing, request_problems, required

# The domain's field names as the options a user typed.
OPTIONS = {
    "calls": "--calls",
    "interval_seconds": "--interval-minutes",
    "aht": "--aht",
    "target_sl": "--target-sl",
    "target_seconds": "--target-seconds",
    "max_occupancy": "--max-occupancy",
    "shrinkage": "--shrinkage",
    "patience": "--patience",
    "max_abandon": "--max-abandon",
}

FIELDS = (
    "traffic_erlangs",
    "agents",
    "scheduled_agents",
    "service_level",
    "probability_of_waiting",
    "asa_seconds",
    "occupancy",
    "binding",
)


class StaffingArgsError(ValueError):
    """One or more arguments are out of range: `--option: what was expected; got X`, joined."""


@dataclass(frozen=True, slots=True)
class StaffingArgs:
    """The command's arguments, as typed (the interval in minutes)."""

    calls: float
    interval_minutes: float
    aht: float
    target_sl: float
    target_seconds: float
    max_occupancy: float | None = None
    shrinkage: float = 0.0
    patience: float | None = None
    max_abandon: float | None = None

    @property
    def interval_seconds(self) -> float:
        return self.interval_minutes * 60.0


def problems(args: StaffingArgs) -> dict[str, str]:
    """Option → what is wrong with it (empty when all is well)."""
    out: dict[str, str] = {}
    minutes = args.interval_minutes
    minutes_ok = math.isfinite(minutes) and minutes > 0
    if not minutes_ok:
        out["--interval-minutes"] = (
            f"expected a length above 0 minutes, e.g. 15 or 30; got {minutes:g}"
        )
    found = request_problems(
        args.calls,
        args.interval_seconds if minutes_ok else 1800.0,
        args.aht,
        args.target_sl,
        args.target_seconds,
        args.max_occupancy,
        args.shrinkage,
        args.patience,
        args.max_abandon,
    )
    for field, message in found.items():
        option = OPTIONS[field]
        if option == "--max-abandon" and message.startswith("needs a patience"):
            message = "needs --patience: without it this is Erlang C, where nobody abandons"
        out[option] = message
    order = list(OPTIONS.values())
    return dict(sorted(out.items(), key=lambda kv: order.index(kv[0])))


def compute(args: StaffingArgs) -> Staffing:
    """The interval's staffing; StaffingArgsError (naming each bad option) if any is off."""
    bad = problems(args)
    if bad:
        raise StaffingArgsError("; ".join(f"{opt}: {msg}" for opt, msg in bad.items()))
    return required(
        args.calls,
        args.interval_seconds,
        args.aht,
        args.target_sl,
        args.target_seconds,
        max_occupancy=args.max_occupancy,
        shrinkage=args.shrinkage,
        patience=args.patience,
        max_abandon=args.max_abandon,
    )


def as_dict(args: StaffingArgs, s: Staffing) -> dict[str, Any]:
    """JSON-ready: the fields in FIELDS, and `abandon_probability` with a patience. Fractions
    to 4 places and seconds to 2, as the queue report rounds them."""
    out: dict[str, Any] = {
        "traffic_erlangs": round(s.traffic, 4),
        "agents": s.agents,
        "scheduled_agents": s.scheduled_agents,
        "service_level": round(s.service_level, 4),
        "probability_of_waiting": round(s.probability_of_waiting, 4),
        "asa_seconds": round(s.asa_seconds, 2),
        "occupancy": round(s.occupancy, 4),
        "binding": s.binding,
    }
    if args.patience is not None:
        out["abandon_probability"] = round(s.abandon_probability or 0.0, 4)
    return out


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _share(x: float) -> str:
    """A share the user typed, as they would say it: 0.3 → 30%, 0.025 → 2.5%."""
    return f"{x * 100:.4g}%"


def _num(x: float) -> str:
    return f"{x:g}"


def render(args: StaffingArgs, s: Staffing, fmt: str) -> str:
    """The result as `json`, `csv` (a header and one row) or `table` (text for a terminal)."""
    d = as_dict(args, s)
    if fmt == "json":
        return json.dumps(d, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(d), lineterminator="\n")
        w.writeheader()
        w.writerow(d)
        return buf.getvalue()
    model = (
        "Erlang C: callers wait as long as it takes, so agents must exceed the traffic."
        if args.patience is None
        else f"Erlang A: callers hang up after {_num(args.patience)} s on average; service "
        "level = answered ≤ T / offered (abandons count against it); ASA of answered calls."
    )
    table = Table(
        title="Staffing",
        caption=f"{model} Scheduled = ceil(agents / (1 − shrinkage)).",
        caption_justify="left",
    )
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("", justify="left")
    interval = f"{_num(args.interval_minutes)} min"
    table.add_row(
        "Traffic",
        f"{s.traffic:.2f}",
        f"erlangs: {_num(args.calls)} calls × {_num(args.aht)} s / {interval}",
    )
    table.add_row("Agents", str(s.agents), f"on the phones; set by {s.binding}")
    table.add_row(
        "Scheduled",
        str(s.scheduled_agents),
        f"with {_share(args.shrinkage)} shrinkage" if args.shrinkage else "no shrinkage",
    )
    met = "✓ met" if s.service_level >= args.target_sl else "✗ not met"
    table.add_row(
        "Service level",
        _pct(s.service_level),
        f"answered within {_num(args.target_seconds)} s; target {_share(args.target_sl)} {met}",
    )
    table.add_row("P(wait)", _pct(s.probability_of_waiting), "of callers find every agent busy")
    table.add_row(
        "ASA",
        f"{s.asa_seconds:.1f} s",
        "mean wait" + (" of answered calls" if args.patience else ""),
    )
    cap = "" if args.max_occupancy is None else f"cap {_share(args.max_occupancy)}"
    table.add_row("Occupancy", _pct(s.occupancy), cap)
    if args.patience is not None:
        p_ab = s.abandon_probability or 0.0
        table.add_row(
            "Abandoned",
            _pct(p_ab),
            "" if args.max_abandon is None else f"cap {_share(args.max_abandon)}",
        )
    console = Console(width=100, record=True, file=io.StringIO(), force_terminal=False)
    console.print(table)
    return console.export_text()
