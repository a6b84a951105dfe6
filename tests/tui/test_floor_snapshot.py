"""An SVG snapshot of the floor at 100x32 (pytest-textual-snapshot), on the fixed clock.

Stable by construction: the clock is a FixedClock, so the refresh timer's ticks redraw the
same times, and nothing is fetched again once the first picture is in (the database does
not change); the picture is taken once it has settled (a slow machine paints late). Update the baseline with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations


def test_floor_snapshot(snap_compare, floor_default_tick, wait_for_floor, settle) -> None:
    app = floor_default_tick.app()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for_floor(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 32), run_before=run_before)
