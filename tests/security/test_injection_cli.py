"""Hostile text through the command line: report filters, dates, queue names and the values
of imported files. Each gives a report or the documented error (exit 2, `floorsup: error:`
and what was expected), never a traceback, and changes nothing it should not."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup import cli, config
from floorsup.cli import main
from floorsup.store.engine import make_engine
from floorsup.store.sql import fetchall

from .conftest import T0, fill
from .hostile import HOSTILE, db_state

TZ = "UTC"
NOW = T0 + 3600


@pytest.fixture(autouse=True)
def settled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "_now", lambda: NOW)
    monkeypatch.setenv("FLOORSUP_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setattr(config, "current_user", lambda: "lead.sam")
    monkeypatch.delenv("FLOORSUP_DB", raising=False)


@pytest.fixture
def db(engine_factory: Callable[[str], Engine], tmp_path: Path) -> str:
    """The URL of a filled database (a SQLite file, or PostgreSQL with FLOORSUP_TEST_PG),
    given to the command line with --db as a user would."""
    engine = engine_factory("f.db")
    fill(engine, tmp_path)
    return engine.url.render_as_string(hide_password=False)


def state(db: str) -> dict[str, object]:
    engine = make_engine(db)
    try:
        return db_state(engine)
    finally:
        engine.dispose()


def run(db: str, *args: str) -> int:
    return main(["--db", db, "--tz", TZ, *args])


# (the command line with H for the hostile text, what a refusal's message must say)
COMMANDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("report", "adherence", "--team", "H", "--format", "json"), ""),
    (("report", "adherence", "--date", "H"), "is not a date"),
    (("report", "coaching", "--team", "H", "--format", "json"), "no such team"),
    (("report", "coaching", "--from", "H"), "is not a date"),
    (("report", "coaching", "--to", "H"), "is not a date"),
    (("report", "career", "--team", "H", "--format", "json"), "no agents in it"),
    (("report", "queues", "--date", "H"), "is not a date"),
    (("report", "queues", "--from", "H", "--to", "today"), "is not a date"),
)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[0][:4]))
def test_report_options(
    db: str, command: tuple[tuple[str, ...], str], capsys: pytest.CaptureFixture[str]
) -> None:
    args, refusal = command
    before = state(db)
    for h in HOSTILE:
        if h.startswith("-"):
            h = f" {h}"  # argparse would read it as an option (a usage error of its own)
        code = run(db, *(h if a == "H" else a for a in args))
        out, err = capsys.readouterr()
        assert code in (0, 2), f"{h[:40]!r}: exit {code}\n{err[-500:]}"
        assert "Traceback" not in err
        if code == 2:
            assert err.startswith("floorsup: error: "), f"{h[:40]!r}: {err[:300]}"
            assert refusal and refusal in err, f"{h[:40]!r}: {err[:300]}"
        elif "--team" in args and "json" in args:
            data = json.loads(out)
            rows = data if isinstance(data, list) else data.get("agents", data.get("rows", []))
            for row in rows if isinstance(rows, list) else []:
                team = row.get("team") if isinstance(row, dict) else None
                assert team is None or team.casefold() == h.casefold(), (h[:40], row)
    assert state(db) == before


def test_a_team_with_a_hostile_name_is_found_literally(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for team in ("Team 'One'", "50% Team", "Bobby \\ Tables", "Team_Two"):
        assert run(db, "report", "career", "--team", team, "--format", "json") == 0, team
        agents = json.loads(capsys.readouterr().out)["agents"]
        assert agents and {a["team"] for a in agents} == {team}
        assert run(db, "report", "coaching", "--team", team, "--format", "json") == 0, team
        capsys.readouterr()


def test_queue_names_are_stored_literally(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(db)
    stored = 0
    for h in HOSTILE:
        if h.startswith("-"):
            h = f" {h}"
        code = run(db, "queue", h, "--target-seconds", "20")
        err = capsys.readouterr().err
        if not h.strip():
            assert code == 2 and "queue name is empty" in err
            continue
        if "\x00" in h:  # PostgreSQL text cannot hold a NUL: refused on both
            assert code == 2 and "NUL character" in err
            continue
        assert code == 0, f"{h[:40]!r}: {err[:300]}"
        stored += 1
    engine = make_engine(db)
    with engine.connect() as conn:
        names = {r[0] for r in fetchall(conn, "SELECT name FROM queue")}
    engine.dispose()
    assert {h.strip() for h in HOSTILE if h.strip() and "\x00" not in h} <= names
    after = state(db)
    assert after["objects"] == before["objects"]
    counts = dict(after["counts"])  # type: ignore[call-overload]
    assert counts.pop("queue") == before["counts"]["queue"] + stored  # type: ignore[index]
    # each target set is one audit entry, with the name as given (stripped)
    assert counts.pop("audit_log") == before["counts"]["audit_log"] + stored  # type: ignore[index]
    assert counts == {  # type: ignore[attr-defined]
        k: v for k, v in before["counts"].items() if k not in ("queue", "audit_log")
    }


def test_imported_values_are_stored_literally(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A roster whose names, teams, ACD names and logins are the hostile strings: stored
    as written (or the file refused as a whole with its line numbers)."""
    usable = [h for h in HOSTILE if h.strip() and "\x00" not in h and len(h) < 1000]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(("staff_id", "name", "team", "role", "hire_date", "acd_agent"))
    for i, h in enumerate(usable):
        w.writerow((f"H{i}", h, h, "agent", "2024-01-01", f"SIP/{h}"))
    path = tmp_path / "hostile-roster.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    before = state(db)
    code = run(db, "import", "roster", str(path))
    err = capsys.readouterr().err
    if code == 2:  # refused: must say which lines, and change nothing
        assert "hostile-roster.csv" in err and "nothing was changed" in err, err[:500]
        assert state(db) == before
        return
    assert code == 0, err[:500]
    engine = make_engine(db)
    with engine.connect() as conn:
        names = dict(fetchall(conn, "SELECT staff_id, name FROM staff WHERE staff_id LIKE 'H%'"))
        teams = {r[0] for r in fetchall(conn, "SELECT name FROM team")}
    engine.dispose()
    for i, h in enumerate(usable):
        assert names[f"H{i}"] == h.strip()
        assert h.strip() in teams
    assert state(db)["objects"] == before["objects"]
