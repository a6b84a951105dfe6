"""Ask for one line of text over the screen: a reason, a department, evidence. `enter` gives
it (never empty), `escape` gives nothing. What the answer is for, and any refusal it answers,
is said above the field in plain words."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class Ask(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        detail: str = "",
        placeholder: str = "",
        warn: bool = False,
        required: str = "An answer is required (escape to leave it).",
        value: str = "",
    ) -> None:
        super().__init__()
        self.value = value  # the field's text to start from
        self.title_text, self.detail, self.placeholder, self.warn = title, detail, placeholder, warn
        self.required = required  # said when enter is pressed on an empty field

    def compose(self) -> ComposeResult:
        with Vertical(id="ask"):
            yield Label(self.title_text, markup=False, id="ask-title")
            if self.detail:
                yield Static(Text(self.detail), id="ask-detail")
            yield Input(self.value, placeholder=self.placeholder, id="ask-input")
            yield Label("", id="ask-error", markup=False)
            yield Label("enter: go ahead   escape: cancel", markup=False)

    def on_mount(self) -> None:
        if self.warn:
            self.query_one("#ask-detail").add_class("-warn")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.query_one("#ask-error", Label).update(self.required)

    def action_cancel(self) -> None:
        self.dismiss(None)
