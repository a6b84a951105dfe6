"""The demo centre's schedules, and simulated agents who keep to them (mostly)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorsup.sim import (
    ACTIVITIES,
    PRODUCTIVE_ACTIVITIES,
    SCHEDULE_COLUMNS,
    FloorSimulator,
    PlannedSegment,
    day_schedule,
    demo_centre,
    schedule_csv,
    schedule_rows,
    write_schedule_csv,
)

TZ = "America/Chicago"
D = date(2026, 11, 23)
DAY = int(datetime.combine(D, time(0), tzinfo=ZoneInfo(TZ)).timestamp())
SCHEDULE_PATH = Path(__file__).resolve().parents[2] / "db" / "samples" / "schedule.csv"
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
PAUSES = {"Break", "Lunch", "Meeting", "Training", "Coaching"}  # = scheduled, capitalised


def wall(d: date, minute: int, tz: str = TZ) -> int:
    """Epoch of a schedule minute: local wall-clock time on d (or a following day)."""
    day, m = d + timedelta(days=minute // 1440), minute % 1440
    return int(datetime.combine(day, time(m // 60, m % 60), tzinfo=ZoneInfo(tz)).timestamp())


@pytest.fixture(scope="module")
def centre():
    return demo_centre(7)


@pytest.fixture(scope="module")
def plan(centre) -> dict[str, list[PlannedSegment]]:
    out: dict[str, list[PlannedSegment]] = defaultdict(list)
    for seg in day_schedule(centre, D):
        out[seg.staff_id].append(seg)
    return out


# --- the plan ----------------------------------------------------------------------------
def test_every_call_taker_has_a_contiguous_schedule(centre, plan):
    agents = centre.agents
    assert set(plan) == {a.staff_id for a in agents}  # call-takers only, all of them
    for a in agents:
        segs = plan[a.staff_id]
        assert a.shift is not None
        assert segs[0].start_minute == a.shift.start_minute
        assert segs[-1].end_minute == a.shift.end_minute
        for s, nxt in zip(segs, segs[1:], strict=False):
            assert s.end_minute == nxt.start_minute, (a.staff_id, s, nxt)  # no gap, no overlap
            assert not (s.activity == nxt.activity == "open")
        assert all(s.minutes > 0 and s.shift_date == D for s in segs)
        assert all(s.activity in ACTIVITIES for s in segs)
        acts = Counter(s.activity for s in segs)
        assert acts["break"] == 2 and acts["lunch"] == 1  # 8 or 8.5 hour shifts
        assert segs[0].activity == segs[-1].activity == "open"
        assert all(s.minutes == 15 for s in segs if s.activity == "break")
        assert all(30 <= s.minutes <= 60 for s in segs if s.activity == "lunch")
        assert sum(s.minutes for s in segs if s.activity == "open") >= 5 * 60


def test_the_plan_is_deterministic_and_changes_day_to_day(centre):
    today = day_schedule(centre, D)
    assert day_schedule(demo_centre(7), D) == today
    assert day_schedule(centre, D + timedelta(days=1)) != today
    assert day_schedule(centre, D, seed=8) != today
    assert day_schedule(centre, D) == day_schedule(centre, D, 7)


def test_meetings_training_and_coaching_are_occasional(centre):
    shifts = extras = 0
    kinds: Counter[str] = Counter()
    for k in range(14):
        per: dict[str, list[PlannedSegment]] = defaultdict(list)
        for seg in day_schedule(centre, D + timedelta(days=k)):
            per[seg.staff_id].append(seg)
        for segs in per.values():
            shifts += 1
            blocks = [s for s in segs if s.activity in ("meeting", "training", "coaching")]
            assert len(blocks) <= 1
            extras += bool(blocks)
            for s in blocks:
                kinds[s.activity] += 1
                assert 30 <= s.minutes <= 60
    assert 0.05 <= extras / shifts <= 0.3
    assert set(kinds) == {"meeting", "training", "coaching"}
    assert set(ACTIVITIES) - PRODUCTIVE_ACTIVITIES == {
        "break",
        "lunch",
        "meeting",
        "training",
        "coaching",
    }


def test_a_team_is_never_all_off_the_phones_together(centre, plan):
    teams: dict[str, list[str]] = defaultdict(list)
    for a in centre.agents:
        teams[a.team].append(a.staff_id)
    for team, ids in teams.items():
        for minute in range(0, 32 * 60, 5):
            off = sum(
                1
                for i in ids
                for s in plan[i]
                if s.start_minute <= minute < s.end_minute and s.activity != "open"
            )
            assert off <= max(2, len(ids) // 2), (team, minute)


# --- the CSV -----------------------------------------------------------------------------
def test_schedule_rows_have_exactly_the_columns(centre):
    rows = schedule_rows(centre, D)
    assert len(rows) == len(day_schedule(centre, D))
    for r in rows:
        assert tuple(r) == SCHEDULE_COLUMNS
        assert r["date"] == "2026-11-23"
        assert HHMM.match(r["start"]) and HHMM.match(r["end"])
        assert r["activity"] in ACTIVITIES
    text = schedule_csv(centre, D)
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == SCHEDULE_COLUMNS
    assert list(reader) == rows
    assert text.splitlines()[0] == "staff_id,date,start,end,activity"


def _read_back(rows: list[dict[str, str]]) -> dict[str, list[tuple[date, int, int, str]]]:
    """What an importer makes of the rows: per person, in order, a time earlier than the one
    before it has rolled over to the next day."""
    out: dict[str, list[tuple[date, int, int, str]]] = defaultdict(list)
    last: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["staff_id"], r["date"])
        prev = last.get(key, -1)
        start = int(r["start"][:2]) * 60 + int(r["start"][3:])
        end = int(r["end"][:2]) * 60 + int(r["end"][3:])
        while start < prev:
            start += 1440
        while end <= start:
            end += 1440
        last[key] = end
        out[r["staff_id"]].append((date.fromisoformat(r["date"]), start, end, r["activity"]))
    return out


def test_night_shifts_run_past_midnight_as_end_before_start(centre, plan):
    rows = schedule_rows(centre, D)
    night = {a.staff_id for a in centre.agents if a.team == "Team Nightjar"}
    assert len(night) >= 4
    crossing = [r for r in rows if r["staff_id"] in night and r["end"] < r["start"]]
    assert len(crossing) == len(night)  # each night shift crosses midnight exactly once
    for sid in night:
        segs = plan[sid]
        assert segs[-1].end_minute > 1440 and segs[0].start_minute < 1440
    day_rows = [r for r in rows if r["staff_id"] not in night]
    assert all(r["end"] > r["start"] for r in day_rows if r["end"] != "00:00")
    # the rows read back (rolling over at midnight) are exactly the plan
    back = _read_back(rows)
    for sid, segs in plan.items():
        assert back[sid] == [(s.shift_date, s.start_minute, s.end_minute, s.activity) for s in segs]


def test_write_schedule_csv_one_day_or_several(centre, tmp_path):
    one = tmp_path / "one.csv"
    write_schedule_csv(centre, D, one)
    assert one.read_text(encoding="utf-8") == schedule_csv(centre, D)
    two = tmp_path / "two.csv"
    write_schedule_csv(centre, [D - timedelta(days=1), D], two)
    with two.open(encoding="utf-8", newline="") as fh:
        dates = Counter(r["date"] for r in csv.DictReader(fh))
    assert set(dates) == {"2026-11-22", "2026-11-23"}


def test_committed_schedule_csv_is_current(centre):
    assert SCHEDULE_PATH.read_text(encoding="utf-8") == schedule_csv(centre, D)


# --- the floor follows the plan ------------------------------------------------------------
@dataclass
class Shift:
    """What one agent did around their shift of D, from the queue_log."""

    start: int
    end: int
    logins: list[tuple[int, int]] = field(default_factory=list)  # logged in [t0, t1)
    pauses: list[tuple[int, int, str]] = field(default_factory=list)  # PAUSEALL [t0, t1)


@pytest.fixture(scope="module")
def shifts(centre, plan) -> dict[str, Shift]:
    """Every call-taker's shift of D and what they did: simulated from D's midnight until
    the night shift that starts on D (and any overtime) is over."""
    until = DAY + 86400 + 9 * 3600
    lines = FloorSimulator(centre, tz=TZ, day_start=DAY, seed=7).advance(until)
    member = {a.member: a.staff_id for a in centre.agents}
    out = {
        sid: Shift(wall(D, segs[0].start_minute), wall(D, segs[-1].end_minute))
        for sid, segs in plan.items()
    }
    queues: dict[str, int] = Counter()
    logged_at: dict[str, int] = {}
    paused_at: dict[str, tuple[int, str]] = {}
    for line in lines:
        p = line.rstrip("\n").split("|")
        t, agent, event = int(p[0]), p[3], p[4]
        if agent not in member:
            continue
        sh = out[member[agent]]
        mine = sh.start - 3 * 3600 <= t <= sh.end + 3 * 3600  # not the night before's shift
        if event == "ADDMEMBER":
            queues[agent] += 1
            logged_at.setdefault(agent, t)
        elif event == "REMOVEMEMBER":
            queues[agent] -= 1
            if queues[agent] == 0:
                t0 = logged_at.pop(agent)
                if mine:
                    sh.logins.append((t0, t))
                if agent in paused_at:
                    p0, reason = paused_at.pop(agent)
                    if mine:
                        sh.pauses.append((p0, t, reason))
        elif event == "PAUSEALL":
            paused_at[agent] = (t, p[5])
        elif event == "UNPAUSEALL":
            p0, reason = paused_at.pop(agent)
            assert reason == p[5]
            if mine:
                sh.pauses.append((p0, t, reason))
    for agent, t0 in logged_at.items():  # still in: the next day's shift (or overtime)
        sh = out[member[agent]]
        if t0 <= sh.end + 3 * 3600:
            sh.logins.append((t0, until))
    return out


def _activity_at(d: date, segs: list[PlannedSegment], t: int) -> str | None:
    for s in segs:
        if wall(d, s.start_minute) <= t < wall(d, s.end_minute):
            return s.activity
    return None


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def test_agents_log_in_at_the_planned_start(shifts):
    offsets = sorted(sh.logins[0][0] - sh.start for sh in shifts.values() if sh.logins)
    assert len(offsets) >= 0.9 * len(shifts)  # a few are off sick
    assert abs(offsets[len(offsets) // 2]) <= 120  # the median agent is on time
    assert sum(-300 <= x <= 120 for x in offsets) >= 0.75 * len(offsets)


def test_pause_reasons_are_the_scheduled_activities(plan, shifts):
    matched = unplanned = personal = 0
    for sid, sh in shifts.items():
        for t0, _t1, reason in sh.pauses:
            assert reason in PAUSES | {"Personal"}
            if reason == "Personal":
                personal += 1
                assert _activity_at(D, plan[sid], t0) == "open"  # never scheduled
            elif _activity_at(D, plan[sid], t0 + 60) == reason.lower():
                matched += 1
            else:
                unplanned += 1  # started so late (a long call) the slot was over
    assert personal >= 1
    assert matched / (matched + unplanned) >= 0.85
    # and the other way: the scheduled pauses of agents at work happened, with that reason
    taken = missed = 0
    for sid, sh in shifts.items():
        if not sh.logins:
            continue
        for s in plan[sid]:
            if s.activity == "open":
                continue
            s0, s1 = wall(D, s.start_minute), wall(D, s.end_minute)
            if not any(a <= s0 and s1 <= b for a, b in sh.logins):
                continue  # came in late or left early
            hit = any(r.lower() == s.activity and s0 - 120 <= p0 < s1 for p0, _, r in sh.pauses)
            taken += hit
            missed += not hit
    assert taken / (taken + missed) >= 0.9


def test_agents_stray_now_and_then(plan, shifts):
    """Strays by choice: late in, lunches and breaks overrun by 5+ minutes, leaving 10+
    minutes early, unscheduled personal pauses, off sick. (Back late because the pause
    started late, after a long call, is counted apart: that is the ACD, not a choice.)"""
    strays: Counter[str] = Counter()
    late_back: Counter[str] = Counter()
    taken: Counter[str] = Counter()
    present = 0
    for sid, sh in shifts.items():
        if not sh.logins:
            strays["absent"] += 1
            continue
        present += 1
        if sh.logins[0][0] > sh.start + 180:
            strays["late in"] += 1
        if sh.logins[-1][1] < sh.end - 600:
            strays["early log-off"] += 1
        strays["personal"] += sum(r == "Personal" for _, _, r in sh.pauses)
        for s in plan[sid]:
            if s.activity not in ("lunch", "break"):
                continue
            s0, s1 = wall(D, s.start_minute), wall(D, s.end_minute)
            took = [(p0, p1) for p0, p1, r in sh.pauses if r.lower() == s.activity]
            took = [(p0, p1) for p0, p1 in took if s0 - 120 <= p0 < s1]
            if not took:
                continue
            (p0, p1), planned = took[0], s1 - s0
            taken[s.activity] += 1
            late_back[s.activity] += p1 > s1 + 300
            if p1 - p0 > planned + 300:
                strays["late back from lunch" if s.activity == "lunch" else "long break"] += 1
    print(
        f"\nstrays on {D} ({present} of {len(shifts)} agents in, {taken['lunch']} lunches, "
        f"{taken['break']} breaks): {dict(strays)}; back 5+ min after the scheduled end, "
        f"whatever the reason: {dict(late_back)}"
    )
    for kind in ("late back from lunch", "long break", "early log-off", "late in", "personal"):
        assert strays[kind] >= 1, kind
    assert strays["late back from lunch"] <= 0.3 * taken["lunch"]
    assert strays["long break"] <= 0.2 * taken["break"]
    assert strays["early log-off"] <= 0.15 * present
    assert strays["late in"] <= 0.3 * present
    assert strays["absent"] <= 0.1 * len(shifts)
    assert late_back["lunch"] <= 0.5 * taken["lunch"]  # most come back about on time
    assert late_back["break"] <= 0.4 * taken["break"]


def test_most_scheduled_open_time_is_spent_open(plan, shifts):
    planned = spent = 0
    for sid, sh in shifts.items():
        for s in plan[sid]:
            if s.activity != "open":
                continue
            s0, s1 = wall(D, s.start_minute), wall(D, s.end_minute)
            planned += s1 - s0
            logged = sum(_overlap(s0, s1, a, b) for a, b in sh.logins)
            paused = sum(_overlap(s0, s1, a, b) for a, b, _ in sh.pauses)
            spent += logged - paused
    fraction = spent / planned
    print(f"\nscheduled open time spent logged in and not paused: {fraction:.1%}")
    assert 0.70 <= fraction <= 0.98
