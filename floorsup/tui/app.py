"""The floorsup Textual app. The engine and the clock are given to it (`make_app`), never
created at import time: tests pass a temp-file database and a fixed clock."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.app import App
from textual.binding import Binding

from floorsup.clock import Clock, WallClock
from floorsup.config import Settings
from floorsup.tui.commands import FloorCommands
from floorsup.tui.format import Palette


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
    ]

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        super().__init__()
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.palette = Palette()

    def on_mount(self) -> None:
        from floorsup.tui.screens.floor import FloorScreen

        self.palette = Palette(self.get_css_variables())
        self.push_screen(FloorScreen())

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

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def make_app(settings: Settings, engine: Engine, clock: Clock | None = None) -> FloorsupApp:
    return FloorsupApp(settings, engine, clock or WallClock())
