"""The career path in the store: stages (with the default for people never moved), stage
changes that refuse a stale look, the steps of the regression method, moves and the choice
to mentor. Every refusal leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from floorsup.store import career as c
from floorsup.store.access import system
from floorsup.store.roster import import_roster
from floorsup.store.sql import execute, fetchall

ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000
E2,Ben Sample,Team Two,agent,,PJSIP/2002
E3,Cy Gone,Team Two,agent,2024-03-01,
"""
T0 = 1_795_000_000.0
HIRED_E1 = dt.datetime(2025, 1, 6, tzinfo=dt.UTC).timestamp()
EVIDENCE = {"checks": [{"name": "average", "ok": True, "detail": "average 90% (needs 85%)"}]}


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "r.csv").write_text(ROSTER)
    import_roster(engine, tmp_path / "r.csv", actor=system())
    with engine.begin() as conn:
        execute(conn, "UPDATE staff SET active = ? WHERE staff_id = 'E3'", (False,))
    return engine


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t: fetchall(conn, f"SELECT * FROM {t} ORDER BY 1")
            for t in ("career_stage", "career_event")
        }


def promote(engine: Engine, **kw: Any) -> c.EventRow:
    args: dict[str, Any] = {
        "kind": "promote",
        "expected_stage": 1,
        "to_stage": 2,
        "reason": "met the stage 2 standard",
        "evidence": EVIDENCE,
        "actor": system("mia"),
        "now": T0,
    }
    args.update(kw)
    staff_id = args.pop("staff_id", "E1")
    return c.change_stage(engine, staff_id, **args)


# -- stages -----------------------------------------------------------------------------------


def test_people_never_moved_are_at_stage_1_since_hire(db: Engine) -> None:
    with db.connect() as conn:
        got = c.stages(conn)
    assert got == {
        "E1": c.StageRow("E1", 1, HIRED_E1, False),
        "E2": c.StageRow("E2", 1, 0.0, False),  # no hire date
    }  # E3 is not active


def test_promotion_writes_the_event_and_the_stage(db: Engine) -> None:
    ev = promote(db, override="  covering the new queue  ")
    assert (ev.staff_id, ev.name, ev.kind, ev.from_stage, ev.to_stage) == (
        "E1",
        "Ada Example",
        "promote",
        1,
        2,
    )
    assert (ev.reason, ev.by, ev.at, ev.override) == (
        "met the stage 2 standard",
        "mia",
        T0,
        "covering the new queue",
    )
    assert ev.evidence == EVIDENCE and ev.department is None
    with db.connect() as conn:
        assert c.stages(conn)["E1"] == c.StageRow("E1", 2, T0, False)
        assert c.events(conn) == [ev]
        assert fetchall(conn, "SELECT updated_by, updated_at FROM career_stage") == [("mia", T0)]
    back = c.change_stage(
        db,
        "E1",
        kind="regress",
        expected_stage=2,
        to_stage=1,
        reason="after plan and review",
        evidence={},
        actor=system("max"),
        now=T0 + 50,
    )
    assert (back.from_stage, back.to_stage, back.override) == (2, 1, None)
    with db.connect() as conn:
        assert c.stages(conn)["E1"] == c.StageRow("E1", 1, T0 + 50, False)


def test_a_stale_expected_stage_is_a_conflict_and_changes_nothing(db: Engine) -> None:
    promote(db)
    before = snapshot(db)
    with pytest.raises(c.CareerConflict) as err:
        promote(db, actor=system("max"), now=T0 + 10)  # opened the screen when E1 was still at 1
    assert "changed by mia" in str(err.value) and "stage 2 now, not 1" in str(err.value)
    assert isinstance(err.value, c.CareerError)
    assert snapshot(db) == before


def test_a_stale_look_at_someone_never_moved_is_a_conflict_too(db: Engine) -> None:
    before = snapshot(db)
    with pytest.raises(c.CareerConflict, match="stage 1 now, not 2"):
        promote(db, expected_stage=2, to_stage=3)
    assert snapshot(db) == before


def test_two_promotions_at_once_only_one_wins(db: Engine) -> None:
    """Two managers promote the same person from the same look at the same moment."""
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run(by: str) -> None:
        barrier.wait()
        try:
            promote(db, actor=system(by))
            results.append("ok")
        except c.CareerConflict:
            results.append("conflict")

    threads = [threading.Thread(target=run, args=(who,)) for who in ("mia", "max")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    with db.connect() as conn:
        assert len(c.events(conn, kinds=["promote"])) == 1
        assert c.stages(conn)["E1"].stage == 2


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"reason": "   "}, "a reason is required"),
        ({"staff_id": "NOPE"}, "'NOPE' is not on the roster"),
        ({"staff_id": "E3"}, "'E3' is not on the roster"),  # no longer active
        ({"kind": "demote"}, "kind 'demote' is not one of promote, regress"),
        ({"to_stage": 1}, "a promotion goes up"),
        ({"kind": "regress", "to_stage": 2}, "a regression goes down"),
        ({"kind": "regress", "to_stage": 0}, "stage 0 does not exist"),
    ],
)
def test_change_stage_refusals_change_nothing(db: Engine, kw: dict[str, Any], message: str) -> None:
    before = snapshot(db)
    with pytest.raises(c.CareerError, match=message) as err:
        promote(db, **kw)
    assert not isinstance(err.value, c.CareerConflict)
    assert snapshot(db) == before


# -- steps, moves, opt-in ------------------------------------------------------------------------


def test_steps_since_risk_restart_after_each_stage_change(db: Engine) -> None:
    c.record_step(db, "E1", "plan", "four weeks on call control", actor=system("mia"), now=T0)
    c.record_step(db, "E1", "review", "improved, not yet there", actor=system("mia"), now=T0 + 10)
    with db.connect() as conn:
        assert c.steps_since_risk(conn, "E1") == ["plan", "review"]
        assert c.steps_since_risk(conn, "E2") == []
    promote(db, now=T0 + 20)
    with db.connect() as conn:
        assert c.steps_since_risk(conn, "E1") == []
    c.record_step(
        db, "E1", "plan", "new plan", actor=system("max"), now=T0 + 30, override="  agreed early  "
    )
    c.record_move(
        db, "E1", "Billing", "asked to try billing", actor=system("max"), now=T0 + 35
    )  # not a step
    with db.connect() as conn:
        assert c.steps_since_risk(conn, "E1") == ["plan"]
        plan = c.events(conn, staff_id="E1", kinds=["plan"])[0]
    assert (plan.from_stage, plan.to_stage, plan.override, plan.evidence) == (
        2,
        None,
        "agreed early",
        {},
    )


def test_step_order_is_kept_on_equal_instants(db: Engine) -> None:
    promote(db, now=T0)
    c.record_step(db, "E1", "plan", "same second", actor=system("mia"), now=T0)
    with db.connect() as conn:
        assert c.steps_since_risk(conn, "E1") == ["plan"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("E1", "regress", "x", "mia"), "kind 'regress' is not one of plan, review"),
        (("E1", "plan", " ", "mia"), "a reason is required"),
        (("NOPE", "plan", "x", "mia"), "'NOPE' is not on the roster"),
    ],
)
def test_record_step_refusals_change_nothing(
    db: Engine, args: tuple[str, str, str, str], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(c.CareerError, match=message):
        c.record_step(db, *args[:-1], actor=system(args[-1]), now=T0)
    assert snapshot(db) == before


def test_move_records_the_department_and_keeps_the_stage(db: Engine) -> None:
    ev = c.record_move(
        db, "E2", " Back office ", "prefers written work", actor=system("mia"), now=T0
    )
    assert (ev.kind, ev.department, ev.from_stage, ev.to_stage) == ("move", "Back office", 1, None)
    with db.connect() as conn:
        assert c.stages(conn)["E2"] == c.StageRow("E2", 1, 0.0, False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("E2", "  ", "why", "mia"), "a department is required"),
        (("E2", "Billing", "", "mia"), "a reason is required"),
        (("NOPE", "Billing", "why", "mia"), "'NOPE' is not on the roster"),
    ],
)
def test_record_move_refusals_change_nothing(
    db: Engine, args: tuple[str, str, str, str], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(c.CareerError, match=message):
        c.record_move(db, *args[:-1], actor=system(args[-1]), now=T0)
    assert snapshot(db) == before


def test_opt_in_and_out_keep_stage_and_since(db: Engine) -> None:
    ev = c.set_opt_in(db, "E1", True, actor=system("ada"), now=T0)
    assert (ev.kind, ev.from_stage, ev.reason, ev.by) == ("opt_in", 1, "", "ada")
    with db.connect() as conn:
        assert c.stages(conn)["E1"] == c.StageRow("E1", 1, HIRED_E1, True)
    promote(db, now=T0 + 5)
    with db.connect() as conn:
        assert c.stages(conn)["E1"] == c.StageRow("E1", 2, T0 + 5, True)
    out = c.set_opt_in(db, "E1", False, actor=system("ada"), now=T0 + 9)
    assert (out.kind, out.from_stage) == ("opt_out", 2)
    with db.connect() as conn:
        assert c.stages(conn)["E1"] == c.StageRow("E1", 2, T0 + 5, False)
        assert [e.kind for e in c.events(conn, staff_id="E1")] == ["opt_out", "promote", "opt_in"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("E1", False, "ada"), "Ada Example is already not opted in to mentor"),
        (("NOPE", True, "ada"), "'NOPE' is not on the roster"),
    ],
)
def test_opt_in_refusals_change_nothing(
    db: Engine, args: tuple[str, bool, str], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(c.CareerError, match=message):
        c.set_opt_in(db, *args[:-1], actor=system(args[-1]), now=T0)
    assert snapshot(db) == before


def test_opting_in_twice_is_refused(db: Engine) -> None:
    c.set_opt_in(db, "E1", True, actor=system("ada"), now=T0)
    before = snapshot(db)
    with pytest.raises(c.CareerError, match="already opted in to mentor"):
        c.set_opt_in(db, "E1", True, actor=system("ada"), now=T0 + 1)
    assert snapshot(db) == before


# -- reading events ---------------------------------------------------------------------------


def test_events_filters_newest_first(db: Engine) -> None:
    promote(db, now=T0)
    c.record_step(db, "E2", "plan", "p", actor=system("mia"), now=T0 + 10)
    c.set_opt_in(db, "E2", True, actor=system("ben"), now=T0 + 20)
    with db.connect() as conn:
        assert [(e.staff_id, e.kind) for e in c.events(conn)] == [
            ("E2", "opt_in"),
            ("E2", "plan"),
            ("E1", "promote"),
        ]
        assert [e.kind for e in c.events(conn, staff_id="E2")] == ["opt_in", "plan"]
        assert [e.kind for e in c.events(conn, kinds=("plan", "promote"))] == ["plan", "promote"]
        assert [e.kind for e in c.events(conn, since=T0 + 10)] == ["opt_in", "plan"]
        assert c.events(conn, kinds=[]) == []
        assert c.events(conn, staff_id="NOPE") == []


def test_damaged_evidence_reads_as_empty(db: Engine) -> None:
    promote(db)
    with db.begin() as conn:
        execute(conn, "UPDATE career_event SET evidence = 'not json'")
    with db.connect() as conn:
        assert c.events(conn)[0].evidence == {}


def test_close_ends_the_episode_and_open_episodes_agrees(db: Engine) -> None:
    c.record_step(db, "E1", "plan", "four weeks on call control", actor=system("mia"), now=T0)
    c.record_step(db, "E2", "plan", "hold times", actor=system("mia"), now=T0 + 1)
    c.record_step(db, "E1", "review", "back at standard", actor=system("mia"), now=T0 + 10)
    c.record_step(db, "E1", "close", "back at standard", actor=system("mia"), now=T0 + 20)
    with db.connect() as conn:
        assert c.steps_since_risk(conn, "E1") == []
        assert c.open_episodes(conn) == {"E2": ["plan"]}
        assert c.open_episodes(conn) == {sid: c.steps_since_risk(conn, sid) for sid in ("E2",)}
    c.record_step(
        db, "E1", "plan", "slipped again", actor=system("mia"), now=T0 + 30
    )  # a new episode
    with db.connect() as conn:
        assert c.open_episodes(conn) == {"E1": ["plan"], "E2": ["plan"]}


def test_a_step_on_a_stage_changed_meanwhile_is_a_conflict(db: Engine) -> None:
    promote(db, now=T0)
    before = snapshot(db)
    with pytest.raises(c.CareerConflict):
        c.record_step(db, "E1", "plan", "p", actor=system("mia"), now=T0 + 1, expected_stage=1)
    assert snapshot(db) == before
