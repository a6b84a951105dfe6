"""Alert rules (each fires above its threshold and stays quiet at the edge) and the alert
log (raised once, cleared when the condition has ended, raised again after that, kept
through a failed refresh, bounded)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorsup.domain.alerts import (
    QUEUE_KINDS,
    AlertKind,
    AlertLog,
    AlertRules,
    Condition,
    QueueFacts,
    Reading,
    check,
    validate_alert_rules,
)
from floorsup.domain.metrics import Level

NOW = 1_800_000_000.0
RULES = AlertRules()


def q(
    name: str = "Sales",
    *,
    sl: float | None = 0.9,
    target: float = 0.8,
    offered: int = 20,
    waiting: int = 0,
    oldest: float | None = None,  # seconds waited by the oldest call
) -> QueueFacts:
    return QueueFacts(
        queue=name,
        service_level=sl,
        target_fraction=target,
        offered=offered,
        waiting=waiting,
        oldest_wait_since=None if oldest is None else NOW - oldest,
    )


def conds(
    *queues: QueueFacts, severe: list[str] | None = None, rules: AlertRules = RULES
) -> dict[tuple[str, str], Condition]:
    reading = check(rules, NOW, queues, severe)
    return {c.key: c for c in reading.conditions}


# --- the rules ------------------------------------------------------------------------------


def test_the_defaults() -> None:
    rules = AlertRules()
    assert rules == AlertRules(
        bell=True,
        sl_below_target=True,
        sl_min_offered=10,
        waiting_above=10,
        oldest_wait_above_seconds=120.0,
        severe_out_at_least=3,
        clear_after_seconds=30.0,
    )
    assert validate_alert_rules(rules) == []


def test_a_quiet_floor_raises_nothing() -> None:
    assert conds(q(), q("Support"), severe=[]) == {}


@pytest.mark.parametrize(
    ("sl", "offered", "level"),
    [
        (0.62, 10, Level.BAD),  # exactly the minimum offered: may fire
        (0.62, 9, None),  # one short of it: quiet (1 missed call at 08:00 pages nobody)
        (0.80, 50, None),  # exactly on target: quiet
        (0.7999, 50, Level.WARN),
        (0.70, 50, Level.WARN),  # 10 points below: still a warning
        (0.6999, 50, Level.BAD),
        (None, 50, None),  # nothing to measure yet
    ],
)
def test_sl_below_target(sl: float | None, offered: int, level: Level | None) -> None:
    found = conds(q(sl=sl, offered=offered))
    if level is None:
        assert ("sl", "Sales") not in found
    else:
        assert found[("sl", "Sales")].level is level


def test_sl_message_never_reads_as_the_target() -> None:
    c = conds(q(sl=0.62))[("sl", "Sales")]
    assert c.message == "Sales: SL 62% this interval (target 80%)"
    assert c.kind is AlertKind.SL
    c = conds(q(sl=0.7999))[("sl", "Sales")]
    assert c.message == "Sales: SL 79% this interval (target 80%)"
    c = conds(q(sl=0.58, target=0.9))[("sl", "Sales")]
    assert "SL 58%" in c.message and "target 90%" in c.message  # 0.58 * 100 = 57.999...


def test_sl_uses_each_queues_own_target() -> None:
    found = conds(q("Sales", sl=0.85, target=0.9), q("Support", sl=0.85, target=0.8))
    assert set(found) == {("sl", "Sales")}


def test_sl_min_offered_is_configurable() -> None:
    rules = replace(RULES, sl_min_offered=0)
    assert ("sl", "Sales") in conds(q(sl=0.0, offered=1), rules=rules)
    rules = replace(RULES, sl_min_offered=30)
    assert conds(q(sl=0.0, offered=29), rules=rules) == {}


@pytest.mark.parametrize(
    ("waiting", "level"),
    [(10, None), (11, Level.WARN), (20, Level.WARN), (21, Level.BAD), (0, None)],
)
def test_calls_waiting_above(waiting: int, level: Level | None) -> None:
    found = conds(q(waiting=waiting, oldest=5 if waiting else None))
    if level is None:
        assert found == {}
    else:
        c = found[("waiting", "Sales")]
        assert c.level is level
        assert c.message == f"Sales: {waiting} calls waiting (alert above 10)"


@pytest.mark.parametrize(
    ("seconds", "level", "shown"),
    [
        (120, None, ""),
        (121, Level.WARN, "2:01"),
        (240, Level.WARN, "4:00"),
        (241, Level.BAD, "4:01"),
        (3725, Level.BAD, "1:02:05"),
    ],
)
def test_oldest_wait_above(seconds: float, level: Level | None, shown: str) -> None:
    found = conds(q(waiting=1, oldest=seconds))
    if level is None:
        assert found == {}
    else:
        c = found[("oldest", "Sales")]
        assert c.level is level
        assert c.message == f"Sales: oldest call waiting {shown} (alert above 2:00)"


def test_oldest_wait_is_measured_at_now() -> None:
    facts = [q(waiting=1, oldest=100)]  # entered 100 s before NOW
    assert check(RULES, NOW, facts, None).conditions == ()
    later = check(RULES, NOW + 21, facts, None).conditions
    assert [c.key for c in later] == [("oldest", "Sales")]


@pytest.mark.parametrize(
    ("names", "level", "message"),
    [
        (["Ann", "Bob"], None, ""),
        (["Ann", "Bob", "Cy"], Level.WARN, "3 severely out of adherence: Ann, Bob, Cy"),
        (
            ["Ann", "Bob", "Cy", "Di", "Ed", "Flo"],
            Level.BAD,
            "6 severely out of adherence: Ann, Bob, Cy +3 more",
        ),
    ],
)
def test_agents_severely_out(names: list[str], level: Level | None, message: str) -> None:
    found = conds(severe=names)
    if level is None:
        assert found == {}
    else:
        c = found[("adherence", "")]
        assert (c.level, c.message) == (level, message)


def test_any_agent_severely_out() -> None:
    rules = replace(RULES, severe_out_at_least=1)
    assert conds(severe=[], rules=rules) == {}
    c = conds(severe=["Ann"], rules=rules)[("adherence", "")]
    assert c.message == "1 severely out of adherence: Ann"


def test_each_rule_can_be_switched_off() -> None:
    bad = q(sl=0.1, offered=100, waiting=99, oldest=9999)
    severe = ["a", "b", "c", "d"]
    assert len(conds(bad, severe=severe)) == 4
    off = AlertRules(
        sl_below_target=False,
        waiting_above=None,
        oldest_wait_above_seconds=None,
        severe_out_at_least=None,
    )
    assert conds(bad, severe=severe, rules=off) == {}
    reading = check(off, NOW, [bad], severe)
    assert reading.checked == frozenset(AlertKind)  # off counts as looked at: alerts clear


def test_unknown_parts_are_not_checked() -> None:
    assert check(RULES, NOW, None, None).checked == frozenset()
    assert check(RULES, NOW, [q()], None).checked == QUEUE_KINDS
    assert check(RULES, NOW, None, []).checked == {AlertKind.ADHERENCE}


def test_validation_names_the_key() -> None:
    bad = AlertRules(
        sl_min_offered=-1,
        waiting_above=-2,
        oldest_wait_above_seconds=float("nan"),
        severe_out_at_least=0,
        clear_after_seconds=-5,
    )
    problems = validate_alert_rules(bad)
    assert [p.split(" ")[0] for p in problems] == [
        "sl_min_offered",
        "waiting_above",
        "oldest_wait_above_seconds",
        "severe_out_at_least",
        "clear_after_seconds",
    ]


# --- the log --------------------------------------------------------------------------------

SALES_WAIT = ("waiting", "Sales")


def waiting(n: int, name: str = "Sales") -> Reading:
    return check(RULES, NOW, [q(name, waiting=n, oldest=1 if n else None)], [])


def test_raised_once_while_it_stays() -> None:
    log = AlertLog()
    first = log.update(waiting(12), NOW)
    assert [a.key for a in first.raised] == [SALES_WAIT] and not first.cleared
    again = log.update(waiting(25), NOW + 1)  # worse, still the same alert: no new bell
    assert not again
    alert = log.get(SALES_WAIT)
    assert alert is not None
    assert (alert.level, alert.peak) == (Level.BAD, Level.BAD)
    assert alert.message == "Sales: 25 calls waiting (alert above 10)"
    assert alert.raised_message == "Sales: 12 calls waiting (alert above 10)"
    log.update(waiting(12), NOW + 2)
    alert = log.get(SALES_WAIT)
    assert alert is not None and (alert.level, alert.peak) == (Level.WARN, Level.BAD)
    [entry] = log.entries()
    assert entry.active and entry.level is Level.BAD
    assert entry.message == "Sales: 12 calls waiting (alert above 10)"
    assert entry.seconds(NOW + 10) == 10


def test_clears_when_the_condition_has_ended() -> None:
    log = AlertLog(clear_after_seconds=30)
    log.update(waiting(12), NOW)
    assert not log.update(waiting(3), NOW + 10)  # gone: clearing, not yet cleared
    alert = log.get(SALES_WAIT)
    assert alert is not None and alert.clearing
    assert not log.update(waiting(3), NOW + 39)
    done = log.update(waiting(3), NOW + 40)
    [entry] = done.cleared
    assert entry.cleared_at == NOW + 10  # when the condition ended
    assert log.active == ()
    assert entry.seconds(NOW + 999) == 10
    assert log.entries() == [entry]


def test_clears_at_once_without_a_delay() -> None:
    log = AlertLog(clear_after_seconds=0)
    log.update(waiting(12), NOW)
    [entry] = log.update(waiting(0), NOW + 5).cleared
    assert entry.cleared_at == NOW + 5


def test_flapping_rings_once() -> None:
    log = AlertLog(clear_after_seconds=30)
    raised = 0
    for i in range(120):  # 11, 10, 11, 10, ... every second for two minutes
        raised += len(log.update(waiting(11 if i % 2 == 0 else 10), NOW + i).raised)
    assert raised == 1
    assert len(log.entries()) == 1


def test_raised_again_after_it_cleared() -> None:
    log = AlertLog(clear_after_seconds=0)
    a = log.update(waiting(12), NOW).raised[0]
    log.update(waiting(0), NOW + 1)
    b = log.update(waiting(13), NOW + 2).raised[0]
    assert b.seq > a.seq and b.raised_at == NOW + 2
    entries = log.entries()
    assert [e.seq for e in entries] == [b.seq, a.seq]  # newest first
    assert [e.active for e in entries] == [True, False]


def test_coming_back_while_clearing_keeps_the_alert() -> None:
    log = AlertLog(clear_after_seconds=30)
    a = log.update(waiting(12), NOW).raised[0]
    log.update(waiting(0), NOW + 10)
    assert not log.update(waiting(12), NOW + 20)
    alert = log.get(SALES_WAIT)
    assert alert is not None and not alert.clearing and alert.seq == a.seq
    assert not log.update(waiting(0), NOW + 45)  # the 30 s start again from here
    assert log.update(waiting(0), NOW + 75).cleared


def test_a_failed_refresh_keeps_alerts() -> None:
    log = AlertLog(clear_after_seconds=0)
    log.update(waiting(12), NOW)
    version = log.version
    assert not log.update(None, NOW + 60)
    assert log.get(SALES_WAIT) is not None and log.version == version
    # the queues unknown (None), adherence known: the queue alerts are kept
    assert not log.update(check(RULES, NOW, None, []), NOW + 61)
    assert log.get(SALES_WAIT) is not None
    assert log.update(waiting(0), NOW + 62).cleared


def test_adherence_alert_kept_while_adherence_is_unknown() -> None:
    log = AlertLog(clear_after_seconds=0)
    log.update(check(RULES, NOW, [q()], ["a", "b", "c"]), NOW)
    assert log.get(("adherence", "")) is not None
    assert not log.update(check(RULES, NOW, [q()], None), NOW + 5)
    assert log.get(("adherence", "")) is not None
    assert log.update(check(RULES, NOW, [q()], ["a"]), NOW + 6).cleared


def test_a_queue_that_goes_away_clears_its_alerts() -> None:
    log = AlertLog(clear_after_seconds=0)
    log.update(waiting(12, "Old"), NOW)
    assert log.update(check(RULES, NOW, [q("New")], []), NOW + 1).cleared


def test_switching_a_rule_off_clears_its_alert() -> None:
    log = AlertLog(clear_after_seconds=0)
    log.update(waiting(12), NOW)
    off = replace(RULES, waiting_above=None)
    facts = [q(waiting=12, oldest=1)]
    assert log.update(check(off, NOW, facts, []), NOW + 1).cleared


def test_active_worst_first() -> None:
    log = AlertLog()
    log.update(
        check(
            RULES,
            NOW,
            [q("A", waiting=11, oldest=1), q("B", waiting=50, oldest=1)],
            [],
        ),
        NOW,
    )
    assert [a.key for a in log.active] == [("waiting", "B"), ("waiting", "A")]


def test_one_condition_per_key() -> None:
    log = AlertLog()
    key = ("waiting", "Sales")
    reading = Reading(
        (Condition(key, Level.WARN, "warn"), Condition(key, Level.BAD, "bad")),
    )
    [alert] = log.update(reading, NOW).raised
    assert alert.level is Level.BAD


def test_the_log_is_bounded() -> None:
    log = AlertLog(clear_after_seconds=0, log_size=5)
    for i in range(12):
        log.update(waiting(12), NOW + 2 * i)
        log.update(waiting(0), NOW + 2 * i + 1)
    log.update(waiting(12), NOW + 100)  # one active on top
    entries = log.entries()
    assert len(entries) == 6
    assert entries[0].active
    assert [e.seq for e in entries] == [13, 12, 11, 10, 9, 8]


def test_for_rules() -> None:
    log = AlertLog.for_rules(replace(RULES, clear_after_seconds=7))
    assert log.clear_after_seconds == 7 and log.log_size == 500


# --- property: every raise is either still active or cleared exactly once ------------------

KEYS = [("sl", "A"), ("waiting", "A"), ("oldest", "B"), ("adherence", "")]
KINDS = list(AlertKind)

readings = st.one_of(
    st.none(),  # a failed refresh
    st.builds(
        lambda keys, levels, checked: Reading(
            tuple(Condition(k, lv, f"{k}") for k, lv in zip(keys, levels, strict=False)),
            frozenset(checked) | {AlertKind(k[0]) for k in keys},
        ),
        st.lists(st.sampled_from(KEYS), unique=True),
        st.lists(st.sampled_from([Level.WARN, Level.BAD]), min_size=4, max_size=4),
        st.sets(st.sampled_from(KINDS)),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.tuples(readings, st.integers(0, 40)), max_size=40),
    clear_after=st.sampled_from([0.0, 5.0, 30.0]),
    log_size=st.integers(1, 10),
)
def test_replay_raises_and_clears_alternate(
    steps: list[tuple[Reading | None, int]], clear_after: float, log_size: int
) -> None:
    log = AlertLog(clear_after_seconds=clear_after, log_size=log_size)
    now = NOW
    raised: dict[int, tuple[str, str]] = {}
    cleared: dict[int, int] = {}
    last: dict[tuple[str, str], str] = {}
    for reading, gap in steps:
        now += gap
        changes = log.update(reading, now)
        if reading is None:
            assert not changes
        for e in changes.cleared:
            assert e.seq in raised and raised[e.seq] == e.key
            cleared[e.seq] = cleared.get(e.seq, 0) + 1
            assert last.get(e.key) == "raised"
            last[e.key] = "cleared"
            assert e.raised_at <= e.cleared_at <= now  # type: ignore[operator]
        for a in changes.raised:
            assert a.seq not in raised
            assert last.get(a.key) != "raised"  # raised again only after it cleared
            raised[a.seq] = a.key
            last[a.key] = "raised"
        # a condition seen in this reading is active afterwards
        if reading is not None:
            for c in reading.conditions:
                assert log.get(c.key) is not None
    active = {a.seq for a in log.active}
    for seq in raised:
        assert (seq in active) != (cleared.get(seq, 0) == 1)
        assert cleared.get(seq, 0) <= 1
    assert len(log.entries()) <= log_size + len(active)
    assert [e.seq for e in log.entries()] == sorted((e.seq for e in log.entries()), reverse=True)
