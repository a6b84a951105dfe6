"""The floor glance's marks (floorsup.store.glance): each moves whenever what it stands for
changes (on SQLite and on PostgreSQL), and stays put for writes the glance does not read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from floorsup.store import glance, schedules
from floorsup.store.access import system
from floorsup.store.engine import write_conn
from floorsup.store.roster import import_roster
from floorsup.store.schedules import authorize_exception, replace_day
from floorsup.store.sql import execute

NY = "America/New_York"
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000;Agent 1
E2,Ben Sample,Team One,agent,2024-03-01,PJSIP/2002
E3,Cat Night,Team Two,agent,2024-03-01,
"""
DAY = dt.date(2026, 3, 10)


def at(hhmm: str) -> float:
    return dt.datetime.fromisoformat(f"{DAY} {hhmm}").replace(tzinfo=ZoneInfo(NY)).timestamp()


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    import_roster(engine, roster, actor=system())
    return engine


def _write(engine: Engine, sql: str, params: tuple[object, ...] = ()) -> None:
    with write_conn(engine) as conn, conn.begin():
        execute(conn, sql, params)


def _marks(engine: Engine) -> tuple[object, ...]:
    with engine.connect() as conn:
        return (*glance.schedule_marks(conn), glance.roster_mark(conn))


def test_schedule_marks_move_with_every_edit(db: Engine) -> None:
    day = [(at("09:00"), at("12:00"), "open"), (at("12:00"), at("13:00"), "lunch")]
    empty = _marks(db)
    replace_day(db, "E1", DAY, day, actor=system())
    first = _marks(db)
    assert first[0] != empty[0] and first[1:] == empty[1:]
    # the same day again, as many segments, one activity changed: SQLite gives the rows
    # their old ids back (they held the newest), so the newest id and the count stay; the
    # rows do not
    again = [(at("09:00"), at("12:00"), "open"), (at("12:00"), at("13:00"), "break")]
    replace_day(db, "E1", DAY, again, actor=system())
    second = _marks(db)
    if db.dialect.name == "sqlite":
        assert second[0][:2] == first[0][:2]
    assert second[0] != first[0] and second[1:] == first[1:]
    replace_day(db, "E2", DAY, [], actor=system())  # nothing there: nothing changes
    assert _marks(db) == second
    replace_day(db, "E1", DAY, [], actor=system())  # a day cleared
    cleared = _marks(db)
    assert cleared[0] != second[0] and cleared[0][1] == 0
    authorize_exception(db, "E1", at("12:00"), at("12:10"), actor=system(), why="drill", now=0.0)
    auth = _marks(db)
    assert auth[0] == cleared[0] and auth[1] != cleared[1] and auth[1][1] == 1


def test_roster_mark_moves_with_what_the_glance_shows(db: Engine) -> None:
    with db.connect() as conn:
        people = schedules.agents_for_adherence(conn)
    assert {p.staff_id for p in people} == {"E1", "E2", "E3"}
    base = _marks(db)[2]
    # an ACD name the feed sees that nobody has: not the glance's business
    _write(db, "INSERT INTO acd_agent (name, position) VALUES (?, ?)", ("SIP/9999", 99))
    _write(db, "UPDATE staff SET login = ? WHERE staff_id = ?", ("ada", "E1"))
    assert _marks(db)[2] == base
    changes = [
        ("UPDATE staff SET name = ? WHERE staff_id = ?", ("Ada Exempla", "E1")),  # as long
        (
            "UPDATE staff SET team_id = (SELECT id FROM team WHERE name = ?) WHERE staff_id = ?",
            ("Team Two", "E2"),
        ),
        ("UPDATE team SET name = ? WHERE name = ?", ("Team 2", "Team Two")),
        ("UPDATE acd_agent SET staff_pk = NULL WHERE name = ?", ("PJSIP/2002",)),
        ("UPDATE staff SET active = ? WHERE staff_id = ?", (False, "E3")),
    ]
    seen = [base]
    for sql, params in changes:
        _write(db, sql, params)
        mark = _marks(db)[2]
        assert mark not in seen, sql
        seen.append(mark)


def test_live_states_all_agrees_with_live_states(db: Engine) -> None:
    rows = [
        ("SIP/1000", 100.0, "available", None),
        ("PJSIP/2002", 200.0, "paused", "Lunch"),
        ("SIP/9999", 300.0, "logged_out", None),
    ]
    for agent, since, state, reason in rows:
        _write(
            db,
            "INSERT INTO agent_live (agent, logged_in, queues, paused, reason, last_ts, state, "
            "state_since) VALUES (?, ?, '', ?, ?, ?, ?, ?)",
            (agent, state != "logged_out", state == "paused", reason, since, state, since),
        )
    with db.connect() as conn:
        every = glance.live_states_all(conn)
        some = schedules.live_states(conn, ["SIP/1000", "PJSIP/2002", "nobody"])
    assert {a: every[a] for a in some} == some and len(every) == 3
