"""`floorsup report ... --format xlsx --out FILE` for every report, read back as a manager's
spreadsheet would: the headers, typed cells and number formats, the About sheet; and the
CSV and JSON written to a file, `--out`'s suffix choosing the format, and the clear errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from floorsup import cli
from floorsup.cli import main
from floorsup.demo import build_demo_day
from floorsup.domain.intervals import day_bounds
from floorsup.export import NUMBER_FORMATS, Column, Kind, header_text
from floorsup.reports import (
    ADHERENCE_COLUMNS,
    CAREER_COLUMNS,
    COACHING_COLUMNS,
    EXCEPTION_COLUMNS,
    GROWTH_COLUMNS,
    MENTORING_COLUMNS,
    NEW_HIRE_COLUMNS,
    QUEUE_COLUMNS,
)

TZ = "America/New_York"
DAY = dt.date(2026, 11, 23)
START, _ = day_bounds(DAY, TZ)
NOW = START + 10 * 3600  # 10:00 local


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_day(tmp_path_factory.mktemp("export"), tz=TZ, day_start=START, until=NOW)


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    monkeypatch.setattr(cli, "_now", lambda: NOW)
    monkeypatch.setenv("FLOORSUP_CONFIG", str(tmp_path / "no-config.toml"))
    return copy


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--tz", TZ, "report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, _ = run(db, capsys, *args, "--format", "json")
    assert code == 0
    return json.loads(out)


PYTHON_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.TEXT: (str,),
    Kind.INT: (int,),
    Kind.FLOAT: (int, float),
    Kind.PERCENT: (int, float),
    Kind.SECONDS: (dt.timedelta,),
    Kind.DATE: (dt.datetime,),  # openpyxl reads a date cell back as a datetime
    Kind.DATETIME: (dt.datetime,),
    Kind.BOOL: (bool,),
}


def check_sheet(ws: Any, columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> None:
    """Header per column (bold, frozen, filtered), and every cell typed as its kind with
    the kind's number format, None as an empty cell; values as the JSON has them."""
    assert [c.value for c in ws[1]] == [header_text(c, TZ) for c in columns]
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.max_row == len(rows) + 1
    for r, row in enumerate(rows, start=2):
        for i, col in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=i)
            want = row.get(col.key)
            if col.key == "exceptions":
                want = len(want)
            if want is None or want == "":
                assert cell.value is None, (col.key, r)
                continue
            assert isinstance(cell.value, PYTHON_TYPES[col.kind]), (col.key, cell.value)
            assert cell.number_format == NUMBER_FORMATS[col.kind], (col.key, cell.number_format)
            got = cell.value
            if col.kind is Kind.SECONDS:
                assert got.total_seconds() == pytest.approx(want, abs=1e-3)
            elif col.kind is Kind.DATETIME:  # the local wall time, no offset
                assert got == dt.datetime.fromisoformat(want).replace(tzinfo=None)
            elif col.kind is Kind.DATE:
                assert got.date().isoformat() == want
            else:
                assert got == want, (col.key, got, want)


def about(wb: Any) -> dict[str, Any]:
    return {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=3) if r[0].value}


def test_queues_xlsx(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "queues.xlsx"
    args = ("queues", "--date", "2026-11-23", "--interval", "60")
    code, stdout, err = run(db, capsys, *args, "--format", "xlsx", "--out", str(out))
    assert code == 0 and err == ""
    assert stdout.startswith(f"wrote {out}: Queues (")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Queues", "About"]
    rows = as_json(db, capsys, *args)
    assert rows and any(r["service_level"] is not None for r in rows)
    check_sheet(wb["Queues"], QUEUE_COLUMNS, rows)
    head = [c.value for c in wb["Queues"][1]]
    assert head[1] == f"Interval start ({TZ})" and head[8] == "Service level"
    info = about(wb)
    assert info["Period"] == "2026-11-23" and info["Interval"] == "1 hour"
    assert info["Time zone"] == TZ and info["Generated"] == dt.datetime(2026, 11, 23, 10, 0)
    assert info["Service level"].endswith("T = the queue's target")


def test_queues_total_has_no_interval_start(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "total.xlsx"
    code, _, _ = run(db, capsys, "queues", "--interval", "total", "--out", str(out))
    assert code == 0  # the suffix chose xlsx
    ws = openpyxl.load_workbook(out)["Queues"]
    rows = as_json(db, capsys, "queues", "--interval", "total")
    check_sheet(ws, QUEUE_COLUMNS, rows)
    assert all(ws.cell(row=r, column=2).value is None for r in range(2, ws.max_row + 1))


def test_adherence_xlsx_lists_exceptions(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "adh.xlsx"
    code, _, _ = run(
        db, capsys, "adherence", "--date", "today", "--format", "xlsx", "--out", str(out)
    )
    assert code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Adherence", "Exceptions", "About"]
    rows = as_json(db, capsys, "adherence", "--date", "today")
    assert rows and any(r["exceptions"] for r in rows)
    check_sheet(wb["Adherence"], ADHERENCE_COLUMNS, rows)
    exceptions = [
        {"staff_id": r["staff_id"], "name": r["name"], "team": r["team"], **x}
        for r in rows
        for x in r["exceptions"]
    ]
    check_sheet(wb["Exceptions"], EXCEPTION_COLUMNS, exceptions)
    assert about(wb)["Day"] == "2026-11-23" and about(wb)["Team"] == "all"


def test_coaching_xlsx(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "coaching.xlsx"
    period = ("--from", "2026-10-01", "--to", "2026-11-23")
    code, _, _ = run(db, capsys, "coaching", *period, "--format", "xlsx", "--out", str(out))
    assert code == 0
    wb = openpyxl.load_workbook(out)
    rows = as_json(db, capsys, "coaching", *period)
    assert rows and any(r["follow_up"] for r in rows) and any(r["acknowledged"] for r in rows)
    check_sheet(wb["Coaching notes"], COACHING_COLUMNS, rows)
    assert about(wb)["Period"] == "2026-10-01 to 2026-11-23"


def test_career_xlsx_and_growth_only(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "career.xlsx"
    code, stdout, _ = run(db, capsys, "career", "--format", "xlsx", "--out", str(out))
    assert code == 0 and stdout == f"wrote {out}: Career path (71 rows), Growth (2 rows)\n"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Career path", "Growth", "About"]
    report = as_json(db, capsys, "career")
    check_sheet(wb["Career path"], CAREER_COLUMNS, report["agents"])
    check_sheet(wb["Growth"], GROWTH_COLUMNS, report["growth"])
    out = tmp_path / "growth.xlsx"
    code, _, _ = run(db, capsys, "career", "--growth", "--format", "xlsx", "--out", str(out))
    assert code == 0 and openpyxl.load_workbook(out).sheetnames == ["Growth", "About"]


def test_mentoring_xlsx(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "mentoring.xlsx"
    code, _, _ = run(db, capsys, "mentoring", "--format", "xlsx", "--out", str(out))
    assert code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Mentorships", "New hires without a mentor", "About"]
    report = as_json(db, capsys, "mentoring")
    assert any(m["mentee_qa_since"] is not None for m in report["mentorships"])
    check_sheet(wb["Mentorships"], MENTORING_COLUMNS, report["mentorships"])
    check_sheet(
        wb["New hires without a mentor"], NEW_HIRE_COLUMNS, report["new_hires_without_mentor"]
    )


@pytest.mark.parametrize("what", ["queues", "adherence", "coaching", "career", "mentoring"])
def test_xlsx_without_out_is_a_usage_error(
    db: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    with pytest.raises(SystemExit) as exit_:  # a usage error, as argparse gives them
        run(db, capsys, what, "--format", "xlsx")
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == ""
    assert err.startswith(f"usage: floorsup report {what} ")
    assert (
        f"floorsup report {what}: error: --format xlsx writes a spreadsheet file: "
        "add --out FILE.xlsx" in err
    )


@pytest.mark.parametrize(
    "args",
    [
        ("queues", "--interval", "60"),
        ("adherence",),
        ("coaching", "--from", "2026-10-01"),
        ("career",),
        ("mentoring",),
    ],
)
def test_csv_out_writes_what_stdout_shows(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, shown, _ = run(db, capsys, *args, "--format", "csv")
    assert code == 0
    out = tmp_path / "r.csv"
    code, stdout, err = run(db, capsys, *args, "--format", "csv", "--out", str(out))
    assert (code, stdout, err) == (0, f"wrote {out}\n", "")
    assert out.read_text(encoding="utf-8") == shown
    assert list(csv.reader(io.StringIO(shown)))[1:]  # rows, not only a header


def test_out_suffix_chooses_the_format(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("m.json", "m.csv", "m.txt"):
        code, _, _ = run(db, capsys, "mentoring", "--out", str(tmp_path / name))
        assert code == 0
    assert json.loads((tmp_path / "m.json").read_text())["mentorships"]
    assert (tmp_path / "m.csv").read_text().startswith("mentor,mentor_id,")
    assert "Peer mentoring" in (tmp_path / "m.txt").read_text()  # the table
    code, _, _ = run(db, capsys, "mentoring", "--format", "csv", "--out", str(tmp_path / "x.xlsx"))
    assert code == 0 and (tmp_path / "x.xlsx").read_text().startswith("mentor,")  # asked for


def test_unwritable_out_is_a_clear_error(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-dir" / "q.xlsx"
    code, out, err = run(db, capsys, "queues", "--format", "xlsx", "--out", str(missing))
    assert code == 2 and out == ""
    assert f"floorsup: error: {missing}: cannot write: the directory" in err
    code, _, err = run(db, capsys, "career", "--format", "csv", "--out", str(tmp_path))
    assert code == 2 and f"{tmp_path}: cannot write: it is a directory" in err
    assert not missing.parent.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.db")] == []
