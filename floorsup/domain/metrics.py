"""Queue statistics (per interval and in total), the "now" picture, and screen thresholds.

Pure: no I/O, no clock (`now` is always a parameter).

Counting rules (a call is one `CallRecord`: one call in one queue). Calls are attributed to
the interval in which they ENTERED the queue.

* offered: every call that entered, whatever became of it, still-waiting calls included.
* answered: outcome in `ANSWERED_OUTCOMES` (in progress, answered, transferred).
  answered_within_target: answered with wait <= target seconds.
* abandoned: every outcome ABANDONED. short_abandoned: abandoned with
  wait < `short_abandon_seconds` (a wait exactly equal to it is not short).
* other_exits: outcome in `OTHER_EXIT_OUTCOMES` (timeout, exit empty, exit key, withdraw).
* waiting: outcome WAITING.
* Service level is answered_within_target over a denominator that depends on `SLFormula`.
  In the offered-based formulas (OFFERED_LESS_SHORT and ANSWERED_ABANDONED) a call still
  waiting whose wait so far (now - entered_at) is already beyond the target is a miss and
  counts in the denominator; one still within the target is undetermined and is left out
  of the denominator (it is still counted as offered). In the ANSWERED formula only
  answered calls count. SL is None when the denominator is 0.
* ASA: mean wait of answered calls. AHT: mean talk (+ hold, where the feed has it) of
  calls ANSWERED or TRANSFERRED that have talk_seconds (calls still in progress are left
  out: their handle time is not known yet).
* longest_wait_seconds: the longest wait among offered calls; for calls still waiting,
  the wait so far.

A call's wait is `wait_seconds`; when that is missing it is derived from `answered_at` or
`ended_at`, and for a call still waiting it is always `now - entered_at` (never negative).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from floorsup.domain.intervals import Interval, iso_local
from floorsup.domain.types import (
    ANSWERED_OUTCOMES,
    OTHER_EXIT_OUTCOMES,
    AgentState,
    CallRecord,
    Outcome,
)

__all__ = [
    "DEFAULT_SHORT_ABANDON_SECONDS",
    "DEFAULT_TARGET_SECONDS",
    "SL_FORMULA_TEXT",
    "STATE_AGE_THRESHOLDS",
    "Level",
    "QueueIntervalStats",
    "QueueNow",
    "SLFormula",
    "call_wait",
    "compute_stats",
    "interval_stats",
    "queue_now",
    "sl_level",
    "state_age_level",
    "total_stats",
    "wait_level",
]

DEFAULT_TARGET_SECONDS = 20
DEFAULT_SHORT_ABANDON_SECONDS: float = 5

_HANDLED_OUTCOMES = frozenset({Outcome.ANSWERED, Outcome.TRANSFERRED})


class SLFormula(StrEnum):
    """How service level is computed. T is the queue's target answer time."""

    OFFERED_LESS_SHORT = "offered_less_short"  # answered <= T / (offered - short abandons)
    ANSWERED = "answered"  # answered <= T / answered
    ANSWERED_ABANDONED = "answered_abandoned"  # answered <= T / (answered + abandoned)


SL_FORMULA_TEXT: dict[SLFormula, str] = {
    SLFormula.OFFERED_LESS_SHORT: "answered ≤ T / (offered − short abandons)",
    SLFormula.ANSWERED: "answered ≤ T / answered",
    SLFormula.ANSWERED_ABANDONED: "answered ≤ T / (answered + abandoned)",
}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class QueueIntervalStats:
    """Statistics of one queue over one interval (interval_start None: the whole window)."""

    queue: str
    interval_start: float | None
    interval_end: float | None
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    other_exits: int
    answered_within_target: int
    waiting: int
    service_level: float | None  # a fraction, 0..1
    asa_seconds: float | None
    aht_seconds: float | None
    longest_wait_seconds: float | None
    target_seconds: int

    def as_dict(self, tz: str) -> dict[str, Any]:
        """JSON-ready dict; `interval_start` is ISO 8601 local with offset, omitted if None."""
        out: dict[str, Any] = {"queue": self.queue}
        if self.interval_start is not None:
            out["interval_start"] = iso_local(self.interval_start, tz)
        out.update(
            offered=self.offered,
            answered=self.answered,
            abandoned=self.abandoned,
            short_abandoned=self.short_abandoned,
            other_exits=self.other_exits,
            answered_within_target=self.answered_within_target,
            service_level=_round(self.service_level, 4),
            asa_seconds=_round(self.asa_seconds, 2),
            aht_seconds=_round(self.aht_seconds, 2),
            longest_wait_seconds=_round(self.longest_wait_seconds, 2),
            target_seconds=self.target_seconds,
        )
        return out


def call_wait(call: CallRecord, now: float) -> float | None:
    """Seconds the call waited (so far, if still waiting); None if it cannot be known."""
    if call.outcome is Outcome.WAITING:
        return max(0.0, now - call.entered_at)
    if call.wait_seconds is not None:
        return call.wait_seconds
    if call.answered_at is not None:
        return max(0.0, call.answered_at - call.entered_at)
    if call.ended_at is not None and call.outcome not in ANSWERED_OUTCOMES:
        return max(0.0, call.ended_at - call.entered_at)
    return None


def compute_stats(
    calls: Iterable[CallRecord],
    *,
    queue: str,
    now: float,
    target_seconds: int = DEFAULT_TARGET_SECONDS,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
    formula: SLFormula = SLFormula.OFFERED_LESS_SHORT,
    interval_start: float | None = None,
    interval_end: float | None = None,
) -> QueueIntervalStats:
    """Statistics of `calls`, already selected (one queue, one interval); see module doc."""
    sums = StatsSums(target_seconds, short_abandon_seconds)
    sums.add_all(calls, now)
    return sums.stats(
        queue=queue, formula=formula, interval_start=interval_start, interval_end=interval_end
    )


@dataclass(slots=True)
class StatsSums:
    """`compute_stats`'s running sums, to add calls to as they come. A call that is over
    adds the same whatever `now` is (only a waiting call's wait grows), so the floor keeps
    one per queue for the day's finished calls and adds only the calls still in progress on
    each refresh, instead of going through every call of the day again. The sums are exact
    for whole-second waits and talk times (what queue_log records), in any order."""

    target_seconds: int
    short_abandon_seconds: float
    offered: int = 0
    answered: int = 0
    within: int = 0
    abandoned: int = 0
    short: int = 0
    other: int = 0
    waiting: int = 0
    waiting_missed: int = 0  # still waiting and already beyond the target
    wait_sum: float = 0.0
    wait_n: int = 0
    handle_sum: float = 0.0
    handle_n: int = 0
    longest: float | None = None

    def copy(self) -> StatsSums:
        return replace(self)

    def add_all(self, calls: Iterable[CallRecord], now: float) -> None:
        target, short_limit = self.target_seconds, self.short_abandon_seconds
        offered, answered, within = self.offered, self.answered, self.within
        abandoned, short, other = self.abandoned, self.short, self.other
        waiting, waiting_missed = self.waiting, self.waiting_missed
        wait_sum, wait_n, handle_sum, handle_n = (
            self.wait_sum,
            self.wait_n,
            self.handle_sum,
            self.handle_n,
        )
        longest = self.longest
        for call in calls:
            offered += 1
            outcome = call.outcome
            wait = call_wait(call, now)
            if wait is not None and (longest is None or wait > longest):
                longest = wait
            if outcome in ANSWERED_OUTCOMES:
                answered += 1
                if wait is not None:
                    wait_sum += wait
                    wait_n += 1
                    if wait <= target:
                        within += 1
                if outcome in _HANDLED_OUTCOMES and call.talk_seconds is not None:
                    handle_sum += call.talk_seconds + (call.hold_seconds or 0.0)
                    handle_n += 1
            elif outcome is Outcome.ABANDONED:
                abandoned += 1
                if wait is not None and wait < short_limit:
                    short += 1
            elif outcome in OTHER_EXIT_OUTCOMES:
                other += 1
            elif outcome is Outcome.WAITING:
                waiting += 1
                if wait is not None and wait > target:
                    waiting_missed += 1
        self.offered, self.answered, self.within = offered, answered, within
        self.abandoned, self.short, self.other = abandoned, short, other
        self.waiting, self.waiting_missed = waiting, waiting_missed
        self.wait_sum, self.wait_n, self.handle_sum, self.handle_n = (
            wait_sum,
            wait_n,
            handle_sum,
            handle_n,
        )
        self.longest = longest

    def stats(
        self,
        *,
        queue: str,
        formula: SLFormula = SLFormula.OFFERED_LESS_SHORT,
        interval_start: float | None = None,
        interval_end: float | None = None,
    ) -> QueueIntervalStats:
        undetermined = self.waiting - self.waiting_missed
        if formula is SLFormula.OFFERED_LESS_SHORT:
            denominator = self.offered - self.short - undetermined
        elif formula is SLFormula.ANSWERED_ABANDONED:
            denominator = self.answered + self.abandoned + self.waiting_missed
        else:
            denominator = self.answered
        return QueueIntervalStats(
            queue=queue,
            interval_start=interval_start,
            interval_end=interval_end,
            offered=self.offered,
            answered=self.answered,
            abandoned=self.abandoned,
            short_abandoned=self.short,
            other_exits=self.other,
            answered_within_target=self.within,
            waiting=self.waiting,
            service_level=self.within / denominator if denominator > 0 else None,
            asa_seconds=self.wait_sum / self.wait_n if self.wait_n else None,
            aht_seconds=self.handle_sum / self.handle_n if self.handle_n else None,
            longest_wait_seconds=self.longest,
            target_seconds=self.target_seconds,
        )


def interval_stats(
    calls: Iterable[CallRecord],
    *,
    intervals: Sequence[Interval],
    queues: Sequence[str],
    now: float,
    targets: Mapping[str, int],
    default_target: int = DEFAULT_TARGET_SECONDS,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
    formula: SLFormula = SLFormula.OFFERED_LESS_SHORT,
) -> list[QueueIntervalStats]:
    """One row per queue per interval, empty intervals included, sorted by queue then start.

    A call belongs to the interval whose [start, end) holds its `entered_at` (a call
    entering exactly on a boundary belongs to the later interval). Calls of other queues
    or outside every interval are ignored. O(calls · log intervals).
    """
    ordered = sorted(intervals, key=lambda iv: iv.start)
    starts = [iv.start for iv in ordered]
    wanted = sorted(set(queues))
    wanted_set = set(wanted)
    buckets: dict[tuple[str, int], list[CallRecord]] = defaultdict(list)
    for call in calls:
        if call.queue not in wanted_set:
            continue
        i = bisect_right(starts, call.entered_at) - 1
        if i < 0 or call.entered_at >= ordered[i].end:
            continue
        buckets[(call.queue, i)].append(call)

    rows: list[QueueIntervalStats] = []
    for queue in wanted:
        target = targets.get(queue, default_target)
        for i, iv in enumerate(ordered):
            rows.append(
                compute_stats(
                    buckets.get((queue, i), ()),
                    queue=queue,
                    now=now,
                    target_seconds=target,
                    short_abandon_seconds=short_abandon_seconds,
                    formula=formula,
                    interval_start=iv.start,
                    interval_end=iv.end,
                )
            )
    return rows


def total_stats(
    calls: Iterable[CallRecord],
    *,
    queues: Sequence[str],
    now: float,
    targets: Mapping[str, int],
    default_target: int = DEFAULT_TARGET_SECONDS,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
    formula: SLFormula = SLFormula.OFFERED_LESS_SHORT,
    start: float | None = None,
    end: float | None = None,
) -> list[QueueIntervalStats]:
    """One row per queue (sorted) for the whole window; interval_start/end are None.

    With `start`/`end`, only calls that entered in [start, end) count; without them every
    call given counts (the caller selected the window).
    """
    wanted = sorted(set(queues))
    by_queue: dict[str, list[CallRecord]] = {q: [] for q in wanted}
    for call in calls:
        bucket = by_queue.get(call.queue)
        if bucket is None:
            continue
        if start is not None and call.entered_at < start:
            continue
        if end is not None and call.entered_at >= end:
            continue
        bucket.append(call)
    return [
        compute_stats(
            by_queue[q],
            queue=q,
            now=now,
            target_seconds=targets.get(q, default_target),
            short_abandon_seconds=short_abandon_seconds,
            formula=formula,
        )
        for q in wanted
    ]


# --- now -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueNow:
    """A queue at this instant: calls waiting and the agents who serve it."""

    queue: str
    waiting: int
    oldest_wait_seconds: float | None
    agents_available: int
    agents_on_call: int
    agents_paused: int
    agents_ringing: int
    agents_logged_in: int


def queue_now(
    calls_waiting: Iterable[CallRecord],
    agent_states: Iterable[tuple[str, AgentState, frozenset[str]]],
    *,
    queues: Sequence[str],
    now: float,
) -> list[QueueNow]:
    """One row per queue (sorted by queue).

    Only calls whose outcome is WAITING count. Each agent tuple is (agent, current state,
    queues the agent serves); an agent counts once in each queue it serves, logged-out
    agents not at all. If an agent appears more than once the last tuple wins.
    """
    wanted = sorted(set(queues))
    waiting: dict[str, int] = dict.fromkeys(wanted, 0)
    oldest: dict[str, float | None] = dict.fromkeys(wanted)
    for call in calls_waiting:
        if call.outcome is not Outcome.WAITING or call.queue not in waiting:
            continue
        waiting[call.queue] += 1
        wait = max(0.0, now - call.entered_at)
        current = oldest[call.queue]
        if current is None or wait > current:
            oldest[call.queue] = wait

    latest: dict[str, tuple[AgentState, frozenset[str]]] = {}
    for agent, state, served in agent_states:
        latest[agent] = (state, served)

    counts: dict[str, dict[AgentState, int]] = {q: defaultdict(int) for q in wanted}
    for state, served in latest.values():
        if state is AgentState.LOGGED_OUT:
            continue
        for q in served:
            if q in counts:
                counts[q][state] += 1

    return [
        QueueNow(
            queue=q,
            waiting=waiting[q],
            oldest_wait_seconds=oldest[q],
            agents_available=counts[q][AgentState.AVAILABLE],
            agents_on_call=counts[q][AgentState.ON_CALL],
            agents_paused=counts[q][AgentState.PAUSED],
            agents_ringing=counts[q][AgentState.RINGING],
            agents_logged_in=sum(counts[q].values()),
        )
        for q in wanted
    ]


# --- thresholds for the screens (colour is never the only signal) ----------------------


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    BAD = "bad"

    @property
    def symbol(self) -> str:
        return _LEVEL_SYMBOLS[self]

    @property
    def word(self) -> str:
        return self.value


_LEVEL_SYMBOLS: dict[Level, str] = {Level.OK: "✓", Level.WARN: "▲", Level.BAD: "✗"}
_EPS = 1e-9


def sl_level(sl: float | None, target_fraction: float, warn_margin: float = 0.1) -> Level | None:
    """OK at or above the target fraction, WARN up to `warn_margin` below it, else BAD.

    None when there is no service level (nothing to measure yet). Comparisons allow for
    float rounding (0.7 is within 0.1 of 0.8).
    """
    if sl is None:
        return None
    if sl >= target_fraction - _EPS:
        return Level.OK
    if sl >= target_fraction - warn_margin - _EPS:
        return Level.WARN
    return Level.BAD


def wait_level(seconds: float | None, target_seconds: int) -> Level:
    """OK while the wait is within target (<= T, as in service level; None: nobody
    waiting), WARN up to twice the target (<= 2T), BAD beyond."""
    if seconds is None or seconds <= target_seconds:
        return Level.OK
    if seconds <= 2 * target_seconds:
        return Level.WARN
    return Level.BAD


# Seconds in a state at which the age level becomes 1, 2 and 3 (level 0 below the first).
# Logged-out agents are not aged (always 0).
STATE_AGE_THRESHOLDS: dict[AgentState, tuple[float, float, float]] = {
    AgentState.ON_CALL: (5 * 60, 10 * 60, 20 * 60),
    AgentState.PAUSED: (5 * 60, 15 * 60, 30 * 60),
    AgentState.AVAILABLE: (2 * 60, 5 * 60, 10 * 60),
    AgentState.RINGING: (10, 20, 30),
}


def state_age_level(state: AgentState, seconds: float) -> int:
    """Ageing 0..3 of an agent who has been `seconds` in `state` (see STATE_AGE_THRESHOLDS;
    reaching a threshold exactly moves to the next level)."""
    thresholds = STATE_AGE_THRESHOLDS.get(state)
    if thresholds is None:
        return 0
    return sum(1 for limit in thresholds if seconds >= limit)
