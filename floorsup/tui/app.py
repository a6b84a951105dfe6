"""The floorsup Textual app. The engine and the clock are given to it (`make_app`), never
created at import time: tests pass a temp-file database and a fixed clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.events import Event, Key

from floorsup.clock import Clock, ReplayClock, WallClock
from floorsup.config import Settings
from floorsup.domain.alerts import AlertLog
from floorsup.store.access import Actor, NotAllowed, Right, require
from floorsup.store.coaching import drafts_for
from floorsup.store.queries import RosterEntry, roster
from floorsup.tui.commands import FloorCommands
from floorsup.tui.format import Palette
from floorsup.tui.heap import QuietGc


class FloorsupApp(App[None]):
    CSS_PATH = Path(__file__).with_name("floorsup.tcss")
    TITLE = "floorsup"
    COMMANDS = App.COMMANDS | {FloorCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "toggle_help", "Help", key_display="?"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
        Binding("1", "show_floor", "Floor", show=False),
        Binding("2", "show_adherence", "Adherence"),
        Binding("3", "show_coaching", "Coaching"),
        Binding("4", "show_mentoring", "Mentors"),
        Binding("5", "show_career", "Career"),
        Binding("6", "show_alerts", "Alerts"),
        Binding("7", "show_intervals", "Intervals"),
        Binding("8", "show_audit", "Audit log", show=False),
        Binding("e", "export", "Export"),
        Binding("ctrl+t", "replay", "Replay", key_display="^t"),
        Binding("left_square_bracket", "replay_step(-1)", "Back an interval", show=False),
        Binding("right_square_bracket", "replay_step(1)", "On an interval", show=False),
    ]
    REPLAY_STEP_MINUTES = 30  # the floor's interval
    # While a form is open these wait: a stray key must not throw away what is being typed.
    NOT_IN_FORMS = {
        "quit",
        "show_floor",
        "show_adherence",
        "show_coaching",
        "show_mentoring",
        "show_career",
        "show_alerts",
        "show_intervals",
        "show_audit",
        "export",
        "replay",
        "replay_step",
    }

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        *,
        actor: Actor,
        freeze_heap: bool = False,
    ) -> None:
        super().__init__()
        self.settings = settings
        # Who is at the keyboard (store/access.resolve, before the app starts): every write
        # and every coaching-note read goes to the store with it, which checks their rights.
        self.actor = actor
        self.engine = engine
        self.clock = clock
        # Where `]` past the present and "live" return to (an app started at a past instant
        # goes live on the wall clock).
        self.live_clock: Clock = WallClock() if isinstance(clock, ReplayClock) else clock
        self.freeze_heap = freeze_heap  # the app run for real: see `floor_drawn`
        self.quiet_gc = QuietGc()
        # Alerts raised and cleared this session (the floor checks them each tick).
        self.alerts = AlertLog.for_rules(settings.alerts)
        self.palette = Palette()
        self.roster: list[RosterEntry] = []  # for search; loaded in a worker, never waited on

    def on_mount(self) -> None:
        from floorsup.tui.screens.floor import FloorScreen

        self.palette = Palette(self.get_css_variables())
        self.push_screen(FloorScreen())
        self.load_roster()

    @work(thread=True, exclusive=True, group="app-roster")
    def load_roster(self) -> None:
        """The roster for search, and a word about unsaved note drafts left from last time."""
        try:
            with self.engine.connect() as conn:
                people = roster(conn)
                drafts = drafts_for(conn, self.actor.user)
        except Exception:  # the screens say what is wrong with the database
            return
        self.roster = people
        if drafts:
            n = len(drafts)
            self.call_from_thread(
                self.notify,
                f"You have {n} unsaved note draft{'s' if n != 1 else ''}: press 3, then d.",
                title="Drafts kept",
                timeout=8,
            )

    def floor_drawn(self) -> None:
        """The floor has its first numbers on screen: from now on garbage is collected
        between key presses (`tui/heap.py`). Only with `freeze_heap`, the app run for real:
        never in the test process, where many apps share one interpreter."""
        if self.freeze_heap:
            self.call_after_refresh(self.quiet_gc.start, self)

    async def on_event(self, event: Event) -> None:
        if isinstance(event, Key):
            self.quiet_gc.key_pressed()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.quiet_gc.stop()

    # What a replayed past must not do: its screens show another moment, and a write would
    # be stamped with it (or with the present, beside figures from the past).
    WRITE_ACTIONS = frozenset(
        {
            "note",
            "new_note",
            "evaluate",
            "schedule",
            "authorise",
            "promote",
            "step",
            "move",
            "trait",
            "opt_in",
            "assign",
            "end",
            "follow_up_done",
            "edit",
        }
    )
    READ_ONLY = "Replay is read-only: ctrl+t, then live, to write."

    async def run_action(
        self, action: Any, default_namespace: Any = None, namespaces: Any = None
    ) -> bool:
        if self.replaying and isinstance(action, str):
            name = action.split("(", 1)[0].rsplit(".", 1)[-1]
            if name in self.WRITE_ACTIONS:
                self.notify(self.READ_ONLY, severity="warning", timeout=4)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.NOT_IN_FORMS and getattr(self.screen, "is_form", False))

    def open_note(
        self, *, agent: str | None = None, staff_id: str | None = None, note_id: int | None = None
    ) -> None:
        """The note form for someone (by ACD name or staff id), or the picker first."""
        from floorsup.tui.screens.note import AgentPicker, open_form

        if self.replaying:
            self.notify(self.READ_ONLY, severity="warning", timeout=4)
            return

        if agent or staff_id:
            open_form(self, agent=agent, staff_id=staff_id, note_id=note_id)
            return

        def chosen(picked: str | None) -> None:
            if picked:
                open_form(self, staff_id=picked)

        self.push_screen(AgentPicker("Note for whom?"), chosen)

    def action_show_coaching(self) -> None:
        from floorsup.tui.screens.coaching import CoachingScreen

        if isinstance(self.screen, CoachingScreen):
            return
        self.action_show_floor()
        self.push_screen(CoachingScreen())

    def action_show_mentoring(self) -> None:
        from floorsup.tui.screens.mentoring import MentoringScreen

        if isinstance(self.screen, MentoringScreen):
            return
        self.action_show_floor()
        self.push_screen(MentoringScreen())

    def action_show_career(self) -> None:
        from floorsup.tui.screens.career import CareerScreen

        if isinstance(self.screen, CareerScreen):
            return
        self.action_show_floor()
        self.push_screen(CareerScreen())

    def action_export(self) -> None:
        """Save the current screen's table as XLSX in export_dir (see tui/exporting.py)."""
        from floorsup.tui.exporting import export_screen

        export_screen(self)

    def action_show_intervals(self) -> None:
        from floorsup.tui.screens.intervals import IntervalsScreen

        if isinstance(self.screen, IntervalsScreen):
            return
        self.action_show_floor()
        self.push_screen(IntervalsScreen())

    def refused(self, right: Right) -> bool:
        """Say so and return True when the user's role lacks `right` (before a form is
        opened for nothing); the store checks the write itself again."""
        try:
            require(self.actor, right)
        except NotAllowed as exc:
            self.notify(str(exc), title="Not for your role", severity="warning", timeout=6)
            return True
        return False

    def action_show_audit(self) -> None:
        from floorsup.tui.screens.audit import AuditScreen

        if isinstance(self.screen, AuditScreen) or self.refused("audit"):
            return
        self.action_show_floor()
        self.push_screen(AuditScreen())

    def action_show_alerts(self) -> None:
        from floorsup.tui.screens.alerts import AlertLogScreen

        if isinstance(self.screen, AlertLogScreen):
            return
        self.action_show_floor()
        self.push_screen(
            AlertLogScreen(self.alerts, self.settings.tz, self.clock, self.settings.alerts)
        )

    def action_show_floor(self) -> None:
        from floorsup.tui.screens.floor import FloorScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, FloorScreen):
            self.pop_screen()

    def action_show_adherence(self) -> None:
        from floorsup.tui.screens.adherence import AdherenceScreen

        if isinstance(self.screen, AdherenceScreen):
            return
        self.action_show_floor()
        self.push_screen(AdherenceScreen())

    # -- replay -----------------------------------------------------------------------------
    @property
    def replaying(self) -> bool:
        return isinstance(self.clock, ReplayClock)

    def replay_at(self, instant: float | None) -> None:
        """Show every screen as it stood at `instant` (None: live again). The screens are
        the live ones with another `now`: each that reads by time is told to read again."""
        live_now = self.live_clock.now()
        if instant is None or instant >= live_now:
            self.clock = self.live_clock
        else:
            self.clock = ReplayClock(instant)
        for screen in self.screen_stack:
            moved = getattr(screen, "time_moved", None)
            if moved is not None:
                moved()

    def action_replay(self) -> None:
        from floorsup.domain.intervals import parse_local_instant
        from floorsup.tui.ask import Ask
        from floorsup.tui.format import clock_text

        tz = self.settings.tz
        shown = clock_text(self.clock.now(), tz, "%Y-%m-%d %H:%M")

        def answer(text: str | None) -> None:
            if text is None:
                return
            if text.strip().lower() in ("live", "now"):
                self.replay_at(None)
                return
            try:
                instant = parse_local_instant(text, tz, self.live_clock.now())
            except ValueError as exc:
                self.notify(str(exc), severity="error", timeout=6, markup=False)
                return
            self.replay_at(instant)

        self.push_screen(
            Ask(
                "Replay: show the floor as it stood at…",
                f"A moment in {tz}: 2026-11-20 10:30, 10:30 (today), yesterday 14:00; "
                "or live. Then [ and ] step back and on an interval.",
                placeholder=shown,
                value=shown,
            ),
            answer,
        )

    def action_replay_step(self, direction: int) -> None:
        """Back or on one interval; from live, `[` starts a replay an interval ago, and a
        step past the present is live again."""
        if direction > 0 and not self.replaying:
            return
        self.replay_at(self.clock.now() + direction * self.REPLAY_STEP_MINUTES * 60)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def make_app(
    settings: Settings,
    engine: Engine,
    clock: Clock | None = None,
    *,
    actor: Actor,
    freeze_heap: bool = False,
) -> FloorsupApp:
    return FloorsupApp(settings, engine, clock or WallClock(), actor=actor, freeze_heap=freeze_heap)
