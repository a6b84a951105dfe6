"""Queue statistics, the "now" picture and screen thresholds, checked by hand."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter

import pytest

from floorsup.domain.intervals import Interval, day_bounds, day_intervals
from floorsup.domain.metrics import (
    SL_FORMULA_TEXT,
    STATE_AGE_THRESHOLDS,
    Level,
    QueueIntervalStats,
    QueueNow,
    SLFormula,
    call_wait,
    compute_stats,
    interval_stats,
    queue_now,
    sl_level,
    state_age_level,
    total_stats,
    wait_level,
)
from floorsup.domain.types import AgentState, CallRecord, Outcome

NY = "America/New_York"
T0 = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC).timestamp()  # 08:00 -04:00 in New York
NOW = T0 + 3600

_ids = iter(range(10**9))


def call(
    outcome: Outcome,
    wait: float | None = None,
    *,
    entered: float = T0,
    queue: str = "sales",
    talk: float | None = None,
    hold: float | None = None,
) -> CallRecord:
    answered_at = entered + wait if wait is not None and outcome in _ANSWERED else None
    return CallRecord(
        callid=f"c{next(_ids)}",
        queue=queue,
        entered_at=entered,
        outcome=outcome,
        answered_at=answered_at,
        wait_seconds=None if outcome is Outcome.WAITING else wait,
        talk_seconds=talk,
        hold_seconds=hold,
    )


_ANSWERED = {Outcome.ANSWERED, Outcome.TRANSFERRED, Outcome.IN_PROGRESS}


def waiting_for(seconds: float, queue: str = "sales") -> CallRecord:
    """A call still waiting at NOW, that entered `seconds` before it."""
    return call(Outcome.WAITING, entered=NOW - seconds, queue=queue)


# Target 20 s, short abandon 5 s, now = NOW.
#
#  #  outcome      wait  talk hold  notes
#  1  answered      10   100        within target
#  2  answered      20   200        within (== target)
#  3  answered      30    60   40   miss; handle 100
#  4  transferred    5    50        within
#  5  in_progress   25    -         miss; not in AHT (still talking)
#  6  abandoned      3              short
#  7  abandoned      5              not short (== threshold)
#  8  abandoned     40              not short
#  9  timeout       60              other exit
# 10  exit_empty     0              other exit
# 11  waiting       10 so far       undetermined (<= target)
# 12  waiting       45 so far       already a miss
#
# offered 12, answered 5 (1-5), within 3 (1, 2, 4), abandoned 3, short 1, other 2, waiting 2
# SL offered − short:      3 / (12 − 1 short − 1 undetermined) = 3/10 = 0.3
# SL answered:             3 / 5                               = 0.6
# SL answered + abandoned: 3 / (5 + 3 + 1 waiting miss)        = 3/9 = 0.3333
# ASA = (10 + 20 + 30 + 5 + 25) / 5 = 90 / 5 = 18
# AHT = (100 + 200 + (60 + 40) + 50) / 4 = 450 / 4 = 112.5
# longest wait = 60 (the timeout; the waiting calls are at 10 and 45)
HAND = [
    call(Outcome.ANSWERED, 10, talk=100),
    call(Outcome.ANSWERED, 20, talk=200),
    call(Outcome.ANSWERED, 30, talk=60, hold=40),
    call(Outcome.TRANSFERRED, 5, talk=50),
    call(Outcome.IN_PROGRESS, 25),
    call(Outcome.ABANDONED, 3),
    call(Outcome.ABANDONED, 5),
    call(Outcome.ABANDONED, 40),
    call(Outcome.TIMEOUT, 60),
    call(Outcome.EXIT_EMPTY, 0),
    waiting_for(10),
    waiting_for(45),
]


def stats(calls: list[CallRecord], **kw: object) -> QueueIntervalStats:
    return compute_stats(calls, queue="sales", now=NOW, **kw)  # type: ignore[arg-type]


def test_hand_computed_counts() -> None:
    s = stats(HAND)
    assert s.queue == "sales"
    assert (s.offered, s.answered, s.answered_within_target) == (12, 5, 3)
    assert (s.abandoned, s.short_abandoned, s.other_exits, s.waiting) == (3, 1, 2, 2)
    assert s.asa_seconds == 18
    assert s.aht_seconds == 112.5
    assert s.longest_wait_seconds == 60
    assert s.target_seconds == 20
    assert s.interval_start is None and s.interval_end is None


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (SLFormula.OFFERED_LESS_SHORT, 3 / 10),
        (SLFormula.ANSWERED, 3 / 5),
        (SLFormula.ANSWERED_ABANDONED, 3 / 9),
    ],
)
def test_hand_computed_service_level(formula: SLFormula, expected: float) -> None:
    assert stats(HAND, formula=formula).service_level == pytest.approx(expected)


def test_default_formula_is_offered_less_short() -> None:
    assert stats(HAND).service_level == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("target", "within", "sl_offered", "sl_answered"),
    [
        # target 30: answered 1-5 all within; waiting 45 a miss, 10 undetermined
        (30, 5, 5 / 10, 5 / 5),
        # target 9: only #4 (5 s) within; both waiting calls (10, 45) are misses now
        (9, 1, 1 / 11, 1 / 5),
        # target 60: everything answered within, both waiting undetermined
        (60, 5, 5 / 9, 1.0),
    ],
)
def test_target_changes_within_and_waiting(
    target: int, within: int, sl_offered: float, sl_answered: float
) -> None:
    s = stats(HAND, target_seconds=target)
    assert s.answered_within_target == within
    assert s.service_level == pytest.approx(sl_offered)
    assert stats(HAND, target_seconds=target, formula=SLFormula.ANSWERED).service_level == (
        pytest.approx(sl_answered)
    )
    assert s.target_seconds == target


@pytest.mark.parametrize(
    ("wait", "short"),
    [(0, True), (4.99, True), (5, False), (5.01, False), (100, False)],
)
def test_short_abandon_threshold(wait: float, short: bool) -> None:
    s = stats([call(Outcome.ABANDONED, wait)])
    assert s.abandoned == 1
    assert s.short_abandoned == int(short)
    # offered − short: a short abandon leaves the denominator; a long one is a miss
    assert s.service_level == (None if short else 0.0)


def test_short_abandon_seconds_is_configurable() -> None:
    calls = [call(Outcome.ABANDONED, w) for w in (2, 8, 12)]
    assert stats(calls, short_abandon_seconds=10).short_abandoned == 2
    assert stats(calls, short_abandon_seconds=0).short_abandoned == 0


def test_answered_at_target_is_within() -> None:
    s = stats([call(Outcome.ANSWERED, 20, talk=1), call(Outcome.ANSWERED, 20.5, talk=1)])
    assert s.answered_within_target == 1
    assert s.service_level == 0.5


@pytest.mark.parametrize(
    ("formula", "sl"),
    [
        (SLFormula.OFFERED_LESS_SHORT, None),
        (SLFormula.ANSWERED, None),
        (SLFormula.ANSWERED_ABANDONED, None),
    ],
)
def test_waiting_under_target_is_undetermined(formula: SLFormula, sl: float | None) -> None:
    for seconds in (0, 10, 20):  # 20 == target: could still be answered in time
        s = stats([waiting_for(seconds)], formula=formula)
        assert s.offered == 1 and s.waiting == 1
        assert s.service_level is sl
        assert s.longest_wait_seconds == seconds


@pytest.mark.parametrize(
    ("formula", "sl"),
    [
        (SLFormula.OFFERED_LESS_SHORT, 0.0),
        (SLFormula.ANSWERED, None),  # only answered calls count
        (SLFormula.ANSWERED_ABANDONED, 0.0),
    ],
)
def test_waiting_over_target_is_a_miss(formula: SLFormula, sl: float | None) -> None:
    s = stats([waiting_for(20.5)], formula=formula)
    assert s.offered == 1 and s.waiting == 1
    assert s.service_level == sl


@pytest.mark.parametrize(
    ("formula", "sl"),
    [
        # 1 within out of: answered 1 + waiting-miss 1 (undetermined one left out)
        (SLFormula.OFFERED_LESS_SHORT, 1 / 2),
        (SLFormula.ANSWERED, 1.0),
        (SLFormula.ANSWERED_ABANDONED, 1 / 2),
    ],
)
def test_waiting_mixed(formula: SLFormula, sl: float) -> None:
    calls = [call(Outcome.ANSWERED, 3, talk=30), waiting_for(5), waiting_for(50)]
    s = stats(calls, formula=formula)
    assert s.offered == 3
    assert s.service_level == pytest.approx(sl)
    assert s.longest_wait_seconds == 50


def test_other_exits_count_only_in_offered_formula() -> None:
    calls = [call(Outcome.ANSWERED, 3, talk=30), call(Outcome.TIMEOUT, 300)]
    assert stats(calls).service_level == 0.5
    assert stats(calls, formula=SLFormula.ANSWERED).service_level == 1.0
    assert stats(calls, formula=SLFormula.ANSWERED_ABANDONED).service_level == 1.0


@pytest.mark.parametrize(
    "outcome", [Outcome.TIMEOUT, Outcome.EXIT_EMPTY, Outcome.EXIT_KEY, Outcome.WITHDRAW]
)
def test_each_other_exit(outcome: Outcome) -> None:
    s = stats([call(outcome, 7)])
    assert (s.offered, s.other_exits, s.answered, s.abandoned) == (1, 1, 0, 0)


def test_empty() -> None:
    s = stats([])
    assert (s.offered, s.answered, s.abandoned, s.short_abandoned) == (0, 0, 0, 0)
    assert (s.other_exits, s.answered_within_target, s.waiting) == (0, 0, 0)
    for formula in SLFormula:
        assert stats([], formula=formula).service_level is None
    assert s.asa_seconds is None
    assert s.aht_seconds is None
    assert s.longest_wait_seconds is None


def test_aht_ignores_in_progress_and_missing_talk() -> None:
    calls = [
        call(Outcome.IN_PROGRESS, 4, talk=999),
        call(Outcome.ANSWERED, 4),  # no talk time recorded
        call(Outcome.TRANSFERRED, 4, talk=30, hold=10),
        call(Outcome.ANSWERED, 4, talk=50),
    ]
    s = stats(calls)
    assert s.aht_seconds == (40 + 50) / 2
    assert s.asa_seconds == 4
    assert s.answered == 4


def test_no_handled_calls_means_no_aht() -> None:
    assert stats([call(Outcome.IN_PROGRESS, 4)]).aht_seconds is None


def test_wait_derived_when_wait_seconds_missing() -> None:
    answered = CallRecord("a", "sales", T0, Outcome.ANSWERED, answered_at=T0 + 12, talk_seconds=5)
    abandoned = CallRecord("b", "sales", T0, Outcome.ABANDONED, ended_at=T0 + 2)
    unknown = CallRecord("c", "sales", T0, Outcome.ANSWERED, talk_seconds=5)
    assert call_wait(answered, NOW) == 12
    assert call_wait(abandoned, NOW) == 2
    assert call_wait(unknown, NOW) is None
    s = stats([answered, abandoned, unknown])
    assert s.asa_seconds == 12
    assert s.short_abandoned == 1
    assert s.longest_wait_seconds == 12


def test_waiting_call_wait_is_from_now_and_never_negative() -> None:
    assert call_wait(waiting_for(33), NOW) == 33
    future = call(Outcome.WAITING, entered=NOW + 5)
    assert call_wait(future, NOW) == 0


def test_interval_bounds_are_carried() -> None:
    s = stats([], interval_start=T0, interval_end=T0 + 900)
    assert (s.interval_start, s.interval_end) == (T0, T0 + 900)


# --- as_dict ---------------------------------------------------------------------------

DICT_KEYS = [
    "queue",
    "interval_start",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "other_exits",
    "answered_within_target",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "longest_wait_seconds",
    "target_seconds",
]


def test_as_dict_with_interval() -> None:
    calls = [
        call(Outcome.ANSWERED, 1.234, talk=10.006),
        call(Outcome.ANSWERED, 2, talk=20),
        call(Outcome.ANSWERED, 30, talk=30),
    ]
    s = stats(calls, interval_start=T0, interval_end=T0 + 900, formula=SLFormula.ANSWERED)
    d = s.as_dict(NY)
    assert list(d) == DICT_KEYS
    assert d["queue"] == "sales"
    assert d["interval_start"] == "2026-06-01T08:00:00-04:00"
    assert d["service_level"] == 0.6667  # 2/3 to 4 places
    assert d["asa_seconds"] == 11.08  # 33.234 / 3 = 11.078
    assert d["aht_seconds"] == 20.0  # 60.006 / 3 = 20.002
    assert d["longest_wait_seconds"] == 30
    assert d["target_seconds"] == 20
    assert (d["offered"], d["answered"], d["answered_within_target"]) == (3, 3, 2)
    assert json.loads(json.dumps(d)) == d


def test_as_dict_totals_omit_interval_start_and_keep_nones() -> None:
    d = stats([]).as_dict(NY)
    assert "interval_start" not in d
    assert list(d) == [k for k in DICT_KEYS if k != "interval_start"]
    for key in ("service_level", "asa_seconds", "aht_seconds", "longest_wait_seconds"):
        assert d[key] is None
    assert json.loads(json.dumps(d)) == d


def test_as_dict_offset_in_repeated_hour() -> None:
    second_one_am = dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC).timestamp()
    d = stats([], interval_start=second_one_am).as_dict(NY)
    assert d["interval_start"] == "2026-11-01T01:00:00-05:00"


# --- interval_stats / total_stats --------------------------------------------------------

QUARTERS = day_intervals(dt.date(2026, 6, 1), NY, 15)


def quarter_at(label: str) -> Interval:
    return next(iv for iv in QUARTERS if iv.label == label)


def test_interval_stats_rows_for_every_queue_and_interval() -> None:
    ivs = QUARTERS[32:36]  # 08:00 .. 09:00
    rows = interval_stats([], intervals=ivs, queues=["support", "sales"], now=NOW, targets={})
    assert len(rows) == 8
    assert [(r.queue, r.interval_start) for r in rows] == [
        (q, iv.start) for q in ("sales", "support") for iv in ivs
    ]
    assert all(r.offered == 0 and r.service_level is None for r in rows)
    assert all(r.interval_end == r.interval_start + 900 for r in rows)  # type: ignore[operator]


def test_interval_stats_buckets_on_entry_and_boundaries() -> None:
    eight = quarter_at("2026-06-01T08:00:00-04:00")
    quarter_past = quarter_at("2026-06-01T08:15:00-04:00")
    half_past = quarter_at("2026-06-01T08:30:00-04:00")
    assert eight.start == T0
    calls = [
        call(Outcome.ANSWERED, 3, entered=T0, talk=10),  # first instant: 08:00
        call(Outcome.ANSWERED, 3, entered=T0 + 899.999, talk=10),  # last instant: 08:00
        call(Outcome.ANSWERED, 3, entered=T0 + 900, talk=10),  # on the boundary: 08:15
        # entered at 08:14:50, answered in the next quarter: still 08:00 (entry counts)
        call(Outcome.ANSWERED, 30, entered=T0 + 890, talk=10),
        call(Outcome.ABANDONED, 2, entered=T0 + 1799, queue="support"),  # 08:15 support
        call(Outcome.ANSWERED, 3, entered=T0 - 1, talk=10),  # before the window
        call(Outcome.ANSWERED, 3, entered=T0 + 2700, talk=10),  # after the window
        call(Outcome.ANSWERED, 3, entered=T0 + 100, queue="billing", talk=10),  # not asked
    ]
    rows = interval_stats(
        calls,
        intervals=[eight, quarter_past, half_past],
        queues=["sales", "support"],
        now=NOW,
        targets={"sales": 20, "support": 10},
    )
    by = {(r.queue, r.interval_start): r for r in rows}
    assert len(rows) == 6
    assert by[("sales", eight.start)].offered == 3
    assert by[("sales", eight.start)].answered_within_target == 2
    assert by[("sales", quarter_past.start)].offered == 1
    assert by[("sales", half_past.start)].offered == 0
    assert by[("support", quarter_past.start)].short_abandoned == 1
    assert by[("support", eight.start)].offered == 0
    assert {r.target_seconds for r in rows if r.queue == "support"} == {10}
    assert {r.target_seconds for r in rows if r.queue == "sales"} == {20}


def test_interval_stats_default_target_and_formula() -> None:
    calls = [call(Outcome.ANSWERED, 25, talk=5), call(Outcome.ABANDONED, 40)]
    rows = interval_stats(
        calls,
        intervals=QUARTERS[32:33],
        queues=["sales"],
        now=NOW,
        targets={},
        default_target=30,
        formula=SLFormula.ANSWERED,
    )
    assert rows[0].target_seconds == 30
    assert rows[0].service_level == 1.0


def test_interval_stats_unsorted_intervals_and_duplicate_queues() -> None:
    ivs = [QUARTERS[33], QUARTERS[32]]
    calls = [call(Outcome.ANSWERED, 3, entered=T0 + 5, talk=5)]
    rows = interval_stats(calls, intervals=ivs, queues=["sales", "sales"], now=NOW, targets={})
    assert [r.interval_start for r in rows] == [QUARTERS[32].start, QUARTERS[33].start]
    assert [r.offered for r in rows] == [1, 0]


def test_interval_stats_with_gaps_between_intervals() -> None:
    ivs = [QUARTERS[0], QUARTERS[2]]
    calls = [
        call(Outcome.ANSWERED, 3, entered=QUARTERS[1].start + 1, talk=5),  # in the gap
        call(Outcome.ANSWERED, 3, entered=QUARTERS[2].start, talk=5),
    ]
    rows = interval_stats(calls, intervals=ivs, queues=["sales"], now=NOW, targets={})
    assert [r.offered for r in rows] == [0, 1]


def test_interval_stats_across_the_repeated_hour() -> None:
    ivs = day_intervals(dt.date(2026, 11, 1), NY, 60)
    first, second = ivs[1], ivs[2]  # 01:00 -04:00 and 01:00 -05:00
    calls = [
        call(Outcome.ANSWERED, 3, entered=first.start + 60, talk=5),
        call(Outcome.ANSWERED, 3, entered=second.start + 60, talk=5),
        call(Outcome.ANSWERED, 3, entered=second.start + 120, talk=5),
    ]
    rows = interval_stats(calls, intervals=ivs, queues=["sales"], now=NOW, targets={})
    assert len(rows) == 25
    by_label = {r.as_dict(NY)["interval_start"]: r.offered for r in rows}
    assert by_label["2026-11-01T01:00:00-04:00"] == 1
    assert by_label["2026-11-01T01:00:00-05:00"] == 2


def random_calls(
    n: int, start: float, end: float, queues: list[str], seed: int = 7
) -> list[CallRecord]:
    rng = random.Random(seed)
    outcomes = list(Outcome)
    out: list[CallRecord] = []
    for i in range(n):
        outcome = rng.choice(outcomes)
        entered = rng.uniform(start, end)
        if i % 97 == 0:  # some right on a boundary
            entered = start + 900 * rng.randrange(int((end - start) // 900))
        wait = rng.uniform(0, 120)
        out.append(
            CallRecord(
                callid=str(i),
                queue=rng.choice(queues),
                entered_at=entered,
                outcome=outcome,
                wait_seconds=None if outcome is Outcome.WAITING else wait,
                talk_seconds=rng.uniform(10, 600),
            )
        )
    return out


def test_interval_stats_matches_brute_force() -> None:
    day = dt.date(2026, 6, 1)
    start, end = day_bounds(day, NY)
    queues = ["a", "b", "c"]
    calls = random_calls(3000, start - 1000, end + 1000, queues)
    rows = interval_stats(calls, intervals=QUARTERS, queues=queues, now=end, targets={"a": 10})
    for row in rows[:: len(QUARTERS) // 8]:
        assert row.interval_start is not None and row.interval_end is not None
        selected = [
            c
            for c in calls
            if c.queue == row.queue and row.interval_start <= c.entered_at < row.interval_end
        ]
        expected = compute_stats(
            selected,
            queue=row.queue,
            now=end,
            target_seconds=10 if row.queue == "a" else 20,
            interval_start=row.interval_start,
            interval_end=row.interval_end,
        )
        assert row == expected


def test_totals_equal_sum_of_intervals() -> None:
    day = dt.date(2026, 6, 1)
    start, end = day_bounds(day, NY)
    queues = ["a", "b"]
    calls = random_calls(2000, start - 1000, end + 1000, queues + ["other"])
    rows = interval_stats(calls, intervals=QUARTERS, queues=queues, now=end, targets={})
    totals = total_stats(calls, queues=queues, now=end, targets={}, start=start, end=end)
    assert [t.queue for t in totals] == queues
    for total in totals:
        mine = [r for r in rows if r.queue == total.queue]
        for field in (
            "offered",
            "answered",
            "abandoned",
            "short_abandoned",
            "other_exits",
            "answered_within_target",
            "waiting",
        ):
            assert getattr(total, field) == sum(getattr(r, field) for r in mine), field
        assert total.interval_start is None and total.interval_end is None
        assert total.longest_wait_seconds == max(
            r.longest_wait_seconds for r in mine if r.longest_wait_seconds is not None
        )


def test_total_stats_without_window_counts_everything_given() -> None:
    calls = [call(Outcome.ANSWERED, 3, entered=T0 + k * 10_000, talk=5) for k in range(5)]
    (total,) = total_stats(calls, queues=["sales"], now=NOW, targets={"sales": 2})
    assert total.offered == 5
    assert total.answered_within_target == 0
    assert total.target_seconds == 2
    (empty,) = total_stats([], queues=["sales"], now=NOW, targets={})
    assert empty.offered == 0 and empty.service_level is None


def test_interval_stats_is_fast_on_100k_calls() -> None:
    start, end = day_bounds(dt.date(2026, 6, 1), NY)
    queues = ["q1", "q2", "q3", "q4"]
    calls = random_calls(120_000, start, end, queues)
    began = time.perf_counter()
    rows = interval_stats(calls, intervals=QUARTERS, queues=queues, now=end, targets={})
    elapsed = time.perf_counter() - began
    assert len(rows) == 4 * 96
    assert sum(r.offered for r in rows) == 120_000
    assert elapsed < 5.0  # O(n log k); takes a fraction of a second


# --- queue_now -------------------------------------------------------------------------


def test_queue_now() -> None:
    waiting = [
        waiting_for(30, "sales"),
        waiting_for(90, "sales"),
        waiting_for(5, "support"),
        waiting_for(500, "billing"),  # not asked for
        call(Outcome.ANSWERED, 3, queue="sales"),  # not waiting any more: ignored
    ]
    both = frozenset({"sales", "support"})
    agents = [
        ("alice", AgentState.AVAILABLE, both),
        ("bob", AgentState.ON_CALL, frozenset({"sales"})),
        ("carol", AgentState.PAUSED, both),
        ("dave", AgentState.RINGING, frozenset({"support"})),
        ("erin", AgentState.LOGGED_OUT, both),
        ("frank", AgentState.ON_CALL, frozenset({"billing"})),
    ]
    rows = queue_now(waiting, agents, queues=["support", "sales", "empty"], now=NOW)
    assert rows == [
        QueueNow("empty", 0, None, 0, 0, 0, 0, 0),
        QueueNow("sales", 2, 90.0, 1, 1, 1, 0, 3),
        QueueNow("support", 1, 5.0, 1, 0, 1, 1, 3),
    ]


def test_queue_now_last_state_of_an_agent_wins() -> None:
    sales = frozenset({"sales"})
    agents = [("alice", AgentState.AVAILABLE, sales), ("alice", AgentState.ON_CALL, sales)]
    (row,) = queue_now([], agents, queues=["sales"], now=NOW)
    assert (row.agents_available, row.agents_on_call, row.agents_logged_in) == (0, 1, 1)


# --- levels ----------------------------------------------------------------------------


def test_level_symbols_and_words() -> None:
    assert [(lv.symbol, lv.word) for lv in Level] == [
        ("✓", "ok"),
        ("▲", "warn"),
        ("✗", "bad"),
    ]
    assert len({lv.symbol for lv in Level}) == 3


@pytest.mark.parametrize(
    ("sl", "target", "margin", "level"),
    [
        (None, 0.8, 0.1, None),
        (1.0, 0.8, 0.1, Level.OK),
        (0.8, 0.8, 0.1, Level.OK),
        (0.79, 0.8, 0.1, Level.WARN),
        (0.7, 0.8, 0.1, Level.WARN),
        (0.69, 0.8, 0.1, Level.BAD),
        (0.0, 0.8, 0.1, Level.BAD),
        (0.75, 0.8, 0.02, Level.BAD),
        (0.79, 0.8, 0.02, Level.WARN),
    ],
)
def test_sl_level(sl: float | None, target: float, margin: float, level: Level | None) -> None:
    assert sl_level(sl, target, margin) == level


def test_sl_level_default_margin() -> None:
    assert sl_level(0.71, 0.8) is Level.WARN
    assert sl_level(0.69, 0.8) is Level.BAD


@pytest.mark.parametrize(
    ("seconds", "level"),
    [
        (None, Level.OK),
        (0, Level.OK),
        (20, Level.OK),
        (20.1, Level.WARN),
        (40, Level.WARN),
        (40.1, Level.BAD),
        (600, Level.BAD),
    ],
)
def test_wait_level(seconds: float | None, level: Level) -> None:
    assert wait_level(seconds, 20) is level


@pytest.mark.parametrize(
    ("state", "seconds", "age"),
    [
        (AgentState.ON_CALL, 0, 0),
        (AgentState.ON_CALL, 299, 0),
        (AgentState.ON_CALL, 300, 1),
        (AgentState.ON_CALL, 600, 2),
        (AgentState.ON_CALL, 1199, 2),
        (AgentState.ON_CALL, 1200, 3),
        (AgentState.ON_CALL, 99_999, 3),
        (AgentState.PAUSED, 299, 0),
        (AgentState.PAUSED, 300, 1),
        (AgentState.PAUSED, 900, 2),
        (AgentState.PAUSED, 1800, 3),
        (AgentState.AVAILABLE, 119, 0),
        (AgentState.AVAILABLE, 120, 1),
        (AgentState.AVAILABLE, 300, 2),
        (AgentState.AVAILABLE, 600, 3),
        (AgentState.RINGING, 9, 0),
        (AgentState.RINGING, 10, 1),
        (AgentState.RINGING, 20, 2),
        (AgentState.RINGING, 30, 3),
        (AgentState.LOGGED_OUT, 10**6, 0),
    ],
)
def test_state_age_level(state: AgentState, seconds: float, age: int) -> None:
    assert state_age_level(state, seconds) == age


def test_state_age_thresholds_are_increasing() -> None:
    for thresholds in STATE_AGE_THRESHOLDS.values():
        assert list(thresholds) == sorted(thresholds)
        assert len(thresholds) == 3


def test_every_formula_is_described() -> None:
    assert set(SL_FORMULA_TEXT) == set(SLFormula)
    assert all(SL_FORMULA_TEXT[f] for f in SLFormula)
    assert SLFormula("offered_less_short") is SLFormula.OFFERED_LESS_SHORT
    assert Counter(SL_FORMULA_TEXT.values()).most_common(1)[0][1] == 1  # all distinct
