"""`floorsup import schedule` and `floorsup report adherence` as a user drives them, on a
small hand-made day in UTC: two agents, one scheduled 09:00-17:00 open, who logs in half an
hour late and stays half an hour after the end."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from floorsup.cli import main

DAY = "2025-06-02"  # a past Monday: the report's "now" (the real clock) is after it
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,PJSIP/2001
E2,Ben Sample,Team Two,agent,2024-03-01,PJSIP/2002
"""
SCHEDULE = f"""staff_id,date,start,end,activity
E1,{DAY},09:00,17:00,open
"""


def run(tmp_path: Path, *args: str) -> int:
    return main(["--db", str(tmp_path / "f.db"), "--tz", "UTC", *args])


def segments(tmp_path: Path) -> list[tuple[str, str, float, float, str]]:
    with sqlite3.connect(tmp_path / "f.db") as conn:
        return conn.execute(
            'SELECT s.staff_id, g.shift_date, g.start, g."end", g.activity '
            "FROM schedule_segment g JOIN staff s ON s.id = g.staff_pk ORDER BY g.start"
        ).fetchall()


def utc(hhmm: str) -> int:
    return int(datetime.fromisoformat(f"{DAY}T{hhmm}:00").replace(tzinfo=UTC).timestamp())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def scheduled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The roster and the good schedule imported (what the import printed is checked)."""
    assert run(tmp_path, "import", "roster", str(write(tmp_path / "roster.csv", ROSTER))) == 0
    assert "2 staff added" in capsys.readouterr().out
    path = write(tmp_path / "schedule.csv", SCHEDULE)
    assert run(tmp_path, "import", "schedule", str(path)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: 1 segments for 1 staff over 1 day(s) imported")
    assert "(0 replaced)" in out and "times in UTC" in out
    assert segments(tmp_path) == [("E1", DAY, utc("09:00"), utc("17:00"), "open")]
    return tmp_path


def test_import_schedule_again_replaces_the_day(
    scheduled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        scheduled / "later.csv",
        f"staff_id,date,start,end,activity\nE1,{DAY},10:00,12:00,OPEN\nE1,{DAY},12:00,12:30,Lunch\n",
    )
    assert run(scheduled, "import", "schedule", str(path)) == 0
    assert "2 segments for 1 staff over 1 day(s) imported (1 replaced)" in capsys.readouterr().out
    assert segments(scheduled) == [
        ("E1", DAY, utc("10:00"), utc("12:00"), "open"),
        ("E1", DAY, utc("12:00"), utc("12:30"), "lunch"),
    ]


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (f"E9,{DAY},09:00,10:00,open", "staff_id 'E9' is not on the roster"),
        (f"E1,{DAY},09:00,10:00,napping", "activity 'napping' is not one of"),
        (f"E1,{DAY},9am,10:00,open", "start '9am' is not a time HH:MM"),
        ("E1,02/06/2025,09:00,10:00,open", "date '02/06/2025' is not a date YYYY-MM-DD"),
        (f"E1,{DAY},10:00,10:00,open", "end 10:00 equals start"),
        (f"E1,{DAY},16:00,18:00,meeting", "expected one activity at a time"),
        ("E1,2025-06-02", "expected 5 columns"),
    ],
)
def test_bad_schedule_is_rejected_whole(
    scheduled: Path, capsys: pytest.CaptureFixture[str], bad_row: str, expected: str
) -> None:
    before = segments(scheduled)
    # a good row for E2 first: it must not be written either
    path = write(
        scheduled / "bad.csv",
        f"staff_id,date,start,end,activity\nE2,{DAY},08:00,16:00,open\n"
        f"E1,{DAY},09:00,17:00,open\n{bad_row}\n",
    )
    assert run(scheduled, "import", "schedule", str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}:4: " in captured.err and expected in captured.err
    assert "nothing was changed" in captured.err
    assert segments(scheduled) == before


def test_schedule_missing_columns(scheduled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(scheduled / "bad.csv", f"staff_id,date,start\nE1,{DAY},09:00\n")
    assert run(scheduled, "import", "schedule", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: header lacks end, activity" in err
    assert len(segments(scheduled)) == 1


# -- report adherence ---------------------------------------------------------------------
@pytest.fixture
def worked(scheduled: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """E1 logs in (ADDMEMBER) at 09:30 and off (REMOVEMEMBER) at 17:30; E2 never does."""
    feed = write(
        scheduled / "queue_log",
        f"{utc('09:30')}|NONE|sales|PJSIP/2001|ADDMEMBER|\n"
        f"{utc('17:30')}|NONE|sales|PJSIP/2001|REMOVEMEMBER|\n",
    )
    assert run(scheduled, "ingest", "queue-log", str(feed)) == 0
    capsys.readouterr()
    return scheduled


def report(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(tmp_path, "report", "adherence", "--date", DAY, *args) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_report_adherence_json(worked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(report(worked, capsys, "--format", "json"))
    assert [r["staff_id"] for r in rows] == ["E1"]  # E2: neither scheduled nor working
    (ada,) = rows
    assert ada == {
        "staff_id": "E1",
        "name": "Ada Example",
        "team": "Team One",
        "scheduled_seconds": 28800.0,
        "in_adherence_seconds": 27000.0,
        "out_of_adherence_seconds": 1800.0,
        "adherence": 0.9375,  # 7.5 h of 8
        "conformance": 1.0,  # 8 h worked (09:30-17:30) / 8 h scheduled open
        "exceptions": [
            {
                "start": f"{DAY}T09:00:00+00:00",
                "end": f"{DAY}T09:30:00+00:00",
                "scheduled_activity": "open",
                "actual_state": "logged_out",
                "seconds": 1800.0,
                "authorized": False,
            }
        ],
    }


def test_report_adherence_csv_and_table(worked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(report(worked, capsys, "--format", "csv"))))
    assert rows == [
        {
            "staff_id": "E1",
            "name": "Ada Example",
            "team": "Team One",
            "scheduled_seconds": "28800.0",
            "in_adherence_seconds": "27000.0",
            "out_of_adherence_seconds": "1800.0",
            "adherence": "0.9375",
            "conformance": "1.0",
            "exceptions": "1",
        }
    ]
    table = report(worked, capsys)  # table is the default
    assert f"Adherence {DAY}" in table
    line = next(ln for ln in table.splitlines() if "Ada Example" in ln)
    cells = [c.strip() for c in line.strip("│| ").replace("|", "│").split("│")]
    assert cells == ["Ada Example", "Team One", "8:00", "7:30", "0:30", "93.8%", "100.0%", "1"]
    assert "Times in UTC" in table


def test_report_adherence_team_filter(worked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(report(worked, capsys, "--team", "team one", "--format", "json"))
    assert [r["staff_id"] for r in rows] == ["E1"]
    assert json.loads(report(worked, capsys, "--team", "Team Two", "--format", "json")) == []
    assert list(
        csv.reader(io.StringIO(report(worked, capsys, "--team", "Team Two", "--format", "csv")))
    ) == [
        [
            "staff_id",
            "name",
            "team",
            "scheduled_seconds",
            "in_adherence_seconds",
            "out_of_adherence_seconds",
            "adherence",
            "conformance",
            "exceptions",
        ]
    ]
    assert "Ada Example" not in report(worked, capsys, "--team", "Team Two")


def test_report_adherence_bad_date(worked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(worked, "report", "adherence", "--date", "02/06/2025") == 2
    assert "is not a date" in capsys.readouterr().err
