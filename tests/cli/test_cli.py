"""The command line as a user drives it: good input, bad input, and what each prints."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorsup.cli import main

NY = "America/New_York"
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000;Agent 1
E2,Ben Sample,Team One,agent,2024-03-01,PJSIP/2002
S1,Cy Lead,Team One,team_lead,2020-05-05,
"""


def run(tmp_path: Path, *args: str) -> int:
    return main(["--db", str(tmp_path / "f.db"), "--tz", NY, *args])


def count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "f.db") as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def epoch(text: str, fold: int = 0) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(NY), fold=fold).timestamp())


def test_init_then_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, "init") == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert run(tmp_path, "import", "roster", str(roster)) == 0
    out = capsys.readouterr().out
    assert "3 staff added" in out and "3 ACD agent names mapped" in out
    assert count(tmp_path, "staff") == 3
    # importing again updates, never duplicates
    assert run(tmp_path, "import", "roster", str(roster)) == 0
    assert "3 updated" in capsys.readouterr().out
    assert count(tmp_path, "staff") == 3


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("E9,Dee,Team One,boss,2025-01-01,", "role 'boss' is not one of"),
        ("E9,Dee,Team One,agent,01/02/2025,", "hire_date '01/02/2025' is not a date YYYY-MM-DD"),
        ("E1,Dee,Team One,agent,2025-01-01,", "staff_id 'E1' repeats line 2"),
        (",Dee,Team One,agent,2025-01-01,", "staff_id is empty"),
        ("E9,,Team One,agent,2025-01-01,", "name is empty"),
        (
            "E9,Dee,Team One,agent,2025-01-01,PJSIP/2002",
            "acd_agent 'PJSIP/2002' already belongs to line 3",
        ),
        ("E9,Dee", "expected 6 columns, got 2"),
    ],
)
def test_bad_roster_is_rejected_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_row: str, expected: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER + bad_row + "\n", encoding="utf-8")
    assert run(tmp_path, "import", "roster", str(roster)) == 2
    err = capsys.readouterr().err
    assert f"{roster}:5: " in err and expected in err
    assert "nothing was changed" in err
    assert count(tmp_path, "staff") == 0


def test_roster_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("staff_id,name\nE1,Ada\n", encoding="utf-8")
    assert run(tmp_path, "import", "roster", str(roster)) == 2
    assert "header lacks team, role, hire_date, acd_agent" in capsys.readouterr().err


def test_bad_settings_get_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "f.db"), "--tz", "Mars/Olympus", "init"]) == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err
    assert run(tmp_path, "ingest", "queue-log", str(tmp_path / "absent.log")) == 2
    assert "no such file" in capsys.readouterr().err
    assert run(tmp_path, "report", "queues", "--date", "23/11/2026") == 2
    assert "is not a date" in capsys.readouterr().err
    assert run(tmp_path, "queue", "sales", "--target-seconds", "0") == 2
    assert "out of range" in capsys.readouterr().err


def _day_feed(path: Path) -> None:
    """2026-11-01 in New York: the clocks go back at 02:00, so 01:xx happens twice."""
    t1 = epoch("2026-11-01 01:10:00", fold=0)  # EDT, -04:00
    t2 = epoch("2026-11-01 01:10:00", fold=1)  # EST, -05:00, an hour later
    t3 = epoch("2026-11-01 09:00:00")
    lines = []
    for i, t in enumerate((t1, t2, t3)):
        cid = f"{t}.{i}"
        lines += [
            f"{t}|{cid}|sales|NONE|ENTERQUEUE||+15550100{i:03d}|1",
            f"{t + 12}|{cid}|sales|PJSIP/2002|CONNECT|12|{cid}9|3",
            f"{t + 200}|{cid}|sales|PJSIP/2002|COMPLETEAGENT|12|188|1",
        ]
    cid = f"{t3 + 30}.9"
    lines += [
        f"{t3 + 30}|{cid}|sales|NONE|ENTERQUEUE||+15550100999|1",
        f"{t3 + 33}|{cid}|sales|NONE|ABANDON|1|1|3",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_report_queues_json_across_dst(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "queue_log"
    _day_feed(feed)
    assert run(tmp_path, "ingest", "queue-log", str(feed)) == 0
    assert "events stored 11" in capsys.readouterr().out
    assert (
        run(
            tmp_path,
            "report",
            "queues",
            "--date",
            "2026-11-01",
            "--interval",
            "60",
            "--format",
            "json",
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 25  # one queue, a 25-hour day
    starts = [r["interval_start"] for r in rows]
    assert "2026-11-01T01:00:00-04:00" in starts and "2026-11-01T01:00:00-05:00" in starts
    by_start = {r["interval_start"]: r for r in rows}
    assert by_start["2026-11-01T01:00:00-04:00"]["offered"] == 1
    assert by_start["2026-11-01T01:00:00-05:00"]["offered"] == 1
    nine = by_start["2026-11-01T09:00:00-05:00"]
    assert nine["offered"] == 2 and nine["abandoned"] == 1 and nine["short_abandoned"] == 1
    # SL = answered within 20 s / (offered - short abandons) = 1 / (2 - 1)
    assert (
        nine["service_level"] == 1.0
        and nine["asa_seconds"] == 12.0
        and nine["aht_seconds"] == 188.0
    )
    for key in (
        "queue",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "other_exits",
        "answered_within_target",
        "service_level",
        "asa_seconds",
        "aht_seconds",
        "longest_wait_seconds",
    ):
        assert key in nine
    assert (
        run(
            tmp_path,
            "report",
            "queues",
            "--date",
            "2026-11-01",
            "--interval",
            "total",
            "--format",
            "json",
        )
        == 0
    )
    (total,) = json.loads(capsys.readouterr().out)
    assert "interval_start" not in total and total["offered"] == 4 and total["answered"] == 3


def test_report_csv_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "queue_log"
    _day_feed(feed)
    run(tmp_path, "ingest", "queue-log", str(feed))
    capsys.readouterr()
    assert (
        run(
            tmp_path,
            "report",
            "queues",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-01",
            "--format",
            "csv",
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("queue,interval_start,offered,answered,abandoned,short_abandoned")
    assert len(lines) == 1 + 50  # 30-minute intervals of a 25-hour day
    assert run(tmp_path, "report", "queues", "--date", "2026-11-01") == 0
    out = capsys.readouterr().out
    assert "Service level = answered ≤ T / (offered − short abandons)" in out
    assert "sales" in out


def test_realtime_csv_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "queue_log.csv"
    feed.write_text(
        "time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        "2026-11-20 09:00:00,1.1,support,NONE,ENTERQUEUE,,+15550100001,1,,\n"
        "2026-11-20 09:00:25,1.1,support,PJSIP/2002,CONNECT,25,1.2,2,,\n"
        "2026-11-20 09:04:25,1.1,support,PJSIP/2002,COMPLETECALLER,25,240,1,,\n"
        "not a date,1.3,support,NONE,ENTERQUEUE,,,1,,\n",
        encoding="utf-8",
    )
    assert run(tmp_path, "ingest", "queue-log", str(feed)) == 0
    out = capsys.readouterr().out
    assert (
        "(realtime-csv)" in out and "events stored 3" in out and "damaged lines set aside 1" in out
    )
    assert f"{feed.resolve()}:5: unparsable time 'not a date'" in out
    assert (
        run(
            tmp_path,
            "report",
            "queues",
            "--date",
            "2026-11-20",
            "--interval",
            "total",
            "--format",
            "json",
        )
        == 0
    )
    (row,) = json.loads(capsys.readouterr().out)
    assert row["answered"] == 1 and row["asa_seconds"] == 25.0 and row["aht_seconds"] == 240.0


def test_demo_headless_prints_the_days_report(tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "floorsup",
            "--db",
            str(tmp_path / "demo" / "demo.db"),
            "--tz",
            NY,
            "demo",
            "--headless",
            "--minutes",
            "3",
            "--speed",
            "120",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "Queue report" in res.stdout and "total" in res.stdout
    for queue in ("sales", "support", "billing", "retention"):
        assert queue in res.stdout
    with sqlite3.connect(tmp_path / "demo" / "demo.db") as conn:
        agents = conn.execute("SELECT count(*) FROM staff WHERE role = 'agent'").fetchone()[0]
        calls = conn.execute("SELECT count(*) FROM call").fetchone()[0]
    assert agents >= 60 and calls > 0


def test_at_must_be_a_past_moment(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`floorsup --at WHEN` opens the app at a past moment; a bad one is a usage error."""
    from floorsup.cli import main

    db = str(tmp_path / "x.db")
    assert main(["--db", db, "--tz", "UTC", "--at", "25:00"]) == 2
    assert "--at: '25:00': '25:00' is not a time of day" in capsys.readouterr().err
    assert main(["--db", db, "--tz", "UTC", "--at", "2999-01-01 10:00"]) == 2
    assert "is in the future" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1989-12-31"])
def test_a_report_day_out_of_range_is_a_usage_error(text: str) -> None:
    """Found by fuzzing: `--date 0001-01-01` was taken as a day (and a day's bounds in
    year 1 overflow east of UTC); it is a usage error naming the range."""
    from floorsup.cli import UsageError, parse_day

    with pytest.raises(UsageError, match="is outside 1990-01-01 to 2099-12-31"):
        parse_day(text, "Europe/Paris", 1_795_435_200.0)
