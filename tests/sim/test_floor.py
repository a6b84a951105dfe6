"""The demo floor simulator: a pure, deterministic generator of Asterisk queue_log lines."""

from __future__ import annotations

import csv
import random
import re
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorsup.sim import (
    EVENTS,
    ROSTER_COLUMNS,
    TERMINAL_EVENTS,
    FloorSimulator,
    demo_centre,
    roster_csv,
    roster_rows,
)

TZ = "America/Chicago"
DAY = int(datetime(2026, 11, 23, tzinfo=ZoneInfo(TZ)).timestamp())
ROSTER_PATH = Path(__file__).resolve().parents[2] / "db" / "samples" / "roster.csv"

# data fields each event carries (after `epoch|callid|queue|agent|event`)
ARITY = {
    "QUEUESTART": 1,
    "ADDMEMBER": 1,
    "REMOVEMEMBER": 1,
    "PAUSE": 1,
    "UNPAUSE": 1,
    "PAUSEALL": 1,
    "UNPAUSEALL": 1,
    "DID": 1,
    "ENTERQUEUE": 3,
    "RINGNOANSWER": 1,
    "CONNECT": 3,
    "COMPLETEAGENT": 3,
    "COMPLETECALLER": 3,
    "TRANSFER": 5,
    "ABANDON": 3,
    "EXITWITHTIMEOUT": 3,
    "EXITWITHKEY": 4,
    "EXITEMPTY": 3,
}
PAUSE_REASONS = {"Break", "Lunch", "Meeting", "Training", "Coaching", "Personal"}
UNIQUEID = re.compile(r"^\d{10}\.\d+$")


def simulate(until: float, *, seed: int = 7, tz: str = TZ, day: int = DAY) -> list[str]:
    return FloorSimulator(demo_centre(7), tz=tz, day_start=day, seed=seed).advance(until)


def split(line: str) -> list[str]:
    return line.rstrip("\n").split("|")


@pytest.fixture(scope="module")
def centre():
    return demo_centre(7)


@pytest.fixture(scope="module")
def day_lines() -> list[str]:
    """A whole day plus two hours, so that every call entered that day has ended."""
    return simulate(DAY + 86400 + 7200)


@pytest.fixture(scope="module")
def parsed(day_lines) -> list[list[str]]:
    return [split(line) for line in day_lines]


# --- determinism -------------------------------------------------------------------------
def test_same_seed_same_lines(day_lines):
    assert simulate(DAY + 86400 + 7200) == day_lines
    assert simulate(DAY + 86400 + 7200, seed=8) != day_lines


def test_chunking_does_not_change_the_lines(day_lines):
    sim = FloorSimulator(demo_centre(7), tz=TZ, day_start=DAY)
    rng = random.Random(1)
    cuts = sorted(DAY + rng.uniform(0, 86400 + 7200) for _ in range(999))
    got: list[str] = []
    for cut in cuts:
        got += sim.advance(cut)
    got += sim.advance(DAY + 86400 + 7200)
    assert got == day_lines


def test_advancing_to_the_same_instant_twice_returns_nothing_new():
    sim = FloorSimulator(demo_centre(7), tz=TZ, day_start=DAY)
    first = sim.advance(DAY + 9 * 3600)
    assert first
    assert sim.advance(DAY + 9 * 3600) == []
    assert sim.advance(DAY + 9 * 3600 - 60) == []  # going back is a no-op
    later = sim.advance(DAY + 9 * 3600 + 600)
    assert later and int(split(later[0])[0]) > DAY + 9 * 3600


def test_nothing_before_day_start_and_queuestart_first(day_lines):
    assert day_lines[0] == f"{DAY}|NONE|NONE|NONE|QUEUESTART|\n"
    assert FloorSimulator(demo_centre(7), tz=TZ, day_start=DAY).advance(DAY - 1) == []


# --- line format -------------------------------------------------------------------------
def test_lines_are_well_formed_and_in_time_order(day_lines, parsed):
    last = DAY
    for line, p in zip(day_lines, parsed, strict=True):
        assert line.endswith("\n") and line.count("\n") == 1
        assert len(p) >= 6, line
        epoch, callid, queue, agent, event, *data = p
        t = int(epoch)
        assert DAY <= t <= DAY + 86400 + 7200
        assert t >= last, line
        last = t
        assert event in EVENTS, line
        assert len(data) == ARITY[event], line
        if event in ("ADDMEMBER", "REMOVEMEMBER"):
            assert callid == "MANAGER" and agent.startswith("PJSIP/") and data == [""]
        if event in ("PAUSEALL", "UNPAUSEALL"):
            assert (callid, queue) == ("NONE", "NONE") and data[0] in PAUSE_REASONS
        if event in ("PAUSE", "UNPAUSE"):
            assert callid == "NONE" and queue != "NONE" and data[0] in PAUSE_REASONS
        if event in ("DID", "ENTERQUEUE", "CONNECT", *TERMINAL_EVENTS, "RINGNOANSWER"):
            assert UNIQUEID.match(callid), line
            assert int(callid.split(".")[0]) <= t
        if event == "ENTERQUEUE":
            assert data[0] == "" and re.fullmatch(r"\+1\d{3}55501\d\d", data[1])
            assert int(data[2]) >= 1
        if event == "CONNECT":
            assert int(data[0]) >= 0 and UNIQUEID.match(data[1]) and 1 <= int(data[2]) <= 15
        if event in ("COMPLETEAGENT", "COMPLETECALLER"):
            assert all(int(x) >= 0 for x in data)
        if event == "TRANSFER":
            assert data[1] == "from-internal" and data[0].isdigit()
        if event == "RINGNOANSWER":
            assert int(data[0]) == 15000


def test_queue_names_are_the_centres(parsed, centre):
    names = {q.name for q in centre.queues}
    used = {p[2] for p in parsed if p[2] != "NONE"}
    assert used == names


# --- call lifecycles ---------------------------------------------------------------------
def test_every_call_ends_exactly_once(parsed):
    events: dict[str, list[tuple[int, str, list[str]]]] = defaultdict(list)
    for p in parsed:
        if p[1] not in ("NONE", "MANAGER"):
            events[p[1]].append((int(p[0]), p[4], p[5:]))
    checked = 0
    for callid, evs in events.items():
        names = [e for _, e, _ in evs]
        if "ENTERQUEUE" not in names:
            continue
        enter = evs[names.index("ENTERQUEUE")][0]
        assert names[0] == "DID" and names[1] == "ENTERQUEUE", callid
        terminals = [e for e in names if e in TERMINAL_EVENTS]
        if enter > DAY + 86400:
            assert len(terminals) <= 1
            continue
        checked += 1
        assert len(terminals) == 1, (callid, names)
        assert names[-1] in TERMINAL_EVENTS, (callid, names)  # nothing after the end
        connects = names.count("CONNECT")
        assert connects <= 1
        if names[-1] in ("COMPLETEAGENT", "COMPLETECALLER", "TRANSFER"):
            assert connects == 1
            t_conn, _, cdata = evs[names.index("CONNECT")]
            t_end, _, edata = evs[-1]
            hold, talk = (edata[2], edata[3]) if names[-1] == "TRANSFER" else edata[:2]
            assert int(cdata[0]) == t_conn - enter == int(hold)
            assert int(talk) == t_end - t_conn
        else:
            assert connects == 0
            t_end, _, edata = evs[-1]
            assert int(edata[-1]) == t_end - enter  # waittime
    assert checked > 2000


def test_agents_take_one_call_at_a_time_and_only_when_logged_in_and_unpaused(parsed):
    in_queues: dict[str, set[str]] = defaultdict(set)
    paused_all: set[str] = set()
    paused_q: set[tuple[str, str]] = set()
    on_call: dict[str, str] = {}
    calls = 0
    for p in parsed:
        callid, queue, agent, event = p[1], p[2], p[3], p[4]
        if event == "ADDMEMBER":
            in_queues[agent].add(queue)
        elif event == "REMOVEMEMBER":
            assert agent not in on_call
            in_queues[agent].discard(queue)
            if not in_queues[agent]:
                paused_all.discard(agent)
                paused_q.difference_update({k for k in paused_q if k[0] == agent})
        elif event == "PAUSEALL":
            assert in_queues[agent] and agent not in on_call and agent not in paused_all
            paused_all.add(agent)
        elif event == "UNPAUSEALL":
            assert agent in paused_all
            paused_all.discard(agent)
        elif event == "PAUSE":
            assert queue in in_queues[agent]
            paused_q.add((agent, queue))
        elif event == "UNPAUSE":
            paused_q.discard((agent, queue))
        elif event == "CONNECT":
            assert agent not in on_call, "two calls at once"
            assert queue in in_queues[agent], "call while logged out"
            assert agent not in paused_all and (agent, queue) not in paused_q
            on_call[agent] = callid
            calls += 1
        elif event in ("COMPLETEAGENT", "COMPLETECALLER", "TRANSFER"):
            assert on_call.pop(agent) == callid
    assert calls > 2000


def test_pauses_all_come_back(parsed):
    open_pause: dict[str, int] = {}
    lengths: dict[str, list[int]] = defaultdict(list)
    for p in parsed:
        t, agent, event = int(p[0]), p[3], p[4]
        if event == "PAUSEALL":
            open_pause[agent] = t
        elif event == "UNPAUSEALL":
            lengths[p[5]].append(t - open_pause.pop(agent))
        elif event == "REMOVEMEMBER":
            open_pause.pop(agent, None)
    assert {"Break", "Lunch"} <= set(lengths)
    assert 780 <= sorted(lengths["Break"])[len(lengths["Break"]) // 2] <= 1080
    assert all(1500 <= x <= 5400 for x in lengths["Lunch"])


# --- a believable day ----------------------------------------------------------------------
def test_a_whole_day_is_fast_and_believable(centre):
    t0 = time.perf_counter()
    lines = FloorSimulator(centre, tz=TZ, day_start=DAY).advance(DAY + 86400)
    elapsed = time.perf_counter() - t0
    ev = Counter(split(line)[4] for line in lines)
    sl_s = {q.name: q.sl_seconds for q in centre.queues}
    enter: dict[str, int] = {}
    offered = answered_in_sl = 0
    for line in lines:
        p = split(line)
        if p[4] == "ENTERQUEUE":
            enter[p[1]] = int(p[0])
        elif p[4] in ("CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY"):
            offered += 1
            if p[4] == "CONNECT" and int(p[0]) - enter[p[1]] <= sl_s[p[2]]:
                answered_in_sl += 1
    calls = ev["ENTERQUEUE"]
    abandon = ev["ABANDON"] / calls
    sl = answered_in_sl / offered
    print(
        f"\none day: {calls} calls, {len(lines)} lines, {ev['CONNECT']} answered, "
        f"abandon {abandon:.1%}, SL {sl:.0%}, {elapsed:.2f}s\n{dict(ev)}"
    )
    assert elapsed < 3.0
    assert 2500 <= calls <= 7000
    assert 0.02 <= abandon <= 0.12
    assert 0.7 <= sl <= 0.95
    assert ev["RINGNOANSWER"] > 0 and ev["TRANSFER"] > 0
    assert ev["COMPLETEAGENT"] > 0 and ev["COMPLETECALLER"] > 0
    assert ev["PAUSEALL"] > 100


def test_the_floor_is_never_empty(parsed, centre):
    members: dict[str, set[str]] = defaultdict(set)
    for p in parsed:
        if p[4] == "ADDMEMBER":
            members[p[2]].add(p[3])
        elif p[4] == "REMOVEMEMBER":
            members[p[2]].discard(p[3])
            if int(p[0]) < DAY + 86400:
                assert members[p[2]], f"{p[2]} left empty at {p[0]}"


def test_night_is_quiet_and_the_day_peaks(parsed):
    tz = ZoneInfo(TZ)
    per_hour = Counter(
        datetime.fromtimestamp(int(p[0]), tz).hour
        for p in parsed
        if p[4] == "ENTERQUEUE" and int(p[0]) < DAY + 86400
    )
    night = sum(per_hour[h] for h in range(0, 5)) / 5
    peak = max(per_hour[h] for h in (10, 11, 14, 15))
    assert peak > 8 * night
    assert per_hour[10] > per_hour[7] and per_hour[14] > per_hour[19]


def test_runs_on_past_midnight_and_across_dst():
    ny = "America/New_York"
    spring = int(datetime(2026, 3, 8, tzinfo=ZoneInfo(ny)).timestamp())  # a 23-hour day
    lines = simulate(spring + 2 * 86400, tz=ny, day=spring)
    times = [int(split(line)[0]) for line in lines]
    assert times == sorted(times)
    assert sum(1 for line in lines if "|QUEUESTART|" in line) == 1
    late = Counter(
        datetime.fromtimestamp(t, ZoneInfo(ny)).date().day for t in times if t > spring + 86400
    )
    assert late[9] > 1000  # the second day is simulated too


# --- the centre and its roster -----------------------------------------------------------
def test_centre_is_plausible(centre):
    assert len(centre.queues) >= 4
    agents = centre.agents
    assert len(agents) >= 60
    teams = Counter(a.team for a in agents)
    assert all(5 <= n <= 11 for n in teams.values())
    assert all(1 <= len(a.queues) <= 3 for a in agents)
    assert all(a.shift is not None and a.shift.minutes in (480, 510) for a in agents)
    roles = Counter(s.role for s in centre.staff)
    assert {"supervisor", "team_lead", "trainer", "manager", "client_services"} <= set(roles)
    recent = [a for a in agents if (date_of_centre() - a.hire_date).days <= 61]
    assert 2 <= len(recent) <= 12
    names = [s.name for s in centre.staff]
    assert len(set(names)) == len(names)
    assert demo_centre(7) == centre and demo_centre(8) != centre


def date_of_centre():
    from floorsup.sim.centre import DEMO_AS_OF

    return DEMO_AS_OF


def test_roster_rows_and_ids(centre):
    rows = roster_rows(centre)
    assert all(tuple(r) == ROSTER_COLUMNS for r in rows)
    ids = [r["staff_id"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"E\d{4}", i) for i in ids)
    for r in rows:
        assert r["role"] in {
            "agent",
            "supervisor",
            "team_lead",
            "trainer",
            "manager",
            "client_services",
        }
        assert bool(r["acd_agent"]) == (r["role"] == "agent")
    acd = [r["acd_agent"] for r in rows if r["acd_agent"]]
    assert len(set(acd)) == len(acd)


def test_roster_names_match_the_members_in_the_log(centre, parsed):
    acd = {r["acd_agent"] for r in roster_rows(centre) if r["acd_agent"]}
    seen = {p[3] for p in parsed if p[3] not in ("NONE",)}
    assert seen <= acd
    assert len(seen) >= 0.9 * len(acd)  # a few may be off sick today


def test_committed_roster_csv_is_current(centre):
    text = ROSTER_PATH.read_text(encoding="utf-8")
    assert text == roster_csv(centre)
    with ROSTER_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == ROSTER_COLUMNS
        assert len(list(reader)) == len(centre.staff)


def test_empty_and_timed_out_queues_are_logged():
    """One overloaded queue with a max wait and a single agent on a two-hour shift."""
    from floorsup.sim import Centre, Shift, SimQueue, SimStaff
    from floorsup.sim.centre import DEMO_AS_OF

    q = SimQueue(
        "tiny", "Tiny", 20, 0.8, 1.0, 300.0, 0.5, 100_000.0, 60, 0, "+18005550199", (30.0,) * 48
    )
    agent = SimStaff(
        "E1", "Test Agent", "Team Test", "agent", DEMO_AS_OF, "PJSIP/9", ("tiny",), Shift(540, 120)
    )
    sim = FloorSimulator(Centre("Test", [q], [agent]), tz=TZ, day_start=DAY)
    lines = [split(line) for line in sim.advance(DAY + 86400)]
    ev = Counter(p[4] for p in lines)
    assert ev["EXITEMPTY"] > 1000  # nobody logged in most of the day
    assert ev["EXITWITHTIMEOUT"] > 5  # one agent cannot keep up
    assert ev["ENTERQUEUE"] == sum(ev[e] for e in TERMINAL_EVENTS)
    assert ev["ADDMEMBER"] == ev["REMOVEMEMBER"] == 1
    waits = [int(p[-1]) for p in lines if p[4] == "EXITWITHTIMEOUT"]
    assert set(waits) == {60}
