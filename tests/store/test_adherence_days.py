"""Stored adherence days: a tiny hand-built day worked out once (closed days only, the same
figures as the adherence screen), kept, summed, and never computed twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.adherence import build_adherence
from floorsup.config import Settings
from floorsup.store import adherence_days as ad
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.schedules import authorize_exception, replace_day
from floorsup.store.sql import execute, executemany, fetchall

NY = "America/New_York"
D = dt.date(2026, 3, 10)
DAY = dt.timedelta(days=1)
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000
E2,Ben Sample,Team One,agent,2024-03-01,PJSIP/2002
E3,Cat Nohone,Team Two,agent,2024-03-01,
S1,Cy Lead,Team One,team_lead,2020-05-05,
X1,Xi Gone,Team Two,agent,2020-01-01,
"""


def at(day: dt.date, hhmm: str) -> float:
    """A New York wall-clock time on `day` as UTC epoch seconds."""
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=ZoneInfo(NY)).timestamp()


SETTINGS = Settings(db="unused", tz=NY)
NOW = at(D + DAY, "10:00")  # the morning after D: D is closed, D + 1 is today


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    """Day D, by hand:

    * E1 (SIP/1000): open 09:00-12:00. Logged out until 09:10, available 09:10-11:00 (an
      ended span), then available since 11:00 and still now (the lasting state). A
      supervisor authorised 09:00-09:05. Scheduled 3 h = 10800 s; out 09:05-09:10 = 300 s.
    * E2 (PJSIP/2002): open 09:00-10:00, break 10:00-10:15. Available 08:55-10:00, paused
      "Break" 10:00-10:20. All 4500 s in adherence.
    * E3 has no ACD name: open 13:00-14:00, logged out throughout: 3600 s, none adherent.
    * S1 has no schedule; X1 (no longer active) has one, which does not count.
    """
    (tmp_path / "r.csv").write_text(ROSTER)
    import_roster(engine, tmp_path / "r.csv", actor=system())
    replace_day(engine, "E1", D, [(at(D, "09:00"), at(D, "12:00"), "open")], actor=system())
    replace_day(
        engine,
        "E2",
        D,
        [(at(D, "09:00"), at(D, "10:00"), "open"), (at(D, "10:00"), at(D, "10:15"), "break")],
        actor=system(),
    )
    replace_day(engine, "E3", D, [(at(D, "13:00"), at(D, "14:00"), "open")], actor=system())
    replace_day(
        engine, "X1", D + 3 * DAY, [(at(D, "09:00"), at(D, "10:00"), "open")], actor=system()
    )
    authorize_exception(
        engine,
        "E1",
        at(D, "09:00"),
        at(D, "09:05"),
        actor=system("cy"),
        why="system login",
        now=NOW,
    )
    with engine.begin() as conn:
        execute(conn, "UPDATE staff SET active = ? WHERE staff_id = 'X1'", (False,))
        executemany(
            conn,
            'INSERT INTO agent_state_span (agent, state, reason, start, "end") '
            "VALUES (?, ?, ?, ?, ?)",
            [
                ("SIP/1000", "available", None, at(D, "09:10"), at(D, "11:00")),
                ("PJSIP/2002", "available", None, at(D, "08:55"), at(D, "10:00")),
                ("PJSIP/2002", "paused", "Break", at(D, "10:00"), at(D, "10:20")),
            ],
        )
        execute(
            conn,
            "INSERT INTO agent_live (agent, logged_in, queues, paused, state, state_since, "
            "last_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("SIP/1000", True, "sales", False, "available", at(D, "11:00"), at(D, "11:00")),
        )
    return engine


EXPECTED = {"E1": (10800.0, 10500.0), "E2": (4500.0, 4500.0), "E3": (3600.0, 0.0)}


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return fetchall(
            conn,
            'SELECT s.staff_id, CAST(a."day" AS TEXT), a.scheduled_seconds, a.adherent_seconds, a.computed_at '
            "FROM adherence_day a JOIN staff s ON s.id = a.staff_pk ORDER BY 2, 1",
        )


def test_ensure_days_computes_the_closed_day_once(db: Engine) -> None:
    # today (D + 1) has schedule too, but is not closed: never stored
    replace_day(
        db, "E1", D + DAY, [(at(D + DAY, "09:00"), at(D + DAY, "12:00"), "open")], actor=system()
    )
    assert ad.ensure_days(db, SETTINGS, D - DAY, D + DAY, NOW) == [D]
    assert stored(db) == [
        ("E1", D.isoformat(), 10800.0, 10500.0, NOW),
        ("E2", D.isoformat(), 4500.0, 4500.0, NOW),
        ("E3", D.isoformat(), 3600.0, 0.0, NOW),
    ]
    with db.connect() as conn:
        assert ad.day_totals(conn, D, D) == EXPECTED
        assert ad.missing_days(conn, D - DAY, D + DAY, tz=NY) == [D + DAY]
    # a second run (later, with a span for D landing late) leaves D as it was stored
    with db.begin() as conn:
        execute(
            conn,
            'INSERT INTO agent_state_span (agent, state, start, "end") VALUES (?, ?, ?, ?)',
            ("SIP/1000", "available", at(D, "09:00"), at(D, "09:10")),
        )
    assert ad.ensure_days(db, SETTINGS, D - DAY, D + DAY, NOW + 3600) == []
    assert [r[4] for r in stored(db)] == [NOW] * 3


def test_the_stored_figures_are_the_adherence_screens(db: Engine) -> None:
    ad.ensure_days(db, SETTINGS, D, D, NOW)
    screen = build_adherence(db, SETTINGS, NOW, day=D)
    assert {
        r.person.staff_id: (r.day.scheduled_seconds, r.day.in_adherence_seconds)
        for r in screen.rows
    } == EXPECTED
    with db.connect() as conn:
        assert ad.day_totals(conn, D, D) == EXPECTED


def test_days_already_stored_are_skipped(db: Engine) -> None:
    ad.store_days(db, [("E2", D, 1.0, 0.5)], now=NOW - 5)  # stored earlier, by someone else
    assert ad.ensure_days(db, SETTINGS, D, D, NOW) == []
    assert stored(db) == [("E2", D.isoformat(), 1.0, 0.5, NOW - 5)]


def test_nothing_to_do_for_today_or_the_future(db: Engine) -> None:
    assert ad.ensure_days(db, SETTINGS, D + DAY, D + 5 * DAY, NOW) == []
    assert ad.ensure_days(db, SETTINGS, D, D, at(D, "23:59")) == []  # D is still today
    assert stored(db) == []


def test_a_night_shift_counts_on_each_day_it_covers(db: Engine) -> None:
    night = D + 5 * DAY
    replace_day(
        db, "E3", night, [(at(night, "22:00"), at(night + DAY, "02:00"), "open")], actor=system()
    )
    with db.connect() as conn:
        # dated `night` only; with the zone, the morning after is a day with schedule too
        assert ad.missing_days(conn, night, night + DAY) == [night]
        assert ad.missing_days(conn, night, night + DAY, tz=NY) == [night, night + DAY]
    later = at(night + 3 * DAY, "08:00")
    assert ad.ensure_days(db, SETTINGS, D, night + 2 * DAY, later) == [D, night, night + DAY]
    with db.connect() as conn:
        assert ad.day_totals(conn, night, night) == {"E3": (7200.0, 0.0)}
        assert ad.day_totals(conn, night + DAY, night + DAY) == {"E3": (7200.0, 0.0)}
        assert ad.missing_days(conn, D - 9 * DAY, night + 9 * DAY, tz=NY) == []


def test_missing_days_ignores_people_no_longer_active(db: Engine) -> None:
    with db.connect() as conn:
        assert ad.missing_days(conn, D - DAY, D + 5 * DAY) == [D]  # not X1's D + 3
        assert ad.missing_days(conn, D + DAY, D) == []


def test_store_days_upserts_and_sums(db: Engine) -> None:
    assert ad.store_days(db, [("E1", D, 100.0, 90.0), ("E1", D + DAY, 50.0, 50.0)], NOW) == 2
    assert ad.store_days(db, [("E1", D, 200.0, 150.0)], NOW + 1) == 1  # replaces D
    assert ad.store_days(db, [], NOW) == 0
    with db.connect() as conn:
        assert ad.day_totals(conn, D, D + DAY) == {"E1": (250.0, 200.0)}
        assert ad.day_totals(conn, D + DAY, D + 9 * DAY) == {"E1": (50.0, 50.0)}
        assert ad.day_totals(conn, D - 9 * DAY, D - DAY) == {}
        assert ad.stored_days(conn, D - DAY, D + DAY) == {D, D + DAY}


def test_store_days_refuses_unknown_staff_and_writes_nothing(db: Engine) -> None:
    with pytest.raises(ValueError, match="not on the roster: NOPE"):
        ad.store_days(db, [("E1", D, 100.0, 90.0), ("NOPE", D, 1.0, 1.0)], NOW)
    assert stored(db) == []


def test_person_days_reads_several_people_at_once(db: Engine) -> None:
    ad.ensure_days(db, SETTINGS, D, D, NOW)
    with db.connect() as conn:
        got = ad.person_days(conn, ["E1", "E3", "S1"], D - DAY, D)
        assert ad.person_days(conn, [], D, D) == {}
    assert sorted(got) == ["E1", "E3"]  # S1 has no schedule: nothing stored
    ((day, sched, adherent),) = got["E1"]
    assert (day, sched, adherent) == (D, 10800.0, 10500.0)
    assert got["E3"] == [(D, 3600.0, 0.0)]
