"""Alerts: thresholds over the floor picture, raised once, cleared when the condition ends.

Pure: no I/O, no clock (`now` is always a parameter), no Textual.

Rules (`AlertRules`, the ``[alerts]`` table of the config; each rule can be switched off)
-----------------------------------------------------------------------------------------
* ``sl``: a queue's service level this interval is below the queue's own target fraction,
  once at least `sl_min_offered` calls were offered in the interval (one missed call at
  08:00 pages nobody). No service level yet (nothing to measure) never fires. Level WARN
  up to 10 points below the target, BAD beyond (as `sl_level`, the floor screen's cells).
* ``waiting``: more than `waiting_above` calls waiting in a queue (strictly above).
* ``oldest``: a queue's oldest waiting call has waited more than
  `oldest_wait_above_seconds` (strictly above).
* ``adherence``: at least `severe_out_at_least` agents are severely out of adherence now
  (out for `severe_threshold_seconds` or more; 1 = any). One alert for the floor, naming
  the first few, not one per agent: breaks overrun every day and a bell per person would
  drown the queue alerts.
* ``waiting``, ``oldest`` and ``adherence`` are WARN above the threshold and BAD above twice
  it.

The key of a condition is ``(kind, subject)``: ``("sl", "Sales")``, ``("waiting", "Sales")``,
``("oldest", "Sales")``, ``("adherence", "")``.

Raising and clearing (`AlertLog`)
---------------------------------
* A condition that is not active is raised (the caller rings the bell once per update that
  raised anything). A condition that stays is not raised again: its level and message
  follow the numbers, and `peak` keeps the worst level it reached.
* An alert clears itself when its condition has been gone for `clear_after_seconds`
  (default 30 s; 0 clears at the first reading without it). Coming back within that time
  cancels the clear: a waiting count hovering at the threshold rings once, not every
  refresh. Its cleared time is when the condition was first seen gone. Once cleared, the
  same condition is raised again (a new entry) the next time it is seen.
* A failed refresh (`update(None, now)`) changes nothing: alerts are not cleared because a
  read failed, and nothing is raised. Likewise a `Reading` says which kinds it checked
  (`checked`): an alert of a kind not checked is kept as it is (the adherence picture, for
  one, comes less often than the queues).
* The log keeps the last `log_size` (default 500) cleared alerts; active ones are always
  kept. `entries()` lists both, newest first.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from floorsup.domain.metrics import Level, sl_level

__all__ = [
    "DEFAULT_LOG_SIZE",
    "QUEUE_KINDS",
    "Alert",
    "AlertKey",
    "AlertKind",
    "AlertLog",
    "AlertRules",
    "Changes",
    "Condition",
    "LogEntry",
    "QueueFacts",
    "Reading",
    "check",
    "validate_alert_rules",
]

DEFAULT_LOG_SIZE = 500
_NAMES_SHOWN = 3
_EPS = 1e-9


class AlertKind(StrEnum):
    SL = "sl"
    WAITING = "waiting"
    OLDEST = "oldest"
    ADHERENCE = "adherence"


QUEUE_KINDS = frozenset({AlertKind.SL, AlertKind.WAITING, AlertKind.OLDEST})
ALL_KINDS = frozenset(AlertKind)

AlertKey = tuple[str, str]  # (kind, subject): the queue's name, "" for the whole floor


@dataclass(frozen=True, slots=True)
class AlertRules:
    """Alert thresholds. None switches a rule off (``false`` in the TOML)."""

    bell: bool = True  # ring the terminal bell when an alert is raised
    sl_below_target: bool = True
    sl_min_offered: int = 10  # calls offered this interval before the SL rule may fire
    waiting_above: int | None = 10  # calls waiting in one queue
    oldest_wait_above_seconds: float | None = 120.0
    severe_out_at_least: int | None = 3  # agents severely out of adherence (1 = any)
    clear_after_seconds: float = 30.0  # the condition gone this long clears the alert


def validate_alert_rules(r: AlertRules) -> list[str]:
    """What is wrong with the rules; empty when they can be used. Each problem names its
    key. Written as "not (in range)" so NaN is refused too."""
    problems: list[str] = []
    if not 0 <= r.sl_min_offered <= 100_000:
        problems.append(f"sl_min_offered must be 0 or more (got {r.sl_min_offered})")
    if r.waiting_above is not None and not 0 <= r.waiting_above <= 100_000:
        problems.append(f"waiting_above must be 0 or more (got {r.waiting_above})")
    s = r.oldest_wait_above_seconds
    if s is not None and not 0 <= s <= 86_400:
        problems.append(f"oldest_wait_above_seconds must be 0 to 86400 (got {s:g})")
    if r.severe_out_at_least is not None and not 1 <= r.severe_out_at_least <= 100_000:
        problems.append(
            f"severe_out_at_least must be 1 or more (got {r.severe_out_at_least};"
            " false switches it off)"
        )
    if not 0 <= r.clear_after_seconds <= 3600:
        problems.append(f"clear_after_seconds must be 0 to 3600 (got {r.clear_after_seconds:g})")
    return problems


# --- facts and conditions -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFacts:
    """What the rules need to know about one queue at one refresh."""

    queue: str
    service_level: float | None  # this interval, a fraction (None: nothing to measure yet)
    target_fraction: float  # the queue's own SL target
    offered: int  # this interval
    waiting: int  # calls waiting now
    oldest_wait_since: float | None  # entered_at of the oldest waiting call (None: nobody)


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule that holds at one reading."""

    key: AlertKey
    level: Level  # WARN or BAD
    message: str  # short, with the numbers: "Sales: SL 62% this interval (target 80%)"

    @property
    def kind(self) -> AlertKind:
        return AlertKind(self.key[0])


@dataclass(frozen=True, slots=True)
class Reading:
    """What one refresh saw: the conditions that hold, and the kinds it looked at (an alert
    of a kind not looked at is kept as it is)."""

    conditions: tuple[Condition, ...]
    checked: frozenset[AlertKind] = ALL_KINDS


def _pct_below(fraction: float) -> str:
    """A percentage rounded down: a service level below the target never reads equal to it
    (79.6% against 80% shows 79%)."""
    return f"{math.floor(fraction * 100 + _EPS)}%"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def _mmss(seconds: float) -> str:
    s = max(0, int(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _over(value: float, limit: float) -> Level:
    return Level.BAD if value > 2 * limit else Level.WARN


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def check(
    rules: AlertRules,
    now: float,
    queues: Sequence[QueueFacts] | None,
    severe_out: Sequence[str] | None,
) -> Reading:
    """The conditions that hold at `now`.

    `queues` None: the queue picture is not known (its kinds are not checked, so their
    alerts are kept). `severe_out`: the names of the agents severely out of adherence now,
    worst first (None: adherence not known). A rule switched off counts as checked and
    quiet, so its alerts clear.
    """
    found: list[Condition] = []
    checked: set[AlertKind] = set()
    if queues is not None:
        checked |= QUEUE_KINDS
        for q in queues:
            found.extend(_queue_conditions(rules, now, q))
    if severe_out is not None:
        checked.add(AlertKind.ADHERENCE)
        limit = rules.severe_out_at_least
        n = len(severe_out)
        if limit is not None and n >= limit:
            shown = ", ".join(severe_out[:_NAMES_SHOWN])
            more = f" +{n - _NAMES_SHOWN} more" if n > _NAMES_SHOWN else ""
            found.append(
                Condition(
                    (AlertKind.ADHERENCE.value, ""),
                    Level.BAD if n >= 2 * limit else Level.WARN,
                    f"{n} severely out of adherence: {shown}{more}",
                )
            )
    return Reading(tuple(found), frozenset(checked))


def _queue_conditions(rules: AlertRules, now: float, q: QueueFacts) -> Iterable[Condition]:
    sl = q.service_level
    if rules.sl_below_target and sl is not None and q.offered >= rules.sl_min_offered:
        level = sl_level(sl, q.target_fraction)
        if level is not None and level is not Level.OK:
            yield Condition(
                (AlertKind.SL.value, q.queue),
                level,
                f"{q.queue}: SL {_pct_below(sl)} this interval (target {_pct(q.target_fraction)})",
            )
    limit = rules.waiting_above
    if limit is not None and q.waiting > limit:
        yield Condition(
            (AlertKind.WAITING.value, q.queue),
            _over(q.waiting, limit),
            f"{q.queue}: {_plural(q.waiting, 'call', 'calls')} waiting (alert above {limit})",
        )
    seconds = rules.oldest_wait_above_seconds
    if seconds is not None and q.oldest_wait_since is not None and q.waiting > 0:
        wait = max(0.0, now - q.oldest_wait_since)
        if wait > seconds:
            yield Condition(
                (AlertKind.OLDEST.value, q.queue),
                _over(wait, seconds),
                f"{q.queue}: oldest call waiting {_mmss(wait)} (alert above {_mmss(seconds)})",
            )


# --- raising and clearing -----------------------------------------------------------------


_RANK = {Level.OK: 0, Level.WARN: 1, Level.BAD: 2}


def _worse(a: Level, b: Level) -> Level:
    return a if _RANK[a] >= _RANK[b] else b


@dataclass(frozen=True, slots=True)
class Alert:
    """An active alert."""

    seq: int  # its number in the log (raised order), unique
    key: AlertKey
    level: Level  # as last seen
    message: str  # as last seen (the banner's text)
    raised_at: float
    raised_message: str  # as raised (the log's text)
    peak: Level  # the worst level it reached
    gone_since: float | None = None  # the condition not seen since then: clearing

    @property
    def kind(self) -> AlertKind:
        return AlertKind(self.key[0])

    @property
    def clearing(self) -> bool:
        return self.gone_since is not None

    def entry(self) -> LogEntry:
        return LogEntry(self.seq, self.key, self.peak, self.raised_message, self.raised_at, None)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One alert in the log, from raised to cleared (None: still active)."""

    seq: int
    key: AlertKey
    level: Level  # the worst it reached
    message: str  # as raised
    raised_at: float
    cleared_at: float | None

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    def seconds(self, now: float) -> float:
        """How long it lasted (active: so far)."""
        end = now if self.cleared_at is None else self.cleared_at
        return max(0.0, end - self.raised_at)


@dataclass(frozen=True, slots=True)
class Changes:
    """What one update did. Ring the bell when `raised` is not empty (and the rules say so)."""

    raised: tuple[Alert, ...] = ()
    cleared: tuple[LogEntry, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.raised or self.cleared)


class AlertLog:
    """The active alerts and the log of past ones. Fed one `Reading` per refresh by
    `update`; see the module docstring for the rules. Not thread-safe: use it from one
    thread (the app's event loop)."""

    def __init__(self, clear_after_seconds: float = 30.0, log_size: int = DEFAULT_LOG_SIZE) -> None:
        self.clear_after_seconds = clear_after_seconds
        self.log_size = log_size
        self._active: dict[AlertKey, Alert] = {}
        self._history: deque[LogEntry] = deque(maxlen=log_size)
        self._seq = 0
        self.version = 0  # bumped on every raise, clear or change of an active alert

    @classmethod
    def for_rules(cls, rules: AlertRules, log_size: int = DEFAULT_LOG_SIZE) -> AlertLog:
        return cls(clear_after_seconds=rules.clear_after_seconds, log_size=log_size)

    # -- reading ---------------------------------------------------------------------------
    @property
    def active(self) -> tuple[Alert, ...]:
        """Active alerts, worst first (then oldest first)."""
        return tuple(
            sorted(self._active.values(), key=lambda a: (-_RANK[a.level], a.raised_at, a.seq))
        )

    def get(self, key: AlertKey) -> Alert | None:
        return self._active.get(key)

    def entries(self) -> list[LogEntry]:
        """Active and cleared alerts, newest first (the last `log_size` cleared ones)."""
        out = [a.entry() for a in self._active.values()]
        out.extend(self._history)
        out.sort(key=lambda e: e.seq, reverse=True)
        return out

    # -- feeding ---------------------------------------------------------------------------
    def update(self, reading: Reading | None, now: float) -> Changes:
        """Apply one refresh's reading at `now`. None: the refresh failed (nothing changes)."""
        if reading is None:
            return Changes()
        seen: dict[AlertKey, Condition] = {}
        for c in reading.conditions:
            old = seen.get(c.key)
            if old is None or _RANK[c.level] > _RANK[old.level]:
                seen[c.key] = c
        raised: list[Alert] = []
        cleared: list[LogEntry] = []
        changed = False
        for key, alert in list(self._active.items()):
            cond = seen.pop(key, None)
            if cond is not None:
                new = replace(
                    alert,
                    level=cond.level,
                    message=cond.message,
                    peak=_worse(alert.peak, cond.level),
                    gone_since=None,
                )
                if new != alert:
                    self._active[key] = new
                    changed = True
                continue
            if alert.kind not in reading.checked:
                continue  # not looked at this time: kept as it is
            gone = alert.gone_since if alert.gone_since is not None else now
            if now - gone >= self.clear_after_seconds:
                del self._active[key]
                entry = replace(alert.entry(), cleared_at=max(gone, alert.raised_at))
                self._history.append(entry)
                cleared.append(entry)
            elif alert.gone_since is None:
                self._active[key] = replace(alert, gone_since=now)
                changed = True
        for key, cond in seen.items():
            self._seq += 1
            alert = Alert(
                seq=self._seq,
                key=key,
                level=cond.level,
                message=cond.message,
                raised_at=now,
                raised_message=cond.message,
                peak=cond.level,
            )
            self._active[key] = alert
            raised.append(alert)
        if raised or cleared or changed:
            self.version += 1
        return Changes(tuple(raised), tuple(cleared))
