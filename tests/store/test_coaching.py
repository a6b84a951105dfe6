"""Coaching notes in the store: saving with the numbers seen, edits kept as revisions (and
never over someone else's), full-text search and filters, follow-ups, drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.config import DEFAULT_NOTE_CATEGORIES as CATS
from floorsup.domain.coaching import NoteInput, NoteSnapshot
from floorsup.store import coaching as c
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.sql import fetchall

ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000
E2,Ben Sample,Team Two,agent,2024-03-01,PJSIP/2002
"""
T0 = 1_795_000_000.0


@pytest.fixture
def engine(engine_factory: Callable[[str], Engine], tmp_path: Path) -> Engine:
    e = engine_factory("c.db")
    (tmp_path / "r.csv").write_text(ROSTER)
    import_roster(e, tmp_path / "r.csv", actor=system())
    return e


def note(staff: str = "E1", body: str = "Talked about wrap time", **kw: object) -> NoteInput:
    return NoteInput(
        staff_id=staff, category=str(kw.pop("category", "handle time")), body=body, **kw
    )  # type: ignore[arg-type]


def test_add_keeps_author_team_and_snapshot(engine: Engine) -> None:
    snap = NoteSnapshot(taken_at=T0, calls=12, aht_seconds=245.0, adherence=0.93, qa_pct=0.86)
    row = c.add_note(
        engine,
        note(actions="Close tickets in call"),
        actor=system("sam"),
        now=T0,
        snapshot=snap,
        categories=CATS,
    )
    assert (row.author, row.team, row.revision, row.name) == ("sam", "Team One", 1, "Ada Example")
    assert row.snapshot == snap
    assert "12 calls" in row.snapshot.summary() and "adherence 93%" in row.snapshot.summary()
    assert row.actions == "Close tickets in call"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (note(body="   "), "body"),
        (note(category="gossip"), "category"),
        (note(staff=""), "agent"),
        (note(staff="NOPE"), "agent"),
    ],
)
def test_bad_notes_are_refused_with_the_field(engine: Engine, bad: NoteInput, field: str) -> None:
    with pytest.raises(c.NoteError) as err:
        c.add_note(engine, bad, actor=system("sam"), now=T0, snapshot=None, categories=CATS)
    assert field in err.value.problems
    with engine.connect() as conn:
        assert fetchall(conn, "SELECT count(*) FROM coaching_note")[0][0] == 0


def test_edit_keeps_the_earlier_text_as_a_revision(engine: Engine) -> None:
    first = c.add_note(
        engine, note(body="First take"), actor=system("sam"), now=T0, snapshot=None, categories=CATS
    )
    second = c.edit_note(
        engine,
        first.id,
        note(body="Second take", follow_up=dt.date(2026, 12, 1)),
        actor=system("kim"),
        now=T0 + 60,
        expected_revision=1,
        categories=CATS,
    )
    assert (second.body, second.revision, second.updated_by, second.author) == (
        "Second take",
        2,
        "kim",
        "sam",
    )
    with engine.connect() as conn:
        revs = c.note_revisions(conn, first.id, who=system())
    assert [(r.revision, r.body, r.written_by, r.written_at) for r in revs] == [
        (1, "First take", "sam", T0)
    ]
    # Saving the same text again writes nothing new.
    same = c.edit_note(
        engine,
        first.id,
        note(body="Second take", follow_up=dt.date(2026, 12, 1)),
        actor=system("kim"),
        now=T0 + 90,
        expected_revision=2,
        categories=CATS,
    )
    assert same.revision == 2


def test_an_edit_over_someone_elses_is_refused(engine: Engine) -> None:
    n = c.add_note(engine, note(), actor=system("sam"), now=T0, snapshot=None, categories=CATS)
    c.edit_note(
        engine,
        n.id,
        note(body="kim's words"),
        actor=system("kim"),
        now=T0 + 1,
        expected_revision=1,
        categories=CATS,
    )
    with pytest.raises(c.NoteConflict, match="changed by kim"):
        c.edit_note(
            engine,
            n.id,
            note(body="sam's words"),
            actor=system("sam"),
            now=T0 + 2,
            expected_revision=1,
            categories=CATS,
        )
    with engine.connect() as conn:
        assert c.get_note(conn, n.id, who=system()).body == "kim's words"  # type: ignore[union-attr]


def test_full_text_search_and_filters(engine: Engine) -> None:
    c.add_note(
        engine,
        note(body="Great empathy with an upset caller", category="recognition"),
        actor=system("sam"),
        now=T0,
        snapshot=None,
        categories=CATS,
    )
    c.add_note(
        engine,
        note("E2", body="Wrap-up running long after transfers"),
        actor=system("kim"),
        now=T0 + 86400,
        snapshot=None,
        categories=CATS,
    )
    c.add_note(
        engine,
        note("E2", body="Late back from lunch", category="adherence"),
        actor=system("sam"),
        now=T0 + 2 * 86400,
        snapshot=None,
        categories=CATS,
    )
    with engine.connect() as conn:

        def find(**kw: object) -> list[str]:
            return [n.body for n in c.find_notes(conn, c.NoteQuery(**kw), who=system())]  # type: ignore[arg-type]

        assert find(text="empath") == ["Great empathy with an upset caller"]  # prefix, while typing
        assert find(text="upset EMPATHY") == ["Great empathy with an upset caller"]
        assert find(text='wrap "up') == ["Wrap-up running long after transfers"]  # no syntax errors
        assert find(text="AND OR NOT (") == []
        assert find(team="team two") == [
            "Late back from lunch",
            "Wrap-up running long after transfers",
        ]
        assert find(author="sam", category="adherence") == ["Late back from lunch"]
        assert find(agent="ben") == find(agent="E2")
        assert find(created_from=T0 + 3600, created_to=T0 + 86400 + 1) == [
            "Wrap-up running long after transfers"
        ]
    # Search follows edits.
    first = c.find_notes(engine.connect(), c.NoteQuery(text="empathy"), who=system())[0]
    c.edit_note(
        engine,
        first.id,
        note(body="Calm with a caller", category="recognition"),
        actor=system("sam"),
        now=T0 + 5,
        expected_revision=1,
        categories=CATS,
    )
    with engine.connect() as conn:
        assert c.find_notes(conn, c.NoteQuery(text="empathy"), who=system()) == []
        assert [n.id for n in c.find_notes(conn, c.NoteQuery(text="calm"), who=system())] == [
            first.id
        ]


def test_follow_ups_due_and_overdue(engine: Engine) -> None:
    today = dt.date(2026, 11, 23)
    for i, day in enumerate([dt.date(2026, 11, 20), today, dt.date(2026, 11, 30), None]):
        c.add_note(
            engine,
            note(body=f"n{i}", follow_up=day),
            actor=system("sam"),
            now=T0 + i,
            snapshot=None,
            categories=CATS,
        )
    with engine.connect() as conn:
        due = c.follow_ups(conn, today, who=system())
        assert [n.body for n in due] == ["n0", "n1"]
        assert [n.body for n in c.follow_ups(conn, today, upcoming=True, who=system())] == [
            "n0",
            "n1",
            "n2",
        ]
    c.close_follow_up(engine, due[0].id, actor=system("sam"), now=T0 + 10)
    with engine.connect() as conn:
        assert [n.body for n in c.follow_ups(conn, today, who=system())] == ["n1"]
        done = c.get_note(conn, due[0].id, who=system())
    assert done is not None and done.follow_up_done_by == "sam" and not done.follow_up_open
    # A new date opens the follow-up again.
    c.edit_note(
        engine,
        done.id,
        note(body="n0", follow_up=dt.date(2026, 12, 5)),
        actor=system("sam"),
        now=T0 + 20,
        expected_revision=1,
        categories=CATS,
    )
    with engine.connect() as conn:
        assert c.get_note(conn, done.id, who=system()).follow_up_open  # type: ignore[union-attr]
    with pytest.raises(c.NoteError):
        c.close_follow_up(
            engine,
            c.find_notes(engine.connect(), c.NoteQuery(text="n3"), who=system())[0].id,
            actor=system("sam"),
            now=T0,
        )


def test_drafts_newer_wins_and_go_when_deleted(engine: Engine) -> None:
    key = c.draft_key("sam", "E1", None)
    c.save_draft(engine, c.Draft(key, "sam", "E1", None, 2, T0, {"body": "newer"}))
    c.save_draft(engine, c.Draft(key, "sam", "E1", None, 1, T0, {"body": "older, arrived late"}))
    with engine.connect() as conn:
        d = c.load_draft(conn, key)
        assert d is not None and d.payload == {"body": "newer"}
        assert [x.key for x in c.drafts_for(conn, "sam")] == [key]
        assert c.drafts_for(conn, "kim") == []
    c.delete_draft(engine, key)
    with engine.connect() as conn:
        assert c.load_draft(conn, key) is None
