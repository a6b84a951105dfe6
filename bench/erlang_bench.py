"""A day of staffing: 96 quarter-hours × 20 queues through `floorsup.domain.erlang.staff_day`.

The goal (issue 7): a day of staffing (96 intervals × 20 queues) computes in under 10 ms.

The day is built to look like a real centre's forecast: 20 queues whose busiest quarter-hour
runs from 4 to 650 calls, AHT from 120 to 600 s, targets 80/20, 80/30, 80/60, 90/15, 90/20,
90/30 and 70/60, shrinkage 28-38%, an occupancy cap (85-90%) on half of them. Volumes follow
the demo's daily arrival curve (`floorsup.sim.centre.arrival_shape`, a quiet night, a
morning ramp, peaks around 10:00-11:30 and 14:00-15:30), shifted an hour or two for some
queues; business-hours queues get no calls at night (0 agents, binding "none"). Forecasts
are fractional, as forecasts are. Every run calls `staff_day` on all 1,920 requests afresh:
nothing is cached between intervals or between runs.

Three timings, each the median and p95 of `--runs` runs (after one warm-up run):

  (a) Erlang C, the goal: the day as above;
  (b) Erlang A: the same day with a caller patience per queue (60-240 s) and a 3-8%
      abandonment cap on most queues (not in the goal; for the interval screen's budget);
  (c) the "agents staffed" column: `erlang_c` for each interval at its raw need −2 to +2
      agents (some short, some over, as a real floor is).

The machine line gives the load average before and after: on a shared machine other work
shows up as a second, slower mode in the timings (compare min with median).

    .venv/bin/python bench/erlang_bench.py [--runs 200] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floorsup.domain.erlang import StaffingRequest, erlang_c, staff_day  # noqa: E402
from floorsup.sim.centre import arrival_shape  # noqa: E402

GOAL_S = 0.010
INTERVAL_S = 900.0
INTERVALS = 96

# name, busiest-quarter-hour calls, AHT s, SL target, SL seconds, occupancy cap, shrinkage,
# hours shift of the curve, business hours only (07:00-21:00), patience s, abandonment cap
QUEUES: tuple[tuple[str, float, float, float, float, float | None, float, float, bool, float, float | None], ...] = (
    ("billing", 650, 240, 0.80, 20, 0.85, 0.32, 0.0, False, 120, 0.05),
    ("sales", 480, 420, 0.80, 20, 0.88, 0.30, 1.0, False, 90, 0.05),
    ("tech support", 420, 540, 0.80, 60, None, 0.35, 0.5, False, 240, 0.08),
    ("orders", 380, 180, 0.90, 30, 0.85, 0.30, 0.0, False, 90, 0.03),
    ("accounts", 300, 300, 0.80, 20, None, 0.33, -0.5, False, 120, 0.05),
    ("retention", 260, 600, 0.80, 30, 0.85, 0.35, 1.5, True, 180, 0.05),
    ("claims", 220, 480, 0.70, 60, None, 0.38, 0.0, True, 240, None),
    ("roaming", 180, 150, 0.90, 15, 0.90, 0.28, 2.0, False, 60, 0.03),
    ("payments", 150, 120, 0.90, 30, None, 0.30, 0.0, False, 60, 0.03),
    ("moves", 120, 360, 0.80, 20, 0.85, 0.32, 1.0, True, 120, 0.05),
    ("broadband", 100, 450, 0.80, 30, None, 0.33, 2.0, False, 180, 0.06),
    ("business", 80, 330, 0.90, 20, 0.85, 0.30, 0.0, True, 150, 0.04),
    ("collections", 64, 270, 0.70, 60, None, 0.35, 1.0, True, 120, None),
    ("complaints", 48, 600, 0.80, 30, 0.85, 0.35, 0.5, True, 240, 0.05),
    ("priority", 36, 210, 0.90, 15, 0.85, 0.30, 0.0, False, 90, 0.02),
    ("welsh", 25, 300, 0.80, 20, None, 0.30, 0.0, True, 120, 0.05),
    ("hearing loop", 16, 420, 0.80, 30, None, 0.33, 0.5, True, 180, None),
    ("fraud", 12, 540, 0.90, 20, 0.90, 0.32, 0.0, False, 180, 0.03),
    ("partners", 8, 360, 0.80, 30, None, 0.30, 1.0, True, 150, 0.05),
    ("press", 4, 480, 0.80, 60, None, 0.30, 0.0, True, 240, None),
)  # fmt: skip


def day_requests(*, erlang_a: bool = False) -> list[StaffingRequest]:
    """The 1,920 requests of the day, queue by queue, quarter-hour by quarter-hour."""
    out = []
    for _name, peak, aht, sl, secs, cap, shrink, shift, office, patience, max_ab in QUEUES:
        for i in range(INTERVALS):
            hour = (i + 0.5) / 4.0
            open_now = not office or 7.0 <= hour < 21.0
            calls = round(peak * arrival_shape(hour - shift), 1) if open_now else 0.0
            out.append(
                StaffingRequest(
                    calls=calls,
                    interval_seconds=INTERVAL_S,
                    aht=aht,
                    target_sl=sl,
                    target_seconds=secs,
                    max_occupancy=cap,
                    shrinkage=shrink,
                    patience=patience if erlang_a else None,
                    max_abandon=max_ab if erlang_a else None,
                )
            )
    return out


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, math.ceil(q * len(s)) - 1)]


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up (imports, first allocations); not counted
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def fmt_ms(xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (
        f"median {statistics.median(ms):7.2f}  p95 {pct(ms, 0.95):7.2f}  "
        f"min {min(ms):7.2f}  max {max(ms):7.2f} ms  (n={len(ms)})"
    )


def describe(reqs: list[StaffingRequest]) -> str:
    res = staff_day(reqs)
    erl = [r.traffic for r in res]
    bindings: dict[str, int] = {}
    for r in res:
        bindings[r.binding] = bindings.get(r.binding, 0) + 1
    busiest = max(range(len(res)), key=lambda k: res[k].traffic)
    b = reqs[busiest]
    peak_calls = max(r.calls for r in reqs)
    return (
        f"  {len(reqs)} intervals; calls per quarter-hour up to {peak_calls:g}; "
        f"{sum(r.calls for r in reqs):,.0f} calls in the day\n"
        f"  traffic: busiest interval {max(erl):.1f} erlangs, sum over all intervals "
        f"{sum(erl):,.0f} erlang-intervals\n"
        f"  raw agent-intervals {sum(r.agents for r in res):,}, scheduled "
        f"{sum(r.scheduled_agents for r in res):,}; busiest interval: {b.calls:g} calls, "
        f"AHT {b.aht:g} s -> {res[busiest].agents} raw, {res[busiest].scheduled_agents} "
        f"scheduled\n"
        f"  binding: " + ", ".join(f"{k} {v}" for k, v in sorted(bindings.items()))
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="cProfile one Erlang C day")
    args = ap.parse_args(argv)

    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()} "
        f"({platform.processor() or 'cpu n/a'})"
    )
    load_before = os.getloadavg()[0]
    day_c = day_requests()
    day_a = day_requests(erlang_a=True)
    print("the day (Erlang C):")
    print(describe(day_c))
    print("the day (Erlang A):")
    print(describe(day_a))

    c_times = timed(lambda: staff_day(day_c), args.runs)
    a_runs = max(5, args.runs // 10)
    a_times = timed(lambda: staff_day(day_a), a_runs)
    staffed = [
        (q, max(0, s.agents + k % 5 - 2))
        for k, (q, s) in enumerate(zip(day_c, staff_day(day_c), strict=True))
    ]

    def column() -> None:
        for q, n in staffed:
            erlang_c(q.calls, q.interval_seconds, q.aht, n, q.target_seconds)

    col_times = timed(column, args.runs)

    median_c = statistics.median(c_times)
    print()
    print(f"(a) staff_day, Erlang C, 1,920 intervals: {fmt_ms(c_times)}")
    print(
        f"    goal < {GOAL_S * 1000:.0f} ms: {'met' if median_c < GOAL_S else 'NOT met'} "
        f"(p95 {'within' if pct(c_times, 0.95) < GOAL_S else 'over'}); "
        f"{median_c / len(day_c) * 1e6:.2f} µs per interval"
    )
    print(f"(b) staff_day, Erlang A, 1,920 intervals: {fmt_ms(a_times)}")
    print(f"(c) erlang_c at the need −2..+2, 1,920 intervals: {fmt_ms(col_times)}")
    load_after = os.getloadavg()[0]
    print(f"load average before {load_before:.2f}, after {load_after:.2f}")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(20):
            staff_day(day_c)
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(12)
        print(s.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
