"""A yes/no question over the screen: `y` yes; `n` or `escape` no (never `enter`, so a
reflex key press cannot throw work away)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, yes: str = "yes", no: str = "no") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, markup=False)
            yield Label(f"y: {self.yes}   n: {self.no}", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
