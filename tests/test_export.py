"""The typed-table writers: every kind as a spreadsheet user gets it (XLSX typed cells with
number formats, CSV plain values), None as an empty cell, unicode, text that looks like a
formula kept as text, and files written whole or not at all."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from floorsup.export import (
    NUMBER_FORMATS,
    Book,
    Column,
    ExportError,
    Kind,
    Table,
    csv_text,
    infer_kind,
    sheet_title,
    table_from_text,
    write_csv,
    write_text,
    write_xlsx,
)

NY = "America/New_York"
COLUMNS = (
    Column("name", "Name"),
    Column("calls", "Calls", Kind.INT),
    Column("score", "Score", Kind.FLOAT),
    Column("sl", "Service level", Kind.PERCENT),
    Column("asa", "ASA", Kind.SECONDS),
    Column("day", "Day", Kind.DATE),
    Column("at", "At", Kind.DATETIME),
    Column("ok", "OK", Kind.BOOL),
)
ROWS = (
    {
        "name": "Zoë Ångström — 東京",
        "calls": 12,
        "score": 3.5,
        "sl": 0.85,
        "asa": 75.5,
        "day": dt.date(2026, 11, 20),
        # an aware instant: written as the site's wall time
        "at": dt.datetime(2026, 11, 1, 6, 10, tzinfo=dt.UTC),
        "ok": True,
    },
    {  # ISO text as the reports carry it; None and missing keys are empty cells
        "name": "=1+1",
        "calls": None,
        "score": None,
        "sl": None,
        "asa": 3725,
        "day": "2026-11-21",
        "at": "2026-11-01T01:10:00-05:00",
        "ok": False,
    },
    {"name": "@SUM(A1:A9)", "calls": -5, "sl": 1.0, "at": None},
    {"name": "+15550100", "calls": 0, "score": float("nan")},
    {"name": "-2 calls missed"},
)
TABLE = Table("Agents: today", COLUMNS, ROWS, tz=NY)


def read(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def column_cells(ws, col: int) -> list:  # type: ignore[no-untyped-def]
    return [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]


def test_xlsx_header_is_bold_frozen_filtered_and_named(tmp_path: Path) -> None:
    path = write_xlsx(TABLE, tmp_path / "t.xlsx")
    wb = read(path)
    assert wb.sheetnames == ["Agents  today", "About"]  # ":" cannot be in a sheet name
    ws = wb["Agents  today"]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "Name",
        "Calls",
        "Score",
        "Service level",
        "ASA",
        "Day",
        f"At ({NY})",  # a datetime column names its zone
        "OK",
    ]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:H{len(ROWS) + 1}"
    assert ws.max_row == len(ROWS) + 1
    widths = [ws.column_dimensions[chr(ord("A") + i)].width for i in range(8)]
    assert all(6 <= w <= 60 for w in widths) and widths[0] >= len("Zoë Ångström — 東京")


def test_xlsx_cells_are_typed_with_number_formats(tmp_path: Path) -> None:
    ws = read(write_xlsx(TABLE, tmp_path / "t.xlsx")).worksheets[0]
    first = [c.value for c in ws[2]]
    assert first[:4] == ["Zoë Ångström — 東京", 12, 3.5, 0.85]
    assert first[4] == dt.timedelta(seconds=75.5)
    assert first[5] == dt.datetime(2026, 11, 20)  # openpyxl reads a date cell back as datetime
    assert first[6] == dt.datetime(2026, 11, 1, 1, 10)  # 06:10 UTC = 01:10 EDT, no offset
    assert first[7] is True
    second = [c.value for c in ws[3]]
    assert second[1:4] == [None, None, None]  # None: an empty cell
    assert second[4] == dt.timedelta(hours=1, minutes=2, seconds=5)
    assert second[5] == dt.datetime(2026, 11, 21)
    assert second[6] == dt.datetime(2026, 11, 1, 1, 10)  # the second 01:10 (EST), as shown
    assert second[7] is False
    assert ws.cell(row=5, column=3).value is None  # NaN cannot be a number in a sheet
    for i, col in enumerate(COLUMNS, start=1):
        for cell in column_cells(ws, i):
            if cell.value is not None:
                assert cell.number_format == NUMBER_FORMATS[col.kind], (col.key, cell.value)
    assert NUMBER_FORMATS[Kind.PERCENT] == "0.0%"
    assert NUMBER_FORMATS[Kind.SECONDS] == "[h]:mm:ss"
    assert ws.cell(row=2, column=2).data_type == "n"
    assert ws.cell(row=2, column=8).data_type == "b"


@pytest.mark.parametrize("row", [3, 4, 5, 6])
def test_xlsx_formula_looking_text_stays_text(tmp_path: Path, row: int) -> None:
    ws = read(write_xlsx(TABLE, tmp_path / "t.xlsx")).worksheets[0]
    cell = ws.cell(row=row, column=1)
    assert cell.value == ROWS[row - 2]["name"]
    assert cell.data_type == "s"  # a string, never a formula ("f")
    assert cell.quotePrefix is True  # and it stays text when someone edits it


def test_xlsx_formula_never_stored(tmp_path: Path) -> None:
    """The sheet's XML holds the text as a string and no <f> (formula) element."""
    import zipfile

    path = write_xlsx(TABLE, tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "=1+1" in xml


def test_xlsx_about_sheet_has_the_parameters(tmp_path: Path) -> None:
    made = dt.datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo(NY))
    book = Book(
        "Queue report",
        (TABLE, Table("Empty", (Column("x", "X", Kind.INT),))),
        about=(("Period", "2026-11-20"), ("Team", "all"), ("Generated", made)),
    )
    wb = read(write_xlsx(book, tmp_path / "b.xlsx"))
    assert wb.sheetnames == ["Agents  today", "Empty", "About"]
    assert wb.active.title == "Agents  today"  # opens on the data
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=3) if r[0].value}
    assert wb["About"]["A1"].value == "Queue report"
    assert about["Period"] == "2026-11-20" and about["Team"] == "all"
    assert about["Generated"] == dt.datetime(2026, 11, 20, 10, 30)
    assert "0.85" in about["Percentages"] and "86400" in about["Durations"]
    assert NY in about["Times"]
    empty = wb["Empty"]
    assert [c.value for c in empty[1]] == ["X"] and empty.max_row == 1


def test_xlsx_drops_control_characters_and_keeps_line_breaks(tmp_path: Path) -> None:
    t = Table("T", (Column("note", "Note"),), ({"note": "bell\x07 here\nnext line\ttab"},))
    ws = read(write_xlsx(t, tmp_path / "t.xlsx")).worksheets[0]
    assert ws["A2"].value == "bell here\nnext line\ttab"


def test_wrong_value_for_a_kind_names_the_column(tmp_path: Path) -> None:
    t = Table("T", (Column("calls", "Calls", Kind.INT),), ({"calls": "many"},))
    with pytest.raises(ValueError, match="column 'calls' \\(int\\): 'many'"):
        write_xlsx(t, tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
    with pytest.raises(ValueError, match="column 'b'"):
        csv_text(Table("T", (Column("b", "B", Kind.BOOL),), ({"b": "yes"},)))


def test_a_column_key_used_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="used twice"):
        Table("T", (Column("a", "A"), Column("a", "Again")))


def test_csv_values_by_kind() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(TABLE))))
    assert rows[0] == [c.key for c in COLUMNS]  # the header is the keys
    assert rows[1] == [
        "Zoë Ångström — 東京",
        "12",
        "3.5",
        "0.85",  # a fraction, not "85%"
        "75.5",  # seconds
        "2026-11-20",
        "2026-11-01T06:10:00+00:00",  # ISO as given, offset and all
        "true",
    ]
    assert rows[2] == [
        "'=1+1",  # text that would run as a formula gets an apostrophe
        "",
        "",
        "",
        "3725",
        "2026-11-21",
        "2026-11-01T01:10:00-05:00",
        "false",
    ]
    assert rows[3][:4] == ["'@SUM(A1:A9)", "-5", "", "1.0"]  # -5 is a number: as it is
    assert rows[4][0] == "'+15550100" and rows[5][0] == "'-2 calls missed"
    assert all(len(r) == len(COLUMNS) for r in rows)


def test_write_csv_to_a_stream_and_to_a_file(tmp_path: Path) -> None:
    buf = io.StringIO()
    write_csv(TABLE, buf)
    path = tmp_path / "t.csv"
    write_csv(TABLE, path)
    assert path.read_bytes() == buf.getvalue().encode("utf-8")  # UTF-8, no BOM
    assert buf.getvalue() == csv_text(TABLE)


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(TABLE, path)
    before = path.read_bytes()
    bad = Table("T", (Column("d", "D", Kind.DATE),), ({"d": "someday"},))
    with pytest.raises(ValueError):
        write_xlsx(bad, path)

    def boom(fh: object) -> None:
        raise RuntimeError("disk on fire")

    from floorsup import export

    with pytest.raises(RuntimeError):
        export._atomic(path, boom, text=False)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "q.xlsx"
    with pytest.raises(ExportError, match=f"{target}: cannot write: the directory .* not exist"):
        write_xlsx(TABLE, target)
    with pytest.raises(ExportError, match="is a directory"):
        write_text("x", tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_no_permission_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(ExportError, match=f"{locked / 'q.csv'}: cannot write: permission"):
            write_csv(TABLE, locked / "q.csv")
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_written_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    path = write_text("hello\n", tmp_path / "t.txt")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["12", "3", "—", ""], Kind.INT),
        (["12", "3.5", "-0.25"], Kind.FLOAT),
        (["1e-05", "2"], Kind.FLOAT),
        (["85%", "100%", "—", "87.5 %"], Kind.PERCENT),
        (["85%", "12"], Kind.TEXT),  # a mix stays text
        (["12", "twelve"], Kind.TEXT),
        (["05:12", "1:02:03"], Kind.TEXT),  # durations as shown stay text
        (["✓  85%"], Kind.TEXT),  # a level mark with the number: as shown
        (["—", ""], Kind.TEXT),  # nothing but blanks
        ([], Kind.TEXT),
    ],
)
def test_infer_kind(values: list[str], kind: Kind) -> None:
    assert infer_kind(values) is kind


def test_table_from_text_types_numbers_and_keeps_text(tmp_path: Path) -> None:
    t = table_from_text(
        "Queues",
        [("queue", "Queue"), ("waiting", "Wait"), ("sl", "SL"), ("aht", "AHT")],
        [["sales", "3", "85%", "04:10"], ["=cmd", "0", "—", "—"]],
    )
    assert [c.kind for c in t.columns] == [Kind.TEXT, Kind.INT, Kind.PERCENT, Kind.TEXT]
    assert t.rows[0] == {"queue": "sales", "waiting": 3, "sl": 0.85, "aht": "04:10"}
    assert t.rows[1] == {"queue": "=cmd", "waiting": 0, "sl": None, "aht": "—"}
    ws = read(write_xlsx(t, tmp_path / "q.xlsx")).worksheets[0]
    assert ws["C2"].value == 0.85 and ws["C2"].number_format == "0.0%"
    assert ws["A3"].data_type == "s" and ws["C3"].value is None


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("Queues", [], "Queues"),
        ("a/b\\c?d*e[f]g:h", [], "a b c d e f g h"),
        ("x" * 40, [], "x" * 31),
        ("About", ["about"], "About (2)"),
        ("", [], "Sheet"),
    ],
)
def test_sheet_title(title: str, taken: list[str], expected: str) -> None:
    assert sheet_title(title, taken) == expected


def test_export_dir_setting(tmp_path: Path) -> None:
    from floorsup.config import ConfigError, load_settings

    none = tmp_path / "none.toml"
    assert load_settings(env={}, config_file=none).export_dir == "~/floorsup-exports"
    env = {"FLOORSUP_EXPORT_DIR": "/srv/exports"}
    assert load_settings(env=env, config_file=none).export_dir == "/srv/exports"
    toml = tmp_path / "c.toml"
    toml.write_text('export_dir = "  "\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="export_dir: expected a directory"):
        load_settings(env={}, config_file=toml)
