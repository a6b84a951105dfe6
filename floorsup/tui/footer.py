"""The key footer every screen shows.

Textual 8.2's `Footer` recomposes on every change to its screen's bindings (the push, each
focus change while the screen mounts, each `refresh_bindings`: 6 to 10 times while the agent
page or note form opens) and data-binds every new `FooterKey` to its `compact` reactive, which
runs a style update per key at once and leaves a watcher on the Footer holding the removed
key. Measured in bench/coaching_bench.py, that was ~100 ms and ~2,000 objects kept per screen
opened. `KeyFooter` recomposes at most once a refresh and only when the keys it would show
differ from those it shows, and drops the `compact` binding (our footers never change it)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._keys_shown: tuple[Any, ...] | None = None
        self._keys_pending = False

    def _keys(self) -> tuple[Any, ...]:
        return tuple(
            (b.key, b.action, b.description, b.key_display, b.group, enabled, tooltip)
            for (_, b, enabled, tooltip) in self.screen.active_bindings.values()
            if b.show
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._keys_pending:
            return
        if self.is_attached and screen is self.screen:
            self._keys_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._keys_pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys != self._keys_shown:
            self._keys_shown = keys
            await self.recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget._reactive_connect:
                widget._reactive_connect = None  # the pending data_bind finds nothing to bind
                widget.set_reactive(FooterKey.compact, self.compact)  # what it would have set
            yield widget
