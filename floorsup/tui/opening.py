"""Opening a screen that needs a read: read first (in a worker), then push the screen whole.

Read before the screen exists, the read has the interpreter to itself; read while the
screen was being built, it waited on the GIL for the layout, 5-10 times as long
(bench/coaching_bench.py). Keys stay live meanwhile: a second open of the same kind
replaces the first, and nothing is pushed if the screen changed in between (escape,
another screen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.app import App
from textual.screen import Screen
from textual.worker import get_current_worker

T = TypeVar("T")


def push_when_read(
    app: App[object],
    group: str,
    read: Callable[[], T],
    build: Callable[[T], Screen[object]],
) -> None:
    """`read()` in a worker of `group`, then (on the event loop) push `build(what it read)`."""
    origin = app.screen

    def work() -> None:
        worker = get_current_worker()
        got = read()

        def show() -> None:
            if not worker.is_cancelled and app.screen is origin:
                app.push_screen(build(got))

        app.call_from_thread(show)

    app.run_worker(work, thread=True, exclusive=True, group=group)
