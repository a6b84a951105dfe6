"""The keyboard schedule editor: add, edit, move, delete, save the whole day; a bad day is
refused with the reason and nothing changes; unsaved changes are not dropped silently."""

from __future__ import annotations

import datetime as dt
import sqlite3

from floorsup.tui.screens.schedule import ScheduleScreen

from .conftest import TZ

DAY = dt.date(2026, 11, 20)


def _segments(db, staff_id: str) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db) as conn:
        return conn.execute(
            'SELECT g.start, g."end", g.activity FROM schedule_segment g JOIN staff s ON s.id = g.staff_pk '
            "WHERE s.staff_id = ? AND g.shift_date = ? ORDER BY g.start",
            (staff_id, DAY.isoformat()),
        ).fetchall()


def _someone(db) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT s.staff_id, s.name FROM schedule_segment g JOIN staff s ON s.id = g.staff_pk "
            "WHERE g.shift_date = ? GROUP BY s.id HAVING count(*) >= 4 ORDER BY s.staff_id LIMIT 1",
            (DAY.isoformat(),),
        ).fetchone()


async def test_edit_a_day_from_the_keyboard(floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    staff_id, name = _someone(floor.db)
    before = _segments(floor.db, staff_id)
    app = floor.app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = ScheduleScreen(staff_id, name, DAY)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: len(screen.segments) == len(before))
        assert screen.segments == sorted(before)
        table = screen.query_one("#schedule")

        # moving the first segment later makes it overlap the next: refused, nothing changes
        await pilot.press("plus")
        assert screen.dirty
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any("Not saved" in str(n.message) for n in app._notifications)
        )
        assert _segments(floor.db, staff_id) == before
        await pilot.press("minus")
        assert screen.segments == sorted(before)

        # delete the last segment, save: the day in the database follows
        table.move_cursor(row=len(before) - 1)
        await pilot.press("d", "ctrl+s")
        await wait_for(pilot, lambda: not screen.dirty)
        assert _segments(floor.db, staff_id) == sorted(before)[:-1]

        # add it back through the form (a bad time first: the form says why)
        last = sorted(before)[-1]
        start = dt.datetime.fromtimestamp(last[0], tz=dt.UTC).astimezone(
            __import__("zoneinfo").ZoneInfo(TZ)
        )
        end = dt.datetime.fromtimestamp(last[1], tz=dt.UTC).astimezone(
            __import__("zoneinfo").ZoneInfo(TZ)
        )
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"25:99", "enter", *end.strftime("%H:%M"), "enter")
        app.screen.query_one("#seg-activity").value = ""
        await pilot.press(*last[2], "enter")
        await pilot.pause()
        assert "is not a time" in str(app.screen.query_one("#seg-error").render())
        app.screen.query_one("#seg-start").value = start.strftime("%H:%M")
        app.screen.query_one("#seg-activity").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and len(screen.segments) == len(before))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.dirty)
        assert _segments(floor.db, staff_id) == sorted(before)

        # unsaved changes: escape asks first; n keeps the screen, y leaves it
        await pilot.press("d", "escape")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and screen.dirty
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is not screen)
        assert _segments(floor.db, staff_id) == sorted(before)
