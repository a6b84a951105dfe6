"""The two real-world queue_log files of the shared samples folder, read in place (never
copied into the project). They hold caller numbers and agent names as published: the
assertions here name neither."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.ingest.follow import ingest_file
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.sql import fetchall

ISSABEL = "issabel_2022_queue_log"
FIXTURE = "fixture_dupes_disorder_queue_log"


def q(engine: Engine, sql: str, params: tuple = ()) -> list[tuple]:
    with engine.connect() as conn:
        return fetchall(conn, sql, params)


def sample(samples_dir: Path, name: str) -> Path:
    path = samples_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the samples folder")
    return path


def test_issabel_file(engine: Engine, samples_dir: Path) -> None:
    path = sample(samples_dir, ISSABEL)
    s = ingest_file(engine, path, tz="UTC")
    assert (s.format, s.lines, s.events, s.duplicates, s.blank) == ("flat", 204, 204, 0, 0)
    assert s.rejected == 1
    (padding,) = s.reject_samples
    assert padding.line_no == 120
    assert "NUL bytes before a record" in padding.reason and "kept" in padding.reason
    assert q(engine, "SELECT line_no, byte_offset FROM rejected_line") == [
        (120, sum(len(x) for x in path.read_bytes().split(b"\n")[:119]) + 119)
    ]
    # the record after the padding was kept
    assert q(engine, "SELECT event, data FROM queue_event WHERE ts = 1665492726") == [
        ("QUEUESTART", "")
    ]
    assert q(
        engine,
        'SELECT line_no, lines_ok, lines_rejected, lines_duplicate, "offset" FROM ingest_source',
    ) == [(204, 204, 1, 0, path.stat().st_size)]

    calls = q(
        engine,
        "SELECT queue, outcome, wait_seconds, entered_at, ended_at, answered_at FROM call ORDER BY entered_at",
    )
    assert calls == [
        ("500", "abandoned", 20.0, 1665156376.0, 1665156396.0, None),
        ("500", "abandoned", 6.0, 1665156473.0, 1665156479.0, None),
    ]
    # MANAGER and NONE are not callids; QUEUESTART/CONFIGRELOAD lines make no call
    assert q(engine, "SELECT count(*) FROM call WHERE callid IN ('MANAGER', 'NONE')") == [(0,)]
    events = dict(q(engine, "SELECT event, count(*) FROM queue_event GROUP BY event"))
    assert events["DID"] == 2 and events["ADDMEMBER"] == events["REMOVEMEMBER"] == 7
    assert events["QUEUESTART"] + events["CONFIGRELOAD"] == 204 - 2 * 3 - 4 * 7
    assert {r[0] for r in q(engine, "SELECT name FROM queue")} == {"500"}


SESSIONS = [  # (ADDMEMBER, REMOVEMEMBER) of SIP/1000 in the Issabel file
    (1665722063, 1665722312),
    (1665722317, 1665723050),
    (1666256870, 1666256880),
    (1666256948, 1666264255),
    (1666335937, 1666337482),
    (1666337503, 1666337506),
    (1666337524, 1666337533),
]


def test_issabel_with_a_roster_is_one_agent_logging_in_and_out(
    engine: Engine, samples_dir: Path, tmp_path: Path, timeline: Callable
) -> None:
    path = sample(samples_dir, ISSABEL)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "staff_id,name,team,role,hire_date,acd_agent\nE1,Test Person,Desk,agent,,SIP/1000;Agent 1\n"
    )
    import_roster(engine, roster, actor=system())
    ingest_file(engine, path, tz="UTC")
    spans = timeline(engine)
    assert {r[0] for r in spans} == {"SIP/1000"}
    want = []
    for i, (login, logout) in enumerate(SESSIONS):
        want.append(("available", login, logout))
        nxt = SESSIONS[i + 1][0] if i + 1 < len(SESSIONS) else None
        want.append(("logged_out", logout, nxt))
    assert [(r[1], r[5], r[6]) for r in spans] == want


def test_issabel_without_a_roster_keeps_the_two_names_apart(
    engine: Engine, samples_dir: Path, timeline: Callable
) -> None:
    ingest_file(engine, sample(samples_dir, ISSABEL), tz="UTC")
    agents = {r[0] for r in timeline(engine)}
    assert agents == {"SIP/1000", "Agent 1"}
    live = dict(q(engine, "SELECT agent, state FROM agent_live"))
    assert live["SIP/1000"] == "logged_out"


@pytest.mark.parametrize("batch_lines", [None, 3, 1])
def test_fixture_with_duplicates_and_disorder(
    engine: Engine, samples_dir: Path, run_feed: Callable, batch_lines: int | None
) -> None:
    path = sample(samples_dir, FIXTURE)
    if batch_lines is None:
        s = ingest_file(engine, path, tz="UTC")
    else:
        s = run_feed(engine, path, tz="UTC", batch_lines=batch_lines)
    assert (s.lines, s.events, s.duplicates, s.blank, s.rejected) == (23, 15, 6, 2, 0)
    assert q(
        engine,
        'SELECT line_no, lines_ok, lines_rejected, lines_duplicate, "offset" FROM ingest_source',
    ) == [(23, 15, 0, 6, path.stat().st_size)]
    rows = q(
        engine,
        "SELECT callid, queue, outcome, entered_at, answered_at, ended_at, wait_seconds, talk_seconds "
        "FROM call ORDER BY callid",
    )
    assert rows == [
        (
            "1546015415.757927",
            "201",
            "answered",
            1546015415.0,
            1546015425.0,
            1546015547.0,
            10.0,
            122.0,
        ),
        (
            "1546023604.760166",
            "201",
            "answered",
            1546023604.0,
            1546023614.0,
            1546024020.0,
            10.0,
            406.0,
        ),
        (
            "1546023970.760296",
            "201",
            "answered",
            1546023970.0,
            1546023976.0,
            1546024204.0,
            6.0,
            228.0,
        ),
        ("1546027663.761192", "201", "in_progress", 1546027663.0, 1546027677.0, None, 14.0, None),
    ]
    agents = dict(q(engine, "SELECT callid, agent FROM call"))
    assert all(agents.values())
    # the same member answered the first, third and fourth calls; another the second
    assert agents["1546015415.757927"] == agents["1546023970.760296"] == agents["1546027663.761192"]
    assert agents["1546023604.760166"] != agents["1546015415.757927"]
    live = dict(q(engine, "SELECT agent, state FROM agent_live"))
    assert live[agents["1546027663.761192"]] == "on_call"
    assert q(engine, "SELECT count(*) FROM queue_event WHERE event = 'ENTERQUEUE'") == [(2,)]
    assert q(engine, "SELECT count(*) FROM queue_event WHERE event = 'COMPLETEAGENT'") == [(4,)]
