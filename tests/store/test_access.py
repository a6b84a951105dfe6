"""Who is at the keyboard: a login matched to the roster's `login` (in any case), else to a
staff_id, else nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.store.access import Actor, actor, system
from floorsup.store.roster import import_roster
from floorsup.store.sql import execute

ROSTER = """staff_id,name,team,role,hire_date,acd_agent,login
E1,Ada Example,Team One,agent,2025-01-06,SIP/1000,ada
S1,Sam Lead,Team One,team_lead,2020-05-05,,Sam.Lead
M1,Mia Manager,,manager,2018-02-01,,
E2,Ben Sample,Team Two,agent,2024-03-01,,e9
E9,Ezra Ninth,Team Two,agent,2024-03-01,,
Z1,Zoë Old,Team Two,agent,2020-01-01,,ZOË
"""


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "r.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(engine, tmp_path / "r.csv", actor=system())
    return engine


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("ada", ("E1", "Ada Example", "agent")),
        ("SAM.LEAD", ("S1", "Sam Lead", "team_lead")),  # a login in any case
        ("  sam.lead ", ("S1", "Sam Lead", "team_lead")),
        ("zoë", ("Z1", "Zoë Old", "agent")),  # Unicode case folding, not ASCII only
        ("M1", ("M1", "Mia Manager", "manager")),  # no login: the staff_id stands for them
        ("m1", (None, None, None)),  # a staff_id is matched exactly
        ("e9", ("E2", "Ben Sample", "agent")),  # a login wins over a staff_id spelt alike
        ("E9", ("E2", "Ben Sample", "agent")),
        ("nobody", (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_actor(db: Engine, user: str, expected: tuple[str | None, ...]) -> None:
    with db.connect() as conn:
        who = actor(conn, user)
    assert (who.user, who.staff_id, who.name, who.role) == (user, *expected)
    assert who.known == (expected[0] is not None)


def test_people_no_longer_active_are_nobody(db: Engine) -> None:
    with db.begin() as conn:
        execute(conn, "UPDATE staff SET active = ? WHERE staff_id = 'E1'", (False,))
    with db.connect() as conn:
        assert actor(conn, "ada") == Actor("ada", None, None, None)
        assert actor(conn, "E1") == Actor("E1", None, None, None)
