"""Erlang C and Erlang A, pure: what a number of agents gives an interval, and how many it needs.

Erlang C (M/M/N: callers wait as long as it takes), with these conventions:

* traffic A = calls × AHT / interval seconds, in erlangs;
* agents must exceed A (with N <= A the queue grows without end): the search starts at
  N = floor(A) + 1 and steps up one agent at a time;
* P(wait) = Erlang C(N, A), the chance a caller finds every agent busy;
* service level SL(T) = 1 − P(wait) × exp(−(N − A) × T / AHT), the share of all calls answered
  within T seconds; the target is met when SL >= target;
* ASA = P(wait) × AHT / (N − A), the mean wait over all calls (those answered at once count 0);
* occupancy = A / N; a cap needs the smallest N with A / N <= cap;
* raw agents = the larger of the service-level count and the occupancy count (on a tie the
  binding constraint is "service level");
* scheduled agents = ceil(raw / (1 − shrinkage)).

Rounding is exact: the occupancy and shrinkage counts are the smallest whole numbers meeting
the rule with the inputs read as the decimals they are written as (0.3 is 3/10), so 21 raw
agents at 30% shrinkage schedule 30, not 31 (21 / 0.7 is 30.000000000000004 in doubles), and
21 erlangs under a 70% cap need 30 agents, not 31. A ceiling is never taken of a float that
should be a whole number.

Numerically stable at any size: no factorials and no powers of A. Erlang B comes from its
recursion in the inverse form 1/B(n) = 1 + n/A × 1/B(n − 1), which is the Horner form of
sum_k n!/((n − k)! A^k). Up to n = floor(A) + 1 every factor n/A is at most 1 + 1/A, so the
terms only shrink, and those more than 10√A + 10 below n are under 1e-20 of the sum: they are
left out. Above A, each step up is O(1); 1/B overflowing to infinity just means nobody waits.
So 50,000 calls in half an hour (A = 5,000 at AHT 180) is under a thousand steps, and a day of
20 queues × 96 intervals (`staff_day`) is a few milliseconds. `erlang_c` at N takes the very
steps `required` takes to reach N, so the service level it reports for the staffed count is
the double `required` compared with the target.

Erlang A (M/M/N+M: callers hang up after an exponentially distributed patience with mean
`patience` seconds, if not answered by then). Here N may be below A (the abandons carry the
excess), and:

* P(wait) = the chance a caller finds every agent busy (by PASTA, the share of time the
  system spends with N or more callers);
* P(abandon) = the share of all calls that hang up before being answered;
* SL(T) = the share of **all offered calls** answered within T seconds. A call that abandons,
  at any time and however quickly, counts against the service level: it was not answered
  within T. This is the report's "answered ≤ T / offered" with no short abandons taken out,
  the strictest of its formulas. As patience goes to infinity nobody abandons and it is
  Erlang C's SL;
* ASA = the mean wait of the **answered** calls (those answered at once count 0);
  abandoned calls are not in it;
* occupancy = carried traffic / N = A × (1 − P(abandon)) / N, the share of time agents are
  busy: the calls that abandon take no agent time.

The staffed count is the smallest N (at least 1) meeting every constraint given: SL >= target,
P(abandon) <= max_abandon, occupancy <= max_occupancy. The binding constraint is the one that
N − 1 fails (if several, the first of service level, abandonment, occupancy). All three are
monotone in N, so the search starts from Erlang C's count, gallops to a bracket and halves
it (a handful of evaluations) instead of walking.

The Erlang A metrics are sums over the queue length j of the birth-death chain's stationary
weights (relative to the state with exactly N callers): with x = N × patience / AHT and
y = calls / interval × patience, the weight of N + j callers is prod_{i<=j} y / (x + i); a
caller who finds j waiting is answered with probability x / (x + j + 1), within T with that
times the regularized incomplete beta I_u(j + 1, x + 1), u = 1 − exp(−T / patience), whose
complement is built up by adding negative-binomial terms (no subtraction), and E[wait; answered]
is x / (x + j + 1) × patience × sum_{k=1..j+1} 1 / (x + k). The weights are rescaled before
they could overflow, and the sum stops when the geometric bound on the rest is below 1e-17 of
the total. The cost grows with about √(calls × patience / interval) terms per evaluation.

Zero calls need zero agents (binding "none"); service level is then 1.0, nothing waits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, NamedTuple

__all__ = [
    "BINDINGS",
    "Binding",
    "QueueMetrics",
    "Staffing",
    "StaffingInputError",
    "StaffingRequest",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "request_problems",
    "required",
    "scheduled_agents",
    "staff_day",
    "traffic",
]

Binding = Literal["service level", "occupancy", "abandonment", "none"]
BINDINGS: tuple[Binding, ...] = ("service level", "occupancy", "abandonment", "none")


class StaffingInputError(ValueError):
    """A staffing input is out of range; `problems` maps each field to what was expected."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True, slots=True)
class StaffingRequest:
    """One interval of one queue to staff: the forecast and the targets (see `required`)."""

    calls: float
    interval_seconds: float
    aht: float
    target_sl: float
    target_seconds: float
    max_occupancy: float | None = None
    shrinkage: float = 0.0
    patience: float | None = None
    max_abandon: float | None = None


class QueueMetrics(NamedTuple):
    """What `agents` give an interval. With agents <= traffic under Erlang C (or no agents at
    all) the queue never clears: service level 0, P(wait) 1, ASA infinite, occupancy 1.
    `abandon_probability` is None for Erlang C (nobody hangs up).

    A named tuple, like `Staffing`: immutable, and cheap enough to build 1,920 of in a
    fraction of the day's 10 ms budget (a frozen dataclass costs three times as much)."""

    traffic: float
    agents: int
    service_level: float
    probability_of_waiting: float
    asa_seconds: float
    occupancy: float
    abandon_probability: float | None = None


class Staffing(NamedTuple):
    """The agents an interval needs: `agents` on the phones (raw), `scheduled_agents` after
    shrinkage, the metrics those raw agents give, and which constraint set the count
    ("none" when there are no calls). `abandon_probability` is None for Erlang C."""

    traffic: float
    agents: int
    scheduled_agents: int
    service_level: float
    probability_of_waiting: float
    asa_seconds: float
    occupancy: float
    binding: Binding
    abandon_probability: float | None = None


# -- validation -----------------------------------------------------------------------------


# Bounds of what is staffed: a day-long average handle time, and 100,000 erlangs (more
# than 100,000 agents busy at once). Past these the numbers are typing slips, and the agent
# count would overflow a float or take minutes to find.
MAX_AHT_SECONDS = 86_400
MAX_TRAFFIC = 100_000
# Erlang A sums over queue lengths up to about traffic × patience ÷ AHT: past this many
# terms each evaluation takes seconds, and callers that patient barely abandon at all.
MAX_A_SPAN = 100_000


def _bad(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def request_problems(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    patience: float | None = None,
    max_abandon: float | None = None,
) -> dict[str, str]:
    """Field name → what is wrong with it (empty when all is well). Calls 0 or more; interval,
    AHT and patience above 0 seconds; the SL target strictly between 0 and 1; target seconds
    0 or more; an occupancy cap above 0 and at most 1; shrinkage from 0 up to but not
    including 1; an abandonment cap strictly between 0 and 1, and only with a patience."""
    p: dict[str, str] = {}
    if _bad(calls) or calls < 0:
        p["calls"] = f"expected a number of calls, 0 or more; got {calls:g}"
    if _bad(interval_seconds) or interval_seconds <= 0:
        p["interval_seconds"] = f"expected a length above 0 seconds; got {interval_seconds:g}"
    if _bad(aht) or aht <= 0:
        p["aht"] = f"expected an average handle time above 0 seconds; got {aht:g}"
    if _bad(target_sl) or not 0 < target_sl < 1:
        p["target_sl"] = (
            f"expected a fraction between 0 and 1 (exclusive), e.g. 0.8; got {target_sl:g}"
        )
    if _bad(target_seconds) or target_seconds < 0:
        p["target_seconds"] = f"expected a number of seconds, 0 or more; got {target_seconds:g}"
    if max_occupancy is not None and (_bad(max_occupancy) or not 0 < max_occupancy <= 1):
        p["max_occupancy"] = (
            f"expected a fraction above 0 and at most 1, e.g. 0.85; got {max_occupancy:g}"
        )
    if _bad(shrinkage) or not 0 <= shrinkage < 1:
        p["shrinkage"] = (
            f"expected a fraction from 0 up to (not including) 1, e.g. 0.3; got {shrinkage:g}"
        )
    if patience is not None and (_bad(patience) or patience <= 0):
        p["patience"] = f"expected a mean patience above 0 seconds; got {patience:g}"
    if max_abandon is not None:
        if _bad(max_abandon) or not 0 < max_abandon < 1:
            p["max_abandon"] = (
                f"expected a fraction between 0 and 1 (exclusive), e.g. 0.05; got {max_abandon:g}"
            )
        elif patience is None:
            p["max_abandon"] = "needs a patience: under Erlang C nobody abandons"
    if not p:  # each value is fine on its own; together they must be a traffic to staff
        if aht > MAX_AHT_SECONDS:
            p["aht"] = f"expected at most {MAX_AHT_SECONDS:,} seconds (a day); got {aht:g}"
        if patience is not None and patience < 1:
            p["patience"] = f"expected a mean patience of 1 second or more; got {patience:g}"
        traffic = calls * aht / interval_seconds
        if not p and traffic > MAX_TRAFFIC:
            p["calls"] = (
                f"calls × AHT ÷ interval is {traffic:,.4g} erlangs of traffic; expected at most "
                f"{MAX_TRAFFIC:,} (a whole centre's worth)"
            )
        elif not p and patience is not None and traffic * patience / aht > MAX_A_SPAN:
            most = MAX_A_SPAN * aht / traffic
            p["patience"] = (
                f"with {traffic:,.4g} erlangs and this AHT, expected a mean patience of at most "
                f"{most:,.0f} seconds (callers that patient barely abandon: leave --patience "
                f"out for Erlang C); got {patience:g}"
            )
    return p


def _check(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    max_occupancy: float | None,
    shrinkage: float,
    patience: float | None,
    max_abandon: float | None,
) -> None:
    # The common case in one expression (comparisons are False for NaN; inf is caught by the
    # finite checks), the detail only when something is off.
    if (
        0 <= calls < math.inf
        and 0 < interval_seconds < math.inf
        and 0 < aht < math.inf
        and 0 < target_sl < 1
        and 0 <= target_seconds < math.inf
        and 0 <= shrinkage < 1
        and (max_occupancy is None or 0 < max_occupancy <= 1)
        and (patience is None or 0 < patience < math.inf)
        and (max_abandon is None or (patience is not None and 0 < max_abandon < 1))
    ):
        return
    raise StaffingInputError(
        request_problems(
            calls,
            interval_seconds,
            aht,
            target_sl,
            target_seconds,
            max_occupancy,
            shrinkage,
            patience,
            max_abandon,
        )
    )


def _check_agents(agents: int) -> None:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
        raise StaffingInputError({"agents": f"expected a whole number, 0 or more; got {agents!r}"})


# -- exact rounding -------------------------------------------------------------------------


def _dec(x: float) -> Fraction:
    """The value as the decimal it is written as: 0.3 is 3/10, not the nearest double."""
    return Fraction(repr(x))


def _ceil_fraction(f: Fraction) -> int:
    return -(-f.numerator // f.denominator)


def scheduled_agents(raw: int, shrinkage: float) -> int:
    """The smallest whole number S with S × (1 − shrinkage) >= raw: ceil(raw / (1 − shrinkage))
    with shrinkage read as the decimal it is written as, so 21 at 0.3 is 30 (not 31)."""
    if shrinkage == 0 or raw == 0:
        return raw
    x = raw / (1.0 - shrinkage)
    n = round(x)
    if abs(x - n) > 1e-9 * x:
        return math.ceil(x)
    # x is (nearly) the whole number n, and raw / (1 − s) <= n exactly when s <= (n − raw) / n.
    # With s a decimal of at most 9 places and n below a million, two different such values
    # are at least 1e-15 apart, far more than either double's rounding, and equal values give
    # equal doubles: comparing the doubles decides exactly. Otherwise, in fractions.
    if n < 1_000_000 and round(shrinkage, 9) == shrinkage:
        return n if shrinkage <= (n - raw) / n else n + 1
    return _ceil_fraction(raw / (1 - _dec(shrinkage)))


def _occupancy_agents(
    a: float, calls: float, interval_seconds: float, aht: float, cap: float
) -> int:
    """The smallest whole N with A / N <= cap, exact as `scheduled_agents` is."""
    x = a / cap
    n = round(x)
    if abs(x - n) <= 1e-9 * x:
        exact = _dec(calls) * _dec(aht) / (_dec(interval_seconds) * _dec(cap))
        return _ceil_fraction(exact)
    return math.ceil(x)


# -- Erlang B / C ---------------------------------------------------------------------------


def traffic(calls: float, interval_seconds: float, aht: float) -> float:
    """Offered traffic in erlangs: calls × AHT / interval seconds."""
    return calls * aht / interval_seconds


# The integers as floats, for the recursion's hot loop (a constant table, not a cache).
_FLOATS = [float(m) for m in range(4096)]


def _inv_b_start(a: float, n: int) -> float:
    """1/B(n, A) for 0 <= n <= floor(A) + 1, A > 0: the recursion 1/B(m) = 1 + m/A × 1/B(m−1)
    over the last min(n, 10√A + 10) steps from 1 (the terms dropped are below 1e-20)."""
    k = min(n, int(10.0 * math.sqrt(a)) + 10)
    ia = 1.0 / a
    r = 1.0
    for m in _FLOATS[n - k + 1 : n + 1] if n < 4096 else range(n - k + 1, n + 1):
        r = 1.0 + m * ia * r
    return r


def _inv_b(a: float, n: int) -> float:
    """1/B(n, A) for any n >= 0 (infinite when B underflows: nobody would wait)."""
    n0 = math.floor(a) + 1
    if n <= n0:
        return _inv_b_start(a, n)
    r = _inv_b_start(a, n0)
    ia = 1.0 / a
    for m in range(n0 + 1, n + 1):
        r = 1.0 + m * ia * r
        if r == math.inf:
            break
    return r


def erlang_b(traffic: float, agents: int) -> float:
    """Erlang B: the chance a call is blocked with `agents` servers and no queue."""
    _check_agents(agents)
    if not (0 <= traffic < math.inf):
        raise StaffingInputError({"traffic": f"expected erlangs, 0 or more; got {traffic:g}"})
    if traffic == 0:
        return 1.0 if agents == 0 else 0.0
    return 1.0 / _inv_b(traffic, agents)


def _c_metrics(a: float, n: int, r: float, e: float, aht: float) -> QueueMetrics:
    """Erlang C at N > A from r = 1/B(N, A) and e = exp(−(N − A) × T / AHT)."""
    c = n / (a + (n - a) * r)
    return QueueMetrics(a, n, 1.0 - c * e, c, c * aht / (n - a), a / n)


def _overloaded(a: float, n: int, abandon: float | None = None) -> QueueMetrics:
    return QueueMetrics(a, n, 0.0, 1.0, math.inf, 1.0, abandon)


def _idle(n: int, patience: float | None) -> QueueMetrics:
    return QueueMetrics(0.0, n, 1.0, 0.0, 0.0, 0.0, None if patience is None else 0.0)


def erlang_c(
    calls: float, interval_seconds: float, aht: float, agents: int, target_seconds: float = 20.0
) -> QueueMetrics:
    """Erlang C metrics with `agents` on the phones (the "agents staffed" column): service
    level within `target_seconds`, P(wait), ASA over all calls, occupancy A / N. With
    agents <= A the queue never clears (see `QueueMetrics`). The numbers are the very doubles
    `required` compares against the target."""
    _check(calls, interval_seconds, aht, 0.5, target_seconds, None, 0.0, None, None)
    _check_agents(agents)
    a = calls * aht / interval_seconds
    if a == 0:
        return _idle(agents, None)
    if agents <= a:
        return _overloaded(a, agents)
    n = math.floor(a) + 1
    r = _inv_b_start(a, n)
    ia = 1.0 / a
    q = math.exp(-target_seconds / aht)
    e = math.exp(-(n - a) * target_seconds / aht)
    while n < agents:  # the same steps, in the same order, as `required` takes
        n += 1
        r = 1.0 + n * ia * r
        e *= q
        if r == math.inf:  # nobody waits from here on
            n = agents
    return _c_metrics(a, n, r, e, aht)


_NO_CALLS_C = Staffing(0.0, 0, 0, 1.0, 0.0, 0.0, 0.0, "none", None)  # a frozen value, shared


def _staff_c(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    t: float,
    max_occupancy: float | None,
    shrinkage: float,
) -> Staffing:
    a = calls * aht / interval_seconds
    if a == 0:
        return _NO_CALLS_C
    # The smallest N > A with SL >= target: one O(1) step per agent from floor(A) + 1,
    # after 1/B(floor(A) + 1) as in _inv_b_start (inlined: this is the day's hot loop).
    n = math.floor(a) + 1
    k = min(n, int(10.0 * math.sqrt(a)) + 10)
    ia = 1.0 / a
    r = 1.0
    for m in _FLOATS[n - k + 1 : n + 1] if n < 4096 else range(n - k + 1, n + 1):
        r = 1.0 + m * ia * r
    q = math.exp(-t / aht)
    e = math.exp(-(n - a) * t / aht)
    c = n / (a + (n - a) * r)
    while 1.0 - c * e < target_sl:
        n += 1
        r = 1.0 + n * ia * r
        e *= q
        c = n / (a + (n - a) * r)
    binding: Binding = "service level"
    if max_occupancy is not None:
        n_occ = _occupancy_agents(a, calls, interval_seconds, aht, max_occupancy)
        if n_occ > n:
            binding = "occupancy"
            while n < n_occ:
                n += 1
                r = 1.0 + n * ia * r
                e *= q
                if r == math.inf:
                    n = n_occ
            c = n / (a + (n - a) * r)
    # The same doubles as _c_metrics (and so erlang_c) gives for this N.
    return Staffing(
        a,
        n,
        scheduled_agents(n, shrinkage),
        1.0 - c * e,
        c,
        c * aht / (n - a),
        a / n,
        binding,
        None,
    )


# -- Erlang A -------------------------------------------------------------------------------

_RESCALE = 1e-250
_BIG = 1e250


def _a_metrics(a: float, n: int, aht: float, patience: float, t: float) -> QueueMetrics:
    """Erlang A (M/M/N+M) metrics for A > 0, N >= 0 (see the module docstring)."""
    if n == 0:
        return _overloaded(a, 0, 1.0)
    low = _inv_b(a, n) - 1.0  # the weight of 0..N−1 callers, relative to exactly N
    if low == math.inf:  # so many agents nobody ever waits
        return QueueMetrics(a, n, 1.0, 0.0, 0.0, a / n, 0.0)
    x = n * patience / aht
    y = a * patience / aht
    # Q_j = 1 − I_u(j+1, x+1): the chance a caller finding j waiting would wait past T.
    # Built up as Q_{j+1} = Q_j + d_j, in logs while the terms are below e^−700.
    theta_t = t / patience
    u = -math.expm1(-theta_t)
    if u == 0.0:  # T = 0: nobody who waits is answered within it
        q_j, d, ld, lu, in_logs, saturated = 1.0, 0.0, 0.0, 0.0, False, True
    else:
        lu = math.log(u)
        lq0 = -(x + 1.0) * theta_t
        q_j = math.exp(lq0) if lq0 > -745.0 else 0.0
        ld = math.log1p(x) + lu + lq0
        in_logs = ld < -700.0
        d = 0.0 if in_logs else math.exp(ld)
        saturated = False
    w = 1.0  # weight of N + j callers
    total = answered = abandoned = within = waited = 0.0
    h = 0.0  # sum_{k=1..j+1} 1 / (x + k)
    xj = x  # x + j + 1 once the loop has stepped
    j1 = 0.0  # j + 1
    while True:
        xj += 1.0
        j1 += 1.0
        inv = 1.0 / xj
        h += inv
        served = w * x * inv
        total += w
        answered += served
        abandoned += w * j1 * inv
        waited += served * h
        if not saturated:
            within += served * (1.0 - q_j)
            if in_logs:
                ld += lu + math.log((xj + 1.0) / (j1 + 1.0))
                if ld >= -700.0:
                    in_logs = False
                    d = math.exp(ld)
            else:
                q_j += d
                d *= u * (xj + 1.0) / (j1 + 1.0)
                if q_j >= 1.0:
                    saturated = True
        ratio = y * inv
        w *= ratio
        if ratio < 1.0 and w < 1e-17 * (1.0 - ratio) * total:
            break
        if w > _BIG:  # keep every weight finite: only their ratios matter
            w *= _RESCALE
            total *= _RESCALE
            answered *= _RESCALE
            abandoned *= _RESCALE
            within *= _RESCALE
            waited *= _RESCALE
            low *= _RESCALE
    z = low + total
    done = low + answered
    p_ab = abandoned / z
    return QueueMetrics(
        a,
        n,
        (low + within) / z,
        total / z,
        patience * waited / done,
        a * done / z / n,
        p_ab,
    )


def erlang_a(
    calls: float,
    interval_seconds: float,
    aht: float,
    agents: int,
    patience: float,
    target_seconds: float = 20.0,
) -> QueueMetrics:
    """Erlang A metrics with `agents` on the phones and callers who hang up after a mean
    `patience` seconds: SL over all offered calls (abandons count against it), P(wait),
    P(abandon), ASA of the answered calls, occupancy from the carried traffic. No agents:
    everybody abandons (SL 0, ASA infinite). Same doubles as `required` compares."""
    _check(calls, interval_seconds, aht, 0.5, target_seconds, None, 0.0, patience, None)
    _check_agents(agents)
    a = calls * aht / interval_seconds
    if a == 0:
        return _idle(agents, patience)
    return _a_metrics(a, agents, aht, patience, target_seconds)


_NO_CALLS_A = Staffing(0.0, 0, 0, 1.0, 0.0, 0.0, 0.0, "none", 0.0)


def _a_failures(
    m: QueueMetrics, target_sl: float, max_occupancy: float | None, max_abandon: float | None
) -> Binding | None:
    """The first constraint `m` fails (service level, abandonment, occupancy), or None."""
    if m.service_level < target_sl:
        return "service level"
    p_ab = m.abandon_probability
    if max_abandon is not None and p_ab is not None and p_ab > max_abandon:
        return "abandonment"
    if max_occupancy is not None and m.occupancy > max_occupancy:
        return "occupancy"
    return None


def _staff_a(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    t: float,
    max_occupancy: float | None,
    shrinkage: float,
    patience: float,
    max_abandon: float | None,
) -> Staffing:
    a = calls * aht / interval_seconds
    if a == 0:
        return _NO_CALLS_A

    seen: dict[int, QueueMetrics] = {}  # this search's own evaluations, by N

    def fails(n: int) -> Binding | None:
        m = seen.get(n)
        if m is None:
            m = seen[n] = _a_metrics(a, n, aht, patience, t)
        return _a_failures(m, target_sl, max_occupancy, max_abandon)

    # Start from Erlang C's service-level count (cheap, and usually within a few agents),
    # gallop down to an N that fails (N = 0 always does: SL 0) or up to one that holds,
    # then halve the bracket: about 2 log2(distance) + 2 evaluations instead of a walk.
    guess = _staff_c(calls, interval_seconds, aht, target_sl, t, None, 0.0).agents
    step = 1
    if fails(guess) is None:
        good, bad = guess, guess - 1
        while bad > 0 and fails(bad) is None:
            good, bad = bad, max(0, bad - step)
            step *= 2
    else:
        bad, good = guess, guess + 1
        while fails(good) is not None:
            bad, good = good, good + step
            step *= 2
    while good - bad > 1:
        mid = (bad + good) // 2
        if fails(mid) is None:
            good = mid
        else:
            bad = mid
    binding = fails(good - 1) or "service level"
    m = seen[good]
    return Staffing(
        a,
        good,
        scheduled_agents(good, shrinkage),
        m.service_level,
        m.probability_of_waiting,
        m.asa_seconds,
        m.occupancy,
        binding,
        m.abandon_probability,
    )


# -- staffing -------------------------------------------------------------------------------


def required(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    patience: float | None = None,
    max_abandon: float | None = None,
) -> Staffing:
    """The agents an interval needs: the smallest N meeting the service level (share of calls
    answered within `target_seconds` >= `target_sl`), the occupancy cap and, with a patience
    (Erlang A), the abandonment cap; then scheduled = ceil(N / (1 − shrinkage)), exact. Without
    `patience` this is Erlang C. Raises StaffingInputError on inputs out of range."""
    _check(
        calls,
        interval_seconds,
        aht,
        target_sl,
        target_seconds,
        max_occupancy,
        shrinkage,
        patience,
        max_abandon,
    )
    if patience is None:
        return _staff_c(
            calls, interval_seconds, aht, target_sl, target_seconds, max_occupancy, shrinkage
        )
    return _staff_a(
        calls,
        interval_seconds,
        aht,
        target_sl,
        target_seconds,
        max_occupancy,
        shrinkage,
        patience,
        max_abandon,
    )


def staff_day(requests: Iterable[StaffingRequest]) -> list[Staffing]:
    """`required` for many intervals at once (a day of queues for the interval screen), in
    order. Each is computed afresh: nothing is cached between intervals or between calls."""
    return [
        required(
            q.calls,
            q.interval_seconds,
            q.aht,
            q.target_sl,
            q.target_seconds,
            q.max_occupancy,
            q.shrinkage,
            q.patience,
            q.max_abandon,
        )
        for q in requests
    ]
