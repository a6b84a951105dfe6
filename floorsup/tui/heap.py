"""Garbage collection between key presses, not in the middle of them.

Python's cyclic collector runs when enough objects have been allocated, so it runs while
a screen is being built, which is exactly when something is allocating. Measured in
bench/coaching_bench.py with 1,000 agents: a full collection walked the ~360k objects
start-up leaves behind (Textual's DOM and caches, SQLAlchemy, the first snapshot) in
150-650 ms, and fell in a third of agent-page opens; the young collections alone added
~20 ms to the median open.

`QuietGc` starts once the floor is drawn. It collects what start-up left, freezes the
survivors (they live for the whole shift; the collector need not walk them again), and
turns the automatic collector off. Then a one-second timer collects the young generations,
a few ms, and a full collection runs only once no key has been pressed for a while, at
most every `FULL_EVERY` seconds. Reference counting frees everything that is not in a
cycle at once, as before; cyclic garbage waits a second at most."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App


class QuietGc:
    YOUNG_EVERY = 1.0  # seconds between collections of the young generations
    FULL_EVERY = 300.0  # at most one full collection this often...
    QUIET_FOR = 10.0  # ...and only when no key has been pressed for this long

    def __init__(self) -> None:
        self.started = False
        self.last_key = time.monotonic()
        self.last_full = time.monotonic()
        self.full_runs = 0

    def start(self, app: App[object]) -> None:
        if self.started:
            return
        self.started = True
        gc.collect()
        gc.freeze()
        gc.disable()
        self.last_full = time.monotonic()
        app.set_interval(self.YOUNG_EVERY, self.tick, name="quiet-gc")

    def key_pressed(self) -> None:
        self.last_key = time.monotonic()

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last_full >= self.FULL_EVERY and now - self.last_key >= self.QUIET_FOR:
            gc.collect()
            self.last_full = now
            self.full_runs += 1
        else:
            gc.collect(1)

    def stop(self) -> None:
        """Back to Python's own collector (the app is closing)."""
        if self.started:
            self.started = False
            gc.unfreeze()
            gc.enable()
