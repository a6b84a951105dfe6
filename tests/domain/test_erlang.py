"""Erlang C and Erlang A, pure: published worked examples, exact rounding, very large centres,
Erlang A against its limits, an exact birth-death chain and a seeded simulation, and
properties (more agents never hurt; the count found is the smallest that meets the targets)."""

from __future__ import annotations

import heapq
import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorsup.domain.erlang import (
    QueueMetrics,
    Staffing,
    StaffingInputError,
    StaffingRequest,
    erlang_a,
    erlang_b,
    erlang_c,
    request_problems,
    required,
    scheduled_agents,
    staff_day,
    traffic,
)

HALF_HOUR = 1800.0
QUARTER = 900.0


# -- independent references -----------------------------------------------------------------


def exact_erlang_c(a: Fraction, n: int) -> Fraction:
    """P(wait) from the textbook formula with factorials, in exact rationals (fine for tests:
    no overflow, no rounding)."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def exact_erlang_b(a: Fraction, n: int) -> Fraction:
    top = a**n / math.factorial(n)
    return top / sum(a**k / math.factorial(k) for k in range(n + 1))


def reference_sl(a: float, n: int, aht: float, t: float) -> float:
    c = float(exact_erlang_c(Fraction(a), n))
    return 1 - c * math.exp(-(n - a) * t / aht)


# -- Erlang C: the published worked example ----------------------------------------------------


def test_worked_example_100_calls_in_30_minutes() -> None:
    """100 calls in 30 minutes, AHT 180 s (10 erlangs), 80% within 20 s: 14 agents."""
    s = required(100, HALF_HOUR, 180, 0.8, 20)
    assert s.traffic == 10.0
    assert s.agents == 14 and s.scheduled_agents == 14
    assert s.binding == "service level"
    assert s.service_level == pytest.approx(0.8884, abs=1e-4)
    assert s.probability_of_waiting == pytest.approx(0.1741, abs=1e-4)
    assert s.asa_seconds == pytest.approx(7.84, abs=0.01)
    assert s.occupancy == pytest.approx(10 / 14)
    assert s.abandon_probability is None


def test_worked_example_with_occupancy_cap_and_shrinkage() -> None:
    """The same with an 85% occupancy cap (10 / 14 = 71% is under it) and 30% shrinkage:
    14 on the phones, 20 scheduled."""
    s = required(100, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.85, shrinkage=0.3)
    assert (s.agents, s.scheduled_agents, s.binding) == (14, 20, "service level")


@pytest.mark.parametrize(
    ("agents", "sl", "pw", "asa"),
    [
        (11, 0.3896, 0.6821, 122.78),
        (12, 0.6402, 0.4494, 40.44),
        (13, 0.7956, 0.2853, 17.12),
        (14, 0.8884, 0.1741, 7.84),
        (15, 0.9415, 0.1020, 3.67),
        (16, 0.9706, 0.0573, 1.72),
    ],
)
def test_worked_example_table(agents: int, sl: float, pw: float, asa: float) -> None:
    """The table every Erlang C tutorial prints for 10 erlangs, AHT 180 s, T = 20 s."""
    m = erlang_c(100, HALF_HOUR, 180, agents, 20)
    assert m.service_level == pytest.approx(sl, abs=5e-5)
    assert m.probability_of_waiting == pytest.approx(pw, abs=5e-5)
    assert m.asa_seconds == pytest.approx(asa, abs=5e-3)
    assert m.occupancy == pytest.approx(10 / agents)
    assert m.service_level == pytest.approx(reference_sl(10.0, agents, 180, 20), rel=1e-12)


@pytest.mark.parametrize(
    ("a", "n"),
    [(0.5, 1), (1.0, 2), (2.5, 4), (10.0, 11), (10.0, 14), (37.3, 45), (100.0, 110), (250.5, 270)],
)
def test_erlang_c_against_exact_factorials(a: float, n: int) -> None:
    # calls chosen so that traffic is exactly a (interval 3600 s, AHT 3600 s)
    m = erlang_c(a, 3600, 3600, n, 30)
    assert m.probability_of_waiting == pytest.approx(
        float(exact_erlang_c(Fraction(a), n)), rel=1e-12
    )
    assert erlang_b(a, n) == pytest.approx(float(exact_erlang_b(Fraction(a), n)), rel=1e-12)


def test_erlang_b_edges() -> None:
    assert erlang_b(0.0, 0) == 1.0
    assert erlang_b(0.0, 3) == 0.0
    assert erlang_b(5.0, 0) == 1.0  # no agents: every call blocked
    assert erlang_b(10.0, 10) == pytest.approx(0.21458, abs=1e-5)
    assert erlang_b(1.0, 400) == 0.0  # underflows cleanly
    with pytest.raises(StaffingInputError):
        erlang_b(-1.0, 3)
    with pytest.raises(StaffingInputError):
        erlang_b(1.0, -1)


@pytest.mark.parametrize(
    ("calls", "interval", "aht", "sl", "secs", "agents"),
    [
        (100, HALF_HOUR, 180, 0.8, 20, 14),
        (100, HALF_HOUR, 180, 0.9, 20, 15),  # 15 gives 94.1%
        (100, HALF_HOUR, 180, 0.7, 20, 13),  # 13 gives 79.6%
        (100, HALF_HOUR, 180, 0.95, 20, 16),
        (1, HALF_HOUR, 180, 0.8, 20, 1),  # a trickle still needs someone
        (1, HALF_HOUR, 180, 0.999999, 20, 5),
        (360, 3600, 240, 0.8, 20, 29),  # 24 erlangs
        (200, QUARTER, 300, 0.9, 30, 76),  # 66.7 erlangs, 90/30
    ],
)
def test_required_cases(
    calls: float, interval: float, aht: float, sl: float, secs: float, agents: int
) -> None:
    s = required(calls, interval, aht, sl, secs)
    assert s.agents == agents
    a = calls * aht / interval
    assert reference_sl(a, agents, aht, secs) >= sl
    if agents - 1 > a:
        assert reference_sl(a, agents - 1, aht, secs) < sl


def test_zero_seconds_target_is_answered_at_once() -> None:
    """T = 0: the service level is the share answered without waiting, 1 − P(wait)."""
    m = erlang_c(100, HALF_HOUR, 180, 14, 0)
    assert m.service_level == pytest.approx(1 - m.probability_of_waiting)  # 82.6%
    assert required(100, HALF_HOUR, 180, 0.8, 0).agents == 14
    assert required(100, HALF_HOUR, 180, 0.85, 0).agents == 15


def test_agents_not_above_traffic_never_clear_the_queue() -> None:
    for n in (0, 5, 10):  # 10 erlangs
        m = erlang_c(100, HALF_HOUR, 180, n, 20)
        assert m == QueueMetrics(10.0, n, 0.0, 1.0, math.inf, 1.0, None)


def test_zero_calls_need_nobody() -> None:
    s = required(0, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.85, shrinkage=0.3)
    assert s == Staffing(0.0, 0, 0, 1.0, 0.0, 0.0, 0.0, "none", None)
    a = required(0, HALF_HOUR, 180, 0.8, 20, patience=60, max_abandon=0.05)
    assert (a.agents, a.binding, a.abandon_probability) == (0, "none", 0.0)
    assert erlang_c(0, HALF_HOUR, 180, 3, 20).service_level == 1.0
    assert erlang_a(0, HALF_HOUR, 180, 0, 60, 20).abandon_probability == 0.0


def test_traffic() -> None:
    assert traffic(100, HALF_HOUR, 180) == 10.0
    assert traffic(5000, HALF_HOUR, 180) == 500.0


# -- exact rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shrinkage", "scheduled"),
    [
        (21, 0.3, 30),  # the trap: 21 / 0.7 = 30.000000000000004
        (42, 0.3, 60),  # 60.00000000000001
        (17, 0.32, 25),  # 25.000000000000004
        (69, 0.31, 100),
        (33, 0.34, 50),
        (9, 0.55, 20),
        (23, 0.54, 50),
        (14, 0.3, 20),
        (7, 0.3, 10),
        (63, 0.3, 90),
        (13, 0.35, 20),
        (19, 0.05, 20),
        (17, 0.15, 20),
        (9, 0.1, 10),
        (27, 0.1, 30),
        (3, 0.25, 4),
        (1, 0.5, 2),
        (22, 0.3, 32),  # 31.43: up
        (20, 0.3, 29),  # 28.57: up
        (0, 0.3, 0),
        (15, 0.0, 15),
        (1, 0.999, 1000),
        (999_999, 0.1, 1_111_110),  # 1,111,110 exactly, past the quick path's range
        (12, 0.333333333333, 18),  # 17.9999999999820: up to 18, a long decimal
    ],
)
def test_scheduled_agents_exact(raw: int, shrinkage: float, scheduled: int) -> None:
    assert scheduled_agents(raw, shrinkage) == scheduled


def test_the_rounding_traps_are_real() -> None:
    """Each of these would come out one too many with ceil(raw / (1 − s)) in doubles."""
    for raw, s in [(21, 0.3), (42, 0.3), (17, 0.32), (69, 0.31), (33, 0.34), (9, 0.55)]:
        assert math.ceil(raw / (1 - s)) == scheduled_agents(raw, s) + 1


def test_occupancy_cap_is_exact() -> None:
    """21 erlangs under a 70% cap need exactly 30 agents (21 / 0.7 = 30.000000000000004)."""
    assert math.ceil(21 / 0.7) == 31
    # 105 calls in 15 minutes at 180 s = 21 erlangs; a lax service level so the cap binds
    s = required(105, QUARTER, 180, 0.2, 0, max_occupancy=0.7)
    assert (s.agents, s.binding, s.occupancy) == (30, "occupancy", 0.7)
    s = required(105, QUARTER, 180, 0.2, 0, max_occupancy=0.7, shrinkage=0.3)
    assert s.scheduled_agents == 43  # 30 / 0.7 = 42.86
    s = required(285, QUARTER, 180, 0.2, 0, max_occupancy=0.57)  # 57 erlangs / 0.57
    assert (s.agents, s.binding) == (100, "occupancy")


@pytest.mark.parametrize(
    ("calls", "interval", "aht", "cap", "agents"),
    [
        (90, QUARTER, 180, 0.9, 20),  # 18 erlangs / 0.9
        (100, HALF_HOUR, 180, 0.5, 20),  # 10 / 0.5
        (100, HALF_HOUR, 180, 0.4, 25),
        (70, HALF_HOUR, 180, 0.7, 10),
        (345, QUARTER, 180, 0.69, 100),  # 69 / 0.69 = 100.00000000000001 in doubles
        (33.3, 900, 300, 0.37, 30),  # 11.1 / 0.37 = 30 exactly (decimals throughout)
        (100, HALF_HOUR, 180, 1.0, 12),  # a cap of 1 is no cap: 50/20 needs 12
    ],
)
def test_occupancy_binds_exactly(
    calls: float, interval: float, aht: float, cap: float, agents: int
) -> None:
    s = required(calls, interval, aht, 0.5, 20, max_occupancy=cap)
    assert s.agents == agents
    a = Fraction(repr(calls)) * Fraction(repr(aht)) / Fraction(repr(interval))
    assert a / agents <= Fraction(repr(cap))
    if s.binding == "occupancy":
        assert a / (agents - 1) > Fraction(repr(cap))


def test_ties_go_to_service_level() -> None:
    """10 erlangs, 14 agents for 80/20; 14 is also what a cap of 10/14 asks for."""
    s = required(100, HALF_HOUR, 180, 0.8, 20, max_occupancy=10 / 14 + 1e-12)
    assert (s.agents, s.binding) == (14, "service level")
    s = required(100, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.7)  # 10 / 0.7 = 14.3 -> 15
    assert (s.agents, s.binding) == (15, "occupancy")


# -- very large centres -------------------------------------------------------------------------


@pytest.mark.parametrize("calls", [5_000, 50_000, 500_000])
def test_very_large_centres_are_finite_and_sensible(calls: int) -> None:
    """5,000 / 50,000 / 500,000 calls in 30 minutes at 180 s: 500 / 5,000 / 50,000 erlangs.
    No OverflowError; a few √A agents above the traffic; occupancy near 1 (economies of
    scale); all numbers finite."""
    a = calls * 180 / HALF_HOUR
    s = required(calls, HALF_HOUR, 180, 0.8, 20, shrinkage=0.3)
    assert s.traffic == a
    assert a < s.agents <= a + 3 * math.sqrt(a) + 2
    assert s.scheduled_agents == scheduled_agents(s.agents, 0.3)
    for v in (s.service_level, s.probability_of_waiting, s.asa_seconds, s.occupancy):
        assert math.isfinite(v) and v >= 0
    assert s.service_level >= 0.8 > erlang_c(calls, HALF_HOUR, 180, s.agents - 1, 20).service_level
    assert s.occupancy > 0.95
    capped = required(calls, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.95, shrinkage=0.3)
    assert capped.agents == max(
        s.agents, math.ceil(Fraction(calls * 180, 1800) / Fraction(95, 100))
    )
    assert capped.binding == ("occupancy" if capped.agents > s.agents else "service level")
    assert math.isfinite(capped.asa_seconds) and capped.service_level >= 0.8


def test_5000_calls_against_exact_factorials() -> None:
    """500 erlangs: the count found, and the one below, against the textbook formula in exact
    rationals."""
    s = required(5_000, HALF_HOUR, 180, 0.8, 20)
    assert s.agents == 510
    assert reference_sl(500.0, 510, 180, 20) == pytest.approx(s.service_level, rel=1e-12)
    assert reference_sl(500.0, 509, 180, 20) < 0.8 <= reference_sl(500.0, 510, 180, 20)


def test_a_huge_cap_gap_is_not_a_long_walk() -> None:
    """An occupancy cap of 0.1% on 500 erlangs asks for 500,000 agents: 1/B overflows to
    infinity on the way (nobody waits), and the walk ends there."""
    s = required(5_000, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.001)
    assert (s.agents, s.binding) == (500_000, "occupancy")
    assert (s.service_level, s.probability_of_waiting, s.asa_seconds) == (1.0, 0.0, 0.0)
    assert erlang_c(5_000, HALF_HOUR, 180, 500_000, 20) == QueueMetrics(
        500.0, 500_000, 1.0, 0.0, 0.0, 0.001, None
    )


# -- validation ---------------------------------------------------------------------------------

GOOD = dict(calls=100.0, interval_seconds=1800.0, aht=180.0, target_sl=0.8, target_seconds=20.0)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"calls": -5}, "calls", "expected a number of calls, 0 or more; got -5"),
        ({"calls": math.nan}, "calls", "expected a number of calls, 0 or more; got nan"),
        ({"calls": math.inf}, "calls", "expected a number of calls, 0 or more; got inf"),
        ({"interval_seconds": 0}, "interval_seconds", "expected a length above 0 seconds; got 0"),
        ({"aht": 0}, "aht", "expected an average handle time above 0 seconds; got 0"),
        ({"aht": -180}, "aht", "expected an average handle time above 0 seconds; got -180"),
        (
            {"target_sl": 80},
            "target_sl",
            "expected a fraction between 0 and 1 (exclusive), e.g. 0.8; got 80",
        ),
        (
            {"target_sl": 1.0},
            "target_sl",
            "expected a fraction between 0 and 1 (exclusive), e.g. 0.8; got 1",
        ),
        (
            {"target_sl": 0.0},
            "target_sl",
            "expected a fraction between 0 and 1 (exclusive), e.g. 0.8; got 0",
        ),
        (
            {"target_seconds": -1},
            "target_seconds",
            "expected a number of seconds, 0 or more; got -1",
        ),
        (
            {"max_occupancy": 0.0},
            "max_occupancy",
            "expected a fraction above 0 and at most 1, e.g. 0.85; got 0",
        ),
        (
            {"max_occupancy": 1.2},
            "max_occupancy",
            "expected a fraction above 0 and at most 1, e.g. 0.85; got 1.2",
        ),
        (
            {"shrinkage": 1.0},
            "shrinkage",
            "expected a fraction from 0 up to (not including) 1, e.g. 0.3; got 1",
        ),
        (
            {"shrinkage": -0.1},
            "shrinkage",
            "expected a fraction from 0 up to (not including) 1, e.g. 0.3; got -0.1",
        ),
        ({"patience": 0}, "patience", "expected a mean patience above 0 seconds; got 0"),
        ({"patience": math.inf}, "patience", "expected a mean patience above 0 seconds; got inf"),
        (
            {"max_abandon": 0.05},
            "max_abandon",
            "needs a patience: under Erlang C nobody abandons",
        ),
        (
            {"max_abandon": 0.0, "patience": 60},
            "max_abandon",
            "expected a fraction between 0 and 1 (exclusive), e.g. 0.05; got 0",
        ),
    ],
)
def test_bad_inputs_say_what_was_expected(
    change: dict[str, float], field: str, message: str
) -> None:
    kw = {**GOOD, **change}
    assert request_problems(**kw) == {field: message}
    with pytest.raises(StaffingInputError) as exc:
        required(**kw)
    assert exc.value.problems == {field: message}
    assert str(exc.value) == f"{field}: {message}"
    with pytest.raises(ValueError):  # a StaffingInputError is a ValueError
        staff_day([StaffingRequest(**kw)])


def test_every_problem_at_once() -> None:
    got = request_problems(-1, 0, 0, 2, -1, 0, 1, 0, 0)
    assert set(got) == {
        "calls",
        "interval_seconds",
        "aht",
        "target_sl",
        "target_seconds",
        "max_occupancy",
        "shrinkage",
        "patience",
        "max_abandon",
    }


def test_good_inputs_have_no_problems() -> None:
    assert request_problems(**GOOD) == {}
    assert request_problems(0, 900, 1, 0.01, 0, 1.0, 0.0, 1.0, 0.99) == {}


@pytest.mark.parametrize("agents", [-1, 1.5, True])
def test_agents_must_be_a_whole_number(agents: object) -> None:
    with pytest.raises(StaffingInputError, match="agents: expected a whole number"):
        erlang_c(100, HALF_HOUR, 180, agents, 20)  # type: ignore[arg-type]
    with pytest.raises(StaffingInputError, match="agents: expected a whole number"):
        erlang_a(100, HALF_HOUR, 180, agents, 60, 20)  # type: ignore[arg-type]


# -- staff_day ----------------------------------------------------------------------------------


def test_staff_day_is_required_for_each() -> None:
    reqs = [
        StaffingRequest(100, HALF_HOUR, 180, 0.8, 20, 0.85, 0.3),
        StaffingRequest(0, QUARTER, 300, 0.9, 30),
        StaffingRequest(5_000, HALF_HOUR, 180, 0.8, 20, None, 0.35),
        StaffingRequest(40, QUARTER, 240, 0.8, 20, 0.9, 0.3, patience=90, max_abandon=0.05),
        StaffingRequest(105, QUARTER, 180, 0.2, 0, 0.7),
    ]
    got = staff_day(reqs)
    assert got == [
        required(
            r.calls,
            r.interval_seconds,
            r.aht,
            r.target_sl,
            r.target_seconds,
            r.max_occupancy,
            r.shrinkage,
            r.patience,
            r.max_abandon,
        )
        for r in reqs
    ]
    assert [s.binding for s in got] == [
        "service level",
        "none",
        "service level",
        got[3].binding,
        "occupancy",
    ]
    assert staff_day([]) == []
    assert staff_day(iter(reqs[:1])) == got[:1]


# -- Erlang A -----------------------------------------------------------------------------------


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 16, 20])
def test_erlang_a_with_endless_patience_is_erlang_c(agents: int) -> None:
    """The gap to Erlang C shrinks like 1 / patience, down to 1e-7 at 1e11 seconds."""
    c = erlang_c(100, HALF_HOUR, 180, agents, 20)
    fields = ("service_level", "probability_of_waiting", "asa_seconds", "occupancy")

    def gaps(patience: float) -> list[float]:
        a = erlang_a(100, HALF_HOUR, 180, agents, patience, 20)
        assert a.abandon_probability is not None and a.abandon_probability < 1e4 / patience
        return [abs(getattr(a, f) / getattr(c, f) - 1) for f in fields]

    for g7, g9, g11 in zip(gaps(1e7), gaps(1e9), gaps(1e11), strict=True):
        assert g9 < 1e-5 and g11 < 1e-7
        assert 50 < g7 / g9 < 200  # a hundred times closer for a hundred times the patience


def test_erlang_a_staffing_with_endless_patience_is_erlang_c() -> None:
    a = required(100, HALF_HOUR, 180, 0.8, 20, max_occupancy=0.85, shrinkage=0.3, patience=1e8)
    assert (a.agents, a.scheduled_agents, a.binding) == (14, 20, "service level")
    assert a.service_level == pytest.approx(0.8884, abs=1e-4)


@pytest.mark.parametrize("agents", [1, 3, 8, 10, 12])
def test_erlang_a_with_no_patience_is_erlang_b(agents: int) -> None:
    """Callers who hang up at once: a loss system. Those who find every agent busy are lost
    (P(wait) = P(abandon) = Erlang B) and everyone else is answered at once."""
    b = erlang_b(10.0, agents)
    m = erlang_a(100, HALF_HOUR, 180, agents, 1e-4, 20)
    assert m.probability_of_waiting == pytest.approx(b, rel=1e-4)
    assert m.abandon_probability == pytest.approx(b, rel=1e-4)
    assert m.service_level == pytest.approx(1 - b, rel=1e-4)
    assert m.occupancy == pytest.approx(10 * (1 - b) / agents, rel=1e-4)


def test_erlang_a_no_agents() -> None:
    m = erlang_a(100, HALF_HOUR, 180, 0, 60, 20)
    assert m == QueueMetrics(10.0, 0, 0.0, 1.0, math.inf, 1.0, 1.0)


def test_erlang_a_zero_target_seconds() -> None:
    m = erlang_a(100, HALF_HOUR, 180, 10, 60, 0)
    assert m.service_level == pytest.approx(1 - m.probability_of_waiting)


def chain_stationary(lam: float, mu: float, theta: float, n: int, k_max: int) -> list[float]:
    """The M/M/N+M chain truncated at k_max callers: pi Q = 0, sum pi = 1, solved as a dense
    linear system by Gaussian elimination (no product form, no closed formula)."""
    size = k_max + 1
    q = [[0.0] * size for _ in range(size)]
    for s in range(size):
        if s < k_max:
            q[s][s + 1] = lam
        if s > 0:
            q[s][s - 1] = min(s, n) * mu + max(s - n, 0) * theta
        q[s][s] = -sum(q[s])
    m = [[q[c][r] for c in range(size)] for r in range(size)]  # Q transposed
    rhs = [0.0] * size
    m[-1], rhs[-1] = [1.0] * size, 1.0
    for col in range(size):
        piv = max(range(col, size), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        rhs[col], rhs[piv] = rhs[piv], rhs[col]
        for r in range(col + 1, size):
            f = m[r][col] / m[col][col]
            if f:
                for c in range(col, size):
                    m[r][c] -= f * m[col][c]
                rhs[r] -= f * rhs[col]
    pi = [0.0] * size
    for r in range(size - 1, -1, -1):
        pi[r] = (rhs[r] - sum(m[r][c] * pi[c] for c in range(r + 1, size))) / m[r][r]
    return pi


def answered_within(ahead: int, service: float, theta: float, t: float, steps: int = 40) -> float:
    """P(answered within t) for a caller who finds `ahead` waiting, by integrating the
    absorbing chain (position in the queue; each step forward at service + ahead × theta; own
    hang-up at theta) with Runge-Kutta 4."""

    def deriv(p: list[float]) -> tuple[list[float], float]:
        d = [0.0] * len(p)
        done = 0.0
        for k, pk in enumerate(p):
            d[k] -= (service + (k + 1) * theta) * pk
            if k:
                d[k - 1] += (service + k * theta) * pk
            else:
                done += service * pk
        return d, done

    p = [0.0] * (ahead + 1)
    p[ahead] = 1.0
    got, h = 0.0, t / steps
    for _ in range(steps):
        k1, s1 = deriv(p)
        k2, s2 = deriv([x + h / 2 * y for x, y in zip(p, k1, strict=True)])
        k3, s3 = deriv([x + h / 2 * y for x, y in zip(p, k2, strict=True)])
        k4, s4 = deriv([x + h * y for x, y in zip(p, k3, strict=True)])
        p = [
            x + h / 6 * (b + 2 * c + 2 * d + e)
            for x, b, c, d, e in zip(p, k1, k2, k3, k4, strict=True)
        ]
        got += h / 6 * (s1 + 2 * s2 + 2 * s3 + s4)
    return got


@pytest.mark.parametrize(
    ("calls", "aht", "agents", "patience", "t"),
    [
        (80, 180, 9, 90, 20),
        (80, 180, 7, 90, 20),  # fewer agents than erlangs (8): the abandons carry the rest
        (30, 300, 6, 30, 15),  # impatient callers
        (120, 120, 10, 400, 30),
    ],
)
def test_erlang_a_against_the_birth_death_chain(
    calls: float, aht: float, agents: int, patience: float, t: float
) -> None:
    """P(wait) = P(N or more in the system); P(abandon) = theta × E[queue] / lambda (hang-ups
    per second over arrivals per second); SL = P(fewer than N) + sum over the queue length of
    P(answered within T from there)."""
    lam, mu, theta = calls / HALF_HOUR, 1 / aht, 1 / patience
    pi = chain_stationary(lam, mu, theta, agents, agents + 60)
    assert pi[-1] < 1e-15  # truncated far enough
    pw = sum(pi[agents:])
    queue = sum((s - agents) * p for s, p in enumerate(pi) if s > agents)
    sl = sum(pi[:agents]) + sum(
        pi[agents + j] * answered_within(j, agents * mu, theta, t) for j in range(40)
    )
    m = erlang_a(calls, HALF_HOUR, aht, agents, patience, t)
    assert m.probability_of_waiting == pytest.approx(pw, rel=1e-9)
    assert m.abandon_probability == pytest.approx(theta * queue / lam, rel=1e-9)
    assert m.service_level == pytest.approx(sl, rel=1e-7)
    busy = sum(min(s, agents) * p for s, p in enumerate(pi)) / agents
    assert m.occupancy == pytest.approx(busy, rel=1e-9)


def simulate(
    calls: float, interval: float, aht: float, agents: int, patience: float, t: float, n: int
) -> tuple[float, float, float, float]:
    """A seeded discrete-event simulation of M/M/N+M, first come first served: (share answered
    within t of all calls, share finding every agent busy, share abandoned, mean wait of the
    answered). A caller whose patience ran out is skipped when an agent comes free."""
    rng = random.Random(20261124)
    free, head = agents, 0
    ends: list[float] = []  # a heap of call completions
    queue: list[tuple[float, float]] = []  # (arrived, gives up at), first come first served
    found_busy = answered = within = abandoned = 0
    waited = 0.0

    def start(now: float) -> None:
        nonlocal free, head, answered, within, abandoned, waited
        while free and head < len(queue):
            arrived, gives_up = queue[head]
            head += 1
            if gives_up < now:
                abandoned += 1
                continue
            free -= 1
            answered += 1
            waited += now - arrived
            within += now - arrived <= t
            heapq.heappush(ends, now + rng.expovariate(1 / aht))

    clock = 0.0
    for _ in range(n):
        clock += rng.expovariate(calls / interval)
        while ends and ends[0] <= clock:
            free += 1
            start(heapq.heappop(ends))
        found_busy += free == 0
        queue.append((clock, clock + rng.expovariate(1 / patience)))
        start(clock)
    while head < len(queue):
        free += 1
        start(heapq.heappop(ends))
    return within / n, found_busy / n, abandoned / n, waited / answered


def test_erlang_a_against_a_simulation() -> None:
    """40,000 simulated calls, 8 erlangs on 9 agents, patience 90 s: within a few standard
    errors of the formulas."""
    sl, pw, ab, asa = simulate(80, HALF_HOUR, 180, 9, 90, 20, 40_000)
    m = erlang_a(80, HALF_HOUR, 180, 9, 90, 20)
    assert m.service_level == pytest.approx(sl, abs=0.02)
    assert m.probability_of_waiting == pytest.approx(pw, abs=0.025)
    assert m.abandon_probability == pytest.approx(ab, abs=0.01)
    assert m.asa_seconds == pytest.approx(asa, rel=0.08)


def test_erlang_a_staffing_bindings() -> None:
    base = dict(calls=100, interval_seconds=HALF_HOUR, aht=180, target_sl=0.8, target_seconds=20)
    s = required(**base, patience=120)
    assert (s.agents, s.binding) == (12, "service level")  # abandons lighten the queue
    assert s.abandon_probability == pytest.approx(0.0616, abs=1e-4)
    s = required(**base, patience=60, max_abandon=0.02)
    assert (s.agents, s.binding) == (15, "abandonment")
    assert s.abandon_probability is not None and s.abandon_probability <= 0.02
    before = erlang_a(100, HALF_HOUR, 180, 14, 60, 20)
    assert before.abandon_probability is not None and before.abandon_probability > 0.02
    assert before.service_level >= 0.8  # 14 met the service level: abandonment set 15
    s = required(**base, patience=120, max_occupancy=0.7, shrinkage=0.3)
    assert s.binding == "occupancy" and s.occupancy <= 0.7
    assert erlang_a(100, HALF_HOUR, 180, s.agents - 1, 120, 20).occupancy > 0.7
    assert s.scheduled_agents == scheduled_agents(s.agents, 0.3)


@pytest.mark.parametrize("calls", [5_000, 50_000])
def test_erlang_a_very_large_centres(calls: int) -> None:
    s = required(calls, HALF_HOUR, 180, 0.8, 20, patience=120, max_abandon=0.02)
    a = calls * 180 / HALF_HOUR
    assert 0.95 * a < s.agents < a + 3 * math.sqrt(a)
    p_ab = s.abandon_probability
    assert p_ab is not None and 0 < p_ab <= 0.02
    for v in (s.service_level, s.probability_of_waiting, s.asa_seconds, s.occupancy):
        assert math.isfinite(v) and v >= 0
    assert s.service_level >= 0.8 and s.occupancy < 1


# -- properties ---------------------------------------------------------------------------------

calls_st = st.one_of(st.floats(0.1, 50), st.floats(50, 2_000), st.integers(1, 20_000).map(float))
aht_st = st.floats(20, 1200)
interval_st = st.sampled_from([900.0, 1800.0, 3600.0])
secs_st = st.floats(0, 120)
sl_st = st.floats(0.05, 0.995)


@given(calls_st, interval_st, aht_st, secs_st, st.floats(0.0, 1.5))
def test_more_agents_never_lower_the_service_level(
    calls: float, interval: float, aht: float, t: float, extra: float
) -> None:
    a = calls * aht / interval
    n = math.floor(a) + 1 + int(extra * math.sqrt(a) + extra * 3)
    m, m1 = erlang_c(calls, interval, aht, n, t), erlang_c(calls, interval, aht, n + 1, t)
    assert m1.service_level >= m.service_level
    assert m1.probability_of_waiting <= m.probability_of_waiting
    assert m1.asa_seconds <= m.asa_seconds
    assert 0 <= m.service_level <= 1 and 0 <= m.probability_of_waiting <= 1


@given(calls_st, interval_st, aht_st, sl_st, secs_st, st.one_of(st.none(), st.floats(0.5, 1)))
def test_the_count_found_is_the_smallest_that_meets_the_targets(
    calls: float, interval: float, aht: float, target: float, t: float, cap: float | None
) -> None:
    s = required(calls, interval, aht, target, t, max_occupancy=cap)
    n = s.agents
    at = erlang_c(calls, interval, aht, n, t)
    assert at.service_level == s.service_level  # the very same double
    assert s.service_level >= target
    a = Fraction(repr(calls)) * Fraction(repr(aht)) / Fraction(repr(interval))
    if cap is not None:
        assert a / n <= Fraction(repr(cap))
    if s.binding == "service level":
        assert erlang_c(calls, interval, aht, n - 1, t).service_level < target
    else:
        assert s.binding == "occupancy" and cap is not None
        assert a / (n - 1) > Fraction(repr(cap))


@given(st.integers(0, 100_000), st.integers(0, 9_999))
def test_shrinkage_ceil_is_exact_for_decimals(raw: int, basis_points: int) -> None:
    s = basis_points / 10_000
    got = scheduled_agents(raw, s)
    keep = 1 - Fraction(basis_points, 10_000)
    assert got * keep >= raw
    assert got == 0 or (got - 1) * keep < raw


@given(st.integers(0, 100_000), st.floats(0, 1, exclude_max=True))
def test_shrinkage_ceil_is_exact_for_any_double(raw: int, s: float) -> None:
    got = scheduled_agents(raw, s)
    keep = 1 - Fraction(repr(s))
    assert got * keep >= raw
    assert got == 0 or (got - 1) * keep < raw


@settings(deadline=None, max_examples=60)
@given(
    st.floats(0.5, 400),
    aht_st,
    st.floats(5, 1200),
    secs_st,
    st.floats(0.3, 1.3),
)
def test_erlang_a_more_agents_never_hurt(
    calls: float, aht: float, patience: float, t: float, share: float
) -> None:
    a = calls * aht / HALF_HOUR
    n = int(a * share)
    m = erlang_a(calls, HALF_HOUR, aht, n, patience, t)
    m1 = erlang_a(calls, HALF_HOUR, aht, n + 1, patience, t)
    assert m.abandon_probability is not None and m1.abandon_probability is not None
    assert m1.service_level >= m.service_level - 1e-12
    assert m1.abandon_probability <= m.abandon_probability + 1e-12
    assert m1.occupancy <= m.occupancy + 1e-12
    assert m1.probability_of_waiting <= m.probability_of_waiting + 1e-12
    # answered within T is a part of answered
    assert 0 <= m.service_level <= 1 - m.abandon_probability + 1e-12


@settings(deadline=None, max_examples=60)
@given(
    st.floats(0.5, 400),
    aht_st,
    st.floats(5, 1200),
    sl_st,
    secs_st,
    st.one_of(st.none(), st.floats(0.5, 1)),
    st.one_of(st.none(), st.floats(0.005, 0.3)),
)
def test_erlang_a_count_is_the_smallest_that_meets_the_targets(
    calls: float,
    aht: float,
    patience: float,
    target: float,
    t: float,
    cap: float | None,
    max_ab: float | None,
) -> None:
    s = required(
        calls, HALF_HOUR, aht, target, t, max_occupancy=cap, patience=patience, max_abandon=max_ab
    )
    n = s.agents
    at = erlang_a(calls, HALF_HOUR, aht, n, patience, t)
    assert at.service_level == s.service_level and at.service_level >= target
    assert at.abandon_probability == s.abandon_probability
    assert max_ab is None or (s.abandon_probability is not None and s.abandon_probability <= max_ab)
    assert cap is None or s.occupancy <= cap
    below = erlang_a(calls, HALF_HOUR, aht, n - 1, patience, t)
    p_ab = below.abandon_probability
    assert p_ab is not None
    failed = {
        "service level": below.service_level < target,
        "abandonment": max_ab is not None and p_ab > max_ab,
        "occupancy": cap is not None and below.occupancy > cap,
    }
    assert failed[s.binding]
    first = next(k for k in ("service level", "abandonment", "occupancy") if failed[k])
    assert s.binding == first
