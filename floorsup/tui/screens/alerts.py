"""Alerts in the UI: the facts the rules read from the floor picture, the banner line, and
the alert log screen.

The app holds one `AlertLog` (`floorsup.domain.alerts`); the floor screen feeds it each
tick with `floor_reading(...)` and shows `banner_text(...)`; this module's
`AlertLogScreen` lists it, newest first, and redraws itself once a second while shown."""

from __future__ import annotations

from typing import Any

import pendulum
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from floorsup.adherence import AdherenceSnapshot
from floorsup.clock import Clock
from floorsup.domain.alerts import AlertLog, AlertRules, LogEntry, QueueFacts, Reading, check
from floorsup.domain.metrics import Level
from floorsup.floor import FloorSnapshot
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import Palette, clock_text, duration, plain

__all__ = [
    "AlertLogScreen",
    "banner_text",
    "floor_reading",
    "queue_facts",
    "rules_text",
    "severe_names",
]


# --- facts ----------------------------------------------------------------------------------


def queue_facts(snap: FloorSnapshot) -> tuple[QueueFacts, ...]:
    """The queue facts the rules read, from one floor snapshot (SL and offered are this
    interval's)."""
    return tuple(
        QueueFacts(
            queue=line.info.name,
            service_level=line.interval.service_level,
            target_fraction=line.info.target_fraction,
            offered=line.interval.offered,
            waiting=line.waiting,
            oldest_wait_since=line.oldest_wait_since,
        )
        for line in snap.queues
    )


def severe_names(adherence: AdherenceSnapshot) -> tuple[str, ...]:
    """Who is severely out of adherence now (unauthorised, out for the severe threshold or
    more), worst first (the snapshot's order)."""
    return tuple(
        r.person.name for r in adherence.live_rows if r.now.in_adherence is False and r.now.severe
    )


def floor_reading(
    rules: AlertRules,
    snap: FloorSnapshot | None,
    adherence: AdherenceSnapshot | None,
    now: float,
) -> Reading | None:
    """What the rules see at `now` from the floor screen's latest pictures. None (nothing
    known: keep every alert) without a floor snapshot; without an adherence snapshot the
    adherence alert is kept as it is. The caller passes None instead while its picture is
    stale (a failed fetch must not clear alerts, and the oldest wait must not grow from a
    picture that is no longer being read)."""
    if snap is None:
        return None
    return check(
        rules,
        now,
        queue_facts(snap),
        None if adherence is None else severe_names(adherence),
    )


# --- text -----------------------------------------------------------------------------------


def _level_style(level: Level, palette: Palette) -> str:
    return f"bold {palette.bad}" if level is Level.BAD else palette.warn


def banner_text(log: AlertLog, palette: Palette, max_lines: int = 2) -> Text:
    """The banner: active alerts worst first, one a line, at most `max_lines` of them; the
    first line says how many there are ("⚠ ALERT", "⚠ 3 ALERTS"), so none is hidden
    silently. Empty when nothing is active (hide the banner then). Symbols and words, not
    colour alone; an alert whose condition has ended (not yet for `clear_after_seconds`)
    says "(clearing)"."""
    active = log.active
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    if not active:
        return out
    n = len(active)
    head = "⚠ ALERT " if n == 1 else f"⚠ {n} ALERTS "
    for i, alert in enumerate(active[: max(max_lines, 1)]):
        style = palette.muted if alert.clearing else _level_style(alert.level, palette)
        if i:
            out.append("\n" + " " * len(head))
        else:
            out.append(head, style=f"bold {palette.bad}" if n > 1 else style)
        out.append(f"{alert.level.symbol} {alert.message}", style=style)
        if alert.clearing:
            out.append(" (clearing)", style=palette.muted)
    return out


def rules_text(rules: AlertRules) -> str:
    """The thresholds in one line that fits 80 columns ("off" for a rule switched off)."""
    parts = [
        f"SL<target (≥{rules.sl_min_offered} offered)" if rules.sl_below_target else "SL off",
        "waiting off" if rules.waiting_above is None else f"waiting>{rules.waiting_above}",
        "oldest off"
        if rules.oldest_wait_above_seconds is None
        else f"oldest>{duration(rules.oldest_wait_above_seconds)}",
        "adherence off"
        if rules.severe_out_at_least is None
        else f"≥{rules.severe_out_at_least} severely out",
    ]
    if not rules.bell:
        parts.append("bell off")
    return "Rules: " + " · ".join(parts)


# --- the log screen -------------------------------------------------------------------------

COLUMNS = (
    ("raised", "Raised", 9),
    ("cleared", "Cleared", 9),
    ("for", "For", 7),
    ("alert", "Alert", None),
)


class AlertLogScreen(Screen[None]):
    """The alert log, newest first: raised, cleared (or "● active"), how long, the alert.

    Written against the `AlertLog` it is given (the app's), the site's time zone and a
    clock, so it is testable without the app."""

    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(
        self,
        log: AlertLog,
        tz: str,
        clock: Clock,
        rules: AlertRules | None = None,
        refresh_seconds: float = 1.0,
    ) -> None:
        super().__init__()
        self.alert_log = log
        self.tz = tz
        self.clock = clock
        self.rules = rules
        self.refresh_seconds = refresh_seconds
        self.palette = Palette()

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="alert-head")
        yield DataTable(id="alert-log", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.palette = Palette(self.app.get_css_variables())
        table = self.query_one("#alert-log", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        table.focus()
        self.redraw()
        self.set_interval(self.refresh_seconds, self.redraw)

    def on_resize(self) -> None:
        self.redraw()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- rendering ---------------------------------------------------------------------------
    def _when(self, t: float, today: str) -> str:
        local = pendulum.from_timestamp(t, tz=self.tz)
        if local.to_date_string() == today:
            return local.strftime("%H:%M:%S")
        return local.strftime("%a %H:%M")  # another day: its weekday

    def _message_width(self) -> int:
        fixed = sum((w or 0) + 2 for _, _, w in COLUMNS)  # each cell has a 1-column pad each side
        return max(self.size.width - fixed - 2, 20)  # room for a scrollbar

    def _cells(self, e: LogEntry, now: float, today: str) -> dict[str, Any]:
        pal = self.palette
        style = _level_style(e.level, pal)
        if e.active:
            cleared = Text.assemble(("● active", style))
        else:
            assert e.cleared_at is not None
            cleared = plain(self._when(e.cleared_at, today))
        message = Text.assemble((f"{e.level.symbol} ", style), e.message)
        message.no_wrap = True
        message.truncate(self._message_width(), overflow="ellipsis")
        return {
            "raised": plain(self._when(e.raised_at, today)),
            "cleared": cleared,
            "for": plain(duration(e.seconds(now))),
            "alert": message,
        }

    def redraw(self) -> None:
        if not self.is_mounted:
            return
        now = self.clock.now()
        today = pendulum.from_timestamp(now, tz=self.tz).to_date_string()
        status = Text.assemble(
            ("floorsup ", "bold"), ("alerts  ", "bold"), f"{clock_text(now, self.tz)} {self.tz}"
        )
        self.query_one("#status", Static).update(status)
        entries = self.alert_log.entries()
        n_active = sum(1 for e in entries if e.active)
        head = Text()
        if n_active:
            head.append(
                f"⚠ {n_active} active", style=f"bold {self.palette.bad}"
            )  # symbol, word, colour
        else:
            head.append("✓ none active", style=self.palette.ok)
        cleared = len(entries) - n_active
        head.append(f" · {cleared} cleared (the last {self.alert_log.log_size} are kept)")
        if self.rules is not None:
            head.append("\n" + rules_text(self.rules), style=self.palette.muted)
        if not entries:
            head.append("\nNo alerts yet: they are listed here when raised.")
        self.query_one("#alert-head", Static).update(head)

        table = self.query_one("#alert-log", DataTable)
        keys = [str(e.seq) for e in entries]
        cursor: str | None = None
        if table.row_count:
            try:
                cursor = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:
                cursor = None
        cols = [c for c, _, _ in COLUMNS]
        if [r.key.value for r in table.ordered_rows] != keys:
            table.clear()
            for e, key in zip(entries, keys, strict=True):
                cells = self._cells(e, now, today)
                table.add_row(*(cells[c] for c in cols), key=key)
            if cursor in keys:
                table.move_cursor(row=keys.index(cursor), animate=False)
            return
        for e, key in zip(entries, keys, strict=True):
            cells = self._cells(e, now, today)
            for c in cols:
                if table.get_cell(key, c) != cells[c]:
                    table.update_cell(key, c, cells[c])
