"""Replay from the keyboard: ctrl+t picks a past moment, [ and ] step an interval, and the
floor, adherence and agent page read at that `now` (the same code as live)."""

from __future__ import annotations

from typing import Any

from floorsup.adherence import build_adherence
from floorsup.clock import ReplayClock
from floorsup.floor import build_floor
from floorsup.store.access import system
from floorsup.tui.ask import Ask
from floorsup.tui.screens.adherence import AdherenceScreen
from floorsup.tui.screens.floor import FloorScreen

from .conftest import NOW


def _status(screen: Any) -> str:
    return str(screen.query_one("#status").render())


async def test_ctrl_t_then_step_back_and_on_to_live(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for_floor(pilot)
        assert "● live" in _status(screen) and not app.replaying
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        field = app.screen.query_one("#ask-input")
        assert field.value == "2026-11-20 10:30"  # starts from the moment shown
        field.value = "09:15"
        await pilot.press("enter")
        at = NOW - 75 * 60
        await wait_for(pilot, lambda: screen.snapshot is not None and screen.snapshot.now == at)
        assert app.replaying and isinstance(app.clock, ReplayClock)
        assert "REPLAY" in _status(screen) and "09:15" in _status(screen)
        assert screen.snapshot == build_floor(floor.engine, floor.settings, at)

        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.snapshot.now == at - 1800)
        assert screen.snapshot == build_floor(floor.engine, floor.settings, at - 1800)
        # The agents' table shows the agents then (logged in at 08:45, not at 10:30).
        table = screen.query_one("#agents")
        assert table.row_count == len(screen.snapshot.agents)

        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: screen.snapshot.now == at + 1800)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.snapshot.now == at + 3600)  # 10:15
        assert app.replaying
        await pilot.press("right_square_bracket")  # 10:45 is past the present: live again
        await wait_for(pilot, lambda: not app.replaying and screen.snapshot.now == NOW)
        assert "● live" in _status(screen)


async def test_adherence_replays_too_and_bad_input_is_said(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AdherenceScreen))
        adh = app.screen
        await wait_for(pilot, lambda: adh.snapshot is not None)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        app.screen.query_one("#ask-input").value = "25:61"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is adh)
        assert not app.replaying
        assert any("not a time of day" in n.message for n in app._notifications)
        await pilot.press("left_square_bracket")  # from live: an interval ago
        await wait_for(pilot, lambda: adh.snapshot is not None and adh.snapshot.now == NOW - 1800)
        assert "REPLAY" in str(adh.query_one("#status").render())
        want = build_adherence(floor.engine, floor.settings, NOW - 1800, with_exceptions=False)
        assert [(r.person.staff_id, r.now) for r in adh.snapshot.live_rows] == [
            (r.person.staff_id, r.now) for r in want.live_rows
        ]
        await pilot.press("1")
        floor_screen = app.screen
        assert isinstance(floor_screen, FloorScreen)
        await wait_for(pilot, lambda: floor_screen.snapshot.now == NOW - 1800)


async def test_replay_is_read_only_and_the_agent_page_shows_what_was_written_by_then(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    from floorsup.agent import load_agent
    from floorsup.domain.coaching import NoteInput
    from floorsup.store.coaching import add_note
    from floorsup.tui.screens.agent import AgentScreen
    from floorsup.tui.screens.note import NoteScreen

    app = floor.app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for_floor(pilot)
        sid = next(a.staff_id for a in screen.snapshot.agents if a.staff_id)
        add_note(  # written at 10:30, after the moment replayed below
            floor.engine,
            NoteInput(staff_id=sid, category="quality", body="Written at half past ten."),
            actor=system("sam"),
            now=NOW,
            snapshot=None,
            categories=floor.settings.note_categories,
        )
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: app.replaying and screen.snapshot.now == NOW - 1800)
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, NoteScreen)
        assert any("read-only" in n.message for n in app._notifications)
        app.open_note(staff_id=sid)  # the palette's way in, too
        await pilot.pause()
        assert not isinstance(app.screen, NoteScreen)
        from floorsup.tui.screens.agent import open_page

        open_page(app, staff_id=sid)
        await wait_for(
            pilot, lambda: isinstance(app.screen, AgentScreen) and app.screen.profile is not None
        )
        page = app.screen
        assert page.profile.now == NOW - 1800
        assert all(n.created_at <= NOW - 1800 for n in page.profile.notes)
        live = load_agent(floor.engine, floor.settings, NOW, who=system(), staff_id=sid)
        assert any(n.body == "Written at half past ten." for n in live.notes)
        assert not any(n.body == "Written at half past ten." for n in page.profile.notes)
        await pilot.press("v")  # a QA evaluation: refused too
        await pilot.pause()
        assert app.screen is page
