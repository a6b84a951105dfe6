"""A call as it stood at an earlier instant (replay), from its row as it is now.

The call table keeps one row per call, updated as the call goes on: entered, answered,
ended. Read at a past `now`, a call that ended later was then still waiting or still
talking; the floor, the interval screen and the reports at that instant must count it as
it was, or a replay would show calls answered before they rang. Live, `now` is at or after
every event, so every call comes back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from floorsup.domain.types import CallRecord, Outcome


def call_as_of(call: CallRecord, now: float) -> CallRecord | None:
    """`call` as the feed had told of it by `now`; None if it had not entered yet.

    - ended by `now`: as it is (its outcome is final);
    - answered by `now`, ended later (or not yet): in progress, talk time not yet known;
    - otherwise: waiting, with no answer, agent or end.
    """
    if call.entered_at > now:
        return None
    if call.ended_at is not None and call.ended_at <= now:
        return call
    if call.answered_at is not None and call.answered_at <= now:
        if call.outcome is Outcome.IN_PROGRESS:
            return call
        return replace(
            call,
            outcome=Outcome.IN_PROGRESS,
            ended_at=None,
            talk_seconds=None,
            hold_seconds=None,
        )
    if call.outcome is Outcome.WAITING:
        return call
    return replace(
        call,
        outcome=Outcome.WAITING,
        answered_at=None,
        ended_at=None,
        wait_seconds=None,
        talk_seconds=None,
        agent=None,
        hold_seconds=None,
    )


def calls_as_of(calls: Iterable[CallRecord], now: float) -> list[CallRecord]:
    """Every call that had entered by `now`, as it stood then (see `call_as_of`). Calls
    already over by `now` (nearly all of them, live) are kept as they are at one compare."""
    out: list[CallRecord] = []
    append = out.append
    for c in calls:
        ended = c.ended_at
        if ended is not None and ended <= now:
            append(c)
            continue
        then = call_as_of(c, now)
        if then is not None:
            append(then)
    return out
