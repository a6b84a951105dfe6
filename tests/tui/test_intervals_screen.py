"""The interval screen (7), keystroke by keystroke: today's intervals for a queue with the
current one marked and under the cursor, queues switched with the arrows, 15 or 30 minutes,
the what-if panel (and what it says to bad input), `e` to a spreadsheet, and replay."""

from __future__ import annotations

import dataclasses
from typing import Any

from openpyxl import load_workbook

from floorsup.domain.erlang import required
from floorsup.intervals import build_intervals
from floorsup.store.access import system
from floorsup.tui.app import make_app
from floorsup.tui.screens.intervals import IntervalsScreen, WhatIf, busy_rows

from .conftest import NOW


def _cell(table: Any, row: int, col: int) -> str:
    return str(table.get_row_at(row)[col])


async def test_intervals_screen(floor, wait_for_floor, wait_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(floor.settings, export_dir=str(tmp_path / "out"))
    app = make_app(settings, engine=floor.engine, clock=floor.clock, actor=system(settings.user))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, IntervalsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None)
        table = screen.query_one("#intervals")
        want = build_intervals(floor.engine, floor.settings, NOW)
        assert screen.view == want
        first = want.queues[0]
        rows = busy_rows(first)
        assert table.row_count == len(rows)
        cur = next(i for i, r in enumerate(rows) if r.state == "current")
        assert table.cursor_row == cur and _cell(table, cur, 0).startswith("▶ 10:30")
        assert first.info.name in str(screen.query_one("#iv-head").render())
        chart = str(screen.query_one("#iv-chart").render())
        assert "Offered" in chart and "SL" in chart and "▲ now" in chart
        # A finished interval's figures as the screen shows them.
        done = rows[cur - 1]
        assert done.stats is not None and _cell(table, cur - 1, 2) == str(done.stats.offered)

        await pilot.press("right")
        await wait_for(
            pilot, lambda: want.queues[1].info.name in str(screen.query_one("#iv-head").render())
        )
        assert table.row_count == len(busy_rows(want.queues[1]))
        await pilot.press("left")

        await pilot.press("m")  # quarter hours
        await wait_for(pilot, lambda: screen.view is not None and screen.view.minutes == 15)
        assert table.row_count > len(rows)
        assert _cell(table, table.cursor_row, 0).startswith("▶ 10:30")
        await pilot.press("m")
        await wait_for(pilot, lambda: screen.view.minutes == 30 and table.row_count == len(rows))

        # What-if from the selected (finished) interval: its calls and AHT to start from.
        table.move_cursor(row=cur - 1)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhatIf))
        panel = app.screen
        calls = panel.query_one("#wi-calls")
        assert calls.value == str(done.stats.offered)
        calls.value = "100"
        panel.query_one("#wi-aht").value = "180"
        panel.query_one("#wi-target_sl").value = "80"
        panel.query_one("#wi-target_seconds").value = "20"
        panel.query_one("#wi-shrinkage").value = "30"
        panel.query_one("#wi-max_occupancy").value = "85"
        best = required(100, 1800, 180, 0.8, 20, max_occupancy=0.85, shrinkage=0.3)

        def result() -> str:
            return str(panel.query_one("#wi-result").render())

        # (waited for, not paused once: a busy machine answers the inputs a frame later)
        await wait_for(pilot, lambda: f"Needed on the phones: {best.agents}" in result())
        out = result()
        assert best.agents == 14
        assert f"scheduled (after shrinkage): {best.scheduled_agents}" in out
        assert best.scheduled_agents == 20
        panel.query_one("#wi-aht").value = "0"
        await wait_for(pilot, lambda: "✗" in result())
        panel.query_one("#wi-aht").value = "ten"
        await wait_for(pilot, lambda: "AHT (seconds): ten is not a number" in result())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("e")  # the table, typed, in a spreadsheet
        out_dir = tmp_path / "out"
        await wait_for(pilot, lambda: out_dir.exists() and any(out_dir.iterdir()))
        (path,) = out_dir.iterdir()
        book = load_workbook(path)
        assert book.sheetnames[: len(want.queues)] == [q.info.name for q in want.queues]
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert header[:5] == [
            f"Interval start ({floor.settings.tz})",
            "State",
            "Forecast calls",
            "Forecast AHT",
            "Offered",
        ]
        assert sheet.max_row == len(rows) + 1
        got = sheet.cell(row=cur + 1, column=5)  # the finished interval before the current
        assert got.value == done.stats.offered and got.number_format == "0"
        assert sheet.cell(row=cur + 1, column=8).number_format == "0.0%"

        await pilot.press("left_square_bracket")  # replay an interval ago
        await wait_for(pilot, lambda: screen.view is not None and screen.view.now == NOW - 1800)
        assert screen.view == build_intervals(floor.engine, floor.settings, NOW - 1800)
        assert "REPLAY" in str(screen.query_one("#status").render())


async def test_m_during_a_nothing_changed_poll_still_switches(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    """`m` pressed while a poll that finds nothing new is in flight: that answer carries no
    view, and the screen must still ask for the other length (it once waited for the next
    change of the database, forever on a quiet one)."""
    from floorsup.tui.screens.intervals import IntervalsData

    app = floor.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, IntervalsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.view is not None and not screen.fetching)
        screen.fetching = True  # a poll in flight
        await pilot.press("m")
        screen.post_message(IntervalsData(None))  # its answer: nothing changed
        await wait_for(pilot, lambda: screen.view is not None and screen.view.minutes == 15)
