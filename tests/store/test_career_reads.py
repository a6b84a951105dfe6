"""The floor-wide reads behind mentor ranking: working time from the schedules (clipped,
days off left out), recent QA averages (overall and per work type, last N), and queue
membership through every ACD name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.store import qa, queries, schedules
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.sql import execute

ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000;Agent 1
E2,Ben Sample,Team Two,agent,2024-03-01,PJSIP/2002
L1,Lee Lead,Team One,team_lead,2020-01-01,
"""
D = dt.date(2026, 11, 23)
T = dt.datetime(2026, 11, 23, tzinfo=dt.UTC).timestamp()
H = 3600.0


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "r.csv").write_text(ROSTER)
    import_roster(engine, tmp_path / "r.csv", actor=system())
    return engine


def test_working_intervals_clip_and_skip_days_off(db: Engine) -> None:
    schedules.replace_day(
        db,
        "E1",
        D,
        [(T + 8 * H, T + 12 * H, "open"), (T + 12 * H, T + 13 * H, "lunch")],
        actor=system(),
    )
    schedules.replace_day(db, "E2", D, [(T + 9 * H, T + 17 * H, "off")], actor=system())
    schedules.replace_day(
        db,
        "E1",
        D + dt.timedelta(days=20),
        [(T + 20 * 24 * H, T + 20 * 24 * H + H, "open")],
        actor=system(),
    )
    with db.connect() as conn:
        got = schedules.working_intervals(conn, T + 10 * H, T + 14 * 24 * H)
        only = schedules.working_intervals(conn, T, T + 24 * H, staff_ids=["E2"])
    assert got == {"E1": [(T + 10 * H, T + 12 * H), (T + 12 * H, T + 13 * H)]}  # lunch counts
    assert only == {}  # a day off is not time together


def test_recent_averages_use_the_last_n_overall_and_per_type(db: Engine) -> None:
    rows = [  # (days ago, work type, pct): newest first below
        (1, "phone", 0.9),
        (2, "email", 0.5),
        (3, "phone", 0.7),
        (40, "phone", 0.1),  # before `since`: not read
    ]
    with db.begin() as conn:
        for ago, wt, pct in rows:
            execute(
                conn,
                "INSERT INTO qa_evaluation (staff_pk, evaluated_at, evaluator, work_type, score, "
                "max_score, criteria, comments, recorded_by, recorded_at, source) VALUES ((SELECT id "
                "FROM staff WHERE staff_id = 'E1'), ?, 'qa', ?, ?, 100, '{}', '', 'qa', 0, 'test')",
                (T - ago * 24 * H, wt, pct * 100),
            )
    with db.connect() as conn:
        overall, by_type = qa.recent_averages(conn, T - 30 * 24 * H, 2)
    assert overall == {"E1": pytest.approx(0.7)}  # 0.9 and 0.5, the last two
    assert by_type == {"E1": {"phone": pytest.approx(0.8), "email": pytest.approx(0.5)}}


def test_member_queues_through_every_acd_name(db: Engine) -> None:
    with db.begin() as conn:
        for agent, queues in (
            ("SIP/1000", "sales|support"),
            ("Agent 1", "billing"),
            ("PJSIP/2002", ""),
        ):
            execute(
                conn,
                "INSERT INTO agent_live (agent, logged_in, queues, paused, last_ts, state, "
                "state_since) VALUES (?, ?, ?, ?, 0, 'available', 0)",
                (agent, True, queues, False),
            )
    with db.connect() as conn:
        assert queries.member_queues(conn) == {"E1": frozenset({"sales", "support", "billing"})}
        staff = queries.staff_rows(conn, role="agent")
    assert [(s.staff_id, s.hire_date) for s in staff] == [
        ("E1", dt.date(2025, 1, 6)),
        ("E2", dt.date(2024, 3, 1)),
    ]
