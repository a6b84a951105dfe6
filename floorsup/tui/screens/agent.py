"""The agent page (simple for now): who they are, state now, today's numbers and states."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from floorsup.adherence import rules_from
from floorsup.domain.adherence import Actual, AgentAdherence, Segment, agent_adherence
from floorsup.domain.intervals import day_bounds, local_date
from floorsup.domain.types import ANSWERED_OUTCOMES, Outcome
from floorsup.store import schedules
from floorsup.store.queries import AgentDay, agent_day
from floorsup.store.schedules import ActualRow, SegmentRow
from floorsup.tui.format import age_cell, clock_text, duration, state_text
from floorsup.tui.timeline import LEGEND, timeline

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp


class AgentLoaded(Message):
    def __init__(
        self,
        day: AgentDay | None,
        error: str | None = None,
        *,
        schedule: tuple[SegmentRow, ...] = (),
        actuals: tuple[ActualRow, ...] = (),
        window: tuple[float, float] = (0.0, 0.0),
        adherence: AgentAdherence | None = None,
    ) -> None:
        super().__init__()
        self.day = day
        self.error = error
        self.schedule = schedule
        self.actuals = actuals
        self.window = window
        self.adherence = adherence


class AgentScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reload", "Reload"),
        Binding("s", "schedule", "Edit schedule"),
    ]

    def action_schedule(self) -> None:
        if self.day is None or not self.day.staff_id:
            self.notify("Not on the roster: no schedule to edit.", timeout=3)
            return
        from floorsup.tui.screens.schedule import ScheduleScreen

        today = local_date(self.fapp.clock.now(), self.fapp.settings.tz)
        self.app.push_screen(ScheduleScreen(self.day.staff_id, self.day.name, today))

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent
        self.day: AgentDay | None = None

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="agent-head")
        yield Static(id="agent-timeline")
        yield DataTable(id="agent-spans", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        t = self.query_one("#agent-spans", DataTable)
        for key, label in (
            ("from", "From"),
            ("to", "To"),
            ("state", "State"),
            ("for", "For"),
            ("queue", "Queue"),
        ):
            t.add_column(label, key=key)
        self.query_one("#agent-head", Static).update(Text(f"Loading {self.agent}…"))
        t.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.day is not None:  # back from the schedule editor: show what it saved
            self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        app = self.fapp
        now = app.clock.now()
        start, end = day_bounds(local_date(now, app.settings.tz), app.settings.tz)
        try:
            with app.engine.connect() as conn:
                day = agent_day(conn, self.agent, start, now)
                schedule = tuple(
                    schedules.schedule_for_day(conn, start, end, staff_id=day.staff_id or "").get(
                        day.staff_id or "", ()
                    )
                )
                actuals = tuple(
                    schedules.actuals_for_day(conn, [self.agent], start, now).get(self.agent, ())
                )
        except Exception as exc:
            self.post_message(AgentLoaded(None, f"{type(exc).__name__}: {exc}"))
            return
        # The shift's span (schedule and what happened), inside today: what the timeline shows.
        lo = min(
            [s.start for s in schedule]
            + [a.start for a in actuals if a.state.value != "logged_out"]
            or [start]
        )
        hi = max([s.end for s in schedule] + [now])
        lo, hi = max(lo, start), min(hi, end)
        adherence = None
        if schedule:
            adherence = agent_adherence(
                [Segment(s.start, s.end, s.activity) for s in schedule],
                [Actual(a.start, a.end, a.state, a.reason) for a in actuals],
                start=start,
                end=now,
                rules=rules_from(app.settings),
            )
        self.post_message(
            AgentLoaded(
                day, schedule=schedule, actuals=actuals, window=(lo, hi), adherence=adherence
            )
        )

    @on(AgentLoaded)
    def _loaded(self, message: AgentLoaded) -> None:
        head = self.query_one("#agent-head", Static)
        if message.day is None:
            head.update(
                Text(f"Could not load {self.agent}: {message.error}", style=self.fapp.palette.bad)
            )
            return
        self.day = d = message.day
        app = self.fapp
        tz, now, pal = app.settings.tz, app.clock.now(), app.palette
        answered = [c for c in d.calls if c.outcome in ANSWERED_OUTCOMES]
        handled = [
            c.talk_seconds
            for c in d.calls
            if c.outcome in (Outcome.ANSWERED, Outcome.TRANSFERRED) and c.talk_seconds is not None
        ]
        aht = sum(handled) / len(handled) if handled else None
        lines = Text()
        lines.append(d.name, style="bold")
        lines.append(f"  {d.staff_id or 'not on the roster'}")
        if d.team:
            lines.append(f" · {d.team}")
        if d.role:
            lines.append(f" · {d.role}")
        if d.hire_date:
            lines.append(f" · hired {d.hire_date}")
        lines.append(f"\nACD name(s): {', '.join(d.other_names) or d.agent}\n")
        if d.spans and d.spans[-1].end is None:
            cur = d.spans[-1]
            lines.append("Now: ")
            lines.append_text(state_text(cur.state, cur.reason, pal))
            lines.append(" for ")
            lines.append_text(age_cell(cur.state, now - cur.start, pal))
            if cur.queue:
                lines.append(f" ({cur.queue})")
        else:
            lines.append("Now: logged out", style=pal.muted)
        lines.append(
            f"\nToday: {len(answered)} calls answered · AHT {duration(aht)} · "
            f"talk {duration(sum(handled))} · as of {clock_text(now, tz, '%H:%M:%S')}"
        )
        if message.adherence is not None and message.adherence.adherence is not None:
            a = message.adherence
            lines.append(
                f"\nAdherence so far {a.adherence:.0%}"
                + (f" · conformance {a.conformance:.0%}" if a.conformance is not None else "")
                + f" · {len(a.exceptions)} exception(s)"
            )
        head.update(lines)
        self._render_timeline(message)
        table = self.query_one("#agent-spans", DataTable)
        table.clear()
        for i, s in enumerate(reversed(d.spans)):
            end = s.end if s.end is not None else now
            table.add_row(
                clock_text(s.start, tz, "%H:%M:%S"),
                clock_text(s.end, tz, "%H:%M:%S") if s.end is not None else "now",
                state_text(s.state, s.reason, pal),
                duration(end - s.start),
                s.queue or "",
                key=str(i),
            )

    def _render_timeline(self, message: AgentLoaded) -> None:
        box = self.query_one("#agent-timeline", Static)
        if not message.schedule and not message.actuals:
            box.update(Text("No schedule today.", style=self.fapp.palette.muted))
            return
        lo, hi = message.window
        width = max(self.size.width - 4, 20)
        text = timeline(
            [(s.start, s.end, s.activity) for s in message.schedule],
            [(a.start, a.end, a.state, a.reason) for a in message.actuals],
            start=lo,
            end=hi,
            width=width,
            tz=self.fapp.settings.tz,
            palette=self.fapp.palette,
            now=self.fapp.clock.now(),
        )
        text.append("\n" + LEGEND, style=self.fapp.palette.muted)
        if not message.schedule:
            text.append("\nNo schedule today.", style=self.fapp.palette.muted)
        box.update(text)
