"""Interval management (7): per queue, today's intervals with forecast, what happened, the
agents Erlang C says were needed (on actuals and on the forecast), the agents on the phones
and the gap; the current interval marked; SL and offered through the day as a chart; and a
what-if panel (`w`). `left`/`right` switch queue, `m` 15 or 30 minutes. Refreshed like the
floor: in a thread worker, only when the data changed (or the minute turned)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static

from floorsup.domain.erlang import request_problems, required
from floorsup.domain.intervals import iso_local
from floorsup.export import Book, Column, Kind, Table
from floorsup.intervals import IntervalCache, IntervalRow, IntervalsView, QueueDay, build_intervals
from floorsup.store.queries import ChangeWatcher
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import _SPARK, clock_text, duration, replay_mark, sl_cell

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp

COLUMNS = (
    ("time", "Time", 7),
    ("fcst", "Fcst", 5),
    ("offered", "Offrd", 5),
    ("answered", "Ansd", 4),
    ("abandoned", "Abn", 3),
    ("sl", "SL", 6),
    ("asa", "ASA", 5),
    ("aht", "AHT", 5),
    ("need_f", "NeedF", 5),
    ("need_a", "NeedA", 5),
    ("staffed", "Staff", 5),
    ("gap", "Gap", 7),
)
NARROW_DROP = {"answered", "asa"}  # left out under 100 columns
EXPORT_COLUMNS = (
    Column("interval", "Interval start", Kind.DATETIME),
    Column("state", "State"),
    Column("forecast_calls", "Forecast calls", Kind.FLOAT),
    Column("forecast_aht", "Forecast AHT", Kind.SECONDS),
    Column("offered", "Offered", Kind.INT),
    Column("answered", "Answered", Kind.INT),
    Column("abandoned", "Abandoned", Kind.INT),
    Column("service_level", "Service level", Kind.PERCENT),
    Column("asa", "ASA", Kind.SECONDS),
    Column("aht", "AHT", Kind.SECONDS),
    Column("need_forecast", "Agents needed (forecast)", Kind.INT),
    Column("need_actual", "Agents needed (actual)", Kind.INT),
    Column("staffed", "Agents staffed", Kind.FLOAT),
    Column("gap", "Gap", Kind.FLOAT),
)


def gap_cell(row: IntervalRow, palette: Any) -> Text:
    """Staffed − needed, with a symbol as well as a colour: ✓ enough, ▽ short by under one
    agent, ✗ short by one or more."""
    gap = row.gap
    if gap is None:
        return Text("—", style=palette.muted)
    if gap >= -0.05:
        return Text(f"✓{gap:+5.1f}", style=palette.ok)
    if gap > -1:
        return Text(f"▽{gap:+5.1f}", style=palette.warn)
    return Text(f"✗{gap:+5.1f}", style=f"bold {palette.bad}")


def _num(x: float | None, fmt: str = "{:.0f}") -> str:
    return "—" if x is None else fmt.format(x)


def _spark_scaled(values: list[float | None], top: float) -> str:
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            f = 0.0 if top <= 0 else min(max(v / top, 0.0), 1.0)
            out.append(_SPARK[round(f * (len(_SPARK) - 1))])
    return "".join(out)


def busy_rows(q: QueueDay) -> list[IntervalRow]:
    """The intervals worth a line: from the first with a forecast, calls or agents to the
    last (the night's empty ones left out), always including the current one."""

    def busy(r: IntervalRow) -> bool:
        return bool(
            (r.forecast and r.forecast.calls >= 0.5)
            or (r.stats and r.stats.offered)
            or (r.staffed and r.staffed >= 0.05)
            or r.state == "current"
        )

    idx = [i for i, r in enumerate(q.rows) if busy(r)]
    if not idx:
        return []
    return list(q.rows[idx[0] : idx[-1] + 1])


class IntervalsData(Message):
    def __init__(self, view: IntervalsView | None, error: str | None = None) -> None:
        super().__init__()
        self.view = view
        self.error = error


class IntervalsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("left", "queue(-1)", "Queue", key_display="←", priority=True),
        Binding("right", "queue(1)", "Queue", key_display="→", priority=True),
        Binding("w", "what_if", "What-if"),
        Binding("m", "minutes", "15/30 min"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: IntervalsView | None = None
        self.queue_index = 0
        self.minutes = 30
        self.fetching = False
        self.stale_since: float | None = None
        self.stale_error = ""
        self._moved = False
        self._cache = IntervalCache()
        self._watcher: ChangeWatcher | None = None
        self._last_fetch = 0.0
        self._cells: dict[str, list[Any]] = {}
        self._shown_queue: str | None = None
        self._placed = False  # the cursor was put on the current interval

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="iv-head")
        yield Static(id="iv-chart")
        yield DataTable(id="intervals", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def _columns(self) -> list[tuple[str, str, int]]:
        wide = self.app.size.width >= 100
        return [c for c in COLUMNS if wide or c[0] not in NARROW_DROP]

    def on_mount(self) -> None:
        table = self.query_one("#intervals", DataTable)
        for key, label, width in self._columns():
            table.add_column(label, key=key, width=width)
        table.focus()
        self._watcher = ChangeWatcher(self.fapp.engine)
        self._refresh_data(force=True)
        self.set_interval(self.fapp.settings.refresh_seconds, self._tick)
        self._render_status()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    # -- data --------------------------------------------------------------------------------
    def time_moved(self) -> None:
        """The app's clock jumped (replay, or live again): read at the new `now`."""
        self._placed = False
        if self.fetching:
            self._moved = True
        else:
            self._refresh_data(force=True)
        self._render_status()

    def _tick(self) -> None:
        if not self.is_current:
            return
        now = self.fapp.clock.now()
        turned = self.view is not None and int(now // 60) != int(self.view.now // 60)
        self._refresh_data(force=self.stale_since is not None or turned)
        self._render_status()

    def _refresh_data(self, force: bool = False) -> None:
        if self.fetching:
            return
        self.fetching = True
        self._fetch(force, self.minutes)

    @work(thread=True, group="intervals-fetch")
    def _fetch(self, force: bool, minutes: int) -> None:
        app = self.fapp
        try:
            assert self._watcher is not None
            if not (self._watcher.changed() or force or self.view is None):
                self.post_message(IntervalsData(None))
                return
            view = build_intervals(
                app.engine, app.settings, app.clock.now(), minutes=minutes, cache=self._cache
            )
        except Exception as exc:
            if self._watcher is not None:
                self._watcher.reset()
            self._cache = IntervalCache()
            self.post_message(IntervalsData(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(IntervalsData(view))

    @on(IntervalsData)
    def _on_data(self, message: IntervalsData) -> None:
        self.fetching = False
        if self._moved or (message.view is not None and message.view.minutes != self.minutes):
            self._moved = False
            self._refresh_data(force=True)
            return
        if message.error is not None:
            if self.stale_since is None:
                self.stale_since = self.fapp.clock.now()
            self.stale_error = message.error
        elif message.view is not None:
            self.stale_since = None
            self.view = message.view
            self._last_fetch = message.view.now
            self._show()
        self._render_status()

    # -- drawing -----------------------------------------------------------------------------
    def _queue(self) -> QueueDay | None:
        if self.view is None or not self.view.queues:
            return None
        self.queue_index %= len(self.view.queues)
        return self.view.queues[self.queue_index]

    def _render_status(self) -> None:
        app = self.fapp
        tz = app.settings.tz
        line = Text.assemble(
            ("floorsup ", "bold"),
            ("intervals  ", "bold"),
            f"{clock_text(app.clock.now(), tz)} {tz}  ",
        )
        if self.stale_since is not None:
            line.append(
                f"⚠ STALE since {clock_text(self.stale_since, tz, '%H:%M:%S')}: "
                f"{self.stale_error[:50]}",
                style=f"bold {app.palette.bad}",
            )
        elif app.replaying:
            line.append_text(replay_mark(app.palette))
        else:
            line.append("● live", style=app.palette.ok)
        self.query_one("#status", Static).update(line)

    def _show(self) -> None:
        q = self._queue()
        view = self.view
        pal = self.fapp.palette
        head = self.query_one("#iv-head", Static)
        if q is None or view is None:
            head.update(
                Text("No queues yet: feed the ACD's queue_log (floorsup ingest).", style=pal.warn)
            )
            return
        n = len(view.queues)
        t = Text()
        t.append(f"◀ {q.info.name} ▶", style="bold")
        t.append(
            f"  ({self.queue_index + 1}/{n}) · target {q.info.target_fraction:.0%} in "
            f"{q.info.target_seconds}s · {view.minutes}-min intervals\n"
        )
        t.append(view.method + " · need: Erlang C, on the phones", style=pal.muted)
        head.update(t)
        rows = busy_rows(q)
        self._chart(rows)
        self._fill(q, rows)

    def _chart(self, rows: list[IntervalRow]) -> None:
        pal = self.fapp.palette
        chart = self.query_one("#iv-chart", Static)
        if not rows:
            chart.update("")
            return
        width = max(self.app.size.width - 12, 10)
        rows = rows[:width]
        offered = [float(r.stats.offered) if r.stats else None for r in rows]
        fcst = [r.forecast.calls if r.forecast else None for r in rows]
        top = max([x for x in offered + fcst if x is not None] or [0.0])
        sl = [r.stats.service_level if r.stats else None for r in rows]
        t = Text()
        t.append("Offered  ", style="bold")
        t.append(_spark_scaled(offered, top))
        t.append(f" ≤{top:.0f}\n", style=pal.muted)
        t.append("Forecast ", style="bold")
        t.append(_spark_scaled(fcst, top), style=pal.muted)
        t.append("\nSL       ", style="bold")
        target = self._queue().info.target_fraction if self._queue() else 0.8
        for v in sl:
            if v is None:
                t.append(" ")
            else:
                mark = _SPARK[round(min(max(v, 0.0), 1.0) * (len(_SPARK) - 1))]
                t.append(mark, style=pal.ok if v >= target else pal.bad)
        first, last = rows[0].label, rows[-1].label
        now_i = next((i for i, r in enumerate(rows) if r.state == "current"), None)
        t.append(f"\n         {first}")
        if now_i is not None:
            t.append(" " * max(now_i - len(first), 1) + "▲ now", style=pal.warn)
        t.append(f"  … {last}", style=pal.muted)
        chart.update(t)

    def _row_cells(self, q: QueueDay, r: IntervalRow) -> list[Any]:
        pal = self.fapp.palette
        s = r.stats
        keys = [c[0] for c in self._columns()]
        cur = r.state == "current"
        time = Text(("▶ " if cur else "  ") + r.label, style="bold" if cur else "")
        values: dict[str, Any] = {
            "time": time,
            "fcst": _num(r.forecast.calls if r.forecast else None, "{:.1f}"),
            "offered": "" if s is None else str(s.offered),
            "answered": "" if s is None else str(s.answered),
            "abandoned": "" if s is None else str(s.abandoned),
            "sl": Text("") if s is None else sl_cell(s.service_level, q.info.target_fraction, pal),
            "asa": "" if s is None else _num(s.asa_seconds, "{:.0f}s"),
            "aht": "" if s is None else duration(s.aht_seconds) if s.aht_seconds else "—",
            "need_f": str(r.needed_forecast.agents) if r.needed_forecast else "—",
            "need_a": str(r.needed_actual.agents)
            if r.needed_actual and s and s.offered
            else ("0" if r.needed_actual else "—"),
            "staffed": "" if r.staffed is None else f"{r.staffed:.1f}",
            "gap": gap_cell(r, pal),
        }
        return [values[k] for k in keys]

    def _fill(self, q: QueueDay, rows: list[IntervalRow]) -> None:
        table = self.query_one("#intervals", DataTable)
        keys = [c[0] for c in self._columns()]
        if self._shown_queue != q.info.name or len(table.columns) != len(keys):
            table.clear(columns=len(table.columns) != len(keys))
            if not table.columns:
                for key, label, width in self._columns():
                    table.add_column(label, key=key, width=width)
            self._cells = {}
            self._shown_queue = q.info.name
        wanted = [r.label for r in rows]
        if list(self._cells) != wanted:  # the day's rows changed (first fill, 15/30, a queue)
            table.clear()
            self._cells = {}
            for r in rows:
                cells = self._cells[r.label] = self._row_cells(q, r)
                table.add_row(*cells, key=r.label)
        else:
            for r in rows:
                cells = self._row_cells(q, r)
                old = self._cells[r.label]
                for k, new, was in zip(keys, cells, old, strict=True):
                    if new != was:
                        table.update_cell(r.label, k, new)
                self._cells[r.label] = cells
        if not self._placed:
            cur = next((i for i, r in enumerate(rows) if r.state == "current"), None)
            if cur is None:  # a past day (replay at a past date): the last interval
                cur = len(rows) - 1
            if cur >= 0:
                table.move_cursor(row=cur, scroll=True)
            self._placed = True

    def export_table(self) -> Book | None:
        """`e`: every queue's day, a sheet each, typed (see floorsup.export)."""
        view = self.view
        if view is None or not view.queues:
            return None
        tz = self.fapp.settings.tz
        tables = []
        for q in view.queues:
            rows = []
            for r in busy_rows(q):
                s = r.stats
                rows.append(
                    {
                        "interval": iso_local(r.start, tz),
                        "state": r.state,
                        "forecast_calls": r.forecast.calls if r.forecast else None,
                        "forecast_aht": r.forecast.aht if r.forecast else None,
                        "offered": s.offered if s else None,
                        "answered": s.answered if s else None,
                        "abandoned": s.abandoned if s else None,
                        "service_level": s.service_level if s else None,
                        "asa": s.asa_seconds if s else None,
                        "aht": s.aht_seconds if s else None,
                        "need_forecast": r.needed_forecast.agents if r.needed_forecast else None,
                        "need_actual": r.needed_actual.agents if r.needed_actual else None,
                        "staffed": r.staffed,
                        "gap": r.gap,
                    }
                )
            tables.append(Table(q.info.name[:31], EXPORT_COLUMNS, tuple(rows), tz=tz))
        return Book(
            f"Intervals {view.day.isoformat()}",
            tuple(tables),
            about=(
                ("Day", view.day.isoformat()),
                ("Interval", f"{view.minutes} minutes"),
                ("Forecast", view.method),
                ("Needed", "Erlang C, agents on the phones, each queue's own SL target"),
                ("Staffed", "agents available, ringing or on a call, averaged (shared: 1/k)"),
                ("As of", iso_local(view.now, tz)),
            ),
        )

    # -- keys --------------------------------------------------------------------------------
    def action_queue(self, step: int) -> None:
        if self.view is None or not self.view.queues:
            return
        self.queue_index = (self.queue_index + step) % len(self.view.queues)
        self._placed = False
        self._show()

    def action_minutes(self) -> None:
        self.minutes = 15 if self.minutes == 30 else 30
        self._placed = False
        self.notify(f"{self.minutes}-minute intervals", timeout=2)
        if self.fetching:
            # The answer in flight is for the old length, or is "nothing changed" (no view at
            # all): either way _on_data asks again.
            self._moved = True
            return
        self._refresh_data(force=True)

    def selected(self) -> IntervalRow | None:
        q = self._queue()
        if q is None:
            return None
        rows = busy_rows(q)
        table = self.query_one("#intervals", DataTable)
        i = table.cursor_row
        return rows[i] if 0 <= i < len(rows) else None

    def action_what_if(self) -> None:
        q, r = self._queue(), self.selected()
        if q is None:
            return
        calls = aht = None
        if r is not None:
            if r.forecast is not None:
                calls, aht = r.forecast.calls, r.forecast.aht
            if r.stats is not None and r.stats.offered and r.state == "done":
                calls, aht = float(r.stats.offered), r.stats.aht_seconds or aht
        self.app.push_screen(
            WhatIf(
                queue=q.info.name,
                label=r.label if r else "",
                minutes=self.minutes,
                calls=calls or 0.0,
                aht=aht or 300.0,
                target_sl=q.info.target_fraction,
                target_seconds=q.info.target_seconds,
            )
        )


class WhatIf(ModalScreen[None]):
    """Change the volume, AHT or target and see the agents needed at once (Erlang C), with
    scheduled agents after shrinkage. Bad values are said beside the result."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Close")]
    FIELDS = (
        ("calls", "Calls in the interval"),
        ("aht", "AHT (seconds)"),
        ("target_sl", "Target SL (%)"),
        ("target_seconds", "Answered within (s)"),
        ("max_occupancy", "Occupancy cap (%, blank: none)"),
        ("shrinkage", "Shrinkage (%)"),
    )

    def __init__(
        self,
        *,
        queue: str,
        label: str,
        minutes: int,
        calls: float,
        aht: float,
        target_sl: float,
        target_seconds: int,
    ) -> None:
        super().__init__()
        self.queue, self.label, self.minutes = queue, label, minutes
        self.start_values = {
            "calls": f"{calls:.0f}" if float(calls).is_integer() else f"{calls:.1f}",
            "aht": f"{aht:.0f}",
            "target_sl": f"{target_sl * 100:.0f}",
            "target_seconds": str(target_seconds),
            "max_occupancy": "",
            "shrinkage": "30",
        }

    def compose(self) -> ComposeResult:
        with Vertical(id="whatif"):
            yield Label(
                f"What-if · {self.queue} {self.label} · {self.minutes}-min interval",
                markup=False,
                id="whatif-title",
            )
            for key, label in self.FIELDS:
                yield Label(label, markup=False)
                yield Input(self.start_values[key], id=f"wi-{key}", compact=True)
            yield Static(id="wi-result")
            yield Label("escape: close", markup=False)

    def on_mount(self) -> None:
        self.query_one("#wi-calls", Input).focus()
        self._compute()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._compute()

    def values(self) -> tuple[dict[str, float | None], dict[str, str]]:
        got: dict[str, float | None] = {}
        bad: dict[str, str] = {}
        for key, label in self.FIELDS:
            text = self.query_one(f"#wi-{key}", Input).value.strip().rstrip("%")
            if not text and key == "max_occupancy":
                got[key] = None
                continue
            try:
                v = float(text)
                if not math.isfinite(v):
                    raise ValueError
            except ValueError:
                bad[key] = f"{label}: {text or 'nothing'} is not a number"
                continue
            got[key] = v / 100 if key in ("target_sl", "max_occupancy", "shrinkage") else v
        return got, bad

    def _compute(self) -> None:
        out = self.query_one("#wi-result", Static)
        got, bad = self.values()
        if not bad:
            args = {
                "calls": got["calls"],
                "interval_seconds": self.minutes * 60.0,
                "aht": got["aht"],
                "target_sl": got["target_sl"],
                "target_seconds": got["target_seconds"],
                "max_occupancy": got["max_occupancy"],
                "shrinkage": got["shrinkage"],
            }
            problems = request_problems(**args)  # type: ignore[arg-type]
            bad.update(problems)
        if bad:
            out.update(Text("✗ " + "; ".join(bad.values()), style="bold red"))
            return
        s = required(**args)  # type: ignore[arg-type]
        asa = "∞" if math.isinf(s.asa_seconds) else f"{s.asa_seconds:.1f}s"
        out.update(
            Text(
                f"Needed on the phones: {s.agents}  ·  scheduled (after shrinkage): "
                f"{s.scheduled_agents}\nSL {s.service_level:.1%} · P(wait) "
                f"{s.probability_of_waiting:.1%} · ASA {asa} · occupancy {s.occupancy:.1%}"
                f"\ntraffic {s.traffic:.2f} erlangs · set by: {s.binding}",
            )
        )


__all__ = ["IntervalsScreen", "WhatIf", "gap_cell"]
