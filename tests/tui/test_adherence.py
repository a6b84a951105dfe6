"""The adherence view (key 2) and the agent's timeline, driven through Textual's Pilot over
the demo centre frozen at 10:30 New York, schedules imported.

The expected values come from `build_adherence` on the same database (and from the
database itself for an authorisation), never from the screen's own code."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Label

from floorsup.adherence import AdherenceRow, AdherenceSnapshot, build_adherence
from floorsup.store.sql import fetchall
from floorsup.tui.screens.adherence import AdherenceScreen, AuthoriseScreen
from floorsup.tui.screens.agent import AgentScreen
from floorsup.tui.screens.floor import FloorScreen
from floorsup.tui.timeline import LEGEND, SCHEDULE_MARK

from .test_floor import column, cursor_key, keys, text_of, ticks, visible_text

SIZE = (100, 32)
TIMELINE_AGENT = "E1070"  # Wren Thorne (PJSIP/2001): open, a lunch, out of adherence at 10:30


# -- helpers -------------------------------------------------------------------------------
def expected(floor) -> AdherenceSnapshot:  # type: ignore[no-untyped-def]
    return build_adherence(floor.engine, floor.settings, floor.clock.now())


def table(screen) -> DataTable:  # type: ignore[no-untyped-def]
    return screen.query_one("#adherence", DataTable)


def summary(screen) -> str:  # type: ignore[no-untyped-def]
    return text_of(screen, "#adh-summary")


def summary_text(snap: AdherenceSnapshot) -> str:
    inn, out, severe, unscheduled = snap.counts()
    sev = f" (‼ {severe} severe)" if severe else ""
    return f"In {inn} · Out {out}{sev} · Unscheduled {unscheduled}"


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def open_adherence(pilot, wait_for_floor, wait_for):  # type: ignore[no-untyped-def]
    """From the floor, key 2; returns the adherence screen once its first snapshot is in."""
    await wait_for_floor(pilot)
    await pilot.press("2")
    await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, AdherenceScreen) and pilot.app.screen.snapshot is not None
        ),
    )
    await pilot.pause()
    return pilot.app.screen


async def select(pilot, screen, staff_id: str) -> None:  # type: ignore[no-untyped-def]
    t = table(screen)
    t.move_cursor(row=keys(t).index(staff_id), animate=False)
    await pilot.pause()
    assert cursor_key(t) == staff_id


def first(snap: AdherenceSnapshot, pred) -> AdherenceRow:  # type: ignore[no-untyped-def]
    return next(r for r in snap.live_rows if pred(r))


def authorisations(floor) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    with floor.engine.connect() as conn:
        return fetchall(
            conn,
            'SELECT s.staff_id, a.start, a."end", a.authorized_by, a.authorized_at, a.reason '
            "FROM adherence_authorization a JOIN staff s ON s.id = a.staff_pk ORDER BY a.id",
        )


# -- the picture ---------------------------------------------------------------------------
async def test_key_2_shows_everyone_on_now_worst_first(floor, wait_for_floor, wait_for) -> None:
    snap = expected(floor)
    live = snap.live_rows
    inn, out, severe, _ = snap.counts()
    assert inn and out and severe and severe < out  # the demo morning has all kinds
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        assert len(pilot.app.screen_stack) == 3  # default, floor, adherence
        t = table(screen)
        assert keys(t) == [r.person.staff_id for r in live]
        assert column(t, "name") == [r.person.name for r in live]
        assert column(t, "team") == [r.person.team or "—" for r in live]
        assert column(t, "scheduled") == [r.now.scheduled_activity or "—" for r in live]

        # worst first: severe (longest out first), then out (longest first), in, unscheduled
        rank = [
            0 if r.now.in_adherence is False and r.now.severe else
            1 if r.now.in_adherence is False else
            2 if r.now.in_adherence else 3
            for r in live
        ]  # fmt: skip
        assert rank == sorted(rank)
        for k in (0, 1):
            since = [r.now.out_since for r, rk in zip(live, rank, strict=True) if rk == k]
            assert since == sorted(since)
        severe_rows = [r for r in live if r.now.severe]
        assert [r.person.staff_id for r in severe_rows] == keys(t)[: len(severe_rows)]

        status = column(t, "status")
        for r, shown in zip(live, status, strict=True):
            if r.now.in_adherence is None:
                assert shown == "— unscheduled"
            elif r.now.in_adherence:
                assert shown == "✓ in"
            else:
                assert shown.startswith("‼ out " if r.now.severe else "✗ out ")
        assert sum(s.startswith("‼") for s in status) == severe
        assert status[0] == "‼ out 2:30:00"  # out since 08:00, the start of the shift
        assert column(t, "day") == [
            "—" if r.day.adherence is None else f"{r.day.adherence:.0%}" for r in live
        ]

        assert summary(screen) == summary_text(snap)
        assert "adherence" in text_of(screen, "#status") and "10:30" in text_of(screen, "#status")


async def test_filter_by_team_escape_clears_then_goes_back(floor, wait_for_floor, wait_for) -> None:
    live = expected(floor).live_rows
    everyone = [r.person.staff_id for r in live]
    ember = [r.person.staff_id for r in live if r.person.team == "Team Ember"]
    assert 0 < len(ember) < len(everyone)
    assert not any("ember" in r.person.name.lower() for r in live)  # a team, not a name
    async with floor.app().run_test(size=SIZE) as pilot:
        floor_screen = await wait_for_floor(pilot)
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        t = table(screen)
        box = screen.query_one("#filter", Input)
        assert not box.display

        await pilot.press("slash")
        assert box.display and screen.focused is box
        await pilot.press(*"EMBER")  # any case
        await pilot.pause()
        assert keys(t) == ember  # still worst first
        assert "filter: 'EMBER'" in summary(screen)

        await pilot.press("enter")  # keeps the filter, back to the table
        await pilot.pause()
        assert screen.focused is t and keys(t) == ember

        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert keys(t) == everyone
        assert not box.display and box.value == ""
        assert "filter:" not in summary(screen)
        assert pilot.app.screen is screen

        await pilot.press("escape")  # and then back to the floor
        await wait_for(pilot, lambda: pilot.app.screen is floor_screen)

        await pilot.press("2", "1")  # 1 goes back to the floor as well
        await wait_for(pilot, lambda: pilot.app.screen is floor_screen)
        assert len(pilot.app.screen_stack) == 2


# -- authorising ---------------------------------------------------------------------------
async def test_authorise_needs_someone_out(floor, wait_for_floor, wait_for) -> None:
    row = first(expected(floor), lambda r: r.now.in_adherence is True)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        await select(pilot, screen, row.person.staff_id)
        await pilot.press("a")
        await wait_for(
            pilot, lambda: any("out of adherence now to authorise" in n for n in notes(pilot.app))
        )
        assert pilot.app.screen is screen  # no dialog
        assert authorisations(floor) == []


async def test_authorise_escape_cancels(floor, wait_for_floor, wait_for) -> None:
    row = first(expected(floor), lambda r: r.now.in_adherence is False)
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        await select(pilot, screen, row.person.staff_id)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AuthoriseScreen))
        await pilot.press(*"nah", "escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await ticks(pilot, 2, screen)
        assert authorisations(floor) == []


async def _authorise_first_out(floor, pilot, wait_for_floor, wait_for):  # type: ignore[no-untyped-def]
    """Authorise the worst row (severe, out since 08:00) through the dialog; returns the
    screen, the row as it was, and the reason given."""
    snap = expected(floor)
    row = snap.live_rows[0]
    assert row.now.in_adherence is False and row.now.severe and row.now.out_since is not None
    screen = await open_adherence(pilot, wait_for_floor, wait_for)
    assert cursor_key(table(screen)) == row.person.staff_id  # the cursor starts on it
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AuthoriseScreen))
    dialog = pilot.app.screen
    why = dialog.query_one("#ask-input", Input)
    assert dialog.focused is why
    assert row.person.name in visible_text(pilot.app)
    assert "from 08:00:00" in visible_text(pilot.app)

    await pilot.press("enter")  # empty: refused, the dialog stays
    await pilot.pause()
    assert pilot.app.screen is dialog
    assert "A reason is required" in str(dialog.query_one("#ask-error", Label).render())
    await pilot.press("space", "space")  # blank is empty too
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.screen is dialog

    reason = "drill"
    why.value = ""
    await pilot.press(*reason, "enter")
    await wait_for(pilot, lambda: pilot.app.screen is screen)
    await wait_for(pilot, lambda: any(n.startswith("Authorised") for n in notes(pilot.app)))
    return screen, row, reason


async def test_authorise_writes_who_when_why(floor, wait_for_floor, wait_for) -> None:
    now = floor.clock.now()
    async with floor.app().run_test(size=SIZE) as pilot:
        screen, row, reason = await _authorise_first_out(floor, pilot, wait_for_floor, wait_for)
        # from when they went out to the end of the scheduled segment they are out of
        until = next(g.end for g in row.schedule if g.start <= now < g.end)
        assert until > now
        assert authorisations(floor) == [
            (row.person.staff_id, row.now.out_since, until, floor.settings.user, now, reason)
        ]
        assert f"Authorised {row.person.name}'s time out since 08:00" in notes(pilot.app)

        after = expected(floor)  # what the store now says about that agent
        again = next(r for r in after.rows if r.person.staff_id == row.person.staff_id)
        assert again.day.adherence is not None and again.day.adherence > (row.day.adherence or 0)
        assert not again.now.severe
        t = table(screen)
        await wait_for(
            pilot,
            lambda: str(t.get_cell(row.person.staff_id, "day")) == f"{again.day.adherence:.0%}",
        )
        assert not str(t.get_cell(row.person.staff_id, "status")).startswith("‼")
        assert keys(t) == [r.person.staff_id for r in after.live_rows]
        assert summary(screen) == summary_text(after)


async def test_authorised_agent_is_no_longer_out(floor, wait_for_floor, wait_for) -> None:
    inn, out, severe, unscheduled = expected(floor).counts()
    async with floor.app().run_test(size=SIZE) as pilot:
        screen, row, _ = await _authorise_first_out(floor, pilot, wait_for_floor, wait_for)
        t = table(screen)
        sid = row.person.staff_id
        await wait_for(pilot, lambda: not str(t.get_cell(sid, "status")).startswith("‼"))
        await ticks(pilot, 2, screen)
        assert str(t.get_cell(sid, "status")) == "✓ in"  # authorised time counts as in
        assert screen.snapshot.counts() == (inn + 1, out - 1, severe - 1, unscheduled)


# -- the agent page ------------------------------------------------------------------------
def timeline_lines(page) -> list[str]:  # type: ignore[no-untyped-def]
    return text_of(page, "#agent-timeline").split("\n")


async def open_agent(pilot, screen, staff_id: str, wait_for):  # type: ignore[no-untyped-def]
    await select(pilot, screen, staff_id)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, AgentScreen) and pilot.app.screen.day is not None,
    )
    await pilot.pause()
    return pilot.app.screen


async def test_enter_opens_the_agent_with_the_timeline(floor, wait_for_floor, wait_for) -> None:
    row = next(r for r in expected(floor).live_rows if r.person.staff_id == TIMELINE_AGENT)
    activities = {s.activity for s in row.schedule} - {"off"}
    assert {"open", "lunch"} <= activities
    async with floor.app().run_test(size=SIZE) as pilot:
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        page = await open_agent(pilot, screen, TIMELINE_AGENT, wait_for)
        assert page.agent == row.person.agent
        head = text_of(page, "#agent-head")
        assert row.person.name in head and TIMELINE_AGENT in head
        assert "Adherence so far" in head
        ticks_line, plan, actual, *rest = timeline_lines(page)
        width = SIZE[0] - 4
        assert len(plan) == len(actual) == width
        assert "10" in ticks_line.split() and "08" in ticks_line.split()  # hour ticks
        for activity in activities:  # every scheduled activity shows as its letter
            assert SCHEDULE_MARK[activity] in plan
        assert set(plan) <= {SCHEDULE_MARK[a] for a in activities} | {" "}
        assert "p" in actual or "l" in actual  # paused for lunch now
        assert actual.rstrip() != actual  # nothing drawn after 10:30
        assert "\n".join(rest[:2]) == LEGEND
        assert "schedule: O open" in rest[0] and "· logged out" in rest[1]

        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        assert cursor_key(table(screen)) == TIMELINE_AGENT


async def test_timeline_legend_complete_at_80_columns(floor, wait_for_floor, wait_for) -> None:
    async with floor.app().run_test(size=(80, 24)) as pilot:
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        page = await open_agent(pilot, screen, TIMELINE_AGENT, wait_for)
        _ticks, plan, actual, *legend = timeline_lines(page)
        assert len(plan) == len(actual) == 76  # fits in 80 columns
        assert "·" in actual  # logged out before the shift
        assert "· logged out" in "\n".join(legend)


async def test_adherence_view_at_80x24(floor, wait_for_floor, wait_for) -> None:
    snap = expected(floor)
    async with floor.app().run_test(size=(80, 24)) as pilot:
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        t = table(screen)
        assert t.row_count == len(snap.live_rows)
        assert t.region.width > 0 and t.region.height >= 3 and t.region.bottom <= 24
        shown = visible_text(pilot.app)
        assert summary_text(snap) in shown
        assert "Agent" in shown and "In/out" in shown
        # (only the start of a name: now and then Textual paints the new rows before it has
        # measured them, and with a FixedClock nothing repaints them at their real widths)
        assert snap.live_rows[0].person.name[:5] in shown and "‼ out" in shown
        await pilot.press("slash", *"aurora", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentScreen))
        await pilot.press("escape", "escape", "escape")  # agent, filter, adherence
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FloorScreen))


# -- the timeline's picture ------------------------------------------------------------------
def test_agent_timeline_snapshot_80x24(
    snap_compare, floor_default_tick, wait_for_floor, wait_for, settle
) -> None:
    """The agent page of a fixed agent (reached through the adherence view) at 80 columns."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_adherence(pilot, wait_for_floor, wait_for)
        await open_agent(pilot, screen, TIMELINE_AGENT, wait_for)
        await settle(pilot)

    assert snap_compare(floor_default_tick.app(), terminal_size=(80, 24), run_before=run_before)
