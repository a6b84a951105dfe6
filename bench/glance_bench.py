"""The floor's 5-second adherence glance (`build_adherence(..., glance=True)`) at 1,000 agents.

Builds the same database as `adherence_bench` (floor_bench's scaled centre: N agents, default
1,000, the centre's schedule imported, one authorisation in twenty, the simulator's queue_log
ingested through `QueueLogFeed`) up to a late-afternoon instant (default 17:37 local), then
times the glance as the floor screen calls it, with its own `ActualsCache`:

  first   the first call on a fresh cache (the screen just opened);
  steady  repeat calls, `now` 5 s later each time, nothing written in between;
  spans   repeat calls, the feed advanced by 5 s and ingested (untimed) before each one;
  cold    a call without a cache (as a fresh screen's first; what the checks compare with).

Each figure is CPU (time.process_time) and wall (perf_counter), median and p95. After the
timed calls (a cold call's garbage would weigh on the timed ones after it), `--checks`
more steps, with and without new lines, are each checked against a glance without a cache.

    .venv/bin/python bench/glance_bench.py [--agents 1000] [--at 17:37] [--runs 40]
        [--checks 6] [--profile]
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
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from adherence_bench import Day  # noqa: E402
from floor_bench import DAY, TZ  # noqa: E402

from floorsup.adherence import ActualsCache, AdherenceSnapshot, build_adherence  # noqa: E402

STEP = 5.0  # the floor's glance comes every 5 s


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def glance(d: Day, now: float, cache: ActualsCache | None) -> AdherenceSnapshot:
    return build_adherence(
        d.engine, d.settings, now, cache=cache, with_exceptions=False, glance=True
    )


def timed_call(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, cpu s, wall s)"""
    c, t = time.process_time(), time.perf_counter()
    got = fn()
    return got, time.process_time() - c, time.perf_counter() - t


def fmt(cpu: list[float], wall: list[float]) -> str:
    c = [x * 1000 for x in cpu]
    w = [x * 1000 for x in wall]
    return (
        f"CPU p50 {statistics.median(c):7.2f}  p95 {pct(c, 0.95):7.2f} ms | "
        f"wall p50 {statistics.median(w):7.2f}  p95 {pct(w, 0.95):7.2f} ms  (n={len(c)})"
    )


def profile(fn: Callable[[], object], calls: int = 10, top: int = 25) -> str:
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(calls):
        fn()
    pr.disable()
    buf = io.StringIO()
    st = pstats.Stats(pr, stream=buf)
    st.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--at", default="17:37", help="local time of the first glance (HH:MM)")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--profile", action="store_true", help="cProfile the steady repeat call")
    ap.add_argument(
        "--checks", type=int, default=6, help="steps checked against a cold call at the end"
    )
    args = ap.parse_args()
    runs = max(3, args.runs)
    hh, mm = (int(x) for x in args.at.split(":"))
    at = float(int(dt.datetime.combine(DAY, dt.time(hh, mm), tzinfo=ZoneInfo(TZ)).timestamp()))
    cmd = "bench/glance_bench.py " + " ".join(sys.argv[1:])
    res: dict[str, tuple[list[float], list[float]]] = {}

    with tempfile.TemporaryDirectory(prefix="glance-bench-") as tmp:
        print(f"building: {args.agents:,} agents, {DAY} ({TZ}) to {args.at} ...", flush=True)
        t0 = time.perf_counter()
        d = Day(Path(tmp), args.agents)
        d.advance(at)
        built = time.perf_counter() - t0
        print(f"built in {built:.1f} s: {d.info['lines']:,} lines, {d.info['spans']:,} spans")

        cache = ActualsCache()
        snap, c, w = timed_call(lambda: glance(d, at, cache))
        res["first (fresh cache)"] = ([c], [w])
        inn, out, severe, unscheduled = snap.counts()
        on_now = len(snap.live_rows)

        now = at
        st_cpu, st_wall = [], []
        for _ in range(runs):
            now += STEP
            t = now
            snap, c, w = timed_call(lambda t=t: glance(d, t, cache))
            st_cpu.append(c)
            st_wall.append(w)
        res["steady (nothing new, now +5 s)"] = (st_cpu, st_wall)

        sp_cpu, sp_wall = [], []
        lines0, spans0 = d.info["lines"], d.info["spans"]
        for _ in range(runs):
            now += STEP
            d.advance(now)
            t = now
            snap, c, w = timed_call(lambda t=t: glance(d, t, cache))
            sp_cpu.append(c)
            sp_wall.append(w)
        res["spans (feed +5 s ingested)"] = (sp_cpu, sp_wall)
        new_lines = (d.info["lines"] - lines0) / runs
        new_spans = (d.info["spans"] - spans0) / runs

        # cold, last (its garbage would weigh on the calls after it): no cache at all
        cold_cpu, cold_wall = [], []
        for _ in range(max(3, runs // 8)):
            _, c, w = timed_call(lambda: glance(d, now, None))
            cold_cpu.append(c)
            cold_wall.append(w)
        res["cold (no cache)"] = (cold_cpu, cold_wall)

        checked = 0
        for k in range(args.checks):  # untimed: each step against a glance without a cache
            now += STEP
            if k % 2:
                d.advance(now)
            snap = glance(d, now, cache)
            assert snap == glance(d, now, None), f"the cached glance differs at {now}"
            checked += 1

        prof = ""
        if args.profile:
            box = [now]

            def step() -> None:
                box[0] += STEP
                glance(d, box[0], cache)

            prof = profile(step)
        d.engine.dispose()

    machine = (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print()
    print("```")
    print(f"$ .venv/bin/python {cmd}".rstrip())
    print(f"machine: {machine}")
    print(
        f"data: {args.agents:,} agents, {DAY} to {args.at} {TZ}: {lines0:,} lines ingested; "
        f"at the first glance {on_now:,} on now ({inn} in, {out} out, "
        f"{severe} severe, {unscheduled} unscheduled); spans runs: {new_lines:.0f} lines, "
        f"{new_spans:.0f} spans a step"
    )
    for label, (cpu, wall) in res.items():
        print(f"{label:32s} {fmt(cpu, wall)}")
    print(f"checked: {checked} cached glances (after the timed ones) equal a fresh call")
    print("```")
    if prof:
        print("\ncProfile of the steady repeat call (10 calls):")
        print(prof)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
