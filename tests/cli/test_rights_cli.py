"""Rights through the command line, with logins resolved as in production (the account
running the command, found on the roster by its login): who may import, set targets and
read which reports, `--as` for managers only, an unknown account refused. A refusal exits
77 (EX_NOPERM) with what the role may not do, and changes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from floorsup.domain.coaching import NoteInput
from floorsup.store import coaching
from floorsup.store.access import system
from floorsup.store.engine import make_engine
from floorsup.store.sql import fetchall

NOT_ALLOWED = 77
ROSTER = """staff_id,name,team,role,hire_date,acd_agent,login
M1,Mia Manager,,manager,2015-01-01,,mia
T1,Tia Trainer,,trainer,2016-01-01,,tia
S1,Sue Super,Team One,supervisor,2017-01-01,,sue
L1,Lee Lead,Team One,team_lead,2017-01-01,,lee
L2,Lou Lead,Team Two,team_lead,2018-01-01,,lou
C1,Cat Client,,client_services,2019-01-01,,cat
A1,Ada Agent,Team One,agent,2020-01-01,SIP/1,ada
A2,Ben Agent,Team Two,agent,2021-01-01,SIP/2,ben
"""
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def centre(tmp_path: Path, cli_run: Run, real_logins: Callable[[str], None]) -> Path:
    """A database whose first roster was imported by whoever set it up (an empty roster
    has nobody to ask), with one note per team, one of them a career note."""
    db = tmp_path / "c.db"
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    real_logins("installer")
    code, _, err = cli_run("--db", str(db), "import", "roster", str(tmp_path / "roster.csv"))
    assert code == 0, err
    engine = make_engine(f"sqlite:///{db}")
    for sid, by, cat in (("A1", "lee", "adherence"), ("A2", "lou", "career")):
        coaching.add_note(
            engine,
            NoteInput(sid, cat, f"note for {sid}"),
            actor=system(by),
            now=1.79e9,
            snapshot=None,
            categories=("adherence", "career"),
        )
    engine.dispose()
    return db


def agents_in_report(out: str) -> set[str]:
    return {row["staff_id"] for row in csv.DictReader(io.StringIO(out))}


def report(cli_run: Run, db: Path, *extra: str) -> tuple[int, str, str]:
    return cli_run(
        "--db", str(db), *extra, "report", "coaching", "--from", "2026-09-01", "--to",
        "2026-12-31", "--format", "csv",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("mia", {"A1", "A2"}),  # managers read all
        ("lee", {"A1"}),  # their own team's
        ("sue", {"A1"}),
        ("lou", {"A2"}),
        ("tia", {"A2"}),  # trainers: career notes
    ],
)
def test_the_coaching_report_is_what_the_role_may_read(
    centre: Path, cli_run: Run, real_logins: Callable[[str], None], login: str, expected: set[str]
) -> None:
    real_logins(login)
    code, out, err = report(cli_run, centre)
    assert code == 0, err
    assert agents_in_report(out) == expected


@pytest.mark.parametrize("login", ["cat", "ada"])
def test_client_services_and_agents_get_no_coaching_report(
    centre: Path, cli_run: Run, real_logins: Callable[[str], None], login: str
) -> None:
    real_logins(login)
    code, out, err = report(cli_run, centre)
    assert code == NOT_ALLOWED and out == ""
    assert "only a manager, a supervisor, a team lead or a trainer may read coaching notes" in err


def test_queue_and_adherence_reports_are_every_roles(
    centre: Path, cli_run: Run, real_logins: Callable[[str], None]
) -> None:
    for login in ("cat", "ada", "tia", "lee", "mia"):
        real_logins(login)
        for what in ("queues", "adherence", "career", "mentoring"):
            code, _, err = cli_run("--db", str(centre), "report", what, "--format", "csv")
            assert code == 0, (login, what, err)


def test_an_account_the_roster_does_not_know_is_refused(
    centre: Path, cli_run: Run, real_logins: Callable[[str], None]
) -> None:
    real_logins("stranger")
    code, out, err = cli_run("--db", str(centre), "report", "queues")
    assert code == NOT_ALLOWED and out == ""
    assert "the login 'stranger' is not on the roster: ask a manager" in err


def test_roster_and_targets_are_managers(
    centre: Path, cli_run: Run, real_logins: Callable[[str], None], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    for login in ("lee", "tia", "sue", "installer"):
        real_logins(login)
        code, _, err = cli_run("--db", str(centre), "import", "roster", str(roster))
        assert code == NOT_ALLOWED, login
        code, _, err2 = cli_run("--db", str(centre), "queue", "sales", "--target-seconds", "20")
        assert code == NOT_ALLOWED, login
    assert "only a manager may change the roster; lee is Lee Lead (team lead)" in err or (
        "not on the roster" in err
    )
    assert "may change queue targets" in err2 or "not on the roster" in err2
    real_logins("mia")
    assert cli_run("--db", str(centre), "import", "roster", str(roster))[0] == 0
    assert cli_run("--db", str(centre), "queue", "sales", "--target-seconds", "20")[0] == 0
    engine = make_engine(f"sqlite:///{centre}")
    with engine.connect() as conn:
        log = fetchall(conn, "SELECT login, staff_id, action FROM audit_log ORDER BY id")
    engine.dispose()
    assert log[0] == ("installer", None, "roster.import")  # the first roster: the setup
    assert log[-2:] == [("mia", "M1", "roster.import"), ("mia", "M1", "queue.target")]


def test_schedules_and_qa_by_role(
    centre: Path, cli_run: Run, real_logins: Callable[[str], None], tmp_path: Path
) -> None:
    sched = tmp_path / "s.csv"
    sched.write_text("staff_id,date,start,end,activity\nA1,2026-11-25,09:00,17:00,open\n")
    qa = tmp_path / "qa.csv"
    qa.write_text(
        "staff_id,evaluated_at,evaluator,work_type,score,max_score\n"
        "A1,2026-11-20 10:00,Quinn,phone,80,100\n"
    )
    for login, may_schedule, may_qa in (
        ("tia", False, True),
        ("cat", False, False),
        ("ada", False, False),
        ("sue", True, True),
    ):
        real_logins(login)
        code, _, err = cli_run("--db", str(centre), "import", "schedule", str(sched))
        assert code == (0 if may_schedule else NOT_ALLOWED), (login, err)
        code, _, err = cli_run("--db", str(centre), "import", "qa", str(qa))
        assert code == (0 if may_qa else NOT_ALLOWED), (login, err)


def test_as_is_for_managers(centre: Path, cli_run: Run, real_logins: Callable[[str], None]) -> None:
    real_logins("lee")
    code, _, err = report(cli_run, centre, "--as", "M1")
    assert code == NOT_ALLOWED and "--as is for managers only; lee is Lee Lead" in err
    real_logins("mia")
    code, out, err = report(cli_run, centre, "--as", "L2")  # Lou's view: Team Two's notes
    assert code == 0, err
    assert agents_in_report(out) == {"A2"}
    code, _, err = report(cli_run, centre, "--as", "NOPE")
    assert code == NOT_ALLOWED and "no active staff member has that staff_id" in err
