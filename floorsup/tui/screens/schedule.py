"""One person's planned day, edited from the keyboard: add, edit, move, delete segments,
then `ctrl+s` writes the whole day at once (checked as an import is: nothing changes on a
bad day, and the message says why). `escape` asks before dropping unsaved changes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static

from floorsup.domain.intervals import day_bounds
from floorsup.store import schedules
from floorsup.tui.confirm import Confirm
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import clock_text, duration, plain

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp

STEP = 15 * 60  # `-` / `+` move the selected segment by a quarter of an hour

Seg = tuple[float, float, str]


def local_epoch(day: dt.date, hhmm: str, tz: str, *, after: float | None = None) -> float:
    """`HH:MM` on `day` in zone `tz` as UTC epoch; not after `after` means the next day."""
    try:
        h, m = (int(x) for x in hhmm.strip().split(":"))
        t = dt.time(h, m)
    except ValueError:
        raise ValueError(f"{hhmm!r} is not a time HH:MM") from None
    value = dt.datetime.combine(day, t, tzinfo=ZoneInfo(tz)).timestamp()
    if after is not None and value <= after:
        value = dt.datetime.combine(day + dt.timedelta(days=1), t, tzinfo=ZoneInfo(tz)).timestamp()
    return value


class SegmentForm(ModalScreen[Seg | None]):
    """Start, end and activity of one segment (end before start runs past midnight)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, day: dt.date, tz: str, seg: Seg | None, activities: frozenset[str]) -> None:
        super().__init__()
        self.day, self.tz, self.seg, self.activities = day, tz, seg, activities

    def compose(self) -> ComposeResult:
        start = clock_text(self.seg[0], self.tz, "%H:%M") if self.seg else ""
        end = clock_text(self.seg[1], self.tz, "%H:%M") if self.seg else ""
        with Vertical(id="segment-form"):
            yield Label(f"Segment on {self.day.isoformat()} ({self.tz}): start, end, activity")
            yield Input(value=start, placeholder="start HH:MM", id="seg-start")
            yield Input(value=end, placeholder="end HH:MM", id="seg-end")
            yield Input(
                value=self.seg[2] if self.seg else "open",
                placeholder=" / ".join(sorted(self.activities)),
                id="seg-activity",
            )
            yield Label("", id="seg-error")

    def on_mount(self) -> None:
        self.query_one("#seg-start", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "seg-activity":
            self.focus_next()
            return
        try:
            start = local_epoch(self.day, self.query_one("#seg-start", Input).value, self.tz)
            end = local_epoch(
                self.day, self.query_one("#seg-end", Input).value, self.tz, after=start
            )
            activity = self.query_one("#seg-activity", Input).value.strip().lower()
            if activity not in self.activities:
                raise ValueError(
                    f"activity {activity!r} is not one of {', '.join(sorted(self.activities))}"
                )
        except ValueError as exc:
            self.query_one("#seg-error", Label).update(str(exc))
            return
        self.dismiss((start, end, activity))

    def action_cancel(self) -> None:
        self.dismiss(None)


class Loaded(Message):
    def __init__(self, segments: list[Seg] | None, error: str = "") -> None:
        super().__init__()
        self.segments = segments
        self.error = error


class Saved(Message):
    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error


class ScheduleScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete"),
        Binding("minus", "move(-1)", "Earlier", key_display="-"),
        Binding("plus,equals_sign", "move(1)", "Later", key_display="+"),
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, staff_id: str, name: str, day: dt.date) -> None:
        super().__init__()
        self.staff_id, self.person, self.day = staff_id, name, day
        self.segments: list[Seg] = []
        self.dirty = False

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    @property
    def activities(self) -> frozenset[str]:
        return schedules.activity_names(self.fapp.settings.activities)

    def compose(self) -> ComposeResult:
        yield Static(id="schedule-head")
        yield DataTable(id="schedule", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#schedule", DataTable)
        for key, label in (
            ("start", "Start"),
            ("end", "End"),
            ("for", "For"),
            ("activity", "Activity"),
        ):
            table.add_column(label, key=key)
        table.focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        app = self.fapp
        start, end = day_bounds(self.day, app.settings.tz)
        try:
            with app.engine.connect() as conn:
                rows = schedules.schedule_for_day(
                    conn, start - 86400, end + 86400, staff_id=self.staff_id
                ).get(self.staff_id, [])
        except Exception as exc:
            self.post_message(Loaded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(
            Loaded([(r.start, r.end, r.activity) for r in rows if r.shift_date == self.day])
        )

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.segments is None:
            self.notify(
                f"Could not load the schedule: {message.error}", severity="error", markup=False
            )
            return
        self.segments = sorted(message.segments)
        self.dirty = False
        self._redraw()

    def _redraw(self) -> None:
        tz = self.fapp.settings.tz
        total = sum(e - s for s, e, a in self.segments if a != "off")
        head = Text.assemble(
            (f"{self.person} ", "bold"),
            f"{self.staff_id} · schedule for {self.day.isoformat()} ({tz}) · {duration(total)} planned",
        )
        if self.dirty:
            head.append("  ● unsaved (ctrl+s saves)", style=f"bold {self.fapp.palette.warn}")
        self.query_one("#schedule-head", Static).update(head)
        table = self.query_one("#schedule", DataTable)
        row = table.cursor_row
        table.clear()
        for i, (s, e, a) in enumerate(self.segments):
            table.add_row(
                clock_text(s, tz, "%H:%M"),
                clock_text(e, tz, "%H:%M"),
                duration(e - s),
                plain(a),
                key=str(i),
            )
        if self.segments:
            table.move_cursor(row=min(row, len(self.segments) - 1), animate=False)

    def _selected(self) -> int | None:
        table = self.query_one("#schedule", DataTable)
        return table.cursor_row if self.segments else None

    def _set(self, segments: list[Seg]) -> None:
        self.segments = sorted(segments)
        self.dirty = True
        self._redraw()

    def action_add(self) -> None:
        def done(seg: Seg | None) -> None:
            if seg is not None:
                self._set([*self.segments, seg])

        self.app.push_screen(
            SegmentForm(self.day, self.fapp.settings.tz, None, self.activities), done
        )

    def action_edit(self) -> None:
        i = self._selected()
        if i is None:
            return

        def done(seg: Seg | None) -> None:
            if seg is not None:
                self._set([*self.segments[:i], seg, *self.segments[i + 1 :]])

        self.app.push_screen(
            SegmentForm(self.day, self.fapp.settings.tz, self.segments[i], self.activities), done
        )

    def action_delete(self) -> None:
        i = self._selected()
        if i is not None:
            self._set([*self.segments[:i], *self.segments[i + 1 :]])

    def action_move(self, direction: int) -> None:
        i = self._selected()
        if i is None:
            return
        s, e, a = self.segments[i]
        self._set(
            [
                *self.segments[:i],
                (s + direction * STEP, e + direction * STEP, a),
                *self.segments[i + 1 :],
            ]
        )

    def action_save(self) -> None:
        self._save(list(self.segments))

    @work(thread=True, exclusive=True, group="schedule-save")
    def _save(self, segments: list[Seg]) -> None:
        app = self.fapp
        try:
            schedules.replace_day(
                app.engine,
                self.staff_id,
                self.day,
                segments,
                actor=app.actor,
                activities=app.settings.activities,
                tz=app.settings.tz,
                now=app.clock.now(),
            )
        except Exception as exc:
            self.post_message(Saved(str(exc)))
            return
        self.post_message(Saved())

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        if message.error:
            self.notify(f"Not saved: {message.error}", severity="error", timeout=6, markup=False)
            return
        self.dirty = False
        self._redraw()
        self.notify(
            f"Saved {self.person}'s day ({len(self.segments)} segments)", timeout=3, markup=False
        )

    def action_back(self) -> None:
        if not self.dirty:
            self.app.pop_screen()
            return

        def done(drop: bool | None) -> None:
            if drop:
                self.app.pop_screen()

        self.app.push_screen(Confirm("Drop the unsaved changes to this day?"), done)
