"""`import_qa`: a QA evaluations CSV checked whole (every bad row named with its line), local
times in the site's zone (DST gaps refused, folds taken at their first occurrence), nothing
changed by a rejected file, and importing the same file again adding nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from floorsup.config import DEFAULT_SCORECARD, DEFAULT_WORK_TYPES
from floorsup.domain.intervals import day_bounds
from floorsup.store.access import system
from floorsup.store.qa import (
    QaImportResult,
    agent_evaluations,
    import_qa,
    record_evaluation,
)
from floorsup.store.roster import ImportError_, import_roster
from floorsup.store.sql import fetchall

LONDON = "Europe/London"
ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E1,Ada Example,Team One,agent,2025-01-06,PJSIP/2001
E2,Ben Sample,Team Two,agent,2024-03-01,PJSIP/2002
"""
HEADER = "staff_id,evaluated_at,evaluator,work_type,score,max_score"
FULL_HEADER = f"{HEADER},greeting,verification,discovery,resolution,compliance,close,comments"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC).timestamp()
GOOD = "E1,2026-11-20 14:05,sam,phone,80,100"  # a good row to put before a bad one


def utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def staffed(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(engine, tmp_path / "roster.csv", actor=system())
    return engine


def write(tmp_path: Path, text: str, name: str = "qa.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(engine: Engine, path: Path, **kw: Any) -> QaImportResult:
    args: dict[str, Any] = dict(
        tz=LONDON,
        work_types=DEFAULT_WORK_TYPES,
        scorecard=DEFAULT_SCORECARD,
        actor=system("importer"),
        now=NOW,
    )
    args.update(kw)
    return import_qa(engine, path, **args)


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return fetchall(conn, "SELECT * FROM qa_evaluation ORDER BY id")


def rejected(engine: Engine, path: Path, **kw: Any) -> list[str]:
    before = stored(engine)
    with pytest.raises(ImportError_) as err:
        load(engine, path, **kw)
    assert "nothing was changed" in str(err.value)
    assert stored(engine) == before
    return err.value.problems


# -- a good file ------------------------------------------------------------------------------


def test_good_file_is_stored_with_local_times_as_utc(staffed: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{FULL_HEADER}\n"
        'E1,2026-07-01 14:05,Sam Lead,phone,88,100,9,15,18,27,11,8,"Good call, rushed close"\n'
        "E1,2026-07-02,Sam Lead,Email,70,90,,12,16,24,11,7,\n"
        "E2,2026-11-20T09:30:15,QA Team,chat,45.5,50,,,,,,,\n",
        name="november.csv",
    )
    assert load(staffed, path) == QaImportResult(added=3, already=0)
    with staffed.connect() as conn:
        ada = agent_evaluations(conn, "E1")
        (ben,) = agent_evaluations(conn, "E2")
    email, phone = ada  # newest first
    # British Summer Time: 14:05 local is 13:05 UTC; a bare date is local midnight.
    assert phone.evaluated_at == utc(2026, 7, 1, 13, 5)
    assert email.evaluated_at == utc(2026, 7, 1, 23, 0)
    assert ben.evaluated_at == utc(2026, 11, 20, 9, 30, 15)  # GMT in November
    assert (phone.evaluator, phone.work_type, phone.score, phone.max_score) == (
        "Sam Lead",
        "phone",
        88.0,
        100.0,
    )
    assert dict(phone.criteria) == {
        "greeting": 9.0,
        "verification": 15.0,
        "discovery": 18.0,
        "resolution": 27.0,
        "compliance": 11.0,
        "close": 8.0,
    }
    assert phone.comments == "Good call, rushed close"
    assert email.work_type == "email"  # the configured spelling, whatever the file's case
    assert "greeting" not in dict(email.criteria)  # an empty cell is not scored
    assert (ben.score, ben.criteria, ben.comments, ben.team) == (45.5, (), "", "Team Two")
    assert {(r.source, r.recorded_by, r.recorded_at) for r in (*ada, ben)} == {
        ("november.csv", "importer", NOW)
    }


def test_only_the_required_columns_in_any_order(staffed: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "max_score,score,work_type,evaluator,evaluated_at,staff_id\n10,7,phone,sam,2026-11-02,E2\n",
    )
    assert load(staffed, path) == QaImportResult(1, 0)
    with staffed.connect() as conn:
        (row,) = agent_evaluations(conn, "E2")
    assert (row.score, row.max_score, row.criteria, row.comments) == (7.0, 10.0, (), "")


def test_criterion_columns_match_the_scorecard_whatever_the_case(
    staffed: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, f"{HEADER},greeting,COMMENTS\nE1,2026-11-02,sam,phone,4,5,4,ok\n")
    assert load(staffed, path, scorecard={"Greeting": 5.0}).added == 1
    with staffed.connect() as conn:
        (row,) = agent_evaluations(conn, "E1")
    assert row.criteria == (("Greeting", 4.0),) and row.comments == "ok"


def test_utf8_with_bom_and_blank_lines(staffed: Engine, tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_bytes(
        f"\ufeff{HEADER},comments\n\nE1,2026-11-02,Zoë,phone,9,10,très bien\n".encode()
    )
    assert load(staffed, path).added == 1
    with staffed.connect() as conn:
        (row,) = agent_evaluations(conn, "E1")
    assert (row.evaluator, row.comments) == ("Zoë", "très bien")


def test_header_only_adds_nothing(staffed: Engine, tmp_path: Path) -> None:
    assert load(staffed, write(tmp_path, f"{HEADER}\n")) == QaImportResult(0, 0)


# -- importing again --------------------------------------------------------------------------


def test_importing_the_same_file_again_adds_nothing(staffed: Engine, tmp_path: Path) -> None:
    text = f"{HEADER}\n{GOOD}\nE2,2026-11-20,sam,email,7,10\n"
    path = write(tmp_path, text)
    assert load(staffed, path) == QaImportResult(2, 0)
    first = stored(staffed)
    assert load(staffed, path) == QaImportResult(0, 2)
    assert stored(staffed) == first
    # a longer file later: only the new row is added; the same time written another way
    # ("2026-11-20 00:00" is the bare date's midnight) is the same evaluation
    more = write(
        tmp_path,
        f"{HEADER}\n{GOOD}\nE2,2026-11-20 00:00,sam,email,7,10\nE2,2026-11-21,sam,email,8,10\n",
        name="more.csv",
    )
    assert load(staffed, more, now=NOW + 60) == QaImportResult(1, 2)
    assert len(stored(staffed)) == 3


def test_an_evaluation_entered_on_screen_counts_as_already_present(
    staffed: Engine, tmp_path: Path
) -> None:
    record_evaluation(
        staffed,
        staff_id="E1",
        evaluated_at=utc(2026, 11, 20, 14, 5),
        evaluator="sam",
        work_type="phone",
        score=80,
        max_score=100,
        criteria={},
        comments="",
        actor=system("sam"),
        now=NOW,
        work_types=DEFAULT_WORK_TYPES,
        scorecard=DEFAULT_SCORECARD,
    )
    assert load(staffed, write(tmp_path, f"{HEADER}\n{GOOD}\n")) == QaImportResult(0, 1)


def test_same_evaluation_with_another_score_rejects_the_file(
    staffed: Engine, tmp_path: Path
) -> None:
    load(staffed, write(tmp_path, f"{HEADER}\n{GOOD}\n", name="first.csv"))
    path = write(
        tmp_path,
        f"{HEADER}\nE2,2026-11-19,sam,chat,5,10\nE1,2026-11-20 14:05,sam,phone,85,100\n",
    )
    problems = rejected(staffed, path)
    assert problems == [
        f"{path}:3: E1's phone evaluation by sam at 2026-11-20 14:05:00 is already stored as "
        "80/100, not 85/100: expected the same score (correct it on the agent's QA screen)"
    ]
    # another maximum is another score too
    path = write(tmp_path, f"{HEADER}\nE1,2026-11-20 14:05,sam,phone,80,90\n")
    assert "already stored as 80/100, not 80/90" in rejected(staffed, path)[0]


# -- rejections, row by row ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("E9,2026-11-20,sam,phone,8,10", "staff_id 'E9' is not on the roster"),
        ("E1,20/11/2026,sam,phone,8,10", "evaluated_at '20/11/2026' is not a local date"),
        ("E1,2026-02-30,sam,phone,8,10", "evaluated_at '2026-02-30' is not a real date"),
        ("E1,2026-11-20 24:00,sam,phone,8,10", "'2026-11-20 24:00' is not a real date and time"),
        ("E1,2026-11-20 9:30,sam,phone,8,10", "is not a local date YYYY-MM-DD or time"),
        ("E1,yesterday,sam,phone,8,10", "evaluated_at 'yesterday' is not a local date"),
        ("E1,2026-11-20,sam,phone,eight,10", "score 'eight' is not a number"),
        ("E1,2026-11-20,sam,phone,8,ten", "max_score 'ten' is not a number"),
        ("E1,2026-11-20,sam,phone,nan,10", "score 'nan' is not a number"),
        ("E1,2026-11-20,sam,phone,11,10", "the score 11 is above the maximum 10"),
        ("E1,2026-11-20,sam,phone,-1,10", "the score must be a number, 0 or more"),
        ("E1,2026-11-20,sam,phone,0,0", "the maximum score must be a number above 0"),
        ("E1,2026-11-20,sam,fax,8,10", "work_type 'fax' is not one of: phone, email, chat"),
        (",2026-11-20,sam,phone,8,10", "staff_id is empty"),
        ("E1,,sam,phone,8,10", "evaluated_at is empty"),
        ("E1,2026-11-20, ,phone,8,10", "evaluator is empty"),
        ("E1,2026-11-20,sam,,8,10", "work_type is empty"),
        ("E1,2026-11-20,sam,phone,,10", "score is empty"),
        ("E1,2026-11-20,sam,phone,8,", "max_score is empty"),
        ("E1,2026-11-20,sam,phone,8", "expected 6 columns"),
        ("E1,2026-11-20,sam,phone,8,10,a comment, with a comma", "got 8 (put a comment"),
        ("E1,2026-11-24,sam,phone,8,10", "evaluated_at '2026-11-24' is in the future"),
        (
            "E1,2026-03-29 01:30,sam,phone,8,10",
            "evaluated_at '2026-03-29 01:30' does not exist in Europe/London "
            "(the clocks go forward then)",
        ),
        (GOOD, "E1 2026-11-20 14:05 by sam (phone) repeats line 2"),
        (
            "E1,2026-11-20T14:05:00,sam,phone,80,100",
            "repeats line 2: expected each evaluation once",
        ),
    ],
)
def test_a_bad_row_rejects_the_whole_file(
    staffed: Engine, tmp_path: Path, bad_row: str, expected: str
) -> None:
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{bad_row}\n")
    problems = rejected(staffed, path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:3: ")
    assert expected in problems[0]
    assert stored(staffed) == []  # the good line 2 was not written either


def test_a_negative_maximum_rejects_the_file(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n{GOOD}\nE1,2026-11-21,sam,phone,0,-5\n")
    assert rejected(staffed, path) == [f"{path}:3: the maximum score must be a number above 0"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ("11,,,,,", "greeting: 11 is not between 0 and 10"),
        (",,,30.5,,", "resolution: 30.5 is not between 0 and 30"),
        (",,,,-1,", "compliance: -1 is not between 0 and 15"),
        (",,lots,,,", "discovery 'lots' is not a number (or leave it empty)"),
    ],
)
def test_a_criterion_outside_its_points_rejects_the_file(
    staffed: Engine, tmp_path: Path, cells: str, expected: str
) -> None:
    path = write(
        tmp_path,
        f"{FULL_HEADER}\nE1,2026-11-20,sam,phone,80,100,,,,,,,\n"
        f"E1,2026-11-21,sam,phone,80,100,{cells},\n",
    )
    assert rejected(staffed, path) == [f"{path}:3: {expected}"]


def test_every_bad_row_is_listed_in_line_order(staffed: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "E9,2026-11-20,sam,phone,8,10\n"  # 2
        f"{GOOD}\n"  # 3
        "\n"  # 4: blank lines are skipped but keep their number
        "E1,2026-11-21,,fax,12,10\n"  # 5: three problems
        f"{GOOD}\n",  # 6
    )
    assert rejected(staffed, path) == [
        f"{path}:2: staff_id 'E9' is not on the roster (import the roster first)",
        f"{path}:5: evaluator is empty",
        f"{path}:5: work_type 'fax' is not one of: phone, email, chat, escalation, back office",
        f"{path}:5: the score 12 is above the maximum 10",
        f"{path}:6: E1 2026-11-20 14:05 by sam (phone) repeats line 3: expected each "
        "evaluation once",
    ]


def test_a_quoted_comment_may_span_lines(staffed: Engine, tmp_path: Path) -> None:
    """Line numbers are the file's: a row after a two-line comment is named by its own line."""
    path = write(
        tmp_path,
        f'{HEADER},comments\nE1,2026-11-20,sam,phone,8,10,"first line\nsecond line"\n'
        "E1,2026-11-21,sam,phone,11,10,\n",
    )
    assert rejected(staffed, path) == [f"{path}:4: the score 11 is above the maximum 10"]


# -- rejections, the whole file ---------------------------------------------------------------


def test_missing_header_columns(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "staff_id,evaluated_at,score\nE1,2026-11-20,8\n")
    assert rejected(staffed, path) == [
        f"{path}:1: header lacks evaluator, work_type, max_score: expected {HEADER}"
    ]


def test_an_unknown_column_is_named_with_the_scorecard(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},greeting,empathy\nE1,2026-11-20,sam,phone,8,10,5,5\n")
    (problem,) = rejected(staffed, path)
    assert problem.startswith(f"{path}:1: column 'empathy' is not a scorecard criterion")
    assert "(greeting, verification, discovery, resolution, compliance, close)" in problem


def test_a_column_twice_or_without_a_name(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},close,close,\nE1,2026-11-20,sam,phone,8,10,5,5,\n")
    assert rejected(staffed, path) == [
        f"{path}:1: column 'close' appears twice: expected each column once",
        f"{path}:1: column 9 has no name: expected {HEADER}",
    ]


def test_empty_file(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert rejected(staffed, path) == [f"{path}:1: empty file: expected a header {HEADER}"]


def test_not_utf8(staffed: Engine, tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_bytes(
        f"{HEADER},comments\n{GOOD},\nE1,2026-11-21,sam,phone,8,10,caf\xe9\n".encode("latin-1")
    )
    assert rejected(staffed, path) == [f"{path}:3: not UTF-8 text (save the file as UTF-8 CSV)"]


def test_missing_file(staffed: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportError_, match="cannot read"):
        load(staffed, tmp_path / "nope.csv")


def test_a_rejected_file_leaves_earlier_imports_as_they_were(
    staffed: Engine, tmp_path: Path
) -> None:
    load(staffed, write(tmp_path, f"{HEADER}\n{GOOD}\nE2,2026-11-19,sam,chat,5,10\n", "a.csv"))
    before = stored(staffed)
    path = write(tmp_path, f"{HEADER}\nE2,2026-11-18,sam,chat,6,10\nE2,2026-11-17,sam,chat,6,0\n")
    rejected(staffed, path)
    assert stored(staffed) == before and len(before) == 2


# -- local time and DST -----------------------------------------------------------------------


def test_a_time_the_clocks_go_back_over_is_its_first_occurrence(
    staffed: Engine, tmp_path: Path
) -> None:
    # London, 25 Oct 2026: 01:00-02:00 happens twice (BST, then GMT). The first is 00:30 UTC.
    path = write(tmp_path, f"{HEADER}\nE1,2026-10-25 01:30,sam,phone,8,10\n")
    assert load(staffed, path).added == 1
    with staffed.connect() as conn:
        (row,) = agent_evaluations(conn, "E1")
    assert row.evaluated_at == utc(2026, 10, 25, 0, 30)


def test_times_either_side_of_the_gap(staffed: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nE1,2026-03-29 00:59:59,sam,phone,8,10\nE1,2026-03-29 02:00,sam,phone,8,10\n",
    )
    assert load(staffed, path).added == 2
    with staffed.connect() as conn:
        times = sorted(r.evaluated_at for r in agent_evaluations(conn, "E1"))
    assert times == [utc(2026, 3, 29, 0, 59, 59), utc(2026, 3, 29, 1, 0)]


def test_a_date_whose_midnight_is_skipped_is_its_first_instant(
    staffed: Engine, tmp_path: Path
) -> None:
    # Chile moves its clocks forward at midnight: 6 Sep 2026 starts at 01:00 local.
    tz = "America/Santiago"
    path = write(tmp_path, f"{HEADER}\nE1,2026-09-06,sam,phone,8,10\n")
    assert load(staffed, path, tz=tz).added == 1
    with staffed.connect() as conn:
        (row,) = agent_evaluations(conn, "E1")
    assert row.evaluated_at == day_bounds(dt.date(2026, 9, 6), tz)[0]
    assert row.evaluated_at == utc(2026, 9, 6, 4, 0)  # 01:00 -03:00


def test_the_site_zone_decides_the_instant(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nE1,2026-11-20 09:00,sam,phone,8,10\n")
    assert load(staffed, path, tz="America/New_York").added == 1
    with staffed.connect() as conn:
        (row,) = agent_evaluations(conn, "E1")
    assert row.evaluated_at == utc(2026, 11, 20, 14, 0)


def test_the_criteria_are_stored_as_json(staffed: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},close,greeting\nE1,2026-11-20,sam,phone,8,10,4,\n")
    load(staffed, path)
    with staffed.connect() as conn:
        ((criteria,),) = fetchall(conn, "SELECT criteria FROM qa_evaluation")
    assert json.loads(criteria) == {"close": 4.0}


# -- found by fuzzing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "tz"),
    [
        ("0001-01-01", "Europe/Paris"),  # was ValueError: year 0 is out of range
        ("0001-01-01", LONDON),  # was stored, in year 1
        ("9999-12-31 23:59", "America/New_York"),  # was ValueError: year 10000
    ],
)
def test_an_evaluation_date_out_of_range_is_a_problem_on_its_line(
    staffed: Engine, tmp_path: Path, when: str, tz: str
) -> None:
    """The row names its line and the range; nothing is stored."""
    path = write(tmp_path, f"{HEADER}\n{GOOD}\nE2,{when},sam,phone,80,100\n")
    with pytest.raises(ImportError_) as info:
        load(staffed, path, tz=tz)
    assert info.value.problems == [
        f"{path}:3: evaluated_at {when[:10]} is outside 1990-01-01 to 2099-12-31"
    ]
    assert stored(staffed) == []


def test_a_cell_over_the_csv_limit_rejects_the_file_with_its_line(
    staffed: Engine, tmp_path: Path
) -> None:
    """A 140,000-character comment raised csv.Error out of the import."""
    path = write(tmp_path, f"{HEADER},comments\n{GOOD},ok\n{GOOD},{'x' * 140_000}\n")
    with pytest.raises(ImportError_, match=r":3: not a CSV record \(field larger"):
        load(staffed, path)
    assert stored(staffed) == []
