"""Hostile text typed into the screens' filter boxes: the floor's and the adherence view's `/`
(filtered in memory) and the coaching search (which reaches the database). Nothing fails,
the coaching search answers each one (a literal search, or the filter's own complaint), and
the database is the same afterwards, table for table."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from floorsup.store.sql import fetchall
from floorsup.tui.screens.adherence import AdherenceScreen
from floorsup.tui.screens.coaching import CoachingScreen

HOSTILE = (
    "' OR 1=1 --",
    '"; DROP TABLE coaching_note; --',
    "') UNION SELECT name, sql FROM sqlite_master --",
    "%",
    "_",
    "\\",
    "NEAR(wrap",
    '"unbalanced',
    "*",
    "body:wrap",
    "AND OR NOT",
    "a\x00b",
    "wrap " * 400,
    "Zoë Ärnold ‮evil",
    "agent:' OR '1'='1",
    "team:%",
    "from:0001-01-01",
    "by:\\",
)


def db_state(engine: Any) -> dict[str, int]:
    with engine.connect() as conn:
        tables = [
            r[0] for r in fetchall(conn, "SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {t: int(fetchall(conn, f'SELECT count(*) FROM "{t}"')[0][0]) for t in tables}


async def test_hostile_text_in_every_filter_box(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    before = db_state(floor.engine)
    app = floor.app()
    async with app.run_test(size=(100, 32)) as pilot:
        floor_screen = await wait_for_floor(pilot)
        everyone = floor_screen.query_one("#agents", DataTable).row_count

        # The floor: a filter that matches nobody shows nobody, and clears back to everyone.
        await pilot.press("slash")
        box = floor_screen.query_one("#filter", Input)
        for h in HOSTILE:
            box.value = h
            await pilot.pause()
            assert floor_screen.query_one("#agents", DataTable).row_count <= everyone
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: floor_screen.query_one("#agents", DataTable).row_count == everyone
        )

        # The adherence view.
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, AdherenceScreen) and app.screen.snapshot is not None,
        )
        adh = app.screen
        await pilot.press("slash")
        box = adh.query_one("#filter", Input)
        for h in HOSTILE:
            box.value = h
            await pilot.pause()
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is floor_screen)

        # The coaching search: each text gets its own answer from the database, or the
        # filter's own "✗" complaint; never "Could not load".
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CoachingScreen) and app.screen.data is not None
        )
        coaching = app.screen
        await pilot.press("slash")
        box = coaching.query_one("#coaching-filter", Input)
        status = coaching.query_one("#coaching-status")
        for h in HOSTILE:
            box.value = h
            await wait_for(
                pilot,
                lambda h=h: (
                    "✗" in str(status.render())
                    or (coaching.data is not None and coaching.data.text == h.strip())
                ),
            )
            assert coaching.data is not None
            assert "Could not load" not in str(status.render()), (h, str(status.render()))
            if coaching.data.text == h.strip():
                assert coaching.data.error is None, (h, coaching.data.error)
    assert db_state(floor.engine) == before
