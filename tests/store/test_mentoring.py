"""Mentorships in the store: one open mentorship per mentee (checked in the transaction and
backed by a partial unique index), a mentor's capacity (overridable with a reason), ending
and reassigning; leadership-trait notes. Every refusal leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from floorsup.store import mentoring as m
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.sql import execute, fetchall

ROSTER = """staff_id,name,team,role,hire_date,acd_agent
M1,Mona Mentor,Team One,agent,2019-01-06,
M2,Max Mentor,Team One,agent,2020-03-01,
N1,Nia New,Team One,agent,2026-10-01,
N2,Ned New,Team One,agent,2026-10-01,
N3,Noa New,Team Two,agent,2026-10-15,
X1,Xi Gone,Team Two,agent,2020-01-01,
"""
T0 = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "r.csv").write_text(ROSTER)
    import_roster(engine, tmp_path / "r.csv", actor=system())
    with engine.begin() as conn:
        execute(conn, "UPDATE staff SET active = ? WHERE staff_id = 'X1'", (False,))
    return engine


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t: fetchall(conn, f"SELECT * FROM {t} ORDER BY 1")
            for t in ("mentorship", "leadership_note")
        }


def assign(engine: Engine, mentor: str = "M1", mentee: str = "N1", **kw: Any) -> m.MentorshipRow:
    args: dict[str, Any] = {"actor": system("mia"), "now": T0, "capacity": 2}
    args.update(kw)
    return m.assign(engine, mentor_id=mentor, mentee_id=mentee, **args)


# -- assign -------------------------------------------------------------------------------------


def test_assign_writes_an_open_mentorship(db: Engine) -> None:
    row = assign(db, reason="  shares her shifts  ")
    assert (row.mentor_id, row.mentor_name, row.mentee_id, row.mentee_name) == (
        "M1",
        "Mona Mentor",
        "N1",
        "Nia New",
    )
    assert (row.started_at, row.started_by, row.reason, row.override) == (
        T0,
        "mia",
        "shares her shifts",
        None,
    )
    assert row.open and (row.ended_at, row.ended_by, row.end_reason) == (None, None, None)
    with db.connect() as conn:
        assert m.open_mentorships(conn) == [row]
        assert m.history(conn) == [row]


def test_a_mentee_with_a_mentor_is_refused_with_who_and_since(db: Engine) -> None:
    assign(db)
    before = snapshot(db)
    with pytest.raises(m.MentoringError) as err:
        assign(db, mentor="M2", now=T0 + 86400)
    assert str(err.value) == (
        "Nia New already has a mentor (Mona Mentor since 2026-11-02): reassign instead"
    )
    with pytest.raises(m.MentoringError, match=r"since 2026-11-02\)"):
        assign(db, mentor="M2", tz="America/New_York")  # 10:00 there, same date
    with pytest.raises(m.MentoringError, match="already has a mentor"):
        assign(db, mentor="M2", override="very keen")  # an override is for capacity only
    assert snapshot(db) == before


def test_capacity_is_counted_and_can_be_overridden_with_a_reason(db: Engine) -> None:
    assign(db, mentee="N1", capacity=2)
    assign(db, mentee="N2", capacity=2)
    before = snapshot(db)
    with pytest.raises(m.MentoringError) as err:
        assign(db, mentee="N3", capacity=2)
    assert str(err.value) == (
        "Mona Mentor is at capacity: 2 of 2 mentees (a manager may override with a reason)"
    )
    with pytest.raises(m.MentoringError, match="at capacity"):
        assign(db, mentee="N3", capacity=2, override="   ")  # a blank override is none
    assert snapshot(db) == before
    row = assign(db, mentee="N3", capacity=2, override="only mentor on nights")
    assert row.override == "only mentor on nights"
    with db.connect() as conn:
        assert [r.mentee_id for r in m.open_mentorships(conn)] == ["N1", "N2", "N3"]


def test_ended_mentorships_do_not_count_against_capacity(db: Engine) -> None:
    first = assign(db, mentee="N1", capacity=1)
    m.end(db, first.id, actor=system("mia"), now=T0 + 10, reason="settled in")
    assign(db, mentee="N2", capacity=1, now=T0 + 20)
    assign(db, mentor="M2", mentee="N1", capacity=1, now=T0 + 30)  # a new mentor after the end


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"mentor": "N1", "mentee": "N1"}, "a mentor and mentee must be two different people"),
        ({"mentor": "NOPE"}, "mentor 'NOPE' is not on the roster"),
        ({"mentee": "NOPE"}, "mentee 'NOPE' is not on the roster"),
        ({"mentor": "X1"}, "mentor 'X1' is not on the roster"),  # no longer active
        ({"capacity": 0}, "capacity 0: a mentor takes at least 1 mentee"),
    ],
)
def test_assign_refusals_change_nothing(db: Engine, kw: dict[str, Any], message: str) -> None:
    before = snapshot(db)
    with pytest.raises(m.MentoringError, match=message):
        assign(db, **kw)
    assert snapshot(db) == before


def test_the_partial_unique_index_backs_the_check_up(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the in-transaction check were ever missed, the index still refuses a second open
    mentorship, and the caller gets a plain MentoringError, not an IntegrityError."""
    assign(db)
    before = snapshot(db)
    monkeypatch.setattr(m, "_open_for", lambda conn, mentee: None)
    with pytest.raises(m.MentoringError) as err:
        assign(db, mentor="M2")
    assert str(err.value) == "Nia New was given a mentor by someone else just now: reassign instead"
    integrity = db.dialect.loaded_dbapi.IntegrityError  # sqlite3's or psycopg's
    assert isinstance(err.value.__cause__, integrity)
    assert snapshot(db) == before
    with db.begin() as conn, pytest.raises(integrity):  # the index on its own
        execute(
            conn,
            "INSERT INTO mentorship (mentor_pk, mentee_pk, started_at, started_by) "
            "SELECT a.id, b.id, 1, 'x' FROM staff a, staff b "
            "WHERE a.staff_id = 'M2' AND b.staff_id = 'N1'",
        )


def test_two_assignments_at_once_only_one_wins(db: Engine) -> None:
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run(mentor: str) -> None:
        barrier.wait()
        try:
            assign(db, mentor=mentor)
            results.append("ok")
        except m.MentoringError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=run, args=(who,)) for who in ("M1", "M2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loser, winner = sorted(results)
    # Told either way: it had a mentor when they looked, or was given one as they wrote.
    assert winner == "ok"
    assert "already has a mentor" in loser or "by someone else just now" in loser
    with db.connect() as conn:
        assert len(m.open_mentorships(conn)) == 1


# -- end and reassign -------------------------------------------------------------------------


def test_end_closes_it_once(db: Engine) -> None:
    row = assign(db)
    done = m.end(db, row.id, actor=system("max"), now=T0 + 60, reason="  settled in  ")
    assert not done.open
    assert (done.ended_at, done.ended_by, done.end_reason) == (T0 + 60, "max", "settled in")
    before = snapshot(db)
    with pytest.raises(m.MentoringError) as err:
        m.end(db, row.id, actor=system("mia"), now=T0 + 70, reason="again")
    assert str(err.value) == ("the mentorship of Nia New by Mona Mentor has already ended (by max)")
    with db.connect() as conn:
        assert m.open_mentorships(conn) == []
        assert m.history(conn, "N1") == [done]
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"mentorship_id": 999}, "mentorship 999 does not exist"),
        ({"reason": " "}, "a reason is required"),
    ],
)
def test_end_refusals_change_nothing(db: Engine, kw: dict[str, Any], message: str) -> None:
    row = assign(db)
    before = snapshot(db)
    args: dict[str, Any] = {
        "mentorship_id": row.id,
        "actor": system("mia"),
        "now": T0,
        "reason": "done",
    }
    args.update(kw)
    with pytest.raises(m.MentoringError, match=message):
        m.end(db, args.pop("mentorship_id"), **args)
    assert snapshot(db) == before


def test_reassign_ends_the_open_one_and_starts_the_new_one(db: Engine) -> None:
    old = assign(db)
    new = m.reassign(
        db,
        mentee_id="N1",
        mentor_id="M2",
        actor=system("max"),
        now=T0 + 100,
        reason="shift change",
        capacity=2,
    )
    assert (new.mentor_id, new.mentee_id, new.reason, new.started_at) == (
        "M2",
        "N1",
        "shift change",
        T0 + 100,
    )
    with db.connect() as conn:
        assert m.open_mentorships(conn) == [new]
        ended = m.history(conn, "N1")[1]
    assert ended.id == old.id
    assert (ended.ended_at, ended.ended_by, ended.end_reason) == (
        T0 + 100,
        "max",
        "reassigned to Max Mentor: shift change",
    )


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"mentee_id": "N2"}, "Ned New has no mentor now: assign one instead"),
        ({"mentor_id": "M1"}, "Mona Mentor is already Nia New's mentor"),
        ({"mentor_id": "N1"}, "a mentor and mentee must be two different people"),
        ({"mentor_id": "NOPE"}, "mentor 'NOPE' is not on the roster"),
        ({"reason": "  "}, "a reason is required"),
        ({"capacity": 1}, "Max Mentor is at capacity: 1 of 1 mentees"),
    ],
)
def test_reassign_refusals_change_nothing(db: Engine, kw: dict[str, Any], message: str) -> None:
    assign(db, mentee="N1")
    assign(db, mentor="M2", mentee="N3")  # Max has one mentee already
    before = snapshot(db)
    args: dict[str, Any] = {
        "mentee_id": "N1",
        "mentor_id": "M2",
        "actor": system("mia"),
        "now": T0 + 5,
        "reason": "shift change",
        "capacity": 2,
    }
    args.update(kw)
    with pytest.raises(m.MentoringError, match=message):
        m.reassign(db, **args)
    assert snapshot(db) == before


def test_reassign_to_a_full_mentor_with_an_override(db: Engine) -> None:
    assign(db, mentee="N1")
    assign(db, mentor="M2", mentee="N3")
    row = m.reassign(
        db,
        mentee_id="N1",
        mentor_id="M2",
        actor=system("mia"),
        now=T0 + 5,
        reason="nights",
        override="no one else on nights",
        capacity=1,
    )
    assert row.override == "no one else on nights"


def test_history_is_newest_first_and_by_person(db: Engine) -> None:
    a = assign(db, mentee="N1", now=T0)
    b = assign(db, mentor="M2", mentee="N2", now=T0 + 10)
    c = assign(db, mentor="M2", mentee="N3", now=T0 + 20)
    with db.connect() as conn:
        assert m.history(conn) == [c, b, a]
        assert m.history(conn, "M2") == [c, b]
        assert m.history(conn, "N1") == [a]
        assert m.history(conn, "NOPE") == []
        assert m.open_mentorships(conn) == [b, c, a]  # by mentor name: Max, then Mona


# -- leadership traits ------------------------------------------------------------------------


def test_trait_notes(db: Engine) -> None:
    one = m.add_trait_note(
        db, "M1", "  Emotional   Intelligence ", " calmed a caller ", actor=system("mia"), now=T0
    )
    assert (one.staff_id, one.name, one.trait, one.evidence, one.author, one.created_at) == (
        "M1",
        "Mona Mentor",
        "emotional intelligence",
        "calmed a caller",
        "mia",
        T0,
    )
    two = m.add_trait_note(
        db, "M2", "humility", "asked for feedback", actor=system("mia"), now=T0 + 5
    )
    three = m.add_trait_note(
        db, "M1", "coachability", "took the plan on", actor=system("max"), now=T0 + 9
    )
    with db.connect() as conn:
        assert m.trait_notes(conn) == [three, two, one]
        assert m.trait_notes(conn, "M1") == [three, one]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("M1", "charisma", "x", "mia"), "trait 'charisma' is not one of communication"),
        (("M1", "humility", "   ", "mia"), "evidence is required"),
        (("NOPE", "humility", "x", "mia"), "'NOPE' is not on the roster"),
    ],
)
def test_trait_note_refusals_change_nothing(
    db: Engine, args: tuple[str, str, str, str], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(m.MentoringError, match=message):
        m.add_trait_note(db, *args[:-1], actor=system(args[-1]), now=T0)
    assert snapshot(db) == before
