"""Clocks: time is a parameter. The live app passes the wall clock, tests a fixed instant,
replay a past instant, and the demo an accelerated clock."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """UTC epoch seconds."""
        ...


class WallClock:
    def now(self) -> float:
        return time.time()


@dataclass
class FixedClock:
    instant: float

    def now(self) -> float:
        return self.instant

    def advance(self, seconds: float) -> None:
        self.instant += seconds


@dataclass
class ScaledClock:
    """Runs `speed` times faster than the wall clock, starting at `start`."""

    start: float
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> float:
        return self.start + (time.monotonic() - self._origin) * self.speed


class ReplayClock(FixedClock):
    """A past instant the user asked to see (`floorsup --at`, `ctrl+t`, `[` and `]`): every
    screen reads it as `now`, so a replayed screen is the live one's code at another time."""
