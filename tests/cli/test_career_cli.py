"""`floorsup report career` and `floorsup report mentoring` on the demo centre, as a manager
reads them into a spreadsheet: every agent's stage and evidence, growth beyond the team,
every pairing with the mentee's trends; text with brackets printed as typed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from floorsup import cli
from floorsup.cli import main
from floorsup.demo import build_demo_day
from floorsup.domain.intervals import day_bounds
from floorsup.reports import CAREER_FIELDS, GROWTH_FIELDS, MENTORING_FIELDS
from floorsup.store import career
from floorsup.store.access import system
from floorsup.store.engine import make_engine

TZ = "America/New_York"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datetime as dt

    start, _ = day_bounds(dt.date(2026, 11, 23), TZ)
    return build_demo_day(
        tmp_path_factory.mktemp("career"), tz=TZ, day_start=start, until=start + 10 * 3600
    )


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import datetime as dt
    import shutil

    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    start, _ = day_bounds(dt.date(2026, 11, 23), TZ)
    monkeypatch.setattr(cli, "_now", lambda: start + 10 * 3600)
    monkeypatch.setenv("FLOORSUP_CONFIG", str(tmp_path / "no-config.toml"))
    return copy


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--tz", TZ, "report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_career_json_has_every_agent_with_evidence_and_growth(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(db, capsys, "career", "--format", "json")
    assert code == 0
    report = json.loads(out)
    agents = report["agents"]
    assert len(agents) == 71 and set(agents[0]) == set(CAREER_FIELDS)
    assert {a["stage"] for a in agents} == {1, 2, 3, 4}  # a believable spread
    assert any(a["ready"] for a in agents) and any(a["at_risk"] for a in agents)
    top = [a for a in agents if a["next_stage"] is None]
    assert top and all(a["evidence"] == "top stage" for a in top)
    assert len(report["growth"]) == 2 and set(report["growth"][0]) == set(GROWTH_FIELDS)


def test_career_csv_team_and_growth(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db, capsys, "career", "--team", "team aurora", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and {r["team"] for r in rows} == {"Team Aurora"}
    assert list(rows[0]) == list(CAREER_FIELDS)
    code, out, _ = run(db, capsys, "career", "--growth", "--format", "csv")
    growth = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(growth) == 2 and growth[0]["department"]
    code, _, err = run(db, capsys, "career", "--team", "Nobody")
    assert code == 2 and "--team 'Nobody': no agents in it" in err


def test_brackets_in_reasons_print_as_typed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(f"sqlite:///{db}")
    sid = json.loads(run(db, capsys, "career", "--format", "json")[1])["agents"][0]["staff_id"]
    career.record_move(
        engine, sid, "Sales [/x]", "closed [/team] thing", actor=system("mo"), now=1.8e9
    )
    engine.dispose()
    code, out, _ = run(db, capsys, "career", "--growth")
    assert code == 0 and "closed [/team] thing" in out and "Sales [/x]" in out


def test_mentoring_report(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db, capsys, "mentoring", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["mentorships"]
    assert set(report["mentorships"][0]) == set(MENTORING_FIELDS)
    assert len(report["new_hires_without_mentor"]) == 2  # the demo's two newest wait
    code, out, _ = run(db, capsys, "mentoring")
    assert code == 0 and "New hires without a mentor" in out
    code, out, _ = run(db, capsys, "mentoring", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == ",".join(MENTORING_FIELDS)
