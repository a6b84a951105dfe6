"""Hostile input and misuse found in review: none may stop the ingest, lose or double data,
or wipe a database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.cli import main
from floorsup.config import Settings
from floorsup.floor import build_floor
from floorsup.ingest import pipeline as pipeline_mod
from floorsup.ingest.follow import QueueLogFeed
from floorsup.ingest.pipeline import IngestConflict
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.sql import fetchall

T = 1_795_420_800 + 9 * 3600  # 2026-11-23 09:00 UTC


def write(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def run(feed: QueueLogFeed):  # type: ignore[no-untyped-def]
    try:
        return feed.run()
    finally:
        feed.close()


def rows(engine: Engine, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return fetchall(conn, sql)


@pytest.mark.parametrize("number", ["inf", "-inf", "nan", "1e999", "99999999999999999999"])
def test_absurd_numbers_in_data_fields_are_ignored_not_fatal(
    engine: Engine, tmp_path: Path, number: str
) -> None:
    path = tmp_path / "queue_log"
    write(
        path,
        [
            f"{T}|c1|sales|NONE|ENTERQUEUE||+15550100001|1",
            f"{T + 9}|c1|sales|PJSIP/1|CONNECT|{number}|u1|{number}",
            f"{T + 99}|c1|sales|PJSIP/1|COMPLETEAGENT|{number}|{number}|1",
            f"{T + 100}|c2|sales|PJSIP/1|RINGNOANSWER|{number}",
        ],
    )
    summary = run(QueueLogFeed(engine, path, tz="UTC"))
    assert summary.events == 4
    ((wait, talk, outcome),) = rows(engine, "SELECT wait_seconds, talk_seconds, outcome FROM call")
    assert (wait, talk, outcome) == (9.0, 90.0, "answered")  # from the timestamps instead


def test_two_ingests_of_one_file_never_double_it(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    write(path, [f"{T + i}|c{i}|sales|NONE|ENTERQUEUE||+1555010{i:04d}|1" for i in range(50)])
    first = QueueLogFeed(engine, path, tz="UTC")
    second = QueueLogFeed(engine, path, tz="UTC")  # both read the checkpoint at byte 0
    run(first)
    with pytest.raises(IngestConflict, match="another ingest is reading the same feed"):
        run(second)
    assert rows(engine, "SELECT count(*) FROM queue_event") == [(50,)]
    assert rows(engine, "SELECT count(*) FROM call") == [(50,)]


def test_a_writer_that_cannot_connect_fails_instead_of_hanging(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "queue_log"
    write(path, [f"{T}|c1|sales|NONE|ENTERQUEUE||+15550100001|1"])

    def refuse(_engine: Engine):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(pipeline_mod, "write_conn", refuse)
    outcome: list[BaseException | None] = []

    def go() -> None:
        try:
            run(QueueLogFeed(engine, path, tz="UTC"))
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(timeout=20)
    assert not t.is_alive(), "the ingest hung"
    assert isinstance(outcome[0], sqlite3.OperationalError)
    assert rows(engine, "SELECT count(*) FROM queue_event") == [(0,)]


def test_a_damaged_first_line_does_not_reject_the_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(
        "QUEUE|NONE|tail of a line cut by copytruncate\n"
        + f"{T}|c1|sales|NONE|ENTERQUEUE||+15550100001|1\n",
        encoding="utf-8",
    )
    summary = run(QueueLogFeed(engine, path, tz="UTC"))
    assert (summary.format, summary.events, summary.rejected) == ("flat", 1, 1)
    assert summary.reject_samples[0].line_no == 1


def test_a_roster_imported_while_following_folds_the_names(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    write(path, [f"{T}|MANAGER|sales|SIP/100|ADDMEMBER|", f"{T + 5}|NONE|sales|Agent 100|UNPAUSE|"])
    feed = QueueLogFeed(engine, path, tz="UTC")
    try:
        feed.run()
        assert sorted(r[0] for r in rows(engine, "SELECT agent FROM agent_live")) == [
            "Agent 100",
            "SIP/100",
        ]
        roster = tmp_path / "roster.csv"
        roster.write_text(
            "staff_id,name,team,role,hire_date,acd_agent\nE1,Ann Example,Team A,agent,2025-01-01,SIP/100;Agent 100\n",
            encoding="utf-8",
        )
        import_roster(engine, roster, actor=system())
        feed.pipeline._alias_checked = float("-inf")  # as if a few seconds had passed
        write(path, [f"{T + 60}|NONE|NONE|Agent 100|PAUSEALL|Lunch"])
        feed.run()
    finally:
        feed.close()
    live = rows(engine, "SELECT agent, state, reason FROM agent_live")
    assert live == [("SIP/100", "paused", "Lunch")]
    snap = build_floor(engine, Settings(db="unused", tz="UTC"), float(T + 120))
    assert [(a.name, a.state.value) for a in snap.agents] == [("Ann Example", "paused")]


@pytest.mark.sqlite_only
def test_the_demo_never_wipes_a_real_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    db = site / "floorsup.db"
    assert main(["--db", str(db), "--tz", "UTC", "init"]) == 0
    (site / "queue_log").write_text("precious\n", encoding="utf-8")
    (site / "roster.csv").write_text("precious\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", str(db), "--tz", "UTC", "demo", "--headless", "--minutes", "1"]) == 2
    assert "not a demo database" in capsys.readouterr().err
    assert (site / "queue_log").read_text(encoding="utf-8") == "precious\n"
    assert (site / "roster.csv").read_text(encoding="utf-8") == "precious\n"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM staff").fetchone() == (0,)
    assert main(["--db", str(tmp_path / "d.db"), "--tz", "UTC", "demo", "--speed", "0"]) == 2
    assert "--speed: expected a number above 0" in capsys.readouterr().err
