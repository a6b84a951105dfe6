"""Reporting intervals on the site's local wall clock, DST-correct.

Instants are UTC epoch seconds (float). Intervals are cut on the local wall clock: their
boundaries fall on local times that are whole multiples of `minutes` after local midnight
(00:00, 00:15, 00:30, ... for quarter-hours). Across a DST change:

* spring forward: wall times that do not exist have no boundary, so the missing hour has
  no intervals (America/New_York 2026-03-08 has 92 quarter-hours);
* fall back: wall times that occur twice give two distinct boundaries, so the repeated
  hour appears twice (America/New_York 2026-11-01 has 100 quarter-hours). Labels are the
  ISO 8601 local start *with its offset*, which tells the two apart
  (``2026-11-01T01:00:00-04:00`` then ``2026-11-01T01:00:00-05:00``).

For the usual one-hour changes this is the same as stepping in UTC from local midnight.
Where a change is not a multiple of `minutes` (Australia/Lord_Howe's 30-minute change with
hourly intervals) the grid stays on the wall clock, so the interval spanning the change is
shorter or longer than `minutes`; every instant still falls in exactly one interval.

A local day runs from the first instant whose local date is that day up to the first
instant of the next day, so a day whose midnight does not exist (the clocks jump from
00:00 to 01:00) starts at the jump, and a day whose midnight occurs twice starts at the
occurrence after which the date no longer goes back.

Pure: no I/O, no clock. Zone data comes from pendulum (a `zoneinfo.ZoneInfo`).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import pendulum

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "Interval",
    "cut_intervals",
    "day_out_of_range",
    "day_bounds",
    "day_intervals",
    "interval_start_for",
    "iso_local",
    "local_date",
    "parse_local_instant",
]

# The calendar days a person may type or a file may hold (schedules, evaluations, reports,
# follow-ups): the span the queue_log parser accepts. A year 1 or 9999 is a typing slip, and
# near the ends of the calendar local times overflow (year 0 in a zone east of UTC).
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

_MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class Interval:
    """[start, end) in UTC epoch seconds; `label` is the ISO 8601 local start with offset."""

    start: float
    end: float
    label: str

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end


@lru_cache(maxsize=64)
def _zone(tz: str) -> dt.tzinfo:
    return pendulum.timezone(tz)


def _check_minutes(minutes: int) -> None:
    if minutes <= 0 or _MINUTES_PER_DAY % minutes:
        raise ValueError(f"interval length must divide a day evenly, got {minutes} minutes")


def _local(t: float, tz: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, _zone(tz))


def iso_local(t: float, tz: str) -> str:
    """ISO 8601 local time with offset, e.g. ``2026-11-01T01:00:00-05:00``."""
    return _local(t, tz).isoformat()


def local_date(t: float, tz: str) -> dt.date:
    """The local calendar date at instant `t` in zone `tz`."""
    return _local(t, tz).date()


def _wall_matches(t: float, zone: dt.tzinfo, day: dt.date, hour: int, minute: int) -> bool:
    back = dt.datetime.fromtimestamp(t, zone)
    return back.date() == day and back.hour == hour and back.minute == minute and back.second == 0


def _wall_instants(day: dt.date, hour: int, minute: int, zone: dt.tzinfo) -> list[float]:
    """UTC instants at which the local wall clock reads `day hour:minute` (0, 1 or 2)."""
    found: list[float] = []
    for fold in (0, 1):
        wall = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=fold)
        t = wall.timestamp()
        if t not in found and _wall_matches(t, zone, day, hour, minute):
            found.append(t)
    return sorted(found)


@lru_cache(maxsize=4096)
def _day_start(day: dt.date, tz: str) -> float:
    """First instant of local `day`: from it on, the local date is `day` or later."""
    zone = _zone(tz)
    before = day - dt.timedelta(days=1)
    midnights = _wall_instants(day, 0, 0, zone)
    # Latest occurrence of 00:00 that is entered from the previous date: if midnight is
    # repeated because the previous evening's hour is (the clock goes back at 24:00), the
    # later one; if the repeat is 00:00-01:00 of `day` itself, the first.
    entered = [t for t in midnights if dt.datetime.fromtimestamp(t - 1, zone).date() <= before]
    if entered:
        return entered[-1]
    if midnights:
        return midnights[0]
    # Midnight falls in a gap: the day starts at the transition. With the offset before
    # the change (fold=0) midnight lands after it, with the offset after (fold=1) before.
    wall = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    lo = int(wall.replace(fold=1).timestamp())  # local date < day here
    hi = int(wall.replace(fold=0).timestamp())  # local date >= day here
    if lo > hi:
        lo, hi = hi, lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, zone).date() >= day:
            hi = mid
        else:
            lo = mid
    return float(hi)


def day_bounds(day: dt.date, tz: str) -> tuple[float, float]:
    """UTC epoch of local midnight of `day` and of the next day in zone `tz`.

    A DST day is 23 or 25 hours long.
    """
    return _day_start(day, tz), _day_start(day + dt.timedelta(days=1), tz)


@lru_cache(maxsize=4096)
def _day_grid(day: dt.date, tz: str, minutes: int) -> tuple[float, ...]:
    """Sorted interval boundaries of local `day`, from its start to the next day's start."""
    start, end = day_bounds(day, tz)
    zone = _zone(tz)
    points = {start, end}
    for k in range(_MINUTES_PER_DAY // minutes):
        hour, minute = divmod(k * minutes, 60)
        for t in _wall_instants(day, hour, minute, zone):
            if start < t < end:
                points.add(t)
    return tuple(sorted(points))


@lru_cache(maxsize=1024)
def _day_intervals(day: dt.date, tz: str, minutes: int) -> tuple[Interval, ...]:
    return tuple(Interval(a, b, iso_local(a, tz)) for a, b in pairwise(_day_grid(day, tz, minutes)))


def day_intervals(day: dt.date, tz: str, minutes: int) -> list[Interval]:
    """Every `minutes`-long interval of local `day` (92/96/100 quarter-hours)."""
    _check_minutes(minutes)
    return list(_day_intervals(day, tz, minutes))


def cut_intervals(start: float, end: float, tz: str, minutes: int) -> list[Interval]:
    """Whole grid intervals overlapping [start, end), in order.

    `start` and `end` may be any instants; the first and last intervals are not clipped,
    so the result may begin before `start` and finish after `end`.
    """
    _check_minutes(minutes)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError("start and end must be finite instants")
    if end <= start:
        return []
    out: list[Interval] = []
    day = local_date(start, tz)
    while True:
        day_start, _ = day_bounds(day, tz)
        if day_start >= end:
            break
        out.extend(iv for iv in _day_intervals(day, tz, minutes) if iv.end > start)
        day += dt.timedelta(days=1)
    while out and out[-1].start >= end:
        out.pop()
    return out


def interval_start_for(t: float, tz: str, minutes: int) -> float:
    """Start of the `minutes`-long interval containing instant `t`."""
    _check_minutes(minutes)
    grid = _day_grid(local_date(t, tz), tz, minutes)
    i = bisect_right(grid, t) - 1
    return grid[max(i, 0)]


def day_out_of_range(day: dt.date) -> str | None:
    """What is wrong with a typed day outside FIRST_DAY..LAST_DAY (None when it is inside)."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"{day.isoformat()} is outside {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def parse_local_instant(text: str, tz: str, now: float) -> float:
    """A moment typed by a person, on the site's wall clock: `YYYY-MM-DD HH:MM[:SS]` (or with
    a `T`), `HH:MM[:SS]` (today), or `yesterday HH:MM[:SS]`. Raises ValueError saying what
    was expected; a moment after `now` is refused (there is nothing stored to show yet).
    A wall time the clocks skipped (spring forward) is read as just after the jump; one
    that occurred twice (fall back) as its first occurrence."""
    raw = " ".join(text.strip().split())
    words = raw.replace("T", " ", 1).split(" ") if raw else []
    today = local_date(now, tz)
    expected = "expected YYYY-MM-DD HH:MM, HH:MM (today) or yesterday HH:MM"
    if len(words) == 1 and ":" in words[0]:
        day, clock = today, words[0]
    elif len(words) == 2:
        clock = words[1]
        if words[0].lower() == "yesterday":
            day = today - dt.timedelta(days=1)
        elif words[0].lower() == "today":
            day = today
        else:
            try:
                day = dt.date.fromisoformat(words[0])
            except ValueError:
                raise ValueError(f"{text!r}: {words[0]!r} is not a date; {expected}") from None
    else:
        raise ValueError(f"{text!r} is not a moment: {expected}")
    if day > LAST_DAY:  # (checked before the clock: far ends of the calendar overflow)
        raise ValueError(f"{text!r} is in the future: replay shows what has happened")
    wrong = day_out_of_range(day)
    if wrong:
        raise ValueError(f"{text!r}: {wrong}; {expected}")
    parts = clock.split(":")
    try:
        if len(parts) not in (2, 3) or not all(
            p.isascii() and p.isdigit() and len(p) <= 2 for p in parts
        ):
            raise ValueError
        hour, minute = int(parts[0]), int(parts[1])
        second = int(parts[2]) if len(parts) == 3 else 0
        local = pendulum.datetime(day.year, day.month, day.day, hour, minute, second, tz=tz)
    except ValueError:
        raise ValueError(f"{text!r}: {clock!r} is not a time of day (HH:MM or HH:MM:SS)") from None
    instant = local.timestamp()
    if instant > now:
        raise ValueError(f"{text!r} is in the future: replay shows what has happened")
    return float(instant)
