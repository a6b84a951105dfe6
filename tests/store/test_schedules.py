"""Schedules: the CSV import (night shifts, DST, re-import, every rejection), the reads that
adherence uses, authorised exceptions and the one-day editor."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.domain.types import AgentState
from floorsup.ingest.follow import QueueLogFeed
from floorsup.store import schedules
from floorsup.store.access import system
from floorsup.store.roster import ImportError_, import_roster
from floorsup.store.schedules import (
    ActualRow,
    actuals_for_day,
    agents_for_adherence,
    authorizations_for_day,
    authorize_exception,
    import_schedule,
    replace_day,
    schedule_for_day,
)
from floorsup.store.sql import execute, fetchall

NY = "America/New_York"
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000;Agent 1
E2,Ben Sample,Team One,agent,2024-03-01,PJSIP/2002
E3,Cat Night,Team Two,agent,2024-03-01,
S1,Cy Lead,Team One,team_lead,2020-05-05,
"""
HEADER = "staff_id,date,start,end,activity\n"
DAY = """E1,2026-03-10,08:00,10:00,open
E1,2026-03-10,10:00,10:15,Break
E1,2026-03-10,10:15,16:00,open
E2,2026-03-10,09:00,17:00,open
"""


def at(text: str, fold: int = 0) -> float:
    """A New York wall-clock time as UTC epoch seconds."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(NY), fold=fold).timestamp()


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    import_roster(engine, roster, actor=system())
    return engine


def write(tmp_path: Path, body: str, name: str = "schedule.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return fetchall(
            conn,
            'SELECT s.staff_id, CAST(g.shift_date AS TEXT), g.start, g."end", g.activity '
            "FROM schedule_segment g "
            "JOIN staff s ON s.id = g.staff_pk ORDER BY s.staff_id, g.start",
        )


# -- import -----------------------------------------------------------------------------------


def test_import_day(db: Engine, tmp_path: Path) -> None:
    res = import_schedule(db, write(tmp_path, DAY), tz=NY, actor=system())
    assert res == schedules.ScheduleResult(days=2, staff=2, segments=4, removed=0)
    assert stored(db) == [
        ("E1", "2026-03-10", at("2026-03-10 08:00"), at("2026-03-10 10:00"), "open"),
        ("E1", "2026-03-10", at("2026-03-10 10:00"), at("2026-03-10 10:15"), "break"),
        ("E1", "2026-03-10", at("2026-03-10 10:15"), at("2026-03-10 16:00"), "open"),
        ("E2", "2026-03-10", at("2026-03-10 09:00"), at("2026-03-10 17:00"), "open"),
    ]


def test_night_shift_runs_past_midnight(db: Engine, tmp_path: Path) -> None:
    body = """E3,2026-03-10,22:00,06:00,open
E1,2026-03-10,22:00,00:00,open
E1,2026-03-10,00:00,00:30,lunch
E1,2026-03-10,00:30,06:00,open
"""
    import_schedule(db, write(tmp_path, body), tz=NY, actor=system())
    rows = stored(db)
    assert ("E3", "2026-03-10", at("2026-03-10 22:00"), at("2026-03-11 06:00"), "open") in rows
    assert at("2026-03-11 06:00") - at("2026-03-10 22:00") == 8 * 3600
    # the rows after the one that crossed midnight are on the next calendar day, same shift
    assert [r[1:] for r in rows if r[0] == "E1"] == [
        ("2026-03-10", at("2026-03-10 22:00"), at("2026-03-11 00:00"), "open"),
        ("2026-03-10", at("2026-03-11 00:00"), at("2026-03-11 00:30"), "lunch"),
        ("2026-03-10", at("2026-03-11 00:30"), at("2026-03-11 06:00"), "open"),
    ]


def test_dst_day_is_as_long_as_it_really_is(db: Engine, tmp_path: Path) -> None:
    # 2026-11-01 in New York: 02:00 EDT becomes 01:00 EST, so 00:00-04:00 lasts five hours
    import_schedule(db, write(tmp_path, "E1,2026-11-01,00:00,04:00,open\n"), tz=NY, actor=system())
    ((_, _, start, end, _),) = stored(db)
    assert end - start == 5 * 3600
    assert start == dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC).timestamp()


def test_ambiguous_time_takes_the_first_occurrence(db: Engine, tmp_path: Path) -> None:
    import_schedule(db, write(tmp_path, "E1,2026-11-01,01:30,03:00,open\n"), tz=NY, actor=system())
    ((_, _, start, end, _),) = stored(db)
    assert start == at("2026-11-01 01:30", fold=0)  # 01:30 EDT, not EST
    assert end - start == 2.5 * 3600


def test_time_in_the_spring_gap_is_rejected(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, DAY + "E3,2026-03-08,02:30,08:00,open\n")
    with pytest.raises(ImportError_) as err:
        import_schedule(db, path, tz=NY, actor=system())
    assert err.value.problems == [
        f"{path}:6: start 02:30 on 2026-03-08 does not exist in {NY} (the clocks go forward "
        "then): expected a time outside the gap"
    ]
    assert stored(db) == []


def test_reimport_replaces_only_the_days_in_the_file(db: Engine, tmp_path: Path) -> None:
    first = DAY + "E1,2026-03-11,08:00,16:00,open\nE2,2026-03-11,08:00,16:00,open\n"
    import_schedule(db, write(tmp_path, first), tz=NY, actor=system())
    again = "E1,2026-03-10,12:00,20:00,Training\n"
    res = import_schedule(db, write(tmp_path, again, "again.csv"), tz=NY, actor=system())
    assert res == schedules.ScheduleResult(days=1, staff=1, segments=1, removed=3)
    assert [(r[0], r[1], r[4]) for r in stored(db)] == [
        ("E1", "2026-03-10", "training"),
        ("E1", "2026-03-11", "open"),
        ("E2", "2026-03-10", "open"),
        ("E2", "2026-03-11", "open"),
    ]
    # the same file twice changes nothing
    before = stored(db)
    import_schedule(db, write(tmp_path, again, "again.csv"), tz=NY, actor=system())
    assert stored(db) == before


def test_custom_activity_from_the_settings(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "E1,2026-03-10,08:00,12:00,Back Office\n")
    with pytest.raises(ImportError_, match="activity 'Back Office' is not one of"):
        import_schedule(db, path, tz=NY, actor=system())
    import_schedule(db, path, tz=NY, activities={"back office": True}, actor=system())
    assert stored(db)[0][4] == "back office"


def test_extra_columns_and_blank_lines_are_fine(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "Activity,Staff_ID,Date,Start,End,Note\nopen,E1,2026-03-10,08:00,12:00,x\n\n",
        encoding="utf-8",
    )
    assert import_schedule(db, path, tz=NY, actor=system()).segments == 1


# -- rejections: the whole file, and nothing changes -----------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("E9,2026-03-10,08:00,12:00,open", "staff_id 'E9' is not on the roster"),
        (",2026-03-10,08:00,12:00,open", "staff_id is empty"),
        ("E3,2026-03-10,08:00,12:00,nap", "activity 'nap' is not one of break, coaching,"),
        ("E3,10/03/2026,08:00,12:00,open", "date '10/03/2026' is not a date YYYY-MM-DD"),
        ("E3,2026-02-30,08:00,12:00,open", "date '2026-02-30' is not a date YYYY-MM-DD"),
        ("E3,2026-03-10,8am,12:00,open", "start '8am' is not a time HH:MM (00:00 to 23:59)"),
        ("E3,2026-03-10,08:00,24:00,open", "end '24:00' is not a time HH:MM"),
        ("E3,2026-03-10,08:00,08:00,open", "end 08:00 equals start: expected a segment that lasts"),
        ("E3,2026-03-10,08:00", "expected 5 columns (staff_id,date,start,end,activity), got 3"),
        ("E1,2026-03-10,15:00,17:00,open", "E1 2026-03-10 open 15:00-17:00 overlaps line 4"),
        (
            "E1,2026-03-10,07:00,09:00,meeting",
            "E1 2026-03-10 meeting 07:00-09:00 overlaps line 2 (2026-03-10 open 08:00-10:00)",
        ),
        # a night shift that overlaps the next morning's shift of the same person
        ("E2,2026-03-09,22:00,09:30,open", "overlaps line 5 (2026-03-10 open 09:00-17:00)"),
    ],
)
def test_bad_row_rejects_the_whole_file(
    db: Engine, tmp_path: Path, bad_row: str, expected: str
) -> None:
    import_schedule(
        db, write(tmp_path, "E3,2026-03-10,13:00,14:00,open\n", "old.csv"), tz=NY, actor=system()
    )
    before = stored(db)
    path = write(tmp_path, DAY + bad_row + "\n")
    with pytest.raises(ImportError_) as err:
        import_schedule(db, path, tz=NY, actor=system())
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].startswith(f"{path}:6: ")
    assert expected in err.value.problems[0]
    assert "nothing was changed" in str(err.value)
    assert stored(db) == before


def test_overlap_names_both_lines(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "E1,2026-03-10,08:00,12:00,open\nE1,2026-03-10,11:00,11:15,break\n")
    with pytest.raises(ImportError_) as err:
        import_schedule(db, path, tz=NY, actor=system())
    assert err.value.problems == [
        f"{path}:3: E1 2026-03-10 break 11:00-11:15 overlaps line 2 (2026-03-10 open "
        "08:00-12:00): expected one activity at a time"
    ]


def test_every_problem_is_listed_in_line_order(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "E9,2026-03-10,08:00,12:00,open\nE1,x,08:00,12:00,nap\n")
    with pytest.raises(ImportError_) as err:
        import_schedule(db, path, tz=NY, actor=system())
    assert [p.split(": ")[0] for p in err.value.problems] == [f"{path}:2", f"{path}:3", f"{path}:3"]


def test_overlap_with_a_stored_day_not_replaced(db: Engine, tmp_path: Path) -> None:
    import_schedule(
        db, write(tmp_path, "E3,2026-03-09,22:00,06:00,open\n", "night.csv"), tz=NY, actor=system()
    )
    before = stored(db)
    path = write(tmp_path, "E3,2026-03-10,05:00,13:00,open\n")
    with pytest.raises(ImportError_, match="overlaps the stored shift of 2026-03-09") as err:
        import_schedule(db, path, tz=NY, actor=system())
    assert err.value.problems[0].startswith(f"{path}:2: ")
    assert stored(db) == before
    # replacing both days at once is fine
    both = "E3,2026-03-09,20:00,04:00,open\nE3,2026-03-10,05:00,13:00,open\n"
    assert (
        import_schedule(db, write(tmp_path, both, "both.csv"), tz=NY, actor=system()).removed == 1
    )


def test_rows_out_of_order_in_a_night_shift(db: Engine, tmp_path: Path) -> None:
    # the 02:00 lunch listed before the shift that crosses midnight is read as 02:00 the
    # day before; the shift then spans more than 24 hours, which is rejected
    body = "E3,2026-03-10,02:00,02:30,lunch\nE3,2026-03-10,22:00,06:00,open\n"
    with pytest.raises(ImportError_, match="more than 24 hours"):
        import_schedule(db, write(tmp_path, body), tz=NY, actor=system())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ":1: empty file: expected a header staff_id,date,start,end,activity"),
        (b"staff_id,date,start,activity\nE1,2026-03-10,08:00,open\n", ":1: header lacks end"),
        (HEADER.encode() + b"E1,2026-03-10,08:00,12:00,caf\xe9\n", ":2: not UTF-8 text"),
    ],
)
def test_unreadable_file_changes_nothing(
    db: Engine, tmp_path: Path, content: bytes, expected: str
) -> None:
    import_schedule(db, write(tmp_path, DAY, "old.csv"), tz=NY, actor=system())
    before = stored(db)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportError_) as err:
        import_schedule(db, path, tz=NY, actor=system())
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(f"{path}{expected}")
    assert stored(db) == before


def test_missing_file(db: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="cannot read"):
        import_schedule(db, tmp_path / "nope.csv", tz=NY, actor=system())


# -- reads ------------------------------------------------------------------------------------


def test_schedule_for_day(db: Engine, tmp_path: Path) -> None:
    body = DAY + "E3,2026-03-09,22:00,06:00,open\nE3,2026-03-10,22:00,06:00,open\n"
    import_schedule(db, write(tmp_path, body), tz=NY, actor=system())
    with db.connect() as conn:
        plan = schedule_for_day(conn, at("2026-03-10 00:00"), at("2026-03-11 00:00"))
    assert sorted(plan) == ["E1", "E2", "E3"]
    assert [s.activity for s in plan["E1"]] == ["open", "break", "open"]
    # both night shifts touch the day; they come whole, by start
    assert [(s.shift_date, s.start, s.end) for s in plan["E3"]] == [
        (dt.date(2026, 3, 9), at("2026-03-09 22:00"), at("2026-03-10 06:00")),
        (dt.date(2026, 3, 10), at("2026-03-10 22:00"), at("2026-03-11 06:00")),
    ]
    with db.connect() as conn:
        assert schedule_for_day(conn, at("2026-03-12 00:00"), at("2026-03-13 00:00")) == {}


def test_agents_for_adherence(db: Engine) -> None:
    with db.connect() as conn:
        people = agents_for_adherence(conn)
    assert [(p.staff_id, p.name, p.team, p.agent) for p in people] == [
        ("E1", "Ada Example", "Team One", "SIP/1000"),  # the roster's first ACD name
        ("E2", "Ben Sample", "Team One", "PJSIP/2002"),
        ("S1", "Cy Lead", "Team One", None),
        ("E3", "Cat Night", "Team Two", None),
    ]


def test_actuals_clipped_to_the_window_with_the_lasting_state(db: Engine) -> None:
    day, now = at("2026-03-10 00:00"), at("2026-03-10 12:00")
    spans = [
        ("SIP/1000", "available", None, day - 600, day + 3600),  # began before the day
        ("SIP/1000", "paused", "Lunch", day + 3600, day + 5400),
        ("SIP/1000", "on_call", "stale", day + 5400, now + 600),  # ended after `now`
        ("SIP/1000", "available", None, day - 7200, day - 3600),  # before the day: left out
        ("PJSIP/2002", "available", None, day + 100, day + 200),
        ("Other", "available", None, day + 100, day + 200),  # not asked for
    ]
    with db.connect() as conn, conn.begin():
        for agent, state, reason, start, end in spans:
            execute(
                conn,
                'INSERT INTO agent_state_span (agent, state, reason, start, "end") VALUES (?, ?, ?, ?, ?)',
                (agent, state, reason, start, end),
            )
        execute(
            conn,
            "INSERT INTO agent_live (agent, logged_in, queues, paused, reason, last_ts, state, state_since) "
            "VALUES (?, TRUE, 'sales', TRUE, 'Break', ?, 'paused', ?)",
            ("PJSIP/2002", day + 200, day + 200),
        )
        execute(
            conn,
            "INSERT INTO agent_live (agent, logged_in, queues, paused, reason, last_ts, state, state_since) "
            "VALUES (?, TRUE, 'sales', FALSE, 'old', ?, 'available', ?)",
            ("SIP/1000", now + 600, now + 600),  # began after `now`: not yet
        )
    with db.connect() as conn:
        got = actuals_for_day(conn, ["SIP/1000", "PJSIP/2002", "Nobody"], day, now)
    assert got == {
        "SIP/1000": [
            ActualRow(day, day + 3600, AgentState.AVAILABLE, None),
            ActualRow(day + 3600, day + 5400, AgentState.PAUSED, "Lunch"),
            ActualRow(day + 5400, now, AgentState.ON_CALL, None),
        ],
        "PJSIP/2002": [
            ActualRow(day + 100, day + 200, AgentState.AVAILABLE, None),
            ActualRow(day + 200, now, AgentState.PAUSED, "Break"),
        ],
        "Nobody": [],
    }
    with db.connect() as conn:
        assert actuals_for_day(conn, [], day, now) == {}


def test_actuals_from_an_ingested_queue_log(db: Engine, tmp_path: Path) -> None:
    t = int(at("2026-03-10 09:00"))
    log = tmp_path / "queue_log"
    log.write_text(
        "\n".join(
            [
                f"{t}|MANAGER|sales|Agent 1|ADDMEMBER|",  # Ada's second name: kept under SIP/1000
                f"{t + 600}|NONE|NONE|Agent 1|PAUSEALL|Coaching",
                f"{t + 900}|NONE|NONE|Agent 1|UNPAUSEALL|Coaching",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    feed = QueueLogFeed(db, log, tz=NY)
    try:
        feed.run()
    finally:
        feed.close()
    with db.connect() as conn:
        (ada,) = [p for p in agents_for_adherence(conn) if p.staff_id == "E1"]
        assert ada.agent == "SIP/1000"
        got = actuals_for_day(conn, [ada.agent], at("2026-03-10 00:00"), t + 1200.0)
    assert [(r.start - t, r.end - t, r.state, r.reason) for r in got["SIP/1000"]] == [
        (0, 600, AgentState.AVAILABLE, None),
        (600, 900, AgentState.PAUSED, "Coaching"),
        (900, 1200, AgentState.AVAILABLE, None),
    ]


# -- authorised exceptions ------------------------------------------------------------------


def test_authorize_exception(db: Engine) -> None:
    start, end, now = at("2026-03-10 10:00"), at("2026-03-10 10:20"), at("2026-03-10 11:00")
    row = authorize_exception(db, "E1", start, end, actor=system("S1"), why=" fire drill ", now=now)
    assert row.id > 0 and row.reason == "fire drill" and row.authorized_at == now
    authorize_exception(
        db,
        "E1",
        at("2026-03-11 10:00"),
        at("2026-03-11 10:05"),
        actor=system("S1"),
        why="x",
        now=now,
    )
    with db.connect() as conn:
        got = authorizations_for_day(conn, at("2026-03-10 00:00"), at("2026-03-11 00:00"))
    assert got == {"E1": [row]}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"end": 100.0}, "not after its start"),
        ({"end": 50.0}, "not after its start"),
        ({"why": "   "}, "a reason is required"),
        ({"staff_id": "E9"}, "staff_id 'E9' is not on the roster"),
        ({"start": float("nan")}, "finite"),
    ],
)
def test_authorize_exception_validation(db: Engine, kwargs: dict[str, Any], expected: str) -> None:
    args: dict[str, Any] = {
        "staff_id": "E1",
        "start": 100.0,
        "end": 200.0,
        "actor": system("S1"),
        "why": "system outage",
        "now": 300.0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=expected):
        authorize_exception(db, args.pop("staff_id"), args.pop("start"), args.pop("end"), **args)
    with db.connect() as conn:
        assert fetchall(conn, "SELECT count(*) FROM adherence_authorization") == [(0,)]


# -- editing one day ------------------------------------------------------------------------


def test_replace_day(db: Engine, tmp_path: Path) -> None:
    import_schedule(db, write(tmp_path, DAY), tz=NY, actor=system())
    day = dt.date(2026, 3, 10)
    new = [
        (at("2026-03-10 12:00"), at("2026-03-10 13:00"), "Lunch"),
        (at("2026-03-10 08:00"), at("2026-03-10 12:00"), "open"),
    ]
    assert replace_day(db, "E1", day, new, actor=system()) == 3
    assert [r[2:] for r in stored(db) if r[0] == "E1"] == [
        (at("2026-03-10 08:00"), at("2026-03-10 12:00"), "open"),
        (at("2026-03-10 12:00"), at("2026-03-10 13:00"), "lunch"),
    ]
    assert [r for r in stored(db) if r[0] == "E2"]  # the others are untouched
    assert replace_day(db, "E1", day, [], actor=system()) == 2  # an empty day clears it
    assert [r for r in stored(db) if r[0] == "E1"] == []


@pytest.mark.parametrize(
    ("staff_id", "segments", "expected"),
    [
        ("E9", [], "staff_id 'E9' is not on the roster"),
        ("E1", [(100.0, 100.0, "open")], "segment 1: ends at .* not after its start"),
        ("E1", [(100.0, 200.0, "nap")], "segment 1: activity 'nap' is not one of"),
        (
            "E1",
            [(0.0, 100.0, "open"), (300.0, 400.0, "open"), (50.0, 60.0, "break")],
            "segment 3 .* overlaps segment 1",
        ),
        ("E1", [(0.0, 100.0, "open"), (0.0, 30 * 3600.0, "off")], "overlaps"),
        ("E1", [(0.0, 100.0, "open"), (100.0, 30 * 3600.0, "off")], "more than a day"),
        (
            "E2",
            [(at("2026-03-10 16:00"), at("2026-03-10 17:30"), "open")],
            "stored shift of 2026-03-10",
        ),
    ],
)
def test_replace_day_validation(
    db: Engine, tmp_path: Path, staff_id: str, segments: list[Any], expected: str
) -> None:
    import_schedule(db, write(tmp_path, DAY), tz=NY, actor=system())
    before = stored(db)
    with pytest.raises(ValueError, match=expected):
        replace_day(db, staff_id, dt.date(2026, 3, 11), segments, actor=system())
    assert stored(db) == before


def test_replace_day_messages_in_local_time(db: Engine) -> None:
    with pytest.raises(ValueError, match="2026-03-10 09:00:00 EDT"):
        replace_day(
            db,
            "E1",
            dt.date(2026, 3, 10),
            [(at("2026-03-10 09:00"), at("2026-03-10 08:00"), "open")],
            tz=NY,
            actor=system(),
        )


def test_rows_are_frozen() -> None:
    for cls in (
        schedules.SegmentRow,
        schedules.AdherencePerson,
        schedules.ActualRow,
        schedules.AuthorizationRow,
        schedules.ScheduleResult,
    ):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen  # type: ignore[union-attr]


# -- found by fuzzing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "tz"),
    [
        ("E1,9999-12-31,22:00,01:00,open", NY),  # was OverflowError: date value out of range
        ("E1,0001-01-01,00:00,01:00,open", "Europe/Paris"),  # was ValueError: year 0
        ("E1,0001-01-01,00:00,01:00,open", NY),  # was accepted, in year 1
    ],
)
def test_a_date_out_of_range_rejects_the_row_with_its_line(row: str, tz: str) -> None:
    """Dates outside 1990..2099 are a problem on their line, not a crash or year 1."""
    with pytest.raises(ImportError_) as info:
        schedules.parse_schedule(Path("s.csv"), HEADER + row + "\n", tz=tz)
    assert info.value.problems == [
        f"s.csv:2: date {row.split(',')[1]} is outside 1990-01-01 to 2099-12-31"
    ]


def test_a_cell_over_the_csv_limit_rejects_the_file_with_its_line() -> None:
    """A cell of 140,000 characters raised csv.Error out of the import."""
    text = HEADER + "E1,2026-03-10,08:00,10:00,open\n" + "E1," + "x" * 140_000 + ",a,b,c\n"
    with pytest.raises(ImportError_, match=r"s\.csv:3: not a CSV record \(field larger"):
        schedules.parse_schedule(Path("s.csv"), text, tz=NY)
