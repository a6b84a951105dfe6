"""The live adherence view's recompute with 1,000 agents over a full day, on one machine.

Builds a realistic database in a temp dir with `floor_bench`'s scaled centre (N agents,
default 1,000, in teams of 10 on staggered day shifts, 20 queues): the roster, the centre's
schedule for the day (`floorsup.sim.write_schedule_csv` -> `import_schedule`), a supervisor's
authorisation for one agent in twenty, and the whole local day (00:00 to 23:59:59) of
queue_log lines from the simulator, which follows that schedule (late in, long lunches,
unscheduled pauses...). The feed is ingested through `QueueLogFeed` up to 14:00, measured
there as a live floor would be (lasting states in `agent_live`), then ingested to the end of
the day and measured again at 23:59:59. At each `now`:

  (a) the recompute: every agent's `agent_adherence_now` over the day so far, the data
      already in memory as domain values (Segment / Actual / Authorization), exactly the
      calls `build_adherence` makes; then the same plus the row -> value conversion, the
      sort and the snapshot (`build_adherence` with the store reads served from memory);
  (b) `build_adherence(engine, settings, now)`: fetch + recompute, as the TUI worker runs it;
  (c) the reads one by one: agents_for_adherence, schedule_for_day, actuals_for_day,
      authorizations_for_day (on one connection, as build_adherence does).

    .venv/bin/python bench/adherence_bench.py [--agents 1000] [--runs 20] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from floor_bench import DAY, TZ, big_centre, fmt_ms, timed  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

import floorsup.adherence as adherence_mod  # noqa: E402
from floorsup.adherence import AdherenceSnapshot, build_adherence, rules_from  # noqa: E402
from floorsup.config import Settings  # noqa: E402
from floorsup.domain.adherence import (  # noqa: E402
    Actual,
    Authorization,
    Segment,
    agent_adherence_now,
)
from floorsup.domain.intervals import day_bounds  # noqa: E402
from floorsup.domain.types import AgentState  # noqa: E402
from floorsup.ingest.follow import QueueLogFeed  # noqa: E402
from floorsup.sim import Centre, FloorSimulator, day_schedule, write_roster_csv, write_schedule_csv  # noqa: E402
from floorsup.store import schedules  # noqa: E402
from floorsup.store.access import system  # noqa: E402
from floorsup.store.engine import make_engine, upgrade  # noqa: E402
from floorsup.store.roster import import_roster, set_queue_target  # noqa: E402

MID = dt.time(14, 0)
TARGET_RECOMPUTE_S = 0.050
TARGET_BUILD_S = 0.300


# --- the data ----------------------------------------------------------------------------------
class Day:
    """The database and the feed, ingested in two steps (to 14:00, then to the day's end)."""

    def __init__(self, workdir: Path, n_agents: int) -> None:
        self.info: dict[str, Any] = {}
        t0 = time.perf_counter()
        self.centre: Centre = big_centre(n_agents)
        self.day_start, self.day_end = day_bounds(DAY, TZ)
        self.sim = FloorSimulator(self.centre, tz=TZ, day_start=self.day_start, seed=7)
        self.feed_path = workdir / "queue_log"
        self.feed_path.write_text("", encoding="utf-8")
        self.info["sim_s"] = time.perf_counter() - t0
        self.info["lines"] = 0
        self.info["ingest_s"] = 0.0

        t1 = time.perf_counter()
        self.settings = Settings(db=str(workdir / "adherence.db"), tz=TZ).validated()
        self.engine: Engine = make_engine(self.settings.url)
        upgrade(self.engine)
        roster = workdir / "roster.csv"
        write_roster_csv(self.centre, roster)
        r = import_roster(self.engine, roster, actor=system())
        for q in self.centre.queues:
            set_queue_target(self.engine, q.name, q.sl_seconds, q.sl_target, actor=system())
        self.info["staff"], self.info["teams"], self.info["acd"] = r.added, r.teams, r.acd_names
        self.info["queues"] = len(self.centre.queues)
        self.info["setup_s"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        sched = workdir / "schedule.csv"
        write_schedule_csv(self.centre, DAY, sched)
        res = schedules.import_schedule(
            self.engine, sched, tz=TZ, activities=self.settings.activities, actor=system()
        )
        self.info["segments"], self.info["scheduled"] = res.segments, res.staff
        # A supervisor excuses one agent in twenty: 20 minutes from the start of their lunch.
        plan = day_schedule(self.centre, DAY)
        lunches = {s.staff_id: s for s in plan if s.activity == "lunch"}
        auths = 0
        for k, (sid, seg) in enumerate(sorted(lunches.items())):
            if k % 20:
                continue
            start = self.day_start + seg.start_minute * 60
            schedules.authorize_exception(
                self.engine, sid, start, start + 1200, actor=system("bench"), why="covering a VIP call",
                now=start)  # fmt: skip
            auths += 1
        self.info["auths"] = auths
        self.info["schedule_s"] = time.perf_counter() - t2

    def advance(self, until: float) -> None:
        t = time.perf_counter()
        lines = self.sim.advance(until)
        with self.feed_path.open("a", encoding="utf-8") as fh:
            fh.writelines(lines)
        self.info["sim_s"] += time.perf_counter() - t
        self.info["lines"] += len(lines)
        t = time.perf_counter()
        feed = QueueLogFeed(self.engine, self.feed_path, tz=TZ)
        feed.run()
        feed.close()
        self.info["ingest_s"] += time.perf_counter() - t
        with self.engine.connect() as conn:
            c = conn.exec_driver_sql
            self.info["spans"] = c("SELECT count(*) FROM agent_state_span").scalar()
            self.info["live"] = c("SELECT count(*) FROM agent_live").scalar()


# --- one instant -------------------------------------------------------------------------------
def fetch(engine: Engine, settings: Settings, now: float) -> dict[str, Any]:
    """build_adherence's reads, as it makes them."""
    day_start, day_end = day_bounds(DAY, settings.tz)
    until = min(now, day_end)
    with engine.connect() as conn:
        people = schedules.agents_for_adherence(conn)
        agents = [p.agent for p in people if p.agent]
        return {
            "people": people,
            "plan": schedules.schedule_for_day(conn, day_start, day_end),
            "agents": agents,
            "actual": schedules.actuals_for_day(conn, agents, day_start, until),
            "allowed": schedules.authorizations_for_day(conn, day_start, day_end),
        }


def domain_inputs(
    data: dict[str, Any], now: float
) -> list[tuple[list[Segment], list[Actual], list[Authorization]]]:
    """Per agent build_adherence would compute, the values it hands agent_adherence_now."""
    out = []
    for person in data["people"]:
        seg_rows = data["plan"].get(person.staff_id, ())
        act_rows = data["actual"].get(person.agent, ()) if person.agent else ()
        working = any(a.state is not AgentState.LOGGED_OUT for a in act_rows if a.end >= now)
        if not seg_rows and not working:
            continue
        out.append(
            (
                [Segment(s.start, s.end, s.activity) for s in seg_rows],
                [Actual(a.start, a.end, a.state, a.reason) for a in act_rows],
                [
                    Authorization(a.start, a.end, a.authorized_by, a.reason)
                    for a in data["allowed"].get(person.staff_id, ())
                ],
            )
        )
    return out


def recompute_all(
    inputs: list[tuple[list[Segment], list[Actual], list[Authorization]]],
    start: float,
    now: float,
    rules: Any,
    with_exceptions: bool = True,
) -> list[Any]:
    return [
        agent_adherence_now(
            segs,
            acts,
            start=start,
            now=now,
            rules=rules,
            authorizations=auths,
            with_exceptions=with_exceptions,
        )  # fmt: skip
        for segs, acts, auths in inputs
    ]


def served_from(data: dict[str, Any]) -> SimpleNamespace:
    """A stand-in for `floorsup.store.schedules` in floorsup.adherence whose reads return
    the rows already fetched: build_adherence then times everything but the database."""
    return SimpleNamespace(
        agents_for_adherence=lambda conn: data["people"],
        schedule_for_day=lambda conn, a, b: data["plan"],
        actuals_for_day=lambda conn, agents, a, b: data["actual"],
        authorizations_for_day=lambda conn, a, b: data["allowed"],
    )


def measure(d: Day, now: float, runs: int, profile: bool) -> dict[str, Any]:
    engine, settings = d.engine, d.settings
    rules = rules_from(settings)
    until = min(now, d.day_end)
    res: dict[str, Any] = {}

    t = time.perf_counter()
    snap: AdherenceSnapshot = build_adherence(engine, settings, now)
    res["cold"] = time.perf_counter() - t
    res["snap"] = snap
    data = fetch(engine, settings, now)
    inputs = domain_inputs(data, until)
    res["agents"] = len(inputs)
    res["segments"] = sum(len(s) for s, _, _ in inputs)
    res["actuals"] = sum(len(a) for _, a, _ in inputs)
    res["auths"] = sum(len(z) for _, _, z in inputs)
    out = recompute_all(inputs, d.day_start, until, rules)
    res["exceptions"] = sum(len(day.exceptions) for day, _ in out)
    # The bench's call must give what build_adherence gave.
    assert sorted(r.day.out_of_adherence_seconds for r in snap.rows) == sorted(
        day.out_of_adherence_seconds for day, _ in out
    )

    # (a) the recompute, data in memory
    res["recompute"] = timed(lambda: recompute_all(inputs, d.day_start, until, rules), runs)
    res["recompute_noexc"] = timed(
        lambda: recompute_all(inputs, d.day_start, until, rules, False), runs
    )
    # the live refresh: the screen's ActualsCache holds the day's spans; nothing new since
    cache = adherence_mod.ActualsCache()
    build_adherence(engine, settings, now, cache=cache, with_exceptions=False)
    res["in_memory_build"] = timed(
        lambda: build_adherence(engine, settings, now, cache=cache, with_exceptions=False), runs
    )
    # (b) the whole refresh
    res["build"] = timed(lambda: build_adherence(engine, settings, now), runs)
    # (c) the reads
    day_start, day_end = d.day_start, d.day_end
    n = max(5, runs // 2)
    split: dict[str, tuple[float, int]] = {}
    with engine.connect() as conn:
        agents = data["agents"]
        fns: tuple[tuple[str, Callable[[], Any]], ...] = (
            ("agents_for_adherence", lambda: schedules.agents_for_adherence(conn)),
            ("schedule_for_day", lambda: schedules.schedule_for_day(conn, day_start, day_end)),
            (
                "actuals_for_day",
                lambda: schedules.actuals_for_day(conn, agents, day_start, until),
            ),
            (
                "authorizations_for_day",
                lambda: schedules.authorizations_for_day(conn, day_start, day_end),
            ),
        )
        for name, fn in fns:
            got = fn()
            rows = sum(len(v) for v in got.values()) if isinstance(got, dict) else len(got)
            split[name] = (statistics.median(timed(fn, n)), rows)
    res["split"] = split

    slow = (
        statistics.median(res["recompute"]) > TARGET_RECOMPUTE_S
        or statistics.median(res["build"]) > TARGET_BUILD_S
    )
    if profile or slow:
        res["profile"] = {
            "recompute": cprofile(lambda: recompute_all(inputs, d.day_start, until, rules)),
            "build_adherence": cprofile(lambda: build_adherence(engine, settings, now)),
        }
    return res


def cprofile(fn: Callable[[], object], calls: int = 5, top: int = 18) -> str:
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(calls):
        fn()
    pr.disable()
    buf = io.StringIO()
    st = pstats.Stats(pr, stream=buf)
    st.sort_stats("tottime").print_stats(top)
    st.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def ms(xs: list[float]) -> float:
    return statistics.median(xs) * 1000


def report(label: str, r: dict[str, Any]) -> list[str]:
    snap: AdherenceSnapshot = r["snap"]
    inn, out, severe, unscheduled = snap.counts()
    split = r["split"]
    reads = sum(v[0] for v in split.values())
    rec = r["recompute"]
    ok_a = "met" if statistics.median(rec) <= TARGET_RECOMPUTE_S else "NOT met"
    return [
        f"at {label}: {r['agents']:,} agents computed ({len(snap.live_rows):,} on now: "
        f"{inn} in, {out} out ({severe} severe), {unscheduled} unscheduled); "
        f"{r['segments']:,} segments, {r['actuals']:,} actual spans, {r['auths']} authorisations, "
        f"{r['exceptions']:,} exceptions listed",
        f"(a) recompute, all agents' agent_adherence_now  {fmt_ms(rec)}  [target 50 ms: {ok_a}]",
        f"    same, with_exceptions=False (live view)     {fmt_ms(r['recompute_noexc'])}",
        f"    build_adherence, warm cache (live refresh){fmt_ms(r['in_memory_build'])}",
        f"(b) build_adherence (fetch + recompute)         {fmt_ms(r['build'])}"
        f"; first {r['cold'] * 1000:.1f} ms",
        "(c) reads: "
        + ", ".join(f"{k} {v[0] * 1000:.1f} ms ({v[1]:,} rows)" for k, v in split.items())
        + f"; together {reads * 1000:.1f} ms",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--profile", action="store_true", help="print cProfiles even when fast")
    args = ap.parse_args()
    runs = max(2, args.runs)
    cmd = "bench/adherence_bench.py " + " ".join(sys.argv[1:])
    zone = ZoneInfo(TZ)
    mid = float(int(dt.datetime.combine(DAY, MID, tzinfo=zone).timestamp()))

    with tempfile.TemporaryDirectory(prefix="adherence-bench-") as tmp:
        print(f"building: {args.agents:,} agents, {DAY} ({TZ}) in {tmp} ...", flush=True)
        d = Day(Path(tmp), args.agents)
        end = d.day_end - 1.0  # 23:59:59 local: the day's last live instant
        d.advance(mid)
        print(f"ingested to 14:00: {d.info['lines']:,} lines; measuring ...", flush=True)
        at_mid = measure(d, mid, runs, args.profile)
        print("\n".join(report("14:00", at_mid)), flush=True)
        d.advance(end)
        print(f"ingested to 23:59:59: {d.info['lines']:,} lines; measuring ...", flush=True)
        at_end = measure(d, end, runs, args.profile)
        print("\n".join(report("23:59:59", at_end)), flush=True)
        info = d.info
        d.engine.dispose()

    machine = (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    built = info["sim_s"] + info["setup_s"] + info["schedule_s"] + info["ingest_s"]
    print()
    print("```")
    print(f"$ .venv/bin/python {cmd}".rstrip())
    print(f"machine: {machine}")
    print(
        f"data: {info['acd']:,} agents ({info['teams']} teams), {info['queues']} queues, "
        f"{DAY} 00:00-23:59:59 {TZ}: {info['lines']:,} queue_log lines -> "
        f"{info['spans']:,} state spans; schedule {info['segments']:,} segments for "
        f"{info['scheduled']:,} people, {info['auths']} authorisations; built in {built:.1f} s "
        f"(sim {info['sim_s']:.1f}, ingest {info['ingest_s']:.1f})"
    )
    for label, r in (("23:59:59 (whole day)", at_end), ("14:00 (live, day so far)", at_mid)):
        print("\n".join(report(label, r)))
    print("```")
    for label, r in (("14:00", at_mid), ("23:59:59", at_end)):
        for what, text in r.get("profile", {}).items():
            print(f"\ncProfile of {what} at {label} (5 calls):")
            print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
