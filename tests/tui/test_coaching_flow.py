"""Coaching notes driven keystroke by keystroke: open a note from the floor, fill it, save,
find it by search, edit it (the earlier text kept), and get a draft back after the app
went away mid-typing. Bad input gets its message in the form."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, DataTable, Input, Select, TextArea

from floorsup.store import coaching
from floorsup.store.access import system
from floorsup.store.coaching import NoteQuery
from floorsup.tui.screens.agent import AgentScreen
from floorsup.tui.screens.coaching import CoachingScreen
from floorsup.tui.screens.note import NoteScreen, NoteView


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(
        *[{" ": "space", "\n": "enter", ".": "full_stop", ",": "comma"}.get(c, c) for c in text]
    )


async def open_note_form(pilot: Any, wait_for: Any) -> NoteScreen:
    await pilot.press("n")
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, NoteScreen) and pilot.app.screen.ready
    )
    return pilot.app.screen  # type: ignore[return-value]


def notes(floor: Any, **kw: Any) -> list[coaching.NoteRow]:
    """Notes written in the test (the demo centre's own history is by its team leads)."""
    with floor.engine.connect() as conn:
        return coaching.find_notes(conn, NoteQuery(author="sam", **kw), who=system())


async def test_write_a_note_from_the_floor(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        floor_screen = await wait_for_floor(pilot)
        key = (
            floor_screen.query_one("#agents", DataTable)
            .coordinate_to_cell_key((0, 0))
            .row_key.value
        )
        form = await open_note_form(pilot, wait_for)
        assert form.agent == key
        assert app.focused is form.query_one("#note-category", Select)
        await pilot.press("enter", "down", "down", "enter")  # the second category: quality
        assert form.query_one("#note-category", Select).value == "quality"
        await pilot.press("tab")
        assert app.focused is form.query_one("#note-follow-up", Input)
        await type_text(pilot, "+2w")
        await pilot.press("tab")
        assert app.focused is form.query_one("#note-body", TextArea)
        await type_text(pilot, "Missed the verification step twice")
        await pilot.press("tab")
        await type_text(pilot, "Listen back to two calls together")
        await pilot.press("tab", "space")  # acknowledged
        assert form.query_one("#note-ack", Checkbox).value is True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteScreen))
        saved = notes(floor)
        assert len(saved) == 1
        n = saved[0]
        assert (n.category, n.body, n.actions, n.acknowledged, n.author) == (
            "quality",
            "Missed the verification step twice",
            "Listen back to two calls together",
            True,
            "sam",
        )
        assert n.follow_up is not None and (n.follow_up.isoformat()) == "2026-12-04"
        assert (
            n.snapshot is not None
            and n.snapshot.calls >= 0
            and n.snapshot.taken_at == floor.clock.now()
        )
        with floor.engine.connect() as conn:  # saved: no draft is left behind
            assert coaching.drafts_for(conn, "sam") == []


async def write_note(pilot: Any, wait_for: Any, body: str, category_downs: int = 1) -> None:
    await pilot.press("enter", *["down"] * category_downs, "enter", "tab", "tab")
    await type_text(pilot, body)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, NoteScreen))


async def test_find_by_search_then_edit_keeps_the_earlier_text(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        await open_note_form(pilot, wait_for)
        await write_note(pilot, wait_for, "Great empathy with an upset caller")
        await pilot.press("down")
        await open_note_form(pilot, wait_for)
        await write_note(pilot, wait_for, "Wrap time running long")
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CoachingScreen) and app.screen.data is not None
        )
        screen = app.screen
        table = screen.query_one("#coaching-table", DataTable)
        assert table.row_count > 2  # the centre's history, and ours
        await pilot.press("slash")
        await type_text(pilot, "by:sam empath")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "empathy" in str(table.get_row_at(0)[-1])
        await pilot.press("enter")  # leave the search box for the table
        await pilot.press("enter")  # open the note
        await wait_for(
            pilot, lambda: isinstance(app.screen, NoteView) and app.screen.note is not None
        )
        await pilot.press("e")
        form = (
            await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen) and app.screen.ready)
            or app.screen
        )
        assert form.query_one("#note-body", TextArea).text == "Great empathy with an upset caller"
        assert app.focused is form.query_one("#note-body", TextArea)
        await pilot.press("end")
        await type_text(pilot, " and a calm close")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteView))
        view = app.screen
        await wait_for(pilot, lambda: view.note is not None and view.note.revision == 2)
        shown = str(view.query_one("#note-view-text").render())
        assert "Earlier versions (1)" in shown and "written by sam" in shown
    (edited,) = notes(floor, text="empathy")
    assert edited.body == "Great empathy with an upset caller and a calm close"
    with floor.engine.connect() as conn:
        (rev,) = coaching.note_revisions(conn, edited.id, who=system())
    assert (rev.revision, rev.body, rev.written_by) == (
        1,
        "Great empathy with an upset caller",
        "sam",
    )


async def test_a_draft_comes_back_after_the_app_went_away(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        form = await open_note_form(pilot, wait_for)
        agent = form.agent
        await pilot.press("tab", "tab")
        await type_text(pilot, "Half way through a thought")
        await wait_for(pilot, lambda: form.draft_saved)
        # The terminal closes: no save, no escape, the app just goes.
    with floor.engine.connect() as conn:
        (draft,) = coaching.drafts_for(conn, "sam")
    assert draft.payload["body"] == "Half way through a thought"

    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        await wait_for(
            pilot, lambda: any("unsaved note draft" in str(n.message) for n in app._notifications)
        )
        # From the drafts list...
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CoachingScreen) and app.screen.data is not None
        )
        await pilot.press("d")
        screen = app.screen
        table = screen.query_one("#coaching-table", DataTable)
        await wait_for(
            pilot,
            lambda: (
                screen.data is not None and screen.data.view == "drafts" and table.row_count == 1
            ),
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen) and app.screen.ready)
        form = app.screen
        assert form.query_one("#note-body", TextArea).text == "Half way through a thought"
        assert form.profile is not None and form.profile.day.agent == agent
        await type_text(pilot, ", finished.")
        await pilot.press("shift+tab", "shift+tab", "enter", "down", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteScreen))
    (saved,) = notes(floor)
    assert saved.body == "Half way through a thought, finished."
    with floor.engine.connect() as conn:
        assert coaching.drafts_for(conn, "sam") == []


async def test_bad_input_is_answered_in_the_form(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        form = await open_note_form(pilot, wait_for)
        await pilot.press("ctrl+s")  # empty
        errors = str(form.query_one("#note-errors").render())
        assert "choose a category" in errors and "the note is empty" in errors
        assert app.focused is form.query_one("#note-category", Select)
        await pilot.press("enter", "down", "enter", "tab")
        await type_text(pilot, "next blursday")
        hint = str(form.query_one("#note-follow-up-hint").render())
        assert "expected a date like" in hint
        await pilot.press("tab")
        await type_text(pilot, "Some words")
        await pilot.press("ctrl+s")
        errors = str(form.query_one("#note-errors").render())
        assert "Follow-up" in errors and "blursday" in errors
        assert app.focused is form.query_one("#note-follow-up", Input)
        await pilot.press("ctrl+u")
        await type_text(pilot, "2020-01-01")
        await pilot.press("ctrl+s")
        assert "in the past" in str(form.query_one("#note-errors").render())
        assert isinstance(app.screen, NoteScreen) and notes(floor) == []
        # Escape asks before anything typed is thrown away; n keeps writing.
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        await pilot.press("n")
        assert app.screen is form
        # Keys that would leave the form wait while it is open.
        await pilot.press("shift+tab")  # to the category (a widget that does not type)
        await pilot.press("1", "2", "q")
        assert app.screen is form
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteScreen))
        await pilot.pause(0.2)
    with floor.engine.connect() as conn:
        assert coaching.drafts_for(conn, "sam") == []  # discarded means gone


async def test_unknown_agent_and_the_picker(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    from floorsup.tui.screens.note import AgentPicker

    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        app.open_note(staff_id="NOPE")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        form = app.screen
        await wait_for(
            pilot,
            lambda: (
                bool(form.query("#note-head"))
                and "not on the roster" in str(form.query_one("#note-head").render())
            ),
        )
        assert form.query_one("#note-body", TextArea).disabled
        await pilot.press("escape")
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, CoachingScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AgentPicker) and app.screen.people)
        picker = app.screen
        person = picker.people[5]
        await type_text(pilot, person.name.split()[-1].lower())
        options = picker.query_one("#picker-list")
        await wait_for(pilot, lambda: options.option_count >= 1)
        # The best match first; pick the exact person with the arrows if need be.
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        for _ in range(ids.index(person.staff_id)):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen) and app.screen.ready)
        assert app.screen.staff_id == person.staff_id


async def test_agent_page_shows_coaching_and_qa(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, AgentScreen) and app.screen.profile is not None
        )
        page = app.screen
        before = page.profile
        assert "coaching note" in str(page.query_one("#agent-head").render())
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen) and app.screen.ready)
        await pilot.press("enter", "down", "enter", "tab")
        await type_text(pilot, "tomorrow")
        await pilot.press("tab")
        await type_text(pilot, "Check in on the new script")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                app.screen is page
                and page.profile is not None
                and page.profile.note_total == before.note_total + 1
            ),
        )
        head = str(page.query_one("#agent-head").render())
        assert f"{before.note_total + 1} coaching note" in head
        assert f"{len(before.follow_ups) + 1} open follow-up" in head
        await pilot.press("c")
        table = page.query_one("#agent-notes", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert table.row_count == before.note_total + 1
        assert any("Check in on the new script" in str(r[-1]) and "open" in str(r[3]) for r in rows)
        evaluated = len(before.evaluations)
        # A QA evaluation from the keyboard: criteria add up to the score.
        await pilot.press("v")
        from floorsup.tui.screens.qa import QaScreen

        await wait_for(pilot, lambda: isinstance(app.screen, QaScreen) and app.screen.ready)
        qa_form = app.screen
        await pilot.press("tab", "tab", "tab")  # date → work type → evaluator → first criterion
        for value in ("9", "12", "18", "25", "15", "8"):
            await type_text(pilot, value)
            await pilot.press("tab")
        assert qa_form.query_one("#qa-score", Input).value == "87"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                app.screen is page
                and page.profile is not None
                and len(page.profile.evaluations) == evaluated + 1
            ),
        )
        assert page.profile.evaluations[0].score == 87
        await pilot.press("a")
        trends = str(page.query_one("#agent-trends").render())
        assert "phone" in trends and "87%" in trends


async def test_brackets_in_a_note_show_as_typed(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    """Tables read a plain string as Rich markup: `[b]` would be eaten and `[/x]` refused
    mid-paint. What people type is shown as typed, on the agent page and in the list."""
    from floorsup.domain.coaching import NoteInput
    from floorsup.tui.screens.agent import AgentScreen

    app = floor.app()
    async with app.run_test(size=(100, 34)) as pilot:
        screen = await wait_for_floor(pilot)
        key = screen.query_one("#agents", DataTable).coordinate_to_cell_key((0, 0)).row_key.value
        page_for = AgentScreen(key)
        body = "[/x] said [b]no[/b] to the [red]offer"
        app.push_screen(page_for)
        await wait_for(pilot, lambda: page_for.profile is not None)
        sid = page_for.profile.day.staff_id
        coaching.add_note(
            floor.engine,
            NoteInput(staff_id=sid, category="quality", body=body),
            actor=system("[lead]"),
            now=floor.clock.now(),
            snapshot=None,
            categories=app.settings.note_categories,
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: page_for.profile.note_total > 0)
        await pilot.press("c")
        await pilot.pause()
        table = page_for.query_one("#agent-notes", DataTable)
        row = next(
            table.get_row_at(i)
            for i in range(table.row_count)
            if "offer" in str(table.get_row_at(i)[-1])
        )
        assert str(row[-1]).startswith("[/x] said [b]no[/b]") and str(row[2]) == "[lead]"
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, CoachingScreen))
        listed = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: listed.row_count > 0)
        await pilot.pause()
        cells = [str(c) for i in range(listed.row_count) for c in listed.get_row_at(i)]
        assert any(c.startswith("[/x] said [b]no[/b]") for c in cells)
        assert app.screen is not None and app.return_code is None  # nothing failed mid-paint
