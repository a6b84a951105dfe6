"""Plain, frozen value types shared by every layer.

Instants are UTC epoch seconds (float). They are DST-proof and cheap to store and compare;
convert to the site's zone (pendulum) only to cut intervals and to display.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What became of one call in one queue (one row per callid and queue)."""

    WAITING = "waiting"  # entered, not yet answered or gone
    IN_PROGRESS = "in_progress"  # answered, still talking
    ANSWERED = "answered"  # answered and completed by agent or caller
    TRANSFERRED = "transferred"  # answered, then transferred away
    ABANDONED = "abandoned"  # caller hung up while waiting
    TIMEOUT = "timeout"  # EXITWITHTIMEOUT
    EXIT_EMPTY = "exit_empty"  # EXITEMPTY: no agents to take it
    EXIT_KEY = "exit_key"  # EXITWITHKEY: caller pressed a key to leave
    WITHDRAW = "withdraw"  # WITHDRAW: removed by the system/operator


ANSWERED_OUTCOMES = frozenset({Outcome.IN_PROGRESS, Outcome.ANSWERED, Outcome.TRANSFERRED})
OTHER_EXIT_OUTCOMES = frozenset(
    {Outcome.TIMEOUT, Outcome.EXIT_EMPTY, Outcome.EXIT_KEY, Outcome.WITHDRAW}
)


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call in one queue, derived from its queue_log events."""

    callid: str
    queue: str
    entered_at: float
    outcome: Outcome
    answered_at: float | None = None
    ended_at: float | None = None
    wait_seconds: float | None = None  # to answer, or to leaving unanswered
    talk_seconds: float | None = None
    agent: str | None = None
    hold_seconds: float | None = None  # reserved: only where the feed has it


@dataclass(frozen=True, slots=True)
class AgentSpan:
    """A stretch of time one agent spent in one state. `end` is None while it lasts."""

    agent: str
    state: AgentState
    start: float
    end: float | None = None
    reason: str | None = None  # pause reason
    queue: str | None = None  # the queue of the call (ringing / on call)
    callid: str | None = None
