"""The audit log, for managers: every write, newest first: when, who (their login, and the
staff member and role it mapped to, or the one a manager acted as with --as), what, and
the record before and after. `/` narrows it (who:LOGIN what:note from:2026-11-20 to:...),
the detail pane shows each changed field of the highlighted entry. The store refuses the
read to anyone but a manager, and the screen says so."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from floorsup.domain.intervals import day_bounds
from floorsup.store import audit
from floorsup.store.access import NotAllowed
from floorsup.store.audit import AuditRow
from floorsup.store.queries import ChangeWatcher
from floorsup.store.sql import fetchall
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import clock_text, plain

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from floorsup.tui.app import FloorsupApp

LIMIT = 500  # the newest entries shown; narrow with / to look further back


def audit_mark(conn: Connection) -> object:
    """What changes when anyone writes anything: the newest audit entry."""
    return fetchall(conn, "SELECT max(id) FROM audit_log")[0][0]


@dataclass(frozen=True)
class AuditFilter:
    login: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def parse_audit_filter(text: str) -> tuple[AuditFilter, list[str]]:
    """`who:lee what:note from:2026-11-20 to:2026-11-21` (any order, any may be left out);
    a bare word is a login. Returns the filter and what could not be read."""
    login = action = None
    since = until = None
    problems: list[str] = []
    for word in text.split():
        key, sep, value = word.partition(":")
        if not sep:
            key, value = "who", word
        key = key.lower()
        try:
            if key in ("who", "by", "login"):
                login = value
            elif key in ("what", "action"):
                action = value
            elif key == "from":
                since = dt.date.fromisoformat(value)
            elif key == "to":
                until = dt.date.fromisoformat(value)
            else:
                problems.append(f"{key}: is not a filter (who: what: from: to:)")
        except ValueError:
            problems.append(f"{key}:{value} is not a date (YYYY-MM-DD)")
    return AuditFilter(login, action, since, until), problems


class AuditLoaded(Message):
    def __init__(self, entries: list[AuditRow] | None, error: str | None = None) -> None:
        super().__init__()
        self.entries = entries
        self.error = error


def _short(value: Any, width: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def change_summary(e: AuditRow) -> str:
    """One line: 'new', the fields that changed ('body, category'), or an import's file and
    counts ('roster.csv: 12 people changed')."""
    after = json.loads(e.after) if e.after else None
    if isinstance(after, dict) and "file" in after:
        counts = {k: v for k, v in after.items() if k not in ("file", "changed")}
        if "changed" in after:
            counts = {"people changed": len(after["changed"])}
        name = Path(str(after["file"])).name
        return f"{name}: " + ", ".join(f"{v} {k}" for k, v in counts.items())
    if e.before is None and after is not None:
        return "new"
    fields = [k for k, _, _ in e.changes()]
    return ", ".join(fields) if fields else "no change"


# What each audited table is called on screen.
ENTITY_NAMES = {
    "coaching_note": "note",
    "adherence_authorization": "exception",
    "schedule_segment": "schedule",
    "mentorship": "mentorship",
    "leadership_note": "trait note",
    "career_event": "career",
    "qa_evaluation": "QA",
    "queue": "queue",
    "staff": "roster",
}
# Fields that hold an instant (epoch seconds): shown as local time in the detail pane.
INSTANTS = {"start", "end", "since", "evaluated_at"}


def who_text(e: AuditRow) -> str:
    """'lee · L1 (team lead)', 'E1015 (team lead)' (the login is the staff_id), 'mia as L2
    (team lead)' (a manager acting with --as), 'demo (system)'."""
    role = f" ({e.role.replace('_', ' ')})" if e.role else ""
    if e.via_as:
        return f"{e.login} as {e.staff_id}{role}"
    if e.staff_id and e.staff_id != e.login:
        return f"{e.login} · {e.staff_id}{role}"
    return f"{e.login}{role}"


class AuditScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.entries: list[AuditRow] = []
        self.error: str | None = None
        self._watcher: ChangeWatcher | None = None

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="audit-head")
        yield Input(
            placeholder="who:LOGIN what:note from:YYYY-MM-DD to:YYYY-MM-DD", id="audit-filter"
        )
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        t = self.query_one("#audit-table", DataTable)
        for key, label in (
            ("when", "When"),
            ("who", "Who"),
            ("action", "Action"),
            ("what", "What"),
            ("changes", "Changes"),
        ):
            t.add_column(label, key=key)
        t.focus()
        self.query_one("#audit-filter", Input).display = False
        self._watcher = ChangeWatcher(self.fapp.engine, marker=audit_mark)
        self._load(self.filter_text)
        self.set_interval(self.fapp.settings.refresh_seconds, self._tick)

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    @work(thread=True, exclusive=True, group="audit-watch")
    def _tick(self) -> None:
        try:
            changed = self._watcher is not None and self._watcher.changed()
        except Exception:
            return
        if changed:
            self._load(self.filter_text)

    @work(thread=True, exclusive=True, group="audit-load")
    def _load(self, text: str) -> None:
        app = self.fapp
        f, problems = parse_audit_filter(text)
        if problems:
            self.post_message(AuditLoaded(None, "; ".join(problems)))
            return
        tz = app.settings.tz
        since = day_bounds(f.since, tz)[0] if f.since else None
        until = day_bounds(f.until, tz)[1] if f.until else None
        try:
            with app.engine.connect() as conn:
                rows = audit.entries(
                    conn,
                    app.actor,
                    since=since,
                    until=until,
                    login=f.login,
                    action=f.action,
                    limit=LIMIT,
                )
        except NotAllowed as exc:
            self.post_message(AuditLoaded(None, str(exc)))
            return
        except Exception as exc:
            self.post_message(AuditLoaded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(AuditLoaded(rows))

    @on(AuditLoaded)
    def _loaded(self, message: AuditLoaded) -> None:
        self.error = message.error
        if message.entries is not None:
            self.entries = message.entries
        self._redraw()

    def _redraw(self) -> None:
        pal, tz = self.fapp.palette, self.fapp.settings.tz
        now = self.fapp.clock.now()
        head = Text("Audit log", style="bold")
        head.append(" · every write, newest first", style=pal.muted)
        if self.filter_text:
            head.append(f" · filter: {self.filter_text}", style=pal.warn)
        if self.error:
            head.append(f"\n{self.error}", style=pal.bad)
        else:
            more = " (the newest; narrow with /)" if len(self.entries) >= LIMIT else ""
            head.append(
                f"\n{len(self.entries)} entr{'y' if len(self.entries) == 1 else 'ies'}{more}"
            )
        self.query_one("#audit-head", Static).update(head)
        t = self.query_one("#audit-table", DataTable)
        cursor = t.cursor_row
        t.clear()
        today = clock_text(now, tz, "%Y-%m-%d")
        for e in [] if self.error and not self.entries else self.entries:
            day = clock_text(e.at, tz, "%Y-%m-%d")
            when = clock_text(e.at, tz, "%H:%M:%S" if day == today else "%Y-%m-%d %H:%M")
            t.add_row(
                when,
                plain(who_text(e)),
                plain(e.action),
                plain(f"{ENTITY_NAMES.get(e.entity, e.entity)} {e.entity_key or ''}".strip()),
                plain(_short(change_summary(e), 48)),
                key=str(e.id),
            )
        if t.row_count:
            t.move_cursor(row=min(max(cursor, 0), t.row_count - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#audit-detail", Static)
        t = self.query_one("#audit-table", DataTable)
        if not self.entries or t.row_count == 0:
            detail.update("")
            return
        row = min(max(t.cursor_row, 0), len(self.entries) - 1)
        e = self.entries[row]
        pal = self.fapp.palette
        tz = self.fapp.settings.tz
        what = f"{ENTITY_NAMES.get(e.entity, e.entity)} {e.entity_key or ''}"
        out = Text(f"{e.action} · {what} · {who_text(e)}", style="bold")

        def shown(name: str, value: Any, width: int) -> str:
            instant = name in INSTANTS or name.endswith("_at")
            if instant and isinstance(value, int | float) and not isinstance(value, bool):
                return clock_text(float(value), tz, "%Y-%m-%d %H:%M:%S")
            return _short(value, width)

        changes = e.changes()
        for name, before, after in changes[:8]:
            out.append(f"\n  {name or 'value'}: ")
            if before is not None:
                out.append(shown(name, before, 30), style=pal.muted)
                out.append(" → ")
            out.append(shown(name, after, 60) if after is not None else "(none)")
        if len(changes) > 8:
            out.append(f"\n  … and {len(changes) - 8} more field(s)", style=pal.muted)
        detail.update(out)

    def action_filter(self) -> None:
        box = self.query_one("#audit-filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    @on(Input.Submitted, "#audit-filter")
    def _filter(self, event: Input.Submitted) -> None:
        self.filter_text = event.value.strip()
        box = self.query_one("#audit-filter", Input)
        box.display = bool(self.filter_text)
        self.query_one("#audit-table", DataTable).focus()
        self._load(self.filter_text)

    def action_back(self) -> None:
        box = self.query_one("#audit-filter", Input)
        if box.has_focus:
            self.query_one("#audit-table", DataTable).focus()
            return
        self.app.pop_screen()
