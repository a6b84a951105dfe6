"""`e`: save the current screen's table as an XLSX file in the `export_dir` setting.

A screen that knows its data better says so with `export_table()`, returning a typed
`floorsup.export.Table` (or a `Book`, or a few tables; None for nothing). Any other screen
gives the table the user is looking at: the focused DataTable, else the first one shown,
with its rows in the order shown (sorted and filtered as on screen). Its cells are the text
shown; a column whose cells are all plainly numbers ("12", "3.5") or all percentages ("85%")
is written as numbers (85% as 0.85 with a % format), with "—" (nothing measured) as an empty
cell; any other column keeps the text it showed (a time "05:12 ▲", a level mark "✓ 85%").

The file, `<screen>-<YYYYmmdd-HHMMSS>.xlsx` (the app's clock, in the site's zone), is
written in a thread worker; the user is told where it went, or why it could not be saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.errors import MarkupError
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import Worker

from floorsup.export import Book, ExportError, Table, table_from_text, write_xlsx

if TYPE_CHECKING:
    from floorsup.tui.app import FloorsupApp

EXPORT_DIR_MODE = 0o750  # the user and their group: these files name staff


def screen_name(screen: Screen[Any]) -> str:
    """`export_name` if the screen has one, else its class name: FloorScreen -> floor,
    NoteView -> note-view."""
    name = getattr(screen, "export_name", None) or type(screen).__name__.removesuffix("Screen")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", str(name)).lower()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "screen"


def cell_text(value: Any) -> str:
    """What a DataTable shows for a cell, as plain text (a `str` cell is Rich markup to
    it; a float shows with two decimals there, but keeps all of them here)."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.plain
    if isinstance(value, str):
        try:
            return Text.from_markup(value).plain
        except MarkupError:
            return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    plain = getattr(value, "plain", None)
    return plain if isinstance(plain, str) else str(value)


def _shown(widget: Widget) -> bool:
    node: Any = widget
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display or not node.visible:
            return False
        node = node.parent
    return True


def pick_table(screen: Screen[Any]) -> DataTable[Any] | None:
    """The focused DataTable on `screen`, else the first one shown, else None."""
    focused = screen.focused
    while focused is not None and not isinstance(focused, DataTable):
        parent = focused.parent
        focused = parent if isinstance(parent, Widget) and parent is not screen else None
    if isinstance(focused, DataTable) and _shown(focused):
        return focused
    for table in screen.query(DataTable):
        if _shown(table):
            return table
    return None


def datatable_table(table: DataTable[Any], title: str) -> Table:
    """The DataTable's columns and rows, in the order shown, typed by `table_from_text`."""
    columns = []
    for i, col in enumerate(table.ordered_columns):
        header = col.label.plain.strip() if isinstance(col.label, Text) else str(col.label)
        key = col.key.value if col.key.value is not None else f"column_{i + 1}"
        columns.append((str(key), header or str(key)))
    rows = [
        [cell_text(v) for v in table.get_row(row.key)]
        for row in table.ordered_rows
        if row.key is not None
    ]
    return table_from_text(title, columns, rows)


def _title(table: DataTable[Any], screen: Screen[Any]) -> str:
    if table.border_title:
        return cell_text(str(table.border_title))
    if table.id:
        return table.id.replace("-", " ").replace("_", " ").capitalize()
    return screen_name(screen).replace("-", " ").capitalize()


def screen_book(app: FloorsupApp, screen: Screen[Any]) -> Book | None:
    """What `e` saves on `screen` (None: nothing to export)."""
    name = screen_name(screen)
    local_now = dt.datetime.fromtimestamp(app.clock.now(), ZoneInfo(app.settings.tz))
    about: tuple[tuple[str, Any], ...] = (
        ("Screen", name.replace("-", " ")),
        ("Exported by", app.actor.user),
        ("Time zone", app.settings.tz),
        ("Generated", local_now),
    )
    export = getattr(screen, "export_table", None)
    got: Any
    if callable(export):
        got = export()
    else:
        picked = pick_table(screen)
        got = None if picked is None else datatable_table(picked, _title(picked, screen))
    if got is None:
        return None
    if isinstance(got, Book):
        return Book(got.title, got.tables, (*got.about, *about))
    tables: Sequence[Table] = (got,) if isinstance(got, Table) else tuple(got)
    if not tables:
        return None
    title = f"{name.replace('-', ' ').capitalize()}: {tables[0].title}"
    return Book(title, tuple(tables), about)


def export_path(app: FloorsupApp, screen: Screen[Any]) -> Path:
    """`<export_dir>/<screen>-<YYYYmmdd-HHMMSS>.xlsx` (the app's clock, site zone); a
    second export in the same second gets -2, -3..."""
    directory = Path(app.settings.export_dir).expanduser()
    stamp = dt.datetime.fromtimestamp(app.clock.now(), ZoneInfo(app.settings.tz))
    stem = f"{screen_name(screen)}-{stamp:%Y%m%d-%H%M%S}"
    path, n = directory / f"{stem}.xlsx", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.xlsx"
    return path


def save_book(book: Book, path: Path) -> Path:
    """Make the export directory (mode 0o750) if need be, then write `book` to `path`."""
    try:
        path.parent.mkdir(mode=EXPORT_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror
        raise ExportError(f"{path.parent}: cannot make the export directory: {why}") from exc
    return write_xlsx(book, path)


def export_screen(app: FloorsupApp) -> Worker[Path | None] | None:
    """Save the current screen's table (see the module's doc) in a thread worker and say
    where it went; or say there is nothing to export here. Returns the worker (None when
    there was nothing to export)."""
    screen = app.screen
    book = screen_book(app, screen)
    if book is None or not any(t.rows for t in book.tables):
        app.notify(
            "Nothing to export here: this screen shows no table rows.",
            title="Export",
            severity="warning",
        )
        return None
    path = export_path(app, screen)
    rows = sum(len(t.rows) for t in book.tables)

    def write() -> Path | None:
        try:
            saved = save_book(book, path)
        except Exception as exc:  # said on screen; the app goes on
            hint = (
                "Set export_dir (env FLOORSUP_EXPORT_DIR) to a directory you can write."
                if isinstance(exc, ExportError)
                else f"({type(exc).__name__})"
            )
            app.call_from_thread(
                app.notify,
                f"{exc}. {hint}",
                title="Export failed",
                severity="error",
                timeout=10,
            )
            return None
        app.call_from_thread(
            app.notify,
            f"{rows} row{'' if rows == 1 else 's'} saved to {saved}",
            title="Exported",
            timeout=6,
        )
        return saved

    return app.run_worker(
        write, name=f"export {path.name}", group="export", thread=True, exit_on_error=False
    )
