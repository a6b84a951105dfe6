"""`e` on a screen: its table saved as XLSX in `export_dir`, read back as a spreadsheet user
would. The floor's agent board (a DataTable: numbers typed, text kept), a screen's own
`export_table()`, a screen with nothing to export, and a directory that cannot be made."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from textual.screen import Screen
from textual.widgets import DataTable, Static

from floorsup.export import Column, Kind, Table
from floorsup.store.access import system
from floorsup.tui.app import make_app
from floorsup.tui.exporting import cell_text, export_screen, screen_name


def app_for(floor: Any, export_dir: Path) -> Any:
    settings = dataclasses.replace(floor.settings, export_dir=str(export_dir))
    return make_app(settings, engine=floor.engine, clock=floor.clock, actor=system(settings.user))


def messages(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def test_e_saves_the_floors_agent_board(floor, wait_for_floor, wait_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    exports = tmp_path / "exports" / "deep"  # made on first use
    app = app_for(floor, exports)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for_floor(pilot)
        agents = screen.query_one("#agents", DataTable)
        assert app.focused is agents
        shown = [[cell_text(c) for c in agents.get_row(r.key)] for r in agents.ordered_rows]
        worker = export_screen(app)
        assert worker is not None
        await worker.wait()
        path = worker.result
        assert path == exports / "floor-20261120-103000.xlsx"  # the app's clock, site zone
        assert exports.stat().st_mode & 0o777 == 0o750
        await wait_for(pilot, lambda: any(str(path) in m for m in messages(app)))
        assert f"{len(shown)} rows saved to {path}" in messages(app)

        # the same second again: a second file, never over the first
        again = export_screen(app)
        assert again is not None
        await again.wait()
        assert again.result == exports / "floor-20261120-103000-2.xlsx"

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Agents", "About"]
    ws = wb["Agents"]
    assert [c.value for c in ws[1]] == ["Agent", "Team", "State", "Time", "Calls", "Queue"]
    assert ws.max_row == len(shown) + 1 and len(shown) > 10
    for r, row in enumerate(shown, start=2):  # in the order shown on screen
        name, calls = ws.cell(row=r, column=1), ws.cell(row=r, column=5)
        assert name.value == row[0] and name.data_type == "s"
        assert calls.value == int(row[4]) and isinstance(calls.value, int)
        assert calls.number_format == "0"
        time_cell = ws.cell(row=r, column=4).value
        assert isinstance(time_cell, str) and ":" in time_cell  # "05:12 ▲" stays as shown
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=3) if r[0].value}
    assert about["Screen"] == "floor" and about["Exported by"] == "sam"
    assert about["Time zone"] == "America/New_York"
    assert about["Generated"] == dt.datetime(2026, 11, 20, 10, 30)


async def test_the_queue_table_when_it_has_focus(floor, wait_for_floor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = app_for(floor, tmp_path / "x")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for_floor(pilot)
        queues = screen.query_one("#queues", DataTable)
        queues.focus()
        await pilot.pause()
        worker = export_screen(app)
        assert worker is not None
        await worker.wait()
    ws = openpyxl.load_workbook(worker.result)["Queues"]
    assert [c.value for c in ws[1]][:3] == ["Queue", "Wait", "Oldest"]
    waiting = [ws.cell(row=r, column=2) for r in range(2, ws.max_row + 1)]
    assert waiting and all(isinstance(c.value, int) for c in waiting)
    assert ws.max_row - 1 == queues.row_count


async def test_a_screens_own_export_table_is_used(floor, wait_for_floor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = app_for(floor, tmp_path / "x")
    table = Table(
        "Service",
        (Column("queue", "Queue"), Column("sl", "Service level", Kind.PERCENT)),
        ({"queue": "sales", "sl": 0.8123}, {"queue": "=HYPERLINK(1)", "sl": None}),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for_floor(pilot)
        screen.export_table = lambda: table
        worker = export_screen(app)
        assert worker is not None
        await worker.wait()
    ws = openpyxl.load_workbook(worker.result)["Service"]
    assert [c.value for c in ws[1]] == ["Queue", "Service level"]
    assert ws["B2"].value == 0.8123 and ws["B2"].number_format == "0.0%"
    assert ws["A3"].value == "=HYPERLINK(1)" and ws["A3"].data_type == "s"
    assert ws["B3"].value is None


class Bare(Screen[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("no tables here")


async def test_nothing_to_export_is_said(floor, wait_for_floor, wait_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = app_for(floor, tmp_path / "x")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_floor(pilot)
        await app.push_screen(Bare())
        await pilot.pause()
        assert screen_name(app.screen) == "bare"
        assert export_screen(app) is None
        await wait_for(pilot, lambda: any("Nothing to export" in m for m in messages(app)))
    assert not (tmp_path / "x").exists()


async def test_an_unusable_export_dir_is_said(floor, wait_for_floor, wait_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    app = app_for(floor, blocker / "exports")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_floor(pilot)
        worker = export_screen(app)
        assert worker is not None
        await worker.wait()
        assert worker.result is None
        await wait_for(
            pilot, lambda: any("cannot make the export directory" in m for m in messages(app))
        )
        assert any("FLOORSUP_EXPORT_DIR" in m for m in messages(app))
        assert app.is_running  # the app goes on


async def test_the_e_key_saves_the_floor(floor, wait_for_floor, wait_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`e` (the app's binding) on the floor saves its table."""
    from floorsup.tui.app import make_app

    settings = dataclasses.replace(floor.settings, export_dir=str(tmp_path / "x"))
    app = make_app(settings, engine=floor.engine, clock=floor.clock, actor=system(settings.user))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: any("rows saved to" in m for m in messages(app)))
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["floor-20261120-103000.xlsx"]
