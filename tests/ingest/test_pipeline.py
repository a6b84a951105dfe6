"""The ingest end to end into a SQLite file: rows written, damaged lines set aside, exact
duplicates dropped (in a batch, across batches, across runs), late lines placed by their
timestamp, the realtime CSV path, and the roster mapping several ACD names to one agent."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from floorsup.ingest.follow import ingest_file
from floorsup.ingest.queue_log import FormatError
from floorsup.store.access import system
from floorsup.store.roster import ImportError_, import_roster
from floorsup.store.sql import fetchall

T = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def q(engine: Engine, sql: str, params: tuple = ()) -> list[tuple]:
    with engine.connect() as conn:
        return fetchall(conn, sql, params)


def scenario(t: int = T) -> list[str]:
    """Two agents in two queues, four calls, a pause, a missed ring. Every agent event has a
    timestamp of its own, so any shuffle of it has one sorted order."""
    return [
        f"{t}|NONE|NONE|NONE|QUEUESTART|",
        f"{t + 1}|MANAGER|sales|PJSIP/2001|ADDMEMBER|",
        f"{t + 2}|MANAGER|support|PJSIP/2001|ADDMEMBER|",
        f"{t + 3}|MANAGER|sales|PJSIP/2002|ADDMEMBER|",
        f"{t + 10}|{t + 10}.1|sales|NONE|DID|+18005550100",
        f"{t + 11}|{t + 10}.1|sales|NONE|ENTERQUEUE||+15555550101|1",
        f"{t + 14}|{t + 10}.1|sales|PJSIP/2001|CONNECT|3|{t + 10}.2|2",
        f"{t + 20}|{t + 20}.3|sales|NONE|ENTERQUEUE||+15555550102|1",
        f"{t + 36}|{t + 20}.3|sales|PJSIP/2002|RINGNOANSWER|15000",
        f"{t + 37}|NONE|NONE|PJSIP/2002|PAUSEALL|Break",
        f"{t + 50}|{t + 20}.3|sales|NONE|ABANDON|1|1|30",
        f"{t + 60}|{t + 60}.4|support|NONE|ENTERQUEUE||+15555550103|1",
        f"{t + 95}|{t + 10}.1|sales|PJSIP/2001|COMPLETECALLER|3|81|1",
        f"{t + 99}|{t + 60}.4|support|PJSIP/2001|CONNECT|39|{t + 60}.5|4",
        f"{t + 120}|{t + 120}.6|sales|NONE|ENTERQUEUE||+15555550104|1",
        f"{t + 130}|{t + 120}.6|sales|NONE|EXITWITHKEY|5|1|1|10",
        f"{t + 400}|{t + 60}.4|support|PJSIP/2001|TRANSFER|2100|from-internal|39|301|1",
        f"{t + 937}|NONE|NONE|PJSIP/2002|UNPAUSEALL|Break",
        f"{t + 1000}|MANAGER|sales|PJSIP/2002|REMOVEMEMBER|",
    ]


def test_ingest_file_writes_calls_spans_rejects_and_counts(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], timeline: Callable
) -> None:
    lines: list[str | bytes] = list(scenario())
    lines.insert(5, b"1700000010|x|sales")  # line 6: truncated
    lines.insert(8, b"")  # line 9: blank
    lines.insert(12, b"1700000040|x|sales|Jos\xe9|PAUSE|")  # line 13: not UTF-8
    path = write_log(tmp_path / "queue_log", lines)
    summary = ingest_file(engine, path, tz="UTC")
    assert (summary.lines, summary.events, summary.rejected, summary.blank) == (22, 19, 2, 1)
    assert [r.line_no for r in summary.reject_samples] == [6, 13]
    assert f"{path}:6: truncated" in summary.text()

    calls = {
        r[0]: r[1:]
        for r in q(
            engine,
            "SELECT callid, queue, entered_at, answered_at, ended_at, wait_seconds, talk_seconds, "
            "agent, outcome FROM call",
        )
    }
    assert calls == {
        f"{T + 10}.1": ("sales", T + 11, T + 14, T + 95, 3, 81, "PJSIP/2001", "answered"),
        f"{T + 20}.3": ("sales", T + 20, None, T + 50, 30, None, None, "abandoned"),
        f"{T + 60}.4": ("support", T + 60, T + 99, T + 400, 39, 301, "PJSIP/2001", "transferred"),
        f"{T + 120}.6": ("sales", T + 120, None, T + 130, 10, None, None, "exit_key"),
    }
    assert timeline(engine) == [
        ("PJSIP/2001", "available", None, None, None, T + 1, T + 12),
        ("PJSIP/2001", "ringing", None, "sales", f"{T + 10}.1", T + 12, T + 14),
        ("PJSIP/2001", "on_call", None, "sales", f"{T + 10}.1", T + 14, T + 95),
        ("PJSIP/2001", "ringing", None, "support", f"{T + 60}.4", T + 95, T + 99),
        ("PJSIP/2001", "on_call", None, "support", f"{T + 60}.4", T + 99, T + 400),
        ("PJSIP/2001", "available", None, None, None, T + 400, None),
        ("PJSIP/2002", "available", None, None, None, T + 3, T + 21),
        ("PJSIP/2002", "ringing", None, "sales", f"{T + 20}.3", T + 21, T + 36),
        ("PJSIP/2002", "available", None, None, None, T + 36, T + 37),
        ("PJSIP/2002", "paused", "Break", None, None, T + 37, T + 937),
        ("PJSIP/2002", "available", None, None, None, T + 937, T + 1000),
        ("PJSIP/2002", "logged_out", None, None, None, T + 1000, None),
    ]
    rejected = q(engine, "SELECT line_no, reason, raw FROM rejected_line ORDER BY line_no")
    assert [(r[0], r[1].split(":")[0]) for r in rejected] == [
        (6, "truncated"),
        (13, "not UTF-8 text"),
    ]
    assert rejected[1][2].endswith("Jos\\xe9|PAUSE|")
    src = q(
        engine,
        'SELECT path, format, "offset", line_no, lines_ok, lines_rejected, lines_duplicate '
        "FROM ingest_source",
    )
    assert src == [(str(path.resolve()), "flat", path.stat().st_size, 22, 19, 2, 0)]
    assert {r[0] for r in q(engine, "SELECT name FROM queue")} == {"sales", "support"}
    assert {r[0] for r in q(engine, "SELECT name FROM acd_agent")} == {"PJSIP/2001", "PJSIP/2002"}
    live = q(engine, "SELECT agent, logged_in, queues, state FROM agent_live ORDER BY agent")
    assert live == [
        ("PJSIP/2001", 1, "sales|support", "available"),
        ("PJSIP/2002", 0, "", "logged_out"),
    ]


def test_spans_of_one_agent_tile_time_without_gaps_or_overlaps(
    engine: Engine,
    tmp_path: Path,
    write_log: Callable[..., Path],
    floor_lines: list[str],
    timeline: Callable,
) -> None:
    ingest_file(engine, write_log(tmp_path / "queue_log", floor_lines), tz="UTC")
    by_agent: dict[str, list[tuple[float, float | None]]] = {}
    for agent, _state, _reason, _q, _c, start, end in timeline(engine):
        by_agent.setdefault(agent, []).append((start, end))
    assert len(by_agent) > 10
    for agent, spans in by_agent.items():
        assert all(e is not None for _, e in spans[:-1]), agent
        assert spans[-1][1] is None, agent  # exactly one lasting span, the last
        for (s1, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            assert e1 == s2 and s1 < e1, (agent, s1, e1, s2)


def test_exact_duplicates_in_a_batch_across_batches_and_runs(
    engine: Engine,
    tmp_path: Path,
    write_log: Callable[..., Path],
    snapshot: Callable,
    run_feed: Callable,
) -> None:
    lines = scenario()
    dup_lines = lines[:3] + [lines[5], lines[5]] + lines[3:] + [lines[6], lines[-1]]
    a = write_log(tmp_path / "a.log", dup_lines)
    s = run_feed(engine, a, tz="UTC", batch_lines=3)
    assert (s.events, s.duplicates) == (len(lines), 4)
    clean = snapshot(engine)

    # The same lines again in another file (a rotated copy), plus one new: a second run
    b = write_log(tmp_path / "b.log", [*lines, f"{T + 1001}|NONE|NONE|NONE|CONFIGRELOAD|"])
    s2 = run_feed(engine, b, tz="UTC", batch_lines=3)
    assert (s2.events, s2.duplicates) == (1, len(lines))
    after = snapshot(engine)
    for table in ("calls", "spans", "rejected", "live"):
        assert after[table] == clean[table], table
    assert len(after["events"]) == len(lines) + 1
    counts = q(engine, "SELECT lines_ok, lines_duplicate FROM ingest_source ORDER BY id")
    assert counts == [(len(lines), 4), (1, len(lines))]


def test_old_duplicates_beyond_the_memory_window_are_caught_in_the_database(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], snapshot: Callable
) -> None:
    early, late = scenario(T), scenario(T + 5 * 3600)
    ingest_file(engine, write_log(tmp_path / "a.log", early + late), tz="UTC")
    before = snapshot(engine)
    s = ingest_file(engine, write_log(tmp_path / "b.log", early), tz="UTC")
    assert (s.events, s.duplicates) == (0, len(early))
    assert snapshot(engine)["events"] == before["events"]
    assert snapshot(engine)["spans"] == before["spans"]


def test_a_near_duplicate_is_not_a_duplicate(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path]
) -> None:
    base = f"{T + 95}|{T + 10}.1|sales|PJSIP/2001|COMPLETEAGENT|3|81|"
    lines = scenario()[:7] + [base + "1", base + "4", base + "1"]
    s = ingest_file(engine, write_log(tmp_path / "a.log", lines), tz="UTC")
    assert (s.events, s.duplicates) == (9, 1)
    assert q(
        engine, "SELECT outcome, talk_seconds FROM call WHERE callid = ?", (f"{T + 10}.1",)
    ) == [("answered", 81.0)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_out_of_order_lines_give_the_result_of_the_sorted_file(
    engine_factory: Callable[[str], Engine],
    tmp_path: Path,
    write_log: Callable[..., Path],
    snapshot: Callable,
    run_feed: Callable,
    seed: int,
) -> None:
    lines = scenario() + scenario(T + 2000)
    shuffled = list(lines)
    random.Random(seed).shuffle(shuffled)
    sorted_db, shuffled_db = engine_factory("sorted.db"), engine_factory("shuffled.db")
    ingest_file(sorted_db, write_log(tmp_path / "sorted.log", lines), tz="UTC")
    run_feed(shuffled_db, write_log(tmp_path / "shuffled.log", shuffled), tz="UTC", batch_lines=3)
    want, got = snapshot(sorted_db), snapshot(shuffled_db)
    assert got["calls"] == want["calls"]
    assert got["spans"] == want["spans"]
    assert got["events"] == want["events"]
    assert got["queues"] == want["queues"] and got["acd_agents"] == want["acd_agents"]


def test_a_late_line_leaves_agent_live_as_the_sorted_file_does(
    engine_factory: Callable[[str], Engine],
    tmp_path: Path,
    write_log: Callable[..., Path],
    timeline: Callable,
    run_feed: Callable,
) -> None:
    lines = [
        f"{T}|MANAGER|sales|PJSIP/2001|ADDMEMBER|",
        f"{T + 100}|NONE|sales|PJSIP/2001|UNPAUSE|Lunch",
        f"{T + 50}|NONE|sales|PJSIP/2001|PAUSE|Lunch",  # late, in the second batch
    ]
    late_db, sorted_db = engine_factory("late.db"), engine_factory("sorted.db")
    run_feed(late_db, write_log(tmp_path / "late.log", lines), tz="UTC", batch_lines=2)
    run_feed(sorted_db, write_log(tmp_path / "sorted.log", sorted(lines)), tz="UTC")
    assert (
        timeline(late_db)
        == timeline(sorted_db)
        == [
            ("PJSIP/2001", "available", None, None, None, T, T + 50),
            ("PJSIP/2001", "paused", "Lunch", None, None, T + 50, T + 100),
            ("PJSIP/2001", "available", None, None, None, T + 100, None),
        ]
    )


def test_late_lines_of_a_busy_floor_give_the_result_of_the_sorted_file(
    engine_factory: Callable[[str], Engine],
    tmp_path: Path,
    write_log: Callable[..., Path],
    snapshot: Callable,
    run_feed: Callable,
    floor_lines: list[str],
) -> None:
    lines = floor_lines[:1200]
    stamps = [ln.split("|", 1)[0] for ln in lines]
    unique = [i for i, s in enumerate(stamps) if stamps.count(s) == 1]  # one sorted order
    rng = random.Random(5)
    late = list(lines)
    for i in sorted(rng.sample(unique, 60), reverse=True):
        line = late.pop(i)
        late.insert(min(len(late), i + rng.randint(1, 80)), line)
    assert late != lines
    want_db, got_db = engine_factory("sorted.db"), engine_factory("late.db")
    ingest_file(want_db, write_log(tmp_path / "sorted.log", lines), tz="UTC")
    run_feed(got_db, write_log(tmp_path / "late.log", late), tz="UTC", batch_lines=7)
    want, got = snapshot(want_db), snapshot(got_db)
    assert got["calls"] == want["calls"]
    assert got["spans"] == want["spans"]
    assert got["events"] == want["events"]


# -- realtime CSV ------------------------------------------------------------------------------

REALTIME = [
    "time,callid,queuename,agent,event,data1,data2,data3,data4,data5",
    "2024-11-02 23:50:00,MANAGER,sales,PJSIP/2001,ADDMEMBER,,,,,",
    "2024-11-02 23:59:00,1730606340.1,sales,NONE,ENTERQUEUE,,+15555550101,1,,",
    "2024-11-03 00:00:05,1730606340.1,sales,PJSIP/2001,CONNECT,65,1730606405.2,3,,",
    "2024-11-03 00:04:05,1730606340.1,sales,PJSIP/2001,COMPLETEAGENT,65,240,1,,",
    "",
    "2024-11-03 00:10:00,1730607000.3,sales,NONE,ENTERQUEUE,,+15555550102,1,,",
    "2024-11-03 00:10:30,1730607000.3,sales,NONE,ABANDON,1,1,30,,",
    "not a time,x,sales,NONE,ABANDON,1,1,30,,",
    "2024-11-03 02:30:00,NONE,NONE,PJSIP/2001,PAUSEALL,Lunch,,,,",
]


@pytest.mark.parametrize(("bom", "newline"), [(b"", b"\n"), (b"\xef\xbb\xbf", b"\r\n")])
def test_realtime_csv_end_to_end(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], bom: bytes, newline: bytes
) -> None:
    path = write_log(tmp_path / "queue_log.csv", REALTIME, newline=newline)
    path.write_bytes(bom + path.read_bytes())
    s = ingest_file(engine, path, tz="America/New_York")
    assert s.format == "realtime-csv"
    assert (s.events, s.rejected, s.blank) == (7, 1, 1)
    assert [(r.line_no, r.reason.split(" '")[0]) for r in s.reject_samples] == [
        (9, "unparsable time")
    ]
    # 2024-11-02 23:59 EDT = 03:59 UTC; 2024-11-03 02:30 EST = 07:30 UTC
    calls = q(
        engine,
        "SELECT callid, entered_at, answered_at, ended_at, wait_seconds, talk_seconds, outcome FROM call ORDER BY callid",
    )
    assert calls == [
        ("1730606340.1", 1730606340.0, 1730606405.0, 1730606645.0, 65.0, 240.0, "answered"),
        ("1730607000.3", 1730607000.0, None, 1730607030.0, 30.0, None, "abandoned"),
    ]
    assert q(engine, "SELECT state, reason, state_since FROM agent_live") == [
        ("paused", "Lunch", 1730619000.0)
    ]
    src = q(engine, 'SELECT format, line_no, lines_ok, lines_rejected, "offset" FROM ingest_source')
    assert src == [("realtime-csv", len(REALTIME), 7, 1, path.stat().st_size)]


def test_realtime_csv_resumes_without_rereading_the_header(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path]
) -> None:
    path = write_log(tmp_path / "queue_log.csv", REALTIME[:5])
    assert ingest_file(engine, path, tz="America/New_York").events == 4
    with path.open("a") as fh:
        fh.write("\n".join(REALTIME[5:]) + "\n")
    s = ingest_file(engine, path, tz="America/New_York")
    assert (s.events, s.rejected, s.blank) == (3, 1, 1)
    assert [r.line_no for r in s.reject_samples] == [9]
    assert q(engine, "SELECT count(*) FROM queue_event") == [(7,)]


def test_unreadable_format_is_refused_with_the_path(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a queue_log\n")
    with pytest.raises(FormatError, match=f"{path}: cannot tell the format"):
        ingest_file(engine, path, tz="UTC")
    assert q(engine, "SELECT count(*) FROM queue_event") == [(0,)]
    with pytest.raises(FileNotFoundError):
        ingest_file(engine, tmp_path / "missing.log", tz="UTC")


def test_empty_file_is_fine(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"")
    s = ingest_file(engine, path, tz="UTC")
    assert (s.lines, s.events) == (0, 0)


# -- roster ---------------------------------------------------------------------------------------

ROSTER = """staff_id,name,team,role,hire_date,acd_agent
E100,Ana Example,Blue,agent,2021-04-01,SIP/1000;Agent 1
E101,Ben Example,Blue,agent,,PJSIP/2002
E200,Cara Example,,supervisor,2019-01-15,
"""


def test_roster_first_maps_two_acd_names_to_one_agent(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path], timeline: Callable
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    res = import_roster(engine, roster, actor=system())
    assert (res.added, res.updated, res.acd_names) == (3, 0, 3)
    lines = [
        f"{T}|MANAGER|500|SIP/1000|ADDMEMBER|",
        f"{T}|NONE|NONE|Agent 1|UNPAUSEALL|",
        f"{T + 10}|NONE|500|Agent 1|PAUSE|Lunch",
        f"{T + 20}|c1|500|NONE|ENTERQUEUE||+15555550101|1",
        f"{T + 1810}|NONE|500|Agent 1|UNPAUSE|Lunch",
        f"{T + 1815}|c1|500|Agent 1|CONNECT|1795|c1.2|2",
        f"{T + 1915}|c1|500|Agent 1|COMPLETECALLER|1795|100|1",
        f"{T + 2000}|MANAGER|500|SIP/1000|REMOVEMEMBER|",
    ]
    ingest_file(engine, write_log(tmp_path / "queue_log", lines), tz="UTC")
    spans = [(r[0], r[1], r[2], r[5], r[6]) for r in timeline(engine)]
    assert spans == [
        ("SIP/1000", "available", None, T, T + 10),
        ("SIP/1000", "paused", "Lunch", T + 10, T + 1810),
        ("SIP/1000", "available", None, T + 1810, T + 1813),
        ("SIP/1000", "ringing", None, T + 1813, T + 1815),
        ("SIP/1000", "on_call", None, T + 1815, T + 1915),
        ("SIP/1000", "available", None, T + 1915, T + 2000),
        ("SIP/1000", "logged_out", None, T + 2000, None),
    ]
    assert q(engine, "SELECT agent, outcome FROM call") == [("SIP/1000", "answered")]
    assert q(engine, "SELECT agent FROM agent_live") == [("SIP/1000",)]
    assert q(engine, "SELECT count(*) FROM queue_event WHERE agent = 'Agent 1'") == [
        (5,)
    ]  # raw kept


def test_without_the_roster_the_two_names_are_two_agents(
    engine: Engine, tmp_path: Path, write_log: Callable[..., Path]
) -> None:
    lines = [f"{T}|MANAGER|500|SIP/1000|ADDMEMBER|", f"{T}|NONE|NONE|Agent 1|UNPAUSEALL|"]
    ingest_file(engine, write_log(tmp_path / "queue_log", lines), tz="UTC")
    assert {r[0] for r in q(engine, "SELECT agent FROM agent_live")} == {"SIP/1000", "Agent 1"}


def test_roster_with_bad_rows_is_rejected_with_line_numbers_and_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    good = tmp_path / "roster.csv"
    good.write_text(ROSTER)
    import_roster(engine, good, actor=system())
    tables = ("staff", "team", "acd_agent")
    before = {t: q(engine, f"SELECT * FROM {t} ORDER BY 1") for t in tables}
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "staff_id,name,team,role,hire_date,acd_agent\n"
        "E100,Ana Renamed,Green,agent,2021-04-01,SIP/1000\n"  # 2: fine on its own
        ",No Id,Blue,agent,,\n"  # 3
        "E300,,Blue,wizard,2021-13-01,PJSIP/2003\n"  # 4: no name, bad role, bad date
        "E301,Dan Example,Blue,agent,,SIP/1000\n"  # 5: ACD name of line 2
        "E100,Ana Again,Blue,agent,,\n"  # 6: repeats line 2
        "E302,Short\n"  # 7
        "\n"
        "E303,Eve Example,Blue,agent,,\n"  # 9: fine
    )
    with pytest.raises(ImportError_) as info:
        import_roster(engine, bad, actor=system())
    problems = info.value.problems
    where = [p.split(": ", 1)[0] for p in problems]
    assert where == [f"{bad}:{n}" for n in (3, 4, 4, 4, 5, 6, 7)]
    text = "\n".join(problems)
    assert "staff_id is empty" in text
    assert "name is empty" in text and "role 'wizard' is not one of" in text
    assert "hire_date '2021-13-01' is not a date YYYY-MM-DD" in text
    assert "acd_agent 'SIP/1000' already belongs to line 2" in text
    assert "staff_id 'E100' repeats line 2" in text
    assert "expected 6 columns, got 2" in text
    assert "nothing was changed" in str(info.value)
    assert {t: q(engine, f"SELECT * FROM {t} ORDER BY 1") for t in tables} == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", ":1: empty file"),
        (b"staff_id,name,role\nE1,A,agent\n", ":1: header lacks team, hire_date, acd_agent"),
        (b"staff_id,name,team,role,hire_date,acd_agent\nE1,Jos\xe9,T,agent,,\n", ":2: not UTF-8"),
    ],
)
def test_roster_file_level_problems(
    engine: Engine, tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=problem):
        import_roster(engine, path, actor=system())
    assert q(engine, "SELECT count(*) FROM staff") == [(0,)]


# -- the optional login column -----------------------------------------------------------------


def test_roster_login_column_sets_logins_and_its_absence_keeps_them(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "staff_id,name,team,role,hire_date,acd_agent,login\n"
        "E100,Ana Example,Blue,agent,2021-04-01,SIP/1000, ana \n"
        "E101,Ben Example,Blue,agent,,PJSIP/2002,ben\n"
        "E200,Cara Example,,supervisor,2019-01-15,,\n"  # empty: no login
    )
    import_roster(engine, path, actor=system())
    logins = "SELECT staff_id, login FROM staff ORDER BY staff_id"
    assert q(engine, logins) == [("E100", "ana"), ("E101", "ben"), ("E200", None)]
    import_roster(engine, _plain(tmp_path), actor=system())  # no login column: logins stay
    assert q(engine, logins) == [("E100", "ana"), ("E101", "ben"), ("E200", None)]
    # logins may move between people in one file; an empty cell clears one
    path.write_text(
        "staff_id,name,team,role,hire_date,acd_agent,login\n"
        "E100,Ana Example,Blue,agent,2021-04-01,SIP/1000,ben\n"
        "E101,Ben Example,Blue,agent,,PJSIP/2002,ana\n"
        "E200,Cara Example,,supervisor,2019-01-15,,\n"
    )
    import_roster(engine, path, actor=system())
    assert q(engine, logins) == [("E100", "ben"), ("E101", "ana"), ("E200", None)]


def _plain(tmp_path: Path) -> Path:
    path = tmp_path / "plain.csv"
    path.write_text(ROSTER)
    return path


def test_roster_login_used_twice_is_rejected_with_line_numbers(
    engine: Engine, tmp_path: Path
) -> None:
    import_roster(engine, _plain(tmp_path), actor=system())
    before = q(engine, "SELECT * FROM staff ORDER BY 1")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "staff_id,name,team,role,hire_date,acd_agent,login\n"
        "E100,Ana Example,Blue,agent,2021-04-01,SIP/1000,ana\n"
        "E101,Ben Example,Blue,agent,,PJSIP/2002,\n"
        "E200,Cara Example,,supervisor,2019-01-15,,ANA\n"  # 4: line 2's, in another case
    )
    with pytest.raises(ImportError_) as info:
        import_roster(engine, bad, actor=system())
    assert info.value.problems == [f"{bad}:4: login 'ANA' is already used on line 2"]
    assert q(engine, "SELECT * FROM staff ORDER BY 1") == before


def test_roster_login_held_by_someone_not_in_the_file_is_rejected(
    engine: Engine, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(
        "staff_id,name,team,role,hire_date,acd_agent,login\n"
        "E100,Ana Example,Blue,agent,2021-04-01,SIP/1000,ana\n"
    )
    import_roster(engine, first, actor=system())
    tables = ("staff", "team", "acd_agent")
    before = {t: q(engine, f"SELECT * FROM {t} ORDER BY 1") for t in tables}
    second = tmp_path / "second.csv"
    second.write_text(
        "staff_id,name,team,role,hire_date,acd_agent,login\n"
        "E300,Dan Example,Green,agent,,PJSIP/2003,Ana\n"
    )
    with pytest.raises(ImportError_) as info:
        import_roster(engine, second, actor=system())
    assert info.value.problems == [
        f"{second}:2: login 'Ana' already belongs to E100, who is not in this file"
    ]
    assert {t: q(engine, f"SELECT * FROM {t} ORDER BY 1") for t in tables} == before


# -- roster: found by fuzzing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        # a cell over the csv module's limit raised csv.Error out of the import
        (
            "staff_id,name,team,role,hire_date,acd_agent\nE1,Ada,T,agent,,\nE2," + "x" * 140_000,
            r":3: not a CSV record \(field larger than field limit",
        ),
        # hire dates of year 1 and 9999 were stored as they were
        (
            "staff_id,name,team,role,hire_date,acd_agent\nE1,Ada,T,agent,0001-01-01,\n",
            ":2: hire_date '0001-01-01' is outside 1900-01-01 to 2099-12-31",
        ),
        (
            "staff_id,name,team,role,hire_date,acd_agent\nE1,Ada,T,agent,9999-12-31,\n",
            ":2: hire_date '9999-12-31' is outside 1900-01-01 to 2099-12-31",
        ),
    ],
)
def test_roster_hostile_cells_are_problems_with_their_line(
    engine: Engine, tmp_path: Path, content: str, problem: str
) -> None:
    """Each rejects the file naming the line; nothing is stored."""
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportError_, match=problem):
        import_roster(engine, path, actor=system())
    assert q(engine, "SELECT count(*) FROM staff") == [(0,)]
