"""Pure derivation: one call's events to a CallRecord, one agent's events to state spans."""

from __future__ import annotations

import pytest

from floorsup.domain.types import AgentState, CallRecord, Outcome
from floorsup.ingest.derive import AgentMachine, Span, derive_call, field, fold_agent
from floorsup.ingest.queue_log import Event

T = 1_700_000_000.0
CID = "1700000000.1042"
Q = "sales"
AG = "PJSIP/2001"


def ev(
    dt: float, event: str, data: str = "", agent: str = "NONE", callid: str = CID, queue: str = Q
) -> Event:
    return (T + dt, callid, queue, agent, event, data)


def call(*events: Event) -> CallRecord:
    rec = derive_call(CID, Q, list(events))
    assert rec is not None
    return rec


ENTER = ev(0, "ENTERQUEUE", "|+15555550123|1")
CONNECT = ev(12, "CONNECT", "12|1700000012.1043|4", AG)


# -- calls ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "data", "outcome", "talk"),
    [
        ("COMPLETEAGENT", "12|95|1", Outcome.ANSWERED, 95.0),
        ("COMPLETECALLER", "12|95|1", Outcome.ANSWERED, 95.0),
        ("TRANSFER", "2100|from-internal|12|95|1", Outcome.TRANSFERRED, 95.0),
        ("BLINDTRANSFER", "2100|from-internal|12|95|1", Outcome.TRANSFERRED, 95.0),
        ("ATTENDEDTRANSFER", "BRIDGE|9f0d7c3e-5b2a|12|95|1", Outcome.TRANSFERRED, 95.0),
        ("ATTENDEDTRANSFER", "APP|Voicemail|12|95|1", Outcome.TRANSFERRED, 95.0),
    ],
)
def test_answered_call_ends(event: str, data: str, outcome: Outcome, talk: float) -> None:
    rec = call(ENTER, CONNECT, ev(107, event, data, AG))
    assert rec == CallRecord(
        callid=CID,
        queue=Q,
        entered_at=T,
        outcome=outcome,
        answered_at=T + 12,
        ended_at=T + 107,
        wait_seconds=12.0,
        talk_seconds=talk,
        agent=AG,
    )


def test_attended_transfer_link_form_reads_hold_and_talk_from_the_right_fields() -> None:
    data = "LINK|PJSIP/2001-00000012|PJSIP/2100-00000013|12|95|1"
    rec = call(ENTER, CONNECT, ev(107, "ATTENDEDTRANSFER", data, AG))
    assert rec.outcome is Outcome.TRANSFERRED
    assert rec.talk_seconds == 95.0
    no_connect = call(ENTER, ev(107, "ATTENDEDTRANSFER", data, AG))
    assert (no_connect.wait_seconds, no_connect.talk_seconds) == (12.0, 95.0)


@pytest.mark.parametrize(
    ("event", "data", "outcome", "wait"),
    [
        ("ABANDON", "2|3|41", Outcome.ABANDONED, 41.0),
        ("EXITWITHTIMEOUT", "1|4|300", Outcome.TIMEOUT, 300.0),
        ("EXITEMPTY", "1|1|0", Outcome.EXIT_EMPTY, 0.0),
        ("EXITWITHKEY", "5|1|2|42", Outcome.EXIT_KEY, 42.0),
        ("WITHDRAW", "1|1|20|callback requested", Outcome.WITHDRAW, 20.0),
    ],
)
def test_unanswered_call_ends_take_the_wait_from_the_data(
    event: str, data: str, outcome: Outcome, wait: float
) -> None:
    # The line's timestamp says 50 s; the data field (as app_queue counted) wins.
    rec = call(ENTER, ev(50, event, data))
    assert rec == CallRecord(
        callid=CID, queue=Q, entered_at=T, outcome=outcome, ended_at=T + 50, wait_seconds=wait
    )


@pytest.mark.parametrize(
    ("event", "fewer"),
    [
        ("ABANDON", "2|3"),
        ("EXITWITHTIMEOUT", "1"),
        ("EXITEMPTY", ""),
        ("EXITWITHKEY", "5|1"),  # Asterisk 1.8 wrote only key|position
        ("WITHDRAW", "1|1"),
    ],
)
def test_fewer_fields_fall_back_to_the_timestamps(event: str, fewer: str) -> None:
    rec = call(ENTER, ev(50, event, fewer))
    assert rec.wait_seconds == 50.0 and rec.ended_at == T + 50


def test_fewer_fields_on_answered_call_fall_back_to_the_timestamps() -> None:
    rec = call(ENTER, ev(12, "CONNECT", "", AG), ev(107, "COMPLETEAGENT", "", AG))
    assert (rec.wait_seconds, rec.talk_seconds) == (12.0, 95.0)
    assert rec.outcome is Outcome.ANSWERED


def test_more_fields_than_documented_change_nothing() -> None:
    rec = call(
        ev(0, "ENTERQUEUE", "|+15555550123|1|x|y"),
        ev(12, "CONNECT", "12|1700000012.1043|4|extra", AG),
        ev(107, "COMPLETECALLER", "12|95|1|extra|7", AG),
    )
    assert (rec.wait_seconds, rec.talk_seconds, rec.outcome) == (12.0, 95.0, Outcome.ANSWERED)


def test_non_numeric_and_negative_fields_are_ignored() -> None:
    assert field("12|x|-3", 1) == 12.0
    assert field("12|x|-3", 2) is None
    assert field("12|x|-3", 3) is None
    assert field("12", 4) is None
    rec = call(ENTER, ev(30, "ABANDON", "1|1|-5"))
    assert rec.wait_seconds == 30.0


def test_waiting_and_in_progress() -> None:
    waiting = call(ENTER, ev(3, "RINGNOANSWER", "15000", AG))
    assert waiting == CallRecord(callid=CID, queue=Q, entered_at=T, outcome=Outcome.WAITING)
    talking = call(ENTER, CONNECT)
    assert talking == CallRecord(
        callid=CID,
        queue=Q,
        entered_at=T,
        outcome=Outcome.IN_PROGRESS,
        answered_at=T + 12,
        wait_seconds=12.0,
        agent=AG,
    )


def test_no_call_events_no_call() -> None:
    assert derive_call(CID, Q, [ev(0, "DID", "+18005550100"), ev(1, "INFO", "x")]) is None
    assert derive_call(CID, Q, []) is None


def test_missing_enterqueue_places_entry_from_the_wait() -> None:
    rec = call(CONNECT, ev(107, "COMPLETECALLER", "12|95|1", AG))
    assert (rec.entered_at, rec.answered_at, rec.wait_seconds) == (T, T + 12, 12.0)
    gone = call(ev(50, "ABANDON", "1|1|41"))
    assert (gone.entered_at, gone.ended_at, gone.wait_seconds) == (T + 9, T + 50, 41.0)


def test_missing_connect_places_the_answer_from_the_talk_time() -> None:
    rec = call(ENTER, ev(107, "COMPLETEAGENT", "12|95|1", AG))
    assert rec.answered_at == T + 12
    assert (rec.wait_seconds, rec.talk_seconds, rec.agent) == (12.0, 95.0, AG)
    only_end = call(ev(107, "TRANSFER", "2100|from-internal|12|95|1", AG))
    assert (only_end.entered_at, only_end.answered_at) == (T, T + 12)
    assert only_end.outcome is Outcome.TRANSFERRED


def test_missing_enterqueue_without_a_wait_starts_at_the_first_event() -> None:
    rec = call(ev(40, "EXITEMPTY", ""))
    assert (rec.entered_at, rec.wait_seconds) == (T + 40, None)


def test_repeated_terminal_lines_first_wins() -> None:
    rec = call(
        ENTER,
        CONNECT,
        ev(107, "COMPLETEAGENT", "12|95|1", AG),
        ev(107, "COMPLETEAGENT", "12|95|4", AG),
        ev(109, "COMPLETECALLER", "12|97|5", "PJSIP/2999"),
        ev(110, "ABANDON", "1|1|110"),
    )
    assert (rec.outcome, rec.ended_at, rec.talk_seconds, rec.agent) == (
        Outcome.ANSWERED,
        T + 107,
        95.0,
        AG,
    )


def test_repeated_enter_and_connect_first_wins() -> None:
    rec = call(
        ENTER,
        ev(5, "ENTERQUEUE", "|+15555550123|1"),
        CONNECT,
        ev(20, "CONNECT", "20|x|1", "PJSIP/2999"),
    )
    assert (rec.entered_at, rec.answered_at, rec.agent) == (T, T + 12, AG)


def test_connect_by_none_agent_keeps_the_agent_from_the_end() -> None:
    rec = call(ENTER, ev(12, "CONNECT", "12|x|4", "NONE"), ev(107, "COMPLETEAGENT", "12|95|1", AG))
    assert rec.agent == AG


# -- agents ------------------------------------------------------------------------------------


def a(
    dt: float, event: str, data: str = "", queue: str = Q, callid: str = "NONE", agent: str = AG
) -> Event:
    return (T + dt, callid, queue, agent, event, data)


def spans(
    *events: Event,
) -> tuple[list[tuple[str, float, float | None, str | None, str | None, str | None]], AgentMachine]:
    closed, machine = fold_agent(AG, list(events))
    out = [
        (
            s.state.value,
            s.start - T,
            s.end - T if s.end is not None else None,
            s.reason,
            s.queue,
            s.callid,
        )
        for s in closed
    ]
    cur = machine.current
    assert cur is not None
    out.append((cur.state.value, cur.start - T, None, cur.reason, cur.queue, cur.callid))
    return out, machine


def test_addmember_removemember_across_queues() -> None:
    got, m = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(0, "ADDMEMBER", queue="support", callid="MANAGER"),
        a(100, "REMOVEMEMBER", callid="MANAGER"),
        a(160, "ADDMEMBER", callid="MANAGER"),
        a(200, "REMOVEMEMBER", queue="support", callid="MANAGER"),
        a(300, "REMOVEMEMBER", callid="MANAGER"),
    )
    # still a member of support at 100, and of sales again from 160: one unbroken stretch
    assert got == [
        ("available", 0, 300, None, None, None),
        ("logged_out", 300, None, None, None, None),
    ]
    assert m.queues == set() and not m.logged_in


def test_addmember_paused() -> None:
    got, m = spans(a(0, "ADDMEMBER", "PAUSED", callid="MANAGER"), a(50, "UNPAUSE"))
    assert got == [("paused", 0, 50, None, None, None), ("available", 50, None, None, None, None)]
    assert m.queues == {Q}


@pytest.mark.parametrize(
    ("login", "logoff", "login_data", "logoff_data"),
    [
        ("AGENTLOGIN", "AGENTLOGOFF", "PJSIP/2001-00000012", "PJSIP/2001-00000012|3600"),
        (
            "AGENTCALLBACKLOGIN",
            "AGENTCALLBACKLOGOFF",
            "2001@from-internal",
            "2001@from-internal|3600|Autologoff",
        ),
    ],
)
def test_agentlogin_logoff(login: str, logoff: str, login_data: str, logoff_data: str) -> None:
    got, m = spans(
        a(0, login, login_data, queue="NONE"),
        a(3600, logoff, logoff_data, queue="NONE"),
    )
    assert got == [
        ("available", 0, 3600, None, None, None),
        ("logged_out", 3600, None, None, None, None),
    ]
    assert not m.logged_in


def test_pause_with_reason_and_pauseall() -> None:
    got, _ = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(10, "PAUSE", "Lunch"),
        a(1810, "UNPAUSE", "Lunch"),
        a(2000, "PAUSEALL", "Break", queue="NONE"),
        a(2100, "PAUSEALL", "Coaching", queue="NONE"),
        a(2900, "UNPAUSEALL", "", queue="NONE"),
        a(3000, "PAUSE", ""),
    )
    assert got == [
        ("available", 0, 10, None, None, None),
        ("paused", 10, 1810, "Lunch", None, None),
        ("available", 1810, 2000, None, None, None),
        ("paused", 2000, 2100, "Break", None, None),
        ("paused", 2100, 2900, "Coaching", None, None),
        ("available", 2900, 3000, None, None, None),
        ("paused", 3000, None, None, None, None),
    ]


def test_pause_during_a_call_takes_effect_when_the_call_ends() -> None:
    got, m = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(10, "CONNECT", "5|b.1|0", callid="c1"),
        a(20, "PAUSE", "Break"),
        a(50, "COMPLETEAGENT", "5|40|1", callid="c1"),
        a(950, "UNPAUSE", "Break"),
    )
    assert got == [
        ("available", 0, 10, None, None, None),
        ("on_call", 10, 50, None, Q, "c1"),
        ("paused", 50, 950, "Break", None, None),
        ("available", 950, None, None, None, None),
    ]
    assert not m.paused


def test_logout_during_a_call_and_agentdump() -> None:
    got, m = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(10, "CONNECT", "5|b.1|0", callid="c1"),
        a(50, "AGENTDUMP", callid="c1"),
    )
    assert got[-1] == ("logged_out", 50, None, None, None, None)
    assert m.call_id is None


def test_ringing_is_cut_out_of_the_available_time_afterwards() -> None:
    got, _ = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(30, "RINGNOANSWER", "15000", callid="c1"),
        a(40, "RINGCANCELED", "2500", callid="c2"),
        a(60, "CONNECT", "40|b.1|4", callid="c3"),
        a(100, "COMPLETECALLER", "40|40|1", callid="c3"),
    )
    assert got == [
        ("available", 0, 15, None, None, None),
        ("ringing", 15, 30, None, Q, "c1"),
        ("available", 30, 37.5, None, None, None),
        ("ringing", 37.5, 40, None, Q, "c2"),
        ("available", 40, 56, None, None, None),
        ("ringing", 56, 60, None, Q, "c3"),
        ("on_call", 60, 100, None, Q, "c3"),
        ("available", 100, None, None, None, None),
    ]


def test_ringing_never_reaches_before_the_available_span() -> None:
    got, _ = spans(a(0, "ADDMEMBER", callid="MANAGER"), a(10, "RINGNOANSWER", "15000", callid="c1"))
    assert got == [("ringing", 0, 10, None, Q, "c1"), ("available", 10, None, None, None, None)]


def test_no_ringing_while_paused_or_zero_ms() -> None:
    got, _ = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(5, "RINGNOANSWER", "0", callid="c0"),
        a(10, "PAUSE", "x"),
        a(30, "RINGNOANSWER", "15000", callid="c1"),
    )
    assert got == [("available", 0, 10, None, None, None), ("paused", 10, None, "x", None, None)]


def test_activity_without_login_means_logged_in_before_the_feed() -> None:
    got, m = spans(
        a(100, "CONNECT", "5|b.1|3", callid="c1"),
        a(200, "COMPLETEAGENT", "5|100|1", callid="c1"),
        a(300, "PAUSEALL", "Break", queue="NONE"),
    )
    assert got == [
        ("on_call", 100, 200, None, Q, "c1"),
        ("available", 200, 300, None, None, None),
        ("paused", 300, None, "Break", None, None),
    ]
    assert m.logged_in
    inferred, _ = spans(a(5, "UNPAUSEALL", queue="NONE"))
    assert inferred == [("available", 5, None, None, None, None)]


def test_end_of_another_call_does_not_end_the_current_one() -> None:
    got, _ = spans(
        a(0, "ADDMEMBER", callid="MANAGER"),
        a(10, "CONNECT", "5|b.1|0", callid="c1"),
        a(20, "COMPLETECALLER", "5|10|1", callid="c0"),
        a(50, "COMPLETEAGENT", "5|40|1", callid="c1"),
    )
    assert got[1:] == [
        ("on_call", 10, 50, None, Q, "c1"),
        ("available", 50, None, None, None, None),
    ]


def test_events_at_the_same_instant_leave_no_empty_spans() -> None:
    closed, m = fold_agent(
        AG,
        [
            a(0, "ADDMEMBER", callid="MANAGER"),
            a(0, "UNPAUSEALL", queue="NONE"),
            a(0, "UNPAUSE"),
            a(0, "PAUSE", "x"),
            a(0, "UNPAUSE"),
        ],
    )
    assert closed == []
    assert m.current == Span(AG, AgentState.AVAILABLE, T)
