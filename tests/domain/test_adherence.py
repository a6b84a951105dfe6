"""Schedule adherence and conformance, every figure computed by hand."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from floorsup.domain.adherence import (
    DEFAULT_PRODUCTIVE,
    Actual,
    AgentAdherence,
    Authorization,
    ExceptionRun,
    NowStatus,
    Rules,
    Segment,
    actuals_from_spans,
    adherence_glance,
    adherence_now,
    agent_adherence,
    agent_adherence_now,
    make_rules,
    schedule_plan,
    state_label,
    team_summary,
)
from floorsup.domain.intervals import day_bounds
from floorsup.domain.types import AgentSpan, AgentState

AV = AgentState.AVAILABLE
RING = AgentState.RINGING
CALL = AgentState.ON_CALL
PAUSED = AgentState.PAUSED
OUT = AgentState.LOGGED_OUT

DAY = dt.date(2026, 6, 1)
DAY0 = dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp()
DAY_END = DAY0 + 86400
RULES = make_rules()
NY = "America/New_York"


def T(hour: int, minute: int = 0, second: int = 0) -> float:
    """UTC epoch of a wall time on DAY (hours past 23 run into the next day)."""
    return DAY0 + hour * 3600 + minute * 60 + second


def seg(h0: float, h1: float, activity: str) -> Segment:
    return Segment(h0, h1, activity)


def act(s: float, e: float, state: AgentState, reason: str | None = None) -> Actual:
    return Actual(s, e, state, reason)


def day(
    segments: list[Segment],
    actuals: list[Actual],
    rules: Rules = RULES,
    *,
    start: float = DAY0,
    end: float = DAY_END,
    authorizations: tuple[Authorization, ...] = (),
) -> AgentAdherence:
    return agent_adherence(
        segments, actuals, start=start, end=end, rules=rules, authorizations=authorizations
    )


def now_of(
    segments: list[Segment],
    actuals: list[Actual],
    now: float,
    rules: Rules = RULES,
    authorizations: tuple[Authorization, ...] = (),
) -> NowStatus:
    return adherence_now(segments, actuals, now=now, rules=rules, authorizations=authorizations)


def exc(
    s: float,
    e: float,
    activity: str,
    state: str,
    *,
    authorized: bool = False,
    severe: bool | None = None,
    rules: Rules = RULES,
) -> ExceptionRun:
    seconds = e - s
    if severe is None:
        severe = seconds >= rules.severe_threshold_seconds
    return ExceptionRun(s, e, activity, state, seconds, authorized, severe)


SHIFT = [seg(T(9), T(17), "open")]


# --- the vendor's worked example ----------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [
        pytest.param([], id="nothing-known-before-0930"),
        pytest.param([act(T(0), T(9, 30), OUT)], id="logged-out-until-0930"),
    ],
)
def test_vendor_worked_example(before: list[Actual]) -> None:
    # Scheduled 09:00-17:00 open; worked 09:30-17:30.
    worked = [
        act(T(9, 30), T(12), AV),
        act(T(12), T(12, 0, 8), RING),
        act(T(12, 0, 8), T(12, 10), CALL),
        act(T(12, 10), T(17, 30), AV),
    ]
    r = day(SHIFT, before + worked)
    assert r.scheduled_seconds == 8 * 3600
    assert r.scheduled_open_seconds == 8 * 3600
    assert r.productive_seconds == 8 * 3600  # 09:30-17:30
    assert r.conformance == 1.0
    assert r.out_of_adherence_seconds == 1800
    assert r.in_adherence_seconds == 8 * 3600 - 1800
    assert r.adherence == 0.9375
    assert r.exceptions == (exc(T(9), T(9, 30), "open", "logged_out", severe=True),)


# --- what satisfies what -------------------------------------------------------------------

BREAK_DAY = [
    seg(T(9), T(10), "open"),
    seg(T(10), T(10, 15), "break"),
    seg(T(10, 15), T(11), "open"),
]


def break_actuals(state: AgentState, reason: str | None) -> list[Actual]:
    return [act(T(9), T(10), AV), act(T(10), T(10, 15), state, reason), act(T(10, 15), T(11), AV)]


@pytest.mark.parametrize("reason", ["Break", "BREAK", "break", " break "])
def test_break_satisfied_by_pause_reason_any_case(reason: str) -> None:
    r = day(BREAK_DAY, break_actuals(PAUSED, reason))
    assert r.scheduled_seconds == 7200
    assert r.scheduled_open_seconds == 6300
    assert r.productive_seconds == 6300
    assert (r.adherence, r.conformance, r.exceptions) == (1.0, 1.0, ())


@pytest.mark.parametrize(
    ("reason_map", "reason", "out"),
    [
        ({"Meal": "lunch"}, "Meal", 0),
        ({"meal": "LUNCH"}, "MEAL", 0),  # both sides case-insensitive
        ({}, "Meal", 3600),  # no mapping: "meal" is not "lunch"
        ({"Meal": "lunch"}, "Lunch", 0),  # the activity's own name still works
        ({"Meal": "break"}, "Meal", 3600),  # mapped elsewhere
    ],
)
def test_lunch_via_reason_map(reason_map: dict[str, str], reason: str, out: float) -> None:
    segments = [seg(T(12), T(13), "lunch")]
    r = day(segments, [act(T(12), T(13), PAUSED, reason)], make_rules(reason_map=reason_map))
    assert r.scheduled_seconds == 3600
    assert r.out_of_adherence_seconds == out
    assert r.scheduled_open_seconds == 0
    assert r.conformance is None  # nothing productive scheduled
    if out:
        assert r.exceptions == (exc(T(12), T(13), "lunch", f"paused: {reason}"),)


@pytest.mark.parametrize(
    ("reason", "equivalency", "out"),
    [
        ("Lunch", False, 900),  # wrong reason
        ("Lunch", True, 0),  # any pause satisfies any non-productive activity
        (None, False, 900),  # a pause without a reason satisfies nothing ...
        (None, True, 0),  # ... unless activities are equivalent
        ("Training", True, 0),
    ],
)
def test_wrong_pause_reason_and_activity_equivalency(
    reason: str | None, equivalency: bool, out: float
) -> None:
    rules = make_rules(activity_equivalency=equivalency)
    r = day(BREAK_DAY, break_actuals(PAUSED, reason), rules)
    assert r.out_of_adherence_seconds == out
    assert r.adherence == (7200 - out) / 7200
    if out:
        label = "paused" if reason is None else f"paused: {reason}"
        assert r.exceptions == (exc(T(10), T(10, 15), "break", label),)


def test_activity_equivalency_never_lets_a_pause_satisfy_open() -> None:
    rules = make_rules(activity_equivalency=True)
    actuals = [
        act(T(9), T(9, 20), AV),
        act(T(9, 20), T(9, 30), PAUSED, "Open"),
        act(T(9, 30), T(10), AV),
    ]
    r = day([seg(T(9), T(10), "open")], actuals, rules)
    assert r.exceptions == (exc(T(9, 20), T(9, 30), "open", "paused: Open"),)


def test_paused_during_open_is_out() -> None:
    actuals = [
        act(T(9), T(9, 20), AV),
        act(T(9, 20), T(9, 30), PAUSED, "Break"),
        act(T(9, 30), T(17), CALL),
    ]
    r = day(SHIFT, actuals)
    assert r.out_of_adherence_seconds == 600
    assert r.adherence == (28800 - 600) / 28800
    assert r.productive_seconds == 28800 - 600
    assert r.exceptions == (exc(T(9, 20), T(9, 30), "open", "paused: Break", severe=True),)


@pytest.mark.parametrize("state", [AV, RING, CALL])
def test_working_during_break_is_out_but_counts_toward_conformance(state: AgentState) -> None:
    segments = [seg(T(9), T(10), "open"), seg(T(10), T(10, 15), "break")]
    actuals = [
        act(T(9), T(10), AV),
        act(T(10), T(10, 5), state),
        act(T(10, 5), T(10, 15), PAUSED, "Break"),
    ]
    r = day(segments, actuals)
    assert r.scheduled_seconds == 4500
    assert r.out_of_adherence_seconds == 300
    assert r.productive_seconds == 3900
    assert r.scheduled_open_seconds == 3600
    assert r.conformance == pytest.approx(3900 / 3600)
    assert r.exceptions == (exc(T(10), T(10, 5), "break", state.value, severe=True),)


@pytest.mark.parametrize(
    "middle",
    [
        pytest.param([act(T(9, 40), T(9, 50), OUT)], id="logged-out-span"),
        pytest.param([], id="hole-in-the-feed"),
    ],
)
def test_logged_out_or_unknown_during_open_is_out(middle: list[Actual]) -> None:
    actuals = [act(T(9), T(9, 40), AV), *middle, act(T(9, 50), T(10), AV)]
    r = day([seg(T(9), T(10), "open")], actuals)
    assert r.out_of_adherence_seconds == 600
    assert r.productive_seconds == 3000
    assert r.exceptions == (exc(T(9, 40), T(9, 50), "open", "logged_out"),)


def test_no_actuals_at_all_is_logged_out_throughout() -> None:
    r = day(SHIFT, [])
    assert (r.adherence, r.conformance, r.productive_seconds) == (0.0, 0.0, 0.0)
    assert r.exceptions == (exc(T(9), T(17), "open", "logged_out"),)


def test_off_is_not_counted_and_ends_a_run() -> None:
    segments = [seg(T(9), T(12), "open"), seg(T(12), T(13), "OFF"), seg(T(13), T(14), "open")]
    actuals = [act(T(9), T(11, 55), AV), act(T(11, 55), T(13, 5), OUT), act(T(13, 5), T(14), AV)]
    r = day(segments, actuals)
    assert r.scheduled_seconds == 4 * 3600
    assert r.scheduled_open_seconds == 4 * 3600
    assert r.out_of_adherence_seconds == 600  # 11:55-12:00 and 13:00-13:05, not the hour off
    assert r.exceptions == (
        exc(T(11, 55), T(12), "open", "logged_out", severe=True),
        exc(T(13), T(13, 5), "open", "logged_out", severe=True),
    )


def test_working_when_off_counts_toward_conformance_only() -> None:
    segments = [seg(T(9), T(10), "open"), seg(T(10), T(11), "off")]
    r = day(segments, [act(T(9), T(11), CALL)])
    assert r.scheduled_seconds == 3600
    assert (r.adherence, r.productive_seconds, r.conformance) == (1.0, 7200, 2.0)


def test_unscheduled_work_counts_for_conformance_only_and_can_exceed_100_percent() -> None:
    actuals = [act(T(8), T(10), AV), act(T(10), T(11), CALL)]
    r = day([seg(T(9), T(10), "open")], actuals)
    assert r.scheduled_seconds == 3600
    assert r.adherence == 1.0
    assert r.productive_seconds == 3 * 3600
    assert r.conformance == 3.0
    assert r.exceptions == ()


def test_nothing_scheduled_gives_no_ratios() -> None:
    r = day([], [act(T(9), T(10), AV)])
    assert r == AgentAdherence(0.0, 0.0, 0.0, None, 3600.0, 0.0, None, ())


def test_empty_window() -> None:
    r = day(SHIFT, [act(T(9), T(17), AV)], start=T(12), end=T(12))
    assert r == AgentAdherence(0.0, 0.0, 0.0, None, 0.0, 0.0, None, ())


# --- custom activities and rules -----------------------------------------------------------


def test_make_rules_merges_custom_activities_case_insensitively() -> None:
    rules = make_rules({"Outbound": True, "EMAIL": False, "Training": True, "off": True})
    assert rules.productive == {
        **DEFAULT_PRODUCTIVE,
        "outbound": True,
        "email": False,
        "training": True,
    }
    assert rules.is_productive("OUTBOUND") and rules.is_productive("training")
    assert not rules.is_productive("off") and not rules.is_productive("unknown")
    assert make_rules().productive == dict(DEFAULT_PRODUCTIVE)


def test_custom_productive_and_non_productive_activities() -> None:
    rules = make_rules({"Outbound": True, "Email": False})
    segments = [
        seg(T(9), T(10), "Outbound"),
        seg(T(10), T(11), "email"),
        seg(T(11), T(12), "Project"),
    ]
    actuals = [
        act(T(9), T(10), CALL),  # outbound is productive: on call satisfies it
        act(T(10), T(11), PAUSED, "E-mail"),  # not "email": out
        act(T(11), T(12), PAUSED, "project"),  # unknown activity: non-productive, by name
    ]
    r = day(segments, actuals, rules)
    assert r.scheduled_seconds == 3 * 3600
    assert r.scheduled_open_seconds == 3600
    assert r.out_of_adherence_seconds == 3600
    assert r.conformance == 1.0
    assert r.exceptions == (exc(T(10), T(11), "email", "paused: E-mail"),)


def test_rules_satisfies() -> None:
    rules = make_rules(reason_map={"Meal": "Lunch"})
    assert rules.satisfies("OPEN", AV) and rules.satisfies("open", RING)
    assert not rules.satisfies("open", PAUSED, "open")
    assert rules.satisfies("Lunch", PAUSED, "meal") and not rules.satisfies("lunch", PAUSED)
    assert not rules.satisfies("break", OUT) and not rules.satisfies("off", AV)


@pytest.mark.parametrize("field", ["exception_threshold_seconds", "severe_threshold_seconds"])
@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_rules_reject_bad_thresholds(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        if field == "exception_threshold_seconds":
            Rules(DEFAULT_PRODUCTIVE, exception_threshold_seconds=value)
        else:
            Rules(DEFAULT_PRODUCTIVE, severe_threshold_seconds=value)


def test_rules_are_hashable_and_compare_by_value() -> None:
    a = make_rules({"X": True}, {"Meal": "lunch"})
    b = make_rules({"x": True}, {"meal": "LUNCH"})
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize(
    ("state", "reason", "label"),
    [
        (AV, None, "available"),
        (CALL, None, "on_call"),
        (RING, None, "ringing"),
        (OUT, None, "logged_out"),
        (PAUSED, "Lunch", "paused: Lunch"),
        (PAUSED, None, "paused"),
    ],
)
def test_state_label(state: AgentState, reason: str | None, label: str) -> None:
    assert state_label(state, reason) == label


# --- exceptions: merging, labels, thresholds -------------------------------------------------


def test_run_merges_across_activity_and_state_changes_and_takes_the_majority_label() -> None:
    # Out 09:50-10:15: open 09:50-10:00 (10 min), break 10:00-10:15 (15 min, wrong reason);
    # logged out 09:50-09:52, then paused "Lunch" (23 min).
    actuals = [
        act(T(9), T(9, 50), AV),
        act(T(9, 50), T(9, 52), OUT),
        act(T(9, 52), T(10, 15), PAUSED, "Lunch"),
        act(T(10, 15), T(11), AV),
    ]
    r = day(BREAK_DAY, actuals)
    assert r.out_of_adherence_seconds == 1500
    assert r.exceptions == (exc(T(9, 50), T(10, 15), "break", "paused: Lunch"),)


def test_label_tie_goes_to_the_first() -> None:
    # 5 min paused "Coffee" in open, then 5 min on call in the break: equal shares.
    actuals = [
        act(T(9), T(9, 55), AV),
        act(T(9, 55), T(10), PAUSED, "Coffee"),
        act(T(10), T(10, 5), CALL),
    ]
    actuals.append(act(T(10, 5), T(10, 15), PAUSED, "Break"))
    actuals.append(act(T(10, 15), T(11), AV))
    r = day(BREAK_DAY, actuals)
    assert r.exceptions == (exc(T(9, 55), T(10, 5), "open", "paused: Coffee"),)


def test_majority_state_inside_one_stretch_of_work() -> None:
    # Working through the whole break: available 4 min, ringing 10 s, on call 10 min 50 s.
    actuals = [
        act(T(9), T(10, 0), AV),
        act(T(10, 0), T(10, 4), AV),
        act(T(10, 4), T(10, 4, 10), RING),
        act(T(10, 4, 10), T(10, 15), CALL),
        act(T(10, 15), T(11), AV),
    ]
    r = day(BREAK_DAY, actuals)
    assert r.exceptions == (exc(T(10), T(10, 15), "break", "on_call"),)
    assert r.productive_seconds == 7200


@pytest.mark.parametrize(
    ("seconds", "threshold", "listed"),
    [
        (59, 60, False),  # shorter than the threshold: in adherence
        (59, 0, True),
        (60, 60, True),  # not shorter
        (61, 60, True),
    ],
)
def test_exception_threshold(seconds: int, threshold: float, listed: bool) -> None:
    rules = make_rules(exception_threshold_seconds=threshold)
    actuals = [act(T(9), T(10), AV), act(T(10), T(10, 0, seconds), PAUSED, "Coffee")]
    actuals.append(act(T(10, 0, seconds), T(17), AV))
    r = day(SHIFT, actuals, rules)
    if listed:
        assert r.out_of_adherence_seconds == seconds
        assert r.exceptions == (exc(T(10), T(10, 0, seconds), "open", "paused: Coffee"),)
    else:
        assert r.out_of_adherence_seconds == 0
        assert (r.adherence, r.exceptions) == (1.0, ())


@pytest.mark.parametrize(
    ("seconds", "severe_threshold", "severe"),
    [(299, 300, False), (300, 300, True), (301, 300, True), (599, 600, False), (600, 600, True)],
)
def test_severe_threshold_boundary(seconds: int, severe_threshold: float, severe: bool) -> None:
    rules = make_rules(severe_threshold_seconds=severe_threshold)
    actuals = [
        act(T(9), T(10), AV),
        act(T(10), T(10) + seconds, OUT),
        act(T(10) + seconds, T(17), AV),
    ]
    (only,) = day(SHIFT, actuals, rules).exceptions
    assert only.seconds == seconds
    assert only.severe is severe


# --- authorisations ---------------------------------------------------------------------------

LATE = [act(T(9, 30), T(17), AV)]  # out (unknown = logged out) 09:00-09:30


def test_whole_run_authorised_counts_as_in() -> None:
    auth = Authorization(T(8, 55), T(9, 35), "sup", "doctor")
    r = day(SHIFT, LATE, authorizations=(auth,))
    assert r.out_of_adherence_seconds == 0
    assert r.adherence == 1.0
    assert r.exceptions == (exc(T(9), T(9, 30), "open", "logged_out", authorized=True),)


def test_partly_authorised_run_is_split_into_pieces() -> None:
    auth = Authorization(T(9, 10), T(9, 20), "sup", "train late")
    r = day(SHIFT, LATE, authorizations=(auth,))
    assert r.out_of_adherence_seconds == 1200
    assert r.in_adherence_seconds == 28800 - 1200
    assert r.exceptions == (
        exc(T(9), T(9, 10), "open", "logged_out"),
        exc(T(9, 10), T(9, 20), "open", "logged_out", authorized=True),
        exc(T(9, 20), T(9, 30), "open", "logged_out"),
    )


def test_overlapping_authorisations_are_merged() -> None:
    auths = (Authorization(T(9), T(9, 10), "a", "x"), Authorization(T(9, 5), T(9, 20), "b", "y"))
    r = day(SHIFT, LATE, authorizations=auths)
    assert r.out_of_adherence_seconds == 600
    assert [(e.start, e.end, e.authorized) for e in r.exceptions] == [
        (T(9), T(9, 20), True),
        (T(9, 20), T(9, 30), False),
    ]


def test_threshold_applies_to_the_whole_run_before_authorisation() -> None:
    # A 30-minute run with a 25-minute threshold counts; 20 minutes of it are authorised,
    # the remaining 10 minutes stay out although they alone are under the threshold.
    rules = make_rules(exception_threshold_seconds=25 * 60)
    auth = Authorization(T(9), T(9, 20), "sup", "bus")
    r = day(SHIFT, LATE, rules, authorizations=(auth,))
    assert r.out_of_adherence_seconds == 600
    assert [e.authorized for e in r.exceptions] == [True, False]


def test_authorisation_outside_any_run_changes_nothing() -> None:
    auth = Authorization(T(12), T(13), "sup", "nothing")
    assert day(SHIFT, LATE, authorizations=(auth,)) == day(SHIFT, LATE)


# --- windows, midnight, DST -------------------------------------------------------------------


def test_window_clipped_at_now() -> None:
    # The vendor day seen at 12:00: the lasting span is clipped to now by the caller, and
    # anything past `end` is ignored anyway.
    clipped = day(SHIFT, [act(T(9, 30), T(12), AV)], end=T(12))
    unclipped = day(SHIFT, [act(T(9, 30), T(17, 30), AV)], end=T(12))
    assert clipped == unclipped
    assert clipped.scheduled_seconds == 3 * 3600
    assert clipped.out_of_adherence_seconds == 1800
    assert clipped.adherence == pytest.approx(9000 / 10800)
    assert clipped.productive_seconds == 9000
    assert clipped.conformance == pytest.approx(9000 / 10800)


def test_window_start_clips_too() -> None:
    r = day(SHIFT, LATE, start=T(9, 20), end=T(10))
    assert r.scheduled_seconds == 2400
    assert r.exceptions == (exc(T(9, 20), T(9, 30), "open", "logged_out"),)


NIGHT = [
    seg(T(22), T(26), "open"),  # 22:00 to 02:00 the next day (UTC)
    seg(T(26), T(26, 30), "break"),
    seg(T(26, 30), T(30), "open"),  # to 06:00
]
NIGHT_WORK = [
    act(T(22), T(26), AV),
    act(T(26), T(26, 30), PAUSED, "Break"),
    act(T(26, 30), T(30), CALL),
]


@pytest.mark.parametrize(
    ("window", "scheduled", "scheduled_open"),
    [
        pytest.param(day_bounds(DAY, "UTC"), 2 * 3600, 2 * 3600, id="first-date"),
        pytest.param(
            day_bounds(DAY + dt.timedelta(days=1), "UTC"), 6 * 3600, 5.5 * 3600, id="second-date"
        ),
        pytest.param((T(0), T(48)), 8 * 3600, 7.5 * 3600, id="both"),
    ],
)
def test_midnight_crossing_shift(
    window: tuple[float, float], scheduled: float, scheduled_open: float
) -> None:
    r = day(NIGHT, NIGHT_WORK, start=window[0], end=window[1])
    assert r.scheduled_seconds == scheduled
    assert r.scheduled_open_seconds == scheduled_open
    assert r.productive_seconds == scheduled_open
    assert (r.adherence, r.conformance, r.exceptions) == (1.0, 1.0, ())


def ny(day_: dt.date, hour: int, minute: int = 0, fold: int = 0) -> float:
    zone = ZoneInfo(NY)
    return dt.datetime(
        day_.year, day_.month, day_.day, hour, minute, tzinfo=zone, fold=fold
    ).timestamp()


def test_dst_spring_forward_durations_are_elapsed_seconds() -> None:
    d = dt.date(2026, 3, 8)  # 02:00 EST -> 03:00 EDT
    segments = [
        seg(ny(d, 0), ny(d, 1, 45), "open"),
        seg(ny(d, 1, 45), ny(d, 3, 15), "break"),  # 30 real minutes across the jump
        seg(ny(d, 3, 15), ny(d, 8), "open"),
    ]
    actuals = [
        act(ny(d, 0), ny(d, 1, 45), AV),
        act(ny(d, 1, 45), ny(d, 3, 15), PAUSED, "Break"),
        act(ny(d, 3, 15), ny(d, 8, 0), CALL),
    ]
    start, end = day_bounds(d, NY)
    assert end - start == 23 * 3600
    r = day(segments, actuals, start=start, end=end)
    assert r.scheduled_seconds == 7 * 3600
    assert r.scheduled_open_seconds == 6.5 * 3600
    assert (r.adherence, r.conformance) == (1.0, 1.0)


def test_dst_fall_back_durations_are_elapsed_seconds() -> None:
    d = dt.date(2026, 11, 1)  # 02:00 EDT -> 01:00 EST: 01:00-02:00 happens twice
    segments = [seg(ny(d, 0), ny(d, 8), "open")]  # 9 real hours
    login = ny(d, 1, 30, fold=1)  # the second 01:30 (EST)
    start, end = day_bounds(d, NY)
    assert end - start == 25 * 3600
    r = day(segments, [act(login, ny(d, 8), AV)], start=start, end=end)
    assert r.scheduled_seconds == 9 * 3600
    assert r.out_of_adherence_seconds == 2.5 * 3600  # 00:00 EDT to 01:30 EST
    assert r.productive_seconds == 6.5 * 3600
    assert r.exceptions == (exc(ny(d, 0), login, "open", "logged_out"),)


# --- messy input ------------------------------------------------------------------------------


def test_layered_segments_later_start_wins() -> None:
    layered = [seg(T(9), T(11), "open"), seg(T(10), T(10, 15), "Break")]
    actuals = break_actuals(PAUSED, "Break")
    assert day(layered, actuals) == day(BREAK_DAY, actuals)
    off_on_top = [seg(T(9), T(17), "open"), seg(T(12), T(13), "off")]
    assert day(off_on_top, [act(T(9), T(12), AV), act(T(13), T(17), AV)]).adherence == 1.0


def test_unsorted_and_overlapping_actuals() -> None:
    actuals = [act(T(9, 30), T(12), AV), act(T(12), T(12, 10), CALL), act(T(12, 10), T(17, 30), AV)]
    shuffled = actuals[::-1]
    assert day(SHIFT, shuffled) == day(SHIFT, actuals)
    # A pause laid over a long available span: the later start wins while it lasts.
    overlapping = [act(T(9), T(17), AV), act(T(12), T(12, 10), PAUSED, "Coffee")]
    r = day(SHIFT, overlapping)
    assert r.productive_seconds == 8 * 3600 - 600
    assert r.exceptions == (exc(T(12), T(12, 10), "open", "paused: Coffee"),)


def test_zero_length_and_out_of_window_spans_are_ignored() -> None:
    actuals = [
        act(T(7), T(8), AV),
        act(T(9, 30), T(12), AV),
        act(T(12), T(12), PAUSED, "Blip"),
        act(T(12), T(17, 30), AV),
    ]
    r = day(SHIFT, actuals, start=T(8, 30), end=T(17))
    assert r.productive_seconds == 7.5 * 3600
    assert r.exceptions == (exc(T(9), T(9, 30), "open", "logged_out"),)


def test_actuals_from_spans_clips_the_lasting_span_to_now() -> None:
    spans = [
        AgentSpan("a1", AV, T(9), T(10)),
        AgentSpan("a1", PAUSED, T(10), None, reason="Lunch"),
        AgentSpan("a1", AV, T(11), T(12)),  # after now (replay): dropped
    ]
    assert actuals_from_spans(spans, T(10, 30)) == [
        act(T(9), T(10), AV),
        act(T(10), T(10, 30), PAUSED, "Lunch"),
    ]


# --- now ---------------------------------------------------------------------------------------

DAYPLAN = [seg(T(9), T(10), "open"), seg(T(10), T(10, 15), "break"), seg(T(10, 15), T(17), "open")]


def test_now_in_adherence() -> None:
    st = now_of(DAYPLAN, [act(T(9), T(9, 30), CALL)], T(9, 30))
    assert st == NowStatus("open", CALL, None, True, None, False)


@pytest.mark.parametrize(
    ("now", "severe"),
    [(T(9, 34), False), (T(9, 34, 59), False), (T(9, 35), True), (T(9, 50), True)],
)
def test_now_out_since_and_severe_after_300_seconds(now: float, severe: bool) -> None:
    actuals = [act(T(9), T(9, 30), AV), act(T(9, 30), now, PAUSED, "Coffee")]
    st = now_of(DAYPLAN, actuals, now)
    assert st == NowStatus("open", PAUSED, "Coffee", False, T(9, 30), severe)


def test_now_run_reaches_back_across_segments() -> None:
    # Logged out since 09:58; at 10:20 the open after the break is due: out since 09:58.
    actuals = [act(T(9), T(9, 58), AV), act(T(9, 58), T(10, 20), OUT)]
    st = now_of(DAYPLAN, actuals, T(10, 20))
    assert st == NowStatus("open", OUT, None, False, T(9, 58), True)


def test_now_back_in_resets() -> None:
    actuals = [
        act(T(9), T(9, 30), PAUSED, "Coffee"),
        act(T(9, 30), T(9, 40), AV),
        act(T(9, 40), T(9, 41), PAUSED, "Coffee"),
    ]
    assert now_of(DAYPLAN, actuals[:2], T(9, 40)).out_since is None
    assert now_of(DAYPLAN, actuals, T(9, 41)) == NowStatus(
        "open", PAUSED, "Coffee", False, T(9, 40), False
    )


def test_now_on_break_with_the_right_reason() -> None:
    actuals = [act(T(9), T(10), AV), act(T(10), T(10, 5), PAUSED, "break")]
    assert now_of(DAYPLAN, actuals, T(10, 5)).in_adherence is True
    # Still on break when the break is over: out since its end.
    actuals = [act(T(9), T(10), AV), act(T(10), T(10, 25), PAUSED, "break")]
    st = now_of(DAYPLAN, actuals, T(10, 25))
    assert st == NowStatus("open", PAUSED, "break", False, T(10, 15), True)


@pytest.mark.parametrize(
    ("segments", "activity"),
    [
        pytest.param(DAYPLAN, None, id="after-the-shift"),
        pytest.param([], None, id="no-schedule"),
        pytest.param([seg(T(17), T(23), "Off")], "off", id="off"),
    ],
)
def test_now_unscheduled_or_off(segments: list[Segment], activity: str | None) -> None:
    st = now_of(segments, [act(T(17), T(18), AV)], T(18))
    assert st == NowStatus(activity, AV, None, None, None, False)


def test_now_with_no_actuals_is_logged_out_since_the_shift_started() -> None:
    st = now_of(DAYPLAN, [], T(9, 10))
    assert st == NowStatus("open", OUT, None, False, T(9), True)


def test_now_segment_starting_now() -> None:
    # The break starts at now and the agent is still working: out, since now.
    st = now_of(DAYPLAN, [act(T(9), T(10), CALL)], T(10))
    assert st == NowStatus("break", CALL, None, False, T(10), False)


def test_now_authorised() -> None:
    actuals = [act(T(9), T(9, 30), AV), act(T(9, 30), T(9, 50), OUT)]
    covering = Authorization(T(9, 30), T(10), "sup", "IT fault")
    st = now_of(DAYPLAN, actuals, T(9, 50), authorizations=(covering,))
    assert st == NowStatus("open", OUT, None, True, None, False)
    earlier = Authorization(T(9, 25), T(9, 47), "sup", "IT fault")
    st = now_of(DAYPLAN, actuals, T(9, 50), authorizations=(earlier,))
    assert st == NowStatus("open", OUT, None, False, T(9, 47), False)


@pytest.mark.parametrize(("now", "in_adherence"), [(T(9, 30, 59), True), (T(9, 31), False)])
def test_now_grace_under_the_exception_threshold(now: float, in_adherence: bool) -> None:
    rules = make_rules(exception_threshold_seconds=60)
    actuals = [act(T(9), T(9, 30), AV), act(T(9, 30), now, PAUSED, "Coffee")]
    st = now_of(DAYPLAN, actuals, now, rules)
    assert st.in_adherence is in_adherence
    assert st.out_since == (None if in_adherence else T(9, 30))


def test_now_night_shift_run_reaches_before_the_day() -> None:
    actuals = [act(T(22), T(23, 50), AV), act(T(23, 50), T(24, 10), OUT)]
    st = now_of(NIGHT, actuals, T(24, 10))
    assert st == NowStatus("open", OUT, None, False, T(23, 50), True)


# --- the combined entry point and team totals ----------------------------------------------


def _scenarios() -> list[tuple[list[Segment], list[Actual], float, float]]:
    rng = random.Random(7)
    out: list[tuple[list[Segment], list[Actual], float, float]] = [
        (NIGHT, [act(T(22), T(23, 50), AV), act(T(23, 50), T(24, 10), OUT)], T(24), T(24, 10)),
        (DAYPLAN, [], DAY0, T(9, 10)),
        (DAYPLAN, [act(T(9), T(9, 58), AV), act(T(9, 58), T(10, 20), OUT)], DAY0, T(10, 20)),
        (DAYPLAN, [act(T(9), T(10), CALL)], DAY0, T(10)),
        (DAYPLAN, [act(T(9), T(10), CALL)], DAY0, DAY0),
    ]
    states = [AV, RING, CALL, OUT, PAUSED]
    reasons = ["Break", "Coffee", None]
    for _ in range(40):
        t = T(8, 30)
        actuals = []
        while t < T(18):
            d = rng.choice([30, 90, 240, 600, 1200])
            st = rng.choice(states)
            actuals.append(act(t, t + d, st, rng.choice(reasons) if st is PAUSED else None))
            t += d + rng.choice([0, 0, 0, 45])
        now = T(rng.randint(9, 17), rng.randint(0, 59))
        out.append((DAYPLAN, [a for a in actuals if a.start < now], DAY0, now))
    return out


@pytest.mark.parametrize(("segments", "actuals", "start", "now"), _scenarios())
def test_agent_adherence_now_matches_the_two_functions(
    segments: list[Segment], actuals: list[Actual], start: float, now: float
) -> None:
    rules = make_rules(exception_threshold_seconds=40)
    auths = (Authorization(T(9, 40), T(10, 5), "sup", "x"),)
    clipped = [Actual(a.start, min(a.end, now), a.state, a.reason) for a in actuals]
    got = agent_adherence_now(
        segments, clipped, start=start, now=now, rules=rules, authorizations=auths
    )
    day_ = day(segments, clipped, rules, start=start, end=now, authorizations=auths)
    assert got == (day_, now_of(segments, clipped, now, rules, auths))
    # Without the list, the figures are the same.
    bare = agent_adherence(
        segments,
        clipped,
        start=start,
        end=now,
        rules=rules,
        authorizations=auths,
        with_exceptions=False,
    )
    assert bare.exceptions == ()
    assert bare.out_of_adherence_seconds == day_.out_of_adherence_seconds
    # The seconds add up: in + out = scheduled; listed unauthorised pieces = out.
    assert day_.in_adherence_seconds + day_.out_of_adherence_seconds == pytest.approx(
        day_.scheduled_seconds
    )
    assert sum(e.seconds for e in day_.exceptions if not e.authorized) == pytest.approx(
        day_.out_of_adherence_seconds
    )


def test_team_summary_sums_seconds_and_recomputes_ratios() -> None:
    a = day(SHIFT, LATE)  # 8 h scheduled, 30 min out, 7.5 h worked
    b = day([seg(T(9), T(13), "open")], [act(T(9), T(14), AV)])  # 4 h scheduled, 5 h worked
    t = team_summary([a, b])
    assert t.scheduled_seconds == 12 * 3600
    assert t.out_of_adherence_seconds == 1800
    assert t.adherence == pytest.approx((12 * 3600 - 1800) / (12 * 3600))
    assert t.productive_seconds == 12.5 * 3600
    assert t.conformance == pytest.approx(12.5 / 12)
    assert t.exceptions == ()
    assert team_summary([]) == AgentAdherence(0.0, 0.0, 0.0, None, 0.0, 0.0, None, ())


# --- against a minute-by-minute reference ----------------------------------------------------

M = 60.0  # every boundary below falls on a whole minute, so minutes are exact


def _reference(
    segments: list[Segment],
    actuals: list[Actual],
    auths: list[Authorization],
    rules: Rules,
    start: float,
    end: float,
) -> AgentAdherence:
    """The rules applied one minute at a time (slow and obvious)."""

    def winner(items: list, t: float):  # type: ignore[no-untyped-def]
        best = None
        for i, it in enumerate(items):
            if it.start <= t < it.end and (best is None or (it.start, i) >= best[0]):
                best = ((it.start, i), it)
        return None if best is None else best[1]

    minutes = []  # (t, activity or None, state label, satisfied, working, authorised)
    t = start
    while t < end:
        s = winner(segments, t)
        a = winner(actuals, t)
        state, reason = (OUT, None) if a is None else (a.state, a.reason)
        activity = None if s is None or s.activity.strip().lower() == "off" else s.activity.lower()
        ok = activity is not None and rules.satisfies(activity, state, reason)
        authorised = any(x.start <= t < x.end for x in auths)
        minutes.append(
            (t, activity, state_label(state, reason), ok, state in (AV, RING, CALL), authorised)
        )
        t += M
    scheduled = sum(M for m in minutes if m[1] is not None)
    scheduled_open = sum(M for m in minutes if m[1] is not None and rules.is_productive(m[1]))
    productive = sum(M for m in minutes if m[4])
    out = 0.0
    listed: list[ExceptionRun] = []
    i = 0
    while i < len(minutes):
        if minutes[i][1] is None or minutes[i][3]:
            i += 1
            continue
        j = i
        while j < len(minutes) and minutes[j][1] is not None and not minutes[j][3]:
            j += 1
        run = minutes[i:j]
        if len(run) * M >= rules.exception_threshold_seconds:
            k = 0
            while k < len(run):
                m = k
                while m < len(run) and run[m][5] == run[k][5]:
                    m += 1
                piece = run[k:m]
                acts: dict[str, float] = {}
                states: dict[str, float] = {}
                for x in piece:
                    acts[x[1]] = acts.get(x[1], 0.0) + M
                    states[x[2]] = states.get(x[2], 0.0) + M
                seconds = len(piece) * M
                if not piece[0][5]:
                    out += seconds
                listed.append(
                    ExceptionRun(
                        piece[0][0],
                        piece[-1][0] + M,
                        max(acts, key=acts.__getitem__),
                        max(states, key=states.__getitem__),
                        seconds,
                        piece[0][5],
                        seconds >= rules.severe_threshold_seconds,
                    )
                )
                k = m
        i = j
    return AgentAdherence(
        scheduled,
        scheduled - out,
        out,
        (scheduled - out) / scheduled if scheduled else None,
        productive,
        scheduled_open,
        productive / scheduled_open if scheduled_open else None,
        tuple(listed),
    )


def _random_case(rng: random.Random) -> tuple[list[Segment], list[Actual], list[Authorization]]:
    base = T(8)

    def minute() -> float:
        return base + rng.randint(0, 240) * M

    activities = ["open", "open", "Break", "lunch", "off", "Outbound", "email"]
    segments: list[Segment] = []
    t = base + rng.randint(0, 30) * M
    while t < base + 240 * M:
        d = rng.randint(1, 60) * M
        segments.append(Segment(t, t + d, rng.choice(activities)))
        t += d + rng.choice([0, 0, 0, rng.randint(1, 20) * M])
    if rng.random() < 0.3:  # layered on top
        a = minute()
        segments.append(Segment(a, a + rng.randint(1, 30) * M, rng.choice(activities)))
    states = [AV, RING, CALL, OUT, PAUSED, PAUSED]
    reasons = ["Break", "LUNCH", "Meal", "coffee", None, "Email"]
    actuals: list[Actual] = []
    t = base + rng.randint(0, 30) * M
    while t < base + 240 * M:
        d = rng.randint(1, 25) * M
        st = rng.choice(states)
        actuals.append(Actual(t, t + d, st, rng.choice(reasons) if st is PAUSED else None))
        t += d + rng.choice([0, 0, 0, 0, rng.randint(1, 10) * M])
    if rng.random() < 0.2:  # overlapping
        a = minute()
        actuals.append(Actual(a, a + rng.randint(1, 20) * M, rng.choice(states), "Break"))
    if rng.random() < 0.2:
        rng.shuffle(actuals)
    auths = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        a = minute()
        auths.append(Authorization(a, a + rng.randint(1, 40) * M, "sup", "why"))
    return segments, actuals, auths


@pytest.mark.parametrize("seed", range(60))
def test_matches_the_minute_by_minute_reference(seed: int) -> None:
    rng = random.Random(seed)
    segments, actuals, auths = _random_case(rng)
    rules = make_rules(
        {"Outbound": True},
        {"Meal": "lunch"},
        activity_equivalency=rng.random() < 0.2,
        exception_threshold_seconds=rng.choice([0, 0, 120, 300]),
        severe_threshold_seconds=rng.choice([300, 600]),
    )
    start = T(8) + rng.randint(0, 60) * M
    end = start + rng.randint(30, 240) * M
    got = agent_adherence(
        segments, actuals, start=start, end=end, rules=rules, authorizations=auths
    )
    assert got == _reference(segments, actuals, auths, rules, start, end)


def _reference_now(
    segments: list[Segment],
    actuals: list[Actual],
    auths: list[Authorization],
    rules: Rules,
    now: float,
) -> NowStatus:
    def winner(items: list, t: float):  # type: ignore[no-untyped-def]
        best = None
        for i, it in enumerate(items):
            if it.start <= t < it.end and (best is None or (it.start, i) >= best[0]):
                best = ((it.start, i), it)
        return None if best is None else best[1]

    def state_at(t: float) -> tuple[AgentState, str | None]:
        a = winner(actuals, t)
        return (OUT, None) if a is None else (a.state, a.reason)

    def counted(t: float) -> str | None:
        s = winner(segments, t)
        return None if s is None or s.activity.lower() == "off" else s.activity.lower()

    s = winner(segments, now)
    state, reason = state_at(now - M)
    if s is None or s.activity.lower() == "off":
        return NowStatus(None if s is None else "off", state, reason, None, None, False)
    activity = s.activity.lower()
    if rules.satisfies(activity, state, reason) or any(a.start <= now < a.end for a in auths):
        return NowStatus(activity, state, reason, True, None, False)
    run_start = now
    while (c := counted(run_start - M)) is not None and not rules.satisfies(
        c, *state_at(run_start - M)
    ):
        run_start -= M
    if now - run_start < rules.exception_threshold_seconds:
        return NowStatus(activity, state, reason, True, None, False)
    since = max([run_start] + [a.end for a in auths if run_start < a.end <= now])
    return NowStatus(
        activity, state, reason, False, since, now - since >= rules.severe_threshold_seconds
    )


@pytest.mark.parametrize("seed", range(60))
def test_now_matches_the_minute_by_minute_reference(seed: int) -> None:
    rng = random.Random(1000 + seed)
    segments, actuals, auths = _random_case(rng)
    rules = make_rules(
        {"Outbound": True},
        {"Meal": "lunch"},
        activity_equivalency=rng.random() < 0.2,
        exception_threshold_seconds=rng.choice([0, 0, 120, 300]),
    )
    now = T(8) + rng.randint(0, 250) * M
    got = adherence_now(segments, actuals, now=now, rules=rules, authorizations=auths)
    assert got == _reference_now(segments, actuals, auths, rules, now)
    both = agent_adherence_now(
        segments, actuals, start=T(9), now=now, rules=rules, authorizations=auths
    )
    assert both[1] == got


# --- the floor's glance ------------------------------------------------------------------


def _glance_reference(
    segments: list[Segment],
    actuals: list[Actual],
    auths: list[Authorization],
    rules: Rules,
    start: float,
    now: float,
    with_exceptions: bool,
) -> tuple[AgentAdherence | None, NowStatus]:
    """What the glance is defined to give: adherence_now, and agent_adherence_now's day
    and status for someone out."""
    status = adherence_now(segments, actuals, now=now, rules=rules, authorizations=auths)
    if status.in_adherence is not False:
        return None, status
    return agent_adherence_now(
        segments,
        actuals,
        start=start,
        now=now,
        rules=rules,
        authorizations=auths,
        with_exceptions=with_exceptions,
    )


@pytest.mark.parametrize("seed", range(80))
def test_glance_matches_now_and_the_day(seed: int) -> None:
    rng = random.Random(2000 + seed)
    segments, actuals, auths = _random_case(rng)
    rules = make_rules(
        {"Outbound": True},
        {"Meal": "lunch"},
        activity_equivalency=rng.random() < 0.2,
        exception_threshold_seconds=rng.choice([0, 0, 120, 300]),
    )
    now = T(8) + rng.randint(0, 250) * M
    start = T(8) + rng.randint(0, 60) * M
    if rng.random() < 0.5:  # as the store gives them: the lasting span clipped to `now`
        actuals = [
            Actual(a.start, min(a.end, now), a.state, a.reason) for a in actuals if a.start < now
        ]
    listing = rng.random() < 0.5
    plan = schedule_plan(segments, rules)
    want = _glance_reference(segments, actuals, auths, rules, start, now, listing)
    got = adherence_glance(
        plan,
        actuals,
        start=start,
        now=now,
        rules=rules,
        authorizations=auths,
        with_exceptions=listing,
    )
    assert got == want
    # In start order (equal starts keep theirs), the state at `now` found by bisection.
    ordered = sorted(actuals, key=lambda a: a.start)
    got = adherence_glance(
        plan,
        ordered,
        start=start,
        now=now,
        rules=rules,
        authorizations=auths,
        with_exceptions=listing,
        in_order=True,
    )
    assert got == _glance_reference(segments, ordered, auths, rules, start, now, listing)


@pytest.mark.parametrize(
    ("actuals", "state", "reason"),
    [
        pytest.param([], OUT, None, id="nothing-known"),
        pytest.param([act(T(9), T(10), AV)], AV, None, id="the-lasting-span"),
        pytest.param([act(T(9), T(9, 30), AV)], OUT, None, id="a-hole-at-now"),
        pytest.param(
            [act(T(8), T(11), PAUSED, "Lunch"), act(T(9), T(9, 10), AV)],
            PAUSED,
            "Lunch",
            id="an-earlier-longer-span",
        ),
        pytest.param(
            [act(T(9), T(10), AV), act(T(9), T(10), CALL), act(T(9, 50), T(9, 55), RING)],
            CALL,
            None,
            id="equal-starts-the-later-wins",
        ),
        pytest.param(
            [act(T(9), T(10), AV), act(T(10), T(11), CALL)], AV, None, id="one-starting-at-now"
        ),
        pytest.param(
            [act(T(9), T(9, 40), AV), act(T(9, 40), T(12), PAUSED, "Break")],
            PAUSED,
            "Break",
            id="one-ending-after-now",
        ),
    ],
)
def test_glance_state_now_in_start_order(
    actuals: list[Actual], state: AgentState, reason: str | None
) -> None:
    now = T(10)
    segments = [seg(T(8), T(12), "open")]
    for in_order in (False, True):
        _, st = adherence_glance(
            schedule_plan(segments, RULES),
            actuals,
            start=DAY0,
            now=now,
            rules=RULES,
            in_order=in_order,
        )
        assert (st.state, st.reason) == (state, reason)
        assert st == now_of(segments, actuals, now)


def test_glance_works_out_the_day_only_for_someone_out() -> None:
    rules = make_rules(exception_threshold_seconds=120)
    plan = schedule_plan(SHIFT, rules)
    working = [act(T(9), T(10, 20), AV)]
    day_, st = adherence_glance(plan, working, start=DAY0, now=T(10, 20), rules=rules)
    assert day_ is None and st.in_adherence is True
    # out for a minute: within the grace, so still in, and no figures
    late = [act(T(9), T(10, 19), AV), act(T(10, 19), T(10, 20), OUT)]
    day_, st = adherence_glance(plan, late, start=DAY0, now=T(10, 20), rules=rules)
    assert day_ is None and st == now_of(SHIFT, late, T(10, 20), rules)
    assert st.in_adherence is True
    # out for ten: the figures and the status agent_adherence_now gives
    gone = [act(T(9), T(10, 10), AV), act(T(10, 10), T(10, 20), OUT)]
    got = adherence_glance(plan, gone, start=DAY0, now=T(10, 20), rules=rules, in_order=True)
    assert got == agent_adherence_now(
        SHIFT, gone, start=DAY0, now=T(10, 20), rules=rules, with_exceptions=False
    )
    assert got[1].in_adherence is False and got[1].out_since == T(10, 10)


def test_schedule_plan_settles_layers_once() -> None:
    layered = [seg(T(9), T(17), "Open"), seg(T(12), T(13), "LUNCH"), seg(T(20), T(21), "off")]
    assert schedule_plan(layered, RULES) == (
        (T(9), T(12), "open", True),
        (T(12), T(13), "lunch", False),
        (T(13), T(17), "open", True),
        (T(20), T(21), "off", False),
    )
