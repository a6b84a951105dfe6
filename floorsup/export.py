"""Exports: a small typed-table model and its CSV and XLSX writers.

A `Table` is columns (`Column(key, header, kind)`) and rows (mappings from a column's key
to its value); a `Book` is one or more tables with the parameters they were made with
(period, team, zone, when), written to XLSX as one sheet per table and an "About" sheet.

How each kind is written (None is an empty cell in both):

==========  ====================================  ============================================
kind        XLSX (typed cell, number format)      CSV (UTF-8, header = the column's key)
==========  ====================================  ============================================
text        string, format ``@``                  as is (see "formulas" below)
int         number, ``0``                         ``12``
float       number, ``0.00``                      the number as Python prints it: ``12.5``
percent     the fraction 0..1, ``0.0%``           the fraction: ``0.85`` (not ``85%``)
seconds     a duration (days), ``[h]:mm:ss``:     the number of seconds: ``75.5``
            SUM and AVERAGE work; ×86400 gives
            seconds
date        date, ``yyyy-mm-dd``                  ISO ``2026-11-20``
datetime    site-local wall time without offset   ISO as given, with the offset when the value
            (the zone is named in the header and  has one: ``2026-11-01T01:00:00-04:00``
            on the About sheet), ``yyyy-mm-dd
            hh:mm``
bool        TRUE / FALSE                          ``true`` / ``false``
==========  ====================================  ============================================

Values may be given as Python objects (int, float, `datetime.date`, `datetime.datetime`)
or, for date and datetime, as the ISO text the reports already carry.

Formulas: a text value that starts with ``=``, ``+``, ``-`` or ``@`` would run as a formula
when a spreadsheet opens the file (CSV / formula injection). XLSX stores every text cell as
a string (never a formula) and marks such cells with a quote prefix, so they stay text even
when edited. CSV has no types, so such a text cell is written with a leading apostrophe
(``'=1+1``), as spreadsheets themselves do; numbers (``-5`` in a number column) are not.

Files are written whole or not at all: to a temporary file in the same directory, then
renamed over the target. An `ExportError` says which file and why it cannot be written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import enum
import math
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO
from zoneinfo import ZoneInfo


class ExportError(Exception):
    """A file cannot be written; the message names it and says why."""


class Kind(enum.StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    PERCENT = "percent"  # a fraction 0..1
    SECONDS = "seconds"  # a duration
    DATE = "date"
    DATETIME = "datetime"  # site-local
    BOOL = "bool"


NUMBER_FORMATS: dict[Kind, str] = {
    Kind.TEXT: "@",
    Kind.INT: "0",
    Kind.FLOAT: "0.00",
    Kind.PERCENT: "0.0%",
    Kind.SECONDS: "[h]:mm:ss",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.BOOL: "General",
}
# How wide (characters) a value of the kind shows with its number format.
_SHOWN_WIDTH = {
    Kind.PERCENT: 6,
    Kind.SECONDS: 8,
    Kind.DATE: 10,
    Kind.DATETIME: 16,
    Kind.BOOL: 5,
}
MIN_WIDTH, MAX_WIDTH = 6, 60
XLSX_TEXT_LIMIT = 32_767  # characters in one cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (and so XLSX) cannot hold; tab, line feed and return are fine.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    key: str  # the row mappings' key and the CSV header
    header: str  # the XLSX header, as people read it
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Table:
    """One sheet: `title` (the sheet's name), columns, and rows keyed by column key (a key
    a row lacks is an empty cell). `tz` is the zone of the datetime columns."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...] = ()
    tz: str | None = None

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.title!r}: a column key is used twice: {keys}")


@dataclass(frozen=True)
class Book:
    """What one XLSX file holds: the tables (one sheet each, in order) and an About sheet
    with `title` and the `about` lines: (label, value), e.g. ("Period", "2026-11-20")."""

    title: str
    tables: tuple[Table, ...]
    about: tuple[tuple[str, Any], ...] = field(default=())


# -- values ------------------------------------------------------------------------------


def _wrong(col: Column, value: Any) -> ValueError:
    return ValueError(f"column {col.key!r} ({col.kind}): {value!r} is not a {col.kind} value")


def _as_datetime(col: Column, value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise _wrong(col, value)


def _as_date(col: Column, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise _wrong(col, value)


def _as_number(col: Column, value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _wrong(col, value)
    try:
        number = (int if col.kind is Kind.INT else float)(value)
    except ValueError:
        raise _wrong(col, value) from None
    return None if isinstance(number, float) and not math.isfinite(number) else number


def clean_text(value: Any) -> str:
    """Text a worksheet can hold: XML's forbidden control characters dropped, cut to
    Excel's 32,767 characters a cell."""
    text = _ILLEGAL.sub("", str(value))
    return text if len(text) <= XLSX_TEXT_LIMIT else text[: XLSX_TEXT_LIMIT - 1] + "…"


def xlsx_value(col: Column, value: Any, tz: str | None = None) -> Any:
    """The Python value openpyxl is given for `value` in column `col` (None: empty)."""
    if value is None or (value == "" and col.kind is not Kind.TEXT):
        return None
    kind = col.kind
    if kind is Kind.TEXT:
        return clean_text(value) if value != "" else None
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise _wrong(col, value)
        return value
    if kind is Kind.DATE:
        return _as_date(col, value)
    if kind is Kind.DATETIME:
        moment = _as_datetime(col, value)
        if moment.tzinfo is not None:
            if tz is not None:
                moment = moment.astimezone(ZoneInfo(tz))
            moment = moment.replace(tzinfo=None)  # a sheet has no zones: the wall time
        return moment
    number = _as_number(col, value)
    if number is None:
        return None
    if kind is Kind.SECONDS:
        return dt.timedelta(seconds=number)
    return number


def csv_value(col: Column, value: Any) -> Any:
    """The CSV field for `value` in column `col` ("" for None)."""
    if value is None:
        return ""
    kind = col.kind
    if kind is Kind.TEXT:
        text = str(value)
        return "'" + text if text.startswith(FORMULA_START) else text
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise _wrong(col, value)
        return "true" if value else "false"
    if kind is Kind.DATE:
        return value if isinstance(value, str) else _as_date(col, value).isoformat()
    if kind is Kind.DATETIME:
        return value if isinstance(value, str) else _as_datetime(col, value).isoformat()
    if isinstance(value, str):
        _as_number(col, value)  # a number written as text: checked, written as given
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _wrong(col, value)
    return value


# -- CSV ---------------------------------------------------------------------------------


def write_csv(table: Table, file: TextIO | str | os.PathLike[str]) -> None:
    """`table` as CSV: a header of the column keys, then one line per row. To an open text
    stream, or to a path (written whole or not at all, UTF-8)."""
    if isinstance(file, (str, os.PathLike)):
        _atomic(Path(file).expanduser(), lambda fh: _write_csv(table, fh), text=True)
        return
    _write_csv(table, file)


def _write_csv(table: Table, file: IO[str]) -> None:
    w = csv.writer(file, lineterminator="\n")
    w.writerow([c.key for c in table.columns])
    for row in table.rows:
        w.writerow([csv_value(c, row.get(c.key)) for c in table.columns])


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """`text` to `path` as UTF-8, whole or not at all. Returns the path written."""
    return _atomic(Path(path).expanduser(), lambda fh: fh.write(text), text=True)


def csv_text(table: Table) -> str:
    import io

    buf = io.StringIO()
    _write_csv(table, buf)
    return buf.getvalue()


# -- XLSX --------------------------------------------------------------------------------


def header_text(col: Column, tz: str | None) -> str:
    """The XLSX header: a datetime column names its zone."""
    if col.kind is Kind.DATETIME and tz and tz not in col.header:
        return f"{col.header} ({tz})"
    return col.header


def _shown_len(col: Column, value: Any) -> int:
    if value is None:
        return 0
    if col.kind in _SHOWN_WIDTH:
        return _SHOWN_WIDTH[col.kind]
    if col.kind is Kind.FLOAT:
        return len(f"{value:.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused worksheet name: at most 31 characters, none of []:*?/\\."""
    base = _SHEET_BAD.sub(" ", title).strip().strip("'") or "Sheet"
    base = base[:31]
    used = {t.lower() for t in taken}
    name, n = base, 1
    while name.lower() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
    return name


def _fill_sheet(ws: Any, table: Table) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    widths = []
    for i, col in enumerate(table.columns, start=1):
        head = header_text(col, table.tz)
        cell = ws.cell(row=1, column=i, value=clean_text(head))
        cell.data_type = "s"
        cell.font = bold
        widths.append(len(head) + 3)  # room for the filter's button
    for r, row in enumerate(table.rows, start=2):
        for i, col in enumerate(table.columns, start=1):
            value = xlsx_value(col, row.get(col.key), table.tz)
            if value is None:
                continue
            cell = ws.cell(row=r, column=i, value=value)
            cell.number_format = NUMBER_FORMATS[col.kind]
            if col.kind is Kind.TEXT:
                cell.data_type = "s"  # never a formula, whatever it starts with
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True  # and it stays text when edited
            widths[i - 1] = max(widths[i - 1], _shown_len(col, value) + 2)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    last = get_column_letter(max(len(table.columns), 1))
    ws.freeze_panes = "A2"
    if table.columns:
        ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"


def _about_lines(book: Book) -> list[tuple[str, Any]]:
    from floorsup import __version__

    lines = list(book.about)
    kinds = {c.kind for t in book.tables for c in t.columns}
    zones = sorted({t.tz for t in book.tables if t.tz and Kind.DATETIME in kinds})
    if Kind.PERCENT in kinds:
        lines.append(("Percentages", "fractions of 1 shown as %: 85.0% is the number 0.85"))
    if Kind.SECONDS in kinds:
        lines.append(
            ("Durations", "times shown as h:mm:ss; SUM and AVERAGE work; ×86400 gives seconds")
        )
    if zones:
        lines.append(("Times", f"local to {', '.join(zones)}, as the site's clocks showed them"))
    lines.append(("Made by", f"floorsup {__version__}"))
    return lines


def _fill_about(ws: Any, book: Book) -> None:
    from openpyxl.styles import Font

    ws.cell(row=1, column=1, value=clean_text(book.title)).font = Font(bold=True, size=13)
    ws.cell(row=1, column=1).data_type = "s"
    row = 3
    for label, value in _about_lines(book):
        ws.cell(row=row, column=1, value=clean_text(label)).font = Font(bold=True)
        ws.cell(row=row, column=1).data_type = "s"
        if isinstance(value, dt.datetime):
            cell = ws.cell(row=row, column=2, value=value.replace(tzinfo=None))
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, dt.date):
            cell = ws.cell(row=row, column=2, value=value)
            cell.number_format = "yyyy-mm-dd"
        elif value is not None:
            cell = ws.cell(row=row, column=2, value=clean_text(value))
            cell.data_type = "s"
        row += 1
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 80


def write_xlsx(book: Book | Table, path: str | os.PathLike[str]) -> Path:
    """`book` (or one table) as an XLSX workbook at `path`: a sheet per table (bold, frozen
    header row with a filter, widths from the data, a number format per kind), then About.
    Written whole or not at all. Returns the path written."""
    from openpyxl import Workbook

    if isinstance(book, Table):
        book = Book(book.title, (book,))
    wb = Workbook()
    wb.properties.creator = "floorsup"
    wb.properties.title = clean_text(book.title)[:255]
    first = wb.active
    assert first is not None
    titles: list[str] = []
    for i, table in enumerate(book.tables):
        title = sheet_title(table.title, titles)
        titles.append(title)
        ws = first if i == 0 else wb.create_sheet()
        ws.title = title
        _fill_sheet(ws, table)
    about = first if not book.tables else wb.create_sheet()
    about.title = sheet_title("About", titles)
    _fill_about(about, book)
    wb.active = 0
    target = Path(path).expanduser()
    return _atomic(target, wb.save, text=False)


# -- writing a file whole ------------------------------------------------------------------


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    return exc.strerror or str(exc)


def _atomic(path: Path, write: Callable[[Any], Any], *, text: bool) -> Path:
    """Write through a temporary file beside `path`, then rename it over `path`: a reader
    sees the old file or the new one, never half of one; a failure leaves no file."""
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(f"{path}: cannot write: the directory {parent} does not exist")
    if path.is_dir():
        raise ExportError(f"{path}: cannot write: it is a directory")
    tmp = parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        # 0o666 less the umask: the permissions any new file of the user's gets
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {_why(exc)} (in {parent})") from exc
    try:
        if text:
            with open(fd, "w", encoding="utf-8", newline="") as fh:
                write(fh)
        else:
            with open(fd, "wb") as fh:
                write(fh)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise ExportError(f"{path}: cannot write: {_why(exc)}") from exc
        raise
    return path


# -- tables read off a screen --------------------------------------------------------------

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+(?=[eE]))([eE][-+]?\d+)?")
_PERCENT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)\s?%")
EMPTY_MARKS = ("", "—", "–", "-")  # how the screens show "nothing measured"


def infer_kind(values: Iterable[str]) -> Kind:
    """The kind of a column of shown text: int if every non-empty cell is a whole number,
    float if a number, percent if every one is a percentage ("85%"), else text."""
    kinds = set()
    for v in values:
        v = v.strip()
        if v in EMPTY_MARKS:
            continue
        if _INT.fullmatch(v):
            kinds.add(Kind.INT)
        elif _FLOAT.fullmatch(v):
            kinds.add(Kind.FLOAT)
        elif _PERCENT.fullmatch(v):
            kinds.add(Kind.PERCENT)
        else:
            return Kind.TEXT
    if not kinds:
        return Kind.TEXT
    if kinds == {Kind.INT}:
        return Kind.INT
    if kinds <= {Kind.INT, Kind.FLOAT}:
        return Kind.FLOAT
    if kinds == {Kind.PERCENT}:
        return Kind.PERCENT
    return Kind.TEXT


def typed_from_text(kind: Kind, text: str) -> Any:
    """A shown cell's value in a column of `kind` (from `infer_kind`); None when empty."""
    v = text.strip()
    if kind is Kind.TEXT:
        return text if text.strip() else None
    if v in EMPTY_MARKS:
        return None
    if kind is Kind.INT:
        return int(v)
    if kind is Kind.FLOAT:
        return float(v)
    return float(v.rstrip("%").strip()) / 100  # percent


def table_from_text(
    title: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[str]],
) -> Table:
    """A table from what a screen shows: `columns` (key, header), rows of shown text. Each
    column gets a kind from its cells (`infer_kind`): numbers and percentages become
    numbers; anything else stays the text it was; "—" (nothing measured) is empty."""
    kinds = [infer_kind(r[i] for r in rows) for i in range(len(columns))]
    cols = tuple(
        Column(key, header, kind) for (key, header), kind in zip(columns, kinds, strict=True)
    )
    typed = tuple(
        {c.key: typed_from_text(c.kind, cell) for c, cell in zip(cols, r, strict=False)}
        for r in rows
    )
    return Table(title, cols, typed)
