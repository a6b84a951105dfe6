"""Coaching notes, pure: follow-up dates as supervisors type them (in the site's zone), what a
note must have, the numbers kept with a note, and a follow-up's status."""

from __future__ import annotations

import datetime as dt
import json

import pendulum
import pytest

from floorsup.domain.coaching import (
    FOLLOW_UP_HELP,
    MAX_NOTE_CHARS,
    FollowUpError,
    NoteInput,
    NoteSnapshot,
    follow_up_status,
    local_today,
    note_problems,
    parse_follow_up,
)

NY = "America/New_York"
D = dt.date.fromisoformat


def at(text: str, tz: str = NY) -> float:
    """Epoch seconds of a local wall-clock time in `tz`."""
    return pendulum.parse(text, tz=tz).timestamp()


WED = at("2026-11-25 12:00")  # a Wednesday afternoon in New York


# -- parse_follow_up --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", "2026-12-01"),
        ("2026-11-25", "2026-11-25"),  # today is not the past
        (" 2027-01-15 ", "2027-01-15"),
        ("today", "2026-11-25"),
        ("tod", "2026-11-25"),
        ("TODAY", "2026-11-25"),
        ("tomorrow", "2026-11-26"),
        ("tmrw", "2026-11-26"),
        ("tom", "2026-11-26"),
        ("+0d", "2026-11-25"),
        ("+3d", "2026-11-28"),
        ("+ 3 d", "2026-11-28"),
        ("+10D", "2026-12-05"),
        ("+2w", "2026-12-09"),
        ("+1m", "2026-12-25"),
        ("+2m", "2027-01-25"),
        ("thu", "2026-11-26"),
        ("thur", "2026-11-26"),
        ("thurs", "2026-11-26"),
        ("thursday", "2026-11-26"),
        ("fri", "2026-11-27"),
        ("Friday", "2026-11-27"),
        ("next fri", "2026-11-27"),
        ("sat", "2026-11-28"),
        ("sun", "2026-11-29"),
        ("mon", "2026-11-30"),
        ("monday", "2026-11-30"),
        ("tue", "2026-12-01"),
        ("tues", "2026-12-01"),
        ("tuesday", "2026-12-01"),
        ("wed", "2026-12-02"),  # today's own weekday: a week on, not today
        ("wednesday", "2026-12-02"),
        ("next wed", "2026-12-02"),
    ],
)
def test_every_accepted_form(text: str, expected: str) -> None:
    got = parse_follow_up(text, WED, NY)
    assert got == D(expected)
    assert type(got) is dt.date  # a plain date, whatever pendulum gave inside


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_means_no_follow_up(text: str) -> None:
    assert parse_follow_up(text, WED, NY) is None


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        ("2027-01-31", "+1m", "2027-02-28"),  # no 31 February: the month's last day
        ("2028-01-31", "+1m", "2028-02-29"),  # a leap year
        ("2026-03-31", "+1m", "2026-04-30"),
        ("2026-08-31", "+6m", "2027-02-28"),
        ("2026-12-31", "+1d", "2027-01-01"),
        ("2026-12-31", "+1m", "2027-01-31"),
        ("2027-02-28", "+1w", "2027-03-07"),
    ],
)
def test_months_and_weeks_at_the_end_of_a_month(today: str, text: str, expected: str) -> None:
    assert parse_follow_up(text, at(f"{today} 09:00"), NY) == D(expected)


def test_today_is_the_sites_day_near_midnight() -> None:
    late = at("2026-11-25 23:30")  # already the 26th in UTC (04:30)
    assert parse_follow_up("today", late, NY) == D("2026-11-25")
    assert parse_follow_up("tomorrow", late, NY) == D("2026-11-26")
    assert parse_follow_up("2026-11-25", late, NY) == D("2026-11-25")
    assert parse_follow_up("today", late, "UTC") == D("2026-11-26")
    with pytest.raises(FollowUpError, match="2026-11-25 is in the past"):
        parse_follow_up("2026-11-25", late, "UTC")
    early = at("2026-11-26 00:10")  # just after midnight in New York
    assert parse_follow_up("today", early, NY) == D("2026-11-26")
    assert parse_follow_up("thu", early, NY) == D("2026-12-03")  # it is Thursday there
    # far east: Kiritimati (UTC+14) is already on Thursday while New York is on Wednesday
    assert parse_follow_up("today", WED, "Pacific/Kiritimati") == D("2026-11-26")
    assert local_today(late, NY) == D("2026-11-25")


def test_around_a_change_of_the_clocks() -> None:
    # New York springs forward on Sunday 8 March 2026 at 02:00
    sat_night = at("2026-03-07 23:59")
    assert parse_follow_up("tomorrow", sat_night, NY) == D("2026-03-08")
    assert parse_follow_up("+1d", at("2026-03-08 03:30"), NY) == D("2026-03-09")
    assert parse_follow_up("sun", at("2026-03-08 12:00"), NY) == D("2026-03-15")
    # and falls back on Sunday 1 November 2026: 01:30 happens twice
    second_130 = pendulum.datetime(2026, 11, 1, 1, 30, tz=NY, fold=1).timestamp()
    assert parse_follow_up("today", second_130, NY) == D("2026-11-01")
    assert parse_follow_up("+1w", second_130, NY) == D("2026-11-08")


SANTIAGO = "America/Santiago"  # Chile moves its clocks forward at midnight: 00:00 -> 01:00


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2026-09-06"),
        ("tomorrow", "2026-09-07"),
        ("+1w", "2026-09-13"),
        ("sun", "2026-09-13"),  # it is Sunday: a week on
    ],
)
def test_a_day_whose_midnight_is_skipped(text: str, expected: str) -> None:
    """Starting from the local midnight would land on 23:00 the day before (there is no
    00:00 that day): today must be the local date itself."""
    noon = at("2026-09-06 12:00", SANTIAGO)
    assert local_today(noon, SANTIAGO) == D("2026-09-06")
    assert parse_follow_up(text, noon, SANTIAGO) == D(expected)


def test_yesterday_is_refused_on_a_day_whose_midnight_is_skipped() -> None:
    with pytest.raises(FollowUpError, match="in the past"):
        parse_follow_up("2026-09-05", at("2026-09-06 12:00", SANTIAGO), SANTIAGO)


@pytest.mark.parametrize("text", ["2026-11-24", "2025-12-31", "2026-01-01"])
def test_past_dates_are_refused(text: str) -> None:
    with pytest.raises(FollowUpError, match=f"{text} is in the past: a follow-up is still to come"):
        parse_follow_up(text, WED, NY)


@pytest.mark.parametrize(
    "text",
    [
        "soon",
        "next week",
        "next",
        "+3y",
        "+d",
        "3d",
        "-3d",
        "+1000d",
        "31/12/2026",
        "2026-1-5",
        "2026-12-01T10:00",
        "yesterday",
        "fri!",
        "friyay",
    ],
)
def test_garbage_is_refused_saying_what_is_accepted(text: str) -> None:
    with pytest.raises(FollowUpError) as err:
        parse_follow_up(text, WED, NY)
    assert str(err.value) == f"{text!r}: expected a date like {FOLLOW_UP_HELP}"


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026-00-10"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(FollowUpError, match=f"'{text}' is not a real date"):
        parse_follow_up(text, WED, NY)


# -- note_problems ----------------------------------------------------------------------------

CATS = ("adherence", "quality", "other")


def test_a_good_note_has_no_problems() -> None:
    good = NoteInput(staff_id="E1", category="quality", body="Discussed holds", actions="")
    assert note_problems(good, CATS) == {}


@pytest.mark.parametrize(
    ("note", "problems"),
    [
        (NoteInput("", "quality", "x"), {"agent": "choose the agent this note is about"}),
        (NoteInput("  ", "quality", "x"), {"agent": "choose the agent this note is about"}),
        (
            NoteInput("E1", "gossip", "x"),
            {"category": "'gossip' is not one of: adherence, quality, other"},
        ),
        (
            NoteInput("E1", "Quality", "x"),  # categories are exact: the form offers a list
            {"category": "'Quality' is not one of: adherence, quality, other"},
        ),
        (NoteInput("E1", "quality", ""), {"body": "the note is empty: write what was discussed"}),
        (
            NoteInput("E1", "quality", " \n\t "),
            {"body": "the note is empty: write what was discussed"},
        ),
        (
            NoteInput("E1", "quality", "x" * (MAX_NOTE_CHARS + 1)),
            {"body": f"the note is {MAX_NOTE_CHARS + 1:,} characters; keep it under 20,000"},
        ),
        (
            NoteInput("E1", "quality", "x", actions="y" * (MAX_NOTE_CHARS + 1)),
            {"actions": "agreed actions are over 20,000 characters"},
        ),
        (
            NoteInput("", "nope", ""),
            {
                "agent": "choose the agent this note is about",
                "category": "'nope' is not one of: adherence, quality, other",
                "body": "the note is empty: write what was discussed",
            },
        ),
    ],
)
def test_note_problems(note: NoteInput, problems: dict[str, str]) -> None:
    assert note_problems(note, CATS) == problems


def test_a_note_of_exactly_the_limit_is_fine() -> None:
    note = NoteInput("E1", "other", "x" * MAX_NOTE_CHARS, actions="y" * MAX_NOTE_CHARS)
    assert note_problems(note, CATS) == {}


# -- NoteSnapshot -----------------------------------------------------------------------------

T0 = 1_795_000_000.0
FULL = NoteSnapshot(
    taken_at=T0,
    calls=12,
    aht_seconds=245.0,
    adherence=0.93,
    conformance=0.875,
    state="on_call",
    qa_pct=0.86,
    qa_work_type="phone",
    qa_at=T0 - 86400,
)


@pytest.mark.parametrize(
    "snap", [FULL, NoteSnapshot(taken_at=T0), NoteSnapshot(taken_at=T0, calls=0, adherence=0.0)]
)
def test_snapshot_round_trips_through_json_text(snap: NoteSnapshot) -> None:
    text = json.dumps(snap.to_json())
    assert NoteSnapshot.from_json(json.loads(text)) == snap


def test_snapshot_json_leaves_out_what_was_not_known() -> None:
    assert NoteSnapshot(taken_at=T0).to_json() == {"taken_at": T0, "calls": 0}
    assert NoteSnapshot(taken_at=T0, adherence=0.0).to_json() == {
        "taken_at": T0,
        "calls": 0,
        "adherence": 0.0,  # zero is a value, not "unknown"
    }


@pytest.mark.parametrize("data", [None, {}, {"calls": 3}])
def test_snapshot_from_nothing_is_none(data: dict[str, object] | None) -> None:
    assert NoteSnapshot.from_json(data) is None


def test_snapshot_from_json_ignores_fields_it_does_not_know() -> None:
    """A note written by a newer version (with more numbers) still reads."""
    got = NoteSnapshot.from_json({"taken_at": T0, "calls": 2, "sentiment": 0.4})
    assert got == NoteSnapshot(taken_at=T0, calls=2)


def test_snapshot_summary() -> None:
    assert FULL.summary() == (
        "12 calls · AHT 4:05 · adherence 93% · conformance 88% · QA 86% phone · was on call"
    )
    assert NoteSnapshot(taken_at=T0).summary() == "0 calls"
    assert NoteSnapshot(taken_at=T0, calls=1).summary() == "1 call"
    assert NoteSnapshot(taken_at=T0, calls=3, aht_seconds=59.0).summary() == "3 calls · AHT 0:59"
    assert NoteSnapshot(taken_at=T0, qa_pct=0.5).summary() == "0 calls · QA 50%"
    assert NoteSnapshot(taken_at=T0, state="paused").summary() == "0 calls · was paused"


def test_snapshot_summary_with_a_duration_format() -> None:
    snap = NoteSnapshot(taken_at=T0, calls=2, aht_seconds=3725.0)
    assert snap.summary() == "2 calls · AHT 62:05"
    assert snap.summary(lambda s: f"{s / 3600:.1f} h") == "2 calls · AHT 1.0 h"


# -- follow_up_status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("follow_up", "done", "expected"),
    [
        (None, False, None),
        (None, True, None),
        ("2026-11-24", False, "overdue"),
        ("2025-01-01", False, "overdue"),
        ("2026-11-25", False, "due"),
        ("2026-11-26", False, "open"),
        ("2026-11-24", True, None),  # done: nothing to chase, however late
        ("2026-11-26", True, None),
    ],
)
def test_follow_up_status(follow_up: str | None, done: bool, expected: str | None) -> None:
    day = D(follow_up) if follow_up else None
    assert follow_up_status(day, done, D("2026-11-25")) == expected


# -- found by fuzzing -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["+999m", "9999-12-31", "2100-01-01"])
def test_a_follow_up_past_2099_is_refused(text: str) -> None:
    """`+999m` was taken as a follow-up in 2110 and `9999-12-31` as one in year 9999."""
    with pytest.raises(FollowUpError, match="too far ahead"):
        parse_follow_up(text, WED, NY)


def test_note_filter_dates_are_kept_in_the_form_they_are_compared_in() -> None:
    """`from:20261101` (a date Python reads) was kept as typed and compared as text with
    `2026-11-05`, so it hid every follow-up; it is kept as 2026-11-01."""
    from floorsup.domain.coaching import parse_note_filter

    fields, _words, problems = parse_note_filter("from:20261101 to:2026-11-30")
    assert fields == {"from": "2026-11-01", "to": "2026-11-30"} and problems == []


def test_note_filter_refuses_dates_out_of_range() -> None:
    """`from:0001-01-01` reached day_bounds on the coaching screen (year 0 east of UTC)."""
    from floorsup.domain.coaching import parse_note_filter

    fields, _words, problems = parse_note_filter("from:0001-01-01 to:9999-12-31")
    assert fields == {}
    assert len(problems) == 2 and all("is outside 1990-01-01" in p for p in problems)
