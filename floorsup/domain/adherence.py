"""Schedule adherence and conformance: what an agent was scheduled to do against what they did.

Pure: no I/O, no clock. Instants are UTC epoch seconds (floats); a window or `now` is always
a parameter, so a DST day is simply a window 23 or 25 hours long and every duration is real
elapsed time.

Inputs
------
* `Segment`: a scheduled stretch with an activity name (compared case-insensitively:
  ``open``, ``break``, ``lunch``, ``meeting``, ``training``, ``coaching``, ``off`` or a
  custom one). Segments may be layered: where two overlap, the one that *starts later*
  wins while it lasts (an ``open`` shift with a ``break`` placed on top of it); on equal
  starts the one later in the input wins.
* `Actual`: a stretch the agent spent in one `AgentState` (with the pause reason). The
  caller clips the lasting span to `now` (`actuals_from_spans` does that). Overlaps are
  resolved like segments; time no span covers (before the feed, a hole) is logged out.
* `Authorization`: a supervisor's word that a stretch was allowed.

Rules
-----
* ``off`` and unscheduled time are not counted for adherence at all.
* A productive activity (``open`` and any custom activity marked productive) is satisfied
  by available, ringing or on call. A non-productive activity (every other name, unknown
  ones included) is satisfied by a pause whose reason, mapped through
  `Rules.reason_map` (case-insensitive; a reason not in the map stands for itself), equals
  the activity name (case-insensitive). With `Rules.activity_equivalency` any pause (with
  or without a reason) satisfies any non-productive activity. Logged out (or unknown) time
  during scheduled time is always out of adherence.
* scheduled seconds = non-``off`` scheduled time inside the window; adherence = seconds in
  adherence / scheduled seconds. Conformance = productive seconds actually worked in the
  window (available, ringing, on call: in schedule, unscheduled or during ``off`` alike) /
  scheduled productive seconds; it can exceed 1. A ratio is None when its denominator is 0.
  Ratios are fractions (0.9375), not percentages.
* Exceptions: a *run* is a maximal stretch of contiguous out-of-adherence time inside the
  window (pieces merge across changes of scheduled activity or of actual state; unscheduled
  or ``off`` time in between ends a run). A run shorter than
  `Rules.exception_threshold_seconds` counts as in adherence and is not listed; the
  threshold is applied to the whole run, before authorisations.
* Authorised time counts as in adherence. A listed run is split at authorisation edges into
  pieces, listed in time order: the authorised pieces with ``authorized=True`` (counted as
  in adherence), the rest with ``authorized=False`` (counted as out). A run wholly inside
  an authorisation is therefore one authorised piece; a run without one is one piece.
* Each listed piece is labelled with the scheduled activity and the actual state that cover
  most of it (on a tie, the earliest), and is `severe` when the piece lasts at least
  `Rules.severe_threshold_seconds` (severity describes length: check `authorized` too).

Now
---
`adherence_now` looks at the instant `now`: the scheduled activity is the segment with
start <= now < end; the state is the one the agent was in just before `now` (the lasting
span, clipped to `now`; a span starting at `now` is not yet seen); none is logged out.
``in_adherence`` is None when nothing (or ``off``) is scheduled. Otherwise the agent is in
when the state satisfies the activity or an authorisation covers `now`. When out,
`out_since` is the start of the current run (which may reach back across segments, to the
start of the gapless stretch of schedule it lies in, even before the day), or the end of
the last authorisation inside it; being back in resets it. While the current run is still
shorter than the exception threshold the agent is reported in (grace). `severe`: out for
at least the severe threshold.

Cost
----
One sorted sweep per agent: O(spans + segments + exceptions), no per-second work. Actuals
in order of start without overlaps (as the store returns them) take a single pass; other
input is first resolved into that shape. For the live view, `agent_adherence_now` gives
the day so far and the status now from one sweep, and ``with_exceptions=False`` skips
labelling the exceptions when only the figures are shown. For the floor's glance, which
wants the day only for those out now, `adherence_glance` takes a plan resolved once
(`schedule_plan`, kept by the caller while the schedule stays as it is): whoever is in
adherence, off or unscheduled costs a bisection in the plan and, for spans in order of
start (``in_order``), one in the spans; only those out are swept, once.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter, itemgetter
from types import MappingProxyType

from floorsup.domain.types import AgentSpan, AgentState

__all__ = [
    "DEFAULT_PRODUCTIVE",
    "OFF",
    "Actual",
    "AgentAdherence",
    "Authorization",
    "ExceptionRun",
    "NowStatus",
    "PlanStretch",
    "Rules",
    "Segment",
    "actuals_from_spans",
    "adherence_glance",
    "adherence_now",
    "agent_adherence",
    "agent_adherence_now",
    "make_rules",
    "schedule_plan",
    "state_label",
    "team_summary",
]

OFF = "off"

DEFAULT_PRODUCTIVE: Mapping[str, bool] = MappingProxyType(
    {
        "open": True,
        "break": False,
        "lunch": False,
        "meeting": False,
        "training": False,
        "coaching": False,
    }
)

_LOGGED_OUT = AgentState.LOGGED_OUT
_AVAILABLE = AgentState.AVAILABLE
_RINGING = AgentState.RINGING
_ON_CALL = AgentState.ON_CALL
_PAUSED = AgentState.PAUSED
_WORKING = (_AVAILABLE, _ON_CALL, _RINGING)  # productive states
_STATE_NAMES: dict[str, str] = {st: st.value for st in AgentState}

# Keys of the compressed actual timeline. A pause's key is its reason mapped to an
# activity name (lower case, "" without a reason); these two cannot collide with one.
_K_PRODUCTIVE = "\x00productive"
_K_OUT = "\x00logged_out"
_K_NONE = "\x00none"  # no run yet


def _norm(name: str) -> str:
    return name.strip().lower()


# --- value types ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A scheduled stretch [start, end) doing `activity`."""

    start: float
    end: float
    activity: str


@dataclass(frozen=True, slots=True)
class Actual:
    """A stretch [start, end) the agent spent in `state` (`reason`: the pause reason)."""

    start: float
    end: float
    state: AgentState
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Authorization:
    """A stretch [start, end) a supervisor allowed out of adherence."""

    start: float
    end: float
    by: str = ""
    why: str = ""


@dataclass(frozen=True, slots=True)
class Rules:
    """How schedule and actual states are compared.

    `productive` maps activity names to whether they are productive (satisfied by available,
    ringing, on call); names missing from it are non-productive, and ``off`` is never
    counted whatever it says. `reason_map` maps a pause reason to the activity it stands
    for. Names and reasons are normalised (stripped, lower case) here.
    """

    productive: Mapping[str, bool]
    reason_map: Mapping[str, str] = field(default_factory=dict)
    activity_equivalency: bool = False
    exception_threshold_seconds: float = 0.0
    severe_threshold_seconds: float = 300.0

    def __post_init__(self) -> None:
        productive = {_norm(k): bool(v) for k, v in self.productive.items()}
        productive.pop(OFF, None)
        productive.pop("", None)
        reason_map = {_norm(k): _norm(v) for k, v in self.reason_map.items() if _norm(k)}
        for name in ("exception_threshold_seconds", "severe_threshold_seconds"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
        object.__setattr__(self, "productive", productive)
        object.__setattr__(self, "reason_map", reason_map)

    def __hash__(self) -> int:
        return hash(
            (
                frozenset(self.productive.items()),
                frozenset(self.reason_map.items()),
                self.activity_equivalency,
                self.exception_threshold_seconds,
                self.severe_threshold_seconds,
            )
        )

    def is_productive(self, activity: str) -> bool:
        """Whether `activity` is satisfied by working (available, ringing, on call)."""
        return self.productive.get(_norm(activity), False)

    def pause_activity(self, reason: str | None) -> str:
        """The activity a pause with `reason` stands for (lower case; "" without a reason)."""
        if not reason:
            return ""
        r = _norm(reason)
        return self.reason_map.get(r, r)

    def satisfies(self, activity: str, state: AgentState, reason: str | None = None) -> bool:
        """Whether being in `state` (with pause `reason`) is in adherence to `activity`.

        False for ``off`` (not counted: nothing is in or out of adherence to it).
        """
        act = _norm(activity)
        if act == OFF:
            return False
        if self.productive.get(act, False):
            return state in _WORKING
        if state != _PAUSED:
            return False
        return self.activity_equivalency or self.pause_activity(reason) == act


def make_rules(
    custom_activities: Mapping[str, bool] | None = None,
    reason_map: Mapping[str, str] | None = None,
    *,
    activity_equivalency: bool = False,
    exception_threshold_seconds: float = 0.0,
    severe_threshold_seconds: float = 300.0,
) -> Rules:
    """`Rules` with `DEFAULT_PRODUCTIVE` overlaid by `custom_activities` (case-insensitive)."""
    productive = dict(DEFAULT_PRODUCTIVE)
    for name, value in (custom_activities or {}).items():
        productive[_norm(name)] = bool(value)
    return Rules(
        productive=productive,
        reason_map=dict(reason_map or {}),
        activity_equivalency=activity_equivalency,
        exception_threshold_seconds=exception_threshold_seconds,
        severe_threshold_seconds=severe_threshold_seconds,
    )


@dataclass(frozen=True, slots=True)
class ExceptionRun:
    """A listed stretch out of adherence (or an authorised piece of one)."""

    start: float
    end: float
    scheduled_activity: str
    actual_state: str  # "available", "on_call", "paused: Lunch", "logged_out", ...
    seconds: float
    authorized: bool
    severe: bool


@dataclass(frozen=True, slots=True)
class AgentAdherence:
    """Adherence and conformance figures over one window. Ratios are fractions or None."""

    scheduled_seconds: float
    in_adherence_seconds: float
    out_of_adherence_seconds: float
    adherence: float | None
    productive_seconds: float
    scheduled_open_seconds: float
    conformance: float | None
    exceptions: tuple[ExceptionRun, ...] = ()


@dataclass(frozen=True, slots=True)
class NowStatus:
    """One agent at `now`."""

    scheduled_activity: str | None  # lower case ("off" included); None: nothing scheduled
    state: AgentState
    reason: str | None
    in_adherence: bool | None  # None when unscheduled or off
    out_since: float | None  # start of the current out-of-adherence stretch; None when in
    severe: bool


def state_label(state: AgentState, reason: str | None = None) -> str:
    """Readable actual state: ``available``, ``on_call``, ``paused: Lunch``, ``logged_out``."""
    if state == _PAUSED and reason:
        return f"paused: {reason}"
    name = _STATE_NAMES.get(state)
    return name if name is not None else AgentState(state).value


def actuals_from_spans(spans: Iterable[AgentSpan], now: float) -> list[Actual]:
    """State spans as `Actual`s, the lasting one (and any past `now`) clipped to `now`."""
    out: list[Actual] = []
    for span in spans:
        if span.start >= now:
            continue
        end = now if span.end is None else min(span.end, now)
        if end > span.start:
            out.append(Actual(span.start, end, span.state, span.reason))
    return out


# --- normalising inputs -----------------------------------------------------------------


def _flatten(items: list[tuple[float, float, float, int]]) -> list[tuple[float, float, int]]:
    """Resolve overlaps. `items` are (start, end, priority start, index); at each instant the
    covering item with the latest priority start (then the highest index) wins. Returns
    sorted, non-overlapping (start, end, index) pieces, a winner's adjacent pieces merged."""
    bounds = sorted({b for s, e, _, _ in items for b in (s, e)})
    order = sorted(items, key=lambda it: it[0])
    heap: list[tuple[float, int, float]] = []
    out: list[tuple[float, float, int]] = []
    j, n = 0, len(order)
    for b0, b1 in pairwise(bounds):
        while j < n and order[j][0] <= b0:
            _, e, p, i = order[j]
            heapq.heappush(heap, (-p, -i, e))
            j += 1
        while heap and heap[0][2] <= b0:
            heapq.heappop(heap)
        if heap:
            i = -heap[0][1]
            if out and out[-1][2] == i and out[-1][1] == b0:
                out[-1] = (out[-1][0], b1, i)
            else:
                out.append((b0, b1, i))
    return out


def _clip_items(
    spans: Sequence[Segment | Actual], start: float, end: float
) -> list[tuple[float, float, float, int]]:
    items: list[tuple[float, float, float, int]] = []
    for i, sp in enumerate(spans):
        s, e = sp.start, sp.end
        if e <= start or s >= end or e <= s:
            continue
        items.append((max(s, start), min(e, end), s, i))
    return items


# One stretch of the plan: (start, end, activity in lower case, productive).
PlanStretch = tuple[float, float, str, bool]
_Plan = PlanStretch


def _plan(segments: Sequence[Segment], rules: Rules) -> list[_Plan]:
    """The whole schedule, sorted and without overlaps (``off`` kept)."""
    pieces: list[tuple[float, float, int]] = []
    cur = -math.inf
    for i, seg in enumerate(segments):
        s, e = seg.start, seg.end
        if e <= s:
            continue
        if s < cur:
            pieces = _flatten(_clip_items(segments, -math.inf, math.inf))
            break
        cur = e
        pieces.append((s, e, i))
    productive = rules.productive
    out: list[_Plan] = []
    for s, e, i in pieces:
        act = _norm(segments[i].activity)
        out.append((s, e, act, productive.get(act, False)))
    return out


def _authorized(
    authorizations: Iterable[Authorization], start: float, end: float
) -> tuple[list[float], list[float]]:
    """Union of authorisations inside [start, end) as sorted starts and ends."""
    spans = sorted(
        (max(a.start, start), min(a.end, end))
        for a in authorizations
        if a.end > a.start and a.end > start and a.start < end
    )
    starts: list[float] = []
    ends: list[float] = []
    for s, e in spans:
        if ends and s <= ends[-1]:
            if e > ends[-1]:
                ends[-1] = e
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


# A compressed run of the actual timeline: (start, end, key, first source, end source).
# Sources [first, end) of a run that is not logged out cover it without holes (out-of-window
# or empty sources in that index range are clipped away); a logged-out run may hold holes.
_Run = tuple[float, float, str, int, int]


def _compress(
    actuals: Sequence[Actual], start: float, end: float, rules: Rules
) -> tuple[list[_Run], float, int] | None:
    """The window's actual timeline as runs of equal key, holes filled with logged out; the
    productive seconds; the index of the span the window ends in (-1: a hole). None unless
    `actuals` is in order without overlaps inside the window (then the ends of a run's
    sources never decrease, which `_labels` bisects on)."""
    runs: list[_Run] = []
    keys: dict[str | None, str] = {}
    working = _WORKING
    paused = _PAUSED
    k_prod = _K_PRODUCTIVE
    k_out = _K_OUT
    n = last = len(actuals)
    cur = start  # covered up to here
    rs, rk, ri = start, _K_NONE, -1  # current run: start, key, first source (-1: none yet)
    for i, a in enumerate(actuals):
        s = a.start
        e = a.end
        if s != cur or e > end or e <= s:  # all but a span following on inside the window
            if s >= end and e > s:  # past the window: so must every later span be
                for later in actuals[i + 1 :]:
                    if later.start < end and later.end > start and later.end > later.start:
                        return None
                last = i
                break
            if e <= start or e <= s:
                if ri >= 0 and e != cur:  # out of order among the window's spans
                    return None
                continue
            if s < start:
                s = start
            if e > end:
                e = end
            if s < cur:
                return None
            if s > cur:  # a hole: logged out
                if rk != k_out:
                    if ri >= 0:
                        runs.append((rs, cur, rk, ri, i))
                    rs, rk, ri = cur, k_out, i
                cur = s
        st = a.state
        if st in working:
            if rk is not k_prod:
                if ri >= 0:
                    runs.append((rs, cur, rk, ri, i))
                rs, rk, ri = s, k_prod, i
            cur = e
            continue
        if st == paused:
            reason = a.reason
            k = keys.get(reason)
            if k is None:
                k = keys[reason] = rules.pause_activity(reason)
        else:
            k = k_out
        if k != rk:
            if ri >= 0:
                runs.append((rs, cur, rk, ri, i))
            rs, rk, ri = s, k, i
        cur = e
    at_end = -1
    if cur < end:
        if rk != k_out:
            if ri >= 0:
                runs.append((rs, cur, rk, ri, n))
            rs, rk, ri = cur, k_out, n
        cur = end
    else:  # the last span processed covers the window's end; only empty ones may follow it
        at_end = last - 1
        while actuals[at_end].end <= actuals[at_end].start:
            at_end -= 1
    if ri >= 0 and cur > rs:
        runs.append((rs, cur, rk, ri, n))
    # A productive run has no holes: its length is the seconds worked in it.
    productive = sum([r[1] - r[0] for r in runs if r[2] is k_prod], 0.0)
    return runs, productive, at_end


# --- the sweep ----------------------------------------------------------------------------


# An out-of-adherence piece: (start, end, scheduled activity, index of its compressed run).
_Piece = tuple[float, float, str, int]


@dataclass(slots=True)
class _Sweep:
    start: float  # the window
    end: float
    scheduled: float
    scheduled_open: float
    productive: float
    pieces: list[_Piece]
    runs: list[_Run]
    sources: Sequence[Actual]
    at_end: int  # index in `sources` of the span the window ends in; -1: none


def _sweep(
    plan: Sequence[_Plan], actuals: Sequence[Actual], start: float, end: float, rules: Rules
) -> _Sweep:
    """Compare the plan with what happened over [start, end) (start < end)."""
    done = _compress(actuals, start, end, rules)
    sources = actuals
    if done is None:
        sources = [
            Actual(s, e, actuals[i].state, actuals[i].reason)
            for s, e, i in _flatten(_clip_items(actuals, start, end))
        ]
        done = _compress(sources, start, end, rules)
        assert done is not None
    runs, productive, at_end = done
    equivalency = rules.activity_equivalency
    k_prod = _K_PRODUCTIVE
    k_out = _K_OUT
    scheduled = scheduled_open = 0.0
    pieces: list[_Piece] = []
    j = 0
    n = len(runs)
    for ss, se, act, prod in plan:
        if se <= start or ss >= end or act == OFF:
            continue
        if ss < start:
            ss = start
        if se > end:
            se = end
        scheduled += se - ss
        if prod:
            scheduled_open += se - ss
        while runs[j][1] <= ss:
            j += 1
        k = j
        while k < n:
            rs, re, key, _, _ = runs[k]
            if rs >= se:
                break
            if prod:
                ok = key is k_prod
            else:
                ok = key == act or (equivalency and key is not k_prod and key is not k_out)
            if not ok:
                pieces.append((rs if rs > ss else ss, re if re < se else se, act, k))
            k += 1
        j = k - 1
    return _Sweep(start, end, scheduled, scheduled_open, productive, pieces, runs, sources, at_end)


def _majority(acc: dict[str, float]) -> str:
    return max(acc, key=acc.__getitem__)  # the first of equal maxima: the earliest


_OUT_LABEL = _LOGGED_OUT.value
_END = attrgetter("end")


def _walk_states(
    states: dict[str, float], sources: Sequence[Actual], ri: int, rj: int, a: float, b: float
) -> None:
    """Add the seconds each state label of sources[ri:rj] (a run without holes) spends in
    [a, b) to `states`, in time order."""
    for i in range(bisect_right(sources, a, ri, rj, key=_END), rj):
        src = sources[i]
        s = src.start
        if s >= b:
            break
        e = src.end
        if s < a:
            s = a
        if e > b:
            e = b
        if e > s:
            # A working state is its own label (a StrEnum equals its value).
            st: str = src.state
            if st not in _WORKING:
                st = state_label(src.state, src.reason)
            states[st] = states.get(st, 0.0) + (e - s)


def _labels(sw: _Sweep, p0: int, p1: int, a: float, b: float) -> tuple[str, str]:
    """Scheduled activity and actual state label covering most of [a, b), which lies in
    the out-of-adherence pieces p0..p1."""
    pieces = sw.pieces
    runs = sw.runs
    sources = sw.sources
    states: dict[str, float] = {}
    if p1 - p0 == 1:  # one piece in one compressed run: the common case
        act, k = pieces[p0][2], pieces[p0][3]
        _, _, key, ri, rj = runs[k]
        if key is _K_OUT:
            return act, _OUT_LABEL
        if rj - ri > 1:
            ri = bisect_right(sources, a, ri, rj, key=_END)  # the first source ending after a
        src = sources[ri]
        if src.end >= b:  # one source covers the piece
            return act, state_label(src.state, src.reason)
        _walk_states(states, sources, ri, rj, a, b)
        return act, str(_majority(states))
    acts: dict[str, float] = {}
    for ps, pe, act, k in pieces[p0:p1]:
        s0 = ps if ps > a else a
        e0 = pe if pe < b else b
        if e0 <= s0:
            continue
        acts[act] = acts.get(act, 0.0) + (e0 - s0)
        _, _, key, ri, rj = runs[k]
        if key is _K_OUT:
            states[_OUT_LABEL] = states.get(_OUT_LABEL, 0.0) + (e0 - s0)
        else:
            _walk_states(states, sources, ri, rj, s0, e0)
    return _majority(acts), str(_majority(states))


def _split(
    a: float, b: float, auth_starts: list[float], auth_ends: list[float]
) -> list[tuple[float, float, bool]]:
    """[a, b) cut at authorisation edges: (start, end, authorised) in time order."""
    i = bisect_right(auth_ends, a)
    if i >= len(auth_starts) or auth_starts[i] >= b:
        return [(a, b, False)]
    out: list[tuple[float, float, bool]] = []
    cur = a
    while i < len(auth_starts) and auth_starts[i] < b:
        s = max(auth_starts[i], a)
        e = min(auth_ends[i], b)
        if s > cur:
            out.append((cur, s, False))
        if e > s:
            out.append((s, e, True))
        cur = max(cur, e)
        i += 1
    if cur < b:
        out.append((cur, b, False))
    return out


def _exceptions(
    sw: _Sweep,
    rules: Rules,
    authorizations: Iterable[Authorization],
    start: float,
    end: float,
    listing: bool,
) -> tuple[float, tuple[ExceptionRun, ...]]:
    """Unauthorised out-of-adherence seconds and the listed exceptions."""
    pieces = sw.pieces
    if not pieces:
        return 0.0, ()
    threshold = rules.exception_threshold_seconds
    severe_at = rules.severe_threshold_seconds
    auth_starts, auth_ends = _authorized(authorizations, start, end)
    out_seconds = 0.0
    listed: list[ExceptionRun] = []
    n = len(pieces)
    p0 = 0
    while p0 < n:
        rs, re = pieces[p0][0], pieces[p0][1]
        p1 = p0 + 1
        while p1 < n and pieces[p1][0] == re:
            re = pieces[p1][1]
            p1 += 1
        if re - rs < threshold:
            pass  # too short to count: in adherence
        elif not auth_starts:
            seconds = re - rs
            out_seconds += seconds
            if listing:
                act, state = _labels(sw, p0, p1, rs, re)
                listed.append(
                    ExceptionRun(rs, re, act, state, seconds, False, seconds >= severe_at)
                )
        else:
            for a, b, authorized in _split(rs, re, auth_starts, auth_ends):
                seconds = b - a
                if not authorized:
                    out_seconds += seconds
                if listing:
                    act, state = _labels(sw, p0, p1, a, b)
                    listed.append(
                        ExceptionRun(a, b, act, state, seconds, authorized, seconds >= severe_at)
                    )
        p0 = p1
    return out_seconds, tuple(listed)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def _figures(
    sw: _Sweep | None, out_seconds: float, exceptions: tuple[ExceptionRun, ...]
) -> AgentAdherence:
    if sw is None:
        return AgentAdherence(0.0, 0.0, 0.0, None, 0.0, 0.0, None, ())
    scheduled = sw.scheduled
    in_seconds = max(scheduled - out_seconds, 0.0)
    return AgentAdherence(
        scheduled_seconds=scheduled,
        in_adherence_seconds=in_seconds,
        out_of_adherence_seconds=out_seconds,
        adherence=_ratio(in_seconds, scheduled),
        productive_seconds=sw.productive,
        scheduled_open_seconds=sw.scheduled_open,
        conformance=_ratio(sw.productive, sw.scheduled_open),
        exceptions=exceptions,
    )


# --- public entry points ------------------------------------------------------------------


def agent_adherence(
    segments: Sequence[Segment],
    actuals: Sequence[Actual],
    *,
    start: float,
    end: float,
    rules: Rules,
    authorizations: Iterable[Authorization] = (),
    with_exceptions: bool = True,
) -> AgentAdherence:
    """Adherence, conformance and exceptions of one agent over the window [start, end).

    Pass the local day's bounds with ``end=min(day_end, now)`` for "today so far". Actuals
    in order without overlaps take the fast path; anything else is resolved as the module
    docstring says. With ``with_exceptions=False`` the figures are the same but the
    exceptions are not labelled or listed (cheaper, for a summary).
    """
    if not end > start:
        return _figures(None, 0.0, ())
    sw = _sweep(_plan(segments, rules), actuals, start, end, rules)
    out_seconds, exceptions = _exceptions(sw, rules, authorizations, start, end, with_exceptions)
    return _figures(sw, out_seconds, exceptions)


_ASTART = attrgetter("start")


def _state_at(
    actuals: Sequence[Actual], now: float, in_order: bool = False
) -> tuple[AgentState, str | None]:
    """The state just before `now` (the lasting span, clipped to `now`): the latest-starting
    span with start < now <= end (of equal starts, the later in the input); logged out if
    there is none. `in_order`: the spans are sorted by start, so the first match going back
    from the last span starting before `now` (found by bisection) is that one."""
    if in_order:
        if actuals:  # the common case: the lasting span, last, reaches `now`
            a = actuals[-1]
            if a.start < now <= a.end:
                return a.state, a.reason
        for i in range(bisect_left(actuals, now, key=_ASTART) - 1, -1, -1):
            a = actuals[i]
            if now <= a.end:
                return a.state, a.reason
        return _LOGGED_OUT, None
    best: Actual | None = None
    for a in reversed(actuals):
        if a.start < now <= a.end and (best is None or a.start > best.start):
            best = a
    if best is None:
        return _LOGGED_OUT, None
    return best.state, best.reason


_START = itemgetter(0)


def _plan_at(plan: Sequence[_Plan], now: float) -> int:
    """Index of the plan stretch containing `now`, or -1."""
    i = bisect_right(plan, now, key=_START) - 1
    return i if i >= 0 and now < plan[i][1] else -1


def _block_start(plan: Sequence[_Plan], idx: int) -> float:
    """Start of the stretch of counted (not ``off``) schedule, without gaps, holding idx."""
    while idx > 0 and plan[idx - 1][1] == plan[idx][0] and plan[idx - 1][2] != OFF:
        idx -= 1
    return plan[idx][0]


@lru_cache(maxsize=4096, typed=True)
def _settled(
    activity: str | None, state: AgentState, reason: str | None, in_adherence: bool | None
) -> NowStatus:
    """A status with no run out of adherence behind it. Memoised: a floor's worth of
    agents share a few dozen of these values, and making one costs more than finding it."""
    return NowStatus(activity, state, reason, in_adherence, None, False)


def _quick_status(
    plan: Sequence[_Plan],
    idx: int,
    state: AgentState,
    reason: str | None,
    now: float,
    rules: Rules,
    auths: Sequence[Authorization],
) -> NowStatus | None:
    """The status at `now` where it needs no look back (unscheduled, off, or in adherence
    now); None when the agent is not in adherence at `now` (out, or in the grace)."""
    if idx < 0:
        return _settled(None, state, reason, None)
    activity, productive = plan[idx][2], plan[idx][3]
    if activity == OFF:
        return _settled(activity, state, reason, None)
    if productive:
        ok = state in _WORKING
    else:
        ok = state == _PAUSED and (
            rules.activity_equivalency or rules.pause_activity(reason) == activity
        )
    if ok or any(a.start <= now < a.end for a in auths):
        return _settled(activity, state, reason, True)
    return None


def _now_status(
    plan: Sequence[_Plan],
    idx: int,
    actuals: Sequence[Actual],
    now: float,
    rules: Rules,
    auths: Sequence[Authorization],
    sw: _Sweep | None,
) -> NowStatus:
    """The status at `now`, `idx` being the plan stretch at `now` (-1: none). `sw` is a
    sweep over a window ending at `now`, or None."""
    if sw is not None and sw.end == now:
        if sw.at_end >= 0:
            src = sw.sources[sw.at_end]
            state, reason = src.state, src.reason
        else:
            state, reason = _LOGGED_OUT, None
    else:
        sw = None
        state, reason = _state_at(actuals, now)
    quick = _quick_status(plan, idx, state, reason, now, rules, auths)
    if quick is not None:
        return quick
    activity = plan[idx][2]
    # Out: the current run reaches back no further than the schedule block it lies in.
    block_start = _block_start(plan, idx)
    run_start = now
    if block_start < now:
        if sw is None or sw.start > block_start:
            sw = _sweep(plan, actuals, block_start, now, rules)
        pieces = sw.pieces
        if pieces and pieces[-1][1] == now:
            p = len(pieces) - 1
            while p > 0 and pieces[p - 1][1] == pieces[p][0]:
                p -= 1
            run_start = max(pieces[p][0], block_start)
    if now - run_start < rules.exception_threshold_seconds:
        return NowStatus(activity, state, reason, True, None, False)  # within the grace
    out_since = run_start
    for a in auths:
        if run_start < a.end <= now and a.start < a.end:
            out_since = max(out_since, a.end)
    severe = now - out_since >= rules.severe_threshold_seconds
    return NowStatus(activity, state, reason, False, out_since, severe)


def adherence_now(
    segments: Sequence[Segment],
    actuals: Sequence[Actual],
    *,
    now: float,
    rules: Rules,
    authorizations: Iterable[Authorization] = (),
) -> NowStatus:
    """Whether the agent is in adherence at `now`, and since when they are out."""
    plan = _plan(segments, rules)
    return _now_status(plan, _plan_at(plan, now), actuals, now, rules, tuple(authorizations), None)


def agent_adherence_now(
    segments: Sequence[Segment],
    actuals: Sequence[Actual],
    *,
    start: float,
    now: float,
    rules: Rules,
    authorizations: Iterable[Authorization] = (),
    with_exceptions: bool = True,
) -> tuple[AgentAdherence, NowStatus]:
    """``agent_adherence(start=start, end=now)`` and ``adherence_now(now=now)`` together,
    sharing one sweep: what the live view needs, at about the cost of one of them."""
    auths = tuple(authorizations)
    plan = _plan(segments, rules)
    sw = _sweep(plan, actuals, start, now, rules) if now > start else None
    day = _day_figures(sw, rules, auths, start, now, with_exceptions)
    return day, _now_status(plan, _plan_at(plan, now), actuals, now, rules, auths, sw)


def _day_figures(
    sw: _Sweep | None,
    rules: Rules,
    auths: Sequence[Authorization],
    start: float,
    now: float,
    with_exceptions: bool,
) -> AgentAdherence:
    if sw is None:
        return _figures(None, 0.0, ())
    out_seconds, exceptions = _exceptions(sw, rules, auths, start, now, with_exceptions)
    return _figures(sw, out_seconds, exceptions)


def schedule_plan(segments: Sequence[Segment], rules: Rules) -> tuple[PlanStretch, ...]:
    """`segments` as the sweep reads them: sorted, overlaps settled (the later start wins),
    activities in lower case with whether `rules` count them productive. For a caller that
    keeps one person's schedule between refreshes (`adherence_glance` takes it): valid while
    the segments and the rules stay as they are."""
    return tuple(_plan(segments, rules))


def adherence_glance(
    plan: Sequence[PlanStretch],
    actuals: Sequence[Actual],
    *,
    start: float,
    now: float,
    rules: Rules,
    authorizations: Iterable[Authorization] = (),
    with_exceptions: bool = False,
    in_order: bool = False,
) -> tuple[AgentAdherence | None, NowStatus]:
    """One agent in the floor's glance: the status at `now`, and the figures over
    [start, now) only when out of adherence at `now` (None otherwise).

    `plan` is `schedule_plan(segments, rules)`. The status is `adherence_now`'s; for
    someone out, the figures and the status are `agent_adherence_now`'s (its one sweep of
    the day gives both: the status is not worked out twice). Whoever is in adherence, off
    or unscheduled at `now` costs a bisection in the plan and one in the spans (with
    `in_order`), whatever the length of the day. `in_order`: the caller vouches that
    `actuals` are sorted by start (as the store gives them); without it the state at `now`
    is found by a scan, as `adherence_now` does."""
    auths = tuple(authorizations)
    idx = _plan_at(plan, now)
    state, reason = _state_at(actuals, now, in_order)
    quick = _quick_status(plan, idx, state, reason, now, rules, auths)
    if quick is not None:
        return None, quick
    sw = _sweep(plan, actuals, start, now, rules) if now > start else None
    status = _now_status(plan, idx, actuals, now, rules, auths, sw)
    if status.in_adherence is not False:  # within the grace: what adherence_now says
        return None, _settled(plan[idx][2], state, reason, True)
    return _day_figures(sw, rules, auths, start, now, with_exceptions), status


def team_summary(results: Iterable[AgentAdherence]) -> AgentAdherence:
    """Per-team totals: seconds summed, ratios recomputed from the sums; no exceptions."""
    scheduled = in_seconds = out_seconds = productive = scheduled_open = 0.0
    for r in results:
        scheduled += r.scheduled_seconds
        in_seconds += r.in_adherence_seconds
        out_seconds += r.out_of_adherence_seconds
        productive += r.productive_seconds
        scheduled_open += r.scheduled_open_seconds
    return AgentAdherence(
        scheduled_seconds=scheduled,
        in_adherence_seconds=in_seconds,
        out_of_adherence_seconds=out_seconds,
        adherence=_ratio(in_seconds, scheduled),
        productive_seconds=productive,
        scheduled_open_seconds=scheduled_open,
        conformance=_ratio(productive, scheduled_open),
        exceptions=(),
    )
