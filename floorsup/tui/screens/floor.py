"""The floor: queues at the top, the agent board below. Live, keyboard-first.

Refresh: every tick a thread worker asks the database whether anything changed (SQLite
PRAGMA data_version) and, only if so (or when the interval turns), builds a new snapshot.
Fetches never overlap; a failed fetch leaves the last picture up marked "stale since".
Between fetches the clocks (time in state, oldest wait) tick from the cached snapshot.
Tables are updated in place: rows keyed by queue / agent, cells changed only when their
value did, the cursor kept on the same agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from floorsup.adherence import ActualsCache, AdherenceSnapshot, build_adherence
from floorsup.domain.metrics import SL_FORMULA_TEXT
from floorsup.domain.types import AgentState
from floorsup.floor import FloorCache, FloorSnapshot, build_floor
from floorsup.store.queries import AgentNow, ChangeWatcher
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import (
    STATE_LABEL,
    age_cell,
    clock_text,
    duration,
    hhmm,
    plain,
    replay_mark,
    short_secs,
    sl_cell,
    state_text,
    wait_cell,
)
from floorsup.tui.screens.alerts import banner_text, floor_reading

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp

QUEUE_COLUMNS = (
    ("queue", "Queue"),
    ("waiting", "Wait"),
    ("oldest", "Oldest"),
    ("sl_iv", "SL int"),
    ("sl_day", "SL day"),
    ("asa", "ASA"),
    ("aht", "AHT"),
    ("abn", "Abn"),
    ("agents", "Av/Call/Pau/Rng"),
)
AGENT_COLUMNS = (
    ("name", "Agent"),
    ("team", "Team"),
    ("state", "State"),
    ("time", "Time"),
    ("calls", "Calls"),
    ("queue", "Queue"),
)
STATE_ORDER = {
    AgentState.RINGING: 0,
    AgentState.ON_CALL: 1,
    AgentState.PAUSED: 2,
    AgentState.AVAILABLE: 3,
    AgentState.LOGGED_OUT: 4,
}


def sort_value(a: AgentNow, column: str, now: float) -> Any:
    """The raw value a column sorts on (never its display text)."""
    name = a.name.lower()
    if column == "time":
        return (a.since, name)  # earliest start = longest in state; independent of `now`
    if column == "state":
        return (STATE_ORDER[a.state], a.since, name)
    if column == "team":
        return ((a.team or "~").lower(), name)
    if column == "calls":
        return (a.calls_today, name)
    return (name, a.agent)


# (label, column, descending)
SORTS = (
    ("time in state", "time", False),
    ("state", "state", False),
    ("name", "name", False),
    ("team", "team", False),
    ("calls today", "calls", True),
)


class Cell(Text):
    """A cell that carries the raw value it sorts on."""

    def __init__(self, text: str, style: Any = "", raw: Any = None) -> None:
        super().__init__(text, style=style)
        self.raw = raw

    def __eq__(self, other: object) -> bool:
        """Equal only if the raw value is too: a cell whose text stays ("On call") while its
        sort value moves (a new call) must still be updated."""
        return isinstance(other, Cell) and self.raw == other.raw and super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def _cell(text: Text | str, raw: Any) -> Cell:
    if isinstance(text, str):
        return Cell(text, raw=raw)
    c = Cell(text.plain, style=text.style, raw=raw)
    c.spans = list(text.spans)
    return c


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class FloorData(Message):
    def __init__(
        self,
        snapshot: FloorSnapshot | None,
        error: str | None = None,
        adherence: AdherenceSnapshot | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.error = error
        self.adherence = adherence


class FloorScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("s", "sort", "Sort"),
        Binding("enter", "open_agent", "Agent", show=True, priority=False),
        Binding("n", "note", "Note"),
        Binding("p", "pause", "Pause"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("tab", "focus_next", "Switch table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: FloorSnapshot | None = None
        self.paused = False
        self.fetching = False
        self.stale_since: float | None = None
        self.stale_error = ""
        self.sort_index = 0
        self.filter_text = ""
        self.last_fetch = 0.0
        self.fetch_count = 0
        self._watcher: ChangeWatcher | None = None
        self._cache = FloorCache()
        self.adherence: AdherenceSnapshot | None = None
        self._adh_cache = ActualsCache()
        self._shown: dict[str, AgentNow] = {}
        self._moved = False  # the clock jumped while a fetch was in flight
        self._alerts_shown = -1  # the alert log's version the banner shows

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="alert-banner")
        with Vertical(id="floor"):
            yield DataTable(id="queues", cursor_type="none", zebra_stripes=False)
            yield Static(id="summary")
            yield DataTable(id="agents", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="filter agents: name, team, state, reason, queue", id="filter")
        yield KeyFooter()

    def on_mount(self) -> None:
        q = self.query_one("#queues", DataTable)
        for key, label in QUEUE_COLUMNS:
            q.add_column(label, key=key)
        a = self.query_one("#agents", DataTable)
        for key, label in AGENT_COLUMNS:
            a.add_column(label, key=key)
        self.query_one("#filter", Input).display = False
        self.query_one("#alert-banner", Static).display = False
        a.focus()
        self._watcher = ChangeWatcher(self.fapp.engine)
        self._render_status()
        self.refresh_now(force=True)
        self.set_interval(self.fapp.settings.refresh_seconds, self.tick)

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    # -- refresh loop ---------------------------------------------------------------------
    def tick(self) -> None:
        if self.paused or not self.is_current:  # under another screen: nobody is looking
            return
        now = self.fapp.clock.now()
        stale = self.stale_since is not None
        self.refresh_now(force=stale or self._interval_turned(now) or now - self.last_fetch > 30)
        self._tick_clocks(now)
        self._check_alerts(now)

    def _check_alerts(self, now: float) -> None:
        """Raise and clear alerts from the picture on screen; ring once for new ones. A
        stale picture (a failed read) changes nothing, and nor does a replayed past."""
        app = self.fapp
        if app.replaying:
            return
        rules = app.settings.alerts
        reading = (
            None
            if self.stale_since is not None
            else floor_reading(rules, self.snapshot, self.adherence, now)
        )
        changes = app.alerts.update(reading, now)
        if changes.raised and rules.bell:
            app.bell()
        if app.alerts.version != self._alerts_shown:
            self._alerts_shown = app.alerts.version
            banner = self.query_one("#alert-banner", Static)
            text = banner_text(app.alerts, app.palette)
            banner.update(text)
            banner.display = bool(text.plain)

    def time_moved(self) -> None:
        """The app's clock jumped (replay, or live again): read the floor at the new `now`.
        A fetch in flight was for the old one: its answer is dropped and read again."""
        self._adh_cache = ActualsCache()  # holds spans up to the old `now` only
        self.adherence = None
        if self.fetching:
            self._moved = True
        else:
            self.refresh_now(force=True)
        self._render_status()

    def _interval_turned(self, now: float) -> bool:
        snap = self.snapshot
        return snap is not None and now >= snap.interval_start + 30 * 60

    def refresh_now(self, force: bool = False) -> None:
        """Start a fetch unless one is running."""
        if self.fetching:
            return
        self.fetching = True
        self._fetch(force)

    @work(thread=True, group="floor-fetch")
    def _fetch(self, force: bool) -> None:
        app = self.fapp
        try:
            assert self._watcher is not None
            changed = self._watcher.changed()
            if not (changed or force or self.snapshot is None):
                self.post_message(FloorData(None))
                return
            now = app.clock.now()
            snap = build_floor(app.engine, app.settings, now, self._cache)
            adherence = None
            if (
                self.adherence is None or now - self.adherence.now >= 5
            ):  # a glance: every 5 s is plenty
                adherence = build_adherence(
                    app.engine,
                    app.settings,
                    now,
                    cache=self._adh_cache,
                    with_exceptions=False,
                    glance=True,
                )
        except Exception as exc:  # the picture stays, marked stale; the next tick tries again
            if self._watcher is not None:
                self._watcher.reset()
            self._cache = FloorCache()
            self._adh_cache = ActualsCache()
            self.post_message(FloorData(None, error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(FloorData(snap, adherence=adherence))

    @on(FloorData)
    def _on_data(self, message: FloorData) -> None:
        self.fetching = False
        if self._moved:  # read for a `now` the clock has since left
            self._moved = False
            self.refresh_now(force=True)
            return
        if message.error is not None:
            if self.stale_since is None:
                self.stale_since = self.fapp.clock.now()
            self.stale_error = message.error
            self._render_status()
            return
        if message.adherence is not None:
            self.adherence = message.adherence
        if message.snapshot is not None:
            self.stale_since = None
            self.snapshot = message.snapshot
            self.last_fetch = message.snapshot.now
            self.fetch_count += 1
            self._apply(message.snapshot)
            if self.fetch_count == 1:
                self.fapp.floor_drawn()
        self._render_status()

    # -- rendering -------------------------------------------------------------------------
    def _render_status(self) -> None:
        app = self.fapp
        now = app.clock.now()
        tz = app.settings.tz
        if self.paused:
            mode = Text("⏸ PAUSED (p resumes)", style=f"bold {app.palette.warn}")
        elif self.stale_since is not None:
            mode = Text(
                f"⚠ STALE since {clock_text(self.stale_since, tz, '%H:%M:%S')}: {self.stale_error[:60]}",
                style=f"bold {app.palette.bad}",
            )
        elif app.replaying:
            mode = replay_mark(app.palette)
        else:
            mode = Text("● live", style=app.palette.ok)
        line = Text.assemble(
            ("floorsup ", "bold"),
            f"{clock_text(now, tz)} {tz}  ",
            mode,
        )
        if self.snapshot is not None:
            line.append(f"  interval {hhmm(self.snapshot.interval_start, tz)}")
        self.query_one("#status", Static).update(line)

    def _apply(self, snap: FloorSnapshot) -> None:
        self._apply_queues(snap)
        self._apply_agents(snap, snap.now)
        self._render_summary(snap)

    def _render_summary(self, snap: FloorSnapshot) -> None:
        if not snap.queues and not snap.agents:
            self.query_one("#summary", Static).update(
                Text(
                    "No queue data yet. Feed it: floorsup ingest queue-log /var/log/asterisk/queue_log "
                    "--follow (or try floorsup demo)",
                    style=self.fapp.palette.warn,
                )
            )
            return
        st = snap.states
        n = sum(st.values())
        parts = Text.assemble(
            (f"Agents {n}: ", "bold"),
            (f"{st[AgentState.AVAILABLE]} available", self.fapp.palette.ok),
            f" · {st[AgentState.ON_CALL]} on call · ",
            (f"{st[AgentState.PAUSED]} paused", self.fapp.palette.muted),
            f" · {st[AgentState.RINGING]} ringing\n",
            f"sort: {SORTS[self.sort_index][0]}",
        )
        if self.filter_text:
            parts.append(f" · filter: {self.filter_text!r}", style="bold")
        parts.append(
            f" · SL = {SL_FORMULA_TEXT[self.fapp.settings.sl_formula]}",
            style=self.fapp.palette.muted,
        )
        adh = self.adherence
        if adh is not None and any(r.now.scheduled_activity for r in adh.rows):
            _inn, out, severe, _un = adh.counts()
            parts.append("\nAdherence: ", style="bold")
            if not out:
                parts.append("✓ everyone in", style=self.fapp.palette.ok)
            else:
                parts.append(f"{out} out", style=self.fapp.palette.warn)
                if severe:
                    parts.append(f" (‼ {severe} severe)", style=f"bold {self.fapp.palette.bad}")
                worst = [r for r in adh.live_rows if r.now.in_adherence is False][:3]
                names = ", ".join(
                    f"{r.person.name} {duration(snap.now - r.now.out_since) if r.now.out_since else ''}".strip()
                    for r in worst
                )
                parts.append(f" — {names}   (2: adherence)")
        self.query_one("#summary", Static).update(parts)

    def _queue_cells(self, line: Any, now: float) -> dict[str, Any]:
        pal = self.fapp.palette
        info = line.info
        oldest = None if line.oldest_wait_since is None else now - line.oldest_wait_since
        return {
            "queue": Text(info.name, style="bold"),
            "waiting": Text(str(line.waiting), style=f"bold {pal.warn}" if line.waiting else ""),
            "oldest": wait_cell(oldest, info.target_seconds, pal),
            "sl_iv": sl_cell(line.interval.service_level, info.target_fraction, pal),
            "sl_day": sl_cell(line.today.service_level, info.target_fraction, pal),
            "asa": short_secs(line.today.asa_seconds),
            "aht": duration(line.today.aht_seconds),
            "abn": str(line.today.abandoned),
            "agents": f"{line.available}/{line.on_call}/{line.paused}/{line.ringing}",
        }

    def _apply_queues(self, snap: FloorSnapshot) -> None:
        table = self.query_one("#queues", DataTable)
        wanted = {line.info.name: line for line in snap.queues}
        for key in [k.value for k in table.rows if k.value not in wanted]:
            table.remove_row(key)
        for name, line in wanted.items():
            self._set_row(
                table, name, self._queue_cells(line, snap.now), [c for c, _ in QUEUE_COLUMNS]
            )

    # Column widths: roomy, and narrow enough for an 80-column terminal (SSH, tmux split).
    WIDE = {"name": 24, "team": 18, "queue": 16}
    NARROW = {"name": 16, "team": 11, "queue": 8}

    def _agent_cells(self, a: AgentNow, now: float) -> dict[str, Any]:
        pal = self.fapp.palette
        w = self.NARROW if self.size.width < 100 else self.WIDE
        state = state_text(a.state, a.reason, pal)
        state.truncate(16, overflow="ellipsis")
        return {
            "name": _cell(_clip(a.name, w["name"]), sort_value(a, "name", now)),
            "team": _cell(_clip(a.team or "—", w["team"]), sort_value(a, "team", now)),
            "state": _cell(state, sort_value(a, "state", now)),
            "time": _cell(age_cell(a.state, now - a.since, pal), sort_value(a, "time", now)),
            "calls": _cell(str(a.calls_today), sort_value(a, "calls", now)),
            "queue": plain(_clip(a.queue, w["queue"]))
            if a.queue
            else Text(_clip(",".join(a.member_queues), w["queue"]), style=pal.muted),
        }

    def on_resize(self) -> None:
        narrow = self.size.width < 100
        if narrow != getattr(self, "_narrow", None):
            self._narrow = narrow
            self._shown.clear()  # every row is redrawn at the new widths
            if self.snapshot is not None:
                self._apply_agents(self.snapshot, self.fapp.clock.now())

    def _matches(self, a: AgentNow) -> bool:
        f = self.filter_text.lower()
        if not f:
            return True
        hay = " ".join(
            filter(
                None, (a.name, a.team, STATE_LABEL[a.state], a.reason, a.queue, a.agent, a.staff_id)
            )
        ).lower()
        return all(part in hay for part in f.split())

    def _apply_agents(self, snap: FloorSnapshot, now: float) -> None:
        table = self.query_one("#agents", DataTable)
        _label, column, descending = SORTS[self.sort_index]
        agents = sorted(
            (a for a in snap.agents if self._matches(a)),
            key=lambda a: sort_value(a, column, now),
            reverse=descending,
        )
        wanted = {a.agent: a for a in agents}
        cursor_key = self._cursor_key(table)
        for key in [k.value for k in table.rows if k.value not in wanted]:
            table.remove_row(key)
            self._shown.pop(key, None)  # type: ignore[arg-type]
        cols = [c for c, _ in AGENT_COLUMNS]
        shown = self._shown
        for a in agents:
            if shown.get(a.agent) == a and a.agent in table.rows:
                continue  # unchanged: only its clock moves, and the tick keeps that
            self._set_row(table, a.agent, self._agent_cells(a, now), cols)
            shown[a.agent] = a
        if [r.key.value for r in table.ordered_rows] != [a.agent for a in agents]:
            table.sort(column, key=lambda cell: cell.raw, reverse=descending)
        if cursor_key is not None and cursor_key in wanted:
            table.move_cursor(row=table.get_row_index(cursor_key), animate=False)

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    @staticmethod
    def _set_row(table: DataTable, key: str, cells: dict[str, Any], cols: list[str]) -> None:
        if key not in table.rows:
            table.add_row(*(cells[c] for c in cols), key=key)
            return
        for c in cols:
            new = cells[c]
            if table.get_cell(key, c) != new:
                table.update_cell(key, c, new)

    def _tick_clocks(self, now: float) -> None:
        """Move the clocks on the rows that can be seen (the rest catch up when scrolled to,
        within a tick): a thousand agents cost what a screenful does."""
        snap = self.snapshot
        if snap is None:
            self._render_status()
            return
        agents = self.query_one("#agents", DataTable)
        pal = self.fapp.palette
        first = int(agents.scroll_y)
        height = max(agents.scrollable_content_region.height, 1)
        for row in agents.ordered_rows[first : first + height + 1]:
            a = self._shown.get(row.key.value)  # type: ignore[arg-type]
            if a is not None:
                cell = _cell(age_cell(a.state, now - a.since, pal), sort_value(a, "time", now))
                if agents.get_cell(row.key, "time") != cell:
                    agents.update_cell(row.key, "time", cell)
        queues = self.query_one("#queues", DataTable)
        for line in snap.queues:
            if line.oldest_wait_since is not None and line.info.name in queues.rows:
                queues.update_cell(
                    line.info.name,
                    "oldest",
                    wait_cell(now - line.oldest_wait_since, line.info.target_seconds, pal),
                )
        self._render_status()

    # -- actions ---------------------------------------------------------------------------
    def action_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.refresh_now(force=True)
        self._render_status()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        if self.snapshot is not None:
            self._apply_agents(self.snapshot, self.fapp.clock.now())
            self._render_summary(self.snapshot)
        self.notify(f"Sorted by {SORTS[self.sort_index][0]}", timeout=1.5)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display or self.filter_text:
            box.value = ""
            box.display = False
            self.filter_text = ""
            self._refilter()
            self.query_one("#agents", DataTable).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._refilter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#agents", DataTable).focus()

    def _refilter(self) -> None:
        if self.snapshot is not None:
            self._apply_agents(self.snapshot, self.fapp.clock.now())
            self._render_summary(self.snapshot)

    def action_open_agent(self) -> None:
        table = self.query_one("#agents", DataTable)
        key = self._cursor_key(table)
        if key is not None:
            from floorsup.tui.screens.agent import open_page

            open_page(self.fapp, key)

    def action_note(self) -> None:
        key = self._cursor_key(self.query_one("#agents", DataTable))
        self.fapp.open_note(agent=key)

    @on(DataTable.RowSelected, "#agents")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_agent()
