"""From queue_log events to calls and agent state spans. Pure: no I/O, no clock.

`derive_call` folds the events of one (callid, queue) into a CallRecord; `AgentMachine`
folds one agent's events into state spans. Both take events in time order; the ingest
keeps them in that order (out-of-order lines are placed by their timestamp).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floorsup.domain.types import AgentState, CallRecord, Outcome
from floorsup.ingest.queue_log import Event

NO_ID = frozenset({"", "NONE", "MANAGER"})

TERMINAL = {
    "COMPLETEAGENT": Outcome.ANSWERED,
    "COMPLETECALLER": Outcome.ANSWERED,
    "TRANSFER": Outcome.TRANSFERRED,
    "BLINDTRANSFER": Outcome.TRANSFERRED,
    "ATTENDEDTRANSFER": Outcome.TRANSFERRED,
    "ABANDON": Outcome.ABANDONED,
    "EXITWITHTIMEOUT": Outcome.TIMEOUT,
    "EXITEMPTY": Outcome.EXIT_EMPTY,
    "EXITWITHKEY": Outcome.EXIT_KEY,
    "WITHDRAW": Outcome.WITHDRAW,
}
CALL_EVENTS = frozenset(TERMINAL) | {"ENTERQUEUE", "CONNECT"}
# Which data field holds the wait (holdtime / waittime) and the talk time (calltime), 1-based,
# as app_queue writes them. Fewer fields than documented fall back to the timestamps.
_WAIT_FIELD = {
    "CONNECT": 1,  # holdtime|bridged uniqueid|ringtime
    "COMPLETEAGENT": 1,  # holdtime|calltime|origposition
    "COMPLETECALLER": 1,
    "TRANSFER": 3,  # extension|context|holdtime|calltime|origposition
    "BLINDTRANSFER": 3,
    "ATTENDEDTRANSFER": 3,  # BRIDGE|uid or APP|app, then holdtime|calltime|origposition (LINK: +1)
    "ABANDON": 3,  # position|origposition|waittime
    "EXITWITHTIMEOUT": 3,
    "EXITEMPTY": 3,
    "WITHDRAW": 3,  # position|origposition|waittime|info
    "EXITWITHKEY": 4,  # key|position|origposition|waittime
}
_TALK_FIELD = {
    "COMPLETEAGENT": 2,
    "COMPLETECALLER": 2,
    "TRANSFER": 4,
    "BLINDTRANSFER": 4,
    "ATTENDEDTRANSFER": 4,
}
AGENT_EVENTS = frozenset(
    [
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "TRANSFER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "RINGNOANSWER",
        "RINGCANCELED",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "AGENTDUMP",
    ]
)
_CALL_END = frozenset(
    {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
)


_FOREVER = 10 * 365 * 86400.0  # no wait, talk or ring lasts ten years: such a number is damage


def field(data: str, n: int) -> float | None:
    """The n-th (1-based) data field as a non-negative number, or None."""
    return _num(data.split("|", n), n)


def is_call_event(ev: Event) -> bool:
    return ev[4] in CALL_EVENTS and ev[1] not in NO_ID and ev[2] not in NO_ID


def is_agent_event(ev: Event) -> bool:
    return ev[4] in AGENT_EVENTS and ev[3] not in NO_ID


def _num(parts: list[str], n: int) -> float | None:
    """The n-th (1-based) of already split data fields as a non-negative number, or None."""
    if n > len(parts):
        return None
    text = parts[n - 1]
    if text.isdigit() and len(text) <= 8:  # the usual case: whole seconds or milliseconds
        return float(text)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value < _FOREVER else None  # also refuses inf and nan


CallFold = tuple[float, float | None, float | None, float | None, float | None, str | None, Outcome]


# A call's events in the order they happen, whatever their timestamps say: the caller
# enters, is connected, the call ends. A clock stepped back mid-call (an NTP correction)
# gives the later events earlier timestamps; folded by timestamp, the CONNECT would be
# lost behind the COMPLETE and the wait come out negative.
_RANK = {"ENTERQUEUE": 0, "CONNECT": 1}


def _rank(ev: Event) -> int:
    return _RANK.get(ev[4], 2)


def _in_call_order(events: Iterable[Event]) -> list[Event]:
    evs = events if isinstance(events, list) else list(events)
    last = 0
    for ev in evs:
        r = _RANK.get(ev[4], 2)
        if r < last:
            return sorted(evs, key=_rank)  # stable: time order kept within each step
        last = r
    return evs


def fold_call(events: Iterable[Event]) -> CallFold | None:
    """Fold one call's events (in time order) into (entered, answered, ended, wait, talk,
    agent, outcome). The first terminal event wins; repeats of it (as some boxes write)
    are ignored. None when the events say nothing about a call.

    Entering comes before the answer and the answer before the end, whatever the
    timestamps say (a clock stepped back mid-call): the entry keeps its instant, a later
    step stamped earlier is placed at the step before it, and no wait or talk time is
    negative."""
    entered: float | None = None
    answered: float | None = None
    ended: float | None = None
    wait: float | None = None
    talk: float | None = None
    agent: str | None = None
    outcome: Outcome | None = None
    first_ts: float | None = None
    for ts, _cid, _q, ag, ev, data in _in_call_order(events):
        if ev not in CALL_EVENTS:
            continue
        if first_ts is None:
            first_ts = ts
        if ev == "ENTERQUEUE":
            if entered is None:
                entered = ts
            continue
        if outcome is not None:
            continue  # already ended
        parts = data.split("|")
        if ev == "CONNECT":
            if answered is None:
                answered = ts
                agent = ag if ag not in NO_ID else agent
                w = _num(parts, 1)
                wait = (
                    w
                    if w is not None
                    else (max(0.0, ts - entered) if entered is not None else None)
                )
            continue
        outcome = TERMINAL[ev]
        ended = ts
        shift = 1 if ev == "ATTENDEDTRANSFER" and parts[0] == "LINK" else 0  # LINK|chan1|chan2|...
        w = _num(parts, _WAIT_FIELD[ev] + shift)
        if ev in _CALL_END:
            t = _num(parts, _TALK_FIELD[ev] + shift)
            if answered is None:  # the CONNECT line is missing: place it from the times given
                answered = ts - t if t is not None else ts
                if w is not None and wait is None:
                    wait = w
            if ag not in NO_ID:
                agent = ag
            talk = t if t is not None else max(0.0, ts - answered)
        elif w is not None:
            wait = w
        elif entered is not None:
            wait = max(0.0, ts - entered)
    if first_ts is None:
        return None
    if entered is None:
        # Feed began after the call entered: place the entry from the wait we were told.
        if answered is not None:
            entered = answered - (wait or 0.0)
        elif ended is not None and wait is not None:
            entered = ended - wait
        else:
            entered = first_ts
    if answered is not None and answered < entered:
        answered = entered  # stamped before the entry: the clock stepped back
    if ended is not None and ended < (answered if answered is not None else entered):
        ended = answered if answered is not None else entered
    if outcome is None:
        outcome = Outcome.IN_PROGRESS if answered is not None else Outcome.WAITING
    if wait is None and answered is not None:
        wait = answered - entered
    return entered, answered, ended, wait, talk, agent, outcome


def derive_call(callid: str, queue: str, events: Iterable[Event]) -> CallRecord | None:
    """One call in one queue from its events (see `fold_call`)."""
    folded = fold_call(events)
    if folded is None:
        return None
    entered, answered, ended, wait, talk, agent, outcome = folded
    return CallRecord(
        callid=callid,
        queue=queue,
        entered_at=entered,
        outcome=outcome,
        answered_at=answered,
        ended_at=ended,
        wait_seconds=wait,
        talk_seconds=talk,
        agent=agent,
    )


@dataclass(slots=True)
class Span:
    agent: str
    state: AgentState
    start: float
    end: float | None = None
    reason: str | None = None
    queue: str | None = None
    callid: str | None = None

    def as_row(self) -> tuple[str, str, str | None, str | None, str | None, float, float | None]:
        return (
            self.agent,
            self.state,  # a StrEnum is a str: stored as its value
            self.reason,
            self.queue,
            self.callid,
            self.start,
            self.end,
        )


class AgentMachine:
    """One agent's state, folded from its events. Closed spans are appended to `closed`;
    `current` is the span that lasts. State precedence: on a call > paused > available;
    not logged in = logged out. Activity from an agent never seen logging in means they
    were logged in before the feed began."""

    __slots__ = (
        "agent",
        "logged_in",
        "queues",
        "paused",
        "reason",
        "call_id",
        "call_queue",
        "last_ts",
        "current",
        "qkey",
        "joined",
    )

    def __init__(self, agent: str) -> None:
        self.agent = agent
        self.logged_in = False
        self.queues: set[str] = set()
        self.paused = False
        self.reason: str | None = None
        self.call_id: str | None = None
        self.call_queue: str | None = None
        self.last_ts = 0.0
        self.current: Span | None = None
        # Membership history for a past instant's floor (replay): `qkey` is `queues` as
        # stored ("|"-joined, sorted); `joined` the changes (ts, qkey) not yet written.
        self.qkey = ""
        self.joined: list[tuple[float, str]] = []

    def _settle(self, ts: float, closed: list[Span]) -> None:
        """Close the lasting span if the state the flags give differs from it."""
        reason = queue = callid = None
        if not self.logged_in:
            state = AgentState.LOGGED_OUT
        elif self.call_id is not None:
            state, queue, callid = AgentState.ON_CALL, self.call_queue, self.call_id
        elif self.paused:
            state, reason = AgentState.PAUSED, self.reason
        else:
            state = AgentState.AVAILABLE
        cur = self.current
        if cur is not None:
            if (
                cur.state is state
                and cur.reason == reason
                and cur.callid == callid
                and cur.queue == queue
            ):
                return
            if ts > cur.start:
                cur.end = ts
                closed.append(cur)
        self.current = Span(self.agent, state, ts, None, reason, queue, callid)

    def _ring(self, start: float, queue: str, callid: str | None, closed: list[Span]) -> None:
        """queue_log tells of ringing only afterwards (RINGNOANSWER ms, CONNECT ringtime):
        cut the ringing out of the available time that came before."""
        cur = self.current
        if cur is None or cur.state is not AgentState.AVAILABLE:
            return
        start = max(start, cur.start)
        if start > cur.start:
            cur.end = start
            closed.append(cur)
        self.current = Span(self.agent, AgentState.RINGING, start, None, None, queue, callid)

    def apply(self, ev: Event, closed: list[Span]) -> None:
        ts, callid, queue, _agent, name, data = ev
        if ts > self.last_ts:
            self.last_ts = ts
        if name in ("ADDMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN"):
            if name == "ADDMEMBER" and queue not in NO_ID:
                self.queues.add(queue)
                self._membership(ts)
            if not self.logged_in:
                self.logged_in = True
                self.paused = data.split("|", 1)[0].upper() == "PAUSED"
                self.reason = None
        elif name == "REMOVEMEMBER":
            self.queues.discard(queue)
            self._membership(ts)
            if not self.queues:
                self._logout()
        elif name in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF", "AGENTDUMP"):
            self.queues.clear()
            self._membership(ts)
            self._logout()
        else:
            self.logged_in = True
            if name in ("PAUSE", "PAUSEALL"):
                self.paused = True
                self.reason = data.split("|", 1)[0] or None
            elif name in ("UNPAUSE", "UNPAUSEALL"):
                self.paused = False
                self.reason = None
            elif name == "CONNECT":
                ring = field(data, 3)
                if ring:
                    self._ring(ts - ring, queue, callid, closed)
                self.call_id, self.call_queue = callid, queue
            elif name in _CALL_END:
                if self.call_id is None or self.call_id == callid:
                    self.call_id = self.call_queue = None
            elif name in ("RINGNOANSWER", "RINGCANCELED"):
                ms = field(data, 1)
                if ms:
                    self._ring(ts - ms / 1000.0, queue, callid, closed)
        self._settle(ts, closed)

    def _membership(self, ts: float) -> None:
        """Note a change of member queues (several at one instant are one change)."""
        key = "|".join(sorted(self.queues))
        if key == self.qkey:
            return
        self.qkey = key
        joined = self.joined
        if joined and joined[-1][0] == ts:
            joined[-1] = (ts, key)
        else:
            joined.append((ts, key))

    def _logout(self) -> None:
        self.logged_in = False
        self.paused = False
        self.reason = None
        self.call_id = self.call_queue = None


def fold_agent(agent: str, events: Iterable[Event]) -> tuple[list[Span], AgentMachine]:
    """All of one agent's spans from its events (in time order)."""
    machine = AgentMachine(agent)
    closed: list[Span] = []
    for ev in events:
        machine.apply(ev, closed)
    return closed, machine
