"""Hostile CSV files against the roster, schedule and QA imports: any file is imported, or
rejected with ImportError_ naming the file and the line of every problem, and a rejected
import leaves every table row for row as it was. BOMs, UTF-16 and Latin-1, quoted newlines,
cells over the csv module's limit, missing, extra, repeated and upper-case columns, empty
files, damaged bytes."""

from __future__ import annotations

from hypothesis import given

from . import properties as p
from .properties import FUZZ, CsvFile, Workspace

ROSTER_FILES = p.csv_file(
    ("staff_id", "name", "team", "role", "hire_date", "acd_agent"), p.roster_cell
)
SCHEDULE_FILES = p.csv_file(("staff_id", "date", "start", "end", "activity"), p.schedule_cell)
QA_FILES = p.csv_file(p._QA_COLUMNS, p.qa_cell)


@FUZZ
@given(file=ROSTER_FILES)
def test_any_roster_file_is_imported_or_rejected_unchanged(
    workspace: Workspace, file: CsvFile
) -> None:
    """import_roster: done, or file:line problems and the database untouched."""
    p.check_roster_import(workspace, file)


@FUZZ
@given(file=SCHEDULE_FILES, tz=p.zones)
def test_any_schedule_file_is_imported_or_rejected_unchanged(
    workspace: Workspace, file: CsvFile, tz: str
) -> None:
    """import_schedule, in zones with gaps, folds and half-hour changes: the same."""
    p.check_schedule_import(workspace, file, tz)


@FUZZ
@given(file=QA_FILES, tz=p.zones)
def test_any_qa_file_is_imported_or_rejected_unchanged(
    workspace: Workspace, file: CsvFile, tz: str
) -> None:
    """import_qa: the same, and no evaluation stored at a nonsense time."""
    p.check_qa_import(workspace, file, tz)
