"""Peer mentoring and the career path, keystroke by keystroke: a trainer ranks mentors for
a new hire and assigns one; a refusal says why and a manager's override is kept; a
promotion without evidence is refused and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.widgets import DataTable, Input

from floorsup.store import career as career_store
from floorsup.store import mentoring
from floorsup.store.access import Actor, actor
from floorsup.store.sql import execute
from floorsup.tui.app import make_app
from floorsup.tui.ask import Ask
from floorsup.tui.screens.career import CareerScreen
from floorsup.tui.screens.mentoring import MentoringScreen


def _as(engine: Any, user: str) -> Actor:
    with engine.connect() as conn:
        return actor(conn, user)


def app_as(floor: Any, user: str) -> Any:
    """The app as `user`'s login finds them on the roster (store/access.actor)."""
    return make_app(
        replace(floor.settings, user=user),
        engine=floor.engine,
        clock=floor.clock,
        actor=_as(floor.engine, user),
    )


def login(floor: Any, role: str, name: str) -> str:
    """Give the first person with `role` the login `name` (the demo's manager is 'demo')."""
    with floor.engine.begin() as conn:
        execute(conn, "UPDATE staff SET login = NULL WHERE login = ?", (name,))
        execute(
            conn,
            "UPDATE staff SET login = ? WHERE id = (SELECT min(id) FROM staff WHERE role = ?)",
            (name, role),
        )
    return name


async def type_line(pilot: Any, text: str) -> None:
    ask = pilot.app.screen
    assert isinstance(ask, Ask)
    ask.query_one(Input).value = text
    await pilot.press("enter")


async def open_mentoring(pilot: Any, wait_for_floor: Any, wait_for: Any) -> MentoringScreen:
    await wait_for_floor(pilot)
    await pilot.press("4")
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, MentoringScreen) and pilot.app.screen.data
    )
    return pilot.app.screen  # type: ignore[no-any-return]


async def test_a_trainer_ranks_mentors_and_assigns_one(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = app_as(floor, login(floor, "trainer", "tina"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_mentoring(pilot, wait_for_floor, wait_for)
        hires = screen.data.new_hires()
        alone = [h for h in hires if h.mentor is None]
        assert alone and hires[0].mentor is None  # those without a mentor come first
        table = screen.query_one(DataTable)
        assert "no mentor" in str(table.get_row_at(0)[-1])
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.view == "rank" and screen.ranking is not None)
        fits = screen.ranking.fits
        assert fits[0].eligible and all(f.reasons for f in fits if f.eligible)
        eligible = [f.eligible for f in fits]
        assert eligible == sorted(eligible, reverse=True)  # eligible first
        row = table.get_row_at(0)
        assert str(row[4]) == f"{fits[0].shared_hours:.0f} h" and "mentees" in str(row[-1])
        assert "h on shift together" in str(screen.query_one("#mentoring-detail").render())
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "Same shifts and queues")
        mentee = alone[0].staff_id
        await wait_for(pilot, lambda: not screen.writing)
        with floor.engine.connect() as conn:
            ship = next(m for m in mentoring.open_mentorships(conn) if m.mentee_id == mentee)
        assert (ship.mentor_id, ship.started_by, ship.reason) == (
            fits[0].mentor.staff_id,
            "tina",
            "Same shifts and queues",
        )


async def test_an_ineligible_mentor_is_refused_then_a_manager_overrides(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    app = app_as(floor, "demo")  # the demo's manager
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_mentoring(pilot, wait_for_floor, wait_for)
        mentee = screen.data.new_hires()[0].staff_id
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.ranking is not None)
        fits = screen.ranking.fits
        row = next(i for i, f in enumerate(fits) if not f.eligible)
        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "Wants to try it")
        await wait_for(
            pilot, lambda: isinstance(app.screen, Ask) and app.screen.title_text == "Refused"
        )
        refusal = str(app.screen.query_one("#ask-detail").render())
        assert "cannot mentor now" in refusal and fits[row].refusals[0] in refusal
        with floor.engine.connect() as conn:
            assert not any(m.mentee_id == mentee for m in mentoring.open_mentorships(conn))
        await type_line(pilot, "Only Spanish speaker on the shift")
        await wait_for(pilot, lambda: not screen.writing)
        with floor.engine.connect() as conn:
            ship = next(m for m in mentoring.open_mentorships(conn) if m.mentee_id == mentee)
        assert ship.mentor_id == fits[row].mentor.staff_id
        assert ship.override == "Only Spanish speaker on the shift"


async def test_a_promotion_without_evidence_is_refused(floor, wait_for_floor, wait_for) -> None:  # type: ignore[no-untyped-def]
    app = app_as(floor, login(floor, "trainer", "tina"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, CareerScreen) and app.screen.data)
        screen = app.screen
        row = next(
            i for i, r in enumerate(screen.data.rows) if r.evidence is not None and not r.ready
        )
        person = screen.data.rows[row]
        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "Doing well")
        await wait_for(pilot, lambda: not screen.writing)
        assert app.screen is screen  # a trainer is told why; only a manager is offered more
        shown = " ".join(str(n.message) for n in app._notifications)
        assert f"not ready for stage {person.stage + 1}" in shown
        assert "a manager may override" in shown
        with floor.engine.connect() as conn:
            assert career_store.stages(conn)[person.staff_id].stage == person.stage
        # and the views switch: ready, at risk, growth, pipeline
        for key, view in (("y", "ready"), ("k", "risk"), ("g", "growth"), ("l", "pipeline")):
            await pilot.press(key)
            assert screen.view == view
        assert screen.query_one(DataTable).row_count == len(screen.data.pipeline())


async def test_steps_moves_traits_and_opt_in_from_the_keyboard(
    floor, wait_for_floor, wait_for
) -> None:  # type: ignore[no-untyped-def]
    app = app_as(floor, "demo")  # the demo's manager
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, CareerScreen) and app.screen.data)
        screen = app.screen
        await pilot.press("k")  # at risk
        assert screen.view == "risk" and screen.data.at_risk()
        person = screen.data.at_risk()[0]
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "pl")  # plan
        await wait_for(
            pilot, lambda: isinstance(app.screen, Ask) and "Coaching plan" in app.screen.title_text
        )
        await type_line(pilot, "Two listen-backs a week for a month")
        await wait_for(pilot, lambda: not screen.writing)

        def kinds(staff_id: str) -> list[str]:
            with floor.engine.connect() as conn:
                return [e.kind for e in career_store.events(conn, staff_id=staff_id)]

        assert kinds(person.staff_id)[0] == "plan"
        await pilot.press("a")  # everyone: a move, a trait and the opt-in for the first
        await wait_for(pilot, lambda: screen.view == "all" and screen.keys)
        first = screen.data.rows[0]
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "Quality assurance")
        await wait_for(
            pilot, lambda: isinstance(app.screen, Ask) and "grew into" in app.screen.title_text
        )
        await type_line(pilot, "Now a QA analyst")
        await wait_for(pilot, lambda: not screen.writing)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "co")  # communication or coachability: not one trait
        await wait_for(pilot, lambda: not isinstance(app.screen, Ask))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, Ask))
        await type_line(pilot, "hum")
        await wait_for(
            pilot, lambda: isinstance(app.screen, Ask) and "Humility" in app.screen.title_text
        )
        await type_line(pilot, "Asked for feedback on a call that went well")
        await wait_for(pilot, lambda: not screen.writing)
        await pilot.press("o")
        await wait_for(pilot, lambda: not screen.writing)
        opt = "opt_out" if first.person.opted_in else "opt_in"
        assert {"move", opt} <= set(kinds(first.staff_id))
        with floor.engine.connect() as conn:
            notes = mentoring.trait_notes(conn, first.staff_id)
        assert [n.trait for n in notes][:1] == ["humility"]


async def test_another_users_change_shows_without_a_key(
    floor, wait_for_floor, wait_for, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from floorsup import career as svc

    monkeypatch.setattr(CareerScreen, "WATCH_SECONDS", 0.2)
    app = app_as(floor, login(floor, "trainer", "tina"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_floor(pilot)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, CareerScreen) and app.screen.data)
        screen = app.screen
        person = next(r for r in screen.data.rows if r.evidence is not None)  # not at the top
        # Someone else (the demo's manager, elsewhere) promotes them.
        svc.promote(
            floor.engine,
            floor.settings,
            floor.clock.now(),
            actor=_as(floor.engine, "demo"),
            staff_id=person.staff_id,
            reason="Covering escalations",
            override="Short-staffed this month",
        )
        await wait_for(
            pilot,
            lambda: (
                (r := screen.data.row(person.staff_id)) is not None and r.stage == person.stage + 1
            ),
        )
