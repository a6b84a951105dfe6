"""The interval screen's refresh for 20 queues with 1,000 agents, on one machine.
Target (issue 7): the interval screen for 20 queues refreshes in under 50 ms.

Builds (once; cached in --workdir, default `<tmp>/floorsup-intervals-bench`; `--rebuild` to
start again) a SQLite database through floorsup's migrations (`upgrade`) holding
`floor_bench`'s scaled centre (N agents, default 1,000, in teams of 10, 20 queues with
their service-level targets) and, all through `QueueLogFeed` over queue_log files written
by the demo simulator (`floorsup.sim.FloorSimulator`):

  - the same weekday in each of the 4 weeks before (whole days, each simulated with its own
    seed and ingested from a history file, as `floorsup.demo.seed_history` does): the
    forecast's history;
  - the day itself from 00:00 to 14:00 (New York).

Each run works on a copy of that database (the cached one stays at 14:00), re-runs the
simulator to 14:00 (checked line for line against the cached feed) and goes on from there.
At `now` = 14:00, for 30- and 15-minute intervals (`build_intervals(..., cache=...)`,
what the interval screen's thread worker calls):

  (a) the first build: a new `IntervalCache` (reads the day and the 4 weeks' history);
  (b) a refresh with nothing changed (the same cache, the same now);
  (e) a replay step: now − 30 min with the same cache (the screen's `[`), then back to now;
  (c) a refresh after new feed lines: the simulator's next --step seconds (default 5) are
      appended to a feed file and ingested with `QueueLogFeed` (not timed), then one
      refresh per cache at the new now; --steps times (default 60), both caches each step
      (the order alternating);
  (d) the clock moving with no new data: after (c), its last now + 1 s each time, the same
      cache.

In that order: (a), (b), (e) at 14:00, then (c) from 14:00 on, then (d).

Inside (c): the time in `staff_day` (Erlang C) and the Erlang requests per refresh (all
rows' requests, and those not already in the cache's results). Then a split of (c) by
part (extra steps, each part timed by a wrapper), and with --profile or when (c) misses the
target a cProfile of more steps. Garbage collection as the app runs for real (`--gc app`,
see `floorsup/tui/heap.py`) or Python's default (`--gc python`).

    .venv/bin/python bench/intervals_bench.py [--agents 1000] [--steps 60] [--step 5]
        [--runs 20] [--workdir DIR] [--rebuild] [--profile] [--gc app|python]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from floor_bench import DAY, NOW_LOCAL, TZ, big_centre, pct  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

import floorsup.intervals as iv_mod  # noqa: E402
from floorsup.adherence import ActualsCache  # noqa: E402
from floorsup.config import Settings  # noqa: E402
from floorsup.domain.intervals import day_bounds  # noqa: E402
from floorsup.ingest.follow import QueueLogFeed  # noqa: E402
from floorsup.intervals import IntervalCache, build_intervals  # noqa: E402
from floorsup.sim import Centre, FloorSimulator, write_roster_csv  # noqa: E402
from floorsup.store import queries  # noqa: E402
from floorsup.store.access import system  # noqa: E402
from floorsup.store.engine import current_revision, ensure_schema, make_engine, upgrade  # noqa: E402
from floorsup.store.roster import import_roster, set_queue_target  # noqa: E402

TARGET_S = 0.050
HISTORY_WEEKS = 4  # as many as the forecast looks back (intervals.FORECAST_WEEKS)
SEED = 7
BUILD_VERSION = 1  # bump when the generated data changes: a cached database is rebuilt
DB_NAME = "intervals.db"
MINUTES = (30, 15)


def now_ts() -> float:
    return float(int(dt.datetime.combine(DAY, NOW_LOCAL, tzinfo=ZoneInfo(TZ)).timestamp()))


def db_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def digest(lines: list[str]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
    return h.hexdigest()


def ingest(engine: Engine, path: Path) -> float:
    t = time.perf_counter()
    feed = QueueLogFeed(engine, path, tz=TZ)
    try:
        feed.run()
    finally:
        feed.close()
    return time.perf_counter() - t


# --- the database ------------------------------------------------------------------------------
def build(workdir: Path, n_agents: int, rebuild: bool) -> dict[str, Any]:
    """The database in `workdir` (reused when built with the same parameters)."""
    db = workdir / DB_NAME
    meta_path = workdir / "meta.json"
    params = {"agents": n_agents, "version": BUILD_VERSION, "day": str(DAY), "seed": SEED}
    if not rebuild and db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("params") == params:
            meta["cached"] = True
            return meta
    workdir.mkdir(parents=True, exist_ok=True)
    for f in db_files(db):
        f.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)
    info: dict[str, Any] = {"params": params, "cached": False}
    t_all = time.perf_counter()

    centre = big_centre(n_agents)
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    roster = workdir / "roster.csv"
    write_roster_csv(centre, roster)
    r = import_roster(engine, roster, actor=system())
    for q in centre.queues:
        set_queue_target(engine, q.name, q.sl_seconds, q.sl_target, actor=system())
    info.update(staff=r.added, teams=r.teams, acd=r.acd_names)

    # The 4 weeks' same weekday, whole days, one feed (as demo.seed_history).
    t0 = time.perf_counter()
    lines: list[str] = []
    for w in range(HISTORY_WEEKS, 0, -1):
        start, end = day_bounds(DAY - dt.timedelta(weeks=w), TZ)
        lines.extend(
            FloorSimulator(centre, tz=TZ, day_start=start, seed=SEED + 1000 * w).advance(end)
        )
    hist = workdir / "history_log"
    hist.write_text("".join(lines), encoding="utf-8")
    info["history_lines"] = len(lines)
    info["history_sim_s"] = time.perf_counter() - t0
    del lines
    info["history_ingest_s"] = ingest(engine, hist)
    print(
        f"  history: {info['history_lines']:,} lines, sim {info['history_sim_s']:.1f} s, "
        f"ingest {info['history_ingest_s']:.1f} s",
        flush=True,
    )

    # The day to 14:00.
    t0 = time.perf_counter()
    day_start, _ = day_bounds(DAY, TZ)
    today = FloorSimulator(centre, tz=TZ, day_start=day_start, seed=SEED).advance(now_ts())
    feed = workdir / "queue_log"
    with feed.open("w", encoding="utf-8") as fh:
        fh.writelines(today)
    info["lines"] = len(today)
    info["lines_sha256"] = digest(today)
    info["sim_s"] = time.perf_counter() - t0
    info["ingest_s"] = ingest(engine, feed)
    print(
        f"  today to 14:00: {info['lines']:,} lines, sim {info['sim_s']:.1f} s, "
        f"ingest {info['ingest_s']:.1f} s",
        flush=True,
    )
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
    engine.dispose()
    info["build_s"] = time.perf_counter() - t_all
    meta_path.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def counts(engine: Engine, now: float) -> dict[str, Any]:
    day_start, _ = day_bounds(DAY, TZ)
    with engine.connect() as conn:
        c = conn.exec_driver_sql
        return {
            "calls_today": c(
                "SELECT count(*) FROM call WHERE entered_at >= ? AND entered_at < ?",
                (day_start, now + 1),
            ).scalar(),
            "spans_today": c(
                'SELECT count(*) FROM agent_state_span WHERE "end" > ?', (day_start,)
            ).scalar(),
            "calls_history": c(
                "SELECT count(*) FROM call WHERE entered_at < ?", (day_start,)
            ).scalar(),
            "spans_all": c("SELECT count(*) FROM agent_state_span").scalar(),
            "events": c("SELECT count(*) FROM queue_event").scalar(),
            "agents": len(queries.acd_agents(conn)),
            "queues": len(queries.queues(conn)),
        }


# --- instruments -------------------------------------------------------------------------------
class Erlang:
    """A timer and counter around `staff_day` and `IntervalCache.staff` (one pair of
    perf_counter calls a refresh)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.computed = 0
        self.asked = 0
        self._staff_day = iv_mod.staff_day
        self._staff = IntervalCache.staff

    def install(self) -> None:
        real_day, real_staff = self._staff_day, self._staff

        def staff_day(todo: Any) -> Any:
            t = time.perf_counter()
            try:
                return real_day(todo)
            finally:
                self.seconds += time.perf_counter() - t
                self.computed += len(todo)

        def staff(cache: IntervalCache, requests: Any) -> Any:
            self.asked += len(requests)
            return real_staff(cache, requests)

        iv_mod.staff_day = staff_day  # type: ignore[assignment]
        IntervalCache.staff = staff  # type: ignore[method-assign, assignment]

    def take(self) -> tuple[float, int, int]:
        got = (self.seconds, self.computed, self.asked)
        self.seconds, self.computed, self.asked = 0.0, 0, 0
        return got


class Split:
    """Time spent per part while `on` (parts wrapped in timers by `parts_split`)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.on = False


@contextmanager
def parts_split() -> Iterator[Split]:
    """build_intervals by part: each piece wrapped in a timer for the duration."""
    split = Split()
    spent = split.spent
    patches: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, label: str) -> None:
        real = getattr(owner, name)

        @functools.wraps(real)
        def timed_fn(*a: Any, **k: Any) -> Any:
            if not split.on:
                return real(*a, **k)
            t = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                spent[label] += time.perf_counter() - t

        patches.append((owner, name, real))
        setattr(owner, name, timed_fn)

    wrap(queries, "queues", "read: queues")
    wrap(iv_mod._History, "load", "history.load (once a day)")
    wrap(IntervalCache, "read_calls", "read: calls changed (+ bucketing)")
    wrap(queries, "acd_agents", "read: acd_agents")
    wrap(ActualsCache, "actuals", "read: state spans (ActualsCache.actuals)")
    wrap(queries, "membership_history", "read: membership_history")
    wrap(iv_mod, "_Shares", "_Shares()")
    wrap(iv_mod._Staffed, "update", "staffed: closed spans (_Staffed.update)")
    wrap(iv_mod, "compute_stats", "compute_stats (current + uncached intervals)")
    wrap(iv_mod, "calls_as_of", "calls_as_of")
    wrap(IntervalCache, "staff", "IntervalCache.staff (incl. staff_day)")
    wrap(iv_mod, "staff_day", "  of which staff_day")
    try:
        yield split
    finally:
        for owner, name, real in reversed(patches):
            setattr(owner, name, real)


# --- measuring ---------------------------------------------------------------------------------
class Live:
    """The run's database copy, the simulator at 14:00 and a feed file the steps append to."""

    def __init__(self, workdir: Path, info: dict[str, Any], n_agents: int) -> None:
        run = workdir / "run"
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir(parents=True)
        self.db = run / DB_NAME
        shutil.copyfile(workdir / DB_NAME, self.db)
        self.settings = Settings(db=str(self.db), tz=TZ).validated()
        self.engine = make_engine(self.settings.url)
        ensure_schema(self.engine)  # a cached file follows any migration added since
        self.revision = current_revision(self.engine)
        t = time.perf_counter()
        centre: Centre = big_centre(n_agents)
        day_start, _ = day_bounds(DAY, TZ)
        self.sim = FloorSimulator(centre, tz=TZ, day_start=day_start, seed=SEED)
        again = self.sim.advance(now_ts())
        if len(again) != info["lines"] or digest(again) != info["lines_sha256"]:
            raise SystemExit(
                "the simulator no longer gives the cached feed line for line: run with --rebuild"
            )
        self.resim_s = time.perf_counter() - t
        # The steps' lines go to a feed of their own (a new file, read from its start), so
        # the cached database and its feed are never touched.
        self.tail = run / "tail_log"
        self.tail.write_text("", encoding="utf-8")
        self.feed = QueueLogFeed(self.engine, self.tail, tz=TZ)
        self.lines = 0

    def advance(self, until: float) -> int:
        lines = self.sim.advance(until)
        with self.tail.open("a", encoding="utf-8") as fh:
            fh.writelines(lines)
        self.feed.run()
        self.lines += len(lines)
        return len(lines)

    def close(self) -> None:
        self.feed.close()
        self.engine.dispose()


def measure(live: Live, args: argparse.Namespace, erl: Erlang) -> dict[str, Any]:
    engine, settings = live.engine, live.settings
    now = now_ts()
    res: dict[str, Any] = defaultdict(list)
    caches: dict[int, IntervalCache] = {}

    def refresh(at: float, m: int) -> tuple[float, Any]:
        if args.gc == "app":
            gc.collect(1)  # the app's one-second young collection, between refreshes
        t = time.perf_counter()
        view = build_intervals(engine, settings, at, minutes=m, cache=caches[m])
        return time.perf_counter() - t, view

    # (a) the first build, a new cache each time; the very first on a fresh engine apart.
    for m in MINUTES:
        for k in range(args.cold):
            c = IntervalCache()
            if args.gc == "app":
                gc.collect(1)
            t = time.perf_counter()
            view = build_intervals(engine, settings, now, minutes=m, cache=c)
            took = time.perf_counter() - t
            s, computed, asked = erl.take()
            if k == 0 and m == MINUTES[0]:
                res["first_ever"] = took
            res[f"a{m}"].append(took)
            res[f"a{m}_erlang"].append((s, computed, asked))
            caches[m] = c  # the last one is the screen's cache from here on
        res[f"view{m}"] = view
        print(f"  (a) {m} min: first build {ms_line(res[f'a{m}'])}", flush=True)

    # (b) nothing changed.
    for m in MINUTES:
        for _ in range(args.runs):
            took, _v = refresh(now, m)
            res[f"b{m}"].append(took)
            res[f"b{m}_erlang"].append(erl.take())
        print(f"  (b) {m} min: nothing changed {ms_line(res[f'b{m}'])}", flush=True)

    # (e) replay 30 minutes back, then live again.
    for m in MINUTES:
        for _ in range(max(5, args.runs // 2)):
            took, _v = refresh(now - 1800, m)
            res[f"e{m}_back"].append(took)
            erl.take()
            took, _v = refresh(now, m)
            res[f"e{m}_live"].append(took)
            erl.take()
        print(
            f"  (e) {m} min: to now-30 min {ms_line(res[f'e{m}_back'])}; "
            f"back {ms_line(res[f'e{m}_live'])}",
            flush=True,
        )

    # (c) new feed lines every step.
    t = now
    for k in range(args.steps):
        t += args.step
        n = live.advance(t)
        res["step_lines"].append(n)
        order = MINUTES if k % 2 == 0 else MINUTES[::-1]
        for m in order:
            took, _v = refresh(t, m)
            res[f"c{m}"].append(took)
            res[f"c{m}_erlang"].append(erl.take())
    for m in MINUTES:
        share = sum(e[0] for e in res[f"c{m}_erlang"]) / sum(res[f"c{m}"])
        print(
            f"  (c) {m} min: after {args.step:g} s of lines {ms_line(res[f'c{m}'])}; "
            f"staff_day {share:.0%}",
            flush=True,
        )

    # (d) the clock moving, no new data.
    for m in MINUTES:
        for j in range(1, args.runs + 1):
            took, _v = refresh(t + j, m)
            res[f"d{m}"].append(took)
            res[f"d{m}_erlang"].append(erl.take())
        print(f"  (d) {m} min: now + 1 s, no data {ms_line(res[f'd{m}'])}", flush=True)
    t += args.runs

    # (c) split by part, over more steps (wrappers on; not in the figures above).
    with parts_split() as split:
        totals = dict.fromkeys(MINUTES, 0.0)
        spent: dict[int, dict[str, float]] = {}
        for m in MINUTES:
            split.spent.clear()
            for _ in range(args.split_steps):
                t += args.step
                live.advance(t)
                for mm in MINUTES:  # both caches keep up; only m's refresh is counted
                    split.on = mm == m
                    took, _v = refresh(t, mm)
                    split.on = False
                    if mm == m:
                        totals[m] += took
                erl.take()
            spent[m] = dict(split.spent)
    for m in MINUTES:
        res[f"split{m}_total"] = totals[m]
        res[f"split{m}"] = spent[m]
    res["split_steps"] = args.split_steps

    # cProfile of (c) when over the target (or asked for).
    over = [m for m in MINUTES if statistics.median(res[f"c{m}"]) > TARGET_S]
    if args.profile or over:
        for m in over or MINUTES:
            pr = cProfile.Profile()
            for _ in range(args.split_steps):
                t += args.step
                live.advance(t)
                for mm in MINUTES:
                    if mm == m:
                        pr.enable()
                        refresh(t, mm)
                        pr.disable()
                    else:
                        refresh(t, mm)
                erl.take()
            out = []
            for key in ("tottime", "cumulative"):
                buf = io.StringIO()
                pstats.Stats(pr, stream=buf).sort_stats(key).print_stats(28)
                out.append(buf.getvalue())
            res[f"profile{m}"] = "\n".join(out)
    res["end"] = t
    return res


def ms_line(xs: list[float]) -> str:
    m = [x * 1000 for x in xs]
    return f"median {statistics.median(m):.1f} p95 {pct(m, 0.95):.1f} max {max(m):.1f} ms"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = f"; load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{platform.platform()}, {cpu}, {os.cpu_count()} cores{mem}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}{load}"
    )


def row(what: str, m: int, xs: list[float], note: str = "") -> str:
    v = [x * 1000 for x in xs]
    return (
        f"| {what} | {m} | {statistics.median(v):.1f} | {pct(v, 0.95):.1f} | {max(v):.1f} "
        f"| {len(v)} | {note} |"
    )


def erlang_note(rows: list[tuple[float, int, int]]) -> str:
    asked = statistics.median(r[2] for r in rows)
    computed = [r[1] for r in rows]
    sec = statistics.median(r[0] for r in rows) * 1000
    return (
        f"Erlang: {asked:.0f} requests/refresh, {statistics.median(computed):.0f} computed "
        f"(max {max(computed)}), staff_day median {sec:.2f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=60, help="(c): steps of new feed lines")
    ap.add_argument("--step", type=float, default=5.0, help="(c): seconds of feed a step")
    ap.add_argument("--runs", type=int, default=20, help="(b), (d): refreshes; (e): half")
    ap.add_argument("--cold", type=int, default=5, help="(a): first builds (new caches)")
    ap.add_argument("--split-steps", type=int, default=20, help="steps for the split/profile")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "floorsup-intervals-bench",
        help="where the database is built and kept between runs",
    )
    ap.add_argument("--rebuild", action="store_true", help="build the database again")
    ap.add_argument("--profile", action="store_true", help="cProfile (c) even when fast")
    ap.add_argument(
        "--gc",
        choices=("app", "python"),
        default="app",
        help="app: as the app runs for real (tui/heap.py: start-up's heap frozen, the automatic "
        "collector off, young generations collected between refreshes); python: the default",
    )
    args = ap.parse_args()
    args.runs = max(2, args.runs)
    t_run = time.perf_counter()
    where = machine()
    cmd = "bench/intervals_bench.py " + " ".join(sys.argv[1:])

    print(f"database in {args.workdir} ...", flush=True)
    info = build(args.workdir, args.agents, args.rebuild)
    db_bytes = (args.workdir / DB_NAME).stat().st_size
    live = Live(args.workdir, info, args.agents)
    now = now_ts()
    n = counts(live.engine, now)
    if n["queues"] != 20:
        raise SystemExit(f"expected 20 queues in the database, found {n['queues']}")
    built = "reused (cached)" if info["cached"] else f"built in {info['build_s']:.0f} s"
    print(
        f"{built}; simulator re-run to 14:00 in {live.resim_s:.1f} s (same {info['lines']:,} "
        f"lines); {n['agents']:,} agents, {n['queues']} queues, today {n['calls_today']:,} "
        f"calls and {n['spans_today']:,} spans, history {n['calls_history']:,} calls",
        flush=True,
    )
    erl = Erlang()
    erl.install()
    if args.gc == "app":  # QuietGc.start: once the app is up
        gc.collect()
        gc.freeze()
        gc.disable()
    try:
        res = measure(live, args, erl)
    finally:
        live.close()
    total = time.perf_counter() - t_run
    steps = res["step_lines"]
    rate = sum(steps) / (len(steps) * args.step)

    print()
    print("```")
    print(f"$ .venv/bin/python {cmd}".rstrip())
    print(f"machine: {where}")
    print(
        f"data: {n['agents']:,} ACD agents ({info['staff']:,} staff, {info['teams']} teams), "
        f"{n['queues']} queues; {DAY} ({DAY:%A}) 00:00-14:00 {TZ}: {info['lines']:,} queue_log "
        f"lines -> {n['calls_today']:,} calls, {n['spans_today']:,} state spans; history: the "
        f"{HISTORY_WEEKS} {DAY:%A}s before, whole days: {info['history_lines']:,} lines -> "
        f"{n['calls_history']:,} calls; {n['events']:,} queue events, {n['spans_all']:,} spans "
        f"in all; DB {db_bytes / 2**20:,.0f} MiB (schema {live.revision}); {built}; run "
        f"{total:.0f} s"
    )
    print(
        f"(c) steps: {len(steps)} x {args.step:g} s of feed from 14:00: {sum(steps):,} lines, "
        f"median {statistics.median(steps):.0f} a step (min {min(steps)}, max {max(steps)}), "
        f"{rate:.0f} lines/s"
    )
    print("```")
    print()
    policy = (
        "the app's (start-up's heap frozen, automatic collector off, young generations "
        "collected between refreshes, untimed)"
        if args.gc == "app"
        else "Python's default (automatic collections may fall inside a refresh)"
    )
    print(f"Times in ms; target {TARGET_S * 1000:.0f} ms for (c). Garbage collection: {policy}.")
    print()
    print("| case | interval (min) | median | p95 | max | n | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for m in MINUTES:
        first = (
            f"very first on a fresh engine {res['first_ever'] * 1000:.0f} ms; "
            if (m == MINUTES[0])
            else ""
        )
        print(
            row("(a) first build (new cache, reads history)", m, res[f"a{m}"],
                first + erlang_note(res[f"a{m}_erlang"]))
        )  # fmt: skip
    for m in MINUTES:
        print(
            row("(b) refresh, nothing changed", m, res[f"b{m}"], erlang_note(res[f"b{m}_erlang"]))
        )
    for m in MINUTES:
        c = res[f"c{m}"]
        share = sum(e[0] for e in res[f"c{m}_erlang"]) / sum(c)
        met = "**met**" if statistics.median(c) < TARGET_S else "**missed**"
        print(
            row(f"**(c) refresh after {args.step:g} s of new lines**", m, c,
                f"{met}; staff_day {share:.0%} of the time; " + erlang_note(res[f"c{m}_erlang"]))
        )  # fmt: skip
    for m in MINUTES:
        print(
            row("(d) clock + 1 s, no new data", m, res[f"d{m}"], erlang_note(res[f"d{m}_erlang"]))
        )
    for m in MINUTES:
        print(row("(e) replay: to now − 30 min", m, res[f"e{m}_back"]))
        print(row("(e) replay: back to now", m, res[f"e{m}_live"]))
    print()
    for m in MINUTES:
        spent = res[f"split{m}"]
        k = res["split_steps"]
        print(
            f"(c) at {m} min by part (mean ms a refresh over {k} more steps, wrappers on; "
            f"total {res[f'split{m}_total'] / k * 1000:.1f} ms; parts nest where indented):"
        )
        print()
        print("| part | ms |")
        print("| --- | --- |")
        for label, sec in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"| {label} | {sec / k * 1000:.2f} |")
        rest = res[f"split{m}_total"] - sum(
            v for label, v in spent.items() if not label.startswith(" ")
        )
        print(
            f"| the rest (rows, forecasts, lasting states' tally, objects) | {rest / k * 1000:.2f} |"
        )
        print()
    for m in MINUTES:
        if f"profile{m}" in res:
            print(f"cProfile of (c) at {m} min ({res['split_steps']} refreshes):")
            print("```")
            print(res[f"profile{m}"])
            print("```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
