"""Coaching: every note, filtered and searched; follow-ups due today and overdue; your
unsaved drafts. `n` writes a note (choose the agent), `enter` opens one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from floorsup.domain.coaching import local_today, parse_note_filter
from floorsup.domain.intervals import day_bounds
from floorsup.store import coaching, queries
from floorsup.store.access import NotAllowed
from floorsup.store.coaching import Draft, NoteQuery, NoteRow
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import plain
from floorsup.tui.screens.note import follow_up_text, when

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp

VIEWS = {"all": "All notes", "due": "Follow-ups due", "drafts": "My drafts"}


@dataclass(frozen=True)
class CoachingData:
    view: str
    text: str  # the filter it answers: an answer to an older filter is dropped
    notes: tuple[NoteRow, ...] = ()
    drafts: tuple[Draft, ...] = ()
    names: dict[str, str] | None = None
    error: str | None = None


class CoachingLoaded(Message):
    def __init__(self, data: CoachingData) -> None:
        super().__init__()
        self.data = data


class CoachingScreen(Screen[None]):
    BINDINGS = [
        Binding("1", "app.show_floor", "Floor", show=False),
        Binding("slash", "filter", "Search", key_display="/"),
        Binding("n", "new_note", "New note"),
        Binding("a", "view('all')", "All"),
        Binding("u", "view('due')", "Due"),
        Binding("d", "view('drafts')", "Drafts"),
        Binding("x", "follow_up_done", "Done", show=False),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape", "back", "Back"),
    ]
    HELP = (
        'Search: words search the notes; agent:NAME team:"Team One" cat:quality by:AUTHOR '
        "from:2026-11-01 to:2026-11-30 narrow them (in Due, from/to are follow-up dates)."
    )

    def __init__(self, view: str = "all") -> None:
        super().__init__()
        self.view = view
        self.filter_text = ""
        self.data: CoachingData | None = None
        self._debounce: Timer | None = None

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="coaching-head")
        yield Input(
            placeholder="search notes · agent: team: cat: by: from: to:", id="coaching-filter"
        )
        yield DataTable(id="coaching-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="coaching-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        t = self.query_one("#coaching-table", DataTable)
        for key, label in (
            ("when", "Written"),
            ("agent", "Agent"),
            ("category", "Category"),
            ("by", "By"),
            ("follow", "Follow-up"),
            ("note", "Note"),
        ):
            t.add_column(label, key=key)
        t.focus()
        self.query_one("#coaching-filter", Input).display = False
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.action_reload()

    def action_reload(self) -> None:
        self._render_head()
        self._load(self.view, self.filter_text)

    def action_view(self, view: str) -> None:
        self.view = view
        self.query_one("#coaching-table", DataTable).focus()
        self.action_reload()

    @work(thread=True, exclusive=True)
    def _load(self, view: str, text: str) -> None:
        app = self.fapp
        tz, now = app.settings.tz, app.clock.now()
        fields, words, _problems = parse_note_filter(text)
        try:
            with app.engine.connect() as conn:
                if view == "drafts":
                    drafts = tuple(coaching.drafts_for(conn, app.actor.user))
                    names = {p.staff_id: p.name for p in queries.roster(conn)}
                    self.post_message(
                        CoachingLoaded(CoachingData(view, text, drafts=drafts, names=names))
                    )
                    return
                if view == "due":
                    notes = due_matching(
                        coaching.follow_ups(
                            conn, local_today(now, tz), who=app.actor, team=fields.get("team")
                        ),
                        fields,
                        words,
                    )
                else:
                    q = NoteQuery(
                        agent=fields.get("agent"),
                        team=fields.get("team"),
                        category=fields.get("category"),
                        author=fields.get("author"),
                        created_from=self._day(fields.get("from"), 0),
                        created_to=self._day(fields.get("to"), 1),
                        text=words,
                    )
                    notes = coaching.find_notes(conn, q, who=app.actor)
        except NotAllowed as exc:
            self.post_message(CoachingLoaded(CoachingData(view, text, error=str(exc))))
            return
        except Exception as exc:
            self.post_message(
                CoachingLoaded(CoachingData(view, text, error=f"{type(exc).__name__}: {exc}"))
            )
            return
        self.post_message(CoachingLoaded(CoachingData(view, text, notes=tuple(notes))))

    def _day(self, text: str | None, which: int) -> float | None:
        if not text:
            return None
        return day_bounds(dt.date.fromisoformat(text), self.fapp.settings.tz)[which]

    @on(CoachingLoaded)
    def _loaded(self, message: CoachingLoaded) -> None:
        if message.data.view != self.view or message.data.text != self.filter_text:
            return  # an answer to a view or a search since left
        self.data = message.data
        self._render_head()
        table = self.query_one("#coaching-table", DataTable)
        key = None
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        pal, tz, now = self.fapp.palette, self.fapp.settings.tz, self.fapp.clock.now()
        today = local_today(now, tz)
        if message.data.error:
            self._status(Text(f"Could not load: {message.data.error}", style=pal.bad))
            return
        keys: list[str] = []
        if self.view == "drafts":
            names = message.data.names or {}
            for d in message.data.drafts:
                body = str(d.payload.get("body") or "")
                k = f"draft:{d.key}"
                table.add_row(
                    when(d.updated_at, tz, now, short=True),
                    _clip(names.get(d.staff_id, d.staff_id), 18),
                    plain(str(d.payload.get("category") or "")),
                    plain(d.author),
                    "edit" if d.note_id else "new",
                    _first_line(body, 40) or Text("(empty)", style=pal.muted),
                    key=k,
                )
                keys.append(k)
        else:
            for n in message.data.notes:
                text, status = follow_up_text(n, today)
                style = {"overdue": pal.bad, "due": pal.warn, "done": pal.muted}.get(status, "")
                table.add_row(
                    when(n.created_at, tz, now, short=True),
                    _clip(n.name, 18),
                    plain(n.category),
                    _clip(n.author, 10),
                    Text(text, style=style),
                    _first_line(n.body, 40),
                    key=str(n.id),
                )
                keys.append(str(n.id))
        if key in keys:
            table.move_cursor(row=keys.index(key), animate=False)
        count = len(keys)
        empty = {
            "all": "No notes match."
            if self.filter_text
            else "No coaching notes yet. Press n to write one.",
            "due": "Nothing due: no follow-ups today or overdue.",
            "drafts": "No unsaved drafts.",
        }[self.view]
        shown = f"{count} shown" + (" (the newest 500)" if count >= 500 else "")
        self._status(Text(shown if count else empty, style=pal.muted))

    def _render_head(self) -> None:
        t = Text()
        for view, label in VIEWS.items():
            key = {"all": "a", "due": "u", "drafts": "d"}[view]
            style = "bold reverse" if view == self.view else ""
            t.append(f" {key} {label} ", style=style)
            t.append(" ")
        if self.filter_text:
            t.append(f"  filter: {self.filter_text}", style=self.fapp.palette.muted)
        self.query_one("#coaching-head", Static).update(t)

    def _status(self, text: Text) -> None:
        self.query_one("#coaching-status", Static).update(text)

    # -- search ------------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#coaching-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#coaching-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        _fields, _words, problems = parse_note_filter(self.filter_text)
        if problems:
            self._status(Text("✗ " + "; ".join(problems), style=self.fapp.palette.bad))
            return
        # Search once typing pauses, not at every key (a search runs in a thread that a
        # newer one cannot stop).
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.25, self.action_reload)

    @on(Input.Submitted, "#coaching-filter")
    def _filter_done(self) -> None:
        self.query_one("#coaching-table", DataTable).focus()

    def action_back(self) -> None:
        box = self.query_one("#coaching-filter", Input)
        if box.display or self.filter_text:
            box.value = ""
            box.display = False
            self.filter_text = ""
            self.query_one("#coaching-table", DataTable).focus()
            self.action_reload()
        else:
            self.app.pop_screen()

    # -- actions -----------------------------------------------------------------------------
    def _selected(self) -> str | None:
        table = self.query_one("#coaching-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected, "#coaching-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value or ""
        from floorsup.tui.screens.note import NoteView, open_form

        if key.startswith("draft:"):
            d = next(
                (d for d in (self.data.drafts if self.data else ()) if f"draft:{d.key}" == key),
                None,
            )
            if d is not None:
                open_form(self.fapp, staff_id=d.staff_id, note_id=d.note_id)
        else:
            self.app.push_screen(NoteView(int(key)))

    def action_new_note(self) -> None:
        self.fapp.open_note()

    def action_follow_up_done(self) -> None:
        key = self._selected()
        note = next((n for n in (self.data.notes if self.data else ()) if str(n.id) == key), None)
        if note is None or not note.follow_up_open:
            self.notify("Select a note with an open follow-up.", timeout=3)
            return
        self._close_follow_up(note.id)

    @work(thread=True, group="follow-up")
    def _close_follow_up(self, note_id: int) -> None:
        app = self.fapp
        try:
            coaching.close_follow_up(app.engine, note_id, actor=app.actor, now=app.clock.now())
        except Exception as exc:
            app.call_from_thread(app.notify, f"Not changed: {exc}", severity="error")
            return
        app.call_from_thread(app.notify, "Follow-up marked done.", timeout=3)
        app.call_from_thread(self.action_reload)


def due_matching(notes: list[NoteRow], fields: dict[str, str], words: str) -> list[NoteRow]:
    """The follow-ups due, narrowed by the same filters as the notes list (a handful of
    rows: filtered here)."""
    agent = fields.get("agent", "").casefold()
    cat = fields.get("category", "").casefold()
    by = fields.get("author", "").casefold()
    lo, hi = fields.get("from", ""), fields.get("to", "")
    want = [w.casefold() for w in words.split()]
    out = []
    for n in notes:
        due = n.follow_up.isoformat() if n.follow_up else ""
        text = f"{n.category} {n.body} {n.actions}".casefold()
        if (
            (not agent or agent == n.staff_id.casefold() or agent in n.name.casefold())
            and (not cat or cat == n.category.casefold())
            and (not by or by == n.author.casefold())
            and (not lo or due >= lo)
            and (not hi or due <= hi)
            and all(w in text for w in want)
        ):
            out.append(n)
    return out


def _clip(text: str, width: int) -> Text:
    return plain(text if len(text) <= width else text[: width - 1] + "…")


def _first_line(body: str, width: int = 70) -> Text:
    first = body.strip().splitlines()[0] if body.strip() else ""
    more = len(first) > width or "\n" in body.strip()
    return plain(first[:width] + ("…" if more else ""))
