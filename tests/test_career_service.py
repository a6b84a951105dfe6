"""The career path and mentoring as people use them (floorsup/career.py): who may do what,
promotion only on evidence, the documented regression method step by step, mentors within
eligibility and capacity, a manager's override kept with its reason; each refusal says why
and changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup import career as svc
from floorsup.config import Settings
from floorsup.domain.career import Step
from floorsup.domain.mentoring import MentorPolicy
from floorsup.store import career as career_store
from floorsup.store import mentoring
from floorsup.store.access import Actor, actor, system
from floorsup.store.adherence_days import store_days
from floorsup.store.qa import record_evaluation
from floorsup.store.roster import import_roster
from floorsup.store.sql import fetchall

TZ = "UTC"
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC).timestamp()
DAY = 86400.0
ROSTER = """staff_id,name,team,role,hire_date,acd_agent,login
M1,Mo Manager,,manager,2015-01-01,,mo
T1,Tia Trainer,,trainer,2016-01-01,,tia
L1,Lee Lead,Team One,team_lead,2017-01-01,,lee
A1,Ada Agent,Team One,agent,2020-01-01,SIP/1,ada
A2,Ben Agent,Team One,agent,2021-01-01,SIP/2,ben
A3,Cy Agent,Team Two,agent,2022-01-01,SIP/3,cy
N1,Nia New,Team One,agent,2026-11-01,SIP/4,nia
N2,Noa New,Team Two,agent,2026-10-20,SIP/5,noa
N3,Nel New,Team One,agent,2026-11-10,SIP/6,nel
"""


def _as(engine: Engine, login: str) -> Actor:
    """Who `login` is on the roster (an unknown login: nobody, whom every write refuses)."""
    with engine.connect() as conn:
        return actor(conn, login)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "c.db"), tz=TZ, user="tia").validated()


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "r.csv").write_text(ROSTER)
    import_roster(engine, tmp_path / "r.csv", actor=system())
    return engine


def evaluate(
    engine: Engine, staff_id: str, work_type: str, pcts: list[float], weeks: float = 1.0
) -> None:
    """Evaluations a week apart (newest yesterday), each scoring `pct` of 100."""
    for i, pct in enumerate(reversed(pcts)):
        record_evaluation(
            engine,
            staff_id=staff_id,
            evaluated_at=NOW - DAY - i * weeks * 7 * DAY,
            evaluator="qa",
            work_type=work_type,
            score=pct * 100,
            max_score=100,
            criteria={},
            comments="",
            actor=system("qa"),
            now=NOW,
            work_types=("phone", "email", "chat", "escalation", "back office"),
            scorecard={},
        )


def adherence(engine: Engine, staff_id: str, fraction: float) -> None:
    today = dt.date(2026, 11, 23)
    rows = [
        (staff_id, today - dt.timedelta(days=k), 28800.0, 28800.0 * fraction) for k in range(1, 15)
    ]
    store_days(engine, rows, NOW)


def stage_of(engine: Engine, staff_id: str) -> int:
    with engine.connect() as conn:
        return career_store.stages(conn)[staff_id].stage


def events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(fetchall(conn, "SELECT count(*) FROM career_event")[0][0])


# -- promotion ----------------------------------------------------------------------------------
def test_a_trainer_promotes_on_evidence_and_the_evidence_is_kept(
    db: Engine, settings: Settings
) -> None:
    evaluate(db, "A1", "email", [0.90, 0.92, 0.88, 0.91, 0.93])
    adherence(db, "A1", 0.95)
    row = svc.read_career(db, settings, NOW).row("A1")
    assert row is not None and row.ready and row.evidence is not None
    e = svc.promote(
        db, settings, NOW, actor=_as(db, "tia"), staff_id="A1", reason="Five strong email weeks"
    )
    assert (e.kind, e.from_stage, e.to_stage, e.by, e.override) == ("promote", 1, 2, "tia", None)
    assert e.evidence["met"] is True and len(e.evidence["checks"]) == 5
    assert stage_of(db, "A1") == 2


def test_promoting_without_evidence_is_refused_with_the_reasons(
    db: Engine, settings: Settings
) -> None:
    evaluate(db, "A2", "email", [0.90, 0.70, 0.88])  # too few, and one under the floor
    before = events(db)
    with pytest.raises(svc.Refused) as refused:
        svc.promote(db, settings, NOW, actor=_as(db, "tia"), staff_id="A2", reason="Keen")
    text = str(refused.value)
    assert "not ready for stage 2" in text and "3 of 5 evaluations" in text
    assert "a manager may override" in text and not refused.value.overridable  # not theirs
    with pytest.raises(svc.Refused) as asked:  # a manager is asked for the reason
        svc.promote(db, settings, NOW, actor=_as(db, "mo"), staff_id="A2", reason="Keen")
    assert asked.value.overridable
    # A trainer's override is not enough; nothing was written either time.
    with pytest.raises(svc.Refused, match="only a manager may override"):
        svc.promote(
            db, settings, NOW, actor=_as(db, "tia"), staff_id="A2", reason="Keen", override="trust"
        )
    assert events(db) == before and stage_of(db, "A2") == 1


def test_a_manager_overrides_with_a_reason_that_is_kept(db: Engine, settings: Settings) -> None:
    e = svc.promote(
        db,
        settings,
        NOW,
        actor=_as(db, "mo"),
        staff_id="A2",
        reason="Needed on chat",
        override="Covered by QA plan",
    )
    assert (e.to_stage, e.override, e.by) == (2, "Covered by QA plan", "mo")


@pytest.mark.parametrize("user", ["lee", "ada", "stranger"])
def test_only_trainers_and_managers_promote(db: Engine, settings: Settings, user: str) -> None:
    with pytest.raises(svc.Refused, match="only a manager or trainer may promote") as refused:
        svc.promote(db, settings, NOW, actor=_as(db, user), staff_id="A1", reason="x", override="y")
    assert not refused.value.overridable  # a role is not a rule a manager can lift
    assert events(db) == 0


def test_the_top_stage_cannot_be_promoted(db: Engine, settings: Settings) -> None:
    for _ in range(3):
        svc.promote(db, settings, NOW, actor=_as(db, "mo"), staff_id="A3", reason="r", override="o")
    with pytest.raises(svc.Refused, match="top stage") as refused:
        svc.promote(db, settings, NOW, actor=_as(db, "mo"), staff_id="A3", reason="r", override="o")
    assert not refused.value.overridable and stage_of(db, "A3") == 4


# -- at risk: the documented method ----------------------------------------------------------
def test_regression_follows_plan_then_review_and_is_never_automatic(
    db: Engine, settings: Settings
) -> None:
    svc.promote(
        db, settings, NOW, actor=_as(db, "mo"), staff_id="A1", reason="r", override="o"
    )  # stage 2
    evaluate(db, "A1", "phone", [0.70, 0.72, 0.68, 0.75, 0.71])
    row = svc.read_career(db, settings, NOW).row("A1")
    assert row is not None and row.risk is not None and row.next_step is Step.PLAN
    assert stage_of(db, "A1") == 2  # at risk, still at their stage
    with pytest.raises(svc.Refused, match="plan"):
        svc.take_step(
            db,
            settings,
            NOW,
            actor=_as(db, "tia"),
            staff_id="A1",
            step=Step.REGRESS,
            reason="slipping",
        )
    svc.take_step(
        db,
        settings,
        NOW,
        actor=_as(db, "lee"),
        staff_id="A1",
        step=Step.PLAN,
        reason="Two listen-backs a week",
    )
    with pytest.raises(svc.Refused, match="only a manager or trainer"):
        svc.take_step(
            db, settings, NOW, actor=_as(db, "lee"), staff_id="A1", step=Step.REGRESS, reason="r"
        )
    svc.take_step(
        db,
        settings,
        NOW + 10,
        actor=_as(db, "lee"),
        staff_id="A1",
        step=Step.REVIEW,
        reason="No change",
    )
    row = svc.read_career(db, settings, NOW + 20).row("A1")
    assert (
        row is not None and row.steps == (Step.PLAN, Step.REVIEW) and row.next_step is Step.REGRESS
    )
    e = svc.take_step(
        db,
        settings,
        NOW + 30,
        actor=_as(db, "tia"),
        staff_id="A1",
        step=Step.REGRESS,
        reason="Back to phone",
    )
    assert (e.kind, e.from_stage, e.to_stage) == ("regress", 2, 1)
    assert e.evidence["steps"] == ["plan", "review"]


def test_stage_one_cannot_regress_even_with_an_override(db: Engine, settings: Settings) -> None:
    with pytest.raises(svc.Refused, match="stage 1") as refused:
        svc.take_step(
            db,
            settings,
            NOW,
            actor=_as(db, "mo"),
            staff_id="A2",
            step=Step.REGRESS,
            reason="r",
            override="o",
        )
    assert not refused.value.overridable


# -- mentoring -----------------------------------------------------------------------------
LOGINS = {"A1": "ada", "A2": "ben"}


def mentor_ready(engine: Engine, settings: Settings, staff_id: str) -> None:
    for _ in range(2):
        svc.promote(
            engine,
            settings,
            NOW,
            actor=_as(engine, "mo"),
            staff_id=staff_id,
            reason="r",
            override="o",
        )
    svc.set_opt_in(
        engine, NOW, actor=_as(engine, LOGINS[staff_id]), staff_id=staff_id, opted_in=True
    )
    evaluate(engine, staff_id, "phone", [0.93] * 10)
    adherence(engine, staff_id, 0.96)


def test_mentors_are_ranked_with_reasons_and_assigned_within_capacity(
    db: Engine, settings: Settings
) -> None:
    settings = replace(settings, mentoring=MentorPolicy(capacity=1))
    mentor_ready(db, settings, "A1")
    ranking = svc.rank_for(db, settings, NOW, "N1")
    best = ranking.fits[0]
    assert best.mentor.staff_id == "A1" and best.eligible
    assert "same team (Team One)" in best.reasons
    assert not any(f.eligible for f in ranking.fits[1:])  # nobody else qualifies
    assert all(f.refusals for f in ranking.fits[1:])
    ship = svc.assign_mentor(
        db, settings, NOW, actor=_as(db, "tia"), mentor_id="A1", mentee_id="N1", reason="Same team"
    )
    assert (ship.mentor_id, ship.mentee_id, ship.started_by) == ("A1", "N1", "tia")
    # Full now: a second mentee is refused with the reason, unless a manager overrides.
    with pytest.raises(svc.Refused, match="at capacity: 1 of 1") as refused:
        svc.assign_mentor(
            db, settings, NOW, actor=_as(db, "tia"), mentor_id="A1", mentee_id="N2", reason="r"
        )
    assert not refused.value.overridable  # a trainer: only told why
    ship2 = svc.assign_mentor(
        db,
        settings,
        NOW,
        actor=_as(db, "mo"),
        mentor_id="A1",
        mentee_id="N2",
        reason="r",
        override="Short-staffed",
    )
    assert ship2.override == "Short-staffed"


def test_an_ineligible_mentor_is_refused_with_why(db: Engine, settings: Settings) -> None:
    with pytest.raises(svc.Refused) as refused:
        svc.assign_mentor(
            db, settings, NOW, actor=_as(db, "tia"), mentor_id="A2", mentee_id="N1", reason="r"
        )
    text = str(refused.value)
    assert "Ben Agent cannot mentor now" in text and "stage 1 (mentors are stage 3+)" in text
    assert "has not opted in" in text
    with db.connect() as conn:
        assert mentoring.open_mentorships(conn) == []


def test_reassigning_keeps_the_history_and_the_board_shows_trends(
    db: Engine, settings: Settings
) -> None:
    mentor_ready(db, settings, "A1")
    mentor_ready(db, settings, "A2")
    svc.assign_mentor(
        db, settings, NOW, actor=_as(db, "tia"), mentor_id="A1", mentee_id="N1", reason="r"
    )
    svc.assign_mentor(
        db,
        settings,
        NOW + 5 * DAY,
        actor=_as(db, "tia"),
        mentor_id="A2",
        mentee_id="N1",
        reason="Shift change",
    )
    with db.connect() as conn:
        history = mentoring.history(conn, "N1")
    assert [(m.mentor_id, m.ended_at is None) for m in history] == [("A2", True), ("A1", False)]
    evaluate(db, "N1", "phone", [0.7, 0.8, 0.9])
    board = svc.mentor_board(db, settings, NOW + DAY)
    assert [b.ship.mentee_id for b in board] == ["N1"]
    view = svc.read_career(db, settings, NOW + DAY)
    hires = view.new_hires()
    assert hires[0].mentor is None  # those without a mentor first
    assert {h.staff_id for h in hires} == {"N1", "N2", "N3"}


def test_opt_in_is_the_persons_own_choice(db: Engine, settings: Settings) -> None:
    svc.set_opt_in(db, NOW, actor=_as(db, "ben"), staff_id="A2", opted_in=True)
    with pytest.raises(svc.Refused, match="set someone else's mentoring choice"):
        svc.set_opt_in(db, NOW, actor=_as(db, "ben"), staff_id="A1", opted_in=True)
    svc.set_opt_in(db, NOW, actor=_as(db, "tia"), staff_id="A1", opted_in=True)


def test_moves_and_traits_by_leads(db: Engine, settings: Settings) -> None:
    svc.record_move(
        db, NOW, actor=_as(db, "lee"), staff_id="A3", department="Training", reason="Now a trainer"
    )
    svc.note_trait(
        db,
        NOW,
        actor=_as(db, "lee"),
        staff_id="A1",
        trait="humility",
        evidence="Asked for feedback",
    )
    with pytest.raises(svc.Refused, match="only a"):
        svc.note_trait(db, NOW, actor=_as(db, "ada"), staff_id="A2", trait="humility", evidence="x")
    view = svc.read_career(db, settings, NOW)
    assert [m.department for m in view.moves] == ["Training"]
    ((row, sid, name, notes),) = view.pipeline()
    assert (sid, name, [n.trait for n in notes]) == ("A1", "Ada Agent", ["humility"])


def test_an_empty_floor_reads_without_error(engine: Engine, settings: Settings) -> None:
    view = svc.read_career(engine, settings, NOW)
    assert view.rows == () and view.ready() == [] and view.pipeline() == []
    assert svc.mentor_board(engine, settings, NOW) == []
    with pytest.raises(svc.Refused, match="not an agent on the roster"):
        svc.rank_for(engine, settings, NOW, "X1")


def test_the_agent_page_shows_stage_and_mentoring(db: Engine, settings: Settings) -> None:
    from floorsup.agent import load_agent

    mentor_ready(db, settings, "A1")
    svc.assign_mentor(
        db, settings, NOW, actor=_as(db, "tia"), mentor_id="A1", mentee_id="N1", reason="r"
    )
    mentee = load_agent(db, settings, NOW, who=system(), staff_id="N1").career
    mentor = load_agent(db, settings, NOW, who=system(), staff_id="A1").career
    assert mentee is not None and (mentee.stage, mentee.stage_name, mentee.mentor) == (
        1,
        "Phone",
        "Ada Agent",
    )
    assert mentor is not None and (mentor.stage, mentor.mentees) == (3, ("Nia New",))
    assert mentee.since == dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()  # hired, in tz
