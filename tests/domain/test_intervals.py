"""Local wall-clock intervals across DST."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from floorsup.domain.intervals import (
    Interval,
    cut_intervals,
    day_bounds,
    day_intervals,
    interval_start_for,
    iso_local,
    local_date,
)

NY = "America/New_York"
LONDON = "Europe/London"
UTC = dt.UTC

SPRING_NY = dt.date(2026, 3, 8)
FALL_NY = dt.date(2026, 11, 1)
SPRING_LONDON = dt.date(2026, 3, 29)
FALL_LONDON = dt.date(2026, 10, 25)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    """UTC epoch seconds of a UTC wall time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


# --- day_bounds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        (NY, SPRING_NY, 23),
        (NY, FALL_NY, 25),
        (NY, dt.date(2026, 3, 7), 24),
        (NY, dt.date(2026, 3, 9), 24),
        (NY, dt.date(2026, 7, 15), 24),
        (LONDON, SPRING_LONDON, 23),
        (LONDON, FALL_LONDON, 25),
        (LONDON, dt.date(2026, 1, 15), 24),
        ("UTC", SPRING_NY, 24),
        ("Asia/Kolkata", FALL_NY, 24),
        # Chile goes back at 24:00, so the repeated hour is the *evening* of the 4th.
        ("America/Santiago", dt.date(2026, 4, 4), 25),
        ("America/Santiago", dt.date(2026, 4, 5), 24),
        # ... and forward at 00:00: the 6th has no midnight and starts at 01:00.
        ("America/Santiago", dt.date(2026, 9, 6), 23),
        # Cuba goes back at 01:00 to 00:00: midnight happens twice, the day starts at the first.
        ("America/Havana", dt.date(2026, 11, 1), 25),
        ("America/Havana", dt.date(2026, 3, 8), 23),
        # Lord Howe Island changes by half an hour.
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), 24.5),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), 23.5),
    ],
)
def test_day_bounds_length(tz: str, day: dt.date, hours: float) -> None:
    start, end = day_bounds(day, tz)
    assert end - start == hours * 3600


@pytest.mark.parametrize(
    ("tz", "day", "start", "end"),
    [
        (NY, SPRING_NY, utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
        (NY, FALL_NY, utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
        (LONDON, SPRING_LONDON, utc(2026, 3, 29, 0), utc(2026, 3, 29, 23)),
        (LONDON, FALL_LONDON, utc(2026, 10, 24, 23), utc(2026, 10, 26, 0)),
        ("UTC", dt.date(2026, 1, 1), utc(2026, 1, 1), utc(2026, 1, 2)),
        ("Asia/Tokyo", dt.date(2026, 1, 1), utc(2025, 12, 31, 15), utc(2026, 1, 1, 15)),
        # no local midnight on 2026-09-06: the day starts at the jump (00:00 -04 = 04:00Z)
        ("America/Santiago", dt.date(2026, 9, 6), utc(2026, 9, 6, 4), utc(2026, 9, 7, 3)),
        # midnight twice on 2026-11-01 in Havana: the first (00:00 -04 = 04:00Z)
        ("America/Havana", dt.date(2026, 11, 1), utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
    ],
)
def test_day_bounds_values(tz: str, day: dt.date, start: float, end: float) -> None:
    assert day_bounds(day, tz) == (start, end)


@pytest.mark.parametrize("tz", [NY, LONDON, "America/Santiago", "America/Havana", "UTC"])
def test_days_tile_without_gaps(tz: str) -> None:
    day = dt.date(2026, 1, 1)
    for _ in range(366):
        nxt = day + dt.timedelta(days=1)
        assert day_bounds(day, tz)[1] == day_bounds(nxt, tz)[0]
        start, end = day_bounds(day, tz)
        assert local_date(start, tz) == day
        assert local_date(end - 1, tz) == day
        day = nxt


def test_day_that_does_not_exist_is_empty() -> None:
    # Samoa skipped 2011-12-30 when it crossed the date line.
    start, end = day_bounds(dt.date(2011, 12, 30), "Pacific/Apia")
    assert start == end
    assert day_intervals(dt.date(2011, 12, 30), "Pacific/Apia", 15) == []


# --- day_intervals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "minutes", "count"),
    [
        (NY, SPRING_NY, 15, 92),
        (NY, SPRING_NY, 30, 46),
        (NY, SPRING_NY, 60, 23),
        (NY, FALL_NY, 15, 100),
        (NY, FALL_NY, 30, 50),
        (NY, FALL_NY, 60, 25),
        (NY, dt.date(2026, 6, 1), 15, 96),
        (NY, dt.date(2026, 6, 1), 30, 48),
        (NY, dt.date(2026, 6, 1), 60, 24),
        (LONDON, SPRING_LONDON, 15, 92),
        (LONDON, SPRING_LONDON, 60, 23),
        (LONDON, FALL_LONDON, 15, 100),
        (LONDON, FALL_LONDON, 60, 25),
        ("UTC", FALL_NY, 15, 96),
        ("America/Santiago", dt.date(2026, 4, 4), 15, 100),
        ("America/Santiago", dt.date(2026, 9, 6), 15, 92),
        ("America/Havana", dt.date(2026, 11, 1), 15, 100),
        ("America/Havana", dt.date(2026, 11, 1), 60, 25),
        # a half-hour change: quarter-hours still count exactly
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), 15, 98),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), 15, 94),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), 30, 49),
    ],
)
def test_day_interval_counts(tz: str, day: dt.date, minutes: int, count: int) -> None:
    assert len(day_intervals(day, tz, minutes)) == count


DST_CASES = [
    (tz, day, minutes)
    for tz, day in [
        (NY, SPRING_NY),
        (NY, FALL_NY),
        (LONDON, SPRING_LONDON),
        (LONDON, FALL_LONDON),
        ("America/Santiago", dt.date(2026, 4, 4)),
        ("America/Santiago", dt.date(2026, 9, 6)),
        ("America/Havana", dt.date(2026, 11, 1)),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5)),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4)),
        ("Asia/Kathmandu", dt.date(2026, 5, 5)),
    ]
    for minutes in (15, 30, 60)
]


@pytest.mark.parametrize(("tz", "day", "minutes"), DST_CASES)
def test_day_intervals_tile_the_day(tz: str, day: dt.date, minutes: int) -> None:
    ivs = day_intervals(day, tz, minutes)
    start, end = day_bounds(day, tz)
    assert ivs[0].start == start
    assert ivs[-1].end == end
    for a, b in pairwise(ivs):
        assert a.end == b.start
    assert all(iv.start < iv.end for iv in ivs)


@pytest.mark.parametrize(("tz", "day", "minutes"), DST_CASES)
def test_labels_are_unique_and_name_the_start(tz: str, day: dt.date, minutes: int) -> None:
    ivs = day_intervals(day, tz, minutes)
    labels = [iv.label for iv in ivs]
    assert len(set(labels)) == len(labels)
    for iv in ivs:
        local = dt.datetime.fromisoformat(iv.label)
        assert local.timestamp() == iv.start  # the offset in the label is the right one
        assert local.date() == day
        assert local.second == 0


@pytest.mark.parametrize(("tz", "day", "minutes"), DST_CASES)
def test_boundaries_are_on_the_local_grid(tz: str, day: dt.date, minutes: int) -> None:
    ivs = day_intervals(day, tz, minutes)
    start, _ = day_bounds(day, tz)
    for iv in ivs:
        if iv.start == start:
            continue  # the day's first instant may not be a multiple (no midnight)
        local = dt.datetime.fromisoformat(iv.label)
        assert (local.hour * 60 + local.minute) % minutes == 0


@pytest.mark.parametrize(("tz", "day"), [(NY, SPRING_NY), (NY, FALL_NY), (LONDON, FALL_LONDON)])
def test_one_hour_dst_quarter_hours_are_all_fifteen_minutes(tz: str, day: dt.date) -> None:
    assert {iv.seconds for iv in day_intervals(day, tz, 15)} == {900.0}


def test_new_york_fall_back_repeats_the_one_oclock_hour() -> None:
    labels = [iv.label for iv in day_intervals(FALL_NY, NY, 15)]
    first = [f"2026-11-01T01:{m:02d}:00-04:00" for m in (0, 15, 30, 45)]
    second = [f"2026-11-01T01:{m:02d}:00-05:00" for m in (0, 15, 30, 45)]
    i = labels.index(first[0])
    assert labels[i - 1] == "2026-11-01T00:45:00-04:00"
    assert labels[i : i + 8] == first + second
    assert labels[i + 8] == "2026-11-01T02:00:00-05:00"
    assert labels[0] == "2026-11-01T00:00:00-04:00"
    assert labels[-1] == "2026-11-01T23:45:00-05:00"
    # the two 01:00 intervals are an hour apart in UTC
    ivs = {iv.label: iv for iv in day_intervals(FALL_NY, NY, 15)}
    assert ivs[second[0]].start - ivs[first[0]].start == 3600
    assert ivs[first[0]].start == utc(2026, 11, 1, 5)
    assert ivs[second[0]].start == utc(2026, 11, 1, 6)


def test_new_york_spring_forward_skips_the_two_oclock_hour() -> None:
    labels = [iv.label for iv in day_intervals(SPRING_NY, NY, 15)]
    assert not any("T02:" in label for label in labels)
    i = labels.index("2026-03-08T01:45:00-05:00")
    assert labels[i + 1] == "2026-03-08T03:00:00-04:00"
    assert labels[0] == "2026-03-08T00:00:00-05:00"
    assert labels[-1] == "2026-03-08T23:45:00-04:00"


def test_london_fall_back_hourly_labels() -> None:
    labels = [iv.label for iv in day_intervals(FALL_LONDON, LONDON, 60)]
    assert labels[:4] == [
        "2026-10-25T00:00:00+01:00",
        "2026-10-25T01:00:00+01:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
    ]


def test_london_spring_forward_hourly_labels() -> None:
    labels = [iv.label for iv in day_intervals(SPRING_LONDON, LONDON, 60)]
    assert labels[:3] == [
        "2026-03-29T00:00:00+00:00",
        "2026-03-29T02:00:00+01:00",
        "2026-03-29T03:00:00+01:00",
    ]


def test_half_hour_change_with_hourly_intervals_stays_on_the_wall_clock() -> None:
    # Lord Howe goes back from 02:00 +11 to 01:30 +10:30: the 01:00 hour holds 90 minutes.
    ivs = day_intervals(dt.date(2026, 4, 5), "Australia/Lord_Howe", 60)
    assert [iv.label for iv in ivs[:3]] == [
        "2026-04-05T00:00:00+11:00",
        "2026-04-05T01:00:00+11:00",
        "2026-04-05T02:00:00+10:30",
    ]
    assert ivs[1].seconds == 5400
    assert len(ivs) == 24


@pytest.mark.parametrize("minutes", [0, -15, 7, 25, 1441])
def test_minutes_must_divide_the_day(minutes: int) -> None:
    with pytest.raises(ValueError):
        day_intervals(FALL_NY, NY, minutes)
    with pytest.raises(ValueError):
        cut_intervals(0, 1, NY, minutes)
    with pytest.raises(ValueError):
        interval_start_for(0, NY, minutes)


def test_interval_is_frozen() -> None:
    iv = Interval(0.0, 900.0, "x")
    with pytest.raises(AttributeError):
        iv.start = 1.0  # type: ignore[misc]
    assert iv.contains(0.0)
    assert not iv.contains(900.0)


# --- cut_intervals ---------------------------------------------------------------------


def test_cut_whole_day_matches_day_intervals() -> None:
    start, end = day_bounds(FALL_NY, NY)
    assert cut_intervals(start, end, NY, 15) == day_intervals(FALL_NY, NY, 15)


def test_cut_across_days_and_dst() -> None:
    start, _ = day_bounds(dt.date(2026, 10, 31), NY)
    _, end = day_bounds(dt.date(2026, 11, 2), NY)
    ivs = cut_intervals(start, end, NY, 15)
    assert len(ivs) == 96 + 100 + 96
    assert ivs == (
        day_intervals(dt.date(2026, 10, 31), NY, 15)
        + day_intervals(FALL_NY, NY, 15)
        + day_intervals(dt.date(2026, 11, 2), NY, 15)
    )
    for a, b in pairwise(ivs):
        assert a.end == b.start


def test_cut_returns_whole_intervals_overlapping_the_window() -> None:
    base = utc(2026, 6, 1, 12)  # 08:00 -04:00 in New York
    ivs = cut_intervals(base + 100, base + 1000, NY, 15)
    assert [iv.label for iv in ivs] == [
        "2026-06-01T08:00:00-04:00",
        "2026-06-01T08:15:00-04:00",
    ]
    assert ivs[0].start == base
    assert ivs[-1].end == base + 1800


@pytest.mark.parametrize(
    ("start_off", "end_off", "count"),
    [
        (0, 900, 1),  # exactly one interval
        (0, 901, 2),  # one second into the next
        (-1, 900, 2),  # one second of the previous
        (0, 0, 0),  # empty window
        (900, 0, 0),  # reversed window
        (450, 451, 1),  # inside one interval
        (0, 3600, 4),
    ],
)
def test_cut_edges(start_off: int, end_off: int, count: int) -> None:
    base = utc(2026, 6, 1, 12)
    assert len(cut_intervals(base + start_off, base + end_off, NY, 15)) == count


def test_cut_across_local_midnight() -> None:
    midnight, _ = day_bounds(dt.date(2026, 6, 2), NY)
    ivs = cut_intervals(midnight - 1800, midnight + 1800, NY, 30)
    assert [iv.label for iv in ivs] == [
        "2026-06-01T23:30:00-04:00",
        "2026-06-02T00:00:00-04:00",
    ]


def test_cut_through_the_repeated_hour() -> None:
    start = utc(2026, 11, 1, 5)  # 01:00 -04:00
    ivs = cut_intervals(start, start + 2 * 3600, NY, 30)
    assert [iv.label for iv in ivs] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:30:00-05:00",
    ]


def test_cut_rejects_infinite_window() -> None:
    with pytest.raises(ValueError):
        cut_intervals(0, float("inf"), NY, 15)


# --- interval_start_for ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "tz", "minutes", "expected"),
    [
        (utc(2026, 6, 1, 12, 7), NY, 15, utc(2026, 6, 1, 12)),
        (utc(2026, 6, 1, 12, 15), NY, 15, utc(2026, 6, 1, 12, 15)),  # on the boundary
        (utc(2026, 6, 1, 12, 14, 59), NY, 15, utc(2026, 6, 1, 12)),
        (utc(2026, 6, 1, 12, 44), NY, 30, utc(2026, 6, 1, 12, 30)),
        (utc(2026, 6, 1, 12, 59), NY, 60, utc(2026, 6, 1, 12)),
        # fall back: first 01:10 (-04) and second 01:10 (-05)
        (utc(2026, 11, 1, 5, 10), NY, 15, utc(2026, 11, 1, 5)),
        (utc(2026, 11, 1, 6, 10), NY, 15, utc(2026, 11, 1, 6)),
        (utc(2026, 11, 1, 6, 10), NY, 60, utc(2026, 11, 1, 6)),
        # spring forward: 01:59 -05 then 03:00 -04
        (utc(2026, 3, 8, 6, 59), NY, 60, utc(2026, 3, 8, 6)),
        (utc(2026, 3, 8, 7), NY, 60, utc(2026, 3, 8, 7)),
        # local midnight belongs to the new day
        (utc(2026, 6, 2, 4), NY, 15, utc(2026, 6, 2, 4)),
        (utc(2026, 6, 2, 3, 59, 59), NY, 15, utc(2026, 6, 2, 3, 45)),
        # a zone at +05:45: the grid is local, not UTC
        (utc(2026, 5, 5, 0, 20), "Asia/Kathmandu", 60, utc(2026, 5, 5, 0, 15)),  # 06:05
        (utc(2026, 5, 5, 0, 50), "Asia/Kathmandu", 30, utc(2026, 5, 5, 0, 45)),  # 06:35
    ],
)
def test_interval_start_for(t: float, tz: str, minutes: int, expected: float) -> None:
    assert interval_start_for(t, tz, minutes) == expected


@pytest.mark.parametrize(("tz", "day", "minutes"), DST_CASES)
def test_interval_start_for_agrees_with_cut(tz: str, day: dt.date, minutes: int) -> None:
    ivs = day_intervals(day, tz, minutes)
    for iv in ivs:
        for t in (iv.start, iv.start + 0.5, (iv.start + iv.end) / 2, iv.end - 0.001):
            assert interval_start_for(t, tz, minutes) == iv.start


# --- iso_local / local_date ------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "tz", "iso", "date"),
    [
        (utc(2026, 11, 1, 5), NY, "2026-11-01T01:00:00-04:00", dt.date(2026, 11, 1)),
        (utc(2026, 11, 1, 6), NY, "2026-11-01T01:00:00-05:00", dt.date(2026, 11, 1)),
        (utc(2026, 11, 1, 3, 59), NY, "2026-10-31T23:59:00-04:00", dt.date(2026, 10, 31)),
        (utc(2026, 7, 1, 12), LONDON, "2026-07-01T13:00:00+01:00", dt.date(2026, 7, 1)),
        (utc(2026, 1, 1, 0), LONDON, "2026-01-01T00:00:00+00:00", dt.date(2026, 1, 1)),
        (utc(2026, 1, 1, 0), "UTC", "2026-01-01T00:00:00+00:00", dt.date(2026, 1, 1)),
        (utc(2026, 1, 1, 0), "Asia/Kathmandu", "2026-01-01T05:45:00+05:45", dt.date(2026, 1, 1)),
        (
            utc(2026, 1, 1, 0),
            "Pacific/Honolulu",
            "2025-12-31T14:00:00-10:00",
            dt.date(2025, 12, 31),
        ),
    ],
)
def test_iso_local_and_local_date(t: float, tz: str, iso: str, date: dt.date) -> None:
    assert iso_local(t, tz) == iso
    assert local_date(t, tz) == date


# -- parse_local_instant: a moment typed for replay --------------------------------------
_CHI = "America/Chicago"
_NOW_CHI = 1_795_192_200.0 + 8 * 3600  # 2026-11-20 18:30 in Chicago


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20 10:30", 1_795_192_200.0),
        ("2026-11-20T10:30:05", 1_795_192_205.0),
        ("  2026-11-20   10:30 ", 1_795_192_200.0),
        ("10:30", 1_795_192_200.0),  # today, on the site's clock
        ("today 10:30", 1_795_192_200.0),
        ("yesterday 10:30", 1_795_192_200.0 - 86_400),
        ("2026-03-08 02:30", 1_772_958_600.0),  # skipped by spring forward: just after
        ("2026-11-01 01:30", 1_793_518_200.0),  # twice at fall back: the first (CDT)
    ],
)
def test_parse_local_instant(text: str, expected: float) -> None:
    from floorsup.domain.intervals import parse_local_instant

    assert parse_local_instant(text, _CHI, _NOW_CHI) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is not a moment"),
        ("x", "is not a moment"),
        ("20/11/2026 10:30", "is not a date"),
        ("2026-11-20 25:00", "is not a time of day"),
        ("2026-11-20 10", "is not a time of day"),
        ("2026-11-20 10:30 pm", "is not a moment"),
        ("2026-11-21 10:00", "is in the future"),
    ],
)
def test_parse_local_instant_refuses_with_the_reason(text: str, says: str) -> None:
    from floorsup.domain.intervals import parse_local_instant

    with pytest.raises(ValueError, match=says):
        parse_local_instant(text, _CHI, _NOW_CHI)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # found by fuzzing: year 1 came back as an instant of 62 billion seconds ago
        ("0001-01-01 00:00", "is outside 1990-01-01 to 2099-12-31"),
        ("1989-12-31 23:59", "is outside 1990-01-01 to 2099-12-31"),
        # found by fuzzing: an hour of twenty digits raised OverflowError from pendulum
        ("99999999999999999999:00", "is not a time of day"),
        ("2026-11-20 10:99999999999999999999999", "is not a time of day"),
        ("²:00", "is not a time of day"),
    ],
)
def test_parse_local_instant_refuses_days_out_of_range_and_huge_numbers(
    text: str, says: str
) -> None:
    """A slip of the keyboard is a ValueError with the reason, never an OverflowError or
    a moment in year 1."""
    from floorsup.domain.intervals import parse_local_instant

    with pytest.raises(ValueError, match=says) as info:
        parse_local_instant(text, _CHI, _NOW_CHI)
    assert type(info.value) is ValueError
