"""The agent page: who they are, state now, today's numbers, schedule and adherence, their
coaching history and open follow-ups, and QA scores with the trend per work type. Opened
with `enter` from any board, by search (ctrl+p), or from a note. `n` writes a note."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from floorsup.agent import QA_HISTORY, AgentProfile, UnknownAgent, load_agent
from floorsup.domain.coaching import local_today
from floorsup.domain.intervals import local_date
from floorsup.tui.footer import KeyFooter
from floorsup.tui.format import age_cell, clock_text, duration, plain, spark, state_text
from floorsup.tui.opening import push_when_read
from floorsup.tui.screens.note import follow_up_text, when
from floorsup.tui.timeline import LEGEND, timeline

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp


class AgentLoaded(Message):
    def __init__(self, profile: AgentProfile | None, error: str | None = None) -> None:
        super().__init__()
        self.profile = profile
        self.error = error


def open_page(app: FloorsupApp, agent: str | None = None, staff_id: str | None = None) -> None:
    """Open someone's agent page: read first, then show it whole (tui/opening.py). If the
    read fails, the page is pushed anyway: it reads again and says what is wrong."""

    def read() -> AgentProfile | None:
        try:
            return load_agent(
                app.engine,
                app.settings,
                app.clock.now(),
                who=app.actor,
                agent=agent,
                staff_id=staff_id,
                replay=app.replaying,
            )
        except Exception:
            return None

    def build(profile: AgentProfile | None) -> Screen[Any]:
        if profile is None:
            return AgentScreen(agent, staff_id=staff_id)
        if not app.is_screen_installed(KEPT_PAGE):
            page = AgentScreen(agent, staff_id=staff_id, profile=profile)
            app.install_screen(page, KEPT_PAGE)
            return page
        page = app.get_screen(KEPT_PAGE)
        if page in app.screen_stack or not isinstance(page, AgentScreen):
            return AgentScreen(agent, staff_id=staff_id, profile=profile)  # a page from a page
        page.show_again(agent, staff_id, profile)
        return page

    push_when_read(app, "open-agent", read, build)  # type: ignore[arg-type]


# The page `open_page` keeps between opens (installed on the app, so closing it does not
# unmount it): the next agent's page is the same widgets filled again. Building the page's
# widgets (tabs, three tables, footer) and styling them took ~50 ms of the first open.
KEPT_PAGE = "agent-page"


class AgentScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "note", "Note"),
        Binding("v", "evaluate", "QA eval"),
        Binding("s", "schedule", "Schedule"),
        Binding("t", "tab('tab-today')", "Today", show=False),
        Binding("c", "tab('tab-coaching')", "Coaching", show=False),
        Binding("a", "tab('tab-qa')", "QA", show=False),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(
        self,
        agent: str | None = None,
        *,
        staff_id: str | None = None,
        profile: AgentProfile | None = None,
    ) -> None:
        super().__init__()
        self.agent = agent
        self.staff_id = staff_id
        self.profile: AgentProfile | None = None
        self._read_before = profile  # from `open_page`: shown on mount, no second read
        self._resumed = False
        # Tabs filled from the current profile: only the one shown is filled on load, the
        # others when first shown (DataTable measures every cell of every row it is given).
        self._tabs_filled: set[str] = set()

    @property
    def fapp(self) -> FloorsupApp:
        return self.app  # type: ignore[return-value]

    @property
    def day(self):  # type: ignore[no-untyped-def]
        return self.profile.day if self.profile else None

    def compose(self) -> ComposeResult:
        yield Static(id="agent-head")
        yield Static(id="agent-timeline")
        with TabbedContent(id="agent-tabs"):
            with TabPane("t Today", id="tab-today"):
                yield DataTable(id="agent-spans", cursor_type="row", zebra_stripes=True)
            with TabPane("c Coaching", id="tab-coaching"):
                yield DataTable(id="agent-notes", cursor_type="row", zebra_stripes=True)
            with TabPane("a QA", id="tab-qa"):
                yield Static(id="agent-trends")
                yield DataTable(id="agent-qa", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        columns = {
            "#agent-spans": (
                ("from", "From"),
                ("to", "To"),
                ("state", "State"),
                ("for", "For"),
                ("queue", "Queue"),
            ),
            "#agent-notes": (
                ("when", "When"),
                ("category", "Category"),
                ("by", "By"),
                ("follow", "Follow-up"),
                ("note", "Note"),
            ),
            "#agent-qa": (
                ("when", "Date"),
                ("type", "Work type"),
                ("score", "Score"),
                ("pct", "%"),
                ("by", "Evaluator"),
            ),
        }
        for selector, cols in columns.items():
            t = self.query_one(selector, DataTable)
            for key, label in cols:
                t.add_column(label, key=key)
        self.query_one("#agent-spans", DataTable).focus()
        if self._read_before is not None:
            self._show(self._read_before)
            self._read_before = None
            return
        who = self.agent or self.staff_id or "?"
        self.query_one("#agent-head", Static).update(Text(f"Loading {who}…", no_wrap=True))
        self.action_reload()

    def show_again(self, agent: str | None, staff_id: str | None, profile: AgentProfile) -> None:
        """Make this kept page someone's page again (see KEPT_PAGE), before it is pushed."""
        self.agent, self.staff_id = agent, staff_id
        self._resumed = False  # this showing is not a return from a form: no second read
        self.query_one("#agent-tabs", TabbedContent).active = "tab-today"
        for table in self.query(DataTable):
            table.clear()
        self.query_one("#agent-spans", DataTable).focus()
        self._show(profile)

    def on_screen_resume(self) -> None:
        # Back from a note, an evaluation or the schedule editor (not the first showing).
        if self._resumed and self.profile is not None:
            self.action_reload()
        self._resumed = True

    def time_moved(self) -> None:
        """The app's clock jumped (replay, or live again): this agent's day at the new `now`."""
        if self.profile is not None:
            self.action_reload()

    def action_reload(self) -> None:
        self._load()

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one("#agent-tabs", TabbedContent)
        tabs.active = tab
        self._fill_tab(tab)
        table = {
            "tab-today": "#agent-spans",
            "tab-coaching": "#agent-notes",
            "tab-qa": "#agent-qa",
        }[tab]
        self.query_one(table, DataTable).focus()

    def action_schedule(self) -> None:
        if self.day is None or not self.day.staff_id:
            self.notify("Not on the roster: no schedule to edit.", timeout=3)
            return
        if self.fapp.refused("schedules"):
            return
        from floorsup.tui.screens.schedule import ScheduleScreen

        today = local_date(self.fapp.clock.now(), self.fapp.settings.tz)
        self.app.push_screen(ScheduleScreen(self.day.staff_id, self.day.name, today))

    def action_note(self) -> None:
        if self.day is None or not self.day.staff_id:
            self.notify("Not on the roster: notes are kept for people on the roster.", timeout=3)
            return
        from floorsup.tui.screens.note import open_form

        open_form(self.fapp, staff_id=self.day.staff_id)

    def action_evaluate(self) -> None:
        if self.day is None or not self.day.staff_id:
            self.notify(
                "Not on the roster: evaluations are kept for people on the roster.", timeout=3
            )
            return
        if self.fapp.refused("qa"):
            return
        from floorsup.tui.screens.qa import QaScreen

        self.app.push_screen(QaScreen(staff_id=self.day.staff_id))

    @on(DataTable.RowSelected, "#agent-notes")
    def _open_note(self, event: DataTable.RowSelected) -> None:
        event.stop()
        from floorsup.tui.screens.note import NoteView

        self.app.push_screen(NoteView(int(event.row_key.value or 0)))

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        app = self.fapp
        try:
            profile = load_agent(
                app.engine,
                app.settings,
                app.clock.now(),
                who=app.actor,
                agent=self.agent,
                staff_id=self.staff_id,
                replay=app.replaying,
            )
        except UnknownAgent as exc:
            self.post_message(AgentLoaded(None, str(exc)))
            return
        except Exception as exc:
            self.post_message(AgentLoaded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(AgentLoaded(profile))

    @on(AgentLoaded)
    def _loaded(self, message: AgentLoaded) -> None:
        head = self.query_one("#agent-head", Static)
        if message.profile is None:
            who = self.agent or self.staff_id
            head.update(Text(f"Could not load {who}: {message.error}", style=self.fapp.palette.bad))
            return
        self._show(message.profile)

    def _show(self, prof: AgentProfile) -> None:
        head = self.query_one("#agent-head", Static)
        self.profile = prof
        d = prof.day
        app = self.fapp
        tz, now, pal = app.settings.tz, app.clock.now(), app.palette
        lines = Text()
        lines.append(d.name, style="bold")
        lines.append(f"  {d.staff_id or 'not on the roster'}")
        if d.team:
            lines.append(f" · {d.team}")
        if d.role:
            lines.append(f" · {d.role}")
        if d.hire_date:
            lines.append(f" · hired {d.hire_date}")
        lines.append(f"\nACD name(s): {', '.join(d.other_names) or d.agent or 'none'}\n")
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
        handled = prof.handled_seconds
        lines.append(
            f"\nToday: {prof.answered} calls answered · AHT {duration(prof.aht)} · "
            f"talk {duration(sum(handled))} · as of {clock_text(now, tz, '%H:%M:%S')}"
        )
        a = prof.adherence
        if a is not None and a.adherence is not None:
            lines.append(
                f"\nAdherence so far {a.adherence:.0%}"
                + (f" · conformance {a.conformance:.0%}" if a.conformance is not None else "")
                + f" · {len(a.exceptions)} exception(s)"
            )
        if d.staff_id:
            lines.append("\n")
            lines.append_text(self._coaching_line(prof))
        if prof.career is not None:
            c = prof.career
            lines.append(f"\nStage {c.stage} {c.stage_name}")
            if c.mentor:
                lines.append(f" · mentor {c.mentor}")
            if c.mentees:
                lines.append(f" · mentoring {', '.join(c.mentees)}")
        head.update(lines)
        self._render_timeline(prof)
        tabs = self.query_one("#agent-tabs", TabbedContent)
        shown_total = "—" if prof.notes_hidden else str(prof.note_total)
        tabs.get_tab("tab-coaching").label = f"c Coaching ({shown_total})"
        more = "+" if len(prof.evaluations) >= QA_HISTORY else ""
        tabs.get_tab("tab-qa").label = f"a QA ({len(prof.evaluations)}{more})"
        self._tabs_filled.clear()
        self._fill_tab(tabs.active)

    @on(TabbedContent.TabActivated, "#agent-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self._fill_tab(event.pane.id or "")

    def _fill_tab(self, tab: str) -> None:
        if self.profile is None or tab in self._tabs_filled:
            return
        fill = {"tab-today": self._fill_spans, "tab-coaching": self._fill_notes}
        fill.get(tab, self._fill_qa)(self.profile)
        self._tabs_filled.add(tab)

    def _coaching_line(self, prof: AgentProfile) -> Text:
        pal, tz = self.fapp.palette, self.fapp.settings.tz
        today = local_today(prof.now, tz)
        t = Text()
        if prof.trends:
            best = prof.trends[0]
            arrow = {1: "↑", -1: "↓", 0: "→"}[best.direction]
            t.append(f"QA {best.latest_pct:.0%} {best.work_type} {arrow}")
        else:
            t.append("QA: none yet", style=pal.muted)
        if prof.notes_hidden:
            t.append(" · coaching notes: not for your role", style=pal.muted)
        else:
            t.append(f" · {prof.note_total} coaching note{'s' if prof.note_total != 1 else ''}")
        overdue = sum(1 for n in prof.follow_ups if n.follow_up and n.follow_up < today)
        due = sum(1 for n in prof.follow_ups if n.follow_up == today)
        if prof.follow_ups:
            t.append(f" · {len(prof.follow_ups)} open follow-up(s)")
            if overdue:
                t.append(f" · {overdue} OVERDUE", style=pal.bad)
            if due:
                t.append(f" · {due} due today", style=pal.warn)
        return t

    def _fill_spans(self, prof: AgentProfile) -> None:
        """The day's states, newest first: a screenful now, the rest once that is painted
        (a busy agent has 200+ states a day, and the table measures every cell it is given
        before it paints)."""
        table = self.query_one("#agent-spans", DataTable)
        table.clear()
        spans = list(reversed(prof.day.spans))
        first = max(self.size.height, 24)
        self._add_spans(prof, spans[:first], 0)
        if len(spans) > first:
            self.call_after_refresh(self._add_spans, prof, spans[first:], first)

    def _add_spans(self, prof: AgentProfile, spans: list[Any], offset: int) -> None:
        if prof is not self.profile:  # another agent's page by now (a kept page refilled)
            return
        tz, now, pal = self.fapp.settings.tz, self.fapp.clock.now(), self.fapp.palette
        table = self.query_one("#agent-spans", DataTable)
        for i, s in enumerate(spans, start=offset):
            end = s.end if s.end is not None else now
            table.add_row(
                clock_text(s.start, tz, "%H:%M:%S"),
                clock_text(s.end, tz, "%H:%M:%S") if s.end is not None else "now",
                state_text(s.state, s.reason, pal),
                duration(end - s.start),
                plain(s.queue or ""),
                key=str(i),
            )

    def _fill_notes(self, prof: AgentProfile) -> None:
        tz, pal = self.fapp.settings.tz, self.fapp.palette
        today = local_today(prof.now, tz)
        table = self.query_one("#agent-notes", DataTable)
        cursor = table.cursor_row
        table.clear()
        if prof.notes_hidden:
            table.add_row("", "", "", "", Text(prof.notes_hidden, style=pal.muted))
            return
        # Open follow-ups first (the oldest due first), then the rest, newest first.
        shown = {n.id for n in prof.follow_ups}
        for n in (*prof.follow_ups, *(n for n in prof.notes if n.id not in shown)):
            text, status = follow_up_text(n, today)
            style = {"overdue": pal.bad, "due": pal.warn, "done": pal.muted}.get(status, "")
            first = n.body.splitlines()[0] if n.body else ""
            table.add_row(
                when(n.created_at, tz, prof.now, short=True),
                plain(n.category),
                plain(n.author),
                Text(text, style=style),
                plain(first[:44] + ("…" if len(first) > 44 or "\n" in n.body else "")),
                key=str(n.id),
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1), animate=False)

    def _fill_qa(self, prof: AgentProfile) -> None:
        tz, pal = self.fapp.settings.tz, self.fapp.palette
        trends = Text()
        if not prof.trends:
            trends.append("No QA evaluations yet. Press v to record one.", style=pal.muted)
        for tr in prof.trends:
            arrow = {1: "↑ improving", -1: "↓ slipping", 0: "→ steady"}[tr.direction]
            style = {1: pal.ok, -1: pal.bad, 0: ""}[tr.direction]
            trends.append(f"{tr.work_type:<11} {spark(tr.points):<12} ")
            trends.append(f"latest {tr.latest_pct:.0%} · last 3 avg {tr.recent_pct:.0%} · ")
            trends.append(arrow, style=style)
            trends.append(f" · {tr.count} evaluated\n", style=pal.muted)
        self.query_one("#agent-trends", Static).update(trends)
        table = self.query_one("#agent-qa", DataTable)
        table.clear()
        for e in prof.evaluations[:50]:
            table.add_row(
                clock_text(e.evaluated_at, tz, "%Y-%m-%d"),
                plain(e.work_type),
                f"{e.score:g}/{e.max_score:g}",
                f"{e.pct:.0%}",
                plain(e.evaluator),
                key=str(e.id),
            )

    def _render_timeline(self, prof: AgentProfile) -> None:
        box = self.query_one("#agent-timeline", Static)
        if not prof.schedule and not prof.actuals:
            box.update(Text("No schedule today.", style=self.fapp.palette.muted))
            return
        lo, hi = prof.window
        width = max(self.size.width - 4, 20)
        text = timeline(
            [(s.start, s.end, s.activity) for s in prof.schedule],
            [(a.start, a.end, a.state, a.reason) for a in prof.actuals],
            start=lo,
            end=hi,
            width=width,
            tz=self.fapp.settings.tz,
            palette=self.fapp.palette,
            now=self.fapp.clock.now(),
        )
        text.append("\n" + LEGEND, style=self.fapp.palette.muted)
        if not prof.schedule:
            text.append("\nNo schedule today.", style=self.fapp.palette.muted)
        box.update(text)
