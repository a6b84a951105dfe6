"""Real-time adherence: who is where they are scheduled to be, who is out and for how long.

Worst first (severe and longest out on top). `/` filters by team (or name), `a` authorises
the selected agent's current stretch out of adherence (written, then confirmed), `enter`
opens the agent. Refreshed like the floor: a thread worker, only when the data changed
(or the minute turned), never two at once; "STALE since" when a fetch fails."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from floorsup.adherence import ActualsCache, AdherenceRow, AdherenceSnapshot, build_adherence
from floorsup.store.queries import ChangeWatcher
from floorsup.store.schedules import authorize_exception
from floorsup.tui.ask import Ask
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import clock_text, duration, plain, replay_mark, state_text

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp

COLUMNS = (
    ("name", "Agent"),
    ("team", "Team"),
    ("scheduled", "Scheduled"),
    ("actual", "Actual"),
    ("status", "In/out"),
    ("day", "Adh today"),
)


WIDE = (20, 16, 10, 18, 14, 9)
NARROW = (15, 10, 8, 14, 13, 4)


def _fit(text: str | Text, width: int) -> str | Text:
    if len(text) <= width:
        return text
    if isinstance(text, Text):
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
        return text
    return text[: width - 1] + "…"


class AdherenceData(Message):
    def __init__(self, snapshot: AdherenceSnapshot | None, error: str | None = None) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.error = error


class Authorised(Message):
    def __init__(self, text: str, ok: bool) -> None:
        super().__init__()
        self.text = text
        self.ok = ok


class AuthoriseScreen(Ask):
    """Why is this stretch out of adherence allowed? (The reason is kept with who and when.)"""

    def __init__(self, who: str, since: str) -> None:
        super().__init__(
            f"Authorise {who}'s time out of adherence from {since}",
            placeholder="why (required), then enter",
            required="A reason is required: it is kept with the authorisation.",
        )


class AdherenceScreen(Screen[None]):
    BINDINGS = [
        Binding("1", "app.show_floor", "Floor"),
        Binding("slash", "filter", "Filter team", key_display="/"),
        Binding("a", "authorise", "Authorise"),
        Binding("enter", "open_agent", "Agent"),
        Binding("n", "note", "Note"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: AdherenceSnapshot | None = None
        self.fetching = False
        self.stale_since: float | None = None
        self.filter_text = ""
        self._watcher: ChangeWatcher | None = None
        self._cache = ActualsCache()
        self._last_fetch = 0.0
        self._moved = False  # the clock jumped while a fetch was in flight

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="adh-summary")
        yield DataTable(id="adherence", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="filter: team or name", id="filter")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#adherence", DataTable)
        # Fixed widths: the table never draws before it has measured its rows, and at 80
        # columns it fits without scrolling sideways.
        widths = WIDE if self.app.size.width >= 100 else NARROW
        for (key, label), width in zip(COLUMNS, widths, strict=True):
            table.add_column(label, key=key, width=width)
        self.query_one("#filter", Input).display = False
        table.focus()
        self._watcher = ChangeWatcher(self.fapp.engine)
        self._refresh_data(force=True)
        self.set_interval(self.fapp.settings.refresh_seconds, self._tick)

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    # -- data --------------------------------------------------------------------------------
    def time_moved(self) -> None:
        """The app's clock jumped (replay, or live again): read adherence at the new `now`;
        a fetch in flight was for the old one and is read again."""
        self._cache = ActualsCache()  # holds spans up to the old `now` only
        if self.fetching:
            self._moved = True
        else:
            self._refresh_data(force=True)
        self._redraw()

    def _tick(self) -> None:
        if not self.is_current:  # under the agent page: refreshed when it shows again
            return
        now = self.fapp.clock.now()
        stale = self.stale_since is not None
        self._refresh_data(force=stale or now - self._last_fetch >= 60)
        self._redraw()

    def _refresh_data(self, force: bool = False) -> None:
        if self.fetching:
            return
        self.fetching = True
        self._fetch(force)

    @work(thread=True, group="adherence-fetch")
    def _fetch(self, force: bool) -> None:
        app = self.fapp
        try:
            assert self._watcher is not None
            if not (self._watcher.changed() or force or self.snapshot is None):
                self.post_message(AdherenceData(None))
                return
            snap = build_adherence(
                app.engine, app.settings, app.clock.now(), cache=self._cache, with_exceptions=False
            )
        except Exception as exc:
            if self._watcher is not None:
                self._watcher.reset()
            self._cache = ActualsCache()
            self.post_message(AdherenceData(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(AdherenceData(snap))

    @on(AdherenceData)
    def _on_data(self, message: AdherenceData) -> None:
        self.fetching = False
        if self._moved:  # read for a `now` the clock has since left
            self._moved = False
            self._refresh_data(force=True)
            return
        if message.error is not None:
            if self.stale_since is None:
                self.stale_since = self.fapp.clock.now()
            self.notify(
                f"Adherence not refreshed: {message.error}",
                severity="error",
                timeout=4,
                markup=False,
            )
        elif message.snapshot is not None:
            self.stale_since = None
            self.snapshot = message.snapshot
            self._last_fetch = message.snapshot.now
        self._redraw()

    # -- rendering ---------------------------------------------------------------------------
    def _visible(self) -> list[AdherenceRow]:
        if self.snapshot is None:
            return []
        f = self.filter_text.lower()
        return [
            r
            for r in self.snapshot.live_rows
            if not f or f in (r.person.team or "").lower() or f in r.person.name.lower()
        ]

    def _cells(self, r: AdherenceRow, now: float) -> list[Any]:
        pal = self.fapp.palette
        st = r.now
        if st.in_adherence is None:
            status = Text("— unscheduled", style=pal.muted)
        elif st.in_adherence:
            status = Text("✓ in", style=pal.ok)
        else:
            out_for = duration(now - st.out_since) if st.out_since is not None else ""
            status = Text(
                f"{'‼' if st.severe else '✗'} out {out_for}",
                style=f"bold {pal.bad}" if st.severe else pal.warn,
            )
        adh = r.day.adherence if r.day is not None else None  # None only in a glance
        widths = WIDE if self.app.size.width >= 100 else NARROW
        cells: list[str | Text] = [
            plain(r.person.name),
            plain(r.person.team or "—"),
            plain(st.scheduled_activity or "—"),
            state_text(st.state, st.reason, pal),
            status,
            "—" if adh is None else f"{adh:.0%}",
        ]
        return [_fit(c, w) for c, w in zip(cells, widths, strict=True)]

    def _redraw(self) -> None:
        app = self.fapp
        now = app.clock.now()
        tz = app.settings.tz
        status = Text.assemble(
            ("floorsup ", "bold"), ("adherence  ", "bold"), f"{clock_text(now, tz)} {tz}  "
        )
        if self.stale_since is not None:
            status.append(
                f"⚠ STALE since {clock_text(self.stale_since, tz, '%H:%M:%S')}",
                style=f"bold {app.palette.bad}",
            )
        elif app.replaying:
            status.append_text(replay_mark(app.palette))
        else:
            status.append("● live", style=app.palette.ok)
        self.query_one("#status", Static).update(status)
        snap = self.snapshot
        summary = self.query_one("#adh-summary", Static)
        if snap is None:
            summary.update("Loading…")
            return
        inn, out, severe, unscheduled = snap.counts()
        line = Text.assemble(
            (f"In {inn}", app.palette.ok),
            " · ",
            (f"Out {out}", app.palette.warn if out else ""),
            (f" (‼ {severe} severe)" if severe else "", f"bold {app.palette.bad}"),
            f" · Unscheduled {unscheduled}",
        )
        if self.filter_text:
            line.append(f"   filter: {self.filter_text!r}", style="bold")
        if not snap.rows:
            line = Text(
                "No schedules for today yet: floorsup import schedule FILE.csv",
                style=app.palette.warn,
            )
        summary.update(line)
        table = self.query_one("#adherence", DataTable)
        rows = self._visible()
        keys = [r.person.staff_id for r in rows]
        cursor = None
        if table.row_count:
            try:
                cursor = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:
                cursor = None
        if [k.value for k in table.rows] != keys:
            table.clear()
            for r in rows:
                table.add_row(*self._cells(r, now), key=r.person.staff_id)
        else:
            cols = [c for c, _ in COLUMNS]
            for r in rows:
                for col, value in zip(cols, self._cells(r, now), strict=True):
                    if table.get_cell(r.person.staff_id, col) != value:
                        table.update_cell(r.person.staff_id, col, value)
        if cursor in keys:
            table.move_cursor(row=keys.index(cursor), animate=False)

    # -- actions -----------------------------------------------------------------------------
    def _selected(self) -> AdherenceRow | None:
        table = self.query_one("#adherence", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self._visible() if r.person.staff_id == key), None)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._redraw()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#adherence", DataTable).focus()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display or self.filter_text:
            box.value = ""
            box.display = False
            self.filter_text = ""
            self._redraw()
            self.query_one("#adherence", DataTable).focus()
        else:
            self.app.pop_screen()

    def action_open_agent(self) -> None:
        row = self._selected()
        if row is not None and row.person.agent:
            from floorsup.tui.screens.agent import open_page

            open_page(self.fapp, row.person.agent)

    def action_note(self) -> None:
        row = self._selected()
        self.fapp.open_note(staff_id=row.person.staff_id if row else None)

    @on(DataTable.RowSelected, "#adherence")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_agent()

    def action_authorise(self) -> None:
        if self.fapp.refused("exceptions"):
            return
        row = self._selected()
        if row is None or row.now.in_adherence is not False or row.now.out_since is None:
            self.notify("Select an agent who is out of adherence now to authorise it.", timeout=3)
            return
        start = row.now.out_since
        tz = self.fapp.settings.tz
        staff_id = row.person.staff_id
        # The stretch is still going: authorise it from when they went out to the end of the
        # scheduled segment they are out of (if they come back sooner, no harm done).
        now = self.fapp.clock.now()
        until = next((g.end for g in row.schedule if g.start <= now < g.end), now + 15 * 60)

        def done(why: str | None) -> None:
            if why:
                self._authorise(staff_id, row.person.name, start, until, why)

        self.app.push_screen(
            AuthoriseScreen(
                row.person.name,
                f"{clock_text(start, tz, '%H:%M:%S')} until {clock_text(until, tz, '%H:%M')}",
            ),
            done,
        )

    @work(thread=True, group="adherence-write")
    def _authorise(self, staff_id: str, name: str, start: float, until: float, why: str) -> None:
        app = self.fapp
        now = app.clock.now()
        try:
            authorize_exception(
                app.engine,
                staff_id,
                start,
                until,
                actor=app.actor,
                why=why,
                now=now,
                tz=app.settings.tz,
            )
        except Exception as exc:
            self.post_message(Authorised(f"Not authorised: {exc}", ok=False))
            return
        self.post_message(
            Authorised(
                f"Authorised {name}'s time out since {clock_text(start, app.settings.tz, '%H:%M')}",
                ok=True,
            )
        )

    @on(Authorised)
    def _authorised(self, message: Authorised) -> None:
        self.notify(
            message.text,
            severity="information" if message.ok else "error",
            timeout=4,
            markup=False,
        )
        if message.ok:
            self._refresh_data(force=True)
