"""Who may do what, enforced in the store: each right from both sides (allowed and refused),
with the refusal changing nothing (the audit log included), and every allowed write
recorded in the append-only audit log. Runs on SQLite and, with FLOORSUP_TEST_PG, on
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from floorsup.config import DEFAULT_NOTE_CATEGORIES, DEFAULT_SCORECARD, DEFAULT_WORK_TYPES
from floorsup.domain.coaching import NoteInput
from floorsup.store import audit, career, coaching, mentoring, qa, roster, schedules
from floorsup.store.access import Actor, NotAllowed, actor, resolve, system
from floorsup.store.sql import fetchall
from floorsup.tui.screens.audit import who_text

T0 = 1_790_000_000.0
CATS = DEFAULT_NOTE_CATEGORIES
ROSTER = """staff_id,name,team,role,hire_date,acd_agent,login
M1,Mia Manager,,manager,2015-01-01,,mia
T1,Tia Trainer,,trainer,2016-01-01,,tia
S1,Sue Super,Team One,supervisor,2017-01-01,,sue
L1,Lee Lead,Team One,team_lead,2017-01-01,,lee
L2,Lou Lead,Team Two,team_lead,2018-01-01,,lou
C1,Cat Client,,client_services,2019-01-01,,cat
A1,Ada Agent,Team One,agent,2020-01-01,SIP/1,ada
A2,Ben Agent,Team Two,agent,2021-01-01,SIP/2,ben
A3,Cy Agent,Team One,agent,2019-06-01,SIP/3,cy
N1,Nia New,Team One,agent,2026-11-01,SIP/4,nia
"""
LOGINS = ("mia", "tia", "sue", "lee", "lou", "cat", "ada")


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "r.csv").write_text(ROSTER, encoding="utf-8")
    roster.import_roster(engine, tmp_path / "r.csv", actor=system("setup"), now=T0 - 100)
    return engine


def who(engine: Engine, login: str) -> Actor:
    with engine.connect() as conn:
        return actor(conn, login)


def rows(engine: Engine) -> dict[str, int]:
    """Row counts of every table a write could touch (the audit log included)."""
    tables = (
        "coaching_note",
        "coaching_note_revision",
        "mentorship",
        "career_event",
        "career_stage",
        "leadership_note",
        "adherence_authorization",
        "schedule_segment",
        "qa_evaluation",
        "staff",
        "queue",
        "audit_log",
    )
    with engine.connect() as conn:
        return {t: fetchall(conn, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def check(engine: Engine, allowed: tuple[str, ...], write: Any) -> None:
    """`write(actor)` succeeds for each login in `allowed` and is refused (NotAllowed,
    nothing changed) for every other login of LOGINS and for an unknown one."""
    for login in (*LOGINS, "stranger"):
        actor_ = who(engine, login)
        if login in allowed:
            write(actor_)
            continue
        before = rows(engine)
        with pytest.raises(NotAllowed):
            write(actor_)
        assert rows(engine) == before, login


def note(engine: Engine, staff_id: str, by: Actor, category: str = "adherence") -> int:
    return coaching.add_note(
        engine,
        NoteInput(
            staff_id, category, f"note on {staff_id} by {by.user}", follow_up=dt.date(2026, 12, 1)
        ),
        actor=by,
        now=T0,
        snapshot=None,
        categories=CATS,
    ).id


# -- coaching notes -----------------------------------------------------------------------


def test_notes_are_written_by_supervisors_and_team_leads_for_their_own_team(db: Engine) -> None:
    check(db, ("sue", "lee"), lambda a: note(db, "A1", a))  # Team One
    check(db, ("lou",), lambda a: note(db, "A2", a))  # Team Two
    with db.connect() as conn:
        refusal = coaching.write_refusal(conn, who(db, "lou"), "A1")
    assert refusal is not None and "not on Lou Lead (team lead)'s team (Team Two)" in refusal


def test_editing_and_closing_follow_ups_follow_the_same_rule(db: Engine) -> None:
    nid = note(db, "A1", who(db, "lee"))
    revision = [1]

    def edit(a: Actor) -> None:
        coaching.edit_note(
            db,
            nid,
            NoteInput("A1", "quality", f"edited by {a.user}", follow_up=dt.date(2026, 12, 1)),
            actor=a,
            now=T0 + 1,
            expected_revision=revision[0],
            categories=CATS,
        )
        revision[0] += 1

    check(db, ("sue", "lee"), edit)

    def close(a: Actor) -> None:
        coaching.close_follow_up(db, nid, actor=a, now=T0 + 2, done=a.user == "sue")

    check(db, ("sue", "lee"), close)


def test_who_reads_which_notes(db: Engine) -> None:
    lee, lou = who(db, "lee"), who(db, "lou")
    a1 = note(db, "A1", lee)
    a1_career = note(db, "A1", lee, category="career")
    a2 = note(db, "A2", lou)
    expected = {
        "mia": {a1, a1_career, a2},  # managers read all
        "tia": {a1_career},  # trainers: career notes only
        "sue": {a1, a1_career},  # Team One's supervisor
        "lee": {a1, a1_career},
        "lou": {a2},
    }
    for login, ids in expected.items():
        a = who(db, login)
        with db.connect() as conn:
            found = {n.id for n in coaching.find_notes(conn, coaching.NoteQuery(), who=a)}
            by_agent = {
                n.id for sid in ("A1", "A2") for n in coaching.agent_notes(conn, sid, who=a)
            }
            counted = sum(coaching.note_count(conn, sid, who=a) for sid in ("A1", "A2"))
            due = {
                n.id for n in coaching.follow_ups(conn, dt.date(2026, 12, 31), who=a, upcoming=True)
            }
            searched = {
                n.id for n in coaching.find_notes(conn, coaching.NoteQuery(text="note"), who=a)
            }
        assert found == by_agent == due == searched == ids, login
        assert counted == len(ids), login
        for nid in (a1, a1_career, a2):
            with db.connect() as conn:
                if nid in ids:
                    assert coaching.get_note(conn, nid, who=a) is not None
                    coaching.note_revisions(conn, nid, who=a)
                else:
                    with pytest.raises(NotAllowed):
                        coaching.get_note(conn, nid, who=a)
                    with pytest.raises(NotAllowed):
                        coaching.note_revisions(conn, nid, who=a)
    for login in ("cat", "ada", "stranger"):  # client services, agents: no notes at all
        a = who(db, login)
        with db.connect() as conn:
            with pytest.raises(NotAllowed, match="only a manager, a supervisor, a team lead"):
                coaching.find_notes(conn, coaching.NoteQuery(), who=a)
            with pytest.raises(NotAllowed):
                coaching.agent_notes(conn, "A1", who=a)
            with pytest.raises(NotAllowed):
                coaching.follow_ups(conn, dt.date(2026, 12, 31), who=a)
            with pytest.raises(NotAllowed):
                coaching.get_note(conn, a1, who=a)


def test_a_note_follows_the_team_it_was_written_in_and_the_agents_team_now(
    db: Engine, tmp_path: Path
) -> None:
    nid = note(db, "A1", who(db, "lee"))
    moved = ROSTER.replace("A1,Ada Agent,Team One", "A1,Ada Agent,Team Two")
    (tmp_path / "moved.csv").write_text(moved, encoding="utf-8")
    roster.import_roster(db, tmp_path / "moved.csv", actor=who(db, "mia"), now=T0 + 5)
    for login in ("lee", "lou"):  # the old team's lead keeps what they wrote; the new sees it
        with db.connect() as conn:
            assert coaching.get_note(conn, nid, who=who(db, login)) is not None
    check(db, ("lou",), lambda a: note(db, "A1", a))  # new notes: the team now


# -- mentoring, promotion, coaching steps ---------------------------------------------------


def test_mentor_assignments_are_trainers_and_managers(db: Engine) -> None:
    ships: list[int] = []

    def assign(a: Actor) -> None:
        mentee = "N1" if not ships else "A3"
        ships.append(
            mentoring.assign(db, mentor_id="A1", mentee_id=mentee, actor=a, now=T0, capacity=5).id
        )

    check(db, ("tia", "mia"), assign)
    kept = ships[0]  # what the refused try to end
    ships.append(
        mentoring.assign(
            db, mentor_id="A1", mentee_id="A2", actor=who(db, "tia"), now=T0, capacity=5
        ).id
    )

    def end(a: Actor) -> None:
        mentoring.end(db, ships[-1] if len(ships) > 1 else kept, actor=a, now=T0 + 1, reason="done")
        ships.pop()

    check(db, ("tia", "mia"), end)

    def reassign(a: Actor) -> None:  # N1: A1's mentee, to A3 (mia) and back (tia)
        mentor = "A3" if a.user == "mia" else "A1"
        mentoring.reassign(
            db, mentee_id="N1", mentor_id=mentor, actor=a, now=T0 + 2, reason="shifts", capacity=5
        )

    check(db, ("tia", "mia"), reassign)


def test_only_a_manager_overrides(db: Engine) -> None:
    mentoring.assign(db, mentor_id="A1", mentee_id="N1", actor=who(db, "tia"), now=T0, capacity=1)
    before = rows(db)
    with pytest.raises(NotAllowed, match="only a manager may override"):
        mentoring.assign(
            db, mentor_id="A1", mentee_id="A3", actor=who(db, "tia"), now=T0, capacity=1,
            override="short-staffed",
        )  # fmt: skip
    assert rows(db) == before
    mentoring.assign(
        db, mentor_id="A1", mentee_id="A3", actor=who(db, "mia"), now=T0, capacity=1,
        override="short-staffed",
    )  # fmt: skip
    with pytest.raises(NotAllowed, match="only a manager may override"):
        career.change_stage(
            db, "A2", kind="promote", expected_stage=1, to_stage=2, reason="r", evidence={},
            actor=who(db, "tia"), now=T0, override="trust me",
        )  # fmt: skip


def test_promotions_and_regressions_are_trainers_and_managers(db: Engine) -> None:
    stage = [1]

    def promote(a: Actor) -> None:
        career.change_stage(
            db, "A1", kind="promote", expected_stage=stage[0], to_stage=stage[0] + 1,
            reason="mastery shown", evidence={}, actor=a, now=T0 + stage[0],
        )  # fmt: skip
        stage[0] += 1

    check(db, ("tia", "mia"), promote)

    def regress(a: Actor) -> None:
        career.change_stage(
            db, "A1", kind="regress", expected_stage=stage[0], to_stage=stage[0] - 1,
            reason="slipped", evidence={}, actor=a, now=T0 + 10 + stage[0],
        )  # fmt: skip
        stage[0] -= 1

    check(db, ("tia", "mia"), regress)


def test_coaching_steps_moves_and_traits_are_for_those_who_coach(db: Engine) -> None:
    coaches = ("tia", "mia", "sue", "lee", "lou")
    check(db, coaches, lambda a: career.record_step(db, "A1", "plan", "p", actor=a, now=T0))
    check(db, coaches, lambda a: career.record_move(db, "A2", "Sales", "r", actor=a, now=T0))
    check(
        db,
        coaches,
        lambda a: mentoring.add_trait_note(db, "A3", "humility", "asked", actor=a, now=T0),
    )


def test_mentoring_choice_is_the_persons_own_or_a_trainers(db: Engine) -> None:
    choice = [True]

    def opt(a: Actor) -> None:
        career.set_opt_in(db, "A1", choice[0], actor=a, now=T0)
        choice[0] = not choice[0]

    check(db, ("ada", "tia", "mia"), opt)  # ada is A1 herself


# -- schedules, exceptions, QA ----------------------------------------------------------------


def test_exceptions_are_supervisors_team_leads_and_managers(db: Engine) -> None:
    check(
        db,
        ("sue", "lee", "lou", "mia"),
        lambda a: schedules.authorize_exception(
            db, "A1", T0, T0 + 600, actor=a, why="system outage", now=T0 + 700
        ),
    )


def test_schedules_are_edited_by_supervisors_team_leads_and_managers(
    db: Engine, tmp_path: Path
) -> None:
    day = dt.date(2026, 11, 24)
    start = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC).timestamp()
    n = [0]

    def edit(a: Actor) -> None:
        n[0] += 1
        schedules.replace_day(
            db, "A1", day, [(start, start + 3600 * n[0], "open")], actor=a, tz="UTC", now=T0
        )

    check(db, ("sue", "lee", "lou", "mia"), edit)
    path = tmp_path / "s.csv"
    path.write_text("staff_id,date,start,end,activity\nA2,2026-11-25,09:00,17:00,open\n")
    check(
        db,
        ("sue", "lee", "lou", "mia"),
        lambda a: schedules.import_schedule(db, path, actor=a, tz="UTC"),
    )


def test_qa_is_recorded_by_those_who_coach(db: Engine, tmp_path: Path) -> None:
    at = [T0]

    def record(a: Actor) -> None:
        at[0] += 60
        qa.record_evaluation(
            db,
            staff_id="A1",
            evaluated_at=at[0],
            evaluator="Quinn",
            work_type="phone",
            score=80.0,
            max_score=100.0,
            criteria={},
            comments="",
            actor=a,
            now=at[0],
            work_types=DEFAULT_WORK_TYPES,
            scorecard=DEFAULT_SCORECARD,
        )

    check(db, ("sue", "lee", "lou", "tia", "mia"), record)


# -- roster and config ---------------------------------------------------------------------


def test_roster_and_queue_targets_are_managers(db: Engine, tmp_path: Path) -> None:
    (tmp_path / "r2.csv").write_text(ROSTER, encoding="utf-8")
    check(db, ("mia",), lambda a: roster.import_roster(db, tmp_path / "r2.csv", actor=a, now=T0))
    check(db, ("mia",), lambda a: roster.set_queue_target(db, "sales", 20, 0.8, actor=a, now=T0))


def test_the_first_roster_has_nobody_to_ask(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text(ROSTER, encoding="utf-8")
    with engine.connect() as conn:
        first = resolve(conn, "whoever")
    assert first.setup and not first.known
    roster.set_queue_target(engine, "sales", 20, 0.8, actor=first, now=T0)
    roster.import_roster(engine, tmp_path / "r.csv", actor=first, now=T0)
    before = rows(engine)
    with pytest.raises(NotAllowed, match="no longer empty"):  # a setup actor gone stale
        roster.import_roster(engine, tmp_path / "r.csv", actor=first, now=T0)
    assert rows(engine) == before
    with engine.connect() as conn, pytest.raises(NotAllowed, match="'whoever' is not on"):
        resolve(conn, "whoever")


# -- identity --------------------------------------------------------------------------------


def test_as_is_for_managers_only(db: Engine) -> None:
    with db.connect() as conn:
        as_lead = resolve(conn, "mia", "L2")
        assert (as_lead.staff_id, as_lead.role, as_lead.team, as_lead.login) == (
            "L2",
            "team_lead",
            "Team Two",
            "mia",
        )
        assert resolve(conn, "lee", "L1").staff_id == "L1"  # as oneself: no change
        with pytest.raises(NotAllowed, match="--as is for managers only; lee is Lee Lead"):
            resolve(conn, "lee", "M1")
        with pytest.raises(NotAllowed, match="no active staff member"):
            resolve(conn, "mia", "NOPE")
    note(db, "A2", as_lead)  # what a Team Two lead may do
    with pytest.raises(NotAllowed):
        note(db, "A1", as_lead)  # and not more
    with db.connect() as conn:
        entry = audit.entries(conn, who(db, "mia"), action="note")[0]
    assert (entry.login, entry.staff_id, entry.role, entry.via_as) == (
        "mia",
        "L2",
        "team_lead",
        True,
    )
    assert who_text(entry) == "mia as L2 (team lead)"
    with db.connect() as conn:
        own = audit.entries(conn, who(db, "mia"), login="lee")
    assert own == [] or not own[0].via_as


# -- the audit log ----------------------------------------------------------------------------


def test_every_write_is_in_the_audit_log_with_before_and_after(db: Engine) -> None:
    lee, tia, mia = who(db, "lee"), who(db, "tia"), who(db, "mia")
    nid = note(db, "A1", lee)
    coaching.edit_note(
        db, nid, NoteInput("A1", "quality", "better words"), actor=lee, now=T0 + 5,
        expected_revision=1, categories=CATS,
    )  # fmt: skip
    ship = mentoring.assign(db, mentor_id="A1", mentee_id="N1", actor=tia, now=T0 + 6, capacity=2)
    roster.set_queue_target(db, "sales", 30, 0.9, actor=mia, now=T0 + 7)
    roster.set_queue_target(db, "sales", 20, 0.8, actor=mia, now=T0 + 8)
    with db.connect() as conn:
        log = audit.entries(conn, mia, since=T0)
    got = [(e.action, e.login, e.staff_id, e.role, e.entity, e.entity_key) for e in log]
    assert got == [
        ("queue.target", "mia", "M1", "manager", "queue", "sales"),
        ("queue.target", "mia", "M1", "manager", "queue", "sales"),
        ("mentor.assign", "tia", "T1", "trainer", "mentorship", str(ship.id)),
        ("note.edit", "lee", "L1", "team_lead", "coaching_note", str(nid)),
        ("note.add", "lee", "L1", "team_lead", "coaching_note", str(nid)),
    ]
    assert [who_text(e) for e in log[2:4]] == ["tia · T1 (trainer)", "lee · L1 (team lead)"]
    assert not any(e.via_as for e in log)
    edit = log[3]
    assert dict((k, (b, a)) for k, b, a in edit.changes())["body"] == (
        "note on A1 by lee",
        "better words",
    )
    target = log[0]
    assert json.loads(target.before or "")["sl_target_seconds"] == 30
    assert json.loads(target.after or "")["sl_target_seconds"] == 20
    assert log[4].before is None and json.loads(log[4].after or "")["author"] == "lee"
    with db.connect() as conn:  # narrowed by login and by action prefix
        assert [e.action for e in audit.entries(conn, mia, login="LEE")] == [
            "note.edit",
            "note.add",
        ]
        assert [e.action for e in audit.entries(conn, mia, action="mentor")] == ["mentor.assign"]
        assert audit.entries(conn, mia, action="note_") == []  # a LIKE wildcard is literal


def test_only_managers_read_the_audit_log(db: Engine) -> None:
    for login in LOGINS:
        with db.connect() as conn:
            if login == "mia":
                assert audit.entries(conn, who(db, login))  # the roster import at least
            else:
                with pytest.raises(NotAllowed, match="only a manager may read the audit log"):
                    audit.entries(conn, who(db, login))


def test_the_audit_log_is_append_only(db: Engine) -> None:
    note(db, "A1", who(db, "lee"))
    before = rows(db)["audit_log"]
    for sql in ("UPDATE audit_log SET login = 'someone'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), db.begin() as conn:
            conn.exec_driver_sql(sql)
    assert rows(db)["audit_log"] == before
    with db.connect() as conn:
        assert {e.login for e in audit.entries(conn, who(db, "mia"))} == {"setup", "lee"}
