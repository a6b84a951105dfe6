"""`floorsup import qa` and `floorsup report coaching` as a user drives them. The site is in
New York, so a note written late in the evening there is already the next day in UTC; the
clock is fixed at Monday 2026-11-23 10:00 local (15:00 UTC)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorsup import cli, config
from floorsup.cli import main
from floorsup.config import DEFAULT_NOTE_CATEGORIES
from floorsup.domain.coaching import NoteInput
from floorsup.store import coaching
from floorsup.store.access import system
from floorsup.store.engine import make_engine

NY = "America/New_York"
REPO = Path(__file__).resolve().parents[2]
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,PJSIP/2001
E2,Ben Sample,Team Two,agent,2024-03-01,PJSIP/2002
"""
QA_HEADER = "staff_id,evaluated_at,evaluator,work_type,score,max_score"


def local(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(NY)).timestamp()


NOW = local("2026-11-23 10:00")


def run(tmp_path: Path, *args: str) -> int:
    return main(["--db", str(tmp_path / "f.db"), "--tz", NY, *args])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "f.db") as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture(autouse=True)
def settled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A fixed clock, no user config file, and a known user name."""
    monkeypatch.setattr(cli, "_now", lambda: NOW)
    monkeypatch.setenv("FLOORSUP_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setattr(config, "current_user", lambda: "lead.sam")
    for name in ("FLOORSUP_WORK_TYPES", "FLOORSUP_NOTE_CATEGORIES", "FLOORSUP_DB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def rostered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(tmp_path, "import", "roster", str(write(tmp_path / "roster.csv", ROSTER))) == 0
    capsys.readouterr()
    return tmp_path


# -- import qa --------------------------------------------------------------------------------


def test_import_qa_then_again(rostered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        rostered / "qa.csv",
        f"{QA_HEADER},greeting,close,comments\n"
        'E1,2026-11-20 14:05,Kim,phone,9,10,,,"calm, clear"\n'
        "E2,2026-11-19,Kim,email,17,20,8,9,\n",
    )
    assert run(rostered, "import", "qa", str(path)) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{path}: 2 evaluations added, 0 already present, times in {NY}\n"
    assert captured.err == ""
    with sqlite3.connect(rostered / "f.db") as conn:
        rows = conn.execute(
            "SELECT evaluated_at, recorded_by, recorded_at, source, comments FROM qa_evaluation "
            "ORDER BY evaluated_at"
        ).fetchall()
    assert rows == [
        (local("2026-11-19 00:00"), "lead.sam", NOW, "qa.csv", ""),
        (local("2026-11-20 14:05"), "lead.sam", NOW, "qa.csv", "calm, clear"),
    ]
    assert run(rostered, "import", "qa", str(path)) == 0
    assert "0 evaluations added, 2 already present" in capsys.readouterr().out
    assert count(rostered, "qa_evaluation") == 2


def test_import_qa_one_evaluation(rostered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(rostered / "one.csv", f"{QA_HEADER}\nE1,2026-11-20,Kim,chat,7,10\n")
    assert run(rostered, "import", "qa", str(path)) == 0
    assert f"{path}: 1 evaluation added, 0 already present" in capsys.readouterr().out


def test_import_qa_rejected_whole(rostered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        rostered / "bad.csv",
        f"{QA_HEADER}\nE1,2026-11-20,Kim,phone,7,10\nE9,2026-11-20,Kim,phone,7,10\n"
        "E2,2026-11-20,Kim,phone,11,10\n",
    )
    assert run(rostered, "import", "qa", str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"floorsup: error: {path}: rejected, nothing was changed")
    assert f"{path}:3: staff_id 'E9' is not on the roster" in captured.err
    assert f"{path}:4: the score 11 is above the maximum 10" in captured.err
    assert count(rostered, "qa_evaluation") == 0


def test_import_qa_unknown_column(rostered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(rostered / "bad.csv", f"{QA_HEADER},empathy\nE1,2026-11-20,Kim,phone,7,10,3\n")
    assert run(rostered, "import", "qa", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: column 'empathy' is not a scorecard criterion" in err
    assert "greeting, verification, discovery, resolution, compliance, close" in err


def test_import_qa_uses_the_configured_work_types(
    rostered: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOORSUP_WORK_TYPES", "phone,social")
    good = write(rostered / "good.csv", f"{QA_HEADER}\nE1,2026-11-20,Kim,Social,7,10\n")
    assert run(rostered, "import", "qa", str(good)) == 0
    bad = write(rostered / "bad.csv", f"{QA_HEADER}\nE1,2026-11-20,Kim,email,7,10\n")
    assert run(rostered, "import", "qa", str(bad)) == 2
    assert "work_type 'email' is not one of: phone, social" in capsys.readouterr().err


def test_import_qa_refuses_the_future(rostered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(rostered / "qa.csv", f"{QA_HEADER}\nE1,2026-11-23 10:30,Kim,phone,7,10\n")
    assert run(rostered, "import", "qa", str(path)) == 2
    assert f"{path}:2: evaluated_at '2026-11-23 10:30' is in the future" in (
        capsys.readouterr().err
    )


def test_import_qa_missing_file(rostered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(rostered, "import", "qa", str(rostered / "nope.csv")) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_sample_files_import_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = REPO / "db" / "samples"
    assert run(tmp_path, "import", "roster", str(samples / "roster.csv")) == 0
    rows = list(csv.DictReader((samples / "qa.csv").open(encoding="utf-8")))
    assert 20 <= len(rows) <= 40
    assert len({r["work_type"] for r in rows}) >= 3
    assert run(tmp_path, "import", "qa", str(samples / "qa.csv")) == 0
    assert f"{len(rows)} evaluations added, 0 already present" in capsys.readouterr().out
    assert run(tmp_path, "import", "qa", str(samples / "qa.csv")) == 0
    assert f"0 evaluations added, {len(rows)} already present" in capsys.readouterr().out


# -- report coaching --------------------------------------------------------------------------

LONG_NOTE = (
    "[QA form] Listened to\nthree calls together.\n\nVerification was skipped twice "
    "when the customer sounded rushed; we agreed it is never optional, even for callers who "
    "ring every week and are known to the whole team."
)
LONG_ACTIONS = "Re-read the verification policy; shadow a senior agent for an hour on Thursday"


@pytest.fixture
def noted(rostered: Path) -> Iterator[Path]:
    """Six notes, written through the store as the screens do (there is no CLI for notes)."""
    engine = make_engine(f"sqlite:///{rostered / 'f.db'}")

    def add(staff: str, category: str, body: str, author: str, at: str, **kw: object) -> int:
        note = NoteInput(staff_id=staff, category=category, body=body, **kw)  # type: ignore[arg-type]
        row = coaching.add_note(
            engine,
            note,
            actor=system(author),
            now=local(at),
            snapshot=None,
            categories=DEFAULT_NOTE_CATEGORIES,
        )
        return row.id

    day = dt.date.fromisoformat
    add("E1", "quality", "Before the week", "sam", "2026-11-16 12:00", follow_up=day("2026-11-20"))
    first = add(
        "E1",
        "adherence",
        "Verification skipped",  # edited below: the report shows the note as it is now
        "sam",
        "2026-11-17 00:00",  # the first instant of the default week
        actions=LONG_ACTIONS,
        follow_up=day("2026-11-23"),
        acknowledged=True,
    )
    coaching.edit_note(
        engine,
        first,
        NoteInput("E1", "adherence", LONG_NOTE, LONG_ACTIONS, day("2026-11-23"), True),
        actor=system("sam"),
        now=local("2026-11-17 09:00"),
        expected_revision=1,
        categories=DEFAULT_NOTE_CATEGORIES,
    )
    add("E2", "quality", "Hold etiquette", "sam", "2026-11-18 11:00", follow_up=day("2026-11-20"))
    done = add(
        "E1", "quality", "Script check", "kim", "2026-11-20 12:00", follow_up=day("2026-11-21")
    )
    coaching.close_follow_up(engine, done, actor=system("kim"), now=local("2026-11-21 10:00"))
    # 22:00 in New York is 03:00 the next day in UTC: it belongs to the 22nd here
    add("E2", "recognition", "Great save on an angry caller", "kim", "2026-11-22 22:00")
    add("E2", "handle time", "Wrap time", "kim", "2026-11-23 09:00", follow_up=day("2026-11-30"))
    engine.dispose()
    yield rostered


def report(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(tmp_path, "report", "coaching", *args) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def bodies(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    return [r["note"] for r in json.loads(report(tmp_path, capsys, "--format", "json", *args))]


def test_report_coaching_json_default_week(noted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(report(noted, capsys, "--format", "json"))
    # the last 7 days ending today (17th-23rd, local), oldest first
    assert [r["note"][:12] for r in rows] == [
        LONG_NOTE[:12],
        "Hold etiquet",
        "Script check",
        "Great save o",
        "Wrap time",
    ]
    first = rows[0]
    assert first == {
        "id": first["id"],
        "created": "2026-11-17T00:00:00-05:00",
        "agent": "Ada Example",
        "staff_id": "E1",
        "team": "Team One",
        "category": "adherence",
        "author": "sam",
        "follow_up": "2026-11-23",
        "follow_up_status": "due",
        "acknowledged": True,
        "revisions": 1,
        "note": LONG_NOTE,  # the full text, line breaks and all
        "actions": LONG_ACTIONS,
    }
    assert [(r["follow_up"], r["follow_up_status"]) for r in rows[1:]] == [
        ("2026-11-20", "overdue"),
        ("2026-11-21", "done"),
        (None, None),
        ("2026-11-30", "open"),
    ]
    assert rows[3]["created"] == "2026-11-22T22:00:00-05:00"
    assert [r["revisions"] for r in rows] == [1, 0, 0, 0, 0]


def test_report_coaching_csv(noted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(report(noted, capsys, "--format", "csv"))))
    assert list(rows[0]) == [
        "id",
        "created",
        "agent",
        "staff_id",
        "team",
        "category",
        "author",
        "follow_up",
        "follow_up_status",
        "acknowledged",
        "revisions",
        "note",
        "actions",
    ]
    assert len(rows) == 5
    assert rows[0]["note"] == LONG_NOTE and rows[0]["actions"] == LONG_ACTIONS
    assert (rows[0]["acknowledged"], rows[0]["revisions"]) == ("true", "1")
    recognition = rows[3]
    assert (recognition["follow_up"], recognition["follow_up_status"]) == ("", "")
    assert (recognition["acknowledged"], recognition["actions"]) == ("false", "")


def test_report_coaching_table(noted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = report(noted, capsys)  # table is the default
    lines = table.splitlines()
    assert "Coaching notes 2026-11-17 to 2026-11-23" in table
    assert max(len(line) for line in lines) <= 160
    first = next(line for line in lines if "adherence" in line and "Ada Example" in line)
    cells = [c.strip() for c in first.strip("│ ").split("│")]
    assert cells[:9] == [
        "2026-11-17 00:00",
        "Ada Example",
        "E1",
        "Team One",
        "adherence",
        "sam",
        "2026-11-23 due",
        "yes",
        "1",
    ]
    # the note on one line, cut to fit; brackets are text, not markup
    assert cells[9].startswith("[QA form] Listened to")
    assert cells[9].endswith("…") and cells[10].startswith("Re-read the")
    assert "Great save on an angry" in table and "Before the week" not in table
    wrap = next(line for line in lines if "Wrap time" in line)
    assert "2026-11-30 open" in wrap and "│ —" in wrap  # no actions
    assert "Created in America/New_York" in table
    assert "5 notes" in lines
    assert "By category: quality 2, adherence 1, handle time 1, recognition 1" in lines
    assert "By author: kim 3, sam 2" in lines
    assert "Follow-ups still open: 3 (overdue 1, due today 1); done 1" in lines


def test_report_coaching_team(noted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bodies(noted, capsys, "--team", "team two") == [
        "Hold etiquette",
        "Great save on an angry caller",
        "Wrap time",
    ]
    table = report(noted, capsys, "--team", "Team One")
    assert "Ada Example" in table and "Ben Sample" not in table
    assert "By author: sam 1, kim 1" not in table and "By author: kim 1, sam 1" in table
    csv_rows = list(
        csv.DictReader(io.StringIO(report(noted, capsys, "--team", "Team One", "--format", "csv")))
    )
    assert {r["team"] for r in csv_rows} == {"Team One"}


def test_report_coaching_local_days(noted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the note written at 22:00 on the 22nd (03:00 UTC on the 23rd) is the 22nd's
    assert bodies(noted, capsys, "--from", "2026-11-22", "--to", "2026-11-22") == [
        "Great save on an angry caller"
    ]
    assert bodies(noted, capsys, "--from", "today", "--to", "today") == ["Wrap time"]
    assert bodies(noted, capsys, "--from", "yesterday", "--to", "yesterday") == [
        "Great save on an angry caller"
    ]
    # one end given: the other is 7 days from it
    from_only = bodies(noted, capsys, "--from", "2026-11-16")
    assert from_only[0] == "Before the week" and from_only[-1] == "Great save on an angry caller"
    assert bodies(noted, capsys, "--to", "2026-11-22") == from_only
    assert bodies(noted, capsys, "--from", "2026-11-01", "--to", "2026-11-15") == []


def test_report_coaching_nothing_written(noted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--from", "2026-10-01", "--to", "2026-10-31")
    assert json.loads(report(noted, capsys, *args, "--format", "json")) == []
    assert report(noted, capsys, *args, "--format", "csv").splitlines() == [
        "id,created,agent,staff_id,team,category,author,follow_up,follow_up_status,"
        "acknowledged,revisions,note,actions"
    ]
    table = report(noted, capsys, *args).splitlines()
    assert "0 notes" in table and "By category: —" in table


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--from", "17/11/2026"), "'17/11/2026' is not a date: expected YYYY-MM-DD"),
        (("--to", "2026-11-31"), "'2026-11-31' is not a date"),
        (
            ("--from", "2026-11-23", "--to", "2026-11-22"),
            "--from 2026-11-23 is after --to 2026-11-22",
        ),
        (
            ("--team", "Team Nine"),
            "--team 'Team Nine': no such team (expected one of: Team One, Team Two)",
        ),
    ],
)
def test_report_coaching_bad_input(
    noted: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    assert run(noted, "report", "coaching", *args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("floorsup: error: ") and expected in captured.err


def test_report_coaching_bad_format(noted: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(noted, "report", "coaching", "--format", "xls")
    assert exit_.value.code == 2


def test_report_queues_to_before_from_is_a_clear_error(
    rostered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(rostered, "report", "queues", "--from", "2026-11-20", "--to", "2026-11-01") == 2
    assert "--to 2026-11-01 is before --from 2026-11-20" in capsys.readouterr().err
