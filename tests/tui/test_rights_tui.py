"""Rights through the screens, role by role on the demo floor: each screen shows and does
what the role may and says plainly what it may not (the store refuses the same writes;
tests/store/test_rights.py). And the manager's audit log screen."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Static

from floorsup.store import coaching
from floorsup.store.access import Actor, actor
from floorsup.store.coaching import NoteQuery
from floorsup.store.sql import fetchall
from floorsup.tui.screens.adherence import AdherenceScreen
from floorsup.tui.screens.audit import AuditScreen, parse_audit_filter
from floorsup.tui.screens.coaching import CoachingScreen
from floorsup.tui.screens.note import NoteScreen

SIZE = (120, 36)


def as_role(
    floor: Any, role: str, *, team_of: str | None = None, other_team: bool = False
) -> Actor:
    """Someone with `role` on the demo roster (with `team_of`: on that agent's team, or with
    `other_team`, on another), as their login finds them."""
    with floor.engine.connect() as conn:
        team = None
        if team_of is not None:
            team = fetchall(conn, "SELECT team_id FROM staff WHERE staff_id = ?", (team_of,))[0][0]
        sql = "SELECT staff_id FROM staff WHERE role = ? AND active"
        params: list[Any] = [role]
        if team is not None:
            sql += " AND team_id <> ?" if other_team else " AND team_id = ?"
            params.append(team)
        sid = fetchall(conn, sql + " ORDER BY staff_id", params)[0][0]
        who = actor(conn, sid)  # the staff_id stands for them (no login column set)
    assert who.role == role
    return who


def messages(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def first_agent(floor: Any) -> str:
    with floor.engine.connect() as conn:
        return str(
            fetchall(
                conn,
                "SELECT s.staff_id FROM staff s JOIN acd_agent a ON a.staff_pk = s.id "
                "WHERE s.role = 'agent' AND s.team_id IS NOT NULL ORDER BY s.staff_id LIMIT 1",
            )[0][0]
        )


async def open_note(pilot: Any, wait_for: Any, staff_id: str) -> NoteScreen:
    pilot.app.open_note(staff_id=staff_id)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NoteScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.ready or "Cannot write" in head(screen, "#note-head"))
    return screen  # type: ignore[no-any-return]


def head(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_client_services_see_the_floor_but_no_coaching_notes(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    cat = as_role(floor, "client_services")
    agent = first_agent(floor)
    async with floor.app(cat).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)  # the board: every role
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CoachingScreen))
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.data is not None)
        assert screen.data.error and "may read coaching notes" in screen.data.error
        assert screen.query_one("#coaching-table", DataTable).row_count == 0
        await pilot.press("escape")
        form = await open_note(pilot, wait_for, agent)
        assert "Cannot write a note: Not yours to write: only a supervisor or a team lead" in (
            head(form, "#note-head")
        )


async def test_a_team_lead_writes_for_their_own_team_only(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    agent = first_agent(floor)
    mine = as_role(floor, "team_lead", team_of=agent)
    theirs = as_role(floor, "team_lead", team_of=agent, other_team=True)
    async with floor.app(theirs).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        form = await open_note(pilot, wait_for, agent)
        assert "is not on" in head(form, "#note-head") and "team" in head(form, "#note-head")
        assert not form.ready
    async with floor.app(mine).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        form = await open_note(pilot, wait_for, agent)
        assert form.ready  # the form opens for typing
    async with floor.app(mine).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CoachingScreen))
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.data is not None and screen.data.notes is not None)
        with floor.engine.connect() as conn:
            team = {
                r[0]
                for r in fetchall(
                    conn, "SELECT staff_id FROM staff WHERE team_id = ?", (mine.team_id,)
                )
            }
        assert screen.data.notes and {n.staff_id for n in screen.data.notes} <= team


async def test_a_trainer_reads_career_notes_only(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    tia = as_role(floor, "trainer")
    async with floor.app(tia).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CoachingScreen))
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.data is not None and screen.data.notes is not None)
        assert {n.category for n in screen.data.notes} <= {"career"}
    with floor.engine.connect() as conn:
        assert len(coaching.find_notes(conn, NoteQuery(), who=tia)) == len(screen.data.notes)


async def test_exceptions_are_refused_to_a_trainer_before_the_dialog(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    tia = as_role(floor, "trainer")
    async with floor.app(tia).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, AdherenceScreen) and pilot.app.screen.snapshot,
        )
        await pilot.press("a")
        await wait_for(
            pilot, lambda: any("authorise adherence exceptions" in m for m in messages(pilot.app))
        )
        assert isinstance(pilot.app.screen, AdherenceScreen)  # no dialog opened


async def test_the_audit_log_is_a_managers_screen(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    agent = first_agent(floor)
    lead = as_role(floor, "team_lead", team_of=agent)
    from floorsup.domain.coaching import NoteInput

    coaching.add_note(
        floor.engine,
        NoteInput(agent, "quality", "Checked the greeting script together"),
        actor=lead,
        now=floor.clock.now(),
        snapshot=None,
        categories=floor.settings.note_categories,
    )
    async with floor.app(lead).run_test(size=SIZE) as pilot:  # not a manager: refused
        await wait_for_floor(pilot)
        await pilot.press("8")
        await wait_for(pilot, lambda: any("read the audit log" in m for m in messages(pilot.app)))
        assert not isinstance(pilot.app.screen, AuditScreen)
    mia = as_role(floor, "manager")
    async with floor.app(mia).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("8")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AuditScreen))
        screen = pilot.app.screen
        await wait_for(pilot, lambda: bool(screen.entries))
        top = screen.entries[0]
        assert (top.action, top.login, top.staff_id) == ("note.add", lead.user, lead.staff_id)
        table = screen.query_one("#audit-table", DataTable)
        assert table.row_count == len(screen.entries)
        assert "Checked the greeting script together" in head(screen, "#audit-detail")
        # narrowed to one person's writes
        await pilot.press("slash")
        await pilot.press(*f"who:{lead.user}", "enter")
        await wait_for(
            pilot, lambda: screen.entries and all(e.login == lead.user for e in screen.entries)
        )
        # a write made elsewhere appears without a key press (the screen watches the log)
        coaching.add_note(
            floor.engine,
            NoteInput(agent, "recognition", "Great save on a hard call"),
            actor=lead,
            now=floor.clock.now() + 60,
            snapshot=None,
            categories=floor.settings.note_categories,
        )
        await wait_for(pilot, lambda: len(screen.entries) == 2)


def test_audit_filter_words() -> None:
    f, problems = parse_audit_filter("who:lee what:note from:2026-11-20 to:2026-11-21")
    assert (f.login, f.action, str(f.since), str(f.until), problems) == (
        "lee",
        "note",
        "2026-11-20",
        "2026-11-21",
        [],
    )
    f, problems = parse_audit_filter("mia from:yesterday colour:red")
    assert f.login == "mia"
    assert problems == [
        "from:yesterday is not a date (YYYY-MM-DD)",
        "colour: is not a filter (who: what: from: to:)",
    ]


async def test_mentoring_and_promotion_are_refused_to_a_team_lead_before_any_question(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    from floorsup.tui.ask import Ask
    from floorsup.tui.screens.career import CareerScreen
    from floorsup.tui.screens.mentoring import MentoringScreen

    lead = as_role(floor, "team_lead")
    async with floor.app(lead).run_test(size=SIZE) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, MentoringScreen) and pilot.app.screen.data
        )
        await pilot.press("enter", "a")
        await wait_for(
            pilot, lambda: any("assign or end mentorships" in m for m in messages(pilot.app))
        )
        assert not isinstance(pilot.app.screen, Ask)
        await pilot.press("5")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, CareerScreen) and pilot.app.screen.data
        )
        await pilot.press("p")
        await wait_for(
            pilot, lambda: any("promote or regress a stage" in m for m in messages(pilot.app))
        )
        assert not isinstance(pilot.app.screen, Ask)
        await pilot.press("m")  # a move is a team lead's to record: the question comes
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, Ask))
