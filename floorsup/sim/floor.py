"""A discrete-event simulation of the demo floor that writes Asterisk `queue_log` lines.

Pure: it never reads the clock and touches no files or databases. Time is handed to
`FloorSimulator.advance(until)`, which returns the flat-format lines
(`epoch|callid|queuename|agent|event|data1|data2|...`) of every event up to `until`.

Every event happens at an integer epoch second and writes its lines at that second; events
are processed in (time, scheduling order), and every random draw happens while processing an
event. The output therefore depends only on the seed and on how far the simulation has run,
not on how `until` is chunked.

The agents work to the centre's schedule (`floorsup.sim.centre.day_schedule`, the same plan
the demo imports): they log in at the planned start, pause with the activity as the reason
(`Break`, `Lunch`, `Meeting`, `Training`, `Coaching`) when it is due (after the call in
hand) and come back. Now and then they stray, at the rates below: late in, late back from
lunch, long breaks, leaving early, an unscheduled `Personal` pause, a day off sick.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from floorsup.sim.centre import Centre, PlannedSegment, SimQueue, day_schedule

# The queue_log events this simulator writes.
EVENTS = frozenset(
    {
        "QUEUESTART",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "DID",
        "ENTERQUEUE",
        "RINGNOANSWER",
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "TRANSFER",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "EXITEMPTY",
    }
)
TERMINAL_EVENTS = frozenset(
    {
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "TRANSFER",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "EXITEMPTY",
    }
)

# Behaviour knobs.
RING_TIMEOUT_S = 15  # queue `timeout`: ring this long before RINGNOANSWER
RING_NO_ANSWER_P = 0.05
RNA_COOLDOWN_S = 10  # an agent who missed a ring is not offered another for a moment
TRANSFER_P = 0.03
COMPLETECALLER_P = 0.6  # of normal completions, the caller hangs up first
EXIT_KEY_P = 0.012  # of callers who give up, some press a key (callback/operator) instead
MAX_SURGE = 1.7
# Strays from the schedule (per shift, or per planned pause).
ABSENT_P = 0.03  # off sick: never logs in
LATE_LOGIN_P = 0.12  # 3-15 minutes late in (a sixth of those 20-45 minutes)
EARLY_LOGOFF_P = 0.05  # leaves 10-40 minutes before the end of the shift
OVERTIME_P = 0.03  # stays 15-30 minutes past the end
LATE_LUNCH_P = 0.15  # back 5-20 minutes late from lunch
LONG_BREAK_P = 0.10  # a break 5-15 minutes too long
PERSONAL_P = 0.12  # an unscheduled `Personal` pause of 3-10 minutes
QUEUE_PAUSE_P = 0.05  # (several queues) pulled off one queue for 20-60 minutes
_TRANSFER_TARGETS = ("2100", "2200", "2300", "2450", "8000")
_AREA_CODES = (
    "201", "212", "216", "303", "305", "312", "404", "412", "415", "503", "512", "602",
    "612", "615", "617", "702", "713", "720", "801", "804", "813", "816", "901", "919",
)  # fmt: skip

# Event kinds (ints keep the heap entries cheap).
_DAY, _ARRIVAL, _LOGIN, _LOGOUT, _ACT_DUE, _ACT_END, _RING, _CALL_END, _READY = range(9)
_PATIENCE, _TIMEOUT = 9, 10

# Caller states.
_WAITING, _RINGING, _CONNECTED, _GONE = range(4)


@dataclass(slots=True, eq=False)
class _Activity:
    """A pause: a break, lunch, coaching... `queue` None means PAUSEALL. It starts at `due`
    (or after the call in hand) and lasts until `back`, but at least `seconds`."""

    due: int
    seconds: int
    reason: str
    queue: str | None = None
    back: int = 0


@dataclass(slots=True, eq=False)
class _Run:
    """One agent's shift on one day."""

    login: int
    logout: int
    activities: list[_Activity]


@dataclass(slots=True, eq=False)
class _Agent:
    idx: int
    member: str
    staff_id: str
    queues: tuple[str, ...]
    logged_in: bool = False
    run: _Run | None = None
    busy: _Caller | None = None  # ringing or talking
    ready_at: int = 0  # wrap-up / ring-no-answer cool-down
    idle_since: int = 0
    paused_all: str | None = None
    paused_q: dict[str, str] = field(default_factory=dict)
    activity: _Activity | None = None
    pending: list[_Activity] = field(default_factory=list)
    logout_pending: bool = False


@dataclass(slots=True, eq=False)
class _QState:
    q: SimQueue
    qi: int
    members: list[_Agent] = field(default_factory=list)
    waiting: list[_Caller] = field(default_factory=list)  # entry order, incl. ringing
    logged_in: int = 0
    lam_max: float = 0.0  # per second, for thinning
    rng: random.Random = field(default_factory=random.Random)


@dataclass(slots=True, eq=False)
class _Caller:
    callid: str
    qs: _QState
    enter: int
    origpos: int
    seq: int
    state: int = _WAITING
    agent: _Agent | None = None
    token: int = 0
    bridge: str = ""
    ring_start: int = 0


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2.0, sigma)


class FloorSimulator:
    """Simulates the centre from `day_start` (the UTC epoch of a local midnight in `tz`)."""

    def __init__(self, centre: Centre, *, tz: str, day_start: float, seed: int = 7) -> None:
        self.centre = centre
        self.tz = ZoneInfo(tz)
        self.day_start = int(day_start)
        self.seed = seed
        self._date0: date = datetime.fromtimestamp(self.day_start, self.tz).date()
        self._rng = random.Random(f"floorsup-floor:{seed}")
        self._heap: list[tuple[int, int, int, Any, Any]] = []
        self._seq = 0
        self._counter = 1000  # the sequence part of Asterisk uniqueids
        self._out: list[str] = []
        self._until: float = -math.inf
        self._surges: dict[int, list[tuple[int, int, int, float]]] = {}  # day -> windows
        self._queues: dict[str, _QState] = {}
        for i, q in enumerate(centre.queues):
            qs = _QState(q, i, rng=random.Random(f"floorsup-arrivals:{seed}:{q.name}"))
            qs.lam_max = max(q.forecast, default=0.0) * MAX_SURGE * len(q.forecast) / 86400.0
            self._queues[q.name] = qs
        self._agents: list[_Agent] = []
        for s in centre.agents:
            assert s.member is not None
            ag = _Agent(len(self._agents), s.member, s.staff_id, s.queues)
            self._agents.append(ag)
            for n in ag.queues:
                self._queues[n].members.append(ag)

        self._push(self.day_start, _DAY, 0)
        for qs in self._queues.values():
            if qs.lam_max > 0:
                self._next_arrival(qs, float(self.day_start))

    # --- public -----------------------------------------------------------------------------
    @property
    def until(self) -> float:
        """How far the simulation has been advanced."""
        return self._until

    def advance(self, until: float) -> list[str]:
        """Run every event with timestamp <= until; return their queue_log lines in order."""
        heap = self._heap
        handlers = self._handlers
        while heap and heap[0][0] <= until:
            t, _, kind, a, b = heapq.heappop(heap)
            handlers[kind](self, t, a, b)
        self._until = max(self._until, until)
        out, self._out = self._out, []
        return out

    def log_everyone_out(self, t: float) -> list[str]:
        """A feed that stops here (a history day): every agent still logged in leaves their
        queues at `t`, so no state outlasts the feed. Their queue_log lines, in order."""
        self.advance(t)  # anything due first
        for ag in self._agents:
            if ag.logged_in:
                self._logout(ag, int(t))
        out, self._out = self._out, []
        return out

    # --- plumbing ---------------------------------------------------------------------------
    def _push(self, t: int, kind: int, a: Any = None, b: Any = None) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, a, b))

    def _emit(self, t: int, callid: str, queue: str, agent: str, event: str, *data: object) -> None:
        self._out.append(f"{t}|{callid}|{queue}|{agent}|{event}|{'|'.join(map(str, data))}\n")

    def _uid(self, t: int) -> str:
        self._counter += 1
        return f"{t}.{self._counter}"

    def _local(self, d: date, minute: int) -> int:
        """Epoch of the local wall-clock time `minute` minutes after midnight of date d
        (minutes past 1440 are that wall-clock time on a following day)."""
        day, m = d + timedelta(days=minute // 1440), minute % 1440
        return int(datetime.combine(day, dtime(m // 60, m % 60), tzinfo=self.tz).timestamp())

    def _day_of(self, t: float) -> tuple[int, float]:
        """(day index from day_start, local hour of day) of an instant."""
        dt = datetime.fromtimestamp(t, self.tz)
        k = (dt.date() - self._date0).days
        return k, dt.hour + dt.minute / 60.0 + (dt.second + dt.microsecond / 1e6) / 3600.0

    # --- arrivals ---------------------------------------------------------------------------
    def _surge_windows(self, k: int) -> list[tuple[int, int, int, float]]:
        """Per-day bursts (an outage, a mailing...) that make some intervals go bad."""
        got = self._surges.get(k)
        if got is None:
            rng = random.Random(f"floorsup-surge:{self.seed}:{k}")
            got = []
            d = self._date0 + timedelta(days=k)
            for qi, _q in enumerate(self.centre.queues):
                if rng.random() < 0.45:
                    start = self._local(d, rng.randrange(8 * 60, 19 * 60, 5))
                    length = rng.randrange(30, 95, 5) * 60
                    got.append((start, start + length, qi, rng.uniform(1.25, MAX_SURGE)))
            self._surges[k] = got
        return got

    def _rate(self, qs: _QState, t: float) -> float:
        k, hour = self._day_of(t)
        lam = qs.q.rate(hour)
        for start, end, wq, factor in self._surge_windows(k):
            if wq == qs.qi and start <= t < end:
                lam *= factor
        return lam

    def _next_arrival(self, qs: _QState, f: float) -> None:
        f += qs.rng.expovariate(qs.lam_max)
        self._push(math.ceil(f), _ARRIVAL, qs, f)

    def _on_arrival(self, t: int, qs: _QState, f: float) -> None:
        self._next_arrival(qs, f)
        if qs.rng.random() * qs.lam_max >= self._rate(qs, f):
            return  # thinned away
        rng = self._rng
        q = qs.q
        callid = self._uid(t)
        self._emit(t, callid, q.name, "NONE", "DID", q.did)
        pos = len(qs.waiting) + 1
        number = f"+1{rng.choice(_AREA_CODES)}55501{rng.randrange(100):02d}"
        self._emit(t, callid, q.name, "NONE", "ENTERQUEUE", "", number, pos)
        caller = _Caller(callid, qs, t, pos, self._seq)
        if qs.logged_in == 0:  # leavewhenempty: nobody is logged in to take it
            caller.state = _GONE
            self._emit(t, callid, q.name, "NONE", "EXITEMPTY", pos, pos, 0)
            return
        qs.waiting.append(caller)
        patience = max(1, round(_lognormal(rng, q.patience_mean_s, 0.9)))
        self._push(t + patience, _PATIENCE, caller, rng.random() < EXIT_KEY_P)
        if q.max_wait_s:
            self._push(t + q.max_wait_s, _TIMEOUT, caller)
        self._offer_caller(caller, t)

    # --- routing ----------------------------------------------------------------------------
    @staticmethod
    def _available(ag: _Agent, t: int) -> bool:
        return ag.logged_in and ag.busy is None and ag.ready_at <= t and ag.paused_all is None

    def _offer_caller(self, caller: _Caller, t: int) -> None:
        """Ring the longest-idle available agent skilled for the caller's queue."""
        name = caller.qs.q.name
        best: _Agent | None = None
        for ag in caller.qs.members:
            if (
                self._available(ag, t)
                and name not in ag.paused_q
                and (best is None or (ag.idle_since, ag.idx) < (best.idle_since, best.idx))
            ):
                best = ag
        if best is not None:
            self._ring(best, caller, t)

    def _offer_agent(self, ag: _Agent, t: int) -> None:
        """Give a newly available agent the longest-waiting caller in their queues."""
        if not self._available(ag, t):
            return
        best: _Caller | None = None
        for name in ag.queues:
            if name in ag.paused_q:
                continue
            for c in self._queues[name].waiting:
                if c.state == _WAITING:
                    if best is None or (c.enter, c.seq) < (best.enter, best.seq):
                        best = c
                    break
        if best is not None:
            self._ring(ag, best, t)

    def _ring(self, ag: _Agent, caller: _Caller, t: int) -> None:
        rng = self._rng
        ag.busy = caller
        caller.state = _RINGING
        caller.agent = ag
        caller.token += 1
        caller.bridge = self._uid(t)
        caller.ring_start = t
        if rng.random() < RING_NO_ANSWER_P:
            self._push(t + RING_TIMEOUT_S, _RING, caller, (caller.token, False))
        else:
            ring = min(RING_TIMEOUT_S - 1, 1 + int(rng.expovariate(1 / 3.0)))
            self._push(t + ring, _RING, caller, (caller.token, True))

    def _on_ring(self, t: int, caller: _Caller, b: tuple[int, bool]) -> None:
        token, answered = b
        if caller.token != token or caller.state != _RINGING:
            return
        ag = caller.agent
        assert ag is not None
        q = caller.qs.q
        if not answered:
            self._emit(t, caller.callid, q.name, ag.member, "RINGNOANSWER", RING_TIMEOUT_S * 1000)
            caller.state = _WAITING
            caller.agent = None
            ag.busy = None
            ag.idle_since = t
            ag.ready_at = t + RNA_COOLDOWN_S
            self._push(ag.ready_at, _READY, ag)
            self._agent_freed(ag, t)
            self._offer_caller(caller, t)
            return
        caller.qs.waiting.remove(caller)
        caller.state = _CONNECTED
        hold = t - caller.enter
        self._emit(
            t,
            caller.callid,
            q.name,
            ag.member,
            "CONNECT",
            hold,
            caller.bridge,
            t - caller.ring_start,
        )
        talk = max(8, round(_lognormal(self._rng, q.aht_mean_s, q.aht_sigma)))
        self._push(t + talk, _CALL_END, caller, t)

    def _on_call_end(self, t: int, caller: _Caller, connected_at: int) -> None:
        ag = caller.agent
        assert ag is not None
        rng = self._rng
        q = caller.qs.q
        hold = connected_at - caller.enter
        talk = t - connected_at
        if rng.random() < TRANSFER_P:
            ext = rng.choice(_TRANSFER_TARGETS)
            data: tuple[object, ...] = (ext, "from-internal", hold, talk, caller.origpos)
            self._emit(t, caller.callid, q.name, ag.member, "TRANSFER", *data)
        else:
            event = "COMPLETECALLER" if rng.random() < COMPLETECALLER_P else "COMPLETEAGENT"
            self._emit(t, caller.callid, q.name, ag.member, event, hold, talk, caller.origpos)
        caller.state = _GONE
        ag.busy = None
        ag.idle_since = t
        ag.ready_at = t + q.wrapup_s
        if q.wrapup_s:
            self._push(ag.ready_at, _READY, ag)
        self._agent_freed(ag, t)

    def _on_ready(self, t: int, ag: _Agent, _b: object) -> None:
        self._offer_agent(ag, t)

    def _agent_freed(self, ag: _Agent, t: int) -> None:
        """The agent's call (or ring) is over: log out, start a due pause, or take a call."""
        if ag.logout_pending:
            self._logout(ag, t)
            return
        if ag.activity is None and ag.pending:
            self._start_activity(ag, ag.pending.pop(0), t)
        self._offer_agent(ag, t)

    # --- callers giving up ------------------------------------------------------------------
    def _on_patience(self, t: int, caller: _Caller, key: bool) -> None:
        if caller.state in (_WAITING, _RINGING):
            if key:
                self._exit(caller, t, "EXITWITHKEY", self._rng.choice("10"))
            else:
                self._exit(caller, t, "ABANDON")

    def _on_timeout(self, t: int, caller: _Caller, _b: object) -> None:
        if caller.state in (_WAITING, _RINGING):
            self._exit(caller, t, "EXITWITHTIMEOUT")

    def _exit(self, caller: _Caller, t: int, event: str, key: str | None = None) -> None:
        qs = caller.qs
        pos = qs.waiting.index(caller) + 1
        qs.waiting.remove(caller)
        data: tuple[object, ...] = (pos, caller.origpos, t - caller.enter)
        if key is not None:
            data = (key, *data)
        self._emit(t, caller.callid, qs.q.name, "NONE", event, *data)
        ag = caller.agent if caller.state == _RINGING else None
        caller.state = _GONE
        caller.token += 1
        if ag is not None:
            ag.busy = None
            self._agent_freed(ag, t)

    # --- shifts -----------------------------------------------------------------------------
    def _on_day(self, t: int, k: int, _b: object) -> None:
        if k == 0:
            self._emit(t, "NONE", "NONE", "NONE", "QUEUESTART", "")
            self._plan_day(-1)
        self._plan_day(k)
        d = self._date0 + timedelta(days=k + 1)
        self._push(int(datetime.combine(d, dtime(0), tzinfo=self.tz).timestamp()), _DAY, k + 1)

    def _plan_day(self, k: int) -> None:
        """Set up every agent's shift that starts on local day k: the centre's schedule for
        that day, and how each agent will actually keep to it."""
        d = self._date0 + timedelta(days=k)
        plan: dict[str, list[PlannedSegment]] = defaultdict(list)
        for seg in day_schedule(self.centre, d, self.seed):
            plan[seg.staff_id].append(seg)
        for ag in self._agents:
            segs = plan.get(ag.staff_id)
            if not segs:
                continue
            rng = random.Random(f"floorsup-strays:{self.seed}:{d.isoformat()}:{ag.staff_id}")
            if rng.random() < ABSENT_P:
                continue
            login, logout, acts = self._keep_to(rng, ag, d, segs)
            if logout <= self.day_start:
                continue  # yesterday's shift, over before the log starts
            login = max(login, self.day_start)
            run = _Run(login, logout, [a for a in acts if login < a.due < logout - 600])
            self._push(login, _LOGIN, ag, run)
            for act in run.activities:
                self._push(act.due, _ACT_DUE, ag, (run, act))
            self._push(logout, _LOGOUT, ag, run)

    def _keep_to(
        self, rng: random.Random, ag: _Agent, d: date, segs: list[PlannedSegment]
    ) -> tuple[int, int, list[_Activity]]:
        """(login, logout, pauses) of one agent following their planned shift, strays and
        all. Pauses start when due or after the call in hand and end at the scheduled time
        (plus any overrun), though a break or lunch is never cut short by more than five
        minutes: one that starts very late also ends late."""
        start = self._local(d, segs[0].start_minute)
        end = self._local(d, segs[-1].end_minute)
        r = rng.random()
        if r < LATE_LOGIN_P / 6:
            login = start + rng.randint(1200, 2700)  # very late
        elif r < LATE_LOGIN_P:
            login = start + rng.randint(180, 900)  # a few minutes late
        elif r < 0.6:
            login = start - rng.randint(0, 300)  # a few minutes early
        else:
            login = start + rng.randint(0, 120)
        r = rng.random()
        if r < EARLY_LOGOFF_P:
            logout = end - rng.randint(600, 2400)
        elif r < EARLY_LOGOFF_P + OVERTIME_P:
            logout = end + rng.randint(900, 1800)
        else:
            logout = end + rng.randint(0, 120)

        acts: list[_Activity] = []
        open_segs: list[tuple[int, int]] = []
        for seg in segs:
            t0, t1 = self._local(d, seg.start_minute), self._local(d, seg.end_minute)
            if seg.activity == "open":
                open_segs.append((t0, t1))
                continue
            if seg.activity == "lunch":
                late = rng.random() < LATE_LUNCH_P
                over = rng.randint(300, 1200) if late else rng.randint(0, 90)
            elif seg.activity == "break":
                long = rng.random() < LONG_BREAK_P
                over = rng.randint(300, 900) if long else rng.randint(0, 60)
            else:  # meetings and the like mostly end on time
                over = rng.randint(0, 120)
            # Back at the scheduled end (plus any overrun): a break or lunch that started
            # late is cut short by at most five minutes; a meeting ends when it ends.
            least = t1 - t0 - 300 if seg.activity in ("break", "lunch") else 60
            due = t0 + rng.randint(-60, 30)
            reason = seg.activity.capitalize()
            acts.append(_Activity(due, max(60, least + over), reason, back=t1 + over))

        # Unplanned: a personal moment; or pulled off one queue for a while (a per-queue
        # PAUSE that leaves the agent taking the others' calls).
        roomy = [(t0, t1) for t0, t1 in open_segs if t1 - t0 >= 3600]
        if roomy and rng.random() < PERSONAL_P:
            t0, t1 = rng.choice(roomy)
            due = rng.randint(t0 + 1200, t1 - 1800)
            acts.append(_Activity(due, rng.randint(3, 10) * 60, "Personal"))
        if roomy and len(ag.queues) > 1 and rng.random() < QUEUE_PAUSE_P:
            t0, t1 = rng.choice(roomy)
            seconds = min(rng.randint(20, 60) * 60, t1 - t0 - 900)
            acts.append(
                _Activity(
                    rng.randint(t0 + 300, t1 - 300 - seconds),
                    seconds,
                    rng.choice(("Training", "Coaching")),
                    rng.choice(ag.queues),
                )
            )
        acts.sort(key=lambda a: a.due)
        return login, logout, acts

    def _on_login(self, t: int, ag: _Agent, run: _Run) -> None:
        if ag.logged_in:  # the previous shift is still wrapping up: carry on into this one
            ag.run = run
            ag.logout_pending = False
            return
        ag.logged_in = True
        ag.run = run
        ag.busy = None
        ag.ready_at = t
        ag.idle_since = t
        ag.paused_all = None
        ag.paused_q.clear()
        ag.activity = None
        ag.pending.clear()
        ag.logout_pending = False
        for name in ag.queues:
            self._emit(t, "MANAGER", name, ag.member, "ADDMEMBER", "")
            self._queues[name].logged_in += 1
        self._offer_agent(ag, t)

    def _on_logout(self, t: int, ag: _Agent, run: _Run) -> None:
        if not ag.logged_in or ag.run is not run:
            return
        if ag.busy is not None:
            ag.logout_pending = True  # after this call
        else:
            self._logout(ag, t)

    def _logout(self, ag: _Agent, t: int) -> None:
        ag.logged_in = False
        ag.logout_pending = False
        ag.activity = None
        ag.pending.clear()
        ag.paused_all = None
        ag.paused_q.clear()
        emptied = []
        for name in ag.queues:
            self._emit(t, "MANAGER", name, ag.member, "REMOVEMEMBER", "")
            qs = self._queues[name]
            qs.logged_in -= 1
            if qs.logged_in == 0:
                emptied.append(qs)
        for qs in emptied:  # leavewhenempty: nobody left to answer
            for caller in list(qs.waiting):
                self._exit(caller, t, "EXITEMPTY")

    def _on_act_due(self, t: int, ag: _Agent, b: tuple[_Run, _Activity]) -> None:
        run, act = b
        if not ag.logged_in or ag.run is not run:
            return
        if ag.busy is not None or ag.activity is not None:
            ag.pending.append(act)  # starts once the call / current pause is over
        else:
            self._start_activity(ag, act, t)

    def _start_activity(self, ag: _Agent, act: _Activity, t: int) -> None:
        ag.activity = act
        if act.queue is None:
            ag.paused_all = act.reason
            self._emit(t, "NONE", "NONE", ag.member, "PAUSEALL", act.reason)
        else:
            ag.paused_q[act.queue] = act.reason
            self._emit(t, "NONE", act.queue, ag.member, "PAUSE", act.reason)
        self._push(max(t + act.seconds, act.back), _ACT_END, ag, act)

    def _on_act_end(self, t: int, ag: _Agent, act: _Activity) -> None:
        if ag.activity is not act or not ag.logged_in:
            return
        ag.activity = None
        if act.queue is None:
            ag.paused_all = None
            self._emit(t, "NONE", "NONE", ag.member, "UNPAUSEALL", act.reason)
        else:
            ag.paused_q.pop(act.queue, None)
            self._emit(t, "NONE", act.queue, ag.member, "UNPAUSE", act.reason)
        if ag.busy is None and ag.pending:
            self._start_activity(ag, ag.pending.pop(0), t)
        self._offer_agent(ag, t)

    _handlers: tuple[Any, ...] = ()


FloorSimulator._handlers = (
    FloorSimulator._on_day,
    FloorSimulator._on_arrival,
    FloorSimulator._on_login,
    FloorSimulator._on_logout,
    FloorSimulator._on_act_due,
    FloorSimulator._on_act_end,
    FloorSimulator._on_ring,
    FloorSimulator._on_call_end,
    FloorSimulator._on_ready,
    FloorSimulator._on_patience,
    FloorSimulator._on_timeout,
)
