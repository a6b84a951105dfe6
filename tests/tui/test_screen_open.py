"""How the agent page and the note form open: read first, then shown whole; the agent page's
widgets kept and filled again for the next agent; the footer recomposed only when its keys
change; garbage collected between key presses (tui/heap.py)."""

from __future__ import annotations

import gc
from typing import Any

from textual.widgets import DataTable

from floorsup.tui.footer import KeyFooter
from floorsup.tui.heap import QuietGc
from floorsup.tui.screens.agent import KEPT_PAGE, AgentScreen, open_page
from floorsup.tui.screens.floor import FloorScreen
from floorsup.tui.screens.note import NoteScreen


def board_keys(floor_screen: Any, n: int) -> list[str]:
    table = floor_screen.query_one("#agents", DataTable)
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(n)]


async def open_from_floor(pilot: Any, wait_for: Any, agent: str) -> AgentScreen:
    app = pilot.app
    open_page(app, agent)
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, AgentScreen)
            and app.screen.profile is not None
            and app.screen.profile.day.agent == agent
        ),
    )
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


async def test_the_next_agent_gets_the_same_page_filled_again(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        floor_screen = await wait_for_floor(pilot)
        first, second = board_keys(floor_screen, 2)
        page = await open_from_floor(pilot, wait_for, first)
        assert app.get_screen(KEPT_PAGE) is page
        await pilot.press("c")  # leave it on another tab, then close it
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FloorScreen))
        again = await open_from_floor(pilot, wait_for, second)
        assert again is page  # the same widgets...
        head = str(page.query_one("#agent-head").render())
        assert page.profile is not None and page.profile.day.name in head  # ...for the second
        assert page.query_one("#agent-tabs").active == "tab-today"  # from the first tab
        spans = page.query_one("#agent-spans", DataTable)
        assert spans.row_count == len(page.profile.day.spans)
        notes = page.query_one("#agent-notes", DataTable)  # filled when shown, for them
        await pilot.press("c")
        assert notes.row_count == len(
            {n.id for n in (*page.profile.follow_ups, *page.profile.notes)}
        )


async def test_a_page_opened_from_a_page_is_a_second_page(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        floor_screen = await wait_for_floor(pilot)
        first, second = board_keys(floor_screen, 2)
        page = await open_from_floor(pilot, wait_for, first)
        open_page(app, second)  # as the command palette does from the page
        await wait_for(
            pilot, lambda: app.screen is not page and isinstance(app.screen, AgentScreen)
        )
        await wait_for(pilot, lambda: app.screen.profile is not None)
        assert app.screen.profile.day.agent == second
        assert page.profile is not None and page.profile.day.agent == first  # untouched
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is page)


async def test_nothing_opens_if_the_screen_changed_meanwhile(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        floor_screen = await wait_for_floor(pilot)
        (agent,) = board_keys(floor_screen, 1)
        open_page(app, agent)
        await pilot.press("2")  # away to adherence before the read is back
        await pilot.pause(0.5)
        assert not isinstance(app.screen, AgentScreen)


async def test_the_note_form_opens_whole_and_ready(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        form = app.screen
        # read before the push: typeable and showing the agent's numbers from the start
        assert form.ready and form.profile is not None
        assert "Now:" in str(form.query_one("#note-snapshot").render())


async def test_the_footer_recomposes_only_when_its_keys_change(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        floor_screen = await wait_for_floor(pilot)
        (agent,) = board_keys(floor_screen, 1)
        footer = floor_screen.query_one(KeyFooter)
        keys = [k.key for k in footer.query("FooterKey")]
        assert "q" in keys and "2" in keys
        calls = 0
        real = footer.recompose

        async def counted() -> None:
            nonlocal calls
            calls += 1
            await real()

        footer.recompose = counted  # type: ignore[method-assign]
        for _ in range(3):
            page = await open_from_floor(pilot, wait_for, agent)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is floor_screen)
            await pilot.pause()
        assert calls == 0  # the floor's keys never changed
        # and no watcher is left on any footer for keys since removed (Textual's data_bind)
        page_footer = page.query_one(KeyFooter)
        for f in (footer, page_footer):
            assert not getattr(f, "__watchers", {}).get("compact")


class FakeApp:
    def __init__(self) -> None:
        self.timers: list[tuple[float, Any]] = []

    def set_interval(self, seconds: float, callback: Any, name: str = "") -> None:
        self.timers.append((seconds, callback))


def test_quiet_gc_collects_on_its_timer_and_fully_only_when_keys_rest() -> None:
    was_enabled = gc.isenabled()
    policy = QuietGc()
    app = FakeApp()
    try:
        policy.start(app)  # type: ignore[arg-type]
        policy.start(app)  # type: ignore[arg-type]  # once only
        assert not gc.isenabled() and len(app.timers) == 1
        assert app.timers[0][0] == QuietGc.YOUNG_EVERY
        gc.collect()
        policy.last_full -= QuietGc.FULL_EVERY  # due...
        policy.key_pressed()  # ...but someone is typing: only the young generations
        app.timers[0][1]()
        assert policy.full_runs == 0
        policy.last_key -= QuietGc.QUIET_FOR  # the keys have rested
        app.timers[0][1]()
        assert policy.full_runs == 1
        app.timers[0][1]()  # not again until FULL_EVERY has passed
        assert policy.full_runs == 1
    finally:
        policy.stop()
        if was_enabled:
            gc.enable()
    assert gc.isenabled() == was_enabled and gc.get_freeze_count() == 0
